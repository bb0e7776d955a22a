/*
 * storvsp on its channels (vsp_storage.h). A channel thread hands each
 * packet to storvsp; the I/O it asks for goes into the channel's io_uring
 * and the whole batch is submitted at once at the end of the batch, so a
 * burst of guest requests costs one submission and, for the guest, one
 * signal. A flush is an fdatasync: the completion goes out only once the
 * data is durable.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hv/vmbus.h"

#include "storvsp.h"
#include "vmbus_host.h"
#include "vmwp.h"
#include "vsp_storage.h"

#define QUEUE_DEPTH	32

struct disk {
	int fd;
	char path[256];
	bool read_only;
	uint64_t size;
	uint64_t reads, writes, flushes, read_bytes, write_bytes, errors;
};

static struct {
	struct vsp_device dev;
	struct storvsp sv;
	struct disk disk[STORVSP_MAX_LUNS];
	unsigned ndisks;
	pthread_mutex_t stats_lock;
} st = { .stats_lock = PTHREAD_MUTEX_INITIALIZER };

/* One channel's requests in flight. */
struct storage_chan {
	struct io_uring ring;
	struct storvsp_req req[QUEUE_DEPTH];
	unsigned queued;
};

int vsp_storage_add_disk(const char *spec, char *err, size_t errlen)
{
	struct disk *d = &st.disk[st.ndisks];
	char path[256];
	const char *comma = strchr(spec, ',');
	size_t n = comma ? (size_t)(comma - spec) : strlen(spec);
	struct stat sb;

	if (st.ndisks == STORVSP_MAX_LUNS) {
		snprintf(err, errlen, "--disk %s: at most %d disks", spec, STORVSP_MAX_LUNS);
		return -1;
	}
	if (!n || n >= sizeof(path) || (comma && strcmp(comma, ",ro"))) {
		snprintf(err, errlen, "--disk %s: want PATH or PATH,ro", spec);
		return -1;
	}
	memcpy(path, spec, n);
	path[n] = '\0';
	d->read_only = comma != NULL;
	d->fd = open(path, (d->read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (d->fd < 0 || fstat(d->fd, &sb)) {
		snprintf(err, errlen, "--disk %s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(sb.st_mode) || sb.st_size < 512 || sb.st_size % 512) {
		snprintf(err, errlen, "--disk %s: not a regular file of whole 512-byte sectors", path);
		close(d->fd);
		return -1;
	}
	memcpy(d->path, path, n + 1);
	d->size = (uint64_t)sb.st_size;
	st.ndisks++;
	return 0;
}

static int storage_packet(struct channel *c, const struct vmbus_pkt *p);
static void storage_batch_end(struct channel *c);
static void storage_opened(struct channel *c);
static void storage_closed(struct channel *c);

static const struct channel_ops storage_ops = {
	.opened = storage_opened,
	.packet = storage_packet,
	.batch_end = storage_batch_end,
	.closed = storage_closed,
	/* a vstor packet and its range list: the guest sends up to the
	 * largest transfer's worth of PFNs */
	.max_packet = 16 + 8 + 8 * (STORVSP_MAX_IOV + 1) + sizeof(struct vstor_packet),
};

int vsp_storage_start(unsigned nr_vps)
{
	storvsp_init(&st.sv, nr_vps);
	for (unsigned i = 0; i < st.ndisks; i++) {
		struct scsi_disk_info info = { .nblocks = st.disk[i].size / 512, .block_size = 512,
					       .read_only = st.disk[i].read_only };

		snprintf(info.serial, sizeof(info.serial), "SEPTUM%04u", i);
		info.naa_id[0] = 0x60;		/* NAA 6, a locally made id */
		info.naa_id[7] = (uint8_t)i;
		if (storvsp_add_disk(&st.sv, i, i, &info))
			return -1;
	}
	if (!st.ndisks)
		return 0;
	st.dev = (struct vsp_device){
		.name = "storvsp", .class_id = HV_GUID_SCSI,
		.instance_id = HV_GUID(0x5e970002, 0x5c51, 0x4000, 0x80, 0, 0, 0, 0, 0, 0, 1),
		.ops = &storage_ops, .vsp = &st,
	};
	return vmbus_host_add(&st.dev);
}

static void storage_opened(struct channel *c)
{
	struct storage_chan *sc = calloc(1, sizeof(*sc));

	if (sc && io_uring_queue_init(QUEUE_DEPTH, &sc->ring, 0)) {
		free(sc);
		sc = NULL;
	}
	if (!sc)
		logmsg("storvsp: channel %u: no io_uring: the channel stays silent", c->relid);
	c->priv = sc;
}

static void storage_closed(struct channel *c)
{
	struct storage_chan *sc = c->priv;

	if (!sc)
		return;
	io_uring_queue_exit(&sc->ring);
	free(sc);
	c->priv = NULL;
}

static void send_reply(struct channel *c, const struct storvsp_req *r)
{
	channel_send(c, VM_PKT_COMP, 0, r->trans_id, &r->reply, sizeof(r->reply));
}

static void count(struct disk *d, const struct storvsp_io *io, int res)
{
	pthread_mutex_lock(&st.stats_lock);
	if (res < 0)
		d->errors++;
	else if (io->op == SCSI_IO_READ)
		d->reads++, d->read_bytes += io->len;
	else if (io->op == SCSI_IO_WRITE)
		d->writes++, d->write_bytes += io->len;
	else if (io->op == SCSI_IO_FLUSH)
		d->flushes++;
	pthread_mutex_unlock(&st.stats_lock);
}

/* Submits what is queued, waits for all of it, sends the completions. */
static void storage_batch_end(struct channel *c)
{
	struct storage_chan *sc = c->priv;
	unsigned done = 0;

	if (!sc || !sc->queued)
		return;
	io_uring_submit(&sc->ring);
	while (done < sc->queued) {
		struct io_uring_cqe *cqe;
		struct storvsp_req *r;
		int res;

		if (io_uring_wait_cqe(&sc->ring, &cqe))
			continue;
		r = io_uring_cqe_get_data(cqe);
		res = cqe->res;
		io_uring_cqe_seen(&sc->ring, cqe);
		/* A short transfer is an error for the guest, not a retry. */
		if (res >= 0 && (r->io.op == SCSI_IO_READ || r->io.op == SCSI_IO_WRITE) &&
		    (uint64_t)res != r->io.len)
			res = -EIO;
		count(&st.disk[r->io.disk], &r->io, res);
		storvsp_io_done(r, res < 0 ? res : 0);
		send_reply(c, r);
		done++;
	}
	sc->queued = 0;
}

static void queue_io(struct storage_chan *sc, struct storvsp_req *r)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&sc->ring);
	struct disk *d = &st.disk[r->io.disk];

	switch (r->io.op) {
	case SCSI_IO_READ:
		io_uring_prep_readv(sqe, d->fd, r->io.iov, r->io.niov, r->io.offset);
		break;
	case SCSI_IO_WRITE:
		io_uring_prep_writev(sqe, d->fd, r->io.iov, r->io.niov, r->io.offset);
		break;
	case SCSI_IO_FLUSH:
		/* After every write queued before it in this batch. */
		io_uring_prep_fsync(sqe, d->fd, IORING_FSYNC_DATASYNC);
		sqe->flags |= IOSQE_IO_DRAIN;
		break;
	default:	/* DISCARD */
		io_uring_prep_fallocate(sqe, d->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
					r->io.offset, r->io.len);
		break;
	}
	io_uring_sqe_set_data(sqe, r);
	sc->queued++;
}

static int storage_packet(struct channel *c, const struct vmbus_pkt *p)
{
	struct storage_chan *sc = c->priv;
	struct iovec iov[STORVSP_MAX_IOV];
	struct storvsp_req *r;
	int niov = 0;

	if (!sc)
		return -ENOMEM;
	if (p->type == VM_PKT_COMP)
		return 0;	/* the guest's acknowledgement of our events */
	if (p->type == VM_PKT_DATA_USING_GPA_DIRECT) {
		/* A range outside guest RAM or too long: the request goes to
		 * storvsp with no buffer, which fails that SRB, not the disk. */
		niov = vmbus_pkt_gpa_iov(p, c->mem, iov, STORVSP_MAX_IOV);
		if (niov < 0) {
			if (verbose)
				logmsg("storvsp: data range refused: %s", strerror(-niov));
			niov = 0;
		}
	} else if (p->type != VM_PKT_DATA_INBAND) {
		return -EPROTO;
	}
	if (sc->queued == QUEUE_DEPTH)
		storage_batch_end(c);
	r = &sc->req[sc->queued];
	switch (storvsp_handle(&st.sv, c->subchannel_index == 0, p->trans_id, p->payload,
			       p->payload_len, niov ? iov : NULL, (unsigned)niov, r)) {
	case STORVSP_REPLY:
		send_reply(c, r);
		return 0;
	case STORVSP_IO:
		queue_io(sc, r);
		return 0;
	case STORVSP_SUBCHANNELS:
		vmbus_host_request_subchannels(c, r->subchannels);
		send_reply(c, r);
		return 0;
	case STORVSP_IGNORE:
		if (verbose)
			logmsg("storvsp: packet ignored: %s", r->why);
		return 0;
	case STORVSP_FATAL:
		logmsg("storvsp: %s", r->why);
		return -EPROTO;
	}
	return -EPROTO;
}

void vsp_storage_stats(char *out, size_t len)
{
	size_t n = strlen(out);

	n += snprintf(out + n, len - n, "[");
	pthread_mutex_lock(&st.stats_lock);
	for (unsigned i = 0; i < st.ndisks && n < len; i++) {
		const struct disk *d = &st.disk[i];

		n += snprintf(out + n, len - n,
			      "%s{\"lun\":%u,\"reads\":%llu,\"writes\":%llu,\"flushes\":%llu,"
			      "\"read_bytes\":%llu,\"write_bytes\":%llu,\"errors\":%llu}",
			      i ? "," : "", i, (unsigned long long)d->reads,
			      (unsigned long long)d->writes, (unsigned long long)d->flushes,
			      (unsigned long long)d->read_bytes, (unsigned long long)d->write_bytes,
			      (unsigned long long)d->errors);
	}
	pthread_mutex_unlock(&st.stats_lock);
	if (n < len)
		snprintf(out + n, len - n, "]");
}
