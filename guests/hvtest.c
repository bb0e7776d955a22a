/*
 * hvtest: the first test guest. With no argument it checks what a child
 * partition sees of the hypervisor and ends with HLT and interrupts off.
 * Arguments pick a hostile act instead: "npf" writes outside its memory,
 * "triple" triple-faults. The harness asserts how each partition ends.
 */
#include "guest.h"
#include "hv/cpuid.h"
#include "hv/hypercall.h"
#include "hv/msr.h"
#include "hv/status.h"
#include "septum/testdev.h"

#define HYPERCALL_PAGE_GPA	0x8000
#define OUTSIDE_GPA		0x80000000UL
#define UNKNOWN_MSR		0x12345678
#define UNCLAIMED_PORT		0x1234

static void test_cpuid(void)
{
	struct cpuid_regs r;

	cpuid(HV_CPUID_VENDOR_AND_MAX_FUNCTIONS, 0, &r);
	report(r.ebx == HV_CPUID_SIGNATURE_EBX && r.ecx == HV_CPUID_SIGNATURE_ECX &&
		       r.edx == HV_CPUID_SIGNATURE_EDX,
	       "cpuid-signature", "0x40000000 gave %08x %08x %08x", r.ebx, r.ecx, r.edx);
	report(r.eax >= HV_CPUID_IMPLEMENTATION_LIMITS, "cpuid-max-leaf", "max leaf %x", r.eax);
	cpuid(HV_CPUID_INTERFACE, 0, &r);
	report(r.eax == HV_CPUID_INTERFACE_HV1, "cpuid-interface", "0x40000001 eax %08x", r.eax);
	cpuid(1, 0, &r);
	report(r.ecx & BIT(31), "cpuid-hypervisor-bit", "leaf 1 ecx %08x", r.ecx);
	cpuid(0x80000001, 0, &r);
	report(!(r.ecx & BIT(2)), "cpuid-svm-hidden", "8000_0001 ecx %08x", r.ecx);
}

static void test_hypercalls(void)
{
	void *page = (void *)HYPERCALL_PAGE_GPA;
	u64 val, result;
	int v;

	v = hypercall_safe(NULL, HVCALL_NOTIFY_LONG_SPIN_WAIT, 0, 0, &result);
	report(v == X86_EXC_UD, "hypercall-disabled-ud", "vector %d before enabling", v);

	v = wrmsr_safe(HV_X64_MSR_HYPERCALL, HYPERCALL_PAGE_GPA | HV_X64_MSR_HYPERCALL_ENABLE);
	rdmsr_safe(HV_X64_MSR_HYPERCALL, &val);
	report(v < 0 && !(val & HV_X64_MSR_HYPERCALL_ENABLE), "hypercall-needs-os-id",
	       "vector %d, msr %lx", v, val);

	wrmsr_safe(HV_X64_MSR_GUEST_OS_ID, 0x8100000000000000ULL);
	rdmsr_safe(HV_X64_MSR_GUEST_OS_ID, &val);
	report(val == 0x8100000000000000ULL, "guest-os-id", "read back %lx", val);
	v = wrmsr_safe(HV_X64_MSR_HYPERCALL, HYPERCALL_PAGE_GPA | HV_X64_MSR_HYPERCALL_ENABLE);
	rdmsr_safe(HV_X64_MSR_HYPERCALL, &val);
	report(v < 0 && val == (HYPERCALL_PAGE_GPA | HV_X64_MSR_HYPERCALL_ENABLE),
	       "hypercall-msr", "vector %d, msr %lx", v, val);

	v = hypercall_safe(page, 0xFFFF, 0, 0, &result);
	report(v < 0 && (result & 0xFFFF) == HV_STATUS_INVALID_HYPERCALL_CODE,
	       "hypercall-unknown-code", "vector %d, result %lx", v, result);
	v = hypercall_safe(page, HVCALL_NOTIFY_LONG_SPIN_WAIT, 0, 0, &result);
	report(v < 0 && result == HV_STATUS_SUCCESS, "hypercall-simple", "vector %d, result %lx",
	       v, result);
	v = hypercall_safe(page, HVCALL_NOTIFY_LONG_SPIN_WAIT | (1ULL << 27), 0, 0, &result);
	report(v < 0 && result == HV_STATUS_INVALID_HYPERCALL_INPUT, "hypercall-reserved-bits",
	       "vector %d, result %lx", v, result);
	v = hypercall_safe(page, HVCALL_NOTIFY_LONG_SPIN_WAIT | (5ULL << 32), 0, 0, &result);
	report(v < 0 && result == HV_STATUS_INVALID_HYPERCALL_INPUT, "hypercall-rep-on-simple",
	       "vector %d, result %lx", v, result);
	/* Every code with every flag: statuses only, never a fault or a hang. */
	for (u64 code = 0; code < 0x200; code++) {
		v = hypercall_safe(page, code | HV_HYPERCALL_FAST_BIT | (0xFFFULL << 32), ~0ULL,
				   ~0ULL, &result);
		if (v >= 0 || (result & 0xFFFF) == HV_STATUS_SUCCESS)
			break;
	}
	report(v < 0 && (result & 0xFFFF) != HV_STATUS_SUCCESS, "hypercall-hostile-inputs",
	       "vector %d, result %lx", v, result);
}

