/* Unit tests for the synthetic timers: MSRs and their #GP rules, one-shot and
 * periodic in direct and message mode, auto-enable, disarming, deadlines in
 * the past, a busy message slot and stimers_next_deadline(). Guest memory is
 * an array of fake pages; raised interrupts are recorded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* needs the four above first */
#include "unit.h"

#include <stdio.h>
#include <string.h>

#include "hv/msr.h"
#include "hv/status.h"
#include "stimer.h"

#define GPA_BASE     0x100000ULL
#define NPAGES	     2
#define SIM	     0
#define VMBUS_VECTOR 0xF3
#define CONFIG(n)    (HV_X64_MSR_STIMER0_CONFIG + 2 * (n))
#define COUNT(n)     (HV_X64_MSR_STIMER0_COUNT + 2 * (n))
/* What Linux hyperv_timer.c writes: direct mode, vector 0xED, auto-enable;
 * and message mode on SINT2. */
#define LINUX_DIRECT  0x1ED9ULL
#define LINUX_MESSAGE 0x20009ULL
#define NOW	      1000000ULL

static u8 pages[NPAGES][PAGE_SIZE] __aligned(PAGE_SIZE);

static struct {
	u32 n;
	u8 vector[64];
	bool auto_eoi[64];
} raised;

static struct synic syn;
static struct stimers st;

static void *fake_page(void *ctx, u64 gpa, bool write)
{
	(void)ctx;
	(void)write;
	assert_true(IS_ALIGNED(gpa, PAGE_SIZE));
	if (gpa < GPA_BASE || gpa >= GPA_BASE + NPAGES * PAGE_SIZE)
		return NULL;
	return pages[(gpa - GPA_BASE) / PAGE_SIZE];
}

static void fake_raise(void *ctx, u8 vector, bool auto_eoi)
{
	(void)ctx;
	assert_true(raised.n < ARRAY_SIZE(raised.vector));
	raised.vector[raised.n] = vector;
	raised.auto_eoi[raised.n] = auto_eoi;
	raised.n++;
}

static const struct synic_env env = {.page = fake_page, .raise = fake_raise};

static struct hv_message *slot(int sint)
{
	return &((struct hv_message_page *)pages[SIM])->sint_message[sint];
}

static void wrmsr(u32 msr, u64 val, u64 now)
{
	assert_int_equal(stimer_msr_write(&st, msr, val, now), 0);
}

static u64 rdmsr(u32 msr)
{
	u64 val = 0xdead;

	assert_int_equal(stimer_msr_read(&st, msr, &val), 0);
	return val;
}

static void synic_wrmsr(u32 msr, u64 val)
{
	assert_int_equal(synic_msr_write(&syn, msr, val, &env), 0);
}

static int setup(void **state)
{
	(void)state;
	memset(pages, 0, sizeof(pages));
	memset(&raised, 0, sizeof(raised));
	synic_init(&syn);
	stimers_init(&st);
	return 0;
}

/* Linux hv_synic_enable_regs: SIM page, SINT2 with AutoEOI, SCONTROL. */
static void enable_synic(void)
{
	synic_wrmsr(HV_X64_MSR_SIMP, GPA_BASE | HV_X64_MSR_PAGE_ENABLE);
	synic_wrmsr(HV_X64_MSR_SINT0 + 2, VMBUS_VECTOR | HV_SYNIC_SINT_AUTO_EOI);
	synic_wrmsr(HV_X64_MSR_SCONTROL, HV_SYNIC_CONTROL_ENABLE);
}

static void assert_timer_message(int sint, u32 index, u64 expiration, u64 delivery)
{
	struct hv_message *m = slot(sint);

	assert_int_equal(m->header.message_type, HVMSG_TIMER_EXPIRED);
	assert_int_equal(m->header.payload_size, sizeof(struct hv_timer_message_payload));
	assert_int_equal(m->header.sender, 0);
	assert_int_equal(m->payload[0], index); /* timer_index, reserved 0 */
	assert_int_equal(m->payload[1], expiration);
	assert_int_equal(m->payload[2], delivery);
}

