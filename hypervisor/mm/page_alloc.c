#include "page_alloc.h"

static bool test(const struct page_allocator *pa, u64 i)
{
	return pa->bitmap[i / 64] & BIT(i % 64);
}

static void set_range(struct page_allocator *pa, u64 first, u64 n, bool used)
{
	for (u64 i = first; i < first + n; i++) {
		if (used)
			pa->bitmap[i / 64] |= BIT(i % 64);
		else
			pa->bitmap[i / 64] &= ~BIT(i % 64);
	}
	pa->nfree += used ? -n : n;
}

void page_alloc_init(struct page_allocator *pa, u64 base, u64 npages, u64 *bitmap)
{
	pa->base = base;
	pa->npages = npages;
	pa->nfree = npages;
	pa->bitmap = bitmap;
	for (u64 i = 0; i < PAGE_ALLOC_BITMAP_BYTES(npages) / 8; i++)
		bitmap[i] = 0;
}

void page_alloc_reserve(struct page_allocator *pa, u64 addr, u64 n)
{
	u64 start = addr >> PAGE_SHIFT, base = pa->base >> PAGE_SHIFT;
	u64 end = n > UINT64_MAX - start ? UINT64_MAX : start + n;

	/* Clip to the allocator: either end may lie outside it. */
	start = MAX(start, base);
	end = MIN(end, base + pa->npages);
	for (u64 i = start; i < end; i++)
		if (!test(pa, i - base))
			set_range(pa, i - base, 1, true);
}

u64 page_alloc(struct page_allocator *pa, u64 n, u64 align_pages)
{
	u64 base_pfn = pa->base >> PAGE_SHIFT;

	if (n == 0 || n > pa->nfree || align_pages == 0 || (align_pages & (align_pages - 1)))
		return 0;
	/* Candidates start where the absolute pfn is aligned, so alignment
	 * holds in physical memory, not just within the region. */
	for (u64 i = ALIGN_UP(base_pfn, align_pages) - base_pfn; i + n <= pa->npages;
	     i += align_pages) {
		u64 j;

		if (align_pages == 1 && pa->bitmap[i / 64] == ~0ULL && i % 64 == 0) {
			i += 63;
			continue;
		}
		for (j = 0; j < n && !test(pa, i + j); j++)
			;
		if (j == n) {
			set_range(pa, i, n, true);
			return pa->base + (i << PAGE_SHIFT);
		}
	}
	return 0;
}

int page_free(struct page_allocator *pa, u64 addr, u64 n)
{
	u64 first;

	if (addr < pa->base || !IS_ALIGNED(addr, PAGE_SIZE))
		return -1;
	first = (addr - pa->base) >> PAGE_SHIFT;
	if (first >= pa->npages || n > pa->npages - first)
		return -1;
	for (u64 i = first; i < first + n; i++)
		if (!test(pa, i))
			return -1;
	set_range(pa, first, n, false);
	return 0;
}
