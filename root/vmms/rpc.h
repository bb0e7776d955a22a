/*
 * JSON-RPC 2.0 for the VMMS API (docs/vmms-api.md): a request line is
 * parsed and checked against its method's parameters here, so the code
 * behind each method gets only well-formed values; replies and
 * notifications are encoded here as single lines.
 */
#ifndef VMMS_RPC_H
#define VMMS_RPC_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "septum/vmms.h"

enum rpc_method {
	RPC_DEFINE,
	RPC_UNDEFINE,
	RPC_LIST,
	RPC_INFO,
	RPC_START,
	RPC_STOP,
	RPC_KILL,
	RPC_REBOOT,
	RPC_CONSOLE,
	RPC_STATS,
	RPC_EVENTS,
	RPC_METHOD_COUNT
};

struct rpc_call {
	json_t *root; /* owns everything below */
	json_t *id;   /* string or integer; NULL for a notification */
	enum rpc_method method;
	const char *name;   /* a valid VM name, where the method takes one */
	json_t *definition; /* define: the definition object */
	unsigned timeout;   /* stop: seconds before the stop is forced */
};

struct rpc_error {
	int code;     /* VMMS_ERR_* */
	char key[48]; /* the offending key, "" for none */
	char message[512];
};

/*
 * Parses one request line (without its '\n'). Returns 0 with call filled,
 * or -1 with err filled; call->id is then the request's id where it had a
 * valid one (the error reply carries it) and NULL otherwise. Either way
 * rpc_call_free releases call.
 */
int rpc_parse(const char *line, size_t len, struct rpc_call *call, struct rpc_error *err);
void rpc_call_free(struct rpc_call *call);

const char *rpc_method_name(enum rpc_method m);

/* Sets err; returns -1 for the caller to return. */
int rpc_fail(struct rpc_error *err, int code, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* A JSON string of s; bytes that are not valid UTF-8 become '?'. */
json_t *rpc_text(const char *s);

/*
 * Encoded lines, '\n'-terminated and malloc'd (NULL when out of memory):
 * a result (takes the reference to result), an error (id NULL gives
 * "id": null), a notification (takes the reference to params).
 */
char *rpc_result_line(json_t *id, json_t *result);
char *rpc_error_line(json_t *id, const struct rpc_error *err);
char *rpc_notification_line(const char *method, json_t *params);

#endif
