/* The child's ACPI tables: see acpi_tables.h. Section numbers are ACPI 6.5;
 * "Linux" is 6.1 (arch/x86/kernel/acpi/boot.c, drivers/acpi, drivers/hv). */
#include "acpi_tables.h"

#include <stdbool.h>
#include <string.h>

#include "aml.h"

#define TABLE_ALIGN 16

/* System Description Table Header (§5.2.6) */
#define HDR_LEN		 36
#define HDR_LENGTH	 4
#define HDR_REVISION	 8
#define HDR_CHECKSUM	 9
#define HDR_OEM_ID	 10
#define HDR_OEM_TABLE_ID 16
#define HDR_OEM_REVISION 24
#define HDR_CREATOR_ID	 28
#define HDR_CREATOR_REV	 32

#define OEM_ID	     "SEPTUM"
#define OEM_TABLE_ID "SEPTUMVM"
#define CREATOR_ID   "SPTM"

/* RSDP (§5.2.5.3): the ACPI 1.0 checksum covers the first 20 bytes, the
 * extended one all 36. */
#define RSDP_LEN	  36
#define RSDP_V1_LEN	  20
#define RSDP_CHECKSUM	  8
#define RSDP_OEM_ID	  9
#define RSDP_REVISION	  15
#define RSDP_LENGTH	  20
#define RSDP_XSDT	  24
#define RSDP_EXT_CHECKSUM 32

/* XSDT (§5.2.8): the FADT and the MADT; the DSDT hangs off the FADT. */
#define XSDT_ENTRIES 2
#define XSDT_LEN     (HDR_LEN + 8 * XSDT_ENTRIES)

/* FADT (§5.2.9, Table 5.9), revision 6 (ACPI 6.5 is minor version 5). */
#define FADT_LEN	    276
#define FADT_REVISION	    6
#define FADT_MINOR	    5
#define FADT_IAPC_BOOT_ARCH 109
#define FADT_FLAGS	    112
#define FADT_RESET_REG	    116
#define FADT_RESET_VALUE    128
#define FADT_MINOR_VERSION  131
#define FADT_X_DSDT	    140
#define FADT_SLEEP_CONTROL  244
#define FADT_SLEEP_STATUS   256

/* IAPC_BOOT_ARCH (§5.2.9.3). LEGACY_DEVICES (0) and 8042 (1) stay clear:
 * no ISA devices but those in the DSDT, and Linux skips the i8042 probe. */
#define BOOT_ARCH_NO_VGA      (1u << 2) /* Linux: x86_platform.legacy.no_vga */
#define BOOT_ARCH_NO_CMOS_RTC (1u << 5) /* Linux: no rtc_cmos device */

/* Fixed feature flags (§5.2.9, Table 5.10) */
#define FADT_PWR_BUTTON	     (1u << 4) /* 1: no fixed power button */
#define FADT_SLP_BUTTON	     (1u << 5) /* 1: no fixed sleep button */
#define FADT_RESET_REG_SUP   (1u << 10)
#define FADT_APIC_PHYSICAL   (1u << 19) /* FORCE_APIC_PHYSICAL_DESTINATION_MODE */
#define FADT_HW_REDUCED_ACPI (1u << 20)

/* Generic Address Structure (§5.2.3.2) */
#define GAS_SYSTEM_IO	1
#define GAS_ACCESS_BYTE 1

/* MADT (§5.2.12), revision 5 (ACPI 6.3 on: defines Online Capable, which
 * stays 0 because every VP is Enabled). */
#define MADT_REVISION	5
#define MADT_LAPIC_ADDR 36
#define MADT_FLAGS	40
#define MADT_ENTRIES	44
#define MADT_IOAPIC	1
#define MADT_IOAPIC_LEN 12
#define MADT_X2APIC	9
#define MADT_X2APIC_LEN 16
#define MADT_ENABLED	1

#define DSDT_REVISION 2 /* 64-bit integers (§5.2.11.1) */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

/* Sets p[at] so that the bytes p[0, len) sum to 0 (mod 256). */
static void checksum(uint8_t *p, size_t len, size_t at)
{
	uint8_t sum = 0;

	p[at] = 0;
	for (size_t i = 0; i < len; i++)
		sum += p[i];
	p[at] = (uint8_t)-sum;
}

static size_t align_up(size_t v)
{
	return (v + TABLE_ALIGN - 1) & ~(size_t)(TABLE_ALIGN - 1);
}

/* Fills the header of t (len bytes, zeroed before) and its checksum; the
 * body must be complete. */
