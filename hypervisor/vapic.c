/*
 * Virtual x2APIC: registers, interrupt priorities and the LVT timer (see
 * vapic.h). SDM sections are those of vol. 3A ch. 11; "x2APIC" rules are
 * SDM 11.12.
 */
#include "vapic.h"
#include "hv/msr.h"
#include "types.h"

#define NSEC_PER_SEC  1000000000ULL
#define NSEC_PER_MSEC 1000000ULL
#define U64_MAX	      (~0ULL)

/* Timer ticks are a whole number of ns, so timer arithmetic stays exact. */
#define NS_PER_TICK (NSEC_PER_SEC / VAPIC_BUS_HZ)
_Static_assert(NSEC_PER_SEC % VAPIC_BUS_HZ == 0, "VAPIC_BUS_HZ must divide 1 GHz");

/* x2APIC MSR = 0x800 + xAPIC MMIO offset / 16 (SDM Table 11-6). */
#define X2APIC_FIRST	0x800
#define X2APIC_LAST	0x8FF
#define X2APIC_ID	0x802
#define X2APIC_VERSION	0x803
#define X2APIC_TPR	0x808
#define X2APIC_PPR	0x80A
#define X2APIC_EOI	0x80B
#define X2APIC_LDR	0x80D
#define X2APIC_SVR	0x80F
#define X2APIC_ISR0	0x810
#define X2APIC_TMR0	0x818
#define X2APIC_IRR0	0x820
#define X2APIC_ESR	0x828
#define X2APIC_ICR	0x830
#define X2APIC_LVT0	0x832 /* LVT timer; the other LVTs follow in enum vapic_lvt order */
#define X2APIC_TMICT	0x838
#define X2APIC_TMCCT	0x839
#define X2APIC_TDCR	0x83E
#define X2APIC_SELF_IPI 0x83F

/*
 * VERSION (SDM 11.4.8): 0x14 = integrated APIC; max LVT entry 5, i.e. timer
 * to error and no LVT CMCI (so 0x82F is undefined and #GPs); bit 24 clear,
 * so no EOI-broadcast suppression. This is what KVM reports.
 */
#define APIC_VERSION 0x50014

/* IA32_APIC_BASE bits 7:0 and 9 are reserved, and bits 63:52 are beyond
 * the architectural MAXPHYADDR (SDM 11.4.4). */
#define APIC_BASE_RESERVED (0xFFF0000000000000ULL | 0x2FFULL)
#define APIC_BASE_X2APIC   (VAPIC_BASE_EN | VAPIC_BASE_EXTD)

#define SVR_VECTOR 0xFFU
#define SVR_ENABLE BIT(8)
#define SVR_FOCUS  BIT(9)

/* LVT fields (SDM Figure 11-8). */
#define LVT_VECTOR	0xFFU
#define LVT_DELIVERY	(7U << 8)
#define LVT_STATUS	BIT(12)
#define LVT_POLARITY	BIT(13)
#define LVT_REMOTE_IRR	BIT(14)
#define LVT_TRIGGER	BIT(15)
#define LVT_MASK	BIT(16)
#define LVT_TIMER_SHIFT 17
#define LVT_TIMER_MODE	(3U << LVT_TIMER_SHIFT)

enum timer_mode { TIMER_ONESHOT, TIMER_PERIODIC, TIMER_TSC_DEADLINE, TIMER_RESERVED };

/* ICR in x2APIC mode (SDM 11.12.9, Figure 11-28): no delivery-status bit;
 * bits 13:12, 17:16 and 31:20 are reserved. */
#define ICR_VECTOR	    0xFFU
#define ICR_LOGICAL	    BIT(11)
#define ICR_LEVEL	    BIT(14)
#define ICR_TRIGGER	    BIT(15)
#define ICR_SHORTHAND_SHIFT 18
#define ICR_RESERVED	    0xFFF33000ULL

/* TDCR divide value in bits 3 and 1:0 (SDM Figure 11-10). */
#define TDCR_VALID 0xBULL

#define SELF_IPI_VECTOR 0xFFULL

