/* VMBus ring buffers and the packets they carry (Linux include/linux/hyperv.h
 * and drivers/hv/ring_buffer.c): the header page in front of each ring's
 * data area, the packet descriptor, the GPA-direct and transfer-page
 * extensions that follow it, and the trailer after each packet.
 *
 * A packet in the data area: descriptor | extension | payload | pad to 8 |
 * trailer. offset8 and len8 count 8-byte units from the descriptor's start;
 * the trailer is not counted in len8. Indices and offsets are byte offsets
 * into the data area, which starts at the page after the header. */
#ifndef HV_VMBUS_RING_H
#define HV_VMBUS_RING_H

#include "hv/types.h"

#define HV_RING_HEADER_SIZE	4096u

/* feature_bits: the owner of this header sets pending_send_sz when it is
 * blocked, and honours the other side's pending_send_sz. Linux sets it in
 * both headers; the host ORs it in too. */
#define HV_RING_FEAT_PENDING_SEND_SZ	0x1u

struct hv_ring_buffer {
	u32 write_index;	/* producer's: where the next packet goes */
	u32 read_index;		/* consumer's: where the next packet starts */
	u32 interrupt_mask;	/* consumer: 1 while draining, "don't signal me" */
	u32 pending_send_sz;	/* blocked producer: "signal me when free > this" */
	u32 reserved1[12];
	u32 feature_bits;
	u8 reserved2[HV_RING_HEADER_SIZE - 68];
};
HV_ASSERT_SIZE(hv_ring_buffer, HV_RING_HEADER_SIZE);
HV_ASSERT_OFFSET(hv_ring_buffer, write_index, 0);
HV_ASSERT_OFFSET(hv_ring_buffer, read_index, 4);
HV_ASSERT_OFFSET(hv_ring_buffer, interrupt_mask, 8);
HV_ASSERT_OFFSET(hv_ring_buffer, pending_send_sz, 12);
HV_ASSERT_OFFSET(hv_ring_buffer, feature_bits, 64);

/* Packet types (Linux enum vmbus_packet_type); others are not used. */
#define VM_PKT_DATA_INBAND		0x6
#define VM_PKT_DATA_USING_XFER_PAGES	0x7
#define VM_PKT_DATA_USING_GPA_DIRECT	0x9
#define VM_PKT_COMP			0xB

#define VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED	0x1

struct vmpacket_descriptor {
	u16 type;
	u16 offset8;	/* payload start, 8-byte units, >= 2 */
	u16 len8;	/* packet length without the trailer, 8-byte units */
	u16 flags;
	u64 trans_id;	/* a completion echoes the request's */
};
HV_ASSERT_SIZE(vmpacket_descriptor, 16);
HV_ASSERT_OFFSET(vmpacket_descriptor, type, 0);
HV_ASSERT_OFFSET(vmpacket_descriptor, offset8, 2);
HV_ASSERT_OFFSET(vmpacket_descriptor, len8, 4);
HV_ASSERT_OFFSET(vmpacket_descriptor, flags, 6);
HV_ASSERT_OFFSET(vmpacket_descriptor, trans_id, 8);

/* GPA_DIRECT: after the descriptor, this header and range_cnt ranges, each
 * followed by ceil((byte_offset + byte_count) / 4096) PFNs. storvsc sends
 * one range with many PFNs, netvsc one PFN per range (Linux
 * vmbus_packet_mpb_array, vmbus_channel_packet_page_buffer). */
struct vmpacket_gpa_direct_header {
	u32 reserved;	/* may hold garbage */
	u32 range_cnt;
};
HV_ASSERT_SIZE(vmpacket_gpa_direct_header, 8);
HV_ASSERT_OFFSET(vmpacket_gpa_direct_header, reserved, 0);
HV_ASSERT_OFFSET(vmpacket_gpa_direct_header, range_cnt, 4);

struct gpa_range {
	u32 byte_count;
	u32 byte_offset;	/* into the first page, < 4096 */
	u64 pfn_array[];
};
HV_ASSERT_SIZE(gpa_range, 8);
HV_ASSERT_OFFSET(gpa_range, byte_count, 0);
HV_ASSERT_OFFSET(gpa_range, byte_offset, 4);
HV_ASSERT_OFFSET(gpa_range, pfn_array, 8);

/* XFER_PAGES: after the descriptor, this header and range_cnt ranges into
 * a transfer page set (a GPADL named by pageset_id; Linux
 * vmtransfer_page_packet_header). */
struct vmtransfer_page_header {
	u16 xfer_pageset_id;
	u8 sender_owns_set;
	u8 reserved;	/* may hold garbage */
	u32 range_cnt;
};
HV_ASSERT_SIZE(vmtransfer_page_header, 8);
HV_ASSERT_OFFSET(vmtransfer_page_header, xfer_pageset_id, 0);
HV_ASSERT_OFFSET(vmtransfer_page_header, sender_owns_set, 2);
HV_ASSERT_OFFSET(vmtransfer_page_header, reserved, 3);
HV_ASSERT_OFFSET(vmtransfer_page_header, range_cnt, 4);

struct vmtransfer_page_range {
	u32 byte_count;
	u32 byte_offset;	/* into the page set */
};
HV_ASSERT_SIZE(vmtransfer_page_range, 8);
HV_ASSERT_OFFSET(vmtransfer_page_range, byte_count, 0);
HV_ASSERT_OFFSET(vmtransfer_page_range, byte_offset, 4);

/* After every packet: the u64 (start offset << 32), i.e. 0 then the
 * packet's offset in the data area. Readers do not depend on it. */
struct vmpacket_trailer {
	u32 reserved;
	u32 start_offset;
};
HV_ASSERT_SIZE(vmpacket_trailer, 8);
HV_ASSERT_OFFSET(vmpacket_trailer, reserved, 0);
HV_ASSERT_OFFSET(vmpacket_trailer, start_offset, 4);

#endif
