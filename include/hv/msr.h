/* Hyper-V synthetic MSRs (TLFS 2.4 / appendix) and their field layouts. */
#ifndef HV_MSR_H
#define HV_MSR_H

#define HV_X64_MSR_GUEST_OS_ID		0x40000000
#define HV_X64_MSR_HYPERCALL		0x40000001
#define HV_X64_MSR_VP_INDEX		0x40000002

/* HV_X64_MSR_HYPERCALL: bit 0 enable, bit 1 locked, bits 63:12 GPA page. */
#define HV_X64_MSR_HYPERCALL_ENABLE	(1ULL << 0)
#define HV_X64_MSR_HYPERCALL_LOCKED	(1ULL << 1)
#define HV_X64_MSR_HYPERCALL_PFN_SHIFT	12

#endif
