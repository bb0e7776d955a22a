/*
 * The root partition: identity-mapped (GPA = SPA) over everything but the
 * hypervisor's own frames, so it keeps direct access to RAM and devices
 * (ARCHITECTURE.md decision 2). Its payload is the first module: a Linux
 * bzImage (with the second as initrd), or a test root (a test guest with
 * the argument "root").
 */
#include "acpi.h"
#include "bzimage.h"
#include "frames.h"
#include "linux.h"
#include "lib.h"
#include "log.h"
#include "partition.h"
#include "root_fault.h"
#include "septum/testdev.h"
#include "testguest.h"
#include "x86.h"

extern u8 _image_start[], _end[];

/* Everything below top, as runs around the hypervisor's frames. */
static int map_identity(struct partition *p, u64 top)
{
	u64 start = 0;

	for (u64 pa = 0; pa <= top; pa += PAGE_SIZE) {
		if (pa < top && frame_state(pa) != FRAME_HV)
			continue;
		if (pa > start && gpa_map_map(&p->gpa, start, start, pa - start, GPA_PROT_MASK))
			return -1;
		start = pa + PAGE_SIZE;
	}
	return 0;
}

static bool overlaps(u64 a, u64 alen, u64 b, u64 blen)
{
	return a < b + blen && b < a + alen;
}

/* The largest run of root RAM above 4 MiB clear of modules: what a test
 * root may give its children. */
static void free_ram(const struct boot_info *bi, u64 *base, u64 *end)
{
	*base = *end = 0;
	for (u32 i = 0; i < bi->nmem; i++) {
		const struct mem_range *r = &bi->mem[i];
		u64 lo = MAX(r->base, 4ULL << 20), hi = r->base + r->size;

		if (r->type != MEM_RAM)
			continue;
		while (lo < hi) {
			u64 run = lo;

			while (run < hi && frame_state(run) == FRAME_ROOT) {
				bool module = false;

				for (u32 m = 0; m < bi->nmods && !module; m++)
					module = overlaps(run, PAGE_SIZE, bi->mods[m].start,
							  bi->mods[m].end - bi->mods[m].start);
				if (module)
					break;
				run += PAGE_SIZE;
			}
			if (run - lo > *end - *base) {
				*base = lo;
				*end = run;
			}
			lo = run + PAGE_SIZE;
		}
	}
}

static void testroot_load(struct partition *p, const struct boot_info *bi)
{
	static struct septum_testroot_info info;
	const struct boot_module *mod = &bi->mods[0];

	if (mod->end - mod->start > (u64)_image_start - SEPTUM_TESTGUEST_LOAD_GPA)
		panic("test root '%s' is larger than %lu KiB", mod->cmdline,
		      ((u64)_image_start - SEPTUM_TESTGUEST_LOAD_GPA) >> 10);

	memset(&info, 0, sizeof(info));
	free_ram(bi, &info.free_base, &info.free_end);
	for (u32 i = 1; i < bi->nmods && info.nmods < SEPTUM_TESTROOT_MAX_MODS; i++, info.nmods++) {
		info.mods[info.nmods].start = bi->mods[i].start;
		info.mods[info.nmods].end = bi->mods[i].end;
		hv_snprintf(info.mods[info.nmods].cmdline, sizeof(info.mods[0].cmdline), "%s",
			    bi->mods[i].cmdline);
	}
	if (testguest_load(p, mod, SEPTUM_TESTROOT_STACK_TOP) ||
	    partition_write(p, SEPTUM_TESTROOT_INFO_GPA, &info, sizeof(info)))
		panic("cannot load the test root");
	p->vp[0]->gprs.rdx = SEPTUM_TESTROOT_INFO_GPA;
	pr_info("root partition: test root '%s', %lu MiB free for children at %lx",
		module_name(mod->cmdline), (info.free_end - info.free_base) >> 20, info.free_base);
}

static const void *read_phys(u64 pa, u64 len, void *ctx)
{
	(void)ctx;
	return pa + len >= pa && pa + len <= (4ULL << 30) ? phys_to_virt(pa) : NULL;
}

/* The parked CPUs must not exist for the root: its firmware tables list
 * them, so they are marked disabled in the MADT (in place) before it boots.
 * Returns the RSDP for the root's boot parameters, 0 if none was found. */
static u64 hide_parked_cpus(u32 parked)
{
	u64 rsdp = acpi_find_rsdp(read_phys, NULL), madt = 0;
	struct cpuid_regs r;
	u32 len = 0, hidden = 0;

	if (rsdp)
		madt = acpi_find_table(read_phys, NULL, rsdp, "APIC", &len);
	if (!parked)
		return rsdp;
	if (!madt)
		panic("smp: %u CPUs parked but no ACPI MADT to hide them from the root", parked);
	cpuid(1, 0, &r);
	if (acpi_madt_keep_only(phys_to_virt(madt), len, r.ebx >> 24, &hidden) != 1)
		panic("smp: cannot leave only the boot CPU in the MADT at %lx", madt);
	pr_info("smp: %u CPUs hidden from the root in the MADT", hidden);
	return rsdp;
}

struct partition *root_create(const struct boot_info *bi, u32 parked)
{
	const struct boot_module *mod = &bi->mods[0];
	struct partition *p = partition_create_root();
	u64 top = 4ULL << 30, rsdp;
	char err[160];

	if (!p || root_fault_init())
		panic("no memory for the root partition");
	for (u32 i = 0; i < bi->nmem; i++)
		if (bi->mem[i].type == MEM_RAM)
			top = MAX(top, ALIGN_UP(bi->mem[i].base + bi->mem[i].size, PAGE_SIZE));
	if (map_identity(p, top))
		panic("no memory for the root partition's GPA map");
	rsdp = hide_parked_cpus(parked);
	if (!bzimage_probe(phys_to_virt(mod->start), mod->end - mod->start)) {
		testroot_load(p, bi);
		return p;
	}
	if (linux_load(p, bi, rsdp, err, sizeof(err)))
		panic("cannot boot the root: %s", err);
	return p;
}
