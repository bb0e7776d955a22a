#ifndef SEPTUM_HYPERCALL_H
#define SEPTUM_HYPERCALL_H

#include "vp.h"

/* The VP executed the hypercall instruction; its registers hold the call.
 * Returns false, untouched, for a child's call that belongs to the root
 * (HvPostMessage, HvSignalEvent): that one becomes an intercept. */
bool hypercall_handle(struct vp *vp);

#endif
