/* The VSTOR protocol that hv_storvsc speaks over a VMBus channel (Linux
 * drivers/scsi/storvsc_drv.c, v6.1): every packet, in both directions, is
 * one 64-byte vstor_packet. The guest sends EXECUTE_SRB as GPA_DIRECT when
 * data moves and INBAND otherwise; the host answers each with a COMPLETION
 * packet whose operation is COMPLETE_IO. Names are Linux's (the SRB codes
 * and flags are Windows' SCSI_REQUEST_BLOCK ones). */
#ifndef HV_STORVSC_H
#define HV_STORVSC_H

#include "hv/types.h"

/* Protocol versions, major << 8 | minor. Linux 6.1 offers WIN10, WIN8_1,
 * WIN8 in that order; from 6.1 on it sends the same 52-byte vmscsi_request
 * whichever it settles on (hosts before WIN8 took 36). */
#define VMSTOR_PROTO_VERSION(major, minor)	((((major) & 0xff) << 8) | ((minor) & 0xff))
#define VMSTOR_PROTO_VERSION_WIN6		VMSTOR_PROTO_VERSION(2, 0)
#define VMSTOR_PROTO_VERSION_WIN7		VMSTOR_PROTO_VERSION(4, 2)
#define VMSTOR_PROTO_VERSION_WIN8		VMSTOR_PROTO_VERSION(5, 1)
#define VMSTOR_PROTO_VERSION_WIN8_1		VMSTOR_PROTO_VERSION(6, 0)
#define VMSTOR_PROTO_VERSION_WIN10		VMSTOR_PROTO_VERSION(6, 2)

/* vstor_packet.operation */
#define VSTOR_OPERATION_COMPLETE_IO		1
#define VSTOR_OPERATION_REMOVE_DEVICE		2
#define VSTOR_OPERATION_EXECUTE_SRB		3
#define VSTOR_OPERATION_RESET_LUN		4
#define VSTOR_OPERATION_RESET_ADAPTER		5
#define VSTOR_OPERATION_RESET_BUS		6
#define VSTOR_OPERATION_BEGIN_INITIALIZATION	7
#define VSTOR_OPERATION_END_INITIALIZATION	8
#define VSTOR_OPERATION_QUERY_PROTOCOL_VERSION	9
#define VSTOR_OPERATION_QUERY_PROPERTIES	10
#define VSTOR_OPERATION_ENUMERATE_BUS		11
#define VSTOR_OPERATION_FCHBA_DATA		12
#define VSTOR_OPERATION_CREATE_SUB_CHANNELS	13

/* vstor_packet.flags */
#define REQUEST_COMPLETION_FLAG			0x1

/* The VMBus trans_ids of the guest's handshake packets and of its
 * RESET_BUS (Linux include/linux/hyperv.h VMBUS_RQST_*); SRBs carry the
 * blk-mq tag + 1, never 0. The guest drops a COMPLETE_IO with id 0. */
#define VMBUS_RQST_INIT		0xFFFFFFFFFFFFFFFDull
#define VMBUS_RQST_RESET	0xFFFFFFFFFFFFFFFCull

/* vstor_packet.status: NT status codes. The guest reads it only during the
 * handshake, where anything but success fails the step (a refused
 * version makes it try the next one). */
#define NT_STATUS_SUCCESS		0x00000000u
#define NT_STATUS_INVALID_PARAMETER	0xC000000Du
#define NT_STATUS_REVISION_MISMATCH	0xC0000059u
#define NT_STATUS_INVALID_DEVICE_STATE	0xC0000184u

/* vmscsi_request.srb_status: the code in bits 5:0 and two flags. */
#define SRB_STATUS_SUCCESS		0x01
#define SRB_STATUS_ABORTED		0x02
#define SRB_STATUS_ERROR		0x04
#define SRB_STATUS_INVALID_REQUEST	0x06
#define SRB_STATUS_DATA_OVERRUN		0x12
#define SRB_STATUS_INVALID_LUN		0x20
#define SRB_STATUS_QUEUE_FROZEN		0x40
#define SRB_STATUS_AUTOSENSE_VALID	0x80	/* sense_data holds sense_info_length bytes */

