/*
 * Unit tests of the one URL parser (src/util/url.h) and what is built on
 * it: the redacted copy strata prints, the password it masks in messages,
 * the mask itself, the words of its errors, and the database type a URL's
 * scheme picks. Hostile inputs included: escapes, '@' and '/' in a
 * password, IPv6 hosts, empty parts, no scheme at all.
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
#include "util/secret.h"
#include "util/url.h"

static const struct strata__url_words my_words = {
	.kind = "mysql",
	.path = "database name",
	.example = "mysql://user@[::1]:3306/db",
};

/* parse url, expecting rc */
static void parse(struct strata__url *u, const char *url, int rc)
{
	assert_int_equal(strata__url_parse(u, url), rc);
	assert_string_equal(u->text, url);
}

static void span_is(struct strata__url_span s, const char *want)
{
	if (!want) {
		assert_null(s.p);
		return;
	}
	assert_non_null(s.p);
	assert_int_equal(s.n, strlen(want));
	assert_memory_equal(s.p, want, s.n);
}

static void param_is(const struct strata__url *u, size_t i, const char *key,
                     const char *value, const char *raw)
{
	assert_true(i < u->n_params);
	assert_string_equal(u->params[i].key, key);
	assert_string_equal(u->params[i].value, value);
	span_is(u->params[i].raw_value, raw);
}

static void test_url__every_part(void **state)
{
	struct strata__url u;

	(void)state;
	parse(&u,
	      "PostgreSQL://us%40er:p%40ss@db.example:5432/my%20db"
	      "?sslmode=disable&application_name=a%26b#top",
	      0);
	assert_string_equal(u.scheme, "postgresql");
	assert_true(u.authority);
	assert_string_equal(u.user, "us@er");
	assert_string_equal(u.password, "p@ss");
	span_is(u.password_raw, "p%40ss");
	span_is(u.doubt, NULL);
	assert_int_equal(u.n_hosts, 1);
	assert_string_equal(u.hosts[0].name, "db.example");
	assert_int_equal(u.hosts[0].port, 5432);
	assert_false(u.hosts[0].ipv6);
	span_is(u.hosts_raw, "db.example:5432");
	assert_string_equal(u.path, "/my db");
	span_is(u.path_raw, "/my%20db");
	span_is(u.query, "sslmode=disable&application_name=a%26b");
	assert_int_equal(u.n_params, 2);
	param_is(&u, 0, "sslmode", "disable", "disable");
	param_is(&u, 1, "application_name", "a&b", "a%26b");
	assert_string_equal(strata__url_param(&u, "application_name"), "a&b");
	assert_null(strata__url_param(&u, "nope"));
	span_is(u.fragment, "top");
	span_is(u.body, "//us%40er:p%40ss@db.example:5432/my%20db");
	assert_int_equal(u.bad_encoding, 0);
	assert_int_equal(u.host_problem, STRATA_URL_HOST_OK);
	strata__url_release(&u);
	/* a released struct is zero, and releasing it again is harmless */
	assert_null(u.text);
	strata__url_release(&u);
}

/* The user info ends at the last '@' before the query: a password may
 * hold '@', '/' and ':' as they are. */
static void test_url__raw_delimiters_in_the_password(void **state)
{
	struct strata__url u;

	(void)state;
	parse(&u, "postgres://app:p@ss/w:x@db/app?x=1", 0);
	assert_string_equal(u.user, "app");
	assert_string_equal(u.password, "p@ss/w:x");
	assert_string_equal(u.hosts[0].name, "db");
	assert_string_equal(u.path, "/app");
	param_is(&u, 0, "x", "1", "1");
	strata__url_release(&u);

	/* a raw '?' or '#' in it: malformed, but the password is masked */
	assert_int_equal(strata__url_parse(&u, "postgres://app:pa?ss@db/x"),
	                 STRATA_EINVALID);
	assert_null(u.user);
	span_is(u.doubt, "pa?ss");
	strata__url_release(&u);
	assert_int_equal(strata__url_parse(&u, "mysql://u:p#ss@db/x"),
	                 STRATA_EINVALID);
	span_is(u.doubt, "p#ss");
	strata__url_release(&u);
	/* an '@' in the query of a URL without user info is no password */
	parse(&u, "mysql://localhost:3306/db?socket=/x@y", 0);
	span_is(u.doubt, "3306/db?socket=/x");
	assert_null(u.user);
	assert_string_equal(strata__url_param(&u, "socket"), "/x@y");
	strata__url_release(&u);
}

