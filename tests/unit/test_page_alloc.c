/* Unit tests for the bitmap page allocator. Each bitmap is a heap chunk of
 * exactly PAGE_ALLOC_BITMAP_BYTES so ASan catches any access past it, and a
 * random workload is checked against a plain bool-per-page model. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* needs the four above first */
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "page_alloc.h"

#define PG(n) ((u64)(n)*PAGE_SIZE)

/* Why the current test failed, for the FAIL line printed by main(). */
static char reason[256];

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			int n_ = snprintf(reason, sizeof(reason), "line %d: ", __LINE__);          \
			snprintf(reason + n_, sizeof(reason) - n_, __VA_ARGS__);                   \
			fail_msg("%s", reason);                                                    \
		}                                                                                  \
	} while (0)

#define CHECK_EQ(got, want)                                                                        \
	CHECK((u64)(got) == (u64)(want), "%s = %#llx, want %#llx", #got,                           \
	      (unsigned long long)(got), (unsigned long long)(want))

static struct page_allocator pa;
static u64 *bitmap;

static void setup(u64 base, u64 npages)
{
	size_t bytes = PAGE_ALLOC_BITMAP_BYTES(npages);

	free(bitmap);
	bitmap = malloc(bytes ? bytes : 1);
	assert_non_null(bitmap);
	memset(bitmap, 0xa5, bytes); /* init must clear it */
	page_alloc_init(&pa, base, npages, bitmap);
}

static int teardown(void **state)
{
	(void)state;
	free(bitmap);
	bitmap = NULL;
	return 0;
}

static bool used(u64 page)
{
	return pa.bitmap[page / 64] & BIT(page % 64);
}

static u64 count_used(void)
{
	u64 n = 0;

	for (u64 i = 0; i < pa.npages; i++)
		n += used(i);
	return n;
}

/* nfree must always agree with the bitmap, and no bit past npages is set. */
static void check_consistent(int line)
{
	u64 words = PAGE_ALLOC_BITMAP_BYTES(pa.npages) / 8;

	if (pa.nfree != pa.npages - count_used()) {
		snprintf(reason, sizeof(reason), "line %d: nfree %llu but %llu of %llu pages used",
			 line, (unsigned long long)pa.nfree, (unsigned long long)count_used(),
			 (unsigned long long)pa.npages);
		fail_msg("%s", reason);
	}
	for (u64 i = pa.npages; i < words * 64; i++)
		CHECK(!used(i), "bit %llu past npages %llu is set", (unsigned long long)i,
		      (unsigned long long)pa.npages);
}
#define CONSISTENT() check_consistent(__LINE__)

static void test_init(void **state)
{
	(void)state;
	setup(0x100000, 130);
	CHECK_EQ(pa.base, 0x100000);
	CHECK_EQ(pa.npages, 130);
	CHECK_EQ(pa.nfree, 130);
	CHECK(pa.bitmap == bitmap, "bitmap pointer not kept");
	for (u64 i = 0; i < PAGE_ALLOC_BITMAP_BYTES(130) / 8; i++)
		CHECK_EQ(bitmap[i], 0);
	CONSISTENT();
	/* An empty allocator has no bitmap words at all. */
	setup(0x100000, 0);
	CHECK_EQ(pa.nfree, 0);
	CHECK_EQ(page_alloc(&pa, 1, 1), 0);
	CHECK_EQ(page_free(&pa, 0x100000, 1), -1);
}

static void test_alloc_single(void **state)
{
	(void)state;
	setup(0x200000, 200);
	for (u64 i = 0; i < 200; i++) {
		CHECK_EQ(page_alloc(&pa, 1, 1), 0x200000 + PG(i));
		CHECK_EQ(pa.nfree, 200 - i - 1);
		CHECK(used(i), "page %llu not marked", (unsigned long long)i);
	}
	CONSISTENT();
}

