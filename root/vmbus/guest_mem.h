/*
 * The child's RAM as the VMWP sees it: one mapping of `size` bytes at
 * `base`, guest physical address 0 at base[0]. Every pointer the VMBus
 * server and the VSPs take into guest memory comes from gm_ptr, which
 * refuses any range that is not wholly inside it: a guest-controlled GPA
 * or PFN never becomes a pointer without this check.
 */
#ifndef SEPTUM_GUEST_MEM_H
#define SEPTUM_GUEST_MEM_H

#include <stddef.h>
#include <stdint.h>

#define GM_PAGE_SIZE	4096u
#define GM_PAGE_SHIFT	12

struct guest_mem {
	uint8_t *base;
	uint64_t size;		/* bytes, a multiple of GM_PAGE_SIZE */
};

/* Host address of [gpa, gpa + len), or NULL if any byte lies outside RAM. */
static inline void *gm_ptr(const struct guest_mem *m, uint64_t gpa, uint64_t len)
{
	if (gpa > m->size || len > m->size - gpa)
		return NULL;
	return m->base + gpa;
}

/* Host address of the whole page pfn, or NULL. */
static inline void *gm_page(const struct guest_mem *m, uint64_t pfn)
{
	if (pfn >= (m->size >> GM_PAGE_SHIFT))
		return NULL;
	return m->base + (pfn << GM_PAGE_SHIFT);
}

#endif
