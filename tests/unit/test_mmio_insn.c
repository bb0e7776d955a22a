/* Unit tests for the MMIO instruction decoder. The encodings come from the
 * GNU assembler (as --64, as --32, .code16), checked against objdump -d;
 * each row names what was assembled (objdump's reading for .byte rows).
 * Every valid row is also decoded with each shorter fetch (truncated) and
 * with trailing bytes, and every input sits at the very end of a heap chunk
 * so ASan catches a read past n. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* needs the four above first */
#include "unit.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmio_insn.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define M16 MMIO_INSN_16
#define M32 MMIO_INSN_32
#define M64 MMIO_INSN_64

#define TRUNCATED   MMIO_INSN_ERR_TRUNCATED
#define TOO_LONG    MMIO_INSN_ERR_TOO_LONG
#define UNSUPPORTED MMIO_INSN_ERR_UNSUPPORTED
#define LOCK_REP    MMIO_INSN_ERR_LOCK_REP
#define NO_MEMORY   MMIO_INSN_ERR_NO_MEMORY

/* SDM register numbers; 4-7 name AH-BH when high_byte is set. */
enum { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15 };
enum { AH = 4, CH, DH, BH };

/* What a row decodes to, but for len (the row's byte count). The macros
 * and tables keep one instruction a line, as the assembler listed them. */
/* clang-format off */
#define R(sz, r, rsz)  {.size = (sz), .reg = (r), .reg_size = (rsz)}
#define SX(sz, r, rsz) {.size = (sz), .reg = (r), .reg_size = (rsz), .sign_extend = true}
#define RH(r)	       {.size = 1, .reg = (r), .reg_size = 1, .high_byte = true}
#define W(sz, r)       {.size = (sz), .write = true, .reg = (r), .reg_size = (sz)}
#define WH(r)	       {.size = 1, .write = true, .reg = (r), .reg_size = 1, .high_byte = true}
#define WI(sz, v)      {.size = (sz), .write = true, .has_imm = true, .imm = (v)}

struct good {
	enum mmio_insn_mode mode;
	const char *text;
	struct mmio_insn want;
	uint8_t n;
	uint8_t bytes[MMIO_INSN_MAX_LEN];
};

struct bad {
	enum mmio_insn_mode mode;
	const char *text;
	int want;
	uint8_t n;
	uint8_t bytes[MMIO_INSN_MAX_LEN];
};

/* Why the current test failed, for the FAIL line printed by main(). */
static char reason[512];

