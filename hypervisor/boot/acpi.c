/* ACPI table discovery and the MADT edit that keeps the root partition on the
 * bootstrap CPU. The firmware's tables are untrusted input: they are only
 * read through the caller's reader, every length is checked before it is
 * used, and a table is believed only once its checksum holds. Section
 * numbers are those of ACPI 6.5. */
#include "acpi.h"

/* §5.2.5.1: where a BIOS leaves the RSDP */
#define EBDA_SEG_PTR  0x40E
#define EBDA_SCAN_LEN 1024
#define BIOS_AREA     0xE0000
#define BIOS_AREA_LEN 0x20000
#define RSDP_ALIGN    16

/* §5.2.5.3: the RSDP */
#define RSDP_V1_LEN   20
#define RSDP_V2_LEN   36
#define RSDP_REVISION 15
#define RSDP_RSDT     16
#define RSDP_XSDT     24

/* §5.2.6: the header of every other table */
#define SDT_HDR_LEN  36
#define SDT_LENGTH   4
#define SDT_CHECKSUM 9

/* §5.2.12: the MADT */
#define MADT_ENTRIES   44
#define MADT_LAPIC     0
#define MADT_X2APIC    9
#define LAPIC_ID       3
#define LAPIC_FLAGS    4
#define X2APIC_ID      4
#define X2APIC_FLAGS   8
#define CPU_ENABLED    0x01 /* §5.2.12.2 Local APIC Flags */
#define CPU_ONLINE_CAP 0x02 /* ACPI 6.3+: may be enabled at runtime */

/* Tables may sit at any address: assemble little-endian values bytewise
 * instead of doing misaligned loads. */
static u32 ld32(const u8 *b)
{
	return b[0] | b[1] << 8 | b[2] << 16 | (u32)b[3] << 24;
}

static u64 ld64(const u8 *b)
{
	return ld32(b) | (u64)ld32(b + 4) << 32;
}

static bool same(const u8 *b, const char *s, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++)
		if (b[i] != (u8)s[i])
			return false;
	return true;
}

/* ACPI checksums: a structure is valid when its bytes sum to 0 mod 256. */
static u8 sum(const u8 *b, u32 n)
{
	u8 s = 0;

	while (n--)
		s += *b++;
	return s;
}

/* Copies a valid RSDP at pa into r, zero-filling past a revision 0 one.
 * From revision 2 the extended checksum is checked over the fixed 36 bytes,
 * not over the Length field: Linux's boot stub does the same, and it must
 * settle on the RSDP whose tables are edited here. */
static bool rsdp_read(phys_reader read, void *ctx, u64 pa, u8 r[RSDP_V2_LEN])
{
	const u8 *b = read(pa, RSDP_V1_LEN, ctx);
	u32 n = RSDP_V1_LEN, i;

	if (!b || !same(b, "RSD PTR ", 8) || sum(b, RSDP_V1_LEN))
		return false;
	if (b[RSDP_REVISION] >= 2) {
		n = RSDP_V2_LEN;
		b = read(pa, n, ctx);
		if (!b || sum(b, n))
			return false;
	}
	for (i = 0; i < RSDP_V2_LEN; i++)
		r[i] = i < n ? b[i] : 0;
	return true;
}

/* Candidates near the end of readable memory are skipped when the reader
 * cannot supply the whole RSDP. */
static u64 scan_rsdp(phys_reader read, void *ctx, u64 start, u64 len)
{
	u8 r[RSDP_V2_LEN];
	u64 pa;

	for (pa = start; pa < start + len; pa += RSDP_ALIGN)
		if (rsdp_read(read, ctx, pa, r))
			return pa;
	return 0;
}

u64 acpi_find_rsdp(phys_reader read, void *ctx)
{
	const u8 *b = read(EBDA_SEG_PTR, 2, ctx);
	u64 ebda = b ? (u64)(b[0] | b[1] << 8) << 4 : 0;
	u64 pa = 0;

	/* A segment pointing at the BIOS data area or below means no EBDA;
	 * like Linux's boot stub, any higher one is scanned. */
	if (ebda > 0x400)
		pa = scan_rsdp(read, ctx, ebda, EBDA_SCAN_LEN);
	if (!pa)
		pa = scan_rsdp(read, ctx, BIOS_AREA, BIOS_AREA_LEN);
	return pa;
}

/* Checks the table at pa against what §5.2.6 promises of any table: the
 * expected signature, a length covering at least the header, bytes summing
 * to 0. Returns its length, or 0 when it is absent (address 0), unreadable
 * or broken. */
