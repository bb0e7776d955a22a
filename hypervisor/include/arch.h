/*
 * What generic code needs from a virtualization vendor (SVM now, VMX later).
 * The vendor is picked at boot from CPUID; generic code calls these and
 * never names the vendor. The table sits at the end of the vendor's file.
 */
#ifndef SEPTUM_ARCH_H
#define SEPTUM_ARCH_H

#include "gpa_map.h"
#include "hv/registers.h"
#include "types.h"

struct vp;

enum vp_reg {
	VP_REG_RIP,
	VP_REG_RFLAGS,
	VP_REG_CR0,
	VP_REG_CR2,
	VP_REG_CR3,
	VP_REG_CR4,
	VP_REG_EFER,
	VP_REG_PAT,
	VP_REG_DR6,
	VP_REG_DR7,
	VP_REG_KERNEL_GS_BASE,
	VP_REG_STAR,
	VP_REG_LSTAR,
	VP_REG_CSTAR,
	VP_REG_SFMASK,
	VP_REG_SYSENTER_CS,
	VP_REG_SYSENTER_ESP,
	VP_REG_SYSENTER_EIP,
	VP_REG_TSC_OFFSET,
	VP_REG_INTERRUPT_SHADOW,
	VP_REG_CR8,	/* the TPR's priority class, as MOV CR8 sees it */
};

enum vp_seg { VP_SEG_ES, VP_SEG_CS, VP_SEG_SS, VP_SEG_DS, VP_SEG_FS, VP_SEG_GS,
	      VP_SEG_LDTR, VP_SEG_TR, VP_SEG_GDTR, VP_SEG_IDTR };

/* TLFS HV_X64_SEGMENT_REGISTER; attributes as descriptor bytes 5-6:
 * type 3:0, S 4, DPL 6:5, P 7, AVL 12, L 13, D/B 14, G 15. */
struct vp_segment {
	u64 base;
	u32 limit;
	u16 selector;
	u16 attributes;
};

enum vp_cpu_mode { VP_MODE_REAL, VP_MODE_16, VP_MODE_32, VP_MODE_64 };

/* Numbered as the ABI's counters the root reads (SEPTUM_REGISTER_EXITS). */
enum vp_exit_reason {
	VP_EXIT_CPUID = SEPTUM_EXIT_CPUID,
	VP_EXIT_MSR_READ = SEPTUM_EXIT_MSR_READ,
	VP_EXIT_MSR_WRITE = SEPTUM_EXIT_MSR_WRITE,
	VP_EXIT_IO = SEPTUM_EXIT_IO,
	VP_EXIT_HYPERCALL = SEPTUM_EXIT_HYPERCALL,
	VP_EXIT_NPF = SEPTUM_EXIT_NPF,
	VP_EXIT_HLT = SEPTUM_EXIT_HLT,
	VP_EXIT_SHUTDOWN = SEPTUM_EXIT_SHUTDOWN,
	VP_EXIT_EXCEPTION = SEPTUM_EXIT_EXCEPTION,
	VP_EXIT_INVALID_STATE = SEPTUM_EXIT_INVALID_STATE,
	VP_EXIT_INTERRUPT = SEPTUM_EXIT_INTERRUPT,		/* a physical interrupt: the root must run */
	VP_EXIT_INTERRUPT_WINDOW = SEPTUM_EXIT_INTERRUPT_WINDOW, /* the guest can take one now */
	VP_EXIT_UNHANDLED = SEPTUM_EXIT_UNHANDLED,
};
#define VP_EXIT_REASONS SEPTUM_EXIT_REASONS

/* A decoded exit: what happened, in vendor-neutral terms. */
struct vp_exit {
	enum vp_exit_reason reason;
	union {
		struct {
			u16 port;
			u8 size;
			bool in, string, rep;
		} io;
		struct {
			u64 gpa;
			bool write, fetch, present;
		} npf;
		struct {
			u8 vector;
			u32 error;
		} exception;
		struct {
			u64 code;
			const char *name;
		} unhandled;
	};
};

struct arch_ops {
	const char *name;
	const struct gpa_map_ops *gpa_ops;
	int (*cpu_init)(void);
	/* VP state comes from `pages` (the partition's deposit or the heap). */
	int (*vp_create)(struct vp *vp, const struct page_source *pages);
	void (*vp_destroy)(struct vp *vp, const struct page_source *pages);
	/* Runs the VP until an exit generic code must handle. */
	/* With root_interrupts, physical interrupts end the run
	 * (VP_EXIT_INTERRUPT): the root owns them. */
	void (*vp_run)(struct vp *vp, struct vp_exit *exit, bool root_interrupts);
	u64 (*vp_get_reg)(struct vp *vp, enum vp_reg reg);
	void (*vp_set_reg)(struct vp *vp, enum vp_reg reg, u64 val);
	void (*vp_get_seg)(struct vp *vp, enum vp_seg seg, struct vp_segment *s);
	void (*vp_set_seg)(struct vp *vp, enum vp_seg seg, const struct vp_segment *s);
	void (*vp_inject_exception)(struct vp *vp, u8 vector, bool has_error, u32 error);
	void (*vp_inject_interrupt)(struct vp *vp, u8 vector);
	void (*vp_inject_nmi)(struct vp *vp);
	/* An event is already queued for the next entry (re-injected, say). */
	bool (*vp_event_pending)(struct vp *vp);
	/* RFLAGS.IF set and no interrupt shadow. */
	bool (*vp_interruptible)(struct vp *vp);
	/* Exit with VP_EXIT_INTERRUPT_WINDOW as soon as the guest can take one. */
	void (*vp_request_interrupt_window)(struct vp *vp, bool on);
	/* Length of the instruction that caused the last exit; -1 if it
	 * cannot be decoded. */
	int (*vp_insn_length)(struct vp *vp);
	/* Up to max bytes at CS:RIP (fewer where the guest's paging stops
	 * the fetch); how many. */
	size_t (*vp_fetch_insn)(struct vp *vp, u8 *bytes, size_t max);
	/* Logs the last exit, control state and registers. */
	void (*vp_dump)(struct vp *vp);
};

extern const struct arch_ops *arch;

/* Checks the CPU and picks the vendor; on failure a one-line reason. */
int arch_probe(char *why, size_t len);

#endif
