/*
 * child: the test root's child partition (guests/testroot.c loads it).
 * Its port I/O, some CPUID leaves, some hypercalls and unmapped GPAs go to
 * the root, which completes them; the checks here see the result from
 * inside. Arguments pick another life: "spin" loops forever with
 * interrupts off (the root preempts it), "triple" triple-faults, "synic"
 * checks the SynIC, synthetic timers and virtual x2APIC from inside a
 * partition of its own, with a second VP, "scan" looks for a sibling's
 * memory in its own.
 */
#include "childproto.h"
#include "guest.h"
#include "hv/cpuid.h"
#include "hv/msr.h"
#include "hvcall.h"
#include "septum/testdev.h"
#include "synic.h"

#define REF_MS		10000ULL	/* reference time units (100 ns) per ms */

static u8 hypercall_page[PAGE_SIZE] __aligned(PAGE_SIZE);
static u8 in_page[PAGE_SIZE] __aligned(PAGE_SIZE);
static u8 out_page[PAGE_SIZE] __aligned(PAGE_SIZE);
static u8 tsc_page_mem[PAGE_SIZE] __aligned(PAGE_SIZE);
static struct hv_reference_tsc_page *const tsc_page = (void *)tsc_page_mem;

static void sync_root(u32 phase)
{
	outl(CHILD_SYNC_PORT, phase);
}

static void test_cpuid(void)
{
	struct cpuid_regs r;

	cpuid(HV_CPUID_VENDOR_AND_MAX_FUNCTIONS, 0, &r);
	report(r.ebx == HV_CPUID_SIGNATURE_EBX && r.ecx == HV_CPUID_SIGNATURE_ECX &&
		       r.edx == HV_CPUID_SIGNATURE_EDX,
	       "child/cpuid-signature", "0x40000000 gave %08x %08x %08x", r.ebx, r.ecx, r.edx);
	cpuid(HV_CPUID_FEATURES, 0, &r);
	report(!(r.ebx & (HV_CREATE_PARTITIONS | HV_ACCESS_MEMORY_POOL)),
	       "child/cpuid-no-root-privileges", "0x40000003 ebx %08x", r.ebx);
}

static void test_hypercalls(void)
{
	struct hv_input_create_partition *in = (void *)in_page;
	u64 r;

	report(hv_enable_hypercalls(hypercall_page, 0x8100000000000002ULL), "child/hypercall-msr",
	       "HYPERCALL MSR did not take %p", hypercall_page);
	r = hv_call(0xFFFF, 0, 0);
	report(r == HV_STATUS_INVALID_HYPERCALL_CODE, "child/hypercall-unknown-code", "result %lx",
	       r);
	memset(in, 0, sizeof(*in));
	r = hv_call(HVCALL_CREATE_PARTITION, (u64)in, (u64)out_page);
	report(r == HV_STATUS_ACCESS_DENIED, "child/create-partition-denied", "result %lx", r);
}

static void test_vp_index(void)
{
	u64 val = ~0ULL;
	int v = rdmsr_safe(HV_X64_MSR_VP_INDEX, &val);

	report(v < 0 && val == 0, "child/vp-index", "vector %d, value %lx", v, val);
}

static void test_time_ref_count(void)
{
	u64 first, prev, now = 0;
	bool monotonic = true;
	int v = rdmsr_safe(HV_X64_MSR_TIME_REF_COUNT, &first);

	prev = first;
	for (int i = 0; i < 1000 && v < 0; i++) {
		v = rdmsr_safe(HV_X64_MSR_TIME_REF_COUNT, &now);
		monotonic &= now >= prev;
		prev = now;
	}
	report(v < 0 && monotonic && now > first, "child/time-ref-count",
	       "vector %d, monotonic %d, first %lu last %lu", v, monotonic, first, now);
}

static u64 mul_hi(u64 a, u64 b)
{
	return ((unsigned __int128)a * b) >> 64;
}

/* TLFS "Partition Reference TSC Mechanism": retry while the page changes. */
static u64 tsc_page_time(void)
{
	u64 t;
	u32 s;

	do {
		s = tsc_page->tsc_sequence;
		asm volatile("" ::: "memory");
		t = mul_hi(rdtsc(), tsc_page->tsc_scale) + tsc_page->tsc_offset;
		asm volatile("" ::: "memory");
	} while (tsc_page->tsc_sequence != s);
	return t;
}

static void test_reference_tsc_page(void)
{
	u64 msr = 0, t1, t2, prev;
	bool monotonic = true;
	int v = wrmsr_safe(HV_X64_MSR_REFERENCE_TSC, (u64)tsc_page | HV_X64_MSR_PAGE_ENABLE);

	if (v >= 0 || !tsc_page->tsc_sequence || tsc_page->tsc_sequence == 0xFFFFFFFF) {
		report(false, "child/reference-tsc-page", "vector %d enabling, sequence %x", v,
		       tsc_page->tsc_sequence);
		return;
	}
	t1 = tsc_page_time();
	rdmsr_safe(HV_X64_MSR_TIME_REF_COUNT, &msr);
	t2 = tsc_page_time();
	/* The MSR was read between the two page readings: allow a ms either side. */
	report(msr + REF_MS >= t1 && msr <= t2 + REF_MS && t2 - t1 < 5 * REF_MS,
	       "child/reference-tsc-page",
	       "page %lu, MSR %lu, page %lu (scale %llx offset %lld)", t1, msr, t2,
	       tsc_page->tsc_scale, tsc_page->tsc_offset);
	prev = t2;
	for (int i = 0; i < 10000; i++) {
		u64 t = tsc_page_time();

		monotonic &= t >= prev;
		prev = t;
	}
	report(monotonic && prev > t2, "child/reference-tsc-monotonic", "from %lu to %lu", t2,
	       prev);
}

static void test_frequencies(void)
{
	u64 hz = 0;
	int v = rdmsr_safe(HV_X64_MSR_TSC_FREQUENCY, &hz);

	report(v < 0 && hz, "child/tsc-frequency", "vector %d, %lu Hz", v, hz);
}

static void test_unknown_msr(void)
{
	u64 val;
	int v = rdmsr_safe(CHILD_UNKNOWN_MSR, &val);

	report(v == X86_EXC_GP, "child/msr-unknown-gp", "vector %d", v);
}

/* RDMSR with EDX:EAX dirty first, so "reads 0" means the hypervisor wrote 0. */
static int rdmsr_dirty(u32 msr, u64 *val)
{
	u32 lo = 0xDEADBEEF, hi = 0xDEADBEEF;

	guest_last_vector = -1;
	asm volatile("leaq 1f(%%rip), %%r11\n\tmovq %%r11, guest_fixup_rip(%%rip)\n\t"
		     "rdmsr\n1:\n\tmovq $0, guest_fixup_rip(%%rip)"
		     : "+a"(lo), "+d"(hi) : "c"(msr) : "r11", "memory");
	*val = ((u64)hi << 32) | lo;
	return guest_last_vector;
}

