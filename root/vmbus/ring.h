/*
 * One direction of a VMBus channel's ring pair, seen from the host: the
 * guest->host ring, where the host consumes, or the host->guest ring, where
 * it produces (VMBUS.md section 3; Linux drivers/hv/ring_buffer.c).
 *
 * The ring lives in guest memory: a header page (struct hv_ring_buffer)
 * and n-1 data pages of D = (n-1) * 4096 bytes, given as host pointers that
 * need not be contiguous. The guest maps its data pages twice in a row; the
 * host does not, so every copy goes page by page and wraps at D.
 *
 * Every header field the guest may change is read once, atomically, and
 * checked before use; the host keeps its own index privately and only
 * publishes it. A bad index or descriptor makes the ring dead: every later
 * call returns -EBADMSG, and the owner closes the channel.
 *
 * Host as consumer:
 *	vmbus_ring_read_begin(r);
 *	do {
 *		while ((rc = vmbus_ring_read(r, buf, sizeof(buf), &len)) == 0)
 *			handle(buf, len);
 *		(rc is -EAGAIN, the ring is empty, unless something failed)
 *		if (vmbus_ring_commit_read(r) > 0)
 *			signal the guest;
 *	} while (vmbus_ring_read_end(r) > 0);
 *
 * Host as producer:
 *	vmbus_ring_write(r, iov, n) for one packet or more, then
 *	vmbus_ring_commit_write(r) once: signal the guest if it returns 1.
 *	On -EAGAIN, commit what was written and wait for the guest's signal
 *	(it comes once the guest has freed enough space), then retry.
 *
 * Not thread-safe: one thread per ring.
 */
#ifndef SEPTUM_VMBUS_RING_H
#define SEPTUM_VMBUS_RING_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "hv/vmbus_ring.h"

#define VMBUS_RING_PAGE_SIZE	4096u
#define VMBUS_RING_MAX_DATA	(16u << 20)	/* D at most 16 MiB */

struct vmbus_ring {
	struct hv_ring_buffer *hdr;
	uint8_t **data;		/* the data pages, D / 4096 of them */
	uint32_t size;		/* D */
	/* The host's own index, committed and next: read_index when it
	 * consumes, write_index when it produces. */
	uint32_t read, read_next;
	uint32_t write, write_next;
	bool pending_armed;	/* the host set pending_send_sz */
	bool dead;
};

/*
 * Takes a ring of npages pages: pages[0] the header, pages[1..] the data.
 * Keeps the guest's indices (it set them before OPENCHANNEL), checks them,
 * and ORs HV_RING_FEAT_PENDING_SEND_SZ into feature_bits.
 * Return values: 0; -EINVAL fewer than 2 pages or a NULL page; -E2BIG more
 * than VMBUS_RING_MAX_DATA of data; -EBADMSG a guest index out of range or
 * unaligned; -ENOMEM.
 */
int vmbus_ring_init(struct vmbus_ring *r, void *const *pages, uint32_t npages);
void vmbus_ring_fini(struct vmbus_ring *r);

/*
 * Copies the next unread packet, descriptor included and trailer excluded,
 * to buf (cap bytes) and moves past it; read_index moves only on commit.
 * Parameters: len receives the packet's length (len8 * 8), also on -ENOBUFS.
 * Return values: 0; -EAGAIN the ring is empty; -ENOBUFS the packet is
 * larger than cap (nothing consumed: retry with a larger buffer);
 * -EBADMSG the ring is corrupt (now dead).
 */
int vmbus_ring_read(struct vmbus_ring *r, void *buf, uint32_t cap, uint32_t *len);

/*
 * Publishes read_index past the packets read so far.
 * Return values: 1 the host must signal the guest (it had set
 * pending_send_sz, masked with ~7, and the space it can write went from
 * below it to at least it); 0 no signal; -EBADMSG dead ring.
 */
int vmbus_ring_commit_read(struct vmbus_ring *r);

/* Sets interrupt_mask: the guest need not signal while the host drains. */
void vmbus_ring_read_begin(struct vmbus_ring *r);

/*
 * Clears interrupt_mask, then looks again, so that a packet written just
 * before the clear is not left unsignalled.
 * Return values: 1 more arrived (begin again and drain); 0 empty;
 * -EBADMSG dead ring.
 */
int vmbus_ring_read_end(struct vmbus_ring *r);

/*
 * Writes one packet, the concatenation of iov[0..n) (iov[0] starts with
 * its struct vmpacket_descriptor, whose len8 covers the whole packet),
 * padded to 8 and followed by the trailer. Not visible to the guest before
 * vmbus_ring_commit_write. A write never fills the ring: like the guest's
 * writer, it needs more free bytes than the packet and trailer take.
 * Return values: 0; -EAGAIN no room now: pending_send_sz is armed so the
 * guest signals once there is (it is cleared by the next successful
 * write); -EMSGSIZE the packet can never fit in this ring; -EINVAL the
 * descriptor does not match the data; -EBADMSG dead ring.
 */
int vmbus_ring_write(struct vmbus_ring *r, const struct iovec *iov, unsigned int n);

/*
 * Publishes write_index past every packet written since the last commit.
 * Return values: 1 signal the guest (its interrupt_mask is 0 and it had
 * read everything before this batch); 0 no signal; -EBADMSG dead ring.
 */
int vmbus_ring_commit_write(struct vmbus_ring *r);

#endif
