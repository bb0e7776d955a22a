/*
 * SCSI direct-access logical unit (see scsi.h). Layouts are SPC-4 and
 * SBC-3's; where Linux 6.1 (drivers/scsi/{scsi_scan.c,scsi.c,sd.c}) reads a
 * field to decide something, the comment says what.
 */
#include "scsi.h"
#include "scsi_be.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Opcodes */
#define TEST_UNIT_READY	     0x00
#define REQUEST_SENSE	     0x03
#define INQUIRY		     SCSI_OP_INQUIRY
#define MODE_SENSE_6	     0x1A
#define START_STOP_UNIT	     0x1B
#define READ_CAPACITY_10     0x25
#define READ_10		     0x28
#define WRITE_10	     0x2A
#define SYNCHRONIZE_CACHE_10 0x35
#define UNMAP		     0x42
#define MODE_SENSE_10	     0x5A
#define READ_16		     0x88
#define WRITE_16	     0x8A
#define SYNCHRONIZE_CACHE_16 0x91
#define SERVICE_ACTION_IN_16 0x9E
#define REPORT_LUNS	     SCSI_OP_REPORT_LUNS
#define SAI_READ_CAPACITY_16 0x10

#define VENDOR_ID  "SEPTUM  "
#define PRODUCT_ID "Virtual Disk    "
#define REVISION   "1.0 "

/* Standard INQUIRY data up to the version descriptors (SPC-4 6.6.2). */
#define INQUIRY_LEN	     74
#define INQUIRY_VERSION_SPC4 0x06 /* Linux: scsi_level 7, so RC16 first and VPD */
#define INQUIRY_RDF	     0x02
#define INQUIRY_CMDQUE	     0x02 /* Linux then tags its requests */
#define PERIPHERAL_DISK	     0x00
#define PERIPHERAL_NO_LUN    0x7F /* qualifier 3: no unit here; type 0x1F */

/* VPD pages */
#define VPD_SUPPORTED_PAGES	0x00
#define VPD_SERIAL		0x80
#define VPD_DEVICE_ID		0x83
#define VPD_BLOCK_LIMITS	0xB0
#define VPD_BLOCK_DEV_CHARS	0xB1
#define VPD_LBP			0xB2
#define VPD_BLOCK_LIMITS_LEN	64 /* Linux reads the unmap fields only from 64 */
#define VPD_BLOCK_DEV_CHARS_LEN 64
#define VPD_LBP_LEN		8

/* One UNMAP descriptor (what Linux sends) of at most this many blocks. */
#define MAX_UNMAP_BLOCKS (1u << 22)
#define UNMAP_PARAM_LEN	 24 /* header + one descriptor */

#define MODE_PAGE_CACHING    0x08
#define MODE_PAGE_ALL	     0x3F
#define MODE_CACHING_LEN     20
#define MODE_CACHING_WCE     0x04 /* Linux flushes only with a write-back cache */
#define MODE_DEV_SPECIFIC_WP 0x80
#define MODE_PC_CHANGEABLE   1
#define MODE_PC_SAVED	     3

#define RC16_LEN	       32
#define RC16_RC_BASIS_LAST_LBA 0x10
#define RC16_LBPME	       0x80

/* The CDB size an opcode's group implies (SPC-4 4.2.5.1); 0 for the groups
 * with none of ours. */
static unsigned cdb_size(uint8_t opcode)
{
	static const uint8_t size[8] = {6, 10, 10, 0, 16, 12, 0, 0};

	return size[opcode >> 5];
}

void scsi_check_condition(struct scsi_result *res, uint8_t key, uint8_t asc)
{
	memset(res, 0, sizeof(*res));
	res->status = SAM_STAT_CHECK_CONDITION;
	res->sense_len = SCSI_SENSE_LEN;
	res->sense[0] = 0x70; /* current error, fixed format */
	res->sense[2] = key;
	res->sense[7] = SCSI_SENSE_LEN - 8;
	res->sense[12] = asc;
}

static void invalid_field(struct scsi_result *res)
{
	scsi_check_condition(res, SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_IN_CDB);
}

