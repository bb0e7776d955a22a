/* The VMBus server's connection and channel state machine; see server.h. */
#include "server.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channel_msg.h"
#include "hv/message.h"
#include "hv/status.h"

/*
 * Pending host messages. Guest posts are refused while
 * VMBUS_SERVER_GUEST_QUEUE are pending and each adds at most one reply,
 * except REQUESTOFFERS (once per connection); every other message is an
 * offer or a rescind, at most one each per relid, since a relid is freed
 * only once its rescind has gone out (or the queue is dropped first).
 */
#define QUEUE_SIZE (VMBUS_SERVER_GUEST_QUEUE + 2 + 2 * VMBUS_SERVER_MAX_CHANNELS)

struct queued_msg {
	uint32_t vp;
	uint32_t len;
	uint8_t data[VMBUS_MSG_PAYLOAD_MAX];
};

struct vmbus_channel {
	struct vmbus_server *srv;
	struct vmbus_channel *primary; /* itself for a primary */
	struct vmbus_device dev;       /* a sub-channel copies its primary's */
	uint32_t relid;
	uint16_t subchannel_index;
	uint32_t n_subs; /* a primary's sub-channels not yet freed */
	uint32_t target_vp;
	bool offered; /* in this connection */
	bool rescinded;
	bool rescind_delivered;	  /* RESCIND_CHANNELOFFER posted */
	uint32_t results_pending; /* successful OPENCHANNEL_RESULTs queued */
	bool open;
	bool released;	     /* relid given back, to be freed */
	uint32_t ring_gpadl; /* while open */
	void **ring_pages;   /* while open */
};

struct vmbus_server {
	const struct vmbus_server_ops *ops;
	void *ctx;
	const struct guest_mem *mem;
	uint32_t n_vps;

	bool connected;
	uint32_t version;
	uint32_t msg_vp; /* INITIATE_CONTACT's target_vcpu */
	bool offers_requested;

	struct vmbus_channel *channel[VMBUS_SERVER_MAX_CHANNELS + 1]; /* by relid */
	struct gpadl_table gpadls;

	uint32_t q_head, q_len;
	struct queued_msg queue[QUEUE_SIZE];
};

static const uint32_t supported_versions[] = {
    VMBUS_VERSION_WIN10_V5_3, VMBUS_VERSION_WIN10_V5_2, VMBUS_VERSION_WIN10_V5_1,
    VMBUS_VERSION_WIN10_V5,   VMBUS_VERSION_WIN10_V4_1, VMBUS_VERSION_WIN10,
    VMBUS_VERSION_WIN8_1,     VMBUS_VERSION_WIN8,
};

