/* Unit tests for the SynIC: MSR reset values and rules, message delivery
 * into free and busy slots, MessagePending, per-SINT FIFO across EOM, the
 * queue limit, dedicated buffers and event flags. Guest memory is an array
 * of fake pages; raised interrupts are recorded. */
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
#include "synic.h"

#define GPA_BASE     0x100000ULL
#define NPAGES	     4
#define SIM	     0 /* page indexes */
#define SIEF	     1
#define VMBUS_VECTOR 0xF3

static u8 pages[NPAGES][PAGE_SIZE] __aligned(PAGE_SIZE);
static u8 before[NPAGES][PAGE_SIZE];

static struct {
	u32 n;
	u8 vector[64];
	bool auto_eoi[64];
} raised;

static struct synic syn;

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

static u64 gpa(int page)
{
	return GPA_BASE + page * PAGE_SIZE;
}

static struct hv_message *slot(int sint)
{
	return &((struct hv_message_page *)pages[SIM])->sint_message[sint];
}

static u8 *flags(int sint)
{
	return ((struct hv_synic_event_flags_page *)pages[SIEF])->flags[sint];
}

static void wrmsr(u32 msr, u64 val)
{
	assert_int_equal(synic_msr_write(&syn, msr, val, &env), 0);
}

static u64 rdmsr(u32 msr)
{
	u64 val = 0xdead;

	assert_int_equal(synic_msr_read(&syn, msr, &val), 0);
	return val;
}

static int setup(void **state)
{
	(void)state;
	memset(pages, 0, sizeof(pages));
	memset(&raised, 0, sizeof(raised));
	synic_init(&syn);
	return 0;
}

/* What Linux hv_synic_enable_regs does (SINT2 with AutoEOI), plus SINT3
 * without AutoEOI. */
static void enable(void)
{
	wrmsr(HV_X64_MSR_SIMP, gpa(SIM) | HV_X64_MSR_PAGE_ENABLE);
	wrmsr(HV_X64_MSR_SIEFP, gpa(SIEF) | HV_X64_MSR_PAGE_ENABLE);
	wrmsr(HV_X64_MSR_SINT0 + 2, VMBUS_VECTOR | HV_SYNIC_SINT_AUTO_EOI);
	wrmsr(HV_X64_MSR_SINT0 + 3, 0x40);
	wrmsr(HV_X64_MSR_SCONTROL, HV_SYNIC_CONTROL_ENABLE);
}

static struct hv_message make(u32 type, u8 size, u8 fill)
{
	struct hv_message m;

	memset(&m, 0xEE, sizeof(m)); /* beyond size: must not be copied */
	m.header.message_type = type;
	m.header.payload_size = size;
	m.header.message_flags = 0xFF; /* the hypervisor's to set */
	m.header.sender = 0x1234;
	memset(m.payload, fill, MIN(size, sizeof(m.payload)));
	return m;
}

static u16 post(u32 sint, u8 fill)
{
	struct hv_message m = make(HVMSG_VMBUS, 24, fill);

	return synic_post_message(&syn, sint, &m, true, &env);
}

/* Linux vmbus_signal_eom: clear the type, then EOM only if MessagePending. */
static bool consume(int sint)
{
	u32 type = slot(sint)->header.message_type;

	assert_int_not_equal(type, 0);
	__atomic_store_n(&slot(sint)->header.message_type, 0, __ATOMIC_SEQ_CST);
	if (!(slot(sint)->header.message_flags & HV_MESSAGE_FLAG_PENDING))
		return false;
	wrmsr(HV_X64_MSR_EOM, 0);
	return true;
}

static void assert_slot(int sint, u8 fill, bool pending)
{
	struct hv_message *m = slot(sint);
	int i;

	assert_int_equal(m->header.message_type, HVMSG_VMBUS);
	assert_int_equal(m->header.payload_size, 24);
	assert_int_equal(m->header.message_flags, pending ? HV_MESSAGE_FLAG_PENDING : 0);
	assert_int_equal(m->header.reserved, 0);
	assert_int_equal(m->header.sender, 0x1234);
	for (i = 0; i < 24; i++)
		assert_int_equal(((u8 *)m->payload)[i], fill);
}

