/*
 * Unit tests of the readers of files to be restored (src/drivers/
 * restore_scan.h): what psql and the mysql client would run themselves is
 * refused at its line, whatever the file's cut into reads; what dumps
 * hold passes; pg_dump's \restrict lines are marked to be blanked.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "drivers/restore_scan.h"

struct blanks {
	uint64_t from[4], to[4];
	int n;
};

static void on_blank(void *payload, uint64_t from, uint64_t to)
{
	struct blanks *b = payload;

	assert_true(b->n < 4);
	b->from[b->n] = from;
	b->to[b->n] = to;
	b->n++;
}

/* Scan text in reads of `step` bytes (0: whole): 0, or the refused line
 * (why in *why). */
static unsigned long scan_in(int dialect, const char *text, size_t n,
                             size_t step, struct blanks *b, char *why,
                             size_t why_n)
{
	struct restore_scan s;
	size_t i;
	int rc = 0;

	strata__scan_init(&s, dialect);
	s.blank = on_blank;
	s.payload = b;
	if (step == 0)
		step = n ? n : 1;
	for (i = 0; rc == 0 && i < n; i += step)
		rc = strata__scan_feed(&s, text + i,
		                       n - i < step ? n - i : step);
	if (rc == 0)
		rc = strata__scan_end(&s);
	if (why)
		snprintf(why, why_n, "%s", rc ? s.why : "");
	return rc ? s.bad_line : 0;
}

/* Scanned whole and in every small read size, with the same outcome. */
static unsigned long scan(int dialect, const char *text, size_t n, char *why,
                          size_t why_n)
{
	struct blanks b0;
	unsigned long want;
	size_t step;

	memset(&b0, 0, sizeof(b0));
	want = scan_in(dialect, text, n, 0, &b0, why, why_n);
	for (step = 1; step <= 9; step++) {
		struct blanks b;
		int i;

		memset(&b, 0, sizeof(b));
		assert_int_equal(scan_in(dialect, text, n, step, &b, NULL, 0),
		                 want);
		assert_int_equal(b.n, b0.n);
		for (i = 0; i < b.n; i++) {
			assert_int_equal(b.from[i], b0.from[i]);
			assert_int_equal(b.to[i], b0.to[i]);
		}
	}
	return want;
}

#define PG(text) scan(SCAN_PSQL, text, strlen(text), why, sizeof(why))
#define MY(text) scan(SCAN_MYSQL, text, strlen(text), why, sizeof(why))
/* a literal that holds NUL bytes */
#define PGN(text)   scan(SCAN_PSQL, text, sizeof(text) - 1, why, sizeof(why))
#define MYN(text)   scan(SCAN_MYSQL, text, sizeof(text) - 1, why, sizeof(why))
#define HAS(needle) assert_non_null(strstr(why, needle))

static const char pg_dump[] =
        "-- strata backup of \"app\" (postgres, pg_dump)\n"
        "--\n-- PostgreSQL database dump\n--\n\n"
        "\\restrict AbC123\n\n"
        "SET standard_conforming_strings = on;\n"
        "SELECT pg_catalog.set_config('search_path', '', false);\n"
        "CREATE FUNCTION public.f() RETURNS integer\n"
        "    LANGUAGE sql\n    AS $$ SELECT 1; \\! not here $$;\n"
        "CREATE FUNCTION public.g() RETURNS integer LANGUAGE sql\n"
        "BEGIN ATOMIC\n SELECT 1;\n SELECT CASE WHEN true THEN 2 END;\n"
        "END;\n"
        "CREATE TABLE public.t (id integer NOT NULL, v text DEFAULT "
        "'a\\\\b'::text, w text[]);\n"
        "COMMENT ON TABLE public.t IS 'it''s /* not */ -- a comment';\n"
        "CREATE VIEW public.v AS SELECT t.w[1:2] AS w, t.id::bigint AS id, "
        "E'\\'' AS q FROM public.t;\n"
        "COPY public.t (id, v) FROM stdin;\n"
        "1\ta\\\\b\\nc\n"
        "2\t\\!\n"
        "3\t\\N\n"
        "\\.\n\n"
        "/* a /* nested */ comment */\n"
        "\\unrestrict AbC123\n";

