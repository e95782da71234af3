/*
 * The history table: its shape, the SQL that reads and writes it, and
 * the rows as last read.
 */
#ifndef STRATA_LIB_HISTORY_H
#define STRATA_LIB_HISTORY_H

#include "common.h"
#include "source.h"

/* The table's columns, in the order every statement names them. */
enum history_column {
	HCOL_VERSION,
	HCOL_NAME,
	HCOL_KIND,
	HCOL_FILE,
	HCOL_CHECKSUM,
	HCOL_CHECKSUM_ALGORITHM,
	HCOL_APPLIED_AT,
	HCOL_EXECUTION_MS,
	HCOL_APPLIED_BY,
	HCOL_TARGET,
	HCOL_DATABASE_TYPE,
	HCOL_DIRTY,
	HCOL_VERSION_SORT, /* the version's sort key: for SQL, never read */
	HISTORY_COLUMNS    /* how many */
};

/* The columns in the order above, for SELECT and INSERT; _V1: those of
 * the table before versions were text (version BIGINT, no version_sort),
 * which strata reads as it is and upgrades on the first write
 * (history_upgrade.c). */
#define HISTORY_COLUMN_LIST_V1                                   \
 "version, name, kind, file, checksum, checksum_algorithm, "     \
 "applied_at, execution_ms, applied_by, target, database_type, " \
 "dirty"
#define HISTORY_COLUMN_LIST HISTORY_COLUMN_LIST_V1 ", version_sort"

struct history_row {
	char version[STRATA_VERSION_SIZE]; /* canonical; "" if repeatable */
	char *name;
	strata_kind kind;
	char *file;
	char *checksum;
	char *checksum_algorithm;
	char *applied_at;
	int64_t execution_ms; /* or STRATA_MS_SINCE_MESSAGE, when writing */
	char *applied_by;
	char *target;
	char *database_type;
	int dirty;
};

struct history {
	struct history_row *v; /* sorted by version, repeatables ("") first */
	size_t n, alloc;
	int exists; /* the table exists */
	/* rows come from a table in the format before versions were text:
	 * a repeatable's version is 0 there */
	int old_format;
	/* rows that could not be read exactly are not kept in v: how many
	 * were seen in all, how many were bad, and what was wrong with the
	 * first bad one ("row N (version 'x', name 'y'): why") */
	size_t n_seen, n_bad;
	char *bad; /* or NULL */
};

/* The schema of the history table: --schema, or the one names resolved
 * to when strata connected; NULL for databases without schemas. */
const char *strata__schema(const strata_ctx *ctx);
/* The table name, schema-qualified and quoted for the driver. */
int strata__history_qualified(strata_ctx *ctx, strata_buf *out);
/* The same for the table name followed by suffix ("_strata_old"). */
int strata__history_qualified_as(strata_ctx *ctx, strata_buf *out,
                                 const char *suffix);

/*
 * Check the table's shape. @return 1 when it exists with strata's shape,
 * 0 when it does not exist, or STRATA_ESTATE (another tool's table, with
 * the message naming it). A table in the format before versions were
 * text sets ctx->history_old_format; without widen it is read as it is.
 * With widen set (under the caller's runner lock) such a table is
 * upgraded in place (history_upgrade.c), and a table whose dirty column
 * was made SMALLINT (before strata could count past statement 32767)
 * has that column widened.
 */
int strata__history_check(strata_ctx *ctx, int widen);

/* history_upgrade.c: upgrade a table in the format before versions were
 * text, under the runner lock; on a database without transactional DDL,
 * first finish or undo what an upgrade that stopped left behind. */
int strata__history_upgrade(strata_ctx *ctx, int old_format);
/* The same as statements for a script (each ends in ";\n"), appended to
 * out: nothing when the table has the current format. */
int strata__history_sql_upgrade(strata_ctx *ctx, strata_buf *out);
/* the shape of a table, as strata__history_check sees it: 1 strata's, 2
 * strata's before versions were text, 0 absent, 3 any other (no error
 * set), or an error reading the columns */
int strata__history_shape(strata_ctx *ctx, const char *table);

/* The CREATE TABLE statements (IF NOT EXISTS) of the table and its log. */
int strata__history_sql_create(strata_ctx *ctx, strata_buf *out);
/* The same for the table name followed by suffix. */
int strata__history_sql_create_as(strata_ctx *ctx, strata_buf *out,
                                  const char *suffix);

/*
 * Read all rows of this target into ctx->history. Every row must read
 * exactly (a version that is a positive whole number, or 0 for a
 * repeatable; a known kind; whole numbers for execution_ms and dirty) and
 * no two versioned rows may share a version: otherwise STRATA_ESTATE
 * naming the row, since guessing could run a migration twice.
 */
