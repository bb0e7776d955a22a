/* libFuzzer target for the SynIC and the synthetic timers: the input is a
 * stream of operations (MSR reads and writes, posts, signals, the guest
 * consuming, clearing or scribbling on its pages, EOIs, polls with time
 * moving forward). After each one it checks that the units only touched the
 * enabled SIM and SIEF pages, and there only as allowed: a slot the
 * hypervisor filled has a type, payload_size <= 240 and reserved 0; a busy
 * slot only gains MessagePending; event flags are only set. Also the queue
 * count, the MSR invariants and the status codes. */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "hv/msr.h"
#include "hv/status.h"
#include "stimer.h"

#define GPA_BASE 0x100000ULL
#define NPAGES	 4

static u8 pages[NPAGES][PAGE_SIZE] __aligned(PAGE_SIZE);
static u8 shadow[NPAGES][PAGE_SIZE];
static struct synic syn;
static struct stimers st;
static u64 now;

struct input {
	const u8 *p;
	size_t n;
};

static u64 get(struct input *in, int bytes)
{
	u64 v = 0;

	while (bytes-- && in->n) {
		v = v << 8 | *in->p++;
		in->n--;
	}
	return v;
}

static bool page_enabled(u64 reg, u64 gpa)
{
	return (syn.scontrol & HV_SYNIC_CONTROL_ENABLE) && (reg & HV_X64_MSR_PAGE_ENABLE) &&
	       (reg & HV_X64_MSR_PAGE_GPA_MASK) == gpa;
}

static void *fake_page(void *ctx, u64 gpa, bool write)
{
	(void)ctx;
	/* The units only ask for the SIM or SIEF page while it is enabled. */
	assert(write);
	assert(page_enabled(syn.simp, gpa) || page_enabled(syn.siefp, gpa));
	if (gpa < GPA_BASE || gpa >= GPA_BASE + NPAGES * PAGE_SIZE)
		return NULL;
	return pages[(gpa - GPA_BASE) / PAGE_SIZE];
}

static void fake_raise(void *ctx, u8 vector, bool auto_eoi)
{
	(void)ctx;
	(void)auto_eoi;
	assert(vector >= 16);
}

static const struct synic_env env = {.page = fake_page, .raise = fake_raise};

static bool is_page(u64 reg, int i)
{
	return page_enabled(reg, GPA_BASE + i * PAGE_SIZE);
}

/* What the hypervisor may have changed since the last check. */
static void check_pages(void)
{
	int i, j, k;

	for (i = 0; i < NPAGES; i++) {
		bool sim = is_page(syn.simp, i), sief = is_page(syn.siefp, i);

		if (!memcmp(pages[i], shadow[i], PAGE_SIZE))
			continue;
		assert(sim || sief);
		for (j = 0; j < HV_SYNIC_SINT_COUNT; j++) {
			const u8 *prev = shadow[i] + j * HV_MESSAGE_SIZE;
			const u8 *cur = pages[i] + j * HV_MESSAGE_SIZE;
			const struct hv_message *m = (const void *)cur;
			u8 prev_flags = prev[offsetof(struct hv_message_header, message_flags)];

			if (!memcmp(prev, cur, HV_MESSAGE_SIZE))
				continue;
			/* A SIEF page that is also the SIM page (undefined
			 * by the TLFS) may change either way. */
			if (sim && sief)
				continue;
			if (sief) {
				for (k = 0; k < HV_MESSAGE_SIZE; k++)
					assert((prev[k] & ~cur[k]) == 0);
				continue;
			}
			assert(m->header.message_type != HVMSG_NONE);
			for (k = 0; k < HV_MESSAGE_SIZE; k++)
				if (prev[k] != cur[k] &&
				    k != offsetof(struct hv_message_header, message_flags))
					break;
			if (k == HV_MESSAGE_SIZE) {
				assert(m->header.message_flags ==
				       (prev_flags | HV_MESSAGE_FLAG_PENDING));
				continue;
			}
			assert(m->header.payload_size <= HV_MESSAGE_PAYLOAD_QWORDS * 8);
			assert(m->header.reserved == 0);
			assert(!(m->header.message_flags & ~HV_MESSAGE_FLAG_PENDING));
		}
	}
	memcpy(shadow, pages, sizeof(pages));
}

