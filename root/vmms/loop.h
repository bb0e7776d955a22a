/*
 * The daemon's one event loop: epoll over its descriptors (the listening
 * socket, clients, the signalfd, worker pidfds and control sockets) and a
 * list of one-shot timers. Single-threaded; nothing in it blocks.
 */
#ifndef VMMS_LOOP_H
#define VMMS_LOOP_H

#include <stdbool.h>
#include <stdint.h>

struct loop_fd {
	int fd;
	void (*fn)(struct loop_fd *h, uint32_t events);
};

struct timer {
	struct timer *prev, *next;
	uint64_t deadline; /* loop_now_ms() */
	bool armed;
	void (*fn)(struct timer *t);
};

int loop_init(void);
/* Each returns 0, or -1 with errno set. */
int loop_add(struct loop_fd *h, uint32_t events);
int loop_mod(struct loop_fd *h, uint32_t events);
void loop_del(struct loop_fd *h);

/* Milliseconds of CLOCK_MONOTONIC. */
uint64_t loop_now_ms(void);

/* (Re)arms t to fire once, delay_ms from now; t->fn must be set. */
void timer_arm(struct timer *t, uint64_t delay_ms);
void timer_cancel(struct timer *t);

/* Runs until loop_quit; one event per wake-up, so a handler may free any
 * other handler's object without a stale event reaching it. */
void loop_run(void);
void loop_quit(void);

#endif
