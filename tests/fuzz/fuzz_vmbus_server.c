/* libFuzzer target for the VMBus server: a server with two devices (SCSI
 * and network) and 256 pages of guest RAM takes a sequence of guest posts
 * - raw bytes on any connection, and well-formed INITIATE_CONTACT,
 * REQUESTOFFERS, GPADLs cut as Linux cuts them, OPENCHANNEL, CLOSECHANNEL,
 * GPADL_TEARDOWN, RELID_RELEASED, MODIFYCHANNEL and UNLOAD with fuzzed
 * fields - mixed with host actions: flushes whose posts run out of room,
 * sub-channels added, channels rescinded, VM resets. It checks what the
 * integrator relies on: posts answer with one of the four statuses; host
 * messages are well-sized host -> guest types sent to an existing VP;
 * devices see open and close alternate, rings of >= 2 pages inside guest
 * RAM, a VP that exists, opened only while open, and no callback after
 * release; the signal lookup finds open channels only; the host queue
 * never overflows (its bound is an argument in server.c); and destroy
 * releases every channel. */
#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fuzz_input.h"
#include "hv/message.h"
#include "hv/status.h"
#include "server.h"

#define RAM_PAGES 256u
#define N_VPS	  2u

static uint8_t ram[RAM_PAGES * 4096];
static const struct guest_mem mem = {ram, sizeof(ram)};
static struct vmbus_server *srv;
static int budget;	  /* posts accepted before -EAGAIN */
static unsigned channels; /* added and not yet released */

/* Channels the devices have seen, and whether open. */
static struct {
	struct vmbus_channel *ch;
	bool open;
} seen[VMBUS_SERVER_MAX_CHANNELS];
static unsigned n_seen;

static int find_seen(struct vmbus_channel *ch)
{
	for (unsigned i = 0; i < n_seen; i++)
		if (seen[i].ch == ch)
			return (int)i;
	return -1;
}

static int track(struct vmbus_channel *ch)
{
	int i = find_seen(ch);

	if (i >= 0)
		return i;
	assert(n_seen < VMBUS_SERVER_MAX_CHANNELS);
	seen[n_seen].ch = ch;
	seen[n_seen].open = false;
	return (int)n_seen++;
}

static int on_post(void *ctx, uint32_t vp, const void *msg, uint32_t len)
{
	uint32_t type;

	(void)ctx;
	assert(vp < N_VPS);
	assert(len >= 8 && len <= VMBUS_MSG_PAYLOAD_MAX);
	memcpy(&type, msg, 4);
	assert(type == CHANNELMSG_OFFERCHANNEL || type == CHANNELMSG_RESCIND_CHANNELOFFER ||
	       type == CHANNELMSG_ALLOFFERS_DELIVERED || type == CHANNELMSG_OPENCHANNEL_RESULT ||
	       type == CHANNELMSG_GPADL_CREATED || type == CHANNELMSG_GPADL_TORNDOWN ||
	       type == CHANNELMSG_VERSION_RESPONSE || type == CHANNELMSG_UNLOAD_RESPONSE ||
	       type == CHANNELMSG_MODIFYCHANNEL_RESPONSE);
	if (!budget)
		return -EAGAIN;
	budget--;
	return 0;
}

static void on_log(void *ctx, const char *fmt, ...)
{
	char line[256];
	va_list ap;

	(void)ctx;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	assert(!strstr(line, "queue full"));
}

static bool in_ram(void *page)
{
	uint8_t *p = page;

	return p >= ram && p < ram + sizeof(ram) && (p - ram) % 4096 == 0;
}

static int dev_open(struct vmbus_channel *ch, void *const *in, unsigned n_in, void *const *out,
		    unsigned n_out, uint32_t target_vp)
{
	int i = track(ch);

	assert(!seen[i].open);
	assert(n_in >= 2 && n_out >= 2 && target_vp < N_VPS);
	for (unsigned k = 0; k < n_in; k++)
		assert(in_ram(in[k]));
	for (unsigned k = 0; k < n_out; k++)
		assert(in_ram(out[k]));
	/* Every few opens, the device says no. */
	if (((uint8_t *)in[0] - ram) / 4096 % 7 == 3)
		return -EIO;
	seen[i].open = true;
	return 0;
}

static void dev_opened(struct vmbus_channel *ch)
{
	int i = find_seen(ch);

	assert(i >= 0 && seen[i].open);
}

static void dev_close(struct vmbus_channel *ch)
{
	int i = find_seen(ch);

	assert(i >= 0 && seen[i].open);
	seen[i].open = false;
}

static struct vmbus_channel *primary[2];
static bool primary_live[2];

static void dev_release(struct vmbus_channel *ch)
{
	int i = find_seen(ch);

	for (int k = 0; k < 2; k++)
		if (primary[k] == ch)
			primary_live[k] = false;
	assert(channels);
	channels--;
	if (i < 0)
		return;
	assert(!seen[i].open);
	seen[i] = seen[--n_seen];
}

static const struct vmbus_server_ops server_ops = {.post = on_post, .log = on_log};
static const struct vmbus_device_ops dev_ops = {
    .open = dev_open,
    .opened = dev_opened,
    .close = dev_close,
    .release = dev_release,
};

static void post(uint32_t conn, const void *msg, uint32_t len)
{
	uint16_t st = vmbus_server_post_message(srv, conn, HVMSG_VMBUS, msg, len);

	assert(st == HV_STATUS_SUCCESS || st == HV_STATUS_INVALID_PARAMETER ||
	       st == HV_STATUS_INVALID_CONNECTION_ID || st == HV_STATUS_INSUFFICIENT_BUFFERS);
}

/* Small values most of the time, anything now and then. */
static uint32_t pick(struct input *in, uint32_t small)
{
	uint8_t b = take(in);

	return b < 0xF0 ? b % small : take32(in);
}

static uint32_t pick_gpadl(struct input *in)
{
	return 0xE1E10 + pick(in, 6);
}

static void guest_gpadl(struct input *in)
{
	uint8_t msg[VMBUS_MSG_PAYLOAD_MAX];
	uint32_t relid = pick(in, 7), id = pick_gpadl(in), pages = 1 + take(in) % 80;
	uint64_t first = take(in) % (RAM_PAGES + 4);
	struct vmbus_channel_gpadl_header h = {
	    .header.msgtype = CHANNELMSG_GPADL_HEADER,
	    .child_relid = relid,
	    .gpadl = id,
	    .range_buflen = (uint16_t)(8 + pages * 8),
	    .rangecount = 1,
	};
	struct vmbus_gpadl_range r = {.byte_count = pages * 4096};
	struct vmbus_channel_gpadl_body b = {.header.msgtype = CHANNELMSG_GPADL_BODY, .gpadl = id};
	uint32_t n = pages < 26 ? pages : 26, done = n;

	memcpy(msg, &h, sizeof(h));
	memcpy(msg + 20, &r, sizeof(r));
	for (uint32_t i = 0; i < n; i++) {
		uint64_t pfn = first + i;

		memcpy(msg + 28 + 8 * i, &pfn, 8);
	}
	post(1, msg, 28 + 8 * n);
	/* Sometimes the guest stops short. */
	if (take(in) % 8 == 0)
		return;
	for (; done < pages; done += n) {
		n = pages - done < 28 ? pages - done : 28;
		memcpy(msg, &b, sizeof(b));
		for (uint32_t i = 0; i < n; i++) {
			uint64_t pfn = first + done + i;

			memcpy(msg + 16 + 8 * i, &pfn, 8);
		}
		post(1, msg, 16 + 8 * n);
	}
}

