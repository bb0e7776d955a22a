/* libFuzzer target for netvsp (root/vsp/netvsp.c, with rndis.c). Each run
 * starts from Linux's bring-up (NVSP v6.1, both buffers, RNDIS INIT, the
 * packet filter) unless the first byte says to start cold, then plays the
 * input as guest and outside traffic: NVSP messages of any type and
 * length, SEND_RNDIS_PKT from send-buffer sections and GPA ranges holding
 * input bytes or RNDIS messages built from them (one byte corrupted,
 * maybe), the guest's completions (for transfers in flight or made up),
 * received frames and link changes. After every call it checks what the
 * integrator relies on: the output stays within its arrays; every
 * SEND_RNDIS_PKT gets exactly one completion, last; completions carry 0 or
 * 40 bytes; each transfer-page packet names one whole section of the
 * receive buffer that was free and is now in flight, and each guest
 * completion frees only such a section; frame iovecs lie in guest memory
 * (or the output's own tag bytes), add up to the frame's length, and
 * frames stay within the MTU; the reply queue stays bounded. */
#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_input.h"
#include "netvsp.h"

#define PAGE		4096u
#define RAM_PAGES	48u
#define RECV_PAGES	16u	/* pages 0..15, in reverse */
#define SEND_FIRST	16u	/* send pages 16..27, pairs swapped */
#define SEND_PAGES	12u
#define SCRATCH		32u	/* what GPA ranges point at */
#define RECV_GPADL	1u
#define SEND_GPADL	2u
#define MAX_FLIGHT	1024u

static uint8_t ram[RAM_PAGES * PAGE] __attribute__((aligned(4096)));
static struct netvsp nv;
static struct netvsp_out out;
static uint64_t flight[MAX_FLIGHT]; /* transfer trans_ids the guest has not completed */
static unsigned int nflight;

static const uint8_t mac[6] = {0x00, 0x15, 0x5d, 0x01, 0x02, 0x03};

static int map_gpadl(void *ctx, uint32_t gpadl, void **pages, uint32_t max)
{
	(void)ctx;
	if (gpadl == RECV_GPADL) {
		for (uint32_t i = 0; i < RECV_PAGES && i < max; i++)
			pages[i] = ram + (RECV_PAGES - 1 - i) * PAGE;
		return RECV_PAGES;
	}
	if (gpadl == SEND_GPADL) {
		for (uint32_t i = 0; i < SEND_PAGES && i < max; i++)
			pages[i] = ram + (SEND_FIRST + (i ^ 1)) * PAGE;
		return SEND_PAGES;
	}
	return -1;
}

static uint8_t *send_byte(uint32_t off)
{
	uint32_t page = off / PAGE;

	return ram + (SEND_FIRST + (page ^ 1)) * PAGE + off % PAGE;
}

static bool in_ram(const void *p, size_t len)
{
	const uint8_t *b = p;

	return b >= ram && len <= sizeof(ram) && (size_t)(b - ram) <= sizeof(ram) - len;
}

static bool section_busy(uint32_t s)
{
	return nv.recv_busy[s / 64] >> (s % 64) & 1;
}

static unsigned int busy_sections(void)
{
	unsigned int n = 0;

	for (uint32_t s = 0; nv.recv_mapped && s < nv.recv_sections; s++)
		n += section_busy(s);
	return n;
}

static void forget_flight(void)
{
	nflight = 0;
}

static void check_frame(const struct netvsp_frame *f)
{
	uint64_t sum = 0;

	assert(f->niov >= 1);
	assert(f->iov >= out.iov && f->iov + f->niov <= out.iov + out.niov);
	for (unsigned int i = 0; i < f->niov; i++) {
		const struct iovec *v = &f->iov[i];
		const uint8_t *tags = (const uint8_t *)out.vlan_tag;
		bool tag = (const uint8_t *)v->iov_base >= tags &&
			   (const uint8_t *)v->iov_base + v->iov_len <= tags + sizeof(out.vlan_tag);

		assert(v->iov_len > 0);
		assert(tag || in_ram(v->iov_base, v->iov_len));
		sum += v->iov_len;
	}
	assert(sum == f->len);
	assert(f->len >= NETVSP_ETH_HLEN);
	assert(f->len <= nv.rndis.mtu + NETVSP_ETH_HLEN + 2 * NETVSP_VLAN_TAG_LEN);
}

