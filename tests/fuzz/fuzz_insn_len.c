/* libFuzzer target for insn_len(). libFuzzer hands over an exactly sized heap
 * buffer, so ASan reports any read past `avail`. Beyond memory safety it
 * checks that results are in range, that a found length depends only on
 * that many bytes, and that no byte string is an instance of two kinds. */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>

#include "insn_len.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum insn_mode modes[] = {INSN_MODE_16, INSN_MODE_32, INSN_MODE_64};
	size_t m;
	int k;

	for (m = 0; m < ARRAY_SIZE(modes); m++) {
		int matched = 0;

		for (k = 0; k < INSN_NR_KINDS; k++) {
			int len = insn_len(data, size, modes[m], k);

			assert(len >= INSN_ERR_TOO_LONG && len <= INSN_MAX_LEN && len != 0);
			if (len < 0)
				continue;
			assert((size_t)len <= size);
			assert(insn_len(data, len, modes[m], k) == len);
			assert(insn_len(data, len - 1, modes[m], k) == INSN_ERR_TRUNCATED);
			matched++;
		}
		assert(matched <= 1);
	}
	return 0;
}
