/*
 * Interrupt entry stubs, for assembly: ISR_TABLE(name, count, common)
 * makes `count` 16-byte stubs at `name`; each pushes a zero error code
 * where the CPU pushes none, then its vector, and jumps to `common`. Used
 * by the hypervisor and the test guests.
 */
#ifndef SEPTUM_ISR_TABLE_H
#define SEPTUM_ISR_TABLE_H

	.macro isr_stub vec, common
	.align 16
	.if \vec == 8 || (\vec >= 10 && \vec <= 14) || \vec == 17 || \vec == 21 || \vec == 29 || \vec == 30
	.else
	push	$0
	.endif
	push	$\vec
	jmp	\common
	.endm

	.macro isr_table name, count, common
	.globl \name
	.align 16
\name:
	.set isr_vec, 0
	.rept \count
	isr_stub isr_vec, \common
	.set isr_vec, isr_vec + 1
	.endr
	.endm

#endif