static const struct good goods[] = {
	/* MOV 88/89: register to memory */
	{M64, "mov %al,(%rbx)", W(1, RAX), 2, {0x88, 0x03}},
	{M64, "mov %ah,(%rbx)", WH(AH), 2, {0x88, 0x23}},
	{M64, "mov %bh,(%rdx)", WH(BH), 2, {0x88, 0x3a}},
	{M64, "mov %spl,(%rbx)", W(1, RSP), 3, {0x40, 0x88, 0x23}},
	{M64, "mov %dil,(%rax)", W(1, RDI), 3, {0x40, 0x88, 0x38}},
	{M64, "mov %r9b,(%rax)", W(1, R9), 3, {0x44, 0x88, 0x08}},
	{M64, "mov %ax,(%rbx)", W(2, RAX), 3, {0x66, 0x89, 0x03}},
	{M64, "mov %ecx,(%rbx)", W(4, RCX), 2, {0x89, 0x0b}},
	{M64, "mov %rdx,(%rbx)", W(8, RDX), 3, {0x48, 0x89, 0x13}},
	{M64, "mov %r15,(%r12)", W(8, R15), 4, {0x4d, 0x89, 0x3c, 0x24}},
	{M64, "mov %r8d,(%r13)", W(4, R8), 4, {0x45, 0x89, 0x45, 0x00}},
	{M64, "mov %r10w,0x10(%rax)", W(2, R10), 5, {0x66, 0x44, 0x89, 0x50, 0x10}},
	{M64, "mov %esp,(%rax)", W(4, RSP), 2, {0x89, 0x20}},
	/* MOV 8A/8B: memory to register */
	{M64, "mov (%rbx),%al", R(1, RAX, 1), 2, {0x8a, 0x03}},
	{M64, "mov (%rbx),%ch", RH(CH), 2, {0x8a, 0x2b}},
	{M64, "mov (%rbx),%dh", RH(DH), 2, {0x8a, 0x33}},
	{M64, "mov (%rbx),%sil", R(1, RSI, 1), 3, {0x40, 0x8a, 0x33}},
	{M64, "mov (%rbx),%bpl", R(1, RBP, 1), 3, {0x40, 0x8a, 0x2b}},
	{M64, "mov (%rbx),%r11b", R(1, R11, 1), 3, {0x44, 0x8a, 0x1b}},
	{M64, "mov (%rbx),%bx", R(2, RBX, 2), 3, {0x66, 0x8b, 0x1b}},
	{M64, "mov (%rbx),%esi", R(4, RSI, 4), 2, {0x8b, 0x33}},
	{M64, "mov (%rbx),%rdi", R(8, RDI, 8), 3, {0x48, 0x8b, 0x3b}},
	{M64, "mov (%rbx),%r14", R(8, R14, 8), 3, {0x4c, 0x8b, 0x33}},
	{M64, "mov (%r8),%eax", R(4, RAX, 4), 3, {0x41, 0x8b, 0x00}},
	{M64, "mov (%r9),%r10", R(8, R10, 8), 3, {0x4d, 0x8b, 0x11}},
	{M64, "mov (%rax),%r12w", R(2, R12, 2), 4, {0x66, 0x44, 0x8b, 0x20}},
	/* REX.W wins over 66; a REX before a legacy prefix is ignored; the last REX counts */
	{M64, "data16 mov (%rax),%rax", R(8, RAX, 8), 4, {0x66, 0x48, 0x8b, 0x00}},
	{M64, "rex.W (ignored) mov (%rax),%ax", R(2, RAX, 2), 4, {0x48, 0x66, 0x8b, 0x00}},
	{M64, "rex (ignored) data16 mov (%rax),%ah", RH(AH), 4, {0x40, 0x66, 0x8a, 0x20}},
	{M64, "rex.R (ignored) ds mov (%rax),%eax", R(4, RAX, 4), 4, {0x44, 0x3e, 0x8b, 0x00}},
	{M64, "rex.WR rex.B mov (%r8),%ecx", R(4, RCX, 4), 4, {0x4c, 0x41, 0x8b, 0x08}},
	{M64, "mov (%rax),%spl", R(1, RSP, 1), 3, {0x40, 0x8a, 0x20}},
	/* MOV C6/C7 /0: immediate to memory */
	{M64, "movb $0x12,(%rax)", WI(1, 0x12), 3, {0xc6, 0x00, 0x12}},
	{M64, "movb $0x80,(%rax)", WI(1, 0x80), 3, {0xc6, 0x00, 0x80}},
	{M64, "movw $0x1234,(%rax)", WI(2, 0x1234), 5, {0x66, 0xc7, 0x00, 0x34, 0x12}},
	{M64, "movw $0x8000,(%r9)", WI(2, 0x8000), 6, {0x66, 0x41, 0xc7, 0x01, 0x00, 0x80}},
	{M64, "movl $0x12345678,(%rax)", WI(4, 0x12345678), 6, {0xc7, 0x00, 0x78, 0x56, 0x34, 0x12}},
	{M64, "movl $0x80000000,(%rax)", WI(4, 0x80000000), 6, {0xc7, 0x00, 0x00, 0x00, 0x00, 0x80}},
	{M64, "movq $-2,(%rax)", WI(8, 0xfffffffffffffffe), 7, {0x48, 0xc7, 0x00, 0xfe, 0xff, 0xff, 0xff}},
	{M64, "movq $0x7fffffff,(%r11)", WI(8, 0x7fffffff), 7, {0x49, 0xc7, 0x03, 0xff, 0xff, 0xff, 0x7f}},
	{M64, "movb $0x80,0x12345678(%rip)", WI(1, 0x80), 7, {0xc6, 0x05, 0x78, 0x56, 0x34, 0x12, 0x80}},
	{M64, "movl $1,0x10(%rax,%rbx,4)", WI(4, 1), 8, {0xc7, 0x44, 0x98, 0x10, 0x01, 0x00, 0x00, 0x00}},
	{M64, "movq $-1,0x12345678(,%rcx,8)", WI(8, 0xffffffffffffffff), 12, {0x48, 0xc7, 0x04, 0xcd, 0x78, 0x56, 0x34, 0x12, 0xff, 0xff, 0xff, 0xff}},
	{M64, "movw $0xbeef,-0x1000(%rsp)", WI(2, 0xbeef), 10, {0x66, 0xc7, 0x84, 0x24, 0x00, 0xf0, 0xff, 0xff, 0xef, 0xbe}},
	/* MOVZX / MOVSX */
	{M64, "movzbl (%rax),%eax", R(1, RAX, 4), 3, {0x0f, 0xb6, 0x00}},
	{M64, "movzbw (%rax),%ax", R(1, RAX, 2), 4, {0x66, 0x0f, 0xb6, 0x00}},
	{M64, "movzbq (%rax),%r8", R(1, R8, 8), 4, {0x4c, 0x0f, 0xb6, 0x00}},
	{M64, "movzbl (%rax),%esp", R(1, RSP, 4), 3, {0x0f, 0xb6, 0x20}},
	{M64, "movzwl (%rax),%edx", R(2, RDX, 4), 3, {0x0f, 0xb7, 0x10}},
	{M64, "movzwq (%rax),%rdx", R(2, RDX, 8), 4, {0x48, 0x0f, 0xb7, 0x10}},
	{M64, "movzww (%rax),%dx", R(2, RDX, 2), 4, {0x66, 0x0f, 0xb7, 0x10}},
	{M64, "movsbl (%rax),%ecx", SX(1, RCX, 4), 3, {0x0f, 0xbe, 0x08}},
	{M64, "movsbw (%rax),%cx", SX(1, RCX, 2), 4, {0x66, 0x0f, 0xbe, 0x08}},
	{M64, "movsbq (%rax),%r12", SX(1, R12, 8), 4, {0x4c, 0x0f, 0xbe, 0x20}},
	{M64, "movswl (%rax),%ebx", SX(2, RBX, 4), 3, {0x0f, 0xbf, 0x18}},
	{M64, "movswq (%rax),%r15", SX(2, R15, 8), 4, {0x4c, 0x0f, 0xbf, 0x38}},
	{M64, "movsbl 0x12345678(%rip),%edi", SX(1, RDI, 4), 7, {0x0f, 0xbe, 0x3d, 0x78, 0x56, 0x34, 0x12}},
	/* MOV A0-A3: moffs */
	{M64, "movabs 0x1122334455667788,%al", R(1, RAX, 1), 9, {0xa0, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11}},
	{M64, "movabs 0x1122334455667788,%ax", R(2, RAX, 2), 10, {0x66, 0xa1, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11}},
	{M64, "movabs 0x1122334455667788,%eax", R(4, RAX, 4), 9, {0xa1, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11}},
	{M64, "movabs 0x1122334455667788,%rax", R(8, RAX, 8), 10, {0x48, 0xa1, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11}},
	{M64, "movabs %al,0x1122334455667788", W(1, RAX), 9, {0xa2, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11}},
	{M64, "movabs %eax,0x1122334455667788", W(4, RAX), 9, {0xa3, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11}},
	{M64, "movabs %rax,0x1122334455667788", W(8, RAX), 10, {0x48, 0xa3, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11}},
	{M64, "addr32 mov 0x12345678,%eax", R(4, RAX, 4), 6, {0x67, 0xa1, 0x78, 0x56, 0x34, 0x12}},
	{M64, "addr32 mov %al,0x12345678", W(1, RAX), 6, {0x67, 0xa2, 0x78, 0x56, 0x34, 0x12}},
	{M64, "rex.B movabs 0x807060504030201,%eax", R(4, RAX, 4), 10, {0x41, 0xa1, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08}},
	{M64, "rex movabs 0x807060504030201,%al", R(1, RAX, 1), 10, {0x40, 0xa0, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08}},
	/* 64-bit ModRM, SIB and displacement shapes */
	{M64, "mov (%rax),%eax", R(4, RAX, 4), 2, {0x8b, 0x00}},
	{M64, "mov 0x12(%rax),%eax", R(4, RAX, 4), 3, {0x8b, 0x40, 0x12}},
	{M64, "mov 0x12345678(%rax),%eax", R(4, RAX, 4), 6, {0x8b, 0x80, 0x78, 0x56, 0x34, 0x12}},
	{M64, "mov -0x80(%rbp),%eax", R(4, RAX, 4), 3, {0x8b, 0x45, 0x80}},
	{M64, "mov (%rbp),%eax", R(4, RAX, 4), 3, {0x8b, 0x45, 0x00}},
	{M64, "mov (%rsp),%eax", R(4, RAX, 4), 3, {0x8b, 0x04, 0x24}},
	{M64, "mov 0x10(%rsp),%eax", R(4, RAX, 4), 4, {0x8b, 0x44, 0x24, 0x10}},
	{M64, "mov 0x1000(%rsp),%eax", R(4, RAX, 4), 7, {0x8b, 0x84, 0x24, 0x00, 0x10, 0x00, 0x00}},
	{M64, "mov (%rax,%rbx,2),%eax", R(4, RAX, 4), 3, {0x8b, 0x04, 0x58}},
	{M64, "mov 0x12(%rax,%rbx,2),%eax", R(4, RAX, 4), 4, {0x8b, 0x44, 0x58, 0x12}},
	{M64, "mov 0x12345678(%rax,%rbx,2),%eax", R(4, RAX, 4), 7, {0x8b, 0x84, 0x58, 0x78, 0x56, 0x34, 0x12}},
	{M64, "mov 0x12345678(,%rbx,4),%eax", R(4, RAX, 4), 7, {0x8b, 0x04, 0x9d, 0x78, 0x56, 0x34, 0x12}},
	{M64, "mov 0x12345678,%ecx", R(4, RCX, 4), 7, {0x8b, 0x0c, 0x25, 0x78, 0x56, 0x34, 0x12}},
	{M64, "mov 0x12345678(%rip),%eax", R(4, RAX, 4), 6, {0x8b, 0x05, 0x78, 0x56, 0x34, 0x12}},
	{M64, "mov -0x10(%rip),%r13", R(8, R13, 8), 7, {0x4c, 0x8b, 0x2d, 0xf0, 0xff, 0xff, 0xff}},
	{M64, "mov (%r12),%eax", R(4, RAX, 4), 4, {0x41, 0x8b, 0x04, 0x24}},
	{M64, "mov (%r13),%eax", R(4, RAX, 4), 4, {0x41, 0x8b, 0x45, 0x00}},
	{M64, "mov (%r13,%rax),%eax", R(4, RAX, 4), 5, {0x41, 0x8b, 0x44, 0x05, 0x00}},
	{M64, "mov 0x12345678(,%r13,1),%eax", R(4, RAX, 4), 8, {0x42, 0x8b, 0x04, 0x2d, 0x78, 0x56, 0x34, 0x12}},
	{M64, "mov (%r8,%r9,8),%r10", R(8, R10, 8), 4, {0x4f, 0x8b, 0x14, 0xc8}},
	{M64, "rex.B mov 0x12345678,%eax (SIB base 101, mod 00: no base)", R(4, RAX, 4), 8, {0x41, 0x8b, 0x04, 0x25, 0x78, 0x56, 0x34, 0x12}},
	{M64, "rex.B mov 0x12345678(%rip),%eax", R(4, RAX, 4), 7, {0x41, 0x8b, 0x05, 0x78, 0x56, 0x34, 0x12}},
	{M64, "mov (%eax),%eax", R(4, RAX, 4), 3, {0x67, 0x8b, 0x00}},
	{M64, "mov 0x10(%eax,%ebx,4),%ecx", R(4, RCX, 4), 5, {0x67, 0x8b, 0x4c, 0x98, 0x10}},
	{M64, "mov 0x10(%eip),%eax", R(4, RAX, 4), 7, {0x67, 0x8b, 0x05, 0x10, 0x00, 0x00, 0x00}},
	{M64, "mov 0x12345678(,%eax,1),%edx", R(4, RDX, 4), 8, {0x67, 0x8b, 0x14, 0x05, 0x78, 0x56, 0x34, 0x12}},
	/* Segment overrides */
	{M64, "mov %fs:(%rax),%eax", R(4, RAX, 4), 3, {0x64, 0x8b, 0x00}},
	{M64, "mov %gs:0x10,%rax", R(8, RAX, 8), 9, {0x65, 0x48, 0x8b, 0x04, 0x25, 0x10, 0x00, 0x00, 0x00}},
	{M64, "cs ss ds es fs gs cs ss mov 0x12345678,%eax (15 bytes)", R(4, RAX, 4), 15, {0x2e, 0x36, 0x3e, 0x26, 0x64, 0x65, 0x2e, 0x36, 0x8b, 0x04, 0x25, 0x78, 0x56, 0x34, 0x12}},
	{M64, "13 prefixes mov (%eax),%ax (15 bytes)", R(2, RAX, 2), 15, {0x66, 0x67, 0x2e, 0x36, 0x3e, 0x26, 0x64, 0x65, 0x2e, 0x36, 0x3e, 0x26, 0x64, 0x8b, 0x00}},
	/* 32-bit mode */
	{M32, "mov %eax,(%ebx)", W(4, RAX), 2, {0x89, 0x03}},
	{M32, "mov %ah,(%ebx)", WH(AH), 2, {0x88, 0x23}},
	{M32, "mov %dl,(%ebx)", W(1, RDX), 2, {0x88, 0x13}},
	{M32, "mov %cx,(%ebx)", W(2, RCX), 3, {0x66, 0x89, 0x0b}},
	{M32, "mov (%ebx),%bh", RH(BH), 2, {0x8a, 0x3b}},
	{M32, "mov (%ebx),%esp", R(4, RSP, 4), 2, {0x8b, 0x23}},
	{M32, "mov (%ebx),%cx", R(2, RCX, 2), 3, {0x66, 0x8b, 0x0b}},
	{M32, "movb $1,(%eax)", WI(1, 1), 3, {0xc6, 0x00, 0x01}},
	{M32, "movw $0x1234,(%eax)", WI(2, 0x1234), 5, {0x66, 0xc7, 0x00, 0x34, 0x12}},
	{M32, "movl $0xfedcba98,(%eax)", WI(4, 0xfedcba98), 6, {0xc7, 0x00, 0x98, 0xba, 0xdc, 0xfe}},
	{M32, "movzbl (%eax),%eax", R(1, RAX, 4), 3, {0x0f, 0xb6, 0x00}},
	{M32, "movzbw (%eax),%di", R(1, RDI, 2), 4, {0x66, 0x0f, 0xb6, 0x38}},
	{M32, "movswl (%eax),%esi", SX(2, RSI, 4), 3, {0x0f, 0xbf, 0x30}},
	{M32, "movsbl (%eax),%ebp", SX(1, RBP, 4), 3, {0x0f, 0xbe, 0x28}},
	{M32, "mov 0x12345678,%eax", R(4, RAX, 4), 5, {0xa1, 0x78, 0x56, 0x34, 0x12}},
	{M32, "mov %al,0x12345678", W(1, RAX), 5, {0xa2, 0x78, 0x56, 0x34, 0x12}},
	{M32, "mov %ax,0x12345678", W(2, RAX), 6, {0x66, 0xa3, 0x78, 0x56, 0x34, 0x12}},
	{M32, "addr16 mov 0x1234,%eax", R(4, RAX, 4), 4, {0x67, 0xa1, 0x34, 0x12}},
	{M32, "mov (%eax),%eax", R(4, RAX, 4), 2, {0x8b, 0x00}},
	{M32, "mov 0x12(%eax),%eax", R(4, RAX, 4), 3, {0x8b, 0x40, 0x12}},
	{M32, "mov 0x12345678(%eax),%eax", R(4, RAX, 4), 6, {0x8b, 0x80, 0x78, 0x56, 0x34, 0x12}},
	{M32, "mov (%esp),%eax", R(4, RAX, 4), 3, {0x8b, 0x04, 0x24}},
	{M32, "mov 0x12(%esp),%eax", R(4, RAX, 4), 4, {0x8b, 0x44, 0x24, 0x12}},
	{M32, "mov (%ebp),%eax", R(4, RAX, 4), 3, {0x8b, 0x45, 0x00}},
	{M32, "mov 0x12345678(,%ebx,4),%eax", R(4, RAX, 4), 7, {0x8b, 0x04, 0x9d, 0x78, 0x56, 0x34, 0x12}},
	{M32, "mov 0x12345678(%ecx,%ebx,4),%eax", R(4, RAX, 4), 7, {0x8b, 0x84, 0x99, 0x78, 0x56, 0x34, 0x12}},
	{M32, "mov 0x12345678,%ecx", R(4, RCX, 4), 6, {0x8b, 0x0d, 0x78, 0x56, 0x34, 0x12}},
	{M32, "mov %fs:0x12345678,%ecx", R(4, RCX, 4), 7, {0x64, 0x8b, 0x0d, 0x78, 0x56, 0x34, 0x12}},
	{M32, "addr16 mov (%bx,%si),%eax", R(4, RAX, 4), 3, {0x67, 0x8b, 0x00}},
	{M32, "addr16 mov 0x1234,%ecx", R(4, RCX, 4), 5, {0x67, 0x8b, 0x0e, 0x34, 0x12}},
	{M32, "addr16 movl $0x12345678,0x1234(%bp,%di)", WI(4, 0x12345678), 9, {0x67, 0xc7, 0x83, 0x34, 0x12, 0x78, 0x56, 0x34, 0x12}},
	/* 16-bit mode */
	{M16, "mov (%bx,%si),%ax", R(2, RAX, 2), 2, {0x8b, 0x00}},
	{M16, "mov (%bx,%di),%ax", R(2, RAX, 2), 2, {0x8b, 0x01}},
	{M16, "mov (%bp,%si),%ax", R(2, RAX, 2), 2, {0x8b, 0x02}},
	{M16, "mov (%bp,%di),%ax", R(2, RAX, 2), 2, {0x8b, 0x03}},
	{M16, "mov (%si),%ax", R(2, RAX, 2), 2, {0x8b, 0x04}},
	{M16, "mov (%di),%ax", R(2, RAX, 2), 2, {0x8b, 0x05}},
	{M16, "mov (%bx),%ax", R(2, RAX, 2), 2, {0x8b, 0x07}},
	{M16, "mov 0x1234,%cx", R(2, RCX, 2), 4, {0x8b, 0x0e, 0x34, 0x12}},
	{M16, "mov 0x12(%bp),%dx", R(2, RDX, 2), 3, {0x8b, 0x56, 0x12}},
	{M16, "mov (%bp),%ax", R(2, RAX, 2), 3, {0x8b, 0x46, 0x00}},
	{M16, "mov 0x1234(%bx,%di),%ax", R(2, RAX, 2), 4, {0x8b, 0x81, 0x34, 0x12}},
	{M16, "mov -0x10(%si),%al", R(1, RAX, 1), 3, {0x8a, 0x44, 0xf0}},
	{M16, "mov (%bx),%ah", RH(AH), 2, {0x8a, 0x27}},
	{M16, "mov (%bx),%eax", R(4, RAX, 4), 3, {0x66, 0x8b, 0x07}},
	{M16, "mov %eax,(%bx)", W(4, RAX), 3, {0x66, 0x89, 0x07}},
	{M16, "mov %bh,0x1234(%bx)", WH(BH), 4, {0x88, 0xbf, 0x34, 0x12}},
	{M16, "movw $0x1234,(%bx)", WI(2, 0x1234), 4, {0xc7, 0x07, 0x34, 0x12}},
	{M16, "movl $0x12345678,(%bx)", WI(4, 0x12345678), 7, {0x66, 0xc7, 0x07, 0x78, 0x56, 0x34, 0x12}},
	{M16, "movb $0xff,0x1234", WI(1, 0xff), 5, {0xc6, 0x06, 0x34, 0x12, 0xff}},
	{M16, "movzbw (%bx),%ax", R(1, RAX, 2), 3, {0x0f, 0xb6, 0x07}},
	{M16, "movzbl (%bx),%eax", R(1, RAX, 4), 4, {0x66, 0x0f, 0xb6, 0x07}},
	{M16, "movsbw (%bx),%sp", SX(1, RSP, 2), 3, {0x0f, 0xbe, 0x27}},
	{M16, "mov 0x1234,%al", R(1, RAX, 1), 3, {0xa0, 0x34, 0x12}},
	{M16, "mov %ax,0x1234", W(2, RAX), 3, {0xa3, 0x34, 0x12}},
	{M16, "mov %eax,0x1234", W(4, RAX), 4, {0x66, 0xa3, 0x34, 0x12}},
	{M16, "addr32 mov 0x12345678,%eax", R(4, RAX, 4), 7, {0x67, 0x66, 0xa1, 0x78, 0x56, 0x34, 0x12}},
	{M16, "addr32 mov (%eax,%ebx,4),%ax", R(2, RAX, 2), 4, {0x67, 0x8b, 0x04, 0x98}},
	{M16, "addr32 mov 0x12345678(,%ebx,4),%ax", R(2, RAX, 2), 8, {0x67, 0x8b, 0x04, 0x9d, 0x78, 0x56, 0x34, 0x12}},
	{M16, "mov %es:(%di),%ax", R(2, RAX, 2), 3, {0x26, 0x8b, 0x05}},
};

