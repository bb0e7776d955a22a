/* Generic exit handling: what a VP's exit means for its partition. */
#include "cpuid.h"
#include "hypercall.h"
#include "io.h"
#include "log.h"
#include "msr.h"
#include "partition.h"
#include "root_fault.h"
#include "vp.h"
#include "x86.h"

struct vp *current_vp;

/* A hypervisor panic while handling an exit shows that exit too. */
void panic_hook(void)
{
	if (current_vp)
		arch->vp_dump(current_vp);
}

enum vp_cpu_mode vp_cpu_mode(struct vp *vp)
{
	struct vp_segment cs;

	if (!(arch->vp_get_reg(vp, VP_REG_CR0) & X86_CR0_PE) ||
	    (arch->vp_get_reg(vp, VP_REG_RFLAGS) & X86_RFLAGS_VM))
		return VP_MODE_REAL;
	arch->vp_get_seg(vp, VP_SEG_CS, &cs);
	if ((arch->vp_get_reg(vp, VP_REG_EFER) & EFER_LMA) && (cs.attributes & BIT(13)))
		return VP_MODE_64;
	return cs.attributes & BIT(14) ? VP_MODE_32 : VP_MODE_16;
}

u32 vp_cpl(struct vp *vp)
{
	struct vp_segment ss;

	if (vp_cpu_mode(vp) == VP_MODE_REAL)
		return arch->vp_get_reg(vp, VP_REG_RFLAGS) & X86_RFLAGS_VM ? 3 : 0;
	arch->vp_get_seg(vp, VP_SEG_SS, &ss);
	return (ss.attributes >> 5) & 3;
}

bool vp_skip(struct vp *vp)
{
	int len = arch->vp_insn_length(vp);
	u64 rip = arch->vp_get_reg(vp, VP_REG_RIP);

	if (len <= 0 || len > 15) {
		partition_terminate(vp->part, "cannot decode the intercepted instruction at rip %lx",
				    rip);
		return false;
	}
	rip += len;
	arch->vp_set_reg(vp, VP_REG_RIP, vp_cpu_mode(vp) == VP_MODE_64 ? rip : (u32)rip);
	/* The instruction ran: an STI or MOV SS shadow before it is over. */
	arch->vp_set_reg(vp, VP_REG_INTERRUPT_SHADOW, 0);
	return true;
}

void vp_inject_gp(struct vp *vp)
{
	arch->vp_inject_exception(vp, X86_EXC_GP, true, 0);
}

void vp_inject_ud(struct vp *vp)
{
	arch->vp_inject_exception(vp, X86_EXC_UD, false, 0);
}

bool vp_handle_msr(struct vp *vp, bool write)
{
	u32 msr = vp->gprs.rcx;
	bool ignore = vp->part->ignore_unknown_msrs;
	u64 val = (vp->gprs.rdx << 32) | (u32)vp->gprs.rax;
	int err = write ? msr_write(vp, msr, val) : msr_read(vp, msr, &val);

	if (err == MSR_TO_ROOT)
		return false;
	if (err && !ignore) {
		pr_debug("%s: #GP on %s %x", vp->part->name, write ? "wrmsr" : "rdmsr", msr);
		vp_inject_gp(vp);
		return true;
	}
	if (!write) {
		val = err ? 0 : val;
		vp->gprs.rax = (u32)val;
		vp->gprs.rdx = val >> 32;
	}
	vp_skip(vp);
	return true;
}

void vp_handle_exit(struct vp *vp, const struct vp_exit *exit)
{
	struct partition *p = vp->part;

	switch (exit->reason) {
	case VP_EXIT_CPUID:
		cpuid_handle(vp);
		break;
	case VP_EXIT_MSR_READ:
	case VP_EXIT_MSR_WRITE:
		if (!vp_handle_msr(vp, exit->reason == VP_EXIT_MSR_WRITE))
			vp_inject_gp(vp);
		break;
	case VP_EXIT_IO:
		io_handle(vp, exit);
		break;
	case VP_EXIT_HYPERCALL:
		hypercall_handle(vp);
		break;
	case VP_EXIT_NPF:
		if (p->kind == PARTITION_ROOT) {
			root_fault(p, exit->npf.gpa, exit->npf.write);
			break;
		}
		partition_terminate(p, "nested page fault: %s at GPA %lx, outside its memory",
				    exit->npf.fetch ? "fetch" : exit->npf.write ? "write" : "read",
				    exit->npf.gpa);
		break;
	case VP_EXIT_HLT:
		if (arch->vp_get_reg(vp, VP_REG_RFLAGS) & X86_RFLAGS_IF)
			partition_end(p, "halted with no interrupt source");
		else
			partition_end(p, "halted with interrupts disabled");
		break;
	case VP_EXIT_SHUTDOWN:
		partition_terminate(p, "triple fault (shutdown)");
		break;
	case VP_EXIT_EXCEPTION:
		partition_terminate(p, "exception %u (error %x) the hypervisor does not handle",
				    exit->exception.vector, exit->exception.error);
		break;
	case VP_EXIT_INVALID_STATE:
		partition_terminate(p, "invalid VP state: the CPU refused to enter it");
		break;
	case VP_EXIT_UNHANDLED:
		partition_terminate(p, "unhandled exit %s (0x%lx)", exit->unhandled.name,
				    exit->unhandled.code);
		break;
	case VP_EXIT_INTERRUPT:
	case VP_EXIT_INTERRUPT_WINDOW:
		break;
	}
}
