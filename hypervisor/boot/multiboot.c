/* Multiboot v1 / multiboot2 boot information parser. Everything the loader
 * hands over is untrusted: it is only read through the caller's reader, and
 * every length and count is checked before it is used. */
#include "bootinfo.h"

#define MB1_FLAG_CMDLINE BIT(2)
#define MB1_FLAG_MODS	 BIT(3)
#define MB1_FLAG_MMAP	 BIT(6)
#define MB1_INFO_SIZE	 52 /* flags .. mmap_addr */
#define MB1_MOD_SIZE	 16
#define MB1_MMAP_ENTRY	 24 /* u32 size + 20-byte entry */

#define MB2_TAG_END	0
#define MB2_TAG_CMDLINE 1
#define MB2_TAG_MODULE	3
#define MB2_TAG_MMAP	6
#define MB2_MMAP_ENTRY	24

struct parser {
	phys_reader read;
	void *ctx;
	struct boot_info *bi;
	char *err;
	size_t errlen, errpos;
};

/* Loader structures may sit at any address: assemble little-endian values
 * bytewise instead of doing misaligned loads. */
static u32 ld32(const u8 *b)
{
	return b[0] | b[1] << 8 | b[2] << 16 | (u32)b[3] << 24;
}

static u64 ld64(const u8 *b)
{
	return ld32(b) | (u64)ld32(b + 4) << 32;
}

static void err_putc(struct parser *p, char c)
{
	if (p->errpos + 1 < p->errlen)
		p->err[p->errpos++] = c;
}

static void err_puts(struct parser *p, const char *s)
{
	while (*s)
		err_putc(p, *s++);
}

static void err_putnum(struct parser *p, u64 v, u32 base)
{
	char digits[20];
	int n = 0;

	do {
		digits[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (n)
		err_putc(p, digits[--n]);
}

/* Writes the one-line reason and returns -1. Knows %s, %u, %x, %lu, %lx. */
static __printf(2, 3) int fail(struct parser *p, const char *fmt, ...)
{
	__builtin_va_list ap;
	bool lng;
	u64 v;

	if (!p->errlen)
		return -1;
	p->errpos = 0;
	err_puts(p, "multiboot: ");
	__builtin_va_start(ap, fmt);
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			err_putc(p, *fmt);
			continue;
		}
		lng = fmt[1] == 'l';
		fmt += 1 + lng;
		if (*fmt == 's') {
			err_puts(p, __builtin_va_arg(ap, const char *));
			continue;
		}
		v = lng ? __builtin_va_arg(ap, unsigned long) : __builtin_va_arg(ap, unsigned int);
		err_putnum(p, v, *fmt == 'x' ? 16 : 10);
	}
	__builtin_va_end(ap);
	p->err[p->errpos] = 0;
	return -1;
}

/* Byte by byte, because the string may end right at the end of readable
 * memory and the reader rejects any range crossing it. `max` bounds the
 * bytes the enclosing structure has room for. */
static int read_str(struct parser *p, u64 pa, u64 max, char *dst, const char *what)
{
	const u8 *c;
	u64 i;

	max = MIN(max, (u64)BOOTINFO_CMDLINE_MAX);
	for (i = 0; i < max; i++) {
		c = p->read(pa + i, 1, p->ctx);
		if (!c)
			return fail(p, "%s command line at 0x%lx unreadable", what, pa);
		dst[i] = *c;
		if (!*c)
			return 0;
	}
	return fail(p, "%s command line at 0x%lx too long or unterminated", what, pa);
}

static const char *type_name(u32 type)
{
	static const char *const names[] = {
	    [MEM_RAM] = "RAM", [MEM_RESERVED] = "reserved", [MEM_ACPI] = "ACPI",
	    [MEM_NVS] = "NVS", [MEM_UNUSABLE] = "unusable",
	};

	return names[type];
}

static u64 range_end(const struct mem_range *m)
{
	return m->base + m->size;
}

/* Inserts [base, base+size) keeping bi->mem sorted, disjoint and merged, so
 * the limit applies to the merged map rather than to the loader's entries. */
