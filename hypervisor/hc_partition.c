/* Partition lifecycle hypercalls (TLFS; Linux mshv_root_hv_call.c as the
 * caller's model): create, initialize, finalize, delete, properties. */
#include "hc.h"
#include "hv/partition.h"
#include "log.h"
#include "time.h"

struct partition *hc_child(struct hc_call *c, u64 id, u16 *status)
{
	struct partition *p = partition_lookup(c->caller, id);

	if (!p || p == c->caller) {
		*status = HV_STATUS_INVALID_PARTITION_ID;
		return NULL;
	}
	*status = HV_STATUS_SUCCESS;
	return p;
}

struct vp *hc_child_vp(struct hc_call *c, u64 partition_id, u32 vp_index, u16 *status)
{
	struct partition *p = hc_child(c, partition_id, status);

	if (!p)
		return NULL;
	if (vp_index >= PARTITION_MAX_VPS || !p->vp[vp_index]) {
		*status = HV_STATUS_INVALID_VP_INDEX;
		return NULL;
	}
	return p->vp[vp_index];
}

#define KNOWN_CREATION_FLAGS                                                                   \
	(HV_PARTITION_CREATION_FLAG_GPA_SUPER_PAGES_ENABLED |                                  \
	 HV_PARTITION_CREATION_FLAG_EXO_PARTITION | HV_PARTITION_CREATION_FLAG_LAPIC_ENABLED | \
	 HV_PARTITION_CREATION_FLAG_X2APIC_CAPABLE |                                           \
	 HV_PARTITION_CREATION_FLAG_INTERCEPT_MESSAGE_PAGE)

u16 hc_create_partition(struct hc_call *c)
{
	const struct hv_input_create_partition *in = c->in;
	struct hv_output_create_partition *out = c->out;
	struct partition *p;

	if ((in->flags & ~KNOWN_CREATION_FLAGS) || in->isolation_properties)
		return HV_STATUS_INVALID_PARAMETER;
	p = partition_create_child(c->caller, in->flags);
	if (!p)
		return HV_STATUS_NO_RESOURCES;
	out->partition_id = p->id;
	pr_info("partition %lu created by %s", p->id, c->caller->name);
	return HV_STATUS_SUCCESS;
}

u16 hc_initialize_partition(struct hc_call *c)
{
	const struct hv_input_partition_id *in = c->in;
	u16 status;
	struct partition *p = hc_child(c, in->partition_id, &status);

	if (!p)
		return status;
	if (p->state != PARTITION_CREATED)
		return HV_STATUS_INVALID_PARTITION_STATE;
	return partition_initialize(p) ? HV_STATUS_INSUFFICIENT_MEMORY : HV_STATUS_SUCCESS;
}

u16 hc_finalize_partition(struct hc_call *c)
{
	const struct hv_input_partition_id *in = c->in;
	u16 status;
	struct partition *p = hc_child(c, in->partition_id, &status);

	if (!p)
		return status;
	if (p->state == PARTITION_FINALIZED)
		return HV_STATUS_INVALID_PARTITION_STATE;
	partition_finalize(p);
	return HV_STATUS_SUCCESS;
}

u16 hc_delete_partition(struct hc_call *c)
{
	const struct hv_input_partition_id *in = c->in;
	u16 status;
	struct partition *p = hc_child(c, in->partition_id, &status);

	if (!p)
		return status;
	pr_info("partition %lu deleted, %lu deposited pages back to %s", p->id, p->pool.deposited,
		c->caller->name);
	partition_destroy(p);
	return HV_STATUS_SUCCESS;
}

u16 hc_get_partition_property(struct hc_call *c)
{
	const struct hv_input_get_partition_property *in = c->in;
	struct hv_output_get_partition_property *out = c->out;
	struct partition *p = partition_lookup(c->caller, in->partition_id);

	if (!p)
		return HV_STATUS_INVALID_PARTITION_ID;
	switch (in->property_code) {
	case HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS:
		out->property_value = (u64)p->privileges << 32;
		return HV_STATUS_SUCCESS;
	case HV_PARTITION_PROPERTY_REFERENCE_TIME:
		out->property_value = reftime_now(p);
		return HV_STATUS_SUCCESS;
	case HV_PARTITION_PROPERTY_UNIMPLEMENTED_MSR_ACTION:
		out->property_value = p->ignore_unknown_msrs;
		return HV_STATUS_SUCCESS;
	case SEPTUM_PARTITION_PROPERTY_HV_FREE_PAGES:
		if (p != c->caller || p->kind != PARTITION_ROOT)
			return HV_STATUS_ACCESS_DENIED;
		out->property_value = hv_pages.nfree;
		return HV_STATUS_SUCCESS;
	}
	return HV_STATUS_UNKNOWN_PROPERTY;
}

u16 hc_set_partition_property(struct hc_call *c)
{
	const struct hv_input_set_partition_property *in = c->in;
	u16 status;
	struct partition *p = hc_child(c, in->partition_id, &status);

	if (!p)
		return status;
	switch (in->property_code) {
	case HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS:
	case HV_PARTITION_PROPERTY_REFERENCE_TIME:
		return HV_STATUS_ACCESS_DENIED;	/* read-only */
	case HV_PARTITION_PROPERTY_UNIMPLEMENTED_MSR_ACTION:
		/* 0: #GP, 1: writes ignored, reads 0 (TLFS HV_UNIMPLEMENTED_MSR_ACTION). */
		if (in->property_value > 1)
			return HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE;
		p->ignore_unknown_msrs = in->property_value;
		return HV_STATUS_SUCCESS;
	}
	return HV_STATUS_UNKNOWN_PROPERTY;
}
