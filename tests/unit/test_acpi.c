/* Unit tests for the ACPI code: fake firmware is built in a buffer standing
 * in for physical memory 0..4 MiB (the BIOS areas below 1 MiB, tables above,
 * as SeaBIOS puts them high). The reader hands out an exact-size copy of
 * each range and frees it on the next call, so ASan catches both a read past
 * what was asked for and a pointer kept across calls. MADTs are edited at
 * the end of exact-size heap chunks for the same reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* needs the four above first */
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acpi.h"

#define MEM_SIZE  (4ULL << 20)
#define EBDA	  0x9FC00ULL /* where SeaBIOS puts it with 640 KiB of low RAM */
#define BIOS_RSDP 0xF5A20ULL
#define HIGH	  0x100000ULL /* tables go from here */
/* where the flags sit in a Processor Local APIC / x2APIC entry */
#define LAPIC_FLAGS  4
#define X2APIC_FLAGS 8

static u8 *mem;
static u64 mem_limit; /* readable bytes; tests shrink it to cut memory off */
static void *last_copy;
/* Why the current test failed, for the FAIL line printed by main(). */
static char reason[256];

static const void *reader(u64 pa, u64 len, void *ctx)
{
	(void)ctx;
	free(last_copy);
	last_copy = NULL;
	if (pa > mem_limit || len > mem_limit - pa)
		return NULL;
	last_copy = malloc(len);
	assert_non_null(last_copy);
	memcpy(last_copy, mem + pa, len);
	return last_copy;
}

static void expect_eq(int line, const char *what, u64 got, u64 want)
{
	if (got == want)
		return;
	snprintf(reason, sizeof(reason), "line %d: %s is 0x%llx, want 0x%llx", line, what,
		 (unsigned long long)got, (unsigned long long)want);
	fail_msg("%s", reason);
}

#define EXPECT_EQ(got, want) expect_eq(__LINE__, #got, (u64)(got), (u64)(want))

static int setup(void **state)
{
	(void)state;
	memset(mem, 0, MEM_SIZE);
	mem_limit = MEM_SIZE;
	/* BDA word 0x40E: the EBDA's segment */
	mem[0x40E] = (EBDA >> 4) & 0xFF;
	mem[0x40F] = EBDA >> 12;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(last_copy);
	last_copy = NULL;
	return 0;
}

static void w16(u64 pa, u16 v)
{
	memcpy(mem + pa, &v, 2);
}

static void w32(u64 pa, u32 v)
{
	memcpy(mem + pa, &v, 4);
}

static void w64(u64 pa, u64 v)
{
	memcpy(mem + pa, &v, 8);
}

static u8 bytesum(const u8 *b, u64 n)
{
	u8 s = 0;

	while (n--)
		s += *b++;
	return s;
}

/* Sets the byte at `at` so that [start, start+n) sums to 0. */
static void seal(u8 *start, u64 n, u64 at)
{
	start[at] = 0;
	start[at] = -bytesum(start, n);
}

static void put_rsdp(u64 pa, u8 rev, u32 rsdt, u64 xsdt)
{
	memcpy(mem + pa, "RSD PTR ", 8);
	memcpy(mem + pa + 9, "BOCHS ", 6);
	mem[pa + 15] = rev;
	w32(pa + 16, rsdt);
	if (rev < 2) {
		seal(mem + pa, 20, 8);
		return;
	}
	w32(pa + 20, 36);
	w64(pa + 24, xsdt);
	seal(mem + pa, 20, 8);
	seal(mem + pa, 36, 32);
}

/* Writes a header for a body already in place and seals the table. */
static void put_table(u64 pa, const char *sig, u32 len)
{
	memcpy(mem + pa, sig, 4);
	w32(pa + 4, len);
	mem[pa + 8] = 1;
	memcpy(mem + pa + 10, "BOCHS BXPC    ", 14);
	seal(mem + pa, len, 9);
}

static void put_root(u64 pa, const char *sig, const u64 *entries, u32 n)
{
	u32 esize = sig[0] == 'X' ? 8 : 4, i;

	for (i = 0; i < n; i++)
		memcpy(mem + pa + 36 + i * esize, &entries[i], esize);
	put_table(pa, sig, 36 + n * esize);
}

/* ---- MADTs ---- */

#define ENTRY(...) ((const u8[]){__VA_ARGS__}), sizeof((const u8[]){__VA_ARGS__})

struct madt {
	u8 b[1024];
	u32 len;
};

static void madt_begin(struct madt *m)
{
	memset(m, 0, sizeof(*m));
	memcpy(m->b + 36, (const u8[]){0x00, 0x00, 0xE0, 0xFE, 1, 0, 0, 0}, 8);
	m->len = 44;
}

