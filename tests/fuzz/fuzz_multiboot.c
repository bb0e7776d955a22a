/* libFuzzer target for the multiboot parser: the input is physical memory from
 * address 0 with the boot information at 0, parsed as both v1 and v2. Random
 * bytes rarely get past the headers, so the input is also XORed over a valid
 * QEMU-like v1 and v2 image: an all-zero input parses, mutations perturb it.
 * On success the result is checked against the documented guarantees and
 * every memory-map entry of the input must be covered by a range of its type. */
#include <stdlib.h>
#include <string.h>

#include "bootinfo.h"

struct mem {
	const u8 *data;
	size_t size;
};

static const void *reader(u64 pa, u64 len, void *ctx)
{
	const struct mem *m = ctx;

	if (pa > m->size || len > m->size - pa)
		return NULL;
	return m->data + pa;
}

static u32 get32(const struct mem *m, u64 pa)
{
	u32 v;

	if (pa > m->size || 4 > m->size - pa)
		abort(); /* the parser accepted a map it could not have read */
	memcpy(&v, m->data + pa, 4);
	return v;
}

static u64 get64(const struct mem *m, u64 pa)
{
	return get32(m, pa) | (u64)get32(m, pa + 4) << 32;
}

static void check_covered(const struct boot_info *bi, u64 base, u64 size, u32 type)
{
	u32 i;

	if (!size)
		return;
	if (type < MEM_RAM || type > MEM_UNUSABLE)
		type = MEM_RESERVED;
	for (i = 0; i < bi->nmem; i++)
		if (bi->mem[i].type == type && bi->mem[i].base <= base &&
		    base + size <= bi->mem[i].base + bi->mem[i].size)
			return;
	abort();
}

static void check_v1_map(const struct mem *m, const struct boot_info *bi)
{
	u64 addr = get32(m, 48), len = get32(m, 44), off;

	for (off = 0; off < len; off += 4 + get32(m, addr + off))
		check_covered(bi, get64(m, addr + off + 4), get64(m, addr + off + 12),
			      get32(m, addr + off + 20));
}

static void check_v2_map(const struct mem *m, const struct boot_info *bi)
{
	u64 off, e;
	u32 size;

	for (off = 8; get32(m, off) != 0; off = (off + size + 7) & ~7ULL) {
		size = get32(m, off + 4);
		if (get32(m, off) != 6)
			continue;
		for (e = off + 16; e < off + size; e += get32(m, off + 8))
			check_covered(bi, get64(m, e), get64(m, e + 8), get32(m, e + 16));
	}
}

static void check_str(const char *s)
{
	if (!memchr(s, 0, BOOTINFO_CMDLINE_MAX))
		abort();
}

static void check_result(const struct boot_info *bi)
{
	const struct mem_range *r = bi->mem;
	const struct boot_module *mod = bi->mods;
	u32 i, j;

	if (bi->nmem == 0 || bi->nmem > BOOTINFO_MAX_MEM || bi->nmods > BOOTINFO_MAX_MODS)
		abort();
	check_str(bi->cmdline);
	for (i = 0; i < bi->nmem; i++) {
		if (!r[i].size || r[i].base + r[i].size < r[i].base)
			abort();
		if (r[i].type < MEM_RAM || r[i].type > MEM_UNUSABLE)
			abort();
		if (i && r[i - 1].base + r[i - 1].size > r[i].base)
			abort();
		if (i && r[i - 1].base + r[i - 1].size == r[i].base && r[i - 1].type == r[i].type)
			abort();
	}
	for (i = 0; i < bi->nmods; i++) {
		check_str(mod[i].cmdline);
		if (mod[i].start >= mod[i].end)
			abort();
		for (j = 0; j < bi->nmem; j++)
			if (r[j].type == MEM_RAM && r[j].base <= mod[i].start &&
			    mod[i].end <= r[j].base + r[j].size)
				break;
		if (j == bi->nmem)
			abort();
		for (j = 0; j < i; j++)
			if (mod[j].start < mod[i].end && mod[i].start < mod[j].end)
				abort();
	}
}

static void parse_and_check(u32 magic, const u8 *data, size_t size)
{
	static struct boot_info bi;
	struct mem m = {data, size};
	char err[128];

	if (bootinfo_parse(magic, 0, reader, &m, &bi, err, sizeof(err))) {
		if (!memchr(err, 0, sizeof(err)) || strncmp(err, "multiboot: ", 11))
			abort();
		return;
	}
	check_result(&bi);
	if (magic == MULTIBOOT_LOADER_MAGIC)
		check_v1_map(&m, &bi);
	else
		check_v2_map(&m, &bi);
}

/* ---- base images ---- */

static u8 base_v1[0x150], base_v2[0x108];

static const u64 e820[][3] = {
    {0, 0x9FC00, 1},
    {0x9FC00, 0x400, 2},
    {0xF0000, 0x10000, 2},
    {0x100000, 0xFEE0000, 1},
    {0xFFE0000, 0x20000, 2},
    {0xFFFC0000, 0x40000, 2},
    {0xFD00000000, 12ULL << 30, 2},
};

static void put32(u8 *b, u32 off, u32 v)
{
	memcpy(b + off, &v, 4);
}

static void put64(u8 *b, u32 off, u64 v)
{
	memcpy(b + off, &v, 8);
}

/* Writes the e820 entries with the given stride and returns the bytes used. */
static u32 put_e820(u8 *b, u32 off, u32 stride, u32 skip)
{
	u32 i;

	for (i = 0; i < ARRAY_SIZE(e820); i++, off += stride) {
		if (skip)
			put32(b, off, 20); /* v1 entries start with their size */
		put64(b, off + skip, e820[i][0]);
		put64(b, off + skip + 8, e820[i][1]);
		put32(b, off + skip + 16, e820[i][2]);
	}
	return ARRAY_SIZE(e820) * stride;
}

static void build_bases(void)
{
	u8 *b = base_v1;

	put32(b, 0, BIT(2) | BIT(3) | BIT(6));
	put32(b, 16, 0x60);
	memcpy(b + 0x60, "hv a=1", 7);
	put32(b, 20, 2);
	put32(b, 24, 0x80);
	put32(b, 0x80, 0x200000);
	put32(b, 0x84, 0x201000);
	put32(b, 0x88, 0x70);
	memcpy(b + 0x70, "g x", 4);
	put32(b, 0x90, 0x300000);
	put32(b, 0x94, 0x380000);
	put32(b, 0x98, 0x78);
	memcpy(b + 0x78, "i", 2);
	put32(b, 44, put_e820(b, 0xA0, 24, 4));
	put32(b, 48, 0xA0);

	b = base_v2;
	put32(b, 0, sizeof(base_v2));
	put32(b, 8, 1);
	put32(b, 12, 16);
	memcpy(b + 16, "hv a=1", 7);
	put32(b, 24, 3);
	put32(b, 28, 20);
	put32(b, 32, 0x200000);
	put32(b, 36, 0x201000);
	memcpy(b + 40, "g x", 4);
	put32(b, 48, 3);
	put32(b, 52, 18);
	put32(b, 56, 0x300000);
	put32(b, 60, 0x380000);
	memcpy(b + 64, "i", 2);
	put32(b, 72, 6);
	put32(b, 76, 16 + put_e820(b, 88, 24, 0));
	put32(b, 80, 24);
	put32(b, 256, 0);
	put32(b, 260, 8);
}

static void overlay(u32 magic, const u8 *base, size_t base_size, const u8 *data, size_t size)
{
	size_t n = MAX(size, base_size), i;
	u8 *buf = malloc(n); /* exact size, so ASan sees any read past the end */

	if (!buf)
		abort();
	for (i = 0; i < n; i++)
		buf[i] = (i < base_size ? base[i] : 0) ^ (i < size ? data[i] : 0);
	parse_and_check(magic, buf, n);
	free(buf);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static bool built;

	if (!built) {
		build_bases();
		built = true;
	}
	parse_and_check(MULTIBOOT_LOADER_MAGIC, data, size);
	parse_and_check(MULTIBOOT2_LOADER_MAGIC, data, size);
	overlay(MULTIBOOT_LOADER_MAGIC, base_v1, sizeof(base_v1), data, size);
	overlay(MULTIBOOT2_LOADER_MAGIC, base_v2, sizeof(base_v2), data, size);
	return 0;
}
