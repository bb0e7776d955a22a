/* libFuzzer target for the integration services (root/vsp/ic). The input
 * picks a service and then plays host and guest: host requests of every
 * kind with fuzzed arguments (KVP strings included, valid UTF-8 or not),
 * cancels, and guest answers that are raw bytes, the last request echoed
 * with fuzzed bytes spliced in, a negotiation answer with fuzzed counts and
 * versions, or any of these at another length. After each call it checks
 * what the VMWP relies on: a request is built only from the state that
 * allows it, fits its buffer, has consistent sizes and a fresh transaction;
 * an answer outside a request changes nothing; the event agrees with the
 * state it leaves (negotiated versions are ones offered, a heartbeat is the
 * last plus one, IGNORED and NEGOTIATION_FAILED carry a reason); and KVP
 * strings are NUL-terminated UTF-8 within their arrays, empty unless the
 * event is KVP. */
#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_input.h"
#include "ic/ic.h"

static struct ic ic;
static struct ic_event ev;
static uint8_t req[IC_REQUEST_MAX + 64];
static size_t req_len;
static uint8_t ans[IC_REQUEST_MAX + 64];

static uint16_t get16(const uint8_t *p)
{
	return p[0] | p[1] << 8;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v & 0xFF;
	p[1] = v >> 8;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v & 0xFFFF);
	put16(p + 2, v >> 16);
}

static uint32_t get32(const uint8_t *p)
{
	return get16(p) | (uint32_t)get16(p + 2) << 16;
}

/* A NUL-terminated string of up to 600 fuzzed bytes (often UTF-8 shapes). */
static void take_string(struct input *in, char *s, size_t cap)
{
	size_t n = take16(in) % 600;

	assert(cap > 600);
	for (size_t i = 0; i < n; i++) {
		uint8_t b = take(in);

		s[i] = b ? b : 'x';
	}
	s[n] = '\0';
}

static bool valid_utf8(const char *s, size_t max)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t i = 0;

	while (i < max && p[i]) {
		size_t n = p[i] < 0x80 ? 1 : p[i] >= 0xF0 ? 4 : p[i] >= 0xE0 ? 3 : 2;
		uint32_t cp;

		if (p[i] >= 0x80 && p[i] < 0xC2)
			return false;
		if (p[i] > 0xF4)
			return false;
		cp = n == 1 ? p[i] : p[i] & (0x7F >> n);
		for (size_t k = 1; k < n; k++) {
			if (i + k >= max || (p[i + k] & 0xC0) != 0x80)
				return false;
			cp = cp << 6 | (p[i + k] & 0x3F);
		}
		if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
		    (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		i += n;
	}
	return i < max;
}

/* s (valid UTF-8) is the UTF-16LE string in field, up to its NUL. */
static void check_same_text(const char *s, const uint8_t *field)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t u = 0;

	while (*p) {
		size_t n = *p < 0x80 ? 1 : *p >= 0xF0 ? 4 : *p >= 0xE0 ? 3 : 2;
		uint32_t cp = n == 1 ? *p : *p & (0x7F >> n);

		for (size_t k = 1; k < n; k++)
			cp = cp << 6 | (p[k] & 0x3F);
		p += n;
		if (cp >= 0x10000) {
			assert(get16(field + 2 * u) == (0xD800 | (cp - 0x10000) >> 10));
			assert(get16(field + 2 * u + 2) == (0xDC00 | (cp & 0x3FF)));
			u += 2;
		} else {
			assert(get16(field + 2 * u) == cp);
			u++;
		}
	}
	assert(get16(field + 2 * u) == 0);
}

static void check_request(const struct ic *before, size_t n, bool negotiate, size_t cap)
{
	if (!n) {
		assert(!memcmp(before, &ic, sizeof(ic)));
		return;
	}
	assert(n <= cap && n <= IC_REQUEST_MAX && n % 8 == 0 && n >= ICMSG_HDR);
	assert(before->state == (negotiate ? IC_IDLE : IC_READY));
	assert(ic.state == (negotiate ? IC_NEGOTIATING : IC_WAITING));
	assert(ic.trans_id == before->trans_id + 1);
	assert(ic.req_len == n);
	assert(get32(req + 4) == 20 + get16(req + 18));
	assert(((ICMSG_HDR + get16(req + 18) + 7) & ~7u) == n);
	assert(get16(req + 12) == ic.req_type);
	assert(req[24] == (uint8_t)ic.trans_id && req[25] == 3);
	req_len = n;
}

static bool offered_srv(uint16_t major, uint16_t minor)
{
	switch (ic.service) {
	case IC_SHUTDOWN:
		return (major == 3 && minor <= 2) || (major == 1 && minor == 0);
	case IC_TIMESYNC:
		return (major == 4 || major == 3 || major == 1) && minor == 0;
	case IC_HEARTBEAT:
		return (major == 3 || major == 1) && minor == 0;
	default:
		return (major == 4 || major == 3 || major == 1) && minor == 0;
	}
}

static void check_answer(const struct ic *before, int type, const uint8_t *answer)
{
	bool outstanding = before->state == IC_NEGOTIATING || before->state == IC_WAITING;

	assert(type == (int)ev.type);
	assert(memchr(ev.kvp.key, 0, sizeof(ev.kvp.key)));
	assert(memchr(ev.kvp.value, 0, sizeof(ev.kvp.value)));
	assert(valid_utf8(ev.kvp.key, sizeof(ev.kvp.key)));
	assert(valid_utf8(ev.kvp.value, sizeof(ev.kvp.value)));
	if (ev.type != IC_EV_KVP)
		assert(!ev.kvp.key[0] && !ev.kvp.value[0]);
	assert((ev.reason != NULL) ==
	       (ev.type == IC_EV_IGNORED || ev.type == IC_EV_NEGOTIATION_FAILED));
	assert(ic.trans_id == before->trans_id);

	if (!outstanding) {
		assert(ev.type == IC_EV_IGNORED);
		assert(!memcmp(before, &ic, sizeof(ic)));
		return;
	}
	switch (ev.type) {
	case IC_EV_IGNORED:
		/* Either not the answer (nothing changed) or the answer, spent. */
		assert(ic.state == before->state ||
		       (before->state == IC_WAITING && ic.state == IC_READY));
		assert(ic.heartbeat_seq == before->heartbeat_seq);
		break;
	case IC_EV_NEGOTIATED:
		assert(before->state == IC_NEGOTIATING && ic.state == IC_READY);
		assert((ic.fw_major == 3 || ic.fw_major == 1) && ic.fw_minor == 0);
		assert(offered_srv(ic.srv_major, ic.srv_minor));
		assert(ev.negotiated.fw_major == ic.fw_major);
		assert(ev.negotiated.srv_major == ic.srv_major);
		assert(ev.negotiated.srv_minor == ic.srv_minor);
		break;
	case IC_EV_NEGOTIATION_FAILED:
		assert(before->state == IC_NEGOTIATING && ic.state == IC_FAILED);
		break;
	case IC_EV_HEARTBEAT:
		assert(ic.service == IC_HEARTBEAT && before->state == IC_WAITING);
		assert(ic.heartbeat_seq == before->heartbeat_seq + 1);
		assert(ev.heartbeat_seq == ic.heartbeat_seq);
		break;
	case IC_EV_SHUTDOWN:
		assert(ic.service == IC_SHUTDOWN && ic.state == IC_READY);
		assert(ev.shutdown_accepted == (ev.status == HV_S_OK));
		break;
	case IC_EV_TIMESYNC_ACK:
		assert(ic.service == IC_TIMESYNC && ic.state == IC_READY);
		break;
	case IC_EV_KVP:
	case IC_EV_KVP_END:
		assert(ic.service == IC_KVP && ic.state == IC_READY);
		assert(ev.kvp.op == ic.kvp_op && ev.kvp.pool == ic.kvp_pool);
		if (ev.type == IC_EV_KVP_END)
			assert(ev.status == HV_S_CONT && ic.kvp_op == KVP_OP_ENUMERATE);
		if (ev.kvp.key[0] || ev.kvp.value[0])
			assert(ev.status == HV_S_OK);
		if (ev.type == IC_EV_KVP && ev.status == HV_S_OK &&
		    (ic.kvp_op == KVP_OP_GET || ic.kvp_op == KVP_OP_ENUMERATE)) {
			const uint8_t *block =
			    answer + ICMSG_HDR + (ic.kvp_op == KVP_OP_GET ? 4 : 8);

			check_same_text(ev.kvp.key, block + 12);
			check_same_text(ev.kvp.value, block + 524);
		}
		break;
	default:
		assert(!"event type");
	}
}

static void host_request(struct input *in)
{
	static char key[640], value[640];
	size_t cap = take(in) & 1 ? sizeof(req) : take16(in) % sizeof(req);
	uint8_t pool = take(in) % 7, what = take(in) % 8, b = take(in);
	uint64_t t0 = take64(in), t1 = take64(in);
	struct ic before;
	size_t n;

	memcpy(&before, &ic, sizeof(ic));
	switch (what) {
	case 0:
		check_request(&before, ic_negotiate(&ic, req, cap), true, cap);
		return;
	case 1:
		n = ic_heartbeat(&ic, req, cap);
		break;
	case 2:
		n = ic_shutdown(&ic, b & 1, b & 2, req, cap);
		break;
	case 3:
		n = ic_timesync(&ic, t0, t1, b & 1, req, cap);
		break;
	case 4:
		n = ic_kvp_enumerate(&ic, pool, (uint32_t)t0, req, cap);
		break;
	case 5:
		take_string(in, key, sizeof(key));
		take_string(in, value, sizeof(value));
		n = ic_kvp_set(&ic, pool, key, value, req, cap);
		break;
	case 6:
		take_string(in, key, sizeof(key));
		n = ic_kvp_get(&ic, pool, key, req, cap);
		break;
	default:
		take_string(in, key, sizeof(key));
		n = ic_kvp_delete(&ic, pool, key, req, cap);
		break;
	}
	check_request(&before, n, false, cap);
}

