/*
 * The partition reference time (TLFS "Partition Reference Counter"): 100 ns
 * units since the partition was created, derived from the TSC. The MSR,
 * the reference TSC page and the synthetic timers all use this one clock.
 */
#include "partition.h"
#include "time.h"
#include "x86.h"

#define REF_HZ 10000000ULL

/* 2^64 * 10^7 / tsc_hz: the TSC page multiplier. */
static u64 tsc_scale(void)
{
	return scale_64(1ULL << 63, 2 * REF_HZ, tsc_hz);
}

static u64 mul_hi(u64 a, u64 b)
{
	return (u64)(((unsigned __int128)a * b) >> 64);
}

void reftime_tsc_page(struct partition *p, u64 *scale, s64 *offset)
{
	*scale = tsc_scale();
	*offset = -(s64)mul_hi(p->ref_time_base, *scale);
}

u64 reftime_now(struct partition *p)
{
	u64 scale;
	s64 offset;

	reftime_tsc_page(p, &scale, &offset);
	return mul_hi(rdtsc(), scale) + offset;
}

u64 reftime_to_tsc(struct partition *p, u64 ref)
{
	return p->ref_time_base + scale_64(ref, tsc_hz, REF_HZ);
}

u64 ns_now(void)
{
	return scale_64(rdtsc(), 1000000000ULL, tsc_hz);
}
