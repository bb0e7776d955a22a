#ifndef SEPTUM_MSR_H
#define SEPTUM_MSR_H

#include "vp.h"

/* Intercepted MSR accesses that reach generic code; -1 means #GP. */
int msr_read(struct vp *vp, u32 msr, u64 *val);
int msr_write(struct vp *vp, u32 msr, u64 val);

#endif