/* The root set UNIMPLEMENTED_MSR_ACTION to 1 while we were paused. */
static void test_unknown_msr_ignored(void)
{
	u64 val;
	int rv = rdmsr_dirty(CHILD_UNKNOWN_MSR, &val), wv = wrmsr_safe(CHILD_UNKNOWN_MSR, 5);

	report(rv < 0 && val == 0 && wv < 0, "child/msr-unknown-ignored",
	       "read vector %d value %lx, write vector %d", rv, val, wv);
}

static void test_post_message(void)
{
	struct hv_input_post_message *in = (void *)in_page;
	u64 r;

	memset(in, 0, sizeof(*in));
	in->connection_id = CHILD_POST_CONNECTION;
	in->message_type = CHILD_POST_TYPE;
	in->payload_size = 8;
	in->payload[0] = CHILD_POST_PAYLOAD;
	r = hv_call(HVCALL_POST_MESSAGE, (u64)in, 0);
	report(r == HV_STATUS_SUCCESS, "child/post-message-via-root",
	       "result %lx (0 is the root's answer)", r);
}

static void test_cpuid_intercept(void)
{
	struct cpuid_regs r;

	cpuid(CHILD_CPUID_LEAF, 0, &r);
	report(r.eax == CHILD_CPUID_ANSWER, "child/cpuid-intercept-answered",
	       "leaf %x gave %08x %08x %08x %08x", CHILD_CPUID_LEAF, r.eax, r.ebx, r.ecx, r.edx);
}

static void test_late_gpa(void)
{
	u64 val = *(volatile u64 *)CHILD_LATE_GPA;

	report(val == CHILD_LATE_MAGIC, "child/unmapped-gpa-mapped-by-root", "read %lx at %llx",
	       val, CHILD_LATE_GPA);
}

/* The root put another page at the same GPA: a stale translation would
 * still show the first one. */
static void test_late_gpa_swapped(void)
{
	u64 val = *(volatile u64 *)CHILD_LATE_GPA;

	report(val == CHILD_LATE_MAGIC2, "child/remapped-gpa-seen", "read %lx at %llx", val,
	       CHILD_LATE_GPA);
}

static void test_io(void)
{
	u32 back;

	outl(SEPTUM_TESTDEV_SCRATCH_PORT, 0x5EB7C41D);
	back = inl(SEPTUM_TESTDEV_SCRATCH_PORT);
	report(back == ~0x5EB7C41DU, "child/ioport-answered-by-root", "read %08x", back);
}

/* ---- "synic": SynIC, synthetic timers and the virtual x2APIC, two VPs ---- */

#define X2APIC_ID		0x802
#define X2APIC_TPR		0x808
#define X2APIC_PPR		0x80A
#define X2APIC_EOI		0x80B
#define X2APIC_SVR		0x80F
#define X2APIC_ISR0		0x810
#define X2APIC_IRR0		0x820
#define X2APIC_ICR		0x830
#define X2APIC_LVT_TIMER	0x832
#define X2APIC_TMICT		0x838
#define X2APIC_TMCCT		0x839
#define X2APIC_TDCR		0x83E
#define X2APIC_SELF_IPI		0x83F
#define MSR_APIC_BASE		0x1B
#define MSR_TSC_DEADLINE	0x6E0
#define APIC_BASE_BSP		BIT(8)
#define APIC_BASE_X2APIC	(BIT(10) | BIT(11))
#define APIC_SVR_ON		0x1FF		/* software enable, spurious vector 0xFF */
#define ICR_SHORTHAND_SELF	(1ULL << 18)
#define LVT_MASKED		BIT(16)
#define LVT_TSC_DEADLINE	(2U << 17)
#define TDCR_DIV_1		0xB
#define CPUID1_ECX_X2APIC	BIT(21)
#define CPUID1_ECX_TSC_DEADLINE	BIT(24)
#define STIMER_CONFIG(n)	(HV_X64_MSR_STIMER0_CONFIG + 2 * (n))
#define STIMER_COUNT(n)		(HV_X64_MSR_STIMER0_COUNT + 2 * (n))
#define STIMER_RESERVED_BIT	BIT(20)		/* lowest of the RsvdZ 63:20 */

/* Vectors: the APIC checks 0x40-0x47 and 0x61, SINTs 0x52-0x59, timers. */
#define VEC_SELF_IPI		0x40
#define VEC_LOW			0x41
#define VEC_ICR_SELF		0x42
#define VEC_LVT			0x43
#define VEC_TSC_DEADLINE	0x44
#define VEC_TPR			0x45
#define VEC_DISABLED		0x46
#define VEC_ICR_ID		0x47
#define VEC_CR8			0x48
#define VEC_HV_MSRS		0x49
#define VEC_HIGH		0x61
#define VEC_SINT_MSG		0x52
#define VEC_STIMER_DIRECT	0x53
#define VEC_SINT_AUTO_EOI	0x54
#define VEC_SINT_TIMER		0x55
#define VEC_STIMER_PERIODIC	0x56
#define VEC_SINT_MASKED		0x58
#define VEC_SINT_QUEUE		0x59

#define STIMER_DIRECT_MS	20
#define STIMER_MESSAGE_MS	5
#define STIMER_PERIOD_MS	5
#define WAIT_MS			1000	/* for what must come at the next exits */

static struct child_mailbox *const mbox = (void *)CHILD_MAILBOX_GPA;
static u8 simp_mem[PAGE_SIZE] __aligned(PAGE_SIZE);
static u8 siefp_mem[PAGE_SIZE] __aligned(PAGE_SIZE);
static u8 assist_mem[PAGE_SIZE] __aligned(PAGE_SIZE);
static u8 ap_stack[4 * PAGE_SIZE] __aligned(16);
static struct hv_message_page *const simp = (void *)simp_mem;
static struct hv_synic_event_flags_page *const siefp = (void *)siefp_mem;

/* What the interrupt handlers saw. */
static volatile u32 irq_count[256];
static volatile bool irq_isr[256];	/* its own ISR bit, in the handler */
static volatile u64 irq_ref[256];	/* TIME_REF_COUNT in its last run */
static volatile u64 irq_tsc[256];	/* TSC in its last run */
static volatile u8 irq_order[8];
static volatile u32 irq_norder;
static struct hv_message msgs[4];	/* SINT 2's messages, in arrival order */
static volatile u32 nmsgs;
static struct hv_message auto_eoi_msg, timer_msg;
static volatile u64 event_flags[HV_EVENT_FLAGS_BYTES / 8];	/* SINT 2's, collected */

static u64 ref_now(void)
{
	return rdmsr(HV_X64_MSR_TIME_REF_COUNT);
}

static bool apic_bit(u32 first_msr, u8 v)
{
	return (rdmsr(first_msr + v / 32) >> (v % 32)) & 1;
}

/* Polls until *count reaches n, or a second passes. Each poll is an exit,
 * where the hypervisor moves timers and queues on and injects what is
 * pending: the bound is for an event that never comes, and generous so a
 * loaded host does not fail the check. */
