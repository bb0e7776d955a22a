/* A test guest (guests/child.c) in a partition of its own: build, RUN, port I/O. */
#include "vidtest.h"

#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "childproto.h"		/* guests/lib: what the child and its root agree on */
#include "septum/testdev.h"

#define WATCHDOG_S	10		/* no RUN of these guests takes this long */
#define MAX_RUNS	100000

/* x86 (SDM vol. 3) */
#define CR0_PE	(1ULL << 0)
#define CR0_MP	(1ULL << 1)
#define CR0_ET	(1ULL << 4)
#define CR0_NE	(1ULL << 5)
#define CR0_WP	(1ULL << 16)
#define CR0_PG	(1ULL << 31)
#define CR4_PAE	(1ULL << 5)
#define EFER_LME (1ULL << 8)
#define EFER_LMA (1ULL << 10)
#define EFER_NXE (1ULL << 11)
#define PTE_P	(1ULL << 0)
#define PTE_W	(1ULL << 1)
#define PTE_PS	(1ULL << 7)

/* ---- a test guest in a partition of its own ---- */

void *gpa(struct guest *g, u64 addr)
{
	return g->ram + addr;
}

long create_partition(void)
{
	struct septum_vid_create_partition cp = { 0 };

	return vid(dev, SEPTUM_VID_CREATE_PARTITION, &cp);
}

long create_vp(int part, u32 index)
{
	struct septum_vid_create_vp c = { .index = index };

	return vid(part, SEPTUM_VID_CREATE_VP, &c);
}

long map(int part, u64 pfn, u64 npages, const void *addr, u32 flags)
{
	struct septum_vid_memory m = { .guest_pfn = pfn, .npages = npages,
				       .userspace_addr = (u64)(uintptr_t)addr, .flags = flags };

	return vid(part, SEPTUM_VID_MAP_MEMORY, &m);
}

long unmap(int part, u64 pfn, u64 npages)
{
	struct septum_vid_memory m = { .guest_pfn = pfn, .npages = npages };

	return vid(part, SEPTUM_VID_UNMAP_MEMORY, &m);
}

long property(int part, bool set, u32 code, u64 *value)
{
	struct septum_vid_property p = { .code = code, .value = *value };
	long r = vid(part, set ? SEPTUM_VID_SET_PROPERTY : SEPTUM_VID_GET_PROPERTY, &p);

	*value = p.value;
	return r;
}

#define BOOT_REGS 19

/* The test-guest entry state (guests/testroot.c's child_long_mode). */
long long_mode(int vp, u64 rip, u64 rsp)
{
	const struct hv_register_assoc regs[] = {
		reg64(HV_X64_REGISTER_CR0, CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG),
		reg64(HV_X64_REGISTER_CR3, SEPTUM_TESTGUEST_PT_GPA),
		reg64(HV_X64_REGISTER_CR4, CR4_PAE),
		reg64(HV_X64_REGISTER_EFER, EFER_LME | EFER_LMA | EFER_NXE),
		reg64(HV_X64_REGISTER_RFLAGS, 2),
		reg64(HV_X64_REGISTER_RIP, rip),
		reg64(HV_X64_REGISTER_RSP, rsp),
		reg64(HV_X64_REGISTER_RDI, CHILD_RAM),
		reg64(HV_X64_REGISTER_RSI, SEPTUM_TESTGUEST_CMDLINE_GPA),
		seg(HV_X64_REGISTER_CS, 0, 0xFFFFFFFF, 0x08, 0xA09B),
		seg(HV_X64_REGISTER_SS, 0, 0xFFFFFFFF, 0x10, 0xC093),
		seg(HV_X64_REGISTER_DS, 0, 0xFFFFFFFF, 0x10, 0xC093),
		seg(HV_X64_REGISTER_ES, 0, 0xFFFFFFFF, 0x10, 0xC093),
		seg(HV_X64_REGISTER_FS, 0, 0xFFFFFFFF, 0x10, 0xC093),
		seg(HV_X64_REGISTER_GS, 0, 0xFFFFFFFF, 0x10, 0xC093),
		seg(HV_X64_REGISTER_TR, 0, 0x67, 0, 0x008B),
		seg(HV_X64_REGISTER_LDTR, 0, 0, 0, 0x0082),
		table(HV_X64_REGISTER_GDTR, 0, 0xFFFF),
		table(HV_X64_REGISTER_IDTR, 0, 0xFFFF),
	};

	_Static_assert(sizeof(regs) / sizeof(regs[0]) == BOOT_REGS, "BOOT_REGS");
	return set_regs(vp, regs, BOOT_REGS, NULL);
}

