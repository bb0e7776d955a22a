/* Unit tests for the VMWP's AML writer and the child's ACPI tables. The
 * encoders are checked against bytes taken from the ACPI 6.5 grammar and
 * from iasl's output; the tables against the spec's offsets, then handed
 * to ACPICA's own tools (Debian's acpica-tools, as Linux runs ACPICA):
 * iasl -d must decode them, iasl must compile reference ASL to the same
 * AML, and acpiexec must load and evaluate the DSDT. A missing tool is a
 * failure, never a skip. Buffers are exact-size heap chunks where a test
 * is about bounds, so ASan catches a write past them. */
#include "unit.h"

#include <stdbool.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "acpi_tables.h"
#include "aml.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

/* Why the current test failed, for the FAIL line printed by main(). */
static char reason[512];

static void expect_eq(int line, const char *what, uint64_t got, uint64_t want)
{
	if (got == want)
		return;
	snprintf(reason, sizeof(reason), "line %d: %s is 0x%llx, want 0x%llx", line, what,
		 (unsigned long long)got, (unsigned long long)want);
	fail_msg("%s", reason);
}

#define EXPECT_EQ(got, want) expect_eq(__LINE__, #got, (uint64_t)(got), (uint64_t)(want))

static void hex(char *out, size_t size, const uint8_t *p, size_t n)
{
	size_t at = 0;

	out[0] = '\0';
	for (size_t i = 0; i < n && at + 4 < size; i++)
		at += (size_t)snprintf(out + at, size - at, "%02X ", p[i]);
}

static void expect_mem(int line, const char *what, const uint8_t *got, size_t got_len,
		       const uint8_t *want, size_t want_len)
{
	char g[160], w[160];

	if (got_len == want_len && !memcmp(got, want, want_len))
		return;
	hex(g, sizeof(g), got, got_len);
	hex(w, sizeof(w), want, want_len);
	snprintf(reason, sizeof(reason), "line %d: %s is [%s] (%zu bytes), want [%s] (%zu)", line,
		 what, g, got_len, w, want_len);
	fail_msg("%s", reason);
}

#define EXPECT_MEM(got, got_len, ...)                                                              \
	do {                                                                                       \
		static const uint8_t want_[] = {__VA_ARGS__};                                      \
		expect_mem(__LINE__, #got, got, got_len, want_, sizeof(want_));                    \
	} while (0)

static void fail_because(int line, const char *fmt, const char *arg)
{
	int n = snprintf(reason, sizeof(reason), "line %d: ", line);

	snprintf(reason + n, sizeof(reason) - (size_t)n, fmt, arg);
	fail_msg("%s", reason);
}

#define FAIL(fmt, arg) fail_because(__LINE__, fmt, arg)

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
	return get16(p) | (uint32_t)get16(p + 2) << 16;
}

static uint64_t get64(const uint8_t *p)
{
	return get32(p) | (uint64_t)get32(p + 4) << 32;
}

static uint8_t sum8(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s += *p++;
	return s;
}

/* ---- AML writer ---- */

static uint8_t abuf[256];
static struct aml A;

static struct aml *fresh(void)
{
	aml_init(&A, abuf, sizeof(abuf));
	return &A;
}

/* A's output, which must be complete and error-free, is these bytes. */
#define EXPECT_AML(...)                                                                            \
	do {                                                                                       \
		EXPECT_EQ(aml_finish(&A), AML_OK);                                                 \
		EXPECT_MEM(A.buf, A.len, __VA_ARGS__);                                             \
	} while (0)

/* Reads a PkgLength back (§20.2.4) without the writer's help. */
static size_t pkglen_decode(const uint8_t *p, unsigned int *n)
{
	unsigned int follow = p[0] >> 6;
	size_t v;

	*n = follow + 1;
	if (!follow)
		return p[0] & 0x3F;
	v = p[0] & 0x0F;
	for (unsigned int i = 0; i < follow; i++)
		v |= (size_t)p[1 + i] << (4 + 8 * i);
	return v;
}

static void test_pkglen_known_bytes(void **state)
{
	uint8_t b[4] = { 0 };

	(void)state;
	EXPECT_MEM(b, aml_pkglen(0, b), 0x01);
	EXPECT_MEM(b, aml_pkglen(62, b), 0x3F);
	EXPECT_MEM(b, aml_pkglen(63, b), 0x41, 0x04);	       /* 65 */
	EXPECT_MEM(b, aml_pkglen(0xC7, b), 0x49, 0x0C);	       /* iasl: Scope of 0xC9 */
	EXPECT_MEM(b, aml_pkglen(0xFFD, b), 0x4F, 0xFF);       /* 0xFFF */
	EXPECT_MEM(b, aml_pkglen(0xFFE, b), 0x81, 0x00, 0x01); /* 0x1001 */
	EXPECT_MEM(b, aml_pkglen(0xFFFFC, b), 0x8F, 0xFF, 0xFF);
	EXPECT_MEM(b, aml_pkglen(0xFFFFD, b), 0xC1, 0x00, 0x00, 0x01); /* 0x100001 */
	EXPECT_MEM(b, aml_pkglen(AML_PKGLEN_MAX_CONTENT, b), 0xCF, 0xFF, 0xFF, 0xFF);
	EXPECT_EQ(aml_pkglen(AML_PKGLEN_MAX_CONTENT + 1, b), 0);
}

/* The shortest encoding whose value (content plus itself) fits. */
static unsigned int pkglen_min_bytes(size_t content)
{
	static const size_t max[4] = {0x3F, 0xFFF, 0xFFFFF, 0xFFFFFFF};

	for (unsigned int n = 1; n <= 4; n++)
		if (content + n <= max[n - 1])
			return n;
	return 0;
}

static void check_pkglen(size_t content)
{
	uint8_t b[4];
	unsigned int n, dn;
	size_t v;

	n = aml_pkglen(content, b);
	if (n != pkglen_min_bytes(content)) {
		char s[32];

		snprintf(s, sizeof(s), "%zu", content);
		FAIL("PkgLength of %s content bytes is not the shortest", s);
	}
	v = pkglen_decode(b, &dn);
	if (dn != n || v != content + n || (n > 1 && (b[0] & 0x30))) {
		char s[32];

		snprintf(s, sizeof(s), "%zu", content);
		FAIL("PkgLength of %s content bytes decodes wrong", s);
	}
}

/* Every length a 1-3 byte PkgLength covers, and the 4-byte range sampled
 * (every 4093rd, plus 4096 each side of both ends). */
static void test_pkglen_every_length(void **state)
{
	(void)state;
	for (size_t c = 0; c <= 0xFFFFF + 4096; c++)
		check_pkglen(c);
	for (size_t c = 0xFFFFF; c <= AML_PKGLEN_MAX_CONTENT; c += 4093)
		check_pkglen(c);
	for (size_t c = AML_PKGLEN_MAX_CONTENT - 4096; c <= AML_PKGLEN_MAX_CONTENT; c++)
		check_pkglen(c);
}

/* A Scope whose content is "ABCD" and a string, sized for each boundary:
 * the PkgLength goes in front and the content is moved up intact. */
