/*
 * Boot: parse what the loader gave us, reserve the hypervisor's memory,
 * take over paging and the CPU, check for virtualization support, then run
 * the partitions the modules describe.
 */
#include "arch.h"
#include "bootinfo.h"
#include "bzimage.h"
#include "frames.h"
#include "lib.h"
#include "log.h"
#include "mm.h"
#include "partition.h"
#include "smp.h"
#include "testguest.h"
#include "time.h"
#include "x86.h"

#define DEFAULT_HV_MEM		(64ULL << 20)
#define MIN_HV_MEM		(8ULL << 20)
#define DEFAULT_GUEST_MEM	(4ULL << 20)
#define LOW_4G			(4ULL << 30)
#define QEMU_EXIT_PORT		0xF4

extern u8 _image_start[], _end[];
void uart_init(void);
void cpu_init(void);

static struct boot_info bi;
static struct {
	u64 hv_mem;
	u64 guest_mem;
	bool qemu_exit;
} config = { DEFAULT_HV_MEM, DEFAULT_GUEST_MEM, false };

void platform_halt(int status)
{
	/* QEMU's isa-debug-exit turns this into exit code (status << 1) | 1. */
	if (config.qemu_exit)
		outl(QEMU_EXIT_PORT, status);
	halt_forever();
}

static __noreturn void fatal(const char *why)
{
	pr_err("fatal: %s", why);
	platform_halt(2);
}

static const void *read_phys(u64 pa, u64 len, void *ctx)
{
	(void)ctx;
	/* Only the boot page tables' 4 GiB identity map exists yet. */
	if (pa >= LOW_4G || len > LOW_4G - pa)
		return NULL;
	return phys_to_virt(pa);
}

static bool has_char(const char *s, size_t len, char c)
{
	while (len--)
		if (*s++ == c)
			return true;
	return false;
}

static bool option(const char *tok, size_t len, const char *key, const char **val, size_t *vlen)
{
	size_t klen = strlen(key);

	if (len <= klen || strncmp(tok, key, klen) || tok[klen] != '=')
		return false;
	*val = tok + klen + 1;
	*vlen = len - klen - 1;
	return true;
}

/* Options: mem=SIZE (hypervisor heap), guest_mem=SIZE (each test guest),
 * loglevel=err|warn|info|debug, exit=qemu (leave QEMU when done),
 * tsc=invariant (the operator vouches for a constant-rate TSC the CPU does
 * not report, e.g. QEMU's). Words without '=' (QEMU puts the image path
 * first) are ignored. */
static void parse_cmdline(const char *s)
{
	static const char *const levels[] = { "err", "warn", "info", "debug" };

	while (*s) {
		size_t len = 0, vlen;
		const char *val;

		while (*s == ' ')
			s++;
		while (s[len] && s[len] != ' ')
			len++;
		if (!len)
			break;
		if (option(s, len, "mem", &val, &vlen)) {
			if (parse_size(val, vlen, &config.hv_mem) || config.hv_mem < MIN_HV_MEM)
				fatal("mem= needs a size of at least 8M, e.g. mem=64M");
			config.hv_mem = ALIGN_UP(config.hv_mem, PAGE_SIZE_2M);
		} else if (option(s, len, "guest_mem", &val, &vlen)) {
			if (parse_size(val, vlen, &config.guest_mem) ||
			    config.guest_mem < (2ULL << 20) || config.guest_mem > LOW_4G ||
			    !IS_ALIGNED(config.guest_mem, PAGE_SIZE_2M))
				fatal("guest_mem= needs a multiple of 2M between 2M and 4G");
		} else if (option(s, len, "loglevel", &val, &vlen)) {
			size_t i = 0;

			while (i < ARRAY_SIZE(levels) &&
			       (strlen(levels[i]) != vlen || strncmp(val, levels[i], vlen)))
				i++;
			if (i == ARRAY_SIZE(levels))
				fatal("loglevel= takes err, warn, info or debug");
			log_level = i;
		} else if (option(s, len, "tsc", &val, &vlen)) {
			if (vlen != 9 || strncmp(val, "invariant", 9))
				fatal("tsc= takes only 'invariant'");
			tsc_invariant = true;
		} else if (option(s, len, "exit", &val, &vlen)) {
			config.qemu_exit = vlen == 4 && !strncmp(val, "qemu", 4);
		} else if (has_char(s, len, '=')) {
			pr_warn("ignoring unknown option '%.*s'", (int)len, s);
		}
		s += len;
	}
}

static bool overlaps(u64 a, u64 alen, u64 b, u64 blen)
{
	return a < b + blen && b < a + alen;
}

/* The highest 2 MiB-aligned block of RAM below 4 GiB clear of the image
 * and the modules: the boot page tables reach only that far. */
