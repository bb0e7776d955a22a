/* The per-VP synthetic interrupt controller (TLFS "Inter-Partition
 * Communication"): SynIC MSRs, message slots with a queue behind busy ones,
 * and event flags.
 *
 * Pure: guest pages and interrupts come through struct synic_env, so the unit
 * also runs hosted under unit tests and a fuzzer. Callers serialise all calls
 * on one struct synic (the VP's own exit path, or a per-VP lock for posts
 * from elsewhere); the only state shared with running guest code is the guest
 * pages, which are accessed with atomics. */
#ifndef SEPTUM_SYNIC_H
#define SEPTUM_SYNIC_H

#include "hv/message.h"
#include "types.h"

#define SYNIC_QUEUE_LEN 8 /* messages held behind busy slots, per VP */

struct synic_env {
	/* A hypervisor pointer to the 4 KiB guest page at gpa (page-aligned),
	 * or NULL if not RAM (writable when write). The guest may change the
	 * page concurrently, so the unit only uses __atomic builtins on it. */
	void *(*page)(void *ctx, u64 gpa, bool write);
	/* Raise a fixed edge interrupt on this VP; auto_eoi from the SINT. */
	void (*raise)(void *ctx, u8 vector, bool auto_eoi);
	void *ctx;
};

/* A message waiting for its SINT's slot. Entries are never moved: seq orders
 * them (FIFO per SINT), 0 marks a free entry. */
struct synic_queued {
	u64 seq;
	u8 sint;
	struct hv_message msg; /* header and the first payload_size bytes */
};

struct synic {
	u64 scontrol, simp, siefp, sint[HV_SYNIC_SINT_COUNT];
	struct synic_queued queue[SYNIC_QUEUE_LEN];
	u32 nqueued; /* entries with seq != 0 */
	u64 last_seq;
};

/* Reset values (TLFS "SynIC MSRs"): SINTx masked (0x10000), all else 0, no
 * queued messages. */
void synic_init(struct synic *s);

/* SCONTROL, SVERSION, SIEFP, SIMP, EOM, SINT0-15. */
bool synic_handles_msr(u32 msr);

/* Return values: 0, or -1 for #GP (an MSR synic_handles_msr() rejects). */
int synic_msr_read(const struct synic *s, u32 msr, u64 *val);

/* Parameters: env is used when the write retries queued messages (EOM, or
 * SCONTROL/SIMP left enabled).
 * Return values: 0, or -1 for #GP: SVERSION is read-only; SINTx with vector
 * < 16 and not masked. Reserved (RsvdP) bits are stored and read back as
 * written. Enabling SIMP or SIEFP does not clear the guest page. */
int synic_msr_write(struct synic *s, u32 msr, u64 val, const struct synic_env *env);

/* Posts a message to this VP's SINT sint (HvPostMessage, or a message the
 * hypervisor sends). Delivered into a free slot (interrupt unless the SINT is
 * masked or polling), else queued behind the busy slot with MessagePending
 * set in it. A message never overtakes one queued before it on its SINT.
 * Parameters: msg may point into guest memory: its header is read once.
 * from_guest: types with bit 31 set are the hypervisor's (TLFS
 * HvCallPostMessage) and refused.
 * Return values: HV_STATUS_SUCCESS (delivered or queued);
 * HV_STATUS_INVALID_PARAMETER: sint >= 16, payload_size > 240, type 0, or a
 * hypervisor type from the guest; HV_STATUS_INVALID_SYNIC_STATE: SCONTROL or
 * SIMP disabled, or the SIM page is not RAM; HV_STATUS_INSUFFICIENT_BUFFERS:
 * the queue is full (the busy slot may have got MessagePending: the guest's
 * EOM then is just a retry). */
u16 synic_post_message(struct synic *s, u32 sint, const struct hv_message *msg, bool from_guest,
		       const struct synic_env *env);

/* The same for a message in a buffer of the caller's own, which is never
 * queued here (TLFS "Message Sources": each synthetic timer has a dedicated
 * message buffer): a busy slot, or older queued messages for sint, give
 * HV_STATUS_OBJECT_IN_USE with MessagePending set in the slot, and the caller
 * keeps the message and retries after the guest's EOM. Hypervisor types are
 * allowed. Other return values as synic_post_message() except
 * INSUFFICIENT_BUFFERS. */
u16 synic_post_dedicated(struct synic *s, u32 sint, const struct hv_message *msg,
			 const struct synic_env *env);

/* Sets event flag `flag` in the SIEF slot of sint (HvSignalEvent), raising the
 * SINT's vector if the flag was clear (not when polling).
 * Parameters: *newly_signaled is set to whether the flag was clear.
 * Return values: HV_STATUS_SUCCESS; HV_STATUS_INVALID_PARAMETER: sint >= 16
 * or flag >= 2048; HV_STATUS_INVALID_SYNIC_STATE: SCONTROL or SIEFP disabled,
 * the SIEF page is not RAM, or the SINT is masked (TLFS "Event Flag
 * Delivery"); no flag is set then. */
u16 synic_signal_event(struct synic *s, u32 sint, u32 flag, bool *newly_signaled,
		       const struct synic_env *env);

/* Retries queued messages, the oldest per SINT: after EOM (done by
 * synic_msr_write()) or an EOI of a SINT vector (TLFS "Messages"). */
void synic_deliver_queued(struct synic *s, const struct synic_env *env);

#endif
