/* Unit tests for the multiboot parser: fake boot information is built in a
 * buffer standing in for physical memory (physical address = offset). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include "unit.h"

#include "bootinfo.h"

#define MB1 MULTIBOOT_LOADER_MAGIC
#define MB2 MULTIBOOT2_LOADER_MAGIC

#define MB1_CMDLINE BIT(2)
#define MB1_MODS    BIT(3)
#define MB1_MMAP    BIT(6)

static u8 mem[0x10000];
static size_t mem_top;	 /* bump allocator over mem */
static size_t mem_limit; /* readable bytes; tests shrink it to cut memory off */
static struct boot_info bi;
static char err[256];
/* Why the current test failed, for the FAIL line printed by main(). */
static char reason[512];

static const void *reader(u64 pa, u64 len, void *ctx)
{
	(void)ctx;
	if (pa > mem_limit || len > mem_limit - pa)
		return NULL;
	return mem + pa;
}

static int reset(void **state)
{
	(void)state;
	memset(mem, 0xAA, sizeof(mem));
	mem_top = 0x100; /* keep 0 free so a zero pointer is never valid data */
	mem_limit = sizeof(mem);
	return 0;
}

static u64 alloc(size_t n)
{
	u64 pa = ALIGN_UP(mem_top, 8);

	mem_top = pa + n;
	assert_true(mem_top <= sizeof(mem));
	return pa;
}

static void w32(u64 pa, u32 v)
{
	memcpy(mem + pa, &v, 4);
}

static void w64(u64 pa, u64 v)
{
	memcpy(mem + pa, &v, 8);
}

static u32 r32(u64 pa)
{
	u32 v;

	memcpy(&v, mem + pa, 4);
	return v;
}

static u64 put_str(const char *s)
{
	u64 pa = alloc(strlen(s) + 1);

	memcpy(mem + pa, s, strlen(s) + 1);
	return pa;
}

static int parse(u32 magic, u64 pa)
{
	memset(&bi, 0x55, sizeof(bi));
	memset(err, 'x', sizeof(err));
	return bootinfo_parse(magic, pa, reader, NULL, &bi, err, sizeof(err));
}

static void expect_ok(u32 magic, u64 pa)
{
	int ret = parse(magic, pa);

	if (ret) {
		snprintf(reason, sizeof(reason), "unexpected failure: %s", err);
		fail_msg("%s", reason);
	}
	assert_string_equal(err, "");
}

static void expect_err(u32 magic, u64 pa, const char *msg)
{
	if (parse(magic, pa) >= 0 || !strstr(err, msg)) {
		snprintf(reason, sizeof(reason), "wanted error '%s', got '%s'", msg, err);
		fail_msg("%s", reason);
	}
	assert_true(strncmp(err, "multiboot: ", 11) == 0);
	assert_null(strchr(err, '\n'));
}

static void assert_range(int i, u64 base, u64 size, u32 type)
{
	assert_int_equal(bi.mem[i].base, base);
	assert_int_equal(bi.mem[i].size, size);
	assert_int_equal(bi.mem[i].type, type);
}

/* ---- multiboot v1 builder ---- */

struct mod {
	u64 start, end;
	const char *cmdline;
};

static u64 v1_info(u32 flags)
{
	u64 pa = alloc(0x58);

	memset(mem + pa, 0, 0x58);
	w32(pa, flags);
	return pa;
}

static void v1_cmdline(u64 info, const char *s)
{
	w32(info, r32(info) | MB1_CMDLINE);
	w32(info + 16, put_str(s));
}

/* Returns the address of the map, entries of 4 + 20 bytes each. */
static u64 v1_mmap(u64 info, const struct mem_range *r, int n)
{
	u64 map = alloc(24 * n);
	int i;

	for (i = 0; i < n; i++) {
		w32(map + 24 * i, 20);
		w64(map + 24 * i + 4, r[i].base);
		w64(map + 24 * i + 12, r[i].size);
		w32(map + 24 * i + 20, r[i].type);
	}
	w32(info, r32(info) | MB1_MMAP);
	w32(info + 44, 24 * n);
	w32(info + 48, map);
	return map;
}

