/*
 * storvsp (see storvsp.h): the VSTOR handshake and the SRB path of one
 * SCSI controller. The guest side it answers is Linux 6.1's
 * drivers/scsi/storvsc_drv.c; VMBUS.md section 4 summarises it.
 */
#include "storvsp.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

/* From WIN8 on the SRB is the 52-byte vmscsi_request, the only one Linux
 * 6.1 sends. Which of these it settles on changes nothing else for a
 * vendor other than "Msft" (storvsc_device_configure), so the first it
 * offers is taken. */
static bool version_supported(uint16_t version)
{
	return version == VMSTOR_PROTO_VERSION_WIN10 || version == VMSTOR_PROTO_VERSION_WIN8_1 ||
	       version == VMSTOR_PROTO_VERSION_WIN8;
}

void storvsp_init(struct storvsp *s, unsigned nvp)
{
	memset(s, 0, sizeof(*s));
	if (nvp > 1)
		s->max_subchannels =
		    nvp - 1 < STORVSP_MAX_SUBCHANNELS ? nvp - 1 : STORVSP_MAX_SUBCHANNELS;
	s->state = STORVSP_WAIT_BEGIN;
}

int storvsp_add_disk(struct storvsp *s, unsigned lun, unsigned backend,
		     const struct scsi_disk_info *info)
{
	if (lun >= STORVSP_MAX_LUNS || scsi_disk_info_check(info))
		return -EINVAL;
	if (s->lun[lun].present)
		return -EEXIST;
	s->lun[lun].present = true;
	s->lun[lun].backend = backend;
	s->lun[lun].info = *info;
	return 0;
}

/* Every answer is the request's own 64 bytes turned into a completion. */
static enum storvsp_kind reply(struct storvsp_req *req, uint32_t status)
{
	req->reply.operation = VSTOR_OPERATION_COMPLETE_IO;
	req->reply.flags = 0;
	req->reply.status = status;
	req->kind = STORVSP_REPLY;
	return req->kind;
}

static enum storvsp_kind drop(struct storvsp_req *req, enum storvsp_kind kind, const char *why)
{
	req->kind = kind;
	req->why = why;
	return kind;
}

static enum storvsp_kind handshake(struct storvsp *s, struct storvsp_req *req)
{
	struct vstor_packet *p = &req->reply;
	struct vmstorage_channel_properties *props = &p->storage_channel_properties;
	uint16_t n;

	switch (p->operation) {
	case VSTOR_OPERATION_BEGIN_INITIALIZATION:
		/* Starts over from any state: a guest that reloads its driver
		 * reopens the channel and begins again. */
		s->state = STORVSP_WAIT_VERSION;
		s->version = 0;
		s->subchannels_granted = false;
		return reply(req, NT_STATUS_SUCCESS);
	case VSTOR_OPERATION_QUERY_PROTOCOL_VERSION:
		if (s->state != STORVSP_WAIT_VERSION)
			return reply(req, NT_STATUS_INVALID_DEVICE_STATE);
		/* A refusal makes the guest offer its next version. */
		if (!version_supported(p->version.major_minor))
			return reply(req, NT_STATUS_REVISION_MISMATCH);
		s->version = p->version.major_minor;
		s->state = STORVSP_WAIT_PROPERTIES;
		return reply(req, NT_STATUS_SUCCESS);
	case VSTOR_OPERATION_QUERY_PROPERTIES:
		if (s->state != STORVSP_WAIT_PROPERTIES)
			return reply(req, NT_STATUS_INVALID_DEVICE_STATE);
		memset(p->buffer, 0, sizeof(p->buffer));
		props->max_channel_cnt = s->max_subchannels;
		props->flags = s->max_subchannels ? STORAGE_CHANNEL_SUPPORTS_MULTI_CHANNEL : 0;
		props->max_transfer_bytes = STORVSP_MAX_TRANSFER;
		s->state = STORVSP_WAIT_END;
		return reply(req, NT_STATUS_SUCCESS);
	case VSTOR_OPERATION_END_INITIALIZATION:
		if (s->state != STORVSP_WAIT_END)
			return reply(req, NT_STATUS_INVALID_DEVICE_STATE);
		s->state = STORVSP_READY;
		return reply(req, NT_STATUS_SUCCESS);
	default: /* CREATE_SUB_CHANNELS: Linux sends it once, after END_INIT */
		if (s->state != STORVSP_READY || s->subchannels_granted)
			return reply(req, NT_STATUS_INVALID_DEVICE_STATE);
		n = p->sub_channel_count;
		if (!n || n > s->max_subchannels)
			return reply(req, NT_STATUS_INVALID_PARAMETER);
		s->subchannels_granted = true;
		req->subchannels = n;
		reply(req, NT_STATUS_SUCCESS);
		req->kind = STORVSP_SUBCHANNELS;
		return req->kind;
	}
}

