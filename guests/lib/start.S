/* Test-guest entry (include/septum/testdev.h): 64-bit, paging on, RSP at the
 * top of RAM, RDI = RAM size, RSI = command line; a test root also gets
 * RDX = its info table. */
	.section .text.start, "ax"
	.globl _start
_start:
	/* Only the image is loaded: a root's .bss is whatever RAM held. */
	mov	%rdi, %r8
	lea	__bss_start(%rip), %rdi
	lea	__bss_end(%rip), %rcx
	sub	%rdi, %rcx
	xor	%eax, %eax
	cld
	rep stosb
	mov	%r8, guest_ram_size(%rip)
	mov	%rsi, guest_cmdline(%rip)
	mov	%rdx, guest_boot_rdx(%rip)
	call	guest_cpu_init
	call	main
	cli
1:	hlt
	jmp	1b

/* Every vector pushes a frame and calls guest_trap(frame). */
#include "isr_table.h"

	.text
	isr_table guest_isr_table, 256, isr_common

isr_common:
	push	%rax
	push	%rcx
	push	%rdx
	push	%rsi
	push	%rdi
	push	%r8
	push	%r9
	push	%r10
	push	%r11
	mov	%rsp, %rdi
	cld
	call	guest_trap
	pop	%r11
	pop	%r10
	pop	%r9
	pop	%r8
	pop	%rdi
	pop	%rsi
	pop	%rdx
	pop	%rcx
	pop	%rax
	add	$16, %rsp
	iretq

	.bss
	.globl guest_ram_size, guest_cmdline, guest_boot_rdx
	.align 8
guest_ram_size:	.quad 0
guest_cmdline:	.quad 0
guest_boot_rdx:	.quad 0