static bool wait_count(volatile u32 *count, u32 n)
{
	u64 end = ref_now() + WAIT_MS * REF_MS;

	while (*count < n && ref_now() < end)
		;
	return *count >= n;
}

static void wait_ms(u32 ms)
{
	u64 end = ref_now() + ms * REF_MS;

	while (ref_now() < end)
		;
}

/* HLT with interrupts on until a handler counted n: the root sees the VP
 * blocked (with its timer deadline) in between. */
static void halt_until(volatile u32 *count, u32 n)
{
	asm volatile("cli" ::: "memory");
	while (*count < n)
		asm volatile("sti; hlt; cli" ::: "memory");
	asm volatile("sti" ::: "memory");
}

static void record_irq(u8 v)
{
	irq_tsc[v] = rdtsc();
	irq_ref[v] = ref_now();
	irq_isr[v] = apic_bit(X2APIC_ISR0, v);
	if (irq_norder < ARRAY_SIZE(irq_order))
		irq_order[irq_norder++] = v;
	irq_count[v]++;
}

static void eoi(void)
{
	wrmsr(X2APIC_EOI, 0);
}

/* TLFS "SynIC Message Flags": copy the slot, free it (type 0), and only
 * then look at MessagePending: set, an EOM brings the next message. */
static bool take_message(u32 sint, struct hv_message *out)
{
	struct hv_message *slot = &simp->sint_message[sint];

	if (!__atomic_load_n(&slot->header.message_type, __ATOMIC_ACQUIRE))
		return false;
	memcpy(out, slot, sizeof(*out));
	__atomic_store_n(&slot->header.message_type, HVMSG_NONE, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&slot->header.message_flags, __ATOMIC_SEQ_CST) &
	    HV_MESSAGE_FLAG_PENDING)
		wrmsr(HV_X64_MSR_EOM, 0);
	return true;
}

#define APIC_HANDLER(v)                    \
	static void irq_##v(void)          \
	{                                  \
		record_irq(v);             \
		eoi();                     \
	}
APIC_HANDLER(VEC_SELF_IPI)
APIC_HANDLER(VEC_LOW)
APIC_HANDLER(VEC_ICR_SELF)
APIC_HANDLER(VEC_LVT)
APIC_HANDLER(VEC_TSC_DEADLINE)
APIC_HANDLER(VEC_TPR)
APIC_HANDLER(VEC_DISABLED)
APIC_HANDLER(VEC_ICR_ID)
APIC_HANDLER(VEC_CR8)
APIC_HANDLER(VEC_HIGH)
APIC_HANDLER(VEC_SINT_MASKED)
APIC_HANDLER(VEC_SINT_QUEUE)
APIC_HANDLER(CHILD_IDLE_VECTOR)
APIC_HANDLER(CHILD_ASSERT_VECTOR)
APIC_HANDLER(CHILD_IPI_VECTOR)

/* SINT 2: messages and event flags. */
static void irq_sint_msg(void)
{
	struct hv_message m;

	record_irq(VEC_SINT_MSG);
	if (take_message(CHILD_SINT_MSG, &m) && nmsgs < ARRAY_SIZE(msgs))
		msgs[nmsgs++] = m;
	for (u32 i = 0; i < ARRAY_SIZE(event_flags); i++)
		event_flags[i] |= __atomic_exchange_n((u64 *)siefp->flags[CHILD_SINT_MSG] + i, 0,
						      __ATOMIC_SEQ_CST);
	eoi();
}

/* An AutoEOI SINT: the interrupt was retired when it was taken, so an
 * EOI here would retire some other vector. */
static void irq_sint_auto_eoi(void)
{
	record_irq(VEC_SINT_AUTO_EOI);
	take_message(CHILD_SINT_AUTO_EOI, &auto_eoi_msg);
}

static void irq_sint_timer(void)
{
	record_irq(VEC_SINT_TIMER);
	take_message(CHILD_SINT_TIMER, &timer_msg);
	eoi();
}

static void irq_stimer_direct(void)
{
	record_irq(VEC_STIMER_DIRECT);
	mbox->stimer_fired = irq_ref[VEC_STIMER_DIRECT];
	eoi();
}

/* EOI through the synthetic MSR (TLFS "Local APIC MSR Accesses"). */
static void irq_hv_msrs(void)
{
	record_irq(VEC_HV_MSRS);
	wrmsr(HV_X64_MSR_EOI, 0);
}

/* The times of the first expiries: on a loaded host more may follow. */
static volatile u64 periodic_ref[2];

static void irq_stimer_periodic(void)
{
	if (irq_count[VEC_STIMER_PERIODIC] < ARRAY_SIZE(periodic_ref))
		periodic_ref[irq_count[VEC_STIMER_PERIODIC]] = ref_now();
	record_irq(VEC_STIMER_PERIODIC);
	eoi();
}

static void set_handlers(void)
{
	static const struct {
		u8 v;
		guest_irq_handler fn;
	} h[] = {
		{ VEC_SELF_IPI, irq_VEC_SELF_IPI },
		{ VEC_LOW, irq_VEC_LOW },
		{ VEC_ICR_SELF, irq_VEC_ICR_SELF },
		{ VEC_LVT, irq_VEC_LVT },
		{ VEC_TSC_DEADLINE, irq_VEC_TSC_DEADLINE },
		{ VEC_TPR, irq_VEC_TPR },
		{ VEC_DISABLED, irq_VEC_DISABLED },
		{ VEC_ICR_ID, irq_VEC_ICR_ID },
		{ VEC_CR8, irq_VEC_CR8 },
		{ VEC_HV_MSRS, irq_hv_msrs },
		{ VEC_HIGH, irq_VEC_HIGH },
		{ VEC_STIMER_PERIODIC, irq_stimer_periodic },
		{ VEC_SINT_MASKED, irq_VEC_SINT_MASKED },
		{ VEC_SINT_QUEUE, irq_VEC_SINT_QUEUE },
		{ CHILD_IDLE_VECTOR, irq_CHILD_IDLE_VECTOR },
		{ CHILD_ASSERT_VECTOR, irq_CHILD_ASSERT_VECTOR },
		{ CHILD_IPI_VECTOR, irq_CHILD_IPI_VECTOR },
		{ VEC_SINT_MSG, irq_sint_msg },
		{ VEC_SINT_AUTO_EOI, irq_sint_auto_eoi },
		{ VEC_SINT_TIMER, irq_sint_timer },
		{ VEC_STIMER_DIRECT, irq_stimer_direct },
	};

	for (u32 i = 0; i < ARRAY_SIZE(h); i++)
		guest_set_irq_handler(h[i].v, h[i].fn);
}