static void snapshot(void)
{
	memcpy(before, pages, sizeof(pages));
}

static void assert_pages_unchanged(void)
{
	assert_memory_equal(before, pages, sizeof(pages));
}

static void test_reset_values(void **state)
{
	int i;

	(void)state;
	assert_int_equal(rdmsr(HV_X64_MSR_SCONTROL), 0);
	assert_int_equal(rdmsr(HV_X64_MSR_SVERSION), HV_SYNIC_VERSION_1);
	assert_int_equal(rdmsr(HV_X64_MSR_SIEFP), 0);
	assert_int_equal(rdmsr(HV_X64_MSR_SIMP), 0);
	assert_int_equal(rdmsr(HV_X64_MSR_EOM), 0);
	for (i = 0; i < 16; i++)
		assert_int_equal(rdmsr(HV_X64_MSR_SINT0 + i), HV_SYNIC_SINT_MASKED);
	assert_int_equal(syn.nqueued, 0);
}

static void test_handles_msr(void **state)
{
	u64 val;
	u32 msr;

	(void)state;
	for (msr = 0x40000070; msr < 0x400000C0; msr++) {
		bool want = (msr >= 0x40000080 && msr <= 0x40000084) ||
			    (msr >= 0x40000090 && msr <= 0x4000009F);

		assert_int_equal(synic_handles_msr(msr), want);
		if (!want) {
			assert_int_equal(synic_msr_read(&syn, msr, &val), -1);
			assert_int_equal(synic_msr_write(&syn, msr, 0, &env), -1);
		}
	}
}

static void test_msr_write_rules(void **state)
{
	(void)state;
	/* SVERSION is read-only. */
	assert_int_equal(synic_msr_write(&syn, HV_X64_MSR_SVERSION, 1, &env), -1);
	/* Vectors 0-15 #GP unless masked; the register keeps its value. */
	wrmsr(HV_X64_MSR_SINT0 + 5, 0x30);
	assert_int_equal(synic_msr_write(&syn, HV_X64_MSR_SINT0 + 5, 0x0F, &env), -1);
	assert_int_equal(synic_msr_write(&syn, HV_X64_MSR_SINT0 + 5, 0, &env), -1);
	assert_int_equal(synic_msr_write(&syn, HV_X64_MSR_SINT0 + 5, HV_SYNIC_SINT_POLLING, &env),
			 -1);
	assert_int_equal(rdmsr(HV_X64_MSR_SINT0 + 5), 0x30);
	wrmsr(HV_X64_MSR_SINT0 + 5, HV_SYNIC_SINT_MASKED | 0x0F);
	wrmsr(HV_X64_MSR_SINT0 + 5, HV_SYNIC_SINT_MASKED);
	wrmsr(HV_X64_MSR_SINT0 + 5, 0x10);
	wrmsr(HV_X64_MSR_SINT0 + 5, 0xFF);
	/* RsvdP bits read back as written. */
	wrmsr(HV_X64_MSR_SINT0 + 5, 0xFFFFFFFFFFFFFFFFULL);
	assert_int_equal(rdmsr(HV_X64_MSR_SINT0 + 5), 0xFFFFFFFFFFFFFFFFULL);
	wrmsr(HV_X64_MSR_SIMP, gpa(SIM) | 0xFFE);
	assert_int_equal(rdmsr(HV_X64_MSR_SIMP), gpa(SIM) | 0xFFE);
	wrmsr(HV_X64_MSR_SIEFP, gpa(SIEF) | 0x7);
	assert_int_equal(rdmsr(HV_X64_MSR_SIEFP), gpa(SIEF) | 0x7);
	wrmsr(HV_X64_MSR_SCONTROL, 0xF0);
	assert_int_equal(rdmsr(HV_X64_MSR_SCONTROL), 0xF0);
	/* EOM takes any value and reads 0. */
	wrmsr(HV_X64_MSR_EOM, 0x55);
	assert_int_equal(rdmsr(HV_X64_MSR_EOM), 0);
	assert_int_equal(raised.n, 0);
}

