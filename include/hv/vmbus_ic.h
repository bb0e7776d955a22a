/* Hyper-V integration services (ICs) on VMBus: the framing every IC shares
 * and the messages of shutdown, timesync, heartbeat and KVP. Names and
 * layouts are Linux's (include/linux/hyperv.h, include/uapi/linux/hyperv.h,
 * drivers/hv/hv_util.c, hv_kvp.c); every structure is packed there too.
 *
 * An IC packet is INBAND: vmbuspipe_hdr | icmsg_hdr | body. The host sends
 * a request; the guest rewrites the same buffer in place and sends it back
 * with the same length and trans_id (vmbus_prep_negotiate_resp and the
 * *_onchannelcallback functions). */
#ifndef HV_VMBUS_IC_H
#define HV_VMBUS_IC_H

#include "hv/types.h"

#define IC_PACKED __attribute__((packed))

/* vmbuspipe_hdr.flags: a data message (the guest echoes it unchecked). */
#define VMBUS_PIPE_TYPE_DATA	1

struct vmbuspipe_hdr {
	u32 flags;
	u32 msgsize;	/* bytes after this header */
} IC_PACKED;
HV_ASSERT_SIZE(vmbuspipe_hdr, 8);
HV_ASSERT_OFFSET(vmbuspipe_hdr, flags, 0);
HV_ASSERT_OFFSET(vmbuspipe_hdr, msgsize, 4);

struct ic_version {
	u16 major;
	u16 minor;
} IC_PACKED;
HV_ASSERT_SIZE(ic_version, 4);
HV_ASSERT_OFFSET(ic_version, major, 0);
HV_ASSERT_OFFSET(ic_version, minor, 2);

#define ICMSGTYPE_NEGOTIATE	0
#define ICMSGTYPE_HEARTBEAT	1
#define ICMSGTYPE_KVPEXCHANGE	2
#define ICMSGTYPE_SHUTDOWN	3
#define ICMSGTYPE_TIMESYNC	4
#define ICMSGTYPE_VSS		5
#define ICMSGTYPE_FCOPY		7

/* The host sends TRANSACTION | REQUEST, the guest returns
 * TRANSACTION | RESPONSE. */
#define ICMSGHDRFLAG_TRANSACTION	0x1
#define ICMSGHDRFLAG_REQUEST		0x2
#define ICMSGHDRFLAG_RESPONSE		0x4

/* icmsg_hdr.status (HRESULTs). */
#define HV_S_OK				0x00000000u
#define HV_E_FAIL			0x80004005u
#define HV_S_CONT			0x80070103u	/* KVP: no more items */
#define HV_ERROR_NOT_SUPPORTED		0x80070032u
#define HV_ERROR_MACHINE_LOCKED		0x800704F7u
#define HV_ERROR_DEVICE_NOT_CONNECTED	0x8007048Fu
#define HV_INVALIDARG			0x80070057u
#define HV_GUID_NOTFOUND		0x80041002u
#define HV_ERROR_ALREADY_EXISTS		0x80070050u
#define HV_ERROR_DISK_FULL		0x80070070u

struct icmsg_hdr {
	struct ic_version icverframe;	/* negotiated framework version */
	u16 icmsgtype;			/* ICMSGTYPE_* */
	struct ic_version icvermsg;	/* negotiated service version */
	u16 icmsgsize;			/* body bytes */
	u32 status;			/* HV_S_OK, HV_E_FAIL, ... */
	u8 ictransaction_id;
	u8 icflags;			/* ICMSGHDRFLAG_* */
	u8 reserved[2];
} IC_PACKED;
HV_ASSERT_SIZE(icmsg_hdr, 20);
HV_ASSERT_OFFSET(icmsg_hdr, icverframe, 0);
HV_ASSERT_OFFSET(icmsg_hdr, icmsgtype, 4);
HV_ASSERT_OFFSET(icmsg_hdr, icvermsg, 6);
HV_ASSERT_OFFSET(icmsg_hdr, icmsgsize, 10);
HV_ASSERT_OFFSET(icmsg_hdr, status, 12);
HV_ASSERT_OFFSET(icmsg_hdr, ictransaction_id, 16);
HV_ASSERT_OFFSET(icmsg_hdr, icflags, 17);

/* Bytes in front of every body. */
#define ICMSG_HDR	(sizeof(struct vmbuspipe_hdr) + sizeof(struct icmsg_hdr))

