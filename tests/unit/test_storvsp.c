/* Unit tests for storvsp (root/vsp/storvsp.c): the handshake exactly as
 * Linux 6.1's storvsc_channel_init and handle_multichannel_storage run it,
 * version refusal, the properties, sub-channels; then SRBs as
 * storvsc_queuecommand builds them: the scan of every channel and target,
 * READ/WRITE mapped to backend requests across iovecs, completions byte by
 * byte, missing LUNs, and malformed packets of every kind. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "unit.h"
#include <cmocka.h> /* needs the four above first */

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "storvsp.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define BACKEND_LUN0 3
#define BACKEND_LUN5 7
#define SRB_TRANS_ID 42 /* blk-mq tag 41 + 1 */

static struct storvsp s;
static struct storvsp_req req;
static struct scsi_disk_info disk;
static uint8_t buf[8192];
static struct iovec iov[256];

static int setup(void **state)
{
	(void)state;
	memset(&disk, 0, sizeof(disk));
	disk.nblocks = 2097152;
	disk.block_size = 512;
	disk.discard = true;
	strcpy(disk.serial, "LUN0");
	storvsp_init(&s, 4);
	assert_int_equal(storvsp_add_disk(&s, 0, BACKEND_LUN0, &disk), 0);
	strcpy(disk.serial, "LUN5");
	assert_int_equal(storvsp_add_disk(&s, 5, BACKEND_LUN5, &disk), 0);
	memset(buf, 0xCC, sizeof(buf));
	return 0;
}

static const uint8_t *reply_bytes(void)
{
	return (const uint8_t *)&req.reply;
}

static uint32_t le32_at(size_t off)
{
	uint32_t v;

	memcpy(&v, reply_bytes() + off, 4);
	return v;
}

