/*
 * vmbus_hostile: a child of septum-vmwp that speaks raw VMBus and breaks the
 * protocol on purpose (tests/system/vmbus_hostile.py runs it). Booted as a
 * bzImage (guests/lib/bzimage.S), it reports on COM1 and powers off through
 * the ACPI PM port. Each check abuses one layer - the hypercalls, channel
 * messages, GPADLs, the storvsc ring, storvsp's SRBs - and then shows that
 * the VMWP still serves: the server answers a GPADL round trip, the
 * heartbeat IC its protocol, and at the end storvsp reads the disk's first
 * sector, which the test filled with a known pattern.
 *
 * Host messages arrive in SINT 2's slot (vector 0xF3); the guest drains the
 * slot itself and sleeps in HLT between looks, woken by SINT 2 or a 1 ms
 * synthetic timer, so every wait is bounded.
 */
#include "boot/linux_bootparam.h"
#include "guest.h"
#include "hv/msr.h"
#include "hv/storvsc.h"
#include "hv/vmbus.h"
#include "hv/vmbus_ic.h"
#include "hv/vmbus_ring.h"
#include "hvcall.h"

#define COM1			0x3F8
#define PM_SLEEP_CONTROL	0x600	/* root/vmwp: PM_PORT + ACPI_PM_SLEEP_CONTROL */
#define PM_SLEEP_S5		0x34	/* SLP_TYP 5 | SLP_EN */
#define E820_RAM		1

#define X2APIC_EOI		0x80B
#define X2APIC_SVR		0x80F
#define APIC_SVR_ON		0x1FF
#define VEC_VMBUS		0xF3	/* Linux's HYPERVISOR_CALLBACK_VECTOR */
#define VEC_TICK		0xF4

#define REF_MS			10000ULL	/* reference time units per ms */
#define REPLY_MS		10000	/* for what must come; TCG under load is slow */
#define MSG_SILENCE_MS		100	/* the server answers within the post */
#define SILENCE_MS		500	/* a channel thread gets to run in this */
#define RING_PAGES		8	/* both directions, a header page each */
#define GPADL_FIRST		0xE1E10	/* where Linux starts */
#define SECTOR			512
/* 32 bytes, 16 times over the first sector (tests/system/vmbus_hostile.py) */
#define PATTERN			"SEPTUM hostile LBA 0 pattern ok\n"

/* SRB status codes and sense fields the checks look at. */
#define SRB_CODE(s)		((s) & 0x3F)
#define SENSE_KEY(p)		((p)->vm_srb.sense_data[2] & 0xF)
#define SENSE_ASC(p)		((p)->vm_srb.sense_data[12])
#define SK_ILLEGAL_REQUEST	5
#define ASC_INVALID_OPCODE	0x20
#define ASC_LBA_OUT_OF_RANGE	0x21
#define ASC_INVALID_FIELD	0x24
#define SAM_CHECK_CONDITION	2

static u8 hypercall_page[PAGE_SIZE] __aligned(PAGE_SIZE);
static u8 post_pages[2 * PAGE_SIZE] __aligned(PAGE_SIZE);	/* a post may cross the first */
static u8 simp_mem[PAGE_SIZE] __aligned(PAGE_SIZE);
static u8 siefp_mem[PAGE_SIZE] __aligned(PAGE_SIZE);
static u8 storvsc_rings[RING_PAGES * PAGE_SIZE] __aligned(PAGE_SIZE);
static u8 ic_rings[RING_PAGES * PAGE_SIZE] __aligned(PAGE_SIZE);
static u8 data_pages[2 * PAGE_SIZE] __aligned(PAGE_SIZE);	/* SRB buffers */
static struct hv_message_page *const simp = (void *)simp_mem;
static struct hv_synic_event_flags_page *const siefp = (void *)siefp_mem;

static u64 ram_pages;
static u32 msg_conn = VMBUS_MESSAGE_CONNECTION_ID;	/* VERSION_RESPONSE's */
static u32 next_gpadl = GPADL_FIRST;
static u64 next_trans = 1;
static volatile u32 vmbus_irqs;

static u64 pfn_of(const void *p)
{
	return (u64)p >> 12;
}

static u64 ref_now(void)
{
	return rdmsr(HV_X64_MSR_TIME_REF_COUNT);
}

static u64 deadline(u32 ms)
{
	return ref_now() + ms * REF_MS;
}

/* Until the next interrupt: SINT 2 or the tick. */
static void idle(void)
{
	asm volatile("sti; hlt; cli" ::: "memory");
}

/* ---- SynIC ---- */

/* Channel signals only wake us: the rings are looked at directly. The SIEF
 * bits are cleared so that the next signal interrupts again. */
static void irq_vmbus(void)
{
	u64 *flags = (u64 *)siefp->flags[VMBUS_MESSAGE_SINT];

	for (u32 i = 0; i < HV_EVENT_FLAGS_BYTES / 8; i++)
		__atomic_exchange_n(&flags[i], 0, __ATOMIC_SEQ_CST);
	vmbus_irqs++;
	wrmsr(X2APIC_EOI, 0);
}

static void irq_tick(void)
{
	wrmsr(X2APIC_EOI, 0);
}

static bool synic_setup(void)
{
	const u64 tick = HV_STIMER_ENABLE | HV_STIMER_PERIODIC | HV_STIMER_DIRECT_MODE |
			 ((u64)VEC_TICK << HV_STIMER_APIC_VECTOR_SHIFT);

	guest_set_irq_handler(VEC_VMBUS, irq_vmbus);
	guest_set_irq_handler(VEC_TICK, irq_tick);
	return hv_enable_hypercalls(hypercall_page, 0x8100000000000002ULL) &&
	       wrmsr_safe(X2APIC_SVR, APIC_SVR_ON) < 0 &&
	       wrmsr_safe(HV_X64_MSR_SIMP, (u64)simp_mem | HV_X64_MSR_PAGE_ENABLE) < 0 &&
	       wrmsr_safe(HV_X64_MSR_SIEFP, (u64)siefp_mem | HV_X64_MSR_PAGE_ENABLE) < 0 &&
	       wrmsr_safe(HV_X64_MSR_SINT0 + VMBUS_MESSAGE_SINT, VEC_VMBUS) < 0 &&
	       wrmsr_safe(HV_X64_MSR_SCONTROL, HV_SYNIC_CONTROL_ENABLE) < 0 &&
	       wrmsr_safe(HV_X64_MSR_STIMER0_COUNT, REF_MS) < 0 &&
	       wrmsr_safe(HV_X64_MSR_STIMER0_CONFIG, tick) < 0;
}

/* ---- host messages: SINT 2's slot drained into an inbox ---- */

#define INBOX_LEN 64
static struct {
	u32 len;
	u8 data[VMBUS_MSG_PAYLOAD_MAX];
} inbox[INBOX_LEN];
static u32 inbox_n, inbox_lost;

/* TLFS "SynIC Message Flags": copy, free the slot, then EOM if another
 * message waits behind it. */
static void pump(void)
{
	struct hv_message *slot = &simp->sint_message[VMBUS_MESSAGE_SINT];

	while (__atomic_load_n(&slot->header.message_type, __ATOMIC_ACQUIRE)) {
		u32 len = slot->header.payload_size;

		if (len > VMBUS_MSG_PAYLOAD_MAX)
			len = VMBUS_MSG_PAYLOAD_MAX;
		if (inbox_n < INBOX_LEN) {
			inbox[inbox_n].len = len;
			memcpy(inbox[inbox_n++].data, slot->payload, len);
		} else {
			inbox_lost++;
		}
		__atomic_store_n(&slot->header.message_type, HVMSG_NONE, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&slot->header.message_flags, __ATOMIC_SEQ_CST) &
		    HV_MESSAGE_FLAG_PENDING)
			wrmsr(HV_X64_MSR_EOM, 0);
	}
}

static u32 msg_u32(u32 i, u32 off)
{
	u32 v = 0;

	if (off + 4 <= inbox[i].len)
		memcpy(&v, inbox[i].data + off, 4);
	return v;
}

/* Takes the oldest message of `type` whose u32 at key_off is key (key_off 0:
 * any) into out (len bytes, zero-padded; out may be NULL). */
