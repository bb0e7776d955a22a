/*
 * Decoding of the instruction behind a memory intercept on an emulated MMIO
 * page. The platform gives no decode assists, only the GPA, the access type
 * and up to 16 instruction bytes at CS:RIP (fewer if the fetch ran into an
 * unmapped page), so the VMWP finds out itself which register a read fills
 * and how, what a write stores, the access size and the instruction length.
 *
 * Only the forms compilers emit for MMIO accessors (Linux's readX/writeX,
 * ioreadX/iowriteX) are decoded: MOV 88/89/8A/8B, MOV C6/C7 /0 with an
 * immediate, MOVZX 0F B6/B7, MOVSX 0F BE/BF and MOV A0-A3 (moffs). Any other
 * instruction, LOCK/REP, a register-only ModRM, a truncated fetch or more
 * than 15 bytes is an error, never a guess. Pure functions, no state: the
 * same code runs in the VMWP, under unit tests and under a fuzzer.
 */
#ifndef SEPTUM_MMIO_INSN_H
#define SEPTUM_MMIO_INSN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MMIO_INSN_MAX_LEN 15 /* the architectural limit */

/* Default operand and address size of the guest's CS: 64 when EFER.LMA and
 * CS.L, else 32 when CS.D, else 16 (real mode and 16-bit protected mode). */
enum mmio_insn_mode { MMIO_INSN_16, MMIO_INSN_32, MMIO_INSN_64 };

enum {
	MMIO_INSN_ERR_TRUNCATED = -1,	/* more bytes needed than were fetched */
	MMIO_INSN_ERR_TOO_LONG = -2,	/* beyond the 15-byte limit (the CPU raises #GP) */
	MMIO_INSN_ERR_UNSUPPORTED = -3, /* not one of the forms above, or a bad mode */
	MMIO_INSN_ERR_LOCK_REP = -4,	/* LOCK, REPNE or REP prefix */
	MMIO_INSN_ERR_NO_MEMORY = -5,	/* ModRM mod=3: no memory operand to fault on */
};

struct mmio_insn {
	uint8_t len;	  /* bytes, to add to RIP */
	uint8_t size;	  /* memory access size: 1, 2, 4 or 8 */
	bool write;	  /* to memory (else a read into reg) */
	bool has_imm;	  /* a write of imm rather than of reg */
	uint64_t imm;	  /* extended to size (C7 with REX.W: imm32 sign-extended) */
	uint8_t reg;	  /* register operand, 0-15 = RAX..R15 (SDM order); 0 with has_imm */
	bool high_byte;	  /* reg 4-7 are AH, CH, DH, BH: bits 15:8 of GPR reg - 4 */
	uint8_t reg_size; /* register operand width: 1, 2, 4, 8; 0 with has_imm */
	bool sign_extend; /* MOVSX (else a narrower read zero-extends: MOVZX) */
};

/*
 * Decodes the instruction at bytes[0..n) as executed in `mode`.
 * Parameters: bytes, n: the fetched instruction bytes (n may exceed the
 * instruction; nothing at or past bytes[n] is read); mode: CS's default
 * size; out: the result, written only on success.
 * Return values: 0, or one of MMIO_INSN_ERR_*.
 * The caller checks out->write against the intercept's access type: a
 * mismatch means the guest changed its code between the exit and the fetch.
 */
int mmio_insn_decode(const uint8_t *bytes, size_t n, enum mmio_insn_mode mode,
		     struct mmio_insn *out);

/* A read's register result: `value` (the low `size` bytes count) loaded into
 * the GPR whose value was `old` (with high_byte, GPR reg - 4), by the x86-64
 * rules: 32-bit results zero bits 63:32, 8- and 16-bit results keep the
 * other bits. */
uint64_t mmio_insn_load(const struct mmio_insn *insn, uint64_t old, uint64_t value);

/* A write's data, `size` bytes: the immediate, or from the current value of
 * the GPR (with high_byte, GPR reg - 4). */
uint64_t mmio_insn_store_value(const struct mmio_insn *insn, uint64_t reg_value);

/* A short English name of a MMIO_INSN_ERR_* code, for log lines. */
const char *mmio_insn_strerror(int err);

#endif
