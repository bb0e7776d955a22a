/*
 * VP registers by TLFS name, for HvCallGet/SetVpRegisters: the root sets a
 * child's initial state and completes intercepts through these.
 */
#include "hv/msr.h"
#include "hv/registers.h"
#include "hv/status.h"
#include "msr.h"
#include "partition.h"
#include "time.h"
#include "vp_regs.h"
#include "x86.h"

static const struct {
	u32 name;
	enum vp_reg reg;
} plain_regs[] = {
	{ HV_X64_REGISTER_RIP, VP_REG_RIP }, { HV_X64_REGISTER_RFLAGS, VP_REG_RFLAGS },
	{ HV_X64_REGISTER_CR0, VP_REG_CR0 }, { HV_X64_REGISTER_CR2, VP_REG_CR2 },
	{ HV_X64_REGISTER_CR3, VP_REG_CR3 }, { HV_X64_REGISTER_CR4, VP_REG_CR4 },
	{ HV_X64_REGISTER_DR6, VP_REG_DR6 }, { HV_X64_REGISTER_DR7, VP_REG_DR7 },
	{ HV_X64_REGISTER_EFER, VP_REG_EFER }, { HV_X64_REGISTER_PAT, VP_REG_PAT },
	{ HV_X64_REGISTER_KERNEL_GS_BASE, VP_REG_KERNEL_GS_BASE },
	{ HV_X64_REGISTER_STAR, VP_REG_STAR }, { HV_X64_REGISTER_LSTAR, VP_REG_LSTAR },
	{ HV_X64_REGISTER_CSTAR, VP_REG_CSTAR }, { HV_X64_REGISTER_SFMASK, VP_REG_SFMASK },
	{ HV_X64_REGISTER_SYSENTER_CS, VP_REG_SYSENTER_CS },
	{ HV_X64_REGISTER_SYSENTER_EIP, VP_REG_SYSENTER_EIP },
	{ HV_X64_REGISTER_SYSENTER_ESP, VP_REG_SYSENTER_ESP },
};

/* Synthetic registers are the MSRs of the same meaning. */
static u32 register_msr(u32 name)
{
	switch (name) {
	case HV_REGISTER_HYPERCALL: return HV_X64_MSR_HYPERCALL;
	case HV_REGISTER_GUEST_OS_ID: return HV_X64_MSR_GUEST_OS_ID;
	case HV_REGISTER_VP_INDEX: return HV_X64_MSR_VP_INDEX;
	case HV_REGISTER_TIME_REF_COUNT: return HV_X64_MSR_TIME_REF_COUNT;
	case HV_REGISTER_VP_ASSIST_PAGE: return HV_X64_MSR_VP_ASSIST_PAGE;
	case HV_REGISTER_REFERENCE_TSC: return HV_X64_MSR_REFERENCE_TSC;
	case HV_REGISTER_SCONTROL: return HV_X64_MSR_SCONTROL;
	case HV_REGISTER_SVERSION: return HV_X64_MSR_SVERSION;
	case HV_REGISTER_SIEFP: return HV_X64_MSR_SIEFP;
	case HV_REGISTER_SIMP: return HV_X64_MSR_SIMP;
	case HV_REGISTER_EOM: return HV_X64_MSR_EOM;
	case HV_X64_REGISTER_APIC_BASE: return 0x1B;
	}
	if (name >= HV_REGISTER_SINT0 && name <= HV_REGISTER_SINT15)
		return HV_X64_MSR_SINT0 + (name - HV_REGISTER_SINT0);
	if (name >= HV_REGISTER_STIMER0_CONFIG && name <= HV_REGISTER_STIMER3_COUNT)
		return HV_X64_MSR_STIMER0_CONFIG + (name - HV_REGISTER_STIMER0_CONFIG);
	return 0;
}

static bool segment_reg(u32 name, enum vp_seg *seg)
{
	if (name >= HV_X64_REGISTER_ES && name <= HV_X64_REGISTER_TR) {
		*seg = VP_SEG_ES + (name - HV_X64_REGISTER_ES);
		return true;
	}
	if (name == HV_X64_REGISTER_IDTR || name == HV_X64_REGISTER_GDTR) {
		*seg = name == HV_X64_REGISTER_IDTR ? VP_SEG_IDTR : VP_SEG_GDTR;
		return true;
	}
	return false;
}

u16 vp_get_register(struct vp *vp, u32 name, union hv_register_value *v)
{
	enum vp_seg seg;
	u32 msr = register_msr(name);

	*v = (union hv_register_value){ 0 };
	if (name >= HV_X64_REGISTER_RAX && name <= HV_X64_REGISTER_R15) {
		v->reg64 = (&vp->gprs.rax)[name - HV_X64_REGISTER_RAX];
		return HV_STATUS_SUCCESS;
	}
	for (size_t i = 0; i < ARRAY_SIZE(plain_regs); i++) {
		if (plain_regs[i].name == name) {
			v->reg64 = arch->vp_get_reg(vp, plain_regs[i].reg);
			return HV_STATUS_SUCCESS;
		}
	}
	if (segment_reg(name, &seg)) {
		struct vp_segment s;

		arch->vp_get_seg(vp, seg, &s);
		if (seg == VP_SEG_IDTR || seg == VP_SEG_GDTR) {
			v->table.base = s.base;
			v->table.limit = s.limit;
		} else {
			v->segment = (struct hv_x64_segment_register){ s.base, s.limit, s.selector,
								       s.attributes };
		}
		return HV_STATUS_SUCCESS;
	}
	if (name - SEPTUM_REGISTER_EXITS(0) < SEPTUM_EXIT_REASONS) {
		v->reg64 = vp->exit_reasons[name - SEPTUM_REGISTER_EXITS(0)];
		return HV_STATUS_SUCCESS;
	}
	switch (name) {
	case HV_X64_REGISTER_TSC:
		v->reg64 = rdtsc() + arch->vp_get_reg(vp, VP_REG_TSC_OFFSET);
		return HV_STATUS_SUCCESS;
	case HV_REGISTER_INTERRUPT_STATE:
		v->reg64 = arch->vp_get_reg(vp, VP_REG_INTERRUPT_SHADOW);
		return HV_STATUS_SUCCESS;
	case HV_REGISTER_EXPLICIT_SUSPEND:
	case HV_REGISTER_INTERCEPT_SUSPEND:
		return HV_STATUS_SUCCESS;
	}
	if (msr && msr_read(vp, msr, &v->reg64) == 0)
		return HV_STATUS_SUCCESS;
	return HV_STATUS_INVALID_PARAMETER;
}

u16 vp_set_register(struct vp *vp, u32 name, const union hv_register_value *v)
{
	enum vp_seg seg;
	u32 msr = register_msr(name);

	if (name >= HV_X64_REGISTER_RAX && name <= HV_X64_REGISTER_R15) {
		(&vp->gprs.rax)[name - HV_X64_REGISTER_RAX] = v->reg64;
		return HV_STATUS_SUCCESS;
	}
	if (name == HV_X64_REGISTER_EFER &&
	    (v->reg64 & ~(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE)))
		return HV_STATUS_INVALID_REGISTER_VALUE;
	for (size_t i = 0; i < ARRAY_SIZE(plain_regs); i++) {
		if (plain_regs[i].name == name) {
			arch->vp_set_reg(vp, plain_regs[i].reg, v->reg64);
			/* The root placing an AP's RIP starts it without a SIPI. */
			if (name == HV_X64_REGISTER_RIP && vp->run_state == VP_WAIT_SIPI)
				vp->run_state = VP_RUNNABLE;
			return HV_STATUS_SUCCESS;
		}
	}
	if (segment_reg(name, &seg)) {
		struct vp_segment s;

		if (seg == VP_SEG_IDTR || seg == VP_SEG_GDTR)
			s = (struct vp_segment){ v->table.base, v->table.limit, 0, 0 };
		else
			s = (struct vp_segment){ v->segment.base, v->segment.limit,
						 v->segment.selector, v->segment.attributes };
		arch->vp_set_seg(vp, seg, &s);
		return HV_STATUS_SUCCESS;
	}
	switch (name) {
	case HV_X64_REGISTER_TSC:
		arch->vp_set_reg(vp, VP_REG_TSC_OFFSET, v->reg64 - rdtsc());
		return HV_STATUS_SUCCESS;
	case HV_REGISTER_INTERRUPT_STATE:
		arch->vp_set_reg(vp, VP_REG_INTERRUPT_SHADOW, v->reg64 & 1);
		return HV_STATUS_SUCCESS;
	case HV_REGISTER_EXPLICIT_SUSPEND:
	case HV_REGISTER_INTERCEPT_SUSPEND:
		return HV_STATUS_SUCCESS;
	}
	if (msr && msr_write(vp, msr, v->reg64) == 0)
		return HV_STATUS_SUCCESS;
	return msr ? HV_STATUS_INVALID_REGISTER_VALUE : HV_STATUS_INVALID_PARAMETER;
}

/* x86 reset state (SDM vol. 3 "Initialization"): real mode at F000:FFF0. */
void vp_reset(struct vp *vp)
{
	static const struct vp_segment cs = { 0xFFFF0000, 0xFFFF, 0xF000, 0x9B };
	static const struct vp_segment data = { 0, 0xFFFF, 0, 0x93 };
	static const struct vp_segment ldtr = { 0, 0xFFFF, 0, 0x82 };
	static const struct vp_segment tr = { 0, 0xFFFF, 0, 0x8B };
	static const struct vp_segment table = { 0, 0xFFFF, 0, 0 };

	arch->vp_set_reg(vp, VP_REG_CR0, X86_CR0_CD | X86_CR0_NW | X86_CR0_ET);
	arch->vp_set_reg(vp, VP_REG_RFLAGS, 2);
	arch->vp_set_reg(vp, VP_REG_RIP, 0xFFF0);
	arch->vp_set_seg(vp, VP_SEG_CS, &cs);
	for (enum vp_seg s = VP_SEG_ES; s <= VP_SEG_GS; s++)
		if (s != VP_SEG_CS)
			arch->vp_set_seg(vp, s, &data);
	arch->vp_set_seg(vp, VP_SEG_LDTR, &ldtr);
	arch->vp_set_seg(vp, VP_SEG_TR, &tr);
	arch->vp_set_seg(vp, VP_SEG_GDTR, &table);
	arch->vp_set_seg(vp, VP_SEG_IDTR, &table);
}