/* The guest refuses more than this many versions of either kind. */
#define IC_VERSION_NEGOTIATION_MAX_VER_COUNT	100

/* NEGOTIATE body: icframe_vercnt framework versions, then icmsg_vercnt
 * service versions. The guest answers in place with counts 1/1 and slot 0 =
 * framework, slot 1 = service, or counts 0/0 when nothing matched; it writes
 * both slots either way, so a request carries at least two. */
struct icmsg_negotiate {
	u16 icframe_vercnt;
	u16 icmsg_vercnt;
	u32 reserved;
	struct ic_version icversion_data[];
} IC_PACKED;
HV_ASSERT_SIZE(icmsg_negotiate, 8);
HV_ASSERT_OFFSET(icmsg_negotiate, icframe_vercnt, 0);
HV_ASSERT_OFFSET(icmsg_negotiate, icmsg_vercnt, 2);
HV_ASSERT_OFFSET(icmsg_negotiate, reserved, 4);
HV_ASSERT_OFFSET(icmsg_negotiate, icversion_data, 8);

/* SHUTDOWN: flags 0 shut down, 2 restart, 4 hibernate, each | 1 = force.
 * The guest needs the whole structure (hv_util.c checks the length). */
#define SHUTDOWN_FLAG_FORCE	0x1
#define SHUTDOWN_FLAG_RESTART	0x2
#define SHUTDOWN_FLAG_HIBERNATE	0x4
#define SHTDN_REASON_FLAG_PLANNED	0x80000000u	/* Windows SDK */

struct shutdown_msg_data {
	u32 reason_code;
	u32 timeout_seconds;
	u32 flags;
	u8 display_message[2048];
} IC_PACKED;
HV_ASSERT_SIZE(shutdown_msg_data, 2060);
HV_ASSERT_OFFSET(shutdown_msg_data, reason_code, 0);
HV_ASSERT_OFFSET(shutdown_msg_data, timeout_seconds, 4);
HV_ASSERT_OFFSET(shutdown_msg_data, flags, 8);
HV_ASSERT_OFFSET(shutdown_msg_data, display_message, 12);

/* HEARTBEAT: the guest returns seq_num + 1 and needs only seq_num. */
struct heartbeat_msg_data {
	u64 seq_num;
	u32 reserved[8];
} IC_PACKED;
HV_ASSERT_SIZE(heartbeat_msg_data, 40);
HV_ASSERT_OFFSET(heartbeat_msg_data, seq_num, 0);
HV_ASSERT_OFFSET(heartbeat_msg_data, reserved, 8);

/* TIMESYNC: times in 100 ns units since 1601-01-01 UTC. SYNC makes the
 * guest set its clock; SAMPLE only feeds its PTP clock (hv_util.c
 * adj_guesttime). */
#define ICTIMESYNCFLAG_PROBE	0
#define ICTIMESYNCFLAG_SYNC	1
#define ICTIMESYNCFLAG_SAMPLE	2

#define WLTIMEDELTA	116444736000000000ull	/* 1601 to 1970, 100 ns */

/* Service versions below 4.0. */
struct ictimesync_data {
	u64 parenttime;
	u64 childtime;
	u64 roundtriptime;
	u8 flags;
} IC_PACKED;
HV_ASSERT_SIZE(ictimesync_data, 25);
HV_ASSERT_OFFSET(ictimesync_data, parenttime, 0);
HV_ASSERT_OFFSET(ictimesync_data, childtime, 8);
HV_ASSERT_OFFSET(ictimesync_data, roundtriptime, 16);
HV_ASSERT_OFFSET(ictimesync_data, flags, 24);

/* Version 4.0: with the partition reference time at sampling, which the
 * guest uses to age the sample. */
struct ictimesync_ref_data {
	u64 parenttime;
	u64 vmreferencetime;
	u8 flags;
	u8 leapflags;
	u8 stratum;
	u8 reserved[3];
} IC_PACKED;
HV_ASSERT_SIZE(ictimesync_ref_data, 22);
HV_ASSERT_OFFSET(ictimesync_ref_data, parenttime, 0);
HV_ASSERT_OFFSET(ictimesync_ref_data, vmreferencetime, 8);
HV_ASSERT_OFFSET(ictimesync_ref_data, flags, 16);
HV_ASSERT_OFFSET(ictimesync_ref_data, leapflags, 17);
HV_ASSERT_OFFSET(ictimesync_ref_data, stratum, 18);
HV_ASSERT_OFFSET(ictimesync_ref_data, reserved, 19);

