/*
 * Unit tests of how the migrations folder is read: the case rule of file
 * names, names that look like migrations and are not read, markers of the
 * dbmate and goose formats (exact ones, near misses, markers where they
 * are not read) and parts without a statement.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/common.h"
#include "lib/ctx.h"
#include "lib/driver.h"
#include "lib/engine.h"
#include "lib/source.h"

static void test_files__suffixes_in_any_case(void **state)
{
	struct filename fn;
	char why[200];

	(void)state;
	assert_int_equal(strata__filename_parse(&fn, "0002_x.UP.sql", why,
	                                        sizeof(why)),
	                 0);
	assert_int_equal(fn.role, ROLE_UP);
	assert_int_equal(strata__filename_parse(&fn, "0002_x.DOWN.sql", why,
	                                        sizeof(why)),
	                 0);
	assert_int_equal(fn.role, ROLE_DOWN);
	assert_int_equal(fn.name_len, 1);
	assert_int_equal(
	        strata__filename_parse(&fn, "0003_y.Sql", why, sizeof(why)), 0);
	assert_int_equal(fn.role, ROLE_SINGLE);
	assert_int_equal(
	        strata__filename_parse(&fn, "V2__x.SQL", why, sizeof(why)), 0);
	assert_int_equal(fn.role, ROLE_UP);
	assert_string_equal(fn.format, "flyway");
	assert_int_equal(strata__filename_parse(&fn, "views.REPEATABLE.sql",
	                                        why, sizeof(why)),
	                 0);
	assert_int_equal(fn.role, ROLE_REPEATABLE);
	assert_int_equal(strata__filename_parse_exec(&fn, "0004_z.DOWN.py", why,
	                                             sizeof(why)),
	                 0);
	assert_int_equal(fn.role, ROLE_DOWN);
}

static void test_files__lookalikes_warned(void **state)
{
	static const char *const warned[] = {
		"abc_x.up.sql", "-1_x.up.sql",  "v2__x.sql",
		"r__x.sql",     "u3__x.sql",    "V__x.sql",
		"R2__x.sql",    "B1__base.sql", "x.DOWN.sql",
	};
	static const char *const silent[] = {
		"README.md",      "DROP_ALL.sql", "seed.sql",
		".0001_x.up.sql", "notes.txt",    "setup.sql",
	};
	struct filename fn;
	char why[200];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(warned); i++) {
		assert_int_equal(strata__filename_parse(&fn, warned[i], why,
		                                        sizeof(why)),
		                 1);
		if (!why[0])
			fail_msg("%s: no warning", warned[i]);
	}
	for (i = 0; i < ARRAY_SIZE(silent); i++) {
		assert_int_equal(strata__filename_parse(&fn, silent[i], why,
		                                        sizeof(why)),
		                 1);
		if (why[0])
			fail_msg("%s: warned: %s", silent[i], why);
	}
	assert_int_equal(
	        strata__filename_parse(&fn, "v2__x.sql", why, sizeof(why)), 1);
	assert_non_null(strstr(why, "V2__x.sql"));
	assert_int_equal(strata__filename_parse_exec(&fn, "setup.up.py", why,
	                                             sizeof(why)),
	                 1);
	assert_true(why[0] != '\0');
	assert_int_equal(strata__filename_parse_exec(&fn, "helpers.py", why,
	                                             sizeof(why)),
	                 1);
	assert_true(why[0] == '\0');
}

/* Sections of an in-memory migration: a single file, or an up file
 * (with a down file when down is not NULL). */
static strata_ctx *ctx;

static int setup(void **state)
{
	strata_options o;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.database_url = "sqlite::memory:";
	o.migrations_dir = "migrations";
	if (strata_ctx_new(&ctx, &o) < 0)
		return -1;
	return strata__driver_resolve(ctx) < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	strata__source_release(&ctx->source);
	strata_ctx_free(ctx);
	return 0;
}

struct result {
	int rc, line;
	char message[512];
	int up_check, down_check; /* strata__part_check */
	int down_present, no_txn;
};

static struct result parse(int single, const char *up, const char *down)
{
	struct migration m;
	struct result r;

