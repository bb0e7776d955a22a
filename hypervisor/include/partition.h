/*
 * Partitions: the hypervisor's unit of isolation. Three kinds: the root
 * (identity GPA map, the hardware, the privileges), its children (created
 * by hypercall, built from deposited pages, dispatched by the root), and
 * boot-time test partitions the hypervisor runs itself when there is no
 * root (RAM from the hypervisor heap).
 */
#ifndef SEPTUM_PARTITION_H
#define SEPTUM_PARTITION_H

#include "gpa_map.h"
#include "pool.h"
#include "types.h"
#include "vp.h"

#define PARTITION_MAX		32
#define PARTITION_MAX_VPS	16
#define PARTITION_MAX_CHUNKS	8
#define PARTITION_MAX_CPUID_INTERCEPTS 8
#define ROOT_PARTITION_ID	1

enum partition_kind { PARTITION_BOOT, PARTITION_ROOT, PARTITION_CHILD };

enum partition_state {
	PARTITION_CREATED,	/* child: exists, nothing deposited is used yet */
	PARTITION_RUNNING,	/* initialized: VPs may be created and run */
	PARTITION_FINALIZED,	/* child: VPs gone, awaiting delete */
	PARTITION_ENDED,	/* boot-time: ended cleanly */
	PARTITION_TERMINATED,	/* did something fatal; its VPs never run again */
};

/* A run of host pages the hypervisor gave a boot-time partition as RAM. */
struct mem_chunk {
	u64 hpa, npages;
};

struct partition {
	u64 id;			/* TLFS partition id */
	u32 slot;
	char name[32];
	enum partition_kind kind;
	enum partition_state state;
	struct partition *parent;
	u32 privileges;		/* HV_PARTITION_PRIVILEGE_MASK, high half (CPUID 3.EBX) */
	u64 creation_flags;
	struct gpa_map gpa;
	struct page_pool pool;	/* children: deposited pages */
	struct vp *vp[PARTITION_MAX_VPS];
	u32 nvps;
	u64 signaled_vps;	/* IPI targets since the last dispatch returned */
	u64 ref_time_base;	/* TSC when reference time was 0 */

	/* Partition-wide synthetic MSRs (msr.c). */
	u64 guest_os_id;
	u64 hypercall_msr;
	u64 reference_tsc_msr;
	u64 crash[6];
	bool tsc_invariant_shown;

	bool ignore_unknown_msrs;
	u32 cpuid_intercepts[PARTITION_MAX_CPUID_INTERCEPTS];
	u32 ncpuid_intercepts;

	/* Boot-time partitions: RAM and the test device (io.c). */
	struct mem_chunk ram[PARTITION_MAX_CHUNKS];
	u32 nram;
	u64 ram_size;
	char report_line[128];
	u32 report_len;
	u32 scratch;
};

extern struct partition *root_partition;

struct partition *partition_create_boot(const char *name);
struct partition *partition_create_root(void);
/* A child of the root; -ENOSPC style failures return NULL. */
struct partition *partition_create_child(struct partition *parent, u64 flags);
/* The partition `id` as seen by `caller` (HV_PARTITION_ID_SELF is the
 * caller): only the caller itself or its children; NULL otherwise. */
struct partition *partition_lookup(struct partition *caller, u64 id);
int partition_initialize(struct partition *p);
void partition_finalize(struct partition *p);
void partition_destroy(struct partition *p);

struct vp *partition_create_vp(struct partition *p, u32 index);
void partition_delete_vp(struct partition *p, u32 index);

int partition_add_ram(struct partition *p, u64 gpa, u64 size);
/* Copies through the partition's GPA map, RAM only, writes only where
 * it may write: -EINVAL otherwise. */
int partition_write(struct partition *p, u64 gpa, const void *src, size_t len);
int partition_read(struct partition *p, u64 gpa, void *dst, size_t len);
bool partition_writable(struct partition *p, u64 gpa, size_t len);

/* Runs a boot-time or root partition until it ends. */
void partition_run(struct partition *p);
/* Ends the partition because of what it did; its VPs never run again. */
void partition_terminate(struct partition *p, const char *fmt, ...) __printf(2, 3);
void partition_end(struct partition *p, const char *why);

#endif
