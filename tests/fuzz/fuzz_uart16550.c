/* libFuzzer target for the 16550A UART model. The input is a guest/host
 * program: register reads and writes (offsets 0-7 and beyond, values biased
 * towards the interesting LCR/MCR/FCR/IER patterns), host input and bursts
 * of THR writes. After each step it checks what the VMWP relies on: the
 * irq callback fires only on a change and always equals the line derived
 * here from the registers (an enabled source pending, OUT2 set, loopback
 * off); the receive FIFO stays within its capacity; reads return what the
 * state says (RBR the FIFO head, LSR's derived bits, MSR the cable or MCR
 * wired back); an IIR read names the highest pending enabled source and
 * never one that isn't pending; host input is taken only as far as it
 * fits; and out-of-range accesses change nothing. */
#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "uart16550.h"

#define IER_RDI	 0x01
#define IER_THRI 0x02
#define IER_RLSI 0x04
#define IER_MSI	 0x08
#define LCR_DLAB 0x80
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10
#define LSR_DR	 0x01
#define LSR_OE	 0x02
#define LSR_THRE 0x20
#define LSR_TEMT 0x40

struct input {
	const uint8_t *p;
	size_t left;
};

static struct uart16550 u;
static bool reported; /* level of the last irq callback */
static size_t sent;

static uint8_t take(struct input *in)
{
	if (!in->left)
		return 0;
	in->left--;
	return *in->p++;
}

static void on_tx(void *ctx, uint8_t byte)
{
	(void)ctx;
	(void)byte;
	assert(!(u.mcr & MCR_LOOP));
	sent++;
}

static void on_irq(void *ctx, bool level)
{
	(void)ctx;
	assert(level != reported);
	reported = level;
}

static unsigned capacity(const struct uart16550 *s)
{
	return s->fcr & 1 ? UART16550_FIFO_SIZE : 1;
}

static unsigned trigger(const struct uart16550 *s)
{
	static const unsigned level[4] = {1, 4, 8, 14};

	return s->fcr & 1 ? level[s->fcr >> 6] : 1;
}

static bool rls(const struct uart16550 *s)
{
	return (s->ier & IER_RLSI) && (s->lsr & LSR_OE);
}

static bool rda(const struct uart16550 *s)
{
	return (s->ier & IER_RDI) && s->rx_count;
}

static bool thre(const struct uart16550 *s)
{
	return (s->ier & IER_THRI) && s->thre_pending;
}

static bool msi(const struct uart16550 *s)
{
	return (s->ier & IER_MSI) && (s->msr & 0x0F);
}

static uint8_t lines(const struct uart16550 *s)
{
	uint8_t m = s->mcr;

	if (!(m & MCR_LOOP))
		return 0xB0;
	return (m & 2) << 3 | (m & 1) << 5 | (m & 4) << 4 | (m & 8) << 4;
}

/* An MCR write: each changed line adds its delta (RI only on its fall) to
 * those not yet read. */
static void check_msr_deltas(const struct uart16550 *b)
{
	uint8_t was = b->msr, now = lines(&u), changed = was ^ now;
	uint8_t delta = (changed & 0x10 ? 1 : 0) | (changed & 0x20 ? 2 : 0) |
			((was & ~now & 0x40) ? 4 : 0) | (changed & 0x80 ? 8 : 0);

	assert(u.msr == (now | (was & 0x0F) | delta));
}

static void check_state(void)
{
	bool pending = rls(&u) || rda(&u) || thre(&u) || msi(&u);

	assert(u.rx_count <= capacity(&u));
	assert(u.rx_head < UART16550_FIFO_SIZE);
	assert(!(u.ier & 0xF0));
	assert(!(u.mcr & 0xE0));
	assert(!(u.lsr & ~LSR_OE));
	assert(u.fcr == 0 || ((u.fcr & 1) && !(u.fcr & 0x3E)));
	assert((u.msr & 0xF0) == lines(&u));
	assert(u.irq_level == reported);
	assert(reported == (pending && (u.mcr & (MCR_OUT2 | MCR_LOOP)) == MCR_OUT2));
	assert(uart16550_can_receive(&u) == (!(u.mcr & MCR_LOOP) && u.rx_count < capacity(&u)));
}

/* IIR names the highest-priority pending enabled source, or none. */
static void check_iir(const struct uart16550 *b, uint8_t iir)
{
	assert((iir & 0xF0) == (b->fcr & 1 ? 0xC0 : 0));
	switch (iir & 0x0F) {
	case 0x06:
		assert(rls(b));
		break;
	case 0x04:
		assert(!rls(b) && rda(b) && b->rx_count >= trigger(b));
		break;
	case 0x0C:
		assert(!rls(b) && rda(b) && b->rx_count < trigger(b));
		break;
	case 0x02:
		assert(!rls(b) && !rda(b) && thre(b));
		assert(!u.thre_pending);
		return;
	case 0x00:
		assert(!rls(b) && !rda(b) && !thre(b) && msi(b));
		break;
	case 0x01:
		assert(!rls(b) && !rda(b) && !thre(b) && !msi(b));
		break;
	default:
		assert(!"IIR id");
	}
	assert(!memcmp(b, &u, sizeof(u)));
}

static unsigned pick_offset(struct input *in)
{
	uint8_t b = take(in);

	if (b < 0xF0)
		return b & 7;
	return b == 0xFF ? 0xFFFFFFFFu : 8 + (b & 0x0F) * 0x1111;
}

