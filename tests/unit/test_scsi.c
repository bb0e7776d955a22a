/* Unit tests for the SCSI disk (root/vsp/scsi.c): every command Linux 6.1
 * sends during its scan (scsi_scan.c, scsi.c) and sd probe (sd.c), with the
 * byte layout those functions read, then the I/O commands' mapping to
 * backend requests, and the errors: out of range, zero length, length and
 * direction mismatches, read-only, unsupported, bad fields. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "unit.h"
#include <cmocka.h> /* needs the four above first */

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "scsi.h"
#include "scsi_be.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static struct scsi_disk_info disk;
static uint8_t buf[4096];
static struct iovec iov[4];
static struct scsi_cmd cmd;
static struct scsi_result res;

static int setup(void **state)
{
	(void)state;
	memset(&disk, 0, sizeof(disk));
	disk.nblocks = 2097152; /* 1 GiB */
	disk.block_size = 512;
	disk.discard = true;
	strcpy(disk.serial, "SEPT0001");
	memcpy(disk.naa_id, "\x60\x02\x24\x80\x12\x34\x56\x78", 8);
	memset(buf, 0xCC, sizeof(buf));
	memset(&res, 0xEE, sizeof(res));
	return 0;
}

/* A command with a len-byte buffer at buf, in one iovec. */
static void run(const uint8_t *cdb, uint8_t cdb_len, enum scsi_dir dir, uint32_t len)
{
	memset(&cmd, 0, sizeof(cmd));
	memcpy(cmd.cdb, cdb, cdb_len);
	cmd.cdb_len = cdb_len;
	cmd.dir = len ? dir : SCSI_DIR_NONE;
	iov[0].iov_base = buf;
	iov[0].iov_len = len;
	cmd.iov = iov;
	cmd.niov = 1;
	cmd.len = len;
	scsi_execute(&disk, &cmd, &res);
}

static void run_in(const uint8_t *cdb, uint8_t cdb_len, uint32_t len)
{
	memset(buf, 0xCC, sizeof(buf));
	run(cdb, cdb_len, SCSI_DIR_IN, len);
}

static void assert_good(uint32_t len)
{
	assert_int_equal(res.status, SAM_STAT_GOOD);
	assert_int_equal(res.sense_len, 0);
	assert_int_equal(res.len, len);
}

static void assert_sense(uint8_t key, uint8_t asc)
{
	assert_int_equal(res.status, SAM_STAT_CHECK_CONDITION);
	assert_int_equal(res.sense_len, SCSI_SENSE_LEN);
	assert_int_equal(res.sense[0], 0x70);
	assert_int_equal(res.sense[2], key);
	assert_int_equal(res.sense[7], SCSI_SENSE_LEN - 8);
	assert_int_equal(res.sense[12], asc);
	assert_int_equal(res.sense[13], 0);
	assert_int_equal(res.len, 0);
	assert_int_equal(res.io, SCSI_IO_NONE);
}

/* Linux's scsi_vpd_inquiry: EVPD, page, 16-bit allocation length. */
static void vpd(uint8_t page, uint16_t len)
{
	uint8_t cdb[6] = {0x12, 0x01, page, len >> 8, len & 0xFF, 0};

	run_in(cdb, 6, len);
}

/* scsi_get_vpd_buf: the 4-byte header, then the whole page; returns its
 * length as the header says. */
static uint32_t vpd_twice(uint8_t page)
{
	uint32_t n;

	vpd(page, 4);
	assert_good(4);
	assert_int_equal(buf[1], page);
	n = get_be16(buf + 2) + 4;
	vpd(page, n);
	assert_good(n);
	assert_int_equal(buf[0], 0);
	assert_int_equal(buf[1], page);
	assert_int_equal(get_be16(buf + 2) + 4, n);
	return n;
}

/* ---- scan: scsi_probe_lun, scsi_attach_vpd ---- */

