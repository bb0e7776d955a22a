/* Interrupts and timers of a child VP, between the root's dispatches. */
#ifndef SEPTUM_EVENTS_H
#define SEPTUM_EVENTS_H

#include "vp.h"

/* Guest memory and interrupt hooks for the SynIC and timers of vp. */
void events_env(struct vp *vp, struct synic_env *env);
struct vapic_time events_vapic_time(struct vp *vp);
/* Moves expired timers and queued SynIC messages forward. */
void events_update(struct vp *vp);
/* Whether a halted VP has something to wake for. */
bool events_wake(struct vp *vp);
/* After an exit: a MOV CR8 the guest did changes the virtual TPR. */
void events_sync_cr8(struct vp *vp);
/* Injects the highest pending interrupt, or asks for an interrupt window. */
void events_inject(struct vp *vp);
/* The VP's next timer event in its partition's reference time; 0 = none. */
u64 events_next_deadline(struct vp *vp);

#endif
