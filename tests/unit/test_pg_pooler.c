/*
 * Unit tests of the PostgreSQL driver's pooler= URL parameter: strata's
 * own, so it is taken out of the URL before libpq (which refuses what it
 * does not know) or pg_dump and psql see it, and nothing else changes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "strata/sys/driver.h"

#if STRATA_HAVE_POSTGRES

/* src/drivers/postgres.h, without libpq's header */
char *strata__pg_libpq_url(const char *url);
void strata__pg_wipe_free(char *s);

static void libpq_url_is(const char *in, const char *want)
{
	char *got = strata__pg_libpq_url(in);

	assert_non_null(got);
	assert_string_equal(got, want);
	strata__pg_wipe_free(got);
}

static void test_pg_pooler__stripped(void **state)
{
	(void)state;
	libpq_url_is("postgres://u:pw@h:6432/db?pooler=transaction",
	             "postgres://u:pw@h:6432/db");
	libpq_url_is("postgres://h/db?sslmode=disable&pooler=none",
	             "postgres://h/db?sslmode=disable");
	libpq_url_is("postgres://h/db?pooler=auto&sslmode=disable",
	             "postgres://h/db?sslmode=disable");
	libpq_url_is("postgres://h/db?a=1&pooler=none&b=2&pooler",
	             "postgres://h/db?a=1&b=2");
}

static void test_pg_pooler__kept(void **state)
{
	(void)state;
	libpq_url_is("postgres://h/db", "postgres://h/db");
	libpq_url_is("postgres://h/db?sslmode=disable",
	             "postgres://h/db?sslmode=disable");
	/* a parameter whose name only starts with it, and a password */
	libpq_url_is("postgres://h/db?poolers=x&application_name=pooler",
	             "postgres://h/db?poolers=x&application_name=pooler");
	libpq_url_is("postgres://u:pooler=none@h/db",
	             "postgres://u:pooler=none@h/db");
	/* keyword=value text is libpq's own */
	libpq_url_is("host=h dbname=db", "host=h dbname=db");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pg_pooler__stripped),
		cmocka_unit_test(test_pg_pooler__kept),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

#else

int main(void)
{
	return 0; /* built without the PostgreSQL driver */
}

#endif