static void test_alloc_multi(void **state)
{
	(void)state;
	setup(0x200000, 100);
	CHECK_EQ(page_alloc(&pa, 3, 1), 0x200000);
	CHECK_EQ(page_alloc(&pa, 2, 1), 0x200000 + PG(3));
	CHECK_EQ(pa.nfree, 95);
	/* Runs that cross a bitmap word boundary. */
	CHECK_EQ(page_alloc(&pa, 70, 1), 0x200000 + PG(5));
	CHECK_EQ(pa.nfree, 25);
	CHECK_EQ(page_alloc(&pa, 25, 1), 0x200000 + PG(75));
	CHECK_EQ(pa.nfree, 0);
	CONSISTENT();
	/* The whole region in one go. */
	setup(0x200000, 100);
	CHECK_EQ(page_alloc(&pa, 100, 1), 0x200000);
	CHECK_EQ(pa.nfree, 0);
	CONSISTENT();
}

static void test_first_fit(void **state)
{
	(void)state;
	setup(0x10000, 64);
	CHECK_EQ(page_alloc(&pa, 10, 1), 0x10000);
	CHECK_EQ(page_free(&pa, 0x10000 + PG(2), 3), 0);   /* hole at 2..4 */
	CHECK_EQ(page_alloc(&pa, 4, 1), 0x10000 + PG(10)); /* too big for the hole */
	CHECK_EQ(page_alloc(&pa, 2, 1), 0x10000 + PG(2));
	CHECK_EQ(page_alloc(&pa, 1, 1), 0x10000 + PG(4));
	CHECK_EQ(page_alloc(&pa, 1, 1), 0x10000 + PG(14));
	CONSISTENT();
}

static void test_alignment(void **state)
{
	u64 a;

	(void)state;
	/* Aligned base: alignment within the region and in physical memory agree. */
	setup(0x100000, 64);
	CHECK_EQ(page_alloc(&pa, 1, 1), 0x100000);
	CHECK_EQ(page_alloc(&pa, 1, 4), 0x100000 + PG(4));
	CHECK_EQ(page_alloc(&pa, 2, 8), 0x100000 + PG(8));
	CHECK_EQ(page_alloc(&pa, 1, 2), 0x100000 + PG(2)); /* first fit fills the gap */
	CHECK_EQ(page_alloc(&pa, 16, 16), 0x100000 + PG(16));
	CHECK_EQ(pa.nfree, 64 - 21);
	CONSISTENT();
	/* Base pfn 3: the first 8-aligned pfn is 8, i.e. region page 5. */
	setup(0x3000, 64);
	CHECK_EQ(page_alloc(&pa, 1, 8), 0x8000);
	CHECK_EQ(page_alloc(&pa, 1, 2), 0x4000);
	CHECK_EQ(page_alloc(&pa, 3, 4), 0xc000);
	CONSISTENT();
	/* 2 MiB alignment from a base one page past a 2 MiB boundary. */
	setup(0x201000, 1024);
	CHECK_EQ(page_alloc(&pa, 512, 512), 0x400000);
	CHECK_EQ(page_alloc(&pa, 1, 512), 0x600000); /* the very last page */
	CHECK_EQ(page_alloc(&pa, 1, 512), 0);
	CHECK_EQ(page_alloc(&pa, 1, 1), 0x201000);
	CHECK_EQ(pa.nfree, 1024 - 514);
	CONSISTENT();
	/* Every power of two up to the region size, from an odd base pfn. */
	for (u64 align = 1; align <= 256; align <<= 1) {
		setup(0x7000, 300);
		a = page_alloc(&pa, 1, align);
		CHECK(a && IS_ALIGNED(a, PG(align)), "align %llu: got %#llx",
		      (unsigned long long)align, (unsigned long long)a);
		CHECK_EQ(a, ALIGN_UP(0x7000, PG(align)));
		CONSISTENT();
	}
	/* No aligned candidate inside the region at all. */
	setup(0x1000, 100);
	CHECK_EQ(page_alloc(&pa, 1, 128), 0);
	CHECK_EQ(pa.nfree, 100);
	CONSISTENT();
}