static const struct bad bads[] = {
	/* mod=3: a register operand cannot fault on MMIO */
	{M64, "mov %eax,%ebx", NO_MEMORY, 2, {0x89, 0xc3}},
	{M64, "mov %ah,%al", NO_MEMORY, 2, {0x88, 0xe0}},
	{M64, "mov %r8,%r9", NO_MEMORY, 3, {0x4d, 0x89, 0xc1}},
	{M64, "movzbl %al,%eax", NO_MEMORY, 3, {0x0f, 0xb6, 0xc0}},
	{M64, "movswq %ax,%rax", NO_MEMORY, 4, {0x48, 0x0f, 0xbf, 0xc0}},
	{M64, "movb $1,%al (C6 /0, mod 3)", NO_MEMORY, 3, {0xc6, 0xc0, 0x01}},
	{M64, "movl $1,%eax (C7 /0, mod 3)", NO_MEMORY, 6, {0xc7, 0xc0, 0x01, 0x00, 0x00, 0x00}},
	{M32, "mov %eax,%ebx", NO_MEMORY, 2, {0x89, 0xc3}},
	{M16, "mov %ax,%bx", NO_MEMORY, 2, {0x89, 0xc3}},
	/* LOCK, REPNE, REP */
	{M64, "lock mov %eax,(%rbx)", LOCK_REP, 3, {0xf0, 0x89, 0x03}},
	{M64, "rep mov %eax,(%rbx)", LOCK_REP, 3, {0xf3, 0x89, 0x03}},
	{M64, "repnz mov (%rbx),%eax", LOCK_REP, 3, {0xf2, 0x8b, 0x03}},
	{M64, "data16 lock mov %ax,(%rbx)", LOCK_REP, 4, {0x66, 0xf0, 0x89, 0x03}},
	{M64, "rep movsb", LOCK_REP, 2, {0xf3, 0xa4}},
	{M32, "lock addl $1,(%eax)", LOCK_REP, 4, {0xf0, 0x83, 0x00, 0x01}},
	/* Other instructions */
	{M64, "movsb", UNSUPPORTED, 1, {0xa4}},
	{M64, "movsl", UNSUPPORTED, 1, {0xa5}},
	{M64, "add %eax,(%rbx)", UNSUPPORTED, 2, {0x01, 0x03}},
	{M64, "xchg %eax,(%rbx)", UNSUPPORTED, 2, {0x87, 0x03}},
	{M64, "cmpl $0,(%rax)", UNSUPPORTED, 3, {0x83, 0x38, 0x00}},
	{M64, "movnti %eax,(%rbx)", UNSUPPORTED, 3, {0x0f, 0xc3, 0x03}},
	{M64, "movslq (%rax),%rax", UNSUPPORTED, 3, {0x48, 0x63, 0x00}},
	{M64, "mov (%rax),%es", UNSUPPORTED, 2, {0x8e, 0x00}},
	{M64, "movd (%rax),%xmm0", UNSUPPORTED, 4, {0x66, 0x0f, 0x6e, 0x00}},
	{M64, "vmovd (%rax),%xmm0", UNSUPPORTED, 4, {0xc5, 0xf9, 0x6e, 0x00}},
	{M64, "lea (%rax),%eax", UNSUPPORTED, 2, {0x8d, 0x00}},
	{M64, "nop", UNSUPPORTED, 1, {0x90}},
	{M64, "ud2", UNSUPPORTED, 2, {0x0f, 0x0b}},
	{M64, "C6 /1 (reg field not 0)", UNSUPPORTED, 3, {0xc6, 0x08, 0x01}},
	{M64, "C7 /7, memory form", UNSUPPORTED, 6, {0xc7, 0x38, 0x01, 0x00, 0x00, 0x00}},
	{M64, "xabort $1", UNSUPPORTED, 3, {0xc6, 0xf8, 0x01}},
	{M64, "xbegin", UNSUPPORTED, 6, {0xc7, 0xf8, 0x00, 0x00, 0x00, 0x00}},
	{M32, "dec %eax (no REX outside 64-bit mode)", UNSUPPORTED, 3, {0x48, 0x8b, 0x00}},
	{M32, "les (%eax),%eax", UNSUPPORTED, 2, {0xc4, 0x00}},
	{M16, "push %ax", UNSUPPORTED, 1, {0x50}},
};
/* clang-format on */

