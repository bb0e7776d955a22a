/* The protocols hv_netvsc speaks over its VMBus channel (Linux
 * drivers/net/hyperv/hyperv_net.h and include/linux/rndis.h, v6.1): NVSP,
 * the 40-byte messages that negotiate a version and hand over the receive
 * and send buffers, and RNDIS, the messages NVSP carries in
 * SEND_RNDIS_PKT: Ethernet frames and the device's control requests.
 * Names are Linux's; NVSP structures are packed there, RNDIS ones are all
 * u32 and the NDIS objects keep their natural alignment (asserted below). */
#ifndef HV_NETVSC_H
#define HV_NETVSC_H

#include "hv/types.h"

#define NVSP_PACKED __attribute__((packed))

/* NVSP versions, newest last; Linux 6.1 offers them newest first, one
 * INIT (min = max) each, until one completes with NVSP_STAT_SUCCESS. */
#define NVSP_PROTOCOL_VERSION_1		0x00002
#define NVSP_PROTOCOL_VERSION_2		0x30002
#define NVSP_PROTOCOL_VERSION_4		0x40000
#define NVSP_PROTOCOL_VERSION_5		0x50000
#define NVSP_PROTOCOL_VERSION_6		0x60000
#define NVSP_PROTOCOL_VERSION_61	0x60001

#define NVSP_MSG_TYPE_INIT			1
#define NVSP_MSG_TYPE_INIT_COMPLETE		2
#define NVSP_MSG1_TYPE_SEND_NDIS_VER		100
#define NVSP_MSG1_TYPE_SEND_RECV_BUF		101
#define NVSP_MSG1_TYPE_SEND_RECV_BUF_COMPLETE	102
#define NVSP_MSG1_TYPE_REVOKE_RECV_BUF		103
#define NVSP_MSG1_TYPE_SEND_SEND_BUF		104
#define NVSP_MSG1_TYPE_SEND_SEND_BUF_COMPLETE	105
#define NVSP_MSG1_TYPE_REVOKE_SEND_BUF		106
#define NVSP_MSG1_TYPE_SEND_RNDIS_PKT		107
#define NVSP_MSG1_TYPE_SEND_RNDIS_PKT_COMPLETE	108
#define NVSP_MSG2_TYPE_SEND_NDIS_CONFIG		125
#define NVSP_MSG4_TYPE_SEND_VF_ASSOCIATION	128
#define NVSP_MSG4_TYPE_SWITCH_DATA_PATH		129
#define NVSP_MSG5_TYPE_SUBCHANNEL		133
#define NVSP_MSG5_TYPE_SEND_INDIRECTION_TABLE	134

#define NVSP_STAT_NONE			0
#define NVSP_STAT_SUCCESS		1
#define NVSP_STAT_FAIL			2
#define NVSP_STAT_PROTOCOL_TOO_NEW	3
#define NVSP_STAT_PROTOCOL_TOO_OLD	4
#define NVSP_STAT_INVALID_RNDIS_PKT	5
#define NVSP_STAT_BUSY			6
#define NVSP_STAT_PROTOCOL_UNSUPPORTED	7

/* The ids Linux gives its buffers; the receive buffer's is also the page
 * set id of every transfer-page packet, and the guest checks it. */
#define NETVSC_RECEIVE_BUFFER_ID	0xCAFE
#define NETVSC_SEND_BUFFER_ID		0

/* send_buf_section_index when the message is not in the send buffer. */
#define NETVSC_INVALID_INDEX		0xFFFFFFFFu

/* nvsp_1_message_send_rndis_packet.channel_type */
#define NVSP_CHANNEL_TYPE_DATA		0
#define NVSP_CHANNEL_TYPE_CONTROL	1

#define NVSP_SUBCHANNEL_ALLOCATE	1

/* nvsp_2_send_ndis_config.capability bits. */
#define NVSP_CAP_VMQ			(1ull << 0)
#define NVSP_CAP_CHIMNEY		(1ull << 1)
#define NVSP_CAP_SRIOV			(1ull << 2)
#define NVSP_CAP_IEEE8021Q		(1ull << 3)
#define NVSP_CAP_CORRELATION_ID		(1ull << 4)
#define NVSP_CAP_TEAMING		(1ull << 5)
#define NVSP_CAP_VSUBNETID		(1ull << 6)
#define NVSP_CAP_RSC			(1ull << 7)

