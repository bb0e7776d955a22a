/* Unit tests for the 16550A UART model: reset state, Linux's 8250 probe
 * (autoconfig, replayed access by access, must find a PORT_16550A) and its
 * startup tests, output, input, DLAB, scratch, IIR priorities, the THRE
 * interrupt, loopback, overrun, FCR, modem status deltas, and the
 * interrupt line: one callback per change, gated by OUT2. Register names
 * and bits are Linux's serial_reg.h, written out here so the test does not
 * share the model's definitions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* needs the four above first */
#include "unit.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "uart16550.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define UART_RX	 0
#define UART_TX	 0
#define UART_DLL 0
#define UART_IER 1
#define UART_DLM 1
#define UART_IIR 2
#define UART_FCR 2
#define UART_EFR 2 /* with LCR = 0xBF on parts that have one */
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_MSR 6
#define UART_SCR 7

#define UART_IER_RDI  0x01
#define UART_IER_THRI 0x02
#define UART_IER_RLSI 0x04
#define UART_IER_MSI  0x08
#define UART_IER_UUE  0x40

#define UART_IIR_NO_INT	 0x01
#define UART_IIR_ID	 0x0E
#define UART_IIR_MSI	 0x00
#define UART_IIR_THRI	 0x02
#define UART_IIR_RDI	 0x04
#define UART_IIR_RLSI	 0x06
#define UART_IIR_TIMEOUT 0x0C
#define UART_IIR_FIFO	 0xC0
#define UART_IIR_64BYTE	 0x20

#define UART_FCR_ENABLE_FIFO 0x01
#define UART_FCR_CLEAR_RCVR  0x02
#define UART_FCR_CLEAR_XMIT  0x04
#define UART_FCR7_64BYTE     0x20
#define UART_FCR_R_TRIG_01   0x40
#define UART_FCR_R_TRIG_10   0x80
#define UART_FCR_R_TRIG_11   0xC0

#define UART_LCR_WLEN8	     0x03
#define UART_LCR_DLAB	     0x80
#define UART_LCR_CONF_MODE_A UART_LCR_DLAB
#define UART_LCR_CONF_MODE_B 0xBF

#define UART_MCR_DTR  0x01
#define UART_MCR_RTS  0x02
#define UART_MCR_OUT1 0x04
#define UART_MCR_OUT2 0x08
#define UART_MCR_LOOP 0x10

#define UART_LSR_DR   0x01
#define UART_LSR_OE   0x02
#define UART_LSR_THRE 0x20
#define UART_LSR_TEMT 0x40

#define UART_MSR_DCTS 0x01
#define UART_MSR_DDSR 0x02
#define UART_MSR_TERI 0x04
#define UART_MSR_DDCD 0x08
#define UART_MSR_CTS  0x10
#define UART_MSR_DSR  0x20
#define UART_MSR_RI   0x40
#define UART_MSR_DCD  0x80

#define BOTH_EMPTY (UART_LSR_TEMT | UART_LSR_THRE)

/* What Linux's uart_config[PORT_16550A].fcr writes in set_termios. */
#define LINUX_16550A_FCR                                                                           \
	(UART_FCR_ENABLE_FIFO | UART_FCR_R_TRIG_10 | UART_FCR_CLEAR_RCVR | UART_FCR_CLEAR_XMIT)

/* The port types autoconfig can reach from here (Linux's PORT_*). */
enum port_type {
	PORT_NONE, /* existence or loopback test failed */
	PORT_UNKNOWN,
	PORT_8250,
	PORT_16450,
	PORT_16550,
	PORT_16550A,
	PORT_16650,
	PORT_16650_EFR, /* autoconfig_has_efr(): 16650V2, 16654, 16850, 16C950 */
	PORT_16550A_FSL64,
	PORT_NS16550A,
	PORT_16750,
	PORT_XSCALE,
	PORT_U6_16550A,
};

static struct uart16550 uart;

static struct {
	uint8_t bytes[512];
	size_t n;
} sent;

static struct {
	bool level[64];
	size_t n;
} irqs;

static void record_tx(void *ctx, uint8_t byte)
{
	assert_ptr_equal(ctx, &uart);
	assert_true(sent.n < sizeof(sent.bytes));
	sent.bytes[sent.n++] = byte;
}

static void record_irq(void *ctx, bool level)
{
	assert_ptr_equal(ctx, &uart);
	assert_true(irqs.n < ARRAY_SIZE(irqs.level));
	/* A callback is a change: never the level already reported. */
	if (irqs.n)
		assert_int_not_equal(irqs.level[irqs.n - 1], level);
	else
		assert_true(level);
	irqs.level[irqs.n++] = level;
}

static int setup(void **state)
{
	static const struct uart16550_ops ops = {
	    .tx = record_tx,
	    .irq = record_irq,
	    .ctx = &uart,
	};

	(void)state;
	memset(&sent, 0, sizeof(sent));
	memset(&irqs, 0, sizeof(irqs));
	uart16550_init(&uart, &ops);
	return 0;
}

static uint8_t serial_in(unsigned offset)
{
	return uart16550_read(&uart, offset);
}

static void serial_out(unsigned offset, uint8_t value)
{
	uart16550_write(&uart, offset, value);
}

static size_t feed(const char *s)
{
	return uart16550_receive(&uart, (const uint8_t *)s, strlen(s));
}

/* The line as last reported, false before any callback. */
static bool line(void)
{
	return irqs.n && irqs.level[irqs.n - 1];
}

/* ---- Linux's probe, drivers/tty/serial/8250/8250_port.c ---- */

/* serial8250_clear_fifos() for a port with UART_CAP_FIFO. */
static void linux_clear_fifos(void)
{
	serial_out(UART_FCR, UART_FCR_ENABLE_FIFO);
	serial_out(UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR_CLEAR_RCVR | UART_FCR_CLEAR_XMIT);
	serial_out(UART_FCR, 0);
}

