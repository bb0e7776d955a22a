/* Unit tests for the bzImage setup-header checks, on a synthetic header
 * shaped like Debian's 6.1 kernel (PLATFORM.md §3.1). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bzimage.h"

#define IMG_SIZE 0x40000

static uint8_t img[IMG_SIZE];
static char err[160];

static void put(uint32_t off, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		img[off + i] = v >> (8 * i);
}

static int setup(void **state)
{
	(void)state;
	memset(img, 0, sizeof(img));
	img[BZ_SETUP_SECTS] = 39;
	put(BZ_SYSSIZE, (IMG_SIZE - 40 * 512) / 16, 4);
	put(BZ_BOOT_FLAG, 0xAA55, 2);
	put(BZ_JUMP, 0x6AEB, 2);
	memcpy(img + BZ_HEADER, "HdrS", 4);
	put(BZ_VERSION, 0x020F, 2);
	img[BZ_LOADFLAGS] = BZ_LOADED_HIGH;
	put(BZ_INITRD_ADDR_MAX, 0x7FFFFFFF, 4);
	put(BZ_KERNEL_ALIGNMENT, 0x200000, 4);
	img[BZ_RELOCATABLE] = 1;
	put(BZ_CMDLINE_SIZE, 0x7FF, 4);
	put(BZ_PREF_ADDRESS, 0x1000000, 8);
	put(BZ_INIT_SIZE, 0x3F98000, 4);
	err[0] = 0;
	return 0;
}

static void test_debian_like(void **state)
{
	struct bzimage bz;

	(void)state;
	assert_int_equal(bzimage_parse(img, IMG_SIZE, &bz, err, sizeof(err)), 0);
	assert_int_equal(bz.version, 0x020F);
	assert_int_equal(bz.header_end, 0x26C);
	assert_int_equal(bz.pm_offset, 40 * 512);
	assert_int_equal(bz.pm_size, IMG_SIZE - 40 * 512);
	assert_true(bz.relocatable);
	assert_int_equal(bz.kernel_alignment, 0x200000);
	assert_int_equal(bz.pref_address, 0x1000000);
	assert_int_equal(bz.init_size, 0x3F98000);
	assert_int_equal(bz.cmdline_size, 0x7FF);
}

static void expect_fail(uint64_t size, const char *what)
{
	struct bzimage bz;

	assert_int_equal(bzimage_parse(img, size, &bz, err, sizeof(err)), -1);
	if (!strstr(err, what))
		fail_msg("error '%s' does not mention '%s'", err, what);
}

static void test_not_a_kernel(void **state)
{
	(void)state;
	memcpy(img + BZ_HEADER, "ELF!", 4);
	expect_fail(IMG_SIZE, "not a Linux kernel image");
	assert_false(bzimage_probe(img, IMG_SIZE));
	setup(NULL);
	put(BZ_BOOT_FLAG, 0, 2);
	expect_fail(IMG_SIZE, "not a Linux kernel image");
}

static void test_too_short(void **state)
{
	(void)state;
	expect_fail(0x210, "too short");
	expect_fail(0, "not a Linux kernel image");
	expect_fail(40 * 512, "truncated");
}

static void test_old_protocol(void **state)
{
	(void)state;
	put(BZ_VERSION, 0x0209, 2);
	expect_fail(IMG_SIZE, "2.09 is too old");
}

static void test_zimage(void **state)
{
	(void)state;
	img[BZ_LOADFLAGS] = 0;
	expect_fail(IMG_SIZE, "zImage");
}

static void test_odd_header_end(void **state)
{
	(void)state;
	img[BZ_JUMP + 1] = 0x10;
	expect_fail(IMG_SIZE, "setup header");
	img[BZ_JUMP + 1] = 0xFF;
	expect_fail(IMG_SIZE, "setup header");
}

static void test_bad_alignment(void **state)
{
	(void)state;
	put(BZ_KERNEL_ALIGNMENT, 0x300000, 4);
	expect_fail(IMG_SIZE, "power of two");
	put(BZ_KERNEL_ALIGNMENT, 0x800, 4);
	expect_fail(IMG_SIZE, "power of two");
}

static void test_init_size_too_small(void **state)
{
	(void)state;
	put(BZ_INIT_SIZE, 0x1000, 4);
	expect_fail(IMG_SIZE, "init_size");
}

static void test_syssize_bounds(void **state)
{
	struct bzimage bz;

	(void)state;
	/* A syssize beyond the file: the file's own end counts. */
	put(BZ_SYSSIZE, 0xFFFFFFFF, 4);
	assert_int_equal(bzimage_parse(img, IMG_SIZE, &bz, err, sizeof(err)), 0);
	assert_int_equal(bz.pm_size, IMG_SIZE - 40 * 512);
	img[BZ_SETUP_SECTS] = 0;	/* 0 means 4 */
	assert_int_equal(bzimage_parse(img, IMG_SIZE, &bz, err, sizeof(err)), 0);
	assert_int_equal(bz.pm_offset, 5 * 512);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_debian_like, setup),
		cmocka_unit_test_setup(test_not_a_kernel, setup),
		cmocka_unit_test_setup(test_too_short, setup),
		cmocka_unit_test_setup(test_old_protocol, setup),
		cmocka_unit_test_setup(test_zimage, setup),
		cmocka_unit_test_setup(test_odd_header_end, setup),
		cmocka_unit_test_setup(test_bad_alignment, setup),
		cmocka_unit_test_setup(test_init_size_too_small, setup),
		cmocka_unit_test_setup(test_syssize_bounds, setup),
	};

	return unit_run("bzimage", tests, sizeof(tests) / sizeof(tests[0]), NULL);
}
