/*
 * Unit tests of lint's rules (src/lib/lint_*.c): each statement against
 * the rules of its dialect, the run's new tables, lock timeouts, ignore
 * markers and levels.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "lib/common.h"
#include "lib/lint.h"

static strata_ctx *ctx;
static struct lint_run run;

static void start(unsigned dialect)
{
	strata_options o;

	memset(&o, 0, sizeof(o));
	o.database_url = "sqlite::memory:";
	assert_int_equal(strata_ctx_new(&ctx, &o), 0);
	memset(&run, 0, sizeof(run));
	run.ctx = ctx;
	run.dialect = dialect;
	run.path = "m.sql";
	run.lock_timeout = 1; /* the lock rule has tests of its own */
}

static void finish(void)
{
	while (run.n) {
		struct lint_item *it = &run.v[--run.n];

		free(it->file);
		free(it->message);
		free(it->statement);
		free(it->table);
	}
	free(run.v);
	strata__lint_names_release(&run.new_tables);
	strata__lint_names_release(&run.old_dropped);
	strata_ctx_free(ctx);
	ctx = NULL;
}

/* Lint one statement; the findings it added, as "rule[/suppressed]"
 * joined by ' ' into out. */
static const char *lint(const char *sql)
{
	static char out[1024];
	struct lint_stmt st = { sql, strlen(sql), 0, 1, 1, 1 };
	size_t first = run.n, i, pos = 0;
	int rc;

	memset(run.ignored, 0, sizeof(run.ignored));
	run.st = &st;
	rc = run.dialect == LINT_PG ? strata__lint_pg(&run) :
	                              strata__lint_kw(&run);
	run.st = NULL;
	assert_int_equal(rc, 0);
	out[0] = '\0';
	for (i = first; i < run.n && pos < sizeof(out); i++) {
		const struct lint_item *it = &run.v[i];

		pos += (size_t)snprintf(
		        out + pos, sizeof(out) - pos, "%s%s%s%s",
		        pos ? " " : "",
		        it->rule < 0 ? "input" :
		                       strata__lint_rule_name(it->rule),
		        it->suppressed ? "/" : "",
		        it->suppressed ? it->suppressed : "");
	}
	return out;
}

static void test_lint__pg_rules_on_existing_tables(void **state)
{
	(void)state;
	start(LINT_PG);
	assert_string_equal(lint("CREATE INDEX i ON t (a)"),
	                    "require-concurrent-index-creation");
	assert_string_equal(lint("CREATE INDEX CONCURRENTLY i ON t (a)"), "");
	assert_string_equal(lint("DROP INDEX i"),
	                    "require-concurrent-index-deletion");
	assert_string_equal(lint("DROP INDEX CONCURRENTLY i"), "");
	assert_string_equal(lint("ALTER TABLE t ALTER COLUMN a SET NOT NULL"),
	                    "adding-not-nullable-field");
	assert_string_equal(lint("ALTER TABLE t ADD COLUMN a bigint NOT NULL"),
	                    "adding-required-field");
	assert_string_equal(
	        lint("ALTER TABLE t ADD COLUMN a bigint NOT NULL DEFAULT 0"),
	        "");
	assert_string_equal(lint("ALTER TABLE t ADD COLUMN a timestamptz "
	                         "DEFAULT now()"),
	                    "");
	assert_string_equal(lint("ALTER TABLE t ADD COLUMN a uuid DEFAULT "
	                         "gen_random_uuid()"),
	                    "adding-field-with-default");
	assert_string_equal(lint("ALTER TABLE t ADD COLUMN a bigserial"),
	                    "adding-field-with-default");
	assert_string_equal(lint("ALTER TABLE t ALTER COLUMN a TYPE text"),
	                    "changing-column-type");
	assert_string_equal(lint("ALTER TABLE t RENAME COLUMN a TO b"),
	                    "renaming-column");
	assert_string_equal(lint("ALTER TABLE t DROP COLUMN a"),
	                    "ban-drop-column");
	assert_string_equal(
	        lint("ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0)"),
	        "constraint-missing-not-valid");
	assert_string_equal(lint("ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) "
	                         "NOT VALID"),
	                    "");
	assert_string_equal(lint("ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY "
	                         "(a) REFERENCES u (id)"),
	                    "adding-foreign-key-constraint "
	                    "constraint-missing-not-valid");
	assert_string_equal(lint("ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY "
	                         "(a) REFERENCES u (id) NOT VALID"),
	                    "");
	assert_string_equal(lint("ALTER TABLE t ADD CONSTRAINT u UNIQUE (a)"),
	                    "constraint-missing-not-valid "
	                    "disallowed-unique-constraint");
	assert_string_equal(lint("ALTER TABLE t ADD CONSTRAINT u UNIQUE USING "
	                         "INDEX i"),
	                    "");
	assert_string_equal(lint("DROP TABLE t, u"),
	                    "ban-drop-table ban-drop-table");
	assert_string_equal(lint("DROP DATABASE d"), "ban-drop-database");
	assert_string_equal(lint("TRUNCATE t"), "ban-truncate");
	assert_string_equal(lint("COPY t FROM STDIN"), "copy-from-stdin");
	assert_string_equal(lint("COPY t FROM '/tmp/x.csv'"), "");
	assert_string_equal(lint("SELECT 1"), "");
	finish();
}

