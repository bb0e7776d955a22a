/* Physical memory as the hypervisor sees it: identity-mapped (see hvpt.c). */
#ifndef SEPTUM_MM_H
#define SEPTUM_MM_H

#include "page_alloc.h"
#include "types.h"

static inline void *phys_to_virt(u64 pa)
{
	return (void *)(uintptr_t)pa;
}

static inline u64 virt_to_phys(const void *p)
{
	return (u64)(uintptr_t)p;
}

/* Where page-table pages come from: the hypervisor heap or a partition's deposit. */
struct page_source {
	u64 (*alloc)(void *ctx);	/* a zeroed page, or 0 */
	void (*free)(void *ctx, u64 pa);
	void *ctx;
};

extern struct page_allocator hv_pages;

/* The hypervisor heap: zeroed pages; 0 when exhausted. */
u64 hv_alloc_pages(u64 n, u64 align_pages);
void hv_free_pages(u64 pa, u64 n);
extern const struct page_source hv_page_source;

void hvpt_init(u64 top);

#endif
