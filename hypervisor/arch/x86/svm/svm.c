/*
 * AMD-V: CPU checks and enabling, VMCB set-up, the run loop and exit
 * decoding. Implements struct arch_ops (table at the end).
 */
#include "errno.h"
#include "guest.h"
#include "lib.h"
#include "log.h"
#include "mm.h"
#include "partition.h"
#include "septum/testdev.h"
#include "svm.h"
#include "vmcb.h"
#include "vp.h"
#include "x86.h"

#define CPUID_SVM_FEATURES	0x8000000A
#define SVM_FEATURE_NPT		BIT(0)
#define SVM_FEATURE_NRIPS	BIT(3)
#define SVM_FEATURE_FLUSHBYASID	BIT(6)

#define MSRPM_PAGES	2
#define IOPM_PAGES	3
#define PAT_POWER_ON	0x0007040600070406ULL

struct svm_vp {
	struct vmcb *vmcb;
	u64 vmcb_pa;
	u64 xcr0;	/* the guest's, while it is not loaded */
	u32 asid;
	u64 asid_gen;
	u64 flush_gen;	/* gpa_map generation this VP's TLB has seen */
};

/* Per physical CPU; one CPU for now. */
static struct {
	u64 hsave_pa;
	u64 host_vmcb_pa;
	u32 next_asid, max_asid;
	u64 asid_gen;
} cpu;

static u32 svm_features;
/* Permission maps: children intercept everything; the root owns the
 * hardware and only gives up what the hypervisor must keep. */
static u64 child_msrpm_pa, child_iopm_pa, root_msrpm_pa, root_iopm_pa;

void svm_vmrun(u64 vmcb_pa, struct vp_gprs *gprs, u64 host_vmcb_pa, bool host_interrupts);

static struct svm_vp *to_svm(struct vp *vp)
{
	return vp->arch;
}

int svm_probe(char *why, size_t len)
{
	struct cpuid_regs r;

	cpuid(0x80000000, 0, &r);
	if (r.eax < CPUID_SVM_FEATURES) {
		hv_snprintf(why, len, "CPU has no AMD-V (no CPUID leaf 8000_000A)");
		return -1;
	}
	cpuid(0x80000001, 0, &r);
	if (!(r.ecx & BIT(2))) {
		hv_snprintf(why, len, "CPU has no AMD-V (CPUID 8000_0001 ECX bit 2 clear)");
		return -1;
	}
	if (rdmsr(MSR_VM_CR) & BIT(4)) {
		hv_snprintf(why, len, "AMD-V is disabled by firmware (VM_CR.SVMDIS set)");
		return -1;
	}
	cpuid(CPUID_SVM_FEATURES, 0, &r);
	if (!(r.edx & SVM_FEATURE_NPT)) {
		hv_snprintf(why, len,
			    "CPU has AMD-V but no nested paging (CPUID 8000_000A EDX bit 0 clear); "
			    "Septum needs AMD-V with NPT");
		return -1;
	}
	svm_features = r.edx;
	cpu.max_asid = r.ebx;
	return 0;
}

