/* Unit tests for the guest-physical map with the SVM NPT entry format.
 * phys_to_virt() is the identity, so table pages come straight from
 * aligned_alloc() and their "physical address" is the pointer. Host
 * addresses being mapped are plain numbers, never dereferenced. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* needs the four above first */
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errno.h"
#include "gpa_map.h"
#include "x86.h"

extern const struct gpa_map_ops npt_ops;

#define R   GPA_READ
#define RW  (GPA_READ | GPA_WRITE)
#define RX  (GPA_READ | GPA_EXEC)
#define RWX (GPA_READ | GPA_WRITE | GPA_EXEC)

#define SZ_4K	PAGE_SIZE
#define SZ_2M	PAGE_SIZE_2M
#define SZ_1G	PAGE_SIZE_1G
#define SZ_512G (512 * SZ_1G)
#define HPA	0x40000000ULL /* 2 MiB (and 1 GiB) aligned */

#define LEAF_BITS  (X86_PTE_P | X86_PTE_U | X86_PTE_A | X86_PTE_D)
#define TABLE_BITS (X86_PTE_P | X86_PTE_W | X86_PTE_U)

/* Why the current test failed, for the FAIL line printed by main(). */
static char reason[512];

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

/* The page source: counts live pages; budget < 0 is unlimited, otherwise
 * that many more allocations succeed and every later one fails. */
struct src {
	u64 live, allocs;
	long budget;
};

static u64 src_alloc(void *ctx)
{
	struct src *s = ctx;
	void *p;

	if (s->budget == 0)
		return 0;
	if (s->budget > 0)
		s->budget--;
	p = aligned_alloc(PAGE_SIZE, PAGE_SIZE);
	assert_non_null(p);
	memset(p, 0, PAGE_SIZE);
	s->live++;
	s->allocs++;
	return virt_to_phys(p);
}

static void src_free(void *ctx, u64 pa)
{
	struct src *s = ctx;

	CHECK(pa && IS_ALIGNED(pa, PAGE_SIZE), "freeing bad page %#llx", (unsigned long long)pa);
	CHECK(s->live > 0, "more pages freed than allocated");
	/* Poison, so a table still referenced after its free shows up in lookups. */
	memset(phys_to_virt(pa), 0xff, PAGE_SIZE);
	free(phys_to_virt(pa));
	s->live--;
}

static struct src src;
static const struct page_source pages = {src_alloc, src_free, &src};
static struct gpa_map m;

