/*
 * VMBus channel management messages: the protocol the guest's hv_vmbus and
 * the host's VMBus server speak over SynIC messages (SINT 2) to negotiate
 * a version, offer channels, describe guest memory (GPADLs) and open and
 * close channels. Names and layouts are Linux's (include/linux/hyperv.h,
 * drivers/hv/hyperv_vmbus.h); every message starts with an 8-byte header
 * and all offsets below include it. Everything is packed and little-endian.
 */
#ifndef HV_VMBUS_H
#define HV_VMBUS_H

#include "hv/types.h"

#define VMBUS_PACKED __attribute__((packed))

/* Versions, major << 16 | minor (Linux vmbus_versions[]). */
#define VMBUS_VERSION_WIN8		0x00020004	/* 2.4 */
#define VMBUS_VERSION_WIN8_1		0x00030000	/* 3.0 */
#define VMBUS_VERSION_WIN10		0x00040000	/* 4.0 */
#define VMBUS_VERSION_WIN10_V4_1	0x00040001	/* 4.1: MODIFYCHANNEL */
#define VMBUS_VERSION_WIN10_V5		0x00050000	/* 5.0: INITIATE_CONTACT on id 4 */
#define VMBUS_VERSION_WIN10_V5_1	0x00050001
#define VMBUS_VERSION_WIN10_V5_2	0x00050002
#define VMBUS_VERSION_WIN10_V5_3	0x00050003	/* 5.3: MODIFYCHANNEL_RESPONSE */

/* HvPostMessage connection ids and the SINT host messages arrive on. */
#define VMBUS_MESSAGE_CONNECTION_ID	1
#define VMBUS_MESSAGE_CONNECTION_ID_4	4	/* INITIATE_CONTACT, versions >= 5.0 */
#define VMBUS_MESSAGE_SINT		2

/* A channel message fills at most the SynIC payload (HV_MESSAGE_PAYLOAD). */
#define VMBUS_MSG_PAYLOAD_MAX		240

/* child_relid: the guest keeps an array of 2048 channels, relid 0 unused. */
#define VMBUS_MAX_RELID			2047

/* Status words in OPENCHANNEL_RESULT, GPADL_CREATED and
 * MODIFYCHANNEL_RESPONSE: Linux only tests for non-zero. */
#define VMBUS_STATUS_SUCCESS		0x00000000u
#define VMBUS_STATUS_UNSUCCESSFUL	0x8000FFFFu

#define CHANNELMSG_INVALID			0
#define CHANNELMSG_OFFERCHANNEL			1
#define CHANNELMSG_RESCIND_CHANNELOFFER		2
#define CHANNELMSG_REQUESTOFFERS		3
#define CHANNELMSG_ALLOFFERS_DELIVERED		4
#define CHANNELMSG_OPENCHANNEL			5
#define CHANNELMSG_OPENCHANNEL_RESULT		6
#define CHANNELMSG_CLOSECHANNEL			7
#define CHANNELMSG_GPADL_HEADER			8
#define CHANNELMSG_GPADL_BODY			9
#define CHANNELMSG_GPADL_CREATED		10
#define CHANNELMSG_GPADL_TEARDOWN		11
#define CHANNELMSG_GPADL_TORNDOWN		12
#define CHANNELMSG_RELID_RELEASED		13
#define CHANNELMSG_INITIATE_CONTACT		14
#define CHANNELMSG_VERSION_RESPONSE		15
#define CHANNELMSG_UNLOAD			16
#define CHANNELMSG_UNLOAD_RESPONSE		17
#define CHANNELMSG_TL_CONNECT_REQUEST		21
#define CHANNELMSG_MODIFYCHANNEL		22
#define CHANNELMSG_TL_CONNECT_RESULT		23
#define CHANNELMSG_MODIFYCHANNEL_RESPONSE	24
#define CHANNELMSG_COUNT			25

/* A GUID as Windows lays it out: data1-3 little-endian, then 8 bytes as
 * written. HV_GUID(0x12345678, 0x9abc, ...) is the GUID
 * 12345678-9abc-..., so on x86 the struct is already the wire form. */
struct hv_guid {
	u32 data1;
	u16 data2;
	u16 data3;
	u8 data4[8];
};
HV_ASSERT_SIZE(hv_guid, 16);
HV_ASSERT_OFFSET(hv_guid, data1, 0);
HV_ASSERT_OFFSET(hv_guid, data2, 4);
HV_ASSERT_OFFSET(hv_guid, data3, 6);
HV_ASSERT_OFFSET(hv_guid, data4, 8);

