#ifndef SEPTUM_CPUID_H
#define SEPTUM_CPUID_H

#include "vp.h"

/* Answers the guest's CPUID from the host's, filtered, plus the Hyper-V leaves. */
void cpuid_handle(struct vp *vp);

#endif
