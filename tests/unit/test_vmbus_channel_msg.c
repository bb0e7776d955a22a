/* Unit tests for the VMBus channel message parser: every message a guest
 * may send at the size Linux sends it (and padded to 240 bytes), one byte
 * short of it, host -> guest and unknown types, and the GPADL counts: the
 * Linux shapes (26 PFNs in the header, 28 per body), multi-range headers,
 * and every way the declared counts can contradict each other. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "unit.h"
#include <cmocka.h> /* needs the four above first */

#include <errno.h>
#include <string.h>

#include "channel_msg.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static struct vmbus_channel_msg m;
static uint8_t buf[256];

static int parse(uint32_t size)
{
	return vmbus_channel_msg_parse(buf, size, &m);
}

static void put_u32(uint32_t off, uint32_t v)
{
	memcpy(&buf[off], &v, 4);
}

static void put_u16(uint32_t off, uint16_t v)
{
	memcpy(&buf[off], &v, 2);
}

static void put_u64(uint32_t off, uint64_t v)
{
	memcpy(&buf[off], &v, 8);
}

static uint64_t range(uint32_t byte_count, uint32_t byte_offset)
{
	return (uint64_t)byte_offset << 32 | byte_count;
}

/* A GPADL_HEADER with words[] after the fixed part. */
static uint32_t gpadl_header(uint32_t relid, uint32_t id, uint16_t buflen, uint16_t count,
			     const uint64_t *words, uint32_t n)
{
	memset(buf, 0, sizeof(buf));
	put_u32(0, CHANNELMSG_GPADL_HEADER);
	put_u32(8, relid);
	put_u32(12, id);
	put_u16(16, buflen);
	put_u16(18, count);
	for (uint32_t i = 0; i < n; i++)
		put_u64(20 + 8 * i, words[i]);
	return 20 + 8 * n;
}

static int setup(void **state)
{
	(void)state;
	memset(buf, 0, sizeof(buf));
	memset(&m, 0xA5, sizeof(m));
	return 0;
}

static void test_initiate_contact(void **state)
{
	(void)state;
	put_u32(0, CHANNELMSG_INITIATE_CONTACT);
	put_u32(8, VMBUS_VERSION_WIN10_V5_3);
	put_u32(12, 3);
	buf[16] = VMBUS_MESSAGE_SINT;
	put_u64(24, 0x1000);
	put_u64(32, 0x2000);
	assert_int_equal(parse(40), 0);
	assert_int_equal(m.type, CHANNELMSG_INITIATE_CONTACT);
	assert_int_equal(m.u.initiate_contact.vmbus_version_requested, VMBUS_VERSION_WIN10_V5_3);
	assert_int_equal(m.u.initiate_contact.target_vcpu, 3);
	assert_int_equal(m.u.initiate_contact.msg_sint, 2);
	assert_int_equal(m.u.initiate_contact.monitor_page2, 0x2000);
	assert_int_equal(m.n_words, 0);
	/* A copy: the guest changing its buffer afterwards changes nothing. */
	put_u32(12, 7);
	assert_int_equal(m.u.initiate_contact.target_vcpu, 3);
	/* Padding after the message is ignored. */
	assert_int_equal(parse(240), 0);
	assert_int_equal(m.u.initiate_contact.target_vcpu, 7);
}

static void test_fixed_messages(void **state)
{
	static const struct {
		uint32_t type, size;
	} fixed[] = {
	    {CHANNELMSG_REQUESTOFFERS, 8},   {CHANNELMSG_OPENCHANNEL, 148},
	    {CHANNELMSG_CLOSECHANNEL, 12},   {CHANNELMSG_GPADL_TEARDOWN, 16},
	    {CHANNELMSG_RELID_RELEASED, 12}, {CHANNELMSG_INITIATE_CONTACT, 40},
	    {CHANNELMSG_UNLOAD, 8},	     {CHANNELMSG_MODIFYCHANNEL, 16},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(fixed); i++) {
		memset(buf, 0x11, sizeof(buf));
		put_u32(0, fixed[i].type);
		assert_int_equal(parse(fixed[i].size), 0);
		assert_int_equal(m.type, fixed[i].type);
		assert_int_equal(parse(VMBUS_MSG_PAYLOAD_MAX), 0);
		/* One byte short of what Linux sends. */
		assert_int_equal(parse(fixed[i].size - 1), -EBADMSG);
	}
}