static int setup(void **state)
{
	(void)state;
	memset(&src, 0, sizeof(src));
	src.budget = -1;
	memset(&m, 0, sizeof(m));
	assert_int_equal(gpa_map_init(&m, &npt_ops, &pages), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	gpa_map_destroy(&m, NULL, NULL);
	CHECK(src.live == 0, "destroy leaked %llu pages", (unsigned long long)src.live);
	return src.live != 0;
}

/* Expects gpa to be mapped to hpa with prot (want_hpa == 0: unmapped). */
static void check_lookup(int line, u64 gpa, u64 want_hpa, u32 want_prot)
{
	u64 hpa = 0xdead;
	u32 prot = 0xdead;
	bool found = gpa_map_lookup(&m, gpa, &hpa, &prot);

	if (!want_hpa) {
		if (found) {
			snprintf(reason, sizeof(reason),
				 "line %d: gpa %#llx mapped to %#llx prot %u, want unmapped", line,
				 (unsigned long long)gpa, (unsigned long long)hpa, prot);
			fail_msg("%s", reason);
		}
		return;
	}
	if (!found || hpa != want_hpa || prot != want_prot) {
		snprintf(reason, sizeof(reason),
			 "line %d: gpa %#llx: found %d hpa %#llx prot %u, want hpa %#llx prot %u",
			 line, (unsigned long long)gpa, found, (unsigned long long)hpa, prot,
			 (unsigned long long)want_hpa, want_prot);
		fail_msg("%s", reason);
	}
}
#define MAPPED(gpa, hpa, prot) check_lookup(__LINE__, gpa, hpa, prot)
#define UNMAPPED(gpa)	       check_lookup(__LINE__, gpa, 0, 0)

/* Checks every 4K page of [gpa, gpa + size) maps linearly from hpa. */
static void check_range(int line, u64 gpa, u64 hpa, u64 size, u32 prot)
{
	for (u64 off = 0; off < size; off += SZ_4K)
		check_lookup(line, gpa + off, hpa + off, prot);
}
#define MAPPED_RANGE(gpa, hpa, size, prot) check_range(__LINE__, gpa, hpa, size, prot)

/* The raw entry for gpa at level (4 = root), or NULL if the walk stops above it. */
static u64 *raw_entry(u64 gpa, int level)
{
	u64 *t = phys_to_virt(m.root);

	for (int l = GPA_MAP_LEVELS; l > level; l--) {
		u64 e = t[(gpa >> (PAGE_SHIFT + 9 * (l - 1))) & 511];

		if (!(e & X86_PTE_P) || (e & X86_PTE_PS))
			return NULL;
		t = phys_to_virt(e & X86_PTE_ADDR);
	}
	return &t[(gpa >> (PAGE_SHIFT + 9 * (level - 1))) & 511];
}

static u64 raw(u64 gpa, int level)
{
	u64 *e = raw_entry(gpa, level);

	CHECK(e != NULL, "no table reaches gpa %#llx at level %d", (unsigned long long)gpa, level);
	return *e;
}

static bool is_2m_leaf(u64 gpa)
{
	u64 *e = raw_entry(gpa, 2);

	return e && (*e & X86_PTE_P) && (*e & X86_PTE_PS);
}

/* m.tables must match the pages the source handed out (root included). */
static void check_tables(int line, u64 want)
{
	if (m.tables != want || src.live != want) {
		snprintf(reason, sizeof(reason),
			 "line %d: m.tables %llu, live pages %llu, want %llu", line,
			 (unsigned long long)m.tables, (unsigned long long)src.live,
			 (unsigned long long)want);
		fail_msg("%s", reason);
	}
}
#define TABLES(n) check_tables(__LINE__, n)

static void test_init_destroy(void **state)
{
	(void)state;
	TABLES(1);
	CHECK_EQ(m.flush_gen, 0);
	CHECK(m.root && IS_ALIGNED(m.root, PAGE_SIZE), "root %#llx", (unsigned long long)m.root);
	UNMAPPED(0);
	gpa_map_destroy(&m, NULL, NULL);
	CHECK_EQ(src.live, 0);
	CHECK_EQ(m.tables, 0);
	CHECK_EQ(m.root, 0);
	/* Destroying twice is harmless. */
	gpa_map_destroy(&m, NULL, NULL);
	CHECK_EQ(src.live, 0);
	/* No page for the root. */
	src.budget = 0;
	CHECK_EQ(gpa_map_init(&m, &npt_ops, &pages), -ENOMEM);
	CHECK_EQ(m.root, 0);
	CHECK_EQ(m.tables, 0);
	CHECK_EQ(src.live, 0);
}

static void test_map_4k(void **state)
{
	(void)state;
	CHECK_EQ(gpa_map_map(&m, 0x1000, HPA, SZ_4K, RW), 0);
	TABLES(4);
	MAPPED(0x1000, HPA, RW);
	MAPPED(0x1abc, HPA + 0xabc, RW);
	MAPPED(0x1fff, HPA + 0xfff, RW);
	UNMAPPED(0);
	UNMAPPED(0x2000);
	UNMAPPED(0x1000 + SZ_2M);
	UNMAPPED(0x1000 + SZ_1G);
	UNMAPPED(0x1000 + SZ_512G);
	/* A second page in the same table needs no new table. */
	CHECK_EQ(gpa_map_map(&m, 0x5000, HPA + 0x123000, SZ_4K, R), 0);
	TABLES(4);
	MAPPED(0x5000, HPA + 0x123000, R);
	/* One in another 1 GiB: a new PD and PT; another 512 GiB: PDPT too. */
	CHECK_EQ(gpa_map_map(&m, SZ_1G, HPA, SZ_4K, RX), 0);
	TABLES(6);
	CHECK_EQ(gpa_map_map(&m, SZ_512G + 0x7000, 0x7000, SZ_4K, RWX), 0);
	TABLES(9);
	MAPPED(SZ_1G, HPA, RX);
	MAPPED(SZ_512G + 0x7000, 0x7000, RWX);
	/* A run of 4K pages inside one table. */
	CHECK_EQ(gpa_map_map(&m, 0x10000, 0x1234000, 0x20000, RW), 0);
	TABLES(9);
	MAPPED_RANGE(0x10000, 0x1234000, 0x20000, RW);
	UNMAPPED(0x30000);
	UNMAPPED(0xf000);
}

static void test_map_2m_leaf(void **state)
{
	(void)state;
	CHECK_EQ(gpa_map_map(&m, SZ_2M, HPA, SZ_2M, RW), 0);
	TABLES(3); /* root, PDPT, PD: no PT */
	CHECK(is_2m_leaf(SZ_2M), "no 2M leaf");
	MAPPED(SZ_2M, HPA, RW);
	MAPPED(SZ_2M + 0x1000, HPA + 0x1000, RW);
	MAPPED(SZ_2M + 0x12345, HPA + 0x12345, RW);
	MAPPED(SZ_2M + 0x100000, HPA + 0x100000, RW);
	MAPPED(2 * SZ_2M - 1, HPA + SZ_2M - 1, RW);
	UNMAPPED(SZ_2M - 1);
	UNMAPPED(2 * SZ_2M);
	/* Several 2M leaves at once, crossing a 1 GiB boundary. */
	CHECK_EQ(gpa_map_map(&m, SZ_1G - 2 * SZ_2M, 0x80000000, 4 * SZ_2M, RX), 0);
	TABLES(4); /* plus the second PD */
	for (u64 g = SZ_1G - 2 * SZ_2M; g < SZ_1G + 2 * SZ_2M; g += SZ_2M)
		CHECK(is_2m_leaf(g), "no 2M leaf at %#llx", (unsigned long long)g);
	MAPPED(SZ_1G - 1, 0x80000000 + 2 * SZ_2M - 1, RX);
	MAPPED(SZ_1G + 0x1fffff, 0x80000000 + 2 * SZ_2M + 0x1fffff, RX);
}

/* Mixed sizes: 4K pages up to the first 2M boundary, 2M leaves, 4K after. */
static void test_map_mixed(void **state)
{
	u64 gpa = SZ_2M - 0x3000, size = 0x3000 + 2 * SZ_2M + 0x5000;

	(void)state;
	CHECK_EQ(gpa_map_map(&m, gpa, HPA - 0x3000, size, RW), 0);
	TABLES(5); /* root, PDPT, PD, two PTs */
	CHECK(!is_2m_leaf(0) && is_2m_leaf(SZ_2M) && is_2m_leaf(2 * SZ_2M) &&
		  !is_2m_leaf(3 * SZ_2M),
	      "wrong leaf sizes");
	MAPPED_RANGE(gpa, HPA - 0x3000, size, RW);
	UNMAPPED(gpa - SZ_4K);
	UNMAPPED(gpa + size);
}

/* 2M-sized, 2M-aligned gpa but an hpa only 4K aligned: 512 small leaves. */
static void test_map_2m_unaligned_hpa(void **state)
{
	(void)state;
	CHECK_EQ(gpa_map_map(&m, SZ_2M, HPA + SZ_4K, SZ_2M, RW), 0);
	TABLES(4);
	CHECK(!is_2m_leaf(SZ_2M), "2M leaf for an unaligned hpa");
	MAPPED_RANGE(SZ_2M, HPA + SZ_4K, SZ_2M, RW);
}

static void test_invalid_args(void **state)
{
	static const struct {
		u64 gpa, hpa, size;
		u32 prot;
	} bad[] = {
	    {0x800, HPA, SZ_4K, RW},			 /* unaligned gpa */
	    {0x1000, HPA + 0x10, SZ_4K, RW},		 /* unaligned hpa */
	    {0x1000, HPA, 0x800, RW},			 /* unaligned size */
	    {0x1000, HPA, SZ_4K + 1, RW},		 /* unaligned size */
	    {0x1000, HPA, 0, RW},			 /* empty */
	    {GPA_MAP_LIMIT, HPA, SZ_4K, RW},		 /* gpa at 2^48 */
	    {1ULL << 52, HPA, SZ_4K, RW},		 /* far above */
	    {GPA_MAP_LIMIT - SZ_4K, HPA, 2 * SZ_4K, RW}, /* ends past 2^48 */
	    {0x1000, HPA, GPA_MAP_LIMIT, RW},		 /* ends past 2^48 */
	    {0x1000, HPA, -0x1000ULL, RW},		 /* gpa + size wraps */
	    {-0x1000ULL, HPA, 0x2000, RW},		 /* gpa + size wraps */
	    {0x1000, -0x1000ULL, 0x2000, RW},		 /* hpa + size wraps */
	    {0x1000, HPA, SZ_4K, 0},			 /* no access at all */
	    {0x1000, HPA, SZ_4K, GPA_WRITE},		 /* write without read */
	    {0x1000, HPA, SZ_4K, GPA_EXEC},		 /* exec without read */
	    {0x1000, HPA, SZ_4K, GPA_WRITE | GPA_EXEC},
	    {0x1000, HPA, SZ_4K, RW | BIT(3)}, /* unknown bit */
	    {0x1000, HPA, SZ_4K, RW | 0x80000000u},
	};

	(void)state;
	CHECK_EQ(gpa_map_map(&m, SZ_2M, HPA, SZ_2M, RW), 0);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		int ret = gpa_map_map(&m, bad[i].gpa, bad[i].hpa, bad[i].size, bad[i].prot);

		CHECK(ret == -EINVAL, "case %zu: gpa %#llx hpa %#llx size %#llx prot %#x: got %d",
		      i, (unsigned long long)bad[i].gpa, (unsigned long long)bad[i].hpa,
		      (unsigned long long)bad[i].size, bad[i].prot, ret);
		TABLES(3);
		UNMAPPED(0x1000);
	}
	/* The very last page below 2^48 is fine, as is a range ending exactly there. */
	CHECK_EQ(gpa_map_map(&m, GPA_MAP_LIMIT - SZ_4K, HPA, SZ_4K, RW), 0);
	CHECK_EQ(gpa_map_map(&m, GPA_MAP_LIMIT - 2 * SZ_2M, HPA, SZ_2M, RW), 0);
	MAPPED(GPA_MAP_LIMIT - 1, HPA + 0xfff, RW);
	MAPPED(GPA_MAP_LIMIT - 2 * SZ_2M + 0x1234, HPA + 0x1234, RW);
	UNMAPPED(GPA_MAP_LIMIT - 2 * SZ_4K);
	/* Lookups above the limit find nothing rather than aliasing low addresses. */
	UNMAPPED(GPA_MAP_LIMIT + SZ_2M);
	UNMAPPED(GPA_MAP_LIMIT + 0x1000);
	UNMAPPED(UINT64_MAX);
	/* Unmap checks the range the same way. */
	CHECK_EQ(gpa_map_unmap(&m, 0x800, SZ_4K), -EINVAL);
	CHECK_EQ(gpa_map_unmap(&m, SZ_2M, 0), -EINVAL);
	CHECK_EQ(gpa_map_unmap(&m, SZ_2M, 0x800), -EINVAL);
	CHECK_EQ(gpa_map_unmap(&m, GPA_MAP_LIMIT, SZ_4K), -EINVAL);
	CHECK_EQ(gpa_map_unmap(&m, SZ_2M, -SZ_2M), -EINVAL);
	CHECK_EQ(m.flush_gen, 0);
	MAPPED(SZ_2M, HPA, RW);
}

