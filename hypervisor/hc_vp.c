/* VP hypercalls: create/delete a child's VPs, read and write their registers. */
#include "hc.h"
#include "hv/registers.h"
#include "log.h"
#include "vp_regs.h"

u16 hc_create_vp(struct hc_call *c)
{
	const struct hv_input_create_vp *in = c->in;
	u16 status;
	struct partition *p = hc_child(c, in->partition_id, &status);
	struct vp *vp;

	if (!p)
		return status;
	if (p->state != PARTITION_RUNNING)
		return HV_STATUS_INVALID_PARTITION_STATE;
	if (in->vp_index >= PARTITION_MAX_VPS)
		return HV_STATUS_INVALID_VP_INDEX;
	if (p->vp[in->vp_index])
		return HV_STATUS_INVALID_VP_STATE;
	vp = partition_create_vp(p, in->vp_index);
	if (!vp)
		return HV_STATUS_INSUFFICIENT_MEMORY;
	vp_reset(vp);
	/* An application processor waits for its STARTUP IPI, as on a real
	 * machine, unless the root gives it a starting point itself. */
	if (in->vp_index)
		vp->run_state = VP_WAIT_SIPI;
	return HV_STATUS_SUCCESS;
}

u16 hc_delete_vp(struct hc_call *c)
{
	const struct hv_input_delete_vp *in = c->in;
	u16 status;
	struct partition *p = hc_child(c, in->partition_id, &status);

	if (!p)
		return status;
	if (in->vp_index >= PARTITION_MAX_VPS || !p->vp[in->vp_index])
		return HV_STATUS_INVALID_VP_INDEX;
	partition_delete_vp(p, in->vp_index);
	return HV_STATUS_SUCCESS;
}

u16 hc_get_vp_registers(struct hc_call *c)
{
	const struct hv_input_get_vp_registers *in = c->in;
	union hv_register_value *out = c->out;
	u16 status;
	struct vp *vp = hc_child_vp(c, in->partition_id, in->vp_index, &status);

	if (!vp)
		return status;
	if (in->input_vtl)
		return HV_STATUS_INVALID_PARAMETER;
	for (; c->reps_done < c->rep_count; c->reps_done++) {
		status = vp_get_register(vp, in->names[c->reps_done], &out[c->reps_done]);
		if (status)
			return status;
	}
	return HV_STATUS_SUCCESS;
}

u16 hc_set_vp_registers(struct hc_call *c)
{
	const struct hv_input_set_vp_registers *in = c->in;
	u16 status;
	struct vp *vp = hc_child_vp(c, in->partition_id, in->vp_index, &status);

	if (!vp)
		return status;
	if (in->input_vtl)
		return HV_STATUS_INVALID_PARAMETER;
	for (; c->reps_done < c->rep_count; c->reps_done++) {
		const struct hv_register_assoc *a = &in->elements[c->reps_done];

		status = vp_set_register(vp, a->name, &a->value);
		if (status)
			return status;
	}
	return HV_STATUS_SUCCESS;
}
