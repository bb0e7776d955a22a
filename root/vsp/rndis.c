/* The RNDIS device behind netvsp: see rndis.h. */
#include "rndis.h"

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "hv/netvsc.h"

void rndis_init(struct rndis *r, const uint8_t mac[6], uint32_t mtu, bool link_up)
{
	memset(r, 0, sizeof(*r));
	memcpy(r->permanent_mac, mac, 6);
	memcpy(r->mac, mac, 6);
	r->mtu = mtu;
	r->link_up = link_up;
}

void rndis_reset(struct rndis *r)
{
	r->initialized = false;
	r->filter = 0;
}

/* [off, off + len) of a body lies inside a message of msg_len bytes. */
static bool in_body(uint32_t msg_len, uint32_t off, uint32_t len)
{
	return RNDIS_HEADER_SIZE + (uint64_t)off + len <= msg_len;
}

static int put_reply(void *reply, uint32_t type, const void *body, uint32_t body_len)
{
	struct rndis_message_header h = {type, RNDIS_HEADER_SIZE + body_len};

	memcpy(reply, &h, sizeof(h));
	memcpy((uint8_t *)reply + sizeof(h), body, body_len);
	return (int)h.msg_len;
}

static int init_complete(struct rndis *r, const uint8_t *msg, uint32_t len, void *reply)
{
	struct rndis_initialize_request q;
	struct rndis_initialize_complete c = {0};

	memcpy(&c.req_id, msg + RNDIS_HEADER_SIZE, sizeof(c.req_id));
	if (len < RNDIS_HEADER_SIZE + sizeof(q)) {
		c.status = RNDIS_STATUS_INVALID_LENGTH;
		return put_reply(reply, RNDIS_MSG_INIT_C, &c, sizeof(c));
	}
	/* Any version the guest names: the device answers with its own, 1.0. */
	r->initialized = true;
	r->filter = 0;
	c.status = RNDIS_STATUS_SUCCESS;
	c.major_ver = RNDIS_MAJOR_VERSION;
	c.minor_ver = RNDIS_MINOR_VERSION;
	c.dev_flags = RNDIS_DF_CONNECTIONLESS;
	c.medium = RNDIS_MEDIUM_802_3;
	c.max_pkt_per_msg = RNDIS_MAX_PKT_PER_MSG;
	c.max_xfer_size = RNDIS_MAX_XFER_SIZE;
	c.pkt_alignment_factor = RNDIS_PKT_ALIGNMENT_FACTOR;
	return put_reply(reply, RNDIS_MSG_INIT_C, &c, sizeof(c));
}

/* Linux's offload query: a valid NDIS_OFFLOAD whose capabilities are all
 * zero. Revision 1 and the NDIS 6.0 size are valid whatever NVSP version
 * the guest speaks. */
static uint32_t query_offload(struct ndis_offload *o)
{
	memset(o, 0, sizeof(*o));
	o->header.type = NDIS_OBJECT_TYPE_OFFLOAD;
	o->header.revision = NDIS_OFFLOAD_PARAMETERS_REVISION_1;
	o->header.size = NDIS_OFFLOAD_SIZE_6_0;
	return NDIS_OFFLOAD_SIZE_6_0;
}

