/* Unit tests for insn_len(): every kind, prefixes, REX, ModRM/SIB/displacement
 * forms in all three address sizes, mismatches, truncation and the 15-byte
 * limit. Each input is copied to the very end of a heap chunk so ASan
 * catches any read past `avail`. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* needs the four above first */
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "insn_len.h"

#define M16	  INSN_MODE_16
#define M32	  INSN_MODE_32
#define M64	  INSN_MODE_64
#define MISMATCH  INSN_ERR_MISMATCH
#define TRUNCATED INSN_ERR_TRUNCATED
#define TOO_LONG  INSN_ERR_TOO_LONG

/* Why the current test failed, for the FAIL line printed by main(). */
static char reason[256];

static int run(const u8 *bytes, size_t avail, enum insn_mode mode, enum insn_kind kind)
{
	/* ASan lets a malloc(0) chunk be read, so the bytes go at the end of a
	 * chunk one larger: anything past them is caught even for avail 0. */
	u8 *chunk = malloc(avail + 1);
	int ret;

	assert_non_null(chunk);
	memcpy(chunk + 1, bytes, avail);
	ret = insn_len(chunk + 1, avail, mode, kind);
	free(chunk);
	return ret;
}

static void check(int line, const u8 *bytes, size_t avail, enum insn_mode mode, enum insn_kind kind,
		  int want)
{
	int got = run(bytes, avail, mode, kind);

	if (got == want)
		return;
	snprintf(reason, sizeof(reason), "line %d: mode %d kind %d avail %zu: got %d, want %d",
		 line, mode, kind, avail, got, want);
	fail_msg("%s", reason);
}

/* A valid instruction of exactly these bytes: the full length is found with
 * or without trailing bytes, and every shorter buffer is truncated. */
static void check_valid(int line, const u8 *bytes, size_t len, enum insn_mode mode,
			enum insn_kind kind)
{
	u8 padded[INSN_MAX_LEN + 8];
	size_t n;

	memset(padded, 0xff, sizeof(padded));
	memcpy(padded, bytes, len);
	check(line, bytes, len, mode, kind, (int)len);
	check(line, padded, sizeof(padded), mode, kind, (int)len);
	for (n = 0; n < len; n++)
		check(line, bytes, n, mode, kind, TRUNCATED);
}

#define BYTES(...)  ((const u8[]){__VA_ARGS__})
#define NBYTES(...) sizeof(BYTES(__VA_ARGS__))
/* VALID(mode, kind, bytes...): the bytes are one whole instruction of kind. */
#define VALID(m, k, ...) check_valid(__LINE__, BYTES(__VA_ARGS__), NBYTES(__VA_ARGS__), m, k)
/* EXPECT(mode, kind, want, bytes...): insn_len() on exactly these bytes. */
#define EXPECT(m, k, want, ...) check(__LINE__, BYTES(__VA_ARGS__), NBYTES(__VA_ARGS__), m, k, want)

static const enum insn_mode modes[] = {M16, M32, M64};

/* Shortest encoding of each kind; the ModRM ones use [bx+si] / [eax] / [rax],
 * which has no displacement in any mode. */
