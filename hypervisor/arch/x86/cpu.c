/*
 * The hypervisor's own GDT, TSS and IDT. Every exception is fatal except
 * NMI, which only reaches us from a guest exit and is logged.
 */
#include "lib.h"
#include "log.h"
#include "x86.h"

#define GDT_CODE	0x08
#define GDT_DATA	0x10
#define GDT_TSS		0x18
#define IST_STACK_SIZE	8192

struct tss {
	u32 reserved0;
	u64 rsp[3];
	u64 reserved1;
	u64 ist[7];
	u64 reserved2;
	u16 reserved3;
	u16 iomap_base;
} __packed;

struct idt_entry {
	u16 offset_lo;
	u16 selector;
	u8 ist;
	u8 type;
	u16 offset_mid;
	u32 offset_hi;
	u32 reserved;
} __packed;

struct trap_frame {
	u64 r15, r14, r13, r12, r11, r10, r9, r8, rdi, rsi, rbp, rbx, rdx, rcx, rax;
	u64 vector, error, rip, cs, rflags, rsp, ss;
};

static u64 gdt[5] __aligned(16);
static struct tss tss __aligned(16);
static struct idt_entry idt[32] __aligned(16);
static u8 ist_stack[IST_STACK_SIZE] __aligned(16);

extern const u8 isr_table[];

static const char *const exc_names[32] = {
	"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "CSO", "#TS", "#NP",
	"#SS", "#GP", "#PF", "?15", "#MF", "#AC", "#MC", "#XM", "#VE", "#CP", "?22", "?23",
	"?24", "?25", "?26", "?27", "#HV", "#VC", "#SX", "?31",
};

void trap_handler(struct trap_frame *f)
{
	if (f->vector == 2) {
		pr_warn("NMI at %lx", f->rip);
		return;
	}
	pr_err("hypervisor exception %s (vector %lu) error %lx at rip %lx", exc_names[f->vector & 31],
	       f->vector, f->error, f->rip);
	pr_err("cr0 %lx cr2 %lx cr3 %lx cr4 %lx rflags %lx", read_cr0(), read_cr2(), read_cr3(),
	       read_cr4(), f->rflags);
	pr_err("rax %016lx rbx %016lx rcx %016lx rdx %016lx", f->rax, f->rbx, f->rcx, f->rdx);
	pr_err("rsi %016lx rdi %016lx rbp %016lx rsp %016lx", f->rsi, f->rdi, f->rbp, f->rsp);
	pr_err("r8  %016lx r9  %016lx r10 %016lx r11 %016lx", f->r8, f->r9, f->r10, f->r11);
	pr_err("r12 %016lx r13 %016lx r14 %016lx r15 %016lx", f->r12, f->r13, f->r14, f->r15);
	panic("unexpected exception in the hypervisor");
}

static void load_tables(bool with_tr);

void cpu_init(void)
{
	u64 t = (u64)&tss;

	gdt[GDT_CODE / 8] = 0x00AF9A000000FFFFULL;
	gdt[GDT_DATA / 8] = 0x00CF92000000FFFFULL;
	gdt[GDT_TSS / 8] = (sizeof(tss) - 1) | ((t & 0xFFFFFF) << 16) | (0x89ULL << 40) |
			   ((t >> 24 & 0xFF) << 56);
	gdt[GDT_TSS / 8 + 1] = t >> 32;
	tss.ist[0] = (u64)ist_stack + sizeof(ist_stack);
	tss.iomap_base = sizeof(tss);

	for (int v = 0; v < 32; v++) {
		u64 h = (u64)isr_table + v * 16;

		idt[v] = (struct idt_entry){
			.offset_lo = h, .selector = GDT_CODE, .type = 0x8E,
			.offset_mid = h >> 16, .offset_hi = h >> 32,
			/* A fresh stack where the current one may be the problem. */
			.ist = (v == X86_EXC_DF || v == 2 || v == X86_EXC_MC) ? 1 : 0,
		};
	}
	load_tables(true);
	/* XCR0 is one register for everyone: the hypervisor must be able to
	 * switch it between the root and children (svm.c). */
	{
		struct cpuid_regs r;

		cpuid(1, 0, &r);
		if (r.ecx & BIT(26))
			write_cr4(read_cr4() | X86_CR4_OSXSAVE);
	}
}

/* An AP shares the GDT and IDT but not the TSS (a TSS is busy once
 * loaded); it parks with GIF clear, so no event needs an IST stack. */
void cpu_init_ap(void)
{
	load_tables(false);
}

static void load_tables(bool with_tr)
{
	struct {
		u16 limit;
		u64 base;
	} __packed gdtr = { sizeof(gdt) - 1, (u64)gdt }, idtr = { sizeof(idt) - 1, (u64)idt };

	asm volatile("lgdt %0\n\t"
		     "lidt %1\n\t"
		     "pushq %2\n\t"
		     "leaq 1f(%%rip), %%rax\n\t"
		     "pushq %%rax\n\t"
		     "lretq\n"
		     "1:\n\t"
		     "mov %3, %%eax\n\t"
		     "mov %%eax, %%ds\n\t"
		     "mov %%eax, %%es\n\t"
		     "mov %%eax, %%ss\n\t"
		     "mov %%eax, %%fs\n\t"
		     "mov %%eax, %%gs"
		     :
		     : "m"(gdtr), "m"(idtr), "i"(GDT_CODE), "i"(GDT_DATA)
		     : "rax", "memory");
	if (with_tr)
		asm volatile("ltr %w0" ::"r"(GDT_TSS));
}