static void check_state(void)
{
	u32 i, used = 0;

	assert(syn.nqueued <= SYNIC_QUEUE_LEN);
	for (i = 0; i < SYNIC_QUEUE_LEN; i++) {
		const struct synic_queued *q = &syn.queue[i];

		if (!q->seq)
			continue;
		used++;
		assert(q->sint < HV_SYNIC_SINT_COUNT);
		assert(q->msg.header.message_type != HVMSG_NONE);
		assert(q->msg.header.payload_size <= HV_MESSAGE_PAYLOAD_QWORDS * 8);
	}
	assert(used == syn.nqueued);
	for (i = 0; i < HV_SYNIC_SINT_COUNT; i++)
		assert((syn.sint[i] & HV_SYNIC_SINT_MASKED) ||
		       (syn.sint[i] & HV_SYNIC_SINT_VECTOR_MASK) >= 16);
	for (i = 0; i < HV_STIMER_COUNT; i++) {
		const struct stimer *t = &st.t[i];

		assert(!(t->config & ~0xF1FFFULL));
		assert(!t->deadline || (t->config & HV_STIMER_ENABLE));
		assert(!t->deadline || t->count);
		assert(!t->msg_pending || !(t->config & HV_STIMER_DIRECT_MODE));
		if (t->config & HV_STIMER_DIRECT_MODE)
			assert(((t->config & HV_STIMER_APIC_VECTOR_MASK) >> 4) >= 16);
	}
}

static u64 page_value(struct input *in)
{
	return GPA_BASE + get(in, 1) % (NPAGES + 1) * PAGE_SIZE + (get(in, 2) & 0xFFF);
}

static void synic_write(struct input *in)
{
	static const u32 msrs[] = {
	    HV_X64_MSR_SCONTROL, HV_X64_MSR_SVERSION, HV_X64_MSR_SIEFP,
	    HV_X64_MSR_SIMP,	 HV_X64_MSR_EOM,      0x40000085, /* not a SynIC MSR */
	};
	u32 sel = get(in, 1) % (ARRAY_SIZE(msrs) + HV_SYNIC_SINT_COUNT);
	u32 msr = sel < ARRAY_SIZE(msrs) ? msrs[sel] : HV_X64_MSR_SINT0 + sel - ARRAY_SIZE(msrs);
	u64 val, back;
	int r;

	if (msr == HV_X64_MSR_SIMP || msr == HV_X64_MSR_SIEFP)
		val = page_value(in);
	else if (msr == HV_X64_MSR_SCONTROL)
		val = get(in, 1) & 3;
	else
		val = get(in, 3);
	r = synic_msr_write(&syn, msr, val, &env);
	if (!synic_handles_msr(msr) || msr == HV_X64_MSR_SVERSION) {
		assert(r == -1);
		return;
	}
	if (msr >= HV_X64_MSR_SINT0 && (val & 0xFF) < 16 && !(val & HV_SYNIC_SINT_MASKED)) {
		assert(r == -1);
		return;
	}
	assert(r == 0);
	assert(synic_msr_read(&syn, msr, &back) == 0);
	assert(back == (msr == HV_X64_MSR_EOM ? 0 : val));
}

static void synic_read(struct input *in)
{
	u32 msr = HV_X64_MSR_SCONTROL + get(in, 1) % 0x30;
	u64 val;

	assert(synic_msr_read(&syn, msr, &val) == (synic_handles_msr(msr) ? 0 : -1));
}

static void stimer_write(struct input *in)
{
	u32 msr = HV_X64_MSR_STIMER0_CONFIG + get(in, 1) % 9;
	u64 val, back;
	int r;

	if (msr & 1) {
		/* COUNT: 0, a one-shot time around now, or a period. */
		val = get(in, 1) & 1 ? now + get(in, 2) - 0x100 : get(in, 2);
	} else {
		val = get(in, 3) & 0xFFFFF;
		if (get(in, 1) == 0xFF)
			val |= BIT(40);
	}
	r = stimer_msr_write(&st, msr, val, now);
	if (!stimer_handles_msr(msr)) {
		assert(r == -1);
		return;
	}
	if (r)
		return;
	assert(stimer_msr_read(&st, msr, &back) == 0);
	/* Enable may be cleared by a CONFIG write, set by a COUNT write. */
	if (msr & 1)
		assert(back == val);
	else
		assert(back == val || back == (val & ~HV_STIMER_ENABLE));
}

static void stimer_read(struct input *in)
{
	u32 msr = HV_X64_MSR_STIMER0_CONFIG + get(in, 1) % 9;
	u64 val;

	assert(stimer_msr_read(&st, msr, &val) == (stimer_handles_msr(msr) ? 0 : -1));
}

