/*
 * Unit tests of the statement splitters (src/drivers/split_*.c): spans,
 * flags and each dialect's quoting, plus a differential check of the
 * SQLite splitter against sqlite3_prepare_v2() tails.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "drivers/split.h"

typedef int (*split_fn)(const char *sql, size_t len, strata_stmt_cb cb,
                        void *payload);

#define MAX_SPANS 32

struct span {
	size_t off, len;
	unsigned flags;
};

struct spans {
	struct span v[MAX_SPANS];
	size_t n;
	size_t stop_after; /* return 7 after this many; 0: never */
};

struct want {
	const char *text;
	unsigned flags;
};

#define TXN        STRATA_STMT_TXN_CONTROL
#define NO_TXN     STRATA_STMT_NO_TXN
#define DDL        STRATA_STMT_DDL
#define META       STRATA_STMT_META
#define INCOMPLETE STRATA_STMT_INCOMPLETE

static int collect(void *payload, size_t off, size_t len, unsigned flags)
{
	struct spans *s = payload;

	assert_true(s->n < MAX_SPANS);
	s->v[s->n].off = off;
	s->v[s->n].len = len;
	s->v[s->n].flags = flags;
	s->n++;
	return s->stop_after && s->n == s->stop_after ? 7 : 0;
}

/*
 * Split len bytes of sql from an exact-size heap copy, so that the
 * sanitizer catches any read past the end.
 */
static int run_split(split_fn fn, const char *sql, size_t len,
                     struct spans *out)
{
	char *copy = malloc(len ? len : 1);
	int rc;

	assert_non_null(copy);
	memcpy(copy, sql, len);
	rc = fn(copy, len, collect, out);
	free(copy);
	return rc;
}

static void check_split_len(split_fn fn, const char *sql, size_t len,
                            const struct want *want, size_t n)
{
	struct spans got = { .n = 0 };
	size_t i;

	assert_int_equal(run_split(fn, sql, len, &got), 0);
	if (got.n != n) {
		for (i = 0; i < got.n; i++)
			fprintf(stderr, "got [%.*s] %#x\n", (int)got.v[i].len,
			        sql + got.v[i].off, got.v[i].flags);
	}
	assert_int_equal(got.n, n);
	for (i = 0; i < n; i++) {
		size_t wlen = strlen(want[i].text);

		assert_true(got.v[i].off + got.v[i].len <= len);
		if (got.v[i].len != wlen ||
		    memcmp(sql + got.v[i].off, want[i].text, wlen) != 0)
			fprintf(stderr, "span %zu: got [%.*s] want [%s]\n", i,
			        (int)got.v[i].len, sql + got.v[i].off,
			        want[i].text);
		assert_int_equal(got.v[i].len, wlen);
		assert_memory_equal(sql + got.v[i].off, want[i].text, wlen);
		assert_int_equal(got.v[i].flags, want[i].flags);
	}
}

#define WANT(...)  ((const struct want[]){ __VA_ARGS__ })
#define NWANT(...) (sizeof(WANT(__VA_ARGS__)) / sizeof(struct want))
#define CHECK(fn, sql, ...) \
 check_split_len(fn, sql, strlen(sql), WANT(__VA_ARGS__), NWANT(__VA_ARGS__))

static void check_none(split_fn fn, const char *sql)
{
	check_split_len(fn, sql, strlen(sql), NULL, 0);
}

static void check_stop(split_fn fn, const char *sql)
{
	struct spans got = { .n = 0, .stop_after = 1 };

	assert_int_equal(run_split(fn, sql, strlen(sql), &got), 7);
	assert_int_equal(got.n, 1);
}

/* ------------------------------------------------------------------ */
/* SQLite                                                             */

static void test_split__sqlite_simple(void **state)
{
	(void)state;
	CHECK(strata__split_sqlite, "SELECT 1; SELECT 2;\nSELECT 3",
	      { "SELECT 1;", 0 }, { "SELECT 2;", 0 }, { "SELECT 3", 0 });
}

static void test_split__sqlite_offsets(void **state)
{
	struct spans got = { .n = 0 };
	const char *sql = "  SELECT 1 ;\n\n\tSELECT 2 ";

	(void)state;
	assert_int_equal(
	        run_split(strata__split_sqlite, sql, strlen(sql), &got), 0);
	assert_int_equal(got.n, 2);
	assert_int_equal(got.v[0].off, 2);
	assert_int_equal(got.v[0].len, 10);
	assert_int_equal(got.v[1].off, 15);
	assert_int_equal(got.v[1].len, 9);
}

static void test_split__sqlite_comments(void **state)
{
	(void)state;
	CHECK(strata__split_sqlite,
	      "SELECT 1; -- one\n/* two; */ SELECT 2;\n-- the end\n/* ; */\n",
	      { "SELECT 1;", 0 }, { "-- one\n/* two; */ SELECT 2;", 0 });
}

