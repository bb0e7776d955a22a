/* Ioctls a buggy or hostile VMWP might make: each gets an errno, none leaves anything behind. */
#include "vidtest.h"

#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hv/partition.h"
#include "hv/status.h"

/* ---- /dev/septum ---- */

void test_device_bad_ioctls(void)
{
	struct septum_vid_create_partition cp = { .flags = 1ULL << 40 };

	expect_errno(dev, _IO(SEPTUM_VID_IOCTL, 0x7F), NULL, ENOTTY, "bad-dev-unknown-cmd");
	expect_errno(dev, SEPTUM_VID_RUN, NULL, ENOTTY, "bad-dev-vp-cmd");
	expect_errno(dev, SEPTUM_VID_CREATE_PARTITION, NULL, EFAULT, "bad-dev-create-null");
	expect_errno(dev, SEPTUM_VID_CREATE_PARTITION, (void *)8, EFAULT,
		     "bad-dev-create-wild-pointer");
	expect_errno(dev, SEPTUM_VID_CREATE_PARTITION, &cp, EINVAL, "bad-dev-create-flags");
	cp = (struct septum_vid_create_partition){ .reserved[2] = 1 };
	expect_errno(dev, SEPTUM_VID_CREATE_PARTITION, &cp, EINVAL, "bad-dev-create-reserved");
	expect_errno(dev, SEPTUM_VID_GET_STATS, NULL, EFAULT, "bad-dev-stats-null");
}

/* ---- hostile input on a partition and a VP ---- */

/* SIGNAL_EVENTFD: its refusals, and a table that stays consistent. */
static void test_bad_eventfds(struct guest *g)
{
	int efd = eventfd(0, EFD_CLOEXEC);
	struct septum_vid_eventfd e = { .connection_id = 0x10001, .fd = (u32)efd };
	long r;

	expect_errno(g->part, SEPTUM_VID_SIGNAL_EVENTFD, &(struct septum_vid_eventfd){
		.connection_id = 1, .fd = 0 }, EINVAL, "bad-eventfd-not-an-eventfd");
	expect_errno(g->part, SEPTUM_VID_SIGNAL_EVENTFD, &(struct septum_vid_eventfd){
		.connection_id = 1, .fd = 9999 }, EBADF, "bad-eventfd-closed-fd");
	expect_errno(g->part, SEPTUM_VID_SIGNAL_EVENTFD, &(struct septum_vid_eventfd){
		.connection_id = 1, .fd = (u32)efd, .reserved = 1 }, EINVAL, "bad-eventfd-reserved");
	expect_errno(g->part, SEPTUM_VID_SIGNAL_EVENTFD, &(struct septum_vid_eventfd){
		.connection_id = 1, .flags = 2 }, EINVAL, "bad-eventfd-flags");
	expect_errno(g->part, SEPTUM_VID_SIGNAL_EVENTFD, &(struct septum_vid_eventfd){
		.connection_id = 1, .flags = SEPTUM_VID_EVENTFD_DEASSIGN }, ENOENT,
		"bad-eventfd-deassign-none");
	r = vid(g->part, SEPTUM_VID_SIGNAL_EVENTFD, &e);
	report(!r, "eventfd-assign", "%s", err_name(r));
	expect_errno(g->part, SEPTUM_VID_SIGNAL_EVENTFD, &e, EEXIST, "bad-eventfd-twice");
	e.flags = SEPTUM_VID_EVENTFD_DEASSIGN;
	r = vid(g->part, SEPTUM_VID_SIGNAL_EVENTFD, &e);
	report(!r, "eventfd-deassign", "%s", err_name(r));
	/* Left assigned: the partition's close must release it. */
	e.flags = 0;
	vid(g->part, SEPTUM_VID_SIGNAL_EVENTFD, &e);
	close(efd);
}

