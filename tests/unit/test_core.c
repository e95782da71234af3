/*
 * Unit tests of the engine's pure parts: file names and versions,
 * checksums, text positions, UTF-8 checks, sections and directives,
 * ordering of a folder (URLs: test_url.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/common.h"
#include "lib/ctx.h"
#include "lib/part.h"
#include "lib/source.h"
#include "util/crypto_load.h"

static void test_filename__native_pairs(void **state)
{
	struct filename fn;
	char why[200];

	(void)state;
	assert_int_equal(strata__filename_parse(&fn, "0004_add_moods.up.sql",
	                                        why, sizeof(why)),
	                 0);
	assert_int_equal(fn.role, ROLE_UP);
	assert_string_equal(fn.version, "4");
	assert_int_equal(fn.version_len, 4);
	assert_int_equal(fn.name_len, strlen("add_moods"));
	assert_int_equal(strata__filename_parse(&fn,
	                                        "20261123101500_x.down.sql",
	                                        why, sizeof(why)),
	                 0);
	assert_int_equal(fn.role, ROLE_DOWN);
	assert_string_equal(fn.version, "20261123101500");
	assert_int_equal(strata__filename_parse(&fn, "3_single.sql", why,
	                                        sizeof(why)),
	                 0);
	assert_int_equal(fn.role, ROLE_SINGLE);
}

static void test_filename__flyway_and_repeatable(void **state)
{
	struct filename fn;
	char why[200];

	(void)state;
	assert_int_equal(strata__filename_parse(&fn, "V12__add_users.sql", why,
	                                        sizeof(why)),
	                 0);
	assert_int_equal(fn.role, ROLE_UP);
	assert_string_equal(fn.version, "12");
	assert_string_equal(fn.format, "flyway");
	assert_int_equal(strata__filename_parse(&fn, "U12__add_users.sql", why,
	                                        sizeof(why)),
	                 0);
	assert_int_equal(fn.role, ROLE_DOWN);
	assert_int_equal(strata__filename_parse(&fn, "R__views.sql", why,
	                                        sizeof(why)),
	                 0);
	assert_int_equal(fn.role, ROLE_REPEATABLE);
	assert_int_equal(strata__filename_parse(&fn, "views.repeatable.sql",
	                                        why, sizeof(why)),
	                 0);
	assert_int_equal(fn.role, ROLE_REPEATABLE);
	/* dotted versions, '_' for '.', compared part by part */
	assert_int_equal(strata__filename_parse(&fn, "V1.2.3__dotted.sql", why,
	                                        sizeof(why)),
	                 0);
	assert_string_equal(fn.version, "1.2.3");
	assert_int_equal(fn.version_len, 5);
	assert_int_equal(fn.name_off, 8);
	assert_int_equal(strata__filename_parse(&fn, "V3_01__x.sql", why,
	                                        sizeof(why)),
	                 0);
	assert_string_equal(fn.version, "3.1");
	assert_int_equal(strata__filename_parse(&fn, "U2.0__undo.sql", why,
	                                        sizeof(why)),
	                 0);
	assert_string_equal(fn.version, "2");
	assert_int_equal(fn.role, ROLE_DOWN);
	assert_int_equal(strata__filename_parse(&fn, "V1..2__x.sql", why,
	                                        sizeof(why)),
	                 STRATA_EPARSE);
	assert_non_null(strstr(why, "parts separated"));
	assert_int_equal(strata__filename_parse(&fn, "V1.__x.sql", why,
	                                        sizeof(why)),
	                 STRATA_EPARSE);
	/* native names: digits only, and a hint */
	assert_int_equal(strata__filename_parse(&fn, "1.2_x.up.sql", why,
	                                        sizeof(why)),
	                 STRATA_EPARSE);
	assert_non_null(strstr(why, "Flyway's names only"));
}

