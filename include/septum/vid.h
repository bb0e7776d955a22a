/*
 * The VID's ioctl ABI: /dev/septum and the file descriptors it hands out
 * (root/vid/, the kernel module; its users: the VMWP, root/vidtest/).
 *
 * Three kinds of descriptor, each with its own ioctls (magic 0xB9):
 *
 *   /dev/septum     GET_API_VERSION, CREATE_PARTITION (-> partition fd),
 *                   GET_STATS (hypervisor-wide)
 *   partition fd    MAP_MEMORY, UNMAP_MEMORY, CREATE_VP (-> VP fd),
 *                   ASSERT_INTERRUPT, POST_MESSAGE, SIGNAL_EVENT,
 *                   INSTALL_INTERCEPT, GET_PROPERTY, SET_PROPERTY, GET_STATS,
 *                   SIGNAL_EVENTFD
 *   VP fd           GET_REGS, SET_REGS, RUN, KICK
 *
 * Lifetime: a partition lives until its fd and every VP fd made from it
 * are closed; the last close finalizes and deletes it in the hypervisor,
 * then unpins its guest RAM and frees the pages deposited for it. A VP fd's
 * close deletes that VP (its index may be created again).
 *
 * Errors are negative errno values (the ioctl returns -1, errno set); every
 * reserved field must be zero (EINVAL otherwise). Hypervisor statuses map to
 * errno: INVALID_PARAMETER, INVALID_REGISTER_VALUE, UNKNOWN_PROPERTY and
 * INVALID_VP_INDEX -> EINVAL; ACCESS_DENIED -> EPERM; INSUFFICIENT_MEMORY ->
 * ENOMEM; INVALID_PARTITION_STATE and INVALID_VP_STATE -> EBADFD;
 * INSUFFICIENT_BUFFERS (a SynIC queue is full) -> EAGAIN; INVALID_SYNIC_STATE
 * (the target's SynIC or SINT is off) -> ENXIO; PROPERTY_VALUE_OUT_OF_RANGE
 * -> ERANGE; NO_RESOURCES -> ENOSPC; OBJECT_IN_USE -> EBUSY; anything else
 * -> EIO.
 *
 * The same header serves the kernel module and user space.
 */
#ifndef SEPTUM_VID_H
#define SEPTUM_VID_H

#include <linux/ioctl.h>

#include "hv/message.h"
#include "hv/types.h"

#define SEPTUM_VID_DEVICE	"/dev/septum"
#define SEPTUM_VID_IOCTL	0xB9
#define SEPTUM_VID_API_VERSION	1

#define SEPTUM_VID_MAX_VPS	16	/* VP indexes 0-15 (the hypervisor's limit) */
#define SEPTUM_VID_MAX_REGS	64	/* registers per GET_REGS / SET_REGS */
/* Guest physical addresses below 2^48; one MAP_MEMORY pins at most 4 GiB. */
#define SEPTUM_VID_GPA_PFN_LIMIT	(1ULL << 36)
#define SEPTUM_VID_MAX_MAP_PAGES	(1ULL << 20)

/* ---- /dev/septum ---- */

/* Returns SEPTUM_VID_API_VERSION. */
#define SEPTUM_VID_GET_API_VERSION	_IO(SEPTUM_VID_IOCTL, 0x00)

/*
 * CREATE_PARTITION: the VID creates the partition, deposits what its
 * initialization needs and initializes it. Returns a new partition fd
 * (O_CLOEXEC). flags: HV_PARTITION_CREATION_FLAG_LAPIC_ENABLED,
 * _X2APIC_CAPABLE and _GPA_SUPER_PAGES_ENABLED (include/hv/partition.h);
 * others are EINVAL.
 */
struct septum_vid_create_partition {
	u64 flags;
	u64 reserved[3];
};
HV_ASSERT_SIZE(septum_vid_create_partition, 32);
#define SEPTUM_VID_CREATE_PARTITION \
	_IOW(SEPTUM_VID_IOCTL, 0x01, struct septum_vid_create_partition)

