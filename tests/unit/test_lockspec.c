/*
 * Unit tests of the lock-timeout setting's syntax (util/lockspec.c), as
 * -- strata:lock-timeout and strata.conf's ddl_lock_timeout write it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "util/lockspec.h"

static int parse(struct strata__lockspec *ls, const char *s, char *why,
                 size_t n)
{
	return strata__lockspec_parse(ls, s, strlen(s), why, n);
}

static void test_lockspec__accepted(void **state)
{
	static const struct {
		const char *text;
		int ms, retries;
	} cases[] = {
		{ "100ms", 100, 0 },
		{ " 2s", 2000, 0 },
		{ "2s retries=5", 2000, 5 },
		{ "1min\tretries=0 ", 60000, 0 },
		{ "24h retries=100", 24 * 3600 * 1000, 100 },
		{ "1ms", 1, 0 },
	};
	struct strata__lockspec ls;
	char why[200];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(parse(&ls, cases[i].text, why, sizeof(why)),
		                 0);
		assert_int_equal(ls.timeout_ms, cases[i].ms);
		assert_int_equal(ls.retries, cases[i].retries);
	}
}

static void test_lockspec__refused(void **state)
{
	static const char *const cases[][2] = {
		{ "", "lock timeout missing" },
		{ "   ", "lock timeout missing" },
		{ "2", "bad lock timeout '2'" },
		{ "0s", "bad lock timeout '0s'" },
		{ "2 s", "bad lock timeout '2'" },
		{ "25h", "bad lock timeout '25h'" },
		{ "99999999999999999999ms", "bad lock timeout" },
		{ "2sec", "bad lock timeout '2sec'" },
		{ "-1s", "bad lock timeout '-1s'" },
		{ "2s retries=", "bad 'retries=' after" },
		{ "2s retries=x", "bad 'retries=x' after" },
		{ "2s retries=101", "bad 'retries=101' after" },
		{ "2s retries=5x", "bad 'retries=5x' after" },
		{ "2s tries=5", "bad 'tries=5' after" },
		{ "2s retries=5 more", "unexpected 'more'" },
	};
	struct strata__lockspec ls;
	char why[200];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(parse(&ls, cases[i][0], why, sizeof(why)), -1);
		if (!strstr(why, cases[i][1]))
			fail_msg("'%s': '%s' lacks '%s'", cases[i][0], why,
			         cases[i][1]);
	}
}

static void test_lockspec__format(void **state)
{
	char out[32];

	(void)state;
	strata__lockspec_format(out, sizeof(out), 100);
	assert_string_equal(out, "100ms");
	strata__lockspec_format(out, sizeof(out), 2000);
	assert_string_equal(out, "2s");
	strata__lockspec_format(out, sizeof(out), 120000);
	assert_string_equal(out, "2min");
	strata__lockspec_format(out, sizeof(out), 3600000);
	assert_string_equal(out, "1h");
	strata__lockspec_format(out, sizeof(out), 1500);
	assert_string_equal(out, "1500ms");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lockspec__accepted),
		cmocka_unit_test(test_lockspec__refused),
		cmocka_unit_test(test_lockspec__format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
