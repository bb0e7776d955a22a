/* Exit code names for logs (APM vol. 2, appendix C). */
#include "svm.h"
#include "vmcb.h"

static const char *const names[] = {
	[0x60] = "INTR", [0x61] = "NMI", [0x62] = "SMI", [0x63] = "INIT", [0x64] = "VINTR",
	[0x65] = "CR0_SEL_WRITE", [0x66] = "IDTR_READ", [0x67] = "GDTR_READ", [0x68] = "LDTR_READ",
	[0x69] = "TR_READ", [0x6A] = "IDTR_WRITE", [0x6B] = "GDTR_WRITE", [0x6C] = "LDTR_WRITE",
	[0x6D] = "TR_WRITE", [0x6E] = "RDTSC", [0x6F] = "RDPMC", [0x70] = "PUSHF", [0x71] = "POPF",
	[0x72] = "CPUID", [0x73] = "RSM", [0x74] = "IRET", [0x75] = "SWINT", [0x76] = "INVD",
	[0x77] = "PAUSE", [0x78] = "HLT", [0x79] = "INVLPG", [0x7A] = "INVLPGA", [0x7B] = "IOIO",
	[0x7C] = "MSR", [0x7D] = "TASK_SWITCH", [0x7E] = "FERR_FREEZE", [0x7F] = "SHUTDOWN",
	[0x80] = "VMRUN", [0x81] = "VMMCALL", [0x82] = "VMLOAD", [0x83] = "VMSAVE", [0x84] = "STGI",
	[0x85] = "CLGI", [0x86] = "SKINIT", [0x87] = "RDTSCP", [0x88] = "ICEBP", [0x89] = "WBINVD",
	[0x8A] = "MONITOR", [0x8B] = "MWAIT", [0x8C] = "MWAIT_CONDITIONAL", [0x8D] = "XSETBV",
	[0x8E] = "RDPRU", [0x8F] = "EFER_WRITE_TRAP",
};

const char *svm_exit_name(u64 code)
{
	if (code < 0x10)
		return "CR_READ";
	if (code < 0x20)
		return "CR_WRITE";
	if (code < 0x30)
		return "DR_READ";
	if (code < 0x40)
		return "DR_WRITE";
	if (code < 0x60)
		return "EXCEPTION";
	if (code >= 0x90 && code < 0xA0)
		return "CR_WRITE_TRAP";
	if (code < ARRAY_SIZE(names) && names[code])
		return names[code];
	switch (code) {
	case SVM_EXIT_NPF: return "NPF";
	case 0x401: return "AVIC_INCOMPLETE_IPI";
	case 0x402: return "AVIC_NOACCEL";
	case 0x403: return "VMGEXIT";
	}
	return "UNKNOWN";
}