/* Bits software may set in each LVT. */
static const u32 lvt_writable[VAPIC_LVT_NR] = {
    [VAPIC_LVT_TIMER] = LVT_VECTOR | LVT_MASK | LVT_TIMER_MODE,
    [VAPIC_LVT_THERMAL] = LVT_VECTOR | LVT_DELIVERY | LVT_MASK,
    [VAPIC_LVT_PMC] = LVT_VECTOR | LVT_DELIVERY | LVT_MASK,
    [VAPIC_LVT_LINT0] = LVT_VECTOR | LVT_DELIVERY | LVT_POLARITY | LVT_TRIGGER | LVT_MASK,
    [VAPIC_LVT_LINT1] = LVT_VECTOR | LVT_DELIVERY | LVT_POLARITY | LVT_TRIGGER | LVT_MASK,
    [VAPIC_LVT_ERROR] = LVT_VECTOR | LVT_MASK,
};

/*
 * Read-only status bits: not reserved, so writing them is no #GP, but the
 * write is ignored. Linux's disconnect_bsp_APIC() writes them on LINT0/1.
 */
static const u32 lvt_readonly[VAPIC_LVT_NR] = {
    [VAPIC_LVT_TIMER] = LVT_STATUS,
    [VAPIC_LVT_THERMAL] = LVT_STATUS,
    [VAPIC_LVT_PMC] = LVT_STATUS,
    [VAPIC_LVT_LINT0] = LVT_STATUS | LVT_REMOTE_IRR,
    [VAPIC_LVT_LINT1] = LVT_STATUS | LVT_REMOTE_IRR,
    [VAPIC_LVT_ERROR] = LVT_STATUS,
};

static void accept_fixed(struct vapic *a, u8 vector, bool level);

/* IRR, ISR and TMR are 256-bit maps, vector v at bit v % 32 of word v / 32. */
static bool vec_test(const u32 *map, u8 v)
{
	return map[v >> 5] & (1U << (v & 31));
}

static void vec_set(u32 *map, u8 v)
{
	map[v >> 5] |= 1U << (v & 31);
}

static void vec_clear(u32 *map, u8 v)
{
	map[v >> 5] &= ~(1U << (v & 31));
}

static int vec_highest(const u32 *map)
{
	int i;

	for (i = 7; i >= 0; i--) {
		if (map[i])
			return i * 32 + 31 - __builtin_clz(map[i]);
	}
	return -1;
}

static bool x2apic_on(const struct vapic *a)
{
	return (a->apic_base & APIC_BASE_X2APIC) == APIC_BASE_X2APIC;
}

/* SDM 11.12.10.2: logical x2APIC ID = cluster (ID[19:4]; the shift drops
 * the rest) in 31:16, and one bit of 15:0 chosen by ID[3:0]. */
static u32 ldr(u32 id)
{
	return (id >> 4) << 16 | 1U << (id & 0xF);
}

/* SDM 11.8.3.1: PPR is the TPR if its class is at least that of the highest
 * in-service vector, else that vector's class with sub-class 0. */
static u32 ppr(const struct vapic *a)
{
	int isrv = vec_highest(a->isr);

	if (isrv < 0 || (a->tpr & 0xF0) >= ((u32)isrv & 0xF0))
		return a->tpr;
	return (u32)isrv & 0xF0;
}

static enum timer_mode timer_mode(const struct vapic *a)
{
	return (a->lvt[VAPIC_LVT_TIMER] & LVT_TIMER_MODE) >> LVT_TIMER_SHIFT;
}

/* SDM Figure 11-10: divide value n = TDCR[3,1:0] divides by 2^(n+1), and
 * n = 7 by 1. */
static u32 divider(u32 tdcr)
{
	u32 n = ((tdcr >> 1) & 4) | (tdcr & 3);

	return n == 7 ? 1 : 2U << n;
}

/* ns for count timer ticks; count < 2^32 and divider <= 128, so < 2^39. */
static u64 count_ns(u32 count, u32 tdcr)
{
	return (u64)count * divider(tdcr) * NS_PER_TICK;
}

/* now + delta, saturating; 0 means "not running", so a deadline of 0 (now
 * is 0 and the timer is already due) becomes 1. */
static u64 deadline_after(u64 now, u64 delta)
{
	u64 t = now + delta;

	if (t < now)
		return U64_MAX;
	return t ? t : 1;
}

/*
 * Guest TSC ticks to ns, rounded up so a TSC deadline never fires before the
 * guest's TSC reaches it. delta * 10^6 / khz could overflow, so it is split
 * at a multiple of khz: the remainder is < khz < 2^32, so remainder * 10^6
 * fits, and the quotient part saturates.
 */
