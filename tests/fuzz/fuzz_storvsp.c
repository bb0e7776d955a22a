/* libFuzzer target for storvsp (root/vsp/storvsp.c). The input is a
 * sequence of packets on the primary channel or a sub-channel of a
 * controller with a few disks: the operation (biased towards the real
 * ones, the handshake in order now and then), the packet's bytes and
 * length (0-80), the SRB fields Linux fills in, the GPA range as iovecs
 * over a buffer, and completions of outstanding backend requests, several
 * of which may be pending at once. After each step it checks what the
 * VMWP and the guest rely on: every answer is a 64-byte COMPLETE_IO with
 * the packet's trans_id; an SRB's completion moves no more than asked,
 * carries autosense only with a CHECK CONDITION and within the guest's
 * buffer; backend requests name a configured backend, stay within the
 * transfer limit and the packet's iovecs, and move exactly their length;
 * sub-channels are granted once per handshake and within the limit; and a
 * sub-channel packet never changes the controller. */
#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_input.h"
#include "storvsp.h"

#define SLOTS 4
#define BUF   (STORVSP_MAX_TRANSFER + 8192)

static struct storvsp s;
static struct storvsp_req reqs[SLOTS];
static bool pending[SLOTS];
static uint8_t buf[BUF];
static struct iovec iov[STORVSP_MAX_IOV + 8];

static void setup(struct input *in)
{
	struct scsi_disk_info d = {.nblocks = 4096, .block_size = 512, .discard = true};
	uint8_t f = take(in);

	storvsp_init(&s, f % 20);
	strcpy(d.serial, "FUZZ");
	assert(storvsp_add_disk(&s, 0, 100, &d) == 0);
	d.read_only = true;
	d.block_size = 4096;
	d.nblocks = 300;
	assert(storvsp_add_disk(&s, 5, 105, &d) == 0);
	d.read_only = false;
	d.discard = false;
	assert(storvsp_add_disk(&s, 63, 163, &d) == 0);
	assert(storvsp_add_disk(&s, 64, 0, &d) == -EINVAL);
	memset(reqs, 0, sizeof(reqs));
	memset(pending, 0, sizeof(pending));
	memset(buf, 0, sizeof(buf));
}

/* An SRB as storvsc_queuecommand builds it, with any field left random. */
static void fill_srb(struct input *in, struct vstor_packet *p)
{
	static const uint8_t ops[] = {0x00, 0x03, 0x12, 0x1A, 0x1B, 0x25, 0x28, 0x2A,
				      0x35, 0x42, 0x5A, 0x88, 0x8A, 0x91, 0x9E, 0xA0};
	static const uint8_t luns[] = {0, 5, 63, 1, 64};
	uint8_t keep = take(in);
	struct vmscsi_request *srb = &p->vm_srb;

	if (!(keep & 1))
		srb->length = sizeof(*srb);
	if (!(keep & 2)) {
		srb->path_id = take(in) & 1;
		srb->target_id = take(in) & 1;
		srb->lun = luns[take(in) % sizeof(luns)];
	}
	if (!(keep & 4))
		srb->cdb_length = 6 + take(in) % 11;
	if (!(keep & 8))
		srb->data_in = take(in) % 3;
	if (!(keep & 16))
		srb->sense_info_length = STORVSC_SENSE_BUFFER_SIZE;
	if (!(keep & 32)) {
		srb->cdb[0] = ops[take(in) % sizeof(ops)];
		if (srb->cdb[0] == 0x28 || srb->cdb[0] == 0x2A) {
			srb->cdb[2] = srb->cdb[3] = srb->cdb[4] = 0;
			srb->cdb[7] = 0;
		}
	}
	if (!(keep & 64))
		srb->data_transfer_length = (take(in) % 16) * 512;
}

static unsigned make_iov(struct input *in)
{
	unsigned n = take(in) % (sizeof(iov) / sizeof(iov[0]) + 1);
	size_t at = 0;

	for (unsigned i = 0; i < n; i++) {
		size_t len = take(in) & 1 ? take32(in) % 8192 : 512 * (take(in) % 9);

		at += take(in) % 16;
		if (at > BUF)
			at = BUF;
		if (len > BUF - at)
			len = BUF - at;
		iov[i] = (struct iovec){buf + at, len};
		at += len;
	}
	return n;
}

