/*
 * HvCallDispatchVp: the root scheduler. A child VP runs only inside this
 * hypercall, on the calling root thread's CPU, until something needs the
 * root: an intercept (returned as a message), a halt (returned with the
 * VP's next timer deadline), or a physical interrupt (the root's own).
 * Everything the hypervisor can finish alone never leaves this loop.
 */
#include "cpuid.h"
#include "events.h"
#include "hc.h"
#include "hypercall.h"
#include "intercept.h"
#include "log.h"
#include "msr.h"
#include "x86.h"

enum child_action { CHILD_CONTINUE, CHILD_PREEMPTED, CHILD_INTERCEPT };

static enum child_action stop_vp(struct vp *vp, u32 type, struct hv_message *msg)
{
	vp->run_state = VP_STOPPED;
	intercept_simple(vp, type, msg);
	return CHILD_INTERCEPT;
}

static bool cpuid_intercepted(struct partition *p, u32 leaf)
{
	for (u32 i = 0; i < p->ncpuid_intercepts; i++)
		if (p->cpuid_intercepts[i] == leaf)
			return true;
	return false;
}

static enum child_action child_exit(struct vp *vp, const struct vp_exit *e, struct hv_message *msg)
{
	switch (e->reason) {
	case VP_EXIT_CPUID:
		if (cpuid_intercepted(vp->part, vp->gprs.rax)) {
			u32 def[4];

			cpuid_compute(vp, vp->gprs.rax, vp->gprs.rcx, def);
			intercept_cpuid(vp, def, msg);
			return CHILD_INTERCEPT;
		}
		cpuid_handle(vp);
		return CHILD_CONTINUE;
	case VP_EXIT_MSR_READ:
	case VP_EXIT_MSR_WRITE:
		if (vp_handle_msr(vp, e->reason == VP_EXIT_MSR_WRITE))
			return CHILD_CONTINUE;
		intercept_msr(vp, e->reason == VP_EXIT_MSR_WRITE, msg);
		return CHILD_INTERCEPT;
	case VP_EXIT_IO:
		intercept_io(vp, e, msg);
		return CHILD_INTERCEPT;
	case VP_EXIT_HYPERCALL:
		if (hypercall_handle(vp))
			return CHILD_CONTINUE;
		intercept_hypercall(vp, msg);
		return CHILD_INTERCEPT;
	case VP_EXIT_NPF:
		intercept_memory(vp, e, msg);
		return CHILD_INTERCEPT;
	case VP_EXIT_HLT:
		if (vp_skip(vp))
			vp->run_state = VP_HALTED;
		return CHILD_CONTINUE;
	case VP_EXIT_SHUTDOWN:
		return stop_vp(vp, HVMSG_UNRECOVERABLE_EXCEPTION, msg);
	case VP_EXIT_EXCEPTION:
		vp->run_state = VP_STOPPED;
		intercept_exception(vp, e, msg);
		return CHILD_INTERCEPT;
	case VP_EXIT_INVALID_STATE:
		return stop_vp(vp, HVMSG_INVALID_VP_REGISTER_VALUE, msg);
	case VP_EXIT_INTERRUPT:
		return CHILD_PREEMPTED;
	case VP_EXIT_INTERRUPT_WINDOW:
		arch->vp_request_interrupt_window(vp, false);
		return CHILD_CONTINUE;
	case VP_EXIT_UNHANDLED:
		pr_warn("%s: vp %u: unhandled exit %s (0x%lx)", vp->part->name, vp->index,
			e->unhandled.name, e->unhandled.code);
		return stop_vp(vp, HVMSG_UNSUPPORTED_FEATURE, msg);
	}
	return stop_vp(vp, HVMSG_UNSUPPORTED_FEATURE, msg);
}