static void test_overlap_4k(void **state)
{
	static const struct {
		u64 gpa, size;
	} over[] = {
	    {0x5000, SZ_4K},	 /* the same page */
	    {0x4000, 2 * SZ_4K}, /* ends on it */
	    {0x5000, 0x10000},	 /* starts on it */
	    {0, SZ_2M},		 /* a 2M leaf would cover it */
	    {0, SZ_1G},		 /* a big range around it */
	    {0x1000, SZ_512G},	 /* bigger still */
	};

	(void)state;
	CHECK_EQ(gpa_map_map(&m, 0x5000, HPA, SZ_4K, RW), 0);
	for (size_t i = 0; i < ARRAY_SIZE(over); i++) {
		int ret = gpa_map_map(&m, over[i].gpa, 0x80000000, over[i].size, RX);

		CHECK(ret == -EEXIST, "case %zu: got %d", i, ret);
		TABLES(4);
		MAPPED(0x5000, HPA, RW);
		UNMAPPED(0x4000);
		UNMAPPED(0x6000);
		UNMAPPED(SZ_2M);
	}
	/* Immediate neighbours are free. */
	CHECK_EQ(gpa_map_map(&m, 0x4000, 0x80000000, SZ_4K, RX), 0);
	CHECK_EQ(gpa_map_map(&m, 0x6000, 0x80002000, SZ_4K, RX), 0);
	MAPPED(0x4000, 0x80000000, RX);
	MAPPED(0x5000, HPA, RW);
	MAPPED(0x6000, 0x80002000, RX);
	TABLES(4);
}