static int query_complete(struct rndis *r, const uint8_t *msg, uint32_t len, void *reply)
{
	struct rndis_query_request q;
	struct {
		struct rndis_query_complete c;
		union {
			uint32_t u32;
			uint8_t mac[6];
			struct ndis_offload offload;
		} info;	/* right behind c: both are all u32 */
	} a;
	uint32_t info_len = 0;

	_Static_assert(offsetof(typeof(a), info) == sizeof(a.c), "query info offset");
	_Static_assert(RNDIS_HEADER_SIZE + sizeof(a) <= RNDIS_REPLY_MAX, "query reply");
	memset(&a, 0, sizeof(a));
	memcpy(&a.c.req_id, msg + RNDIS_HEADER_SIZE, sizeof(a.c.req_id));
	a.c.info_buf_offset = sizeof(a.c);
	if (!r->initialized || len < RNDIS_HEADER_SIZE + sizeof(q)) {
		a.c.status = r->initialized ? RNDIS_STATUS_INVALID_LENGTH : RNDIS_STATUS_FAILURE;
		return put_reply(reply, RNDIS_MSG_QUERY_C, &a.c, sizeof(a.c));
	}
	memcpy(&q, msg + RNDIS_HEADER_SIZE, sizeof(q));
	/* The request's own buffer (Linux fills in the object header it
	 * wants) is not needed, but it must lie inside the message. */
	if (q.info_buflen &&
	    (q.info_buf_offset < sizeof(q) || !in_body(len, q.info_buf_offset, q.info_buflen))) {
		a.c.status = RNDIS_STATUS_INVALID_DATA;
		return put_reply(reply, RNDIS_MSG_QUERY_C, &a.c, sizeof(a.c));
	}
	switch (q.oid) {
	case RNDIS_OID_GEN_MAXIMUM_FRAME_SIZE:
		a.info.u32 = r->mtu;
		info_len = sizeof(uint32_t);
		break;
	case RNDIS_OID_802_3_PERMANENT_ADDRESS:
		memcpy(a.info.mac, r->permanent_mac, 6);
		info_len = 6;
		break;
	case OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES:
		info_len = query_offload(&a.info.offload);
		break;
	case RNDIS_OID_GEN_MEDIA_CONNECT_STATUS:
		a.info.u32 = r->link_up ? NDIS_MEDIA_STATE_CONNECTED : NDIS_MEDIA_STATE_DISCONNECTED;
		info_len = sizeof(uint32_t);
		break;
	case RNDIS_OID_GEN_LINK_SPEED:
		a.info.u32 = RNDIS_LINK_SPEED;
		info_len = sizeof(uint32_t);
		break;
	default:
		/* FRIENDLY_NAME (optional) and RECEIVE_SCALE_CAPABILITIES
		 * among them: no RSS, so Linux keeps a single queue. */
		r->unsupported++;
		a.c.status = RNDIS_STATUS_NOT_SUPPORTED;
		break;
	}
	a.c.info_buflen = info_len;
	return put_reply(reply, RNDIS_MSG_QUERY_C, &a, sizeof(a.c) + info_len);
}

/* Every offload the guest may name must stay as it is or be off: nothing
 * can be turned on (a value above DISABLED). */
static uint32_t set_offload_params(const uint8_t *info, uint32_t len)
{
	static const struct {
		uint8_t first, last;
	} toggles[] = {
		{offsetof(struct ndis_offload_params, ip_v4_csum),
		 offsetof(struct ndis_offload_params, tcp_connection_ip_v6)},
		{offsetof(struct ndis_offload_params, ip_sec_v2),
		 offsetof(struct ndis_offload_params, rsc_ip_v6)},
	};

	if (len < sizeof(struct ndis_object_header))
		return RNDIS_STATUS_INVALID_LENGTH;
	for (size_t t = 0; t < sizeof(toggles) / sizeof(toggles[0]); t++)
		for (uint32_t i = toggles[t].first; i <= toggles[t].last && i < len; i++)
			if (info[i] > NDIS_OFFLOAD_PARAMETERS_DISABLED)
				return RNDIS_STATUS_NOT_SUPPORTED;
	return RNDIS_STATUS_SUCCESS;
}

static bool utf16_is(const uint8_t *s, uint32_t bytes, const char *ascii)
{
	size_t n = strlen(ascii);

	if (bytes != 2 * n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[2 * i + 1] || tolower(s[2 * i]) != tolower((unsigned char)ascii[i]))
			return false;
	return true;
}

static int hex_digit(const uint8_t *c)
{
	if (c[1] || !isxdigit(c[0]))
		return -1;
	return isdigit(c[0]) ? c[0] - '0' : tolower(c[0]) - 'a' + 10;
}

/* "NetworkAddress" = 12 hex digits: the guest changes its MAC (Linux
 * rndis_filter_set_device_mac); the directed filter follows it. */
