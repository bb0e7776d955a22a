/*
 * KVP IC: key/value pools kept by the guest's hv_kvp_daemon. Strings travel
 * as UTF-16LE with their sizes in bytes, NUL included; the API speaks
 * UTF-8. Linux (drivers/hv/hv_kvp.c) answers in place: ENUMERATE and GET
 * get key and value written back, SET and DELETE only a status, and
 * HV_S_CONT means "no such entry" (past the end, for ENUMERATE).
 *
 * A Linux 6.1 guest answers GET with an empty value: hv_kvp.c passes the
 * daemon a value_size of 0 and reads the answer at the ENUMERATE offset.
 * ENUMERATE is how to read a pool.
 */
#include <string.h>

#include "ic.h"

_Static_assert(((ICMSG_HDR + sizeof(struct hv_kvp_msg_enumerate) + 7) & ~7ul) == IC_REQUEST_MAX,
	       "IC_REQUEST_MAX is the ENUMERATE request");

static void put16(uint8_t *p, size_t unit, uint32_t u)
{
	p[2 * unit] = u & 0xFF;
	p[2 * unit + 1] = u >> 8;
}

/* UTF-16 units of the UTF-8 string s, written to out as UTF-16LE unless out
 * is NULL; -1 if s is not UTF-8 (overlong forms and surrogates included). */
static long utf8_to_utf16le(const char *s, uint8_t *out)
{
	const uint8_t *p = (const uint8_t *)s;
	long n = 0;

	while (*p) {
		uint32_t cp;
		int len;

		if (*p < 0x80) {
			cp = *p;
			len = 1;
		} else if (*p >= 0xC2 && *p <= 0xDF) {
			cp = *p & 0x1F;
			len = 2;
		} else if (*p >= 0xE0 && *p <= 0xEF) {
			cp = *p & 0x0F;
			len = 3;
		} else if (*p >= 0xF0 && *p <= 0xF4) {
			cp = *p & 0x07;
			len = 4;
		} else {
			return -1;
		}
		/* A NUL is no continuation byte: this stops at the string's end. */
		for (int i = 1; i < len; i++) {
			if ((p[i] & 0xC0) != 0x80)
				return -1;
			cp = cp << 6 | (p[i] & 0x3F);
		}
		if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
		    (cp >= 0xD800 && cp <= 0xDFFF))
			return -1;
		p += len;

		if (cp >= 0x10000) {
			if (out) {
				put16(out, n, 0xD800 | (cp - 0x10000) >> 10);
				put16(out, n + 1, 0xDC00 | (cp & 0x3FF));
			}
			n += 2;
		} else {
			if (out)
				put16(out, n, cp);
			n++;
		}
	}
	return n;
}

/* UTF-16 units of s if it is UTF-8 within both limits, else -1. */
static long kvp_units(const char *s, size_t max_bytes, long max_units)
{
	long n;

	if (!s || strnlen(s, max_bytes + 1) > max_bytes)
		return -1;
	n = utf8_to_utf16le(s, NULL);
	return n > max_units ? -1 : n;
}

/* Appends code point cp to out[o...] if it fits with a NUL after it;
 * returns the bytes written, 0 if it does not fit. */
static size_t utf8_put(char *out, size_t o, size_t cap, uint32_t cp)
{
	static const uint8_t lead[] = {0, 0x00, 0xC0, 0xE0, 0xF0};
	size_t n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;

	if (o + n >= cap)
		return 0;
	for (size_t i = n - 1; i > 0; i--, cp >>= 6)
		out[o + i] = (char)(0x80 | (cp & 0x3F));
	out[o] = (char)(lead[n] | cp);
	return n;
}

/* The UTF-16LE string of size bytes (the guest's word) in field, as UTF-8
 * in out; NULL, or why it is malformed. */
static const char *utf16le_to_utf8(const uint8_t *field, size_t field_size, uint32_t size,
				   char *out, size_t cap)
{
	size_t units, o = 0;

	if (size < 2 || size > field_size || size % 2)
		return "KVP string size out of bounds";
	units = size / 2;
	for (size_t i = 0; i < units; i++) {
		uint32_t u = field[2 * i] | field[2 * i + 1] << 8, cp = u;
		size_t n;

		if (!u) {
			out[o] = '\0';
			return NULL;
		}
		if (u >= 0xDC00 && u <= 0xDFFF)
			return "KVP string has an unpaired surrogate";
		if (u >= 0xD800 && u <= 0xDBFF) {
			uint32_t lo;

			if (++i == units)
				return "KVP string has an unpaired surrogate";
			lo = field[2 * i] | field[2 * i + 1] << 8;
			if (lo < 0xDC00 || lo > 0xDFFF)
				return "KVP string has an unpaired surrogate";
			cp = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
		}
		n = utf8_put(out, o, cap, cp);
		if (!n)
			return "KVP string too long";
		o += n;
	}
	return "KVP string not terminated within its size";
}

/* The key and value of a GET or ENUMERATE answer, into ev. */
static int kvp_value_reply(const struct hv_kvp_exchg_msg_value *d, struct ic_event *ev)
{
	uint32_t value_type = d->value_type, key_size = d->key_size, value_size = d->value_size;
	const char *bad;

	/* Linux answers with strings only. */
	if (value_type != KVP_REG_SZ)
		return ic_ignore(ev, "KVP value is not a string");
	bad = utf16le_to_utf8(d->key, sizeof(d->key), key_size, ev->kvp.key, sizeof(ev->kvp.key));
	if (!bad)
		bad = utf16le_to_utf8(d->value, sizeof(d->value), value_size, ev->kvp.value,
				      sizeof(ev->kvp.value));
	if (bad) {
		ev->kvp.key[0] = '\0';
		ev->kvp.value[0] = '\0';
		return ic_ignore(ev, bad);
	}
	ev->type = IC_EV_KVP;
	return ev->type;
}

