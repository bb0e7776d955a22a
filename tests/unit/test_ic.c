/* Unit tests for the integration services (root/vsp/ic): the NEGOTIATE
 * request byte for byte; negotiation against a guest modelled on Linux
 * 6.1's vmbus_prep_negotiate_resp for each service, an older guest, no
 * common version and answers we did not offer; heartbeat, shutdown and
 * timesync (both layouts) requests and their answers; KVP SET / ENUMERATE /
 * GET / DELETE against a model of hv_kvp.c plus hv_kvp_daemon, with UTF-16
 * conversion both ways and the S_CONT end; one request at a time, cancel
 * and stale answers; and every malformed answer. Offsets into the packet
 * are Linux's layout written out, so the test does not lean on the header
 * it checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* needs the four above first */
#include "unit.h"

#include <stdbool.h>
#include <string.h>

#include "ic/ic.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Offsets in the payload: pipe header, icmsg_hdr, body. */
#define O_PIPE_FLAGS	0
#define O_PIPE_SIZE	4
#define O_FW		8
#define O_TYPE		12
#define O_MSGVER	14
#define O_MSGSIZE	18
#define O_STATUS	20
#define O_TID		24
#define O_FLAGS		25
#define O_BODY		28

#define S_OK	0x00000000u
#define E_FAIL	0x80004005u
#define S_CONT	0x80070103u

struct ver {
	uint16_t major, minor;
};

static uint8_t buf[4096];
static size_t len;
static struct ic ic;
static struct ic_event ev;

static uint16_t get16(size_t off)
{
	return buf[off] | buf[off + 1] << 8;
}

static uint32_t get32(size_t off)
{
	return get16(off) | (uint32_t)get16(off + 2) << 16;
}

static uint64_t get64(size_t off)
{
	return get32(off) | (uint64_t)get32(off + 4) << 32;
}

static void put16(size_t off, uint16_t v)
{
	buf[off] = v & 0xFF;
	buf[off + 1] = v >> 8;
}

static void put32(size_t off, uint32_t v)
{
	put16(off, v & 0xFFFF);
	put16(off + 2, v >> 16);
}

static void put64(size_t off, uint64_t v)
{
	put32(off, (uint32_t)v);
	put32(off + 4, v >> 32);
}

/* Linux 6.1's lists (hv_util.c, hv_kvp.c), best first. */
static const struct ver linux_fw[] = {{3, 0}, {1, 0}};
static const struct ver linux_sd[] = {{3, 2}, {3, 1}, {3, 0}, {1, 0}};
static const struct ver linux_ts[] = {{4, 0}, {3, 0}, {1, 0}};
static const struct ver linux_hb[] = {{3, 0}, {1, 0}};
static const struct ver linux_kvp[] = {{4, 0}, {3, 0}, {1, 0}};

/* The guest's answer in place, as vmbus_prep_negotiate_resp writes it. */
static void guest_negotiate(const struct ver *fw, size_t nfw, const struct ver *srv, size_t nsrv)
{
	uint16_t fw_cnt = get16(O_BODY), msg_cnt = get16(O_BODY + 2);
	uint16_t fw_major = fw_cnt, fw_minor = 0, msg_major = msg_cnt, msg_minor = 0;
	bool found = false;

	put16(O_MSGSIZE, 0x10);
	if (fw_cnt > 100 || msg_cnt > 100 || O_BODY + 8u + 4u * (fw_cnt + msg_cnt) > len)
		goto out;
	for (size_t i = 0; i < nfw && !found; i++) {
		for (size_t j = 0; j < fw_cnt; j++) {
			if (get16(O_BODY + 8 + 4 * j) == fw[i].major &&
			    get16(O_BODY + 10 + 4 * j) == fw[i].minor) {
				fw_major = fw[i].major;
				fw_minor = fw[i].minor;
				found = true;
				break;
			}
		}
	}
	if (!found)
		goto out;
	found = false;
	for (size_t i = 0; i < nsrv && !found; i++) {
		for (size_t j = fw_cnt; j < (size_t)fw_cnt + msg_cnt; j++) {
			if (get16(O_BODY + 8 + 4 * j) == srv[i].major &&
			    get16(O_BODY + 10 + 4 * j) == srv[i].minor) {
				msg_major = srv[i].major;
				msg_minor = srv[i].minor;
				found = true;
				break;
			}
		}
	}
out:
	put16(O_BODY, found);
	put16(O_BODY + 2, found);
	put16(O_BODY + 8, fw_major);
	put16(O_BODY + 10, fw_minor);
	put16(O_BODY + 12, msg_major);
	put16(O_BODY + 14, msg_minor);
	buf[O_FLAGS] = 5;
}

static void linux_lists(enum ic_service s, const struct ver **srv, size_t *n)
{
	switch (s) {
	case IC_SHUTDOWN:
		*srv = linux_sd, *n = ARRAY_SIZE(linux_sd);
		break;
	case IC_TIMESYNC:
		*srv = linux_ts, *n = ARRAY_SIZE(linux_ts);
		break;
	case IC_HEARTBEAT:
		*srv = linux_hb, *n = ARRAY_SIZE(linux_hb);
		break;
	default:
		*srv = linux_kvp, *n = ARRAY_SIZE(linux_kvp);
		break;
	}
}

static int reply(void)
{
	return ic_reply(&ic, buf, len, &ev);
}

static void negotiate_with(enum ic_service s, const struct ver *srv, size_t n)
{
	ic_init(&ic, s);
	len = ic_negotiate(&ic, buf, sizeof(buf));
	assert_true(len > 0);
	guest_negotiate(linux_fw, ARRAY_SIZE(linux_fw), srv, n);
	assert_int_equal(reply(), IC_EV_NEGOTIATED);
	assert_int_equal(ic.state, IC_READY);
}

static void negotiate_linux(enum ic_service s)
{
	const struct ver *srv;
	size_t n;

	linux_lists(s, &srv, &n);
	negotiate_with(s, srv, n);
}

/* A trivial guest answer: flags only, as heartbeat/timesync/shutdown leave
 * the rest (after their own edits). */
static void respond(uint32_t status)
{
	put32(O_STATUS, status);
	buf[O_FLAGS] = 5;
}

static void test_negotiate_request_bytes(void **state)
{
	static const uint8_t want[64] = {
	    1, 0, 0, 0, 52, 0, 0, 0,		/* pipe: data, 20 + 32 bytes */
	    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0,/* 0.0, NEGOTIATE, 0.0, body 32 */
	    0, 0, 0, 0, 1, 3, 0, 0,		/* S_OK, transaction 1, TRANSACTION|REQUEST */
	    2, 0, 4, 0, 0, 0, 0, 0,		/* 2 framework, 4 service versions */
	    3, 0, 0, 0, 1, 0, 0, 0,		/* framework 3.0, 1.0 */
	    3, 0, 2, 0, 3, 0, 1, 0, 3, 0, 0, 0, 1, 0, 0, 0, /* 3.2 3.1 3.0 1.0 */
	    0, 0, 0, 0,				/* padding to 8 */
	};
	static const struct {
		enum ic_service s;
		uint16_t count;
	} others[] = {{IC_TIMESYNC, 3}, {IC_HEARTBEAT, 2}, {IC_KVP, 3}};
	(void)state;

	memset(buf, 0xAA, sizeof(buf));
	ic_init(&ic, IC_SHUTDOWN);
	len = ic_negotiate(&ic, buf, sizeof(buf));
	assert_int_equal(len, sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
	assert_int_equal(ic.state, IC_NEGOTIATING);
	assert_int_equal(ic.trans_id, 1);

	for (size_t i = 0; i < ARRAY_SIZE(others); i++) {
		size_t body = 8 + 4 * (2 + others[i].count);

		ic_init(&ic, others[i].s);
		len = ic_negotiate(&ic, buf, sizeof(buf));
		assert_int_equal(len, (O_BODY + body + 7) & ~7u);
		assert_int_equal(get32(O_PIPE_SIZE), 20 + body);
		assert_int_equal(get16(O_MSGSIZE), body);
		assert_int_equal(get16(O_BODY + 2), others[i].count);
		assert_int_equal(get16(O_BODY + 8), 3);
		assert_int_equal(get16(O_BODY + 12), 1);
	}
}

static void test_negotiate_linux(void **state)
{
	static const struct {
		enum ic_service s;
		uint16_t major, minor;
	} want[] = {{IC_SHUTDOWN, 3, 2}, {IC_TIMESYNC, 4, 0}, {IC_HEARTBEAT, 3, 0}, {IC_KVP, 4, 0}};
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		negotiate_linux(want[i].s);
		assert_null(ev.reason);
		assert_int_equal(ev.negotiated.fw_major, 3);
		assert_int_equal(ev.negotiated.fw_minor, 0);
		assert_int_equal(ev.negotiated.srv_major, want[i].major);
		assert_int_equal(ev.negotiated.srv_minor, want[i].minor);
		assert_int_equal(ic.fw_major, 3);
		assert_int_equal(ic.srv_major, want[i].major);
		assert_int_equal(ic.srv_minor, want[i].minor);
	}
}

/* A guest of the WS2008 era knows framework 1.0 and service 1.0 only. */
static void test_negotiate_old_guest(void **state)
{
	static const struct ver v1[] = {{1, 0}};
	(void)state;

	ic_init(&ic, IC_HEARTBEAT);
	len = ic_negotiate(&ic, buf, sizeof(buf));
	guest_negotiate(v1, 1, v1, 1);
	assert_int_equal(reply(), IC_EV_NEGOTIATED);
	assert_int_equal(ev.negotiated.fw_major, 1);
	assert_int_equal(ev.negotiated.srv_major, 1);
	assert_int_equal(ev.negotiated.srv_minor, 0);
}

static void test_negotiate_no_common_version(void **state)
{
	static const struct ver v5[] = {{5, 0}};
	(void)state;

	/* Framework matches, service does not; then neither does. */
	ic_init(&ic, IC_SHUTDOWN);
	len = ic_negotiate(&ic, buf, sizeof(buf));
	guest_negotiate(linux_fw, ARRAY_SIZE(linux_fw), v5, 1);
	assert_int_equal(reply(), IC_EV_NEGOTIATION_FAILED);
	assert_string_equal(ev.reason, "no common version");
	assert_int_equal(ic.state, IC_FAILED);
	assert_int_equal(ic_negotiate(&ic, buf, sizeof(buf)), 0);
	assert_int_equal(ic_shutdown(&ic, false, false, buf, sizeof(buf)), 0);

	ic_init(&ic, IC_KVP);
	len = ic_negotiate(&ic, buf, sizeof(buf));
	guest_negotiate(v5, 1, linux_kvp, ARRAY_SIZE(linux_kvp));
	assert_int_equal(reply(), IC_EV_NEGOTIATION_FAILED);
	assert_int_equal(ic.state, IC_FAILED);
}

static void test_negotiate_malformed(void **state)
{
	static const struct {
		size_t off;
		uint16_t v;
		const char *reason;
	} bad[] = {
	    {O_BODY, 2, "version counts are not 1 and 1"},
	    {O_BODY + 2, 0, "version counts are not 1 and 1"},
	    {O_BODY + 8, 2, "framework version not offered"},
	    {O_BODY + 14, 1, "service version not offered"},
	    {O_BODY + 12, 5, "service version not offered"},
	    {O_MSGSIZE, 8, "negotiate body too short"},
	    {O_MSGSIZE, 64, "body size beyond the packet"},
	    {O_STATUS, 0x4005, "the guest failed the negotiation"},
	};
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		ic_init(&ic, IC_TIMESYNC);
		len = ic_negotiate(&ic, buf, sizeof(buf));
		guest_negotiate(linux_fw, ARRAY_SIZE(linux_fw), linux_ts, ARRAY_SIZE(linux_ts));
		put16(bad[i].off, bad[i].v);
		assert_int_equal(reply(), IC_EV_NEGOTIATION_FAILED);
		assert_string_equal(ev.reason, bad[i].reason);
		assert_int_equal(ic.state, IC_FAILED);
	}

	/* The answer with another length. */
	ic_init(&ic, IC_TIMESYNC);
	len = ic_negotiate(&ic, buf, sizeof(buf));
	guest_negotiate(linux_fw, ARRAY_SIZE(linux_fw), linux_ts, ARRAY_SIZE(linux_ts));
	len += 8;
	assert_int_equal(reply(), IC_EV_NEGOTIATION_FAILED);
	assert_string_equal(ev.reason, "length differs from the request's");

	/* Not the answer: ignored, still negotiating. */
	ic_init(&ic, IC_TIMESYNC);
	len = ic_negotiate(&ic, buf, sizeof(buf));
	guest_negotiate(linux_fw, ARRAY_SIZE(linux_fw), linux_ts, ARRAY_SIZE(linux_ts));
	buf[O_TID] = 7;
	assert_int_equal(reply(), IC_EV_IGNORED);
	assert_string_equal(ev.reason, "stale transaction");
	assert_int_equal(ic.state, IC_NEGOTIATING);
	buf[O_TID] = 1;
	assert_int_equal(reply(), IC_EV_NEGOTIATED);
}

static void test_heartbeat(void **state)
{
	(void)state;

	negotiate_linux(IC_HEARTBEAT);
	for (uint64_t seq = 0; seq < 3; seq++) {
		len = ic_heartbeat(&ic, buf, sizeof(buf));
		assert_int_equal(len, 72); /* 28 + 40, padded */
		assert_int_equal(get16(O_TYPE), 1);
		assert_int_equal(get16(O_MSGSIZE), 40);
		assert_int_equal(get16(O_FW), 3);
		assert_int_equal(get16(O_MSGVER), 3);
		assert_int_equal(buf[O_FLAGS], 3);
		assert_int_equal(get64(O_BODY), seq);
		/* hv_util.c heartbeat_onchannelcallback */
		put64(O_BODY, get64(O_BODY) + 1);
		respond(get32(O_STATUS));
		assert_int_equal(reply(), IC_EV_HEARTBEAT);
		assert_int_equal(ev.heartbeat_seq, seq + 1);
		assert_int_equal(ic.heartbeat_seq, seq + 1);
		assert_int_equal(ic.state, IC_READY);
	}
}

/* hv_util.c shutdown_onchannelcallback, on our request in place. */
static void guest_shutdown(void)
{
	uint32_t flags = get32(O_BODY + 8);

	respond(flags <= 3 ? S_OK : E_FAIL);
}

static void test_shutdown(void **state)
{
	(void)state;

	for (unsigned f = 0; f < 4; f++) {
		negotiate_linux(IC_SHUTDOWN);
		len = ic_shutdown(&ic, f & 2, f & 1, buf, sizeof(buf));
		assert_int_equal(len, 2088);
		assert_int_equal(get32(O_PIPE_SIZE), 20 + 2060);
		assert_int_equal(get16(O_TYPE), 3);
		assert_int_equal(get16(O_MSGSIZE), 2060);
		assert_int_equal(get16(O_MSGVER), 3);
		assert_int_equal(get16(O_MSGVER + 2), 2);
		assert_int_equal(get32(O_BODY), 0x80000000u);
		assert_int_equal(get32(O_BODY + 8), f);
		guest_shutdown();
		assert_int_equal(reply(), IC_EV_SHUTDOWN);
		assert_true(ev.shutdown_accepted);
		assert_int_equal(ev.status, S_OK);
	}

	negotiate_linux(IC_SHUTDOWN);
	len = ic_shutdown(&ic, false, false, buf, sizeof(buf));
	respond(E_FAIL);
	assert_int_equal(reply(), IC_EV_SHUTDOWN);
	assert_false(ev.shutdown_accepted);
	assert_int_equal(ev.status, E_FAIL);
}

static void test_timesync_v4(void **state)
{
	const uint64_t ns = 1700000000123456789ull;
	(void)state;

	negotiate_linux(IC_TIMESYNC);
	len = ic_timesync(&ic, ns, 0x123456789ull, true, buf, sizeof(buf));
	assert_int_equal(len, 56); /* 28 + 22, padded */
	assert_int_equal(get16(O_TYPE), 4);
	assert_int_equal(get16(O_MSGSIZE), 22);
	assert_int_equal(get16(O_MSGVER), 4);
	assert_int_equal(get64(O_BODY), ns / 100 + 116444736000000000ull);
	assert_int_equal(get64(O_BODY + 8), 0x123456789ull);
	assert_int_equal(buf[O_BODY + 16], 1); /* ICTIMESYNCFLAG_SYNC */
	respond(get32(O_STATUS));
	assert_int_equal(reply(), IC_EV_TIMESYNC_ACK);
	assert_int_equal(ev.status, S_OK);

	len = ic_timesync(&ic, 0, 7, false, buf, sizeof(buf));
	assert_int_equal(get64(O_BODY), 116444736000000000ull);
	assert_int_equal(buf[O_BODY + 16], 2); /* ICTIMESYNCFLAG_SAMPLE */
	respond(get32(O_STATUS));
	assert_int_equal(reply(), IC_EV_TIMESYNC_ACK);
}

static void test_timesync_v3(void **state)
{
	static const struct ver ts3[] = {{3, 0}, {1, 0}};
	(void)state;

	negotiate_with(IC_TIMESYNC, ts3, ARRAY_SIZE(ts3));
	assert_int_equal(ev.negotiated.srv_major, 3);
	len = ic_timesync(&ic, 1000, 99, true, buf, sizeof(buf));
	assert_int_equal(len, 56); /* 28 + 25, padded */
	assert_int_equal(get16(O_MSGSIZE), 25);
	assert_int_equal(get64(O_BODY), 10 + 116444736000000000ull);
	assert_int_equal(get64(O_BODY + 8), 0); /* childtime */
	assert_int_equal(get64(O_BODY + 16), 0);
	assert_int_equal(buf[O_BODY + 24], 1);
	respond(get32(O_STATUS));
	assert_int_equal(reply(), IC_EV_TIMESYNC_ACK);
}

/* The guest's pool: hv_kvp.c with hv_kvp_daemon behind it. Keys and values
 * are kept as the UTF-16 the host sent; the daemon compares bytes. */
#define K_OP		O_BODY
#define K_POOL		(O_BODY + 1)
#define K_GS		(O_BODY + 4)	/* GET/SET value block */
#define K_EN		(O_BODY + 8)	/* ENUMERATE value block */
#define K_INDEX		(O_BODY + 4)
#define V_TYPE		0
#define V_KSIZE		4
#define V_VSIZE		8
#define V_KEY		12
#define V_VALUE		524

static struct {
	uint8_t key[512], value[2048];
	uint32_t key_size, value_size;
} entries[8];
static size_t n_entries;

static int find(uint32_t key_size, const uint8_t *key)
{
	for (size_t i = 0; i < n_entries; i++) {
		if (entries[i].key_size == key_size && !memcmp(entries[i].key, key, key_size))
			return i;
	}
	return -1;
}

static void guest_kvp(void)
{
	uint32_t status = S_OK;
	int i;

	switch (buf[K_OP]) {
	case 1: /* SET */
		i = find(get32(K_GS + V_KSIZE), buf + K_GS + V_KEY);
		if (i < 0)
			i = n_entries++;
		entries[i].key_size = get32(K_GS + V_KSIZE);
		entries[i].value_size = get32(K_GS + V_VSIZE);
		memcpy(entries[i].key, buf + K_GS + V_KEY, 512);
		memcpy(entries[i].value, buf + K_GS + V_VALUE, 2048);
		break;
	case 0: /* GET: found or not, the value comes back empty (see kvp.c) */
		if (find(get32(K_GS + V_KSIZE), buf + K_GS + V_KEY) < 0) {
			status = S_CONT;
			break;
		}
		put32(K_GS + V_TYPE, 1);
		put32(K_GS + V_VSIZE, 2);
		break;
	case 2: /* DELETE */
		i = find(get32(O_BODY + 4), buf + O_BODY + 8);
		if (i < 0) {
			status = S_CONT;
			break;
		}
		entries[i] = entries[--n_entries];
		break;
	case 3: /* ENUMERATE: the strings without their NUL, sizes with it */
		i = get32(K_INDEX);
		if ((size_t)i >= n_entries) {
			status = S_CONT;
			break;
		}
		put32(K_EN + V_TYPE, 1);
		put32(K_EN + V_KSIZE, entries[i].key_size);
		put32(K_EN + V_VSIZE, entries[i].value_size);
		memcpy(buf + K_EN + V_KEY, entries[i].key, entries[i].key_size - 2);
		memcpy(buf + K_EN + V_VALUE, entries[i].value, entries[i].value_size - 2);
		break;
	default:
		status = E_FAIL;
	}
	respond(status);
}

static int kvp_setup(void **state)
{
	(void)state;
	n_entries = 0;
	negotiate_linux(IC_KVP);
	return 0;
}

static const char key_utf8[] = "caf\xc3\xa9";				/* café */
static const char value_utf8[] = "\xe2\x82\xac 5 \xf0\x9f\x98\x80";	/* € 5 😀 */

static void test_kvp_round_trip(void **state)
{
	static const uint8_t key16[] = {'c', 0, 'a', 0, 'f', 0, 0xE9, 0, 0, 0};
	static const uint8_t value16[] = {0xAC, 0x20, ' ', 0, '5', 0, ' ', 0,
					  0x3D, 0xD8, 0x00, 0xDE, 0, 0};
	(void)state;

	len = ic_kvp_set(&ic, KVP_POOL_EXTERNAL, key_utf8, value_utf8, buf, sizeof(buf));
	assert_int_equal(len, 2608); /* 28 + 2576, padded */
	assert_int_equal(get16(O_TYPE), 2);
	assert_int_equal(get16(O_MSGSIZE), 2576);
	assert_int_equal(get16(O_MSGVER), 4);
	assert_int_equal(buf[K_OP], 1);
	assert_int_equal(buf[K_POOL], 0);
	assert_int_equal(get32(K_GS + V_TYPE), 1);
	assert_int_equal(get32(K_GS + V_KSIZE), sizeof(key16));
	assert_int_equal(get32(K_GS + V_VSIZE), sizeof(value16));
	assert_memory_equal(buf + K_GS + V_KEY, key16, sizeof(key16));
	assert_memory_equal(buf + K_GS + V_VALUE, value16, sizeof(value16));
	guest_kvp();
	assert_int_equal(reply(), IC_EV_KVP);
	assert_int_equal(ev.status, S_OK);
	assert_int_equal(ev.kvp.op, KVP_OP_SET);

	len = ic_kvp_set(&ic, KVP_POOL_EXTERNAL, "empty", "", buf, sizeof(buf));
	assert_int_equal(get32(K_GS + V_VSIZE), 2);
	guest_kvp();
	assert_int_equal(reply(), IC_EV_KVP);

	len = ic_kvp_enumerate(&ic, KVP_POOL_EXTERNAL, 0, buf, sizeof(buf));
	assert_int_equal(len, 2608); /* 28 + 2580 */
	assert_int_equal(get16(O_MSGSIZE), 2580);
	assert_int_equal(buf[K_OP], 3);
	assert_int_equal(get32(K_INDEX), 0);
	guest_kvp();
	assert_int_equal(reply(), IC_EV_KVP);
	assert_int_equal(ev.status, S_OK);
	assert_int_equal(ev.kvp.op, KVP_OP_ENUMERATE);
	assert_int_equal(ev.kvp.index, 0);
	assert_string_equal(ev.kvp.key, key_utf8);
	assert_string_equal(ev.kvp.value, value_utf8);

	len = ic_kvp_enumerate(&ic, KVP_POOL_EXTERNAL, 1, buf, sizeof(buf));
	guest_kvp();
	assert_int_equal(reply(), IC_EV_KVP);
	assert_string_equal(ev.kvp.key, "empty");
	assert_string_equal(ev.kvp.value, "");

	len = ic_kvp_enumerate(&ic, KVP_POOL_EXTERNAL, 2, buf, sizeof(buf));
	guest_kvp();
	assert_int_equal(reply(), IC_EV_KVP_END);
	assert_int_equal(ev.status, S_CONT);
	assert_int_equal(ev.kvp.index, 2);
	assert_int_equal(ic.state, IC_READY);
}

static void test_kvp_get_delete(void **state)
{
	(void)state;

	len = ic_kvp_set(&ic, KVP_POOL_GUEST, key_utf8, value_utf8, buf, sizeof(buf));
	guest_kvp();
	assert_int_equal(reply(), IC_EV_KVP);

	len = ic_kvp_get(&ic, KVP_POOL_GUEST, key_utf8, buf, sizeof(buf));
	assert_int_equal(len, 2608);
	assert_int_equal(buf[K_OP], 0);
	assert_int_equal(buf[K_POOL], 1);
	assert_int_equal(get32(K_GS + V_KSIZE), 10);
	assert_int_equal(get32(K_GS + V_VSIZE), 0);
	guest_kvp();
	assert_int_equal(reply(), IC_EV_KVP);
	assert_int_equal(ev.status, S_OK);
	assert_string_equal(ev.kvp.key, key_utf8);
	assert_string_equal(ev.kvp.value, "");

	len = ic_kvp_delete(&ic, KVP_POOL_GUEST, key_utf8, buf, sizeof(buf));
	assert_int_equal(len, 552); /* 28 + 520, padded */
	assert_int_equal(get16(O_MSGSIZE), 520);
	assert_int_equal(buf[K_OP], 2);
	assert_int_equal(get32(O_BODY + 4), 10);
	assert_int_equal(buf[O_BODY + 8 + 6], 0xE9);
	guest_kvp();
	assert_int_equal(reply(), IC_EV_KVP);
	assert_int_equal(ev.status, S_OK);
	assert_int_equal(ev.kvp.op, KVP_OP_DELETE);

	len = ic_kvp_get(&ic, KVP_POOL_GUEST, key_utf8, buf, sizeof(buf));
	guest_kvp();
	assert_int_equal(reply(), IC_EV_KVP);
	assert_int_equal(ev.status, S_CONT);
	assert_string_equal(ev.kvp.key, "");

	len = ic_kvp_delete(&ic, KVP_POOL_GUEST, key_utf8, buf, sizeof(buf));
	guest_kvp();
	assert_int_equal(reply(), IC_EV_KVP);
	assert_int_equal(ev.status, S_CONT);

	/* Any other failure of an ENUMERATE is a failure, not the end. */
	len = ic_kvp_enumerate(&ic, KVP_POOL_AUTO, 0, buf, sizeof(buf));
	respond(E_FAIL);
	assert_int_equal(reply(), IC_EV_KVP);
	assert_int_equal(ev.status, E_FAIL);
}

static void test_kvp_bad_arguments(void **state)
{
	char big[IC_KVP_VALUE_MAX_BYTES + 2];
	static const char *const bad_utf8[] = {
	    "\x80",		/* stray continuation */
	    "\xc3",		/* cut short */
	    "\xc0\xaf",		/* overlong '/' */
	    "\xe0\x80\xaf",	/* overlong */
	    "\xed\xa0\x80",	/* surrogate D800 */
	    "\xf4\x90\x80\x80", /* above U+10FFFF */
	    "\xf8\x88\x80\x80\x80",
	    "a\xe2\x82",
	};
	(void)state;

	assert_int_equal(ic_kvp_set(&ic, KVP_POOL_COUNT, "k", "v", buf, sizeof(buf)), 0);
	assert_int_equal(ic_kvp_enumerate(&ic, 200, 0, buf, sizeof(buf)), 0);
	assert_int_equal(ic_kvp_set(&ic, 0, "", "v", buf, sizeof(buf)), 0);
	assert_int_equal(ic_kvp_set(&ic, 0, NULL, "v", buf, sizeof(buf)), 0);
	assert_int_equal(ic_kvp_set(&ic, 0, "k", NULL, buf, sizeof(buf)), 0);
	assert_int_equal(ic_kvp_get(&ic, 0, "", buf, sizeof(buf)), 0);
	assert_int_equal(ic_kvp_delete(&ic, 0, NULL, buf, sizeof(buf)), 0);
	for (size_t i = 0; i < ARRAY_SIZE(bad_utf8); i++) {
		assert_int_equal(ic_kvp_set(&ic, 0, bad_utf8[i], "v", buf, sizeof(buf)), 0);
		assert_int_equal(ic_kvp_set(&ic, 0, "k", bad_utf8[i], buf, sizeof(buf)), 0);
	}

	/* Length limits: units and bytes, keys and values. */
	memset(big, 'a', sizeof(big));
	big[IC_KVP_KEY_MAX_UNITS] = '\0';
	assert_int_not_equal(ic_kvp_set(&ic, 0, big, "v", buf, sizeof(buf)), 0);
	ic_cancel(&ic);
	big[IC_KVP_KEY_MAX_UNITS] = 'a';
	big[IC_KVP_KEY_MAX_UNITS + 1] = '\0';
	assert_int_equal(ic_kvp_set(&ic, 0, big, "v", buf, sizeof(buf)), 0);
	/* 170 three-byte characters: 170 units but 510 bytes, then 171. */
	for (size_t i = 0; i < 171 * 3; i += 3)
		memcpy(big + i, "\xe2\x82\xac", 3);
	big[170 * 3] = '\0';
	assert_int_not_equal(ic_kvp_get(&ic, 0, big, buf, sizeof(buf)), 0);
	ic_cancel(&ic);
	big[170 * 3] = '\xe2';
	big[171 * 3] = '\0';
	assert_int_equal(ic_kvp_get(&ic, 0, big, buf, sizeof(buf)), 0);
	memset(big, 'b', sizeof(big));
	big[IC_KVP_VALUE_MAX_UNITS] = '\0';
	assert_int_not_equal(ic_kvp_set(&ic, 0, "k", big, buf, sizeof(buf)), 0);
	ic_cancel(&ic);
	big[IC_KVP_VALUE_MAX_UNITS] = 'b';
	big[IC_KVP_VALUE_MAX_UNITS + 1] = '\0';
	assert_int_equal(ic_kvp_set(&ic, 0, "k", big, buf, sizeof(buf)), 0);
	assert_int_equal(ic.state, IC_READY);
}

/* An ENUMERATE answered by the model, then one field spoilt: each is the
 * answer all the same, so it ends the request. */
