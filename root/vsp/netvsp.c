/* netvsp, the NVSP side of hv_netvsc's channel: see netvsp.h. */
#include "netvsp.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

/* The RNDIS bytes of one SEND_RNDIS_PKT: the send-buffer section (at most
 * two pieces, the pages need not be adjacent), then the data iovecs. */
#define STREAM_SEGS	(NETVSP_SEND_SECTION_SIZE / NETVSP_PAGE_SIZE + 2 + NETVSP_TX_IOV_MAX)

struct stream {
	unsigned int n;
	uint64_t len;
	struct iovec seg[STREAM_SEGS];
};

static uint32_t min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

static void stream_add(struct stream *s, void *base, size_t len)
{
	s->seg[s->n].iov_base = base;
	s->seg[s->n].iov_len = len;
	s->n++;
	s->len += len;
}

/* Copies [off, off + len) of the stream, which the caller has checked is
 * inside it. */
static void stream_read(const struct stream *s, uint64_t off, void *dst, uint32_t len)
{
	uint8_t *d = dst;

	for (unsigned int i = 0; i < s->n && len; i++) {
		uint64_t seg_len = s->seg[i].iov_len;
		uint32_t chunk;

		if (off >= seg_len) {
			off -= seg_len;
			continue;
		}
		chunk = (uint32_t)(seg_len - off < len ? seg_len - off : len);
		memcpy(d, (uint8_t *)s->seg[i].iov_base + off, chunk);
		d += chunk;
		len -= chunk;
		off = 0;
	}
}

/* Appends [off, off + len) of the stream to out's iovecs.
 * Return values: true; false out of iovecs. */
static bool stream_iov(const struct stream *s, uint64_t off, uint64_t len, struct netvsp_out *out)
{
	for (unsigned int i = 0; i < s->n && len; i++) {
		uint64_t seg_len = s->seg[i].iov_len, chunk;

		if (off >= seg_len) {
			off -= seg_len;
			continue;
		}
		if (out->niov == NETVSP_OUT_IOV_MAX)
			return false;
		chunk = seg_len - off < len ? seg_len - off : len;
		out->iov[out->niov].iov_base = (uint8_t *)s->seg[i].iov_base + off;
		out->iov[out->niov].iov_len = chunk;
		out->niov++;
		len -= chunk;
		off = 0;
	}
	return true;
}

static struct netvsp_action *out_add(struct netvsp_out *out, enum netvsp_action_kind kind)
{
	struct netvsp_action *a;

	if (out->n == NETVSP_OUT_MAX)
		return NULL;
	a = &out->a[out->n++];
	memset(a, 0, sizeof(*a));
	a->kind = kind;
	return a;
}

/* A completion carrying an NVSP message of type msg_type, to fill in.
 * Every handler but SEND_RNDIS_PKT's adds it to an empty out; that one
 * adds it behind at most RNDIS_MAX_PKT_PER_MSG actions, and checks. */
static struct nvsp_message *complete(struct netvsp_out *out, uint64_t trans_id, uint32_t msg_type)
{
	struct netvsp_action *a = out_add(out, NETVSP_OUT_PACKET);

	if (!a)
		return NULL;
	a->pkt.type = VM_PKT_COMP;
	a->pkt.trans_id = trans_id;
	a->pkt.len = NVSP_MESSAGE_SIZE;
	a->pkt.msg.hdr.msg_type = msg_type;
	return &a->pkt.msg;
}

/* Receive buffer ------------------------------------------------------- */

/* Copies len bytes to offset off of the receive buffer, page by page. */
static void recv_write(struct netvsp *n, uint64_t off, const void *src, uint32_t len)
{
	const uint8_t *s = src;

	while (len) {
		uint32_t in = (uint32_t)(off % NETVSP_PAGE_SIZE);
		uint32_t chunk = min_u32(NETVSP_PAGE_SIZE - in, len);

		memcpy((uint8_t *)n->recv_page[off / NETVSP_PAGE_SIZE] + in, s, chunk);
		s += chunk;
		off += chunk;
		len -= chunk;
	}
}

