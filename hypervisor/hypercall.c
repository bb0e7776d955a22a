/*
 * Hypercall entry (TLFS 3): decodes the control word from the registers of
 * the calling convention in use, checks it, dispatches, and writes the
 * result value back. Handlers live in hc_*.c.
 */
#include "hv/hypercall.h"
#include "hv/msr.h"
#include "hv/status.h"
#include "hypercall.h"
#include "log.h"
#include "partition.h"

struct hc_input {
	u64 control, in_gpa, out_gpa;
	u16 code;
	bool fast;
	u32 rep_count, rep_start;
};

struct hc_entry {
	u16 code;
	bool rep;
	u16 (*handler)(struct vp *vp, const struct hc_input *in, u32 *reps_done);
};

static u16 hc_notify_long_spin_wait(struct vp *vp, const struct hc_input *in, u32 *reps_done)
{
	(void)vp;
	(void)in;
	(void)reps_done;
	return HV_STATUS_SUCCESS;
}

static const struct hc_entry hypercalls[] = {
	{ HVCALL_NOTIFY_LONG_SPIN_WAIT, false, hc_notify_long_spin_wait },
};

static u16 hc_dispatch(struct vp *vp, const struct hc_input *in, u32 *reps_done)
{
	const struct hc_entry *e = NULL;

	for (size_t i = 0; i < ARRAY_SIZE(hypercalls); i++)
		if (hypercalls[i].code == in->code)
			e = &hypercalls[i];
	if (!e)
		return HV_STATUS_INVALID_HYPERCALL_CODE;
	if (in->control & HV_HYPERCALL_RSVD_MASK)
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	/* A simple call carries no rep fields; a rep call at least one rep. */
	if (e->rep ? (in->rep_count == 0 || in->rep_start >= in->rep_count)
		   : (in->rep_count || in->rep_start))
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	*reps_done = in->rep_start;
	return e->handler(vp, in, reps_done);
}

void hypercall_handle(struct vp *vp)
{
	bool long_mode = vp_cpu_mode(vp) == VP_MODE_64;
	struct vp_gprs *g = &vp->gprs;
	struct hc_input in;
	u32 reps_done = 0;
	u64 result;

	/* TLFS 3.2: only CPL 0 with the hypercall page enabled may call. */
	if (vp_cpl(vp) != 0 || !(vp->part->hypercall_msr & HV_X64_MSR_HYPERCALL_ENABLE) ||
	    vp_cpu_mode(vp) == VP_MODE_REAL) {
		vp_inject_ud(vp);
		return;
	}
	if (long_mode) {
		in.control = g->rcx;
		in.in_gpa = g->rdx;
		in.out_gpa = g->r8;
	} else {
		in.control = (g->rdx << 32) | (u32)g->rax;
		in.in_gpa = (g->rbx << 32) | (u32)g->rcx;
		in.out_gpa = (g->rdi << 32) | (u32)g->rsi;
	}
	in.code = in.control & HV_HYPERCALL_CODE_MASK;
	in.fast = in.control & HV_HYPERCALL_FAST_BIT;
	in.rep_count = (in.control & HV_HYPERCALL_REP_COUNT_MASK) >> HV_HYPERCALL_REP_COUNT_SHIFT;
	in.rep_start = (in.control & HV_HYPERCALL_REP_START_MASK) >> HV_HYPERCALL_REP_START_SHIFT;

	result = hc_dispatch(vp, &in, &reps_done);
	result |= (u64)reps_done << HV_HYPERCALL_REP_COMP_SHIFT;
	pr_debug("%s: hypercall 0x%x -> status 0x%lx", vp->part->name, in.code, result & 0xFFFF);
	if (long_mode) {
		g->rax = result;
	} else {
		g->rdx = result >> 32;
		g->rax = (u32)result;
	}
	vp_skip(vp);
}
