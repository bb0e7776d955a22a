/* libFuzzer target for the host side of a VMBus ring pair (root/vmbus/
 * ring.c): a guest->host ring the host consumes and a host->guest ring it
 * produces, each 2 to 5 separately allocated pages (ASan sees any access
 * past a page). The input sets up the headers and data, then is a stream of
 * operations: the guest acting as Linux does (hv_ringbuffer_write,
 * hv_pkt_iter_close, pending_send_sz, interrupt_mask), the guest scribbling
 * on any header field or data byte, and the host reading, committing,
 * draining and writing.
 *
 * Always checked: return codes are the documented ones; a dead ring stays
 * dead; the host's own indices stay < D and 8-aligned; the host changes no
 * header field but its own (read_index and interrupt_mask as consumer,
 * write_index and pending_send_sz as producer), no data as consumer, and as
 * producer only the bytes of the packet it wrote.
 * While the guest has kept to the protocol on a ring: packets come out as
 * they went in; commit_read signals exactly when Linux's writer would want
 * it; read_end reports what is left; and a blocked producer is never
 * stranded: once it committed, a guest that drains the ring signals on the
 * way, and after that signal the write goes in. */
#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_input.h"
#include "ring.h"

#define PG	 4096u
#define MAXPAGES 5
#define QMAX	 64
#define MAXPLEN	 6000

struct gring {
	void *pages[MAXPAGES]; /* [0] the header */
	uint8_t shadow[MAXPAGES][PG];
	uint32_t n, D;
	struct hv_ring_buffer *hdr;
	struct vmbus_ring r;
	bool hostile; /* the guest broke the protocol: no model */
	/* Packets sent and not yet taken by the other side, oldest first. */
	uint32_t q_seed[QMAX], q_len[QMAX];
	unsigned int q_head, q_n;
};

static struct gring in, out;
static uint8_t buf[MAXPAGES * PG];
static uint32_t seeds;

/* The host->guest producer's wait: the packet refused, whether the guest
 * signalled since, whether every packet before it is published. */
static struct {
	bool on, signalled, committed;
	uint32_t len, seed;
} blocked;

static uint8_t *gbyte(struct gring *g, uint32_t pos)
{
	pos %= g->D;
	return (uint8_t *)g->pages[1 + pos / PG] + pos % PG;
}

static void g_put(struct gring *g, uint32_t pos, const void *src, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++)
		*gbyte(g, pos + i) = ((const uint8_t *)src)[i];
}

static void g_get(struct gring *g, uint32_t pos, void *dst, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++)
		((uint8_t *)dst)[i] = *gbyte(g, pos + i);
}

static uint32_t raw_free(struct gring *g)
{
	uint32_t w = g->hdr->write_index % g->D, rd = g->hdr->read_index % g->D;

	return w >= rd ? g->D - (w - rd) : rd - w;
}

static uint8_t pattern(uint32_t seed, uint32_t i)
{
	return (uint8_t)(seed * 151 + i * 13 + (i >> 7));
}

static void q_push(struct gring *g, uint32_t seed, uint32_t len)
{
	unsigned int at = (g->q_head + g->q_n++) % QMAX;

	g->q_seed[at] = seed;
	g->q_len[at] = len;
}

static void q_pop_check(struct gring *g, const uint8_t *pkt, uint32_t len)
{
	const struct vmpacket_descriptor *d = (const void *)pkt;
	uint32_t plen = g->q_len[g->q_head], seed = g->q_seed[g->q_head];

	assert(g->q_n);
	assert(len == (16 + plen + 7) / 8 * 8);
	assert(d->offset8 == 2 && d->trans_id == seed);
	for (uint32_t i = 0; i < plen; i++)
		assert(pkt[16 + i] == pattern(seed, i));
	for (uint32_t i = 16 + plen; i < len; i++)
		assert(g == &in || pkt[i] == 0);
	g->q_head = (g->q_head + 1) % QMAX;
	g->q_n--;
}

static bool setup_ring(struct gring *g, struct input *in_, uint32_t n)
{
	uint32_t start, w, rd, fillb = take(in_);

	memset(g, 0, sizeof(*g));
	g->n = n;
	g->D = (n - 1) * PG;
	for (uint32_t i = 0; i < n; i++) {
		g->pages[i] = aligned_alloc(PG, PG);
		memset(g->pages[i], i ? (int)fillb : 0, PG);
	}
	g->hdr = g->pages[0];
	/* Mostly what Linux does (both indices equal, valid); sometimes not. */
	start = take16(in_) * 8 % g->D;
	w = rd = start;
	if (fillb & 1)
		w = take32(in_);
	if (fillb & 2)
		rd = take32(in_);
	g->hostile = w != rd;
	g->hdr->write_index = w;
	g->hdr->read_index = rd;
	g->hdr->feature_bits = take(in_);
	return vmbus_ring_init(&g->r, g->pages, n) == 0;
}

