/*
 * Scripts for the database's own client: what `strata plan` writes and a
 * dry run prints, as STRATA_EVENT_SQL events (script.c).
 */
#ifndef STRATA_LIB_SCRIPT_H
#define STRATA_LIB_SCRIPT_H

#include "common.h"
#include "source.h"

/*
 * The script of the n view entries sel[] (up, or down when down is set):
 * the schema set-up with --schema and the history table when it does not
 * exist (up), then each part as strata__script_part writes it. Nothing
 * when n is 0. *n_done (may be NULL) counts the parts written.
 */
int strata__script_write(strata_ctx *ctx, const size_t *sel, size_t n, int down,
                         size_t *n_done);

/*
 * One part and its history statements, as the run would send them: in a
 * transaction, or outside one with the row written dirty first, moved to
 * each statement before it runs and made clean (down: deleted) after.
 * The part's text is kept as written; its last statement is terminated
 * and the client's delimiter made ';' again where the file leaves them
 * otherwise.
 */
int strata__script_part(strata_ctx *ctx, const strata_migration *v,
                        struct migration *m, int down);

#endif