/*
 * GET_STATS, on /dev/septum or a partition fd. On /dev/septum the counts
 * are over every partition the VID holds; on a partition fd, that one's.
 */
struct septum_vid_stats {
	u64 hv_free_pages;	/* the hypervisor's free heap pages (its own property) */
	u64 deposited_pages;	/* root pages lent to the hypervisor for partitions */
	u64 mapped_pages;	/* guest RAM pages pinned and mapped */
	u64 partition_id;	/* the hypervisor's id (partition fd), else 0 */
	u32 partitions;		/* partitions alive (/dev/septum), else 1 */
	u32 vps;		/* VPs alive */
	u64 dispatches;		/* HvCallDispatchVp calls */
	u64 intercepts;		/* RUN returns with an intercept message */
	u64 preemptions;	/* dispatches ended by a root interrupt */
	u64 blocked_waits;	/* sleeps for a halted VP */
	u64 signals;		/* child HvSignalEvents completed in the VID (SIGNAL_EVENTFD) */
	u64 reserved[4];
};
HV_ASSERT_SIZE(septum_vid_stats, 112);
#define SEPTUM_VID_GET_STATS	_IOR(SEPTUM_VID_IOCTL, 0x02, struct septum_vid_stats)

/*
 * READ_LOG (on /dev/septum): the hypervisor's log ring from byte `from`
 * on (SEPTUM_HVCALL_READ_LOG). `next` is where to continue; `lost` counts
 * the bytes before `from` the ring had already overwritten.
 */
struct septum_vid_log {
	u64 from;		/* in */
	u64 next;		/* out */
	u64 lost;		/* out */
	u32 length;		/* out: bytes in data */
	u32 reserved;		/* in: 0 */
	char data[4072];	/* out */
};
HV_ASSERT_SIZE(septum_vid_log, 4104);
#define SEPTUM_VID_READ_LOG	_IOWR(SEPTUM_VID_IOCTL, 0x03, struct septum_vid_log)

/* ---- partition fd ---- */

/*
 * MAP_MEMORY: npages of the caller's memory at userspace_addr (page
 * aligned, writable, e.g. an anonymous mmap) become guest RAM at guest_pfn.
 * The pages are pinned (FOLL_LONGTERM) until UNMAP_MEMORY or the
 * partition's end. READ is required (the nested page format cannot express
 * write- or execute-only); the user range must be writable even for a
 * read-only guest mapping. EEXIST: the guest range overlaps a mapped one;
 * EFAULT: part of the user range is not mapped or not writable.
 *
 * UNMAP_MEMORY: exactly a range MAP_MEMORY mapped (guest_pfn, npages);
 * userspace_addr and flags must be 0. ENOENT if there is no such range.
 */
#define SEPTUM_VID_MAP_READ	0x1
#define SEPTUM_VID_MAP_WRITE	0x2
#define SEPTUM_VID_MAP_EXEC	0x4
#define SEPTUM_VID_MAP_FLAGS	0x7

struct septum_vid_memory {
	u64 guest_pfn;
	u64 npages;
	u64 userspace_addr;
	u32 flags;
	u32 reserved;
};
HV_ASSERT_SIZE(septum_vid_memory, 32);
#define SEPTUM_VID_MAP_MEMORY	_IOW(SEPTUM_VID_IOCTL, 0x10, struct septum_vid_memory)
#define SEPTUM_VID_UNMAP_MEMORY	_IOW(SEPTUM_VID_IOCTL, 0x11, struct septum_vid_memory)

/* CREATE_VP: returns a new VP fd (O_CLOEXEC). EEXIST if the index is taken. */
struct septum_vid_create_vp {
	u32 index;
	u32 flags;		/* 0 */
};
HV_ASSERT_SIZE(septum_vid_create_vp, 8);
#define SEPTUM_VID_CREATE_VP	_IOW(SEPTUM_VID_IOCTL, 0x12, struct septum_vid_create_vp)

