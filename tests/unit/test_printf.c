/* Unit tests for hv_vsnprintf() and parse_size(). The host libc's
 * vsnprintf is the reference for every format both support, at every buffer
 * size up to the full length; output buffers are heap chunks of exactly that
 * size so ASan catches a write past them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* needs the four above first */
#include "unit.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "lib.h"

/* Why the current test failed, for the FAIL line printed by main(). */
static char reason[512];

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			int n_ = snprintf(reason, sizeof(reason), "line %d: ", __LINE__);          \
			snprintf(reason + n_, sizeof(reason) - n_, __VA_ARGS__);                   \
			fail_msg("%s", reason);                                                    \
		}                                                                                  \
	} while (0)

/* Prints s with escapes, for failure messages. */
static const char *show(const char *s, size_t len)
{
	static char bufs[4][160]; /* one message shows up to three strings */
	static int which;
	char *out = bufs[which++ % 4];
	size_t o = 0;

	for (size_t i = 0; i < len && o + 5 < sizeof(bufs[0]); i++) {
		unsigned char c = s[i];

		if (c >= 0x20 && c < 0x7f && c != '\\')
			out[o++] = c;
		else
			o += sprintf(out + o, "\\x%02x", c);
	}
	out[o] = '\0';
	return out;
}

/* Checks hv_vsnprintf(fmt, ap) writes want (want_len bytes, which may hold
 * NULs) and returns want_len, at every buffer size from 0 to want_len + 2. */
static void check_hv(int line, const char *want, int want_len, const char *fmt, va_list ap)
{
	for (size_t size = 0; size <= (size_t)want_len + 2; size++) {
		/* Exactly size bytes for ASan; for size 0, one byte that must stay untouched. */
		char *buf = malloc(size ? size : 1);
		size_t keep = size ? MIN((size_t)want_len, size - 1) : 0;
		va_list aq;
		int got;

		assert_non_null(buf);
		memset(buf, 0x5a, size ? size : 1);
		va_copy(aq, ap);
		got = hv_vsnprintf(buf, size, fmt, aq);
		va_end(aq);
		if (got != want_len || (size && (memcmp(buf, want, keep) || buf[keep] != '\0')) ||
		    (!size && buf[0] != 0x5a)) {
			snprintf(reason, sizeof(reason),
				 "line %d: fmt \"%s\" size %zu: got %d \"%s\", want %d \"%s\"%s",
				 line, show(fmt, strlen(fmt)), size, got,
				 show(buf, size ? MIN(strnlen(buf, size), (size_t)got) : 0),
				 want_len, show(want, keep),
				 !size && buf[0] != 0x5a ? " (wrote to a size-0 buffer)" : "");
			free(buf);
			fail_msg("%s", reason);
		}
		free(buf);
	}
	/* Size 0 with no buffer at all, as C allows. */
	{
		va_list aq;
		int got;

		va_copy(aq, ap);
		got = hv_vsnprintf(NULL, 0, fmt, aq);
		va_end(aq);
		if (got != want_len) {
			snprintf(reason, sizeof(reason),
				 "line %d: fmt \"%s\" NULL, 0: got %d, want %d", line,
				 show(fmt, strlen(fmt)), got, want_len);
			fail_msg("%s", reason);
		}
	}
}

/* hv_vsnprintf must agree with the host's vsnprintf. */
static void vcmp(int line, const char *fmt, va_list ap)
{
	char want[512];
	va_list aq;
	int want_len;

	va_copy(aq, ap);
	want_len = vsnprintf(want, sizeof(want), fmt, aq);
	va_end(aq);
	assert_true(want_len >= 0 && (size_t)want_len < sizeof(want));
	check_hv(line, want, want_len, fmt, ap);
}

static __printf(2, 3) void cmp(int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vcmp(line, fmt, ap);
	va_end(ap);
}

/* The same for formats built at run time, which the compiler cannot check. */
static void cmp_dyn(int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vcmp(line, fmt, ap);
	va_end(ap);
}

/* hv_vsnprintf must print exactly want, for what libc does differently or not at all. */
static void expect(int line, const char *want, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	check_hv(line, want, (int)strlen(want), fmt, ap);
	va_end(ap);
}

#define CMP(...)	  cmp(__LINE__, __VA_ARGS__)
#define EXPECT(want, ...) expect(__LINE__, want, __VA_ARGS__)

