/* Test-guest runtime: descriptor tables, exception fixups, report port. */
#include <stdarg.h>
#include "guest.h"
#include "septum/testdev.h"

struct trap_frame {
	u64 r11, r10, r9, r8, rdi, rsi, rdx, rcx, rax;
	u64 vector, error, rip, cs, rflags, rsp, ss;
};

struct idt_entry {
	u16 offset_lo, selector;
	u8 ist, type;
	u16 offset_mid;
	u32 offset_hi, reserved;
} __packed;

static u64 gdt[3] __aligned(16) = { 0, 0x00AF9A000000FFFFULL, 0x00CF92000000FFFFULL };
static struct idt_entry idt[256] __aligned(16);
static guest_irq_handler irq_handlers[256];
extern const u8 guest_isr_table[];

void (*guest_fatal_hook)(void);
volatile u64 guest_fixup_rip;
volatile int guest_last_vector;
u16 guest_report_port = SEPTUM_TESTDEV_REPORT_PORT;
const char *guest_report_area = "hv";
static unsigned passed, failed;

void guest_cpu_init(void)
{
	struct {
		u16 limit;
		u64 base;
	} __packed gdtr = { sizeof(gdt) - 1, (u64)gdt }, idtr = { sizeof(idt) - 1, (u64)idt };

	for (int v = 0; v < 256; v++) {
		u64 h = (u64)guest_isr_table + v * 16;

		idt[v] = (struct idt_entry){ .offset_lo = h, .selector = 0x08, .type = 0x8E,
					     .offset_mid = h >> 16, .offset_hi = h >> 32 };
	}
	asm volatile("lgdt %0; lidt %1" ::"m"(gdtr), "m"(idtr));
}

static void put(const char *s)
{
	while (*s)
		outb(guest_report_port, *s++);
}

void guest_printf(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	hv_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	put(buf);
}

void guest_set_irq_handler(u8 vector, guest_irq_handler fn)
{
	irq_handlers[vector] = fn;
}

void guest_trap(struct trap_frame *f)
{
	/* An interrupt must not take an armed exception fixup. */
	if (f->vector >= 32 && irq_handlers[f->vector]) {
		irq_handlers[f->vector]();
		return;
	}
	if (f->vector < 32 && guest_fixup_rip) {
		guest_last_vector = f->vector;
		f->rip = guest_fixup_rip;
		guest_fixup_rip = 0;
		return;
	}
	guest_printf("FAIL %s/unexpected-exception: vector %lu error %lx at rip %lx\n",
		     guest_report_area, f->vector, f->error, f->rip);
	if (guest_fatal_hook)
		guest_fatal_hook();
	for (;;)
		asm volatile("cli; hlt");
}

void report(bool ok, const char *name, const char *fmt, ...)
{
	char why[160];
	va_list ap;

	va_start(ap, fmt);
	hv_vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (ok) {
		passed++;
		guest_printf("PASS %s/%s\n", guest_report_area, name);
	} else {
		failed++;
		guest_printf("FAIL %s/%s: %s\n", guest_report_area, name, why);
	}
}

void report_forward(const char *line)
{
	if (!strncmp(line, "PASS ", 5))
		passed++;
	else if (!strncmp(line, "FAIL ", 5))
		failed++;
	guest_printf("%s\n", line);
}

void report_summary(void)
{
	guest_printf("%u passed, %u failed\n", passed, failed);
}

/* Each probe arms a fixup at the label after the instruction; a trap sets
 * guest_last_vector and resumes there. */
#define FIXUP_BEGIN "leaq 1f(%%rip), %%r11\n\tmovq %%r11, guest_fixup_rip(%%rip)\n\t"
#define FIXUP_END "\n1:\n\tmovq $0, guest_fixup_rip(%%rip)"

int rdmsr_safe(u32 msr, u64 *val)
{
	u32 lo = 0, hi = 0;

	guest_last_vector = -1;
	asm volatile(FIXUP_BEGIN "rdmsr" FIXUP_END : "+a"(lo), "+d"(hi) : "c"(msr) : "r11", "memory");
	*val = ((u64)hi << 32) | lo;
	return guest_last_vector;
}

int wrmsr_safe(u32 msr, u64 val)
{
	guest_last_vector = -1;
	asm volatile(FIXUP_BEGIN "wrmsr" FIXUP_END
		     : : "c"(msr), "a"((u32)val), "d"((u32)(val >> 32)) : "r11", "memory");
	return guest_last_vector;
}

int hypercall_safe(void *page, u64 control, u64 in, u64 out, u64 *result)
{
	register u64 r8 asm("r8") = out;
	u64 rax = 0;

	guest_last_vector = -1;
	if (page)
		asm volatile(FIXUP_BEGIN "call *%[page]" FIXUP_END
			     : "+a"(rax), "+c"(control), "+d"(in), "+r"(r8)
			     : [page] "r"(page) : "r9", "r10", "r11", "memory");
	else
		asm volatile(FIXUP_BEGIN "vmmcall" FIXUP_END
			     : "+a"(rax), "+c"(control), "+d"(in), "+r"(r8) : : "r9", "r10", "r11", "memory");
	*result = rax;
	return guest_last_vector;
}

int vmrun_safe(void)
{
	guest_last_vector = -1;
	asm volatile(FIXUP_BEGIN "vmrun" FIXUP_END : : "a"(0) : "r11", "memory");
	return guest_last_vector;
}

bool guest_has_arg(const char *word)
{
	size_t n = strlen(word);

	/* The first word is the image's own name. */
	for (const char *s = guest_cmdline; *s; s++)
		if (s[0] == ' ' && !strncmp(s + 1, word, n) && (s[n + 1] == ' ' || !s[n + 1]))
			return true;
	return false;
}
