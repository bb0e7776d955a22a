/*
 * The child's three lives (guests/child.c): "" meets the root's intercepts
 * (CPUID, HvPostMessage, an unmapped GPA, port I/O) and pauses for its
 * siblings; "spin" spins with interrupts off (signals end RUN); "synic"
 * checks the SynIC, timers and virtual APIC with two VPs while the VMWP
 * posts, signals, asserts, kicks and sleeps through its halts.
 */
#include "vidtest.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "childproto.h"		/* guests/lib: what the child and its root agree on */
#include "hv/msr.h"
#include "hv/partition.h"
#include "hv/status.h"
#include "septum/testdev.h"
#include "synic.h"		/* hypervisor/include: SYNIC_QUEUE_LEN */

#define NO_SUCH_APIC_ID	7
#define PROBE_PORT	0x511		/* the TSC-frequency probe reports here */
#define PROBE_CODE_GPA	0x8000
#define PROBE_STACK_GPA	0x9000

/* ---- the main child: its intercepts, then its siblings ---- */

static struct {
	bool cpuid, post, late;
	u8 *late_page;		/* mapped at CHILD_LATE_GPA */
	u8 *late_page2;
} seen;

static bool long_mode_header(struct guest *g, const struct hv_message *msg)
{
	const struct hv_x64_intercept_message_header *h = msg_header(msg);
	u16 want = HV_X64_VP_EXECUTION_STATE_CR0_PE | HV_X64_VP_EXECUTION_STATE_EFER_LMA;

	snprintf(g->why, sizeof(g->why), "vp %u state %x cs %x/%x", h->vp_index,
		 h->execution_state, h->cs_segment.selector, h->cs_segment.attributes);
	return h->vp_index == 0 &&
	       (h->execution_state & (want | HV_X64_VP_EXECUTION_STATE_CPL_MASK)) == want &&
	       h->cs_segment.selector == 0x08;
}

static bool handle_cpuid(struct guest *g, const struct hv_message *msg)
{
	const struct hv_x64_cpuid_intercept_message *m = (const void *)msg->payload;
	const struct hv_register_assoc regs[] = {
		reg64(HV_X64_REGISTER_RAX, CHILD_CPUID_ANSWER), reg64(HV_X64_REGISTER_RBX, 0),
		reg64(HV_X64_REGISTER_RCX, 0), reg64(HV_X64_REGISTER_RDX, 0),
		reg64(HV_X64_REGISTER_RIP, m->header.rip + msg_insn_len(msg)),
	};
	bool hdr = long_mode_header(g, msg);

	report(!seen.cpuid && m->rax == CHILD_CPUID_LEAF && msg_insn_len(msg) == 2 && hdr,
	       "cpuid-intercept", "leaf %lx, length %u, %s", m->rax, msg_insn_len(msg), g->why);
	seen.cpuid = true;
	return complete(g, g->vp[0], regs, 5);
}

static bool handle_hypercall(struct guest *g, const struct hv_message *msg)
{
	const struct hv_x64_hypercall_intercept_message *m = (const void *)msg->payload;
	const struct hv_input_post_message *in =
		m->rdx < CHILD_RAM - sizeof(*in) && !(m->rdx & 7) ? gpa(g, m->rdx) : NULL;
	const struct hv_register_assoc regs[] = {
		reg64(HV_X64_REGISTER_RAX, HV_STATUS_SUCCESS),
		reg64(HV_X64_REGISTER_RIP, m->header.rip + msg_insn_len(msg)),
	};
	bool hdr = long_mode_header(g, msg);

	report(!seen.post && (m->rcx & HV_HYPERCALL_CODE_MASK) == HVCALL_POST_MESSAGE && in &&
		       in->connection_id == CHILD_POST_CONNECTION &&
		       in->message_type == CHILD_POST_TYPE && in->payload_size == 8 &&
		       in->payload[0] == CHILD_POST_PAYLOAD && msg_insn_len(msg) == 3 && hdr,
	       "post-message-intercept", "control %lx input %lx, length %u; %s", m->rcx, m->rdx,
	       msg_insn_len(msg), g->why);
	seen.post = true;
	return complete(g, g->vp[0], regs, 2);
}