static const char *const flags[] = {"", "-", "0", "-0", "0-"};
static const char *const widths[] = {"", "0", "1", "2", "5", "12", "25"};
/* No "0" here: the 0 flag is undefined for %s. */
static const char *const str_widths[] = {"", "1", "2", "5", "12", "25"};

static void test_literal(void **state)
{
	(void)state;
	cmp_dyn(__LINE__, "");
	CMP("x");
	CMP("hello, world\n");
	CMP("100%%");
	CMP("%%");
	CMP("%%%%a%%");
	CMP("tab\there");
}

static void test_signed(void **state)
{
	static const s64 values[] = {
	    0,
	    1,
	    -1,
	    42,
	    -42,
	    9,
	    -9,
	    10,
	    -10,
	    127,
	    -128,
	    128,
	    255,
	    256,
	    -129,
	    32767,
	    -32768,
	    65535,
	    65536,
	    -65537,
	    INT_MAX,
	    INT_MIN,
	    1234567,
	    -7654321,
	    INT64_MAX,
	    INT64_MIN,
	    0x123456789LL,
	    -0x123456789LL,
	};
	static const char *const lens[] = {"", "hh", "h", "l", "ll", "z"};
	char fmt[32];

	(void)state;
	for (size_t f = 0; f < ARRAY_SIZE(flags); f++)
		for (size_t w = 0; w < ARRAY_SIZE(widths); w++)
			for (size_t l = 0; l < ARRAY_SIZE(lens); l++)
				for (const char *c = "di"; *c; c++)
					for (size_t v = 0; v < ARRAY_SIZE(values); v++) {
						snprintf(fmt, sizeof(fmt), "[%%%s%s%s%c]", flags[f],
							 widths[w], lens[l], *c);
						/* Short lengths take an int, as after promotion. */
						if (l < 3)
							cmp_dyn(__LINE__, fmt, (int)values[v]);
						else
							cmp_dyn(__LINE__, fmt,
								(long long)values[v]);
					}
}

static void test_unsigned(void **state)
{
	static const u64 values[] = {
	    0,	       1,	   7,	       8,	 9,	      10,
	    15,	       16,	   255,	       256,	 0xffff,      0x10000,
	    0x12345,   0x7fffffff, 0x80000000, UINT_MAX, 0x100000000, 0xdeadbeefcafeULL,
	    INT64_MAX, UINT64_MAX, (u64)-1000,
	};
	static const char *const lens[] = {"", "hh", "h", "l", "ll", "z"};
	char fmt[32];

	(void)state;
	for (size_t f = 0; f < ARRAY_SIZE(flags); f++)
		for (size_t w = 0; w < ARRAY_SIZE(widths); w++)
			for (size_t l = 0; l < ARRAY_SIZE(lens); l++)
				for (const char *c = "uxXo"; *c; c++)
					for (size_t v = 0; v < ARRAY_SIZE(values); v++) {
						snprintf(fmt, sizeof(fmt), "<%%%s%s%s%c>", flags[f],
							 widths[w], lens[l], *c);
						if (l < 3)
							cmp_dyn(__LINE__, fmt,
								(unsigned int)values[v]);
						else
							cmp_dyn(__LINE__, fmt,
								(unsigned long long)values[v]);
					}
}

/* Typed calls, so the compiler checks each argument against its modifier. */
static void test_length_modifiers(void **state)
{
	(void)state;
	CMP("%hhd %hhd %hhd %hhu %hhx", 300, -200, 127, -1, 0x1ff);
	CMP("%hd %hd %hu %hx %ho", 70000, -40000, -1, 0x12345, 0x1ffff);
	CMP("%ld %lu %lx %lX", -1234567890123L, 18446744073709551615UL, 0xfeedfacecafebeefUL,
	    0xfeedfacecafebeefUL);
	CMP("%lld %llu %llx %llo", LLONG_MIN, ULLONG_MAX, 0x0123456789abcdefULL, ULLONG_MAX);
	CMP("%zu %zx %zd %zd", SIZE_MAX, (size_t)0xabc, (ssize_t)-5, (ssize_t)SSIZE_MAX);
	CMP("%d %ld %d", 1, 2L, 3); /* a long between ints keeps them in step */
	CMP("%i %li %lli %hi %hhi", -1, -2L, -3LL, (short)-4, (signed char)-5);
	CMP("%u%u%u", 1u, 22u, 333u);
}

