/* Unit tests for the RNDIS device (root/vsp/rndis.c): every control
 * message Linux 6.1's rndis_filter.c sends, built as it builds them, and
 * each reply run through the checks Linux applies to it
 * (rndis_filter_query_device, rndis_query_hwcaps, rndis_set_link_state);
 * RESET and KEEPALIVE; the packet filter; PACKET parsing with Linux's PPI
 * layout and hostile offsets; the RX header and link indications as
 * rndis_filter_receive_data and netvsc_linkstatus_callback read them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* needs the four above first */
#include "unit.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "hv/netvsc.h"
#include "rndis.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const uint8_t mac[6] = {0x00, 0x15, 0x5d, 0x01, 0x02, 0x03};

static void init_device(struct rndis *r)
{
	uint32_t init[6] = {RNDIS_MSG_INIT, 24, 1, RNDIS_MAJOR_VERSION, RNDIS_MINOR_VERSION, 0x4000};
	uint8_t reply[RNDIS_REPLY_MAX];

	assert_int_equal(rndis_control(r, init, sizeof(init), reply), 52);
	assert_true(r->initialized);
}

/* A device after Linux's INIT. */
static void setup(struct rndis *r)
{
	rndis_init(r, mac, 1500, true);
	init_device(r);
}

/* An RNDIS request as Linux lays it out: header, a 20-byte QUERY/SET
 * body with info_buf_offset 20, then the info buffer. */
static uint32_t request(uint8_t *buf, uint32_t type, uint32_t req_id, uint32_t oid,
			const void *info, uint32_t info_len)
{
	struct rndis_message_header h = {type, RNDIS_HEADER_SIZE + 20 + info_len};
	struct rndis_query_request q = {req_id, oid, info_len, 20, 0};

	memcpy(buf, &h, sizeof(h));
	memcpy(buf + 8, &q, sizeof(q));
	if (info_len)
		memcpy(buf + 28, info, info_len);
	return h.msg_len;
}

static uint32_t u32_at(const uint8_t *p, uint32_t off)
{
	uint32_t v;

	memcpy(&v, p + off, sizeof(v));
	return v;
}

/* Linux rndis_filter_query_device on the reply: 0 and the info copied to
 * result (at most *size bytes, *size set to its length), or -1. */
static int linux_query(const uint8_t *reply, int reply_len, uint32_t req_id, void *result,
		       uint32_t *size)
{
	struct rndis_query_complete c;
	uint32_t msg_len = u32_at(reply, 4), in = *size;

	assert_int_equal(u32_at(reply, 0), RNDIS_MSG_QUERY_C);
	assert_int_equal(msg_len, reply_len);
	assert_true(reply_len <= RNDIS_REPLY_MAX);
	*size = 0;
	if (msg_len - RNDIS_HEADER_SIZE < sizeof(c))
		return -1;
	memcpy(&c, reply + 8, sizeof(c));
	assert_int_equal(c.req_id, req_id);
	if (c.info_buflen > in || c.info_buf_offset < sizeof(c) ||
	    msg_len - RNDIS_HEADER_SIZE < c.info_buf_offset ||
	    c.info_buflen > msg_len - RNDIS_HEADER_SIZE - c.info_buf_offset)
		return -1;
	memcpy(result, reply + 8 + c.info_buf_offset, c.info_buflen);
	*size = c.info_buflen;
	return 0;
}

static int query(struct rndis *r, uint32_t req_id, uint32_t oid, const void *in, uint32_t in_len,
		 void *result, uint32_t *size, uint32_t *status)
{
	uint8_t msg[RNDIS_CONTROL_MAX], reply[RNDIS_REPLY_MAX];
	int len;

	len = rndis_control(r, msg, request(msg, RNDIS_MSG_QUERY, req_id, oid, in, in_len), reply);
	assert_true(len > 0);
	*status = u32_at(reply, 12);
	return linux_query(reply, len, req_id, result, size);
}

/* Linux checks only the status of a SET_C. */
static uint32_t set(struct rndis *r, uint32_t req_id, uint32_t oid, const void *info,
		    uint32_t info_len)
{
	uint8_t msg[RNDIS_CONTROL_MAX], reply[RNDIS_REPLY_MAX];
	int len;

	len = rndis_control(r, msg, request(msg, RNDIS_MSG_SET, req_id, oid, info, info_len),
			    reply);
	assert_int_equal(len, 16);
	assert_int_equal(u32_at(reply, 0), RNDIS_MSG_SET_C);
	assert_int_equal(u32_at(reply, 4), 16);
	assert_int_equal(u32_at(reply, 8), req_id);
	return u32_at(reply, 12);
}

