/*
 * The driver contract: one set of tests every driver passes, run against
 * a real database (after golang-migrate's database/testing and apr-util's
 * testdbd.c). `contract DB` takes DB's URL from the environment:
 * STRATA_TEST_SQLITE_URL (else a file in a temporary folder),
 * STRATA_TEST_PG_URL, STRATA_TEST_MYSQL_URL (tests/lib/servers.sh's env
 * file), makes a scratch database there and drops it at the end. Without
 * the URL the suite is skipped, and under CI=true it fails.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/common.h"
#include "lib/ctx.h"
#include "lib/driver.h"
#include "lib/history.h"

/* What each database says about "SELEC 2": the contract is that the
 * driver passes it on, not what it is. */
struct expect {
	const char *db;
	const char *syntax_sqlstate; /* "" when the database has none */
	int syntax_native;           /* 0 when the database has none */
};

static const struct expect expects[] = {
	{ "sqlite", "", 1 /* SQLITE_ERROR */ },
	{ "postgres", "42601", 0 },
	{ "mysql", "42000", 1064 /* ER_PARSE_ERROR */ },
};

static const struct expect *want;
static char url[600];      /* the scratch database */
static char base_url[600]; /* the server's default database */
static char scratch[64];   /* its name (server databases) */
static char tmpdir[64];    /* SQLite: the folder of its file */

static strata_ctx *new_ctx(const char *u)
{
	strata_options o = { 0 };
	strata_ctx *ctx = NULL;

	o.database_url = u;
	o.lock_timeout_ms = 5000;
	assert_int_equal(strata_ctx_new(&ctx, &o), 0);
	return ctx;
}

static strata_ctx *open_ctx(void)
{
	strata_ctx *ctx = new_ctx(url);
	int rc = strata__connect(ctx, 1);

	if (rc < 0)
		fail_msg("cannot connect to %s: %s", url,
		         strata_error_last(ctx)->message);
	return ctx;
}

static void exec_ok(strata_ctx *ctx, const char *sql)
{
	int rc = strata__conn_exec(ctx, sql, strlen(sql));

	if (rc < 0)
		fail_msg("%s: %s", sql, strata_error_last(ctx)->message);
}

/* Rows of a query, as "a|b" lines ("NULL" for SQL NULL). */
struct rows {
	char text[2048];
	int n, ncols;
	int stop_at; /* >0: return STRATA_EINVALID at this row */
};

static int collect(void *payload, int ncols, const char *const *v)
{
	struct rows *r = payload;
	size_t len = strlen(r->text);
	int i;

	r->n++;
	r->ncols = ncols;
	if (r->stop_at && r->n == r->stop_at)
		return STRATA_EINVALID;
	for (i = 0; i < ncols; i++)
		len += (size_t)snprintf(r->text + len, sizeof(r->text) - len,
		                        "%s%s", i ? "|" : "",
		                        v[i] ? v[i] : "NULL");
	snprintf(r->text + len, sizeof(r->text) - len, "\n");
	return 0;
}

static void query_is(strata_ctx *ctx, const char *sql, const char *want_text)
{
	struct rows r = { .n = 0 };
	int rc = strata__conn_query(ctx, sql, collect, &r);

	if (rc < 0)
		fail_msg("%s: %s", sql, strata_error_last(ctx)->message);
	assert_string_equal(r.text, want_text);
}

static int table_exists(strata_ctx *ctx, const char *table)
{
	struct rows r = { .n = 0 };
	int rc = strata__conn_table_columns(ctx, NULL, table, collect, &r);

	if (rc == STRATA_ENOTFOUND)
		return 0;
	assert_int_equal(rc, 0);
	return 1;
}

/* url with its database replaced by name (or name added). */
static void url_with_db(char *out, size_t size, const char *u, const char *name)
{
	const char *p = strstr(u, "://"), *q;

	assert_non_null(p);
	p = strchr(p + 3, '/');
	if (!p) {
		snprintf(out, size, "%s/%s", u, name);
		return;
	}
	q = p + strcspn(p, "?");
	snprintf(out, size, "%.*s/%s%s", (int)(p - u), u, name, q);
}