static void test_msrs(void **state)
{
	u64 val;
	u32 msr;
	int i;

	(void)state;
	for (msr = 0x40000080; msr < 0x40000100; msr++) {
		bool want = msr >= 0x400000B0 && msr <= 0x400000B7;

		assert_int_equal(stimer_handles_msr(msr), want);
		if (!want) {
			assert_int_equal(stimer_msr_read(&st, msr, &val), -1);
			assert_int_equal(stimer_msr_write(&st, msr, 0, NOW), -1);
		} else {
			assert_int_equal(rdmsr(msr), 0);
		}
	}
	/* Each register is its own, CONFIG at even addresses. */
	for (i = 0; i < HV_STIMER_COUNT; i++) {
		wrmsr(COUNT(i), 100 + i, NOW);
		wrmsr(CONFIG(i), HV_STIMER_LAZY | ((u64)(i + 1) << HV_STIMER_SINT_SHIFT), NOW);
	}
	for (i = 0; i < HV_STIMER_COUNT; i++) {
		assert_int_equal(rdmsr(COUNT(i)), 100 + i);
		assert_int_equal(rdmsr(CONFIG(i)),
				 HV_STIMER_LAZY | ((u64)(i + 1) << HV_STIMER_SINT_SHIFT));
	}
	assert_int_equal(stimers_next_deadline(&st), 0);
}

static void test_config_gp(void **state)
{
	int i;

	(void)state;
	wrmsr(CONFIG(0), LINUX_DIRECT, NOW);
	/* RsvdZ bits 63:20 and 15:13. */
	for (i = 20; i < 64; i++)
		assert_int_equal(stimer_msr_write(&st, CONFIG(0), BIT(i), NOW), -1);
	for (i = 13; i < 16; i++)
		assert_int_equal(stimer_msr_write(&st, CONFIG(0), BIT(i), NOW), -1);
	/* Direct mode needs a deliverable vector, enabled or not. */
	assert_int_equal(stimer_msr_write(&st, CONFIG(0), HV_STIMER_DIRECT_MODE | 0xF0, NOW), -1);
	assert_int_equal(stimer_msr_write(&st, CONFIG(0), HV_STIMER_DIRECT_MODE, NOW), -1);
	assert_int_equal(rdmsr(CONFIG(0)), LINUX_DIRECT & ~HV_STIMER_ENABLE); /* COUNT is 0 */
	wrmsr(CONFIG(0), HV_STIMER_DIRECT_MODE | 0x100, NOW);
	/* A vector field without direct mode is just stored. */
	wrmsr(CONFIG(0), 0x050, NOW);
	assert_int_equal(rdmsr(CONFIG(0)), 0x050);
	/* COUNT takes any value. */
	wrmsr(COUNT(0), UINT64_MAX, NOW);
	assert_int_equal(rdmsr(COUNT(0)), UINT64_MAX);
}

static void test_enable_rules(void **state)
{
	(void)state;
	/* Enable with COUNT 0: not armed, Enable cleared. */
	wrmsr(CONFIG(0), LINUX_DIRECT, NOW);
	assert_int_equal(rdmsr(CONFIG(0)), LINUX_DIRECT & ~HV_STIMER_ENABLE);
	assert_int_equal(st.t[0].deadline, 0);
	/* Message mode with SINT 0 cannot be enabled (TLFS), even through
	 * auto-enable. */
	wrmsr(COUNT(1), NOW + 10, NOW);
	wrmsr(CONFIG(1), HV_STIMER_ENABLE | HV_STIMER_AUTOENABLE, NOW);
	assert_int_equal(rdmsr(CONFIG(1)), HV_STIMER_AUTOENABLE);
	wrmsr(COUNT(1), NOW + 20, NOW);
	assert_int_equal(rdmsr(CONFIG(1)), HV_STIMER_AUTOENABLE);
	assert_int_equal(st.t[1].deadline, 0);
	/* Without auto-enable a COUNT write does not enable; CONFIG does. */
	wrmsr(COUNT(2), NOW + 30, NOW);
	wrmsr(CONFIG(2), LINUX_MESSAGE & ~(HV_STIMER_ENABLE | HV_STIMER_AUTOENABLE), NOW);
	wrmsr(COUNT(2), NOW + 40, NOW);
	assert_int_equal(st.t[2].deadline, 0);
	wrmsr(CONFIG(2), LINUX_MESSAGE & ~HV_STIMER_AUTOENABLE, NOW);
	assert_int_equal(st.t[2].deadline, NOW + 40);
	/* While enabled, a COUNT write re-arms. */
	wrmsr(COUNT(2), NOW + 50, NOW);
	assert_int_equal(st.t[2].deadline, NOW + 50);
	assert_int_equal(stimers_next_deadline(&st), NOW + 50);
}

