/* Length decoding for the instructions SVM intercepts. Only the encodings
 * of the known kind are recognised; anything else is a mismatch, which
 * catches a guest that rewrote its code between the exit and our fetch. */
#include "insn_len.h"

/* What follows the opcode byte. */
enum tail {
	T_NONE,
	T_IMM8,	 /* INT n */
	T_FIXED, /* exactly the ModRM byte `arg`: the 0F 01 register-form group */
	T_CRDR,	 /* MOV CR/DR: always register operands, whatever mod says */
	T_MEM,	 /* ModRM with reg == arg, memory operand only */
	T_RM,	 /* ModRM with reg == arg, register or memory operand */
};

struct form {
	bool two_byte; /* opcode is preceded by the 0F escape */
	u8 op;
	u8 tail;
	u8 arg;
};

static const struct form forms[INSN_NR_KINDS] = {
    [INSN_HLT] = {false, 0xf4, T_NONE, 0},
    [INSN_INT3] = {false, 0xcc, T_NONE, 0},
    [INSN_INTN] = {false, 0xcd, T_IMM8, 0},
    [INSN_IRET] = {false, 0xcf, T_NONE, 0},
    [INSN_ICEBP] = {false, 0xf1, T_NONE, 0},
    [INSN_PUSHF] = {false, 0x9c, T_NONE, 0},
    [INSN_POPF] = {false, 0x9d, T_NONE, 0},
    [INSN_PAUSE] = {false, 0x90, T_NONE, 0}, /* plus F3, checked below */

    [INSN_CLTS] = {true, 0x06, T_NONE, 0},
    [INSN_INVD] = {true, 0x08, T_NONE, 0},
    [INSN_WBINVD] = {true, 0x09, T_NONE, 0},
    [INSN_WRMSR] = {true, 0x30, T_NONE, 0},
    [INSN_RDTSC] = {true, 0x31, T_NONE, 0},
    [INSN_RDMSR] = {true, 0x32, T_NONE, 0},
    [INSN_RDPMC] = {true, 0x33, T_NONE, 0},
    [INSN_CPUID] = {true, 0xa2, T_NONE, 0},
    [INSN_RSM] = {true, 0xaa, T_NONE, 0},

    [INSN_MONITOR] = {true, 0x01, T_FIXED, 0xc8},
    [INSN_MWAIT] = {true, 0x01, T_FIXED, 0xc9},
    [INSN_XSETBV] = {true, 0x01, T_FIXED, 0xd1},
    [INSN_VMRUN] = {true, 0x01, T_FIXED, 0xd8},
    [INSN_VMMCALL] = {true, 0x01, T_FIXED, 0xd9},
    [INSN_VMLOAD] = {true, 0x01, T_FIXED, 0xda},
    [INSN_VMSAVE] = {true, 0x01, T_FIXED, 0xdb},
    [INSN_STGI] = {true, 0x01, T_FIXED, 0xdc},
    [INSN_CLGI] = {true, 0x01, T_FIXED, 0xdd},
    [INSN_SKINIT] = {true, 0x01, T_FIXED, 0xde},
    [INSN_INVLPGA] = {true, 0x01, T_FIXED, 0xdf},
    [INSN_RDTSCP] = {true, 0x01, T_FIXED, 0xf9},

    /* 0F 20/22 and 0F 21/23: bit 1 of the opcode is the direction. */
    [INSN_MOV_CR] = {true, 0x20, T_CRDR, 0},
    [INSN_MOV_DR] = {true, 0x21, T_CRDR, 0},

    /* With mod == 3 these reg values of 0F 01 are the T_FIXED forms above. */
    [INSN_SGDT] = {true, 0x01, T_MEM, 0},
    [INSN_SIDT] = {true, 0x01, T_MEM, 1},
    [INSN_LGDT] = {true, 0x01, T_MEM, 2},
    [INSN_LIDT] = {true, 0x01, T_MEM, 3},
    [INSN_SMSW] = {true, 0x01, T_RM, 4},
    [INSN_LMSW] = {true, 0x01, T_RM, 6},
    [INSN_INVLPG] = {true, 0x01, T_MEM, 7},
    [INSN_SLDT] = {true, 0x00, T_RM, 0},
    [INSN_STR] = {true, 0x00, T_RM, 1},
    [INSN_LLDT] = {true, 0x00, T_RM, 2},
    [INSN_LTR] = {true, 0x00, T_RM, 3},
};

