// SPDX-License-Identifier: GPL-2.0
/*
 * The one place the VID makes hypercalls: through Linux's hypercall page
 * (hv_hypercall_pg, set up by Linux's Hyper-V guest code through the
 * hypervisor). Kept apart because <asm/mshyperv.h> brings Linux's own TLFS
 * definitions, which clash with include/hv/ (struct hv_message, ...).
 */
#include <asm/mshyperv.h>
#include <linux/nmi.h>

#include "hvcall.h"

bool vid_hvcall_available(void)
{
	return hv_hypercall_pg != NULL;
}

u64 vid_hvcall(u64 control, void *in, void *out)
{
	return hv_do_hypercall(control, in, out);
}

/*
 * Linux's hv_do_rep_hypercall, with a guard: a call that reports success
 * without progress ends the loop (the caller sees fewer reps than asked)
 * instead of spinning in the root forever.
 */
u64 vid_hvcall_rep(u16 code, u32 count, u32 start, void *in, void *out)
{
	u64 result;
	u32 done = start;

	do {
		u64 control = code | ((u64)count << VID_REP_COUNT_SHIFT) |
			      ((u64)done << VID_REP_START_SHIFT);

		start = done;
		result = hv_do_hypercall(control, in, out);
		if ((result & VID_STATUS_MASK) != 0)
			break;
		done = vid_reps(result);
		touch_nmi_watchdog();
	} while (done < count && done > start);
	return result;
}