static void test_overlap_2m(void **state)
{
	static const struct {
		u64 gpa, size;
	} over[] = {
	    {SZ_2M, SZ_4K},		/* first page */
	    {2 * SZ_2M - SZ_4K, SZ_4K}, /* last page */
	    {SZ_2M + 0x100000, 0x3000}, /* the middle */
	    {SZ_2M, SZ_2M},		/* the same */
	    {0, 2 * SZ_2M},		/* 4K pages, then the leaf */
	    {SZ_2M - SZ_4K, 2 * SZ_4K}, /* straddles its start */
	    {2 * SZ_2M - SZ_4K, SZ_2M}, /* straddles its end */
	    {0, SZ_1G},
	};

	(void)state;
	CHECK_EQ(gpa_map_map(&m, SZ_2M, HPA, SZ_2M, RW), 0);
	for (size_t i = 0; i < ARRAY_SIZE(over); i++) {
		int ret = gpa_map_map(&m, over[i].gpa, 0x80000000, over[i].size, RWX);

		CHECK(ret == -EEXIST, "case %zu: got %d", i, ret);
		TABLES(3);
		CHECK(is_2m_leaf(SZ_2M), "case %zu: leaf changed", i);
		MAPPED(SZ_2M + 0x1000, HPA + 0x1000, RW);
		UNMAPPED(SZ_2M - SZ_4K);
		UNMAPPED(2 * SZ_2M);
	}
	/* Overlap found only in the second 1 GiB of a range crossing it. */
	CHECK_EQ(gpa_map_map(&m, SZ_1G + SZ_2M, HPA, SZ_4K, RW), 0);
	TABLES(5);
	CHECK_EQ(gpa_map_map(&m, SZ_1G - SZ_2M, 0x80000000, 2 * SZ_2M + SZ_4K, RW), -EEXIST);
	TABLES(5);
	UNMAPPED(SZ_1G - SZ_2M);
	UNMAPPED(SZ_1G);
}

/* Fills a page table one 4K page at a time, in the given order. */
static void fill_2m(u64 gpa, u64 hpa, u32 prot, bool reverse)
{
	for (int i = 0; i < 512; i++) {
		int k = reverse ? 511 - i : i;

		CHECK_EQ(gpa_map_map(&m, gpa + k * SZ_4K, hpa + k * SZ_4K, SZ_4K, prot), 0);
		if (i < 511)
			CHECK(!is_2m_leaf(gpa), "promoted after only %d pages", i + 1);
	}
}

static void test_promote(void **state)
{
	(void)state;
	fill_2m(SZ_2M, HPA, RW, false);
	TABLES(3);
	CHECK(is_2m_leaf(SZ_2M), "not promoted");
	MAPPED_RANGE(SZ_2M, HPA, SZ_2M, RW);
	MAPPED(SZ_2M + 0x1ffff, HPA + 0x1ffff, RW);
	/* In reverse order, somewhere else, read-execute. */
	fill_2m(SZ_1G + 10 * SZ_2M, 0x80000000 + 6 * SZ_2M, RX, true);
	TABLES(4);
	CHECK(is_2m_leaf(SZ_1G + 10 * SZ_2M), "not promoted");
	MAPPED_RANGE(SZ_1G + 10 * SZ_2M, 0x80000000 + 6 * SZ_2M, SZ_2M, RX);
	/* A multi-page map that completes the table promotes too. */
	CHECK_EQ(gpa_map_map(&m, 4 * SZ_2M, HPA, SZ_2M / 2, R), 0);
	TABLES(5);
	CHECK_EQ(gpa_map_map(&m, 4 * SZ_2M + SZ_2M / 2, HPA + SZ_2M / 2, SZ_2M / 2, R), 0);
	TABLES(4);
	CHECK(is_2m_leaf(4 * SZ_2M), "not promoted");
	MAPPED_RANGE(4 * SZ_2M, HPA, SZ_2M, R);
	/* Filling a hole punched into a 2M leaf gives the leaf back. */
	CHECK_EQ(gpa_map_unmap(&m, SZ_2M + 0x7000, SZ_4K), 0);
	TABLES(5);
	CHECK_EQ(gpa_map_map(&m, SZ_2M + 0x7000, HPA + 0x7000, SZ_4K, RW), 0);
	TABLES(4);
	CHECK(is_2m_leaf(SZ_2M), "hole refill not promoted");
}

