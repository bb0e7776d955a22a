/*
 * The Linux x86 boot protocol's layout (Documentation/x86/boot.rst,
 * arch/x86/include/uapi/asm/bootparam.h): setup-header offsets, which are
 * offsets both in the bzImage file and in boot_params, and the boot_params
 * fields a loader fills. Shared by the hypervisor (the root's loader) and
 * the VMWP (a child's). Offsets only, so any C environment can include it.
 */
#ifndef BOOT_LINUX_BOOTPARAM_H
#define BOOT_LINUX_BOOTPARAM_H

/* Setup header. */
#define BZ_SETUP_SECTS		0x1F1
#define BZ_SYSSIZE		0x1F4
#define BZ_VID_MODE		0x1FA
#define BZ_BOOT_FLAG		0x1FE
#define BZ_JUMP			0x200
#define BZ_HEADER		0x202
#define BZ_VERSION		0x206
#define BZ_TYPE_OF_LOADER	0x210
#define BZ_LOADFLAGS		0x211
#define BZ_CODE32_START		0x214
#define BZ_RAMDISK_IMAGE	0x218
#define BZ_RAMDISK_SIZE		0x21C
#define BZ_CMD_LINE_PTR		0x228
#define BZ_INITRD_ADDR_MAX	0x22C
#define BZ_KERNEL_ALIGNMENT	0x230
#define BZ_RELOCATABLE		0x234
#define BZ_XLOADFLAGS		0x236
#define BZ_CMDLINE_SIZE		0x238
#define BZ_PREF_ADDRESS		0x258
#define BZ_INIT_SIZE		0x260
#define BZ_HEADER_MAX		0x290	/* boot_params has room for the header to here */

#define BZ_LOADED_HIGH		0x01	/* loadflags */
#define BZ_XLF_KERNEL_64	0x01	/* xloadflags: 64-bit entry at +0x200 */

/* boot_params (the "zero page"). */
#define BP_ACPI_RSDP_ADDR	0x070
#define BP_EXT_RAMDISK_IMAGE	0x0C0
#define BP_EXT_RAMDISK_SIZE	0x0C4
#define BP_EXT_CMD_LINE_PTR	0x0C8
#define BP_E820_ENTRIES		0x1E8
#define BP_E820_TABLE		0x2D0	/* 20-byte entries: u64 addr, u64 size, u32 type */
#define BP_E820_MAX		128
#define BP_SIZE			0x1000

#endif