/* --- connect, disconnect ------------------------------------------------ */

static void test_contract__connect_disconnect(void **state)
{
	strata_ctx *ctx;

	(void)state;
	ctx = open_ctx();
	query_is(ctx, "SELECT 1", "1\n");
	strata__disconnect(ctx);
	assert_null(ctx->conn);
	/* a context connects again after a disconnect */
	assert_int_equal(strata__connect(ctx, 1), 0);
	query_is(ctx, "SELECT 2", "2\n");
	strata_ctx_free(ctx);
}

/* A connect() that fails part-way: disconnect() runs on the half-open
 * connection (the engine calls it; ASan sees a bad free or a leak). */
static void test_contract__disconnect_half_open(void **state)
{
	strata_ctx *ctx;
	char bad[700];
	int rc;

	(void)state;
	if (strcmp(want->db, "sqlite") == 0)
		snprintf(bad, sizeof(bad), "sqlite:%s/no/such/folder/x.db",
		         tmpdir);
	else if (strcmp(want->db, "postgres") == 0)
		snprintf(bad, sizeof(bad),
		         "postgres://postgres@127.0.0.1:1/x?sslmode=disable");
	else
		snprintf(bad, sizeof(bad), "mysql://root@127.0.0.1:1/x");
	ctx = new_ctx(bad);
	rc = strata__connect(ctx, 1);
	assert_true(rc < 0);
	assert_null(ctx->conn);
	assert_true(strata_error_last(ctx)->message[0] != '\0');
	strata_ctx_free(ctx);

	/* a database that does not exist, not to be created */
	if (strcmp(want->db, "sqlite") == 0)
		snprintf(bad, sizeof(bad), "sqlite:%s/missing.db", tmpdir);
	else
		url_with_db(bad, sizeof(bad), url, "strata_contract_missing");
	ctx = new_ctx(bad);
	rc = strata__connect(ctx, 0);
	assert_true(rc < 0);
	assert_null(ctx->conn);
	if (strcmp(want->db, "sqlite") == 0)
		assert_int_equal(rc, STRATA_ENOTFOUND);
	strata_ctx_free(ctx);
}

/* --- exec, errors, query ------------------------------------------------ */

static void test_contract__exec_one_and_many(void **state)
{
	strata_ctx *ctx = open_ctx();

	(void)state;
	/* one statement without its terminator, then several */
	exec_ok(ctx, "CREATE TABLE c_exec (id INT)");
	exec_ok(ctx, "INSERT INTO c_exec VALUES (1); INSERT INTO c_exec "
	             "VALUES (2);\n-- a comment\nINSERT INTO c_exec VALUES "
	             "(3);\n");
	query_is(ctx, "SELECT COUNT(*) FROM c_exec", "3\n");
	strata_ctx_free(ctx);
}

static void test_contract__error_offset_code(void **state)
{
	static const char sql[] = "SELECT 1;\nSELEC 2;\n";
	const strata_error *e;
	strata_ctx *ctx = open_ctx();

	(void)state;
	assert_int_equal(strata__conn_exec(ctx, sql, strlen(sql)), STRATA_EDB);
	e = strata_error_last(ctx);
	assert_int_equal(e->code, STRATA_EDB);
	assert_true(e->message[0] != '\0');
	assert_string_equal(e->sqlstate, want->syntax_sqlstate);
	assert_int_equal(e->native_code, want->syntax_native);
	/* the offset is in the second statement, where the error is */
	assert_true(ctx->err_offset >= (long)strlen("SELECT 1;\n"));
	assert_true(ctx->err_offset < (long)strlen(sql));
	/* and the connection goes on */
	query_is(ctx, "SELECT 3", "3\n");
	strata_ctx_free(ctx);
}

