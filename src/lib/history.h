/*
 * The history table: its shape, the SQL that reads and writes it, and
 * the rows as last read.
 */
#ifndef STRATA_LIB_HISTORY_H
#define STRATA_LIB_HISTORY_H

#include "common.h"

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

/* Add one row given as the 12 columns' text (a strata_row_cb on a struct
 * history; rows are not sorted). A row that does not read exactly is
 * counted in h->n_bad and left out; STRATA_ENOMEM is the only error. */
int strata__history_add_row(void *payload, int ncols, const char *const *v);

/* Statements, appended to out (each ends in ";\n"). */
int strata__history_sql_insert(strata_ctx *ctx, strata_buf *out,
                               const struct history_row *row);
/*
 * Record a row stamped with strata's clock (row->applied_at set) now,
 * through the driver's exec_params when it has one (the statement is then
 * prepared once per run), else as literal SQL through exec().
 */
int strata__history_insert(strata_ctx *ctx, const struct history_row *row);
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
