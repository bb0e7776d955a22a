/* libFuzzer target: the hypercall input checks against every call shape. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hc_input.h"
#include "hv/status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hc_shape shape;
	struct hc_input in;
	u64 regs[3];
	u16 status;

	if (size < sizeof(shape) + sizeof(regs))
		return 0;
	memcpy(&shape, data, sizeof(shape));
	memcpy(regs, data + sizeof(shape), sizeof(regs));
	hc_input_decode(&in, regs[0], regs[1], regs[2]);
	status = hc_input_check_format(&in, &shape);
	if (status == HV_STATUS_SUCCESS)
		status = hc_input_check_blocks(&in);
	if (status == HV_STATUS_SUCCESS && !in.fast) {
		/* What passed must be safe to copy through one page each. */
		if (in.in_len > 4096 - (in.in_gpa & 4095) || in.out_len > 4096 - (in.out_gpa & 4095))
			abort();
		if ((in.in_len && (in.in_gpa & 7)) || (in.out_len && (in.out_gpa & 7)))
			abort();
	}
	if (status == HV_STATUS_SUCCESS && in.fast && (in.in_len > 16 || in.out_len))
		abort();
	if (status == HV_STATUS_SUCCESS && (shape.flags & HC_REP) && in.rep_start >= in.rep_count)
		abort();
	return 0;
}
