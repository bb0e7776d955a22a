/* libFuzzer target for the ACPI code. The input is physical memory from
 * address 0. Random bytes never carry a valid checksum, so the input is also
 * XORed, from address 0x400 on (the firmware's part of low memory starts
 * within the first bytes, however short the input), over a small valid
 * image: EBDA segment at 0x40E -> 0x410, a revision 2 RSDP there, an RSDT
 * and an XSDT naming a FACP and a QEMU-like MADT. That image is scanned
 * as it comes and with the checksums of the layout recomputed (all, or
 * as the first input byte says) so that mutations get past them. The MADT
 * acpi_find_table() returns is edited in a copy and the result checked; the
 * input is also edited directly as a MADT, as it comes and XORed over the
 * base MADT with its header made valid, to reach the entry walk with any
 * entry list. The BSP's APIC id is input bytes 4-7 (0x404-0x407 in the
 * image, BIOS data area words nothing here reads). The reader hands
 * out an exact-size copy of each range, freed on the next call, so ASan
 * catches reads past a range and pointers kept across calls. */
#include <stdlib.h>
#include <string.h>

#include "acpi.h"

struct mem {
	const u8 *data;
	size_t size;
	void *last;
};

static const void *reader(u64 pa, u64 len, void *ctx)
{
	struct mem *m = ctx;

	free(m->last);
	m->last = NULL;
	if (pa > m->size || len > m->size - pa)
		return NULL;
	m->last = malloc(len ? len : 1);
	if (!m->last)
		abort();
	memcpy(m->last, m->data + pa, len);
	return m->last;
}

static u32 get32(const u8 *b)
{
	u32 v;

	memcpy(&v, b, 4);
	return v;
}

static u8 bytesum(const u8 *b, size_t n)
{
	u8 s = 0;

	while (n--)
		s += *b++;
	return s;
}

static void seal(u8 *b, size_t n, size_t at)
{
	b[at] = 0;
	b[at] = -bytesum(b, n);
}

/* The flags and id of a processor entry at e, or NULL for another type. */
static u8 *cpu_flags(u8 *e, u32 *id)
{
	if (e[0] == 0) {
		*id = e[3];
		return e + 4;
	}
	if (e[0] == 9) {
		*id = get32(e + 4);
		return e + 8;
	}
	return NULL;
}

static u8 *copy(const u8 *t, u32 len)
{
	u8 *c = malloc(len ? len : 1); /* exact size for ASan */

	if (!c)
		abort();
	memcpy(c, t, len);
	return c;
}

/* ACPI 6.5 §5.2.12.2-13: types 0-5, 9 and 10 */
static const u8 min_len[] = {8, 12, 10, 8, 6, 12, 0, 0, 0, 16, 12};

/* Edits a copy of t and checks the documented guarantees: a malformed table
 * is left alone; an accepted one was sound, comes back with its checksum
 * holding, no CPU but the BSP enabled or online capable, nothing else
 * changed and the counts right; and a second edit changes nothing. */
static void edit_and_check(const u8 *t, u32 len, u32 bsp)
{
	u8 *c = copy(t, len), *want = copy(t, len), *f;
	u32 hidden, off, elen, id, kept = 0, cleared = 0;
	int ret = acpi_madt_keep_only(c, len, bsp, &hidden);

	if (ret < 0) {
		if (ret != -1 || hidden || memcmp(c, t, len))
			abort();
		goto out;
	}
	if (len < 44 || memcmp(t, "APIC", 4) || get32(t + 4) != len || bytesum(t, len))
		abort();
	for (off = 44; off < len; off += elen) {
		if (len - off < 2)
			abort();
		elen = t[off + 1];
		if (elen < 2 || elen > len - off ||
		    (t[off] < sizeof(min_len) && elen < min_len[t[off]]))
			abort();
		f = cpu_flags(want + off, &id);
		if (!f)
			continue;
		if (id == bsp) {
			kept += *f & 1;
			continue;
		}
		if (*f & 3) {
			*f &= ~3;
			cleared++;
		}
		if (*cpu_flags(c + off, &id) & 3)
			abort(); /* another CPU still enabled or online capable */
	}
	want[9] = c[9];
	if ((u32)ret != kept || hidden != cleared || memcmp(c, want, len) || bytesum(c, len))
		abort();
	if (acpi_madt_keep_only(c, len, bsp, &hidden) != ret || hidden || memcmp(c, want, len))
		abort();
out:
	free(c);
	free(want);
}

