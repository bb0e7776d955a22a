/*
 * vmbus_host.h. One lock serializes the server (its contract); VP threads
 * take it for the child's hypercalls, the server thread for retries and
 * sub-channel requests. Channel threads only try it (lock_from_channel):
 * a close, under it, joins them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hv/hypercall.h"
#include "hv/message.h"
#include "hv/status.h"

#include "vmbus_host.h"
#include "vmwp.h"

#define MAX_DEVICES		16
#define RETRY_NS		(1000 * 1000)
#define HVCALL_FAST		(1ULL << 16)
#define HVCALL_REP_COUNT_MASK	(0xFFFULL << 32)

/* HvPostMessage's input (TLFS HV_INPUT_POST_MESSAGE). */
struct post_message_input {
	uint32_t connection_id;
	uint32_t reserved;
	uint32_t message_type;
	uint32_t payload_size;
	uint8_t payload[VMBUS_MSG_PAYLOAD_MAX];
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct vmbus_server *srv;
	struct guest_mem mem;
	struct vsp_device *dev[MAX_DEVICES];
	unsigned nr_dev;
	struct channel *open[VMBUS_SERVER_MAX_CHANNELS + 1];	/* by relid */
	bool retry, running;
	pthread_t thread;
	/* Sub-channel requests from channel threads (their own lock). */
	pthread_mutex_t req_lock;
	struct { struct vmbus_channel *primary; unsigned n; } req[MAX_DEVICES];
	unsigned nr_req;
} host = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.wake = PTHREAD_COND_INITIALIZER,
	.req_lock = PTHREAD_MUTEX_INITIALIZER,
};

void vmbus_host_lock(void)
{
	pthread_mutex_lock(&host.lock);
}

void vmbus_host_unlock(void)
{
	pthread_mutex_unlock(&host.lock);
}

static int post(void *ctx, uint32_t vp, const void *msg, uint32_t len)
{
	struct septum_vid_message m = { .vp_index = vp, .sint = VMBUS_MESSAGE_SINT };
	long r;

	(void)ctx;
	m.message.header.message_type = 1;	/* what Hyper-V sends for VMBus */
	m.message.header.payload_size = (uint8_t)len;
	memcpy(m.message.payload, msg, len);
	r = vid(vm.part, SEPTUM_VID_POST_MESSAGE, &m);
	if (r == -EAGAIN)
		return -EAGAIN;
	if (r)
		logmsg("vmbus: POST_MESSAGE to VP %u: %s (message dropped)", vp, strerror(-r));
	return (int)r;
}

static void server_log(void *ctx, const char *fmt, ...)
{
	char line[256];
	va_list ap;

	(void)ctx;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	logmsg("%s", line);
}

static const struct vmbus_server_ops server_ops = { .post = post, .log = server_log };

/* Sends what the server has queued; the thread retries what the child's
 * busy slot refused (host.lock held). */
static void flush(void)
{
	if (vmbus_server_flush(host.srv) == -EAGAIN && !host.retry) {
		host.retry = true;
		pthread_cond_signal(&host.wake);
	}
}

static void set_eventfd(struct channel *c, bool remove)
{
	struct septum_vid_eventfd e = { .connection_id = vmbus_channel_connection_id(c->vch),
					.fd = c->efd,
					.flags = remove ? SEPTUM_VID_EVENTFD_DEASSIGN : 0 };
	long r = vid(vm.part, SEPTUM_VID_SIGNAL_EVENTFD, &e);

	if (r && verbose)
		logmsg("vmbus: %s: SIGNAL_EVENTFD: %s (signals come through the VP thread)",
		       c->name, strerror(-r));
}

static int dev_open(struct vmbus_channel *vch, void *const *in, unsigned n_in, void *const *out,
		    unsigned n_out, uint32_t target_vp)
{
	struct vsp_device *dev = vmbus_channel_priv(vch);
	uint32_t relid = vmbus_channel_relid(vch);
	struct channel *c = calloc(1, sizeof(*c));
	int rc;

	if (!c)
		return -ENOMEM;
	*c = (struct channel){ .name = dev->name, .ops = dev->ops, .vsp = dev->vsp,
			       .mem = &host.mem, .vch = vch, .relid = relid,
			       .target_vp = target_vp,
			       .subchannel_index = vmbus_channel_subchannel_index(vch), .efd = -1 };
	rc = channel_start(c, in, n_in, out, n_out);
	if (rc) {
		free(c);
		return rc;
	}
	host.open[relid] = c;
	/* The guest's signals on this channel then wake it from the VID,
	 * without a return of the VP thread to us (else they come here). */
	set_eventfd(c, false);
	if (verbose)
		logmsg("vmbus: %s opened (relid %u, sub-channel %u, VP %u)", dev->name, relid,
		       c->subchannel_index, target_vp);
	return 0;
}

static void dev_close(struct vmbus_channel *vch)
{
	uint32_t relid = vmbus_channel_relid(vch);
	struct channel *c = host.open[relid];

	if (!c)
		return;
	host.open[relid] = NULL;
	set_eventfd(c, true);
	channel_stop(c);
	if (verbose)
		logmsg("vmbus: %s closed (relid %u): %llu packets in, %llu out, %llu signals in, %llu out",
		       c->name, relid, (unsigned long long)c->packets_in,
		       (unsigned long long)c->packets_out, (unsigned long long)c->signals_in,
		       (unsigned long long)c->signals_out);
	free(c);
}

static const struct vmbus_device_ops dev_ops = { .open = dev_open, .close = dev_close };

int vmbus_host_add(struct vsp_device *dev)
{
	if (host.nr_dev == MAX_DEVICES)
		return -ENOSPC;
	host.dev[host.nr_dev++] = dev;
	return 0;
}

static void take_requests(void)
{
	unsigned n;

	pthread_mutex_lock(&host.req_lock);
	n = host.nr_req;
	host.nr_req = 0;
	for (unsigned i = 0; i < n; i++) {
		int rc = vmbus_server_add_subchannels(host.req[i].primary, host.req[i].n);

		if (rc)
			logmsg("vmbus: %u sub-channels: %s", host.req[i].n, strerror(-rc));
	}
	pthread_mutex_unlock(&host.req_lock);
}

/* Retries host messages while the child's slot is busy, and adds the
 * sub-channels channel threads asked for. */
static void *server_thread(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&host.lock);
	while (host.running) {
		struct timespec ts;

		if (!host.retry && !host.nr_req) {
			pthread_cond_wait(&host.wake, &host.lock);
			continue;
		}
		take_requests();
		host.retry = vmbus_server_flush(host.srv) == -EAGAIN;
		if (!host.retry)
			continue;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += RETRY_NS;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&host.wake, &host.lock, &ts);
	}
	pthread_mutex_unlock(&host.lock);
	return NULL;
}

/* host.lock for a channel thread: not a plain lock, since a close holds it
 * while it waits for that thread; false if the channel is being stopped. */
static bool lock_from_channel(struct channel *c)
{
	while (pthread_mutex_trylock(&host.lock)) {
		if (__atomic_load_n(&c->stop, __ATOMIC_ACQUIRE))
			return false;
		usleep(100);
	}
	return true;
}

void vmbus_host_request_subchannels(struct channel *c, unsigned n)
{
	pthread_mutex_lock(&host.req_lock);
	if (host.nr_req < MAX_DEVICES)
		host.req[host.nr_req++] = (typeof(host.req[0])){ vmbus_channel_primary(c->vch), n };
	pthread_mutex_unlock(&host.req_lock);
	if (lock_from_channel(c)) {
		pthread_cond_signal(&host.wake);
		pthread_mutex_unlock(&host.lock);
	}
}

int vmbus_host_map_gpadl(struct channel *c, uint32_t id, void **pages, uint32_t max)
{
	const struct gpadl *g;
	const uint64_t *pfn;
	uint32_t n = 0;

	if (!lock_from_channel(c))
		return -ENOENT;
	g = vmbus_channel_gpadl(c->vch, id);
	pfn = g ? gpadl_ring_pfns(g, &n) : NULL;
	if (n > max)
		n = max;
	for (uint32_t i = 0; pfn && i < n; i++)
		pages[i] = gm_page(&host.mem, pfn[i]);
	pthread_mutex_unlock(&host.lock);
	return pfn ? (int)n : -ENOENT;
}

