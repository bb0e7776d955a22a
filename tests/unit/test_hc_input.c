/* Unit tests for the hypercall input value and parameter block checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include "unit.h"

#include <stdio.h>

#include "hc_input.h"
#include "hv/hypercall.h"
#include "hv/status.h"

static const struct hc_shape simple = { HC_SLOW, 16, 0, 8, 0 };
static const struct hc_shape simple_fast = { HC_SLOW | HC_FAST, 8, 0, 0, 0 };
static const struct hc_shape rep = { HC_SLOW | HC_REP, 8, 8, 0, 0 };
static const struct hc_shape rep_out = { HC_SLOW | HC_REP, 16, 0, 0, 8 };

static u16 check(const struct hc_shape *s, u64 control, u64 in_gpa, u64 out_gpa,
		 struct hc_input *in)
{
	u16 status;

	hc_input_decode(in, control, in_gpa, out_gpa);
	status = hc_input_check_format(in, s);
	return status ? status : hc_input_check_blocks(in);
}

#define REPS(count, start) (((u64)(count) << 32) | ((u64)(start) << 48))

static void test_decode_fields(void **state)
{
	struct hc_input in;

	(void)state;
	hc_input_decode(&in, 0x0ABC0123000100C2ULL & ~HV_HYPERCALL_RSVD_MASK, 1, 2);
	assert_int_equal(in.code, 0xC2);
	assert_true(in.fast);
	assert_int_equal(in.rep_count, 0x123);
	assert_int_equal(in.rep_start, 0xABC);
	assert_int_equal(in.in_gpa, 1);
	assert_int_equal(in.out_gpa, 2);
}

static void test_reserved_bits(void **state)
{
	struct hc_input in;

	(void)state;
	for (int bit = 0; bit < 64; bit++) {
		u64 b = 1ULL << bit;

		if (!(HV_HYPERCALL_RSVD_MASK & b))
			continue;
		assert_int_equal(check(&simple, 0x40 | b, 0x1000, 0x2000, &in),
				 HV_STATUS_INVALID_HYPERCALL_INPUT);
	}
	assert_int_equal(check(&simple, 0x40, 0x1000, 0x2000, &in), HV_STATUS_SUCCESS);
}

static void test_rep_fields(void **state)
{
	struct hc_input in;

	(void)state;
	assert_int_equal(check(&simple, 0x40 | REPS(1, 0), 0x1000, 0x2000, &in),
			 HV_STATUS_INVALID_HYPERCALL_INPUT);
	assert_int_equal(check(&simple, 0x40 | REPS(0, 1), 0x1000, 0x2000, &in),
			 HV_STATUS_INVALID_HYPERCALL_INPUT);
	assert_int_equal(check(&rep, 0x48, 0x1000, 0, &in), HV_STATUS_INVALID_HYPERCALL_INPUT);
	assert_int_equal(check(&rep, 0x48 | REPS(4, 4), 0x1000, 0, &in),
			 HV_STATUS_INVALID_HYPERCALL_INPUT);
	assert_int_equal(check(&rep, 0x48 | REPS(4, 3), 0x1000, 0, &in), HV_STATUS_SUCCESS);
	assert_int_equal(in.in_len, 8 + 4 * 8);
	assert_int_equal(check(&rep_out, 0x49 | REPS(3, 0), 0x1000, 0x2000, &in),
			 HV_STATUS_SUCCESS);
	assert_int_equal(in.out_len, 24);
}

static void test_varhead(void **state)
{
	struct hc_input in;
	struct hc_shape vh = { HC_SLOW | HC_VARHEAD, 8, 0, 0, 0 };

	(void)state;
	assert_int_equal(check(&simple, 0x40 | (2ULL << HV_HYPERCALL_VARHEAD_SHIFT), 0x1000,
			       0x2000, &in),
			 HV_STATUS_INVALID_HYPERCALL_INPUT);
	assert_int_equal(check(&vh, 0x7C | (2ULL << HV_HYPERCALL_VARHEAD_SHIFT), 0x1000, 0, &in),
			 HV_STATUS_SUCCESS);
	assert_int_equal(in.in_len, 24);
}

static void test_fast_calls(void **state)
{
	struct hc_input in;

	(void)state;
	assert_int_equal(check(&simple_fast, 0x41 | HV_HYPERCALL_FAST_BIT, 7, 9, &in),
			 HV_STATUS_SUCCESS);
	/* slow-only call, output-carrying call, rep call: never fast */
	assert_int_equal(check(&simple, 0x40 | HV_HYPERCALL_FAST_BIT, 0, 0, &in),
			 HV_STATUS_INVALID_HYPERCALL_INPUT);
	assert_int_equal(check(&rep, 0x48 | HV_HYPERCALL_FAST_BIT | REPS(1, 0), 0, 0, &in),
			 HV_STATUS_INVALID_HYPERCALL_INPUT);
	assert_int_equal(check(&(struct hc_shape){ HC_FAST, 24, 0, 0, 0 },
			       0x1 | HV_HYPERCALL_FAST_BIT, 0, 0, &in),
			 HV_STATUS_INVALID_HYPERCALL_INPUT);
	assert_int_equal(check(&(struct hc_shape){ HC_FAST, 8, 0, 0, 0 }, 0x1, 0x1000, 0, &in),
			 HV_STATUS_INVALID_HYPERCALL_INPUT);
}

static void test_blocks(void **state)
{
	struct hc_input in;

	(void)state;
	assert_int_equal(check(&simple, 0x40, 0x1004, 0x2000, &in), HV_STATUS_INVALID_ALIGNMENT);
	assert_int_equal(check(&simple, 0x40, 0x1000, 0x2001, &in), HV_STATUS_INVALID_ALIGNMENT);
	assert_int_equal(check(&simple, 0x40, 0x1FF8, 0x2000, &in), HV_STATUS_INVALID_PARAMETER);
	assert_int_equal(check(&simple, 0x40, 0x1FF0, 0x2FF8, &in), HV_STATUS_SUCCESS);
	assert_int_equal(check(&simple, 0x40, 0x1FF0, 0x2FFC, &in), HV_STATUS_INVALID_ALIGNMENT);
	/* a rep list that runs past its page */
	assert_int_equal(check(&rep, 0x48 | REPS(511, 0), 0x1000, 0, &in), HV_STATUS_SUCCESS);
	assert_int_equal(check(&rep, 0x48 | REPS(512, 0), 0x1000, 0, &in),
			 HV_STATUS_INVALID_PARAMETER);
	assert_int_equal(check(&rep, 0x48 | REPS(4095, 0), 0x1000, 0, &in),
			 HV_STATUS_INVALID_PARAMETER);
	/* no output block: any output GPA is fine */
	assert_int_equal(check(&rep, 0x48 | REPS(1, 0), 0x1000, 0x3, &in), HV_STATUS_SUCCESS);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_fields),
		cmocka_unit_test(test_reserved_bits),
		cmocka_unit_test(test_rep_fields),
		cmocka_unit_test(test_varhead),
		cmocka_unit_test(test_fast_calls),
		cmocka_unit_test(test_blocks),
	};

	return unit_run("hc_input", tests, sizeof(tests) / sizeof(tests[0]), NULL);
}
