/*
 * The hypervisor as the root's boot loader: Linux's 32-bit boot protocol
 * (Documentation/x86/boot.rst). The bzImage module's protected-mode code
 * goes to a 2 MiB-aligned address with init_size of root RAM behind it,
 * clear of the modules; the initrd stays where the boot loader put it;
 * boot_params, the command line and a flat GDT go to low memory.
 */
#include "bzimage.h"
#include "frames.h"
#include "lib.h"
#include "linux.h"
#include "log.h"
#include "partition.h"
#include "x86.h"

#define BOOT_GDT_GPA	0x6000
#define BOOT_PARAMS_GPA	0x7000
#define CMDLINE_GPA	0x8000
#define CMDLINE_MAX	0x1000
#define BOOT_CS		0x10
#define BOOT_DS		0x18

static bool range_is_root_ram(u64 base, u64 size)
{
	for (u64 pa = base; pa < base + size; pa += PAGE_SIZE)
		if (frame_state(pa) != FRAME_ROOT)
			return false;
	return true;
}

static bool overlaps_module(const struct boot_info *bi, u64 base, u64 size)
{
	for (u32 i = 0; i < bi->nmods; i++)
		if (base < bi->mods[i].end && bi->mods[i].start < base + size)
			return true;
	return false;
}

/* The lowest aligned address from pref_address up where the kernel's
 * init_size fits in root RAM without touching a module. */
static u64 place_kernel(const struct boot_info *bi, const struct bzimage *bz)
{
	u64 align = bz->relocatable ? MAX(bz->kernel_alignment, (u32)PAGE_SIZE_2M) : PAGE_SIZE;
	u64 size = ALIGN_UP(bz->init_size, PAGE_SIZE);

	if (!bz->relocatable)
		return range_is_root_ram(bz->pref_address, size) &&
			       !overlaps_module(bi, bz->pref_address, size)
		       ? bz->pref_address
		       : 0;
	for (u64 base = ALIGN_UP(MAX(bz->pref_address, 16ULL << 20), align); base < (4ULL << 30);
	     base += align)
		if (range_is_root_ram(base, size) && !overlaps_module(bi, base, size))
			return base;
	return 0;
}

static void put(u8 *bp, u32 off, u64 v, int n)
{
	for (int i = 0; i < n; i++)
		bp[off + i] = v >> (8 * i);
}

static void e820_add(u8 *bp, u64 base, u64 size, u32 type)
{
	u32 n = bp[BP_E820_ENTRIES];

	if (n == BP_E820_MAX || !size)
		return;
	put(bp, BP_E820_TABLE + n * 20, base, 8);
	put(bp, BP_E820_TABLE + n * 20 + 8, size, 8);
	put(bp, BP_E820_TABLE + n * 20 + 16, type, 4);
	bp[BP_E820_ENTRIES] = n + 1;
}

/* The firmware's map with the hypervisor's frames cut out as reserved. */
static void build_e820(const struct boot_info *bi, u8 *bp)
{
	for (u32 i = 0; i < bi->nmem; i++) {
		const struct mem_range *r = &bi->mem[i];
		u64 start = r->base, end = r->base + r->size;
		bool hv = frame_state(start) == FRAME_HV;

		if (r->type != MEM_RAM) {
			e820_add(bp, r->base, r->size, r->type);
			continue;
		}
		for (u64 pa = ALIGN_DOWN(start, PAGE_SIZE) + PAGE_SIZE; pa < end; pa += PAGE_SIZE) {
			bool h = frame_state(pa) == FRAME_HV;

			if (h != hv) {
				e820_add(bp, start, pa - start, hv ? MEM_RESERVED : MEM_RAM);
				start = pa;
				hv = h;
			}
		}
		e820_add(bp, start, end - start, hv ? MEM_RESERVED : MEM_RAM);
	}
}

/* QEMU's loader puts the module's path first; a first word with a '/' is
 * that path, not a kernel parameter. */
static const char *kernel_cmdline(const char *s)
{
	const char *w = s;

	while (*w && *w != ' ')
		if (*w++ == '/') {
			while (*w && *w != ' ')
				w++;
			while (*w == ' ')
				w++;
			return w;
		}
	return s;
}