static void free_ring(struct gring *g)
{
	vmbus_ring_fini(&g->r);
	for (uint32_t i = 0; i < g->n; i++)
		free(g->pages[i]);
}

static void snapshot(struct gring *g)
{
	for (uint32_t i = 0; i < g->n; i++)
		memcpy(g->shadow[i], g->pages[i], PG);
}

static void check_own_index(struct gring *g)
{
	struct vmbus_ring *r = &g->r;

	assert(r->size == g->D);
	assert(r->read < r->size && r->read_next < r->size && !((r->read | r->read_next) & 7));
	assert(r->write < r->size && r->write_next < r->size &&
	       !((r->write | r->write_next) & 7));
}

/* After a host operation: only the fields and bytes the host owns moved.
 * [from, from + len) is the data it may have written. */
static void check_touched(struct gring *g, uint32_t from, uint32_t len)
{
	struct hv_ring_buffer *was = (void *)g->shadow[0];
	struct hv_ring_buffer *now = g->hdr;

	if (g == &in) {
		assert(now->write_index == was->write_index);
		assert(now->pending_send_sz == was->pending_send_sz);
		if (now->read_index != was->read_index)
			assert(now->read_index == g->r.read);
	} else {
		assert(now->read_index == was->read_index);
		assert(now->interrupt_mask == was->interrupt_mask);
		if (now->write_index != was->write_index)
			assert(now->write_index == g->r.write);
	}
	assert(now->feature_bits == was->feature_bits);
	assert(!memcmp(now->reserved1, was->reserved1, sizeof(now->reserved1)));
	assert(!memcmp(now->reserved2, was->reserved2, sizeof(now->reserved2)));
	for (uint32_t page = 1; page < g->n; page++) {
		if (!memcmp(g->shadow[page], g->pages[page], PG))
			continue;
		for (uint32_t pos = (page - 1) * PG; pos < page * PG; pos++)
			if (g->shadow[page][pos % PG] != *gbyte(g, pos))
				assert((pos + g->D - from) % g->D < len);
	}
	check_own_index(g);
}

/* Linux's writer on the guest->host ring. */
static void guest_write(struct input *in_)
{
	uint32_t plen = take16(in_) % MAXPLEN, seed = ++seeds;
	uint32_t len8 = (16 + plen + 7) / 8, w = in.hdr->write_index % in.D;
	struct vmpacket_descriptor d = {VM_PKT_DATA_INBAND, 2, (uint16_t)len8, 0, seed};
	uint64_t trailer = (uint64_t)w << 32;

	if (in.q_n == QMAX || raw_free(&in) <= len8 * 8 + 8)
		return;
	g_put(&in, w, &d, 16);
	for (uint32_t i = 0; i < plen; i++)
		*gbyte(&in, w + 16 + i) = pattern(seed, i);
	g_put(&in, w + len8 * 8, &trailer, 8);
	in.hdr->write_index = (w + len8 * 8 + 8) % in.D;
	q_push(&in, seed, plen);
}

static void host_read(struct input *in_)
{
	uint32_t cap = take(in_) & 1 ? take16(in_) % 200 : sizeof(buf), len;
	int rc;

	snapshot(&in);
	rc = vmbus_ring_read(&in.r, buf, cap, &len);
	check_touched(&in, 0, 0);
	assert(rc == 0 || rc == -EAGAIN || rc == -ENOBUFS || rc == -EBADMSG);
	if (rc == 0 || rc == -ENOBUFS) {
		const struct vmpacket_descriptor *d = (const void *)buf;

		assert(len >= 16 && len % 8 == 0 && len < in.D);
		assert((rc == 0) == (len <= cap));
		if (rc == 0)
			assert(d->offset8 >= 2 && d->len8 >= d->offset8 && d->len8 * 8u == len);
	}
	if (rc == -EBADMSG)
		assert(in.r.dead);
	if (in.hostile)
		return;
	assert(rc != -EBADMSG);
	if (rc == 0)
		q_pop_check(&in, buf, len);
	if (rc == -EAGAIN)
		assert(!in.q_n);
	if (rc == -ENOBUFS)
		assert(in.q_n && len == (16 + in.q_len[in.q_head] + 7) / 8 * 8);
}

