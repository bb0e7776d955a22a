/* libFuzzer target for the MMIO instruction decoder. The input is the
 * fetched instruction bytes, decoded in each mode; libFuzzer hands over an
 * exactly sized heap buffer, so ASan reports any read past n. Beyond memory
 * safety it checks that a result is in range and self-consistent, that it
 * depends only on its own len bytes (decoding exactly those, in an exactly
 * sized copy, gives the same; one byte fewer is truncated), and that load
 * and store touch only the bits the operand sizes allow. */
#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mmio_insn.h"

static bool power_of_two_size(unsigned size)
{
	return size == 1 || size == 2 || size == 4 || size == 8;
}

static uint64_t mask(unsigned size)
{
	return size >= 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
}

static bool same(const struct mmio_insn *a, const struct mmio_insn *b)
{
	return a->len == b->len && a->size == b->size && a->write == b->write &&
	       a->has_imm == b->has_imm && a->imm == b->imm && a->reg == b->reg &&
	       a->high_byte == b->high_byte && a->reg_size == b->reg_size &&
	       a->sign_extend == b->sign_extend;
}

static void check_result(const struct mmio_insn *d, size_t n)
{
	assert(d->len >= 1 && d->len <= n && d->len <= MMIO_INSN_MAX_LEN);
	assert(power_of_two_size(d->size));
	assert(d->reg < 16);
	if (d->has_imm) {
		assert(d->write && d->reg_size == 0 && !d->high_byte && d->reg == 0);
		assert(d->size == 8 || d->imm <= mask(d->size));
	} else {
		assert(power_of_two_size(d->reg_size));
		/* Only MOVZX/MOVSX widen, and only reads do. */
		assert(d->reg_size >= d->size);
		assert(d->reg_size == d->size || !d->write);
	}
	assert(!d->sign_extend || !d->write);
	assert(!d->high_byte || (d->reg >= 4 && d->reg < 8 && d->reg_size == 1));
}

/* Load and store keep to the operand sizes whatever the values. */
static void check_semantics(const struct mmio_insn *d, uint64_t old, uint64_t value)
{
	uint64_t got = mmio_insn_load(d, old, value), keep;

	assert(mmio_insn_store_value(d, old) <= mask(d->size));
	if (d->has_imm)
		return;
	switch (d->reg_size) {
	case 1:
		keep = d->high_byte ? ~0xff00ULL : ~0xffULL;
		break;
	case 2:
		keep = ~0xffffULL;
		break;
	case 4: /* bits 63:32 are zeroed */
		assert(got >> 32 == 0);
		keep = 0;
		break;
	default:
		keep = 0;
	}
	assert((got & keep) == (old & keep));
	/* The loaded data is the value's low size bytes, extended. */
	if (!d->sign_extend && !d->high_byte)
		assert((got & mask(d->reg_size)) == (value & mask(d->size)));
	if (d->high_byte)
		assert(((got >> 8) & 0xff) == (value & 0xff));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum mmio_insn_mode modes[] = {MMIO_INSN_16, MMIO_INSN_32, MMIO_INSN_64};
	struct mmio_insn d, again;
	uint64_t old = 0, value = 0;
	uint8_t *copy;
	size_t m;
	int ret;

	/* Register and memory values for the semantics checks: the bytes after
	 * a 16-byte fetch, where the decoder never looks. */
	if (size > 16)
		memcpy(&old, data + 16, size - 16 < 8 ? size - 16 : 8);
	if (size > 24)
		memcpy(&value, data + 24, size - 24 < 8 ? size - 24 : 8);

	for (m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		ret = mmio_insn_decode(data, size, modes[m], &d);
		assert(ret <= 0 && ret >= MMIO_INSN_ERR_NO_MEMORY);
		if (ret)
			continue;
		check_result(&d, size);
		check_semantics(&d, old, value);

		copy = malloc(d.len);
		if (!copy)
			abort();
		memcpy(copy, data, d.len);
		assert(mmio_insn_decode(copy, d.len, modes[m], &again) == 0);
		assert(same(&d, &again));
		assert(mmio_insn_decode(copy, d.len - 1u, modes[m], &again) ==
		       MMIO_INSN_ERR_TRUNCATED);
		free(copy);
	}
	return 0;
}
