/* Unit tests for the host side of a VMBus ring (root/vmbus/ring.c). The
 * guest here is a byte-by-byte model of Linux's drivers/hv/ring_buffer.c:
 * its writer (hv_ringbuffer_write: refuse when free <= size, signal on
 * empty -> non-empty if unmasked) and its reader (hv_pkt_iter_close: signal
 * when free crosses pending_send_sz). Each ring's pages are separate
 * allocations, so they are not contiguous and ASan catches any access past
 * a page. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* needs the four above first */
#include "unit.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "ring.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define PG	      4096u
#define MAXPAGES      8

struct tring {
	void *pages[MAXPAGES]; /* [0] the header */
	uint32_t n, D;
	struct hv_ring_buffer *hdr;
	struct vmbus_ring r;
};

static struct tring T;

static void tring_alloc(uint32_t n, uint32_t w, uint32_t rd)
{
	T.n = n;
	T.D = (n - 1) * PG;
	for (uint32_t i = 0; i < n; i++) {
		T.pages[i] = aligned_alloc(PG, PG);
		assert_non_null(T.pages[i]);
		memset(T.pages[i], i ? 0xA5 : 0, PG);
	}
	T.hdr = T.pages[0];
	T.hdr->write_index = w;
	T.hdr->read_index = rd;
	T.hdr->feature_bits = HV_RING_FEAT_PENDING_SEND_SZ;
}

/* A ring as Linux leaves it before OPENCHANNEL, both indices at start. */
static void tring_open(uint32_t n, uint32_t start)
{
	tring_alloc(n, start, start);
	assert_int_equal(vmbus_ring_init(&T.r, T.pages, n), 0);
}

static int teardown(void **state)
{
	(void)state;
	vmbus_ring_fini(&T.r);
	for (uint32_t i = 0; i < MAXPAGES; i++)
		free(T.pages[i]);
	memset(&T, 0, sizeof(T));
	return 0;
}

static uint8_t *gbyte(uint32_t pos)
{
	pos %= T.D;
	return (uint8_t *)T.pages[1 + pos / PG] + pos % PG;
}

static void g_put(uint32_t pos, const void *src, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++)
		*gbyte(pos + i) = ((const uint8_t *)src)[i];
}

static void g_get(uint32_t pos, void *dst, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++)
		((uint8_t *)dst)[i] = *gbyte(pos + i);
}

static uint32_t raw_free(void)
{
	uint32_t w = T.hdr->write_index, rd = T.hdr->read_index;

	return w >= rd ? T.D - (w - rd) : rd - w;
}

static void fill(uint8_t *p, uint32_t len, uint32_t seed)
{
	for (uint32_t i = 0; i < len; i++)
		p[i] = (uint8_t)(seed * 131 + i * 7 + (i >> 8));
}

/* Linux's writer: -EAGAIN, or whether it would signal the host. */
static int guest_write(uint16_t type, uint64_t tid, const uint8_t *payload, uint32_t len)
{
	struct vmpacket_descriptor d = {type, 2, (uint16_t)((16 + len + 7) / 8), 0, tid};
	uint32_t w = T.hdr->write_index, total = d.len8 * 8u + 8;
	uint64_t trailer = (uint64_t)w << 32;
	static const uint8_t zero[8];

	if (raw_free() <= total)
		return -EAGAIN;
	g_put(w, &d, 16);
	g_put(w + 16, payload, len);
	g_put(w + 16 + len, zero, d.len8 * 8u - 16 - len);
	g_put(w + d.len8 * 8u, &trailer, 8);
	T.hdr->write_index = (w + total) % T.D;
	return !T.hdr->interrupt_mask && T.hdr->read_index == w;
}

/* A raw descriptor at write_index, published with write_index += adv. */
static void guest_put_desc(uint16_t offset8, uint16_t len8, uint32_t adv)
{
	struct vmpacket_descriptor d = {VM_PKT_DATA_INBAND, offset8, len8, 0, 1};

	g_put(T.hdr->write_index, &d, sizeof(d));
	T.hdr->write_index = (T.hdr->write_index + adv) % T.D;
}

/* Linux's reader (hv_pkt_iter_first/next/close) for one packet: its length
 * (0 if empty) and whether it would signal the host. Checks the trailer. */
static uint32_t guest_read(uint8_t *buf, bool *signal)
{
	uint32_t rd = T.hdr->read_index, w = T.hdr->write_index, len, before, pend;
	uint32_t avail = w >= rd ? w - rd : T.D - rd + w;
	struct vmpacket_descriptor d;
	uint64_t trailer;

	*signal = false;
	if (avail < 16)
		return 0;
	g_get(rd, &d, sizeof(d));
	len = d.len8 * 8u;
	assert_true(len + 8 <= avail);
	g_get(rd, buf, len);
	g_get(rd + len, &trailer, 8);
	assert_true(trailer == (uint64_t)rd << 32);
	before = raw_free();
	T.hdr->read_index = (rd + len + 8) % T.D;
	pend = T.hdr->pending_send_sz;
	*signal = pend && before <= pend && raw_free() > pend;
	return len;
}

/* The host's packet: descriptor, then payload split in two segments. */
static int host_write(uint16_t type, uint16_t flags, uint64_t tid, const uint8_t *payload,
		      uint32_t len, uint32_t split)
{
	struct vmpacket_descriptor d = {type, 2, (uint16_t)((16 + len + 7) / 8), flags, tid};
	struct iovec iov[3] = {
	    {&d, sizeof(d)},
	    {(void *)payload, split},
	    {(void *)(payload + split), len - split},
	};

	return vmbus_ring_write(&T.r, iov, 3);
}

static void test_init_keeps_indices(void **state)
{
	(void)state;
	tring_alloc(4, 0x100, 0x80);
	T.hdr->feature_bits = 0x2;
	T.hdr->interrupt_mask = 0;
	assert_int_equal(vmbus_ring_init(&T.r, T.pages, 4), 0);
	assert_int_equal(T.hdr->write_index, 0x100);
	assert_int_equal(T.hdr->read_index, 0x80);
	assert_int_equal(T.hdr->feature_bits, 0x3);
	assert_int_equal(T.r.size, 3 * PG);
	assert_int_equal(T.r.read, 0x80);
	assert_int_equal(T.r.write, 0x100);
}

static void expect_init(uint32_t n, uint32_t w, uint32_t rd, int rc)
{
	tring_alloc(n, w, rd);
	assert_int_equal(vmbus_ring_init(&T.r, T.pages, n), rc);
	teardown(NULL);
}

static void test_init_rejects(void **state)
{
	uint32_t most = VMBUS_RING_MAX_DATA / PG + 1;
	void **many = calloc(most + 1, sizeof(*many));
	uint32_t len;
	uint8_t buf[64];

	(void)state;
	assert_non_null(many);
	assert_int_equal(vmbus_ring_init(&T.r, many, 0), -EINVAL);
	assert_int_equal(vmbus_ring_init(&T.r, many, 1), -EINVAL);
	assert_int_equal(vmbus_ring_init(&T.r, many, most + 1), -E2BIG);
	/* The largest ring passes the size check and fails on NULL pages. */
	assert_int_equal(vmbus_ring_init(&T.r, many, most), -EINVAL);
	/* A refused ring is dead, not half-built. */
	assert_int_equal(vmbus_ring_read(&T.r, buf, sizeof(buf), &len), -EBADMSG);
	assert_int_equal(vmbus_ring_commit_write(&T.r), -EBADMSG);
	free(many);

	tring_alloc(3, 0, 0);
	free(T.pages[2]);
	T.pages[2] = NULL;
	assert_int_equal(vmbus_ring_init(&T.r, T.pages, 3), -EINVAL);
	teardown(NULL);

	expect_init(3, 2 * PG, 0, -EBADMSG);
	expect_init(3, 0, 2 * PG, -EBADMSG);
	expect_init(3, 12, 0, -EBADMSG);
	expect_init(3, 0, 4, -EBADMSG);
	expect_init(3, 0xFFFFFFF8u, 0, -EBADMSG);
	expect_init(3, 2 * PG - 8, 2 * PG - 8, 0);
	expect_init(2, 0, 0, 0);
}

/* Guest -> host: packets of many sizes, through the wrap (the ring starts
 * 24 bytes before its end), several read before one commit. */
