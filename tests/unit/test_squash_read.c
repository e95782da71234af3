/*
 * Unit tests of a squash file's list (lib/squash_list.c): the
 * "-- strata:squash VERSION CHECKSUM NAME" lines among its leading
 * comments. Well-formed lines are read whatever the name holds; a
 * malformed one is an error at its file and line.
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
#include "lib/source.h"
#include "lib/squash.h"

#define PATH "migrations/0003_squashed.up.sql"
#define SUM1 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define SUM2 "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"
#define SUM2_UPPER \
 "FEDCBA9876543210FEDCBA9876543210FEDCBA9876543210FEDCBA9876543210"

static strata_ctx *open_ctx(void)
{
	strata_options o;
	strata_ctx *ctx;

	memset(&o, 0, sizeof(o));
	o.migrations_dir = "migrations";
	o.database_url = "sqlite::memory:";
	assert_int_equal(strata_ctx_new(&ctx, &o), 0);
	return ctx;
}

/* A squash file of text (its whole up part); parsed with ctx. */
static int parse(strata_ctx *ctx, struct migration *m, const char *text)
{
	memset(m, 0, sizeof(*m));
	m->text = (char *)text;
	m->text_len = strlen(text);
	m->up_path = (char *)PATH;
	m->up.path = PATH;
	m->up.present = 1;
	m->up.off = 0;
	m->up.len = m->text_len;
	return strata__squash_parse(ctx, m);
}

static void release(struct migration *m)
{
	strata__free(m->squashed);
	m->squashed = NULL;
	m->n_squashed = 0;
}

static const char *canonical(char out[STRATA_VERSION_SIZE], const char *v)
{
	assert_int_equal(strata__version_parse(out, v, strlen(v)), 0);
	return out;
}

static void test_squash_read__well_formed(void **state)
{
	static const char text[] =
	        "-- strata squash: migrations 0001 to 0003\n"
	        "\n"
	        "-- strata:squash 0001 " SUM1 " users\n"
	        "--strata:squash 2 " SUM2_UPPER
	        " it's \"quoted\" (and (nested))\n"
	        "   --   STRATA:SQUASH\t0003   " SUM1
	        "   a name  with spaces  \n"
	        "-- strata:squashed 0004 " SUM1 " not the directive\n"
	        "CREATE TABLE t (id int);\n"
	        "-- strata:squash 0009 " SUM1 " after a statement: not read\n";
	char v[STRATA_VERSION_SIZE];
	struct migration m;
	strata_ctx *ctx = open_ctx();

	(void)state;
	assert_int_equal(parse(ctx, &m, text), 0);
	assert_int_equal(m.n_squashed, 3);
	assert_string_equal(m.squashed[0].version, canonical(v, "0001"));
	assert_string_equal(m.squashed[0].checksum, SUM1);
	assert_string_equal(m.squashed[1].version, canonical(v, "2"));
	/* a checksum in capitals is the history's, in lower case */
	assert_string_equal(m.squashed[1].checksum, SUM2);
	assert_string_equal(m.squashed[2].version, canonical(v, "3"));
	assert_true(strata__squash_covers(&m, canonical(v, "2"), SUM2));
	assert_false(strata__squash_covers(&m, canonical(v, "2"), SUM1));
	assert_false(strata__squash_covers(&m, canonical(v, "4"), SUM1));
	assert_false(strata__squash_covers(&m, canonical(v, "9"), SUM1));
	/* read again, the list is replaced, not added to */
	assert_int_equal(strata__squash_parse(ctx, &m), 0);
	assert_int_equal(m.n_squashed, 3);
	release(&m);
	strata_ctx_free(ctx);
}

static void test_squash_read__no_list(void **state)
{
	struct migration m;
	strata_ctx *ctx = open_ctx();

	(void)state;
	assert_int_equal(parse(ctx, &m,
	                       "-- an ordinary file\n"
	                       "CREATE TABLE t (id int);\n"),
	                 0);
	assert_int_equal(m.n_squashed, 0);
	assert_null(m.squashed);
	assert_int_equal(parse(ctx, &m, ""), 0);
	assert_int_equal(m.n_squashed, 0);
	strata_ctx_free(ctx);
}

static void test_squash_read__malformed_named_by_line(void **state)
{
	static const struct {
		const char *line; /* the second line of the file */
		const char *why;
	} cases[] = {
		{ "-- strata:squash", "a squash line without a version" },
		{ "-- strata:squash   ", "a squash line without a version" },
		{ "-- strata:squash 'v1' " SUM1 " x",
		  "a squash line without a version" },
		{ "-- strata:squash (0001) " SUM1 " x",
		  "a squash line without a version" },
		{ "-- strata:squash 0001", "a squash line without a SHA-256 "
		                           "checksum" },
		{ "-- strata:squash 0001 users",
		  "a squash line without a SHA-256 checksum" },
		{ "-- strata:squash 0001 " SUM1 "0 x",
		  "a squash line without a SHA-256 checksum" },
		{ "-- strata:squash 0001 "
		  "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde"
		  " x",
		  "a squash line without a SHA-256 checksum" },
		{ "-- strata:squash 0001 "
		  "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeg"
		  " x",
		  "a squash line without a SHA-256 checksum" },
		/* the two swapped: the checksum is no version */
		{ "-- strata:squash " SUM1 " 0001 x",
		  "a squash line without a version" },
	};
	char text[400], want[200];
	const strata_error *e;
	struct migration m;
	strata_ctx *ctx = open_ctx();
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text),
		         "-- strata:squash 0001 " SUM1 " fine\n"
		         "%s\n"
		         "CREATE TABLE t (id int);\n",
		         cases[i].line);
		assert_int_equal(parse(ctx, &m, text), STRATA_EPARSE);
		e = strata_error_last(ctx);
		snprintf(want, sizeof(want),
		         "%s: '-- strata:squash VERSION CHECKSUM NAME' "
		         "expected",
		         cases[i].why);
		if (strcmp(e->message, want) != 0 || e->line != 2 ||
		    strcmp(e->file, PATH) != 0)
			fail_msg("line '%s': %s:%d: %s", cases[i].line, e->file,
			         e->line, e->message);
		release(&m);
	}
	strata_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_squash_read__well_formed),
		cmocka_unit_test(test_squash_read__no_list),
		cmocka_unit_test(test_squash_read__malformed_named_by_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
