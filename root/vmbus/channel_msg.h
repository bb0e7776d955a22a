/*
 * The parser of guest -> host VMBus channel messages (include/hv/vmbus.h):
 * the payload of one HvPostMessage goes in, a checked copy comes out, so
 * the server reads every guest byte once and only through a typed view.
 *
 * It accepts the messages a guest may send (INITIATE_CONTACT,
 * REQUESTOFFERS, OPENCHANNEL, CLOSECHANNEL, GPADL_HEADER, GPADL_BODY,
 * GPADL_TEARDOWN, RELID_RELEASED, UNLOAD, MODIFYCHANNEL) at no less than
 * the size Linux sends. Longer payloads are fine: some senders pad to 240
 * bytes, so a GPADL message's useful length comes from its declared counts
 * (range_buflen), never from the transport size (VMBUS.md pitfall 11).
 * What the parser cannot see - GPADL ranges continued in later bodies,
 * whether a relid or a gpadl id exists - is for gpadl.c and server.c.
 */
#ifndef SEPTUM_VMBUS_CHANNEL_MSG_H
#define SEPTUM_VMBUS_CHANNEL_MSG_H

#include <stdint.h>

#include "hv/vmbus.h"

struct vmbus_channel_msg {
	uint32_t type; /* CHANNELMSG_* */
	union {
		struct vmbus_channel_message_header header;
		struct vmbus_channel_initiate_contact initiate_contact;
		struct vmbus_channel_open_channel open_channel;
		struct vmbus_channel_close_channel close_channel;
		struct vmbus_channel_gpadl_header gpadl_header;
		struct vmbus_channel_gpadl_body gpadl_body;
		struct vmbus_channel_gpadl_teardown gpadl_teardown;
		struct vmbus_channel_relid_released relid_released;
		struct vmbus_channel_modifychannel modifychannel;
	} u;
	/* GPADL_HEADER: the first n_words u64 of its range area (no more than
	 * range_buflen / 8); GPADL_BODY: its PFNs. Zero for other types. */
	uint32_t n_words;
	uint64_t words[VMBUS_GPADL_BODY_MAX_WORDS];
};

/*
 * Parses payload[0, size) into m.
 * Return values: 0; -EMSGSIZE size over VMBUS_MSG_PAYLOAD_MAX; -ENOMSG a
 * type the guest may not send (unknown, host -> guest, hv_sock's
 * TL_CONNECT_REQUEST); -EBADMSG shorter than its type's minimum, or GPADL
 * counts that contradict each other or the ranges the header carries.
 */
int vmbus_channel_msg_parse(const void *payload, uint32_t size, struct vmbus_channel_msg *m);

/*
 * Checks a GPADL range area of n_total u64 words holding rangecount ranges
 * (struct vmbus_gpadl_range, then its PFNs), of which the first n_seen are
 * known. Every range must start inside what is declared, have
 * byte_count > 0 and byte_offset < 4096, and its PFNs must fit n_total;
 * once all n_total words are seen, the ranges must fill them exactly.
 * Return values: 0, or -EBADMSG.
 */
int vmbus_gpadl_ranges_check(const uint64_t *words, uint32_t n_seen, uint32_t n_total,
			     uint32_t rangecount);

/* "GPADL_HEADER" for logs; "type N" strings are not kept, so unknown
 * types give "unknown". */
const char *vmbus_channel_msg_name(uint32_t type);

#endif
