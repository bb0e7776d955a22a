/*
 * The fuzzer's input as a stream the harnesses draw from, front to back.
 * Past the end every byte reads as 0, so a harness never checks for a short
 * input in the middle of building something; it stops at its loop's top
 * once in.left is 0. Multi-byte values are little-endian.
 */
#ifndef SEPTUM_FUZZ_INPUT_H
#define SEPTUM_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct input {
	const uint8_t *p;
	size_t left;
};

static inline uint8_t take(struct input *in)
{
	if (!in->left)
		return 0;
	in->left--;
	return *in->p++;
}

static inline uint16_t take16(struct input *in)
{
	uint16_t lo = take(in);

	return (uint16_t)(lo | take(in) << 8);
}

static inline uint32_t take32(struct input *in)
{
	uint32_t lo = take16(in);

	return lo | (uint32_t)take16(in) << 16;
}

static inline uint64_t take64(struct input *in)
{
	uint64_t lo = take32(in);

	return lo | (uint64_t)take32(in) << 32;
}

/* A length from two bytes, at most max, then that many bytes into dst
 * (fewer if the input ends first); returns how many it copied. */
static inline uint32_t take_bytes(struct input *in, void *dst, uint32_t max)
{
	uint32_t len = take16(in) % (max + 1);

	if (len > in->left)
		len = (uint32_t)in->left;
	memcpy(dst, in->p, len);
	in->p += len;
	in->left -= len;
	return len;
}

#endif
