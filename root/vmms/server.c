/*
 * The API socket and its clients (server.h). A client is freed only from
 * its own timer, never inside a handler that may still hold it: dropping
 * one marks it dying and arms that timer at once.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "api.h"
#include "linebuf.h"
#include "log.h"
#include "loop.h"
#include "server.h"

#define MAX_PENDING	   16		 /* requests in flight per client */
#define MAX_OUTPUT	   (1024 * 1024) /* unread replies and events */
#define REQUEST_TIMEOUT_MS 10000	 /* to finish a request once begun */
#define IDLE_TIMEOUT_MS	   60000	 /* with nothing in flight, not subscribed */
#define ACCEPT_PAUSE_MS	   1000		 /* out of descriptors: try again then */
#define MAX_GROUPS	   256

struct client {
	struct client *next;
	struct loop_fd h;
	struct timer timer;
	uint64_t id;
	pid_t pid;
	uid_t uid;
	struct linebuf in;
	char *out;
	size_t out_len, out_cap;
	unsigned pending;
	bool subscribed;
	bool eof; /* the client will send no more */
	bool dying;
};

static struct loop_fd listener = {.fd = -1};
static struct timer accept_pause;
static char socket_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
static gid_t group = (gid_t)-1;
static struct client *clients;
static unsigned nr_clients;
static uint64_t next_id = 1;

static struct client *find(uint64_t id)
{
	struct client *c;

	for (c = clients; c; c = c->next)
		if (c->id == id && !c->dying)
			return c;
	return NULL;
}

static void client_free(struct timer *t)
{
	struct client *c = (struct client *)((char *)t - offsetof(struct client, timer)), **p;

	for (p = &clients; *p; p = &(*p)->next) {
		if (*p == c) {
			*p = c->next;
			break;
		}
	}
	nr_clients--;
	linebuf_free(&c->in);
	free(c->out);
	free(c);
}

static void drop(struct client *c, const char *why)
{
	if (c->dying)
		return;
	if (why)
		vmms_log("client %llu (pid %d): %s; dropped", (unsigned long long)c->id,
			 (int)c->pid, why);
	loop_del(&c->h);
	close(c->h.fd);
	c->h.fd = -1;
	c->dying = true;
	c->timer.fn = client_free;
	timer_arm(&c->timer, 0);
}

static void update_events(struct client *c)
{
	uint32_t ev = (c->eof ? 0 : EPOLLIN) | (c->out_len ? EPOLLOUT : 0);

	if (loop_mod(&c->h, ev))
		drop(c, "epoll");
}

/* Done with a client that will send no more: once every reply is out. */
static void maybe_finish(struct client *c)
{
	if (!c->dying && c->eof && !c->pending && !c->out_len && !c->subscribed)
		drop(c, NULL);
}

static void flush(struct client *c)
{
	while (c->out_len) {
		ssize_t n = send(c->h.fd, c->out, c->out_len, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n <= 0) {
			drop(c, errno == EPIPE || errno == ECONNRESET ? NULL : "write failed");
			return;
		}
		memmove(c->out, c->out + n, c->out_len - n);
		c->out_len -= n;
	}
	update_events(c);
	maybe_finish(c);
}

static void queue(struct client *c, const char *line)
{
	size_t n = strlen(line);

	if (c->dying)
		return;
	if (c->out_len + n > MAX_OUTPUT) {
		drop(c, "does not read its replies");
		return;
	}
	if (c->out_len + n > c->out_cap) {
		size_t cap = c->out_cap ? c->out_cap : 4096;
		char *p;

		while (cap < c->out_len + n)
			cap *= 2;
		p = realloc(c->out, cap);
		if (!p) {
			drop(c, "out of memory");
			return;
		}
		c->out = p;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, line, n);
	c->out_len += n;
	flush(c);
}

static void send_line(uint64_t client, char *line)
{
	struct client *c = find(client);

	if (!line) {
		vmms_log("out of memory encoding a reply");
		return;
	}
	if (c)
		queue(c, line);
	free(line);
}

static void finish(struct reply *r, char *line)
{
	struct client *c = find(r->client);

	if (r->id)
		send_line(r->client, line);
	else
		free(line);
	if (c) {
		c->pending--;
		maybe_finish(c);
	}
	json_decref(r->id);
	free(r);
}

