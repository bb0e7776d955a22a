/* One direction of a VMBus ring pair, host side: see ring.h. */
#include "ring.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define PAGE		VMBUS_RING_PAGE_SIZE
#define TRAILER		((uint32_t)sizeof(struct vmpacket_trailer))
#define ALIGN8(x)	(((x) + 7) & ~(uint64_t)7)

static int ring_dead(struct vmbus_ring *r)
{
	r->dead = true;
	return -EBADMSG;
}

/* VMBUS.md pitfall 4: an index is a byte offset < D, 8-aligned. */
static bool index_ok(const struct vmbus_ring *r, uint32_t i)
{
	return i < r->size && !(i & 7);
}

/* Bytes from rd up to w. Both < D, so the result is < D: a ring is empty
 * when its indices are equal, and is never filled completely. */
static uint32_t ring_used(const struct vmbus_ring *r, uint32_t w, uint32_t rd)
{
	return w >= rd ? w - rd : r->size - rd + w;
}

static uint32_t ring_advance(const struct vmbus_ring *r, uint32_t pos, uint32_t len)
{
	pos += len;
	return pos >= r->size ? pos - r->size : pos;
}

/* The data pages are not contiguous and not mapped twice: copy page by
 * page from pos (< D), wrapping at D. len <= D. */
static void copy_from_ring(const struct vmbus_ring *r, uint32_t pos, void *dst, uint32_t len)
{
	uint8_t *d = dst;

	while (len) {
		uint32_t in = pos % PAGE, chunk = PAGE - in;

		if (chunk > len)
			chunk = len;
		memcpy(d, r->data[pos / PAGE] + in, chunk);
		d += chunk;
		len -= chunk;
		pos = ring_advance(r, pos, chunk);
	}
}

static uint32_t copy_to_ring(const struct vmbus_ring *r, uint32_t pos, const void *src,
			     uint32_t len)
{
	const uint8_t *s = src;

	while (len) {
		uint32_t in = pos % PAGE, chunk = PAGE - in;

		if (chunk > len)
			chunk = len;
		memcpy(r->data[pos / PAGE] + in, s, chunk);
		s += chunk;
		len -= chunk;
		pos = ring_advance(r, pos, chunk);
	}
	return pos;
}

static int load_index(struct vmbus_ring *r, uint32_t *field, uint32_t *out)
{
	*out = __atomic_load_n(field, __ATOMIC_ACQUIRE);
	return index_ok(r, *out) ? 0 : ring_dead(r);
}

int vmbus_ring_init(struct vmbus_ring *r, void *const *pages, uint32_t npages)
{
	uint32_t w, rd;

	memset(r, 0, sizeof(*r));
	r->dead = true;
	if (npages < 2)
		return -EINVAL;
	if (npages - 1 > VMBUS_RING_MAX_DATA / PAGE)
		return -E2BIG;
	for (uint32_t i = 0; i < npages; i++)
		if (!pages[i])
			return -EINVAL;
	r->hdr = pages[0];
	r->size = (npages - 1) * PAGE;
	/* Pitfall 12: the guest set its indices before OPEN; keep them. */
	w = __atomic_load_n(&r->hdr->write_index, __ATOMIC_ACQUIRE);
	rd = __atomic_load_n(&r->hdr->read_index, __ATOMIC_ACQUIRE);
	if (!index_ok(r, w) || !index_ok(r, rd))
		return -EBADMSG;
	r->data = malloc((npages - 1) * sizeof(*r->data));
	if (!r->data)
		return -ENOMEM;
	memcpy(r->data, pages + 1, (npages - 1) * sizeof(*r->data));
	r->read = r->read_next = rd;
	r->write = r->write_next = w;
	__atomic_fetch_or(&r->hdr->feature_bits, HV_RING_FEAT_PENDING_SEND_SZ, __ATOMIC_RELAXED);
	r->dead = false;
	return 0;
}

void vmbus_ring_fini(struct vmbus_ring *r)
{
	free(r->data);
	memset(r, 0, sizeof(*r));
	r->dead = true;
}

int vmbus_ring_read(struct vmbus_ring *r, void *buf, uint32_t cap, uint32_t *len)
{
	struct vmpacket_descriptor desc;
	uint32_t w, avail, plen;

	*len = 0;
	if (r->dead)
		return -EBADMSG;
	if (load_index(r, &r->hdr->write_index, &w))
		return -EBADMSG;
	avail = ring_used(r, w, r->read_next);
	if (!avail)
		return -EAGAIN;
	if (avail < sizeof(desc))
		return ring_dead(r);
	copy_from_ring(r, r->read_next, &desc, sizeof(desc));
	plen = desc.len8 * 8u;
	if (desc.offset8 < 2 || desc.len8 < desc.offset8 || plen + TRAILER > avail)
		return ring_dead(r);
	*len = plen;
	if (plen > cap)
		return -ENOBUFS;
	/* The descriptor checked above, not a second read the guest may
	 * have changed in between. */
	memcpy(buf, &desc, sizeof(desc));
	copy_from_ring(r, ring_advance(r, r->read_next, sizeof(desc)),
		       (uint8_t *)buf + sizeof(desc), plen - sizeof(desc));
	r->read_next = ring_advance(r, r->read_next, plen + TRAILER);
	return 0;
}

/* What a writer may still put in: it must leave 8 bytes, so that a full
 * ring does not look empty. */
static uint32_t ring_writable(const struct vmbus_ring *r, uint32_t w, uint32_t rd)
{
	return r->size - ring_used(r, w, rd) - 8;
}