static void say(struct vmbus_server *srv, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void say(struct vmbus_server *srv, const char *fmt, ...)
{
	char line[160];
	va_list ap;

	if (!srv->ops->log)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	srv->ops->log(srv->ctx, "vmbus: %s", line);
}

/* ---- the outgoing queue ---- */

static void enqueue(struct vmbus_server *srv, uint32_t vp, const void *msg, uint32_t len)
{
	struct queued_msg *q;
	uint32_t type;

	if (srv->q_len == QUEUE_SIZE) {
		/* Cannot happen (see QUEUE_SIZE); losing a reply beats overrunning. */
		memcpy(&type, msg, sizeof(type));
		say(srv, "host message queue full, %s dropped", vmbus_channel_msg_name(type));
		return;
	}
	q = &srv->queue[(srv->q_head + srv->q_len) % QUEUE_SIZE];
	q->vp = vp;
	q->len = len;
	memcpy(q->data, msg, len);
	srv->q_len++;
}

static void send_msg(struct vmbus_server *srv, const void *msg, uint32_t len)
{
	enqueue(srv, srv->msg_vp, msg, len);
}

static void drop_queue(struct vmbus_server *srv)
{
	srv->q_len = 0;
	for (uint32_t relid = 1; relid <= VMBUS_SERVER_MAX_CHANNELS; relid++)
		if (srv->channel[relid])
			srv->channel[relid]->results_pending = 0;
}

/* The guest has q now: a rescind may be answered with RELID_RELEASED, and
 * a device may start the protocol of a channel the guest knows is open. */
static void delivered(struct vmbus_server *srv, const struct queued_msg *q)
{
	union {
		struct vmbus_channel_message_header header;
		struct vmbus_channel_rescind_offer rescind;
		struct vmbus_channel_open_result result;
	} m = {0};
	struct vmbus_channel *ch;

	memcpy(&m, q->data, q->len < sizeof(m) ? q->len : sizeof(m));
	if (m.header.msgtype != CHANNELMSG_RESCIND_CHANNELOFFER &&
	    m.header.msgtype != CHANNELMSG_OPENCHANNEL_RESULT)
		return;
	/* Both have child_relid at +8. */
	if (m.rescind.child_relid > VMBUS_SERVER_MAX_CHANNELS)
		return;
	ch = srv->channel[m.rescind.child_relid];
	if (!ch)
		return;
	if (m.header.msgtype == CHANNELMSG_RESCIND_CHANNELOFFER && ch->rescinded)
		ch->rescind_delivered = true;
	/* Of the successful results queued, the last is the current open's. */
	if (m.header.msgtype == CHANNELMSG_OPENCHANNEL_RESULT &&
	    m.result.status == VMBUS_STATUS_SUCCESS && ch->results_pending &&
	    !--ch->results_pending && ch->open && ch->dev.ops->opened)
		ch->dev.ops->opened(ch);
}

int vmbus_server_flush(struct vmbus_server *srv)
{
	while (srv->q_len) {
		struct queued_msg *q = &srv->queue[srv->q_head];
		int rc = srv->ops->post(srv->ctx, q->vp, q->data, q->len);
		uint32_t type;

		if (rc == -EAGAIN)
			return -EAGAIN;
		srv->q_head = (srv->q_head + 1) % QUEUE_SIZE;
		srv->q_len--;
		if (!rc) {
			delivered(srv, q);
			continue;
		}
		memcpy(&type, q->data, sizeof(type));
		say(srv, "posting %s to VP %u failed (%d), dropped", vmbus_channel_msg_name(type),
		    q->vp, rc);
	}
	return 0;
}

/* ---- channels ---- */

static void send_offer(struct vmbus_server *srv, struct vmbus_channel *ch)
{
	struct vmbus_channel_offer_channel m = {
	    .header.msgtype = CHANNELMSG_OFFERCHANNEL,
	    .offer.if_type = ch->dev.class_id,
	    .offer.if_instance = ch->dev.instance_id,
	    .offer.mmio_megabytes = ch->dev.mmio_megabytes,
	    .offer.sub_channel_index = ch->subchannel_index,
	    .child_relid = ch->relid,
	    .is_dedicated_interrupt = 1,
	    .connection_id = VMBUS_CHANNEL_CONNECTION_ID(ch->relid),
	};

	if (ch->dev.pipe != VMBUS_PIPE_NONE) {
		m.offer.chn_flags = VMBUS_CHANNEL_NAMED_PIPE_MODE;
		m.offer.u.pipe.pipe_mode = ch->dev.pipe == VMBUS_PIPE_MESSAGE
					       ? VMBUS_PIPE_TYPE_MESSAGE
					       : VMBUS_PIPE_TYPE_BYTE;
	}
	send_msg(srv, &m, sizeof(m));
	ch->offered = true;
}

static uint32_t free_relid(const struct vmbus_server *srv)
{
	for (uint32_t relid = 1; relid <= VMBUS_SERVER_MAX_CHANNELS; relid++)
		if (!srv->channel[relid])
			return relid;
	return 0;
}

static void close_channel(struct vmbus_channel *ch)
{
	ch->dev.ops->close(ch);
	free(ch->ring_pages);
	ch->ring_pages = NULL;
	ch->open = false;
}

/* Frees a released channel, once nothing refers to it: a primary waits
 * for its sub-channels. */
static void free_channel(struct vmbus_channel *ch)
{
	struct vmbus_channel *primary = ch->primary;

	if (!ch->released || ch->n_subs)
		return;
	if (ch->dev.ops->release)
		ch->dev.ops->release(ch);
	free(ch);
	if (primary != ch) {
		primary->n_subs--;
		free_channel(primary);
	}
}

static void release_channel(struct vmbus_channel *ch)
{
	struct vmbus_server *srv = ch->srv;

	if (ch->open)
		close_channel(ch);
	gpadl_remove_relid(&srv->gpadls, ch->relid);
	srv->channel[ch->relid] = NULL;
	ch->released = true;
	free_channel(ch);
}

/* Closes every open channel, sub-channels first (as Linux does). */
static void close_all(struct vmbus_server *srv)
{
	for (int subs = 1; subs >= 0; subs--)
		for (uint32_t relid = 1; relid <= VMBUS_SERVER_MAX_CHANNELS; relid++) {
			struct vmbus_channel *ch = srv->channel[relid];

			if (ch && ch->open && (ch->primary != ch) == subs)
				close_channel(ch);
		}
}

/* Releases every sub-channel and rescinded primary, or every channel,
 * sub-channels first. */
static void release_all(struct vmbus_server *srv, bool primaries_too)
{
	for (int subs = 1; subs >= 0; subs--)
		for (uint32_t relid = 1; relid <= VMBUS_SERVER_MAX_CHANNELS; relid++) {
			struct vmbus_channel *ch = srv->channel[relid];

			if (!ch || (ch->primary != ch) != subs)
				continue;
			if (subs || ch->rescinded || primaries_too)
				release_channel(ch);
		}
}

static void bus_reset(struct vmbus_server *srv)
{
	close_all(srv);
	gpadl_table_reset(&srv->gpadls);
	release_all(srv, false);
	for (uint32_t relid = 1; relid <= VMBUS_SERVER_MAX_CHANNELS; relid++)
		if (srv->channel[relid])
			srv->channel[relid]->offered = false;
	srv->connected = false;
	srv->version = 0;
	srv->offers_requested = false;
}

static struct vmbus_channel *new_channel(struct vmbus_server *srv, struct vmbus_channel *primary,
					 const struct vmbus_device *dev, uint32_t relid)
{
	struct vmbus_channel *ch = calloc(1, sizeof(*ch));

	if (!ch)
		return NULL;
	ch->srv = srv;
	ch->primary = primary ? primary : ch;
	ch->dev = *dev;
	ch->relid = relid;
	srv->channel[relid] = ch;
	return ch;
}

struct vmbus_channel *vmbus_server_add_device(struct vmbus_server *srv,
					      const struct vmbus_device *dev)
{
	struct vmbus_channel *ch;
	uint32_t relid;

	if (!dev->ops || !dev->ops->open || !dev->ops->close || dev->pipe > VMBUS_PIPE_MESSAGE) {
		say(srv, "device without open/close, or a bad pipe mode");
		return NULL;
	}
	/* Linux takes a second primary with a known instance for the
	 * re-offer of a resumed channel (find_primary_channel_by_offer). */
	for (relid = 1; relid <= VMBUS_SERVER_MAX_CHANNELS; relid++) {
		ch = srv->channel[relid];
		if (ch && ch->primary == ch &&
		    !memcmp(&ch->dev.instance_id, &dev->instance_id, sizeof(dev->instance_id))) {
			say(srv, "device instance %08x-... added twice", dev->instance_id.data1);
			return NULL;
		}
	}
	relid = free_relid(srv);
	if (!relid) {
		say(srv, "no relid left for device %08x-...", dev->instance_id.data1);
		return NULL;
	}
	ch = new_channel(srv, NULL, dev, relid);
	if (ch && srv->offers_requested)
		send_offer(srv, ch);
	return ch;
}

static bool subchannel_index_used(const struct vmbus_server *srv,
				  const struct vmbus_channel *primary, uint32_t index)
{
	for (uint32_t relid = 1; relid <= VMBUS_SERVER_MAX_CHANNELS; relid++) {
		const struct vmbus_channel *ch = srv->channel[relid];

		if (ch && ch != primary && ch->primary == primary && ch->subchannel_index == index)
			return true;
	}
	return false;
}

int vmbus_server_add_subchannels(struct vmbus_channel *primary, unsigned n)
{
	struct vmbus_server *srv = primary->srv;
	struct vmbus_channel *added[VMBUS_SERVER_MAX_CHANNELS];
	uint32_t free_relids = 0, index = 1;

	if (primary->primary != primary || primary->released || primary->rescinded || !n)
		return -EINVAL;
	for (uint32_t relid = 1; relid <= VMBUS_SERVER_MAX_CHANNELS; relid++)
		free_relids += !srv->channel[relid];
	if (n > free_relids)
		return -ENOSPC;

	for (unsigned i = 0; i < n; i++, index++) {
		while (subchannel_index_used(srv, primary, index))
			index++;
		added[i] = new_channel(srv, primary, &primary->dev, free_relid(srv));
		if (!added[i]) {
			while (i--) {
				srv->channel[added[i]->relid] = NULL;
				free(added[i]);
			}
			return -ENOMEM;
		}
		added[i]->subchannel_index = (uint16_t)index;
		added[i]->target_vp = primary->target_vp;
	}
	primary->n_subs += n;
	if (srv->offers_requested)
		for (unsigned i = 0; i < n; i++)
			send_offer(srv, added[i]);
	return 0;
}

void vmbus_server_rescind(struct vmbus_channel *ch)
{
	struct vmbus_server *srv = ch->srv;
	struct vmbus_channel_rescind_offer m = {
	    .header.msgtype = CHANNELMSG_RESCIND_CHANNELOFFER,
	    .child_relid = ch->relid,
	};

	if (ch->rescinded || ch->released)
		return;
	/* Linux turns a sub-channel without its primary into a primary
	 * (vmbus_process_offer), so sub-channels go first. */
	if (ch->primary == ch)
		for (uint32_t relid = 1; relid <= VMBUS_SERVER_MAX_CHANNELS; relid++)
			if (srv->channel[relid] && srv->channel[relid] != ch &&
			    srv->channel[relid]->primary == ch)
				vmbus_server_rescind(srv->channel[relid]);
	if (ch->open)
		close_channel(ch);
	if (!ch->offered) {
		release_channel(ch);
		return;
	}
	ch->rescinded = true;
	send_msg(srv, &m, sizeof(m));
}

/* ---- guest messages ---- */

/* The channel relid if the guest has been offered it in this connection. */
static struct vmbus_channel *offered_channel(struct vmbus_server *srv, uint32_t relid)
{
	struct vmbus_channel *ch;

	if (!relid || relid > VMBUS_SERVER_MAX_CHANNELS)
		return NULL;
	ch = srv->channel[relid];
	return ch && ch->offered ? ch : NULL;
}

static bool version_supported(uint32_t version)
{
	for (size_t i = 0; i < sizeof(supported_versions) / sizeof(supported_versions[0]); i++)
		if (supported_versions[i] == version)
			return true;
	return false;
}

static void on_initiate_contact(struct vmbus_server *srv,
				const struct vmbus_channel_initiate_contact *ic)
{
	uint32_t version = ic->vmbus_version_requested, vp = ic->target_vcpu;
	struct vmbus_channel_version_response r = {
	    .header.msgtype = CHANNELMSG_VERSION_RESPONSE,
	    .msg_conn_id = VMBUS_MESSAGE_CONNECTION_ID,
	};

	/* A new connection: whatever the old one left is stale. */
	bus_reset(srv);
	drop_queue(srv);
	if (vp >= srv->n_vps) {
		say(srv, "INITIATE_CONTACT: target VP %u of %u", vp, srv->n_vps);
		return;
	}
	/* Refused versions are answered too: the guest waits, then tries its
	 * next one. From 5.0 the guest names its SINT; host messages only use
	 * 2. The interrupt page (< 5.0) is unused since 2.4 (pitfall 10). */
	if (!version_supported(version)) {
		say(srv, "INITIATE_CONTACT: version %u.%u not supported", version >> 16,
		    version & 0xFFFF);
		enqueue(srv, vp, &r, sizeof(r));
		return;
	}
	if (version >= VMBUS_VERSION_WIN10_V5 && ic->msg_sint != VMBUS_MESSAGE_SINT) {
		say(srv, "INITIATE_CONTACT: SINT %u not supported", ic->msg_sint);
		enqueue(srv, vp, &r, sizeof(r));
		return;
	}
	srv->connected = true;
	srv->version = version;
	srv->msg_vp = vp;
	r.version_supported = 1;
	send_msg(srv, &r, sizeof(r));
}

static void on_request_offers(struct vmbus_server *srv)
{
	struct vmbus_channel_message_header done = {.msgtype = CHANNELMSG_ALLOFFERS_DELIVERED};

	if (srv->offers_requested) {
		say(srv, "REQUESTOFFERS again, dropped");
		return;
	}
	srv->offers_requested = true;
	/* Primaries before sub-channels (VMBUS.md 1.8). */
	for (int subs = 0; subs <= 1; subs++)
		for (uint32_t relid = 1; relid <= VMBUS_SERVER_MAX_CHANNELS; relid++) {
			struct vmbus_channel *ch = srv->channel[relid];

			if (ch && !ch->rescinded && (ch->primary != ch) == subs)
				send_offer(srv, ch);
		}
	send_msg(srv, &done, sizeof(done));
}

static void send_gpadl_created(struct vmbus_server *srv, uint32_t relid, uint32_t gpadl,
			       uint32_t status)
{
	struct vmbus_channel_gpadl_created r = {
	    .header.msgtype = CHANNELMSG_GPADL_CREATED,
	    .child_relid = relid,
	    .gpadl = gpadl,
	    .creation_status = status,
	};

	send_msg(srv, &r, sizeof(r));
}

/* rc from gpadl_header/gpadl_body: reply once the GPADL is complete or
 * has failed. A rescinded channel's GPADLs are created like any other
 * (VMBUS.md pitfall 6) and freed with its relid. */
static void gpadl_reply(struct vmbus_server *srv, const char *what, uint32_t relid, uint32_t gpadl,
			int rc)
{
	if (!rc)
		return;
	if (rc < 0)
		say(srv, "%s relid %u gpadl %#x: refused (%d)", what, relid, gpadl, rc);
	send_gpadl_created(srv, relid, gpadl,
			   rc > 0 ? VMBUS_STATUS_SUCCESS : VMBUS_STATUS_UNSUCCESSFUL);
}

static void on_gpadl_header(struct vmbus_server *srv, const struct vmbus_channel_msg *m)
{
	const struct vmbus_channel_gpadl_header *h = &m->u.gpadl_header;
	int rc = -ENOENT;

	if (offered_channel(srv, h->child_relid))
		rc = gpadl_header(&srv->gpadls, h->child_relid, h->gpadl, h->range_buflen,
				  h->rangecount, m->words, m->n_words);
	gpadl_reply(srv, "GPADL_HEADER", h->child_relid, h->gpadl, rc);
}

static void on_gpadl_body(struct vmbus_server *srv, const struct vmbus_channel_msg *m)
{
	uint32_t gpadl = m->u.gpadl_body.gpadl, relid;
	int rc = gpadl_body(&srv->gpadls, gpadl, m->words, m->n_words, &relid);

	if (rc == -ENOENT) {
		/* No relid to answer to. */
		say(srv, "GPADL_BODY for gpadl %#x, not in progress", gpadl);
		return;
	}
	gpadl_reply(srv, "GPADL_BODY", relid, gpadl, rc);
}

static void on_gpadl_teardown(struct vmbus_server *srv,
			      const struct vmbus_channel_gpadl_teardown *t)
{
	const struct gpadl *g = gpadl_find(&srv->gpadls, t->gpadl);
	struct vmbus_channel *ch = offered_channel(srv, t->child_relid);
	struct vmbus_channel_gpadl_torndown r = {
	    .header.msgtype = CHANNELMSG_GPADL_TORNDOWN,
	    .gpadl = t->gpadl,
	};

	if (!g || !g->complete || g->relid != t->child_relid) {
		say(srv, "GPADL_TEARDOWN relid %u gpadl %#x: no such complete GPADL",
		    t->child_relid, t->gpadl);
		return;
	}
	/* Hyper-V frees a ring only after the channel closed. */
	if (ch && ch->open && ch->ring_gpadl == t->gpadl) {
		say(srv, "GPADL_TEARDOWN relid %u gpadl %#x: the ring of an open channel",
		    t->child_relid, t->gpadl);
		return;
	}
	gpadl_remove(&srv->gpadls, t->gpadl);
	send_msg(srv, &r, sizeof(r));
}

/* Checks an OPENCHANNEL against the channel and its ring GPADL, opens it
 * and collects the ring's host pages. Returns 0 or a reason to refuse. */
static const char *open_channel(struct vmbus_server *srv, struct vmbus_channel *ch,
				const struct vmbus_channel_open_channel *o)
{
	uint32_t off = o->downstream_ringbuffer_pageoffset, n;
	const struct gpadl *g = gpadl_find(&srv->gpadls, o->ringbuffer_gpadlhandle);
	const uint64_t *pfns;
	void **pages;

	if (ch->open)
		return "already open";
	if (!g || !g->complete || g->relid != ch->relid)
		return "no such complete GPADL for this channel";
	pfns = gpadl_ring_pfns(g, &n);
	if (!pfns)
		return "the GPADL is not one page-aligned range";
	if (n < 4 || off < 2 || off > n - 2)
		return "the rings need 2 pages each";
	if (o->target_vp >= srv->n_vps)
		return "no such target VP";
	pages = malloc(n * sizeof(*pages));
	if (!pages)
		return "out of memory";
	/* gm_page cannot fail: the PFNs were checked when the GPADL completed. */
	for (uint32_t i = 0; i < n; i++)
		pages[i] = gm_page(srv->mem, pfns[i]);
	ch->target_vp = o->target_vp;
	if (ch->dev.ops->open(ch, pages, off, pages + off, n - off, o->target_vp)) {
		free(pages);
		return "the device refused";
	}
	ch->open = true;
	ch->ring_gpadl = o->ringbuffer_gpadlhandle;
	ch->ring_pages = pages;
	return NULL;
}

static void on_open_channel(struct vmbus_server *srv, const struct vmbus_channel_open_channel *o)
{
	struct vmbus_channel *ch = offered_channel(srv, o->child_relid);
	struct vmbus_channel_open_result r = {
	    .header.msgtype = CHANNELMSG_OPENCHANNEL_RESULT,
	    .child_relid = o->child_relid,
	    .openid = o->openid,
	    .status = VMBUS_STATUS_SUCCESS,
	};
	const char *why = "no such channel";

	/* Linux gives up on its own on a rescinded channel
	 * (vmbus_onoffer_rescind wakes the opener): no reply. */
	if (ch && ch->rescinded) {
		say(srv, "OPENCHANNEL relid %u: rescinded, ignored", o->child_relid);
		return;
	}
	if (ch)
		why = open_channel(srv, ch, o);
	if (why) {
		say(srv, "OPENCHANNEL relid %u gpadl %#x: %s", o->child_relid,
		    o->ringbuffer_gpadlhandle, why);
		r.status = VMBUS_STATUS_UNSUCCESSFUL;
	} else {
		ch->results_pending++;
	}
	send_msg(srv, &r, sizeof(r));
}

static void on_close_channel(struct vmbus_server *srv, uint32_t relid)
{
	struct vmbus_channel *ch = offered_channel(srv, relid);

	if (ch && ch->open) {
		close_channel(ch);
		return;
	}
	/* A rescinded channel was closed already; Linux may still say so. */
	if (!ch || !ch->rescinded)
		say(srv, "CLOSECHANNEL relid %u: not open", relid);
}

static void on_relid_released(struct vmbus_server *srv, uint32_t relid)
{
	struct vmbus_channel *ch = offered_channel(srv, relid);

	if (!ch || !ch->rescind_delivered) {
		say(srv, "RELID_RELEASED relid %u: not rescinded", relid);
		return;
	}
	release_channel(ch);
}

static void on_modifychannel(struct vmbus_server *srv, const struct vmbus_channel_modifychannel *mc)
{
	struct vmbus_channel *ch = offered_channel(srv, mc->child_relid);
	struct vmbus_channel_modifychannel_response r = {
	    .header.msgtype = CHANNELMSG_MODIFYCHANNEL_RESPONSE,
	    .child_relid = mc->child_relid,
	    .status = VMBUS_STATUS_UNSUCCESSFUL,
	};

	if (srv->version < VMBUS_VERSION_WIN10_V4_1) {
		say(srv, "MODIFYCHANNEL before version 4.1, dropped");
		return;
	}
	if (!ch || ch->rescinded || mc->target_vp >= srv->n_vps) {
		say(srv, "MODIFYCHANNEL relid %u to VP %u: refused", mc->child_relid,
		    mc->target_vp);
	} else {
		ch->target_vp = mc->target_vp;
		r.status = VMBUS_STATUS_SUCCESS;
	}
	/* Only 5.3 guests wait for an answer. */
	if (srv->version >= VMBUS_VERSION_WIN10_V5_3)
		send_msg(srv, &r, sizeof(r));
}

static void on_unload(struct vmbus_server *srv)
{
	struct vmbus_channel_message_header r = {.msgtype = CHANNELMSG_UNLOAD_RESPONSE};

	/* The guest waits for the reply forever, connected or not. */
	bus_reset(srv);
	send_msg(srv, &r, sizeof(r));
}

static void dispatch(struct vmbus_server *srv, const struct vmbus_channel_msg *m)
{
	switch (m->type) {
	case CHANNELMSG_INITIATE_CONTACT:
		on_initiate_contact(srv, &m->u.initiate_contact);
		return;
	case CHANNELMSG_UNLOAD:
		on_unload(srv);
		return;
	}
	if (!srv->connected) {
		say(srv, "%s before a version was agreed, dropped",
		    vmbus_channel_msg_name(m->type));
		return;
	}
	switch (m->type) {
	case CHANNELMSG_REQUESTOFFERS:
		on_request_offers(srv);
		break;
	case CHANNELMSG_OPENCHANNEL:
		on_open_channel(srv, &m->u.open_channel);
		break;
	case CHANNELMSG_CLOSECHANNEL:
		on_close_channel(srv, m->u.close_channel.child_relid);
		break;
	case CHANNELMSG_GPADL_HEADER:
		on_gpadl_header(srv, m);
		break;
	case CHANNELMSG_GPADL_BODY:
		on_gpadl_body(srv, m);
		break;
	case CHANNELMSG_GPADL_TEARDOWN:
		on_gpadl_teardown(srv, &m->u.gpadl_teardown);
		break;
	case CHANNELMSG_RELID_RELEASED:
		on_relid_released(srv, m->u.relid_released.child_relid);
		break;
	case CHANNELMSG_MODIFYCHANNEL:
		on_modifychannel(srv, &m->u.modifychannel);
		break;
	}
}

uint16_t vmbus_server_post_message(struct vmbus_server *srv, uint32_t connection_id,
				   uint32_t message_type, const void *payload, uint32_t size)
{
	struct vmbus_channel_msg m;
	bool contact_v5;
	int rc;

	if (message_type != HVMSG_VMBUS || size > VMBUS_MSG_PAYLOAD_MAX)
		return HV_STATUS_INVALID_PARAMETER;
	if (connection_id != VMBUS_MESSAGE_CONNECTION_ID &&
	    connection_id != VMBUS_MESSAGE_CONNECTION_ID_4)
		return HV_STATUS_INVALID_CONNECTION_ID;

	rc = vmbus_channel_msg_parse(payload, size, &m);
	contact_v5 = !rc && m.type == CHANNELMSG_INITIATE_CONTACT &&
		     m.u.initiate_contact.vmbus_version_requested >= VMBUS_VERSION_WIN10_V5;
	/* Linux: INITIATE_CONTACT for >= 5.0 on 4, everything else on 1. */
	if (contact_v5 != (connection_id == VMBUS_MESSAGE_CONNECTION_ID_4)) {
		say(srv, "%s on connection %u refused",
		    rc ? "a malformed message" : vmbus_channel_msg_name(m.type), connection_id);
		return HV_STATUS_INVALID_CONNECTION_ID;
	}
	/* INITIATE_CONTACT drops what is pending, so it always gets in. */
	if (srv->q_len >= VMBUS_SERVER_GUEST_QUEUE && (rc || m.type != CHANNELMSG_INITIATE_CONTACT))
		return HV_STATUS_INSUFFICIENT_BUFFERS;
	if (rc) {
		uint32_t type = 0;

		if (size >= sizeof(type))
			memcpy(&type, payload, sizeof(type));
		say(srv, "malformed channel message (type %u, %u bytes): %d, dropped", type, size,
		    rc);
		return HV_STATUS_SUCCESS;
	}
	dispatch(srv, &m);
	return HV_STATUS_SUCCESS;
}

/* ---- lifetime and accessors ---- */

struct vmbus_server *vmbus_server_create(const struct vmbus_server_ops *ops, void *ctx,
					 const struct guest_mem *mem, uint32_t n_vps)
{
	struct vmbus_server *srv;

	if (!ops || !ops->post || !mem || !n_vps)
		return NULL;
	srv = calloc(1, sizeof(*srv));
	if (!srv)
		return NULL;
	srv->ops = ops;
	srv->ctx = ctx;
	srv->mem = mem;
	srv->n_vps = n_vps;
	gpadl_table_init(&srv->gpadls, mem);
	return srv;
}

void vmbus_server_destroy(struct vmbus_server *srv)
{
	if (!srv)
		return;
	close_all(srv);
	release_all(srv, true);
	gpadl_table_reset(&srv->gpadls);
	free(srv);
}

void vmbus_server_reset(struct vmbus_server *srv)
{
	bus_reset(srv);
	drop_queue(srv);
	srv->msg_vp = 0;
}

struct vmbus_channel *vmbus_server_channel_by_connection(struct vmbus_server *srv,
							 uint32_t connection_id)
{
	uint32_t relid = connection_id - VMBUS_CHANNEL_CONNECTION_ID(0);
	struct vmbus_channel *ch;

	if (connection_id < VMBUS_CHANNEL_CONNECTION_ID(1) || relid > VMBUS_SERVER_MAX_CHANNELS)
		return NULL;
	ch = srv->channel[relid];
	return ch && ch->open ? ch : NULL;
}

uint32_t vmbus_server_version(const struct vmbus_server *srv)
{
	return srv->version;
}

uint32_t vmbus_channel_relid(const struct vmbus_channel *ch)
{
	return ch->relid;
}

uint32_t vmbus_channel_connection_id(const struct vmbus_channel *ch)
{
	return VMBUS_CHANNEL_CONNECTION_ID(ch->relid);
}

uint32_t vmbus_channel_target_vp(const struct vmbus_channel *ch)
{
	return ch->target_vp;
}

void *vmbus_channel_priv(const struct vmbus_channel *ch)
{
	return ch->dev.priv;
}

uint16_t vmbus_channel_subchannel_index(const struct vmbus_channel *ch)
{
	return ch->subchannel_index;
}

struct vmbus_channel *vmbus_channel_primary(struct vmbus_channel *ch)
{
	return ch->primary;
}

const struct gpadl *vmbus_channel_gpadl(const struct vmbus_channel *ch, uint32_t id)
{
	const struct gpadl *g = gpadl_find(&ch->srv->gpadls, id);

	return g && g->complete && g->relid == ch->relid ? g : NULL;
}
