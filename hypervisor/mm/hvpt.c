/*
 * The hypervisor's page tables: an identity map of the physical address
 * space up to `top`, so a physical address is also a pointer. 1 GiB pages
 * where the CPU has them, 2 MiB otherwise.
 */
#include "log.h"
#include "mm.h"
#include "x86.h"

static u64 alloc_table(void)
{
	u64 pa = hv_alloc_pages(1, 1);

	if (!pa)
		panic("out of memory building the hypervisor's page tables");
	return pa;
}

void hvpt_init(u64 top)
{
	struct cpuid_regs r;
	u64 pml4 = alloc_table();
	u64 *l4 = phys_to_virt(pml4);
	bool gb;

	cpuid(0x80000001, 0, &r);
	gb = r.edx & BIT(26);
	top = ALIGN_UP(top, PAGE_SIZE_1G);
	if (top > (512ULL << 30) * 512)
		panic("physical address space too large to map (%lx)", top);

	for (u64 pa = 0; pa < top; pa += PAGE_SIZE_1G) {
		u64 *l3, *l2;

		if (!(l4[pa >> 39 & 511] & X86_PTE_P))
			l4[pa >> 39 & 511] = alloc_table() | X86_PTE_P | X86_PTE_W;
		l3 = phys_to_virt(l4[pa >> 39 & 511] & X86_PTE_ADDR);
		if (gb) {
			l3[pa >> 30 & 511] = pa | X86_PTE_P | X86_PTE_W | X86_PTE_PS;
			continue;
		}
		l3[pa >> 30 & 511] = alloc_table() | X86_PTE_P | X86_PTE_W;
		l2 = phys_to_virt(l3[pa >> 30 & 511] & X86_PTE_ADDR);
		for (int i = 0; i < 512; i++)
			l2[i] = (pa + i * PAGE_SIZE_2M) | X86_PTE_P | X86_PTE_W | X86_PTE_PS;
	}
	write_cr3(pml4);
	pr_debug("page tables: identity map of [0, %lx) with %s pages", top, gb ? "1 GiB" : "2 MiB");
}
