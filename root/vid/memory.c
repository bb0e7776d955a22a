// SPDX-License-Identifier: GPL-2.0
/*
 * Guest RAM: user memory (the VMWP's mmap) pinned for the long term and
 * mapped into the child with HvCallMapGpaPages, whose nested page tables
 * come from pages deposited on demand. A page stays pinned as long as the
 * hypervisor may map it: until its unmap succeeded or the partition was
 * deleted.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "septum_vid.h"

#define PIN_BATCH 512

static u32 hv_map_flags(u32 flags)
{
	return (flags & SEPTUM_VID_MAP_READ ? HV_MAP_GPA_READABLE : 0) |
	       (flags & SEPTUM_VID_MAP_WRITE ? HV_MAP_GPA_WRITABLE : 0) |
	       (flags & SEPTUM_VID_MAP_EXEC ? HV_MAP_GPA_EXECUTABLE : 0);
}

/* The reps a call completed, never more than asked. */
static u32 reps_done(u64 result, u32 asked)
{
	return vid_status(result) == VID_NO_HYPERCALLS ? 0 : min(vid_reps(result), asked);
}

static bool overlaps(struct vid_partition *p, u64 pfn, u64 npages)
{
	struct vid_region *rg;

	list_for_each_entry(rg, &p->regions, node)
		if (pfn < rg->guest_pfn + rg->npages && rg->guest_pfn < pfn + npages)
			return true;
	return false;
}

/*
 * HvCallMapGpaPages over the region, a page of PFNs per call. Deposits
 * when the hypervisor needs table pages, as long as that helps. *mapped:
 * the pages mapped, also on an error.
 */
static int map_gpa(struct vid_partition *p, struct vid_hvpages *pg, struct vid_region *rg,
		   u64 *mapped)
{
	struct hv_input_map_gpa_pages *in = pg->in;
	int tries = 0;

	*mapped = 0;
	while (*mapped < rg->npages) {
		u32 chunk = min_t(u64, rg->npages - *mapped, VID_MAP_PER_CALL), done;
		u64 r;

		*in = (struct hv_input_map_gpa_pages){ .target_partition_id = p->id,
						       .target_gpa_base = rg->guest_pfn + *mapped,
						       .map_flags = hv_map_flags(rg->flags) };
		for (u32 i = 0; i < chunk; i++)
			in->source_gpa_page_list[i] = page_to_pfn(rg->pages[*mapped + i]);
		r = vid_hvcall_rep(HVCALL_MAP_GPA_PAGES, chunk, 0, in, NULL);
		done = reps_done(r, chunk);
		*mapped += done;
		if (done)
			tries = 0;
		if (vid_status(r) == HV_STATUS_INSUFFICIENT_MEMORY && tries++ < VID_DEPOSIT_TRIES &&
		    !vid_deposit(p, VID_DEPOSIT_CHUNK))
			continue;
		if (vid_status(r))
			return vid_errno(r);
		if (done != chunk)
			return -EIO;
		cond_resched();
	}
	return 0;
}

/* HvCallUnmapGpaPages; splitting a large mapping may need a deposit. */
static int unmap_gpa(struct vid_partition *p, struct vid_hvpages *pg, u64 pfn, u64 npages)
{
	struct hv_input_unmap_gpa_pages *in = pg->in;
	u64 unmapped = 0;
	int tries = 0;

	while (unmapped < npages) {
		u32 chunk = min_t(u64, npages - unmapped, VID_UNMAP_PER_CALL), done;
		u64 r;

		*in = (struct hv_input_unmap_gpa_pages){ .target_partition_id = p->id,
							 .target_gpa_base = pfn + unmapped };
		r = vid_hvcall_rep(HVCALL_UNMAP_GPA_PAGES, chunk, 0, in, NULL);
		done = reps_done(r, chunk);
		unmapped += done;
		if (done)
			tries = 0;
		if (vid_status(r) == HV_STATUS_INSUFFICIENT_MEMORY && tries++ < VID_DEPOSIT_TRIES &&
		    !vid_deposit(p, VID_DEPOSIT_CHUNK))
			continue;
		if (vid_status(r))
			return vid_errno(r);
		if (done != chunk)
			return -EIO;
	}
	return 0;
}

static int pin_region(struct vid_region *rg)
{
	u64 pinned = 0;

	while (pinned < rg->npages) {
		int n = min_t(u64, rg->npages - pinned, PIN_BATCH);
		long got = pin_user_pages_fast(rg->uaddr + (pinned << PAGE_SHIFT), n,
					       FOLL_WRITE | FOLL_LONGTERM, rg->pages + pinned);

		if (got <= 0) {
			unpin_user_pages(rg->pages, pinned);
			return got ? got : -EFAULT;
		}
		pinned += got;
		cond_resched();
	}
	return 0;
}