static const struct {
	enum insn_kind kind;
	u8 len;
	u8 bytes[4];
} canonical[] = {
    {INSN_CPUID, 2, {0x0f, 0xa2}},
    {INSN_VMMCALL, 3, {0x0f, 0x01, 0xd9}},
    {INSN_HLT, 1, {0xf4}},
    {INSN_RDMSR, 2, {0x0f, 0x32}},
    {INSN_WRMSR, 2, {0x0f, 0x30}},
    {INSN_RDTSC, 2, {0x0f, 0x31}},
    {INSN_RDTSCP, 3, {0x0f, 0x01, 0xf9}},
    {INSN_RDPMC, 2, {0x0f, 0x33}},
    {INSN_INVD, 2, {0x0f, 0x08}},
    {INSN_WBINVD, 2, {0x0f, 0x09}},
    {INSN_PAUSE, 2, {0xf3, 0x90}},
    {INSN_MONITOR, 3, {0x0f, 0x01, 0xc8}},
    {INSN_MWAIT, 3, {0x0f, 0x01, 0xc9}},
    {INSN_XSETBV, 3, {0x0f, 0x01, 0xd1}},
    {INSN_INVLPG, 3, {0x0f, 0x01, 0x38}},
    {INSN_MOV_CR, 3, {0x0f, 0x20, 0xc0}},
    {INSN_MOV_CR, 3, {0x0f, 0x22, 0xd8}},
    {INSN_MOV_DR, 3, {0x0f, 0x21, 0xf8}},
    {INSN_MOV_DR, 3, {0x0f, 0x23, 0xc0}},
    {INSN_INVLPGA, 3, {0x0f, 0x01, 0xdf}},
    {INSN_VMRUN, 3, {0x0f, 0x01, 0xd8}},
    {INSN_VMLOAD, 3, {0x0f, 0x01, 0xda}},
    {INSN_VMSAVE, 3, {0x0f, 0x01, 0xdb}},
    {INSN_STGI, 3, {0x0f, 0x01, 0xdc}},
    {INSN_CLGI, 3, {0x0f, 0x01, 0xdd}},
    {INSN_SKINIT, 3, {0x0f, 0x01, 0xde}},
    {INSN_INT3, 1, {0xcc}},
    {INSN_INTN, 2, {0xcd, 0x80}},
    {INSN_IRET, 1, {0xcf}},
    {INSN_LMSW, 3, {0x0f, 0x01, 0x30}},
    {INSN_LMSW, 3, {0x0f, 0x01, 0xf0}},
    {INSN_CLTS, 2, {0x0f, 0x06}},
    {INSN_SMSW, 3, {0x0f, 0x01, 0x20}},
    {INSN_SMSW, 3, {0x0f, 0x01, 0xe0}},
    {INSN_ICEBP, 1, {0xf1}},
    {INSN_RSM, 2, {0x0f, 0xaa}},
    {INSN_PUSHF, 1, {0x9c}},
    {INSN_POPF, 1, {0x9d}},
    {INSN_SGDT, 3, {0x0f, 0x01, 0x00}},
    {INSN_SIDT, 3, {0x0f, 0x01, 0x08}},
    {INSN_LGDT, 3, {0x0f, 0x01, 0x10}},
    {INSN_LIDT, 3, {0x0f, 0x01, 0x18}},
    {INSN_SLDT, 3, {0x0f, 0x00, 0x00}},
    {INSN_SLDT, 3, {0x0f, 0x00, 0xc0}},
    {INSN_STR, 3, {0x0f, 0x00, 0x08}},
    {INSN_LLDT, 3, {0x0f, 0x00, 0x10}},
    {INSN_LTR, 3, {0x0f, 0x00, 0xd8}},
};

static void test_every_kind(void **state)
{
	bool seen[INSN_NR_KINDS] = {false};
	size_t i, m;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(canonical); i++) {
		for (m = 0; m < ARRAY_SIZE(modes); m++)
			check_valid(__LINE__, canonical[i].bytes, canonical[i].len, modes[m],
				    canonical[i].kind);
		seen[canonical[i].kind] = true;
	}
	for (i = 0; i < INSN_NR_KINDS; i++)
		if (!seen[i]) {
			snprintf(reason, sizeof(reason), "kind %zu has no canonical test", i);
			fail_msg("%s", reason);
		}
}

/* The forms are disjoint: an encoding of one kind is a mismatch for all others. */
static void test_kinds_disjoint(void **state)
{
	size_t i, m;
	int k;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(canonical); i++)
		for (m = 0; m < ARRAY_SIZE(modes); m++)
			for (k = 0; k < INSN_NR_KINDS; k++)
				if ((enum insn_kind)k != canonical[i].kind)
					check(__LINE__, canonical[i].bytes, canonical[i].len,
					      modes[m], k, MISMATCH);
}

