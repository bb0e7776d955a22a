#include "bzimage.h"
#include "lib.h"

static u32 le(const u8 *p, int n)
{
	u32 v = 0;

	while (n--)
		v = (v << 8) | p[n];
	return v;
}

bool bzimage_probe(const u8 *img, u64 size)
{
	return size >= BZ_HEADER + 4 && le(img + BZ_BOOT_FLAG, 2) == 0xAA55 &&
	       le(img + BZ_HEADER, 4) == 0x53726448; /* "HdrS" */
}

#define FAIL(...)                                        \
	do {                                             \
		hv_snprintf(err, errlen, "bzImage: " __VA_ARGS__); \
		return -1;                               \
	} while (0)

int bzimage_parse(const u8 *img, u64 size, struct bzimage *bz, char *err, size_t errlen)
{
	u32 setup_sects, syssize;

	if (!bzimage_probe(img, size))
		FAIL("not a Linux kernel image (no boot flag or HdrS signature)");
	if (size < BZ_INIT_SIZE + 4)
		FAIL("file of %lu bytes is too short for a setup header", size);
	bz->version = le(img + BZ_VERSION, 2);
	if (bz->version < BZ_MIN_VERSION)
		FAIL("boot protocol %u.%02u is too old (2.10 or later needed)", bz->version >> 8,
		     bz->version & 0xFF);
	if (!(img[BZ_LOADFLAGS] & BZ_LOADED_HIGH))
		FAIL("not a bzImage (a zImage loads low)");
	bz->header_end = BZ_JUMP + 2 + img[BZ_JUMP + 1];
	if (bz->header_end < BZ_INIT_SIZE + 4 || bz->header_end > BZ_HEADER_MAX)
		FAIL("setup header ends at an odd place (0x%x)", bz->header_end);
	setup_sects = img[BZ_SETUP_SECTS] ? img[BZ_SETUP_SECTS] : 4;
	bz->pm_offset = (u64)(setup_sects + 1) * 512;
	if (bz->pm_offset >= size)
		FAIL("truncated: no protected-mode code after %u setup sectors", setup_sects);
	syssize = le(img + BZ_SYSSIZE, 4);
	bz->pm_size = size - bz->pm_offset;
	if (syssize && (u64)syssize * 16 <= bz->pm_size)
		bz->pm_size = (u64)syssize * 16;
	bz->relocatable = img[BZ_RELOCATABLE];
	bz->kernel_alignment = le(img + BZ_KERNEL_ALIGNMENT, 4);
	bz->pref_address = le(img + BZ_PREF_ADDRESS, 4) | (u64)le(img + BZ_PREF_ADDRESS + 4, 4) << 32;
	bz->init_size = le(img + BZ_INIT_SIZE, 4);
	bz->initrd_addr_max = le(img + BZ_INITRD_ADDR_MAX, 4);
	bz->cmdline_size = le(img + BZ_CMDLINE_SIZE, 4);
	if (bz->relocatable && (bz->kernel_alignment < PAGE_SIZE ||
				(bz->kernel_alignment & (bz->kernel_alignment - 1))))
		FAIL("kernel_alignment 0x%x is not a power of two of at least 4 KiB",
		     bz->kernel_alignment);
	if (bz->init_size < bz->pm_size)
		FAIL("init_size 0x%x is smaller than the kernel itself", bz->init_size);
	if (!bz->relocatable && (bz->pref_address & (PAGE_SIZE - 1)))
		FAIL("fixed load address 0x%lx is not page-aligned", bz->pref_address);
	return 0;
}
