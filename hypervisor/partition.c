/* Partition objects: creation, memory, the run loop, and their end. */
#include "errno.h"
#include "lib.h"
#include "log.h"
#include "partition.h"

static struct partition partitions[PARTITION_MAX];
static bool in_use[PARTITION_MAX];
static u32 next_id = 1;
static struct vp vps[PARTITION_MAX];

struct partition *partition_create(const char *name)
{
	struct partition *p;
	size_t slot = 0;

	while (slot < PARTITION_MAX && in_use[slot])
		slot++;
	if (slot == PARTITION_MAX)
		return NULL;
	p = &partitions[slot];
	memset(p, 0, sizeof(*p));
	hv_snprintf(p->name, sizeof(p->name), "%s", name);
	if (gpa_map_init(&p->gpa, arch->gpa_ops, &hv_page_source))
		return NULL;
	p->vp = &vps[slot];
	memset(p->vp, 0, sizeof(*p->vp));
	p->vp->part = p;
	if (arch->vp_create(p->vp)) {
		gpa_map_destroy(&p->gpa);
		return NULL;
	}
	p->id = next_id++;
	p->state = PARTITION_RUNNING;
	in_use[slot] = true;
	return p;
}

void partition_destroy(struct partition *p)
{
	arch->vp_destroy(p->vp);
	gpa_map_destroy(&p->gpa);
	for (u32 i = 0; i < p->nram; i++)
		hv_free_pages(p->ram[i].hpa, p->ram[i].npages);
	in_use[p - partitions] = false;
}

/* RAM from the hypervisor heap; deliberately not identity-placed. */
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

/* Copies between the hypervisor and guest memory, page by page, only
 * through what the partition's GPA map allows. */
static int partition_copy(struct partition *p, u64 gpa, void *buf, size_t len, bool write)
{
	u8 *b = buf;

	while (len) {
		size_t chunk = MIN(len, PAGE_SIZE - (gpa & (PAGE_SIZE - 1)));
		u64 hpa;
		u32 prot;

		if (!gpa_map_lookup(&p->gpa, gpa, &hpa, &prot) || (write && !(prot & GPA_WRITE)))
			return -EINVAL;
		if (write)
			memcpy(phys_to_virt(hpa), b, chunk);
		else
			memcpy(b, phys_to_virt(hpa), chunk);
		gpa += chunk;
		b += chunk;
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

void partition_run(struct partition *p)
{
	struct vp_exit exit;

	while (p->state == PARTITION_RUNNING) {
		current_vp = p->vp;
		arch->vp_run(p->vp, &exit);
		vp_handle_exit(p->vp, &exit);
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
	pr_warn("partition %u (%s) terminated: %s", p->id, p->name, why);
	arch->vp_dump(p->vp);
}

void partition_end(struct partition *p, const char *why)
{
	p->state = PARTITION_ENDED;
	pr_info("partition %u (%s) ended: %s (%lu exits)", p->id, p->name, why, p->vp->exits);
}
