/* libFuzzer target for VMBus packet parsing (root/vmbus/packet.c). The
 * input is a packet as a ring read would hand it over (copied to an
 * 8-aligned buffer), preceded by two bytes: the length the caller claims
 * (which may be longer or shorter than the packet) and the room for
 * iovecs, its top bit asking for PFNs folded into guest RAM. An accepted packet is checked against a walk written here: its
 * fields, the payload inside it, every range inside the extension area and
 * within the limits; its GPA ranges then become iovecs that lie in guest
 * RAM, add up to the bytes described, and never share a boundary that
 * could have been merged. A refused packet comes from a rule broken. The
 * descriptor builder is fuzzed with the same bytes. */
#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "packet.h"

#define PG	  4096u
#define RAM_PAGES 32u
#define MAX_IOV	  64u

static uint64_t pkt[65536 / 8 + 8];
static uint8_t ram[RAM_PAGES * PG] __attribute__((aligned(4096)));

/* The rules the parser must apply, walked here independently: 0 if the
 * packet is acceptable, else -EBADMSG. tame folds each PFN into guest RAM
 * or just past it, so that iovecs get built and merged often. */
static int expected(uint8_t *b, uint32_t len, uint64_t *bytes, bool tame)
{
	struct vmpacket_descriptor d;
	uint32_t cnt, ext, at;

	*bytes = 0;
	if (len < 16)
		return -EBADMSG;
	memcpy(&d, b, 16);
	if (d.offset8 < 2 || d.len8 < d.offset8 || d.len8 * 8u > len || d.flags > 1)
		return -EBADMSG;
	if (d.type == VM_PKT_DATA_INBAND || d.type == VM_PKT_COMP)
		return 0;
	if (d.type != VM_PKT_DATA_USING_GPA_DIRECT && d.type != VM_PKT_DATA_USING_XFER_PAGES)
		return -EBADMSG;
	ext = d.offset8 * 8u;
	if (ext < 24)
		return -EBADMSG;
	memcpy(&cnt, b + 20, 4);
	if (!cnt || cnt > VMBUS_PKT_MAX_RANGES)
		return -EBADMSG;
	at = 24;
	for (uint32_t i = 0; i < cnt; i++) {
		uint32_t count, offset;
		uint64_t pfns;

		if (at + 8 > ext)
			return -EBADMSG;
		memcpy(&count, b + at, 4);
		memcpy(&offset, b + at + 4, 4);
		at += 8;
		if (!count)
			return -EBADMSG;
		*bytes += count;
		if (*bytes > VMBUS_PKT_MAX_BYTES)
			return -EBADMSG;
		if (d.type == VM_PKT_DATA_USING_XFER_PAGES)
			continue;
		if (offset >= PG)
			return -EBADMSG;
		pfns = ((uint64_t)offset + count + PG - 1) / PG;
		if (at + pfns * 8 > ext)
			return -EBADMSG;
		for (uint32_t k = 0; tame && k < pfns; k++) {
			uint64_t pfn;

			memcpy(&pfn, b + at + 8 * k, 8);
			pfn %= RAM_PAGES + 1;
			memcpy(b + at + 8 * k, &pfn, 8);
		}
		at += (uint32_t)pfns * 8;
	}
	return 0;
}

static void check_iov(const struct vmbus_pkt *p, unsigned int max)
{
	struct guest_mem m = {ram, sizeof(ram)};
	struct iovec iov[MAX_IOV];
	uint64_t sum = 0;
	int n = vmbus_pkt_gpa_iov(p, &m, iov, max);

	if (p->type != VM_PKT_DATA_USING_GPA_DIRECT) {
		assert(n == -EINVAL);
		return;
	}
	if (n < 0) {
		assert(n == -EFAULT || n == -E2BIG);
		return;
	}
	assert((unsigned int)n <= max && n > 0);
	for (int i = 0; i < n; i++) {
		uint8_t *base = iov[i].iov_base;

		assert(iov[i].iov_len > 0);
		assert(base >= ram && base + iov[i].iov_len <= ram + sizeof(ram));
		if (i)
			assert((uint8_t *)iov[i - 1].iov_base + iov[i - 1].iov_len != base);
		sum += iov[i].iov_len;
	}
	assert(sum == p->bytes);
}

static void fuzz_init_desc(const uint8_t *data, size_t size)
{
	struct vmpacket_descriptor d;
	uint16_t type, flags;
	uint32_t len;
	int rc;

	if (size < 8)
		return;
	memcpy(&type, data, 2);
	memcpy(&flags, data + 2, 2);
	memcpy(&len, data + 4, 4);
	type &= 0xF;
	rc = vmbus_pkt_init_desc(&d, type, flags, 7, len);
	if (type != VM_PKT_DATA_INBAND && type != VM_PKT_COMP) {
		assert(rc == -EINVAL);
		return;
	}
	if (flags > 1 || 16 + (uint64_t)len + 7 > 65535 * 8 + 7) {
		assert(rc == -EINVAL);
		return;
	}
	assert(rc == 0 && d.offset8 == 2 && d.len8 == (16 + (uint64_t)len + 7) / 8);
	assert(d.type == type && d.flags == flags && d.trans_id == 7);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *b = (uint8_t *)pkt;
	struct vmbus_pkt p;
	uint32_t len, claimed;
	unsigned int max;
	uint64_t bytes;
	int rc, want;

	fuzz_init_desc(data, size);
	if (size < 2 || size - 2 > sizeof(pkt))
		return 0;
	max = 1 + (data[1] & 0x7F) % MAX_IOV;
	len = (uint32_t)(size - 2);
	memset(pkt, 0, sizeof(pkt));
	memcpy(pkt, data + 2, len);
	/* Usually the true length; sometimes a caller's larger buffer or a
	 * short one. */
	claimed = data[0] < 0xF0 ? len : len + (data[0] & 7) * 8 - 32;
	if (claimed > sizeof(pkt))
		claimed = len;
	want = expected(b, claimed, &bytes, data[1] & 0x80);
	rc = vmbus_pkt_parse(&p, pkt, claimed);
	assert(rc == want);
	assert(vmbus_pkt_parse(&p, b + 4, claimed) == -EINVAL);
	rc = vmbus_pkt_parse(&p, pkt, claimed);
	if (rc)
		return 0;
	assert(p.type == ((const struct vmpacket_descriptor *)b)->type);
	assert(p.flags <= 1);
	assert(p.payload >= b + 16 && p.payload + p.payload_len <= b + claimed);
	assert(p.payload_len % 8 == 0);
	assert(p.bytes == bytes);
	if (p.type == VM_PKT_DATA_USING_GPA_DIRECT || p.type == VM_PKT_DATA_USING_XFER_PAGES) {
		assert(p.range_cnt >= 1 && p.range_cnt <= VMBUS_PKT_MAX_RANGES);
		assert((const uint8_t *)p.ranges == b + 24);
		assert(p.bytes <= VMBUS_PKT_MAX_BYTES);
	} else {
		assert(!p.range_cnt && !p.ranges);
	}
	check_iov(&p, max);
	return 0;
}