static void check_xfer(const struct netvsp_packet *p)
{
	uint32_t s = (uint32_t)p->trans_id;

	assert(nv.recv_mapped && p->trans_id >> 32 == nv.recv_gen);
	assert(p->flags == VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED);
	assert(p->len == NVSP_MESSAGE_SIZE && p->msg.hdr.msg_type == NVSP_MSG1_TYPE_SEND_RNDIS_PKT);
	assert(p->pageset_id == nv.recv_id);
	assert(s < nv.recv_sections && section_busy(s));
	assert(p->range.byte_offset == s * nv.recv_section_size);
	assert(p->range.byte_count >= 8 && p->range.byte_count <= nv.recv_section_size);
	assert(nflight < MAX_FLIGHT);
	for (unsigned int i = 0; i < nflight; i++)
		assert(flight[i] != p->trans_id);
	flight[nflight++] = p->trans_id;
}

/* Checks the output; returns how many completions it holds. */
static unsigned int check_out(void)
{
	unsigned int completions = 0;

	assert(out.n <= NETVSP_OUT_MAX && out.niov <= NETVSP_OUT_IOV_MAX);
	for (unsigned int i = 0; i < out.n; i++) {
		const struct netvsp_action *a = &out.a[i];

		if (a->kind == NETVSP_OUT_FRAME) {
			check_frame(&a->frame);
			continue;
		}
		assert(a->kind == NETVSP_OUT_PACKET);
		if (a->pkt.type == VM_PKT_COMP) {
			assert(a->pkt.len == 0 || a->pkt.len == NVSP_MESSAGE_SIZE);
			assert(a->pkt.flags == 0);
			completions++;
		} else {
			assert(a->pkt.type == VM_PKT_DATA_USING_XFER_PAGES);
			check_xfer(&a->pkt);
		}
	}
	assert(nv.pending_n <= NETVSP_PENDING_MAX);
	assert(busy_sections() == nflight);
	return completions;
}

static void handle(uint16_t type, uint64_t trans_id, const uint32_t *msg, uint32_t len,
		   const struct iovec *iov, unsigned int niov)
{
	bool rndis_pkt = len >= 4 && msg[0] == NVSP_MSG1_TYPE_SEND_RNDIS_PKT &&
			 (type == VM_PKT_DATA_INBAND || type == VM_PKT_DATA_USING_GPA_DIRECT);
	bool was_mapped = nv.recv_mapped;
	uint32_t gen = nv.recv_gen;
	int ret = netvsp_handle(&nv, type, trans_id, msg, len, iov, niov, &out);
	unsigned int completions;

	assert(ret == 0 || ret == -EBADMSG);
	/* A new buffer or session: transfers in flight are void. */
	if (nv.recv_gen != gen || nv.recv_mapped != was_mapped)
		forget_flight();
	completions = check_out();
	if (rndis_pkt) {
		assert(completions == 1);
		assert(out.a[out.n - 1].kind == NETVSP_OUT_PACKET &&
		       out.a[out.n - 1].pkt.type == VM_PKT_COMP);
		assert(out.a[out.n - 1].pkt.trans_id == trans_id);
	}
}

static void complete(uint64_t trans_id)
{
	uint32_t msg[2] = {NVSP_MSG1_TYPE_SEND_RNDIS_PKT_COMPLETE, NVSP_STAT_SUCCESS};
	unsigned int before = nflight;
	int ret;

	for (unsigned int i = 0; i < nflight; i++) {
		if (flight[i] == trans_id) {
			flight[i] = flight[--nflight];
			break;
		}
	}
	ret = netvsp_handle(&nv, VM_PKT_COMP, trans_id, msg, sizeof(msg), NULL, 0, &out);
	assert(ret == (before != nflight ? 0 : -EBADMSG));
	check_out();
}

static void inband(uint64_t trans_id, const uint32_t *msg)
{
	handle(VM_PKT_DATA_INBAND, trans_id, msg, NVSP_MESSAGE_SIZE, NULL, 0);
}

