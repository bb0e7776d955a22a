/* The four synthetic timers of one VP (TLFS "Synthetic Timers"), in reference
 * time (100 ns units, the caller passes now). Pure like the SynIC: expiry is
 * delivered through struct synic_env and the VP's struct synic. Callers
 * serialise calls on one struct stimers together with its struct synic. */
#ifndef SEPTUM_STIMER_H
#define SEPTUM_STIMER_H

#include "hv/msr.h"
#include "synic.h"
#include "types.h"

struct stimer {
	u64 config, count;
	u64 deadline;	  /* reference time of the next expiry, 0 = not armed */
	bool msg_pending; /* expired in message mode, the message is not out yet */
	u64 expiration;	  /* the pending message's expiration time */
};

struct stimers {
	struct stimer t[HV_STIMER_COUNT];
};

/* TLFS: all CONFIG and COUNT registers 0, nothing armed. */
void stimers_init(struct stimers *st);

/* STIMER0-3 CONFIG/COUNT, 0x400000B0..0x400000B7. */
bool stimer_handles_msr(u32 msr);

/* Return values: 0, or -1 for #GP (an MSR stimer_handles_msr() rejects). */
int stimer_msr_read(const struct stimers *st, u32 msr, u64 *val);

/* Any write re-programs the timer and drops an undelivered expiry message.
 * CONFIG with Enable arms if COUNT != 0 and, in message mode, SINTx != 0
 * (else Enable is cleared, TLFS); COUNT 0 disarms and clears Enable; a
 * non-zero COUNT sets Enable with AutoEnable. One-shot COUNT is an absolute
 * reference time (in the past: fires on the next poll), periodic COUNT the
 * period, counted from now.
 * Return values: 0, or -1 for #GP: CONFIG with RsvdZ bits (63:20, 15:13) set,
 * or direct mode with an APIC vector < 16. */
int stimer_msr_write(struct stimers *st, u32 msr, u64 val, u64 now);

/* Fires every timer whose deadline is <= now, once per poll: direct mode
 * raises the APIC vector (no auto-EOI); message mode posts HVMSG_TIMER_EXPIRED
 * {index, 0, expiration, delivery = now} to SINTx through the timer's own
 * buffer (synic_post_dedicated()): while the slot is busy or the SynIC
 * disabled the message stays pending and is retried on every poll, and ticks
 * of a periodic timer meanwhile are dropped. Periodic timers re-arm at the
 * first multiple of the period after now (missed periods are skipped);
 * one-shot timers disarm and clear Enable once signalled. */
void stimers_poll(struct stimers *st, struct synic *s, u64 now, const struct synic_env *env);

/* The earliest armed deadline (reference time), 0 = none. A pending message
 * has none: its retry follows the guest's EOM, which exits. */
u64 stimers_next_deadline(const struct stimers *st);

#endif
