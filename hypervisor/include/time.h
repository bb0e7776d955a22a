/* Time: the TSC and the TLFS reference time (100 ns units) built on it. */
#ifndef SEPTUM_TIME_H
#define SEPTUM_TIME_H

#include "types.h"

struct partition;

extern u64 tsc_hz;
/* The TSC runs at a constant rate in every state: reported by the CPU
 * (CPUID 8000_0007 EDX bit 8) or vouched for on the command line. */
extern bool tsc_invariant;

void tsc_init(void);
/* a * mul / div with a 128-bit intermediate; UINT64_MAX if it overflows. */
u64 scale_64(u64 a, u64 mul, u64 div);

/* The partition's reference time: 100 ns units since it was created. */
u64 reftime_now(struct partition *p);
u64 reftime_to_tsc(struct partition *p, u64 ref);
u64 ns_now(void);
/* The reference TSC page contents (TLFS): time = (tsc * scale) >> 64 + offset. */
void reftime_tsc_page(struct partition *p, u64 *scale, s64 *offset);

#endif