/* Splices fuzzed bytes into ans[0, n) at fuzzed offsets. */
static void splice(struct input *in, size_t n)
{
	unsigned edits = take(in) % 8;

	for (unsigned i = 0; i < edits && n; i++) {
		size_t at = take16(in) % n;
		size_t k = 1 + take(in) % 8;

		for (size_t j = 0; j < k && at + j < n; j++)
			ans[at + j] = take(in);
	}
}

/* A GET/ENUMERATE value block (at v) as a guest might fill it: mostly
 * plausible sizes, and units biased towards ASCII, NUL and surrogates. */
static void kvp_strings(struct input *in, uint8_t *v)
{
	static const uint16_t units[] = {0, 'a', 0xE9, 0x20AC, 0xD83D, 0xDE00, 0xFFFF};
	static const size_t at[2] = {12, 524}, room[2] = {512, 2048};

	put16(v, take(in) % 8 ? KVP_REG_SZ : take(in));
	for (int s = 0; s < 2; s++) {
		size_t n = take(in) % 40;

		put16(v + 4 + 4 * s, take(in) % 8 ? 2 * (n + 1) : take16(in));
		for (size_t i = 0; i < n && 2 * i < room[s]; i++) {
			uint8_t b = take(in);

			put16(v + at[s] + 2 * i, b < 0xC0 ? units[b % 7] : b);
		}
	}
}

static void guest_answer(struct input *in)
{
	static const uint32_t statuses[] = {HV_S_OK, HV_S_OK, HV_S_CONT, HV_E_FAIL};
	uint8_t how = take(in);
	size_t n = req_len;
	struct ic before;

	memcpy(&before, &ic, sizeof(ic));

	switch (how % 5) {
	case 0: /* raw bytes */
		n = take16(in) % sizeof(ans);
		for (size_t i = 0; i < n; i++)
			ans[i] = take(in);
		break;
	case 1: /* the request, turned round, spliced */
	case 2: /* a negotiation answer with fuzzed counts and versions */
		memcpy(ans, req, req_len);
		ans[25] = 5;
		if (how % 5 == 2 && req_len >= ICMSG_HDR + 16) {
			put16(ans + 18, 16);
			put16(ans + ICMSG_HDR, take(in) % 4 ? 1 : take(in));
			put16(ans + ICMSG_HDR + 2, take(in) % 4 ? 1 : take(in));
			for (int slot = 0; slot < 2; slot++) {
				put16(ans + ICMSG_HDR + 8 + 4 * slot, take(in) % 5);
				put16(ans + ICMSG_HDR + 10 + 4 * slot, take(in) % 3);
			}
		}
		splice(in, n);
		break;
	case 3: /* a KVP answer: a status, a string value block */
		memcpy(ans, req, req_len);
		ans[25] = 5;
		if (req_len >= ICMSG_HDR + 8 + 2572) {
			put32(ans + 20, statuses[take(in) % 4]);
			kvp_strings(in, ans + ICMSG_HDR + (how & 0x80 ? 4 : 8));
		}
		splice(in, n);
		break;
	default: /* the request, turned round, at another length */
		memcpy(ans, req, req_len);
		ans[25] = 5;
		n = take(in) & 1 ? n + take(in) % 64 : n - (take(in) % (n + 1));
		break;
	}
	check_answer(&before, ic_reply(&ic, ans, n, &ev), ans);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = {data, size};

	ic_init(&ic, take(&in) % 4);
	memset(req, 0, sizeof(req));
	req_len = 0;
	while (in.left) {
		uint8_t op = take(&in) % 8;

		if (op < 3) {
			host_request(&in);
		} else if (op == 3) {
			struct ic before;

			memcpy(&before, &ic, sizeof(ic));
			ic_cancel(&ic);
			if (before.state == IC_NEGOTIATING)
				assert(ic.state == IC_IDLE);
			else if (before.state == IC_WAITING)
				assert(ic.state == IC_READY);
			else
				assert(ic.state == before.state);
		} else {
			guest_answer(&in);
		}
	}
	return 0;
}
