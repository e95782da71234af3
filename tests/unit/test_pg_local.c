/*
 * Unit tests of the PostgreSQL driver's dump_local_sql (drivers/
 * postgres_local.c): the session settings of a dump made the squash
 * file's transaction's own, and the rest of the dump left as it is.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "strata/sys/driver.h"
#include "util/buf.h"

#if STRATA_HAVE_POSTGRES

extern const struct strata_driver strata__driver_postgres;

static void test_pg_local__settings_made_local(void **state)
{
	static const char dump[] =
	        "SET statement_timeout = 0;\n"
	        "SELECT pg_catalog.set_config('search_path', '', false);\n"
	        "SET check_function_bodies = false;\n"
	        "CREATE TABLE public.t (id integer, s text DEFAULT 'SET x');\n"
	        "COMMENT ON TABLE public.t IS 'a, false);';\n"
	        "SELECT pg_catalog.set_config('x.y', 'z', false);";
	static const char want[] =
	        "SET LOCAL statement_timeout = 0;\n"
	        "SELECT pg_catalog.set_config('search_path', '', true);\n"
	        "SET LOCAL check_function_bodies = false;\n"
	        "CREATE TABLE public.t (id integer, s text DEFAULT 'SET x');\n"
	        "COMMENT ON TABLE public.t IS 'a, false);';\n"
	        /* the last line, without its newline, too */
	        "SELECT pg_catalog.set_config('x.y', 'z', true);";
	strata_buf out = STRATA_BUF_INIT;

	(void)state;
	assert_non_null(strata__driver_postgres.dump_local_sql);
	assert_int_equal(strata__driver_postgres.dump_local_sql(&out, dump,
	                                                        strlen(dump)),
	                 0);
	assert_string_equal(out.ptr, want);
	strata_buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pg_local__settings_made_local),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

#else

int main(void)
{
	return 0; /* built without the PostgreSQL driver */
}

#endif