	memset(&m, 0, sizeof(m));
	memset(&r, 0, sizeof(r));
	memcpy(m.version, "1", 2);
	m.kind = STRATA_KIND_VERSIONED;
	m.format = "strata";
	m.single_file = single;
	m.up_path = strata__strdup(single ? "migrations/0001_x.sql" :
	                                    "migrations/0001_x.up.sql");
	m.text = strata__strdup(up);
	m.text_len = strlen(up);
	if (down) {
		m.down_path = strata__strdup("migrations/0001_x.down.sql");
		m.down_text = strata__strdup(down);
		m.down_text_len = strlen(down);
	}
	strata__error_clear(ctx);
	r.rc = strata__sections_parse(ctx, &m);
	if (r.rc == 0) {
		r.up_check = strata__part_check(ctx, &m, 0, 0);
		if (r.up_check == 0 && m.down.present)
			r.down_check = strata__part_check(ctx, &m, 1, 0);
		r.down_present = m.down.present;
		r.no_txn = m.up.no_transaction;
	}
	r.line = strata_error_last(ctx)->line;
	snprintf(r.message, sizeof(r.message), "%s",
	         strata_error_last(ctx)->message);
	strata__free(m.text);
	strata__free(m.down_text);
	strata__free(m.up_path);
	strata__free(m.down_path);
	return r;
}

static void expect_error(struct result r, int line, const char *what)
{
	if (r.rc != STRATA_EPARSE)
		fail_msg("expected an error '%s', got rc %d", what, r.rc);
	if (!strstr(r.message, what))
		fail_msg("expected '%s' in '%s'", what, r.message);
	assert_int_equal(r.line, line);
}

static void test_files__exact_markers(void **state)
{
	struct result r;

	(void)state;
	/* dbmate: "--", optional space, lower case, options */
	r = parse(1,
	          "--migrate:up transaction:false\nCREATE TABLE a (id INT);\n"
	          "-- migrate:down\nDROP TABLE a;\n",
	          NULL);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.up_check, 0);
	assert_true(r.down_present);
	assert_true(r.no_txn);
	/* goose: any case, NO TRANSACTION before Up, statement markers */
	r = parse(1,
	          "-- +goose NO TRANSACTION\n-- +goose up\n"
	          "-- +goose StatementBegin\nCREATE TABLE a (id INT);\n"
	          "-- +goose StatementEnd\n--+goose DOWN\nDROP TABLE a;\n",
	          NULL);
	assert_int_equal(r.rc, 0);
	assert_true(r.down_present);
	assert_true(r.no_txn);
}

static void test_files__near_misses(void **state)
{
	(void)state;
	expect_error(parse(1,
	                   "-- migrate:up\nCREATE TABLE a (id INT);\n"
	                   "-- migrate:dwon\nDROP TABLE a;\n",
	                   NULL),
	             3, "unknown dbmate marker '-- migrate:dwon'");
	expect_error(parse(1,
	                   "-- +goose Up\nCREATE TABLE a (id INT);\n"
	                   "-- +goose Dwon\nDROP TABLE a;\n",
	                   NULL),
	             3, "unknown goose marker '-- +goose Dwon'");
	expect_error(parse(1, "-- Migrate:Up\nSELECT 1;\n", NULL), 1,
	             "unknown dbmate marker");
	expect_error(parse(1, "-- +Goose Up\nSELECT 1;\n", NULL), 1,
	             "unknown goose marker");
	expect_error(parse(1, "-- goose Down\nSELECT 1;\n", NULL), 1,
	             "unknown goose marker");
	expect_error(parse(1, "  -- +goose Up\nSELECT 1;\n", NULL), 1,
	             "beginning of its line");
	expect_error(parse(1, "SELECT 1;\n  -- migrate:down\n", NULL), 2,
	             "beginning of its line");
	expect_error(parse(1,
	                   "-- migrate:up transacton:false\nSELECT 1;\n"
	                   "-- migrate:down\nSELECT 1;\n",
	                   NULL),
	             1, "unknown dbmate option 'transacton:false'");
	expect_error(parse(0, "-- strata:no-transactoin\nSELECT 1;\n", NULL), 1,
	             "unknown directive 'strata:no-transactoin'");
	expect_error(parse(0, "-- strata no-transaction\nSELECT 1;\n", NULL), 1,
	             "unknown directive 'strata no-transaction'");
	expect_error(parse(0, "-- strata-no-transaction\nSELECT 1;\n", NULL), 1,
	             "unknown directive");
	expect_error(parse(1, "-- +migrate up\nSELECT 1;\n", NULL), 1,
	             "sql-migrate reads its command in this case only");
	expect_error(parse(1, "-- +goose Up\n-- +goose ENVSUB YES\nSELECT 1;\n",
	                   NULL),
	             2, "unknown goose marker '-- +goose ENVSUB YES'");
}

