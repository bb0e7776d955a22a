/* libFuzzer target for the GPADL table. The input is a program of GPADL
 * headers and bodies (raw words, or well-formed streams of one or more
 * ranges whose PFNs may fall outside the 64-page guest RAM, cut into
 * messages as Linux cuts them), removals and resets, over 8 ids and 4
 * channels. After each step it checks the table: count and pages match
 * the slots and stay within the limits; ids are unique; a GPADL is
 * complete exactly when all its words arrived; a complete one has
 * consistent ranges whose PFNs all lie in guest RAM and add up to its
 * pages; and each call's result matches what the table shows. */
#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "channel_msg.h"
#include "fuzz_input.h"
#include "gpadl.h"

#define RAM_PAGES 64u
#define IDS	  8u

static uint8_t ram[RAM_PAGES * 4096];
static const struct guest_mem mem = {ram, sizeof(ram)};
static struct gpadl_table t;

/* A well-formed stream per id, fed to bodies until used up. */
static struct {
	uint64_t words[512];
	uint32_t n, sent;
} stream[IDS];

static void check_table(void)
{
	uint32_t count = 0, pages = 0;

	for (uint32_t i = 0; i < GPADL_MAX_COUNT; i++) {
		const struct gpadl *g = &t.slot[i];
		struct gpadl_range r;
		uint32_t cursor = 0, pfns = 0;

		if (!g->words)
			continue;
		count++;
		pages += g->n_pages;
		assert(gpadl_find(&t, g->id) == g);
		assert(g->n_filled <= g->n_words);
		assert(g->rangecount && g->n_pages == g->n_words - g->rangecount);
		assert(g->complete == (g->n_filled == g->n_words));
		if (!g->complete) {
			assert(!vmbus_gpadl_ranges_check(g->words, g->n_filled, g->n_words,
							 g->rangecount));
			continue;
		}
		assert(!vmbus_gpadl_ranges_check(g->words, g->n_words, g->n_words, g->rangecount));
		while (gpadl_next_range(g, &cursor, &r)) {
			assert(r.byte_count && r.byte_offset < 4096);
			for (uint32_t k = 0; k < r.n_pfns; k++)
				assert(r.pfns[k] < RAM_PAGES);
			pfns += r.n_pfns;
		}
		assert(pfns == g->n_pages);
	}
	assert(count == t.count && count <= GPADL_MAX_COUNT);
	assert(pages == t.pages && pages <= GPADL_MAX_VM_PAGES);
}

/* Builds 1-4 ranges for id: a whole-page ring most of the time. */
static void make_stream(struct input *in, uint32_t id)
{
	uint32_t ranges = 1 + take(in) % 4, n = 0;

	for (uint32_t r = 0; r < ranges; r++) {
		uint8_t shape = take(in);
		uint32_t offset = shape & 1 ? take16(in) % 4096 : 0;
		uint32_t count = shape & 2 ? 1 + take16(in) % (40 * 4096) : (1 + shape % 64) * 4096;
		uint64_t npfn = vmbus_gpadl_range_pages(count, offset);
		uint64_t first = take(in) % (RAM_PAGES + 8);

		if (n + 1 + npfn > sizeof(stream[id].words) / 8)
			break;
		stream[id].words[n++] = (uint64_t)offset << 32 | count;
		for (uint64_t k = 0; k < npfn; k++)
			stream[id].words[n++] = (first + k) % (RAM_PAGES + 2);
	}
	stream[id].n = n;
	stream[id].sent = 0;
}

