/* The hypervisor heap: the RAM it reserved for itself at boot. */
#include "lib.h"
#include "log.h"
#include "mm.h"

struct page_allocator hv_pages;

u64 hv_alloc_pages(u64 n, u64 align_pages)
{
	u64 pa = page_alloc(&hv_pages, n, align_pages);

	if (pa)
		memset(phys_to_virt(pa), 0, n * PAGE_SIZE);
	return pa;
}

void hv_free_pages(u64 pa, u64 n)
{
	if (page_free(&hv_pages, pa, n))
		panic("freeing %lu pages at %lx that are not allocated", n, pa);
}

static u64 heap_alloc_one(void *ctx)
{
	(void)ctx;
	return hv_alloc_pages(1, 1);
}

static void heap_free_one(void *ctx, u64 pa)
{
	(void)ctx;
	hv_free_pages(pa, 1);
}

const struct page_source hv_page_source = { heap_alloc_one, heap_free_one, NULL };