static uint32_t set_config_parameter(struct rndis *r, const uint8_t *info, uint32_t len)
{
	struct rndis_config_parameter_info p;
	const uint8_t *value;
	uint8_t mac[6];

	if (len < sizeof(p))
		return RNDIS_STATUS_INVALID_LENGTH;
	memcpy(&p, info, sizeof(p));
	if ((uint64_t)p.parameter_name_offset + p.parameter_name_length > len ||
	    (uint64_t)p.parameter_value_offset + p.parameter_value_length > len)
		return RNDIS_STATUS_INVALID_DATA;
	if (!utf16_is(info + p.parameter_name_offset, p.parameter_name_length, "NetworkAddress")) {
		r->unsupported++;
		return RNDIS_STATUS_NOT_SUPPORTED;
	}
	if (p.parameter_type != RNDIS_CONFIG_PARAM_TYPE_STRING || p.parameter_value_length != 24)
		return RNDIS_STATUS_INVALID_DATA;
	value = info + p.parameter_value_offset;
	for (int i = 0; i < 6; i++) {
		int hi = hex_digit(value + 4 * i), lo = hex_digit(value + 4 * i + 2);

		if (hi < 0 || lo < 0)
			return RNDIS_STATUS_INVALID_DATA;
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	if (mac[0] & 1)
		return RNDIS_STATUS_INVALID_DATA;
	memcpy(r->mac, mac, 6);
	return RNDIS_STATUS_SUCCESS;
}

static int set_complete(struct rndis *r, const uint8_t *msg, uint32_t len, void *reply)
{
	struct rndis_set_request q;
	struct rndis_set_complete c = {0};
	const uint8_t *info;

	memcpy(&c.req_id, msg + RNDIS_HEADER_SIZE, sizeof(c.req_id));
	if (!r->initialized || len < RNDIS_HEADER_SIZE + sizeof(q)) {
		c.status = r->initialized ? RNDIS_STATUS_INVALID_LENGTH : RNDIS_STATUS_FAILURE;
		return put_reply(reply, RNDIS_MSG_SET_C, &c, sizeof(c));
	}
	memcpy(&q, msg + RNDIS_HEADER_SIZE, sizeof(q));
	if (q.info_buflen &&
	    (q.info_buf_offset < sizeof(q) || !in_body(len, q.info_buf_offset, q.info_buflen))) {
		c.status = RNDIS_STATUS_INVALID_DATA;
		return put_reply(reply, RNDIS_MSG_SET_C, &c, sizeof(c));
	}
	info = msg + RNDIS_HEADER_SIZE + q.info_buf_offset;
	switch (q.oid) {
	case RNDIS_OID_GEN_CURRENT_PACKET_FILTER:
		if (q.info_buflen < sizeof(r->filter)) {
			c.status = RNDIS_STATUS_INVALID_LENGTH;
			break;
		}
		memcpy(&r->filter, info, sizeof(r->filter));
		c.status = RNDIS_STATUS_SUCCESS;
		break;
	case OID_TCP_OFFLOAD_PARAMETERS:
		c.status = set_offload_params(info, q.info_buflen);
		break;
	case RNDIS_OID_GEN_RNDIS_CONFIG_PARAMETER:
		c.status = set_config_parameter(r, info, q.info_buflen);
		break;
	default:
		/* RECEIVE_SCALE_PARAMETERS among them: the capabilities
		 * query said there is no RSS. */
		r->unsupported++;
		c.status = RNDIS_STATUS_NOT_SUPPORTED;
		break;
	}
	return put_reply(reply, RNDIS_MSG_SET_C, &c, sizeof(c));
}

static int keepalive_complete(const uint8_t *msg, void *reply)
{
	struct rndis_keepalive_complete c = {0, RNDIS_STATUS_SUCCESS};

	memcpy(&c.req_id, msg + RNDIS_HEADER_SIZE, sizeof(c.req_id));
	return put_reply(reply, RNDIS_MSG_KEEPALIVE_C, &c, sizeof(c));
}

int rndis_control(struct rndis *r, const void *msg, uint32_t len, void *reply)
{
	struct rndis_message_header h;
	const uint8_t *m = msg;
	bool has_req_id;

	if (len < RNDIS_HEADER_SIZE)
		return -EBADMSG;
	memcpy(&h, m, sizeof(h));
	if (h.msg_len < RNDIS_HEADER_SIZE)
		return -EBADMSG;
	if (len > h.msg_len)
		len = h.msg_len;
	/* Every request but HALT and RESET starts with the req_id its reply
	 * echoes; without one there is nothing to answer. QUERY and SET fail
	 * until INIT (Linux never sends them earlier). */
	has_req_id = len >= RNDIS_HEADER_SIZE + sizeof(uint32_t);

	switch (h.ndis_msg_type) {
	case RNDIS_MSG_HALT:
		rndis_reset(r);
		return 0;
	case RNDIS_MSG_RESET: {
		/* Nothing is lost that the guest would have to set again. */
		struct rndis_reset_complete c = {RNDIS_STATUS_SUCCESS, 0};

		return put_reply(reply, RNDIS_MSG_RESET_C, &c, sizeof(c));
	}
	case RNDIS_MSG_INIT:
		return has_req_id ? init_complete(r, m, len, reply) : -EBADMSG;
	case RNDIS_MSG_QUERY:
		return has_req_id ? query_complete(r, m, len, reply) : -EBADMSG;
	case RNDIS_MSG_SET:
		return has_req_id ? set_complete(r, m, len, reply) : -EBADMSG;
	case RNDIS_MSG_KEEPALIVE:
		return has_req_id ? keepalive_complete(m, reply) : -EBADMSG;
	default:
		/* PACKET belongs to rndis_parse_packet; the rest (INDICATE,
		 * completions) a device never answers. */
		r->unsupported++;
		return 0;
	}
}

/* The PPI list at [at, end) of head: every entry whole, its data inside
 * it; the 802.1Q one read out. */
static int parse_ppis(const uint8_t *head, uint32_t at, uint32_t end, struct rndis_tx *tx)
{
	while (at < end) {
		struct rndis_per_packet_info p;
		uint32_t v;

		if (end - at < sizeof(p))
			return -EBADMSG;
		memcpy(&p, head + at, sizeof(p));
		if (p.size < sizeof(p) || p.size > end - at || p.ppi_offset < sizeof(p) ||
		    p.ppi_offset > p.size)
			return -EBADMSG;
		if (p.type == IEEE_8021Q_INFO) {
			if (p.size - p.ppi_offset < sizeof(v))
				return -EBADMSG;
			memcpy(&v, head + at + p.ppi_offset, sizeof(v));
			tx->vlan = true;
			tx->vlan_tci = (uint16_t)(NDIS_8021Q_PRI(v) << 13 | NDIS_8021Q_CFI(v) << 12 |
						  NDIS_8021Q_VID(v));
		}
		at += p.size;
	}
	return 0;
}

int rndis_parse_packet(const void *head, uint32_t head_len, uint32_t msg_len, struct rndis_tx *tx)
{
	const uint32_t hdr = RNDIS_HEADER_SIZE + sizeof(struct rndis_packet);
	struct rndis_message_header h;
	struct rndis_packet p;

	memset(tx, 0, sizeof(*tx));
	if (head_len < hdr || head_len > msg_len)
		return -EBADMSG;
	memcpy(&h, head, sizeof(h));
	memcpy(&p, (const uint8_t *)head + RNDIS_HEADER_SIZE, sizeof(p));
	if (h.ndis_msg_type != RNDIS_MSG_PACKET || h.msg_len != msg_len)
		return -EBADMSG;
	if (p.data_offset < sizeof(p) || !in_body(msg_len, p.data_offset, p.data_len))
		return -EBADMSG;
	if (p.oob_data_len &&
	    (p.oob_data_offset < sizeof(p) || !in_body(msg_len, p.oob_data_offset, p.oob_data_len)))
		return -EBADMSG;
	if (p.per_pkt_info_len) {
		if (p.per_pkt_info_offset < sizeof(p) ||
		    !in_body(head_len, p.per_pkt_info_offset, p.per_pkt_info_len))
			return -EBADMSG;
		if (parse_ppis(head, RNDIS_HEADER_SIZE + p.per_pkt_info_offset,
			       RNDIS_HEADER_SIZE + p.per_pkt_info_offset + p.per_pkt_info_len, tx))
			return -EBADMSG;
	}
	tx->data_offset = RNDIS_HEADER_SIZE + p.data_offset;
	tx->data_len = p.data_len;
	return 0;
}

/* NDIS_PACKET_TYPE_MULTICAST would take only the guest's list; the host
 * keeps no list and lets every multicast frame through, for the guest's
 * own filter to sort. */
bool rndis_rx_wanted(const struct rndis *r, const uint8_t dst[6])
{
	static const uint8_t broadcast[6] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};

	if (r->filter & NDIS_PACKET_TYPE_PROMISCUOUS)
		return true;
	if (!memcmp(dst, broadcast, 6))
		return r->filter & NDIS_PACKET_TYPE_BROADCAST;
	if (dst[0] & 1)
		return r->filter & (NDIS_PACKET_TYPE_MULTICAST | NDIS_PACKET_TYPE_ALL_MULTICAST);
	return (r->filter & NDIS_PACKET_TYPE_DIRECTED) && !memcmp(dst, r->mac, 6);
}

void rndis_rx_header(void *buf, uint32_t frame_len)
{
	struct rndis_message_header h = {RNDIS_MSG_PACKET, RNDIS_RX_HEADER_SIZE + frame_len};
	struct rndis_packet p = {.data_offset = sizeof(p), .data_len = frame_len};

	memcpy(buf, &h, sizeof(h));
	memcpy((uint8_t *)buf + sizeof(h), &p, sizeof(p));
}

void rndis_indicate(const struct rndis *r, void *buf)
{
	struct rndis_message_header h = {RNDIS_MSG_INDICATE, RNDIS_INDICATE_SIZE};
	struct rndis_indicate_status s = {
		.status = r->link_up ? RNDIS_STATUS_MEDIA_CONNECT : RNDIS_STATUS_MEDIA_DISCONNECT,
	};

	memcpy(buf, &h, sizeof(h));
	memcpy((uint8_t *)buf + sizeof(h), &s, sizeof(s));
}
