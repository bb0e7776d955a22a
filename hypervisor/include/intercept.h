#ifndef SEPTUM_INTERCEPT_H
#define SEPTUM_INTERCEPT_H

#include "hv/intercept.h"
#include "vp.h"

/* Intercept messages for the root about a child VP's exit (TLFS layouts,
 * include/hv/intercept.h). Each fills msg completely. */
void intercept_io(struct vp *vp, const struct vp_exit *e, struct hv_message *msg);
void intercept_memory(struct vp *vp, const struct vp_exit *e, struct hv_message *msg);
void intercept_msr(struct vp *vp, bool write, struct hv_message *msg);
void intercept_cpuid(struct vp *vp, const u32 def[4], struct hv_message *msg);
void intercept_hypercall(struct vp *vp, struct hv_message *msg);
void intercept_exception(struct vp *vp, const struct vp_exit *e, struct hv_message *msg);
/* Header-only messages: halt, triple fault, invalid state, unsupported. */
void intercept_simple(struct vp *vp, u32 type, struct hv_message *msg);

#endif
