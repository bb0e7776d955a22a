#ifndef SEPTUM_MSR_H
#define SEPTUM_MSR_H

#include "vp.h"

/* The VP asked for something only the root can do (a reset). */
#define MSR_TO_ROOT 1

/* Intercepted MSR accesses that reach generic code: 0, -1 (#GP) or
 * MSR_TO_ROOT. */
int msr_read(struct vp *vp, u32 msr, u64 *val);
int msr_write(struct vp *vp, u32 msr, u64 val);

#endif