static void test_url__hosts(void **state)
{
	struct strata__url u;

	(void)state;
	parse(&u, "mysql://u@[::1]:3306/db", 0);
	assert_int_equal(u.n_hosts, 1);
	assert_string_equal(u.hosts[0].name, "::1");
	assert_true(u.hosts[0].ipv6);
	assert_int_equal(u.hosts[0].port, 3306);
	strata__url_release(&u);
	parse(&u, "postgres://[fe80::1%25eth0]/db", 0);
	assert_string_equal(u.hosts[0].name, "fe80::1%eth0");
	assert_int_equal(u.hosts[0].port, 0);
	strata__url_release(&u);
	/* libpq's several hosts */
	parse(&u, "postgres://h1:5432,[::1]:5433,h3/db", 0);
	assert_int_equal(u.n_hosts, 3);
	assert_string_equal(u.hosts[0].name, "h1");
	assert_int_equal(u.hosts[0].port, 5432);
	assert_string_equal(u.hosts[1].name, "::1");
	assert_int_equal(u.hosts[1].port, 5433);
	assert_string_equal(u.hosts[2].name, "h3");
	assert_int_equal(u.hosts[2].port, 0);
	strata__url_release(&u);
}

static void host_problem(const char *url, enum strata__url_host_problem p,
                         const char *want)
{
	struct strata__url u;
	char why[200];

	parse(&u, url, STRATA_EINVALID);
	assert_int_equal(u.host_problem, p);
	assert_int_equal(strata__url_explain(why, sizeof(why), &u,
	                                     STRATA_URL_ALL, &my_words),
	                 1);
	assert_string_equal(why, want);
	/* a caller that does not read the hosts sees nothing wrong */
	assert_int_equal(strata__url_explain(why, sizeof(why), &u,
	                                     STRATA_URL_PARAMS, &my_words),
	                 0);
	assert_string_equal(why, "");
	strata__url_release(&u);
}

static void test_url__bad_hosts(void **state)
{
	(void)state;
	host_problem("mysql://u@[::1/db", STRATA_URL_BAD_IPV6,
	             "bad IPv6 address in the mysql URL: use "
	             "mysql://user@[::1]:3306/db");
	host_problem("mysql://u@[::1]x/db", STRATA_URL_BAD_IPV6,
	             "bad IPv6 address in the mysql URL: use "
	             "mysql://user@[::1]:3306/db");
	host_problem("mysql://u@::1:3306/db", STRATA_URL_UNBRACKETED,
	             "an IPv6 address in the mysql URL must be in brackets: "
	             "mysql://user@[::1]:3306/db");
	host_problem("mysql://u@h:70000/db", STRATA_URL_BAD_PORT,
	             "bad port in the mysql URL: expected 1 to 65535");
	host_problem("mysql://u@h:0/db", STRATA_URL_BAD_PORT,
	             "bad port in the mysql URL: expected 1 to 65535");
	host_problem("mysql://u@h:/db", STRATA_URL_BAD_PORT,
	             "bad port in the mysql URL: expected 1 to 65535");
	host_problem("mysql://u@h:33o6/db", STRATA_URL_BAD_PORT,
	             "bad port in the mysql URL: expected 1 to 65535");
	host_problem("mysql://u@h:000003306/db", STRATA_URL_BAD_PORT,
	             "bad port in the mysql URL: expected 1 to 65535");
	host_problem("mysql://u@[::1]:99999/db", STRATA_URL_BAD_PORT,
	             "bad port in the mysql URL: expected 1 to 65535");
}

