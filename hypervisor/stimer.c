/* Synthetic timers (TLFS "Synthetic Timers"; Linux hyperv_timer.c): per-VP
 * CONFIG/COUNT MSRs, one-shot and periodic, direct and message mode. */
#include "stimer.h"
#include "hv/status.h"

/* TLFS "Synthetic Timer Configuration Register": the rest is RsvdZ. */
#define STIMER_CONFIG_VALID                                                                        \
	(HV_STIMER_ENABLE | HV_STIMER_PERIODIC | HV_STIMER_LAZY | HV_STIMER_AUTOENABLE |           \
	 HV_STIMER_APIC_VECTOR_MASK | HV_STIMER_DIRECT_MODE | HV_STIMER_SINT_MASK)
#define STIMER_FIRST_VECTOR 16

void stimers_init(struct stimers *st)
{
	u32 i;

	for (i = 0; i < HV_STIMER_COUNT; i++) {
		st->t[i].config = 0;
		st->t[i].count = 0;
		st->t[i].deadline = 0;
		st->t[i].msg_pending = false;
		st->t[i].expiration = 0;
	}
}

bool stimer_handles_msr(u32 msr)
{
	return msr >= HV_X64_MSR_STIMER0_CONFIG && msr <= HV_X64_MSR_STIMER3_COUNT;
}

static u8 timer_vector(u64 config)
{
	return (config & HV_STIMER_APIC_VECTOR_MASK) >> HV_STIMER_APIC_VECTOR_SHIFT;
}

static u32 timer_sint(u64 config)
{
	return (config & HV_STIMER_SINT_MASK) >> HV_STIMER_SINT_SHIFT;
}

int stimer_msr_read(const struct stimers *st, u32 msr, u64 *val)
{
	const struct stimer *t;

	if (!stimer_handles_msr(msr))
		return -1;
	/* CONFIG at even addresses, COUNT at odd ones. */
	t = &st->t[(msr - HV_X64_MSR_STIMER0_CONFIG) / 2];
	*val = (msr & 1) ? t->count : t->config;
	return 0;
}

static u64 add_saturating(u64 a, u64 b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* After a CONFIG or COUNT write: what was armed or pending belongs to the
 * old programming. */
static void stimer_program(struct stimer *t, u64 now)
{
	t->deadline = 0;
	t->msg_pending = false;
	if (!(t->config & HV_STIMER_ENABLE))
		return;
	/* TLFS: COUNT 0 stops the timer, and "it is not permitted to set the
	 * SINTx field to zero for an enabled timer (that is not in direct
	 * mode). If attempted, the timer will be marked disabled". */
	if (!t->count || (!(t->config & HV_STIMER_DIRECT_MODE) && !timer_sint(t->config))) {
		t->config &= ~HV_STIMER_ENABLE;
		return;
	}
	/* One-shot COUNT is an absolute time (non-zero, so a valid deadline);
	 * "the first period begins when the synthetic timer is enabled". */
	if (t->config & HV_STIMER_PERIODIC)
		t->deadline = add_saturating(now, t->count);
	else
		t->deadline = t->count;
}

int stimer_msr_write(struct stimers *st, u32 msr, u64 val, u64 now)
{
	struct stimer *t;

	if (!stimer_handles_msr(msr))
		return -1;
	t = &st->t[(msr - HV_X64_MSR_STIMER0_CONFIG) / 2];
	if (msr & 1) {
		t->count = val;
		/* TLFS: zero disables whatever AutoEnable says; a non-zero
		 * write with AutoEnable enables (Linux hv_ce_set_next_event
		 * re-arms the one-shot timer this way after each expiry). */
		if (!val)
			t->config &= ~HV_STIMER_ENABLE;
		else if (t->config & HV_STIMER_AUTOENABLE)
			t->config |= HV_STIMER_ENABLE;
		stimer_program(t, now);
		return 0;
	}
	/* RsvdZ bits set #GP; so does a direct-mode vector 0-15, which the
	 * APIC could not deliver (the SINTx rule, TLFS "SINTx Registers"). */
	if (val & ~STIMER_CONFIG_VALID)
		return -1;
	if ((val & HV_STIMER_DIRECT_MODE) && timer_vector(val) < STIMER_FIRST_VECTOR)
		return -1;
	t->config = val;
	stimer_program(t, now);
	return 0;
}

/* Tries to deliver the pending expiry message of timer index. */
static void send_message(struct stimer *t, u32 index, struct synic *s, u64 now,
			 const struct synic_env *env)
{
	struct hv_message msg;

	msg.header.message_type = HVMSG_TIMER_EXPIRED;
	msg.header.payload_size = sizeof(struct hv_timer_message_payload);
	msg.header.message_flags = 0;
	msg.header.reserved = 0;
	msg.header.sender = 0;
	/* struct hv_timer_message_payload: u32 index, u32 reserved 0, the
	 * expiration and delivery times. */
	msg.payload[0] = index;
	msg.payload[1] = t->expiration;
	msg.payload[2] = now;
	if (synic_post_dedicated(s, timer_sint(t->config), &msg, env) != HV_STATUS_SUCCESS)
		return;
	t->msg_pending = false;
	/* A one-shot timer is done once its expiry is out (TLFS: "When a
	 * one-shot timer expires, it is automatically marked as disabled"). */
	if (!(t->config & HV_STIMER_PERIODIC))
		t->config &= ~HV_STIMER_ENABLE;
}

/* The first deadline + k * period after now (now >= deadline). */
static u64 next_period(u64 deadline, u64 period, u64 now)
{
	u64 periods = (now - deadline) / period + 1;

	if (periods > (UINT64_MAX - deadline) / period)
		return UINT64_MAX;
	return deadline + periods * period;
}

static void stimer_poll(struct stimer *t, u32 index, struct synic *s, u64 now,
			const struct synic_env *env)
{
	u64 expiration = t->deadline;

	if (t->msg_pending)
		send_message(t, index, s, now, env);
	if (!expiration || now < expiration)
		return;
	/* TLFS "Periodic Timers" lets missed periods be skipped; KVM does
	 * the same, so lazy timers behave no differently. */
	if (t->config & HV_STIMER_PERIODIC)
		t->deadline = next_period(expiration, t->count, now);
	else
		t->deadline = 0;
	if (t->config & HV_STIMER_DIRECT_MODE) {
		env->raise(env->ctx, timer_vector(t->config), false);
		if (!(t->config & HV_STIMER_PERIODIC))
			t->config &= ~HV_STIMER_ENABLE;
		return;
	}
	/* One buffer per timer (TLFS "Message Sources"): a tick while the
	 * previous message waits is dropped. */
	if (t->msg_pending)
		return;
	t->msg_pending = true;
	t->expiration = expiration;
	send_message(t, index, s, now, env);
}

void stimers_poll(struct stimers *st, struct synic *s, u64 now, const struct synic_env *env)
{
	u32 i;

	for (i = 0; i < HV_STIMER_COUNT; i++)
		stimer_poll(&st->t[i], i, s, now, env);
}

u64 stimers_next_deadline(const struct stimers *st)
{
	u64 next = 0;
	u32 i;

	for (i = 0; i < HV_STIMER_COUNT; i++) {
		u64 d = st->t[i].deadline;

		if (d && (!next || d < next))
			next = d;
	}
	return next;
}
