/* Unit tests for VMBus packet parsing (root/vmbus/packet.c): in-band and
 * completion packets, GPA-direct packets shaped as Linux's storvsc (one
 * range, many PFNs, vmbus_sendpacket_mpb_desc) and netvsc (one PFN per
 * range, vmbus_sendpacket_pagebuffer) send them, transfer-page packets,
 * every rejection, the GPA ranges as merged host iovecs, and the
 * descriptor builder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* needs the four above first */
#include "unit.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "packet.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define PG	      4096u
#define RAM_PAGES     64u

struct trange {
	uint32_t count, offset;
	uint32_t npfn;
	const uint64_t *pfn;
};

static uint64_t pkt[8192]; /* 64 KiB, 8-aligned */
static uint8_t *const b = (uint8_t *)pkt;

static void put32(uint32_t at, uint32_t v)
{
	memcpy(b + at, &v, 4);
}

static void put64(uint32_t at, uint64_t v)
{
	memcpy(b + at, &v, 8);
}

static void put_desc(uint16_t type, uint16_t offset8, uint16_t len8, uint16_t flags, uint64_t tid)
{
	struct vmpacket_descriptor d = {type, offset8, len8, flags, tid};

	memcpy(b, &d, sizeof(d));
}

/* A GPA-direct packet: the ranges, then offset8 at their end plus slack8,
 * then payload bytes 0x5A. Returns len8 * 8. */
static uint32_t build_gpa(const struct trange *r, uint32_t n, uint32_t cnt, int slack8,
			  uint32_t payload)
{
	uint32_t at = 24, off8, len8;

	memset(pkt, 0, sizeof(pkt));
	put32(16, 0xDEADBEEF); /* reserved: garbage allowed */
	put32(20, cnt);
	for (uint32_t i = 0; i < n; i++) {
		put32(at, r[i].count);
		put32(at + 4, r[i].offset);
		at += 8;
		for (uint32_t k = 0; k < r[i].npfn; k++, at += 8)
			put64(at, r[i].pfn[k]);
	}
	off8 = (uint32_t)((int)(at / 8) + slack8);
	len8 = off8 + (payload + 7) / 8;
	memset(b + off8 * 8, 0x5A, payload);
	put_desc(VM_PKT_DATA_USING_GPA_DIRECT, (uint16_t)off8, (uint16_t)len8,
		 VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED, 0x1234);
	return len8 * 8;
}

static uint8_t *ram;
static struct guest_mem gm;

static int setup(void **state)
{
	(void)state;
	ram = aligned_alloc(PG, RAM_PAGES * PG);
	gm.base = ram;
	gm.size = RAM_PAGES * PG;
	return ram ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	free(ram);
	return 0;
}

static void test_parse_inband_and_completion(void **state)
{
	struct vmbus_pkt p;

	(void)state;
	assert_int_equal(vmbus_pkt_init_desc((void *)pkt, VM_PKT_DATA_INBAND,
					     VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED, 42, 20),
			 0);
	assert_int_equal(vmbus_pkt_parse(&p, pkt, 40), 0);
	assert_int_equal(p.type, VM_PKT_DATA_INBAND);
	assert_int_equal(p.flags, VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED);
	assert_true(p.trans_id == 42);
	assert_ptr_equal(p.payload, b + 16);
	assert_int_equal(p.payload_len, 24); /* to len8 * 8, padding included */
	assert_int_equal(p.range_cnt, 0);

	/* A larger buffer than the packet is fine; offset8 may leave room. */
	put_desc(VM_PKT_COMP, 4, 6, 0, 7);
	assert_int_equal(vmbus_pkt_parse(&p, pkt, 4096), 0);
	assert_int_equal(p.type, VM_PKT_COMP);
	assert_ptr_equal(p.payload, b + 32);
	assert_int_equal(p.payload_len, 16);

	/* No payload at all. */
	put_desc(VM_PKT_COMP, 2, 2, 0, 7);
	assert_int_equal(vmbus_pkt_parse(&p, pkt, 16), 0);
	assert_int_equal(p.payload_len, 0);
}

