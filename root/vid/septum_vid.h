/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VID's objects: partitions (partition.c), their guest RAM
 * (memory.c) and VPs (vp.c), behind /dev/septum (main.c).
 */
#ifndef SEPTUM_VID_INTERNAL_H
#define SEPTUM_VID_INTERNAL_H

#include <linux/atomic.h>
#include <linux/fs.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/wait.h>

#include "hv/hypercall.h"
#include "hv/partition.h"
#include "hv/status.h"
#include "septum/vid.h"

#include "hvcall.h"

/* PFNs one input page carries (TLFS: the list follows a 8- or 24-byte header). */
#define VID_DEPOSIT_PER_CALL	((PAGE_SIZE - sizeof(struct hv_input_deposit_memory)) / 8)
#define VID_MAP_PER_CALL	((PAGE_SIZE - sizeof(struct hv_input_map_gpa_pages)) / 8)
/* The rep count field is 12 bits wide. */
#define VID_UNMAP_PER_CALL	2048
/* On HV_STATUS_INSUFFICIENT_MEMORY: this many pages more, at most this often per call. */
#define VID_DEPOSIT_CHUNK	16
#define VID_DEPOSIT_TRIES	64
/* Bounds on what one partition may take from the root. */
#define VID_MAX_DEPOSITED	65536	/* 256 MiB of hypervisor objects */
#define VID_MAX_REGIONS		256

struct vid_counters {
	atomic64_t dispatches;
	atomic64_t intercepts;
	atomic64_t preemptions;
	atomic64_t blocked_waits;
	atomic64_t signals;
};

/* SIGNAL_EVENTFD: a connection id and the eventfd its signals go to. */
struct vid_eventfd {
	u32 connection_id;
	struct eventfd_ctx *ctx;
};

/* Guest RAM: one MAP_MEMORY. */
struct vid_region {
	struct list_head node;
	u64 guest_pfn;
	u64 npages;
	u64 uaddr;
	u32 flags;		/* SEPTUM_VID_MAP_* */
	struct page **pages;	/* pinned */
};

struct vid_vp;

/* Two pages for one hypercall's input and output. */
struct vid_hvpages {
	void *in;
	void *out;
};

struct vid_partition {
	u64 id;				/* the hypervisor's */
	struct vid_hvpages teardown;	/* so the delete cannot fail for want of a page */
	struct mutex lock;		/* everything below */
	struct list_head deposited;	/* struct page, through lru */
	u64 ndeposited;
	struct list_head regions;
	u32 nregions;
	u64 nmapped;
	struct vid_vp *vps[SEPTUM_VID_MAX_VPS];
	u32 nvps;
	struct vid_counters counters;
	spinlock_t eventfd_lock;	/* eventfds: RUN looks them up */
	struct vid_eventfd eventfds[SEPTUM_VID_MAX_EVENTFDS];
	u32 neventfds;
};

struct vid_vp {
	struct vid_partition *part;
	struct file *part_file;		/* held: the partition outlives its VPs */
	u32 index;
	struct mutex run_lock;		/* one RUN at a time */
	void *hv_in, *hv_out;		/* DispatchVp's pages, under run_lock */
	void *guest_fpu;		/* the child's XSAVE area, under run_lock */
	wait_queue_head_t wq;		/* a RUN waiting for a halted VP */
	atomic_t kicked;
	spinlock_t runner_lock;
	struct task_struct *runner;	/* the task in RUN, if any */
};

/* Hypervisor-wide figures (GET_STATS on /dev/septum). */
extern atomic64_t vid_deposited_pages;
extern atomic64_t vid_mapped_pages;
extern atomic_t vid_partitions;
extern atomic_t vid_vps;
extern struct vid_counters vid_counters;

int vid_hvpages_alloc(struct vid_hvpages *pg);
void vid_hvpages_free(struct vid_hvpages *pg);
/* The errno for a hypercall result (include/septum/vid.h lists them). */
int vid_errno(u64 result);

/* partition.c */
long vid_create_partition(void __user *arg);
long vid_get_stats(struct vid_partition *p, void __user *arg);
/* eventfd.c */
long vid_signal_eventfd(struct vid_partition *p, void __user *arg);
bool vid_eventfd_has(struct vid_partition *p, u32 connection_id);
bool vid_eventfd_signal(struct vid_partition *p, u32 connection_id);
void vid_eventfds_release(struct vid_partition *p);
int vid_get_property(struct vid_hvpages *pg, u64 partition_id, u32 code, u64 *value);
/* Lends npages more root pages to p (p->lock held). */
int vid_deposit(struct vid_partition *p, u32 npages);
/* A simple call that may need deposits: deposits and retries on
 * HV_STATUS_INSUFFICIENT_MEMORY (p->lock held). */
u64 vid_call_depositing(struct vid_partition *p, u64 control, void *in, void *out);
void vid_kick_vp(struct vid_vp *vp);
/* Kicks the partition's VPs named by mask (bit = VP index). */
void vid_kick_vps(struct vid_partition *p, u64 mask);

/* memory.c */
long vid_map_memory(struct vid_partition *p, void __user *arg);
long vid_unmap_memory(struct vid_partition *p, void __user *arg);
/* After the partition's delete: unpins every region. */
void vid_release_regions(struct vid_partition *p);

/* vp.c */
long vid_create_vp(struct vid_partition *p, struct file *pfile, void __user *arg);

#endif