struct nvsp_message_header {
	u32 msg_type;
} NVSP_PACKED;
HV_ASSERT_SIZE(nvsp_message_header, 4);

struct nvsp_message_init {
	u32 min_protocol_ver;
	u32 max_protocol_ver;
} NVSP_PACKED;
HV_ASSERT_SIZE(nvsp_message_init, 8);

struct nvsp_message_init_complete {
	u32 negotiated_protocol_ver;	/* Linux ignores it */
	u32 max_mdl_chain_len;
	u32 status;
} NVSP_PACKED;
HV_ASSERT_SIZE(nvsp_message_init_complete, 12);

struct nvsp_1_message_send_ndis_version {
	u32 ndis_major_ver;
	u32 ndis_minor_ver;
} NVSP_PACKED;
HV_ASSERT_SIZE(nvsp_1_message_send_ndis_version, 8);

struct nvsp_1_message_send_receive_buffer {
	u32 gpadl_handle;
	u16 id;
} NVSP_PACKED;
HV_ASSERT_SIZE(nvsp_1_message_send_receive_buffer, 6);

/* num_sub_allocs sections of sub_alloc_size bytes from offset; the guest
 * wants exactly one such range, at offset 0. */
struct nvsp_1_receive_buffer_section {
	u32 offset;
	u32 sub_alloc_size;
	u32 num_sub_allocs;
	u32 end_offset;
} NVSP_PACKED;
HV_ASSERT_SIZE(nvsp_1_receive_buffer_section, 16);

struct nvsp_1_message_send_receive_buffer_complete {
	u32 status;
	u32 num_sections;
	struct nvsp_1_receive_buffer_section sections[1];
} NVSP_PACKED;
HV_ASSERT_SIZE(nvsp_1_message_send_receive_buffer_complete, 24);

struct nvsp_1_message_revoke_receive_buffer {
	u16 id;
} NVSP_PACKED;
HV_ASSERT_SIZE(nvsp_1_message_revoke_receive_buffer, 2);

struct nvsp_1_message_send_send_buffer {
	u32 gpadl_handle;
	u16 id;
} NVSP_PACKED;
HV_ASSERT_SIZE(nvsp_1_message_send_send_buffer, 6);

/* The guest divides its buffer by section_size to count its sections. */
struct nvsp_1_message_send_send_buffer_complete {
	u32 status;
	u32 section_size;
} NVSP_PACKED;
HV_ASSERT_SIZE(nvsp_1_message_send_send_buffer_complete, 8);

struct nvsp_1_message_revoke_send_buffer {
	u16 id;
} NVSP_PACKED;
HV_ASSERT_SIZE(nvsp_1_message_revoke_send_buffer, 2);

/* The RNDIS bytes are the send buffer section's first
 * send_buf_section_size bytes (unless the index is NETVSC_INVALID_INDEX)
 * followed by the packet's GPA ranges. */
struct nvsp_1_message_send_rndis_packet {
	u32 channel_type;
	u32 send_buf_section_index;
	u32 send_buf_section_size;
} NVSP_PACKED;
HV_ASSERT_SIZE(nvsp_1_message_send_rndis_packet, 12);

struct nvsp_1_message_send_rndis_packet_complete {
	u32 status;
} NVSP_PACKED;
HV_ASSERT_SIZE(nvsp_1_message_send_rndis_packet_complete, 4);

struct nvsp_2_send_ndis_config {
	u32 mtu;	/* the guest's MTU + 14 */
	u32 reserved;
	u64 capability;	/* NVSP_CAP_* */
} NVSP_PACKED;
HV_ASSERT_SIZE(nvsp_2_send_ndis_config, 16);

struct nvsp_4_send_vf_association {
	u32 allocated;
	u32 serial;
} NVSP_PACKED;
HV_ASSERT_SIZE(nvsp_4_send_vf_association, 8);

struct nvsp_4_sw_datapath {
	u32 active_datapath;	/* 0 synthetic, 1 VF */
} NVSP_PACKED;
HV_ASSERT_SIZE(nvsp_4_sw_datapath, 4);

struct nvsp_5_subchannel_request {
	u32 op;
	u32 num_subchannels;
} NVSP_PACKED;
HV_ASSERT_SIZE(nvsp_5_subchannel_request, 8);

struct nvsp_5_subchannel_complete {
	u32 status;
	u32 num_subchannels;	/* allocated; the guest waits for that many offers */
} NVSP_PACKED;
HV_ASSERT_SIZE(nvsp_5_subchannel_complete, 8);

struct nvsp_5_send_indirect_table {
	u32 count;	/* 16 */
	u32 offset;	/* of the u32 table, from the message start */
} NVSP_PACKED;
HV_ASSERT_SIZE(nvsp_5_send_indirect_table, 8);

/* Every message is 40 bytes (Linux's union reaches 36 with the v6
 * PacketDirect messages); the guest checks the length of each completion
 * against the size of its own type, so the host always sends all 40. */
#define NVSP_MESSAGE_SIZE	40

struct nvsp_message {
	struct nvsp_message_header hdr;
	union {
		struct nvsp_message_init init;
		struct nvsp_message_init_complete init_complete;
		struct nvsp_1_message_send_ndis_version send_ndis_ver;
		struct nvsp_1_message_send_receive_buffer send_recv_buf;
		struct nvsp_1_message_send_receive_buffer_complete send_recv_buf_complete;
		struct nvsp_1_message_revoke_receive_buffer revoke_recv_buf;
		struct nvsp_1_message_send_send_buffer send_send_buf;
		struct nvsp_1_message_send_send_buffer_complete send_send_buf_complete;
		struct nvsp_1_message_revoke_send_buffer revoke_send_buf;
		struct nvsp_1_message_send_rndis_packet send_rndis_pkt;
		struct nvsp_1_message_send_rndis_packet_complete send_rndis_pkt_complete;
		struct nvsp_2_send_ndis_config send_ndis_config;
		struct nvsp_4_send_vf_association vf_assoc;
		struct nvsp_4_sw_datapath active_dp;
		struct nvsp_5_subchannel_request subchn_req;
		struct nvsp_5_subchannel_complete subchn_comp;
		struct nvsp_5_send_indirect_table send_table;
		u8 raw[NVSP_MESSAGE_SIZE - 4];
	} NVSP_PACKED msg;
} NVSP_PACKED;
HV_ASSERT_SIZE(nvsp_message, NVSP_MESSAGE_SIZE);
HV_ASSERT_OFFSET(nvsp_message, msg.init.min_protocol_ver, 4);
HV_ASSERT_OFFSET(nvsp_message, msg.init.max_protocol_ver, 8);
HV_ASSERT_OFFSET(nvsp_message, msg.init_complete.max_mdl_chain_len, 8);
HV_ASSERT_OFFSET(nvsp_message, msg.init_complete.status, 12);
HV_ASSERT_OFFSET(nvsp_message, msg.send_ndis_ver.ndis_minor_ver, 8);
HV_ASSERT_OFFSET(nvsp_message, msg.send_recv_buf.id, 8);
HV_ASSERT_OFFSET(nvsp_message, msg.send_recv_buf_complete.num_sections, 8);
HV_ASSERT_OFFSET(nvsp_message, msg.send_recv_buf_complete.sections[0].offset, 12);
HV_ASSERT_OFFSET(nvsp_message, msg.send_recv_buf_complete.sections[0].sub_alloc_size, 16);
HV_ASSERT_OFFSET(nvsp_message, msg.send_recv_buf_complete.sections[0].num_sub_allocs, 20);
HV_ASSERT_OFFSET(nvsp_message, msg.send_recv_buf_complete.sections[0].end_offset, 24);
HV_ASSERT_OFFSET(nvsp_message, msg.send_send_buf.id, 8);
HV_ASSERT_OFFSET(nvsp_message, msg.send_send_buf_complete.section_size, 8);
HV_ASSERT_OFFSET(nvsp_message, msg.send_rndis_pkt.channel_type, 4);
HV_ASSERT_OFFSET(nvsp_message, msg.send_rndis_pkt.send_buf_section_index, 8);
HV_ASSERT_OFFSET(nvsp_message, msg.send_rndis_pkt.send_buf_section_size, 12);
HV_ASSERT_OFFSET(nvsp_message, msg.send_ndis_config.mtu, 4);
HV_ASSERT_OFFSET(nvsp_message, msg.send_ndis_config.capability, 12);
HV_ASSERT_OFFSET(nvsp_message, msg.subchn_req.num_subchannels, 8);
HV_ASSERT_OFFSET(nvsp_message, msg.subchn_comp.num_subchannels, 8);
HV_ASSERT_OFFSET(nvsp_message, msg.send_table.offset, 8);