static void test_pkglen_inserted_in_scope(void **state)
{
	static const size_t contents[] = {6, 62, 63, 0xFFD, 0xFFE, 0xFFFFC, 0xFFFFD};
	const size_t cap = 0x100010;
	uint8_t *buf = malloc(cap), *str = malloc(cap);
	struct aml a;

	(void)state;
	assert_non_null(buf);
	assert_non_null(str);
	for (size_t i = 0; i < ARRAY_SIZE(contents); i++) {
		size_t c = contents[i], slen = c - 4 - 2;
		uint8_t want[4];
		unsigned int n = aml_pkglen(c, want);

		memset(str, 'x', slen);
		str[slen] = '\0';
		aml_init(&a, buf, cap);
		aml_scope_begin(&a, "ABCD");
		aml_string(&a, (char *)str);
		aml_end(&a);
		EXPECT_EQ(aml_finish(&a), AML_OK);
		EXPECT_EQ(a.len, 1 + n + c);
		EXPECT_EQ(buf[0], 0x10);
		expect_mem(__LINE__, "PkgLength", buf + 1, n, want, n);
		expect_mem(__LINE__, "NameSeg", buf + 1 + n, 4, (const uint8_t *)"ABCD", 4);
		EXPECT_EQ(buf[1 + n + 4], 0x0D);
		EXPECT_EQ(memcmp(buf + 1 + n + 5, str, slen + 1), 0);
	}
	free(buf);
	free(str);
}

static void test_namestring(void **state)
{
	static const char *const bad[] = {
	    "", "a", "1AB", "ABCDE", "A..B", "A.", ".A", "\\^A", "^\\A", "A^", "A-B", "\\\\A",
	};
	char many[256 * 2];
	uint8_t big[2 + 256 * 4];
	struct aml a;

	(void)state;
	aml_namestring(fresh(), "_SB");
	EXPECT_AML('_', 'S', 'B', '_');
	aml_namestring(fresh(), "COM1");
	EXPECT_AML('C', 'O', 'M', '1');
	aml_namestring(fresh(), "\\_SB");
	EXPECT_AML('\\', '_', 'S', 'B', '_');
	aml_namestring(fresh(), "\\_SB.VMOD");
	EXPECT_AML('\\', 0x2E, '_', 'S', 'B', '_', 'V', 'M', 'O', 'D');
	aml_namestring(fresh(), "A.B.C");
	EXPECT_AML(0x2F, 3, 'A', '_', '_', '_', 'B', '_', '_', '_', 'C', '_', '_', '_');
	aml_namestring(fresh(), "^^E");
	EXPECT_AML('^', '^', 'E', '_', '_', '_');
	aml_namestring(fresh(), "\\");
	EXPECT_AML('\\', 0x00);
	aml_namestring(fresh(), "^");
	EXPECT_AML('^', 0x00);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		aml_namestring(fresh(), bad[i]);
		if (A.err != AML_EINVAL || A.len)
			FAIL("name \"%s\" accepted", bad[i]);
	}
	/* 255 segments is the most a MultiNamePath counts. */
	for (int i = 0; i < 256; i++)
		memcpy(many + 2 * i, "A.", 2);
	many[2 * 255 - 1] = '\0';
	aml_init(&a, big, sizeof(big));
	aml_namestring(&a, many);
	EXPECT_EQ(aml_finish(&a), AML_OK);
	EXPECT_EQ(a.len, 2 + 255 * 4);
	EXPECT_EQ(big[1], 255);
	many[2 * 255 - 1] = '.';
	many[2 * 256 - 1] = '\0';
	aml_init(&a, big, sizeof(big));
	aml_namestring(&a, many);
	EXPECT_EQ(a.err, AML_EINVAL);
}

static void test_integer(void **state)
{
	(void)state;
	aml_integer(fresh(), 0);
	EXPECT_AML(0x00);
	aml_integer(fresh(), 1);
	EXPECT_AML(0x01);
	aml_integer(fresh(), 2);
	EXPECT_AML(0x0A, 0x02);
	aml_integer(fresh(), 0xFF);
	EXPECT_AML(0x0A, 0xFF);
	aml_integer(fresh(), 0x100);
	EXPECT_AML(0x0B, 0x00, 0x01);
	aml_integer(fresh(), 0xFFFF);
	EXPECT_AML(0x0B, 0xFF, 0xFF);
	aml_integer(fresh(), 0x10000);
	EXPECT_AML(0x0C, 0x00, 0x00, 0x01, 0x00);
	aml_integer(fresh(), 0xFFFFFFFF);
	EXPECT_AML(0x0C, 0xFF, 0xFF, 0xFF, 0xFF);
	aml_integer(fresh(), 0x100000000ULL);
	EXPECT_AML(0x0E, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00);
	aml_integer(fresh(), 0xFFFFFFFFFFFFFFFEULL);
	EXPECT_AML(0x0E, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF);
	aml_integer(fresh(), UINT64_MAX);
	EXPECT_AML(0xFF); /* Ones */
}

static void test_string(void **state)
{
	(void)state;
	aml_string(fresh(), "VMBus");
	EXPECT_AML(0x0D, 'V', 'M', 'B', 'u', 's', 0x00);
	aml_string(fresh(), "");
	EXPECT_AML(0x0D, 0x00);
	aml_string(fresh(), "caf\xc3\xa9");
	EXPECT_EQ(A.err, AML_EINVAL);
	EXPECT_EQ(A.len, 0);
}

static void test_eisaid(void **state)
{
	static const char *const bad[] = {"pnp0501", "PNP050",	"PNP05011", "PNPG501",
					  "PNP05a1", "P@P0501", ""};

	(void)state;
	aml_eisaid(fresh(), "PNP0501");
	EXPECT_AML(0x0C, 0x41, 0xD0, 0x05, 0x01);
	aml_eisaid(fresh(), "PNP0A03");
	EXPECT_AML(0x0C, 0x41, 0xD0, 0x0A, 0x03);
	/* iasl shortens this one to a WordConst too */
	aml_eisaid(fresh(), "ABC0000");
	EXPECT_AML(0x0B, 0x04, 0x43);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		aml_eisaid(fresh(), bad[i]);
		if (A.err != AML_EINVAL || A.len)
			FAIL("EISA id \"%s\" accepted", bad[i]);
	}
}

static void test_name_method_package(void **state)
{
	(void)state;
	aml_name_int(fresh(), "_UID", 0);
	EXPECT_AML(0x08, '_', 'U', 'I', 'D', 0x00);
	aml_name_str(fresh(), "_HID", "ACPI0004");
	EXPECT_AML(0x08, '_', 'H', 'I', 'D', 0x0D, 'A', 'C', 'P', 'I', '0', '0', '0', '4', 0x00);
	/* Method (_STA, 0, NotSerialized) { Return (0x0F) }, as iasl makes it */
	aml_method_begin(fresh(), "_STA", 0);
	aml_return(&A);
	aml_integer(&A, 0x0F);
	aml_end(&A);
	EXPECT_AML(0x14, 0x09, '_', 'S', 'T', 'A', 0x00, 0xA4, 0x0A, 0x0F);
	aml_method_begin(fresh(), "M", 7);
	aml_end(&A);
	EXPECT_AML(0x14, 0x06, 'M', '_', '_', '_', 0x07);
	/* Name (_S5, Package () { 0x05, Zero }) */
	aml_name(fresh(), "_S5");
	aml_package_begin(&A, 2);
	aml_integer(&A, 5);
	aml_integer(&A, 0);
	aml_end(&A);
	EXPECT_AML(0x08, '_', 'S', '5', '_', 0x12, 0x05, 0x02, 0x0A, 0x05, 0x00);
}