static void test_url__empty_parts(void **state)
{
	struct strata__url u;

	(void)state;
	parse(&u, "postgres:///db", 0);
	assert_true(u.authority);
	assert_null(u.user);
	assert_null(u.password);
	assert_int_equal(u.n_hosts, 0);
	span_is(u.hosts_raw, "");
	assert_string_equal(u.path, "/db");
	strata__url_release(&u);

	parse(&u, "mariadb://root@:3306/db", 0);
	assert_string_equal(u.user, "root");
	assert_int_equal(u.n_hosts, 1);
	assert_string_equal(u.hosts[0].name, "");
	assert_int_equal(u.hosts[0].port, 3306);
	strata__url_release(&u);

	/* "u:@h": an empty password is still a password (masked) */
	parse(&u, "mysql://:@h/db", 0);
	assert_string_equal(u.user, "");
	assert_string_equal(u.password, "");
	span_is(u.password_raw, "");
	strata__url_release(&u);

	parse(&u, "x://", 0);
	assert_true(u.authority);
	assert_int_equal(u.n_hosts, 0);
	assert_null(u.path);
	span_is(u.query, NULL);
	span_is(u.fragment, NULL);
	strata__url_release(&u);

	parse(&u, "sqlite:", 0);
	assert_string_equal(u.scheme, "sqlite");
	assert_false(u.authority);
	assert_string_equal(u.path, "");
	span_is(u.body, "");
	strata__url_release(&u);

	/* an empty query; empty parameters skipped; empty names kept */
	parse(&u, "a://h?", 0);
	span_is(u.query, "");
	assert_int_equal(u.n_params, 0);
	strata__url_release(&u);
	parse(&u, "a://h/db?&&k&=v&", 0);
	assert_int_equal(u.n_params, 2);
	param_is(&u, 0, "k", "", "");
	param_is(&u, 1, "", "v", "v");
	strata__url_release(&u);
	parse(&u, "", 0);
	assert_null(u.scheme);
	assert_int_equal(u.n_params, 0);
	strata__url_release(&u);
}

/* Without a scheme, the text is keyword=value words (libpq's conninfo),
 * which is how their password is found. */
static void test_url__no_scheme(void **state)
{
	struct strata__url u;
	char name[40];

	(void)state;
	parse(&u, "test.db", 0);
	assert_null(u.scheme);
	strata__url_release(&u);
	parse(&u, ":memory:", 0);
	assert_null(u.scheme);
	strata__url_release(&u);
	parse(&u, " sqlite:x.db", 0);
	assert_null(u.scheme);
	strata__url_release(&u);
	parse(&u, "host=db  port = 5432 password='a b\\' c' user=x flag", 0);
	assert_null(u.scheme);
	assert_int_equal(u.n_params, 5);
	param_is(&u, 0, "host", "db", "db");
	param_is(&u, 1, "port", "5432", "5432");
	param_is(&u, 2, "password", "a b' c", "'a b\\' c'");
	param_is(&u, 3, "user", "x", "x");
	param_is(&u, 4, "flag", "", "");
	strata__url_release(&u);
	/* a scheme is at most 31 characters of [A-Za-z0-9+.-] */
	memset(name, 'x', 31);
	memcpy(name + 31, ":y", 3);
	parse(&u, name, 0);
	assert_non_null(u.scheme);
	strata__url_release(&u);
	memset(name, 'x', 32);
	memcpy(name + 32, ":y", 3);
	parse(&u, name, 0);
	assert_null(u.scheme);
	strata__url_release(&u);
	parse(&u, "sql\001ite:x", 0);
	assert_null(u.scheme);
	strata__url_release(&u);
	parse(&u, "1a+b.c-d:x", 0);
	assert_string_equal(u.scheme, "1a+b.c-d");
	strata__url_release(&u);
}

static void bad_escape(const char *url, unsigned part, const char *want)
{
	struct strata__url u;
	char why[200];

	parse(&u, url, STRATA_EINVALID);
	assert_int_equal(u.bad_encoding, part);
	assert_int_equal(strata__url_explain(why, sizeof(why), &u,
	                                     STRATA_URL_ALL, &my_words),
	                 1);
	assert_string_equal(why, want);
	strata__url_release(&u);
}

static void test_url__percent_escapes(void **state)
{
	struct strata__url u;

	(void)state;
	parse(&u, "mysql://%41%62%2F:%2541@%68/%64%3Fb?%6b=%76%26", 0);
	assert_string_equal(u.user, "Ab/");
	assert_string_equal(u.password, "%41");
	assert_string_equal(u.hosts[0].name, "h");
	assert_string_equal(u.path, "/d?b");
	param_is(&u, 0, "k", "v&", "%76%26");
	strata__url_release(&u);

	bad_escape("mysql://u%zz@h/db", STRATA_URL_USER,
	           "invalid percent-encoding in the user of the mysql URL");
	bad_escape("mysql://u:p%4@h/db", STRATA_URL_PASSWORD,
	           "invalid percent-encoding in the password of the mysql "
	           "URL");
	bad_escape("mysql://u:p%00x@h/db", STRATA_URL_PASSWORD,
	           "invalid percent-encoding in the password of the mysql "
	           "URL");
	bad_escape("mysql://u@h%g0/db", STRATA_URL_HOST,
	           "invalid percent-encoding in the host of the mysql URL");
	bad_escape("mysql://u@h/d%", STRATA_URL_PATH,
	           "invalid percent-encoding in the database name of the "
	           "mysql URL");
	bad_escape("mysql://u@h/db?a=%", STRATA_URL_PARAMS,
	           "invalid percent-encoding in the parameters of the mysql "
	           "URL");

	/* an invalid escape is kept as written: the password is still
	 * found, decoded as far as it goes */
	parse(&u, "mysql://u:p%zz%41@h/db", STRATA_EINVALID);
	assert_string_equal(u.password, "p%zzA");
	strata__url_release(&u);
}

