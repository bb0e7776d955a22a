/* libFuzzer target for the I/O APIC model. The input is a program of guest
 * MMIO reads and writes (mostly 32-bit at IOREGSEL, IOWIN and EOI, with
 * register numbers and RTE values biased towards unmasked, valid entries;
 * sometimes any offset and size), pin changes (pins beyond the 24
 * included) and EOIs from the integrator. Each step is replayed on a copy
 * of the state by the rules written out here, and the model must end in
 * exactly that state and have sent exactly those messages: so every
 * message comes from an unmasked entry with a valid delivery mode and
 * carries that entry's vector, mode, destination and trigger; an edge
 * entry sends on its asserting edge only; a level entry sends when
 * asserted with remote IRR clear and sets it; remote IRR is set only on
 * level entries; reserved and delivery-status bits stay 0; and whatever
 * the model ignores changes nothing. */
#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_input.h"
#include "ioapic.h"

#define RTE_DM_SHIFT   8
#define RTE_LOGICAL    (1ull << 11)
#define RTE_ACTIVE_LOW (1ull << 13)
#define RTE_IRR	       (1ull << 14)
#define RTE_LEVEL      (1ull << 15)
#define RTE_MASKED     (1ull << 16)
#define RTE_RW_LOW     0x1AFFFull
#define RTE_RW_HIGH    0xFF00000000000000ull

static struct ioapic io;
static struct ioapic_interrupt got[IOAPIC_PINS];
static unsigned n_got;

/* The messages the rules say a step sends, in order. */
static struct ioapic_interrupt want[IOAPIC_PINS];
static unsigned n_want;

static void on_deliver(void *ctx, const struct ioapic_interrupt *irq)
{
	assert(ctx == &io);
	assert(n_got < IOAPIC_PINS);
	got[n_got++] = *irq;
}

static bool valid_mode(uint64_t e)
{
	unsigned m = e >> RTE_DM_SHIFT & 7;

	return m == 0 || m == 1 || m == 4 || m == 5 || m == 7;
}

static bool asserted(const struct ioapic *s, unsigned pin)
{
	bool high = s->lines >> pin & 1;

	return high != !!(s->redtbl[pin] & RTE_ACTIVE_LOW);
}

static void expect_send(uint64_t e)
{
	struct ioapic_interrupt *w = &want[n_want++];

	assert(!(e & RTE_MASKED) && valid_mode(e));
	w->delivery_mode = e >> RTE_DM_SHIFT & 7;
	w->vector = e & 0xFF;
	w->destination = e >> 56;
	w->logical = e & RTE_LOGICAL;
	w->level = e & RTE_LEVEL;
}

/* The level rule, on the expected state. */
static void level_rule(struct ioapic *s, unsigned pin)
{
	uint64_t e = s->redtbl[pin];

	if (!(e & RTE_LEVEL) || (e & (RTE_MASKED | RTE_IRR)) || !asserted(s, pin) || !valid_mode(e))
		return;
	s->redtbl[pin] |= RTE_IRR;
	expect_send(e);
}

static void eoi_rule(struct ioapic *s, uint8_t vector)
{
	for (unsigned pin = 0; pin < IOAPIC_PINS; pin++) {
		if (!(s->redtbl[pin] & RTE_IRR) || (s->redtbl[pin] & 0xFF) != vector)
			continue;
		s->redtbl[pin] &= ~RTE_IRR;
		level_rule(s, pin);
	}
}

static void write_rule(struct ioapic *s, uint64_t offset, unsigned size, uint64_t value)
{
	uint8_t reg = s->regsel;
	unsigned pin;
	uint64_t e;

	if (size != 4)
		return;
	if (offset == 0x00) {
		s->regsel = value & 0xFF;
		return;
	}
	if (offset == 0x40) {
		eoi_rule(s, value & 0xFF);
		return;
	}
	if (offset != 0x10)
		return;
	if (reg == 0) {
		s->id = value >> 24 & 0x0F;
		return;
	}
	if (reg < 0x10 || reg >= 0x10 + 2 * IOAPIC_PINS)
		return;
	pin = (reg - 0x10) / 2;
	e = s->redtbl[pin];
	if (reg & 1) {
		e = (e & ~RTE_RW_HIGH) | (value << 32 & RTE_RW_HIGH);
	} else {
		e = (e & (RTE_RW_HIGH | RTE_IRR)) | (value & RTE_RW_LOW);
		if (!(e & RTE_LEVEL))
			e &= ~RTE_IRR;
	}
	s->redtbl[pin] = e;
	level_rule(s, pin);
}

static void set_irq_rule(struct ioapic *s, unsigned pin, bool level)
{
	bool was;

	if (pin >= IOAPIC_PINS)
		return;
	was = asserted(s, pin);
	s->lines = (s->lines & ~(1u << pin)) | (uint32_t)level << pin;
	if (s->redtbl[pin] & RTE_LEVEL) {
		level_rule(s, pin);
		return;
	}
	if (!was && asserted(s, pin) && !(s->redtbl[pin] & RTE_MASKED) &&
	    valid_mode(s->redtbl[pin]))
		expect_send(s->redtbl[pin]);
}