static void host_commit_read(void)
{
	uint32_t before = raw_free(&in), pend = in.hdr->pending_send_sz, old = in.r.read;
	int rc;

	snapshot(&in);
	rc = vmbus_ring_commit_read(&in.r);
	check_touched(&in, 0, 0);
	assert(rc == 0 || rc == 1 || rc == -EBADMSG);
	if (rc >= 0)
		assert(in.r.read == in.r.read_next);
	if (rc >= 0 && (old != in.r.read || !in.hostile))
		assert(in.hdr->read_index == in.r.read);
	if (in.hostile)
		return;
	/* Linux's reader rule (hv_pkt_iter_close), seen from the other side:
	 * the guest needs more than pend bytes free. */
	assert(rc == (pend && before <= pend && raw_free(&in) > pend));
}

static void host_mask(struct input *in_)
{
	int rc;

	snapshot(&in);
	if (take(in_) & 1) {
		vmbus_ring_read_begin(&in.r);
		check_touched(&in, 0, 0);
		assert(in.r.dead || in.hdr->interrupt_mask == 1);
		return;
	}
	rc = vmbus_ring_read_end(&in.r);
	check_touched(&in, 0, 0);
	assert(rc == 0 || rc == 1 || rc == -EBADMSG);
	if (rc >= 0)
		assert(in.hdr->interrupt_mask == 0);
	if (!in.hostile)
		assert(rc == (in.q_n != 0));
}

/* The documented loop: it ends, and a sane ring ends empty. */
static void host_drain(void)
{
	int rounds = 0, rc;
	uint32_t len;

	do {
		assert(rounds++ < 2);
		vmbus_ring_read_begin(&in.r);
		while ((rc = vmbus_ring_read(&in.r, buf, sizeof(buf), &len)) == 0)
			if (!in.hostile)
				q_pop_check(&in, buf, len);
		assert(rc == -EAGAIN || rc == -EBADMSG);
		vmbus_ring_commit_read(&in.r);
	} while (vmbus_ring_read_end(&in.r) > 0);
	check_own_index(&in);
	if (!in.hostile)
		assert(!in.q_n && in.hdr->read_index == in.hdr->write_index);
}

static int host_write_packet(uint32_t plen, uint32_t split, uint32_t seed)
{
	struct vmpacket_descriptor d = {VM_PKT_DATA_INBAND, 2, (uint16_t)((16 + plen + 7) / 8), 0,
					seed};
	static uint8_t payload[MAXPLEN];
	struct iovec iov[3] = {{&d, 16}, {payload, split}, {payload + split, plen - split}};
	uint32_t from = out.r.write_next, pend_was;
	int rc;

	for (uint32_t i = 0; i < plen; i++)
		payload[i] = pattern(seed, i);
	snapshot(&out);
	rc = vmbus_ring_write(&out.r, iov, 3);
	pend_was = ((struct hv_ring_buffer *)out.shadow[0])->pending_send_sz;
	check_touched(&out, from, rc == 0 ? d.len8 * 8u + 8 : 0);
	assert(rc == 0 || rc == -EAGAIN || rc == -EMSGSIZE || rc == -EBADMSG);
	if (rc == -EBADMSG)
		assert(out.r.dead);
	if (rc == 0)
		assert(out.r.write_next == (from + d.len8 * 8u + 8) % out.D);
	if (rc == -EAGAIN)
		assert(out.hdr->pending_send_sz && out.hdr->pending_send_sz <= out.D - 8 &&
		       !(out.hdr->pending_send_sz & 7));
	if (rc == -EMSGSIZE)
		assert(d.len8 * 8u + 8 > out.D - 8 && out.hdr->pending_send_sz == pend_was);
	if (out.hostile)
		return rc;
	assert(rc != -EBADMSG);
	if (rc == 0) {
		assert(!out.hdr->pending_send_sz);
		q_push(&out, seed, plen);
	}
	return rc;
}

static void host_write(struct input *in_)
{
	uint32_t plen = take16(in_) % MAXPLEN, split = plen ? take16(in_) % plen : 0;
	uint32_t seed = ++seeds;
	int rc;

	if (out.q_n == QMAX)
		return;
	rc = host_write_packet(plen, split, seed);
	blocked.on = rc == -EAGAIN;
	blocked.signalled = false;
	blocked.committed = out.r.write_next == out.r.write;
	blocked.len = plen;
	blocked.seed = seed;
}

static void host_commit_write(void)
{
	uint32_t old = out.r.write;
	int rc;

	snapshot(&out);
	rc = vmbus_ring_commit_write(&out.r);
	check_touched(&out, 0, 0);
	assert(rc == 0 || rc == 1 || rc == -EBADMSG);
	if (rc >= 0)
		assert(out.r.write == out.r.write_next);
	/* Published, unless there was nothing to publish (then the guest may
	 * have scribbled on it). */
	if (rc >= 0 && (old != out.r.write || !out.hostile))
		assert(out.hdr->write_index == out.r.write);
	if (rc == 1)
		assert(!out.hdr->interrupt_mask && out.hdr->read_index == old);
	blocked.committed = true;
}

