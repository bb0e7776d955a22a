/*
 * storvsp: the host side of one synthetic SCSI controller (VMBus class
 * ba6163d9-04a1-4d29-b605-72e2ffb1dc7f) for Linux's hv_storvsc. The
 * controller is one target (path 0, target 0) with up to STORVSP_MAX_LUNS
 * disks, each a LUN backed by one of the caller's backends.
 *
 * The caller owns the channels: it reads each packet from a ring, turns a
 * GPA_DIRECT packet's range into iovecs over guest RAM (already checked
 * against it), and calls storvsp_handle() with the payload after the
 * descriptor. req->kind then says what to do:
 *
 *	STORVSP_REPLY		send req->reply (64 bytes) as a COMPLETION
 *				packet with req->trans_id;
 *	STORVSP_IO		run req->io on backend req->io.disk, then call
 *				storvsp_io_done() and send req->reply likewise;
 *	STORVSP_SUBCHANNELS	offer req->subchannels sub-channels (same
 *				GUIDs, offer indices 1..n), then send req->reply;
 *	STORVSP_IGNORE		send nothing; log req->why;
 *	STORVSP_FATAL		the guest broke the protocol: log req->why and
 *				close the channel.
 *
 * The handshake (BEGIN_INIT, QUERY_PROTOCOL_VERSION, QUERY_PROPERTIES,
 * END_INIT, then CREATE_SUB_CHANNELS) runs on the primary channel;
 * sub-channels carry SRBs from the start. Only primary-channel calls
 * change struct storvsp, and sub-channel calls read nothing that they
 * change, so each channel may run on its own thread without locks. Add
 * the disks before any channel opens.
 *
 * Nothing here allocates or does I/O; everything in a packet is hostile and
 * is read once, from the caller's payload into req.
 */
#ifndef SEPTUM_STORVSP_H
#define SEPTUM_STORVSP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "hv/storvsc.h"
#include "scsi.h"

#define STORVSP_MAX_LUNS 64
/* Sub-channels offered at most, whatever the VP count. */
#define STORVSP_MAX_SUBCHANNELS 15
/* QUERY_PROPERTIES' max_transfer_bytes: Linux sends nothing larger. */
#define STORVSP_MAX_TRANSFER SCSI_MAX_TRANSFER
/* Iovecs one request may need: one per page of the largest transfer, plus
 * one for a buffer that does not start on a page boundary. */
#define STORVSP_MAX_IOV (STORVSP_MAX_TRANSFER / 4096 + 1)

enum storvsp_init_state {
	STORVSP_WAIT_BEGIN,
	STORVSP_WAIT_VERSION,
	STORVSP_WAIT_PROPERTIES,
	STORVSP_WAIT_END,
	STORVSP_READY,
};

struct storvsp_lun {
	bool present;
	unsigned backend; /* the caller's index, echoed in req->io.disk */
	struct scsi_disk_info info;
};

struct storvsp {
	/* The controller: set up before the channels open, then read-only. */
	struct storvsp_lun lun[STORVSP_MAX_LUNS];
	uint16_t max_subchannels;
	/* The primary channel's handshake. */
	enum storvsp_init_state state;
	uint16_t version; /* negotiated, from STORVSP_WAIT_PROPERTIES on */
	bool subchannels_granted;
};

enum storvsp_kind {
	STORVSP_REPLY,
	STORVSP_IO,
	STORVSP_SUBCHANNELS,
	STORVSP_IGNORE,
	STORVSP_FATAL,
};

struct storvsp_io {
	unsigned disk;	      /* the LUN's backend index */
	enum scsi_io_op op;   /* READ, WRITE, FLUSH or DISCARD */
	uint64_t offset, len; /* bytes into the image */
	/* READ fills and WRITE takes exactly len bytes: the packet's iovecs
	 * cut to the request's length. Unused by FLUSH and DISCARD. */
	struct iovec iov[STORVSP_MAX_IOV];
	unsigned niov;
};

struct storvsp_req {
	enum storvsp_kind kind;
	uint64_t trans_id; /* the packet's, for the completion */
	struct vstor_packet reply;
	unsigned subchannels;	 /* STORVSP_SUBCHANNELS */
	struct storvsp_io io;	 /* STORVSP_IO */
	const char *why;	 /* STORVSP_IGNORE, STORVSP_FATAL: static text */
	struct scsi_result scsi; /* private: the SRB's result until completion */
};

/* nvp: the VM's virtual processors. Linux binds one channel to each CPU it
 * asks for, so the controller offers one sub-channel per VP beyond the
 * first, up to STORVSP_MAX_SUBCHANNELS. */
void storvsp_init(struct storvsp *s, unsigned nvp);

/* Puts a disk at LUN lun (< STORVSP_MAX_LUNS). Returns 0, or -EINVAL for a
 * bad LUN or description (scsi_disk_info_check), -EEXIST if taken. */
int storvsp_add_disk(struct storvsp *s, unsigned lun, unsigned backend,
		     const struct scsi_disk_info *info);

/*
 * One packet from a channel of the controller.
 * Parameters:
 *	primary		the packet came on the primary channel
 *	trans_id	its descriptor's trans_id (echoed in req->trans_id)
 *	payload, len	the bytes after the descriptor (and after the GPA
 *			range header for GPA_DIRECT)
 *	data, niov	GPA_DIRECT: the range as iovecs over guest RAM;
 *			INBAND: NULL, 0
 *	req		filled in; the caller's until the reply is sent
 * Return values: req->kind.
 */
enum storvsp_kind storvsp_handle(struct storvsp *s, bool primary, uint64_t trans_id,
				 const void *payload, uint32_t len, const struct iovec *data,
				 unsigned niov, struct storvsp_req *req);

/* The outcome of req->io: 0, or -errno (a short transfer is -EIO). Makes
 * req->reply the SRB's completion and req->kind STORVSP_REPLY. */
void storvsp_io_done(struct storvsp_req *req, int result);

#endif
