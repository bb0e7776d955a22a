/* The child's ACPI tables (ACPI 6.5), written by the VMWP into guest
 * memory before the first VP runs: RSDP, XSDT, a hardware-reduced FADT, a
 * MADT of x2APIC entries and one IOAPIC, and a DSDT with the VMBus device
 * and COM1. The child has no PIC, PIT, HPET, CMOS RTC, VGA or i8042; its
 * VPs start in x2APIC mode (GUEST-ENLIGHTENMENTS.md §6-§7). */
#ifndef SEPTUM_VMWP_ACPI_TABLES_H
#define SEPTUM_VMWP_ACPI_TABLES_H

#include <stddef.h>
#include <stdint.h>

/* Bounds the MADT (16 bytes a VP) at 32 KiB. */
#define ACPI_MAX_VPS 2048

/* Enough buffer for any valid configuration with n VPs. */
#define ACPI_BUILD_LEN(n) (1040 + 16 * (size_t)(n))

/* Where Linux finds the local APIC if it maps it; children use x2APIC MSRs. */
#define ACPI_LAPIC_BASE 0xFEE00000u

/* The IOAPIC the VMWP emulates (root/vmwp/ioapic.h): id 0, GSIs from 0,
 * one 4 KiB MMIO page. */
#define ACPI_IOAPIC_BASE 0xFEC00000u

/* COM1 as the DSDT describes it: PNP0501, ports 0x3F8-0x3FF, ISA IRQ 4
 * (IOAPIC pin 4: edge-triggered, active high). */
#define ACPI_COM1_PORT	0x3F8
#define ACPI_COM1_PORTS 8
#define ACPI_COM1_IRQ	4

/* The power-management I/O ports at acpi_config.pm_port + these offsets,
 * each 8 bits wide, which the VMWP emulates when pm_port is set:
 *   SLEEP_CONTROL (ACPI 6.5 §4.8.3.7): a write with SLP_EN and SLP_TYP =
 *     ACPI_SLP_TYP_S5 is the child powering off (from \_S5).
 *   SLEEP_STATUS: reads WAK_STS (bit 7) set; Linux polls it after the
 *     sleep write and never gets there when the VM stops.
 *   RESET (§4.8.3.6): a write of ACPI_RESET_VALUE is a reset.
 * With pm_port 0 the FADT has none of them and the DSDT no \_S5: Linux
 * then has no ACPI power-off, and reboot falls back to the i8042 and a
 * real-mode jump to the BIOS reset vector (reboot=t: a triple fault). */
#define ACPI_PM_SLEEP_CONTROL 0
#define ACPI_PM_SLEEP_STATUS  1
#define ACPI_PM_RESET	      2
#define ACPI_PM_PORTS	      3
#define ACPI_SLP_EN	      0x20
#define ACPI_SLP_TYP_SHIFT    2
#define ACPI_SLP_TYP_MASK     0x1C
#define ACPI_SLP_TYP_S5	      5
#define ACPI_WAK_STS	      0x80
#define ACPI_RESET_VALUE      0x01

/* What the tables describe.
 *   nr_vps: 1..ACPI_MAX_VPS. VP i has x2APIC id i and ACPI processor
 *     UID i; VP 0 is the BSP.
 *   mmio_low_base/len: the MMIO window below 4 GiB handed to VMBus
 *     devices (framebuffer, vPCI) in \_SB.VMOD._CRS; must end at or below
 *     4 GiB and leave the IOAPIC's page alone. len 0: none.
 *   mmio_high_base/len: the window above, starting at or above 4 GiB and
 *     not wrapping. len 0: none.
 *     Linux ignores windows ending below 1 MiB and clips at 0xFED40000;
 *     neither window may overlap the tables' own buffer.
 *   pm_port: first of the ACPI_PM_PORTS ports above, 0 for none; must not
 *     overlap COM1 or run past port 0xFFFF. */
struct acpi_config {
	uint32_t nr_vps;
	uint64_t mmio_low_base;
	uint64_t mmio_low_len;
	uint64_t mmio_high_base;
	uint64_t mmio_high_len;
	uint16_t pm_port;
};

/* Writes the tables into mem, the host mapping of guest memory at
 * gpa_base, len bytes long (ACPI_BUILD_LEN(cfg->nr_vps) is always
 * enough). The caller marks [gpa_base, gpa_base + len) as ACPI memory in
 * the e820 map and passes *rsdp_gpa in boot_params.acpi_rsdp_addr (or puts
 * the buffer in 0xE0000-0xFFFFF, where Linux also scans for it).
 * Parameters:
 *   mem, len: the buffer; bytes past the last table are left untouched.
 *   gpa_base: its guest physical address; any alignment (tables are put
 *     on 16-byte guest physical boundaries).
 *   cfg: see struct acpi_config.
 *   rsdp_gpa: receives the RSDP's guest physical address.
 * Return values:
 *   0 on success; -1 if cfg is invalid or len too small (then mem's
 *   content is unspecified and *rsdp_gpa unchanged). */
int acpi_build(void *mem, size_t len, uint64_t gpa_base, const struct acpi_config *cfg,
	       uint64_t *rsdp_gpa);

#endif