static void test_filename__rejected_and_ignored(void **state)
{
	static const char *const bad[] = {
		"0001.up.sql",
		"0001_.up.sql",
		"0001x_a.up.sql",
		"0001_a b.up.sql",
		"0001_a\tb.up.sql",
		"0001_a.up.sq",
		"0001_a;drop.sql",
		/* 65 digits */
		("12345678901234567890123456789012345678901234567890123456789"
		 "012345_big.up.sql"),
	};
	static const char *const ignored[] = { "README.md", ".gitkeep",
		                               "DROP_ALL.sql", "notes.txt" };
	struct filename fn;
	char why[200];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(strata__filename_parse(&fn, bad[i], why,
		                                        sizeof(why)),
		                 STRATA_EPARSE);
		assert_true(why[0] != '\0');
	}
	for (i = 0; i < ARRAY_SIZE(ignored); i++)
		assert_int_equal(strata__filename_parse(&fn, ignored[i], why,
		                                        sizeof(why)),
		                 1);
	/* past 2^64, version 0, and 64 digits after leading zeros */
	assert_int_equal(
	        strata__filename_parse(&fn, "18446744073709551616_big.up.sql",
	                               why, sizeof(why)),
	        0);
	assert_string_equal(fn.version, "18446744073709551616");
	assert_int_equal(strata__filename_parse(&fn, "0_zero.up.sql", why,
	                                        sizeof(why)),
	                 0);
	assert_string_equal(fn.version, "0");
	assert_int_equal(
	        strata__filename_parse(
	                &fn,
	                "0001234567890123456789012345678901234567890123456789"
	                "012345678901234_max.up.sql",
	                why, sizeof(why)),
	        0);
	assert_int_equal(strlen(fn.version), 64);
	assert_int_equal(
	        strata__filename_parse(
	                &fn,
	                "12345678901234567890123456789012345678901234567890123"
	                "456789012345_long.up.sql",
	                why, sizeof(why)),
	        STRATA_EPARSE);
	assert_non_null(strstr(why, "too long (at most 64 characters"));
}

static void test_checksum__line_endings(void **state)
{
	char a[65], b[65], c[65], d[65];

	(void)state;
	assert_int_equal(strata__checksum(a, "x\ny\n", 4), 0);
	assert_int_equal(strata__checksum(b, "x\r\ny\r\n", 6), 0);
	assert_int_equal(strata__checksum(c, "x\ry\r", 4), 0);
	assert_int_equal(strata__checksum(d, "x\ny", 3), 0);
	assert_string_equal(a, b);
	assert_string_equal(a, c);
	assert_string_not_equal(a, d);
	/* SHA-256 of the empty string */
	assert_int_equal(strata__checksum(a, "", 0), 0);
	assert_string_equal(a, "e3b0c44298fc1c149afbf4c8996fb924"
	                       "27ae41e4649b934ca495991b7852b855");
}

/* SHA-256's own functions and the EVP fallback agree, on known digests */
static void test_checksum__both_libcrypto_paths(void **state)
{
	static const char *const texts[] = { "", "abc", "x\r\ny\r", NULL };
	static const char *const want[] = {
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	};
	struct strata_crypto_sha256 saved;
	struct strata_hasher hs = { NULL, NULL };
	char low[3][65], evp[3][65];
	unsigned char md[32];
	int i;

	(void)state;
	assert_int_equal(strata__crypto_load(NULL), 0);
	assert_non_null(strata__crypto_sha256.SHA256_Init);
	for (i = 0; texts[i]; i++)
		assert_int_equal(strata__checksum_ctx(&hs, low[i], texts[i],
		                                      strlen(texts[i])),
		                 0);
	assert_int_equal(strata__sha256("abc", 3, md), 0);
	assert_int_equal(md[0], 0xba);
	saved = strata__crypto_sha256;
	memset(&strata__crypto_sha256, 0, sizeof(strata__crypto_sha256));
	for (i = 0; texts[i]; i++)
		assert_int_equal(strata__checksum_ctx(&hs, evp[i], texts[i],
		                                      strlen(texts[i])),
		                 0);
	assert_int_equal(strata__sha256("abc", 3, md), 0);
	strata__crypto_sha256 = saved;
	assert_int_equal(md[0], 0xba);
	assert_int_equal(md[31], 0xad);
	strata__hasher_release(&hs);
	for (i = 0; texts[i]; i++)
		assert_string_equal(low[i], evp[i]);
	assert_string_equal(low[0], want[0]);
	assert_string_equal(low[1], want[1]);
}

static void test_textpos__lines_and_columns(void **state)
{
	const char *t = "ab\ncd\n\xc3\xa9x";
	int line, col;

	(void)state;
	strata__offset_to_pos(t, strlen(t), 0, &line, &col);
	assert_int_equal(line, 1);
	assert_int_equal(col, 1);
	strata__offset_to_pos(t, strlen(t), 4, &line, &col);
	assert_int_equal(line, 2);
	assert_int_equal(col, 2);
	/* é is one column */
	strata__offset_to_pos(t, strlen(t), 8, &line, &col);
	assert_int_equal(line, 3);
	assert_int_equal(col, 2);
	strata__offset_to_pos(t, strlen(t), 999, &line, &col);
	assert_int_equal(line, 3);
}

