/* libFuzzer target for the VMWP's AML writer. The input is a program of
 * writer calls (scopes, devices, methods, packages, resource templates and
 * their ends; names, integers, strings, EISA ids, descriptors), its first
 * bytes a capacity and whether to close what is left open. The program
 * runs twice: into a roomy buffer and into an exact-size heap chunk of that
 * capacity, so ASan catches any write past it. Checked:
 * - the small run fails with AML_ENOSPC exactly when the roomy run's
 *   output (complete or up to its first error) does not fit; otherwise it
 *   ends with the same error and bytes;
 * - len never passes cap, nothing is left open after a clean finish;
 * - a clean output reads back: every PkgLength is the shortest encoding
 *   and its object ends inside its parent, names are well formed, integers
 *   are as short as iasl makes them, and each resource template is a chain
 *   of whole descriptors ending in an EndTag, as long as its BufferSize. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aml.h"

#define ROOMY (1u << 20)

struct input {
	const uint8_t *p;
	size_t n;
};

static uint8_t next(struct input *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

static const char name_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789..\\^^a-";

static void make_name(struct input *in, char *s)
{
	unsigned int len = next(in) % 16;

	for (unsigned int i = 0; i < len; i++)
		s[i] = name_chars[next(in) % (sizeof(name_chars) - 1)];
	s[len] = '\0';
}

static uint64_t make_int(struct input *in)
{
	unsigned int n = next(in) % 9;
	uint64_t v = 0;

	for (unsigned int i = 0; i < n; i++)
		v |= (uint64_t)next(in) << (8 * i);
	return v;
}

static void make_string(struct input *in, char *s)
{
	unsigned int len = next(in) % 64;

	for (unsigned int i = 0; i < len; i++)
		s[i] = (char)(next(in) | 1);
	s[len] = '\0';
}

static void make_eisaid(struct input *in, char *s)
{
	static const char chars[] = "PNPACZ@[0159AFGa";
	unsigned int len = next(in) % 16 ? 7 : next(in) % 9;

	for (unsigned int i = 0; i < len; i++)
		s[i] = chars[next(in) % (sizeof(chars) - 1)];
	s[len] = '\0';
}

/* Runs the program in *in (a copy: both runs read the same) into a. */
static void run(struct aml *a, struct input in, bool close)
{
	char s[80];

	while (in.n) {
		switch (next(&in) % 16) {
		case 0:
			make_name(&in, s);
			aml_scope_begin(a, s);
			break;
		case 1:
			make_name(&in, s);
			aml_device_begin(a, s);
			break;
		case 2:
			make_name(&in, s);
			aml_method_begin(a, s, next(&in) % 9);
			break;
		case 3: {
			unsigned int nelem = next(&in);

			aml_package_begin(a, nelem + (next(&in) == 0xFF ? 256u : 0u));
			break;
		}
		case 4:
			aml_restemplate_begin(a);
			break;
		case 5:
			aml_end(a);
			break;
		case 6:
			make_name(&in, s);
			aml_name_int(a, s, make_int(&in));
			break;
		case 7: {
			char v[80];

			make_name(&in, s);
			make_string(&in, v);
			aml_name_str(a, s, v);
			break;
		}
		case 8:
			make_eisaid(&in, s);
			aml_eisaid(a, s);
			break;
		case 9:
			aml_integer(a, make_int(&in));
			break;
		case 10:
			make_string(&in, s);
			aml_string(a, s);
			break;
		case 11:
			aml_return(a);
			break;
		case 12: {
			uint16_t min = (uint16_t)make_int(&in), max = (uint16_t)make_int(&in);

			aml_res_io(a, min, max, next(&in), next(&in));
			break;
		}
		case 13: {
			bool producer = next(&in) & 1;
			uint32_t min = (uint32_t)make_int(&in);

			aml_res_dword_memory(a, producer, min, (uint32_t)make_int(&in));
			break;
		}
		case 14: {
			bool producer = next(&in) & 1;
			uint64_t min = make_int(&in);

			aml_res_qword_memory(a, producer, min, make_int(&in));
			break;
		}
		case 15:
			make_name(&in, s);
			aml_namestring(a, s);
			break;
		}
	}
	while (close && a->depth && !a->err)
		aml_end(a);
}

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz_aml: %s:%d: %s\n", __FILE__, __LINE__, #cond);       \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/* ---- reading the output back ---- */

