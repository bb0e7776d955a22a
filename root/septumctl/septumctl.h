/*
 * septumctl's parts: the API client (client.c), the human output
 * (show.c), the byte relays of console and raw (relay.c). main.c holds
 * the commands.
 */
#ifndef SEPTUMCTL_H
#define SEPTUMCTL_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "septum/vmms.h"

/* Prints "septumctl: MESSAGE" on stderr and exits with status. */
void fail(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));

/* A connection to the daemon at path; exits 2 when there is none. */
int client_connect(const char *path);

/*
 * Sends method with params (taken; NULL for none) and waits up to
 * timeout_s for the reply, printing nothing. Returns the reply's "result"
 * (the caller's reference), or exits with the status the reply's error
 * maps to, after printing its message prefixed with what.
 */
json_t *client_call(int fd, const char *what, const char *method, json_t *params,
		    unsigned timeout_s);

/* Reads the next notification's params (the caller's reference); NULL at
 * the end of the connection. */
json_t *client_next_event(int fd);

/* The exit status for an API error code. */
int client_exit_status(int code);

void show_list(const json_t *result);
void show_info(const json_t *info);
void show_stats(const json_t *stats);
void show_event(const json_t *event);
void show_json(const json_t *v);

/*
 * Relays stdin to sock and sock to stdout. console: the terminal goes
 * raw (when stdin is one) and Ctrl-] detaches; at the end of a stdin that
 * is not a terminal, the relay ends once the console has been quiet for a
 * second. raw: at the end of stdin the socket is half-closed and the relay
 * ends when the daemon closes. Returns 0, or 1 on an error (printed).
 */
int relay_console(int sock, const char *name);
int relay_raw(int sock);

#endif
