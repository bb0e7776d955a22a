/*
 * Memory hypercalls: deposit/withdraw (the root lends pages for a child's
 * hypervisor objects) and map/unmap GPA pages (root RAM into a child).
 * The frame table (frames.c) keeps the two uses of a root page apart.
 */
#include "errno.h"
#include "frames.h"
#include "hc.h"
#include "log.h"

/* The root page behind the caller's PFN, if it is the caller's RAM. */
static struct frame *caller_frame(struct partition *caller, u64 pfn, u64 *hpa, bool write)
{
	u32 prot;
	struct frame *f;

	if (pfn >= GPA_MAP_LIMIT >> PAGE_SHIFT ||
	    !gpa_map_lookup(&caller->gpa, pfn << PAGE_SHIFT, hpa, &prot) ||
	    (write && !(prot & GPA_WRITE)))
		return NULL;
	f = frame_of(*hpa);
	return f && f->state == FRAME_ROOT ? f : NULL;
}

u16 hc_deposit_memory(struct hc_call *c)
{
	const struct hv_input_deposit_memory *in = c->in;
	u16 status;
	struct partition *p = hc_child(c, in->partition_id, &status);
	u32 end;

	if (!p)
		return status;
	if (p->state == PARTITION_FINALIZED)
		return HV_STATUS_INVALID_PARTITION_STATE;
	end = MIN(c->rep_count, c->rep_start + HC_REP_BUDGET);
	for (; c->reps_done < end; c->reps_done++) {
		u64 hpa;
		struct frame *f = caller_frame(c->caller, in->gpa_page_list[c->reps_done], &hpa, true);

		if (!f)
			return HV_STATUS_INVALID_PARAMETER;
		/* A page a child can write must never hold hypervisor data. */
		if (f->child_maps)
			return HV_STATUS_OBJECT_IN_USE;
		if (gpa_map_unmap(&c->caller->gpa, hpa, PAGE_SIZE))
			return HV_STATUS_NO_RESOURCES;
		*f = (struct frame){ .state = FRAME_DEPOSITED, .owner = p->slot };
		pool_add(&p->pool, hpa);
	}
	return HV_STATUS_SUCCESS;
}

u16 hc_withdraw_memory(struct hc_call *c)
{
	const struct hv_input_withdraw_memory *in = c->in;
	u64 *out = c->out;
	u16 status;
	struct partition *p = hc_child(c, in->partition_id, &status);
	u32 end;

	if (!p)
		return status;
	end = MIN(c->rep_count, c->rep_start + HC_REP_BUDGET);
	for (; c->reps_done < end; c->reps_done++) {
		u64 pa = pool_take(&p->pool);

		/* No free page: a status, not success, or the caller loops. */
		if (!pa)
			return HV_STATUS_NO_RESOURCES;
		gpa_map_unmap(&c->caller->gpa, pa, PAGE_SIZE);
		if (gpa_map_map(&c->caller->gpa, pa, pa, PAGE_SIZE, GPA_PROT_MASK)) {
			pool_add(&p->pool, pa);
			return HV_STATUS_NO_RESOURCES;
		}
		*frame_of(pa) = (struct frame){ .state = FRAME_ROOT };
		out[c->reps_done] = pa >> PAGE_SHIFT;
	}
	return HV_STATUS_SUCCESS;
}

static u32 map_flags_to_prot(u32 flags)
{
	return (flags & HV_MAP_GPA_READABLE ? GPA_READ : 0) |
	       (flags & HV_MAP_GPA_WRITABLE ? GPA_WRITE : 0) |
	       (flags & HV_MAP_GPA_EXECUTABLE ? GPA_EXEC : 0);
}

#define MAP_FLAGS_KNOWN (HV_MAP_GPA_PERMISSIONS_MASK | HV_MAP_GPA_ADJUSTABLE | HV_MAP_GPA_NOT_CACHED)

u16 hc_map_gpa_pages(struct hc_call *c)
{
	const struct hv_input_map_gpa_pages *in = c->in;
	u32 prot = map_flags_to_prot(in->map_flags);
	u16 status;
	struct partition *p = hc_child(c, in->target_partition_id, &status);
	u32 end;

	if (!p)
		return status;
	if (p->state != PARTITION_RUNNING)
		return HV_STATUS_INVALID_PARTITION_STATE;
	/* The nested format cannot express write- or execute-only. */
	if ((in->map_flags & ~MAP_FLAGS_KNOWN) || !(prot & GPA_READ))
		return HV_STATUS_INVALID_PARAMETER;
	if (in->target_gpa_base >= GPA_MAP_LIMIT >> PAGE_SHIFT ||
	    c->rep_count > (GPA_MAP_LIMIT >> PAGE_SHIFT) - in->target_gpa_base)
		return HV_STATUS_INVALID_PARAMETER;
	end = MIN(c->rep_count, c->rep_start + HC_REP_BUDGET);
	for (; c->reps_done < end; c->reps_done++) {
		u64 gpa = (in->target_gpa_base + c->reps_done) << PAGE_SHIFT, hpa;
		struct frame *f = caller_frame(c->caller, in->source_gpa_page_list[c->reps_done],
					       &hpa, prot & GPA_WRITE);
		int err;

		if (!f || f->child_maps == FRAME_MAX_CHILD_MAPS)
			return HV_STATUS_INVALID_PARAMETER;
		err = gpa_map_map(&p->gpa, gpa, hpa, PAGE_SIZE, prot);
		if (err)
			return err == -ENOMEM ? HV_STATUS_INSUFFICIENT_MEMORY
					      : HV_STATUS_INVALID_PARAMETER;
		f->child_maps++;
	}
	return HV_STATUS_SUCCESS;
}

u16 hc_unmap_gpa_pages(struct hc_call *c)
{
	const struct hv_input_unmap_gpa_pages *in = c->in;
	u16 status;
	struct partition *p = hc_child(c, in->target_partition_id, &status);
	u32 end;

	if (!p)
		return status;
	if (p->state != PARTITION_RUNNING)
		return HV_STATUS_INVALID_PARTITION_STATE;
	if (in->unmap_flags || in->target_gpa_base >= GPA_MAP_LIMIT >> PAGE_SHIFT ||
	    c->rep_count > (GPA_MAP_LIMIT >> PAGE_SHIFT) - in->target_gpa_base)
		return HV_STATUS_INVALID_PARAMETER;
	end = MIN(c->rep_count, c->rep_start + HC_REP_BUDGET);
	for (; c->reps_done < end; c->reps_done++) {
		u64 gpa = (in->target_gpa_base + c->reps_done) << PAGE_SHIFT, hpa;
		u32 prot;
		struct frame *f;

		if (!gpa_map_lookup(&p->gpa, gpa, &hpa, &prot))
			continue;
		/* Splitting a large mapping may need a deposited page. */
		if (gpa_map_unmap(&p->gpa, gpa, PAGE_SIZE))
			return HV_STATUS_INSUFFICIENT_MEMORY;
		f = frame_of(hpa);
		if (f && f->child_maps)
			f->child_maps--;
	}
	return HV_STATUS_SUCCESS;
}
