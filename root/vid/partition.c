// SPDX-License-Identifier: GPL-2.0
/*
 * Partitions: creation (create, deposit, initialize), the partition fd's
 * ioctls, deposits on demand, and the end (finalize, delete, then the
 * root's pages back).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "septum_vid.h"

#define INTERCEPT_ACCESS                                                    \
	(HV_INTERCEPT_ACCESS_MASK_READ | HV_INTERCEPT_ACCESS_MASK_WRITE | \
	 HV_INTERCEPT_ACCESS_MASK_EXECUTE)

#define CREATION_FLAGS                                                                         \
	(HV_PARTITION_CREATION_FLAG_LAPIC_ENABLED | HV_PARTITION_CREATION_FLAG_X2APIC_CAPABLE | \
	 HV_PARTITION_CREATION_FLAG_GPA_SUPER_PAGES_ENABLED)

int vid_get_property(struct vid_hvpages *pg, u64 partition_id, u32 code, u64 *value)
{
	struct hv_input_get_partition_property *in = pg->in;
	struct hv_output_get_partition_property *out = pg->out;
	u64 r;

	*in = (struct hv_input_get_partition_property){ .partition_id = partition_id,
							.property_code = code };
	r = vid_hvcall(HVCALL_GET_PARTITION_PROPERTY, in, out);
	if (vid_status(r))
		return vid_errno(r);
	*value = out->property_value;
	return 0;
}

static int set_property(struct vid_hvpages *pg, u64 partition_id, u32 code, u64 value)
{
	struct hv_input_set_partition_property *in = pg->in;

	*in = (struct hv_input_set_partition_property){ .partition_id = partition_id,
							.property_code = code,
							.property_value = value };
	return vid_errno(vid_hvcall(HVCALL_SET_PARTITION_PROPERTY, in, NULL));
}

/* Initialize, Finalize and Delete: one qword of input. */
static u64 partition_call(struct vid_hvpages *pg, u16 code, u64 id)
{
	struct hv_input_partition_id *in = pg->in;

	in->partition_id = id;
	return vid_hvcall(code, in, NULL);
}

int vid_deposit(struct vid_partition *p, u32 npages)
{
	struct hv_input_deposit_memory *in;
	struct vid_hvpages pg;
	int err;

	lockdep_assert_held(&p->lock);
	if (p->ndeposited + npages > VID_MAX_DEPOSITED)
		return -ENOSPC;
	err = vid_hvpages_alloc(&pg);
	if (err)
		return err;
	in = pg.in;
	in->partition_id = p->id;
	while (npages && !err) {
		u32 chunk = min_t(u32, npages, VID_DEPOSIT_PER_CALL), n, done;
		struct page *page, *tmp;
		LIST_HEAD(batch);
		u64 r;

		for (n = 0; n < chunk; n++) {
			page = alloc_page(GFP_KERNEL_ACCOUNT);
			if (!page)
				break;
			list_add_tail(&page->lru, &batch);
			in->gpa_page_list[n] = page_to_pfn(page);
		}
		if (n < chunk)
			err = -ENOMEM;
		if (!n)
			break;
		r = vid_hvcall_rep(HVCALL_DEPOSIT_MEMORY, n, 0, in, NULL);
		/* The first `done` pages are the hypervisor's now, whatever the status. */
		done = vid_status(r) == VID_NO_HYPERCALLS ? 0 : min(vid_reps(r), n);
		list_for_each_entry_safe(page, tmp, &batch, lru) {
			if (done) {
				list_move_tail(&page->lru, &p->deposited);
				done--;
				p->ndeposited++;
				atomic64_inc(&vid_deposited_pages);
			} else {
				list_del(&page->lru);
				__free_page(page);
			}
		}
		if (!err && (vid_status(r) || vid_reps(r) != n))
			err = vid_status(r) ? vid_errno(r) : -EIO;
		npages -= n;
	}
	vid_hvpages_free(&pg);
	return err;
}

u64 vid_call_depositing(struct vid_partition *p, u64 control, void *in, void *out)
{
	u64 r;

	for (int tries = 0;; tries++) {
		r = vid_hvcall(control, in, out);
		if (vid_status(r) != HV_STATUS_INSUFFICIENT_MEMORY || tries == VID_DEPOSIT_TRIES ||
		    vid_deposit(p, VID_DEPOSIT_CHUNK))
			return r;
	}
}

/*
 * The partition's end. Its VPs are gone (each held the partition's file).
 * Only after the hypervisor deleted it are its pages the root's again: if
 * the delete fails they stay pinned and lent, and the partition leaks.
 */