static void v1_mods(u64 info, const struct mod *m, int n)
{
	u64 strs[32], tab;
	int i;

	assert_true(n <= 32);
	for (i = 0; i < n; i++)
		strs[i] = put_str(m[i].cmdline);
	tab = alloc(16 * n);
	for (i = 0; i < n; i++) {
		w32(tab + 16 * i, m[i].start);
		w32(tab + 16 * i + 4, m[i].end);
		w32(tab + 16 * i + 8, strs[i]);
		w32(tab + 16 * i + 12, 0);
	}
	w32(info, r32(info) | MB1_MODS);
	w32(info + 20, n);
	w32(info + 24, tab);
}

/* QEMU's e820 for -m 256M */
static const struct mem_range qemu_e820[] = {
    {0, 0x9FC00, MEM_RAM},
    {0x9FC00, 0x400, MEM_RESERVED},
    {0xF0000, 0x10000, MEM_RESERVED},
    {0x100000, 0xFFE0000 - 0x100000, MEM_RAM},
    {0xFFE0000, 0x20000, MEM_RESERVED},
    {0xFFFC0000, 0x40000, MEM_RESERVED},
    {0xFD00000000, 12ULL << 30, MEM_RESERVED},
};

static const struct mod two_mods[] = {
    {0x200000, 0x280123, "guest.bin console=ttyS0 x=1"},
    {0x300000, 0x301000, "initrd.img"},
};

static u64 qemu_v1(void)
{
	u64 info = v1_info(0);

	v1_cmdline(info, "septum.elf loglevel=7");
	v1_mods(info, two_mods, 2);
	v1_mmap(info, qemu_e820, ARRAY_SIZE(qemu_e820));
	return info;
}

static void assert_qemu_map(void)
{
	size_t i;

	assert_int_equal(bi.nmem, ARRAY_SIZE(qemu_e820));
	for (i = 0; i < ARRAY_SIZE(qemu_e820); i++)
		assert_range(i, qemu_e820[i].base, qemu_e820[i].size, qemu_e820[i].type);
}

static void test_v1_qemu(void **state)
{
	(void)state;
	expect_ok(MB1, qemu_v1());
	assert_string_equal(bi.cmdline, "septum.elf loglevel=7");
	assert_qemu_map();
	assert_int_equal(bi.nmods, 2);
	assert_int_equal(bi.mods[0].start, 0x200000);
	assert_int_equal(bi.mods[0].end, 0x280123);
	assert_string_equal(bi.mods[0].cmdline, "guest.bin console=ttyS0 x=1");
	assert_int_equal(bi.mods[1].start, 0x300000);
	assert_int_equal(bi.mods[1].end, 0x301000);
	assert_string_equal(bi.mods[1].cmdline, "initrd.img");
}

static void test_v1_minimal(void **state)
{
	u64 info = v1_info(0);

	(void)state;
	v1_mmap(info, qemu_e820, 4);
	expect_ok(MB1, info);
	assert_string_equal(bi.cmdline, "");
	assert_int_equal(bi.nmods, 0);
	assert_int_equal(bi.nmem, 4);
}

/* ---- multiboot2 builder: tags are appended back to back ---- */

static u64 v2_start;

static void v2_begin(void)
{
	v2_start = alloc(8);
	w32(v2_start + 4, 0);
}

static u64 v2_tag(u32 type, u32 size)
{
	u64 tag = alloc(ALIGN_UP(size, 8));

	w32(tag, type);
	w32(tag + 4, size);
	return tag;
}

static u64 v2_end(void)
{
	v2_tag(0, 8);
	w32(v2_start, mem_top - v2_start);
	return v2_start;
}

static u64 v2_string_tag(u32 type, const char *s)
{
	u64 tag = v2_tag(type, 8 + strlen(s) + 1);

	memcpy(mem + tag + 8, s, strlen(s) + 1);
	return tag;
}

static u64 v2_module(u32 start, u32 end, const char *s)
{
	u64 tag = v2_tag(3, 16 + strlen(s) + 1);

	w32(tag + 8, start);
	w32(tag + 12, end);
	memcpy(mem + tag + 16, s, strlen(s) + 1);
	return tag;
}

static u64 v2_mmap(const struct mem_range *r, int n)
{
	u64 tag = v2_tag(6, 16 + 24 * n);
	int i;

	w32(tag + 8, 24);
	w32(tag + 12, 0);
	for (i = 0; i < n; i++) {
		w64(tag + 16 + 24 * i, r[i].base);
		w64(tag + 24 + 24 * i, r[i].size);
		w32(tag + 32 + 24 * i, r[i].type);
		w32(tag + 36 + 24 * i, 0);
	}
	return tag;
}

