/*
 * The test device the hypervisor emulates for partitions it starts itself
 * (test guests): a line-oriented report port and a scratch register that
 * proves an I/O write reached the hypervisor. Used by guests/ and tests.
 */
#ifndef SEPTUM_TESTDEV_H
#define SEPTUM_TESTDEV_H

#include <stdint.h>

/* Byte writes form lines; each '\n' logs "septum: <partition>: <line>". */
#define SEPTUM_TESTDEV_REPORT_PORT	0xE9
/* A 32-bit register: OUT stores the value, IN returns it bit-inverted, so
 * a guest can tell the hypervisor answered (unclaimed ports read ones).
 * The device owns ports 0xEC-0xEF. */
#define SEPTUM_TESTDEV_SCRATCH_PORT	0xEC
/* Any write logs the writer's exit counts ("septum: exits: ..."): how a
 * benchmark inside a root sees what its boot cost. */
#define SEPTUM_TESTDEV_STATS_PORT	0xEE

/* Test-guest boot protocol: a flat image loaded at this GPA and entered in
 * 64-bit mode with GPA [0, 4 GiB) identity-mapped by 2 MiB pages, RSP at
 * the top of RAM, RDI = RAM size, RSI = GPA of the module command line. */
#define SEPTUM_TESTGUEST_LOAD_GPA	0x100000
#define SEPTUM_TESTGUEST_CMDLINE_GPA	0x7000
#define SEPTUM_TESTGUEST_PT_GPA		0x1000

/*
 * A test guest started as the root partition (module argument "root") is
 * identity-mapped and runs from the same GPAs; its stack is below 640 KiB
 * and RDX points at this table: RAM it may hand to children, and the other
 * modules (test-guest images for its children).
 */
#define SEPTUM_TESTROOT_INFO_GPA	0x8000
#define SEPTUM_TESTROOT_STACK_TOP	0x9F000
#define SEPTUM_TESTROOT_MAX_MODS	8

struct septum_testroot_info {
	uint64_t free_base, free_end;
	uint32_t nmods, reserved;
	struct {
		uint64_t start, end;
		char cmdline[112];
	} mods[SEPTUM_TESTROOT_MAX_MODS];
};

#endif