int strata__history_read(strata_ctx *ctx);
/* The same into h (released first). */
int strata__history_read_into(strata_ctx *ctx, struct history *h);
/* One line per row (version, name, kind, checksum, dirty) into out,
 * replacing its content: equal text, equal history. */
int strata__history_fingerprint(strata_buf *out, const struct history *h);
void strata__history_release(struct history *h);

/* Find the row of a versioned migration by canonical version, or NULL. */
struct history_row *strata__history_find(const struct history *h,
                                         const char *version);
/* Find a repeatable migration's row by name, or NULL. */
struct history_row *strata__history_find_name(const struct history *h,
                                              const char *name);

/* Add one row given as the HISTORY_COLUMNS columns' text (a strata_row_cb on a
 * struct history; rows are not sorted). A row that does not read exactly is
 * counted in h->n_bad and left out; STRATA_ENOMEM is the only error. */
int strata__history_add_row(void *payload, int ncols, const char *const *v);

/* What a run does to a migration's history row. */
enum history_event {
	HISTORY_APPLIED,  /* its up ran: a new row (a repeatable's replaces
	                   * the one it had) */
	HISTORY_REVERTED, /* its down ran: the row goes */
	HISTORY_BASELINE, /* force declared it applied: a baseline row */
	/* a part outside a transaction: the row is dirty while it runs */
	HISTORY_APPLYING,  /* up begins: a new row, dirty at statement 1 */
	HISTORY_REVERTING, /* down begins: the row is marked dirty */
	HISTORY_REACHED,   /* statement n (1-based) begins */
	HISTORY_FINISHED,  /* the up is done, in n ms: the row is clean */
	/* the part never started (an exec target's runner could not be
	 * started): the row goes back to what it was */
	HISTORY_NOT_APPLIED, /* after HISTORY_APPLYING: the row goes */
	HISTORY_NOT_REVERTED /* after HISTORY_REVERTING: clean again */
};

/*
 * The one way a run writes history: append to out the statements that
 * record ev for m (each ends in ";\n"), its log row first (see
 * strata__log_event_sql), or with out NULL run them now,
 * a new versioned row then going through the driver's prepared INSERT
 * where it has one. n is the milliseconds the part took
 * (STRATA_MS_SINCE_MESSAGE: measured by the database where it can) or,
 * for HISTORY_REACHED, the statement. A row is picked by version, or a
 * repeatable's by its name.
 */
int strata__history_record(strata_ctx *ctx, strata_buf *out,
                           struct migration *m, enum history_event ev,
                           int64_t n);

/* As strata__history_record into out, for a script run later: its rows
 * take the clock of the database that runs it. */
int strata__history_script(strata_ctx *ctx, strata_buf *out,
                           struct migration *m, enum history_event ev);

/* Prefix the current error with "cannot record FILE in 'TABLE'". */
void strata__history_record_failed(strata_ctx *ctx, const char *path);

/*
 * Right after the statement that removed (gone set) or marked m's row:
 * it must have changed exactly that one row, or the history does not say
 * what the run did; STRATA_ESTATE then, with what ("nothing was rolled
 * back") in the message.
 */
int strata__history_check_changed(strata_ctx *ctx, struct migration *m,
                                  int gone, const char *what);
/* The same error for n rows changed, found otherwise (a check the
 * database made: STRATA_SQLSTATE_ROW_COUNT). @return STRATA_ESTATE */
int strata__history_changed_error(strata_ctx *ctx, struct migration *m,
                                  int gone, int64_t n, const char *what);
/* Append the log row and the DELETE of m's row (a rollback) to out, the
 * DELETE made to fail unless it removes exactly that row when the driver
 * can (*checked set), else as it is (*checked 0: the caller checks with
 * strata__history_check_changed). */
int strata__history_sql_revert_checked(strata_ctx *ctx, strata_buf *out,
                                       struct migration *m, int *checked);

/* The INSERT of row r, appended to out (ends in ";\n"); r->applied_at
 * NULL: the database's clock when it runs (strata dump). */
int strata__history_sql_insert(strata_ctx *ctx, strata_buf *out,
                               const struct history_row *r);

/* Statements for force and repair, appended to out (each ends in ";\n"). */
int strata__history_sql_delete(strata_ctx *ctx, strata_buf *out,
                               const char *version, const char *name);
int strata__history_sql_finish(strata_ctx *ctx, strata_buf *out,
                               const char *version, const char *name,
                               int64_t execution_ms);