void reply_result(struct reply *r, json_t *result)
{
	finish(r, r->id ? rpc_result_line(r->id, result) : (json_decref(result), NULL));
}

void reply_rpc_error(struct reply *r, const struct rpc_error *err)
{
	finish(r, r->id ? rpc_error_line(r->id, err) : NULL);
}

void reply_error(struct reply *r, int code, const char *key, const char *fmt, ...)
{
	struct rpc_error err = {.code = code};
	va_list ap;

	snprintf(err.key, sizeof(err.key), "%s", key);
	va_start(ap, fmt);
	vsnprintf(err.message, sizeof(err.message), fmt, ap);
	va_end(ap);
	reply_rpc_error(r, &err);
}

void server_subscribe(uint64_t client)
{
	struct client *c = find(client);

	if (c)
		c->subscribed = true;
}

void server_broadcast(const char *line)
{
	struct client *c;

	for (c = clients; c; c = c->next)
		if (c->subscribed && !c->dying)
			queue(c, line);
}

static void handle_line(struct client *c, const char *line, size_t len)
{
	struct rpc_call call;
	struct rpc_error err;
	struct reply *r;

	if (rpc_parse(line, len, &call, &err)) {
		/* A notification's error is still reported when the request
		 * could not be read as one (JSON-RPC 2.0 §5). */
		if (call.id || err.code == VMMS_ERR_PARSE || err.code == VMMS_ERR_REQUEST)
			send_line(c->id, rpc_error_line(call.id, &err));
		rpc_call_free(&call);
		return;
	}
	if (c->pending >= MAX_PENDING) {
		rpc_fail(&err, VMMS_ERR_BUSY, "",
			 "more than %d requests in flight on this connection", MAX_PENDING);
		if (call.id)
			send_line(c->id, rpc_error_line(call.id, &err));
		rpc_call_free(&call);
		return;
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		rpc_fail(&err, VMMS_ERR_INTERNAL, "", "out of memory");
		if (call.id)
			send_line(c->id, rpc_error_line(call.id, &err));
		rpc_call_free(&call);
		return;
	}
	r->client = c->id;
	r->id = json_incref(call.id);
	c->pending++;
	api_handle(r, &call);
	rpc_call_free(&call);
}

static void client_timeout(struct timer *t)
{
	struct client *c = (struct client *)((char *)t - offsetof(struct client, timer));

	if (linebuf_partial(&c->in)) {
		drop(c, "request not finished in time");
		return;
	}
	if (c->pending || c->subscribed || c->out_len) {
		timer_arm(&c->timer, IDLE_TIMEOUT_MS);
		return;
	}
	drop(c, NULL);
}

static void client_read(struct client *c)
{
	char *at, *line;
	size_t room = linebuf_space(&c->in, &at), len;
	ssize_t n;
	int r = 0;

	n = recv(c->h.fd, at, room, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < 0) {
		drop(c, NULL);
		return;
	}
	if (n == 0) {
		c->eof = true;
		update_events(c);
		maybe_finish(c);
		return;
	}
	linebuf_commit(&c->in, n);
	while (!c->dying && (r = linebuf_next(&c->in, &line, &len)) == 1)
		handle_line(c, line, len);
	if (c->dying)
		return;
	if (r < 0) {
		struct rpc_error err;

		rpc_fail(&err, VMMS_ERR_REQUEST, "", "request longer than %d bytes",
			 VMMS_MAX_REQUEST - 1);
		send_line(c->id, rpc_error_line(NULL, &err));
		vmms_log("client %llu (pid %d): request too long; closing",
			 (unsigned long long)c->id, (int)c->pid);
		/* Nothing more is read: the stream cannot be framed again. */
		c->eof = true;
		c->subscribed = false;
		if (!c->dying) {
			update_events(c);
			maybe_finish(c);
		}
		return;
	}
	if (!c->dying)
		timer_arm(&c->timer,
			  linebuf_partial(&c->in) ? REQUEST_TIMEOUT_MS : IDLE_TIMEOUT_MS);
}

