/*
 * The child's I/O APIC: an 82093AA register file with the version-0x20
 * additions (the EOI register of the PCI 2.2 I/O(x)APICs in Intel's ICHs),
 * 24 pins, at the MMIO page the MADT names (ACPI_IOAPIC_BASE, id 0). The
 * caller hands each decoded guest access to that page to
 * ioapic_mmio_read()/ioapic_mmio_write(), device models drive pins with
 * ioapic_set_irq(), and the model sends each interrupt message it would
 * put on the APIC bus to ops.deliver. No time, no locking (the caller
 * serializes calls, as it holds the VM lock) and no globals, so it runs
 * the same in the VMWP, under unit tests and under a fuzzer.
 *
 * Level-triggered pins deliver while asserted, unmasked and not awaiting
 * an EOI (remote IRR). The VMWP asserts every interrupt in the local APIC
 * as edge-triggered (its TMR bit clear), so no LAPIC EOI is broadcast back;
 * Linux notices the clear TMR bit in ioapic_ack_level and EOIs the I/O
 * APIC itself through the EOI register, since the version is >= 0x20. An
 * integrator that does see a level EOI may forward it with ioapic_eoi().
 */
#ifndef SEPTUM_IOAPIC_H
#define SEPTUM_IOAPIC_H

#include <stdbool.h>
#include <stdint.h>

#define IOAPIC_PINS 24

/* MMIO offsets in the page; each a 32-bit register. */
#define IOAPIC_IOREGSEL 0x00
#define IOAPIC_IOWIN	0x10
#define IOAPIC_EOI	0x40

/* Registers behind IOWIN. */
#define IOAPIC_REG_ID	   0x00
#define IOAPIC_REG_VERSION 0x01
#define IOAPIC_REG_ARB	   0x02
#define IOAPIC_REG_REDTBL  0x10 /* pin n: low dword 0x10 + 2n, high 0x11 + 2n */

/* Delivery modes the model sends; the values are the RTE's, which are
 * also the TLFS HV_X64_INTERRUPT_TYPE_* of HvCallAssertVirtualInterrupt. */
enum ioapic_delivery_mode {
	IOAPIC_DELIVERY_FIXED = 0,
	IOAPIC_DELIVERY_LOWEST_PRIORITY = 1,
	IOAPIC_DELIVERY_NMI = 4,
	IOAPIC_DELIVERY_INIT = 5,
	IOAPIC_DELIVERY_EXTINT = 7,
};

/* One interrupt message, from the pin's redirection table entry. level is
 * the entry's trigger mode; vector is the entry's whatever the mode
 * (meaningless for NMI, INIT and ExtINT). */
struct ioapic_interrupt {
	enum ioapic_delivery_mode delivery_mode;
	uint8_t vector;
	uint8_t destination; /* APIC id, or a logical mask if logical */
	bool logical;
	bool level;
};

/* deliver runs inside ioapic_* calls and must not re-enter the model;
 * NULL drops interrupts (an APIC bus nobody listens on). */
struct ioapic_ops {
	void (*deliver)(void *ctx, const struct ioapic_interrupt *irq);
	void *ctx;
};

/* Visible for tests and state save; change it only through the calls. */
struct ioapic {
	struct ioapic_ops ops;
	uint8_t id;		      /* bits 3:0 of the ID register's 27:24 */
	uint8_t regsel;		      /* IOREGSEL */
	uint32_t lines;		      /* pin n's input as driven, bit n, before polarity */
	uint64_t redtbl[IOAPIC_PINS]; /* RTEs; delivery status always 0 */
};

/* Reset: id 0, every entry masked, every line low. */
void ioapic_init(struct ioapic *io, const struct ioapic_ops *ops);
/* offset within the page, size in bytes. Only 32-bit accesses to
 * IOREGSEL, IOWIN and (write only) EOI do anything; other reads return 0,
 * other writes are ignored. */
uint64_t ioapic_mmio_read(const struct ioapic *io, uint64_t offset, unsigned size);
void ioapic_mmio_write(struct ioapic *io, uint64_t offset, unsigned size, uint64_t value);
/* Drives pin's input to level (high or low, whatever the polarity); pins
 * beyond IOAPIC_PINS are ignored. */
void ioapic_set_irq(struct ioapic *io, unsigned pin, bool level);
/* A level EOI for vector from a local APIC: the same as the guest writing
 * vector to the EOI register. */
void ioapic_eoi(struct ioapic *io, uint8_t vector);

#endif
