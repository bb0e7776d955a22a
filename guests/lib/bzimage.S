/*
 * A test guest dressed as a Linux bzImage, so that septum-vmwp boots it
 * (root/vmwp/linux_boot.c, Documentation/arch/x86/boot.rst): one setup
 * sector carrying the setup header in front of the flat guest, whose
 * 64-bit entry sits 0x200 into it. guests/bzimage.ld places the header just
 * below the load address and fills in its sizes, so `objcopy -O binary`
 * writes header and guest back to back. Only the 64-bit entry is real:
 * there is no real-mode setup code, and the 32-bit entry halts.
 */
#include "boot/linux_bootparam.h"

#define BZ_SETUP_SECTORS	1
#define BZ_HEADER_END		0x268	/* the jump at 0x200 skips the header to here */

	.section .bzimage.setup, "a"
bz_setup:
	.org	BZ_SETUP_SECTS
	.byte	BZ_SETUP_SECTORS
	.org	BZ_SYSSIZE
	.long	__bz_syssize		/* 16-byte units of the code below */
	.org	BZ_BOOT_FLAG
	.word	0xAA55
	.org	BZ_JUMP
	.byte	0xEB, BZ_HEADER_END - BZ_JUMP - 2
	.ascii	"HdrS"
	.word	0x020F			/* boot protocol 2.15 */
	.org	BZ_LOADFLAGS
	.byte	BZ_LOADED_HIGH
	.org	BZ_CODE32_START
	.long	BZ_LOAD
	.org	BZ_INITRD_ADDR_MAX
	.long	0x7FFFFFFF
	.org	BZ_KERNEL_ALIGNMENT
	.long	0x200000
	.byte	0			/* not relocatable: loaded at pref_address */
	.byte	0
	.word	BZ_XLF_KERNEL_64	/* xloadflags */
	.long	0x7FF			/* cmdline_size */
	.org	BZ_PREF_ADDRESS
	.quad	BZ_LOAD
	.long	__bz_init_size		/* to the end of .bss */
	.org	BZ_HEADER_END
	.org	(BZ_SETUP_SECTORS + 1) * 512

/* Where a 32-bit loader would enter. */
	.section .text.bzentry32, "ax"
	.code32
1:	cli
	hlt
	jmp	1b
	.code64

/*
 * The 64-bit entry: RSI = boot_params, CS 0x10 of the loader's GDT, no
 * stack. The test-guest library expects its own GDT (code 0x08, data 0x10)
 * with CS already 0x08, a stack, RSI = the command line and RDI = RAM size;
 * RDX gets boot_params (guest_boot_rdx) and RDI 0: main reads the e820 map.
 */
	.section .text.bzentry64, "ax"
	.globl	bz_entry64
bz_entry64:
	cli
	lgdt	bz_gdtr(%rip)
	mov	$0x10, %eax
	mov	%eax, %ds
	mov	%eax, %es
	mov	%eax, %ss
	xor	%eax, %eax
	mov	%eax, %fs
	mov	%eax, %gs
	lea	bz_stack_top(%rip), %rsp
	lea	1f(%rip), %rax
	pushq	$0x08
	push	%rax
	lretq
1:	mov	%rsi, %rdx
	mov	BZ_CMD_LINE_PTR(%rdx), %esi
	xor	%edi, %edi
	jmp	_start

	.section .rodata
	.balign	8
bz_gdt:
	.quad	0, 0x00AF9A000000FFFF, 0x00CF92000000FFFF
bz_gdtr:
	.word	bz_gdtr - bz_gdt - 1
	.quad	bz_gdt

	.bss
	.balign	16
	.skip	16384
bz_stack_top:
