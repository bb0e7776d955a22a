/*
 * The root touching memory it does not own: the hypervisor's frames, or
 * pages it deposited. Nothing of the hypervisor's shows through, nothing is
 * written to it, and the root keeps running: the first read of such a page
 * maps a page of ones read-only there; a write maps a scratch page that
 * absorbs it (and later reads see only what the root wrote itself). Each
 * page is logged at most twice: its first read and its first write.
 */
#include "frames.h"
#include "lib.h"
#include "log.h"
#include "partition.h"
#include "root_fault.h"

static u64 ones_page, sink_page;

int root_fault_init(void)
{
	ones_page = hv_alloc_pages(1, 1);
	sink_page = hv_alloc_pages(1, 1);
	if (!ones_page || !sink_page)
		return -1;
	memset(phys_to_virt(ones_page), 0xFF, PAGE_SIZE);
	return 0;
}

void root_fault(struct partition *root, u64 gpa, bool write)
{
	u64 page = ALIGN_DOWN(gpa, PAGE_SIZE);
	u64 hpa;
	u32 prot;
	bool aliased = gpa_map_lookup(&root->gpa, page, &hpa, &prot);

	pr_warn("root %s GPA %lx, which it does not own (%s): %s", write ? "wrote" : "read", gpa,
		frame_state(page) == FRAME_HV ? "hypervisor memory"
		: frame_state(page) == FRAME_DEPOSITED ? "deposited"
						       : "not RAM",
		write ? "writes go to a scratch page" : "reads see ones");
	if (aliased)
		gpa_map_unmap(&root->gpa, page, PAGE_SIZE);
	if (gpa_map_map(&root->gpa, page, write ? sink_page : ones_page, PAGE_SIZE,
			write ? GPA_READ | GPA_WRITE : GPA_READ))
		partition_terminate(root, "no memory to stand in for GPA %lx", page);
}
