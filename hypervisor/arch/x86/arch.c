/* Picks the virtualization vendor from CPUID. */
#include "arch.h"
#include "lib.h"
#include "svm.h"
#include "x86.h"

const struct arch_ops *arch;

int arch_probe(char *why, size_t len)
{
	struct cpuid_regs r;

	cpuid(0, 0, &r);
	if (r.ebx == 0x68747541 && r.ecx == 0x444D4163 && r.edx == 0x69746E65) { /* AuthenticAMD */
		if (svm_probe(why, len))
			return -1;
		arch = &svm_ops;
		return 0;
	}
	hv_snprintf(why, len, "no supported virtualization extension (AMD-V with NPT required; "
			      "Intel VT-x is not implemented yet)");
	return -1;
}