static void test_inquiry_standard(void **state)
{
	uint8_t cdb[6] = {0x12, 0, 0, 0, 36, 0};
	uint32_t n;

	(void)state;
	/* Pass 1: 36 bytes, which must say there are more. */
	run_in(cdb, 6, 36);
	assert_good(36);
	assert_int_equal(buf[0], 0x00); /* PQ 0, direct access */
	assert_int_equal(buf[1], 0x00); /* not removable */
	assert_int_equal(buf[2], 0x06); /* SPC-4: scsi_level 7 > SPC_2 */
	assert_int_equal(buf[3] & 0x0F, 0x02);
	assert_int_equal(buf[7] & 0x02, 0x02); /* CMDQUE: tagged_supported */
	assert_memory_equal(buf + 8, "SEPTUM  ", 8);
	assert_memory_equal(buf + 16, "Virtual Disk    ", 16);
	assert_memory_equal(buf + 32, "1.0 ", 4);
	assert_int_equal(buf[36], 0xCC);
	n = buf[4] + 5;
	assert_int_equal(n, 74);
	/* Pass 2: response_len = additional length + 5. */
	cdb[4] = n;
	run_in(cdb, 6, n);
	assert_good(n);
	assert_int_equal(buf[4], n - 5);
	assert_int_equal(buf[56], 0); /* no IUS: ppr from scsi_level */
	assert_int_equal(get_be16(buf + 58), 0x00A0);
	assert_int_equal(get_be16(buf + 60), 0x0460);
	assert_int_equal(get_be16(buf + 62), 0x04C0);
	assert_int_equal(buf[n], 0xCC);
	/* A larger allocation gets the same 74 bytes: an honest length. */
	cdb[4] = 255;
	run_in(cdb, 6, 255);
	assert_good(74);
	/* 16-bit allocation length, cut by the buffer. */
	cdb[3] = 1;
	cdb[4] = 0;
	run_in(cdb, 6, 20);
	assert_good(20);
}

static void test_inquiry_split_iovecs(void **state)
{
	uint8_t cdb[6] = {0x12, 0, 0, 0, 74, 0};
	uint8_t a[5], b[1], c[100], whole[74];

	(void)state;
	run_in(cdb, 6, 74);
	memcpy(whole, buf, 74);
	memset(&cmd, 0, sizeof(cmd));
	memcpy(cmd.cdb, cdb, 6);
	cmd.cdb_len = 6;
	cmd.dir = SCSI_DIR_IN;
	iov[0] = (struct iovec){a, sizeof(a)};
	iov[1] = (struct iovec){NULL, 0};
	iov[2] = (struct iovec){b, sizeof(b)};
	iov[3] = (struct iovec){c, sizeof(c)};
	cmd.iov = iov;
	cmd.niov = 4;
	cmd.len = 74;
	memset(c, 0xCC, sizeof(c));
	scsi_execute(&disk, &cmd, &res);
	assert_good(74);
	assert_memory_equal(a, whole, 5);
	assert_memory_equal(b, whole + 5, 1);
	assert_memory_equal(c, whole + 6, 68);
	assert_int_equal(c[68], 0xCC);
}

static void test_inquiry_bad_fields(void **state)
{
	uint8_t cmddt[6] = {0x12, 0x02, 0, 0, 36, 0};
	uint8_t page_no_evpd[6] = {0x12, 0, 0x80, 0, 36, 0};

	(void)state;
	run_in(cmddt, 6, 36);
	assert_sense(SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_IN_CDB);
	run_in(page_no_evpd, 6, 36);
	assert_sense(SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_IN_CDB);
	/* Data-in command with a data-out buffer. */
	run(page_no_evpd, 6, SCSI_DIR_OUT, 36);
	assert_sense(SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_IN_CDB);
}

static void test_vpd_supported_pages(void **state)
{
	static const uint8_t pages[] = {0x00, 0x80, 0x83, 0xB0, 0xB1, 0xB2};
	uint8_t list[16];
	uint32_t n;

	(void)state;
	n = vpd_twice(0x00);
	assert_int_equal(n, 4 + sizeof(pages));
	assert_memory_equal(buf + 4, pages, sizeof(pages));
	memcpy(list, buf + 4, n - 4);
	/* scsi_attach_vpd: every page listed is there, header then page. */
	for (uint32_t i = 0; i < n - 4; i++)
		vpd_twice(list[i]);
}

static void test_vpd_unlisted_page(void **state)
{
	(void)state;
	/* sd_read_cpr asks for 0xB9 anyway; storvsc masks the failure and
	 * trusts the length, which must then be 0. */
	vpd(0xB9, 4);
	assert_sense(SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_IN_CDB);
	vpd(0x89, 4);
	assert_sense(SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_IN_CDB);
}

static void test_vpd_serial(void **state)
{
	(void)state;
	assert_int_equal(vpd_twice(0x80), 4 + 8);
	assert_memory_equal(buf + 4, "SEPT0001", 8);
	strcpy(disk.serial, "01234567890123456789");
	assert_int_equal(vpd_twice(0x80), 24);
	assert_memory_equal(buf + 4, "01234567890123456789", 20);
	disk.serial[0] = '\0';
	assert_int_equal(vpd_twice(0x80), 4);
}

