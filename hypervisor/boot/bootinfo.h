/* Boot information handed over by the loader (multiboot v1 or multiboot2),
 * validated and reduced to what the hypervisor needs. */
#ifndef SEPTUM_BOOTINFO_H
#define SEPTUM_BOOTINFO_H

#include "types.h"

#define BOOTINFO_MAX_MEM     64 /* memory-map entries kept */
#define BOOTINFO_MAX_MODS    16
#define BOOTINFO_CMDLINE_MAX 1024

#define MULTIBOOT_LOADER_MAGIC	0x2BADB002
#define MULTIBOOT2_LOADER_MAGIC 0x36D76289

/* e820 numbering; anything else becomes MEM_RESERVED */
enum mem_type { MEM_RAM = 1, MEM_RESERVED = 2, MEM_ACPI = 3, MEM_NVS = 4, MEM_UNUSABLE = 5 };

struct mem_range {
	u64 base, size;
	u32 type;
};

/* [start, end); cmdline is the loader's module string verbatim (QEMU puts the
 * file name first) */
struct boot_module {
	u64 start, end;
	char cmdline[BOOTINFO_CMDLINE_MAX];
};

struct boot_info {
	char cmdline[BOOTINFO_CMDLINE_MAX]; /* hypervisor's own command line */
	/* sorted by base, non-overlapping, adjacent same-type ranges merged */
	u32 nmem;
	struct mem_range mem[BOOTINFO_MAX_MEM];
	/* in loader order; each inside one MEM_RAM range, pairwise disjoint */
	u32 nmods;
	struct boot_module mods[BOOTINFO_MAX_MODS];
};

/* Reads `len` bytes of physical memory at `pa`: returns a pointer or NULL when
 * that range cannot be read. The parser never keeps a returned pointer across
 * another call, so the reader may reuse a single mapping window. */
typedef const void *(*phys_reader)(u64 pa, u64 len, void *ctx);

/* Fills *bi from the loader's info. Returns 0, or a negative value with a
 * one-line human reason in err (NUL-terminated, truncated to errlen); on
 * failure *bi is partially filled and must not be used. */
int bootinfo_parse(u32 magic, u64 info_pa, phys_reader read, void *ctx, struct boot_info *bi,
		   char *err, size_t errlen);

#endif