/* An SRB that never reached a unit. Linux fails it with DID_ERROR
 * (INVALID_REQUEST) or removes the unit (INVALID_LUN). */
static enum storvsp_kind srb_reject(struct storvsp_req *req, uint8_t srb_status)
{
	struct vmscsi_request *srb = &req->reply.vm_srb;

	srb->srb_status = srb_status;
	srb->scsi_status = SAM_STAT_GOOD;
	srb->sense_info_length = 0;
	srb->data_transfer_length = 0;
	return reply(req, NT_STATUS_SUCCESS);
}

/* The SRB's result from req->scsi: status, the bytes moved, and the sense
 * over the CDB, as much as the guest's buffer takes. */
static enum storvsp_kind srb_complete(struct storvsp_req *req)
{
	struct vmscsi_request *srb = &req->reply.vm_srb;
	const struct scsi_result *res = &req->scsi;
	uint8_t sense_len = res->sense_len;

	if (sense_len > srb->sense_info_length)
		sense_len = srb->sense_info_length;
	srb->scsi_status = res->status;
	srb->data_transfer_length = res->len;
	srb->sense_info_length = 0;
	srb->srb_status = res->status == SAM_STAT_GOOD ? SRB_STATUS_SUCCESS : SRB_STATUS_ERROR;
	if (res->status != SAM_STAT_GOOD && sense_len) {
		memset(srb->sense_data, 0, sizeof(srb->sense_data));
		memcpy(srb->sense_data, res->sense, sense_len);
		srb->sense_info_length = sense_len;
		srb->srb_status |= SRB_STATUS_AUTOSENSE_VALID;
	}
	return reply(req, NT_STATUS_SUCCESS);
}

/* The SRB's buffer is data_transfer_length bytes, which the packet's range
 * must cover: the iovecs are cut to it in req->io. */
static bool srb_buffer(struct storvsp_req *req, const struct iovec *data, unsigned niov,
		       struct scsi_cmd *cmd)
{
	uint32_t want = req->reply.vm_srb.data_transfer_length, got = 0;
	struct storvsp_io *io = &req->io;

	if (cmd->dir == SCSI_DIR_NONE)
		return want == 0;
	if (want > STORVSP_MAX_TRANSFER)
		return false;
	for (unsigned i = 0; i < niov && got < want; i++) {
		size_t k = data[i].iov_len < want - got ? data[i].iov_len : want - got;

		if (!k)
			continue;
		if (io->niov == STORVSP_MAX_IOV)
			return false;
		io->iov[io->niov].iov_base = data[i].iov_base;
		io->iov[io->niov].iov_len = k;
		io->niov++;
		got += k;
	}
	if (got < want)
		return false;
	cmd->iov = io->iov;
	cmd->niov = io->niov;
	cmd->len = want;
	return true;
}

/* The backend request scsi_execute asked for; the buffer is already in
 * req->io for a READ or WRITE. */
static enum storvsp_kind start_io(struct storvsp_req *req, unsigned backend)
{
	const struct scsi_result *res = &req->scsi;

	req->io.disk = backend;
	req->io.op = res->io;
	req->io.offset = res->io_offset;
	req->io.len = res->io_len;
	if (res->io != SCSI_IO_READ && res->io != SCSI_IO_WRITE)
		req->io.niov = 0;
	req->kind = STORVSP_IO;
	return req->kind;
}

static enum storvsp_kind execute_srb(struct storvsp *s, bool primary, uint32_t len,
				     const struct iovec *data, unsigned niov,
				     struct storvsp_req *req)
{
	static const enum scsi_dir dirs[] = {
	    [SCSI_IOCTL_DATA_OUT] = SCSI_DIR_OUT,
	    [SCSI_IOCTL_DATA_IN] = SCSI_DIR_IN,
	    [SCSI_IOCTL_DATA_UNSPECIFIED] = SCSI_DIR_NONE,
	};
	struct vmscsi_request *srb = &req->reply.vm_srb;
	struct scsi_result *res = &req->scsi;
	struct scsi_cmd cmd = {0};
	bool on_target = srb->path_id == 0 && srb->target_id == 0;
	const struct storvsp_lun *lun = NULL;