static void test_enable_keeps_page(void **state)
{
	(void)state;
	memset(pages, 0xAA, sizeof(pages));
	snapshot();
	enable();
	assert_pages_unchanged();
	/* A SIM page outside RAM is accepted too (TLFS: just inaccessible). */
	wrmsr(HV_X64_MSR_SIMP, 0x7000 | HV_X64_MSR_PAGE_ENABLE);
	wrmsr(HV_X64_MSR_SIEFP, 0x8000 | HV_X64_MSR_PAGE_ENABLE);
}

static void test_post_disabled(void **state)
{
	bool newly;

	(void)state;
	snapshot();
	/* Nothing enabled. */
	assert_int_equal(post(2, 1), HV_STATUS_INVALID_SYNIC_STATE);
	enable();
	/* SCONTROL off. */
	wrmsr(HV_X64_MSR_SCONTROL, 0);
	assert_int_equal(post(2, 1), HV_STATUS_INVALID_SYNIC_STATE);
	assert_int_equal(synic_signal_event(&syn, 2, 1, &newly, &env),
			 HV_STATUS_INVALID_SYNIC_STATE);
	assert_false(newly);
	wrmsr(HV_X64_MSR_SCONTROL, HV_SYNIC_CONTROL_ENABLE);
	/* SIMP off; events still work. */
	wrmsr(HV_X64_MSR_SIMP, gpa(SIM));
	assert_int_equal(post(2, 1), HV_STATUS_INVALID_SYNIC_STATE);
	/* SIMP outside RAM. */
	wrmsr(HV_X64_MSR_SIMP, 0x7000 | HV_X64_MSR_PAGE_ENABLE);
	assert_int_equal(post(2, 1), HV_STATUS_INVALID_SYNIC_STATE);
	assert_int_equal(syn.nqueued, 0);
	assert_int_equal(raised.n, 0);
	assert_pages_unchanged();
}

static void test_post_invalid_parameter(void **state)
{
	struct hv_message m;

	(void)state;
	enable();
	snapshot();
	m = make(HVMSG_VMBUS, 24, 1);
	assert_int_equal(synic_post_message(&syn, 16, &m, true, &env), HV_STATUS_INVALID_PARAMETER);
	assert_int_equal(synic_post_message(&syn, 0xFFFFFFFF, &m, false, &env),
			 HV_STATUS_INVALID_PARAMETER);
	m = make(HVMSG_VMBUS, 241, 1);
	assert_int_equal(synic_post_message(&syn, 2, &m, false, &env), HV_STATUS_INVALID_PARAMETER);
	m = make(HVMSG_VMBUS, 255, 1);
	assert_int_equal(synic_post_dedicated(&syn, 2, &m, &env), HV_STATUS_INVALID_PARAMETER);
	m = make(HVMSG_NONE, 24, 1);
	assert_int_equal(synic_post_message(&syn, 2, &m, false, &env), HV_STATUS_INVALID_PARAMETER);
	m = make(HVMSG_TIMER_EXPIRED, 24, 1);
	assert_int_equal(synic_post_message(&syn, 2, &m, true, &env), HV_STATUS_INVALID_PARAMETER);
	m = make(0x80000000, 24, 1);
	assert_int_equal(synic_post_message(&syn, 2, &m, true, &env), HV_STATUS_INVALID_PARAMETER);
	assert_int_equal(raised.n, 0);
	assert_pages_unchanged();
	/* Valid extremes: 240 bytes, the largest guest type, and a
	 * hypervisor type from the hypervisor. */
	m = make(0x7FFFFFFF, 240, 1);
	assert_int_equal(synic_post_message(&syn, 2, &m, true, &env), HV_STATUS_SUCCESS);
	assert_int_equal(slot(2)->header.message_type, 0x7FFFFFFF);
	assert_int_equal(slot(2)->header.payload_size, 240);
	m = make(HVMSG_TIMER_EXPIRED, 0, 1);
	assert_int_equal(synic_post_message(&syn, 3, &m, false, &env), HV_STATUS_SUCCESS);
	assert_int_equal(slot(3)->header.message_type, HVMSG_TIMER_EXPIRED);
}