static void madt_add(struct madt *m, const u8 *e, u32 n)
{
	assert_true(m->len + n <= sizeof(m->b));
	memcpy(m->b + m->len, e, n);
	m->len += n;
}

static void madt_end(struct madt *m)
{
	memcpy(m->b, "APIC", 4);
	memcpy(m->b + 4, &m->len, 4);
	m->b[8] = 3;
	memcpy(m->b + 10, "BOCHS BXPC    ", 14);
	seal(m->b, m->len, 9);
}

/* What QEMU's build_madt() emits for `-smp n`: a Processor Local APIC per
 * CPU, the I/O APIC, IRQ0 -> GSI2 and the level-triggered PCI IRQs, and one
 * Local APIC NMI for all processors on LINT1. */
static void qemu_madt(struct madt *m, u8 ncpus)
{
	static const u8 pci_irqs[] = {5, 9, 10, 11};
	u8 i;

	madt_begin(m);
	for (i = 0; i < ncpus; i++)
		madt_add(m, ENTRY(0, 8, i, i, 1, 0, 0, 0));
	madt_add(m, ENTRY(1, 12, 0, 0, 0x00, 0x00, 0xC0, 0xFE, 0, 0, 0, 0));
	madt_add(m, ENTRY(2, 10, 0, 0, 2, 0, 0, 0, 0, 0));
	for (i = 0; i < ARRAY_SIZE(pci_irqs); i++)
		madt_add(m, ENTRY(2, 10, 0, pci_irqs[i], pci_irqs[i], 0, 0, 0, 0x0D, 0));
	madt_add(m, ENTRY(4, 6, 0xFF, 0, 0, 1));
	madt_end(m);
}

/* Runs acpi_madt_keep_only() on a copy at the end of an exact-size chunk;
 * the edited table is left in *out (to be freed). */
static int keep_only(const struct madt *m, u32 len, u32 bsp, u32 *hidden, u8 **out)
{
	u8 *t = malloc(len ? len : 1);
	int ret;

	assert_non_null(t);
	memcpy(t, m->b, len);
	*hidden = 0xDEAD;
	ret = acpi_madt_keep_only(t, len, bsp, hidden);
	*out = t;
	return ret;
}

/* The flags of a processor entry at off in an edited table, or -1 when the
 * entry is some other type. */
static s64 cpu_flags(const u8 *t, u32 off, u32 *id)
{
	u32 v;

	if (t[off] == 0) {
		*id = t[off + 3];
		memcpy(&v, t + off + LAPIC_FLAGS, 4);
		return v;
	}
	if (t[off] == 9) {
		memcpy(id, t + off + 4, 4);
		memcpy(&v, t + off + X2APIC_FLAGS, 4);
		return v;
	}
	return -1;
}

/* After a successful edit: the checksum holds, only Enabled / Online Capable
 * of other CPUs' entries changed, and the counts match the table. */
static void check_edit(int line, const struct madt *m, const u8 *t, u32 bsp, int ret, u32 hidden)
{
	u32 off, e, id, n_hidden = 0, n_kept = 0;
	s64 before, after;

	if (bytesum(t, m->len)) {
		snprintf(reason, sizeof(reason), "line %d: checksum wrong after edit", line);
		fail_msg("%s", reason);
	}
	for (off = 44; off < m->len; off += m->b[off + 1]) {
		before = cpu_flags(m->b, off, &id);
		after = cpu_flags(t, off, &id);
		if (before < 0)
			continue;
		if (id == bsp) {
			expect_eq(line, "BSP flags", after, before);
			n_kept += after & 1;
			continue;
		}
		expect_eq(line, "AP flags", after, before & ~3);
		n_hidden += (before & 3) != 0;
	}
	for (off = 0; off < m->len; off++) {
		if (off == 9 || t[off] == m->b[off])
			continue;
		if (off < 44) {
			snprintf(reason, sizeof(reason), "line %d: header byte %u changed", line,
				 off);
			fail_msg("%s", reason);
		}
		for (e = 44; e + m->b[e + 1] <= off; e += m->b[e + 1])
			;
		expect_eq(line, "type of an entry with a changed byte",
			  m->b[e] == 0 || m->b[e] == 9, 1);
		expect_eq(line, "offset of a changed byte in its entry", off - e,
			  m->b[e] ? X2APIC_FLAGS : LAPIC_FLAGS);
	}
	expect_eq(line, "kept", ret, n_kept);
	expect_eq(line, "hidden", hidden, n_hidden);
}