/* KVP: keys and values are UTF-16LE; sizes are bytes and include the NUL. */
#define HV_KVP_EXCHANGE_MAX_KEY_SIZE	512
#define HV_KVP_EXCHANGE_MAX_VALUE_SIZE	2048

#define KVP_OP_GET		0
#define KVP_OP_SET		1
#define KVP_OP_DELETE		2
#define KVP_OP_ENUMERATE	3
#define KVP_OP_GET_IP_INFO	4
#define KVP_OP_SET_IP_INFO	5

#define KVP_POOL_EXTERNAL	0	/* written by the host */
#define KVP_POOL_GUEST		1
#define KVP_POOL_AUTO		2	/* made up by the guest's daemon */
#define KVP_POOL_AUTO_EXTERNAL	3
#define KVP_POOL_AUTO_INTERNAL	4
#define KVP_POOL_COUNT		5

/* value_type (Linux REG_SZ, REG_U32, REG_U64). */
#define KVP_REG_SZ	1
#define KVP_REG_U32	4
#define KVP_REG_U64	8

struct hv_kvp_hdr {
	u8 operation;	/* KVP_OP_* */
	u8 pool;	/* KVP_POOL_* */
	u16 pad;
} IC_PACKED;
HV_ASSERT_SIZE(hv_kvp_hdr, 4);
HV_ASSERT_OFFSET(hv_kvp_hdr, operation, 0);
HV_ASSERT_OFFSET(hv_kvp_hdr, pool, 1);
HV_ASSERT_OFFSET(hv_kvp_hdr, pad, 2);

struct hv_kvp_exchg_msg_value {
	u32 value_type;
	u32 key_size;
	u32 value_size;
	u8 key[HV_KVP_EXCHANGE_MAX_KEY_SIZE];
	union {
		u8 value[HV_KVP_EXCHANGE_MAX_VALUE_SIZE];
		u32 value_u32;
		u64 value_u64;
	} IC_PACKED;
} IC_PACKED;
HV_ASSERT_SIZE(hv_kvp_exchg_msg_value, 2572);
HV_ASSERT_OFFSET(hv_kvp_exchg_msg_value, value_type, 0);
HV_ASSERT_OFFSET(hv_kvp_exchg_msg_value, key_size, 4);
HV_ASSERT_OFFSET(hv_kvp_exchg_msg_value, value_size, 8);
HV_ASSERT_OFFSET(hv_kvp_exchg_msg_value, key, 12);
HV_ASSERT_OFFSET(hv_kvp_exchg_msg_value, value, 524);

/* GET and SET. */
struct hv_kvp_msg_get_set {
	struct hv_kvp_hdr kvp_hdr;
	struct hv_kvp_exchg_msg_value data;
} IC_PACKED;
HV_ASSERT_SIZE(hv_kvp_msg_get_set, 2576);
HV_ASSERT_OFFSET(hv_kvp_msg_get_set, kvp_hdr, 0);
HV_ASSERT_OFFSET(hv_kvp_msg_get_set, data, 4);

/* ENUMERATE: the guest fills key and value for pool entry `index`, or
 * answers HV_S_CONT past the end. */
struct hv_kvp_msg_enumerate {
	struct hv_kvp_hdr kvp_hdr;
	u32 index;
	struct hv_kvp_exchg_msg_value data;
} IC_PACKED;
HV_ASSERT_SIZE(hv_kvp_msg_enumerate, 2580);
HV_ASSERT_OFFSET(hv_kvp_msg_enumerate, kvp_hdr, 0);
HV_ASSERT_OFFSET(hv_kvp_msg_enumerate, index, 4);
HV_ASSERT_OFFSET(hv_kvp_msg_enumerate, data, 8);

struct hv_kvp_msg_delete {
	struct hv_kvp_hdr kvp_hdr;
	u32 key_size;
	u8 key[HV_KVP_EXCHANGE_MAX_KEY_SIZE];
} IC_PACKED;
HV_ASSERT_SIZE(hv_kvp_msg_delete, 520);
HV_ASSERT_OFFSET(hv_kvp_msg_delete, kvp_hdr, 0);
HV_ASSERT_OFFSET(hv_kvp_msg_delete, key_size, 4);
HV_ASSERT_OFFSET(hv_kvp_msg_delete, key, 8);

#undef IC_PACKED

#endif