static void test_v2_good(void **state)
{
	(void)state;
	v2_begin();
	v2_string_tag(1, "septum.elf mem=test");
	v2_module(0x200000, 0x200007, "bzImage root=/dev/vda"); /* odd size: next tag padded */
	v2_string_tag(2, "GRUB 2.06");				/* unknown tag: skipped */
	v2_mmap(qemu_e820, ARRAY_SIZE(qemu_e820));
	v2_module(0x400000, 0x500000, "initrd");
	expect_ok(MB2, v2_end());
	assert_string_equal(bi.cmdline, "septum.elf mem=test");
	assert_qemu_map();
	assert_int_equal(bi.nmods, 2);
	assert_int_equal(bi.mods[0].start, 0x200000);
	assert_int_equal(bi.mods[0].end, 0x200007);
	assert_string_equal(bi.mods[0].cmdline, "bzImage root=/dev/vda");
	assert_string_equal(bi.mods[1].cmdline, "initrd");
}

/* ---- memory map ---- */

static void test_v1_map_truncated(void **state)
{
	u64 info = v1_info(0);

	(void)state;
	v1_mmap(info, qemu_e820, 4);
	w32(info + 44, 24 * 4 - 4); /* last entry straddles mmap_length */
	expect_err(MB1, info, "memory map truncated at entry 3");

	w32(info + 44, 24 * 3 + 2); /* a stub too short for any entry */
	expect_err(MB1, info, "memory map truncated at entry 3");
}

static void test_v1_map_entry_size(void **state)
{
	u64 info = v1_info(0), map;

	(void)state;
	map = v1_mmap(info, qemu_e820, 4);
	w32(map + 24, 16);
	expect_err(MB1, info, "memory map entry 1 has size 16 < 20");
	w32(map + 24, 0);
	expect_err(MB1, info, "memory map entry 1 has size 0 < 20");

	/* larger entries are fine: the next one starts at +size+4 */
	reset(NULL);
	info = v1_info(0);
	map = alloc(2 * 32);
	w32(map, 28);
	w64(map + 4, 0);
	w64(map + 12, 0x9FC00);
	w32(map + 20, 1);
	w32(map + 32, 28);
	w64(map + 36, 0x100000);
	w64(map + 44, 0x1000000);
	w32(map + 52, 1);
	w32(info, MB1_MMAP);
	w32(info + 44, 64);
	w32(info + 48, map);
	expect_ok(MB1, info);
	assert_int_equal(bi.nmem, 2);
	assert_range(1, 0x100000, 0x1000000, MEM_RAM);
}

static void test_v1_map_unreadable(void **state)
{
	u64 info = v1_info(0), map;

	(void)state;
	map = v1_mmap(info, qemu_e820, 2);
	memcpy(mem + sizeof(mem) - 30, mem + map, 24); /* entry 1 runs off the end */
	w32(info + 48, sizeof(mem) - 30);
	expect_err(MB1, info, "memory map entry 1 at 0xfffa unreadable");
}

static void test_overlap_ram_reserved(void **state)
{
	static const struct mem_range r[] = {
	    {0x100000, 0x100000, MEM_RAM},
	    {0x180000, 0x10000, MEM_RESERVED},
	};
	u64 info = v1_info(0);

	(void)state;
	v1_mmap(info, r, 2);
	assert_true(parse(MB1, info) < 0);
	assert_string_equal(err, "multiboot: reserved [0x180000,0x190000) overlaps RAM "
				 "[0x100000,0x200000)");

	reset(NULL);
	v2_begin();
	v2_mmap(r, 2);
	expect_err(MB2, v2_end(), "reserved [0x180000,0x190000) overlaps RAM [0x100000,0x200000)");
}

static void test_overlap_partial(void **state)
{
	static const struct mem_range r[] = {
	    {0x1000, 0x1000, MEM_ACPI}, {0x0, 0x1001, MEM_RAM}, /* one byte into the ACPI range */
	};
	u64 info = v1_info(0);

	(void)state;
	v1_mmap(info, r, 2);
	expect_err(MB1, info, "RAM [0x0,0x1001) overlaps ACPI [0x1000,0x2000)");
}

