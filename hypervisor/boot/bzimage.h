/* The Linux bzImage setup header (Documentation/x86/boot.rst), checked. */
#ifndef SEPTUM_BZIMAGE_H
#define SEPTUM_BZIMAGE_H

#include "types.h"

/* Offsets in the file, which are also offsets in boot_params. */
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

#define BZ_LOADED_HIGH		0x01
#define BZ_MIN_VERSION		0x020A	/* init_size and pref_address appear in 2.10 */

struct bzimage {
	u16 version;
	u32 header_end;		/* end of the setup header: copy [0x1F1, header_end) */
	u64 pm_offset;		/* protected-mode code in the file */
	u64 pm_size;
	bool relocatable;
	u32 kernel_alignment;
	u64 pref_address;
	u32 init_size;		/* memory the kernel needs from its load address */
	u32 initrd_addr_max;
	u32 cmdline_size;
};

/* Whether img looks like a bzImage at all (HdrS signature). */
bool bzimage_probe(const u8 *img, u64 size);
/* 0, or -1 with a one-line reason: not a bzImage, too old, truncated,
 * inconsistent. */
int bzimage_parse(const u8 *img, u64 size, struct bzimage *bz, char *err, size_t errlen);

#endif