static void test_open_close_teardown_fields(void **state)
{
	(void)state;
	put_u32(0, CHANNELMSG_OPENCHANNEL);
	put_u32(8, 5);
	put_u32(12, 5);
	put_u32(16, 0xE1E10);
	put_u32(20, 1);
	put_u32(24, 16);
	buf[28] = 0x77;
	assert_int_equal(parse(148), 0);
	assert_int_equal(m.u.open_channel.child_relid, 5);
	assert_int_equal(m.u.open_channel.openid, 5);
	assert_int_equal(m.u.open_channel.ringbuffer_gpadlhandle, 0xE1E10);
	assert_int_equal(m.u.open_channel.target_vp, 1);
	assert_int_equal(m.u.open_channel.downstream_ringbuffer_pageoffset, 16);
	assert_int_equal(m.u.open_channel.userdata[0], 0x77);

	memset(buf, 0, sizeof(buf));
	put_u32(0, CHANNELMSG_GPADL_TEARDOWN);
	put_u32(8, 2);
	put_u32(12, 0xE1E11);
	assert_int_equal(parse(16), 0);
	assert_int_equal(m.u.gpadl_teardown.child_relid, 2);
	assert_int_equal(m.u.gpadl_teardown.gpadl, 0xE1E11);

	memset(buf, 0, sizeof(buf));
	put_u32(0, CHANNELMSG_MODIFYCHANNEL);
	put_u32(8, 4);
	put_u32(12, 9);
	assert_int_equal(parse(16), 0);
	assert_int_equal(m.u.modifychannel.child_relid, 4);
	assert_int_equal(m.u.modifychannel.target_vp, 9);
}

static void test_not_from_a_guest(void **state)
{
	static const uint32_t types[] = {
	    CHANNELMSG_INVALID,
	    CHANNELMSG_OFFERCHANNEL,
	    CHANNELMSG_RESCIND_CHANNELOFFER,
	    CHANNELMSG_ALLOFFERS_DELIVERED,
	    CHANNELMSG_OPENCHANNEL_RESULT,
	    CHANNELMSG_GPADL_CREATED,
	    CHANNELMSG_GPADL_TORNDOWN,
	    CHANNELMSG_VERSION_RESPONSE,
	    CHANNELMSG_UNLOAD_RESPONSE,
	    18,
	    19,
	    20,
	    CHANNELMSG_TL_CONNECT_REQUEST,
	    CHANNELMSG_TL_CONNECT_RESULT,
	    CHANNELMSG_MODIFYCHANNEL_RESPONSE,
	    CHANNELMSG_COUNT,
	    0x80000000u,
	    0xFFFFFFFFu,
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
		put_u32(0, types[i]);
		assert_int_equal(parse(VMBUS_MSG_PAYLOAD_MAX), -ENOMSG);
	}
}

static void test_transport_sizes(void **state)
{
	(void)state;
	put_u32(0, CHANNELMSG_UNLOAD);
	assert_int_equal(parse(VMBUS_MSG_PAYLOAD_MAX + 1), -EMSGSIZE);
	assert_int_equal(parse(0xFFFFFFFFu), -EMSGSIZE);
	for (uint32_t size = 0; size < 8; size++)
		assert_int_equal(parse(size), -EBADMSG);
	assert_int_equal(vmbus_channel_msg_parse(NULL, 0, &m), -EBADMSG);
}

/* Linux's ring GPADL of 32 pages: a header with the range and 26 PFNs,
 * then a body with the last 6 (create_gpadl_header). */
