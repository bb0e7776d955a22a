/* Unit tests for the virtual x2APIC: reset state, the #GP rules of every
 * MSR, priorities (TPR, PPR, ISR nesting, EOI), IPIs, software disable, the
 * LVT timer in all three modes and the TSC/ns conversions at their limits.
 * Every refused access is also checked to leave the state untouched. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* needs the four above first */
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv/msr.h"
#include "vapic.h"

#define TSC_KHZ	  3000000U /* 3 GHz: the guest TSC is 3 * ns in these tests */
#define ID	  0x23U
#define LVT_MASK  0x10000U
#define PERIODIC  0x20000U
#define TSC_DL	  0x40000U
#define SVR_ON	  0x1FFU
#define TIMER_VEC 0xECU

/* Why the current test failed, for the FAIL line printed by main(). */
static char reason[256];

static struct vapic A;
static u64 now_ns = 1000;

static struct vapic_time at(u64 ns)
{
	return (struct vapic_time){.ns = ns, .tsc = ns * 3};
}

#define FAIL(...)                                                                                  \
	do {                                                                                       \
		snprintf(reason, sizeof(reason), __VA_ARGS__);                                     \
		fail_msg("%s", reason);                                                            \
	} while (0)

#define CHECK_EQ(got, want)                                                                        \
	do {                                                                                       \
		unsigned long long g_ = (got), w_ = (want);                                        \
		if (g_ != w_)                                                                      \
			FAIL("line %d: %s = %#llx, want %#llx", __LINE__, #got, g_, w_);           \
	} while (0)

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			FAIL("line %d: %s", __LINE__, #cond);                                      \
	} while (0)

static u64 rd_at(int line, u32 msr)
{
	u64 val = 0xDEADBEEF;

	if (vapic_msr_read(&A, msr, &val, at(now_ns)))
		FAIL("line %d: read of %#x #GP", line, msr);
	return val;
}

/* A write that must succeed without an IPI. */
static void wr_at(int line, u32 msr, u64 val)
{
	struct vapic_ipi ipi;
	int ret = vapic_msr_write(&A, msr, val, at(now_ns), &ipi);

	if (ret)
		FAIL("line %d: write %#llx to %#x returned %d", line, (unsigned long long)val, msr,
		     ret);
}

/* A write that must return an IPI. */
static struct vapic_ipi icr_at(int line, u32 msr, u64 val)
{
	struct vapic_ipi ipi;
	int ret;

	memset(&ipi, 0xA5, sizeof(ipi));
	ret = vapic_msr_write(&A, msr, val, at(now_ns), &ipi);
	if (ret != 1)
		FAIL("line %d: ICR write %#llx returned %d", line, (unsigned long long)val, ret);
	return ipi;
}

/* Accesses that must #GP and change nothing. */
static void gp_rd_at(int line, u32 msr)
{
	struct vapic before = A;
	u64 val = 0;

	if (vapic_msr_read(&A, msr, &val, at(now_ns)) != -1)
		FAIL("line %d: read of %#x succeeded", line, msr);
	if (memcmp(&before, &A, sizeof(A)))
		FAIL("line %d: read of %#x changed state", line, msr);
}

static void gp_wr_at(int line, u32 msr, u64 val)
{
	struct vapic before = A;
	struct vapic_ipi ipi;

	if (vapic_msr_write(&A, msr, val, at(now_ns), &ipi) != -1)
		FAIL("line %d: write %#llx to %#x did not #GP", line, (unsigned long long)val, msr);
	if (memcmp(&before, &A, sizeof(A)))
		FAIL("line %d: refused write %#llx to %#x changed state", line,
		     (unsigned long long)val, msr);
}

#define RD(msr)		rd_at(__LINE__, msr)
#define WR(msr, val)	wr_at(__LINE__, msr, val)
#define ICR(msr, val)	icr_at(__LINE__, msr, val)
#define GP_RD(msr)	gp_rd_at(__LINE__, msr)
#define GP_WR(msr, val) gp_wr_at(__LINE__, msr, val)

static bool irr(u8 v)
{
	return A.irr[v / 32] & (1U << (v % 32));
}

static bool isr(u8 v)
{
	return A.isr[v / 32] & (1U << (v % 32));
}

/* A fresh BSP with the APIC software-enabled, as Linux leaves it. */
static void setup(void)
{
	memset(&A, 0x5A, sizeof(A));
	now_ns = 1000;
	vapic_init(&A, ID, true, TSC_KHZ);
	WR(0x80F, SVR_ON);
}

static void test_init_state(void **state)
{
	static const u32 lvts[] = {0x832, 0x833, 0x834, 0x835, 0x836, 0x837};
	size_t i;

	(void)state;
	memset(&A, 0x5A, sizeof(A));
	vapic_init(&A, ID, true, TSC_KHZ);
	CHECK_EQ(RD(0x802), ID);
	CHECK_EQ(RD(0x803), 0x50014);
	CHECK_EQ(RD(0x1B), 0xFEE00000 | VAPIC_BASE_EN | VAPIC_BASE_EXTD | VAPIC_BASE_BSP);
	CHECK_EQ(RD(0x80D), (2U << 16) | (1U << 3));
	CHECK_EQ(RD(0x80F), 0xFF);
	CHECK_EQ(RD(0x808), 0);
	CHECK_EQ(RD(0x80A), 0);
	CHECK_EQ(RD(0x828), 0);
	CHECK_EQ(RD(0x830), 0);
	CHECK_EQ(RD(0x838), 0);
	CHECK_EQ(RD(0x839), 0);
	CHECK_EQ(RD(0x83E), 0);
	CHECK_EQ(RD(0x6E0), 0);
	for (i = 0; i < ARRAY_SIZE(lvts); i++)
		CHECK_EQ(RD(lvts[i]), LVT_MASK);
	for (i = 0; i < 8; i++) {
		CHECK_EQ(RD(0x810 + i), 0);
		CHECK_EQ(RD(0x818 + i), 0);
		CHECK_EQ(RD(0x820 + i), 0);
	}
	CHECK_EQ(vapic_pending(&A), -1);
	CHECK_EQ(vapic_next_deadline(&A), 0);
	CHECK_EQ(A.level_eoi, -1);
	CHECK(!A.pending_nmi && !A.pending_init && !A.pending_sipi);

	vapic_init(&A, 0x12345, false, TSC_KHZ);
	CHECK_EQ(RD(0x1B), 0xFEE00000 | VAPIC_BASE_EN | VAPIC_BASE_EXTD);
	CHECK_EQ(RD(0x802), 0x12345);
	CHECK_EQ(RD(0x80D), (0x1234U << 16) | (1U << 5));
	/* Cluster is ID[19:4] only. */
	vapic_init(&A, 0xFFFFFFFF, false, TSC_KHZ);
	CHECK_EQ(RD(0x80D), 0xFFFF8000);

	CHECK(vapic_handles_msr(0x800) && vapic_handles_msr(0x8FF));
	CHECK(vapic_handles_msr(0x1B) && vapic_handles_msr(0x6E0));
	CHECK(vapic_handles_msr(HV_X64_MSR_EOI) && vapic_handles_msr(HV_X64_MSR_ICR) &&
	      vapic_handles_msr(HV_X64_MSR_TPR));
	CHECK(!vapic_handles_msr(0x7FF) && !vapic_handles_msr(0x900));
	CHECK(!vapic_handles_msr(HV_X64_MSR_VP_ASSIST_PAGE) && !vapic_handles_msr(0x4000006F));
	CHECK(!vapic_handles_msr(0x1A) && !vapic_handles_msr(0x6E1));
}

static void test_read_only_gp(void **state)
{
	static const u32 ro[] = {0x802, 0x803, 0x80A, 0x80D, 0x839};
	size_t i;

	(void)state;
	setup();
	vapic_accept(&A, VAPIC_IPI_FIXED, 0x40, true);
	for (i = 0; i < ARRAY_SIZE(ro); i++) {
		GP_WR(ro[i], 0);
		GP_WR(ro[i], RD(ro[i]));
	}
	for (i = 0; i < 8; i++) {
		GP_WR(0x810 + i, 0);
		GP_WR(0x818 + i, 0);
		GP_WR(0x820 + i, 0);
	}
	CHECK(irr(0x40));
}

static void test_write_only_gp(void **state)
{
	(void)state;
	setup();
	GP_RD(0x80B);
	GP_RD(0x83F);
	GP_RD(HV_X64_MSR_EOI);
}

static void test_undefined_gp(void **state)
{
	static const u32 defined[] = {0x802, 0x803, 0x808, 0x80A, 0x80B, 0x80D, 0x80F,
				      0x828, 0x830, 0x832, 0x833, 0x834, 0x835, 0x836,
				      0x837, 0x838, 0x839, 0x83E, 0x83F};
	static const u32 undefined[] = {0x800, 0x801, 0x804, 0x805, 0x806, 0x807, 0x809,
					0x80C, 0x80E, 0x829, 0x82A, 0x82B, 0x82C, 0x82D,
					0x82E, 0x82F, 0x831, 0x83A, 0x83B, 0x83C, 0x83D};
	u32 msr;
	size_t i;
	int n = 0;

	(void)state;
	setup();
	for (i = 0; i < ARRAY_SIZE(undefined); i++) {
		GP_RD(undefined[i]);
		GP_WR(undefined[i], 0);
	}
	for (msr = 0x840; msr <= 0x8FF; msr++) {
		GP_RD(msr);
		GP_WR(msr, 0);
	}
	/* Cross-check: the defined set plus ISR/TMR/IRR is exactly what
	 * either reads or writes without #GP in 0x800-0x8FF. */
	for (msr = 0x800; msr <= 0x8FF; msr++) {
		struct vapic_ipi ipi;
		struct vapic save = A;
		u64 val;
		bool ok = !vapic_msr_read(&A, msr, &val, at(now_ns));

		ok |= vapic_msr_write(&A, msr, msr == 0x80F ? SVR_ON : 0, at(now_ns), &ipi) >= 0;
		A = save;
		n += ok;
	}
	CHECK_EQ(n, ARRAY_SIZE(defined) + 24);
	/* Upper halves are reserved everywhere but in the ICR. */
	for (i = 0; i < ARRAY_SIZE(defined); i++) {
		if (defined[i] != 0x830)
			GP_WR(defined[i], 1ULL << 32);
	}
}

static void test_reserved_bits(void **state)
{
	(void)state;
	setup();
	GP_WR(0x808, 0x100);
	GP_WR(HV_X64_MSR_TPR, 0x100);
	GP_WR(0x80F, 0x400);	       /* reserved */
	GP_WR(0x80F, 0x1000 | SVR_ON); /* EOI-broadcast suppression not offered */
	WR(0x80F, 0x200 | SVR_ON);     /* focus checking is kept */
	CHECK_EQ(RD(0x80F), 0x3FF);
	WR(0x80F, SVR_ON);
	GP_WR(0x80B, 1);
	GP_WR(0x828, 1);
	GP_WR(0x83F, 0x100);
	GP_WR(0x83E, 4); /* TDCR bit 2 */
	GP_WR(0x83E, 0x10);
	GP_WR(0x832, 0x60000);	    /* timer mode 3 */
	GP_WR(0x832, 0x100 | 0xEC); /* no delivery mode in the timer LVT */
	GP_WR(0x832, 0x80000);
	GP_WR(0x837, 0x400 | 0xFE); /* nor in the error LVT */
	GP_WR(0x835, 0x20000);	    /* LINT0 bit 17 */
	GP_WR(0x833, 0x2000);	    /* no polarity in thermal */
	GP_WR(0x834, 0x8000);	    /* no trigger mode in PMC */
	/* Read-only status bits are not reserved: ignored, no #GP. */
	WR(0x835, 0x700 | 0x4000 | 0x1000);
	CHECK_EQ(RD(0x835), 0x700);
	WR(0x836, 0x1A400 | 0x5000);
	CHECK_EQ(RD(0x836), 0x1A400);
	WR(0x832, 0x1000 | TIMER_VEC);
	CHECK_EQ(RD(0x832), TIMER_VEC);
	WR(0x833, 0x10000 | 0x200 | 0x1000 | 0x33);
	CHECK_EQ(RD(0x833), 0x10233);
	WR(0x834, 0x400);
	CHECK_EQ(RD(0x834), 0x400);
	WR(0x837, 0x1000 | 0xFE);
	CHECK_EQ(RD(0x837), 0xFE);
	/* ICR bits 12, 13, 16, 17 and 31:20. */
	GP_WR(0x830, 1ULL << 12 | 0x40);
	GP_WR(0x830, 1ULL << 13 | 0x40);
	GP_WR(0x830, 1ULL << 16 | 0x40);
	GP_WR(0x830, 1ULL << 17 | 0x40);
	GP_WR(0x830, 1ULL << 20 | 0x40);
	GP_WR(0x830, 1ULL << 31 | 0x40);
	GP_WR(HV_X64_MSR_ICR, 1ULL << 12 | 0x40);
	GP_WR(HV_X64_MSR_EOI, 1ULL << 32);
	/* IA32_APIC_BASE bits 7:0, 9, 63:52. */
	GP_WR(0x1B, RD(0x1B) | 1);
	GP_WR(0x1B, RD(0x1B) | 0x200);
	GP_WR(0x1B, RD(0x1B) | 1ULL << 52);
}

static void test_tpr_masking(void **state)
{
	(void)state;
	setup();
	vapic_accept(&A, VAPIC_IPI_FIXED, 0x45, false);
	CHECK_EQ(vapic_pending(&A), 0x45);
	WR(0x808, 0x40); /* same class: held */
	CHECK_EQ(vapic_pending(&A), -1);
	CHECK_EQ(RD(0x80A), 0x40);
	WR(0x808, 0x4F);
	CHECK_EQ(vapic_pending(&A), -1);
	WR(0x808, 0x3F); /* class below: delivered */
	CHECK_EQ(vapic_pending(&A), 0x45);
	WR(0x808, 0xF0);
	CHECK_EQ(vapic_pending(&A), -1);
	WR(0x808, 0);
	CHECK_EQ(vapic_pending(&A), 0x45);
	/* The Hyper-V TPR MSR is the same register. */
	WR(HV_X64_MSR_TPR, 0x50);
	CHECK_EQ(RD(0x808), 0x50);
	CHECK_EQ(vapic_pending(&A), -1);
	WR(0x808, 0x21);
	CHECK_EQ(RD(HV_X64_MSR_TPR), 0x21);
	CHECK_EQ(vapic_pending(&A), 0x45);
	/* Raising TPR does not touch IRR: lowering it again delivers. */
	vapic_accept(&A, VAPIC_IPI_FIXED, 0x46, false);
	WR(0x808, 0x90);
	CHECK_EQ(vapic_pending(&A), -1);
	CHECK(irr(0x45) && irr(0x46));
	WR(0x808, 0);
	CHECK_EQ(vapic_pending(&A), 0x46);
	/* The caller may sync TPR from CR8 directly. */
	A.tpr = 0x4 << 4;
	CHECK_EQ(vapic_pending(&A), -1);
}

static void test_ppr_with_isr(void **state)
{
	(void)state;
	setup();
	WR(0x808, 0x20);
	vapic_accept(&A, VAPIC_IPI_FIXED, 0x61, false);
	vapic_ack(&A, 0x61, false);
	CHECK(isr(0x61) && !irr(0x61));
	CHECK_EQ(RD(0x810 + 3), 1U << 1);
	CHECK_EQ(RD(0x80A), 0x60); /* ISR class wins, sub-class 0 */
	WR(0x808, 0x75);
	CHECK_EQ(RD(0x80A), 0x75);
	WR(0x808, 0x65); /* same class: TPR */
	CHECK_EQ(RD(0x80A), 0x65);
	WR(0x808, 0x5F);
	CHECK_EQ(RD(0x80A), 0x60);
	WR(0x80B, 0);
	CHECK_EQ(RD(0x80A), 0x5F);
}

static void test_nested_priorities(void **state)
{
	(void)state;
	setup();
	vapic_accept(&A, VAPIC_IPI_FIXED, 0x30, false);
	vapic_accept(&A, VAPIC_IPI_FIXED, 0x80, false);
	CHECK_EQ(vapic_pending(&A), 0x80);
	vapic_ack(&A, 0x80, false);
	CHECK_EQ(vapic_pending(&A), -1); /* 0x30 waits for the EOI */
	vapic_accept(&A, VAPIC_IPI_FIXED, 0x85, false);
	CHECK_EQ(vapic_pending(&A), -1); /* same class as in service */
	vapic_accept(&A, VAPIC_IPI_FIXED, 0x90, false);
	CHECK_EQ(vapic_pending(&A), 0x90); /* a higher class nests */
	vapic_ack(&A, 0x90, false);
	CHECK_EQ(vapic_pending(&A), -1);
	WR(0x80B, 0); /* retires 0x90 */
	CHECK(!isr(0x90) && isr(0x80));
	CHECK_EQ(vapic_pending(&A), -1);
	WR(0x80B, 0); /* retires 0x80 */
	CHECK_EQ(vapic_pending(&A), 0x85);
	vapic_ack(&A, 0x85, false);
	WR(0x80B, 0);
	CHECK_EQ(vapic_pending(&A), 0x30);
	vapic_ack(&A, 0x30, false);
	WR(0x80B, 0);
	CHECK_EQ(vapic_pending(&A), -1);
	CHECK_EQ(vapic_next_deadline(&A), 0);
}

static void test_eoi_highest_only(void **state)
{
	int i;

	(void)state;
	setup();
	vapic_accept(&A, VAPIC_IPI_FIXED, 0x40, false);
	vapic_ack(&A, 0x40, false);
	vapic_accept(&A, VAPIC_IPI_FIXED, 0x50, false);
	vapic_ack(&A, 0x50, false);
	vapic_accept(&A, VAPIC_IPI_FIXED, 0xFF, false);
	vapic_ack(&A, 0xFF, false);
	WR(0x80B, 0);
	CHECK(!isr(0xFF) && isr(0x50) && isr(0x40));
	CHECK_EQ(RD(0x817), 0);
	WR(0x80B, 0);
	CHECK(!isr(0x50) && isr(0x40));
	CHECK_EQ(RD(0x812), 1U);
	WR(0x80B, 0);
	for (i = 0; i < 8; i++)
		CHECK_EQ(A.isr[i], 0);
	WR(0x80B, 0); /* nothing in service: no-op */
	CHECK_EQ(A.level_eoi, -1);
	/* A level-triggered vector sets TMR and its EOI is noted. */
	vapic_accept(&A, VAPIC_IPI_FIXED, 0x60, true);
	CHECK_EQ(RD(0x818 + 3), 1U);
	vapic_ack(&A, 0x60, false);
	vapic_accept(&A, VAPIC_IPI_FIXED, 0x70, false);
	vapic_ack(&A, 0x70, false);
	WR(0x80B, 0);
	CHECK_EQ(A.level_eoi, -1); /* 0x70 was edge */
	WR(0x80B, 0);
	CHECK_EQ(A.level_eoi, 0x60);
	/* An edge acceptance of the same vector clears its TMR bit. */
	vapic_accept(&A, VAPIC_IPI_FIXED, 0x60, false);
	CHECK_EQ(RD(0x818 + 3), 0);
}

static void test_auto_eoi_ack(void **state)
{
	(void)state;
	setup();
	vapic_accept(&A, VAPIC_IPI_FIXED, 0x51, false);
	vapic_ack(&A, 0x51, true);
	CHECK(!irr(0x51) && !isr(0x51));
	CHECK_EQ(RD(0x80A), 0);
	vapic_accept(&A, VAPIC_IPI_FIXED, 0x31, false);
	CHECK_EQ(vapic_pending(&A), 0x31); /* nothing blocks lower vectors */
	/* Acknowledging a vector that is not requested does nothing. */
	vapic_ack(&A, 0x99, false);
	CHECK(!isr(0x99));
	CHECK_EQ(RD(0x80A), 0);
}

static void test_illegal_vectors(void **state)
{
	struct vapic_ipi ipi;
	int v;

	(void)state;
	setup();
	for (v = 0; v < 16; v++)
		vapic_accept(&A, VAPIC_IPI_FIXED, v, v & 1);
	CHECK_EQ(A.irr[0], 0);
	CHECK_EQ(A.tmr[0], 0);
	CHECK_EQ(vapic_pending(&A), -1);
	CHECK_EQ(RD(0x828), 0); /* not latched before a write */
	WR(0x828, 0);
	CHECK_EQ(RD(0x828), VAPIC_ESR_RECV_ILLEGAL);
	WR(0x828, 0);
	CHECK_EQ(RD(0x828), 0);
	/* A fixed IPI with vector < 16 is stopped at the sender. */
	CHECK_EQ(vapic_msr_write(&A, 0x830, 0x0000000100000005ULL, at(now_ns), &ipi), 0);
	CHECK_EQ(RD(0x830), 0x0000000100000005ULL);
	WR(0x83F, 0x0F); /* self IPI: received illegal */
	CHECK_EQ(A.irr[0], 0);
	WR(0x828, 0);
	CHECK_EQ(RD(0x828), VAPIC_ESR_SEND_ILLEGAL | VAPIC_ESR_RECV_ILLEGAL);
	/* An unmasked LVT error raises its vector for a new error. */
	WR(0x837, 0xFE);
	vapic_accept(&A, VAPIC_IPI_FIXED, 3, false);
	CHECK(irr(0xFE));
	/* An illegal error vector only logs (and does not loop). */
	vapic_ack(&A, 0xFE, true);
	WR(0x828, 0);
	WR(0x837, 0x05);
	vapic_accept(&A, VAPIC_IPI_FIXED, 3, false);
	WR(0x828, 0);
	CHECK_EQ(RD(0x828), VAPIC_ESR_RECV_ILLEGAL);
	CHECK_EQ(vapic_pending(&A), -1);
	/* NMI, INIT and SIPI have no vector rule: SIPI 0x09 is page 9. */
	vapic_accept(&A, VAPIC_IPI_SIPI, 0x09, false);
	CHECK(A.pending_sipi && A.sipi_vector == 0x09);
	CHECK_EQ(vapic_msr_write(&A, 0x830, 0x609, at(now_ns), &ipi), 1);
	CHECK(ipi.mode == VAPIC_IPI_SIPI && ipi.vector == 9);
}

static void test_icr_decode(void **state)
{
	struct vapic_ipi ipi;
	static const u64 bad_modes[] = {1, 2, 3, 7};
	size_t i;

	(void)state;
	setup();
	ipi = ICR(0x830, 0x12345678000000ECULL);
	CHECK_EQ(ipi.mode, VAPIC_IPI_FIXED);
	CHECK_EQ(ipi.vector, 0xEC);
	CHECK_EQ(ipi.dest, 0x12345678);
	CHECK_EQ(ipi.shorthand, VAPIC_DEST_FIELD);
	CHECK(!ipi.logical && !ipi.level);
	CHECK_EQ(ipi.src, ID);
	CHECK_EQ(RD(0x830), 0x12345678000000ECULL);
	CHECK_EQ(A.irr[7], 0); /* routing is the caller's */

	ipi = ICR(0x830, 0xFFFFFFFF000088F3ULL); /* logical, level trigger */
	CHECK(ipi.logical && ipi.level);
	CHECK_EQ(ipi.dest, 0xFFFFFFFF);

	ipi = ICR(0x830, 0x0000000500000400ULL); /* NMI */
	CHECK_EQ(ipi.mode, VAPIC_IPI_NMI);
	CHECK_EQ(ipi.dest, 5);
	CHECK(!ipi.level);

	ipi = ICR(0x830, 0x000000070000C500ULL); /* INIT assert */
	CHECK_EQ(ipi.mode, VAPIC_IPI_INIT);
	CHECK_EQ(ipi.dest, 7);
	CHECK_EQ(vapic_msr_write(&A, 0x830, 0x0000000700008500ULL, at(now_ns), &ipi), 0);
	CHECK_EQ(RD(0x830), 0x0000000700008500ULL); /* de-assert: nothing sent */
	ipi = ICR(0x830, 0x0000000700000500ULL);    /* edge INIT is delivered */
	CHECK_EQ(ipi.mode, VAPIC_IPI_INIT);

	ipi = ICR(0x830, 0x000000070000069AULL); /* STARTUP, page 0x9A */
	CHECK_EQ(ipi.mode, VAPIC_IPI_SIPI);
	CHECK_EQ(ipi.vector, 0x9A);

	ipi = ICR(0x830, 1ULL << 18 | 0x41);
	CHECK_EQ(ipi.shorthand, VAPIC_DEST_SELF);
	ipi = ICR(0x830, 2ULL << 18 | 0x41);
	CHECK_EQ(ipi.shorthand, VAPIC_DEST_ALL);
	ipi = ICR(0x830, 0xABCDULL << 32 | 3ULL << 18 | 0x400);
	CHECK_EQ(ipi.shorthand, VAPIC_DEST_OTHERS);
	CHECK_EQ(ipi.mode, VAPIC_IPI_NMI);

	/* Lowest priority, SMI and the reserved modes #GP. */
	for (i = 0; i < ARRAY_SIZE(bad_modes); i++)
		GP_WR(0x830, bad_modes[i] << 8 | 0x41);

	/* The Hyper-V ICR MSR is the same register, x2APIC layout. */
	ipi = ICR(HV_X64_MSR_ICR, 0x00000009000000D1ULL);
	CHECK_EQ(ipi.mode, VAPIC_IPI_FIXED);
	CHECK_EQ(ipi.vector, 0xD1);
	CHECK_EQ(ipi.dest, 9);
	CHECK_EQ(RD(0x830), 0x00000009000000D1ULL);
	CHECK_EQ(RD(HV_X64_MSR_ICR), 0x00000009000000D1ULL);
}

static void test_ipi_match(void **state)
{
	struct vapic b;
	struct vapic_ipi ipi = {.mode = VAPIC_IPI_FIXED, .vector = 0x40, .src = ID};

	(void)state;
	setup();
	vapic_init(&b, 0x31, false, TSC_KHZ);
	ipi.dest = 0x31;
	CHECK(vapic_ipi_match(&b, &ipi) && !vapic_ipi_match(&A, &ipi));
	ipi.dest = 0xFFFFFFFF;
	CHECK(vapic_ipi_match(&b, &ipi) && vapic_ipi_match(&A, &ipi));
	/* Logical: 0x31 is cluster 3 bit 1, 0x23 cluster 2 bit 3. */
	ipi.logical = true;
	ipi.dest = 3U << 16 | 0x2;
	CHECK(vapic_ipi_match(&b, &ipi) && !vapic_ipi_match(&A, &ipi));
	ipi.dest = 3U << 16 | 0xFFFD;
	CHECK(!vapic_ipi_match(&b, &ipi));
	ipi.dest = 2U << 16 | 0x8;
	CHECK(!vapic_ipi_match(&b, &ipi) && vapic_ipi_match(&A, &ipi));
	ipi.dest = 0xFFFFFFFF;
	CHECK(vapic_ipi_match(&b, &ipi) && vapic_ipi_match(&A, &ipi));
	/* Shorthands ignore dest. */
	ipi.dest = 0x31;
	ipi.shorthand = VAPIC_DEST_SELF;
	CHECK(!vapic_ipi_match(&b, &ipi) && vapic_ipi_match(&A, &ipi));
	ipi.shorthand = VAPIC_DEST_ALL;
	CHECK(vapic_ipi_match(&b, &ipi) && vapic_ipi_match(&A, &ipi));
	ipi.shorthand = VAPIC_DEST_OTHERS;
	CHECK(vapic_ipi_match(&b, &ipi) && !vapic_ipi_match(&A, &ipi));
	/* A disabled APIC is nobody's target. */
	CHECK_EQ(vapic_msr_write(&b, 0x1B, 0xFEE00000, at(now_ns), &ipi), 0);
	CHECK(!vapic_ipi_match(&b, &ipi));
}

static void test_self_ipi(void **state)
{
	(void)state;
	setup();
	WR(0x83F, 0x77);
	CHECK(irr(0x77));
	CHECK_EQ(RD(0x820 + 3), 1U << 23);
	CHECK_EQ(A.tmr[3], 0);
	CHECK_EQ(vapic_pending(&A), 0x77);
	vapic_ack(&A, 0x77, false);
	WR(0x80B, 0);
	CHECK_EQ(vapic_pending(&A), -1);
	/* Software-disabled: dropped. */
	WR(0x80F, 0xFF);
	WR(0x83F, 0x77);
	CHECK(!irr(0x77));
}

static void test_hv_msrs(void **state)
{
	(void)state;
	setup();
	vapic_accept(&A, VAPIC_IPI_FIXED, 0x60, false);
	vapic_ack(&A, 0x60, false);
	WR(HV_X64_MSR_EOI, 0x12345678); /* any EOI value */
	CHECK(!isr(0x60));
	GP_RD(HV_X64_MSR_EOI);
	WR(HV_X64_MSR_TPR, 0xAB);
	CHECK_EQ(RD(HV_X64_MSR_TPR), 0xAB);
	GP_WR(HV_X64_MSR_TPR, 1ULL << 40);
	/* None of them exists with the APIC disabled. */
	WR(0x1B, 0xFEE00000);
	GP_RD(HV_X64_MSR_ICR);
	GP_RD(HV_X64_MSR_TPR);
	GP_WR(HV_X64_MSR_EOI, 0);
	GP_WR(HV_X64_MSR_TPR, 0);
	GP_WR(HV_X64_MSR_ICR, 0x40);
}

static void test_svr_disable(void **state)
{
	u32 msr;

	(void)state;
	setup();
	for (msr = 0x832; msr <= 0x837; msr++)
		WR(msr, 0x40 + msr - 0x832);
	vapic_accept(&A, VAPIC_IPI_FIXED, 0x90, false);
	WR(0x80F, 0xFF); /* software disable */
	for (msr = 0x832; msr <= 0x837; msr++)
		CHECK_EQ(RD(msr), LVT_MASK | (0x40 + msr - 0x832));
	WR(0x835, 0x700); /* the mask cannot be cleared */
	CHECK_EQ(RD(0x835), LVT_MASK | 0x700);
	/* Held requests are still delivered; new fixed ones are dropped. */
	CHECK_EQ(vapic_pending(&A), 0x90);
	vapic_accept(&A, VAPIC_IPI_FIXED, 0xA0, false);
	CHECK(!irr(0xA0));
	vapic_accept(&A, VAPIC_IPI_NMI, 0, false);
	vapic_accept(&A, VAPIC_IPI_INIT, 0, false);
	vapic_accept(&A, VAPIC_IPI_SIPI, 0x10, false);
	CHECK(A.pending_nmi && A.pending_init && A.pending_sipi);
	/* A timer expiring meanwhile is masked out. */
	WR(0x83E, 0xB);
	WR(0x838, 10);
	vapic_timer_poll(&A, at(now_ns + 10));
	CHECK(!irr(0x40));
	/* Re-enabling leaves the masks; software clears them. */
	WR(0x80F, SVR_ON);
	CHECK_EQ(RD(0x832), LVT_MASK | 0x40);
	WR(0x832, 0x40);
	CHECK_EQ(RD(0x832), 0x40);
	vapic_accept(&A, VAPIC_IPI_FIXED, 0xA0, false);
	CHECK_EQ(vapic_pending(&A), 0xA0);
}

/* LVT timer vector TIMER_VEC, divide by 1, so TMICT counts ns. */
static void timer_setup(u32 lvt)
{
	setup();
	WR(0x83E, 0xB);
	WR(0x832, lvt);
}

static void test_timer_oneshot(void **state)
{
	(void)state;
	timer_setup(TIMER_VEC);
	now_ns = 5000;
	WR(0x838, 1000);
	CHECK_EQ(vapic_next_deadline(&A), 6000);
	vapic_timer_poll(&A, at(5999));
	CHECK(!irr(TIMER_VEC));
	CHECK_EQ(vapic_next_deadline(&A), 6000);
	vapic_timer_poll(&A, at(6000));
	CHECK(irr(TIMER_VEC));
	CHECK_EQ(vapic_pending(&A), TIMER_VEC);
	CHECK_EQ(vapic_next_deadline(&A), 0);
	vapic_ack(&A, TIMER_VEC, false);
	WR(0x80B, 0);
	vapic_timer_poll(&A, at(1000000));
	CHECK(!irr(TIMER_VEC));
	now_ns = 1000000;
	CHECK_EQ(RD(0x839), 0);
	CHECK_EQ(RD(0x838), 1000); /* TMICT keeps its value */
	/* Late poll: fires once; a new TMICT restarts; TMICT 0 stops. */
	WR(0x838, 50);
	vapic_timer_poll(&A, at(now_ns + 5000));
	CHECK(irr(TIMER_VEC));
	vapic_ack(&A, TIMER_VEC, true);
	WR(0x838, 50);
	WR(0x838, 0);
	CHECK_EQ(vapic_next_deadline(&A), 0);
	vapic_timer_poll(&A, at(now_ns + 5000));
	CHECK(!irr(TIMER_VEC));
	/* An MSR access after the deadline sees the expiry first. */
	WR(0x838, 100);
	now_ns += 100;
	WR(0x838, 100);
	CHECK(irr(TIMER_VEC));
	CHECK_EQ(vapic_next_deadline(&A), now_ns + 100);
}

static void test_timer_periodic(void **state)
{
	(void)state;
	timer_setup(PERIODIC | TIMER_VEC);
	WR(0x838, 100);
	CHECK_EQ(vapic_next_deadline(&A), 1100);
	vapic_timer_poll(&A, at(1099));
	CHECK(!irr(TIMER_VEC));
	vapic_timer_poll(&A, at(1100));
	CHECK(irr(TIMER_VEC));
	CHECK_EQ(vapic_next_deadline(&A), 1200);
	vapic_ack(&A, TIMER_VEC, true);
	/* Missed periods coalesce; the phase is kept. */
	vapic_timer_poll(&A, at(1350));
	CHECK(irr(TIMER_VEC));
	CHECK_EQ(vapic_next_deadline(&A), 1400);
	now_ns = 1350;
	CHECK_EQ(RD(0x839), 50);
	vapic_ack(&A, TIMER_VEC, true);
	vapic_timer_poll(&A, at(1400));
	CHECK(irr(TIMER_VEC));
	CHECK_EQ(vapic_next_deadline(&A), 1500);
	/* Periodic -> one-shot keeps the count; it then ends at zero. */
	vapic_ack(&A, TIMER_VEC, true);
	now_ns = 1400;
	WR(0x832, TIMER_VEC);
	CHECK_EQ(vapic_next_deadline(&A), 1500);
	vapic_timer_poll(&A, at(1500));
	CHECK(irr(TIMER_VEC));
	CHECK_EQ(vapic_next_deadline(&A), 0);
	/* One-shot -> periodic while counting: it reloads at zero. */
	vapic_ack(&A, TIMER_VEC, true);
	now_ns = 2000;
	WR(0x838, 300);
	now_ns = 2100;
	WR(0x832, PERIODIC | TIMER_VEC);
	CHECK_EQ(vapic_next_deadline(&A), 2300);
	vapic_timer_poll(&A, at(2300));
	CHECK_EQ(vapic_next_deadline(&A), 2600);
}

static void test_tmcct_countdown(void **state)
{
	(void)state;
	timer_setup(TIMER_VEC);
	WR(0x83E, 3);  /* divide by 16 */
	WR(0x838, 10); /* 160 ns from 1000 */
	CHECK_EQ(RD(0x839), 10);
	now_ns = 1001;
	CHECK_EQ(RD(0x839), 10);
	now_ns = 1016;
	CHECK_EQ(RD(0x839), 9);
	now_ns = 1017;
	CHECK_EQ(RD(0x839), 9);
	now_ns = 1080;
	CHECK_EQ(RD(0x839), 5);
	now_ns = 1159;
	CHECK_EQ(RD(0x839), 1);
	CHECK(!irr(TIMER_VEC));
	now_ns = 1160;
	CHECK_EQ(RD(0x839), 0);
	CHECK(irr(TIMER_VEC)); /* the read polled it */
	/* Full 32-bit count at divide by 128. */
	vapic_ack(&A, TIMER_VEC, true);
	WR(0x83E, 0xA);
	WR(0x838, 0xFFFFFFFF);
	CHECK_EQ(RD(0x839), 0xFFFFFFFF);
	CHECK_EQ(vapic_next_deadline(&A), now_ns + 0xFFFFFFFFULL * 128);
	now_ns += 128 * 1000;
	CHECK_EQ(RD(0x839), 0xFFFFFFFFULL - 1000);
	/* A clock that went backwards cannot push TMCCT above TMICT. */
	now_ns = 500;
	CHECK_EQ(RD(0x839), 0xFFFFFFFF);
}

static void test_tdcr_dividers(void **state)
{
	static const struct {
		u32 tdcr, div;
	} t[] = {{0x0, 2},  {0x1, 4},  {0x2, 8},   {0x3, 16},
		 {0x8, 32}, {0x9, 64}, {0xA, 128}, {0xB, 1}};
	size_t i;

	(void)state;
	timer_setup(TIMER_VEC);
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		WR(0x83E, t[i].tdcr);
		CHECK_EQ(RD(0x83E), t[i].tdcr);
		WR(0x838, 1000);
		CHECK_EQ(vapic_next_deadline(&A), now_ns + 1000ULL * t[i].div);
		now_ns += t[i].div;
		CHECK_EQ(RD(0x839), 999);
		WR(0x838, 0);
	}
	/* A divider change mid-count applies to the rest of it. */
	now_ns = 10000;
	WR(0x83E, 0); /* /2: 2000 ns */
	WR(0x838, 1000);
	now_ns = 11000; /* 500 ticks left */
	WR(0x83E, 1);	/* /4: 2000 ns more */
	CHECK_EQ(vapic_next_deadline(&A), 13000);
	CHECK_EQ(RD(0x839), 500);
	WR(0x83E, 0xB); /* /1: 500 ns more */
	CHECK_EQ(vapic_next_deadline(&A), 11500);
	CHECK_EQ(RD(0x839), 500);
	WR(0x83E, 0xB); /* same divider: no change */
	CHECK_EQ(vapic_next_deadline(&A), 11500);
}