/* Writes val, reads it back, writes restore. */
static void check_read_back(const char *name, u32 msr, u64 val, u64 restore)
{
	u64 got = 0;
	int w = wrmsr_safe(msr, val), r = rdmsr_safe(msr, &got);

	report(w < 0 && r < 0 && got == val, name,
	       "MSR %x: wrote %lx (vector %d), read %lx (vector %d)", msr, val, w, got, r);
	wrmsr_safe(msr, restore);
}

/* A write that must #GP and leave the MSR as it was. */
static void check_write_gp(const char *name, u32 msr, u64 val)
{
	u64 before = 0, after = 0;
	int r1 = rdmsr_safe(msr, &before), w = wrmsr_safe(msr, val), r2 = rdmsr_safe(msr, &after);

	report(r1 < 0 && w == X86_EXC_GP && r2 < 0 && after == before, name,
	       "MSR %x: writing %lx raised vector %d; reads %lx, was %lx", msr, val, w, after,
	       before);
}

static void test_synic_msrs(void)
{
	u64 v = 0;
	u32 bad = HV_SYNIC_SINT_COUNT;
	int r = -1, w;

	/* Before anything writes them. */
	for (u32 i = 0; i < HV_SYNIC_SINT_COUNT && bad == HV_SYNIC_SINT_COUNT; i++)
		if ((r = rdmsr_safe(HV_X64_MSR_SINT0 + i, &v)) >= 0 || v != HV_SYNIC_SINT_MASKED)
			bad = i;
	report(bad == HV_SYNIC_SINT_COUNT, "child/sint-reset-value",
	       "SINT%u reads %lx (vector %d), want 0x10000", bad, v, r);
	r = rdmsr_safe(HV_X64_MSR_SVERSION, &v);
	w = wrmsr_safe(HV_X64_MSR_SVERSION, 2);
	report(r < 0 && v == HV_SYNIC_VERSION_1 && w == X86_EXC_GP, "child/sversion",
	       "reads %lx (vector %d); a write raised vector %d, want 13", v, r, w);

	/* TLFS: reserved bits are RsvdP: they read back as written. */
	check_read_back("child/scontrol-read-back", HV_X64_MSR_SCONTROL,
			HV_SYNIC_CONTROL_ENABLE | 0x5E970000000000F0ULL, 0);
	check_read_back("child/simp-read-back", HV_X64_MSR_SIMP,
			(u64)simp_mem | HV_X64_MSR_PAGE_ENABLE | 0xA0, 0);
	check_read_back("child/siefp-read-back", HV_X64_MSR_SIEFP,
			(u64)siefp_mem | HV_X64_MSR_PAGE_ENABLE | 0x50, 0);
	check_read_back("child/sint-read-back", HV_X64_MSR_SINT0 + 7,
			0x5E97000000000020ULL | HV_SYNIC_SINT_AUTO_EOI | HV_SYNIC_SINT_POLLING,
			HV_SYNIC_SINT_MASKED);
	check_write_gp("child/sint-vector-below-16-gp", HV_X64_MSR_SINT0 + 7, 0x0F);
	check_read_back("child/sint-masked-vector-below-16", HV_X64_MSR_SINT0 + 7,
			HV_SYNIC_SINT_MASKED | 0x0F, HV_SYNIC_SINT_MASKED);
}

static void test_stimer_msrs(void)
{
	u64 cfg = 0, cnt = 0, far = ref_now() + 1000000000ULL;	/* 100 s on */
	u64 want = HV_STIMER_ENABLE | HV_STIMER_DIRECT_MODE | (0x60 << HV_STIMER_APIC_VECTOR_SHIFT);
	int w1, w2;

	check_read_back("child/stimer-count-read-back", STIMER_COUNT(1), 0x5E9700001234ULL, 0);
	/* Disabled, every field set: periodic, lazy, vector, direct, SINT 3. */
	check_read_back("child/stimer-config-read-back", STIMER_CONFIG(1),
			HV_STIMER_PERIODIC | HV_STIMER_LAZY |
			    (0x60 << HV_STIMER_APIC_VECTOR_SHIFT) | HV_STIMER_DIRECT_MODE |
			    (3ULL << HV_STIMER_SINT_SHIFT),
			0);
	/* Enabled and armed far ahead: both registers as written. */
	w1 = wrmsr_safe(STIMER_COUNT(1), far);
	w2 = wrmsr_safe(STIMER_CONFIG(1), want);
	rdmsr_safe(STIMER_CONFIG(1), &cfg);
	rdmsr_safe(STIMER_COUNT(1), &cnt);
	wrmsr_safe(STIMER_CONFIG(1), 0);
	wrmsr_safe(STIMER_COUNT(1), 0);
	report(w1 < 0 && w2 < 0 && cfg == want && cnt == far, "child/stimer-armed-read-back",
	       "COUNT %lx (vector %d) reads %lx, CONFIG %lx (vector %d) reads %lx", far, w1, cnt,
	       want, w2, cfg);
	check_write_gp("child/stimer-config-bit-63-gp", STIMER_CONFIG(1), BIT(63));
	check_write_gp("child/stimer-config-bit-20-gp", STIMER_CONFIG(1), STIMER_RESERVED_BIT);
}

static void test_other_synthetic_msrs(void)
{
	static const u64 crash[5] = { 0x5E97C4A5000000F0ULL, 1, 0x8000000000000000ULL, 0xFFFF,
				      0x123456789ABCDEF0ULL };
	u64 got[5] = { 0 }, ctl = 0, apic_hz = 0, hz = 0;
	u32 bad = 5;
	int r, rc, ra, rt;
	struct cpuid_regs l15;

	check_read_back("child/vp-assist-page-read-back", HV_X64_MSR_VP_ASSIST_PAGE,
			(u64)assist_mem | HV_X64_MSR_PAGE_ENABLE, 0);
	for (u32 i = 0; i < 5; i++)
		wrmsr_safe(HV_X64_MSR_CRASH_P0 + i, crash[i]);
	for (u32 i = 0; i < 5 && bad == 5; i++)
		if (rdmsr_safe(HV_X64_MSR_CRASH_P0 + i, &got[i]) >= 0 || got[i] != crash[i])
			bad = i;
	report(bad == 5, "child/crash-params-read-back", "CRASH_P%u wrote %lx, read %lx", bad,
	       bad < 5 ? crash[bad] : 0, bad < 5 ? got[bad] : 0);
	rc = rdmsr_safe(HV_X64_MSR_CRASH_CTL, &ctl);
	report(rc < 0 && (ctl & HV_CRASH_CTL_CRASH_NOTIFY), "child/crash-ctl",
	       "reads %lx (vector %d), want bit 63", ctl, rc);
	ra = rdmsr_safe(HV_X64_MSR_APIC_FREQUENCY, &apic_hz);
	report(ra < 0 && apic_hz, "child/apic-frequency", "reads %lu (vector %d)", apic_hz, ra);

	/* The root's own MSR (in the mailbox), and CPUID 0x15 where the CPU has it. */
	rt = rdmsr_safe(HV_X64_MSR_TSC_FREQUENCY, &hz);
	cpuid(0, 0, &l15);
	if (l15.eax >= 0x15)
		cpuid(0x15, 0, &l15);
	else
		l15 = (struct cpuid_regs){ 0 };
	r = l15.eax && l15.ebx && l15.ecx;
	report(rt < 0 && hz && hz == mbox->root_tsc_hz &&
		   (!r || hz == (u64)l15.ecx * l15.ebx / l15.eax),
	       "child/tsc-frequency-agrees",
	       "MSR %lu Hz (vector %d), the root's %lu, CPUID 0x15 %s %lu", hz, rt,
	       mbox->root_tsc_hz,
	       r ? "says" : "has none:", r ? (u64)l15.ecx * l15.ebx / l15.eax : 0);
}

static void test_hv_features(void)
{
	const u32 eax_want = HV_MSR_SYNIC_AVAILABLE | HV_MSR_SYNTIMER_AVAILABLE |
			     HV_MSR_REFERENCE_TSC_AVAILABLE | HV_ACCESS_FREQUENCY_MSRS;
	struct cpuid_regs r;

	cpuid(HV_CPUID_FEATURES, 0, &r);
	report((r.eax & eax_want) == eax_want && (r.edx & HV_STIMER_DIRECT_MODE_AVAILABLE),
	       "child/cpuid-synic-timer-features",
	       "0x40000003 eax %08x (want bits 2, 3, 9, 11), edx %08x (want bit 19)", r.eax, r.edx);
	cpuid(1, 0, &r);
	report(r.ecx & CPUID1_ECX_X2APIC, "child/cpuid-x2apic", "leaf 1 ecx %08x", r.ecx);
}

/* The synthetic TPR, ICR and EOI are the x2APIC's own registers. */
static void test_hv_apic_msrs(void)
{
	u64 tpr = ~0ULL, icr = 0;
	int v;

	wrmsr(HV_X64_MSR_TPR, 0x20);
	rdmsr_safe(X2APIC_TPR, &tpr);
	wrmsr(HV_X64_MSR_TPR, 0);
	v = wrmsr_safe(HV_X64_MSR_ICR, VEC_HV_MSRS | ICR_SHORTHAND_SELF);
	rdmsr_safe(X2APIC_ICR, &icr);
	report(tpr == 0x20 && v < 0 && irq_count[VEC_HV_MSRS] == 1 &&
		   !apic_bit(X2APIC_ISR0, VEC_HV_MSRS) && icr == (VEC_HV_MSRS | ICR_SHORTHAND_SELF),
	       "child/hv-apic-msrs",
	       "HV TPR 0x20: x2APIC TPR %lx; HV ICR self-IPI (vector %d): ran %u times, ISR %d "
	       "after the HV EOI, ICR %lx",
	       tpr, v, irq_count[VEC_HV_MSRS], apic_bit(X2APIC_ISR0, VEC_HV_MSRS), icr);
}

static void test_x2apic_basics(void)
{
	u64 base = 0, svr = 0;
	int rb = rdmsr_safe(MSR_APIC_BASE, &base);
	bool irr;
	u32 n;

	report(rb < 0 && (base & APIC_BASE_X2APIC) == APIC_BASE_X2APIC && (base & APIC_BASE_BSP),
	       "child/apic-base-x2apic-bsp", "IA32_APIC_BASE %lx (vector %d)", base, rb);
	/* Software-disabled from reset: a fixed interrupt is dropped. */
	wrmsr(X2APIC_SELF_IPI, VEC_DISABLED);
	irr = apic_bit(X2APIC_IRR0, VEC_DISABLED);
	wrmsr(X2APIC_SVR, APIC_SVR_ON);
	rdmsr_safe(X2APIC_SVR, &svr);
	asm volatile("sti");
	report(!irr && !irq_count[VEC_DISABLED] && svr == APIC_SVR_ON,
	       "child/apic-disabled-drops-fixed",
	       "self-IPI before SVR enable: IRR %d, delivered %u times after; SVR reads %lx", irr,
	       irq_count[VEC_DISABLED], svr);

	wrmsr(X2APIC_SELF_IPI, VEC_SELF_IPI);
	n = irq_count[VEC_SELF_IPI];
	report(n == 1 && irq_isr[VEC_SELF_IPI] && !apic_bit(X2APIC_ISR0, VEC_SELF_IPI),
	       "child/self-ipi-msr",
	       "handler ran %u times right after the WRMSR; ISR bit in it %d, after EOI %d", n,
	       irq_isr[VEC_SELF_IPI], apic_bit(X2APIC_ISR0, VEC_SELF_IPI));
	wrmsr(X2APIC_ICR, VEC_ICR_SELF | ICR_SHORTHAND_SELF);
	n = irq_count[VEC_ICR_SELF];
	report(n == 1, "child/icr-self-ipi", "shorthand self: handler ran %u times", n);
	wrmsr(X2APIC_ICR, VEC_ICR_ID | ((u64)rdmsr(X2APIC_ID) << 32));
	n = irq_count[VEC_ICR_ID];
	report(n == 1, "child/icr-ipi-own-id", "physical destination %lu: handler ran %u times",
	       rdmsr(X2APIC_ID), n);
	test_hv_apic_msrs();
}

static void test_x2apic_priorities(void)
{
	bool irr, isr;
	u32 held;
	u64 ppr, tpr, cr8;

	/* Class 4 is not above TPR class 5: held in IRR until TPR drops. */
	wrmsr(X2APIC_TPR, 0x50);
	wrmsr(X2APIC_SELF_IPI, VEC_TPR);
	held = irq_count[VEC_TPR];
	irr = apic_bit(X2APIC_IRR0, VEC_TPR);
	isr = apic_bit(X2APIC_ISR0, VEC_TPR);
	ppr = rdmsr(X2APIC_PPR);
	wrmsr(X2APIC_TPR, 0);
	report(!held && irr && !isr && ppr == 0x50 && irq_count[VEC_TPR] == 1 &&
		       !apic_bit(X2APIC_IRR0, VEC_TPR),
	       "child/tpr-holds-then-delivers",
	       "TPR 0x50: ran %u times, IRR %d, ISR %d, PPR %lx; TPR 0: ran %u times", held, irr,
	       isr, ppr, irq_count[VEC_TPR]);

	/* SDM 11.8.6.1: in 64-bit mode CR8 is TPR[7:4], both ways. */
	asm volatile("mov %0, %%cr8" ::"r"(5ULL) : "memory");
	tpr = rdmsr(X2APIC_TPR);
	wrmsr(X2APIC_SELF_IPI, VEC_CR8);
	held = irq_count[VEC_CR8];
	asm volatile("mov %0, %%cr8" ::"r"(0ULL) : "memory");
	wait_count(&irq_count[VEC_CR8], 1);
	wrmsr(X2APIC_TPR, 0x30);
	asm volatile("mov %%cr8, %0" : "=r"(cr8) : : "memory");
	wrmsr(X2APIC_TPR, 0);
	report(tpr == 0x50 && !held && irq_count[VEC_CR8] == 1 && cr8 == 3, "child/cr8-is-tpr",
	       "CR8 5: TPR MSR reads %lx, vector %x ran %u times (CR8 0: %u); TPR 0x30: CR8 %lu",
	       tpr, VEC_CR8, held, irq_count[VEC_CR8], cr8);

	irq_norder = 0;
	asm volatile("cli");
	wrmsr(X2APIC_SELF_IPI, VEC_LOW);
	wrmsr(X2APIC_SELF_IPI, VEC_HIGH);
	asm volatile("sti; nop");
	wait_count(&irq_count[VEC_LOW], 1);
	report(irq_norder == 2 && irq_order[0] == VEC_HIGH && irq_order[1] == VEC_LOW,
	       "child/apic-priority-order", "%u delivered: %x then %x (sent %x, then %x)",
	       irq_norder, irq_order[0], irq_order[1], VEC_LOW, VEC_HIGH);
}