static u64 tsc_delta_ns(u64 delta, u32 khz)
{
	u64 q = delta / khz, r = delta % khz;

	if (q >= U64_MAX / NSEC_PER_MSEC)
		return U64_MAX;
	return q * NSEC_PER_MSEC + (r * NSEC_PER_MSEC + khz - 1) / khz;
}

/* Power-on values (SDM 11.4.7.1): all LVTs masked, SVR 0xFF (software
 * disabled), everything else 0. */
static void reset_regs(struct vapic *a)
{
	int i;

	a->tpr = 0;
	a->svr = SVR_VECTOR;
	a->esr = 0;
	a->esr_pending = 0;
	for (i = 0; i < VAPIC_LVT_NR; i++)
		a->lvt[i] = LVT_MASK;
	a->tmict = 0;
	a->tdcr = 0;
	a->icr = 0;
	a->timer_ns = 0;
	a->tsc_deadline = 0;
	for (i = 0; i < 8; i++) {
		a->irr[i] = 0;
		a->isr[i] = 0;
		a->tmr[i] = 0;
	}
	a->level_eoi = -1;
	a->pending_nmi = false;
	a->pending_init = false;
}

void vapic_init(struct vapic *a, u32 apic_id, bool bsp, u32 tsc_khz)
{
	a->id = apic_id;
	a->tsc_khz = tsc_khz;
	/* GUEST-ENLIGHTENMENTS §7: EXTD set from reset, so Linux takes
	 * "x2apic: enabled by BIOS" and never touches the MMIO page. */
	a->apic_base = VAPIC_BASE_DEFAULT | APIC_BASE_X2APIC | (bsp ? VAPIC_BASE_BSP : 0);
	reset_regs(a);
	a->pending_sipi = false;
	a->sipi_vector = 0;
}

void vapic_reset(struct vapic *a)
{
	reset_regs(a);
}

/*
 * SDM 11.5.3: errors collect in the ESR until the next ESR write, and an
 * error raises the LVT error interrupt. Only newly set bits raise it, which
 * also ends the recursion if the error vector is itself illegal.
 */
static void esr_log(struct vapic *a, u32 bits)
{
	u32 new = bits & ~a->esr_pending;

	a->esr_pending |= bits;
	if (!new || (a->lvt[VAPIC_LVT_ERROR] & LVT_MASK))
		return;
	accept_fixed(a, a->lvt[VAPIC_LVT_ERROR] & LVT_VECTOR, false);
}

static void accept_fixed(struct vapic *a, u8 vector, bool level)
{
	/* SDM 11.4.7.2 names only INIT, NMI, SMI and start-up as still
	 * handled while software-disabled; fixed interrupts are dropped (as
	 * KVM does). LVTs are masked then, so this is about IPIs. */
	if (!(a->svr & SVR_ENABLE))
		return;
	/* SDM 11.5.2: vectors 0-15 are illegal; logged, not delivered. */
	if (vector < 16) {
		esr_log(a, VAPIC_ESR_RECV_ILLEGAL);
		return;
	}
	vec_set(a->irr, vector);
	/* SDM 11.8.4: TMR records the trigger mode of each accepted vector. */
	if (level)
		vec_set(a->tmr, vector);
	else
		vec_clear(a->tmr, vector);
}

void vapic_accept(struct vapic *a, enum vapic_ipi_mode mode, u8 vector, bool level)
{
	/* SDM 11.4.3: a hardware-disabled APIC receives nothing. */
	if (!x2apic_on(a))
		return;
	switch (mode) {
	case VAPIC_IPI_FIXED:
		accept_fixed(a, vector, level);
		return;
	case VAPIC_IPI_NMI:
		a->pending_nmi = true;
		return;
	case VAPIC_IPI_INIT:
		/* A SIPI counts only after the INIT that precedes it
		 * (SDM 8.4.4.1 INIT-SIPI-SIPI). */
		a->pending_init = true;
		a->pending_sipi = false;
		return;
	case VAPIC_IPI_SIPI:
		a->pending_sipi = true;
		a->sipi_vector = vector;
		return;
	}
}