/* vmscsi_request.srb_flags (Linux sets DISABLE_SYNCH_TRANSFER always,
 * QUEUE_ACTION_ENABLE | NO_QUEUE_FREEZE for tagged devices, and the
 * direction). */
#define SRB_FLAGS_QUEUE_ACTION_ENABLE		0x00000002
#define SRB_FLAGS_DISABLE_DISCONNECT		0x00000004
#define SRB_FLAGS_DISABLE_SYNCH_TRANSFER	0x00000008
#define SRB_FLAGS_BYPASS_FROZEN_QUEUE		0x00000010
#define SRB_FLAGS_DISABLE_AUTOSENSE		0x00000020
#define SRB_FLAGS_DATA_IN			0x00000040
#define SRB_FLAGS_DATA_OUT			0x00000080
#define SRB_FLAGS_NO_QUEUE_FREEZE		0x00000100

/* vmscsi_request.data_in (Linux WRITE_TYPE, READ_TYPE, UNKNOWN_TYPE). */
#define SCSI_IOCTL_DATA_OUT		0
#define SCSI_IOCTL_DATA_IN		1
#define SCSI_IOCTL_DATA_UNSPECIFIED	2

#define STORVSC_MAX_CMD_LEN		16
#define STORVSC_SENSE_BUFFER_SIZE	20

/* vmstorage_channel_properties.flags */
#define STORAGE_CHANNEL_SUPPORTS_MULTI_CHANNEL	0x1

struct vmscsi_request {
	u16 length;		/* sizeof(struct vmscsi_request) */
	u8 srb_status;
	u8 scsi_status;
	u8 port_number;		/* the guest's SCSI host number */
	u8 path_id;		/* Linux: the SCSI channel, 0-7 */
	u8 target_id;		/* 0-1 */
	u8 lun;
	u8 cdb_length;
	u8 sense_info_length;	/* guest: its buffer (20); host: bytes of sense */
	u8 data_in;		/* SCSI_IOCTL_DATA_* */
	u8 reserved;
	u32 data_transfer_length; /* guest: buffer bytes; host: bytes moved */
	union {
		u8 cdb[STORVSC_MAX_CMD_LEN];
		u8 sense_data[STORVSC_SENSE_BUFFER_SIZE]; /* in the completion */
	};
	/* Added in WIN8. */
	u16 reserve;
	u8 queue_tag;		/* 0xFF untagged */
	u8 queue_action;	/* 0x20 simple tag */
	u32 srb_flags;		/* SRB_FLAGS_* */
	u32 time_out_value;	/* seconds (60) */
	u32 queue_sort_key;
};
HV_ASSERT_SIZE(vmscsi_request, 52);
HV_ASSERT_OFFSET(vmscsi_request, length, 0);
HV_ASSERT_OFFSET(vmscsi_request, srb_status, 2);
HV_ASSERT_OFFSET(vmscsi_request, scsi_status, 3);
HV_ASSERT_OFFSET(vmscsi_request, port_number, 4);
HV_ASSERT_OFFSET(vmscsi_request, path_id, 5);
HV_ASSERT_OFFSET(vmscsi_request, target_id, 6);
HV_ASSERT_OFFSET(vmscsi_request, lun, 7);
HV_ASSERT_OFFSET(vmscsi_request, cdb_length, 8);
HV_ASSERT_OFFSET(vmscsi_request, sense_info_length, 9);
HV_ASSERT_OFFSET(vmscsi_request, data_in, 10);
HV_ASSERT_OFFSET(vmscsi_request, reserved, 11);
HV_ASSERT_OFFSET(vmscsi_request, data_transfer_length, 12);
HV_ASSERT_OFFSET(vmscsi_request, cdb, 16);
HV_ASSERT_OFFSET(vmscsi_request, sense_data, 16);
HV_ASSERT_OFFSET(vmscsi_request, reserve, 36);
HV_ASSERT_OFFSET(vmscsi_request, queue_tag, 38);
HV_ASSERT_OFFSET(vmscsi_request, queue_action, 39);
HV_ASSERT_OFFSET(vmscsi_request, srb_flags, 40);
HV_ASSERT_OFFSET(vmscsi_request, time_out_value, 44);
HV_ASSERT_OFFSET(vmscsi_request, queue_sort_key, 48);