static int section_alloc(struct netvsp *n)
{
	uint32_t words = (n->recv_sections + 63) / 64;

	for (uint32_t k = 0; k < words; k++) {
		uint32_t w = (n->recv_hint + k) % words;
		uint64_t free = ~n->recv_busy[w];
		int bit;

		if (w == words - 1 && n->recv_sections % 64)
			free &= (1ull << (n->recv_sections % 64)) - 1;
		if (!free)
			continue;
		bit = __builtin_ctzll(free);
		n->recv_busy[w] |= 1ull << bit;
		n->recv_hint = w;
		return (int)(w * 64 + (uint32_t)bit);
	}
	return -1;
}

/* Writes one RNDIS message (head, then body) into a free receive section
 * and adds the transfer-page packet that hands it to the guest.
 * Return values: true; false no free section or no room in out. */
static bool xfer(struct netvsp *n, const void *head, uint32_t head_len, const void *body,
		 uint32_t body_len, uint32_t channel_type, struct netvsp_out *out)
{
	struct netvsp_action *a;
	uint64_t at;
	int section;

	if (!n->recv_mapped || out->n == NETVSP_OUT_MAX)
		return false;
	section = section_alloc(n);
	if (section < 0)
		return false;
	at = (uint64_t)section * n->recv_section_size;
	recv_write(n, at, head, head_len);
	recv_write(n, at + head_len, body, body_len);

	a = out_add(out, NETVSP_OUT_PACKET);
	a->pkt.type = VM_PKT_DATA_USING_XFER_PAGES;
	a->pkt.flags = VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED;
	a->pkt.trans_id = (uint64_t)n->recv_gen << 32 | (uint32_t)section;
	a->pkt.len = NVSP_MESSAGE_SIZE;
	a->pkt.msg.hdr.msg_type = NVSP_MSG1_TYPE_SEND_RNDIS_PKT;
	a->pkt.msg.msg.send_rndis_pkt.channel_type = channel_type;
	a->pkt.msg.msg.send_rndis_pkt.send_buf_section_index = NETVSC_INVALID_INDEX;
	a->pkt.pageset_id = n->recv_id;
	a->pkt.range.byte_offset = (uint32_t)at;
	a->pkt.range.byte_count = head_len + body_len;
	return true;
}

static void flush_pending(struct netvsp *n, struct netvsp_out *out)
{
	while (n->pending_n) {
		unsigned int i = n->pending_head;

		if (!xfer(n, n->pending[i].bytes, n->pending[i].len, NULL, 0,
			  NVSP_CHANNEL_TYPE_CONTROL, out))
			return;
		n->stats.ctrl_replies++;
		n->pending_head = (i + 1) % NETVSP_PENDING_MAX;
		n->pending_n--;
	}
}

/* An RNDIS reply or indication: the guest waits for replies without a
 * timeout, so one that finds no free section waits for one, behind those
 * already waiting. */
static bool send_control(struct netvsp *n, const void *msg, uint32_t len, struct netvsp_out *out)
{
	unsigned int tail;

	if (!n->recv_mapped || n->pending_n == NETVSP_PENDING_MAX) {
		n->stats.ctrl_drop++;
		return false;
	}
	if (!n->pending_n && xfer(n, msg, len, NULL, 0, NVSP_CHANNEL_TYPE_CONTROL, out)) {
		n->stats.ctrl_replies++;
		return true;
	}
	tail = (n->pending_head + n->pending_n) % NETVSP_PENDING_MAX;
	memcpy(n->pending[tail].bytes, msg, len);
	n->pending[tail].len = len;
	n->pending_n++;
	return true;
}

static void recv_unmap(struct netvsp *n)
{
	n->recv_mapped = false;
	n->recv_gen++;
	n->pending_n = 0;
}

/* The guest is done with a transfer-page packet: its section is free. */
static int recv_completion(struct netvsp *n, uint64_t trans_id, const void *payload, uint32_t len,
			   struct netvsp_out *out)
{
	struct {
		struct nvsp_message_header hdr;
		struct nvsp_1_message_send_rndis_packet_complete c;
	} m;
	uint32_t section = (uint32_t)trans_id;
	uint64_t bit = 1ull << (section % 64);

	if (len < sizeof(m)) {
		n->stats.completion_bad++;
		return -EBADMSG;
	}
	memcpy(&m, payload, sizeof(m));
	/* Its status does not matter: the guest drops what it could not take. */
	if (m.hdr.msg_type != NVSP_MSG1_TYPE_SEND_RNDIS_PKT_COMPLETE || !n->recv_mapped ||
	    trans_id >> 32 != n->recv_gen || section >= n->recv_sections ||
	    !(n->recv_busy[section / 64] & bit)) {
		n->stats.completion_bad++;
		return -EBADMSG;
	}
	n->recv_busy[section / 64] &= ~bit;
	flush_pending(n, out);
	return 0;
}

