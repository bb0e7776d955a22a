/* AML writer: see aml.h. Section numbers are ACPI 6.5. */
#include "aml.h"

#include <string.h>

/* Opcodes (§20.3) */
#define ZERO_OP		  0x00
#define ONE_OP		  0x01
#define NAME_OP		  0x08
#define BYTE_PREFIX	  0x0A
#define WORD_PREFIX	  0x0B
#define DWORD_PREFIX	  0x0C
#define STRING_PREFIX	  0x0D
#define QWORD_PREFIX	  0x0E
#define SCOPE_OP	  0x10
#define BUFFER_OP	  0x11
#define PACKAGE_OP	  0x12
#define METHOD_OP	  0x14
#define DUAL_NAME_PREFIX  0x2E
#define MULTI_NAME_PREFIX 0x2F
#define EXT_OP_PREFIX	  0x5B
#define DEVICE_OP	  0x82 /* after EXT_OP_PREFIX */
#define RETURN_OP	  0xA4
#define ONES_OP		  0xFF

/* Resource descriptor tags (§6.4.2, §6.4.3) */
#define RES_IRQ		0x22	/* small item 4, 2 bytes */
#define RES_IO		0x47
#define RES_END_TAG	0x79
#define RES_DWORD_SPACE 0x87
#define RES_QWORD_SPACE 0x8A

/* Address space descriptor fields (§6.4.3.5.1) */
#define SPACE_MEMORY   0
#define GEN_CONSUMER   (1u << 0)
#define GEN_MIN_FIXED  (1u << 2)
#define GEN_MAX_FIXED  (1u << 3)
#define MEM_READ_WRITE (1u << 0) /* _MEM (bits 2:1) 0 = NonCacheable */

void aml_init(struct aml *a, void *buf, size_t cap)
{
	memset(a, 0, sizeof(*a));
	a->buf = buf;
	a->cap = cap;
}

enum aml_err aml_finish(struct aml *a)
{
	if (!a->err && a->depth)
		a->err = AML_ENEST;
	return a->err;
}

static void fail(struct aml *a, enum aml_err err)
{
	if (!a->err)
		a->err = err;
}

static void put(struct aml *a, const void *p, size_t n)
{
	if (a->err || !n)
		return;
	if (n > a->cap - a->len) {
		fail(a, AML_ENOSPC);
		return;
	}
	memcpy(a->buf + a->len, p, n);
	a->len += n;
}

static void put8(struct aml *a, uint8_t v)
{
	put(a, &v, 1);
}

/* Inserts p[0, n) at a->buf[at], moving what follows up. */
static void insert(struct aml *a, size_t at, const void *p, size_t n)
{
	if (a->err)
		return;
	if (n > a->cap - a->len) {
		fail(a, AML_ENOSPC);
		return;
	}
	memmove(a->buf + at + n, a->buf + at, a->len - at);
	memcpy(a->buf + at, p, n);
	a->len += n;
}