/* RNDIS: every message starts with this header; offsets inside a message
 * body count from the body's start, i.e. 8 bytes into the message. */
#define RNDIS_MSG_COMPLETION	0x80000000u
#define RNDIS_MSG_PACKET	0x00000001u
#define RNDIS_MSG_INIT		0x00000002u
#define RNDIS_MSG_HALT		0x00000003u
#define RNDIS_MSG_QUERY		0x00000004u
#define RNDIS_MSG_SET		0x00000005u
#define RNDIS_MSG_RESET		0x00000006u
#define RNDIS_MSG_INDICATE	0x00000007u
#define RNDIS_MSG_KEEPALIVE	0x00000008u
#define RNDIS_MSG_INIT_C	(RNDIS_MSG_INIT | RNDIS_MSG_COMPLETION)
#define RNDIS_MSG_QUERY_C	(RNDIS_MSG_QUERY | RNDIS_MSG_COMPLETION)
#define RNDIS_MSG_SET_C		(RNDIS_MSG_SET | RNDIS_MSG_COMPLETION)
#define RNDIS_MSG_RESET_C	(RNDIS_MSG_RESET | RNDIS_MSG_COMPLETION)
#define RNDIS_MSG_KEEPALIVE_C	(RNDIS_MSG_KEEPALIVE | RNDIS_MSG_COMPLETION)

#define RNDIS_MAJOR_VERSION	1
#define RNDIS_MINOR_VERSION	0

#define RNDIS_STATUS_SUCCESS		0x00000000u
#define RNDIS_STATUS_FAILURE		0xC0000001u
#define RNDIS_STATUS_NOT_SUPPORTED	0xC00000BBu
#define RNDIS_STATUS_INVALID_LENGTH	0xC0010014u
#define RNDIS_STATUS_INVALID_DATA	0xC0010015u
/* INDICATE statuses the guest acts on. */
#define RNDIS_STATUS_MEDIA_CONNECT	0x4001000Bu
#define RNDIS_STATUS_MEDIA_DISCONNECT	0x4001000Cu
#define RNDIS_STATUS_LINK_SPEED_CHANGE	0x40010013u
#define RNDIS_STATUS_NETWORK_CHANGE	0x40010018u

#define RNDIS_DF_CONNECTIONLESS		0x00000001u
#define RNDIS_MEDIUM_802_3		0x00000000u

/* OID_GEN_MEDIA_CONNECT_STATUS values. */
#define NDIS_MEDIA_STATE_CONNECTED	0
#define NDIS_MEDIA_STATE_DISCONNECTED	1

#define RNDIS_OID_GEN_MAXIMUM_FRAME_SIZE	0x00010106u
#define RNDIS_OID_GEN_LINK_SPEED		0x00010107u
#define RNDIS_OID_GEN_CURRENT_PACKET_FILTER	0x0001010Eu
#define RNDIS_OID_GEN_MEDIA_CONNECT_STATUS	0x00010114u
#define OID_GEN_RECEIVE_SCALE_CAPABILITIES	0x00010203u
#define OID_GEN_RECEIVE_SCALE_PARAMETERS	0x00010204u
#define RNDIS_OID_GEN_RNDIS_CONFIG_PARAMETER	0x0001021Bu
#define RNDIS_OID_GEN_FRIENDLY_NAME		0x00020216u
#define RNDIS_OID_802_3_PERMANENT_ADDRESS	0x01010101u
#define OID_TCP_OFFLOAD_PARAMETERS		0xFC01020Cu
#define OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES	0xFC01020Du

/* OID_GEN_CURRENT_PACKET_FILTER bits. */
#define NDIS_PACKET_TYPE_DIRECTED	0x00000001u
#define NDIS_PACKET_TYPE_MULTICAST	0x00000002u
#define NDIS_PACKET_TYPE_ALL_MULTICAST	0x00000004u
#define NDIS_PACKET_TYPE_BROADCAST	0x00000008u
#define NDIS_PACKET_TYPE_PROMISCUOUS	0x00000020u

struct rndis_message_header {
	u32 ndis_msg_type;
	u32 msg_len;	/* the whole message, header included */
};
HV_ASSERT_SIZE(rndis_message_header, 8);
HV_ASSERT_OFFSET(rndis_message_header, msg_len, 4);

#define RNDIS_HEADER_SIZE	8u

