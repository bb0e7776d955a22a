/*
 * What every IC shares: the request framing, matching a reply to the
 * outstanding request, and version negotiation. The guest's side of the
 * negotiation is Linux's vmbus_prep_negotiate_resp (drivers/hv/
 * channel_mgmt.c): it walks its own lists in order, takes the first
 * version we offered, and rewrites the counts and the first two slots.
 */
#include <string.h>

#include "ic.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct version_list {
	const struct ic_version *v;
	size_t n;
};

/* What Linux 6.1 supports (hv_util.c, hv_kvp.c), best first. */
static const struct ic_version fw_versions[] = {{3, 0}, {1, 0}};
static const struct ic_version shutdown_versions[] = {{3, 2}, {3, 1}, {3, 0}, {1, 0}};
static const struct ic_version timesync_versions[] = {{4, 0}, {3, 0}, {1, 0}};
static const struct ic_version heartbeat_versions[] = {{3, 0}, {1, 0}};
static const struct ic_version kvp_versions[] = {{4, 0}, {3, 0}, {1, 0}};

static const struct version_list service_versions[] = {
    [IC_SHUTDOWN] = {shutdown_versions, ARRAY_SIZE(shutdown_versions)},
    [IC_TIMESYNC] = {timesync_versions, ARRAY_SIZE(timesync_versions)},
    [IC_HEARTBEAT] = {heartbeat_versions, ARRAY_SIZE(heartbeat_versions)},
    [IC_KVP] = {kvp_versions, ARRAY_SIZE(kvp_versions)},
};

static const uint16_t service_type[] = {
    [IC_SHUTDOWN] = ICMSGTYPE_SHUTDOWN,
    [IC_TIMESYNC] = ICMSGTYPE_TIMESYNC,
    [IC_HEARTBEAT] = ICMSGTYPE_HEARTBEAT,
    [IC_KVP] = ICMSGTYPE_KVPEXCHANGE,
};

void ic_init(struct ic *ic, enum ic_service service)
{
	memset(ic, 0, sizeof(*ic));
	ic->service = service;
	ic->state = IC_IDLE;
}

size_t ic_request(struct ic *ic, uint16_t type, size_t body_size, void *buf, size_t cap)
{
	/* Padded to 8: the guest answers with the length it saw, len8 * 8. */
	size_t len = (ICMSG_HDR + body_size + 7) & ~(size_t)7;
	struct vmbuspipe_hdr *pipe;
	struct icmsg_hdr *hdr;

	if ((unsigned)ic->service >= ARRAY_SIZE(service_type))
		return 0;
	if (type == ICMSGTYPE_NEGOTIATE ? ic->state != IC_IDLE : ic->state != IC_READY)
		return 0;
	if (type != ICMSGTYPE_NEGOTIATE && type != service_type[ic->service])
		return 0;
	if (len > IC_REQUEST_MAX || len > cap)
		return 0;

	memset(buf, 0, len);
	pipe = buf;
	hdr = (struct icmsg_hdr *)((uint8_t *)buf + sizeof(*pipe));
	pipe->flags = VMBUS_PIPE_TYPE_DATA;
	pipe->msgsize = sizeof(*hdr) + body_size;
	/* A NEGOTIATE goes out before any version is agreed: 0.0. */
	if (type != ICMSGTYPE_NEGOTIATE) {
		hdr->icverframe = (struct ic_version){ic->fw_major, ic->fw_minor};
		hdr->icvermsg = (struct ic_version){ic->srv_major, ic->srv_minor};
	}
	hdr->icmsgtype = type;
	hdr->icmsgsize = body_size;
	hdr->ictransaction_id = (uint8_t)++ic->trans_id;
	hdr->icflags = ICMSGHDRFLAG_TRANSACTION | ICMSGHDRFLAG_REQUEST;

	ic->state = type == ICMSGTYPE_NEGOTIATE ? IC_NEGOTIATING : IC_WAITING;
	ic->req_type = type;
	ic->req_len = len;
	return len;
}

size_t ic_negotiate(struct ic *ic, void *buf, size_t cap)
{
	const struct version_list *srv;
	struct icmsg_negotiate *neg;
	size_t len, n = 0;

	if ((unsigned)ic->service >= ARRAY_SIZE(service_versions))
		return 0;
	srv = &service_versions[ic->service];
	len = ic_request(ic, ICMSGTYPE_NEGOTIATE,
			 sizeof(*neg) +
			     (ARRAY_SIZE(fw_versions) + srv->n) * sizeof(struct ic_version),
			 buf, cap);
	if (!len)
		return 0;

	neg = (struct icmsg_negotiate *)((uint8_t *)buf + ICMSG_HDR);
	neg->icframe_vercnt = ARRAY_SIZE(fw_versions);
	neg->icmsg_vercnt = srv->n;
	for (size_t i = 0; i < ARRAY_SIZE(fw_versions); i++)
		neg->icversion_data[n++] = fw_versions[i];
	for (size_t i = 0; i < srv->n; i++)
		neg->icversion_data[n++] = srv->v[i];
	return len;
}

void ic_cancel(struct ic *ic)
{
	if (ic->state == IC_NEGOTIATING)
		ic->state = IC_IDLE;
	else if (ic->state == IC_WAITING)
		ic->state = IC_READY;
}

int ic_ignore(struct ic_event *ev, const char *reason)
{
	ev->type = IC_EV_IGNORED;
	ev->reason = reason;
	return ev->type;
}

static int negotiation_failed(struct ic_event *ev, const char *reason)
{
	ev->type = IC_EV_NEGOTIATION_FAILED;
	ev->reason = reason;
	return ev->type;
}

static bool offered(const struct ic_version *list, size_t n, struct ic_version v)
{
	for (size_t i = 0; i < n; i++) {
		if (list[i].major == v.major && list[i].minor == v.minor)
			return true;
	}
	return false;
}

static int negotiate_reply(struct ic *ic, const uint8_t *body, size_t size, uint32_t status,
			   struct ic_event *ev)
{
	const struct version_list *srv = &service_versions[ic->service];
	const struct icmsg_negotiate *neg = (const struct icmsg_negotiate *)body;
	uint16_t fw_count, srv_count;
	struct ic_version fw, chosen;

	if (size < sizeof(*neg) + 2 * sizeof(struct ic_version))
		return negotiation_failed(ev, "negotiate body too short");
	if (status != HV_S_OK)
		return negotiation_failed(ev, "the guest failed the negotiation");
	fw_count = neg->icframe_vercnt;
	srv_count = neg->icmsg_vercnt;
	if (fw_count == 0 && srv_count == 0)
		return negotiation_failed(ev, "no common version");
	if (fw_count != 1 || srv_count != 1)
		return negotiation_failed(ev, "version counts are not 1 and 1");
	fw = neg->icversion_data[0];
	chosen = neg->icversion_data[1];
	if (!offered(fw_versions, ARRAY_SIZE(fw_versions), fw))
		return negotiation_failed(ev, "framework version not offered");
	if (!offered(srv->v, srv->n, chosen))
		return negotiation_failed(ev, "service version not offered");

	ic->fw_major = fw.major;
	ic->fw_minor = fw.minor;
	ic->srv_major = chosen.major;
	ic->srv_minor = chosen.minor;
	ic->state = IC_READY;
	ev->negotiated.fw_major = fw.major;
	ev->negotiated.fw_minor = fw.minor;
	ev->negotiated.srv_major = chosen.major;
	ev->negotiated.srv_minor = chosen.minor;
	ev->type = IC_EV_NEGOTIATED;
	return ev->type;
}

/* The answer to our request, but unusable: it ends the request all the
 * same, since the guest answers only once. */
static int bad_answer(const struct ic *ic, struct ic_event *ev, const char *reason)
{
	if (ic->state == IC_FAILED)
		return negotiation_failed(ev, reason);
	return ic_ignore(ev, reason);
}

int ic_reply(struct ic *ic, const void *payload, size_t len, struct ic_event *ev)
{
	/* One copy: the payload may still be in memory the guest can write. */
	uint8_t msg[IC_REQUEST_MAX];
	const struct icmsg_hdr *hdr =
	    (const struct icmsg_hdr *)(msg + sizeof(struct vmbuspipe_hdr));
	const uint8_t *body = msg + ICMSG_HDR;
	uint16_t type, size;
	uint8_t transaction, flags;
	uint32_t status;

	memset(ev, 0, sizeof(*ev));
	if (ic->state != IC_NEGOTIATING && ic->state != IC_WAITING)
		return ic_ignore(ev, "no request outstanding");
	if (len < ICMSG_HDR)
		return ic_ignore(ev, "shorter than the IC header");
	if (len > sizeof(msg))
		return ic_ignore(ev, "longer than any request");
	memcpy(msg, payload, len);
	type = hdr->icmsgtype;
	size = hdr->icmsgsize;
	status = hdr->status;
	transaction = hdr->ictransaction_id;
	flags = hdr->icflags;

	if (type != ic->req_type)
		return ic_ignore(ev, "not the type of the outstanding request");
	if (transaction != (uint8_t)ic->trans_id)
		return ic_ignore(ev, "stale transaction");
	if (flags != (ICMSGHDRFLAG_TRANSACTION | ICMSGHDRFLAG_RESPONSE))
		return ic_ignore(ev, "not a response");

	/* The answer: it ends the request. A NEGOTIATE has failed unless its
	 * answer proves good. */
	ic->state = ic->state == IC_NEGOTIATING ? IC_FAILED : IC_READY;
	ev->status = status;
	if (len != ic->req_len)
		return bad_answer(ic, ev, "length differs from the request's");
	if (size > len - ICMSG_HDR)
		return bad_answer(ic, ev, "body size beyond the packet");

	switch (type) {
	case ICMSGTYPE_NEGOTIATE:
		return negotiate_reply(ic, body, size, status, ev);
	case ICMSGTYPE_HEARTBEAT:
		return ic_heartbeat_reply(ic, body, size, status, ev);
	case ICMSGTYPE_SHUTDOWN:
		return ic_shutdown_reply(status, ev);
	case ICMSGTYPE_TIMESYNC:
		return ic_timesync_reply(ev);
	default:
		return ic_kvp_reply(ic, body, size, status, ev);
	}
}
