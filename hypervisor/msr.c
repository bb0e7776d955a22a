/*
 * Synthetic MSRs (TLFS "Partition and VP properties", "Timers"): guest
 * identity, the hypercall page, VP index and assist page, reference time
 * and the TSC page, frequencies, crash reporting, reset and idle. SynIC,
 * synthetic timers and the virtual APIC have their own units.
 */
#include "events.h"
#include "hv/hypercall.h"
#include "hv/msr.h"
#include "log.h"
#include "msr.h"
#include "partition.h"
#include "time.h"
#include "x86.h"


/* TLFS "Hypercall Page": the overlay holds the calling sequence. */
static int hypercall_page_write(struct partition *p, u64 val)
{
	static const u8 code[] = { 0x0F, 0x01, 0xD9, 0xC3 }; /* vmmcall; ret */

	if (!(val & HV_X64_MSR_HYPERCALL_ENABLE))
		return 0;
	return partition_write(p, val & HV_X64_MSR_PAGE_GPA_MASK, code, sizeof(code));
}

/* TLFS "Partition Reference TSC Mechanism": time = (tsc * scale) >> 64 + offset. */
static int reference_tsc_page_write(struct partition *p, u64 val)
{
	struct hv_reference_tsc_page page = { 0 };
	u64 scale;
	s64 offset;

	if (!(val & HV_X64_MSR_PAGE_ENABLE))
		return 0;
	reftime_tsc_page(p, &scale, &offset);
	page.tsc_sequence = 1;
	page.tsc_scale = scale;
	page.tsc_offset = offset;
	return partition_write(p, val & HV_X64_MSR_PAGE_GPA_MASK, &page, sizeof(page));
}

/* A child's SynIC, synthetic timers and virtual APIC; 1 = not theirs. */
static int child_msr_read(struct vp *vp, u32 msr, u64 *val)
{
	if (synic_handles_msr(msr))
		return synic_msr_read(&vp->synic, msr, val);
	if (stimer_handles_msr(msr))
		return stimer_msr_read(&vp->stimers, msr, val);
	if (vapic_handles_msr(msr))
		return vapic_msr_read(&vp->vapic, msr, val, events_vapic_time(vp));
	return 1;
}

/* Fixed, NMI, INIT and STARTUP IPIs reach the partition's own VPs only. */
static void route_ipi(struct partition *p, const struct vapic_ipi *ipi)
{
	for (u32 i = 0; i < PARTITION_MAX_VPS; i++) {
		if (p->vp[i] && vapic_ipi_match(&p->vp[i]->vapic, ipi)) {
			vapic_accept(&p->vp[i]->vapic, ipi->mode, ipi->vector, ipi->level);
			p->signaled_vps |= BIT(i);
		}
	}
}

static int child_msr_write(struct vp *vp, u32 msr, u64 val)
{
	struct synic_env env;
	struct vapic_ipi ipi;
	int ret;

	events_env(vp, &env);
	if (synic_handles_msr(msr))
		return synic_msr_write(&vp->synic, msr, val, &env);
	if (stimer_handles_msr(msr))
		return stimer_msr_write(&vp->stimers, msr, val, reftime_now(vp->part));
	if (!vapic_handles_msr(msr))
		return 1;
	ret = vapic_msr_write(&vp->vapic, msr, val, events_vapic_time(vp), &ipi);
	if (ret == 1) {
		route_ipi(vp->part, &ipi);
		ret = 0;
	}
	return ret;
}