static void test_vpd_device_id(void **state)
{
	uint32_t n;

	(void)state;
	n = vpd_twice(0x83);
	assert_int_equal(n, 4 + 12 + 4 + 16);
	/* NAA, binary, associated with the LU */
	assert_int_equal(buf[4], 0x01);
	assert_int_equal(buf[5], 0x03);
	assert_int_equal(buf[7], 8);
	assert_memory_equal(buf + 8, disk.naa_id, 8);
	/* T10 vendor ID, ASCII: vendor + serial */
	assert_int_equal(buf[16], 0x02);
	assert_int_equal(buf[17], 0x01);
	assert_int_equal(buf[19], 16);
	assert_memory_equal(buf + 20, "SEPTUM  SEPT0001", 16);

	memset(disk.naa_id, 0, sizeof(disk.naa_id));
	n = vpd_twice(0x83);
	assert_int_equal(n, 4 + 4 + 16);
	assert_int_equal(buf[5], 0x01);
	assert_memory_equal(buf + 8, "SEPTUM  SEPT0001", 16);
}

static void test_vpd_block_limits(void **state)
{
	(void)state;
	/* sd_read_block_limits reads the unmap fields only from 64 bytes. */
	assert_int_equal(vpd_twice(0xB0), 64);
	assert_int_equal(get_be16(buf + 6), 0);
	assert_int_equal(get_be32(buf + 8), 0x40000 / 512);
	assert_int_equal(get_be32(buf + 12), 0);
	assert_true(get_be32(buf + 20) > 0);	 /* max unmap LBA count */
	assert_int_equal(get_be32(buf + 24), 1); /* one descriptor */
	assert_int_equal(get_be32(buf + 28), 8); /* 4 KiB */
	assert_int_equal(get_be32(buf + 32), 0);
	assert_int_equal(get_be64(buf + 36), 0); /* no WRITE SAME */

	disk.block_size = 4096;
	disk.nblocks /= 8;
	vpd_twice(0xB0);
	assert_int_equal(get_be32(buf + 8), 64);
	assert_int_equal(get_be32(buf + 28), 1);

	disk.discard = false;
	vpd_twice(0xB0);
	assert_int_equal(get_be32(buf + 20), 0);
	assert_int_equal(get_be32(buf + 24), 0);
}

static void test_vpd_characteristics_and_lbp(void **state)
{
	(void)state;
	assert_int_equal(vpd_twice(0xB1), 64);
	assert_int_equal(get_be16(buf + 4), 1); /* non-rotating */
	assert_int_equal(buf[8] >> 4 & 3, 0);	/* not zoned */

	assert_int_equal(vpd_twice(0xB2), 8);  /* Linux needs >= 8 */
	assert_int_equal(buf[5] & 0xE0, 0x80); /* LBPU only, no WRITE SAME */
	disk.read_only = true;
	vpd_twice(0xB2);
	assert_int_equal(buf[5], 0);
}

static void test_report_luns(void **state)
{
	static const uint8_t luns[] = {0, 3, 63};
	uint8_t cdb[12] = {0xA0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0}; /* 4096 */

	(void)state;
	memset(&cmd, 0, sizeof(cmd));
	memcpy(cmd.cdb, cdb, 12);
	cmd.cdb_len = 12;
	cmd.dir = SCSI_DIR_IN;
	iov[0] = (struct iovec){buf, 4096};
	cmd.iov = iov;
	cmd.niov = 1;
	cmd.len = 4096;
	scsi_report_luns(&cmd, luns, 3, &res);
	assert_good(32);
	assert_int_equal(get_be32(buf), 24);
	assert_int_equal(get_be64(buf + 8), 0);
	assert_int_equal(get_be64(buf + 16), 0x0003000000000000ull);
	assert_int_equal(get_be64(buf + 24), 0x003F000000000000ull);
	/* A short allocation gets the header with the full length. */
	put_be32(cmd.cdb + 6, 16);
	scsi_report_luns(&cmd, luns, 3, &res);
	assert_good(16);
	assert_int_equal(get_be32(buf), 24);
	/* Well-known LUNs only: none. */
	put_be32(cmd.cdb + 6, 4096);
	cmd.cdb[2] = 1;
	scsi_report_luns(&cmd, luns, 3, &res);
	assert_good(8);
	assert_int_equal(get_be32(buf), 0);
	cmd.cdb[2] = 3;
	scsi_report_luns(&cmd, luns, 3, &res);
	assert_sense(SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_IN_CDB);
	cmd.cdb[2] = 0;
	put_be32(cmd.cdb + 6, 15);
	scsi_report_luns(&cmd, luns, 3, &res);
	assert_sense(SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_IN_CDB);
	/* No LUNs at all: an empty list. */
	put_be32(cmd.cdb + 6, 4096);
	scsi_report_luns(&cmd, luns, 0, &res);
	assert_good(8);
	assert_int_equal(get_be32(buf), 0);
}