static void test_lint__pg_column_types_on_every_table(void **state)
{
	(void)state;
	start(LINT_PG);
	assert_string_equal(lint("CREATE TABLE n (a char(2), b int, c "
	                         "timestamp, d varchar(9), e text, f bigint, "
	                         "g timestamptz, h varchar)"),
	                    "ban-char-field prefer-bigint-over-int "
	                    "prefer-timestamptz prefer-text-field");
	finish();
}

static void test_lint__pg_tables_the_run_creates(void **state)
{
	(void)state;
	start(LINT_PG);
	assert_string_equal(lint("CREATE TABLE n (id bigint)"), "");
	assert_string_equal(lint("CREATE INDEX n_id ON n (id)"),
	                    "require-concurrent-index-creation/new-table");
	/* the index is new with its table */
	assert_string_equal(lint("DROP INDEX n_id"),
	                    "require-concurrent-index-deletion/new-table");
	/* a new table renamed stays new; its old name is free again */
	assert_string_equal(lint("ALTER TABLE n RENAME TO m"),
	                    "renaming-table/new-table");
	assert_string_equal(lint("ALTER TABLE m DROP COLUMN id"),
	                    "ban-drop-column/new-table");
	assert_string_equal(lint("ALTER TABLE n DROP COLUMN id"),
	                    "ban-drop-column");
	/* dropped, it is not new any more */
	assert_string_equal(lint("DROP TABLE m"), "ban-drop-table/new-table");
	assert_string_equal(lint("ALTER TABLE m DROP COLUMN id"),
	                    "ban-drop-column");
	/* quoted names keep their case; the schema does not count */
	assert_string_equal(lint("CREATE TABLE s.\"Q\" (id bigint)"), "");
	assert_string_equal(lint("ALTER TABLE \"Q\" DROP COLUMN id"),
	                    "ban-drop-column/new-table");
	assert_string_equal(lint("CREATE TABLE c AS SELECT 1 AS x"), "");
	assert_string_equal(lint("TRUNCATE c"), "ban-truncate/new-table");
	finish();
}

static void test_lint__pg_lock_timeout(void **state)
{
	(void)state;
	start(LINT_PG);
	run.lock_timeout = 0;
	assert_string_equal(lint("CREATE TABLE n (id bigint)"), "");
	/* a new table's lock: said, suppressed, not yet the part's report */
	assert_string_equal(lint("ALTER TABLE n ADD COLUMN a text"),
	                    "require-lock-timeout/new-table");
	assert_string_equal(lint("ALTER TABLE t ADD COLUMN a text"),
	                    "require-lock-timeout");
	/* once per part */
	assert_string_equal(lint("ALTER TABLE t ADD COLUMN b text"), "");
	run.lock_reported = 0;
	assert_string_equal(lint("SET lock_timeout = '2s'"), "");
	assert_string_equal(lint("ALTER TABLE t ADD COLUMN c text"), "");
	assert_string_equal(lint("SET lock_timeout = 0"), "");
	assert_string_equal(lint("CREATE TRIGGER tr AFTER INSERT ON t FOR EACH "
	                         "ROW EXECUTE FUNCTION f()"),
	                    "require-lock-timeout");
	run.lock_reported = 0;
	assert_string_equal(lint("SET LOCAL lock_timeout TO '1s'"), "");
	assert_string_equal(lint("DROP TABLE t"), "ban-drop-table");
	assert_string_equal(lint("RESET lock_timeout"), "");
	assert_string_equal(lint("ALTER TYPE mood ADD VALUE 'x'"),
	                    "require-lock-timeout");
	/* a new table's foreign key locks the table it references */
	run.lock_reported = 0;
	assert_string_equal(lint("CREATE TABLE k (id bigint REFERENCES n (id), "
	                         "p bigint, FOREIGN KEY (p) REFERENCES k "
	                         "(id))"),
	                    "require-lock-timeout/new-table "
	                    "require-lock-timeout/new-table");
	assert_string_equal(lint("CREATE TABLE k2 (u bigint, FOREIGN KEY (u) "
	                         "REFERENCES t (id))"),
	                    "require-lock-timeout");
	run.lock_reported = 0;
	assert_string_equal(lint("DROP TRIGGER IF EXISTS tr ON s.t"),
	                    "require-lock-timeout");
	finish();
}