/* A malformed table: -1, *hidden 0 and not one byte changed. */
static void check_refused(int line, const struct madt *m, u32 len, u32 bsp)
{
	u32 hidden;
	u8 *t;
	int ret = keep_only(m, len, bsp, &hidden, &t);

	expect_eq(line, "return", (u64)(s64)ret, (u64)-1);
	expect_eq(line, "hidden", hidden, 0);
	expect_eq(line, "table unchanged", memcmp(t, m->b, len) != 0, 0);
	free(t);
}

#define KEEP_ONLY(m, bsp, want_kept, want_hidden)                                                  \
	do {                                                                                       \
		u32 hidden_;                                                                       \
		u8 *t_;                                                                            \
		int ret_ = keep_only(m, (m)->len, bsp, &hidden_, &t_);                             \
		check_edit(__LINE__, m, t_, bsp, ret_, hidden_);                                   \
		expect_eq(__LINE__, "kept", ret_, want_kept);                                      \
		expect_eq(__LINE__, "hidden", hidden_, want_hidden);                               \
		free(t_);                                                                          \
	} while (0)
#define REFUSED(m, len, bsp) check_refused(__LINE__, m, len, bsp)

/* ---- RSDP ---- */

static void test_rsdp_in_ebda(void **state)
{
	(void)state;
	put_rsdp(EBDA + 0x40, 0, 0x7FFE0000, 0);
	put_rsdp(BIOS_RSDP, 2, 0x7FFE0000, 0x7FFE1000);
	/* the EBDA comes first */
	EXPECT_EQ(acpi_find_rsdp(reader, NULL), EBDA + 0x40);
	/* its last paragraph is scanned, the RSDP may run past the KiB */
	memset(mem + EBDA + 0x40, 0, 20);
	put_rsdp(EBDA + 0x3F0, 2, 0x7FFE0000, 0x7FFE1000);
	EXPECT_EQ(acpi_find_rsdp(reader, NULL), EBDA + 0x3F0);
	/* past the first KiB is not the EBDA any more */
	memset(mem + EBDA + 0x3F0, 0, 36);
	put_rsdp(EBDA + 0x400, 0, 0x7FFE0000, 0);
	EXPECT_EQ(acpi_find_rsdp(reader, NULL), BIOS_RSDP);
}

static void test_rsdp_in_bios_area(void **state)
{
	(void)state;
	EXPECT_EQ(acpi_find_rsdp(reader, NULL), 0);
	put_rsdp(BIOS_RSDP, 0, 0x7FFE0000, 0);
	EXPECT_EQ(acpi_find_rsdp(reader, NULL), BIOS_RSDP);
	/* the lowest address wins */
	put_rsdp(0xE0000, 2, 0x7FFE0000, 0x7FFE1000);
	EXPECT_EQ(acpi_find_rsdp(reader, NULL), 0xE0000);
	memset(mem + 0xE0000, 0, 36);
	memset(mem + BIOS_RSDP, 0, 20);
	/* the last paragraph, with the 36 bytes ending at 1 MiB */
	put_rsdp(0xFFFE0, 2, 0x7FFE0000, 0x7FFE1000);
	EXPECT_EQ(acpi_find_rsdp(reader, NULL), 0xFFFE0);
	memset(mem + 0xFFFE0, 0, 36);
	/* off a 16-byte boundary, it is not looked for */
	put_rsdp(BIOS_RSDP + 8, 0, 0x7FFE0000, 0);
	EXPECT_EQ(acpi_find_rsdp(reader, NULL), 0);
	/* nor below the BIOS area, outside the EBDA */
	put_rsdp(0xDFFF0, 0, 0x7FFE0000, 0);
	EXPECT_EQ(acpi_find_rsdp(reader, NULL), 0);
}

static void test_rsdp_bad_checksums(void **state)
{
	(void)state;
	put_rsdp(0xE0000, 0, 0x7FFE0000, 0);
	mem[0xE0000 + 16] ^= 1; /* ACPI 1.0 checksum */
	put_rsdp(0xE0040, 2, 0x7FFE0000, 0x7FFE1000);
	mem[0xE0040 + 24] ^= 1; /* only the extended checksum */
	put_rsdp(0xE0080, 2, 0x7FFE0000, 0x7FFE1000);
	mem[0xE0080 + 35] ^= 1; /* a reserved byte counts too */
	put_rsdp(0xE00C0, 2, 0x7FFE0000, 0x7FFE1000);
	memcpy(mem + 0xE00C0, "RSD PTR_", 8);
	seal(mem + 0xE00C0, 20, 8);
	seal(mem + 0xE00C0, 36, 32);
	EXPECT_EQ(acpi_find_rsdp(reader, NULL), 0);
	/* a revision 1 RSDP needs no extended checksum, whatever follows it */
	put_rsdp(0xE0100, 1, 0x7FFE0000, 0);
	mem[0xE0100 + 32] = 0x55;
	EXPECT_EQ(acpi_find_rsdp(reader, NULL), 0xE0100);
	/* a bad one in the EBDA does not hide a good one in the BIOS area */
	put_rsdp(EBDA, 0, 0x7FFE0000, 0);
	mem[EBDA + 9] ^= 1;
	EXPECT_EQ(acpi_find_rsdp(reader, NULL), 0xE0100);
}