/* size_fifo(): 256 bytes through loopback, count what the receiver kept. */
static int linux_size_fifo(void)
{
	uint8_t old_lcr, old_fcr, old_mcr;
	unsigned old_dl;
	int count;

	old_lcr = serial_in(UART_LCR);
	serial_out(UART_LCR, 0);
	old_fcr = serial_in(UART_FCR); /* really IIR: FCR is write-only */
	old_mcr = serial_in(UART_MCR);
	serial_out(UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR_CLEAR_RCVR | UART_FCR_CLEAR_XMIT);
	serial_out(UART_MCR, UART_MCR_LOOP);
	serial_out(UART_LCR, UART_LCR_CONF_MODE_A);
	old_dl = serial_in(UART_DLL) | serial_in(UART_DLM) << 8;
	serial_out(UART_DLL, 0x01);
	serial_out(UART_DLM, 0x00);
	serial_out(UART_LCR, 0x03);
	for (count = 0; count < 256; count++)
		serial_out(UART_TX, count);
	for (count = 0; (serial_in(UART_LSR) & UART_LSR_DR) && count < 256; count++)
		assert_int_equal(serial_in(UART_RX), count);
	serial_out(UART_FCR, old_fcr);
	serial_out(UART_MCR, old_mcr);
	serial_out(UART_LCR, UART_LCR_CONF_MODE_A);
	serial_out(UART_DLL, old_dl & 0xFF);
	serial_out(UART_DLM, old_dl >> 8);
	serial_out(UART_LCR, old_lcr);
	return count;
}

/* autoconfig_read_divisor_id() */
static unsigned linux_read_divisor_id(void)
{
	uint8_t old_lcr = serial_in(UART_LCR);
	unsigned id, old_dl;

	serial_out(UART_LCR, UART_LCR_CONF_MODE_A);
	old_dl = serial_in(UART_DLL) | serial_in(UART_DLM) << 8;
	serial_out(UART_DLL, 0);
	serial_out(UART_DLM, 0);
	id = serial_in(UART_DLL) | serial_in(UART_DLM) << 8;
	serial_out(UART_DLL, old_dl & 0xFF);
	serial_out(UART_DLM, old_dl >> 8);
	serial_out(UART_LCR, old_lcr);
	return id;
}

/* autoconfig_8250(): no FIFO; a scratch register makes it a 16450. */
static enum port_type linux_autoconfig_8250(void)
{
	uint8_t scratch = serial_in(UART_SCR), status1, status2;

	serial_out(UART_SCR, 0xA5);
	status1 = serial_in(UART_SCR);
	serial_out(UART_SCR, 0x5A);
	status2 = serial_in(UART_SCR);
	serial_out(UART_SCR, scratch);
	return status1 == 0xA5 && status2 == 0x5A ? PORT_16450 : PORT_8250;
}

/* autoconfig_16550a() for a port without UPF_EXAR_EFR. Where Linux goes
 * on probing an EFR part, this stops at "has an EFR": a 16550A must not
 * get there at all. */
static enum port_type linux_autoconfig_16550a(void)
{
	uint8_t status1, status2, iersave;

	/* An EFR that shows with DLAB alone: ST16C650V1. */
	serial_out(UART_LCR, UART_LCR_CONF_MODE_A);
	if (serial_in(UART_EFR) == 0) {
		enum port_type type = PORT_16550A;

		serial_out(UART_EFR, 0xA8);
		if (serial_in(UART_EFR) != 0) {
			type = PORT_16650;
		} else {
			serial_out(UART_LCR, 0);
			serial_out(UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR7_64BYTE);
			status1 = serial_in(UART_IIR) >> 5;
			serial_out(UART_FCR, 0);
			serial_out(UART_LCR, 0);
			if (status1 == 7)
				type = PORT_16550A_FSL64;
		}
		serial_out(UART_EFR, 0);
		return type;
	}

	/* An EFR behind LCR = 0xBF, unless broken_efr() says it's an Exar A2. */
	serial_out(UART_LCR, UART_LCR_CONF_MODE_B);
	if (serial_in(UART_EFR) == 0 &&
	    !(linux_read_divisor_id() == 0x0201 && linux_size_fifo() == 16))
		return PORT_16650_EFR;

	/* National SuperIO: MCR.LOOP visible in bank 2's EXCR1. */
	serial_out(UART_LCR, 0);
	status1 = serial_in(UART_MCR);
	serial_out(UART_LCR, 0xE0);
	status2 = serial_in(0x02);
	if (!((status2 ^ status1) & UART_MCR_LOOP)) {
		serial_out(UART_LCR, 0);
		serial_out(UART_MCR, status1 ^ UART_MCR_LOOP);
		serial_out(UART_LCR, 0xE0);
		status2 = serial_in(0x02);
		serial_out(UART_LCR, 0);
		serial_out(UART_MCR, status1);
		if ((status2 ^ status1) & UART_MCR_LOOP)
			return PORT_NS16550A;
	}

	/* TI16750: IIR bit 5 follows FCR bit 5, but only with DLAB set. */
	serial_out(UART_LCR, 0);
	serial_out(UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR7_64BYTE);
	status1 = serial_in(UART_IIR) & (UART_IIR_64BYTE | UART_IIR_FIFO);
	serial_out(UART_FCR, UART_FCR_ENABLE_FIFO);
	serial_out(UART_LCR, UART_LCR_CONF_MODE_A);
	serial_out(UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR7_64BYTE);
	status2 = serial_in(UART_IIR) & (UART_IIR_64BYTE | UART_IIR_FIFO);
	serial_out(UART_FCR, UART_FCR_ENABLE_FIFO);
	serial_out(UART_LCR, 0);
	if (status1 == UART_IIR_FIFO && status2 == (UART_IIR_64BYTE | UART_IIR_FIFO))
		return PORT_16750;

	/* XScale: IER bit 6 (UUE) sticks. */
	iersave = serial_in(UART_IER);
	serial_out(UART_IER, iersave & ~UART_IER_UUE);
	if (!(serial_in(UART_IER) & UART_IER_UUE)) {
		serial_out(UART_IER, iersave | UART_IER_UUE);
		if (serial_in(UART_IER) & UART_IER_UUE)
			return PORT_XSCALE;
	}
	serial_out(UART_IER, iersave);

	return linux_size_fifo() == 64 ? PORT_U6_16550A : PORT_16550A;
}

/* autoconfig() without UPF_BUGGY_UART and UPF_SKIP_TEST (COM1-4 skip the
 * loopback test; other ports don't, so it is replayed too). */
static enum port_type linux_autoconfig(void)
{
	uint8_t scratch, scratch2, scratch3, save_mcr, save_lcr, status1;
	enum port_type type;

	scratch = serial_in(UART_IER);
	serial_out(UART_IER, 0);
	scratch2 = serial_in(UART_IER) & 0x0F;
	serial_out(UART_IER, 0x0F);
	scratch3 = serial_in(UART_IER) & 0x0F;
	serial_out(UART_IER, scratch);
	if (scratch2 != 0 || scratch3 != 0x0F)
		return PORT_NONE;

