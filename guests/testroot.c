/*
 * testroot: a test root partition. The hypervisor starts it identity-mapped
 * with the hardware (include/septum/testdev.h); it builds child partitions
 * from its own RAM with the root hypercalls, runs them with DispatchVp,
 * completes their intercepts, and checks each call's answer to hostile
 * input. Children run guests/child.c. Ends QEMU through isa-debug-exit.
 */
#include "childproto.h"
#include "guest.h"
#include "hv/cpuid.h"
#include "hv/intercept.h"
#include "hv/msr.h"
#include "hv/partition.h"
#include "hv/registers.h"
#include "hvcall.h"
#include "septum/testdev.h"
#include "synic.h"

#define QEMU_EXIT_PORT		0xF4
#define HV_IMAGE_PFN		0x200		/* the hypervisor's image at 2 MiB */
#define BEYOND_RAM_PFN		0x40000		/* 1 GiB: QEMU runs us with 512 MiB */
#define LAPIC_PFN		0xFEE00
#define ROOT_ID			1		/* Septum's id for the root */

#define CHILD_RAM_PAGES		1024		/* 4 MiB */
#define CHILD_RAM		(CHILD_RAM_PAGES * PAGE_SIZE)
#define CHILD_POOL_MAX		320
#define MIN_FREE_PAGES		12288		/* four children and their pools */
#define A_DEPOSIT		300
#define SMALL_DEPOSIT		40
#define REP_BUDGET		128		/* reps the hypervisor does per call */
#define MAX_DEPOSIT_REPS	((PAGE_SIZE - 8) / 8)
#define MAX_MAP_REPS		((PAGE_SIZE - 24) / 8)
#define RAM_FLAGS		(HV_MAP_GPA_READABLE | HV_MAP_GPA_WRITABLE | HV_MAP_GPA_EXECUTABLE)
#define UNKNOWN_REGISTER	0x00012345
#define UNKNOWN_PROPERTY	0x00012345
#define MAX_DISPATCHES		200000
#define CHILD_MAX_VPS		16		/* Septum's VPs per partition */

/* A second VP's code, written into the child at this GPA: sti; hlt; jmp. */
#define VP1_CODE_GPA		0x8000
#define VP1_STACK_GPA		0x9000

/* xAPIC registers (SDM vol. 3 "Local APIC"). */
#define APIC_MMIO		0xFEE00000UL
#define APIC_TPR		0x080
#define APIC_EOI		0x0B0
#define APIC_SVR		0x0F0
#define APIC_LVT_TIMER		0x320
#define APIC_TIMER_INIT		0x380
#define APIC_TIMER_DIV		0x3E0
#define APIC_SVR_ENABLE		0x100
#define APIC_DIV_16		0x3
#define TIMER_VECTOR		0x40
#define SPURIOUS_VECTOR		0xFF
/* 5 ms at QEMU's 1 GHz APIC bus, divided by 16. */
#define TIMER_COUNT		312500

static u8 hypercall_page[PAGE_SIZE] __aligned(PAGE_SIZE);
static u8 in_page[PAGE_SIZE] __aligned(PAGE_SIZE);
static u8 out_page[PAGE_SIZE] __aligned(PAGE_SIZE);

static const struct septum_testroot_info *info;
static u64 next_pfn, end_pfn;

struct child {
	const char *mode;
	u64 id;
	u64 ram[CHILD_RAM_PAGES];	/* root PFN behind each GPA page */
	u64 pool[CHILD_POOL_MAX];	/* deposited PFNs */
	u32 npool;
	char line[256];		/* a child's report line: name and a 160-byte why */
	u32 len;
	u32 scratch;
	u32 passed, failed;		/* its PASS/FAIL lines */
	bool summary;
	u32 sum_passed, sum_failed;	/* its own "N passed, N failed" */
	char why[160];
};

static struct child child_a, child_spin, child_triple, child_synic;
static struct hv_output_dispatch_vp dout;
static volatile u32 timer_ticks, spurious_ticks;

/* ---- root RAM ---- */

static u64 alloc_pfn(void)
{
	return next_pfn < end_pfn ? next_pfn++ : 0;
}

static void *pfn_ptr(u64 pfn)
{
	return (void *)(pfn << PAGE_SHIFT);
}

/* Every PFN is a root page again: zeroed by the hypervisor and ours to
 * write. A page it still held would end the root here with a fault. */
static bool pages_returned(const u64 *pfns, u32 n, char *why, size_t len)
{
	for (u32 i = 0; i < n; i++) {
		volatile u64 *p = pfn_ptr(pfns[i]);

		for (u32 j = 0; j < PAGE_SIZE / 8; j++) {
			if (p[j]) {
				hv_snprintf(why, len, "page %lx word %u reads %lx, not 0", pfns[i],
					    j, p[j]);
				return false;
			}
		}
		p[0] = pfns[i];
		p[PAGE_SIZE / 8 - 1] = ~pfns[i];
		if (p[0] != pfns[i] || p[PAGE_SIZE / 8 - 1] != ~pfns[i]) {
			hv_snprintf(why, len, "page %lx does not keep what we write", pfns[i]);
			return false;
		}
		p[0] = p[PAGE_SIZE / 8 - 1] = 0;
	}
	return true;
}

/* ---- hypercalls ---- */

static u64 result_of(u16 status, u32 reps)
{
	return status | ((u64)reps << HV_HYPERCALL_REP_COMP_SHIFT);
}

static u64 create_partition(u64 *id)
{
	struct hv_input_create_partition *in = (void *)in_page;
	u64 r;

	memset(in, 0, sizeof(*in));
	r = hv_call(HVCALL_CREATE_PARTITION, (u64)in, (u64)out_page);
	*id = r == HV_STATUS_SUCCESS ? ((struct hv_output_create_partition *)out_page)->partition_id
				     : 0;
	return r;
}

/* Initialize, Finalize and Delete take one qword: called fast. */
static u64 partition_call(u16 code, u64 id)
{
	return hv_call(code | HV_HYPERCALL_FAST_BIT, id, 0);
}

static u64 deposit_list(u64 id, const u64 *pfns, u32 n)
{
	struct hv_input_deposit_memory *in = (void *)in_page;
	u32 calls;

	in->partition_id = id;
	memcpy(in->gpa_page_list, pfns, n * 8);
	return hv_rep_loop(HVCALL_DEPOSIT_MEMORY, n, 0, in, NULL, &calls);
}

static u64 deposit_one(u64 id, u64 pfn)
{
	return deposit_list(id, &pfn, 1);
}

/* Fresh pages into the child's pool, in calls of at most a page of PFNs. */
static u64 deposit_fresh(struct child *c, u32 n)
{
	u32 done = 0;

	while (done < n) {
		u32 chunk = MIN(n - done, MAX_DEPOSIT_REPS), got;
		u64 r;

		if (c->npool + chunk > CHILD_POOL_MAX)
			return result_of(0xFFFF, done);
		for (u32 i = 0; i < chunk; i++)
			if (!(c->pool[c->npool + i] = alloc_pfn()))
				return result_of(0xFFFF, done);
		r = deposit_list(c->id, &c->pool[c->npool], chunk);
		got = r == HV_CALL_FAULT ? 0 : hv_reps(r);
		c->npool += got;
		done += got;
		if (hv_status(r) || got != chunk)
			return result_of(hv_status(r), done);
	}
	return result_of(HV_STATUS_SUCCESS, done);
}

static u64 map_pages(u64 id, u64 gpa_pfn, const u64 *pfns, u32 n, u32 flags)
{
	struct hv_input_map_gpa_pages *in = (void *)in_page;
	u32 done = 0, calls;

	while (done < n) {
		u32 chunk = MIN(n - done, MAX_MAP_REPS);
		u64 r;

		*in = (struct hv_input_map_gpa_pages){ .target_partition_id = id,
						       .target_gpa_base = gpa_pfn + done,
						       .map_flags = flags };
		memcpy(in->source_gpa_page_list, pfns + done, chunk * 8);
		r = hv_rep_loop(HVCALL_MAP_GPA_PAGES, chunk, 0, in, NULL, &calls);
		if (r == HV_CALL_FAULT)
			return r;
		done += hv_reps(r);
		if (hv_status(r) || hv_reps(r) != chunk)
			return result_of(hv_status(r), done);
	}
	return result_of(HV_STATUS_SUCCESS, done);
}

static u64 unmap_pages(u64 id, u64 gpa_pfn, u32 n)
{
	struct hv_input_unmap_gpa_pages *in = (void *)in_page;
	u32 calls;

	*in = (struct hv_input_unmap_gpa_pages){ .target_partition_id = id,
						 .target_gpa_base = gpa_pfn };
	return hv_rep_loop(HVCALL_UNMAP_GPA_PAGES, n, 0, in, NULL, &calls);
}

static u64 create_vp(u64 id, u32 index)
{
	struct hv_input_create_vp *in = (void *)in_page;

	*in = (struct hv_input_create_vp){ .partition_id = id, .vp_index = index };
	return hv_call(HVCALL_CREATE_VP, (u64)in, 0);
}

static u64 set_regs(u64 id, u32 vp, const struct hv_register_assoc *regs, u32 n)
{
	struct hv_input_set_vp_registers *in = (void *)in_page;
	u32 calls;

	memset(in, 0, sizeof(*in));
	in->partition_id = id;
	in->vp_index = vp;
	memcpy(in->elements, regs, n * sizeof(*regs));
	return hv_rep_loop(HVCALL_SET_VP_REGISTERS, n, 0, in, NULL, &calls);
}

static u64 get_regs(u64 id, u32 vp, const u32 *names, u32 n, union hv_register_value *vals)
{
	struct hv_input_get_vp_registers *in = (void *)in_page;
	u32 calls;
	u64 r;

	memset(in, 0, sizeof(*in));
	in->partition_id = id;
	in->vp_index = vp;
	memcpy(in->names, names, n * 4);
	r = hv_rep_loop(HVCALL_GET_VP_REGISTERS, n, 0, in, out_page, &calls);
	memcpy(vals, out_page, n * sizeof(*vals));
	return r;
}

static struct hv_register_assoc reg64(u32 name, u64 val)
{
	return (struct hv_register_assoc){ .name = name, .value.reg64 = val };
}

static struct hv_register_assoc seg(u32 name, u64 base, u32 limit, u16 sel, u16 attr)
{
	return (struct hv_register_assoc){ .name = name,
					   .value.segment = { base, limit, sel, attr } };
}

static struct hv_register_assoc table(u32 name, u64 base, u16 limit)
{
	return (struct hv_register_assoc){ .name = name,
					   .value.table = { .limit = limit, .base = base } };
}

static u64 dispatch_flags(u64 id, u32 vp, u32 flags, struct hv_output_dispatch_vp *out)
{
	struct hv_input_dispatch_vp *in = (void *)in_page;
	u64 r;

	*in = (struct hv_input_dispatch_vp){ .partition_id = id, .vp_index = vp, .flags = flags };
	memset(out_page, 0xCC, sizeof(*out));
	r = hv_call(HVCALL_DISPATCH_VP, (u64)in, (u64)out_page);
	memcpy(out, out_page, sizeof(*out));
	return r;
}