static void test_contract__query_rows_nulls(void **state)
{
	struct rows r = { .n = 0 };
	strata_ctx *ctx = open_ctx();

	(void)state;
	exec_ok(ctx, "CREATE TABLE c_q (id INT, v VARCHAR(10))");
	exec_ok(ctx, "INSERT INTO c_q VALUES (1, 'a'), (2, NULL), (3, '')");
	query_is(ctx, "SELECT id, v FROM c_q ORDER BY id", "1|a\n2|NULL\n3|\n");
	query_is(ctx, "SELECT id FROM c_q WHERE id > 9", "");
	/* a callback's error stops the query and comes back; the
	 * connection is still usable */
	r.stop_at = 2;
	assert_int_equal(strata__conn_query(ctx,
	                                    "SELECT id FROM c_q ORDER BY id",
	                                    collect, &r),
	                 STRATA_EINVALID);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.ncols, 1);
	query_is(ctx, "SELECT COUNT(*) FROM c_q", "3\n");
	strata_ctx_free(ctx);
}

/* --- transactions, locks ------------------------------------------------ */

static void test_contract__transactions(void **state)
{
	strata_ctx *ctx = open_ctx(), *other = open_ctx();
	struct txn t;

	(void)state;
	exec_ok(ctx, "CREATE TABLE c_tx (id INT)");
	assert_int_equal(strata__txn_begin(&t, ctx), 0);
	exec_ok(ctx, "INSERT INTO c_tx VALUES (1)");
	strata__txn_rollback(&t);
	query_is(ctx, "SELECT COUNT(*) FROM c_tx", "0\n");

	assert_int_equal(strata__txn_begin(&t, ctx), 0);
	exec_ok(ctx, "INSERT INTO c_tx VALUES (2)");
	assert_int_equal(strata__txn_commit(&t), 0);
	query_is(other, "SELECT id FROM c_tx", "2\n");

	/* DDL rolls back where the driver says it does, and only there */
	assert_int_equal(strata__txn_begin(&t, ctx), 0);
	exec_ok(ctx, "CREATE TABLE c_txddl (id INT)");
	strata__txn_rollback(&t);
	assert_int_equal(table_exists(other, "c_txddl"),
	                 !strata__driver_can(ctx, STRATA_DRIVER_CAP_TXN_DDL));
	strata_ctx_free(other);
	strata_ctx_free(ctx);
}

/*
 * A rollback never commits while its history row stays: the driver tells
 * how many rows a DELETE changed (changes()), or the engine asks; and a
 * driver with one_row_sql() makes the DELETE itself fail unless it
 * removed exactly one row, so that the COMMIT can go in the same batch.
 */
static void one_row_is(strata_ctx *ctx, const char *stmt, int64_t rows)
{
	strata_buf sql = STRATA_BUF_INIT;
	struct txn t;
	int rc;

	assert_int_equal(strata__buf_puts(&sql, "BEGIN;\n"), 0);
	rc = strata__conn_one_row_sql(ctx, &sql, stmt, strlen(stmt));
	assert_int_equal(rc, 0);
	assert_int_equal(strata__buf_puts(&sql, "COMMIT;"), 0);
	strata__txn_adopt(&t, ctx);
	rc = strata__conn_exec(ctx, sql.ptr, sql.len);
	strata_buf_release(&sql);
	if (rows == 1) {
		if (rc < 0)
			fail_msg("%s: %s", stmt,
			         strata_error_last(ctx)->message);
		assert_int_equal(strata__txn_committed(&t), 0);
		return;
	}
	assert_int_equal(rc, STRATA_EDB);
	assert_string_equal(strata_error_last(ctx)->sqlstate,
	                    STRATA_SQLSTATE_ROW_COUNT);
	assert_non_null(
	        strstr(strata_error_last(ctx)->message, rows == 0 ? "0" : "2"));
	strata__txn_rollback(&t);
}

static void test_contract__row_counts(void **state)
{
	strata_ctx *ctx = open_ctx();
	int64_t n;

	(void)state;
	exec_ok(ctx, "CREATE TABLE c_rows (id INT, v VARCHAR(20))");
	exec_ok(ctx, "INSERT INTO c_rows VALUES (1, 'a'), (2, 'b'), (2, 'c'), "
	             "(3, 'x$strata$y')");
	exec_ok(ctx, "DELETE FROM c_rows WHERE id = 9");
	n = strata__conn_changes(ctx);
	assert_true(n == 0 || n == -1); /* -1: the driver cannot tell */
	if (!strata__driver_has(ctx, STRATA_DRV_ONE_ROW_SQL)) {
		strata_buf out = STRATA_BUF_INIT;

		assert_int_equal(strata__conn_one_row_sql(ctx, &out, "x", 1),
		                 STRATA_EINVALID);
		strata_ctx_free(ctx);
		return;
	}
	one_row_is(ctx, "DELETE FROM c_rows WHERE id = 9", 0);
	one_row_is(ctx, "DELETE FROM c_rows WHERE id = 2", 2);
	query_is(ctx, "SELECT COUNT(*) FROM c_rows", "4\n");
	one_row_is(ctx, "DELETE FROM c_rows WHERE id = 1", 1);
	/* the statement may hold the driver's own quoting */
	one_row_is(ctx, "DELETE FROM c_rows WHERE v = 'x$strata$y'", 1);
	query_is(ctx, "SELECT id FROM c_rows ORDER BY v", "2\n2\n");
	strata_ctx_free(ctx);
}

static void test_contract__lock_unlock(void **state)
{
	static const char key[] = "strata_contract";
	strata_ctx *a, *b;

	(void)state;
	a = open_ctx();
	assert_int_equal(strata__driver_has(a, STRATA_DRV_LOCK),
	                 strata__driver_can(a, STRATA_DRIVER_CAP_LOCK));
	if (!strata__driver_has(a, STRATA_DRV_LOCK)) {
		/* no runner lock (SQLite's own write lock serves): the
		 * engine's call says so and is not an error */
		assert_int_equal(strata__conn_lock(a, key, 0), STRATA_ENOTSUPP);
		assert_int_equal(strata__conn_unlock(a, key), STRATA_ENOTSUPP);
		strata_ctx_free(a);
		return;
	}
	b = open_ctx();
	assert_int_equal(strata__conn_lock(a, key, 5000), 0);
	/* held: b cannot take it, waiting briefly or not at all */
	assert_int_equal(strata__conn_lock(b, key, 200), STRATA_ELOCKED);
	assert_int_equal(strata_error_last(b)->code, STRATA_ELOCKED);
	assert_int_equal(strata__conn_lock(b, key, -1), STRATA_ELOCKED);
	/* another key is free */
	assert_int_equal(strata__conn_lock(b, "strata_contract_2", -1), 0);
	assert_int_equal(strata__conn_unlock(b, "strata_contract_2"), 0);
	/* released: b takes it */
	assert_int_equal(strata__conn_unlock(a, key), 0);
	assert_int_equal(strata__conn_lock(b, key, 5000), 0);
	assert_int_equal(strata__conn_lock(a, key, -1), STRATA_ELOCKED);
	/* the connection holds it: a disconnect releases it */
	strata__disconnect(b);
	assert_int_equal(strata__conn_lock(a, key, 5000), 0);
	assert_int_equal(strata__conn_unlock(a, key), 0);
	strata_ctx_free(b);
	strata_ctx_free(a);
}

/* --- quoting ------------------------------------------------------------ */

