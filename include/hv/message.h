/* SynIC messages (TLFS "Inter-Partition Communication"): the 256-byte slot
 * format, message types, the event-flags page and the SINT registers. */
#ifndef HV_MESSAGE_H
#define HV_MESSAGE_H

#include "hv/types.h"

#define HV_SYNIC_SINT_COUNT		16
#define HV_MESSAGE_SIZE			256
#define HV_MESSAGE_PAYLOAD_QWORDS	30
#define HV_EVENT_FLAGS_BYTES		256	/* per SINT: 2048 flags */

#define HVMSG_NONE				0x00000000
#define HVMSG_VMBUS				0x00000001	/* guest-chosen; Linux posts 1 */
#define HVMSG_UNMAPPED_GPA			0x80000000
#define HVMSG_GPA_INTERCEPT			0x80000001
#define HVMSG_TIMER_EXPIRED			0x80000010
#define HVMSG_INVALID_VP_REGISTER_VALUE		0x80000020
#define HVMSG_UNRECOVERABLE_EXCEPTION		0x80000021
#define HVMSG_UNSUPPORTED_FEATURE		0x80000022
#define HVMSG_HYPERCALL_INTERCEPT		0x80000050
#define HVMSG_X64_IO_PORT_INTERCEPT		0x80010000
#define HVMSG_X64_MSR_INTERCEPT			0x80010001
#define HVMSG_X64_CPUID_INTERCEPT		0x80010002
#define HVMSG_X64_EXCEPTION_INTERCEPT		0x80010003
#define HVMSG_X64_HALT				0x80010007

#define HV_MESSAGE_FLAG_PENDING	0x01

struct hv_message_header {
	u32 message_type;
	u8 payload_size;
	u8 message_flags;
	u16 reserved;
	u64 sender;	/* originator partition id, or port id */
};
HV_ASSERT_SIZE(hv_message_header, 16);

struct hv_message {
	struct hv_message_header header;
	u64 payload[HV_MESSAGE_PAYLOAD_QWORDS];
};
HV_ASSERT_SIZE(hv_message, HV_MESSAGE_SIZE);

/* The SIM page: one slot per SINT. */
struct hv_message_page {
	struct hv_message sint_message[HV_SYNIC_SINT_COUNT];
};
HV_ASSERT_SIZE(hv_message_page, 4096);

/* The SIEF page: one bank of flags per SINT. */
struct hv_synic_event_flags_page {
	u8 flags[HV_SYNIC_SINT_COUNT][HV_EVENT_FLAGS_BYTES];
};
HV_ASSERT_SIZE(hv_synic_event_flags_page, 4096);

/* HVMSG_TIMER_EXPIRED payload. */
struct hv_timer_message_payload {
	u32 timer_index;
	u32 reserved;
	u64 expiration_time;	/* reference time, 100 ns */
	u64 delivery_time;
};
HV_ASSERT_SIZE(hv_timer_message_payload, 24);

#endif