	save_mcr = serial_in(UART_MCR);
	save_lcr = serial_in(UART_LCR);

	serial_out(UART_MCR, UART_MCR_LOOP | UART_MCR_OUT2 | UART_MCR_RTS);
	status1 = serial_in(UART_MSR) & 0xF0;
	serial_out(UART_MCR, save_mcr);
	if (status1 != (UART_MSR_DCD | UART_MSR_CTS))
		return PORT_NONE;

	serial_out(UART_LCR, UART_LCR_CONF_MODE_B);
	serial_out(UART_EFR, 0);
	serial_out(UART_LCR, 0);

	serial_out(UART_FCR, UART_FCR_ENABLE_FIFO);
	switch (serial_in(UART_IIR) & UART_IIR_FIFO) {
	case 0x00:
		type = linux_autoconfig_8250();
		break;
	case 0x80:
		type = PORT_16550;
		break;
	case 0xC0:
		type = linux_autoconfig_16550a();
		break;
	default:
		type = PORT_UNKNOWN;
		break;
	}
	serial_out(UART_LCR, save_lcr);
	if (type == PORT_UNKNOWN)
		return type;

	/* Reset the UART. */
	serial_out(UART_MCR, save_mcr);
	if (type == PORT_16550A)
		linux_clear_fifos();
	serial_in(UART_RX);
	serial_out(UART_IER, 0);
	return type;
}

/* ---- tests ---- */

static void test_reset_state(void **state)
{
	(void)state;
	assert_int_equal(serial_in(UART_IER), 0);
	assert_int_equal(serial_in(UART_IIR), UART_IIR_NO_INT);
	assert_int_equal(serial_in(UART_LCR), 0);
	assert_int_equal(serial_in(UART_MCR), 0);
	assert_int_equal(serial_in(UART_LSR), BOTH_EMPTY);
	assert_int_equal(serial_in(UART_MSR), UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS);
	assert_int_equal(serial_in(UART_SCR), 0);
	assert_int_equal(serial_in(UART_RX), 0); /* nothing received */
	assert_true(uart16550_can_receive(&uart));
	assert_int_equal(irqs.n, 0);
	assert_int_equal(sent.n, 0);
}

static void test_out_of_range(void **state)
{
	struct uart16550 before;

	(void)state;
	serial_out(UART_SCR, 0x42);
	memcpy(&before, &uart, sizeof(uart));
	for (unsigned off = 8; off < 0x10000; off += off < 64 ? 1 : 4093) {
		assert_int_equal(serial_in(off), 0xFF);
		serial_out(off, 0x00);
		serial_out(off, 0xFF);
	}
	/* LSR and MSR are read-only. */
	serial_out(UART_LSR, 0xFF);
	serial_out(UART_MSR, 0xFF);
	assert_memory_equal(&uart, &before, sizeof(uart));
	assert_int_equal(sent.n, 0);
}

static void test_linux_autoconfig(void **state)
{
	(void)state;
	assert_int_equal(linux_autoconfig(), PORT_16550A);
	/* The probe runs in loopback or with OUT2 clear: nothing reaches the
	 * host or the interrupt line. */
	assert_int_equal(sent.n, 0);
	assert_int_equal(irqs.n, 0);
	/* Left as Linux's reset leaves it. */
	assert_int_equal(serial_in(UART_LCR), 0);
	assert_int_equal(serial_in(UART_MCR), 0);
	assert_int_equal(serial_in(UART_IER), 0);
	assert_int_equal(serial_in(UART_IIR), UART_IIR_NO_INT);
	assert_int_equal(serial_in(UART_LSR), BOTH_EMPTY);
	/* A second probe, say after a module reload, agrees. */
	assert_int_equal(linux_autoconfig(), PORT_16550A);
}

/* The pieces of the probe each on its own, with what each one sees. */
static void test_linux_probe_details(void **state)
{
	(void)state;
	/* Loopback test: RTS and OUT2 come back as CTS and DCD. */
	serial_out(UART_MCR, UART_MCR_LOOP | UART_MCR_OUT2 | UART_MCR_RTS);
	assert_int_equal(serial_in(UART_MSR) & 0xF0, UART_MSR_DCD | UART_MSR_CTS);
	serial_out(UART_MCR, 0);

	/* FIFOs on: IIR bits 7:6 = 11, bit 5 never (not a 16750). */
	serial_out(UART_FCR, UART_FCR_ENABLE_FIFO);
	assert_int_equal(serial_in(UART_IIR), UART_IIR_FIFO | UART_IIR_NO_INT);
	serial_out(UART_LCR, UART_LCR_CONF_MODE_A);
	serial_out(UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR7_64BYTE);
	assert_int_equal(serial_in(UART_IIR) & UART_IIR_64BYTE, 0);
	/* No EFR: offset 2 still reads IIR, nonzero, in both config modes. */
	assert_int_not_equal(serial_in(UART_EFR), 0);
	serial_out(UART_LCR, UART_LCR_CONF_MODE_B);
	assert_int_not_equal(serial_in(UART_EFR), 0);
	serial_out(UART_LCR, 0);

	/* Exactly 16 bytes of FIFO, in order; the rest overran. */
	assert_int_equal(linux_size_fifo(), 16);
	assert_int_equal(sent.n, 0);
	/* size_fifo() restored the divisor latch and LCR. */
	serial_out(UART_LCR, UART_LCR_DLAB);
	assert_int_equal(serial_in(UART_DLL) | serial_in(UART_DLM) << 8, 0x000C);
	serial_out(UART_LCR, 0);
	/* Not an XR16C850 or Exar A2 by divisor ID either. */
	assert_int_equal(linux_read_divisor_id(), 0);

	/* IER keeps bits 3:0 only. */
	serial_out(UART_IER, 0xFF);
	assert_int_equal(serial_in(UART_IER), 0x0F);
	serial_out(UART_IER, 0);
}