/* The data buffer to and from the guest, at most cmd->len bytes. */
static uint32_t copy_to_guest(const struct scsi_cmd *cmd, const uint8_t *src, uint32_t n)
{
	uint32_t done = 0;

	if (n > cmd->len)
		n = cmd->len;
	for (unsigned i = 0; i < cmd->niov && done < n; i++) {
		size_t k = cmd->iov[i].iov_len < n - done ? cmd->iov[i].iov_len : n - done;

		if (k)
			memcpy(cmd->iov[i].iov_base, src + done, k);
		done += k;
	}
	return done;
}

static uint32_t copy_from_guest(const struct scsi_cmd *cmd, uint8_t *dst, uint32_t n)
{
	uint32_t done = 0;

	if (n > cmd->len)
		n = cmd->len;
	for (unsigned i = 0; i < cmd->niov && done < n; i++) {
		size_t k = cmd->iov[i].iov_len < n - done ? cmd->iov[i].iov_len : n - done;

		if (k)
			memcpy(dst + done, cmd->iov[i].iov_base, k);
		done += k;
	}
	return done;
}

/* Data-in: n bytes of buf, cut to the allocation length and the buffer. */
static void data_in(const struct scsi_cmd *cmd, struct scsi_result *res, const uint8_t *buf,
		    uint32_t n, uint32_t alloc)
{
	if (cmd->len && cmd->dir != SCSI_DIR_IN) {
		invalid_field(res);
		return;
	}
	res->len = copy_to_guest(cmd, buf, n < alloc ? n : alloc);
}

static bool range_ok(const struct scsi_disk_info *disk, uint64_t lba, uint64_t nblocks)
{
	return lba <= disk->nblocks && nblocks <= disk->nblocks - lba;
}

static bool unmap_supported(const struct scsi_disk_info *disk)
{
	return disk->discard && !disk->read_only;
}

/* TEST UNIT READY, START STOP UNIT: the unit is always ready and spun up
 * (Linux sends START STOP UNIT only to a unit that says otherwise). */
static void always_ready(const struct scsi_disk_info *disk, const struct scsi_cmd *cmd,
			 struct scsi_result *res)
{
	(void)disk;
	(void)cmd;
	(void)res;
}

/* Autosense delivered every error already: nothing is pending. */
static void request_sense(const struct scsi_disk_info *disk, const struct scsi_cmd *cmd,
			  struct scsi_result *res)
{
	const uint8_t no_sense[SCSI_SENSE_LEN] = {[0] = 0x70, [7] = SCSI_SENSE_LEN - 8};

	(void)disk;
	if (cmd->cdb[1] & 0x01) { /* DESC: descriptor format, not supported */
		invalid_field(res);
		return;
	}
	data_in(cmd, res, no_sense, sizeof(no_sense), cmd->cdb[4]);
}

static uint32_t standard_inquiry(uint8_t *buf, uint8_t peripheral, bool ids)
{
	static const uint16_t versions[] = {
	    0x00A0, /* SAM-5 */
	    0x0460, /* SPC-4 */
	    0x04C0, /* SBC-3 */
	};

	memset(buf, 0, INQUIRY_LEN);
	buf[0] = peripheral;
	buf[2] = INQUIRY_VERSION_SPC4;
	buf[3] = INQUIRY_RDF;
	buf[4] = INQUIRY_LEN - 5; /* Linux asks again for this + 5 */
	buf[7] = INQUIRY_CMDQUE;
	if (ids) {
		memcpy(buf + 8, VENDOR_ID, 8);
		memcpy(buf + 16, PRODUCT_ID, 16);
		memcpy(buf + 32, REVISION, 4);
	}
	for (unsigned i = 0; i < ARRAY_SIZE(versions); i++)
		put_be16(buf + 58 + 2 * i, versions[i]);
	return INQUIRY_LEN;
}

static uint32_t vpd_supported_pages(const struct scsi_disk_info *disk, uint8_t *buf)
{
	static const uint8_t pages[] = {
	    VPD_SUPPORTED_PAGES, VPD_SERIAL,	      VPD_DEVICE_ID,
	    VPD_BLOCK_LIMITS,	 VPD_BLOCK_DEV_CHARS, VPD_LBP,
	};

	(void)disk;
	memcpy(buf + 4, pages, sizeof(pages));
	return 4 + sizeof(pages);
}