static void test_restore_scan__pg_dump_passes(void **state)
{
	char why[200];
	struct blanks b;
	const char *r = strstr(pg_dump, "\\restrict");
	const char *u = strstr(pg_dump, "\\unrestrict");

	(void)state;
	assert_int_equal(PG(pg_dump), 0);
	memset(&b, 0, sizeof(b));
	assert_int_equal(scan_in(SCAN_PSQL, pg_dump, strlen(pg_dump), 0, &b,
	                         NULL, 0),
	                 0);
	assert_int_equal(b.n, 2);
	assert_int_equal(b.from[0], (uint64_t)(r - pg_dump));
	assert_int_equal(b.to[0], (uint64_t)(strchr(r, '\n') - pg_dump));
	assert_int_equal(b.from[1], (uint64_t)(u - pg_dump));
	assert_int_equal(b.to[1], (uint64_t)(strchr(u, '\n') - pg_dump));
}

static void test_restore_scan__psql_commands_refused(void **state)
{
	char why[200];

	(void)state;
	assert_int_equal(PG("SELECT 1;\n\\! touch x\n"), 2);
	HAS("\\!");
	assert_int_equal(PG("SELECT 1; \\! touch x\n"), 1);
	assert_int_equal(PG("SELECT 1 \\gexec\n"), 1);
	HAS("\\gexec");
	assert_int_equal(PG("\\copy t from '/etc/passwd'\n"), 1);
	HAS("\\copy");
	assert_int_equal(PG("\n\n\\i /etc/passwd\n"), 3);
	assert_int_equal(PG("\\connect other\n"), 1);
	assert_int_equal(PG("\\set x `id`\n"), 1);
	assert_int_equal(PG("SELECT 1\\; SELECT 2;\n"), 1);
	assert_int_equal(PG("SELECT 1; \\\n"), 1);
	assert_int_equal(PG("\\restrict a b\n"), 1);
	assert_int_equal(PG(" \\restrict abc\n"), 1);
	assert_int_equal(PG("\\restrict abc\n\\! x\n"), 2);
	/* after a comment, a string, a dollar quote: outside again */
	assert_int_equal(PG("/* \\! */ \\! x\n"), 1);
	assert_int_equal(PG("/* /* */ \\! */ SELECT 1;\n"), 0);
	assert_int_equal(PG("SELECT 'a''b' \\! x\n"), 1);
	assert_int_equal(PG("SELECT $x$ $y$ \\! $x$ \\! y\n"), 1);
	assert_int_equal(PG("SELECT $x$ $y$ \\! $x$;\n"), 0);
	assert_int_equal(PG("SELECT \"a\\\" \\! x\n"), 1);
	assert_int_equal(PG("-- \\! x\nSELECT 1;\n"), 0);
}

static void test_restore_scan__psql_copy_data(void **state)
{
	char why[200];

	(void)state;
	assert_int_equal(PG("COPY t FROM stdin;\n\\! data\n\\.\n"), 0);
	assert_int_equal(PG("COPY t FROM stdin;\nx\n\\.\n\\! x\n"), 4);
	assert_int_equal(PG("COPY t FROM stdin;\r\nx\n\\.\r\nSELECT 1;\n"), 0);
	assert_int_equal(PG("copy t (a, b) from STDIN with (format csv);\n"
	                    "1,\"\\!\"\n\\.\n"),
	                 0);
	assert_int_equal(PG("COPY t FROM stdin; \\! x\n1\n\\.\n"), 1);
	HAS("after COPY");
	/* not a COPY FROM stdin: what follows is SQL */
	assert_int_equal(PG("SELECT 'COPY t FROM stdin;';\n\\.\n"), 2);
	assert_int_equal(PG("COPY (SELECT 1 FROM stdin) TO stdout;\n\\.\n"), 2);
	assert_int_equal(PG("COPY t FROM 'stdin';\n\\! x\n"), 2);
	/* data runs to the file's end */
	assert_int_equal(PG("COPY t FROM stdin;\n1\n"), 0);
	/* inside a function body, ';' does not end the statement */
	assert_int_equal(PG("CREATE FUNCTION f() RETURNS int LANGUAGE sql "
	                    "BEGIN ATOMIC SELECT 1; END;\n"
	                    "COPY t FROM stdin;\n\\!\n\\.\n"),
	                 0);
	assert_int_equal(PGN("SELECT 1\0;\n"), 1);
	HAS("NUL");
	assert_int_equal(PGN("COPY t FROM stdin;\n1\0x\n\\.\n"), 0);
	assert_int_equal(PG("COPY t FROM stdin;\n\\.\nSELECT (1;\n"), 3);
}