static void test_rsdp_ebda_pointer(void **state)
{
	(void)state;
	/* segment 0: no EBDA, low memory is not scanned */
	w16(0x40E, 0);
	put_rsdp(0x100, 0, 0x7FFE0000, 0);
	EXPECT_EQ(acpi_find_rsdp(reader, NULL), 0);
	/* 0x400 is the BIOS data area itself: Linux skips it too */
	w16(0x40E, 0x40);
	put_rsdp(0x420, 0, 0x7FFE0000, 0);
	EXPECT_EQ(acpi_find_rsdp(reader, NULL), 0);
	/* the first paragraph above it is scanned */
	w16(0x40E, 0x41);
	EXPECT_EQ(acpi_find_rsdp(reader, NULL), 0x420);
	/* the top segment's KiB runs past 1 MiB */
	memset(mem + 0x420, 0, 20);
	w16(0x40E, 0xFFFF);
	put_rsdp(0x100100, 0, 0x7FFE0000, 0);
	EXPECT_EQ(acpi_find_rsdp(reader, NULL), 0x100100);
}

static void test_rsdp_unreadable(void **state)
{
	(void)state;
	/* a revision 0 RSDP in the last paragraph reads 4 bytes past 1 MiB */
	put_rsdp(0xFFFF0, 0, 0x7FFE0000, 0);
	mem_limit = 0x100000;
	EXPECT_EQ(acpi_find_rsdp(reader, NULL), 0);
	mem_limit = 0x100004;
	EXPECT_EQ(acpi_find_rsdp(reader, NULL), 0xFFFF0);
	/* revision 2: the first 20 bytes readable, not the 36 */
	memset(mem + 0xFFFF0, 0, 16);
	put_rsdp(0xFFFE0, 2, 0x7FFE0000, 0x7FFE1000);
	mem_limit = 0xFFFE0 + 35;
	EXPECT_EQ(acpi_find_rsdp(reader, NULL), 0);
	mem_limit = 0xFFFE0 + 36;
	EXPECT_EQ(acpi_find_rsdp(reader, NULL), 0xFFFE0);
	/* no low memory at all, not even the EBDA pointer */
	mem_limit = 0x40F;
	EXPECT_EQ(acpi_find_rsdp(reader, NULL), 0);
	mem_limit = 0;
	EXPECT_EQ(acpi_find_rsdp(reader, NULL), 0);
}

/* ---- tables ---- */

#define RSDP	 BIOS_RSDP
#define RSDT	 (HIGH + 0x0000)
#define XSDT	 (HIGH + 0x1000)
#define FACP	 (HIGH + 0x2000)
#define APIC	 (HIGH + 0x3000)
#define APIC2	 (HIGH + 0x4000)
#define BIG	 (HIGH + 0x100000)
#define FAR_AWAY 0xFFFFF000ULL

static void put_madt(u64 pa, const struct madt *m)
{
	memcpy(mem + pa, m->b, m->len);
}

static void put_facp(u64 pa)
{
	put_table(pa, "FACP", 116);
}

static u64 find(const char *sig, u32 *len)
{
	*len = 0xDEAD;
	return acpi_find_table(reader, NULL, RSDP, sig, len);
}

static void test_table_rsdt(void **state)
{
	struct madt m;
	u32 len;

	(void)state;
	qemu_madt(&m, 2);
	put_madt(APIC, &m);
	put_facp(FACP);
	put_root(RSDT, "RSDT", (const u64[]){FACP, APIC}, 2);
	put_rsdp(RSDP, 0, RSDT, 0);
	EXPECT_EQ(find("APIC", &len), APIC);
	EXPECT_EQ(len, m.len);
	EXPECT_EQ(find("FACP", &len), FACP);
	EXPECT_EQ(len, 116);
	EXPECT_EQ(find("HPET", &len), 0);
	EXPECT_EQ(len, 0);
	/* before revision 2 an XSDT address is not looked at */
	put_root(XSDT, "XSDT", (const u64[]){FACP}, 1);
	put_rsdp(RSDP, 1, RSDT, 0);
	w64(RSDP + 24, XSDT);
	EXPECT_EQ(find("APIC", &len), APIC);
}

