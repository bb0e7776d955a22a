/*
 * void svm_vmrun(u64 vmcb_pa, struct vp_gprs *gprs, u64 host_vmcb_pa,
 *		  bool host_interrupts)
 *
 * GIF stays clear from before VMLOAD of the guest's hidden state until the
 * host's is back: an NMI in that window would run on the guest's TR.
 * RAX, RSP and RIP travel in the VMCB; the rest in gprs.
 * host_interrupts sets RFLAGS.IF for the VMRUN so physical interrupts exit
 * the guest (they are the root's); GIF=0 keeps them from us meanwhile, and
 * IF is clear again before GIF is set.
 */
#define GPR(n) (8 * (n))

	.text
	.globl svm_vmrun
svm_vmrun:
	push	%rbx
	push	%rbp
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	push	%rdx			/* 16(%rsp): host VMCB */
	push	%rdi			/*  8(%rsp): guest VMCB */
	push	%rsi			/*  0(%rsp): gprs */

	clgi
	test	%cl, %cl
	jz	1f
	sti
1:	mov	%rdx, %rax
	vmsave
	mov	%rsi, %rax
	mov	GPR(1)(%rax), %rcx
	mov	GPR(2)(%rax), %rdx
	mov	GPR(3)(%rax), %rbx
	mov	GPR(5)(%rax), %rbp
	mov	GPR(6)(%rax), %rsi
	mov	GPR(7)(%rax), %rdi
	mov	GPR(8)(%rax), %r8
	mov	GPR(9)(%rax), %r9
	mov	GPR(10)(%rax), %r10
	mov	GPR(11)(%rax), %r11
	mov	GPR(12)(%rax), %r12
	mov	GPR(13)(%rax), %r13
	mov	GPR(14)(%rax), %r14
	mov	GPR(15)(%rax), %r15
	mov	8(%rsp), %rax
	vmload
	vmrun
	vmsave				/* RAX is the guest VMCB again after #VMEXIT */

	mov	(%rsp), %rax
	mov	%rcx, GPR(1)(%rax)
	mov	%rdx, GPR(2)(%rax)
	mov	%rbx, GPR(3)(%rax)
	mov	%rbp, GPR(5)(%rax)
	mov	%rsi, GPR(6)(%rax)
	mov	%rdi, GPR(7)(%rax)
	mov	%r8, GPR(8)(%rax)
	mov	%r9, GPR(9)(%rax)
	mov	%r10, GPR(10)(%rax)
	mov	%r11, GPR(11)(%rax)
	mov	%r12, GPR(12)(%rax)
	mov	%r13, GPR(13)(%rax)
	mov	%r14, GPR(14)(%rax)
	mov	%r15, GPR(15)(%rax)
	mov	16(%rsp), %rax
	vmload
	cli
	stgi

	add	$24, %rsp
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbp
	pop	%rbx
	ret