bool vapic_ipi_match(const struct vapic *a, const struct vapic_ipi *ipi)
{
	u32 l;

	if (!x2apic_on(a))
		return false;
	switch (ipi->shorthand) {
	case VAPIC_DEST_SELF:
		return a->id == ipi->src;
	case VAPIC_DEST_ALL:
		return true;
	case VAPIC_DEST_OTHERS:
		return a->id != ipi->src;
	case VAPIC_DEST_FIELD:
		break;
	}
	/* SDM 11.12.9: 0xFFFFFFFF is the broadcast in both modes. */
	if (ipi->dest == 0xFFFFFFFF)
		return true;
	if (!ipi->logical)
		return ipi->dest == a->id;
	/* SDM 11.12.10.2: same cluster, and a common bit in 15:0. */
	l = ldr(a->id);
	return (ipi->dest >> 16) == (l >> 16) && (ipi->dest & l & 0xFFFF);
}

int vapic_pending(const struct vapic *a)
{
	int v = vec_highest(a->irr);

	/* SDM 11.8.3.1: delivered only if its class is above PPR[7:4]. */
	if (v < 0 || ((u32)v & 0xF0) <= (ppr(a) & 0xF0))
		return -1;
	return v;
}

void vapic_ack(struct vapic *a, u8 vector, bool auto_eoi)
{
	if (!vec_test(a->irr, vector))
		return;
	vec_clear(a->irr, vector);
	if (!auto_eoi)
		vec_set(a->isr, vector);
}

/* SDM 11.8.5: EOI retires the highest in-service vector. A level-triggered
 * one (TMR set) would be broadcast to I/O APICs; noted for the caller. */
static void eoi(struct vapic *a)
{
	int v = vec_highest(a->isr);

	if (v < 0)
		return;
	vec_clear(a->isr, v);
	if (vec_test(a->tmr, v))
		a->level_eoi = v;
}

void vapic_timer_poll(struct vapic *a, struct vapic_time now)
{
	u64 period;

	if (!a->timer_ns || now.ns < a->timer_ns)
		return;
	/* SDM 11.5.4: the timer expires whether or not the LVT is masked;
	 * the mask only holds back the interrupt. */
	if (!(a->lvt[VAPIC_LVT_TIMER] & LVT_MASK))
		accept_fixed(a, a->lvt[VAPIC_LVT_TIMER] & LVT_VECTOR, false);
	switch (timer_mode(a)) {
	case TIMER_PERIODIC:
		/* Reload from TMICT; periods missed while the VP was not
		 * polled coalesce into this one interrupt. A running
		 * periodic timer has TMICT != 0. */
		period = count_ns(a->tmict, a->tdcr);
		a->timer_ns = deadline_after(now.ns, period - (now.ns - a->timer_ns) % period);
		return;
	case TIMER_TSC_DEADLINE:
		/* SDM 11.5.4.1: firing clears IA32_TSC_DEADLINE. */
		a->tsc_deadline = 0;
		break;
	case TIMER_ONESHOT:
	case TIMER_RESERVED:
		break;
	}
	a->timer_ns = 0;
}

u64 vapic_next_deadline(const struct vapic *a)
{
	return a->timer_ns;
}

/*
 * SDM 11.5.4: TMCCT counts down from TMICT by one per divided tick; it is 0
 * once a one-shot count ran out and always 0 in TSC-deadline mode. Runs
 * after a poll, so a running timer expires after now; the clamp only
 * matters if the caller's clock went backwards.
 */
static u32 tmcct(const struct vapic *a, struct vapic_time now)
{
	u64 tick, left;

	if (!a->timer_ns || timer_mode(a) == TIMER_TSC_DEADLINE)
		return 0;
	tick = count_ns(1, a->tdcr);
	left = MIN(a->timer_ns - now.ns, count_ns(a->tmict, a->tdcr));
	return (left + tick - 1) / tick;
}

