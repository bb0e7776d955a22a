/*
 * A guest-physical address space: the generic half of nested paging. The
 * radix walk, overlap checks, large-page use and promotion live here; the
 * vendor supplies the entry format (SVM NPT now, EPT later).
 */
#ifndef SEPTUM_GPA_MAP_H
#define SEPTUM_GPA_MAP_H

#include "mm.h"
#include "types.h"

#define GPA_READ	BIT(0)
#define GPA_WRITE	BIT(1)
#define GPA_EXEC	BIT(2)
#define GPA_PROT_MASK	(GPA_READ | GPA_WRITE | GPA_EXEC)

#define GPA_MAP_LEVELS	4
#define GPA_MAP_LIMIT	(1ULL << 48)
#define GPA_MAP_HPA_LIMIT (1ULL << 52)	/* architectural MAXPHYADDR */

/* Levels count from 1 (4 KiB leaves) to 4 (the root table). */
struct gpa_map_ops {
	u64 (*make_table)(u64 pa);
	u64 (*make_leaf)(u64 pa, u32 prot, int level);
	bool (*is_present)(u64 e);
	bool (*is_leaf)(u64 e, int level);
	u64 (*entry_addr)(u64 e, int level);
	u32 (*entry_prot)(u64 e);
};

struct gpa_map {
	const struct gpa_map_ops *ops;
	const struct page_source *pages;
	u64 root;	/* physical address of the top-level table */
	u64 tables;	/* table pages held, root included */
	u64 flush_gen;	/* bumped whenever a translation goes away or loses rights */
};

int gpa_map_init(struct gpa_map *m, const struct gpa_map_ops *ops, const struct page_source *pages);
/* Frees every table; leaf (if set) sees each mapping first. */
void gpa_map_destroy(struct gpa_map *m, void (*leaf)(void *ctx, u64 gpa, u64 hpa, u64 size),
		     void *ctx);
/* Maps [gpa, gpa + size) to [hpa, ...). -EINVAL for unaligned, empty,
 * wrapping or unreadable requests, -EEXIST if any page is already mapped
 * (nothing changes), -ENOMEM when table pages run out (nothing changes). */
int gpa_map_map(struct gpa_map *m, u64 gpa, u64 hpa, u64 size, u32 prot);
/* Removes whatever is mapped in [gpa, gpa + size); splits large pages at the
 * edges: -ENOMEM if that needs a table and none is left (nothing changes). */
int gpa_map_unmap(struct gpa_map *m, u64 gpa, u64 size);
bool gpa_map_lookup(const struct gpa_map *m, u64 gpa, u64 *hpa, u32 *prot);

#endif
