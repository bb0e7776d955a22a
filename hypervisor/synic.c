/* SynIC (TLFS "Inter-Partition Communication"): MSRs, message delivery into
 * the SIM page with a per-VP queue behind busy slots, and SIEF event flags. */
#include "synic.h"
#include "hv/msr.h"
#include "hv/status.h"

#define MESSAGE_MAX_PAYLOAD (HV_MESSAGE_PAYLOAD_QWORDS * 8)
/* TLFS HvCallPostMessage: guests may only use types with bit 31 clear. */
#define MESSAGE_TYPE_HYPERVISOR 0x80000000u
#define SINT_FIRST_VECTOR	16

void synic_init(struct synic *s)
{
	u32 i;

	s->scontrol = 0;
	s->simp = 0;
	s->siefp = 0;
	for (i = 0; i < HV_SYNIC_SINT_COUNT; i++)
		s->sint[i] = HV_SYNIC_SINT_MASKED;
	for (i = 0; i < SYNIC_QUEUE_LEN; i++)
		s->queue[i].seq = 0;
	s->nqueued = 0;
	s->last_seq = 0;
}

static bool is_sint_msr(u32 msr)
{
	return msr >= HV_X64_MSR_SINT0 && msr <= HV_X64_MSR_SINT15;
}

bool synic_handles_msr(u32 msr)
{
	return (msr >= HV_X64_MSR_SCONTROL && msr <= HV_X64_MSR_EOM) || is_sint_msr(msr);
}

int synic_msr_read(const struct synic *s, u32 msr, u64 *val)
{
	if (is_sint_msr(msr)) {
		*val = s->sint[msr - HV_X64_MSR_SINT0];
		return 0;
	}
	switch (msr) {
	case HV_X64_MSR_SCONTROL:
		*val = s->scontrol;
		return 0;
	case HV_X64_MSR_SVERSION:
		*val = HV_SYNIC_VERSION_1;
		return 0;
	case HV_X64_MSR_SIEFP:
		*val = s->siefp;
		return 0;
	case HV_X64_MSR_SIMP:
		*val = s->simp;
		return 0;
	case HV_X64_MSR_EOM:
		/* TLFS "EOM Register": a write-only trigger, reads return 0. */
		*val = 0;
		return 0;
	}
	return -1;
}

/* Byte copy with relaxed atomics: either side may be guest memory that
 * another VP writes meanwhile, and unlike a plain loop the compiler cannot
 * turn it into a memcpy call, which this freestanding unit does not have. */
static void copy_bytes(u8 *dst, const u8 *src, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++)
		__atomic_store_n(&dst[i], __atomic_load_n(&src[i], __ATOMIC_RELAXED),
				 __ATOMIC_RELAXED);
}

static struct hv_message_page *message_page(const struct synic *s, const struct synic_env *env)
{
	if (!(s->scontrol & HV_SYNIC_CONTROL_ENABLE) || !(s->simp & HV_X64_MSR_PAGE_ENABLE))
		return NULL;
	return env->page(env->ctx, s->simp & HV_X64_MSR_PAGE_GPA_MASK, true);
}

/* TLFS "Messages": the interrupt is lost when the SINT is masked; polling
 * unmasks the source without generating interrupts (TLFS "SINTx Registers"). */
static void sint_notify(const struct synic *s, u32 sint, const struct synic_env *env)
{
	u64 v = s->sint[sint];

	if (v & (HV_SYNIC_SINT_MASKED | HV_SYNIC_SINT_POLLING))
		return;
	env->raise(env->ctx, v & HV_SYNIC_SINT_VECTOR_MASK, v & HV_SYNIC_SINT_AUTO_EOI);
}

/* Whether the slot is free (type 0) for the hypervisor to fill. A busy slot
 * gets MessagePending before its type is read again: the guest clears the type
 * and only then reads MessagePending to decide on EOM (Linux
 * vmbus_signal_eom), so either it sees the flag or this sees the free slot. */