static void test_inquiry_no_lun(void **state)
{
	uint8_t cdb[6] = {0x12, 0, 0, 0, 36, 0};

	(void)state;
	memset(&cmd, 0, sizeof(cmd));
	memcpy(cmd.cdb, cdb, 6);
	cmd.cdb_len = 6;
	cmd.dir = SCSI_DIR_IN;
	iov[0] = (struct iovec){buf, 36};
	cmd.iov = iov;
	cmd.niov = 1;
	cmd.len = 36;
	scsi_inquiry_no_lun(&cmd, false, &res);
	assert_good(36);
	assert_int_equal(buf[0], 0x7F); /* PQ 3: scsi_probe_and_add_lun adds nothing */
	assert_memory_equal(buf + 8, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 24);
	scsi_inquiry_no_lun(&cmd, true, &res);
	assert_good(36);
	assert_int_equal(buf[0], 0x7F);
	assert_memory_equal(buf + 8, "SEPTUM  ", 8);
	cmd.cdb[1] = 1; /* no VPD */
	scsi_inquiry_no_lun(&cmd, true, &res);
	assert_sense(SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_IN_CDB);
}

/* ---- sd probe: sd_spinup_disk, sd_read_capacity, MODE SENSE ---- */

static void test_unit_ready_and_start(void **state)
{
	uint8_t tur[6] = {0x00};
	uint8_t start[6] = {0x1B, 0, 0, 0, 0x01, 0};

	(void)state;
	run(tur, 6, SCSI_DIR_NONE, 0);
	assert_good(0);
	assert_int_equal(res.io, SCSI_IO_NONE);
	run(start, 6, SCSI_DIR_NONE, 0);
	assert_good(0);
}

static void test_request_sense(void **state)
{
	uint8_t cdb[6] = {0x03, 0, 0, 0, 96, 0};

	(void)state;
	run_in(cdb, 6, 96);
	assert_good(18);
	assert_int_equal(buf[0], 0x70);
	assert_int_equal(buf[2], 0); /* NO SENSE */
	assert_int_equal(buf[7], 10);
	assert_int_equal(buf[12], 0);
	cdb[1] = 1; /* descriptor format */
	run_in(cdb, 6, 96);
	assert_sense(SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_IN_CDB);
}

static void test_read_capacity_16(void **state)
{
	/* read_capacity_16: SERVICE ACTION IN, SA 0x10, 32 bytes. */
	uint8_t cdb[16] = {0x9E, 0x10, [13] = 32};

	(void)state;
	run_in(cdb, 16, 32);
	assert_good(32);
	assert_int_equal(get_be64(buf), 2097152 - 1);
	assert_int_equal(get_be32(buf + 8), 512);
	assert_int_equal(buf[12] & 0x01, 0);	/* no protection */
	assert_int_equal(buf[13] & 0x0F, 0);	/* physical = logical */
	assert_int_equal(buf[14] & 0x80, 0x80); /* LBPME */
	assert_int_equal(buf[14] & 0x40, 0);	/* no LBPRZ */
	assert_int_equal((buf[14] & 0x3F) << 8 | buf[15], 0);
	assert_int_equal(buf[16], 0);

	disk.discard = false;
	run_in(cdb, 16, 32);
	assert_int_equal(buf[14], 0);
	disk.discard = true;
	disk.read_only = true;
	run_in(cdb, 16, 32);
	assert_int_equal(buf[14], 0);

	/* Beyond 2^32 blocks, with 4 KiB blocks. */
	disk.nblocks = 0x123456789ull;
	disk.block_size = 4096;
	run_in(cdb, 16, 32);
	assert_int_equal(get_be64(buf), 0x123456788ull);
	assert_int_equal(get_be32(buf + 8), 4096);

	cdb[1] = 0x11; /* another service action */
	run_in(cdb, 16, 32);
	assert_sense(SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_IN_CDB);
	cdb[1] = 0x10;
	run_in(cdb, 10, 32); /* cut short */
	assert_sense(SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_IN_CDB);
}

static void test_read_capacity_10(void **state)
{
	uint8_t cdb[10] = {0x25};

	(void)state;
	run_in(cdb, 10, 8);
	assert_good(8);
	assert_int_equal(get_be32(buf), 2097152 - 1);
	assert_int_equal(get_be32(buf + 4), 512);
	/* Too big for RC10: 0xFFFFFFFF sends Linux to RC16. */
	disk.nblocks = 0x100000001ull;
	run_in(cdb, 10, 8);
	assert_int_equal(get_be32(buf), 0xFFFFFFFF);
}

