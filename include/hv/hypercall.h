/* TLFS hypercall interface: the control word, the result value, call codes. */
#ifndef HV_HYPERCALL_H
#define HV_HYPERCALL_H

/* Hypercall input value (TLFS 3.7: "Hypercall Inputs"). */
#define HV_HYPERCALL_CODE_MASK		0xFFFFULL
#define HV_HYPERCALL_FAST_BIT		(1ULL << 16)
#define HV_HYPERCALL_VARHEAD_SHIFT	17
#define HV_HYPERCALL_VARHEAD_MASK	(0x3FFULL << HV_HYPERCALL_VARHEAD_SHIFT)
#define HV_HYPERCALL_NESTED_BIT		(1ULL << 31)
#define HV_HYPERCALL_REP_COUNT_SHIFT	32
#define HV_HYPERCALL_REP_COUNT_MASK	(0xFFFULL << HV_HYPERCALL_REP_COUNT_SHIFT)
#define HV_HYPERCALL_REP_START_SHIFT	48
#define HV_HYPERCALL_REP_START_MASK	(0xFFFULL << HV_HYPERCALL_REP_START_SHIFT)
/* Bits 30:27, 47:44 and 63:60 must be zero. */
#define HV_HYPERCALL_RSVD_MASK		0xF000F00078000000ULL

/* Hypercall result value: status in 15:0, reps completed in 43:32. */
#define HV_HYPERCALL_RESULT_MASK	0xFFFFULL
#define HV_HYPERCALL_REP_COMP_SHIFT	32
#define HV_HYPERCALL_REP_COMP_MASK	(0xFFFULL << HV_HYPERCALL_REP_COMP_SHIFT)

/* The hypercall page holds the calling sequence; VMMCALL on AMD. */
#define HV_HYPERCALL_INSN_VMMCALL	{ 0x0F, 0x01, 0xD9 }

/* Call codes (TLFS appendix A; Linux include/asm-generic/hyperv-tlfs.h). */
#define HVCALL_NOTIFY_LONG_SPIN_WAIT	0x0008

#endif
