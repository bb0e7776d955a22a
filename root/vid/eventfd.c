// SPDX-License-Identifier: GPL-2.0
/*
 * SIGNAL_EVENTFD (include/septum/vid.h): a table per partition of
 * connection ids whose HvSignalEvent the VID completes itself, signalling
 * an eventfd. RUN looks them up and signals under the table's spinlock, so
 * a connection being removed is never signalled after its removal.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/eventfd.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "septum_vid.h"

static int find(struct vid_partition *p, u32 connection_id)
{
	for (u32 i = 0; i < p->neventfds; i++)
		if (p->eventfds[i].connection_id == connection_id)
			return i;
	return -1;
}

static long assign(struct vid_partition *p, u32 connection_id, int fd)
{
	struct eventfd_ctx *ctx = eventfd_ctx_fdget(fd);
	long err = 0;

	if (IS_ERR(ctx))
		return PTR_ERR(ctx);
	spin_lock(&p->eventfd_lock);
	if (find(p, connection_id) >= 0)
		err = -EEXIST;
	else if (p->neventfds == SEPTUM_VID_MAX_EVENTFDS)
		err = -ENOSPC;
	else
		p->eventfds[p->neventfds++] = (struct vid_eventfd){ connection_id, ctx };
	spin_unlock(&p->eventfd_lock);
	if (err)
		eventfd_ctx_put(ctx);
	return err;
}

static long deassign(struct vid_partition *p, u32 connection_id)
{
	struct eventfd_ctx *ctx = NULL;
	int i;

	spin_lock(&p->eventfd_lock);
	i = find(p, connection_id);
	if (i >= 0) {
		ctx = p->eventfds[i].ctx;
		p->eventfds[i] = p->eventfds[--p->neventfds];
	}
	spin_unlock(&p->eventfd_lock);
	if (!ctx)
		return -ENOENT;
	eventfd_ctx_put(ctx);
	return 0;
}

long vid_signal_eventfd(struct vid_partition *p, void __user *arg)
{
	struct septum_vid_eventfd e;

	if (copy_from_user(&e, arg, sizeof(e)))
		return -EFAULT;
	if (e.reserved || (e.flags & ~SEPTUM_VID_EVENTFD_DEASSIGN))
		return -EINVAL;
	if (e.flags & SEPTUM_VID_EVENTFD_DEASSIGN)
		return deassign(p, e.connection_id);
	return assign(p, e.connection_id, (int)e.fd);
}

bool vid_eventfd_has(struct vid_partition *p, u32 connection_id)
{
	bool has;

	spin_lock(&p->eventfd_lock);
	has = find(p, connection_id) >= 0;
	spin_unlock(&p->eventfd_lock);
	return has;
}

bool vid_eventfd_signal(struct vid_partition *p, u32 connection_id)
{
	int i;

	/* eventfd_signal takes only a spinlock itself. */
	spin_lock(&p->eventfd_lock);
	i = find(p, connection_id);
	if (i >= 0)
		eventfd_signal(p->eventfds[i].ctx, 1);
	spin_unlock(&p->eventfd_lock);
	return i >= 0;
}

void vid_eventfds_release(struct vid_partition *p)
{
	for (u32 i = 0; i < p->neventfds; i++)
		eventfd_ctx_put(p->eventfds[i].ctx);
	p->neventfds = 0;
}
