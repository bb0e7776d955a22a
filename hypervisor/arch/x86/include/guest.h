/* Reading a guest through its own paging: instruction fetch and decode. */
#ifndef SEPTUM_X86_GUEST_H
#define SEPTUM_X86_GUEST_H

#include "insn_len.h"
#include "vp.h"

int guest_linear_to_gpa(struct vp *vp, u64 la, u64 *gpa);
/* Up to max bytes at CS:RIP, as far as the guest's paging and memory
 * allow; how many. */
size_t x86_fetch_insn(struct vp *vp, u8 *bytes, size_t max);
/* Length of the instruction at CS:RIP, which must be of this kind; -1 if
 * it cannot be fetched or is something else. */
int x86_insn_length(struct vp *vp, enum insn_kind kind);

#endif
