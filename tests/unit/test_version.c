/*
 * Unit tests of versions (version.c): the canonical text, the order, the
 * sort key the history table keeps for SQL, the next version for new
 * files, and the public strata_version_parse / strata_version_cmp.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "lib/common.h"
#include "lib/history.h"
#include "lib/source.h"

static const char *canon(const char *text)
{
	static char out[STRATA_VERSION_SIZE];
	int rc = strata__version_parse(out, text, strlen(text));

	return rc == 0 ? out : rc == STRATA_EINVALID ? "<too long>" : "<bad>";
}

static void test_version__canonical_text(void **state)
{
	static const char *const cases[][2] = {
		{ "0", "0" },
		{ "00", "0" },
		{ "0001", "1" },
		{ "1", "1" },
		{ "20261123101500", "20261123101500" },
		/* past 2^63 and 2^64: text, never a number that overflows */
		{ "9300000000000000000", "9300000000000000000" },
		{ "18446744073709551616", "18446744073709551616" },
		{ "20210913095309000007", "20210913095309000007" },
		/* Flyway: dotted, '_' for '.', zeros dropped */
		{ "1.2.3", "1.2.3" },
		{ "3_1", "3.1" },
		{ "01.002.0003", "1.2.3" },
		{ "1.0", "1" },
		{ "1.0.0", "1" },
		{ "1.0.2", "1.0.2" },
		{ "1.00.2.0", "1.0.2" },
		{ "0.0", "0" },
		{ "0.1", "0.1" },
		{ "2_0_1", "2.0.1" },
		/* not versions */
		{ "", "<bad>" },
		{ ".", "<bad>" },
		{ "1.", "<bad>" },
		{ ".1", "<bad>" },
		{ "1..2", "<bad>" },
		{ "1a", "<bad>" },
		{ "-1", "<bad>" },
		{ "+1", "<bad>" },
		{ " 1", "<bad>" },
		{ "1 ", "<bad>" },
		{ "1__2", "<bad>" },
		{ "v1", "<bad>" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *got = canon(cases[i][0]);

		if (strcmp(got, cases[i][1]) != 0)
			fail_msg("'%s': expected '%s', got '%s'", cases[i][0],
			         cases[i][1], got);
	}
}

static void test_version__length_limit(void **state)
{
	char text[200], out[STRATA_VERSION_SIZE];

	(void)state;
	/* 64 digits: the longest; leading zeros do not count */
	memset(text, '7', 64);
	text[64] = '\0';
	assert_int_equal(strata__version_parse(out, text, 64), 0);
	assert_int_equal(strlen(out), 64);
	memset(text, '0', 100);
	memset(text + 100, '7', 64);
	text[164] = '\0';
	assert_int_equal(strata__version_parse(out, text, 164), 0);
	assert_int_equal(strlen(out), 64);
	memset(text, '7', 65);
	text[65] = '\0';
	assert_int_equal(strata__version_parse(out, text, 65), STRATA_EINVALID);
	/* dots count; trailing zero parts do not, wherever they end */
	memset(text, '7', 62);
	memcpy(text + 62, ".7", 3);
	assert_int_equal(strata__version_parse(out, text, 64), 0);
	memcpy(text + 62, ".77", 4);
	assert_int_equal(strata__version_parse(out, text, 65), STRATA_EINVALID);
	memset(text, '7', 64);
	for (int i = 0; i < 40; i++)
		memcpy(text + 64 + i * 2, ".0", 2);
	text[144] = '\0';
	assert_int_equal(strata__version_parse(out, text, 144), 0);
	assert_int_equal(strlen(out), 64);
	/* 32 parts of one digit: 63 characters, a key of 127 */
	for (int i = 0; i < 32; i++)
		memcpy(text + i * 2, "9.", 2);
	text[63] = '\0';
	assert_int_equal(strata__version_parse(out, text, 63), 0);
	{
		char key[STRATA_VERSION_KEY_SIZE];

		strata__version_key(key, out);
		assert_int_equal(strlen(key), 127);
	}
}