static void test_apic_timers(void)
{
	u64 apic_hz = rdmsr(HV_X64_MSR_APIC_FREQUENCY), t0, left, deadline, after = ~0ULL;
	u64 tsc_hz = rdmsr(HV_X64_MSR_TSC_FREQUENCY);
	struct cpuid_regs r;
	int v;

	/* One-shot, 1 ms at divide-by-1: fires once and stops at 0. */
	wrmsr(X2APIC_TDCR, TDCR_DIV_1);
	wrmsr(X2APIC_LVT_TIMER, VEC_LVT);
	t0 = ref_now();
	wrmsr(X2APIC_TMICT, apic_hz / 1000);
	/* Polled, not halted: an early expiry would show in its time. */
	wait_count(&irq_count[VEC_LVT], 1);
	wait_ms(2);
	left = rdmsr(X2APIC_TMCCT);
	wrmsr(X2APIC_LVT_TIMER, LVT_MASKED | VEC_LVT);
	/* The reference clock and the APIC's may round apart by 100 ns. */
	report(irq_count[VEC_LVT] == 1 && irq_ref[VEC_LVT] + 1 >= t0 + REF_MS && !left,
	       "child/lvt-timer-one-shot",
	       "fired %u times, %lu x 100 ns after arming (want >= 1 ms), TMCCT %lu",
	       irq_count[VEC_LVT], irq_ref[VEC_LVT] - t0, left);

	/* The mode is there exactly when CPUID says so (SDM 11.5.4: else reserved). */
	cpuid(1, 0, &r);
	v = wrmsr_safe(X2APIC_LVT_TIMER, LVT_TSC_DEADLINE | VEC_TSC_DEADLINE);
	report((v < 0) == !!(r.ecx & CPUID1_ECX_TSC_DEADLINE), "child/tsc-deadline-matches-cpuid",
	       "CPUID.1:ECX[24] %d, yet the LVT timer write of TSC-deadline mode raised vector %d",
	       !!(r.ecx & CPUID1_ECX_TSC_DEADLINE), v);
	if (v >= 0)
		return;
	deadline = rdtsc() + tsc_hz / 1000;
	wrmsr(MSR_TSC_DEADLINE, deadline);
	halt_until(&irq_count[VEC_TSC_DEADLINE], 1);
	rdmsr_safe(MSR_TSC_DEADLINE, &after);
	wrmsr(X2APIC_LVT_TIMER, LVT_MASKED);
	report(irq_count[VEC_TSC_DEADLINE] == 1 && irq_tsc[VEC_TSC_DEADLINE] >= deadline && !after,
	       "child/tsc-deadline-timer",
	       "fired %u times at TSC %lu for deadline %lu; IA32_TSC_DEADLINE then %lx",
	       irq_count[VEC_TSC_DEADLINE], irq_tsc[VEC_TSC_DEADLINE], deadline, after);
}

/* ---- VP 1 ---- */

static __noreturn void ap_main(void)
{
	static const u8 vectors[] = { CHILD_ASSERT_VECTOR, CHILD_IPI_VECTOR };
	u32 seen[ARRAY_SIZE(vectors)] = { 0 };
	u64 index = ~0ULL, id = ~0ULL, base = 0;
	struct cpuid_regs r;

	guest_cpu_init();
	rdmsr_safe(HV_X64_MSR_VP_INDEX, &index);
	rdmsr_safe(X2APIC_ID, &id);
	rdmsr_safe(MSR_APIC_BASE, &base);
	cpuid(1, 0, &r);
	report(index == 1 && id == 1 && !(base & APIC_BASE_BSP) && r.ebx >> 24 == 1,
	       "child/vp1-identity", "VP index %lu, x2APIC id %lu, APIC base %lx, CPUID.1 ebx %08x",
	       index, id, base, r.ebx);
	wrmsr(X2APIC_SVR, APIC_SVR_ON);
	for (;;) {
		asm volatile("sti; hlt; cli" ::: "memory");
		for (u32 i = 0; i < ARRAY_SIZE(vectors); i++) {
			if (irq_count[vectors[i]] != seen[i]) {
				seen[i] = irq_count[vectors[i]];
				sync_root(CHILD_SYNC_AP_IRQ | vectors[i]);
			}
		}
	}
}

static void test_ipi(void)
{
	int v;

	mbox->ap_entry = (u64)ap_main;
	mbox->ap_stack = (u64)ap_stack + sizeof(ap_stack) - 8;
	sync_root(CHILD_SYNC_AP_START);
	/* The root has VP 1 halted in its loop: a fixed IPI to x2APIC id 1. */
	v = wrmsr_safe(X2APIC_ICR, CHILD_IPI_VECTOR | (1ULL << 32));
	report(v < 0, "child/icr-ipi-to-vp1", "ICR write raised vector %d", v);
	sync_root(CHILD_SYNC_IPI_SENT);
}

/* ---- SynIC ---- */

static void synic_enable(void)
{
	wrmsr(HV_X64_MSR_SIMP, (u64)simp_mem | HV_X64_MSR_PAGE_ENABLE);
	wrmsr(HV_X64_MSR_SIEFP, (u64)siefp_mem | HV_X64_MSR_PAGE_ENABLE);
	wrmsr(HV_X64_MSR_SINT0 + CHILD_SINT_MSG, VEC_SINT_MSG);
	wrmsr(HV_X64_MSR_SINT0 + CHILD_SINT_TIMER, VEC_SINT_TIMER);
	wrmsr(HV_X64_MSR_SINT0 + CHILD_SINT_AUTO_EOI, VEC_SINT_AUTO_EOI | HV_SYNIC_SINT_AUTO_EOI);
	wrmsr(HV_X64_MSR_SINT0 + CHILD_SINT_MASKED, VEC_SINT_MASKED | HV_SYNIC_SINT_MASKED);
	wrmsr(HV_X64_MSR_SINT0 + CHILD_SINT_QUEUE, VEC_SINT_QUEUE | HV_SYNIC_SINT_MASKED);
	wrmsr(HV_X64_MSR_SCONTROL, HV_SYNIC_CONTROL_ENABLE);
}

