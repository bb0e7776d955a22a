/* Worker control requests (ctl.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl.h"
#include "linebuf.h"
#include "loop.h"
#include "septum/vmms.h"

#define MAX_IN_FLIGHT 128 /* each holds a descriptor */

struct ctl {
	struct loop_fd h;
	struct timer timer;
	struct linebuf in;
	ctl_done_fn done;
	void *arg;
};

static unsigned in_flight;

/* A connected socket with command sent, or -1 with err filled. */
static int connect_send(const char *path, const char *command, char *err, size_t errlen)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char line[64];
	size_t n;
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "%s: path too long", path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	n = snprintf(line, sizeof(line), "%s\n", command);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	/* A Unix socket connects at once or not at all (EAGAIN: backlog full). */
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    send(fd, line, n, MSG_NOSIGNAL | MSG_DONTWAIT) != (ssize_t)n) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* The worker's line: 1 with *reply set when it said ok, 0 with err set. */
static int decode(const char *line, size_t len, json_t **reply, char *err, size_t errlen)
{
	json_t *v = json_loadb(line, len, 0, NULL);
	const char *e;

	*reply = NULL;
	if (!json_is_object(v)) {
		snprintf(err, errlen, "the worker's reply is not a JSON object");
		json_decref(v);
		return 0;
	}
	if (json_is_true(json_object_get(v, "ok"))) {
		*reply = v;
		return 1;
	}
	e = json_string_value(json_object_get(v, "error"));
	snprintf(err, errlen, "%s", e ? e : "the worker said no");
	json_decref(v);
	return 0;
}

static void finish(struct ctl *c, json_t *reply, const char *error)
{
	timer_cancel(&c->timer);
	loop_del(&c->h);
	close(c->h.fd);
	linebuf_free(&c->in);
	in_flight--;
	c->done(c->arg, reply, error);
	json_decref(reply);
	free(c);
}

static void on_timeout(struct timer *t)
{
	struct ctl *c = (struct ctl *)((char *)t - offsetof(struct ctl, timer));

	finish(c, NULL, "the worker did not answer in time");
}

static void on_readable(struct loop_fd *h, uint32_t events)
{
	struct ctl *c = (struct ctl *)((char *)h - offsetof(struct ctl, h));
	char *at, *line, err[256];
	size_t room = linebuf_space(&c->in, &at), len;
	json_t *reply;
	ssize_t n;
	int r;

	(void)events;
	n = recv(h->fd, at, room, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		finish(c, NULL, n ? strerror(errno) : "the worker closed without answering");
		return;
	}
	linebuf_commit(&c->in, n);
	r = linebuf_next(&c->in, &line, &len);
	if (r < 0) {
		finish(c, NULL, "the worker's reply is too long");
		return;
	}
	if (r == 0)
		return;
	decode(line, len, &reply, err, sizeof(err));
	finish(c, reply, reply ? NULL : err);
}

int ctl_request(const char *path, const char *command, unsigned timeout_ms, ctl_done_fn done,
		void *arg, char *err, size_t errlen)
{
	struct ctl *c;
	int fd;

	if (in_flight >= MAX_IN_FLIGHT) {
		snprintf(err, errlen, "too many worker requests in flight");
		return -1;
	}
	c = calloc(1, sizeof(*c));
	if (!c || linebuf_init(&c->in, VMMS_MAX_REQUEST)) {
		free(c);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	fd = connect_send(path, command, err, errlen);
	if (fd < 0) {
		linebuf_free(&c->in);
		free(c);
		return -1;
	}
	c->h.fd = fd;
	c->h.fn = on_readable;
	c->timer.fn = on_timeout;
	c->done = done;
	c->arg = arg;
	if (loop_add(&c->h, EPOLLIN)) {
		snprintf(err, errlen, "epoll: %s", strerror(errno));
		close(fd);
		linebuf_free(&c->in);
		free(c);
		return -1;
	}
	in_flight++;
	timer_arm(&c->timer, timeout_ms);
	return 0;
}

int ctl_call(const char *path, const char *command, unsigned timeout_ms, char *err, size_t errlen)
{
	uint64_t deadline = loop_now_ms() + timeout_ms;
	struct linebuf in;
	int fd, r = -1;

	fd = connect_send(path, command, err, errlen);
	if (fd < 0)
		return -1;
	if (linebuf_init(&in, VMMS_MAX_REQUEST)) {
		snprintf(err, errlen, "out of memory");
		close(fd);
		return -1;
	}
	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		uint64_t now = loop_now_ms();
		char *at, *line;
		size_t room, len;
		json_t *reply;
		ssize_t n;
		int got;

		if (now >= deadline) {
			snprintf(err, errlen, "the worker did not answer in time");
			break;
		}
		if (poll(&p, 1, deadline - now) <= 0)
			continue;
		room = linebuf_space(&in, &at);
		n = recv(fd, at, room, MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0) {
			snprintf(err, errlen, "%s",
				 n ? strerror(errno) : "the worker closed without answering");
			break;
		}
		linebuf_commit(&in, n);
		got = linebuf_next(&in, &line, &len);
		if (got < 0) {
			snprintf(err, errlen, "the worker's reply is too long");
			break;
		}
		if (got == 0)
			continue;
		if (decode(line, len, &reply, err, errlen)) {
			json_decref(reply);
			r = 0;
		}
		break;
	}
	linebuf_free(&in);
	close(fd);
	return r;
}
