#ifndef SEPTUM_IO_H
#define SEPTUM_IO_H

#include "vp.h"

/* Port I/O from partitions the hypervisor runs itself: the test device. */
void io_handle(struct vp *vp, const struct vp_exit *exit);

#endif