static u64 dispatch(u64 id, u32 vp, struct hv_output_dispatch_vp *out)
{
	return dispatch_flags(id, vp, 0, out);
}

static u64 get_property(u64 id, u32 code, u64 *val)
{
	struct hv_input_get_partition_property *in = (void *)in_page;
	u64 r;

	*in = (struct hv_input_get_partition_property){ .partition_id = id, .property_code = code };
	r = hv_call(HVCALL_GET_PARTITION_PROPERTY, (u64)in, (u64)out_page);
	*val = ((struct hv_output_get_partition_property *)out_page)->property_value;
	return r;
}

static u64 set_property(u64 id, u32 code, u64 val)
{
	struct hv_input_set_partition_property *in = (void *)in_page;

	*in = (struct hv_input_set_partition_property){ .partition_id = id, .property_code = code,
							.property_value = val };
	return hv_call(HVCALL_SET_PARTITION_PROPERTY, (u64)in, 0);
}

/* ---- child memory through our own view of its pages ---- */

static void *child_ptr(struct child *c, u64 gpa)
{
	if (gpa >= CHILD_RAM)
		return NULL;
	return (u8 *)pfn_ptr(c->ram[gpa >> PAGE_SHIFT]) + (gpa & (PAGE_SIZE - 1));
}

static void child_write(struct child *c, u64 gpa, const void *src, u64 len)
{
	const u8 *s = src;

	while (len) {
		u64 chunk = MIN(len, PAGE_SIZE - (gpa & (PAGE_SIZE - 1)));

		memcpy(child_ptr(c, gpa), s, chunk);
		gpa += chunk;
		s += chunk;
		len -= chunk;
	}
}

/* ---- building a child ---- */

static bool child_create(struct child *c, u32 deposit)
{
	u64 r = create_partition(&c->id);

	if (r) {
		hv_snprintf(c->why, sizeof(c->why), "CreatePartition: %lx", r);
		return false;
	}
	r = deposit_fresh(c, deposit);
	if (hv_status(r) || hv_reps(r) != deposit) {
		hv_snprintf(c->why, sizeof(c->why), "deposit of %u: %lx", deposit, r);
		return false;
	}
	r = partition_call(HVCALL_INITIALIZE_PARTITION, c->id);
	if (r) {
		hv_snprintf(c->why, sizeof(c->why), "InitializePartition: %lx", r);
		return false;
	}
	return true;
}

/* 2 MiB-aligned, so the hypervisor may map it with large pages. */
static bool child_alloc_ram(struct child *c)
{
	next_pfn = ALIGN_UP(next_pfn, PAGE_SIZE_2M >> PAGE_SHIFT);
	for (u32 i = 0; i < CHILD_RAM_PAGES; i++) {
		c->ram[i] = alloc_pfn();
		if (!c->ram[i]) {
			hv_snprintf(c->why, sizeof(c->why), "root RAM ran out");
			return false;
		}
		memset(pfn_ptr(c->ram[i]), 0, PAGE_SIZE);
	}
	return true;
}

static bool child_map_ram(struct child *c)
{
	u64 r;

	if (!child_alloc_ram(c))
		return false;
	r = map_pages(c->id, 0, c->ram, CHILD_RAM_PAGES, RAM_FLAGS);
	if (r != result_of(HV_STATUS_SUCCESS, CHILD_RAM_PAGES)) {
		hv_snprintf(c->why, sizeof(c->why), "MapGpaPages of 4 MiB: %lx", r);
		return false;
	}
	return true;
}

/* The test-guest boot protocol: identity 2 MiB pages for 4 GiB. */
static void child_page_tables(struct child *c)
{
	u64 *pml4 = child_ptr(c, SEPTUM_TESTGUEST_PT_GPA);
	u64 *pdpt = child_ptr(c, SEPTUM_TESTGUEST_PT_GPA + PAGE_SIZE);
	u64 pd_gpa = SEPTUM_TESTGUEST_PT_GPA + 2 * PAGE_SIZE;

	pml4[0] = (SEPTUM_TESTGUEST_PT_GPA + PAGE_SIZE) | X86_PTE_P | X86_PTE_W;
	for (u64 i = 0; i < 4; i++) {
		u64 *pd = child_ptr(c, pd_gpa + i * PAGE_SIZE);

		pdpt[i] = (pd_gpa + i * PAGE_SIZE) | X86_PTE_P | X86_PTE_W;
		for (u64 j = 0; j < 512; j++)
			pd[j] = ((i << 30) | (j << 21)) | X86_PTE_P | X86_PTE_W | X86_PTE_PS;
	}
}

#define BOOT_REGS 19