static bool take_msg(u32 type, u32 key_off, u32 key, void *out, u32 len)
{
	pump();
	for (u32 i = 0; i < inbox_n; i++) {
		if (msg_u32(i, 0) != type || (key_off && msg_u32(i, key_off) != key))
			continue;
		if (out) {
			memset(out, 0, len);
			memcpy(out, inbox[i].data, len < inbox[i].len ? len : inbox[i].len);
		}
		for (inbox_n--; i < inbox_n; i++)
			inbox[i] = inbox[i + 1];
		return true;
	}
	return false;
}

static bool wait_msg(u32 type, u32 key_off, u32 key, void *out, u32 len, u32 ms)
{
	u64 end = deadline(ms);

	while (!take_msg(type, key_off, key, out, len)) {
		if (ref_now() > end)
			return false;
		idle();
	}
	return true;
}

static void wait_ms(u32 ms)
{
	u64 end = deadline(ms);

	while (ref_now() < end) {
		pump();
		idle();
	}
}

/* ---- guest -> host: HvPostMessage and HvSignalEvent ---- */

/* The input block at post_pages + offset, declaring `size` payload bytes
 * (at most 240 of msg are copied, whatever it declares). */
static u16 post_at(u32 offset, u32 conn, u32 message_type, const void *msg, u32 size)
{
	struct hv_input_post_message *in = (void *)(post_pages + offset);

	memset(in, 0, sizeof(*in));
	in->connection_id = conn;
	in->message_type = message_type;
	in->payload_size = size;
	memcpy(in->payload, msg, size < VMBUS_MSG_PAYLOAD_MAX ? size : VMBUS_MSG_PAYLOAD_MAX);
	return hv_status(hv_call(HVCALL_POST_MESSAGE, (u64)in, 0));
}

/* A well-formed post; like Linux, retried while the host's queue is full. */
static u16 post(const void *msg, u32 size)
{
	u64 end = deadline(REPLY_MS);
	u16 s;

	while ((s = post_at(0, msg_conn, HVMSG_VMBUS, msg, size)) ==
		       HV_STATUS_INSUFFICIENT_BUFFERS &&
	       ref_now() < end) {
		pump();
		idle();
	}
	return s;
}

static u16 signal_conn(u32 conn)
{
	return hv_status(hv_call(HVCALL_SIGNAL_EVENT | HV_HYPERCALL_FAST_BIT, conn, 0));
}

/* ---- connection and offers ---- */

static struct offer {
	struct hv_guid type;
	u32 relid, conn;
} offers[8];
static u32 n_offers;

static struct offer *find_offer(struct hv_guid type)
{
	for (u32 i = 0; i < n_offers; i++)
		if (!memcmp(&offers[i].type, &type, sizeof(type)))
			return &offers[i];
	return NULL;
}

static bool connect(void)
{
	struct vmbus_channel_initiate_contact ic = {
		.header.msgtype = CHANNELMSG_INITIATE_CONTACT,
		.vmbus_version_requested = VMBUS_VERSION_WIN10_V5_3,
		.target_vcpu = 0,
		.msg_sint = VMBUS_MESSAGE_SINT,
	};
	struct vmbus_channel_version_response r;

	inbox_n = 0;
	if (post_at(0, VMBUS_MESSAGE_CONNECTION_ID_4, HVMSG_VMBUS, &ic, sizeof(ic)) ||
	    !wait_msg(CHANNELMSG_VERSION_RESPONSE, 0, 0, &r, sizeof(r), REPLY_MS) ||
	    !r.version_supported)
		return false;
	msg_conn = r.msg_conn_id;
	return true;
}

/* REQUESTOFFERS; true once ALLOFFERS_DELIVERED came. */
static bool request_offers(void)
{
	struct vmbus_channel_message_header h = { .msgtype = CHANNELMSG_REQUESTOFFERS };
	struct vmbus_channel_offer_channel o;

	n_offers = 0;
	if (post(&h, sizeof(h)) ||
	    !wait_msg(CHANNELMSG_ALLOFFERS_DELIVERED, 0, 0, NULL, 0, REPLY_MS))
		return false;
	while (take_msg(CHANNELMSG_OFFERCHANNEL, 0, 0, &o, sizeof(o)))
		if (n_offers < ARRAY_SIZE(offers))
			offers[n_offers++] = (struct offer){ o.offer.if_type, o.child_relid,
							     o.connection_id };
	return true;
}

static void test_connect(void)
{
	static const struct { const char *name; struct hv_guid type; } want[] = {
		{ "storvsc", HV_GUID_SCSI }, { "shutdown", HV_GUID_SHUTDOWN },
		{ "timesync", HV_GUID_TIMESYNC }, { "heartbeat", HV_GUID_HEARTBEAT },
		{ "kvp", HV_GUID_KVP },
	};
	const char *missing = NULL;
	bool ok = connect();

	report(ok && msg_conn == VMBUS_MESSAGE_CONNECTION_ID, "hostile-connect",
	       "INITIATE_CONTACT 5.3 on connection 4: %s, messages on connection %u",
	       ok ? "accepted" : "no VERSION_RESPONSE accepting it", msg_conn);
	ok = ok && request_offers();
	for (u32 i = 0; i < ARRAY_SIZE(want); i++)
		if (!find_offer(want[i].type))
			missing = want[i].name;
	report(ok && !missing, "hostile-offers", "%u offers, %s missing", n_offers,
	       missing ? missing : "none");
}

/* ---- GPADLs ---- */

/* A GPADL_HEADER carrying n_words words (range descriptors and PFNs, at
 * most 27) of an area of range_buflen bytes in rangecount ranges, laid out
 * in buf (VMBUS_MSG_PAYLOAD_MAX bytes); its size. */
static u32 gpadl_header_msg(u8 *buf, u32 relid, u32 id, u16 range_buflen, u16 rangecount,
			    const u64 *words, u32 n_words)
{
	struct vmbus_channel_gpadl_header h = {
		.header.msgtype = CHANNELMSG_GPADL_HEADER, .child_relid = relid, .gpadl = id,
		.range_buflen = range_buflen, .rangecount = rangecount,
	};

	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), words, n_words * 8);
	return sizeof(h) + n_words * 8;
}

static u16 gpadl_header(u32 relid, u32 id, u16 range_buflen, u16 rangecount, const u64 *words,
			u32 n_words)
{
	u8 m[VMBUS_MSG_PAYLOAD_MAX];

	return post(m, gpadl_header_msg(m, relid, id, range_buflen, rangecount, words, n_words));
}

static u16 gpadl_body(u32 id, const u64 *words, u32 n_words)
{
	struct vmbus_channel_gpadl_body b = {
		.header.msgtype = CHANNELMSG_GPADL_BODY, .gpadl = id,
	};
	u8 m[VMBUS_MSG_PAYLOAD_MAX];

	memcpy(m, &b, sizeof(b));
	memcpy(m + sizeof(b), words, n_words * 8);
	return post(m, sizeof(b) + n_words * 8);
}

static u64 range(u32 byte_count, u32 byte_offset)
{
	return (u64)byte_offset << 32 | byte_count;
}

/* One page-aligned range over n PFNs, complete in the header (n <= 26). */
static u16 gpadl_pages(u32 relid, u32 id, const u64 *pfns, u32 n)
{
	u64 w[VMBUS_GPADL_HEADER_MAX_WORDS] = { range(n * PAGE_SIZE, 0) };

	memcpy(&w[1], pfns, n * 8);
	return gpadl_header(relid, id, (n + 1) * 8, 1, w, n + 1);
}

/* GPADL_CREATED for id: 1 success, 0 failure, -1 none within ms. */
static int gpadl_created(u32 id, u32 ms)
{
	struct vmbus_channel_gpadl_created c;

	if (!wait_msg(CHANNELMSG_GPADL_CREATED, 12, id, &c, sizeof(c), ms))
		return -1;
	return c.creation_status == VMBUS_STATUS_SUCCESS;
}

static bool gpadl_teardown(u32 relid, u32 id)
{
	struct vmbus_channel_gpadl_teardown t = {
		.header.msgtype = CHANNELMSG_GPADL_TEARDOWN, .child_relid = relid, .gpadl = id,
	};

	return !post(&t, sizeof(t)) &&
	       wait_msg(CHANNELMSG_GPADL_TORNDOWN, 8, id, NULL, 0, REPLY_MS);
}

/* The relid GPADLs of the liveness probe hang on: KVP, which nothing opens. */
static u32 probe_relid;

/* The server still works: a one-page GPADL is created and torn down. */
static bool server_alive(void)
{
	u64 pfn = pfn_of(data_pages);
	u32 id = next_gpadl++;

	return !gpadl_pages(probe_relid, id, &pfn, 1) && gpadl_created(id, REPLY_MS) == 1 &&
	       gpadl_teardown(probe_relid, id);
}