static void test_legacy_prefixes(void **state)
{
	static const u8 prefixes[] = {0x66, 0x67, 0xf0, 0xf2, 0xf3, 0x2e,
				      0x36, 0x3e, 0x26, 0x64, 0x65};
	size_t i, m;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(prefixes); i++)
		for (m = 0; m < ARRAY_SIZE(modes); m++) {
			VALID(modes[m], INSN_CPUID, prefixes[i], 0x0f, 0xa2);
			VALID(modes[m], INSN_HLT, prefixes[i], 0xf4);
			VALID(modes[m], INSN_INTN, prefixes[i], 0xcd, 0x21);
			VALID(modes[m], INSN_VMMCALL, prefixes[i], 0x0f, 0x01, 0xd9);
		}
	/* All eleven at once, then repeats. */
	VALID(M32, INSN_RDMSR, 0x66, 0x67, 0xf0, 0xf2, 0xf3, 0x2e, 0x36, 0x3e, 0x26, 0x64, 0x65,
	      0x0f, 0x32);
	VALID(M64, INSN_WRMSR, 0x2e, 0x2e, 0x2e, 0x66, 0x66, 0x0f, 0x30);
	/* REP VMMCALL is VMGEXIT, which exits as VMMCALL outside SEV-ES. */
	VALID(M64, INSN_VMMCALL, 0xf3, 0x0f, 0x01, 0xd9);
	/* LOCK MOV CR0 is AMD's alternative CR8 encoding. */
	VALID(M32, INSN_MOV_CR, 0xf0, 0x0f, 0x22, 0xc0);
	/* Operand size and REX.W select IRETW/IRETD/IRETQ. */
	VALID(M64, INSN_IRET, 0x66, 0xcf);
	VALID(M64, INSN_IRET, 0x48, 0xcf);
}

static void test_rex(void **state)
{
	(void)state;
	VALID(M64, INSN_CPUID, 0x48, 0x0f, 0xa2);
	VALID(M64, INSN_MOV_CR, 0x44, 0x0f, 0x20, 0xc0); /* mov rax, cr8 */
	VALID(M64, INSN_MOV_DR, 0x41, 0x0f, 0x23, 0xf8);
	VALID(M64, INSN_INVLPG, 0x41, 0x0f, 0x01, 0x38);
	/* Prefixes then REX; REX then prefix (REX ignored but still a byte); two REX. */
	VALID(M64, INSN_RDTSC, 0x66, 0x48, 0x0f, 0x31);
	VALID(M64, INSN_RDTSC, 0x48, 0x66, 0x0f, 0x31);
	VALID(M64, INSN_RDTSC, 0x40, 0x4f, 0x0f, 0x31);
	/* Outside 64-bit mode 40-4F are INC/DEC. */
	EXPECT(M32, INSN_CPUID, MISMATCH, 0x48, 0x0f, 0xa2);
	EXPECT(M16, INSN_HLT, MISMATCH, 0x40, 0xf4);
}

static void test_pause(void **state)
{
	(void)state;
	VALID(M32, INSN_PAUSE, 0xf3, 0x90);
	VALID(M16, INSN_PAUSE, 0x66, 0xf3, 0x90);
	VALID(M64, INSN_PAUSE, 0xf3, 0x2e, 0x90);
	VALID(M64, INSN_PAUSE, 0xf3, 0x48, 0x90);
	EXPECT(M64, INSN_PAUSE, MISMATCH, 0x90); /* NOP */
	EXPECT(M64, INSN_PAUSE, MISMATCH, 0xf2, 0x90);
	EXPECT(M64, INSN_PAUSE, MISMATCH, 0xf3, 0x41, 0x90); /* XCHG r8d, eax */
	VALID(M64, INSN_PAUSE, 0xf3, 0x41, 0x2e, 0x90);	     /* that REX is ignored */
	EXPECT(M32, INSN_PAUSE, MISMATCH, 0xf3, 0x0f, 0x90);
	/* Without F3 the 90 is decisive: not a truncated PAUSE. */
	EXPECT(M64, INSN_PAUSE, MISMATCH, 0x66, 0x90);
}