/* Transmit ---------------------------------------------------------------- */

static int tx_packet(struct netvsp *n, const struct stream *s, uint64_t off, uint32_t msg_len,
		     struct netvsp_out *out)
{
	uint8_t head[RNDIS_PACKET_HEAD_MAX], eth[NETVSP_ETH_HLEN];
	uint32_t head_len = min_u32(msg_len, sizeof(head)), max, len;
	uint64_t data;
	struct netvsp_action *a;
	struct rndis_tx tx;
	unsigned int first;
	bool room;

	stream_read(s, off, head, head_len);
	if (rndis_parse_packet(head, head_len, msg_len, &tx)) {
		n->stats.rndis_bad++;
		return -EBADMSG;
	}
	if (!n->rndis.initialized) {
		n->stats.tx_drop_not_ready++;
		return 0;
	}
	if (!n->rndis.link_up) {
		n->stats.tx_drop_link_down++;
		return 0;
	}
	if (tx.data_len < NETVSP_ETH_HLEN) {
		n->stats.tx_drop_runt++;
		return 0;
	}
	data = off + tx.data_offset;
	stream_read(s, data, eth, sizeof(eth));
	max = n->rndis.mtu + NETVSP_ETH_HLEN;
	if (eth[12] == 0x81 && eth[13] == 0x00)
		max += NETVSP_VLAN_TAG_LEN;
	if (tx.data_len > max) {
		n->stats.tx_drop_oversize++;
		return 0;
	}
	first = out->niov;
	if (tx.vlan) {
		/* The guest hands the tag over in a PPI: put it back between
		 * the MAC addresses and the EtherType. */
		uint8_t *tag = out->vlan_tag[out->n];

		tag[0] = 0x81;
		tag[1] = 0x00;
		tag[2] = (uint8_t)(tx.vlan_tci >> 8);
		tag[3] = (uint8_t)tx.vlan_tci;
		room = stream_iov(s, data, 12, out) && out->niov < NETVSP_OUT_IOV_MAX;
		if (room) {
			out->iov[out->niov].iov_base = tag;
			out->iov[out->niov].iov_len = NETVSP_VLAN_TAG_LEN;
			out->niov++;
			room = stream_iov(s, data + 12, tx.data_len - 12, out);
		}
		len = tx.data_len + NETVSP_VLAN_TAG_LEN;
	} else {
		room = stream_iov(s, data, tx.data_len, out);
		len = tx.data_len;
	}
	if (!room) {
		out->niov = first;
		n->stats.tx_drop_no_room++;
		return 0;
	}
	a = out_add(out, NETVSP_OUT_FRAME);
	a->frame.iov = &out->iov[first];
	a->frame.niov = out->niov - first;
	a->frame.len = len;
	n->stats.tx_packets++;
	n->stats.tx_bytes += len;
	return 0;
}

static int tx_control(struct netvsp *n, const struct stream *s, uint64_t off, uint32_t msg_len,
		      struct netvsp_out *out)
{
	uint8_t msg[RNDIS_CONTROL_MAX], reply[RNDIS_REPLY_MAX];
	uint32_t len = min_u32(msg_len, sizeof(msg));
	int ret;

	stream_read(s, off, msg, len);
	ret = rndis_control(&n->rndis, msg, len, reply);
	if (ret < 0) {
		n->stats.rndis_bad++;
		return -EBADMSG;
	}
	n->stats.rndis_control++;
	if (ret > 0)
		send_control(n, reply, (uint32_t)ret, out);
	return 0;
}

/* Every RNDIS message in the stream, one after the other; a message whose
 * length leaves the stream ends the walk. */