/* One RNDIS control message through a GPA range, its reply completed. */
static void control(const uint32_t *msg, uint32_t len)
{
	uint32_t pkt[10] = {NVSP_MSG1_TYPE_SEND_RNDIS_PKT, 1, NETVSC_INVALID_INDEX};
	struct iovec iov = {ram + SCRATCH * PAGE, len};

	memcpy(iov.iov_base, msg, len);
	handle(VM_PKT_DATA_USING_GPA_DIRECT, 9, pkt, NVSP_MESSAGE_SIZE, &iov, 1);
	while (nflight)
		complete(flight[0]);
}

static void bring_up(void)
{
	uint32_t init[10] = {NVSP_MSG_TYPE_INIT, NVSP_PROTOCOL_VERSION_61, NVSP_PROTOCOL_VERSION_61};
	uint32_t recv_buf[10] = {NVSP_MSG1_TYPE_SEND_RECV_BUF, RECV_GPADL, NETVSC_RECEIVE_BUFFER_ID};
	uint32_t send_buf[10] = {NVSP_MSG1_TYPE_SEND_SEND_BUF, SEND_GPADL, 0};
	uint32_t rndis_init[6] = {RNDIS_MSG_INIT, 24, 1, 1, 0, 0x4000};
	uint32_t filter[8] = {RNDIS_MSG_SET, 32, 2, RNDIS_OID_GEN_CURRENT_PACKET_FILTER, 4, 20, 0,
			      0x0D};

	inband(1, init);
	inband(2, recv_buf);
	inband(3, send_buf);
	control(rndis_init, sizeof(rndis_init));
	control(filter, sizeof(filter));
}

/* An NVSP message: a type from those netvsp knows (or any), then fields. */
static void nvsp(struct input *in, uint8_t op)
{
	static const uint32_t types[] = {
		NVSP_MSG_TYPE_INIT, NVSP_MSG1_TYPE_SEND_NDIS_VER, NVSP_MSG1_TYPE_SEND_RECV_BUF,
		NVSP_MSG1_TYPE_REVOKE_RECV_BUF, NVSP_MSG1_TYPE_SEND_SEND_BUF,
		NVSP_MSG1_TYPE_REVOKE_SEND_BUF, NVSP_MSG1_TYPE_SEND_RNDIS_PKT,
		NVSP_MSG2_TYPE_SEND_NDIS_CONFIG, NVSP_MSG4_TYPE_SWITCH_DATA_PATH,
		NVSP_MSG5_TYPE_SUBCHANNEL,
	};
	uint32_t msg[10] = {0};
	uint8_t pick = take(in);
	uint32_t len = op & 8 ? take(in) % (NVSP_MESSAGE_SIZE + 1) : NVSP_MESSAGE_SIZE;

	msg[0] = pick < 2 * sizeof(types) / sizeof(types[0]) ? types[pick % 10] : take32(in);
	for (int i = 1; i < 4; i++)
		msg[i] = take(in) & 0x80 ? take32(in) : take(in) % 4;
	if (msg[0] == NVSP_MSG1_TYPE_SEND_RECV_BUF || msg[0] == NVSP_MSG1_TYPE_SEND_SEND_BUF)
		msg[1] = take(in) % 4;
	if (msg[0] == NVSP_MSG1_TYPE_REVOKE_RECV_BUF && take(in) & 1)
		msg[1] = NETVSC_RECEIVE_BUFFER_ID;
	handle(op & 16 ? VM_PKT_DATA_USING_GPA_DIRECT : VM_PKT_DATA_INBAND, take32(in), msg, len,
	       NULL, 0);
}