static void test_tsc_deadline(void **state)
{
	struct vapic_ipi ipi;

	(void)state;
	timer_setup(TSC_DL | TIMER_VEC);
	CHECK_EQ(RD(0x832), TSC_DL | TIMER_VEC);
	CHECK_EQ(RD(0x6E0), 0);
	WR(0x6E0, now_ns * 3 + 3000); /* 1000 ns ahead */
	CHECK_EQ(RD(0x6E0), now_ns * 3 + 3000);
	CHECK_EQ(vapic_next_deadline(&A), 2000);
	vapic_timer_poll(&A, at(1999));
	CHECK(!irr(TIMER_VEC));
	vapic_timer_poll(&A, at(2000));
	CHECK(irr(TIMER_VEC));
	CHECK_EQ(RD(0x6E0), 0); /* firing clears the MSR */
	CHECK_EQ(vapic_next_deadline(&A), 0);
	vapic_ack(&A, TIMER_VEC, true);
	/* A deadline that is not a whole ns rounds up: never early. */
	WR(0x6E0, now_ns * 3 + 1);
	CHECK_EQ(vapic_next_deadline(&A), now_ns + 1);
	/* 0 disarms. */
	WR(0x6E0, 0);
	CHECK_EQ(vapic_next_deadline(&A), 0);
	vapic_timer_poll(&A, at(1000000));
	CHECK(!irr(TIMER_VEC));
	/* A deadline already passed fires at once. */
	now_ns = 5000;
	WR(0x6E0, 5);
	CHECK(irr(TIMER_VEC));
	CHECK_EQ(RD(0x6E0), 0);
	vapic_ack(&A, TIMER_VEC, true);
	/* TMICT is ignored and TMCCT reads 0 in this mode. */
	WR(0x838, 1000);
	CHECK_EQ(RD(0x838), 0);
	CHECK_EQ(RD(0x839), 0);
	CHECK_EQ(vapic_next_deadline(&A), 0);
	/* So is TDCR for the deadline. */
	WR(0x6E0, now_ns * 3 + 300);
	WR(0x83E, 0xA);
	CHECK_EQ(vapic_next_deadline(&A), now_ns + 100);
	/* Leaving the mode disarms, and the MSR then reads 0 and ignores
	 * writes. */
	WR(0x832, TIMER_VEC);
	CHECK_EQ(vapic_next_deadline(&A), 0);
	CHECK_EQ(RD(0x6E0), 0);
	WR(0x6E0, now_ns * 3 + 300);
	CHECK_EQ(vapic_next_deadline(&A), 0);
	CHECK_EQ(RD(0x6E0), 0);
	/* Entering it stops a running count and clears TMICT. */
	WR(0x838, 1000);
	WR(0x832, TSC_DL | TIMER_VEC);
	CHECK_EQ(vapic_next_deadline(&A), 0);
	CHECK_EQ(RD(0x838), 0);
	/* Without a TSC rate there is no TSC-deadline mode. */
	vapic_init(&A, ID, true, 0);
	GP_RD(0x6E0);
	GP_WR(0x6E0, 0);
	GP_WR(0x832, TSC_DL | TIMER_VEC);
	CHECK_EQ(vapic_msr_write(&A, 0x832, PERIODIC | TIMER_VEC, at(now_ns), &ipi), 0);
}

