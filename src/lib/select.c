/*
 * strata_select(): one query of the caller's on the context's database,
 * its rows handed over as they come (the members of a fleet listed by a
 * query in strata.conf).
 */
#include "common.h"
#include "ctx.h"
#include "driver.h"

int strata_select(strata_ctx *ctx, const char *sql, strata_select_cb cb,
                  void *payload)
{
	int rc;

	if (!ctx || !sql || !cb)
		return STRATA_EINVALID;
	strata__error_clear(ctx);
	if (ctx->exec)
		return strata__error_set(ctx, STRATA_ENOTSUPP,
		                         "an exec target has no database to "
		                         "query");
	rc = strata__connect(ctx, 0);
	if (rc == STRATA_ENOTFOUND)
		return strata__error_set(ctx, STRATA_ENOTFOUND,
		                         "the database does not exist");
	if (rc < 0)
		return rc;
	rc = strata__conn_query(ctx, sql, cb, payload);
	if (rc < 0)
		strata__error_prefix(ctx, "query failed");
	return rc;
}