static void test_init(void **state)
{
	struct rndis_message_header h = {RNDIS_MSG_INIT, 24};
	struct rndis_initialize_request q = {7, RNDIS_MAJOR_VERSION, RNDIS_MINOR_VERSION, 0x4000};
	struct rndis_initialize_complete c;
	uint8_t msg[24], reply[RNDIS_REPLY_MAX];
	struct rndis r;
	(void)state;

	setup(&r);
	memcpy(msg, &h, 8);
	memcpy(msg + 8, &q, 16);
	assert_int_equal(rndis_control(&r, msg, sizeof(msg), reply), 52);
	assert_int_equal(u32_at(reply, 0), RNDIS_MSG_INIT_C);
	assert_int_equal(u32_at(reply, 4), 52);
	memcpy(&c, reply + 8, sizeof(c));
	assert_int_equal(c.req_id, 7);
	assert_int_equal(c.status, RNDIS_STATUS_SUCCESS);
	/* What rndis_filter_init_device takes: max_pkt and the alignment. */
	assert_int_equal(c.max_pkt_per_msg, 8);
	assert_int_equal(1u << c.pkt_alignment_factor, 8);
	assert_int_equal(c.medium, RNDIS_MEDIUM_802_3);
	assert_int_equal(c.dev_flags, RNDIS_DF_CONNECTIONLESS);
	assert_true(r.initialized);
	assert_int_equal(r.filter, 0);
}

/* rndis_filter_device_add's queries in order, as Linux 6.1 on NVSP >= 5
 * sends them, and what it makes of each answer. */
static void test_linux_queries(void **state)
{
	uint8_t buf[256];
	struct ndis_offload caps, hwreq = {0};
	uint32_t size, status, v;
	struct rndis r;
	(void)state;

	setup(&r);
	size = 4;
	assert_int_equal(query(&r, 2, RNDIS_OID_GEN_MAXIMUM_FRAME_SIZE, NULL, 0, &v, &size,
			       &status), 0);
	assert_int_equal(size, 4);
	assert_int_equal(v, 1500);

	size = 6;
	assert_int_equal(query(&r, 3, RNDIS_OID_802_3_PERMANENT_ADDRESS, NULL, 0, buf, &size,
			       &status), 0);
	assert_int_equal(size, 6);
	assert_memory_equal(buf, mac, 6);

	/* Optional: no name, which Linux reads as size 0. */
	size = 512;
	assert_int_equal(query(&r, 4, RNDIS_OID_GEN_FRIENDLY_NAME, NULL, 0, buf, &size, &status),
			 0);
	assert_int_equal(size, 0);
	assert_int_equal(status, RNDIS_STATUS_NOT_SUPPORTED);

	/* rndis_query_hwcaps: type, revision >= 1, 112 <= size <= returned. */
	hwreq.header.type = NDIS_OBJECT_TYPE_OFFLOAD;
	hwreq.header.revision = NDIS_OFFLOAD_PARAMETERS_REVISION_3;
	hwreq.header.size = NDIS_OFFLOAD_SIZE;
	memset(&caps, 0, sizeof(caps));
	size = sizeof(caps);
	assert_int_equal(query(&r, 5, OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES, &hwreq, sizeof(hwreq),
			       &caps, &size, &status), 0);
	assert_int_equal(status, RNDIS_STATUS_SUCCESS);
	assert_int_equal(caps.header.type, NDIS_OBJECT_TYPE_OFFLOAD);
	assert_true(caps.header.revision >= NDIS_OFFLOAD_PARAMETERS_REVISION_1);
	assert_true(caps.header.size <= size && caps.header.size >= NDIS_OFFLOAD_SIZE_6_0);
	/* No offload at all: nothing Linux would turn on. */
	assert_int_equal(caps.csum.ip4_txcsum, 0);
	assert_int_equal(caps.csum.ip6_txcsum, 0);
	assert_int_equal(caps.lsov2.ip4_encap, 0);
	assert_int_equal(caps.lsov2.ip6_opts, 0);
	assert_int_equal(caps.rsc.ip4, 0);

	/* MEDIA_CONNECT_STATUS: 0 connected, read by rndis_set_link_state. */
	size = 4;
	assert_int_equal(query(&r, 7, RNDIS_OID_GEN_MEDIA_CONNECT_STATUS, NULL, 0, &v, &size,
			       &status), 0);
	assert_int_equal(status, RNDIS_STATUS_SUCCESS);
	assert_int_equal(v, NDIS_MEDIA_STATE_CONNECTED);
	r.link_up = false;
	assert_int_equal(query(&r, 8, RNDIS_OID_GEN_MEDIA_CONNECT_STATUS, NULL, 0, &v, &size,
			       &status), 0);
	assert_int_equal(v, NDIS_MEDIA_STATE_DISCONNECTED);

	size = 4;
	assert_int_equal(query(&r, 9, RNDIS_OID_GEN_LINK_SPEED, NULL, 0, &v, &size, &status), 0);
	assert_int_equal(v / 10000, 10000); /* Mbit/s as Linux computes it */

	/* RSS capabilities: an 18-byte request; the empty answer leaves
	 * num_recv_que 0 (< 2): a single queue, no sub-channels. */
	memset(buf, 0, sizeof(buf));
	buf[0] = NDIS_OBJECT_TYPE_RSS_CAPABILITIES;
	buf[1] = 2;
	buf[2] = 18;
	size = 18;
	assert_int_equal(query(&r, 10, OID_GEN_RECEIVE_SCALE_CAPABILITIES, buf, 18, buf, &size,
			       &status), 0);
	assert_int_equal(size, 0);
	assert_int_equal(status, RNDIS_STATUS_NOT_SUPPORTED);
	assert_int_equal(r.unsupported, 2);
}