static void test_split__sqlite_quotes(void **state)
{
	(void)state;
	CHECK(strata__split_sqlite,
	      "SELECT 'a;''b', \"c;\"\"d\", `e;`, [f;g]; SELECT x';';",
	      { "SELECT 'a;''b', \"c;\"\"d\", `e;`, [f;g];", 0 },
	      { "SELECT x';';", 0 });
	/* Tcl-style variables may hold ';' inside their "(...)" */
	CHECK(strata__split_sqlite, "SELECT $a(x;y), @b::c(z;w); SELECT 1;",
	      { "SELECT $a(x;y), @b::c(z;w);", 0 }, { "SELECT 1;", 0 });
	/* a byte order mark is space to SQLite */
	CHECK(strata__split_sqlite, "\xef\xbb\xbfSELECT 1;\xef\xbb\xbf",
	      { "SELECT 1;", 0 });
}

static void test_split__sqlite_trigger(void **state)
{
	(void)state;
	CHECK(strata__split_sqlite,
	      "CREATE TRIGGER tr AFTER INSERT ON t BEGIN\n"
	      "  UPDATE u SET b = CASE WHEN new.a > 0 THEN 1 ELSE 2 END;\n"
	      "  SELECT CASE 1 WHEN 1 THEN 'end;' END;\n"
	      "END;\n"
	      "SELECT 2;",
	      { "CREATE TRIGGER tr AFTER INSERT ON t BEGIN\n"
	        "  UPDATE u SET b = CASE WHEN new.a > 0 THEN 1 ELSE 2 END;\n"
	        "  SELECT CASE 1 WHEN 1 THEN 'end;' END;\n"
	        "END;",
	        DDL },
	      { "SELECT 2;", 0 });
	CHECK(strata__split_sqlite,
	      "CREATE TEMP TRIGGER tr BEFORE DELETE ON t BEGIN DELETE FROM u;",
	      { "CREATE TEMP TRIGGER tr BEFORE DELETE ON t BEGIN DELETE "
	        "FROM u;",
	        DDL | INCOMPLETE });
}

static void test_split__sqlite_flags(void **state)
{
	(void)state;
	CHECK(strata__split_sqlite,
	      "BEGIN IMMEDIATE; CREATE TABLE t(a); ALTER TABLE t ADD b;"
	      " DROP TABLE t; COMMIT; END TRANSACTION; ROLLBACK;"
	      " ROLLBACK TO s; ROLLBACK TRANSACTION TO SAVEPOINT s;"
	      " VACUUM; INSERT INTO t VALUES (1);",
	      { "BEGIN IMMEDIATE;", TXN }, { "CREATE TABLE t(a);", DDL },
	      { "ALTER TABLE t ADD b;", DDL }, { "DROP TABLE t;", DDL },
	      { "COMMIT;", TXN }, { "END TRANSACTION;", TXN },
	      { "ROLLBACK;", TXN }, { "ROLLBACK TO s;", 0 },
	      { "ROLLBACK TRANSACTION TO SAVEPOINT s;", 0 },
	      { "VACUUM;", NO_TXN }, { "INSERT INTO t VALUES (1);", 0 });
	/* setting the journal mode, not reading it, needs no transaction */
	CHECK(strata__split_sqlite,
	      "PRAGMA journal_mode = WAL; pragma main.Journal_Mode(delete);"
	      " PRAGMA journal_mode; PRAGMA journal_size_limit = 1;",
	      { "PRAGMA journal_mode = WAL;", NO_TXN },
	      { "pragma main.Journal_Mode(delete);", NO_TXN },
	      { "PRAGMA journal_mode;", 0 },
	      { "PRAGMA journal_size_limit = 1;", 0 });
}

static void test_split__sqlite_dot_command(void **state)
{
	(void)state;
	CHECK(strata__split_sqlite,
	      "-- setup\n.headers on\r\nSELECT 1;\n  .mode csv\nSELECT 2;",
	      { ".headers on", META }, { "SELECT 1;", 0 },
	      { ".mode csv", META }, { "SELECT 2;", 0 });
	/* psql's and mysql's commands cannot start a SQLite statement */
	CHECK(strata__split_sqlite, "\\set x 1\nSELECT 1; \\g\n",
	      { "\\set x 1", META }, { "SELECT 1;", 0 }, { "\\g", META });
}

