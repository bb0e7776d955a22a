#ifndef SEPTUM_TESTGUEST_H
#define SEPTUM_TESTGUEST_H

#include "bootinfo.h"
#include "partition.h"

/* A boot-time partition running the test guest in mod, with ram_size bytes
 * of RAM from the hypervisor heap. */
struct partition *testguest_create(const struct boot_module *mod, u64 ram_size);
/* Loads a test guest into p's GPA space and points VP 0 at it. */
int testguest_load(struct partition *p, const struct boot_module *mod, u64 rsp);
const char *module_name(const char *cmdline);
/* The root partition, running mods[0]: Linux, or a test root to which
 * the other modules are handed. `parked` CPUs are hidden from it. */
struct partition *root_create(const struct boot_info *bi, u32 parked);

#endif
