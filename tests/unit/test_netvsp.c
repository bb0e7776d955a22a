/* Unit tests for netvsp (root/vsp/netvsp.c): Linux 6.1's bring-up, byte
 * for byte (NVSP INIT with its versions, NDIS_CONFIG, NDIS_VER, the
 * receive and send buffers, then every RNDIS request rndis_filter.c sends,
 * in order), each reply run through the checks netvsc.c and rndis_filter.c
 * apply; TX from send-buffer sections (one message, several, the partial
 * copy) and from GPA ranges, with an 802.1Q PPI; RX into receive sections,
 * their release by the guest's completions, and drops when all are in
 * flight; link indications; and malformed NVSP and RNDIS traffic.
 *
 * Guest memory is one array; the receive buffer's pages are handed out in
 * reverse order and the send buffer's every other page, so nothing may
 * assume a buffer is contiguous in host memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* needs the four above first */
#include "unit.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "netvsp.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define PAGE		4096u
#define RAM_PAGES	1024u
#define RECV_BASE	0u	/* receive buffer pages, handed out in reverse */
#define SEND_BASE	256u	/* send buffer pages, every other one */
#define SCRATCH_BASE	600u	/* what GPA ranges point at */
#define RECV_GPADL	0x1001u
#define SEND_GPADL	0x1002u
#define SEND_PAGES	12u	/* 8 sections of 6144 */

/* Linux's VMBUS_RQST_ID_NO_RESPONSE: NDIS_VER and NDIS_CONFIG. */
#define NO_RESPONSE	0xFFFFFFFFFFFFFFFDull

static uint8_t ram[RAM_PAGES * PAGE] __attribute__((aligned(4096)));
static struct netvsp nv;
static struct netvsp_out out;
static uint32_t recv_pages = 256;
static uint32_t section_size, section_count; /* from RECV_BUF_COMPLETE */

static const uint8_t mac[6] = {0x00, 0x15, 0x5d, 0x11, 0x22, 0x33};

static uint8_t *recv_page(uint32_t i)
{
	return ram + (RECV_BASE + recv_pages - 1 - i) * PAGE;
}

static uint8_t *send_page(uint32_t i)
{
	return ram + (SEND_BASE + 2 * i) * PAGE;
}

static int map_gpadl(void *ctx, uint32_t gpadl, void **pages, uint32_t max)
{
	uint32_t n;

	(void)ctx;
	if (gpadl == RECV_GPADL)
		n = recv_pages;
	else if (gpadl == SEND_GPADL)
		n = SEND_PAGES;
	else
		return -1;
	for (uint32_t i = 0; i < n && i < max; i++)
		pages[i] = gpadl == RECV_GPADL ? recv_page(i) : send_page(i);
	return (int)n;
}

static void recv_read(uint32_t off, void *dst, uint32_t len)
{
	uint8_t *d = dst;

	for (; len; len--, off++)
		*d++ = recv_page(off / PAGE)[off % PAGE];
}

static void send_write(uint32_t off, const void *src, uint32_t len)
{
	const uint8_t *s = src;

	for (; len; len--, off++)
		send_page(off / PAGE)[off % PAGE] = *s++;
}

static uint8_t *scratch(uint32_t off)
{
	return ram + SCRATCH_BASE * PAGE + off;
}

static uint32_t u32_at(const void *p, uint32_t off)
{
	uint32_t v;

	memcpy(&v, (const uint8_t *)p + off, sizeof(v));
	return v;
}

static void setup(void)
{
	const struct netvsp_config cfg = {
		.mac = {0x00, 0x15, 0x5d, 0x11, 0x22, 0x33},
		.mtu = 1500,
		.link_up = true,
		.map_gpadl = map_gpadl,
	};

	memset(ram, 0, sizeof(ram));
	recv_pages = 256;
	assert_int_equal(netvsp_init(&nv, &cfg), 0);
}

static int inband(uint64_t trans_id, const uint32_t *msg, uint32_t len)
{
	return netvsp_handle(&nv, VM_PKT_DATA_INBAND, trans_id, msg, len, NULL, 0, &out);
}

/* The completion Linux's netvsc_send_completion gets: COMP, 40 bytes,
 * trans_id echoed, of the given NVSP type. Returns its payload. */
static const uint8_t *completion(unsigned int i, uint64_t trans_id, uint32_t msg_type)
{
	const struct netvsp_packet *p = &out.a[i].pkt;

	assert_true(i < out.n);
	assert_int_equal(out.a[i].kind, NETVSP_OUT_PACKET);
	assert_int_equal(p->type, VM_PKT_COMP);
	assert_int_equal(p->flags, 0);
	assert_true(p->trans_id == trans_id);
	assert_int_equal(p->len, 40);
	assert_int_equal(u32_at(&p->msg, 0), msg_type);
	return (const uint8_t *)&p->msg;
}

/* Linux netvsc_receive + rndis_filter_receive on a transfer-page packet:
 * copies the one RNDIS message it carries to buf, returns its length. */
static uint32_t linux_receive(unsigned int i, uint8_t *buf)
{
	const struct netvsp_packet *p = &out.a[i].pkt;
	uint32_t off = p->range.byte_offset, len = p->range.byte_count;

	assert_true(i < out.n);
	assert_int_equal(out.a[i].kind, NETVSP_OUT_PACKET);
	assert_int_equal(p->type, VM_PKT_DATA_USING_XFER_PAGES);
	assert_int_equal(p->flags, VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED);
	assert_int_equal(p->pageset_id, NETVSC_RECEIVE_BUFFER_ID);
	assert_true(p->len >= 4);
	assert_int_equal(u32_at(&p->msg, 0), NVSP_MSG1_TYPE_SEND_RNDIS_PKT);
	assert_true((uint64_t)off + len <= recv_pages * PAGE);
	assert_true(len <= section_size);
	/* Each range is one section of its own. */
	assert_int_equal(off % section_size, 0);
	recv_read(off, buf, len);
	assert_true(len >= 8 && u32_at(buf, 4) >= 8 && u32_at(buf, 4) <= len);
	return len;
}

/* The guest's receive completion (send_recv_completions): 8 bytes. */
static int guest_complete(uint64_t trans_id)
{
	uint32_t msg[2] = {NVSP_MSG1_TYPE_SEND_RNDIS_PKT_COMPLETE, NVSP_STAT_SUCCESS};

	return netvsp_handle(&nv, VM_PKT_COMP, trans_id, msg, sizeof(msg), NULL, 0, &out);
}

/* NVSP from INIT to SEND_BUF as Linux 6.1 sends it for version v, with the
 * checks netvsc_init_buf makes. */
