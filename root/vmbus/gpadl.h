/*
 * GPADLs (guest physical address descriptor lists): lists of guest pages
 * the guest describes to the host with one GPADL_HEADER and as many
 * GPADL_BODY messages as the PFNs need, for ring buffers and for VSP
 * buffers (netvsc's receive and send buffers). The guest picks the ids,
 * unique per VM (Linux counts up from 0xE1E10), and bodies name only the
 * id, so one table per VM holds them all.
 *
 * A GPADL's range area (struct vmbus_gpadl_range and PFNs, as the header
 * declares it) is assembled from the messages; when the last word arrives
 * the ranges are checked and every PFN is checked against guest RAM, and
 * the GPADL is complete. A GPADL that fails is removed at once.
 *
 * Limits, so a guest cannot make the host allocate without bound:
 * GPADL_MAX_COUNT GPADLs and GPADL_MAX_VM_PAGES pages per VM (in progress
 * or complete, counted from what the header declares), GPADL_MAX_PAGES per
 * GPADL (the u16 range_buflen cannot declare more).
 *
 * Not thread-safe: the VMBus server serializes calls.
 */
#ifndef SEPTUM_VMBUS_GPADL_H
#define SEPTUM_VMBUS_GPADL_H

#include <stdbool.h>
#include <stdint.h>

#include "guest_mem.h"
#include "hv/vmbus.h"

#define GPADL_MAX_PAGES	   8192u  /* a 16 MiB netvsc receive buffer plus slack */
#define GPADL_MAX_VM_PAGES 16384u /* 64 MiB per VM */
#define GPADL_MAX_COUNT	   512u

/* range_buflen is a u16: a header cannot declare more than this limit. */
_Static_assert(0xFFFF / 8 - 1 <= GPADL_MAX_PAGES, "range_buflen bounds a GPADL");

struct gpadl {
	uint32_t id;
	uint32_t relid; /* the channel named in the header */
	bool complete;
	uint16_t rangecount;
	uint32_t n_words;  /* range area: range_buflen / 8 */
	uint32_t n_filled; /* words received so far */
	uint32_t n_pages;  /* PFNs: n_words - rangecount */
	uint64_t *words;
};

struct gpadl_table {
	const struct guest_mem *mem;
	struct gpadl slot[GPADL_MAX_COUNT]; /* words NULL: free */
	uint32_t count;
	uint32_t pages;
};

/* One range of a complete GPADL, as gpadl_next_range() walks them. */
struct gpadl_range {
	uint32_t byte_count;
	uint32_t byte_offset;
	uint32_t n_pfns;
	const uint64_t *pfns; /* each < guest RAM size in pages */
};

void gpadl_table_init(struct gpadl_table *t, const struct guest_mem *mem);
/* Drops every GPADL (VM reset, UNLOAD, INITIATE_CONTACT, destruction). */
void gpadl_table_reset(struct gpadl_table *t);

/*
 * GPADL_HEADER: a new GPADL id for the channel relid, whose range area is
 * range_buflen bytes holding rangecount ranges, starting with the n_words
 * in words (as vmbus_channel_msg_parse leaves them in a header).
 * Return values: 1 complete; 0 in progress, bodies to follow; -EBADMSG
 * counts or ranges that do not add up (checked first); -EEXIST id in use;
 * -ENOSPC over a per-VM limit; -ENOMEM; -EFAULT a PFN outside guest RAM.
 * After an error no GPADL id exists, except the old one with -EEXIST or
 * -EBADMSG.
 */
int gpadl_header(struct gpadl_table *t, uint32_t relid, uint32_t id, uint16_t range_buflen,
		 uint16_t rangecount, const uint64_t *words, uint32_t n_words);

/*
 * GPADL_BODY: n_words more words for GPADL id, as many as it still needs
 * (the rest is taken as padding). *relid gets the GPADL's channel for the
 * GPADL_CREATED reply whenever the id is in progress.
 * Return values: 1 complete; 0 in progress; -ENOENT no GPADL id in
 * progress; -EBADMSG bad ranges; -EFAULT a PFN outside guest RAM (with
 * both, the GPADL is gone).
 */
int gpadl_body(struct gpadl_table *t, uint32_t id, const uint64_t *words, uint32_t n_words,
	       uint32_t *relid);

/* The GPADL id, complete or not, or NULL. The pointer stays valid until a
 * call that removes a GPADL; users that keep pages keep host pointers
 * (gm_page), never this. */
const struct gpadl *gpadl_find(const struct gpadl_table *t, uint32_t id);

/* Removes GPADL id. Return values: 0, -ENOENT. */
int gpadl_remove(struct gpadl_table *t, uint32_t id);
/* Removes every GPADL of channel relid (the channel is gone). */
void gpadl_remove_relid(struct gpadl_table *t, uint32_t relid);

/*
 * Walks the ranges of a complete GPADL: start with *cursor = 0; each call
 * fills r and returns 1, then 0 after the last range.
 */
int gpadl_next_range(const struct gpadl *g, uint32_t *cursor, struct gpadl_range *r);

/*
 * The pages of a ring GPADL: one range at offset 0 covering whole pages.
 * Return values: the PFNs (*n_pfns of them), or NULL for another shape.
 */
const uint64_t *gpadl_ring_pfns(const struct gpadl *g, uint32_t *n_pfns);

#endif