/* ---- malformed messages and hypercalls ---- */

struct bad_post {
	const char *name;
	u32 offset, conn, message_type, msgtype, size;
	u16 want;
};

static void test_bad_posts(void)
{
	static const struct bad_post posts[] = {
		{ "hostile-msg-unknown-type", 0, 1, HVMSG_VMBUS, 200, 16, HV_STATUS_SUCCESS },
		{ "hostile-msg-host-type", 0, 1, HVMSG_VMBUS, CHANNELMSG_OFFERCHANNEL, 196,
		  HV_STATUS_SUCCESS },
		{ "hostile-msg-truncated", 0, 1, HVMSG_VMBUS, CHANNELMSG_OPENCHANNEL, 12,
		  HV_STATUS_SUCCESS },
		{ "hostile-msg-shorter-than-header", 0, 1, HVMSG_VMBUS, CHANNELMSG_REQUESTOFFERS, 4,
		  HV_STATUS_SUCCESS },
		{ "hostile-msg-empty", 0, 1, HVMSG_VMBUS, 0, 0, HV_STATUS_SUCCESS },
		{ "hostile-msg-oversized", 0, 1, HVMSG_VMBUS, CHANNELMSG_REQUESTOFFERS, 241,
		  HV_STATUS_INVALID_PARAMETER },
		{ "hostile-msg-size-all-ones", 0, 1, HVMSG_VMBUS, CHANNELMSG_REQUESTOFFERS,
		  0xFFFFFFFF, HV_STATUS_INVALID_PARAMETER },
		{ "hostile-msg-wrong-message-type", 0, 1, 2, CHANNELMSG_REQUESTOFFERS, 8,
		  HV_STATUS_INVALID_PARAMETER },
		{ "hostile-msg-message-type-0", 0, 1, HVMSG_NONE, CHANNELMSG_REQUESTOFFERS, 8,
		  HV_STATUS_INVALID_PARAMETER },
		{ "hostile-msg-bad-connection", 0, 7, HVMSG_VMBUS, CHANNELMSG_REQUESTOFFERS, 8,
		  HV_STATUS_INVALID_CONNECTION_ID },
		{ "hostile-msg-channel-connection", 0, 0x10001, HVMSG_VMBUS,
		  CHANNELMSG_REQUESTOFFERS, 8, HV_STATUS_INVALID_CONNECTION_ID },
		{ "hostile-msg-not-contact-on-4", 0, 4, HVMSG_VMBUS, CHANNELMSG_REQUESTOFFERS, 8,
		  HV_STATUS_INVALID_CONNECTION_ID },
		{ "hostile-post-unaligned-input", 4, 1, HVMSG_VMBUS, CHANNELMSG_REQUESTOFFERS, 8,
		  HV_STATUS_INVALID_ALIGNMENT },
		{ "hostile-post-input-crosses-page", 0xF08, 1, HVMSG_VMBUS,
		  CHANNELMSG_REQUESTOFFERS, 8, HV_STATUS_INVALID_PARAMETER },
	};
	u8 msg[VMBUS_MSG_PAYLOAD_MAX] = { 0 };

	for (u32 i = 0; i < ARRAY_SIZE(posts); i++) {
		const struct bad_post *p = &posts[i];
		u16 s;
		bool alive, offered;

		memcpy(msg, &p->msgtype, 4);
		s = post_at(p->offset, p->conn, p->message_type, msg, p->size);
		alive = server_alive();
		/* Refused or dropped, it earns no reply (REQUESTOFFERS came
		 * before and is once per connection). */
		offered = take_msg(CHANNELMSG_OFFERCHANNEL, 0, 0, NULL, 0);
		report(s == p->want && alive && !offered, p->name,
		       "status 0x%x, want 0x%x; then the server %s%s", s, p->want,
		       alive ? "answered" : "did not answer a GPADL round trip",
		       offered ? ", and sent an offer" : "");
	}
}

/* Hypercall inputs the VMWP decodes itself (HvPostMessage and HvSignalEvent
 * go to the root unchecked). */
static void test_bad_hypercalls(void)
{
	u64 beyond = ram_pages << 12;
	u16 s[7];

	s[0] = hv_status(hv_call(HVCALL_POST_MESSAGE, beyond, 0));
	s[1] = hv_status(hv_call(HVCALL_POST_MESSAGE | HV_HYPERCALL_FAST_BIT, 1, 0));
	s[2] = hv_status(hv_rep_call(HVCALL_POST_MESSAGE, 2, 0, post_pages, NULL));
	s[3] = signal_conn(0x10000 + 250);
	s[4] = signal_conn(1);
	s[5] = hv_status(hv_call(HVCALL_SIGNAL_EVENT, beyond, 0));
	s[6] = hv_status(hv_call(HVCALL_SIGNAL_EVENT, (u64)post_pages + 4, 0));
	report(s[0] == HV_STATUS_INVALID_PARAMETER && s[1] == HV_STATUS_INVALID_HYPERCALL_INPUT &&
		       s[2] == HV_STATUS_INVALID_HYPERCALL_INPUT &&
		       s[3] == HV_STATUS_INVALID_CONNECTION_ID &&
		       s[4] == HV_STATUS_INVALID_CONNECTION_ID &&
		       s[5] == HV_STATUS_INVALID_PARAMETER && s[6] == HV_STATUS_INVALID_ALIGNMENT &&
		       server_alive(),
	       "hostile-hypercall-bad-inputs",
	       "post beyond RAM 0x%x, fast post 0x%x, rep post 0x%x, signal unknown 0x%x, signal "
	       "connection 1 0x%x, slow signal beyond RAM 0x%x, unaligned 0x%x",
	       s[0], s[1], s[2], s[3], s[4], s[5], s[6]);
}

/* A second REQUESTOFFERS is once too many: dropped, no offers again. */
static void test_second_request_offers(void)
{
	struct vmbus_channel_message_header h = { .msgtype = CHANNELMSG_REQUESTOFFERS };
	u16 s = post(&h, sizeof(h));
	bool offered;

	wait_ms(MSG_SILENCE_MS);
	offered = take_msg(CHANNELMSG_OFFERCHANNEL, 0, 0, NULL, 0) ||
		  take_msg(CHANNELMSG_ALLOFFERS_DELIVERED, 0, 0, NULL, 0);
	report(!s && !offered && server_alive(), "hostile-msg-second-requestoffers",
	       "status 0x%x, offers again %d", s, offered);
}

/* Posts that each earn a reply, without reading any: the host pushes back
 * with INSUFFICIENT_BUFFERS, and every post it took is answered once the
 * slot is drained. */
static void test_flood(void)
{
	enum { N = 40 };
	const u32 first = next_gpadl;
	u32 taken = 0, refused = 0, other = 0, answered = 0;
	u64 w[2] = { range(PAGE_SIZE, 0), pfn_of(data_pages) };
	bool took[N];
	u8 m[VMBUS_MSG_PAYLOAD_MAX];

	next_gpadl += N;
	for (u32 i = 0; i < N; i++) {
		/* Relid 0 is no channel: each is answered with a failure. */
		u32 len = gpadl_header_msg(m, 0, first + i, 16, 1, w, 2);
		u16 s = post_at(0, msg_conn, HVMSG_VMBUS, m, len);

		took[i] = s == HV_STATUS_SUCCESS;
		taken += took[i];
		refused += s == HV_STATUS_INSUFFICIENT_BUFFERS;
		other += s != HV_STATUS_SUCCESS && s != HV_STATUS_INSUFFICIENT_BUFFERS;
	}
	for (u32 i = 0; i < N; i++)
		if (gpadl_created(first + i, took[i] ? REPLY_MS : 0) == 0)
			answered++;
	report(refused && !other && answered == taken && !inbox_lost && server_alive(),
	       "hostile-msg-flood",
	       "%u posts: %u taken, %u refused as busy, %u other; %u failure replies", N, taken,
	       refused, other, answered);
}

/* ---- GPADL abuse ---- */

