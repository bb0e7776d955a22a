/* Unit tests for the VMMS request parser (root/vmms/rpc.c): every method's
 * parameters, each way a request can be malformed and the error code and
 * key it gets, notifications, the encoded replies (one line each, parsed
 * back), and the line framing in front of it (root/vmms/linebuf.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "unit.h"
#include <cmocka.h> /* needs the four above first */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "linebuf.h"
#include "rpc.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static char reason[256];

/* Parses s; returns rpc_parse's result, the call and error kept. */
static int parse(const char *s, struct rpc_call *call, struct rpc_error *err)
{
	snprintf(reason, sizeof(reason), "request %s", s);
	return rpc_parse(s, strlen(s), call, err);
}

/* s must fail with code, naming key (NULL: any). */
static void refused(const char *s, int code, const char *key)
{
	struct rpc_call call;
	struct rpc_error err;

	assert_int_equal(parse(s, &call, &err), -1);
	snprintf(reason, sizeof(reason), "%.80s: got %d '%.40s' (%.100s)", s, err.code, err.key,
		 err.message);
	assert_int_equal(err.code, code);
	if (key)
		assert_string_equal(err.key, key);
	assert_true(err.message[0]);
	rpc_call_free(&call);
}

static void test_methods(void **state)
{
	static const struct {
		const char *method;
		enum rpc_method id;
		const char *params;
	} ok[] = {
	    {"define", RPC_DEFINE, "{\"definition\":{\"name\":\"a\"}}"},
	    {"undefine", RPC_UNDEFINE, "{\"name\":\"a\"}"},
	    {"list", RPC_LIST, "{}"},
	    {"info", RPC_INFO, "{\"name\":\"a\"}"},
	    {"start", RPC_START, "{\"name\":\"a\"}"},
	    {"stop", RPC_STOP, "{\"name\":\"a\"}"},
	    {"kill", RPC_KILL, "{\"name\":\"a\"}"},
	    {"reboot", RPC_REBOOT, "{\"name\":\"a\"}"},
	    {"console", RPC_CONSOLE, "{\"name\":\"a\"}"},
	    {"stats", RPC_STATS, "{\"name\":\"a\"}"},
	    {"events", RPC_EVENTS, "{}"},
	};
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
		struct rpc_call call;
		struct rpc_error err;
		char req[256];

		snprintf(req, sizeof(req),
			 "{\"jsonrpc\":\"2.0\",\"id\":%zu,\"method\":\"%s\",\"params\":%s}", i,
			 ok[i].method, ok[i].params);
		assert_int_equal(parse(req, &call, &err), 0);
		assert_int_equal(call.method, ok[i].id);
		assert_string_equal(rpc_method_name(call.method), ok[i].method);
		assert_int_equal(json_integer_value(call.id), i);
		if (!strncmp(ok[i].params, "{\"name\"", 7))
			assert_string_equal(call.name, "a");
		else
			assert_null(call.name);
		assert_true((call.definition != NULL) == (ok[i].id == RPC_DEFINE));
		rpc_call_free(&call);
	}
}

static void test_params_omitted(void **state)
{
	struct rpc_call call;
	struct rpc_error err;
	(void)state;

	assert_int_equal(
	    parse("{\"jsonrpc\":\"2.0\",\"id\":\"x\",\"method\":\"list\"}", &call, &err), 0);
	assert_int_equal(call.method, RPC_LIST);
	assert_string_equal(json_string_value(call.id), "x");
	rpc_call_free(&call);
	refused("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"start\"}", VMMS_ERR_PARAMS, "name");
}

static void test_notification(void **state)
{
	struct rpc_call call;
	struct rpc_error err;
	(void)state;

	assert_int_equal(parse("{\"jsonrpc\":\"2.0\",\"method\":\"events\"}", &call, &err), 0);
	assert_null(call.id);
	rpc_call_free(&call);
}