static void test_pointer(void **state)
{
	static const uintptr_t values[] = {
	    1, 0xf, 0x1234, 0xdeadbeef, 0x7fffffffffffULL, 0xffff800000000000ULL, UINTPTR_MAX};

	(void)state;
	for (size_t v = 0; v < ARRAY_SIZE(values); v++) {
		CMP("%p", (void *)values[v]);
		CMP("[%p|%p]", (void *)values[v], (void *)(values[v] >> 4 | 1));
	}
	CMP("%p", (void *)&reason);
	/* glibc prints "(nil)"; the hypervisor keeps the 0x form. */
	EXPECT("0x0", "%p", (void *)NULL);
}

/* Width applies to the whole "0x..." text, as in every libc. */
static void test_pointer_width(void **state)
{
	static const char *const fmts[] = {"[%20p]", "[%-20p]", "[%8p]", "[%-8p]", "[%7p]"};
	char want[64], got[64];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(fmts); i++) {
		void *p = (void *)0x1234;

		snprintf(want, sizeof(want), fmts[i], p);
		hv_snprintf(got, sizeof(got), fmts[i], p);
		CHECK(!strcmp(want, got),
		      "SOURCE BUG printf.c case 'p': fmt \"%s\" gives \"%s\", want \"%s\" "
		      "(put_num() pads only the digits, after \"0x\" is out)",
		      fmts[i], got, want);
	}
}

static void test_string(void **state)
{
	static const char *const strs[] = {"", "a", "hello", "hello world, a longer string",
					   "tab\t"};
	static const char *const precs[] = {"", ".", ".0", ".1", ".3", ".5", ".10", ".40"};
	char fmt[32];

	(void)state;
	for (size_t s = 0; s < ARRAY_SIZE(strs); s++)
		for (size_t w = 0; w < ARRAY_SIZE(str_widths); w++)
			for (size_t p = 0; p < ARRAY_SIZE(precs); p++) {
				snprintf(fmt, sizeof(fmt), "{%%%s%ss}", str_widths[w], precs[p]);
				cmp_dyn(__LINE__, fmt, strs[s]);
				snprintf(fmt, sizeof(fmt), "{%%-%s%ss}", str_widths[w], precs[p]);
				cmp_dyn(__LINE__, fmt, strs[s]);
			}
	CMP("%s and %s", "this", "that");
	CMP("%s%s%s", "", "", "");
}

/* With a precision the string need not be terminated: read no further. */
static void test_string_unterminated(void **state)
{
	char *s = malloc(3);

	(void)state;
	assert_non_null(s);
	memcpy(s, "abc", 3);
	EXPECT("abc", "%.3s", s);
	EXPECT("ab", "%.2s", s);
	EXPECT("  abc", "%5.3s", s);
	EXPECT("", "%.0s", s);
	free(s);
}

static void test_null_string(void **state)
{
	const char *volatile null = NULL;

	(void)state;
	EXPECT("(null)", "%s", null);
	EXPECT("[  (null)]", "[%8s]", null);
	EXPECT("[(nu]", "[%.3s]", null);
}

static void test_char(void **state)
{
	static const int chars[] = {'a', 'Z', ' ', '%', '\n', 0x7f, 0xff, -1, 0x141};
	static const char *const fmts[] = {"%c",     "[%c]",   "[%1c]",	  "[%3c]",
					   "[%-3c]", "[%10c]", "[%-10c]", "%c%c"};

	(void)state;
	for (size_t f = 0; f < ARRAY_SIZE(fmts); f++)
		for (size_t c = 0; c < ARRAY_SIZE(chars); c++)
			cmp_dyn(__LINE__, fmts[f], chars[c], 'x');
	/* A NUL character is output and counted like any other. */
	CMP("a%cb", '\0');
	CMP("[%4c]", 0);
	CMP("[%-4c]", 0);
}