static void test_gpadl_bad_pfns(void)
{
	u64 beyond[2] = { ram_pages + 5, (1ULL << 52) - 1 }, mixed[3];
	u32 id[3] = { next_gpadl, next_gpadl + 1, next_gpadl + 2 };
	int r[3];

	next_gpadl += 3;
	mixed[0] = pfn_of(data_pages);
	mixed[1] = ram_pages;		/* the first page past RAM */
	mixed[2] = pfn_of(data_pages) + 1;
	gpadl_pages(probe_relid, id[0], &beyond[0], 1);
	gpadl_pages(probe_relid, id[1], &beyond[1], 1);
	gpadl_pages(probe_relid, id[2], mixed, 3);
	for (u32 i = 0; i < 3; i++)
		r[i] = gpadl_created(id[i], REPLY_MS);
	report(!r[0] && !r[1] && !r[2] && server_alive(), "hostile-gpadl-pfn-beyond-ram",
	       "GPADL_CREATED for PFN 0x%lx: %d, PFN 0x%lx: %d, one of three past RAM: %d "
	       "(0 failure, 1 success, -1 none)",
	       beyond[0], r[0], beyond[1], r[1], r[2]);
}

/* Ranges that do not add up: refused (GPADL_CREATED failing) or dropped
 * as malformed (no reply), never created. */
static void test_gpadl_bad_ranges(void)
{
	const struct {
		u16 buflen, count;
		u64 w[3];
		u32 n;
	} bad[] = {
		{ 16, 1, { range(PAGE_SIZE, PAGE_SIZE), 1 }, 2 },	/* offset 4096 */
		{ 16, 1, { range(0, 0), 1 }, 2 },			/* no bytes */
		{ 16, 0, { range(PAGE_SIZE, 0), 1 }, 2 },		/* no ranges */
		{ 20, 1, { range(PAGE_SIZE, 0), 1, 0 }, 3 },		/* not whole words */
		{ 16, 1, { range(2 * PAGE_SIZE, 0), 1 }, 2 },		/* PFNs missing */
		{ 24, 1, { range(PAGE_SIZE, 0), 1, 2 }, 3 },		/* a word too many */
	};
	int worst = 0, r;
	u32 at = 0;

	for (u32 i = 0; i < ARRAY_SIZE(bad); i++) {
		u32 id = next_gpadl++;
		u64 w[3];

		memcpy(w, bad[i].w, sizeof(w));
		w[1] = pfn_of(data_pages);
		gpadl_header(probe_relid, id, bad[i].buflen, bad[i].count, w, bad[i].n);
		r = gpadl_created(id, MSG_SILENCE_MS);
		if (r > worst) {
			worst = r;
			at = i;
		}
	}
	report(worst < 1 && server_alive(), "hostile-gpadl-bad-ranges",
	       "malformed range area %u was created", at);
}

static void test_gpadl_unknown_ids(void)
{
	u64 pfn = pfn_of(data_pages);
	u32 id = next_gpadl++;
	u16 s1 = gpadl_body(0xDEAD0001, &pfn, 1);
	struct vmbus_channel_gpadl_teardown t = {
		.header.msgtype = CHANNELMSG_GPADL_TEARDOWN, .child_relid = probe_relid,
		.gpadl = 0xDEAD0002,
	};
	u16 s2 = post(&t, sizeof(t));
	int unoffered, body;

	wait_ms(MSG_SILENCE_MS);
	body = take_msg(CHANNELMSG_GPADL_CREATED, 12, 0xDEAD0001, NULL, 0) ||
	       take_msg(CHANNELMSG_GPADL_TORNDOWN, 8, 0xDEAD0002, NULL, 0);
	gpadl_pages(200, id, &pfn, 1);
	unoffered = gpadl_created(id, REPLY_MS);
	report(!s1 && !s2 && !body && !unoffered && server_alive(), "hostile-gpadl-unknown-ids",
	       "body for no GPADL 0x%x, teardown of none 0x%x, answered %d; GPADL of relid 200: %d",
	       s1, s2, body, unoffered);
}

static void test_gpadl_duplicate(void)
{
	u64 pfn = pfn_of(data_pages);
	u32 id = next_gpadl++;
	int first, second;

	gpadl_pages(probe_relid, id, &pfn, 1);
	first = gpadl_created(id, REPLY_MS);
	gpadl_pages(probe_relid, id, &pfn, 1);
	second = gpadl_created(id, REPLY_MS);
	report(first == 1 && second == 0 && gpadl_teardown(probe_relid, id) && server_alive(),
	       "hostile-gpadl-duplicate-id",
	       "first GPADL_CREATED %d, the duplicate's %d (0 failure, 1 success, -1 none)", first,
	       second);
}

/*
 * GPADLs in progress declaring 8189 pages each: the third is over the VM's
 * budget. A body whose second range is empty then fails the other two,
 * which gives their pages back.
 */
static void test_gpadl_too_many_pages(void)
{
	const u16 buflen = 8191 * 8;
	u64 w[2] = { range(PAGE_SIZE, 0), pfn_of(data_pages) }, bad = range(0, 0);
	u32 id = next_gpadl;
	int r[3], freed[2];

	next_gpadl += 3;
	for (u32 i = 0; i < 3; i++)
		gpadl_header(probe_relid, id + i, buflen, 2, w, 2);
	r[0] = gpadl_created(id, 0);
	r[1] = gpadl_created(id + 1, 0);
	r[2] = gpadl_created(id + 2, REPLY_MS);
	for (u32 i = 0; i < 2; i++) {
		gpadl_body(id + i, &bad, 1);
		freed[i] = gpadl_created(id + i, REPLY_MS);
	}
	report(r[0] == -1 && r[1] == -1 && r[2] == 0 && !freed[0] && !freed[1] && server_alive(),
	       "hostile-gpadl-too-many-pages",
	       "two of 8189 pages pending (%d %d), the third %d; bad bodies %d %d "
	       "(0 failure, 1 success, -1 none)",
	       r[0], r[1], r[2], freed[0], freed[1]);
}

/* More GPADLs in progress than the host keeps: the extra ones fail. A new
 * INITIATE_CONTACT drops them all. */
static void test_gpadl_count_limit(void)
{
	const u32 n = 520, first = next_gpadl;
	u64 w[2] = { range(2 * PAGE_SIZE, 0), pfn_of(data_pages) };
	u32 failed = 0, first_failed = 0, succeeded = 0;

	next_gpadl += n;
	for (u32 i = 0; i < n; i++) {
		int r;

		gpadl_header(probe_relid, first + i, 24, 1, w, 2);
		r = gpadl_created(first + i, 0);
		if (!r && !failed++)
			first_failed = i;
		succeeded += r == 1;
	}
	wait_ms(MSG_SILENCE_MS);
	for (u32 i = 0; i < n; i++) {
		int r = gpadl_created(first + i, 0);

		if (!r && !failed++)
			first_failed = i;
		succeeded += r == 1;
	}
	/* The server is full now: only the reconnect below shows it alive. */
	report(failed && failed <= n - 256 && !succeeded, "hostile-gpadl-count-limit",
	       "%u pending GPADLs: %u failed (the first at %u), %u created", n, failed,
	       first_failed, succeeded);
	report(connect() && request_offers() && find_offer(HV_GUID_SCSI) && server_alive(),
	       "hostile-reconnect", "a second INITIATE_CONTACT and REQUESTOFFERS: %u offers",
	       n_offers);
}

/* ---- a channel, as the guest sees it ---- */

struct ring {
	struct hv_ring_buffer *hdr;
	u8 *data;
	u32 size;		/* data bytes */
};

struct chan {
	u32 relid, conn, gpadl;
	u8 *mem;		/* RING_PAGES pages: our outbound ring, then inbound */
	u32 out_pages;		/* the split OPENCHANNEL names */
	struct ring out, in;
};

static struct chan storvsc, heartbeat;

static void ring_put(struct ring *r, u32 pos, const void *src, u32 len)
{
	for (u32 i = 0; i < len; i++)
		r->data[(pos + i) % r->size] = ((const u8 *)src)[i];
}

static void ring_get(const struct ring *r, u32 pos, void *dst, u32 len)
{
	for (u32 i = 0; i < len; i++)
		((u8 *)dst)[i] = r->data[(pos + i) % r->size];
}

/* Fresh headers, as Linux leaves them before OPENCHANNEL. */
static void chan_reset(struct chan *c)
{
	u8 *in = c->mem + c->out_pages * PAGE_SIZE;

	memset(c->mem, 0, RING_PAGES * PAGE_SIZE);
	c->out = (struct ring){ (void *)c->mem, c->mem + PAGE_SIZE,
				(c->out_pages - 1) * PAGE_SIZE };
	c->in = (struct ring){ (void *)in, in + PAGE_SIZE,
			       (RING_PAGES - c->out_pages - 1) * PAGE_SIZE };
	c->out.hdr->feature_bits = HV_RING_FEAT_PENDING_SEND_SZ;
	c->in.hdr->feature_bits = HV_RING_FEAT_PENDING_SEND_SZ;
}