static void test_kvp_malformed(void **state)
{
	static const struct {
		size_t off;
		uint32_t v;
		int width;
		const char *reason;
	} bad[] = {
	    {K_EN + V_KSIZE, 11, 4, "KVP string size out of bounds"},
	    {K_EN + V_KSIZE, 0, 4, "KVP string size out of bounds"},
	    {K_EN + V_KSIZE, 514, 4, "KVP string size out of bounds"},
	    {K_EN + V_KSIZE, 0xFFFFFFD6u, 4, "KVP string size out of bounds"},
	    {K_EN + V_VSIZE, 2050, 4, "KVP string size out of bounds"},
	    {K_EN + V_KSIZE, 4, 4, "KVP string not terminated within its size"},
	    {K_EN + V_KEY + 2, 0xD83D, 2, "KVP string has an unpaired surrogate"},
	    {K_EN + V_KEY + 2, 0xDE00, 2, "KVP string has an unpaired surrogate"},
	    {K_EN + V_VALUE, 0xDBFF, 2, "KVP string has an unpaired surrogate"},
	    {K_EN + V_TYPE, 4, 4, "KVP value is not a string"},
	    {K_OP, 0, 1, "KVP operation or pool differs from the request's"},
	    {K_POOL, 3, 1, "KVP operation or pool differs from the request's"},
	    {K_INDEX, 1, 4, "KVP index differs from the request's"},
	    {O_MSGSIZE, 2579, 2, "KVP ENUMERATE body too short"},
	    {O_MSGSIZE, 3, 2, "KVP body too short"},
	};
	(void)state;

	len = ic_kvp_set(&ic, 0, "key", "value", buf, sizeof(buf));
	guest_kvp();
	reply();
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		len = ic_kvp_enumerate(&ic, 0, 0, buf, sizeof(buf));
		guest_kvp();
		if (bad[i].width == 1)
			buf[bad[i].off] = bad[i].v;
		else if (bad[i].width == 2)
			put16(bad[i].off, bad[i].v);
		else
			put32(bad[i].off, bad[i].v);
		assert_int_equal(reply(), IC_EV_IGNORED);
		assert_string_equal(ev.reason, bad[i].reason);
		assert_string_equal(ev.kvp.key, "");
		assert_string_equal(ev.kvp.value, "");
		assert_int_equal(ic.state, IC_READY);
	}

	/* A high surrogate as the last unit of its size. */
	len = ic_kvp_enumerate(&ic, 0, 0, buf, sizeof(buf));
	guest_kvp();
	put32(K_EN + V_KSIZE, 4);
	put16(K_EN + V_KEY + 2, 0xD83D);
	assert_int_equal(reply(), IC_EV_IGNORED);
	assert_string_equal(ev.reason, "KVP string has an unpaired surrogate");

	/* A GET answer too short for its value block. */
	len = ic_kvp_get(&ic, 0, "key", buf, sizeof(buf));
	guest_kvp();
	put16(O_MSGSIZE, 100);
	assert_int_equal(reply(), IC_EV_IGNORED);
	assert_string_equal(ev.reason, "KVP GET body too short");

	/* A value that fills its field: 1023 units, NUL last. */
	len = ic_kvp_enumerate(&ic, 0, 0, buf, sizeof(buf));
	guest_kvp();
	put32(K_EN + V_VSIZE, 2048);
	for (size_t u = 0; u < 1023; u++)
		put16(K_EN + V_VALUE + 2 * u, 0x20AC);
	assert_int_equal(reply(), IC_EV_KVP);
	assert_int_equal(strlen(ev.kvp.value), 1023 * 3);
}