static void test_set_offload_params(void **state)
{
	struct ndis_offload_params p = {0};
	struct rndis r;
	(void)state;

	setup(&r);
	/* rndis_netdev_set_hwcaps with no capabilities: IPv4 header
	 * checksum off, everything else "no change". */
	p.header.type = NDIS_OBJECT_TYPE_DEFAULT;
	p.header.revision = NDIS_OFFLOAD_PARAMETERS_REVISION_3;
	p.header.size = sizeof(p);
	p.ip_v4_csum = NDIS_OFFLOAD_PARAMETERS_DISABLED;
	assert_int_equal(set(&r, 6, OID_TCP_OFFLOAD_PARAMETERS, &p, sizeof(p)),
			 RNDIS_STATUS_SUCCESS);
	/* NVSP <= v4: 22 bytes. */
	p.header.size = VERSION_4_OFFLOAD_SIZE;
	assert_int_equal(set(&r, 7, OID_TCP_OFFLOAD_PARAMETERS, &p, VERSION_4_OFFLOAD_SIZE),
			 RNDIS_STATUS_SUCCESS);
	p.rsc_ip_v4 = p.rsc_ip_v6 = NDIS_OFFLOAD_PARAMETERS_DISABLED;
	assert_int_equal(set(&r, 8, OID_TCP_OFFLOAD_PARAMETERS, &p, sizeof(p)),
			 RNDIS_STATUS_SUCCESS);
	/* Turning anything on is refused. */
	p.tcp_ip_v4_csum = 4;
	assert_int_equal(set(&r, 9, OID_TCP_OFFLOAD_PARAMETERS, &p, sizeof(p)),
			 RNDIS_STATUS_NOT_SUPPORTED);
	p.tcp_ip_v4_csum = 0;
	p.rsc_ip_v6 = 2;
	assert_int_equal(set(&r, 10, OID_TCP_OFFLOAD_PARAMETERS, &p, sizeof(p)),
			 RNDIS_STATUS_NOT_SUPPORTED);
	/* ... but not by a byte the guest did not send. */
	assert_int_equal(set(&r, 11, OID_TCP_OFFLOAD_PARAMETERS, &p, VERSION_4_OFFLOAD_SIZE),
			 RNDIS_STATUS_SUCCESS);
	assert_int_equal(set(&r, 12, OID_TCP_OFFLOAD_PARAMETERS, &p, 2),
			 RNDIS_STATUS_INVALID_LENGTH);
}