static bool slot_claim(struct hv_message *slot)
{
	if (!__atomic_load_n(&slot->header.message_type, __ATOMIC_ACQUIRE))
		return true;
	__atomic_fetch_or(&slot->header.message_flags, HV_MESSAGE_FLAG_PENDING, __ATOMIC_SEQ_CST);
	return !__atomic_load_n(&slot->header.message_type, __ATOMIC_SEQ_CST);
}

/* Fills a free slot. The type goes last, with release semantics: it hands
 * the slot to the guest, which must then see the rest. pending: more
 * messages wait for this SINT, so the guest must write EOM. */
static void slot_fill(struct hv_message *slot, const struct hv_message_header *hdr,
		      const u64 *payload, bool pending)
{
	copy_bytes((u8 *)slot->payload, (const u8 *)payload, hdr->payload_size);
	__atomic_store_n(&slot->header.sender, hdr->sender, __ATOMIC_RELAXED);
	__atomic_store_n(&slot->header.payload_size, hdr->payload_size, __ATOMIC_RELAXED);
	__atomic_store_n(&slot->header.message_flags, pending ? HV_MESSAGE_FLAG_PENDING : 0,
			 __ATOMIC_RELAXED);
	__atomic_store_n(&slot->header.reserved, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&slot->header.message_type, hdr->message_type, __ATOMIC_RELEASE);
}

/* The oldest queued message for sint, or NULL. */
static struct synic_queued *queue_head(struct synic *s, u32 sint)
{
	struct synic_queued *head = NULL;
	u32 i;

	for (i = 0; i < SYNIC_QUEUE_LEN; i++) {
		struct synic_queued *q = &s->queue[i];

		if (q->seq && q->sint == sint && (!head || q->seq < head->seq))
			head = q;
	}
	return head;
}

static void enqueue(struct synic *s, u32 sint, const struct hv_message_header *hdr,
		    const u64 *payload)
{
	struct synic_queued *q = s->queue;

	while (q->seq)
		q++;
	q->seq = ++s->last_seq;
	q->sint = sint;
	q->msg.header = *hdr;
	copy_bytes((u8 *)q->msg.payload, (const u8 *)payload, hdr->payload_size);
	s->nqueued++;
}

/* Moves the oldest queued message for sint into its slot if that is free. */
static void deliver_head(struct synic *s, struct hv_message_page *page, u32 sint,
			 const struct synic_env *env)
{
	struct synic_queued *q = queue_head(s, sint);

	if (!q || !slot_claim(&page->sint_message[sint]))
		return;
	q->seq = 0;
	s->nqueued--;
	slot_fill(&page->sint_message[sint], &q->msg.header, q->msg.payload,
		  queue_head(s, sint) != NULL);
	sint_notify(s, sint, env);
}

void synic_deliver_queued(struct synic *s, const struct synic_env *env)
{
	struct hv_message_page *page;
	u32 sint;

	/* TLFS "SIM Page": a disabled SIM page keeps messages queued. */
	if (!s->nqueued)
		return;
	page = message_page(s, env);
	if (!page)
		return;
	for (sint = 0; sint < HV_SYNIC_SINT_COUNT; sint++)
		deliver_head(s, page, sint, env);
}

int synic_msr_write(struct synic *s, u32 msr, u64 val, const struct synic_env *env)
{
	if (is_sint_msr(msr)) {
		/* TLFS "SINTx Registers": vectors 0-15 #GP. Like KVM, a masked
		 * SINT may hold one, so the reset value can be written back. */
		if ((val & HV_SYNIC_SINT_VECTOR_MASK) < SINT_FIRST_VECTOR &&
		    !(val & HV_SYNIC_SINT_MASKED))
			return -1;
		s->sint[msr - HV_X64_MSR_SINT0] = val;
		return 0;
	}
	/* Reserved bits are RsvdP: kept as written, as KVM does, so the
	 * guest's read-modify-write reads back what it wrote. */
	switch (msr) {
	case HV_X64_MSR_SCONTROL:
		s->scontrol = val;
		break;
	case HV_X64_MSR_SIMP:
		s->simp = val;
		break;
	case HV_X64_MSR_SIEFP:
		s->siefp = val;
		return 0;
	case HV_X64_MSR_EOM:
		synic_deliver_queued(s, env);
		return 0;
	default: /* SVERSION is read-only (TLFS "SVERSION Register") */
		return -1;
	}
	/* A newly enabled SIM page shows no MessagePending, so the guest would
	 * write no EOM for what queued while it was off: deliver now. */
	synic_deliver_queued(s, env);
	return 0;
}

