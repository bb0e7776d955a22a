/*
 * JSON-RPC 2.0 request parsing and reply encoding (rpc.h). Requests are
 * objects only (no batches), params by name only; every member and
 * parameter is checked, unknown ones refused.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_line.h"
#include "rpc.h"
#include "vmdef.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

enum { P_NAME, P_TIMEOUT, P_DEFINITION, P_COUNT };

static const char *const param_names[P_COUNT] = {"name", "timeout", "definition"};

static const struct {
	const char *name;
	unsigned allowed, required; /* bit P_* */
} methods[RPC_METHOD_COUNT] = {
    [RPC_DEFINE] = {"define", 1u << P_DEFINITION, 1u << P_DEFINITION},
    [RPC_UNDEFINE] = {"undefine", 1u << P_NAME, 1u << P_NAME},
    [RPC_LIST] = {"list", 0, 0},
    [RPC_INFO] = {"info", 1u << P_NAME, 1u << P_NAME},
    [RPC_START] = {"start", 1u << P_NAME, 1u << P_NAME},
    [RPC_STOP] = {"stop", 1u << P_NAME | 1u << P_TIMEOUT, 1u << P_NAME},
    [RPC_KILL] = {"kill", 1u << P_NAME, 1u << P_NAME},
    [RPC_REBOOT] = {"reboot", 1u << P_NAME, 1u << P_NAME},
    [RPC_CONSOLE] = {"console", 1u << P_NAME, 1u << P_NAME},
    [RPC_STATS] = {"stats", 1u << P_NAME, 1u << P_NAME},
    [RPC_EVENTS] = {"events", 0, 0},
};

int rpc_fail(struct rpc_error *err, int code, const char *key, const char *fmt, ...)
{
	va_list ap;

	err->code = code;
	snprintf(err->key, sizeof(err->key), "%s", key);
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return -1;
}

const char *rpc_method_name(enum rpc_method m)
{
	return (unsigned)m < RPC_METHOD_COUNT ? methods[m].name : "?";
}

/* A member name as it may appear in a message: printable ASCII, cut short. */
static const char *shown(char *buf, size_t size, const char *s)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < size; i++)
		buf[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	buf[i] = '\0';
	return buf;
}

static int parse_param(struct rpc_call *call, unsigned p, json_t *v, struct rpc_error *err)
{
	json_int_t t;

	switch (p) {
	case P_NAME:
		if (!json_is_string(v) || json_string_length(v) > VMMS_NAME_MAX ||
		    !vmdef_name_valid(json_string_value(v)))
			return rpc_fail(err, VMMS_ERR_PARAMS, "name",
					"name: must match [a-z0-9][a-z0-9-]{0,31}");
		call->name = json_string_value(v);
		return 0;
	case P_TIMEOUT:
		t = json_is_integer(v) ? json_integer_value(v) : -1;
		if (t < 0 || t > VMMS_STOP_TIMEOUT_MAX_S)
			return rpc_fail(err, VMMS_ERR_PARAMS, "timeout",
					"timeout: must be an integer from 0 to %d (seconds)",
					VMMS_STOP_TIMEOUT_MAX_S);
		call->timeout = (unsigned)t;
		return 0;
	default:
		if (!json_is_object(v))
			return rpc_fail(err, VMMS_ERR_PARAMS, "definition",
					"definition: must be an object");
		call->definition = v;
		return 0;
	}
}

static int parse_params(struct rpc_call *call, struct rpc_error *err)
{
	json_t *params = json_object_get(call->root, "params"), *v;
	unsigned allowed = methods[call->method].allowed, seen = 0, p;
	const char *key;
	char buf[40];

	if (params && !json_is_object(params))
		return rpc_fail(err, VMMS_ERR_PARAMS, "", "params must be an object (by name)");
	json_object_foreach(params, key, v)
	{
		for (p = 0; p < P_COUNT; p++)
			if (!strcmp(key, param_names[p]))
				break;
		if (p == P_COUNT || !(allowed & 1u << p))
			return rpc_fail(err, VMMS_ERR_PARAMS, shown(buf, sizeof(buf), key),
					"%s: unknown parameter of %s", buf,
					methods[call->method].name);
		if (parse_param(call, p, v, err))
			return -1;
		seen |= 1u << p;
	}
	for (p = 0; p < P_COUNT; p++)
		if (methods[call->method].required & ~seen & 1u << p)
			return rpc_fail(err, VMMS_ERR_PARAMS, param_names[p], "%s: missing",
					param_names[p]);
	return 0;
}