static void test_set_filter_and_rss(void **state)
{
	uint8_t rss[592] = {NDIS_OBJECT_TYPE_RSS_PARAMETERS, 2};
	uint32_t f = NDIS_PACKET_TYPE_DIRECTED | NDIS_PACKET_TYPE_ALL_MULTICAST |
		     NDIS_PACKET_TYPE_BROADCAST;
	struct rndis r;
	(void)state;

	setup(&r);
	assert_int_equal(set(&r, 20, RNDIS_OID_GEN_CURRENT_PACKET_FILTER, &f, 4),
			 RNDIS_STATUS_SUCCESS);
	assert_int_equal(r.filter, 0x0D);
	assert_int_equal(set(&r, 21, RNDIS_OID_GEN_CURRENT_PACKET_FILTER, &f, 2),
			 RNDIS_STATUS_INVALID_LENGTH);
	assert_int_equal(r.filter, 0x0D);
	f = 0;
	assert_int_equal(set(&r, 22, RNDIS_OID_GEN_CURRENT_PACKET_FILTER, &f, 4),
			 RNDIS_STATUS_SUCCESS);
	assert_int_equal(r.filter, 0);
	/* No RSS: its parameters are refused, which Linux tolerates. */
	assert_int_equal(set(&r, 23, OID_GEN_RECEIVE_SCALE_PARAMETERS, rss, sizeof(rss)),
			 RNDIS_STATUS_NOT_SUPPORTED);
	assert_int_equal(set(&r, 24, 0x12345678, NULL, 0), RNDIS_STATUS_NOT_SUPPORTED);
}

/* rndis_filter_set_device_mac's RNDIS_CONFIG_PARAMETER. */
static uint32_t config_param(uint8_t *info, const char *name, const char *value, uint32_t type)
{
	struct rndis_config_parameter_info p = {sizeof(p), 2 * (uint32_t)strlen(name), type, 0,
						 2 * (uint32_t)strlen(value)};

	p.parameter_value_offset = p.parameter_name_offset + p.parameter_name_length;
	memcpy(info, &p, sizeof(p));
	for (size_t i = 0; name[i]; i++) {
		info[sizeof(p) + 2 * i] = (uint8_t)name[i];
		info[sizeof(p) + 2 * i + 1] = 0;
	}
	for (size_t i = 0; value[i]; i++) {
		info[p.parameter_value_offset + 2 * i] = (uint8_t)value[i];
		info[p.parameter_value_offset + 2 * i + 1] = 0;
	}
	return p.parameter_value_offset + p.parameter_value_length;
}

static void test_set_mac(void **state)
{
	static const uint8_t next[6] = {0x02, 0xab, 0xcd, 0xef, 0x01, 0x23};
	uint8_t info[128];
	struct rndis_config_parameter_info *p = (void *)info;
	uint32_t len;
	struct rndis r;
	(void)state;

	setup(&r);
	len = config_param(info, "NetworkAddress", "02abcdef0123", RNDIS_CONFIG_PARAM_TYPE_STRING);
	assert_int_equal(set(&r, 30, RNDIS_OID_GEN_RNDIS_CONFIG_PARAMETER, info, len),
			 RNDIS_STATUS_SUCCESS);
	assert_memory_equal(r.mac, next, 6);
	assert_memory_equal(r.permanent_mac, mac, 6);
	/* A new session keeps it. */
	rndis_reset(&r);
	assert_memory_equal(r.mac, next, 6);
	init_device(&r);

	len = config_param(info, "NetworkAddress", "03abcdef0123", RNDIS_CONFIG_PARAM_TYPE_STRING);
	assert_int_equal(set(&r, 31, RNDIS_OID_GEN_RNDIS_CONFIG_PARAMETER, info, len),
			 RNDIS_STATUS_INVALID_DATA); /* multicast */
	len = config_param(info, "NetworkAddress", "02abcdefg123", RNDIS_CONFIG_PARAM_TYPE_STRING);
	assert_int_equal(set(&r, 32, RNDIS_OID_GEN_RNDIS_CONFIG_PARAMETER, info, len),
			 RNDIS_STATUS_INVALID_DATA);
	len = config_param(info, "NetworkAddress", "02abcdef012", RNDIS_CONFIG_PARAM_TYPE_STRING);
	assert_int_equal(set(&r, 33, RNDIS_OID_GEN_RNDIS_CONFIG_PARAMETER, info, len),
			 RNDIS_STATUS_INVALID_DATA);
	len = config_param(info, "MTU", "1500", RNDIS_CONFIG_PARAM_TYPE_STRING);
	assert_int_equal(set(&r, 34, RNDIS_OID_GEN_RNDIS_CONFIG_PARAMETER, info, len),
			 RNDIS_STATUS_NOT_SUPPORTED);
	/* Name or value outside the info buffer. */
	len = config_param(info, "NetworkAddress", "02abcdef0123", RNDIS_CONFIG_PARAM_TYPE_STRING);
	p->parameter_value_offset = 0xFFFFFFF0;
	assert_int_equal(set(&r, 35, RNDIS_OID_GEN_RNDIS_CONFIG_PARAMETER, info, len),
			 RNDIS_STATUS_INVALID_DATA);
	p->parameter_value_offset = 48;
	p->parameter_name_length = len;
	assert_int_equal(set(&r, 36, RNDIS_OID_GEN_RNDIS_CONFIG_PARAMETER, info, len),
			 RNDIS_STATUS_INVALID_DATA);
	assert_int_equal(set(&r, 37, RNDIS_OID_GEN_RNDIS_CONFIG_PARAMETER, info, 8),
			 RNDIS_STATUS_INVALID_LENGTH);
	assert_memory_equal(r.mac, next, 6);
}