static void test_not_json(void **state)
{
	static const char *const bad[] = {
	    "",
	    "{",
	    "nonsense",
	    "{\"jsonrpc\":\"2.0\",}",
	    "{\"a\":1}{\"b\":2}",
	    "{\"jsonrpc\":\"2.0\",\"jsonrpc\":\"2.0\",\"method\":\"list\",\"id\":1}",
	};
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		refused(bad[i], VMMS_ERR_PARSE, "");
}

static void test_embedded_nul(void **state)
{
	static const char req[] = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"li\0st\"}";
	struct rpc_call call;
	struct rpc_error err;
	(void)state;

	assert_int_equal(rpc_parse(req, sizeof(req) - 1, &call, &err), -1);
	assert_int_equal(err.code, VMMS_ERR_PARSE);
	rpc_call_free(&call);
	refused("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"info\",\"params\":{\"name\":"
		"\"a\\u0000b\"}}",
		VMMS_ERR_PARSE, "");
}

static void test_not_a_request(void **state)
{
	(void)state;

	refused("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"list\"}]", VMMS_ERR_REQUEST, "");
	refused("[]", VMMS_ERR_REQUEST, "");
	refused("42", VMMS_ERR_REQUEST, "");
	refused("\"list\"", VMMS_ERR_REQUEST, "");
	refused("null", VMMS_ERR_REQUEST, "");
	refused("{\"id\":1,\"method\":\"list\"}", VMMS_ERR_REQUEST, "jsonrpc");
	refused("{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"list\"}", VMMS_ERR_REQUEST, "jsonrpc");
	refused("{\"jsonrpc\":2,\"id\":1,\"method\":\"list\"}", VMMS_ERR_REQUEST, "jsonrpc");
	refused("{\"jsonrpc\":\"2.0\",\"id\":1}", VMMS_ERR_REQUEST, "method");
	refused("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":7}", VMMS_ERR_REQUEST, "method");
	refused("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"list\",\"extra\":1}", VMMS_ERR_REQUEST,
		"extra");
}

/* An id of the wrong type is refused, and the reply must not echo it. */
static void test_bad_id(void **state)
{
	static const char *const ids[] = {"1.5", "null", "true", "{}", "[1]"};
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(ids); i++) {
		struct rpc_call call;
		struct rpc_error err;
		char req[128];

		snprintf(req, sizeof(req), "{\"jsonrpc\":\"2.0\",\"id\":%s,\"method\":\"list\"}",
			 ids[i]);
		assert_int_equal(parse(req, &call, &err), -1);
		assert_int_equal(err.code, VMMS_ERR_REQUEST);
		assert_null(call.id);
		rpc_call_free(&call);
	}
}

/* Once the id is known, a later error keeps it for the reply. */
static void test_error_keeps_id(void **state)
{
	struct rpc_call call;
	struct rpc_error err;
	(void)state;

	assert_int_equal(
	    parse("{\"jsonrpc\":\"2.0\",\"id\":\"q7\",\"method\":\"frobnicate\"}", &call, &err),
	    -1);
	assert_int_equal(err.code, VMMS_ERR_METHOD);
	assert_non_null(strstr(err.message, "frobnicate"));
	assert_string_equal(json_string_value(call.id), "q7");
	rpc_call_free(&call);
}