static bool chan_init(struct chan *c, struct hv_guid type, u8 *mem)
{
	const struct offer *o = find_offer(type);
	u64 pfns[RING_PAGES];

	if (!o)
		return false;
	*c = (struct chan){ .relid = o->relid, .conn = o->conn, .gpadl = next_gpadl++,
			    .mem = mem, .out_pages = RING_PAGES / 2 };
	for (u32 i = 0; i < ARRAY_SIZE(pfns); i++)
		pfns[i] = pfn_of(mem) + i;
	return !gpadl_pages(c->relid, c->gpadl, pfns, ARRAY_SIZE(pfns)) &&
	       gpadl_created(c->gpadl, REPLY_MS) == 1;
}

/* OPENCHANNEL: the result's status, or ~0 without one. */
static u32 chan_open_with(u32 relid, u32 gpadl, u32 vp, u32 offset)
{
	struct vmbus_channel_open_channel o = {
		.header.msgtype = CHANNELMSG_OPENCHANNEL, .child_relid = relid, .openid = relid,
		.ringbuffer_gpadlhandle = gpadl, .target_vp = vp,
		.downstream_ringbuffer_pageoffset = offset,
	};
	struct vmbus_channel_open_result r;

	if (post(&o, sizeof(o)) ||
	    !wait_msg(CHANNELMSG_OPENCHANNEL_RESULT, 8, relid, &r, sizeof(r), REPLY_MS))
		return ~0U;
	return r.status;
}

static bool chan_open(struct chan *c)
{
	chan_reset(c);
	return chan_open_with(c->relid, c->gpadl, 0, c->out_pages) == VMBUS_STATUS_SUCCESS;
}

static void chan_close(struct chan *c)
{
	struct vmbus_channel_close_channel m = {
		.header.msgtype = CHANNELMSG_CLOSECHANNEL, .child_relid = c->relid,
	};

	post(&m, sizeof(m));
}

/* Puts len bytes (a multiple of 8) and the trailer in the outbound ring.
 * Return values: 1 Linux would signal now (hv_signal_on_write), 0 it would
 * not, -1 no room. */
static int chan_write(struct chan *c, const void *pkt, u32 len)
{
	struct hv_ring_buffer *h = c->out.hdr;
	u32 w = h->write_index, r = h->read_index, size = c->out.size;
	u32 used = w >= r ? w - r : size - r + w;
	u64 trailer = (u64)w << 32;

	if (w >= size || size - used <= len + 8)
		return -1;
	ring_put(&c->out, w, pkt, len);
	ring_put(&c->out, w + len, &trailer, 8);
	__atomic_store_n(&h->write_index, (w + len + 8) % size, __ATOMIC_SEQ_CST);
	return !__atomic_load_n(&h->interrupt_mask, __ATOMIC_SEQ_CST) &&
	       __atomic_load_n(&h->read_index, __ATOMIC_SEQ_CST) == w;
}

static bool chan_send(struct chan *c, const void *pkt, u32 len)
{
	int w = chan_write(c, pkt, len);

	if (w > 0)
		signal_conn(c->conn);
	return w >= 0;
}

/* The next inbound packet, descriptor included, cut to cap: its length,
 * 0 for none within ms. */
static u32 chan_read(struct chan *c, void *buf, u32 cap, u32 ms)
{
	struct hv_ring_buffer *h = c->in.hdr;
	u64 end = deadline(ms);
	struct vmpacket_descriptor d;
	u32 r, len;

	while ((r = h->read_index) == __atomic_load_n(&h->write_index, __ATOMIC_ACQUIRE)) {
		if (ref_now() > end)
			return 0;
		pump();
		idle();
	}
	ring_get(&c->in, r, &d, sizeof(d));
	len = d.len8 * 8;
	if (len < sizeof(d) || len + 8 >= c->in.size)
		return 0;
	ring_get(&c->in, r, buf, len < cap ? len : cap);
	__atomic_store_n(&h->read_index, (r + len + 8) % c->in.size, __ATOMIC_SEQ_CST);
	return len;
}

/* ---- OPENCHANNEL abuse ---- */

static void test_open_refused(void)
{
	struct chan *c = &storvsc;
	const u32 half = RING_PAGES / 2;
	u32 two_ranges = next_gpadl++, s[8], bad = 0;
	u64 w[2 + RING_PAGES];

	chan_reset(c);
	s[0] = chan_open_with(250, c->gpadl, 0, half);
	s[1] = chan_open_with(c->relid, 0xDEAD0003, 0, half);
	s[2] = chan_open_with(c->relid, c->gpadl, 0, 1);
	s[3] = chan_open_with(c->relid, c->gpadl, 0, RING_PAGES - 1);
	s[4] = chan_open_with(c->relid, c->gpadl, 3, half);
	c->out.hdr->write_index = 13;
	s[5] = chan_open_with(c->relid, c->gpadl, 0, half);
	/* The same pages as two ranges: not a ring. */
	w[0] = w[1 + half] = range(half * PAGE_SIZE, 0);
	for (u32 i = 0; i < half; i++) {
		w[1 + i] = pfn_of(c->mem) + i;
		w[2 + half + i] = pfn_of(c->mem) + half + i;
	}
	gpadl_header(c->relid, two_ranges, sizeof(w), 2, w, ARRAY_SIZE(w));
	s[6] = gpadl_created(two_ranges, REPLY_MS) == 1 ?
		       chan_open_with(c->relid, two_ranges, 0, half) : 0;
	/* A second OPENCHANNEL of an open channel. */
	s[7] = chan_open(c) ? chan_open_with(c->relid, c->gpadl, 0, half) : 0;
	chan_close(c);
	while (bad < ARRAY_SIZE(s) && s[bad] && s[bad] != ~0U)
		bad++;
	report(bad == ARRAY_SIZE(s) && gpadl_teardown(c->relid, two_ranges) && server_alive(),
	       "hostile-open-refused",
	       "OPENCHANNEL_RESULT status for an unknown relid 0x%x, GPADL 0x%x, ring offset 1 "
	       "0x%x, offset n-1 0x%x, VP 3 0x%x, corrupt ring header 0x%x, two-range GPADL "
	       "0x%x, already open 0x%x",
	       s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]);
}

/* MODIFYCHANNEL (4.1 on; a 5.3 guest waits for the answer). */
static void test_modifychannel(void)
{
	struct vmbus_channel_modifychannel m = {
		.header.msgtype = CHANNELMSG_MODIFYCHANNEL, .child_relid = storvsc.relid,
		.target_vp = 5,
	};
	struct vmbus_channel_modifychannel_response r[3];
	bool got[3];

	post(&m, sizeof(m));
	got[0] = wait_msg(CHANNELMSG_MODIFYCHANNEL_RESPONSE, 8, m.child_relid, &r[0],
			  sizeof(r[0]), REPLY_MS);
	m.child_relid = 250;
	post(&m, sizeof(m));
	got[1] = wait_msg(CHANNELMSG_MODIFYCHANNEL_RESPONSE, 8, 250, &r[1], sizeof(r[1]), REPLY_MS);
	m.child_relid = storvsc.relid;
	m.target_vp = 0;
	post(&m, sizeof(m));
	got[2] = wait_msg(CHANNELMSG_MODIFYCHANNEL_RESPONSE, 8, m.child_relid, &r[2],
			  sizeof(r[2]), REPLY_MS);
	report(got[0] && r[0].status && got[1] && r[1].status && got[2] && !r[2].status,
	       "hostile-modifychannel",
	       "VP 5: answered %d status 0x%x; relid 250: %d 0x%x; VP 0: %d 0x%x", got[0],
	       r[0].status, got[1], r[1].status, got[2], r[2].status);
}

/* ---- ring abuse on the storvsc channel ---- */

enum { WRITE_BEYOND = 1, WRITE_UNALIGNED, IN_READ_INDEX };

struct ring_abuse {
	const char *name;
	u16 type, offset8, len8, flags, bytes;	/* a lying packet; type 0: len8 says */
};