static uint32_t vpd_serial(const struct scsi_disk_info *disk, uint8_t *buf)
{
	size_t n = strnlen(disk->serial, sizeof(disk->serial) - 1);

	memcpy(buf + 4, disk->serial, n);
	return 4 + n;
}

/* An NAA designator if the disk has one (Linux prefers it for the wwid),
 * then a T10 vendor ID one, vendor + serial, which every disk has. */
static uint32_t vpd_device_id(const struct scsi_disk_info *disk, uint8_t *buf)
{
	static const uint8_t no_naa[8];
	size_t slen = strnlen(disk->serial, sizeof(disk->serial) - 1);
	uint8_t *d = buf + 4;

	if (memcmp(disk->naa_id, no_naa, sizeof(no_naa))) {
		d[0] = 0x01; /* code set binary */
		d[1] = 0x03; /* associated with the LU, type NAA */
		d[3] = sizeof(disk->naa_id);
		memcpy(d + 4, disk->naa_id, sizeof(disk->naa_id));
		d += 4 + sizeof(disk->naa_id);
	}
	d[0] = 0x02; /* code set ASCII */
	d[1] = 0x01; /* associated with the LU, type T10 vendor ID */
	d[3] = 8 + slen;
	memcpy(d + 4, VENDOR_ID, 8);
	memcpy(d + 12, disk->serial, slen);
	d += 12 + slen;
	return d - buf;
}

static uint32_t vpd_block_limits(const struct scsi_disk_info *disk, uint8_t *buf)
{
	put_be32(buf + 8, SCSI_MAX_TRANSFER / disk->block_size);
	if (unmap_supported(disk)) {
		uint32_t granularity = 4096 / disk->block_size;

		put_be32(buf + 20, MAX_UNMAP_BLOCKS);
		put_be32(buf + 24, 1); /* descriptors per UNMAP */
		/* Hosts punch holes in 4 KiB pages. */
		put_be32(buf + 28, granularity ? granularity : 1);
	}
	return VPD_BLOCK_LIMITS_LEN;
}

static uint32_t vpd_block_dev_chars(const struct scsi_disk_info *disk, uint8_t *buf)
{
	(void)disk;
	put_be16(buf + 4, 0x0001); /* non-rotating: Linux marks the queue NONROT */
	return VPD_BLOCK_DEV_CHARS_LEN;
}

static uint32_t vpd_lbp(const struct scsi_disk_info *disk, uint8_t *buf)
{
	if (unmap_supported(disk)) {
		buf[5] = 0x80; /* LBPU: Linux then discards with UNMAP */
		buf[6] = 0x02; /* thin provisioned */
	}
	return VPD_LBP_LEN;
}

static const struct {
	uint8_t page;
	uint32_t (*build)(const struct scsi_disk_info *disk, uint8_t *buf);
} vpd_pages[] = {
    {VPD_SUPPORTED_PAGES, vpd_supported_pages},
    {VPD_SERIAL, vpd_serial},
    {VPD_DEVICE_ID, vpd_device_id},
    {VPD_BLOCK_LIMITS, vpd_block_limits},
    {VPD_BLOCK_DEV_CHARS, vpd_block_dev_chars},
    {VPD_LBP, vpd_lbp},
};

static void inquiry(const struct scsi_disk_info *disk, const struct scsi_cmd *cmd,
		    struct scsi_result *res)
{
	uint8_t buf[128] = {0};
	uint8_t page = cmd->cdb[2];
	uint16_t alloc = get_be16(cmd->cdb + 3);
	uint32_t n;

	if (cmd->cdb[1] & 0xFE) { /* CMDDT and reserved bits */
		invalid_field(res);
		return;
	}
	if (!(cmd->cdb[1] & 0x01)) {
		if (page) {
			invalid_field(res);
			return;
		}
		data_in(cmd, res, buf, standard_inquiry(buf, PERIPHERAL_DISK, true), alloc);
		return;
	}
	for (unsigned i = 0; i < ARRAY_SIZE(vpd_pages); i++) {
		if (vpd_pages[i].page != page)
			continue;
		n = vpd_pages[i].build(disk, buf);
		buf[0] = PERIPHERAL_DISK;
		buf[1] = page;
		put_be16(buf + 2, n - 4);
		data_in(cmd, res, buf, n, alloc);
		return;
	}
	/* Linux fetches 0xB9 whatever page 0 says; this fails it. */
	invalid_field(res);
}

void scsi_inquiry_no_lun(const struct scsi_cmd *cmd, bool lun0, struct scsi_result *res)
{
	uint8_t buf[INQUIRY_LEN];

	memset(res, 0, sizeof(*res));
	/* No VPD for a unit that isn't there. */
	if (cmd->cdb_len < cdb_size(INQUIRY) || cmd->cdb[1] || cmd->cdb[2]) {
		invalid_field(res);
		return;
	}
	data_in(cmd, res, buf, standard_inquiry(buf, PERIPHERAL_NO_LUN, lun0),
		get_be16(cmd->cdb + 3));
}

void scsi_report_luns(const struct scsi_cmd *cmd, const uint8_t *luns, unsigned n,
		      struct scsi_result *res)
{
	uint8_t buf[8 + 8 * SCSI_REPORT_LUNS_MAX] = {0};
	uint8_t select = cmd->cdb[2];
	uint32_t alloc = get_be32(cmd->cdb + 6);

	memset(res, 0, sizeof(*res));
	/* SELECT REPORT 0 and 2: every LUN; 1: the well-known ones (none). */
	if (cmd->cdb_len < cdb_size(REPORT_LUNS) || select > 2 || alloc < 16) {
		invalid_field(res);
		return;
	}
	if (select == 1)
		n = 0;
	if (n > SCSI_REPORT_LUNS_MAX)
		n = SCSI_REPORT_LUNS_MAX;
	put_be32(buf, 8 * n);
	for (unsigned i = 0; i < n; i++)
		buf[8 + 8 * i + 1] = luns[i]; /* peripheral device addressing, bus 0 */
	data_in(cmd, res, buf, 8 + 8 * n, alloc);
}

/* MODE SENSE(6) and (10): the caching page, alone or as "all pages". No
 * block descriptors (allowed even without DBD). */
static void mode_sense(const struct scsi_disk_info *disk, const struct scsi_cmd *cmd,
		       struct scsi_result *res)
{
	bool ten = cmd->cdb[0] == MODE_SENSE_10;
	uint8_t pc = cmd->cdb[2] >> 6, page = cmd->cdb[2] & 0x3F, subpage = cmd->cdb[3];
	uint32_t alloc = ten ? get_be16(cmd->cdb + 7) : cmd->cdb[4];
	uint32_t hdr = ten ? 8 : 4, n = hdr + MODE_CACHING_LEN;
	uint8_t buf[8 + MODE_CACHING_LEN] = {0};
	uint8_t *caching = buf + hdr;

	if (pc == MODE_PC_SAVED) {
		scsi_check_condition(res, SCSI_SK_ILLEGAL_REQUEST,
				     SCSI_ASC_SAVING_PARAMS_UNSUPPORTED);
		return;
	}
	if ((page != MODE_PAGE_CACHING && page != MODE_PAGE_ALL) ||
	    (subpage != 0 && subpage != 0xFF)) {
		invalid_field(res);
		return;
	}
	caching[0] = MODE_PAGE_CACHING;
	caching[1] = MODE_CACHING_LEN - 2;
	if (pc != MODE_PC_CHANGEABLE) /* nothing is changeable */
		caching[2] = MODE_CACHING_WCE;
	/* Linux's write-protect test reads the device-specific byte. */
	if (ten) {
		put_be16(buf, n - 2);
		buf[3] = disk->read_only ? MODE_DEV_SPECIFIC_WP : 0;
	} else {
		buf[0] = n - 1;
		buf[2] = disk->read_only ? MODE_DEV_SPECIFIC_WP : 0;
	}
	data_in(cmd, res, buf, n, alloc);
}

static void read_capacity_10(const struct scsi_disk_info *disk, const struct scsi_cmd *cmd,
			     struct scsi_result *res)
{
	uint8_t buf[8];
	uint64_t last = disk->nblocks - 1;

	/* 0xFFFFFFFF sends Linux to READ CAPACITY(16). */
	put_be32(buf, last > 0xFFFFFFFF ? 0xFFFFFFFF : (uint32_t)last);
	put_be32(buf + 4, disk->block_size);
	data_in(cmd, res, buf, sizeof(buf), sizeof(buf));
}

static void service_action_in_16(const struct scsi_disk_info *disk, const struct scsi_cmd *cmd,
				 struct scsi_result *res)
{
	uint8_t buf[RC16_LEN] = {0};

	if ((cmd->cdb[1] & 0x1F) != SAI_READ_CAPACITY_16) {
		invalid_field(res);
		return;
	}
	put_be64(buf, disk->nblocks - 1);
	put_be32(buf + 8, disk->block_size);
	buf[12] = RC16_RC_BASIS_LAST_LBA;
	if (unmap_supported(disk))
		buf[14] = RC16_LBPME; /* Linux then reads VPD 0xB2 and 0xB0 */
	data_in(cmd, res, buf, sizeof(buf), get_be32(cmd->cdb + 10));
}

static void read_write(const struct scsi_disk_info *disk, const struct scsi_cmd *cmd,
		       struct scsi_result *res)
{
	uint8_t op = cmd->cdb[0];
	bool write = op == WRITE_10 || op == WRITE_16;
	bool sixteen = op == READ_16 || op == WRITE_16;
	uint64_t lba = sixteen ? get_be64(cmd->cdb + 2) : get_be32(cmd->cdb + 2);
	uint32_t nblocks = sixteen ? get_be32(cmd->cdb + 10) : get_be16(cmd->cdb + 7);
	uint64_t bytes = (uint64_t)nblocks * disk->block_size;

	/* RDPROTECT/WRPROTECT: no protection information here. DPO and FUA
	 * are ignored: MODE SENSE does not offer them, so Linux sends flushes. */
	if (cmd->cdb[1] & 0xE0) {
		invalid_field(res);
		return;
	}
	if (write && disk->read_only) {
		scsi_check_condition(res, SCSI_SK_DATA_PROTECT, SCSI_ASC_WRITE_PROTECTED);
		return;
	}
	if (!range_ok(disk, lba, nblocks)) {
		scsi_check_condition(res, SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_LBA_OUT_OF_RANGE);
		return;
	}
	/* The buffer must be exactly the blocks, in the command's direction. */
	if (bytes != cmd->len || (bytes && cmd->dir != (write ? SCSI_DIR_OUT : SCSI_DIR_IN))) {
		invalid_field(res);
		return;
	}
	if (!bytes)
		return;
	res->io = write ? SCSI_IO_WRITE : SCSI_IO_READ;
	res->io_offset = lba * disk->block_size;
	res->io_len = bytes;
	res->len = bytes;
}

static void synchronize_cache(const struct scsi_disk_info *disk, const struct scsi_cmd *cmd,
			      struct scsi_result *res)
{
	bool sixteen = cmd->cdb[0] == SYNCHRONIZE_CACHE_16;
	uint64_t lba = sixteen ? get_be64(cmd->cdb + 2) : get_be32(cmd->cdb + 2);
	uint32_t nblocks = sixteen ? get_be32(cmd->cdb + 10) : get_be16(cmd->cdb + 7);

	/* nblocks 0 means "to the end"; either way the whole image is flushed. */
	if (!range_ok(disk, lba, nblocks)) {
		scsi_check_condition(res, SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_LBA_OUT_OF_RANGE);
		return;
	}
	if (!disk->read_only)
		res->io = SCSI_IO_FLUSH;
}

/* UNMAP with at most one block descriptor, as VPD 0xB0 says (and Linux's
 * sd_setup_unmap_cmnd sends): the parameter list comes as data-out. */
static void unmap(const struct scsi_disk_info *disk, const struct scsi_cmd *cmd,
		  struct scsi_result *res)
{
	uint8_t buf[UNMAP_PARAM_LEN];
	uint16_t plen = get_be16(cmd->cdb + 7);
	uint32_t ndesc, nblocks;
	uint64_t lba;

