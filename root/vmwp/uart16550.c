/*
 * 16550A UART register model (see uart16550.h). Register and bit meanings
 * are those of the NS16550A datasheet and Linux's include/uapi/linux/
 * serial_reg.h; the behaviour Linux's 8250 driver probes for is noted where
 * it shapes a choice.
 */
#include "uart16550.h"

#include <string.h>

enum {
	REG_RBR_THR_DLL,
	REG_IER_DLM,
	REG_IIR_FCR,
	REG_LCR,
	REG_MCR,
	REG_LSR,
	REG_MSR,
	REG_SCR,
};

#define IER_RDI	 0x01 /* received data available */
#define IER_THRI 0x02 /* THR empty */
#define IER_RLSI 0x04 /* receiver line status */
#define IER_MSI	 0x08 /* modem status */
#define IER_MASK 0x0F /* the rest reads 0: Linux's XScale probe sets bit 6 */

#define IIR_NO_INT  0x01
#define IIR_MSI	    0x00
#define IIR_THRI    0x02
#define IIR_RDI	    0x04
#define IIR_RLSI    0x06
#define IIR_TIMEOUT 0x0C
#define IIR_FIFOS   0xC0 /* bits 7:6 = 11 is what makes Linux say 16550A */

#define FCR_ENABLE     0x01
#define FCR_CLEAR_RCVR 0x02
#define FCR_TRIGGER    0xC0
/* Bits 1-2 self-clear, DMA mode (bit 3) means nothing without DMA, and
 * bits 4-5 (a 16750's 64-byte mode) don't exist. */
#define FCR_KEPT (FCR_ENABLE | FCR_TRIGGER)

#define LCR_DLAB 0x80

#define MCR_DTR	 0x01
#define MCR_RTS	 0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10
#define MCR_MASK 0x1F

#define LSR_DR	 0x01
#define LSR_OE	 0x02
#define LSR_THRE 0x20
#define LSR_TEMT 0x40

#define MSR_DCTS  0x01
#define MSR_DDSR  0x02
#define MSR_TERI  0x04
#define MSR_DDCD  0x08
#define MSR_DELTA 0x0F
#define MSR_CTS	  0x10
#define MSR_DSR	  0x20
#define MSR_RI	  0x40
#define MSR_DCD	  0x80

/* Outside loopback the port looks cabled to a ready peer: carrier, DSR and
 * CTS up, so neither open() without CLOCAL nor CRTSCTS blocks. */
#define MSR_EXTERNAL (MSR_DCD | MSR_DSR | MSR_CTS)

static bool fifos_on(const struct uart16550 *u)
{
	return u->fcr & FCR_ENABLE;
}

/* Without FIFOs the receiver holds one character (16450 mode). */
static unsigned rx_capacity(const struct uart16550 *u)
{
	return fifos_on(u) ? UART16550_FIFO_SIZE : 1;
}

static unsigned rx_trigger(const struct uart16550 *u)
{
	static const uint8_t level[4] = {1, 4, 8, 14};

	return fifos_on(u) ? level[u->fcr >> 6] : 1;
}

/*
 * The highest-priority enabled source, in the datasheet's order. There is
 * no clock to time out on, so data below the trigger level reports the
 * character timeout at once: Linux treats both IDs alike.
 */
static uint8_t iir_source(const struct uart16550 *u)
{
	if ((u->ier & IER_RLSI) && (u->lsr & LSR_OE))
		return IIR_RLSI;
	if ((u->ier & IER_RDI) && u->rx_count)
		return u->rx_count >= rx_trigger(u) ? IIR_RDI : IIR_TIMEOUT;
	if ((u->ier & IER_THRI) && u->thre_pending)
		return IIR_THRI;
	if ((u->ier & IER_MSI) && (u->msr & MSR_DELTA))
		return IIR_MSI;
	return IIR_NO_INT;
}

/* OUT2 gates the PC's IRQ buffer, and loopback forces OUT2 inactive. */
static void update_irq(struct uart16550 *u)
{
	bool level = iir_source(u) != IIR_NO_INT && (u->mcr & (MCR_OUT2 | MCR_LOOP)) == MCR_OUT2;

	if (level == u->irq_level)
		return;
	u->irq_level = level;
	if (u->ops.irq)
		u->ops.irq(u->ops.ctx, level);
}

static void rx_clear(struct uart16550 *u)
{
	u->rx_head = 0;
	u->rx_count = 0;
}

static void rx_put(struct uart16550 *u, uint8_t byte)
{
	u->rx[(u->rx_head + u->rx_count) % UART16550_FIFO_SIZE] = byte;
	u->rx_count++;
}

/* A loopback character: on overrun a full FIFO keeps its contents, while a
 * 16450-mode holding register takes the new character. */
static void rx_loop(struct uart16550 *u, uint8_t byte)
{
	if (u->rx_count < rx_capacity(u)) {
		rx_put(u, byte);
		return;
	}
	u->lsr |= LSR_OE;
	if (!fifos_on(u))
		u->rx[u->rx_head] = byte;
}

static uint8_t rx_get(struct uart16550 *u)
{
	uint8_t byte;

	if (!u->rx_count)
		return 0;
	byte = u->rx[u->rx_head];
	u->rx_head = (u->rx_head + 1) % UART16550_FIFO_SIZE;
	u->rx_count--;
	return byte;
}