static void test_mixed(void **state)
{
	(void)state;
	CMP("%s: %d/%u 0x%08x %-6s|%5c|%%|%lld", "vp", -3, 7u, 0xbeefu, "ok", 'q', -1LL);
	CMP("memory: %lu MiB at [%lx, %lx), %lu pages free", 64UL, 0x7c00000UL, 0x8000000UL,
	    16000UL);
	CMP("%08lx:%08lx %s%c", 0xffffffffUL, 0x100000000UL, "x", '!');
	CMP("%08d|%-8d|%08d", 5, -5, -5);
	CMP("%d%s%x%c%o%X%u%i", 1, "two", 3u, '4', 5u, 6u, 7u, 8);
}

static void test_long_output(void **state)
{
	char big[301];

	(void)state;
	memset(big, 'q', 300);
	big[300] = '\0';
	CMP("%s", big);
	CMP("%s|%s", big, "tail");
	CMP("[%100d]", -1);
	CMP("[%-100x]", 0xabcu);
	CMP("[%0200llu]", ULLONG_MAX);
	CMP("[%150s]", "right");
	CMP("[%-150c]", 'L');
}

/* What the hypervisor does with formats libc leaves undefined or that it does not support. */
static void test_unsupported(void **state)
{
	(void)state;
	/* Unknown conversions are echoed. */
	EXPECT("%q", "%q");
	EXPECT("a%yb", "a%yb");
	EXPECT("%q", "%5q");
	/* A trailing '%' (even with flags) is dropped, and nothing past the NUL is read. */
	EXPECT("abc", "abc%");
	EXPECT("abc", "abc%-08");
	EXPECT("", "%");
}

/* Truncation cases called out by name, on top of every size in the loops. */
static void test_truncation(void **state)
{
	char buf[8];
	int n;

	(void)state;
	memset(buf, 'z', sizeof(buf));
	n = hv_snprintf(buf, 0, "%d", 12345);
	CHECK(n == 5 && buf[0] == 'z', "size 0: %d, buf[0] %#x", n, buf[0]);
	n = hv_snprintf(buf, 1, "%d", 12345);
	CHECK(n == 5 && buf[0] == '\0' && buf[1] == 'z', "size 1: %d \"%s\"", n, show(buf, 2));
	n = hv_snprintf(buf, 4, "%s", "abcdefgh");
	CHECK(n == 8 && !strcmp(buf, "abc") && buf[4] == 'z', "size 4: %d \"%s\"", n, show(buf, 5));
	n = hv_snprintf(buf, 6, "%5d", 42);
	CHECK(n == 5 && !strcmp(buf, "   42"), "size 6 exact: %d \"%s\"", n, buf);
	n = hv_snprintf(buf, 5, "%5d", 42);
	CHECK(n == 5 && !strcmp(buf, "   4"), "size 5: %d \"%s\"", n, buf);
	n = hv_snprintf(buf, 3, "%c%c%c", 'a', 'b', 'c');
	CHECK(n == 3 && !strcmp(buf, "ab"), "size 3: %d \"%s\"", n, buf);
	n = hv_snprintf(buf, 2, "%%");
	CHECK(n == 1 && !strcmp(buf, "%"), "%%%% size 2: %d \"%s\"", n, buf);
	n = hv_snprintf(buf, 1, "%s", "");
	CHECK(n == 0 && buf[0] == '\0', "empty: %d", n);
}

/* parse_size on exactly len bytes of a heap copy with no NUL, so ASan sees over-reads. */
static int parse(const char *s, u64 *out)
{
	size_t len = strlen(s);
	char *copy = malloc(len ? len : 1);
	int ret;

	assert_non_null(copy);
	memcpy(copy, s, len);
	ret = parse_size(copy, len, out);
	free(copy);
	return ret;
}

static void check_parse(int line, const char *s, int want_ret, u64 want)
{
	const u64 canary = 0x5a5a5a5a5a5a5a5aULL;
	u64 out = canary;
	int ret = parse(s, &out);

	if (ret != want_ret || (ret == 0 && out != want) || (ret != 0 && out != canary)) {
		snprintf(reason, sizeof(reason),
			 "line %d: parse_size(\"%s\") = %d, %#llx; want %d, %#llx%s", line,
			 show(s, strlen(s)), ret, (unsigned long long)out, want_ret,
			 (unsigned long long)(want_ret ? canary : want),
			 ret != want_ret && ret == 0 ? " (SOURCE BUG: accepted)" : "");
		fail_msg("%s", reason);
	}
}
#define PARSE_OK(s, v) check_parse(__LINE__, s, 0, v)
#define PARSE_BAD(s)   check_parse(__LINE__, s, -1, 0)