int rpc_parse(const char *line, size_t len, struct rpc_call *call, struct rpc_error *err)
{
	static const char *const members[] = {"jsonrpc", "method", "params", "id"};
	json_error_t jerr;
	const char *key, *s;
	json_t *root, *v;
	char buf[40];
	unsigned m;

	memset(call, 0, sizeof(*call));
	memset(err, 0, sizeof(*err));
	call->timeout = VMMS_STOP_TIMEOUT_S;
	root = json_loadb(line, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
	if (!root)
		return rpc_fail(err, VMMS_ERR_PARSE, "", "not valid JSON (column %d): %s",
				jerr.column, jerr.text);
	call->root = root;
	if (json_is_array(root))
		return rpc_fail(err, VMMS_ERR_REQUEST, "", "batch requests are not supported");
	if (!json_is_object(root))
		return rpc_fail(err, VMMS_ERR_REQUEST, "", "a request must be a JSON object");
	v = json_object_get(root, "id");
	if (v && !json_is_string(v) && !json_is_integer(v))
		return rpc_fail(err, VMMS_ERR_REQUEST, "id", "id must be a string or an integer");
	call->id = v;
	json_object_foreach(root, key, v)
	{
		for (m = 0; m < ARRAY_SIZE(members); m++)
			if (!strcmp(key, members[m]))
				break;
		if (m == ARRAY_SIZE(members))
			return rpc_fail(err, VMMS_ERR_REQUEST, shown(buf, sizeof(buf), key),
					"unknown member '%s'", buf);
	}
	s = json_string_value(json_object_get(root, "jsonrpc"));
	if (!s || strcmp(s, "2.0"))
		return rpc_fail(err, VMMS_ERR_REQUEST, "jsonrpc", "jsonrpc must be \"2.0\"");
	v = json_object_get(root, "method");
	if (!json_is_string(v))
		return rpc_fail(err, VMMS_ERR_REQUEST, "method", "method must be a string");
	for (m = 0; m < RPC_METHOD_COUNT; m++)
		if (!strcmp(json_string_value(v), methods[m].name))
			break;
	if (m == RPC_METHOD_COUNT)
		return rpc_fail(err, VMMS_ERR_METHOD, "method", "no method '%s'",
				shown(buf, sizeof(buf), json_string_value(v)));
	call->method = m;
	return parse_params(call, err);
}

void rpc_call_free(struct rpc_call *call)
{
	json_decref(call->root);
	memset(call, 0, sizeof(*call));
}

json_t *rpc_text(const char *s)
{
	json_t *t = json_string(s);
	char *copy;
	size_t i;

	if (t)
		return t;
	copy = strdup(s);
	if (!copy)
		return NULL;
	for (i = 0; copy[i]; i++)
		if ((unsigned char)copy[i] >= 0x80)
			copy[i] = '?';
	t = json_string(copy);
	free(copy);
	return t;
}

/* Takes the reference to obj. */
static char *line_of(json_t *obj)
{
	return vmms_json_line(obj, JSON_COMPACT, NULL);
}

char *rpc_result_line(json_t *id, json_t *result)
{
	return line_of(json_pack("{s:s, s:O?, s:o}", "jsonrpc", "2.0", "id", id, "result", result));
}

char *rpc_error_line(json_t *id, const struct rpc_error *err)
{
	json_t *data = err->key[0] ? json_pack("{s:o}", "key", rpc_text(err->key)) : NULL;

	return line_of(json_pack("{s:s, s:O?, s:{s:i, s:o, s:o*}}", "jsonrpc", "2.0", "id", id,
				 "error", "code", err->code, "message", rpc_text(err->message),
				 "data", data));
}

char *rpc_notification_line(const char *method, json_t *params)
{
	return line_of(
	    json_pack("{s:s, s:s, s:o}", "jsonrpc", "2.0", "method", method, "params", params));
}