static int x2apic_read(struct vapic *a, u32 msr, u64 *val, struct vapic_time now)
{
	switch (msr) {
	case X2APIC_ID:
		*val = a->id;
		break;
	case X2APIC_VERSION:
		*val = APIC_VERSION;
		break;
	case X2APIC_TPR:
		*val = a->tpr;
		break;
	case X2APIC_PPR:
		*val = ppr(a);
		break;
	case X2APIC_LDR:
		*val = ldr(a->id);
		break;
	case X2APIC_SVR:
		*val = a->svr;
		break;
	case X2APIC_ISR0 ... X2APIC_ISR0 + 7:
		*val = a->isr[msr - X2APIC_ISR0];
		break;
	case X2APIC_TMR0 ... X2APIC_TMR0 + 7:
		*val = a->tmr[msr - X2APIC_TMR0];
		break;
	case X2APIC_IRR0 ... X2APIC_IRR0 + 7:
		*val = a->irr[msr - X2APIC_IRR0];
		break;
	case X2APIC_ESR:
		*val = a->esr;
		break;
	case X2APIC_ICR:
		*val = a->icr;
		break;
	case X2APIC_LVT0 ... X2APIC_LVT0 + VAPIC_LVT_NR - 1:
		*val = a->lvt[msr - X2APIC_LVT0];
		break;
	case X2APIC_TMICT:
		*val = a->tmict;
		break;
	case X2APIC_TMCCT:
		*val = tmcct(a, now);
		break;
	case X2APIC_TDCR:
		*val = a->tdcr;
		break;
	default:
		/* SDM 11.12.1.2: EOI and SELF_IPI are write-only, and
		 * registers not in Table 11-6 #GP. */
		return -1;
	}
	return 0;
}

int vapic_msr_read(struct vapic *a, u32 msr, u64 *val, struct vapic_time now)
{
	vapic_timer_poll(a, now);
	switch (msr) {
	case VAPIC_MSR_APIC_BASE:
		*val = a->apic_base;
		return 0;
	case VAPIC_MSR_TSC_DEADLINE:
		/* No MSR without CPUID.1:ECX[24]; reads 0 outside
		 * TSC-deadline mode (SDM 11.5.4.1). */
		if (!a->tsc_khz)
			return -1;
		*val = timer_mode(a) == TIMER_TSC_DEADLINE ? a->tsc_deadline : 0;
		return 0;
	case HV_X64_MSR_EOI:
		/* TLFS "Local APIC MSR Accesses": write-only, reads #GP. */
		return -1;
	case HV_X64_MSR_ICR:
		msr = X2APIC_ICR;
		break;
	case HV_X64_MSR_TPR:
		msr = X2APIC_TPR;
		break;
	}
	/* SDM 11.12.1.2: x2APIC MSRs #GP unless in x2APIC mode. */
	if (!x2apic_on(a))
		return -1;
	return x2apic_read(a, msr, val, now);
}

/*
 * IA32_APIC_BASE (SDM 11.4.4, 11.12.5). Of the mode transitions only
 * x2APIC -> disabled is offered: x2APIC -> xAPIC and disabled -> x2APIC
 * are illegal (SDM Figure 11-27), EN=0 with EXTD=1 is invalid, and xAPIC
 * mode is not emulated (no MMIO), so a disabled APIC stays so until
 * vapic_init(). Disabling resets the registers so nothing stale (IRR, a
 * running timer) outlives it. BSP is read-only; the base is kept but means
 * nothing without MMIO.
 */
static int apic_base_write(struct vapic *a, u64 val)
{
	u64 mode = val & APIC_BASE_X2APIC;

	if (val & APIC_BASE_RESERVED)
		return -1;
	if (mode == APIC_BASE_X2APIC) {
		if (!x2apic_on(a))
			return -1;
	} else if (mode) {
		return -1;
	} else if (x2apic_on(a)) {
		reset_regs(a);
		a->pending_sipi = false;
	}
	a->apic_base = (val & ~VAPIC_BASE_BSP) | (a->apic_base & VAPIC_BASE_BSP);
	return 0;
}

/* SDM 11.5.4.1: IA32_TSC_DEADLINE arms the timer in TSC-deadline mode only
 * (elsewhere writes are ignored); 0 disarms, and a deadline already
 * passed fires at once. */
static int tsc_deadline_write(struct vapic *a, u64 val, struct vapic_time now)
{
	if (!a->tsc_khz)
		return -1;
	if (timer_mode(a) != TIMER_TSC_DEADLINE)
		return 0;
	a->tsc_deadline = val;
	if (!val) {
		a->timer_ns = 0;
		return 0;
	}
	a->timer_ns =
	    deadline_after(now.ns, val > now.tsc ? tsc_delta_ns(val - now.tsc, a->tsc_khz) : 0);
	return 0;
}

/* SDM Figure 11-23: vector 7:0, software enable 8, focus checking 9 (kept,
 * as KVM does; 32-bit Linux writes it); bit 12 is reserved since VERSION
 * bit 24 is clear. */