static void partition_destroy(struct vid_partition *p, bool initialized)
{
	struct page *page, *tmp;
	u64 r;

	if (initialized) {
		r = partition_call(&p->teardown, HVCALL_FINALIZE_PARTITION, p->id);
		if (vid_status(r))
			pr_warn("partition %llu: FinalizePartition: %#llx\n", p->id, r);
	}
	r = partition_call(&p->teardown, HVCALL_DELETE_PARTITION, p->id);
	if (vid_status(r)) {
		pr_err("partition %llu: DeletePartition: %#llx; leaking %llu deposited and %llu mapped pages\n",
		       p->id, r, p->ndeposited, p->nmapped);
		return;
	}
	vid_release_regions(p);
	list_for_each_entry_safe(page, tmp, &p->deposited, lru) {
		list_del(&page->lru);
		__free_page(page);
	}
	atomic64_sub(p->ndeposited, &vid_deposited_pages);
	atomic_dec(&vid_partitions);
	vid_hvpages_free(&p->teardown);
	vid_eventfds_release(p);
	kfree(p);
}

static int vid_partition_release(struct inode *inode, struct file *f)
{
	partition_destroy(f->private_data, true);
	return 0;
}

void vid_kick_vp(struct vid_vp *vp)
{
	atomic_set(&vp->kicked, 1);
	wake_up_interruptible(&vp->wq);
	/* Running the VP on another CPU: an IPI ends its dispatch there. */
	spin_lock(&vp->runner_lock);
	if (vp->runner && vp->runner != current)
		kick_process(vp->runner);
	spin_unlock(&vp->runner_lock);
}

void vid_kick_vps(struct vid_partition *p, u64 mask)
{
	mutex_lock(&p->lock);
	for (u32 i = 0; i < SEPTUM_VID_MAX_VPS; i++)
		if ((mask & BIT_ULL(i)) && p->vps[i])
			vid_kick_vp(p->vps[i]);
	mutex_unlock(&p->lock);
}

static void kick_index(struct vid_partition *p, u32 index)
{
	mutex_lock(&p->lock);
	if (index < SEPTUM_VID_MAX_VPS && p->vps[index])
		vid_kick_vp(p->vps[index]);
	mutex_unlock(&p->lock);
}

static long assert_interrupt(struct vid_partition *p, void __user *arg)
{
	struct hv_input_assert_virtual_interrupt *in;
	struct septum_vid_interrupt a;
	struct vid_hvpages pg;
	u64 r;

	if (copy_from_user(&a, arg, sizeof(a)))
		return -EFAULT;
	if (a.reserved ||
	    (a.flags & ~(SEPTUM_VID_INTERRUPT_LEVEL | SEPTUM_VID_INTERRUPT_LOGICAL)) ||
	    a.vector > 0xFF || a.dest_apic_id > 0xFFFFFFFF)
		return -EINVAL;
	if (vid_hvpages_alloc(&pg))
		return -ENOMEM;
	in = pg.in;
	*in = (struct hv_input_assert_virtual_interrupt){ .partition_id = p->id,
							  .interrupt_type = a.type,
							  .control_flags = a.flags,
							  .dest_addr = a.dest_apic_id,
							  .vector = a.vector };
	r = vid_hvcall(HVCALL_ASSERT_VIRTUAL_INTERRUPT, in, NULL);
	vid_hvpages_free(&pg);
	if (!vid_status(r)) {
		/* Which VPs the destination names is the virtual APIC's business. */
		mutex_lock(&p->lock);
		for (u32 i = 0; i < SEPTUM_VID_MAX_VPS; i++)
			if (p->vps[i])
				vid_kick_vp(p->vps[i]);
		mutex_unlock(&p->lock);
	}
	return vid_errno(r);
}

static long post_message(struct vid_partition *p, void __user *arg)
{
	struct hv_input_post_message_direct *in;
	struct septum_vid_message *m;
	struct vid_hvpages pg;
	u32 vp_index;
	long err;

	if (vid_hvpages_alloc(&pg))
		return -ENOMEM;
	/* 264 bytes: read into the spare output page, not onto the stack. */
	m = pg.out;
	if (copy_from_user(m, arg, sizeof(*m))) {
		err = -EFAULT;
		goto out;
	}
	vp_index = m->vp_index;
	if (vp_index >= SEPTUM_VID_MAX_VPS || m->sint >= HV_SYNIC_SINT_COUNT) {
		err = -EINVAL;
		goto out;
	}
	in = pg.in;
	in->partition_id = p->id;
	in->vp_index = vp_index;
	in->sint_index = m->sint;
	memcpy(in->message, &m->message, sizeof(in->message));
	err = vid_errno(vid_hvcall(HVCALL_POST_MESSAGE_DIRECT, in, NULL));
	if (!err)
		kick_index(p, vp_index);
out:
	vid_hvpages_free(&pg);
	return err;
}