/* The query starts at the first '?': a '#' before it is the path's (a
 * file name may hold one); without a query, '#' starts the fragment. */
static void test_url__query_and_fragment(void **state)
{
	struct strata__url u;

	(void)state;
	parse(&u, "sqlite:a#b.db?mode=ro", 0);
	assert_string_equal(u.path, "a#b.db");
	span_is(u.body, "a#b.db");
	param_is(&u, 0, "mode", "ro", "ro");
	span_is(u.fragment, NULL);
	strata__url_release(&u);
	parse(&u, "sqlite:///abs/a%20b#1.db", 0);
	span_is(u.body, "///abs/a%20b#1.db");
	assert_string_equal(u.path, "/abs/a b");
	span_is(u.fragment, "1.db");
	span_is(u.query, NULL);
	strata__url_release(&u);
	parse(&u, "mysql://u@h/db?x=1#frag?y", 0);
	span_is(u.query, "x=1");
	span_is(u.fragment, "frag?y");
	strata__url_release(&u);
}

static void redacts(const char *url, const char *want)
{
	struct strata__url u;
	strata_buf b = STRATA_BUF_INIT;

	assert_true(strata__url_parse(&u, url) != STRATA_ENOMEM);
	assert_int_equal(strata__url_redact(&b, &u), 0);
	assert_string_equal(b.ptr, want);
	assert_int_equal(b.len, strlen(b.ptr));
	strata_buf_release(&b);
	strata__url_release(&u);
}

static void test_url__redaction(void **state)
{
	(void)state;
	redacts("postgres://app:S3cret@db:5432/x",
	        "postgres://app:***@db:5432/x");
	redacts("postgres://app:p@ss@db/x", "postgres://app:***@db/x");
	redacts("postgres://app:p@ss/w@db/x", "postgres://app:***@db/x");
	redacts("postgres://app@db/x?password=S3cret&sslmode=disable",
	        "postgres://app@db/x?password=***&sslmode=disable");
	redacts("postgres://app@db/x?PassWord=S3cret",
	        "postgres://app@db/x?PassWord=***");
	redacts("postgres://app@db/x?pass%77ord=S3cret&a=1",
	        "postgres://app@db/x?pass%77ord=***&a=1");
	redacts("postgres://app:one@db/x?password=two",
	        "postgres://app:***@db/x?password=***");
	redacts("mysql://u@h/db?ssl-mode=REQUIRED;password=S3cret&x=1",
	        "mysql://u@h/db?ssl-mode=REQUIRED;password=***&x=1");
	redacts("host=db password=S3cret user=x",
	        "host=db password=*** user=x");
	redacts("host=db password = 'a b\\' c' user=x",
	        "host=db password = *** user=x");
	redacts("password=S3cret", "password=***");
	redacts("postgresql://app:S3cret@[::1:5432/db",
	        "postgresql://app:***@[::1:5432/db");
	redacts("postgres://app:pa?ss@db/x", "postgres://app:***@db/x");
	redacts("mysql://u:@h/db", "mysql://u:***@h/db");
	redacts("mysql://u@h/db", "mysql://u@h/db");
	redacts("sqlite:strata.db", "sqlite:strata.db");
	redacts("sqlite:a.db?mode=ro&password=x",
	        "sqlite:a.db?mode=ro&password=***");
	redacts("", "");
}

static void secret_is(const char *url, const char *raw, const char *dec)
{
	struct strata__url u;
	char *r, *d;

	assert_true(strata__url_parse(&u, url) != STRATA_ENOMEM);
	assert_int_equal(strata__url_secret(&u, &r, &d), 0);
	if (!raw) {
		assert_null(r);
		assert_null(d);
	} else {
		assert_string_equal(r, raw);
		assert_string_equal(d, dec);
	}
	strata__free(r);
	strata__free(d);
	strata__url_release(&u);
}

