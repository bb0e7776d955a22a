/*
 * A SCSI direct-access logical unit backed by a flat disk image: the CDBs
 * a Linux 6.1 guest sends during its scan, sd probe and I/O (SPC-4, SBC-3;
 * VMBUS.md section 4), answered from the disk's description alone.
 *
 * scsi_execute() decodes one command. Commands that only describe the disk
 * finish at once: their data-in goes to the command's iovecs and the result
 * is final. Commands that touch the image (READ, WRITE, SYNCHRONIZE CACHE,
 * UNMAP) end with result.io set to the backend request to run; the caller
 * runs it and hands its outcome to scsi_io_done(), which makes the result
 * final. No I/O, no allocation, no state between commands (autosense
 * delivers every error, so REQUEST SENSE has nothing pending to report):
 * one scsi_disk_info can serve any number of threads at once.
 *
 * Every field of the command comes from the guest and is checked here; a
 * bad one is a CHECK CONDITION with fixed-format sense, never a crash.
 */
#ifndef SEPTUM_SCSI_H
#define SEPTUM_SCSI_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

/* SAM status */
#define SAM_STAT_GOOD		 0x00
#define SAM_STAT_CHECK_CONDITION 0x02

/* The opcodes a transport routes itself (see scsi_report_luns). */
#define SCSI_OP_INQUIRY	    0x12
#define SCSI_OP_REPORT_LUNS 0xA0

/* Sense keys (prefixed: glibc's <scsi/scsi.h> has the bare names) */
#define SCSI_SK_NO_SENSE	0x0
#define SCSI_SK_MEDIUM_ERROR	0x3
#define SCSI_SK_ILLEGAL_REQUEST 0x5
#define SCSI_SK_DATA_PROTECT	0x7

/* Additional sense codes (ASCQ 0 for all of them) */
#define SCSI_ASC_WRITE_ERROR		     0x0C
#define SCSI_ASC_UNRECOVERED_READ_ERROR	     0x11
#define SCSI_ASC_PARAMETER_LIST_LENGTH_ERROR 0x1A
#define SCSI_ASC_INVALID_COMMAND_OPCODE	     0x20
#define SCSI_ASC_LBA_OUT_OF_RANGE	     0x21
#define SCSI_ASC_INVALID_FIELD_IN_CDB	     0x24
#define SCSI_ASC_INVALID_FIELD_IN_PARAM_LIST 0x26
#define SCSI_ASC_WRITE_PROTECTED	     0x27
#define SCSI_ASC_SAVING_PARAMS_UNSUPPORTED   0x39

/* Fixed-format sense data (response code 0x70) with the additional sense
 * length covering ASC and ASCQ: fits the guest's 20-byte buffer. */
#define SCSI_SENSE_LEN 18

/* The unit's description; fixed while the VM runs. */
struct scsi_disk_info {
	uint64_t nblocks;    /* >= 1 */
	uint32_t block_size; /* 512, 1024, 2048 or 4096 */
	bool read_only;	     /* MODE SENSE WP; writes get DATA PROTECT */
	bool discard;	     /* the backend can discard: advertise UNMAP */
	char serial[21];     /* VPD 0x80, printable ASCII, NUL-terminated */
	uint8_t naa_id[8];   /* VPD 0x83 NAA designator; all zero: none */
};

/* Largest transfer one command may move (VPD 0xB0's MAXIMUM TRANSFER
 * LENGTH is derived from it); the transport enforces it too. */
#define SCSI_MAX_TRANSFER 0x40000u

enum scsi_dir {
	SCSI_DIR_NONE,
	SCSI_DIR_IN,  /* device to guest */
	SCSI_DIR_OUT, /* guest to device */
};

struct scsi_cmd {
	uint8_t cdb[16]; /* bytes past cdb_len are zero */
	uint8_t cdb_len; /* 1..16 */
	enum scsi_dir dir;
	/* The data buffer: exactly len bytes (<= SCSI_MAX_TRANSFER) over
	 * niov iovecs; len is 0 when dir is SCSI_DIR_NONE. */
	const struct iovec *iov;
	unsigned niov;
	uint32_t len;
};

enum scsi_io_op {
	SCSI_IO_NONE,	 /* the result is final */
	SCSI_IO_READ,	 /* image -> the command's iovecs */
	SCSI_IO_WRITE,	 /* the command's iovecs -> image */
	SCSI_IO_FLUSH,	 /* make earlier writes durable (whole image) */
	SCSI_IO_DISCARD, /* the range may read back as anything */
};

struct scsi_result {
	uint8_t status;	   /* SAM_STAT_* */
	uint8_t sense_len; /* 0 or SCSI_SENSE_LEN */
	uint8_t sense[SCSI_SENSE_LEN];
	uint32_t len; /* data bytes moved, <= cmd.len */
	enum scsi_io_op io;
	uint64_t io_offset, io_len; /* bytes into the image; READ/WRITE move
				     * exactly io_len == cmd.len bytes */
};

void scsi_execute(const struct scsi_disk_info *disk, const struct scsi_cmd *cmd,
		  struct scsi_result *res);

/* The backend's outcome for res->io: 0, or -errno (a short transfer is an
 * error). Failures become MEDIUM ERROR sense (unrecovered read error, or
 * write error for the rest); -EOPNOTSUPP on a discard becomes ILLEGAL
 * REQUEST, which makes Linux stop sending UNMAP. */
void scsi_io_done(struct scsi_result *res, int err);

/* The target's side, for the transport that owns the LUN map: REPORT LUNS
 * listing luns[0..n), n <= SCSI_REPORT_LUNS_MAX (whichever LUN it was sent
 * to), and INQUIRY for a LUN that does not exist (peripheral qualifier 3,
 * type 0x1F; vendor and product only for LUN 0). */
#define SCSI_REPORT_LUNS_MAX 256
void scsi_report_luns(const struct scsi_cmd *cmd, const uint8_t *luns, unsigned n,
		      struct scsi_result *res);
void scsi_inquiry_no_lun(const struct scsi_cmd *cmd, bool lun0, struct scsi_result *res);

/* Makes res a CHECK CONDITION with this sense and no data. */
void scsi_check_condition(struct scsi_result *res, uint8_t key, uint8_t asc);

/* 0 if the description is one scsi_execute can serve, else -EINVAL. */
int scsi_disk_info_check(const struct scsi_disk_info *disk);

#endif