static long signal_event(struct vid_partition *p, void __user *arg)
{
	struct hv_input_signal_event_direct *in;
	struct hv_output_signal_event_direct *out;
	struct septum_vid_event e;
	struct vid_hvpages pg;
	long err;

	if (copy_from_user(&e, arg, sizeof(e)))
		return -EFAULT;
	if (e.reserved || e.reserved2 || e.vp_index >= SEPTUM_VID_MAX_VPS ||
	    e.sint >= HV_SYNIC_SINT_COUNT)
		return -EINVAL;
	if (vid_hvpages_alloc(&pg))
		return -ENOMEM;
	in = pg.in;
	out = pg.out;
	*in = (struct hv_input_signal_event_direct){ .target_partition = p->id,
						     .target_vp = e.vp_index,
						     .target_sint = e.sint,
						     .flag_number = e.flag };
	err = vid_errno(vid_hvcall(HVCALL_SIGNAL_EVENT_DIRECT, in, out));
	e.newly_signaled = out->newly_signaled;
	vid_hvpages_free(&pg);
	if (err)
		return err;
	kick_index(p, e.vp_index);
	return copy_to_user(arg, &e, sizeof(e)) ? -EFAULT : 0;
}

static long install_intercept(struct vid_partition *p, void __user *arg)
{
	struct hv_input_install_intercept *in;
	struct septum_vid_intercept i;
	struct vid_hvpages pg;
	long err;

	if (copy_from_user(&i, arg, sizeof(i)))
		return -EFAULT;
	if ((i.type != HV_INTERCEPT_TYPE_X64_CPUID && i.type != HV_INTERCEPT_TYPE_X64_IO_PORT) ||
	    !i.access || (i.access & ~INTERCEPT_ACCESS))
		return -EINVAL;
	if (vid_hvpages_alloc(&pg))
		return -ENOMEM;
	in = pg.in;
	*in = (struct hv_input_install_intercept){ .partition_id = p->id,
						   .access_type = i.access,
						   .intercept_type = i.type,
						   .intercept_parameter = i.parameter };
	err = vid_errno(vid_hvcall(HVCALL_INSTALL_INTERCEPT, in, NULL));
	vid_hvpages_free(&pg);
	return err;
}

static bool property_allowed(u32 code, bool set)
{
	switch (code) {
	case HV_PARTITION_PROPERTY_UNIMPLEMENTED_MSR_ACTION:
	case HV_PARTITION_PROPERTY_TIME_FREEZE:
		return true;
	case HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS:
	case HV_PARTITION_PROPERTY_REFERENCE_TIME:
		return !set;
	}
	return false;
}

static long property(struct vid_partition *p, void __user *arg, bool set)
{
	struct septum_vid_property prop;
	struct vid_hvpages pg;
	long err;

	if (copy_from_user(&prop, arg, sizeof(prop)))
		return -EFAULT;
	if (prop.reserved || !property_allowed(prop.code, set))
		return -EINVAL;
	if (vid_hvpages_alloc(&pg))
		return -ENOMEM;
	if (set)
		err = set_property(&pg, p->id, prop.code, prop.value);
	else
		err = vid_get_property(&pg, p->id, prop.code, &prop.value);
	vid_hvpages_free(&pg);
	if (err || set)
		return err;
	return copy_to_user(arg, &prop, sizeof(prop)) ? -EFAULT : 0;
}

long vid_get_stats(struct vid_partition *p, void __user *arg)
{
	struct vid_counters *c = p ? &p->counters : &vid_counters;
	struct septum_vid_stats s = {};
	struct vid_hvpages pg;
	long err;

	if (vid_hvpages_alloc(&pg))
		return -ENOMEM;
	err = vid_get_property(&pg, HV_PARTITION_ID_SELF, SEPTUM_PARTITION_PROPERTY_HV_FREE_PAGES,
			       &s.hv_free_pages);
	vid_hvpages_free(&pg);
	if (err)
		return err;
	if (p) {
		mutex_lock(&p->lock);
		s.deposited_pages = p->ndeposited;
		s.mapped_pages = p->nmapped;
		s.partition_id = p->id;
		s.partitions = 1;
		s.vps = p->nvps;
		mutex_unlock(&p->lock);
	} else {
		s.deposited_pages = atomic64_read(&vid_deposited_pages);
		s.mapped_pages = atomic64_read(&vid_mapped_pages);
		s.partitions = atomic_read(&vid_partitions);
		s.vps = atomic_read(&vid_vps);
	}
	s.dispatches = atomic64_read(&c->dispatches);
	s.intercepts = atomic64_read(&c->intercepts);
	s.preemptions = atomic64_read(&c->preemptions);
	s.blocked_waits = atomic64_read(&c->blocked_waits);
	s.signals = atomic64_read(&c->signals);
	return copy_to_user(arg, &s, sizeof(s)) ? -EFAULT : 0;
}