static void test_split__sqlite_incomplete(void **state)
{
	(void)state;
	CHECK(strata__split_sqlite, "SELECT 1; SELECT 'abc", { "SELECT 1;", 0 },
	      { "SELECT 'abc", INCOMPLETE });
	CHECK(strata__split_sqlite, "SELECT \"abc",
	      { "SELECT \"abc", INCOMPLETE });
	CHECK(strata__split_sqlite, "SELECT [abc",
	      { "SELECT [abc", INCOMPLETE });
	CHECK(strata__split_sqlite, "SELECT 1; /* open", { "SELECT 1;", 0 },
	      { "/* open", INCOMPLETE });
}

static void test_split__sqlite_empty(void **state)
{
	(void)state;
	check_none(strata__split_sqlite, "");
	check_none(strata__split_sqlite, " \n\t");
	check_none(strata__split_sqlite, "-- a\n/* b */ ; ;\n-- c");
	check_split_len(strata__split_sqlite, "x", 0, NULL, 0);
}

static void test_split__sqlite_stop(void **state)
{
	(void)state;
	check_stop(strata__split_sqlite, "SELECT 1; SELECT 2;");
}

/* The ends of the statements sqlite3_prepare_v2() finds in sql. */
static size_t prepare_ends(sqlite3 *db, const char *sql, size_t *ends,
                           size_t max)
{
	const char *p = sql, *tail = NULL;
	size_t n = 0;

	while (*p) {
		sqlite3_stmt *stmt = NULL;
		int rc = sqlite3_prepare_v2(db, p, -1, &stmt, &tail);

		if (rc != SQLITE_OK)
			fprintf(stderr, "prepare: %s\n", sqlite3_errmsg(db));
		assert_int_equal(rc, SQLITE_OK);
		if (stmt) {
			assert_true(n < max);
			ends[n++] = (size_t)(tail - sql);
		}
		sqlite3_finalize(stmt);
		if (tail == p)
			break;
		p = tail;
	}
	return n;
}

static void test_split__sqlite_matches_prepare(void **state)
{
	static const char *const inputs[] = {
		"SELECT 1; SELECT 'a;b'; -- c\nSELECT \"a;\" FROM t;",
		"CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT CASE WHEN 1 "
		"THEN 2 END; UPDATE u SET b = 1; END; SELECT 2",
		"SELECT [a;b] FROM (SELECT 1 AS [a;b]);;; SELECT `x;` FROM "
		"(SELECT 1 AS `x;`)",
		"SELECT $a(x;y), @b::c(z;w), :d, ?1; SELECT 1 /* ; */;",
		"EXPLAIN CREATE TEMP TRIGGER tr2 BEFORE DELETE ON t BEGIN "
		"DELETE FROM u; END; SELECT x'00';",
		"\xef\xbb\xbfSELECT 1;\t\v;SELECT 2 -- end",
		"CREATE TABLE v(a); CREATE INDEX vi ON t(a); DROP TABLE IF "
		"EXISTS zz; BEGIN; COMMIT; VACUUM;",
		"CREATE TRIGGER \"trigger\" AFTER UPDATE ON t WHEN new.a = 1 "
		"BEGIN INSERT INTO u VALUES (';'); END ; ; SELECT 'END;'",
	};
	sqlite3 *db = NULL;
	size_t i, k, ends[MAX_SPANS], n;

	(void)state;
	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
	                              "CREATE TABLE t(a);"
	                              "CREATE TABLE u(b);",
	                              NULL, NULL, NULL),
	                 SQLITE_OK);
	for (i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		struct spans got = { .n = 0 };

		n = prepare_ends(db, inputs[i], ends, MAX_SPANS);
		assert_int_equal(run_split(strata__split_sqlite, inputs[i],
		                           strlen(inputs[i]), &got),
		                 0);
		assert_int_equal(got.n, n);
		for (k = 0; k < n; k++)
			assert_int_equal(got.v[k].off + got.v[k].len, ends[k]);
	}
	sqlite3_close(db);
}

/* ------------------------------------------------------------------ */
/* PostgreSQL                                                         */

static void test_split__postgres_simple(void **state)
{
	(void)state;
	CHECK(strata__split_postgres, "SELECT 1; SELECT 2;\nSELECT 3",
	      { "SELECT 1;", 0 }, { "SELECT 2;", 0 }, { "SELECT 3", 0 });
}

static void test_split__postgres_offsets(void **state)
{
	struct spans got = { .n = 0 };
	const char *sql = "  SELECT 1 ;\n\n\tSELECT 2 ";

	(void)state;
	assert_int_equal(
	        run_split(strata__split_postgres, sql, strlen(sql), &got), 0);
	assert_int_equal(got.n, 2);
	assert_int_equal(got.v[0].off, 2);
	assert_int_equal(got.v[0].len, 10);
	assert_int_equal(got.v[1].off, 15);
	assert_int_equal(got.v[1].len, 9);
}