static int add_range(struct parser *p, u32 idx, u64 base, u64 size, u32 type)
{
	struct boot_info *bi = p->bi;
	struct mem_range *m = bi->mem;
	u64 end = base + size;
	u32 i, first, last, gone;

	if (!size)
		return 0;
	if (type < MEM_RAM || type > MEM_UNUSABLE)
		type = MEM_RESERVED;
	if (end < base)
		return fail(p, "memory map entry %u [0x%lx,+0x%lx) wraps around", idx, base, size);
	for (i = 0; i < bi->nmem; i++)
		if (m[i].type != type && m[i].base < end && base < range_end(&m[i]))
			return fail(p, "%s [0x%lx,0x%lx) overlaps %s [0x%lx,0x%lx)",
				    type_name(type), base, end, type_name(m[i].type), m[i].base,
				    range_end(&m[i]));

	/* [first, last) touch or overlap the new range. Only a neighbour ending
	 * at base or starting at end can be of another type: leave those out. */
	for (first = 0; first < bi->nmem && range_end(&m[first]) < base; first++)
		;
	for (last = first; last < bi->nmem && m[last].base <= end; last++)
		;
	if (first < last && m[first].type != type && range_end(&m[first]) == base)
		first++;
	if (first < last && m[last - 1].type != type)
		last--;

	if (first == last) {
		if (bi->nmem == BOOTINFO_MAX_MEM)
			return fail(p, "memory map has more than %u entries", BOOTINFO_MAX_MEM);
		for (i = bi->nmem++; i > first; i--)
			m[i] = m[i - 1];
	} else {
		base = MIN(base, m[first].base);
		end = MAX(end, range_end(&m[last - 1]));
		gone = last - first - 1;
		for (i = first + 1; i + gone < bi->nmem; i++)
			m[i] = m[i + gone];
		bi->nmem -= gone;
	}
	m[first].base = base;
	m[first].size = end - base;
	m[first].type = type;
	return 0;
}

static int add_module(struct parser *p, u64 start, u64 end, u64 str_pa, u64 str_max)
{
	struct boot_module *mod;

	if (p->bi->nmods == BOOTINFO_MAX_MODS)
		return fail(p, "more than %u modules", BOOTINFO_MAX_MODS);
	mod = &p->bi->mods[p->bi->nmods];
	mod->start = start;
	mod->end = end;
	if (read_str(p, str_pa, str_max, mod->cmdline, "module"))
		return -1;
	p->bi->nmods++;
	return 0;
}

static int parse_v1(struct parser *p, u64 pa)
{
	const u8 *b = p->read(pa, MB1_INFO_SIZE, p->ctx);
	u32 flags, cmdline, nmods, mods, len, size, i;
	u64 addr, off;

	if (!b)
		return fail(p, "boot information at 0x%lx unreadable", pa);
	flags = ld32(b);
	cmdline = ld32(b + 16);
	nmods = ld32(b + 20);
	mods = ld32(b + 24);
	len = ld32(b + 44);
	addr = ld32(b + 48);

	if (!(flags & MB1_FLAG_MMAP))
		return fail(p, "no memory map");
	if ((flags & MB1_FLAG_CMDLINE) &&
	    read_str(p, cmdline, BOOTINFO_CMDLINE_MAX, p->bi->cmdline, "hypervisor"))
		return -1;

	for (i = 0; (flags & MB1_FLAG_MODS) && i < nmods; i++) {
		b = p->read(mods + (u64)i * MB1_MOD_SIZE, MB1_MOD_SIZE, p->ctx);
		if (!b)
			return fail(p, "module %u descriptor unreadable", i);
		if (add_module(p, ld32(b), ld32(b + 4), ld32(b + 8), BOOTINFO_CMDLINE_MAX))
			return -1;
	}

	for (off = 0, i = 0; off < len; off += 4 + size, i++) {
		if (len - off < MB1_MMAP_ENTRY)
			return fail(p, "memory map truncated at entry %u", i);
		b = p->read(addr + off, MB1_MMAP_ENTRY, p->ctx);
		if (!b)
			return fail(p, "memory map entry %u at 0x%lx unreadable", i, addr + off);
		size = ld32(b);
		if (size < MB1_MMAP_ENTRY - 4)
			return fail(p, "memory map entry %u has size %u < 20", i, size);
		if (size > len - off - 4)
			return fail(p, "memory map truncated at entry %u", i);
		if (add_range(p, i, ld64(b + 4), ld64(b + 12), ld32(b + 20)))
			return -1;
	}
	return 0;
}

static int parse_v2_mmap(struct parser *p, u64 pa, u32 size)
{
	const u8 *b;
	u32 esize, off, i;

	if (size < 16)
		return fail(p, "memory map tag at 0x%lx too small", pa);
	b = p->read(pa, 16, p->ctx);
	if (!b)
		return fail(p, "memory map tag at 0x%lx unreadable", pa);
	esize = ld32(b + 8);
	if (esize < MB2_MMAP_ENTRY)
		return fail(p, "memory map entry size %u < %u", esize, MB2_MMAP_ENTRY);

	for (off = 16, i = 0; off < size; off += esize, i++) {
		if (size - off < esize)
			return fail(p, "memory map truncated at entry %u", i);
		b = p->read(pa + off, MB2_MMAP_ENTRY, p->ctx);
		if (!b)
			return fail(p, "memory map entry %u at 0x%lx unreadable", i, pa + off);
		if (add_range(p, i, ld64(b), ld64(b + 8), ld32(b + 16)))
			return -1;
	}
	return 0;
}

static int parse_v2(struct parser *p, u64 pa)
{
	const u8 *b = p->read(pa, 8, p->ctx);
	u32 total, type, size;
	bool have_mmap = false;
	u64 off, tag;
	int ret;

	if (!b)
		return fail(p, "boot information at 0x%lx unreadable", pa);
	total = ld32(b);

	for (off = 8;; off = ALIGN_UP(off + size, 8)) {
		if (off + 8 > total)
			return fail(p, "tag list truncated: no end tag within %u bytes", total);
		tag = pa + off;
		b = p->read(tag, 8, p->ctx);
		if (!b)
			return fail(p, "tag at 0x%lx unreadable", tag);
		type = ld32(b);
		size = ld32(b + 4);
		if (size < 8)
			return fail(p, "tag type %u at 0x%lx has size %u < 8", type, tag, size);
		if (size > total - off)
			return fail(p, "tag type %u at 0x%lx overruns total size %u", type, tag,
				    total);

		switch (type) {
		case MB2_TAG_END:
			if (!have_mmap)
				return fail(p, "no memory map");
			return 0;
		case MB2_TAG_CMDLINE:
			ret = read_str(p, tag + 8, size - 8, p->bi->cmdline, "hypervisor");
			break;
		case MB2_TAG_MODULE:
			if (size < 16)
				return fail(p, "module tag at 0x%lx too small", tag);
			b = p->read(tag + 8, 8, p->ctx);
			if (!b)
				return fail(p, "module tag at 0x%lx unreadable", tag);
			ret = add_module(p, ld32(b), ld32(b + 4), tag + 16, size - 16);
			break;
		case MB2_TAG_MMAP:
			have_mmap = true;
			ret = parse_v2_mmap(p, tag, size);
			break;
		default:
			ret = 0;
		}
		if (ret)
			return ret;
	}
}

static bool in_ram(const struct boot_info *bi, u64 start, u64 end)
{
	u32 i;

	for (i = 0; i < bi->nmem; i++)
		if (bi->mem[i].type == MEM_RAM && bi->mem[i].base <= start &&
		    end <= range_end(&bi->mem[i]))
			return true;
	return false;
}

/* Modules are checked only once the whole map is known: multiboot2 may list
 * module tags before the memory map tag. */
static int check_modules(struct parser *p)
{
	const struct boot_module *m = p->bi->mods;
	u32 i, j;

	for (i = 0; i < p->bi->nmods; i++) {
		if (m[i].start >= m[i].end)
			return fail(p, "module %u '%s' has empty or inverted range [0x%lx,0x%lx)",
				    i, m[i].cmdline, m[i].start, m[i].end);
		if (!in_ram(p->bi, m[i].start, m[i].end))
			return fail(p, "module %u '%s' at [0x%lx,0x%lx) lies outside RAM", i,
				    m[i].cmdline, m[i].start, m[i].end);
		for (j = 0; j < i; j++)
			if (m[j].start < m[i].end && m[i].start < m[j].end)
				return fail(p, "module %u '%s' at [0x%lx,0x%lx) overlaps module %u",
					    i, m[i].cmdline, m[i].start, m[i].end, j);
	}
	return 0;
}

int bootinfo_parse(u32 magic, u64 info_pa, phys_reader read, void *ctx, struct boot_info *bi,
		   char *err, size_t errlen)
{
	struct parser p = {
	    .read = read,
	    .ctx = ctx,
	    .bi = bi,
	    .err = err,
	    .errlen = err ? errlen : 0,
	};
	u32 i;
	int ret;

	bi->cmdline[0] = 0;
	bi->nmem = 0;
	bi->nmods = 0;
	if (p.errlen)
		err[0] = 0;

	if (magic == MULTIBOOT_LOADER_MAGIC)
		ret = parse_v1(&p, info_pa);
	else if (magic == MULTIBOOT2_LOADER_MAGIC)
		ret = parse_v2(&p, info_pa);
	else
		return fail(&p, "unknown loader magic 0x%x", magic);
	if (ret)
		return ret;

	for (i = 0; i < bi->nmem && bi->mem[i].type != MEM_RAM; i++)
		;
	if (i == bi->nmem)
		return fail(&p, "memory map has no RAM");
	return check_modules(&p);
}
