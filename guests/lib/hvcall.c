/* Hypercalls through the hypercall page (include/hv/hypercall.h). */
#include "guest.h"
#include "hv/msr.h"
#include "hvcall.h"

static void *hypercall_page;

bool hv_enable_hypercalls(void *page, u64 guest_os_id)
{
	u64 want = (u64)page | HV_X64_MSR_HYPERCALL_ENABLE, got = 0;

	if (wrmsr_safe(HV_X64_MSR_GUEST_OS_ID, guest_os_id) >= 0 ||
	    wrmsr_safe(HV_X64_MSR_HYPERCALL, want) >= 0 ||
	    rdmsr_safe(HV_X64_MSR_HYPERCALL, &got) >= 0 || got != want)
		return false;
	hypercall_page = page;
	return true;
}

u64 hv_call(u64 control, u64 in, u64 out)
{
	u64 result;

	if (!hypercall_page || hypercall_safe(hypercall_page, control, in, out, &result) >= 0)
		return HV_CALL_FAULT;
	return result;
}

u64 hv_rep_call(u16 code, u32 count, u32 start, const void *in, void *out)
{
	return hv_call(hv_rep_control(code, count, start), (u64)in, (u64)out);
}

u64 hv_rep_loop(u16 code, u32 count, u32 start, const void *in, void *out, u32 *calls)
{
	u32 done = start;
	u64 result;

	*calls = 0;
	do {
		start = done;
		result = hv_rep_call(code, count, start, in, out);
		++*calls;
		if (result == HV_CALL_FAULT)
			return result;
		done = hv_reps(result);
		/* Success without progress would loop forever: the caller sees
		 * success with fewer reps than asked. */
	} while (hv_status(result) == HV_STATUS_SUCCESS && done < count && done > start);
	return result;
}
