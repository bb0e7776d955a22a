/*
 * COM1's far end (console.h): stdio, a pty or a Unix socket. The UART
 * calls console_put under vm.lock; one thread moves input in and backlog
 * out, so a slow or absent reader never stalls a VP.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "console.h"
#include "vmwp.h"

#define RING_SIZE	(64u << 10)

enum console_kind { CON_STDIO, CON_PTY, CON_UNIX };

static struct {
	enum console_kind kind;
	int out;		/* stdout, the pty master or the client; -1 none */
	int in;			/* stdin, the pty master or the client; -1 none */
	int listener;		/* CON_UNIX */
	int pty_slave;		/* kept open: the master never sees a hang-up */
	int wake[2];		/* tells the thread that backlog or room appeared */
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	/* Everything is under vm.lock. head counts every byte ever put;
	 * the ring holds the last RING_SIZE of them; sent is how far the
	 * current reader got. */
	uint8_t ring[RING_SIZE];
	uint64_t head, sent;
	bool waking;
	uint8_t in_buf[256];
	size_t in_len;
} con = { .out = -1, .in = -1, .listener = -1, .pty_slave = -1, .wake = { -1, -1 } };

static void set_nonblock(int fd)
{
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

static int open_unix(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "--console unix:%s: path too long", path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 || (unlink(path) && errno != ENOENT) ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 4)) {
		snprintf(err, errlen, "--console unix:%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	strcpy(con.path, path);
	con.listener = fd;
	return 0;
}

static int open_pty(char *err, size_t errlen)
{
	struct termios t;
	int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	const char *name;

	if (m < 0 || grantpt(m) || unlockpt(m) || !(name = ptsname(m))) {
		snprintf(err, errlen, "--console pty: %s", strerror(errno));
		return -1;
	}
	con.pty_slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (con.pty_slave < 0 || tcgetattr(con.pty_slave, &t)) {
		snprintf(err, errlen, "--console pty: %s: %s", name, strerror(errno));
		return -1;
	}
	cfmakeraw(&t);
	tcsetattr(con.pty_slave, TCSANOW, &t);
	set_nonblock(m);
	con.in = con.out = m;
	logmsg("console on %s", name);
	return 0;
}

int console_open(const char *spec, char *err, size_t errlen)
{
	if (pipe2(con.wake, O_CLOEXEC | O_NONBLOCK)) {
		snprintf(err, errlen, "console: pipe: %s", strerror(errno));
		return -1;
	}
	if (!strcmp(spec, "stdio")) {
		con.kind = CON_STDIO;
		con.in = STDIN_FILENO;
		return 0;
	}
	if (!strcmp(spec, "pty")) {
		con.kind = CON_PTY;
		return open_pty(err, errlen);
	}
	if (!strncmp(spec, "unix:", 5) && spec[5]) {
		con.kind = CON_UNIX;
		return open_unix(spec + 5, err, errlen);
	}
	snprintf(err, errlen, "--console %s: want stdio, pty or unix:PATH", spec);
	return -1;
}

static void wake(void)
{
	if (!con.waking) {
		con.waking = true;
		if (write(con.wake[1], "", 1) < 0)
			con.waking = false;
	}
}

/* Sends backlog to the reader, without blocking (vm.lock held). */
static void flush(void)
{
	while (con.out >= 0 && con.sent < con.head) {
		uint64_t from = con.head - con.sent > RING_SIZE ? con.head - RING_SIZE : con.sent;
		size_t off = from % RING_SIZE, n = con.head - from;
		ssize_t w;

		if (n > RING_SIZE - off)
			n = RING_SIZE - off;
		w = write(con.out, con.ring + off, n);
		if (w <= 0) {
			con.sent = from;
			return;
		}
		con.sent = from + w;
	}
}

void console_put(uint8_t byte)
{
	if (con.kind == CON_STDIO) {
		fputc(byte, stdout);
		if (byte == '\n')
			fflush(stdout);
		return;
	}
	con.ring[con.head++ % RING_SIZE] = byte;
	if (con.out < 0)
		return;
	if (con.head - 1 == con.sent)
		flush();
	if (con.sent < con.head)
		wake();
}

void console_feed(void)
{
	size_t n;

	if (!con.in_len)
		return;
	n = uart16550_receive(&vm.com1, con.in_buf, con.in_len);
	if (n == con.in_len)
		wake();		/* room again: the thread may read more */
	memmove(con.in_buf, con.in_buf + n, con.in_len - n);
	con.in_len -= n;
}

static void drop_client(void)
{
	close(con.in);
	con.in = con.out = -1;
}

static void accept_client(void)
{
	int fd = accept4(con.listener, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (fd < 0)
		return;
	pthread_mutex_lock(&vm.lock);
	if (con.out >= 0) {
		pthread_mutex_unlock(&vm.lock);
		if (write(fd, "console busy: another client is attached\r\n", 42) < 0)
			(void)0;
		close(fd);
		return;
	}
	con.in = con.out = fd;
	con.sent = con.head > RING_SIZE ? con.head - RING_SIZE : 0;	/* replay */
	flush();
	pthread_mutex_unlock(&vm.lock);
}

/* Reads input while the buffer has room; false at EOF. */
static bool read_input(void)
{
	uint8_t buf[sizeof(con.in_buf)];
	size_t room;
	ssize_t n;

	pthread_mutex_lock(&vm.lock);
	room = sizeof(con.in_buf) - con.in_len;
	pthread_mutex_unlock(&vm.lock);
	if (!room)
		return true;
	n = read(con.in, buf, room);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR;
	if (!n)
		return false;
	pthread_mutex_lock(&vm.lock);
	memcpy(con.in_buf + con.in_len, buf, n);
	con.in_len += n;
	console_feed();
	pthread_mutex_unlock(&vm.lock);
	return true;
}

static void *console_thread(void *arg)
{
	(void)arg;
	for (;;) {
		struct pollfd p[3] = { { .fd = con.wake[0], .events = POLLIN },
				       { .fd = -1 }, { .fd = -1 } };
		char drain[64];

		pthread_mutex_lock(&vm.lock);
		if (con.in >= 0 && con.in_len < sizeof(con.in_buf))
			p[1] = (struct pollfd){ .fd = con.in, .events = POLLIN };
		if (con.out >= 0 && con.sent < con.head) {
			p[1].fd = con.out;
			p[1].events |= POLLOUT;
		}
		if (con.listener >= 0)
			p[2] = (struct pollfd){ .fd = con.listener, .events = POLLIN };
		pthread_mutex_unlock(&vm.lock);

		if (poll(p, 3, -1) < 0)
			continue;
		if (p[0].revents) {
			while (read(con.wake[0], drain, sizeof(drain)) > 0)
				;
			pthread_mutex_lock(&vm.lock);
			con.waking = false;
			pthread_mutex_unlock(&vm.lock);
		}
		if (p[1].revents & POLLOUT) {
			pthread_mutex_lock(&vm.lock);
			flush();
			pthread_mutex_unlock(&vm.lock);
		}
		if (p[1].revents & (POLLIN | POLLHUP | POLLERR) && !read_input()) {
			if (con.kind != CON_UNIX) {
				con.in = -1;	/* stdin closed: output goes on */
				continue;
			}
			pthread_mutex_lock(&vm.lock);
			drop_client();
			pthread_mutex_unlock(&vm.lock);
		}
		if (p[2].revents & POLLIN)
			accept_client();
	}
	return NULL;
}

int console_start(void)
{
	pthread_t t;

	if (pthread_create(&t, NULL, console_thread, NULL))
		return -1;
	pthread_detach(t);
	return 0;
}

void console_close(void)
{
	if (con.kind == CON_STDIO) {
		fflush(stdout);
		return;
	}
	pthread_mutex_lock(&vm.lock);
	flush();
	pthread_mutex_unlock(&vm.lock);
	if (con.kind == CON_UNIX)
		unlink(con.path);
}
