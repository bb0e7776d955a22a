/*
 * The VMBus server: the host side of VMBus channel management for one VM
 * (VMBUS.md section 1; Linux drivers/hv/connection.c, channel.c and
 * channel_mgmt.c are the other end). It negotiates the version, offers the
 * devices' channels, assembles GPADLs, opens and closes channels for the
 * devices and rescinds them. Rings and device protocols are not its
 * business: a device gets its ring pages at open and stops at close.
 *
 * It knows no threads, no VID and no clock. The integrator serializes
 * every call (one lock per VM) and calls:
 *   - vmbus_server_post_message() for each guest HvPostMessage, and
 *     answers the guest with the status it returns;
 *   - vmbus_server_channel_by_connection() for each guest HvSignalEvent;
 *   - vmbus_server_flush() after any other call, and again about a
 *     millisecond later while it returns -EAGAIN (the guest has not
 *     emptied its SINT2 message slot yet).
 * Host -> guest messages go out only from vmbus_server_flush(), in order,
 * through ops->post. Device callbacks run inside the call that causes
 * them: open, close and release in post_message, add_subchannels,
 * rescind, reset and destroy; opened in flush. None of them may call back
 * into the server except the accessors below.
 *
 * Relids are 1..VMBUS_SERVER_MAX_CHANNELS, lowest free first, so devices
 * added before the guest runs get stable relids in the order they were
 * added; sub-channels come after. A channel's HvSignalEvent connection id
 * is VMBUS_CHANNEL_CONNECTION_ID(relid). Offers carry
 * monitor_allocated = 0 and is_dedicated_interrupt = 1, so the guest
 * signals with HvSignalEvent and never through monitor pages.
 *
 * A bus reset - every INITIATE_CONTACT, UNLOAD and vmbus_server_reset() -
 * closes every open channel (sub-channels first), drops every GPADL,
 * releases every sub-channel and every rescinded channel, and forgets
 * which offers were sent. Devices add their sub-channels again when the
 * next guest asks for them.
 */
#ifndef SEPTUM_VMBUS_SERVER_H
#define SEPTUM_VMBUS_SERVER_H

#include <stdbool.h>
#include <stdint.h>

#include "gpadl.h"
#include "guest_mem.h"
#include "hv/vmbus.h"

#define VMBUS_SERVER_MAX_CHANNELS 256u
_Static_assert(VMBUS_SERVER_MAX_CHANNELS <= VMBUS_MAX_RELID, "relids fit the guest's array");
/* Host messages pending before the guest's posts get
 * HV_STATUS_INSUFFICIENT_BUFFERS (it retries; VMBUS.md pitfall 1). */
#define VMBUS_SERVER_GUEST_QUEUE	   16u
#define VMBUS_CHANNEL_CONNECTION_ID(relid) (0x10000u + (relid))

