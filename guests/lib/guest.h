/* The test-guest library: reporting, exception catching, hardware access. */
#ifndef GUEST_H
#define GUEST_H

#include "lib.h"
#include "types.h"
#include "x86.h"

extern u64 guest_ram_size;
extern const char *guest_cmdline;
/* Whether the command line has word as an argument after the image name. */
bool guest_has_arg(const char *word);
/* RDX at entry: a test root's struct septum_testroot_info, or what the
 * VMM passes a child (the scan child's marker). */
extern u64 guest_boot_rdx;

/* Where the lines go and the area they are named under: the hypervisor's
 * report port and "hv", unless a guest that runs elsewhere (a VMWP's
 * child, on COM1) sets them before its first line. */
extern u16 guest_report_port;
extern const char *guest_report_area;
void guest_printf(const char *fmt, ...) __printf(1, 2);
/* One harness line: "PASS area/name" or "FAIL area/name: why". */
void report(bool ok, const char *name, const char *fmt, ...) __printf(3, 4);
/* Relays another guest's line; its PASS/FAIL lines count as ours. */
void report_forward(const char *line);
void report_summary(void);

/* Loads the library's GDT and IDT: start.S does it for the boot VP, and
 * another VP of the same guest does it first thing from its own entry. */
void guest_cpu_init(void);

/* Called on an unexpected exception before the guest halts for good. */
extern void (*guest_fatal_hook)(void);

/* Vectors 32-255: called with interrupts off; unset ones are fatal. */
typedef void (*guest_irq_handler)(void);
void guest_set_irq_handler(u8 vector, guest_irq_handler fn);

/* Runs one instruction-sized probe with exceptions caught: returns the
 * vector it raised, or -1 if none. Defined by the EXPECT_* helpers. */
extern volatile u64 guest_fixup_rip;
extern volatile int guest_last_vector;

int rdmsr_safe(u32 msr, u64 *val);
int wrmsr_safe(u32 msr, u64 val);
/* Issues a hypercall through `page` (the hypercall page), or VMMCALL
 * directly when page is NULL; returns the vector raised or -1. */
int hypercall_safe(void *page, u64 control, u64 in, u64 out, u64 *result);
int vmrun_safe(void);


static inline u32 inl(u16 port)
{
	u32 v;

	asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

#endif