static void test_resource_templates(void **state)
{
	(void)state;
	/* ResourceTemplate () {}: Buffer (2) { EndTag, checksum 0 } */
	aml_restemplate_begin(fresh());
	aml_end(&A);
	EXPECT_AML(0x11, 0x05, 0x0A, 0x02, 0x79, 0x00);
	/* IO (Decode16, 0x03F8, 0x03F8, 0x01, 0x08) */
	aml_restemplate_begin(fresh());
	aml_res_io(&A, 0x3F8, 0x3F8, 1, 8);
	aml_end(&A);
	EXPECT_AML(0x11, 0x0D, 0x0A, 0x0A, 0x47, 0x01, 0xF8, 0x03, 0xF8, 0x03, 0x01, 0x08, 0x79,
		   0x00);
	/* DWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed,
	 * NonCacheable, ReadWrite, 0, 0xF8000000, 0xFEBFFFFF, 0, 0x06C00000) */
	aml_restemplate_begin(fresh());
	aml_res_dword_memory(&A, true, 0xF8000000, 0x06C00000);
	aml_end(&A);
	EXPECT_AML(0x11, 0x1F, 0x0A, 0x1C, 0x87, 0x17, 0x00, 0x00, 0x0C, 0x01, 0, 0, 0, 0, 0x00,
		   0x00, 0x00, 0xF8, 0xFF, 0xFF, 0xBF, 0xFE, 0, 0, 0, 0, 0x00, 0x00, 0xC0, 0x06,
		   0x79, 0x00);
	/* QWordMemory (ResourceConsumer, ..., 0x1000000000, len 0x1000000000) */
	aml_restemplate_begin(fresh());
	aml_res_qword_memory(&A, false, 0x1000000000ULL, 0x1000000000ULL);
	aml_end(&A);
	EXPECT_AML(0x11, 0x33, 0x0A, 0x30, 0x8A, 0x2B, 0x00, 0x00, 0x0D, 0x01, /* header */
		   0, 0, 0, 0, 0, 0, 0, 0,				       /* gran */
		   0, 0, 0, 0, 0x10, 0, 0, 0,				       /* min */
		   0xFF, 0xFF, 0xFF, 0xFF, 0x1F, 0, 0, 0,		       /* max */
		   0, 0, 0, 0, 0, 0, 0, 0,				       /* tra */
		   0, 0, 0, 0, 0x10, 0, 0, 0,				       /* len */
		   0x79, 0x00);
	/* Ranges that end exactly at the top are fine, past it not. */
	aml_restemplate_begin(fresh());
	aml_res_dword_memory(&A, true, 0xFFFFF000, 0x1000);
	aml_res_qword_memory(&A, true, 0xFFFFFFFFFFFFF000ULL, 0x1000);
	aml_end(&A);
	EXPECT_EQ(aml_finish(&A), AML_OK);
	aml_restemplate_begin(fresh());
	aml_res_dword_memory(&A, true, 0xFFFFF000, 0x1001);
	EXPECT_EQ(A.err, AML_EINVAL);
	aml_restemplate_begin(fresh());
	aml_res_qword_memory(&A, true, 0xFFFFFFFFFFFFF000ULL, 0x1001);
	EXPECT_EQ(A.err, AML_EINVAL);
	aml_restemplate_begin(fresh());
	aml_res_qword_memory(&A, true, 0x1000, 0);
	EXPECT_EQ(A.err, AML_EINVAL);
	aml_restemplate_begin(fresh());
	aml_res_io(&A, 0x3F8, 0x3F7, 1, 8);
	EXPECT_EQ(A.err, AML_EINVAL);
	/* IRQNoFlags () {4}, and {0, 15} */
	aml_restemplate_begin(fresh());
	aml_res_irq(&A, 1u << 4);
	aml_end(&A);
	EXPECT_AML(0x11, 0x08, 0x0A, 0x05, 0x22, 0x10, 0x00, 0x79, 0x00);
	aml_restemplate_begin(fresh());
	aml_res_irq(&A, 0x8001);
	aml_end(&A);
	EXPECT_AML(0x11, 0x08, 0x0A, 0x05, 0x22, 0x01, 0x80, 0x79, 0x00);
	/* Only inside a ResourceTemplate */
	aml_res_irq(fresh(), 1u << 4);
	EXPECT_EQ(A.err, AML_ENEST);
}

/* Device (COM1) in Scope (\_SB) as iasl 20200925 compiles it. */
static void com1_program(struct aml *a)
{
	aml_scope_begin(a, "\\_SB");
	aml_device_begin(a, "COM1");
	aml_name(a, "_HID");
	aml_eisaid(a, "PNP0501");
	aml_name_int(a, "_UID", 1);
	aml_name(a, "_CRS");
	aml_restemplate_begin(a);
	aml_res_io(a, 0x3F8, 0x3F8, 1, 8);
	aml_end(a);
	aml_end(a);
	aml_end(a);
}

static void test_device(void **state)
{
	(void)state;
	com1_program(fresh());
	EXPECT_AML(0x10, 0x30, 0x5C, 0x5F, 0x53, 0x42, 0x5F, 0x5B, 0x82, 0x28, 0x43, 0x4F, 0x4D,
		   0x31, 0x08, 0x5F, 0x48, 0x49, 0x44, 0x0C, 0x41, 0xD0, 0x05, 0x01, 0x08, 0x5F,
		   0x55, 0x49, 0x44, 0x01, 0x08, 0x5F, 0x43, 0x52, 0x53, 0x11, 0x0D, 0x0A, 0x0A,
		   0x47, 0x01, 0xF8, 0x03, 0xF8, 0x03, 0x01, 0x08, 0x79, 0x00);
}

/* Every capacity short of the output fails with AML_ENOSPC and writes
 * nothing past the buffer (exact-size heap chunks: ASan); enough gives the
 * same bytes. */
static void test_overflow_every_capacity(void **state)
{
	uint8_t ref[128];
	struct aml a;
	size_t need;

	(void)state;
	aml_init(&a, ref, sizeof(ref));
	com1_program(&a);
	EXPECT_EQ(aml_finish(&a), AML_OK);
	need = a.len;
	for (size_t cap = 0; cap <= need; cap++) {
		uint8_t *buf = malloc(cap ? cap : 1);

		assert_non_null(buf);
		aml_init(&a, buf, cap);
		com1_program(&a);
		if (cap < need) {
			EXPECT_EQ(aml_finish(&a), AML_ENOSPC);
			assert_true(a.len <= cap);
		} else {
			EXPECT_EQ(aml_finish(&a), AML_OK);
			expect_mem(__LINE__, "output", buf, a.len, ref, need);
		}
		free(buf);
	}
}

