#ifndef SEPTUM_TESTGUEST_H
#define SEPTUM_TESTGUEST_H

#include "bootinfo.h"
#include "partition.h"

/* A partition running the test guest in mod, with ram_size bytes of RAM. */
struct partition *testguest_create(const struct boot_module *mod, u64 ram_size);

#endif
