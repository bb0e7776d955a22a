/*
 * Who owns each physical page frame. The hypervisor consults this before
 * it maps, deposits or touches a page on a partition's behalf, so a root
 * page can never be both in a child's deposit (hypervisor data) and mapped
 * into a child (guest-writable), and nobody gets the hypervisor's pages.
 */
#ifndef SEPTUM_FRAMES_H
#define SEPTUM_FRAMES_H

#include "types.h"

enum frame_state {
	FRAME_ABSENT,		/* not RAM (MMIO, holes) or beyond the table */
	FRAME_HV,		/* the hypervisor's image and heap */
	FRAME_ROOT,		/* root RAM, mapped in the root */
	FRAME_DEPOSITED,	/* deposited: hypervisor data of partition `owner` */
};

struct frame {
	u8 state;
	u8 owner;	/* partition slot, for FRAME_DEPOSITED */
	u16 child_maps;	/* mappings into children, for FRAME_ROOT */
};

#define FRAME_MAX_CHILD_MAPS 0xFFFF

/* Builds the table for RAM below `top`; all of it starts as FRAME_ABSENT. */
int frames_init(u64 top);
void frames_set(u64 pa, u64 size, enum frame_state state);
/* NULL for addresses beyond the table. */
struct frame *frame_of(u64 pa);
enum frame_state frame_state(u64 pa);

#endif
