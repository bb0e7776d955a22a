/* What the root can still give a VM: /proc/meminfo's MemAvailable. */
#ifndef VMMS_MEMINFO_H
#define VMMS_MEMINFO_H

/* Returns 0 with *mib set, or -1 with errno set. */
int meminfo_available_mib(unsigned long long *mib);

#endif