static void test_table_xsdt(void **state)
{
	struct madt m, decoy;
	u32 len;

	(void)state;
	qemu_madt(&m, 4);
	qemu_madt(&decoy, 2);
	put_madt(APIC, &m);
	put_madt(APIC2, &decoy);
	put_facp(FACP);
	put_root(RSDT, "RSDT", (const u64[]){FACP, APIC2}, 2);
	put_root(XSDT, "XSDT", (const u64[]){FACP, APIC}, 2);
	put_rsdp(RSDP, 2, RSDT, XSDT);
	EXPECT_EQ(find("APIC", &len), APIC);
	EXPECT_EQ(len, m.len);
	/* revision 2 without an XSDT address falls back to the RSDT */
	put_rsdp(RSDP, 2, RSDT, 0);
	EXPECT_EQ(find("APIC", &len), APIC2);
	EXPECT_EQ(len, decoy.len);
	/* an XSDT entry is 64 bits; an RSDT one at the same place is not */
	put_root(XSDT, "XSDT", (const u64[]){APIC | 1ULL << 32, APIC}, 2);
	put_rsdp(RSDP, 2, RSDT, XSDT);
	EXPECT_EQ(find("APIC", &len), APIC);
	put_root(XSDT, "XSDT", (const u64[]){APIC | 1ULL << 32}, 1);
	EXPECT_EQ(find("APIC", &len), 0);
	/* an RSDP that is not valid any more is refused */
	put_root(XSDT, "XSDT", (const u64[]){APIC}, 1);
	EXPECT_EQ(find("APIC", &len), APIC);
	mem[RSDP + 30] ^= 1;
	EXPECT_EQ(find("APIC", &len), 0);
	EXPECT_EQ(acpi_find_table(reader, NULL, 0, "APIC", &len), 0);
}

static void test_table_bad_checksum(void **state)
{
	struct madt m;
	u32 len;

	(void)state;
	qemu_madt(&m, 2);
	put_madt(APIC, &m);
	put_madt(APIC2, &m);
	mem[APIC + 50] ^= 1;
	put_facp(FACP);
	put_root(XSDT, "XSDT", (const u64[]){FACP, APIC, APIC2}, 3);
	put_rsdp(RSDP, 2, 0, XSDT);
	/* the first MADT does not check: the next one is taken */
	EXPECT_EQ(find("APIC", &len), APIC2);
	put_root(XSDT, "XSDT", (const u64[]){FACP, APIC}, 2);
	EXPECT_EQ(find("APIC", &len), 0);
	EXPECT_EQ(len, 0);
	/* a root table that does not check is not walked */
	put_root(XSDT, "XSDT", (const u64[]){FACP, APIC2}, 2);
	EXPECT_EQ(find("APIC", &len), APIC2);
	mem[XSDT + 40] ^= 0x80;
	EXPECT_EQ(find("APIC", &len), 0);
	/* nor one with the other root's signature */
	put_table(XSDT, "RSDT", 36 + 16);
	EXPECT_EQ(find("APIC", &len), 0);
}

static void test_table_bad_length(void **state)
{
	static const u32 bad[] = {0, 35, ACPI_TABLE_MAX_LEN + 1, 0xFFFFFFFF};
	struct madt m;
	u32 len, i;

	(void)state;
	qemu_madt(&m, 2);
	put_facp(FACP);
	put_root(RSDT, "RSDT", (const u64[]){FACP, APIC}, 2);
	put_rsdp(RSDP, 0, RSDT, 0);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		put_madt(APIC, &m);
		w32(APIC + 4, bad[i]);
		seal(mem + APIC, m.len, 9);
		EXPECT_EQ(find("APIC", &len), 0);
	}
	/* the largest length taken, one more refused though it reads fine */
	put_madt(BIG, &m);
	put_root(RSDT, "RSDT", (const u64[]){FACP, BIG}, 2);
	w32(BIG + 4, ACPI_TABLE_MAX_LEN);
	seal(mem + BIG, ACPI_TABLE_MAX_LEN, 9);
	EXPECT_EQ(find("APIC", &len), BIG);
	EXPECT_EQ(len, ACPI_TABLE_MAX_LEN);
	w32(BIG + 4, ACPI_TABLE_MAX_LEN + 1);
	seal(mem + BIG, ACPI_TABLE_MAX_LEN + 1, 9);
	EXPECT_EQ(find("APIC", &len), 0);
	/* a length running past the end of memory */
	put_madt(MEM_SIZE - m.len, &m);
	put_root(RSDT, "RSDT", (const u64[]){FACP, MEM_SIZE - m.len}, 2);
	EXPECT_EQ(find("APIC", &len), MEM_SIZE - m.len);
	w32(MEM_SIZE - m.len + 4, m.len + 1);
	mem[MEM_SIZE - m.len + 9]--;
	EXPECT_EQ(find("APIC", &len), 0);
	/* a header cut off by the end of memory */
	put_root(RSDT, "RSDT", (const u64[]){FACP, MEM_SIZE - 20}, 2);
	memcpy(mem + MEM_SIZE - 20, "APIC", 4);
	EXPECT_EQ(find("APIC", &len), 0);
	/* the root table's own length */
	put_madt(APIC, &m);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		put_root(RSDT, "RSDT", (const u64[]){FACP, APIC}, 2);
		w32(RSDT + 4, bad[i]);
		seal(mem + RSDT, 44, 9);
		EXPECT_EQ(find("APIC", &len), 0);
	}
	/* a partial last entry is not one: the length cuts APIC's address */
	put_root(RSDT, "RSDT", (const u64[]){FACP, APIC}, 2);
	EXPECT_EQ(find("APIC", &len), APIC);
	w32(RSDT + 4, 43);
	seal(mem + RSDT, 43, 9);
	EXPECT_EQ(find("APIC", &len), 0);
	EXPECT_EQ(find("FACP", &len), FACP);
}