static void test_round_trip_guest_to_host(void **state)
{
	static uint64_t buf[1024];
	uint8_t payload[5000], want[5000];
	uint32_t sent = 0, got = 0, len, queued[64];
	unsigned int nq;

	(void)state;
	tring_open(4, 3 * PG - 24);
	while (got < 400) {
		nq = 0;
		for (;;) {
			uint32_t plen = (sent * 97 + (sent >> 2)) % 5000;

			fill(payload, plen, sent);
			if (guest_write(VM_PKT_DATA_INBAND, sent, payload, plen) < 0)
				break;
			queued[nq++] = plen;
			sent++;
		}
		assert_true(nq > 0);
		for (unsigned int i = 0; i < nq; i++, got++) {
			const struct vmpacket_descriptor *d = (const void *)buf;

			assert_int_equal(vmbus_ring_read(&T.r, buf, sizeof(buf), &len), 0);
			assert_int_equal(len, (16 + queued[i] + 7) / 8 * 8);
			assert_int_equal(d->type, VM_PKT_DATA_INBAND);
			assert_int_equal(d->offset8, 2);
			assert_true(d->trans_id == got);
			fill(want, queued[i], got);
			assert_memory_equal((uint8_t *)buf + 16, want, queued[i]);
		}
		assert_int_equal(vmbus_ring_read(&T.r, buf, sizeof(buf), &len), -EAGAIN);
		assert_int_not_equal(T.hdr->read_index, T.hdr->write_index);
		assert_int_equal(vmbus_ring_commit_read(&T.r), 0);
		assert_int_equal(T.hdr->read_index, T.hdr->write_index);
	}
}

/* Host -> guest: the payload in two segments split anywhere, padding
 * zeroed, the trailer holding the start offset, 1 to 3 packets a batch. */
static void test_round_trip_host_to_guest(void **state)
{
	uint8_t payload[3000], buf[3100];
	uint32_t sent = 0, got = 0;
	bool signal;

	(void)state;
	tring_open(3, 2 * PG - 16);
	while (got < 300) {
		uint32_t batch = 1 + sent % 3;

		for (uint32_t i = 0; i < batch; i++, sent++) {
			uint32_t plen = (sent * 61) % 3000;

			fill(payload, plen, sent);
			assert_int_equal(host_write(VM_PKT_COMP, 0, sent, payload, plen,
						    plen ? sent % plen : 0),
					 0);
		}
		assert_int_equal(vmbus_ring_commit_write(&T.r), 1);
		for (; got < sent; got++) {
			const struct vmpacket_descriptor *d = (const void *)buf;
			uint32_t plen = (got * 61) % 3000, len = guest_read(buf, &signal);

			assert_int_equal(len, (16 + plen + 7) / 8 * 8);
			assert_int_equal(d->type, VM_PKT_COMP);
			assert_true(d->trans_id == got);
			fill(payload, plen, got);
			assert_memory_equal(buf + 16, payload, plen);
			for (uint32_t k = 16 + plen; k < len; k++)
				assert_int_equal(buf[k], 0);
			assert_false(signal);
		}
		assert_int_equal(guest_read(buf, &signal), 0);
	}
}

/* A descriptor split by the end of the ring, both ways. */
static void test_descriptor_across_wrap(void **state)
{
	uint8_t payload[24], buf[64];
	uint32_t len;
	bool signal;

	(void)state;
	fill(payload, sizeof(payload), 5);
	tring_open(2, PG - 8);
	assert_int_equal(guest_write(VM_PKT_DATA_INBAND, 77, payload, 24), 1);
	assert_int_equal(vmbus_ring_read(&T.r, buf, sizeof(buf), &len), 0);
	assert_int_equal(len, 40);
	assert_true(((struct vmpacket_descriptor *)buf)->trans_id == 77);
	assert_memory_equal(buf + 16, payload, 24);
	assert_int_equal(vmbus_ring_commit_read(&T.r), 0);
	assert_int_equal(T.hdr->read_index, 40);
	teardown(NULL);

	tring_open(2, PG - 8);
	assert_int_equal(host_write(VM_PKT_COMP, 0, 78, payload, 24, 3), 0);
	assert_int_equal(vmbus_ring_commit_write(&T.r), 1);
	assert_int_equal(guest_read(buf, &signal), 40);
	assert_true(((struct vmpacket_descriptor *)buf)->trans_id == 78);
	assert_memory_equal(buf + 16, payload, 24);
	assert_int_equal(T.hdr->write_index, 40);
}