/* The EBDA's first KiB when the segment at 0x40E is above 0x40, and the
 * BIOS area, on 16-byte boundaries. */
static bool in_scan_windows(const u8 *data, size_t size, u64 pa)
{
	u64 ebda = size >= 0x410 ? (u64)(data[0x40E] | data[0x40F] << 8) << 4 : 0;

	if (pa % 16)
		return false;
	if (pa >= 0xE0000 && pa < 0x100000)
		return true;
	return ebda > 0x400 && pa >= ebda && pa < ebda + 1024;
}

/* Looks for the MADT in the image as the hypervisor does; what is found
 * must be what was documented, and the MADT is then edited in a copy. */
static void run(const u8 *data, size_t size, u32 bsp)
{
	struct mem m = {data, size, NULL};
	u64 rsdp, pa;
	u32 len = 0xDEAD;

	rsdp = acpi_find_rsdp(reader, &m);
	if (rsdp && !in_scan_windows(data, size, rsdp))
		abort();
	if (rsdp &&
	    (rsdp + 20 > size || memcmp(data + rsdp, "RSD PTR ", 8) || bytesum(data + rsdp, 20)))
		abort();
	if (rsdp && data[rsdp + 15] >= 2 && (rsdp + 36 > size || bytesum(data + rsdp, 36)))
		abort();
	pa = acpi_find_table(reader, &m, rsdp, "APIC", &len);
	free(m.last);
	if (!pa) {
		if (len)
			abort();
		return;
	}
	if (len < 36 || len > ACPI_TABLE_MAX_LEN || pa > size || len > size - pa ||
	    memcmp(data + pa, "APIC", 4) || get32(data + pa + 4) != len || bytesum(data + pa, len))
		abort();
	edit_and_check(data + pa, len, bsp);
}

/* ---- base image ---- */

/* packed right after the BIOS data area, the parts mutations matter most in
 * first, so that short inputs reach them */
#define RSDP_PA 0x410
#define XSDT_PA 0x438
#define MADT_PA 0x470
#define RSDT_PA 0x520
#define FACP_PA 0x550

static u8 base[0x578];
static u32 madt_len;

static void put(u32 pa, const void *b, u32 n)
{
	memcpy(base + pa, b, n);
}

static void put32(u32 pa, u32 v)
{
	put(pa, &v, 4);
}

static void header(u32 pa, const char *sig, u32 len)
{
	put(pa, sig, 4);
	put32(pa + 4, len);
	base[pa + 8] = 1;
	put(pa + 10, "BOCHS BXPC    ", 14);
}

#define ENTRY(...) ((const u8[]){__VA_ARGS__}), sizeof((const u8[]){__VA_ARGS__})

