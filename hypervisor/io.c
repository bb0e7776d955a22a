/* The test device (include/septum/testdev.h) for hypervisor-run partitions. */
#include "io.h"
#include "log.h"
#include "partition.h"
#include "septum/testdev.h"

static void report_byte(struct partition *p, char c)
{
	bool full = p->report_len == sizeof(p->report_line) - 1;

	if (c != '\n' && !full) {
		/* Only printable bytes reach the log. */
		p->report_line[p->report_len++] = (c >= 0x20 && c < 0x7F) ? c : '?';
		return;
	}
	p->report_line[p->report_len] = '\0';
	if (p->kind == PARTITION_ROOT)
		pr_info("root: %s", p->report_line);
	else
		pr_info("p%lu: %s", p->id, p->report_line);
	p->report_len = 0;
	if (c != '\n')
		report_byte(p, c);
}

static void log_exit_stats(struct vp *vp)
{
	const u64 *n = vp->exit_reasons;

	pr_info("exits: %s vp %u: %lu in all; cpuid %lu msr %lu io %lu hypercall %lu npf %lu "
		"hlt %lu interrupt %lu other %lu", vp->part->name, vp->index, vp->exits,
		n[VP_EXIT_CPUID], n[VP_EXIT_MSR_READ] + n[VP_EXIT_MSR_WRITE], n[VP_EXIT_IO],
		n[VP_EXIT_HYPERCALL], n[VP_EXIT_NPF], n[VP_EXIT_HLT],
		n[VP_EXIT_INTERRUPT] + n[VP_EXIT_INTERRUPT_WINDOW],
		vp->exits - n[VP_EXIT_CPUID] - n[VP_EXIT_MSR_READ] - n[VP_EXIT_MSR_WRITE] -
			n[VP_EXIT_IO] - n[VP_EXIT_HYPERCALL] - n[VP_EXIT_NPF] - n[VP_EXIT_HLT] -
			n[VP_EXIT_INTERRUPT] - n[VP_EXIT_INTERRUPT_WINDOW]);
}

void io_handle(struct vp *vp, const struct vp_exit *exit)
{
	struct partition *p = vp->part;
	u32 mask = exit->io.size >= 4 ? 0xFFFFFFFF : (1U << (exit->io.size * 8)) - 1;
	u32 val = vp->gprs.rax & mask;

	/* The test device takes single bytes and words; a string access is
	 * skipped, not fatal: the root intercepts these ports too. */
	if (exit->io.string) {
		pr_debug("%s: string I/O to port 0x%x ignored", p->name, exit->io.port);
		vp_skip(vp);
		return;
	}
	if (exit->io.in) {
		val = exit->io.port == SEPTUM_TESTDEV_SCRATCH_PORT ? ~p->scratch : 0xFFFFFFFF;
		vp->gprs.rax = (vp->gprs.rax & ~(u64)mask) | (val & mask);
	} else if (exit->io.port == SEPTUM_TESTDEV_REPORT_PORT) {
		report_byte(p, val);
	} else if (exit->io.port == SEPTUM_TESTDEV_SCRATCH_PORT) {
		p->scratch = val;
	} else if (exit->io.port == SEPTUM_TESTDEV_STATS_PORT) {
		log_exit_stats(vp);
	} else {
		pr_debug("%s: write %x to unclaimed port %x dropped", p->name, val, exit->io.port);
	}
	vp_skip(vp);
}
