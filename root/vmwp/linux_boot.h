/* Direct Linux boot for a child partition (64-bit boot protocol,
 * Documentation/arch/x86/boot.rst): checks a bzImage's setup header and
 * lays out guest RAM for the 64-bit entry - the protected-mode kernel at
 * 16 MiB, the initrd high, boot_params with an e820 map and the command line,
 * a GDT and identity page tables in low memory. Hosted C with no globals,
 * so it runs in the VMWP, under unit tests and under a fuzzer; it never
 * reads outside the image or writes outside guest RAM, whatever the header
 * says.
 *
 * Guest physical layout (all below 1 MiB except kernel and initrd):
 *   LB_GDT_GPA       GDT: 0x10 64-bit code, 0x18 data
 *   LB_BOOT_PARAMS   the zero page (RSI at entry)
 *   LB_PT_GPA        PML4, PDPT and 4 PDs: 2 MiB identity pages over 4 GiB
 *   LB_CMDLINE_GPA   the command line
 *   LB_ACPI_GPA      ACPI tables (the caller's), type ACPI in e820
 *   LB_FIRMWARE_GPA  the "firmware": at F000:FFF0, where a CPU's reset and
 *                    Linux's real-mode restart land, code that resets the VM
 *                    through the ACPI reset register; reserved in e820
 */
#ifndef SEPTUM_VMWP_LINUX_BOOT_H
#define SEPTUM_VMWP_LINUX_BOOT_H

#include <stddef.h>
#include <stdint.h>

#define LB_GDT_GPA	0x1000ULL
#define LB_BOOT_PARAMS	0x7000ULL
#define LB_PT_GPA	0x9000ULL	/* 6 pages: to 0xF000 */
#define LB_CMDLINE_GPA	0x20000ULL
#define LB_CMDLINE_MAX	0x10000ULL
#define LB_LOW_RAM_END	0x9F000ULL
#define LB_ACPI_GPA	0xE0000ULL
#define LB_ACPI_LEN	0x10000ULL
#define LB_FIRMWARE_GPA	0xF0000ULL
#define LB_FIRMWARE_LEN	0x10000ULL
#define LB_KERNEL_GPA	0x1000000ULL	/* 16 MiB */
/* Guest RAM: enough for the low area, the kernel and its init_size; at most
 * 3 GiB (RAM stays below the 32-bit MMIO hole; one mapping). */
#define LB_MIN_MEM	(32ULL << 20)
#define LB_MAX_MEM	(3ULL << 30)

/* Selectors of the boot GDT (boot.rst: __BOOT_CS, __BOOT_DS). */
#define LB_CS_SEL	0x10
#define LB_DS_SEL	0x18

/* What lb_parse() takes from the setup header. */
struct lb_kernel {
	uint16_t version;	 /* boot protocol, 0x020C or later */
	uint16_t xloadflags;	 /* BZ_XLF_KERNEL_64 set */
	uint32_t header_end;	 /* end of the setup header in the file */
	uint64_t pm_offset;	 /* file offset of the protected-mode code */
	uint64_t pm_size;	 /* its length */
	uint32_t kernel_alignment;
	uint32_t init_size;	 /* bytes the kernel needs from its load address */
	uint32_t initrd_addr_max;
	uint32_t cmdline_size;
};

/* Where lb_load() put things (guest physical addresses). */
struct lb_layout {
	uint64_t kernel_gpa;
	uint64_t entry;		/* RIP: kernel_gpa + 0x200 */
	uint64_t boot_params;	/* RSI */
	uint64_t cr3;
	uint64_t gdt_base;
	uint16_t gdt_limit;
	uint64_t cmdline_gpa;
	uint64_t initrd_gpa, initrd_size;
	uint32_t e820_entries;
};

/* Checks img (size bytes) as a 64-bit-capable bzImage. Returns 0, or -1
 * with a sentence in err (never longer than errlen, always terminated). */
int lb_parse(const uint8_t *img, size_t size, struct lb_kernel *k, char *err, size_t errlen);

/* Writes the kernel, initrd (may be NULL with initrd_size 0), command
 * line, boot_params (acpi_rsdp_addr = rsdp_gpa, 0 for none), GDT and page
 * tables into ram, the host mapping of guest RAM [0, mem_size). The caller
 * zeroes ram first and writes its ACPI tables to LB_ACPI_GPA. Returns 0,
 * or -1 with a sentence in err (kernel or initrd does not fit, command
 * line too long, mem_size out of range). */
int lb_load(uint8_t *ram, uint64_t mem_size, const uint8_t *img, size_t size,
	    const struct lb_kernel *k, const char *cmdline, const uint8_t *initrd,
	    uint64_t initrd_size, uint64_t rsdp_gpa, struct lb_layout *out, char *err,
	    size_t errlen);

/* Writes the firmware stub at LB_FIRMWARE_GPA (after lb_load, which zeroes
 * RAM): real-mode code that writes reset_value to I/O port reset_port. */
void lb_firmware(uint8_t *ram, uint16_t reset_port, uint8_t reset_value);

#endif