/* 32-bit addressing, identical in 64-bit mode except for mod 00 rm 101. */
static void test_modrm_32(void **state)
{
	size_t m;

	(void)state;
	for (m = 1; m < ARRAY_SIZE(modes); m++) {
		VALID(modes[m], INSN_INVLPG, 0x0f, 0x01, 0x3b);		    /* [ebx] */
		VALID(modes[m], INSN_INVLPG, 0x0f, 0x01, 0x7e, 0x10);	    /* [esi+8] */
		VALID(modes[m], INSN_INVLPG, 0x0f, 0x01, 0xbf, 1, 2, 3, 4); /* [edi+d32] */
		VALID(modes[m], INSN_INVLPG, 0x0f, 0x01, 0x3d, 1, 2, 3, 4); /* d32 / rip+d32 */
		VALID(modes[m], INSN_INVLPG, 0x0f, 0x01, 0x3c, 0x24);	    /* [esp] */
		VALID(modes[m], INSN_INVLPG, 0x0f, 0x01, 0x3c, 0x88);	    /* [eax+ecx*4] */
		VALID(modes[m], INSN_INVLPG, 0x0f, 0x01, 0x7c, 0x24, 0x08); /* [esp+8] */
		VALID(modes[m], INSN_INVLPG, 0x0f, 0x01, 0xbc, 0x24, 1, 2, 3, 4); /* [esp+d32] */
		/* SIB base 101 only means "no base" under mod 00. */
		VALID(modes[m], INSN_INVLPG, 0x0f, 0x01, 0x7c, 0x25, 0x08); /* [ebp+8] */
		VALID(modes[m], INSN_INVLPG, 0x0f, 0x01, 0xbc, 0x2d, 1, 2, 3,
		      4); /* [ebp+ebp+d32] */
		VALID(modes[m], INSN_LMSW, 0x0f, 0x01, 0x70, 0x7f);
		VALID(modes[m], INSN_SMSW, 0x0f, 0x01, 0xa4, 0x24, 1, 2, 3, 4);
		VALID(modes[m], INSN_LIDT, 0x0f, 0x01, 0x5d, 0xf8);
		VALID(modes[m], INSN_LTR, 0x0f, 0x00, 0x98, 1, 2, 3, 4);
	}
}

static void test_modrm_16(void **state)
{
	(void)state;
	VALID(M16, INSN_INVLPG, 0x0f, 0x01, 0x38);	       /* [bx+si] */
	VALID(M16, INSN_INVLPG, 0x0f, 0x01, 0x3c);	       /* [si]: no SIB */
	VALID(M16, INSN_INVLPG, 0x0f, 0x01, 0x3d);	       /* [di]: no disp32 */
	VALID(M16, INSN_INVLPG, 0x0f, 0x01, 0x3e, 0x34, 0x12); /* [d16] */
	VALID(M16, INSN_INVLPG, 0x0f, 0x01, 0x7e, 0x08);       /* [bp+8] */
	VALID(M16, INSN_INVLPG, 0x0f, 0x01, 0xbf, 0x34, 0x12); /* [bx+d16] */
	VALID(M16, INSN_LMSW, 0x0f, 0x01, 0x36, 0x00, 0x10);
	VALID(M16, INSN_LGDT, 0x66, 0x0f, 0x01, 0x16, 0x00, 0x10);
	VALID(M16, INSN_SLDT, 0x0f, 0x00, 0x44, 0x02);
}