static void test_split__postgres_comments(void **state)
{
	(void)state;
	CHECK(strata__split_postgres,
	      "SELECT 1; -- one\n/* two; */ SELECT 2;\n-- the end\n/* ; */\n",
	      { "SELECT 1;", 0 }, { "-- one\n/* two; */ SELECT 2;", 0 });
	CHECK(strata__split_postgres,
	      "/* a /* b; */ c; */ SELECT 1; SELECT 2 /* x /* y */ ; */;",
	      { "/* a /* b; */ c; */ SELECT 1;", 0 },
	      { "SELECT 2 /* x /* y */ ; */;", 0 });
}

static void test_split__postgres_quotes(void **state)
{
	(void)state;
	CHECK(strata__split_postgres,
	      "SELECT ';', 'a'';b', \"c;\"\"d\" FROM t; SELECT E'it\\'s; ok';",
	      { "SELECT ';', 'a'';b', \"c;\"\"d\" FROM t;", 0 },
	      { "SELECT E'it\\'s; ok';", 0 });
	/* a continuation line keeps the backslash escapes of E'' */
	CHECK(strata__split_postgres, "SELECT E'a'\n'\\';'; SELECT 2;",
	      { "SELECT E'a'\n'\\';';", 0 }, { "SELECT 2;", 0 });
	/* standard strings take no backslash escapes */
	CHECK(strata__split_postgres, "SELECT '\\'; SELECT 2;",
	      { "SELECT '\\';", 0 }, { "SELECT 2;", 0 });
}

static void test_split__postgres_dollar_quotes(void **state)
{
	(void)state;
	CHECK(strata__split_postgres,
	      "CREATE FUNCTION f() RETURNS int AS $$ BEGIN RETURN 1; END; $$"
	      " LANGUAGE plpgsql;\nDO $fn$ BEGIN PERFORM $$;$$; END $fn$;"
	      " SELECT a$b$ FROM t;",
	      { "CREATE FUNCTION f() RETURNS int AS $$ BEGIN RETURN 1; END; "
	        "$$ LANGUAGE plpgsql;",
	        DDL },
	      { "DO $fn$ BEGIN PERFORM $$;$$; END $fn$;", 0 },
	      { "SELECT a$b$ FROM t;", 0 });
}

static void test_split__postgres_begin_atomic(void **state)
{
	(void)state;
	CHECK(strata__split_postgres,
	      "CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql\n"
	      "BEGIN ATOMIC\n"
	      "  SELECT 1;\n"
	      "  SELECT CASE WHEN true THEN 2 END;\n"
	      "END;\n"
	      "CREATE PROCEDURE p() BEGIN ATOMIC INSERT INTO t VALUES (1); "
	      "END;\n"
	      "BEGIN; SELECT 3; END;",
	      { "CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql\n"
	        "BEGIN ATOMIC\n"
	        "  SELECT 1;\n"
	        "  SELECT CASE WHEN true THEN 2 END;\n"
	        "END;",
	        DDL },
	      { "CREATE PROCEDURE p() BEGIN ATOMIC INSERT INTO t VALUES (1); "
	        "END;",
	        DDL },
	      { "BEGIN;", TXN }, { "SELECT 3;", 0 }, { "END;", TXN });
}

static void test_split__postgres_flags(void **state)
{
	(void)state;
	CHECK(strata__split_postgres,
	      "CREATE UNIQUE INDEX CONCURRENTLY i ON t (a);"
	      "DROP INDEX CONCURRENTLY i;"
	      "REINDEX (VERBOSE) TABLE CONCURRENTLY t;"
	      "VACUUM t;"
	      "CREATE DATABASE d;"
	      "ALTER SYSTEM SET work_mem = '1MB';"
	      "START TRANSACTION;"
	      "COMMIT;"
	      "ROLLBACK TO SAVEPOINT s;"
	      "ROLLBACK;"
	      "ABORT;"
	      "COMMIT PREPARED 'x';"
	      "GRANT SELECT ON t TO u;"
	      "TRUNCATE t;"
	      "COMMENT ON TABLE t IS 'x';"
	      "ALTER TABLE p DETACH PARTITION c CONCURRENTLY;"
	      "SELECT 1;",
	      { "CREATE UNIQUE INDEX CONCURRENTLY i ON t (a);", DDL | NO_TXN },
	      { "DROP INDEX CONCURRENTLY i;", DDL | NO_TXN },
	      { "REINDEX (VERBOSE) TABLE CONCURRENTLY t;", NO_TXN },
	      { "VACUUM t;", NO_TXN }, { "CREATE DATABASE d;", DDL | NO_TXN },
	      { "ALTER SYSTEM SET work_mem = '1MB';", DDL | NO_TXN },
	      { "START TRANSACTION;", TXN }, { "COMMIT;", TXN },
	      { "ROLLBACK TO SAVEPOINT s;", 0 }, { "ROLLBACK;", TXN },
	      { "ABORT;", TXN }, { "COMMIT PREPARED 'x';", NO_TXN },
	      { "GRANT SELECT ON t TO u;", DDL }, { "TRUNCATE t;", DDL },
	      { "COMMENT ON TABLE t IS 'x';", DDL },
	      { "ALTER TABLE p DETACH PARTITION c CONCURRENTLY;",
	        DDL | NO_TXN },
	      { "SELECT 1;", 0 });
}

