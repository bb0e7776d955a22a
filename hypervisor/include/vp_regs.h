#ifndef SEPTUM_VP_REGS_H
#define SEPTUM_VP_REGS_H

#include "hv/types.h"
#include "vp.h"

/* HV_STATUS_* for one register by TLFS name. */
u16 vp_get_register(struct vp *vp, u32 name, union hv_register_value *v);
u16 vp_set_register(struct vp *vp, u32 name, const union hv_register_value *v);
void vp_reset(struct vp *vp);

#endif