static void test_restore_scan__psql_variables(void **state)
{
	char why[200];

	(void)state;
	assert_int_equal(PG("SELECT :DBNAME;\n"), 1);
	HAS(":DBNAME");
	assert_int_equal(PG("SELECT :'USER';\n"), 1);
	assert_int_equal(PG("SELECT :\"HOST\";\n"), 1);
	assert_int_equal(PG("SELECT :{?x};\n"), 1);
	assert_int_equal(PG("SELECT a::text, b[1:n], c := 1, :'x y';\n"), 0);
	assert_int_equal(PG("SELECT :'x\\';\n\\! y\n"), 2);
}

/* The line where psql's reading could differ (restore_scan.h). */
static unsigned long ambiguous_at(const char *text)
{
	struct restore_scan s;

	strata__scan_init(&s, SCAN_PSQL);
	assert_int_equal(strata__scan_feed(&s, text, strlen(text)), 0);
	assert_int_equal(strata__scan_end(&s), 0);
	return s.ambiguous_line;
}

static void test_restore_scan__psql_ambiguous(void **state)
{
	char why[200];

	(void)state;
	/* the string's end depends on standard_conforming_strings: noted,
	 * read as pg_dump's output sets it (on) */
	assert_int_equal(ambiguous_at("SELECT 1;\nSELECT 'a\\';\n"), 2);
	assert_int_equal(ambiguous_at("SELECT 'a\\\\';\n"), 0);
	assert_int_equal(ambiguous_at("SELECT 'a\\''b';\n"), 1);
	assert_int_equal(ambiguous_at("SELECT E'a\\'b' || 'c\\d';\n"), 0);
	assert_int_equal(PG("SELECT 'a\\'; \\! x\n"), 1);
	/* a 0x5C after a high byte may be no backslash (SJIS) */
	assert_int_equal(ambiguous_at("SELECT '\x82\\\\';\n"), 1);
	assert_int_equal(ambiguous_at("SELECT E'\x82\\n';\n"), 1);
	assert_int_equal(ambiguous_at("SELECT 'caf\xc3\xa9\\n';\n"), 0);
	/* what psql versions or encodings read differently is refused */
	assert_int_equal(PG("SELECT $\x82$ x $\x82$;\n"), 1);
	assert_int_equal(PG("SELECT 1e5, 2.5, $1;\n"), 0);
	assert_int_equal(PG("CREATE FUNCTION f() BEGIN ATOMIC 1end; END;\n"),
	                 1);
	assert_int_equal(PG("SELECT 1e$x$ $x$;\n"), 1);
}

static void test_restore_scan__psql_file_ends(void **state)
{
	char why[200];

	(void)state;
	assert_int_equal(PG(""), 0);
	assert_int_equal(PG("SELECT 1;"), 0);
	assert_int_equal(PG("SELECT 1;\nSELECT 2\n"), 2);
	HAS("no ';'");
	assert_int_equal(PG("SELECT 1;\nSELECT 'x\n\n"), 2);
	assert_int_equal(PG("/* x\n"), 1);
	assert_int_equal(PG("SELECT $$\n"), 1);
	assert_int_equal(PG("\\unrestrict abc"), 0);
	assert_int_equal(PG("-- no newline"), 0);
}

static const char mysqldump[] =
        "-- strata backup of \"app\" (mysql, mysqldump)\n"
        "/*M!999999\\- enable the sandbox mode */ \n"
        "-- MariaDB dump 10.19  Distrib 10.11.19-MariaDB\n"
        "/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;\n"
        "/*!40101 SET @OLD_SQL_MODE=@@SQL_MODE, "
        "SQL_MODE='NO_AUTO_VALUE_ON_ZERO' */;\n"
        "DROP TABLE IF EXISTS `t`;\n"
        "CREATE TABLE `t` (\n  `id` int(11) NOT NULL,\n"
        "  `v` text DEFAULT NULL,\n  PRIMARY KEY (`id`)\n) ENGINE=InnoDB;\n"
        "LOCK TABLES `t` WRITE;\n"
        "INSERT INTO `t` VALUES\n(1,'a\\\\b\\'c'),(2,'\\\\! system'),"
        "(3,\"x\\\"; \\\\! y\"),(4,NULL);\n"
        "UNLOCK TABLES;\n"
        "DELIMITER ;;\n"
        "/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`%`*/ /*!50003 TRIGGER tr "
        "BEFORE INSERT ON t FOR EACH ROW SET NEW.v = CONCAT(NEW.v, ';x') "
        "*/;;\n"
        "DELIMITER ;\n"
        "DELIMITER ;;\n"
        "CREATE DEFINER=`root`@`%` PROCEDURE `p`()\n"
        "BEGIN SELECT 1; SELECT 2; END ;;\n"
        "DELIMITER ;\n"
        "# a comment \\!\n"
        "/* \\! in a comment */\n"
        "/*!40101 SET SQL_MODE=@OLD_SQL_MODE */;\n\n"
        "-- Dump completed on 2026-12-02 15:45:53";