static void test_exhaustion(void **state)
{
	(void)state;
	setup(0x100000, 70); /* the last bitmap word is partly unused */
	for (int i = 0; i < 70; i++)
		CHECK(page_alloc(&pa, 1, 1) != 0, "allocation %d failed", i);
	CHECK_EQ(pa.nfree, 0);
	CHECK_EQ(page_alloc(&pa, 1, 1), 0);
	CHECK_EQ(page_alloc(&pa, 2, 1), 0);
	CONSISTENT();
	/* More than nfree. */
	setup(0x100000, 70);
	CHECK_EQ(page_alloc(&pa, 71, 1), 0);
	CHECK_EQ(pa.nfree, 70);
	/* Enough free pages, but no run long enough: nothing changes. */
	for (int i = 0; i < 70; i++)
		CHECK(page_alloc(&pa, 1, 1) != 0, "allocation %d failed", i);
	for (int i = 0; i < 70; i += 2)
		CHECK_EQ(page_free(&pa, 0x100000 + PG(i), 1), 0);
	CHECK_EQ(pa.nfree, 35);
	CHECK_EQ(page_alloc(&pa, 2, 1), 0);
	CHECK_EQ(pa.nfree, 35);
	for (int i = 0; i < 70; i++)
		CHECK(used(i) == (i % 2 == 1), "page %d changed", i);
	CONSISTENT();
}

static void test_free_realloc(void **state)
{
	u64 a, b;

	(void)state;
	setup(0x100000, 128);
	a = page_alloc(&pa, 8, 1);
	b = page_alloc(&pa, 8, 1);
	CHECK_EQ(page_free(&pa, a, 8), 0);
	CHECK_EQ(pa.nfree, 120);
	CHECK(!used(0) && !used(7) && used(8), "wrong pages freed");
	CHECK_EQ(page_alloc(&pa, 8, 1), a);
	CHECK_EQ(page_free(&pa, b, 8), 0);
	CHECK_EQ(page_free(&pa, a, 8), 0);
	CHECK_EQ(pa.nfree, 128);
	/* Freeing part of an allocation is allowed: the bitmap has no sizes. */
	a = page_alloc(&pa, 4, 1);
	CHECK_EQ(page_free(&pa, a + PG(1), 2), 0);
	CHECK(used(0) && !used(1) && !used(2) && used(3), "partial free wrong");
	CHECK_EQ(pa.nfree, 126);
	CONSISTENT();
}

static void test_double_free(void **state)
{
	u64 a;

	(void)state;
	setup(0x100000, 64);
	a = page_alloc(&pa, 2, 1);
	CHECK_EQ(page_free(&pa, a, 2), 0);
	CHECK_EQ(page_free(&pa, a, 2), -1);
	CHECK_EQ(page_free(&pa, a + PG(1), 1), -1);
	CHECK_EQ(pa.nfree, 64);
	CONSISTENT();
}

static void test_free_outside(void **state)
{
	(void)state;
	setup(0x100000, 64);
	CHECK_EQ(page_alloc(&pa, 64, 1), 0x100000);
	CHECK_EQ(page_free(&pa, 0xff000, 1), -1);		    /* below base */
	CHECK_EQ(page_free(&pa, 0xff000, 2), -1);		    /* straddles base */
	CHECK_EQ(page_free(&pa, 0x100000 + PG(64), 1), -1);	    /* just past the end */
	CHECK_EQ(page_free(&pa, 0x100000 + PG(63), 2), -1);	    /* straddles the end */
	CHECK_EQ(page_free(&pa, 0x100000, 65), -1);		    /* longer than region */
	CHECK_EQ(page_free(&pa, 0x100000 + PG(1), UINT64_MAX), -1); /* first + n wraps */
	CHECK_EQ(page_free(&pa, UINT64_MAX & ~0xfffULL, 1), -1);
	CHECK_EQ(page_free(&pa, 0x100800, 1), -1); /* not page aligned */
	CHECK_EQ(pa.nfree, 0);
	CHECK_EQ(count_used(), 64);
	CHECK_EQ(page_free(&pa, 0x100000 + PG(63), 1), 0); /* the last page is fine */
	CONSISTENT();
}