int msr_read(struct vp *vp, u32 msr, u64 *val)
{
	struct partition *p = vp->part;
	int ret;

	if (p->kind == PARTITION_CHILD && (ret = child_msr_read(vp, msr, val)) != 1)
		return ret;
	switch (msr) {
	case HV_X64_MSR_GUEST_OS_ID:
		*val = p->guest_os_id;
		return 0;
	case HV_X64_MSR_HYPERCALL:
		*val = p->hypercall_msr;
		return 0;
	case HV_X64_MSR_VP_INDEX:
		*val = vp->index;
		return 0;
	case HV_X64_MSR_VP_RUNTIME:
		*val = scale_64(vp->runtime_tsc, 10000000, tsc_hz);
		return 0;
	case HV_X64_MSR_TIME_REF_COUNT:
		*val = reftime_now(p);
		return 0;
	case HV_X64_MSR_REFERENCE_TSC:
		*val = p->reference_tsc_msr;
		return 0;
	case HV_X64_MSR_TSC_FREQUENCY:
		*val = tsc_hz;
		return 0;
	case HV_X64_MSR_APIC_FREQUENCY:
		*val = VAPIC_BUS_HZ;
		return 0;
	case HV_X64_MSR_VP_ASSIST_PAGE:
		*val = vp->vp_assist_msr;
		return 0;
	case HV_X64_MSR_CRASH_CTL:
		*val = HV_CRASH_CTL_CRASH_NOTIFY;
		return 0;
	case HV_X64_MSR_GUEST_IDLE:
		/* TLFS: idle until an interrupt arrives, even with IF clear. */
		if (p->kind != PARTITION_CHILD)
			return -1;
		vp->run_state = VP_HALTED;
		vp->idle_ignores_if = true;
		*val = 0;
		return 0;
	case HV_X64_MSR_RESET:
		*val = 0;
		return 0;
	case MSR_TSC_AUX:
		/* Stored, not switched: RDTSCP still reads the host's (0 on the
		 * boot CPU, right for VP 0). */
		if (p->kind != PARTITION_CHILD)
			return -1;
		*val = vp->tsc_aux;
		return 0;
	case MSR_AMD_INT_PENDING_MSG:
		/* No C1E interrupt-pending message to report. */
		if (p->kind != PARTITION_CHILD)
			return -1;
		*val = 0;
		return 0;
	case HV_X64_MSR_TSC_INVARIANT_CONTROL:
		if (!tsc_invariant)
			return -1;
		*val = p->tsc_invariant_shown;
		return 0;
	}
	if (msr >= HV_X64_MSR_CRASH_P0 && msr <= HV_X64_MSR_CRASH_P4) {
		*val = p->crash[msr - HV_X64_MSR_CRASH_P0];
		return 0;
	}
	return -1;
}

int msr_write(struct vp *vp, u32 msr, u64 val)
{
	struct partition *p = vp->part;
	int ret;

	if (p->kind == PARTITION_CHILD && (ret = child_msr_write(vp, msr, val)) != 1)
		return ret;
	switch (msr) {
	case HV_X64_MSR_GUEST_OS_ID:
		p->guest_os_id = val;
		/* No guest identity, no hypercalls. */
		if (!val)
			p->hypercall_msr &= ~HV_X64_MSR_HYPERCALL_ENABLE;
		return 0;
	case HV_X64_MSR_HYPERCALL:
		if (p->hypercall_msr & HV_X64_MSR_HYPERCALL_LOCKED)
			return 0;
		if (!p->guest_os_id)
			val &= ~HV_X64_MSR_HYPERCALL_ENABLE;
		/* Bits 11:2 are reserved and read as zero. */
		val &= ~0xFFCULL;
		if (hypercall_page_write(p, val))
			return -1;
		if ((val & HV_X64_MSR_HYPERCALL_ENABLE) &&
		    !(p->hypercall_msr & HV_X64_MSR_HYPERCALL_ENABLE))
			pr_info("%s: hypercall page at GPA %lx", p->name,
				(u64)(val & HV_X64_MSR_PAGE_GPA_MASK));
		p->hypercall_msr = val;
		return 0;
	case HV_X64_MSR_REFERENCE_TSC:
		val &= HV_X64_MSR_PAGE_GPA_MASK | HV_X64_MSR_PAGE_ENABLE;
		if (reference_tsc_page_write(p, val))
			return -1;
		p->reference_tsc_msr = val;
		return 0;
	case HV_X64_MSR_VP_ASSIST_PAGE:
		vp->vp_assist_msr = val & (HV_X64_MSR_PAGE_GPA_MASK | HV_X64_MSR_PAGE_ENABLE);
		return 0;
	case HV_X64_MSR_CRASH_CTL:
		if (val & HV_CRASH_CTL_CRASH_NOTIFY)
			pr_warn("%s: guest crash report: %lx %lx %lx %lx %lx", p->name, p->crash[0],
				p->crash[1], p->crash[2], p->crash[3], p->crash[4]);
		return 0;
	case MSR_TSC_AUX:
		if (p->kind != PARTITION_CHILD || (val >> 32))
			return -1;
		vp->tsc_aux = val;
		return 0;
	case HV_X64_MSR_TSC_INVARIANT_CONTROL:
		if (!tsc_invariant || (val & ~1ULL))
			return -1;
		p->tsc_invariant_shown = val & 1;
		return 0;
	case HV_X64_MSR_RESET:
		/* Only the root can reset a partition: it sees the write. */
		return (val & 1) && p->kind == PARTITION_CHILD ? MSR_TO_ROOT : 0;
	}
	if (msr >= HV_X64_MSR_CRASH_P0 && msr <= HV_X64_MSR_CRASH_P4) {
		p->crash[msr - HV_X64_MSR_CRASH_P0] = val;
		return 0;
	}
	return -1;
}
