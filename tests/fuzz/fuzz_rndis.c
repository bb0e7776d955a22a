/* libFuzzer target for the RNDIS device (root/vsp/rndis.c). The input is a
 * sequence of steps on one device: a control message (any bytes and
 * claimed length, or a request built as Linux builds it), a PACKET
 * message to parse, or a destination address for the receive filter.
 * After each step it checks what netvsp relies on: a reply fits
 * RNDIS_REPLY_MAX, its msg_len is its length, it is the completion of the
 * request's type and echoes its req_id; QUERY_C info lies inside the
 * reply; a parsed PACKET's frame lies inside the message behind its
 * header; the device state stays coherent (filter 0 before INIT, the
 * permanent MAC never changes, the current one stays unicast). */
#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_input.h"
#include "hv/netvsc.h"
#include "rndis.h"

static const uint8_t mac[6] = {0x00, 0x15, 0x5d, 0x01, 0x02, 0x03};

static uint32_t u32_at(const uint8_t *p, uint32_t off)
{
	uint32_t v;

	memcpy(&v, p + off, sizeof(v));
	return v;
}

/* Up to max bytes from the input into buf; the message's own header may
 * claim any msg_len, or (when asked) exactly the bytes given. */
static uint32_t take_msg(struct input *in, uint8_t *buf, uint32_t max, bool fix_len)
{
	uint32_t len = take_bytes(in, buf, max);

	if (fix_len && len >= 8)
		memcpy(buf + 4, &len, 4);
	return len;
}

/* A request as Linux builds it, from a few input bytes: a known type and
 * OID (or any), its info buffer from the input, or a NetworkAddress
 * parameter with hex digits (mostly) from the input. */
static uint32_t build_request(struct input *in, uint8_t *m)
{
	static const uint32_t types[] = {RNDIS_MSG_INIT, RNDIS_MSG_QUERY, RNDIS_MSG_SET,
					 RNDIS_MSG_HALT, RNDIS_MSG_RESET, RNDIS_MSG_KEEPALIVE};
	static const uint32_t oids[] = {
		RNDIS_OID_GEN_MAXIMUM_FRAME_SIZE, RNDIS_OID_802_3_PERMANENT_ADDRESS,
		RNDIS_OID_GEN_FRIENDLY_NAME, OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES,
		OID_TCP_OFFLOAD_PARAMETERS, RNDIS_OID_GEN_MEDIA_CONNECT_STATUS,
		RNDIS_OID_GEN_LINK_SPEED, OID_GEN_RECEIVE_SCALE_CAPABILITIES,
		OID_GEN_RECEIVE_SCALE_PARAMETERS, RNDIS_OID_GEN_CURRENT_PACKET_FILTER,
		RNDIS_OID_GEN_RNDIS_CONFIG_PARAMETER,
	};
	static const char hex[] = "0123456789abcdefABCDEF:";
	uint8_t kind = take(in), oid = take(in);
	uint32_t h[7] = {types[kind % 6], 0, take(in), 0, 0, 20, 0};
	uint32_t info_len = take(in) % 64;

	h[3] = oid < 0xF0 ? oids[oid % 11] : (uint32_t)take(in) << 24;
	if (h[3] == RNDIS_OID_GEN_RNDIS_CONFIG_PARAMETER && kind & 8) {
		static const char name[] = "NetworkAddress";
		struct rndis_config_parameter_info p = {20, 28, RNDIS_CONFIG_PARAM_TYPE_STRING, 48,
							 24};

		memset(m + 28, 0, 72);
		memcpy(m + 28, &p, sizeof(p));
		for (int i = 0; i < 14; i++)
			m[28 + 20 + 2 * i] = (uint8_t)name[i];
		for (int i = 0; i < 12; i++)
			m[28 + 48 + 2 * i] = (uint8_t)hex[take(in) % (sizeof(hex) - 1)];
		if (kind & 16)
			m[28 + take(in) % 72] = take(in);
		info_len = 72;
	} else {
		for (uint32_t i = 0; i < info_len; i++)
			m[28 + i] = take(in);
	}
	h[4] = info_len;
	if (kind & 32)
		h[5] = take(in);
	h[1] = 28 + info_len;
	memcpy(m, h, sizeof(h));
	return h[1];
}

static void check_reply(const uint8_t *msg, uint32_t len, const uint8_t *reply, int got)
{
	uint32_t type = u32_at(msg, 0);

	assert(got <= RNDIS_REPLY_MAX);
	if (got <= 0)
		return;
	assert(got >= 16 && u32_at(reply, 4) == (uint32_t)got);
	assert(u32_at(reply, 0) == (type | RNDIS_MSG_COMPLETION));
	if (type == RNDIS_MSG_RESET)
		return;
	assert(len >= 12 && u32_at(reply, 8) == u32_at(msg, 8));
	if (type == RNDIS_MSG_QUERY) {
		uint32_t info_len = u32_at(reply, 16), info_off = u32_at(reply, 20);

		assert(info_off == 16);
		assert(8 + info_off + info_len == (uint32_t)got);
		assert(info_len == 0 || u32_at(reply, 12) == RNDIS_STATUS_SUCCESS);
	}
}

static void check_state(const struct rndis *r)
{
	assert(!memcmp(r->permanent_mac, mac, 6));
	assert(!(r->mac[0] & 1));
	assert(r->initialized || r->filter == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = {data, size};
	struct rndis r;

	rndis_init(&r, mac, 1500, true);
	while (in.left) {
		uint8_t op = take(&in), msg[RNDIS_CONTROL_MAX], reply[RNDIS_REPLY_MAX];
		struct rndis_tx tx;
		uint32_t len;
		int got;

		switch (op % 4) {
		case 0:
		case 1:
			if (op & 8)
				len = build_request(&in, msg);
			else
				len = take_msg(&in, msg, sizeof(msg), op & 4);
			got = rndis_control(&r, msg, len, reply);
			assert(got >= 0 || got == -EBADMSG);
			if (got > 0) {
				uint32_t held = u32_at(msg, 4) < len ? u32_at(msg, 4) : len;

				check_reply(msg, held, reply, got);
			}
			break;
		case 2: {
			uint32_t msg_len;

			len = take_msg(&in, msg, RNDIS_PACKET_HEAD_MAX, op & 4);
			msg_len = op & 8 || len < 8 ? len : u32_at(msg, 4);
			if (rndis_parse_packet(msg, len, msg_len, &tx))
				break;
			assert(len <= msg_len && len >= RNDIS_HEADER_SIZE + sizeof(struct rndis_packet));
			assert(tx.data_offset >= RNDIS_HEADER_SIZE + sizeof(struct rndis_packet));
			assert((uint64_t)tx.data_offset + tx.data_len <= msg_len);
			break;
		}
		default: {
			uint8_t dst[6];

			for (int i = 0; i < 6; i++)
				dst[i] = take(&in);
			if (op & 4)
				memcpy(dst, r.mac, 6);
			if (rndis_rx_wanted(&r, dst) && !(r.filter & NDIS_PACKET_TYPE_PROMISCUOUS))
				assert(r.filter);
			break;
		}
		}
		check_state(&r);
	}
	return 0;
}
