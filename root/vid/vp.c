// SPDX-License-Identifier: GPL-2.0
/*
 * VPs: the VP fd's registers and its run loop. A child VP runs only inside
 * HvCallDispatchVp on the calling thread's CPU (the root scheduler,
 * ARCHITECTURE.md §2.3). The loop:
 *  - READY + INTERCEPT: the message goes to user space;
 *  - READY, no event: a root interrupt preempted the child; a pending
 *    signal ends RUN with -EINTR, the scheduler gets its chance, and the
 *    VP is dispatched again;
 *  - BLOCKED: the VP halted; sleep (hrtimer) until its next timer deadline,
 *    a kick or a signal, then dispatch again.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "hv/intercept.h"
#include "hv/registers.h"
#include "septum_vid.h"

/* Reference time is in 100 ns units. */
#define REF_NS 100
/* The nap for a deadline that stays in the past. */
#define STALE_NAP_NS (100 * NSEC_PER_USEC)

/* The partition's figure and the VID's. */
#define COUNT(vp, name)                                   \
	do {                                              \
		atomic64_inc(&(vp)->part->counters.name); \
		atomic64_inc(&vid_counters.name);         \
	} while (0)

/* GET_REGS and SET_REGS: one rep call; `done` says how many went through. */
static long vp_regs(struct vid_vp *vp, struct septum_vid_regs __user *arg, bool set)
{
	struct septum_vid_regs *regs;
	struct vid_hvpages pg;
	u32 n, done;
	long err;
	u64 r;

	regs = kmalloc(sizeof(*regs), GFP_KERNEL);
	if (!regs)
		return -ENOMEM;
	err = -EFAULT;
	if (copy_from_user(regs, arg, sizeof(*regs)))
		goto out;
	n = regs->count;
	err = -EINVAL;
	if (!n || n > SEPTUM_VID_MAX_REGS)
		goto out;
	err = vid_hvpages_alloc(&pg);
	if (err)
		goto out;
	if (set) {
		struct hv_input_set_vp_registers *in = pg.in;

		in->partition_id = vp->part->id;
		in->vp_index = vp->index;
		for (u32 i = 0; i < n; i++)
			in->elements[i] = (struct hv_register_assoc){ .name = regs->names[i],
								      .value = regs->values[i] };
		r = vid_hvcall_rep(HVCALL_SET_VP_REGISTERS, n, 0, in, NULL);
	} else {
		struct hv_input_get_vp_registers *in = pg.in;

		in->partition_id = vp->part->id;
		in->vp_index = vp->index;
		memcpy(in->names, regs->names, n * sizeof(u32));
		r = vid_hvcall_rep(HVCALL_GET_VP_REGISTERS, n, 0, in, pg.out);
	}
	done = vid_status(r) == VID_NO_HYPERCALLS ? 0 : min(vid_reps(r), n);
	if (!set)
		memcpy(regs->values, pg.out, done * sizeof(regs->values[0]));
	vid_hvpages_free(&pg);
	regs->done = done;
	err = vid_status(r) ? vid_errno(r) : done == n ? 0 : -EIO;
	if (set ? put_user(done, &arg->done) : copy_to_user(arg, regs, sizeof(*regs)))
		err = -EFAULT;
out:
	kfree(regs);
	return err;
}

/*
 * A child's HvSignalEvent on a connection with an eventfd (SIGNAL_EVENTFD):
 * signal it and complete the call here, RIP past it and RAX success, so
 * the VP runs on. False leaves the intercept to user space (no eventfd, an
 * unknown instruction length, or the registers would not take).
 */
static bool signal_in_kernel(struct vid_vp *vp, const struct hv_message *msg)
{
	const struct hv_x64_hypercall_intercept_message *m = (const void *)msg->payload;
	struct hv_input_set_vp_registers *in = vp->hv_in;
	u32 len = m->header.instruction_length_cr8 & 0xF;
	u64 r;

	if (msg->header.message_type != HVMSG_HYPERCALL_INTERCEPT || !len ||
	    (m->rcx & 0xFFFF) != HVCALL_SIGNAL_EVENT || !(m->rcx & HV_HYPERCALL_FAST_BIT) ||
	    (m->rcx & HV_HYPERCALL_REP_COUNT_MASK))
		return false;
	if (!vid_eventfd_has(vp->part, (u32)m->rdx))
		return false;
	in->partition_id = vp->part->id;
	in->vp_index = vp->index;
	in->input_vtl = 0;
	in->elements[0] = (struct hv_register_assoc){ .name = HV_X64_REGISTER_RIP,
						       .value.reg64 = m->header.rip + len };
	in->elements[1] = (struct hv_register_assoc){ .name = HV_X64_REGISTER_RAX,
						       .value.reg64 = HV_STATUS_SUCCESS };
	r = vid_hvcall_rep(HVCALL_SET_VP_REGISTERS, 2, 0, in, NULL);
	if (vid_status(r))
		return false;
	/* Removed meanwhile (its channel is closing): the signal goes nowhere. */
	vid_eventfd_signal(vp->part, (u32)m->rdx);
	return true;
}

/*
 * The VP halted: sleep until its timer deadline (reference time of the
 * partition), a kick or a signal. 0 means dispatch again. *stale counts
 * deadlines found already past in a row: should the hypervisor keep
 * reporting one it does not act on, the loop naps instead of spinning.
 */
static int wait_blocked(struct vid_vp *vp, u64 deadline, u32 *stale)
{
	struct vid_hvpages pg = { vp->hv_in, vp->hv_out };
	u64 now, ns = STALE_NAP_NS;
	long ret;

	COUNT(vp, blocked_waits);
	if (!deadline) {
		ret = wait_event_interruptible(vp->wq, atomic_read(&vp->kicked));
		return ret == -ERESTARTSYS ? -EINTR : ret;
	}
	ret = vid_get_property(&pg, vp->part->id, HV_PARTITION_PROPERTY_REFERENCE_TIME, &now);
	if (ret)
		return ret;
	if (now < deadline) {
		*stale = 0;
		ns = min_t(u64, deadline - now, KTIME_MAX / REF_NS) * REF_NS;
	} else if (++*stale < 2) {
		return 0;
	}
	ret = wait_event_interruptible_hrtimeout(vp->wq, atomic_read(&vp->kicked),
						 ns_to_ktime(ns));
	if (ret == -ETIME)
		ret = 0;
	return ret == -ERESTARTSYS ? -EINTR : ret;
}

static void set_runner(struct vid_vp *vp, struct task_struct *task)
{
	spin_lock(&vp->runner_lock);
	vp->runner = task;
	spin_unlock(&vp->runner_lock);
}

static long run(struct vid_vp *vp, struct septum_vid_run __user *arg)
{
	struct hv_input_dispatch_vp *in = vp->hv_in;
	struct hv_output_dispatch_vp *out = vp->hv_out;
	struct septum_vid_run r = {};
	u32 stale = 0;
	long err;

	if (copy_from_user(&r, arg, offsetof(struct septum_vid_run, dispatch_state)))
		return -EFAULT;
	if (r.reserved || (r.flags & ~SEPTUM_VID_RUN_NO_WAIT))
		return -EINVAL;
	/* A message that cannot be delivered must not be taken from the VP. */
	if (clear_user(&arg->dispatch_state, sizeof(r) - offsetof(struct septum_vid_run,
								  dispatch_state)))
		return -EFAULT;
	if (!mutex_trylock(&vp->run_lock))
		return -EBUSY;
	set_runner(vp, current);
	for (;;) {
		u64 result;

		if (signal_pending(current)) {
			err = -EINTR;
			break;
		}
		cond_resched();
		atomic_set(&vp->kicked, 0);
		*in = (struct hv_input_dispatch_vp){ .partition_id = vp->part->id,
						     .vp_index = vp->index };
		result = vid_dispatch(in, out, vp->guest_fpu);
		COUNT(vp, dispatches);
		err = vid_errno(result);
		if (err)
			break;
		if (out->signaled_vps)
			vid_kick_vps(vp->part, out->signaled_vps);
		r.dispatch_state = out->dispatch_state;
		r.dispatch_event = out->dispatch_event;
		r.next_timer_deadline = 0;
		if (out->dispatch_state == HV_DISPATCH_STATE_READY &&
		    out->dispatch_event == HV_DISPATCH_EVENT_INTERCEPT) {
			if (signal_in_kernel(vp, &out->message)) {
				COUNT(vp, signals);
				continue;
			}
			memcpy(&r.message, &out->message, sizeof(r.message));
			COUNT(vp, intercepts);
			break;
		}
		if (out->dispatch_state == HV_DISPATCH_STATE_READY &&
		    out->dispatch_event == HV_DISPATCH_EVENT_NONE) {
			COUNT(vp, preemptions);
			continue;
		}
		if (out->dispatch_state != HV_DISPATCH_STATE_BLOCKED) {
			pr_warn_ratelimited("partition %llu vp %u: dispatch state %u event %u\n",
					    vp->part->id, vp->index, out->dispatch_state,
					    out->dispatch_event);
			err = -EIO;
			break;
		}
		r.next_timer_deadline = out->next_timer_deadline;
		if (r.flags & SEPTUM_VID_RUN_NO_WAIT)
			break;
		err = wait_blocked(vp, r.next_timer_deadline, &stale);
		if (err)
			break;
	}
	set_runner(vp, NULL);
	mutex_unlock(&vp->run_lock);
	if (err)
		return err;
	return copy_to_user(arg, &r, sizeof(r)) ? -EFAULT : 0;
}