static int run(const uint8_t *bytes, size_t n, enum mmio_insn_mode mode, struct mmio_insn *out)
{
	/* ASan lets a malloc(0) chunk be read, so the bytes go at the end of a
	 * chunk one larger: anything past them is caught even for n 0. */
	uint8_t *chunk = malloc(n + 1);
	int ret;

	assert_non_null(chunk);
	memcpy(chunk + 1, bytes, n);
	ret = mmio_insn_decode(chunk + 1, n, mode, out);
	free(chunk);
	return ret;
}

static bool same(const struct mmio_insn *a, const struct mmio_insn *b)
{
	return a->len == b->len && a->size == b->size && a->write == b->write &&
	       a->has_imm == b->has_imm && a->imm == b->imm && a->reg == b->reg &&
	       a->high_byte == b->high_byte && a->reg_size == b->reg_size &&
	       a->sign_extend == b->sign_extend;
}

static void describe(char *buf, size_t len, const struct mmio_insn *d)
{
	snprintf(buf, len, "len %u size %u write %d imm %d/%#llx reg %u high %d reg_size %u sx %d",
		 d->len, d->size, d->write, d->has_imm, (unsigned long long)d->imm, d->reg,
		 d->high_byte, d->reg_size, d->sign_extend);
}

/* The row decodes as it says from exactly its bytes and from a full
 * 16-byte fetch with whatever follows. */