static void test_nesting_and_sticky_errors(void **state)
{
	size_t len;

	(void)state;
	aml_end(fresh());
	EXPECT_EQ(A.err, AML_ENEST);
	fresh();
	for (int i = 0; i < AML_MAX_DEPTH; i++)
		aml_scope_begin(&A, "S");
	EXPECT_EQ(A.err, AML_OK);
	aml_scope_begin(&A, "S");
	EXPECT_EQ(A.err, AML_ENEST);
	aml_res_io(fresh(), 0x3F8, 0x3F8, 1, 8);
	EXPECT_EQ(A.err, AML_ENEST);
	aml_restemplate_begin(fresh());
	aml_integer(&A, 1);
	EXPECT_EQ(A.err, AML_ENEST);
	aml_restemplate_begin(fresh());
	aml_device_begin(&A, "D");
	EXPECT_EQ(A.err, AML_ENEST);
	aml_device_begin(fresh(), "D");
	EXPECT_EQ(aml_finish(&A), AML_ENEST);
	aml_method_begin(fresh(), "M", 8);
	EXPECT_EQ(A.err, AML_EINVAL);
	aml_package_begin(fresh(), 256);
	EXPECT_EQ(A.err, AML_EINVAL);
	/* The first error sticks and nothing more is written. */
	aml_name(fresh(), "bad");
	len = A.len;
	aml_integer(&A, 5);
	aml_end(&A);
	aml_scope_begin(&A, "OK");
	EXPECT_EQ(A.len, len);
	EXPECT_EQ(aml_finish(&A), AML_EINVAL);
}

/* ---- ACPI tables ---- */

#define BASE 0xE0000ULL
#define MEM  0x10000

static const struct acpi_config std_cfg = {
    .nr_vps = 4,
    .mmio_low_base = 0xF8000000,
    .mmio_low_len = 0x06C00000,
    .mmio_high_base = 0x1000000000ULL,
    .mmio_high_len = 0x1000000000ULL,
    .pm_port = 0x600,
};

struct tables {
	uint8_t *mem;
	uint64_t base;
	uint8_t *rsdp, *xsdt, *fadt, *madt, *dsdt;
};

static uint8_t *at_gpa(const struct tables *t, uint64_t gpa, size_t len)
{
	if (gpa < t->base || gpa - t->base > MEM || len > MEM - (gpa - t->base)) {
		char s[32];

		snprintf(s, sizeof(s), "0x%llx", (unsigned long long)gpa);
		FAIL("table address %s outside the buffer", s);
	}
	return t->mem + (gpa - t->base);
}

/* Builds into a fresh 64 KiB buffer at base and follows the pointers. */
static void build(struct tables *t, const struct acpi_config *cfg, uint64_t base)
{
	uint64_t rsdp_gpa = 0;

	t->mem = calloc(1, MEM);
	assert_non_null(t->mem);
	t->base = base;
	EXPECT_EQ(acpi_build(t->mem, MEM, base, cfg, &rsdp_gpa), 0);
	t->rsdp = at_gpa(t, rsdp_gpa, 36);
	t->xsdt = at_gpa(t, get64(t->rsdp + 24), 52);
	t->fadt = at_gpa(t, get64(t->xsdt + 36), 276);
	t->madt = at_gpa(t, get64(t->xsdt + 44), 44);
	t->dsdt = at_gpa(t, get64(t->fadt + 140), 36);
}

static void expect_header(int line, const uint8_t *t, const char *sig, uint32_t len, uint8_t rev)
{
	char what[64];

	snprintf(what, sizeof(what), "%s signature", sig);
	expect_mem(line, what, t, 4, (const uint8_t *)sig, 4);
	snprintf(what, sizeof(what), "%s length", sig);
	expect_eq(line, what, get32(t + 4), len);
	snprintf(what, sizeof(what), "%s revision", sig);
	expect_eq(line, what, t[8], rev);
	snprintf(what, sizeof(what), "%s checksum", sig);
	expect_eq(line, what, sum8(t, len), 0);
	snprintf(what, sizeof(what), "%s OEM ID", sig);
	expect_mem(line, what, t + 10, 6, (const uint8_t *)"SEPTUM", 6);
}

static void test_rsdp_xsdt(void **state)
{
	struct tables t;

	(void)state;
	build(&t, &std_cfg, BASE);
	EXPECT_EQ(t.rsdp - t.mem, 0);
	expect_mem(__LINE__, "RSDP signature", t.rsdp, 8, (const uint8_t *)"RSD PTR ", 8);
	EXPECT_EQ(sum8(t.rsdp, 20), 0);
	EXPECT_EQ(sum8(t.rsdp, 36), 0);
	EXPECT_EQ(t.rsdp[15], 2);
	EXPECT_EQ(get32(t.rsdp + 16), 0); /* no RSDT */
	EXPECT_EQ(get32(t.rsdp + 20), 36);
	expect_mem(__LINE__, "RSDP OEM ID", t.rsdp + 9, 6, (const uint8_t *)"SEPTUM", 6);
	expect_header(__LINE__, t.xsdt, "XSDT", 52, 1);
	expect_header(__LINE__, t.fadt, "FACP", 276, 6);
	expect_header(__LINE__, t.madt, "APIC", 44 + 12 + 4 * 16, 5);
	expect_header(__LINE__, t.dsdt, "DSDT", get32(t.dsdt + 4), 2);
	/* 16-byte aligned, in order, not overlapping */
	EXPECT_EQ((t.xsdt - t.mem) % 16, 0);
	EXPECT_EQ((t.fadt - t.mem) % 16, 0);
	EXPECT_EQ((t.madt - t.mem) % 16, 0);
	EXPECT_EQ((t.dsdt - t.mem) % 16, 0);
	assert_true(t.xsdt >= t.rsdp + 36 && t.fadt >= t.xsdt + 52 && t.madt >= t.fadt + 276 &&
		    t.dsdt >= t.madt + get32(t.madt + 4));
	free(t.mem);
}

/* FADT offsets: ACPI 6.5 Table 5.9. */
static void test_fadt(void **state)
{
	struct tables t;
	const uint8_t *f;

	(void)state;
	build(&t, &std_cfg, BASE);
	f = t.fadt;
	EXPECT_EQ(get32(f + 36), 0);	 /* FIRMWARE_CTRL: no FACS */
	EXPECT_EQ(get32(f + 40), 0);	 /* DSDT: X_DSDT instead */
	EXPECT_EQ(get16(f + 46), 0);	 /* SCI_INT */
	EXPECT_EQ(get32(f + 48), 0);	 /* SMI_CMD */
	EXPECT_EQ(get32(f + 56), 0);	 /* PM1a_EVT_BLK */
	EXPECT_EQ(get32(f + 76), 0);	 /* PM_TMR_BLK */
	EXPECT_EQ(get16(f + 109), 0x24); /* IAPC_BOOT_ARCH: no VGA, no CMOS RTC */
	/* HW_REDUCED 20, APIC physical 19, RESET_REG_SUP 10, buttons 5, 4 */
	EXPECT_EQ(get32(f + 112), (1u << 20) | (1u << 19) | (1u << 10) | (1u << 5) | (1u << 4));
	EXPECT_MEM(f + 116, 12, 1, 8, 0, 1, 0x02, 0x06, 0, 0, 0, 0, 0, 0); /* RESET_REG */
	EXPECT_EQ(f[128], ACPI_RESET_VALUE);
	EXPECT_EQ(f[131], 5);	      /* minor version */
	EXPECT_EQ(get64(f + 132), 0); /* X_FIRMWARE_CTRL */
	EXPECT_EQ(get64(f + 140), BASE + (uint64_t)(t.dsdt - t.mem));
	for (int off = 148; off < 244; off++) /* X_PM1a_EVT_BLK .. X_GPE1_BLK */
		EXPECT_EQ(f[off], 0);
	EXPECT_MEM(f + 244, 12, 1, 8, 0, 1, 0x00, 0x06, 0, 0, 0, 0, 0, 0); /* SLEEP_CONTROL */
	EXPECT_MEM(f + 256, 12, 1, 8, 0, 1, 0x01, 0x06, 0, 0, 0, 0, 0, 0); /* SLEEP_STATUS */
	free(t.mem);
}

static bool contains(const uint8_t *p, size_t n, const void *what, size_t wn)
{
	for (size_t i = 0; i + wn <= n; i++)
		if (!memcmp(p + i, what, wn))
			return true;
	return false;
}

static void test_no_pm_port(void **state)
{
	struct acpi_config cfg = std_cfg;
	struct tables t;

	(void)state;
	cfg.pm_port = 0;
	build(&t, &cfg, BASE);
	EXPECT_EQ(get32(t.fadt + 112), (1u << 20) | (1u << 19) | (1u << 5) | (1u << 4));
	for (int off = 116; off < 129; off++)
		EXPECT_EQ(t.fadt[off], 0);
	for (int off = 244; off < 268; off++)
		EXPECT_EQ(t.fadt[off], 0);
	EXPECT_EQ(sum8(t.fadt, 276), 0);
	assert_false(contains(t.dsdt, get32(t.dsdt + 4), "_S5_", 4));
	free(t.mem);
}

static void test_madt(void **state)
{
	static const uint32_t counts[] = {1, 254, 255, 256, 300, ACPI_MAX_VPS};
	struct acpi_config cfg = std_cfg;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(counts); i++) {
		uint32_t n = counts[i];
		uint64_t rsdp;
		uint8_t *mem = calloc(1, ACPI_BUILD_LEN(n)), *m;
		struct tables t = {.mem = mem, .base = BASE};

		assert_non_null(mem);
		cfg.nr_vps = n;
		EXPECT_EQ(acpi_build(mem, ACPI_BUILD_LEN(n), BASE, &cfg, &rsdp), 0);
		t.rsdp = mem + (rsdp - BASE);
		t.xsdt = mem + (get64(t.rsdp + 24) - BASE);
		m = mem + (get64(t.xsdt + 44) - BASE);
		expect_header(__LINE__, m, "APIC", 44 + 12 + 16 * n, 5);
		EXPECT_EQ(get32(m + 36), 0xFEE00000);
		EXPECT_EQ(get32(m + 40), 0); /* PCAT_COMPAT clear */
		EXPECT_EQ(m[44], 1);		     /* I/O APIC */
		EXPECT_EQ(m[45], 12);
		EXPECT_EQ(m[46], 0);		     /* id */
		EXPECT_EQ(get32(m + 48), 0xFEC00000); /* address */
		EXPECT_EQ(get32(m + 52), 0);	     /* first GSI */
		for (uint32_t vp = 0; vp < n; vp++) {
			const uint8_t *e = m + 44 + 12 + 16 * vp;

			EXPECT_EQ(e[0], 9);
			EXPECT_EQ(e[1], 16);
			EXPECT_EQ(get16(e + 2), 0);
			EXPECT_EQ(get32(e + 4), vp);  /* x2APIC id */
			EXPECT_EQ(get32(e + 8), 1);   /* Enabled */
			EXPECT_EQ(get32(e + 12), vp); /* UID */
		}
		free(mem);
	}
}

/* Any base alignment: tables land on 16-byte guest physical boundaries. */
static void test_unaligned_base(void **state)
{
	struct tables t;

	(void)state;
	build(&t, &std_cfg, 0x100003);
	EXPECT_EQ(t.rsdp - t.mem, 13);
	EXPECT_EQ(get64(t.rsdp + 24) % 16, 0);
	EXPECT_EQ(get64(t.xsdt + 36) % 16, 0);
	EXPECT_EQ(get64(t.fadt + 140) % 16, 0);
	free(t.mem);
}

/* The length needed for cfg at base, found from a roomy build. */
static size_t needed(const struct acpi_config *cfg, uint64_t base)
{
	uint8_t *mem = calloc(1, MEM);
	uint64_t rsdp;
	size_t dsdt, end;

	assert_non_null(mem);
	EXPECT_EQ(acpi_build(mem, MEM, base, cfg, &rsdp), 0);
	dsdt = get64(mem + (get64(mem + (rsdp - base) + 24) - base) + 36) - base;
	dsdt = get64(mem + dsdt + 140) - base;
	end = dsdt + get32(mem + dsdt + 4);
	free(mem);
	return end;
}

/* Every length short of the tables fails without writing past it (exact
 * heap chunks) or touching *rsdp_gpa; the exact length works, and bytes
 * past the last table are left alone. */
static void test_every_short_length(void **state)
{
	size_t need = needed(&std_cfg, BASE);

	(void)state;
	for (size_t len = 0; len < need; len++) {
		uint8_t *mem = malloc(len ? len : 1);
		uint64_t rsdp = 0x1234;

		assert_non_null(mem);
		EXPECT_EQ(acpi_build(mem, len, BASE, &std_cfg, &rsdp), -1);
		EXPECT_EQ(rsdp, 0x1234);
		free(mem);
	}
	{
		uint8_t *mem = malloc(need + 16);
		uint64_t rsdp = 0;

		assert_non_null(mem);
		memset(mem, 0xA5, need + 16);
		EXPECT_EQ(acpi_build(mem, need, BASE, &std_cfg, &rsdp), 0);
		EXPECT_EQ(rsdp, BASE);
		memset(mem, 0xA5, need + 16);
		EXPECT_EQ(acpi_build(mem, need + 16, BASE, &std_cfg, &rsdp), 0);
		for (size_t i = need; i < need + 16; i++)
			EXPECT_EQ(mem[i], 0xA5);
		free(mem);
	}
}

static void test_build_len_bound(void **state)
{
	static const uint32_t counts[] = {1, 2, 255, 256, ACPI_MAX_VPS};
	struct acpi_config cfg = std_cfg;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(counts); i++) {
		cfg.nr_vps = counts[i];
		assert_true(needed(&cfg, 0x100001) <= ACPI_BUILD_LEN(counts[i]));
	}
}