static void test_msrs(void)
{
	u64 val;
	int v;

	v = rdmsr_safe(UNKNOWN_MSR, &val);
	report(v == X86_EXC_GP, "msr-unknown-read-gp", "vector %d", v);
	v = wrmsr_safe(UNKNOWN_MSR, 1);
	report(v == X86_EXC_GP, "msr-unknown-write-gp", "vector %d", v);
	v = rdmsr_safe(HV_X64_MSR_VP_INDEX, &val);
	report(v < 0 && val == 0, "msr-vp-index", "vector %d, value %lx", v, val);
	v = wrmsr_safe(HV_X64_MSR_VP_INDEX, 1);
	report(v == X86_EXC_GP, "msr-vp-index-read-only", "vector %d", v);
	v = rdmsr_safe(MSR_EFER, &val);
	report(v < 0 && !(val & EFER_SVME) && (val & EFER_LMA), "msr-efer-svme-hidden",
	       "vector %d, efer %lx", v, val);
	v = wrmsr_safe(MSR_EFER, val | EFER_SVME);
	report(v == X86_EXC_GP, "msr-efer-svme-refused", "vector %d", v);
	v = vmrun_safe();
	report(v == X86_EXC_UD, "svm-instructions-ud", "vector %d", v);
}

static void test_io(void)
{
	u32 back;

	outl(SEPTUM_TESTDEV_SCRATCH_PORT, 0x5EB7D000);
	back = inl(SEPTUM_TESTDEV_SCRATCH_PORT);
	report(back == ~0x5EB7D000U, "ioport-reaches-hypervisor", "read %08x", back);
	back = inl(UNCLAIMED_PORT);
	report(back == 0xFFFFFFFF, "ioport-unclaimed-reads-ones", "read %08x", back);
}

/* The hypervisor sits at host 2 MiB; the same GPA must be our own RAM. */
static void test_isolation(void)
{
	const u32 *p = (const u32 *)0x200000;
	bool found = false;

	for (int i = 0; i < 2048; i++)
		found |= p[i] == 0x1BADB002;
	report(!found, "own-gpa-space", "hypervisor image visible at GPA 2 MiB");
}

int main(void)
{
	if (guest_has_arg("npf")) {
		guest_printf("writing to GPA %lx\n", OUTSIDE_GPA);
		*(volatile u32 *)OUTSIDE_GPA = 1;
		guest_printf("FAIL hv/npf: the write went through\n");
		return 0;
	}
	if (guest_has_arg("triple")) {
		static const struct { u16 limit; u64 base; } __packed empty = { 0, 0 };

		asm volatile("lidt %0; int3" ::"m"(empty));
		return 0;
	}
	test_cpuid();
	test_msrs();
	test_hypercalls();
	test_io();
	test_isolation();
	report_summary();
	return 0;
}
