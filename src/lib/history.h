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
	HISTORY_COLUMNS /* how many */
};

/* The columns in the order above, for SELECT and INSERT. */
#define HISTORY_COLUMN_LIST                                      \
 "version, name, kind, file, checksum, checksum_algorithm, "     \
 "applied_at, execution_ms, applied_by, target, database_type, " \
 "dirty"

struct history_row {
	uint64_t version;
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
	struct history_row *v; /* sorted by version, repeatables (0) first */
	size_t n, alloc;
	int exists; /* the table exists */
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

/*
 * Check the table's shape. @return 1 when it exists with strata's shape,
 * 0 when it does not exist, or STRATA_ESTATE (another tool's table, with
 * the message naming it). With widen set, a table whose dirty column was
 * made SMALLINT (before strata could count past statement 32767) also
 * has that column widened, under the caller's runner lock.
 */
int strata__history_check(strata_ctx *ctx, int widen);

/* The CREATE TABLE statement (IF NOT EXISTS). */
int strata__history_sql_create(strata_ctx *ctx, strata_buf *out);

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

/* Find the row of a versioned migration, or NULL. */
struct history_row *strata__history_find(const struct history *h,
                                         uint64_t version);
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
	HISTORY_FINISHED   /* the up is done, in n ms: the row is clean */
};

/*
 * The one way a run writes history: append to out the statements that
 * record ev for m (each ends in ";\n"), or with out NULL run them now,
 * a new versioned row then going through the driver's prepared INSERT
 * where it has one. n is the milliseconds the part took
 * (STRATA_MS_SINCE_MESSAGE: measured by the database where it can) or,
 * for HISTORY_REACHED, the statement. A row is picked by version, or a
 * repeatable's by its name.
 */
int strata__history_record(strata_ctx *ctx, strata_buf *out,
                           struct migration *m, enum history_event ev,
                           int64_t n);

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

/* Statements for force and repair, appended to out (each ends in ";\n"). */
int strata__history_sql_delete(strata_ctx *ctx, strata_buf *out,
                               uint64_t version, const char *name);
int strata__history_sql_finish(strata_ctx *ctx, strata_buf *out,
                               uint64_t version, const char *name,
                               int64_t execution_ms);
int strata__history_sql_checksum(strata_ctx *ctx, strata_buf *out,
                                 uint64_t version, const char *name,
                                 const char *checksum, const char *file);
/* record a renamed migration's new name (and file, checksum) on the row
 * of its version */
int strata__history_sql_rename(strata_ctx *ctx, strata_buf *out,
                               uint64_t version, const char *new_name,
                               const char *checksum, const char *file);
/* mark a row dirty at statement stmt (1-based) of its part */
int strata__history_sql_dirty(strata_ctx *ctx, strata_buf *out,
                              uint64_t version, const char *name, size_t stmt);
int strata__history_sql_clean(strata_ctx *ctx, strata_buf *out,
                              uint64_t version, const char *name);
/* SELECT that returns a row when the version is already applied */
int strata__history_sql_probe(strata_ctx *ctx, strata_buf *out,
                              uint64_t version, const char *name);

/* Current UTC time as "YYYY-MM-DD HH:MM:SS.mmm". */
void strata__now_utc(char out[32]);
/* "user@host" of this process. */
const char *strata__applied_by(void);

/* execution_ms of a row being written: measured by the database where the
 * driver can (elapsed_ms_sql), since its message began */
#define STRATA_MS_SINCE_MESSAGE (-1)

#endif
