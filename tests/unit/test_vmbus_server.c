/* Unit tests for the VMBus server, driven the way Linux 6.1's hv_vmbus
 * drives it (drivers/hv/connection.c, channel.c, channel_mgmt.c): the
 * whole boot sequence, version fallback, sub-channel offers, rescind and
 * RELID_RELEASED, MODIFYCHANNEL, every rejection (bad relid, unknown
 * GPADL, another channel's GPADL, duplicate GPADL id, PFN outside RAM, too
 * many pages, body for an unknown id, truncated and unknown messages, bad
 * transport parameters), host queue back-pressure, -EAGAIN from post
 * keeping the order, resets closing the devices, and devices told of an
 * open only once the guest has its OPENCHANNEL_RESULT. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "unit.h"
#include <cmocka.h> /* needs the four above first */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channel_msg.h"
#include "hv/message.h"
#include "hv/status.h"
#include "server.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define RAM_PAGES   1024u
#define N_VPS	    2u
#define CONN(relid) (0x10000u + (relid))

static struct guest_mem mem;
static struct vmbus_server *srv;

/* ---- the integrator: what the server posted and logged ---- */

struct sent_msg {
	uint32_t vp, len;
	uint8_t data[VMBUS_MSG_PAYLOAD_MAX];
};

static struct sent_msg sent[1024];
static unsigned n_sent, n_read;
static int budget;     /* posts accepted before -EAGAIN; < 0: no limit */
static int post_error; /* returned once instead of posting */
static unsigned n_logs;
static char last_log[256];

static int record_post(void *ctx, uint32_t vp, const void *msg, uint32_t len)
{
	int rc;

	assert_ptr_equal(ctx, &mem);
	assert_in_range(len, 8, VMBUS_MSG_PAYLOAD_MAX);
	assert_in_range(vp, 0, N_VPS - 1);
	if (post_error) {
		rc = post_error;
		post_error = 0;
		return rc;
	}
	if (!budget)
		return -EAGAIN;
	if (budget > 0)
		budget--;
	assert_true(n_sent < ARRAY_SIZE(sent));
	sent[n_sent].vp = vp;
	sent[n_sent].len = len;
	memcpy(sent[n_sent].data, msg, len);
	n_sent++;
	return 0;
}

static void record_log(void *ctx, const char *fmt, ...)
{
	va_list ap;

	assert_ptr_equal(ctx, &mem);
	va_start(ap, fmt);
	vsnprintf(last_log, sizeof(last_log), fmt, ap);
	va_end(ap);
	n_logs++;
}

static const struct vmbus_server_ops server_ops = {
    .post = record_post,
    .log = record_log,
};

/* ---- devices: record open, close, release ---- */

struct fake_dev {
	struct vmbus_channel *ch;
	int open_rc;
};

struct dev_event {
	char kind; /* 'o'pen, 'c'lose, 'r'elease */
	struct vmbus_channel *ch;
	uint32_t relid;
	void *in[64], *out[64];
	unsigned n_in, n_out;
	uint32_t vp;
};

static struct dev_event events[VMBUS_SERVER_MAX_CHANNELS + 64];
static unsigned n_events;

static struct dev_event *record_event(char kind, struct vmbus_channel *ch)
{
	struct dev_event *e;

	assert_true(n_events < ARRAY_SIZE(events));
	e = &events[n_events++];
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->ch = ch;
	e->relid = vmbus_channel_relid(ch);
	return e;
}

static int dev_open(struct vmbus_channel *ch, void *const *in, unsigned n_in, void *const *out,
		    unsigned n_out, uint32_t target_vp)
{
	struct dev_event *e = record_event('o', ch);
	struct fake_dev *d = vmbus_channel_priv(ch);

	assert_in_range(n_in, 2, 64);
	assert_in_range(n_out, 2, 64);
	memcpy(e->in, in, n_in * sizeof(*in));
	memcpy(e->out, out, n_out * sizeof(*out));
	e->n_in = n_in;
	e->n_out = n_out;
	e->vp = target_vp;
	assert_int_equal(vmbus_channel_target_vp(ch), target_vp);
	return d->open_rc;
}

static void dev_close(struct vmbus_channel *ch)
{
	record_event('c', ch);
}

static void dev_release(struct vmbus_channel *ch)
{
	record_event('r', ch);
}

/* Kept apart from events: only test_opened_after_result looks. */
static struct vmbus_channel *opened[8];
static unsigned n_opened;

static void dev_opened(struct vmbus_channel *ch)
{
	if (n_opened < ARRAY_SIZE(opened))
		opened[n_opened] = ch;
	n_opened++;
}

static const struct vmbus_device_ops dev_ops = {
    .open = dev_open,
    .opened = dev_opened,
    .close = dev_close,
    .release = dev_release,
};

static struct fake_dev scsi, net, shutdown_ic;

#define GUID_SCSI_INSTANCE                                                                         \
	HV_GUID(0x00000001, 0x0002, 0x0003, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b)
#define GUID_NET_INSTANCE                                                                          \
	HV_GUID(0x10000001, 0x1002, 0x1003, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b)
#define GUID_SHUTDOWN_INSTANCE                                                                     \
	HV_GUID(0xb6650ff7, 0x33bc, 0x4840, 0x80, 0x48, 0xe0, 0x67, 0x67, 0x86, 0xf3, 0x93)

static struct vmbus_channel *add(struct fake_dev *d, struct hv_guid class_id,
				 struct hv_guid instance_id)
{
	struct vmbus_device dev = {
	    .class_id = class_id,
	    .instance_id = instance_id,
	    .ops = &dev_ops,
	    .priv = d,
	};

	d->ch = vmbus_server_add_device(srv, &dev);
	return d->ch;
}

static int setup(void **state)
{
	(void)state;
	n_sent = n_read = n_logs = n_events = n_opened = 0;
	budget = -1;
	post_error = 0;
	mem.size = RAM_PAGES * 4096ull;
	mem.base = calloc(1, mem.size);
	assert_non_null(mem.base);
	srv = vmbus_server_create(&server_ops, &mem, &mem, N_VPS);
	assert_non_null(srv);
	memset(&scsi, 0, sizeof(scsi));
	memset(&net, 0, sizeof(net));
	memset(&shutdown_ic, 0, sizeof(shutdown_ic));
	assert_non_null(add(&scsi, HV_GUID_SCSI, GUID_SCSI_INSTANCE));
	assert_non_null(add(&net, HV_GUID_NETWORK, GUID_NET_INSTANCE));
	assert_non_null(add(&shutdown_ic, HV_GUID_SHUTDOWN, GUID_SHUTDOWN_INSTANCE));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vmbus_server_destroy(srv);
	free(mem.base);
	return 0;
}

/* ---- the guest ---- */

static uint16_t post(uint32_t conn, const void *msg, uint32_t len)
{
	return vmbus_server_post_message(srv, conn, HVMSG_VMBUS, msg, len);
}

static void post_ok(const void *msg, uint32_t len)
{
	assert_int_equal(post(VMBUS_MESSAGE_CONNECTION_ID, msg, len), HV_STATUS_SUCCESS);
}