void test_bad_partition_ioctls(struct guest *g)
{
	struct septum_vid_stats before, after;
	struct septum_vid_memory m;
	struct septum_vid_property prop = { .code = HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS };
	struct septum_vid_message msg = { .vp_index = 0, .sint = HV_SYNIC_SINT_COUNT };
	struct septum_vid_interrupt irq = { .type = HV_X64_INTERRUPT_TYPE_FIXED, .vector = 5 };
	struct septum_vid_intercept icpt = { .type = 0x77, .access = 1 };
	struct septum_vid_create_vp cv = { .index = SEPTUM_VID_MAX_VPS };
	long ps = sysconf(_SC_PAGESIZE);
	u8 *ro = mmap(NULL, ps, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	u8 *gone = mmap(NULL, 2 * ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	u8 *spare = mmap(NULL, 3 * ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	u64 far = SEPTUM_VID_GPA_PFN_LIMIT;

	munmap(gone, 2 * ps);
	munmap(spare + 2 * ps, ps);	/* two pages, then a hole */
	stats(g->part, &before);
	expect_errno(g->part, _IO(SEPTUM_VID_IOCTL, 0x7F), NULL, ENOTTY,
		     "bad-partition-unknown-cmd");
	expect_errno(g->part, SEPTUM_VID_RUN, NULL, ENOTTY, "bad-partition-vp-cmd");
	expect_errno(g->part, SEPTUM_VID_CREATE_PARTITION, NULL, ENOTTY,
		     "bad-partition-dev-cmd");
	expect_errno(g->part, SEPTUM_VID_MAP_MEMORY, NULL, EFAULT, "bad-map-null");
	expect_errno(g->part, SEPTUM_VID_CREATE_VP, NULL, EFAULT, "bad-create-vp-null");
	expect_errno(g->part, SEPTUM_VID_POST_MESSAGE, NULL, EFAULT, "bad-post-null");
	expect_errno(g->part, SEPTUM_VID_CREATE_VP, &cv, EINVAL, "bad-create-vp-index-16");
	cv.index = 0xFFFFFFFF;
	expect_errno(g->part, SEPTUM_VID_CREATE_VP, &cv, EINVAL, "bad-create-vp-index-huge");
	cv.index = 0;
	expect_errno(g->part, SEPTUM_VID_CREATE_VP, &cv, EEXIST, "bad-create-vp-twice");

	report(map(g->part, CHILD_PAGES, 1, spare + 1, RWX) == -EINVAL, "bad-map-unaligned",
	       "user address %p", spare + 1);
	report(map(g->part, 5, 1, spare, RWX) == -EEXIST, "bad-map-overlap",
	       "GPA page 5 inside the mapped 4 MiB");
	report(map(g->part, CHILD_PAGES - 1, 2, spare, RWX) == -EEXIST, "bad-map-overlap-tail",
	       "the last mapped page and one more");
	report(map(g->part, CHILD_PAGES, 1, ro, RWX) == -EFAULT, "bad-map-read-only-user-range",
	       "a PROT_READ page");
	report(map(g->part, CHILD_PAGES, 2, gone, RWX) == -EFAULT, "bad-map-unmapped-user-range",
	       "a munmap'd range");
	report(map(g->part, CHILD_PAGES, 2, spare + ps, RWX) == -EFAULT,
	       "bad-map-range-runs-off", "one mapped page, then an unmapped one");
	report(map(g->part, CHILD_PAGES, 1, spare, SEPTUM_VID_MAP_WRITE) == -EINVAL,
	       "bad-map-without-read", "write-only");
	report(map(g->part, CHILD_PAGES, 1, spare, RWX | 0x100) == -EINVAL,
	       "bad-map-unknown-flag", "flag 0x100");
	report(map(g->part, CHILD_PAGES, 0, spare, RWX) == -EINVAL, "bad-map-zero-pages", "0");
	report(map(g->part, CHILD_PAGES, 1ULL << 40, spare, RWX) == -EINVAL, "bad-map-huge-count",
	       "2^40 pages");
	report(map(g->part, far - 1, 2, spare, RWX) == -EINVAL, "bad-map-beyond-gpa-limit",
	       "PFN %lx + 2", far - 1);
	report(map(g->part, ~0ULL, 1, spare, RWX) == -EINVAL, "bad-map-pfn-wraps", "PFN ~0");
	report(map(g->part, CHILD_PAGES, 1, (void *)0xFFFF888000000000ULL, RWX) == -EFAULT,
	       "bad-map-kernel-address", "a kernel address");
	m = (struct septum_vid_memory){ .guest_pfn = CHILD_PAGES, .npages = 1,
					.userspace_addr = (u64)(uintptr_t)spare, .flags = RWX,
					.reserved = 1 };
	expect_errno(g->part, SEPTUM_VID_MAP_MEMORY, &m, EINVAL, "bad-map-reserved");
	report(unmap(g->part, 1, 1) == -ENOENT, "bad-unmap-part-of-range",
	       "page 1 of the 4 MiB range");
	report(unmap(g->part, CHILD_PAGES, 1) == -ENOENT, "bad-unmap-nothing-there",
	       "no mapping at page %lu", (u64)CHILD_PAGES);
	m = (struct septum_vid_memory){ .npages = CHILD_PAGES, .flags = RWX };
	expect_errno(g->part, SEPTUM_VID_UNMAP_MEMORY, &m, EINVAL, "bad-unmap-with-flags");

	expect_errno(g->part, SEPTUM_VID_POST_MESSAGE, &msg, EINVAL, "bad-post-sint-16");
	msg = (struct septum_vid_message){ .vp_index = 99 };
	expect_errno(g->part, SEPTUM_VID_POST_MESSAGE, &msg, EINVAL, "bad-post-vp-99");
	msg = (struct septum_vid_message){ .vp_index = 0, .sint = 2 };
	msg.message.header.message_type = 1;
	/* VP 0 has not enabled its SynIC: the hypervisor refuses. */
	expect_errno(g->part, SEPTUM_VID_POST_MESSAGE, &msg, ENXIO, "bad-post-synic-off");
	expect_errno(g->part, SEPTUM_VID_ASSERT_INTERRUPT, &irq, EINVAL, "bad-assert-vector-5");
	irq = (struct septum_vid_interrupt){ .type = 0x99, .vector = 0x40 };
	expect_errno(g->part, SEPTUM_VID_ASSERT_INTERRUPT, &irq, EINVAL, "bad-assert-type");
	irq = (struct septum_vid_interrupt){ .vector = 0x40, .dest_apic_id = 1ULL << 32 };
	expect_errno(g->part, SEPTUM_VID_ASSERT_INTERRUPT, &irq, EINVAL, "bad-assert-dest");
	expect_errno(g->part, SEPTUM_VID_INSTALL_INTERCEPT, &icpt, EINVAL, "bad-intercept-type");
	expect_errno(g->part, SEPTUM_VID_SET_PROPERTY, &prop, EINVAL, "bad-set-privileges");
	prop = (struct septum_vid_property){ .code = SEPTUM_PARTITION_PROPERTY_HV_FREE_PAGES };
	expect_errno(g->part, SEPTUM_VID_GET_PROPERTY, &prop, EINVAL, "bad-get-septum-property");
	prop = (struct septum_vid_property){ .code = HV_PARTITION_PROPERTY_UNIMPLEMENTED_MSR_ACTION,
					     .value = 7 };
	expect_errno(g->part, SEPTUM_VID_SET_PROPERTY, &prop, ERANGE, "bad-set-property-range");

	test_bad_eventfds(g);

	stats(g->part, &after);
	report(after.mapped_pages == before.mapped_pages && after.vps == before.vps &&
		       after.mapped_pages == CHILD_PAGES,
	       "bad-ioctls-leave-nothing", "mapped pages %llu -> %llu, VPs %u -> %u",
	       (unsigned long long)before.mapped_pages, (unsigned long long)after.mapped_pages,
	       before.vps, after.vps);
	munmap(ro, ps);
	munmap(spare, 2 * ps);
}

void test_bad_vp_ioctls(struct guest *g)
{
	static struct septum_vid_regs regs;
	struct septum_vid_run run = { .flags = 0x80 };
	const struct hv_register_assoc set[] = { reg64(HV_X64_REGISTER_RBX, 1),
						 reg64(UNKNOWN_REGISTER, 1) };
	u32 done = 99;
	long r;

	expect_errno(g->vp[0], _IO(SEPTUM_VID_IOCTL, 0x7F), NULL, ENOTTY, "bad-vp-unknown-cmd");
	expect_errno(g->vp[0], SEPTUM_VID_MAP_MEMORY, NULL, ENOTTY, "bad-vp-partition-cmd");
	expect_errno(g->vp[0], SEPTUM_VID_GET_REGS, NULL, EFAULT, "bad-get-regs-null");
	expect_errno(g->vp[0], SEPTUM_VID_SET_REGS, (void *)16, EFAULT, "bad-set-regs-wild");
	expect_errno(g->vp[0], SEPTUM_VID_RUN, NULL, EFAULT, "bad-run-null");
	expect_errno(g->vp[0], SEPTUM_VID_RUN, &run, EINVAL, "bad-run-flags");
	memset(&regs, 0, sizeof(regs));
	regs.count = SEPTUM_VID_MAX_REGS + 1;
	expect_errno(g->vp[0], SEPTUM_VID_GET_REGS, &regs, EINVAL, "bad-get-regs-count-65");
	regs.count = 0xFFFFFFFF;
	expect_errno(g->vp[0], SEPTUM_VID_SET_REGS, &regs, EINVAL, "bad-set-regs-count-huge");
	regs.count = 0;
	expect_errno(g->vp[0], SEPTUM_VID_GET_REGS, &regs, EINVAL, "bad-get-regs-count-0");
	r = set_regs(g->vp[0], set, 2, &done);
	report(r == -EINVAL && done == 1, "bad-set-unknown-register",
	       "%s, done %u (want EINVAL after 1)", err_name(r), done);
	r = set_regs(g->vp[0],
		     (const struct hv_register_assoc[]){ reg64(HV_X64_REGISTER_EFER, 1ULL << 12) },
		     1, NULL);
	report(r == -EINVAL, "bad-set-efer-svme", "EFER.SVME: %s", err_name(r));
}