static void test_address_size_override(void **state)
{
	(void)state;
	/* 67 in 32-bit mode selects 16-bit addressing... */
	VALID(M32, INSN_INVLPG, 0x67, 0x0f, 0x01, 0x3e, 0x34, 0x12);
	VALID(M32, INSN_INVLPG, 0x67, 0x0f, 0x01, 0xbc, 0x34, 0x12);
	VALID(M32, INSN_INVLPG, 0x67, 0x0f, 0x01, 0x3c);
	/* ...in 16-bit mode 32-bit addressing, SIB included... */
	VALID(M16, INSN_INVLPG, 0x67, 0x0f, 0x01, 0x3c, 0x24);
	VALID(M16, INSN_INVLPG, 0x67, 0x0f, 0x01, 0x3d, 1, 2, 3, 4);
	VALID(M16, INSN_INVLPG, 0x67, 0x0f, 0x01, 0xbc, 0x25, 1, 2, 3, 4);
	VALID(M16, INSN_LMSW, 0x67, 0x0f, 0x01, 0x76, 0x08);
	/* ...and in 64-bit mode 32-bit addressing, never 16. */
	VALID(M64, INSN_INVLPG, 0x67, 0x0f, 0x01, 0x3e);
	VALID(M64, INSN_INVLPG, 0x67, 0x0f, 0x01, 0x3d, 1, 2, 3, 4);
	/* Repeating 67 does not flip it back. */
	VALID(M32, INSN_INVLPG, 0x67, 0x67, 0x0f, 0x01, 0x3e, 0x34, 0x12);
	/* Operand size has no effect on the address. */
	VALID(M16, INSN_INVLPG, 0x66, 0x0f, 0x01, 0x3e, 0x34, 0x12);
}

static void test_rip_relative(void **state)
{
	(void)state;
	VALID(M64, INSN_INVLPG, 0x0f, 0x01, 0x3d, 0xf0, 0xff, 0xff, 0xff);
	/* REX.B does not turn rm 101 into r13 under mod 00. */
	VALID(M64, INSN_INVLPG, 0x41, 0x0f, 0x01, 0x3d, 1, 2, 3, 4);
	VALID(M64, INSN_SGDT, 0x0f, 0x01, 0x05, 1, 2, 3, 4);
	VALID(M64, INSN_LGDT, 0x48, 0x0f, 0x01, 0x15, 1, 2, 3, 4);
	VALID(M64, INSN_SMSW, 0x66, 0x0f, 0x01, 0x25, 1, 2, 3, 4);
	VALID(M64, INSN_STR, 0x0f, 0x00, 0x0d, 1, 2, 3, 4);
	/* [r13+d8] needs mod 01. */
	VALID(M64, INSN_INVLPG, 0x41, 0x0f, 0x01, 0x7d, 0x00);
}

static void test_sib_disp32(void **state)
{
	(void)state;
	VALID(M32, INSN_INVLPG, 0x0f, 0x01, 0x3c, 0x25, 1, 2, 3, 4);	   /* [d32] */
	VALID(M32, INSN_INVLPG, 0x0f, 0x01, 0x3c, 0x8d, 1, 2, 3, 4);	   /* [ecx*4+d32] */
	VALID(M64, INSN_INVLPG, 0x0f, 0x01, 0x3c, 0x25, 1, 2, 3, 4);	   /* absolute, not RIP */
	VALID(M64, INSN_INVLPG, 0x41, 0x0f, 0x01, 0x3c, 0x25, 1, 2, 3, 4); /* REX.B: still d32 */
	VALID(M64, INSN_INVLPG, 0x4b, 0x0f, 0x01, 0x3c, 0xc5, 1, 2, 3, 4); /* [r8*8+d32] */
	VALID(M64, INSN_SIDT, 0x0f, 0x01, 0x0c, 0x65, 1, 2, 3, 4);
	VALID(M32, INSN_LLDT, 0x0f, 0x00, 0x14, 0x05, 1, 2, 3, 4);
}