static int tx_stream(struct netvsp *n, const struct stream *s, struct netvsp_out *out)
{
	unsigned int msgs = 0;
	uint64_t off = 0;
	int ret = 0;

	while (off < s->len) {
		struct rndis_message_header h;
		int r;

		if (s->len - off < sizeof(h)) {
			n->stats.rndis_bad++;
			return -EBADMSG;
		}
		stream_read(s, off, &h, sizeof(h));
		if (h.msg_len < sizeof(h) || h.msg_len > s->len - off) {
			n->stats.rndis_bad++;
			return -EBADMSG;
		}
		if (msgs++ == RNDIS_MAX_PKT_PER_MSG) {
			n->stats.rndis_bad++;
			return -EBADMSG;
		}
		if (h.ndis_msg_type == RNDIS_MSG_PACKET)
			r = tx_packet(n, s, off, h.msg_len, out);
		else
			r = tx_control(n, s, off, h.msg_len, out);
		if (r)
			ret = r;
		off += h.msg_len;
	}
	return ret;
}

/* The section's bytes, then the data iovecs. */
static int stream_build(struct netvsp *n, const struct nvsp_1_message_send_rndis_packet *p,
			const struct iovec *data, unsigned int niov, struct stream *s)
{
	uint32_t index = p->send_buf_section_index;

	s->n = 0;
	s->len = 0;
	if (index != NETVSC_INVALID_INDEX) {
		uint32_t left = p->send_buf_section_size;
		uint64_t at = (uint64_t)index * NETVSP_SEND_SECTION_SIZE;

		if (!n->send_mapped || index >= n->send_sections || left > NETVSP_SEND_SECTION_SIZE)
			return -EBADMSG;
		while (left) {
			uint32_t in = (uint32_t)(at % NETVSP_PAGE_SIZE);
			uint32_t chunk = min_u32(NETVSP_PAGE_SIZE - in, left);

			stream_add(s, (uint8_t *)n->send_page[at / NETVSP_PAGE_SIZE] + in, chunk);
			at += chunk;
			left -= chunk;
		}
	}
	if (niov > NETVSP_TX_IOV_MAX)
		return -EBADMSG;
	for (unsigned int i = 0; i < niov; i++)
		if (data[i].iov_len)
			stream_add(s, data[i].iov_base, data[i].iov_len);
	return s->len ? 0 : -EBADMSG;
}

/* NVSP messages ------------------------------------------------------------ */

/* The message has its type and a body of body bytes. */
static bool has_body(uint32_t len, size_t body)
{
	return len >= sizeof(struct nvsp_message_header) + body;
}

static uint32_t pick_version(uint32_t min, uint32_t max)
{
	static const uint32_t versions[] = {
		NVSP_PROTOCOL_VERSION_61, NVSP_PROTOCOL_VERSION_6, NVSP_PROTOCOL_VERSION_5,
		NVSP_PROTOCOL_VERSION_4,  NVSP_PROTOCOL_VERSION_2, NVSP_PROTOCOL_VERSION_1,
	};

	for (size_t i = 0; i < sizeof(versions) / sizeof(versions[0]); i++)
		if (versions[i] >= min && versions[i] <= max)
			return versions[i];
	return 0;
}

/* A new session: whatever the guest set up before is forgotten. */
static void session_reset(struct netvsp *n)
{
	n->version = 0;
	recv_unmap(n);
	n->send_mapped = false;
	rndis_reset(&n->rndis);
}

static int nvsp_init(struct netvsp *n, uint64_t trans_id, const struct nvsp_message *m,
		     uint32_t len, struct netvsp_out *out)
{
	struct nvsp_message *c = complete(out, trans_id, NVSP_MSG_TYPE_INIT_COMPLETE);
	uint32_t v;

	c->msg.init_complete.status = NVSP_STAT_FAIL;
	if (!has_body(len, sizeof(m->msg.init))) {
		n->stats.nvsp_bad++;
		return -EBADMSG;
	}
	session_reset(n);
	v = pick_version(m->msg.init.min_protocol_ver, m->msg.init.max_protocol_ver);
	if (!v)
		return 0;	/* the guest tries its next version */
	n->version = v;
	c->msg.init_complete.negotiated_protocol_ver = v;
	c->msg.init_complete.max_mdl_chain_len = NETVSP_TX_IOV_MAX;
	c->msg.init_complete.status = NVSP_STAT_SUCCESS;
	return 0;
}

/* Asks the integrator for a GPADL's pages into pages[max].
 * Return values: how many; 0 unknown GPADL. */
static uint32_t map_gpadl(struct netvsp *n, uint32_t gpadl, void **pages, uint32_t max)
{
	int got = n->cfg.map_gpadl(n->cfg.ctx, gpadl, pages, max);

	if (got <= 0)
		return 0;
	return min_u32((uint32_t)got, max);
}

