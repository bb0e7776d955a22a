/*
 * A worker's control socket (septum-vmwp --control PATH): one command line
 * out, one JSON line back, then the worker closes. ctl_request does it
 * without blocking, from the event loop, with a timeout; ctl_call blocks
 * (only for start-up, before any client is served).
 */
#ifndef VMMS_CTL_H
#define VMMS_CTL_H

#include <stddef.h>

#include <jansson.h>

/*
 * reply: the worker's answer when it said "ok": true (borrowed for the call);
 * otherwise NULL and error says why (its own "error", a timeout, a bad reply).
 */
typedef void (*ctl_done_fn)(void *arg, json_t *reply, const char *error);

/*
 * Sends command to the worker listening on path. Returns 0 and calls done
 * later, exactly once; or -1 with err filled, done never called (no
 * socket there yet, too many requests in flight).
 */
int ctl_request(const char *path, const char *command, unsigned timeout_ms, ctl_done_fn done,
		void *arg, char *err, size_t errlen);

/* The same, waiting at most timeout_ms. Returns 0 when the worker said ok. */
int ctl_call(const char *path, const char *command, unsigned timeout_ms, char *err, size_t errlen);

#endif