static void test_duplicates_merged(void **state)
{
	static const struct mem_range r[] = {
	    {0x100000, 0x100000, MEM_RAM},
	    {0x0, 0x9F000, MEM_RAM},
	    {0x100000, 0x100000, MEM_RAM},   /* exact duplicate */
	    {0x180000, 0x100000, MEM_RAM},   /* overlaps the tail */
	    {0x280000, 0x80000, MEM_RAM},    /* adjacent */
	    {0x9F000, 0x1000, MEM_RESERVED}, /* adjacent, other type: kept apart */
	    {0xF0000, 0x10000, 0},	     /* odd types become reserved... */
	    {0xE0000, 0x10000, 77},	     /* ...and merge with each other */
	    {0x400000, 0, MEM_ACPI},	     /* zero length: dropped */
	    {0x400000, 0x1000, MEM_ACPI},
	    {0x401000, 0x1000, MEM_NVS},
	    {0x402000, 0x1000, MEM_UNUSABLE},
	    {0x0, 0x1000, MEM_RAM}, /* contained */
	};
	u64 info = v1_info(0);

	(void)state;
	v1_mmap(info, r, ARRAY_SIZE(r));
	expect_ok(MB1, info);
	assert_int_equal(bi.nmem, 7);
	assert_range(0, 0, 0x9F000, MEM_RAM);
	assert_range(1, 0x9F000, 0x1000, MEM_RESERVED);
	assert_range(2, 0xE0000, 0x20000, MEM_RESERVED);
	assert_range(3, 0x100000, 0x200000, MEM_RAM);
	assert_range(4, 0x400000, 0x1000, MEM_ACPI);
	assert_range(5, 0x401000, 0x1000, MEM_NVS);
	assert_range(6, 0x402000, 0x1000, MEM_UNUSABLE);
}

static void test_bridge_merges_three(void **state)
{
	static const struct mem_range r[] =
	    {
		{0x0, 0x1000, MEM_RAM},	   {0x3000, 0x1000, MEM_RAM},
		{0x5000, 0x1000, MEM_RAM}, {0x8000, 0x1000, MEM_RESERVED},
		{0x800, 0x5000, MEM_RAM}, /* swallows all three RAM ranges */
	    };
	u64 info = v1_info(0);

	(void)state;
	v1_mmap(info, r, ARRAY_SIZE(r));
	expect_ok(MB1, info);
	assert_int_equal(bi.nmem, 2);
	assert_range(0, 0, 0x6000, MEM_RAM);
	assert_range(1, 0x8000, 0x1000, MEM_RESERVED);
}

static void fill_disjoint(struct mem_range *r, int n, u64 gap)
{
	int i;

	for (i = 0; i < n; i++) {
		r[i].base = (u64)(n - i) * 0x2000; /* descending: exercises insertion */
		r[i].size = 0x2000 - gap;
		r[i].type = MEM_RAM;
	}
}

static void test_too_many_entries(void **state)
{
	struct mem_range r[BOOTINFO_MAX_MEM + 1];
	u64 info = v1_info(0);
	int i;

	(void)state;
	fill_disjoint(r, BOOTINFO_MAX_MEM, 0x1000);
	v1_mmap(info, r, BOOTINFO_MAX_MEM);
	expect_ok(MB1, info);
	assert_int_equal(bi.nmem, BOOTINFO_MAX_MEM);
	for (i = 0; i < BOOTINFO_MAX_MEM; i++)
		assert_range(i, (u64)(i + 1) * 0x2000, 0x1000, MEM_RAM);

	reset(NULL);
	info = v1_info(0);
	fill_disjoint(r, BOOTINFO_MAX_MEM + 1, 0x1000);
	v1_mmap(info, r, BOOTINFO_MAX_MEM + 1);
	expect_err(MB1, info, "memory map has more than 64 entries");

	/* the same count of loader entries is fine when they merge */
	reset(NULL);
	info = v1_info(0);
	fill_disjoint(r, BOOTINFO_MAX_MEM + 1, 0);
	v1_mmap(info, r, BOOTINFO_MAX_MEM + 1);
	expect_ok(MB1, info);
	assert_int_equal(bi.nmem, 1);
	assert_range(0, 0x2000, (BOOTINFO_MAX_MEM + 1) * 0x2000ULL, MEM_RAM);
}