static void nvsp_bring_up(uint32_t v)
{
	uint32_t init[10] = {NVSP_MSG_TYPE_INIT, v, v};
	uint32_t config[10] = {NVSP_MSG2_TYPE_SEND_NDIS_CONFIG, 1500 + 14, 0,
			       NVSP_CAP_IEEE8021Q | NVSP_CAP_SRIOV | NVSP_CAP_TEAMING | NVSP_CAP_RSC};
	uint32_t ndis_ver[10] = {NVSP_MSG1_TYPE_SEND_NDIS_VER, 6, v >= NVSP_PROTOCOL_VERSION_5 ? 30 : 1};
	uint32_t recv_buf[10] = {NVSP_MSG1_TYPE_SEND_RECV_BUF, RECV_GPADL, NETVSC_RECEIVE_BUFFER_ID};
	uint32_t send_buf[10] = {NVSP_MSG1_TYPE_SEND_SEND_BUF, SEND_GPADL, NETVSC_SEND_BUFFER_ID};
	const uint8_t *c;

	assert_int_equal(inband(1, init, 40), 0);
	assert_int_equal(out.n, 1);
	c = completion(0, 1, NVSP_MSG_TYPE_INIT_COMPLETE);
	assert_int_equal(u32_at(c, 12), NVSP_STAT_SUCCESS);
	assert_int_equal(nv.version, v);

	if (v > NVSP_PROTOCOL_VERSION_1) {
		assert_int_equal(inband(NO_RESPONSE, config, 40), 0);
		assert_int_equal(out.n, 0);
	}
	assert_int_equal(inband(NO_RESPONSE, ndis_ver, 40), 0);
	assert_int_equal(out.n, 0);

	assert_int_equal(inband(2, recv_buf, 40), 0);
	assert_int_equal(out.n, 1);
	c = completion(0, 2, NVSP_MSG1_TYPE_SEND_RECV_BUF_COMPLETE);
	assert_int_equal(u32_at(c, 4), NVSP_STAT_SUCCESS);
	assert_int_equal(u32_at(c, 8), 1);	/* num_sections */
	assert_int_equal(u32_at(c, 12), 0);	/* offset */
	section_size = u32_at(c, 16);
	section_count = u32_at(c, 20);
	assert_true(section_size >= 68);
	assert_true((uint64_t)section_size * section_count <= recv_pages * PAGE);
	assert_true(section_count > 0);
	/* Room for an RNDIS header and a tagged frame of the MTU. */
	assert_true(section_size >= 44 + 1518);

	assert_int_equal(inband(3, send_buf, 40), 0);
	assert_int_equal(out.n, 1);
	c = completion(0, 3, NVSP_MSG1_TYPE_SEND_SEND_BUF_COMPLETE);
	assert_int_equal(u32_at(c, 4), NVSP_STAT_SUCCESS);
	assert_int_equal(u32_at(c, 8), 6144);
	assert_int_equal(nv.send_sections, SEND_PAGES * PAGE / 6144);
}

/* An RNDIS QUERY/SET as Linux builds it: info_buf_offset 20. */
static uint32_t request(uint8_t *buf, uint32_t type, uint32_t req_id, uint32_t oid,
			const void *info, uint32_t info_len)
{
	uint32_t h[7] = {type, 28 + info_len, req_id, oid, info_len, 20, 0};

	memcpy(buf, h, sizeof(h));
	if (info_len)
		memcpy(buf + 28, info, info_len);
	return 28 + info_len;
}

/*
 * rndis_filter_send_request: the message goes as a GPA-direct packet with
 * channel_type 1 and no send section, split in two ranges where it
 * crosses a page (placed to cross one here). Expects the NVSP completion
 * and one reply, which it copies to reply; returns the reply's length.
 */
static uint32_t control(const uint8_t *msg, uint32_t len, uint8_t *reply)
{
	uint32_t pkt[10] = {NVSP_MSG1_TYPE_SEND_RNDIS_PKT, NVSP_CHANNEL_TYPE_CONTROL,
			    NETVSC_INVALID_INDEX, 0};
	struct iovec iov[2] = {{scratch(PAGE - 16), 16}, {scratch(PAGE), len - 16}};
	uint32_t got;

	memcpy(scratch(PAGE - 16), msg, len);
	assert_int_equal(netvsp_handle(&nv, VM_PKT_DATA_USING_GPA_DIRECT, 77, pkt, 40, iov, 2, &out),
			 0);
	assert_int_equal(out.n, 2);
	got = linux_receive(0, reply);
	assert_int_equal(u32_at(completion(1, 77, NVSP_MSG1_TYPE_SEND_RNDIS_PKT_COMPLETE), 4),
			 NVSP_STAT_SUCCESS);
	assert_int_equal(out.a[0].pkt.msg.msg.send_rndis_pkt.channel_type,
			 NVSP_CHANNEL_TYPE_CONTROL);
	assert_int_equal(guest_complete(out.a[0].pkt.trans_id), 0);
	return got;
}

/* rndis_filter_query_device's checks; returns the info length. */
static uint32_t query(uint32_t req_id, uint32_t oid, const void *in, uint32_t in_len,
		      void *result, uint32_t max)
{
	uint8_t msg[1024], reply[RNDIS_REPLY_MAX];
	uint32_t len = control(msg, request(msg, RNDIS_MSG_QUERY, req_id, oid, in, in_len), reply);
	uint32_t msg_len = u32_at(reply, 4), info_len = u32_at(reply, 16), info_off = u32_at(reply, 20);

	assert_int_equal(u32_at(reply, 0), RNDIS_MSG_QUERY_C);
	assert_int_equal(msg_len, len);
	assert_int_equal(u32_at(reply, 8), req_id);
	assert_true(msg_len - 8 >= 16);
	assert_true(info_len <= max && info_off >= 16 && msg_len - 8 >= info_off &&
		    info_len <= msg_len - 8 - info_off);
	memcpy(result, reply + 8 + info_off, info_len);
	return info_len;
}

static uint32_t set(uint32_t req_id, uint32_t oid, const void *info, uint32_t info_len)
{
	uint8_t msg[1024], reply[RNDIS_REPLY_MAX];

	assert_int_equal(control(msg, request(msg, RNDIS_MSG_SET, req_id, oid, info, info_len),
				 reply),
			 16);
	assert_int_equal(u32_at(reply, 0), RNDIS_MSG_SET_C);
	assert_int_equal(u32_at(reply, 8), req_id);
	return u32_at(reply, 12);
}

/* rndis_filter_device_add, rndis_netdev_set_hwcaps and rndis_filter_open
 * as Linux 6.1 runs them on NVSP v6.1. */
static void rndis_bring_up(void)
{
	uint32_t init[6] = {RNDIS_MSG_INIT, 24, 1, 1, 0, 0x4000};
	uint8_t reply[RNDIS_REPLY_MAX], buf[512] = {0};
	uint8_t offload[28] = {NDIS_OBJECT_TYPE_DEFAULT, 3, 28, 0, 1};
	uint8_t hwcaps[156] = {NDIS_OBJECT_TYPE_OFFLOAD, 3, 156};
	uint8_t rsscaps[18] = {NDIS_OBJECT_TYPE_RSS_CAPABILITIES, 2, 18};
	uint32_t v, filter = 0x0D, caps_size;

	assert_int_equal(control((const uint8_t *)init, sizeof(init), reply), 52);
	assert_int_equal(u32_at(reply, 0), RNDIS_MSG_INIT_C);
	assert_int_equal(u32_at(reply, 8), 1);
	assert_int_equal(u32_at(reply, 12), RNDIS_STATUS_SUCCESS);
	assert_int_equal(u32_at(reply, 32), 8);	/* max_pkt_per_msg */
	assert_int_equal(u32_at(reply, 40), 3);	/* pkt_alignment_factor */

	assert_int_equal(query(2, RNDIS_OID_GEN_MAXIMUM_FRAME_SIZE, NULL, 0, &v, 4), 4);
	assert_int_equal(v, 1500);
	assert_int_equal(query(3, RNDIS_OID_802_3_PERMANENT_ADDRESS, NULL, 0, buf, 6), 6);
	assert_memory_equal(buf, mac, 6);
	assert_int_equal(query(4, RNDIS_OID_GEN_FRIENDLY_NAME, NULL, 0, buf, 512), 0);
	caps_size = query(5, OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES, hwcaps, sizeof(hwcaps), buf, 156);
	assert_int_equal(buf[0], NDIS_OBJECT_TYPE_OFFLOAD);
	assert_true(buf[1] >= 1);
	assert_true(u32_at(buf, 0) >> 16 <= caps_size && u32_at(buf, 0) >> 16 >= 112);
	assert_int_equal(set(6, OID_TCP_OFFLOAD_PARAMETERS, offload, sizeof(offload)),
			 RNDIS_STATUS_SUCCESS);
	assert_int_equal(query(7, RNDIS_OID_GEN_MEDIA_CONNECT_STATUS, NULL, 0, &v, 4), 4);
	assert_int_equal(v, 0);
	assert_int_equal(query(8, RNDIS_OID_GEN_LINK_SPEED, NULL, 0, &v, 4), 4);
	assert_int_equal(v, RNDIS_LINK_SPEED);
	/* Nothing comes back: num_recv_que stays 0, a single queue. */
	assert_int_equal(query(9, OID_GEN_RECEIVE_SCALE_CAPABILITIES, rsscaps, sizeof(rsscaps), buf,
			       18),
			 0);
	/* ip link set up */
	assert_int_equal(set(10, RNDIS_OID_GEN_CURRENT_PACKET_FILTER, &filter, 4),
			 RNDIS_STATUS_SUCCESS);
	assert_int_equal(nv.rndis.filter, 0x0D);
	assert_int_equal(nv.stats.ctrl_replies, 10);
}

static void test_linux_bring_up(void **state)
{
	uint32_t old[10] = {NVSP_MSG_TYPE_INIT, 0x70000, 0x70000};
	(void)state;

	setup();
	/* A version newer than any the host knows fails; Linux tries the next. */
	assert_int_equal(inband(1, old, 40), 0);
	assert_int_equal(u32_at(completion(0, 1, NVSP_MSG_TYPE_INIT_COMPLETE), 12), NVSP_STAT_FAIL);
	nvsp_bring_up(NVSP_PROTOCOL_VERSION_61);
	rndis_bring_up();
	assert_true(nv.rndis.initialized);
	assert_int_equal(nv.stats.nvsp_bad + nv.stats.rndis_bad + nv.stats.ctrl_drop, 0);
}

static void test_versions(void **state)
{
	static const uint32_t versions[] = {NVSP_PROTOCOL_VERSION_1, NVSP_PROTOCOL_VERSION_2,
					    NVSP_PROTOCOL_VERSION_4, NVSP_PROTOCOL_VERSION_5,
					    NVSP_PROTOCOL_VERSION_6, NVSP_PROTOCOL_VERSION_61};
	uint32_t range[10] = {NVSP_MSG_TYPE_INIT, NVSP_PROTOCOL_VERSION_2, NVSP_PROTOCOL_VERSION_5};
	uint32_t gap[10] = {NVSP_MSG_TYPE_INIT, 0x30003, 0x3FFFF};
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(versions); i++) {
		setup();
		nvsp_bring_up(versions[i]);
	}
	setup();
	assert_int_equal(inband(5, range, 40), 0);
	assert_int_equal(u32_at(completion(0, 5, NVSP_MSG_TYPE_INIT_COMPLETE), 4),
			 NVSP_PROTOCOL_VERSION_5);
	assert_int_equal(inband(6, gap, 40), 0);
	assert_int_equal(u32_at(completion(0, 6, NVSP_MSG_TYPE_INIT_COMPLETE), 12), NVSP_STAT_FAIL);
	assert_int_equal(nv.version, 0);
}

/* A PACKET message with a frame of frame_len bytes of pattern seed (and an
 * 802.1Q PPI when tci >= 0), msg_len padded to pad. Returns msg_len. */
static uint32_t packet(uint8_t *buf, uint32_t frame_len, uint8_t seed, int tci, uint32_t pad)
{
	uint32_t ppi_len = tci >= 0 ? 16 : 0, len = 44 + ppi_len + frame_len;
	uint32_t padded = (len + pad - 1) / pad * pad;
	uint32_t h[11] = {RNDIS_MSG_PACKET, padded, 36 + ppi_len, frame_len, 0, 0, 0, 36, ppi_len};

	memset(buf, 0, padded);
	memcpy(buf, h, sizeof(h));
	if (tci >= 0) {
		uint32_t ppi[4] = {16, IEEE_8021Q_INFO, 12,
				   (uint32_t)(tci >> 13) | ((uint32_t)tci & 0xFFF) << 4};

		memcpy(buf + 44, ppi, sizeof(ppi));
	}
	for (uint32_t i = 0; i < frame_len; i++)
		buf[44 + ppi_len + i] = (uint8_t)(seed + i);
	return padded;
}