static uint16_t le16_at(size_t off)
{
	uint16_t v;

	memcpy(&v, reply_bytes() + off, 2);
	return v;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* storvsc_execute_vstor_op: INBAND, completion requested, VMBUS_RQST_INIT;
 * returns the reply's status. */
static uint32_t init_op(uint32_t op, struct vstor_packet *p)
{
	p->operation = op;
	p->flags = REQUEST_COMPLETION_FLAG;
	storvsp_handle(&s, true, VMBUS_RQST_INIT, p, sizeof(*p), NULL, 0, &req);
	assert_true(req.kind == STORVSP_REPLY || req.kind == STORVSP_SUBCHANNELS);
	assert_int_equal(req.trans_id, VMBUS_RQST_INIT);
	assert_int_equal(sizeof(req.reply), 64);
	assert_int_equal(le32_at(0), VSTOR_OPERATION_COMPLETE_IO);
	return le32_at(8);
}

static uint32_t simple_op(uint32_t op)
{
	struct vstor_packet p = {0};

	return init_op(op, &p);
}

/* storvsc_channel_init + handle_multichannel_storage on a guest with
 * ncpus online CPUs; returns the sub-channels it asked for (0: none). */
static unsigned linux_handshake(unsigned ncpus)
{
	static const uint16_t versions[] = {
	    VMSTOR_PROTO_VERSION_WIN10,
	    VMSTOR_PROTO_VERSION_WIN8_1,
	    VMSTOR_PROTO_VERSION_WIN8,
	};
	struct vstor_packet p;
	uint16_t max_chns;
	uint32_t flags;
	unsigned num_sc;
	uint32_t status = 1;

	assert_int_equal(simple_op(VSTOR_OPERATION_BEGIN_INITIALIZATION), 0);
	assert_int_equal(req.kind, STORVSP_REPLY);
	for (unsigned i = 0; i < ARRAY_SIZE(versions) && status; i++) {
		memset(&p, 0, sizeof(p));
		p.version.major_minor = versions[i];
		status = init_op(VSTOR_OPERATION_QUERY_PROTOCOL_VERSION, &p);
		assert_int_equal(req.kind, STORVSP_REPLY);
	}
	assert_int_equal(status, 0);
	assert_int_equal(simple_op(VSTOR_OPERATION_QUERY_PROPERTIES), 0);
	max_chns = le16_at(16);
	flags = le32_at(20);
	assert_int_equal(le32_at(24), 0x40000); /* max_transfer_bytes */
	assert_int_equal(simple_op(VSTOR_OPERATION_END_INITIALIZATION), 0);
	assert_int_equal(req.kind, STORVSP_REPLY);
	if (!(flags & STORAGE_CHANNEL_SUPPORTS_MULTI_CHANNEL))
		return 0;
	num_sc = ncpus - 1 < max_chns ? ncpus - 1 : max_chns;
	if (!num_sc)
		return 0;
	memset(&p, 0, sizeof(p));
	p.sub_channel_count = num_sc;
	assert_int_equal(init_op(VSTOR_OPERATION_CREATE_SUB_CHANNELS, &p), 0);
	assert_int_equal(req.kind, STORVSP_SUBCHANNELS);
	assert_int_equal(req.subchannels, num_sc);
	return num_sc;
}

/* storvsc_queuecommand for a tagged disk. */
static void srb_packet(struct vstor_packet *p, uint8_t lun, const uint8_t *cdb, uint8_t cdb_len,
		       uint8_t data_in, uint32_t len)
{
	static const uint32_t dir_flags[] = {SRB_FLAGS_DATA_OUT, SRB_FLAGS_DATA_IN, 0};

	memset(p, 0, sizeof(*p));
	p->operation = VSTOR_OPERATION_EXECUTE_SRB;
	p->flags = REQUEST_COMPLETION_FLAG;
	p->vm_srb.length = sizeof(struct vmscsi_request);
	p->vm_srb.sense_info_length = STORVSC_SENSE_BUFFER_SIZE;
	p->vm_srb.port_number = 2;
	p->vm_srb.lun = lun;
	p->vm_srb.cdb_length = cdb_len;
	p->vm_srb.data_in = data_in;
	p->vm_srb.data_transfer_length = len;
	memcpy(p->vm_srb.cdb, cdb, cdb_len);
	p->vm_srb.srb_flags = SRB_FLAGS_DISABLE_SYNCH_TRANSFER | SRB_FLAGS_QUEUE_ACTION_ENABLE |
			      SRB_FLAGS_NO_QUEUE_FREEZE |
			      (data_in < ARRAY_SIZE(dir_flags) ? dir_flags[data_in] : 0);
	p->vm_srb.queue_tag = 0xFF;
	p->vm_srb.queue_action = 0x20;
	p->vm_srb.time_out_value = 60;
}

static enum storvsp_kind send_srb(bool primary, const struct vstor_packet *p,
				  const struct iovec *data, unsigned niov)
{
	return storvsp_handle(&s, primary, SRB_TRANS_ID, p, sizeof(*p), data, niov, &req);
}

/* A data-in command into buf, one iovec of len bytes. */
static void srb_in(uint8_t path, uint8_t target, uint8_t lun, const uint8_t *cdb, uint8_t cdb_len,
		   uint32_t len)
{
	struct vstor_packet p;

	srb_packet(&p, lun, cdb, cdb_len, len ? SCSI_IOCTL_DATA_IN : SCSI_IOCTL_DATA_UNSPECIFIED,
		   len);
	p.vm_srb.path_id = path;
	p.vm_srb.target_id = target;
	memset(buf, 0xCC, sizeof(buf));
	iov[0] = (struct iovec){buf, len};
	assert_int_equal(send_srb(true, &p, iov, len ? 1 : 0), STORVSP_REPLY);
}

static void assert_completion(uint8_t srb_status, uint8_t scsi_status, uint32_t len)
{
	assert_int_equal(req.kind, STORVSP_REPLY);
	assert_int_equal(req.trans_id, SRB_TRANS_ID);
	assert_int_equal(le32_at(0), VSTOR_OPERATION_COMPLETE_IO);
	assert_int_equal(le32_at(8), 0);
	assert_int_equal(reply_bytes()[12 + 2], srb_status);
	assert_int_equal(reply_bytes()[12 + 3], scsi_status);
	assert_int_equal(le32_at(12 + 12), len);
	if (!(srb_status & SRB_STATUS_AUTOSENSE_VALID))
		assert_int_equal(reply_bytes()[12 + 9], 0);
}

/* CHECK CONDITION with fixed-format sense at the CDB's place (+28). */
static void assert_sense(uint8_t key, uint8_t asc)
{
	assert_completion(SRB_STATUS_ERROR | SRB_STATUS_AUTOSENSE_VALID, SAM_STAT_CHECK_CONDITION,
			  0);
	assert_int_equal(reply_bytes()[12 + 9], SCSI_SENSE_LEN);
	assert_int_equal(reply_bytes()[28], 0x70);
	assert_int_equal(reply_bytes()[28 + 2], key);
	assert_int_equal(reply_bytes()[28 + 7], 10);
	assert_int_equal(reply_bytes()[28 + 12], asc);
	assert_int_equal(reply_bytes()[28 + 18], 0);
	assert_int_equal(reply_bytes()[28 + 19], 0);
}

/* ---- handshake ---- */

static void test_linux_handshake(void **state)
{
	(void)state;
	assert_int_equal(linux_handshake(4), 3);
	assert_int_equal(s.version, VMSTOR_PROTO_VERSION_WIN10);
	assert_int_equal(s.state, STORVSP_READY);
	/* The reply to the version query echoes it. */
	{
		struct vstor_packet p = {0};

		assert_int_equal(simple_op(VSTOR_OPERATION_BEGIN_INITIALIZATION), 0);
		p.version.major_minor = VMSTOR_PROTO_VERSION_WIN10;
		assert_int_equal(init_op(VSTOR_OPERATION_QUERY_PROTOCOL_VERSION, &p), 0);
		assert_int_equal(le16_at(12), VMSTOR_PROTO_VERSION_WIN10);
		assert_int_equal(le16_at(14), 0);
	}
}

static void test_properties(void **state)
{
	(void)state;
	linux_handshake(1);
	/* Re-run to look at the raw properties reply. */
	simple_op(VSTOR_OPERATION_BEGIN_INITIALIZATION);
	{
		struct vstor_packet p = {0};

		p.version.major_minor = VMSTOR_PROTO_VERSION_WIN8_1;
		assert_int_equal(init_op(VSTOR_OPERATION_QUERY_PROTOCOL_VERSION, &p), 0);
	}
	memset(&req, 0xAA, sizeof(req));
	assert_int_equal(simple_op(VSTOR_OPERATION_QUERY_PROPERTIES), 0);
	assert_int_equal(le32_at(12), 0);	/* reserved */
	assert_int_equal(le16_at(16), 3);	/* max_channel_cnt: 4 VPs - 1 */
	assert_int_equal(le16_at(18), 0);	/* reserved1 */
	assert_int_equal(le32_at(20), 1);	/* multi-channel */
	assert_int_equal(le32_at(24), 0x40000); /* 256 KiB */
	for (size_t i = 28; i < 64; i++)
		assert_int_equal(reply_bytes()[i], 0);

	/* One VP: no sub-channels, no multi-channel flag. */
	storvsp_init(&s, 1);
	assert_int_equal(linux_handshake(8), 0);
	storvsp_init(&s, 0);
	assert_int_equal(linux_handshake(8), 0);
	/* Many VPs: capped. */
	storvsp_init(&s, 200);
	assert_int_equal(linux_handshake(256), STORVSP_MAX_SUBCHANNELS);
	/* The guest asks for fewer when it has fewer CPUs. */
	storvsp_init(&s, 16);
	assert_int_equal(linux_handshake(3), 2);
}

static void test_version_refusal(void **state)
{
	static const uint16_t refused[] = {0x0700, VMSTOR_PROTO_VERSION_WIN7,
					   VMSTOR_PROTO_VERSION_WIN6, 0x0601, 0};
	struct vstor_packet p = {0};

	(void)state;
	assert_int_equal(simple_op(VSTOR_OPERATION_BEGIN_INITIALIZATION), 0);
	for (unsigned i = 0; i < ARRAY_SIZE(refused); i++) {
		p.version.major_minor = refused[i];
		assert_int_equal(init_op(VSTOR_OPERATION_QUERY_PROTOCOL_VERSION, &p),
				 NT_STATUS_REVISION_MISMATCH);
		assert_int_equal(req.kind, STORVSP_REPLY);
		assert_int_equal(le16_at(12), refused[i]);
		assert_int_equal(s.state, STORVSP_WAIT_VERSION);
	}
	/* Nothing negotiated yet: the next steps are out of order. */
	assert_int_equal(simple_op(VSTOR_OPERATION_QUERY_PROPERTIES),
			 NT_STATUS_INVALID_DEVICE_STATE);
	assert_int_equal(simple_op(VSTOR_OPERATION_END_INITIALIZATION),
			 NT_STATUS_INVALID_DEVICE_STATE);
	p.version.major_minor = VMSTOR_PROTO_VERSION_WIN8;
	assert_int_equal(init_op(VSTOR_OPERATION_QUERY_PROTOCOL_VERSION, &p), 0);
	assert_int_equal(s.version, VMSTOR_PROTO_VERSION_WIN8);
	/* Once agreed, no second version. */
	assert_int_equal(init_op(VSTOR_OPERATION_QUERY_PROTOCOL_VERSION, &p),
			 NT_STATUS_INVALID_DEVICE_STATE);
}

static void test_handshake_order(void **state)
{
	struct vstor_packet p = {0};

	(void)state;
	/* Before BEGIN_INIT nothing but BEGIN_INIT goes. */
	p.version.major_minor = VMSTOR_PROTO_VERSION_WIN10;
	assert_int_equal(init_op(VSTOR_OPERATION_QUERY_PROTOCOL_VERSION, &p),
			 NT_STATUS_INVALID_DEVICE_STATE);
	assert_int_equal(simple_op(VSTOR_OPERATION_END_INITIALIZATION),
			 NT_STATUS_INVALID_DEVICE_STATE);
	assert_int_equal(s.state, STORVSP_WAIT_BEGIN);
	/* The handshake belongs to the primary channel. */
	p.operation = VSTOR_OPERATION_BEGIN_INITIALIZATION;
	assert_int_equal(storvsp_handle(&s, false, VMBUS_RQST_INIT, &p, sizeof(p), NULL, 0, &req),
			 STORVSP_REPLY);
	assert_int_equal(le32_at(8), NT_STATUS_INVALID_DEVICE_STATE);
	assert_int_equal(s.state, STORVSP_WAIT_BEGIN);
	/* BEGIN_INIT starts over from anywhere. */
	linux_handshake(4);
	assert_int_equal(simple_op(VSTOR_OPERATION_BEGIN_INITIALIZATION), 0);
	assert_int_equal(s.state, STORVSP_WAIT_VERSION);
	assert_int_equal(linux_handshake(4), 3);
}

static void test_subchannel_request(void **state)
{
	struct vstor_packet p = {0};

	(void)state;
	assert_int_equal(linux_handshake(1), 0); /* a 1-CPU guest asks for none */
	p.sub_channel_count = 0;
	assert_int_equal(init_op(VSTOR_OPERATION_CREATE_SUB_CHANNELS, &p),
			 NT_STATUS_INVALID_PARAMETER);
	p.sub_channel_count = 4;
	assert_int_equal(init_op(VSTOR_OPERATION_CREATE_SUB_CHANNELS, &p),
			 NT_STATUS_INVALID_PARAMETER);
	assert_int_equal(req.kind, STORVSP_REPLY);
	p.sub_channel_count = 2;
	assert_int_equal(init_op(VSTOR_OPERATION_CREATE_SUB_CHANNELS, &p), 0);
	assert_int_equal(req.kind, STORVSP_SUBCHANNELS);
	assert_int_equal(req.subchannels, 2);
	/* Once per handshake. */
	assert_int_equal(init_op(VSTOR_OPERATION_CREATE_SUB_CHANNELS, &p),
			 NT_STATUS_INVALID_DEVICE_STATE);
	assert_int_equal(req.kind, STORVSP_REPLY);
	/* Not before END_INIT, and not on a sub-channel. */
	simple_op(VSTOR_OPERATION_BEGIN_INITIALIZATION);
	assert_int_equal(init_op(VSTOR_OPERATION_CREATE_SUB_CHANNELS, &p),
			 NT_STATUS_INVALID_DEVICE_STATE);
	p.operation = VSTOR_OPERATION_CREATE_SUB_CHANNELS;
	assert_int_equal(storvsp_handle(&s, false, VMBUS_RQST_INIT, &p, sizeof(p), NULL, 0, &req),
			 STORVSP_REPLY);
	assert_int_equal(le32_at(8), NT_STATUS_INVALID_DEVICE_STATE);
}

static void test_resets(void **state)
{
	struct vstor_packet p = {0};
	static const uint32_t ops[] = {VSTOR_OPERATION_RESET_BUS, VSTOR_OPERATION_RESET_ADAPTER,
				       VSTOR_OPERATION_RESET_LUN};

	(void)state;
	linux_handshake(4);
	for (unsigned i = 0; i < ARRAY_SIZE(ops); i++) {
		for (int primary = 0; primary < 2; primary++) {
			p.operation = ops[i];
			p.flags = REQUEST_COMPLETION_FLAG;
			assert_int_equal(storvsp_handle(&s, primary, VMBUS_RQST_RESET, &p,
							sizeof(p), NULL, 0, &req),
					 STORVSP_REPLY);
			assert_int_equal(req.trans_id, VMBUS_RQST_RESET);
			assert_int_equal(le32_at(0), VSTOR_OPERATION_COMPLETE_IO);
			assert_int_equal(le32_at(8), 0);
		}
	}
}

/* ---- SRBs ---- */

static void test_srb_channel_state(void **state)
{
	uint8_t tur[6] = {0};
	struct vstor_packet p;

	(void)state;
	srb_packet(&p, 0, tur, 6, SCSI_IOCTL_DATA_UNSPECIFIED, 0);
	/* The primary takes SRBs only once initialised... */
	assert_int_equal(send_srb(true, &p, NULL, 0), STORVSP_REPLY);
	assert_completion(SRB_STATUS_INVALID_REQUEST, 0, 0);
	/* ...sub-channels from the start. */
	assert_int_equal(send_srb(false, &p, NULL, 0), STORVSP_REPLY);
	assert_completion(SRB_STATUS_SUCCESS, 0, 0);
	linux_handshake(4);
	assert_int_equal(send_srb(true, &p, NULL, 0), STORVSP_REPLY);
	assert_completion(SRB_STATUS_SUCCESS, 0, 0);
	/* The completion echoes the request around the status. */
	assert_int_equal(reply_bytes()[12 + 4], 2);  /* port */
	assert_int_equal(reply_bytes()[12 + 8], 6);  /* cdb_length */
	assert_int_equal(reply_bytes()[12 + 10], 2); /* data_in */
	assert_int_equal(le32_at(12 + 44), 60);	     /* time_out_value */
}

/* __scsi_scan_target for every channel and target, as scsi_scan_host does:
 * INQUIRY at LUN 0, then REPORT LUNS, then INQUIRY at each LUN listed. */
static void test_linux_scan(void **state)
{
	uint8_t inquiry[6] = {0x12, 0, 0, 0, 36, 0};
	uint8_t report_luns[12] = {0xA0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0};
	unsigned found = 0;

	(void)state;
	linux_handshake(4);
	for (uint8_t path = 0; path < 8; path++) {
		for (uint8_t target = 0; target < 2; target++) {
			uint8_t luns[64];
			uint32_t n;

			srb_in(path, target, 0, inquiry, 6, 36);
			assert_completion(SRB_STATUS_SUCCESS, 0, 36);
			if (path || target) {
				/* PQ 3 at LUN 0: a target without units. */
				assert_int_equal(buf[0], 0x7F);
			} else {
				assert_int_equal(buf[0], 0x00);
				assert_int_equal(buf[4] + 5, 74);
			}
			srb_in(path, target, 0, report_luns, 12, 4096);
			n = be32(buf) / 8;
			assert_completion(SRB_STATUS_SUCCESS, 0, 8 + 8 * n);
			assert_true(n <= ARRAY_SIZE(luns));
			for (uint32_t i = 0; i < n; i++)
				luns[i] = buf[8 + 8 * i + 1];
			for (uint32_t i = 0; i < n; i++) {
				srb_in(path, target, luns[i], inquiry, 6, 36);
				assert_completion(SRB_STATUS_SUCCESS, 0, 36);
				assert_int_equal(buf[0], 0x00);
				found |= 1u << luns[i];
			}
		}
	}
	assert_int_equal(found, 1u << 0 | 1u << 5);
}

static void test_missing_lun(void **state)
{
	uint8_t inquiry[6] = {0x12, 0, 0, 0, 36, 0};
	uint8_t tur[6] = {0};
	uint8_t read10[10] = {0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0};
	/* LUN 1 is empty, 64 and 255 are beyond the controller. */
	static const uint8_t luns[] = {1, 4, 63, 64, 255};
	struct vstor_packet p;

	(void)state;
	linux_handshake(4);
	for (unsigned i = 0; i < ARRAY_SIZE(luns); i++) {
		srb_in(0, 0, luns[i], inquiry, 6, 36);
		assert_completion(SRB_STATUS_SUCCESS, 0, 36);
		assert_int_equal(buf[0], 0x7F);
		assert_int_equal(buf[8], 0); /* no vendor past LUN 0 */
		/* Anything else: INVALID_LUN, and Linux removes the device. */
		srb_in(0, 0, luns[i], tur, 6, 0);
		assert_completion(SRB_STATUS_INVALID_LUN, 0, 0);
		srb_packet(&p, luns[i], read10, 10, SCSI_IOCTL_DATA_IN, 512);
		iov[0] = (struct iovec){buf, 512};
		assert_int_equal(send_srb(false, &p, iov, 1), STORVSP_REPLY);
		assert_completion(SRB_STATUS_INVALID_LUN, 0, 0);
	}
	/* A real LUN on another target is still missing. */
	srb_in(0, 1, 5, tur, 6, 0);
	assert_completion(SRB_STATUS_INVALID_LUN, 0, 0);
	srb_in(3, 0, 0, inquiry, 6, 36);
	assert_int_equal(buf[0], 0x7F);
	assert_memory_equal(buf + 8, "SEPTUM  ", 8);
}

/* sd_revalidate_disk through the channel: capacity, VPD, mode pages. */
static void test_sd_probe(void **state)
{
	uint8_t tur[6] = {0};
	uint8_t rc16[16] = {0x9E, 0x10, [13] = 32};
	uint8_t b2[6] = {0x12, 1, 0xB2, 0, 8, 0};
	uint8_t b0[6] = {0x12, 1, 0xB0, 0, 64, 0};
	uint8_t b1[6] = {0x12, 1, 0xB1, 0, 64, 0};
	uint8_t ms_all[6] = {0x1A, 0, 0x3F, 0, 4, 0};
	uint8_t ms_cache[6] = {0x1A, 0, 0x08, 0, 24, 0};

	(void)state;
	linux_handshake(4);
	srb_in(0, 0, 5, tur, 6, 0);
	assert_completion(SRB_STATUS_SUCCESS, 0, 0);
	srb_in(0, 0, 5, rc16, 16, 32);
	assert_completion(SRB_STATUS_SUCCESS, 0, 32);
	assert_int_equal(be32(buf + 4), 2097152 - 1);
	assert_int_equal(be32(buf + 8), 512);
	assert_int_equal(buf[14], 0x80);
	srb_in(0, 0, 5, b2, 6, 8);
	assert_completion(SRB_STATUS_SUCCESS, 0, 8);
	assert_int_equal(buf[5], 0x80);
	srb_in(0, 0, 5, b0, 6, 64);
	assert_completion(SRB_STATUS_SUCCESS, 0, 64);
	srb_in(0, 0, 5, b1, 6, 64);
	assert_completion(SRB_STATUS_SUCCESS, 0, 64);
	srb_in(0, 0, 5, ms_all, 6, 4);
	assert_completion(SRB_STATUS_SUCCESS, 0, 4);
	assert_int_equal(buf[2], 0);
	srb_in(0, 0, 5, ms_cache, 6, 24);
	assert_completion(SRB_STATUS_SUCCESS, 0, 24);
	assert_int_equal(buf[6] & 0x04, 0x04);
	/* An unlisted VPD page: storvsc would call it success, so the length
	 * must say nothing came. */
	b2[2] = 0xB9;
	b2[4] = 4;
	srb_in(0, 0, 5, b2, 6, 4);
	assert_sense(SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_IN_CDB);
}

static void test_read_write_mapping(void **state)
{
	uint8_t read10[10] = {0x28, 0, 0, 0, 0, 100, 0, 0, 8, 0}; /* 8 blocks at LBA 100 */
	uint8_t write16[16] = {0x8A, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0};
	struct vstor_packet p;

	(void)state;
	linux_handshake(4);
	srb_packet(&p, 5, read10, 10, SCSI_IOCTL_DATA_IN, 4096);
	/* A buffer starting at 0xE00 in its page: 512, 3072, then the rest of
	 * a larger range the request does not use. */
	iov[0] = (struct iovec){buf, 512};
	iov[1] = (struct iovec){buf + 1024, 3072};
	iov[2] = (struct iovec){buf + 5000, 3000};
	assert_int_equal(send_srb(false, &p, iov, 3), STORVSP_IO);
	assert_int_equal(req.trans_id, SRB_TRANS_ID);
	assert_int_equal(req.io.disk, BACKEND_LUN5);
	assert_int_equal(req.io.op, SCSI_IO_READ);
	assert_int_equal(req.io.offset, 100 * 512);
	assert_int_equal(req.io.len, 4096);
	assert_int_equal(req.io.niov, 3);
	assert_ptr_equal(req.io.iov[0].iov_base, buf);
	assert_int_equal(req.io.iov[0].iov_len, 512);
	assert_int_equal(req.io.iov[1].iov_len, 3072);
	assert_ptr_equal(req.io.iov[2].iov_base, buf + 5000);
	assert_int_equal(req.io.iov[2].iov_len, 512);
	storvsp_io_done(&req, 0);
	assert_completion(SRB_STATUS_SUCCESS, 0, 4096);
	assert_memory_equal(reply_bytes() + 28, read10, 10); /* CDB echoed */

	/* WRITE(16): 2 blocks at LBA 0x100000000 is past this disk... */
	srb_packet(&p, 0, write16, 16, SCSI_IOCTL_DATA_OUT, 1024);
	iov[0] = (struct iovec){buf, 1024};
	assert_int_equal(send_srb(true, &p, iov, 1), STORVSP_REPLY);
	assert_sense(SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_LBA_OUT_OF_RANGE);
	/* ...and at LBA 0x10000 inside it. */
	write16[5] = 0;
	write16[7] = 1;
	srb_packet(&p, 0, write16, 16, SCSI_IOCTL_DATA_OUT, 1024);
	assert_int_equal(send_srb(true, &p, iov, 1), STORVSP_IO);
	assert_int_equal(req.io.disk, BACKEND_LUN0);
	assert_int_equal(req.io.op, SCSI_IO_WRITE);
	assert_int_equal(req.io.offset, 0x10000ull * 512);
	assert_int_equal(req.io.len, 1024);
	assert_int_equal(req.io.niov, 1);
	storvsp_io_done(&req, 0);
	assert_completion(SRB_STATUS_SUCCESS, 0, 1024);
}

static void test_flush_and_unmap(void **state)
{
	uint8_t sync[10] = {0x35};
	uint8_t unmap[10] = {0x42, 0, 0, 0, 0, 0, 0, 0, 24, 0};
	uint8_t list[24] = {0, 22, 0, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0, 16};
	struct vstor_packet p;

	(void)state;
	linux_handshake(4);
	srb_packet(&p, 0, sync, 10, SCSI_IOCTL_DATA_UNSPECIFIED, 0);
	assert_int_equal(send_srb(true, &p, NULL, 0), STORVSP_IO);
	assert_int_equal(req.io.op, SCSI_IO_FLUSH);
	assert_int_equal(req.io.disk, BACKEND_LUN0);
	assert_int_equal(req.io.niov, 0);
	storvsp_io_done(&req, 0);
	assert_completion(SRB_STATUS_SUCCESS, 0, 0);

	srb_packet(&p, 5, unmap, 10, SCSI_IOCTL_DATA_OUT, 24);
	iov[0] = (struct iovec){list, 24};
	assert_int_equal(send_srb(true, &p, iov, 1), STORVSP_IO);
	assert_int_equal(req.io.op, SCSI_IO_DISCARD);
	assert_int_equal(req.io.disk, BACKEND_LUN5);
	assert_int_equal(req.io.offset, 8 * 512);
	assert_int_equal(req.io.len, 16 * 512);
	assert_int_equal(req.io.niov, 0);
	storvsp_io_done(&req, 0);
	assert_completion(SRB_STATUS_SUCCESS, 0, 24);
}

static void test_io_error(void **state)
{
	uint8_t read10[10] = {0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0};
	struct vstor_packet p;

	(void)state;
	linux_handshake(4);
	srb_packet(&p, 0, read10, 10, SCSI_IOCTL_DATA_IN, 512);
	iov[0] = (struct iovec){buf, 512};
	assert_int_equal(send_srb(true, &p, iov, 1), STORVSP_IO);
	storvsp_io_done(&req, -EIO);
	assert_sense(SCSI_SK_MEDIUM_ERROR, SCSI_ASC_UNRECOVERED_READ_ERROR);

	read10[0] = 0x2A;
	srb_packet(&p, 0, read10, 10, SCSI_IOCTL_DATA_OUT, 512);
	assert_int_equal(send_srb(true, &p, iov, 1), STORVSP_IO);
	storvsp_io_done(&req, -EIO);
	assert_sense(SCSI_SK_MEDIUM_ERROR, SCSI_ASC_WRITE_ERROR);

	/* The guest's sense buffer bounds what is sent. */
	srb_packet(&p, 0, read10, 10, SCSI_IOCTL_DATA_OUT, 512);
	p.vm_srb.sense_info_length = 8;
	assert_int_equal(send_srb(true, &p, iov, 1), STORVSP_IO);
	storvsp_io_done(&req, -EIO);
	assert_completion(SRB_STATUS_ERROR | SRB_STATUS_AUTOSENSE_VALID, SAM_STAT_CHECK_CONDITION,
			  0);
	assert_int_equal(reply_bytes()[12 + 9], 8);
	assert_int_equal(reply_bytes()[28 + 2], SCSI_SK_MEDIUM_ERROR);
	assert_int_equal(reply_bytes()[28 + 8], 0);
	/* No sense buffer: no autosense. */
	srb_packet(&p, 0, read10, 10, SCSI_IOCTL_DATA_OUT, 512);
	p.vm_srb.sense_info_length = 0;
	assert_int_equal(send_srb(true, &p, iov, 1), STORVSP_IO);
	storvsp_io_done(&req, -EIO);
	assert_completion(SRB_STATUS_ERROR, SAM_STAT_CHECK_CONDITION, 0);
}

static void test_read_only_and_zero_length(void **state)
{
	uint8_t write10[10] = {0x2A, 0, 0, 0, 0, 0, 0, 0, 1, 0};
	uint8_t read10[10] = {0x28, 0, 0, 0, 0, 9, 0, 0, 0, 0};
	struct vstor_packet p;

	(void)state;
	storvsp_init(&s, 2);
	disk.read_only = true;
	assert_int_equal(storvsp_add_disk(&s, 0, 0, &disk), 0);
	linux_handshake(2);
	srb_packet(&p, 0, write10, 10, SCSI_IOCTL_DATA_OUT, 512);
	iov[0] = (struct iovec){buf, 512};
	assert_int_equal(send_srb(true, &p, iov, 1), STORVSP_REPLY);
	assert_sense(SCSI_SK_DATA_PROTECT, SCSI_ASC_WRITE_PROTECTED);
	/* Zero blocks: done at once. */
	srb_packet(&p, 0, read10, 10, SCSI_IOCTL_DATA_UNSPECIFIED, 0);
	assert_int_equal(send_srb(true, &p, NULL, 0), STORVSP_REPLY);
	assert_completion(SRB_STATUS_SUCCESS, 0, 0);
}

static void test_unsupported_command(void **state)
{
	uint8_t write_same[10] = {0x41};
	struct vstor_packet p;

	(void)state;
	linux_handshake(4);
	srb_packet(&p, 0, write_same, 10, SCSI_IOCTL_DATA_OUT, 512);
	iov[0] = (struct iovec){buf, 512};
	assert_int_equal(send_srb(true, &p, iov, 1), STORVSP_REPLY);
	assert_sense(SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_COMMAND_OPCODE);
}

/* ---- malformed packets ---- */

static void test_malformed_packets(void **state)
{
	static const uint32_t unknown[] = {0, 14, 0x100, 0xFFFFFFFF};
	static const uint32_t hosts[] = {VSTOR_OPERATION_COMPLETE_IO, VSTOR_OPERATION_REMOVE_DEVICE,
					 VSTOR_OPERATION_ENUMERATE_BUS, VSTOR_OPERATION_FCHBA_DATA};
	uint8_t raw[80] = {0};
	struct vstor_packet p = {0};

	(void)state;
	linux_handshake(4);
	/* Too short for the header. */
	p.operation = VSTOR_OPERATION_EXECUTE_SRB;
	for (uint32_t len = 0; len < 12; len++) {
		assert_int_equal(storvsp_handle(&s, true, 1, &p, len, NULL, 0, &req),
				 STORVSP_FATAL);
		assert_non_null(req.why);
	}
	/* Unknown operations. */
	for (unsigned i = 0; i < ARRAY_SIZE(unknown); i++) {
		p.operation = unknown[i];
		assert_int_equal(storvsp_handle(&s, false, 1, &p, sizeof(p), NULL, 0, &req),
				 STORVSP_FATAL);
		assert_non_null(req.why);
	}
	/* The host's own operations coming from the guest. */
	for (unsigned i = 0; i < ARRAY_SIZE(hosts); i++) {
		p.operation = hosts[i];
		assert_int_equal(storvsp_handle(&s, true, 1, &p, sizeof(p), NULL, 0, &req),
				 STORVSP_IGNORE);
		assert_non_null(req.why);
	}
	/* Longer than 64 bytes: the rest is ignored. */
	{
		uint8_t tur[6] = {0};

		srb_packet(&p, 0, tur, 6, SCSI_IOCTL_DATA_UNSPECIFIED, 0);
		memcpy(raw, &p, sizeof(p));
		memset(raw + 64, 0xFF, 16);
		assert_int_equal(storvsp_handle(&s, true, 1, raw, sizeof(raw), NULL, 0, &req),
				 STORVSP_REPLY);
		assert_int_equal(reply_bytes()[12 + 2], SRB_STATUS_SUCCESS);
	}
}

static void test_malformed_srb(void **state)
{
	uint8_t tur[6] = {0};
	struct vstor_packet p;

	(void)state;
	linux_handshake(4);
	/* Shorter than a whole vmscsi_request, even if what is there looks
	 * right. */
	srb_packet(&p, 0, tur, 6, SCSI_IOCTL_DATA_UNSPECIFIED, 0);
	for (uint32_t len = 12; len < 64; len++) {
		assert_int_equal(storvsp_handle(&s, true, SRB_TRANS_ID, &p, len, NULL, 0, &req),
				 STORVSP_REPLY);
		assert_completion(SRB_STATUS_INVALID_REQUEST, 0, 0);
	}
	/* The pre-WIN8 length, and nonsense. */
	p.vm_srb.length = 0x24;
	assert_int_equal(send_srb(true, &p, NULL, 0), STORVSP_REPLY);
	assert_completion(SRB_STATUS_INVALID_REQUEST, 0, 0);
	p.vm_srb.length = 0xFFFF;
	assert_int_equal(send_srb(true, &p, NULL, 0), STORVSP_REPLY);
	assert_completion(SRB_STATUS_INVALID_REQUEST, 0, 0);
	/* cdb_length 0 and > 16. */
	srb_packet(&p, 0, tur, 6, SCSI_IOCTL_DATA_UNSPECIFIED, 0);
	p.vm_srb.cdb_length = 0;
	assert_int_equal(send_srb(true, &p, NULL, 0), STORVSP_REPLY);
	assert_completion(SRB_STATUS_INVALID_REQUEST, 0, 0);
	p.vm_srb.cdb_length = 17;
	assert_int_equal(send_srb(true, &p, NULL, 0), STORVSP_REPLY);
	assert_completion(SRB_STATUS_INVALID_REQUEST, 0, 0);
	p.vm_srb.cdb_length = 255;
	assert_int_equal(send_srb(true, &p, NULL, 0), STORVSP_REPLY);
	assert_completion(SRB_STATUS_INVALID_REQUEST, 0, 0);
	/* data_in beyond UNKNOWN_TYPE. */
	srb_packet(&p, 0, tur, 6, 3, 0);
	assert_int_equal(send_srb(true, &p, NULL, 0), STORVSP_REPLY);
	assert_completion(SRB_STATUS_INVALID_REQUEST, 0, 0);
}

static void test_data_length_mismatch(void **state)
{
	uint8_t read10[10] = {0x28, 0, 0, 0, 0, 0, 0, 0, 8, 0};
	uint8_t inquiry[6] = {0x12, 0, 0, 0, 200, 0};
	struct vstor_packet p;

	(void)state;
	linux_handshake(4);
	/* The range is shorter than data_transfer_length. */
	srb_packet(&p, 0, read10, 10, SCSI_IOCTL_DATA_IN, 4096);
	iov[0] = (struct iovec){buf, 2048};
	iov[1] = (struct iovec){buf + 2048, 2047};
	assert_int_equal(send_srb(true, &p, iov, 2), STORVSP_REPLY);
	assert_sense(SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_IN_CDB);
	/* Sent INBAND: no range at all. */
	assert_int_equal(send_srb(true, &p, NULL, 0), STORVSP_REPLY);
	assert_sense(SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_IN_CDB);
	/* data_transfer_length is not the blocks asked for. */
	srb_packet(&p, 0, read10, 10, SCSI_IOCTL_DATA_IN, 2048);
	iov[0] = (struct iovec){buf, 8192};
	assert_int_equal(send_srb(true, &p, iov, 1), STORVSP_REPLY);
	assert_sense(SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_IN_CDB);
	/* No data direction but a length. */
	srb_packet(&p, 0, read10, 10, SCSI_IOCTL_DATA_UNSPECIFIED, 4096);
	assert_int_equal(send_srb(true, &p, iov, 1), STORVSP_REPLY);
	assert_sense(SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_IN_CDB);
	/* More than max_transfer_bytes. */
	srb_packet(&p, 0, read10, 10, SCSI_IOCTL_DATA_IN, STORVSP_MAX_TRANSFER + 512);
	iov[0] = (struct iovec){buf, STORVSP_MAX_TRANSFER + 512}; /* never touched */
	assert_int_equal(send_srb(true, &p, iov, 1), STORVSP_REPLY);
	assert_sense(SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_IN_CDB);
	/* More pieces than any legal buffer needs. */
	srb_packet(&p, 0, inquiry, 6, SCSI_IOCTL_DATA_IN, 200);
	for (unsigned i = 0; i < 200; i++)
		iov[i] = (struct iovec){buf + i, 1};
	assert_int_equal(send_srb(true, &p, iov, 200), STORVSP_REPLY);
	assert_sense(SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_IN_CDB);
	/* Empty iovecs cost nothing; a range longer than the request is cut. */
	for (unsigned i = 0; i < 200; i++)
		iov[i] = (struct iovec){buf, 0};
	iov[199] = (struct iovec){buf, 4096};
	memset(buf, 0xCC, sizeof(buf));
	assert_int_equal(send_srb(true, &p, iov, 200), STORVSP_REPLY);
	assert_completion(SRB_STATUS_SUCCESS, 0, 74);
	assert_int_equal(buf[4], 69);
	assert_int_equal(buf[200], 0xCC);
}

static void test_add_disk(void **state)
{
	(void)state;
	assert_int_equal(storvsp_add_disk(&s, 0, 1, &disk), -EEXIST);
	assert_int_equal(storvsp_add_disk(&s, STORVSP_MAX_LUNS, 1, &disk), -EINVAL);
	assert_int_equal(storvsp_add_disk(&s, 63, 1, &disk), 0);
	disk.block_size = 0;
	assert_int_equal(storvsp_add_disk(&s, 62, 1, &disk), -EINVAL);
	assert_false(s.lun[62].present);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_linux_handshake, setup),
	    cmocka_unit_test_setup(test_properties, setup),
	    cmocka_unit_test_setup(test_version_refusal, setup),
	    cmocka_unit_test_setup(test_handshake_order, setup),
	    cmocka_unit_test_setup(test_subchannel_request, setup),
	    cmocka_unit_test_setup(test_resets, setup),
	    cmocka_unit_test_setup(test_srb_channel_state, setup),
	    cmocka_unit_test_setup(test_linux_scan, setup),
	    cmocka_unit_test_setup(test_missing_lun, setup),
	    cmocka_unit_test_setup(test_sd_probe, setup),
	    cmocka_unit_test_setup(test_read_write_mapping, setup),
	    cmocka_unit_test_setup(test_flush_and_unmap, setup),
	    cmocka_unit_test_setup(test_io_error, setup),
	    cmocka_unit_test_setup(test_read_only_and_zero_length, setup),
	    cmocka_unit_test_setup(test_unsupported_command, setup),
	    cmocka_unit_test_setup(test_malformed_packets, setup),
	    cmocka_unit_test_setup(test_malformed_srb, setup),
	    cmocka_unit_test_setup(test_data_length_mismatch, setup),
	    cmocka_unit_test_setup(test_add_disk, setup),
	};

	return unit_run("storvsp", tests, ARRAY_SIZE(tests), NULL);
}