static void test_contract__quote_hostile(void **state)
{
	static const char *const names[] = {
		"a\"b",   "a`b", "a'b",         "x; DROP TABLE c_qh; --",
		"sp ace", "[x]", "caf\xc3\xa9", "a\\b",
	};
	static const char *const literals[] = {
		"it's",
		"back\\slash",
		"\"dq\"",
		"semi;colon",
		"-- dash",
		"/* c */",
		"\\'; SELECT 1; --",
		"caf\xc3\xa9",
		"",
	};
	strata_ctx *ctx = open_ctx();
	strata_buf b = STRATA_BUF_INIT;
	size_t i;

	(void)state;
	exec_ok(ctx, "CREATE TABLE c_qh (id INT)");
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		struct rows r = { .n = 0 };
		char line[sizeof(r.text)];

		strata__buf_clear(&b);
		assert_int_equal(strata__buf_puts(&b, "CREATE TABLE "), 0);
		assert_int_equal(strata__conn_quote_ident(ctx, &b, names[i]),
		                 0);
		assert_int_equal(strata__buf_puts(&b, " ("), 0);
		assert_int_equal(strata__conn_quote_ident(ctx, &b, names[i]),
		                 0);
		assert_int_equal(strata__buf_puts(&b, " INT)"), 0);
		exec_ok(ctx, b.ptr);
		assert_int_equal(strata__conn_table_columns(ctx, NULL, names[i],
		                                            collect, &r),
		                 0);
		snprintf(line, sizeof(line), "%s", r.text);
		line[strcspn(line, "|\n")] = '\0';
		assert_string_equal(line, names[i]);
	}
	assert_true(table_exists(ctx, "c_qh"));
	/* offline quoting (no connection) is the same */
	strata__buf_clear(&b);
	assert_int_equal(ctx->drv->quote_ident(NULL, &b, "a\"b`c"), 0);
	assert_true(b.len > strlen("a\"b`c"));

	for (i = 0; i < ARRAY_SIZE(literals); i++) {
		char want_text[200];

		strata__buf_clear(&b);
		assert_int_equal(strata__buf_puts(&b, "SELECT "), 0);
		assert_int_equal(
		        strata__conn_quote_literal(ctx, &b, literals[i]), 0);
		snprintf(want_text, sizeof(want_text), "%s\n", literals[i]);
		query_is(ctx, b.ptr, want_text);
	}
	strata_buf_release(&b);
	strata_ctx_free(ctx);
}

/* --- split -------------------------------------------------------------- */

struct spans {
	size_t off[16], len[16];
	unsigned flags[16];
	int n;
};

static int span_cb(void *payload, size_t off, size_t len, unsigned flags)
{
	struct spans *s = payload;

	if (s->n == 16)
		return STRATA_EINVALID;
	s->off[s->n] = off;
	s->len[s->n] = len;
	s->flags[s->n] = flags;
	s->n++;
	return 0;
}

static void span_is(const struct spans *s, int i, const char *sql,
                    const char *text)
{
	assert_true(i < s->n);
	assert_int_equal(s->len[i], strlen(text));
	assert_memory_equal(sql + s->off[i], text, strlen(text));
}

static void test_contract__split(void **state)
{
	static const char sql[] = "CREATE TABLE s1 (x INT);\n"
	                          "-- a comment\n"
	                          "INSERT INTO s1 VALUES (1);\n"
	                          "SELECT 'a;b';\n"
	                          "BEGIN;\n"
	                          "SELECT 2";
	static const char tail[] = "SELECT 1;\n-- only a comment\n";
	static const char open_quote[] = "SELECT 1;\nSELECT 'abc;\n";
	struct spans s = { .n = 0 };
	strata_ctx *ctx = new_ctx(url);

	(void)state;
	/* no connection needed */
	assert_int_equal(strata__driver_resolve(ctx), 0);
	assert_int_equal(
	        strata__driver_split(ctx, sql, strlen(sql), span_cb, &s), 0);
	assert_int_equal(s.n, 5);
	span_is(&s, 0, sql, "CREATE TABLE s1 (x INT);");
	span_is(&s, 1, sql, "-- a comment\nINSERT INTO s1 VALUES (1);");
	span_is(&s, 2, sql, "SELECT 'a;b';");
	span_is(&s, 3, sql, "BEGIN;");
	span_is(&s, 4, sql, "SELECT 2");
	assert_true(s.flags[0] & STRATA_STMT_DDL);
	assert_false(s.flags[1] & (STRATA_STMT_DDL | STRATA_STMT_TXN_CONTROL));
	assert_false(s.flags[2] & (STRATA_STMT_DDL | STRATA_STMT_TXN_CONTROL));
	assert_true(s.flags[3] & STRATA_STMT_TXN_CONTROL);

	memset(&s, 0, sizeof(s));
	assert_int_equal(
	        strata__driver_split(ctx, tail, strlen(tail), span_cb, &s), 0);
	assert_int_equal(s.n, 1);
	span_is(&s, 0, tail, "SELECT 1;");

	memset(&s, 0, sizeof(s));
	assert_int_equal(strata__driver_split(ctx, open_quote,
	                                      strlen(open_quote), span_cb, &s),
	                 0);
	assert_int_equal(s.n, 2);
	assert_false(s.flags[0] & STRATA_STMT_INCOMPLETE);
	assert_true(s.flags[1] & STRATA_STMT_INCOMPLETE);
	strata_ctx_free(ctx);
}