static void test_parse_size(void **state)
{
	(void)state;
	PARSE_OK("0", 0);
	PARSE_OK("1", 1);
	PARSE_OK("007", 7);
	PARSE_OK("4096", 4096);
	PARSE_OK("18446744073709551615", UINT64_MAX);
	PARSE_OK("0x0", 0);
	PARSE_OK("0x1f", 0x1f);
	PARSE_OK("0X1F", 0x1f);
	PARSE_OK("0xdeadBEEF", 0xdeadbeef);
	PARSE_OK("0xffffffffffffffff", UINT64_MAX);
	PARSE_OK("0x0000000000000000000001", 1);
	PARSE_OK("1K", 1024);
	PARSE_OK("1k", 1024);
	PARSE_OK("64M", 64ULL << 20);
	PARSE_OK("64m", 64ULL << 20);
	PARSE_OK("4G", 4ULL << 30);
	PARSE_OK("4g", 4ULL << 30);
	PARSE_OK("0K", 0);
	PARSE_OK("0x10M", 16ULL << 20);
	PARSE_OK("0x2g", 2ULL << 30);
	PARSE_OK("0x1k", 1024); /* k is no hex digit */
	PARSE_OK("17179869183G", 17179869183ULL << 30);
	PARSE_OK("18014398509481983K", 18014398509481983ULL << 10);
	/* Overflow. */
	PARSE_BAD("18446744073709551616");
	PARSE_BAD("99999999999999999999");
	PARSE_BAD("0x10000000000000000");
	PARSE_BAD("17179869184G");
	PARSE_BAD("17592186044416M");
	PARSE_BAD("18014398509481984K");
	PARSE_BAD("0x400000000G");
	/* Empty and junk. */
	PARSE_BAD("");
	PARSE_BAD("0x");
	PARSE_BAD("0X");
	PARSE_BAD("x10");
	PARSE_BAD("-1");
	PARSE_BAD("+1");
	PARSE_BAD(" 1");
	PARSE_BAD("1 ");
	PARSE_BAD("1.5M");
	PARSE_BAD("12KB");
	PARSE_BAD("1MK");
	PARSE_BAD("1T");
	PARSE_BAD("1b");
	PARSE_BAD("abc");
	PARSE_BAD("0xz");
	PARSE_BAD("0x-1");
	PARSE_BAD("0x0x1");
	PARSE_BAD("1x1");
	PARSE_BAD("1K1");
	/* len, not a NUL, ends the string. */
	{
		u64 out = 0;

		CHECK(parse_size("123456", 3, &out) == 0 && out == 123, "len 3 of 123456: %llu",
		      (unsigned long long)out);
		CHECK(parse_size("64Mxyz", 3, &out) == 0 && out == 64ULL << 20, "len 3 of 64Mxyz");
		CHECK(parse_size("0x10", 2, &out) == -1, "len 2 of 0x10");
		CHECK(parse_size("7", 0, &out) == -1, "len 0");
	}
}

/* A suffix with no digits before it is junk, not zero. */
static void test_parse_size_bare_suffix(void **state)
{
	(void)state;
	PARSE_BAD("K");
	PARSE_BAD("m");
	PARSE_BAD("G");
	PARSE_BAD("0xK");
	PARSE_BAD("0xM");
	PARSE_BAD("0xg");
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_literal),	cmocka_unit_test(test_signed),
	    cmocka_unit_test(test_unsigned),	cmocka_unit_test(test_length_modifiers),
	    cmocka_unit_test(test_pointer),	cmocka_unit_test(test_pointer_width),
	    cmocka_unit_test(test_string),	cmocka_unit_test(test_string_unterminated),
	    cmocka_unit_test(test_null_string), cmocka_unit_test(test_char),
	    cmocka_unit_test(test_mixed),	cmocka_unit_test(test_long_output),
	    cmocka_unit_test(test_unsupported), cmocka_unit_test(test_truncation),
	    cmocka_unit_test(test_parse_size),	cmocka_unit_test(test_parse_size_bare_suffix),
	};
	return unit_run("printf", tests, ARRAY_SIZE(tests), reason);
}