static void test_split__postgres_meta(void **state)
{
	(void)state;
	CHECK(strata__split_postgres,
	      "\\set x 1\nSELECT :x;\n  \\echo don't\r\n-- c\n\\i other.sql",
	      { "\\set x 1", META }, { "SELECT :x;", 0 },
	      { "\\echo don't", META }, { "\\i other.sql", META });
	/* inside a statement or a string it is not a meta-command */
	CHECK(strata__split_postgres, "SELECT '\n\\set x';\n",
	      { "SELECT '\n\\set x';", 0 });
}

static void test_split__postgres_incomplete(void **state)
{
	(void)state;
	CHECK(strata__split_postgres, "SELECT 1; SELECT 'abc;",
	      { "SELECT 1;", 0 }, { "SELECT 'abc;", INCOMPLETE });
	CHECK(strata__split_postgres, "SELECT 1; /* a /* b */ ;",
	      { "SELECT 1;", 0 }, { "/* a /* b */ ;", INCOMPLETE });
	CHECK(strata__split_postgres, "DO $x$ BEGIN; $$ END; $$;",
	      { "DO $x$ BEGIN; $$ END; $$;", INCOMPLETE });
	CHECK(strata__split_postgres, "SELECT E'\\';",
	      { "SELECT E'\\';", INCOMPLETE });
	CHECK(strata__split_postgres, "SELECT \"a;",
	      { "SELECT \"a;", INCOMPLETE });
	CHECK(strata__split_postgres,
	      "CREATE FUNCTION f() RETURNS int BEGIN ATOMIC SELECT 1;",
	      { "CREATE FUNCTION f() RETURNS int BEGIN ATOMIC SELECT 1;",
	        DDL | INCOMPLETE });
}

/* What libpg_query's scanner skips or rejects is still reported. */
static void test_split__postgres_scanner_gaps(void **state)
{
	(void)state;
	CHECK(strata__split_postgres, "SELECT 1); SELECT 2; SELECT (3);",
	      { "SELECT 1);", 0 }, { "SELECT 2;", 0 }, { "SELECT (3);", 0 });
	CHECK(strata__split_postgres, "foo; SELECT 1; bar", { "foo;", 0 },
	      { "SELECT 1;", 0 }, { "bar", 0 });
	CHECK(strata__split_postgres, "SELECT 1abc; SELECT \"\";",
	      { "SELECT 1abc;", 0 }, { "SELECT \"\";", 0 });
	CHECK(strata__split_postgres, "SELECT (1; 2); SELECT 3",
	      { "SELECT (1; 2);", 0 }, { "SELECT 3", 0 });
	/* a word after a number takes the '$', so no dollar quote opens */
	CHECK(strata__split_postgres, "SELECT 1.e$$; SELECT 2;",
	      { "SELECT 1.e$$;", 0 }, { "SELECT 2;", 0 });
	/* but an exponent belongs to the number: here a quote opens */
	CHECK(strata__split_postgres, "SELECT 1e5$a$;$a$; SELECT 2;",
	      { "SELECT 1e5$a$;$a$;", 0 }, { "SELECT 2;", 0 });
}

static void test_split__postgres_nul_byte(void **state)
{
	static const char sql[] = "SELECT 1;\0SELECT 2;";

	(void)state;
	check_split_len(strata__split_postgres, sql, sizeof(sql) - 1,
	                WANT({ "SELECT 1;", 0 }, { "SELECT 2;", 0 }), 2);
}

static void test_split__postgres_empty(void **state)
{
	(void)state;
	check_none(strata__split_postgres, "");
	check_none(strata__split_postgres, " \n\t");
	check_none(strata__split_postgres, "-- a\n/* b /* c */ */ ; ;\n-- d");
	check_split_len(strata__split_postgres, "x", 0, NULL, 0);
}

static void test_split__postgres_stop(void **state)
{
	(void)state;
	check_stop(strata__split_postgres, "SELECT 1; SELECT 2;");
	check_stop(strata__split_postgres, "\\set a 1\nSELECT 2;");
}

/*
 * A long text is split a segment at a time (split_postgres.c): the
 * statements must be those of the whole text, and no allocation may grow
 * with the text.
 */