/* MSR's upper nibble: the cable, or in loopback MCR's outputs wired back. */
static uint8_t modem_lines(const struct uart16550 *u)
{
	uint8_t m = u->mcr;

	if (!(m & MCR_LOOP))
		return MSR_EXTERNAL;
	return (m & MCR_RTS ? MSR_CTS : 0) | (m & MCR_DTR ? MSR_DSR : 0) |
	       (m & MCR_OUT1 ? MSR_RI : 0) | (m & MCR_OUT2 ? MSR_DCD : 0);
}

static void update_msr(struct uart16550 *u)
{
	uint8_t old = u->msr, now = modem_lines(u), changed = old ^ now;
	uint8_t delta = 0;

	if (changed & MSR_CTS)
		delta |= MSR_DCTS;
	if (changed & MSR_DSR)
		delta |= MSR_DDSR;
	if ((old & MSR_RI) && !(now & MSR_RI)) /* trailing edge only */
		delta |= MSR_TERI;
	if (changed & MSR_DCD)
		delta |= MSR_DDCD;
	u->msr = now | (old & MSR_DELTA) | delta;
}

static void transmit(struct uart16550 *u, uint8_t byte)
{
	if (u->mcr & MCR_LOOP)
		rx_loop(u, byte);
	else if (u->ops.tx)
		u->ops.tx(u->ops.ctx, byte);
	/* Writing THR acknowledges THRE; the byte leaves at once, so THR is
	 * empty again and raises it anew. */
	u->thre_pending = true;
}

static void write_fcr(struct uart16550 *u, uint8_t value)
{
	/* Switching FIFO mode either way empties the FIFOs. */
	if ((value ^ u->fcr) & FCR_ENABLE)
		rx_clear(u);
	/* Other bits only take with the enable bit set. */
	if (!(value & FCR_ENABLE)) {
		u->fcr = 0;
		return;
	}
	if (value & FCR_CLEAR_RCVR)
		rx_clear(u);
	/* Clearing the transmit FIFO has nothing to do: it is always empty. */
	u->fcr = value & FCR_KEPT;
}

void uart16550_init(struct uart16550 *u, const struct uart16550_ops *ops)
{
	memset(u, 0, sizeof(*u));
	u->ops = *ops;
	u->msr = MSR_EXTERNAL;
	u->dll = 0x0C; /* 9600 baud off 1.8432 MHz; the divisor has no reset value */
}

uint8_t uart16550_read(struct uart16550 *u, unsigned offset)
{
	bool dlab = u->lcr & LCR_DLAB;
	uint8_t v;

	switch (offset) {
	case REG_RBR_THR_DLL:
		if (dlab)
			return u->dll;
		v = rx_get(u);
		break;
	case REG_IER_DLM:
		return dlab ? u->dlm : u->ier;
	case REG_IIR_FCR:
		v = iir_source(u);
		/* Reading IIR acknowledges THRE only when it is what IIR shows. */
		if (v == IIR_THRI)
			u->thre_pending = false;
		v |= fifos_on(u) ? IIR_FIFOS : 0;
		break;
	case REG_LCR:
		return u->lcr;
	case REG_MCR:
		return u->mcr;
	case REG_LSR:
		v = u->lsr | LSR_THRE | LSR_TEMT | (u->rx_count ? LSR_DR : 0);
		u->lsr &= ~LSR_OE;
		break;
	case REG_MSR:
		v = u->msr;
		u->msr &= ~MSR_DELTA;
		break;
	case REG_SCR:
		return u->scr;
	default:
		return 0xFF;
	}
	update_irq(u);
	return v;
}

void uart16550_write(struct uart16550 *u, unsigned offset, uint8_t value)
{
	bool dlab = u->lcr & LCR_DLAB;

	switch (offset) {
	case REG_RBR_THR_DLL:
		if (dlab) {
			u->dll = value;
			return;
		}
		transmit(u, value);
		break;
	case REG_IER_DLM:
		if (dlab) {
			u->dlm = value;
			return;
		}
		/* Enabling THRI with THR empty raises THRE even if it was
		 * acknowledged; Linux's THRE test and its console, which
		 * restores IER after polling out a message, count on it. */
		if (value & ~u->ier & IER_THRI)
			u->thre_pending = true;
		u->ier = value & IER_MASK;
		break;
	case REG_IIR_FCR:
		write_fcr(u, value);
		break;
	case REG_LCR:
		u->lcr = value;
		return;
	case REG_MCR:
		u->mcr = value & MCR_MASK;
		update_msr(u);
		break;
	case REG_SCR:
		u->scr = value;
		return;
	default: /* LSR and MSR writes are factory tests; ignored */
		return;
	}
	update_irq(u);
}

bool uart16550_can_receive(const struct uart16550 *u)
{
	/* In loopback the receiver hears only the transmitter. */
	return !(u->mcr & MCR_LOOP) && u->rx_count < rx_capacity(u);
}

size_t uart16550_receive(struct uart16550 *u, const uint8_t *buf, size_t n)
{
	size_t i;

	for (i = 0; i < n && uart16550_can_receive(u); i++)
		rx_put(u, buf[i]);
	update_irq(u);
	return i;
}