static void test_parse_rejects_descriptor(void **state)
{
	static const uint16_t bad_types[] = {0, 1, 5, 8, 0xA, 0xC, 0x7FFF, 0xFFFF};
	static const uint16_t bad_flags[] = {2, 3, 0x8000, 0xFFFF};
	struct vmbus_pkt p;

	(void)state;
	put_desc(VM_PKT_DATA_INBAND, 2, 4, 0, 0);
	assert_int_equal(vmbus_pkt_parse(&p, pkt, 32), 0);
	assert_int_equal(vmbus_pkt_parse(&p, pkt, 31), -EBADMSG); /* len8 * 8 > len */
	assert_int_equal(vmbus_pkt_parse(&p, pkt, 15), -EBADMSG);
	assert_int_equal(vmbus_pkt_parse(&p, b + 4, 32), -EINVAL);
	put_desc(VM_PKT_DATA_INBAND, 1, 4, 0, 0);
	assert_int_equal(vmbus_pkt_parse(&p, pkt, 32), -EBADMSG);
	put_desc(VM_PKT_DATA_INBAND, 0, 4, 0, 0);
	assert_int_equal(vmbus_pkt_parse(&p, pkt, 32), -EBADMSG);
	put_desc(VM_PKT_DATA_INBAND, 3, 2, 0, 0);
	assert_int_equal(vmbus_pkt_parse(&p, pkt, 32), -EBADMSG);
	for (size_t i = 0; i < ARRAY_SIZE(bad_flags); i++) {
		put_desc(VM_PKT_DATA_INBAND, 2, 4, bad_flags[i], 0);
		assert_int_equal(vmbus_pkt_parse(&p, pkt, 32), -EBADMSG);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad_types); i++) {
		put_desc(bad_types[i], 2, 4, 0, 0);
		assert_int_equal(vmbus_pkt_parse(&p, pkt, 32), -EBADMSG);
	}
}

/* storvsc: one range, the buffer starting 0x200 into its first page, six
 * PFNs for five pages' worth, the vstor packet as payload. */
static void test_gpa_storvsc_like(void **state)
{
	static const uint64_t contiguous[] = {10, 11, 12, 13, 14, 15};
	static const uint64_t scattered[] = {10, 11, 20, 21, 22, 30};
	struct trange r = {5 * PG, 0x200, 6, contiguous};
	struct iovec iov[8];
	struct vmbus_pkt p;
	uint32_t len = build_gpa(&r, 1, 1, 0, 64);

	(void)state;
	assert_int_equal(len, 16 + 8 + 8 + 6 * 8 + 64);
	assert_int_equal(vmbus_pkt_parse(&p, pkt, len), 0);
	assert_int_equal(p.type, VM_PKT_DATA_USING_GPA_DIRECT);
	assert_true(p.trans_id == 0x1234);
	assert_int_equal(p.range_cnt, 1);
	assert_true(p.bytes == 5 * PG);
	assert_ptr_equal(p.payload, b + 16 + 8 + 8 + 48);
	assert_int_equal(p.payload_len, 64);
	assert_int_equal(p.payload[0], 0x5A);

	/* Contiguous in guest and host memory: one iovec. */
	assert_int_equal(vmbus_pkt_gpa_iov(&p, &gm, iov, ARRAY_SIZE(iov)), 1);
	assert_ptr_equal(iov[0].iov_base, ram + 10 * PG + 0x200);
	assert_int_equal(iov[0].iov_len, 5 * PG);

	/* Scattered: one iovec per run of adjacent pages. */
	r.pfn = scattered;
	len = build_gpa(&r, 1, 1, 0, 64);
	assert_int_equal(vmbus_pkt_parse(&p, pkt, len), 0);
	assert_int_equal(vmbus_pkt_gpa_iov(&p, &gm, iov, ARRAY_SIZE(iov)), 3);
	assert_ptr_equal(iov[0].iov_base, ram + 10 * PG + 0x200);
	assert_int_equal(iov[0].iov_len, 2 * PG - 0x200);
	assert_ptr_equal(iov[1].iov_base, ram + 20 * PG);
	assert_int_equal(iov[1].iov_len, 3 * PG);
	assert_ptr_equal(iov[2].iov_base, ram + 30 * PG);
	assert_int_equal(iov[2].iov_len, 0x200);
	/* Exactly enough iovecs, then one too few. */
	assert_int_equal(vmbus_pkt_gpa_iov(&p, &gm, iov, 3), 3);
	assert_int_equal(vmbus_pkt_gpa_iov(&p, &gm, iov, 2), -E2BIG);
	assert_int_equal(vmbus_pkt_gpa_iov(&p, &gm, iov, 0), -E2BIG);
}

