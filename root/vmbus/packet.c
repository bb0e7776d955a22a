/* VMBus packets, host side: see packet.h. */
#include "packet.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#define DESC_SIZE	((uint32_t)sizeof(struct vmpacket_descriptor))

/* Pages a range touches: pitfall 3, the PFN count follows from offset and
 * count, never from what the sender says elsewhere. */
static uint32_t gpa_range_pfns(const struct gpa_range *g)
{
	return (uint32_t)(((uint64_t)g->byte_offset + g->byte_count + GM_PAGE_SIZE - 1) >>
			  GM_PAGE_SHIFT);
}

static bool range_cnt_ok(uint32_t cnt)
{
	return cnt && cnt <= VMBUS_PKT_MAX_RANGES;
}

/* ext: the ext_len bytes between the descriptor and the payload. */
static int parse_gpa_direct(struct vmbus_pkt *p, const uint8_t *ext, uint32_t ext_len)
{
	const struct vmpacket_gpa_direct_header *h = (const void *)ext;
	uint32_t at = sizeof(*h);

	if (ext_len < sizeof(*h) || !range_cnt_ok(h->range_cnt))
		return -EBADMSG;
	for (uint32_t i = 0; i < h->range_cnt; i++) {
		const struct gpa_range *g = (const void *)(ext + at);

		if (ext_len - at < sizeof(*g))
			return -EBADMSG;
		if (!g->byte_count || g->byte_offset >= GM_PAGE_SIZE)
			return -EBADMSG;
		p->bytes += g->byte_count;
		if (p->bytes > VMBUS_PKT_MAX_BYTES)
			return -EBADMSG;
		at += sizeof(*g);
		if (gpa_range_pfns(g) > (ext_len - at) / sizeof(g->pfn_array[0]))
			return -EBADMSG;
		at += gpa_range_pfns(g) * sizeof(g->pfn_array[0]);
	}
	p->range_cnt = h->range_cnt;
	p->ranges = ext + sizeof(*h);
	return 0;
}

static int parse_xfer_pages(struct vmbus_pkt *p, const uint8_t *ext, uint32_t ext_len)
{
	const struct vmtransfer_page_header *h = (const void *)ext;
	const struct vmtransfer_page_range *range = (const void *)(h + 1);

	if (ext_len < sizeof(*h) || !range_cnt_ok(h->range_cnt) ||
	    h->range_cnt > (ext_len - sizeof(*h)) / sizeof(*range))
		return -EBADMSG;
	for (uint32_t i = 0; i < h->range_cnt; i++) {
		if (!range[i].byte_count)
			return -EBADMSG;
		p->bytes += range[i].byte_count;
		if (p->bytes > VMBUS_PKT_MAX_BYTES)
			return -EBADMSG;
	}
	p->range_cnt = h->range_cnt;
	p->ranges = range;
	p->xfer_pageset_id = h->xfer_pageset_id;
	p->sender_owns_set = h->sender_owns_set;
	return 0;
}

int vmbus_pkt_parse(struct vmbus_pkt *p, const void *buf, uint32_t len)
{
	const struct vmpacket_descriptor *d = buf;
	const uint8_t *b = buf;
	uint32_t off, end;

	memset(p, 0, sizeof(*p));
	if ((uintptr_t)buf & 7)
		return -EINVAL;
	if (len < DESC_SIZE)
		return -EBADMSG;
	off = d->offset8 * 8u;
	end = d->len8 * 8u;
	if (d->offset8 < 2 || d->len8 < d->offset8 || end > len)
		return -EBADMSG;
	/* OpenVMM rejects unknown flags too; Linux sends no others. */
	if (d->flags & ~VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED)
		return -EBADMSG;
	p->type = d->type;
	p->flags = d->flags;
	p->trans_id = d->trans_id;
	p->payload = b + off;
	p->payload_len = end - off;
	switch (d->type) {
	case VM_PKT_DATA_INBAND:
	case VM_PKT_COMP:
		return 0;
	case VM_PKT_DATA_USING_GPA_DIRECT:
		return parse_gpa_direct(p, b + DESC_SIZE, off - DESC_SIZE);
	case VM_PKT_DATA_USING_XFER_PAGES:
		return parse_xfer_pages(p, b + DESC_SIZE, off - DESC_SIZE);
	default:
		return -EBADMSG;
	}
}

/* Appends [host, host + len) to iov[0..*n), extending the last iovec when
 * the two meet in host memory. */
static int iov_add(struct iovec *iov, unsigned int max, unsigned int *n, uint8_t *host,
		   uint32_t len)
{
	if (*n && (uint8_t *)iov[*n - 1].iov_base + iov[*n - 1].iov_len == host) {
		iov[*n - 1].iov_len += len;
		return 0;
	}
	if (*n == max)
		return -E2BIG;
	iov[*n].iov_base = host;
	iov[*n].iov_len = len;
	(*n)++;
	return 0;
}

int vmbus_pkt_gpa_iov(const struct vmbus_pkt *p, const struct guest_mem *m, struct iovec *iov,
		      unsigned int max)
{
	const uint8_t *at = p->ranges;
	unsigned int n = 0;

	if (p->type != VM_PKT_DATA_USING_GPA_DIRECT)
		return -EINVAL;
	for (uint32_t i = 0; i < p->range_cnt; i++) {
		const struct gpa_range *g = (const void *)at;
		uint32_t off = g->byte_offset, left = g->byte_count;

		for (uint32_t k = 0; left; k++) {
			uint32_t chunk = GM_PAGE_SIZE - off < left ? GM_PAGE_SIZE - off : left;
			uint8_t *page = gm_page(m, g->pfn_array[k]);

			if (!page)
				return -EFAULT;
			if (iov_add(iov, max, &n, page + off, chunk))
				return -E2BIG;
			left -= chunk;
			off = 0;
		}
		at += sizeof(*g) + gpa_range_pfns(g) * sizeof(g->pfn_array[0]);
	}
	return (int)n;
}

int vmbus_pkt_init_desc(struct vmpacket_descriptor *d, uint16_t type, uint16_t flags,
			uint64_t trans_id, uint32_t len)
{
	uint64_t len8 = (DESC_SIZE + (uint64_t)len + 7) / 8;

	if (type != VM_PKT_DATA_INBAND && type != VM_PKT_COMP)
		return -EINVAL;
	if ((flags & ~VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED) || len8 > UINT16_MAX)
		return -EINVAL;
	d->type = type;
	d->offset8 = DESC_SIZE / 8;
	d->len8 = (uint16_t)len8;
	d->flags = flags;
	d->trans_id = trans_id;
	return 0;
}