static int svr_write(struct vapic *a, u64 val)
{
	int i;

	if (val & ~(u64)(SVR_VECTOR | SVR_ENABLE | SVR_FOCUS))
		return -1;
	a->svr = val;
	if (val & SVR_ENABLE)
		return 0;
	/* SDM 11.4.7.2: software disable sets every LVT mask bit. */
	for (i = 0; i < VAPIC_LVT_NR; i++)
		a->lvt[i] |= LVT_MASK;
	return 0;
}

/* SDM 11.12.1.3: reserved bits #GP in x2APIC mode. */
static int lvt_write(struct vapic *a, enum vapic_lvt i, u64 val)
{
	if (val & ~(u64)(lvt_writable[i] | lvt_readonly[i]))
		return -1;
	val &= lvt_writable[i];
	/* SDM 11.4.7.2: while software-disabled the masks cannot be cleared. */
	if (!(a->svr & SVR_ENABLE))
		val |= LVT_MASK;
	a->lvt[i] = val;
	return 0;
}

static int lvt_timer_write(struct vapic *a, u64 val)
{
	enum timer_mode old = timer_mode(a);
	enum timer_mode new = (val & LVT_TIMER_MODE) >> LVT_TIMER_SHIFT;

	/* SDM 11.5.4: mode 3 is reserved, and so is TSC-deadline mode
	 * without CPUID.1:ECX[24]. */
	if (new == TIMER_RESERVED || (new == TIMER_TSC_DEADLINE && !a->tsc_khz))
		return -1;
	if (lvt_write(a, VAPIC_LVT_TIMER, val))
		return -1;
	/* SDM 11.5.4.1: entering or leaving TSC-deadline mode disarms the
	 * timer. Between one-shot and periodic the count goes on, and the new
	 * mode decides what happens at zero (as KVM does). */
	if (old != new && (old == TIMER_TSC_DEADLINE || new == TIMER_TSC_DEADLINE)) {
		a->timer_ns = 0;
		a->tmict = 0;
		a->tsc_deadline = 0;
	}
	return 0;
}

/* SDM 11.5.4: writing TMICT (re)starts the count, 0 stops it; ignored in
 * TSC-deadline mode (SDM 11.5.4.1). */
static void tmict_write(struct vapic *a, u32 val, struct vapic_time now)
{
	if (timer_mode(a) == TIMER_TSC_DEADLINE)
		return;
	a->tmict = val;
	a->timer_ns = val ? deadline_after(now.ns, count_ns(val, a->tdcr)) : 0;
}

static int tdcr_write(struct vapic *a, u64 val, struct vapic_time now)
{
	u32 old = a->tdcr;
	u64 left;

	if (val & ~TDCR_VALID)
		return -1;
	a->tdcr = val;
	if (!a->timer_ns || timer_mode(a) == TIMER_TSC_DEADLINE || divider(old) == divider(val))
		return 0;
	/* The rest of the count runs at the new rate (as KVM does). left is
	 * at most 2^39 ns, so * 128 cannot overflow. */
	left = MIN(a->timer_ns - now.ns, count_ns(a->tmict, old));
	a->timer_ns = deadline_after(now.ns, left * divider(val) / divider(old));
	return 0;
}

/*
 * ICR (SDM 11.6.1, 11.12.9). Delivery modes: fixed, NMI, INIT, start-up.
 * Lowest priority (1), SMI (2) and the reserved 3 and 7 #GP rather than
 * vanish: no arbitration, no SMM here, and Linux uses none of them.
 */
static int icr_write(struct vapic *a, u64 val, struct vapic_ipi *ipi)
{
	enum vapic_ipi_mode mode;
	u8 vector = val & ICR_VECTOR;

	if (val & ICR_RESERVED)
		return -1;
	switch ((val >> 8) & 7) {
	case 0:
		mode = VAPIC_IPI_FIXED;
		break;
	case 4:
		mode = VAPIC_IPI_NMI;
		break;
	case 5:
		mode = VAPIC_IPI_INIT;
		break;
	case 6:
		mode = VAPIC_IPI_SIPI;
		break;
	default:
		return -1;
	}
	a->icr = val;
	/* SDM 11.5.3: an illegal vector is caught by the sender. */
	if (mode == VAPIC_IPI_FIXED && vector < 16) {
		esr_log(a, VAPIC_ESR_SEND_ILLEGAL);
		return 0;
	}
	/* SDM 11.6.1: INIT level de-assert (level 0, trigger level) only
	 * resynchronises arbitration IDs; nothing is delivered. */
	if (mode == VAPIC_IPI_INIT && !(val & ICR_LEVEL) && (val & ICR_TRIGGER))
		return 0;
	ipi->mode = mode;
	ipi->vector = vector;
	ipi->level = mode == VAPIC_IPI_FIXED && (val & ICR_TRIGGER);
	ipi->logical = val & ICR_LOGICAL;
	ipi->shorthand = (val >> ICR_SHORTHAND_SHIFT) & 3;
	ipi->dest = val >> 32;
	ipi->src = a->id;
	return 1;
}