static void test_utf8__check(void **state)
{
	int nul;

	(void)state;
	assert_int_equal(strata__utf8_check("caf\xc3\xa9", 5, &nul), -1);
	assert_int_equal(strata__utf8_check("caf\xe9!", 5, &nul), 3);
	assert_int_equal(nul, 0);
	assert_int_equal(strata__utf8_check("ab\0c", 4, &nul), 2);
	assert_int_equal(nul, 1);
	assert_int_equal(strata__utf8_check("\xc3", 1, &nul), 0);
	assert_int_equal(strata__utf8_check("\xed\xa0\x80", 3, &nul), 0);
	assert_int_equal(strata__utf8_check("\xf0\x9f\x98\x80", 4, &nul), -1);
}

/* A folder on disk, read through the public and internal API. */
static char folder[64];

static void put(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", folder, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* The folder, and a cache of this test's own beside it (never the
 * user's, nor another test's: a folder name may come back). */
static int make_folder(void **state)
{
	char cache[sizeof(folder) + 8];

	(void)state;
	snprintf(folder, sizeof(folder), "/tmp/strata-unit.XXXXXX");
	if (!mkdtemp(folder))
		return -1;
	snprintf(cache, sizeof(cache), "%s.cache", folder);
	return setenv("XDG_CACHE_HOME", cache, 1);
}

static int remove_folder(void **state)
{
	char cmd[200];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s.cache'", folder, folder);
	return system(cmd) == 0 ? 0 : -1;
}

static strata_ctx *open_ctx(void)
{
	strata_options o;
	strata_ctx *ctx;

	memset(&o, 0, sizeof(o));
	o.migrations_dir = folder;
	o.database_url = "sqlite::memory:";
	assert_int_equal(strata_ctx_new(&ctx, &o), 0);
	return ctx;
}

static void test_source__ordering_and_formats(void **state)
{
	const strata_migration *v;
	strata_ctx *ctx;
	size_t n;

	make_folder(state);
	put("10_ten.up.sql", "SELECT 10;\n");
	put("9_nine.up.sql", "SELECT 9;\n");
	put("9_nine.down.sql", "SELECT -9;\n");
	put("20261123101500_ts.up.sql", "SELECT 1;\n");
	put("0011_dbmate.sql", "-- migrate:up transaction:false\nSELECT 1;\n"
	                       "-- migrate:down\nSELECT 2;\n");
	put("0012_goose.sql",
	    "-- +goose NO TRANSACTION\n-- +goose Up\nSELECT 1;"
	    "\n-- +goose Down\nSELECT 2;\n");
	put("README.md", "not a migration\n");
	ctx = open_ctx();
	assert_int_equal(strata_status(&v, &n, ctx, 1), 0);
	assert_int_equal(n, 5);
	assert_string_equal(v[0].version, "9");
	assert_true(v[0].reversible);
	assert_string_equal(v[1].version, "10");
	assert_false(v[1].reversible);
	assert_string_equal(v[2].format, "dbmate");
	assert_true(v[2].reversible);
	assert_true(v[2].no_transaction);
	assert_string_equal(v[3].format, "goose");
	assert_true(v[3].no_transaction);
	assert_string_equal(v[4].version, "20261123101500");
	strata_ctx_free(ctx);
	remove_folder(state);
}

static void test_source__duplicates_reported(void **state)
{
	const strata_problem *p;
	strata_ctx *ctx;
	size_t n;

	make_folder(state);
	put("1_a.up.sql", "SELECT 1;\n");
	put("001_b.up.sql", "SELECT 1;\n");
	put("2_orphan.down.sql", "SELECT 1;\n");
	ctx = open_ctx();
	assert_int_equal(strata_validate(&p, &n, ctx, 1), STRATA_EPARSE);
	assert_true(n >= 2);
	assert_non_null(strstr(p[0].message, "also used by"));
	assert_non_null(strstr(p[1].message, "without an up"));
	strata_ctx_free(ctx);
	remove_folder(state);
}

/* up reads no down file; a later down in the same context reads it, with
 * its directives (VACUUM needs the no-transaction one). */