int strata__history_sql_checksum(strata_ctx *ctx, strata_buf *out,
                                 const char *version, const char *name,
                                 const char *checksum, const char *file);
/* record a renamed migration's new name (and file, checksum) on the row
 * of its version */
int strata__history_sql_rename(strata_ctx *ctx, strata_buf *out,
                               const char *version, const char *new_name,
                               const char *checksum, const char *file);
/* mark a row dirty at statement stmt (1-based) of its part */
int strata__history_sql_dirty(strata_ctx *ctx, strata_buf *out,
                              const char *version, const char *name,
                              size_t stmt);
int strata__history_sql_clean(strata_ctx *ctx, strata_buf *out,
                              const char *version, const char *name);
/* SELECT that returns a row when the version is already applied */
int strata__history_sql_probe(strata_ctx *ctx, strata_buf *out,
                              const char *version, const char *name);

/*
 * The history log (history_log.c): <table>_log beside the history table,
 * one row per change strata makes to the history, written with it.
 */
#define LOG_SUFFIX  "_log"
#define LOG_COLUMNS 10
#define LOG_COLUMN_LIST                                              \
 "id, logged_at, action, version, name, kind, checksum, logged_by, " \
 "target, detail"

/* One row to log: what was done (action: "apply", "rollback", "force",
 * "repair", "baseline", "adopt", "fresh") to which migration, and why. */
struct log_event {
	const char *action;
	const char *version; /* canonical; "" for a repeatable or none */
	const char *name;
	strata_kind kind;
	const char *checksum; /* or NULL */
	const char *detail;   /* "" for nothing to add */
};

/* The log's name, schema-qualified and quoted for the driver. */
int strata__log_qualified(strata_ctx *ctx, strata_buf *out);
/* The log's name, unquoted: <table>_log or, where that is too long for
 * the database, the table's name cut short enough (at a character's
 * start) and _log. */
int strata__log_name(strata_ctx *ctx, strata_buf *out);
/* Its CREATE TABLE statement (IF NOT EXISTS), appended to out. */
int strata__log_sql_create(strata_ctx *ctx, strata_buf *out);
/* The INSERT of e, stamped by the database's clock, appended to out. */
int strata__log_sql(strata_ctx *ctx, strata_buf *out,
                    const struct log_event *e);
/* The same, run now. */
int strata__log_exec(strata_ctx *ctx, const struct log_event *e);
/* The INSERT that logs ev for m, appended to out (nothing for
 * HISTORY_REACHED); action and detail, when not NULL, say it instead of
 * the event ("force", "marked applied"). */
int strata__log_event_sql(strata_ctx *ctx, strata_buf *out,
                          const struct migration *m, enum history_event ev,
                          const char *action, const char *detail);
/* @return 1 when the log exists with strata's columns, 0 when it does not
 * exist, STRATA_ESTATE for another table of its name. Never writes. */
int strata__log_check(strata_ctx *ctx);
/* Make the log beside a history table from before it, under the runner
 * lock, after strata__history_check(ctx, 1) found it missing. */
int strata__log_ensure(strata_ctx *ctx);
/* Read this target's log rows, oldest first, into ctx->log (nothing when
 * the log does not exist). */
int strata__log_read(strata_ctx *ctx);
void strata__log_release(strata_ctx *ctx);
/* This target's log rows as INSERTs that keep every value (strata dump
 * --log), appended to out after a heading; nothing without a log. The
 * caller hides the schema where the dump must not name it. */
int strata__log_sql_dump(strata_ctx *ctx, strata_buf *out);

/* A kind as the history writes it ("versioned" ...). 0, or -1 for NULL
 * or another word (history_names.c). */
int strata__kind_parse(const char *s, strata_kind *out);
/* The same, run now (with the driver's exec_params where it has one). */
int strata__log_event_exec(strata_ctx *ctx, const struct migration *m,
                           enum history_event ev, const char *action,
                           const char *detail);

/* As strata__history_record, logged as action with detail (see
 * strata__log_event_sql). */
int strata__history_record_as(strata_ctx *ctx, strata_buf *out,
                              struct migration *m, enum history_event ev,
                              int64_t n, const char *action,
                              const char *detail);

/* Current UTC time as "YYYY-MM-DD HH:MM:SS.mmm". */
void strata__now_utc(char out[32]);
/* "user@host" of this process. */
const char *strata__applied_by(void);

/* execution_ms of a row being written: measured by the database where the
 * driver can (elapsed_ms_sql), since its message began */
#define STRATA_MS_SINCE_MESSAGE (-1)

#endif