/* QUERY and SET before INIT fail and change nothing. */
static void test_before_init(void **state)
{
	uint8_t msg[64], reply[RNDIS_REPLY_MAX];
	uint32_t filter = 0x0D;
	struct rndis r;
	(void)state;

	rndis_init(&r, mac, 1500, true);
	assert_int_equal(rndis_control(&r, msg,
				       request(msg, RNDIS_MSG_SET, 1,
					       RNDIS_OID_GEN_CURRENT_PACKET_FILTER, &filter, 4),
				       reply),
			 16);
	assert_int_equal(u32_at(reply, 12), RNDIS_STATUS_FAILURE);
	assert_int_equal(r.filter, 0);
	assert_int_equal(rndis_control(&r, msg,
				       request(msg, RNDIS_MSG_QUERY, 2,
					       RNDIS_OID_GEN_MAXIMUM_FRAME_SIZE, NULL, 0),
				       reply),
			 24);
	assert_int_equal(u32_at(reply, 8), 2);
	assert_int_equal(u32_at(reply, 12), RNDIS_STATUS_FAILURE);
	assert_int_equal(u32_at(reply, 16), 0);
}

static void test_halt_reset_keepalive(void **state)
{
	uint32_t halt[3] = {RNDIS_MSG_HALT, 12, 5}, reset[3] = {RNDIS_MSG_RESET, 12, 0};
	uint32_t keepalive[3] = {RNDIS_MSG_KEEPALIVE, 12, 77};
	uint8_t reply[RNDIS_REPLY_MAX];
	struct rndis r;
	(void)state;

	setup(&r);
	r.filter = 0x0D;
	assert_int_equal(rndis_control(&r, reset, sizeof(reset), reply), 16);
	assert_int_equal(u32_at(reply, 0), RNDIS_MSG_RESET_C);
	assert_int_equal(u32_at(reply, 8), RNDIS_STATUS_SUCCESS);
	assert_int_equal(u32_at(reply, 12), 0);
	assert_true(r.initialized);

	assert_int_equal(rndis_control(&r, keepalive, sizeof(keepalive), reply), 16);
	assert_int_equal(u32_at(reply, 0), RNDIS_MSG_KEEPALIVE_C);
	assert_int_equal(u32_at(reply, 8), 77);
	assert_int_equal(u32_at(reply, 12), RNDIS_STATUS_SUCCESS);

	assert_int_equal(rndis_control(&r, halt, sizeof(halt), reply), 0);
	assert_false(r.initialized);
	assert_int_equal(r.filter, 0);
}