/* SEND_RNDIS_PKT: input bytes in a send section and/or GPA ranges. */
static void send_rndis(struct input *in, uint8_t op)
{
	uint32_t pkt[10] = {NVSP_MSG1_TYPE_SEND_RNDIS_PKT, op >> 7, NETVSC_INVALID_INDEX, 0};
	static uint8_t buf[3 * PAGE];
	struct iovec iov[8];
	unsigned int niov = 0;
	uint32_t len;

	if (op & 8) {
		uint32_t index = take(in) % 10;

		len = take_bytes(in, buf, NETVSP_SEND_SECTION_SIZE + 8);
		for (uint32_t i = 0; i < len && index < 8; i++)
			*send_byte(index * NETVSP_SEND_SECTION_SIZE + i) = buf[i];
		pkt[2] = index == 9 ? take32(in) : index;
		pkt[3] = op & 64 ? take32(in) : len;
	}
	if (op & 16) {
		uint32_t at = 0;

		len = take_bytes(in, ram + SCRATCH * PAGE, 3 * PAGE);
		niov = take(in) % 8 + 1;
		for (unsigned int i = 0; i < niov; i++) {
			uint32_t cut = i + 1 == niov ? len - at : take(in) * 16u;

			if (cut > len - at)
				cut = len - at;
			iov[i] = (struct iovec){ram + SCRATCH * PAGE + at, cut};
			at += cut;
		}
	}
	handle(niov ? VM_PKT_DATA_USING_GPA_DIRECT : VM_PKT_DATA_INBAND, take32(in), pkt,
	       NVSP_MESSAGE_SIZE, iov, niov);
}

/* One RNDIS message built from a few input bytes: a PACKET (maybe with
 * 802.1Q and hash PPIs) or a control request Linux sends. */
static uint32_t build_message(struct input *in, uint8_t *m)
{
	static const uint32_t oids[] = {
		RNDIS_OID_GEN_MAXIMUM_FRAME_SIZE, RNDIS_OID_802_3_PERMANENT_ADDRESS,
		RNDIS_OID_GEN_FRIENDLY_NAME, OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES,
		OID_TCP_OFFLOAD_PARAMETERS, RNDIS_OID_GEN_MEDIA_CONNECT_STATUS,
		RNDIS_OID_GEN_LINK_SPEED, OID_GEN_RECEIVE_SCALE_CAPABILITIES,
		OID_GEN_RECEIVE_SCALE_PARAMETERS, RNDIS_OID_GEN_CURRENT_PACKET_FILTER,
		RNDIS_OID_GEN_RNDIS_CONFIG_PARAMETER,
	};
	static const uint32_t control_types[] = {RNDIS_MSG_INIT, RNDIS_MSG_QUERY, RNDIS_MSG_SET,
						 RNDIS_MSG_HALT, RNDIS_MSG_RESET,
						 RNDIS_MSG_KEEPALIVE};
	uint8_t kind = take(in);
	uint32_t h[11] = {0}, len, info_len;

	if (kind & 1) {
		uint32_t frame = (take(in) | (uint32_t)take(in) << 8) % 1600, ppi = 0;

		if (kind & 2) {
			uint32_t v[4] = {16, IEEE_8021Q_INFO, 12, take32(in)};

			memcpy(m + 44 + ppi, v, sizeof(v));
			ppi += 16;
		}
		if (kind & 4) {
			uint32_t v[4] = {16, NBL_HASH_VALUE, 12, take32(in)};

			memcpy(m + 44 + ppi, v, sizeof(v));
			ppi += 16;
		}
		len = 44 + ppi + frame;
		memset(m + 44 + ppi, take(in), frame);
		if (frame >= 6 && kind & 8)
			memcpy(m + 44 + ppi, nv.rndis.mac, 6);
		h[0] = RNDIS_MSG_PACKET;
		h[2] = 36 + ppi;
		h[3] = frame;
		h[7] = 36;
		h[8] = ppi;
		if (kind & 16)
			len = (len + 7) & ~7u;
		h[1] = len;
		memcpy(m, h, 44);
		return len;
	}
	info_len = take(in) % 64;
	h[0] = control_types[(kind >> 1) % 6];
	h[2] = take(in);
	h[3] = oids[(kind >> 4) % 11];
	h[4] = info_len;
	h[5] = 20;
	len = 28 + info_len;
	h[1] = len;
	memcpy(m, h, 28);
	for (uint32_t i = 0; i < info_len; i++)
		m[28 + i] = take(in);
	return len;
}

/* Up to 9 messages, one corrupted byte maybe, laid out as Linux does:
 * in a send section, in GPA ranges, or the section's head then ranges. */
