/*
 * Built-in drivers and the connection lifecycle.
 */
#ifndef STRATA_LIB_DRIVER_H
#define STRATA_LIB_DRIVER_H

#include "common.h"

extern const struct strata_driver strata__driver_sqlite;
#if STRATA_HAVE_PG
extern const struct strata_driver strata__driver_postgres;
#endif
#if STRATA_HAVE_MYSQL
extern const struct strata_driver strata__driver_mysql;
#endif

const struct strata_driver *strata__driver_find(const char *scheme);
/* Pick ctx->drv from the URL's scheme. */
int strata__driver_resolve(strata_ctx *ctx);
/* Connect once; create: allow creating the database (SQLite file). */
int strata__connect(strata_ctx *ctx, int create);
/* Roll back, unlock and disconnect; accepts a closed context. Keeps the
 * current error. */
void strata__disconnect(strata_ctx *ctx);
/* Roll back the open transaction after an error, keeping that error (a
 * failing ROLLBACK must not hide what led to it). @return the rollback's
 * own result */
int strata__rollback_quietly(strata_ctx *ctx);

#endif