static void test_restore_scan__mysqldump_passes(void **state)
{
	char why[200];

	(void)state;
	assert_int_equal(MY(mysqldump), 0);
}

static void test_restore_scan__mysql_commands_refused(void **state)
{
	char why[200];

	(void)state;
	assert_int_equal(MY("SELECT 1;\nsystem touch x\n"), 2);
	HAS("'system'");
	assert_int_equal(MY("system touch x;\n"), 1);
	assert_int_equal(MY("SELECT 1;\n  SYSTEM\n"), 2);
	assert_int_equal(MY("\\! touch x\n"), 1);
	HAS("\\!");
	assert_int_equal(MY("SELECT 1; \\! touch x\n"), 1);
	assert_int_equal(MY("SELECT 1 \\. /etc/passwd\n"), 1);
	assert_int_equal(MY("source /etc/passwd\n"), 1);
	assert_int_equal(MY("use other;\n"), 1);
	assert_int_equal(MY("SELECT 1;\n/* x */ connect\n"), 2);
	assert_int_equal(MY("/*!40101 \\! x */;\n"), 1);
	assert_int_equal(MY("SELECT 1;\n\n\\C latin1\n"), 3);
	assert_int_equal(MY("SELECT 1; \\\n"), 1);
	/* what only looks like one */
	assert_int_equal(MY("SELECT 'system'; SELECT system_user();\n"), 0);
	assert_int_equal(MY("INSERT INTO t VALUES ('\\\\! x', \"\\\\. y\", "
	                    "`a\\`);\n"),
	                 0);
	assert_int_equal(MY("-- \\! x\n#\\!\n/* \\! */\n--\\!\nSELECT 1;\n"),
	                 0);
	assert_int_equal(MY("SELECT 1 --\\! x\n;\n"), 1);
	assert_int_equal(MY("SELECT 1;\n-- x\nsource y\n"), 3);
}

static void test_restore_scan__mysql_delimiter(void **state)
{
	char why[200];

	(void)state;
	assert_int_equal(MY("DELIMITER //\nCREATE PROCEDURE p() BEGIN SELECT "
	                    "1; END//\nDELIMITER ;\nsystem x\n"),
	                 4);
	assert_int_equal(MY("delimiter $$\nSELECT 1$$\n"), 0);
	assert_int_equal(MY("DELIMITER x y\n"), 1);
	assert_int_equal(MY("DELIMITER \\\n"), 1);
	assert_int_equal(MY("SELECT 1; DELIMITER //\n"), 1);
	assert_int_equal(MY("DELIMITER ;;\nSELECT 1;\n\\! x;;\n"), 3);
}

static void test_restore_scan__mysql_file_ends(void **state)
{
	char why[200];

	(void)state;
	assert_int_equal(MY(""), 0);
	assert_int_equal(MY("SELECT 1"), 0);
	assert_int_equal(MY("SELECT 1;\nSELECT 'x\n"), 2);
	assert_int_equal(MY("/* x\n"), 1);
	assert_int_equal(MY("SELECT 1;\nquit"), 2);
	assert_int_equal(MYN("SELECT 1\0;\n"), 1);
	assert_int_equal(MYN("SELECT 'a\0b';\n"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_restore_scan__pg_dump_passes),
		cmocka_unit_test(test_restore_scan__psql_commands_refused),
		cmocka_unit_test(test_restore_scan__psql_copy_data),
		cmocka_unit_test(test_restore_scan__psql_variables),
		cmocka_unit_test(test_restore_scan__psql_ambiguous),
		cmocka_unit_test(test_restore_scan__psql_file_ends),
		cmocka_unit_test(test_restore_scan__mysqldump_passes),
		cmocka_unit_test(test_restore_scan__mysql_commands_refused),
		cmocka_unit_test(test_restore_scan__mysql_delimiter),
		cmocka_unit_test(test_restore_scan__mysql_file_ends),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