static int send_recv_buf(struct netvsp *n, uint64_t trans_id, const struct nvsp_message *m,
			 uint32_t len, struct netvsp_out *out)
{
	struct nvsp_message *c = complete(out, trans_id, NVSP_MSG1_TYPE_SEND_RECV_BUF_COMPLETE);
	struct nvsp_1_message_send_receive_buffer_complete *r = &c->msg.send_recv_buf_complete;
	uint64_t bytes;
	uint32_t pages;

	r->status = NVSP_STAT_FAIL;
	if (!has_body(len, sizeof(m->msg.send_recv_buf)) || !n->version || n->recv_mapped) {
		n->stats.nvsp_bad++;
		return -EBADMSG;
	}
	pages = map_gpadl(n, m->msg.send_recv_buf.gpadl_handle, n->recv_page,
			  NETVSP_RECV_BUF_PAGES_MAX);
	bytes = (uint64_t)pages * NETVSP_PAGE_SIZE;
	if (bytes < n->recv_section_size) {
		n->stats.nvsp_bad++;
		return -EBADMSG;
	}
	n->recv_sections = (uint32_t)(bytes / n->recv_section_size);
	if (n->recv_sections > NETVSP_RECV_SECTIONS_MAX)
		n->recv_sections = NETVSP_RECV_SECTIONS_MAX;
	n->recv_id = m->msg.send_recv_buf.id;
	n->recv_hint = 0;
	memset(n->recv_busy, 0, sizeof(n->recv_busy));
	n->recv_mapped = true;

	r->status = NVSP_STAT_SUCCESS;
	r->num_sections = 1;
	r->sections[0].offset = 0;
	r->sections[0].sub_alloc_size = n->recv_section_size;
	r->sections[0].num_sub_allocs = n->recv_sections;
	r->sections[0].end_offset = n->recv_sections * n->recv_section_size;
	return 0;
}

static int send_send_buf(struct netvsp *n, uint64_t trans_id, const struct nvsp_message *m,
			 uint32_t len, struct netvsp_out *out)
{
	struct nvsp_message *c = complete(out, trans_id, NVSP_MSG1_TYPE_SEND_SEND_BUF_COMPLETE);
	uint32_t pages;

	c->msg.send_send_buf_complete.status = NVSP_STAT_FAIL;
	if (!has_body(len, sizeof(m->msg.send_send_buf)) || !n->version || n->send_mapped) {
		n->stats.nvsp_bad++;
		return -EBADMSG;
	}
	pages = map_gpadl(n, m->msg.send_send_buf.gpadl_handle, n->send_page,
			  NETVSP_SEND_BUF_PAGES_MAX);
	n->send_sections = (uint32_t)((uint64_t)pages * NETVSP_PAGE_SIZE / NETVSP_SEND_SECTION_SIZE);
	if (!n->send_sections) {
		n->stats.nvsp_bad++;
		return -EBADMSG;
	}
	n->send_id = m->msg.send_send_buf.id;
	n->send_mapped = true;
	c->msg.send_send_buf_complete.status = NVSP_STAT_SUCCESS;
	c->msg.send_send_buf_complete.section_size = NETVSP_SEND_SECTION_SIZE;
	return 0;
}

static int revoke_buf(struct netvsp *n, const struct nvsp_message *m, uint32_t len)
{
	bool recv = m->hdr.msg_type == NVSP_MSG1_TYPE_REVOKE_RECV_BUF;

	if (!has_body(len, sizeof(uint16_t)))
		goto bad;
	if (recv) {
		if (!n->recv_mapped || m->msg.revoke_recv_buf.id != n->recv_id)
			goto bad;
		recv_unmap(n);
	} else {
		if (!n->send_mapped || m->msg.revoke_send_buf.id != n->send_id)
			goto bad;
		n->send_mapped = false;
	}
	return 0;
bad:
	n->stats.nvsp_bad++;
	return -EBADMSG;
}

static int send_rndis_pkt(struct netvsp *n, uint64_t trans_id, const struct nvsp_message *m,
			  uint32_t len, const struct iovec *data, unsigned int niov,
			  struct netvsp_out *out)
{
	struct nvsp_message *c;
	struct stream s;
	int ret;

