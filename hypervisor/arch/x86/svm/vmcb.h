/* The AMD64 VMCB (APM vol. 2, appendix B), with offsets checked at build time. */
#ifndef SEPTUM_SVM_VMCB_H
#define SEPTUM_SVM_VMCB_H

#include "types.h"

/* intercept_misc1 (VMCB offset 0x0C) */
#define SVM_INTERCEPT_INTR	BIT(0)
#define SVM_INTERCEPT_NMI	BIT(1)
#define SVM_INTERCEPT_SMI	BIT(2)
#define SVM_INTERCEPT_INIT	BIT(3)
#define SVM_INTERCEPT_VINTR	BIT(4)
#define SVM_INTERCEPT_CPUID	BIT(18)
#define SVM_INTERCEPT_INVD	BIT(22)
#define SVM_INTERCEPT_HLT	BIT(24)
#define SVM_INTERCEPT_INVLPGA	BIT(26)
#define SVM_INTERCEPT_IOIO	BIT(27)
#define SVM_INTERCEPT_MSR	BIT(28)
#define SVM_INTERCEPT_TASK_SW	BIT(29)
#define SVM_INTERCEPT_FERR	BIT(30)
#define SVM_INTERCEPT_SHUTDOWN	BIT(31)
/* intercept_misc2 (0x10) */
#define SVM_INTERCEPT_VMRUN	BIT(0)
#define SVM_INTERCEPT_VMMCALL	BIT(1)
#define SVM_INTERCEPT_VMLOAD	BIT(2)
#define SVM_INTERCEPT_VMSAVE	BIT(3)
#define SVM_INTERCEPT_STGI	BIT(4)
#define SVM_INTERCEPT_CLGI	BIT(5)
#define SVM_INTERCEPT_SKINIT	BIT(6)
#define SVM_INTERCEPT_RDTSCP	BIT(7)
#define SVM_INTERCEPT_ICEBP	BIT(8)
#define SVM_INTERCEPT_WBINVD	BIT(9)
#define SVM_INTERCEPT_MONITOR	BIT(10)
#define SVM_INTERCEPT_MWAIT	BIT(11)
#define SVM_INTERCEPT_XSETBV	BIT(13)

#define SVM_TLB_CONTROL_NONE		0
#define SVM_TLB_CONTROL_FLUSH_ALL	1
#define SVM_TLB_CONTROL_FLUSH_ASID	3

#define SVM_INT_CTL_V_TPR		0xFULL	/* MOV CR8 with V_INTR_MASKING */
#define SVM_INT_CTL_V_IRQ		BIT(8)
#define SVM_INT_CTL_V_INTR_PRIO		(0xFULL << 16)
#define SVM_INT_CTL_V_IGN_TPR		BIT(20)
#define SVM_INT_CTL_V_INTR_MASKING	BIT(24)
#define SVM_NESTED_CTL_NP_ENABLE	BIT(0)

#define SVM_EVTINJ_VALID	BIT(31)
#define SVM_EVTINJ_ERR_VALID	BIT(11)
#define SVM_EVTINJ_TYPE_SHIFT	8
#define SVM_EVTINJ_TYPE_INTR	0
#define SVM_EVTINJ_TYPE_NMI	2
#define SVM_EVTINJ_TYPE_EXC	3
#define SVM_EVTINJ_TYPE_SOFT	4

/* Exit codes the handlers look at; the full name table is in svm_exit.c. */
#define SVM_EXIT_EXCP_BASE	0x040
#define SVM_EXIT_INTR		0x060
#define SVM_EXIT_NMI		0x061
#define SVM_EXIT_SMI		0x062
#define SVM_EXIT_VINTR		0x064
#define SVM_EXIT_CPUID		0x072
#define SVM_EXIT_INVD		0x076
#define SVM_EXIT_HLT		0x078
#define SVM_EXIT_INVLPGA	0x07A
#define SVM_EXIT_IOIO		0x07B
#define SVM_EXIT_MSR		0x07C
#define SVM_EXIT_SHUTDOWN	0x07F
#define SVM_EXIT_VMRUN		0x080
#define SVM_EXIT_VMMCALL	0x081
#define SVM_EXIT_VMLOAD		0x082
#define SVM_EXIT_VMSAVE		0x083
#define SVM_EXIT_STGI		0x084
#define SVM_EXIT_CLGI		0x085
#define SVM_EXIT_SKINIT		0x086
#define SVM_EXIT_RDTSCP		0x087
#define SVM_EXIT_MONITOR	0x08A
#define SVM_EXIT_MWAIT		0x08B
#define SVM_EXIT_NPF		0x400
/* TCG writes VMEXIT_INVALID through a 32-bit variable: compare low bits. */
#define SVM_EXIT_INVALID	0xFFFFFFFFULL

