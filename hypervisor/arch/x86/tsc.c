/*
 * The TSC is the hypervisor's only clock: its rate comes from CPUID leaf
 * 0x15 when the CPU reports it, else from PIT channel 2 over 10 ms.
 */
#include "log.h"
#include "time.h"
#include "x86.h"

#define PIT_HZ		1193182
#define PIT_CH2		0x42
#define PIT_CMD		0x43
#define PIT_GATE	0x61
#define CALIBRATE_MS	10

u64 tsc_hz;
bool tsc_invariant;

static u64 pit_calibrate(void)
{
	u16 count = PIT_HZ * CALIBRATE_MS / 1000;
	u64 start, end;

	/* Gate on, speaker off; channel 2, lobyte/hibyte, mode 0. */
	outb(PIT_GATE, (inb(PIT_GATE) & ~0x02) | 0x01);
	outb(PIT_CMD, 0xB0);
	outb(PIT_CH2, count & 0xFF);
	outb(PIT_CH2, count >> 8);
	start = rdtsc();
	for (u32 spin = 0; !(inb(PIT_GATE) & 0x20); spin++)
		if (spin > 100000000)
			return 0;
	end = rdtsc();
	return (end - start) * (1000 / CALIBRATE_MS);
}

void tsc_init(void)
{
	struct cpuid_regs r;

	cpuid(0, 0, &r);
	if (r.eax >= 0x15) {
		cpuid(0x15, 0, &r);
		if (r.eax && r.ebx && r.ecx)
			tsc_hz = (u64)r.ecx * r.ebx / r.eax;
	}
	if (!tsc_hz)
		tsc_hz = pit_calibrate();
	if (!tsc_hz)
		panic("cannot measure the TSC rate: no CPUID 0x15 and no PIT");
	cpuid(0x80000000, 0, &r);
	if (r.eax >= 0x80000007) {
		cpuid(0x80000007, 0, &r);
		tsc_invariant |= r.edx & BIT(8);
	}
	pr_info("tsc: %lu kHz, %s", tsc_hz / 1000, tsc_invariant ? "invariant" : "not invariant");
}

u64 scale_64(u64 a, u64 mul, u64 div)
{
	u64 hi, lo, q, r;

	/* a * mul as 128 bits, then divided; the quotient must fit 64 bits. */
	asm("mulq %3" : "=a"(lo), "=d"(hi) : "a"(a), "rm"(mul));
	if (hi >= div)
		return UINT64_MAX;
	asm("divq %4" : "=a"(q), "=d"(r) : "a"(lo), "d"(hi), "rm"(div));
	return q;
}
