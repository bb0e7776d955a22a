/*
 * Hypercall entry (TLFS "Hypercall Interface"): decodes the control word
 * from the calling convention in use, checks it against the call's
 * definition, copies the input in (so the caller cannot change it under
 * us), runs the handler, copies the output out and writes the result.
 */
#include "hc.h"
#include "hc_input.h"
#include "hv/cpuid.h"
#include "hv/msr.h"
#include "hypercall.h"
#include "lib.h"
#include "log.h"

struct hc_def {
	u16 code;
	struct hc_shape shape;
	u32 privilege;		/* CPUID 0x40000003.EBX bit the caller needs; 0 = any */
	u16 (*handler)(struct hc_call *c);
};

#define HC(code, flags, privilege, in, in_rep, out, out_rep, handler) \
	{ code, { flags, in, in_rep, out, out_rep }, privilege, handler }

#define PRIV_CREATE	HV_CREATE_PARTITIONS
#define PRIV_POOL	HV_ACCESS_MEMORY_POOL

static u16 hc_notify_long_spin_wait(struct hc_call *c)
{
	(void)c;
	return HV_STATUS_SUCCESS;
}

static u16 hc_read_log(struct hc_call *c)
{
	const struct septum_input_read_log *in = c->in;
	struct septum_output_read_log *out = c->out;

	if (c->caller->kind != PARTITION_ROOT)
		return HV_STATUS_ACCESS_DENIED;
	out->length = log_ring_read(in->from, out->data, sizeof(out->data), &out->next, &out->lost);
	return HV_STATUS_SUCCESS;
}

static const struct hc_def hypercalls[] = {
	HC(HVCALL_NOTIFY_LONG_SPIN_WAIT, HC_FAST | HC_SLOW, 0, 0, 0, 0, 0, hc_notify_long_spin_wait),
	HC(HVCALL_CREATE_PARTITION, HC_SLOW, PRIV_CREATE, sizeof(struct hv_input_create_partition), 0,
	  sizeof(struct hv_output_create_partition), 0, hc_create_partition),
	HC(HVCALL_INITIALIZE_PARTITION, HC_FAST | HC_SLOW, PRIV_CREATE, 8, 0, 0, 0,
	  hc_initialize_partition),
	HC(HVCALL_FINALIZE_PARTITION, HC_FAST | HC_SLOW, PRIV_CREATE, 8, 0, 0, 0,
	  hc_finalize_partition),
	HC(HVCALL_DELETE_PARTITION, HC_FAST | HC_SLOW, PRIV_CREATE, 8, 0, 0, 0, hc_delete_partition),
	HC(HVCALL_GET_PARTITION_PROPERTY, HC_SLOW, PRIV_CREATE,
	  sizeof(struct hv_input_get_partition_property), 0,
	  sizeof(struct hv_output_get_partition_property), 0, hc_get_partition_property),
	HC(HVCALL_SET_PARTITION_PROPERTY, HC_SLOW, PRIV_CREATE,
	  sizeof(struct hv_input_set_partition_property), 0, 0, 0, hc_set_partition_property),
	HC(HVCALL_DEPOSIT_MEMORY, HC_SLOW | HC_REP, PRIV_POOL, 8, 8, 0, 0, hc_deposit_memory),
	HC(HVCALL_WITHDRAW_MEMORY, HC_SLOW | HC_REP, PRIV_POOL,
	  sizeof(struct hv_input_withdraw_memory), 0, 0, 8, hc_withdraw_memory),
	HC(HVCALL_MAP_GPA_PAGES, HC_SLOW | HC_REP, PRIV_CREATE, 24, 8, 0, 0, hc_map_gpa_pages),
	HC(HVCALL_UNMAP_GPA_PAGES, HC_SLOW | HC_REP, PRIV_CREATE,
	  sizeof(struct hv_input_unmap_gpa_pages), 0, 0, 0, hc_unmap_gpa_pages),
	HC(HVCALL_INSTALL_INTERCEPT, HC_SLOW, PRIV_CREATE, sizeof(struct hv_input_install_intercept),
	  0, 0, 0, hc_install_intercept),
	HC(HVCALL_CREATE_VP, HC_SLOW, PRIV_CREATE, sizeof(struct hv_input_create_vp), 0, 0, 0,
	  hc_create_vp),
	HC(HVCALL_DELETE_VP, HC_FAST | HC_SLOW, PRIV_CREATE, sizeof(struct hv_input_delete_vp), 0, 0,
	  0, hc_delete_vp),
	HC(HVCALL_GET_VP_REGISTERS, HC_SLOW | HC_REP, PRIV_CREATE, 16, 4, 0, 16,
	  hc_get_vp_registers),
	HC(HVCALL_SET_VP_REGISTERS, HC_SLOW | HC_REP, PRIV_CREATE, 16, 32, 0, 0,
	  hc_set_vp_registers),
	HC(HVCALL_POST_MESSAGE, HC_SLOW | HC_TO_ROOT, HV_POST_MESSAGES,
	  sizeof(struct hv_input_post_message), 0, 0, 0, NULL),
	HC(HVCALL_SIGNAL_EVENT, HC_FAST | HC_SLOW | HC_TO_ROOT, HV_SIGNAL_EVENTS, 8, 0, 0, 0, NULL),
	HC(SEPTUM_HVCALL_READ_LOG, HC_SLOW, PRIV_CREATE, sizeof(struct septum_input_read_log), 0,
	   sizeof(struct septum_output_read_log), 0, hc_read_log),
	HC(HVCALL_DISPATCH_VP, HC_SLOW, PRIV_CREATE, sizeof(struct hv_input_dispatch_vp), 0,
	  sizeof(struct hv_output_dispatch_vp), 0, hc_dispatch_vp),
	HC(HVCALL_ASSERT_VIRTUAL_INTERRUPT, HC_SLOW, PRIV_CREATE,
	  sizeof(struct hv_input_assert_virtual_interrupt), 0, 0, 0, hc_assert_virtual_interrupt),
	HC(HVCALL_POST_MESSAGE_DIRECT, HC_SLOW, HV_POST_MESSAGES,
	  sizeof(struct hv_input_post_message_direct), 0, 0, 0, hc_post_message_direct),
	HC(HVCALL_SIGNAL_EVENT_DIRECT, HC_SLOW, HV_SIGNAL_EVENTS,
	  sizeof(struct hv_input_signal_event_direct), 0,
	  sizeof(struct hv_output_signal_event_direct), 0, hc_signal_event_direct),
};

