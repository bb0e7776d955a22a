/*
 * Timesync IC: host time in 100 ns units since 1601. From version 4.0 the
 * message also carries the partition reference time at sampling, and the
 * guest ages the sample by it (Linux hv_util.c timesync_onchannelcallback,
 * which picks the layout by the negotiated version).
 */
#include "ic.h"

size_t ic_timesync(struct ic *ic, uint64_t unix_time_ns, uint64_t reference_time_100ns, bool sync,
		   void *buf, size_t cap)
{
	uint64_t parenttime = unix_time_ns / 100 + WLTIMEDELTA;
	uint8_t flags = sync ? ICTIMESYNCFLAG_SYNC : ICTIMESYNCFLAG_SAMPLE;
	bool ref = ic->srv_major >= 4;
	size_t len = ic_request(
	    ic, ICMSGTYPE_TIMESYNC,
	    ref ? sizeof(struct ictimesync_ref_data) : sizeof(struct ictimesync_data), buf, cap);
	uint8_t *body;

	if (!len)
		return 0;
	body = (uint8_t *)buf + ICMSG_HDR;
	if (ref) {
		struct ictimesync_ref_data *t = (struct ictimesync_ref_data *)body;

		t->parenttime = parenttime;
		t->vmreferencetime = reference_time_100ns;
		t->flags = flags;
	} else {
		struct ictimesync_data *t = (struct ictimesync_data *)body;

		t->parenttime = parenttime;
		t->flags = flags;
	}
	return len;
}

/* Linux leaves the status as sent; it is in ev->status all the same. */
int ic_timesync_reply(struct ic_event *ev)
{
	ev->type = IC_EV_TIMESYNC_ACK;
	return ev->type;
}
