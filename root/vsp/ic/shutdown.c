/*
 * Shutdown IC: one request to power off or restart. Linux answers S_OK and
 * then does it (orderly_poweroff / orderly_reboot), or E_FAIL for flags it
 * does not know (hv_util.c shutdown_onchannelcallback).
 */
#include "ic.h"

size_t ic_shutdown(struct ic *ic, bool reboot, bool force, void *buf, size_t cap)
{
	struct shutdown_msg_data *sd;
	/* The whole message, display text included: Linux drops a shorter one. */
	size_t len = ic_request(ic, ICMSGTYPE_SHUTDOWN, sizeof(*sd), buf, cap);

	if (!len)
		return 0;
	sd = (struct shutdown_msg_data *)((uint8_t *)buf + ICMSG_HDR);
	/* Linux reads only the flags; a Windows guest would log the reason. */
	sd->reason_code = SHTDN_REASON_FLAG_PLANNED;
	sd->flags = (reboot ? SHUTDOWN_FLAG_RESTART : 0) | (force ? SHUTDOWN_FLAG_FORCE : 0);
	return len;
}

int ic_shutdown_reply(uint32_t status, struct ic_event *ev)
{
	ev->shutdown_accepted = status == HV_S_OK;
	ev->type = IC_EV_SHUTDOWN;
	return ev->type;
}
