/* Length of an intercepted guest instruction whose kind is already known from
 * the exit code. Needed because QEMU TCG never fills the VMCB next-RIP field,
 * so the hypervisor must find the end of the instruction itself. */
#ifndef SEPTUM_INSN_LEN_H
#define SEPTUM_INSN_LEN_H

#include "types.h"

/* Default operand/address size of the guest's CS. */
enum insn_mode { INSN_MODE_16, INSN_MODE_32, INSN_MODE_64 };

enum insn_kind {
	INSN_CPUID,
	INSN_VMMCALL,
	INSN_HLT,
	INSN_RDMSR,
	INSN_WRMSR,
	INSN_RDTSC,
	INSN_RDTSCP,
	INSN_RDPMC,
	INSN_INVD,
	INSN_WBINVD,
	INSN_PAUSE,
	INSN_MONITOR,
	INSN_MWAIT,
	INSN_XSETBV,
	INSN_INVLPG,
	INSN_MOV_CR, /* either direction: 0F 20 or 0F 22 */
	INSN_MOV_DR, /* either direction: 0F 21 or 0F 23 */
	INSN_INVLPGA,
	INSN_VMRUN,
	INSN_VMLOAD,
	INSN_VMSAVE,
	INSN_STGI,
	INSN_CLGI,
	INSN_SKINIT,
	INSN_INT3,
	INSN_INTN,
	INSN_IRET,
	INSN_LMSW,
	INSN_CLTS,
	INSN_SMSW,
	/* The remaining instruction intercepts SVM offers. */
	INSN_ICEBP,
	INSN_RSM,
	INSN_PUSHF,
	INSN_POPF,
	INSN_SGDT,
	INSN_SIDT,
	INSN_LGDT,
	INSN_LIDT,
	INSN_SLDT,
	INSN_STR,
	INSN_LLDT,
	INSN_LTR,
	INSN_NR_KINDS
};

enum {
	INSN_ERR_MISMATCH = -1,	 /* the bytes are some other instruction */
	INSN_ERR_TRUNCATED = -2, /* more than `avail` bytes would be needed */
	INSN_ERR_TOO_LONG = -3,	 /* longer than the 15-byte architectural limit */
};

#define INSN_MAX_LEN 15

/* Length in bytes (1..15) of the instruction at bytes[0..avail) if it is an
 * instance of `kind`, else one of INSN_ERR_*. Never reads past bytes[avail-1].
 * Legacy prefixes and REX are accepted before any kind and count toward the
 * length: the exit already told us what the CPU executed. */
int insn_len(const u8 *bytes, size_t avail, enum insn_mode mode, enum insn_kind kind);

#endif