int vmbus_ring_commit_read(struct vmbus_ring *r)
{
	uint32_t old = r->read, pend, w;

	if (r->dead)
		return -EBADMSG;
	if (r->read_next == old)
		return 0;
	/* Release: the packets are copied out before the guest may reuse
	 * their space. */
	__atomic_store_n(&r->hdr->read_index, r->read_next, __ATOMIC_RELEASE);
	r->read = r->read_next;
	/* Pitfall 5: read_index, full barrier, pending_send_sz; the blocked
	 * guest sets pending_send_sz, then re-reads read_index. Some writers
	 * ask for D - 1, which no writer ever gets: mask it to a multiple of 8
	 * as OpenVMM does. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	pend = __atomic_load_n(&r->hdr->pending_send_sz, __ATOMIC_RELAXED) & ~7u;
	if (!pend)
		return 0;
	if (load_index(r, &r->hdr->write_index, &w))
		return -EBADMSG;
	/* Signal on the crossing only: the guest needs more than pend free
	 * bytes (Linux hv_pkt_iter_close), i.e. writable >= pend. */
	return ring_writable(r, w, old) < pend && ring_writable(r, w, r->read) >= pend;
}

void vmbus_ring_read_begin(struct vmbus_ring *r)
{
	if (!r->dead)
		__atomic_store_n(&r->hdr->interrupt_mask, 1, __ATOMIC_SEQ_CST);
}

int vmbus_ring_read_end(struct vmbus_ring *r)
{
	uint32_t w;

	if (r->dead)
		return -EBADMSG;
	__atomic_store_n(&r->hdr->interrupt_mask, 0, __ATOMIC_RELAXED);
	/* A packet the guest wrote while it still saw the mask set came
	 * without a signal: look again after the clear is visible. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (load_index(r, &r->hdr->write_index, &w))
		return -EBADMSG;
	return w != r->read_next;
}

/* Whether need bytes go in after write_next; the guest's writer rule:
 * free must be more than need. */
static int room_for(struct vmbus_ring *r, uint32_t need, bool *room)
{
	uint32_t rd;

	if (load_index(r, &r->hdr->read_index, &rd))
		return -EBADMSG;
	*room = r->size - ring_used(r, r->write_next, rd) > need;
	return 0;
}

/* No room: set pending_send_sz, then look again (pitfall 5), so that space
 * the guest freed in between is not missed. The guest counts free space
 * up to the published write_index, so the request includes the packets
 * of this batch not yet committed; it is at most D - 8, which an empty
 * ring always satisfies. */
static int arm_pending_send(struct vmbus_ring *r, uint32_t need)
{
	uint32_t pend = need + ring_used(r, r->write_next, r->write);
	bool room;

	if (pend > r->size - 8)
		pend = r->size - 8;
	__atomic_store_n(&r->hdr->pending_send_sz, pend, __ATOMIC_RELAXED);
	r->pending_armed = true;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (room_for(r, need, &room))
		return -EBADMSG;
	return room ? 0 : -EAGAIN;
}

int vmbus_ring_write(struct vmbus_ring *r, const struct iovec *iov, unsigned int n)
{
	static const uint8_t zero[8];
	struct vmpacket_descriptor desc;
	struct vmpacket_trailer trailer = {0};
	uint64_t total = 0;
	uint32_t need, pos;
	bool room;

	if (r->dead)
		return -EBADMSG;
	if (!n || iov[0].iov_len < sizeof(desc))
		return -EINVAL;
	for (unsigned int i = 0; i < n; i++) {
		if (iov[i].iov_len > r->size - total)
			return -EMSGSIZE;
		total += iov[i].iov_len;
	}
	memcpy(&desc, iov[0].iov_base, sizeof(desc));
	if (desc.offset8 < 2 || desc.len8 < desc.offset8 || desc.len8 * 8ull != ALIGN8(total))
		return -EINVAL;
	need = (uint32_t)ALIGN8(total) + TRAILER;
	if (need > r->size - 8)
		return -EMSGSIZE;
	if (room_for(r, need, &room))
		return -EBADMSG;
	if (!room) {
		int rc = arm_pending_send(r, need);

		if (rc)
			return rc;
	}
	trailer.start_offset = r->write_next;
	pos = r->write_next;
	for (unsigned int i = 0; i < n; i++)
		pos = copy_to_ring(r, pos, iov[i].iov_base, (uint32_t)iov[i].iov_len);
	pos = copy_to_ring(r, pos, zero, (uint32_t)(ALIGN8(total) - total));
	r->write_next = copy_to_ring(r, pos, &trailer, TRAILER);
	if (r->pending_armed) {
		__atomic_store_n(&r->hdr->pending_send_sz, 0, __ATOMIC_RELAXED);
		r->pending_armed = false;
	}
	return 0;
}

int vmbus_ring_commit_write(struct vmbus_ring *r)
{
	uint32_t old = r->write, rd;

	if (r->dead)
		return -EBADMSG;
	if (r->write_next == old)
		return 0;
	/* Release: data and trailers before write_index. */
	__atomic_store_n(&r->hdr->write_index, r->write_next, __ATOMIC_RELEASE);
	r->write = r->write_next;
	/* Then a full barrier before reading the guest's mask and index: the
	 * guest clears its mask and re-reads write_index (pitfall 5). Signal
	 * only an empty ring turning non-empty, as Linux's writer does
	 * (hv_signal_on_write); a masked guest is draining anyway. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&r->hdr->interrupt_mask, __ATOMIC_ACQUIRE))
		return 0;
	if (load_index(r, &r->hdr->read_index, &rd))
		return -EBADMSG;
	return rd == old;
}