/* The root's messages: type CHILD_MSG_TYPE, 16 bytes: number, ~number. */
static bool root_message(const struct hv_message *m, u64 number)
{
	return m->header.message_type == CHILD_MSG_TYPE && m->header.payload_size == 16 &&
	       m->payload[0] == (CHILD_MSG_MAGIC | number) &&
	       m->payload[1] == ~(CHILD_MSG_MAGIC | number);
}

static void test_messages(void)
{
	struct hv_message *masked = &simp->sint_message[CHILD_SINT_MASKED], m;
	bool isr_auto;

	synic_enable();
	sync_root(CHILD_SYNC_POST);
	wait_count(&nmsgs, 2);
	wait_count(&irq_count[VEC_SINT_AUTO_EOI], 1);

	report(nmsgs >= 1 && root_message(&msgs[0], 1) &&
		       (msgs[0].header.message_flags & HV_MESSAGE_FLAG_PENDING),
	       "child/synic-first-message-pending",
	       "%u messages; the first: type %x size %u flags %x payload %lx", nmsgs,
	       msgs[0].header.message_type, msgs[0].header.payload_size,
	       msgs[0].header.message_flags, msgs[0].payload[0]);
	report(nmsgs == 2 && root_message(&msgs[1], 2) &&
		       !(msgs[1].header.message_flags & HV_MESSAGE_FLAG_PENDING),
	       "child/synic-second-after-eom",
	       "%u messages; the second: type %x flags %x payload %lx", nmsgs,
	       msgs[1].header.message_type, msgs[1].header.message_flags, msgs[1].payload[0]);
	report(irq_count[VEC_SINT_MSG] == 2 && irq_isr[VEC_SINT_MSG], "child/synic-sint-interrupts",
	       "SINT 2 interrupted %u times for 2 messages; its ISR bit in the handler %d",
	       irq_count[VEC_SINT_MSG], irq_isr[VEC_SINT_MSG]);
	isr_auto = apic_bit(X2APIC_ISR0, VEC_SINT_AUTO_EOI);
	report(irq_count[VEC_SINT_AUTO_EOI] == 1 && !irq_isr[VEC_SINT_AUTO_EOI] && !isr_auto &&
		       root_message(&auto_eoi_msg, 3) && !rdmsr(X2APIC_PPR),
	       "child/synic-auto-eoi",
	       "%u interrupts; ISR bit in the handler %d, after %d; PPR %lx; payload %lx",
	       irq_count[VEC_SINT_AUTO_EOI], irq_isr[VEC_SINT_AUTO_EOI], isr_auto,
	       rdmsr(X2APIC_PPR), auto_eoi_msg.payload[0]);
	/* synic.c: a masked SINT still gets its message, only not the interrupt. */
	report(root_message(masked, 4) && !irq_count[VEC_SINT_MASKED],
	       "child/synic-masked-sint-no-interrupt",
	       "slot 5: type %x payload %lx; vector %x delivered %u times",
	       masked->header.message_type, masked->payload[0], VEC_SINT_MASKED,
	       irq_count[VEC_SINT_MASKED]);
	take_message(CHILD_SINT_MASKED, &m);
}

/* The root filled SINT 6's slot and the queue behind it: drained by polling
 * (the SINT is masked), they come in the order posted, each but the last
 * with MessagePending. */
static void test_message_queue(void)
{
	u64 end, number[2 * SYNIC_QUEUE_LEN] = { 0 };
	u8 flags[2 * SYNIC_QUEUE_LEN] = { 0 };
	u32 n = 0, bad;
	struct hv_message m;

	sync_root(CHILD_SYNC_FILL_QUEUE);
	/* Until the one without MessagePending: the last. */
	end = ref_now() + WAIT_MS * REF_MS;
	while (n < ARRAY_SIZE(number) && (!n || (flags[n - 1] & HV_MESSAGE_FLAG_PENDING)) &&
	       ref_now() < end) {
		if (!take_message(CHILD_SINT_QUEUE, &m))
			continue;
		number[n] = m.payload[0] ^ CHILD_MSG_MAGIC;
		flags[n++] = m.header.message_flags;
	}
	/* Nothing more may come: a few exits to let it. */
	wait_ms(1);
	if (n < ARRAY_SIZE(number) && take_message(CHILD_SINT_QUEUE, &m)) {
		number[n] = m.payload[0] ^ CHILD_MSG_MAGIC;
		flags[n++] = m.header.message_flags;
	}
	for (bad = 0; bad < n; bad++)
		if (number[bad] != bad ||
		    !(flags[bad] & HV_MESSAGE_FLAG_PENDING) != (bad == SYNIC_QUEUE_LEN))
			break;
	report(n == SYNIC_QUEUE_LEN + 1 && bad == n, "child/synic-queue-in-order",
	       "%u messages (want %u); message %u: number %lx flags %x", n, SYNIC_QUEUE_LEN + 1,
	       bad, bad < n ? number[bad] : 0, bad < n ? flags[bad] : 0);
}

static void test_event_flags(void)
{
	u32 before = irq_count[VEC_SINT_MSG], others = 0;

	for (u32 i = 0; i < ARRAY_SIZE(event_flags); i++)
		event_flags[i] = 0;
	sync_root(CHILD_SYNC_SIGNAL);
	wait_count(&irq_count[VEC_SINT_MSG], before + 1);
	wait_ms(1);
	for (u32 i = 1; i < ARRAY_SIZE(event_flags); i++)
		others |= event_flags[i] != 0;
	report(irq_count[VEC_SINT_MSG] - before == 1 && event_flags[0] == BIT(CHILD_EVENT_FLAG) &&
		       !others,
	       "child/event-flag-seen",
	       "%u interrupts for flag %u signalled twice; SIEF slot 2 word 0 %lx, others %s",
	       irq_count[VEC_SINT_MSG] - before, CHILD_EVENT_FLAG, event_flags[0],
	       others ? "set" : "clear");
}

/* ---- synthetic timers ---- */

/* Direct mode, one-shot, as Linux sets it up (hv_init_timer_config). */
static void test_stimer_direct(void)
{
	u64 count, cfg = 0;

	mbox->stimer_fired = 0;
	wrmsr(STIMER_CONFIG(0), HV_STIMER_ENABLE | HV_STIMER_AUTOENABLE | HV_STIMER_DIRECT_MODE |
					(VEC_STIMER_DIRECT << HV_STIMER_APIC_VECTOR_SHIFT));
	count = ref_now() + STIMER_DIRECT_MS * REF_MS;
	mbox->stimer_count = count;
	wrmsr(STIMER_COUNT(0), count);
	sync_root(CHILD_SYNC_STIMER);
	halt_until(&irq_count[VEC_STIMER_DIRECT], 1);
	rdmsr_safe(STIMER_CONFIG(0), &cfg);
	report(irq_count[VEC_STIMER_DIRECT] == 1 && irq_ref[VEC_STIMER_DIRECT] >= count,
	       "child/stimer-direct-not-early", "fired %u times, at %lu for COUNT %lu",
	       irq_count[VEC_STIMER_DIRECT], irq_ref[VEC_STIMER_DIRECT], count);
	report(!(cfg & HV_STIMER_ENABLE), "child/stimer-one-shot-disables",
	       "CONFIG reads %lx after the expiry", cfg);
	sync_root(CHILD_SYNC_STIMER_DONE);
}