static void test_bad_configs(void **state)
{
	struct {
		const char *what;
		struct acpi_config cfg;
		size_t len;
		uint64_t base;
	} bad[] = {
	    {"no VPs", std_cfg, MEM, BASE},
	    {"too many VPs", std_cfg, MEM, BASE},
	    {"low window past 4 GiB", std_cfg, MEM, BASE},
	    {"low window of 4 GiB", std_cfg, MEM, BASE},
	    {"low window above 4 GiB", std_cfg, MEM, BASE},
	    {"high window below 4 GiB", std_cfg, MEM, BASE},
	    {"high window wraps", std_cfg, MEM, BASE},
	    {"window over the tables", std_cfg, MEM, 0xF8100000},
	    {"pm ports over COM1", std_cfg, MEM, BASE},
	    {"pm ports past 0xFFFF", std_cfg, MEM, BASE},
	    {"buffer wraps", std_cfg, MEM, UINT64_MAX - 0x1000},
	};
	uint8_t *mem = malloc(MEM);
	uint64_t rsdp;

	(void)state;
	assert_non_null(mem);
	bad[0].cfg.nr_vps = 0;
	bad[1].cfg.nr_vps = ACPI_MAX_VPS + 1;
	bad[2].cfg.mmio_low_len = 0x08000001;
	bad[3].cfg.mmio_low_base = 0;
	bad[3].cfg.mmio_low_len = 1ULL << 32;
	bad[4].cfg.mmio_low_base = 1ULL << 32;
	bad[5].cfg.mmio_high_base = 0xFFFFF000;
	bad[6].cfg.mmio_high_base = UINT64_MAX - 0xFFF;
	bad[6].cfg.mmio_high_len = 0x1001;
	bad[8].cfg.pm_port = 0x3FE;
	bad[9].cfg.pm_port = 0xFFFE;
	bad[10].cfg.mmio_high_len = 0;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		if (acpi_build(mem, bad[i].len, bad[i].base, &bad[i].cfg, &rsdp) != -1)
			FAIL("accepted: %s", bad[i].what);
	}
	EXPECT_EQ(acpi_build(NULL, MEM, BASE, &std_cfg, &rsdp), -1);
	EXPECT_EQ(acpi_build(mem, MEM, BASE, NULL, &rsdp), -1);
	EXPECT_EQ(acpi_build(mem, MEM, BASE, &std_cfg, NULL), -1);
	/* The edges that are fine: a window ending at 4 GiB or at 2^64, no
	 * windows, the last valid pm_port. */
	{
		struct acpi_config ok = std_cfg;

		ok.mmio_low_base = 0xFF000000;
		ok.mmio_low_len = 0x01000000;
		ok.mmio_high_base = UINT64_MAX - 0xFFF;
		ok.mmio_high_len = 0x1000;
		ok.pm_port = 0xFFFD;
		EXPECT_EQ(acpi_build(mem, MEM, BASE, &ok, &rsdp), 0);
		ok.mmio_low_len = 0;
		ok.mmio_high_len = 0;
		ok.pm_port = 0x400;
		EXPECT_EQ(acpi_build(mem, MEM, BASE, &ok, &rsdp), 0);
	}
	free(mem);
}

/* ---- ACPICA's tools ---- */

static char tmpdir[64];

static int make_tmpdir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/septum-acpi-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmpdir(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) ? -1 : 0;
}

static void require_tool(int line, const char *tool)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", tool);
	if (!system(cmd))
		return;
	snprintf(reason, sizeof(reason),
		 "line %d: %s not found: install Debian's acpica-tools (scripts/deps.sh)", line,
		 tool);
	fail_msg("%s", reason);
}

#define REQUIRE_TOOL(tool) require_tool(__LINE__, tool)

static void write_file(const char *name, const void *data, size_t len)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* The file's content, NUL-terminated, in a malloc'd buffer (*len bytes), or
 * NULL if it does not exist. */
static char *read_file(const char *name, size_t *len)
{
	char path[128];
	char *buf;
	long n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	if (len)
		*len = (size_t)n;
	return buf;
}

/* Runs cmd in tmpdir with its output in log; fails the test unless the
 * file it must produce appears. Returns that file's content. */
static char *run_tool(int line, const char *cmd, const char *product, size_t *len)
{
	char full[512];
	char *out, *log;
	int rc;

	snprintf(full, sizeof(full), "cd '%s' && %s >log 2>&1", tmpdir, cmd);
	rc = system(full);
	out = read_file(product, len);
	if (out)
		return out;
	log = read_file("log", NULL);
	snprintf(reason, sizeof(reason), "line %d: `%s` (status %d) made no %s: %.300s", line, cmd,
		 rc, product, log ? log : "");
	free(log);
	fail_msg("%s", reason);
	return NULL;
}

static void expect_text(int line, const char *file, const char *text, const char *want)
{
	char what[160];

	if (strstr(text, want))
		return;
	snprintf(what, sizeof(what), "%s lacks \"%s\"", file, want);
	snprintf(reason, sizeof(reason), "line %d: %s", line, what);
	fail_msg("%s", reason);
}

static void expect_no_text(int line, const char *file, const char *text, const char *bad)
{
	const char *p = strstr(text, bad);

	if (!p)
		return;
	snprintf(reason, sizeof(reason), "line %d: %s has \"%.120s\"", line, file, p);
	fail_msg("%s", reason);
}

#define EXPECT_TEXT(file, text, want)	expect_text(__LINE__, file, text, want)
#define EXPECT_NO_TEXT(file, text, bad) expect_no_text(__LINE__, file, text, bad)

static void write_table(const char *name, const uint8_t *t)
{
	write_file(name, t, get32(t + 4));
}

static void test_iasl_decodes_dsdt(void **state)
{
	struct tables t;
	char *dsl;

	(void)state;
	REQUIRE_TOOL("iasl");
	build(&t, &std_cfg, BASE);
	write_table("dsdt.aml", t.dsdt);
	dsl = run_tool(__LINE__, "iasl -d dsdt.aml", "dsdt.dsl", NULL);
	EXPECT_TEXT("dsdt.dsl", dsl, "Scope (\\_SB)");
	EXPECT_TEXT("dsdt.dsl", dsl, "Device (VMOD)");
	EXPECT_TEXT("dsdt.dsl", dsl, "Name (_HID, \"ACPI0004\"");
	EXPECT_TEXT("dsdt.dsl", dsl, "Device (VMBS)");
	EXPECT_TEXT("dsdt.dsl", dsl, "Name (_HID, \"VMBus\")");
	EXPECT_TEXT("dsdt.dsl", dsl, "Name (_UID, Zero)");
	EXPECT_TEXT("dsdt.dsl", dsl, "Method (_STA, 0, NotSerialized)");
	EXPECT_TEXT("dsdt.dsl", dsl, "Return (0x0F)");
	EXPECT_TEXT("dsdt.dsl", dsl, "Device (COM1)");
	EXPECT_TEXT("dsdt.dsl", dsl, "Name (_HID, EisaId (\"PNP0501\")");
	EXPECT_TEXT("dsdt.dsl", dsl, "Name (_UID, One)");
	EXPECT_TEXT("dsdt.dsl", dsl,
		    "IO (Decode16,\n                    0x03F8,             // Range Minimum\n"
		    "                    0x03F8,             // Range Maximum\n"
		    "                    0x01,               // Alignment\n"
		    "                    0x08,               // Length");
	EXPECT_TEXT("dsdt.dsl", dsl, "IRQNoFlags ()\n                    {4}");
	EXPECT_TEXT("dsdt.dsl", dsl,
		    "DWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed, NonCacheable, "
		    "ReadWrite,\n                    0x00000000,         // Granularity\n"
		    "                    0xF8000000,         // Range Minimum\n"
		    "                    0xFEBFFFFF,         // Range Maximum");
	EXPECT_TEXT("dsdt.dsl", dsl,
		    "QWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed, NonCacheable, "
		    "ReadWrite,\n                    0x0000000000000000, // Granularity\n"
		    "                    0x0000001000000000, // Range Minimum\n"
		    "                    0x0000001FFFFFFFFF, // Range Maximum");
	EXPECT_TEXT("dsdt.dsl", dsl, "Name (_S5, Package (0x02)");
	EXPECT_NO_TEXT("dsdt.dsl", dsl, "Incorrect checksum");
	free(dsl);
	free(t.mem);
}

