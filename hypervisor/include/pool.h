/*
 * A partition's deposit pool: the root's pages the hypervisor may use for
 * that partition's own objects (GPA map tables, VP state). Free pages are
 * chained through their first word.
 */
#ifndef SEPTUM_POOL_H
#define SEPTUM_POOL_H

#include "mm.h"
#include "types.h"

struct page_pool {
	u64 free_head;
	u64 nfree;
	u64 deposited;	/* pages given and not withdrawn, free or in use */
	struct page_source source;
};

void pool_init(struct page_pool *pool);
void pool_add(struct page_pool *pool, u64 pa);
/* A free page taken out of the pool for good (withdraw), or 0. */
u64 pool_take(struct page_pool *pool);

#endif