static uint32_t gather(const struct netvsp_action *a, uint8_t *buf)
{
	uint32_t at = 0;

	assert_int_equal(a->kind, NETVSP_OUT_FRAME);
	for (unsigned int i = 0; i < a->frame.niov; i++) {
		memcpy(buf + at, a->frame.iov[i].iov_base, a->frame.iov[i].iov_len);
		at += (uint32_t)a->frame.iov[i].iov_len;
	}
	assert_int_equal(at, a->frame.len);
	return at;
}

static void check_frame(const struct netvsp_action *a, uint32_t len, uint8_t seed)
{
	uint8_t buf[2048];

	assert_int_equal(gather(a, buf), len);
	for (uint32_t i = 0; i < len; i++)
		assert_int_equal(buf[i], (uint8_t)(seed + i));
}

static int send_section(uint64_t trans_id, uint32_t index, uint32_t size,
			const struct iovec *iov, unsigned int niov)
{
	uint32_t pkt[10] = {NVSP_MSG1_TYPE_SEND_RNDIS_PKT, NVSP_CHANNEL_TYPE_DATA, index, size};

	return netvsp_handle(&nv, niov ? VM_PKT_DATA_USING_GPA_DIRECT : VM_PKT_DATA_INBAND,
			     trans_id, pkt, 40, iov, niov, &out);
}

static uint32_t tx_status(unsigned int i, uint64_t trans_id)
{
	return u32_at(completion(i, trans_id, NVSP_MSG1_TYPE_SEND_RNDIS_PKT_COMPLETE), 4);
}

static void ready(void)
{
	setup();
	nvsp_bring_up(NVSP_PROTOCOL_VERSION_61);
	rndis_bring_up();
}

static void test_tx_one_in_section(void **state)
{
	uint8_t msg[2048];
	uint32_t len;
	(void)state;

	ready();
	/* Section 3 starts mid-page and runs into a page that is not next
	 * to it in host memory. */
	len = packet(msg, 1514, 7, -1, 1);
	send_write(3 * 6144, msg, len);
	assert_int_equal(send_section(40, 3, len, NULL, 0), 0);
	assert_int_equal(out.n, 2);
	check_frame(&out.a[0], 1514, 7);
	assert_int_equal(tx_status(1, 40), NVSP_STAT_SUCCESS);
	assert_int_equal(nv.stats.tx_packets, 1);
	assert_int_equal(nv.stats.tx_bytes, 1514);
}

static void test_tx_several_in_section(void **state)
{
	static const uint32_t sizes[] = {60, 1514, 500, 42, 1000};
	uint8_t msg[2048];
	uint32_t at = 0;
	(void)state;

	ready();
	/* netvsc_copy_to_send_buf: each message padded to 8 while more follow. */
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		uint32_t len = packet(msg, sizes[i], (uint8_t)i, -1, i + 1 < ARRAY_SIZE(sizes) ? 8 : 1);

		send_write(6144 + at, msg, len);
		at += len;
	}
	assert_int_equal(send_section(41, 1, at, NULL, 0), 0);
	assert_int_equal(out.n, ARRAY_SIZE(sizes) + 1);
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++)
		check_frame(&out.a[i], sizes[i], (uint8_t)i);
	/* The third frame crosses from one page of the section to the next,
	 * which is elsewhere in host memory. */
	assert_int_equal(out.a[2].frame.niov, 2);
	assert_int_equal(tx_status(ARRAY_SIZE(sizes), 41), NVSP_STAT_SUCCESS);
	assert_int_equal(nv.stats.tx_packets, ARRAY_SIZE(sizes));
}

/* cp_partial: the section holds a whole message and the next one's RNDIS
 * header; that message's frame follows in the GPA ranges. */
static void test_tx_partial_copy(void **state)
{
	uint8_t msg[2048];
	uint32_t first, second;
	struct iovec iov[2];
	(void)state;

	ready();
	first = packet(msg, 200, 1, -1, 8);
	send_write(0, msg, first);
	second = packet(msg, 1200, 9, -1, 1);
	send_write(first, msg, 44);
	memcpy(scratch(3 * PAGE - 500), msg + 44, 1200);
	iov[0] = (struct iovec){scratch(3 * PAGE - 500), 500};
	iov[1] = (struct iovec){scratch(3 * PAGE), 700};
	assert_int_equal(send_section(42, 0, first + 44, iov, 2), 0);
	assert_int_equal(out.n, 3);
	check_frame(&out.a[0], 200, 1);
	check_frame(&out.a[1], 1200, 9);
	assert_int_equal(tx_status(2, 42), NVSP_STAT_SUCCESS);
	assert_int_equal(second, 44 + 1200);
}

/* No section: the RNDIS header and the frame's pages are all ranges. */
static void test_tx_gpa_ranges(void **state)
{
	uint8_t msg[2048];
	struct iovec iov[3];
	(void)state;

	ready();
	packet(msg, 1000, 3, -1, 1);
	memcpy(scratch(100), msg, 44);
	memcpy(scratch(5000), msg + 44, 600);
	memcpy(scratch(9000), msg + 44 + 600, 400);
	iov[0] = (struct iovec){scratch(100), 44};
	iov[1] = (struct iovec){scratch(5000), 600};
	iov[2] = (struct iovec){scratch(9000), 400};
	assert_int_equal(send_section(43, NETVSC_INVALID_INDEX, 0, iov, 3), 0);
	assert_int_equal(out.n, 2);
	check_frame(&out.a[0], 1000, 3);
	assert_int_equal(out.a[0].frame.niov, 2);
	assert_int_equal(tx_status(1, 43), NVSP_STAT_SUCCESS);
}

static void test_tx_vlan(void **state)
{
	uint8_t msg[2048], frame[2048];
	uint32_t len;
	(void)state;

	ready();
	len = packet(msg, 1514, 0x40, 5 << 13 | 0x123, 1);
	send_write(2 * 6144, msg, len);
	assert_int_equal(send_section(44, 2, len, NULL, 0), 0);
	assert_int_equal(out.n, 2);
	assert_int_equal(gather(&out.a[0], frame), 1518);
	for (uint32_t i = 0; i < 12; i++)
		assert_int_equal(frame[i], (uint8_t)(0x40 + i));
	assert_int_equal(frame[12], 0x81);
	assert_int_equal(frame[13], 0x00);
	assert_int_equal(frame[14], 0xA1);
	assert_int_equal(frame[15], 0x23);
	for (uint32_t i = 12; i < 1514; i++)
		assert_int_equal(frame[i + 4], (uint8_t)(0x40 + i));
	assert_int_equal(tx_status(1, 44), NVSP_STAT_SUCCESS);
}