static void test_malformed_control(void **state)
{
	uint8_t msg[64] = {0}, reply[RNDIS_REPLY_MAX];
	uint32_t hdr[2];
	struct rndis r;
	uint32_t v, size, status;
	(void)state;

	setup(&r);
	assert_int_equal(rndis_control(&r, msg, 4, reply), -EBADMSG);
	hdr[0] = RNDIS_MSG_QUERY;
	hdr[1] = 4; /* msg_len shorter than a header */
	memcpy(msg, hdr, 8);
	assert_int_equal(rndis_control(&r, msg, 64, reply), -EBADMSG);
	/* No req_id: nothing to answer. */
	hdr[1] = 8;
	memcpy(msg, hdr, 8);
	assert_int_equal(rndis_control(&r, msg, 64, reply), -EBADMSG);
	hdr[0] = RNDIS_MSG_INIT;
	memcpy(msg, hdr, 8);
	assert_int_equal(rndis_control(&r, msg, 64, reply), -EBADMSG);
	/* A req_id but not the whole request: answered, INVALID_LENGTH. */
	hdr[0] = RNDIS_MSG_QUERY;
	hdr[1] = 16;
	memcpy(msg, hdr, 8);
	msg[8] = 9;
	assert_int_equal(rndis_control(&r, msg, 64, reply), 24);
	assert_int_equal(u32_at(reply, 8), 9);
	assert_int_equal(u32_at(reply, 12), RNDIS_STATUS_INVALID_LENGTH);
	hdr[0] = RNDIS_MSG_INIT;
	memcpy(msg, hdr, 8);
	rndis_reset(&r);
	assert_int_equal(rndis_control(&r, msg, 64, reply), 52);
	assert_int_equal(u32_at(reply, 12), RNDIS_STATUS_INVALID_LENGTH);
	assert_false(r.initialized);
	init_device(&r);
	/* msg_len says more than the caller holds: only what is held counts. */
	hdr[1] = 1000;
	hdr[0] = RNDIS_MSG_SET;
	memcpy(msg, hdr, 8);
	assert_int_equal(rndis_control(&r, msg, 20, reply), 16);
	assert_int_equal(u32_at(reply, 12), RNDIS_STATUS_INVALID_LENGTH);

	/* Info buffers outside the message. */
	request(msg, RNDIS_MSG_SET, 40, RNDIS_OID_GEN_CURRENT_PACKET_FILTER, &v, 4);
	memcpy(msg + 20, &(uint32_t){0xFFFFFFFC}, 4); /* info_buf_offset */
	assert_int_equal(rndis_control(&r, msg, 32, reply), 16);
	assert_int_equal(u32_at(reply, 12), RNDIS_STATUS_INVALID_DATA);
	request(msg, RNDIS_MSG_SET, 41, RNDIS_OID_GEN_CURRENT_PACKET_FILTER, &v, 4);
	memcpy(msg + 16, &(uint32_t){0xFFFFFFFF}, 4); /* info_buflen */
	assert_int_equal(rndis_control(&r, msg, 32, reply), 16);
	assert_int_equal(u32_at(reply, 12), RNDIS_STATUS_INVALID_DATA);
	request(msg, RNDIS_MSG_SET, 42, RNDIS_OID_GEN_CURRENT_PACKET_FILTER, &v, 4);
	memcpy(msg + 20, &(uint32_t){4}, 4); /* inside the request itself */
	assert_int_equal(rndis_control(&r, msg, 32, reply), 16);
	assert_int_equal(u32_at(reply, 12), RNDIS_STATUS_INVALID_DATA);
	request(msg, RNDIS_MSG_QUERY, 43, RNDIS_OID_GEN_LINK_SPEED, &v, 4);
	memcpy(msg + 20, &(uint32_t){60}, 4);
	size = 4;
	assert_int_equal(rndis_control(&r, msg, 32, reply), 24);
	assert_int_equal(linux_query(reply, 24, 43, &v, &size), 0);
	assert_int_equal(size, 0);
	status = u32_at(reply, 12);
	assert_int_equal(status, RNDIS_STATUS_INVALID_DATA);

	/* Messages a device never answers. */
	hdr[0] = RNDIS_MSG_INDICATE;
	hdr[1] = 20;
	memcpy(msg, hdr, 8);
	assert_int_equal(rndis_control(&r, msg, 20, reply), 0);
	hdr[0] = RNDIS_MSG_QUERY_C;
	memcpy(msg, hdr, 8);
	assert_int_equal(rndis_control(&r, msg, 20, reply), 0);
	hdr[0] = 0x55;
	memcpy(msg, hdr, 8);
	assert_int_equal(rndis_control(&r, msg, 20, reply), 0);
}

/* A PACKET message as Linux's netvsc_xmit builds it: per_pkt_info_offset
 * 36 always, the PPIs, then the frame at data_offset 36 + ppi_len. */
struct ppi_spec {
	uint32_t type;
	uint32_t value;
};

static uint32_t packet(uint8_t *buf, const struct ppi_spec *ppi, unsigned int nppi,
		       uint32_t frame_len)
{
	struct rndis_packet p = {.data_offset = 36, .per_pkt_info_offset = 36};
	uint32_t at = 44;

	for (unsigned int i = 0; i < nppi; i++) {
		struct rndis_per_packet_info h = {16, ppi[i].type, 12};

		memcpy(buf + at, &h, sizeof(h));
		memcpy(buf + at + 12, &ppi[i].value, 4);
		at += 16;
		p.data_offset += 16;
		p.per_pkt_info_len += 16;
	}
	p.data_len = frame_len;
	memset(buf + at, 0xEE, frame_len);
	struct rndis_message_header h = {RNDIS_MSG_PACKET, at + frame_len};
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + 8, &p, sizeof(p));
	return h.msg_len;
}