static void test_no_promote_unaligned_hpa(void **state)
{
	(void)state;
	fill_2m(SZ_2M, HPA + SZ_4K, RW, false);
	TABLES(4);
	CHECK(!is_2m_leaf(SZ_2M), "promoted");
	MAPPED_RANGE(SZ_2M, HPA + SZ_4K, SZ_2M, RW);
	/* Aligned to 1M only. */
	fill_2m(2 * SZ_2M, HPA + SZ_2M / 2, RW, true);
	TABLES(5);
	CHECK(!is_2m_leaf(2 * SZ_2M), "promoted");
}

static void test_no_promote_prot(void **state)
{
	(void)state;
	CHECK_EQ(gpa_map_map(&m, SZ_2M, HPA, 0x5000, RW), 0);
	CHECK_EQ(gpa_map_map(&m, SZ_2M + 0x5000, HPA + 0x5000, SZ_4K, RWX), 0);
	CHECK_EQ(gpa_map_map(&m, SZ_2M + 0x6000, HPA + 0x6000, SZ_2M - 0x6000, RW), 0);
	TABLES(4);
	CHECK(!is_2m_leaf(SZ_2M), "promoted across different prot");
	MAPPED(SZ_2M + 0x4000, HPA + 0x4000, RW);
	MAPPED(SZ_2M + 0x5000, HPA + 0x5000, RWX);
	MAPPED(SZ_2M + 0x6000, HPA + 0x6000, RW);
	/* The odd one out is only at the last slot. */
	CHECK_EQ(gpa_map_map(&m, 2 * SZ_2M, HPA + SZ_2M, SZ_2M - SZ_4K, RW), 0);
	CHECK_EQ(gpa_map_map(&m, 3 * SZ_2M - SZ_4K, HPA + 2 * SZ_2M - SZ_4K, SZ_4K, R), 0);
	TABLES(5);
	CHECK(!is_2m_leaf(2 * SZ_2M), "promoted across different prot");
	MAPPED(3 * SZ_2M - SZ_4K, HPA + 2 * SZ_2M - SZ_4K, R);
}

static void test_no_promote_discontiguous(void **state)
{
	(void)state;
	/* Pages 5 and 6 swapped. */
	CHECK_EQ(gpa_map_map(&m, SZ_2M, HPA, 0x5000, RW), 0);
	CHECK_EQ(gpa_map_map(&m, SZ_2M + 0x5000, HPA + 0x6000, SZ_4K, RW), 0);
	CHECK_EQ(gpa_map_map(&m, SZ_2M + 0x6000, HPA + 0x5000, SZ_4K, RW), 0);
	CHECK_EQ(gpa_map_map(&m, SZ_2M + 0x7000, HPA + 0x7000, SZ_2M - 0x7000, RW), 0);
	TABLES(4);
	CHECK(!is_2m_leaf(SZ_2M), "promoted a non-contiguous table");
	MAPPED(SZ_2M + 0x5000, HPA + 0x6000, RW);
	MAPPED(SZ_2M + 0x6000, HPA + 0x5000, RW);
	/* Only the last page is off, by a whole 2M. */
	CHECK_EQ(gpa_map_map(&m, 2 * SZ_2M, HPA, SZ_2M - SZ_4K, RW), 0);
	CHECK_EQ(gpa_map_map(&m, 3 * SZ_2M - SZ_4K, HPA + 2 * SZ_2M - SZ_4K, SZ_4K, RW), 0);
	TABLES(5);
	CHECK(!is_2m_leaf(2 * SZ_2M), "promoted a non-contiguous table");
	/* A table with a hole is not promoted either. */
	CHECK_EQ(gpa_map_map(&m, 3 * SZ_2M + SZ_4K, HPA + SZ_4K, SZ_2M - SZ_4K, RW), 0);
	TABLES(6);
	CHECK(!is_2m_leaf(3 * SZ_2M), "promoted a table with a hole");
	UNMAPPED(3 * SZ_2M);
}

static void test_unmap_split(void **state)
{
	(void)state;
	CHECK_EQ(gpa_map_map(&m, SZ_2M, HPA, SZ_2M, RX), 0);
	CHECK_EQ(gpa_map_unmap(&m, SZ_2M + 0x10000, SZ_4K), 0);
	TABLES(4);
	CHECK(!is_2m_leaf(SZ_2M), "still a 2M leaf");
	UNMAPPED(SZ_2M + 0x10000);
	UNMAPPED(SZ_2M + 0x10fff);
	MAPPED(SZ_2M + 0xf000, HPA + 0xf000, RX);
	MAPPED(SZ_2M + 0x11000, HPA + 0x11000, RX);
	MAPPED_RANGE(SZ_2M, HPA, 0x10000, RX);
	MAPPED_RANGE(SZ_2M + 0x11000, HPA + 0x11000, SZ_2M - 0x11000, RX);
	/* The split leaves keep the leaf's rights: check the raw bits too. */
	CHECK_EQ(raw(SZ_2M + 0x11000, 1), (HPA + 0x11000) | LEAF_BITS);
	CHECK_EQ(raw(SZ_2M + 0x10000, 1), 0);
	/* The first and the last page of another leaf. */
	CHECK_EQ(gpa_map_map(&m, 4 * SZ_2M, 0x80000000, SZ_2M, RW), 0);
	CHECK_EQ(gpa_map_unmap(&m, 4 * SZ_2M, SZ_4K), 0);
	CHECK_EQ(gpa_map_unmap(&m, 5 * SZ_2M - SZ_4K, SZ_4K), 0);
	TABLES(5);
	UNMAPPED(4 * SZ_2M);
	UNMAPPED(5 * SZ_2M - SZ_4K);
	MAPPED_RANGE(4 * SZ_2M + SZ_4K, 0x80000000 + SZ_4K, SZ_2M - 2 * SZ_4K, RW);
	/* A range cutting into two neighbouring leaves splits both. */
	CHECK_EQ(gpa_map_map(&m, 8 * SZ_2M, HPA, 2 * SZ_2M, RWX), 0);
	CHECK_EQ(gpa_map_unmap(&m, 9 * SZ_2M - 0x3000, 0x5000), 0);
	TABLES(7);
	MAPPED(9 * SZ_2M - 0x4000, HPA + SZ_2M - 0x4000, RWX);
	UNMAPPED(9 * SZ_2M - 0x3000);
	UNMAPPED(9 * SZ_2M + 0x1000);
	MAPPED(9 * SZ_2M + 0x2000, HPA + SZ_2M + 0x2000, RWX);
	/* Unmapping a whole leaf needs no table. */
	CHECK_EQ(gpa_map_map(&m, 12 * SZ_2M, HPA, SZ_2M, RW), 0);
	CHECK_EQ(gpa_map_unmap(&m, 12 * SZ_2M, SZ_2M), 0);
	TABLES(7);
	UNMAPPED(12 * SZ_2M + 0x5000);
}