static void guest_message(struct input *in, uint8_t op)
{
	static const uint32_t versions[] = {
	    VMBUS_VERSION_WIN10_V5_3, VMBUS_VERSION_WIN10_V5_2, VMBUS_VERSION_WIN10_V5_1,
	    VMBUS_VERSION_WIN10_V5,   VMBUS_VERSION_WIN10_V4_1, VMBUS_VERSION_WIN10,
	    VMBUS_VERSION_WIN8_1,     VMBUS_VERSION_WIN8,	0x00060000,
	};
	union {
		struct vmbus_channel_message_header h;
		struct vmbus_channel_initiate_contact ic;
		struct vmbus_channel_open_channel open;
		struct vmbus_channel_gpadl_teardown teardown;
		struct vmbus_channel_modifychannel modify;
		struct vmbus_channel_close_channel close;
		uint8_t raw[VMBUS_MSG_PAYLOAD_MAX];
	} m;
	uint32_t v, len;

	memset(&m, 0, sizeof(m));
	switch (op % 10) {
	case 0:
		v = versions[take(in) % 9];
		m.ic.header.msgtype = CHANNELMSG_INITIATE_CONTACT;
		m.ic.vmbus_version_requested = v;
		m.ic.target_vcpu = pick(in, N_VPS + 1);
		m.ic.msg_sint = take(in) % 8 ? VMBUS_MESSAGE_SINT : take(in);
		post(v >= VMBUS_VERSION_WIN10_V5 ? 4 : 1, &m, sizeof(m.ic));
		break;
	case 1:
		m.h.msgtype = take(in) % 2 ? CHANNELMSG_REQUESTOFFERS : CHANNELMSG_UNLOAD;
		post(1, &m, sizeof(m.h));
		break;
	case 2:
		guest_gpadl(in);
		break;
	case 3:
		m.open.header.msgtype = CHANNELMSG_OPENCHANNEL;
		m.open.child_relid = m.open.openid = pick(in, 7);
		m.open.ringbuffer_gpadlhandle = pick_gpadl(in);
		m.open.target_vp = pick(in, N_VPS + 1);
		m.open.downstream_ringbuffer_pageoffset = pick(in, 40);
		post(1, &m, sizeof(m.open));
		break;
	case 4:
		m.close.header.msgtype =
		    take(in) % 2 ? CHANNELMSG_CLOSECHANNEL : CHANNELMSG_RELID_RELEASED;
		m.close.child_relid = pick(in, 7);
		post(1, &m, sizeof(m.close));
		break;
	case 5:
		m.teardown.header.msgtype = CHANNELMSG_GPADL_TEARDOWN;
		m.teardown.child_relid = pick(in, 7);
		m.teardown.gpadl = pick_gpadl(in);
		post(1, &m, sizeof(m.teardown));
		break;
	case 6:
		m.modify.header.msgtype = CHANNELMSG_MODIFYCHANNEL;
		m.modify.child_relid = pick(in, 7);
		m.modify.target_vp = pick(in, N_VPS + 1);
		post(1, &m, sizeof(m.modify));
		break;
	default:
		/* Raw bytes: any type, size and connection. */
		len = take(in);
		for (uint32_t i = 0; i < len && i < sizeof(m.raw); i++)
			m.raw[i] = take(in);
		if (op & 0x80)
			m.h.msgtype = take(in) % 26;
		v = vmbus_server_post_message(srv, pick(in, 6), take(in) % 4 ? 1 : take32(in), &m,
					      len);
		assert(v == HV_STATUS_SUCCESS || v == HV_STATUS_INVALID_PARAMETER ||
		       v == HV_STATUS_INVALID_CONNECTION_ID || v == HV_STATUS_INSUFFICIENT_BUFFERS);
		break;
	}
}

static void host_action(struct input *in, uint8_t op)
{
	unsigned i, n;
	int rc;

	switch (op % 4) {
	case 0:
		budget = take(in) % 4 ? 1000 : take(in) % 8;
		rc = vmbus_server_flush(srv);
		assert(rc == 0 || (rc == -EAGAIN && !budget));
		break;
	case 1:
		i = take(in) % 2;
		n = 1 + take(in) % 4;
		if (primary_live[i] && !vmbus_server_add_subchannels(primary[i], n))
			channels += n;
		break;
	case 2:
		/* A primary, or a channel a device has seen. */
		i = take(in);
		if (i % 2 && n_seen)
			vmbus_server_rescind(seen[i / 2 % n_seen].ch);
		else if (primary_live[i / 2 % 2])
			vmbus_server_rescind(primary[i / 2 % 2]);
		break;
	default:
		vmbus_server_reset(srv);
		break;
	}
}

static void check_lookup(void)
{
	for (uint32_t relid = 0; relid <= 8; relid++) {
		struct vmbus_channel *ch =
		    vmbus_server_channel_by_connection(srv, VMBUS_CHANNEL_CONNECTION_ID(relid));
		int i;

		if (!ch)
			continue;
		i = find_seen(ch);
		assert(i >= 0 && seen[i].open && vmbus_channel_relid(ch) == relid);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vmbus_device scsi = {
	    .class_id = HV_GUID_SCSI,
	    .instance_id = HV_GUID(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11),
	    .ops = &dev_ops,
	};
	struct vmbus_device net = {
	    .class_id = HV_GUID_NETWORK,
	    .instance_id = HV_GUID(2, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11),
	    .ops = &dev_ops,
	};
	struct input in = {data, size};

	n_seen = 0;
	budget = 1000;
	srv = vmbus_server_create(&server_ops, NULL, &mem, N_VPS);
	assert(srv);
	primary[0] = vmbus_server_add_device(srv, &scsi);
	primary[1] = vmbus_server_add_device(srv, &net);
	assert(primary[0] && primary[1]);
	primary_live[0] = primary_live[1] = true;
	channels = 2;
	while (in.left) {
		uint8_t op = take(&in);

		if (op % 4 == 3)
			host_action(&in, op >> 2);
		else
			guest_message(&in, op >> 2);
		check_lookup();
	}
	vmbus_server_destroy(srv);
	assert(!channels && !n_seen);
	return 0;
}
