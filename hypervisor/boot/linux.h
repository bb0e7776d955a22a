#ifndef SEPTUM_LINUX_H
#define SEPTUM_LINUX_H

#include "bootinfo.h"
#include "partition.h"

/* Boots mods[0] (a bzImage) with mods[1] as its initrd in the root, with
 * the firmware's RSDP (0: Linux scans for it); 0, or -1 with a reason. */
int linux_load(struct partition *root, const struct boot_info *bi, u64 rsdp, char *err,
	       size_t errlen);

#endif
