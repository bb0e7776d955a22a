/* What guests/child.c and guests/testroot.c agree on. */
#ifndef GUEST_CHILDPROTO_H
#define GUEST_CHILDPROTO_H

/* OUT here: the child pauses for the root; the value says where. */
#define CHILD_SYNC_PORT		0x510
#define CHILD_SYNC_CHECKED	1	/* first checks done, siblings may run */
#define CHILD_SYNC_SPINNING	2	/* about to spin with interrupts off */

/* A CPUID leaf the root intercepts, and its answer in EAX. */
#define CHILD_CPUID_LEAF	0x40001234
#define CHILD_CPUID_ANSWER	0x5E97

/* Unmapped until the child reads it; the root then maps a page with
 * this value at the start, and at CHILD_SYNC_CHECKED swaps in another
 * page holding the second value. */
#define CHILD_LATE_GPA		0x80000000ULL
#define CHILD_LATE_MAGIC	0x5E97ABCD12345678ULL
#define CHILD_LATE_MAGIC2	0x5E97ABCD87654321ULL

/* The HvPostMessage the child sends for the root to complete. */
#define CHILD_POST_CONNECTION	1
#define CHILD_POST_TYPE		1
#define CHILD_POST_PAYLOAD	0x5E970000C0FFEE01ULL

#define CHILD_UNKNOWN_MSR	0x12345678

#endif