static void test_entry_wraps(void **state)
{
	static const struct mem_range r[] = {
	    {0x0, 0x9F000, MEM_RAM},
	    {0xFFFFFFFFFFFFF000, 0x1000, MEM_RESERVED},
	};
	u64 info = v1_info(0);

	(void)state;
	v1_mmap(info, r, 2);
	expect_err(MB1, info, "memory map entry 1 [0xfffffffffffff000,+0x1000) wraps around");
}

static void test_no_ram(void **state)
{
	static const struct mem_range r[] = {
	    {0x0, 0x9F000, MEM_RESERVED},
	    {0x100000, 0, MEM_RAM},
	};
	u64 info = v1_info(0);

	(void)state;
	v1_mmap(info, r, 2);
	expect_err(MB1, info, "memory map has no RAM");
}

/* ---- command lines ---- */

static void test_cmdline_too_long(void **state)
{
	char s[BOOTINFO_CMDLINE_MAX + 1];
	u64 info;

	(void)state;
	memset(s, 'a', sizeof(s));
	s[BOOTINFO_CMDLINE_MAX - 1] = 0; /* longest that fits */
	info = v1_info(0);
	v1_cmdline(info, s);
	v1_mmap(info, qemu_e820, 4);
	expect_ok(MB1, info);
	assert_int_equal(strlen(bi.cmdline), BOOTINFO_CMDLINE_MAX - 1);

	s[BOOTINFO_CMDLINE_MAX - 1] = 'a';
	s[BOOTINFO_CMDLINE_MAX] = 0;
	reset(NULL);
	info = v1_info(0);
	v1_cmdline(info, s);
	v1_mmap(info, qemu_e820, 4);
	expect_err(MB1, info, "hypervisor command line at 0x158 too long or unterminated");
}

static void test_cmdline_unterminated(void **state)
{
	u64 info, tag;

	(void)state;
	/* v1: the string runs into the end of readable memory */
	info = v1_info(0);
	v1_mmap(info, qemu_e820, 4);
	memset(mem + sizeof(mem) - 5, 'z', 5);
	w32(info, r32(info) | MB1_CMDLINE);
	w32(info + 16, sizeof(mem) - 5);
	expect_err(MB1, info, "hypervisor command line at 0xfffb unreadable");

	/* v2: the NUL lies just past the tag */
	reset(NULL);
	v2_begin();
	v2_mmap(qemu_e820, 4);
	tag = v2_string_tag(1, "abcdefg");
	w32(tag + 4, 8 + 7);
	expect_err(MB2, v2_end(), "hypervisor command line at 0x");
	assert_non_null(strstr(err, "too long or unterminated"));

	/* v2: module string without NUL in its tag */
	reset(NULL);
	v2_begin();
	v2_mmap(qemu_e820, 4);
	tag = v2_module(0x200000, 0x201000, "");
	w32(tag + 4, 16);
	expect_err(MB2, v2_end(), "module command line at 0x");

	/* v1: module string too long */
	reset(NULL);
	{
		static char s[2000];
		struct mod m = {0x200000, 0x201000, s};

		memset(s, 'm', sizeof(s) - 1);
		info = v1_info(0);
		v1_mods(info, &m, 1);
		v1_mmap(info, qemu_e820, 4);
		expect_err(MB1, info, "module command line at 0x158 too long or unterminated");
	}
}

/* ---- modules ---- */

static void mods_case(const struct mod *m, int n, const char *msg)
{
	u64 info;
	int i;

	reset(NULL);
	info = v1_info(0);
	v1_mods(info, m, n);
	v1_mmap(info, qemu_e820, ARRAY_SIZE(qemu_e820));
	if (msg)
		expect_err(MB1, info, msg);
	else
		expect_ok(MB1, info);

	reset(NULL);
	v2_begin();
	for (i = 0; i < n; i++)
		v2_module(m[i].start, m[i].end, m[i].cmdline);
	v2_mmap(qemu_e820, ARRAY_SIZE(qemu_e820));
	if (msg)
		expect_err(MB2, v2_end(), msg);
	else
		expect_ok(MB2, v2_end());
}