/* Versions in their order; each line compares equal within itself. */
static const char *const ordered[][3] = {
	{ "", NULL, NULL }, /* no version: repeatables */
	{ "0", "00", "0.0" },
	{ "0.1", "0.01", NULL },
	{ "0.9", NULL, NULL },
	{ "1", "0001", "1.0" },
	{ "1.0.1", NULL, NULL },
	{ "1.2", "1.02", "1_2" },
	{ "1.2.3", "1_2_3", NULL },
	{ "1.2.10", NULL, NULL },
	{ "1.10", NULL, NULL },
	{ "1.10.0.1", NULL, NULL },
	{ "2", "2.0.0", NULL },
	{ "9", NULL, NULL },
	{ "10", "010", NULL },
	{ "99", NULL, NULL },
	{ "100", NULL, NULL },
	{ "9223372036854775807", NULL, NULL },
	{ "9223372036854775808", NULL, NULL },
	{ "9300000000000000000", NULL, NULL },
	{ "18446744073709551615", NULL, NULL },
	{ "18446744073709551616", NULL, NULL },
	{ "20210913095309000007", NULL, NULL },
	{ "20210913095309000007.1", NULL, NULL },
	{ "123456789012345678901234567890123456789", NULL, NULL },
};

static void test_version__order(void **state)
{
	size_t i, j, a, b;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(ordered); i++)
		for (j = 0; j < ARRAY_SIZE(ordered); j++)
			for (a = 0; a < 3 && ordered[i][a]; a++)
				for (b = 0; b < 3 && ordered[j][b]; b++) {
					int c = strata__version_cmp(
					        ordered[i][a], ordered[j][b]);
					int want = i < j ? -1 : i > j;

					if (c != want)
						fail_msg(
						        "cmp('%s', '%s') = %d, "
						        "expected %d",
						        ordered[i][a],
						        ordered[j][b], c, want);
					assert_int_equal(strata_version_cmp(
					                         ordered[i][a],
					                         ordered[j][b]),
					                 want);
				}
	/* NULL is no version, as "" */
	assert_int_equal(strata_version_cmp(NULL, ""), 0);
	assert_int_equal(strata_version_cmp(NULL, "0"), -1);
	assert_int_equal(strata_version_cmp("0", NULL), 1);
}

/* The sort key orders bytewise as the versions do: SQL's ORDER BY
 * version_sort is the files' order. */
static void test_version__sort_key(void **state)
{
	char k1[STRATA_VERSION_KEY_SIZE], k2[STRATA_VERSION_KEY_SIZE];
	char v1[STRATA_VERSION_SIZE], v2[STRATA_VERSION_SIZE];
	size_t i, j;

	(void)state;
	strata__version_key(k1, "1.2.3");
	assert_string_equal(k1, "011.012.013");
	strata__version_key(k1, "1.10");
	assert_string_equal(k1, "011.0210");
	strata__version_key(k1, "0");
	assert_string_equal(k1, "010");
	strata__version_key(k1, "20210913095309000007");
	assert_string_equal(k1, "2020210913095309000007");
	strata__version_key(k1, "");
	assert_string_equal(k1, "");
	for (i = 1; i < ARRAY_SIZE(ordered); i++)
		for (j = 1; j < ARRAY_SIZE(ordered); j++) {
			int c;

			assert_int_equal(
			        strata__version_parse(v1, ordered[i][0],
			                              strlen(ordered[i][0])),
			        0);
			assert_int_equal(
			        strata__version_parse(v2, ordered[j][0],
			                              strlen(ordered[j][0])),
			        0);
			strata__version_key(k1, v1);
			strata__version_key(k2, v2);
			c = strcmp(k1, k2);
			if ((c < 0) != (i < j) || (c == 0) != (i == j))
				fail_msg("keys of %s (%s) and %s (%s) in the "
				         "wrong order",
				         v1, k1, v2, k2);
			/* with the dots left out (a collation that ignores
			 * punctuation), still in order */
			{
				char a[STRATA_VERSION_KEY_SIZE],
				        b[STRATA_VERSION_KEY_SIZE];
				size_t x, n;

				for (x = n = 0; k1[x]; x++)
					if (k1[x] != '.')
						a[n++] = k1[x];
				a[n] = '\0';
				for (x = n = 0; k2[x]; x++)
					if (k2[x] != '.')
						b[n++] = k2[x];
				b[n] = '\0';
				c = strcmp(a, b);
				assert_true((c < 0) == (i < j));
			}
		}
}