static void test_post_free_slot(void **state)
{
	int i;

	(void)state;
	enable();
	memset(slot(2), 0x77, sizeof(struct hv_message));
	slot(2)->header.message_type = 0;
	snapshot();
	assert_int_equal(post(2, 0x42), HV_STATUS_SUCCESS);
	assert_slot(2, 0x42, false);
	/* Only the header and payload_size bytes are written. */
	for (i = 24; i < 240; i++)
		assert_int_equal(((u8 *)slot(2)->payload)[i], 0x77);
	memcpy(before[SIM] + 2 * HV_MESSAGE_SIZE, slot(2), 16 + 24);
	assert_pages_unchanged();
	assert_int_equal(raised.n, 1);
	assert_int_equal(raised.vector[0], VMBUS_VECTOR);
	assert_true(raised.auto_eoi[0]);
	/* SINT3: another slot, no AutoEOI. */
	assert_int_equal(post(3, 0x43), HV_STATUS_SUCCESS);
	assert_slot(3, 0x43, false);
	assert_int_equal(raised.n, 2);
	assert_int_equal(raised.vector[1], 0x40);
	assert_false(raised.auto_eoi[1]);
	assert_int_equal(syn.nqueued, 0);
}

static void test_post_masked_or_polling(void **state)
{
	(void)state;
	enable();
	/* TLFS "Messages": delivered, the interrupt is lost. */
	wrmsr(HV_X64_MSR_SINT0 + 2, VMBUS_VECTOR | HV_SYNIC_SINT_MASKED);
	assert_int_equal(post(2, 1), HV_STATUS_SUCCESS);
	assert_slot(2, 1, false);
	/* The reset value: masked with vector 0. */
	assert_int_equal(post(4, 4), HV_STATUS_SUCCESS);
	assert_int_equal(slot(4)->header.message_type, HVMSG_VMBUS);
	/* Polling: delivered, no interrupt. */
	wrmsr(HV_X64_MSR_SINT0 + 3, 0x40 | HV_SYNIC_SINT_POLLING);
	assert_int_equal(post(3, 3), HV_STATUS_SUCCESS);
	assert_slot(3, 3, false);
	assert_int_equal(raised.n, 0);
	/* Unmasked again, the EOM drains the masked SINT's queue. */
	assert_int_equal(post(2, 2), HV_STATUS_SUCCESS);
	assert_int_equal(syn.nqueued, 1);
	wrmsr(HV_X64_MSR_SINT0 + 2, VMBUS_VECTOR);
	assert_true(consume(2));
	assert_slot(2, 2, false);
	assert_int_equal(raised.n, 1);
}

static void test_post_busy_slot(void **state)
{
	(void)state;
	enable();
	assert_int_equal(post(2, 1), HV_STATUS_SUCCESS);
	assert_int_equal(raised.n, 1);
	assert_int_equal(post(2, 2), HV_STATUS_SUCCESS);
	/* The busy slot keeps its message and gets MessagePending. */
	assert_slot(2, 1, true);
	assert_int_equal(syn.nqueued, 1);
	assert_int_equal(raised.n, 1);
	/* EOM with the slot still busy delivers nothing. */
	wrmsr(HV_X64_MSR_EOM, 0);
	assert_slot(2, 1, true);
	assert_int_equal(syn.nqueued, 1);
	/* The guest frees the slot and, seeing MessagePending, writes EOM. */
	assert_true(consume(2));
	assert_slot(2, 2, false);
	assert_int_equal(syn.nqueued, 0);
	assert_int_equal(raised.n, 2);
	assert_false(consume(2));
}

static void test_fifo_across_eom(void **state)
{
	int i;

	(void)state;
	enable();
	for (i = 1; i <= 4; i++)
		assert_int_equal(post(2, i), HV_STATUS_SUCCESS);
	assert_int_equal(syn.nqueued, 3);
	/* Each delivery from the queue keeps MessagePending while more wait. */
	for (i = 2; i <= 4; i++) {
		assert_true(consume(2));
		assert_slot(2, i, i < 4);
	}
	assert_false(consume(2));
	assert_int_equal(syn.nqueued, 0);
	assert_int_equal(raised.n, 4);
}

