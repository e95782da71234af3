/*
 * Engine internals shared by the operations: opening a project for
 * reading or writing, the merged view of folder and history, and the
 * checks every part passes before anything runs.
 */
#ifndef STRATA_LIB_ENGINE_H
#define STRATA_LIB_ENGINE_H

#include "common.h"
#include "ctx.h"

/* Load the folder, connect without creating anything and read the
 * history if the table exists. A database that does not exist yet reads
 * as an empty history. */
int strata__open_read(strata_ctx *ctx);

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

/*
 * Check one part's statements before anything runs: unterminated text,
 * client meta-commands, explicit transaction control in a transactional
 * part, statements that cannot run in a transaction. With report set,
 * problems are added to ctx->source instead of failing.
 */
int strata__part_check(strata_ctx *ctx, struct migration *m, int down,
                       int report);

/* Does this part run inside a transaction on this driver? */
int strata__part_transactional(strata_ctx *ctx, struct migration *m, int down);

/* Map the driver's error offset (relative to base in the file's text) to
 * a file position on the current error. */
void strata__error_locate(strata_ctx *ctx, const struct migration *m,
                          const struct part *p, size_t base);

/* run.c: the statements that record (or, down, forget) a migration run;
 * ms < 0 is measured by the database where the driver can */
int strata__record_sql(strata_ctx *ctx, strata_buf *out, struct migration *m,
                       int down, int dirty, int64_t ms, strata_kind kind);

/* run.c: prefix the current error with "cannot record FILE in 'TABLE'" */
void strata__record_failed(strata_ctx *ctx, const char *path);

/* run.c: locate the error of a failed batch in which p's text started at
 * byte body, followed by "\n;\n" and strata's own statements (its
 * history row, or a reading of the server's clock) */
void strata__locate_batch_error(strata_ctx *ctx, const struct migration *m,
                                const struct part *p, size_t body);

/*
 * A part longer than this is not copied into a batch with other
 * statements (run.c, run_single.c): it is sent on its own, which the
 * driver may cut into messages of bounded size, so that a large seed file
 * is held in memory once.
 */
#define STRATA_BATCH_PART_MAX (256 * 1024)

/* run.c: run and record one migration in the caller's transaction */
int strata__run_part_in_txn(strata_ctx *ctx, const strata_migration *v,
                            struct migration *m);

/* run_single.c: up --single-transaction of the n selected view entries */
int strata__run_single(strata_ctx *ctx, const size_t *sel, size_t n,
                       size_t *n_done);
#endif
