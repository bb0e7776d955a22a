/*
 * Interrupts and timers of a child VP. Everything here runs on the CPU
 * that dispatches the VP, just before it enters the guest: the hypervisor
 * keeps no timer of its own and the root redispatches a halted VP at the
 * deadline events_next_deadline() reports.
 */
#include "events.h"
#include "frames.h"
#include "partition.h"
#include "time.h"
#include "vp_regs.h"
#include "x86.h"

static void *guest_page(void *ctx, u64 gpa, bool write)
{
	struct vp *vp = ctx;
	u64 hpa;
	u32 prot;

	if (!gpa_map_lookup(&vp->part->gpa, gpa, &hpa, &prot) || (write && !(prot & GPA_WRITE)) ||
	    frame_state(hpa) != FRAME_ROOT)
		return NULL;
	return phys_to_virt(ALIGN_DOWN(hpa, PAGE_SIZE));
}

static void raise(void *ctx, u8 vector, bool auto_eoi)
{
	struct vp *vp = ctx;

	if (auto_eoi)
		vp->auto_eoi[vector / 32] |= 1U << (vector % 32);
	else
		vp->auto_eoi[vector / 32] &= ~(1U << (vector % 32));
	vapic_accept(&vp->vapic, VAPIC_IPI_FIXED, vector, false);
}

void events_env(struct vp *vp, struct synic_env *env)
{
	*env = (struct synic_env){ guest_page, raise, vp };
}

struct vapic_time events_vapic_time(struct vp *vp)
{
	return (struct vapic_time){ ns_now(), rdtsc() + arch->vp_get_reg(vp, VP_REG_TSC_OFFSET) };
}

/* INIT parks the VP until a STARTUP IPI starts it in real mode at
 * vector << 12 (SDM "MP Initialization"). */
static void init_sipi(struct vp *vp)
{
	struct vapic *a = &vp->vapic;

	if (a->pending_init) {
		a->pending_init = false;
		vp_reset(vp);
		vapic_reset(a);
		vp->run_state = VP_WAIT_SIPI;
	}
	if (a->pending_sipi) {
		a->pending_sipi = false;
		if (vp->run_state == VP_WAIT_SIPI) {
			struct vp_segment cs = { (u64)a->sipi_vector << 12, 0xFFFF,
						 (u16)(a->sipi_vector << 8), 0x9B };

			arch->vp_set_seg(vp, VP_SEG_CS, &cs);
			arch->vp_set_reg(vp, VP_REG_RIP, 0);
			vp->run_state = VP_RUNNABLE;
		}
	}
}

void events_update(struct vp *vp)
{
	struct synic_env env;

	events_env(vp, &env);
	init_sipi(vp);
	vapic_timer_poll(&vp->vapic, events_vapic_time(vp));
	stimers_poll(&vp->stimers, &vp->synic, reftime_now(vp->part), &env);
	if (vp->synic.nqueued)
		synic_deliver_queued(&vp->synic, &env);
}

bool events_wake(struct vp *vp)
{
	bool if_set = arch->vp_get_reg(vp, VP_REG_RFLAGS) & X86_RFLAGS_IF;

	if (vp->run_state == VP_WAIT_SIPI)
		return false;
	return vp->vapic.pending_nmi ||
	       (vapic_pending(&vp->vapic) >= 0 && (if_set || vp->idle_ignores_if));
}

/* MOV CR8 is the TPR's priority class (SDM "Interaction of CR8 and the
 * TPR"): the VMCB keeps the guest's CR8, the virtual APIC the TPR. */
void events_sync_cr8(struct vp *vp)
{
	u64 cr8 = arch->vp_get_reg(vp, VP_REG_CR8);

	if (cr8 != vp->vapic.tpr >> 4)
		vp->vapic.tpr = cr8 << 4;
}

void events_inject(struct vp *vp)
{
	int vector;

	arch->vp_set_reg(vp, VP_REG_CR8, vp->vapic.tpr >> 4);
	if (arch->vp_event_pending(vp))
		return;
	if (vp->vapic.pending_nmi) {
		vp->vapic.pending_nmi = false;
		arch->vp_inject_nmi(vp);
		return;
	}
	vector = vapic_pending(&vp->vapic);
	if (vector < 0) {
		arch->vp_request_interrupt_window(vp, false);
		return;
	}
	if (!arch->vp_interruptible(vp)) {
		arch->vp_request_interrupt_window(vp, true);
		return;
	}
	vapic_ack(&vp->vapic, vector, vp->auto_eoi[vector / 32] & (1U << (vector % 32)));
	arch->vp_inject_interrupt(vp, vector);
	arch->vp_request_interrupt_window(vp, false);
}

u64 events_next_deadline(struct vp *vp)
{
	u64 stimer = stimers_next_deadline(&vp->stimers);
	u64 apic_ns = vapic_next_deadline(&vp->vapic);
	u64 apic = 0;

	if (apic_ns) {
		u64 now_ns = ns_now(), now_ref = reftime_now(vp->part);

		apic = now_ref + (apic_ns > now_ns ? (apic_ns - now_ns) / 100 : 0);
	}
	if (!stimer || (apic && apic < stimer))
		return apic;
	return stimer;
}
