/* Partitions: the hypervisor's unit of isolation. */
#ifndef SEPTUM_PARTITION_H
#define SEPTUM_PARTITION_H

#include "gpa_map.h"
#include "types.h"
#include "vp.h"

#define PARTITION_MAX		16
#define PARTITION_MAX_CHUNKS	8

enum partition_state { PARTITION_RUNNING, PARTITION_ENDED, PARTITION_TERMINATED };

/* A run of host pages the hypervisor gave the partition as RAM. */
struct mem_chunk {
	u64 hpa, npages;
};

struct partition {
	u32 id;
	char name[32];
	enum partition_state state;
	struct gpa_map gpa;
	struct vp *vp;
	u64 ram_size;
	struct mem_chunk ram[PARTITION_MAX_CHUNKS];
	u32 nram;

	/* Synthetic MSR state (msr.c). */
	u64 guest_os_id;
	u64 hypercall_msr;

	/* Emulated test ports (io.c). */
	char report_line[128];
	u32 report_len;
	u32 scratch;
};

struct partition *partition_create(const char *name);
void partition_destroy(struct partition *p);
int partition_add_ram(struct partition *p, u64 gpa, u64 size);
int partition_write(struct partition *p, u64 gpa, const void *src, size_t len);
int partition_read(struct partition *p, u64 gpa, void *dst, size_t len);
void partition_run(struct partition *p);
/* Ends the partition because of what it did; never returns to its guest. */
void partition_terminate(struct partition *p, const char *fmt, ...) __printf(2, 3);
void partition_end(struct partition *p, const char *why);

#endif