#define HV_GUID(a, b, c, d0, d1, d2, d3, d4, d5, d6, d7)                                         \
	((struct hv_guid){(a), (b), (c), {(d0), (d1), (d2), (d3), (d4), (d5), (d6), (d7)}})

/* Device classes (offer if_type) whose Linux drivers Septum serves. */
#define HV_GUID_SCSI                                                                               \
	HV_GUID(0xba6163d9, 0x04a1, 0x4d29, 0xb6, 0x05, 0x72, 0xe2, 0xff, 0xb1, 0xdc, 0x7f)
#define HV_GUID_NETWORK                                                                            \
	HV_GUID(0xf8615163, 0xdf3e, 0x46c5, 0x91, 0x3f, 0xf2, 0xd2, 0xf9, 0x65, 0xed, 0x0e)
#define HV_GUID_SHUTDOWN                                                                           \
	HV_GUID(0x0e0b6031, 0x5213, 0x4934, 0x81, 0x8b, 0x38, 0xd9, 0x0c, 0xed, 0x39, 0xdb)
#define HV_GUID_TIMESYNC                                                                           \
	HV_GUID(0x9527e630, 0xd0ae, 0x497b, 0xad, 0xce, 0xe8, 0x0a, 0xb0, 0x17, 0x5c, 0xaf)
#define HV_GUID_HEARTBEAT                                                                          \
	HV_GUID(0x57164f39, 0x9115, 0x4e78, 0xab, 0x55, 0x38, 0x2f, 0x3b, 0xd5, 0x42, 0x2d)
#define HV_GUID_KVP                                                                                \
	HV_GUID(0xa9a0f4e7, 0x5a45, 0x4d96, 0xb8, 0x27, 0x8a, 0x84, 0x1e, 0x8c, 0x03, 0xe6)

struct vmbus_channel_message_header {
	u32 msgtype;
	u32 padding;
} VMBUS_PACKED;
HV_ASSERT_SIZE(vmbus_channel_message_header, 8);
HV_ASSERT_OFFSET(vmbus_channel_message_header, msgtype, 0);
HV_ASSERT_OFFSET(vmbus_channel_message_header, padding, 4);

/* Offer chn_flags (only named-pipe mode matters to Linux drivers). */
#define VMBUS_CHANNEL_NAMED_PIPE_MODE	0x0010
/* u.pipe.pipe_mode */
#define VMBUS_PIPE_TYPE_BYTE		0x00000000
#define VMBUS_PIPE_TYPE_MESSAGE		0x00000004

#define VMBUS_MAX_USER_DEFINED_BYTES	120

struct vmbus_channel_offer {
	struct hv_guid if_type;
	struct hv_guid if_instance;
	u64 reserved1;
	u64 reserved2;
	u16 chn_flags;
	u16 mmio_megabytes;
	union {
		u8 user_def[VMBUS_MAX_USER_DEFINED_BYTES];
		struct {
			u32 pipe_mode;
			u8 user_def[VMBUS_MAX_USER_DEFINED_BYTES - 4];
		} VMBUS_PACKED pipe;
	} u;
	u16 sub_channel_index;
	u16 reserved3;
} VMBUS_PACKED;
HV_ASSERT_SIZE(vmbus_channel_offer, 176);
HV_ASSERT_OFFSET(vmbus_channel_offer, if_type, 0);
HV_ASSERT_OFFSET(vmbus_channel_offer, if_instance, 16);
HV_ASSERT_OFFSET(vmbus_channel_offer, reserved1, 32);
HV_ASSERT_OFFSET(vmbus_channel_offer, reserved2, 40);
HV_ASSERT_OFFSET(vmbus_channel_offer, chn_flags, 48);
HV_ASSERT_OFFSET(vmbus_channel_offer, mmio_megabytes, 50);
HV_ASSERT_OFFSET(vmbus_channel_offer, u, 52);
HV_ASSERT_OFFSET(vmbus_channel_offer, u.pipe.pipe_mode, 52);
HV_ASSERT_OFFSET(vmbus_channel_offer, u.pipe.user_def, 56);
HV_ASSERT_OFFSET(vmbus_channel_offer, sub_channel_index, 172);
HV_ASSERT_OFFSET(vmbus_channel_offer, reserved3, 174);

