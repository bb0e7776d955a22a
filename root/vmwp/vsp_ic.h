/*
 * The integration services this VM offers (root/vsp/ic/): shutdown,
 * timesync, heartbeat and KVP, one channel each, driven by their channel
 * threads; the control socket asks through these calls.
 */
#ifndef SEPTUM_VMWP_VSP_IC_H
#define SEPTUM_VMWP_VSP_IC_H

#include <stdbool.h>
#include <stddef.h>

/* Registers the four services with vmbus_host. */
int vsp_ic_add(void);
/* Asks the guest to power off (or restart), now or as soon as its shutdown
 * service is up. */
void vsp_ic_shutdown(bool reboot);
/* Seconds since the guest last answered a heartbeat; < 0 if it never did
 * in this boot. */
double vsp_ic_heartbeat_age(void);
/* Asks the KVP service for entry `index` of pool; 0 and key/value, 1 past
 * the end, -1 with a reason (no daemon in the guest, timeout). */
int vsp_ic_kvp_enumerate(unsigned pool, unsigned index, char *key, size_t keylen, char *value,
			 size_t valuelen, char *err, size_t errlen);

#endif