static void test_files__markers_where_not_read(void **state)
{
	(void)state;
	/* a file of a pair: both parts would run as one */
	expect_error(parse(0,
	                   "-- migrate:up\nCREATE TABLE a (id INT);\n"
	                   "-- migrate:down\nDROP TABLE a;\n",
	                   NULL),
	             1, "in a file of an up/down pair");
	expect_error(parse(0, "SELECT 1;\n", "-- +goose Down\nDROP TABLE a;\n"),
	             1, "in a file of an up/down pair");
	/* a down marker without an up marker in a single file */
	expect_error(parse(1,
	                   "CREATE TABLE a (id INT);\n-- migrate:down\n"
	                   "DROP TABLE a;\n",
	                   NULL),
	             2, "without a '-- migrate:up'");
	expect_error(parse(1, "CREATE TABLE a (id INT);\n-- +goose Down\n",
	                   NULL),
	             2, "without '-- +goose Up'");
	/* formats mixed */
	expect_error(parse(1,
	                   "-- +goose Up\nSELECT 1;\n-- migrate:down\n"
	                   "SELECT 2;\n",
	                   NULL),
	             3, "dbmate marker '-- migrate:down' in a goose file");
	/* what comes before the first section belongs to none */
	expect_error(parse(1,
	                   "CREATE TABLE lost (id INT);\n-- migrate:up\n"
	                   "SELECT 1;\n-- migrate:down\nSELECT 2;\n",
	                   NULL),
	             1, "belongs to no section");
	expect_error(parse(1,
	                   "-- strata:no-transaction\n-- +goose Up\n"
	                   "SELECT 1;\n",
	                   NULL),
	             1, "belongs to no section");
}

static void test_files__parts_without_statements(void **state)
{
	struct result r;

	(void)state;
	r = parse(0, "", NULL);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.up_check, STRATA_EPARSE);
	assert_non_null(strstr(r.message, "no statement"));
	r = parse(0, "-- Undo the up migration here\n/* nothing */\n;\n", NULL);
	assert_int_equal(r.up_check, STRATA_EPARSE);
	r = parse(0, "CREATE TABLE a (id INT);\n",
	          "-- Undo the up migration here\n\n");
	assert_int_equal(r.up_check, 0);
	assert_int_equal(r.down_check, STRATA_EPARSE);
	assert_non_null(strstr(r.message, "rolling back"));
	r = parse(0, "CREATE TABLE a (id INT);\n",
	          "-- strata:empty\n-- nothing to undo\n");
	assert_int_equal(r.down_check, 0);
	r = parse(1,
	          "-- migrate:up\nCREATE TABLE a (id INT);\n-- migrate:down\n"
	          "\n",
	          NULL);
	assert_int_equal(r.down_check, STRATA_EPARSE);
	assert_int_equal(r.line, 3);
	r = parse(1,
	          "-- migrate:up\nCREATE TABLE a (id INT);\n-- migrate:down\n"
	          "-- strata:empty\n",
	          NULL);
	assert_int_equal(r.down_check, 0);
	/* empty on purpose, and yet with a statement */
	r = parse(0, "-- strata:empty\nCREATE TABLE a (id INT);\n", NULL);
	assert_int_equal(r.up_check, STRATA_EPARSE);
	assert_non_null(strstr(r.message, "strata:empty"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_files__suffixes_in_any_case),
		cmocka_unit_test(test_files__lookalikes_warned),
		cmocka_unit_test(test_files__exact_markers),
		cmocka_unit_test(test_files__near_misses),
		cmocka_unit_test(test_files__markers_where_not_read),
		cmocka_unit_test(test_files__parts_without_statements),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