static void test_partial_free_unallocated(void **state)
{
	u64 snap[2];

	(void)state;
	setup(0x100000, 128);
	CHECK_EQ(page_alloc(&pa, 2, 1), 0x100000);
	CHECK_EQ(page_alloc(&pa, 60, 64), 0x100000 + PG(64));
	memcpy(snap, bitmap, sizeof(snap));
	/* Pages 0-1 used, 2 free: the whole call fails and frees nothing. */
	CHECK_EQ(page_free(&pa, 0x100000, 3), -1);
	/* A free page first, used ones after. */
	CHECK_EQ(page_free(&pa, 0x100000 + PG(63), 3), -1);
	/* Used, then a gap, then used again across a word boundary. */
	CHECK_EQ(page_free(&pa, 0x100000 + PG(1), 70), -1);
	/* Used all the way, then free past the allocation's end. */
	CHECK_EQ(page_free(&pa, 0x100000 + PG(64), 61), -1);
	CHECK(!memcmp(snap, bitmap, sizeof(snap)), "bitmap changed by a failed free");
	CHECK_EQ(pa.nfree, 128 - 62);
	CONSISTENT();
}

static void test_reserve(void **state)
{
	(void)state;
	setup(0x100000, 128);
	page_alloc_reserve(&pa, 0x100000, 3);
	CHECK_EQ(pa.nfree, 125);
	CHECK_EQ(page_alloc(&pa, 1, 1), 0x100000 + PG(3));
	page_alloc_reserve(&pa, 0x100000 + PG(10), 5);
	CHECK_EQ(pa.nfree, 119);
	CHECK_EQ(page_alloc(&pa, 8, 1), 0x100000 + PG(15)); /* 4..9 is too short */
	/* Reserving pages already used does not count them twice. */
	page_alloc_reserve(&pa, 0x100000, 20);
	CHECK_EQ(pa.nfree, 128 - 23);
	/* The tail past the region is ignored. */
	page_alloc_reserve(&pa, 0x100000 + PG(120), 100);
	CHECK_EQ(pa.nfree, 128 - 31);
	CHECK(used(127) && used(120) && !used(119), "tail reserve wrong");
	/* Entirely past the end: nothing. */
	page_alloc_reserve(&pa, 0x100000 + PG(500), 4);
	CHECK_EQ(pa.nfree, 128 - 31);
	/* n = 0: nothing. */
	page_alloc_reserve(&pa, 0x100000 + PG(50), 0);
	CHECK_EQ(pa.nfree, 128 - 31);
	/* Reserved pages can be freed like allocated ones. */
	CHECK_EQ(page_free(&pa, 0x100000 + PG(120), 8), 0);
	CHECK_EQ(pa.nfree, 128 - 23);
	CONSISTENT();
}

/* The range starts below the region: the part inside it must still be marked. */
static void test_reserve_below_base(void **state)
{
	(void)state;
	setup(0x100000, 64);
	page_alloc_reserve(&pa, 0x100000 - PG(2), 4); /* covers pages 0 and 1 */
	CONSISTENT();
	CHECK(used(0) && used(1) && !used(2),
	      "SOURCE BUG page_alloc.c page_alloc_reserve: reserve(base - 2 pages, 4) marked "
	      "%llu pages, want pages 0-1 (addr - base wraps, so nothing is reserved)",
	      (unsigned long long)count_used());
	CHECK_EQ(pa.nfree, 62);
}

