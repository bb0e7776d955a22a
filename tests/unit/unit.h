/*
 * The main loop every unit test shares: each test runs as its own cmocka
 * group so it gets its own line, "PASS unit/<suite>/<name>" or
 * "FAIL unit/<suite>/<name>: <reason>", then the closing count. reason,
 * where a suite keeps one, is the text a failing test left behind.
 */
#ifndef SEPTUM_UNIT_H
#define SEPTUM_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

static inline int unit_run(const char *suite, const struct CMUnitTest *tests, size_t n,
			   char *reason)
{
	int failed = 0;

	for (size_t i = 0; i < n; i++) {
		const struct CMUnitTest one[] = { tests[i] };
		const char *name = tests[i].name;

		if (!strncmp(name, "test_", 5))
			name += 5;
		if (reason)
			reason[0] = '\0';
		if (_cmocka_run_group_tests(name, one, 1, NULL, NULL)) {
			printf("FAIL unit/%s/%s: %s\n", suite, name,
			       reason && reason[0] ? reason : "assertion failed (see above)");
			failed++;
		} else {
			printf("PASS unit/%s/%s\n", suite, name);
		}
	}
	printf("%zu passed, %d failed\n", n - failed, failed);
	return failed != 0;
}

#endif