static void test_module_outside_ram(void **state)
{
	static const struct mod gap[] = {
	    {0x200000, 0x201000, "a"},
	    {0xA0000, 0xA1000, "vga.bin"},
	};
	static const struct mod straddle[] = {
	    {0xFFDF000, 0xFFE1000, "big.bin"},
	};
	static const struct mod span[] = {
	    {0x9F000, 0x101000, "across"}, /* RAM, reserved, gap, RAM */
	};
	static const struct mod high[] = {
	    {0x4000000, 0x4001000, "a"},
	    {0x10000000, 0x10001000, "guest.bin"},
	};
	static const struct mod edge[] = {
	    {0x100000, 0xFFE0000, "whole"}, /* exactly the RAM range: fine */
	};

	(void)state;
	mods_case(gap, 2, "module 1 'vga.bin' at [0xa0000,0xa1000) lies outside RAM");
	mods_case(straddle, 1, "module 0 'big.bin' at [0xffdf000,0xffe1000) lies outside RAM");
	mods_case(span, 1, "module 0 'across' at [0x9f000,0x101000) lies outside RAM");
	mods_case(high, 2, "module 1 'guest.bin' at [0x10000000,0x10001000) lies outside RAM");
	mods_case(edge, 1, NULL);
}

static void test_module_empty_or_inverted(void **state)
{
	static const struct mod empty[] = {{0x200000, 0x200000, "empty"}};
	static const struct mod inverted[] = {{0x201000, 0x200000, "inv"}};

	(void)state;
	mods_case(empty, 1, "module 0 'empty' has empty or inverted range [0x200000,0x200000)");
	mods_case(inverted, 1, "module 0 'inv' has empty or inverted range [0x201000,0x200000)");
}

static void test_modules_overlap(void **state)
{
	static const struct mod overlap[] = {
	    {0x200000, 0x300000, "a"},
	    {0x400000, 0x500000, "b"},
	    {0x2FF000, 0x301000, "c"},
	};
	static const struct mod touching[] = {
	    {0x200000, 0x300000, "a"},
	    {0x300000, 0x400000, "b"},
	};
	static const struct mod nested[] = {
	    {0x200000, 0x300000, "a"},
	    {0x250000, 0x260000, "b"},
	};

	(void)state;
	mods_case(overlap, 3, "module 2 'c' at [0x2ff000,0x301000) overlaps module 0");
	mods_case(touching, 2, NULL);
	mods_case(nested, 2, "module 1 'b' at [0x250000,0x260000) overlaps module 0");
}

static void test_too_many_modules(void **state)
{
	struct mod m[BOOTINFO_MAX_MODS + 1];
	int i;

	(void)state;
	for (i = 0; i <= BOOTINFO_MAX_MODS; i++) {
		m[i].start = 0x1000000 + i * 0x10000;
		m[i].end = m[i].start + 0x1000;
		m[i].cmdline = "mod";
	}
	mods_case(m, BOOTINFO_MAX_MODS, NULL);
	assert_int_equal(bi.nmods, BOOTINFO_MAX_MODS);
	mods_case(m, BOOTINFO_MAX_MODS + 1, "more than 16 modules");
}

/* ---- loader-level failures ---- */

static void test_v1_no_mmap(void **state)
{
	u64 info = v1_info(0);

	(void)state;
	v1_mmap(info, qemu_e820, 4);
	w32(info, r32(info) & ~(u32)MB1_MMAP);
	expect_err(MB1, info, "no memory map");
}

static void test_v2_no_mmap(void **state)
{
	(void)state;
	v2_begin();
	v2_string_tag(1, "x");
	expect_err(MB2, v2_end(), "no memory map");
}

static void test_unknown_magic(void **state)
{
	(void)state;
	expect_err(0x1234, qemu_v1(), "unknown loader magic 0x1234");
	assert_string_equal(err, "multiboot: unknown loader magic 0x1234");
}

static void test_v2_tag_overruns(void **state)
{
	u64 tag;

	(void)state;
	v2_begin();
	v2_mmap(qemu_e820, 4);
	tag = v2_string_tag(1, "cmd");
	v2_end();
	w32(tag + 4, 0x100);
	expect_err(MB2, v2_start, "tag type 1 at 0x");
	assert_non_null(strstr(err, "overruns total size"));

	/* an mmap entry straddling the end of its tag */
	reset(NULL);
	v2_begin();
	tag = v2_mmap(qemu_e820, 4);
	w32(tag + 4, 16 + 24 * 3 + 20);
	expect_err(MB2, v2_end(), "memory map truncated at entry 3");

	/* the end tag lies beyond readable memory */
	reset(NULL);
	v2_begin();
	v2_mmap(qemu_e820, 4);
	v2_end();
	mem_limit = mem_top - 8;
	expect_err(MB2, v2_start, "unreadable");
}