static void test_lint__pg_unparsable_statement(void **state)
{
	(void)state;
	start(LINT_PG);
	assert_string_equal(lint("ALTER TABLE t ADD COLUMN"), "input");
	assert_int_equal(run.n_input, 1);
	assert_non_null(strstr(run.v[0].message, "does not parse"));
	finish();
}

static void test_lint__mysql_rules(void **state)
{
	(void)state;
	start(LINT_MY);
	assert_string_equal(lint("ALTER TABLE `t` MODIFY a BIGINT NOT NULL"),
	                    "changing-column-type");
	assert_string_equal(lint("ALTER TABLE t CHANGE COLUMN a b INT"),
	                    "changing-column-type");
	assert_string_equal(lint("ALTER TABLE t ENGINE=InnoDB"),
	                    "mysql-table-rebuild");
	assert_string_equal(lint("ALTER TABLE t CONVERT TO CHARACTER SET "
	                         "utf8mb4"),
	                    "mysql-table-rebuild");
	assert_string_equal(lint("ALTER TABLE t ADD PRIMARY KEY (id), DROP "
	                         "COLUMN x"),
	                    "mysql-table-rebuild ban-drop-column");
	assert_string_equal(lint("ALTER TABLE t ADD COLUMN a INT NOT NULL, ADD "
	                         "INDEX i (a), DROP INDEX j, DROP FOREIGN KEY "
	                         "f"),
	                    "");
	assert_string_equal(lint("ALTER TABLE t RENAME COLUMN a TO b"),
	                    "renaming-column");
	assert_string_equal(lint("RENAME TABLE a TO b, c TO d"),
	                    "renaming-table renaming-table");
	assert_string_equal(lint("DROP SCHEMA IF EXISTS `x`"),
	                    "ban-drop-database");
	assert_string_equal(lint("DROP TEMPORARY TABLE IF EXISTS t"),
	                    "ban-drop-table");
	assert_string_equal(lint("TRUNCATE TABLE t"), "ban-truncate");
	assert_string_equal(lint("SOURCE seed.sql"), "client-command");
	/* words in strings and comments are not statements */
	assert_string_equal(
	        lint("INSERT INTO t VALUES ('DROP TABLE t') # DROP"), "");
	run.lock_timeout = 0;
	assert_string_equal(lint("ALTER TABLE t ADD COLUMN c INT"),
	                    "require-lock-timeout");
	run.lock_reported = 0;
	assert_string_equal(lint("SET SESSION lock_wait_timeout = 5"), "");
	assert_string_equal(lint("ALTER TABLE t ADD COLUMN d INT"), "");
	finish();
}

static void test_lint__sqlite_rules(void **state)
{
	(void)state;
	start(LINT_SL);
	assert_string_equal(lint("ALTER TABLE t ADD COLUMN a TEXT NOT NULL"),
	                    "sqlite-adding-required-field");
	assert_string_equal(lint("ALTER TABLE t ADD a TEXT NOT NULL DEFAULT "
	                         "NULL"),
	                    "sqlite-adding-required-field");
	assert_string_equal(lint("ALTER TABLE t ADD a TEXT NOT NULL DEFAULT "
	                         "'x'"),
	                    "");
	assert_string_equal(lint("ALTER TABLE t DROP COLUMN a"),
	                    "ban-drop-column");
	/* names in any case, quoted or not */
	assert_string_equal(lint("CREATE TABLE IF NOT EXISTS \"New\" (a)"), "");
	assert_string_equal(lint("ALTER TABLE new DROP COLUMN a"),
	                    "ban-drop-column/new-table");
	assert_string_equal(lint("ALTER TABLE [NEW] RENAME TO n2"),
	                    "renaming-table/new-table");
	/* MySQL's statements are not SQLite's */
	assert_string_equal(lint("ALTER TABLE t MODIFY a INT"), "");
	finish();
}

static void test_lint__sqlite_rebuild(void **state)
{
	(void)state;
	start(LINT_SL);
	assert_string_equal(lint("CREATE TABLE t_new (id INTEGER, a TEXT)"),
	                    "");
	assert_string_equal(lint("INSERT INTO t_new SELECT * FROM t"), "");
	assert_string_equal(lint("DROP TABLE t"), "ban-drop-table");
	assert_string_equal(lint("ALTER TABLE t_new RENAME TO t"), "");
	assert_int_equal(run.n, 1);
	assert_string_equal(strata__lint_rule_name(run.v[0].rule),
	                    "sqlite-table-rebuild");
	/* t holds the old rows: an existing table still */
	assert_string_equal(lint("ALTER TABLE t DROP COLUMN a"),
	                    "ban-drop-column");
	finish();
}