/* serial8250_do_startup() and set_termios for a 16550A with an irq. */
static void test_linux_startup(void **state)
{
	uint8_t iir1, iir, lsr;

	(void)state;
	assert_int_equal(linux_autoconfig(), PORT_16550A);

	linux_clear_fifos();
	serial_in(UART_LSR);
	serial_in(UART_RX);
	serial_in(UART_IIR);
	serial_in(UART_MSR);
	assert_int_not_equal(serial_in(UART_LSR), 0xFF); /* "LSR safety check" */

	/* THRE test: a real 16550 re-raises THRE when THRI is re-enabled;
	 * otherwise Linux sets UART_BUG_THRE and kicks the port off a timer. */
	assert_true(serial_in(UART_LSR) & UART_LSR_THRE);
	serial_out(UART_IER, UART_IER_THRI);
	iir1 = serial_in(UART_IIR);
	serial_out(UART_IER, 0);
	serial_out(UART_IER, UART_IER_THRI);
	iir = serial_in(UART_IIR);
	serial_out(UART_IER, 0);
	assert_int_equal(iir1 & UART_IIR_ID, UART_IIR_THRI);
	assert_int_equal(iir & UART_IIR_ID, UART_IIR_THRI);

	serial_out(UART_LCR, UART_LCR_WLEN8);
	serial_out(UART_MCR, UART_MCR_OUT2 | UART_MCR_RTS | UART_MCR_DTR);

	/* TXEN test: enabling THRI must show in IIR at once, else
	 * UART_BUG_TXEN. */
	serial_out(UART_IER, UART_IER_THRI);
	lsr = serial_in(UART_LSR);
	iir = serial_in(UART_IIR);
	serial_out(UART_IER, 0);
	assert_true(lsr & UART_LSR_TEMT);
	assert_false(iir & UART_IIR_NO_INT);

	serial_in(UART_LSR);
	serial_in(UART_RX);
	serial_in(UART_IIR);
	serial_in(UART_MSR);

	/* set_termios: 115200 8N1, FIFOs at trigger 8, RX interrupts. */
	serial_out(UART_LCR, UART_LCR_WLEN8 | UART_LCR_DLAB);
	serial_out(UART_DLL, 1);
	serial_out(UART_DLM, 0);
	serial_out(UART_LCR, UART_LCR_WLEN8);
	serial_out(UART_FCR, LINUX_16550A_FCR);
	serial_out(UART_IER, UART_IER_RLSI | UART_IER_RDI);
	assert_int_equal(serial_in(UART_IIR), UART_IIR_FIFO | UART_IIR_NO_INT);
	assert_int_equal(serial_in(UART_IER), UART_IER_RLSI | UART_IER_RDI);
	/* OUT2 was clear until set_mctrl, so only the TXEN test moved the
	 * line: up with THRI, down with the IIR read that acknowledged it. */
	assert_int_equal(irqs.n, 2);
	assert_false(line());
}

static void test_scratch(void **state)
{
	(void)state;
	for (unsigned v = 0; v < 256; v++) {
		serial_out(UART_SCR, v);
		assert_int_equal(serial_in(UART_SCR), v);
	}
	serial_out(UART_LCR, UART_LCR_DLAB); /* SCR ignores DLAB */
	serial_out(UART_SCR, 0x5A);
	assert_int_equal(serial_in(UART_SCR), 0x5A);
}

static void test_dlab(void **state)
{
	(void)state;
	serial_out(UART_IER, UART_IER_RDI);
	assert_int_equal(feed("x"), 1);

	serial_out(UART_LCR, UART_LCR_DLAB | UART_LCR_WLEN8);
	assert_int_equal(serial_in(UART_LCR), UART_LCR_DLAB | UART_LCR_WLEN8);
	serial_out(UART_DLL, 0x34);
	serial_out(UART_DLM, 0x12);
	assert_int_equal(serial_in(UART_DLL), 0x34);
	assert_int_equal(serial_in(UART_DLM), 0x12);
	/* With DLAB set, offsets 0/1 neither transmit, receive nor touch IER. */
	assert_int_equal(sent.n, 0);
	assert_true(serial_in(UART_LSR) & UART_LSR_DR);
	/* IIR/FCR, LCR, MCR, LSR, MSR and SCR don't care about DLAB. */
	assert_int_equal(serial_in(UART_IIR), UART_IIR_RDI);

	serial_out(UART_LCR, UART_LCR_WLEN8);
	assert_int_equal(serial_in(UART_IER), UART_IER_RDI);
	assert_int_equal(serial_in(UART_RX), 'x');
	serial_out(UART_TX, 'y');
	assert_int_equal(sent.n, 1);
	assert_int_equal(sent.bytes[0], 'y');

	serial_out(UART_LCR, UART_LCR_DLAB);
	assert_int_equal(serial_in(UART_DLL) | serial_in(UART_DLM) << 8, 0x1234);
}

static void test_output(void **state)
{
	static const char msg[] = "Linux version 6.1.0\r\n";

	(void)state;
	/* serial8250_console_putchar: wait for BOTH_EMPTY, write, repeat. */
	for (size_t i = 0; i < sizeof(msg) - 1; i++) {
		assert_int_equal(serial_in(UART_LSR) & BOTH_EMPTY, BOTH_EMPTY);
		serial_out(UART_TX, msg[i]);
	}
	assert_int_equal(serial_in(UART_LSR), BOTH_EMPTY);
	assert_int_equal(sent.n, sizeof(msg) - 1);
	assert_memory_equal(sent.bytes, msg, sizeof(msg) - 1);
	/* Nothing loops back or is received outside loopback. */
	assert_false(serial_in(UART_LSR) & UART_LSR_DR);
	/* All 256 values go out as they are. */
	sent.n = 0;
	for (unsigned v = 0; v < 256; v++)
		serial_out(UART_TX, v);
	for (unsigned v = 0; v < 256; v++)
		assert_int_equal(sent.bytes[v], v);
	assert_int_equal(irqs.n, 0);
}

