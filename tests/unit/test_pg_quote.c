/*
 * Unit tests of the PostgreSQL driver's offline quoting (no connection:
 * what plan --offline prints): identifiers with their length limit, and
 * string literals with quotes and backslashes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "strata/sys/driver.h"

#if STRATA_HAVE_POSTGRES

extern const struct strata_driver strata__driver_postgres;

static const struct strata_driver *drv = &strata__driver_postgres;

static void ident_is(const char *in, const char *want)
{
	strata_buf b = STRATA_BUF_INIT;

	assert_int_equal(drv->quote_ident(NULL, &b, in), 0);
	assert_string_equal(b.ptr, want);
	strata_buf_release(&b);
}

static void literal_is(const char *in, const char *want)
{
	strata_buf b = STRATA_BUF_INIT;

	assert_int_equal(drv->quote_literal(NULL, &b, in), 0);
	assert_string_equal(b.ptr, want);
	strata_buf_release(&b);
}

static void test_pg_quote__ident(void **state)
{
	(void)state;
	ident_is("schema_migrations", "\"schema_migrations\"");
	ident_is("Mixed Case", "\"Mixed Case\"");
	ident_is("a\"b", "\"a\"\"b\"");
	ident_is("h\"; DROP TABLE canary; --",
	         "\"h\"\"; DROP TABLE canary; --\"");
}

static void test_pg_quote__ident_length(void **state)
{
	char name[80];
	strata_buf b = STRATA_BUF_INIT;

	(void)state;
	memset(name, 'x', sizeof(name));
	name[63] = '\0';
	assert_int_equal(drv->quote_ident(NULL, &b, name), 0);
	assert_int_equal(b.len, 65);
	strata_buf_release(&b);
	name[63] = 'x';
	name[64] = '\0';
	assert_int_equal(drv->quote_ident(NULL, &b, name), STRATA_EINVALID);
	assert_int_equal(drv->quote_ident(NULL, &b, ""), STRATA_EINVALID);
	/* bytes, not characters: 32 two-byte characters are too long */
	for (int i = 0; i < 32; i++)
		memcpy(name + 2 * i, "\xc3\xa9", 2);
	name[64] = '\0';
	assert_int_equal(drv->quote_ident(NULL, &b, name), STRATA_EINVALID);
	assert_int_equal(b.len, 0);
	strata_buf_release(&b);
}

static void test_pg_quote__literal(void **state)
{
	(void)state;
	literal_is("", "''");
	literal_is("plain", "'plain'");
	literal_is("it's", "'it''s'");
	literal_is("a\\b", "E'a\\\\b'");
	literal_is("o'brien\\x", "E'o''brien\\\\x'");
}

static void test_pg_quote__driver(void **state)
{
	(void)state;
	assert_string_equal(drv->name, "postgres");
	assert_string_equal(drv->schemes[0], "postgres");
	assert_string_equal(drv->schemes[1], "postgresql");
	assert_null(drv->schemes[2]);
	assert_string_equal(drv->timestamp_type, "TIMESTAMPTZ");
	assert_int_equal(drv->caps, STRATA_DRIVER_CAP_TXN_DDL |
	                                    STRATA_DRIVER_CAP_LOCK |
	                                    STRATA_DRIVER_CAP_SCHEMA |
	                                    STRATA_DRIVER_CAP_BATCH);
	assert_non_null(drv->lock);
	assert_non_null(drv->ensure_schema);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pg_quote__ident),
		cmocka_unit_test(test_pg_quote__ident_length),
		cmocka_unit_test(test_pg_quote__literal),
		cmocka_unit_test(test_pg_quote__driver),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

#else

int main(void)
{
	return 0; /* built without the PostgreSQL driver */
}

#endif
