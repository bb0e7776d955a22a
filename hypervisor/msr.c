/* Synthetic MSRs (TLFS 2.4, 3.13): guest OS id, hypercall page, VP index. */
#include "hv/hypercall.h"
#include "hv/msr.h"
#include "log.h"
#include "msr.h"
#include "partition.h"

/* TLFS 3.13: the hypercall page is an overlay with the calling sequence. */
static int hypercall_page_write(struct partition *p, u64 val)
{
	static const u8 code[] = { 0x0F, 0x01, 0xD9, 0xC3 }; /* vmmcall; ret */

	if (!(val & HV_X64_MSR_HYPERCALL_ENABLE))
		return 0;
	return partition_write(p, val & ~(PAGE_SIZE - 1), code, sizeof(code));
}

int msr_read(struct vp *vp, u32 msr, u64 *val)
{
	struct partition *p = vp->part;

	switch (msr) {
	case HV_X64_MSR_GUEST_OS_ID:
		*val = p->guest_os_id;
		return 0;
	case HV_X64_MSR_HYPERCALL:
		*val = p->hypercall_msr;
		return 0;
	case HV_X64_MSR_VP_INDEX:
		*val = vp->index;
		return 0;
	}
	return -1;
}

int msr_write(struct vp *vp, u32 msr, u64 val)
{
	struct partition *p = vp->part;

	switch (msr) {
	case HV_X64_MSR_GUEST_OS_ID:
		p->guest_os_id = val;
		/* No guest identity, no hypercalls. */
		if (!val)
			p->hypercall_msr &= ~HV_X64_MSR_HYPERCALL_ENABLE;
		return 0;
	case HV_X64_MSR_HYPERCALL:
		if (p->hypercall_msr & HV_X64_MSR_HYPERCALL_LOCKED)
			return 0;
		if (!p->guest_os_id)
			val &= ~HV_X64_MSR_HYPERCALL_ENABLE;
		/* Bits 11:2 are reserved and read as zero. */
		val &= ~0xFFCULL;
		if (hypercall_page_write(p, val))
			return -1;
		p->hypercall_msr = val;
		return 0;
	}
	return -1;
}