	if (!has_body(len, sizeof(m->msg.send_rndis_pkt)) || !n->version ||
	    m->msg.send_rndis_pkt.channel_type > NVSP_CHANNEL_TYPE_CONTROL ||
	    stream_build(n, &m->msg.send_rndis_pkt, data, niov, &s)) {
		n->stats.nvsp_bad++;
		ret = -EBADMSG;
	} else {
		ret = tx_stream(n, &s, out);
	}
	c = complete(out, trans_id, NVSP_MSG1_TYPE_SEND_RNDIS_PKT_COMPLETE);
	if (c)
		c->msg.send_rndis_pkt_complete.status = ret ? NVSP_STAT_FAIL : NVSP_STAT_SUCCESS;
	return ret;
}

/* One queue only: no sub-channel is ever allocated, and 0 is an answer the
 * guest accepts. */
static int subchannel(struct netvsp *n, uint64_t trans_id, const struct nvsp_message *m,
		      uint32_t len, struct netvsp_out *out)
{
	struct nvsp_message *c = complete(out, trans_id, NVSP_MSG5_TYPE_SUBCHANNEL);

	c->msg.subchn_comp.status = NVSP_STAT_FAIL;
	if (!has_body(len, sizeof(m->msg.subchn_req)) || n->version < NVSP_PROTOCOL_VERSION_5 ||
	    m->msg.subchn_req.op != NVSP_SUBCHANNEL_ALLOCATE) {
		n->stats.nvsp_bad++;
		return -EBADMSG;
	}
	c->msg.subchn_comp.status = NVSP_STAT_SUCCESS;
	return 0;
}

/* There is never a VF, but a guest that switches to the synthetic path
 * waits for a completion without payload (Linux netvsc_send_completion,
 * the msglen 0 case). */
static int switch_data_path(struct netvsp *n, uint64_t trans_id, uint32_t len,
			    struct netvsp_out *out)
{
	struct netvsp_action *a;

	if (!has_body(len, sizeof(struct nvsp_4_sw_datapath)) ||
	    n->version < NVSP_PROTOCOL_VERSION_4) {
		n->stats.nvsp_bad++;
		return -EBADMSG;
	}
	a = out_add(out, NETVSP_OUT_PACKET);
	a->pkt.type = VM_PKT_COMP;
	a->pkt.trans_id = trans_id;
	return 0;
}

/* NDIS_VER and NDIS_CONFIG tell the host about the guest; no answer. */
static int guest_info(struct netvsp *n, const struct nvsp_message *m, uint32_t len)
{
	if (!n->version)
		goto bad;
	if (m->hdr.msg_type == NVSP_MSG1_TYPE_SEND_NDIS_VER) {
		if (!has_body(len, sizeof(m->msg.send_ndis_ver)))
			goto bad;
		n->ndis_major = m->msg.send_ndis_ver.ndis_major_ver;
		n->ndis_minor = m->msg.send_ndis_ver.ndis_minor_ver;
	} else {
		if (!has_body(len, sizeof(m->msg.send_ndis_config)))
			goto bad;
		n->guest_mtu = m->msg.send_ndis_config.mtu;
		n->guest_caps = m->msg.send_ndis_config.capability;
	}
	return 0;
bad:
	n->stats.nvsp_bad++;
	return -EBADMSG;
}

