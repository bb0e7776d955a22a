/* libFuzzer target for the SCSI disk (root/vsp/scsi.c). The input picks a
 * small disk (size, block size, read-only, discard, serial, NAA id), then a
 * series of commands: CDB bytes (the opcode biased towards the ones the
 * disk knows), CDB length, direction and buffer length, the buffer split
 * into iovecs with guard bytes between them, and the backend's outcome.
 * Each command goes to scsi_execute, scsi_report_luns and
 * scsi_inquiry_no_lun, and every result is checked for what storvsp and
 * the guest rely on: a GOOD or a CHECK CONDITION with 18 bytes of
 * fixed-format sense and no data; never more data than the buffer; data-in
 * only into an IN buffer and nothing written outside the iovecs or into a
 * data-out buffer; backend requests inside the disk, block-aligned, of
 * exactly the buffer for READ/WRITE, and none that writes a read-only disk;
 * and after scsi_io_done a final result of the same shape. */
#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_input.h"
#include "scsi.h"

#define GUARD	0xA5
#define MAX_IOV 8
#define SLACK	4096 /* bytes checked past the last iovec */
#define ARENA	(SCSI_MAX_TRANSFER + 64 * MAX_IOV + SLACK)

static uint8_t arena[ARENA];
static uint8_t before[ARENA];
static size_t span; /* the part of the arena a command's buffer uses, plus SLACK */

static void pick_disk(struct input *in, struct scsi_disk_info *d)
{
	static const uint32_t sizes[] = {512, 1024, 2048, 4096};
	static const uint64_t blocks[] = {1, 2, 8, 1000, 2097152, 0x100000000ull, 0x7FFFFFFFFFFull};
	uint8_t f = take(in);

	memset(d, 0, sizeof(*d));
	d->block_size = sizes[f & 3];
	d->nblocks = blocks[(f >> 2) % (sizeof(blocks) / sizeof(blocks[0]))];
	if (d->nblocks > (uint64_t)INT64_MAX / d->block_size)
		d->nblocks = (uint64_t)INT64_MAX / d->block_size;
	d->read_only = f & 0x40;
	d->discard = f & 0x80;
	for (unsigned i = 0, n = take(in) % 21; i < n; i++)
		d->serial[i] = 0x20 + take(in) % 0x5F;
	if (take(in) & 1)
		for (unsigned i = 0; i < sizeof(d->naa_id); i++)
			d->naa_id[i] = take(in);
	assert(scsi_disk_info_check(d) == 0);
}

/* Opcodes the disk answers, and a few it refuses that Linux might send. */
static uint8_t pick_opcode(struct input *in)
{
	static const uint8_t ops[] = {0x00, 0x03, 0x12, 0x1A, 0x1B, 0x25, 0x28, 0x2A,
				      0x35, 0x42, 0x5A, 0x88, 0x8A, 0x91, 0x9E, 0xA0,
				      0x08, 0x0A, 0x41, 0x93, 0xA3, 0x85};
	uint8_t b = take(in);

	return b & 0x80 ? take(in) : ops[b % sizeof(ops)];
}

static void put_be(uint8_t *p, uint64_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		p[i] = v >> (8 * (bytes - 1 - i));
}

static uint64_t get_be(const uint8_t *p, int bytes)
{
	uint64_t v = 0;

	for (int i = 0; i < bytes; i++)
		v = v << 8 | p[i];
	return v;
}

/* An LBA near the disk's end or its start, a small count or any. */
static void pick_range(struct input *in, const struct scsi_disk_info *d, uint64_t *lba, uint32_t *n)
{
	uint8_t how = take(in);

	*lba = how & 1 ? d->nblocks - take(in) % 4 : take(in);
	*n = how & 2 ? take(in) % 9 : take32(in);
}

static void pick_lba_fields(struct input *in, uint8_t *cdb, const struct scsi_disk_info *d)
{
	bool sixteen = cdb[0] == 0x88 || cdb[0] == 0x8A || cdb[0] == 0x91;
	uint64_t lba;
	uint32_t n;

	pick_range(in, d, &lba, &n);
	put_be(cdb + 2, lba, sixteen ? 8 : 4);
	if (sixteen)
		put_be(cdb + 10, n, 4);
	else
		put_be(cdb + 7, n, 2);
}

/* The buffer a well-formed command has: its direction, and as many bytes
 * as its blocks, allocation length or parameter list length say. */