static void test_input(void **state)
{
	uint8_t buf[40];

	(void)state;
	/* FIFOs off: one holding register. */
	assert_int_equal(feed("ab"), 1);
	assert_false(uart16550_can_receive(&uart));
	assert_int_equal(feed("b"), 0);
	assert_int_equal(serial_in(UART_LSR), BOTH_EMPTY | UART_LSR_DR);
	assert_int_equal(serial_in(UART_RX), 'a');
	assert_int_equal(serial_in(UART_LSR), BOTH_EMPTY);
	assert_true(uart16550_can_receive(&uart));

	/* FIFOs on: sixteen, in order, the rest left with the caller. */
	serial_out(UART_FCR, LINUX_16550A_FCR);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = 0x80 + i;
	assert_int_equal(uart16550_receive(&uart, buf, 10), 10);
	assert_true(uart16550_can_receive(&uart));
	assert_int_equal(uart16550_receive(&uart, buf + 10, 30), 6);
	assert_false(uart16550_can_receive(&uart));
	assert_int_equal(uart16550_receive(&uart, buf + 16, 24), 0);
	assert_int_equal(uart16550_receive(&uart, buf, 0), 0);
	/* Flow control, not overrun. */
	assert_int_equal(serial_in(UART_LSR), BOTH_EMPTY | UART_LSR_DR);
	for (size_t i = 0; i < 8; i++)
		assert_int_equal(serial_in(UART_RX), 0x80 + i);
	/* Room again, and the ring wraps. */
	assert_int_equal(uart16550_receive(&uart, buf + 16, 24), 8);
	for (size_t i = 8; i < 24; i++) {
		assert_true(serial_in(UART_LSR) & UART_LSR_DR);
		assert_int_equal(serial_in(UART_RX), 0x80 + i);
	}
	assert_int_equal(serial_in(UART_LSR), BOTH_EMPTY);
	assert_int_equal(serial_in(UART_RX), 0);
	assert_int_equal(irqs.n, 0);
}

/* All four sources at once, then acknowledged one by one in IIR order. */
static void test_iir_priorities(void **state)
{
	(void)state;
	serial_out(UART_FCR, UART_FCR_ENABLE_FIFO); /* trigger 1 */
	serial_out(UART_MCR, UART_MCR_OUT2);
	assert_int_equal(serial_in(UART_MSR), UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS);

	/* Overrun via loopback, then a modem status change leaving it. */
	serial_out(UART_MCR, UART_MCR_LOOP);
	for (int i = 0; i < UART16550_FIFO_SIZE + 1; i++)
		serial_out(UART_TX, 'A' + i);
	serial_out(UART_MCR, UART_MCR_OUT2 | UART_MCR_DTR);
	assert_int_equal(irqs.n, 0); /* IER still 0 */

	serial_out(UART_IER, UART_IER_RDI | UART_IER_THRI | UART_IER_RLSI | UART_IER_MSI);
	assert_true(line());
	assert_int_equal(serial_in(UART_IIR), UART_IIR_FIFO | UART_IIR_RLSI);
	/* Reading IIR alone doesn't acknowledge it. */
	assert_int_equal(serial_in(UART_IIR), UART_IIR_FIFO | UART_IIR_RLSI);
	assert_int_equal(serial_in(UART_LSR), BOTH_EMPTY | UART_LSR_DR | UART_LSR_OE);

	assert_int_equal(serial_in(UART_IIR), UART_IIR_FIFO | UART_IIR_RDI);
	for (int i = 0; i < UART16550_FIFO_SIZE; i++)
		assert_int_equal(serial_in(UART_RX), 'A' + i);

	assert_int_equal(serial_in(UART_IIR), UART_IIR_FIFO | UART_IIR_THRI);
	/* That read acknowledged THRE; modem status is next. */
	assert_int_equal(serial_in(UART_IIR), UART_IIR_FIFO | UART_IIR_MSI);
	assert_true(line());
	assert_int_equal(serial_in(UART_MSR) & 0x0F, UART_MSR_DCTS | UART_MSR_DDSR | UART_MSR_DDCD);

	assert_int_equal(serial_in(UART_IIR), UART_IIR_FIFO | UART_IIR_NO_INT);
	assert_false(line());
	/* One rise while the sources drained, one fall at the end. */
	assert_int_equal(irqs.n, 2);
}

/* Only enabled sources count, and a disabled source doesn't hide a lower
 * one. */
static void test_iir_masking(void **state)
{
	(void)state;
	serial_out(UART_MCR, UART_MCR_LOOP);
	serial_out(UART_TX, '1');
	serial_out(UART_TX, '2'); /* overrun: no FIFOs */
	serial_out(UART_MCR, 0);

	serial_out(UART_IER, UART_IER_THRI);
	assert_int_equal(serial_in(UART_IIR), UART_IIR_THRI);
	serial_out(UART_IER, UART_IER_RDI);
	assert_int_equal(serial_in(UART_IIR), UART_IIR_RDI);
	serial_out(UART_IER, UART_IER_MSI);
	assert_int_equal(serial_in(UART_IIR), UART_IIR_MSI);
	serial_out(UART_IER, UART_IER_RLSI);
	assert_int_equal(serial_in(UART_IIR), UART_IIR_RLSI);
	serial_out(UART_IER, 0);
	assert_int_equal(serial_in(UART_IIR), UART_IIR_NO_INT);
	/* Pending state survived the masking. */
	assert_int_equal(serial_in(UART_LSR), BOTH_EMPTY | UART_LSR_DR | UART_LSR_OE);
	assert_int_equal(serial_in(UART_RX), '2'); /* 16450 mode: newest wins */
	assert_int_equal(serial_in(UART_MSR) & 0x0F, UART_MSR_DCTS | UART_MSR_DDSR | UART_MSR_DDCD);
	assert_int_equal(irqs.n, 0); /* OUT2 clear throughout */
}

