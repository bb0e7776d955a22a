/* Direct Linux boot: see linux_boot.h. */
#include "linux_boot.h"

#include "boot/linux_bootparam.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define E820_RAM	  1
#define E820_RESERVED	  2
#define E820_ACPI	  3

#define PAGE		  0x1000ULL
#define PTE_P		  0x1ULL
#define PTE_W		  0x2ULL
#define PTE_PS		  0x80ULL

static uint32_t le(const uint8_t *p, int n)
{
	uint32_t v = 0;

	while (n--)
		v = (v << 8) | p[n];
	return v;
}

static void put(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++, v >>= 8)
		p[i] = (uint8_t)v;
}

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

int lb_parse(const uint8_t *img, size_t size, struct lb_kernel *k, char *err, size_t errlen)
{
	uint32_t setup_sects, syssize;

	memset(k, 0, sizeof(*k));
	if (size < BZ_INIT_SIZE + 4 || le(img + BZ_BOOT_FLAG, 2) != 0xAA55 ||
	    le(img + BZ_HEADER, 4) != 0x53726448)
		return fail(err, errlen, "not a Linux bzImage (no boot flag or HdrS signature)");
	k->version = (uint16_t)le(img + BZ_VERSION, 2);
	if (k->version < 0x020C)
		return fail(err, errlen, "boot protocol %u.%02u is too old (2.12 or later needed)",
			    k->version >> 8, k->version & 0xFF);
	if (!(img[BZ_LOADFLAGS] & BZ_LOADED_HIGH))
		return fail(err, errlen, "not a bzImage (a zImage loads low)");
	k->xloadflags = (uint16_t)le(img + BZ_XLOADFLAGS, 2);
	if (!(k->xloadflags & BZ_XLF_KERNEL_64))
		return fail(err, errlen, "kernel has no 64-bit entry point (xloadflags 0x%x)",
			    k->xloadflags);
	k->header_end = BZ_JUMP + 2 + img[BZ_JUMP + 1];
	if (k->header_end < BZ_INIT_SIZE + 4 || k->header_end > BZ_HEADER_MAX)
		return fail(err, errlen, "setup header ends at an odd place (0x%x)", k->header_end);
	setup_sects = img[BZ_SETUP_SECTS] ? img[BZ_SETUP_SECTS] : 4;
	k->pm_offset = (uint64_t)(setup_sects + 1) * 512;
	if (k->pm_offset >= size)
		return fail(err, errlen, "truncated: no protected-mode code after %u setup sectors",
			    setup_sects);
	k->pm_size = size - k->pm_offset;
	syssize = le(img + BZ_SYSSIZE, 4);
	if (syssize && (uint64_t)syssize * 16 <= k->pm_size)
		k->pm_size = (uint64_t)syssize * 16;
	if (k->pm_size <= 0x200)
		return fail(err, errlen, "protected-mode code of %llu bytes has no 64-bit entry",
			    (unsigned long long)k->pm_size);
	k->kernel_alignment = le(img + BZ_KERNEL_ALIGNMENT, 4);
	if (!img[BZ_RELOCATABLE])
		k->kernel_alignment = 0;
	else if (k->kernel_alignment < PAGE || (k->kernel_alignment & (k->kernel_alignment - 1)))
		return fail(err, errlen, "kernel_alignment 0x%x is not a power of two of at least 4 KiB",
			    k->kernel_alignment);
	k->init_size = le(img + BZ_INIT_SIZE, 4);
	if (k->init_size < k->pm_size)
		return fail(err, errlen, "init_size 0x%x is smaller than the kernel itself (0x%llx)",
			    k->init_size, (unsigned long long)k->pm_size);
	k->initrd_addr_max = le(img + BZ_INITRD_ADDR_MAX, 4);
	k->cmdline_size = le(img + BZ_CMDLINE_SIZE, 4);
	return 0;
}

static void e820(uint8_t *bp, uint32_t *n, uint64_t addr, uint64_t size, uint32_t type)
{
	uint8_t *e = bp + BP_E820_TABLE + *n * 20;

	put(e, addr, 8);
	put(e + 8, size, 8);
	put(e + 16, type, 4);
	(*n)++;
}