/* One corrupt state per ring: -EBADMSG, and the ring stays dead. */
static void test_consumer_rejects(void **state)
{
	enum { W_RANGE, W_ALIGN, AVAIL_8, OFF8_1, LEN8_LT_OFF8, LEN8_PAST, NO_TRAILER, CASES };
	uint8_t buf[256];
	uint32_t len;

	(void)state;
	for (int c = 0; c < CASES; c++) {
		tring_open(3, 2 * PG - 16);
		switch (c) {
		case W_RANGE:
			T.hdr->write_index = 2 * PG;
			break;
		case W_ALIGN:
			T.hdr->write_index = 12;
			break;
		case AVAIL_8:
			T.hdr->write_index = 2 * PG - 8;
			break;
		case OFF8_1:
			guest_put_desc(1, 4, 40);
			break;
		case LEN8_LT_OFF8:
			guest_put_desc(3, 2, 40);
			break;
		case LEN8_PAST:
			guest_put_desc(2, 100, 40);
			break;
		case NO_TRAILER: /* len8 * 8 == avail: the trailer is missing */
			guest_put_desc(2, 4, 32);
			break;
		}
		assert_int_equal(vmbus_ring_read(&T.r, buf, sizeof(buf), &len), -EBADMSG);
		/* Even once the header looks sane again. */
		T.hdr->write_index = T.hdr->read_index;
		guest_write(VM_PKT_DATA_INBAND, 1, buf, 8);
		assert_int_equal(vmbus_ring_read(&T.r, buf, sizeof(buf), &len), -EBADMSG);
		assert_int_equal(vmbus_ring_commit_read(&T.r), -EBADMSG);
		assert_int_equal(vmbus_ring_read_end(&T.r), -EBADMSG);
		assert_int_equal(vmbus_ring_write(&T.r, NULL, 0), -EBADMSG);
		teardown(NULL);
	}
}

/* Corrupt indices met on commit or on read_end kill the ring too. */
static void test_consumer_late_corruption(void **state)
{
	uint8_t payload[32] = {1, 2, 3}, buf[64];
	uint32_t len;

	(void)state;
	tring_open(2, 0);
	assert_int_equal(guest_write(VM_PKT_DATA_INBAND, 7, payload, 32), 1);
	assert_int_equal(vmbus_ring_read(&T.r, buf, sizeof(buf), &len), 0);
	T.hdr->pending_send_sz = 64;
	T.hdr->write_index = 3;
	assert_int_equal(vmbus_ring_commit_read(&T.r), -EBADMSG);
	teardown(NULL);

	tring_open(2, 0);
	vmbus_ring_read_begin(&T.r);
	T.hdr->write_index = PG;
	assert_int_equal(vmbus_ring_read_end(&T.r), -EBADMSG);
}

static void test_packet_bigger_than_buffer(void **state)
{
	uint8_t payload[100], buf[120];
	uint32_t len = 0;

	(void)state;
	tring_open(2, PG - 64);
	fill(payload, sizeof(payload), 3);
	assert_int_equal(guest_write(VM_PKT_DATA_INBAND, 9, payload, 100), 1);
	assert_int_equal(vmbus_ring_read(&T.r, buf, 64, &len), -ENOBUFS);
	assert_int_equal(len, 120);
	assert_int_equal(vmbus_ring_read(&T.r, buf, 119, &len), -ENOBUFS);
	/* Nothing consumed: the same packet comes out whole. */
	assert_int_equal(vmbus_ring_read(&T.r, buf, 120, &len), 0);
	assert_int_equal(len, 120);
	assert_memory_equal(buf + 16, payload, 100);
	assert_int_equal(vmbus_ring_read(&T.r, buf, 120, &len), -EAGAIN);
	assert_int_equal(len, 0);
	/* Reading left read_index alone; the commit moves it. */
	assert_int_equal(T.hdr->read_index, PG - 64);
	assert_int_equal(vmbus_ring_commit_read(&T.r), 0);
	assert_int_equal(T.hdr->read_index, (PG - 64 + 128) % PG);
	assert_int_equal(vmbus_ring_commit_read(&T.r), 0);
}

/* Linux's reader rule, the oracle for the host's commit: signal when free
 * space goes from <= pending_send_sz to > it. */
static int linux_oracle(uint32_t before, uint32_t after, uint32_t pend)
{
	return pend && before <= pend && after > pend;
}

static int commit_checked(void)
{
	uint32_t before = raw_free(), pend = T.hdr->pending_send_sz;
	int rc = vmbus_ring_commit_read(&T.r);

	assert_int_equal(rc, linux_oracle(before, raw_free(), pend));
	return rc;
}

