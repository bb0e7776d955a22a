/* The Linux bzImage setup header (Documentation/x86/boot.rst), checked. */
#ifndef SEPTUM_BZIMAGE_H
#define SEPTUM_BZIMAGE_H

#include "boot/linux_bootparam.h"
#include "types.h"

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