static uint64_t le(const uint8_t *p, unsigned int n)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/* A PkgLength at p (n bytes left): its content length after it, checked
 * to be the shortest encoding and to fit; *used = its own size. */
static size_t pkglen(const uint8_t *p, size_t n, unsigned int *used)
{
	static const size_t max[4] = {0x3F, 0xFFF, 0xFFFFF, 0xFFFFFFF};
	unsigned int follow;
	size_t v;

	CHECK(n >= 1);
	follow = p[0] >> 6;
	CHECK(n >= 1 + follow);
	if (!follow) {
		v = p[0] & 0x3F;
	} else {
		CHECK(!(p[0] & 0x30));
		v = p[0] & 0x0F;
		for (unsigned int i = 0; i < follow; i++)
			v |= (size_t)p[1 + i] << (4 + 8 * i);
		CHECK(v > max[follow - 1]); /* shortest */
	}
	*used = follow + 1;
	CHECK(v >= *used && v - *used <= n - *used);
	return v - *used;
}

static bool lead_char(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') || c == '_';
}

static bool name_start(uint8_t c)
{
	return lead_char(c) || c == '\\' || c == '^' || c == 0x2E || c == 0x2F;
}

static size_t nameseg(const uint8_t *p, size_t n)
{
	CHECK(n >= 4 && lead_char(p[0]));
	for (int i = 1; i < 4; i++)
		CHECK(lead_char(p[i]) || (p[i] >= '0' && p[i] <= '9'));
	return 4;
}

static size_t namestring(const uint8_t *p, size_t n)
{
	size_t i = 0, segs;

	if (n && p[0] == '\\')
		i = 1;
	else
		while (i < n && p[i] == '^')
			i++;
	CHECK(i < n);
	if (p[i] == 0x00)
		return i + 1;
	if (p[i] == 0x2E) {
		segs = 2;
		i++;
	} else if (p[i] == 0x2F) {
		CHECK(i + 1 < n && p[i + 1] >= 3);
		segs = p[i + 1];
		i += 2;
	} else {
		segs = 1;
	}
	while (segs--)
		i += nameseg(p + i, n - i);
	return i;
}

/* A resource template's descriptors: p[0, n) ends with the EndTag. */
static void descriptors(const uint8_t *p, size_t n)
{
	size_t i = 0;

	for (;;) {
		CHECK(i < n);
		switch (p[i]) {
		case 0x79:
			CHECK(i + 2 == n && p[i + 1] == 0);
			return;
		case 0x47:
			CHECK(n - i >= 8 && p[i + 1] == 1 && le(p + i + 2, 2) <= le(p + i + 4, 2));
			i += 8;
			break;
		case 0x87:
		case 0x8A: {
			unsigned int w = p[i] == 0x87 ? 4 : 8;
			uint64_t min, max, len;

			CHECK(n - i >= 6 + 5 * w && le(p + i + 1, 2) == 3 + 5 * w);
			CHECK(p[i + 3] == 0 && (p[i + 4] & ~1u) == 0x0C && p[i + 5] == 1);
			min = le(p + i + 6 + w, w);
			max = le(p + i + 6 + 2 * w, w);
			len = le(p + i + 6 + 4 * w, w);
			CHECK(len && max >= min && max - min == len - 1);
			CHECK(!le(p + i + 6, w) && !le(p + i + 6 + 3 * w, w));
			i += 6 + 5 * w;
			break;
		}
		default:
			CHECK(!"unknown descriptor");
		}
	}
}

