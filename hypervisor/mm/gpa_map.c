#include "errno.h"
#include "gpa_map.h"

static int level_shift(int level)
{
	return PAGE_SHIFT + 9 * (level - 1);
}

static u64 *table_of(u64 pa)
{
	return phys_to_virt(pa);
}

static u64 alloc_table(struct gpa_map *m)
{
	u64 pa = m->pages->alloc(m->pages->ctx);

	if (pa)
		m->tables++;
	return pa;
}

static void free_table(struct gpa_map *m, u64 pa)
{
	m->pages->free(m->pages->ctx, pa);
	m->tables--;
}

int gpa_map_init(struct gpa_map *m, const struct gpa_map_ops *ops, const struct page_source *pages)
{
	m->ops = ops;
	m->pages = pages;
	m->tables = 0;
	m->flush_gen = 0;
	m->root = alloc_table(m);
	return m->root ? 0 : -ENOMEM;
}

typedef void leaf_fn(void *ctx, u64 gpa, u64 hpa, u64 size);

static void destroy_level(struct gpa_map *m, u64 table, int level, u64 base, leaf_fn *leaf,
			  void *ctx)
{
	u64 *t = table_of(table);

	for (u64 i = 0; i < 512; i++) {
		u64 gpa = base + (i << level_shift(level));

		if (!m->ops->is_present(t[i]))
			continue;
		if (m->ops->is_leaf(t[i], level)) {
			if (leaf)
				leaf(ctx, gpa, m->ops->entry_addr(t[i], level),
				     1ULL << level_shift(level));
			continue;
		}
		destroy_level(m, m->ops->entry_addr(t[i], level), level - 1, gpa, leaf, ctx);
	}
	free_table(m, table);
}

void gpa_map_destroy(struct gpa_map *m, leaf_fn *leaf, void *ctx)
{
	if (m->root)
		destroy_level(m, m->root, GPA_MAP_LEVELS, 0, leaf, ctx);
	m->root = 0;
}

static unsigned slot(u64 gpa, int level)
{
	return (gpa >> level_shift(level)) & 511;
}

/* Where the slot holding gpa ends, capped at end. */
static u64 slot_end(u64 gpa, u64 end, int level)
{
	u64 next = ALIGN_DOWN(gpa, 1ULL << level_shift(level)) + (1ULL << level_shift(level));

	return MIN(next, end);
}

static bool any_mapped(const struct gpa_map *m, u64 table, int level, u64 gpa, u64 end)
{
	const u64 *t = table_of(table);

	for (u64 lo = gpa, hi, i; lo < end; lo = hi) {
		hi = slot_end(lo, end, level);
		i = slot(lo, level);
		if (!m->ops->is_present(t[i]))
			continue;
		if (m->ops->is_leaf(t[i], level) ||
		    any_mapped(m, m->ops->entry_addr(t[i], level), level - 1, lo, hi))
			return true;
	}
	return false;
}

/* A full table of 4K leaves that is one aligned 2 MiB run with one
 * protection is worth one large leaf: fewer walks, fewer table pages. */
static bool try_promote(struct gpa_map *m, u64 *entry)
{
	u64 pt = m->ops->entry_addr(*entry, 2);
	const u64 *t = table_of(pt);
	u64 first = m->ops->entry_addr(t[0], 1);
	u32 prot = m->ops->entry_prot(t[0]);

	if (!m->ops->is_present(t[0]) || !IS_ALIGNED(first, PAGE_SIZE_2M))
		return false;
	for (int i = 1; i < 512; i++)
		if (!m->ops->is_present(t[i]) || m->ops->entry_addr(t[i], 1) != first + i * PAGE_SIZE ||
		    m->ops->entry_prot(t[i]) != prot)
			return false;
	*entry = m->ops->make_leaf(first, prot, 2);
	free_table(m, pt);
	return true;
}

static int map_level(struct gpa_map *m, u64 table, int level, u64 gpa, u64 end, u64 delta, u32 prot)
{
	u64 *t = table_of(table);
	u64 span = 1ULL << level_shift(level);

	for (u64 lo = gpa, hi, i; lo < end; lo = hi) {
		hi = slot_end(lo, end, level);
		i = slot(lo, level);
		u64 child;
		int err;

		if (level == 1) {
			t[i] = m->ops->make_leaf(lo + delta, prot, 1);
			continue;
		}
		if (level == 2 && hi - lo == span && IS_ALIGNED(lo + delta, span) &&
		    !m->ops->is_present(t[i])) {
			t[i] = m->ops->make_leaf(lo + delta, prot, 2);
			continue;
		}
		if (!m->ops->is_present(t[i])) {
			child = alloc_table(m);
			if (!child)
				return -ENOMEM;
			t[i] = m->ops->make_table(child);
		}
		err = map_level(m, m->ops->entry_addr(t[i], level), level - 1, lo, hi, delta, prot);
		if (err)
			return err;
	}
	return 0;
}

/* After a successful map: each table of 4K leaves the range touched may now
 * be promotable. Done last so a failed map never has to split a leaf. */
