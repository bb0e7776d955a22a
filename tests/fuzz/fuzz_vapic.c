/* libFuzzer target for the virtual x2APIC. The input is a program for two
 * APICs: MSR reads and writes (IPIs routed between them), interrupts
 * accepted and acknowledged, INIT, CR8 syncs and polls at increasing times.
 * After each step it checks the invariants the caller relies on: a pending
 * vector is legal, requested and above the PPR (recomputed here), vectors
 * 0-15 are never requested or in service, an armed timer lies in the
 * future, reads and refused accesses change nothing, and a software-disabled
 * APIC keeps its LVTs masked. */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "hv/msr.h"
#include "vapic.h"

struct input {
	const uint8_t *p;
	size_t left;
};

static u64 take(struct input *in, size_t n)
{
	u64 v = 0;

	while (n-- && in->left) {
		v = v << 8 | *in->p++;
		in->left--;
	}
	return v;
}

/* MSRs worth hitting often, plus whatever else 0x800-0x8FF holds. */
static const u32 msrs[] = {
    0x1B,  0x6E0, 0x802, 0x803, 0x808, 0x80A, 0x80B, 0x80D, 0x80F, 0x810, 0x817, 0x818, 0x820,
    0x827, 0x828, 0x82F, 0x830, 0x831, 0x832, 0x833, 0x835, 0x837, 0x838, 0x839, 0x83E, 0x83F,
};

static u32 pick_msr(struct input *in)
{
	u8 b = take(in, 1);

	if (b < ARRAY_SIZE(msrs))
		return msrs[b];
	if (b < 64)
		return HV_X64_MSR_EOI + b % 3; /* EOI, ICR, TPR */
	return 0x800 + take(in, 1);
}

/* Values: small ones, the usual LVT/ICR shapes, or raw 64 bits. */
static u64 pick_value(struct input *in)
{
	switch (take(in, 1) & 7) {
	case 0:
		return 0;
	case 1:
		return take(in, 1);
	case 2:
		return take(in, 2);
	case 3:
		return take(in, 4);
	case 4: /* LVT: vector, mask, timer mode */
		return take(in, 1) | (take(in, 1) & 7) << 16;
	case 5: /* ICR: low with a dest */
		return (take(in, 4) & 0xCFFFF) | take(in, 1) << 32;
	case 6:
		return 0xFEE00000 | (take(in, 1) & 0xC) << 8;
	default:
		return take(in, 8);
	}
}

static int highest(const u32 *map)
{
	int i;

	for (i = 7; i >= 0; i--) {
		if (map[i])
			return i * 32 + 31 - __builtin_clz(map[i]);
	}
	return -1;
}

static bool test_bit(const u32 *map, int v)
{
	return map[v / 32] & (1U << (v % 32));
}

/* SDM 11.8.3.1, written independently of vapic.c. */
static u32 ref_ppr(const struct vapic *a)
{
	int isrv = highest(a->isr);

	if (isrv >= 0 && (u32)(isrv >> 4) > (a->tpr >> 4))
		return isrv & 0xF0;
	return a->tpr;
}

static void check(const struct vapic *a, struct vapic_time now)
{
	int p = vapic_pending(a), top = highest(a->irr);
	u64 d = vapic_next_deadline(a);
	u64 base = a->apic_base & (VAPIC_BASE_EN | VAPIC_BASE_EXTD);
	int i;

	assert((a->irr[0] & 0xFFFF) == 0 && (a->isr[0] & 0xFFFF) == 0);
	assert((a->tmr[0] & 0xFFFF) == 0);
	if (p >= 0) {
		assert(p >= 16 && p <= 255 && p == top);
		assert(test_bit(a->irr, p));
		assert((u32)(p >> 4) > (ref_ppr(a) >> 4));
	} else {
		assert(top < 0 || (u32)(top >> 4) <= (ref_ppr(a) >> 4));
	}
	/* Polled at now already, so an armed timer expires later. */
	assert(d == 0 || d > now.ns);
	/* TSC-deadline mode: armed exactly while the MSR holds a deadline,
	 * and TMICT stays 0. Otherwise a running count has a TMICT. */
	switch ((a->lvt[VAPIC_LVT_TIMER] >> 17) & 3) {
	case 2:
		assert(!a->tsc_deadline == !d && !a->tmict);
		break;
	case 3:
		assert(0);
		break;
	default:
		assert(!a->tsc_deadline && (!d || a->tmict));
		break;
	}
	if (!(a->svr & BIT(8))) {
		for (i = 0; i < VAPIC_LVT_NR; i++)
			assert(a->lvt[i] & BIT(16));
	}
	assert((a->esr | a->esr_pending) == ((a->esr | a->esr_pending) & 0x60));
	assert(base == 0 || base == (VAPIC_BASE_EN | VAPIC_BASE_EXTD));
	if (!base)
		assert(highest(a->irr) < 0 && highest(a->isr) < 0 && !d);
	assert(a->level_eoi == -1 || (a->level_eoi >= 16 && a->level_eoi <= 255));
}