static void check_good(const struct good *g, size_t n)
{
	uint8_t buf[16];
	struct mmio_insn want = g->want, got;
	char w[128], o[128];
	int ret;

	memset(buf, 0xcc, sizeof(buf));
	memcpy(buf, g->bytes, g->n);
	want.len = g->n;
	ret = run(buf, n, g->mode, &got);
	if (ret == 0 && same(&got, &want))
		return;
	describe(w, sizeof(w), &want);
	if (ret)
		snprintf(o, sizeof(o), "error %d", ret);
	else
		describe(o, sizeof(o), &got);
	snprintf(reason, sizeof(reason), "\"%s\" (mode %d, n %zu): got %s, want %s", g->text,
		 g->mode, n, o, w);
	fail_msg("%s", reason);
}

static void check_err(enum mmio_insn_mode mode, const char *text, const uint8_t *bytes, size_t n,
		      int want)
{
	struct mmio_insn out;
	int ret;

	memset(&out, 0xa5, sizeof(out));
	ret = run(bytes, n, mode, &out);
	if (ret == want) {
		/* out is written only on success */
		for (size_t i = 0; i < sizeof(out); i++)
			assert_int_equal(((const uint8_t *)&out)[i], 0xa5);
		return;
	}
	snprintf(reason, sizeof(reason), "\"%s\" (mode %d, n %zu): got %d, want %d", text, mode, n,
		 ret, want);
	fail_msg("%s", reason);
}