/* Puts the abuse in the freshly opened channel and signals. */
static void ring_abuse(struct chan *c, const struct ring_abuse *a)
{
	u64 pkt[256] = { a->type | (u64)a->offset8 << 16 | (u64)a->len8 << 32 |
				 (u64)a->flags << 48,
			 next_trans++, 0xFFFFFFFFULL << 32 /* a GPA-direct range_cnt */ };

	switch (a->type ? 0 : a->len8) {
	case 0:
		chan_write(c, pkt, a->bytes);
		break;
	case WRITE_BEYOND:
		c->out.hdr->write_index = c->out.size + 8;
		break;
	case WRITE_UNALIGNED:
		c->out.hdr->write_index = 12;
		break;
	case IN_READ_INDEX:
		/* Our own inbound read_index, then a request the host must
		 * answer there: BEGIN_INITIALIZATION. */
		c->in.hdr->read_index = 4;
		pkt[0] = VM_PKT_DATA_INBAND | 2 << 16 | 10ULL << 32 | 1ULL << 48;
		pkt[2] = VSTOR_OPERATION_BEGIN_INITIALIZATION |
			 (u64)REQUEST_COMPLETION_FLAG << 32;
		chan_write(c, pkt, 80);
		break;
	}
	signal_conn(c->conn);
}

static void test_ring_abuse(void)
{
	static const struct ring_abuse abuse[] = {
		{ "hostile-ring-write-index-beyond-ring", 0, 0, WRITE_BEYOND, 0, 0 },
		{ "hostile-ring-write-index-unaligned", 0, 0, WRITE_UNALIGNED, 0, 0 },
		{ "hostile-ring-offset8-below-2", VM_PKT_DATA_INBAND, 1, 10, 0, 80 },
		{ "hostile-ring-len8-below-offset8", VM_PKT_DATA_INBAND, 4, 3, 0, 80 },
		{ "hostile-ring-len8-beyond-ring", VM_PKT_DATA_INBAND, 2, 0xFFFF, 0, 80 },
		/* Fits the ring, not the channel's largest packet. */
		{ "hostile-ring-oversized-packet", VM_PKT_DATA_INBAND, 2, 2048 / 8, 0, 2048 },
		{ "hostile-ring-unknown-packet-type", 0x42, 2, 10, 0, 80 },
		{ "hostile-ring-unknown-packet-flags", VM_PKT_DATA_INBAND, 2, 10, 0x8000, 80 },
		{ "hostile-ring-gpa-direct-range-count", VM_PKT_DATA_USING_GPA_DIRECT, 4, 12, 1,
		  96 },
		{ "hostile-ring-inbound-read-index", 0, 0, IN_READ_INDEX, 0, 0 },
	};
	struct chan *c = &storvsc;

	for (u32 i = 0; i < ARRAY_SIZE(abuse); i++) {
		bool opened = chan_open(c), alive;
		u32 back;

		if (opened)
			ring_abuse(c, &abuse[i]);
		/* The channel may stop; nothing comes back, the VMWP goes on. */
		wait_ms(SILENCE_MS);
		back = c->in.hdr->write_index;
		alive = server_alive();
		report(opened && !back && alive, abuse[i].name,
		       "open %d, the host wrote %u bytes back, then the server %s", opened, back,
		       alive ? "answered" : "did not answer a GPADL round trip");
		chan_close(c);
	}
}

/* ---- the heartbeat IC: another channel still works ---- */

static void test_heartbeat(void)
{
	struct chan *c = &heartbeat;
	u64 pkt[64];
	struct vmpacket_descriptor *d = (void *)pkt;
	struct icmsg_hdr *ic = (void *)((u8 *)pkt + sizeof(*d) + sizeof(struct vmbuspipe_hdr));
	struct icmsg_negotiate *neg = (void *)(ic + 1);
	u32 len = 0, type = ~0U, next = ~0U;
	bool opened = chan_init(c, HV_GUID_HEARTBEAT, ic_rings) && chan_open(c);

	if (opened)
		len = chan_read(c, pkt, sizeof(pkt), REPLY_MS);
	if (len >= sizeof(*d) + ICMSG_HDR + sizeof(*neg) + 8 && len <= sizeof(pkt)) {
		/* Answer as Linux does (vmbus_prep_negotiate_resp), in place. */
		type = ic->icmsgtype;
		neg->icframe_vercnt = 1;
		neg->icmsg_vercnt = 1;
		neg->icversion_data[0] = (struct ic_version){ 3, 0 };
		neg->icversion_data[1] = (struct ic_version){ 3, 0 };
		ic->icflags = ICMSGHDRFLAG_TRANSACTION | ICMSGHDRFLAG_RESPONSE;
		ic->status = HV_S_OK;
		d->flags = 0;
		chan_send(c, pkt, len);
		/* The next tick (a second) brings the first heartbeat. */
		if (chan_read(c, pkt, sizeof(pkt), REPLY_MS))
			next = ic->icmsgtype;
	}
	report(opened && type == ICMSGTYPE_NEGOTIATE && next == ICMSGTYPE_HEARTBEAT,
	       "hostile-ic-heartbeat-after-abuse",
	       "open %d; first packet %u bytes, IC type %d; after our answer IC type %d", opened,
	       len, (int)type, (int)next);
	chan_close(c);
}

/* ---- storvsp ---- */

/* One vstor packet (size bytes of p), INBAND or GPA-direct over one range
 * of bytes at GPA buf; waits for the completion with its trans_id into
 * out. False without one. */
static bool vstor_send(struct chan *c, const struct vstor_packet *p, u32 size, u64 trans,
		       u64 buf, u32 bytes, struct vstor_packet *out, u32 ms)
{
	u64 pkt[2 + 2 + 4 + 8] = { 0 }, reply[16];
	struct vmpacket_descriptor *d = (void *)pkt;
	u32 npfn = bytes ? ((buf & 0xFFF) + bytes + 0xFFF) >> 12 : 0, off8 = 2, got;

	if (npfn > 4)
		return false;
	if (bytes) {
		off8 = 4 + npfn;
		pkt[2] = 1ULL << 32;	/* range_cnt 1 */
		pkt[3] = range(bytes, buf & 0xFFF);
		for (u32 i = 0; i < npfn; i++)
			pkt[4 + i] = (buf >> 12) + i;
	}
	*d = (struct vmpacket_descriptor){ VM_PKT_DATA_INBAND, off8, off8 + (size + 7) / 8,
					   VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED, trans };
	if (bytes)
		d->type = VM_PKT_DATA_USING_GPA_DIRECT;
	memcpy(&pkt[off8], p, size);
	if (!chan_send(c, pkt, d->len8 * 8))
		return false;
	while ((got = chan_read(c, reply, sizeof(reply), ms))) {
		const struct vmpacket_descriptor *rd = (void *)reply;
		u32 at = rd->offset8 * 8u;

		if (rd->type == VM_PKT_COMP && rd->trans_id == trans && got >= at + sizeof(*out) &&
		    at + sizeof(*out) <= sizeof(reply)) {
			memcpy(out, (u8 *)reply + at, sizeof(*out));
			return true;
		}
	}
	return false;
}

/* A handshake step: the completion's status, or ~0 without one. */
static u32 vstor_step(struct chan *c, u32 op, u16 version, struct vstor_packet *out)
{
	struct vstor_packet p = { .operation = op, .flags = REQUEST_COMPLETION_FLAG };

	p.version.major_minor = version;
	if (!vstor_send(c, &p, sizeof(p), VMBUS_RQST_INIT, 0, 0, out, REPLY_MS))
		return ~0U;
	return out->operation == VSTOR_OPERATION_COMPLETE_IO ? out->status : ~1U;
}

/* Opens the storvsc channel afresh and runs Linux's handshake. */
static bool storvsc_fresh(void)
{
	struct vstor_packet r;

	chan_close(&storvsc);
	return chan_open(&storvsc) &&
	       !vstor_step(&storvsc, VSTOR_OPERATION_BEGIN_INITIALIZATION, 0, &r) &&
	       !vstor_step(&storvsc, VSTOR_OPERATION_QUERY_PROTOCOL_VERSION,
			   VMSTOR_PROTO_VERSION_WIN10, &r) &&
	       !vstor_step(&storvsc, VSTOR_OPERATION_QUERY_PROPERTIES, 0, &r) &&
	       r.storage_channel_properties.max_transfer_bytes &&
	       !vstor_step(&storvsc, VSTOR_OPERATION_END_INITIALIZATION, 0, &r);
}