/* netvsc: one PFN per range; ranges that meet in host memory merge. */
static void test_gpa_netvsc_like(void **state)
{
	static const uint64_t pfn[] = {5, 6, 9, 40};
	const struct trange r[] = {
	    {96, 4000, 1, &pfn[0]},	/* the end of page 5 ... */
	    {PG, 0, 1, &pfn[1]},	/* ... then page 6: one iovec */
	    {10, 100, 1, &pfn[2]},
	    {1, PG - 1, 1, &pfn[3]},
	};
	struct iovec iov[4];
	struct vmbus_pkt p;
	uint32_t len = build_gpa(r, 4, 4, 0, 40);

	(void)state;
	assert_int_equal(vmbus_pkt_parse(&p, pkt, len), 0);
	assert_int_equal(p.range_cnt, 4);
	assert_true(p.bytes == 96 + PG + 10 + 1);
	assert_int_equal(p.payload_len, 40);
	assert_int_equal(vmbus_pkt_gpa_iov(&p, &gm, iov, ARRAY_SIZE(iov)), 3);
	assert_ptr_equal(iov[0].iov_base, ram + 5 * PG + 4000);
	assert_int_equal(iov[0].iov_len, 96 + PG);
	assert_ptr_equal(iov[1].iov_base, ram + 9 * PG + 100);
	assert_int_equal(iov[1].iov_len, 10);
	assert_ptr_equal(iov[2].iov_base, ram + 41 * PG - 1);
	assert_int_equal(iov[2].iov_len, 1);
}

static void test_gpa_iov_faults(void **state)
{
	static const uint64_t outside[] = {RAM_PAGES - 1, RAM_PAGES};
	static const uint64_t huge[] = {1ull << 52, 0};
	static const uint64_t top[] = {~0ull};
	struct trange r = {PG, 8, 2, outside};
	struct iovec iov[4];
	struct vmbus_pkt p;

	(void)state;
	assert_int_equal(vmbus_pkt_parse(&p, pkt, build_gpa(&r, 1, 1, 0, 0)), 0);
	assert_int_equal(vmbus_pkt_gpa_iov(&p, &gm, iov, 4), -EFAULT);
	r.pfn = huge;
	assert_int_equal(vmbus_pkt_parse(&p, pkt, build_gpa(&r, 1, 1, 0, 0)), 0);
	assert_int_equal(vmbus_pkt_gpa_iov(&p, &gm, iov, 4), -EFAULT);
	r.pfn = top;
	r.npfn = 1;
	r.count = 1;
	assert_int_equal(vmbus_pkt_parse(&p, pkt, build_gpa(&r, 1, 1, 0, 0)), 0);
	assert_int_equal(vmbus_pkt_gpa_iov(&p, &gm, iov, 4), -EFAULT);
	/* The last page of RAM is fine. */
	r.pfn = outside;
	r.offset = PG - 1;
	assert_int_equal(vmbus_pkt_parse(&p, pkt, build_gpa(&r, 1, 1, 0, 0)), 0);
	assert_int_equal(vmbus_pkt_gpa_iov(&p, &gm, iov, 4), 1);
	assert_ptr_equal(iov[0].iov_base, ram + RAM_PAGES * PG - 1);
	/* Not a GPA-direct packet. */
	put_desc(VM_PKT_DATA_INBAND, 2, 2, 0, 0);
	assert_int_equal(vmbus_pkt_parse(&p, pkt, 16), 0);
	assert_int_equal(vmbus_pkt_gpa_iov(&p, &gm, iov, 4), -EINVAL);
}