static void test_bad_params(void **state)
{
	static const struct {
		const char *method, *params, *key;
	} bad[] = {
	    {"list", "[]", ""},
	    {"list", "\"x\"", ""},
	    {"list", "null", ""},
	    {"list", "{\"name\":\"a\"}", "name"},
	    {"events", "{\"x\":1}", "x"},
	    {"start", "{\"name\":\"a\",\"timeout\":3}", "timeout"},
	    {"start", "{\"name\":\"a\",\"name2\":\"b\"}", "name2"},
	    {"start", "{}", "name"},
	    {"start", "{\"name\":\"\"}", "name"},
	    {"start", "{\"name\":\"Web\"}", "name"},
	    {"start", "{\"name\":\"-web\"}", "name"},
	    {"start", "{\"name\":\"a/b\"}", "name"},
	    {"start", "{\"name\":\"../x\"}", "name"},
	    {"start", "{\"name\":\"a123456789012345678901234567890123\"}", "name"},
	    {"start", "{\"name\":5}", "name"},
	    {"start", "{\"name\":null}", "name"},
	    {"stop", "{\"name\":\"a\",\"timeout\":-1}", "timeout"},
	    {"stop", "{\"name\":\"a\",\"timeout\":3601}", "timeout"},
	    {"stop", "{\"name\":\"a\",\"timeout\":\"5\"}", "timeout"},
	    {"stop", "{\"name\":\"a\",\"timeout\":1.5}", "timeout"},
	    {"stop", "{\"name\":\"a\",\"timeout\":99999999999999999999}", NULL},
	    {"stop", "{\"timeout\":5}", "name"},
	    {"define", "{}", "definition"},
	    {"define", "{\"definition\":[]}", "definition"},
	    {"define", "{\"definition\":\"vm.json\"}", "definition"},
	};
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		char req[256];

		snprintf(req, sizeof(req),
			 "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"%s\",\"params\":%s}",
			 bad[i].method, bad[i].params);
		/* jansson refuses an integer it cannot hold as a parse error. */
		if (!bad[i].key) {
			struct rpc_call call;
			struct rpc_error err;

			assert_int_equal(parse(req, &call, &err), -1);
			rpc_call_free(&call);
			continue;
		}
		refused(req, VMMS_ERR_PARAMS, bad[i].key);
	}
}

static void test_names(void **state)
{
	static const char *const good[] = {
	    "a", "0", "web-1", "a-", "a1234567890123456789012345678901",
	};
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		struct rpc_call call;
		struct rpc_error err;
		char req[256];

		snprintf(req, sizeof(req),
			 "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"info\",\"params\":{\"name\":"
			 "\"%s\"}}",
			 good[i]);
		assert_int_equal(parse(req, &call, &err), 0);
		assert_string_equal(call.name, good[i]);
		rpc_call_free(&call);
	}
}

static void test_timeout(void **state)
{
	static const struct {
		const char *params;
		unsigned want;
	} cases[] = {
	    {"{\"name\":\"a\"}", VMMS_STOP_TIMEOUT_S},
	    {"{\"name\":\"a\",\"timeout\":0}", 0},
	    {"{\"name\":\"a\",\"timeout\":3600}", 3600},
	    {"{\"timeout\":7,\"name\":\"a\"}", 7},
	};
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct rpc_call call;
		struct rpc_error err;
		char req[256];

		snprintf(req, sizeof(req),
			 "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"stop\",\"params\":%s}",
			 cases[i].params);
		assert_int_equal(parse(req, &call, &err), 0);
		assert_int_equal(call.timeout, cases[i].want);
		rpc_call_free(&call);
	}
}

/* A line must be one line, end in '\n' and parse back to what was sent. */
static json_t *decode_line(const char *line)
{
	size_t n = strlen(line);
	json_t *v;

	snprintf(reason, sizeof(reason), "line %s", line);
	assert_true(n > 1);
	assert_int_equal(line[n - 1], '\n');
	assert_null(memchr(line, '\n', n - 1));
	v = json_loadb(line, n - 1, 0, NULL);
	assert_non_null(v);
	assert_string_equal(json_string_value(json_object_get(v, "jsonrpc")), "2.0");
	return v;
}

static void test_result_line(void **state)
{
	json_t *id = json_string("a\nb"), *v;
	char *line;
	(void)state;

	line = rpc_result_line(id, json_pack("{s:s}", "state", "multi\nline"));
	v = decode_line(line);
	assert_string_equal(json_string_value(json_object_get(v, "id")), "a\nb");
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(v, "result"), "state")),
	    "multi\nline");
	json_decref(v);
	free(line);
	json_decref(id);
}