static void post_simple(uint32_t type)
{
	struct vmbus_channel_message_header h = {.msgtype = type};

	post_ok(&h, sizeof(h));
}

/* The next message the host sent, after a flush; NULL if none. */
static const void *next_msg(uint32_t *type, uint32_t *vp)
{
	const struct sent_msg *s;

	assert_int_equal(vmbus_server_flush(srv), 0);
	if (n_read == n_sent)
		return NULL;
	s = &sent[n_read++];
	memcpy(type, s->data, sizeof(*type));
	*vp = s->vp;
	return s->data;
}

static const void *expect(uint32_t type, uint32_t len)
{
	const struct sent_msg *s;
	uint32_t got, vp;
	const void *msg = next_msg(&got, &vp);

	assert_non_null(msg);
	s = &sent[n_read - 1];
	assert_string_equal(vmbus_channel_msg_name(got), vmbus_channel_msg_name(type));
	assert_int_equal(s->len, len);
	return msg;
}

static void expect_nothing(void)
{
	uint32_t type, vp;

	assert_null(next_msg(&type, &vp));
}

static uint16_t initiate_contact(uint32_t conn, uint32_t version, uint32_t vp, uint8_t sint)
{
	struct vmbus_channel_initiate_contact ic = {
	    .header.msgtype = CHANNELMSG_INITIATE_CONTACT,
	    .vmbus_version_requested = version,
	    .target_vcpu = vp,
	    .monitor_page1 = 0x5000,
	    .monitor_page2 = 0x6000,
	};

	/* vmbus_negotiate_version(): msg_sint from 5.0, else the int page. */
	if (version >= VMBUS_VERSION_WIN10_V5)
		ic.msg_sint = sint;
	else
		ic.interrupt_page = 0x4000;
	return post(conn, &ic, sizeof(ic));
}

static const struct vmbus_channel_version_response *expect_version_response(uint32_t vp)
{
	const struct vmbus_channel_version_response *r =
	    expect(CHANNELMSG_VERSION_RESPONSE, sizeof(*r));

	assert_int_equal(sent[n_read - 1].vp, vp);
	return r;
}

static void connect(uint32_t version, uint32_t vp)
{
	uint32_t conn = version >= VMBUS_VERSION_WIN10_V5 ? VMBUS_MESSAGE_CONNECTION_ID_4
							  : VMBUS_MESSAGE_CONNECTION_ID;
	const struct vmbus_channel_version_response *r;

	assert_int_equal(initiate_contact(conn, version, vp, VMBUS_MESSAGE_SINT),
			 HV_STATUS_SUCCESS);
	r = expect_version_response(vp);
	assert_int_equal(r->version_supported, 1);
	assert_int_equal(r->connection_state, 0);
	assert_int_equal(r->msg_conn_id, VMBUS_MESSAGE_CONNECTION_ID);
	assert_int_equal(vmbus_server_version(srv), version);
}

static const struct vmbus_channel_offer_channel *expect_offer(uint32_t relid)
{
	const struct vmbus_channel_offer_channel *o = expect(CHANNELMSG_OFFERCHANNEL, 196);

	assert_int_equal(o->child_relid, relid);
	assert_int_equal(o->connection_id, CONN(relid));
	assert_int_equal(o->monitor_allocated, 0);
	assert_int_equal(o->is_dedicated_interrupt, 1);
	return o;
}

/* Connected at 5.3 to VP 1, offers of the three devices received. */
static void boot(void)
{
	connect(VMBUS_VERSION_WIN10_V5_3, 1);
	post_simple(CHANNELMSG_REQUESTOFFERS);
	for (uint32_t relid = 1; relid <= 3; relid++)
		expect_offer(relid);
	expect(CHANNELMSG_ALLOFFERS_DELIVERED, 8);
	expect_nothing();
}

/* __vmbus_establish_gpadl(): one range, a header with up to 26 PFNs,
 * bodies of up to 28, posted back to back. PFNs first, first + 1, ...
 * send_gpadl_header() stops after the header. */
static uint32_t send_gpadl_header(uint32_t relid, uint32_t id, uint64_t first, uint32_t pages)
{
	uint8_t msg[VMBUS_MSG_PAYLOAD_MAX];
	struct vmbus_channel_gpadl_header h = {
	    .header.msgtype = CHANNELMSG_GPADL_HEADER,
	    .child_relid = relid,
	    .gpadl = id,
	    .range_buflen = (uint16_t)(8 + pages * 8),
	    .rangecount = 1,
	};
	struct vmbus_gpadl_range r = {.byte_count = pages * 4096, .byte_offset = 0};
	uint32_t n = pages < 26 ? pages : 26;

	memcpy(msg, &h, sizeof(h));
	memcpy(msg + sizeof(h), &r, sizeof(r));
	for (uint32_t i = 0; i < n; i++) {
		uint64_t pfn = first + i;

		memcpy(msg + 28 + 8 * i, &pfn, 8);
	}
	post_ok(msg, 28 + 8 * n);
	return n;
}

static void send_gpadl(uint32_t relid, uint32_t id, uint64_t first, uint32_t pages)
{
	uint8_t msg[VMBUS_MSG_PAYLOAD_MAX];
	struct vmbus_channel_gpadl_body b = {.header.msgtype = CHANNELMSG_GPADL_BODY, .gpadl = id};
	uint32_t n, done;

	for (done = send_gpadl_header(relid, id, first, pages); done < pages; done += n) {
		n = pages - done < 28 ? pages - done : 28;
		memcpy(msg, &b, sizeof(b));
		for (uint32_t i = 0; i < n; i++) {
			uint64_t pfn = first + done + i;

			memcpy(msg + 16 + 8 * i, &pfn, 8);
		}
		post_ok(msg, 16 + 8 * n);
	}
}

static void expect_gpadl_created(uint32_t relid, uint32_t id, uint32_t status)
{
	const struct vmbus_channel_gpadl_created *c = expect(CHANNELMSG_GPADL_CREATED, 20);

	assert_int_equal(c->child_relid, relid);
	assert_int_equal(c->gpadl, id);
	assert_int_equal(c->creation_status, status);
}

static void open_channel(uint32_t relid, uint32_t gpadl, uint32_t vp, uint32_t offset)
{
	struct vmbus_channel_open_channel o = {
	    .header.msgtype = CHANNELMSG_OPENCHANNEL,
	    .child_relid = relid,
	    .openid = relid,
	    .ringbuffer_gpadlhandle = gpadl,
	    .target_vp = vp,
	    .downstream_ringbuffer_pageoffset = offset,
	};

	post_ok(&o, sizeof(o));
}

static void expect_open_result(uint32_t relid, uint32_t status)
{
	const struct vmbus_channel_open_result *r = expect(CHANNELMSG_OPENCHANNEL_RESULT, 20);

	assert_int_equal(r->child_relid, relid);
	assert_int_equal(r->openid, relid);
	assert_int_equal(r->status, status);
}

/* GPADL of 2 x pages/2 at PFN first, OPENCHANNEL, result ok. */
static void open_ok(uint32_t relid, uint32_t gpadl, uint64_t first, uint32_t pages)
{
	send_gpadl(relid, gpadl, first, pages);
	expect_gpadl_created(relid, gpadl, VMBUS_STATUS_SUCCESS);
	open_channel(relid, gpadl, 0, pages / 2);
	expect_open_result(relid, VMBUS_STATUS_SUCCESS);
}