static void test_thre_interrupt(void **state)
{
	(void)state;
	serial_out(UART_MCR, UART_MCR_OUT2);
	serial_out(UART_FCR, LINUX_16550A_FCR);
	assert_int_equal(irqs.n, 0);

	/* __start_tx(): enabling THRI with THR empty raises it. */
	serial_out(UART_IER, UART_IER_RDI | UART_IER_THRI);
	assert_int_equal(irqs.n, 1);
	assert_true(line());

	/* The handler: IIR says THRE and that read acknowledges it. */
	assert_int_equal(serial_in(UART_IIR), UART_IIR_FIFO | UART_IIR_THRI);
	assert_int_equal(irqs.n, 2);
	assert_false(line());
	assert_int_equal(serial_in(UART_IIR), UART_IIR_FIFO | UART_IIR_NO_INT);
	assert_true(serial_in(UART_LSR) & UART_LSR_THRE); /* LSR still says empty */

	/* tx_chars(): a load of bytes; the THR empties again at once. */
	for (int i = 0; i < 16; i++)
		serial_out(UART_TX, 'a' + i);
	assert_int_equal(sent.n, 16);
	assert_int_equal(irqs.n, 3);
	assert_true(line());

	/* A THR write while THRE is pending leaves the line up (no pulse). */
	serial_out(UART_TX, '!');
	assert_int_equal(irqs.n, 3);

	/* Rewriting IER without a 0 -> 1 THRI edge doesn't re-raise it. */
	assert_int_equal(serial_in(UART_IIR), UART_IIR_FIFO | UART_IIR_THRI);
	assert_int_equal(irqs.n, 4);
	serial_out(UART_IER, UART_IER_RDI | UART_IER_THRI);
	assert_int_equal(serial_in(UART_IIR), UART_IIR_FIFO | UART_IIR_NO_INT);
	assert_int_equal(irqs.n, 4);

	/* The console: IER saved and cleared, polled out, restored. */
	serial_out(UART_IER, 0);
	serial_out(UART_TX, '?');
	assert_int_equal(irqs.n, 4);
	serial_out(UART_IER, UART_IER_RDI | UART_IER_THRI);
	assert_int_equal(irqs.n, 5);
	assert_true(line());

	/* __stop_tx(): clearing THRI drops the line without an IIR read. */
	serial_out(UART_IER, UART_IER_RDI);
	assert_int_equal(irqs.n, 6);
	assert_false(line());
	assert_int_equal(serial_in(UART_IIR), UART_IIR_FIFO | UART_IIR_NO_INT);

	/* A higher source hides THRE from IIR, so that read doesn't ack it. */
	serial_out(UART_IER, UART_IER_RDI | UART_IER_THRI);
	assert_int_equal(feed("z"), 1);
	assert_int_equal(serial_in(UART_IIR), UART_IIR_FIFO | UART_IIR_TIMEOUT);
	assert_int_equal(serial_in(UART_RX), 'z');
	assert_int_equal(serial_in(UART_IIR), UART_IIR_FIFO | UART_IIR_THRI);
	assert_int_equal(serial_in(UART_IIR), UART_IIR_FIFO | UART_IIR_NO_INT);
	assert_false(line());
	assert_int_equal(sent.n, 18);
}

/* Receive interrupts: trigger level, character timeout, draining. */
static void test_rx_interrupt(void **state)
{
	static const uint8_t trig[4] = {1, 4, 8, 14};

	(void)state;
	serial_out(UART_MCR, UART_MCR_OUT2);
	serial_out(UART_IER, UART_IER_RDI);
	assert_int_equal(irqs.n, 0);

	/* No FIFOs: any character is "data available". */
	assert_int_equal(feed("q"), 1);
	assert_true(line());
	assert_int_equal(serial_in(UART_IIR), UART_IIR_RDI);
	assert_int_equal(serial_in(UART_RX), 'q');
	assert_false(line());

	for (int t = 0; t < 4; t++) {
		serial_out(UART_FCR, UART_FCR_ENABLE_FIFO | t << 6);
		for (int n = 1; n <= UART16550_FIFO_SIZE; n++) {
			uint8_t iir;

			assert_int_equal(feed("."), 1);
			iir = serial_in(UART_IIR);
			/* Below the trigger the (instant) timeout reports it. */
			assert_int_equal(iir, UART_IIR_FIFO |
						  (n >= trig[t] ? UART_IIR_RDI : UART_IIR_TIMEOUT));
			assert_true(line());
		}
		/* Clearing the receive FIFO drops DR and the interrupt. */
		serial_out(UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR_CLEAR_RCVR | t << 6);
		assert_false(serial_in(UART_LSR) & UART_LSR_DR);
		assert_false(line());
	}
	assert_int_equal(irqs.n, 2 + 2 * 4);
}

static void test_loopback(void **state)
{
	(void)state;
	serial_out(UART_FCR, UART_FCR_ENABLE_FIFO);
	serial_out(UART_IER, UART_IER_RDI | UART_IER_MSI);
	serial_out(UART_MCR, UART_MCR_OUT2);
	assert_int_equal(feed("h"), 1);
	assert_int_equal(irqs.n, 1);

	serial_out(UART_MCR, UART_MCR_LOOP | UART_MCR_OUT2);
	/* The external line is gated off in loopback; IIR still reports. */
	assert_false(line());
	assert_int_equal(serial_in(UART_IIR), UART_IIR_FIFO | UART_IIR_RDI);
	/* The receiver hears only the transmitter. */
	assert_false(uart16550_can_receive(&uart));
	assert_int_equal(feed("x"), 0);
	serial_out(UART_TX, 'e');
	serial_out(UART_TX, 'y');
	assert_int_equal(sent.n, 0);
	assert_int_equal(serial_in(UART_RX), 'h');
	assert_int_equal(serial_in(UART_RX), 'e');
	assert_int_equal(serial_in(UART_RX), 'y');
	assert_false(serial_in(UART_LSR) & UART_LSR_DR);

	/* MSR's upper nibble follows MCR: RTS->CTS, DTR->DSR, OUT1->RI,
	 * OUT2->DCD; the deltas record each change. */
	serial_in(UART_MSR);
	static const struct {
		uint8_t mcr, msr;
	} steps[] = {
	    {UART_MCR_LOOP, 0x00 | UART_MSR_DDCD},
	    {UART_MCR_LOOP | UART_MCR_RTS, UART_MSR_CTS | UART_MSR_DCTS},
	    {UART_MCR_LOOP | UART_MCR_RTS | UART_MCR_DTR,
	     UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DDSR},
	    {UART_MCR_LOOP | UART_MCR_OUT1, UART_MSR_RI | UART_MSR_DCTS | UART_MSR_DDSR},
	    /* RI's trailing edge sets TERI; its leading edge nothing. */
	    {UART_MCR_LOOP, UART_MSR_TERI},
	    {UART_MCR_LOOP | UART_MCR_OUT1, UART_MSR_RI},
	    {UART_MCR_LOOP | UART_MCR_OUT2, UART_MSR_DCD | UART_MSR_DDCD | UART_MSR_TERI},
	    {UART_MCR_LOOP | 0x0F, 0xF0 | UART_MSR_DCTS | UART_MSR_DDSR},
	};
	for (size_t i = 0; i < ARRAY_SIZE(steps); i++) {
		serial_out(UART_MCR, steps[i].mcr);
		assert_int_equal(serial_in(UART_MCR), steps[i].mcr);
		assert_int_equal(serial_in(UART_MSR), steps[i].msr);
	}
	assert_int_equal(serial_in(UART_MSR), 0xF0); /* deltas cleared by the read */

	/* Leaving loopback: the cable's lines again, and OUT2 passes the
	 * modem status interrupt to the line. */
	serial_out(UART_MCR, UART_MCR_OUT2);
	assert_true(line());
	assert_int_equal(serial_in(UART_IIR), UART_IIR_FIFO | UART_IIR_MSI);
	assert_int_equal(serial_in(UART_MSR),
			 UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS | UART_MSR_TERI);
	assert_false(line());
	assert_true(uart16550_can_receive(&uart));
	serial_out(UART_TX, 'o');
	assert_int_equal(sent.n, 1);
	assert_false(serial_in(UART_LSR) & UART_LSR_DR);
	assert_int_equal(irqs.n, 4);
}

