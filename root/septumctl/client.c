/* The API client (septumctl.h): one request line, one reply line. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "septumctl.h"

static char inbuf[VMMS_MAX_REQUEST];
static size_t inlen;
static int next_id = 1;

void fail(int status, const char *fmt, ...)
{
	va_list ap;

	fputs("septumctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(status);
}

int client_connect(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		fail(SEPTUMCTL_EXIT_USAGE, "%s: socket path too long", path);
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		fail(SEPTUMCTL_EXIT_ERROR, "socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		if (errno == EACCES || errno == EPERM)
			fail(SEPTUMCTL_EXIT_UNREACHABLE,
			     "%s: permission denied (only root and the group '%s' may manage VMs)",
			     path, VMMS_GROUP);
		fail(SEPTUMCTL_EXIT_UNREACHABLE,
		     "cannot reach vmms at %s: %s (is septum-vmms running?)", path,
		     strerror(errno));
	}
	return fd;
}

int client_exit_status(int code)
{
	switch (code) {
	case VMMS_ERR_NOT_FOUND:
		return SEPTUMCTL_EXIT_NOT_FOUND;
	case VMMS_ERR_INVALID:
	case VMMS_ERR_PARAMS:
	case VMMS_ERR_EXISTS:
		return SEPTUMCTL_EXIT_INVALID;
	case VMMS_ERR_STATE:
		return SEPTUMCTL_EXIT_STATE;
	case VMMS_ERR_DENIED:
		return SEPTUMCTL_EXIT_UNREACHABLE;
	default:
		return SEPTUMCTL_EXIT_ERROR;
	}
}

/* The next line from the daemon as JSON, waiting until deadline (0: for
 * ever). NULL at the end of the connection; exits on a timeout. */
static json_t *read_message(int fd, time_t deadline)
{
	for (;;) {
		char *nl = memchr(inbuf, '\n', inlen);
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int wait = -1;
		ssize_t n;

		if (nl) {
			size_t len = nl - inbuf;
			json_t *v = json_loadb(inbuf, len, 0, NULL);

			memmove(inbuf, nl + 1, inlen - len - 1);
			inlen -= len + 1;
			if (!json_is_object(v))
				fail(SEPTUMCTL_EXIT_ERROR,
				     "vmms sent something that is not JSON-RPC");
			return v;
		}
		if (inlen == sizeof(inbuf))
			fail(SEPTUMCTL_EXIT_ERROR, "vmms sent a line too long");
		if (deadline) {
			time_t now = time(NULL);

			if (now >= deadline)
				fail(SEPTUMCTL_EXIT_UNREACHABLE, "vmms did not answer in time");
			wait = (deadline - now) * 1000;
		}
		if (poll(&p, 1, wait) < 0 && errno != EINTR)
			fail(SEPTUMCTL_EXIT_ERROR, "poll: %s", strerror(errno));
		if (!p.revents)
			continue;
		n = read(fd, inbuf + inlen, sizeof(inbuf) - inlen);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return NULL;
		inlen += n;
	}
}

/* A failure is left for the reading to explain: a daemon that refused us
 * wrote why before it closed. */
static void send_line(int fd, json_t *msg)
{
	char *text = json_dumps(msg, JSON_COMPACT);
	size_t len, off = 0;

	if (!text)
		fail(SEPTUMCTL_EXIT_ERROR, "out of memory");
	len = strlen(text);
	text[len++] = '\n'; /* over the NUL: json_dumps' buffer has it */
	while (off < len) {
		ssize_t n = send(fd, text + off, len - off, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		off += n;
	}
	free(text);
}

/* Prints the daemon's error and exits with the status it maps to. */
static __attribute__((noreturn)) void refused(const char *what, json_t *msg)
{
	json_t *error = json_object_get(msg, "error");
	const char *m = json_string_value(json_object_get(error, "message"));
	int code = json_integer_value(json_object_get(error, "code"));

	fprintf(stderr, "septumctl: %s: %s\n", what, m ? m : "error");
	json_decref(msg);
	exit(client_exit_status(code));
}

json_t *client_call(int fd, const char *what, const char *method, json_t *params,
		    unsigned timeout_s)
{
	time_t deadline = time(NULL) + timeout_s;
	int id = next_id++;
	json_t *msg, *result;

	msg = json_pack("{s:s, s:i, s:s}", "jsonrpc", "2.0", "id", id, "method", method);
	if (!msg)
		fail(SEPTUMCTL_EXIT_ERROR, "out of memory");
	if (params)
		json_object_set_new(msg, "params", params);
	send_line(fd, msg);
	json_decref(msg);
	while ((msg = read_message(fd, deadline))) {
		json_t *rid = json_object_get(msg, "id");
		bool error = json_object_get(msg, "error") != NULL;

		/* Ours, or an error the daemon could not tie to a request (it
		 * refused the connection); notifications and others are not. */
		if (error && (json_is_null(rid) || json_integer_value(rid) == id))
			refused(what, msg);
		if (!json_is_integer(rid) || json_integer_value(rid) != id) {
			json_decref(msg);
			continue;
		}
		result = json_incref(json_object_get(msg, "result"));
		json_decref(msg);
		if (!result)
			fail(SEPTUMCTL_EXIT_ERROR, "vmms sent a reply without a result");
		return result;
	}
	fail(SEPTUMCTL_EXIT_UNREACHABLE, "vmms closed the connection");
}

json_t *client_next_event(int fd)
{
	json_t *msg, *params;

	while ((msg = read_message(fd, 0))) {
		const char *method = json_string_value(json_object_get(msg, "method"));

		if (method && !strcmp(method, "event")) {
			params = json_incref(json_object_get(msg, "params"));
			json_decref(msg);
			return params;
		}
		json_decref(msg);
	}
	return NULL;
}