static void test_gpa_rejects(void **state)
{
	static uint64_t pfns[4100];
	struct trange r = {100, 0, 1, pfns};
	struct trange many[VMBUS_PKT_MAX_RANGES + 1];
	struct vmbus_pkt p;
	uint32_t len;

	(void)state;
	assert_int_equal(vmbus_pkt_parse(&p, pkt, build_gpa(&r, 1, 1, 0, 8)), 0);
	/* Counts. */
	assert_int_equal(vmbus_pkt_parse(&p, pkt, build_gpa(&r, 1, 0, 0, 8)), -EBADMSG);
	assert_int_equal(vmbus_pkt_parse(&p, pkt, build_gpa(&r, 1, 2, 0, 8)), -EBADMSG);
	for (uint32_t i = 0; i <= VMBUS_PKT_MAX_RANGES; i++)
		many[i] = r;
	len = build_gpa(many, VMBUS_PKT_MAX_RANGES, VMBUS_PKT_MAX_RANGES, 0, 8);
	assert_int_equal(vmbus_pkt_parse(&p, pkt, len), 0);
	len = build_gpa(many, VMBUS_PKT_MAX_RANGES + 1, VMBUS_PKT_MAX_RANGES + 1, 0, 8);
	assert_int_equal(vmbus_pkt_parse(&p, pkt, len), -EBADMSG);
	len = build_gpa(many, 1, 0xFFFFFFFFu, 0, 8);
	assert_int_equal(vmbus_pkt_parse(&p, pkt, len), -EBADMSG);
	/* Offsets and sizes. */
	r.offset = PG;
	assert_int_equal(vmbus_pkt_parse(&p, pkt, build_gpa(&r, 1, 1, 0, 8)), -EBADMSG);
	r.offset = 0;
	r.count = 0;
	assert_int_equal(vmbus_pkt_parse(&p, pkt, build_gpa(&r, 1, 1, 0, 8)), -EBADMSG);
	/* PFNs follow from offset + count: 4095 + 2 takes two. */
	r.count = 2;
	r.offset = PG - 1;
	assert_int_equal(vmbus_pkt_parse(&p, pkt, build_gpa(&r, 1, 1, 0, 8)), -EBADMSG);
	r.npfn = 2;
	assert_int_equal(vmbus_pkt_parse(&p, pkt, build_gpa(&r, 1, 1, 0, 8)), 0);
	/* The ranges must end by offset8 * 8; slack after them is allowed. */
	assert_int_equal(vmbus_pkt_parse(&p, pkt, build_gpa(&r, 1, 1, -1, 8)), -EBADMSG);
	assert_int_equal(vmbus_pkt_parse(&p, pkt, build_gpa(&r, 1, 1, 2, 8)), 0);
	assert_ptr_equal(p.payload, b + 16 + 8 + 8 + 16 + 16);
	/* No room for the header, or for a range after it. */
	len = build_gpa(&r, 1, 1, 0, 8);
	put_desc(VM_PKT_DATA_USING_GPA_DIRECT, 2, 3, 0, 0);
	assert_int_equal(vmbus_pkt_parse(&p, pkt, len), -EBADMSG);
	put_desc(VM_PKT_DATA_USING_GPA_DIRECT, 3, 4, 0, 0);
	assert_int_equal(vmbus_pkt_parse(&p, pkt, len), -EBADMSG);
	put_desc(VM_PKT_DATA_USING_GPA_DIRECT, 4, 5, 0, 0);
	assert_int_equal(vmbus_pkt_parse(&p, pkt, len), -EBADMSG);
	/* 16 MiB in all, not a byte more. */
	r.offset = 0;
	r.count = VMBUS_PKT_MAX_BYTES;
	r.npfn = VMBUS_PKT_MAX_BYTES / PG;
	assert_int_equal(vmbus_pkt_parse(&p, pkt, build_gpa(&r, 1, 1, 0, 8)), 0);
	assert_true(p.bytes == VMBUS_PKT_MAX_BYTES);
	r.count++;
	r.npfn++;
	assert_int_equal(vmbus_pkt_parse(&p, pkt, build_gpa(&r, 1, 1, 0, 8)), -EBADMSG);
	r.count = 0xFFFFFFFFu;
	assert_int_equal(vmbus_pkt_parse(&p, pkt, build_gpa(&r, 1, 1, 0, 8)), -EBADMSG);
	many[0].count = VMBUS_PKT_MAX_BYTES - 100;
	many[0].npfn = VMBUS_PKT_MAX_BYTES / PG;
	many[1].count = 101;
	assert_int_equal(vmbus_pkt_parse(&p, pkt, build_gpa(many, 2, 2, 0, 8)), -EBADMSG);
}

