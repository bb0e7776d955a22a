#ifndef SEPTUM_SMP_H
#define SEPTUM_SMP_H

#include "types.h"

/* Starts every other CPU into the hypervisor and parks it; returns how many. */
u32 smp_park_aps(void);

#endif