static u64 reserve_hv_memory(u64 size)
{
	u64 image = (u64)_image_start, image_len = (u64)_end - image;

	for (int i = bi.nmem - 1; i >= 0; i--) {
		const struct mem_range *r = &bi.mem[i];
		u64 top = ALIGN_DOWN(MIN(r->base + r->size, LOW_4G), PAGE_SIZE_2M);

		if (r->type != MEM_RAM)
			continue;
		while (top >= r->base + size && top - size >= (1ULL << 20)) {
			u64 base = top - size, clash = 0;

			if (overlaps(base, size, image, image_len))
				clash = image;
			for (u32 m = 0; m < bi.nmods && !clash; m++)
				if (overlaps(base, size, bi.mods[m].start,
					     bi.mods[m].end - bi.mods[m].start))
					clash = bi.mods[m].start;
			if (!clash)
				return base;
			top = ALIGN_DOWN(clash, PAGE_SIZE_2M);
		}
	}
	return 0;
}

static void setup_memory(void)
{
	u64 base = reserve_hv_memory(config.hv_mem), top = LOW_4G;
	u64 npages = config.hv_mem >> PAGE_SHIFT;
	u64 bitmap_pages = PAGE_ALLOC_BITMAP_BYTES(npages) / PAGE_SIZE + 1;

	if (!base)
		panic("cannot reserve %lu MiB for the hypervisor below 4 GiB; try a smaller mem=",
		      config.hv_mem >> 20);
	page_alloc_init(&hv_pages, base, npages, phys_to_virt(base));
	page_alloc_reserve(&hv_pages, base, bitmap_pages);
	for (u32 i = 0; i < bi.nmem; i++)
		top = MAX(top, bi.mem[i].base + bi.mem[i].size);
	hvpt_init(top);

	/* Every RAM frame is the root's but the hypervisor's own. */
	top = 0;
	for (u32 i = 0; i < bi.nmem; i++)
		if (bi.mem[i].type == MEM_RAM)
			top = MAX(top, bi.mem[i].base + bi.mem[i].size);
	if (frames_init(ALIGN_UP(top, PAGE_SIZE)))
		panic("no memory for the frame table");
	for (u32 i = 0; i < bi.nmem; i++)
		if (bi.mem[i].type == MEM_RAM)
			frames_set(ALIGN_UP(bi.mem[i].base, PAGE_SIZE),
				   ALIGN_DOWN(bi.mem[i].base + bi.mem[i].size, PAGE_SIZE) -
					   ALIGN_UP(bi.mem[i].base, PAGE_SIZE),
				   FRAME_ROOT);
	frames_set(base, config.hv_mem, FRAME_HV);
	frames_set((u64)_image_start, ALIGN_UP((u64)_end, PAGE_SIZE) - (u64)_image_start, FRAME_HV);
	pr_info("memory: %lu MiB at [%lx, %lx), %lu pages free", config.hv_mem >> 20, base,
		base + config.hv_mem, hv_pages.nfree);
}

/* A first module that is a Linux kernel, or has the argument "root", runs
 * as the root partition. */
static bool wants_root(const struct boot_module *mod)
{
	const char *s = mod->cmdline;

	if (bzimage_probe(phys_to_virt(mod->start), mod->end - mod->start))
		return true;
	for (; *s; s++)
		if (s[0] == ' ' && !strncmp(s + 1, "root", 4) && (s[5] == ' ' || !s[5]))
			return true;
	return false;
}

static void run_root(u32 parked)
{
	struct partition *root = root_create(&bi, parked);

	pr_info("the root takes COM1; this log continues on COM2 if present, and in the ring");
	if (console_handover())
		pr_info("log continued from COM1");

	partition_run(root);
	pr_info("root partition ended");
}

static void run_test_guests(void)
{
	for (u32 i = 0; i < bi.nmods; i++) {
		u64 free_before = hv_pages.nfree;
		struct partition *p = testguest_create(&bi.mods[i], config.guest_mem);
		u64 id;

		if (!p)
			continue;
		id = p->id;
		partition_run(p);
		partition_destroy(p);
		if (hv_pages.nfree != free_before)
			pr_err("partition %lu leaked %ld pages", id, (s64)(free_before - hv_pages.nfree));
		else
			pr_info("partition %lu destroyed, all its pages returned", id);
	}
}

void hv_main(u32 magic, u64 info)
{
	char err[160];
	u32 parked;

	uart_init();
	pr_info("Septum hypervisor");
	if (bootinfo_parse(magic, info, read_phys, NULL, &bi, err, sizeof(err)))
		panic("%s", err);
	parse_cmdline(bi.cmdline);
	pr_info("command line '%s', %u memory ranges, %u modules", bi.cmdline, bi.nmem, bi.nmods);
	if (arch_probe(err, sizeof(err)))
		fatal(err);
	setup_memory();
	cpu_init();
	if (arch->cpu_init())
		panic("cannot enable %s", arch->name);
	pr_info("virtualization: %s", arch->name);
	tsc_init();
	parked = smp_park_aps();
	if (bi.nmods && wants_root(&bi.mods[0]))
		run_root(parked);
	else
		run_test_guests();
	pr_info("all partitions done; %lu pages free", hv_pages.nfree);
	platform_halt(0);
}
