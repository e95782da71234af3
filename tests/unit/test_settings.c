/*
 * Unit tests of the parsers that decide which database strata opens:
 * .env files (src/util/dotenv.c) and sqlite: URLs (src/util/sqlite_url.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "strata/errors.h"
#include "util/dotenv.h"
#include "util/sqlite_url.h"

/* Parse text; expect it to succeed. */
static void parse_ok(struct strata__dotenv *env, const char *text)
{
	char err[256];

	assert_int_equal(strata__dotenv_parse(env, text, strlen(text), err,
	                                      sizeof(err)),
	                 0);
}

static void expect_var(const struct strata__dotenv *env, const char *name,
                       const char *value, int line)
{
	const struct strata__dotenv_var *v = strata__dotenv_find(env, name);

	assert_non_null(v);
	assert_string_equal(v->value, value);
	assert_int_equal(v->line, line);
	assert_null(v->unset);
}

/* Parse n bytes of text; expect the error at line, with want in its
 * message. */
static void parse_fails_n(const char *text, size_t n, int line,
                          const char *want)
{
	struct strata__dotenv env;
	char err[256];

	assert_int_equal(strata__dotenv_parse(&env, text, n, err, sizeof(err)),
	                 line);
	assert_non_null(strstr(err, want));
	assert_int_equal(env.n, 0);
}

static void parse_fails(const char *text, int line, const char *want)
{
	parse_fails_n(text, strlen(text), line, want);
}

static void test_dotenv__forms(void **state)
{
	struct strata__dotenv env;

	(void)state;
	unsetenv("STRATA_T_UNSET");
	parse_ok(&env, "\xEF\xBB\xBF# comment\n"
	               "A=1\n"
	               "  B = two words  \n"
	               "export C=3\r\n"
	               "D='single ${A} $A \\n' # comment\n"
	               "E=\"double ${A}$A \\\"q\\\" \\\\ \\$A \\n\"\n"
	               "F=un#quoted # comment\n"
	               "\n"
	               "G=\"multi\nline\"\n"
	               "H=\n"
	               "I=#not a comment\n"
	               "export=5\n"
	               "app.db-url=6\n"
	               "A=again\n");
	expect_var(&env, "A", "again", 15);
	expect_var(&env, "app.db-url", "6", 14);
	expect_var(&env, "B", "two words", 3);
	expect_var(&env, "C", "3", 4);
	expect_var(&env, "D", "single ${A} $A \\n", 5);
	expect_var(&env, "E", "double 11 \"q\" \\ $A \n", 6);
	expect_var(&env, "F", "un#quoted", 7);
	expect_var(&env, "G", "multi\nline", 9);
	expect_var(&env, "H", "", 11);
	expect_var(&env, "I", "#not a comment", 12);
	expect_var(&env, "export", "5", 13);
	assert_null(strata__dotenv_find(&env, "STRATA_T_UNSET"));
	strata__dotenv_release(&env);
}

static void test_dotenv__environment_first_and_unset(void **state)
{
	struct strata__dotenv env;
	const struct strata__dotenv_var *v;

	(void)state;
	setenv("STRATA_T_SET", "from-env", 1);
	unsetenv("STRATA_T_UNSET");
	parse_ok(&env, "STRATA_T_SET=from-file\n"
	               "X=${STRATA_T_SET}\n"
	               "Y=a${STRATA_T_UNSET}b\n"
	               "Z=\"$Y\"\n");
	expect_var(&env, "X", "from-env", 2);
	v = strata__dotenv_find(&env, "Y");
	assert_string_equal(v->value, "ab");
	assert_string_equal(v->unset, "STRATA_T_UNSET");
	v = strata__dotenv_find(&env, "Z");
	assert_string_equal(v->value, "ab");
	assert_string_equal(v->unset, "STRATA_T_UNSET");
	strata__dotenv_release(&env);
	unsetenv("STRATA_T_SET");
}