static void test_register_forms(void **state)
{
	size_t m;

	(void)state;
	for (m = 0; m < ARRAY_SIZE(modes); m++) {
		/* 0F 20-23 ignore mod: c0 and 05 are both register pairs. */
		VALID(modes[m], INSN_MOV_CR, 0x0f, 0x20, 0x05);
		VALID(modes[m], INSN_MOV_CR, 0x0f, 0x22, 0x64);
		VALID(modes[m], INSN_MOV_DR, 0x0f, 0x21, 0x3c);
		VALID(modes[m], INSN_MOV_DR, 0x0f, 0x23, 0xbd);
		EXPECT(modes[m], INSN_MOV_CR, MISMATCH, 0x0f, 0x21, 0xc0);
		EXPECT(modes[m], INSN_MOV_DR, MISMATCH, 0x0f, 0x22, 0xc0);
		EXPECT(modes[m], INSN_MOV_CR, MISMATCH, 0x0f, 0x24, 0xc0);
		/* Memory-only kinds: their mod 11 encodings are other instructions. */
		EXPECT(modes[m], INSN_INVLPG, MISMATCH, 0x0f, 0x01, 0xf8); /* SWAPGS */
		EXPECT(modes[m], INSN_INVLPG, MISMATCH, 0x0f, 0x01, 0xff);
		EXPECT(modes[m], INSN_SGDT, MISMATCH, 0x0f, 0x01, 0xc1); /* VMCALL */
		EXPECT(modes[m], INSN_SIDT, MISMATCH, 0x0f, 0x01, 0xc8); /* MONITOR */
		EXPECT(modes[m], INSN_LGDT, MISMATCH, 0x0f, 0x01, 0xd0); /* XGETBV */
		EXPECT(modes[m], INSN_LIDT, MISMATCH, 0x0f, 0x01, 0xd8); /* VMRUN */
		/* Register forms that are allowed. */
		VALID(modes[m], INSN_LMSW, 0x0f, 0x01, 0xf7);
		VALID(modes[m], INSN_SMSW, 0x0f, 0x01, 0xe7);
		VALID(modes[m], INSN_STR, 0x0f, 0x00, 0xc8);
		VALID(modes[m], INSN_LLDT, 0x0f, 0x00, 0xd0);
	}
}

static void test_mismatch(void **state)
{
	(void)state;
	EXPECT(M64, INSN_RDMSR, MISMATCH, 0x0f, 0xa2);
	EXPECT(M64, INSN_VMRUN, MISMATCH, 0x0f, 0x01, 0xd9);
	EXPECT(M64, INSN_CPUID, MISMATCH, 0x0f, 0x01, 0xd9);
	EXPECT(M64, INSN_VMMCALL, MISMATCH, 0x0f, 0x01, 0xc1); /* Intel VMCALL */
	EXPECT(M64, INSN_RDTSCP, MISMATCH, 0x0f, 0x01, 0xfa);  /* MONITORX */
	EXPECT(M64, INSN_LMSW, MISMATCH, 0x0f, 0x01, 0x38);    /* INVLPG */
	EXPECT(M64, INSN_SMSW, MISMATCH, 0x0f, 0x01, 0xe8);    /* reg 5 */
	EXPECT(M64, INSN_SLDT, MISMATCH, 0x0f, 0x01, 0x00);
	EXPECT(M64, INSN_INT3, MISMATCH, 0xcd, 0x03);
	EXPECT(M64, INSN_INTN, MISMATCH, 0xcc);
	EXPECT(M64, INSN_HLT, MISMATCH, 0x0f, 0xf4);
	EXPECT(M64, INSN_CPUID, MISMATCH, 0xa2);
	EXPECT(M64, INSN_WBINVD, MISMATCH, 0x0f, 0x0f, 0x09);
	/* A mismatch is reported as soon as it is certain, even if the buffer ends there. */
	EXPECT(M64, INSN_HLT, MISMATCH, 0x0f);
	EXPECT(M64, INSN_CPUID, MISMATCH, 0x66, 0x0f, 0x01);
	EXPECT(M64, INSN_VMMCALL, MISMATCH, 0x0f, 0xa2);
	/* Kinds outside the enum. */
	EXPECT(M64, INSN_NR_KINDS, MISMATCH, 0x0f, 0xa2);
	EXPECT(M64, (enum insn_kind) - 1, MISMATCH, 0x0f, 0xa2);
}