/* --- the history table -------------------------------------------------- */

static void test_contract__history_ddl(void **state)
{
	strata_buf b = STRATA_BUF_INIT;
	struct rows r = { .n = 0 };
	strata_ctx *ctx = open_ctx();

	(void)state;
	assert_int_equal(strata__history_check(ctx, 0), 0);
	assert_int_equal(strata__history_sql_create(ctx, &b), 0);
	exec_ok(ctx, b.ptr);
	/* IF NOT EXISTS: twice is fine */
	exec_ok(ctx, b.ptr);
	assert_int_equal(strata__history_check(ctx, 0), 1);
	assert_int_equal(strata__conn_table_columns(
	                         ctx, NULL, "schema_migrations", collect, &r),
	                 0);
	assert_int_equal(r.n, HISTORY_COLUMNS);
	strata_buf_release(&b);
	strata_ctx_free(ctx);
}

/* --- the catalogue (strata drift) ---------------------------------------- */

/* The catalogue's rows as "kind|table|name|attribute|value" lines. */
struct facts {
	char text[16384];
	int bad; /* a row without five values, or a NULL in the first four */
};

static int fact_row(void *payload, int ncols, const char *const *v)
{
	struct facts *f = payload;
	size_t len = strlen(f->text);

	if (ncols != 5 || !v[0] || !v[1] || !v[2] || !v[3]) {
		f->bad = 1;
		return 0;
	}
	snprintf(f->text + len, sizeof(f->text) - len, "%s|%s|%s|%s|%s\n", v[0],
	         v[1], v[2], v[3], v[4] ? v[4] : "NULL");
	return 0;
}

static void facts_have(const struct facts *f, const char *line)
{
	if (!strstr(f->text, line))
		fail_msg("the catalogue lacks '%s':\n%s", line, f->text);
}

static void test_contract__catalog(void **state)
{
	struct facts a, b;
	strata_ctx *ctx = open_ctx();

	(void)state;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	exec_ok(ctx, "CREATE TABLE cat_t (id INT PRIMARY KEY, v VARCHAR(10) "
	             "NOT NULL DEFAULT 'x')");
	exec_ok(ctx, "CREATE INDEX cat_v ON cat_t (v)");
	assert_int_equal(strata__conn_catalog(ctx, NULL, fact_row, &a), 0);
	assert_false(a.bad);
	facts_have(&a, "table||cat_t|");
	facts_have(&a, "column|cat_t|cat_t.v|not null|yes\n");
	facts_have(&a, "column|cat_t|cat_t.id|type|");
	facts_have(&a, "index|cat_t|cat_t.cat_v|definition|");
	/* the same schema, the same facts */
	assert_int_equal(strata__conn_catalog(ctx, NULL, fact_row, &b), 0);
	assert_string_equal(a.text, b.text);
	exec_ok(ctx, "DROP TABLE cat_t");
	memset(&b, 0, sizeof(b));
	assert_int_equal(strata__conn_catalog(ctx, NULL, fact_row, &b), 0);
	assert_null(strstr(b.text, "cat_t"));
	strata_ctx_free(ctx);
}

/* --- the scratch database ----------------------------------------------- */