static void test_table_outside_memory(void **state)
{
	struct madt m;
	u32 len;

	(void)state;
	qemu_madt(&m, 2);
	put_madt(APIC, &m);
	/* entries that are null, beyond memory or wrapping are skipped */
	put_root(RSDT, "RSDT", (const u64[]){0, FAR_AWAY, MEM_SIZE - 35, APIC}, 4);
	put_rsdp(RSDP, 0, RSDT, 0);
	EXPECT_EQ(find("APIC", &len), APIC);
	put_root(XSDT, "XSDT", (const u64[]){1ULL << 40, ~0ULL - 15, APIC}, 3);
	put_rsdp(RSDP, 2, RSDT, XSDT);
	EXPECT_EQ(find("APIC", &len), APIC);
	/* 0 is no table, even with one there: 0 means not found */
	put_madt(0, &m);
	put_root(RSDT, "RSDT", (const u64[]){0, APIC2}, 2);
	put_rsdp(RSDP, 0, RSDT, 0);
	EXPECT_EQ(find("APIC", &len), 0);
	EXPECT_EQ(len, 0);
	/* root tables outside memory */
	put_rsdp(RSDP, 2, RSDT, ~0ULL - 3);
	EXPECT_EQ(find("APIC", &len), 0);
	put_rsdp(RSDP, 0, FAR_AWAY, 0);
	EXPECT_EQ(find("APIC", &len), 0);
	put_rsdp(RSDP, 0, 0, 0);
	EXPECT_EQ(find("APIC", &len), 0);
	/* an RSDP address at the very end, or beyond */
	put_rsdp(RSDP, 0, RSDT, 0);
	EXPECT_EQ(acpi_find_table(reader, NULL, MEM_SIZE - 10, "APIC", &len), 0);
	EXPECT_EQ(acpi_find_table(reader, NULL, ~0ULL - 7, "APIC", &len), 0);
	/* the root table cut off by the end of readable memory */
	mem_limit = RSDT + 43;
	EXPECT_EQ(find("APIC", &len), 0);
}

/* ---- MADT edit ---- */

static void test_madt_qemu_2cpus(void **state)
{
	struct madt m;

	(void)state;
	qemu_madt(&m, 2);
	KEEP_ONLY(&m, 0, 1, 1);
	KEEP_ONLY(&m, 1, 1, 1);
	/* a BSP the table does not list: everything hidden, none kept */
	KEEP_ONLY(&m, 7, 0, 2);
}

static void test_madt_qemu_4cpus(void **state)
{
	struct madt m;
	u32 hidden;
	u8 *t;
	int ret;

	(void)state;
	qemu_madt(&m, 4);
	KEEP_ONLY(&m, 0, 1, 3);
	KEEP_ONLY(&m, 2, 1, 3);
	/* a second pass finds nothing left to do */
	ret = keep_only(&m, m.len, 0, &hidden, &t);
	EXPECT_EQ(ret, 1);
	memcpy(m.b, t, m.len);
	free(t);
	KEEP_ONLY(&m, 0, 1, 0);
	EXPECT_EQ(m.b[44 + 8 + 4], 0);
	EXPECT_EQ(m.b[44 + 4], 1);
}

