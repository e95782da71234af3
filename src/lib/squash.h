/*
 * Squash files: one migration at version V made from the schema that
 * the migrations up to V produce (squash.c writes it). Its leading
 * comments list what it replaced, one "-- strata:squash VERSION
 * CHECKSUM NAME" line each, with the checksum the history recorded when
 * that migration ran; squash_read.c reads them, so that a database where
 * they ran takes the file as applied, and records the squash there.
 */
#ifndef STRATA_LIB_SQUASH_H
#define STRATA_LIB_SQUASH_H

#include "common.h"
#include "source.h"

/* The directive that lists a replaced migration. */
#define SQUASH_DIRECTIVE "strata:squash"

/* Read m's -- strata:squash lines (m's text is loaded) into
 * m->squashed. STRATA_EPARSE at the file and line of a bad one. */
int strata__squash_parse(strata_ctx *ctx, struct migration *m);

/* 1 when the squash file m replaced the migration of version that the
 * history recorded with checksum, else 0. */
int strata__squash_covers(const struct migration *m, const char *version,
                          const char *checksum);

/* The loaded squash file of the folder that replaced version, or NULL. */
const struct migration *strata__squash_holding(const strata_ctx *ctx,
                                               const char *version);

/*
 * Before the squash file m runs on a database (it is pending there):
 * refused with STRATA_ESTATE when the history has any migration it
 * replaced, since it would make again what they made.
 */
int strata__squash_check_pending(strata_ctx *ctx, const struct migration *m);

/* 1 when the view has a squash file taken as applied whose row is still
 * the replaced migration's (the squash is not recorded yet). */
int strata__squash_unrecorded(strata_ctx *ctx);

/*
 * Record each such squash, under the runner lock: the row of its version
 * takes the squash file's name, file and checksum, with a log row of
 * action "squash" naming the versions replaced, in one transaction.
 * The history is read again after. *n_done: how many were recorded.
 */
int strata__squash_record(strata_ctx *ctx, size_t *n_done);

#endif