struct vmbus_server_ops {
	/* Sends one channel message (header included, <= 240 bytes) to VP
	 * vp's SINT2. 0, or -EAGAIN: the slot is busy, the server keeps the
	 * message and retries it first. Any other error drops it (logged). */
	int (*post)(void *ctx, uint32_t vp, const void *msg, uint32_t len);
	/* One line per rejected guest input, without a newline; may be NULL. */
	void (*log)(void *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
};

struct vmbus_server;
struct vmbus_channel; /* one offer: a primary channel or a sub-channel */

struct vmbus_device_ops {
	/*
	 * The guest opened ch: its ring GPADL is complete and in guest RAM.
	 * in[0, n_in) are the host pages of the guest -> host ring and
	 * out[0, n_out) those of the host -> guest ring, each starting with
	 * its header page, n_in, n_out >= 2; the arrays stay valid until
	 * close returns. Interrupts go to target_vp (later changes:
	 * vmbus_channel_target_vp()). Return 0, or an error and the guest's
	 * OPENCHANNEL fails.
	 */
	int (*open)(struct vmbus_channel *ch, void *const *in, unsigned n_in, void *const *out,
		    unsigned n_out, uint32_t target_vp);
	/* Optional: the guest has been sent OPENCHANNEL_RESULT for the
	 * current open: a protocol the host starts (the ICs' negotiation)
	 * sends its first packet now (VMBUS.md pitfall 9). */
	void (*opened)(struct vmbus_channel *ch);
	/* CLOSECHANNEL, UNLOAD, rescind, reset or destroy of an open channel:
	 * stop using its rings before returning. */
	void (*close)(struct vmbus_channel *ch);
	/* Optional: ch is about to be freed (the guest released a rescinded
	 * channel, a bus reset dropped a sub-channel, or destroy). A primary
	 * is released after all its sub-channels. */
	void (*release)(struct vmbus_channel *ch);
};

enum vmbus_pipe_mode {
	VMBUS_PIPE_NONE,    /* a plain channel */
	VMBUS_PIPE_BYTE,    /* named pipe, VMBUS_PIPE_TYPE_BYTE */
	VMBUS_PIPE_MESSAGE, /* named pipe, VMBUS_PIPE_TYPE_MESSAGE */
};

struct vmbus_device {
	struct hv_guid class_id;    /* offer if_type, e.g. HV_GUID_SCSI */
	struct hv_guid instance_id; /* offer if_instance, unique per VM */
	const struct vmbus_device_ops *ops;
	void *priv; /* vmbus_channel_priv(), sub-channels too */
	uint16_t mmio_megabytes;
	enum vmbus_pipe_mode pipe;
};

/* mem: the child's RAM; n_vps: its VP count (VP indices the guest names
 * are checked against it). NULL on bad arguments or no memory. */
struct vmbus_server *vmbus_server_create(const struct vmbus_server_ops *ops, void *ctx,
					 const struct guest_mem *mem, uint32_t n_vps);
/* Closes open channels and releases every channel, then frees srv. */
void vmbus_server_destroy(struct vmbus_server *srv);

/*
 * Adds a device's primary channel; offered at once if the guest has
 * already asked for offers. NULL (logged) if ops lacks open or close, the
 * instance GUID is taken, every relid is in use, or memory is short.
 */
struct vmbus_channel *vmbus_server_add_device(struct vmbus_server *srv,
					      const struct vmbus_device *dev);

/*
 * Adds n sub-channels to primary (storvsc and netvsc ask for them through
 * their own protocols), with the lowest free sub-channel indices >= 1;
 * offered at once if the guest has asked for offers.
 * Return values: 0; -EINVAL not a live primary, or n == 0; -ENOSPC not
 * enough relids; -ENOMEM (nothing added).
 */
int vmbus_server_add_subchannels(struct vmbus_channel *primary, unsigned n);

/*
 * Withdraws ch (a primary takes its sub-channels with it, first): closes
 * it if open and sends RESCIND_CHANNELOFFER. The guest may still send
 * CLOSECHANNEL, GPADL messages and OPENCHANNEL for it (the latter are
 * ignored); ch is released when the guest sends RELID_RELEASED or the bus
 * resets. A channel never offered in this connection is released at once.
 */
void vmbus_server_rescind(struct vmbus_channel *ch);

/*
 * A guest HvPostMessage: the HV_STATUS_* to return to it.
 * HV_STATUS_INVALID_PARAMETER: message_type is not 1, or size > 240.
 * HV_STATUS_INVALID_CONNECTION_ID: not connection 1 or 4; or on 4
 * anything but INITIATE_CONTACT for a version >= 5.0, which must use 4
 * (the guest then tries its next version); all else goes to 1, the id
 * VERSION_RESPONSE names. HV_STATUS_INSUFFICIENT_BUFFERS:
 * VMBUS_SERVER_GUEST_QUEUE host messages are pending (INITIATE_CONTACT,
 * which drops them, still gets in). HV_STATUS_SUCCESS
 * otherwise, including malformed or out-of-place messages, which are
 * logged and dropped.
 */
uint16_t vmbus_server_post_message(struct vmbus_server *srv, uint32_t connection_id,
				   uint32_t message_type, const void *payload, uint32_t size);

/* Sends pending host messages in order. 0 when none is left, -EAGAIN
 * when ops->post said the guest's slot is busy. */
int vmbus_server_flush(struct vmbus_server *srv);

/* The VM was reset (reboot): a bus reset, and pending messages dropped. */
void vmbus_server_reset(struct vmbus_server *srv);

/* The open channel whose HvSignalEvent connection id this is, or NULL
 * (the integrator answers HV_STATUS_INVALID_CONNECTION_ID). */
struct vmbus_channel *vmbus_server_channel_by_connection(struct vmbus_server *srv,
							 uint32_t connection_id);

/* The negotiated version, 0 while disconnected. */
uint32_t vmbus_server_version(const struct vmbus_server *srv);

uint32_t vmbus_channel_relid(const struct vmbus_channel *ch);
uint32_t vmbus_channel_connection_id(const struct vmbus_channel *ch);
/* The VP to signal: OPENCHANNEL's target_vp, or MODIFYCHANNEL's since. */
uint32_t vmbus_channel_target_vp(const struct vmbus_channel *ch);
void *vmbus_channel_priv(const struct vmbus_channel *ch);
/* 0 for a primary. */
uint16_t vmbus_channel_subchannel_index(const struct vmbus_channel *ch);
/* ch itself for a primary. */
struct vmbus_channel *vmbus_channel_primary(struct vmbus_channel *ch);
/* GPADL id if complete and created for ch (e.g. netvsc's receive
 * buffer), or NULL; valid until the next server call. */
const struct gpadl *vmbus_channel_gpadl(const struct vmbus_channel *ch, uint32_t id);

#endif