/* Data-out: an UNMAP parameter list (one descriptor, random range) or
 * random bytes, written through the iovecs. */
static void fill_out(struct input *in, unsigned niov)
{
	uint8_t list[24] = {0, 22, 0, 16};
	size_t done = 0;

	for (unsigned i = take(in) & 1 ? 0 : 4; i < sizeof(list); i++)
		list[i] = take(in);
	for (unsigned i = 0; i < niov && done < sizeof(list); i++) {
		size_t k =
		    iov[i].iov_len < sizeof(list) - done ? iov[i].iov_len : sizeof(list) - done;

		memcpy(iov[i].iov_base, list + done, k);
		done += k;
	}
}

static void check_reply(const struct storvsp_req *r, uint64_t trans_id)
{
	assert(r->trans_id == trans_id);
	assert(r->reply.operation == VSTOR_OPERATION_COMPLETE_IO);
	assert(r->reply.flags == 0);
}

static void check_srb_completion(const struct storvsp_req *r, const struct vstor_packet *sent)
{
	const struct vmscsi_request *srb = &r->reply.vm_srb;

	assert(r->reply.status == NT_STATUS_SUCCESS);
	assert(srb->data_transfer_length <= sent->vm_srb.data_transfer_length);
	if (srb->srb_status & SRB_STATUS_AUTOSENSE_VALID) {
		assert(srb->scsi_status == SAM_STAT_CHECK_CONDITION);
		assert(srb->sense_info_length && srb->sense_info_length <= SCSI_SENSE_LEN);
		assert(srb->sense_info_length <= sent->vm_srb.sense_info_length);
		assert(srb->sense_data[0] == 0x70);
		assert(srb->data_transfer_length == 0);
	} else {
		assert(srb->sense_info_length == 0);
	}
	if (srb->srb_status == SRB_STATUS_SUCCESS)
		assert(srb->scsi_status == SAM_STAT_GOOD);
	else
		assert(srb->data_transfer_length == 0);
}

static void check_io(const struct storvsp_req *r, const struct iovec *data, unsigned niov)
{
	const struct storvsp_io *io = &r->io;
	uint64_t total = 0;

	assert(io->disk == 100 || io->disk == 105 || io->disk == 163);
	assert(io->niov <= STORVSP_MAX_IOV);
	switch (io->op) {
	case SCSI_IO_READ:
	case SCSI_IO_WRITE:
		assert(io->disk != 105 || io->op == SCSI_IO_READ);
		assert(io->len <= STORVSP_MAX_TRANSFER);
		for (unsigned i = 0; i < io->niov; i++) {
			bool inside = false;

			assert(io->iov[i].iov_len);
			for (unsigned j = 0; j < niov && !inside; j++)
				inside =
				    (uint8_t *)io->iov[i].iov_base >= (uint8_t *)data[j].iov_base &&
				    (uint8_t *)io->iov[i].iov_base + io->iov[i].iov_len <=
					(uint8_t *)data[j].iov_base + data[j].iov_len;
			assert(inside);
			total += io->iov[i].iov_len;
		}
		assert(total == io->len && io->len);
		break;
	case SCSI_IO_FLUSH:
		assert(io->niov == 0 && io->len == 0 && io->disk != 105);
		break;
	case SCSI_IO_DISCARD:
		assert(io->niov == 0 && io->len && io->disk == 100);
		break;
	default:
		assert(!"io op");
	}
}

static void complete(struct input *in, unsigned slot)
{
	static const int results[] = {0, -EIO, -EOPNOTSUPP, -ENOSPC};
	struct storvsp_req *r = &reqs[slot];
	uint64_t trans_id = r->trans_id;
	struct vstor_packet sent = r->reply; /* the request, until completed */

	storvsp_io_done(r, results[take(in) % 4]);
	assert(r->kind == STORVSP_REPLY);
	check_reply(r, trans_id);
	check_srb_completion(r, &sent);
	pending[slot] = false;
}