static void read_one(void)
{
	static uint64_t buf[256];
	uint32_t len;

	assert_int_equal(vmbus_ring_read(&T.r, buf, sizeof(buf), &len), 0);
}

/* Eleven 1024-byte packets (1000-byte payloads) in 12 KiB: 1024 bytes
 * free, not enough for a twelfth (free must exceed the packet). */
static void fill_guest_ring(void)
{
	uint8_t payload[1000] = {0};
	int n = 0;

	while (guest_write(VM_PKT_DATA_INBAND, 0, payload, 1000) >= 0)
		n++;
	assert_int_equal(n, 11);
	assert_int_equal(raw_free(), 1024);
}

static void test_pending_send_crossing(void **state)
{
	(void)state;
	tring_open(4, 0);
	fill_guest_ring();
	/* Not set: never. */
	read_one();
	assert_int_equal(commit_checked(), 0);
	/* The guest waits for 2049 (masked: 2048) bytes: it needs 2056 free. */
	T.hdr->pending_send_sz = 2049;
	assert_int_equal(raw_free(), 2048);
	read_one();
	assert_int_equal(commit_checked(), 1); /* 2048 -> 3072 free */
	read_one();
	assert_int_equal(commit_checked(), 0); /* already above */
	teardown(NULL);

	/* Boundaries: free before == pend + 8 (writable == pend) is no
	 * crossing; writable after == pend is one. */
	tring_open(4, 0);
	fill_guest_ring();
	T.hdr->pending_send_sz = 1016;
	read_one();
	assert_int_equal(commit_checked(), 0);
	teardown(NULL);
	tring_open(4, 0);
	fill_guest_ring();
	T.hdr->pending_send_sz = 2040;
	read_one();
	assert_int_equal(commit_checked(), 1);
	teardown(NULL);

	/* Two packets read, one commit, one crossing. */
	tring_open(4, 0);
	fill_guest_ring();
	T.hdr->pending_send_sz = 2500;
	read_one();
	read_one();
	assert_int_equal(commit_checked(), 1);
	teardown(NULL);

	/* D - 1 (masked: D - 8): only the empty ring satisfies it. */
	tring_open(4, 0);
	fill_guest_ring();
	T.hdr->pending_send_sz = 3 * PG - 1;
	for (int i = 0; i < 10; i++) {
		read_one();
		assert_int_equal(commit_checked(), 0);
	}
	read_one();
	assert_int_equal(commit_checked(), 1);
}

static void test_read_mask_protocol(void **state)
{
	uint8_t payload[8] = {0}, buf[64];
	uint32_t len;

	(void)state;
	tring_open(2, 0);
	vmbus_ring_read_begin(&T.r);
	assert_int_equal(T.hdr->interrupt_mask, 1);
	assert_int_equal(guest_write(VM_PKT_DATA_INBAND, 1, payload, 8), 0); /* masked */
	assert_int_equal(vmbus_ring_read(&T.r, buf, sizeof(buf), &len), 0);
	assert_int_equal(vmbus_ring_read(&T.r, buf, sizeof(buf), &len), -EAGAIN);
	assert_int_equal(vmbus_ring_commit_read(&T.r), 0);
	/* A packet arrives after the host saw the ring empty, before the clear. */
	assert_int_equal(guest_write(VM_PKT_DATA_INBAND, 2, payload, 8), 0);
	assert_int_equal(vmbus_ring_read_end(&T.r), 1);
	assert_int_equal(T.hdr->interrupt_mask, 0);
	vmbus_ring_read_begin(&T.r);
	assert_int_equal(vmbus_ring_read(&T.r, buf, sizeof(buf), &len), 0);
	assert_int_equal(vmbus_ring_commit_read(&T.r), 0);
	assert_int_equal(vmbus_ring_read_end(&T.r), 0);
	assert_int_equal(T.hdr->interrupt_mask, 0);
	/* Unmasked and empty: the guest signals its next packet. */
	assert_int_equal(guest_write(VM_PKT_DATA_INBAND, 3, payload, 8), 1);
}