/* sd_read_write_protect_flag: page 0x3F, 4 bytes, device-specific byte;
 * sd_read_cache_type: page 8, 4 bytes, then data.length bytes. */
static void test_mode_sense_6(void **state)
{
	uint8_t all[6] = {0x1A, 0, 0x3F, 0, 4, 0};
	uint8_t caching[6] = {0x1A, 0, 0x08, 0, 4, 0};
	uint32_t len;

	(void)state;
	run_in(all, 6, 4);
	assert_good(4);
	assert_int_equal(buf[0], 4 + 20 - 1);
	assert_int_equal(buf[1], 0);
	assert_int_equal(buf[2], 0); /* write enabled, no DPOFUA */
	assert_int_equal(buf[3], 0); /* no block descriptors */

	run_in(caching, 6, 4);
	assert_good(4);
	len = buf[0] + 1;
	assert_int_equal(len, 24);
	caching[4] = len;
	run_in(caching, 6, len);
	assert_good(len);
	assert_int_equal(buf[4] & 0x3F, 0x08);
	assert_int_equal(buf[5], 0x12);
	assert_int_equal(buf[6] & 0x04, 0x04); /* WCE: Linux sends flushes */
	assert_int_equal(buf[6] & 0x01, 0);    /* RCD clear */

	disk.read_only = true;
	all[4] = 255;
	run_in(all, 6, 255);
	assert_good(24);
	assert_int_equal(buf[2], 0x80); /* WP */
}

static void test_mode_sense_10_and_fields(void **state)
{
	uint8_t cdb[10] = {0x5A, 0, 0x08, 0, 0, 0, 0, 0, 255, 0};
	uint8_t six[6] = {0x1A, 0, 0x3F, 0, 255, 0};

	(void)state;
	disk.read_only = true;
	run_in(cdb, 10, 255);
	assert_good(28);
	assert_int_equal(get_be16(buf), 28 - 2);
	assert_int_equal(buf[3], 0x80);
	assert_int_equal(get_be16(buf + 6), 0);
	assert_int_equal(buf[8], 0x08);
	assert_int_equal(buf[10] & 0x04, 0x04);

	six[2] = 0x7F; /* changeable values: nothing */
	run_in(six, 6, 255);
	assert_good(24);
	assert_int_equal(buf[6], 0);
	six[2] = 0xBF; /* defaults */
	run_in(six, 6, 255);
	assert_int_equal(buf[6] & 0x04, 0x04);
	six[2] = 0xFF; /* saved */
	run_in(six, 6, 255);
	assert_sense(SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_SAVING_PARAMS_UNSUPPORTED);
	six[2] = 0x0A; /* control page: not here */
	run_in(six, 6, 255);
	assert_sense(SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_IN_CDB);
	six[2] = 0x3F;
	six[3] = 0xFF; /* all subpages */
	run_in(six, 6, 255);
	assert_good(24);
	six[3] = 0x01;
	run_in(six, 6, 255);
	assert_sense(SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_IN_CDB);
}

/* ---- I/O ---- */

static void rw10(uint8_t op, uint32_t lba, uint16_t n, enum scsi_dir dir, uint32_t len)
{
	uint8_t cdb[10] = {op};

	put_be32(cdb + 2, lba);
	put_be16(cdb + 7, n);
	run(cdb, 10, dir, len);
}

static void rw16(uint8_t op, uint64_t lba, uint32_t n, enum scsi_dir dir, uint32_t len)
{
	uint8_t cdb[16] = {op};

	put_be64(cdb + 2, lba);
	put_be32(cdb + 10, n);
	run(cdb, 16, dir, len);
}

static void assert_io(enum scsi_io_op op, uint64_t offset, uint64_t len)
{
	assert_int_equal(res.status, SAM_STAT_GOOD);
	assert_int_equal(res.io, op);
	assert_int_equal(res.io_offset, offset);
	assert_int_equal(res.io_len, len);
}

static void test_read_write_mapping(void **state)
{
	(void)state;
	rw10(0x28, 100, 8, SCSI_DIR_IN, 4096);
	assert_io(SCSI_IO_READ, 100 * 512, 4096);
	assert_int_equal(res.len, 4096);
	rw10(0x2A, 2097152 - 8, 8, SCSI_DIR_OUT, 4096);
	assert_io(SCSI_IO_WRITE, (2097152ull - 8) * 512, 4096);
	rw16(0x88, 7, 1, SCSI_DIR_IN, 512);
	assert_io(SCSI_IO_READ, 7 * 512, 512);
	rw16(0x8A, 2097152 - 1, 1, SCSI_DIR_OUT, 512);
	assert_io(SCSI_IO_WRITE, (2097152ull - 1) * 512, 512);

	/* 4 KiB blocks beyond 2^32: READ(16) addresses them. */
	disk.block_size = 4096;
	disk.nblocks = 0x200000000ull;
	rw16(0x88, 0x1FFFFFFF0ull, 16, SCSI_DIR_IN, 65536);
	assert_io(SCSI_IO_READ, 0x1FFFFFFF0ull * 4096, 65536);

	/* DPO and FUA are accepted (and the flush comes separately). */
	{
		uint8_t cdb[10] = {0x2A, 0x18, 0, 0, 0, 1, 0, 0, 1, 0};

		disk.block_size = 512;
		run(cdb, 10, SCSI_DIR_OUT, 512);
		assert_io(SCSI_IO_WRITE, 512, 512);
	}
}