/* OFFERCHANNEL (host -> guest). monitor_allocated and
 * is_dedicated_interrupt are bit 0 of their fields. */
struct vmbus_channel_offer_channel {
	struct vmbus_channel_message_header header;
	struct vmbus_channel_offer offer;
	u32 child_relid;
	u8 monitorid;
	u8 monitor_allocated;
	u16 is_dedicated_interrupt;
	u32 connection_id;	/* the guest's HvSignalEvent target */
} VMBUS_PACKED;
HV_ASSERT_SIZE(vmbus_channel_offer_channel, 196);
HV_ASSERT_OFFSET(vmbus_channel_offer_channel, offer, 8);
HV_ASSERT_OFFSET(vmbus_channel_offer_channel, offer.if_type, 8);
HV_ASSERT_OFFSET(vmbus_channel_offer_channel, offer.if_instance, 24);
HV_ASSERT_OFFSET(vmbus_channel_offer_channel, offer.chn_flags, 56);
HV_ASSERT_OFFSET(vmbus_channel_offer_channel, offer.mmio_megabytes, 58);
HV_ASSERT_OFFSET(vmbus_channel_offer_channel, offer.u, 60);
HV_ASSERT_OFFSET(vmbus_channel_offer_channel, offer.sub_channel_index, 180);
HV_ASSERT_OFFSET(vmbus_channel_offer_channel, child_relid, 184);
HV_ASSERT_OFFSET(vmbus_channel_offer_channel, monitorid, 188);
HV_ASSERT_OFFSET(vmbus_channel_offer_channel, monitor_allocated, 189);
HV_ASSERT_OFFSET(vmbus_channel_offer_channel, is_dedicated_interrupt, 190);
HV_ASSERT_OFFSET(vmbus_channel_offer_channel, connection_id, 192);

/* RESCIND_CHANNELOFFER (host -> guest). */
struct vmbus_channel_rescind_offer {
	struct vmbus_channel_message_header header;
	u32 child_relid;
} VMBUS_PACKED;
HV_ASSERT_SIZE(vmbus_channel_rescind_offer, 12);
HV_ASSERT_OFFSET(vmbus_channel_rescind_offer, child_relid, 8);

/* REQUESTOFFERS (guest -> host), ALLOFFERS_DELIVERED, UNLOAD and
 * UNLOAD_RESPONSE are the bare header. */

/* OPENCHANNEL (guest -> host). The ring GPADL holds both rings: pages
 * [0, downstream_ringbuffer_pageoffset) the guest's outbound ring, the
 * rest its inbound ring; each starts with its header page. */
struct vmbus_channel_open_channel {
	struct vmbus_channel_message_header header;
	u32 child_relid;
	u32 openid;
	u32 ringbuffer_gpadlhandle;
	u32 target_vp;
	u32 downstream_ringbuffer_pageoffset;
	u8 userdata[VMBUS_MAX_USER_DEFINED_BYTES];
} VMBUS_PACKED;
HV_ASSERT_SIZE(vmbus_channel_open_channel, 148);
HV_ASSERT_OFFSET(vmbus_channel_open_channel, child_relid, 8);
HV_ASSERT_OFFSET(vmbus_channel_open_channel, openid, 12);
HV_ASSERT_OFFSET(vmbus_channel_open_channel, ringbuffer_gpadlhandle, 16);
HV_ASSERT_OFFSET(vmbus_channel_open_channel, target_vp, 20);
HV_ASSERT_OFFSET(vmbus_channel_open_channel, downstream_ringbuffer_pageoffset, 24);
HV_ASSERT_OFFSET(vmbus_channel_open_channel, userdata, 28);

/* OPENCHANNEL_RESULT (host -> guest), matched on (child_relid, openid). */
struct vmbus_channel_open_result {
	struct vmbus_channel_message_header header;
	u32 child_relid;
	u32 openid;
	u32 status;
} VMBUS_PACKED;
HV_ASSERT_SIZE(vmbus_channel_open_result, 20);
HV_ASSERT_OFFSET(vmbus_channel_open_result, child_relid, 8);
HV_ASSERT_OFFSET(vmbus_channel_open_result, openid, 12);
HV_ASSERT_OFFSET(vmbus_channel_open_result, status, 16);