static void test_masked_timer(void **state)
{
	(void)state;
	timer_setup(LVT_MASK | TIMER_VEC);
	WR(0x838, 100);
	vapic_timer_poll(&A, at(1100));
	CHECK(!irr(TIMER_VEC));
	CHECK_EQ(vapic_next_deadline(&A), 0); /* it did expire */
	WR(0x832, LVT_MASK | PERIODIC | TIMER_VEC);
	now_ns = 2000;
	WR(0x838, 100);
	vapic_timer_poll(&A, at(2100));
	CHECK(!irr(TIMER_VEC));
	CHECK_EQ(vapic_next_deadline(&A), 2200); /* and re-armed */
	WR(0x832, PERIODIC | TIMER_VEC);
	vapic_timer_poll(&A, at(2200));
	CHECK(irr(TIMER_VEC));
	/* TSC-deadline too. */
	timer_setup(LVT_MASK | TSC_DL | TIMER_VEC);
	WR(0x6E0, now_ns * 3 + 30);
	vapic_timer_poll(&A, at(now_ns + 10));
	CHECK(!irr(TIMER_VEC));
	CHECK_EQ(vapic_next_deadline(&A), 0);
}

static void test_next_deadline(void **state)
{
	(void)state;
	timer_setup(TIMER_VEC);
	CHECK_EQ(vapic_next_deadline(&A), 0);
	WR(0x838, 7);
	CHECK_EQ(vapic_next_deadline(&A), 1007);
	WR(0x838, 0);
	CHECK_EQ(vapic_next_deadline(&A), 0);
	/* Saturates rather than wraps at the end of time. */
	now_ns = ~0ULL - 10;
	WR(0x83E, 0xA);
	WR(0x838, 0xFFFFFFFF);
	CHECK_EQ(vapic_next_deadline(&A), ~0ULL);
	CHECK_EQ(RD(0x839), 1);
	/* The first poll at time 0 cannot produce "no deadline". */
	timer_setup(TSC_DL | TIMER_VEC);
	CHECK_EQ(vapic_msr_write(&A, 0x6E0, 50, (struct vapic_time){.ns = 0, .tsc = 100}, NULL), 0);
	CHECK(!irr(TIMER_VEC));
	CHECK_EQ(vapic_next_deadline(&A), 1);
	vapic_timer_poll(&A, at(1));
	CHECK(irr(TIMER_VEC));
}