/* Identity 2 MiB pages over 4 GiB at SEPTUM_TESTGUEST_PT_GPA. */
static void page_tables(struct guest *g)
{
	u64 *pml4 = gpa(g, SEPTUM_TESTGUEST_PT_GPA);
	u64 *pdpt = gpa(g, SEPTUM_TESTGUEST_PT_GPA + PAGE_SIZE);
	u64 pd_gpa = SEPTUM_TESTGUEST_PT_GPA + 2 * PAGE_SIZE;

	pml4[0] = (SEPTUM_TESTGUEST_PT_GPA + PAGE_SIZE) | PTE_P | PTE_W;
	for (u64 i = 0; i < 4; i++) {
		u64 *pd = gpa(g, pd_gpa + i * PAGE_SIZE);

		pdpt[i] = (pd_gpa + i * PAGE_SIZE) | PTE_P | PTE_W;
		for (u64 j = 0; j < 512; j++)
			pd[j] = ((i << 30) | (j << 21)) | PTE_P | PTE_W | PTE_PS;
	}
}

/* Partition, 4 MiB of RAM at GPA 0, VP 0, child.bin with its mode, boot state. */
bool guest_build(struct guest *g, const char *mode)
{
	long r;

	memset(g, 0, sizeof(*g));
	g->mode = mode;
	g->part = g->vp[0] = g->vp[1] = -1;
	g->part = create_partition();
	if (g->part < 0) {
		snprintf(g->why, sizeof(g->why), "CREATE_PARTITION: %s", err_name(g->part));
		return false;
	}
	g->ram = mmap(NULL, CHILD_RAM, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (g->ram == MAP_FAILED) {
		g->ram = NULL;
		snprintf(g->why, sizeof(g->why), "mmap of guest RAM: %s", strerror(errno));
		return false;
	}
	r = map(g->part, 0, CHILD_PAGES, g->ram, RWX);
	if (r) {
		snprintf(g->why, sizeof(g->why), "MAP_MEMORY of 4 MiB: %s", err_name(r));
		return false;
	}
	g->vp[0] = create_vp(g->part, 0);
	if (g->vp[0] < 0) {
		snprintf(g->why, sizeof(g->why), "CREATE_VP 0: %s", err_name(g->vp[0]));
		return false;
	}
	page_tables(g);
	snprintf(gpa(g, SEPTUM_TESTGUEST_CMDLINE_GPA), 128, "child.bin%s%s", *mode ? " " : "",
		 mode);
	memcpy(gpa(g, SEPTUM_TESTGUEST_LOAD_GPA), image, image_size);
	r = long_mode(g->vp[0], SEPTUM_TESTGUEST_LOAD_GPA, CHILD_RAM);
	if (r) {
		snprintf(g->why, sizeof(g->why), "SET_REGS of the boot state: %s", err_name(r));
		return false;
	}
	return true;
}

void guest_close(struct guest *g)
{
	if (!g->mode)
		return;	/* never built */
	for (int i = 0; i < 2; i++)
		if (g->vp[i] >= 0)
			close(g->vp[i]);
	if (g->part >= 0)
		close(g->part);
	if (g->ram)
		munmap(g->ram, CHILD_RAM);
	g->vp[0] = g->vp[1] = g->part = -1;
	g->ram = NULL;
}

/* ---- the child's report lines ---- */

static bool parse_summary(const char *s, u32 *p, u32 *f)
{
	return sscanf(s, "%u passed, %u failed", p, f) == 2;
}

static void child_line(struct guest *g)
{
	g->line[g->len] = '\0';
	g->len = 0;
	if (!strncmp(g->line, "PASS ", 5) || !strncmp(g->line, "FAIL ", 5)) {
		bool ok = g->line[0] == 'P';
		/* guests/lib names its area hv/: the child's lines are ours here. */
		const char *name = g->line + 5 + (strncmp(g->line + 5, "hv/", 3) ? 0 : 3);

		g->passed += ok;
		g->failed += !ok;
		passed += ok;
		failed += !ok;
		printf("%.4s vid/%s\n", g->line, name);
		fflush(stdout);
		return;
	}
	if (parse_summary(g->line, &g->sum_passed, &g->sum_failed))
		g->summary = true;
	printf("vid: child %s: %s\n", *g->mode ? g->mode : "main", g->line);
}

static void child_byte(struct guest *g, char ch)
{
	if (ch != '\n')
		g->line[g->len++] = ch >= 0x20 && ch < 0x7F ? ch : '?';
	if (ch == '\n' || g->len == sizeof(g->line) - 1)
		child_line(g);
}

const struct hv_x64_intercept_message_header *msg_header(const struct hv_message *m)
{
	return (const void *)m->payload;
}

u32 msg_insn_len(const struct hv_message *m)
{
	return msg_header(m)->instruction_length_cr8 & 0xF;
}

const char *describe(const struct septum_vid_run *r)
{
	static char buf[128];

	snprintf(buf, sizeof(buf), "state %u event %u message %x at rip %lx deadline %lu",
		 r->dispatch_state, r->dispatch_event, r->message.header.message_type,
		 msg_header(&r->message)->rip, r->next_timer_deadline);
	return buf;
}

/* Completes an intercept: RIP past the instruction, and more registers. */
bool complete(struct guest *g, int vp, const struct hv_register_assoc *regs, u32 n)
{
	long r = set_regs(vp, regs, n, NULL);

	if (r)
		snprintf(g->why, sizeof(g->why), "SET_REGS completing an intercept: %s",
			 err_name(r));
	return !r;
}

static u32 io_mask(u8 access_info)
{
	u32 size = access_info & HV_X64_IO_PORT_ACCESS_SIZE_MASK;

	return size >= 4 ? 0xFFFFFFFF : (1U << (size * 8)) - 1;
}

/* The child's port I/O: the report port, the scratch register and the sync
 * port (its value in *sync); other ports float. */
static bool child_io(struct guest *g, int vp, const struct hv_message *msg, u32 *sync)
{
	const struct hv_x64_io_port_intercept_message *m = (const void *)msg->payload;
	u32 len = msg_insn_len(msg), mask = io_mask(m->access_info);
	bool in = m->header.intercept_access_type == HV_INTERCEPT_ACCESS_READ;
	u32 val = in ? 0xFFFFFFFF : m->rax & mask;
	struct hv_register_assoc regs[2];

	if (!len || (m->access_info & (HV_X64_IO_PORT_ACCESS_STRING | HV_X64_IO_PORT_ACCESS_REP))) {
		snprintf(g->why, sizeof(g->why), "port %x access %x, instruction length %u",
			 m->port_number, m->access_info, len);
		return false;
	}
	switch (m->port_number) {
	case SEPTUM_TESTDEV_REPORT_PORT:
		if (!in)
			child_byte(g, val);
		break;
	case SEPTUM_TESTDEV_SCRATCH_PORT:
		if (in)
			val = ~g->scratch;
		else
			g->scratch = val;
		break;
	case CHILD_SYNC_PORT:
		if (!in)
			*sync = val;
		break;
	}
	regs[0] = reg64(HV_X64_REGISTER_RIP, m->header.rip + len);
	regs[1] = reg64(HV_X64_REGISTER_RAX, (m->rax & ~(u64)mask) | (val & mask));
	return complete(g, vp, regs, in ? 2 : 1);
}

/* One RUN under a watchdog: a guest that never comes back becomes a
 * failure (-EINTR from the alarm), not a hung test. */
long run_once(struct guest *g, int vpi, u32 flags)
{
	long r;

	memset(&g->run, 0, sizeof(g->run));
	g->run.flags = flags;
	alarm(WATCHDOG_S);
	r = vid(g->vp[vpi], SEPTUM_VID_RUN, &g->run);
	alarm(0);
	return r;
}

/*
 * RUNs the VP, answering port I/O, until the child syncs (its value is
 * returned), something else comes (0, in g->run) or RUN fails (-1, g->why).
 */
int child_run(struct guest *g, int vpi, u32 flags)
{
	for (u32 i = 0; i < MAX_RUNS; i++) {
		long r = run_once(g, vpi, flags);
		u32 sync = 0;

		if (r) {
			snprintf(g->why, sizeof(g->why), "RUN of VP %d: %s%s", vpi, err_name(r),
				 r == -EINTR ? " (watchdog)" : "");
			return -1;
		}
		if (g->run.dispatch_event != HV_DISPATCH_EVENT_INTERCEPT ||
		    g->run.message.header.message_type != HVMSG_X64_IO_PORT_INTERCEPT)
			return 0;
		if (!child_io(g, g->vp[vpi], &g->run.message, &sync))
			return -1;
		if (sync)
			return sync;
	}
	snprintf(g->why, sizeof(g->why), "still running after %u RUNs", MAX_RUNS);
	return -1;
}

const char *outcome(struct guest *g, int r)
{
	static char buf[64];

	if (r < 0)
		return g->why;
	if (!r)
		return describe(&g->run);
	snprintf(buf, sizeof(buf), "it synced %x", r);
	return buf;
}

bool expect_sync(struct guest *g, int vpi, u32 want, const char *name)
{
	int r = child_run(g, vpi, 0);

	if (r == (int)want)
		return true;
	report(false, name, "VP %d, waiting for sync %x: %s", vpi, want, outcome(g, r));
	return false;
}

bool is_blocked(int r, const struct septum_vid_run *run)
{
	return r == 0 && run->dispatch_state == HV_DISPATCH_STATE_BLOCKED &&
	       run->dispatch_event == HV_DISPATCH_EVENT_NONE;
}

void check_suite(struct guest *g, const char *name)
{
	report(g->summary && g->passed > 0 && g->sum_passed == g->passed &&
		       g->sum_failed == g->failed,
	       name, "child summary %s %u passed, %u failed; relayed %u/%u",
	       g->summary ? "says" : "missing:", g->sum_passed, g->sum_failed, g->passed,
	       g->failed);
}