static long vid_vp_ioctl(struct file *f, unsigned int cmd, unsigned long arg)
{
	struct vid_vp *vp = f->private_data;
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case SEPTUM_VID_GET_REGS:
		return vp_regs(vp, argp, false);
	case SEPTUM_VID_SET_REGS:
		return vp_regs(vp, argp, true);
	case SEPTUM_VID_RUN:
		return run(vp, argp);
	case SEPTUM_VID_KICK:
		vid_kick_vp(vp);
		return 0;
	}
	return -ENOTTY;
}

static void free_vp(struct vid_vp *vp)
{
	free_page((unsigned long)vp->guest_fpu);
	free_pages((unsigned long)vp->hv_in, 1);
	kfree(vp);
}

/* Deletes the VP; the partition may create the index again. */
static int vid_vp_release(struct inode *inode, struct file *f)
{
	struct vid_vp *vp = f->private_data;
	struct vid_partition *p = vp->part;
	struct hv_input_delete_vp *in = vp->hv_in;
	u64 r;

	mutex_lock(&p->lock);
	*in = (struct hv_input_delete_vp){ .partition_id = p->id, .vp_index = vp->index };
	r = vid_hvcall(HVCALL_DELETE_VP, in, NULL);
	if (vid_status(r))
		pr_warn("partition %llu: DeleteVp %u: %#llx\n", p->id, vp->index, r);
	p->vps[vp->index] = NULL;
	p->nvps--;
	atomic_dec(&vid_vps);
	mutex_unlock(&p->lock);
	fput(vp->part_file);
	free_vp(vp);
	return 0;
}

static const struct file_operations vid_vp_fops = {
	.owner = THIS_MODULE,
	.release = vid_vp_release,
	.unlocked_ioctl = vid_vp_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

long vid_create_vp(struct vid_partition *p, struct file *pfile, void __user *arg)
{
	struct septum_vid_create_vp args;
	struct hv_input_create_vp *in;
	unsigned long pages, fpu;
	struct vid_vp *vp;
	struct file *file;
	int fd, err;

	if (copy_from_user(&args, arg, sizeof(args)))
		return -EFAULT;
	if (args.index >= SEPTUM_VID_MAX_VPS || args.flags)
		return -EINVAL;
	vp = kzalloc(sizeof(*vp), GFP_KERNEL_ACCOUNT);
	pages = __get_free_pages(GFP_KERNEL_ACCOUNT | __GFP_ZERO, 1);
	fpu = get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!vp || !pages || !fpu) {
		kfree(vp);
		free_pages(pages, 1);
		free_page(fpu);
		return -ENOMEM;
	}
	/* Reset state: XSTATE_BV 0 loads the init state of every component
	 * but MXCSR, which XRSTOR takes from the legacy area. */
	*(u16 *)fpu = 0x037F;			/* FCW */
	*(u32 *)(fpu + 24) = 0x1F80;		/* MXCSR */
	vp->guest_fpu = (void *)fpu;
	vp->part = p;
	vp->index = args.index;
	vp->hv_in = (void *)pages;
	vp->hv_out = (void *)(pages + PAGE_SIZE);
	mutex_init(&vp->run_lock);
	init_waitqueue_head(&vp->wq);
	spin_lock_init(&vp->runner_lock);

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		free_vp(vp);
		return fd;
	}
	mutex_lock(&p->lock);
	if (p->vps[args.index]) {
		err = -EEXIST;
		goto fail;
	}
	in = vp->hv_in;
	*in = (struct hv_input_create_vp){ .partition_id = p->id, .vp_index = args.index };
	err = vid_errno(vid_call_depositing(p, HVCALL_CREATE_VP, in, NULL));
	if (err)
		goto fail;
	file = anon_inode_getfile("septum-vp", &vid_vp_fops, vp, O_RDWR);
	if (IS_ERR(file)) {
		struct hv_input_delete_vp *del = vp->hv_in;

		err = PTR_ERR(file);
		*del = (struct hv_input_delete_vp){ .partition_id = p->id, .vp_index = args.index };
		vid_hvcall(HVCALL_DELETE_VP, del, NULL);
		goto fail;
	}
	vp->part_file = get_file(pfile);
	p->vps[args.index] = vp;
	p->nvps++;
	atomic_inc(&vid_vps);
	mutex_unlock(&p->lock);
	fd_install(fd, file);
	return fd;

fail:
	mutex_unlock(&p->lock);
	put_unused_fd(fd);
	free_vp(vp);
	return err;
}
