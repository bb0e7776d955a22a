/* epoll and timers (loop.h). */
#include <errno.h>
#include <stddef.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"

static int epfd = -1;
static bool quit;
static struct timer *timers;

int loop_init(void)
{
	epfd = epoll_create1(EPOLL_CLOEXEC);
	return epfd < 0 ? -1 : 0;
}

int loop_add(struct loop_fd *h, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.ptr = h};

	return epoll_ctl(epfd, EPOLL_CTL_ADD, h->fd, &ev);
}

int loop_mod(struct loop_fd *h, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.ptr = h};

	return epoll_ctl(epfd, EPOLL_CTL_MOD, h->fd, &ev);
}

void loop_del(struct loop_fd *h)
{
	epoll_ctl(epfd, EPOLL_CTL_DEL, h->fd, NULL);
}

uint64_t loop_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void timer_cancel(struct timer *t)
{
	if (!t->armed)
		return;
	if (t->prev)
		t->prev->next = t->next;
	else
		timers = t->next;
	if (t->next)
		t->next->prev = t->prev;
	t->armed = false;
}

void timer_arm(struct timer *t, uint64_t delay_ms)
{
	timer_cancel(t);
	t->deadline = loop_now_ms() + delay_ms;
	t->prev = NULL;
	t->next = timers;
	if (timers)
		timers->prev = t;
	timers = t;
	t->armed = true;
}

/* Fires the first expired timer; returns the wait until the next one (-1:
 * none, 0: more are due). */
static int run_timers(void)
{
	uint64_t now = loop_now_ms();
	struct timer *t, *first = NULL;

	for (t = timers; t; t = t->next)
		if (!first || t->deadline < first->deadline)
			first = t;
	if (!first)
		return -1;
	if (first->deadline > now)
		return first->deadline - now > 60000 ? 60000 : (int)(first->deadline - now);
	timer_cancel(first);
	first->fn(first);
	return 0;
}

void loop_quit(void)
{
	quit = true;
}

void loop_run(void)
{
	while (!quit) {
		struct epoll_event ev;
		int wait = run_timers(), n;

		if (wait == 0)
			continue;
		n = epoll_wait(epfd, &ev, 1, wait);
		if (n < 0 && errno != EINTR) {
			vmms_log("epoll_wait: %m");
			return;
		}
		if (n == 1) {
			struct loop_fd *h = ev.data.ptr;

			h->fn(h, ev.events);
		}
	}
}