static void test_malformed_framing(void **state)
{
	uint8_t copy[72];
	(void)state;

	ic_init(&ic, IC_HEARTBEAT);
	assert_int_equal(ic_reply(&ic, buf, 72, &ev), IC_EV_IGNORED);
	assert_string_equal(ev.reason, "no request outstanding");

	negotiate_linux(IC_HEARTBEAT);
	assert_int_equal(reply(), IC_EV_IGNORED); /* the same answer again */
	assert_string_equal(ev.reason, "no request outstanding");

	len = ic_heartbeat(&ic, buf, sizeof(buf));
	put64(O_BODY, 1);
	respond(S_OK);
	memcpy(copy, buf, sizeof(copy));

	/* Not the answer: ignored, the request stays outstanding. */
	assert_int_equal(ic_reply(&ic, buf, ICMSG_HDR - 1, &ev), IC_EV_IGNORED);
	assert_string_equal(ev.reason, "shorter than the IC header");
	assert_int_equal(ic_reply(&ic, buf, IC_REQUEST_MAX + 8, &ev), IC_EV_IGNORED);
	assert_string_equal(ev.reason, "longer than any request");
	put16(O_TYPE, 0);
	assert_int_equal(reply(), IC_EV_IGNORED);
	assert_string_equal(ev.reason, "not the type of the outstanding request");
	memcpy(buf, copy, sizeof(copy));
	buf[O_TID]++;
	assert_int_equal(reply(), IC_EV_IGNORED);
	assert_string_equal(ev.reason, "stale transaction");
	memcpy(buf, copy, sizeof(copy));
	buf[O_FLAGS] = 3;
	assert_int_equal(reply(), IC_EV_IGNORED);
	assert_string_equal(ev.reason, "not a response");
	buf[O_FLAGS] = 7;
	assert_int_equal(reply(), IC_EV_IGNORED);
	assert_int_equal(ic.state, IC_WAITING);
	ic_cancel(&ic);

	/* The answer, malformed: ignored, and the request is over. */
	static const struct {
		size_t len_delta;
		size_t off;
		uint64_t v;
		int width;
		const char *reason;
	} bad[] = {
	    {8, 0, 0, 0, "length differs from the request's"},
	    {(size_t)-8, 0, 0, 0, "length differs from the request's"},
	    {0, O_MSGSIZE, 45, 2, "body size beyond the packet"},
	    {0, O_MSGSIZE, 0xFFFF, 2, "body size beyond the packet"},
	    {0, O_MSGSIZE, 7, 2, "heartbeat body too short"},
	    {0, O_BODY, 2, 8, "heartbeat sequence is not ours plus one"},
	    {0, O_BODY, 0, 8, "heartbeat sequence is not ours plus one"},
	    {0, O_STATUS, E_FAIL, 4, "the guest failed the heartbeat"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		len = ic_heartbeat(&ic, buf, sizeof(buf));
		assert_int_equal(len, 72);
		put64(O_BODY, get64(O_BODY) + 1);
		respond(S_OK);
		if (bad[i].width == 2)
			put16(bad[i].off, bad[i].v);
		else if (bad[i].width == 4)
			put32(bad[i].off, bad[i].v);
		else if (bad[i].width == 8)
			put64(bad[i].off, bad[i].v);
		len += bad[i].len_delta;
		assert_int_equal(reply(), IC_EV_IGNORED);
		assert_string_equal(ev.reason, bad[i].reason);
		assert_int_equal(ic.state, IC_READY);
		assert_int_equal(ic.heartbeat_seq, 0);
	}
}

static void test_one_at_a_time(void **state)
{
	uint8_t small[100];
	(void)state;

	ic_init(&ic, IC_HEARTBEAT);
	assert_int_equal(ic_heartbeat(&ic, buf, sizeof(buf)), 0);
	assert_int_equal(ic_negotiate(&ic, buf, 40), 0); /* too small */
	assert_int_equal(ic.state, IC_IDLE);
	len = ic_negotiate(&ic, buf, sizeof(buf));
	assert_int_equal(ic_negotiate(&ic, buf, sizeof(buf)), 0);
	assert_int_equal(ic_heartbeat(&ic, buf, sizeof(buf)), 0);
	guest_negotiate(linux_fw, ARRAY_SIZE(linux_fw), linux_hb, ARRAY_SIZE(linux_hb));
	assert_int_equal(reply(), IC_EV_NEGOTIATED);
	assert_int_equal(ic_negotiate(&ic, buf, sizeof(buf)), 0);

	/* Other services' requests on this channel. */
	assert_int_equal(ic_shutdown(&ic, false, false, buf, sizeof(buf)), 0);
	assert_int_equal(ic_timesync(&ic, 0, 0, true, buf, sizeof(buf)), 0);
	assert_int_equal(ic_kvp_enumerate(&ic, 0, 0, buf, sizeof(buf)), 0);
	assert_int_equal(ic_kvp_set(&ic, 0, "k", "v", buf, sizeof(buf)), 0);
	assert_int_equal(ic.state, IC_READY);

	assert_int_equal(ic_heartbeat(&ic, small, 71), 0);
	assert_int_equal(ic_heartbeat(&ic, small, sizeof(small)), 72);
	assert_int_equal(ic_heartbeat(&ic, buf, sizeof(buf)), 0);
	assert_int_equal(ic.state, IC_WAITING);

	negotiate_linux(IC_KVP);
	assert_int_equal(ic_kvp_enumerate(&ic, 0, 0, buf, 2600), 0);
	assert_int_equal(ic.state, IC_READY);
}

static void test_cancel(void **state)
{
	uint8_t first[72];
	(void)state;

	negotiate_linux(IC_HEARTBEAT);
	assert_int_equal(ic_heartbeat(&ic, first, sizeof(first)), 72);
	ic_cancel(&ic);
	assert_int_equal(ic.state, IC_READY);
	len = ic_heartbeat(&ic, buf, sizeof(buf));
	assert_int_equal(len, 72);
	assert_int_not_equal(buf[O_TID], first[O_TID]);

	/* The first one's late answer is stale; the second's counts. */
	put64(O_BODY, 1);
	respond(S_OK);
	memcpy(buf + O_TID, first + O_TID, 1);
	assert_int_equal(reply(), IC_EV_IGNORED);
	assert_string_equal(ev.reason, "stale transaction");
	buf[O_TID] = (uint8_t)ic.trans_id;
	assert_int_equal(reply(), IC_EV_HEARTBEAT);

	/* A NEGOTIATE may go again. */
	ic_init(&ic, IC_KVP);
	len = ic_negotiate(&ic, buf, sizeof(buf));
	ic_cancel(&ic);
	assert_int_equal(ic.state, IC_IDLE);
	len = ic_negotiate(&ic, buf, sizeof(buf));
	assert_int_equal(buf[O_TID], 2);
	guest_negotiate(linux_fw, ARRAY_SIZE(linux_fw), linux_kvp, ARRAY_SIZE(linux_kvp));
	assert_int_equal(reply(), IC_EV_NEGOTIATED);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_negotiate_request_bytes),
	    cmocka_unit_test(test_negotiate_linux),
	    cmocka_unit_test(test_negotiate_old_guest),
	    cmocka_unit_test(test_negotiate_no_common_version),
	    cmocka_unit_test(test_negotiate_malformed),
	    cmocka_unit_test(test_heartbeat),
	    cmocka_unit_test(test_shutdown),
	    cmocka_unit_test(test_timesync_v4),
	    cmocka_unit_test(test_timesync_v3),
	    cmocka_unit_test_setup(test_kvp_round_trip, kvp_setup),
	    cmocka_unit_test_setup(test_kvp_get_delete, kvp_setup),
	    cmocka_unit_test_setup(test_kvp_bad_arguments, kvp_setup),
	    cmocka_unit_test_setup(test_kvp_malformed, kvp_setup),
	    cmocka_unit_test(test_malformed_framing),
	    cmocka_unit_test(test_one_at_a_time),
	    cmocka_unit_test(test_cancel),
	};

	return unit_run("ic", tests, ARRAY_SIZE(tests), NULL);
}