static void test_producer_signal_rule(void **state)
{
	uint8_t payload[40] = {0}, buf[64];
	uint32_t end;
	bool signal;

	(void)state;
	tring_open(2, 8);
	assert_int_equal(vmbus_ring_commit_write(&T.r), 0); /* nothing written */
	assert_int_equal(host_write(VM_PKT_DATA_INBAND, 1, 1, payload, 40, 0), 0);
	assert_int_equal(vmbus_ring_commit_write(&T.r), 1); /* empty -> non-empty */
	/* The guest has not read the last one: no signal. */
	assert_int_equal(host_write(VM_PKT_DATA_INBAND, 1, 2, payload, 40, 0), 0);
	assert_int_equal(vmbus_ring_commit_write(&T.r), 0);
	while (guest_read(buf, &signal))
		;
	/* Masked: no signal. */
	T.hdr->interrupt_mask = 1;
	assert_int_equal(host_write(VM_PKT_DATA_INBAND, 1, 3, payload, 40, 0), 0);
	assert_int_equal(vmbus_ring_commit_write(&T.r), 0);
	while (guest_read(buf, &signal))
		;
	T.hdr->interrupt_mask = 0;
	/* A batch of three: write_index moves once, one answer. */
	end = T.hdr->write_index;
	for (int i = 0; i < 3; i++) {
		assert_int_equal(host_write(VM_PKT_DATA_INBAND, 1, 4 + i, payload, 40, 20), 0);
		assert_int_equal(T.hdr->write_index, end);
	}
	assert_int_equal(vmbus_ring_commit_write(&T.r), 1);
	assert_int_equal(T.hdr->write_index, (end + 3 * 64) % PG);
	assert_int_equal(vmbus_ring_commit_write(&T.r), 0);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(guest_read(buf, &signal), 56);
		assert_true(((struct vmpacket_descriptor *)buf)->trans_id == 4u + i);
	}
}

/* 1000-byte payloads: 1024 bytes a packet with its trailer. */
static int host_write_1k(uint64_t tid)
{
	static const uint8_t payload[1000];

	return host_write(VM_PKT_DATA_INBAND, 0, tid, payload, 1000, 500);
}

static void test_producer_full(void **state)
{
	static const uint8_t big[2100];
	uint8_t buf[1100];
	bool signal;

	(void)state;
	/* Three fit in 4 KiB; the fourth would fill the ring exactly. */
	tring_open(2, 0);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(host_write_1k(i), 0);
		assert_int_equal(vmbus_ring_commit_write(&T.r), i == 0);
	}
	assert_int_equal(host_write_1k(3), -EAGAIN);
	assert_int_equal(T.hdr->pending_send_sz, 1024);
	assert_int_equal(raw_free(), 1024);
	/* Linux's reader signals on its crossing; then the write goes in and
	 * pending_send_sz is cleared. */
	assert_int_equal(guest_read(buf, &signal), 1016);
	assert_true(signal);
	assert_int_equal(host_write_1k(3), 0);
	assert_int_equal(T.hdr->pending_send_sz, 0);
	assert_int_equal(vmbus_ring_commit_write(&T.r), 0);
	teardown(NULL);

	/* Mid-batch: the guest counts free space to the published
	 * write_index, so the request covers the uncommitted packet too. */
	tring_open(2, 0);
	assert_int_equal(host_write_1k(0), 0);
	assert_int_equal(host_write_1k(1), 0);
	assert_int_equal(vmbus_ring_commit_write(&T.r), 1);
	assert_int_equal(host_write_1k(2), 0);
	assert_int_equal(host_write_1k(3), -EAGAIN);
	assert_int_equal(T.hdr->pending_send_sz, 2048);
	assert_int_equal(guest_read(buf, &signal), 1016);
	assert_true(signal);
	assert_int_equal(host_write_1k(3), 0);
	assert_int_equal(T.hdr->pending_send_sz, 0);
	assert_int_equal(vmbus_ring_commit_write(&T.r), 0);
	teardown(NULL);

	/* The request never exceeds D - 8. */
	tring_open(2, 0);
	assert_int_equal(host_write(VM_PKT_DATA_INBAND, 0, 0, big, 2100, 0), 0);
	assert_int_equal(host_write(VM_PKT_DATA_INBAND, 0, 0, big, 1000, 0), 0);
	assert_int_equal(host_write(VM_PKT_DATA_INBAND, 0, 0, big, 1000, 0), -EAGAIN);
	assert_int_equal(T.hdr->pending_send_sz, PG - 8);
}