/* data_offset and per_pkt_info_offset count from this body's start. */
struct rndis_packet {
	u32 data_offset;
	u32 data_len;
	u32 oob_data_offset;
	u32 oob_data_len;
	u32 num_oob_data_elements;
	u32 per_pkt_info_offset;
	u32 per_pkt_info_len;
	u32 vc_handle;
	u32 reserved;
};
HV_ASSERT_SIZE(rndis_packet, 36);
HV_ASSERT_OFFSET(rndis_packet, data_len, 4);
HV_ASSERT_OFFSET(rndis_packet, oob_data_offset, 8);
HV_ASSERT_OFFSET(rndis_packet, oob_data_len, 12);
HV_ASSERT_OFFSET(rndis_packet, per_pkt_info_offset, 20);
HV_ASSERT_OFFSET(rndis_packet, per_pkt_info_len, 24);

struct rndis_initialize_request {
	u32 req_id;
	u32 major_ver;
	u32 minor_ver;
	u32 max_xfer_size;
};
HV_ASSERT_SIZE(rndis_initialize_request, 16);

/* The guest takes max_pkt_per_msg and 1 << pkt_alignment_factor as the
 * limits for packing several PACKET messages into one send section. */
struct rndis_initialize_complete {
	u32 req_id;
	u32 status;
	u32 major_ver;
	u32 minor_ver;
	u32 dev_flags;
	u32 medium;
	u32 max_pkt_per_msg;
	u32 max_xfer_size;
	u32 pkt_alignment_factor;
	u32 af_list_offset;
	u32 af_list_size;
};
HV_ASSERT_SIZE(rndis_initialize_complete, 44);
HV_ASSERT_OFFSET(rndis_initialize_complete, status, 4);
HV_ASSERT_OFFSET(rndis_initialize_complete, max_pkt_per_msg, 24);
HV_ASSERT_OFFSET(rndis_initialize_complete, pkt_alignment_factor, 32);

struct rndis_halt_request {
	u32 req_id;
};
HV_ASSERT_SIZE(rndis_halt_request, 4);

struct rndis_query_request {
	u32 req_id;
	u32 oid;
	u32 info_buflen;
	u32 info_buf_offset;
	u32 dev_vc_handle;
};
HV_ASSERT_SIZE(rndis_query_request, 20);
HV_ASSERT_OFFSET(rndis_query_request, oid, 4);
HV_ASSERT_OFFSET(rndis_query_request, info_buflen, 8);
HV_ASSERT_OFFSET(rndis_query_request, info_buf_offset, 12);

/* The guest wants info_buf_offset >= 16 and the buffer inside msg_len. */
struct rndis_query_complete {
	u32 req_id;
	u32 status;
	u32 info_buflen;
	u32 info_buf_offset;
};
HV_ASSERT_SIZE(rndis_query_complete, 16);
HV_ASSERT_OFFSET(rndis_query_complete, info_buflen, 8);
HV_ASSERT_OFFSET(rndis_query_complete, info_buf_offset, 12);

struct rndis_set_request {
	u32 req_id;
	u32 oid;
	u32 info_buflen;
	u32 info_buf_offset;
	u32 dev_vc_handle;
};
HV_ASSERT_SIZE(rndis_set_request, 20);
HV_ASSERT_OFFSET(rndis_set_request, info_buf_offset, 12);

struct rndis_set_complete {
	u32 req_id;
	u32 status;
};
HV_ASSERT_SIZE(rndis_set_complete, 8);

struct rndis_reset_request {
	u32 reserved;
};
HV_ASSERT_SIZE(rndis_reset_request, 4);

struct rndis_reset_complete {
	u32 status;
	u32 addressing_reset;
};
HV_ASSERT_SIZE(rndis_reset_complete, 8);

struct rndis_indicate_status {
	u32 status;
	u32 status_buflen;
	u32 status_buf_offset;
};
HV_ASSERT_SIZE(rndis_indicate_status, 12);

struct rndis_keepalive_request {
	u32 req_id;
};
HV_ASSERT_SIZE(rndis_keepalive_request, 4);

struct rndis_keepalive_complete {
	u32 req_id;
	u32 status;
};
HV_ASSERT_SIZE(rndis_keepalive_complete, 8);

/* Per-packet info: a list of these from per_pkt_info_offset, each
 * followed (at ppi_offset from its own start) by its data. Bit 31 of type
 * marks Hyper-V's internal types. */