static const char large_unit[] =
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql\n"
        "BEGIN ATOMIC\n  SELECT 1;\n  SELECT 2;\nEND;\n"
        "INSERT INTO t VALUES ('a;b', $$c;d$$, $x$ ; $x$, E'\\';'); -- e;\n"
        "/* f; /* g; */ */ SELECT 'h\n;i' ;\n"
        "\\set x 1\n"
        "DO $$ BEGIN PERFORM 1; END $$;\n"
        "VACUUM t;\n";

struct large_check {
	const struct spans *unit;
	size_t unit_len, n;
};

static int large_cb(void *payload, size_t off, size_t len, unsigned flags)
{
	struct large_check *c = payload;
	const struct span *w = &c->unit->v[c->n % c->unit->n];
	size_t base = c->n / c->unit->n * c->unit_len;

	assert_int_equal(off, base + w->off);
	assert_int_equal(len, w->len);
	assert_int_equal(flags, w->flags);
	c->n++;
	return 0;
}

static size_t largest_alloc;

static void *measuring_malloc(size_t n)
{
	if (n > largest_alloc)
		largest_alloc = n;
	return malloc(n);
}

static void *measuring_realloc(void *p, size_t n)
{
	if (n > largest_alloc)
		largest_alloc = n;
	return realloc(p, n);
}

static void test_split__postgres_large_text(void **state)
{
	size_t ulen = sizeof(large_unit) - 1, k = 8 * 1024 * 1024 / ulen, i;
	struct spans unit = { .n = 0 };
	struct large_check c = { &unit, ulen, 0 };
	char *sql = malloc(k * ulen);

	(void)state;
	assert_non_null(sql);
	assert_int_equal(
	        run_split(strata__split_postgres, large_unit, ulen, &unit), 0);
	assert_int_equal(unit.n, 6);
	for (i = 0; i < k; i++)
		memcpy(sql + i * ulen, large_unit, ulen);
	largest_alloc = 0;
	strata_set_allocator(measuring_malloc, measuring_realloc, free);
	assert_int_equal(strata__split_postgres(sql, k * ulen, large_cb, &c),
	                 0);
	strata_set_allocator(NULL, NULL, NULL);
	assert_int_equal(c.n, k * unit.n);
	/* a segment's copy and marks, not the text's */
	assert_true(largest_alloc < 4 * 1024 * 1024);
	free(sql);
}

/* A statement longer than a segment, and one that never ends. */
static void test_split__postgres_large_statement(void **state)
{
	size_t big = 3 * 1024 * 1024, n;
	char *sql = malloc(big + 64), *p;

	(void)state;
	assert_non_null(sql);
	p = sql + snprintf(sql, 64, "SELECT 1;\nSELECT '");
	memset(p, 'x', big);
	p += big;
	n = (size_t)(p - sql) + (size_t)snprintf(p, 64, "';\nSELECT 2;\n");
	{
		struct spans got = { .n = 0 };

		assert_int_equal(
		        run_split(strata__split_postgres, sql, n, &got), 0);
		assert_int_equal(got.n, 3);
		assert_int_equal(got.v[1].off, 10);
		assert_int_equal(got.v[1].len, big + 10);
		assert_int_equal(got.v[2].off, big + 21);
	}
	/* unterminated: the rest is one INCOMPLETE statement */
	sql[n - 13] = 'x';
	{
		struct spans got = { .n = 0 };

		assert_int_equal(
		        run_split(strata__split_postgres, sql, n, &got), 0);
		assert_int_equal(got.n, 2);
		assert_int_equal(got.v[1].off, 10);
		assert_int_equal(got.v[1].len, n - 10);
		assert_int_equal(got.v[1].flags, INCOMPLETE);
	}
	free(sql);
}

static int alloc_count, alloc_fail_at;

static void *failing_malloc(size_t n)
{
	return ++alloc_count == alloc_fail_at ? NULL : malloc(n);
}

static void *failing_realloc(void *p, size_t n)
{
	return ++alloc_count == alloc_fail_at ? NULL : realloc(p, n);
}

/* Fail the k-th allocation for k = 1, 2, ... until the split succeeds. */
static void test_split__postgres_out_of_memory(void **state)
{
	char sql[20 * 10 + 16] = "\\set x 1\n";
	int k, rc;
	size_t i;

	(void)state;
	for (i = 0; i < 20; i++)
		memcpy(sql + 9 + 10 * i, "SELECT 1;\n", 11);
	for (k = 1;; k++) {
		struct spans got = { .n = 0 };

		alloc_count = 0;
		alloc_fail_at = k;
		strata_set_allocator(failing_malloc, failing_realloc, free);
		rc = strata__split_postgres(sql, strlen(sql), collect, &got);
		strata_set_allocator(NULL, NULL, NULL);
		if (rc == STRATA_ENOMEM) {
			assert_int_equal(got.n, 0);
			continue;
		}
		assert_int_equal(rc, 0);
		assert_int_equal(got.n, 21);
		break;
	}
	assert_true(k > 2);
}

