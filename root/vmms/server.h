/*
 * The API socket: accepts clients (root, the daemon's own user and the
 * management group only), frames their requests (rpc.h), hands each to the
 * method behind it (api.h) with a reply to finish, now or later, and
 * writes replies and event notifications without ever waiting on a client.
 * Bounded: VMMS_MAX_CLIENTS clients, VMMS_MAX_REQUEST per request, a
 * number of requests in flight and of unread output per client, and
 * timeouts for a request left half-sent and for an idle connection.
 */
#ifndef VMMS_SERVER_H
#define VMMS_SERVER_H

#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#include "rpc.h"

/* A request waiting for its reply; may outlive its client. */
struct reply {
	struct reply *next; /* for whoever holds it meanwhile */
	uint64_t client;
	json_t *id; /* NULL: a notification, nothing is sent */
};

/* Listens on path (mode 0660, group gid; 0600 when gid is -1). Returns 0,
 * or -1 with a message logged. */
int server_init(const char *path, gid_t gid);
/* Stops listening and removes the socket. */
void server_close(void);

/* Each finishes r: sends the result (taking the reference) or the error to
 * its client if still there, and frees r. */
void reply_result(struct reply *r, json_t *result);
void reply_error(struct reply *r, int code, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void reply_rpc_error(struct reply *r, const struct rpc_error *err);

/* The client now gets every event notification (events.h). */
void server_subscribe(uint64_t client);
/* Queues line (not taken) to each subscribed client. */
void server_broadcast(const char *line);

#endif
