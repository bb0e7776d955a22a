/* Physical page allocator over one contiguous region: a bitmap, first fit. */
#ifndef SEPTUM_PAGE_ALLOC_H
#define SEPTUM_PAGE_ALLOC_H

#include "types.h"

struct page_allocator {
	u64 base;	/* physical address of page 0 */
	u64 npages;
	u64 nfree;
	u64 *bitmap;	/* one bit per page, set = used */
};

/* Bytes of bitmap storage needed for npages. */
#define PAGE_ALLOC_BITMAP_BYTES(npages) (ALIGN_UP((npages), 64) / 8)

void page_alloc_init(struct page_allocator *pa, u64 base, u64 npages, u64 *bitmap);
/* Marks [addr, addr + n pages) used; for the allocator's own bitmap, say. */
void page_alloc_reserve(struct page_allocator *pa, u64 addr, u64 n);
/* n contiguous pages aligned to align_pages (a power of two); 0 when none. */
u64 page_alloc(struct page_allocator *pa, u64 n, u64 align_pages);
/* 0, or -1 when the range is outside the allocator or not fully allocated. */
int page_free(struct page_allocator *pa, u64 addr, u64 n);

#endif