static void free_region(struct vid_region *rg, bool pinned)
{
	if (pinned)
		unpin_user_pages_dirty_lock(rg->pages, rg->npages,
					    rg->flags & SEPTUM_VID_MAP_WRITE);
	kvfree(rg->pages);
	kfree(rg);
}

static bool valid_map(const struct septum_vid_memory *m)
{
	return !m->reserved && (m->flags & SEPTUM_VID_MAP_READ) &&
	       !(m->flags & ~SEPTUM_VID_MAP_FLAGS) && m->npages &&
	       m->npages <= SEPTUM_VID_MAX_MAP_PAGES && m->guest_pfn < SEPTUM_VID_GPA_PFN_LIMIT &&
	       m->npages <= SEPTUM_VID_GPA_PFN_LIMIT - m->guest_pfn &&
	       PAGE_ALIGNED(m->userspace_addr);
}

long vid_map_memory(struct vid_partition *p, void __user *arg)
{
	struct septum_vid_memory m;
	struct vid_region *rg;
	struct vid_hvpages pg;
	u64 mapped = 0;
	bool pinned, keep = false;
	int err;

	if (copy_from_user(&m, arg, sizeof(m)))
		return -EFAULT;
	if (!valid_map(&m))
		return -EINVAL;
	if (!m.userspace_addr ||
	    !access_ok((void __user *)(uintptr_t)m.userspace_addr, m.npages << PAGE_SHIFT))
		return -EFAULT;
	rg = kzalloc(sizeof(*rg), GFP_KERNEL_ACCOUNT);
	if (!rg)
		return -ENOMEM;
	rg->guest_pfn = m.guest_pfn;
	rg->npages = m.npages;
	rg->uaddr = m.userspace_addr;
	rg->flags = m.flags;
	rg->pages = kvmalloc_array(m.npages, sizeof(*rg->pages), GFP_KERNEL_ACCOUNT);
	if (!rg->pages) {
		kfree(rg);
		return -ENOMEM;
	}
	err = vid_hvpages_alloc(&pg);
	if (err) {
		free_region(rg, false);
		return err;
	}

	mutex_lock(&p->lock);
	if (p->nregions == VID_MAX_REGIONS)
		err = -ENOSPC;
	else if (overlaps(p, m.guest_pfn, m.npages))
		err = -EEXIST;
	else
		err = pin_region(rg);
	pinned = !err;
	if (!err) {
		err = map_gpa(p, &pg, rg, &mapped);
		/* Pages the child may still reach stay pinned, in the list, until the delete. */
		if (err && mapped && unmap_gpa(p, &pg, rg->guest_pfn, mapped)) {
			pr_err("partition %llu: cannot unmap GPA %#llx+%llu pages after a failed map\n",
			       p->id, rg->guest_pfn << PAGE_SHIFT, mapped);
			keep = true;
		}
	}
	if (!err || keep) {
		list_add_tail(&rg->node, &p->regions);
		p->nregions++;
		p->nmapped += rg->npages;
		atomic64_add(rg->npages, &vid_mapped_pages);
		rg = NULL;
	}
	mutex_unlock(&p->lock);

	vid_hvpages_free(&pg);
	if (rg)
		free_region(rg, pinned);
	return err;
}

long vid_unmap_memory(struct vid_partition *p, void __user *arg)
{
	struct septum_vid_memory m;
	struct vid_region *rg, *found = NULL;
	struct vid_hvpages pg;
	int err;

	if (copy_from_user(&m, arg, sizeof(m)))
		return -EFAULT;
	if (m.userspace_addr || m.flags || m.reserved)
		return -EINVAL;
	err = vid_hvpages_alloc(&pg);
	if (err)
		return err;
	mutex_lock(&p->lock);
	list_for_each_entry(rg, &p->regions, node) {
		if (rg->guest_pfn == m.guest_pfn && rg->npages == m.npages) {
			found = rg;
			break;
		}
	}
	err = found ? unmap_gpa(p, &pg, found->guest_pfn, found->npages) : -ENOENT;
	if (!err) {
		list_del(&found->node);
		p->nregions--;
		p->nmapped -= found->npages;
		atomic64_sub(found->npages, &vid_mapped_pages);
	}
	mutex_unlock(&p->lock);
	vid_hvpages_free(&pg);
	if (!err)
		free_region(found, true);
	return err;
}

void vid_release_regions(struct vid_partition *p)
{
	struct vid_region *rg, *tmp;

	list_for_each_entry_safe(rg, tmp, &p->regions, node) {
		list_del(&rg->node);
		atomic64_sub(rg->npages, &vid_mapped_pages);
		free_region(rg, true);
		cond_resched();
	}
	p->nregions = 0;
	p->nmapped = 0;
}