static void test_tx_drops(void **state)
{
	uint8_t msg[2048];
	uint32_t len;
	(void)state;

	ready();
	len = packet(msg, 0, 0, -1, 1);		/* zero-length frame */
	send_write(0, msg, len);
	assert_int_equal(send_section(50, 0, len, NULL, 0), 0);
	assert_int_equal(out.n, 1);
	assert_int_equal(tx_status(0, 50), NVSP_STAT_SUCCESS);
	len = packet(msg, 13, 0, -1, 1);	/* runt */
	send_write(0, msg, len);
	assert_int_equal(send_section(51, 0, len, NULL, 0), 0);
	assert_int_equal(nv.stats.tx_drop_runt, 2);
	len = packet(msg, 1515, 0, -1, 1);	/* MTU + 15 */
	send_write(0, msg, len);
	assert_int_equal(send_section(52, 0, len, NULL, 0), 0);
	assert_int_equal(out.n, 1);
	assert_int_equal(nv.stats.tx_drop_oversize, 1);
	/* ... unless it carries its own 802.1Q tag. */
	msg[44 + 12] = 0x81;
	msg[44 + 13] = 0x00;
	send_write(0, msg, len);
	assert_int_equal(send_section(53, 0, len, NULL, 0), 0);
	assert_int_equal(out.n, 2);
	assert_int_equal(out.a[0].frame.len, 1515);

	assert_int_equal(netvsp_link(&nv, false, &out), 0);
	len = packet(msg, 100, 0, -1, 1);
	send_write(0, msg, len);
	assert_int_equal(send_section(54, 0, len, NULL, 0), 0);
	assert_int_equal(out.n, 1);
	assert_int_equal(nv.stats.tx_drop_link_down, 1);
	assert_int_equal(tx_status(0, 54), NVSP_STAT_SUCCESS);
	assert_int_equal(nv.stats.tx_packets, 1);
}

static void test_tx_before_rndis_init(void **state)
{
	uint8_t msg[256];
	uint32_t len;
	(void)state;

	setup();
	nvsp_bring_up(NVSP_PROTOCOL_VERSION_61);
	len = packet(msg, 60, 0, -1, 1);
	send_write(0, msg, len);
	assert_int_equal(send_section(60, 0, len, NULL, 0), 0);
	assert_int_equal(out.n, 1);
	assert_int_equal(nv.stats.tx_drop_not_ready, 1);
}

static void test_tx_malformed(void **state)
{
	uint8_t msg[2048];
	uint32_t len, at = 0;
	struct iovec iov[NETVSP_TX_IOV_MAX + 1];
	uint32_t pkt[10] = {NVSP_MSG1_TYPE_SEND_RNDIS_PKT, 2, NETVSC_INVALID_INDEX, 0};
	(void)state;

	ready();
	len = packet(msg, 100, 0, -1, 1);
	send_write(0, msg, len);
	/* The message runs past what the section holds. */
	assert_int_equal(send_section(70, 0, len - 1, NULL, 0), -EBADMSG);
	assert_int_equal(out.n, 1);
	assert_int_equal(tx_status(0, 70), NVSP_STAT_FAIL);
	/* Trailing bytes no message fits in: what came before still goes. */
	assert_int_equal(send_section(71, 0, len + 4, NULL, 0), -EBADMSG);
	assert_int_equal(out.n, 2);
	check_frame(&out.a[0], 100, 0);
	assert_int_equal(tx_status(1, 71), NVSP_STAT_FAIL);
	assert_int_equal(nv.stats.tx_packets, 1);
	/* Sections that do not exist, or are too long. */
	assert_int_equal(send_section(72, 8, len, NULL, 0), -EBADMSG);
	assert_int_equal(tx_status(0, 72), NVSP_STAT_FAIL);
	assert_int_equal(send_section(73, 0xFFFFFFFE, len, NULL, 0), -EBADMSG);
	assert_int_equal(send_section(74, 0, 6145, NULL, 0), -EBADMSG);
	/* Nothing at all to read. */
	assert_int_equal(send_section(75, NETVSC_INVALID_INDEX, 0, NULL, 0), -EBADMSG);
	assert_int_equal(tx_status(0, 75), NVSP_STAT_FAIL);
	/* msg_len 0 would never advance. */
	memset(msg, 0, 16);
	msg[0] = RNDIS_MSG_PACKET;
	send_write(0, msg, 16);
	assert_int_equal(send_section(76, 0, 16, NULL, 0), -EBADMSG);
	/* A PACKET whose frame lies past its own msg_len. */
	len = packet(msg, 100, 0, -1, 1);
	memcpy(msg + 12, &(uint32_t){200}, 4);
	send_write(0, msg, len);
	assert_int_equal(send_section(77, 0, len, NULL, 0), -EBADMSG);
	assert_int_equal(out.n, 1);
	/* More messages than INIT_CMPLT allowed: the first 8 go. */
	for (int i = 0; i < 9; i++) {
		len = packet(msg, 60, 0, -1, 8);
		send_write(at, msg, len);
		at += len;
	}
	assert_int_equal(send_section(78, 0, at, NULL, 0), -EBADMSG);
	assert_int_equal(out.n, 9);
	assert_int_equal(tx_status(8, 78), NVSP_STAT_FAIL);
	/* A channel type that does not exist; too many ranges. */
	assert_int_equal(netvsp_handle(&nv, VM_PKT_DATA_INBAND, 79, pkt, 40, NULL, 0, &out),
			 -EBADMSG);
	assert_int_equal(tx_status(0, 79), NVSP_STAT_FAIL);
	pkt[1] = 0;
	for (unsigned int i = 0; i < ARRAY_SIZE(iov); i++)
		iov[i] = (struct iovec){scratch(i), 1};
	assert_int_equal(netvsp_handle(&nv, VM_PKT_DATA_USING_GPA_DIRECT, 80, pkt, 40, iov,
				       ARRAY_SIZE(iov), &out),
			 -EBADMSG);
	assert_int_equal(tx_status(0, 80), NVSP_STAT_FAIL);
	/* Short NVSP message. */
	assert_int_equal(netvsp_handle(&nv, VM_PKT_DATA_INBAND, 81, pkt, 12, NULL, 0, &out),
			 -EBADMSG);
	assert_int_equal(tx_status(0, 81), NVSP_STAT_FAIL);
	assert_true(nv.stats.rndis_bad >= 5);
}

