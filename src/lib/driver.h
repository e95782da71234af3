/*
 * Built-in drivers, the connection lifecycle, and the one place the
 * engine reaches the driver's vtable: every connection call goes through
 * a strata__conn_* wrapper, and every transaction through struct txn
 * (the model is redis's connWrite and libgit2's filebuf lock).
 */
#ifndef STRATA_LIB_DRIVER_H
#define STRATA_LIB_DRIVER_H

#include "common.h"

/* The built-in drivers: strata__driver_NAME for each NAME of the
 * Makefile's DRIVERS that was built (strata_drivers.h, written by it). */
#define STRATA_DRIVER(name) \
 extern const struct strata_driver strata__driver_##name;
#define STRATA_DRIVER_ABSENT(name)
#define STRATA_SPLITTER(name)
#include "strata_drivers.h"
#undef STRATA_DRIVER
#undef STRATA_DRIVER_ABSENT
#undef STRATA_SPLITTER

/* The driver serving scheme (lower case), registered ones first, or
 * NULL. */
const struct strata_driver *strata__driver_find(const char *scheme);
/* Pick ctx->drv from the URL's scheme. */
int strata__driver_resolve(strata_ctx *ctx);
/* Connect once; create: allow creating the database (SQLite file). */
int strata__connect(strata_ctx *ctx, int create);
/* Roll back, unlock and disconnect; accepts a closed context. Keeps the
 * current error. */
void strata__disconnect(strata_ctx *ctx);
/* Roll back and unlock, keeping the connection and the current error. */
void strata__session_release(strata_ctx *ctx);
/* What connect() is given for ctx. */
void strata__connect_params(strata_ctx *ctx, struct strata_connect_params *p,
                            int create);
/* ctx's connection is c, connected (or reused) for it: learn what it
 * needs of it (the schema names resolve to). */
int strata__conn_adopt(strata_ctx *ctx, struct strata_driver_conn *c);
/* Roll back the open transaction after an error, keeping that error (a
 * failing ROLLBACK must not hide what led to it). @return the rollback's
 * own result */
int strata__rollback_quietly(strata_ctx *ctx);

/*
 * What the resolved driver is and has (ctx->drv set). The engine asks
 * these instead of reading the vtable, so that its layout is known here
 * only.
 */
const char *strata__driver_name(const strata_ctx *ctx);

/* The error "NAME has no schemas: SCHEMA-SETTING cannot be used" */
int strata__no_schemas(strata_ctx *ctx, int code);
/* Whether the driver has every STRATA_DRIVER_CAP_* bit of caps. */
int strata__driver_can(const strata_ctx *ctx, unsigned caps);
/* The driver's STRATA_DIALECT_* facts (0 before a driver is chosen). */
unsigned strata__driver_dialect(const strata_ctx *ctx);

/* The driver's optional methods. */
enum strata_driver_method {
	STRATA_DRV_EXEC_PARAMS,
	STRATA_DRV_EXEC_CLOCKED,
	STRATA_DRV_LOCK,
	STRATA_DRV_ENSURE_SCHEMA,
	STRATA_DRV_CHANGES,
	STRATA_DRV_DROP_ALL,
	STRATA_DRV_BACKUP,
	STRATA_DRV_RESTORE,
	STRATA_DRV_RESTORE_CHECK,
	STRATA_DRV_STATE_KEY,
	STRATA_DRV_SCHEMA_SQL,
	STRATA_DRV_DELIMITERS,
	STRATA_DRV_ONE_ROW_SQL,
	STRATA_DRV_DUMP,
	STRATA_DRV_CATALOG,
	STRATA_DRV_LOCK_WAIT,      /* lock_wait_sql and lock_wait_gave_up */
	STRATA_DRV_INVALID_INDEXES /* invalid_indexes and drop_index_sql */
};
int strata__driver_has(const strata_ctx *ctx, enum strata_driver_method m);

/* The driver's texts (SQL it provides, names); NULL when it has none. */
enum strata_driver_text {
	STRATA_DRV_TIMESTAMP_TYPE,
	STRATA_DRV_SCRIPT_CLIENT,
	STRATA_DRV_NOW_SQL,
	STRATA_DRV_ASYNC_COMMIT_SQL,
	STRATA_DRV_ELAPSED_MS_SQL,
	STRATA_DRV_MESSAGE_CLOCK_SQL,
	STRATA_DRV_CLOCK_SQL,
	STRATA_DRV_FLUSH_SQL,
	STRATA_DRV_BACKUP_EXTENSION,
	STRATA_DRV_CURRENT_SCHEMA_SQL,
	STRATA_DRV_CHANGE_COUNTER_SQL,
	STRATA_DRV_DELIMITER_RESET,
	STRATA_DRV_WIDEN_DIRTY_SQL,
	STRATA_DRV_DROP_INDEX_SQL,
	STRATA_DRV_SCRATCH_URL
};
const char *strata__driver_text(const strata_ctx *ctx,
                                enum strata_driver_text t);

/*
 * Calls on the open connection (ctx->conn), with the driver's own
 * errors. An optional method the driver lacks returns STRATA_ENOTSUPP
 * and sets no error: callers that can meet one ask strata__driver_has
 * first and say why.
 */