static int x2apic_write(struct vapic *a, u32 msr, u64 val, struct vapic_time now,
			struct vapic_ipi *ipi)
{
	/* SDM 11.12.1.2: the ICR alone is 64 bits wide; the upper half of
	 * every other register is reserved. */
	if (msr != X2APIC_ICR && val >> 32)
		return -1;
	switch (msr) {
	case X2APIC_TPR:
		if (val & ~0xFFULL)
			return -1;
		a->tpr = val;
		return 0;
	case X2APIC_EOI:
		/* SDM 11.12.1.2: a non-zero EOI write #GPs. */
		if (val)
			return -1;
		eoi(a);
		return 0;
	case X2APIC_SVR:
		return svr_write(a, val);
	case X2APIC_ESR:
		/* SDM 11.5.3: only 0 may be written; the write latches the
		 * errors seen since the previous one. */
		if (val)
			return -1;
		a->esr = a->esr_pending;
		a->esr_pending = 0;
		return 0;
	case X2APIC_ICR:
		return icr_write(a, val, ipi);
	case X2APIC_LVT0:
		return lvt_timer_write(a, val);
	case X2APIC_LVT0 + 1 ... X2APIC_LVT0 + VAPIC_LVT_NR - 1:
		return lvt_write(a, msr - X2APIC_LVT0, val);
	case X2APIC_TMICT:
		tmict_write(a, (u32)val, now);
		return 0;
	case X2APIC_TDCR:
		return tdcr_write(a, val, now);
	case X2APIC_SELF_IPI:
		/* SDM 11.12.11: vector in 7:0, delivered fixed and edge. */
		if (val & ~SELF_IPI_VECTOR)
			return -1;
		accept_fixed(a, val, false);
		return 0;
	}
	/* Read-only and undefined registers (SDM 11.12.1.2). */
	return -1;
}

static int write_reg(struct vapic *a, u32 msr, u64 val, struct vapic_time now,
		     struct vapic_ipi *ipi)
{
	switch (msr) {
	case VAPIC_MSR_APIC_BASE:
		return apic_base_write(a, val);
	case VAPIC_MSR_TSC_DEADLINE:
		return tsc_deadline_write(a, val, now);
	case HV_X64_MSR_EOI:
		/* TLFS "Local APIC MSR Accesses": any EOI value in 31:0,
		 * 63:32 RsvdZ. */
		if (!x2apic_on(a) || val >> 32)
			return -1;
		eoi(a);
		return 0;
	case HV_X64_MSR_ICR:
		msr = X2APIC_ICR;
		break;
	case HV_X64_MSR_TPR:
		msr = X2APIC_TPR;
		break;
	}
	if (!x2apic_on(a))
		return -1;
	return x2apic_write(a, msr, val, now, ipi);
}

int vapic_msr_write(struct vapic *a, u32 msr, u64 val, struct vapic_time now, struct vapic_ipi *ipi)
{
	int ret;

	/* An expiry already due happens before the write changes the timer,
	 * as it would have on hardware; a deadline the write puts in the
	 * past fires at once. */
	vapic_timer_poll(a, now);
	ret = write_reg(a, msr, val, now, ipi);
	vapic_timer_poll(a, now);
	return ret;
}

bool vapic_handles_msr(u32 msr)
{
	return (msr >= X2APIC_FIRST && msr <= X2APIC_LAST) || msr == VAPIC_MSR_APIC_BASE ||
	       msr == VAPIC_MSR_TSC_DEADLINE || (msr >= HV_X64_MSR_EOI && msr <= HV_X64_MSR_TPR);
}
