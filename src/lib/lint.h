/*
 * strata lint, inside the library: the rules (lint_rules.c), the run that
 * walks migrations and their statements (lint.c), the ignore markers
 * (lint_ignore.c), PostgreSQL's rules on libpg_query's parse tree
 * (lint_pg.c), MySQL's and SQLite's on a keyword reading (lint_kw.c), and
 * the tables' row counts (lint_rows.c).
 */
#ifndef STRATA_LIB_LINT_H
#define STRATA_LIB_LINT_H

#include "common.h"

/* Where a rule applies. */
#define LINT_PG  1u
#define LINT_MY  2u
#define LINT_SL  4u
#define LINT_ALL (LINT_PG | LINT_MY | LINT_SL)

/* How a rule treats a table the same run creates first. */
#define LINT_ANY_TABLE 0 /* fires on every table */
#define LINT_OLD_TABLE 1 /* only on tables that exist before the run */

/*
 * X(ID, name, default level, dialects, table kind, summary): every rule,
 * in the order docs/LINT.md lists them.
 */
#define STRATA_LINT_RULES(X)                                                   \
 X(REQUIRE_CONCURRENT_INDEX_CREATION, "require-concurrent-index-creation", 1,  \
   LINT_PG, LINT_OLD_TABLE,                                                    \
   "CREATE INDEX without CONCURRENTLY blocks writes to the table")             \
 X(REQUIRE_CONCURRENT_INDEX_DELETION, "require-concurrent-index-deletion", 1,  \
   LINT_PG, LINT_OLD_TABLE,                                                    \
   "DROP INDEX without CONCURRENTLY blocks reads and writes of its table")     \
 X(ADDING_NOT_NULLABLE_FIELD, "adding-not-nullable-field", 1, LINT_PG,         \
   LINT_OLD_TABLE,                                                             \
   "SET NOT NULL scans the whole table under an exclusive lock")               \
 X(ADDING_REQUIRED_FIELD, "adding-required-field", 1, LINT_PG, LINT_OLD_TABLE, \
   "a NOT NULL column without a default fails on a table with rows")           \
 X(SQLITE_ADDING_REQUIRED_FIELD, "sqlite-adding-required-field", 2, LINT_SL,   \
   LINT_ANY_TABLE,                                                             \
   "SQLite refuses ADD COLUMN ... NOT NULL without a non-NULL default")        \
 X(ADDING_FIELD_WITH_DEFAULT, "adding-field-with-default", 1, LINT_PG,         \
   LINT_OLD_TABLE,                                                             \
   "a column with a volatile default rewrites the whole table")                \
 X(CHANGING_COLUMN_TYPE, "changing-column-type", 1, LINT_PG | LINT_MY,         \
   LINT_OLD_TABLE, "changing a column's type rewrites the table")              \
 X(RENAMING_COLUMN, "renaming-column", 1, LINT_ALL, LINT_OLD_TABLE,            \
   "renaming a column breaks the running application's queries")               \
 X(RENAMING_TABLE, "renaming-table", 1, LINT_ALL, LINT_OLD_TABLE,              \
   "renaming a table breaks the running application's queries")                \
 X(BAN_DROP_COLUMN, "ban-drop-column", 1, LINT_ALL, LINT_OLD_TABLE,            \
   "dropping a column loses its data and breaks queries that name it")         \
 X(BAN_DROP_TABLE, "ban-drop-table", 1, LINT_ALL, LINT_OLD_TABLE,              \
   "dropping a table loses its data")                                          \
 X(BAN_DROP_DATABASE, "ban-drop-database", 2, LINT_ALL, LINT_ANY_TABLE,        \
   "dropping a database loses everything in it")                               \
 X(BAN_TRUNCATE, "ban-truncate", 1, LINT_ALL, LINT_OLD_TABLE,                  \
   "TRUNCATE deletes every row of the table")                                  \
 X(CONSTRAINT_MISSING_NOT_VALID, "constraint-missing-not-valid", 1, LINT_PG,   \
   LINT_OLD_TABLE,                                                             \
   "a CHECK or FOREIGN KEY constraint without NOT VALID scans the table "      \
   "under lock")                                                               \
 X(ADDING_FOREIGN_KEY_CONSTRAINT, "adding-foreign-key-constraint", 1, LINT_PG, \
   LINT_OLD_TABLE, "a foreign key locks both tables while it is validated")    \
 X(DISALLOWED_UNIQUE_CONSTRAINT, "disallowed-unique-constraint", 1, LINT_PG,   \
   LINT_OLD_TABLE,                                                             \
   "a UNIQUE constraint builds its index under an exclusive lock")             \
 X(BAN_CHAR_FIELD, "ban-char-field", 1, LINT_PG, LINT_ANY_TABLE,               \
   "char(n) pads with blanks: use text or varchar")                            \
 X(PREFER_BIGINT_OVER_INT, "prefer-bigint-over-int", 1, LINT_PG,               \
   LINT_ANY_TABLE, "integer ids run out at 2^31: use bigint")                  \
 X(PREFER_TIMESTAMPTZ, "prefer-timestamptz", 1, LINT_PG, LINT_ANY_TABLE,       \
   "timestamp without time zone loses the zone: use timestamptz")              \
 X(PREFER_TEXT_FIELD, "prefer-text-field", 1, LINT_PG, LINT_ANY_TABLE,         \
   "varchar(n) needs a table lock to change its length: use text with a "      \
   "CHECK")                                                                    \
 X(REQUIRE_LOCK_TIMEOUT, "require-lock-timeout", 1, LINT_PG | LINT_MY,         \
   LINT_OLD_TABLE,                                                             \
   "a statement that waits for a table lock without a lock timeout blocks "    \
   "every query queued behind it")                                             \
 X(MYSQL_TABLE_REBUILD, "mysql-table-rebuild", 1, LINT_MY, LINT_OLD_TABLE,     \
   "the ALTER TABLE copies the whole table (ALGORITHM=COPY)")                  \
 X(SQLITE_TABLE_REBUILD, "sqlite-table-rebuild", 1, LINT_SL, LINT_OLD_TABLE,   \
   "a table rebuilt by create, copy, drop and rename")                         \
 X(COPY_FROM_STDIN, "copy-from-stdin", 2, LINT_PG, LINT_ANY_TABLE,             \
   "COPY ... FROM STDIN needs psql's inline data, which strata does not "      \
   "send")                                                                     \
 X(CLIENT_COMMAND, "client-command", 2, LINT_ALL, LINT_ANY_TABLE,              \
   "a client command (psql's \\ commands, mysql's SOURCE) is not SQL the "     \
   "server runs")