static void send_relid_msg(uint32_t type, uint32_t relid)
{
	struct vmbus_channel_close_channel c = {.header.msgtype = type, .child_relid = relid};

	post_ok(&c, sizeof(c));
}

static void send_teardown(uint32_t relid, uint32_t gpadl)
{
	struct vmbus_channel_gpadl_teardown t = {
	    .header.msgtype = CHANNELMSG_GPADL_TEARDOWN,
	    .child_relid = relid,
	    .gpadl = gpadl,
	};

	post_ok(&t, sizeof(t));
}

static void expect_torndown(uint32_t gpadl)
{
	const struct vmbus_channel_gpadl_torndown *t = expect(CHANNELMSG_GPADL_TORNDOWN, 12);

	assert_int_equal(t->gpadl, gpadl);
}

static void send_modify(uint32_t relid, uint32_t vp)
{
	struct vmbus_channel_modifychannel m = {
	    .header.msgtype = CHANNELMSG_MODIFYCHANNEL,
	    .child_relid = relid,
	    .target_vp = vp,
	};

	post_ok(&m, sizeof(m));
}

static void expect_event(char kind, struct vmbus_channel *ch, unsigned i)
{
	assert_true(i < n_events);
	assert_int_equal(events[i].kind, kind);
	assert_ptr_equal(events[i].ch, ch);
}

/* ---- tests ---- */

static void test_linux_boot(void **state)
{
	const struct vmbus_channel_offer_channel *o;
	struct vmbus_channel *ch;

	(void)state;
	/* vmbus_connect(): the first version Linux tries, 5.3, on id 4. */
	connect(VMBUS_VERSION_WIN10_V5_3, 1);
	expect_nothing();
	/* vmbus_request_offers() */
	post_simple(CHANNELMSG_REQUESTOFFERS);
	o = expect_offer(1);
	assert_memory_equal(&o->offer.if_type, &HV_GUID_SCSI, 16);
	assert_memory_equal(&o->offer.if_instance, &GUID_SCSI_INSTANCE, 16);
	assert_int_equal(o->offer.sub_channel_index, 0);
	assert_int_equal(o->offer.chn_flags, 0);
	assert_int_equal(sent[n_read - 1].vp, 1);
	o = expect_offer(2);
	assert_memory_equal(&o->offer.if_type, &HV_GUID_NETWORK, 16);
	o = expect_offer(3);
	assert_memory_equal(&o->offer.if_type, &HV_GUID_SHUTDOWN, 16);
	expect(CHANNELMSG_ALLOFFERS_DELIVERED, 8);
	assert_int_equal(sent[n_read - 1].vp, 1);

	/* storvsc probe: a ring GPADL of 32 pages (header + one body). */
	send_gpadl(1, 0xE1E10, 100, 32);
	expect_gpadl_created(1, 0xE1E10, VMBUS_STATUS_SUCCESS);
	open_channel(1, 0xE1E10, 1, 16);
	expect_open_result(1, VMBUS_STATUS_SUCCESS);
	assert_int_equal(n_events, 1);
	expect_event('o', scsi.ch, 0);
	assert_int_equal(events[0].n_in, 16);
	assert_int_equal(events[0].n_out, 16);
	assert_int_equal(events[0].vp, 1);
	for (unsigned i = 0; i < 16; i++) {
		assert_ptr_equal(events[0].in[i], mem.base + (100 + i) * 4096ull);
		assert_ptr_equal(events[0].out[i], mem.base + (116 + i) * 4096ull);
	}
	ch = vmbus_server_channel_by_connection(srv, CONN(1));
	assert_ptr_equal(ch, scsi.ch);
	assert_int_equal(vmbus_channel_connection_id(ch), CONN(1));
	assert_int_equal(vmbus_channel_target_vp(ch), 1);
	assert_int_equal(vmbus_channel_subchannel_index(ch), 0);
	assert_ptr_equal(vmbus_channel_primary(ch), ch);
	assert_ptr_equal(vmbus_channel_priv(ch), &scsi);
	assert_non_null(vmbus_channel_gpadl(ch, 0xE1E10));
	assert_null(vmbus_channel_gpadl(net.ch, 0xE1E10));
	assert_null(vmbus_server_channel_by_connection(srv, CONN(2)));

	/* vmbus_close(): CLOSECHANNEL (no reply), then the ring's teardown. */
	send_relid_msg(CHANNELMSG_CLOSECHANNEL, 1);
	assert_int_equal(n_events, 2);
	expect_event('c', scsi.ch, 1);
	assert_null(vmbus_server_channel_by_connection(srv, CONN(1)));
	send_teardown(1, 0xE1E10);
	expect_torndown(0xE1E10);
	expect_nothing();

	/* vmbus_initiate_unload() */
	post_simple(CHANNELMSG_UNLOAD);
	expect(CHANNELMSG_UNLOAD_RESPONSE, 8);
	assert_int_equal(sent[n_read - 1].vp, 1);
	expect_nothing();
	assert_int_equal(vmbus_server_version(srv), 0);
	assert_int_equal(n_logs, 0);
}

/* Linux's vmbus_versions[] from 5.3 down: each is accepted on the id it
 * goes to; the wrong id fails at once, so the guest moves on. */
static void test_version_fallback(void **state)
{
	static const uint32_t linux_versions[] = {
	    VMBUS_VERSION_WIN10_V5_3, VMBUS_VERSION_WIN10_V5_2, VMBUS_VERSION_WIN10_V5_1,
	    VMBUS_VERSION_WIN10_V5,   VMBUS_VERSION_WIN10_V4_1, VMBUS_VERSION_WIN10,
	    VMBUS_VERSION_WIN8_1,     VMBUS_VERSION_WIN8,
	};
	const struct vmbus_channel_version_response *r;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(linux_versions); i++) {
		uint32_t v = linux_versions[i];

		connect(v, (uint32_t)i % N_VPS);
		post_simple(CHANNELMSG_REQUESTOFFERS);
		for (uint32_t relid = 1; relid <= 3; relid++) {
			expect_offer(relid);
			assert_int_equal(sent[n_read - 1].vp, i % N_VPS);
		}
		expect(CHANNELMSG_ALLOFFERS_DELIVERED, 8);
	}

	/* Wrong connection ids: INVALID_CONNECTION_ID, nothing else. */
	assert_int_equal(initiate_contact(1, VMBUS_VERSION_WIN10_V5_3, 0, 2),
			 HV_STATUS_INVALID_CONNECTION_ID);
	assert_int_equal(initiate_contact(4, VMBUS_VERSION_WIN10, 0, 2),
			 HV_STATUS_INVALID_CONNECTION_ID);
	assert_int_equal(initiate_contact(2, VMBUS_VERSION_WIN10, 0, 2),
			 HV_STATUS_INVALID_CONNECTION_ID);
	expect_nothing();
	assert_int_equal(vmbus_server_version(srv), VMBUS_VERSION_WIN8);

	/* Versions we do not speak: answered, not accepted, bus reset. */
	assert_int_equal(initiate_contact(4, 0x00060000, 1, 2), HV_STATUS_SUCCESS);
	r = expect_version_response(1);
	assert_int_equal(r->version_supported, 0);
	assert_int_equal(vmbus_server_version(srv), 0);
	assert_int_equal(initiate_contact(1, 0x00010001, 0, 0), HV_STATUS_SUCCESS);
	assert_int_equal(expect_version_response(0)->version_supported, 0);
	assert_int_equal(initiate_contact(1, 0x0000000D, 0, 0), HV_STATUS_SUCCESS);
	assert_int_equal(expect_version_response(0)->version_supported, 0);
	/* 5.x with a SINT other than 2. */
	assert_int_equal(initiate_contact(4, VMBUS_VERSION_WIN10_V5_3, 0, 3), HV_STATUS_SUCCESS);
	assert_int_equal(expect_version_response(0)->version_supported, 0);
	/* Not connected: offers are not for now. */
	post_simple(CHANNELMSG_REQUESTOFFERS);
	expect_nothing();
	/* A target VP the VM does not have: no answer at all. */
	assert_int_equal(initiate_contact(4, VMBUS_VERSION_WIN10_V5_3, N_VPS, 2),
			 HV_STATUS_SUCCESS);
	expect_nothing();
	assert_true(n_logs >= 6);
}

static void test_wrong_connection_after_contact(void **state)
{
	struct vmbus_channel_message_header h = {.msgtype = CHANNELMSG_REQUESTOFFERS};

	(void)state;
	connect(VMBUS_VERSION_WIN10_V5_3, 0);
	/* After VERSION_RESPONSE everything goes to msg_conn_id, 1. */
	assert_int_equal(post(VMBUS_MESSAGE_CONNECTION_ID_4, &h, sizeof(h)),
			 HV_STATUS_INVALID_CONNECTION_ID);
	assert_int_equal(post(0, &h, sizeof(h)), HV_STATUS_INVALID_CONNECTION_ID);
	assert_int_equal(post(CONN(1), &h, sizeof(h)), HV_STATUS_INVALID_CONNECTION_ID);
	expect_nothing();
	assert_int_equal(post(VMBUS_MESSAGE_CONNECTION_ID, &h, sizeof(h)), HV_STATUS_SUCCESS);
	expect_offer(1);
}

static void test_messages_before_contact(void **state)
{
	(void)state;
	post_simple(CHANNELMSG_REQUESTOFFERS);
	send_gpadl(1, 1, 0, 4);
	open_channel(1, 1, 0, 2);
	send_relid_msg(CHANNELMSG_CLOSECHANNEL, 1);
	send_modify(1, 0);
	expect_nothing();
	assert_int_equal(n_logs, 5);
	assert_int_equal(n_events, 0);
	/* UNLOAD is answered whatever the state: the guest waits for it. */
	post_simple(CHANNELMSG_UNLOAD);
	expect(CHANNELMSG_UNLOAD_RESPONSE, 8);
	assert_int_equal(sent[n_read - 1].vp, 0);
}

static void test_transport_parameters(void **state)
{
	uint8_t big[VMBUS_MSG_PAYLOAD_MAX + 1] = {CHANNELMSG_REQUESTOFFERS};
	struct vmbus_channel_message_header h = {.msgtype = CHANNELMSG_REQUESTOFFERS};

	(void)state;
	connect(VMBUS_VERSION_WIN10_V5_3, 0);
	assert_int_equal(vmbus_server_post_message(srv, 1, 2, &h, sizeof(h)),
			 HV_STATUS_INVALID_PARAMETER);
	assert_int_equal(vmbus_server_post_message(srv, 1, 0, &h, sizeof(h)),
			 HV_STATUS_INVALID_PARAMETER);
	assert_int_equal(vmbus_server_post_message(srv, 1, 1, big, sizeof(big)),
			 HV_STATUS_INVALID_PARAMETER);
	expect_nothing();
	/* 240 bytes of padding after REQUESTOFFERS are fine. */
	assert_int_equal(vmbus_server_post_message(srv, 1, 1, big, VMBUS_MSG_PAYLOAD_MAX),
			 HV_STATUS_SUCCESS);
	expect_offer(1);
}

static void test_malformed_messages(void **state)
{
	static const uint32_t unknown[] = {
	    0,
	    CHANNELMSG_OFFERCHANNEL,
	    CHANNELMSG_VERSION_RESPONSE,
	    19,
	    CHANNELMSG_TL_CONNECT_REQUEST,
	    CHANNELMSG_MODIFYCHANNEL_RESPONSE,
	    25,
	    0xFFFFFFFF,
	};
	static const struct {
		uint32_t type, size;
	} minimum[] = {
	    {CHANNELMSG_OPENCHANNEL, 148},   {CHANNELMSG_CLOSECHANNEL, 12},
	    {CHANNELMSG_GPADL_HEADER, 28},   {CHANNELMSG_GPADL_BODY, 24},
	    {CHANNELMSG_GPADL_TEARDOWN, 16}, {CHANNELMSG_RELID_RELEASED, 12},
	    {CHANNELMSG_MODIFYCHANNEL, 16},
	};
	uint8_t msg[VMBUS_MSG_PAYLOAD_MAX] = {0};
	unsigned logs;

	(void)state;
	boot();
	logs = n_logs;
	for (size_t i = 0; i < ARRAY_SIZE(unknown); i++) {
		memcpy(msg, &unknown[i], 4);
		post_ok(msg, sizeof(msg));
	}
	/* Truncated: one byte short of what Linux sends. */
	for (size_t i = 0; i < ARRAY_SIZE(minimum); i++) {
		memset(msg, 0, sizeof(msg));
		memcpy(msg, &minimum[i].type, 4);
		msg[8] = 1;
		post_ok(msg, minimum[i].size - 1);
	}
	post_ok(msg, 0);
	post_ok(msg, 7);
	expect_nothing();
	assert_int_equal(n_logs - logs, ARRAY_SIZE(unknown) + ARRAY_SIZE(minimum) + 2);
	assert_int_equal(n_events, 0);
	/* REQUESTOFFERS once per connection. */
	post_simple(CHANNELMSG_REQUESTOFFERS);
	expect_nothing();
	assert_int_equal(n_logs - logs, ARRAY_SIZE(unknown) + ARRAY_SIZE(minimum) + 3);
}

static void test_open_rejections(void **state)
{
	struct vmbus_gpadl_range two[2] = {{8192, 0}, {8192, 0}};
	uint8_t msg[VMBUS_MSG_PAYLOAD_MAX];
	struct vmbus_channel_gpadl_header h = {
	    .header.msgtype = CHANNELMSG_GPADL_HEADER,
	    .child_relid = 1,
	    .gpadl = 50,
	    .range_buflen = 48,
	    .rangecount = 2,
	};
	uint64_t pfn;

	(void)state;
	boot();
	send_gpadl(1, 10, 0, 8);
	expect_gpadl_created(1, 10, 0);
	send_gpadl(2, 20, 8, 8);
	expect_gpadl_created(2, 20, 0);
	/* In progress: 40 pages, the body never sent. */
	send_gpadl_header(1, 30, 16, 40);
	/* Two ranges: not a ring. */
	memcpy(msg, &h, sizeof(h));
	memcpy(msg + 20, &two[0], 8);
	for (unsigned i = 0; i < 2; i++) {
		pfn = 40 + i;
		memcpy(msg + 28 + 8 * i, &pfn, 8);
	}
	memcpy(msg + 44, &two[1], 8);
	for (unsigned i = 0; i < 2; i++) {
		pfn = 42 + i;
		memcpy(msg + 52 + 8 * i, &pfn, 8);
	}
	post_ok(msg, 68);
	expect_gpadl_created(1, 50, 0);

	open_channel(99, 10, 0, 4); /* no such relid */
	expect_open_result(99, VMBUS_STATUS_UNSUCCESSFUL);
	open_channel(0, 10, 0, 4);
	expect_open_result(0, VMBUS_STATUS_UNSUCCESSFUL);
	open_channel(1, 11, 0, 4); /* unknown GPADL */
	expect_open_result(1, VMBUS_STATUS_UNSUCCESSFUL);
	open_channel(1, 20, 0, 4); /* another channel's GPADL */
	expect_open_result(1, VMBUS_STATUS_UNSUCCESSFUL);
	open_channel(1, 30, 0, 20); /* not complete */
	expect_open_result(1, VMBUS_STATUS_UNSUCCESSFUL);
	open_channel(1, 50, 0, 2); /* not one page-aligned range */
	expect_open_result(1, VMBUS_STATUS_UNSUCCESSFUL);
	open_channel(1, 10, 0, 1); /* each ring needs 2 pages */
	expect_open_result(1, VMBUS_STATUS_UNSUCCESSFUL);
	open_channel(1, 10, 0, 7);
	expect_open_result(1, VMBUS_STATUS_UNSUCCESSFUL);
	open_channel(1, 10, 0, 0);
	expect_open_result(1, VMBUS_STATUS_UNSUCCESSFUL);
	open_channel(1, 10, 0, 0xFFFFFFFF);
	expect_open_result(1, VMBUS_STATUS_UNSUCCESSFUL);
	open_channel(1, 10, N_VPS, 4); /* no such VP */
	expect_open_result(1, VMBUS_STATUS_UNSUCCESSFUL);
	assert_int_equal(n_events, 0);

	/* The device refuses. */
	scsi.open_rc = -EIO;
	open_channel(1, 10, 0, 4);
	expect_open_result(1, VMBUS_STATUS_UNSUCCESSFUL);
	expect_event('o', scsi.ch, 0);
	assert_null(vmbus_server_channel_by_connection(srv, CONN(1)));
	/* The same request once it agrees; again is refused. */
	scsi.open_rc = 0;
	open_channel(1, 10, 0, 2);
	expect_open_result(1, VMBUS_STATUS_SUCCESS);
	assert_int_equal(events[1].n_in, 2);
	assert_int_equal(events[1].n_out, 6);
	open_channel(1, 10, 0, 4);
	expect_open_result(1, VMBUS_STATUS_UNSUCCESSFUL);
	assert_int_equal(n_events, 2);
	expect_nothing();
}

static void test_gpadl_rejections(void **state)
{
	struct vmbus_channel_gpadl_body b = {.header.msgtype = CHANNELMSG_GPADL_BODY, .gpadl = 77};
	uint8_t body[24];
	unsigned logs;

	(void)state;
	boot();
	send_gpadl(1, 10, 0, 32);
	expect_gpadl_created(1, 10, 0);
	/* Duplicate id, from this channel or another: failure, the first
	 * stays usable. */
	send_gpadl(1, 10, 100, 4);
	expect_gpadl_created(1, 10, VMBUS_STATUS_UNSUCCESSFUL);
	send_gpadl(2, 10, 100, 4);
	expect_gpadl_created(2, 10, VMBUS_STATUS_UNSUCCESSFUL);
	open_channel(1, 10, 0, 16);
	expect_open_result(1, VMBUS_STATUS_SUCCESS);
	assert_ptr_equal(events[0].in[0], mem.base);

	/* PFN outside guest RAM, in the header or in a body. */
	send_gpadl(2, 11, RAM_PAGES - 2, 4);
	expect_gpadl_created(2, 11, VMBUS_STATUS_UNSUCCESSFUL);
	send_gpadl(2, 12, RAM_PAGES - 30, 32);
	expect_gpadl_created(2, 12, VMBUS_STATUS_UNSUCCESSFUL);
	/* Failed GPADLs are gone: their ids can be used again. */
	send_gpadl(2, 12, 0, 4);
	expect_gpadl_created(2, 12, 0);

	/* A relid the guest was not offered. */
	send_gpadl(9, 13, 0, 4);
	expect_gpadl_created(9, 13, VMBUS_STATUS_UNSUCCESSFUL);

	/* Too many pages: 64 MiB per VM, in progress GPADLs count. */
	send_gpadl_header(2, 14, 0, 8190);
	send_gpadl_header(2, 15, 0, 8100);
	expect_nothing();
	send_gpadl_header(2, 16, 0, 100);
	expect_gpadl_created(2, 16, VMBUS_STATUS_UNSUCCESSFUL);

	/* A body for an id never seen, or already complete: no relid to
	 * answer to, dropped. */
	logs = n_logs;
	memcpy(body, &b, sizeof(b));
	memset(body + 16, 0, 8);
	post_ok(body, sizeof(body));
	b.gpadl = 10;
	memcpy(body, &b, sizeof(b));
	post_ok(body, sizeof(body));
	expect_nothing();
	assert_int_equal(n_logs - logs, 2);
}

static void test_teardown_rules(void **state)
{
	unsigned logs;

	(void)state;
	boot();
	open_ok(1, 10, 0, 8);
	send_gpadl(1, 11, 8, 4);
	expect_gpadl_created(1, 11, 0);
	send_gpadl_header(1, 12, 16, 30); /* in progress */
	logs = n_logs;
	/* The ring of an open channel: refused until CLOSECHANNEL. */
	send_teardown(1, 10);
	/* Wrong channel, unknown id, in progress. */
	send_teardown(2, 11);
	send_teardown(1, 13);
	send_teardown(1, 12);
	expect_nothing();
	assert_int_equal(n_logs - logs, 4);
	/* Any other GPADL of an open channel is fine. */
	send_teardown(1, 11);
	expect_torndown(11);
	send_relid_msg(CHANNELMSG_CLOSECHANNEL, 1);
	send_teardown(1, 10);
	expect_torndown(10);
	/* Gone: a second teardown and an OPEN fail. */
	send_teardown(1, 10);
	expect_nothing();
	open_channel(1, 10, 0, 4);
	expect_open_result(1, VMBUS_STATUS_UNSUCCESSFUL);
	/* CLOSECHANNEL of a closed channel is logged, nothing else. */
	logs = n_logs;
	send_relid_msg(CHANNELMSG_CLOSECHANNEL, 1);
	send_relid_msg(CHANNELMSG_CLOSECHANNEL, 200);
	assert_int_equal(n_logs - logs, 2);
	assert_int_equal(n_events, 2);
}

static void test_subchannel_offers(void **state)
{
	const struct vmbus_channel_offer_channel *o;
	struct vmbus_channel *sub;

	(void)state;
	boot();
	open_ok(2, 10, 0, 8);
	/* netvsc's NVSP subchannel request: offered at once. */
	assert_int_equal(vmbus_server_add_subchannels(net.ch, 2), 0);
	o = expect_offer(4);
	assert_memory_equal(&o->offer.if_type, &HV_GUID_NETWORK, 16);
	assert_memory_equal(&o->offer.if_instance, &GUID_NET_INSTANCE, 16);
	assert_int_equal(o->offer.sub_channel_index, 1);
	o = expect_offer(5);
	assert_int_equal(o->offer.sub_channel_index, 2);
	expect_nothing();
	/* netvsc_sc_open() */
	open_ok(4, 11, 8, 4);
	sub = events[1].ch;
	assert_int_equal(vmbus_channel_relid(sub), 4);
	assert_ptr_equal(vmbus_channel_primary(sub), net.ch);
	assert_int_equal(vmbus_channel_subchannel_index(sub), 1);
	assert_ptr_equal(vmbus_channel_priv(sub), &net);
	assert_ptr_equal(vmbus_server_channel_by_connection(srv, CONN(4)), sub);

	assert_int_equal(vmbus_server_add_subchannels(sub, 1), -EINVAL);
	assert_int_equal(vmbus_server_add_subchannels(net.ch, 0), -EINVAL);
	assert_int_equal(vmbus_server_add_subchannels(net.ch, VMBUS_SERVER_MAX_CHANNELS), -ENOSPC);
	expect_nothing();

	/* A new connection: sub-channels are dropped (closed first), and
	 * added before REQUESTOFFERS they come after every primary. */
	connect(VMBUS_VERSION_WIN10_V5_3, 0);
	expect_event('c', sub, 2);
	expect_event('c', net.ch, 3);
	expect_event('r', sub, 4);
	assert_int_equal(events[5].kind, 'r');
	assert_int_equal(events[5].relid, 5);
	assert_int_equal(n_events, 6);
	assert_int_equal(vmbus_server_add_subchannels(scsi.ch, 1), 0);
	assert_int_equal(vmbus_server_add_subchannels(net.ch, 1), 0);
	expect_nothing();
	post_simple(CHANNELMSG_REQUESTOFFERS);
	for (uint32_t relid = 1; relid <= 3; relid++)
		expect_offer(relid);
	o = expect_offer(4);
	assert_memory_equal(&o->offer.if_type, &HV_GUID_SCSI, 16);
	assert_int_equal(o->offer.sub_channel_index, 1);
	o = expect_offer(5);
	assert_memory_equal(&o->offer.if_type, &HV_GUID_NETWORK, 16);
	assert_int_equal(o->offer.sub_channel_index, 1);
	expect(CHANNELMSG_ALLOFFERS_DELIVERED, 8);
}

static void test_rescind(void **state)
{
	const struct vmbus_channel_rescind_offer *r;
	struct fake_dev again = {0};
	unsigned logs;

	(void)state;
	boot();
	open_ok(1, 10, 0, 8);
	send_gpadl(1, 11, 8, 4);
	expect_gpadl_created(1, 11, 0);
	vmbus_server_rescind(scsi.ch);
	expect_event('c', scsi.ch, 1);
	assert_null(vmbus_server_channel_by_connection(srv, CONN(1)));
	/* The guest may race: a GPADL, OPEN, CLOSE, teardown (pitfall 6). */
	send_gpadl(1, 12, 20, 4);
	open_channel(1, 12, 0, 2);
	send_relid_msg(CHANNELMSG_CLOSECHANNEL, 1);
	/* Not delivered yet: RELID_RELEASED is early. */
	logs = n_logs;
	send_relid_msg(CHANNELMSG_RELID_RELEASED, 1);
	assert_int_equal(n_logs - logs, 1);
	r = expect(CHANNELMSG_RESCIND_CHANNELOFFER, 12);
	assert_int_equal(r->child_relid, 1);
	expect_gpadl_created(1, 12, VMBUS_STATUS_SUCCESS);
	expect_nothing();
	send_teardown(1, 11);
	expect_torndown(11);
	assert_int_equal(n_events, 2);
	/* Released: close was done, GPADLs go with the relid. */
	send_relid_msg(CHANNELMSG_RELID_RELEASED, 1);
	expect_event('r', scsi.ch, 2);
	assert_int_equal(n_events, 3);
	/* A new device takes the free relid, offered at once. */
	assert_non_null(add(&again, HV_GUID_SCSI, GUID_SCSI_INSTANCE));
	assert_int_equal(vmbus_channel_relid(again.ch), 1);
	expect_offer(1);
	send_gpadl(1, 10, 0, 4);
	expect_gpadl_created(1, 10, 0);
	vmbus_server_rescind(again.ch);
	vmbus_server_rescind(again.ch);
	expect(CHANNELMSG_RESCIND_CHANNELOFFER, 12);
	expect_nothing();
}

static void test_rescind_primary_with_subchannels(void **state)
{
	const struct vmbus_channel_rescind_offer *r;
	struct vmbus_channel *sub;

	(void)state;
	boot();
	assert_int_equal(vmbus_server_add_subchannels(net.ch, 1), 0);
	expect_offer(4);
	open_ok(4, 10, 0, 4);
	sub = events[0].ch;
	vmbus_server_rescind(net.ch);
	expect_event('c', sub, 1);
	r = expect(CHANNELMSG_RESCIND_CHANNELOFFER, 12);
	assert_int_equal(r->child_relid, 4);
	r = expect(CHANNELMSG_RESCIND_CHANNELOFFER, 12);
	assert_int_equal(r->child_relid, 2);
	/* The primary released first waits for its sub-channel. */
	send_relid_msg(CHANNELMSG_RELID_RELEASED, 2);
	assert_int_equal(n_events, 2);
	send_relid_msg(CHANNELMSG_RELID_RELEASED, 4);
	expect_event('r', sub, 2);
	expect_event('r', net.ch, 3);
	/* Their relids are free again. */
	assert_int_equal(vmbus_server_add_subchannels(scsi.ch, 2), 0);
	assert_int_equal(expect_offer(2)->offer.sub_channel_index, 1);
	assert_int_equal(expect_offer(4)->offer.sub_channel_index, 2);
}

static void test_rescind_before_offers(void **state)
{
	(void)state;
	connect(VMBUS_VERSION_WIN10_V5_3, 0);
	assert_int_equal(vmbus_server_add_subchannels(net.ch, 1), 0);
	/* Never offered: released at once, sub-channel first. */
	vmbus_server_rescind(net.ch);
	expect_event('r', events[0].ch, 0);
	assert_int_equal(events[0].relid, 4);
	expect_event('r', net.ch, 1);
	expect_nothing();
	post_simple(CHANNELMSG_REQUESTOFFERS);
	expect_offer(1);
	expect_offer(3);
	expect(CHANNELMSG_ALLOFFERS_DELIVERED, 8);
}

static void test_modifychannel(void **state)
{
	const struct vmbus_channel_modifychannel_response *r;

	(void)state;
	boot();
	open_ok(1, 10, 0, 4);
	send_modify(1, 1);
	r = expect(CHANNELMSG_MODIFYCHANNEL_RESPONSE, 16);
	assert_int_equal(r->child_relid, 1);
	assert_int_equal(r->status, 0);
	assert_int_equal(vmbus_channel_target_vp(scsi.ch), 1);
	send_modify(1, N_VPS);
	r = expect(CHANNELMSG_MODIFYCHANNEL_RESPONSE, 16);
	assert_int_equal(r->status, VMBUS_STATUS_UNSUCCESSFUL);
	send_modify(77, 0);
	r = expect(CHANNELMSG_MODIFYCHANNEL_RESPONSE, 16);
	assert_int_equal(r->child_relid, 77);
	assert_int_equal(r->status, VMBUS_STATUS_UNSUCCESSFUL);
	assert_int_equal(vmbus_channel_target_vp(scsi.ch), 1);

	/* 4.1 to 5.2: no response. Before 4.1: no such message. */
	connect(VMBUS_VERSION_WIN10_V5_2, 0);
	post_simple(CHANNELMSG_REQUESTOFFERS);
	for (uint32_t relid = 1; relid <= 3; relid++)
		expect_offer(relid);
	expect(CHANNELMSG_ALLOFFERS_DELIVERED, 8);
	send_modify(2, 1);
	expect_nothing();
	assert_int_equal(vmbus_channel_target_vp(net.ch), 1);
	connect(VMBUS_VERSION_WIN10, 0);
	post_simple(CHANNELMSG_REQUESTOFFERS);
	assert_int_equal(vmbus_server_flush(srv), 0);
	n_read = n_sent;
	send_modify(2, 0);
	expect_nothing();
	assert_int_equal(vmbus_channel_target_vp(net.ch), 1);
}

/* ops->post says the slot is busy: retried later, in order, no loss. */
static void test_eagain_keeps_order(void **state)
{
	static const uint32_t order[] = {
	    CHANNELMSG_VERSION_RESPONSE, CHANNELMSG_OFFERCHANNEL,	 CHANNELMSG_OFFERCHANNEL,
	    CHANNELMSG_OFFERCHANNEL,	 CHANNELMSG_ALLOFFERS_DELIVERED, CHANNELMSG_GPADL_CREATED,
	};
	unsigned logs;

	(void)state;
	assert_int_equal(initiate_contact(4, VMBUS_VERSION_WIN10_V5_3, 0, 2), HV_STATUS_SUCCESS);
	post_simple(CHANNELMSG_REQUESTOFFERS);
	budget = 0;
	assert_int_equal(vmbus_server_flush(srv), -EAGAIN);
	assert_int_equal(n_sent, 0);
	budget = 2;
	assert_int_equal(vmbus_server_flush(srv), -EAGAIN);
	assert_int_equal(n_sent, 2);
	send_gpadl(1, 10, 0, 4);
	budget = 1;
	assert_int_equal(vmbus_server_flush(srv), -EAGAIN);
	budget = -1;
	assert_int_equal(vmbus_server_flush(srv), 0);
	assert_int_equal(vmbus_server_flush(srv), 0);
	assert_int_equal(n_sent, ARRAY_SIZE(order));
	for (unsigned i = 0; i < ARRAY_SIZE(order); i++) {
		uint32_t type;

		memcpy(&type, sent[i].data, 4);
		assert_int_equal(type, order[i]);
		if (type == CHANNELMSG_OFFERCHANNEL)
			assert_int_equal(sent[i].data[184], i);
	}
	/* Another error drops that one message, logged, and goes on. */
	send_gpadl(1, 11, 0, 4);
	send_gpadl(1, 12, 0, 4);
	post_error = -EINVAL;
	logs = n_logs;
	n_read = n_sent;
	expect_gpadl_created(1, 12, 0);
	assert_int_equal(n_logs - logs, 1);
}

static void test_insufficient_buffers(void **state)
{
	static struct fake_dev more[20];
	struct vmbus_channel_message_header h = {.msgtype = CHANNELMSG_REQUESTOFFERS};

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(more); i++)
		assert_non_null(
		    add(&more[i], HV_GUID_KVP, HV_GUID(i, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1)));
	assert_int_equal(initiate_contact(4, VMBUS_VERSION_WIN10_V5_3, 0, 2), HV_STATUS_SUCCESS);
	post_simple(CHANNELMSG_REQUESTOFFERS);
	/* 1 + 23 + 1 pending: the guest must retry. */
	assert_int_equal(post(1, &h, sizeof(h)), HV_STATUS_INSUFFICIENT_BUFFERS);
	budget = 10;
	assert_int_equal(vmbus_server_flush(srv), -EAGAIN);
	assert_int_equal(post(1, &h, sizeof(h)), HV_STATUS_SUCCESS);
	budget = -1;
	assert_int_equal(vmbus_server_flush(srv), 0);
	assert_int_equal(n_sent, 25);
	memcpy(&h, sent[24].data, sizeof(h));
	assert_int_equal(h.msgtype, CHANNELMSG_ALLOFFERS_DELIVERED);

	/* Full again; INITIATE_CONTACT still gets in and drops the rest. */
	n_read = n_sent;
	assert_int_equal(initiate_contact(4, VMBUS_VERSION_WIN10_V5_3, 0, 2), HV_STATUS_SUCCESS);
	post_simple(CHANNELMSG_REQUESTOFFERS);
	h.msgtype = CHANNELMSG_UNLOAD;
	assert_int_equal(post(1, &h, sizeof(h)), HV_STATUS_INSUFFICIENT_BUFFERS);
	assert_int_equal(initiate_contact(4, VMBUS_VERSION_WIN10_V5_2, 1, 2), HV_STATUS_SUCCESS);
	assert_int_equal(expect_version_response(1)->version_supported, 1);
	expect_nothing();
}

static void test_reset_closes_devices(void **state)
{
	struct vmbus_channel *sub;

	(void)state;
	boot();
	open_ok(1, 10, 0, 4);
	open_ok(2, 11, 4, 4);
	assert_int_equal(vmbus_server_add_subchannels(net.ch, 1), 0);
	expect_offer(4);
	open_ok(4, 12, 8, 4);
	sub = events[2].ch;
	/* Pending host messages are dropped with the rest. */
	send_gpadl(3, 13, 12, 4);
	vmbus_server_reset(srv);
	assert_int_equal(n_events, 7);
	expect_event('c', sub, 3);
	expect_event('c', scsi.ch, 4);
	expect_event('c', net.ch, 5);
	expect_event('r', sub, 6);
	expect_nothing();
	assert_int_equal(vmbus_server_version(srv), 0);
	assert_null(vmbus_server_channel_by_connection(srv, CONN(1)));
	/* The rebooted guest starts again; old GPADLs are gone. */
	boot();
	open_channel(1, 10, 0, 2);
	expect_open_result(1, VMBUS_STATUS_UNSUCCESSFUL);
	open_ok(1, 10, 0, 4);
	/* So does UNLOAD (kexec), and a new INITIATE_CONTACT. */
	post_simple(CHANNELMSG_UNLOAD);
	expect_event('c', scsi.ch, 8);
	expect(CHANNELMSG_UNLOAD_RESPONSE, 8);
	boot();
	open_ok(2, 10, 0, 4);
	connect(VMBUS_VERSION_WIN10_V5_3, 1);
	expect_event('c', net.ch, 10);
	assert_int_equal(n_events, 11);
}

static void test_destroy_releases(void **state)
{
	(void)state;
	boot();
	assert_int_equal(vmbus_server_add_subchannels(scsi.ch, 1), 0);
	expect_offer(4);
	open_ok(1, 10, 0, 4);
	open_ok(4, 11, 4, 4);
	vmbus_server_destroy(srv);
	srv = NULL;
	assert_int_equal(n_events, 2 + 2 + 4);
	assert_int_equal(events[2].kind, 'c');
	assert_int_equal(events[2].relid, 4);
	expect_event('c', scsi.ch, 3);
	assert_int_equal(events[4].kind, 'r');
	assert_int_equal(events[4].relid, 4);
	expect_event('r', scsi.ch, 5);
	expect_event('r', net.ch, 6);
	expect_event('r', shutdown_ic.ch, 7);
}

static void test_add_device_checks(void **state)
{
	static const struct vmbus_device_ops no_close = {.open = dev_open};
	struct fake_dev d;
	struct vmbus_device pipe = {
	    .class_id = HV_GUID_KVP,
	    .instance_id =
		HV_GUID(0x242ff919, 0x07db, 0x4180, 0x9c, 0x2e, 0xb8, 0x6c, 0xb6, 0x8c, 0x8c, 0x55),
	    .ops = &dev_ops,
	    .priv = &d,
	    .mmio_megabytes = 8,
	    .pipe = VMBUS_PIPE_MESSAGE,
	};
	const struct vmbus_channel_offer_channel *o;
	struct vmbus_device bad = pipe;

	(void)state;
	assert_null(add(&d, HV_GUID_SCSI, GUID_SCSI_INSTANCE));
	bad.ops = &no_close;
	assert_null(vmbus_server_add_device(srv, &bad));
	bad.ops = NULL;
	assert_null(vmbus_server_add_device(srv, &bad));
	bad.ops = &dev_ops;
	bad.pipe = 7;
	assert_null(vmbus_server_add_device(srv, &bad));
	assert_non_null(vmbus_server_add_device(srv, &pipe));
	connect(VMBUS_VERSION_WIN10_V5_3, 0);
	post_simple(CHANNELMSG_REQUESTOFFERS);
	for (uint32_t relid = 1; relid <= 3; relid++)
		expect_offer(relid);
	o = expect_offer(4);
	assert_int_equal(o->offer.chn_flags, VMBUS_CHANNEL_NAMED_PIPE_MODE);
	assert_int_equal(o->offer.u.pipe.pipe_mode, VMBUS_PIPE_TYPE_MESSAGE);
	assert_int_equal(o->offer.mmio_megabytes, 8);
	expect(CHANNELMSG_ALLOFFERS_DELIVERED, 8);
	/* Every relid taken. */
	for (uint32_t i = 4; i < VMBUS_SERVER_MAX_CHANNELS; i++) {
		pipe.instance_id.data1 = 1000 + i;
		pipe.pipe = VMBUS_PIPE_BYTE;
		assert_non_null(vmbus_server_add_device(srv, &pipe));
		o = expect_offer(i + 1);
		assert_int_equal(o->offer.u.pipe.pipe_mode, VMBUS_PIPE_TYPE_BYTE);
	}
	pipe.instance_id.data1 = 1;
	assert_null(vmbus_server_add_device(srv, &pipe));
	assert_int_equal(vmbus_server_add_subchannels(scsi.ch, 1), -ENOSPC);
}

/* Pitfall 9: a device may start its protocol once the guest has the
 * result, not before, and only for the open it is in. */
static void test_opened_after_result(void **state)
{
	(void)state;
	boot();
	send_gpadl(1, 10, 0, 4);
	expect_gpadl_created(1, 10, 0);
	open_channel(1, 10, 0, 2);
	assert_int_equal(n_opened, 0);
	budget = 0;
	assert_int_equal(vmbus_server_flush(srv), -EAGAIN);
	assert_int_equal(n_opened, 0);
	budget = -1;
	expect_open_result(1, 0);
	assert_int_equal(n_opened, 1);
	assert_ptr_equal(opened[0], scsi.ch);

	/* Closed and opened again before the first result went out: one
	 * call, after the second. */
	send_relid_msg(CHANNELMSG_CLOSECHANNEL, 1);
	open_channel(1, 10, 0, 2);
	send_relid_msg(CHANNELMSG_CLOSECHANNEL, 1);
	open_channel(1, 10, 0, 2);
	budget = 1;
	assert_int_equal(vmbus_server_flush(srv), -EAGAIN);
	assert_int_equal(n_opened, 1);
	budget = -1;
	assert_int_equal(vmbus_server_flush(srv), 0);
	assert_int_equal(n_opened, 2);
	/* Closed before its result went out, or refused: no call. */
	send_relid_msg(CHANNELMSG_CLOSECHANNEL, 1);
	open_channel(1, 10, 0, 2);
	send_relid_msg(CHANNELMSG_CLOSECHANNEL, 1);
	open_channel(1, 10, 0, 3);
	assert_int_equal(vmbus_server_flush(srv), 0);
	assert_int_equal(n_opened, 2);
	/* Results dropped with a reset are never delivered. */
	n_read = n_sent;
	open_channel(1, 10, 0, 2);
	connect(VMBUS_VERSION_WIN10_V5_3, 0);
	assert_int_equal(n_opened, 2);
}

static void test_signal_lookup(void **state)
{
	(void)state;
	boot();
	open_ok(3, 10, 0, 4);
	assert_ptr_equal(vmbus_server_channel_by_connection(srv, CONN(3)), shutdown_ic.ch);
	assert_null(vmbus_server_channel_by_connection(srv, CONN(0)));
	assert_null(vmbus_server_channel_by_connection(srv, 0));
	assert_null(vmbus_server_channel_by_connection(srv, 3));
	assert_null(vmbus_server_channel_by_connection(srv, CONN(VMBUS_SERVER_MAX_CHANNELS + 1)));
	assert_null(vmbus_server_channel_by_connection(srv, 0xFFFFFFFF));
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	static const struct CMUnitTest tests[] = {
	    T(test_linux_boot),
	    T(test_version_fallback),
	    T(test_wrong_connection_after_contact),
	    T(test_messages_before_contact),
	    T(test_transport_parameters),
	    T(test_malformed_messages),
	    T(test_open_rejections),
	    T(test_gpadl_rejections),
	    T(test_teardown_rules),
	    T(test_subchannel_offers),
	    T(test_rescind),
	    T(test_rescind_primary_with_subchannels),
	    T(test_rescind_before_offers),
	    T(test_modifychannel),
	    T(test_eagain_keeps_order),
	    T(test_insufficient_buffers),
	    T(test_reset_closes_devices),
	    T(test_destroy_releases),
	    T(test_add_device_checks),
	    T(test_opened_after_result),
	    T(test_signal_lookup),
	};

	return unit_run("vmbus_server", tests, ARRAY_SIZE(tests), NULL);
}