static void client_io(struct loop_fd *h, uint32_t events)
{
	struct client *c = (struct client *)((char *)h - offsetof(struct client, h));

	if (events & EPOLLOUT)
		flush(c);
	if (!c->dying && !c->eof && (events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		client_read(c);
	else if (!c->dying && (events & (EPOLLHUP | EPOLLERR)))
		drop(c, NULL);
}

/* Root, the daemon's own user, or the group as primary or supplementary. */
static bool allowed(int fd, const struct ucred *cred)
{
	gid_t groups[MAX_GROUPS];
	socklen_t len = sizeof(groups);
	size_t i;

	if (cred->uid == 0 || cred->uid == geteuid())
		return true;
	if (group == (gid_t)-1)
		return false;
	if (cred->gid == group)
		return true;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len))
		return false;
	for (i = 0; i < len / sizeof(gid_t); i++)
		if (groups[i] == group)
			return true;
	return false;
}

/* Best effort, to a socket nobody has read from yet: it has room. */
static void refuse(int fd, int code, const char *message)
{
	struct rpc_error err;
	char *line;

	rpc_fail(&err, code, "", "%s", message);
	line = rpc_error_line(NULL, &err);
	if (line)
		send(fd, line, strlen(line), MSG_NOSIGNAL | MSG_DONTWAIT);
	free(line);
	close(fd);
}

static void resume_accept(struct timer *t)
{
	(void)t;
	loop_mod(&listener, EPOLLIN);
}

static void on_accept(struct loop_fd *h, uint32_t events)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct client *c;
	int fd;

	(void)events;
	fd = accept4(h->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0) {
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
			vmms_log("accept: %m; pausing");
			loop_mod(&listener, 0);
			timer_arm(&accept_pause, ACCEPT_PAUSE_MS);
		}
		return;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len)) {
		close(fd);
		return;
	}
	if (!allowed(fd, &cred)) {
		vmms_log("refused uid %u (pid %d): neither root nor in the management group",
			 (unsigned)cred.uid, (int)cred.pid);
		refuse(fd, VMMS_ERR_DENIED,
		       "permission denied: only root and the management group may manage VMs");
		return;
	}
	if (nr_clients >= VMMS_MAX_CLIENTS) {
		refuse(fd, VMMS_ERR_BUSY, "too many clients");
		return;
	}
	c = calloc(1, sizeof(*c));
	if (!c || linebuf_init(&c->in, VMMS_MAX_REQUEST)) {
		free(c);
		refuse(fd, VMMS_ERR_INTERNAL, "out of memory");
		return;
	}
	c->id = next_id++;
	c->pid = cred.pid;
	c->uid = cred.uid;
	c->h.fd = fd;
	c->h.fn = client_io;
	c->timer.fn = client_timeout;
	if (loop_add(&c->h, EPOLLIN)) {
		linebuf_free(&c->in);
		free(c);
		close(fd);
		return;
	}
	c->next = clients;
	clients = c;
	nr_clients++;
	timer_arm(&c->timer, IDLE_TIMEOUT_MS);
}

int server_init(const char *path, gid_t gid)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	mode_t old;
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		vmms_log("%s: socket path too long", path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	strcpy(socket_path, path);
	group = gid;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		vmms_log("socket: %m");
		return -1;
	}
	/* We hold the state lock: a socket left at path is a dead daemon's. */
	unlink(path);
	old = umask(0177);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		umask(old);
		vmms_log("%s: bind: %m", path);
		close(fd);
		return -1;
	}
	umask(old);
	if (gid != (gid_t)-1 && (chown(path, geteuid(), gid) || chmod(path, 0660))) {
		vmms_log("%s: giving it to group %u: %m", path, (unsigned)gid);
		close(fd);
		return -1;
	}
	if (listen(fd, 64)) {
		vmms_log("%s: listen: %m", path);
		close(fd);
		return -1;
	}
	listener.fd = fd;
	listener.fn = on_accept;
	accept_pause.fn = resume_accept;
	if (loop_add(&listener, EPOLLIN)) {
		vmms_log("epoll: %m");
		close(fd);
		return -1;
	}
	return 0;
}

void server_close(void)
{
	if (listener.fd < 0)
		return;
	loop_del(&listener);
	close(listener.fd);
	listener.fd = -1;
	unlink(socket_path);
}