static uint32_t pick_operation(struct input *in, uint8_t *step)
{
	static const uint32_t handshake[] = {
	    VSTOR_OPERATION_BEGIN_INITIALIZATION, VSTOR_OPERATION_QUERY_PROTOCOL_VERSION,
	    VSTOR_OPERATION_QUERY_PROPERTIES, VSTOR_OPERATION_END_INITIALIZATION,
	    VSTOR_OPERATION_CREATE_SUB_CHANNELS};
	uint8_t b = take(in);

	if (b < 0x60)
		return VSTOR_OPERATION_EXECUTE_SRB;
	if (b < 0xC0) {
		uint32_t op = handshake[*step % 5];

		*step = (*step + 1) % 5;
		return op;
	}
	if (b < 0xF0)
		return 1 + b % 14;
	return take32(in);
}

static void step(struct input *in, uint8_t *hs)
{
	uint8_t how = take(in);
	bool primary = how & 1;
	unsigned slot = (how >> 1) % SLOTS, niov;
	struct storvsp before;
	struct vstor_packet p;
	uint8_t raw[80];
	uint32_t len;
	uint64_t trans_id = take32(in);
	unsigned granted_before = s.subchannels_granted;
	enum storvsp_kind kind;

	if (pending[slot]) {
		complete(in, slot);
		return;
	}
	memcpy(&before, &s, sizeof(s));
	for (unsigned i = 0; i < sizeof(raw); i++)
		raw[i] = how & 0x40 ? take(in) : 0;
	memcpy(&p, raw, sizeof(p));
	p.operation = pick_operation(in, hs);
	if (p.operation == VSTOR_OPERATION_QUERY_PROTOCOL_VERSION && !(how & 0x80))
		p.version.major_minor = VMSTOR_PROTO_VERSION(5 + take(in) % 3, take(in) % 3);
	if (p.operation == VSTOR_OPERATION_CREATE_SUB_CHANNELS && !(how & 0x80))
		p.sub_channel_count = take(in) % 20;
	if (p.operation == VSTOR_OPERATION_EXECUTE_SRB)
		fill_srb(in, &p);
	memcpy(raw, &p, sizeof(p));
	len = how & 0x20 ? take(in) % (sizeof(raw) + 1) : sizeof(p);
	niov = make_iov(in);
	if (p.operation == VSTOR_OPERATION_EXECUTE_SRB && p.vm_srb.data_in == SCSI_IOCTL_DATA_OUT)
		fill_out(in, niov);

	kind =
	    storvsp_handle(&s, primary, trans_id, raw, len, niov ? iov : NULL, niov, &reqs[slot]);
	assert(kind == reqs[slot].kind);
	if (!primary)
		assert(!memcmp(&before, &s, sizeof(s)));
	switch (kind) {
	case STORVSP_REPLY:
		check_reply(&reqs[slot], trans_id);
		if (p.operation == VSTOR_OPERATION_EXECUTE_SRB && len >= VSTOR_PACKET_HEADER_SIZE)
			check_srb_completion(&reqs[slot], &p);
		break;
	case STORVSP_IO:
		assert(p.operation == VSTOR_OPERATION_EXECUTE_SRB && len >= sizeof(p));
		assert(!primary || s.state == STORVSP_READY);
		check_io(&reqs[slot], iov, niov);
		pending[slot] = true;
		break;
	case STORVSP_SUBCHANNELS:
		check_reply(&reqs[slot], trans_id);
		assert(primary && !granted_before && s.subchannels_granted);
		assert(reqs[slot].subchannels >= 1 && reqs[slot].subchannels <= s.max_subchannels);
		assert(s.max_subchannels <= STORVSP_MAX_SUBCHANNELS);
		assert(reqs[slot].reply.status == NT_STATUS_SUCCESS);
		break;
	case STORVSP_IGNORE:
	case STORVSP_FATAL:
		assert(reqs[slot].why);
		break;
	default:
		assert(!"kind");
	}
	assert(s.state <= STORVSP_READY);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = {data, size};
	uint8_t hs = 0;

	setup(&in);
	for (int i = 0; i < 64 && in.left; i++)
		step(&in, &hs);
	for (unsigned i = 0; i < SLOTS; i++)
		if (pending[i])
			complete(&in, i);
	return 0;
}