static void test_rx_into_sections(void **state)
{
	uint8_t frame[1518], msg[2048];
	uint64_t ids[3];
	struct rndis_packet p;
	(void)state;

	ready();
	memcpy(frame, mac, 6);
	for (uint32_t i = 6; i < sizeof(frame); i++)
		frame[i] = (uint8_t)i;
	for (int k = 0; k < 3; k++) {
		uint32_t len = k == 2 ? 1514 : 60 + k;

		assert_int_equal(netvsp_rx(&nv, frame, len, &out), 0);
		assert_int_equal(out.n, 1);
		assert_int_equal(linux_receive(0, msg), 44 + len);
		assert_int_equal(out.a[0].pkt.msg.msg.send_rndis_pkt.channel_type,
				 NVSP_CHANNEL_TYPE_DATA);
		/* rndis_filter_receive_data */
		assert_int_equal(u32_at(msg, 0), RNDIS_MSG_PACKET);
		memcpy(&p, msg + 8, sizeof(p));
		assert_true(p.data_offset < 44 + len - 8);
		assert_true(44 + len - 8 - p.data_offset >= p.data_len);
		assert_int_equal(p.data_len, len);
		assert_memory_equal(msg + 8 + p.data_offset, frame, len);
		ids[k] = out.a[0].pkt.trans_id;
	}
	assert_true(ids[0] != ids[1] && ids[1] != ids[2]);
	assert_int_equal(nv.stats.rx_packets, 3);
	assert_int_equal(nv.stats.rx_bytes, 60 + 61 + 1514);
	for (int k = 0; k < 3; k++) {
		assert_int_equal(guest_complete(ids[k]), 0);
		assert_int_equal(out.n, 0);
	}
	/* Twice is once too many. */
	assert_int_equal(guest_complete(ids[0]), -EBADMSG);
	assert_int_equal(nv.stats.completion_bad, 1);
}

static void test_rx_full_drops(void **state)
{
	uint8_t frame[100] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	uint64_t ids[2];
	uint8_t reply[RNDIS_REPLY_MAX];
	uint32_t keepalive[3] = {RNDIS_MSG_KEEPALIVE, 12, 99};
	uint32_t pkt[10] = {NVSP_MSG1_TYPE_SEND_RNDIS_PKT, NVSP_CHANNEL_TYPE_CONTROL,
			    NETVSC_INVALID_INDEX, 0};
	struct iovec iov = {scratch(0), sizeof(keepalive)};
	(void)state;

	/* A one-page receive buffer: two sections. */
	setup();
	recv_pages = 1;
	nvsp_bring_up(NVSP_PROTOCOL_VERSION_61);
	assert_int_equal(section_count, 2);
	rndis_bring_up();
	for (int k = 0; k < 2; k++) {
		assert_int_equal(netvsp_rx(&nv, frame, sizeof(frame), &out), 0);
		ids[k] = out.a[0].pkt.trans_id;
	}
	assert_int_equal(netvsp_rx(&nv, frame, sizeof(frame), &out), -ENOBUFS);
	assert_int_equal(out.n, 0);
	assert_int_equal(nv.stats.rx_drop_no_section, 1);

	/* A control reply waits for a section instead. */
	memcpy(scratch(0), keepalive, sizeof(keepalive));
	assert_int_equal(netvsp_handle(&nv, VM_PKT_DATA_USING_GPA_DIRECT, 90, pkt, 40, &iov, 1,
				       &out),
			 0);
	assert_int_equal(out.n, 1);
	assert_int_equal(tx_status(0, 90), NVSP_STAT_SUCCESS);
	assert_int_equal(nv.pending_n, 1);
	assert_int_equal(guest_complete(ids[1]), 0);
	assert_int_equal(out.n, 1);
	assert_int_equal(linux_receive(0, reply), 16);
	assert_int_equal(u32_at(reply, 0), RNDIS_MSG_KEEPALIVE_C);
	assert_int_equal(u32_at(reply, 8), 99);
	assert_int_equal(nv.pending_n, 0);
	assert_int_equal(guest_complete(out.a[0].pkt.trans_id), 0);
	assert_int_equal(netvsp_rx(&nv, frame, sizeof(frame), &out), 0);
}

static void test_rx_drops(void **state)
{
	uint8_t frame[1600] = {0};
	(void)state;

	setup();
	memcpy(frame, mac, 6);
	assert_int_equal(netvsp_rx(&nv, frame, 60, &out), -ENOBUFS);
	assert_int_equal(nv.stats.rx_drop_not_ready, 1);
	nvsp_bring_up(NVSP_PROTOCOL_VERSION_61);
	assert_int_equal(netvsp_rx(&nv, frame, 60, &out), -ENOBUFS);
	assert_int_equal(nv.stats.rx_drop_not_ready, 2);
	rndis_bring_up();
	assert_int_equal(netvsp_rx(&nv, frame, 0, &out), -ENOBUFS);
	assert_int_equal(netvsp_rx(&nv, frame, 13, &out), -ENOBUFS);
	assert_int_equal(nv.stats.rx_drop_runt, 2);
	assert_int_equal(netvsp_rx(&nv, frame, 1515, &out), -ENOBUFS);
	assert_int_equal(nv.stats.rx_drop_oversize, 1);
	frame[12] = 0x81;
	assert_int_equal(netvsp_rx(&nv, frame, 1518, &out), 0);
	assert_int_equal(netvsp_rx(&nv, frame, 1519, &out), -ENOBUFS);
	assert_int_equal(nv.stats.rx_drop_oversize, 2);
	frame[0] = 0x02; /* someone else's */
	assert_int_equal(netvsp_rx(&nv, frame, 60, &out), -ENOBUFS);
	assert_int_equal(nv.stats.rx_drop_filtered, 1);
	frame[0] = 0x00;
	assert_int_equal(netvsp_link(&nv, false, &out), 0);
	assert_int_equal(netvsp_rx(&nv, frame, 60, &out), -ENOBUFS);
	assert_int_equal(nv.stats.rx_drop_link_down, 1);
	assert_int_equal(nv.stats.rx_packets, 1);
	assert_int_equal(out.n, 0);
}

