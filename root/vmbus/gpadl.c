/* GPADL assembly and lookup; see gpadl.h. */
#include "gpadl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "channel_msg.h"

void gpadl_table_init(struct gpadl_table *t, const struct guest_mem *mem)
{
	memset(t, 0, sizeof(*t));
	t->mem = mem;
}

/* The slot holding GPADL id, or GPADL_MAX_COUNT. */
static uint32_t slot_of(const struct gpadl_table *t, uint32_t id)
{
	uint32_t i;

	for (i = 0; i < GPADL_MAX_COUNT; i++)
		if (t->slot[i].words && t->slot[i].id == id)
			break;
	return i;
}

static struct gpadl *lookup(struct gpadl_table *t, uint32_t id)
{
	uint32_t i = slot_of(t, id);

	return i < GPADL_MAX_COUNT ? &t->slot[i] : NULL;
}

const struct gpadl *gpadl_find(const struct gpadl_table *t, uint32_t id)
{
	uint32_t i = slot_of(t, id);

	return i < GPADL_MAX_COUNT ? &t->slot[i] : NULL;
}

static void drop(struct gpadl_table *t, struct gpadl *g)
{
	t->count--;
	t->pages -= g->n_pages;
	free(g->words);
	memset(g, 0, sizeof(*g));
}

void gpadl_table_reset(struct gpadl_table *t)
{
	for (uint32_t i = 0; i < GPADL_MAX_COUNT; i++)
		if (t->slot[i].words)
			drop(t, &t->slot[i]);
}

int gpadl_remove(struct gpadl_table *t, uint32_t id)
{
	struct gpadl *g = lookup(t, id);

	if (!g)
		return -ENOENT;
	drop(t, g);
	return 0;
}

void gpadl_remove_relid(struct gpadl_table *t, uint32_t relid)
{
	for (uint32_t i = 0; i < GPADL_MAX_COUNT; i++)
		if (t->slot[i].words && t->slot[i].relid == relid)
			drop(t, &t->slot[i]);
}

int gpadl_next_range(const struct gpadl *g, uint32_t *cursor, struct gpadl_range *r)
{
	uint64_t w;

	/* Complete GPADLs passed vmbus_gpadl_ranges_check: the walk stays
	 * inside words and ends exactly at n_words. */
	if (!g->complete || *cursor >= g->n_words)
		return 0;
	w = g->words[*cursor];
	r->byte_count = (uint32_t)w;
	r->byte_offset = (uint32_t)(w >> 32);
	r->n_pfns = (uint32_t)vmbus_gpadl_range_pages(r->byte_count, r->byte_offset);
	r->pfns = &g->words[*cursor + 1];
	*cursor += 1 + r->n_pfns;
	return 1;
}

const uint64_t *gpadl_ring_pfns(const struct gpadl *g, uint32_t *n_pfns)
{
	uint32_t cursor = 0;
	struct gpadl_range r;

	if (g->rangecount != 1 || !gpadl_next_range(g, &cursor, &r))
		return NULL;
	if (r.byte_offset || r.byte_count != (uint64_t)r.n_pfns * GM_PAGE_SIZE)
		return NULL;
	*n_pfns = r.n_pfns;
	return r.pfns;
}

/* The last word arrived: ranges, then every PFN against guest RAM. */
static int complete(struct gpadl_table *t, struct gpadl *g)
{
	uint32_t cursor = 0;
	struct gpadl_range r;

	if (vmbus_gpadl_ranges_check(g->words, g->n_words, g->n_words, g->rangecount))
		return -EBADMSG;
	g->complete = true;
	while (gpadl_next_range(g, &cursor, &r))
		for (uint32_t i = 0; i < r.n_pfns; i++)
			if (!gm_page(t->mem, r.pfns[i]))
				return -EFAULT;
	return 1;
}

/* Takes up to what g still needs from words; completes g when full. On
 * an error g is removed. */
static int append(struct gpadl_table *t, struct gpadl *g, const uint64_t *words, uint32_t n)
{
	uint32_t room = g->n_words - g->n_filled;
	int rc;

	if (n > room)
		n = room;
	memcpy(&g->words[g->n_filled], words, (size_t)n * 8);
	g->n_filled += n;
	if (g->n_filled < g->n_words) {
		/* Check early what is known, as the parser did for the header. */
		rc = vmbus_gpadl_ranges_check(g->words, g->n_filled, g->n_words, g->rangecount);
	} else {
		rc = complete(t, g);
	}
	if (rc < 0)
		drop(t, g);
	return rc;
}

int gpadl_header(struct gpadl_table *t, uint32_t relid, uint32_t id, uint16_t range_buflen,
		 uint16_t rangecount, const uint64_t *words, uint32_t n_words)
{
	uint32_t n_total = range_buflen / 8, n_pages;
	struct gpadl *g = NULL;

	if (!rangecount || range_buflen % 8 || n_total < 2u * rangecount)
		return -EBADMSG;
	if (lookup(t, id))
		return -EEXIST;
	n_pages = n_total - rangecount;
	if (t->count >= GPADL_MAX_COUNT || n_pages > GPADL_MAX_VM_PAGES - t->pages)
		return -ENOSPC;
	for (uint32_t i = 0; !g; i++)
		if (!t->slot[i].words)
			g = &t->slot[i];
	g->words = calloc(n_total, sizeof(uint64_t));
	if (!g->words)
		return -ENOMEM;
	g->id = id;
	g->relid = relid;
	g->rangecount = rangecount;
	g->n_words = n_total;
	g->n_pages = n_pages;
	t->count++;
	t->pages += n_pages;
	return append(t, g, words, n_words);
}

int gpadl_body(struct gpadl_table *t, uint32_t id, const uint64_t *words, uint32_t n_words,
	       uint32_t *relid)
{
	struct gpadl *g = lookup(t, id);

	if (!g || g->complete)
		return -ENOENT;
	*relid = g->relid;
	return append(t, g, words, n_words);
}