/* ------------------------------------------------------------------ */
/* MySQL                                                              */

static void test_split__mysql_simple(void **state)
{
	(void)state;
	CHECK(strata__split_mysql, "SELECT 1; SELECT 2;\nSELECT 3",
	      { "SELECT 1;", 0 }, { "SELECT 2;", 0 }, { "SELECT 3", 0 });
}

static void test_split__mysql_offsets(void **state)
{
	struct spans got = { .n = 0 };
	const char *sql = "  SELECT 1 ;\n\n\tSELECT 2 ";

	(void)state;
	assert_int_equal(run_split(strata__split_mysql, sql, strlen(sql), &got),
	                 0);
	assert_int_equal(got.n, 2);
	assert_int_equal(got.v[0].off, 2);
	assert_int_equal(got.v[0].len, 10);
	assert_int_equal(got.v[1].off, 15);
	assert_int_equal(got.v[1].len, 9);
}

static void test_split__mysql_comments(void **state)
{
	(void)state;
	CHECK(strata__split_mysql,
	      "SELECT 1; -- one\n# two;\n/* three; */ SELECT 2;\n# end\n",
	      { "SELECT 1;", 0 },
	      { "-- one\n# two;\n/* three; */ SELECT 2;", 0 });
	/* "--" without a space after is two minus signs */
	CHECK(strata__split_mysql, "SELECT 1--1; SELECT 2 --\n;",
	      { "SELECT 1--1;", 0 }, { "SELECT 2 --\n;", 0 });
}

static void test_split__mysql_quotes(void **state)
{
	(void)state;
	/* a byte order mark at the start of the file is skipped */
	CHECK(strata__split_mysql, "\xef\xbb\xbfSELECT 1;", { "SELECT 1;", 0 });
	CHECK(strata__split_mysql,
	      "SELECT 'a\\';b', \"c\\\";d\", 'e'';f', `g;``h` FROM t; "
	      "SELECT '\\\\'; SELECT 2;",
	      { "SELECT 'a\\';b', \"c\\\";d\", 'e'';f', `g;``h` FROM t;", 0 },
	      { "SELECT '\\\\';", 0 }, { "SELECT 2;", 0 });
}

static void test_split__mysql_delimiter(void **state)
{
	(void)state;
	CHECK(strata__split_mysql,
	      "DELIMITER $$\n"
	      "CREATE PROCEDURE p()\nBEGIN\n  SELECT 1;\n  SELECT 2;\nEND$$\n"
	      "CALL p()$$\n"
	      "delimiter //\n"
	      "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW "
	      "BEGIN SET @x = 1; END //\n"
	      "  DELIMITER ;\n"
	      "SELECT 3;",
	      { "CREATE PROCEDURE p()\nBEGIN\n  SELECT 1;\n  SELECT 2;\nEND",
	        DDL },
	      { "CALL p()", 0 },
	      { "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW "
	        "BEGIN SET @x = 1; END ",
	        DDL },
	      { "SELECT 3;", 0 });
	CHECK(strata__split_mysql, "DELIMITER '//'\nSELECT 1//\n",
	      { "SELECT 1", 0 });
	/* the delimiter is matched with case, even inside a word */
	CHECK(strata__split_mysql, "DELIMITER GO\nSELECT 1 go\nGO SELECT GOOD",
	      { "SELECT 1 go\n", 0 }, { "SELECT ", 0 }, { "OD", 0 });
	/* DELIMITER counts only at the start of a statement */
	CHECK(strata__split_mysql, "SELECT 1\nDELIMITER $$;",
	      { "SELECT 1\nDELIMITER $$;", 0 });
}

static void test_split__mysql_executable_comments(void **state)
{
	(void)state;
	CHECK(strata__split_mysql,
	      "/*!40101 SET @x = 1; */; SELECT /*+ BKA(t) */ 1; /* no; */",
	      { "/*!40101 SET @x = 1; */;", 0 },
	      { "SELECT /*+ BKA(t) */ 1;", 0 });
}

