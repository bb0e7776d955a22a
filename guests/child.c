/*
 * child: the test root's child partition (guests/testroot.c loads it).
 * Its port I/O, some CPUID leaves, some hypercalls and unmapped GPAs go to
 * the root, which completes them; the checks here see the result from
 * inside. Arguments pick another life: "spin" loops forever with
 * interrupts off (the root preempts it), "triple" triple-faults.
 */
#include "childproto.h"
#include "guest.h"
#include "hv/cpuid.h"
#include "hv/msr.h"
#include "hvcall.h"
#include "septum/testdev.h"

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

static bool arg_is(const char *cmdline, const char *word)
{
	size_t n = strlen(word);

	/* The first word is the image's own name. */
	for (const char *s = cmdline; *s; s++)
		if (s[0] == ' ' && !strncmp(s + 1, word, n) && (s[n + 1] == ' ' || !s[n + 1]))
			return true;
	return false;
}

int main(const char *cmdline)
{
	if (arg_is(cmdline, "spin")) {
		sync_root(CHILD_SYNC_SPINNING);
		asm volatile("cli");
		for (;;)
			asm volatile("");
	}
	if (arg_is(cmdline, "triple")) {
		static const struct { u16 limit; u64 base; } __packed empty = { 0, 0 };

		asm volatile("lidt %0; int3" ::"m"(empty));
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
