/* SVM nested page table entries: ordinary x86-64 long-mode entries where
 * every access counts as a user access, so U must be set at every level. */
#include "gpa_map.h"
#include "x86.h"

#define NPT_TABLE_BITS	(X86_PTE_P | X86_PTE_W | X86_PTE_U)

static u64 npt_make_table(u64 pa)
{
	return pa | NPT_TABLE_BITS;
}

static u64 npt_make_leaf(u64 pa, u32 prot, int level)
{
	/* A and D preset: the walker would otherwise write them on first use. */
	u64 e = pa | X86_PTE_P | X86_PTE_U | X86_PTE_A | X86_PTE_D;

	if (prot & GPA_WRITE)
		e |= X86_PTE_W;
	if (!(prot & GPA_EXEC))
		e |= X86_PTE_NX;
	if (level > 1)
		e |= X86_PTE_PS;
	return e;
}

static bool npt_is_present(u64 e)
{
	return e & X86_PTE_P;
}

static bool npt_is_leaf(u64 e, int level)
{
	return level == 1 || (e & X86_PTE_PS);
}

static u64 npt_entry_addr(u64 e, int level)
{
	u64 mask = X86_PTE_ADDR;

	if (level > 1 && (e & X86_PTE_PS))
		mask &= ~((1ULL << (PAGE_SHIFT + 9 * (level - 1))) - 1);
	return e & mask;
}

static u32 npt_entry_prot(u64 e)
{
	return GPA_READ | (e & X86_PTE_W ? GPA_WRITE : 0) | (e & X86_PTE_NX ? 0 : GPA_EXEC);
}

const struct gpa_map_ops npt_ops = {
	.make_table = npt_make_table,
	.make_leaf = npt_make_leaf,
	.is_present = npt_is_present,
	.is_leaf = npt_is_leaf,
	.entry_addr = npt_entry_addr,
	.entry_prot = npt_entry_prot,
};
