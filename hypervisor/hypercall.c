/*
 * Hypercall entry (TLFS "Hypercall Interface"): decodes the control word
 * from the calling convention in use, checks it against the call's
 * definition, copies the input in (so the caller cannot change it under
 * us), runs the handler, copies the output out and writes the result.
 */
#include "hc.h"
#include "hv/cpuid.h"
#include "hv/msr.h"
#include "hypercall.h"
#include "lib.h"
#include "log.h"

enum hc_flags {
	HC_REP = 1 << 0,	/* a rep call: rep count ≥ 1 */
	HC_FAST = 1 << 1,	/* may be called fast (input in registers) */
	HC_SLOW = 1 << 2,	/* may be called with an input page */
	HC_VARHEAD = 1 << 3,	/* takes a variable header */
	/* Served for the root by the hypervisor; a child's goes to the root. */
	HC_TO_ROOT = 1 << 4,
};

struct hc_def {
	u16 code;
	u16 flags;
	u32 privilege;		/* CPUID 0x40000003.EBX bit the caller needs; 0 = any */
	u16 in_size, in_rep_size;
	u16 out_size, out_rep_size;
	u16 (*handler)(struct hc_call *c);
};

#define PRIV_CREATE	HV_CREATE_PARTITIONS
#define PRIV_POOL	HV_ACCESS_MEMORY_POOL

static u16 hc_notify_long_spin_wait(struct hc_call *c)
{
	(void)c;
	return HV_STATUS_SUCCESS;
}

static const struct hc_def hypercalls[] = {
	{ HVCALL_NOTIFY_LONG_SPIN_WAIT, HC_FAST | HC_SLOW, 0, 0, 0, 0, 0, hc_notify_long_spin_wait },
	{ HVCALL_CREATE_PARTITION, HC_SLOW, PRIV_CREATE, sizeof(struct hv_input_create_partition), 0,
	  sizeof(struct hv_output_create_partition), 0, hc_create_partition },
	{ HVCALL_INITIALIZE_PARTITION, HC_FAST | HC_SLOW, PRIV_CREATE, 8, 0, 0, 0,
	  hc_initialize_partition },
	{ HVCALL_FINALIZE_PARTITION, HC_FAST | HC_SLOW, PRIV_CREATE, 8, 0, 0, 0,
	  hc_finalize_partition },
	{ HVCALL_DELETE_PARTITION, HC_FAST | HC_SLOW, PRIV_CREATE, 8, 0, 0, 0, hc_delete_partition },
	{ HVCALL_GET_PARTITION_PROPERTY, HC_SLOW, PRIV_CREATE,
	  sizeof(struct hv_input_get_partition_property), 0,
	  sizeof(struct hv_output_get_partition_property), 0, hc_get_partition_property },
	{ HVCALL_SET_PARTITION_PROPERTY, HC_SLOW, PRIV_CREATE,
	  sizeof(struct hv_input_set_partition_property), 0, 0, 0, hc_set_partition_property },
	{ HVCALL_DEPOSIT_MEMORY, HC_SLOW | HC_REP, PRIV_POOL, 8, 8, 0, 0, hc_deposit_memory },
	{ HVCALL_WITHDRAW_MEMORY, HC_SLOW | HC_REP, PRIV_POOL,
	  sizeof(struct hv_input_withdraw_memory), 0, 0, 8, hc_withdraw_memory },
	{ HVCALL_MAP_GPA_PAGES, HC_SLOW | HC_REP, PRIV_CREATE, 24, 8, 0, 0, hc_map_gpa_pages },
	{ HVCALL_UNMAP_GPA_PAGES, HC_SLOW | HC_REP, PRIV_CREATE,
	  sizeof(struct hv_input_unmap_gpa_pages), 0, 0, 0, hc_unmap_gpa_pages },
	{ HVCALL_INSTALL_INTERCEPT, HC_SLOW, PRIV_CREATE, sizeof(struct hv_input_install_intercept),
	  0, 0, 0, hc_install_intercept },
	{ HVCALL_CREATE_VP, HC_SLOW, PRIV_CREATE, sizeof(struct hv_input_create_vp), 0, 0, 0,
	  hc_create_vp },
	{ HVCALL_DELETE_VP, HC_FAST | HC_SLOW, PRIV_CREATE, sizeof(struct hv_input_delete_vp), 0, 0,
	  0, hc_delete_vp },
	{ HVCALL_GET_VP_REGISTERS, HC_SLOW | HC_REP, PRIV_CREATE, 16, 4, 0, 16,
	  hc_get_vp_registers },
	{ HVCALL_SET_VP_REGISTERS, HC_SLOW | HC_REP, PRIV_CREATE, 16, 32, 0, 0,
	  hc_set_vp_registers },
	{ HVCALL_POST_MESSAGE, HC_SLOW | HC_TO_ROOT, HV_POST_MESSAGES,
	  sizeof(struct hv_input_post_message), 0, 0, 0, NULL },
	{ HVCALL_SIGNAL_EVENT, HC_FAST | HC_SLOW | HC_TO_ROOT, HV_SIGNAL_EVENTS, 8, 0, 0, 0, NULL },
	{ HVCALL_DISPATCH_VP, HC_SLOW, PRIV_CREATE, sizeof(struct hv_input_dispatch_vp), 0,
	  sizeof(struct hv_output_dispatch_vp), 0, hc_dispatch_vp },
};