/*
 * ASSERT_INTERRUPT: HvCallAssertVirtualInterrupt. type is
 * HV_X64_INTERRUPT_TYPE_* (include/hv/hypercall.h); flags bit 0 level
 * triggered, bit 1 logical destination. Kicks the partition's VPs.
 */
#define SEPTUM_VID_INTERRUPT_LEVEL	0x1
#define SEPTUM_VID_INTERRUPT_LOGICAL	0x2

struct septum_vid_interrupt {
	u32 type;
	u32 vector;
	u64 dest_apic_id;
	u32 flags;
	u32 reserved;
};
HV_ASSERT_SIZE(septum_vid_interrupt, 24);
#define SEPTUM_VID_ASSERT_INTERRUPT \
	_IOW(SEPTUM_VID_IOCTL, 0x13, struct septum_vid_interrupt)

/*
 * POST_MESSAGE: HvCallPostMessageDirect of a 256-byte SynIC message into
 * SINT sint of VP vp_index; kicks that VP. EAGAIN: the SINT's slot and
 * queue are full; ENXIO: the VP's SynIC does not take messages.
 */
struct septum_vid_message {
	u32 vp_index;
	u32 sint;
	struct hv_message message;
};
HV_ASSERT_SIZE(septum_vid_message, 264);
#define SEPTUM_VID_POST_MESSAGE	_IOW(SEPTUM_VID_IOCTL, 0x14, struct septum_vid_message)

/* SIGNAL_EVENT: HvCallSignalEventDirect; newly_signaled out. Kicks the VP. */
struct septum_vid_event {
	u32 vp_index;
	u8 sint;
	u8 reserved;
	u16 flag;
	u32 newly_signaled;	/* out: 1 if the flag was clear */
	u32 reserved2;
};
HV_ASSERT_SIZE(septum_vid_event, 16);
#define SEPTUM_VID_SIGNAL_EVENT	_IOWR(SEPTUM_VID_IOCTL, 0x15, struct septum_vid_event)

/*
 * INSTALL_INTERCEPT: HvCallInstallIntercept. type HV_INTERCEPT_TYPE_X64_CPUID
 * (parameter: the leaf) or _X64_IO_PORT (every port reaches the root
 * already); access HV_INTERCEPT_ACCESS_MASK_*.
 */
struct septum_vid_intercept {
	u32 type;
	u32 access;
	u64 parameter;
};
HV_ASSERT_SIZE(septum_vid_intercept, 16);
#define SEPTUM_VID_INSTALL_INTERCEPT \
	_IOW(SEPTUM_VID_IOCTL, 0x16, struct septum_vid_intercept)

/*
 * GET_PROPERTY / SET_PROPERTY of the partition: HV_PARTITION_PROPERTY_*
 * (include/hv/partition.h). Readable: PRIVILEGE_FLAGS, REFERENCE_TIME,
 * UNIMPLEMENTED_MSR_ACTION, TIME_FREEZE; writable: UNIMPLEMENTED_MSR_ACTION,
 * TIME_FREEZE. Other codes are EINVAL without a hypercall.
 */
struct septum_vid_property {
	u32 code;
	u32 reserved;
	u64 value;
};
HV_ASSERT_SIZE(septum_vid_property, 16);
#define SEPTUM_VID_GET_PROPERTY	_IOWR(SEPTUM_VID_IOCTL, 0x17, struct septum_vid_property)
#define SEPTUM_VID_SET_PROPERTY	_IOW(SEPTUM_VID_IOCTL, 0x18, struct septum_vid_property)

/*
 * SIGNAL_EVENTFD: the child's HvSignalEvent (the fast form) to
 * connection_id no longer ends RUN with a hypercall intercept: the VID
 * completes the call (HV_STATUS_SUCCESS) and signals the eventfd fd, and
 * the VP runs on. A VMWP gives each VMBus channel's connection its own, so
 * a guest's signal wakes the channel without a trip through the VP thread.
 * flags SEPTUM_VID_EVENTFD_DEASSIGN removes the connection's (fd ignored).
 * EEXIST: the connection has one; ENOENT: nothing to remove; EBADF: fd is
 * not an eventfd; ENOSPC: SEPTUM_VID_MAX_EVENTFDS already.
 */