static void test_madt_x2apic(void **state)
{
	struct madt m;

	(void)state;
	madt_begin(&m);
	madt_add(&m, ENTRY(9, 16, 0, 0, 0x00, 0x00, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0));
	madt_add(&m, ENTRY(9, 16, 0, 0, 0x01, 0x00, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0));
	madt_add(&m, ENTRY(9, 16, 0, 0, 0x00, 0x01, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0));
	madt_add(&m, ENTRY(9, 16, 0, 0, 0x01, 0x01, 0, 0, 0xF5, 0xFF, 0, 0x80, 3, 0, 0, 0));
	madt_add(&m, ENTRY(1, 12, 0, 0, 0x00, 0x00, 0xC0, 0xFE, 0, 0, 0, 0));
	madt_add(&m, ENTRY(10, 12, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 1, 0, 0, 0));
	madt_end(&m);
	/* the BSP above 255, so only in an x2APIC entry */
	KEEP_ONLY(&m, 0x100, 1, 3);
	KEEP_ONLY(&m, 0, 1, 3);
	/* a type 0 entry's 8-bit id never matches a BSP above 255 */
	madt_add(&m, ENTRY(0, 8, 4, 0x00, 1, 0, 0, 0));
	madt_end(&m);
	KEEP_ONLY(&m, 0x100, 1, 4);
	/* the same CPU listed in both forms (ids below 255): both kept */
	madt_add(&m, ENTRY(0, 8, 5, 0x01, 1, 0, 0, 0));
	madt_end(&m);
	KEEP_ONLY(&m, 1, 2, 4);
}

static void test_madt_flags(void **state)
{
	struct madt m;
	u32 hidden;
	u8 *t;

	(void)state;
	madt_begin(&m);
	madt_add(&m, ENTRY(0, 8, 0, 0, 1, 0, 0, 0));
	madt_add(&m, ENTRY(0, 8, 1, 1, 0, 0, 0, 0));		 /* not present */
	madt_add(&m, ENTRY(0, 8, 2, 2, 2, 0, 0, 0));		 /* online capable only */
	madt_add(&m, ENTRY(0, 8, 3, 3, 0xFF, 0xFF, 0xFF, 0xFF)); /* reserved bits too */
	madt_end(&m);
	KEEP_ONLY(&m, 0, 1, 2);
	assert_int_equal(keep_only(&m, m.len, 0, &hidden, &t), 1);
	EXPECT_EQ(t[44 + 16 + 4], 0);
	EXPECT_EQ(t[44 + 24 + 4], 0xFC);
	EXPECT_EQ(t[44 + 24 + 7], 0xFF);
	free(t);
	/* a BSP entry that is not enabled is not counted, nor changed */
	KEEP_ONLY(&m, 1, 0, 3);
	KEEP_ONLY(&m, 2, 0, 2);
	/* no entries at all */
	madt_begin(&m);
	madt_end(&m);
	KEEP_ONLY(&m, 0, 0, 0);
}