static void test_stimer_message(void)
{
	const struct hv_timer_message_payload *p = (const void *)timer_msg.payload;
	u64 count;

	wrmsr(STIMER_CONFIG(1), HV_STIMER_ENABLE | HV_STIMER_AUTOENABLE |
					((u64)CHILD_SINT_TIMER << HV_STIMER_SINT_SHIFT));
	count = ref_now() + STIMER_MESSAGE_MS * REF_MS;
	wrmsr(STIMER_COUNT(1), count);
	wait_count(&irq_count[VEC_SINT_TIMER], 1);
	report(timer_msg.header.message_type == HVMSG_TIMER_EXPIRED &&
		       timer_msg.header.payload_size >= sizeof(*p) && p->timer_index == 1 &&
		       p->expiration_time == count && p->delivery_time >= count &&
		       irq_ref[VEC_SINT_TIMER] >= count,
	       "child/stimer-message",
	       "type %x size %u: timer %u, expiration %lu, delivery %lu; COUNT %lu",
	       timer_msg.header.message_type, timer_msg.header.payload_size, p->timer_index,
	       p->expiration_time, p->delivery_time, count);
}

static void test_stimer_periodic(void)
{
	const u64 period = STIMER_PERIOD_MS * REF_MS;
	u64 t0;

	wrmsr(STIMER_COUNT(2), period);
	t0 = ref_now();
	wrmsr(STIMER_CONFIG(2), HV_STIMER_ENABLE | HV_STIMER_PERIODIC | HV_STIMER_DIRECT_MODE |
					(VEC_STIMER_PERIODIC << HV_STIMER_APIC_VECTOR_SHIFT));
	/* The first period polled (an early expiry shows), the second halted. */
	wait_count(&irq_count[VEC_STIMER_PERIODIC], 1);
	halt_until(&irq_count[VEC_STIMER_PERIODIC], 2);
	wrmsr(STIMER_CONFIG(2), 0);
	report(irq_count[VEC_STIMER_PERIODIC] >= 2 && periodic_ref[0] >= t0 + period &&
		       periodic_ref[1] >= t0 + 2 * period,
	       "child/stimer-periodic", "period %lu: fired %u times, first at +%ld and +%ld",
	       period, irq_count[VEC_STIMER_PERIODIC], (s64)(periodic_ref[0] - t0),
	       (s64)(periodic_ref[1] - t0));
}

/* GUEST_IDLE with IF = 0: the read returns once an interrupt is pending,
 * which is taken only at STI. */
static void test_guest_idle(void)
{
	u64 val = ~0ULL;
	u32 before;
	int v;

	sync_root(CHILD_SYNC_IDLE);
	asm volatile("cli" ::: "memory");
	v = rdmsr_safe(HV_X64_MSR_GUEST_IDLE, &val);
	before = irq_count[CHILD_IDLE_VECTOR];
	asm volatile("sti; nop" ::: "memory");
	wait_count(&irq_count[CHILD_IDLE_VECTOR], 1);
	report(v < 0 && !before && irq_count[CHILD_IDLE_VECTOR] == 1, "child/guest-idle-if-clear",
	       "read vector %d value %lx; handler ran %u times before STI, %u after", v, val,
	       before, irq_count[CHILD_IDLE_VECTOR]);
	sync_root(CHILD_SYNC_IDLE_DONE);
}

static __noreturn void synic_main(void)
{
	int v;

	set_handlers();
	test_synic_msrs();
	test_stimer_msrs();
	test_other_synthetic_msrs();
	/* The root completes it: RIP past the WRMSR. */
	v = wrmsr_safe(HV_X64_MSR_RESET, 1);
	report(v < 0, "child/reset-completed-by-root", "WRMSR raised vector %d", v);
	test_hv_features();
	test_x2apic_basics();
	test_x2apic_priorities();
	test_apic_timers();
	test_ipi();
	test_messages();
	test_message_queue();
	test_event_flags();
	test_stimer_direct();
	test_stimer_message();
	test_stimer_periodic();
	test_guest_idle();
	report_summary();
	/* Deleted mid-run: a periodic timer armed, interrupts on. */
	wrmsr(STIMER_COUNT(3), REF_MS);
	wrmsr(STIMER_CONFIG(3), HV_STIMER_ENABLE | HV_STIMER_PERIODIC | HV_STIMER_DIRECT_MODE |
					(VEC_STIMER_PERIODIC << HV_STIMER_APIC_VECTOR_SHIFT));
	sync_root(CHILD_SYNC_DONE);
	for (;;)
		asm volatile("pause");
}

/* ---- "scan": nothing of a sibling partition in ours ---- */

typedef u64 __aligned(1) unaligned_u64;

/*
 * The root filled a sibling's RAM with the marker in RDX at entry: no
 * byte-aligned word of all our RAM may hold it but guest_boot_rdx, where
 * start.S keeps it. The count goes out through the scratch register; then
 * a read just past our RAM, where the sibling has a page, must reach the
 * root as an unmapped GPA.
 */
static void scan(void)
{
	const u64 marker = guest_boot_rdx;
	u32 found = 0;

	for (u64 a = 0; a + sizeof(u64) <= guest_ram_size; a++)
		found += a != (u64)&guest_boot_rdx && *(const unaligned_u64 *)a == marker;
	outl(SEPTUM_TESTDEV_SCRATCH_PORT, found);
	(void)*(volatile u64 *)guest_ram_size;
}

int main(void)
{
	if (guest_has_arg("spin")) {
		sync_root(CHILD_SYNC_SPINNING);
		asm volatile("cli");
		for (;;)
			asm volatile("");
	}
	if (guest_has_arg("triple")) {
		static const struct { u16 limit; u64 base; } __packed empty = { 0, 0 };

		asm volatile("lidt %0; int3" ::"m"(empty));
		return 0;
	}
	if (guest_has_arg("synic"))
		synic_main();
	if (guest_has_arg("scan")) {
		scan();
		return 0;
	}
	test_cpuid();
	test_hypercalls();
	test_vp_index();
	test_time_ref_count();
	test_reference_tsc_page();
	test_frequencies();
	test_unknown_msr();
	test_post_message();
	test_cpuid_intercept();
	test_late_gpa();
	test_io();
	sync_root(CHILD_SYNC_CHECKED);
	test_unknown_msr_ignored();
	test_late_gpa_swapped();
	report(true, "child/runs-after-siblings", "resumed");
	report_summary();
	return 0;
}