/* A transfer-page packet: header, ranges, payload. */
static uint32_t build_xfer(uint32_t n, uint32_t cnt, const uint32_t *counts, int slack8)
{
	uint32_t off8 = 3 + n + (uint32_t)slack8;

	memset(pkt, 0, sizeof(pkt));
	put_desc(VM_PKT_DATA_USING_XFER_PAGES, (uint16_t)off8, (uint16_t)(off8 + 2), 0, 99);
	b[16] = 0x34;
	b[17] = 0x12;
	b[18] = 1;
	b[19] = 0xEE; /* reserved: garbage allowed */
	put32(20, cnt);
	for (uint32_t i = 0; i < n; i++) {
		put32(24 + 8 * i, counts[i]);
		put32(28 + 8 * i, 1000 * i);
	}
	return (off8 + 2) * 8;
}

static void test_xfer_pages(void **state)
{
	static uint32_t counts[VMBUS_PKT_MAX_RANGES + 1];
	const struct vmtransfer_page_range *range;
	struct vmbus_pkt p;

	(void)state;
	for (uint32_t i = 0; i <= VMBUS_PKT_MAX_RANGES; i++)
		counts[i] = 1500;
	assert_int_equal(vmbus_pkt_parse(&p, pkt, build_xfer(3, 3, counts, 0)), 0);
	assert_int_equal(p.type, VM_PKT_DATA_USING_XFER_PAGES);
	assert_int_equal(p.xfer_pageset_id, 0x1234);
	assert_int_equal(p.sender_owns_set, 1);
	assert_int_equal(p.range_cnt, 3);
	assert_true(p.bytes == 4500);
	range = p.ranges;
	assert_int_equal(range[2].byte_count, 1500);
	assert_int_equal(range[2].byte_offset, 2000);
	assert_int_equal(p.payload_len, 16);
	assert_ptr_equal(p.payload, b + 48);

	assert_int_equal(vmbus_pkt_parse(&p, pkt, build_xfer(3, 2, counts, 0)), 0); /* slack */
	assert_int_equal(vmbus_pkt_parse(&p, pkt, build_xfer(3, 4, counts, 0)), -EBADMSG);
	assert_int_equal(vmbus_pkt_parse(&p, pkt, build_xfer(3, 0, counts, 0)), -EBADMSG);
	assert_int_equal(vmbus_pkt_parse(&p, pkt, build_xfer(3, 3, counts, -1)), -EBADMSG);
	assert_int_equal(vmbus_pkt_parse(&p, pkt, build_xfer(3, 0xFFFFFFFFu, counts, 0)),
			 -EBADMSG);
	assert_int_equal(vmbus_pkt_parse(&p, pkt,
					 build_xfer(VMBUS_PKT_MAX_RANGES, VMBUS_PKT_MAX_RANGES,
						    counts, 0)),
			 0);
	assert_int_equal(vmbus_pkt_parse(&p, pkt,
					 build_xfer(VMBUS_PKT_MAX_RANGES + 1,
						    VMBUS_PKT_MAX_RANGES + 1, counts, 0)),
			 -EBADMSG);
	/* No room for the header. */
	build_xfer(0, 0, counts, 0);
	put_desc(VM_PKT_DATA_USING_XFER_PAGES, 2, 2, 0, 0);
	assert_int_equal(vmbus_pkt_parse(&p, pkt, 16), -EBADMSG);
	counts[1] = 0;
	assert_int_equal(vmbus_pkt_parse(&p, pkt, build_xfer(3, 3, counts, 0)), -EBADMSG);
	counts[1] = VMBUS_PKT_MAX_BYTES - 3000;
	assert_int_equal(vmbus_pkt_parse(&p, pkt, build_xfer(3, 3, counts, 0)), 0);
	counts[1]++;
	assert_int_equal(vmbus_pkt_parse(&p, pkt, build_xfer(3, 3, counts, 0)), -EBADMSG);
	counts[1] = 0xFFFFFFFFu;
	assert_int_equal(vmbus_pkt_parse(&p, pkt, build_xfer(3, 3, counts, 0)), -EBADMSG);
}

