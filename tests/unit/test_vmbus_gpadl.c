/* Unit tests for the GPADL table: a GPADL in one header and in a header
 * plus bodies (Linux's 26 + 28-per-body split), padded bodies, multi-range
 * GPADLs and their walk, ring shapes, duplicate ids, PFNs outside guest
 * RAM, bodies for unknown or complete ids, bad ranges arriving in a body,
 * the per-VM limits, and removal (one, per channel, all). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "unit.h"
#include <cmocka.h> /* needs the four above first */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gpadl.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define RAM_PAGES 256u /* 1 MiB of guest RAM */

static struct guest_mem mem;
static struct gpadl_table *t;

static uint64_t range(uint32_t byte_count, uint32_t byte_offset)
{
	return (uint64_t)byte_offset << 32 | byte_count;
}

/* A one-range, page-aligned GPADL of n pages at PFNs first.. as words. */
static uint32_t ring_words(uint64_t *w, uint32_t n, uint64_t first)
{
	w[0] = range(n * 4096, 0);
	for (uint32_t i = 0; i < n; i++)
		w[1 + i] = first + i;
	return n + 1;
}

static int setup(void **state)
{
	(void)state;
	mem.size = RAM_PAGES * 4096ull;
	mem.base = calloc(1, mem.size);
	t = malloc(sizeof(*t));
	assert_non_null(mem.base);
	assert_non_null(t);
	gpadl_table_init(t, &mem);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	gpadl_table_reset(t);
	assert_int_equal(t->count, 0);
	assert_int_equal(t->pages, 0);
	free(t);
	free(mem.base);
	return 0;
}

static void test_single_message(void **state)
{
	uint64_t w[5];
	const struct gpadl *g;
	const uint64_t *pfns;
	uint32_t n = 0;

	(void)state;
	ring_words(w, 4, 10);
	assert_int_equal(gpadl_header(t, 3, 0xE1E10, 40, 1, w, 5), 1);
	g = gpadl_find(t, 0xE1E10);
	assert_non_null(g);
	assert_true(g->complete);
	assert_int_equal(g->relid, 3);
	assert_int_equal(g->n_pages, 4);
	assert_int_equal(t->count, 1);
	assert_int_equal(t->pages, 4);
	pfns = gpadl_ring_pfns(g, &n);
	assert_non_null(pfns);
	assert_int_equal(n, 4);
	assert_int_equal(pfns[0], 10);
	assert_int_equal(pfns[3], 13);
	assert_null(gpadl_find(t, 0xE1E11));
}

/* 32 pages: a header with the range and 26 PFNs, a body with 6. */
static void test_header_and_body(void **state)
{
	uint64_t w[33];
	uint32_t relid = 0;
	const struct gpadl *g;

	(void)state;
	ring_words(w, 32, 100);
	assert_int_equal(gpadl_header(t, 1, 0xE1E10, 264, 1, w, 27), 0);
	g = gpadl_find(t, 0xE1E10);
	assert_non_null(g);
	assert_false(g->complete);
	assert_int_equal(t->pages, 32);
	/* Not complete: no ring yet, nothing to walk. */
	assert_null(gpadl_ring_pfns(g, &relid));
	assert_int_equal(gpadl_body(t, 0xE1E10, &w[27], 6, &relid), 1);
	assert_int_equal(relid, 1);
	assert_true(g->complete);
	assert_memory_equal(g->words, w, sizeof(w));
}

/* Many bodies, the last padded to 28 PFNs: the padding is not PFNs. */
static void test_bodies_and_padding(void **state)
{
	static uint64_t w[1 + 100], pad[28];
	uint32_t relid, n;
	const struct gpadl *g;

	(void)state;
	ring_words(w, 100, 0);
	assert_int_equal(gpadl_header(t, 2, 5, 808, 1, w, 27), 0);
	assert_int_equal(gpadl_body(t, 5, &w[27], 28, &relid), 0);
	assert_int_equal(gpadl_body(t, 5, &w[55], 28, &relid), 0);
	memcpy(pad, &w[83], 18 * 8);
	memset(&pad[18], 0xFF, 10 * 8);
	assert_int_equal(gpadl_body(t, 5, pad, 28, &relid), 1);
	g = gpadl_find(t, 5);
	assert_non_null(gpadl_ring_pfns(g, &n));
	assert_int_equal(n, 100);
	assert_memory_equal(g->words, w, sizeof(w));
	/* Complete: another body is an error and changes nothing. */
	assert_int_equal(gpadl_body(t, 5, pad, 1, &relid), -ENOENT);
	assert_true(gpadl_find(t, 5)->complete);
}

