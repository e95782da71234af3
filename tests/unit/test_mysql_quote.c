/*
 * Unit tests of the MySQL driver's offline parts (src/drivers/mysql.c):
 * identifier and literal quoting without a connection, as `plan` and dry
 * runs use them, and the driver's description. The connected parts run
 * against a real server in tests/cli/mysql_*.sh.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "strata/sys/driver.h"

#if STRATA_HAVE_MYSQL

extern const struct strata_driver strata__driver_mysql;

static void expect_ident(const char *ident, const char *want)
{
	strata_buf b = STRATA_BUF_INIT;

	assert_int_equal(strata__driver_mysql.quote_ident(NULL, &b, ident), 0);
	assert_string_equal(b.ptr, want);
	assert_int_equal(b.len, strlen(want));
	strata_buf_release(&b);
}

static void refuse_ident(const char *ident)
{
	strata_buf b = STRATA_BUF_INIT;

	assert_int_equal(strata__driver_mysql.quote_ident(NULL, &b, ident),
	                 STRATA_EINVALID);
	strata_buf_release(&b);
}

static void expect_literal(const char *s, const char *want)
{
	strata_buf b = STRATA_BUF_INIT;

	assert_int_equal(strata__driver_mysql.quote_literal(NULL, &b, s), 0);
	assert_string_equal(b.ptr, want);
	strata_buf_release(&b);
}

static void test_mysql_quote__ident(void **state)
{
	char name[200];

	(void)state;
	expect_ident("schema_migrations", "`schema_migrations`");
	expect_ident("a`b", "`a``b`");
	expect_ident("x`; DROP TABLE t; --", "`x``; DROP TABLE t; --`");
	expect_ident("with \"double\" 'single'", "`with \"double\" 'single'`");
	refuse_ident("");
	refuse_ident("ends with a space ");
	/* 64 characters is the limit, counted in characters */
	memset(name, 'h', 64);
	name[64] = '\0';
	{
		strata_buf b = STRATA_BUF_INIT;

		assert_int_equal(
		        strata__driver_mysql.quote_ident(NULL, &b, name), 0);
		assert_int_equal(b.len, 66);
		strata_buf_release(&b);
	}
	name[64] = 'h';
	name[65] = '\0';
	refuse_ident(name);
	/* 64 two-byte characters: 128 bytes, allowed */
	for (int i = 0; i < 64; i++)
		memcpy(name + 2 * i, "\xc3\xa9", 2);
	name[128] = '\0';
	{
		strata_buf b = STRATA_BUF_INIT;

		assert_int_equal(
		        strata__driver_mysql.quote_ident(NULL, &b, name), 0);
		strata_buf_release(&b);
	}
	memcpy(name + 128, "\xc3\xa9", 3);
	refuse_ident(name);
}

static void test_mysql_quote__literal_offline(void **state)
{
	(void)state;
	expect_literal("", "''");
	expect_literal("plain", "'plain'");
	expect_literal("it's", "'it''s'");
	expect_literal("back\\slash", "'back\\\\slash'");
	expect_literal("\\'; DROP TABLE t; --", "'\\\\''; DROP TABLE t; --'");
}

static void test_mysql_quote__driver(void **state)
{
	const struct strata_driver *d = &strata__driver_mysql;

	(void)state;
	assert_string_equal(d->name, "mysql");
	assert_string_equal(d->schemes[0], "mysql");
	assert_string_equal(d->schemes[1], "mariadb");
	assert_null(d->schemes[2]);
	/* DDL commits implicitly: the engine must use the dirty protocol */
	assert_int_equal(d->caps, STRATA_DRIVER_CAP_LOCK);
	assert_string_equal(d->timestamp_type, "DATETIME(3)");
	assert_non_null(d->lock);
	assert_non_null(d->unlock);
	assert_null(d->ensure_schema);
	assert_true(d->conn_size >= sizeof(struct strata_driver_conn));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mysql_quote__ident),
		cmocka_unit_test(test_mysql_quote__literal_offline),
		cmocka_unit_test(test_mysql_quote__driver),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

#else

static void test_mysql_quote__not_built(void **state)
{
	(void)state;
	skip();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mysql_quote__not_built),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

#endif