static void test_gpadl_linux_shape(void **state)
{
	uint64_t w[27];
	uint32_t size;

	(void)state;
	w[0] = range(32 * 4096, 0);
	for (uint32_t i = 1; i < 27; i++)
		w[i] = 0x100 + i;
	size = gpadl_header(1, 0xE1E10, 8 + 32 * 8, 1, w, 27);
	assert_int_equal(size, 236);
	assert_int_equal(parse(size), 0);
	assert_int_equal(m.type, CHANNELMSG_GPADL_HEADER);
	assert_int_equal(m.u.gpadl_header.child_relid, 1);
	assert_int_equal(m.u.gpadl_header.gpadl, 0xE1E10);
	assert_int_equal(m.u.gpadl_header.range_buflen, 264);
	assert_int_equal(m.u.gpadl_header.rangecount, 1);
	assert_int_equal(m.n_words, 27);
	assert_memory_equal(m.words, w, sizeof(w));

	memset(buf, 0, sizeof(buf));
	put_u32(0, CHANNELMSG_GPADL_BODY);
	put_u32(12, 0xE1E10);
	for (uint32_t i = 0; i < 6; i++)
		put_u64(16 + 8 * i, 0x200 + i);
	assert_int_equal(parse(16 + 6 * 8), 0);
	assert_int_equal(m.type, CHANNELMSG_GPADL_BODY);
	assert_int_equal(m.u.gpadl_body.gpadl, 0xE1E10);
	assert_int_equal(m.n_words, 6);
	assert_int_equal(m.words[5], 0x205);
	/* A full body: 28 PFNs. */
	assert_int_equal(parse(VMBUS_MSG_PAYLOAD_MAX), 0);
	assert_int_equal(m.n_words, 28);
	/* No PFN at all is short. */
	assert_int_equal(parse(16), -EBADMSG);
	assert_int_equal(parse(23), -EBADMSG);
}

/* Pitfall 11: the useful length is range_buflen, not the message size. */
static void test_gpadl_padded_header(void **state)
{
	uint64_t w[5] = {range(4 * 4096, 0), 1, 2, 3, 4};

	(void)state;
	gpadl_header(1, 7, 40, 1, w, 5);
	memset(&buf[60], 0xEE, sizeof(buf) - 60);
	assert_int_equal(parse(VMBUS_MSG_PAYLOAD_MAX), 0);
	assert_int_equal(m.n_words, 5);
	assert_memory_equal(m.words, w, sizeof(w));
	assert_int_equal(m.words[5], 0);
	/* A size that is not a multiple of 8 carries whole words only. */
	assert_int_equal(parse(20 + 8 * 4 + 7), 0);
	assert_int_equal(m.n_words, 4);
	/* The header alone, without a range, is short. */
	assert_int_equal(parse(20), -EBADMSG);
	assert_int_equal(parse(27), -EBADMSG);
}

static void test_gpadl_multi_range(void **state)
{
	/* 2 pages at 0; 100 bytes at 4000, crossing into a second page. */
	uint64_t w[6] = {range(8192, 0), 10, 11, range(100, 4000), 12, 13};

	(void)state;
	assert_int_equal(parse(gpadl_header(3, 9, 48, 2, w, 6)), 0);
	assert_int_equal(m.n_words, 6);
	assert_int_equal(m.u.gpadl_header.rangecount, 2);
	/* The second range seen only in part, the rest to come in a body. */
	assert_int_equal(parse(gpadl_header(3, 9, 48, 2, w, 4)), 0);
	assert_int_equal(m.n_words, 4);
	/* Three ranges declared, two fill the buffer: nothing left for one. */
	assert_int_equal(parse(gpadl_header(3, 9, 48, 3, w, 6)), -EBADMSG);
	/* Two ranges but room declared for more words than they use. */
	assert_int_equal(parse(gpadl_header(3, 9, 56, 2, w, 6)), -EBADMSG);
}

