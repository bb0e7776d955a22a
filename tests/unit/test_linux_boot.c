/* Unit tests for the direct Linux boot (root/vmwp/linux_boot.c): the setup
 * header checks over synthetic bzImages (each refusal with its sentence),
 * and the guest memory lb_load() writes - kernel at 16 MiB, entry + 0x200,
 * boot_params with the image's header, loader fields, initrd, command line,
 * RSDP and e820 map, the GDT and the 4 GiB identity map - and its refusals
 * (memory out of range, kernel or initrd not fitting, command line too
 * long). Offsets are boot.rst's, written out here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* needs the four above first */
#include "unit.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "linux_boot.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define MEM (64ULL << 20)
#define PM_LEN 0x3000
#define SETUP_SECTS 4
#define IMG_LEN ((SETUP_SECTS + 1) * 512 + PM_LEN)

static uint8_t img[IMG_LEN];
static uint8_t *ram;
static char err[256];

static void put(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++, v >>= 8)
		p[i] = (uint8_t)v;
}

static uint64_t get(const uint8_t *p, int n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

/* A plausible 2.15 bzImage: relocatable, 64-bit, init_size 8 MiB. */
static void make_image(void)
{
	memset(img, 0, sizeof(img));
	img[0x1F1] = SETUP_SECTS;
	put(img + 0x1F4, PM_LEN / 16, 4);
	put(img + 0x1FE, 0xAA55, 2);
	img[0x200] = 0xEB;
	img[0x201] = 0x6A;		/* header ends at 0x26C */
	put(img + 0x202, 0x53726448, 4);
	put(img + 0x206, 0x020F, 2);
	img[0x211] = 0x01;
	put(img + 0x22C, 0x7FFFFFFF, 4);
	put(img + 0x230, 0x200000, 4);
	img[0x234] = 1;
	put(img + 0x236, 0x7F, 2);
	put(img + 0x238, 0x7FF, 4);
	put(img + 0x260, 8 << 20, 4);
	for (unsigned i = (SETUP_SECTS + 1) * 512; i < IMG_LEN; i++)
		img[i] = (uint8_t)(i * 7 + 1);
}

static int setup(void **state)
{
	(void)state;
	make_image();
	err[0] = '\0';
	if (!ram)
		ram = malloc(MEM);
	memset(ram, 0, MEM);
	return 0;
}

static void test_parse_good(void **state)
{
	struct lb_kernel k;

	(void)state;
	assert_int_equal(lb_parse(img, sizeof(img), &k, err, sizeof(err)), 0);
	assert_int_equal(k.version, 0x020F);
	assert_int_equal(k.header_end, 0x26C);
	assert_int_equal(k.pm_offset, (SETUP_SECTS + 1) * 512);
	assert_int_equal(k.pm_size, PM_LEN);
	assert_int_equal(k.kernel_alignment, 0x200000);
	assert_int_equal(k.init_size, 8 << 20);
	assert_int_equal(k.initrd_addr_max, 0x7FFFFFFF);
	assert_int_equal(k.cmdline_size, 0x7FF);
}

static void test_parse_setup_sects_zero_means_four(void **state)
{
	struct lb_kernel k;

	(void)state;
	img[0x1F1] = 0;
	assert_int_equal(lb_parse(img, sizeof(img), &k, err, sizeof(err)), 0);
	assert_int_equal(k.pm_offset, 5 * 512);
}

static void test_parse_syssize_zero_takes_rest(void **state)
{
	struct lb_kernel k;

	(void)state;
	put(img + 0x1F4, 0, 4);
	assert_int_equal(lb_parse(img, sizeof(img), &k, err, sizeof(err)), 0);
	assert_int_equal(k.pm_size, PM_LEN);
}

/* Each hostile change and the words its refusal must contain. */
static void test_parse_refusals(void **state)
{
	static const struct {
		unsigned off, len;
		uint64_t val;
		const char *want;
	} bad[] = {
		{ 0x1FE, 2, 0x1234, "not a Linux bzImage" },
		{ 0x202, 4, 0x12345678, "not a Linux bzImage" },
		{ 0x206, 2, 0x020B, "too old" },
		{ 0x211, 1, 0x00, "zImage" },
		{ 0x236, 2, 0x7E, "64-bit" },
		{ 0x201, 1, 0x10, "odd place" },
		{ 0x201, 1, 0xFF, "odd place" },
		{ 0x1F1, 1, 0xFF, "truncated" },
		{ 0x230, 4, 0x1001, "kernel_alignment" },
		{ 0x230, 4, 0x800, "kernel_alignment" },
		{ 0x260, 4, 0x100, "init_size" },
	};
	struct lb_kernel k;

	(void)state;
	for (size_t i = 0; i < N(bad); i++) {
		make_image();
		put(img + bad[i].off, bad[i].val, bad[i].len);
		err[0] = '\0';
		assert_int_equal(lb_parse(img, sizeof(img), &k, err, sizeof(err)), -1);
		if (!strstr(err, bad[i].want))
			fail_msg("change %zu: '%s' lacks '%s'", i, err, bad[i].want);
	}
}

static void test_parse_short_files(void **state)
{
	struct lb_kernel k;

	(void)state;
	for (size_t n = 0; n < 0x264; n += 0x33)
		assert_int_equal(lb_parse(img, n, &k, err, sizeof(err)), -1);
	/* Header complete, nothing after the setup sectors. */
	assert_int_equal(lb_parse(img, (SETUP_SECTS + 1) * 512, &k, err, sizeof(err)), -1);
	/* Protected-mode code too short to hold the 64-bit entry. */
	assert_int_equal(lb_parse(img, (SETUP_SECTS + 1) * 512 + 0x100, &k, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "64-bit entry"));
}

static void test_parse_error_truncated_to_errlen(void **state)
{
	struct lb_kernel k;
	char small[8];

	(void)state;
	memset(small, 'x', sizeof(small));
	assert_int_equal(lb_parse(img, 10, &k, small, sizeof(small)), -1);
	assert_int_equal(small[7], '\0');
	assert_int_equal(lb_parse(img, 10, &k, NULL, 0), -1);
}

static void load(struct lb_kernel *k, struct lb_layout *l, const uint8_t *rd, uint64_t rd_len,
		 const char *cmdline, int want)
{
	assert_int_equal(lb_parse(img, sizeof(img), k, err, sizeof(err)), 0);
	assert_int_equal(lb_load(ram, MEM, img, sizeof(img), k, cmdline, rd, rd_len, 0xE0000, l, err,
				 sizeof(err)), want);
}

static void test_load_kernel_and_entry(void **state)
{
	struct lb_kernel k;
	struct lb_layout l;

	(void)state;
	load(&k, &l, NULL, 0, "console=ttyS0", 0);
	assert_int_equal(l.kernel_gpa, 16 << 20);
	assert_int_equal(l.entry, (16 << 20) + 0x200);
	assert_memory_equal(ram + l.kernel_gpa, img + k.pm_offset, PM_LEN);
	assert_int_equal(l.boot_params, LB_BOOT_PARAMS);
	assert_int_equal(l.cr3, LB_PT_GPA);
}

static void test_load_boot_params(void **state)
{
	struct lb_kernel k;
	struct lb_layout l;
	const uint8_t *bp = NULL;

	(void)state;
	load(&k, &l, NULL, 0, "console=ttyS0 quiet", 0);
	bp = ram + l.boot_params;
	/* The header as the image has it, then the loader's fields. */
	assert_int_equal(get(bp + 0x202, 4), 0x53726448);
	assert_int_equal(get(bp + 0x206, 2), 0x020F);
	assert_int_equal(get(bp + 0x230, 4), 0x200000);
	assert_int_equal(get(bp + 0x1FA, 2), 0xFFFF);
	assert_int_equal(bp[0x210], 0xFF);
	assert_int_equal(get(bp + 0x214, 4), 16 << 20);
	assert_int_equal(get(bp + 0x228, 4), LB_CMDLINE_GPA);
	assert_string_equal((const char *)ram + get(bp + 0x228, 4), "console=ttyS0 quiet");
	assert_int_equal(get(bp + 0x070, 8), 0xE0000);
	assert_int_equal(get(bp + 0x218, 4), 0);
	assert_int_equal(get(bp + 0x21C, 4), 0);
	/* Nothing past the header's end is copied. */
	assert_int_equal(get(bp + 0x26C, 4), 0);
}

static void test_load_e820(void **state)
{
	static const struct { uint64_t addr, size; uint32_t type; } want[] = {
		{ 0, 0x9F000, 1 },
		{ 0x9F000, 0xE0000 - 0x9F000, 2 },
		{ 0xE0000, 0x10000, 3 },
		{ 0xF0000, 0x10000, 2 },
		{ 1 << 20, MEM - (1 << 20), 1 },
	};
	struct lb_kernel k;
	struct lb_layout l;
	const uint8_t *bp;

	(void)state;
	load(&k, &l, NULL, 0, "", 0);
	bp = ram + l.boot_params;
	assert_int_equal(bp[0x1E8], N(want));
	assert_int_equal(l.e820_entries, N(want));
	for (size_t i = 0; i < N(want); i++) {
		const uint8_t *e = bp + 0x2D0 + 20 * i;

		assert_int_equal(get(e, 8), want[i].addr);
		assert_int_equal(get(e + 8, 8), want[i].size);
		assert_int_equal(get(e + 16, 4), want[i].type);
	}
	/* The kernel and the tables the loader wrote are RAM or reserved. */
	assert_true(l.kernel_gpa >= 1 << 20);
	assert_true(LB_PT_GPA + 6 * 4096 <= 0x9F000);
	assert_true(LB_CMDLINE_GPA + LB_CMDLINE_MAX <= 0x9F000);
}

static void test_load_gdt_and_page_tables(void **state)
{
	struct lb_kernel k;
	struct lb_layout l;
	const uint64_t *gdt, *pml4, *pdpt;

	(void)state;
	load(&k, &l, NULL, 0, "", 0);
	gdt = (const uint64_t *)(ram + l.gdt_base);
	assert_true(l.gdt_limit >= 0x1F);
	assert_int_equal(gdt[LB_CS_SEL / 8], 0x00AF9A000000FFFFULL);
	assert_int_equal(gdt[LB_DS_SEL / 8], 0x00CF92000000FFFFULL);
	pml4 = (const uint64_t *)(ram + l.cr3);
	assert_int_equal(pml4[0] & ~0xFFFULL, l.cr3 + 0x1000);
	assert_int_equal(pml4[0] & 3, 3);
	for (int i = 1; i < 512; i++)
		assert_int_equal(pml4[i], 0);
	pdpt = (const uint64_t *)(ram + (pml4[0] & ~0xFFFULL));
	/* Every 2 MiB page of the low 4 GiB maps itself, present and writable. */
	for (uint64_t a = 0; a < (4ULL << 30); a += 2 << 20) {
		uint64_t pdpte = pdpt[a >> 30], pde;

		assert_int_equal(pdpte & 3, 3);
		pde = ((const uint64_t *)(ram + (pdpte & ~0xFFFULL)))[(a >> 21) & 511];
		assert_int_equal(pde & ~0xFFFULL, a);
		assert_int_equal(pde & 0x83, 0x83);
	}
}

static void test_load_initrd_high(void **state)
{
	static uint8_t rd[10000];
	struct lb_kernel k;
	struct lb_layout l;
	const uint8_t *bp;

	(void)state;
	for (size_t i = 0; i < sizeof(rd); i++)
		rd[i] = (uint8_t)(i * 13);
	load(&k, &l, rd, sizeof(rd), "", 0);
	assert_int_equal(l.initrd_gpa & 0xFFF, 0);
	assert_true(l.initrd_gpa + sizeof(rd) <= MEM);
	assert_true(l.initrd_gpa + sizeof(rd) > MEM - 4096);
	assert_true(l.initrd_gpa >= l.kernel_gpa + k.init_size);
	assert_memory_equal(ram + l.initrd_gpa, rd, sizeof(rd));
	bp = ram + l.boot_params;
	assert_int_equal(get(bp + 0x218, 4), l.initrd_gpa);
	assert_int_equal(get(bp + 0x21C, 4), sizeof(rd));
	assert_int_equal(get(bp + 0x0C0, 4), 0);
}

static void test_load_initrd_below_initrd_addr_max(void **state)
{
	static uint8_t rd[4096];
	struct lb_kernel k;
	struct lb_layout l;

	(void)state;
	put(img + 0x22C, (32 << 20) - 1, 4);
	load(&k, &l, rd, sizeof(rd), "", 0);
	assert_int_equal(l.initrd_gpa, (32 << 20) - 4096);
	/* initrd_addr_max inside the kernel: no room. */
	put(img + 0x22C, (20 << 20) - 1, 4);
	load(&k, &l, rd, sizeof(rd), "", -1);
	assert_non_null(strstr(err, "initrd"));
}

static void test_load_refusals(void **state)
{
	static uint8_t rd[4096];
	struct lb_kernel k;
	struct lb_layout l;
	char *longline;

	(void)state;
	assert_int_equal(lb_parse(img, sizeof(img), &k, err, sizeof(err)), 0);
	/* Memory out of range. */
	assert_int_equal(lb_load(ram, LB_MIN_MEM - 4096, img, sizeof(img), &k, "", NULL, 0, 0, &l,
				 err, sizeof(err)), -1);
	assert_int_equal(lb_load(ram, LB_MAX_MEM + 4096, img, sizeof(img), &k, "", NULL, 0, 0, &l,
				 err, sizeof(err)), -1);
	assert_int_equal(lb_load(ram, MEM - 1, img, sizeof(img), &k, "", NULL, 0, 0, &l, err,
				 sizeof(err)), -1);
	/* A kernel whose init_size runs past memory. */
	put(img + 0x260, 60 << 20, 4);
	load(&k, &l, NULL, 0, "", -1);
	assert_non_null(strstr(err, "kernel needs"));
	make_image();
	/* An initrd bigger than what lies above the kernel. */
	load(&k, &l, ram, MEM - (16 << 20) - (8 << 20) + 1, "", -1);
	assert_non_null(strstr(err, "initrd"));
	/* A command line longer than the kernel's cmdline_size. */
	longline = malloc(0x801);
	memset(longline, 'a', 0x800);
	longline[0x800] = '\0';
	load(&k, &l, rd, sizeof(rd), longline, -1);
	assert_non_null(strstr(err, "command line"));
	longline[0x7FF] = '\0';
	load(&k, &l, rd, sizeof(rd), longline, 0);
	free(longline);
	/* A description that does not match the image. */
	k.pm_size = sizeof(img);
	assert_int_equal(lb_load(ram, MEM, img, sizeof(img), &k, "", NULL, 0, 0, &l, err,
				 sizeof(err)), -1);
}

static void test_load_high_alignment(void **state)
{
	struct lb_kernel k;
	struct lb_layout l;

	(void)state;
	put(img + 0x230, 32 << 20, 4);
	load(&k, &l, NULL, 0, "", 0);
	assert_int_equal(l.kernel_gpa, 32 << 20);
	assert_int_equal(l.entry, (32 << 20) + 0x200);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_parse_good, setup),
		cmocka_unit_test_setup(test_parse_setup_sects_zero_means_four, setup),
		cmocka_unit_test_setup(test_parse_syssize_zero_takes_rest, setup),
		cmocka_unit_test_setup(test_parse_refusals, setup),
		cmocka_unit_test_setup(test_parse_short_files, setup),
		cmocka_unit_test_setup(test_parse_error_truncated_to_errlen, setup),
		cmocka_unit_test_setup(test_load_kernel_and_entry, setup),
		cmocka_unit_test_setup(test_load_boot_params, setup),
		cmocka_unit_test_setup(test_load_e820, setup),
		cmocka_unit_test_setup(test_load_gdt_and_page_tables, setup),
		cmocka_unit_test_setup(test_load_initrd_high, setup),
		cmocka_unit_test_setup(test_load_initrd_below_initrd_addr_max, setup),
		cmocka_unit_test_setup(test_load_refusals, setup),
		cmocka_unit_test_setup(test_load_high_alignment, setup),
	};
	int r = unit_run("linux_boot", tests, N(tests), NULL);

	free(ram);
	return r;
}