static long vid_partition_ioctl(struct file *f, unsigned int cmd, unsigned long arg)
{
	struct vid_partition *p = f->private_data;
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case SEPTUM_VID_MAP_MEMORY:
		return vid_map_memory(p, argp);
	case SEPTUM_VID_UNMAP_MEMORY:
		return vid_unmap_memory(p, argp);
	case SEPTUM_VID_CREATE_VP:
		return vid_create_vp(p, f, argp);
	case SEPTUM_VID_ASSERT_INTERRUPT:
		return assert_interrupt(p, argp);
	case SEPTUM_VID_POST_MESSAGE:
		return post_message(p, argp);
	case SEPTUM_VID_SIGNAL_EVENT:
		return signal_event(p, argp);
	case SEPTUM_VID_INSTALL_INTERCEPT:
		return install_intercept(p, argp);
	case SEPTUM_VID_GET_PROPERTY:
		return property(p, argp, false);
	case SEPTUM_VID_SET_PROPERTY:
		return property(p, argp, true);
	case SEPTUM_VID_GET_STATS:
		return vid_get_stats(p, argp);
	case SEPTUM_VID_SIGNAL_EVENTFD:
		return vid_signal_eventfd(p, argp);
	}
	return -ENOTTY;
}

static const struct file_operations vid_partition_fops = {
	.owner = THIS_MODULE,
	.release = vid_partition_release,
	.unlocked_ioctl = vid_partition_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

/*
 * Create, then initialize with what it asks to be deposited. p->id stays 0
 * (no child has id 0) unless the hypervisor created the partition.
 */
static int partition_setup(struct vid_partition *p, u64 flags, bool *initialized)
{
	struct hv_input_create_partition *in;
	struct hv_output_create_partition *out;
	struct vid_hvpages pg;
	u64 r;
	int err = vid_hvpages_alloc(&pg);

	if (err)
		return err;
	in = pg.in;
	out = pg.out;
	*in = (struct hv_input_create_partition){ .flags = flags };
	r = vid_hvcall(HVCALL_CREATE_PARTITION, in, out);
	err = vid_errno(r);
	if (!err) {
		p->id = out->partition_id;
		mutex_lock(&p->lock);
		((struct hv_input_partition_id *)pg.in)->partition_id = p->id;
		r = vid_call_depositing(p, HVCALL_INITIALIZE_PARTITION, pg.in, NULL);
		mutex_unlock(&p->lock);
		err = vid_errno(r);
		*initialized = !err;
	}
	vid_hvpages_free(&pg);
	return err;
}

long vid_create_partition(void __user *arg)
{
	struct septum_vid_create_partition args;
	struct vid_partition *p;
	bool initialized = false;
	struct file *file;
	int fd, err;

	if (copy_from_user(&args, arg, sizeof(args)))
		return -EFAULT;
	if ((args.flags & ~CREATION_FLAGS) || args.reserved[0] || args.reserved[1] ||
	    args.reserved[2])
		return -EINVAL;
	p = kzalloc(sizeof(*p), GFP_KERNEL_ACCOUNT);
	if (!p)
		return -ENOMEM;
	spin_lock_init(&p->eventfd_lock);
	if (vid_hvpages_alloc(&p->teardown)) {
		kfree(p);
		return -ENOMEM;
	}
	mutex_init(&p->lock);
	INIT_LIST_HEAD(&p->deposited);
	INIT_LIST_HEAD(&p->regions);
	atomic_inc(&vid_partitions);

	err = partition_setup(p, args.flags, &initialized);
	if (err)
		goto fail;
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		err = fd;
		goto fail;
	}
	file = anon_inode_getfile("septum-partition", &vid_partition_fops, p, O_RDWR);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		err = PTR_ERR(file);
		goto fail;
	}
	fd_install(fd, file);
	return fd;

fail:
	if (p->id) {
		partition_destroy(p, initialized);
	} else {
		atomic_dec(&vid_partitions);
		vid_hvpages_free(&p->teardown);
		kfree(p);
	}
	return err;
}