static void test_oneshot_direct(void **state)
{
	(void)state;
	/* Linux hv_ce_set_oneshot, then hv_ce_set_next_event. */
	wrmsr(CONFIG(0), LINUX_DIRECT, NOW);
	wrmsr(COUNT(0), NOW + 100, NOW);
	assert_int_equal(rdmsr(CONFIG(0)), LINUX_DIRECT);
	assert_int_equal(stimers_next_deadline(&st), NOW + 100);
	stimers_poll(&st, &syn, NOW + 99, &env);
	assert_int_equal(raised.n, 0);
	stimers_poll(&st, &syn, NOW + 100, &env);
	assert_int_equal(raised.n, 1);
	assert_int_equal(raised.vector[0], 0xED);
	assert_false(raised.auto_eoi[0]);
	/* Disarmed, Enable cleared; COUNT keeps its value. */
	assert_int_equal(rdmsr(CONFIG(0)), LINUX_DIRECT & ~HV_STIMER_ENABLE);
	assert_int_equal(rdmsr(COUNT(0)), NOW + 100);
	assert_int_equal(stimers_next_deadline(&st), 0);
	stimers_poll(&st, &syn, NOW + 1000, &env);
	assert_int_equal(raised.n, 1);
	/* Auto-enable: the next non-zero COUNT re-arms. */
	wrmsr(COUNT(0), NOW + 2000, NOW + 1000);
	assert_int_equal(rdmsr(CONFIG(0)), LINUX_DIRECT);
	stimers_poll(&st, &syn, NOW + 2500, &env);
	assert_int_equal(raised.n, 2);
}

static void test_oneshot_past(void **state)
{
	(void)state;
	wrmsr(CONFIG(3), LINUX_DIRECT, NOW);
	/* TLFS: a one-shot in the past expires immediately, on the next poll. */
	wrmsr(COUNT(3), NOW - 50, NOW);
	assert_int_equal(stimers_next_deadline(&st), NOW - 50);
	assert_int_equal(raised.n, 0);
	stimers_poll(&st, &syn, NOW, &env);
	assert_int_equal(raised.n, 1);
	/* COUNT 1: the earliest time there is. */
	wrmsr(COUNT(3), 1, NOW);
	stimers_poll(&st, &syn, NOW, &env);
	assert_int_equal(raised.n, 2);
}

static void test_disarm(void **state)
{
	(void)state;
	wrmsr(CONFIG(0), LINUX_DIRECT, NOW);
	wrmsr(COUNT(0), NOW + 100, NOW);
	/* Linux hv_ce_shutdown: COUNT 0, then CONFIG 0. */
	wrmsr(COUNT(0), 0, NOW);
	assert_int_equal(rdmsr(CONFIG(0)), LINUX_DIRECT & ~HV_STIMER_ENABLE);
	assert_int_equal(stimers_next_deadline(&st), 0);
	wrmsr(CONFIG(0), 0, NOW);
	stimers_poll(&st, &syn, NOW + 200, &env);
	assert_int_equal(raised.n, 0);
	/* Clearing Enable alone disarms too. */
	wrmsr(CONFIG(1), LINUX_DIRECT & ~HV_STIMER_AUTOENABLE, NOW);
	wrmsr(COUNT(1), NOW + 100, NOW);
	wrmsr(CONFIG(1), LINUX_DIRECT & ~HV_STIMER_AUTOENABLE, NOW);
	assert_int_equal(stimers_next_deadline(&st), NOW + 100);
	wrmsr(CONFIG(1), LINUX_DIRECT & ~(HV_STIMER_AUTOENABLE | HV_STIMER_ENABLE), NOW);
	assert_int_equal(stimers_next_deadline(&st), 0);
	stimers_poll(&st, &syn, NOW + 200, &env);
	assert_int_equal(raised.n, 0);
}

