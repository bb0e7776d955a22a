/*
 * Starts a test guest from a multiboot module as a partition with its own
 * GPA space (include/septum/testdev.h has the boot protocol). The
 * hypervisor builds the guest's first page tables, as a boot loader would.
 */
#include "bootinfo.h"
#include "lib.h"
#include "log.h"
#include "mm.h"
#include "partition.h"
#include "septum/testdev.h"
#include "testguest.h"
#include "x86.h"

#define PT_FLAGS (X86_PTE_P | X86_PTE_W)

static int build_page_tables(struct partition *p)
{
	static u64 table[512];
	u64 pdpt_gpa = SEPTUM_TESTGUEST_PT_GPA + PAGE_SIZE;
	u64 pd_gpa = pdpt_gpa + PAGE_SIZE;

	memset(table, 0, sizeof(table));
	table[0] = pdpt_gpa | PT_FLAGS;
	if (partition_write(p, SEPTUM_TESTGUEST_PT_GPA, table, sizeof(table)))
		return -1;
	for (u64 i = 0; i < 4; i++)
		table[i] = (pd_gpa + i * PAGE_SIZE) | PT_FLAGS;
	if (partition_write(p, pdpt_gpa, table, sizeof(table)))
		return -1;
	for (u64 i = 0; i < 4; i++) {
		for (u64 j = 0; j < 512; j++)
			table[j] = ((i << 30) + (j << 21)) | PT_FLAGS | X86_PTE_PS;
		if (partition_write(p, pd_gpa + i * PAGE_SIZE, table, sizeof(table)))
			return -1;
	}
	return 0;
}

static void set_long_mode(struct vp *vp, u64 rsp)
{
	static const struct vp_segment code = { 0, 0xFFFFFFFF, 0x08, 0xA09B };
	static const struct vp_segment data = { 0, 0xFFFFFFFF, 0x10, 0xC093 };
	static const struct vp_segment tr = { 0, 0x67, 0, 0x008B };
	static const struct vp_segment ldtr = { 0, 0, 0, 0x0082 };
	static const struct vp_segment table = { 0, 0xFFFF, 0, 0 };

	arch->vp_set_reg(vp, VP_REG_CR0, X86_CR0_PE | X86_CR0_MP | X86_CR0_ET | X86_CR0_NE |
					X86_CR0_WP | X86_CR0_PG);
	arch->vp_set_reg(vp, VP_REG_CR3, SEPTUM_TESTGUEST_PT_GPA);
	arch->vp_set_reg(vp, VP_REG_CR4, X86_CR4_PAE);
	arch->vp_set_reg(vp, VP_REG_EFER, EFER_LME | EFER_LMA | EFER_NXE);
	arch->vp_set_reg(vp, VP_REG_RFLAGS, 2);
	arch->vp_set_reg(vp, VP_REG_RIP, SEPTUM_TESTGUEST_LOAD_GPA);
	arch->vp_set_seg(vp, VP_SEG_CS, &code);
	arch->vp_set_seg(vp, VP_SEG_SS, &data);
	arch->vp_set_seg(vp, VP_SEG_DS, &data);
	arch->vp_set_seg(vp, VP_SEG_ES, &data);
	arch->vp_set_seg(vp, VP_SEG_FS, &data);
	arch->vp_set_seg(vp, VP_SEG_GS, &data);
	arch->vp_set_seg(vp, VP_SEG_TR, &tr);
	arch->vp_set_seg(vp, VP_SEG_LDTR, &ldtr);
	arch->vp_set_seg(vp, VP_SEG_GDTR, &table);
	arch->vp_set_seg(vp, VP_SEG_IDTR, &table);
	vp->gprs.rsp = rsp;
	vp->gprs.rsi = SEPTUM_TESTGUEST_CMDLINE_GPA;
}

int testguest_load(struct partition *p, const struct boot_module *mod, u64 rsp)
{
	u64 image_size = mod->end - mod->start;
	size_t cmdlen = strnlen(mod->cmdline, sizeof(mod->cmdline) - 1) + 1;

	if (build_page_tables(p) ||
	    partition_write(p, SEPTUM_TESTGUEST_CMDLINE_GPA, mod->cmdline, cmdlen) ||
	    partition_write(p, SEPTUM_TESTGUEST_LOAD_GPA, phys_to_virt(mod->start), image_size))
		return -1;
	set_long_mode(p->vp[0], rsp);
	return 0;
}

/* QEMU passes the module's path first; the name starts at its last part. */
const char *module_name(const char *cmdline)
{
	const char *name = cmdline;

	for (const char *s = cmdline; *s && *s != ' '; s++)
		if (*s == '/')
			name = s + 1;
	return name;
}

struct partition *testguest_create(const struct boot_module *mod, u64 ram_size)
{
	u64 image_size = mod->end - mod->start;
	struct partition *p;

	if (image_size > ram_size - SEPTUM_TESTGUEST_LOAD_GPA - PAGE_SIZE) {
		pr_err("test guest '%s': image of %lu bytes does not fit in %lu MiB", mod->cmdline,
		       image_size, ram_size >> 20);
		return NULL;
	}
	p = partition_create_boot(module_name(mod->cmdline));
	if (!p) {
		pr_err("test guest '%s': no room for another partition", mod->cmdline);
		return NULL;
	}
	/* Two halves, so the GPA space is not one contiguous host run. */
	if (partition_add_ram(p, 0, ram_size / 2) ||
	    partition_add_ram(p, ram_size / 2, ram_size / 2) || testguest_load(p, mod, ram_size)) {
		pr_err("test guest '%s': out of hypervisor memory", mod->cmdline);
		partition_destroy(p);
		return NULL;
	}
	p->vp[0]->gprs.rdi = ram_size;
	pr_info("partition %lu (%s): %lu MiB RAM, entry %x", p->id, p->name, ram_size >> 20,
		SEPTUM_TESTGUEST_LOAD_GPA);
	return p;
}
