/*
 * A hypercall's input value and parameter blocks, checked against the
 * call's shape (TLFS "Hypercall Inputs"). Pure code, so the unit tests
 * and the fuzzer run it exactly as the hypervisor does.
 */
#ifndef SEPTUM_HC_INPUT_H
#define SEPTUM_HC_INPUT_H

#include "types.h"

enum hc_flags {
	HC_REP = 1 << 0,	/* a rep call: rep count ≥ 1 */
	HC_FAST = 1 << 1,	/* may be called fast (input in registers) */
	HC_SLOW = 1 << 2,	/* may be called with an input page */
	HC_VARHEAD = 1 << 3,	/* takes a variable header */
	/* Served for the root by the hypervisor; a child's goes to the root. */
	HC_TO_ROOT = 1 << 4,
};

/* Sizes in bytes of the fixed part and of each rep element. */
struct hc_shape {
	u16 flags;
	u16 in_size, in_rep_size;
	u16 out_size, out_rep_size;
};

struct hc_input {
	u64 control, in_gpa, out_gpa;
	u16 code;
	bool fast;
	u32 rep_count, rep_start;
	u64 in_len, out_len;	/* set by hc_input_check_format */
};

void hc_input_decode(struct hc_input *in, u64 control, u64 in_gpa, u64 out_gpa);
/* HV_STATUS_INVALID_HYPERCALL_INPUT for reserved bits, a variable header
 * the call does not take, rep fields that do not fit the call, or a fast
 * call it does not allow; else success with in_len and out_len set. */
u16 hc_input_check_format(struct hc_input *in, const struct hc_shape *shape);
/* Parameter blocks: 8-byte aligned (INVALID_ALIGNMENT) and within one
 * page (INVALID_PARAMETER). */
u16 hc_input_check_blocks(const struct hc_input *in);

#endif