static void test_producer_sizes(void **state)
{
	static uint8_t payload[PG];

	(void)state;
	tring_open(2, 0);
	/* 16 + 4064 + 8 = D - 8 fits an empty ring; 8 more never does. */
	assert_int_equal(host_write(VM_PKT_DATA_INBAND, 0, 0, payload, 4065, 0), -EMSGSIZE);
	assert_int_equal(T.hdr->pending_send_sz, 0);
	assert_int_equal(host_write(VM_PKT_DATA_INBAND, 0, 0, payload, 4064, 0), 0);
	assert_int_equal(vmbus_ring_commit_write(&T.r), 1);
	assert_int_not_equal(T.hdr->write_index, T.hdr->read_index);
}

static void test_producer_rejects_descriptor(void **state)
{
	struct vmpacket_descriptor d = {VM_PKT_DATA_INBAND, 2, 3, 0, 0};
	uint8_t payload[8] = {0};
	struct iovec iov[2] = {{&d, sizeof(d)}, {payload, 8}};

	(void)state;
	tring_open(2, 0);
	assert_int_equal(vmbus_ring_write(&T.r, iov, 0), -EINVAL);
	iov[0].iov_len = 8;
	assert_int_equal(vmbus_ring_write(&T.r, iov, 2), -EINVAL);
	iov[0].iov_len = sizeof(d);
	d.len8 = 4;
	assert_int_equal(vmbus_ring_write(&T.r, iov, 2), -EINVAL);
	d.len8 = 3;
	d.offset8 = 1;
	assert_int_equal(vmbus_ring_write(&T.r, iov, 2), -EINVAL);
	d.offset8 = 4;
	assert_int_equal(vmbus_ring_write(&T.r, iov, 2), -EINVAL);
	/* The host's own mistakes do not kill the ring. */
	d.offset8 = 2;
	assert_int_equal(vmbus_ring_write(&T.r, iov, 2), 0);
	assert_int_equal(vmbus_ring_commit_write(&T.r), 1);
}

static void test_producer_dead(void **state)
{
	static const uint8_t payload[4000];

	(void)state;
	tring_open(2, 0);
	T.hdr->read_index = 5;
	assert_int_equal(host_write(VM_PKT_DATA_INBAND, 0, 0, payload, 8, 0), -EBADMSG);
	T.hdr->read_index = 0;
	assert_int_equal(host_write(VM_PKT_DATA_INBAND, 0, 0, payload, 8, 0), -EBADMSG);
	assert_int_equal(vmbus_ring_commit_write(&T.r), -EBADMSG);
	teardown(NULL);

	/* Caught at commit, after publishing. */
	tring_open(2, 0);
	assert_int_equal(host_write(VM_PKT_DATA_INBAND, 0, 0, payload, 8, 0), 0);
	T.hdr->read_index = PG;
	assert_int_equal(vmbus_ring_commit_write(&T.r), -EBADMSG);
	assert_int_equal(T.hdr->write_index, 32);
	/* And on the next write. */
	teardown(NULL);
	tring_open(2, 0);
	assert_int_equal(host_write(VM_PKT_DATA_INBAND, 0, 0, payload, 4000, 0), 0);
	assert_int_equal(vmbus_ring_commit_write(&T.r), 1);
	T.hdr->read_index = 4;
	assert_int_equal(host_write(VM_PKT_DATA_INBAND, 0, 0, payload, 8, 0), -EBADMSG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(test_init_keeps_indices, teardown),
	    cmocka_unit_test_teardown(test_init_rejects, teardown),
	    cmocka_unit_test_teardown(test_round_trip_guest_to_host, teardown),
	    cmocka_unit_test_teardown(test_round_trip_host_to_guest, teardown),
	    cmocka_unit_test_teardown(test_descriptor_across_wrap, teardown),
	    cmocka_unit_test_teardown(test_consumer_rejects, teardown),
	    cmocka_unit_test_teardown(test_consumer_late_corruption, teardown),
	    cmocka_unit_test_teardown(test_packet_bigger_than_buffer, teardown),
	    cmocka_unit_test_teardown(test_pending_send_crossing, teardown),
	    cmocka_unit_test_teardown(test_read_mask_protocol, teardown),
	    cmocka_unit_test_teardown(test_producer_signal_rule, teardown),
	    cmocka_unit_test_teardown(test_producer_full, teardown),
	    cmocka_unit_test_teardown(test_producer_sizes, teardown),
	    cmocka_unit_test_teardown(test_producer_rejects_descriptor, teardown),
	    cmocka_unit_test_teardown(test_producer_dead, teardown),
	};

	return unit_run("vmbus_ring", tests, ARRAY_SIZE(tests), NULL);
}