static void test_iasl_decodes_fadt_madt_xsdt(void **state)
{
	struct tables t;
	char *dsl;

	(void)state;
	REQUIRE_TOOL("iasl");
	build(&t, &std_cfg, BASE);
	write_table("facp.dat", t.fadt);
	write_table("apic.dat", t.madt);
	write_table("xsdt.dat", t.xsdt);

	dsl = run_tool(__LINE__, "iasl -d facp.dat", "facp.dsl", NULL);
	EXPECT_TEXT("facp.dsl", dsl, "Hardware Reduced (V5) : 1");
	EXPECT_TEXT("facp.dsl", dsl, "Use APIC Physical Destination Mode (V4) : 1");
	EXPECT_TEXT("facp.dsl", dsl, "Reset Register Supported (V2) : 1");
	EXPECT_TEXT("facp.dsl", dsl, "8042 Present on ports 60/64 (V2) : 0");
	EXPECT_TEXT("facp.dsl", dsl, "VGA Not Present (V4) : 1");
	EXPECT_TEXT("facp.dsl", dsl, "CMOS RTC Not Present (V5) : 1");
	EXPECT_TEXT("facp.dsl", dsl, "DSDT Address : 00000000000E0");
	EXPECT_TEXT("facp.dsl", dsl, "Sleep Control Register : [Generic Address Structure]");
	EXPECT_NO_TEXT("facp.dsl", dsl, "Incorrect");
	EXPECT_NO_TEXT("facp.dsl", dsl, "Invalid");
	free(dsl);

	dsl = run_tool(__LINE__, "iasl -d apic.dat", "apic.dsl", NULL);
	EXPECT_TEXT("apic.dsl", dsl, "Local Apic Address : FEE00000");
	EXPECT_TEXT("apic.dsl", dsl, "PC-AT Compatibility : 0");
	EXPECT_TEXT("apic.dsl", dsl, "Subtable Type : 09 [Processor Local x2APIC]");
	EXPECT_TEXT("apic.dsl", dsl, "Processor x2Apic ID : 00000003");
	EXPECT_TEXT("apic.dsl", dsl, "Subtable Type : 01 [I/O APIC]");
	EXPECT_TEXT("apic.dsl", dsl, "Address : FEC00000");
	EXPECT_NO_TEXT("apic.dsl", dsl, "Subtable Type : 00");
	EXPECT_NO_TEXT("apic.dsl", dsl, "Incorrect");
	EXPECT_NO_TEXT("apic.dsl", dsl, "Invalid");
	free(dsl);

	dsl = run_tool(__LINE__, "iasl -d xsdt.dat", "xsdt.dsl", NULL);
	EXPECT_TEXT("xsdt.dsl", dsl, "ACPI Table Address   1 :");
	EXPECT_NO_TEXT("xsdt.dsl", dsl, "ACPI Table Address   2");
	EXPECT_NO_TEXT("xsdt.dsl", dsl, "Incorrect");
	free(dsl);
	free(t.mem);
}

/* iasl compiles the COM1 device (strictly: no errors) and the builder's
 * DSDT holds exactly those bytes, from ExtOpPrefix to the EndTag. */
static void test_iasl_com1_same_bytes(void **state)
{
	static const char asl[] = "DefinitionBlock (\"\", \"SSDT\", 2, \"SEPTUM\", \"COM1\", 1)\n"
				  "{\n"
				  "    Scope (\\_SB)\n"
				  "    {\n"
				  "        Device (COM1)\n"
				  "        {\n"
				  "            Name (_HID, EisaId (\"PNP0501\"))\n"
				  "            Name (_UID, One)\n"
				  "            Name (_CRS, ResourceTemplate ()\n"
				  "            {\n"
				  "                IO (Decode16, 0x03F8, 0x03F8, 0x01, 0x08)\n"
				  "                IRQNoFlags () {4}\n"
				  "            })\n"
				  "        }\n"
				  "    }\n"
				  "}\n";
	struct tables t;
	size_t len, dev_len;
	unsigned int n;
	char *aml;
	const uint8_t *dev;

	(void)state;
	REQUIRE_TOOL("iasl");
	build(&t, &std_cfg, BASE);
	write_file("com1.asl", asl, sizeof(asl) - 1);
	aml = run_tool(__LINE__, "iasl -on com1.asl", "com1.aml", &len);
	/* Header, ScopeOp, PkgLength, "\_SB_", then the device. */
	assert_true(len > 36 + 8);
	dev = (const uint8_t *)aml + 36 + 1 + (aml[37] >> 6) + 1 + 5;
	EXPECT_EQ(dev[0], 0x5B);
	EXPECT_EQ(dev[1], 0x82);
	dev_len = 2 + pkglen_decode(dev + 2, &n);
	assert_true((size_t)(dev - (const uint8_t *)aml) + dev_len == len);
	expect_mem(__LINE__, "iasl's device name", dev + 2 + n, 4, (const uint8_t *)"COM1", 4);
	if (!contains(t.dsdt, get32(t.dsdt + 4), dev, dev_len)) {
		char h[160];

		hex(h, sizeof(h), dev, dev_len);
		FAIL("the DSDT lacks iasl's Device (COM1): %s", h);
	}
	free(aml);
	free(t.mem);
}

/* The whole DSDT from reference ASL. iasl rejects _HID "VMBus" (not a
 * valid PNP/ACPI id; Linux and Hyper-V use it anyway), so it is compiled
 * with -f; -on keeps "\_SB" as written. */
