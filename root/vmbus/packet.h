/*
 * VMBus packets, host side: parsing a packet read from a ring
 * (vmbus_ring_read copies it, descriptor included, into a host buffer), the
 * GPA ranges of a GPA-direct packet as host iovecs, and the descriptor of
 * the host's own in-band and completion packets (VMBUS.md 3.2, pitfalls 3
 * and 11; Linux include/linux/hyperv.h).
 *
 * The packet is the guest's: every count and offset in it is checked
 * against the packet's own length before use, and every PFN against guest
 * RAM.
 */
#ifndef SEPTUM_VMBUS_PACKET_H
#define SEPTUM_VMBUS_PACKET_H

#include <stdint.h>
#include <sys/uio.h>

#include "hv/vmbus_ring.h"
#include "guest_mem.h"

#define VMBUS_PKT_MAX_RANGES	256u		/* per GPA-direct or transfer-page packet */
#define VMBUS_PKT_MAX_BYTES	(16u << 20)	/* described by one packet */

struct vmbus_pkt {
	uint16_t type;		/* VM_PKT_* */
	uint16_t flags;		/* 0 or VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED */
	uint64_t trans_id;
	const uint8_t *payload;	/* offset8 * 8 .. len8 * 8, inside the caller's buffer */
	uint32_t payload_len;
	/* VM_PKT_DATA_USING_GPA_DIRECT: range_cnt struct gpa_range, each with
	 * its PFNs, at ranges; bytes is the sum of their byte_count. */
	/* VM_PKT_DATA_USING_XFER_PAGES: range_cnt struct
	 * vmtransfer_page_range at ranges, into page set xfer_pageset_id. */
	uint32_t range_cnt;
	const void *ranges;
	uint64_t bytes;
	uint16_t xfer_pageset_id;
	uint8_t sender_owns_set;
};

/*
 * Parses the packet in buf (len bytes, 8-byte aligned). Rejects: an
 * unknown type; flags other than COMPLETION_REQUESTED; offset8 < 2,
 * len8 < offset8 or len8 * 8 > len; for GPA direct or transfer pages, a
 * header or range list that does not fit between the descriptor and
 * offset8 * 8, range_cnt 0 or above VMBUS_PKT_MAX_RANGES, a byte_count of
 * 0, more than VMBUS_PKT_MAX_BYTES in all, and (GPA direct) a byte_offset
 * of 4096 or more.
 * Return values: 0 and *p filled in; -EINVAL buf unaligned; -EBADMSG.
 */
int vmbus_pkt_parse(struct vmbus_pkt *p, const void *buf, uint32_t len);

/*
 * The guest memory a parsed GPA-direct packet describes, range after range,
 * as at most max iovecs; pages adjacent in host memory share one.
 * Return values: the number of iovecs used; -EFAULT a PFN outside guest
 * RAM; -E2BIG more than max needed; -EINVAL not a GPA-direct packet.
 */
int vmbus_pkt_gpa_iov(const struct vmbus_pkt *p, const struct guest_mem *m, struct iovec *iov,
		      unsigned int max);

/*
 * Fills the descriptor of a host packet of type VM_PKT_DATA_INBAND or
 * VM_PKT_COMP with len payload bytes right after it (offset8 2).
 * Return values: 0; -EINVAL another type, unknown flags, or len too long
 * for len8.
 */
int vmbus_pkt_init_desc(struct vmpacket_descriptor *d, uint16_t type, uint16_t flags,
			uint64_t trans_id, uint32_t len);

#endif