static void admin_exec(const char *verb, const char *name, const char *end)
{
	char sql[200];
	strata_ctx *ctx = new_ctx(base_url);

	snprintf(sql, sizeof(sql), "%s DATABASE %s%s", verb, name, end);
	if (strata__connect(ctx, 1) < 0 ||
	    strata__conn_exec(ctx, sql, strlen(sql)) < 0) {
		fprintf(stderr, "contract: %s: %s\n", sql,
		        strata_error_last(ctx)->message);
		strata_ctx_free(ctx);
		exit(1);
	}
	strata_ctx_free(ctx);
}

static int setup_db(const char *db)
{
	const char *env = NULL;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(expects); i++)
		if (strcmp(expects[i].db, db) == 0)
			want = &expects[i];
	if (!want) {
		fprintf(stderr, "contract: unknown database '%s'\n", db);
		return -1;
	}
	snprintf(tmpdir, sizeof(tmpdir), "%s", "/tmp/strata-contract-XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("contract: mkdtemp");
		return -1;
	}
	if (!strata__driver_find(db)) {
		printf("contract %s: strata was built without this driver\n",
		       db);
		return 1;
	}
	if (strcmp(db, "sqlite") == 0) {
		env = getenv("STRATA_TEST_SQLITE_URL");
		if (env && env[0])
			snprintf(url, sizeof(url), "%s", env);
		else
			snprintf(url, sizeof(url), "sqlite:%s/contract.db",
			         tmpdir);
		return 0;
	}
	env = getenv(strcmp(db, "postgres") == 0 ? "STRATA_TEST_PG_URL" :
	                                           "STRATA_TEST_MYSQL_URL");
	if (!env || !env[0])
		return 1;
	snprintf(base_url, sizeof(base_url), "%s", env);
	/* servers.sh's MySQL URL names no database: connect to mysql's */
	if (strcmp(db, "mysql") == 0 && base_url[strlen(base_url) - 1] == '/')
		url_with_db(base_url, sizeof(base_url), env, "mysql");
	snprintf(scratch, sizeof(scratch), "strata_contract_%ld",
	         (long)getpid());
	admin_exec("CREATE", scratch, "");
	url_with_db(url, sizeof(url), base_url, scratch);
	return 0;
}

static void teardown_db(const char *db)
{
	char path[200];

	if (scratch[0])
		admin_exec("DROP", scratch,
		           strcmp(db, "postgres") == 0 ? " WITH (FORCE)" : "");
	snprintf(path, sizeof(path), "%s/contract.db", tmpdir);
	unlink(path);
	rmdir(tmpdir);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_contract__connect_disconnect),
		cmocka_unit_test(test_contract__disconnect_half_open),
		cmocka_unit_test(test_contract__exec_one_and_many),
		cmocka_unit_test(test_contract__error_offset_code),
		cmocka_unit_test(test_contract__query_rows_nulls),
		cmocka_unit_test(test_contract__transactions),
		cmocka_unit_test(test_contract__row_counts),
		cmocka_unit_test(test_contract__lock_unlock),
		cmocka_unit_test(test_contract__quote_hostile),
		cmocka_unit_test(test_contract__split),
		cmocka_unit_test(test_contract__history_ddl),
		cmocka_unit_test(test_contract__catalog),
	};
	const char *ci = getenv("CI");
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: contract sqlite|postgres|mysql\n");
		return 2;
	}
	rc = setup_db(argv[1]);
	if (rc < 0)
		return 2;
	if (rc > 0) {
		if (ci && strcmp(ci, "true") == 0) {
			printf("contract %s: no server URL or driver, "
			       "required under CI\n[  FAILED  ] 1 test(s)\n",
			       argv[1]);
			teardown_db(argv[1]);
			return 1;
		}
		printf("contract %s: skipped\n"
		       "[  SKIPPED ] %zu test(s)\n",
		       argv[1], ARRAY_SIZE(tests));
		teardown_db(argv[1]);
		return 0;
	}
	rc = cmocka_run_group_tests_name(argv[1], tests, NULL, NULL);
	teardown_db(argv[1]);
	return rc;
}