#define LINT_ENUM(id, name, level, dialects, kind, summary) LINT_##id,
enum lint_rule {
	STRATA_LINT_RULES(LINT_ENUM) LINT_N_RULES
};
#undef LINT_ENUM

/* A set of lower-case names (tables, indexes). */
struct lint_names {
	char **v;
	size_t n, alloc;
};

/* One finding, as strata_lint_finding hands it out. */
struct lint_item {
	int rule; /* enum lint_rule, or -1 for input lint cannot read */
	int level;
	char *file;
	int line, column, end_line;
	char *message;
	char *statement;
	char *table;
	int64_t rows;
	const char *suppressed;
};

/* One statement at hand. */
struct lint_stmt {
	const char *sql; /* from its first token; not NUL-terminated */
	size_t len;
	unsigned flags; /* STRATA_STMT_* */
	int line, column, end_line;
};

struct lint_run {
	strata_ctx *ctx;
	unsigned dialect; /* LINT_PG, LINT_MY or LINT_SL */
	int errors_only;
	const signed char *levels; /* per rule, -1: its default */
	/* relations (tables; PostgreSQL: indexes too) the run created */
	struct lint_names new_tables;
	/* tables of the database before the run that it dropped: one
	 * renamed to such a name holds their rows (a rebuild) */
	struct lint_names old_dropped;
	/* where the part at hand started in r->v: its findings */
	size_t part_first;
	/* the part at hand: its file, and a lock timeout set for it */
	const char *path;
	int lock_timeout;
	int lock_reported; /* require-lock-timeout said once for the part */
	/* the statement at hand and the rules its markers ignore */
	const struct lint_stmt *st;
	unsigned char ignored[LINT_N_RULES];
	struct lint_item *v;
	size_t n, alloc;
	int n_input; /* findings with rule -1 */
};

/* lint_rules.c */
const char *strata__lint_rule_name(int rule);
/* the rule named name[0, n), or -1 */
int strata__lint_rule_find(const char *name, size_t n);
/* LINT_ANY_TABLE or LINT_OLD_TABLE */
int strata__lint_rule_kind(int rule);
/* LINT_PG | LINT_MY | LINT_SL: where it applies */
int strata__lint_rule_dialects(int rule);
/* The level of rule in this run (0 off). */
int strata__lint_level(const struct lint_run *r, int rule);
/* Parse "rule=level" strings into levels[LINT_N_RULES] (-1 where not
 * set). @return 0, or -1 with why filled in */
int strata__lint_levels_parse(signed char *levels, const char *const *list,
                              char *why, size_t why_size);

/*
 * Report rule on the statement at hand about table (or NULL). A rule that
 * is off, below error in an errors-only run, or of the wrong dialect is
 * dropped; one ignored by a marker, or about a table the run created, is
 * kept as suppressed. @return 0 or STRATA_ENOMEM
 */
int strata__lint_report(struct lint_run *r, int rule, const char *table,
                        const char *fmt, ...) STRATA_PRINTF(4, 5);
/* Input lint cannot read, at line, col of the file at hand (0: the
 * statement's). */
/* require-lock-timeout before a statement that waits for a lock on
 * table, once per part: unless a lock timeout is set, or the part has
 * had its report. */
int strata__lint_need_lock_timeout(struct lint_run *r, const char *table,
                                   const char *what);
int strata__lint_input(struct lint_run *r, int line, int col, const char *fmt,
                       ...) STRATA_PRINTF(4, 5);

/* Names: lower-cased copies ("Schema.T" is kept as "t"). */
int strata__lint_names_add(struct lint_names *s, const char *name, size_t n);
int strata__lint_names_has(const struct lint_names *s, const char *name,
                           size_t n);
void strata__lint_names_remove(struct lint_names *s, const char *name,
                               size_t n);
void strata__lint_names_release(struct lint_names *s);

/* lint_ignore.c: the -- strata:lint-ignore markers of the statement
 * spanning t[off, first) (its leading comments), into r->ignored; an
 * unknown rule is input lint cannot read. */
int strata__lint_ignores(struct lint_run *r, const char *t, size_t len,
                         size_t off, size_t first);

/* lint_pg.c, lint_kw.c: the rules of one statement. */
int strata__lint_pg(struct lint_run *r);
int strata__lint_kw(struct lint_run *r);
/* lint.c: lint what o selects (have_view: the pending migrations of
 * ctx->view) into ctx's findings; rows: ask the database for row counts.
 * For strata_lint and validate. */
int strata__lint_run(strata_ctx *ctx, const strata_lint_options *o,
                     int have_view, int rows);
/* lint_rules.c: free ctx's findings. */
void strata__lint_release(strata_ctx *ctx);

/* lint_rows.c: each reported finding about a table gets its estimated
 * rows, when the database can be reached. */
void strata__lint_rows(struct lint_run *r);

#endif