static void finish_table(uint8_t *t, const char sig[4], uint32_t len, uint8_t rev)
{
	memcpy(t, sig, 4);
	put32(t + HDR_LENGTH, len);
	t[HDR_REVISION] = rev;
	memcpy(t + HDR_OEM_ID, OEM_ID, 6);
	memcpy(t + HDR_OEM_TABLE_ID, OEM_TABLE_ID, 8);
	put32(t + HDR_OEM_REVISION, 1);
	memcpy(t + HDR_CREATOR_ID, CREATOR_ID, 4);
	put32(t + HDR_CREATOR_REV, 1);
	checksum(t, len, HDR_CHECKSUM);
}

/* An 8-bit register at an I/O port. */
static void gas_io8(uint8_t *p, uint16_t port)
{
	p[0] = GAS_SYSTEM_IO;
	p[1] = 8; /* bit width */
	p[2] = 0; /* bit offset */
	p[3] = GAS_ACCESS_BYTE;
	put64(p + 4, port);
}

static size_t madt_len(uint32_t nr_vps)
{
	return MADT_ENTRIES + MADT_IOAPIC_LEN + (size_t)nr_vps * MADT_X2APIC_LEN;
}

/* True if [a, a + alen) and [b, b + blen) share a byte; neither wraps
 * (either may end at 2^64). */
static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return alen && blen && a <= b + (blen - 1) && b <= a + (alen - 1);
}

static bool config_ok(const struct acpi_config *cfg, uint64_t gpa_base, size_t len)
{
	const uint64_t four_gib = 1ULL << 32;

	if (!cfg->nr_vps || cfg->nr_vps > ACPI_MAX_VPS)
		return false;
	if (len > UINT64_MAX - gpa_base)
		return false;
	/* The DWordMemory descriptor holds the low window's length too. */
	if (cfg->mmio_low_len &&
	    (cfg->mmio_low_base >= four_gib || cfg->mmio_low_len > four_gib - cfg->mmio_low_base ||
	     cfg->mmio_low_len > UINT32_MAX))
		return false;
	if (cfg->mmio_high_len && (cfg->mmio_high_base < four_gib ||
				   cfg->mmio_high_len - 1 > UINT64_MAX - cfg->mmio_high_base))
		return false;
	if (overlaps(cfg->mmio_low_base, cfg->mmio_low_len, gpa_base, len) ||
	    overlaps(cfg->mmio_high_base, cfg->mmio_high_len, gpa_base, len) ||
	    overlaps(cfg->mmio_low_base, cfg->mmio_low_len, ACPI_IOAPIC_BASE, 0x1000))
		return false;
	if (cfg->pm_port &&
	    (cfg->pm_port > 0x10000 - ACPI_PM_PORTS ||
	     overlaps(cfg->pm_port, ACPI_PM_PORTS, ACPI_COM1_PORT, ACPI_COM1_PORTS)))
		return false;
	return true;
}

static void build_rsdp(uint8_t *p, uint64_t xsdt_gpa)
{
	memcpy(p, "RSD PTR ", 8);
	memcpy(p + RSDP_OEM_ID, OEM_ID, 6);
	p[RSDP_REVISION] = 2;
	/* RsdtAddress stays 0: Linux (and ACPI 2.0+ OSPMs) use the XSDT. */
	put32(p + RSDP_LENGTH, RSDP_LEN);
	put64(p + RSDP_XSDT, xsdt_gpa);
	checksum(p, RSDP_V1_LEN, RSDP_CHECKSUM);
	checksum(p, RSDP_LEN, RSDP_EXT_CHECKSUM);
}

static void build_xsdt(uint8_t *t, uint64_t fadt_gpa, uint64_t madt_gpa)
{
	put64(t + HDR_LEN, fadt_gpa);
	put64(t + HDR_LEN + 8, madt_gpa);
	finish_table(t, "XSDT", XSDT_LEN, 1);
}

/*
 * HW_REDUCED_ACPI (§4.1) is what lets Linux run without a PIC or IOAPIC: a
 * full FADT installs the SCI, whose GSI then has no IRQ descriptor, and the
 * ACPI interpreter (hence VMBus) fails to start. Reduced hardware also means
 * no PM timer, PM1/GPE blocks or FACS, so those fields stay 0, and Linux's
 * timer_init becomes a no-op (acpi_generic_reduced_hw_init).
 */