static void test_gpadl_bad_counts(void **state)
{
	uint64_t w[5] = {range(4 * 4096, 0), 1, 2, 3, 4};

	(void)state;
	assert_int_equal(parse(gpadl_header(1, 1, 40, 1, w, 5)), 0);
	/* No range. */
	assert_int_equal(parse(gpadl_header(1, 1, 40, 0, w, 5)), -EBADMSG);
	/* range_buflen not whole words, or too small for the ranges. */
	assert_int_equal(parse(gpadl_header(1, 1, 39, 1, w, 5)), -EBADMSG);
	assert_int_equal(parse(gpadl_header(1, 1, 8, 1, w, 5)), -EBADMSG);
	assert_int_equal(parse(gpadl_header(1, 1, 0, 1, w, 5)), -EBADMSG);
	assert_int_equal(parse(gpadl_header(1, 1, 40, 3, w, 5)), -EBADMSG);
	/* The range needs more PFNs than declared: 4 pages in 3 PFNs... */
	assert_int_equal(parse(gpadl_header(1, 1, 32, 1, w, 4)), -EBADMSG);
	/* ... or fewer: 4 pages declared with room for 5. */
	assert_int_equal(parse(gpadl_header(1, 1, 48, 1, w, 5)), -EBADMSG);
	/* Huge counts that would span more than the buffer. */
	w[0] = range(0xFFFFFFFFu, 4095);
	assert_int_equal(parse(gpadl_header(1, 1, 0xFFF8, 1, w, 5)), -EBADMSG);
	/* An offset outside the first page, an empty range. */
	w[0] = range(4096, 4096);
	assert_int_equal(parse(gpadl_header(1, 1, 24, 1, w, 3)), -EBADMSG);
	w[0] = range(0, 0);
	assert_int_equal(parse(gpadl_header(1, 1, 16, 1, w, 2)), -EBADMSG);
	/* byte_offset 4095 + 2 bytes spans two pages. */
	w[0] = range(2, 4095);
	assert_int_equal(parse(gpadl_header(1, 1, 24, 1, w, 3)), 0);
	assert_int_equal(parse(gpadl_header(1, 1, 16, 1, w, 2)), -EBADMSG);
}

static void test_ranges_check(void **state)
{
	uint64_t w[8] = {range(3 * 4096, 0), 1, 2, 3, range(1, 0), 4};

	(void)state;
	assert_int_equal(vmbus_gpadl_ranges_check(w, 6, 6, 2), 0);
	/* Seen in part: fine so far, whatever follows. */
	for (uint32_t seen = 0; seen < 6; seen++)
		assert_int_equal(vmbus_gpadl_ranges_check(w, seen, 6, 2), 0);
	/* The second descriptor would start past the declared end. */
	assert_int_equal(vmbus_gpadl_ranges_check(w, 4, 4, 2), -EBADMSG);
	assert_int_equal(vmbus_gpadl_ranges_check(w, 0, 0, 1), -EBADMSG);
	/* A bad descriptor is caught as soon as it is seen. */
	w[4] = range(1, 9999);
	assert_int_equal(vmbus_gpadl_ranges_check(w, 4, 6, 2), 0);
	assert_int_equal(vmbus_gpadl_ranges_check(w, 5, 6, 2), -EBADMSG);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(vmbus_channel_msg_name(CHANNELMSG_GPADL_HEADER), "GPADL_HEADER");
	assert_string_equal(vmbus_channel_msg_name(CHANNELMSG_MODIFYCHANNEL_RESPONSE),
			    "MODIFYCHANNEL_RESPONSE");
	assert_string_equal(vmbus_channel_msg_name(19), "unknown");
	assert_string_equal(vmbus_channel_msg_name(0xFFFFFFFFu), "unknown");
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_initiate_contact, setup),
	    cmocka_unit_test_setup(test_fixed_messages, setup),
	    cmocka_unit_test_setup(test_open_close_teardown_fields, setup),
	    cmocka_unit_test_setup(test_not_from_a_guest, setup),
	    cmocka_unit_test_setup(test_transport_sizes, setup),
	    cmocka_unit_test_setup(test_gpadl_linux_shape, setup),
	    cmocka_unit_test_setup(test_gpadl_padded_header, setup),
	    cmocka_unit_test_setup(test_gpadl_multi_range, setup),
	    cmocka_unit_test_setup(test_gpadl_bad_counts, setup),
	    cmocka_unit_test_setup(test_ranges_check, setup),
	    cmocka_unit_test_setup(test_names, setup),
	};

	return unit_run("vmbus_channel_msg", tests, ARRAY_SIZE(tests), NULL);
}