static void test_storvsc_handshake(void)
{
	struct vstor_packet r;
	u32 s[6];
	bool opened = chan_open(&storvsc);

	s[0] = vstor_step(&storvsc, VSTOR_OPERATION_BEGIN_INITIALIZATION, 0, &r);
	s[1] = vstor_step(&storvsc, VSTOR_OPERATION_END_INITIALIZATION, 0, &r);
	s[2] = vstor_step(&storvsc, VSTOR_OPERATION_QUERY_PROTOCOL_VERSION, 0x0100, &r);
	s[3] = vstor_step(&storvsc, VSTOR_OPERATION_QUERY_PROTOCOL_VERSION,
			  VMSTOR_PROTO_VERSION_WIN10, &r);
	s[4] = vstor_step(&storvsc, VSTOR_OPERATION_QUERY_PROPERTIES, 0, &r);
	s[5] = vstor_step(&storvsc, VSTOR_OPERATION_END_INITIALIZATION, 0, &r);
	report(opened && !s[0] && s[1] == NT_STATUS_INVALID_DEVICE_STATE &&
		       s[2] == NT_STATUS_REVISION_MISMATCH && !s[3] && !s[4] && !s[5],
	       "hostile-storvsc-handshake",
	       "open %d; BEGIN 0x%x, END too early 0x%x, version 1.0 0x%x, 6.2 0x%x, PROPERTIES "
	       "0x%x, END 0x%x",
	       opened, s[0], s[1], s[2], s[3], s[4], s[5]);
}

struct srb {
	u8 cdb[16], cdb_len, data_in, lun;
	u16 length;
	u32 xfer;		/* data_transfer_length */
	u32 bytes;		/* the GPA range; 0: INBAND */
	u64 buf;		/* its GPA; 0: data_pages */
	u32 size;		/* of the vstor packet; 0: 64 */
};

static void srb_fill(const struct srb *s, struct vstor_packet *p)
{
	struct vmscsi_request *q = &p->vm_srb;

	*p = (struct vstor_packet){ .operation = VSTOR_OPERATION_EXECUTE_SRB,
				    .flags = REQUEST_COMPLETION_FLAG };
	q->length = s->length ? s->length : sizeof(*q);
	q->lun = s->lun;
	q->cdb_length = s->cdb_len;
	q->sense_info_length = STORVSC_SENSE_BUFFER_SIZE;
	q->data_in = s->data_in;
	q->data_transfer_length = s->xfer;
	memcpy(q->cdb, s->cdb, sizeof(q->cdb));
	q->queue_tag = 0xFF;
	q->srb_flags = SRB_FLAGS_DISABLE_SYNCH_TRANSFER;
}

static bool srb_run(const struct srb *s, struct vstor_packet *out, u32 ms)
{
	struct vstor_packet p;

	srb_fill(s, &p);
	memset(out, 0, sizeof(*out));
	return vstor_send(&storvsc, &p, s->size ? s->size : sizeof(p), next_trans++,
			  s->buf ? s->buf : (u64)data_pages, s->bytes, out, ms);
}

/* A refusal storvsc understands: INVALID_REQUEST, or CHECK CONDITION with
 * ILLEGAL REQUEST sense. */
static bool refused(const struct vstor_packet *r)
{
	return SRB_CODE(r->vm_srb.srb_status) == SRB_STATUS_INVALID_REQUEST ||
	       (r->vm_srb.scsi_status == SAM_CHECK_CONDITION && SENSE_KEY(r) == SK_ILLEGAL_REQUEST);
}

static bool sense_is(const struct vstor_packet *r, u8 asc)
{
	return r->vm_srb.scsi_status == SAM_CHECK_CONDITION &&
	       (r->vm_srb.srb_status & SRB_STATUS_AUTOSENSE_VALID) &&
	       SENSE_KEY(r) == SK_ILLEGAL_REQUEST && SENSE_ASC(r) == asc &&
	       !r->vm_srb.data_transfer_length;
}

static void read10(struct srb *s, u32 lba, u16 blocks)
{
	*s = (struct srb){ .cdb = { 0x28, 0, lba >> 24, lba >> 16, lba >> 8, lba, 0, blocks >> 8,
				    blocks },
			   .cdb_len = 10, .data_in = SCSI_IOCTL_DATA_IN, .xfer = blocks * SECTOR,
			   .bytes = blocks * SECTOR };
}

static void report_srb(bool ok, const char *name, bool got, const struct vstor_packet *r)
{
	report(ok, name, "%s: srb_status 0x%x scsi_status 0x%x sense key 0x%x ASC 0x%x, %u bytes",
	       got ? "completion" : "NO completion", r->vm_srb.srb_status, r->vm_srb.scsi_status,
	       SENSE_KEY(r), SENSE_ASC(r), r->vm_srb.data_transfer_length);
}

static u32 nblocks;

static void test_srb_refusals(void)
{
	const struct { const char *name; struct srb s; } tur[] = {
		{ "hostile-srb-cdb-length-0", { .cdb_len = 0, .data_in = 2 } },
		{ "hostile-srb-cdb-length-17", { .cdb_len = 17, .data_in = 2 } },
		{ "hostile-srb-length-field", { .cdb_len = 6, .data_in = 2, .length = 36 } },
		{ "hostile-srb-data-in-invalid", { .cdb_len = 6, .data_in = 9 } },
		{ "hostile-srb-short-packet", { .cdb_len = 6, .data_in = 2, .size = 24 } },
	};
	struct vstor_packet r;
	struct srb s = { .cdb = { 0x25 }, .cdb_len = 10, .data_in = SCSI_IOCTL_DATA_IN, .xfer = 8,
			 .bytes = 8 };
	bool got = srb_run(&s, &r, REPLY_MS);
	const u8 *cap = data_pages;

	nblocks = got && r.vm_srb.srb_status == SRB_STATUS_SUCCESS ?
			  ((u32)cap[0] << 24 | cap[1] << 16 | cap[2] << 8 | cap[3]) + 1 : 0;
	report(nblocks && cap[6] == 0x02 && cap[7] == 0, "hostile-srb-read-capacity",
	       "completion %d, srb_status 0x%x, %u blocks", got, r.vm_srb.srb_status, nblocks);
	for (u32 i = 0; i < ARRAY_SIZE(tur); i++) {
		got = srb_run(&tur[i].s, &r, REPLY_MS);
		report_srb(got && refused(&r), tur[i].name, got, &r);
	}
}

/* READ(10)s the unit must fail with ILLEGAL REQUEST sense, and others. */
static void test_srb_errors(void)
{
	struct {
		const char *name;
		u32 lba;
		u16 blocks;
		u32 xfer, bytes;	/* data_transfer_length, the GPA range */
		u8 data_in, asc;
	} reads[] = {
		{ "hostile-srb-read-beyond-capacity", nblocks, 1, SECTOR, SECTOR,
		  SCSI_IOCTL_DATA_IN, ASC_LBA_OUT_OF_RANGE },
		{ "hostile-srb-read-lba-wraps", 0xFFFFFFFF, 0xFFFF, SECTOR, SECTOR,
		  SCSI_IOCTL_DATA_IN, ASC_LBA_OUT_OF_RANGE },
		{ "hostile-srb-length-mismatch", 0, 1, 2 * SECTOR, 2 * SECTOR, SCSI_IOCTL_DATA_IN,
		  ASC_INVALID_FIELD },
		{ "hostile-srb-range-shorter-than-length", 0, 1, SECTOR, SECTOR / 2,
		  SCSI_IOCTL_DATA_IN, ASC_INVALID_FIELD },
		{ "hostile-srb-transfer-too-large", 0, 1, 1 << 20, SECTOR, SCSI_IOCTL_DATA_IN,
		  ASC_INVALID_FIELD },
		{ "hostile-srb-direction-mismatch", 0, 1, SECTOR, SECTOR, SCSI_IOCTL_DATA_OUT,
		  ASC_INVALID_FIELD },
	};
	struct vstor_packet r;
	struct srb s = { .cdb = { 0xC7 }, .cdb_len = 16, .data_in = 2 };
	bool got = srb_run(&s, &r, REPLY_MS);

	report_srb(got && sense_is(&r, ASC_INVALID_OPCODE), "hostile-srb-unknown-opcode", got, &r);
	for (u32 i = 0; i < ARRAY_SIZE(reads); i++) {
		read10(&s, reads[i].lba, reads[i].blocks);
		s.xfer = reads[i].xfer;
		s.bytes = reads[i].bytes;
		s.data_in = reads[i].data_in;
		got = srb_run(&s, &r, REPLY_MS);
		report_srb(got && sense_is(&r, reads[i].asc), reads[i].name, got, &r);
	}
	s = (struct srb){ .cdb_len = 6, .data_in = 2, .lun = 7 };
	got = srb_run(&s, &r, REPLY_MS);
	report_srb(got && SRB_CODE(r.vm_srb.srb_status) == SRB_STATUS_INVALID_LUN,
		   "hostile-srb-no-such-lun", got, &r);
}