struct rndis_per_packet_info {
	u32 size;
	u32 type;
	u32 ppi_offset;
};
HV_ASSERT_SIZE(rndis_per_packet_info, 12);
HV_ASSERT_OFFSET(rndis_per_packet_info, type, 4);
HV_ASSERT_OFFSET(rndis_per_packet_info, ppi_offset, 8);

#define RNDIS_PPI_INTERNAL	0x80000000u

#define TCPIP_CHKSUM_PKTINFO	0
#define TCP_LARGESEND_PKTINFO	2
#define IEEE_8021Q_INFO		6
#define NBL_HASH_VALUE		8
#define RNDIS_PKTINFO_ID	(RNDIS_PPI_INTERNAL | 1)

/* IEEE_8021Q_INFO data, a u32: priority 2:0, CFI 3, VLAN id 15:4. */
#define NDIS_8021Q_PRI(v)	((v) & 0x7)
#define NDIS_8021Q_CFI(v)	(((v) >> 3) & 0x1)
#define NDIS_8021Q_VID(v)	(((v) >> 4) & 0xFFF)

/* NDIS objects carried as OID data. */
struct ndis_object_header {
	u8 type;
	u8 revision;
	u16 size;
};
HV_ASSERT_SIZE(ndis_object_header, 4);

#define NDIS_OBJECT_TYPE_DEFAULT	0x80
#define NDIS_OBJECT_TYPE_RSS_CAPABILITIES	0x88
#define NDIS_OBJECT_TYPE_RSS_PARAMETERS	0x89
#define NDIS_OBJECT_TYPE_OFFLOAD	0xA7

#define NDIS_OFFLOAD_PARAMETERS_REVISION_1	1
#define NDIS_OFFLOAD_PARAMETERS_REVISION_2	2
#define NDIS_OFFLOAD_PARAMETERS_REVISION_3	3

/* OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES answer (NDIS_OFFLOAD). The guest
 * takes revision >= 1 and NDIS_OFFLOAD_SIZE_6_0 <= size <= what was
 * returned; all-zero capabilities mean no offloads. */
struct ndis_csum_offload {
	u32 ip4_txenc;
	u32 ip4_txcsum;
	u32 ip4_rxenc;
	u32 ip4_rxcsum;
	u32 ip6_txenc;
	u32 ip6_txcsum;
	u32 ip6_rxenc;
	u32 ip6_rxcsum;
};
HV_ASSERT_SIZE(ndis_csum_offload, 32);

struct ndis_lsov1_offload {
	u32 encap;
	u32 maxsize;
	u32 minsegs;
	u32 opts;
};
HV_ASSERT_SIZE(ndis_lsov1_offload, 16);

struct ndis_ipsecv1_offload {
	u32 encap;
	u32 ah_esp;
	u32 xport_tun;
	u32 ip4_opts;
	u32 flags;
	u32 ip4_ah;
	u32 ip4_esp;
};
HV_ASSERT_SIZE(ndis_ipsecv1_offload, 28);

struct ndis_lsov2_offload {
	u32 ip4_encap;
	u32 ip4_maxsz;
	u32 ip4_minsg;
	u32 ip6_encap;
	u32 ip6_maxsz;
	u32 ip6_minsg;
	u32 ip6_opts;
};
HV_ASSERT_SIZE(ndis_lsov2_offload, 28);

struct ndis_ipsecv2_offload {
	u32 encap;
	u8 ip6;
	u8 ip4opt;
	u8 ip6ext;
	u8 ah;
	u8 esp;
	u8 ah_esp;
	u8 xport;
	u8 tun;
	u8 xport_tun;
	u8 lso;
	u8 extseq;
	u32 udp_esp;
	u32 auth;
	u32 crypto;
	u32 sa_caps;
};
HV_ASSERT_SIZE(ndis_ipsecv2_offload, 32);
HV_ASSERT_OFFSET(ndis_ipsecv2_offload, udp_esp, 16);

struct ndis_rsc_offload {
	u8 ip4;
	u8 ip6;
};
HV_ASSERT_SIZE(ndis_rsc_offload, 2);

struct ndis_encap_offload {
	u32 flags;
	u32 maxhdr;
};
HV_ASSERT_SIZE(ndis_encap_offload, 8);

