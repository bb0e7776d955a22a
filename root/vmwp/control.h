/*
 * The VMWP's control socket (--control PATH), for its manager (VMMS):
 * a client connects, writes one command line, reads one JSON line back,
 * and the connection closes. Commands: ping, stats (JSON counters),
 * shutdown and reboot (asked of the guest through its shutdown service, at
 * once or when it is up),
 * reset (at once), kvp POOL (the guest's KVP pool, through hv_kvp_daemon).
 */
#ifndef SEPTUM_VMWP_CONTROL_H
#define SEPTUM_VMWP_CONTROL_H

#include <stddef.h>

int control_open(const char *path, char *err, size_t errlen);
int control_start(void);
void control_close(void);

#endif