static void test_fifo_no_overtaking(void **state)
{
	(void)state;
	enable();
	assert_int_equal(post(2, 1), HV_STATUS_SUCCESS);
	assert_int_equal(post(2, 2), HV_STATUS_SUCCESS);
	/* The guest frees the slot but has not written EOM yet: a new post
	 * must not overtake message 2, which goes first. */
	slot(2)->header.message_type = 0;
	assert_int_equal(post(2, 3), HV_STATUS_SUCCESS);
	assert_slot(2, 2, true);
	assert_int_equal(syn.nqueued, 1);
	assert_true(consume(2));
	assert_slot(2, 3, false);
	assert_int_equal(raised.n, 3);
}

static void test_queue_full(void **state)
{
	int i;

	(void)state;
	enable();
	assert_int_equal(post(2, 0), HV_STATUS_SUCCESS);
	for (i = 1; i <= SYNIC_QUEUE_LEN; i++)
		assert_int_equal(post(2, i), HV_STATUS_SUCCESS);
	assert_int_equal(syn.nqueued, SYNIC_QUEUE_LEN);
	assert_int_equal(post(2, 99), HV_STATUS_INSUFFICIENT_BUFFERS);
	/* A message for a free slot needs no queue entry. */
	assert_int_equal(post(3, 30), HV_STATUS_SUCCESS);
	assert_slot(3, 30, false);
	assert_int_equal(post(3, 31), HV_STATUS_INSUFFICIENT_BUFFERS);
	/* Draining frees entries in order; message 99 was never queued. */
	for (i = 1; i <= SYNIC_QUEUE_LEN; i++) {
		assert_true(consume(2));
		assert_slot(2, i, i < SYNIC_QUEUE_LEN);
	}
	assert_false(consume(2));
	assert_int_equal(syn.nqueued, 0);
	assert_int_equal(post(2, 100), HV_STATUS_SUCCESS);
	assert_slot(2, 100, false);
}

static void test_queue_per_sint(void **state)
{
	(void)state;
	enable();
	wrmsr(HV_X64_MSR_SINT0 + 4, 0x44);
	assert_int_equal(post(2, 1), HV_STATUS_SUCCESS);
	assert_int_equal(post(4, 1), HV_STATUS_SUCCESS);
	assert_int_equal(post(2, 2), HV_STATUS_SUCCESS);
	assert_int_equal(post(4, 2), HV_STATUS_SUCCESS);
	assert_int_equal(post(2, 3), HV_STATUS_SUCCESS);
	assert_int_equal(syn.nqueued, 3);
	/* Freeing SINT4's slot delivers SINT4's next, not the older SINT2 one. */
	assert_true(consume(4));
	assert_int_equal(slot(4)->payload[0] & 0xFF, 2);
	assert_slot(2, 1, true);
	assert_int_equal(syn.nqueued, 2);
	/* Freeing SINT2 without EOM; an EOI of its vector retries. */
	slot(2)->header.message_type = 0;
	synic_deliver_queued(&syn, &env);
	assert_slot(2, 2, true);
	assert_true(consume(2));
	assert_slot(2, 3, false);
	assert_int_equal(syn.nqueued, 0);
}

static void test_queue_while_disabled(void **state)
{
	(void)state;
	enable();
	assert_int_equal(post(2, 1), HV_STATUS_SUCCESS);
	assert_int_equal(post(2, 2), HV_STATUS_SUCCESS);
	/* Linux hv_synic_disable_regs, then a fresh page (kexec). */
	wrmsr(HV_X64_MSR_SINT0 + 2, VMBUS_VECTOR | HV_SYNIC_SINT_MASKED);
	wrmsr(HV_X64_MSR_SIMP, gpa(SIM));
	wrmsr(HV_X64_MSR_SCONTROL, 0);
	memset(pages[SIM], 0, PAGE_SIZE);
	snapshot();
	/* TLFS "SIM Page": a disabled page keeps messages queued. */
	wrmsr(HV_X64_MSR_EOM, 0);
	synic_deliver_queued(&syn, &env);
	assert_pages_unchanged();
	assert_int_equal(syn.nqueued, 1);
	wrmsr(HV_X64_MSR_SIMP, gpa(SIM) | HV_X64_MSR_PAGE_ENABLE);
	assert_pages_unchanged();
	/* Enabling delivers what waited: the new page has no MessagePending
	 * that would make the guest write EOM. */
	wrmsr(HV_X64_MSR_SCONTROL, HV_SYNIC_CONTROL_ENABLE);
	assert_slot(2, 2, false);
	assert_int_equal(syn.nqueued, 0);
	assert_int_equal(raised.n, 1); /* only the first: SINT2 was masked */
}