static void test_multi_range_walk(void **state)
{
	/* 2 pages at 0; 100 bytes at 4000 (2 pages); 1 byte at 7 (1 page). */
	uint64_t w[9] = {range(8192, 0), 1, 2, range(100, 4000), 3, 4, range(1, 7), 5};
	const struct gpadl *g;
	struct gpadl_range r;
	uint32_t cursor = 0, n;

	(void)state;
	assert_int_equal(gpadl_header(t, 1, 1, 64, 3, w, 8), 1);
	g = gpadl_find(t, 1);
	assert_int_equal(g->n_pages, 5);
	assert_int_equal(gpadl_next_range(g, &cursor, &r), 1);
	assert_int_equal(r.byte_count, 8192);
	assert_int_equal(r.n_pfns, 2);
	assert_int_equal(r.pfns[1], 2);
	assert_int_equal(gpadl_next_range(g, &cursor, &r), 1);
	assert_int_equal(r.byte_offset, 4000);
	assert_int_equal(r.n_pfns, 2);
	assert_int_equal(r.pfns[0], 3);
	assert_int_equal(gpadl_next_range(g, &cursor, &r), 1);
	assert_int_equal(r.byte_count, 1);
	assert_int_equal(r.byte_offset, 7);
	assert_int_equal(r.n_pfns, 1);
	assert_int_equal(r.pfns[0], 5);
	assert_int_equal(gpadl_next_range(g, &cursor, &r), 0);
	assert_int_equal(gpadl_next_range(g, &cursor, &r), 0);
	/* Not a ring. */
	assert_null(gpadl_ring_pfns(g, &n));
}

static void test_ring_shapes(void **state)
{
	uint64_t w[4] = {range(8192, 0), 1, 2};
	uint32_t n;

	(void)state;
	assert_int_equal(gpadl_header(t, 1, 1, 24, 1, w, 3), 1);
	assert_non_null(gpadl_ring_pfns(gpadl_find(t, 1), &n));
	/* Not at offset 0, or not whole pages. */
	w[0] = range(8192 - 16, 16);
	assert_int_equal(gpadl_header(t, 1, 2, 24, 1, w, 3), 1);
	assert_null(gpadl_ring_pfns(gpadl_find(t, 2), &n));
	w[0] = range(8000, 0);
	assert_int_equal(gpadl_header(t, 1, 3, 24, 1, w, 3), 1);
	assert_null(gpadl_ring_pfns(gpadl_find(t, 3), &n));
}

static void test_duplicate_id(void **state)
{
	uint64_t w[33];

	(void)state;
	ring_words(w, 32, 0);
	assert_int_equal(gpadl_header(t, 1, 9, 264, 1, w, 27), 0);
	/* In progress or complete, from any channel: the id is taken. */
	assert_int_equal(gpadl_header(t, 2, 9, 264, 1, w, 27), -EEXIST);
	assert_int_equal(gpadl_find(t, 9)->relid, 1);
	assert_int_equal(t->count, 1);
	assert_int_equal(t->pages, 32);
	assert_int_equal(gpadl_body(t, 9, &w[27], 6, &(uint32_t){0}), 1);
	assert_int_equal(gpadl_header(t, 1, 9, 264, 1, w, 27), -EEXIST);
	assert_true(gpadl_find(t, 9)->complete);
}

static void test_pfn_outside_ram(void **state)
{
	uint64_t w[33];
	uint32_t relid;

	(void)state;
	/* The last page of RAM is fine, one past it is not. */
	ring_words(w, 4, RAM_PAGES - 4);
	assert_int_equal(gpadl_header(t, 1, 1, 40, 1, w, 5), 1);
	ring_words(w, 4, RAM_PAGES - 3);
	assert_int_equal(gpadl_header(t, 1, 2, 40, 1, w, 5), -EFAULT);
	assert_null(gpadl_find(t, 2));
	w[2] = UINT64_MAX;
	w[4] = 0;
	assert_int_equal(gpadl_header(t, 1, 2, 40, 1, w, 5), -EFAULT);
	/* Found only when the body completes it; then it is gone. */
	ring_words(w, 32, 0);
	w[30] = 1ull << 52;
	assert_int_equal(gpadl_header(t, 1, 3, 264, 1, w, 27), 0);
	assert_int_equal(gpadl_body(t, 3, &w[27], 6, &relid), -EFAULT);
	assert_int_equal(relid, 1);
	assert_null(gpadl_find(t, 3));
	assert_int_equal(t->count, 1);
	assert_int_equal(t->pages, 4);
	/* The id can be used again. */
	w[30] = 5;
	assert_int_equal(gpadl_header(t, 1, 3, 264, 1, w, 27), 0);
}

static void test_body_unknown(void **state)
{
	uint64_t w[28] = {0};
	uint32_t relid = 0x5555;

	(void)state;
	assert_int_equal(gpadl_body(t, 0xE1E10, w, 28, &relid), -ENOENT);
	assert_int_equal(relid, 0x5555);
	assert_int_equal(t->count, 0);
}