static void test_valid(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(goods); i++) {
		check_good(&goods[i], goods[i].n);
		check_good(&goods[i], 16);
	}
}

static void test_truncated_at_every_length(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(goods); i++)
		for (size_t n = 0; n < goods[i].n; n++)
			check_err(goods[i].mode, goods[i].text, goods[i].bytes, n, TRUNCATED);
}

static void test_refused(void **state)
{
	uint8_t buf[16];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bads); i++) {
		check_err(bads[i].mode, bads[i].text, bads[i].bytes, bads[i].n, bads[i].want);
		memset(buf, 0, sizeof(buf));
		memcpy(buf, bads[i].bytes, bads[i].n);
		check_err(bads[i].mode, bads[i].text, buf, sizeof(buf), bads[i].want);
	}
}

/* The same bytes mean different things in each mode. */
static void test_mode_defaults(void **state)
{
	static const struct good rows[] = {
	    {M16, "mov (%bx,%si),%ax", R(2, RAX, 2), 2, {0x8b, 0x00}},
	    {M32, "mov (%eax),%eax", R(4, RAX, 4), 2, {0x8b, 0x00}},
	    {M64, "mov (%rax),%eax", R(4, RAX, 4), 2, {0x8b, 0x00}},
	    {M16, "mov (%di),%eax", R(4, RAX, 4), 3, {0x66, 0x8b, 0x05}},
	    {M32,
	     "mov 0x44332211,%ax",
	     R(2, RAX, 2),
	     7,
	     {0x66, 0x8b, 0x05, 0x11, 0x22, 0x33, 0x44}},
	    {M64,
	     "mov 0x44332211(%rip),%ax",
	     R(2, RAX, 2),
	     7,
	     {0x66, 0x8b, 0x05, 0x11, 0x22, 0x33, 0x44}},
	    {M16, "mov 0x2211,%ax", R(2, RAX, 2), 3, {0xa1, 0x11, 0x22}},
	    {M32, "mov 0x44332211,%eax", R(4, RAX, 4), 5, {0xa1, 0x11, 0x22, 0x33, 0x44}},
	    {M64,
	     "movabs 0x8877665544332211,%eax",
	     R(4, RAX, 4),
	     9,
	     {0xa1, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88}},
	    {M16,
	     "addr32 mov 0x44332211,%ax",
	     R(2, RAX, 2),
	     6,
	     {0x67, 0xa1, 0x11, 0x22, 0x33, 0x44}},
	    {M32, "addr16 mov 0x2211,%eax", R(4, RAX, 4), 4, {0x67, 0xa1, 0x11, 0x22}},
	    {M16, "movw $0x2211,(%bx)", WI(2, 0x2211), 4, {0xc7, 0x07, 0x11, 0x22}},
	    {M32,
	     "movl $0x44332211,(%edi)",
	     WI(4, 0x44332211),
	     6,
	     {0xc7, 0x07, 0x11, 0x22, 0x33, 0x44}},
	};
	static const uint8_t dec_eax[] = {0x48, 0x8b, 0x00};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++)
		check_good(&rows[i], rows[i].n);
	/* REX only in 64-bit mode; elsewhere 48 is DEC EAX. */
	check_good(
	    &(const struct good){M64, "mov (%rax),%rax", R(8, RAX, 8), 3, {0x48, 0x8b, 0x00}}, 3);
	check_err(M32, "dec %eax", dec_eax, sizeof(dec_eax), UNSUPPORTED);
	check_err(M16, "dec %ax", dec_eax, sizeof(dec_eax), UNSUPPORTED);
}