/* An integer token at p; returns its size and its value in *v. */
static size_t integer(const uint8_t *p, size_t n, uint64_t *v)
{
	static const unsigned int width[] = {[0x0A] = 1, [0x0B] = 2, [0x0C] = 4, [0x0E] = 8};
	unsigned int w;

	CHECK(n >= 1);
	if (p[0] == 0x00 || p[0] == 0x01 || p[0] == 0xFF) {
		*v = p[0] == 0xFF ? UINT64_MAX : p[0];
		return 1;
	}
	CHECK(p[0] >= 0x0A && p[0] <= 0x0E && p[0] != 0x0D);
	w = width[p[0]];
	CHECK(n >= 1 + w);
	*v = le(p + 1, w);
	/* as short as iasl makes it */
	CHECK(*v > 1 && *v != UINT64_MAX && (w == 1 || *v >> (4 * w) != 0));
	return 1 + w;
}

/* The terms in p[0, n), which must end exactly at n. */
static void terms(const uint8_t *p, size_t n)
{
	size_t i = 0;

	while (i < n) {
		uint8_t op = p[i];
		unsigned int used;
		size_t len, at;
		uint64_t v;

		if (name_start(op)) {
			i += namestring(p + i, n - i);
			continue;
		}
		switch (op) {
		case 0x00:
		case 0x01:
		case 0xFF:
		case 0x0A:
		case 0x0B:
		case 0x0C:
		case 0x0E:
			i += integer(p + i, n - i, &v);
			break;
		case 0x0D:
			for (i++; i < n && p[i]; i++)
				CHECK(p[i] <= 0x7F);
			CHECK(i < n);
			i++;
			break;
		case 0x08:
			i++;
			i += namestring(p + i, n - i);
			break;
		case 0xA4:
			i++;
			break;
		case 0x10: /* Scope: PkgLength NameString TermList */
		case 0x14: /* Method: PkgLength NameString MethodFlags TermList */
			len = pkglen(p + i + 1, n - i - 1, &used);
			at = i + 1 + used;
			i = at + len;
			at += namestring(p + at, i - at);
			if (op == 0x14) {
				CHECK(at < i && p[at] <= 7);
				at++;
			}
			terms(p + at, i - at);
			break;
		case 0x12: /* Package: PkgLength NumElements PackageElementList */
			len = pkglen(p + i + 1, n - i - 1, &used);
			at = i + 1 + used;
			i = at + len;
			CHECK(at < i);
			terms(p + at + 1, i - at - 1);
			break;
		case 0x11: /* Buffer: PkgLength BufferSize ByteList */
			len = pkglen(p + i + 1, n - i - 1, &used);
			at = i + 1 + used;
			i = at + len;
			at += integer(p + at, i - at, &v);
			CHECK(at <= i && v == i - at);
			descriptors(p + at, i - at);
			break;
		case 0x5B: /* Device: 5B 82 PkgLength NameString TermList */
			CHECK(n - i >= 2 && p[i + 1] == 0x82);
			len = pkglen(p + i + 2, n - i - 2, &used);
			at = i + 2 + used;
			i = at + len;
			at += namestring(p + at, i - at);
			terms(p + at, i - at);
			break;
		default:
			CHECK(!"unknown opcode");
		}
	}
	CHECK(i == n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t roomy[ROOMY];
	struct input in = {data, size};
	struct aml big, small;
	enum aml_err big_err, small_err;
	size_t cap;
	bool close;
	uint8_t *buf;

	cap = next(&in) | (size_t)(next(&in) & 0x07) << 8;
	close = next(&in) & 1;

	aml_init(&big, roomy, sizeof(roomy));
	run(&big, in, close);
	big_err = aml_finish(&big);
	CHECK(big.len <= big.cap && big.depth <= AML_MAX_DEPTH);

	buf = malloc(cap);
	CHECK(buf || !cap);
	aml_init(&small, buf, cap);
	run(&small, in, close);
	small_err = aml_finish(&small);
	CHECK(small.len <= small.cap);

	/* Lengths only grow, so the small run runs out of room exactly when the
	 * roomy one ever needed more than cap; otherwise it is the same run. */
	if (big_err == AML_ENOSPC || big.len > cap) {
		CHECK(small_err == AML_ENOSPC);
	} else {
		CHECK(small_err == big_err && small.len == big.len);
		CHECK(!memcmp(buf, roomy, big.len));
	}
	if (big_err == AML_OK) {
		CHECK(!big.depth);
		terms(roomy, big.len);
	}
	free(buf);
	return 0;
}