static void run_child(struct vp *vp, struct hv_output_dispatch_vp *out)
{
	struct vp *caller = current_vp;
	struct vp_exit e;
	u64 start;

	current_vp = vp;
	out->dispatch_state = HV_DISPATCH_STATE_READY;
	for (;;) {
		enum child_action a;

		events_update(vp);
		if (vp->run_state == VP_WAIT_SIPI) {
			out->dispatch_state = HV_DISPATCH_STATE_BLOCKED;
			break;
		}
		if (vp->run_state == VP_HALTED && !events_wake(vp)) {
			/* Halted with interrupts off and nothing pending: only the
			 * root can help (NMI, INIT or giving up on the VM). */
			if (!vp->idle_ignores_if &&
			    !(arch->vp_get_reg(vp, VP_REG_RFLAGS) & X86_RFLAGS_IF)) {
				intercept_simple(vp, HVMSG_X64_HALT, &out->message);
				out->dispatch_event = HV_DISPATCH_EVENT_INTERCEPT;
			} else {
				out->dispatch_state = HV_DISPATCH_STATE_BLOCKED;
				out->next_timer_deadline = events_next_deadline(vp);
			}
			break;
		}
		vp->run_state = VP_RUNNABLE;
		vp->idle_ignores_if = false;
		events_inject(vp);
		start = rdtsc();
		arch->vp_run(vp, &e, true);
		vp->runtime_tsc += rdtsc() - start;
		vp->exit_reasons[e.reason]++;
		events_sync_cr8(vp);
		a = child_exit(vp, &e, &out->message);
		if (vp->part->state == PARTITION_TERMINATED && a == CHILD_CONTINUE)
			a = stop_vp(vp, HVMSG_UNRECOVERABLE_EXCEPTION, &out->message);
		/* An IPI for a sibling VP: only the root can run it, and the
		 * sender usually spins until it answers (TLB shootdowns, text
		 * patching), so the root hears of it now, not at its next tick. */
		if (a == CHILD_CONTINUE && (vp->part->signaled_vps & ~BIT(vp->index)))
			a = CHILD_PREEMPTED;
		if (a == CHILD_PREEMPTED)
			break;
		if (a == CHILD_INTERCEPT) {
			out->dispatch_event = HV_DISPATCH_EVENT_INTERCEPT;
			break;
		}
	}
	out->signaled_vps = vp->part->signaled_vps & ~BIT(vp->index);
	vp->part->signaled_vps = 0;
	current_vp = caller;
}

u16 hc_install_intercept(struct hc_call *c)
{
	const struct hv_input_install_intercept *in = c->in;
	u16 status;
	struct partition *p = hc_child(c, in->partition_id, &status);

	if (!p)
		return status;
	switch (in->intercept_type) {
	case HV_INTERCEPT_TYPE_X64_IO_PORT:
		/* Every port of a child already goes to the root. */
		return in->intercept_parameter > 0xFFFF ? HV_STATUS_INVALID_PARAMETER
							: HV_STATUS_SUCCESS;
	case HV_INTERCEPT_TYPE_X64_CPUID:
		if (p->ncpuid_intercepts == PARTITION_MAX_CPUID_INTERCEPTS)
			return HV_STATUS_NO_RESOURCES;
		p->cpuid_intercepts[p->ncpuid_intercepts++] = in->intercept_parameter;
		return HV_STATUS_SUCCESS;
	}
	return HV_STATUS_INVALID_PARAMETER;
}

u16 hc_dispatch_vp(struct hc_call *c)
{
	const struct hv_input_dispatch_vp *in = c->in;
	u16 status;
	struct partition *p = hc_child(c, in->partition_id, &status);
	struct vp *vp;

	if (!p)
		return status;
	if (p->state != PARTITION_RUNNING)
		return HV_STATUS_INVALID_PARTITION_STATE;
	vp = hc_child_vp(c, in->partition_id, in->vp_index, &status);
	if (!vp)
		return status;
	if (in->flags & ~(HV_DISPATCH_VP_FLAG_CLEAR_INTERCEPT_SUSPEND |
			  HV_DISPATCH_VP_FLAG_ENABLE_CALLER_INTERRUPTS))
		return HV_STATUS_INVALID_PARAMETER;
	if (vp->run_state == VP_STOPPED)
		return HV_STATUS_INVALID_VP_STATE;
	run_child(vp, c->out);
	return HV_STATUS_SUCCESS;
}
