/* libFuzzer target for the VMMS request parser (root/vmms/rpc.c) behind
 * its line framing (root/vmms/linebuf.c): the input is a client's byte
 * stream, fed in pieces and split into lines, each line parsed as a
 * request (and the whole input once more as one). It checks what the
 * daemon relies on: lines never exceed the bound nor hold a '\n'; a parsed
 * call has a known method, a valid VM name where it has one, a timeout in
 * range, an object as definition; a refused one has a JSON-RPC error code
 * and a message, and an id only of a type a reply may echo; and every reply
 * encodes to exactly one line that parses back. */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "linebuf.h"
#include "rpc.h"
#include "vmdef.h"

#define LINE_CAP 4096

static void check_line(char *line)
{
	size_t n;
	json_t *v;

	assert(line);
	n = strlen(line);
	assert(n > 1 && line[n - 1] == '\n');
	assert(!memchr(line, '\n', n - 1));
	v = json_loadb(line, n - 1, 0, NULL);
	assert(json_is_object(v));
	json_decref(v);
	free(line);
}

static void parse_one(const char *p, size_t n)
{
	static const int codes[] = {
	    VMMS_ERR_PARSE,
	    VMMS_ERR_REQUEST,
	    VMMS_ERR_METHOD,
	    VMMS_ERR_PARAMS,
	};
	struct rpc_call call;
	struct rpc_error err;
	size_t i;

	if (rpc_parse(p, n, &call, &err) == 0) {
		assert(call.method < RPC_METHOD_COUNT);
		assert(!call.name || vmdef_name_valid(call.name));
		assert(call.timeout <= VMMS_STOP_TIMEOUT_MAX_S);
		assert((call.method == RPC_DEFINE) == (call.definition != NULL));
		assert(!call.definition || json_is_object(call.definition));
		if (call.definition) {
			struct vmdef *def = malloc(sizeof(*def));
			struct vmdef_error derr;

			assert(def);
			if (vmdef_from_json(call.definition, def, &derr))
				assert(derr.message[0]);
			free(def);
		}
		check_line(rpc_result_line(
		    call.id, json_pack("{s:s}", "method", rpc_method_name(call.method))));
	} else {
		for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
			if (err.code == codes[i])
				break;
		assert(i < sizeof(codes) / sizeof(codes[0]));
		assert(err.message[0]);
		check_line(rpc_error_line(call.id, &err));
	}
	assert(!call.id || json_is_string(call.id) || json_is_integer(call.id));
	rpc_call_free(&call);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct linebuf lb;
	size_t off = 0;

	parse_one((const char *)data, size);
	if (linebuf_init(&lb, LINE_CAP))
		return 0;
	while (off < size) {
		/* Pieces of varying size, as reads return them. */
		size_t piece = 1 + data[off] % 211, room;
		char *at, *line;
		size_t len;
		int r;

		room = linebuf_space(&lb, &at);
		if (piece > size - off)
			piece = size - off;
		if (piece > room)
			piece = room;
		memcpy(at, data + off, piece);
		linebuf_commit(&lb, piece);
		off += piece;
		while ((r = linebuf_next(&lb, &line, &len)) == 1) {
			assert(len < LINE_CAP && strlen(line) <= len);
			assert(!memchr(line, '\n', len));
			parse_one(line, len);
		}
		if (r < 0)
			break;
	}
	linebuf_free(&lb);
	return 0;
}
