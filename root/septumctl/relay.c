/* The console and raw relays (septumctl.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "septumctl.h"

#define DETACH	 0x1d /* Ctrl-] */
#define QUIET_MS 1000

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= w;
	}
	return 0;
}

static int send_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= w;
	}
	return 0;
}

/* console: detach on Ctrl-], linger at the end of input; raw: half-close. */
static int relay(int sock, bool console, bool tty)
{
	bool in_open = true;
	char buf[4096];

	for (;;) {
		struct pollfd p[2] = {
		    {.fd = sock, .events = POLLIN},
		    {.fd = in_open ? 0 : -1, .events = POLLIN},
		};
		int n = poll(p, 2, console && !in_open ? QUIET_MS : -1);
		ssize_t got;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "septumctl: poll: %s\n", strerror(errno));
			return 1;
		}
		if (n == 0)
			return 0; /* quiet since the end of input */
		if (p[0].revents) {
			got = read(sock, buf, sizeof(buf));
			if (got <= 0)
				return 0;
			if (write_all(1, buf, got))
				return 1;
		}
		if (p[1].revents) {
			char *detach;

			got = read(0, buf, sizeof(buf));
			if (got < 0 && errno == EINTR)
				continue;
			if (got <= 0) {
				in_open = false;
				if (!console)
					shutdown(sock, SHUT_WR);
				continue;
			}
			detach = tty ? memchr(buf, DETACH, got) : NULL;
			if (send_all(sock, buf, detach ? detach - buf : got)) {
				fprintf(stderr, "septumctl: the other end closed\n");
				return 1;
			}
			if (detach)
				return 0;
		}
	}
}

int relay_console(int sock, const char *name)
{
	struct termios saved, raw;
	bool tty = isatty(0) && !tcgetattr(0, &saved);
	int r;

	if (tty) {
		raw = saved;
		cfmakeraw(&raw);
		tcsetattr(0, TCSANOW, &raw);
		fprintf(stderr, "septumctl: console of %s; Ctrl-] detaches\r\n", name);
	}
	r = relay(sock, true, tty);
	if (tty) {
		tcsetattr(0, TCSANOW, &saved);
		fprintf(stderr, "\nseptumctl: detached from %s\n", name);
	}
	return r;
}

int relay_raw(int sock)
{
	return relay(sock, false, false);
}