/* TSC -> ns over the whole u64 range: exact (rounded up) or saturated. */
static void test_tsc_conversion(void **state)
{
	static const u64 deltas[] = {
	    1,		2,	    2999,	3000,	    3001,
	    1ULL << 32, 1ULL << 48, 1ULL << 62, 1ULL << 63, (1ULL << 63) + 12345,
	    ~0ULL - 1};
	static const u32 khz[] = {1, 999, 3000000, 4294967295U};
	size_t i, k;

	(void)state;
	for (k = 0; k < ARRAY_SIZE(khz); k++) {
		for (i = 0; i < ARRAY_SIZE(deltas); i++) {
			unsigned __int128 want;
			u64 got;

			vapic_init(&A, ID, true, khz[k]);
			WR(0x80F, SVR_ON);
			WR(0x832, TSC_DL | TIMER_VEC);
			/* TSC 0 at ns 1, so the deadline is 1 + ns(delta). */
			CHECK_EQ(vapic_msr_write(&A, 0x6E0, deltas[i],
						 (struct vapic_time){.ns = 1, .tsc = 0}, NULL),
				 0);
			got = vapic_next_deadline(&A);
			want = ((unsigned __int128)deltas[i] * 1000000 + khz[k] - 1) / khz[k] + 1;
			if (want > ~0ULL)
				want = ~0ULL;
			/* Within 2 ms of the end of time, saturation may begin early. */
			if (want >= ~0ULL - 2000000)
				CHECK(got == want || got == ~0ULL);
			else
				CHECK_EQ(got, (u64)want);
		}
	}
}