/* The answer to QUERY_PROPERTIES. Linux takes max_transfer_bytes rounded
 * down to 4 KiB as its largest request (max_sectors = that / 512,
 * sg_tablesize = that / 4096 + 1) and, if the flag is set, asks for
 * min(online CPUs - 1, max_channel_cnt) sub-channels after END_INIT.
 * Linux's u64 reserved2 is two u32s here, so the packet needs no packing. */
struct vmstorage_channel_properties {
	u32 reserved;
	u16 max_channel_cnt;
	u16 reserved1;
	u32 flags;
	u32 max_transfer_bytes;
	u32 reserved2[2];
};
HV_ASSERT_SIZE(vmstorage_channel_properties, 24);
HV_ASSERT_OFFSET(vmstorage_channel_properties, reserved, 0);
HV_ASSERT_OFFSET(vmstorage_channel_properties, max_channel_cnt, 4);
HV_ASSERT_OFFSET(vmstorage_channel_properties, reserved1, 6);
HV_ASSERT_OFFSET(vmstorage_channel_properties, flags, 8);
HV_ASSERT_OFFSET(vmstorage_channel_properties, max_transfer_bytes, 12);
HV_ASSERT_OFFSET(vmstorage_channel_properties, reserved2, 16);

struct vmstorage_protocol_version {
	u16 major_minor;
	u16 revision;		/* Windows build stamp; Linux sends 0 */
};
HV_ASSERT_SIZE(vmstorage_protocol_version, 4);
HV_ASSERT_OFFSET(vmstorage_protocol_version, major_minor, 0);
HV_ASSERT_OFFSET(vmstorage_protocol_version, revision, 2);

/* FCHBA_DATA, for the synthetic Fibre Channel class only. */
struct hv_fc_wwn_packet {
	u8 primary_active;
	u8 reserved1[3];
	u8 primary_port_wwn[8];
	u8 primary_node_wwn[8];
	u8 secondary_port_wwn[8];
	u8 secondary_node_wwn[8];
};
HV_ASSERT_SIZE(hv_fc_wwn_packet, 36);
HV_ASSERT_OFFSET(hv_fc_wwn_packet, primary_port_wwn, 4);
HV_ASSERT_OFFSET(hv_fc_wwn_packet, secondary_node_wwn, 28);

#define VSTOR_PACKET_HEADER_SIZE	12	/* operation, flags, status */

struct vstor_packet {
	u32 operation;		/* VSTOR_OPERATION_* */
	u32 flags;		/* REQUEST_COMPLETION_FLAG */
	u32 status;		/* NT_STATUS_*, host to guest */
	union {
		struct vmscsi_request vm_srb;
		struct vmstorage_channel_properties storage_channel_properties;
		struct vmstorage_protocol_version version;
		struct hv_fc_wwn_packet wwn_packet;
		u16 sub_channel_count;	/* CREATE_SUB_CHANNELS */
		u8 buffer[0x34];
	};
};
HV_ASSERT_SIZE(vstor_packet, 64);
HV_ASSERT_OFFSET(vstor_packet, operation, 0);
HV_ASSERT_OFFSET(vstor_packet, flags, 4);
HV_ASSERT_OFFSET(vstor_packet, status, 8);
HV_ASSERT_OFFSET(vstor_packet, vm_srb, VSTOR_PACKET_HEADER_SIZE);
HV_ASSERT_OFFSET(vstor_packet, storage_channel_properties, 12);
HV_ASSERT_OFFSET(vstor_packet, version, 12);
HV_ASSERT_OFFSET(vstor_packet, wwn_packet, 12);
HV_ASSERT_OFFSET(vstor_packet, sub_channel_count, 12);
HV_ASSERT_OFFSET(vstor_packet, buffer, 12);

#endif