static void test_read_write_zero_length(void **state)
{
	(void)state;
	rw10(0x28, 5, 0, SCSI_DIR_NONE, 0);
	assert_good(0);
	assert_int_equal(res.io, SCSI_IO_NONE);
	rw16(0x8A, 2097152, 0, SCSI_DIR_NONE, 0); /* at the end: still in range */
	assert_good(0);
	rw16(0x8A, 2097153, 0, SCSI_DIR_NONE, 0);
	assert_sense(SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_LBA_OUT_OF_RANGE);
}

static void test_read_write_out_of_range(void **state)
{
	(void)state;
	rw10(0x28, 2097152 - 1, 2, SCSI_DIR_IN, 1024);
	assert_sense(SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_LBA_OUT_OF_RANGE);
	rw10(0x2A, 0xFFFFFFFF, 1, SCSI_DIR_OUT, 512);
	assert_sense(SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_LBA_OUT_OF_RANGE);
	rw16(0x88, 0xFFFFFFFFFFFFFFFFull, 2, SCSI_DIR_IN, 1024); /* lba + n wraps */
	assert_sense(SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_LBA_OUT_OF_RANGE);
	rw16(0x88, 0, 0xFFFFFFFF, SCSI_DIR_IN, 4096);
	assert_sense(SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_LBA_OUT_OF_RANGE);
}

static void test_read_write_length_mismatch(void **state)
{
	(void)state;
	rw10(0x28, 0, 8, SCSI_DIR_IN, 4095);
	assert_sense(SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_IN_CDB);
	rw10(0x28, 0, 8, SCSI_DIR_IN, 4608);
	assert_sense(SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_IN_CDB);
	rw10(0x28, 0, 0, SCSI_DIR_IN, 512);
	assert_sense(SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_IN_CDB);
	/* The direction must match the command. */
	rw10(0x28, 0, 1, SCSI_DIR_OUT, 512);
	assert_sense(SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_IN_CDB);
	rw16(0x8A, 0, 1, SCSI_DIR_IN, 512);
	assert_sense(SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_IN_CDB);
	/* Protection information asked for. */
	{
		uint8_t cdb[10] = {0x28, 0x20, 0, 0, 0, 0, 0, 0, 1, 0};

		run(cdb, 10, SCSI_DIR_IN, 512);
		assert_sense(SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_IN_CDB);
	}
}

static void test_read_only(void **state)
{
	uint8_t sync[10] = {0x35};
	uint8_t unmap[10] = {0x42, 0, 0, 0, 0, 0, 0, 0, 24, 0};

	(void)state;
	disk.read_only = true;
	rw10(0x2A, 0, 1, SCSI_DIR_OUT, 512);
	assert_sense(SCSI_SK_DATA_PROTECT, SCSI_ASC_WRITE_PROTECTED);
	rw16(0x8A, 0, 1, SCSI_DIR_OUT, 512);
	assert_sense(SCSI_SK_DATA_PROTECT, SCSI_ASC_WRITE_PROTECTED);
	run(unmap, 10, SCSI_DIR_OUT, 24);
	assert_sense(SCSI_SK_DATA_PROTECT, SCSI_ASC_WRITE_PROTECTED);
	rw10(0x28, 0, 1, SCSI_DIR_IN, 512);
	assert_io(SCSI_IO_READ, 0, 512);
	/* Nothing to flush. */
	run(sync, 10, SCSI_DIR_NONE, 0);
	assert_good(0);
	assert_int_equal(res.io, SCSI_IO_NONE);
}

static void test_synchronize_cache(void **state)
{
	uint8_t ten[10] = {0x35};
	uint8_t sixteen[16] = {0x91};

	(void)state;
	run(ten, 10, SCSI_DIR_NONE, 0);
	assert_io(SCSI_IO_FLUSH, 0, 0);
	assert_int_equal(res.len, 0);
	run(sixteen, 16, SCSI_DIR_NONE, 0);
	assert_io(SCSI_IO_FLUSH, 0, 0);
	put_be64(sixteen + 2, 2097152);
	put_be32(sixteen + 10, 1);
	run(sixteen, 16, SCSI_DIR_NONE, 0);
	assert_sense(SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_LBA_OUT_OF_RANGE);
}