static void set_boot_state(struct vp *vp, u64 entry)
{
	static const struct vp_segment code = { 0, 0xFFFFFFFF, BOOT_CS, 0xC09B };
	static const struct vp_segment data = { 0, 0xFFFFFFFF, BOOT_DS, 0xC093 };
	static const struct vp_segment tr = { 0, 0xFFFF, 0, 0x008B };
	static const struct vp_segment ldtr = { 0, 0xFFFF, 0, 0x0082 };
	static const struct vp_segment gdt = { BOOT_GDT_GPA, 4 * 8 - 1, 0, 0 };
	static const struct vp_segment idt = { 0, 0, 0, 0 };

	arch->vp_set_reg(vp, VP_REG_CR0, X86_CR0_PE | X86_CR0_ET);
	arch->vp_set_reg(vp, VP_REG_RFLAGS, 2);
	arch->vp_set_reg(vp, VP_REG_RIP, entry);
	arch->vp_set_seg(vp, VP_SEG_CS, &code);
	for (enum vp_seg s = VP_SEG_ES; s <= VP_SEG_GS; s++)
		if (s != VP_SEG_CS)
			arch->vp_set_seg(vp, s, &data);
	arch->vp_set_seg(vp, VP_SEG_TR, &tr);
	arch->vp_set_seg(vp, VP_SEG_LDTR, &ldtr);
	arch->vp_set_seg(vp, VP_SEG_GDTR, &gdt);
	arch->vp_set_seg(vp, VP_SEG_IDTR, &idt);
	vp->gprs = (struct vp_gprs){ .rsi = BOOT_PARAMS_GPA };
}

int linux_load(struct partition *root, const struct boot_info *bi, u64 rsdp, char *err,
	       size_t errlen)
{
	static const u64 gdt[4] = { 0, 0, 0x00CF9A000000FFFFULL, 0x00CF92000000FFFFULL };
	static u8 bp[PAGE_SIZE];
	const struct boot_module *kmod = &bi->mods[0], *initrd = bi->nmods > 1 ? &bi->mods[1] : NULL;
	const u8 *img = phys_to_virt(kmod->start);
	const char *cmdline = kernel_cmdline(kmod->cmdline);
	size_t cmdlen = strlen(cmdline) + 1;
	struct bzimage bz;
	u64 load;

	if (bzimage_parse(img, kmod->end - kmod->start, &bz, err, errlen))
		return -1;
	if (cmdlen > MIN(bz.cmdline_size + 1, CMDLINE_MAX)) {
		hv_snprintf(err, errlen, "kernel command line of %zu bytes exceeds %u", cmdlen - 1,
			    bz.cmdline_size);
		return -1;
	}
	if (initrd && initrd->end > (u64)bz.initrd_addr_max + 1) {
		hv_snprintf(err, errlen, "initrd at %lx ends above the kernel's limit %x",
			    initrd->start, bz.initrd_addr_max);
		return -1;
	}
	load = place_kernel(bi, &bz);
	if (!load) {
		hv_snprintf(err, errlen, "no room for the kernel: it needs %u MiB of RAM%s",
			    bz.init_size >> 20, bz.relocatable ? " below 4 GiB" : " at its fixed address");
		return -1;
	}

	memset(bp, 0, sizeof(bp));
	memcpy(bp + BZ_SETUP_SECTS, img + BZ_SETUP_SECTS, bz.header_end - BZ_SETUP_SECTS);
	put(bp, BZ_VID_MODE, 0xFFFF, 2);
	bp[BZ_TYPE_OF_LOADER] = 0xFF;
	put(bp, BZ_CODE32_START, load, 4);
	put(bp, BZ_CMD_LINE_PTR, CMDLINE_GPA, 4);
	put(bp, BP_EXT_CMD_LINE_PTR, 0, 4);
	put(bp, BP_ACPI_RSDP_ADDR, rsdp, 8);
	if (initrd) {
		put(bp, BZ_RAMDISK_IMAGE, initrd->start, 4);
		put(bp, BZ_RAMDISK_SIZE, initrd->end - initrd->start, 4);
		put(bp, BP_EXT_RAMDISK_IMAGE, initrd->start >> 32, 4);
		put(bp, BP_EXT_RAMDISK_SIZE, (initrd->end - initrd->start) >> 32, 4);
	}
	build_e820(bi, bp);

	if (partition_write(root, load, img + bz.pm_offset, bz.pm_size) ||
	    partition_write(root, BOOT_PARAMS_GPA, bp, sizeof(bp)) ||
	    partition_write(root, CMDLINE_GPA, cmdline, cmdlen) ||
	    partition_write(root, BOOT_GDT_GPA, gdt, sizeof(gdt))) {
		hv_snprintf(err, errlen, "cannot write the kernel into root memory");
		return -1;
	}
	set_boot_state(root->vp[0], load);
	pr_info("root partition: Linux (boot protocol %u.%02u) at %lx, %u MiB reserved, initrd %lu KiB, "
		"command line '%s'", bz.version >> 8, bz.version & 0xFF, load, bz.init_size >> 20,
		initrd ? (initrd->end - initrd->start) >> 10 : 0, cmdline);
	return 0;
}