/* 15 bytes is the most an instruction may take, prefixes included. */
static void test_length_limit(void **state)
{
	static const uint8_t movq[] = {0x48, 0xc7, 0x84, 0x24, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff};
	static const uint8_t movabs[] = {0x48, 0xa1, 0, 0, 0, 0, 0, 0, 0, 0};
	uint8_t b[24];
	struct mmio_insn d;
	size_t p;

	(void)state;
	/* p prefixes, then mov (%rax),%eax: valid up to 13 prefixes. */
	for (p = 0; p + 2 <= sizeof(b); p++) {
		memset(b, 0x3e, p);
		b[p] = 0x8b;
		b[p + 1] = 0x00;
		if (p + 2 <= MMIO_INSN_MAX_LEN) {
			assert_int_equal(run(b, p + 2, M64, &d), 0);
			assert_int_equal(d.len, p + 2);
		} else {
			check_err(M64, "ds ... mov (%rax),%eax", b, p + 2, TOO_LONG);
			check_err(M64, "ds ... mov (%rax),%eax", b, sizeof(b), TOO_LONG);
		}
	}
	/* Prefixes alone: 15 of them, with the fetch as long or longer. */
	memset(b, 0x66, sizeof(b));
	check_err(M32, "15 x data16", b, 15, TOO_LONG);
	check_err(M32, "24 x data16", b, sizeof(b), TOO_LONG);
	check_err(M32, "14 x data16", b, 14, TRUNCATED);
	memset(b, 0x40, sizeof(b));
	check_err(M64, "16 x rex", b, 16, TOO_LONG);
	/* 4 prefixes + movq $-1,0x0(%rsp) (12 bytes): 16, with the immediate
	 * running over; 3 prefixes make exactly 15. */
	memset(b, 0x2e, 4);
	memcpy(b + 4, movq, sizeof(movq));
	check_err(M64, "cs cs cs cs movq $-1,0x0(%rsp)", b, 16, TOO_LONG);
	assert_int_equal(run(b + 1, 15, M64, &d), 0);
	assert_int_equal(d.len, 15);
	assert_int_equal(d.imm, UINT64_MAX);
	/* 6 prefixes + rex.W movabs 0x0,%rax (10 bytes): the moffs runs over. */
	memset(b, 0x36, 6);
	memcpy(b + 6, movabs, sizeof(movabs));
	check_err(M64, "ss x 6 movabs 0x0,%rax", b, 16, TOO_LONG);
	assert_int_equal(run(b + 1, 15, M64, &d), 0);
	assert_int_equal(d.len, 15);
}

static void test_bad_mode(void **state)
{
	static const uint8_t b[] = {0x8b, 0x00};

	(void)state;
	check_err((enum mmio_insn_mode)3, "mode 3", b, sizeof(b), UNSUPPORTED);
	check_err((enum mmio_insn_mode) - 1, "mode -1", b, sizeof(b), UNSUPPORTED);
}

/* Decodes a row known to be valid, for the load and store tests. */
static struct mmio_insn decode(enum mmio_insn_mode mode, const uint8_t *b, size_t n)
{
	struct mmio_insn d;

	assert_int_equal(run(b, n, mode, &d), 0);
	assert_int_equal(d.len, n);
	return d;
}

#define DECODE(mode, ...)                                                                          \
	decode(mode, (const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__}))

#define OLD 0x1122334455667788ULL

static void test_load_full_and_32bit(void **state)
{
	struct mmio_insn d;

	(void)state;
	d = DECODE(M64, 0x48, 0x8b, 0x00); /* mov (%rax),%rax */
	assert_int_equal(mmio_insn_load(&d, OLD, 0xfedcba9876543210ULL), 0xfedcba9876543210ULL);
	/* A 32-bit destination zeroes bits 63:32. */
	d = DECODE(M64, 0x8b, 0x00); /* mov (%rax),%eax */
	assert_int_equal(mmio_insn_load(&d, OLD, 0x89abcdef), 0x89abcdef);
	assert_int_equal(mmio_insn_load(&d, UINT64_MAX, 0), 0);
	/* Bits of value beyond the access size do not count. */
	assert_int_equal(mmio_insn_load(&d, OLD, 0xffffffff00000001ULL), 1);
	d = DECODE(M32, 0xa1, 0x00, 0x00, 0xc0, 0xfe); /* mov 0xfec00000,%eax */
	assert_int_equal(mmio_insn_load(&d, OLD, 0x00170011), 0x00170011);
}

static void test_load_merges_8_and_16(void **state)
{
	struct mmio_insn d;

	(void)state;
	d = DECODE(M64, 0x66, 0x8b, 0x00); /* mov (%rax),%ax */
	assert_int_equal(mmio_insn_load(&d, OLD, 0xabcd), 0x112233445566abcdULL);
	assert_int_equal(mmio_insn_load(&d, OLD, 0xffff0000), 0x1122334455660000ULL);
	d = DECODE(M64, 0x8a, 0x00); /* mov (%rax),%al */
	assert_int_equal(mmio_insn_load(&d, OLD, 0xab), 0x11223344556677abULL);
	assert_int_equal(mmio_insn_load(&d, OLD, 0x1ff), 0x11223344556677ffULL);
	d = DECODE(M64, 0x40, 0x8a, 0x20); /* mov (%rax),%spl */
	assert_false(d.high_byte);
	assert_int_equal(mmio_insn_load(&d, OLD, 0xab), 0x11223344556677abULL);
	d = DECODE(M16, 0x8b, 0x07); /* mov (%bx),%ax */
	assert_int_equal(mmio_insn_load(&d, 0xffff0000ffff0000ULL, 0x1234), 0xffff0000ffff1234ULL);
}

static void test_load_high_byte(void **state)
{
	struct mmio_insn d;

	(void)state;
	d = DECODE(M64, 0x8a, 0x20); /* mov (%rax),%ah */
	assert_int_equal(d.reg, AH);
	assert_int_equal(mmio_insn_load(&d, OLD, 0xab), 0x112233445566ab88ULL);
	assert_int_equal(mmio_insn_load(&d, 0, 0xffffffff), 0xff00);
	d = DECODE(M32, 0x8a, 0x3b); /* mov (%ebx),%bh */
	assert_int_equal(d.reg, BH);
	assert_int_equal(mmio_insn_load(&d, OLD, 0x01), 0x1122334455660188ULL);
}