/* The test-guest entry state (boot/testguest.c does the same for its own). */
static u64 child_long_mode(struct child *c, u32 vp, u64 rip, u64 rsp)
{
	const struct hv_register_assoc regs[] = {
		reg64(HV_X64_REGISTER_CR0, X86_CR0_PE | X86_CR0_MP | X86_CR0_ET | X86_CR0_NE |
						   X86_CR0_WP | X86_CR0_PG),
		reg64(HV_X64_REGISTER_CR3, SEPTUM_TESTGUEST_PT_GPA),
		reg64(HV_X64_REGISTER_CR4, X86_CR4_PAE),
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

	_Static_assert(ARRAY_SIZE(regs) == BOOT_REGS, "BOOT_REGS");
	return set_regs(c->id, vp, regs, BOOT_REGS);
}

/* child.bin at 1 MiB, its command line with the mode, then VP 0's state. */
static bool child_load(struct child *c)
{
	u64 start = info->mods[0].start, size = info->mods[0].end - start;
	char cmdline[160];
	u64 r;

	if (size > CHILD_RAM / 2) {
		hv_snprintf(c->why, sizeof(c->why), "child image of %lu bytes", size);
		return false;
	}
	child_page_tables(c);
	hv_snprintf(cmdline, sizeof(cmdline), "%s%s%s", info->mods[0].cmdline,
		    *c->mode ? " " : "", c->mode);
	child_write(c, SEPTUM_TESTGUEST_CMDLINE_GPA, cmdline, strlen(cmdline) + 1);
	child_write(c, SEPTUM_TESTGUEST_LOAD_GPA, (const void *)start, size);
	r = child_long_mode(c, 0, SEPTUM_TESTGUEST_LOAD_GPA, CHILD_RAM);
	if (r != result_of(HV_STATUS_SUCCESS, BOOT_REGS)) {
		hv_snprintf(c->why, sizeof(c->why), "SetVpRegisters of the boot state: %lx", r);
		return false;
	}
	return true;
}

/* Create, deposit, initialize, map RAM, VP 0, load: for the siblings. */
static bool child_build(struct child *c)
{
	u64 r;

	if (!child_create(c, SMALL_DEPOSIT) || !child_map_ram(c))
		return false;
	r = create_vp(c->id, 0);
	if (r) {
		hv_snprintf(c->why, sizeof(c->why), "CreateVp: %lx", r);
		return false;
	}
	return child_load(c);
}

/* ---- running a child ---- */

static bool parse_uint(const char **s, u32 *val)
{
	const char *p = *s;

	*val = 0;
	if (*p < '0' || *p > '9')
		return false;
	while (*p >= '0' && *p <= '9')
		*val = *val * 10 + (*p++ - '0');
	*s = p;
	return true;
}

static bool parse_summary(const char *s, u32 *passed, u32 *failed)
{
	return parse_uint(&s, passed) && !strncmp(s, " passed, ", 9) && (s += 9) &&
	       parse_uint(&s, failed) && !strncmp(s, " failed", 8);
}

static void child_line(struct child *c)
{
	c->line[c->len] = '\0';
	c->len = 0;
	if (!strncmp(c->line, "PASS ", 5) || !strncmp(c->line, "FAIL ", 5)) {
		if (c->line[0] == 'P')
			c->passed++;
		else
			c->failed++;
		report_forward(c->line);
		return;
	}
	if (parse_summary(c->line, &c->sum_passed, &c->sum_failed))
		c->summary = true;
	guest_printf("child: %s\n", c->line);
}

static void child_byte(struct child *c, char ch)
{
	if (ch != '\n')
		c->line[c->len++] = ch >= 0x20 && ch < 0x7F ? ch : '?';
	if (ch == '\n' || c->len == sizeof(c->line) - 1)
		child_line(c);
}

static u32 io_mask(u8 access_info)
{
	u32 size = access_info & HV_X64_IO_PORT_ACCESS_SIZE_MASK;

	return size >= 4 ? 0xFFFFFFFF : (1U << (size * 8)) - 1;
}

/* Emulates the child's port I/O: the report port, the scratch register
 * and the sync port (its value in *sync); other ports float. */
static bool child_io(struct child *c, u32 vp, const struct hv_message *msg, u32 *sync)
{
	const struct hv_x64_io_port_intercept_message *m = (const void *)msg->payload;
	u32 len = m->header.instruction_length_cr8 & 0xF, mask = io_mask(m->access_info);
	bool in = m->header.intercept_access_type == HV_INTERCEPT_ACCESS_READ;
	u32 val = in ? 0xFFFFFFFF : m->rax & mask;
	struct hv_register_assoc regs[2];
	u64 r;

	if (!len || (m->access_info & (HV_X64_IO_PORT_ACCESS_STRING | HV_X64_IO_PORT_ACCESS_REP))) {
		hv_snprintf(c->why, sizeof(c->why), "port %x access %x, instruction length %u",
			    m->port_number, m->access_info, len);
		return false;
	}
	switch (m->port_number) {
	case SEPTUM_TESTDEV_REPORT_PORT:
		if (!in)
			child_byte(c, val);
		break;
	case SEPTUM_TESTDEV_SCRATCH_PORT:
		if (in)
			val = ~c->scratch;
		else
			c->scratch = val;
		break;
	case CHILD_SYNC_PORT:
		if (!in)
			*sync = val;
		break;
	}
	regs[0] = reg64(HV_X64_REGISTER_RIP, m->header.rip + len);
	regs[1] = reg64(HV_X64_REGISTER_RAX, (m->rax & ~(u64)mask) | (val & mask));
	r = set_regs(c->id, vp, regs, in ? 2 : 1);
	if (r != result_of(HV_STATUS_SUCCESS, in ? 2 : 1)) {
		hv_snprintf(c->why, sizeof(c->why), "SetVpRegisters completing I/O: %lx", r);
		return false;
	}
	return true;
}

/*
 * Dispatches the VP until it needs more than the port I/O we emulate.
 * Returns the sync value the child wrote, 0 with the dispatch output in
 * *out, or -1 with c->why.
 */
static int child_run(struct child *c, u32 vp, struct hv_output_dispatch_vp *out)
{
	for (u32 i = 0; i < MAX_DISPATCHES; i++) {
		u64 r = dispatch(c->id, vp, out);
		u32 sync = 0;

		if (r) {
			hv_snprintf(c->why, sizeof(c->why), "DispatchVp: %lx", r);
			return -1;
		}
		/* Preempted by an interrupt of ours: nothing to do but go on. */
		if (out->dispatch_state == HV_DISPATCH_STATE_READY &&
		    out->dispatch_event == HV_DISPATCH_EVENT_NONE)
			continue;
		if (out->dispatch_event != HV_DISPATCH_EVENT_INTERCEPT ||
		    out->message.header.message_type != HVMSG_X64_IO_PORT_INTERCEPT)
			return 0;
		if (!child_io(c, vp, &out->message, &sync))
			return -1;
		if (sync)
			return sync;
	}
	hv_snprintf(c->why, sizeof(c->why), "still running after %u dispatches", MAX_DISPATCHES);
	return -1;
}

static const struct hv_x64_intercept_message_header *msg_header(const struct hv_message *m)
{
	return (const void *)m->payload;
}

static u32 msg_insn_len(const struct hv_message *m)
{
	return msg_header(m)->instruction_length_cr8 & 0xF;
}

static const char *describe(const struct hv_output_dispatch_vp *o)
{
	static char buf[96];

	hv_snprintf(buf, sizeof(buf), "state %u event %u message %x at rip %lx", o->dispatch_state,
		    o->dispatch_event, o->message.header.message_type,
		    msg_header(&o->message)->rip);
	return buf;
}

/* ---- the root's own checks ---- */

static void test_cpuid(void)
{
	struct cpuid_regs r;

	cpuid(HV_CPUID_VENDOR_AND_MAX_FUNCTIONS, 0, &r);
	report(r.ebx == HV_CPUID_SIGNATURE_EBX && r.ecx == HV_CPUID_SIGNATURE_ECX &&
		       r.edx == HV_CPUID_SIGNATURE_EDX,
	       "root-cpuid-signature", "0x40000000 gave %08x %08x %08x", r.ebx, r.ecx, r.edx);
	cpuid(HV_CPUID_FEATURES, 0, &r);
	report((r.ebx & HV_CREATE_PARTITIONS) && (r.ebx & HV_ACCESS_MEMORY_POOL),
	       "root-cpuid-privileges", "0x40000003 ebx %08x", r.ebx);
}

static bool test_hypercall_page(void)
{
	bool ok = hv_enable_hypercalls(hypercall_page, 0x8100000000000001ULL);

	report(ok, "root-hypercall-page", "HYPERCALL MSR did not take page %p", hypercall_page);
	return ok;
}

static bool test_free_ram(void)
{
	bool ok;

	next_pfn = ALIGN_UP(info->free_base, PAGE_SIZE) >> PAGE_SHIFT;
	end_pfn = info->free_end >> PAGE_SHIFT;
	ok = end_pfn > next_pfn && end_pfn - next_pfn >= MIN_FREE_PAGES && info->nmods >= 1;
	report(ok, "root-info-table", "free [%lx, %lx), %u modules", info->free_base,
	       info->free_end, info->nmods);
	return ok;
}

/* Create, initialize without memory, deposit in rep chunks, initialize. */
static bool test_partition_setup(struct child *c)
{
	struct hv_input_deposit_memory *in = (void *)in_page;
	u64 r = create_partition(&c->id), first;
	u32 calls;

	report(r == HV_STATUS_SUCCESS && c->id && c->id != HV_PARTITION_ID_SELF,
	       "root-create-partition", "result %lx, id %lx", r, c->id);
	if (r)
		return false;
	r = partition_call(HVCALL_INITIALIZE_PARTITION, c->id);
	report(r == HV_STATUS_INSUFFICIENT_MEMORY, "root-initialize-needs-deposit", "result %lx",
	       r);

	for (u32 i = 0; i < A_DEPOSIT; i++)
		c->pool[i] = alloc_pfn();
	in->partition_id = c->id;
	memcpy(in->gpa_page_list, c->pool, A_DEPOSIT * 8);
	first = hv_rep_call(HVCALL_DEPOSIT_MEMORY, A_DEPOSIT, 0, in, NULL);
	report(first == result_of(HV_STATUS_SUCCESS, REP_BUDGET), "root-deposit-rep-budget",
	       "first call of %u reps returned %lx, want success with %u done", A_DEPOSIT, first,
	       REP_BUDGET);
	r = first;
	if (hv_status(first) == HV_STATUS_SUCCESS && hv_reps(first) < A_DEPOSIT)
		r = hv_rep_loop(HVCALL_DEPOSIT_MEMORY, A_DEPOSIT, hv_reps(first), in, NULL, &calls);
	report(r == result_of(HV_STATUS_SUCCESS, A_DEPOSIT), "root-deposit-rep-loop",
	       "re-issued from %u: result %lx", hv_reps(first), r);
	c->npool = r == HV_CALL_FAULT ? 0 : hv_reps(r);

	r = partition_call(HVCALL_INITIALIZE_PARTITION, c->id);
	report(r == HV_STATUS_SUCCESS, "root-initialize-partition", "result %lx", r);
	if (r)
		return false;
	r = partition_call(HVCALL_INITIALIZE_PARTITION, c->id);
	report(r == HV_STATUS_INVALID_PARTITION_STATE, "root-initialize-twice", "result %lx", r);
	return true;
}

static void test_hostile_deposits(struct child *c)
{
	struct hv_input_deposit_memory *in = (void *)in_page;
	u64 spare = alloc_pfn(), twice[2], r;

	twice[0] = twice[1] = alloc_pfn();

	r = deposit_one(c->id, HV_IMAGE_PFN);
	report(r == HV_STATUS_INVALID_PARAMETER, "root-deposit-hv-page-refused", "result %lx", r);
	r = deposit_one(c->id, c->pool[0]);
	report(r == HV_STATUS_INVALID_PARAMETER, "root-deposit-deposited-page-refused",
	       "page %lx again: result %lx", c->pool[0], r);
	r = deposit_list(c->id, twice, 2);
	report(r == result_of(HV_STATUS_INVALID_PARAMETER, 1), "root-deposit-same-page-twice",
	       "page %lx twice in one call: result %lx, want 1 rep then 5", twice[0], r);
	if (hv_reps(r) == 1 && c->npool < CHILD_POOL_MAX)
		c->pool[c->npool++] = twice[0];
	r = deposit_one(0x1234, spare);
	report(r == HV_STATUS_INVALID_PARTITION_ID, "root-deposit-unknown-partition", "result %lx",
	       r);
	r = deposit_one(HV_PARTITION_ID_SELF, spare);
	report(r == HV_STATUS_INVALID_PARTITION_ID, "root-deposit-self-refused", "result %lx", r);
	r = deposit_one(ROOT_ID, spare);
	report(r == HV_STATUS_INVALID_PARTITION_ID, "root-deposit-own-id-refused",
	       "to partition 1 (the root): result %lx", r);
	r = deposit_one(c->id, BEYOND_RAM_PFN);
	report(r == HV_STATUS_INVALID_PARAMETER, "root-deposit-beyond-ram-refused", "result %lx",
	       r);
	r = deposit_one(c->id, 1ULL << 40);
	report(r == HV_STATUS_INVALID_PARAMETER, "root-deposit-huge-pfn-refused", "result %lx", r);
	r = deposit_one(c->id, LAPIC_PFN);
	report(r == HV_STATUS_INVALID_PARAMETER, "root-deposit-mmio-refused", "result %lx", r);

	in->partition_id = c->id;
	in->gpa_page_list[0] = spare;
	r = hv_rep_call(HVCALL_DEPOSIT_MEMORY, 1, 0, in_page + 4, NULL);
	report(r == HV_STATUS_INVALID_ALIGNMENT, "root-input-misaligned", "result %lx", r);
	r = hv_rep_call(HVCALL_DEPOSIT_MEMORY, 1, 0, in_page + PAGE_SIZE - 8, NULL);
	report(r == HV_STATUS_INVALID_PARAMETER, "root-input-crosses-page", "result %lx", r);
	r = hv_rep_call(HVCALL_DEPOSIT_MEMORY, 1, 0, pfn_ptr(HV_IMAGE_PFN), NULL);
	report(r == HV_STATUS_INVALID_PARAMETER, "root-input-in-hypervisor", "result %lx", r);
	r = hv_call(HVCALL_CREATE_PARTITION, (u64)in_page, (u64)out_page + 4);
	report(r == HV_STATUS_INVALID_ALIGNMENT, "root-output-misaligned", "result %lx", r);
}

/* A failed call must leave nothing behind the caller cannot name:
 * partition ids are handed out in order, so a gap is a leaked partition. */
static void test_bad_output_no_side_effect(void)
{
	u64 before, after, id, r1, r2, r3;

	r1 = create_partition(&before);
	memset(in_page, 0, sizeof(struct hv_input_create_partition));
	r2 = hv_call(HVCALL_CREATE_PARTITION, (u64)in_page, (u64)pfn_ptr(HV_IMAGE_PFN));
	r3 = create_partition(&after);
	report(r1 == 0 && r2 == HV_STATUS_INVALID_PARAMETER && r3 == 0 && after == before + 1,
	       "root-create-partition-bad-output",
	       "result %lx, yet ids went %lx then %lx: it made a partition", r2, before, after);
	/* Ours, and the leaked one if any: its id is known now. */
	if (!r1 && !r3)
		for (id = before; id <= after; id++)
			partition_call(HVCALL_DELETE_PARTITION, id);
	else if (!r1 || !r3)
		partition_call(HVCALL_DELETE_PARTITION, r1 ? after : before);
}

static void test_control_word(void)
{
	struct hv_input_deposit_memory *in = (void *)in_page;
	u64 r;

	r = hv_call(0x7777, 0, 0);
	report(r == HV_STATUS_INVALID_HYPERCALL_CODE, "root-unknown-call-code", "result %lx", r);
	in->partition_id = child_a.id;
	in->gpa_page_list[0] = alloc_pfn();
	r = hv_call(hv_rep_control(HVCALL_DEPOSIT_MEMORY, 1, 0) | BIT(27), (u64)in, 0);
	report(r == HV_STATUS_INVALID_HYPERCALL_INPUT, "root-reserved-control-bit-27", "result %lx",
	       r);
	r = hv_call(hv_rep_control(HVCALL_DEPOSIT_MEMORY, 1, 0) | BIT(63), (u64)in, 0);
	report(r == HV_STATUS_INVALID_HYPERCALL_INPUT, "root-reserved-control-bit-63", "result %lx",
	       r);
	r = hv_call(hv_rep_control(HVCALL_DEPOSIT_MEMORY, 1, 0) |
			    (1ULL << HV_HYPERCALL_VARHEAD_SHIFT),
		    (u64)in, 0);
	report(r == HV_STATUS_INVALID_HYPERCALL_INPUT, "root-varhead-refused", "result %lx", r);
	r = hv_rep_call(HVCALL_DEPOSIT_MEMORY, 0, 0, in, NULL);
	report(r == HV_STATUS_INVALID_HYPERCALL_INPUT, "root-rep-count-zero", "result %lx", r);
	r = hv_rep_call(HVCALL_DEPOSIT_MEMORY, 1, 1, in, NULL);
	report(hv_status(r) == HV_STATUS_INVALID_HYPERCALL_INPUT, "root-rep-start-past-count",
	       "result %lx", r);
	memset(in_page, 0, sizeof(struct hv_input_create_partition));
	r = hv_call(HVCALL_CREATE_PARTITION | (1ULL << HV_HYPERCALL_REP_COUNT_SHIFT), (u64)in_page,
		    (u64)out_page);
	report(r == HV_STATUS_INVALID_HYPERCALL_INPUT, "root-simple-call-with-reps", "result %lx",
	       r);
	r = hv_call(HVCALL_DISPATCH_VP | HV_HYPERCALL_FAST_BIT, child_a.id, 0);
	report(r == HV_STATUS_INVALID_HYPERCALL_INPUT, "root-fast-call-for-slow-only",
	       "result %lx", r);
}

static bool test_map_ram(struct child *c)
{
	u64 fresh = alloc_pfn(), r;
	bool ok = child_alloc_ram(c);

	r = ok ? map_pages(c->id, 0, c->ram, CHILD_RAM_PAGES, RAM_FLAGS) : 0;
	report(ok && r == result_of(HV_STATUS_SUCCESS, CHILD_RAM_PAGES), "root-map-child-ram",
	       "4 MiB in calls of %u PFNs: result %lx %s", (u32)MAX_MAP_REPS, r, c->why);
	if (!ok || r != result_of(HV_STATUS_SUCCESS, CHILD_RAM_PAGES))
		return false;

	r = map_pages(c->id, 5, &fresh, 1, RAM_FLAGS);
	report(r == HV_STATUS_INVALID_PARAMETER, "root-map-over-mapped-gpa", "result %lx", r);
	r = map_pages(c->id, CHILD_RAM_PAGES, &c->pool[0], 1, RAM_FLAGS);
	report(r == HV_STATUS_INVALID_PARAMETER, "root-map-deposited-page", "result %lx", r);
	r = map_pages(c->id, CHILD_RAM_PAGES, (const u64[]){ HV_IMAGE_PFN }, 1, RAM_FLAGS);
	report(r == HV_STATUS_INVALID_PARAMETER, "root-map-hv-page", "result %lx", r);
	r = map_pages(c->id, CHILD_RAM_PAGES, (const u64[]){ LAPIC_PFN }, 1, RAM_FLAGS);
	report(r == HV_STATUS_INVALID_PARAMETER, "root-map-mmio-refused", "our local APIC: %lx", r);
	r = map_pages(c->id, CHILD_RAM_PAGES, &fresh, 1, HV_MAP_GPA_WRITABLE);
	report(r == HV_STATUS_INVALID_PARAMETER, "root-map-without-read", "result %lx", r);
	r = map_pages(c->id, CHILD_RAM_PAGES, &fresh, 1, HV_MAP_GPA_READABLE | 0x100);
	report(r == HV_STATUS_INVALID_PARAMETER, "root-map-unknown-flag", "result %lx", r);
	r = deposit_one(c->id, c->ram[5]);
	report(r == HV_STATUS_OBJECT_IN_USE, "root-deposit-mapped-page", "result %lx", r);

	/* Unmap 64 KiB out of a 2 MiB run (a large page to split, if the
	 * hypervisor used one) and map the same pages back. */
	r = unmap_pages(c->id, 0x300, 16);
	report(r == result_of(HV_STATUS_SUCCESS, 16), "root-unmap-gpa-pages", "result %lx", r);
	r = map_pages(c->id, 0x300, &c->ram[0x300], 16, RAM_FLAGS);
	report(r == result_of(HV_STATUS_SUCCESS, 16), "root-map-after-unmap", "result %lx", r);
	r = map_pages(c->id, 0x300, &c->ram[0x300], 16, RAM_FLAGS);
	report(r == HV_STATUS_INVALID_PARAMETER, "root-map-after-unmap-twice", "result %lx", r);

	/* A page no child maps any more may be deposited; the GPA gets another. */
	r = unmap_pages(c->id, 0x310, 1);
	r = r == result_of(HV_STATUS_SUCCESS, 1) ? deposit_one(c->id, c->ram[0x310]) : r;
	report(r == result_of(HV_STATUS_SUCCESS, 1), "root-deposit-unmapped-page", "result %lx", r);
	if (r == result_of(HV_STATUS_SUCCESS, 1) && c->npool < CHILD_POOL_MAX)
		c->pool[c->npool++] = c->ram[0x310];
	c->ram[0x310] = fresh;
	memset(pfn_ptr(fresh), 0, PAGE_SIZE);
	r = map_pages(c->id, 0x310, &fresh, 1, RAM_FLAGS);
	report(r == result_of(HV_STATUS_SUCCESS, 1), "root-map-replacement-page", "result %lx", r);
	return r == result_of(HV_STATUS_SUCCESS, 1);
}

static bool test_create_vps(struct child *c)
{
	u64 r = create_vp(c->id, CHILD_MAX_VPS);

	report(r == HV_STATUS_INVALID_VP_INDEX, "root-create-vp-index-16", "result %lx", r);
	r = create_vp(c->id, 0);
	report(r == HV_STATUS_SUCCESS, "root-create-vp", "result %lx", r);
	if (r)
		return false;
	r = create_vp(c->id, 0);
	report(r == HV_STATUS_INVALID_VP_STATE, "root-create-vp-twice", "result %lx", r);
	r = dispatch(c->id, 1, &dout);
	report(r == HV_STATUS_INVALID_VP_INDEX, "root-dispatch-missing-vp", "result %lx", r);
	r = dispatch_flags(c->id, 0, 0x80, &dout);
	report(r == HV_STATUS_INVALID_PARAMETER, "root-dispatch-unknown-flags", "result %lx", r);
	return true;
}

/* The spinning sibling starts with one deposited page: enough for the GPA
 * map's root, not for a VP. */
static bool test_create_vp_memory(struct child *c)
{
	u64 r;

	if (!child_create(c, 1)) {
		report(false, "root-create-vp-insufficient-memory", "%s", c->why);
		return false;
	}
	r = create_vp(c->id, 0);
	report(r == HV_STATUS_INSUFFICIENT_MEMORY, "root-create-vp-insufficient-memory",
	       "with one page deposited: result %lx", r);
	r = deposit_fresh(c, SMALL_DEPOSIT);
	r = hv_status(r) ? r : create_vp(c->id, 0);
	report(r == HV_STATUS_SUCCESS, "root-create-vp-after-deposit", "result %lx", r);
	return r == HV_STATUS_SUCCESS;
}

static bool same_value(const union hv_register_value *a, const union hv_register_value *b)
{
	return a->reg128.low == b->reg128.low && a->reg128.high == b->reg128.high;
}

static void test_vp_registers(struct child *c)
{
	struct hv_register_assoc set[32];
	union hv_register_value got[32];
	u32 names[32], n = 0, bad = 0;
	u64 r1, r2;

	for (u32 i = 0; i < 16; i++)
		set[n++] = reg64(HV_X64_REGISTER_RAX + i,
				 0x5E97000000000000ULL | (i * 0x0101010101ULL));
	set[n++] = reg64(HV_X64_REGISTER_RIP, 0x123456);
	set[n++] = reg64(HV_X64_REGISTER_CR0, 0x80010033);
	set[n++] = reg64(HV_X64_REGISTER_CR3, 0x5000);
	set[n++] = reg64(HV_X64_REGISTER_CR4, 0x620);
	set[n++] = reg64(HV_X64_REGISTER_EFER, 0xD01);
	set[n++] = seg(HV_X64_REGISTER_CS, 0x1000, 0xFFFFF, 0x08, 0xA09B);
	set[n++] = seg(HV_X64_REGISTER_SS, 0, 0xFFFFFFFF, 0x10, 0xC093);
	set[n++] = seg(HV_X64_REGISTER_DS, 0x2000, 0xFFFF, 0x18, 0x0093);
	set[n++] = table(HV_X64_REGISTER_GDTR, 0x3000, 0x17);
	set[n++] = table(HV_X64_REGISTER_IDTR, 0x4000, 0xFFF);
	set[n++] = reg64(HV_REGISTER_GUEST_OS_ID, 0x8100000000000042ULL);
	for (u32 i = 0; i < n; i++)
		names[i] = set[i].name;
	r1 = set_regs(c->id, 0, set, n);
	r2 = get_regs(c->id, 0, names, n, got);
	while (bad < n && same_value(&set[bad].value, &got[bad]))
		bad++;
	report(r1 == result_of(0, n) && r2 == result_of(0, n) && bad == n, "root-vp-registers",
	       "set %lx get %lx; register %x reads back %lx:%lx", r1, r2, bad < n ? names[bad] : 0,
	       bad < n ? got[bad].reg128.high : 0, bad < n ? got[bad].reg128.low : 0);

	names[0] = HV_X64_REGISTER_RAX;
	names[1] = HV_X64_REGISTER_RCX;
	names[2] = UNKNOWN_REGISTER;
	names[3] = HV_X64_REGISTER_RDX;
	r1 = get_regs(c->id, 0, names, 4, got);
	report(r1 == result_of(HV_STATUS_INVALID_PARAMETER, 2), "root-get-unknown-register",
	       "result %lx, want 5 after 2 reps", r1);
	set[0] = reg64(HV_X64_REGISTER_RAX, 1);
	set[1] = reg64(UNKNOWN_REGISTER, 1);
	r1 = set_regs(c->id, 0, set, 2);
	report(r1 == result_of(HV_STATUS_INVALID_PARAMETER, 1), "root-set-unknown-register",
	       "result %lx, want 5 after 1 rep", r1);
	r1 = set_regs(c->id, 0, (const struct hv_register_assoc[]){
					reg64(HV_X64_REGISTER_EFER, EFER_LME | EFER_SVME) }, 1);
	report(r1 == HV_STATUS_INVALID_REGISTER_VALUE, "root-set-efer-svme-refused",
	       "a child with EFER.SVME: result %lx", r1);
	r1 = get_regs(c->id, CHILD_MAX_VPS, names, 1, got);
	report(r1 == HV_STATUS_INVALID_VP_INDEX, "root-get-registers-bad-vp", "result %lx", r1);
}

/* ---- child A: its intercepts ---- */

static struct {
	bool cpuid, post, late;
	u64 late_pfn;		/* mapped at CHILD_LATE_GPA now */
} seen;

static bool complete(struct child *c, const struct hv_register_assoc *regs, u32 n)
{
	u64 r = set_regs(c->id, 0, regs, n);

	if (r != result_of(HV_STATUS_SUCCESS, n))
		hv_snprintf(c->why, sizeof(c->why), "SetVpRegisters completing an intercept: %lx",
			    r);
	return r == result_of(HV_STATUS_SUCCESS, n);
}

/* The header of a 64-bit VP 0 of this child at CPL 0; c->why shows it.
 * CS may have lost its accessed bit: the child's GDT reloads it clear. */
static bool long_mode_header(struct child *c, const struct hv_message *msg)
{
	const struct hv_x64_intercept_message_header *h = msg_header(msg);
	u16 want = HV_X64_VP_EXECUTION_STATE_CR0_PE | HV_X64_VP_EXECUTION_STATE_EFER_LMA;
	bool ok = msg->header.sender == c->id && h->vp_index == 0 &&
		  (h->execution_state & (want | HV_X64_VP_EXECUTION_STATE_CPL_MASK)) == want &&
		  h->cs_segment.selector == 0x08 && (h->cs_segment.attributes | 1) == 0xA09B;

	hv_snprintf(c->why, sizeof(c->why), "sender %lx vp %u state %x cs %x/%x",
		    msg->header.sender, h->vp_index, h->execution_state, h->cs_segment.selector,
		    h->cs_segment.attributes);
	return ok;
}

static bool handle_cpuid(struct child *c, const struct hv_message *msg)
{
	const struct hv_x64_cpuid_intercept_message *m = (const void *)msg->payload;
	const struct hv_register_assoc regs[] = {
		reg64(HV_X64_REGISTER_RAX, CHILD_CPUID_ANSWER), reg64(HV_X64_REGISTER_RBX, 0),
		reg64(HV_X64_REGISTER_RCX, 0), reg64(HV_X64_REGISTER_RDX, 0),
		reg64(HV_X64_REGISTER_RIP, m->header.rip + msg_insn_len(msg)),
	};
	bool hdr = long_mode_header(c, msg);

	report(!seen.cpuid && m->rax == CHILD_CPUID_LEAF && msg_insn_len(msg) == 2 && hdr,
	       "root-cpuid-intercept-message", "leaf %lx, length %u, %s", m->rax, msg_insn_len(msg),
	       seen.cpuid ? "second intercept after the answer" : c->why);
	seen.cpuid = true;
	return complete(c, regs, ARRAY_SIZE(regs));
}

/* The input block as the child wrote it, through our view of its page. */
static const struct hv_input_post_message *post_input(struct child *c, u64 gpa)
{
	if (gpa & 7 || gpa >= CHILD_RAM ||
	    (gpa & (PAGE_SIZE - 1)) + sizeof(struct hv_input_post_message) > PAGE_SIZE)
		return NULL;
	return child_ptr(c, gpa);
}

static bool handle_hypercall(struct child *c, const struct hv_message *msg)
{
	const struct hv_x64_hypercall_intercept_message *m = (const void *)msg->payload;
	const struct hv_input_post_message *in = post_input(c, m->rdx);
	const struct hv_register_assoc regs[] = {
		reg64(HV_X64_REGISTER_RAX, HV_STATUS_SUCCESS),
		reg64(HV_X64_REGISTER_RIP, m->header.rip + msg_insn_len(msg)),
	};
	bool hdr = long_mode_header(c, msg);

	report(!seen.post && (m->rcx & HV_HYPERCALL_CODE_MASK) == HVCALL_POST_MESSAGE && in &&
		       in->connection_id == CHILD_POST_CONNECTION &&
		       in->message_type == CHILD_POST_TYPE && in->payload_size == 8 &&
		       in->payload[0] == CHILD_POST_PAYLOAD && msg_insn_len(msg) == 3 && hdr,
	       "root-post-message-intercept", "control %lx input %lx (%s), length %u; %s", m->rcx,
	       m->rdx, in ? "contents" : "not in child RAM", msg_insn_len(msg), c->why);
	seen.post = true;
	return complete(c, regs, ARRAY_SIZE(regs));
}

/* Maps a page at the faulting GPA and lets the child retry the access. */
static bool handle_unmapped(struct child *c, const struct hv_message *msg)
{
	const struct hv_x64_memory_intercept_message *m = (const void *)msg->payload;
	u64 pfn = alloc_pfn(), r;
	bool hdr = long_mode_header(c, msg);

	report(!seen.late && m->guest_physical_address == CHILD_LATE_GPA &&
		       m->header.intercept_access_type == HV_INTERCEPT_ACCESS_READ && hdr,
	       "root-unmapped-gpa-message", "GPA %lx access %u; %s", m->guest_physical_address,
	       m->header.intercept_access_type,
	       seen.late ? "faulted again after the root mapped it" : c->why);
	if (seen.late || m->guest_physical_address != CHILD_LATE_GPA) {
		hv_snprintf(c->why, sizeof(c->why), "unexpected unmapped GPA %lx",
			    m->guest_physical_address);
		return false;
	}
	seen.late = true;
	seen.late_pfn = pfn;
	memset(pfn_ptr(pfn), 0, PAGE_SIZE);
	*(u64 *)pfn_ptr(pfn) = CHILD_LATE_MAGIC;
	r = map_pages(c->id, CHILD_LATE_GPA >> PAGE_SHIFT, &pfn, 1, RAM_FLAGS);
	report(r == result_of(HV_STATUS_SUCCESS, 1), "root-map-after-intercept", "result %lx", r);
	return r == result_of(HV_STATUS_SUCCESS, 1);
}

/* Runs child A, answering its intercepts, until it syncs with `until`
 * (returned), halts (0) or something else happens (-1, c->why). */
static int run_child_a(struct child *c, u32 until)
{
	for (;;) {
		int r = child_run(c, 0, &dout);
		bool ok;

		if (r < 0 || (r > 0 && (u32)r == until))
			return r;
		if (r > 0) {
			hv_snprintf(c->why, sizeof(c->why), "sync %d where %u was due", r, until);
			return -1;
		}
		if (dout.dispatch_event != HV_DISPATCH_EVENT_INTERCEPT) {
			hv_snprintf(c->why, sizeof(c->why), "dispatch: %s", describe(&dout));
			return -1;
		}
		switch (dout.message.header.message_type) {
		case HVMSG_X64_CPUID_INTERCEPT:
			ok = handle_cpuid(c, &dout.message);
			break;
		case HVMSG_HYPERCALL_INTERCEPT:
			ok = handle_hypercall(c, &dout.message);
			break;
		case HVMSG_UNMAPPED_GPA:
			ok = handle_unmapped(c, &dout.message);
			break;
		case HVMSG_X64_HALT:
			return 0;
		default:
			hv_snprintf(c->why, sizeof(c->why), "unexpected: %s", describe(&dout));
			ok = false;
		}
		if (!ok)
			return -1;
	}
}

static u64 install_intercept(u64 id, u32 type, u64 param)
{
	struct hv_input_install_intercept *in = (void *)in_page;

	*in = (struct hv_input_install_intercept){ .partition_id = id,
						   .access_type = HV_INTERCEPT_ACCESS_MASK_EXECUTE,
						   .intercept_type = type,
						   .intercept_parameter = param };
	return hv_call(HVCALL_INSTALL_INTERCEPT, (u64)in, 0);
}

static bool test_child_first_half(struct child *c)
{
	bool loaded = child_load(c);
	u64 r;
	int sync;

	report(loaded, "root-load-child", "%s", c->why);
	if (!loaded)
		return false;
	r = install_intercept(c->id, HV_INTERCEPT_TYPE_X64_CPUID, CHILD_CPUID_LEAF);
	report(r == HV_STATUS_SUCCESS, "root-install-cpuid-intercept", "result %lx", r);
	r = install_intercept(c->id, 0x77, 0);
	report(r == HV_STATUS_INVALID_PARAMETER, "root-install-unknown-intercept", "result %lx", r);

	sync = run_child_a(c, CHILD_SYNC_CHECKED);
	report(sync == CHILD_SYNC_CHECKED, "root-child-runs", "%s", c->why);
	if (!seen.cpuid)
		report(false, "root-cpuid-intercept-message",
		       "no HVMSG_X64_CPUID_INTERCEPT arrived");
	if (!seen.post)
		report(false, "root-post-message-intercept",
		       "no HVMSG_HYPERCALL_INTERCEPT for HvPostMessage (see child/post-message)");
	if (!seen.late)
		report(false, "root-unmapped-gpa-message", "no HVMSG_UNMAPPED_GPA arrived");
	return sync == CHILD_SYNC_CHECKED;
}

static void test_child_second_half(struct child *c)
{
	int r = run_child_a(c, 0);
	const struct hv_x64_intercept_message_header *h = msg_header(&dout.message);

	report(r == 0 && dout.dispatch_state == HV_DISPATCH_STATE_READY &&
		       !(h->rflags & X86_RFLAGS_IF),
	       "root-halt-intercept", "%s", r ? c->why : describe(&dout));
	report(c->summary && c->passed > 0 && c->sum_passed == c->passed &&
		       c->sum_failed == c->failed,
	       "root-child-suite-complete", "child summary %s %u passed, %u failed; relayed %u/%u",
	       c->summary ? "says" : "missing:", c->sum_passed, c->sum_failed, c->passed,
	       c->failed);
}

/* Swaps the page at CHILD_LATE_GPA while the child is paused. */
static void test_remap(struct child *c)
{
	u64 pfn = alloc_pfn(), r1 = ~0ULL, r2 = ~0ULL;

	*(u64 *)pfn_ptr(pfn) = CHILD_LATE_MAGIC2;
	if (seen.late) {
		r1 = unmap_pages(c->id, CHILD_LATE_GPA >> PAGE_SHIFT, 1);
		r2 = map_pages(c->id, CHILD_LATE_GPA >> PAGE_SHIFT, &pfn, 1, RAM_FLAGS);
	}
	report(r1 == result_of(0, 1) && r2 == result_of(0, 1), "root-remap-gpa",
	       "unmap %lx, map %lx", r1, r2);
	if (r2 == result_of(0, 1))
		seen.late_pfn = pfn;
}

/* ---- properties ---- */

static void test_properties(struct child *c)
{
	u64 val = 0, r1, r2;

	r1 = set_property(c->id, HV_PARTITION_PROPERTY_UNIMPLEMENTED_MSR_ACTION, 1);
	r2 = get_property(c->id, HV_PARTITION_PROPERTY_UNIMPLEMENTED_MSR_ACTION, &val);
	report(r1 == 0 && r2 == 0 && val == 1, "root-property-unimplemented-msr-action",
	       "set %lx, get %lx value %lx", r1, r2, val);
	r1 = set_property(c->id, HV_PARTITION_PROPERTY_UNIMPLEMENTED_MSR_ACTION, 2);
	report(r1 == HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE, "root-property-value-out-of-range",
	       "result %lx", r1);
	r1 = get_property(c->id, UNKNOWN_PROPERTY, &val);
	report(r1 == HV_STATUS_UNKNOWN_PROPERTY, "root-get-unknown-property", "result %lx", r1);
	r1 = set_property(c->id, UNKNOWN_PROPERTY, 0);
	report(r1 == HV_STATUS_UNKNOWN_PROPERTY, "root-set-unknown-property", "result %lx", r1);
	r1 = set_property(c->id, HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS, ~0ULL);
	report(r1 == HV_STATUS_ACCESS_DENIED, "root-set-privileges-refused", "result %lx", r1);
	r1 = get_property(HV_PARTITION_ID_SELF, HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS, &val);
	report(r1 == 0 && ((val >> 32) & (HV_CREATE_PARTITIONS | HV_ACCESS_MEMORY_POOL)) ==
				  (HV_CREATE_PARTITIONS | HV_ACCESS_MEMORY_POOL),
	       "root-get-own-privileges", "result %lx value %lx", r1, val);
	r1 = get_property(0x1234, HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS, &val);
	report(r1 == HV_STATUS_INVALID_PARTITION_ID, "root-property-unknown-partition",
	       "result %lx", r1);
}

/* ---- the spinning sibling and our local APIC timer ---- */

static void apic_write(u32 reg, u32 val)
{
	*(volatile u32 *)(APIC_MMIO + reg) = val;
}

static void timer_irq(void)
{
	timer_ticks++;
	apic_write(APIC_EOI, 0);
}

static void spurious_irq(void)
{
	spurious_ticks++;
}

static bool apic_setup(void)
{
	u64 base = 0;

	if (rdmsr_safe(0x1B, &base) >= 0 || !(base & BIT(11)) ||
	    (base & ~0xFFFULL) != APIC_MMIO) {
		report(false, "root-local-apic", "APIC base MSR %lx", base);
		return false;
	}
	guest_set_irq_handler(TIMER_VECTOR, timer_irq);
	guest_set_irq_handler(SPURIOUS_VECTOR, spurious_irq);
	apic_write(APIC_SVR, APIC_SVR_ENABLE | SPURIOUS_VECTOR);
	apic_write(APIC_TPR, 0);
	apic_write(APIC_TIMER_DIV, APIC_DIV_16);
	apic_write(APIC_LVT_TIMER, TIMER_VECTOR);	/* one-shot, unmasked */
	return true;
}

/* The timer fires while the child spins: DispatchVp must come back with
 * nothing to report, and the interrupt is then ours once we enable. */
static void preempt_once(struct child *c, const char *name)
{
	u32 before = timer_ticks;
	u64 r;
	bool back;

	apic_write(APIC_TIMER_INIT, TIMER_COUNT);
	r = dispatch(c->id, 0, &dout);
	back = timer_ticks == before;
	report(r == 0 && dout.dispatch_state == HV_DISPATCH_STATE_READY &&
		       dout.dispatch_event == HV_DISPATCH_EVENT_NONE && back,
	       name, "result %lx, %s, handler ran %s", r, describe(&dout),
	       back ? "after" : "before the dispatch returned");
	asm volatile("sti");
	for (u32 i = 0; i < 10000000 && timer_ticks == before; i++)
		asm volatile("pause");
	asm volatile("cli");
}

static void test_spin_child(struct child *c)
{
	int sync;

	if (!c->id || !child_map_ram(c) || !child_load(c)) {
		report(false, "root-timer-preempts-child", "the spinning child: %s", c->why);
		return;
	}
	sync = child_run(c, 0, &dout);
	if (sync != CHILD_SYNC_SPINNING) {
		report(false, "root-timer-preempts-child", "the spinning child: %s",
		       sync < 0 ? c->why : describe(&dout));
		return;
	}
	if (!apic_setup())
		return;
	/* If the interrupt does not end the dispatch, this is the last line. */
	guest_printf("timer armed, dispatching the spinning child\n");
	preempt_once(c, "root-timer-preempts-child");
	report(timer_ticks == 1, "root-timer-interrupt-delivered",
	       "handler ran %u times (spurious %u)", timer_ticks, spurious_ticks);
	preempt_once(c, "root-timer-preempts-child-again");
	report(timer_ticks == 2, "root-timer-interrupt-again", "handler ran %u times (spurious %u)",
	       timer_ticks, spurious_ticks);
}

/* ---- hostile siblings, a blocked VP ---- */

static void test_triple_child(struct child *c)
{
	int r;
	u64 st;

	if (!child_build(c)) {
		report(false, "root-triple-fault-ends-child", "%s", c->why);
		return;
	}
	r = child_run(c, 0, &dout);
	report(r == 0 && dout.dispatch_event == HV_DISPATCH_EVENT_INTERCEPT &&
		       dout.message.header.message_type == HVMSG_UNRECOVERABLE_EXCEPTION,
	       "root-triple-fault-ends-child", "%s", r < 0 ? c->why : describe(&dout));
	st = dispatch(c->id, 0, &dout);
	report(st == HV_STATUS_INVALID_VP_STATE, "root-dispatch-dead-vp", "result %lx", st);
}

static void test_blocked_vp(struct child *c)
{
	static const u8 code[] = { 0xFB, 0xF4, 0xEB, 0xFD };	/* sti; 1: hlt; jmp 1b */
	u64 r1, r2, r3 = ~0ULL;
	u32 state = 0;

	child_write(c, VP1_CODE_GPA, code, sizeof(code));
	r1 = create_vp(c->id, 1);
	r2 = child_long_mode(c, 1, VP1_CODE_GPA, VP1_STACK_GPA);
	for (int i = 0; i < 2 && !r1; i++) {
		r3 = dispatch(c->id, 1, &dout);
		state = dout.dispatch_state;
		if (r3 || state != HV_DISPATCH_STATE_BLOCKED)
			break;
	}
	report(r1 == 0 && r2 == result_of(0, BOOT_REGS) && r3 == 0 &&
		       state == HV_DISPATCH_STATE_BLOCKED,
	       "root-hlt-with-interrupts-blocks", "create %lx set %lx dispatch %lx: %s", r1, r2,
	       r3, describe(&dout));
	r1 = hv_call(HVCALL_DELETE_VP | HV_HYPERCALL_FAST_BIT, c->id, 1);
	report(r1 == HV_STATUS_SUCCESS, "root-delete-vp", "result %lx", r1);
	r1 = hv_call(HVCALL_DELETE_VP | HV_HYPERCALL_FAST_BIT, c->id, 1);
	report(r1 == HV_STATUS_INVALID_VP_INDEX, "root-delete-vp-twice", "result %lx", r1);
}

/* ---- teardown ---- */

static bool delete_and_check(struct child *c, const char *name)
{
	char why[128] = "";
	u64 r = partition_call(HVCALL_DELETE_PARTITION, c->id);
	bool ok;

	if (r) {
		report(false, name, "DeletePartition %lx: %lx", c->id, r);
		return false;
	}
	guest_printf("touching the %u pages partition %lu had deposited\n", c->npool, c->id);
	ok = pages_returned(c->pool, c->npool, why, sizeof(why));
	report(ok, name, "partition %lu: %s", c->id, why);
	return ok;
}

static void test_teardown(struct child *c)
{
	u64 r, val;

	r = partition_call(HVCALL_FINALIZE_PARTITION, c->id);
	report(r == HV_STATUS_SUCCESS, "root-finalize-partition", "result %lx", r);
	r = partition_call(HVCALL_FINALIZE_PARTITION, c->id);
	report(r == HV_STATUS_INVALID_PARTITION_STATE, "root-finalize-twice", "result %lx", r);
	r = dispatch(c->id, 0, &dout);
	report(r == HV_STATUS_INVALID_PARTITION_STATE, "root-dispatch-after-finalize",
	       "result %lx", r);
	r = deposit_one(c->id, alloc_pfn());
	report(r == HV_STATUS_INVALID_PARTITION_STATE, "root-deposit-after-finalize",
	       "result %lx", r);
	delete_and_check(c, "root-delete-returns-pool-zeroed");
	r = partition_call(HVCALL_DELETE_PARTITION, c->id);
	report(r == HV_STATUS_INVALID_PARTITION_ID, "root-delete-twice", "result %lx", r);
	r = get_property(c->id, HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS, &val);
	report(r == HV_STATUS_INVALID_PARTITION_ID, "root-property-of-deleted", "result %lx", r);
	r = dispatch(c->id, 0, &dout);
	report(r == HV_STATUS_INVALID_PARTITION_ID, "root-dispatch-deleted", "result %lx", r);
}

/* After the delete no child maps A's RAM: it may be deposited again. */
static void test_mappings_dropped(struct child *a)
{
	u64 id, r = create_partition(&id);
	u64 pfns[2] = { a->ram[0], seen.late_pfn };

	if (!r)
		r = deposit_list(id, pfns, seen.late_pfn ? 2 : 1);
	report(r == result_of(HV_STATUS_SUCCESS, seen.late_pfn ? 2 : 1),
	       "root-delete-drops-mappings", "depositing pages %lx and %lx the child mapped: %lx",
	       pfns[0], pfns[1], r);
	if (id)
		partition_call(HVCALL_DELETE_PARTITION, id);
}

static bool same_set(const u64 *a, const u64 *b, u32 n)
{
	for (u32 i = 0; i < n; i++) {
		u32 j = 0;

		while (j < n && b[j] != a[i])
			j++;
		if (j == n)
			return false;
	}
	return true;
}

static void test_withdraw(void)
{
	struct hv_input_withdraw_memory *in = (void *)in_page;
	u64 pfns[8], out[8], id, r1, r2 = ~0ULL, r3 = ~0ULL;
	char why[128] = "";
	u32 calls;
	bool same;

	for (u32 i = 0; i < ARRAY_SIZE(pfns); i++)
		pfns[i] = alloc_pfn();
	r1 = create_partition(&id);
	if (!r1) {
		r2 = deposit_list(id, pfns, 8);
		*in = (struct hv_input_withdraw_memory){ .partition_id = id };
		r3 = hv_rep_loop(HVCALL_WITHDRAW_MEMORY, 8, 0, in, out_page, &calls);
	}
	memcpy(out, out_page, sizeof(out));
	same = r3 == result_of(0, 8) && same_set(pfns, out, 8);
	report(r2 == result_of(0, 8) && same, "root-withdraw-memory",
	       "create %lx, deposit %lx, withdraw %lx; first PFN %lx came back as %lx", r1, r2,
	       r3, pfns[0], out[0]);
	report(same && pages_returned(out, 8, why, sizeof(why)), "root-withdrawn-pages-zeroed",
	       "%s", same ? why : "the withdraw failed");
	if (r1)
		return;
	r3 = hv_rep_loop(HVCALL_WITHDRAW_MEMORY, 1, 0, in, out_page, &calls);
	report(r3 == HV_STATUS_NO_RESOURCES, "root-withdraw-empty-pool", "result %lx", r3);
	partition_call(HVCALL_DELETE_PARTITION, id);
}

static void test_partition_limit(void)
{
	u64 ids[64], r = 0, id;
	u32 n = 0, bad = 0;

	while (n < ARRAY_SIZE(ids) && !(r = create_partition(&ids[n])))
		n++;
	report(n > 0 && r == HV_STATUS_NO_RESOURCES, "root-create-until-no-resources",
	       "%u created, then %lx", n, r);
	for (u32 i = 0; i < n; i++)
		bad += partition_call(HVCALL_DELETE_PARTITION, ids[i]) != HV_STATUS_SUCCESS;
	report(!bad, "root-delete-all-partitions", "%u of %u deletes failed", bad, n);
	r = create_partition(&id);
	report(r == HV_STATUS_SUCCESS, "root-create-after-delete-all", "result %lx", r);
	if (!r)
		partition_call(HVCALL_DELETE_PARTITION, id);
}

/* ---- the synic child: SynIC, synthetic timers, virtual APIC, two VPs ---- */

#define REF_PER_S		10000000ULL	/* reference time: 100 ns units */
#define MAX_DEADLINE_WAITS	64
#define NO_SUCH_APIC_ID		7
#define STIMER_EARLY_PROBE	5000		/* 0.5 ms before the deadline */

static struct child_mailbox *mailbox(struct child *c)
{
	return child_ptr(c, CHILD_MAILBOX_GPA);
}

static u64 assert_interrupt(u64 id, u32 type, u64 dest, u32 vector)
{
	struct hv_input_assert_virtual_interrupt *in = (void *)in_page;

	*in = (struct hv_input_assert_virtual_interrupt){ .partition_id = id,
							  .interrupt_type = type,
							  .dest_addr = dest,
							  .vector = vector };
	return hv_call(HVCALL_ASSERT_VIRTUAL_INTERRUPT, (u64)in, 0);
}

/* HvCallPostMessageDirect of a CHILD_MSG_TYPE-style message: 16 bytes,
 * CHILD_MSG_MAGIC | number and its complement (size: what the header says). */
static u64 post_direct_sized(u64 id, u32 vp, u32 sint, u32 type, u64 number, u8 size)
{
	struct hv_input_post_message_direct *in = (void *)in_page;
	struct hv_message msg = { .header = { .message_type = type, .payload_size = size } };

	msg.payload[0] = CHILD_MSG_MAGIC | number;
	msg.payload[1] = ~(CHILD_MSG_MAGIC | number);
	memset(in, 0, sizeof(*in));
	in->partition_id = id;
	in->vp_index = vp;
	in->sint_index = sint;
	memcpy(in->message, &msg, sizeof(msg));
	return hv_call(HVCALL_POST_MESSAGE_DIRECT, (u64)in, 0);
}

static u64 post_direct(u64 id, u32 vp, u32 sint, u32 type, u64 number)
{
	return post_direct_sized(id, vp, sint, type, number, 16);
}

/* HvCallSignalEventDirect; *newly is 0xCC if the output was not written. */
static u64 signal_direct(u64 id, u32 vp, u8 sint, u16 flag, u8 *newly)
{
	struct hv_input_signal_event_direct *in = (void *)in_page;
	u64 r;

	*in = (struct hv_input_signal_event_direct){ .target_partition = id, .target_vp = vp,
						     .target_sint = sint, .flag_number = flag };
	memset(out_page, 0xCC, sizeof(struct hv_output_signal_event_direct));
	r = hv_call(HVCALL_SIGNAL_EVENT_DIRECT, (u64)in, (u64)out_page);
	*newly = ((struct hv_output_signal_event_direct *)out_page)->newly_signaled;
	return r;
}

static u64 reference_time(struct child *c, u64 *now)
{
	return get_property(c->id, HV_PARTITION_PROPERTY_REFERENCE_TIME, now);
}

/* Spins until the child's reference time reaches t (at most a second on). */
static bool wait_reftime(struct child *c, u64 t)
{
	u64 now = 0, first = 0, r;

	for (;;) {
		r = reference_time(c, &now);
		if (r) {
			hv_snprintf(c->why, sizeof(c->why),
				    "GetPartitionProperty REFERENCE_TIME: %lx", r);
			return false;
		}
		if (now >= t)
			return true;
		if (!first)
			first = now;
		if (t - first > REF_PER_S) {
			hv_snprintf(c->why, sizeof(c->why),
				    "timer deadline %lu is over a second after now (%lu)", t,
				    first);
			return false;
		}
		asm volatile("pause");
	}
}

/* child_run that also sees a halted VP through its timer deadlines: it
 * waits for each and dispatches again. 0: an intercept other than port
 * I/O, or BLOCKED with no deadline (in dout). */
static int child_run_timed(struct child *c, u32 vp)
{
	for (u32 i = 0; i < MAX_DEADLINE_WAITS; i++) {
		int r = child_run(c, vp, &dout);

		if (r || dout.dispatch_state != HV_DISPATCH_STATE_BLOCKED ||
		    !dout.next_timer_deadline)
			return r;
		if (!wait_reftime(c, dout.next_timer_deadline))
			return -1;
	}
	hv_snprintf(c->why, sizeof(c->why), "still halted after %u timer deadlines (last %lu)",
		    MAX_DEADLINE_WAITS, dout.next_timer_deadline);
	return -1;
}

/* What child_run's answer r was, for a failure reason. */
static const char *outcome(struct child *c, int r)
{
	static char buf[40];

	if (r < 0)
		return c->why;
	if (!r)
		return describe(&dout);
	hv_snprintf(buf, sizeof(buf), "it ran on to sync %x", r);
	return buf;
}

/* Runs the VP until it syncs; anything but `want` fails check `name`. */
static bool expect_sync(struct child *c, u32 vp, u32 want, const char *name)
{
	int r = child_run_timed(c, vp);

	if (r == (int)want)
		return true;
	report(false, name, "VP %u, waiting for sync %x: %s", vp, want, outcome(c, r));
	return false;
}

static bool is_blocked(int r, const struct hv_output_dispatch_vp *o)
{
	return r == 0 && o->dispatch_state == HV_DISPATCH_STATE_BLOCKED &&
	       o->dispatch_event == HV_DISPATCH_EVENT_NONE;
}

/* The child's WRMSR to HV_X64_MSR_RESET comes to us; RIP past it. */
static bool synic_reset(struct child *c)
{
	int r = child_run_timed(c, 0);
	const struct hv_x64_msr_intercept_message *m = (const void *)dout.message.payload;
	bool msr = r == 0 && dout.dispatch_event == HV_DISPATCH_EVENT_INTERCEPT &&
		   dout.message.header.message_type == HVMSG_X64_MSR_INTERCEPT;
	bool ok = msr && m->msr_number == HV_X64_MSR_RESET &&
		  m->header.intercept_access_type == HV_INTERCEPT_ACCESS_WRITE &&
		  (u32)m->rax == 1 && !(u32)m->rdx && msg_insn_len(&dout.message) == 2 &&
		  m->header.vp_index == 0;
	struct hv_register_assoc rip;

	report(ok, "root-reset-msr-intercept", "%s: msr %x access %u edx:eax %lx:%lx length %u",
	       outcome(c, r), msr ? m->msr_number : 0,
	       msr ? m->header.intercept_access_type : 0, msr ? m->rdx : 0, msr ? m->rax : 0,
	       msg_insn_len(&dout.message));
	if (!ok)
		return false;
	rip = reg64(HV_X64_REGISTER_RIP, m->header.rip + msg_insn_len(&dout.message));
	return complete(c, &rip, 1);
}

/* VP 1 from the child's mailbox; it halts; the root interrupts it. */
static bool synic_start_vp1(struct child *c)
{
	const struct child_mailbox *mb = mailbox(c);
	u64 r;
	int s;

	if (!expect_sync(c, 0, CHILD_SYNC_AP_START, "root-vp1-halt-blocks"))
		return false;
	r = child_long_mode(c, 1, mb->ap_entry, mb->ap_stack);
	s = r == result_of(0, BOOT_REGS) ? child_run(c, 1, &dout) : -1;
	report(is_blocked(s, &dout) && !dout.next_timer_deadline, "root-vp1-halt-blocks",
	       "entry %lx stack %lx: SetVpRegisters %lx, then %s (want BLOCKED, no deadline)",
	       mb->ap_entry, mb->ap_stack, r, outcome(c, s));
	if (!is_blocked(s, &dout))
		return false;

	r = assert_interrupt(c->id, HV_X64_INTERRUPT_TYPE_FIXED, 1, CHILD_ASSERT_VECTOR);
	s = r ? -1 : child_run(c, 1, &dout);
	report(s == (CHILD_SYNC_AP_IRQ | CHILD_ASSERT_VECTOR), "root-assert-interrupt-vp1",
	       "AssertVirtualInterrupt %lx; VP 1 then: %s", r, outcome(c, s));
	s = child_run(c, 1, &dout);
	report(is_blocked(s, &dout), "root-vp1-halts-again", "%s", outcome(c, s));
	r = assert_interrupt(c->id, HV_X64_INTERRUPT_TYPE_FIXED, NO_SUCH_APIC_ID,
			     CHILD_ASSERT_VECTOR);
	report(r == HV_STATUS_INVALID_VP_INDEX, "root-assert-interrupt-no-such-apic",
	       "APIC id %u: result %lx", NO_SUCH_APIC_ID, r);
	r = assert_interrupt(c->id, HV_X64_INTERRUPT_TYPE_FIXED, 1, 5);
	report(r == HV_STATUS_INVALID_PARAMETER, "root-assert-interrupt-vector-5", "result %lx", r);
	return true;
}

static bool synic_ipi(struct child *c)
{
	int s;

	if (!expect_sync(c, 0, CHILD_SYNC_IPI_SENT, "root-ipi-vp0-to-vp1"))
		return false;
	s = child_run(c, 1, &dout);
	report(s == (CHILD_SYNC_AP_IRQ | CHILD_IPI_VECTOR), "root-ipi-vp0-to-vp1",
	       "VP 1 after VP 0's IPI: %s", outcome(c, s));
	return true;
}

static bool synic_post(struct child *c)
{
	u64 r1, r2, r3, r;

	if (!expect_sync(c, 0, CHILD_SYNC_POST, "root-post-message-direct"))
		return false;
	r = post_direct(c->id, 1, CHILD_SINT_MSG, CHILD_MSG_TYPE, 0);
	report(r == HV_STATUS_INVALID_SYNIC_STATE, "root-post-simp-disabled",
	       "to VP 1, whose SynIC is off: result %lx", r);
	r = post_direct(c->id, 0, HV_SYNIC_SINT_COUNT, CHILD_MSG_TYPE, 0);
	report(r == HV_STATUS_INVALID_PARAMETER, "root-post-sint-16", "result %lx", r);
	r = post_direct_sized(c->id, 0, CHILD_SINT_MSG, CHILD_MSG_TYPE, 0,
			      HV_MESSAGE_PAYLOAD_BYTES + 1);
	report(r == HV_STATUS_INVALID_PARAMETER, "root-post-payload-241", "result %lx", r);
	r = post_direct(c->id, 0, CHILD_SINT_MSG, HVMSG_TIMER_EXPIRED, 0);
	report(r == HV_STATUS_INVALID_PARAMETER, "root-post-hypervisor-type",
	       "type %x: result %lx", HVMSG_TIMER_EXPIRED, r);
	/* Two in a row: the second waits behind the first. */
	r1 = post_direct(c->id, 0, CHILD_SINT_MSG, CHILD_MSG_TYPE, 1);
	r2 = post_direct(c->id, 0, CHILD_SINT_MSG, CHILD_MSG_TYPE, 2);
	r3 = post_direct(c->id, 0, CHILD_SINT_AUTO_EOI, CHILD_MSG_TYPE, 3);
	report(!r1 && !r2 && !r3, "root-post-message-direct",
	       "SINT 2 twice: %lx, %lx; the AutoEOI SINT 4: %lx", r1, r2, r3);
	r = post_direct(c->id, 0, CHILD_SINT_MASKED, CHILD_MSG_TYPE, 4);
	report(r == HV_STATUS_SUCCESS, "root-post-masked-sint",
	       "masked SINT 5 (synic.c: the message lands, the interrupt is lost): %lx", r);
	return true;
}

static bool synic_fill_queue(struct child *c)
{
	u64 r = 0;
	u32 n;

	if (!expect_sync(c, 0, CHILD_SYNC_FILL_QUEUE, "root-post-queue-full"))
		return false;
	for (n = 0; n < 2 * SYNIC_QUEUE_LEN; n++)
		if ((r = post_direct(c->id, 0, CHILD_SINT_QUEUE, CHILD_MSG_TYPE, n)))
			break;
	report(n == SYNIC_QUEUE_LEN + 1 && r == HV_STATUS_INSUFFICIENT_BUFFERS,
	       "root-post-queue-full", "%u accepted (want the slot and %u queued), then %lx", n,
	       SYNIC_QUEUE_LEN, r);
	return true;
}

static bool synic_signal(struct child *c)
{
	u8 n1 = 0, n2 = 0, n3;
	u64 r1, r2, r;

	if (!expect_sync(c, 0, CHILD_SYNC_SIGNAL, "root-signal-event-direct"))
		return false;
	r1 = signal_direct(c->id, 0, CHILD_SINT_MSG, CHILD_EVENT_FLAG, &n1);
	r2 = signal_direct(c->id, 0, CHILD_SINT_MSG, CHILD_EVENT_FLAG, &n2);
	report(!r1 && n1 == 1, "root-signal-event-direct", "result %lx, newly_signaled %u", r1, n1);
	report(!r2 && n2 == 0, "root-signal-event-again",
	       "before the child cleared it: result %lx, newly_signaled %u", r2, n2);
	r = signal_direct(c->id, 0, CHILD_SINT_MSG, HV_EVENT_FLAGS_BYTES * 8, &n3);
	report(r == HV_STATUS_INVALID_PARAMETER, "root-signal-flag-2048", "result %lx", r);
	r = signal_direct(c->id, 0, CHILD_SINT_MASKED, CHILD_EVENT_FLAG, &n3);
	report(r == HV_STATUS_INVALID_SYNIC_STATE, "root-signal-masked-sint",
	       "masked SINT 5: result %lx", r);
	return true;
}

/* STIMER0, direct mode: the halted VP reports its deadline, stays blocked
 * before it, and its handler runs once we dispatch after it. */
static bool synic_stimer(struct child *c)
{
	const volatile struct child_mailbox *mb = mailbox(c);
	u64 count;
	bool early;
	int s;

	if (!expect_sync(c, 0, CHILD_SYNC_STIMER, "root-stimer-deadline"))
		return false;
	count = mb->stimer_count;
	s = child_run(c, 0, &dout);
	report(is_blocked(s, &dout) && dout.next_timer_deadline == count, "root-stimer-deadline",
	       "%s, next_timer_deadline %lu, COUNT %lu", outcome(c, s),
	       dout.next_timer_deadline, count);
	if (!is_blocked(s, &dout))
		return false;
	/* Dispatched just before the deadline it stays blocked; if the host
	 * was slow and the deadline passed meanwhile, the handler may run, but
	 * never before COUNT. */
	s = wait_reftime(c, count - STIMER_EARLY_PROBE) ? child_run(c, 0, &dout) : -1;
	early = s == CHILD_SYNC_STIMER_DONE;
	report((is_blocked(s, &dout) && !mb->stimer_fired) || (early && mb->stimer_fired >= count),
	       "root-stimer-not-early", "dispatched 0.5 ms before %lu: %s; handler ran at %lu",
	       count, outcome(c, s), mb->stimer_fired);
	if (!early && !wait_reftime(c, count)) {
		report(false, "root-stimer-fires", "%s", c->why);
		return false;
	}
	if (!early && !expect_sync(c, 0, CHILD_SYNC_STIMER_DONE, "root-stimer-fires"))
		return false;
	report(mb->stimer_fired >= count, "root-stimer-fires", "handler at %lu, COUNT %lu",
	       mb->stimer_fired, count);
	return true;
}

/* GUEST_IDLE read with IF = 0: blocked, not a halt intercept, until an
 * interrupt is pending. */
static bool synic_idle(struct child *c)
{
	int s1, s2;
	u64 r;

	if (!expect_sync(c, 0, CHILD_SYNC_IDLE, "root-guest-idle-blocks"))
		return false;
	s1 = child_run(c, 0, &dout);
	report(is_blocked(s1, &dout) && !dout.next_timer_deadline, "root-guest-idle-blocks",
	       "%s (want BLOCKED, no deadline, not a halt intercept)",
	       outcome(c, s1));
	if (!is_blocked(s1, &dout))
		return false;
	s2 = child_run(c, 0, &dout);
	report(is_blocked(s2, &dout), "root-guest-idle-stays-blocked", "%s",
	       outcome(c, s2));
	r = assert_interrupt(c->id, HV_X64_INTERRUPT_TYPE_FIXED, 0, CHILD_IDLE_VECTOR);
	if (r) {
		report(false, "root-guest-idle-wakes", "AssertVirtualInterrupt to VP 0: %lx", r);
		return false;
	}
	if (!expect_sync(c, 0, CHILD_SYNC_IDLE_DONE, "root-guest-idle-wakes"))
		return false;
	report(true, "root-guest-idle-wakes", "woke");
	return true;
}

static bool synic_done(struct child *c)
{
	if (!expect_sync(c, 0, CHILD_SYNC_DONE, "root-synic-child-suite-complete"))
		return false;
	report(c->summary && c->passed > 0 && c->sum_passed == c->passed &&
		       c->sum_failed == c->failed,
	       "root-synic-child-suite-complete",
	       "child summary %s %u passed, %u failed; relayed %u/%u",
	       c->summary ? "says" : "missing:", c->sum_passed, c->sum_failed, c->passed,
	       c->failed);
	return true;
}

/* Deleted while its VPs can still run (not finalized): the pool comes back
 * zeroed and the hypervisor heap is as it was before the child. */
static void delete_running_child(struct child *c, u64 free_before)
{
	char why[128] = "";
	u64 r1, r2, r3, free_after = 0;
	bool back;

	/* Mid-run state to free: a message in SINT 6's slot and one queued. */
	r1 = post_direct(c->id, 0, CHILD_SINT_QUEUE, CHILD_MSG_TYPE, 0);
	r1 |= post_direct(c->id, 0, CHILD_SINT_QUEUE, CHILD_MSG_TYPE, 1);
	r2 = partition_call(HVCALL_DELETE_PARTITION, c->id);
	back = !r2 && pages_returned(c->pool, c->npool, why, sizeof(why));
	report(back, "root-delete-running-child", "posts %lx, DeletePartition %lx; %s", r1, r2,
	       why);
	r3 = get_property(HV_PARTITION_ID_SELF, SEPTUM_PARTITION_PROPERTY_HV_FREE_PAGES,
			  &free_after);
	report(!r3 && free_after == free_before, "root-delete-frees-hv-pages",
	       "hypervisor heap: %lu pages free before the child, %lu after its delete (%lx)",
	       free_before, free_after, r3);
}

static void test_synic_child(struct child *c)
{
	u64 free_before = 0, hz = 0, r;
	bool ok;

	r = get_property(HV_PARTITION_ID_SELF, SEPTUM_PARTITION_PROPERTY_HV_FREE_PAGES,
			 &free_before);
	report(!r && free_before, "root-hv-free-pages", "result %lx, %lu pages", r, free_before);
	ok = child_build(c);
	r = ok ? create_vp(c->id, 1) : 0;
	report(ok && !r && rdmsr_safe(HV_X64_MSR_TSC_FREQUENCY, &hz) < 0,
	       "root-synic-child-build", "%s; CreateVp 1: %lx; our TSC_FREQUENCY %lu", c->why, r,
	       hz);
	if (!ok) {
		if (c->id)
			partition_call(HVCALL_DELETE_PARTITION, c->id);
		return;
	}
	mailbox(c)->root_tsc_hz = hz;
	ok = !r && synic_reset(c) && synic_start_vp1(c) && synic_ipi(c) && synic_post(c) &&
	     synic_fill_queue(c) && synic_signal(c) && synic_stimer(c) && synic_idle(c) &&
	     synic_done(c);
	if (!ok)
		report(false, "root-synic-remaining-steps", "not run: the step above failed");
	delete_running_child(c, free_before);
}

/* ---- the run ---- */

/* False when a step the rest needs failed (it was reported). */
static bool tests_with_children(void)
{
	struct child *a = &child_a;

	child_a.mode = "";
	child_spin.mode = "spin";
	child_triple.mode = "triple";
	child_synic.mode = "synic";
	if (!test_partition_setup(a))
		return false;
	test_hostile_deposits(a);
	test_control_word();
	test_bad_output_no_side_effect();
	if (!test_map_ram(a) || !test_create_vps(a))
		return false;
	test_vp_registers(a);
	test_create_vp_memory(&child_spin);
	if (!test_child_first_half(a))
		return false;
	test_properties(a);
	test_remap(a);
	test_spin_child(&child_spin);
	test_triple_child(&child_triple);
	test_blocked_vp(a);
	test_child_second_half(a);

	test_teardown(a);
	if (child_spin.id)
		delete_and_check(&child_spin, "root-delete-spinning-child");
	if (child_triple.id)
		delete_and_check(&child_triple, "root-delete-dead-child");
	test_mappings_dropped(a);
	test_withdraw();
	test_partition_limit();
	test_synic_child(&child_synic);
	return true;
}

static __noreturn void root_exit(u32 status)
{
	outl(QEMU_EXIT_PORT, status);
	halt_forever();
}

static void fatal(void)
{
	report_summary();
	root_exit(1);
}

int main(void)
{
	info = (const void *)guest_boot_rdx;
	guest_fatal_hook = fatal;
	/* Only our local APIC timer may interrupt us: mask both 8259s. */
	outb(0x21, 0xFF);
	outb(0xA1, 0xFF);
	test_cpuid();
	if (!test_hypercall_page() || !test_free_ram() || !tests_with_children())
		report(false, "root-remaining-tests", "not run: a step they need failed above");
	report_summary();
	root_exit(0);
}
