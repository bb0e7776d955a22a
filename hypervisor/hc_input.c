#include "hc_input.h"
#include "hv/hypercall.h"
#include "hv/status.h"

void hc_input_decode(struct hc_input *in, u64 control, u64 in_gpa, u64 out_gpa)
{
	*in = (struct hc_input){
		.control = control,
		.in_gpa = in_gpa,
		.out_gpa = out_gpa,
		.code = control & HV_HYPERCALL_CODE_MASK,
		.fast = control & HV_HYPERCALL_FAST_BIT,
		.rep_count = (control & HV_HYPERCALL_REP_COUNT_MASK) >> HV_HYPERCALL_REP_COUNT_SHIFT,
		.rep_start = (control & HV_HYPERCALL_REP_START_MASK) >> HV_HYPERCALL_REP_START_SHIFT,
	};
}

u16 hc_input_check_format(struct hc_input *in, const struct hc_shape *shape)
{
	u64 varhead = ((in->control & HV_HYPERCALL_VARHEAD_MASK) >> HV_HYPERCALL_VARHEAD_SHIFT) * 8;
	bool rep = shape->flags & HC_REP;

	if ((in->control & HV_HYPERCALL_RSVD_MASK) || (varhead && !(shape->flags & HC_VARHEAD)))
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	/* A simple call carries no rep fields; a rep call at least one rep. */
	if (rep ? in->rep_count == 0 || in->rep_start >= in->rep_count
		: in->rep_count || in->rep_start)
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	in->in_len = shape->in_size + varhead + (u64)shape->in_rep_size * in->rep_count;
	in->out_len = shape->out_size + (u64)shape->out_rep_size * in->rep_count;
	/* Fast calls bring at most two registers of input and no output. */
	if (in->fast ? !(shape->flags & HC_FAST) || in->in_len > 16 || in->out_len
		     : !(shape->flags & HC_SLOW))
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	return HV_STATUS_SUCCESS;
}

static u16 check_block(u64 gpa, u64 len)
{
	if (!len)
		return HV_STATUS_SUCCESS;
	if (gpa & 7)
		return HV_STATUS_INVALID_ALIGNMENT;
	if (len > 4096 - (gpa & 4095))
		return HV_STATUS_INVALID_PARAMETER;
	return HV_STATUS_SUCCESS;
}

u16 hc_input_check_blocks(const struct hc_input *in)
{
	u16 status;

	if (in->fast)
		return HV_STATUS_SUCCESS;
	status = check_block(in->in_gpa, in->in_len);
	return status ? status : check_block(in->out_gpa, in->out_len);
}