static void test_periodic_direct(void **state)
{
	const u64 config = HV_STIMER_ENABLE | HV_STIMER_PERIODIC | HV_STIMER_DIRECT_MODE | 0x400;

	(void)state;
	wrmsr(COUNT(1), 100, NOW);
	/* The first period starts when enabled. */
	wrmsr(CONFIG(1), config, NOW + 5);
	assert_int_equal(stimers_next_deadline(&st), NOW + 105);
	stimers_poll(&st, &syn, NOW + 104, &env);
	assert_int_equal(raised.n, 0);
	stimers_poll(&st, &syn, NOW + 105, &env);
	assert_int_equal(raised.n, 1);
	assert_int_equal(raised.vector[0], 0x40);
	assert_int_equal(stimers_next_deadline(&st), NOW + 205);
	/* Late by three periods: one interrupt, next deadline past now. */
	stimers_poll(&st, &syn, NOW + 510, &env);
	assert_int_equal(raised.n, 2);
	assert_int_equal(stimers_next_deadline(&st), NOW + 605);
	/* Exactly on a period boundary: the next one. */
	stimers_poll(&st, &syn, NOW + 605, &env);
	assert_int_equal(stimers_next_deadline(&st), NOW + 705);
	/* Stays enabled with its period. */
	assert_int_equal(rdmsr(CONFIG(1)), config);
	assert_int_equal(rdmsr(COUNT(1)), 100);
	assert_int_equal(raised.n, 3);
}

static void test_periodic_saturates(void **state)
{
	(void)state;
	/* A period that would overflow the reference time never fires. */
	wrmsr(COUNT(0), UINT64_MAX - 10, NOW);
	wrmsr(CONFIG(0), HV_STIMER_ENABLE | HV_STIMER_PERIODIC | HV_STIMER_DIRECT_MODE | 0x400,
	      NOW);
	assert_int_equal(stimers_next_deadline(&st), UINT64_MAX);
	stimers_poll(&st, &syn, UINT64_MAX - 1, &env);
	assert_int_equal(raised.n, 0);
	/* Nor does one whose next period would. */
	wrmsr(COUNT(1), BIT(63), 0);
	wrmsr(CONFIG(1), HV_STIMER_ENABLE | HV_STIMER_PERIODIC | HV_STIMER_DIRECT_MODE | 0x400, 0);
	stimers_poll(&st, &syn, BIT(63), &env);
	assert_int_equal(raised.n, 1);
	assert_int_equal(stimers_next_deadline(&st), UINT64_MAX);
}

static void test_oneshot_message(void **state)
{
	(void)state;
	enable_synic();
	wrmsr(CONFIG(0), LINUX_MESSAGE, NOW);
	wrmsr(COUNT(0), NOW + 100, NOW);
	stimers_poll(&st, &syn, NOW + 130, &env);
	assert_timer_message(2, 0, NOW + 100, NOW + 130);
	assert_int_equal(slot(2)->header.message_flags, 0);
	assert_int_equal(raised.n, 1);
	assert_int_equal(raised.vector[0], VMBUS_VECTOR);
	assert_true(raised.auto_eoi[0]);
	assert_false(st.t[0].msg_pending);
	assert_int_equal(rdmsr(CONFIG(0)), LINUX_MESSAGE & ~HV_STIMER_ENABLE);
	assert_int_equal(stimers_next_deadline(&st), 0);
	/* Timer 3 on SINT 5 (masked): the message lands, no interrupt. */
	wrmsr(CONFIG(3), HV_STIMER_ENABLE | (5ULL << HV_STIMER_SINT_SHIFT), NOW);
	wrmsr(COUNT(3), NOW + 300, NOW);
	wrmsr(CONFIG(3), HV_STIMER_ENABLE | (5ULL << HV_STIMER_SINT_SHIFT), NOW);
	stimers_poll(&st, &syn, NOW + 300, &env);
	assert_timer_message(5, 3, NOW + 300, NOW + 300);
	assert_int_equal(raised.n, 1);
}