static void test_dedicated(void **state)
{
	struct hv_message m = make(HVMSG_TIMER_EXPIRED, 24, 7);

	(void)state;
	enable();
	assert_int_equal(synic_post_dedicated(&syn, 2, &m, &env), HV_STATUS_SUCCESS);
	assert_int_equal(slot(2)->header.message_type, HVMSG_TIMER_EXPIRED);
	assert_int_equal(slot(2)->header.message_flags, 0);
	assert_int_equal(raised.n, 1);
	/* Busy: refused, not queued, MessagePending set. */
	slot(2)->header.message_type = HVMSG_VMBUS;
	assert_int_equal(synic_post_dedicated(&syn, 2, &m, &env), HV_STATUS_OBJECT_IN_USE);
	assert_int_equal(slot(2)->header.message_type, HVMSG_VMBUS);
	assert_int_equal(slot(2)->header.message_flags, HV_MESSAGE_FLAG_PENDING);
	assert_int_equal(syn.nqueued, 0);
	/* Queued messages for the SINT go first, even into a free slot. */
	assert_int_equal(post(2, 1), HV_STATUS_SUCCESS);
	assert_int_equal(post(2, 2), HV_STATUS_SUCCESS);
	slot(2)->header.message_type = 0;
	assert_int_equal(synic_post_dedicated(&syn, 2, &m, &env), HV_STATUS_OBJECT_IN_USE);
	assert_slot(2, 1, true);
	assert_true(consume(2));
	assert_slot(2, 2, false);
	assert_false(consume(2));
	assert_int_equal(synic_post_dedicated(&syn, 2, &m, &env), HV_STATUS_SUCCESS);
	assert_int_equal(slot(2)->header.message_type, HVMSG_TIMER_EXPIRED);
	/* Disabled as for posts. */
	wrmsr(HV_X64_MSR_SIMP, 0);
	assert_int_equal(synic_post_dedicated(&syn, 2, &m, &env), HV_STATUS_INVALID_SYNIC_STATE);
}

static void test_event_flags(void **state)
{
	bool newly;

	(void)state;
	enable();
	snapshot();
	assert_int_equal(synic_signal_event(&syn, 2, 5, &newly, &env), HV_STATUS_SUCCESS);
	assert_true(newly);
	assert_int_equal(flags(2)[0], 1 << 5);
	assert_int_equal(raised.n, 1);
	assert_int_equal(raised.vector[0], VMBUS_VECTOR);
	assert_true(raised.auto_eoi[0]);
	/* Already set: no interrupt. */
	assert_int_equal(synic_signal_event(&syn, 2, 5, &newly, &env), HV_STATUS_SUCCESS);
	assert_false(newly);
	assert_int_equal(raised.n, 1);
	/* Bit flag % 8 of byte flag / 8, in the SINT's 256-byte slot. */
	assert_int_equal(synic_signal_event(&syn, 2, 2047, &newly, &env), HV_STATUS_SUCCESS);
	assert_true(newly);
	assert_int_equal(flags(2)[255], 0x80);
	assert_int_equal(synic_signal_event(&syn, 3, 10, &newly, &env), HV_STATUS_SUCCESS);
	assert_int_equal(flags(3)[1], 1 << 2);
	assert_int_equal(raised.n, 3);
	assert_int_equal(raised.vector[2], 0x40);
	assert_false(raised.auto_eoi[2]);
	before[SIEF][2 * 256] = 1 << 5;
	before[SIEF][2 * 256 + 255] = 0x80;
	before[SIEF][3 * 256 + 1] = 1 << 2;
	assert_pages_unchanged();
	/* The guest clears the flag: the next signal interrupts again. */
	__atomic_fetch_and(&flags(2)[0], (u8) ~(1 << 5), __ATOMIC_SEQ_CST);
	assert_int_equal(synic_signal_event(&syn, 2, 5, &newly, &env), HV_STATUS_SUCCESS);
	assert_true(newly);
	assert_int_equal(raised.n, 4);
	/* Polling: the flag is set without an interrupt. */
	wrmsr(HV_X64_MSR_SINT0 + 3, 0x40 | HV_SYNIC_SINT_POLLING);
	assert_int_equal(synic_signal_event(&syn, 3, 11, &newly, &env), HV_STATUS_SUCCESS);
	assert_true(newly);
	assert_int_equal(flags(3)[1], 3 << 2);
	assert_int_equal(raised.n, 4);
}