static void test_apic_base(void **state)
{
	u64 base = 0xFEE00000 | VAPIC_BASE_EN | VAPIC_BASE_EXTD | VAPIC_BASE_BSP;

	(void)state;
	timer_setup(TIMER_VEC);
	WR(0x838, 1000);
	vapic_accept(&A, VAPIC_IPI_FIXED, 0x55, false);
	WR(0x1B, base); /* no change */
	CHECK_EQ(RD(0x1B), base);
	WR(0x1B, base & ~VAPIC_BASE_BSP); /* BSP is read-only */
	CHECK_EQ(RD(0x1B), base);
	GP_WR(0x1B, base & ~VAPIC_BASE_EXTD); /* x2APIC -> xAPIC */
	GP_WR(0x1B, base & ~VAPIC_BASE_EN);   /* EXTD without EN */
	CHECK(irr(0x55));
	/* Disabling resets everything but the ID. */
	WR(0x1B, 0xFEE00000);
	CHECK_EQ(RD(0x1B), 0xFEE00000 | VAPIC_BASE_BSP);
	CHECK(!irr(0x55));
	CHECK_EQ(A.svr, 0xFF);
	CHECK_EQ(A.lvt[VAPIC_LVT_TIMER], LVT_MASK);
	CHECK_EQ(vapic_next_deadline(&A), 0);
	CHECK_EQ(A.id, ID);
	GP_RD(0x802);
	GP_WR(0x808, 0);
	vapic_accept(&A, VAPIC_IPI_NMI, 0, false);
	vapic_accept(&A, VAPIC_IPI_FIXED, 0x55, false);
	CHECK(!A.pending_nmi && !irr(0x55));
	CHECK_EQ(vapic_pending(&A), -1);
	/* Disabled -> x2APIC is illegal, xAPIC is not emulated. */
	GP_WR(0x1B, base);
	GP_WR(0x1B, 0xFEE00000 | VAPIC_BASE_EN);
	WR(0x1B, 0xFED00000); /* still disabled */
	CHECK_EQ(RD(0x1B), 0xFED00000 | VAPIC_BASE_BSP);
	/* TSC_DEADLINE lives on, ignoring writes outside its mode. */
	CHECK_EQ(RD(0x6E0), 0);
	WR(0x6E0, 123);
	CHECK_EQ(vapic_next_deadline(&A), 0);
}