static void natural_buffer(const struct scsi_disk_info *d, struct scsi_cmd *c)
{
	const uint8_t *cdb = c->cdb;
	uint64_t len;

	switch (cdb[0]) {
	case 0x28:
	case 0x2A:
		len = get_be(cdb + 7, 2) * d->block_size;
		break;
	case 0x88:
	case 0x8A:
		len = get_be(cdb + 10, 4) * d->block_size;
		break;
	case 0x42:
		len = get_be(cdb + 7, 2);
		break;
	case 0x03:
	case 0x1A:
		len = cdb[4];
		break;
	case 0x12:
		len = get_be(cdb + 3, 2);
		break;
	case 0x5A:
		len = get_be(cdb + 7, 2);
		break;
	case 0x25:
		len = 8;
		break;
	case 0x9E:
		len = get_be(cdb + 10, 4);
		break;
	case 0xA0:
		len = get_be(cdb + 6, 4);
		break;
	default:
		len = 0;
	}
	c->len = len > SCSI_MAX_TRANSFER ? SCSI_MAX_TRANSFER : len;
	c->dir = !c->len					      ? SCSI_DIR_NONE
		 : cdb[0] == 0x2A || cdb[0] == 0x8A || cdb[0] == 0x42 ? SCSI_DIR_OUT
								      : SCSI_DIR_IN;
}

/* The most a data-in command may return, or for UNMAP read. */
static uint32_t limit(const uint8_t *cdb)
{
	switch (cdb[0]) {
	case 0x03:
	case 0x1A:
		return cdb[4];
	case 0x12:
		return get_be(cdb + 3, 2);
	case 0x42:
	case 0x5A:
		return get_be(cdb + 7, 2);
	case 0x25:
		return 8;
	case 0x9E:
		return get_be(cdb + 10, 4);
	case 0xA0:
		return get_be(cdb + 6, 4);
	default:
		return UINT32_MAX;
	}
}

static void check_result(const struct scsi_disk_info *d, const struct scsi_cmd *c,
			 const struct scsi_result *r, bool io_allowed, uint32_t max)
{
	uint64_t size = d->nblocks * d->block_size;

	assert(r->len <= c->len);
	if (r->io != SCSI_IO_READ && r->io != SCSI_IO_WRITE)
		assert(r->len <= max);
	if (r->status == SAM_STAT_CHECK_CONDITION) {
		assert(r->sense_len == SCSI_SENSE_LEN);
		assert(r->sense[0] == 0x70 && r->sense[7] == SCSI_SENSE_LEN - 8);
		assert(r->sense[2] <= 0xF);
		assert(r->len == 0 && r->io == SCSI_IO_NONE);
		return;
	}
	assert(r->status == SAM_STAT_GOOD && r->sense_len == 0);
	if (r->io == SCSI_IO_NONE)
		return;
	assert(io_allowed);
	assert(r->io_offset % d->block_size == 0 && r->io_len % d->block_size == 0);
	assert(r->io_offset <= size && r->io_len <= size - r->io_offset);
	switch (r->io) {
	case SCSI_IO_READ:
		assert(c->dir == SCSI_DIR_IN && r->io_len == c->len && r->len == c->len);
		assert(r->io_len);
		break;
	case SCSI_IO_WRITE:
		assert(c->dir == SCSI_DIR_OUT && r->io_len == c->len && r->len == c->len);
		assert(r->io_len && !d->read_only);
		break;
	case SCSI_IO_FLUSH:
		assert(!d->read_only && r->io_offset == 0 && r->io_len == 0 && r->len == 0);
		break;
	case SCSI_IO_DISCARD:
		assert(d->discard && !d->read_only && r->io_len);
		assert(c->dir == SCSI_DIR_OUT);
		break;
	default:
		assert(!"io op");
	}
}

/* Nothing outside the iovecs changed, and inside them only the first
 * r->len bytes of a data-in buffer. */
static void check_memory(const struct scsi_cmd *c, const struct scsi_result *r)
{
	uint32_t written = c->dir == SCSI_DIR_IN && r->status == SAM_STAT_GOOD ? r->len : 0;
	size_t at = 0;

	for (unsigned i = 0; i < c->niov; i++) {
		size_t start = (uint8_t *)c->iov[i].iov_base - arena, len = c->iov[i].iov_len;
		size_t w = written < len ? written : len;

		assert(!memcmp(arena + at, before + at, start - at));
		assert(!memcmp(arena + start + w, before + start + w, len - w));
		written -= w;
		at = start + len;
	}
	assert(!memcmp(arena + at, before + at, span - at));
}

