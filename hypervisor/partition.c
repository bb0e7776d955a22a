/* Partition objects: creation, memory, lifetime and their end. */
#include "errno.h"
#include "frames.h"
#include "hv/cpuid.h"
#include "hv/hypercall.h"
#include "lib.h"
#include "log.h"
#include "partition.h"
#include "time.h"
#include "x86.h"

_Static_assert(sizeof(struct vp) <= PAGE_SIZE, "a VP lives in one deposited page");

static struct partition partitions[PARTITION_MAX];
static bool in_use[PARTITION_MAX];
static u64 next_child_id = ROOT_PARTITION_ID + 1;
static u32 next_boot_id = 1;
struct partition *root_partition;

static struct partition *alloc_slot(enum partition_kind kind)
{
	struct partition *p;
	u32 slot = 0;

	while (slot < PARTITION_MAX && in_use[slot])
		slot++;
	if (slot == PARTITION_MAX)
		return NULL;
	p = &partitions[slot];
	memset(p, 0, sizeof(*p));
	p->slot = slot;
	p->kind = kind;
	p->ref_time_base = rdtsc();
	pool_init(&p->pool);
	in_use[slot] = true;
	return p;
}

/* Where a partition's own objects (tables, VP state) come from. */
static const struct page_source *object_pages(struct partition *p)
{
	return p->kind == PARTITION_CHILD ? &p->pool.source : &hv_page_source;
}

struct partition *partition_create_boot(const char *name)
{
	struct partition *p = alloc_slot(PARTITION_BOOT);

	if (!p)
		return NULL;
	p->id = next_boot_id++;
	hv_snprintf(p->name, sizeof(p->name), "%s", name);
	if (gpa_map_init(&p->gpa, arch->gpa_ops, object_pages(p)) ||
	    !partition_create_vp(p, 0)) {
		partition_destroy(p);
		return NULL;
	}
	p->state = PARTITION_RUNNING;
	return p;
}

struct partition *partition_create_root(void)
{
	struct partition *p = alloc_slot(PARTITION_ROOT);

	if (!p)
		return NULL;
	p->id = ROOT_PARTITION_ID;
	hv_snprintf(p->name, sizeof(p->name), "root");
	p->privileges = HV_CREATE_PARTITIONS | HV_ACCESS_MEMORY_POOL | HV_POST_MESSAGES |
			HV_SIGNAL_EVENTS;
	if (gpa_map_init(&p->gpa, arch->gpa_ops, object_pages(p)) ||
	    !partition_create_vp(p, 0)) {
		partition_destroy(p);
		return NULL;
	}
	p->state = PARTITION_RUNNING;
	root_partition = p;
	return p;
}

struct partition *partition_create_child(struct partition *parent, u64 flags)
{
	struct partition *p = alloc_slot(PARTITION_CHILD);

	if (!p)
		return NULL;
	p->id = next_child_id++;
	p->parent = parent;
	p->creation_flags = flags;
	p->privileges = HV_POST_MESSAGES | HV_SIGNAL_EVENTS;
	p->state = PARTITION_CREATED;
	hv_snprintf(p->name, sizeof(p->name), "child%lu", p->id);
	return p;
}

struct partition *partition_lookup(struct partition *caller, u64 id)
{
	if (id == HV_PARTITION_ID_SELF || id == caller->id)
		return caller;
	for (u32 i = 0; i < PARTITION_MAX; i++)
		if (in_use[i] && partitions[i].id == id && partitions[i].parent == caller)
			return &partitions[i];
	return NULL;
}

/* The GPA map's root table is the first deposited page it takes. */
int partition_initialize(struct partition *p)
{
	int err = gpa_map_init(&p->gpa, arch->gpa_ops, object_pages(p));

	if (err)
		return err;
	p->state = PARTITION_RUNNING;
	return 0;
}

struct vp *partition_create_vp(struct partition *p, u32 index)
{
	const struct page_source *pages = object_pages(p);
	u64 pa;
	struct vp *vp;

	if (index >= PARTITION_MAX_VPS || p->vp[index])
		return NULL;
	pa = pages->alloc(pages->ctx);
	if (!pa)
		return NULL;
	vp = phys_to_virt(pa);
	vp->part = p;
	vp->index = index;
	if (arch->vp_create(vp, pages)) {
		pages->free(pages->ctx, pa);
		return NULL;
	}
	vapic_init(&vp->vapic, index, index == 0, tsc_hz / 1000);
	synic_init(&vp->synic);
	stimers_init(&vp->stimers);
	p->vp[index] = vp;
	p->nvps++;
	return vp;
}

void partition_delete_vp(struct partition *p, u32 index)
{
	const struct page_source *pages = object_pages(p);
	struct vp *vp = p->vp[index];

	if (!vp)
		return;
	arch->vp_destroy(vp, pages);
	pages->free(pages->ctx, virt_to_phys(vp));
	p->vp[index] = NULL;
	p->nvps--;
}

void partition_finalize(struct partition *p)
{
	for (u32 i = 0; i < PARTITION_MAX_VPS; i++)
		partition_delete_vp(p, i);
	p->state = PARTITION_FINALIZED;
}