static void test_iasl_whole_dsdt_same_bytes(void **state)
{
	char asl[2048];
	struct tables t;
	size_t len, dlen;
	char *aml;

	(void)state;
	REQUIRE_TOOL("iasl");
	build(&t, &std_cfg, BASE);
	snprintf(asl, sizeof(asl),
		 "DefinitionBlock (\"\", \"DSDT\", 2, \"SEPTUM\", \"SEPTUMVM\", 1)\n"
		 "{\n"
		 "    Scope (\\_SB)\n"
		 "    {\n"
		 "        Device (VMOD)\n"
		 "        {\n"
		 "            Name (_HID, \"ACPI0004\")\n"
		 "            Name (_CRS, ResourceTemplate ()\n"
		 "            {\n"
		 "                DWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed,\n"
		 "                    NonCacheable, ReadWrite, 0, 0x%llX, 0x%llX, 0, 0x%llX)\n"
		 "                QWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed,\n"
		 "                    NonCacheable, ReadWrite, 0, 0x%llX, 0x%llX, 0, 0x%llX)\n"
		 "            })\n"
		 "            Device (VMBS)\n"
		 "            {\n"
		 "                Name (_HID, \"VMBus\")\n"
		 "                Name (_UID, Zero)\n"
		 "                Name (_CRS, ResourceTemplate () {})\n"
		 "                Method (_STA, 0, NotSerialized) { Return (0x0F) }\n"
		 "            }\n"
		 "        }\n"
		 "        Device (COM1)\n"
		 "        {\n"
		 "            Name (_HID, EisaId (\"PNP0501\"))\n"
		 "            Name (_UID, One)\n"
		 "            Name (_CRS, ResourceTemplate ()\n"
		 "            {\n"
		 "                IO (Decode16, 0x03F8, 0x03F8, 0x01, 0x08)\n"
				  "                IRQNoFlags () {4}\n"
		 "            })\n"
		 "        }\n"
		 "    }\n"
		 "    Name (_S5, Package () { 0x05, Zero })\n"
		 "}\n",
		 (unsigned long long)std_cfg.mmio_low_base,
		 (unsigned long long)(std_cfg.mmio_low_base + std_cfg.mmio_low_len - 1),
		 (unsigned long long)std_cfg.mmio_low_len,
		 (unsigned long long)std_cfg.mmio_high_base,
		 (unsigned long long)(std_cfg.mmio_high_base + std_cfg.mmio_high_len - 1),
		 (unsigned long long)std_cfg.mmio_high_len);
	write_file("ref.asl", asl, strlen(asl));
	aml = run_tool(__LINE__, "iasl -f -on ref.asl", "ref.aml", &len);
	dlen = get32(t.dsdt + 4);
	EXPECT_EQ(dlen, len);
	/* Header up to the OEM revision (the creator fields name the
	 * compiler), then the whole AML body. */
	expect_mem(__LINE__, "DSDT header", t.dsdt, 9, (const uint8_t *)aml, 9);
	expect_mem(__LINE__, "DSDT OEM fields", t.dsdt + 10, 18, (const uint8_t *)aml + 10, 18);
	if (dlen == len && memcmp(t.dsdt + 36, aml + 36, len - 36)) {
		size_t i = 36;
		char s[160];

		while (t.dsdt[i] == (uint8_t)aml[i])
			i++;
		snprintf(s, sizeof(s), "0x%zx: ours %02X, iasl %02X", i, t.dsdt[i],
			 (uint8_t)aml[i]);
		FAIL("DSDT body differs from iasl's at %s", s);
	}
	free(aml);
	free(t.mem);
}

/* ACPICA's interpreter, the one Linux runs, loads the tables and
 * evaluates what Linux will ask for. */
static void test_acpiexec_evaluates(void **state)
{
	struct tables t;
	char *log;

	(void)state;
	REQUIRE_TOOL("acpiexec");
	build(&t, &std_cfg, BASE);
	write_table("dsdt.aml", t.dsdt);
	write_table("facp.dat", t.fadt);
	write_table("apic.dat", t.madt);
	free(run_tool(__LINE__,
		      "acpiexec -b '"
		      "evaluate \\_SB.VMOD.VMBS._HID; evaluate \\_SB.VMOD.VMBS._CRS; "
		      "evaluate \\_SB.VMOD.VMBS._STA; evaluate \\_SB.VMOD._CRS; "
		      "evaluate \\_SB.COM1._HID; evaluate \\_SB.COM1._CRS; evaluate \\_S5' "
		      "dsdt.aml facp.dat apic.dat",
		      "log", NULL));
	log = read_file("log", NULL);
	assert_non_null(log);
	EXPECT_TEXT("acpiexec", log, "3 Devices");
	/* ACPICA upper-cases the string _HID; Linux matches "VMBUS" too. */
	EXPECT_TEXT("acpiexec", log, "[String] Length 05 = \"VMBUS\"");
	EXPECT_TEXT("acpiexec", log, "[Buffer] Length 02 =     0000: 79 00");
	EXPECT_TEXT("acpiexec", log, "[Integer] = 000000000000000F");
	EXPECT_TEXT("acpiexec", log, "[Integer] = 000000000105D041");
	EXPECT_TEXT("acpiexec", log, "47 01 F8 03 F8 03 01 08 22 10 00 79 00");
	EXPECT_TEXT("acpiexec", log, "[Package] Contains 2 Elements:");
	EXPECT_TEXT("acpiexec", log, "[Buffer] Length 4A");
	EXPECT_NO_TEXT("acpiexec", log, "ACPI Error");
	EXPECT_NO_TEXT("acpiexec", log, "ACPI Warning");
	EXPECT_NO_TEXT("acpiexec", log, "AE_");
	free(log);
	free(t.mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pkglen_known_bytes),
	    cmocka_unit_test(test_pkglen_every_length),
	    cmocka_unit_test(test_pkglen_inserted_in_scope),
	    cmocka_unit_test(test_namestring),
	    cmocka_unit_test(test_integer),
	    cmocka_unit_test(test_string),
	    cmocka_unit_test(test_eisaid),
	    cmocka_unit_test(test_name_method_package),
	    cmocka_unit_test(test_resource_templates),
	    cmocka_unit_test(test_device),
	    cmocka_unit_test(test_overflow_every_capacity),
	    cmocka_unit_test(test_nesting_and_sticky_errors),
	    cmocka_unit_test(test_rsdp_xsdt),
	    cmocka_unit_test(test_fadt),
	    cmocka_unit_test(test_no_pm_port),
	    cmocka_unit_test(test_madt),
	    cmocka_unit_test(test_unaligned_base),
	    cmocka_unit_test(test_every_short_length),
	    cmocka_unit_test(test_build_len_bound),
	    cmocka_unit_test(test_bad_configs),
	    cmocka_unit_test_setup_teardown(test_iasl_decodes_dsdt, make_tmpdir, remove_tmpdir),
	    cmocka_unit_test_setup_teardown(test_iasl_decodes_fadt_madt_xsdt, make_tmpdir,
					    remove_tmpdir),
	    cmocka_unit_test_setup_teardown(test_iasl_com1_same_bytes, make_tmpdir, remove_tmpdir),
	    cmocka_unit_test_setup_teardown(test_iasl_whole_dsdt_same_bytes, make_tmpdir,
					    remove_tmpdir),
	    cmocka_unit_test_setup_teardown(test_acpiexec_evaluates, make_tmpdir, remove_tmpdir),
	};

	return unit_run("acpi_tables", tests, ARRAY_SIZE(tests), reason);
}