static void test_v2_no_end_tag(void **state)
{
	(void)state;
	v2_begin();
	v2_mmap(qemu_e820, 4);
	w32(v2_start, mem_top - v2_start);
	expect_err(MB2, v2_start, "tag list truncated: no end tag");

	w32(v2_start, 4); /* total_size smaller than its own header */
	expect_err(MB2, v2_start, "tag list truncated: no end tag within 4 bytes");
}

static void test_v2_tag_too_small(void **state)
{
	u64 tag;

	(void)state;
	v2_begin();
	v2_mmap(qemu_e820, 4);
	tag = v2_tag(42, 8);
	v2_end();
	w32(tag + 4, 4);
	expect_err(MB2, v2_start, "tag type 42 at 0x");
	assert_non_null(strstr(err, "has size 4 < 8"));

	w32(tag + 4, 0); /* would loop forever if accepted */
	expect_err(MB2, v2_start, "has size 0 < 8");

	/* mmap tag with a bogus entry size */
	reset(NULL);
	v2_begin();
	tag = v2_mmap(qemu_e820, 4);
	w32(tag + 8, 20);
	expect_err(MB2, v2_end(), "memory map entry size 20 < 24");

	reset(NULL);
	v2_begin();
	v2_mmap(qemu_e820, 4);
	tag = v2_tag(3, 12);
	expect_err(MB2, v2_end(), "module tag at 0x");
}

static void test_info_unreadable(void **state)
{
	(void)state;
	expect_err(MB1, sizeof(mem) - 10, "boot information at 0xfff6 unreadable");
	expect_err(MB2, sizeof(mem) - 4, "boot information at 0xfffc unreadable");
	expect_err(MB1, ~0ULL, "unreadable");
	expect_err(MB2, 1ULL << 40, "unreadable");
}

static void test_err_buffer_small(void **state)
{
	char small[16];

	(void)state;
	memset(small, 'x', sizeof(small));
	assert_true(bootinfo_parse(7, 0, reader, NULL, &bi, small, sizeof(small)) < 0);
	assert_string_equal(small, "multiboot: unkn");
	assert_true(bootinfo_parse(7, 0, reader, NULL, &bi, NULL, 0) < 0);
	small[0] = 'x';
	assert_true(bootinfo_parse(7, 0, reader, NULL, &bi, small, 1) < 0);
	assert_int_equal(small[0], 0);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_v1_qemu, reset),
	    cmocka_unit_test_setup(test_v1_minimal, reset),
	    cmocka_unit_test_setup(test_v2_good, reset),
	    cmocka_unit_test_setup(test_v1_map_truncated, reset),
	    cmocka_unit_test_setup(test_v1_map_entry_size, reset),
	    cmocka_unit_test_setup(test_v1_map_unreadable, reset),
	    cmocka_unit_test_setup(test_overlap_ram_reserved, reset),
	    cmocka_unit_test_setup(test_overlap_partial, reset),
	    cmocka_unit_test_setup(test_duplicates_merged, reset),
	    cmocka_unit_test_setup(test_bridge_merges_three, reset),
	    cmocka_unit_test_setup(test_too_many_entries, reset),
	    cmocka_unit_test_setup(test_entry_wraps, reset),
	    cmocka_unit_test_setup(test_no_ram, reset),
	    cmocka_unit_test_setup(test_cmdline_too_long, reset),
	    cmocka_unit_test_setup(test_cmdline_unterminated, reset),
	    cmocka_unit_test_setup(test_module_outside_ram, reset),
	    cmocka_unit_test_setup(test_module_empty_or_inverted, reset),
	    cmocka_unit_test_setup(test_modules_overlap, reset),
	    cmocka_unit_test_setup(test_too_many_modules, reset),
	    cmocka_unit_test_setup(test_v1_no_mmap, reset),
	    cmocka_unit_test_setup(test_v2_no_mmap, reset),
	    cmocka_unit_test_setup(test_unknown_magic, reset),
	    cmocka_unit_test_setup(test_v2_tag_overruns, reset),
	    cmocka_unit_test_setup(test_v2_no_end_tag, reset),
	    cmocka_unit_test_setup(test_v2_tag_too_small, reset),
	    cmocka_unit_test_setup(test_info_unreadable, reset),
	    cmocka_unit_test_setup(test_err_buffer_small, reset),
	};
	return unit_run("multiboot", tests, ARRAY_SIZE(tests), reason);
}