/* Gives a deposited page back to the root: its map again, its frame again. */
static void return_to_root(struct partition *p, u64 pa)
{
	struct frame *f = frame_of(pa);

	/* The root may have touched it meanwhile: drop the stand-in page. */
	gpa_map_unmap(&p->parent->gpa, pa, PAGE_SIZE);
	if (gpa_map_map(&p->parent->gpa, pa, pa, PAGE_SIZE, GPA_PROT_MASK)) {
		pr_err("partition %lu: cannot give page %lx back to the root", p->id, pa);
		return;
	}
	*f = (struct frame){ .state = FRAME_ROOT };
}

static void unmap_child_leaf(void *ctx, u64 gpa, u64 hpa, u64 size)
{
	(void)ctx;
	(void)gpa;
	for (u64 off = 0; off < size; off += PAGE_SIZE) {
		struct frame *f = frame_of(hpa + off);

		if (f && f->state == FRAME_ROOT && f->child_maps)
			f->child_maps--;
	}
}

void partition_destroy(struct partition *p)
{
	for (u32 i = 0; i < PARTITION_MAX_VPS; i++)
		partition_delete_vp(p, i);
	if (p->gpa.root)
		gpa_map_destroy(&p->gpa, p->kind == PARTITION_CHILD ? unmap_child_leaf : NULL, NULL);
	for (u32 i = 0; i < p->nram; i++)
		hv_free_pages(p->ram[i].hpa, p->ram[i].npages);
	if (p->kind == PARTITION_CHILD) {
		u64 pa;

		if (p->pool.nfree != p->pool.deposited)
			pr_err("partition %lu: %lu deposited pages still in use at delete", p->id,
			       p->pool.deposited - p->pool.nfree);
		while ((pa = pool_take(&p->pool)))
			return_to_root(p, pa);
	}
	if (p == root_partition)
		root_partition = NULL;
	in_use[p->slot] = false;
}

/* RAM for boot-time partitions from the hypervisor heap; deliberately not
 * identity-placed. */
int partition_add_ram(struct partition *p, u64 gpa, u64 size)
{
	struct mem_chunk *c;
	int err;

	if (p->nram == PARTITION_MAX_CHUNKS)
		return -ENOMEM;
	c = &p->ram[p->nram];
	c->npages = size >> PAGE_SHIFT;
	c->hpa = hv_alloc_pages(c->npages, 1);
	if (!c->hpa)
		return -ENOMEM;
	err = gpa_map_map(&p->gpa, gpa, c->hpa, size, GPA_READ | GPA_WRITE | GPA_EXEC);
	if (err) {
		hv_free_pages(c->hpa, c->npages);
		return err;
	}
	p->nram++;
	p->ram_size += size;
	return 0;
}

/* A boot-time partition's RAM is heap; everyone else's must be root RAM. */
static bool copy_allowed(struct partition *p, u64 hpa)
{
	enum frame_state s = frame_state(hpa);

	return s == FRAME_ROOT || (p->kind == PARTITION_BOOT && s == FRAME_HV);
}

/* buf NULL: only check that the whole range could be copied. */
static int partition_copy(struct partition *p, u64 gpa, void *buf, size_t len, bool write)
{
	u8 *b = buf;

	while (len) {
		size_t chunk = MIN(len, PAGE_SIZE - (gpa & (PAGE_SIZE - 1)));
		u64 hpa;
		u32 prot;

		if (!p->gpa.root || !gpa_map_lookup(&p->gpa, gpa, &hpa, &prot) ||
		    (write && !(prot & GPA_WRITE)) || !copy_allowed(p, hpa))
			return -EINVAL;
		if (b && write)
			memcpy(phys_to_virt(hpa), b, chunk);
		else if (b)
			memcpy(b, phys_to_virt(hpa), chunk);
		gpa += chunk;
		b = b ? b + chunk : NULL;
		len -= chunk;
	}
	return 0;
}

int partition_write(struct partition *p, u64 gpa, const void *src, size_t len)
{
	return partition_copy(p, gpa, (void *)src, len, true);
}

int partition_read(struct partition *p, u64 gpa, void *dst, size_t len)
{
	return partition_copy(p, gpa, dst, len, false);
}

bool partition_writable(struct partition *p, u64 gpa, size_t len)
{
	return partition_copy(p, gpa, NULL, len, true) == 0;
}

void partition_run(struct partition *p)
{
	struct vp_exit exit;
	struct vp *vp = p->vp[0];

	while (p->state == PARTITION_RUNNING) {
		u64 start = rdtsc();

		current_vp = vp;
		arch->vp_run(vp, &exit, false);
		vp->runtime_tsc += rdtsc() - start;
		vp->exit_reasons[exit.reason]++;
		vp_handle_exit(vp, &exit);
		current_vp = NULL;
	}
}

void partition_terminate(struct partition *p, const char *fmt, ...)
{
	char why[160];
	va_list ap;

	va_start(ap, fmt);
	hv_vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	p->state = PARTITION_TERMINATED;
	pr_warn("partition %lu (%s) terminated: %s", p->id, p->name, why);
	if (current_vp && current_vp->part == p)
		arch->vp_dump(current_vp);
}

void partition_end(struct partition *p, const char *why)
{
	p->state = PARTITION_ENDED;
	pr_info("partition %lu (%s) ended: %s (%lu exits)", p->id, p->name, why, p->vp[0]->exits);
}