static void build_base(void)
{
	static const u8 pci_irqs[] = {5, 9, 10, 11};
	u32 off = MADT_PA + 44;
	u8 i;

	base[0x40E] = RSDP_PA >> 4;
	put(RSDP_PA, "RSD PTR ", 8);
	put(RSDP_PA + 9, "BOCHS ", 6);
	base[RSDP_PA + 15] = 2;
	put32(RSDP_PA + 16, RSDT_PA);
	put32(RSDP_PA + 20, 36);
	put32(RSDP_PA + 24, XSDT_PA);
	header(RSDT_PA, "RSDT", 44);
	put32(RSDT_PA + 36, FACP_PA);
	put32(RSDT_PA + 40, MADT_PA);
	header(XSDT_PA, "XSDT", 52);
	put32(XSDT_PA + 36, FACP_PA);
	put32(XSDT_PA + 44, MADT_PA);
	header(FACP_PA, "FACP", 36);

	put32(MADT_PA + 36, 0xFEE00000);
	put32(MADT_PA + 40, 1);
	for (i = 0; i < 4; i++, off += 8)
		put(off, ENTRY(0, 8, i, i, 1, 0, 0, 0));
	put(off, ENTRY(1, 12, 0, 0, 0x00, 0x00, 0xC0, 0xFE, 0, 0, 0, 0));
	off += 12;
	put(off, ENTRY(2, 10, 0, 0, 2, 0, 0, 0, 0, 0));
	off += 10;
	for (i = 0; i < ARRAY_SIZE(pci_irqs); i++, off += 10)
		put(off, ENTRY(2, 10, 0, pci_irqs[i], pci_irqs[i], 0, 0, 0, 0x0D, 0));
	put(off, ENTRY(4, 6, 0xFF, 0, 0, 1));
	off += 6;
	/* what QEMU adds for a CPU with an APIC id above 254 */
	put(off, ENTRY(9, 16, 0, 0, 0x00, 0x01, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0));
	off += 16;
	put(off, ENTRY(10, 12, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 1, 0));
	off += 12;
	madt_len = off - MADT_PA;
	header(MADT_PA, "APIC", madt_len);
}

/* Recomputes the checksums of the base layout in the mutated image b: bit 0
 * of `which` is the RSDP's ACPI 1.0 checksum, bit 1 its extended one, bits
 * 2-5 the tables, so that one checksum at a time can be left wrong. */
static void reseal(u8 *b, size_t n, u8 which)
{
	static const u32 tables[] = {XSDT_PA, MADT_PA, RSDT_PA, FACP_PA};
	u32 i, len;

	if (n >= RSDP_PA + 36 && which & 1)
		seal(b + RSDP_PA, 20, 8);
	if (n >= RSDP_PA + 36 && which & 2)
		seal(b + RSDP_PA, 36, 32);
	for (i = 0; i < ARRAY_SIZE(tables); i++) {
		if (n < tables[i] + 36 || !(which & 4 << i))
			continue;
		len = get32(b + tables[i] + 4);
		if (len >= 36 && len <= n - tables[i])
			seal(b + tables[i], len, 9);
	}
}

/* base XOR data placed at `at`, in an exact-size buffer of n bytes so that
 * ASan sees any read past the end. */
static u8 *overlay(const u8 *base_img, size_t base_size, const u8 *data, size_t size, size_t at,
		   size_t n)
{
	u8 *buf = malloc(n ? n : 1);
	size_t i;

	if (!buf)
		abort();
	for (i = 0; i < n; i++)
		buf[i] = (i < base_size ? base_img[i] : 0) ^
			 (i >= at && i - at < size ? data[i - at] : 0);
	return buf;
}

#define OVERLAY_AT 0x400

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static bool built;
	u32 bsp = size >= 8 ? get32(data + 4) : 0;
	size_t n;
	u8 *buf;

	if (!built) {
		build_base();
		reseal(base, sizeof(base), 0xFF);
		built = true;
	}
	run(data, size, bsp);
	edit_and_check(data, size, bsp);

	n = MAX(OVERLAY_AT + size, sizeof(base));
	buf = overlay(base, sizeof(base), data, size, OVERLAY_AT, n);
	run(buf, n, bsp);
	reseal(buf, n, size ? ~data[0] : 0xFF);
	run(buf, n, bsp);
	free(buf);

	n = MAX(size, madt_len);
	buf = overlay(base + MADT_PA, madt_len, data, size, 0, n);
	memcpy(buf, "APIC", 4);
	memcpy(buf + 4, &(u32){n}, 4);
	seal(buf, n, 9);
	edit_and_check(buf, n, bsp);
	free(buf);
	return 0;
}