/* Splitting needs a table; without one the leaf is left alone. */
static void test_unmap_split_enomem(void **state)
{
	(void)state;
	CHECK_EQ(gpa_map_map(&m, SZ_2M, HPA, SZ_2M, RW), 0);
	src.budget = 0;
	CHECK_EQ(gpa_map_unmap(&m, SZ_2M + 0x3000, SZ_4K), -ENOMEM);
	TABLES(3);
	CHECK(is_2m_leaf(SZ_2M), "leaf lost");
	MAPPED_RANGE(SZ_2M, HPA, SZ_2M, RW);
	src.budget = -1;
}

static void test_unmap_frees_tables(void **state)
{
	(void)state;
	CHECK_EQ(gpa_map_map(&m, 0x1000, HPA, 0x3000, RW), 0);
	CHECK_EQ(gpa_map_map(&m, SZ_2M, HPA, SZ_2M, RW), 0);
	CHECK_EQ(gpa_map_map(&m, 3 * SZ_1G + 0x5000, HPA, SZ_4K, RW), 0);
	CHECK_EQ(gpa_map_map(&m, 7 * SZ_512G, HPA, SZ_2M, RX), 0);
	CHECK_EQ(gpa_map_map(&m, GPA_MAP_LIMIT - SZ_4K, HPA, SZ_4K, R), 0);
	TABLES(11);
	/* Piece by piece: each table goes once its last entry does. */
	CHECK_EQ(gpa_map_unmap(&m, 0x2000, SZ_4K), 0);
	TABLES(11);
	CHECK_EQ(gpa_map_unmap(&m, 0x1000, SZ_4K), 0);
	CHECK_EQ(gpa_map_unmap(&m, 0x3000, SZ_4K), 0);
	TABLES(10); /* the PT */
	CHECK_EQ(gpa_map_unmap(&m, SZ_2M, SZ_2M), 0);
	TABLES(9); /* the PD; the PDPT still holds 3G */
	CHECK_EQ(gpa_map_unmap(&m, 7 * SZ_512G, SZ_2M), 0);
	TABLES(7); /* its PD and PDPT */
	UNMAPPED(0x1000);
	UNMAPPED(SZ_2M);
	MAPPED(3 * SZ_1G + 0x5000, HPA, RW);
	/* Everything else in one call. */
	CHECK_EQ(gpa_map_unmap(&m, 0, GPA_MAP_LIMIT), 0);
	TABLES(1);
	UNMAPPED(3 * SZ_1G + 0x5000);
	UNMAPPED(GPA_MAP_LIMIT - SZ_4K);
	for (int i = 0; i < 512; i++)
		CHECK(((u64 *)phys_to_virt(m.root))[i] == 0, "root entry %d left", i);
	/* A split leaf whose pages then all go. */
	CHECK_EQ(gpa_map_map(&m, SZ_2M, HPA, SZ_2M, RW), 0);
	CHECK_EQ(gpa_map_unmap(&m, SZ_2M + 0x1000, SZ_4K), 0);
	TABLES(4);
	CHECK_EQ(gpa_map_unmap(&m, SZ_2M, 0x1000), 0);
	CHECK_EQ(gpa_map_unmap(&m, SZ_2M + 0x2000, SZ_2M - 0x2000), 0);
	TABLES(1);
	/* Unmapping nothing is fine. */
	CHECK_EQ(gpa_map_unmap(&m, SZ_1G, SZ_1G), 0);
	TABLES(1);
}

static void test_destroy_frees_all(void **state)
{
	(void)state;
	fill_2m(0, HPA, RW, false);
	CHECK_EQ(gpa_map_map(&m, SZ_2M, HPA + SZ_4K, 0x30000, RW), 0);
	CHECK_EQ(gpa_map_map(&m, 10 * SZ_1G, HPA, 5 * SZ_2M, RW), 0);
	CHECK_EQ(gpa_map_unmap(&m, 10 * SZ_1G + 0x100000, 0x3000), 0);
	CHECK_EQ(gpa_map_map(&m, 100 * SZ_512G, HPA, SZ_4K, RW), 0);
	CHECK_EQ(gpa_map_map(&m, GPA_MAP_LIMIT - SZ_2M, HPA, SZ_2M, RW), 0);
	CHECK(src.live == m.tables && src.live > 8, "live %llu tables %llu",
	      (unsigned long long)src.live, (unsigned long long)m.tables);
	gpa_map_destroy(&m, NULL, NULL);
	CHECK_EQ(src.live, 0);
	CHECK_EQ(m.tables, 0);
	CHECK_EQ(m.root, 0);
}