/* The second range's descriptor arrives in a body, and is bad. */
static void test_bad_range_in_body(void **state)
{
	static uint64_t w[40];
	uint32_t relid;

	(void)state;
	/* Range 0: 30 pages; range 1: 1 page, its descriptor at word 31. */
	ring_words(w, 30, 0);
	w[31] = range(4096, 4096);
	w[32] = 1;
	assert_int_equal(gpadl_header(t, 4, 8, 33 * 8, 2, w, 27), 0);
	assert_int_equal(gpadl_body(t, 8, &w[27], 4, &relid), 0);
	assert_int_equal(gpadl_body(t, 8, &w[31], 2, &relid), -EBADMSG);
	assert_int_equal(relid, 4);
	assert_null(gpadl_find(t, 8));
	assert_int_equal(t->pages, 0);
	/* Caught as soon as the bad descriptor is seen, before the end. */
	w[31] = range(8 * 4096, 0);
	assert_int_equal(gpadl_header(t, 4, 8, 33 * 8, 2, w, 27), 0);
	assert_int_equal(gpadl_body(t, 8, &w[27], 5, &relid), -EBADMSG);
	assert_null(gpadl_find(t, 8));
	/* Counts the parser would refuse are refused here too. */
	assert_int_equal(gpadl_header(t, 4, 8, 33 * 8, 0, w, 27), -EBADMSG);
	assert_int_equal(gpadl_header(t, 4, 8, 33 * 8 + 4, 2, w, 27), -EBADMSG);
	assert_int_equal(gpadl_header(t, 4, 8, 8, 1, w, 1), -EBADMSG);
	assert_int_equal(t->count, 0);
}

static void test_count_limit(void **state)
{
	uint64_t w[3];

	(void)state;
	ring_words(w, 2, 0);
	for (uint32_t id = 0; id < GPADL_MAX_COUNT; id++)
		assert_int_equal(gpadl_header(t, 1, id, 24, 1, w, 3), 1);
	assert_int_equal(gpadl_header(t, 1, GPADL_MAX_COUNT, 24, 1, w, 3), -ENOSPC);
	assert_int_equal(gpadl_remove(t, 17), 0);
	assert_int_equal(gpadl_header(t, 1, GPADL_MAX_COUNT, 24, 1, w, 3), 1);
	assert_int_equal(t->count, GPADL_MAX_COUNT);
}

/* 64 MiB per VM, counted from what headers declare, in progress too. */
static void test_page_limit(void **state)
{
	static uint64_t w[8191];
	const uint16_t big = 8191 * 8; /* one range of 8190 pages */

	(void)state;
	ring_words(w, 8190, 0);
	assert_int_equal(gpadl_header(t, 1, 1, big, 1, w, 27), 0);
	assert_int_equal(gpadl_header(t, 1, 2, big, 1, w, 27), 0);
	assert_int_equal(t->pages, 16380);
	ring_words(w, 5, 0);
	assert_int_equal(gpadl_header(t, 1, 3, 48, 1, w, 6), -ENOSPC);
	assert_null(gpadl_find(t, 3));
	ring_words(w, 4, 0);
	assert_int_equal(gpadl_header(t, 1, 3, 40, 1, w, 5), 1);
	assert_int_equal(t->pages, GPADL_MAX_VM_PAGES);
	assert_int_equal(gpadl_remove(t, 1), 0);
	assert_int_equal(t->pages, 8194);
}

static void test_remove(void **state)
{
	uint64_t w[3];
	uint32_t relid;

	(void)state;
	ring_words(w, 2, 0);
	assert_int_equal(gpadl_header(t, 1, 10, 24, 1, w, 3), 1);
	assert_int_equal(gpadl_header(t, 2, 20, 24, 1, w, 3), 1);
	assert_int_equal(gpadl_header(t, 2, 21, 24, 1, w, 1), 0);
	assert_int_equal(gpadl_header(t, 3, 30, 24, 1, w, 3), 1);
	assert_int_equal(gpadl_remove(t, 10), 0);
	assert_int_equal(gpadl_remove(t, 10), -ENOENT);
	gpadl_remove_relid(t, 2);
	assert_null(gpadl_find(t, 20));
	assert_null(gpadl_find(t, 21));
	assert_int_equal(gpadl_body(t, 21, &w[1], 2, &relid), -ENOENT);
	assert_non_null(gpadl_find(t, 30));
	assert_int_equal(t->count, 1);
	assert_int_equal(t->pages, 2);
	gpadl_table_reset(t);
	assert_null(gpadl_find(t, 30));
	assert_int_equal(t->count, 0);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_single_message, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_header_and_body, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bodies_and_padding, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_multi_range_walk, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ring_shapes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_duplicate_id, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_pfn_outside_ram, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_body_unknown, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_range_in_body, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_count_limit, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_page_limit, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_remove, setup, teardown),
	};

	return unit_run("vmbus_gpadl", tests, ARRAY_SIZE(tests), NULL);
}
