/* Test-guest entry (include/septum/testdev.h): 64-bit, paging on, RSP at the
 * top of RAM, RDI = RAM size, RSI = command line. */
	.section .text.start, "ax"
	.globl _start
_start:
	mov	%rdi, guest_ram_size(%rip)
	mov	%rsi, guest_cmdline(%rip)
	call	guest_cpu_init
	mov	guest_cmdline(%rip), %rdi
	call	main
	cli
1:	hlt
	jmp	1b

/* Every vector pushes a frame and calls guest_trap(frame). */
	.macro isr vec
	.align 16
	.if \vec == 8 || (\vec >= 10 && \vec <= 14) || \vec == 17 || \vec == 21 || \vec == 29 || \vec == 30
	.else
	push	$0
	.endif
	push	$\vec
	jmp	isr_common
	.endm

	.text
	.globl guest_isr_table
	.align 16
guest_isr_table:
	.set v, 0
	.rept 32
	isr v
	.set v, v + 1
	.endr

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
	.globl guest_ram_size, guest_cmdline
	.align 8
guest_ram_size:	.quad 0
guest_cmdline:	.quad 0
