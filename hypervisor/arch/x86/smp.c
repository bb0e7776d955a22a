/*
 * The other CPUs. They are started here, into the hypervisor, and parked
 * with GIF clear (which holds INIT, NMI and SMI on AMD-V), so no CPU ever
 * runs root code outside SVM; the root is shown only the boot CPU (see
 * boot/acpi.c). An SMP root, with its VPs on these CPUs, comes later.
 */
#include "lib.h"
#include "log.h"
#include "mm.h"
#include "smp.h"
#include "time.h"
#include "x86.h"

#define AP_TRAMPOLINE	0x1000
#define AP_STACK_SIZE	8192
#define AP_MAX		32
#define LAPIC_BASE	0xFEE00000ULL
#define LAPIC_ICR_LOW	0x300
#define LAPIC_ICR_HIGH	0x310
#define ICR_BUSY	BIT(12)
#define ICR_ALL_BUT_SELF (3U << 18)
#define ICR_ASSERT	BIT(14)
#define ICR_INIT	(5U << 8)
#define ICR_STARTUP	(6U << 8)

extern const u8 ap_trampoline[], ap_trampoline_end[], ap_stacks[], ap_cr3[], ap_next[];
void cpu_init_ap(void);

static volatile u32 aps_parked;

void ap_main(u32 index)
{
	cpu_init_ap();
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
	__atomic_fetch_add(&aps_parked, 1, __ATOMIC_SEQ_CST);
	(void)index;
	for (;;)
		asm volatile("clgi; cli; hlt");
}

static void delay_us(u64 us)
{
	u64 end = rdtsc() + scale_64(us, tsc_hz, 1000000);

	while (rdtsc() < end)
		asm volatile("pause");
}

static void icr_write(u32 low)
{
	volatile u32 *apic = phys_to_virt(LAPIC_BASE);

	apic[LAPIC_ICR_HIGH / 4] = 0;
	apic[LAPIC_ICR_LOW / 4] = low;
	for (int spin = 0; spin < 100000 && (apic[LAPIC_ICR_LOW / 4] & ICR_BUSY); spin++)
		delay_us(1);
}

/* The trampoline's fields, in its copy at AP_TRAMPOLINE. */
static void *field(const u8 *sym)
{
	return phys_to_virt(AP_TRAMPOLINE + (sym - ap_trampoline));
}

u32 smp_park_aps(void)
{
	u64 stacks = hv_alloc_pages(AP_MAX * AP_STACK_SIZE / PAGE_SIZE, 1);
	u64 len = ap_trampoline_end - ap_trampoline;
	u32 seen = 0;

	/* x2APIC mode would need the ICR MSR; firmware hands over xAPIC. */
	if (rdmsr(0x1B) & BIT(10)) {
		pr_warn("smp: the boot CPU is in x2APIC mode; other CPUs are left alone");
		return 0;
	}
	if (!stacks)
		panic("smp: no memory for AP stacks");
	memcpy(phys_to_virt(AP_TRAMPOLINE), ap_trampoline, len);
	*(u64 *)field(ap_stacks) = stacks;
	*(u32 *)field(ap_cr3) = read_cr3();
	*(u32 *)field(ap_next) = 0;

	/* INIT, then two STARTUPs (SDM "MP Initialization Protocol"). */
	icr_write(ICR_ALL_BUT_SELF | ICR_ASSERT | ICR_INIT);
	delay_us(10000);
	for (int i = 0; i < 2; i++) {
		icr_write(ICR_ALL_BUT_SELF | ICR_ASSERT | ICR_STARTUP | (AP_TRAMPOLINE >> 12));
		delay_us(200);
	}
	/* Every AP is counted once it has left the trampoline page; done when
	 * all that arrived are parked and none came for 20 ms (1 s at most). */
	for (int ms = 0, quiet = 0; ms < 1000 && quiet < 20; ms++) {
		u32 now = *(volatile u32 *)field(ap_next);

		quiet = now == seen && aps_parked == now ? quiet + 1 : 0;
		seen = now;
		delay_us(1000);
	}
	if (seen > AP_MAX)
		panic("smp: %u other CPUs, more than the %u supported", seen, AP_MAX);
	if (aps_parked != seen)
		panic("smp: %u CPUs started but only %u parked", seen, aps_parked);
	memset(phys_to_virt(AP_TRAMPOLINE), 0, len);
	if (seen)
		pr_info("smp: %u other CPUs parked in the hypervisor", seen);
	return seen;
}