	if (primary && s->state != STORVSP_READY)
		return srb_reject(req, SRB_STATUS_INVALID_REQUEST);
	if (len < sizeof(req->reply) || srb->length != sizeof(*srb) || !srb->cdb_length ||
	    srb->cdb_length > STORVSC_MAX_CMD_LEN || srb->data_in > SCSI_IOCTL_DATA_UNSPECIFIED)
		return srb_reject(req, SRB_STATUS_INVALID_REQUEST);
	memcpy(cmd.cdb, srb->cdb, srb->cdb_length);
	cmd.cdb_len = srb->cdb_length;
	cmd.dir = dirs[srb->data_in];
	if (!srb_buffer(req, data, niov, &cmd)) {
		scsi_check_condition(res, SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_IN_CDB);
		return srb_complete(req);
	}
	if (on_target && srb->lun < STORVSP_MAX_LUNS && s->lun[srb->lun].present)
		lun = &s->lun[srb->lun];

	if (cmd.cdb[0] == SCSI_OP_REPORT_LUNS) {
		uint8_t luns[STORVSP_MAX_LUNS];
		unsigned n = 0;

		for (unsigned i = 0; on_target && i < STORVSP_MAX_LUNS; i++)
			if (s->lun[i].present)
				luns[n++] = i;
		scsi_report_luns(&cmd, luns, n, res);
	} else if (!lun) {
		/* storvsc turns any INQUIRY result into success, so a missing
		 * unit must say so in the data. */
		if (cmd.cdb[0] != SCSI_OP_INQUIRY)
			return srb_reject(req, SRB_STATUS_INVALID_LUN);
		scsi_inquiry_no_lun(&cmd, srb->lun == 0, res);
	} else {
		scsi_execute(&lun->info, &cmd, res);
		if (res->io != SCSI_IO_NONE)
			return start_io(req, lun->backend);
	}
	return srb_complete(req);
}

enum storvsp_kind storvsp_handle(struct storvsp *s, bool primary, uint64_t trans_id,
				 const void *payload, uint32_t len, const struct iovec *data,
				 unsigned niov, struct storvsp_req *req)
{
	memset(req, 0, sizeof(*req));
	req->trans_id = trans_id;
	if (len < VSTOR_PACKET_HEADER_SIZE)
		return drop(req, STORVSP_FATAL, "packet shorter than a vstor_packet header");
	/* Linux always sends all 64 bytes. The handshake reads at most 4 of
	 * the union, so a shorter packet reads as if zero-padded; an SRB must
	 * be whole. Anything past 64 bytes is not ours to read. */
	memcpy(&req->reply, payload, len < sizeof(req->reply) ? len : sizeof(req->reply));

	switch (req->reply.operation) {
	case VSTOR_OPERATION_EXECUTE_SRB:
		return execute_srb(s, primary, len, data, niov, req);
	case VSTOR_OPERATION_RESET_LUN:
	case VSTOR_OPERATION_RESET_ADAPTER:
	case VSTOR_OPERATION_RESET_BUS:
		/* Nothing is queued here; Linux then waits for its
		 * outstanding SRBs, which complete as usual. */
		return reply(req, NT_STATUS_SUCCESS);
	case VSTOR_OPERATION_BEGIN_INITIALIZATION:
	case VSTOR_OPERATION_END_INITIALIZATION:
	case VSTOR_OPERATION_QUERY_PROTOCOL_VERSION:
	case VSTOR_OPERATION_QUERY_PROPERTIES:
	case VSTOR_OPERATION_CREATE_SUB_CHANNELS:
		if (!primary)
			return reply(req, NT_STATUS_INVALID_DEVICE_STATE);
		return handshake(s, req);
	case VSTOR_OPERATION_COMPLETE_IO:
	case VSTOR_OPERATION_REMOVE_DEVICE:
	case VSTOR_OPERATION_ENUMERATE_BUS:
	case VSTOR_OPERATION_FCHBA_DATA:
		return drop(req, STORVSP_IGNORE, "host-to-guest operation sent by the guest");
	default:
		return drop(req, STORVSP_FATAL, "unknown vstor operation");
	}
}

void storvsp_io_done(struct storvsp_req *req, int result)
{
	scsi_io_done(&req->scsi, result);
	srb_complete(req);
}