int vmbus_host_start(void)
{
	host.mem = (struct guest_mem){ .base = vm.ram, .size = vm.mem_size };
	host.srv = vmbus_server_create(&server_ops, NULL, &host.mem, vm.nr_vps);
	if (!host.srv)
		return -ENOMEM;
	for (unsigned i = 0; i < host.nr_dev; i++) {
		struct vsp_device *d = host.dev[i];
		struct vmbus_device vd = { .class_id = d->class_id, .instance_id = d->instance_id,
					   .ops = &dev_ops, .priv = d };

		d->primary = vmbus_server_add_device(host.srv, &vd);
		if (!d->primary)
			return -ENOMEM;
	}
	host.running = true;
	host.nr_req = 0;
	if (pthread_create(&host.thread, NULL, server_thread, NULL)) {
		host.running = false;
		return -EAGAIN;
	}
	return 0;
}

void vmbus_host_stop(void)
{
	pthread_mutex_lock(&host.lock);
	host.running = false;
	pthread_cond_signal(&host.wake);
	pthread_mutex_unlock(&host.lock);
	pthread_join(host.thread, NULL);
	pthread_mutex_lock(&host.lock);
	vmbus_server_destroy(host.srv);	/* closes every channel */
	host.srv = NULL;
	for (unsigned i = 0; i < host.nr_dev; i++)
		host.dev[i]->primary = NULL;
	pthread_mutex_unlock(&host.lock);
}

struct channel *vmbus_host_open_channel(struct vsp_device *dev)
{
	return dev->primary ? host.open[vmbus_channel_relid(dev->primary)] : NULL;
}

static uint16_t post_message(uint64_t gpa)
{
	const struct post_message_input *in;
	struct post_message_input copy;
	uint16_t status;

	/* TLFS: 8-byte aligned, within one page. */
	if (gpa & 7)
		return HV_STATUS_INVALID_ALIGNMENT;
	if ((gpa & 0xFFF) + sizeof(*in) > 0x1000 || !(in = gm_ptr(&host.mem, gpa, sizeof(*in))))
		return HV_STATUS_INVALID_PARAMETER;
	memcpy(&copy, in, sizeof(copy));	/* the guest may change it under us */
	pthread_mutex_lock(&host.lock);
	status = vmbus_server_post_message(host.srv, copy.connection_id, copy.message_type,
					   copy.payload, copy.payload_size);
	flush();
	pthread_mutex_unlock(&host.lock);
	return status;
}

static uint16_t signal_event(uint32_t connection_id)
{
	struct vmbus_channel *vch;
	struct channel *c = NULL;

	pthread_mutex_lock(&host.lock);
	vch = vmbus_server_channel_by_connection(host.srv, connection_id);
	if (vch)
		c = host.open[vmbus_channel_relid(vch)];
	if (c)
		channel_notify(c);
	pthread_mutex_unlock(&host.lock);
	return c ? HV_STATUS_SUCCESS : HV_STATUS_INVALID_CONNECTION_ID;
}

uint16_t vmbus_host_hypercall(unsigned vpi, const struct hv_x64_hypercall_intercept_message *m)
{
	uint64_t control = m->rcx;
	uint16_t code = control & 0xFFFF;
	bool fast = control & HVCALL_FAST;
	const uint64_t *arg;

	(void)vpi;
	if (control & HVCALL_REP_COUNT_MASK)
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	switch (code) {
	case HVCALL_POST_MESSAGE:
		if (fast)
			return HV_STATUS_INVALID_HYPERCALL_INPUT;
		return post_message(m->rdx);
	case HVCALL_SIGNAL_EVENT:
		/* connection id in bits 31:0, the flag number in 47:32 (0 for
		 * VMBus channels: one connection per channel). */
		if (fast)
			return signal_event((uint32_t)m->rdx);
		if (m->rdx & 7)
			return HV_STATUS_INVALID_ALIGNMENT;
		arg = gm_ptr(&host.mem, m->rdx, sizeof(*arg));
		return arg ? signal_event((uint32_t)*arg) : HV_STATUS_INVALID_PARAMETER;
	}
	return HV_STATUS_INVALID_HYPERCALL_CODE;
}
