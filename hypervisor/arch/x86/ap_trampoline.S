/*
 * Application processors start here in real mode (STARTUP IPI vector
 * AP_TRAMPOLINE >> 12), copied to AP_TRAMPOLINE first: to protected mode,
 * to long mode on the hypervisor's own page tables, then ap_main(index)
 * on a stack of their own. Addresses are absolute: the copy runs at
 * AP_TRAMPOLINE whatever the link address.
 */
#define AP_TRAMPOLINE	0x1000
#define ABS(x)		((x) - ap_trampoline + AP_TRAMPOLINE)
#define AP_STACK_SIZE	8192

	.section .rodata
	.globl ap_trampoline, ap_trampoline_end, ap_cr3, ap_next, ap_stacks
	.code16
ap_trampoline:
	cli
	cld
	xor	%ax, %ax
	mov	%ax, %ds
	lgdtl	ABS(ap_gdt_desc)
	mov	%cr0, %eax
	or	$1, %eax
	mov	%eax, %cr0
	ljmpl	$0x08, $ABS(ap_pm32)

	.code32
ap_pm32:
	mov	$0x10, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %ss
	mov	%cr4, %eax
	or	$0x20, %eax		/* PAE */
	mov	%eax, %cr4
	mov	ABS(ap_cr3), %eax
	mov	%eax, %cr3
	mov	$0xC0000080, %ecx
	rdmsr
	or	$0x900, %eax		/* EFER.LME | EFER.NXE */
	wrmsr
	mov	%cr0, %eax
	or	$0x80010000, %eax	/* PG | WP */
	mov	%eax, %cr0
	ljmp	$0x18, $ABS(ap_lm64)

	.code64
ap_lm64:
	mov	$0x10, %eax
	mov	%eax, %ds
	mov	%eax, %es
	mov	%eax, %ss
	mov	$1, %eax
	lock xadd %eax, ABS(ap_next)
	mov	%eax, %edi		/* ap_main(index) */
	lea	1(%rax), %rcx
	imul	$AP_STACK_SIZE, %rcx
	add	ABS(ap_stacks), %rcx
	mov	%rcx, %rsp
	movabs	$ap_main, %rax
	call	*%rax
1:	hlt
	jmp	1b

	.align 8
ap_gdt:
	.quad 0
	.quad 0x00CF9A000000FFFF	/* 0x08: 32-bit code */
	.quad 0x00CF92000000FFFF	/* 0x10: data */
	.quad 0x00AF9A000000FFFF	/* 0x18: 64-bit code */
ap_gdt_desc:
	.word ap_gdt_desc - ap_gdt - 1
	.long ABS(ap_gdt)
	.align 8
ap_stacks:	.quad 0		/* filled in by the BSP in the copy */
ap_cr3:		.long 0
ap_next:	.long 0
ap_trampoline_end:
