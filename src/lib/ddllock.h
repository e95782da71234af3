/*
 * Lock-safe DDL (ddllock.c): the wait a migration's statements allow for
 * table locks, and trying a migration again after such a wait gave up.
 */
#ifndef STRATA_LIB_DDLLOCK_H
#define STRATA_LIB_DDLLOCK_H

#include "common.h"
#include "source.h"

/* The setting for part p: its file's directive, else the project's;
 * NULL when neither is set. */
const struct strata__lockspec *strata__ddl_lock(const strata_ctx *ctx,
                                                const struct part *p);

/* Before anything runs: STRATA_EINVALID (naming the directive's file and
 * line, p's offsets being in text, or the setting) on a database that
 * has no such wait (SQLite). */
int strata__ddl_lock_check(strata_ctx *ctx, const struct part *p,
                           const char *text, size_t text_len);

/* Append to out the statement that sets p's wait ("" when none): local,
 * for the part's own transaction only. */
int strata__ddl_lock_sql(strata_ctx *ctx, strata_buf *out, const struct part *p,
                         int local);
/* up --single-transaction: the project's setting for the whole
 * transaction (begin), and the
 * statements that give p's part its file's setting (after 0) and the
 * project's back after it (after 1); "" when p's file sets none. */
int strata__ddl_lock_single_begin(strata_ctx *ctx);
int strata__ddl_lock_single_sql(strata_ctx *ctx, strata_buf *out,
                                const struct part *p, int after);
/* For a script (plan, --dry-run): what the run sends before p's part
 * (after 0: its setting) and after it (after 1: the session's own back,
 * outside a transaction), each ending in ";\n"; txn: p runs in a
 * transaction. */
int strata__ddl_lock_script(strata_ctx *ctx, strata_buf *out,
                            const struct part *p, int txn, int after);
/* Run that statement. */
int strata__ddl_lock_set(strata_ctx *ctx, const struct part *p, int local);
/* After a part run outside a transaction: give the session its own wait
 * back. A current error is kept (and a failure of this one not added). */
int strata__ddl_lock_reset(strata_ctx *ctx, const struct part *p);

/* Is the current error a statement of p giving up waiting for a lock? */
int strata__ddl_lock_timed_out(const strata_ctx *ctx, const struct part *p);

/*
 * After attempt (from 0) of p failed: when the error is a lock timeout,
 * nothing of the part is committed (committed 0) and retries are left,
 * tell the caller (STRATA_EVENT_RETRY), pause, clear the error and
 * return 1: try again. Otherwise 0, the error reworded when it was a
 * lock timeout, or STRATA_EINTERRUPTED when interrupted in the pause.
 */
int strata__ddl_lock_retry(strata_ctx *ctx, const strata_migration *v,
                           const struct part *p, int attempt, int committed);
/*
 * The same for up --single-transaction, after attempt of the whole
 * transaction was rolled back: p is the part whose statement failed
 * (its file's setting, else the project's), or NULL when the failure was
 * outside any part (the project's setting then); v the migration to name
 * in the retry's event, or NULL. The caller says what became of the
 * transaction when it gives up.
 */
int strata__ddl_lock_retry_single(strata_ctx *ctx, const strata_migration *v,
                                  const struct part *p, int attempt);

#endif