u8 *late_page(u64 magic)
{
	u8 *p = mmap(NULL, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	memcpy(p, &magic, sizeof(magic));
	return p;
}

static bool handle_unmapped(struct guest *g, const struct hv_message *msg)
{
	const struct hv_x64_memory_intercept_message *m = (const void *)msg->payload;
	bool hdr = long_mode_header(g, msg);
	long r;

	report(!seen.late && m->guest_physical_address == CHILD_LATE_GPA &&
		       m->header.intercept_access_type == HV_INTERCEPT_ACCESS_READ && hdr,
	       "unmapped-gpa-intercept", "GPA %lx access %u; %s", m->guest_physical_address,
	       m->header.intercept_access_type, seen.late ? "faulted again after the map" : g->why);
	if (seen.late || m->guest_physical_address != CHILD_LATE_GPA) {
		snprintf(g->why, sizeof(g->why), "unexpected unmapped GPA %lx",
			 m->guest_physical_address);
		return false;
	}
	seen.late = true;
	seen.late_page = late_page(CHILD_LATE_MAGIC);
	r = seen.late_page ? map(g->part, CHILD_LATE_GPA / PAGE_SIZE, 1, seen.late_page, RWX) : -1;
	report(!r, "map-after-intercept", "MAP_MEMORY of one page at %llx: %s", CHILD_LATE_GPA,
	       err_name(r));
	return !r;
}

/* Runs the main child, answering its intercepts, until it syncs with
 * `until` (returned), halts (0) or something else happens (-1). */
static int run_main_child(struct guest *g, u32 until)
{
	for (;;) {
		int r = child_run(g, 0, 0);
		bool ok;

		if (r < 0 || (r > 0 && (u32)r == until))
			return r;
		if (r > 0) {
			snprintf(g->why, sizeof(g->why), "sync %d where %u was due", r, until);
			return -1;
		}
		switch (g->run.message.header.message_type) {
		case HVMSG_X64_CPUID_INTERCEPT:
			ok = handle_cpuid(g, &g->run.message);
			break;
		case HVMSG_HYPERCALL_INTERCEPT:
			ok = handle_hypercall(g, &g->run.message);
			break;
		case HVMSG_UNMAPPED_GPA:
			ok = handle_unmapped(g, &g->run.message);
			break;
		case HVMSG_X64_HALT:
			return 0;
		default:
			snprintf(g->why, sizeof(g->why), "unexpected: %s", describe(&g->run));
			ok = false;
		}
		if (!ok)
			return -1;
	}
}

/* What the root does while the child waits at CHILD_SYNC_CHECKED. */
static void main_child_paused(struct guest *g)
{
	u64 val = 1;
	long r1, r2, r3;

	r1 = property(g->part, true, HV_PARTITION_PROPERTY_UNIMPLEMENTED_MSR_ACTION, &val);
	val = 0;
	r2 = property(g->part, false, HV_PARTITION_PROPERTY_UNIMPLEMENTED_MSR_ACTION, &val);
	report(!r1 && !r2 && val == 1, "property-unimplemented-msr-action",
	       "set %s, get %s value %lu", err_name(r1), err_name(r2), val);

	seen.late_page2 = late_page(CHILD_LATE_MAGIC2);
	r1 = r2 = -1;
	if (seen.late && seen.late_page2) {
		r1 = unmap(g->part, CHILD_LATE_GPA / PAGE_SIZE, 1);
		r2 = map(g->part, CHILD_LATE_GPA / PAGE_SIZE, 1, seen.late_page2, RWX);
	}
	r3 = unmap(g->part, CHILD_LATE_GPA / PAGE_SIZE, 1);
	report(!r1 && !r2 && r3 == 0, "unmap-map-unmap", "unmap %s, map %s, unmap %s",
	       err_name(r1), err_name(r2), err_name(r3));
	r2 = map(g->part, CHILD_LATE_GPA / PAGE_SIZE, 1, seen.late_page2, RWX);
	report(!r2, "remap-gpa", "map of the second page again: %s", err_name(r2));
}

/* ---- the spinning sibling: signals, two partitions ---- */

static void test_spin_child(struct guest *s, struct guest *a)
{
	struct septum_vid_stats st0, st1, all;
	double t0, t1;
	long r1, r2;
	u64 rip = 0;
	int sync;

	if (!guest_build(s, "spin")) {
		report(false, "two-partitions", "the spinning child: %s", s->why);
		return;
	}
	report(stats(dev, &all) && all.partitions == 2 && all.vps == 2, "two-partitions",
	       "/dev/septum says %u partitions, %u VPs", all.partitions, all.vps);
	sync = child_run(s, 0, 0);
	if (sync != CHILD_SYNC_SPINNING) {
		report(false, "signal-interrupts-run", "the spinning child: %s", outcome(s, sync));
		return;
	}
	stats(s->part, &st0);
	t0 = now_s();
	memset(&s->run, 0, sizeof(s->run));
	arm_alarm_ms(200);
	r1 = vid(s->vp[0], SEPTUM_VID_RUN, &s->run);
	t1 = now_s();
	arm_alarm_ms(0);
	stats(s->part, &st1);
	report(r1 == -EINTR && alarms && t1 - t0 >= 0.15, "signal-interrupts-run",
	       "RUN returned %s after %.3f s, %d alarms", err_name(r1), t1 - t0, (int)alarms);
	report(st1.preemptions > st0.preemptions && st1.dispatches > st0.dispatches &&
		       st1.intercepts == st0.intercepts,
	       "preemptions-counted", "dispatches %llu -> %llu, preemptions %llu -> %llu",
	       (unsigned long long)st0.dispatches, (unsigned long long)st1.dispatches,
	       (unsigned long long)st0.preemptions, (unsigned long long)st1.preemptions);

	/* Again: the VP goes on where it was, and a signal ends it again. */
	alarms = 0;
	arm_alarm_ms(100);
	r2 = vid(s->vp[0], SEPTUM_VID_RUN, &s->run);
	arm_alarm_ms(0);
	get_reg(s->vp[0], HV_X64_REGISTER_RIP, &rip);
	report(r2 == -EINTR && rip >= SEPTUM_TESTGUEST_LOAD_GPA &&
		       rip < SEPTUM_TESTGUEST_LOAD_GPA + image_size,
	       "run-resumes-after-eintr", "second RUN %s, RIP %lx", err_name(r2), rip);

	/* The VMM lets go of the guest RAM: the pins keep it for the child. */
	munmap(s->ram, CHILD_RAM);
	s->ram = NULL;
	alarms = 0;
	memset(&s->run, 0, sizeof(s->run));
	arm_alarm_ms(50);
	r2 = vid(s->vp[0], SEPTUM_VID_RUN, &s->run);
	arm_alarm_ms(0);
	get_reg(s->vp[0], HV_X64_REGISTER_RIP, &rip);
	report(r2 == -EINTR && rip >= SEPTUM_TESTGUEST_LOAD_GPA &&
		       rip < SEPTUM_TESTGUEST_LOAD_GPA + image_size,
	       "run-after-vmm-munmap", "RUN %s, RIP %lx", err_name(r2), rip);

	/* The other partition is not disturbed by its sibling. */
	report(a->part >= 0 && stats(a->part, &st0) && st0.mapped_pages == CHILD_PAGES + 1,
	       "sibling-partition-intact", "main child maps %llu pages",
	       (unsigned long long)st0.mapped_pages);
}

/* ---- the synic child: SynIC, timers, virtual APIC, two VPs ---- */

static struct child_mailbox *mailbox(struct guest *g)
{
	return gpa(g, CHILD_MAILBOX_GPA);
}

/*
 * The mailbox wants the root's HV_X64_MSR_TSC_FREQUENCY, which user space
 * cannot read: VP 1 reads it for us first (rdmsr; out to PROBE_PORT), before
 * it becomes the child's second CPU.
 */
static bool probe_tsc_hz(struct guest *g, u64 *hz)
{
	static const u8 code[] = {
		0xB9, 0x22, 0x00, 0x00, 0x40,	/* mov ecx, HV_X64_MSR_TSC_FREQUENCY */
		0x0F, 0x32,			/* rdmsr */
		0x48, 0xC1, 0xE2, 0x20,		/* shl rdx, 32 */
		0x48, 0x09, 0xD0,		/* or rax, rdx */
		0xBA, 0x11, 0x05, 0x00, 0x00,	/* mov edx, PROBE_PORT */
		0xEF,				/* out dx, eax */
		0xEB, 0xFE,			/* jmp . */
	};
	const struct hv_x64_io_port_intercept_message *m = (const void *)g->run.message.payload;
	long r;

	memcpy(gpa(g, PROBE_CODE_GPA), code, sizeof(code));
	r = long_mode(g->vp[1], PROBE_CODE_GPA, PROBE_STACK_GPA);
	if (!r)
		r = run_once(g, 1, 0);
	if (r || g->run.message.header.message_type != HVMSG_X64_IO_PORT_INTERCEPT ||
	    m->port_number != PROBE_PORT) {
		snprintf(g->why, sizeof(g->why), "TSC probe on VP 1: %s, %s", err_name(r),
			 describe(&g->run));
		return false;
	}
	*hz = m->rax;
	return true;
}

static bool synic_reset(struct guest *g)
{
	int r = child_run(g, 0, 0);
	const struct hv_x64_msr_intercept_message *m = (const void *)g->run.message.payload;
	bool ok = r == 0 && g->run.message.header.message_type == HVMSG_X64_MSR_INTERCEPT &&
		  m->msr_number == HV_X64_MSR_RESET &&
		  m->header.intercept_access_type == HV_INTERCEPT_ACCESS_WRITE &&
		  (u32)m->rax == 1 && msg_insn_len(&g->run.message) == 2;
	struct hv_register_assoc rip;

	report(ok, "msr-intercept", "%s: msr %x access %u", outcome(g, r), m->msr_number,
	       m->header.intercept_access_type);
	if (!ok)
		return false;
	rip = reg64(HV_X64_REGISTER_RIP, m->header.rip + 2);
	return complete(g, g->vp[0], &rip, 1);
}

static long assert_irq(struct guest *g, u64 dest, u32 vector)
{
	struct septum_vid_interrupt a = { .type = HV_X64_INTERRUPT_TYPE_FIXED, .vector = vector,
					  .dest_apic_id = dest };

	return vid(g->part, SEPTUM_VID_ASSERT_INTERRUPT, &a);
}

/* A second thread: kicks and interrupts while the first sleeps in RUN. */
struct later {
	struct guest *g;
	int vp;			/* RUN (want EBUSY) and KICK this VP first (-1: no) */
	u64 dest;
	u32 vector;
	long busy;		/* that RUN's result */
	long result;		/* ASSERT_INTERRUPT's */
};

static void *later_thread(void *arg)
{
	struct later *l = arg;
	struct septum_vid_run run = { 0 };

	sleep_ms(50);
	if (l->vp >= 0) {
		l->busy = vid(l->g->vp[l->vp], SEPTUM_VID_RUN, &run);
		vid(l->g->vp[l->vp], SEPTUM_VID_KICK, NULL);
	}
	sleep_ms(50);
	l->result = assert_irq(l->g, l->dest, l->vector);
	return NULL;
}

/* A waiting RUN while another thread kicks, then asserts; how long it took. */
/* This thread's CPU time: the hypervisor's, while in a hypercall, included. */
static double cpu_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static int run_with_later(struct guest *g, int vpi, struct later *l, double *took,
			  u64 *waits)
{
	struct septum_vid_stats s0, s1;
	pthread_t t;
	double t0;
	int r;

	stats(g->part, &s0);
	t0 = now_s();
	if (pthread_create(&t, NULL, later_thread, l)) {
		snprintf(g->why, sizeof(g->why), "pthread_create failed");
		return -1;
	}
	r = child_run(g, vpi, 0);
	pthread_join(t, NULL);
	*took = now_s() - t0;
	stats(g->part, &s1);
	*waits = s1.blocked_waits - s0.blocked_waits;
	return r;
}

static bool synic_vp1(struct guest *g)
{
	const struct child_mailbox *mb = mailbox(g);
	struct later l = { .g = g, .vp = 1, .dest = 1, .vector = CHILD_ASSERT_VECTOR };
	double took, cpu;
	u64 waits;
	long r;
	int s;

	if (!expect_sync(g, 0, CHILD_SYNC_AP_START, "vp1-halt-blocks"))
		return false;
	r = long_mode(g->vp[1], mb->ap_entry, mb->ap_stack);
	s = r ? -1 : child_run(g, 1, SEPTUM_VID_RUN_NO_WAIT);
	report(is_blocked(s, &g->run) && !g->run.next_timer_deadline, "vp1-halt-blocks",
	       "entry %lx: SET_REGS %s, then %s (want BLOCKED, no deadline)", mb->ap_entry,
	       err_name(r), outcome(g, s));
	if (!is_blocked(s, &g->run))
		return false;

	/* RUN sleeps for the halted VP 1; a KICK dispatches it again (still
	 * halted: it sleeps again), the interrupt from the other thread wakes it. */
	s = run_with_later(g, 1, &l, &took, &waits);
	report(s == (CHILD_SYNC_AP_IRQ | CHILD_ASSERT_VECTOR) && !l.result && took >= 0.09,
	       "assert-interrupt-wakes-run", "ASSERT_INTERRUPT %s; RUN then %s after %.3f s",
	       err_name(l.result), outcome(g, s), took);
	report(waits >= 2, "kick-redispatches",
	       "%lu blocked waits (want one before the KICK, one after)", waits);
	report(l.busy == -EBUSY, "concurrent-run-busy",
	       "a second thread's RUN of the VP the first runs: %s", err_name(l.busy));
	s = child_run(g, 1, SEPTUM_VID_RUN_NO_WAIT);
	report(is_blocked(s, &g->run), "vp1-halts-again", "%s", outcome(g, s));
	/* Asleep for the halted VP, without a deadline: a signal ends it. */
	alarms = 0;
	memset(&g->run, 0, sizeof(g->run));
	took = now_s();
	cpu = cpu_s();
	arm_alarm_ms(100);
	r = vid(g->vp[1], SEPTUM_VID_RUN, &g->run);
	cpu = cpu_s() - cpu;
	took = now_s() - took;
	arm_alarm_ms(0);
	report(cpu < took / 4, "blocked-run-sleeps",
	       "RUN of the halted VP: %.3f s of CPU in %.3f s", cpu, took);
	report(r == -EINTR && alarms && took >= 0.09, "signal-interrupts-blocked-run",
	       "RUN %s after %.3f s", err_name(r), took);
	r = assert_irq(g, NO_SUCH_APIC_ID, CHILD_ASSERT_VECTOR);
	report(r == -EINVAL, "assert-interrupt-no-such-apic", "APIC id %u: %s", NO_SUCH_APIC_ID,
	       err_name(r));
	if (!expect_sync(g, 0, CHILD_SYNC_IPI_SENT, "ipi-vp0-to-vp1"))
		return false;
	s = child_run(g, 1, SEPTUM_VID_RUN_NO_WAIT);
	report(s == (CHILD_SYNC_AP_IRQ | CHILD_IPI_VECTOR), "ipi-vp0-to-vp1",
	       "VP 1 after VP 0's IPI: %s", outcome(g, s));
	return true;
}

static long post(struct guest *g, u32 vp, u32 sint, u32 type, u64 number, u8 size)
{
	struct septum_vid_message m = { .vp_index = vp, .sint = sint };

	m.message.header.message_type = type;
	m.message.header.payload_size = size;
	m.message.payload[0] = CHILD_MSG_MAGIC | number;
	m.message.payload[1] = ~(CHILD_MSG_MAGIC | number);
	return vid(g->part, SEPTUM_VID_POST_MESSAGE, &m);
}

static bool synic_post(struct guest *g)
{
	long r, r1, r2, r3;
	u32 n;

	if (!expect_sync(g, 0, CHILD_SYNC_POST, "post-message"))
		return false;
	r = post(g, 1, CHILD_SINT_MSG, CHILD_MSG_TYPE, 0, 16);
	report(r == -ENXIO, "post-synic-off", "to VP 1, whose SynIC is off: %s", err_name(r));
	r = post(g, 0, CHILD_SINT_MSG, CHILD_MSG_TYPE, 0, HV_MESSAGE_PAYLOAD_BYTES + 1);
	report(r == -EINVAL, "post-payload-241", "%s", err_name(r));
	r = post(g, 0, CHILD_SINT_MSG, HVMSG_TIMER_EXPIRED, 0, 16);
	report(r == -EINVAL, "post-hypervisor-type", "%s", err_name(r));
	r1 = post(g, 0, CHILD_SINT_MSG, CHILD_MSG_TYPE, 1, 16);
	r2 = post(g, 0, CHILD_SINT_MSG, CHILD_MSG_TYPE, 2, 16);
	r3 = post(g, 0, CHILD_SINT_AUTO_EOI, CHILD_MSG_TYPE, 3, 16);
	report(!r1 && !r2 && !r3, "post-message", "SINT 2 twice: %s, %s; SINT 4: %s",
	       err_name(r1), err_name(r2), err_name(r3));
	r = post(g, 0, CHILD_SINT_MASKED, CHILD_MSG_TYPE, 4, 16);
	report(!r, "post-masked-sint", "%s", err_name(r));

	if (!expect_sync(g, 0, CHILD_SYNC_FILL_QUEUE, "post-queue-full"))
		return false;
	for (n = 0; n < 2 * SYNIC_QUEUE_LEN; n++)
		if ((r = post(g, 0, CHILD_SINT_QUEUE, CHILD_MSG_TYPE, n, 16)))
			break;
	report(n == SYNIC_QUEUE_LEN + 1 && r == -EAGAIN, "post-queue-full",
	       "%u accepted (want the slot and %u queued), then %s", n, SYNIC_QUEUE_LEN,
	       err_name(r));
	return true;
}

static long signal_event(struct guest *g, u32 vp, u8 sint, u16 flag, u32 *newly)
{
	struct septum_vid_event e = { .vp_index = vp, .sint = sint, .flag = flag };
	long r = vid(g->part, SEPTUM_VID_SIGNAL_EVENT, &e);

	*newly = e.newly_signaled;
	return r;
}

static bool synic_signal(struct guest *g)
{
	u32 n1 = 9, n2 = 9, n3;
	long r1, r2, r;

	if (!expect_sync(g, 0, CHILD_SYNC_SIGNAL, "signal-event"))
		return false;
	r1 = signal_event(g, 0, CHILD_SINT_MSG, CHILD_EVENT_FLAG, &n1);
	r2 = signal_event(g, 0, CHILD_SINT_MSG, CHILD_EVENT_FLAG, &n2);
	report(!r1 && n1 == 1, "signal-event", "%s, newly_signaled %u", err_name(r1), n1);
	report(!r2 && n2 == 0, "signal-event-again", "%s, newly_signaled %u", err_name(r2), n2);
	r = signal_event(g, 0, CHILD_SINT_MSG, HV_EVENT_FLAGS_BYTES * 8, &n3);
	report(r == -EINVAL, "signal-flag-2048", "%s", err_name(r));
	r = signal_event(g, 0, CHILD_SINT_MASKED, CHILD_EVENT_FLAG, &n3);
	report(r == -ENXIO, "signal-masked-sint", "%s", err_name(r));
	return true;
}

static u64 reftime(struct guest *g)
{
	u64 now = 0;

	property(g->part, false, HV_PARTITION_PROPERTY_REFERENCE_TIME, &now);
	return now;
}

/* STIMER0: the halted VP reports its deadline; RUN sleeps until it and
 * dispatches the VP again (the child checks its handler ran no earlier). */
static bool synic_stimer(struct guest *g)
{
	const volatile struct child_mailbox *mb = mailbox(g);
	struct septum_vid_stats s0, s1;
	u64 count, now;
	double t0, took;
	int s;

	if (!expect_sync(g, 0, CHILD_SYNC_STIMER, "stimer-deadline"))
		return false;
	count = mb->stimer_count;
	s = child_run(g, 0, SEPTUM_VID_RUN_NO_WAIT);
	report(is_blocked(s, &g->run) && g->run.next_timer_deadline == count, "stimer-deadline",
	       "%s, COUNT %lu", outcome(g, s), count);
	if (!is_blocked(s, &g->run))
		return false;
	stats(g->part, &s0);
	now = reftime(g);
	t0 = now_s();
	s = child_run(g, 0, 0);
	took = now_s() - t0;
	stats(g->part, &s1);
	/* Asleep for what was left (a slow host may have used it up already). */
	report(s == CHILD_SYNC_STIMER_DONE && mb->stimer_fired >= count &&
		       (now >= count || (s1.blocked_waits > s0.blocked_waits &&
					 took >= (count - now) / 1e7 * 0.9)),
	       "run-sleeps-until-deadline",
	       "%s; handler at %lu for COUNT %lu; RUN from %lu took %.4f s, %lu blocked waits",
	       outcome(g, s), mb->stimer_fired, count, now, took,
	       (unsigned long)(s1.blocked_waits - s0.blocked_waits));
	printf("vid: STIMER0: RUN began %.2f ms before its deadline; the handler ran %.2f ms "
	       "after it\n", now < count ? (count - now) / 1e4 : 0.0,
	       mb->stimer_fired >= count ? (mb->stimer_fired - count) / 1e4 : -1.0);
	return s == CHILD_SYNC_STIMER_DONE;
}

static bool synic_idle(struct guest *g)
{
	struct later l = { .g = g, .vp = -1, .dest = 0, .vector = CHILD_IDLE_VECTOR };
	double took;
	u64 waits;
	int s1, s2;

	if (!expect_sync(g, 0, CHILD_SYNC_IDLE, "guest-idle-blocks"))
		return false;
	s1 = child_run(g, 0, SEPTUM_VID_RUN_NO_WAIT);
	report(is_blocked(s1, &g->run) && !g->run.next_timer_deadline, "guest-idle-blocks",
	       "%s (want BLOCKED, no deadline)", outcome(g, s1));
	s2 = child_run(g, 0, SEPTUM_VID_RUN_NO_WAIT);
	report(is_blocked(s2, &g->run), "guest-idle-stays-blocked", "%s", outcome(g, s2));
	s1 = run_with_later(g, 0, &l, &took, &waits);
	report(s1 == CHILD_SYNC_IDLE_DONE && !l.result && took >= 0.09 && waits >= 1,
	       "guest-idle-wakes", "ASSERT_INTERRUPT %s; RUN %s after %.3f s, %lu waits",
	       err_name(l.result), outcome(g, s1), took, waits);
	return s1 == CHILD_SYNC_IDLE_DONE;
}

static bool page_zero(const u8 *p)
{
	for (u32 i = 0; i < PAGE_SIZE; i++)
		if (p[i])
			return false;
	return true;
}

/*
 * After UNMAP_MEMORY of its RAM, nothing of the child's may be written
 * there: the pages are the VMM's again (still mmap'd here). Its SynIC
 * message and event pages were in that RAM; a post, a signal and a
 * dispatch (which delivers queued messages) must leave them alone.
 */
static void test_unmapped_not_written(struct guest *g)
{
	u64 simp = 0, siefp = 0;
	u32 newly;
	long r0, r1, r2, r3;

	get_reg(g->vp[0], HV_REGISTER_SIMP, &simp);
	get_reg(g->vp[0], HV_REGISTER_SIEFP, &siefp);
	simp &= HV_X64_MSR_PAGE_GPA_MASK;
	siefp &= HV_X64_MSR_PAGE_GPA_MASK;
	if (!simp || !siefp || simp >= CHILD_RAM || siefp >= CHILD_RAM) {
		report(false, "unmapped-ram-not-written", "SIMP %lx, SIEFP %lx", simp, siefp);
		return;
	}
	r0 = unmap(g->part, 0, CHILD_PAGES);
	memset(gpa(g, simp), 0, PAGE_SIZE);
	memset(gpa(g, siefp), 0, PAGE_SIZE);
	r1 = post(g, 0, CHILD_SINT_MSG, CHILD_MSG_TYPE, 9, 16);
	r2 = signal_event(g, 0, CHILD_SINT_MSG, CHILD_EVENT_FLAG, &newly);
	r3 = run_once(g, 0, SEPTUM_VID_RUN_NO_WAIT);
	report(!r0 && page_zero(gpa(g, simp)) && page_zero(gpa(g, siefp)),
	       "unmapped-ram-not-written",
	       "UNMAP_MEMORY %s; then post %s, signal %s, RUN %s (%s); SIMP page %s, SIEFP page "
	       "%s",
	       err_name(r0), err_name(r1), err_name(r2), err_name(r3), describe(&g->run),
	       page_zero(gpa(g, simp)) ? "clean" : "WRITTEN",
	       page_zero(gpa(g, siefp)) ? "clean" : "WRITTEN");
	report(!r3 && g->run.message.header.message_type == HVMSG_UNMAPPED_GPA,
	       "unmapped-code-intercept", "RUN %s: %s", err_name(r3), describe(&g->run));
}

void test_synic_child(struct guest *g)
{
	struct septum_vid_stats before, after;
	u64 hz = 0;
	bool ok;

	stats(dev, &before);
	ok = guest_build(g, "synic");
	if (ok && (g->vp[1] = create_vp(g->part, 1)) < 0)
		snprintf(g->why, sizeof(g->why), "CREATE_VP 1: %s", err_name(g->vp[1]));
	ok = ok && g->vp[1] >= 0 && probe_tsc_hz(g, &hz);
	report(ok && hz, "synic-child-build", "%s", g->why);
	if (!ok) {
		guest_close(g);
		return;
	}
	mailbox(g)->root_tsc_hz = hz;
	ok = synic_reset(g) && synic_vp1(g) && synic_post(g) && synic_signal(g) &&
	     synic_stimer(g) && synic_idle(g) &&
	     expect_sync(g, 0, CHILD_SYNC_DONE, "synic-child-suite-complete");
	if (ok)
		check_suite(g, "synic-child-suite-complete");
	else
		report(false, "synic-remaining-steps", "not run: the step above failed");
	if (ok)
		test_unmapped_not_written(g);
	/* Closed mid-run: a periodic timer armed, messages queued. */
	post(g, 0, CHILD_SINT_QUEUE, CHILD_MSG_TYPE, 0, 16);
	guest_close(g);
	stats(dev, &after);
	report(after.hv_free_pages == before.hv_free_pages && after.partitions == 0 &&
		       after.deposited_pages == 0 && after.mapped_pages == 0,
	       "close-running-partition",
	       "hypervisor heap %llu -> %llu pages free; VID: %u partitions, %llu deposited, "
	       "%llu mapped",
	       (unsigned long long)before.hv_free_pages, (unsigned long long)after.hv_free_pages,
	       after.partitions, (unsigned long long)after.deposited_pages,
	       (unsigned long long)after.mapped_pages);
}


void test_main_child(void)
{
	static struct guest a, s;
	struct septum_vid_intercept icpt = { .type = HV_INTERCEPT_TYPE_X64_CPUID,
					     .access = HV_INTERCEPT_ACCESS_MASK_EXECUTE,
					     .parameter = CHILD_CPUID_LEAF };
	struct septum_vid_stats st;
	long r;
	int sync;

	if (!guest_build(&a, "")) {
		report(false, "main-child-build", "%s", a.why);
		guest_close(&a);
		return;
	}
	report(stats(a.part, &st) && st.deposited_pages > 0 && st.mapped_pages == CHILD_PAGES &&
		       st.vps == 1 && st.partition_id > 1,
	       "main-child-build", "partition %llu: %llu pages deposited, %llu mapped, %u VPs",
	       (unsigned long long)st.partition_id, (unsigned long long)st.deposited_pages,
	       (unsigned long long)st.mapped_pages, st.vps);
	test_bad_partition_ioctls(&a);
	test_bad_vp_ioctls(&a);
	r = vid(a.part, SEPTUM_VID_INSTALL_INTERCEPT, &icpt);
	report(!r, "install-cpuid-intercept", "%s", err_name(r));

	sync = run_main_child(&a, CHILD_SYNC_CHECKED);
	report(sync == CHILD_SYNC_CHECKED, "main-child-runs", "%s", outcome(&a, sync));
	if (!seen.cpuid)
		report(false, "cpuid-intercept", "no HVMSG_X64_CPUID_INTERCEPT arrived");
	if (!seen.post)
		report(false, "post-message-intercept", "no HVMSG_HYPERCALL_INTERCEPT arrived");
	if (!seen.late)
		report(false, "unmapped-gpa-intercept", "no HVMSG_UNMAPPED_GPA arrived");
	if (sync == CHILD_SYNC_CHECKED) {
		main_child_paused(&a);
		test_spin_child(&s, &a);
		sync = run_main_child(&a, 0);
		report(sync == 0 && a.run.message.header.message_type == HVMSG_X64_HALT,
		       "halt-intercept", "%s", outcome(&a, sync));
		check_suite(&a, "main-child-suite-complete");
	}
	guest_close(&s);
	guest_close(&a);
	if (seen.late_page)
		munmap(seen.late_page, PAGE_SIZE);
	if (seen.late_page2)
		munmap(seen.late_page2, PAGE_SIZE);
}