static void test_message_busy_slot(void **state)
{
	(void)state;
	enable_synic();
	slot(2)->header.message_type = HVMSG_VMBUS;
	wrmsr(CONFIG(0), LINUX_MESSAGE, NOW);
	wrmsr(COUNT(0), NOW + 100, NOW);
	stimers_poll(&st, &syn, NOW + 100, &env);
	/* Busy: pending, MessagePending set, still enabled, not armed. */
	assert_true(st.t[0].msg_pending);
	assert_int_equal(slot(2)->header.message_type, HVMSG_VMBUS);
	assert_int_equal(slot(2)->header.message_flags, HV_MESSAGE_FLAG_PENDING);
	assert_int_equal(rdmsr(CONFIG(0)), LINUX_MESSAGE);
	assert_int_equal(stimers_next_deadline(&st), 0);
	assert_int_equal(syn.nqueued, 0);
	stimers_poll(&st, &syn, NOW + 150, &env);
	assert_true(st.t[0].msg_pending);
	assert_int_equal(raised.n, 0);
	/* The guest frees the slot (and writes EOM): the next poll delivers
	 * the original expiration time, once. */
	slot(2)->header.message_type = 0;
	synic_wrmsr(HV_X64_MSR_EOM, 0);
	stimers_poll(&st, &syn, NOW + 200, &env);
	assert_timer_message(2, 0, NOW + 100, NOW + 200);
	assert_false(st.t[0].msg_pending);
	assert_int_equal(rdmsr(CONFIG(0)), LINUX_MESSAGE & ~HV_STIMER_ENABLE);
	assert_int_equal(raised.n, 1);
	slot(2)->header.message_type = 0;
	stimers_poll(&st, &syn, NOW + 300, &env);
	assert_int_equal(slot(2)->header.message_type, 0);
	assert_int_equal(raised.n, 1);
}

static void test_message_after_queued(void **state)
{
	struct hv_message m = {.header = {.message_type = HVMSG_VMBUS, .payload_size = 8}};

	(void)state;
	enable_synic();
	/* A VMBus message in the slot and one queued behind it. */
	assert_int_equal(synic_post_message(&syn, 2, &m, true, &env), HV_STATUS_SUCCESS);
	assert_int_equal(synic_post_message(&syn, 2, &m, true, &env), HV_STATUS_SUCCESS);
	wrmsr(CONFIG(0), LINUX_MESSAGE, NOW);
	wrmsr(COUNT(0), NOW, NOW);
	stimers_poll(&st, &syn, NOW, &env);
	assert_true(st.t[0].msg_pending);
	/* Freed without EOM: the queued message still goes first. */
	slot(2)->header.message_type = 0;
	stimers_poll(&st, &syn, NOW + 1, &env);
	assert_int_equal(slot(2)->header.message_type, HVMSG_VMBUS);
	assert_true(st.t[0].msg_pending);
	slot(2)->header.message_type = 0;
	stimers_poll(&st, &syn, NOW + 2, &env);
	assert_timer_message(2, 0, NOW, NOW + 2);
	assert_false(st.t[0].msg_pending);
}

static void test_message_synic_disabled(void **state)
{
	(void)state;
	wrmsr(CONFIG(0), LINUX_MESSAGE, NOW);
	wrmsr(COUNT(0), NOW + 10, NOW);
	stimers_poll(&st, &syn, NOW + 10, &env);
	assert_true(st.t[0].msg_pending);
	assert_int_equal(slot(2)->header.message_type, 0);
	/* Delivered once the SynIC is up. */
	enable_synic();
	stimers_poll(&st, &syn, NOW + 20, &env);
	assert_timer_message(2, 0, NOW + 10, NOW + 20);
	/* A COUNT write drops an undelivered message. */
	slot(2)->header.message_type = 0;
	synic_wrmsr(HV_X64_MSR_SCONTROL, 0);
	wrmsr(COUNT(0), NOW + 30, NOW + 20);
	stimers_poll(&st, &syn, NOW + 30, &env);
	assert_true(st.t[0].msg_pending);
	wrmsr(COUNT(0), NOW + 100, NOW + 30);
	assert_false(st.t[0].msg_pending);
	synic_wrmsr(HV_X64_MSR_SCONTROL, HV_SYNIC_CONTROL_ENABLE);
	stimers_poll(&st, &syn, NOW + 40, &env);
	assert_int_equal(slot(2)->header.message_type, 0);
	stimers_poll(&st, &syn, NOW + 100, &env);
	assert_timer_message(2, 0, NOW + 100, NOW + 100);
}