static void promote_range(struct gpa_map *m, u64 gpa, u64 end)
{
	for (u64 lo = ALIGN_DOWN(gpa, PAGE_SIZE_2M); lo < end; lo += PAGE_SIZE_2M) {
		u64 table = m->root;
		u64 *e = NULL;

		for (int level = GPA_MAP_LEVELS; level >= 2; level--) {
			e = &table_of(table)[slot(lo, level)];
			if (!m->ops->is_present(*e) || m->ops->is_leaf(*e, level))
				break;
			if (level == 2) {
				if (try_promote(m, e))
					m->flush_gen++;	/* walks may have cached the old table */
				break;
			}
			table = m->ops->entry_addr(*e, level);
		}
	}
}

static int split_leaf(struct gpa_map *m, u64 *entry, int level)
{
	u64 base = m->ops->entry_addr(*entry, level);
	u32 prot = m->ops->entry_prot(*entry);
	u64 child = alloc_table(m);
	u64 *t = table_of(child);
	u64 step = 1ULL << level_shift(level - 1);

	if (!child)
		return -ENOMEM;
	for (int i = 0; i < 512; i++)
		t[i] = m->ops->make_leaf(base + i * step, prot, level - 1);
	*entry = m->ops->make_table(child);
	return 0;
}

static bool table_empty(const struct gpa_map *m, u64 table)
{
	const u64 *t = table_of(table);

	for (int i = 0; i < 512; i++)
		if (m->ops->is_present(t[i]))
			return false;
	return true;
}

/* Makes addr a leaf boundary, splitting the large leaves that span it. */
static int split_at(struct gpa_map *m, u64 addr)
{
	u64 table = m->root;

	if (addr >= GPA_MAP_LIMIT)
		return 0;
	for (int level = GPA_MAP_LEVELS; level > 1; level--) {
		u64 *e = &table_of(table)[slot(addr, level)];

		if (!m->ops->is_present(*e) || IS_ALIGNED(addr, 1ULL << level_shift(level)))
			return 0;
		if (m->ops->is_leaf(*e, level)) {
			int err = split_leaf(m, e, level);

			if (err)
				return err;
		}
		table = m->ops->entry_addr(*e, level);
	}
	return 0;
}

/* The range's edges are leaf boundaries (split_at), so every leaf met
 * here is wholly inside it. */
static void unmap_level(struct gpa_map *m, u64 table, int level, u64 gpa, u64 end)
{
	u64 *t = table_of(table);

	for (u64 lo = gpa, hi, i; lo < end; lo = hi) {
		u64 child;

		hi = slot_end(lo, end, level);
		i = slot(lo, level);
		if (!m->ops->is_present(t[i]))
			continue;
		if (m->ops->is_leaf(t[i], level)) {
			t[i] = 0;
			continue;
		}
		child = m->ops->entry_addr(t[i], level);
		unmap_level(m, child, level - 1, lo, hi);
		if (table_empty(m, child)) {
			t[i] = 0;
			free_table(m, child);
		}
	}
}

static bool range_ok(u64 gpa, u64 size)
{
	return size && IS_ALIGNED(gpa, PAGE_SIZE) && IS_ALIGNED(size, PAGE_SIZE) &&
	       gpa < GPA_MAP_LIMIT && size <= GPA_MAP_LIMIT - gpa;
}

int gpa_map_map(struct gpa_map *m, u64 gpa, u64 hpa, u64 size, u32 prot)
{
	int err;

	if (!range_ok(gpa, size) || !IS_ALIGNED(hpa, PAGE_SIZE) || hpa >= GPA_MAP_HPA_LIMIT ||
	    size > GPA_MAP_HPA_LIMIT - hpa || !(prot & GPA_READ) || (prot & ~GPA_PROT_MASK))
		return -EINVAL;
	if (any_mapped(m, m->root, GPA_MAP_LEVELS, gpa, gpa + size))
		return -EEXIST;
	err = map_level(m, m->root, GPA_MAP_LEVELS, gpa, gpa + size, hpa - gpa, prot);
	/* Only fresh 4K or 2M entries were written and nothing was promoted,
	 * so removing the range undoes it all without splitting. */
	if (err) {
		unmap_level(m, m->root, GPA_MAP_LEVELS, gpa, gpa + size);
		return err;
	}
	promote_range(m, gpa, gpa + size);
	return 0;
}

int gpa_map_unmap(struct gpa_map *m, u64 gpa, u64 size)
{
	int err;

	if (!range_ok(gpa, size))
		return -EINVAL;
	/* Splits first: they may fail, and they change no translation. */
	err = split_at(m, gpa);
	if (!err)
		err = split_at(m, gpa + size);
	if (err)
		return err;
	unmap_level(m, m->root, GPA_MAP_LEVELS, gpa, gpa + size);
	m->flush_gen++;
	return 0;
}

bool gpa_map_lookup(const struct gpa_map *m, u64 gpa, u64 *hpa, u32 *prot)
{
	u64 table = m->root;

	if (gpa >= GPA_MAP_LIMIT)
		return false;
	for (int level = GPA_MAP_LEVELS; level >= 1; level--) {
		u64 e = table_of(table)[slot(gpa, level)];

		if (!m->ops->is_present(e))
			return false;
		if (m->ops->is_leaf(e, level)) {
			*hpa = m->ops->entry_addr(e, level) + (gpa & ((1ULL << level_shift(level)) - 1));
			*prot = m->ops->entry_prot(e);
			return true;
		}
		table = m->ops->entry_addr(e, level);
	}
	return false;
}