static uint64_t read_rule(const struct ioapic *s, uint64_t offset, unsigned size)
{
	uint8_t reg = s->regsel;

	if (size != 4)
		return 0;
	if (offset == 0x00)
		return reg;
	if (offset != 0x10)
		return 0;
	if (reg == 0 || reg == 2)
		return (uint32_t)s->id << 24;
	if (reg == 1)
		return 0x00170020;
	if (reg < 0x10 || reg >= 0x10 + 2 * IOAPIC_PINS)
		return 0;
	return (uint32_t)(s->redtbl[(reg - 0x10) / 2] >> (reg & 1 ? 32 : 0));
}

/* What holds after any step, whatever came before. */
static void check_state(void)
{
	assert(io.id <= 0x0F);
	assert(!(io.lines >> IOAPIC_PINS));
	for (unsigned pin = 0; pin < IOAPIC_PINS; pin++) {
		uint64_t e = io.redtbl[pin];

		assert(!(e & ~(RTE_RW_LOW | RTE_RW_HIGH | RTE_IRR)));
		if (e & RTE_IRR)
			assert(e & RTE_LEVEL);
		/* A level entry ready to send has sent. */
		if ((e & RTE_LEVEL) && !(e & RTE_MASKED) && valid_mode(e) && asserted(&io, pin))
			assert(e & RTE_IRR);
	}
}

static void check_step(const struct ioapic *expected)
{
	assert(!memcmp(expected, &io, sizeof(io)));
	assert(n_got == n_want);
	for (unsigned i = 0; i < n_got; i++) {
		assert(got[i].delivery_mode == want[i].delivery_mode);
		assert(got[i].vector == want[i].vector);
		assert(got[i].destination == want[i].destination);
		assert(got[i].logical == want[i].logical);
		assert(got[i].level == want[i].level);
	}
	check_state();
}

static uint64_t pick_offset(struct input *in)
{
	static const uint64_t odd[] = {0x04, 0x0C, 0x14, 0x20, 0x3C, 0x44, 0xFFC, 0x1000};
	uint8_t b = take(in);

	switch (b & 7) {
	case 0:
	case 1:
	case 2:
		return 0x00;
	case 3:
	case 4:
	case 5:
		return 0x10;
	case 6:
		return 0x40;
	default:
		return b & 0x80 ? take64(in) : odd[b >> 4 & 7];
	}
}

static unsigned pick_size(struct input *in)
{
	static const unsigned odd[] = {0, 1, 2, 3, 8, 16, 5, 0xFFFFFFFFu};
	uint8_t b = take(in);

	return b < 0xE0 ? 4 : odd[b & 7];
}

/* A register number (or junk above 8 bits), an RTE value that is often
 * unmasked with a valid mode, an EOI vector that is often an entry's. */
static uint64_t pick_value(struct input *in, uint64_t offset)
{
	uint8_t b = take(in);
	uint64_t v;

	if (offset == 0x00) {
		if (b < 0xC0)
			return b % (0x10 + 2 * IOAPIC_PINS);
		return b == 0xFF ? take64(in) : take(in);
	}
	if (offset == 0x40 && (b & 0x80))
		return io.redtbl[b % IOAPIC_PINS] & 0xFF;
	v = take32(in);
	if (b & 1)
		v &= ~RTE_MASKED;
	if (b & 2)
		v &= ~(7ull << RTE_DM_SHIFT);
	if (b & 4)
		v |= RTE_LEVEL;
	if (b & 8)
		v |= (uint64_t)take32(in) << 32;
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct ioapic_ops ops = {.deliver = on_deliver, .ctx = &io};
	struct input in = {data, size};

	ioapic_init(&io, &ops);
	check_state();
	while (in.left) {
		uint8_t op = take(&in);
		struct ioapic expected;
		uint64_t offset, value;
		unsigned sz, pin;
		uint8_t vector;

		memcpy(&expected, &io, sizeof(io));
		n_got = n_want = 0;
		switch (op & 3) {
		case 0:
			offset = pick_offset(&in);
			sz = pick_size(&in);
			value = pick_value(&in, offset);
			write_rule(&expected, offset, sz, value);
			ioapic_mmio_write(&io, offset, sz, value);
			break;
		case 1:
			offset = pick_offset(&in);
			sz = pick_size(&in);
			assert(ioapic_mmio_read(&io, offset, sz) == read_rule(&io, offset, sz));
			break;
		case 2:
			/* Pins 0-31, or any. */
			pin = op & 0x80 ? take32(&in) : op >> 3 & 0x1F;
			set_irq_rule(&expected, pin, op & 4);
			ioapic_set_irq(&io, pin, op & 4);
			break;
		default:
			vector = op & 4 ? io.redtbl[(op >> 3) % IOAPIC_PINS] & 0xFF : take(&in);
			eoi_rule(&expected, vector);
			ioapic_eoi(&io, vector);
			break;
		}
		check_step(&expected);
	}
	return 0;
}