/* CLOSECHANNEL (guest -> host, no reply). */
struct vmbus_channel_close_channel {
	struct vmbus_channel_message_header header;
	u32 child_relid;
} VMBUS_PACKED;
HV_ASSERT_SIZE(vmbus_channel_close_channel, 12);
HV_ASSERT_OFFSET(vmbus_channel_close_channel, child_relid, 8);

/* The range area of a GPADL: rangecount of these, each followed by
 * vmbus_gpadl_range_pages() PFNs (u64), range_buflen bytes in all. It may
 * continue into GPADL_BODY messages, which carry PFNs only in name: they
 * continue the same u64 stream. */
struct vmbus_gpadl_range {
	u32 byte_count;
	u32 byte_offset;	/* into the first page, < 4096 */
} VMBUS_PACKED;
HV_ASSERT_SIZE(vmbus_gpadl_range, 8);
HV_ASSERT_OFFSET(vmbus_gpadl_range, byte_count, 0);
HV_ASSERT_OFFSET(vmbus_gpadl_range, byte_offset, 4);

/* Pages a range spans: ceil((byte_offset + byte_count) / 4096). */
static inline u64 vmbus_gpadl_range_pages(u32 byte_count, u32 byte_offset)
{
	return ((u64)byte_offset + byte_count + 4095) >> 12;
}

/* GPADL_HEADER (guest -> host); the range area follows at +20. The guest
 * chooses the gpadl id, unique per VM. */
struct vmbus_channel_gpadl_header {
	struct vmbus_channel_message_header header;
	u32 child_relid;
	u32 gpadl;
	u16 range_buflen;	/* bytes of the whole range area */
	u16 rangecount;
} VMBUS_PACKED;
HV_ASSERT_SIZE(vmbus_channel_gpadl_header, 20);
HV_ASSERT_OFFSET(vmbus_channel_gpadl_header, child_relid, 8);
HV_ASSERT_OFFSET(vmbus_channel_gpadl_header, gpadl, 12);
HV_ASSERT_OFFSET(vmbus_channel_gpadl_header, range_buflen, 16);
HV_ASSERT_OFFSET(vmbus_channel_gpadl_header, rangecount, 18);

/* GPADL_BODY (guest -> host); PFNs follow at +16. Linux leaves msgnumber 0. */
struct vmbus_channel_gpadl_body {
	struct vmbus_channel_message_header header;
	u32 msgnumber;
	u32 gpadl;
} VMBUS_PACKED;
HV_ASSERT_SIZE(vmbus_channel_gpadl_body, 16);
HV_ASSERT_OFFSET(vmbus_channel_gpadl_body, msgnumber, 8);
HV_ASSERT_OFFSET(vmbus_channel_gpadl_body, gpadl, 12);

/* u64 words one message can carry after its fixed part. */
#define VMBUS_GPADL_HEADER_MAX_WORDS                                                               \
	((VMBUS_MSG_PAYLOAD_MAX - sizeof(struct vmbus_channel_gpadl_header)) / 8)
#define VMBUS_GPADL_BODY_MAX_WORDS                                                                 \
	((VMBUS_MSG_PAYLOAD_MAX - sizeof(struct vmbus_channel_gpadl_body)) / 8)
_Static_assert(VMBUS_GPADL_HEADER_MAX_WORDS == 27, "range + 26 PFNs in a header");
_Static_assert(VMBUS_GPADL_BODY_MAX_WORDS == 28, "28 PFNs in a body");

/* GPADL_CREATED (host -> guest), matched on (child_relid, gpadl). */
struct vmbus_channel_gpadl_created {
	struct vmbus_channel_message_header header;
	u32 child_relid;
	u32 gpadl;
	u32 creation_status;
} VMBUS_PACKED;
HV_ASSERT_SIZE(vmbus_channel_gpadl_created, 20);
HV_ASSERT_OFFSET(vmbus_channel_gpadl_created, child_relid, 8);
HV_ASSERT_OFFSET(vmbus_channel_gpadl_created, gpadl, 12);
HV_ASSERT_OFFSET(vmbus_channel_gpadl_created, creation_status, 16);