/* What a few lookups around a test's mappings say, to compare before and after. */
struct snapshot {
	u64 tables, live;
	bool found[64];
	u64 hpa[64];
	u32 prot[64];
};

static const u64 probes[] = {
    0,
    0x1000,
    0x5000,
    SZ_2M - SZ_4K,
    SZ_2M,
    SZ_2M + 0x1000,
    2 * SZ_2M - SZ_4K,
    2 * SZ_2M,
    2 * SZ_2M + 0x1000,
    3 * SZ_2M,
    4 * SZ_2M,
    SZ_1G - SZ_4K,
    SZ_1G,
    SZ_1G + SZ_2M,
    SZ_1G + 0x3000,
    SZ_512G - SZ_4K,
    SZ_512G,
    SZ_512G + SZ_2M + 0x1000,
};

static void take(struct snapshot *s)
{
	memset(s, 0, sizeof(*s));
	s->tables = m.tables;
	s->live = src.live;
	for (size_t i = 0; i < ARRAY_SIZE(probes); i++)
		s->found[i] = gpa_map_lookup(&m, probes[i], &s->hpa[i], &s->prot[i]);
}

static void check_same(int line, const struct snapshot *before, const char *what)
{
	struct snapshot now;

	take(&now);
	if (now.tables != before->tables || now.live != before->live) {
		snprintf(reason, sizeof(reason),
			 "line %d: %s: tables %llu live %llu, before %llu/%llu", line, what,
			 (unsigned long long)now.tables, (unsigned long long)now.live,
			 (unsigned long long)before->tables, (unsigned long long)before->live);
		fail_msg("%s", reason);
	}
	for (size_t i = 0; i < ARRAY_SIZE(probes); i++)
		if (now.found[i] != before->found[i] ||
		    (now.found[i] &&
		     (now.hpa[i] != before->hpa[i] || now.prot[i] != before->prot[i]))) {
			snprintf(reason, sizeof(reason),
				 "line %d: %s: gpa %#llx now found %d hpa %#llx, before %d %#llx",
				 line, what, (unsigned long long)probes[i], now.found[i],
				 (unsigned long long)now.hpa[i], before->found[i],
				 (unsigned long long)before->hpa[i]);
			fail_msg("%s", reason);
		}
}

/* Tries a map with every allocation budget too small to finish it. */
static void check_rollback(int line, u64 gpa, u64 hpa, u64 size, u32 prot)
{
	struct snapshot before;
	char what[96];
	long budget;
	int ret;

	take(&before);
	for (budget = 0;; budget++) {
		src.budget = budget;
		ret = gpa_map_map(&m, gpa, hpa, size, prot);
		src.budget = -1;
		if (ret != -ENOMEM)
			break;
		snprintf(what, sizeof(what), "map %#llx+%#llx with %ld pages to spare",
			 (unsigned long long)gpa, (unsigned long long)size, budget);
		check_same(line, &before, what);
	}
	if (ret != 0) {
		snprintf(reason, sizeof(reason), "line %d: map with budget %ld returned %d", line,
			 budget, ret);
		fail_msg("%s", reason);
	}
	check_range(line, gpa, hpa, size, prot);
}
#define ROLLBACK(gpa, hpa, size, prot) check_rollback(__LINE__, gpa, hpa, size, prot)

static void test_enomem_rollback(void **state)
{
	(void)state;
	/* From empty: PDPT, PD and PT all new. */
	ROLLBACK(0x1000, HPA, SZ_4K, RW);
	/* Existing tables partly reused, a 2M leaf, a second PT, across 1G and 512G. */
	ROLLBACK(SZ_2M - 0x3000, HPA - 0x3000, 0x3000 + SZ_2M + 0x2000, RW);
	ROLLBACK(SZ_1G - SZ_4K, 0x80000000, 2 * SZ_4K, RX);
	ROLLBACK(SZ_512G - SZ_2M - SZ_4K, HPA, 2 * SZ_2M + 2 * SZ_4K, R);
	TABLES(15);
	CHECK(src.allocs > m.tables + 10, "the budget never ran out (%llu allocations)",
	      (unsigned long long)src.allocs);
}

/*
 * The map promotes a table that already held other pages, then runs out of
 * pages further on. Undoing it has to split the new 2M leaf again, which
 * needs a page; when there is none the rollback stops half way and leaves
 * the new pages mapped.
 */
static void test_enomem_rollback_after_promotion(void **state)
{
	struct snapshot before;
	int ret;

	(void)state;
	CHECK_EQ(gpa_map_map(&m, 0, HPA, SZ_2M / 2, RW), 0);
	TABLES(4);
	take(&before);
	/* Completes the first PT (promotion), then needs a PT for 0x200000. */
	src.budget = 0;
	ret = gpa_map_map(&m, SZ_2M / 2, HPA + SZ_2M / 2, SZ_2M / 2 + SZ_4K, RW);
	src.budget = -1;
	CHECK_EQ(ret, -ENOMEM);
	if (gpa_map_lookup(&m, SZ_2M / 2, &(u64){0}, &(u32){0}) || m.tables != before.tables) {
		snprintf(
		    reason, sizeof(reason),
		    "SOURCE BUG gpa_map.c gpa_map_map rollback: map(gpa 0x100000, size 0x101000) "
		    "over a PT holding 0x0-0xfffff fails -ENOMEM after try_promote() made a 2M "
		    "leaf; the rollback unmap_level() needs a page to split it, gets -ENOMEM "
		    "(ignored) and leaves gpa 0x100000 mapped (found %d) with m.tables %llu "
		    "(was %llu)",
		    gpa_map_lookup(&m, SZ_2M / 2, &(u64){0}, &(u32){0}),
		    (unsigned long long)m.tables, (unsigned long long)before.tables);
		fail_msg("%s", reason);
	}
	check_same(__LINE__, &before, "after the failed map");
}