static const struct hc_def *hc_find(u16 code)
{
	for (size_t i = 0; i < ARRAY_SIZE(hypercalls); i++)
		if (hypercalls[i].code == code)
			return &hypercalls[i];
	return NULL;
}

/* One page of input and one of output per CPU (one CPU for now). */
static u8 hc_in[PAGE_SIZE] __aligned(PAGE_SIZE);
static u8 hc_out[PAGE_SIZE] __aligned(PAGE_SIZE);

/* A parameter block must be 8-byte aligned and not cross a page. */
static u16 check_block(u64 gpa, u64 len)
{
	if (gpa & 7)
		return HV_STATUS_INVALID_ALIGNMENT;
	if (len > PAGE_SIZE - (gpa & (PAGE_SIZE - 1)))
		return HV_STATUS_INVALID_PARAMETER;
	return HV_STATUS_SUCCESS;
}

struct hc_regs {
	u64 control, in, out;
};

static u16 hc_run(const struct hc_def *d, const struct hc_regs *r, struct hc_call *c)
{
	u64 varhead = ((r->control & HV_HYPERCALL_VARHEAD_MASK) >> HV_HYPERCALL_VARHEAD_SHIFT) * 8;
	u64 in_len = d->in_size + varhead + (u64)d->in_rep_size * c->rep_count;
	u64 out_len = d->out_size + (u64)d->out_rep_size * c->rep_count;
	u16 status;

	if ((r->control & HV_HYPERCALL_RSVD_MASK) || (varhead && !(d->flags & HC_VARHEAD)))
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	if ((d->flags & HC_REP) ? (c->rep_count == 0 || c->rep_start >= c->rep_count)
				: (c->rep_count || c->rep_start))
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	if (c->fast ? !(d->flags & HC_FAST) || in_len > 16 || out_len : !(d->flags & HC_SLOW))
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	if (d->privilege && !(c->caller->privileges & d->privilege))
		return HV_STATUS_ACCESS_DENIED;

	if (c->fast) {
		memcpy(hc_in, &r->in, 8);
		memcpy(hc_in + 8, &r->out, 8);
	} else if (in_len) {
		status = check_block(r->in, in_len);
		if (status)
			return status;
		if (partition_read(c->caller, r->in, hc_in, in_len))
			return HV_STATUS_INVALID_PARAMETER;
	}
	if (out_len) {
		status = check_block(r->out, out_len);
		if (status)
			return status;
		memset(hc_out, 0, out_len);
	}
	c->in = hc_in;
	c->out = hc_out;
	c->reps_done = c->rep_start;
	status = d->handler(c);
	if (out_len) {
		u64 len = d->out_size + (u64)d->out_rep_size * c->reps_done;

		if (len && partition_write(c->caller, r->out, hc_out, len))
			return HV_STATUS_INVALID_PARAMETER;
	}
	return status;
}

bool hypercall_handle(struct vp *vp)
{
	bool long_mode = vp_cpu_mode(vp) == VP_MODE_64;
	struct vp_gprs *g = &vp->gprs;
	struct hc_call c = { .vp = vp, .caller = vp->part };
	const struct hc_def *d;
	struct hc_regs r;
	u64 result;

	/* TLFS: only CPL 0 in protected mode with the hypercall page enabled. */
	if (vp_cpl(vp) != 0 || vp_cpu_mode(vp) == VP_MODE_REAL ||
	    !(vp->part->hypercall_msr & HV_X64_MSR_HYPERCALL_ENABLE)) {
		vp_inject_ud(vp);
		return true;
	}
	if (long_mode) {
		r = (struct hc_regs){ g->rcx, g->rdx, g->r8 };
	} else {
		r.control = (g->rdx << 32) | (u32)g->rax;
		r.in = (g->rbx << 32) | (u32)g->rcx;
		r.out = (g->rdi << 32) | (u32)g->rsi;
	}
	c.code = r.control & HV_HYPERCALL_CODE_MASK;
	c.fast = r.control & HV_HYPERCALL_FAST_BIT;
	c.rep_count = (r.control & HV_HYPERCALL_REP_COUNT_MASK) >> HV_HYPERCALL_REP_COUNT_SHIFT;
	c.rep_start = (r.control & HV_HYPERCALL_REP_START_MASK) >> HV_HYPERCALL_REP_START_SHIFT;

	d = hc_find(c.code);
	if (d && (d->flags & HC_TO_ROOT) && vp->part->kind == PARTITION_CHILD &&
	    (!d->privilege || (vp->part->privileges & d->privilege)))
		return false;
	if (!d || !d->handler)
		result = HV_STATUS_INVALID_HYPERCALL_CODE;
	else
		result = hc_run(d, &r, &c);
	result |= (u64)c.reps_done << HV_HYPERCALL_REP_COMP_SHIFT;
	pr_debug("%s: hypercall 0x%x reps %u/%u -> status 0x%lx", vp->part->name, c.code,
		 c.reps_done, c.rep_count, result & 0xFFFF);
	if (long_mode) {
		g->rax = result;
	} else {
		g->rdx = result >> 32;
		g->rax = (u32)result;
	}
	vp_skip(vp);
	return true;
}
