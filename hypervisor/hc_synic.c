/*
 * The root's way into a child's interrupt controllers: post a SynIC
 * message, signal an event flag (the VMBus host side), assert a virtual
 * interrupt (emulated devices). Each lands in the target VP's state and
 * is delivered the next time the root dispatches that VP.
 */
#include "events.h"
#include "hc.h"

u16 hc_post_message_direct(struct hc_call *c)
{
	const struct hv_input_post_message_direct *in = c->in;
	struct synic_env env;
	struct hv_message msg;
	u16 status;
	struct vp *vp = hc_child_vp(c, in->partition_id, in->vp_index, &status);

	if (!vp)
		return status;
	if (in->vtl)
		return HV_STATUS_INVALID_PARAMETER;
	__builtin_memcpy(&msg, in->message, sizeof(msg));
	events_env(vp, &env);
	/* The root is not the hypervisor: hypervisor message types are not its to send. */
	return synic_post_message(&vp->synic, in->sint_index, &msg, true, &env);
}

u16 hc_signal_event_direct(struct hc_call *c)
{
	const struct hv_input_signal_event_direct *in = c->in;
	struct hv_output_signal_event_direct *out = c->out;
	struct synic_env env;
	bool newly = false;
	u16 status;
	struct vp *vp = hc_child_vp(c, in->target_partition, in->target_vp, &status);

	if (!vp)
		return status;
	if (in->target_vtl)
		return HV_STATUS_INVALID_PARAMETER;
	events_env(vp, &env);
	status = synic_signal_event(&vp->synic, in->target_sint, in->flag_number, &newly, &env);
	out->newly_signaled = newly;
	return status;
}

u16 hc_assert_virtual_interrupt(struct hc_call *c)
{
	const struct hv_input_assert_virtual_interrupt *in = c->in;
	struct vapic_ipi ipi = { .vector = in->vector, .level = in->control_flags & 1,
				 .logical = in->control_flags & 2, .dest = in->dest_addr,
				 .shorthand = VAPIC_DEST_FIELD };
	u16 status;
	struct partition *p = hc_child(c, in->partition_id, &status);
	bool hit = false;

	if (!p)
		return status;
	if (p->state != PARTITION_RUNNING)
		return HV_STATUS_INVALID_PARTITION_STATE;
	switch (in->interrupt_type) {
	case HV_X64_INTERRUPT_TYPE_FIXED:
		if (in->vector < 16 || in->vector > 255)
			return HV_STATUS_INVALID_PARAMETER;
		ipi.mode = VAPIC_IPI_FIXED;
		break;
	case HV_X64_INTERRUPT_TYPE_NMI:
		ipi.mode = VAPIC_IPI_NMI;
		break;
	case HV_X64_INTERRUPT_TYPE_INIT:
		ipi.mode = VAPIC_IPI_INIT;
		break;
	case HV_X64_INTERRUPT_TYPE_SIPI:
		if (in->vector > 255)
			return HV_STATUS_INVALID_PARAMETER;
		ipi.mode = VAPIC_IPI_SIPI;
		break;
	default:
		return HV_STATUS_INVALID_PARAMETER;
	}
	if (in->target_vtl || in->dest_addr > 0xFFFFFFFF)
		return HV_STATUS_INVALID_PARAMETER;
	for (u32 i = 0; i < PARTITION_MAX_VPS; i++) {
		if (p->vp[i] && vapic_ipi_match(&p->vp[i]->vapic, &ipi)) {
			vapic_accept(&p->vp[i]->vapic, ipi.mode, ipi.vector, ipi.level);
			hit = true;
		}
	}
	return hit ? HV_STATUS_SUCCESS : HV_STATUS_INVALID_VP_INDEX;
}