static void test_run__down_file_read_when_first_needed(void **state)
{
	strata_options o;
	strata_run_options ro;
	strata_ctx *ctx;
	char url[128];
	size_t done = 0;

	(void)state;
	put("0001_a.up.sql", "CREATE TABLE a (id INTEGER);\n");
	put("0001_a.down.sql",
	    "-- strata:no-transaction\nDROP TABLE a;\nVACUUM;\n");
	snprintf(url, sizeof(url), "sqlite:%s/t.db", folder);
	memset(&o, 0, sizeof(o));
	o.migrations_dir = folder;
	o.database_url = url;
	assert_int_equal(strata_ctx_new(&ctx, &o), 0);
	memset(&ro, 0, sizeof(ro));
	ro.no_backup = 1;
	assert_int_equal(strata_up(ctx, &ro, &done), 0);
	assert_int_equal(done, 1);
	assert_true(ctx->source.v[0].down_deferred);
	assert_null(ctx->source.v[0].down_text);
	done = 0;
	assert_int_equal(strata_down(ctx, &ro, &done), 0);
	assert_int_equal(done, 1);
	assert_false(ctx->source.v[0].down_deferred);
	assert_true(ctx->source.v[0].down.no_transaction);
	strata_ctx_free(ctx);
}

/*
 * Every error code has its own text, the codes run from -1 down without a
 * gap (the CLI maps them by value), and docs/ERRORS.md documents each one
 * with its value (curl's test1477 does the same for its codes).
 */
static void test_errors__codes_distinct_and_documented(void **state)
{
	struct {
		const char *name;
		int value;
	} codes[] = {
#define STRATA__X(name, value, text) { #name, value },
		STRATA_ERROR_CODES(STRATA__X)
#undef STRATA__X
	};
	size_t n = sizeof(codes) / sizeof(codes[0]), i, k;
	char *doc = NULL, row[96];
	size_t len = 0;
	FILE *f;

	(void)state;
	f = fopen("docs/ERRORS.md", "r");
	assert_non_null(f);
	assert_int_equal(getdelim(&doc, &len, '\0', f) > 0, 1);
	fclose(f);
	for (i = 0; i < n; i++) {
		assert_int_equal(codes[i].value, -(int)(i + 1));
		assert_string_not_equal(strata_strerror(codes[i].value),
		                        "unknown error");
		for (k = 0; k < i; k++)
			assert_string_not_equal(
			        strata_strerror(codes[i].value),
			        strata_strerror(codes[k].value));
		snprintf(row, sizeof(row), "| `%s` | %d |", codes[i].name,
		         codes[i].value);
		if (!strstr(doc, row))
			fail_msg("docs/ERRORS.md has no row '%s'", row);
	}
	assert_string_equal(strata_strerror(0), "success");
	assert_string_equal(strata_strerror(-(int)n - 1), "unknown error");
	free(doc);
}

/*
 * A statement's first word, for messages, follows the driver's dialect:
 * '#' is a comment only where the dialect says so (MySQL), and a block
 * comment opened with '!' is code there, a comment elsewhere.
 */
static void test_part__first_token_follows_the_dialect(void **state)
{
	static const char hash[] = "# note\nSELECT 1";
	static const char exec[] = "/*!40101 SET x = 1 */";
	static const char plain[] = "-- a\n/* b */ SELECT 1";
	const unsigned my = STRATA_DIALECT_HASH_COMMENT |
	                    STRATA_DIALECT_EXEC_COMMENT;

	(void)state;
	assert_int_equal(strata__first_token(hash, 0, strlen(hash), my), 7);
	assert_int_equal(strata__first_token(hash, 0, strlen(hash), 0), 0);
	assert_int_equal(strata__first_token(exec, 0, strlen(exec), my), 0);
	/* a comment only: no token, the statement's start */
	assert_int_equal(strata__first_token(exec, 0, strlen(exec), 0), 0);
	assert_int_equal(strata__first_token(plain, 0, strlen(plain), 0), 13);
	assert_int_equal(strata__first_token(plain, 0, strlen(plain), my), 13);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_filename__native_pairs),
		cmocka_unit_test(test_filename__flyway_and_repeatable),
		cmocka_unit_test(test_filename__rejected_and_ignored),
		cmocka_unit_test(test_checksum__line_endings),
		cmocka_unit_test(test_checksum__both_libcrypto_paths),
		cmocka_unit_test(test_textpos__lines_and_columns),
		cmocka_unit_test(test_utf8__check),
		cmocka_unit_test(test_source__ordering_and_formats),
		cmocka_unit_test(test_source__duplicates_reported),
		cmocka_unit_test_setup_teardown(
		        test_run__down_file_read_when_first_needed, make_folder,
		        remove_folder),
		cmocka_unit_test(test_errors__codes_distinct_and_documented),
		cmocka_unit_test(test_part__first_token_follows_the_dialect),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