static void test_link(void **state)
{
	uint32_t init[6] = {RNDIS_MSG_INIT, 24, 1, 1, 0, 0x4000};
	uint8_t msg[64];
	uint32_t v;
	(void)state;

	setup();
	nvsp_bring_up(NVSP_PROTOCOL_VERSION_61);
	/* Before RNDIS INIT nothing is sent: the guest asks. */
	assert_int_equal(netvsp_link(&nv, false, &out), 0);
	assert_int_equal(out.n, 0);
	assert_int_equal(control((const uint8_t *)init, sizeof(init), msg), 52);
	assert_int_equal(query(2, RNDIS_OID_GEN_MEDIA_CONNECT_STATUS, NULL, 0, &v, 4), 4);
	assert_int_equal(v, NDIS_MEDIA_STATE_DISCONNECTED);
	assert_int_equal(netvsp_link(&nv, true, &out), 0);
	assert_int_equal(out.n, 1);
	assert_int_equal(linux_receive(0, msg), 20);
	assert_int_equal(u32_at(msg, 0), RNDIS_MSG_INDICATE);
	assert_int_equal(u32_at(msg, 8), RNDIS_STATUS_MEDIA_CONNECT);
	assert_int_equal(out.a[0].pkt.msg.msg.send_rndis_pkt.channel_type,
			 NVSP_CHANNEL_TYPE_CONTROL);
	assert_int_equal(netvsp_link(&nv, true, &out), 0);
	assert_int_equal(out.n, 0);
	assert_int_equal(netvsp_link(&nv, false, &out), 0);
	assert_int_equal(linux_receive(0, msg), 20);
	assert_int_equal(u32_at(msg, 8), RNDIS_STATUS_MEDIA_DISCONNECT);
}

static void test_revoke(void **state)
{
	uint32_t revoke_recv[10] = {NVSP_MSG1_TYPE_REVOKE_RECV_BUF, NETVSC_RECEIVE_BUFFER_ID};
	uint32_t revoke_send[10] = {NVSP_MSG1_TYPE_REVOKE_SEND_BUF, 7};
	uint32_t recv_buf[10] = {NVSP_MSG1_TYPE_SEND_RECV_BUF, RECV_GPADL, NETVSC_RECEIVE_BUFFER_ID};
	uint8_t frame[60] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, msg[256];
	uint64_t id;
	uint32_t len;
	(void)state;

	ready();
	assert_int_equal(netvsp_rx(&nv, frame, sizeof(frame), &out), 0);
	id = out.a[0].pkt.trans_id;
	/* The wrong id changes nothing. */
	assert_int_equal(inband(0, revoke_send, 40), -EBADMSG);
	assert_true(nv.send_mapped);
	revoke_send[1] = NETVSC_SEND_BUFFER_ID;
	assert_int_equal(inband(0, revoke_send, 40), 0);
	assert_int_equal(out.n, 0);
	assert_false(nv.send_mapped);
	len = packet(msg, 60, 0, -1, 1);
	send_write(0, msg, len);
	assert_int_equal(send_section(100, 0, len, NULL, 0), -EBADMSG);
	assert_int_equal(tx_status(0, 100), NVSP_STAT_FAIL);

	assert_int_equal(inband(0, revoke_recv, 40), 0);
	assert_int_equal(out.n, 0);
	assert_int_equal(netvsp_rx(&nv, frame, sizeof(frame), &out), -ENOBUFS);
	assert_int_equal(inband(0, revoke_recv, 40), -EBADMSG);
	/* A new receive buffer: completions from the old one are stale. */
	assert_int_equal(inband(5, recv_buf, 40), 0);
	assert_int_equal(u32_at(completion(0, 5, NVSP_MSG1_TYPE_SEND_RECV_BUF_COMPLETE), 4),
			 NVSP_STAT_SUCCESS);
	assert_int_equal(guest_complete(id), -EBADMSG);
	assert_int_equal(netvsp_rx(&nv, frame, sizeof(frame), &out), 0);
	assert_true(out.a[0].pkt.trans_id != id);
}

static void test_subchannel_and_datapath(void **state)
{
	uint32_t sub[10] = {NVSP_MSG5_TYPE_SUBCHANNEL, NVSP_SUBCHANNEL_ALLOCATE, 7};
	uint32_t dp[10] = {NVSP_MSG4_TYPE_SWITCH_DATA_PATH, 0};
	const uint8_t *c;
	(void)state;

	ready();
	assert_int_equal(inband(200, sub, 40), 0);
	c = completion(0, 200, NVSP_MSG5_TYPE_SUBCHANNEL);
	assert_int_equal(u32_at(c, 4), NVSP_STAT_SUCCESS);
	assert_int_equal(u32_at(c, 8), 0); /* <= num_chn - 1, and no offers */
	sub[1] = 2;
	assert_int_equal(inband(201, sub, 40), -EBADMSG);
	assert_int_equal(u32_at(completion(0, 201, NVSP_MSG5_TYPE_SUBCHANNEL), 4), NVSP_STAT_FAIL);

	assert_int_equal(inband(202, dp, 40), 0);
	assert_int_equal(out.n, 1);
	assert_int_equal(out.a[0].pkt.type, VM_PKT_COMP);
	assert_int_equal(out.a[0].pkt.len, 0);
	assert_true(out.a[0].pkt.trans_id == 202);

	setup();
	nvsp_bring_up(NVSP_PROTOCOL_VERSION_4);
	sub[1] = NVSP_SUBCHANNEL_ALLOCATE;
	assert_int_equal(inband(203, sub, 40), -EBADMSG);
	assert_int_equal(u32_at(completion(0, 203, NVSP_MSG5_TYPE_SUBCHANNEL), 4), NVSP_STAT_FAIL);
}