static const struct hc_def *hc_find(u16 code)
{
	for (size_t i = 0; i < ARRAY_SIZE(hypercalls); i++)
		if (hypercalls[i].code == code)
			return &hypercalls[i];
	return NULL;
}

/* One page of input and one of output per CPU (one CPU for now). */
/* Parameter pages, one pair per nesting level: a child's hypercall runs
 * inside the root's DispatchVp, whose output must survive it. */
struct hc_pages {
	u8 in[PAGE_SIZE];
	u8 out[PAGE_SIZE];
};
static struct hc_pages hc_pages[2] __aligned(PAGE_SIZE);

/* Copies the input in, runs the handler, copies the output out. */
static u16 hc_run(const struct hc_def *d, struct hc_input *in, struct hc_call *c)
{
	struct hc_pages *pg = &hc_pages[c->caller->kind == PARTITION_CHILD];
	u8 *hc_in = pg->in, *hc_out = pg->out;
	u16 status = hc_input_check_format(in, &d->shape);

	if (status)
		return status;
	if (d->privilege && !(c->caller->privileges & d->privilege))
		return HV_STATUS_ACCESS_DENIED;
	status = hc_input_check_blocks(in);
	if (status)
		return status;
	if (in->fast) {
		memcpy(hc_in, &in->in_gpa, 8);
		memcpy(hc_in + 8, &in->out_gpa, 8);
	} else if (in->in_len && partition_read(c->caller, in->in_gpa, hc_in, in->in_len)) {
		return HV_STATUS_INVALID_PARAMETER;
	}
	/* Before the call acts: a result that cannot be delivered must not
	 * leave its effect behind. */
	if (in->out_len && !partition_writable(c->caller, in->out_gpa, in->out_len))
		return HV_STATUS_INVALID_PARAMETER;
	memset(hc_out, 0, in->out_len);
	c->in = hc_in;
	c->out = hc_out;
	c->reps_done = c->rep_start;
	status = d->handler(c);
	if (in->out_len) {
		u64 len = d->shape.out_size + (u64)d->shape.out_rep_size * c->reps_done;

		partition_write(c->caller, in->out_gpa, hc_out, len);
	}
	return status;
}

bool hypercall_handle(struct vp *vp)
{
	bool long_mode = vp_cpu_mode(vp) == VP_MODE_64;
	struct vp_gprs *g = &vp->gprs;
	struct hc_call c = { .vp = vp, .caller = vp->part };
	const struct hc_def *d;
	struct hc_input in;
	u64 result;

	/* TLFS: only CPL 0 in protected mode with the hypercall page enabled. */
	if (vp_cpl(vp) != 0 || vp_cpu_mode(vp) == VP_MODE_REAL ||
	    !(vp->part->hypercall_msr & HV_X64_MSR_HYPERCALL_ENABLE)) {
		vp_inject_ud(vp);
		return true;
	}
	if (long_mode)
		hc_input_decode(&in, g->rcx, g->rdx, g->r8);
	else
		hc_input_decode(&in, (g->rdx << 32) | (u32)g->rax, (g->rbx << 32) | (u32)g->rcx,
				(g->rdi << 32) | (u32)g->rsi);
	c.code = in.code;
	c.fast = in.fast;
	c.rep_count = in.rep_count;
	c.rep_start = in.rep_start;

	d = hc_find(c.code);
	if (d && (d->shape.flags & HC_TO_ROOT) && vp->part->kind == PARTITION_CHILD &&
	    (!d->privilege || (vp->part->privileges & d->privilege)))
		return false;
	if (!d || !d->handler)
		result = HV_STATUS_INVALID_HYPERCALL_CODE;
	else
		result = hc_run(d, &in, &c);
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