static void test_madt_entry_length(void **state)
{
	struct madt m;
	u8 l;

	(void)state;
	/* 0 and 1 at the first, a middle and the last entry */
	for (l = 0; l < 2; l++) {
		qemu_madt(&m, 2);
		m.b[44 + 1] = l;
		madt_end(&m);
		REFUSED(&m, m.len, 0);
		qemu_madt(&m, 2);
		m.b[44 + 16 + 1] = l;
		madt_end(&m);
		REFUSED(&m, m.len, 0);
		qemu_madt(&m, 2);
		m.b[m.len - 6 + 1] = l;
		madt_end(&m);
		REFUSED(&m, m.len, 0);
	}
	/* whatever the type: here a 1 would make an I/O APIC of the next 12 */
	qemu_madt(&m, 2);
	madt_add(&m, ENTRY(0x7F, 1, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
	madt_end(&m);
	REFUSED(&m, m.len, 0);
	/* an entry of an unknown type needs only its header */
	qemu_madt(&m, 2);
	madt_add(&m, ENTRY(0x7F, 2));
	madt_end(&m);
	KEEP_ONLY(&m, 0, 1, 1);
	/* a longer entry is fine: later revisions may grow a structure */
	madt_begin(&m);
	madt_add(&m, ENTRY(0, 10, 0, 0, 1, 0, 0, 0, 0xEE, 0xEE));
	madt_add(&m, ENTRY(0, 8, 1, 1, 1, 0, 0, 0));
	madt_end(&m);
	KEEP_ONLY(&m, 0, 1, 1);
}

static void test_madt_entry_past_end(void **state)
{
	struct madt m;

	(void)state;
	/* the last entry one byte longer than what is left */
	qemu_madt(&m, 2);
	m.b[m.len - 6 + 1] = 7;
	madt_end(&m);
	REFUSED(&m, m.len, 0);
	/* a processor entry cut short by the end of the table */
	qemu_madt(&m, 2);
	madt_add(&m, ENTRY(0, 8, 2, 2, 1));
	madt_end(&m);
	REFUSED(&m, m.len, 0);
	/* one stray byte after the last entry */
	qemu_madt(&m, 2);
	madt_add(&m, ENTRY(0));
	madt_end(&m);
	REFUSED(&m, m.len, 0);
	/* the maximal entry length from the last byte pair */
	qemu_madt(&m, 2);
	madt_add(&m, ENTRY(0x7F, 0xFF));
	madt_end(&m);
	REFUSED(&m, m.len, 0);
}

static void test_madt_short_entries(void **state)
{
	static const u8 types[] = {0, 1, 2, 3, 4, 5, 9, 10};
	static const u8 min[] = {8, 12, 10, 8, 6, 12, 16, 12};
	struct madt m;
	u32 i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(types); i++) {
		u8 e[16] = {types[i], min[i] - 1};

		qemu_madt(&m, 2);
		madt_add(&m, e, min[i] - 1);
		madt_end(&m);
		REFUSED(&m, m.len, 0);
		e[1] = min[i];
		qemu_madt(&m, 2);
		madt_add(&m, e, min[i]);
		madt_end(&m);
		assert_int_not_equal(acpi_madt_keep_only(m.b, m.len, 0, &(u32){0}), -1);
	}
}

static void test_madt_header(void **state)
{
	struct madt m;
	u32 len;

	(void)state;
	qemu_madt(&m, 2);
	/* shorter than header + local APIC address + flags */
	for (len = 0; len < 44; len++) {
		memcpy(m.b + 4, &len, 4);
		if (len > 9)
			seal(m.b, len, 9);
		REFUSED(&m, len, 0);
	}
	/* exactly that: no entries */
	madt_begin(&m);
	madt_end(&m);
	KEEP_ONLY(&m, 0, 0, 0);
	/* the length field disagreeing with the buffer */
	qemu_madt(&m, 2);
	REFUSED(&m, m.len - 6, 0);
	len = m.len + 1;
	memcpy(m.b + 4, &len, 4);
	seal(m.b, m.len, 9);
	REFUSED(&m, m.len, 0);
	/* a checksum that does not hold is not fixed up */
	qemu_madt(&m, 2);
	m.b[9]++;
	REFUSED(&m, m.len, 0);
	/* another table */
	qemu_madt(&m, 2);
	memcpy(m.b, "APIc", 4);
	seal(m.b, m.len, 9);
	REFUSED(&m, m.len, 0);
}

/* The way the hypervisor uses it: find, edit through the identity map,
 * and the table still checks for Linux. */
static void test_end_to_end(void **state)
{
	struct madt m;
	u32 len, hidden;
	u64 rsdp, pa;

	(void)state;
	qemu_madt(&m, 4);
	put_madt(APIC, &m);
	put_facp(FACP);
	put_root(RSDT, "RSDT", (const u64[]){FACP, APIC}, 2);
	put_root(XSDT, "XSDT", (const u64[]){FACP, APIC}, 2);
	put_rsdp(BIOS_RSDP, 2, RSDT, XSDT);
	rsdp = acpi_find_rsdp(reader, NULL);
	EXPECT_EQ(rsdp, BIOS_RSDP);
	pa = acpi_find_table(reader, NULL, rsdp, "APIC", &len);
	EXPECT_EQ(pa, APIC);
	EXPECT_EQ(acpi_madt_keep_only(mem + pa, len, 0, &hidden), 1);
	EXPECT_EQ(hidden, 3);
	check_edit(__LINE__, &m, mem + pa, 0, 1, 3);
	EXPECT_EQ(acpi_find_table(reader, NULL, rsdp, "APIC", &len), APIC);
	EXPECT_EQ(acpi_find_rsdp(reader, NULL), BIOS_RSDP);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	static const struct CMUnitTest tests[] = {
	    T(test_rsdp_in_ebda),	  T(test_rsdp_in_bios_area),  T(test_rsdp_bad_checksums),
	    T(test_rsdp_ebda_pointer),	  T(test_rsdp_unreadable),    T(test_table_rsdt),
	    T(test_table_xsdt),		  T(test_table_bad_checksum), T(test_table_bad_length),
	    T(test_table_outside_memory), T(test_madt_qemu_2cpus),    T(test_madt_qemu_4cpus),
	    T(test_madt_x2apic),	  T(test_madt_flags),	      T(test_madt_entry_length),
	    T(test_madt_entry_past_end),  T(test_madt_short_entries), T(test_madt_header),
	    T(test_end_to_end),
	};

	mem = malloc(MEM_SIZE); /* exact size, so ASan sees any read past the end */
	if (!mem)
		return 1;
	return unit_run("acpi", tests, ARRAY_SIZE(tests), reason);
}
