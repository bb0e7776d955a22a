/* Virtual processors: generic state; the vendor keeps its own behind arch. */
#ifndef SEPTUM_VP_H
#define SEPTUM_VP_H

#include "arch.h"
#include "types.h"

struct partition;

/* In x86 encoding order, so instruction decoders can index it. */
struct vp_gprs {
	u64 rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi;
	u64 r8, r9, r10, r11, r12, r13, r14, r15;
};

struct vp {
	struct partition *part;
	u32 index;
	struct vp_gprs gprs;
	void *arch;	/* the vendor's state (VMCB and friends) */
	u64 exits;
};

/* The VP whose exit this CPU is handling, for panic reports. */
extern struct vp *current_vp;

enum vp_cpu_mode vp_cpu_mode(struct vp *vp);
u32 vp_cpl(struct vp *vp);
void vp_handle_exit(struct vp *vp, const struct vp_exit *exit);
/* Moves past the intercepted instruction, ending the partition if it cannot. */
bool vp_skip(struct vp *vp);
void vp_inject_gp(struct vp *vp);
void vp_inject_ud(struct vp *vp);

#endif