/* Values that switch modes often, raw bytes otherwise. */
static uint8_t pick_value(struct input *in, unsigned offset)
{
	static const uint8_t lcr[] = {0x00, 0x03, 0x80, 0x83, 0xBF, 0xE0};
	static const uint8_t mcr[] = {0x00, 0x08, 0x0B, 0x10, 0x18, 0x1A, 0x1F};
	static const uint8_t fcr[] = {0x00, 0x01, 0x07, 0x21, 0x41, 0x87, 0xC1};
	uint8_t b = take(in);

	if (b & 0x80)
		return take(in);
	switch (offset) {
	case 1:
		return b & 0x0F;
	case 2:
		return fcr[b % sizeof(fcr)];
	case 3:
		return lcr[b % sizeof(lcr)];
	case 4:
		return mcr[b % sizeof(mcr)];
	default:
		return b;
	}
}

static void do_read(unsigned offset)
{
	struct uart16550 b;
	uint8_t v;

	memcpy(&b, &u, sizeof(u));
	v = uart16550_read(&u, offset);
	switch (offset) {
	case 0:
		if (b.lcr & LCR_DLAB) {
			assert(v == b.dll);
			break;
		}
		assert(v == (b.rx_count ? b.rx[b.rx_head] : 0));
		assert(u.rx_count == (b.rx_count ? b.rx_count - 1 : 0));
		break;
	case 1:
		assert(v == (b.lcr & LCR_DLAB ? b.dlm : b.ier));
		break;
	case 2:
		check_iir(&b, v);
		break;
	case 5:
		assert(v == (LSR_THRE | LSR_TEMT | b.lsr | (b.rx_count ? LSR_DR : 0)));
		assert(!(u.lsr & LSR_OE));
		break;
	case 6:
		assert(v == b.msr);
		assert(!(u.msr & 0x0F));
		break;
	case 3:
	case 4:
	case 7:
		assert(v == (offset == 3 ? b.lcr : offset == 4 ? b.mcr : b.scr));
		assert(!memcmp(&b, &u, sizeof(u)));
		break;
	default:
		assert(v == 0xFF);
		assert(!memcmp(&b, &u, sizeof(u)));
		break;
	}
}

static void do_write(unsigned offset, uint8_t v)
{
	struct uart16550 b;
	size_t sent_before = sent;

	memcpy(&b, &u, sizeof(u));
	uart16550_write(&u, offset, v);
	if (offset == 0 && !(b.lcr & LCR_DLAB)) {
		if (b.mcr & MCR_LOOP) {
			unsigned last = (u.rx_head + u.rx_count - 1) % UART16550_FIFO_SIZE;

			assert(sent == sent_before);
			if (b.rx_count < capacity(&b)) {
				assert(u.rx_count == b.rx_count + 1 && u.rx[last] == v);
			} else {
				/* Overrun: a FIFO keeps its bytes, a 16450 takes the new one. */
				assert(u.rx_count == b.rx_count && (u.lsr & LSR_OE));
				assert(u.rx[last] == (b.fcr & 1 ? b.rx[last] : v));
			}
		} else {
			assert(sent == sent_before + 1);
		}
		assert(u.thre_pending);
		return;
	}
	assert(sent == sent_before);
	if (offset < 2 && (b.lcr & LCR_DLAB))
		assert((offset ? u.dlm : u.dll) == v);
	if (offset == 3 || offset == 7)
		assert((offset == 3 ? u.lcr : u.scr) == v);
	if (offset == 1 && !(b.lcr & LCR_DLAB) && (v & ~b.ier & IER_THRI))
		assert(u.thre_pending);
	if (offset == 2 && ((v ^ b.fcr) & 1 || (v & 3) == 3))
		assert(u.rx_count == 0);
	if (offset == 4)
		check_msr_deltas(&b);
	if (offset == 5 || offset == 6 || offset > 7)
		assert(!memcmp(&b, &u, sizeof(u)));
}

static void do_receive(struct input *in, size_t n)
{
	uint8_t buf[32];
	size_t got, room = capacity(&u) - u.rx_count, want;
	bool loop = u.mcr & MCR_LOOP;

	if (n > in->left)
		n = in->left;
	memcpy(buf, in->p, n);
	in->p += n;
	in->left -= n;
	want = loop ? 0 : n < room ? n : room;
	got = uart16550_receive(&u, buf, n);
	assert(got == want);
	for (size_t i = 0; i < got; i++) {
		unsigned at = (u.rx_head + u.rx_count - got + i) % UART16550_FIFO_SIZE;

		assert(u.rx[at] == buf[i]);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct uart16550_ops ops = {.tx = on_tx, .irq = on_irq};
	struct input in = {data, size};

	reported = false;
	sent = 0;
	uart16550_init(&u, &ops);
	check_state();
	while (in.left) {
		uint8_t op = take(&in);
		unsigned offset;

		switch (op & 3) {
		case 0:
			offset = pick_offset(&in);
			do_write(offset, pick_value(&in, offset));
			break;
		case 1:
			do_read(pick_offset(&in));
			break;
		case 2:
			do_receive(&in, (op >> 2) % 24);
			break;
		default: /* a burst of THR writes, to overrun in loopback */
			for (unsigned i = 0; i < (op >> 2) % 20u; i++) {
				do_write(0, i);
				check_state();
			}
			break;
		}
		check_state();
	}
	return 0;
}