/* A count so large that first + n overflows: everything from first on is used. */
static void test_reserve_huge_count(void **state)
{
	(void)state;
	setup(0x100000, 64);
	page_alloc_reserve(&pa, 0x100000 + PG(60), UINT64_MAX);
	CONSISTENT();
	CHECK(pa.nfree == 60 && used(60) && used(63) && !used(59),
	      "SOURCE BUG page_alloc.c page_alloc_reserve: reserve(page 60, UINT64_MAX) left "
	      "nfree %llu, want 60 (first + n wraps, so the loop never runs)",
	      (unsigned long long)pa.nfree);
}

static void test_nfree_accounting(void **state)
{
	(void)state;
	setup(0x100000, 256);
	CHECK_EQ(page_alloc(&pa, 10, 1), 0x100000);
	CHECK_EQ(pa.nfree, 246);
	page_alloc_reserve(&pa, 0x100000 + PG(5), 10); /* 5 new */
	CHECK_EQ(pa.nfree, 241);
	CHECK_EQ(page_free(&pa, 0x100000 + PG(5), 10), 0);
	CHECK_EQ(pa.nfree, 251);
	CHECK_EQ(page_free(&pa, 0x100000 + PG(5), 1), -1);
	CHECK_EQ(page_alloc(&pa, 0, 1), 0);
	CHECK_EQ(page_alloc(&pa, 300, 1), 0);
	CHECK_EQ(pa.nfree, 251);
	CONSISTENT();
}

static void test_bad_args(void **state)
{
	static const u64 bad_align[] = {0, 3, 5, 6, 7, 12, 100, 0x8001, UINT64_MAX};

	(void)state;
	setup(0x100000, 64);
	CHECK_EQ(page_alloc(&pa, 0, 1), 0);
	CHECK_EQ(page_alloc(&pa, 0, 8), 0);
	for (size_t i = 0; i < ARRAY_SIZE(bad_align); i++) {
		CHECK(page_alloc(&pa, 1, bad_align[i]) == 0, "align %#llx accepted",
		      (unsigned long long)bad_align[i]);
	}
	CHECK_EQ(page_alloc(&pa, UINT64_MAX, 1), 0);
	/* Huge power-of-two alignments just find nothing. */
	CHECK_EQ(page_alloc(&pa, 1, 1ULL << 63), 0);
	CHECK_EQ(page_alloc(&pa, 1, 1ULL << 40), 0);
	CHECK_EQ(pa.nfree, 64);
	CONSISTENT();
}

/* Full bitmap words are skipped 64 at a time; the skip must not jump over a free page. */
static void test_full_word_skip(void **state)
{
	(void)state;
	setup(0x100000, 200);
	CHECK_EQ(page_alloc(&pa, 128, 1), 0x100000);
	CHECK_EQ(page_alloc(&pa, 1, 1), 0x100000 + PG(128));
	CHECK_EQ(page_free(&pa, 0x100000 + PG(63), 1), 0);
	CHECK_EQ(page_alloc(&pa, 1, 1), 0x100000 + PG(63));
	CHECK_EQ(page_free(&pa, 0x100000 + PG(64), 1), 0);
	CHECK_EQ(page_alloc(&pa, 1, 1), 0x100000 + PG(64));
	CHECK_EQ(page_alloc(&pa, 71, 1), 0x100000 + PG(129));
	CHECK_EQ(pa.nfree, 0);
	CHECK_EQ(page_alloc(&pa, 1, 1), 0);
	CONSISTENT();
}

static u64 rng_state = 0x9e3779b97f4a7c15ULL;

static u64 rnd(u64 n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state % n;
}