static void test_init_desc(void **state)
{
	struct vmpacket_descriptor d;
	struct vmbus_pkt p;

	(void)state;
	for (uint32_t len = 0; len < 40; len++) {
		assert_int_equal(vmbus_pkt_init_desc(&d, VM_PKT_COMP, 0, len, len), 0);
		assert_int_equal(d.type, VM_PKT_COMP);
		assert_int_equal(d.offset8, 2);
		assert_int_equal(d.len8, (16 + len + 7) / 8);
		assert_int_equal(d.flags, 0);
		assert_true(d.trans_id == len);
		memcpy(pkt, &d, sizeof(d));
		assert_int_equal(vmbus_pkt_parse(&p, pkt, d.len8 * 8u), 0);
		assert_true(p.payload_len >= len && p.payload_len < len + 8);
	}
	assert_int_equal(vmbus_pkt_init_desc(&d, VM_PKT_DATA_INBAND, 0, 0, 65535 * 8 - 16), 0);
	assert_int_equal(d.len8, 65535);
	assert_int_equal(vmbus_pkt_init_desc(&d, VM_PKT_DATA_INBAND, 0, 0, 65535 * 8 - 15),
			 -EINVAL);
	assert_int_equal(vmbus_pkt_init_desc(&d, VM_PKT_DATA_INBAND, 0, 0, 0xFFFFFFFFu), -EINVAL);
	assert_int_equal(vmbus_pkt_init_desc(&d, VM_PKT_DATA_USING_GPA_DIRECT, 0, 0, 8), -EINVAL);
	assert_int_equal(vmbus_pkt_init_desc(&d, VM_PKT_DATA_USING_XFER_PAGES, 0, 0, 8), -EINVAL);
	assert_int_equal(vmbus_pkt_init_desc(&d, VM_PKT_DATA_INBAND, 2, 0, 8), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_inband_and_completion),
	    cmocka_unit_test(test_parse_rejects_descriptor),
	    cmocka_unit_test_setup_teardown(test_gpa_storvsc_like, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_gpa_netvsc_like, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_gpa_iov_faults, setup, teardown),
	    cmocka_unit_test(test_gpa_rejects),
	    cmocka_unit_test(test_xfer_pages),
	    cmocka_unit_test(test_init_desc),
	};

	return unit_run("vmbus_packet", tests, ARRAY_SIZE(tests), NULL);
}
