/*
 * A 16550A UART as PC COM ports have it, emulated from I/O port intercepts:
 * the caller hands each guest IN/OUT at base + 0..7 to uart16550_read() or
 * uart16550_write(), feeds host input through uart16550_receive(), and gets
 * transmitted bytes and interrupt line changes back through the ops. No
 * time, no locking (the caller serializes calls) and no globals:
 * transmission is instantaneous (THR and the shift register are empty
 * again by the time the guest looks), so the model runs the same in the
 * VMWP, under unit tests and under a fuzzer.
 *
 * The interrupt line is what a PC board drives: some enabled source is
 * pending, MCR.OUT2 is set and loopback is off. Linux sets OUT2 only for a
 * port with an irq, so a port it polls (irq 0) never raises the line. The
 * line is a level; ops.irq is called only when it changes, and a caller
 * that delivers a vector should do so on each false -> true change (the
 * 8250 handler reads IIR until nothing is pending, so it leaves the line
 * low unless a new event arrived after its last read).
 *
 * Host input is flow-controlled, never lost: uart16550_receive() takes what
 * fits (16 bytes with FIFOs on, 1 without, none in loopback) and a caller
 * holding more retries after the guest's next access. Only the guest's own
 * loopback transmissions can overrun.
 */
#ifndef SEPTUM_UART16550_H
#define SEPTUM_UART16550_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UART16550_FIFO_SIZE 16

/* Callbacks run inside uart16550_* calls and must not re-enter the model;
 * either may be NULL (bytes dropped, line not reported). */
struct uart16550_ops {
	void (*tx)(void *ctx, uint8_t byte);
	void (*irq)(void *ctx, bool level);
	void *ctx;
};

/* Visible for tests and state save; change it only through the calls. */
struct uart16550 {
	struct uart16550_ops ops;
	uint8_t ier; /* bits 3:0 only */
	uint8_t lcr;
	uint8_t mcr; /* bits 4:0 only */
	uint8_t lsr; /* the sticky bit (OE); DR, THRE and TEMT are derived */
	uint8_t msr;
	uint8_t fcr; /* FIFO enable and trigger level; 0 if FIFOs off */
	uint8_t scr;
	uint8_t dll, dlm;
	bool thre_pending; /* THR-empty interrupt raised and not yet acknowledged */
	bool irq_level;	   /* last level given to ops.irq */
	uint8_t rx[UART16550_FIFO_SIZE];
	uint8_t rx_head, rx_count;
};

void uart16550_init(struct uart16550 *u, const struct uart16550_ops *ops);
/* offset is relative to the port base; beyond 7 reads 0xFF, writes nothing. */
uint8_t uart16550_read(struct uart16550 *u, unsigned offset);
void uart16550_write(struct uart16550 *u, unsigned offset, uint8_t value);
/* Host input: queues up to n bytes, returns how many fit. */
size_t uart16550_receive(struct uart16550 *u, const uint8_t *buf, size_t n);
bool uart16550_can_receive(const struct uart16550 *u);

#endif
