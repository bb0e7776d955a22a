/*
 * Walks the guest's own page tables (all x86 paging modes) to fetch the
 * instruction behind an intercept. Accessed/dirty bits are left alone:
 * the hardware already set them when the guest ran the instruction.
 */
#include "guest.h"
#include "lib.h"
#include "partition.h"
#include "x86.h"

int guest_linear_to_gpa(struct vp *vp, u64 la, u64 *gpa)
{
	u64 cr0 = arch->vp_get_reg(vp, VP_REG_CR0);
	u64 cr4 = arch->vp_get_reg(vp, VP_REG_CR4);
	u64 efer = arch->vp_get_reg(vp, VP_REG_EFER);
	u64 table = arch->vp_get_reg(vp, VP_REG_CR3);
	int levels, esize = 8;

	if (!(cr0 & X86_CR0_PG)) {
		*gpa = la & 0xFFFFFFFF;
		return 0;
	}
	if (efer & EFER_LMA) {
		levels = cr4 & X86_CR4_LA57 ? 5 : 4;
		table &= X86_PTE_ADDR;
	} else if (cr4 & X86_CR4_PAE) {
		u64 pdpte;

		la &= 0xFFFFFFFF;
		if (partition_read(vp->part, (table & 0xFFFFFFE0) + ((la >> 30) & 3) * 8, &pdpte, 8) ||
		    !(pdpte & X86_PTE_P))
			return -1;
		levels = 2;
		table = pdpte & X86_PTE_ADDR;
	} else {
		levels = 2;
		esize = 4;
		la &= 0xFFFFFFFF;
		table &= 0xFFFFF000;
	}
	for (int level = levels; level >= 1; level--) {
		int bits = esize == 8 ? 9 : 10;
		int shift = PAGE_SHIFT + bits * (level - 1);
		u64 e = 0;

		if (partition_read(vp->part, table + ((la >> shift) & ((1 << bits) - 1)) * esize, &e,
				   esize) ||
		    !(e & X86_PTE_P))
			return -1;
		if (level == 1 || ((e & X86_PTE_PS) && level <= 3)) {
			u64 frame = esize == 8 ? e & X86_PTE_ADDR : e & 0xFFFFF000;

			/* 4 MiB pages in 32-bit paging keep PA bits 39:32 in 20:13. */
			if (level == 2 && esize == 4)
				frame = (frame & 0xFFC00000) | ((e & 0x1FE000) << 19);
			frame &= ~((1ULL << shift) - 1);
			*gpa = frame | (la & ((1ULL << shift) - 1));
			return 0;
		}
		table = esize == 8 ? e & X86_PTE_ADDR : e & 0xFFFFF000;
	}
	return -1;
}

size_t x86_fetch_insn(struct vp *vp, u8 *bytes, size_t max)
{
	struct vp_segment cs;
	size_t n = 0;
	u64 la;

	arch->vp_get_seg(vp, VP_SEG_CS, &cs);
	la = arch->vp_get_reg(vp, VP_REG_RIP);
	if (vp_cpu_mode(vp) != VP_MODE_64)
		la = (cs.base + la) & 0xFFFFFFFF;
	/* Page by page: the instruction may end right before an unmapped page. */
	while (n < max) {
		u64 gpa;
		size_t chunk = MIN(max - n, PAGE_SIZE - ((la + n) & (PAGE_SIZE - 1)));

		if (guest_linear_to_gpa(vp, la + n, &gpa) ||
		    partition_read(vp->part, gpa, bytes + n, chunk))
			break;
		n += chunk;
	}
	return n;
}

int x86_insn_length(struct vp *vp, enum insn_kind kind)
{
	static const enum insn_mode modes[] = {
		[VP_MODE_REAL] = INSN_MODE_16, [VP_MODE_16] = INSN_MODE_16,
		[VP_MODE_32] = INSN_MODE_32, [VP_MODE_64] = INSN_MODE_64,
	};
	u8 bytes[15];
	size_t n = x86_fetch_insn(vp, bytes, sizeof(bytes));

	return MAX(insn_len(bytes, n, modes[vp_cpu_mode(vp)], kind), -1);
}