static void test_npt_bits(void **state)
{
	static const struct {
		u32 prot;
		u64 bits;
	} kinds[] = {
	    {R, X86_PTE_NX},
	    {RW, X86_PTE_W | X86_PTE_NX},
	    {RX, 0},
	    {RWX, X86_PTE_W},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
		u64 gpa = i * SZ_1G, leaf2m = gpa + SZ_2M;

		CHECK_EQ(gpa_map_map(&m, gpa, HPA + i * SZ_2M, SZ_4K, kinds[i].prot), 0);
		CHECK_EQ(gpa_map_map(&m, leaf2m, 0x80000000, SZ_2M, kinds[i].prot), 0);
		CHECK_EQ(raw(gpa, 1), (HPA + i * SZ_2M) | LEAF_BITS | kinds[i].bits);
		CHECK_EQ(raw(leaf2m, 2), 0x80000000 | LEAF_BITS | X86_PTE_PS | kinds[i].bits);
		MAPPED(gpa, HPA + i * SZ_2M, kinds[i].prot);
		MAPPED(leaf2m + 0x1000, 0x80001000, kinds[i].prot);
		/* Tables grant everything; the leaf decides. */
		CHECK_EQ(raw(gpa, 2) & ~X86_PTE_ADDR, TABLE_BITS);
		CHECK_EQ(raw(gpa, 3) & ~X86_PTE_ADDR, TABLE_BITS);
		CHECK_EQ(raw(gpa, 4) & ~X86_PTE_ADDR, TABLE_BITS);
	}
	/* High address bits survive in both leaf sizes. */
	CHECK_EQ(gpa_map_map(&m, 8 * SZ_1G, 0xffffffffff000ULL, SZ_4K, RW), 0);
	CHECK_EQ(gpa_map_map(&m, 8 * SZ_1G + SZ_2M, 0xfffffffe00000ULL, SZ_2M, RW), 0);
	MAPPED(8 * SZ_1G + 0x123, 0xffffffffff123ULL, RW);
	MAPPED(8 * SZ_1G + SZ_2M + 0x1fffff, 0xfffffffffffffULL, RW);
	/* A promoted leaf gets the same bits as a direct one. */
	fill_2m(9 * SZ_1G, 0x80000000, RX, false);
	CHECK_EQ(raw(9 * SZ_1G, 2), 0x80000000 | LEAF_BITS | X86_PTE_PS);
}

static void test_flush_gen(void **state)
{
	(void)state;
	CHECK_EQ(gpa_map_map(&m, SZ_2M, HPA, SZ_2M, RW), 0);
	CHECK_EQ(gpa_map_map(&m, 0x1000, HPA, SZ_4K, RW), 0);
	CHECK_EQ(m.flush_gen, 0); /* adding translations needs no flush */
	CHECK_EQ(gpa_map_unmap(&m, 0x1000, SZ_4K), 0);
	CHECK_EQ(m.flush_gen, 1);
	CHECK_EQ(gpa_map_unmap(&m, SZ_2M + 0x5000, SZ_4K), 0); /* a split */
	CHECK_EQ(m.flush_gen, 2);
	CHECK_EQ(gpa_map_unmap(&m, SZ_2M, SZ_2M), 0);
	CHECK_EQ(m.flush_gen, 3);
	CHECK_EQ(gpa_map_unmap(&m, SZ_2M, -SZ_4K), -EINVAL);
	CHECK_EQ(m.flush_gen, 3);
	/* A failed split may have changed nothing, but a flush is harmless. */
	CHECK_EQ(gpa_map_map(&m, SZ_2M, HPA, SZ_2M, RW), 0);
	src.budget = 0;
	CHECK_EQ(gpa_map_unmap(&m, SZ_2M + 0x5000, SZ_4K), -ENOMEM);
	src.budget = -1;
	CHECK(m.flush_gen >= 3, "flush_gen went backwards");
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	static const struct CMUnitTest tests[] = {
	    T(test_init_destroy),
	    T(test_map_4k),
	    T(test_map_2m_leaf),
	    T(test_map_mixed),
	    T(test_map_2m_unaligned_hpa),
	    T(test_invalid_args),
	    T(test_overlap_4k),
	    T(test_overlap_2m),
	    T(test_promote),
	    T(test_no_promote_unaligned_hpa),
	    T(test_no_promote_prot),
	    T(test_no_promote_discontiguous),
	    T(test_unmap_split),
	    T(test_unmap_split_enomem),
	    T(test_unmap_frees_tables),
	    T(test_destroy_frees_all),
	    T(test_enomem_rollback),
	    T(test_enomem_rollback_after_promotion),
	    T(test_npt_bits),
	    T(test_flush_gen),
	};
#undef T
	return unit_run("gpa_map", tests, ARRAY_SIZE(tests), reason);
}