static void do_header(struct input *in)
{
	uint8_t op = take(in);
	uint32_t id = op % IDS, relid = (op >> 3) % 4, n, ranges = 0;
	const struct gpadl *before = gpadl_find(&t, id);
	uint64_t words[VMBUS_GPADL_HEADER_MAX_WORDS];
	uint16_t buflen, count;
	int rc;

	if (op & 0x80) {
		/* Raw: any counts, any words. */
		buflen = take16(in);
		count = take16(in) % 8;
		n = take(in) % (VMBUS_GPADL_HEADER_MAX_WORDS + 1);
		for (uint32_t i = 0; i < n; i++)
			words[i] = take64(in);
	} else {
		make_stream(in, id);
		for (uint32_t at = 0; at < stream[id].n; ranges++) {
			uint64_t w = stream[id].words[at];

			at +=
			    1 + (uint32_t)vmbus_gpadl_range_pages((uint32_t)w, (uint32_t)(w >> 32));
		}
		buflen = (uint16_t)(stream[id].n * 8);
		count = (uint16_t)ranges;
		n = stream[id].n < VMBUS_GPADL_HEADER_MAX_WORDS ? stream[id].n
								: VMBUS_GPADL_HEADER_MAX_WORDS;
		memcpy(words, stream[id].words, n * 8);
		stream[id].sent = n;
	}
	rc = gpadl_header(&t, relid, id, buflen, count, words, n);
	if (before) {
		/* Counts are checked before the id. */
		assert((rc == -EEXIST || rc == -EBADMSG) && gpadl_find(&t, id) == before);
		return;
	}
	assert(rc == 1 || rc == 0 || rc == -EBADMSG || rc == -EFAULT || rc == -ENOSPC);
	if (rc < 0) {
		assert(!gpadl_find(&t, id));
		return;
	}
	assert(gpadl_find(&t, id)->complete == (rc == 1));
	assert(gpadl_find(&t, id)->relid == relid);
}

static void do_body(struct input *in)
{
	uint8_t op = take(in);
	uint32_t id = op % IDS, n = take(in) % (VMBUS_GPADL_BODY_MAX_WORDS + 1), relid = 99;
	const struct gpadl *g = gpadl_find(&t, id);
	bool in_progress = g && !g->complete;
	uint64_t words[VMBUS_GPADL_BODY_MAX_WORDS];
	int rc;

	if (op & 0x80 || stream[id].sent >= stream[id].n) {
		for (uint32_t i = 0; i < n; i++)
			words[i] = take64(in);
	} else {
		/* The stream's next words, with padding after its end. */
		for (uint32_t i = 0; i < n; i++)
			words[i] = stream[id].sent + i < stream[id].n
				       ? stream[id].words[stream[id].sent + i]
				       : 0xFFFFFFFFFFFFFFFFull;
		stream[id].sent += n;
	}
	rc = gpadl_body(&t, id, words, n, &relid);
	if (!in_progress) {
		assert(rc == -ENOENT && relid == 99);
		return;
	}
	assert(relid < 4);
	assert(rc == 1 || rc == 0 || rc == -EBADMSG || rc == -EFAULT);
	if (rc < 0)
		assert(!gpadl_find(&t, id));
	else
		assert(gpadl_find(&t, id)->complete == (rc == 1));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = {data, size};

	gpadl_table_init(&t, &mem);
	memset(stream, 0, sizeof(stream));
	while (in.left) {
		uint8_t op = take(&in);
		const struct gpadl *g;
		uint32_t n;

		switch (op % 8) {
		case 0:
		case 1:
		case 2:
			do_header(&in);
			break;
		case 3:
		case 4:
		case 5:
			do_body(&in);
			break;
		case 6:
			if (op & 0x80) {
				gpadl_remove_relid(&t, (op >> 3) % 4);
			} else {
				bool had = gpadl_find(&t, (op >> 3) % IDS);

				assert(gpadl_remove(&t, (op >> 3) % IDS) == (had ? 0 : -ENOENT));
			}
			break;
		default:
			if (op & 0x80) {
				gpadl_table_reset(&t);
				assert(!t.count && !t.pages);
				break;
			}
			g = gpadl_find(&t, (op >> 3) % IDS);
			if (g && gpadl_ring_pfns(g, &n))
				assert(g->complete && g->rangecount == 1 && n == g->n_pages);
			break;
		}
		check_table();
	}
	gpadl_table_reset(&t);
	return 0;
}