static void test_init_sipi(void **state)
{
	(void)state;
	setup();
	vapic_accept(&A, VAPIC_IPI_SIPI, 0x20, false); /* stale */
	vapic_accept(&A, VAPIC_IPI_INIT, 0, false);
	CHECK(A.pending_init && !A.pending_sipi);
	vapic_accept(&A, VAPIC_IPI_SIPI, 0x9A, false);
	CHECK(A.pending_sipi && A.sipi_vector == 0x9A);
	vapic_accept(&A, VAPIC_IPI_NMI, 0, false);
	CHECK(A.pending_nmi);
	/* INIT keeps the ID, IA32_APIC_BASE and the later SIPI. */
	WR(0x808, 0x30);
	WR(0x1B, 0xFEB00000 | VAPIC_BASE_EN | VAPIC_BASE_EXTD);
	vapic_accept(&A, VAPIC_IPI_FIXED, 0x99, false);
	vapic_reset(&A);
	CHECK(!A.pending_init && !A.pending_nmi);
	CHECK(A.pending_sipi && A.sipi_vector == 0x9A);
	CHECK_EQ(RD(0x1B), 0xFEB00000 | VAPIC_BASE_EN | VAPIC_BASE_EXTD | VAPIC_BASE_BSP);
	CHECK_EQ(RD(0x802), ID);
	CHECK_EQ(RD(0x808), 0);
	CHECK_EQ(RD(0x80F), 0xFF);
	CHECK(!irr(0x99));
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_init_state),	     cmocka_unit_test(test_read_only_gp),
	    cmocka_unit_test(test_write_only_gp),    cmocka_unit_test(test_undefined_gp),
	    cmocka_unit_test(test_reserved_bits),    cmocka_unit_test(test_tpr_masking),
	    cmocka_unit_test(test_ppr_with_isr),     cmocka_unit_test(test_nested_priorities),
	    cmocka_unit_test(test_eoi_highest_only), cmocka_unit_test(test_auto_eoi_ack),
	    cmocka_unit_test(test_illegal_vectors),  cmocka_unit_test(test_icr_decode),
	    cmocka_unit_test(test_ipi_match),	     cmocka_unit_test(test_self_ipi),
	    cmocka_unit_test(test_hv_msrs),	     cmocka_unit_test(test_svr_disable),
	    cmocka_unit_test(test_timer_oneshot),    cmocka_unit_test(test_timer_periodic),
	    cmocka_unit_test(test_tmcct_countdown),  cmocka_unit_test(test_tdcr_dividers),
	    cmocka_unit_test(test_tsc_deadline),     cmocka_unit_test(test_masked_timer),
	    cmocka_unit_test(test_next_deadline),    cmocka_unit_test(test_tsc_conversion),
	    cmocka_unit_test(test_apic_base),	     cmocka_unit_test(test_init_sipi),
	};
	return unit_run("vapic", tests, ARRAY_SIZE(tests), reason);
}
