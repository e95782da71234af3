/*
 * Unit tests of the SQLite driver's CHECK reader for `strata drift`
 * (drivers/sqlite_catalog.c, strata__sq_checks): CHECK constraints live
 * only in a table's CREATE TABLE text, so they are read from it, named
 * by CONSTRAINT or by their expression, through quoted names, strings,
 * comments and nested parentheses.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/catalog.h"
#include "util/buf.h"

/* The rows, one "name = definition" line each. */
static int collect(void *payload, int ncols, const char *const *v)
{
	strata_buf *out = payload;

	assert_int_equal(ncols, 5);
	assert_string_equal(v[0], "constraint");
	assert_string_equal(v[3], "definition");
	assert_non_null(v[2]);
	assert_non_null(v[4]);
	return strata__buf_printf(out, "%s = %s\n", v[2], v[4]) < 0 ?
	               STRATA_ENOMEM :
	               0;
}

/* The checks of sql (table t) as collect() writes them. */
static void expect_checks(const char *sql, const char *want)
{
	strata_buf out = STRATA_BUF_INIT;

	assert_int_equal(strata__sq_checks("t", sql, collect, &out), 0);
	if (strcmp(out.ptr, want) != 0)
		fail_msg("%s\ngave:\n%s\nwanted:\n%s", sql, out.ptr, want);
	strata_buf_release(&out);
}

static void test_sqlite_checks__named_and_unnamed(void **state)
{
	(void)state;
	expect_checks("CREATE TABLE t (a int CHECK (a > 0), b text "
	              "CONSTRAINT b_len CHECK (length(b) < 10))",
	              "t.check (a > 0) = CHECK (a > 0)\n"
	              "t.b_len = CHECK (length(b) < 10)\n");
	/* table constraints, lower case, no space before the parenthesis */
	expect_checks("create table t (a int, b int,\n"
	              "  constraint a_lt_b check(a < b),\n"
	              "  check(b<>0))",
	              "t.a_lt_b = CHECK (a < b)\n"
	              "t.check (b<>0) = CHECK (b<>0)\n");
	expect_checks("CREATE TABLE t (a int PRIMARY KEY, b text)", "");
}

static void test_sqlite_checks__quoted_names(void **state)
{
	(void)state;
	expect_checks("CREATE TABLE t (a int CONSTRAINT \"my check\" "
	              "CHECK (a > 0), b int CONSTRAINT `back` CHECK (b > 0), "
	              "c int CONSTRAINT [br ack] CHECK (c > 0))",
	              "t.my check = CHECK (a > 0)\n"
	              "t.back = CHECK (b > 0)\n"
	              "t.br ack = CHECK (c > 0)\n");
	/* a doubled quote is one quote of the name */
	expect_checks("CREATE TABLE t (a text CONSTRAINT \"a\"\"b\" "
	              "CHECK (a <> 'x'), b text CONSTRAINT \"end\"\"\" "
	              "CHECK (b <> 'y'), c text CONSTRAINT `q``q` "
	              "CHECK (c <> 'z'))",
	              "t.a\"b = CHECK (a <> 'x')\n"
	              "t.end\" = CHECK (b <> 'y')\n"
	              "t.q`q = CHECK (c <> 'z')\n");
	/* a column named check, quoted, is not a constraint */
	expect_checks("CREATE TABLE t (\"check\" int CHECK (\"check\" > 0), "
	              "[CHECK] int)",
	              "t.check (\"check\" > 0) = CHECK (\"check\" > 0)\n");
}

static void test_sqlite_checks__nested_and_quoted_text(void **state)
{
	(void)state;
	expect_checks("CREATE TABLE t (a int, b int, c text, "
	              "CHECK ((a + (b * 2)) > 0 AND c IN ('x)', 'y((', "
	              "'it''s)')))",
	              "t.check ((a + (b * 2)) > 0 AND c IN ('x)', 'y((', "
	              "'it''s)')) = CHECK ((a + (b * 2)) > 0 AND c IN ('x)', "
	              "'y((', 'it''s)'))\n");
	/* a ")" in a quoted name inside the expression */
	expect_checks("CREATE TABLE t (\"a)\" int CHECK (\"a)\" > 0))",
	              "t.check (\"a)\" > 0) = CHECK (\"a)\" > 0)\n");
}

static void test_sqlite_checks__not_in_comments_or_strings(void **state)
{
	(void)state;
	expect_checks("CREATE TABLE t (a int -- CHECK (a > 0)\n"
	              ", b int /* CHECK (b > 0) */, c text DEFAULT "
	              "'CHECK (c)', d int CHECK (d > 0))",
	              "t.check (d > 0) = CHECK (d > 0)\n");
	/* words that only hold CHECK, and a CHECK deeper than the
	 * table's own parentheses (a function of that name) */
	expect_checks("CREATE TABLE t (rechecks int, check_at int, "
	              "a int DEFAULT (check(1)))",
	              "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sqlite_checks__named_and_unnamed),
		cmocka_unit_test(test_sqlite_checks__quoted_names),
		cmocka_unit_test(test_sqlite_checks__nested_and_quoted_text),
		cmocka_unit_test(
		        test_sqlite_checks__not_in_comments_or_strings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