/* The one password finder: what the context and the drivers mask. */
static void test_url__password_finder(void **state)
{
	struct strata__url zero;
	char *r, *d;

	(void)state;
	secret_is("postgres://app:S3cret@db:5432/x", "S3cret", "S3cret");
	secret_is("postgres://app:p@ss/w@db/x", "p@ss/w", "p@ss/w");
	secret_is("mysql://u:a%40b@h/d?ssl-mode=REQUIRED", "a%40b", "a@b");
	secret_is("postgres://app@db/x?password=S3%63ret&sslmode=disable",
	          "S3%63ret", "S3cret");
	secret_is("postgres://app:first@db/x?password=second", "first",
	          "first");
	secret_is("host=db password='a b' user=x", "'a b'", "a b");
	secret_is("host=db password=S3cret user=x", "S3cret", "S3cret");
	secret_is("postgres://app:pa?ss@db/x", "pa?ss", "pa?ss");
	secret_is("postgres://app:p%zz@db/x", "p%zz", "p%zz");
	secret_is("postgres://app:@db/x", NULL, NULL);
	secret_is("postgres://app@db/x", NULL, NULL);
	secret_is("postgres://app@db/x?password=", NULL, NULL);
	secret_is("sqlite:strata.db", NULL, NULL);
	/* a zeroed struct has none */
	memset(&zero, 0, sizeof(zero));
	assert_int_equal(strata__url_secret(&zero, &r, &d), 0);
	assert_null(r);
	assert_null(d);
}

static void masks(const char *text, const char *secret, const char *want)
{
	strata_buf b = STRATA_BUF_INIT;

	assert_int_equal(strata__buf_puts(&b, text), 0);
	strata__mask_secret(&b, secret);
	assert_string_equal(b.ptr, want);
	assert_int_equal(b.len, strlen(b.ptr));
	strata_buf_release(&b);
}

/* The one mask: the context's messages and the drivers'. */
static void test_url__mask(void **state)
{
	(void)state;
	masks("a Secret99 b Secret99", "Secret99", "a *** b ***");
	masks("x pw y", "pw", "x ** y");
	masks("x p y", "p", "x p y");
	masks("x *** y", "***", "x *** y");
	masks("aaaa", "aa", "****");
	masks("nothing here", NULL, "nothing here");
	masks("bad URI \"x://u:Secret99@h\": Secret99 again", "Secret99",
	      "bad URI \"x://u:***@h\": *** again");
	/* libpq ends the user info at the first '@' of p@ss/word: what
	 * follows shows as host and database names, masked too */
	masks("host \"ss\", database \"word99\"", "p@ss/word99",
	      "host \"ss\", database \"***\"");
}

/* The database type is the name of the driver the scheme picks. */
static void test_url__database_types(void **state)
{
	const char *t;
	size_t i;
	int sqlite = 0;

	(void)state;
	for (i = 0; (t = strata_database_type(i)) != NULL; i++)
		sqlite += strcmp(t, "sqlite") == 0;
	assert_int_equal(sqlite, 1);
	assert_string_equal(strata_url_database_type("sqlite:a.db"), "sqlite");
	assert_string_equal(strata_url_database_type("SQLite3:a.db"), "sqlite");
	assert_string_equal(strata_url_database_type("postgresql://h/db"),
	                    "postgres");
	assert_string_equal(strata_url_database_type("mariadb://h/db"),
	                    strata_url_database_type("mysql://h/db"));
	assert_null(strata_url_database_type("nosuch://h/db"));
	assert_null(strata_url_database_type("a.db"));
	assert_null(strata_url_database_type("host=h dbname=x"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_url__every_part),
		cmocka_unit_test(test_url__raw_delimiters_in_the_password),
		cmocka_unit_test(test_url__hosts),
		cmocka_unit_test(test_url__bad_hosts),
		cmocka_unit_test(test_url__empty_parts),
		cmocka_unit_test(test_url__no_scheme),
		cmocka_unit_test(test_url__percent_escapes),
		cmocka_unit_test(test_url__query_and_fragment),
		cmocka_unit_test(test_url__redaction),
		cmocka_unit_test(test_url__password_finder),
		cmocka_unit_test(test_url__mask),
		cmocka_unit_test(test_url__database_types),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
