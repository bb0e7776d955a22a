/*
 * The VMBus server (root/vmbus/server.h) wired to this VM: the child's
 * HvPostMessage and HvSignalEvent hypercalls arrive as intercepts on VP
 * threads; host messages go out through the VID's POST_MESSAGE, with a
 * thread retrying while the child's SINT2 slot is busy; each opened
 * channel becomes a channel thread (channel.h) running its VSP.
 *
 * VSPs register their devices once (vsp_device); every boot of the VM
 * offers them again, in registration order, so relids are stable.
 */
#ifndef SEPTUM_VMWP_VMBUS_HOST_H
#define SEPTUM_VMWP_VMBUS_HOST_H

#include <stdint.h>

#include "hv/intercept.h"

#include "channel.h"
#include "server.h"

struct vsp_device {
	const char *name;			/* log lines: "storvsp", "heartbeat" */
	struct hv_guid class_id, instance_id;
	const struct channel_ops *ops;
	void *vsp;				/* the VSP's state, channel->vsp */
	/* Filled in while the VM runs: the primary channel, NULL before the
	 * first boot's offers. Only under vmbus_host_lock(). */
	struct vmbus_channel *primary;
};

/* Registers a device for every boot (before vmbus_host_start). */
int vmbus_host_add(struct vsp_device *dev);
/* Each boot: after the partition exists, before the VPs run. */
int vmbus_host_start(void);
/* Each boot's end: every channel closed, the server gone. */
void vmbus_host_stop(void);

/* A VP's hypercall intercept for HvPostMessage / HvSignalEvent: the
 * HV_STATUS_* the child's hypercall returns. */
uint16_t vmbus_host_hypercall(unsigned vpi, const struct hv_x64_hypercall_intercept_message *m);

/* From a channel thread: offer n sub-channels of its primary (storvsp,
 * netvsp). Done on the server's thread, never inside the caller. */
void vmbus_host_request_subchannels(struct channel *c, unsigned n);

/* From a channel thread: the host pages of GPADL id of the channel (a
 * NIC's receive or send buffer), at most max; the number, or -ENOENT. */
int vmbus_host_map_gpadl(struct channel *c, uint32_t id, void **pages, uint32_t max);

/* The open channel of dev's primary, or NULL; valid while the caller holds
 * vmbus_host_lock() (a close needs it). */
void vmbus_host_lock(void);
void vmbus_host_unlock(void);
struct channel *vmbus_host_open_channel(struct vsp_device *dev);

#endif