/* GPADL_TEARDOWN (guest -> host). */
struct vmbus_channel_gpadl_teardown {
	struct vmbus_channel_message_header header;
	u32 child_relid;
	u32 gpadl;
} VMBUS_PACKED;
HV_ASSERT_SIZE(vmbus_channel_gpadl_teardown, 16);
HV_ASSERT_OFFSET(vmbus_channel_gpadl_teardown, child_relid, 8);
HV_ASSERT_OFFSET(vmbus_channel_gpadl_teardown, gpadl, 12);

/* GPADL_TORNDOWN (host -> guest), matched on gpadl. */
struct vmbus_channel_gpadl_torndown {
	struct vmbus_channel_message_header header;
	u32 gpadl;
} VMBUS_PACKED;
HV_ASSERT_SIZE(vmbus_channel_gpadl_torndown, 12);
HV_ASSERT_OFFSET(vmbus_channel_gpadl_torndown, gpadl, 8);

/* RELID_RELEASED (guest -> host): the guest is done with a rescinded
 * channel. */
struct vmbus_channel_relid_released {
	struct vmbus_channel_message_header header;
	u32 child_relid;
} VMBUS_PACKED;
HV_ASSERT_SIZE(vmbus_channel_relid_released, 12);
HV_ASSERT_OFFSET(vmbus_channel_relid_released, child_relid, 8);

/* INITIATE_CONTACT (guest -> host). From 5.0 on, +16 holds msg_sint
 * instead of the interrupt page, which hosts ignore from 2.4 on. */
struct vmbus_channel_initiate_contact {
	struct vmbus_channel_message_header header;
	u32 vmbus_version_requested;
	u32 target_vcpu;	/* the VP every host message goes to */
	union {
		u64 interrupt_page;
		struct {
			u8 msg_sint;
			u8 padding1[3];
			u32 padding2;
		} VMBUS_PACKED;
	};
	u64 monitor_page1;
	u64 monitor_page2;
} VMBUS_PACKED;
HV_ASSERT_SIZE(vmbus_channel_initiate_contact, 40);
HV_ASSERT_OFFSET(vmbus_channel_initiate_contact, vmbus_version_requested, 8);
HV_ASSERT_OFFSET(vmbus_channel_initiate_contact, target_vcpu, 12);
HV_ASSERT_OFFSET(vmbus_channel_initiate_contact, interrupt_page, 16);
HV_ASSERT_OFFSET(vmbus_channel_initiate_contact, msg_sint, 16);
HV_ASSERT_OFFSET(vmbus_channel_initiate_contact, monitor_page1, 24);
HV_ASSERT_OFFSET(vmbus_channel_initiate_contact, monitor_page2, 32);

/* VERSION_RESPONSE (host -> guest). msg_conn_id is where the guest posts
 * every later message (read for versions >= 5.0). */
struct vmbus_channel_version_response {
	struct vmbus_channel_message_header header;
	u8 version_supported;
	u8 connection_state;	/* 0 ok */
	u16 padding;
	u32 msg_conn_id;
} VMBUS_PACKED;
HV_ASSERT_SIZE(vmbus_channel_version_response, 16);
HV_ASSERT_OFFSET(vmbus_channel_version_response, version_supported, 8);
HV_ASSERT_OFFSET(vmbus_channel_version_response, connection_state, 9);
HV_ASSERT_OFFSET(vmbus_channel_version_response, msg_conn_id, 12);

/* MODIFYCHANNEL (guest -> host, versions >= 4.1): interrupt target_vp. */
struct vmbus_channel_modifychannel {
	struct vmbus_channel_message_header header;
	u32 child_relid;
	u32 target_vp;
} VMBUS_PACKED;
HV_ASSERT_SIZE(vmbus_channel_modifychannel, 16);
HV_ASSERT_OFFSET(vmbus_channel_modifychannel, child_relid, 8);
HV_ASSERT_OFFSET(vmbus_channel_modifychannel, target_vp, 12);

/* MODIFYCHANNEL_RESPONSE (host -> guest, version 5.3 only). */
struct vmbus_channel_modifychannel_response {
	struct vmbus_channel_message_header header;
	u32 child_relid;
	u32 status;
} VMBUS_PACKED;
HV_ASSERT_SIZE(vmbus_channel_modifychannel_response, 16);
HV_ASSERT_OFFSET(vmbus_channel_modifychannel_response, child_relid, 8);
HV_ASSERT_OFFSET(vmbus_channel_modifychannel_response, status, 12);

#endif