static void test_event_invalid(void **state)
{
	bool newly = true;

	(void)state;
	enable();
	snapshot();
	assert_int_equal(synic_signal_event(&syn, 16, 0, &newly, &env),
			 HV_STATUS_INVALID_PARAMETER);
	assert_false(newly);
	assert_int_equal(synic_signal_event(&syn, 2, 2048, &newly, &env),
			 HV_STATUS_INVALID_PARAMETER);
	assert_int_equal(synic_signal_event(&syn, 2, 0xFFFFFFFF, &newly, &env),
			 HV_STATUS_INVALID_PARAMETER);
	/* TLFS "Event Flag Delivery": masked is an error; no flag set. */
	assert_int_equal(synic_signal_event(&syn, 5, 1, &newly, &env),
			 HV_STATUS_INVALID_SYNIC_STATE);
	wrmsr(HV_X64_MSR_SIEFP, gpa(SIEF));
	assert_int_equal(synic_signal_event(&syn, 2, 1, &newly, &env),
			 HV_STATUS_INVALID_SYNIC_STATE);
	wrmsr(HV_X64_MSR_SIEFP, 0x9000 | HV_X64_MSR_PAGE_ENABLE);
	assert_int_equal(synic_signal_event(&syn, 2, 1, &newly, &env),
			 HV_STATUS_INVALID_SYNIC_STATE);
	assert_false(newly);
	assert_int_equal(raised.n, 0);
	assert_pages_unchanged();
}

static void test_pending_set_on_busy_slot_only(void **state)
{
	(void)state;
	enable();
	/* A free slot's stale flags are replaced, not ORed into. */
	slot(2)->header.message_flags = HV_MESSAGE_FLAG_PENDING;
	slot(2)->header.reserved = 0xFFFF;
	assert_int_equal(post(2, 1), HV_STATUS_SUCCESS);
	assert_slot(2, 1, false);
	/* The guest's own flags in other slots are left alone. */
	assert_int_equal(slot(3)->header.message_flags, 0);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_reset_values, setup),
	    cmocka_unit_test_setup(test_handles_msr, setup),
	    cmocka_unit_test_setup(test_msr_write_rules, setup),
	    cmocka_unit_test_setup(test_enable_keeps_page, setup),
	    cmocka_unit_test_setup(test_post_disabled, setup),
	    cmocka_unit_test_setup(test_post_invalid_parameter, setup),
	    cmocka_unit_test_setup(test_post_free_slot, setup),
	    cmocka_unit_test_setup(test_post_masked_or_polling, setup),
	    cmocka_unit_test_setup(test_post_busy_slot, setup),
	    cmocka_unit_test_setup(test_fifo_across_eom, setup),
	    cmocka_unit_test_setup(test_fifo_no_overtaking, setup),
	    cmocka_unit_test_setup(test_queue_full, setup),
	    cmocka_unit_test_setup(test_queue_per_sint, setup),
	    cmocka_unit_test_setup(test_queue_while_disabled, setup),
	    cmocka_unit_test_setup(test_dedicated, setup),
	    cmocka_unit_test_setup(test_event_flags, setup),
	    cmocka_unit_test_setup(test_event_invalid, setup),
	    cmocka_unit_test_setup(test_pending_set_on_busy_slot_only, setup),
	};
	return unit_run("synic", tests, ARRAY_SIZE(tests), NULL);
}