static void build_fadt(uint8_t *t, uint64_t dsdt_gpa, const struct acpi_config *cfg)
{
	/* Physical x2APIC destinations whatever picks the APIC driver: Linux
	 * selects x2apic_phys from this bit as from Hyper-V's x2apic_phys
	 * (x2apic_acpi_madt_oem_check), so the virtual x2APIC never needs
	 * logical (cluster) destinations. */
	uint32_t flags =
	    FADT_HW_REDUCED_ACPI | FADT_APIC_PHYSICAL | FADT_PWR_BUTTON | FADT_SLP_BUTTON;

	put16(t + FADT_IAPC_BOOT_ARCH, BOOT_ARCH_NO_VGA | BOOT_ARCH_NO_CMOS_RTC);
	/* Only X_DSDT: a non-zero X_DSDT takes precedence (§5.2.9). */
	put64(t + FADT_X_DSDT, dsdt_gpa);
	t[FADT_MINOR_VERSION] = FADT_MINOR;
	/* Reduced hardware sleeps through these registers (§4.8.3.7); Linux
	 * offers S5 only if both are set and \_S5 exists
	 * (acpi_sleep_state_supported). */
	if (cfg->pm_port) {
		flags |= FADT_RESET_REG_SUP;
		gas_io8(t + FADT_RESET_REG, cfg->pm_port + ACPI_PM_RESET);
		t[FADT_RESET_VALUE] = ACPI_RESET_VALUE;
		gas_io8(t + FADT_SLEEP_CONTROL, cfg->pm_port + ACPI_PM_SLEEP_CONTROL);
		gas_io8(t + FADT_SLEEP_STATUS, cfg->pm_port + ACPI_PM_SLEEP_STATUS);
	}
	put32(t + FADT_FLAGS, flags);
	finish_table(t, "FACP", FADT_LEN, FADT_REVISION);
}

/*
 * One Processor Local x2APIC entry (type 9, §5.2.12.12) per VP, and no
 * Processor Local APIC (type 0) entries. The child is in the x2APIC
 * interrupt model from reset, for which §5.2.12.12 asks for x2APIC entries.
 * Linux 6.1 acpi_parse_x2apic registers one when apic->apic_id_valid(id):
 * the xAPIC drivers' default_apic_id_valid takes ids < 255, the x2APIC
 * drivers any id, and since EXTD is set at reset acpi_parse_madt has
 * already picked an x2APIC driver (default_acpi_madt_oem_check ->
 * x2apic_enabled) when the entries are parsed. A type 0 entry beside a
 * type 9 for the same VP would register it twice (generic_processor_info
 * counts num_processors again), and later kernels drop type 9 entries
 * with ids < 255 only when type 0 entries exist (has_lapic_cpus).
 * One I/O APIC (type 1, §5.2.12.3) for COM1's interrupt. With no 8259
 * (reduced hardware gives Linux the null legacy PIC) Linux maps no ISA
 * IRQs up front: each GSI gets its IRQ when a device's _CRS names it, with
 * the descriptor's trigger and polarity.
 */
static void build_madt(uint8_t *t, uint32_t nr_vps)
{
	uint8_t *e = t + MADT_ENTRIES;

	put32(t + MADT_LAPIC_ADDR, ACPI_LAPIC_BASE);
	/* Flags: PCAT_COMPAT (bit 0) clear, there is no 8259. */
	put32(t + MADT_FLAGS, 0);
	e[0] = MADT_IOAPIC;
	e[1] = MADT_IOAPIC_LEN;
	e[2] = 0; /* I/O APIC id */
	put32(e + 4, ACPI_IOAPIC_BASE);
	put32(e + 8, 0); /* first GSI */
	e += MADT_IOAPIC_LEN;
	for (uint32_t i = 0; i < nr_vps; i++, e += MADT_X2APIC_LEN) {
		e[0] = MADT_X2APIC;
		e[1] = MADT_X2APIC_LEN;
		put32(e + 4, i); /* x2APIC id */
		put32(e + 8, MADT_ENABLED);
		put32(e + 12, i); /* ACPI processor UID */
	}
	finish_table(t, "APIC", (uint32_t)madt_len(nr_vps), MADT_REVISION);
}

/*
 * \_SB.VMOD: a module device (ACPI0004) whose _CRS carries the MMIO
 *   windows; Linux's vmbus_acpi_add reads them from the first ancestor of
 *   the VMBus device that has DWord/QWord address descriptors.
 * \_SB.VMOD.VMBS: _HID "VMBus" (vmbus_acpi_device_ids). Its _CRS must exist,
 *   or vmbus_acpi_add fails with -ENODEV; empty is enough on x86, where
 *   the VMBus interrupt is the fixed vector 0xF3.
 * \_SB.COM1: a 16550 (PNP0501) at 0x3F8 on IRQ 4: without one the 8250
 *   driver polls it, waking the child ~60 times a second for nothing.
 * \_S5: SLP_TYP for the sleep control register (§7.4, \_Sx), with pm_port.
 * Returns the DSDT's length, 0 if it does not fit in cap.
 */
