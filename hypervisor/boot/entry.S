/*
 * Multiboot entry: the loader leaves us in 32-bit protected mode with paging
 * off. We build an identity map of the low 4 GiB, enter long mode and call
 * hv_main(magic, info). C code replaces these tables with the real ones.
 */
#define MB1_MAGIC	0x1BADB002
/* page-align modules, want memory info, load addresses in header (ELF64) */
#define MB1_FLAGS	((1 << 0) | (1 << 1) | (1 << 16))
#define MB2_MAGIC	0xE85250D6

#define CR0_PE		(1 << 0)
#define CR0_ET		(1 << 4)
#define CR0_WP		(1 << 16)
#define CR0_PG		(1 << 31)
#define CR4_PAE		(1 << 5)
#define MSR_EFER	0xC0000080
#define EFER_LME	(1 << 8)
#define EFER_NXE	(1 << 11)

	.section .multiboot, "a"
	.align 4
mb1_header:
	.long MB1_MAGIC
	.long MB1_FLAGS
	.long -(MB1_MAGIC + MB1_FLAGS)
	.long mb1_header		/* header_addr */
	.long _image_start		/* load_addr */
	.long _edata			/* load_end_addr */
	.long _end			/* bss_end_addr */
	.long entry32			/* entry_addr */

	/* GRUB loads the ELF by its program headers and enters at e_entry. */
	.align 8
mb2_header:
	.long MB2_MAGIC
	.long 0				/* architecture: i386 protected mode */
	.long mb2_header_end - mb2_header
	.long -(MB2_MAGIC + (mb2_header_end - mb2_header))
	.word 0, 0			/* end tag */
	.long 8
mb2_header_end:

	.text
	.code32
	.globl entry32
entry32:
	cli
	cld
	mov	%eax, %edi		/* loader magic */
	mov	%ebx, %esi		/* loader info */
	mov	$boot_stack_top, %esp

	/* Long mode is not optional: say so on COM1 and stop. */
	mov	$0x80000000, %eax
	cpuid
	cmp	$0x80000001, %eax
	jb	no_long_mode
	mov	$0x80000001, %eax
	cpuid
	bt	$29, %edx
	jnc	no_long_mode

	/* PML4[0] -> PDPT, PDPT[0..3] -> four PDs of 2 MiB leaves: 0..4 GiB. */
	mov	$boot_pdpt, %eax
	or	$3, %eax
	mov	%eax, boot_pml4
	mov	$boot_pd, %ebx
	xor	%ecx, %ecx
1:	mov	%ebx, %eax
	or	$3, %eax
	mov	%eax, boot_pdpt(,%ecx,8)
	add	$4096, %ebx
	inc	%ecx
	cmp	$4, %ecx
	jne	1b
	xor	%ecx, %ecx
2:	mov	%ecx, %eax
	shl	$21, %eax
	or	$0x83, %eax		/* P | W | PS */
	mov	%eax, boot_pd(,%ecx,8)
	movl	$0, boot_pd+4(,%ecx,8)
	inc	%ecx
	cmp	$2048, %ecx
	jne	2b

	mov	%cr4, %eax
	or	$CR4_PAE, %eax
	mov	%eax, %cr4
	mov	$boot_pml4, %eax
	mov	%eax, %cr3
	mov	%edi, %ebp		/* rdmsr/wrmsr clobber edx */
	mov	$MSR_EFER, %ecx
	rdmsr
	or	$(EFER_LME | EFER_NXE), %eax
	wrmsr
	mov	%ebp, %edi
	mov	$(CR0_PE | CR0_ET | CR0_WP | CR0_PG), %eax
	mov	%eax, %cr0
	lgdt	boot_gdt_desc
	ljmp	$0x08, $entry64

no_long_mode:
	mov	$no_lm_msg, %esi
	mov	$0x3F8, %dx
3:	lodsb
	test	%al, %al
	jz	4f
	outb	%al, %dx
	jmp	3b
4:	hlt
	jmp	4b

	.code64
entry64:
	mov	$0x10, %eax
	mov	%eax, %ds
	mov	%eax, %es
	mov	%eax, %ss
	mov	%eax, %fs
	mov	%eax, %gs
	mov	$boot_stack_top, %rsp
	mov	%edi, %edi		/* upper halves are undefined after the switch */
	mov	%esi, %esi
	call	hv_main
5:	cli
	hlt
	jmp	5b

	.section .rodata
no_lm_msg:
	.asciz "septum: fatal: this CPU has no long mode (CPUID 8000_0001 EDX bit 29)\r\n"
	.align 8
boot_gdt:
	.quad 0
	.quad 0x00AF9A000000FFFF	/* 0x08: 64-bit code */
	.quad 0x00CF92000000FFFF	/* 0x10: data */
boot_gdt_desc:
	.word boot_gdt_desc - boot_gdt - 1
	.long boot_gdt

	.bss
	.align 4096
boot_pml4:	.skip 4096
boot_pdpt:	.skip 4096
boot_pd:	.skip 4 * 4096
	.globl boot_stack_top
boot_stack:	.skip 16384
boot_stack_top:
