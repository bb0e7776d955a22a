/* Parser of guest -> host VMBus channel messages; see channel_msg.h. */
#include "channel_msg.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

/* What a guest may send, and the least Linux sends of each (its
 * sizeof of the message; for GPADL messages the fixed part plus one
 * word: a range descriptor or a PFN). */
static const uint16_t guest_min_size[CHANNELMSG_COUNT] = {
    [CHANNELMSG_REQUESTOFFERS] = sizeof(struct vmbus_channel_message_header),
    [CHANNELMSG_OPENCHANNEL] = sizeof(struct vmbus_channel_open_channel),
    [CHANNELMSG_CLOSECHANNEL] = sizeof(struct vmbus_channel_close_channel),
    [CHANNELMSG_GPADL_HEADER] = sizeof(struct vmbus_channel_gpadl_header) + 8,
    [CHANNELMSG_GPADL_BODY] = sizeof(struct vmbus_channel_gpadl_body) + 8,
    [CHANNELMSG_GPADL_TEARDOWN] = sizeof(struct vmbus_channel_gpadl_teardown),
    [CHANNELMSG_RELID_RELEASED] = sizeof(struct vmbus_channel_relid_released),
    [CHANNELMSG_INITIATE_CONTACT] = sizeof(struct vmbus_channel_initiate_contact),
    [CHANNELMSG_UNLOAD] = sizeof(struct vmbus_channel_message_header),
    [CHANNELMSG_MODIFYCHANNEL] = sizeof(struct vmbus_channel_modifychannel),
};

static const char *const names[CHANNELMSG_COUNT] = {
    [CHANNELMSG_INVALID] = "INVALID",
    [CHANNELMSG_OFFERCHANNEL] = "OFFERCHANNEL",
    [CHANNELMSG_RESCIND_CHANNELOFFER] = "RESCIND_CHANNELOFFER",
    [CHANNELMSG_REQUESTOFFERS] = "REQUESTOFFERS",
    [CHANNELMSG_ALLOFFERS_DELIVERED] = "ALLOFFERS_DELIVERED",
    [CHANNELMSG_OPENCHANNEL] = "OPENCHANNEL",
    [CHANNELMSG_OPENCHANNEL_RESULT] = "OPENCHANNEL_RESULT",
    [CHANNELMSG_CLOSECHANNEL] = "CLOSECHANNEL",
    [CHANNELMSG_GPADL_HEADER] = "GPADL_HEADER",
    [CHANNELMSG_GPADL_BODY] = "GPADL_BODY",
    [CHANNELMSG_GPADL_CREATED] = "GPADL_CREATED",
    [CHANNELMSG_GPADL_TEARDOWN] = "GPADL_TEARDOWN",
    [CHANNELMSG_GPADL_TORNDOWN] = "GPADL_TORNDOWN",
    [CHANNELMSG_RELID_RELEASED] = "RELID_RELEASED",
    [CHANNELMSG_INITIATE_CONTACT] = "INITIATE_CONTACT",
    [CHANNELMSG_VERSION_RESPONSE] = "VERSION_RESPONSE",
    [CHANNELMSG_UNLOAD] = "UNLOAD",
    [CHANNELMSG_UNLOAD_RESPONSE] = "UNLOAD_RESPONSE",
    [CHANNELMSG_TL_CONNECT_REQUEST] = "TL_CONNECT_REQUEST",
    [CHANNELMSG_MODIFYCHANNEL] = "MODIFYCHANNEL",
    [CHANNELMSG_TL_CONNECT_RESULT] = "TL_CONNECT_RESULT",
    [CHANNELMSG_MODIFYCHANNEL_RESPONSE] = "MODIFYCHANNEL_RESPONSE",
};

const char *vmbus_channel_msg_name(uint32_t type)
{
	if (type >= CHANNELMSG_COUNT || !names[type])
		return "unknown";
	return names[type];
}

int vmbus_gpadl_ranges_check(const uint64_t *words, uint32_t n_seen, uint32_t n_total,
			     uint32_t rangecount)
{
	uint64_t at = 0;

	for (uint32_t r = 0; r < rangecount; r++) {
		uint32_t byte_count, byte_offset;
		uint64_t pages;

		if (at >= n_total)
			return -EBADMSG;
		if (at >= n_seen)
			return 0;
		/* struct vmbus_gpadl_range as one little-endian word. */
		byte_count = (uint32_t)words[at];
		byte_offset = (uint32_t)(words[at] >> 32);
		if (!byte_count || byte_offset >= 4096)
			return -EBADMSG;
		pages = vmbus_gpadl_range_pages(byte_count, byte_offset);
		if (pages > n_total - at - 1)
			return -EBADMSG;
		at += 1 + pages;
	}
	return at == n_total ? 0 : -EBADMSG;
}

/* The range area's first words, as many as the header declares and the
 * message carries. */
static int parse_gpadl_header(struct vmbus_channel_msg *m, const uint8_t *p, uint32_t size)
{
	const struct vmbus_channel_gpadl_header *h = &m->u.gpadl_header;
	uint32_t buflen = h->range_buflen, count = h->rangecount;
	uint32_t n_total = buflen / 8, n_carried;

	/* Each range is a descriptor and at least one PFN. */
	if (!count || buflen % 8 || n_total < 2 * count)
		return -EBADMSG;
	n_carried = (size - sizeof(*h)) / 8;
	m->n_words = n_carried < n_total ? n_carried : n_total;
	memcpy(m->words, p + sizeof(*h), m->n_words * 8);
	return vmbus_gpadl_ranges_check(m->words, m->n_words, n_total, count);
}

int vmbus_channel_msg_parse(const void *payload, uint32_t size, struct vmbus_channel_msg *m)
{
	const uint8_t *p = payload;
	struct vmbus_channel_message_header hdr;
	size_t fixed;

	memset(m, 0, sizeof(*m));
	if (size > VMBUS_MSG_PAYLOAD_MAX)
		return -EMSGSIZE;
	if (size < sizeof(hdr))
		return -EBADMSG;
	memcpy(&hdr, p, sizeof(hdr));
	if (hdr.msgtype >= CHANNELMSG_COUNT || !guest_min_size[hdr.msgtype])
		return -ENOMSG;
	if (size < guest_min_size[hdr.msgtype])
		return -EBADMSG;

	m->type = hdr.msgtype;
	switch (m->type) {
	case CHANNELMSG_GPADL_HEADER:
		memcpy(&m->u, p, sizeof(m->u.gpadl_header));
		return parse_gpadl_header(m, p, size);
	case CHANNELMSG_GPADL_BODY:
		fixed = sizeof(m->u.gpadl_body);
		memcpy(&m->u, p, fixed);
		m->n_words = (size - fixed) / 8;
		memcpy(m->words, p + fixed, m->n_words * 8);
		return 0;
	default:
		/* The minimum is the whole message: copy exactly that. */
		memcpy(&m->u, p, guest_min_size[m->type]);
		return 0;
	}
}