int ic_kvp_reply(struct ic *ic, const uint8_t *body, size_t size, uint32_t status,
		 struct ic_event *ev)
{
	const struct hv_kvp_hdr *hdr = (const struct hv_kvp_hdr *)body;
	const struct hv_kvp_msg_enumerate *en = (const struct hv_kvp_msg_enumerate *)body;
	const struct hv_kvp_msg_get_set *get = (const struct hv_kvp_msg_get_set *)body;

	ev->kvp.op = ic->kvp_op;
	ev->kvp.pool = ic->kvp_pool;
	ev->kvp.index = ic->kvp_index;
	if (size < sizeof(*hdr))
		return ic_ignore(ev, "KVP body too short");
	if (hdr->operation != ic->kvp_op || hdr->pool != ic->kvp_pool)
		return ic_ignore(ev, "KVP operation or pool differs from the request's");
	if (status == HV_S_CONT && ic->kvp_op == KVP_OP_ENUMERATE) {
		ev->type = IC_EV_KVP_END;
		return ev->type;
	}
	/* A failure, or a SET or DELETE: the status is the answer. */
	if (status != HV_S_OK || (ic->kvp_op != KVP_OP_ENUMERATE && ic->kvp_op != KVP_OP_GET)) {
		ev->type = IC_EV_KVP;
		return ev->type;
	}
	if (ic->kvp_op == KVP_OP_GET) {
		if (size < sizeof(*get))
			return ic_ignore(ev, "KVP GET body too short");
		return kvp_value_reply(&get->data, ev);
	}
	if (size < sizeof(*en))
		return ic_ignore(ev, "KVP ENUMERATE body too short");
	if (en->index != ic->kvp_index)
		return ic_ignore(ev, "KVP index differs from the request's");
	return kvp_value_reply(&en->data, ev);
}

/* Starts a KVP request of body_size bytes; its header is filled in. */
static uint8_t *kvp_request(struct ic *ic, uint8_t op, uint8_t pool, size_t body_size, void *buf,
			    size_t cap, size_t *len)
{
	struct hv_kvp_hdr *hdr;

	if (pool >= KVP_POOL_COUNT)
		return NULL;
	*len = ic_request(ic, ICMSGTYPE_KVPEXCHANGE, body_size, buf, cap);
	if (!*len)
		return NULL;
	hdr = (struct hv_kvp_hdr *)((uint8_t *)buf + ICMSG_HDR);
	hdr->operation = op;
	hdr->pool = pool;
	ic->kvp_op = op;
	ic->kvp_pool = pool;
	ic->kvp_index = 0;
	return (uint8_t *)hdr;
}

size_t ic_kvp_enumerate(struct ic *ic, uint8_t pool, uint32_t index, void *buf, size_t cap)
{
	struct hv_kvp_msg_enumerate *en;
	size_t len;

	en = (struct hv_kvp_msg_enumerate *)kvp_request(ic, KVP_OP_ENUMERATE, pool, sizeof(*en),
							buf, cap, &len);
	if (!en)
		return 0;
	en->index = index;
	ic->kvp_index = index;
	return len;
}

/* Key sizes count bytes, NUL included: the guest's utf16s_to_utf8s stops at
 * the NUL, which the zeroed field supplies. */
static long kvp_key_units(const char *key)
{
	long n = kvp_units(key, IC_KVP_KEY_MAX_BYTES, IC_KVP_KEY_MAX_UNITS);

	return n > 0 ? n : -1;
}

/* GET (value NULL) and SET. */
static size_t kvp_get_set(struct ic *ic, uint8_t op, uint8_t pool, const char *key,
			  const char *value, void *buf, size_t cap)
{
	long key_units = kvp_key_units(key), value_units = 0;
	struct hv_kvp_msg_get_set *gs;
	size_t len;

	if (key_units < 0)
		return 0;
	if (value) {
		value_units = kvp_units(value, IC_KVP_VALUE_MAX_BYTES, IC_KVP_VALUE_MAX_UNITS);
		if (value_units < 0)
			return 0;
	}
	gs = (struct hv_kvp_msg_get_set *)kvp_request(ic, op, pool, sizeof(*gs), buf, cap, &len);
	if (!gs)
		return 0;
	gs->data.key_size = 2 * (key_units + 1);
	utf8_to_utf16le(key, gs->data.key);
	if (value) {
		gs->data.value_type = KVP_REG_SZ;
		gs->data.value_size = 2 * (value_units + 1);
		utf8_to_utf16le(value, gs->data.value);
	}
	return len;
}

size_t ic_kvp_set(struct ic *ic, uint8_t pool, const char *key, const char *value, void *buf,
		  size_t cap)
{
	if (!value)
		return 0;
	return kvp_get_set(ic, KVP_OP_SET, pool, key, value, buf, cap);
}

size_t ic_kvp_get(struct ic *ic, uint8_t pool, const char *key, void *buf, size_t cap)
{
	return kvp_get_set(ic, KVP_OP_GET, pool, key, NULL, buf, cap);
}

size_t ic_kvp_delete(struct ic *ic, uint8_t pool, const char *key, void *buf, size_t cap)
{
	long key_units = kvp_key_units(key);
	struct hv_kvp_msg_delete *del;
	size_t len;

	if (key_units < 0)
		return 0;
	del = (struct hv_kvp_msg_delete *)kvp_request(ic, KVP_OP_DELETE, pool, sizeof(*del), buf,
						      cap, &len);
	if (!del)
		return 0;
	del->key_size = 2 * (key_units + 1);
	utf8_to_utf16le(key, del->key);
	return len;
}
