/* What guests/child.c and guests/testroot.c agree on. */
#ifndef GUEST_CHILDPROTO_H
#define GUEST_CHILDPROTO_H

#include "types.h"

/* OUT here: the child pauses for the root; the value says where. */
#define CHILD_SYNC_PORT		0x510
#define CHILD_SYNC_CHECKED	1	/* first checks done, siblings may run */
#define CHILD_SYNC_SPINNING	2	/* about to spin with interrupts off */

/* A CPUID leaf the root intercepts, and its answer in EAX. */
#define CHILD_CPUID_LEAF	0x40001234
#define CHILD_CPUID_ANSWER	0x5E97

/* Unmapped until the child reads it; the root then maps a page with
 * this value at the start, and at CHILD_SYNC_CHECKED swaps in another
 * page holding the second value. */
#define CHILD_LATE_GPA		0x80000000ULL
#define CHILD_LATE_MAGIC	0x5E97ABCD12345678ULL
#define CHILD_LATE_MAGIC2	0x5E97ABCD87654321ULL

/* The HvPostMessage the child sends for the root to complete. */
#define CHILD_POST_CONNECTION	1
#define CHILD_POST_TYPE		1
#define CHILD_POST_PAYLOAD	0x5E970000C0FFEE01ULL

#define CHILD_UNKNOWN_MSR	0x12345678

/*
 * The "synic" child: a partition of its own with two VPs. VP 0 syncs at
 * each step below and the root acts (posts, signals, starts VP 1) before
 * it dispatches VP 0 again; VP 1 halts with interrupts on and syncs
 * CHILD_SYNC_AP_IRQ | vector each time a handler of its ran.
 */
#define CHILD_SYNC_AP_START	0x10	/* the mailbox has VP 1's entry: start it */
#define CHILD_SYNC_IPI_SENT	0x11	/* VP 0 sent VP 1 vector CHILD_IPI_VECTOR */
#define CHILD_SYNC_POST		0x12	/* SynIC on: post the messages below */
#define CHILD_SYNC_FILL_QUEUE	0x13	/* fill SINT 6's slot and the queue */
#define CHILD_SYNC_SIGNAL	0x14	/* signal event flag 5 on SINT 2 */
#define CHILD_SYNC_STIMER	0x15	/* STIMER0 armed (mailbox), about to halt */
#define CHILD_SYNC_STIMER_DONE	0x16	/* its handler ran */
#define CHILD_SYNC_IDLE		0x17	/* about to read GUEST_IDLE with IF = 0 */
#define CHILD_SYNC_IDLE_DONE	0x18	/* the read returned */
#define CHILD_SYNC_DONE		0x19	/* summary out, timers armed: delete us */
#define CHILD_SYNC_AP_IRQ	0x100	/* | vector: VP 1's handler ran */

#define CHILD_ASSERT_VECTOR	0x70	/* the root asserts it on VP 1 */
#define CHILD_IPI_VECTOR	0x71	/* VP 0 sends it to VP 1 */
#define CHILD_IDLE_VECTOR	0x57	/* the root asserts it on VP 0 in GUEST_IDLE */

/* SINTs the synic child enables, and what the root posts to each. */
#define CHILD_SINT_MSG		2	/* vector 0x52: two messages, then event flag 5 */
#define CHILD_SINT_TIMER	3	/* vector 0x55: STIMER1's expiry message */
#define CHILD_SINT_AUTO_EOI	4	/* vector 0x54, AutoEOI: one message */
#define CHILD_SINT_MASKED	5	/* masked: one message, no interrupt */
#define CHILD_SINT_QUEUE	6	/* masked: the slot, then the queue, filled */
#define CHILD_MSG_TYPE		1
#define CHILD_MSG_MAGIC		0x5E97C0DE00000000ULL	/* | message number */
#define CHILD_EVENT_FLAG	5

/* Shared between the synic child and the root (which reads and writes it
 * through its own view of the child's page). */
#define CHILD_MAILBOX_GPA	0xA000
struct child_mailbox {
	u64 ap_entry, ap_stack;	/* VP 1's RIP and RSP, from the child */
	u64 root_tsc_hz;	/* the root's HV_X64_MSR_TSC_FREQUENCY, from the root */
	u64 stimer_count;	/* STIMER0's one-shot COUNT, from the child */
	u64 stimer_fired;	/* TIME_REF_COUNT in its handler; 0 = not yet */
};

#endif