/* Signals far beyond Linux's rule, on an idle ring: harmless. */
static void test_signal_storm(void)
{
	struct vstor_packet r;
	struct srb s = { .cdb_len = 6, .data_in = 2 };
	u32 bad = 0;
	bool got;

	for (u32 i = 0; i < 200; i++)
		bad += signal_conn(storvsc.conn) != HV_STATUS_SUCCESS;
	got = srb_run(&s, &r, REPLY_MS);
	report(!bad && got && r.vm_srb.srb_status == SRB_STATUS_SUCCESS, "hostile-signal-storm",
	       "%u of 200 signals failed; TEST UNIT READY after: completion %d, srb_status 0x%x",
	       bad, got, r.vm_srb.srb_status);
}

/*
 * The guest leaves its inbound ring full: storvsp's replies back up and the
 * channel thread waits for room, with requests still queued behind. A
 * CLOSECHANNEL must still be prompt (it is handled under the VMBus lock).
 */
static void test_close_blocked_channel(void)
{
	struct chan *c = &storvsc;
	struct {
		struct vmpacket_descriptor d;
		struct vstor_packet v;
	} p = { .d = { .type = VM_PKT_DATA_INBAND, .offset8 = 2, .len8 = sizeof(p) / 8,
		       .flags = VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED } };
	struct srb tur = { .cdb_len = 6, .data_in = 2 };
	u64 end, took;
	u32 n = 0;
	bool opened, blocked = false;

	c->out_pages = RING_PAGES - 3;	/* 4 data pages out, 2 back */
	opened = chan_open(c);
	srb_fill(&tur, &p.v);
	for (; opened && n < 1000; n++) {
		p.d.trans_id = next_trans++;
		if (chan_write(c, &p, sizeof(p)) < 0)
			break;
	}
	signal_conn(c->conn);
	end = deadline(REPLY_MS);
	while (opened && !(blocked = c->in.hdr->pending_send_sz) && ref_now() < end)
		idle();
	took = ref_now();
	chan_close(c);
	took = (ref_now() - took) / REF_MS;
	c->out_pages = RING_PAGES / 2;
	report(blocked && took < 2000 && server_alive(), "hostile-close-blocked-channel",
	       "open %d, %u requests, host blocked %d; CLOSECHANNEL took %lu ms", opened, n,
	       blocked, took);
}

/*
 * A GPA-direct range naming a page past RAM: the SRB must fail, not the
 * channel. Then a vstor operation that does not exist, which storvsp
 * treats as a broken protocol: the channel stops, the VMWP goes on.
 */
static void test_srb_fatal(void)
{
	struct vstor_packet r, p = { .operation = 99, .flags = REQUEST_COMPLETION_FLAG };
	struct srb s;
	bool got, after;

	read10(&s, 0, 1);
	s.buf = ram_pages << 12;
	got = srb_run(&s, &r, REPLY_MS);
	report_srb(got && SRB_CODE(r.vm_srb.srb_status) != SRB_STATUS_SUCCESS,
		   "hostile-srb-pfn-beyond-ram", got, &r);
	report(storvsc_fresh(), "hostile-storvsc-reopen", "close, open and handshake failed");
	got = vstor_send(&storvsc, &p, sizeof(p), next_trans++, 0, 0, &r, SILENCE_MS);
	s = (struct srb){ .cdb_len = 6, .data_in = 2 };
	after = srb_run(&s, &r, SILENCE_MS);
	report(!got && !after && server_alive(), "hostile-vstor-unknown-operation",
	       "answered %d, a TEST UNIT READY after it answered %d (the channel should stop)", got,
	       after);
}

/* After all of it, storvsp still reads the disk. */
static void test_read_lba0(void)
{
	struct vstor_packet r;
	struct srb s;
	u32 bad = SECTOR;
	bool fresh = storvsc_fresh(), got;

	memset(data_pages, 0, SECTOR);
	read10(&s, 0, 1);
	got = fresh && srb_run(&s, &r, REPLY_MS);
	for (u32 i = 0; i < SECTOR && bad == SECTOR; i++)
		if (data_pages[i] != PATTERN[i % 32])
			bad = i;
	report(got && r.vm_srb.srb_status == SRB_STATUS_SUCCESS &&
		       r.vm_srb.data_transfer_length == SECTOR && bad == SECTOR,
	       "hostile-read-lba0",
	       "fresh open %d, completion %d, srb_status 0x%x, %u bytes, first difference at %u",
	       fresh, got, r.vm_srb.srb_status, r.vm_srb.data_transfer_length, bad);
	chan_close(&storvsc);
}

/* UNLOAD; then nothing but INITIATE_CONTACT is heard. */
static void test_unload(void)
{
	struct vmbus_channel_message_header h = { .msgtype = CHANNELMSG_UNLOAD };
	u16 s = post(&h, sizeof(h));
	bool unloaded = wait_msg(CHANNELMSG_UNLOAD_RESPONSE, 0, 0, NULL, 0, REPLY_MS), offered;

	report(!s && unloaded, "hostile-unload", "status 0x%x, UNLOAD_RESPONSE %d", s, unloaded);
	h.msgtype = CHANNELMSG_REQUESTOFFERS;
	s = post(&h, sizeof(h));
	wait_ms(MSG_SILENCE_MS);
	offered = take_msg(CHANNELMSG_ALLOFFERS_DELIVERED, 0, 0, NULL, 0);
	report(!s && !offered && connect() && request_offers(), "hostile-after-unload",
	       "REQUESTOFFERS unconnected: status 0x%x, answered %d; then connecting again failed",
	       s, offered);
}

/* ---- setup ---- */

/* The top of RAM from boot_params' e820 map (RDX at entry). */
static u64 ram_top(const u8 *bp)
{
	u64 top = 0;

	for (u32 i = 0; i < bp[BP_E820_ENTRIES] && i < BP_E820_MAX; i++) {
		const u8 *e = bp + BP_E820_TABLE + 20 * i;
		u64 addr, size;
		u32 type;

		memcpy(&addr, e, 8);
		memcpy(&size, e + 8, 8);
		memcpy(&type, e + 16, 4);
		if (type == E820_RAM && addr + size > top)
			top = addr + size;
	}
	return top;
}

/* Every layer in turn; relids stay what the first offers said. */
static void abuse(void)
{
	probe_relid = find_offer(HV_GUID_KVP)->relid;
	test_bad_posts();
	test_bad_hypercalls();
	test_second_request_offers();
	test_flood();
	test_gpadl_bad_pfns();
	test_gpadl_bad_ranges();
	test_gpadl_unknown_ids();
	test_gpadl_duplicate();
	test_gpadl_too_many_pages();
	test_gpadl_count_limit();
	if (chan_init(&storvsc, HV_GUID_SCSI, storvsc_rings)) {
		test_open_refused();
		test_ring_abuse();
		test_heartbeat();
		test_modifychannel();
		test_close_blocked_channel();
		test_storvsc_handshake();
		test_srb_refusals();
		test_srb_errors();
		test_signal_storm();
		test_srb_fatal();
		test_read_lba0();
	} else {
		report(false, "hostile-storvsc-ring-gpadl", "the ring's GPADL failed");
	}
	test_unload();
}

int main(void)
{
	guest_report_port = COM1;
	guest_report_area = "vmbus";
	guest_ram_size = ram_top((const u8 *)guest_boot_rdx);
	ram_pages = guest_ram_size >> 12;
	guest_printf("vmbus-hostile: %lu MiB of RAM, command line '%s'\n", guest_ram_size >> 20,
		     guest_cmdline);
	report(synic_setup(), "hostile-synic", "hypercall page, SynIC or STIMER0 MSRs refused");
	test_connect();
	if (find_offer(HV_GUID_KVP) && find_offer(HV_GUID_SCSI))
		abuse();
	guest_printf("vmbus-hostile: %u interrupts from SINT 2, %u messages lost\n", vmbus_irqs,
		     inbox_lost);
	report_summary();
	outb(PM_SLEEP_CONTROL, PM_SLEEP_S5);
	return 0;
}