static void test_malformed_nvsp(void **state)
{
	uint32_t init[10] = {NVSP_MSG_TYPE_INIT, NVSP_PROTOCOL_VERSION_61, NVSP_PROTOCOL_VERSION_61};
	uint32_t recv_buf[10] = {NVSP_MSG1_TYPE_SEND_RECV_BUF, 0x999, NETVSC_RECEIVE_BUFFER_ID};
	uint32_t send_buf[10] = {NVSP_MSG1_TYPE_SEND_SEND_BUF, 0x999, 0};
	uint32_t ndis_ver[10] = {NVSP_MSG1_TYPE_SEND_NDIS_VER, 6, 30};
	uint32_t unknown[10] = {NVSP_MSG2_TYPE_SEND_NDIS_CONFIG + 6};
	uint32_t comp[2] = {NVSP_MSG1_TYPE_SEND_RNDIS_PKT_COMPLETE, 1};
	(void)state;

	setup();
	assert_int_equal(inband(1, init, 3), -EBADMSG);
	assert_int_equal(out.n, 0);
	/* Before INIT. */
	assert_int_equal(inband(2, recv_buf, 40), -EBADMSG);
	assert_int_equal(u32_at(completion(0, 2, NVSP_MSG1_TYPE_SEND_RECV_BUF_COMPLETE), 4),
			 NVSP_STAT_FAIL);
	assert_int_equal(inband(3, ndis_ver, 40), -EBADMSG);
	assert_int_equal(out.n, 0);
	/* INIT too short for its versions. */
	assert_int_equal(inband(4, init, 8), -EBADMSG);
	assert_int_equal(u32_at(completion(0, 4, NVSP_MSG_TYPE_INIT_COMPLETE), 12), NVSP_STAT_FAIL);
	assert_int_equal(inband(5, init, 40), 0);
	/* GPADLs the channel does not have. */
	assert_int_equal(inband(6, recv_buf, 40), -EBADMSG);
	assert_int_equal(u32_at(completion(0, 6, NVSP_MSG1_TYPE_SEND_RECV_BUF_COMPLETE), 4),
			 NVSP_STAT_FAIL);
	assert_int_equal(inband(7, send_buf, 40), -EBADMSG);
	assert_int_equal(u32_at(completion(0, 7, NVSP_MSG1_TYPE_SEND_SEND_BUF_COMPLETE), 4),
			 NVSP_STAT_FAIL);
	/* A buffer too small for one section. */
	recv_pages = 0;
	recv_buf[1] = RECV_GPADL;
	assert_int_equal(inband(8, recv_buf, 40), -EBADMSG);
	recv_pages = 256;
	assert_int_equal(inband(9, recv_buf, 40), 0);
	/* The second receive buffer is refused. */
	assert_int_equal(inband(10, recv_buf, 40), -EBADMSG);
	assert_int_equal(u32_at(completion(0, 10, NVSP_MSG1_TYPE_SEND_RECV_BUF_COMPLETE), 4),
			 NVSP_STAT_FAIL);
	assert_int_equal(inband(11, recv_buf, 9), -EBADMSG);
	/* Types the host does not serve, or in the wrong packet type. */
	assert_int_equal(inband(12, unknown, 40), 0);
	assert_int_equal(out.n, 0);
	assert_int_equal(nv.stats.nvsp_unknown, 1);
	assert_int_equal(netvsp_handle(&nv, VM_PKT_DATA_USING_GPA_DIRECT, 13, init, 40, NULL, 0,
				       &out),
			 -EBADMSG);
	assert_int_equal(netvsp_handle(&nv, VM_PKT_DATA_USING_XFER_PAGES, 14, init, 40, NULL, 0,
				       &out),
			 -EBADMSG);
	assert_int_equal(out.n, 0);
	/* Completions for nothing the host sent. */
	assert_int_equal(netvsp_handle(&nv, VM_PKT_COMP, 0, comp, 8, NULL, 0, &out), -EBADMSG);
	assert_int_equal(netvsp_handle(&nv, VM_PKT_COMP, 0xFFFFFFFFFFFFFFFFull, comp, 8, NULL, 0,
				       &out),
			 -EBADMSG);
	assert_int_equal(netvsp_handle(&nv, VM_PKT_COMP, 0, comp, 4, NULL, 0, &out), -EBADMSG);
	assert_int_equal(nv.stats.completion_bad, 3);
	/* A new INIT starts over: the receive buffer is gone. */
	assert_int_equal(inband(15, init, 40), 0);
	assert_false(nv.recv_mapped);
	assert_int_equal(inband(16, recv_buf, 40), 0);
	assert_int_equal(u32_at(completion(0, 16, NVSP_MSG1_TYPE_SEND_RECV_BUF_COMPLETE), 4),
			 NVSP_STAT_SUCCESS);
}

static void test_malformed_rndis_control(void **state)
{
	uint32_t pkt[10] = {NVSP_MSG1_TYPE_SEND_RNDIS_PKT, NVSP_CHANNEL_TYPE_CONTROL,
			    NETVSC_INVALID_INDEX, 0};
	uint32_t msg[8] = {RNDIS_MSG_QUERY, 8};
	struct iovec iov = {scratch(0), 8};
	uint8_t frame[60] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	(void)state;

	ready();
	/* No req_id to answer with: only the NVSP completion, failed. */
	memcpy(scratch(0), msg, sizeof(msg));
	assert_int_equal(netvsp_handle(&nv, VM_PKT_DATA_USING_GPA_DIRECT, 300, pkt, 40, &iov, 1,
				       &out),
			 -EBADMSG);
	assert_int_equal(out.n, 1);
	assert_int_equal(tx_status(0, 300), NVSP_STAT_FAIL);
	/* An unknown message type: nothing to answer, nothing wrong. */
	msg[0] = 0x99;
	memcpy(scratch(0), msg, sizeof(msg));
	assert_int_equal(netvsp_handle(&nv, VM_PKT_DATA_USING_GPA_DIRECT, 301, pkt, 40, &iov, 1,
				       &out),
			 0);
	assert_int_equal(out.n, 1);
	assert_int_equal(tx_status(0, 301), NVSP_STAT_SUCCESS);
	/* HALT: no reply; RX stops. */
	msg[0] = RNDIS_MSG_HALT;
	msg[1] = 12;
	iov.iov_len = 12;
	memcpy(scratch(0), msg, sizeof(msg));
	assert_int_equal(netvsp_handle(&nv, VM_PKT_DATA_USING_GPA_DIRECT, 302, pkt, 40, &iov, 1,
				       &out),
			 0);
	assert_int_equal(out.n, 1);
	assert_false(nv.rndis.initialized);
	assert_int_equal(netvsp_rx(&nv, frame, sizeof(frame), &out), -ENOBUFS);
	assert_int_equal(nv.stats.rx_drop_not_ready, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_linux_bring_up),
		cmocka_unit_test(test_versions),
		cmocka_unit_test(test_tx_one_in_section),
		cmocka_unit_test(test_tx_several_in_section),
		cmocka_unit_test(test_tx_partial_copy),
		cmocka_unit_test(test_tx_gpa_ranges),
		cmocka_unit_test(test_tx_vlan),
		cmocka_unit_test(test_tx_drops),
		cmocka_unit_test(test_tx_before_rndis_init),
		cmocka_unit_test(test_tx_malformed),
		cmocka_unit_test(test_rx_into_sections),
		cmocka_unit_test(test_rx_full_drops),
		cmocka_unit_test(test_rx_drops),
		cmocka_unit_test(test_link),
		cmocka_unit_test(test_revoke),
		cmocka_unit_test(test_subchannel_and_datapath),
		cmocka_unit_test(test_malformed_nvsp),
		cmocka_unit_test(test_malformed_rndis_control),
	};

	return unit_run("netvsp", tests, ARRAY_SIZE(tests), NULL);
}