/* sd_setup_unmap_cmnd: a 24-byte list, one descriptor. */
static void unmap_list(uint16_t bd_len, uint64_t lba, uint32_t n)
{
	memset(buf, 0, 64);
	put_be16(buf, 6 + bd_len);
	put_be16(buf + 2, bd_len);
	put_be64(buf + 8, lba);
	put_be32(buf + 16, n);
	put_be64(buf + 24, lba + n);
	put_be32(buf + 32, 1);
}

static void test_unmap(void **state)
{
	uint8_t cdb[10] = {0x42, 0, 0, 0, 0, 0, 0, 0, 24, 0};

	(void)state;
	unmap_list(16, 1000, 2048);
	run(cdb, 10, SCSI_DIR_OUT, 24);
	assert_io(SCSI_IO_DISCARD, 1000 * 512, 2048 * 512);
	assert_int_equal(res.len, 24);
	/* No descriptor, or a zero count: nothing to do. */
	unmap_list(0, 0, 0);
	run(cdb, 10, SCSI_DIR_OUT, 24);
	assert_good(24);
	assert_int_equal(res.io, SCSI_IO_NONE);
	unmap_list(16, 5, 0);
	run(cdb, 10, SCSI_DIR_OUT, 24);
	assert_good(24);
	cdb[8] = 0;
	run(cdb, 10, SCSI_DIR_NONE, 0);
	assert_good(0);
	/* Two descriptors: more than VPD 0xB0 allows. */
	cdb[8] = 40;
	unmap_list(32, 0, 8);
	run(cdb, 10, SCSI_DIR_OUT, 40);
	assert_sense(SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_IN_PARAM_LIST);
	cdb[8] = 24;
	unmap_list(16, 2097152 - 1, 2);
	run(cdb, 10, SCSI_DIR_OUT, 24);
	assert_sense(SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_LBA_OUT_OF_RANGE);
	unmap_list(16, 0, 0xFFFFFFFF);
	run(cdb, 10, SCSI_DIR_OUT, 24);
	assert_sense(SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_IN_PARAM_LIST);
	/* The list longer than the buffer, or shorter than its header. */
	unmap_list(16, 0, 8);
	run(cdb, 10, SCSI_DIR_OUT, 16);
	assert_sense(SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_PARAMETER_LIST_LENGTH_ERROR);
	cdb[8] = 6;
	run(cdb, 10, SCSI_DIR_OUT, 6);
	assert_sense(SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_PARAMETER_LIST_LENGTH_ERROR);
	cdb[8] = 24;
	cdb[1] = 1; /* ANCHOR */
	run(cdb, 10, SCSI_DIR_OUT, 24);
	assert_sense(SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_IN_CDB);
	cdb[1] = 0;
	run(cdb, 10, SCSI_DIR_IN, 24);
	assert_sense(SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_IN_CDB);
	/* Not advertised without a discarding backend. */
	disk.discard = false;
	unmap_list(16, 0, 8);
	run(cdb, 10, SCSI_DIR_OUT, 24);
	assert_sense(SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_COMMAND_OPCODE);
}

static void test_io_done(void **state)
{
	uint8_t unmap[10] = {0x42, 0, 0, 0, 0, 0, 0, 0, 24, 0};

	(void)state;
	rw10(0x28, 0, 8, SCSI_DIR_IN, 4096);
	scsi_io_done(&res, 0);
	assert_good(4096);
	assert_int_equal(res.io, SCSI_IO_NONE);

	rw10(0x28, 0, 8, SCSI_DIR_IN, 4096);
	scsi_io_done(&res, -EIO);
	assert_sense(SCSI_SK_MEDIUM_ERROR, SCSI_ASC_UNRECOVERED_READ_ERROR);
	rw10(0x2A, 0, 8, SCSI_DIR_OUT, 4096);
	scsi_io_done(&res, -ENOSPC);
	assert_sense(SCSI_SK_MEDIUM_ERROR, SCSI_ASC_WRITE_ERROR);
	{
		uint8_t sync[10] = {0x35};

		run(sync, 10, SCSI_DIR_NONE, 0);
		scsi_io_done(&res, -EIO);
		assert_sense(SCSI_SK_MEDIUM_ERROR, SCSI_ASC_WRITE_ERROR);
	}
	unmap_list(16, 0, 8);
	run(unmap, 10, SCSI_DIR_OUT, 24);
	scsi_io_done(&res, -EOPNOTSUPP); /* sd_done then disables discard */
	assert_sense(SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_COMMAND_OPCODE);
	run(unmap, 10, SCSI_DIR_OUT, 24);
	scsi_io_done(&res, -EIO);
	assert_sense(SCSI_SK_MEDIUM_ERROR, SCSI_ASC_WRITE_ERROR);
}

