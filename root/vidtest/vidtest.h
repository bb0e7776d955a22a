/*
 * vidtest: the VID's system test, run inside the Debian root partition
 * (tests/system/vid.py). It drives /dev/septum (include/septum/vid.h) as a
 * VMWP will: builds partitions from its own memory, runs the test guest
 * guests/child.c in them (the test-guest boot protocol of
 * include/septum/testdev.h, as guests/testroot.c does) and completes their
 * intercepts; it checks that hostile ioctls get an errno, that a signal
 * ends RUN and RUN resumes, that everything a partition took comes back
 * when it is closed, and that a random-ioctl fuzz leaves the root up.
 *
 * vidtest.c    main, reporting, the device, memory accounting
 * guest.c      a test guest in a partition of its own: build, RUN, port I/O
 * hostile.c    ioctls a buggy or hostile VMWP might make
 * children.c   the child's lives: main (intercepts), spin (signals), synic
 * isolation.c  two partitions at once: neither sees the other's memory
 * fuzz.c       random ioctls from two threads
 *
 * Prints "PASS vid/NAME" or "FAIL vid/NAME: why" per check, the child's
 * own lines as "PASS vid/child/NAME", and closes with "N passed, N failed".
 */
#ifndef VIDTEST_H
#define VIDTEST_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>

#include "hv/hypercall.h"
#include "hv/intercept.h"
#include "hv/registers.h"
#include "septum/vid.h"
#include "types.h"		/* hypervisor/include: u64, PAGE_SIZE, __printf */

#define CHILD_RAM	(4ULL << 20)
#define CHILD_PAGES	(CHILD_RAM / PAGE_SIZE)
#define RWX		(SEPTUM_VID_MAP_READ | SEPTUM_VID_MAP_WRITE | SEPTUM_VID_MAP_EXEC)
#define UNKNOWN_REGISTER 0x00012345

extern int passed, failed;
extern int dev;				/* /dev/septum */
extern u8 *image;			/* child.bin */
extern size_t image_size;
extern volatile sig_atomic_t alarms;	/* SIGALRMs seen */

/* ---- vidtest.c ---- */

void report(bool ok, const char *name, const char *fmt, ...) __printf(3, 4);
/* "EINVAL" for -EINVAL, the number for others; a few results per line. */
const char *err_name(long err);
/* ioctl: its value, or -errno. */
long vid(int fd, unsigned long cmd, void *arg);
void expect_errno(int fd, unsigned long cmd, void *arg, int want, const char *name);
double now_s(void);
void sleep_ms(unsigned ms);
/* SIGALRM after ms milliseconds (0: cancel). */
void arm_alarm_ms(unsigned ms);
bool stats(int fd, struct septum_vid_stats *s);
long set_regs(int vp, const struct hv_register_assoc *a, u32 n, u32 *done);
long get_regs(int vp, const u32 *names, u32 n, union hv_register_value *vals);
long get_reg(int vp, u32 name, u64 *val);

static inline struct hv_register_assoc reg64(u32 name, u64 val)
{
	return (struct hv_register_assoc){ .name = name, .value.reg64 = val };
}

static inline struct hv_register_assoc seg(u32 name, u64 base, u32 limit, u16 sel, u16 attr)
{
	return (struct hv_register_assoc){ .name = name,
					   .value.segment = { base, limit, sel, attr } };
}

static inline struct hv_register_assoc table(u32 name, u64 base, u16 limit)
{
	return (struct hv_register_assoc){ .name = name,
					   .value.table = { .limit = limit, .base = base } };
}

/* ---- guest.c ---- */

struct guest {
	const char *mode;		/* the child's argument; NULL: never built */
	int part;
	int vp[2];
	u8 *ram;			/* CHILD_RAM at GPA 0 */
	struct septum_vid_run run;	/* the last RUN's answer */
	char line[256];
	u32 len;
	u32 scratch;
	u32 passed, failed;		/* its PASS/FAIL lines */
	bool summary;
	u32 sum_passed, sum_failed;	/* its own "N passed, N failed" */
	char why[256];
};

void *gpa(struct guest *g, u64 addr);
long create_partition(void);
long create_vp(int part, u32 index);
long map(int part, u64 pfn, u64 npages, const void *addr, u32 flags);
long unmap(int part, u64 pfn, u64 npages);
long property(int part, bool set, u32 code, u64 *value);
/* The test-guest entry state: long mode, RIP and RSP. */
long long_mode(int vp, u64 rip, u64 rsp);
/* Partition, 4 MiB of RAM at GPA 0, VP 0, child.bin with its mode, boot state. */
bool guest_build(struct guest *g, const char *mode);
void guest_close(struct guest *g);
const struct hv_x64_intercept_message_header *msg_header(const struct hv_message *m);
u32 msg_insn_len(const struct hv_message *m);
const char *describe(const struct septum_vid_run *r);
/* SET_REGS completing an intercept; false with g->why. */
bool complete(struct guest *g, int vp, const struct hv_register_assoc *regs, u32 n);
/* One RUN under a watchdog alarm. */
long run_once(struct guest *g, int vpi, u32 flags);
/* RUNs, answering port I/O: the sync value, 0 (other answer in g->run) or -1. */
int child_run(struct guest *g, int vpi, u32 flags);
/* child_run's answer r for a failure reason. */
const char *outcome(struct guest *g, int r);
bool expect_sync(struct guest *g, int vpi, u32 want, const char *name);
bool is_blocked(int r, const struct septum_vid_run *run);
void check_suite(struct guest *g, const char *name);

/* ---- children.c ---- */

/* A page of our own, holding magic at its start, to map into a child. */
u8 *late_page(u64 magic);

/* ---- hostile.c, children.c, isolation.c, fuzz.c ---- */

void test_device_bad_ioctls(void);
void test_bad_partition_ioctls(struct guest *g);
void test_bad_vp_ioctls(struct guest *g);
void test_main_child(void);
void test_synic_child(struct guest *g);
void test_isolation(void);
void test_fuzz(void);

#endif