static void test_dotenv__malformed_lines(void **state)
{
	(void)state;
	parse_fails("A=1\nnot a setting\n", 2, "expected '=' after not");
	parse_fails("A=1\n=2\n", 2, "expected NAME=value");
	parse_fails("1A=2\n", 1, "expected NAME=value");
	parse_fails("-A=2\n", 1, "expected NAME=value");
	parse_fails("A:2\n", 1, "expected '=' after A");
	parse_fails("A=1\n\nB='open\nstill\n", 3, "no closing quote");
	parse_fails("B=\"open\n", 1, "no closing quote");
	parse_fails("B=\"x\" y\n", 1, "unexpected text after the value of B");
	parse_fails("B=${}\n", 1, "bad variable reference");
	parse_fails("B=${A\n", 1, "bad variable reference");
	parse_fails_n("A=1\nB=x\0y\n", 10, 2, "NUL");
}

static void sqlite_ok(const char *url, const char *path, const char *open_name,
                      int uri)
{
	struct strata__sqlite_url u;
	char err[256];

	assert_int_equal(strata__sqlite_url_parse(&u, url, err, sizeof(err)),
	                 0);
	assert_string_equal(u.path, path);
	assert_string_equal(u.open_name, open_name);
	assert_int_equal(u.uri, uri);
	strata__sqlite_url_release(&u);
}

static void sqlite_fails(const char *url, const char *want)
{
	struct strata__sqlite_url u;
	char err[256];

	assert_int_equal(strata__sqlite_url_parse(&u, url, err, sizeof(err)),
	                 STRATA_EINVALID);
	assert_non_null(strstr(err, want));
	assert_null(u.path);
}

static void test_sqlite_url__forms(void **state)
{
	struct strata__sqlite_url u;
	char err[256];

	(void)state;
	sqlite_ok("sqlite:app.db", "app.db", "app.db", 0);
	sqlite_ok("sqlite3://rel/app.db", "rel/app.db", "rel/app.db", 0);
	sqlite_ok("sqlite:///abs/a%20b#1.db", "/abs/a%20b#1.db",
	          "/abs/a%20b#1.db", 0);
	sqlite_ok("sqlite:/x/app.db?mode=ro", "/x/app.db",
	          "file:///x/app.db?mode=ro", 1);
	sqlite_ok("sqlite:a b%.db?cache=shared&mode=rwc", "a b%.db",
	          "file:a%20b%25.db?mode=rwc&cache=shared", 1);
	sqlite_ok("sqlite:file:my%20app.db", "my app.db", "file:my%20app.db",
	          1);
	sqlite_ok("sqlite:file://localhost/x/a.db?immutable=1#frag", "/x/a.db",
	          "file:///x/a.db?immutable=1", 1);
	sqlite_ok("sqlite::memory:?cache=shared",
	          ":memory:", "file::memory:?cache=shared", 1);
	assert_int_equal(strata__sqlite_url_parse(&u, "sqlite:x?mode=ro", err,
	                                          sizeof(err)),
	                 0);
	assert_true(u.read_only && u.must_exist && !u.memory);
	strata__sqlite_url_release(&u);
	assert_int_equal(strata__sqlite_url_parse(&u, "sqlite:x?mode=memory",
	                                          err, sizeof(err)),
	                 0);
	assert_true(u.memory && !u.read_only && !u.must_exist);
	strata__sqlite_url_release(&u);
}

static void test_sqlite_url__refusals(void **state)
{
	(void)state;
	sqlite_fails("sqlite:", "names no file");
	sqlite_fails("sqlite:?mode=ro", "names no file");
	sqlite_fails("sqlite:a.db?mdoe=ro", "unknown parameter 'mdoe'");
	sqlite_fails("sqlite:a.db?password=secret", "unknown parameter");
	sqlite_fails("sqlite:a.db?mode=ro&mode=ro", "given twice");
	sqlite_fails("sqlite:a.db?mode=x", "mode='x'");
	sqlite_fails("sqlite:a.db?cache=x", "cache='x'");
	sqlite_fails("sqlite:a.db?nolock=perhaps", "'nolock' takes 1 or 0");
	sqlite_fails("sqlite:a.db?vfs=", "needs a value");
	sqlite_fails("sqlite:a.db?=1", "empty parameter name");
	sqlite_fails("sqlite:file://host/a.db", "names a host");
	sqlite_fails("sqlite:file:a%2.db", "percent-encoding");
	sqlite_fails("sqlite:file:a%00.db", "percent-encoding");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dotenv__forms),
		cmocka_unit_test(test_dotenv__environment_first_and_unset),
		cmocka_unit_test(test_dotenv__malformed_lines),
		cmocka_unit_test(test_sqlite_url__forms),
		cmocka_unit_test(test_sqlite_url__refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