int strata__conn_exec(strata_ctx *ctx, const char *sql, size_t len);
int strata__conn_exec_params(strata_ctx *ctx, const char *sql, int n,
                             const char *const *values);
int strata__conn_exec_clocked(strata_ctx *ctx, const char *sql, size_t len,
                              double *clocks, size_t max, size_t *n);
int strata__conn_query(strata_ctx *ctx, const char *sql, strata_row_cb cb,
                       void *payload);
int strata__conn_lock(strata_ctx *ctx, const char *key, int timeout_ms);
int strata__conn_unlock(strata_ctx *ctx, const char *key);
/* c may be closed (offline): ctx->conn is passed as it is */
int strata__conn_quote_ident(strata_ctx *ctx, strata_buf *out,
                             const char *ident);
int strata__conn_quote_literal(strata_ctx *ctx, strata_buf *out, const char *s);
int strata__conn_table_columns(strata_ctx *ctx, const char *schema,
                               const char *table, strata_row_cb cb,
                               void *payload);
/* -1 when the driver cannot tell */
int64_t strata__conn_changes(strata_ctx *ctx);
/* stmt made to fail with STRATA_SQLSTATE_ROW_COUNT unless it changes one
 * row, appended to out; STRATA_EINVALID when the driver cannot (no
 * error set) */
int strata__conn_one_row_sql(strata_ctx *ctx, strata_buf *out, const char *stmt,
                             size_t len);
int strata__conn_drop_all_sql(strata_ctx *ctx, const char *schema,
                              strata_buf *out);
int strata__conn_backup(strata_ctx *ctx, const char *path, int fd);
int strata__conn_restore(strata_ctx *ctx, const char *path);
int strata__conn_dump(strata_ctx *ctx, strata_buf *out);
int strata__conn_catalog(strata_ctx *ctx, const char *schema, strata_row_cb cb,
                         void *payload);
int strata__conn_schema_sql(strata_ctx *ctx, const char *schema,
                            strata_buf *out);
/* Lock-safe DDL: the statement (no terminator) that bounds the wait for
 * a table lock, timeout_ms 0 giving the session's own back; c may be
 * closed. STRATA_ENOTSUPP (no error set) without the driver's. */
int strata__conn_lock_wait_sql(strata_ctx *ctx, strata_buf *out, int timeout_ms,
                               int local);
/* Whether ctx's current error is a statement that gave up waiting for a
 * lock, as the driver tells; 0 for a driver without lock waits. */
int strata__driver_lock_wait_gave_up(const strata_ctx *ctx);
/* Whether the URLs of a and b name one database: 1 or 0, or -1 when the
 * driver cannot tell (no same_database, or two drivers). */
int strata__driver_same_database(const strata_ctx *a, const strata_ctx *b);
/* Append dump() text made to change no session setting past the
 * transaction it runs in (the driver's dump_local_sql), or as it is;
 * STRATA_ENOMEM (no error set). */
int strata__conn_dump_local_sql(strata_ctx *ctx, strata_buf *out,
                                const char *dump, size_t len);
/* The indexes a failed build left unusable (repair), one name a row. */
int strata__conn_invalid_indexes(strata_ctx *ctx, const char *schema,
                                 strata_row_cb cb, void *payload);

/* Driver calls that need no connection. */
int strata__driver_split(const strata_ctx *ctx, const char *sql, size_t len,
                         strata_stmt_cb cb, void *payload);
int strata__driver_delimiters(const strata_ctx *ctx, const char *sql,
                              size_t len,
                              int (*cb)(void *payload, size_t off,
                                        const char *delim, size_t n),
                              void *payload);
int strata__driver_restore_check(const strata_ctx *ctx, const char *path,
                                 int fd, strata_buf *what, unsigned long *line);
int strata__driver_state_key(const strata_ctx *ctx, strata_buf *out);

/*
 * A transaction on ctx's connection. It owns ctx->in_txn: begin sets
 * it, and commit or rollback clear it whatever happens, so that a failed
 * step never leaves the context believing a transaction is open (or
 * closed) when it is not. Every function accepts a txn that is not open
 * (never begun, or finished) and then does nothing.
 */
struct txn {
	strata_ctx *ctx;
	int open;
};

/* Send BEGIN. */
int strata__txn_begin(struct txn *t, strata_ctx *ctx);
/* Adopt a transaction whose BEGIN the caller sends in a batch with
 * other statements (see run.c); rolled back like one begun here. */
void strata__txn_adopt(struct txn *t, strata_ctx *ctx);
int strata__txn_commit(struct txn *t);
/* The adopted transaction's COMMIT went with the batch: it is over. */
int strata__txn_committed(struct txn *t);
/* Roll back, keeping the error that made the caller give up. @return
 * the ROLLBACK's outcome (0: the server answered), -1 when the
 * transaction was not open. */
int strata__txn_rollback(struct txn *t);
/* Finish: commit when rc is 0, else roll back and return rc (which may
 * be positive, such as "the plan is stale"). */
int strata__txn_end(struct txn *t, int rc);

#endif