struct ndis_offload {
	struct ndis_object_header header;
	struct ndis_csum_offload csum;
	struct ndis_lsov1_offload lsov1;
	struct ndis_ipsecv1_offload ipsecv1;
	struct ndis_lsov2_offload lsov2;
	u32 flags;
	struct ndis_ipsecv2_offload ipsecv2;	/* NDIS >= 6.1 */
	struct ndis_rsc_offload rsc;		/* NDIS >= 6.30 */
	struct ndis_encap_offload encap_gre;
};
HV_ASSERT_SIZE(ndis_offload, 156);
HV_ASSERT_OFFSET(ndis_offload, csum, 4);
HV_ASSERT_OFFSET(ndis_offload, csum.ip4_txcsum, 8);
HV_ASSERT_OFFSET(ndis_offload, csum.ip6_txcsum, 24);
HV_ASSERT_OFFSET(ndis_offload, lsov1, 36);
HV_ASSERT_OFFSET(ndis_offload, ipsecv1, 52);
HV_ASSERT_OFFSET(ndis_offload, lsov2, 80);
HV_ASSERT_OFFSET(ndis_offload, lsov2.ip6_opts, 104);
HV_ASSERT_OFFSET(ndis_offload, flags, 108);
HV_ASSERT_OFFSET(ndis_offload, ipsecv2, 112);
HV_ASSERT_OFFSET(ndis_offload, rsc, 144);
HV_ASSERT_OFFSET(ndis_offload, encap_gre, 148);

#define NDIS_OFFLOAD_SIZE_6_0	112	/* up to ipsecv2 */
#define NDIS_OFFLOAD_SIZE_6_1	144	/* up to rsc */
#define NDIS_OFFLOAD_SIZE	156

/* OID_TCP_OFFLOAD_PARAMETERS data: one byte per offload, 0 "no change",
 * 1 "off", higher values turn a direction or the feature on. Guests with
 * NVSP <= v4 send only the first 22 bytes. */
#define NDIS_OFFLOAD_PARAMETERS_NO_CHANGE	0
#define NDIS_OFFLOAD_PARAMETERS_DISABLED	1

struct ndis_offload_params {
	struct ndis_object_header header;
	u8 ip_v4_csum;
	u8 tcp_ip_v4_csum;
	u8 udp_ip_v4_csum;
	u8 tcp_ip_v6_csum;
	u8 udp_ip_v6_csum;
	u8 lso_v1;
	u8 ip_sec_v1;
	u8 lso_v2_ipv4;
	u8 lso_v2_ipv6;
	u8 tcp_connection_ip_v4;
	u8 tcp_connection_ip_v6;
	u32 flags;
	u8 ip_sec_v2;
	u8 ip_sec_v2_ip_v4;
	u8 rsc_ip_v4;
	u8 rsc_ip_v6;
	u8 encapsulated_packet_task_offload;
	u8 encapsulation_types;
};
HV_ASSERT_SIZE(ndis_offload_params, 28);
HV_ASSERT_OFFSET(ndis_offload_params, ip_v4_csum, 4);
HV_ASSERT_OFFSET(ndis_offload_params, tcp_connection_ip_v6, 14);
HV_ASSERT_OFFSET(ndis_offload_params, flags, 16);
HV_ASSERT_OFFSET(ndis_offload_params, ip_sec_v2, 20);
HV_ASSERT_OFFSET(ndis_offload_params, rsc_ip_v4, 22);
HV_ASSERT_OFFSET(ndis_offload_params, rsc_ip_v6, 23);
HV_ASSERT_OFFSET(ndis_offload_params, encapsulation_types, 25);

#define VERSION_4_OFFLOAD_SIZE	22

/* OID_GEN_RNDIS_CONFIG_PARAMETER data: offsets count from this structure's
 * start. Linux sends name "NetworkAddress" and the new MAC as 12 hex
 * digits, both UTF-16LE, to change the adapter's address. */
struct rndis_config_parameter_info {
	u32 parameter_name_offset;
	u32 parameter_name_length;
	u32 parameter_type;
	u32 parameter_value_offset;
	u32 parameter_value_length;
};
HV_ASSERT_SIZE(rndis_config_parameter_info, 20);
HV_ASSERT_OFFSET(rndis_config_parameter_info, parameter_type, 8);
HV_ASSERT_OFFSET(rndis_config_parameter_info, parameter_value_length, 16);

#define RNDIS_CONFIG_PARAM_TYPE_INTEGER	0
#define RNDIS_CONFIG_PARAM_TYPE_STRING	2

#endif