static void test_lint__ignore_markers(void **state)
{
	static const char text[] =
	        "SELECT 1;\n"
	        "-- why: none\n"
	        "-- strata:lint-ignore ban-drop-table, BAN-TRUNCATE moved\n"
	        "DROP TABLE t;\n";
	static const char bad[] = "-- strata:lint-ignore ban-drop-tabel x\n"
	                          "DROP TABLE t;\n";
	static const char none[] = "-- strata:lint-ignore\nDROP TABLE t;\n";
	struct lint_stmt st = { "DROP TABLE t", 12, 0, 4, 1, 4 };
	size_t at = strlen("SELECT 1;\n");

	(void)state;
	start(LINT_PG);
	run.st = &st;
	assert_int_equal(strata__lint_ignores(&run, text, strlen(text), at,
	                                      strstr(text, "DROP") - text),
	                 0);
	assert_true(run.ignored[LINT_BAN_DROP_TABLE]);
	assert_true(run.ignored[LINT_BAN_TRUNCATE]);
	assert_false(run.ignored[LINT_BAN_DROP_COLUMN]);
	assert_int_equal(run.n, 0);
	assert_int_equal(strata__lint_ignores(&run, bad, strlen(bad), 0,
	                                      strstr(bad, "DROP") - bad),
	                 0);
	assert_int_equal(run.n_input, 1);
	assert_int_equal(run.v[0].line, 1);
	assert_non_null(strstr(run.v[0].message, "unknown rule "
	                                         "'ban-drop-tabel'"));
	assert_int_equal(strata__lint_ignores(&run, none, strlen(none), 0,
	                                      strstr(none, "DROP") - none),
	                 0);
	assert_int_equal(run.n_input, 2);
	run.st = NULL;
	finish();
}

static void test_lint__levels(void **state)
{
	signed char levels[LINT_N_RULES];
	const char *const good[] = { "ban-drop-table=error",
		                     "prefer-timestamp-tz=off", NULL };
	const char *const unknown[] = { "ban-drop-tables=error", NULL };
	const char *const level[] = { "ban-drop-table=fatal", NULL };
	const char *const shape[] = { "ban-drop-table", NULL };
	char why[200];

	(void)state;
	assert_int_equal(
	        strata__lint_levels_parse(levels, good, why, sizeof(why)), 0);
	assert_int_equal(levels[LINT_BAN_DROP_TABLE], 2);
	assert_int_equal(levels[LINT_PREFER_TIMESTAMPTZ], 0);
	assert_int_equal(levels[LINT_BAN_DROP_COLUMN], -1);
	assert_int_equal(strata__lint_levels_parse(levels, unknown, why,
	                                           sizeof(why)),
	                 -1);
	assert_non_null(strstr(why, "unknown lint rule 'ban-drop-tables'"));
	assert_int_equal(
	        strata__lint_levels_parse(levels, level, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "none of error, warning, off"));
	assert_int_equal(
	        strata__lint_levels_parse(levels, shape, why, sizeof(why)), -1);
	assert_int_equal(strata_lint_rule_find("prefer-timestamp-tz"),
	                 LINT_PREFER_TIMESTAMPTZ);
	assert_int_equal(strata_lint_level_parse("warning"), 1);
	assert_null(strata_lint_rule_at(LINT_N_RULES));
	assert_string_equal(strata_lint_rule_at(0)->name,
	                    "require-concurrent-index-creation");
}

static void test_lint__levels_apply(void **state)
{
	signed char levels[LINT_N_RULES];
	const char *const list[] = { "ban-drop-table=off", "ban-truncate=error",
		                     NULL };
	char why[200];

	(void)state;
	assert_int_equal(
	        strata__lint_levels_parse(levels, list, why, sizeof(why)), 0);
	start(LINT_PG);
	run.levels = levels;
	assert_string_equal(lint("DROP TABLE t"), "");
	assert_string_equal(lint("TRUNCATE t"), "ban-truncate");
	assert_int_equal(run.v[0].level, 2);
	run.errors_only = 1;
	assert_string_equal(lint("ALTER TABLE t DROP COLUMN a"), "");
	assert_string_equal(lint("TRUNCATE t"), "ban-truncate");
	finish();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lint__pg_rules_on_existing_tables),
		cmocka_unit_test(test_lint__pg_column_types_on_every_table),
		cmocka_unit_test(test_lint__pg_tables_the_run_creates),
		cmocka_unit_test(test_lint__pg_lock_timeout),
		cmocka_unit_test(test_lint__pg_unparsable_statement),
		cmocka_unit_test(test_lint__mysql_rules),
		cmocka_unit_test(test_lint__sqlite_rules),
		cmocka_unit_test(test_lint__sqlite_rebuild),
		cmocka_unit_test(test_lint__ignore_markers),
		cmocka_unit_test(test_lint__levels),
		cmocka_unit_test(test_lint__levels_apply),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
