/*
 * The guest's CPUID: the host's leaves minus what the guest must not use
 * (SVM always; for children MONITOR, MCE/MCA and MTRRs, plus the virtual
 * x2APIC and ARAT), the OS-controlled bits taken from the guest's own CR4,
 * and the Hyper-V leaves (TLFS "Feature Discovery"). Only what is
 * implemented is advertised; the root sees the "guest-mode root" set.
 */
#include "cpuid.h"
#include "hv/cpuid.h"
#include "partition.h"
#include "time.h"
#include "x86.h"

#define CPUID1_EDX_MCE		BIT(7)
#define CPUID1_EDX_MTRR		BIT(12)
#define CPUID1_EDX_MCA		BIT(14)
#define CPUID6_EAX_ARAT		BIT(2)
#define CPUID1_ECX_MONITOR	BIT(3)
#define CPUID1_ECX_VMX		BIT(5)
#define CPUID1_ECX_X2APIC	BIT(21)
#define CPUID1_ECX_TSC_DEADLINE	BIT(24)
#define CPUID1_ECX_OSXSAVE	BIT(27)
#define CPUID1_ECX_HYPERVISOR	BIT(31)
#define CPUID7_ECX_OSPKE	BIT(4)
#define CPUID81_ECX_SVM		BIT(2)

#define SEPTUM_BUILD		1
#define SEPTUM_VERSION		0x00000001	/* major 0, minor 1 */

static void hv_leaf(struct partition *p, u32 leaf, struct cpuid_regs *r)
{
	*r = (struct cpuid_regs){ 0 };
	switch (leaf) {
	case HV_CPUID_VENDOR_AND_MAX_FUNCTIONS:
		r->eax = HV_CPUID_MAX_LEAF;
		r->ebx = HV_CPUID_SIGNATURE_EBX;
		r->ecx = HV_CPUID_SIGNATURE_ECX;
		r->edx = HV_CPUID_SIGNATURE_EDX;
		break;
	case HV_CPUID_INTERFACE:
		r->eax = HV_CPUID_INTERFACE_HV1;
		break;
	case HV_CPUID_VERSION:
		r->eax = SEPTUM_BUILD;
		r->ebx = SEPTUM_VERSION;
		break;
	case HV_CPUID_FEATURES:
		r->eax = HV_MSR_HYPERCALL_AVAILABLE | HV_MSR_VP_INDEX_AVAILABLE;
		/* Without this bit Linux marks the TSC unstable on Hyper-V: the
		 * root keeps a TSC clock. Children get the reference TSC page,
		 * which is theirs even if the TSC under them were to change. */
		if (tsc_invariant && p->kind != PARTITION_CHILD)
			r->eax |= HV_ACCESS_TSC_INVARIANT;
		r->ebx = p->privileges;
		if (p->kind != PARTITION_CHILD)
			break;
		r->eax |= HV_MSR_VP_RUNTIME_AVAILABLE | HV_MSR_TIME_REF_COUNT_AVAILABLE |
			  HV_MSR_SYNIC_AVAILABLE | HV_MSR_SYNTIMER_AVAILABLE |
			  HV_MSR_APIC_ACCESS_AVAILABLE | HV_MSR_RESET_AVAILABLE |
			  HV_MSR_REFERENCE_TSC_AVAILABLE | HV_MSR_GUEST_IDLE_AVAILABLE |
			  HV_ACCESS_FREQUENCY_MSRS;
		r->edx = HV_FEATURE_FREQUENCY_MSRS_AVAILABLE | HV_FEATURE_GUEST_CRASH_MSR_AVAILABLE |
			 HV_STIMER_DIRECT_MODE_AVAILABLE;
		break;
	case HV_CPUID_ENLIGHTENMENT_INFO:
		r->ebx = 0xFFFFFFFF;	/* spinlock retries: never notify */
		break;
	case HV_CPUID_IMPLEMENTATION_LIMITS:
		r->eax = PARTITION_MAX_VPS;	/* virtual processors */
		r->ebx = 1;			/* logical processors */
		break;
	}
}

void cpuid_compute(struct vp *vp, u32 leaf, u32 subleaf, u32 out[4])
{
	u64 cr4 = arch->vp_get_reg(vp, VP_REG_CR4);
	bool child = vp->part->kind == PARTITION_CHILD;
	struct cpuid_regs r;

	if (leaf >= 0x40000000 && leaf <= 0x4FFFFFFF) {
		hv_leaf(vp->part, leaf, &r);
	} else {
		cpuid(leaf, subleaf, &r);
		switch (leaf) {
		case 1:
			r.ecx &= ~(CPUID1_ECX_VMX | CPUID1_ECX_OSXSAVE);
			r.ecx |= CPUID1_ECX_HYPERVISOR;
			if (cr4 & X86_CR4_OSXSAVE)
				r.ecx |= CPUID1_ECX_OSXSAVE;
			if (child) {
				/* The virtual x2APIC (with TSC-deadline mode); no
				 * MONITOR, machine checks or MTRRs. */
				r.ecx = (r.ecx & ~CPUID1_ECX_MONITOR) | CPUID1_ECX_X2APIC |
					CPUID1_ECX_TSC_DEADLINE;
				r.edx &= ~(CPUID1_EDX_MCE | CPUID1_EDX_MTRR | CPUID1_EDX_MCA);
				r.ebx = (r.ebx & 0x00FFFFFF) | (vp->index << 24);
			} else if (vp->part->kind == PARTITION_BOOT) {
				r.ecx &= ~(CPUID1_ECX_MONITOR | CPUID1_ECX_X2APIC);
			}
			break;
		case 6:
			/* The virtual APIC timer keeps running in every C-state. */
			if (child)
				r.eax |= CPUID6_EAX_ARAT;
			break;
		case 7:
			if (subleaf == 0) {
				r.ecx &= ~CPUID7_ECX_OSPKE;
				if (cr4 & X86_CR4_PKE)
					r.ecx |= CPUID7_ECX_OSPKE;
			}
			break;
		case 0x80000001:
			r.ecx &= ~CPUID81_ECX_SVM;
			break;
		case 0x8000000A:
			r = (struct cpuid_regs){ 0 };
			break;
		case 0x80000007:
			/* TLFS: shown once the guest opted in (TSC_INVARIANT_CONTROL). */
			if (vp->part->tsc_invariant_shown)
				r.edx |= BIT(8);
			break;
		}
	}
	out[0] = r.eax;
	out[1] = r.ebx;
	out[2] = r.ecx;
	out[3] = r.edx;
}

void cpuid_handle(struct vp *vp)
{
	u32 r[4];

	cpuid_compute(vp, vp->gprs.rax, vp->gprs.rcx, r);
	vp->gprs.rax = r[0];
	vp->gprs.rbx = r[1];
	vp->gprs.rcx = r[2];
	vp->gprs.rdx = r[3];
	vp_skip(vp);
}