static u32 table_check(phys_reader read, void *ctx, u64 pa, const char *sig)
{
	const u8 *b;
	u32 len;

	if (!pa)
		return 0;
	b = read(pa, SDT_HDR_LEN, ctx);
	if (!b || !same(b, sig, 4))
		return 0;
	len = ld32(b + SDT_LENGTH);
	if (len < SDT_HDR_LEN || len > ACPI_TABLE_MAX_LEN)
		return 0;
	b = read(pa, len, ctx);
	if (!b || sum(b, len))
		return 0;
	return len;
}

u64 acpi_find_table(phys_reader read, void *ctx, u64 rsdp, const char sig[4], u32 *len)
{
	u8 r[RSDP_V2_LEN];
	const u8 *b;
	const char *root_sig = "RSDT";
	u64 root, pa;
	u32 root_len, esize = 4, off, n;

	*len = 0;
	if (!rsdp_read(read, ctx, rsdp, r))
		return 0;
	/* §5.2.5.3: from revision 2 an XSDT, when given, supersedes the RSDT. */
	root = ld32(r + RSDP_RSDT);
	if (r[RSDP_REVISION] >= 2 && ld64(r + RSDP_XSDT)) {
		root = ld64(r + RSDP_XSDT);
		root_sig = "XSDT";
		esize = 8;
	}
	root_len = table_check(read, ctx, root, root_sig);
	if (!root_len)
		return 0;

	/* §5.2.7/§5.2.8: entries follow the header; a partial one at the end is
	 * not an entry. A table that does not check is skipped, as Linux
	 * refuses to install it and goes on to the next. */
	for (off = SDT_HDR_LEN; root_len - off >= esize; off += esize) {
		b = read(root + off, esize, ctx);
		if (!b)
			return 0;
		pa = esize == 8 ? ld64(b) : ld32(b);
		n = table_check(read, ctx, pa, sig);
		if (n) {
			*len = n;
			return pa;
		}
	}
	return 0;
}

/* Minimum lengths of the entry types an x86 kernel parses (§5.2.12.2-13);
 * 0 for the types it ignores, which need only the 2-byte entry header. */
static const u8 madt_min_len[] = {
    [0] = 8,   /* Processor Local APIC */
    [1] = 12,  /* I/O APIC */
    [2] = 10,  /* Interrupt Source Override */
    [3] = 8,   /* NMI Source */
    [4] = 6,   /* Local APIC NMI */
    [5] = 12,  /* Local APIC Address Override */
    [9] = 16,  /* Processor Local x2APIC */
    [10] = 12, /* Local x2APIC NMI */
};

/* The whole table is checked before anything is written, so a malformed one
 * is left exactly as the firmware made it. */
static bool madt_sound(const u8 *m, u32 len)
{
	u32 off, elen;

	if (len < MADT_ENTRIES || !same(m, "APIC", 4) || ld32(m + SDT_LENGTH) != len || sum(m, len))
		return false;
	for (off = MADT_ENTRIES; off < len; off += elen) {
		if (len - off < 2)
			return false;
		elen = m[off + 1];
		if (elen < 2 || elen > len - off)
			return false;
		if (m[off] < ARRAY_SIZE(madt_min_len) && elen < madt_min_len[m[off]])
			return false;
	}
	return true;
}

int acpi_madt_keep_only(u8 *madt, u32 len, u32 bsp_apic_id, u32 *hidden)
{
	u32 off, id;
	u8 *e, *flags;
	int kept = 0;

	*hidden = 0;
	if (!madt_sound(madt, len))
		return -1;
	for (off = MADT_ENTRIES; off < len; off += e[1]) {
		e = madt + off;
		if (e[0] == MADT_LAPIC) {
			id = e[LAPIC_ID];
			flags = e + LAPIC_FLAGS;
		} else if (e[0] == MADT_X2APIC) {
			id = ld32(e + X2APIC_ID);
			flags = e + X2APIC_FLAGS;
		} else {
			continue;
		}
		if (id == bsp_apic_id) {
			if (*flags & CPU_ENABLED)
				kept++;
			continue;
		}
		/* Both bits live in the low byte of the little-endian u32.
		 * Online Capable goes too, or Linux would still count the CPU
		 * as one it may bring up later. */
		if (*flags & (CPU_ENABLED | CPU_ONLINE_CAP)) {
			*flags &= ~(CPU_ENABLED | CPU_ONLINE_CAP);
			(*hidden)++;
		}
	}
	madt[SDT_CHECKSUM] = 0;
	madt[SDT_CHECKSUM] = -sum(madt, len);
	return kept;
}