/* Linux's reader on the host->guest ring, one packet. */
static void guest_read(void)
{
	uint32_t rd = out.hdr->read_index % out.D, w = out.hdr->write_index % out.D;
	uint32_t avail = w >= rd ? w - rd : out.D - rd + w, len, before, pend;
	struct vmpacket_descriptor d;
	uint64_t trailer;
	bool signal;

	if (avail < 16) {
		/* Drained, after the host published all it had: the crossing
		 * happened on the way, and was signalled. */
		if (!out.hostile && blocked.on && blocked.committed)
			assert(blocked.signalled);
		return;
	}
	g_get(&out, rd, &d, sizeof(d));
	len = d.len8 * 8u;
	if (len + 8 > avail || len > sizeof(buf)) {
		assert(out.hostile);
		return;
	}
	g_get(&out, rd, buf, len);
	g_get(&out, rd + len, &trailer, 8);
	before = raw_free(&out);
	out.hdr->read_index = (rd + len + 8) % out.D;
	pend = out.hdr->pending_send_sz;
	signal = pend && before <= pend && raw_free(&out) > pend;
	if (out.hostile)
		return;
	assert(trailer == (uint64_t)rd << 32);
	q_pop_check(&out, buf, len);
	if (!signal || !blocked.on)
		return;
	blocked.signalled = true;
	/* Everything published: the signal means there is room now. */
	if (out.r.write_next == out.r.write) {
		assert(host_write_packet(blocked.len, 0, blocked.seed) == 0);
		blocked.on = false;
	}
}

static struct gring *pick(struct input *in_)
{
	return take(in_) & 1 ? &out : &in;
}

/* Any header field, any value: mostly plausible indices. */
static void scribble_header(struct input *in_)
{
	struct gring *g = pick(in_);
	uint32_t field = take(in_) % 5, v = take(in_);

	v = v & 0x80 ? take32(in_) : v * 8 % g->D;
	if (field == 0)
		g->hdr->write_index = v;
	else if (field == 1)
		g->hdr->read_index = v;
	else if (field == 2)
		g->hdr->interrupt_mask = v & 1;
	else if (field == 3)
		g->hdr->pending_send_sz = v;
	else
		g->hdr->feature_bits = v;
	g->hostile = true;
}

static void scribble_data(struct input *in_)
{
	struct gring *g = pick(in_);
	uint32_t pos = take16(in_), len = take(in_) % 64;

	for (uint32_t i = 0; i < len; i++)
		*gbyte(g, pos + i) = take(in_);
	g->hostile = true;
}

/* Legitimate guest moves on header fields it owns. */
static void guest_pending(struct input *in_)
{
	static const uint32_t special[] = {0, 1, 8, 1024, 0xFFFFFFFFu};
	uint32_t v = take(in_);

	in.hdr->pending_send_sz = v & 0x80 ? special[v % 5] : (v & 0x7F) * 8 * in.n;
	if ((v & 0xC0) == 0xC0)
		in.hdr->pending_send_sz = in.D - 1;
}

static void guest_mask(struct input *in_)
{
	out.hdr->interrupt_mask = take(in_) & 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input input = {data, size};
	uint32_t pages = take(&input);
	bool ok_in, ok_out;

	seeds = 0;
	memset(&blocked, 0, sizeof(blocked));
	ok_in = setup_ring(&in, &input, 2 + pages % 4);
	ok_out = setup_ring(&out, &input, 2 + (pages >> 2) % 4);
	if (!ok_in)
		assert(in.r.dead && vmbus_ring_read(&in.r, buf, 16, &(uint32_t){0}) == -EBADMSG);
	while (ok_in && ok_out && input.left) {
		switch (take(&input) % 13) {
		case 0:
		case 1:
			guest_write(&input);
			break;
		case 2:
			host_read(&input);
			break;
		case 3:
			host_commit_read();
			break;
		case 4:
			host_mask(&input);
			break;
		case 5:
			host_drain();
			break;
		case 6:
			guest_pending(&input);
			break;
		case 7:
			host_write(&input);
			break;
		case 8:
			host_commit_write();
			break;
		case 9:
			guest_read();
			break;
		case 10:
			guest_mask(&input);
			break;
		case 11:
			scribble_header(&input);
			break;
		default:
			scribble_data(&input);
			break;
		}
		/* Dead stays dead. */
		if (in.r.dead)
			assert(vmbus_ring_commit_read(&in.r) == -EBADMSG &&
			       vmbus_ring_read_end(&in.r) == -EBADMSG);
		if (out.r.dead)
			assert(vmbus_ring_commit_write(&out.r) == -EBADMSG);
	}
	free_ring(&in);
	free_ring(&out);
	return 0;
}