int netvsp_handle(struct netvsp *n, uint16_t type, uint64_t trans_id, const void *payload,
		  uint32_t len, const struct iovec *data, unsigned int niov, struct netvsp_out *out)
{
	struct nvsp_message m;

	out->n = 0;
	out->niov = 0;
	if (type == VM_PKT_COMP)
		return recv_completion(n, trans_id, payload, len, out);
	if ((type != VM_PKT_DATA_INBAND && type != VM_PKT_DATA_USING_GPA_DIRECT) ||
	    len < sizeof(m.hdr)) {
		n->stats.nvsp_bad++;
		return -EBADMSG;
	}
	/* Read once; bytes the guest did not send read as 0, and each
	 * handler checks len covers what it uses. */
	memset(&m, 0, sizeof(m));
	memcpy(&m, payload, min_u32(len, sizeof(m)));
	if (type == VM_PKT_DATA_USING_GPA_DIRECT && m.hdr.msg_type != NVSP_MSG1_TYPE_SEND_RNDIS_PKT) {
		n->stats.nvsp_bad++;
		return -EBADMSG;
	}
	switch (m.hdr.msg_type) {
	case NVSP_MSG_TYPE_INIT:
		return nvsp_init(n, trans_id, &m, len, out);
	case NVSP_MSG1_TYPE_SEND_NDIS_VER:
	case NVSP_MSG2_TYPE_SEND_NDIS_CONFIG:
		return guest_info(n, &m, len);
	case NVSP_MSG1_TYPE_SEND_RECV_BUF:
		return send_recv_buf(n, trans_id, &m, len, out);
	case NVSP_MSG1_TYPE_SEND_SEND_BUF:
		return send_send_buf(n, trans_id, &m, len, out);
	case NVSP_MSG1_TYPE_REVOKE_RECV_BUF:
	case NVSP_MSG1_TYPE_REVOKE_SEND_BUF:
		return revoke_buf(n, &m, len);
	case NVSP_MSG1_TYPE_SEND_RNDIS_PKT:
		return send_rndis_pkt(n, trans_id, &m, len, data, niov, out);
	case NVSP_MSG5_TYPE_SUBCHANNEL:
		return subchannel(n, trans_id, &m, len, out);
	case NVSP_MSG4_TYPE_SWITCH_DATA_PATH:
		return switch_data_path(n, trans_id, len, out);
	default:
		n->stats.nvsp_unknown++;
		return 0;
	}
}

/* Receive and link ------------------------------------------------------- */

int netvsp_rx(struct netvsp *n, const void *frame, uint32_t len, struct netvsp_out *out)
{
	const uint8_t *f = frame;
	uint8_t head[RNDIS_RX_HEADER_SIZE];
	uint32_t max = n->rndis.mtu + NETVSP_ETH_HLEN;
	uint64_t *drop = NULL;

	out->n = 0;
	out->niov = 0;
	if (len >= NETVSP_ETH_HLEN && f[12] == 0x81 && f[13] == 0x00)
		max += NETVSP_VLAN_TAG_LEN;
	if (len < NETVSP_ETH_HLEN)
		drop = &n->stats.rx_drop_runt;
	else if (len > max)
		drop = &n->stats.rx_drop_oversize;
	else if (!n->recv_mapped || !n->rndis.initialized)
		drop = &n->stats.rx_drop_not_ready;
	else if (!n->rndis.link_up)
		drop = &n->stats.rx_drop_link_down;
	else if (!rndis_rx_wanted(&n->rndis, f))
		drop = &n->stats.rx_drop_filtered;
	if (drop) {
		(*drop)++;
		return -ENOBUFS;
	}
	rndis_rx_header(head, len);
	if (!xfer(n, head, sizeof(head), frame, len, NVSP_CHANNEL_TYPE_DATA, out)) {
		n->stats.rx_drop_no_section++;
		return -ENOBUFS;
	}
	n->stats.rx_packets++;
	n->stats.rx_bytes += len;
	return 0;
}

int netvsp_link(struct netvsp *n, bool up, struct netvsp_out *out)
{
	uint8_t msg[RNDIS_INDICATE_SIZE];

	out->n = 0;
	out->niov = 0;
	if (n->rndis.link_up == up)
		return 0;
	n->rndis.link_up = up;
	if (!n->rndis.initialized)
		return 0;
	rndis_indicate(&n->rndis, msg);
	return send_control(n, msg, sizeof(msg), out) ? 0 : -ENOBUFS;
}

int netvsp_init(struct netvsp *n, const struct netvsp_config *cfg)
{
	uint32_t s;

	if (cfg->mtu < RNDIS_MTU_MIN || cfg->mtu > RNDIS_MTU_MAX || !cfg->map_gpadl)
		return -EINVAL;
	memset(n, 0, sizeof(*n));
	n->cfg = *cfg;
	rndis_init(&n->rndis, cfg->mac, cfg->mtu, cfg->link_up);
	/* S: the largest message the host places in one section, a tagged
	 * frame of the MTU behind its RNDIS header, and never less than a
	 * control reply. */
	s = RNDIS_RX_HEADER_SIZE + NETVSP_ETH_HLEN + NETVSP_VLAN_TAG_LEN + cfg->mtu;
	s = (s + 7) & ~7u;
	n->recv_section_size = s > RNDIS_REPLY_MAX ? s : RNDIS_REPLY_MAX;
	return 0;
}
