/* Hypercall handlers (hc_*.c) and the call they serve (hypercall.c). */
#ifndef SEPTUM_HC_H
#define SEPTUM_HC_H

#include "hv/hypercall.h"
#include "hv/status.h"
#include "partition.h"

/* Rep calls stop after this many reps and return success with the count
 * so far; the caller re-issues from there (TLFS rep semantics). This bounds
 * the time one hypercall holds the CPU. */
#define HC_REP_BUDGET 128

struct hc_call {
	struct vp *vp;
	struct partition *caller;
	u16 code;
	bool fast;
	u32 rep_count, rep_start, reps_done;
	const void *in;		/* the input block, copied in */
	void *out;		/* the output block, copied out on return */
};

/* An input's partition id, resolved for the caller: the caller's child
 * (never the caller itself), or NULL with *status set. */
struct partition *hc_child(struct hc_call *c, u64 id, u16 *status);
/* VP vp_index of the caller's child partition_id, or NULL with *status. */
struct vp *hc_child_vp(struct hc_call *c, u64 partition_id, u32 vp_index, u16 *status);

u16 hc_create_partition(struct hc_call *c);
u16 hc_initialize_partition(struct hc_call *c);
u16 hc_finalize_partition(struct hc_call *c);
u16 hc_delete_partition(struct hc_call *c);
u16 hc_get_partition_property(struct hc_call *c);
u16 hc_set_partition_property(struct hc_call *c);
u16 hc_deposit_memory(struct hc_call *c);
u16 hc_withdraw_memory(struct hc_call *c);
u16 hc_map_gpa_pages(struct hc_call *c);
u16 hc_unmap_gpa_pages(struct hc_call *c);
u16 hc_install_intercept(struct hc_call *c);
u16 hc_create_vp(struct hc_call *c);
u16 hc_delete_vp(struct hc_call *c);
u16 hc_get_vp_registers(struct hc_call *c);
u16 hc_set_vp_registers(struct hc_call *c);
u16 hc_dispatch_vp(struct hc_call *c);
u16 hc_assert_virtual_interrupt(struct hc_call *c);
u16 hc_post_message_direct(struct hc_call *c);
u16 hc_signal_event_direct(struct hc_call *c);

#endif
