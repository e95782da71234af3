/*
 * Unit tests of the cleaning of a dump tool's output (src/drivers/tool.h,
 * strata__tool_output_clean): the lines that change from run to run go,
 * with the blank line they leave and nothing else; MySQL's counters and
 * DEFINER accounts go from their lines, the rest kept byte for byte.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "drivers/tool.h"
#include "util/buf.h"

/* in cleaned with drop and flags, compared with want */
static void check(const char *in, const char *const *drop, unsigned flags,
                  const char *want)
{
	strata_buf out = STRATA_BUF_INIT;

	assert_int_equal(strata__tool_output_clean(&out, in, strlen(in), drop,
	                                           flags),
	                 0);
	assert_string_equal(out.ptr, want);
	strata_buf_release(&out);
}

static void test_dump_clean__pg_dump_lines_dropped(void **state)
{
	static const char *const drop[] = { "\\restrict ", "\\unrestrict ",
		                            "-- Dumped from", "-- Dumped by",
		                            NULL };

	(void)state;
	check("--\n-- PostgreSQL database dump\n--\n\n\\restrict aBc\n\n"
	      "-- Dumped from database version 15.18\n"
	      "-- Dumped by pg_dump version 15.18\n\nSET a = 0;\n\n"
	      "--\n-- PostgreSQL database dump complete\n--\n\n"
	      "\\unrestrict aBc\n\n",
	      drop, 0,
	      "--\n-- PostgreSQL database dump\n--\n\nSET a = 0;\n\n"
	      "--\n-- PostgreSQL database dump complete\n--\n");
}

static void test_dump_clean__blank_runs_kept_elsewhere(void **state)
{
	static const char *const drop[] = { "X", NULL };

	(void)state;
	/* a function body's blank lines are its own */
	check("\n\nA $$\n\n\nB $$;\n", drop, 0, "A $$\n\n\nB $$;\n");
	check("A\n\nX\n\nB\n", drop, 0, "A\n\nB\n");
	check("A\nX 1\nX 2\n\n\nB", drop, 0, "A\nB\n");
	check("", drop, 0, "");
}

static void test_dump_clean__mysql_counters_and_definers(void **state)
{
	unsigned f = STRATA_TOOL_CLEAN_AUTO_INCREMENT |
	             STRATA_TOOL_CLEAN_DEFINER;

	(void)state;
	check(") ENGINE=InnoDB AUTO_INCREMENT=42 DEFAULT CHARSET=utf8mb4;\n",
	      NULL, f, ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\n");
	/* only in a table's options line */
	check("  `n` int DEFAULT 5 COMMENT ' AUTO_INCREMENT=7',\n", NULL, f,
	      "  `n` int DEFAULT 5 COMMENT ' AUTO_INCREMENT=7',\n");
	check("/*!50013 DEFINER=`root`@`127.0.0.1` SQL SECURITY DEFINER */\n",
	      NULL, f, "/*!50013 SQL SECURITY DEFINER */\n");
	check("/*!50003 CREATE*/ /*!50017 DEFINER=`a``b`@`%`*/ /*!50003 "
	      "TRIGGER t */\n",
	      NULL, f, "/*!50003 CREATE*/ /*!50017 */ /*!50003 TRIGGER t */\n");
	check("CREATE DEFINER=`r` PROCEDURE p()\n", NULL, f,
	      "CREATE PROCEDURE p()\n");
	/* not an account: kept */
	check("SELECT 'DEFINER=`x';\n", NULL, f, "SELECT 'DEFINER=`x';\n");
	check("SELECT 'DEFINER=`x`@`y';\n", NULL, f,
	      "SELECT 'DEFINER=`x`@`y';\n");
	/* without the flags, nothing is touched */
	check(") ENGINE=InnoDB AUTO_INCREMENT=42;\nDEFINER=`a`@`b` x\n", NULL,
	      0, ") ENGINE=InnoDB AUTO_INCREMENT=42;\nDEFINER=`a`@`b` x\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dump_clean__pg_dump_lines_dropped),
		cmocka_unit_test(test_dump_clean__blank_runs_kept_elsewhere),
		cmocka_unit_test(test_dump_clean__mysql_counters_and_definers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