static void le(uint8_t *p, uint64_t v, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* AML terms may not go inside a resource template, whose bytes are
 * descriptors; false (and an error) when a term cannot be written now. */
static bool term_ok(struct aml *a)
{
	if (a->err)
		return false;
	if (a->depth && a->open[a->depth - 1].res) {
		fail(a, AML_ENEST);
		return false;
	}
	return true;
}

static bool res_ok(struct aml *a)
{
	if (a->err)
		return false;
	if (!a->depth || !a->open[a->depth - 1].res) {
		fail(a, AML_ENEST);
		return false;
	}
	return true;
}

static void open_pkg(struct aml *a, bool res)
{
	if (a->err)
		return;
	if (a->depth == AML_MAX_DEPTH) {
		fail(a, AML_ENEST);
		return;
	}
	a->open[a->depth].at = a->len;
	a->open[a->depth].res = res;
	a->depth++;
}

/* §20.2.4: one byte holds up to 63; otherwise bits 7:6 of the lead byte
 * count the bytes that follow, its bits 3:0 are the low nibble and each
 * following byte 8 more bits. The value includes the PkgLength itself. */
unsigned int aml_pkglen(size_t content, uint8_t out[4])
{
	size_t v;
	unsigned int n;

	if (content <= 0x3F - 1) {
		out[0] = (uint8_t)(content + 1);
		return 1;
	}
	if (content <= 0xFFF - 2)
		n = 2;
	else if (content <= 0xFFFFF - 3)
		n = 3;
	else if (content <= AML_PKGLEN_MAX_CONTENT)
		n = 4;
	else
		return 0;
	v = content + n;
	out[0] = (uint8_t)(((n - 1) << 6) | (v & 0xF));
	for (unsigned int i = 1; i < n; i++)
		out[i] = (uint8_t)(v >> (4 + 8 * (i - 1)));
	return n;
}

static bool lead_char(char c)
{
	return (c >= 'A' && c <= 'Z') || c == '_';
}

static bool name_char(char c)
{
	return lead_char(c) || (c >= '0' && c <= '9');
}

/* Counts the NameSegs of path (after its prefix), 0 for NullName, or -1
 * when path is no NameString. */
static int count_segs(const char *path)
{
	unsigned int seglen = 0;
	int nseg = 0;

	if (!*path)
		return 0;
	for (const char *p = path;; p++) {
		if (*p == '.' || !*p) {
			if (!seglen || nseg == 255)
				return -1;
			nseg++;
			seglen = 0;
			if (!*p)
				return nseg;
			continue;
		}
		if (seglen == 4 || !(seglen ? name_char(*p) : lead_char(*p)))
			return -1;
		seglen++;
	}
}

void aml_namestring(struct aml *a, const char *path)
{
	const char *p = path;
	int nseg;

	if (!term_ok(a))
		return;
	if (*p == '\\')
		p++;
	else
		while (*p == '^')
			p++;
	nseg = count_segs(p);
	/* A bare "" is no name; "\" and "^" are (NullName after the prefix). */
	if (nseg < 0 || (p == path && !nseg)) {
		fail(a, AML_EINVAL);
		return;
	}
	put(a, path, (size_t)(p - path));
	if (!nseg)
		put8(a, ZERO_OP);
	else if (nseg == 2)
		put8(a, DUAL_NAME_PREFIX);
	else if (nseg > 2) {
		uint8_t hdr[2] = {MULTI_NAME_PREFIX, (uint8_t)nseg};

		put(a, hdr, sizeof(hdr));
	}
	while (nseg--) {
		uint8_t seg[4] = {'_', '_', '_', '_'};

		for (unsigned int i = 0; *p && *p != '.'; i++)
			seg[i] = (uint8_t)*p++;
		if (*p == '.')
			p++;
		put(a, seg, sizeof(seg));
	}
}

/* Encodes v as iasl would (integer optimisation on, 64-bit table). */
static unsigned int encode_int(uint64_t v, uint8_t out[9])
{
	unsigned int n;

	if (v == 0 || v == 1) {
		out[0] = v ? ONE_OP : ZERO_OP;
		return 1;
	}
	if (v == UINT64_MAX) {
		out[0] = ONES_OP;
		return 1;
	}
	if (v <= 0xFF) {
		out[0] = BYTE_PREFIX;
		n = 1;
	} else if (v <= 0xFFFF) {
		out[0] = WORD_PREFIX;
		n = 2;
	} else if (v <= 0xFFFFFFFF) {
		out[0] = DWORD_PREFIX;
		n = 4;
	} else {
		out[0] = QWORD_PREFIX;
		n = 8;
	}
	le(out + 1, v, n);
	return n + 1;
}

void aml_integer(struct aml *a, uint64_t v)
{
	uint8_t b[9];

	if (!term_ok(a))
		return;
	put(a, b, encode_int(v, b));
}

void aml_string(struct aml *a, const char *s)
{
	for (const char *p = s; *p; p++) {
		if ((unsigned char)*p > 0x7F) {
			fail(a, AML_EINVAL);
			return;
		}
	}
	if (!term_ok(a))
		return;
	put8(a, STRING_PREFIX);
	put(a, s, strlen(s) + 1);
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* §6.1.5: three letters of 5 bits each ('A' = 1) and four hex digits,
 * stored most significant byte first. */
void aml_eisaid(struct aml *a, const char *id)
{
	uint32_t v = 0;

	if (strlen(id) != 7) {
		fail(a, AML_EINVAL);
		return;
	}
	for (unsigned int i = 0; i < 3; i++) {
		if (id[i] < 'A' || id[i] > 'Z') {
			fail(a, AML_EINVAL);
			return;
		}
		v = v << 5 | (uint32_t)(id[i] - 'A' + 1);
	}
	for (unsigned int i = 3; i < 7; i++) {
		int d = hex_digit(id[i]);

		if (d < 0) {
			fail(a, AML_EINVAL);
			return;
		}
		v = v << 4 | (uint32_t)d;
	}
	v = v >> 24 | (v >> 8 & 0xFF00) | (v << 8 & 0xFF0000) | v << 24;
	aml_integer(a, v);
}

void aml_name(struct aml *a, const char *name)
{
	if (!term_ok(a))
		return;
	put8(a, NAME_OP);
	aml_namestring(a, name);
}

void aml_name_int(struct aml *a, const char *name, uint64_t v)
{
	aml_name(a, name);
	aml_integer(a, v);
}

void aml_name_str(struct aml *a, const char *name, const char *s)
{
	aml_name(a, name);
	aml_string(a, s);
}

void aml_scope_begin(struct aml *a, const char *path)
{
	if (!term_ok(a))
		return;
	put8(a, SCOPE_OP);
	open_pkg(a, false);
	aml_namestring(a, path);
}

void aml_device_begin(struct aml *a, const char *name)
{
	static const uint8_t op[2] = {EXT_OP_PREFIX, DEVICE_OP};

	if (!term_ok(a))
		return;
	put(a, op, sizeof(op));
	open_pkg(a, false);
	aml_namestring(a, name);
}

void aml_method_begin(struct aml *a, const char *name, unsigned int nargs)
{
	if (nargs > 7) {
		fail(a, AML_EINVAL);
		return;
	}
	if (!term_ok(a))
		return;
	put8(a, METHOD_OP);
	open_pkg(a, false);
	aml_namestring(a, name);
	/* MethodFlags: ArgCount 2:0, NotSerialized, SyncLevel 0 */
	put8(a, (uint8_t)nargs);
}

void aml_return(struct aml *a)
{
	if (!term_ok(a))
		return;
	put8(a, RETURN_OP);
}

void aml_package_begin(struct aml *a, unsigned int nelem)
{
	if (nelem > 255) {
		fail(a, AML_EINVAL);
		return;
	}
	if (!term_ok(a))
		return;
	put8(a, PACKAGE_OP);
	open_pkg(a, false);
	put8(a, (uint8_t)nelem);
}

void aml_restemplate_begin(struct aml *a)
{
	if (!term_ok(a))
		return;
	put8(a, BUFFER_OP);
	open_pkg(a, true);
}

void aml_end(struct aml *a)
{
	uint8_t hdr[4 + 9];
	unsigned int n, m = 0;
	size_t at;

	if (a->err)
		return;
	if (!a->depth) {
		fail(a, AML_ENEST);
		return;
	}
	a->depth--;
	at = a->open[a->depth].at;
	if (a->open[a->depth].res) {
		static const uint8_t end_tag[2] = {RES_END_TAG, 0};
		uint8_t size[9];

		put(a, end_tag, sizeof(end_tag));
		if (a->err)
			return;
		/* DefBuffer: PkgLength BufferSize ByteList (§20.2.5.4) */
		m = encode_int(a->len - at, size);
		if (a->len - at > AML_PKGLEN_MAX_CONTENT - m) {
			fail(a, AML_EINVAL);
			return;
		}
		n = aml_pkglen(a->len - at + m, hdr);
		memcpy(hdr + n, size, m);
	} else {
		n = aml_pkglen(a->len - at, hdr);
		if (!n) {
			fail(a, AML_EINVAL);
			return;
		}
	}
	insert(a, at, hdr, n + m);
}

void aml_res_io(struct aml *a, uint16_t min, uint16_t max, uint8_t align, uint8_t len)
{
	uint8_t d[8] = {RES_IO, 1 /* 16-bit decode */};

	if (min > max) {
		fail(a, AML_EINVAL);
		return;
	}
	if (!res_ok(a))
		return;
	le(d + 2, min, 2);
	le(d + 4, max, 2);
	d[6] = align;
	d[7] = len;
	put(a, d, sizeof(d));
}

void aml_res_irq(struct aml *a, uint16_t mask)
{
	uint8_t d[3] = {RES_IRQ};

	if (!res_ok(a))
		return;
	le(d + 1, mask, 2);
	put(a, d, sizeof(d));
}

/* Both sizes share one layout: tag, 16-bit length, type, general flags,
 * type flags, then granularity, min, max, translation, length of w bytes. */
static void res_space(struct aml *a, uint8_t tag, unsigned int w, bool producer, uint64_t min,
		      uint64_t len)
{
	uint8_t d[6 + 5 * 8] = {tag};

	if (!len || len - 1 > (w == 4 ? UINT32_MAX : UINT64_MAX) - min) {
		fail(a, AML_EINVAL);
		return;
	}
	if (!res_ok(a))
		return;
	le(d + 1, 3 + 5 * w, 2);
	d[3] = SPACE_MEMORY;
	d[4] = GEN_MIN_FIXED | GEN_MAX_FIXED | (producer ? 0 : GEN_CONSUMER);
	d[5] = MEM_READ_WRITE;
	le(d + 6 + 1 * w, min, w);
	le(d + 6 + 2 * w, min + len - 1, w);
	le(d + 6 + 4 * w, len, w);
	put(a, d, 6 + 5 * w);
}

void aml_res_dword_memory(struct aml *a, bool producer, uint32_t min, uint32_t len)
{
	res_space(a, RES_DWORD_SPACE, 4, producer, min, len);
}

void aml_res_qword_memory(struct aml *a, bool producer, uint64_t min, uint64_t len)
{
	res_space(a, RES_QWORD_SPACE, 8, producer, min, len);
}