int lb_load(uint8_t *ram, uint64_t mem_size, const uint8_t *img, size_t size,
	    const struct lb_kernel *k, const char *cmdline, const uint8_t *initrd,
	    uint64_t initrd_size, uint64_t rsdp_gpa, struct lb_layout *out, char *err,
	    size_t errlen)
{
	uint64_t kernel = LB_KERNEL_GPA, kernel_end, top, cmdlen = strlen(cmdline);
	uint8_t *bp = ram + LB_BOOT_PARAMS;
	uint64_t *gdt, *pml4, *pdpt;
	uint32_t n = 0;

	memset(out, 0, sizeof(*out));
	if (mem_size < LB_MIN_MEM || mem_size > LB_MAX_MEM || (mem_size & (PAGE - 1)))
		return fail(err, errlen, "guest memory of %llu bytes is out of range (%llu MiB to %llu MiB, page multiple)",
			    (unsigned long long)mem_size, LB_MIN_MEM >> 20, LB_MAX_MEM >> 20);
	if (k->pm_offset >= size || k->pm_size > size - k->pm_offset || k->header_end > BZ_HEADER_MAX)
		return fail(err, errlen, "kernel description does not match the image");
	if (k->kernel_alignment > kernel)
		kernel = k->kernel_alignment;
	kernel_end = kernel + (k->init_size > k->pm_size ? k->init_size : k->pm_size);
	if (kernel_end > mem_size)
		return fail(err, errlen, "kernel needs %llu MiB from %llu MiB, guest memory is %llu MiB",
			    (unsigned long long)(kernel_end - kernel) >> 20,
			    (unsigned long long)kernel >> 20, (unsigned long long)mem_size >> 20);
	if (cmdlen + 1 > LB_CMDLINE_MAX || (k->cmdline_size && cmdlen > k->cmdline_size))
		return fail(err, errlen, "command line of %llu bytes is longer than the kernel takes (%u)",
			    (unsigned long long)cmdlen, k->cmdline_size);

	/* The initrd: as high as the kernel allows, above the kernel. */
	if (initrd_size) {
		top = mem_size;
		if ((uint64_t)k->initrd_addr_max + 1 < top)
			top = (uint64_t)k->initrd_addr_max + 1;
		if (initrd_size > top || ((top - initrd_size) & ~(PAGE - 1)) < kernel_end)
			return fail(err, errlen, "initrd of %llu bytes does not fit between the kernel (to 0x%llx) and 0x%llx",
				    (unsigned long long)initrd_size, (unsigned long long)kernel_end,
				    (unsigned long long)top);
		out->initrd_gpa = (top - initrd_size) & ~(PAGE - 1);
		out->initrd_size = initrd_size;
		memcpy(ram + out->initrd_gpa, initrd, initrd_size);
	}
	memcpy(ram + kernel, img + k->pm_offset, k->pm_size);
	memcpy(ram + LB_CMDLINE_GPA, cmdline, cmdlen + 1);

	/* boot_params: the image's setup header in a zeroed page. */
	memset(bp, 0, BP_SIZE);
	memcpy(bp + BZ_SETUP_SECTS, img + BZ_SETUP_SECTS, k->header_end - BZ_SETUP_SECTS);
	put(bp + BZ_VID_MODE, 0xFFFF, 2);
	bp[BZ_TYPE_OF_LOADER] = 0xFF;
	put(bp + BZ_CODE32_START, kernel, 4);
	put(bp + BZ_RAMDISK_IMAGE, out->initrd_gpa, 4);
	put(bp + BZ_RAMDISK_SIZE, out->initrd_size, 4);
	put(bp + BP_EXT_RAMDISK_IMAGE, out->initrd_gpa >> 32, 4);
	put(bp + BP_EXT_RAMDISK_SIZE, out->initrd_size >> 32, 4);
	put(bp + BZ_CMD_LINE_PTR, LB_CMDLINE_GPA, 4);
	put(bp + BP_EXT_CMD_LINE_PTR, 0, 4);
	put(bp + BP_ACPI_RSDP_ADDR, rsdp_gpa, 8);
	e820(bp, &n, 0, LB_LOW_RAM_END, E820_RAM);
	e820(bp, &n, LB_LOW_RAM_END, LB_ACPI_GPA - LB_LOW_RAM_END, E820_RESERVED);
	e820(bp, &n, LB_ACPI_GPA, LB_ACPI_LEN, E820_ACPI);
	e820(bp, &n, LB_FIRMWARE_GPA, LB_FIRMWARE_LEN, E820_RESERVED);
	e820(bp, &n, 1ULL << 20, mem_size - (1ULL << 20), E820_RAM);
	bp[BP_E820_ENTRIES] = (uint8_t)n;

	/* GDT: null, unused, 0x10 64-bit code, 0x18 flat data. */
	gdt = (uint64_t *)(ram + LB_GDT_GPA);
	memset(gdt, 0, 4 * 8);
	gdt[2] = 0x00AF9A000000FFFFULL;
	gdt[3] = 0x00CF92000000FFFFULL;

	/* Identity map of the low 4 GiB in 2 MiB pages. */
	pml4 = (uint64_t *)(ram + LB_PT_GPA);
	pdpt = (uint64_t *)(ram + LB_PT_GPA + PAGE);
	memset(pml4, 0, 6 * PAGE);
	pml4[0] = (LB_PT_GPA + PAGE) | PTE_P | PTE_W;
	for (uint64_t i = 0; i < 4; i++) {
		uint64_t pd_gpa = LB_PT_GPA + (2 + i) * PAGE;
		uint64_t *pd = (uint64_t *)(ram + pd_gpa);

		pdpt[i] = pd_gpa | PTE_P | PTE_W;
		for (uint64_t j = 0; j < 512; j++)
			pd[j] = (i << 30 | j << 21) | PTE_P | PTE_W | PTE_PS;
	}

	out->kernel_gpa = kernel;
	out->entry = kernel + 0x200;
	out->boot_params = LB_BOOT_PARAMS;
	out->cr3 = LB_PT_GPA;
	out->gdt_base = LB_GDT_GPA;
	out->gdt_limit = 4 * 8 - 1;
	out->cmdline_gpa = LB_CMDLINE_GPA;
	out->e820_entries = n;
	return 0;
}

/*
 * A Linux with a hardware-reduced FADT and no EFI reboots through its last
 * resort, a jump to F000:FFF0 in real mode (machine_real_restart): that is
 * where a platform's firmware answers, with a reset.
 */
void lb_firmware(uint8_t *ram, uint16_t reset_port, uint8_t reset_value)
{
	const uint8_t stub[] = {
		0xBA, reset_port & 0xFF, reset_port >> 8,	/* mov dx, reset_port */
		0xB0, reset_value,				/* mov al, reset_value */
		0xEE,						/* out dx, al */
		0xFA,						/* cli */
		0xF4,						/* hlt */
		0xEB, 0xFC,					/* jmp back to cli */
	};

	memcpy(ram + LB_FIRMWARE_GPA + 0xFFF0, stub, sizeof(stub));
}