static void send_built(struct input *in, uint8_t op)
{
	static uint8_t buf[9 * 1700];
	uint32_t pkt[10] = {NVSP_MSG1_TYPE_SEND_RNDIS_PKT, op >> 7, NETVSC_INVALID_INDEX, 0};
	uint32_t len = 0, cut, index = take(in) % 8;
	unsigned int count = take(in) % 9 + 1, niov = 0;
	struct iovec iov[8];

	for (unsigned int i = 0; i < count; i++)
		len += build_message(in, buf + len);
	if (op & 8) {
		uint32_t at = (take(in) | (uint32_t)take(in) << 8) % len;

		buf[at] = take(in);
	}
	cut = op & 16 ? 0 : len;
	if (op & 32)
		cut = (take(in) | (uint32_t)take(in) << 8) % (len + 1);
	if (cut > NETVSP_SEND_SECTION_SIZE)
		cut = NETVSP_SEND_SECTION_SIZE;
	if (cut) {
		for (uint32_t i = 0; i < cut; i++)
			*send_byte(index * NETVSP_SEND_SECTION_SIZE + i) = buf[i];
		pkt[2] = index;
		pkt[3] = cut;
	}
	if (len > cut) {
		uint32_t at = 0, rest = len - cut;

		if (rest > 3 * PAGE)
			rest = 3 * PAGE;
		memcpy(ram + SCRATCH * PAGE, buf + cut, rest);
		niov = take(in) % 8 + 1;
		for (unsigned int i = 0; i < niov; i++) {
			uint32_t piece = i + 1 == niov ? rest - at : take(in) * 8u;

			if (piece > rest - at)
				piece = rest - at;
			iov[i] = (struct iovec){ram + SCRATCH * PAGE + at, piece};
			at += piece;
		}
	}
	handle(niov ? VM_PKT_DATA_USING_GPA_DIRECT : VM_PKT_DATA_INBAND, take32(in), pkt,
	       NVSP_MESSAGE_SIZE, iov, niov);
}

static void rx(struct input *in, uint8_t op)
{
	static const uint8_t broadcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	static uint8_t frame[10000];
	uint32_t len = take_bytes(in, frame, sizeof(frame));
	int ret;

	if (len >= 6 && op & 8)
		memcpy(frame, op & 16 ? nv.rndis.mac : broadcast, 6);
	ret = netvsp_rx(&nv, frame, len, &out);
	assert(ret == 0 || ret == -ENOBUFS);
	assert((ret == 0) == (out.n == 1));
	check_out();
	if (!ret)
		assert(out.a[0].pkt.range.byte_count == RNDIS_RX_HEADER_SIZE + len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct netvsp_config cfg = {
		.mac = {0x00, 0x15, 0x5d, 0x01, 0x02, 0x03},
		.mtu = 1500,
		.link_up = true,
		.map_gpadl = map_gpadl,
	};
	struct input in = {data, size};

	assert(netvsp_init(&nv, &cfg) == 0);
	assert(!memcmp(nv.rndis.permanent_mac, mac, 6));
	forget_flight();
	if (!(take(&in) & 1))
		bring_up();
	while (in.left) {
		uint8_t op = take(&in);

		switch (op % 7) {
		case 0:
			nvsp(&in, op);
			break;
		case 1:
			send_rndis(&in, op);
			break;
		case 6:
			send_built(&in, op);
			break;
		case 2:
			if (nflight && !(op & 8))
				complete(flight[take(&in) % nflight]);
			else
				complete((uint64_t)take32(&in) << 32 | take32(&in));
			break;
		case 3:
			rx(&in, op);
			break;
		case 4: {
			int ret = netvsp_link(&nv, op & 8, &out);

			assert(ret == 0 || ret == -ENOBUFS);
			check_out();
			break;
		}
		case 5: {
			/* The guest's completion of another type, or too short. */
			uint32_t msg[2] = {take32(&in), 1};

			if (msg[0] == NVSP_MSG1_TYPE_SEND_RNDIS_PKT_COMPLETE)
				msg[0]++;

			assert(netvsp_handle(&nv, VM_PKT_COMP, take32(&in), msg, take(&in) % 9, NULL,
					     0, &out) == -EBADMSG);
			check_out();
			break;
		}
		}
	}
	return 0;
}