static void test_parse_packet(void **state)
{
	/* hash, then VLAN 100 priority 5 CFI 0 */
	const struct ppi_spec ppis[] = {{NBL_HASH_VALUE, 0x12345678}, {IEEE_8021Q_INFO, 5 | 100 << 4}};
	uint8_t buf[2048];
	struct rndis_tx tx;
	uint32_t len;
	(void)state;

	len = packet(buf, NULL, 0, 60);
	assert_int_equal(rndis_parse_packet(buf, len, len, &tx), 0);
	assert_int_equal(tx.data_offset, 44);
	assert_int_equal(tx.data_len, 60);
	assert_false(tx.vlan);

	len = packet(buf, ppis, ARRAY_SIZE(ppis), 1514);
	assert_int_equal(rndis_parse_packet(buf, RNDIS_PACKET_HEAD_MAX, len, &tx), 0);
	assert_int_equal(tx.data_offset, 44 + 32);
	assert_int_equal(tx.data_len, 1514);
	assert_true(tx.vlan);
	assert_int_equal(tx.vlan_tci, 5 << 13 | 100);

	/* A zero-length frame parses; the caller drops it as a runt. */
	len = packet(buf, NULL, 0, 0);
	assert_int_equal(rndis_parse_packet(buf, len, len, &tx), 0);
	assert_int_equal(tx.data_len, 0);
}

static void test_parse_packet_hostile(void **state)
{
	const struct ppi_spec vlan = {IEEE_8021Q_INFO, 1 << 4};
	uint8_t buf[1024];
	struct rndis_packet *p = (void *)(buf + 8);
	struct rndis_per_packet_info *ppi = (void *)(buf + 44);
	struct rndis_tx tx;
	uint32_t len;
	(void)state;

	len = packet(buf, NULL, 0, 60);
	assert_int_equal(rndis_parse_packet(buf, 40, len, &tx), -EBADMSG);	/* short */
	assert_int_equal(rndis_parse_packet(buf, len, len - 1, &tx), -EBADMSG); /* head > msg */
	assert_int_equal(rndis_parse_packet(buf, len - 8, len - 8, &tx), -EBADMSG); /* msg_len */
	buf[0] = RNDIS_MSG_INIT;
	assert_int_equal(rndis_parse_packet(buf, len, len, &tx), -EBADMSG);
	buf[0] = RNDIS_MSG_PACKET;
	p->data_len = 61; /* one byte past the message */
	assert_int_equal(rndis_parse_packet(buf, len, len, &tx), -EBADMSG);
	p->data_len = 60;
	p->data_offset = 0xFFFFFFF0;
	assert_int_equal(rndis_parse_packet(buf, len, len, &tx), -EBADMSG);
	p->data_offset = 20; /* inside the header */
	assert_int_equal(rndis_parse_packet(buf, len, len, &tx), -EBADMSG);
	p->data_offset = 36;
	p->oob_data_len = 100;
	assert_int_equal(rndis_parse_packet(buf, len, len, &tx), -EBADMSG);
	p->oob_data_len = 0;

	len = packet(buf, &vlan, 1, 60);
	assert_int_equal(rndis_parse_packet(buf, len, len, &tx), 0);
	p->per_pkt_info_len = 0xFFFFFFFF;
	assert_int_equal(rndis_parse_packet(buf, len, len, &tx), -EBADMSG);
	p->per_pkt_info_len = 16;
	p->per_pkt_info_offset = 8;
	assert_int_equal(rndis_parse_packet(buf, len, len, &tx), -EBADMSG);
	p->per_pkt_info_offset = 36;
	ppi->size = 0; /* would never advance */
	assert_int_equal(rndis_parse_packet(buf, len, len, &tx), -EBADMSG);
	ppi->size = 32; /* past the list */
	assert_int_equal(rndis_parse_packet(buf, len, len, &tx), -EBADMSG);
	ppi->size = 16;
	ppi->ppi_offset = 14; /* its u32 leaves the entry */
	assert_int_equal(rndis_parse_packet(buf, len, len, &tx), -EBADMSG);
	ppi->ppi_offset = 40;
	assert_int_equal(rndis_parse_packet(buf, len, len, &tx), -EBADMSG);
	ppi->ppi_offset = 4;
	assert_int_equal(rndis_parse_packet(buf, len, len, &tx), -EBADMSG);
	ppi->ppi_offset = 12;
	p->per_pkt_info_len = 20; /* a 4-byte tail no entry fits in */
	p->data_offset = 56;
	p->data_len = 56;
	assert_int_equal(rndis_parse_packet(buf, len, len, &tx), -EBADMSG);

	/* PPIs beyond the head the caller read are refused. */
	len = packet(buf, NULL, 0, 600);
	p->per_pkt_info_offset = 400;
	p->per_pkt_info_len = 16;
	assert_int_equal(rndis_parse_packet(buf, RNDIS_PACKET_HEAD_MAX, len, &tx), -EBADMSG);
}