static size_t build_dsdt(uint8_t *t, size_t cap, const struct acpi_config *cfg)
{
	struct aml a;

	if (cap < HDR_LEN)
		return 0;
	memset(t, 0, HDR_LEN);
	aml_init(&a, t + HDR_LEN, cap - HDR_LEN);
	aml_scope_begin(&a, "\\_SB");

	aml_device_begin(&a, "VMOD");
	aml_name_str(&a, "_HID", "ACPI0004");
	aml_name(&a, "_CRS");
	aml_restemplate_begin(&a);
	if (cfg->mmio_low_len)
		aml_res_dword_memory(&a, true, (uint32_t)cfg->mmio_low_base,
				     (uint32_t)cfg->mmio_low_len);
	if (cfg->mmio_high_len)
		aml_res_qword_memory(&a, true, cfg->mmio_high_base, cfg->mmio_high_len);
	aml_end(&a);

	aml_device_begin(&a, "VMBS");
	aml_name_str(&a, "_HID", "VMBus");
	aml_name_int(&a, "_UID", 0);
	aml_name(&a, "_CRS");
	aml_restemplate_begin(&a);
	aml_end(&a);
	/* Present, enabled, shown in UI, functioning (§6.3.7) */
	aml_method_begin(&a, "_STA", 0);
	aml_return(&a);
	aml_integer(&a, 0x0F);
	aml_end(&a);
	aml_end(&a); /* VMBS */
	aml_end(&a); /* VMOD */

	aml_device_begin(&a, "COM1");
	aml_name(&a, "_HID");
	aml_eisaid(&a, "PNP0501");
	aml_name_int(&a, "_UID", 1);
	aml_name(&a, "_CRS");
	aml_restemplate_begin(&a);
	aml_res_io(&a, ACPI_COM1_PORT, ACPI_COM1_PORT, 1, ACPI_COM1_PORTS);
	aml_res_irq(&a, 1u << ACPI_COM1_IRQ);
	aml_end(&a);
	aml_end(&a); /* COM1 */

	aml_end(&a); /* \_SB */

	if (cfg->pm_port) {
		/* SLP_TYPa, SLP_TYPb: ACPICA reads two elements when present,
		 * reduced hardware uses only the first. */
		aml_name(&a, "_S5");
		aml_package_begin(&a, 2);
		aml_integer(&a, ACPI_SLP_TYP_S5);
		aml_integer(&a, 0);
		aml_end(&a);
	}
	if (aml_finish(&a) || a.len > UINT32_MAX - HDR_LEN)
		return 0;
	finish_table(t, "DSDT", (uint32_t)(HDR_LEN + a.len), DSDT_REVISION);
	return HDR_LEN + a.len;
}

int acpi_build(void *mem, size_t len, uint64_t gpa_base, const struct acpi_config *cfg,
	       uint64_t *rsdp_gpa)
{
	uint8_t *m = mem;
	size_t rsdp, xsdt, fadt, madt, dsdt;

	if (!mem || !cfg || !rsdp_gpa || !config_ok(cfg, gpa_base, len))
		return -1;
	/* Every table on a 16-byte guest physical boundary; the RSDP must be
	 * for Linux's scan of 0xE0000-0xFFFFF. */
	rsdp = (size_t)(-gpa_base & (TABLE_ALIGN - 1));
	xsdt = rsdp + align_up(RSDP_LEN);
	fadt = xsdt + align_up(XSDT_LEN);
	madt = fadt + align_up(FADT_LEN);
	dsdt = madt + align_up(madt_len(cfg->nr_vps));
	if (dsdt > len)
		return -1;
	memset(m, 0, dsdt);
	if (!build_dsdt(m + dsdt, len - dsdt, cfg))
		return -1;
	build_madt(m + madt, cfg->nr_vps);
	build_fadt(m + fadt, gpa_base + dsdt, cfg);
	build_xsdt(m + xsdt, gpa_base + fadt, gpa_base + madt);
	build_rsdp(m + rsdp, gpa_base + xsdt);
	*rsdp_gpa = gpa_base + rsdp;
	return 0;
}