static void test_split__mysql_flags(void **state)
{
	(void)state;
	CHECK(strata__split_mysql,
	      "BEGIN; BEGIN WORK; START TRANSACTION; COMMIT; ROLLBACK;"
	      " ROLLBACK WORK TO SAVEPOINT s; SET autocommit = 0;"
	      " SET @@session.autocommit = 1; CREATE TABLE t (a int);"
	      " RENAME TABLE t TO u; TRUNCATE u; GRANT ALL ON u TO x;"
	      " INSERT INTO u VALUES (1);",
	      { "BEGIN;", TXN }, { "BEGIN WORK;", TXN },
	      { "START TRANSACTION;", TXN }, { "COMMIT;", TXN },
	      { "ROLLBACK;", TXN }, { "ROLLBACK WORK TO SAVEPOINT s;", 0 },
	      { "SET autocommit = 0;", TXN },
	      { "SET @@session.autocommit = 1;", TXN },
	      { "CREATE TABLE t (a int);", DDL },
	      { "RENAME TABLE t TO u;", DDL }, { "TRUNCATE u;", DDL },
	      { "GRANT ALL ON u TO x;", DDL },
	      { "INSERT INTO u VALUES (1);", 0 });
}

static void test_split__mysql_meta(void **state)
{
	(void)state;
	CHECK(strata__split_mysql, "\\. other.sql\nSELECT 1;\n  \\W\r\n",
	      { "\\. other.sql", META }, { "SELECT 1;", 0 }, { "\\W", META });
}

static void test_split__mysql_incomplete(void **state)
{
	(void)state;
	CHECK(strata__split_mysql, "SELECT 1; SELECT 'abc\\';",
	      { "SELECT 1;", 0 }, { "SELECT 'abc\\';", INCOMPLETE });
	CHECK(strata__split_mysql, "SELECT `a;", { "SELECT `a;", INCOMPLETE });
	CHECK(strata__split_mysql, "/*!50003 SELECT 1;",
	      { "/*!50003 SELECT 1;", INCOMPLETE });
	CHECK(strata__split_mysql, "SELECT 1; /* open", { "SELECT 1;", 0 },
	      { "/* open", INCOMPLETE });
}

static void test_split__mysql_empty(void **state)
{
	(void)state;
	check_none(strata__split_mysql, "");
	check_none(strata__split_mysql, " \n\t");
	check_none(strata__split_mysql, "-- a\n# b\n/* c */ ; ;\n-- d");
	check_none(strata__split_mysql, "DELIMITER $$\n$$ $$\n");
	check_split_len(strata__split_mysql, "x", 0, NULL, 0);
}

static void test_split__mysql_stop(void **state)
{
	(void)state;
	check_stop(strata__split_mysql, "SELECT 1; SELECT 2;");
	check_stop(strata__split_mysql, "\\W\nSELECT 2;");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split__sqlite_simple),
		cmocka_unit_test(test_split__sqlite_offsets),
		cmocka_unit_test(test_split__sqlite_comments),
		cmocka_unit_test(test_split__sqlite_quotes),
		cmocka_unit_test(test_split__sqlite_trigger),
		cmocka_unit_test(test_split__sqlite_flags),
		cmocka_unit_test(test_split__sqlite_dot_command),
		cmocka_unit_test(test_split__sqlite_incomplete),
		cmocka_unit_test(test_split__sqlite_empty),
		cmocka_unit_test(test_split__sqlite_stop),
		cmocka_unit_test(test_split__sqlite_matches_prepare),
		cmocka_unit_test(test_split__postgres_simple),
		cmocka_unit_test(test_split__postgres_offsets),
		cmocka_unit_test(test_split__postgres_comments),
		cmocka_unit_test(test_split__postgres_quotes),
		cmocka_unit_test(test_split__postgres_dollar_quotes),
		cmocka_unit_test(test_split__postgres_begin_atomic),
		cmocka_unit_test(test_split__postgres_flags),
		cmocka_unit_test(test_split__postgres_meta),
		cmocka_unit_test(test_split__postgres_incomplete),
		cmocka_unit_test(test_split__postgres_scanner_gaps),
		cmocka_unit_test(test_split__postgres_nul_byte),
		cmocka_unit_test(test_split__postgres_empty),
		cmocka_unit_test(test_split__postgres_stop),
		cmocka_unit_test(test_split__postgres_out_of_memory),
		cmocka_unit_test(test_split__postgres_large_text),
		cmocka_unit_test(test_split__postgres_large_statement),
		cmocka_unit_test(test_split__mysql_simple),
		cmocka_unit_test(test_split__mysql_offsets),
		cmocka_unit_test(test_split__mysql_comments),
		cmocka_unit_test(test_split__mysql_quotes),
		cmocka_unit_test(test_split__mysql_delimiter),
		cmocka_unit_test(test_split__mysql_executable_comments),
		cmocka_unit_test(test_split__mysql_flags),
		cmocka_unit_test(test_split__mysql_meta),
		cmocka_unit_test(test_split__mysql_incomplete),
		cmocka_unit_test(test_split__mysql_empty),
		cmocka_unit_test(test_split__mysql_stop),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
