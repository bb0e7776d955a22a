/*
 * A child's access to an emulated device's MMIO page (the IOAPIC): the
 * hypervisor hands up the memory intercept with the instruction's bytes;
 * we decode it (mmio_insn), do the access under vm.lock and complete it in
 * the VP's registers. Any other unmapped GPA ends the VM.
 */
#include <stdio.h>

#include "hv/intercept.h"

#include "acpi_tables.h"
#include "ioapic.h"
#include "mmio.h"
#include "mmio_insn.h"
#include "vmwp.h"

#define PAGE_SIZE 4096u
/* hv_x64_segment_register attributes: L and D/B. */
#define SEG_LONG	(1u << 13)
#define SEG_DEFAULT	(1u << 14)

static enum mmio_insn_mode mode_of(const struct hv_x64_intercept_message_header *h)
{
	if ((h->execution_state & HV_X64_VP_EXECUTION_STATE_EFER_LMA) &&
	    (h->cs_segment.attributes & SEG_LONG))
		return MMIO_INSN_64;
	return h->cs_segment.attributes & SEG_DEFAULT ? MMIO_INSN_32 : MMIO_INSN_16;
}

int mmio_access(unsigned vpi, const struct hv_x64_memory_intercept_message *m, char *why,
		size_t whylen)
{
	const struct hv_x64_intercept_message_header *h = &m->header;
	uint64_t gpa = m->guest_physical_address;
	struct hv_register_assoc regs[2];
	struct septum_vid_regs get = { .count = 1 };
	struct mmio_insn i;
	uint32_t reg_name;
	uint64_t value = 0;
	bool write;
	int n = m->instruction_byte_count, err;

	if (gpa < ACPI_IOAPIC_BASE || gpa >= ACPI_IOAPIC_BASE + PAGE_SIZE) {
		snprintf(why, whylen, "no device there");
		return -1;
	}
	if (n > (int)sizeof(m->instruction_bytes))
		n = sizeof(m->instruction_bytes);
	err = mmio_insn_decode(m->instruction_bytes, n, mode_of(h), &i);
	if (err) {
		snprintf(why, whylen, "%s (%d bytes: %02x %02x %02x %02x)", mmio_insn_strerror(err),
			 n, m->instruction_bytes[0], m->instruction_bytes[1],
			 m->instruction_bytes[2], m->instruction_bytes[3]);
		return -1;
	}
	write = h->intercept_access_type == HV_INTERCEPT_ACCESS_WRITE;
	if (write != i.write || h->intercept_access_type == HV_INTERCEPT_ACCESS_EXECUTE) {
		snprintf(why, whylen, "the instruction does not match the access");
		return -1;
	}
	reg_name = HV_X64_REGISTER_RAX + (i.high_byte ? i.reg - 4 : i.reg);
	if (!write || !i.has_imm) {
		get.names[0] = reg_name;
		if (vid(vm.vp[vpi], SEPTUM_VID_GET_REGS, &get)) {
			snprintf(why, whylen, "GET_REGS failed");
			return -1;
		}
	}
	pthread_mutex_lock(&vm.lock);
	if (write)
		ioapic_mmio_write(&vm.ioapic, gpa - ACPI_IOAPIC_BASE, i.size,
				  mmio_insn_store_value(&i, get.values[0].reg64));
	else
		value = ioapic_mmio_read(&vm.ioapic, gpa - ACPI_IOAPIC_BASE, i.size);
	pthread_mutex_unlock(&vm.lock);
	regs[0] = reg64(HV_X64_REGISTER_RIP, h->rip + i.len);
	if (!write)
		regs[1] = reg64(reg_name, mmio_insn_load(&i, get.values[0].reg64, value));
	if (set_regs(vm.vp[vpi], regs, write ? 1 : 2)) {
		snprintf(why, whylen, "SET_REGS failed");
		return -1;
	}
	return 0;
}