static void test_load_zero_extend(void **state)
{
	struct mmio_insn d;

	(void)state;
	d = DECODE(M64, 0x0f, 0xb6, 0x00); /* movzbl (%rax),%eax */
	assert_int_equal(mmio_insn_load(&d, UINT64_MAX, 0x80), 0x80);
	d = DECODE(M64, 0x66, 0x0f, 0xb6, 0x00); /* movzbw (%rax),%ax */
	assert_int_equal(mmio_insn_load(&d, OLD, 0xff), 0x11223344556600ffULL);
	d = DECODE(M64, 0x48, 0x0f, 0xb7, 0x10); /* movzwq (%rax),%rdx */
	assert_int_equal(mmio_insn_load(&d, UINT64_MAX, 0xffffffff), 0xffff);
	d = DECODE(M16, 0x66, 0x0f, 0xb6, 0x07); /* movzbl (%bx),%eax */
	assert_int_equal(mmio_insn_load(&d, OLD, 0x99), 0x99);
}

static void test_load_sign_extend(void **state)
{
	struct mmio_insn d;

	(void)state;
	d = DECODE(M64, 0x0f, 0xbe, 0x08); /* movsbl (%rax),%ecx */
	assert_int_equal(mmio_insn_load(&d, OLD, 0x80), 0xffffff80);
	assert_int_equal(mmio_insn_load(&d, OLD, 0x7f), 0x7f);
	assert_int_equal(mmio_insn_load(&d, OLD, 0x17f), 0x7f);
	d = DECODE(M64, 0x4c, 0x0f, 0xbe, 0x20); /* movsbq (%rax),%r12 */
	assert_int_equal(mmio_insn_load(&d, 0, 0xfe), 0xfffffffffffffffeULL);
	d = DECODE(M64, 0x66, 0x0f, 0xbe, 0x08); /* movsbw (%rax),%cx */
	assert_int_equal(mmio_insn_load(&d, OLD, 0x80), 0x112233445566ff80ULL);
	d = DECODE(M64, 0x0f, 0xbf, 0x18); /* movswl (%rax),%ebx */
	assert_int_equal(mmio_insn_load(&d, OLD, 0x8000), 0xffff8000);
	assert_int_equal(mmio_insn_load(&d, OLD, 0x7fff), 0x7fff);
	d = DECODE(M64, 0x4c, 0x0f, 0xbf, 0x38); /* movswq (%rax),%r15 */
	assert_int_equal(mmio_insn_load(&d, 0, 0x18000), 0xffffffffffff8000ULL);
}

static void test_store_value(void **state)
{
	struct mmio_insn d;

	(void)state;
	d = DECODE(M64, 0x88, 0x03); /* mov %al,(%rbx) */
	assert_int_equal(mmio_insn_store_value(&d, OLD), 0x88);
	d = DECODE(M64, 0x88, 0x23); /* mov %ah,(%rbx) */
	assert_int_equal(mmio_insn_store_value(&d, OLD), 0x77);
	d = DECODE(M64, 0x66, 0x89, 0x03); /* mov %ax,(%rbx) */
	assert_int_equal(mmio_insn_store_value(&d, OLD), 0x7788);
	d = DECODE(M64, 0x89, 0x0b); /* mov %ecx,(%rbx) */
	assert_int_equal(mmio_insn_store_value(&d, OLD), 0x55667788);
	d = DECODE(M64, 0x48, 0x89, 0x13); /* mov %rdx,(%rbx) */
	assert_int_equal(mmio_insn_store_value(&d, OLD), OLD);
	d = DECODE(M64, 0xa2, 0, 0, 0xc0, 0xfe, 0, 0, 0, 0); /* movabs %al,0xfec00000 */
	assert_int_equal(mmio_insn_store_value(&d, OLD), 0x88);
	/* An immediate ignores the register value. */
	d = DECODE(M64, 0xc6, 0x00, 0x80); /* movb $0x80,(%rax) */
	assert_int_equal(mmio_insn_store_value(&d, OLD), 0x80);
	d = DECODE(M64, 0x48, 0xc7, 0x00, 0xfe, 0xff, 0xff, 0xff); /* movq $-2,(%rax) */
	assert_int_equal(mmio_insn_store_value(&d, OLD), 0xfffffffffffffffeULL);
	d = DECODE(M64, 0xc7, 0x00, 0xfe, 0xff, 0xff, 0xff); /* movl $0xfffffffe,(%rax) */
	assert_int_equal(mmio_insn_store_value(&d, OLD), 0xfffffffe);
	d = DECODE(M16, 0xc7, 0x07, 0x34, 0x12); /* movw $0x1234,(%bx) */
	assert_int_equal(mmio_insn_store_value(&d, OLD), 0x1234);
}

static void test_strerror(void **state)
{
	static const int errs[] = {TRUNCATED, TOO_LONG, UNSUPPORTED, LOCK_REP, NO_MEMORY};
	const char *unknown = mmio_insn_strerror(1);

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(errs); i++) {
		assert_string_not_equal(mmio_insn_strerror(errs[i]), unknown);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(mmio_insn_strerror(errs[i]),
						mmio_insn_strerror(errs[j]));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_valid),
	    cmocka_unit_test(test_truncated_at_every_length),
	    cmocka_unit_test(test_refused),
	    cmocka_unit_test(test_mode_defaults),
	    cmocka_unit_test(test_length_limit),
	    cmocka_unit_test(test_bad_mode),
	    cmocka_unit_test(test_load_full_and_32bit),
	    cmocka_unit_test(test_load_merges_8_and_16),
	    cmocka_unit_test(test_load_high_byte),
	    cmocka_unit_test(test_load_zero_extend),
	    cmocka_unit_test(test_load_sign_extend),
	    cmocka_unit_test(test_store_value),
	    cmocka_unit_test(test_strerror),
	};

	return unit_run("mmio_insn", tests, ARRAY_SIZE(tests), reason);
}