static void test_overrun(void **state)
{
	(void)state;
	serial_out(UART_FCR, UART_FCR_ENABLE_FIFO);
	serial_out(UART_IER, UART_IER_RLSI);
	serial_out(UART_MCR, UART_MCR_LOOP | UART_MCR_OUT2);
	for (int i = 0; i < UART16550_FIFO_SIZE; i++)
		serial_out(UART_TX, i);
	assert_int_equal(serial_in(UART_LSR), BOTH_EMPTY | UART_LSR_DR);
	serial_out(UART_TX, 0xEE); /* one too many */
	serial_out(UART_TX, 0xEF);
	assert_int_equal(serial_in(UART_IIR), UART_IIR_FIFO | UART_IIR_RLSI);
	/* Reading LSR reports OE once and clears it and the interrupt. */
	assert_int_equal(serial_in(UART_LSR), BOTH_EMPTY | UART_LSR_DR | UART_LSR_OE);
	assert_int_equal(serial_in(UART_LSR), BOTH_EMPTY | UART_LSR_DR);
	assert_int_equal(serial_in(UART_IIR), UART_IIR_FIFO | UART_IIR_NO_INT);
	/* The FIFO kept what it had; the extra bytes are lost. */
	for (int i = 0; i < UART16550_FIFO_SIZE; i++)
		assert_int_equal(serial_in(UART_RX), i);
	assert_int_equal(serial_in(UART_LSR), BOTH_EMPTY);
	/* Host input never overruns. */
	serial_out(UART_MCR, UART_MCR_OUT2);
	for (int i = 0; i < 40; i++)
		feed("#");
	assert_int_equal(serial_in(UART_LSR), BOTH_EMPTY | UART_LSR_DR);
	/* OE with the line up: one rise, one fall. */
	assert_int_equal(irqs.n, 0); /* loopback gated the overrun above */
	serial_out(UART_MCR, UART_MCR_LOOP | UART_MCR_OUT2);
	serial_out(UART_TX, 0);
	serial_out(UART_MCR, UART_MCR_OUT2);
	assert_int_equal(irqs.n, 1);
	serial_in(UART_LSR);
	assert_int_equal(irqs.n, 2);
	assert_false(line());
}

static void test_fcr(void **state)
{
	(void)state;
	/* FIFOs off: IIR bits 7:6 = 00. */
	assert_int_equal(serial_in(UART_IIR), UART_IIR_NO_INT);
	serial_out(UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR_R_TRIG_11);
	assert_int_equal(serial_in(UART_IIR), UART_IIR_FIFO | UART_IIR_NO_INT);
	assert_int_equal(feed("0123456789"), 10);

	/* Writing the same mode keeps the data; clearing XMIT alone too. */
	serial_out(UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR_R_TRIG_01 | UART_FCR_CLEAR_XMIT);
	assert_true(serial_in(UART_LSR) & UART_LSR_DR);
	assert_int_equal(serial_in(UART_RX), '0');
	/* Clearing RCVR empties it. */
	serial_out(UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR_CLEAR_RCVR);
	assert_int_equal(serial_in(UART_LSR), BOTH_EMPTY);
	assert_int_equal(serial_in(UART_RX), 0);

	/* Switching FIFOs off empties them too, and other bits need bit 0. */
	assert_int_equal(feed("abc"), 3);
	serial_out(UART_FCR, UART_FCR_R_TRIG_11 | UART_FCR_CLEAR_RCVR);
	assert_int_equal(serial_in(UART_IIR), UART_IIR_NO_INT);
	assert_int_equal(serial_in(UART_LSR), BOTH_EMPTY);
	assert_int_equal(feed("de"), 1);
	/* ... as does switching them on. */
	serial_out(UART_FCR, UART_FCR_ENABLE_FIFO);
	assert_int_equal(serial_in(UART_LSR), BOTH_EMPTY);

	/* Linux's clear_fifos leaves the FIFOs off and empty. */
	assert_int_equal(feed("fgh"), 3);
	linux_clear_fifos();
	assert_int_equal(serial_in(UART_IIR), UART_IIR_NO_INT);
	assert_int_equal(serial_in(UART_LSR), BOTH_EMPTY);
	/* size_fifo() writes back what it read from offset 2 as FCR. */
	serial_out(UART_FCR, UART_IIR_FIFO | UART_IIR_NO_INT);
	assert_int_equal(serial_in(UART_IIR), UART_IIR_FIFO | UART_IIR_NO_INT);
	assert_int_equal(irqs.n, 0);
	assert_int_equal(sent.n, 0);
}

static void test_msr_deltas(void **state)
{
	(void)state;
	serial_out(UART_IER, UART_IER_MSI);
	serial_out(UART_MCR, UART_MCR_LOOP | UART_MCR_DTR);
	assert_int_equal(serial_in(UART_IIR), UART_IIR_MSI);
	assert_int_equal(serial_in(UART_MSR), UART_MSR_DSR | UART_MSR_DCTS | UART_MSR_DDCD);
	/* Cleared on read, interrupt gone with them. */
	assert_int_equal(serial_in(UART_MSR), UART_MSR_DSR);
	assert_int_equal(serial_in(UART_IIR), UART_IIR_NO_INT);
	/* Deltas accumulate until read; rewriting the same MCR adds none. */
	serial_out(UART_MCR, UART_MCR_LOOP | UART_MCR_DTR);
	assert_int_equal(serial_in(UART_IIR), UART_IIR_NO_INT);
	serial_out(UART_MCR, UART_MCR_LOOP | UART_MCR_RTS);
	serial_out(UART_MCR, UART_MCR_LOOP | UART_MCR_RTS | UART_MCR_DTR);
	assert_int_equal(serial_in(UART_MSR),
			 UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCTS | UART_MSR_DDSR);
	assert_int_equal(serial_in(UART_MSR), UART_MSR_CTS | UART_MSR_DSR);
	/* Outside loopback nothing changes the lines. */
	serial_out(UART_MCR, 0);
	serial_in(UART_MSR);
	serial_out(UART_MCR, UART_MCR_DTR | UART_MCR_RTS | UART_MCR_OUT1 | UART_MCR_OUT2);
	assert_int_equal(serial_in(UART_MSR), UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS);
	assert_int_equal(irqs.n, 0);
}

