/* libFuzzer target for the VMBus channel message parser. The input is one
 * guest payload, handed over at its own size and at a few others (the
 * transport size is the guest's too). After each parse it checks what the
 * server relies on: a message is accepted only as a type the guest may
 * send and at no less than the size Linux sends; the view is a copy; a
 * GPADL_HEADER's words never exceed what the message carries nor what
 * range_buflen declares, and the ranges it shows are consistent; a body's
 * PFN count is what the message carries; and nothing over 240 bytes
 * passes. */
#include <assert.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "channel_msg.h"

static void check(const uint8_t *data, uint32_t size)
{
	static const uint32_t min_size[CHANNELMSG_COUNT] = {
	    [CHANNELMSG_REQUESTOFFERS] = 8,   [CHANNELMSG_OPENCHANNEL] = 148,
	    [CHANNELMSG_CLOSECHANNEL] = 12,   [CHANNELMSG_GPADL_HEADER] = 28,
	    [CHANNELMSG_GPADL_BODY] = 24,     [CHANNELMSG_GPADL_TEARDOWN] = 16,
	    [CHANNELMSG_RELID_RELEASED] = 12, [CHANNELMSG_INITIATE_CONTACT] = 40,
	    [CHANNELMSG_UNLOAD] = 8,	      [CHANNELMSG_MODIFYCHANNEL] = 16,
	};
	struct vmbus_channel_msg m;
	uint32_t type = 0;
	int rc = vmbus_channel_msg_parse(data, size, &m);

	if (size >= 4)
		memcpy(&type, data, 4);
	if (size > VMBUS_MSG_PAYLOAD_MAX) {
		assert(rc == -EMSGSIZE);
		return;
	}
	if (size < 8) {
		assert(rc == -EBADMSG);
		return;
	}
	if (type >= CHANNELMSG_COUNT || !min_size[type]) {
		assert(rc == -ENOMSG);
		return;
	}
	if (size < min_size[type]) {
		assert(rc == -EBADMSG);
		return;
	}
	if (rc) {
		/* Only GPADL counts can be wrong at a good size. */
		assert(rc == -EBADMSG && type == CHANNELMSG_GPADL_HEADER);
		return;
	}
	assert(m.type == type);
	assert(m.n_words <= VMBUS_GPADL_BODY_MAX_WORDS);
	switch (type) {
	case CHANNELMSG_GPADL_HEADER: {
		const struct vmbus_channel_gpadl_header *h = &m.u.gpadl_header;
		uint32_t total = h->range_buflen / 8;

		assert(!memcmp(h, data, sizeof(*h)));
		assert(h->rangecount && h->range_buflen % 8 == 0 && total >= 2u * h->rangecount);
		assert(m.n_words <= total && m.n_words <= (size - sizeof(*h)) / 8);
		assert(m.n_words == total || m.n_words == (size - sizeof(*h)) / 8);
		assert(!memcmp(m.words, data + sizeof(*h), m.n_words * 8));
		assert(!vmbus_gpadl_ranges_check(m.words, m.n_words, total, h->rangecount));
		break;
	}
	case CHANNELMSG_GPADL_BODY:
		assert(m.n_words == (size - 16) / 8);
		assert(!memcmp(&m.u, data, 16));
		assert(!memcmp(m.words, data + 16, m.n_words * 8));
		break;
	default:
		assert(m.n_words == 0);
		assert(!memcmp(&m.u, data, min_size[type]));
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t buf[VMBUS_MSG_PAYLOAD_MAX];
	uint32_t n = size < 0x10000 ? (uint32_t)size : 0x10000;

	/* libFuzzer's buffer is exactly size bytes: ASan sees any overread. */
	check(data, n);
	if (n > 8)
		check(data, n - 1 - data[n - 1] % 8);
	/* The same bytes padded to 240 (pitfall 11). */
	if (n < VMBUS_MSG_PAYLOAD_MAX) {
		memcpy(buf, data, n);
		memset(buf + n, 0xFF, VMBUS_MSG_PAYLOAD_MAX - n);
		check(buf, VMBUS_MSG_PAYLOAD_MAX);
	}
	return 0;
}