/* Byte i is needed: is it within the architectural limit and the buffer? */
static int need(size_t i, size_t avail)
{
	if (i >= INSN_MAX_LEN)
		return INSN_ERR_TOO_LONG;
	if (i >= avail)
		return INSN_ERR_TRUNCATED;
	return 0;
}

static bool legacy_prefix(u8 c)
{
	switch (c) {
	case 0x26: /* ES, CS, SS, DS, FS, GS overrides */
	case 0x2e:
	case 0x36:
	case 0x3e:
	case 0x64:
	case 0x65:
	case 0x66: /* operand size */
	case 0x67: /* address size */
	case 0xf0: /* LOCK */
	case 0xf2: /* REPNE */
	case 0xf3: /* REP */
		return true;
	}
	return false;
}

/* Number of SIB and displacement bytes after the ModRM at b[i], or an error. */
static int modrm_tail(const u8 *b, size_t i, size_t avail, bool addr16)
{
	u8 mod = b[i] >> 6, rm = b[i] & 7;
	int sib = 0, err;

	if (mod == 3)
		return 0;
	if (addr16) /* no SIB; mod 00 rm 110 is a bare disp16 */
		return mod == 1 ? 1 : (mod == 2 || rm == 6) ? 2 : 0;
	if (rm == 4) {
		err = need(i + 1, avail);
		if (err)
			return err;
		sib = 1;
		/* SIB base 101 under mod 00 means disp32, just like rm 101 does
		 * (absolute in 32-bit mode, RIP-relative in 64-bit mode). */
		rm = b[i + 1] & 7;
	}
	return sib + (mod == 1 ? 1 : (mod == 2 || rm == 5) ? 4 : 0);
}

int insn_len(const u8 *b, size_t avail, enum insn_mode mode, enum insn_kind kind)
{
	const struct form *f;
	bool asize = false, rep = false;
	u8 rex = 0, op, modrm;
	size_t i;
	int err, extra;

	if ((unsigned)kind >= INSN_NR_KINDS)
		return INSN_ERR_MISMATCH;
	f = &forms[kind];

	/* Prefixes. A REX followed by a legacy prefix is ignored by the CPU but
	 * still occupies a byte, so only the one next to the opcode is kept. */
	for (i = 0;; i++) {
		err = need(i, avail);
		if (err)
			return err;
		if (mode == INSN_MODE_64 && (b[i] & 0xf0) == 0x40) {
			rex = b[i];
			continue;
		}
		if (!legacy_prefix(b[i]))
			break;
		rex = 0;
		asize |= b[i] == 0x67;
		rep |= b[i] == 0xf3;
	}

	if (f->two_byte) {
		if (b[i] != 0x0f)
			return INSN_ERR_MISMATCH;
		err = need(++i, avail);
		if (err)
			return err;
	}
	op = b[i++];
	if (f->tail == T_CRDR)
		op &= ~2;
	if (op != f->op)
		return INSN_ERR_MISMATCH;
	/* PAUSE is F3 90; with REX.B, 90 is XCHG r8, rAX instead of NOP. */
	if (kind == INSN_PAUSE && (!rep || (rex & 1)))
		return INSN_ERR_MISMATCH;

	if (f->tail == T_IMM8)
		i++;
	else if (f->tail != T_NONE) {
		err = need(i, avail);
		if (err)
			return err;
		modrm = b[i];
		if (f->tail == T_FIXED && modrm != f->arg)
			return INSN_ERR_MISMATCH;
		if (f->tail == T_MEM || f->tail == T_RM) {
			if (((modrm >> 3) & 7) != f->arg || (f->tail == T_MEM && modrm >= 0xc0))
				return INSN_ERR_MISMATCH;
			/* 67 flips 16 <-> 32 outside long mode, 64 -> 32 inside. */
			extra = modrm_tail(b, i, avail,
					   mode == INSN_MODE_16 ? !asize
								: mode == INSN_MODE_32 && asize);
			if (extra < 0)
				return extra;
			i += extra;
		}
		i++;
	}

	/* Immediates and displacements are never read, but must be there. */
	err = need(i - 1, avail);
	return err ? err : (int)i;
}