/* The line is pending && OUT2 && !LOOP, reported once per change only. */
static void test_irq_line(void **state)
{
	(void)state;
	/* Pending but OUT2 clear: no line, but a polling driver sees it. */
	serial_out(UART_IER, UART_IER_THRI);
	assert_int_equal(irqs.n, 0);
	assert_int_equal(serial_in(UART_IIR), UART_IIR_THRI);

	serial_out(UART_IER, 0);
	serial_out(UART_IER, UART_IER_THRI);
	serial_out(UART_MCR, UART_MCR_OUT2);
	assert_int_equal(irqs.n, 1);
	serial_out(UART_MCR, UART_MCR_OUT2 | UART_MCR_DTR | UART_MCR_RTS); /* no change */
	serial_out(UART_IER, UART_IER_THRI | UART_IER_RDI);
	serial_out(UART_LCR, UART_LCR_WLEN8);
	serial_out(UART_SCR, 1);
	serial_in(UART_LSR);
	serial_in(UART_MSR);
	assert_int_equal(irqs.n, 1);
	serial_out(UART_MCR, 0); /* OUT2 off gates it */
	assert_int_equal(irqs.n, 2);
	serial_out(UART_MCR, UART_MCR_OUT2);
	assert_int_equal(irqs.n, 3);
	serial_out(UART_MCR, UART_MCR_OUT2 | UART_MCR_LOOP); /* loopback gates it */
	assert_int_equal(irqs.n, 4);
	serial_out(UART_MCR, UART_MCR_OUT2);
	assert_int_equal(irqs.n, 5);
	assert_true(line());
	/* A second source joining doesn't re-report. */
	assert_int_equal(feed("k"), 1);
	assert_int_equal(irqs.n, 5);
	assert_int_equal(serial_in(UART_IIR), UART_IIR_RDI);
	serial_in(UART_RX);
	assert_int_equal(irqs.n, 5);
	assert_int_equal(serial_in(UART_IIR), UART_IIR_THRI);
	assert_int_equal(irqs.n, 6);
	assert_false(line());

	/* NULL callbacks: the model runs, nothing is reported. */
	static const struct uart16550_ops none = {0};
	uart16550_init(&uart, &none);
	serial_out(UART_MCR, UART_MCR_OUT2);
	serial_out(UART_IER, UART_IER_THRI);
	serial_out(UART_TX, 'n');
	assert_true(uart.irq_level);
	assert_int_equal(irqs.n, 6);
	assert_int_equal(sent.n, 0);
}

/* Linux interrupt-driven: the handler loops on IIR until nothing is
 * pending, so the line is low whenever it returns. */
static void test_linux_irq_session(void **state)
{
	static const char out_msg[] = "login: ";
	size_t next = 0, rises = 0;
	char got[32];
	size_t ngot = 0;

	(void)state;
	assert_int_equal(linux_autoconfig(), PORT_16550A);
	serial_out(UART_LCR, UART_LCR_WLEN8);
	serial_out(UART_MCR, UART_MCR_OUT2 | UART_MCR_RTS | UART_MCR_DTR);
	serial_out(UART_FCR, LINUX_16550A_FCR);
	serial_out(UART_IER, UART_IER_RLSI | UART_IER_RDI);
	assert_int_equal(irqs.n, 0);

	/* Host types while the guest starts a write. */
	assert_int_equal(feed("root\r"), 5);
	serial_out(UART_IER, UART_IER_RLSI | UART_IER_RDI | UART_IER_THRI);
	while (line()) {
		uint8_t iir;

		rises++;
		/* serial8250_interrupt(): handle_irq until IIR says none. */
		while (!((iir = serial_in(UART_IIR)) & UART_IIR_NO_INT)) {
			uint8_t lsr = serial_in(UART_LSR);

			while (lsr & UART_LSR_DR) {
				assert_true(ngot < sizeof(got));
				got[ngot++] = serial_in(UART_RX);
				lsr = serial_in(UART_LSR);
			}
			serial_in(UART_MSR);
			if (!(lsr & UART_LSR_THRE) || !(serial_in(UART_IER) & UART_IER_THRI))
				continue;
			for (int i = 0; i < 16 && next < sizeof(out_msg) - 1; i++)
				serial_out(UART_TX, out_msg[next++]);
			if (next == sizeof(out_msg) - 1)
				serial_out(UART_IER, UART_IER_RLSI | UART_IER_RDI); /* __stop_tx */
		}
		assert_true(rises < 8);
	}
	assert_int_equal(ngot, 5);
	assert_memory_equal(got, "root\r", 5);
	assert_int_equal(sent.n, sizeof(out_msg) - 1);
	assert_memory_equal(sent.bytes, out_msg, sizeof(out_msg) - 1);
	assert_false(line());
	assert_int_equal(serial_in(UART_IIR), UART_IIR_FIFO | UART_IIR_NO_INT);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_reset_state, setup),
	    cmocka_unit_test_setup(test_out_of_range, setup),
	    cmocka_unit_test_setup(test_linux_autoconfig, setup),
	    cmocka_unit_test_setup(test_linux_probe_details, setup),
	    cmocka_unit_test_setup(test_linux_startup, setup),
	    cmocka_unit_test_setup(test_scratch, setup),
	    cmocka_unit_test_setup(test_dlab, setup),
	    cmocka_unit_test_setup(test_output, setup),
	    cmocka_unit_test_setup(test_input, setup),
	    cmocka_unit_test_setup(test_iir_priorities, setup),
	    cmocka_unit_test_setup(test_iir_masking, setup),
	    cmocka_unit_test_setup(test_thre_interrupt, setup),
	    cmocka_unit_test_setup(test_rx_interrupt, setup),
	    cmocka_unit_test_setup(test_loopback, setup),
	    cmocka_unit_test_setup(test_overrun, setup),
	    cmocka_unit_test_setup(test_fcr, setup),
	    cmocka_unit_test_setup(test_msr_deltas, setup),
	    cmocka_unit_test_setup(test_irq_line, setup),
	    cmocka_unit_test_setup(test_linux_irq_session, setup),
	};

	return unit_run("uart16550", tests, ARRAY_SIZE(tests), NULL);
}