static void test_error_line(void **state)
{
	struct rpc_error err;
	json_t *v, *e, *id;
	char *line;
	(void)state;

	rpc_fail(&err, VMMS_ERR_INVALID, "memory", "memory: must be %s", "more");
	line = rpc_error_line(NULL, &err);
	v = decode_line(line);
	assert_true(json_is_null(json_object_get(v, "id")));
	e = json_object_get(v, "error");
	assert_int_equal(json_integer_value(json_object_get(e, "code")), VMMS_ERR_INVALID);
	assert_string_equal(json_string_value(json_object_get(e, "message")),
			    "memory: must be more");
	assert_string_equal(json_string_value(json_object_get(json_object_get(e, "data"), "key")),
			    "memory");
	json_decref(v);
	free(line);

	/* No key, no data; bytes that are not UTF-8 (from a worker's log)
	 * still give a valid line. */
	rpc_fail(&err, VMMS_ERR_WORKER, "", "worker said \xff\xfe");
	id = json_integer(3);
	line = rpc_error_line(id, &err);
	json_decref(id);
	v = decode_line(line);
	e = json_object_get(v, "error");
	assert_null(json_object_get(e, "data"));
	assert_string_equal(json_string_value(json_object_get(e, "message")), "worker said ??");
	json_decref(v);
	free(line);
}

static void test_notification_line(void **state)
{
	char *line = rpc_notification_line("event", json_pack("{s:s}", "name", "a"));
	json_t *v = decode_line(line);
	(void)state;

	assert_string_equal(json_string_value(json_object_get(v, "method")), "event");
	assert_null(json_object_get(v, "id"));
	json_decref(v);
	free(line);
}

static void feed(struct linebuf *lb, const char *s)
{
	char *at;
	size_t room = linebuf_space(lb, &at), n = strlen(s);

	assert_true(n <= room);
	memcpy(at, s, n);
	linebuf_commit(lb, n);
}

static void test_linebuf(void **state)
{
	struct linebuf lb;
	char *line;
	size_t len;
	(void)state;

	assert_int_equal(linebuf_init(&lb, 8), 0);
	feed(&lb, "ab");
	assert_int_equal(linebuf_next(&lb, &line, &len), 0);
	assert_true(linebuf_partial(&lb));
	feed(&lb, "c\nd\n\nx");
	assert_int_equal(linebuf_next(&lb, &line, &len), 1);
	assert_string_equal(line, "abc");
	assert_int_equal(len, 3);
	assert_int_equal(linebuf_next(&lb, &line, &len), 1);
	assert_string_equal(line, "d");
	assert_int_equal(linebuf_next(&lb, &line, &len), 1);
	assert_int_equal(len, 0);
	assert_int_equal(linebuf_next(&lb, &line, &len), 0);
	/* "x" moves to the front; 7 bytes with the newline fill it exactly. */
	feed(&lb, "yzzzz\n");
	assert_int_equal(linebuf_next(&lb, &line, &len), 1);
	assert_string_equal(line, "xyzzzz");
	assert_false(linebuf_partial(&lb));
	feed(&lb, "12345678");
	assert_int_equal(linebuf_next(&lb, &line, &len), -1);
	linebuf_free(&lb);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_methods),	 cmocka_unit_test(test_params_omitted),
	    cmocka_unit_test(test_notification), cmocka_unit_test(test_not_json),
	    cmocka_unit_test(test_embedded_nul), cmocka_unit_test(test_not_a_request),
	    cmocka_unit_test(test_bad_id),	 cmocka_unit_test(test_error_keeps_id),
	    cmocka_unit_test(test_bad_params),	 cmocka_unit_test(test_names),
	    cmocka_unit_test(test_timeout),	 cmocka_unit_test(test_result_line),
	    cmocka_unit_test(test_error_line),	 cmocka_unit_test(test_notification_line),
	    cmocka_unit_test(test_linebuf),
	};

	return unit_run("vmms_rpc", tests, ARRAY_SIZE(tests), reason);
}
