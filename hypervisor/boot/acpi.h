/* The firmware's ACPI tables, read before the root partition starts, and the
 * MADT edit that shows the root only the bootstrap CPU: the other CPUs stay
 * parked in the hypervisor, and Linux never sends INIT/SIPI to a processor
 * its MADT lists as not enabled. */
#ifndef SEPTUM_ACPI_H
#define SEPTUM_ACPI_H

#include "bootinfo.h"

/* Longer tables are refused as corrupt: a MADT for 4096 x2APIC CPUs is 64 KiB. */
#define ACPI_TABLE_MAX_LEN (1U << 20)

/* Finds the RSDP as Linux does on a BIOS machine: the first KiB of the EBDA
 * (segment at 0x40E), then 0xE0000-0xFFFFF, on 16-byte boundaries, "RSD PTR "
 * with a valid ACPI 1.0 checksum and, from revision 2, a valid extended
 * checksum. Returns its physical address or 0. */
u64 acpi_find_rsdp(phys_reader read, void *ctx);

/* Finds the first table with signature sig through the XSDT (RSDP revision
 * >= 2 with a nonzero XsdtAddress) or else the RSDT. The RSDP and the root
 * table are checked again, and a table with a length < 36 or above
 * ACPI_TABLE_MAX_LEN, or a wrong checksum, is skipped. Returns the table's
 * physical address and its length in *len, or 0 with *len = 0. */
u64 acpi_find_table(phys_reader read, void *ctx, u64 rsdp, const char sig[4], u32 *len);

/* Edits the MADT in madt[0, len) in place: clears Enabled (bit 0) and Online
 * Capable (bit 1) in every Processor Local APIC (type 0) and Processor Local
 * x2APIC (type 9) entry whose APIC id is not bsp_apic_id, then recomputes
 * the checksum. The table must be whole and sound first: signature "APIC",
 * length field == len, checksum valid, every entry at least 2 bytes, inside
 * the table and as long as its type requires; otherwise nothing is changed.
 * Returns the number of bsp_apic_id entries left enabled (1 for a sound
 * firmware table) with *hidden = the number of entries whose flags were
 * cleared, or -1 with *hidden = 0 when the table is malformed. */
int acpi_madt_keep_only(u8 *madt, u32 len, u32 bsp_apic_id, u32 *hidden);

#endif
