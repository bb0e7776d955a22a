/* Hypercalls through the hypercall page, as a Linux guest makes them. */
#ifndef GUEST_HVCALL_H
#define GUEST_HVCALL_H

#include "hv/hypercall.h"
#include "hv/status.h"
#include "types.h"

/* The result when the call itself raised an exception. */
#define HV_CALL_FAULT	(~0ULL)

/* GUEST_OS_ID, then the hypercall page overlay at `page` (one of our
 * pages, identity-mapped). False if the MSR did not take it. */
bool hv_enable_hypercalls(void *page, u64 guest_os_id);

/* One call: the raw result (status 15:0, reps completed 43:32). */
u64 hv_call(u64 control, u64 in, u64 out);
u64 hv_rep_call(u16 code, u32 count, u32 start, const void *in, void *out);
/* A rep call from rep `start`, re-issued from the reps completed while
 * the status is success and reps remain (Linux's hv_do_rep_hypercall).
 * The result has the total completed; *calls counts the issues. */
u64 hv_rep_loop(u16 code, u32 count, u32 start, const void *in, void *out, u32 *calls);

static inline u16 hv_status(u64 result)
{
	return result & HV_HYPERCALL_RESULT_MASK;
}

static inline u32 hv_reps(u64 result)
{
	return (result & HV_HYPERCALL_REP_COMP_MASK) >> HV_HYPERCALL_REP_COMP_SHIFT;
}

static inline u64 hv_rep_control(u16 code, u32 count, u32 start)
{
	return code | ((u64)count << HV_HYPERCALL_REP_COUNT_SHIFT) |
	       ((u64)start << HV_HYPERCALL_REP_START_SHIFT);
}

#endif
