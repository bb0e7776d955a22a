/* Virtual processors: generic state; the vendor keeps its own behind arch. */
#ifndef SEPTUM_VP_H
#define SEPTUM_VP_H

#include "arch.h"
#include "stimer.h"
#include "synic.h"
#include "vapic.h"
#include "types.h"

struct partition;

/* In x86 encoding order, so instruction decoders can index it. */
struct vp_gprs {
	u64 rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi;
	u64 r8, r9, r10, r11, r12, r13, r14, r15;
};

enum vp_run_state {
	VP_RUNNABLE,
	VP_HALTED,	/* HLT (or GUEST_IDLE): runs again once an interrupt is pending */
	VP_WAIT_SIPI,	/* after INIT: runs again at a STARTUP IPI */
	VP_STOPPED,	/* triple fault or invalid state: never runs again */
};

struct vp {
	struct partition *part;
	u32 index;
	enum vp_run_state run_state;
	bool idle_ignores_if;	/* halted by GUEST_IDLE: wake even with IF=0 */
	struct vp_gprs gprs;
	void *arch;		/* the vendor's state (VMCB and friends) */
	u64 exits;		/* every exit, handled in the vendor code or not */
	u64 exit_reasons[VP_EXIT_REASONS];
	u64 runtime_tsc;	/* TSC ticks spent in the guest (VP_RUNTIME) */
	u64 vp_assist_msr;
	u64 tsc_aux;

	/* Children: the virtual x2APIC, SynIC and synthetic timers. */
	struct vapic vapic;
	struct synic synic;
	struct stimers stimers;
	u32 auto_eoi[8];	/* vectors raised by AutoEOI SINTs */
};

/* The VP whose exit this CPU is handling, for panic reports. */
extern struct vp *current_vp;

enum vp_cpu_mode vp_cpu_mode(struct vp *vp);
u32 vp_cpl(struct vp *vp);
/* Exits of boot-time and root VPs (children: dispatch.c). */
void vp_handle_exit(struct vp *vp, const struct vp_exit *exit);
/* RDMSR/WRMSR: synthetic and emulated MSRs, else #GP (or ignored, if the
 * partition asked for that). False: untouched, the root must see it. */
bool vp_handle_msr(struct vp *vp, bool write);
/* Moves past the intercepted instruction, ending the partition if it cannot. */
bool vp_skip(struct vp *vp);
void vp_inject_gp(struct vp *vp);
void vp_inject_ud(struct vp *vp);

#endif