static void test_unsupported(void **state)
{
	static const uint8_t opcodes[] = {
	    0x08, /* READ(6): Linux sends it only after READ(10) fails */
	    0x0A,
	    0x15,
	    0x1E,
	    0x2F,
	    0x41 /* WRITE SAME */,
	    0x55,
	    0x85,
	    0x93,
	    0xA0,
	    0xA1,
	    0xA3 /* REPORT SUPPORTED OPCODES */,
	    0xC0,
	    0xFF,
	};
	uint8_t cdb[16] = {0};

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(opcodes); i++) {
		cdb[0] = opcodes[i];
		run(cdb, 16, SCSI_DIR_NONE, 0);
		assert_sense(SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_COMMAND_OPCODE);
	}
}

static void test_short_cdb(void **state)
{
	uint8_t cdb[16] = {0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0};

	(void)state;
	run(cdb, 9, SCSI_DIR_IN, 512);
	assert_sense(SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_IN_CDB);
	cdb[0] = 0x12;
	run(cdb, 5, SCSI_DIR_IN, 0);
	assert_sense(SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_IN_CDB);
	/* Longer than the opcode needs is fine. */
	cdb[0] = 0x00;
	run(cdb, 16, SCSI_DIR_NONE, 0);
	assert_good(0);
}

static void test_disk_info_check(void **state)
{
	(void)state;
	assert_int_equal(scsi_disk_info_check(&disk), 0);
	disk.block_size = 520;
	assert_int_equal(scsi_disk_info_check(&disk), -EINVAL);
	disk.block_size = 4096;
	assert_int_equal(scsi_disk_info_check(&disk), 0);
	disk.nblocks = 0;
	assert_int_equal(scsi_disk_info_check(&disk), -EINVAL);
	disk.nblocks = (uint64_t)INT64_MAX / 4096 + 1;
	assert_int_equal(scsi_disk_info_check(&disk), -EINVAL);
	disk.nblocks = 1;
	memset(disk.serial, 'A', sizeof(disk.serial));
	assert_int_equal(scsi_disk_info_check(&disk), -EINVAL);
	strcpy(disk.serial, "tab\there");
	assert_int_equal(scsi_disk_info_check(&disk), -EINVAL);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_inquiry_standard, setup),
	    cmocka_unit_test_setup(test_inquiry_split_iovecs, setup),
	    cmocka_unit_test_setup(test_inquiry_bad_fields, setup),
	    cmocka_unit_test_setup(test_vpd_supported_pages, setup),
	    cmocka_unit_test_setup(test_vpd_unlisted_page, setup),
	    cmocka_unit_test_setup(test_vpd_serial, setup),
	    cmocka_unit_test_setup(test_vpd_device_id, setup),
	    cmocka_unit_test_setup(test_vpd_block_limits, setup),
	    cmocka_unit_test_setup(test_vpd_characteristics_and_lbp, setup),
	    cmocka_unit_test_setup(test_report_luns, setup),
	    cmocka_unit_test_setup(test_inquiry_no_lun, setup),
	    cmocka_unit_test_setup(test_unit_ready_and_start, setup),
	    cmocka_unit_test_setup(test_request_sense, setup),
	    cmocka_unit_test_setup(test_read_capacity_16, setup),
	    cmocka_unit_test_setup(test_read_capacity_10, setup),
	    cmocka_unit_test_setup(test_mode_sense_6, setup),
	    cmocka_unit_test_setup(test_mode_sense_10_and_fields, setup),
	    cmocka_unit_test_setup(test_read_write_mapping, setup),
	    cmocka_unit_test_setup(test_read_write_zero_length, setup),
	    cmocka_unit_test_setup(test_read_write_out_of_range, setup),
	    cmocka_unit_test_setup(test_read_write_length_mismatch, setup),
	    cmocka_unit_test_setup(test_read_only, setup),
	    cmocka_unit_test_setup(test_synchronize_cache, setup),
	    cmocka_unit_test_setup(test_unmap, setup),
	    cmocka_unit_test_setup(test_io_done, setup),
	    cmocka_unit_test_setup(test_unsupported, setup),
	    cmocka_unit_test_setup(test_short_cdb, setup),
	    cmocka_unit_test_setup(test_disk_info_check, setup),
	};

	return unit_run("scsi", tests, ARRAY_SIZE(tests), NULL);
}