	if (!disk->discard) { /* not advertised */
		scsi_check_condition(res, SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_COMMAND_OPCODE);
		return;
	}
	if (cmd->cdb[1] & 0x01) { /* ANCHOR */
		invalid_field(res);
		return;
	}
	if (disk->read_only) {
		scsi_check_condition(res, SCSI_SK_DATA_PROTECT, SCSI_ASC_WRITE_PROTECTED);
		return;
	}
	if (!plen)
		return;
	if (plen < 8 || plen > cmd->len) {
		scsi_check_condition(res, SCSI_SK_ILLEGAL_REQUEST,
				     SCSI_ASC_PARAMETER_LIST_LENGTH_ERROR);
		return;
	}
	if (cmd->dir != SCSI_DIR_OUT) {
		invalid_field(res);
		return;
	}
	memset(buf, 0, sizeof(buf));
	res->len = copy_from_guest(cmd, buf, plen < sizeof(buf) ? plen : sizeof(buf));
	ndesc = (get_be16(buf + 2) < plen - 8 ? get_be16(buf + 2) : plen - 8) / 16;
	if (!ndesc)
		return;
	lba = get_be64(buf + 8);
	nblocks = get_be32(buf + 16);
	if (ndesc > 1 || nblocks > MAX_UNMAP_BLOCKS) {
		scsi_check_condition(res, SCSI_SK_ILLEGAL_REQUEST,
				     SCSI_ASC_INVALID_FIELD_IN_PARAM_LIST);
		return;
	}
	if (!range_ok(disk, lba, nblocks)) {
		scsi_check_condition(res, SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_LBA_OUT_OF_RANGE);
		return;
	}
	if (!nblocks)
		return;
	res->io = SCSI_IO_DISCARD;
	res->io_offset = lba * disk->block_size;
	res->io_len = (uint64_t)nblocks * disk->block_size;
}

static const struct {
	uint8_t opcode;
	void (*run)(const struct scsi_disk_info *disk, const struct scsi_cmd *cmd,
		    struct scsi_result *res);
} commands[] = {
    {TEST_UNIT_READY, always_ready},
    {REQUEST_SENSE, request_sense},
    {INQUIRY, inquiry},
    {MODE_SENSE_6, mode_sense},
    {START_STOP_UNIT, always_ready},
    {READ_CAPACITY_10, read_capacity_10},
    {READ_10, read_write},
    {WRITE_10, read_write},
    {SYNCHRONIZE_CACHE_10, synchronize_cache},
    {UNMAP, unmap},
    {MODE_SENSE_10, mode_sense},
    {READ_16, read_write},
    {WRITE_16, read_write},
    {SYNCHRONIZE_CACHE_16, synchronize_cache},
    {SERVICE_ACTION_IN_16, service_action_in_16},
};

void scsi_execute(const struct scsi_disk_info *disk, const struct scsi_cmd *cmd,
		  struct scsi_result *res)
{
	uint8_t op = cmd->cdb[0];

	memset(res, 0, sizeof(*res));
	for (unsigned i = 0; i < ARRAY_SIZE(commands); i++) {
		if (commands[i].opcode != op)
			continue;
		if (cmd->cdb_len < cdb_size(op)) {
			invalid_field(res);
			return;
		}
		commands[i].run(disk, cmd, res);
		return;
	}
	/* Linux learns from this which commands to stop sending. */
	scsi_check_condition(res, SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_COMMAND_OPCODE);
}

void scsi_io_done(struct scsi_result *res, int err)
{
	enum scsi_io_op op = res->io;

	res->io = SCSI_IO_NONE;
	if (!err)
		return;
	if (op == SCSI_IO_DISCARD && err == -EOPNOTSUPP)
		scsi_check_condition(res, SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_COMMAND_OPCODE);
	else if (op == SCSI_IO_READ)
		scsi_check_condition(res, SCSI_SK_MEDIUM_ERROR, SCSI_ASC_UNRECOVERED_READ_ERROR);
	else
		scsi_check_condition(res, SCSI_SK_MEDIUM_ERROR, SCSI_ASC_WRITE_ERROR);
}

int scsi_disk_info_check(const struct scsi_disk_info *disk)
{
	const char *end = memchr(disk->serial, '\0', sizeof(disk->serial));

	if (!disk->nblocks || !end)
		return -EINVAL;
	if (disk->block_size != 512 && disk->block_size != 1024 && disk->block_size != 2048 &&
	    disk->block_size != 4096)
		return -EINVAL;
	/* Byte offsets must fit an off_t. */
	if (disk->nblocks > (uint64_t)INT64_MAX / disk->block_size)
		return -EINVAL;
	for (const char *p = disk->serial; p < end; p++)
		if (*p < 0x20 || *p > 0x7E)
			return -EINVAL;
	return 0;
}