/* Sets (intercept) or clears the read and write bits of one MSR. */
static void msrpm_set(u8 *msrpm, u32 msr, bool intercept)
{
	static const struct { u32 base, offset; } ranges[] = {
		{ 0x00000000, 0x000 }, { 0xC0000000, 0x800 }, { 0xC0010000, 0x1000 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(ranges); i++) {
		if (msr - ranges[i].base < 0x2000) {
			u32 bit = (msr - ranges[i].base) * 2;

			if (intercept)
				msrpm[ranges[i].offset + bit / 8] |= 3 << (bit % 8);
			else
				msrpm[ranges[i].offset + bit / 8] &= ~(3 << (bit % 8));
			return;
		}
	}
}

static int svm_cpu_init(void)
{
	/* MSRs the VMCB itself holds are safe to give the guest. */
	static const u32 vmcb_msrs[] = {
		MSR_FS_BASE, MSR_GS_BASE, MSR_KERNEL_GS_BASE, MSR_STAR, MSR_LSTAR, MSR_CSTAR,
		MSR_SFMASK, MSR_SYSENTER_CS, MSR_SYSENTER_ESP, MSR_SYSENTER_EIP,
	};
	/* The root keeps these from the hardware: SVM state and PAT (G_PAT). */
	static const u32 root_msrs[] = { MSR_EFER, MSR_VM_CR, MSR_VM_HSAVE_PA, MSR_PAT };
	u8 *msrpm, *iopm;

	cpu.hsave_pa = hv_alloc_pages(1, 1);
	cpu.host_vmcb_pa = hv_alloc_pages(1, 1);
	child_msrpm_pa = hv_alloc_pages(MSRPM_PAGES, 1);
	child_iopm_pa = hv_alloc_pages(IOPM_PAGES, 1);
	root_msrpm_pa = hv_alloc_pages(MSRPM_PAGES, 1);
	root_iopm_pa = hv_alloc_pages(IOPM_PAGES, 1);
	if (!cpu.hsave_pa || !cpu.host_vmcb_pa || !child_msrpm_pa || !child_iopm_pa ||
	    !root_msrpm_pa || !root_iopm_pa)
		return -ENOMEM;

	msrpm = phys_to_virt(child_msrpm_pa);
	memset(msrpm, 0xFF, MSRPM_PAGES * PAGE_SIZE);
	for (size_t i = 0; i < ARRAY_SIZE(vmcb_msrs); i++)
		msrpm_set(msrpm, vmcb_msrs[i], false);
	memset(phys_to_virt(child_iopm_pa), 0xFF, IOPM_PAGES * PAGE_SIZE);

	msrpm = phys_to_virt(root_msrpm_pa);
	for (size_t i = 0; i < ARRAY_SIZE(root_msrs); i++)
		msrpm_set(msrpm, root_msrs[i], true);
	/* The root's only intercepted ports: the test device (a test root's
	 * report channel; nothing on a real machine lives there). */
	iopm = phys_to_virt(root_iopm_pa);
	iopm[SEPTUM_TESTDEV_REPORT_PORT / 8] |= 1 << (SEPTUM_TESTDEV_REPORT_PORT % 8);
	for (u32 port = SEPTUM_TESTDEV_SCRATCH_PORT; port < SEPTUM_TESTDEV_SCRATCH_PORT + 4; port++)
		iopm[port / 8] |= 1 << (port % 8);

	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
	wrmsr(MSR_VM_HSAVE_PA, cpu.hsave_pa);
	cpu.next_asid = 1;
	cpu.asid_gen = 1;
	pr_info("svm: enabled (%u ASIDs, nrip-save %s, flush-by-asid %s)", cpu.max_asid,
		svm_features & SVM_FEATURE_NRIPS ? "yes" : "no",
		svm_features & SVM_FEATURE_FLUSHBYASID ? "yes" : "no");
	return 0;
}

static int svm_vp_create(struct vp *vp, const struct page_source *pages)
{
	u64 state_pa = pages->alloc(pages->ctx);
	u64 vmcb_pa = state_pa ? pages->alloc(pages->ctx) : 0;
	bool root = vp->part->kind == PARTITION_ROOT;
	struct svm_vp *s;
	struct vmcb *v;

	if (!vmcb_pa) {
		if (state_pa)
			pages->free(pages->ctx, state_pa);
		return -ENOMEM;
	}
	s = phys_to_virt(state_pa);
	s->vmcb = v = phys_to_virt(vmcb_pa);
	s->vmcb_pa = vmcb_pa;
	s->xcr0 = 1;	/* x87 only, the reset value */
	vp->arch = s;

	v->control.intercept_misc1 = SVM_INTERCEPT_CPUID | SVM_INTERCEPT_INVD |
				     SVM_INTERCEPT_INVLPGA | SVM_INTERCEPT_IOIO | SVM_INTERCEPT_MSR |
				     SVM_INTERCEPT_SHUTDOWN;
	v->control.intercept_misc2 = SVM_INTERCEPT_VMRUN | SVM_INTERCEPT_VMMCALL |
				     SVM_INTERCEPT_VMLOAD | SVM_INTERCEPT_VMSAVE |
				     SVM_INTERCEPT_STGI | SVM_INTERCEPT_CLGI | SVM_INTERCEPT_SKINIT;
	if (root) {
		/* Interrupts, NMIs, HLT and exceptions are the root's own business. */
		v->control.iopm_base_pa = root_iopm_pa;
		v->control.msrpm_base_pa = root_msrpm_pa;
	} else {
		/* #DB and #AC only so the CPU cannot loop on them; #MC is fatal. */
		v->control.intercept_exceptions = BIT(1) | BIT(17) | BIT(18);
		v->control.intercept_misc1 |= SVM_INTERCEPT_INTR | SVM_INTERCEPT_NMI |
					      SVM_INTERCEPT_HLT | SVM_INTERCEPT_TASK_SW |
					      SVM_INTERCEPT_FERR;
		v->control.intercept_misc2 |= SVM_INTERCEPT_MONITOR | SVM_INTERCEPT_MWAIT;
		v->control.iopm_base_pa = child_iopm_pa;
		v->control.msrpm_base_pa = child_msrpm_pa;
		v->control.int_ctl = SVM_INT_CTL_V_INTR_MASKING;
	}
	v->control.nested_ctl = SVM_NESTED_CTL_NP_ENABLE;
	v->control.nested_cr3 = vp->part->gpa.root;
	v->save.efer = EFER_SVME;
	v->save.g_pat = PAT_POWER_ON;
	v->save.dr6 = 0xFFFF0FF0;
	v->save.dr7 = 0x400;
	v->save.rflags = 2;
	return 0;
}

static void svm_vp_destroy(struct vp *vp, const struct page_source *pages)
{
	struct svm_vp *s = to_svm(vp);

	pages->free(pages->ctx, s->vmcb_pa);
	pages->free(pages->ctx, virt_to_phys(s));
	vp->arch = NULL;
}

/* A fresh ASID when this VP's is from an older generation; running out
 * starts a new generation with a full flush. */
static void svm_prepare_tlb(struct vp *vp)
{
	struct svm_vp *s = to_svm(vp);
	struct vmcb_control *c = &s->vmcb->control;

	if (s->asid_gen != cpu.asid_gen) {
		if (cpu.next_asid >= cpu.max_asid) {
			cpu.asid_gen++;
			cpu.next_asid = 1;
			c->tlb_control = SVM_TLB_CONTROL_FLUSH_ALL;
		}
		s->asid = cpu.next_asid++;
		s->asid_gen = cpu.asid_gen;
		s->flush_gen = vp->part->gpa.flush_gen;
		c->asid = s->asid;
		if (c->tlb_control == SVM_TLB_CONTROL_NONE)
			c->tlb_control = svm_features & SVM_FEATURE_FLUSHBYASID ?
						 SVM_TLB_CONTROL_FLUSH_ASID : SVM_TLB_CONTROL_FLUSH_ALL;
	}
	if (s->flush_gen != vp->part->gpa.flush_gen) {
		s->flush_gen = vp->part->gpa.flush_gen;
		if (c->tlb_control == SVM_TLB_CONTROL_NONE)
			c->tlb_control = svm_features & SVM_FEATURE_FLUSHBYASID ?
						 SVM_TLB_CONTROL_FLUSH_ASID : SVM_TLB_CONTROL_FLUSH_ALL;
	}
}

static void svm_inject(struct svm_vp *s, u8 vector, u32 type, bool has_error, u32 error)
{
	u64 ev = vector | ((u64)type << SVM_EVTINJ_TYPE_SHIFT) | SVM_EVTINJ_VALID;

	if (has_error)
		ev |= SVM_EVTINJ_ERR_VALID | ((u64)error << 32);
	/* All 64 bits: TCG leaves a stale error code in the high half. */
	s->vmcb->control.event_inj = ev;
}

static void svm_vp_inject_exception(struct vp *vp, u8 vector, bool has_error, u32 error)
{
	svm_inject(to_svm(vp), vector, SVM_EVTINJ_TYPE_EXC, has_error, error);
}

static void svm_vp_inject_interrupt(struct vp *vp, u8 vector)
{
	svm_inject(to_svm(vp), vector, SVM_EVTINJ_TYPE_INTR, false, 0);
}

static void svm_vp_inject_nmi(struct vp *vp)
{
	svm_inject(to_svm(vp), 2, SVM_EVTINJ_TYPE_NMI, false, 0);
}

static bool svm_vp_event_pending(struct vp *vp)
{
	return to_svm(vp)->vmcb->control.event_inj & SVM_EVTINJ_VALID;
}

static bool svm_vp_interruptible(struct vp *vp)
{
	const struct vmcb *v = to_svm(vp)->vmcb;

	return (v->save.rflags & X86_RFLAGS_IF) && !(v->control.int_state & 1);
}

/* A virtual interrupt that ignores the TPR makes the CPU exit (VINTR)
 * the moment the guest could take one; it is never delivered itself. */
static void svm_vp_request_interrupt_window(struct vp *vp, bool on)
{
	struct vmcb_control *c = &to_svm(vp)->vmcb->control;

	if (on) {
		c->int_ctl |= SVM_INT_CTL_V_IRQ | SVM_INT_CTL_V_IGN_TPR | SVM_INT_CTL_V_INTR_PRIO;
		c->intercept_misc1 |= SVM_INTERCEPT_VINTR;
	} else {
		c->int_ctl &= ~(SVM_INT_CTL_V_IRQ | SVM_INT_CTL_V_IGN_TPR | SVM_INT_CTL_V_INTR_PRIO);
		c->intercept_misc1 &= ~SVM_INTERCEPT_VINTR;
	}
}

/*
 * An exit that interrupted event delivery loses the event unless it is
 * injected again. TCG reports external interrupts as exceptions (type 3,
 * vector >= 32); VMRUN would refuse those, so they become type 0.
 */
static void svm_requeue_event(struct svm_vp *s)
{
	u64 info = s->vmcb->control.exit_int_info;
	u32 type = (info >> SVM_EVTINJ_TYPE_SHIFT) & 7;
	u8 vector = info & 0xFF;

	if (!(info & SVM_EVTINJ_VALID))
		return;
	if (type == SVM_EVTINJ_TYPE_EXC && vector >= 32)
		type = SVM_EVTINJ_TYPE_INTR;
	svm_inject(s, vector, type, info & SVM_EVTINJ_ERR_VALID, info >> 32);
}

static bool pat_valid(u64 pat)
{
	for (int i = 0; i < 8; i++) {
		u8 t = pat >> (i * 8);

		if (t == 2 || t == 3 || t > 7)
			return false;
	}
	return true;
}

/* EFER and PAT live in the VMCB: finish those accesses here. SVME stays
 * set underneath (VMRUN requires it) and is never shown to the guest. */
static bool svm_msr_local(struct vp *vp, bool write)
{
	struct vmcb_save *save = &to_svm(vp)->vmcb->save;
	u32 msr = vp->gprs.rcx;
	u64 val = (vp->gprs.rdx << 32) | (u32)vp->gprs.rax;

	if (msr != MSR_EFER && msr != MSR_PAT)
		return false;
	if (!write) {
		val = msr == MSR_EFER ? save->efer & ~EFER_SVME : save->g_pat;
		vp->gprs.rax = (u32)val;
		vp->gprs.rdx = val >> 32;
	} else if (msr == MSR_EFER) {
		if (val & ~(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE)) {
			vp_inject_gp(vp);
			return true;
		}
		save->efer = (val & ~EFER_LMA) | (save->efer & EFER_LMA) | EFER_SVME;
	} else {
		if (!pat_valid(val)) {
			vp_inject_gp(vp);
			return true;
		}
		save->g_pat = val;
	}
	vp_skip(vp);
	return true;
}

/* Fills *exit and returns true when generic code must act; handles the
 * vendor-only exits itself and returns false to re-enter the guest. */
static bool svm_decode_exit(struct vp *vp, struct vp_exit *exit, bool root_interrupts)
{
	struct vmcb_control *c = &to_svm(vp)->vmcb->control;
	u64 code = c->exit_code;

	if ((u32)code == (u32)SVM_EXIT_INVALID) {
		exit->reason = VP_EXIT_INVALID_STATE;
		return true;
	}
	switch (code) {
	case SVM_EXIT_CPUID:
		exit->reason = VP_EXIT_CPUID;
		return true;
	case SVM_EXIT_MSR:
		if (svm_msr_local(vp, c->exit_info1 & 1))
			return false;
		exit->reason = c->exit_info1 & 1 ? VP_EXIT_MSR_WRITE : VP_EXIT_MSR_READ;
		return true;
	case SVM_EXIT_IOIO:
		exit->reason = VP_EXIT_IO;
		exit->io.port = c->exit_info1 >> 16;
		exit->io.size = (c->exit_info1 >> SVM_IOIO_SIZE_SHIFT) & 7;
		exit->io.in = c->exit_info1 & SVM_IOIO_IN;
		exit->io.string = c->exit_info1 & SVM_IOIO_STR;
		exit->io.rep = c->exit_info1 & SVM_IOIO_REP;
		return true;
	case SVM_EXIT_VMMCALL:
		exit->reason = VP_EXIT_HYPERCALL;
		return true;
	case SVM_EXIT_NPF:
		exit->reason = VP_EXIT_NPF;
		exit->npf.gpa = c->exit_info2;
		exit->npf.present = c->exit_info1 & BIT(0);
		exit->npf.write = c->exit_info1 & BIT(1);
		exit->npf.fetch = c->exit_info1 & BIT(4);
		return true;
	case SVM_EXIT_HLT:
		exit->reason = VP_EXIT_HLT;
		return true;
	case SVM_EXIT_SHUTDOWN:
		exit->reason = VP_EXIT_SHUTDOWN;
		return true;
	case SVM_EXIT_EXCP_BASE + 1:
	case SVM_EXIT_EXCP_BASE + 17:
		/* Intercepted only so the CPU cannot loop on them; reflect. */
		svm_vp_inject_exception(vp, code - SVM_EXIT_EXCP_BASE,
					X86_EXC_HAS_ERROR(code - SVM_EXIT_EXCP_BASE), c->exit_info1);
		return false;
	case SVM_EXIT_INTR:
		/* Left pending in the interrupt controller for the root to take. */
		exit->reason = VP_EXIT_INTERRUPT;
		return root_interrupts;
	case SVM_EXIT_NMI:
		/* The host takes it once GIF is set again. */
		return false;
	case SVM_EXIT_VINTR:
		exit->reason = VP_EXIT_INTERRUPT_WINDOW;
		return true;
	case SVM_EXIT_VMRUN:
	case SVM_EXIT_VMLOAD:
	case SVM_EXIT_VMSAVE:
	case SVM_EXIT_STGI:
	case SVM_EXIT_CLGI:
	case SVM_EXIT_SKINIT:
	case SVM_EXIT_INVLPGA:
	case SVM_EXIT_MONITOR:
	case SVM_EXIT_MWAIT:
		/* Not advertised in the guest's CPUID. */
		vp_inject_ud(vp);
		return false;
	case SVM_EXIT_INVD:
		/* INVD would drop the host's dirty lines: a no-op is safe. */
		vp_skip(vp);
		return false;
	}
	if (code >= SVM_EXIT_EXCP_BASE && code < SVM_EXIT_EXCP_BASE + 32) {
		exit->reason = VP_EXIT_EXCEPTION;
		exit->exception.vector = code - SVM_EXIT_EXCP_BASE;
		exit->exception.error = c->exit_info1;
		return true;
	}
	exit->reason = VP_EXIT_UNHANDLED;
	exit->unhandled.code = code;
	exit->unhandled.name = svm_exit_name(code);
	return true;
}

/* XSETBV is not intercepted (TCG cannot), so XCR0 is switched around
 * each entry of a child: the root's own value stays the root's. */
static u64 svm_load_xcr0(struct svm_vp *s, struct vp *vp)
{
	u64 host;

	if (vp->part->kind != PARTITION_CHILD || !(read_cr4() & X86_CR4_OSXSAVE))
		return 0;
	host = xgetbv0();
	if (s->xcr0 != host)
		xsetbv0(s->xcr0);
	return host;
}

static void svm_save_xcr0(struct svm_vp *s, u64 host)
{
	if (!host)
		return;
	s->xcr0 = xgetbv0();
	if (s->xcr0 != host)
		xsetbv0(host);
}

static void svm_vp_run(struct vp *vp, struct vp_exit *exit, bool root_interrupts)
{
	struct svm_vp *s = to_svm(vp);
	struct vmcb *v = s->vmcb;

	do {
		u64 host_xcr0;

		svm_prepare_tlb(vp);
		v->save.rax = vp->gprs.rax;
		v->save.rsp = vp->gprs.rsp;
		host_xcr0 = svm_load_xcr0(s, vp);
		svm_vmrun(s->vmcb_pa, &vp->gprs, cpu.host_vmcb_pa, root_interrupts);
		svm_save_xcr0(s, host_xcr0);
		vp->gprs.rax = v->save.rax;
		vp->gprs.rsp = v->save.rsp;
		v->control.tlb_control = SVM_TLB_CONTROL_NONE;
		vp->exits++;
		svm_requeue_event(s);
	} while (!svm_decode_exit(vp, exit, root_interrupts));
}

static u64 *svm_reg(struct vmcb_save *save, enum vp_reg reg)
{
	switch (reg) {
	case VP_REG_RIP: return &save->rip;
	case VP_REG_RFLAGS: return &save->rflags;
	case VP_REG_CR0: return &save->cr0;
	case VP_REG_CR2: return &save->cr2;
	case VP_REG_CR3: return &save->cr3;
	case VP_REG_CR4: return &save->cr4;
	case VP_REG_EFER: return &save->efer;
	case VP_REG_PAT: return &save->g_pat;
	case VP_REG_DR6: return &save->dr6;
	case VP_REG_DR7: return &save->dr7;
	case VP_REG_KERNEL_GS_BASE: return &save->kernel_gs_base;
	case VP_REG_STAR: return &save->star;
	case VP_REG_LSTAR: return &save->lstar;
	case VP_REG_CSTAR: return &save->cstar;
	case VP_REG_SFMASK: return &save->sfmask;
	case VP_REG_SYSENTER_CS: return &save->sysenter_cs;
	case VP_REG_SYSENTER_ESP: return &save->sysenter_esp;
	case VP_REG_SYSENTER_EIP: return &save->sysenter_eip;
	case VP_REG_TSC_OFFSET:
	case VP_REG_INTERRUPT_SHADOW:
	case VP_REG_CR8:
		break;
	}
	return NULL;
}

static u64 svm_vp_get_reg(struct vp *vp, enum vp_reg reg)
{
	struct vmcb *v = to_svm(vp)->vmcb;

	if (reg == VP_REG_TSC_OFFSET)
		return v->control.tsc_offset;
	if (reg == VP_REG_CR8)
		return v->control.int_ctl & SVM_INT_CTL_V_TPR;
	if (reg == VP_REG_INTERRUPT_SHADOW)
		return v->control.int_state & 1;
	if (reg == VP_REG_EFER)
		return v->save.efer & ~EFER_SVME;
	return *svm_reg(&v->save, reg);
}

static void svm_vp_set_reg(struct vp *vp, enum vp_reg reg, u64 val)
{
	struct vmcb *v = to_svm(vp)->vmcb;

	if (reg == VP_REG_TSC_OFFSET)
		v->control.tsc_offset = val;
	else if (reg == VP_REG_CR8)
		v->control.int_ctl = (v->control.int_ctl & ~SVM_INT_CTL_V_TPR) | (val & 0xF);
	else if (reg == VP_REG_INTERRUPT_SHADOW)
		v->control.int_state = (v->control.int_state & ~1ULL) | (val & 1);
	else if (reg == VP_REG_EFER)
		v->save.efer = val | EFER_SVME;
	else
		*svm_reg(&v->save, reg) = val;
}

static struct vmcb_seg *svm_seg(struct vmcb_save *save, enum vp_seg seg)
{
	struct vmcb_seg *segs[] = {
		[VP_SEG_ES] = &save->es, [VP_SEG_CS] = &save->cs, [VP_SEG_SS] = &save->ss,
		[VP_SEG_DS] = &save->ds, [VP_SEG_FS] = &save->fs, [VP_SEG_GS] = &save->gs,
		[VP_SEG_LDTR] = &save->ldtr, [VP_SEG_TR] = &save->tr,
		[VP_SEG_GDTR] = &save->gdtr, [VP_SEG_IDTR] = &save->idtr,
	};

	return segs[seg];
}

static void svm_vp_get_seg(struct vp *vp, enum vp_seg seg, struct vp_segment *s)
{
	const struct vmcb_seg *v = svm_seg(&to_svm(vp)->vmcb->save, seg);

	s->base = v->base;
	s->limit = v->limit;
	s->selector = v->selector;
	s->attributes = (v->attrib & 0xFF) | ((v->attrib & 0xF00) << 4);
}

static void svm_vp_set_seg(struct vp *vp, enum vp_seg seg, const struct vp_segment *s)
{
	struct vmcb_save *save = &to_svm(vp)->vmcb->save;
	struct vmcb_seg *v = svm_seg(save, seg);

	v->base = s->base;
	v->limit = s->limit;
	v->selector = s->selector;
	v->attrib = (s->attributes & 0xFF) | ((s->attributes >> 4) & 0xF00);
	/* VMRUN takes CPL from SS.DPL, not from the CPL byte. */
	if (seg == VP_SEG_SS)
		save->cpl = (s->attributes >> 5) & 3;
}

static enum insn_kind svm_exit_insn(u64 code)
{
	switch (code) {
	case SVM_EXIT_CPUID: return INSN_CPUID;
	case SVM_EXIT_HLT: return INSN_HLT;
	case SVM_EXIT_VMMCALL: return INSN_VMMCALL;
	case SVM_EXIT_INVD: return INSN_INVD;
	}
	return INSN_RDMSR; /* SVM_EXIT_MSR; WRMSR is checked by the caller */
}

static int svm_vp_insn_length(struct vp *vp)
{
	struct vmcb *v = to_svm(vp)->vmcb;
	u64 code = v->control.exit_code;
	enum insn_kind kind = svm_exit_insn(code);

	if (code == SVM_EXIT_IOIO)
		return v->control.exit_info2 - v->save.rip;
	if (svm_features & SVM_FEATURE_NRIPS)
		return v->control.next_rip - v->save.rip;
	if (code == SVM_EXIT_MSR && (v->control.exit_info1 & 1))
		kind = INSN_WRMSR;
	return x86_insn_length(vp, kind);
}

static void svm_vp_dump(struct vp *vp)
{
	const struct vmcb *v = to_svm(vp)->vmcb;
	const struct vp_gprs *g = &vp->gprs;
	u32 id = vp->part->id;

	pr_info("p%u:   exit %s (0x%lx) info1 %lx info2 %lx intinfo %lx", id,
		svm_exit_name(v->control.exit_code), v->control.exit_code, v->control.exit_info1,
		v->control.exit_info2, v->control.exit_int_info);
	pr_info("p%u:   rip %lx rsp %lx rflags %lx cpl %u cs %x/%x ss %x/%x", id, v->save.rip,
		v->save.rsp, v->save.rflags, v->save.cpl, v->save.cs.selector, v->save.cs.attrib,
		v->save.ss.selector, v->save.ss.attrib);
	pr_info("p%u:   cr0 %lx cr2 %lx cr3 %lx cr4 %lx efer %lx asid %u", id, v->save.cr0,
		v->save.cr2, v->save.cr3, v->save.cr4, v->save.efer, v->control.asid);
	pr_info("p%u:   rax %lx rbx %lx rcx %lx rdx %lx rsi %lx rdi %lx rbp %lx", id, g->rax,
		g->rbx, g->rcx, g->rdx, g->rsi, g->rdi, g->rbp);
	pr_info("p%u:   r8 %lx r9 %lx r10 %lx r11 %lx r12 %lx r13 %lx r14 %lx r15 %lx", id, g->r8,
		g->r9, g->r10, g->r11, g->r12, g->r13, g->r14, g->r15);
}

const struct arch_ops svm_ops = {
	.name = "AMD-V (SVM + NPT)",
	.gpa_ops = &npt_ops,
	.cpu_init = svm_cpu_init,
	.vp_create = svm_vp_create,
	.vp_destroy = svm_vp_destroy,
	.vp_run = svm_vp_run,
	.vp_get_reg = svm_vp_get_reg,
	.vp_set_reg = svm_vp_set_reg,
	.vp_get_seg = svm_vp_get_seg,
	.vp_set_seg = svm_vp_set_seg,
	.vp_inject_exception = svm_vp_inject_exception,
	.vp_inject_interrupt = svm_vp_inject_interrupt,
	.vp_inject_nmi = svm_vp_inject_nmi,
	.vp_event_pending = svm_vp_event_pending,
	.vp_interruptible = svm_vp_interruptible,
	.vp_request_interrupt_window = svm_vp_request_interrupt_window,
	.vp_insn_length = svm_vp_insn_length,
	.vp_fetch_insn = x86_fetch_insn,
	.vp_dump = svm_vp_dump,
};
