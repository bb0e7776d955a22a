/* Emulated MMIO (mmio.c): the child's accesses to device pages. */
#ifndef SEPTUM_VMWP_MMIO_H
#define SEPTUM_VMWP_MMIO_H

#include <stddef.h>

#include "hv/intercept.h"

/* Completes VP vpi's access behind memory intercept m (decode, device,
 * registers). -1 with the reason in why if it cannot: no device at that
 * GPA, an instruction we do not emulate, or the VID refused. */
int mmio_access(unsigned vpi, const struct hv_x64_memory_intercept_message *m, char *why,
		size_t whylen);

#endif