/* Reads the header once (msg may be in guest memory) and checks it. */
static bool header_snapshot(struct hv_message_header *hdr, const struct hv_message *msg,
			    bool from_guest)
{
	hdr->message_type = __atomic_load_n(&msg->header.message_type, __ATOMIC_RELAXED);
	hdr->payload_size = __atomic_load_n(&msg->header.payload_size, __ATOMIC_RELAXED);
	hdr->message_flags = 0;
	hdr->reserved = 0;
	hdr->sender = __atomic_load_n(&msg->header.sender, __ATOMIC_RELAXED);
	if (hdr->message_type == HVMSG_NONE || hdr->payload_size > MESSAGE_MAX_PAYLOAD)
		return false;
	return !from_guest || !(hdr->message_type & MESSAGE_TYPE_HYPERVISOR);
}

static u16 post(struct synic *s, u32 sint, const struct hv_message *msg, bool from_guest,
		bool may_queue, const struct synic_env *env)
{
	struct hv_message_header hdr;
	struct hv_message_page *page;

	if (sint >= HV_SYNIC_SINT_COUNT || !header_snapshot(&hdr, msg, from_guest))
		return HV_STATUS_INVALID_PARAMETER;
	page = message_page(s, env);
	if (!page)
		return HV_STATUS_INVALID_SYNIC_STATE;
	/* TLFS "Messages": queueing a message rescans the queue. Whatever
	 * is queued for sint goes first. */
	deliver_head(s, page, sint, env);
	if (!queue_head(s, sint) && slot_claim(&page->sint_message[sint])) {
		slot_fill(&page->sint_message[sint], &hdr, msg->payload, false);
		sint_notify(s, sint, env);
		return HV_STATUS_SUCCESS;
	}
	if (!may_queue)
		return HV_STATUS_OBJECT_IN_USE;
	if (s->nqueued == SYNIC_QUEUE_LEN)
		return HV_STATUS_INSUFFICIENT_BUFFERS;
	enqueue(s, sint, &hdr, msg->payload);
	return HV_STATUS_SUCCESS;
}

u16 synic_post_message(struct synic *s, u32 sint, const struct hv_message *msg, bool from_guest,
		       const struct synic_env *env)
{
	return post(s, sint, msg, from_guest, true, env);
}

u16 synic_post_dedicated(struct synic *s, u32 sint, const struct hv_message *msg,
			 const struct synic_env *env)
{
	return post(s, sint, msg, false, false, env);
}

u16 synic_signal_event(struct synic *s, u32 sint, u32 flag, bool *newly_signaled,
		       const struct synic_env *env)
{
	struct hv_synic_event_flags_page *page;
	u8 bit, old;

	*newly_signaled = false;
	if (sint >= HV_SYNIC_SINT_COUNT || flag >= HV_EVENT_FLAGS_BYTES * 8)
		return HV_STATUS_INVALID_PARAMETER;
	/* TLFS "Event Flag Delivery": a masked SINT is an error, not a lost
	 * interrupt as for messages; checked first so the flag stays clear. */
	if (!(s->scontrol & HV_SYNIC_CONTROL_ENABLE) || !(s->siefp & HV_X64_MSR_PAGE_ENABLE) ||
	    (s->sint[sint] & HV_SYNIC_SINT_MASKED))
		return HV_STATUS_INVALID_SYNIC_STATE;
	page = env->page(env->ctx, s->siefp & HV_X64_MSR_PAGE_GPA_MASK, true);
	if (!page)
		return HV_STATUS_INVALID_SYNIC_STATE;
	bit = 1u << (flag % 8);
	old = __atomic_fetch_or(&page->flags[sint][flag / 8], bit, __ATOMIC_SEQ_CST);
	if (old & bit)
		return HV_STATUS_SUCCESS;
	*newly_signaled = true;
	sint_notify(s, sint, env);
	return HV_STATUS_SUCCESS;
}