static void test_rx_filter(void **state)
{
	static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	static const uint8_t mcast[6] = {0x33, 0x33, 0, 0, 0, 1};
	static const uint8_t other[6] = {0x00, 0x15, 0x5d, 0x09, 0x09, 0x09};
	struct rndis r;
	(void)state;

	setup(&r);
	assert_false(rndis_rx_wanted(&r, mac));
	r.filter = NDIS_PACKET_TYPE_DIRECTED;
	assert_true(rndis_rx_wanted(&r, mac));
	assert_false(rndis_rx_wanted(&r, other));
	assert_false(rndis_rx_wanted(&r, bcast));
	assert_false(rndis_rx_wanted(&r, mcast));
	r.filter |= NDIS_PACKET_TYPE_BROADCAST;
	assert_true(rndis_rx_wanted(&r, bcast));
	assert_false(rndis_rx_wanted(&r, mcast));
	r.filter |= NDIS_PACKET_TYPE_ALL_MULTICAST;
	assert_true(rndis_rx_wanted(&r, mcast));
	r.filter = NDIS_PACKET_TYPE_MULTICAST;
	assert_true(rndis_rx_wanted(&r, mcast));
	assert_false(rndis_rx_wanted(&r, bcast));
	r.filter = NDIS_PACKET_TYPE_PROMISCUOUS;
	assert_true(rndis_rx_wanted(&r, other));
}

/* rndis_filter_receive_data and netvsc_linkstatus_callback's checks. */
static void test_rx_header_and_indicate(void **state)
{
	uint8_t buf[64];
	struct rndis_packet p;
	struct rndis_indicate_status s;
	struct rndis r;
	(void)state;

	rndis_rx_header(buf, 1514);
	assert_int_equal(u32_at(buf, 0), RNDIS_MSG_PACKET);
	assert_int_equal(u32_at(buf, 4), RNDIS_RX_HEADER_SIZE + 1514);
	memcpy(&p, buf + 8, sizeof(p));
	assert_true(p.data_offset < RNDIS_RX_HEADER_SIZE + 1514 - RNDIS_HEADER_SIZE);
	assert_int_equal(RNDIS_HEADER_SIZE + p.data_offset, RNDIS_RX_HEADER_SIZE);
	assert_int_equal(p.data_len, 1514);
	assert_int_equal(p.per_pkt_info_offset, 0); /* no PPI */
	assert_int_equal(p.oob_data_len, 0);

	setup(&r);
	rndis_indicate(&r, buf);
	assert_int_equal(u32_at(buf, 0), RNDIS_MSG_INDICATE);
	assert_int_equal(u32_at(buf, 4), RNDIS_INDICATE_SIZE);
	assert_true(RNDIS_INDICATE_SIZE - RNDIS_HEADER_SIZE >= sizeof(s));
	memcpy(&s, buf + 8, sizeof(s));
	assert_int_equal(s.status, RNDIS_STATUS_MEDIA_CONNECT);
	r.link_up = false;
	rndis_indicate(&r, buf);
	assert_int_equal(u32_at(buf, 8), RNDIS_STATUS_MEDIA_DISCONNECT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init),
		cmocka_unit_test(test_linux_queries),
		cmocka_unit_test(test_set_offload_params),
		cmocka_unit_test(test_set_filter_and_rss),
		cmocka_unit_test(test_set_mac),
		cmocka_unit_test(test_before_init),
		cmocka_unit_test(test_halt_reset_keepalive),
		cmocka_unit_test(test_malformed_control),
		cmocka_unit_test(test_parse_packet),
		cmocka_unit_test(test_parse_packet_hostile),
		cmocka_unit_test(test_rx_filter),
		cmocka_unit_test(test_rx_header_and_indicate),
	};

	return unit_run("rndis", tests, ARRAY_SIZE(tests), NULL);
}