static void test_truncation(void **state)
{
	(void)state;
	/* check_valid() already tries every shorter length; these are the long ones. */
	VALID(M32, INSN_INVLPG, 0x66, 0x2e, 0x0f, 0x01, 0xbc, 0x88, 1, 2, 3, 4);
	VALID(M64, INSN_INVLPG, 0x65, 0x48, 0x0f, 0x01, 0xbc, 0x24, 1, 2, 3, 4);
	VALID(M64, INSN_INTN, 0x66, 0x2e, 0x48, 0xcd, 0x80);
	VALID(M16, INSN_LMSW, 0x67, 0x66, 0x0f, 0x01, 0xb4, 0x48, 1, 2, 3, 4);
	EXPECT(M64, INSN_CPUID, TRUNCATED);
	EXPECT(M64, INSN_CPUID, TRUNCATED, 0x66, 0x67, 0x48);
}

static void test_length_limit(void **state)
{
	u8 b[INSN_MAX_LEN + 8];
	size_t n;

	(void)state;
	/* 13 prefixes + CPUID is exactly 15 bytes; one more prefix is 16. */
	memset(b, 0x2e, sizeof(b));
	b[13] = 0x0f;
	b[14] = 0xa2;
	check_valid(__LINE__, b, 15, M32, INSN_CPUID);
	memset(b, 0x66, sizeof(b));
	b[14] = 0x0f;
	b[15] = 0xa2;
	check(__LINE__, b, 16, M32, INSN_CPUID, TOO_LONG);
	check(__LINE__, b, sizeof(b), M32, INSN_CPUID, TOO_LONG);
	/* Up to the limit a short buffer is just truncated... */
	for (n = 0; n < INSN_MAX_LEN; n++)
		check(__LINE__, b, n, M32, INSN_CPUID, TRUNCATED);
	/* ...and 15 prefixes are too long whatever comes next. */
	check(__LINE__, b, INSN_MAX_LEN, M32, INSN_CPUID, TOO_LONG);
	/* REX counts toward the length. */
	b[13] = 0x48;
	check(__LINE__, b, 16, M64, INSN_CPUID, TOO_LONG);
	/* Known to be too long from the ModRM/SIB alone, before the displacement. */
	memset(b, 0x3e, sizeof(b));
	memcpy(b + 7, BYTES(0x0f, 0x01, 0xbc, 0x24, 1, 2, 3, 4), 8);
	check_valid(__LINE__, b + 1, 14, M32, INSN_INVLPG);
	check_valid(__LINE__, b, 15, M32, INSN_INVLPG);
	memmove(b + 8, b + 7, 8);
	b[7] = 0x3e;
	for (n = 12; n <= sizeof(b); n++)
		check(__LINE__, b, n, M32, INSN_INVLPG, TOO_LONG);
	check(__LINE__, b, 11, M32, INSN_INVLPG, TRUNCATED);
	/* INT n: 14 prefixes + CD is 15, the immediate makes 16. */
	memset(b, 0xf0, sizeof(b));
	b[14] = 0xcd;
	check(__LINE__, b, 15, M64, INSN_INTN, TOO_LONG);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_kind),	    cmocka_unit_test(test_kinds_disjoint),
	    cmocka_unit_test(test_legacy_prefixes), cmocka_unit_test(test_rex),
	    cmocka_unit_test(test_pause),	    cmocka_unit_test(test_modrm_32),
	    cmocka_unit_test(test_modrm_16),	    cmocka_unit_test(test_address_size_override),
	    cmocka_unit_test(test_rip_relative),    cmocka_unit_test(test_sib_disp32),
	    cmocka_unit_test(test_register_forms),  cmocka_unit_test(test_mismatch),
	    cmocka_unit_test(test_truncation),	    cmocka_unit_test(test_length_limit),
	};
	return unit_run("insn_len", tests, ARRAY_SIZE(tests), reason);
}
