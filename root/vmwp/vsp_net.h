/*
 * The VM's synthetic NIC (root/vsp/netvsp.h): its far end is a TAP device
 * the VMWP creates and attaches to a Linux bridge in the root, the virtual
 * switch (--nic bridge:NAME; the bridge must exist).
 */
#ifndef SEPTUM_VMWP_VSP_NET_H
#define SEPTUM_VMWP_VSP_NET_H

#include <stddef.h>

/* --nic SPEC for the VM named name (for the TAP's name and the MAC):
 * 0, or -1 with a message in err. */
int vsp_net_add(const char *spec, const char *name, char *err, size_t errlen);
/* Appends the NIC's counters to out as a JSON object (or null). */
void vsp_net_stats(char *out, size_t len);

#endif
