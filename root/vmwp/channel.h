/*
 * An open VMBus channel as a VSP (storvsp, netvsp, an integration
 * service) lives it: one thread that sleeps until the guest signals
 * (HvSignalEvent on the channel's connection id), drains the guest->host
 * ring packet by packet into the VSP's handler, and signals the guest back
 * once per batch of replies (VMBUS.md §3.3). A VSP never sees a ring index
 * or a raw descriptor: it gets parsed packets and sends through
 * channel_send.
 *
 * A channel that misbehaves (corrupt ring, malformed packet the VSP
 * refuses) is stopped with one log line; the VM goes on.
 */
#ifndef SEPTUM_VMWP_CHANNEL_H
#define SEPTUM_VMWP_CHANNEL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "guest_mem.h"
#include "packet.h"
#include "ring.h"

struct channel;

struct channel_ops {
	/* The channel is open; the first thing the VSP may send (the ICs'
	 * negotiation). Optional. */
	void (*opened)(struct channel *c);
	/* One packet from the guest; a negative return stops the channel. */
	int (*packet)(struct channel *c, const struct vmbus_pkt *p);
	/* After a batch of packets, before the replies become visible: the
	 * VSP finishes what it queued (storvsp's I/O). Optional. */
	void (*batch_end)(struct channel *c);
	/* The thread is ending: free what opened made. Optional. */
	void (*closed)(struct channel *c);
	/* Each time the thread wakes, before it drains the ring: the VSP's
	 * timers (heartbeat) and requests channel_notify brought from other
	 * threads (a shutdown from the manager). Optional. */
	void (*tick)(struct channel *c);
	/* The longest the thread sleeps between ticks, in ms; 0: forever. */
	unsigned tick_ms;
	/* Another descriptor the thread waits on (a NIC's TAP device): its
	 * readiness is a wake like the others, handled by tick. Optional. */
	int (*wait_fd)(struct channel *c);
	/* The largest packet the guest may send on this channel. */
	uint32_t max_packet;
};

struct channel {
	const char *name;		/* for log lines: "storvsp/0", "heartbeat" */
	const struct channel_ops *ops;
	void *vsp;			/* the VSP's own state (shared by its channels) */
	void *priv;			/* the VSP's state for this channel */
	const struct guest_mem *mem;
	struct vmbus_channel *vch;	/* the server's side of it */
	uint32_t relid, target_vp;
	uint16_t subchannel_index;	/* 0 for the primary */
	struct vmbus_ring in, out;	/* guest->host, host->guest */
	int efd;			/* the guest's signals, and ours to stop or poke */
	pthread_t thread;
	bool stop, dead;
	uint8_t *buf;			/* ops->max_packet bytes */
	uint64_t packets_in, packets_out, signals_in, signals_out;
};

/* Opens the channel over the ring pages and starts its thread. */
int channel_start(struct channel *c, void *const *in, unsigned n_in, void *const *out,
		  unsigned n_out);
/* Stops the thread and forgets the rings (guest memory stays as it is). */
void channel_stop(struct channel *c);
/* Wakes the channel thread: the guest signalled, or another thread has
 * work for the VSP (then the VSP's tick finds it). */
void channel_notify(struct channel *c);
/* Sends one packet; waits for room if the guest's ring is full. */
int channel_send(struct channel *c, uint16_t type, uint16_t flags, uint64_t trans_id,
		 const void *payload, uint32_t len);
/* Sends a packet the VSP laid out itself: iov[0] starts with its
 * descriptor (transfer-page packets). */
int channel_send_packet(struct channel *c, const struct iovec *iov, unsigned n);

#endif
