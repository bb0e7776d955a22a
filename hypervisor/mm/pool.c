#include "lib.h"
#include "pool.h"

static u64 pool_alloc(void *ctx)
{
	struct page_pool *pool = ctx;
	u64 pa = pool->free_head;

	if (!pa)
		return 0;
	pool->free_head = *(u64 *)phys_to_virt(pa);
	pool->nfree--;
	memset(phys_to_virt(pa), 0, PAGE_SIZE);
	return pa;
}

static void pool_free(void *ctx, u64 pa)
{
	struct page_pool *pool = ctx;

	*(u64 *)phys_to_virt(pa) = pool->free_head;
	pool->free_head = pa;
	pool->nfree++;
}

void pool_init(struct page_pool *pool)
{
	*pool = (struct page_pool){ .source = { pool_alloc, pool_free, pool } };
}

void pool_add(struct page_pool *pool, u64 pa)
{
	pool_free(pool, pa);
	pool->deposited++;
}

u64 pool_take(struct page_pool *pool)
{
	u64 pa = pool_alloc(pool);

	if (pa)
		pool->deposited--;
	return pa;
}