static void test_version__next(void **state)
{
	char out[STRATA_VERSION_SIZE], text[80];

	(void)state;
	assert_int_equal(strata__version_next(out, ""), 0);
	assert_string_equal(out, "1");
	assert_int_equal(strata__version_next(out, "0"), 0);
	assert_string_equal(out, "1");
	assert_int_equal(strata__version_next(out, "41"), 0);
	assert_string_equal(out, "42");
	assert_int_equal(strata__version_next(out, "1999"), 0);
	assert_string_equal(out, "2000");
	assert_int_equal(strata__version_next(out, "1.2.3"), 0);
	assert_string_equal(out, "2");
	assert_int_equal(strata__version_next(out, "18446744073709551615"), 0);
	assert_string_equal(out, "18446744073709551616");
	memset(text, '9', 64);
	text[64] = '\0';
	assert_int_equal(strata__version_next(out, text), STRATA_EINVALID);
	text[0] = '8';
	assert_int_equal(strata__version_next(out, text), 0);
	assert_int_equal(out[0], '9');
	assert_int_equal(strlen(out), 64);
}

static void test_version__public_parse(void **state)
{
	strata_buf b = STRATA_BUF_INIT;

	(void)state;
	assert_int_equal(strata_version_parse(&b, "0042"), 0);
	assert_string_equal(b.ptr, "42");
	assert_int_equal(strata_version_parse(&b, "0"), 0);
	assert_string_equal(b.ptr, "0");
	assert_int_equal(strata_version_parse(&b, "V1"), STRATA_EINVALID);
	assert_string_equal(b.ptr, "0"); /* unchanged on failure */
	assert_int_equal(strata_version_parse(&b, "1.2.0"), 0);
	assert_string_equal(b.ptr, "1.2");
	assert_int_equal(strata_version_parse(&b, "99999999999999999999"), 0);
	assert_string_equal(b.ptr, "99999999999999999999");
	assert_int_equal(strata_version_parse(&b, ""), STRATA_EINVALID);
	assert_int_equal(strata_version_parse(&b, "12a"), STRATA_EINVALID);
	assert_int_equal(strata_version_parse(NULL, "1"), STRATA_EINVALID);
	assert_int_equal(strata_version_parse(&b, NULL), STRATA_EINVALID);
	strata_buf_release(&b);
}

/* The column list is the one the enum counts: SELECT and INSERT name
 * HISTORY_COLUMNS columns, the old format one fewer. */
static void test_version__history_columns(void **state)
{
	static const char list[] = HISTORY_COLUMN_LIST,
	                  v1[] = HISTORY_COLUMN_LIST_V1;
	size_t i, n = 1, n1 = 1;

	(void)state;
	for (i = 0; list[i]; i++)
		n += list[i] == ',';
	for (i = 0; v1[i]; i++)
		n1 += v1[i] == ',';
	assert_int_equal(n, HISTORY_COLUMNS);
	assert_int_equal(n1, HISTORY_COLUMNS - 1);
	assert_int_equal(strncmp(list, "version,", 8), 0);
	assert_non_null(strstr(list, ", version_sort"));
	assert_null(strstr(v1, "version_sort"));
	assert_int_equal(HCOL_VERSION, 0);
	assert_int_equal(HCOL_VERSION_SORT, HISTORY_COLUMNS - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_version__canonical_text),
		cmocka_unit_test(test_version__length_limit),
		cmocka_unit_test(test_version__order),
		cmocka_unit_test(test_version__sort_key),
		cmocka_unit_test(test_version__next),
		cmocka_unit_test(test_version__public_parse),
		cmocka_unit_test(test_version__history_columns),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