static void test_periodic_message(void **state)
{
	const u64 config = HV_STIMER_ENABLE | HV_STIMER_PERIODIC | (2ULL << HV_STIMER_SINT_SHIFT);

	(void)state;
	enable_synic();
	wrmsr(COUNT(2), 100, NOW);
	wrmsr(CONFIG(2), config, NOW);
	stimers_poll(&st, &syn, NOW + 100, &env);
	assert_timer_message(2, 2, NOW + 100, NOW + 100);
	/* The slot stays busy over three ticks: one pending message, the
	 * ticks meanwhile dropped, the timer keeps its period. */
	stimers_poll(&st, &syn, NOW + 200, &env);
	assert_true(st.t[2].msg_pending);
	stimers_poll(&st, &syn, NOW + 300, &env);
	stimers_poll(&st, &syn, NOW + 400, &env);
	assert_int_equal(stimers_next_deadline(&st), NOW + 500);
	assert_int_equal(raised.n, 1);
	slot(2)->header.message_type = 0;
	stimers_poll(&st, &syn, NOW + 450, &env);
	assert_timer_message(2, 2, NOW + 200, NOW + 450);
	assert_false(st.t[2].msg_pending);
	assert_int_equal(rdmsr(CONFIG(2)), config);
	assert_int_equal(raised.n, 2);
	slot(2)->header.message_type = 0;
	stimers_poll(&st, &syn, NOW + 500, &env);
	assert_timer_message(2, 2, NOW + 500, NOW + 500);
	assert_int_equal(raised.n, 3);
}

static void test_next_deadline(void **state)
{
	(void)state;
	assert_int_equal(stimers_next_deadline(&st), 0);
	wrmsr(CONFIG(0), LINUX_DIRECT, NOW);
	wrmsr(CONFIG(1), LINUX_DIRECT, NOW);
	wrmsr(CONFIG(2), LINUX_DIRECT, NOW);
	wrmsr(COUNT(0), NOW + 300, NOW);
	wrmsr(COUNT(1), NOW + 100, NOW);
	wrmsr(COUNT(2), NOW + 200, NOW);
	assert_int_equal(stimers_next_deadline(&st), NOW + 100);
	stimers_poll(&st, &syn, NOW + 150, &env);
	assert_int_equal(raised.n, 1);
	assert_int_equal(stimers_next_deadline(&st), NOW + 200);
	/* Two due in one poll fire together. */
	stimers_poll(&st, &syn, NOW + 300, &env);
	assert_int_equal(raised.n, 3);
	assert_int_equal(stimers_next_deadline(&st), 0);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_msrs, setup),
	    cmocka_unit_test_setup(test_config_gp, setup),
	    cmocka_unit_test_setup(test_enable_rules, setup),
	    cmocka_unit_test_setup(test_oneshot_direct, setup),
	    cmocka_unit_test_setup(test_oneshot_past, setup),
	    cmocka_unit_test_setup(test_disarm, setup),
	    cmocka_unit_test_setup(test_periodic_direct, setup),
	    cmocka_unit_test_setup(test_periodic_saturates, setup),
	    cmocka_unit_test_setup(test_oneshot_message, setup),
	    cmocka_unit_test_setup(test_message_busy_slot, setup),
	    cmocka_unit_test_setup(test_message_after_queued, setup),
	    cmocka_unit_test_setup(test_message_synic_disabled, setup),
	    cmocka_unit_test_setup(test_periodic_message, setup),
	    cmocka_unit_test_setup(test_next_deadline, setup),
	};
	return unit_run("stimer", tests, ARRAY_SIZE(tests), NULL);
}
