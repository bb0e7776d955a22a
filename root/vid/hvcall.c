// SPDX-License-Identifier: GPL-2.0
/*
 * The one place the VID makes hypercalls: through Linux's hypercall page
 * (hv_hypercall_pg, set up by Linux's Hyper-V guest code through the
 * hypervisor). Kept apart because <asm/mshyperv.h> brings Linux's own TLFS
 * definitions, which clash with include/hv/ (struct hv_message, ...).
 */
#include <asm/fpu/api.h>
#include <asm/fpu/xcr.h>
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

/*
 * DispatchVp with the child's FPU/SSE/AVX registers in place. The
 * hypervisor does not switch them: between dispatches they belong to the
 * root, whose thread (the VMWP's) may not even have its own state loaded.
 * kernel_fpu_begin() saves the root thread's registers (restored on its
 * way back to user space); the child's are loaded from and saved to the
 * VP's XSAVE area around the call.
 */
#define DISPATCH_VP 0x00C2	/* include/hv/hypercall.h clashes with Linux's headers here */

u64 vid_dispatch(void *in, void *out, void *guest_fpu)
{
	u64 mask = boot_cpu_has(X86_FEATURE_XSAVE) ? xgetbv(XCR_XFEATURE_ENABLED_MASK) : 0;
	u32 lo = mask, hi = mask >> 32;
	u64 result;

	kernel_fpu_begin();
	if (mask)
		asm volatile("xrstor64 (%0)" ::"r"(guest_fpu), "a"(lo), "d"(hi) : "memory");
	else
		asm volatile("fxrstor64 (%0)" ::"r"(guest_fpu) : "memory");
	result = hv_do_hypercall(DISPATCH_VP, in, out);
	if (mask)
		asm volatile("xsave64 (%0)" ::"r"(guest_fpu), "a"(lo), "d"(hi) : "memory");
	else
		asm volatile("fxsave64 (%0)" ::"r"(guest_fpu) : "memory");
	kernel_fpu_end();
	return result;
}