#define SEPTUM_VID_EVENTFD_DEASSIGN	0x1
#define SEPTUM_VID_MAX_EVENTFDS		256

struct septum_vid_eventfd {
	u32 connection_id;
	u32 fd;			/* an eventfd descriptor */
	u32 flags;
	u32 reserved;		/* 0 */
};
HV_ASSERT_SIZE(septum_vid_eventfd, 16);
#define SEPTUM_VID_SIGNAL_EVENTFD \
	_IOW(SEPTUM_VID_IOCTL, 0x19, struct septum_vid_eventfd)

/* ---- VP fd ---- */

/*
 * GET_REGS / SET_REGS: count (1..SEPTUM_VID_MAX_REGS) registers named
 * HV_*_REGISTER_* (include/hv/registers.h); values out (GET) or in (SET).
 * done (out): how many were read or written; on an error, the index of
 * the register the hypervisor refused.
 */
struct septum_vid_regs {
	u32 count;
	u32 done;
	u32 names[SEPTUM_VID_MAX_REGS];
	union hv_register_value values[SEPTUM_VID_MAX_REGS];
};
HV_ASSERT_OFFSET(septum_vid_regs, values, 264);
HV_ASSERT_SIZE(septum_vid_regs, 1288);
#define SEPTUM_VID_GET_REGS	_IOWR(SEPTUM_VID_IOCTL, 0x20, struct septum_vid_regs)
#define SEPTUM_VID_SET_REGS	_IOWR(SEPTUM_VID_IOCTL, 0x21, struct septum_vid_regs)

/*
 * RUN: dispatches the VP until it needs user space, then returns 0 with
 * the intercept message (HVMSG_*, include/hv/intercept.h) copied into
 * message; dispatch_state READY, dispatch_event INTERCEPT. The caller
 * completes the intercept (e.g. SET_REGS of RIP and RAX) before the next
 * RUN. In between, the VID:
 *  - dispatches again after a root interrupt preempted the VP, first
 *    returning -EINTR if a signal is pending (RUN may simply be called
 *    again: nothing is lost) and yielding the CPU if the scheduler wants it;
 *  - while the VP is halted (BLOCKED), sleeps until its next timer
 *    deadline (reference time of the partition, 100 ns) or, without one,
 *    until a kick (KICK, ASSERT_INTERRUPT, POST_MESSAGE, SIGNAL_EVENT) or a
 *    signal (-EINTR), then dispatches again. With SEPTUM_VID_RUN_NO_WAIT it
 *    returns 0 at once instead, dispatch_state BLOCKED and
 *    next_timer_deadline set (0: none).
 * One RUN per VP at a time: EBUSY otherwise. EBADFD once the VP is dead
 * (after an HVMSG_UNRECOVERABLE_EXCEPTION, say) or the partition ended.
 */
#define SEPTUM_VID_RUN_NO_WAIT	0x1

struct septum_vid_run {
	u32 flags;			/* in: SEPTUM_VID_RUN_* */
	u32 reserved;			/* in: 0 */
	u32 dispatch_state;		/* out: HV_DISPATCH_STATE_* */
	u32 dispatch_event;		/* out: HV_DISPATCH_EVENT_* */
	u64 next_timer_deadline;	/* out: BLOCKED only */
	struct hv_message message;	/* out: INTERCEPT only */
};
HV_ASSERT_OFFSET(septum_vid_run, message, 24);
HV_ASSERT_SIZE(septum_vid_run, 280);
/* RUN also wakes the VPs its VP sent IPIs to (DispatchVp's signaled_vps). */
#define SEPTUM_VID_RUN		_IOWR(SEPTUM_VID_IOCTL, 0x22, struct septum_vid_run)

/* KICK: a RUN sleeping for this halted VP dispatches it again. */
#define SEPTUM_VID_KICK		_IO(SEPTUM_VID_IOCTL, 0x23)

#endif
