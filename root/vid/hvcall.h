/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hypercalls (hvcall.c). This header stays free of include/hv/ so that
 * hvcall.c can include Linux's <asm/mshyperv.h>: the names below are the
 * VID's own spelling of the TLFS control word and result value.
 */
#ifndef SEPTUM_VID_HVCALL_H
#define SEPTUM_VID_HVCALL_H

#include <linux/types.h>

#define VID_STATUS_MASK		0xFFFFULL
#define VID_REP_COUNT_SHIFT	32
#define VID_REP_START_SHIFT	48
#define VID_REP_DONE_SHIFT	32
#define VID_REP_DONE_MASK	0xFFFULL
#define VID_NO_HYPERCALLS	0xFFFF	/* the status when there is no hypercall page */

/* True once Linux has a hypercall page. */
bool vid_hvcall_available(void);

/*
 * One hypercall. in and out are kernel pages of the linear map (or NULL):
 * the hypervisor takes their physical addresses. Returns the raw result
 * value: status in 15:0, reps completed in 43:32.
 */
u64 vid_hvcall(u64 control, void *in, void *out);
/* HvCallDispatchVp with the child's FPU state (guest_fpu: a 64-byte
 * aligned XSAVE area of one page) loaded around the call. */
u64 vid_dispatch(void *in, void *out, void *guest_fpu);

/*
 * A rep call from rep start, re-issued from the reps completed while the
 * status is success and reps remain. Returns the last result: its reps
 * completed is the total.
 */
u64 vid_hvcall_rep(u16 code, u32 count, u32 start, void *in, void *out);

static inline u16 vid_status(u64 result)
{
	return result & VID_STATUS_MASK;
}

static inline u32 vid_reps(u64 result)
{
	return (result >> VID_REP_DONE_SHIFT) & VID_REP_DONE_MASK;
}

#endif