/* First fit in the model: the same contract, written the obvious way. */
static u64 model_alloc(const bool *model, u64 base, u64 npages, u64 n, u64 align)
{
	u64 base_pfn = base >> PAGE_SHIFT;

	for (u64 i = 0; i + n <= npages; i++) {
		u64 j;

		if ((base_pfn + i) % align)
			continue;
		for (j = 0; j < n && !model[i + j]; j++)
			;
		if (j == n)
			return i;
	}
	return UINT64_MAX;
}

static void test_random_vs_model(void **state)
{
	enum { NPAGES = 333, OPS = 20000 };
	static const u64 bases[] = {0x100000, 0x3000, 0x1ff000};
	static bool model[NPAGES];

	(void)state;
	for (size_t b = 0; b < ARRAY_SIZE(bases); b++) {
		u64 base = bases[b], nfree = NPAGES;

		setup(base, NPAGES);
		memset(model, 0, sizeof(model));
		for (int op = 0; op < OPS; op++) {
			u64 n = 1 + rnd(rnd(4) ? 4 : 80), first = rnd(NPAGES), got, want;

			switch (rnd(3)) {
			case 0: {
				u64 align = 1ULL << rnd(rnd(2) ? 2 : 8);

				want = model_alloc(model, base, NPAGES, n, align);
				got = page_alloc(&pa, n, align);
				CHECK(got == (want == UINT64_MAX ? 0 : base + PG(want)),
				      "op %d: alloc(%llu, %llu) = %#llx, model says page %lld", op,
				      (unsigned long long)n, (unsigned long long)align,
				      (unsigned long long)got, (long long)want);
				if (want != UINT64_MAX) {
					for (u64 i = 0; i < n; i++)
						model[want + i] = true;
					nfree -= n;
				}
				break;
			}
			case 1: {
				bool ok = first + n <= NPAGES;

				for (u64 i = first; ok && i < first + n; i++)
					ok = model[i];
				CHECK_EQ(page_free(&pa, base + PG(first), n), ok ? 0 : -1);
				if (ok) {
					for (u64 i = first; i < first + n; i++)
						model[i] = false;
					nfree += n;
				}
				break;
			}
			default:
				if (rnd(8))
					break; /* keep reserve rare so the region does not fill up
						*/
				page_alloc_reserve(&pa, base + PG(first), n);
				for (u64 i = first; i < first + n && i < NPAGES; i++) {
					nfree -= !model[i];
					model[i] = true;
				}
			}
			CHECK_EQ(pa.nfree, nfree);
		}
		for (u64 i = 0; i < NPAGES; i++)
			CHECK(used(i) == model[i], "page %llu differs from the model",
			      (unsigned long long)i);
		CONSISTENT();
	}
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(test_init, teardown),
	    cmocka_unit_test_teardown(test_alloc_single, teardown),
	    cmocka_unit_test_teardown(test_alloc_multi, teardown),
	    cmocka_unit_test_teardown(test_first_fit, teardown),
	    cmocka_unit_test_teardown(test_alignment, teardown),
	    cmocka_unit_test_teardown(test_exhaustion, teardown),
	    cmocka_unit_test_teardown(test_free_realloc, teardown),
	    cmocka_unit_test_teardown(test_double_free, teardown),
	    cmocka_unit_test_teardown(test_free_outside, teardown),
	    cmocka_unit_test_teardown(test_partial_free_unallocated, teardown),
	    cmocka_unit_test_teardown(test_reserve, teardown),
	    cmocka_unit_test_teardown(test_reserve_below_base, teardown),
	    cmocka_unit_test_teardown(test_reserve_huge_count, teardown),
	    cmocka_unit_test_teardown(test_nfree_accounting, teardown),
	    cmocka_unit_test_teardown(test_bad_args, teardown),
	    cmocka_unit_test_teardown(test_full_word_skip, teardown),
	    cmocka_unit_test_teardown(test_random_vs_model, teardown),
	};
	return unit_run("page_alloc", tests, ARRAY_SIZE(tests), reason);
}
