/*
 * 16550 UARTs at 115200 8N1, polled: the log must work before anything
 * else does. COM1 until the root starts, then COM2 if the machine has one,
 * because COM1 becomes the root's console.
 */
#include "log.h"
#include "x86.h"

#define COM1 0x3F8
#define COM2 0x2F8

enum { UART_THR = 0, UART_IER = 1, UART_FCR = 2, UART_LCR = 3, UART_MCR = 4, UART_LSR = 5,
       UART_SCR = 7 };
#define UART_LSR_THRE 0x20

static u16 console_port;

/* 0 if there is a UART at port (its scratch register holds a value). */
static int uart_setup(u16 port)
{
	outb(port + UART_SCR, 0x5A);
	if (inb(port + UART_SCR) != 0x5A)
		return -1;
	outb(port + UART_IER, 0);
	outb(port + UART_LCR, 0x80);	/* divisor latch */
	outb(port + 0, 1);		/* 115200 */
	outb(port + 1, 0);
	outb(port + UART_LCR, 0x03);	/* 8N1 */
	outb(port + UART_FCR, 0x07);
	outb(port + UART_MCR, 0x03);
	return 0;
}

void uart_init(void)
{
	console_port = COM1;
	uart_setup(COM1);
}

bool console_handover(void)
{
	if (uart_setup(COM2)) {
		console_port = 0;
		return false;
	}
	console_port = COM2;
	return true;
}

static void uart_putc(char c)
{
	for (int spin = 0; spin < 100000 && !(inb(console_port + UART_LSR) & UART_LSR_THRE); spin++)
		;
	outb(console_port + UART_THR, c);
}

void console_write(const char *s, size_t n)
{
	if (!console_port)
		return;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			uart_putc('\r');
		uart_putc(s[i]);
	}
}