static void route(struct vapic *apics, const struct vapic_ipi *ipi, u32 src)
{
	int i;

	assert(ipi->src == src);
	assert(ipi->mode != VAPIC_IPI_FIXED || ipi->vector >= 16);
	assert(ipi->mode == VAPIC_IPI_FIXED || !ipi->level);
	for (i = 0; i < 2; i++) {
		if (vapic_ipi_match(&apics[i], ipi))
			vapic_accept(&apics[i], ipi->mode, ipi->vector, ipi->level);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const u32 khz[] = {0, 1, 999, 3000000, 0xFFFFFFFF};
	struct input in = {data, size};
	struct vapic apics[2], before;
	struct vapic_time now;
	u8 cfg = take(&in, 1);
	int i;

	vapic_init(&apics[0], 0, true, khz[cfg % ARRAY_SIZE(khz)]);
	vapic_init(&apics[1], cfg & 0x80 ? 0x12345 : 1, false, khz[cfg % ARRAY_SIZE(khz)]);
	now.ns = take(&in, 2);
	now.tsc = take(&in, 4);

	while (in.left) {
		u8 op = take(&in, 1);
		struct vapic *a = &apics[op >> 7];
		struct vapic_ipi ipi;
		u64 val;
		u32 msr;
		int ret;

		/* The step's own poll happens first, so everything after it
		 * must be deterministic and (if refused) leave no trace. */
		vapic_timer_poll(a, now);
		before = *a;
		switch (op & 7) {
		case 0:
			msr = pick_msr(&in);
			ret = vapic_msr_read(a, msr, &val, now);
			assert(ret == 0 || ret == -1);
			assert(!memcmp(&before, a, sizeof(*a)));
			if (!ret && msr == 0x839)
				assert(val <= a->tmict);
			if (!ret && (msr == 0x80A))
				assert(val == ref_ppr(a));
			break;
		case 1:
			msr = pick_msr(&in);
			val = pick_value(&in);
			ret = vapic_msr_write(a, msr, val, now, &ipi);
			assert(ret >= -1 && ret <= 1);
			if (ret == -1)
				assert(!memcmp(&before, a, sizeof(*a)));
			if (ret == 1)
				route(apics, &ipi, a->id);
			break;
		case 2:
			val = take(&in, 2);
			vapic_accept(a, val & 3, val >> 8, val & 4);
			break;
		case 3:
			/* Deliver what is pending (or anything) and maybe EOI. */
			val = take(&in, 1);
			ret = vapic_pending(a);
			vapic_ack(a, ret >= 0 && (val & 1) ? ret : take(&in, 1), val & 2);
			if (val & 4)
				assert(vapic_msr_write(a, HV_X64_MSR_EOI, 0, now, &ipi) == 0 ||
				       !(a->apic_base & VAPIC_BASE_EN));
			break;
		case 4:
		case 5:
			/* Time moves on for both; sometimes to the deadline. */
			val = vapic_next_deadline(a);
			if ((op & 7) == 5 && val && val < (1ULL << 62))
				now.ns = val + (take(&in, 1) & 1);
			else
				now.ns += take(&in, 1 + (op >> 4 & 3));
			now.tsc += take(&in, 1 + (op >> 4 & 3));
			for (i = 0; i < 2; i++)
				vapic_timer_poll(&apics[i], now);
			break;
		case 6:
			vapic_reset(a);
			break;
		default:
			/* MOV to CR8 synced by the caller. */
			a->tpr = (take(&in, 1) & 0xF) << 4;
			break;
		}
		/* Keep clear of the end of time, where deadlines saturate. */
		if (now.ns >= (1ULL << 62))
			break;
		for (i = 0; i < 2; i++) {
			vapic_timer_poll(&apics[i], now);
			check(&apics[i], now);
		}
	}
	return 0;
}
