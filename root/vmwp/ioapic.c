/*
 * I/O APIC model (see ioapic.h). Registers and bits are those of the
 * 82093AA datasheet; the EOI register is the ICH I/O(x)APIC's. What Linux
 * 6.1's arch/x86/kernel/apic/io_apic.c does with them is noted where it
 * shapes a choice.
 */
#include "ioapic.h"

#include <string.h>

#include <hv/hypercall.h>

/* Version 0x20 (has the EOI register: Linux's __eoi_ioapic_pin uses it
 * from 0x20 on), maximum redirection entry 23 in bits 23:16. */
#define IOAPIC_VERSION_VALUE (0x20u | (IOAPIC_PINS - 1u) << 16)

#define ID_SHIFT 24
#define ID_MASK	 0x0Fu

#define RTE_VECTOR	  0xFFull
#define RTE_DELIVERY_MODE 0x700ull
#define RTE_DM_SHIFT	  8
#define RTE_LOGICAL	  (1ull << 11)
#define RTE_ACTIVE_LOW	  (1ull << 13)
#define RTE_REMOTE_IRR	  (1ull << 14)
#define RTE_LEVEL	  (1ull << 15)
#define RTE_MASKED	  (1ull << 16)
#define RTE_DEST_SHIFT	  56
/* Delivery status (bit 12) reads 0: a message is handed to ops.deliver at
 * once, never left pending. Bits 55:17 are reserved and read 0. */
#define RTE_WRITABLE_LOW                                                                           \
	(RTE_VECTOR | RTE_DELIVERY_MODE | RTE_LOGICAL | RTE_ACTIVE_LOW | RTE_LEVEL | RTE_MASKED)
#define RTE_WRITABLE_HIGH (0xFFull << RTE_DEST_SHIFT)

_Static_assert(IOAPIC_DELIVERY_FIXED == HV_X64_INTERRUPT_TYPE_FIXED, "fixed");
_Static_assert(IOAPIC_DELIVERY_LOWEST_PRIORITY == HV_X64_INTERRUPT_TYPE_LOWESTPRIORITY, "lowest");
_Static_assert(IOAPIC_DELIVERY_NMI == HV_X64_INTERRUPT_TYPE_NMI, "NMI");
_Static_assert(IOAPIC_DELIVERY_INIT == HV_X64_INTERRUPT_TYPE_INIT, "INIT");
_Static_assert(IOAPIC_DELIVERY_EXTINT == HV_X64_INTERRUPT_TYPE_EXTINT, "ExtINT");

static bool asserted(const struct ioapic *io, unsigned pin)
{
	bool high = io->lines >> pin & 1;

	return high != !!(io->redtbl[pin] & RTE_ACTIVE_LOW);
}

/*
 * Sends entry's message; false if its delivery mode has none to send:
 * codes 3 and 6 are reserved, and SMI (2) means nothing to a partition
 * without SMM (HvCallAssertVirtualInterrupt has no type for it).
 */
static bool deliver(struct ioapic *io, uint64_t entry)
{
	unsigned mode = (entry & RTE_DELIVERY_MODE) >> RTE_DM_SHIFT;
	struct ioapic_interrupt irq;

	switch (mode) {
	case IOAPIC_DELIVERY_FIXED:
	case IOAPIC_DELIVERY_LOWEST_PRIORITY:
	case IOAPIC_DELIVERY_NMI:
	case IOAPIC_DELIVERY_INIT:
	case IOAPIC_DELIVERY_EXTINT:
		break;
	default:
		return false;
	}
	irq.delivery_mode = mode;
	irq.vector = entry & RTE_VECTOR;
	irq.destination = entry >> RTE_DEST_SHIFT;
	irq.logical = entry & RTE_LOGICAL;
	irq.level = entry & RTE_LEVEL;
	if (io->ops.deliver)
		io->ops.deliver(io->ops.ctx, &irq);
	return true;
}

/* A level entry delivers whenever it is asserted, unmasked and its last
 * message has been EOIed; remote IRR is set before the callback runs. */
static void service_level(struct ioapic *io, unsigned pin)
{
	uint64_t entry = io->redtbl[pin];

	if (!(entry & RTE_LEVEL) || (entry & (RTE_MASKED | RTE_REMOTE_IRR)) || !asserted(io, pin))
		return;
	io->redtbl[pin] = entry | RTE_REMOTE_IRR;
	if (!deliver(io, entry))
		io->redtbl[pin] = entry;
}

/*
 * Remote IRR is read-only and belongs to level entries: a write keeps it,
 * except that it clears when the entry becomes edge (Linux's EOI emulation
 * for pre-0x20 parts, mask+edge then level, relies on that). A write
 * delivers only for a level entry (an unmask, a polarity change): edges
 * come from the line alone.
 */
static void write_rte(struct ioapic *io, unsigned pin, bool high, uint32_t value)
{
	uint64_t entry = io->redtbl[pin];

	if (high) {
		entry = (entry & ~RTE_WRITABLE_HIGH) | ((uint64_t)value << 32 & RTE_WRITABLE_HIGH);
	} else {
		entry = (entry & ~(uint64_t)UINT32_MAX) | (value & RTE_WRITABLE_LOW) |
			(entry & RTE_REMOTE_IRR);
		if (!(entry & RTE_LEVEL))
			entry &= ~RTE_REMOTE_IRR;
	}
	io->redtbl[pin] = entry;
	service_level(io, pin);
}

static uint32_t read_reg(const struct ioapic *io, uint8_t reg)
{
	unsigned pin;

	switch (reg) {
	case IOAPIC_REG_ID:
	case IOAPIC_REG_ARB: /* the arbitration id is loaded from the APIC id */
		return (uint32_t)io->id << ID_SHIFT;
	case IOAPIC_REG_VERSION:
		return IOAPIC_VERSION_VALUE;
	}
	if (reg < IOAPIC_REG_REDTBL)
		return 0;
	pin = (reg - IOAPIC_REG_REDTBL) / 2;
	if (pin >= IOAPIC_PINS)
		return 0;
	return reg & 1 ? io->redtbl[pin] >> 32 : (uint32_t)io->redtbl[pin];
}

static void write_reg(struct ioapic *io, uint8_t reg, uint32_t value)
{
	unsigned pin;

	if (reg == IOAPIC_REG_ID) {
		/* Linux's io_apic_unique_id reads back what it writes here. */
		io->id = value >> ID_SHIFT & ID_MASK;
		return;
	}
	if (reg < IOAPIC_REG_REDTBL)
		return;
	pin = (reg - IOAPIC_REG_REDTBL) / 2;
	if (pin < IOAPIC_PINS)
		write_rte(io, pin, reg & 1, value);
}

void ioapic_init(struct ioapic *io, const struct ioapic_ops *ops)
{
	memset(io, 0, sizeof(*io));
	io->ops = *ops;
	for (unsigned pin = 0; pin < IOAPIC_PINS; pin++)
		io->redtbl[pin] = RTE_MASKED;
}

uint64_t ioapic_mmio_read(const struct ioapic *io, uint64_t offset, unsigned size)
{
	if (size != 4)
		return 0;
	switch (offset) {
	case IOAPIC_IOREGSEL:
		return io->regsel;
	case IOAPIC_IOWIN:
		return read_reg(io, io->regsel);
	default: /* the EOI register is write-only */
		return 0;
	}
}

void ioapic_mmio_write(struct ioapic *io, uint64_t offset, unsigned size, uint64_t value)
{
	if (size != 4)
		return;
	switch (offset) {
	case IOAPIC_IOREGSEL:
		io->regsel = (uint8_t)value;
		break;
	case IOAPIC_IOWIN:
		write_reg(io, io->regsel, (uint32_t)value);
		break;
	case IOAPIC_EOI:
		ioapic_eoi(io, (uint8_t)value);
		break;
	}
}

/*
 * An edge entry delivers on the line's asserting edge if unmasked at that
 * moment. An edge while masked is lost, not held pending, as on the
 * 82093AA ("edge-sensitive interrupts signaled on a masked interrupt pin
 * are ignored"). Linux does not count on more: it disables edge IRQs
 * lazily, leaving the pin unmasked and replaying an edge that arrives
 * meanwhile when the IRQ is enabled again.
 */
void ioapic_set_irq(struct ioapic *io, unsigned pin, bool level)
{
	uint64_t entry;
	bool was;

	if (pin >= IOAPIC_PINS)
		return;
	entry = io->redtbl[pin];
	was = asserted(io, pin);
	if (level)
		io->lines |= 1u << pin;
	else
		io->lines &= ~(1u << pin);
	if (entry & RTE_LEVEL) {
		service_level(io, pin);
		return;
	}
	if (!was && asserted(io, pin) && !(entry & RTE_MASKED))
		deliver(io, entry);
}

/* Every level entry waiting on vector is released; one still asserted and
 * unmasked delivers again at once. */
void ioapic_eoi(struct ioapic *io, uint8_t vector)
{
	for (unsigned pin = 0; pin < IOAPIC_PINS; pin++) {
		uint64_t entry = io->redtbl[pin];

		if (!(entry & RTE_REMOTE_IRR) || (entry & RTE_VECTOR) != vector)
			continue;
		io->redtbl[pin] = entry & ~RTE_REMOTE_IRR;
		service_level(io, pin);
	}
}
