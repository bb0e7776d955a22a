/*
 * The integration services (vsp_ic.h) on their channels. Every exchange is
 * host-initiated, one request at a time (root/vsp/ic/ic.h): the channel
 * thread negotiates once the guest opens the channel, then its tick sends
 * heartbeats and whatever another thread asked for (shutdown, a KVP
 * query), and gives up on a request the guest leaves unanswered.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "hv/partition.h"
#include "hv/vmbus.h"
#include "hv/vmbus_ring.h"

#include "ic/ic.h"
#include "vmbus_host.h"
#include "vmwp.h"
#include "vsp_ic.h"

#define TICK_MS			1000
#define REQUEST_TIMEOUT_S	10.0
#define KVP_WAIT_S		5

struct ic_vsp {
	struct vsp_device dev;
	enum ic_service service;
	struct ic ic;			/* the channel thread's */
	double sent_at;
	/* Between the channel thread and the callers of vsp_ic_* (lock). */
	pthread_mutex_t lock;
	pthread_cond_t done;
	bool shutdown_asked, reboot;
	double last_heartbeat;		/* now_s() of the last answer, 0 none */
	struct {
		bool asked, answered;
		unsigned pool, index;
		int result;
		char key[IC_KVP_KEY_UTF8_SIZE], value[IC_KVP_VALUE_UTF8_SIZE];
	} kvp;
};

static int ic_packet(struct channel *c, const struct vmbus_pkt *p);
static void ic_opened(struct channel *c);
static void ic_tick(struct channel *c);

static const struct channel_ops ic_ops = {
	.opened = ic_opened,
	.packet = ic_packet,
	.tick = ic_tick,
	.tick_ms = TICK_MS,
	.max_packet = 16384,	/* KVP's, the largest */
};

#define IC_VSP(n, svc, cls, inst)                                                                  \
	{ .dev = { .name = n, .class_id = cls, .instance_id = inst, .ops = &ic_ops },           \
	  .service = svc, .lock = PTHREAD_MUTEX_INITIALIZER, .done = PTHREAD_COND_INITIALIZER }

/* Instance GUIDs are ours: the guest only needs them unique in the VM. */
static struct ic_vsp ics[] = {
	IC_VSP("shutdown", IC_SHUTDOWN, HV_GUID_SHUTDOWN,
	       HV_GUID(0x5e970001, 0x1c00, 0x4000, 0x80, 0, 0, 0, 0, 0, 0, 1)),
	IC_VSP("timesync", IC_TIMESYNC, HV_GUID_TIMESYNC,
	       HV_GUID(0x5e970001, 0x1c00, 0x4000, 0x80, 0, 0, 0, 0, 0, 0, 2)),
	IC_VSP("heartbeat", IC_HEARTBEAT, HV_GUID_HEARTBEAT,
	       HV_GUID(0x5e970001, 0x1c00, 0x4000, 0x80, 0, 0, 0, 0, 0, 0, 3)),
	IC_VSP("kvp", IC_KVP, HV_GUID_KVP,
	       HV_GUID(0x5e970001, 0x1c00, 0x4000, 0x80, 0, 0, 0, 0, 0, 0, 4)),
};

static struct ic_vsp *svc(enum ic_service s)
{
	return &ics[s];
}

static void send(struct channel *c, struct ic_vsp *v, const void *buf, size_t len)
{
	if (!len)
		return;
	v->sent_at = now_s();
	channel_send(c, VM_PKT_DATA_INBAND, 0, v->ic.trans_id, buf, (uint32_t)len);
}

static uint64_t reference_time(void)
{
	struct septum_vid_property p = { .code = HV_PARTITION_PROPERTY_REFERENCE_TIME };

	return vid(vm.part, SEPTUM_VID_GET_PROPERTY, &p) ? 0 : p.value;
}

static void ic_opened(struct channel *c)
{
	struct ic_vsp *v = c->vsp;
	uint8_t buf[IC_REQUEST_MAX];

	ic_init(&v->ic, v->service);
	pthread_mutex_lock(&v->lock);
	v->last_heartbeat = 0;
	pthread_mutex_unlock(&v->lock);
	send(c, v, buf, ic_negotiate(&v->ic, buf, sizeof(buf)));
}

static void kvp_answer(struct ic_vsp *v, int result, const struct ic_event *ev)
{
	pthread_mutex_lock(&v->lock);
	v->kvp.result = result;
	if (ev && result == 0) {
		snprintf(v->kvp.key, sizeof(v->kvp.key), "%s", ev->kvp.key);
		snprintf(v->kvp.value, sizeof(v->kvp.value), "%s", ev->kvp.value);
	}
	v->kvp.answered = true;
	pthread_cond_broadcast(&v->done);
	pthread_mutex_unlock(&v->lock);
}

static int ic_packet(struct channel *c, const struct vmbus_pkt *p)
{
	struct ic_vsp *v = c->vsp;
	uint8_t buf[IC_REQUEST_MAX];
	struct ic_event ev;

	if (p->type != VM_PKT_DATA_INBAND)
		return 0;	/* nothing else belongs here; not worth a channel */
	switch (ic_reply(&v->ic, p->payload, p->payload_len, &ev)) {
	case IC_EV_IGNORED:
		logmsg("ic %s: reply ignored: %s", c->name, ev.reason ? ev.reason : "?");
		break;
	case IC_EV_NEGOTIATION_FAILED:
		logmsg("ic %s: no common version: %s", c->name, ev.reason ? ev.reason : "?");
		break;
	case IC_EV_NEGOTIATED:
		if (verbose)
			logmsg("ic %s: framework %u.%u, service %u.%u", c->name,
			       ev.negotiated.fw_major, ev.negotiated.fw_minor,
			       ev.negotiated.srv_major, ev.negotiated.srv_minor);
		if (v->service == IC_TIMESYNC) {
			struct timespec ts;

			clock_gettime(CLOCK_REALTIME, &ts);
			send(c, v, buf, ic_timesync(&v->ic, ts.tv_sec * 1000000000ULL + ts.tv_nsec,
						    reference_time(), true, buf, sizeof(buf)));
		}
		break;
	case IC_EV_HEARTBEAT:
		pthread_mutex_lock(&v->lock);
		v->last_heartbeat = now_s();
		pthread_mutex_unlock(&v->lock);
		break;
	case IC_EV_SHUTDOWN:
		logmsg("ic shutdown: the guest %s the request", ev.shutdown_accepted ? "accepted" : "refused");
		break;
	case IC_EV_KVP:
		kvp_answer(v, ev.status == 0 ? 0 : -1, &ev);
		break;
	case IC_EV_KVP_END:
		kvp_answer(v, 1, NULL);
		break;
	}
	return 0;
}

static void ic_tick(struct channel *c)
{
	struct ic_vsp *v = c->vsp;
	uint8_t buf[IC_REQUEST_MAX];
	bool shutdown, reboot, kvp;
	unsigned pool, index;

	/* A guest leaves KVP's negotiation unread until hv_kvp_daemon starts,
	 * perhaps much later: that one waits as long as it takes. */
	if (v->ic.state == IC_WAITING ||
	    (v->ic.state == IC_NEGOTIATING && v->service != IC_KVP)) {
		if (now_s() - v->sent_at < REQUEST_TIMEOUT_S)
			return;
		ic_cancel(&v->ic);
		if (v->service == IC_KVP)
			kvp_answer(v, -1, NULL);
	}
	if (v->ic.state != IC_READY)
		return;
	pthread_mutex_lock(&v->lock);
	shutdown = v->shutdown_asked;
	reboot = v->reboot;
	v->shutdown_asked = false;
	kvp = v->kvp.asked;
	v->kvp.asked = false;
	pool = v->kvp.pool;
	index = v->kvp.index;
	pthread_mutex_unlock(&v->lock);
	switch (v->service) {
	case IC_HEARTBEAT:
		send(c, v, buf, ic_heartbeat(&v->ic, buf, sizeof(buf)));
		break;
	case IC_SHUTDOWN:
		if (shutdown)
			send(c, v, buf, ic_shutdown(&v->ic, reboot, false, buf, sizeof(buf)));
		break;
	case IC_KVP:
		if (kvp)
			send(c, v, buf, ic_kvp_enumerate(&v->ic, (uint8_t)pool, index, buf, sizeof(buf)));
		break;
	case IC_TIMESYNC:
		break;
	}
}

int vsp_ic_add(void)
{
	for (size_t i = 0; i < sizeof(ics) / sizeof(ics[0]); i++) {
		ics[i].dev.vsp = &ics[i];
		if (vmbus_host_add(&ics[i].dev))
			return -1;
	}
	return 0;
}

/* Pokes the service's channel thread if the channel is open. */
static bool poke(struct ic_vsp *v)
{
	struct channel *c;

	vmbus_host_lock();
	c = vmbus_host_open_channel(&v->dev);
	if (c)
		channel_notify(c);
	vmbus_host_unlock();
	return c != NULL;
}

void vsp_ic_shutdown(bool reboot)
{
	struct ic_vsp *v = svc(IC_SHUTDOWN);

	/* A guest still booting gets the request once its service is up:
	 * the manager's timeout decides how long that may take. */
	pthread_mutex_lock(&v->lock);
	v->shutdown_asked = true;
	v->reboot = reboot;
	pthread_mutex_unlock(&v->lock);
	poke(v);
}

double vsp_ic_heartbeat_age(void)
{
	struct ic_vsp *v = svc(IC_HEARTBEAT);
	double t;

	pthread_mutex_lock(&v->lock);
	t = v->last_heartbeat;
	pthread_mutex_unlock(&v->lock);
	return t ? now_s() - t : -1;
}

int vsp_ic_kvp_enumerate(unsigned pool, unsigned index, char *key, size_t keylen, char *value,
			 size_t valuelen, char *err, size_t errlen)
{
	struct ic_vsp *v = svc(IC_KVP);
	struct timespec ts;
	int r = 0;

	pthread_mutex_lock(&v->lock);
	v->kvp = (typeof(v->kvp)){ .asked = true, .pool = pool, .index = index };
	pthread_mutex_unlock(&v->lock);
	if (!poke(v)) {
		snprintf(err, errlen, "the guest has not opened its KVP service (no hv_utils?)");
		return -1;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += KVP_WAIT_S;
	pthread_mutex_lock(&v->lock);
	while (!v->kvp.answered && r != ETIMEDOUT)
		r = pthread_cond_timedwait(&v->done, &v->lock, &ts);
	if (!v->kvp.answered) {
		v->kvp.asked = false;
		pthread_mutex_unlock(&v->lock);
		snprintf(err, errlen, "no answer from the guest's KVP service (is hv_kvp_daemon running?)");
		return -1;
	}
	r = v->kvp.result;
	snprintf(key, keylen, "%s", v->kvp.key);
	snprintf(value, valuelen, "%s", v->kvp.value);
	pthread_mutex_unlock(&v->lock);
	if (r < 0)
		snprintf(err, errlen, "the guest's KVP service failed the request");
	return r;
}