/* Data-out: for UNMAP mostly a parameter list like Linux's, with
 * descriptors near the disk's end; random bytes otherwise. */
static void fill_out(struct input *in, const struct scsi_disk_info *d, const struct scsi_cmd *c)
{
	uint8_t list[64] = {0};
	uint32_t n = c->len < sizeof(list) ? c->len : sizeof(list), done = 0;
	uint8_t how = take(in);

	for (uint32_t i = 0; i < n; i++)
		list[i] = take(in);
	if (c->cdb[0] == 0x42 && !(how & 1)) {
		unsigned ndesc = how & 2 ? 2 : 1;

		put_be(list, 6 + 16 * ndesc, 2);
		put_be(list + 2, 16 * ndesc, 2);
		for (unsigned i = 0; i < ndesc; i++) {
			uint64_t lba;
			uint32_t count;

			pick_range(in, d, &lba, &count);
			put_be(list + 8 + 16 * i, lba, 8);
			put_be(list + 16 + 16 * i, count, 4);
		}
	}
	for (unsigned i = 0; i < c->niov && done < n; i++) {
		size_t k = c->iov[i].iov_len < n - done ? c->iov[i].iov_len : n - done;

		memcpy(c->iov[i].iov_base, list + done, k);
		done += k;
	}
}

static void run_one(const struct scsi_disk_info *d, struct input *in)
{
	static const uint8_t luns[] = {0, 1, 7, 63};
	struct iovec iov[MAX_IOV];
	struct scsi_cmd c = {0};
	struct scsi_result r;
	uint8_t shape = take(in);
	uint32_t left;
	size_t at = 0;
	int err;

	for (unsigned i = 0; i < sizeof(c.cdb); i++)
		c.cdb[i] = take(in);
	c.cdb[0] = pick_opcode(in);
	if (shape & 1)
		pick_lba_fields(in, c.cdb, d);
	c.cdb_len = shape & 4 ? 16 : 1 + take(in) % 16;
	if (shape & 2) {
		natural_buffer(d, &c);
	} else {
		c.dir = (enum scsi_dir)(take(in) % 3);
		c.len = c.dir == SCSI_DIR_NONE ? 0 : take32(in) % (SCSI_MAX_TRANSFER + 1);
	}
	/* Split the buffer into iovecs with gaps; the last takes the rest. */
	left = c.len;
	for (unsigned i = 0; i < MAX_IOV && (left || !i); i++) {
		uint32_t n = i == MAX_IOV - 1 ? left : take32(in) % (left + 1);

		at += take(in) % 64;
		iov[i] = (struct iovec){arena + at, n};
		at += n;
		left -= n;
		c.niov = i + 1;
	}
	assert(!left && at + SLACK <= ARENA);
	span = at + SLACK;
	c.iov = iov;
	memset(arena, GUARD, span);
	if (c.dir == SCSI_DIR_OUT)
		fill_out(in, d, &c);
	memcpy(before, arena, span);

	scsi_execute(d, &c, &r);
	check_result(d, &c, &r, true, limit(c.cdb));
	check_memory(&c, &r);
	err = (int)(take(in) % 3) - 1; /* -1: -EIO, 0: done, 1: -EOPNOTSUPP */
	if (r.io != SCSI_IO_NONE) {
		scsi_io_done(&r, err < 0 ? -EIO : err ? -EOPNOTSUPP : 0);
		check_result(d, &c, &r, false, limit(c.cdb));
		if (err)
			assert(r.status == SAM_STAT_CHECK_CONDITION);
	}

	memcpy(arena, before, span);
	scsi_report_luns(&c, luns, take(in) % (sizeof(luns) + 1), &r);
	check_result(d, &c, &r, false, get_be(c.cdb + 6, 4));
	check_memory(&c, &r);
	memcpy(arena, before, span);
	scsi_inquiry_no_lun(&c, take(in) & 1, &r);
	check_result(d, &c, &r, false, get_be(c.cdb + 3, 2));
	check_memory(&c, &r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = {data, size};
	struct scsi_disk_info d;

	pick_disk(&in, &d);
	for (int i = 0; i < 16 && in.left; i++)
		run_one(&d, &in);
	return 0;
}
