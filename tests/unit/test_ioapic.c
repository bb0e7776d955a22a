/* Unit tests for the I/O APIC model: the register file (ID, version and
 * arbitration, RTE read-back with its read-only bits, IOREGSEL's 8 bits),
 * Linux 6.1's boot-time accesses replayed access by access (the register
 * check, clear_IO_APIC, programming and unmasking COM1's pin), edge
 * delivery, level delivery with remote IRR and EOI by register and by
 * call, polarity, delivery modes, and accesses the model must ignore. The
 * RTE layout is Linux's struct IO_APIC_route_entry, written out here so
 * the test does not share the model's definitions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* needs the four above first */
#include "unit.h"

#include <limits.h>
#include <stdbool.h>
#include <string.h>

#include "ioapic.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* struct io_apic: index, data, eoi. */
#define IO_APIC_INDEX 0x00
#define IO_APIC_DATA  0x10
#define IO_APIC_EOI   0x40

/* Low dword of an RTE. */
#define RTE_VECTOR(v)	 ((uint32_t)(v))
#define RTE_DM(m)	 ((uint32_t)(m) << 8)
#define RTE_DM_MASK	 0x700u
#define RTE_LOGICAL	 0x800u
#define RTE_DELIV_STATUS 0x1000u
#define RTE_ACTIVE_LOW	 0x2000u
#define RTE_IRR		 0x4000u
#define RTE_LEVEL	 0x8000u
#define RTE_MASKED	 0x10000u
/* High dword: destid_0_7 in bits 63:56. */
#define RTE_DEST(d) ((uint32_t)(d) << 24)

#define DM_FIXED  0
#define DM_LOWEST 1
#define DM_SMI	  2
#define DM_NMI	  4
#define DM_INIT	  5
#define DM_EXTINT 7

#define COM1_PIN 4

static struct ioapic io;

static struct {
	struct ioapic_interrupt irq[64];
	size_t n;
} sent;

static void record(void *ctx, const struct ioapic_interrupt *irq)
{
	assert_ptr_equal(ctx, &io);
	assert_true(sent.n < ARRAY_SIZE(sent.irq));
	sent.irq[sent.n++] = *irq;
}

static int setup(void **state)
{
	static const struct ioapic_ops ops = {
	    .deliver = record,
	    .ctx = &io,
	};

	(void)state;
	memset(&sent, 0, sizeof(sent));
	ioapic_init(&io, &ops);
	return 0;
}

/* native_io_apic_read() and io_apic_write(). */
static uint32_t io_apic_read(unsigned reg)
{
	ioapic_mmio_write(&io, IO_APIC_INDEX, 4, reg);
	return (uint32_t)ioapic_mmio_read(&io, IO_APIC_DATA, 4);
}

static void io_apic_write(unsigned reg, uint32_t value)
{
	ioapic_mmio_write(&io, IO_APIC_INDEX, 4, reg);
	ioapic_mmio_write(&io, IO_APIC_DATA, 4, value);
}

static uint32_t rte_low(unsigned pin)
{
	return io_apic_read(0x10 + 2 * pin);
}

static uint32_t rte_high(unsigned pin)
{
	return io_apic_read(0x11 + 2 * pin);
}

/* __ioapic_write_entry(): the high dword first, so that an unmask in the
 * low one finds the destination in place. */
static void write_entry(unsigned pin, uint32_t low, uint32_t high)
{
	io_apic_write(0x11 + 2 * pin, high);
	io_apic_write(0x10 + 2 * pin, low);
}

/* io_apic_modify_irq(): mask and unmask touch the low dword only. */
static void set_mask(unsigned pin, bool masked)
{
	uint32_t low = rte_low(pin) & ~(RTE_DELIV_STATUS | RTE_IRR);

	io_apic_write(0x10 + 2 * pin, masked ? low | RTE_MASKED : low & ~RTE_MASKED);
}

static void expect_sent(size_t i, uint8_t vector, unsigned mode, bool logical, uint8_t dest,
			bool level)
{
	assert_true(i < sent.n);
	assert_int_equal(sent.irq[i].vector, vector);
	assert_int_equal(sent.irq[i].delivery_mode, mode);
	assert_int_equal(sent.irq[i].logical, logical);
	assert_int_equal(sent.irq[i].destination, dest);
	assert_int_equal(sent.irq[i].level, level);
}

/* ---- the register file ---- */

static void test_reset_state(void **state)
{
	(void)state;
	assert_int_equal(ioapic_mmio_read(&io, IO_APIC_INDEX, 4), 0);
	assert_int_equal(io_apic_read(0), 0);	       /* ID 0, as the MADT says */
	assert_int_equal(io_apic_read(1), 0x00170020); /* 24 entries, version 0x20 */
	assert_int_equal(io_apic_read(2), 0);
	for (unsigned pin = 0; pin < IOAPIC_PINS; pin++) {
		assert_int_equal(rte_low(pin), RTE_MASKED);
		assert_int_equal(rte_high(pin), 0);
	}
	/* Lines are low: an active-high pin is idle. */
	assert_int_equal(io.lines, 0);
	assert_int_equal(sent.n, 0);
}

static void test_id_version_arbitration(void **state)
{
	(void)state;
	io_apic_write(0, 0xFFFFFFFF);
	assert_int_equal(io_apic_read(0), 0x0F000000);
	/* The arbitration id follows the APIC id. */
	assert_int_equal(io_apic_read(2), 0x0F000000);
	io_apic_write(0, 0x05000000);
	assert_int_equal(io_apic_read(0), 0x05000000);
	assert_int_equal(io_apic_read(2), 0x05000000);
	/* Version and arbitration are read-only. */
	io_apic_write(1, 0);
	io_apic_write(2, 0x0A000000);
	assert_int_equal(io_apic_read(1), 0x00170020);
	assert_int_equal(io_apic_read(2), 0x05000000);
	/* Undefined registers read 0 (Linux's print_IO_APIC reads 3). */
	assert_int_equal(io_apic_read(3), 0);
	assert_int_equal(io_apic_read(0x0F), 0);
}

static void test_rte_read_back(void **state)
{
	(void)state;
	/* Delivery status, remote IRR and reserved bits read 0. */
	write_entry(7, 0xFFFFFFFF, 0xFFFFFFFF);
	assert_int_equal(rte_low(7), 0x0001AFFF);
	assert_int_equal(rte_high(7), 0xFF000000);
	assert_int_equal(sent.n, 0); /* masked */
	write_entry(7, RTE_VECTOR(0x31) | RTE_DM(DM_LOWEST) | RTE_LOGICAL | RTE_MASKED,
		    RTE_DEST(0x12));
	assert_int_equal(rte_low(7), 0x31 | RTE_DM(DM_LOWEST) | RTE_LOGICAL | RTE_MASKED);
	assert_int_equal(rte_high(7), 0x12000000);
	/* The neighbours are untouched. */
	assert_int_equal(rte_low(6), RTE_MASKED);
	assert_int_equal(rte_low(8), RTE_MASKED);
	/* The last pin's entry is 0x3E/0x3F; 0x40 is past the table. */
	write_entry(23, RTE_VECTOR(0x77) | RTE_MASKED, RTE_DEST(3));
	assert_int_equal(io_apic_read(0x3E), 0x77 | RTE_MASKED);
	assert_int_equal(io_apic_read(0x3F), 0x03000000);
	io_apic_write(0x40, 0x12345678);
	io_apic_write(0xFF, 0x12345678);
	assert_int_equal(io_apic_read(0x40), 0);
	assert_int_equal(io_apic_read(0xFF), 0);
}

static void test_ioregsel_masking(void **state)
{
	(void)state;
	write_entry(0, RTE_VECTOR(0x40) | RTE_MASKED, 0);
	/* Only IOREGSEL's low 8 bits select: 0x110 is register 0x10. */
	ioapic_mmio_write(&io, IO_APIC_INDEX, 4, 0xABCD0110);
	assert_int_equal(ioapic_mmio_read(&io, IO_APIC_INDEX, 4), 0x10);
	assert_int_equal(ioapic_mmio_read(&io, IO_APIC_DATA, 4), 0x40 | RTE_MASKED);
	ioapic_mmio_write(&io, IO_APIC_INDEX, 4, 0x100);
	assert_int_equal(ioapic_mmio_read(&io, IO_APIC_INDEX, 4), 0);
	assert_int_equal(ioapic_mmio_read(&io, IO_APIC_DATA, 4), 0);
	ioapic_mmio_write(&io, IO_APIC_INDEX, 4, 0x1FF);
	assert_int_equal(ioapic_mmio_read(&io, IO_APIC_INDEX, 4), 0xFF);
	/* Register 1 through a 64-bit value's low dword. */
	ioapic_mmio_write(&io, IO_APIC_INDEX, 4, 0xFFFFFFFF00000001ull);
	assert_int_equal(ioapic_mmio_read(&io, IO_APIC_DATA, 4), 0x00170020);
}

/* ---- Linux's boot sequence ---- */

/* bad_ioapic_register(), io_apic_get_redir_entries(), io_apic_get_version()
 * and io_apic_unique_id() from mp_register_ioapic, clear_IO_APIC() from
 * enable_IO_APIC, then COM1's IRQ as mp_setup_entry() and the irq core's
 * startup program it: masked, edge, active high, physical destination. */
static void test_linux_boot(void **state)
{
	uint32_t reg0, reg1, reg2;
	unsigned entries, pin;

	(void)state;
	reg0 = io_apic_read(0);
	reg1 = io_apic_read(1);
	reg2 = io_apic_read(2);
	assert_false(reg0 == 0xFFFFFFFF && reg1 == 0xFFFFFFFF && reg2 == 0xFFFFFFFF);
	entries = (reg1 >> 16 & 0xFF) + 1;
	assert_int_equal(entries, IOAPIC_PINS);
	assert_true((reg1 & 0xFF) >= 0x20); /* EOI register in use */
	/* The MADT's id 0 is free, so Linux keeps it without a write. */
	assert_int_equal(reg0 >> 24, 0);

	/* Lines COM1 raised before the guest got here go unseen. */
	ioapic_set_irq(&io, COM1_PIN, true);
	ioapic_set_irq(&io, COM1_PIN, false);

	for (pin = 0; pin < entries; pin++) {
		uint32_t low = rte_low(pin), high = rte_high(pin);

		if ((low & RTE_DM_MASK) == RTE_DM(DM_SMI))
			continue;
		if (!(low & RTE_MASKED)) {
			write_entry(pin, low | RTE_MASKED, high);
			low = rte_low(pin);
		}
		assert_int_equal(low & RTE_IRR, 0);
		/* ioapic_mask_entry(): low dword first. */
		io_apic_write(0x10 + 2 * pin, RTE_MASKED);
		io_apic_write(0x11 + 2 * pin, 0);
		assert_int_equal(rte_low(pin) & RTE_IRR, 0);
	}
	/* enable_IO_APIC finds no unmasked ExtINT pin: there is no 8259. */
	for (pin = 0; pin < entries; pin++)
		assert_true(rte_low(pin) & RTE_MASKED);

	write_entry(COM1_PIN, RTE_VECTOR(0x24) | RTE_DM(DM_FIXED) | RTE_MASKED, RTE_DEST(1));
	set_mask(COM1_PIN, false);
	assert_int_equal(rte_low(COM1_PIN), 0x24);
	assert_int_equal(rte_high(COM1_PIN), 0x01000000);
	assert_int_equal(sent.n, 0);

	ioapic_set_irq(&io, COM1_PIN, true);
	assert_int_equal(sent.n, 1);
	expect_sent(0, 0x24, IOAPIC_DELIVERY_FIXED, false, 1, false);
	/* The 8250 handler drains the UART and the line drops. */
	ioapic_set_irq(&io, COM1_PIN, false);
	ioapic_set_irq(&io, COM1_PIN, true);
	assert_int_equal(sent.n, 2);
	/* Edge entries never show remote IRR. */
	assert_int_equal(rte_low(COM1_PIN) & RTE_IRR, 0);
}

/* ---- edge ---- */

static void test_edge_once_per_rising_edge(void **state)
{
	(void)state;
	write_entry(3, RTE_VECTOR(0x33), RTE_DEST(2));
	ioapic_set_irq(&io, 3, true);
	ioapic_set_irq(&io, 3, true);
	assert_int_equal(sent.n, 1);
	expect_sent(0, 0x33, IOAPIC_DELIVERY_FIXED, false, 2, false);
	ioapic_set_irq(&io, 3, false);
	ioapic_set_irq(&io, 3, false);
	assert_int_equal(sent.n, 1);
	for (int i = 0; i < 5; i++) {
		ioapic_set_irq(&io, 3, true);
		ioapic_set_irq(&io, 3, false);
	}
	assert_int_equal(sent.n, 6);
	/* An EOI means nothing to an edge entry. */
	ioapic_mmio_write(&io, IO_APIC_EOI, 4, 0x33);
	ioapic_eoi(&io, 0x33);
	assert_int_equal(sent.n, 6);
	/* Other pins stay quiet. */
	assert_int_equal(rte_low(2), RTE_MASKED);
}

static void test_edge_masked_is_lost(void **state)
{
	(void)state;
	write_entry(3, RTE_VECTOR(0x33) | RTE_MASKED, 0);
	ioapic_set_irq(&io, 3, true);
	assert_int_equal(sent.n, 0);
	/* Unmasking with the line high sends nothing: the edge is gone. */
	set_mask(3, false);
	assert_int_equal(sent.n, 0);
	ioapic_set_irq(&io, 3, false);
	ioapic_set_irq(&io, 3, true);
	assert_int_equal(sent.n, 1);
	/* Masked again: edges vanish, however many. */
	set_mask(3, true);
	ioapic_set_irq(&io, 3, false);
	ioapic_set_irq(&io, 3, true);
	assert_int_equal(sent.n, 1);
}

/* ---- level ---- */

static void test_level_eoi_by_register(void **state)
{
	(void)state;
	write_entry(9, RTE_VECTOR(0x49) | RTE_LEVEL, RTE_DEST(0));
	ioapic_set_irq(&io, 9, true);
	assert_int_equal(sent.n, 1);
	expect_sent(0, 0x49, IOAPIC_DELIVERY_FIXED, false, 0, true);
	assert_int_equal(rte_low(9), 0x49 | RTE_LEVEL | RTE_IRR);
	/* Awaiting EOI: no more messages, whatever the line does. */
	ioapic_set_irq(&io, 9, true);
	ioapic_set_irq(&io, 9, false);
	ioapic_set_irq(&io, 9, true);
	assert_int_equal(sent.n, 1);
	/* An EOI for another vector is not ours. */
	ioapic_mmio_write(&io, IO_APIC_EOI, 4, 0x48);
	assert_int_equal(sent.n, 1);
	assert_true(rte_low(9) & RTE_IRR);
	/* Linux's ioapic_ack_level, seeing the TMR bit clear, EOIs here; the
	 * line still asserted delivers again at once. Only bits 7:0 count. */
	ioapic_mmio_write(&io, IO_APIC_EOI, 4, 0xFFFFFF49);
	assert_int_equal(sent.n, 2);
	assert_true(rte_low(9) & RTE_IRR);
	/* The device quiets; the EOI releases the entry with nothing sent. */
	ioapic_set_irq(&io, 9, false);
	ioapic_mmio_write(&io, IO_APIC_EOI, 4, 0x49);
	assert_int_equal(sent.n, 2);
	assert_int_equal(rte_low(9), 0x49 | RTE_LEVEL);
	ioapic_set_irq(&io, 9, true);
	assert_int_equal(sent.n, 3);
	/* The EOI register reads 0. */
	assert_int_equal(ioapic_mmio_read(&io, IO_APIC_EOI, 4), 0);
}

static void test_level_eoi_by_call(void **state)
{
	(void)state;
	write_entry(10, RTE_VECTOR(0x50) | RTE_LEVEL, RTE_DEST(1));
	write_entry(11, RTE_VECTOR(0x50) | RTE_LEVEL, RTE_DEST(2));
	ioapic_set_irq(&io, 10, true);
	ioapic_set_irq(&io, 11, true);
	assert_int_equal(sent.n, 2);
	expect_sent(1, 0x50, IOAPIC_DELIVERY_FIXED, false, 2, true);
	ioapic_set_irq(&io, 10, false);
	/* One EOI releases every entry with the vector. */
	ioapic_eoi(&io, 0x50);
	assert_int_equal(sent.n, 3);
	expect_sent(2, 0x50, IOAPIC_DELIVERY_FIXED, false, 2, true);
	assert_int_equal(rte_low(10) & RTE_IRR, 0);
	assert_true(rte_low(11) & RTE_IRR);
	ioapic_eoi(&io, 0x51);
	assert_int_equal(sent.n, 3);
}

static void test_level_mask(void **state)
{
	(void)state;
	write_entry(12, RTE_VECTOR(0x60) | RTE_LEVEL | RTE_MASKED, 0);
	ioapic_set_irq(&io, 12, true);
	assert_int_equal(sent.n, 0);
	assert_int_equal(rte_low(12) & RTE_IRR, 0);
	/* Unmasking an asserted level entry delivers. */
	set_mask(12, false);
	assert_int_equal(sent.n, 1);
	/* Masked while awaiting EOI: the EOI clears remote IRR and sends
	 * nothing until the unmask. */
	set_mask(12, true);
	ioapic_eoi(&io, 0x60);
	assert_int_equal(sent.n, 1);
	assert_int_equal(rte_low(12) & RTE_IRR, 0);
	set_mask(12, false);
	assert_int_equal(sent.n, 2);
	/* Re-writing the high dword (a new destination) sends nothing more. */
	io_apic_write(0x11 + 2 * 12, RTE_DEST(5));
	assert_int_equal(sent.n, 2);
}

/* Linux's EOI for pre-0x20 parts and clear_IO_APIC_pin rely on remote
 * IRR clearing when an entry turns edge. */
static void test_level_to_edge_clears_irr(void **state)
{
	(void)state;
	write_entry(13, RTE_VECTOR(0x61) | RTE_LEVEL, 0);
	ioapic_set_irq(&io, 13, true);
	assert_int_equal(sent.n, 1);
	assert_true(rte_low(13) & RTE_IRR);
	write_entry(13, RTE_VECTOR(0x61) | RTE_MASKED, 0);
	assert_int_equal(rte_low(13), 0x61 | RTE_MASKED);
	write_entry(13, RTE_VECTOR(0x61) | RTE_LEVEL, 0);
	assert_int_equal(sent.n, 2);
	assert_true(rte_low(13) & RTE_IRR);
	/* A low-dword write that keeps level keeps remote IRR: the guest
	 * cannot clear it by writing. */
	io_apic_write(0x10 + 2 * 13, RTE_VECTOR(0x62) | RTE_LEVEL);
	assert_true(rte_low(13) & RTE_IRR);
	assert_int_equal(sent.n, 2);
	/* The EOI now needs the entry's new vector. */
	ioapic_eoi(&io, 0x61);
	assert_true(rte_low(13) & RTE_IRR);
	ioapic_eoi(&io, 0x62);
	assert_int_equal(sent.n, 3);
	expect_sent(2, 0x62, IOAPIC_DELIVERY_FIXED, false, 0, true);
}

/* ---- polarity ---- */

static void test_polarity_low(void **state)
{
	(void)state;
	/* Edge, active low: the line idles high and asserts by falling. */
	ioapic_set_irq(&io, 5, true);
	write_entry(5, RTE_VECTOR(0x35) | RTE_ACTIVE_LOW, RTE_DEST(1));
	assert_int_equal(sent.n, 0);
	ioapic_set_irq(&io, 5, false);
	assert_int_equal(sent.n, 1);
	ioapic_set_irq(&io, 5, true);
	assert_int_equal(sent.n, 1);
	ioapic_set_irq(&io, 5, false);
	assert_int_equal(sent.n, 2);

	/* Level, active low (PCI INTx style): low is asserted. */
	ioapic_set_irq(&io, 16, true);
	write_entry(16, RTE_VECTOR(0x70) | RTE_LEVEL | RTE_ACTIVE_LOW, 0);
	assert_int_equal(sent.n, 2);
	ioapic_set_irq(&io, 16, false);
	assert_int_equal(sent.n, 3);
	expect_sent(2, 0x70, IOAPIC_DELIVERY_FIXED, false, 0, true);
	ioapic_set_irq(&io, 16, true);
	ioapic_eoi(&io, 0x70);
	assert_int_equal(sent.n, 3);
	/* Flipping the polarity of a level entry over a steady line asserts
	 * it. */
	write_entry(16, RTE_VECTOR(0x70) | RTE_LEVEL, 0);
	assert_int_equal(sent.n, 4);
}

/* ---- delivery modes and destinations ---- */

static void test_delivery_modes(void **state)
{
	static const struct {
		unsigned mode;
		bool sent;
	} modes[8] = {
	    {DM_FIXED, true}, {DM_LOWEST, true}, {DM_SMI, false}, {3, false},
	    {DM_NMI, true},   {DM_INIT, true},	 {6, false},	  {DM_EXTINT, true},
	};

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(modes); i++) {
		size_t before = sent.n;

		write_entry(1, RTE_VECTOR(0x80 + i) | RTE_DM(modes[i].mode) | RTE_LOGICAL,
			    RTE_DEST(0xF0));
		ioapic_set_irq(&io, 1, true);
		ioapic_set_irq(&io, 1, false);
		assert_int_equal(sent.n, before + modes[i].sent);
		if (modes[i].sent)
			expect_sent(before, 0x80 + i, modes[i].mode, true, 0xF0, false);
	}
	/* A level entry whose mode sends nothing does not wait for an EOI,
	 * and a corrected mode delivers. */
	write_entry(2, RTE_VECTOR(0x90) | RTE_DM(3) | RTE_LEVEL, 0);
	ioapic_set_irq(&io, 2, true);
	assert_int_equal(rte_low(2) & RTE_IRR, 0);
	write_entry(2, RTE_VECTOR(0x90) | RTE_DM(DM_FIXED) | RTE_LEVEL, 0);
	assert_true(rte_low(2) & RTE_IRR);
	expect_sent(sent.n - 1, 0x90, IOAPIC_DELIVERY_FIXED, false, 0, true);
}

/* ---- what must change nothing ---- */

static void test_odd_accesses(void **state)
{
	/* Inside the registers, between them, past them, past the page. */
	static const uint64_t offsets[] = {
	    0x01, 0x04, 0x0C, 0x11, 0x14, 0x20, 0x3C, 0x41, 0x44, 0xFFC, 0x1000, UINT64_MAX,
	};
	static const unsigned sizes[] = {0, 1, 2, 3, 8, 16, UINT_MAX};
	struct ioapic before;

	(void)state;
	write_entry(COM1_PIN, RTE_VECTOR(0x24) | RTE_LEVEL, 0);
	ioapic_set_irq(&io, COM1_PIN, true);
	assert_int_equal(sent.n, 1);
	ioapic_mmio_write(&io, IO_APIC_INDEX, 4, 0x10 + 2 * COM1_PIN);
	memcpy(&before, &io, sizeof(io));

	for (unsigned i = 0; i < ARRAY_SIZE(offsets); i++) {
		assert_int_equal(ioapic_mmio_read(&io, offsets[i], 4), 0);
		ioapic_mmio_write(&io, offsets[i], 4, 0x24);
		ioapic_mmio_write(&io, offsets[i], 4, UINT64_MAX);
	}
	/* The right offsets at the wrong sizes: an EOI among them. */
	for (unsigned i = 0; i < ARRAY_SIZE(sizes); i++) {
		assert_int_equal(ioapic_mmio_read(&io, IO_APIC_INDEX, sizes[i]), 0);
		assert_int_equal(ioapic_mmio_read(&io, IO_APIC_DATA, sizes[i]), 0);
		ioapic_mmio_write(&io, IO_APIC_INDEX, sizes[i], 0);
		ioapic_mmio_write(&io, IO_APIC_DATA, sizes[i], 0);
		ioapic_mmio_write(&io, IO_APIC_EOI, sizes[i], 0x24);
	}
	/* Pins that don't exist. */
	ioapic_set_irq(&io, IOAPIC_PINS, true);
	ioapic_set_irq(&io, 32, true);
	ioapic_set_irq(&io, UINT_MAX, true);
	assert_memory_equal(&before, &io, sizeof(io));
	assert_int_equal(sent.n, 1);
}

/* A NULL deliver drops messages but the protocol state still moves. */
static void test_no_deliver_callback(void **state)
{
	static const struct ioapic_ops none = {0};

	(void)state;
	ioapic_init(&io, &none);
	write_entry(9, RTE_VECTOR(0x49) | RTE_LEVEL, 0);
	ioapic_set_irq(&io, 9, true);
	assert_true(rte_low(9) & RTE_IRR);
	/* Still asserted: released and sent again. */
	ioapic_eoi(&io, 0x49);
	assert_true(rte_low(9) & RTE_IRR);
	ioapic_set_irq(&io, 9, false);
	ioapic_eoi(&io, 0x49);
	assert_int_equal(rte_low(9) & RTE_IRR, 0);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_reset_state, setup),
	    cmocka_unit_test_setup(test_id_version_arbitration, setup),
	    cmocka_unit_test_setup(test_rte_read_back, setup),
	    cmocka_unit_test_setup(test_ioregsel_masking, setup),
	    cmocka_unit_test_setup(test_linux_boot, setup),
	    cmocka_unit_test_setup(test_edge_once_per_rising_edge, setup),
	    cmocka_unit_test_setup(test_edge_masked_is_lost, setup),
	    cmocka_unit_test_setup(test_level_eoi_by_register, setup),
	    cmocka_unit_test_setup(test_level_eoi_by_call, setup),
	    cmocka_unit_test_setup(test_level_mask, setup),
	    cmocka_unit_test_setup(test_level_to_edge_clears_irr, setup),
	    cmocka_unit_test_setup(test_polarity_low, setup),
	    cmocka_unit_test_setup(test_delivery_modes, setup),
	    cmocka_unit_test_setup(test_odd_accesses, setup),
	    cmocka_unit_test_setup(test_no_deliver_callback, setup),
	};

	return unit_run("ioapic", tests, ARRAY_SIZE(tests), NULL);
}
