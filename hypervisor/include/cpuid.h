#ifndef SEPTUM_CPUID_H
#define SEPTUM_CPUID_H

#include "vp.h"

/* Answers the guest's CPUID from the host's, filtered, plus the Hyper-V leaves. */
void cpuid_handle(struct vp *vp);
/* What the VP would see for a leaf: EAX, EBX, ECX, EDX. */
void cpuid_compute(struct vp *vp, u32 leaf, u32 subleaf, u32 out[4]);

#endif