/* IOIO EXITINFO1 */
#define SVM_IOIO_IN		BIT(0)
#define SVM_IOIO_STR		BIT(2)
#define SVM_IOIO_REP		BIT(3)
#define SVM_IOIO_SIZE_SHIFT	4

struct vmcb_seg {
	u16 selector;
	u16 attrib;	/* descriptor bits 47:40 in 7:0, bits 55:52 in 11:8 */
	u32 limit;
	u64 base;
};

struct vmcb_control {
	u32 intercept_cr;
	u32 intercept_dr;
	u32 intercept_exceptions;
	u32 intercept_misc1;
	u32 intercept_misc2;
	u32 intercept_misc3;
	u8 reserved_18[0x3C - 0x18];
	u16 pause_filter_threshold;
	u16 pause_filter_count;
	u64 iopm_base_pa;
	u64 msrpm_base_pa;
	u64 tsc_offset;
	u32 asid;
	u8 tlb_control;
	u8 reserved_5d[3];
	u64 int_ctl;
	u64 int_state;
	u64 exit_code;
	u64 exit_info1;
	u64 exit_info2;
	u64 exit_int_info;
	u64 nested_ctl;
	u64 avic_vapic_bar;
	u64 ghcb_gpa;
	u64 event_inj;
	u64 nested_cr3;
	u64 virt_ext;
	u32 clean;
	u32 reserved_c4;
	u64 next_rip;
	u8 insn_len;
	u8 insn_bytes[15];
	u8 reserved_e0[0x400 - 0xE0];
};

struct vmcb_save {
	struct vmcb_seg es, cs, ss, ds, fs, gs, gdtr, ldtr, idtr, tr;
	u8 reserved_a0[0xCB - 0xA0];
	u8 cpl;
	u32 reserved_cc;
	u64 efer;
	u8 reserved_d8[0x148 - 0xD8];
	u64 cr4, cr3, cr0, dr7, dr6, rflags, rip;
	u8 reserved_180[0x1D8 - 0x180];
	u64 rsp;
	u64 s_cet, ssp, isst_addr;
	u64 rax;
	u64 star, lstar, cstar, sfmask, kernel_gs_base;
	u64 sysenter_cs, sysenter_esp, sysenter_eip;
	u64 cr2;
	u8 reserved_248[0x268 - 0x248];
	u64 g_pat;
	u64 dbgctl;
	u64 br_from, br_to, last_excp_from, last_excp_to;
};

struct vmcb {
	struct vmcb_control control;
	struct vmcb_save save;
};

_Static_assert(offsetof(struct vmcb_control, pause_filter_threshold) == 0x3C, "vmcb");
_Static_assert(offsetof(struct vmcb_control, iopm_base_pa) == 0x40, "vmcb");
_Static_assert(offsetof(struct vmcb_control, asid) == 0x58, "vmcb");
_Static_assert(offsetof(struct vmcb_control, int_ctl) == 0x60, "vmcb");
_Static_assert(offsetof(struct vmcb_control, exit_code) == 0x70, "vmcb");
_Static_assert(offsetof(struct vmcb_control, exit_int_info) == 0x88, "vmcb");
_Static_assert(offsetof(struct vmcb_control, nested_ctl) == 0x90, "vmcb");
_Static_assert(offsetof(struct vmcb_control, event_inj) == 0xA8, "vmcb");
_Static_assert(offsetof(struct vmcb_control, nested_cr3) == 0xB0, "vmcb");
_Static_assert(offsetof(struct vmcb_control, clean) == 0xC0, "vmcb");
_Static_assert(offsetof(struct vmcb_control, next_rip) == 0xC8, "vmcb");
_Static_assert(offsetof(struct vmcb_control, insn_len) == 0xD0, "vmcb");
_Static_assert(sizeof(struct vmcb_control) == 0x400, "vmcb");
_Static_assert(offsetof(struct vmcb, save.tr) == 0x490, "vmcb");
_Static_assert(offsetof(struct vmcb, save.cpl) == 0x4CB, "vmcb");
_Static_assert(offsetof(struct vmcb, save.efer) == 0x4D0, "vmcb");
_Static_assert(offsetof(struct vmcb, save.cr4) == 0x548, "vmcb");
_Static_assert(offsetof(struct vmcb, save.rip) == 0x578, "vmcb");
_Static_assert(offsetof(struct vmcb, save.rsp) == 0x5D8, "vmcb");
_Static_assert(offsetof(struct vmcb, save.rax) == 0x5F8, "vmcb");
_Static_assert(offsetof(struct vmcb, save.star) == 0x600, "vmcb");
_Static_assert(offsetof(struct vmcb, save.cr2) == 0x640, "vmcb");
_Static_assert(offsetof(struct vmcb, save.g_pat) == 0x668, "vmcb");
_Static_assert(sizeof(struct vmcb) <= 4096, "vmcb");

#endif
