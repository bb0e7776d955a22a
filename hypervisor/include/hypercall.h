#ifndef SEPTUM_HYPERCALL_H
#define SEPTUM_HYPERCALL_H

#include "vp.h"

/* The VP executed the hypercall instruction; its registers hold the call. */
void hypercall_handle(struct vp *vp);

#endif