static void do_post(struct input *in, bool dedicated)
{
	static const u32 types[] = {HVMSG_NONE, HVMSG_VMBUS, HVMSG_TIMER_EXPIRED, 0x7FFFFFFF};
	struct hv_message m;
	u32 sint = get(in, 1) % 17;
	u32 type = types[get(in, 1) % ARRAY_SIZE(types)];
	bool from_guest = get(in, 1) & 1;
	u16 r;

	memset(&m, (int)get(in, 1), sizeof(m));
	m.header.message_type = type;
	m.header.payload_size = get(in, 1);
	if (dedicated)
		r = synic_post_dedicated(&syn, sint, &m, &env);
	else
		r = synic_post_message(&syn, sint, &m, from_guest, &env);
	if (sint >= 16 || type == HVMSG_NONE || m.header.payload_size > 240 ||
	    (!dedicated && from_guest && (type & 0x80000000))) {
		assert(r == HV_STATUS_INVALID_PARAMETER);
		return;
	}
	assert(r == HV_STATUS_SUCCESS || r == HV_STATUS_INVALID_SYNIC_STATE ||
	       (dedicated ? r == HV_STATUS_OBJECT_IN_USE : r == HV_STATUS_INSUFFICIENT_BUFFERS));
}

static void do_signal(struct input *in)
{
	u32 sint = get(in, 1) % 17, flag = get(in, 2) % 2100;
	bool newly;
	u16 r = synic_signal_event(&syn, sint, flag, &newly, &env);

	if (sint >= 16 || flag >= 2048)
		assert(r == HV_STATUS_INVALID_PARAMETER);
	else
		assert(r == HV_STATUS_SUCCESS || r == HV_STATUS_INVALID_SYNIC_STATE);
	assert(!newly || r == HV_STATUS_SUCCESS);
}

/* The guest's SIM page, if it is RAM. */
static struct hv_message_page *guest_sim(void)
{
	int i;

	for (i = 0; i < NPAGES; i++)
		if (is_page(syn.simp, i))
			return (struct hv_message_page *)pages[i];
	return NULL;
}

/* Linux vmbus_signal_eom, or only the clear. */
static void guest_consume(struct input *in, bool eom)
{
	struct hv_message_page *sim = guest_sim();
	struct hv_message *m;

	if (!sim)
		return;
	m = &sim->sint_message[get(in, 1) % HV_SYNIC_SINT_COUNT];
	__atomic_store_n(&m->header.message_type, HVMSG_NONE, __ATOMIC_SEQ_CST);
	memcpy(shadow, pages, sizeof(pages));
	if (eom && (m->header.message_flags & HV_MESSAGE_FLAG_PENDING))
		assert(synic_msr_write(&syn, HV_X64_MSR_EOM, 0, &env) == 0);
}

/* The guest owns its pages and may write anything into them. */
static void guest_scribble(struct input *in)
{
	int i = get(in, 1) % NPAGES;

	pages[i][get(in, 2) % PAGE_SIZE] = get(in, 1);
	memcpy(shadow, pages, sizeof(pages));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = {data, size};
	u64 val;

	memset(pages, 0, sizeof(pages));
	memset(shadow, 0, sizeof(shadow));
	synic_init(&syn);
	stimers_init(&st);
	now = 0;
	while (in.n) {
		switch (get(&in, 1) % 12) {
		case 0:
			synic_write(&in);
			break;
		case 1:
			synic_read(&in);
			break;
		case 2:
			stimer_write(&in);
			break;
		case 3:
			do_post(&in, false);
			break;
		case 4:
			do_post(&in, true);
			break;
		case 5:
			do_signal(&in);
			break;
		case 6:
			guest_consume(&in, true);
			break;
		case 7:
			guest_consume(&in, false);
			break;
		case 8:
			guest_scribble(&in);
			break;
		case 9:
			/* An EOI of a SINT vector. */
			synic_deliver_queued(&syn, &env);
			break;
		case 10:
			now += get(&in, 2);
			stimers_poll(&st, &syn, now, &env);
			/* Everything due has fired and re-armed after now. */
			val = stimers_next_deadline(&st);
			assert(!val || val > now);
			break;
		case 11:
			stimer_read(&in);
			break;
		}
		check_pages();
		check_state();
	}
	return 0;
}
