/*
 * Engine internals shared by the operations: opening a project for
 * reading or writing, the merged view of folder and history, and the
 * checks every part passes before anything runs.
 */
#ifndef STRATA_LIB_ENGINE_H
#define STRATA_LIB_ENGINE_H

#include "common.h"
#include "ctx.h"
#include "part.h"

/* Load the folder, connect without creating anything and read the
 * history if the table exists. A database that does not exist yet reads
 * as an empty history. */
int strata__open_read(strata_ctx *ctx);

/* The same for commands that only read (status, validate, up's first
 * look): the history of a database unchanged since it was last read may
 * come from histcache.c without connecting. */
int strata__open_look(strata_ctx *ctx);

/* Load the folder, connect (creating the database), take the runner
 * lock, create the history table if needed and read it. */
int strata__open_write(strata_ctx *ctx);

/* Take the runner lock on the open connection, if the driver has one
 * and it is not held yet. */
int strata__lock_runner(strata_ctx *ctx);

/* The driver's change counter (change_counter_sql) as text. */
int strata__change_counter(strata_ctx *ctx, strata_buf *out);

/* Release the runner lock (kept connection). */
void strata__close_write(strata_ctx *ctx);

/* Merge folder and history into ctx->view. */
int strata__build_view(strata_ctx *ctx);

/* The migration behind a view entry, or NULL for a missing one. */
struct migration *strata__view_source(strata_ctx *ctx,
                                      const strata_migration *v);

/* ops.c, the planner: refuse a dirty migration, and a modified one
 * unless allow_modified (a rollback only warns) */
int strata__check_blockers(strata_ctx *ctx, int allow_modified);
/* choose.c: pick what up (down) runs, as indexes into ctx->view, in
 * order, and load and check each part; sel has room for ctx->n_view */
int strata__select_up(strata_ctx *ctx, const strata_run_options *o, size_t *sel,
                      size_t *n_sel);
/* repair.c: strata_force, with what the history log calls it ("force", or
 * "baseline" for strata_baseline). */
int strata__force(strata_ctx *ctx, const char *version, const char *action);
int strata__select_down(strata_ctx *ctx, const strata_run_options *o,
                        size_t *sel, size_t *n_sel);
/* choose.c: the newest applied migration of the view, or NULL */
const strata_migration *strata__newest_applied(strata_ctx *ctx);
/* choose.c: is version (canonical) a versioned migration of the view? */
int strata__known_version(strata_ctx *ctx, const char *version);
/* choose.c: a version given by the caller (what, e.g. "--to"), as
 * canonical text in out; an error naming what when it is not one */
int strata__caller_version(strata_ctx *ctx, const char *what, const char *text,
                           char out[STRATA_VERSION_SIZE]);

/* How strata__run_part runs a part (or-ed) */
#define STRATA_PART_DRY_RUN 1u /* print it instead, as a script */
#define STRATA_PART_LAST    2u /* the run's last part: its commit is durable */

/* run.c: run (or, dry, print) one part. @return 0, a negative error,
 * or 1 when the plan turned out stale and nothing was done: plan again */
int strata__run_part(strata_ctx *ctx, const strata_migration *v,
                     struct migration *m, int down, unsigned how);

/*
 * A part longer than this is not copied into a batch with other
 * statements (run.c, run_single.c): it is sent on its own, which the
 * driver may cut into messages of bounded size, so that a large seed file
 * is held in memory once.
 */
#define STRATA_BATCH_PART_MAX (256 * 1024)

/* run.c: run and record one migration in the caller's transaction; its
 * time in *ms (no APPLY_DONE: the caller's commit decides) */
int strata__run_part_in_txn(strata_ctx *ctx, const strata_migration *v,
                            struct migration *m, int64_t *ms);

/* run_single.c: up --single-transaction of the n selected view entries */
int strata__run_single(strata_ctx *ctx, const size_t *sel, size_t n,
                       size_t *n_done);

/* run.c: has another runner changed the history since the plan was made
 * (drivers without a runner lock)? *stale = 1 if so. */
int strata__plan_is_stale(strata_ctx *ctx, int *stale);
#endif
