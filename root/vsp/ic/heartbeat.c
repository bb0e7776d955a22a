/*
 * Heartbeat IC: the host sends a sequence number, the guest returns it plus
 * one (Linux hv_util.c heartbeat_onchannelcallback). The next heartbeat
 * carries what the guest returned, so the number keeps climbing.
 */
#include "ic.h"

size_t ic_heartbeat(struct ic *ic, void *buf, size_t cap)
{
	struct heartbeat_msg_data *hb;
	size_t len = ic_request(ic, ICMSGTYPE_HEARTBEAT, sizeof(*hb), buf, cap);

	if (!len)
		return 0;
	hb = (struct heartbeat_msg_data *)((uint8_t *)buf + ICMSG_HDR);
	hb->seq_num = ic->heartbeat_seq;
	return len;
}

int ic_heartbeat_reply(struct ic *ic, const uint8_t *body, size_t size, uint32_t status,
		       struct ic_event *ev)
{
	const struct heartbeat_msg_data *hb = (const struct heartbeat_msg_data *)body;
	uint64_t seq;

	/* The guest needs only seq_num (hv_util.c), so that is all we need. */
	if (size < sizeof(hb->seq_num))
		return ic_ignore(ev, "heartbeat body too short");
	if (status != HV_S_OK)
		return ic_ignore(ev, "the guest failed the heartbeat");
	seq = hb->seq_num;
	if (seq != ic->heartbeat_seq + 1)
		return ic_ignore(ev, "heartbeat sequence is not ours plus one");

	ic->heartbeat_seq = seq;
	ev->heartbeat_seq = seq;
	ev->type = IC_EV_HEARTBEAT;
	return ev->type;
}
