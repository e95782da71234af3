/*
 * One connection for several databases of a fleet, in turn
 * (strata_ctx_reuse_connection): the context done with it gives it up,
 * clean, to the next one, whose driver resets the session for it. Any
 * doubt (another driver or URL, a connection in a bad state, a reset
 * that failed) ends with the next context connecting anew, as if it had
 * never been offered one.
 */
#include "common.h"
#include "ctx.h"
#include "driver.h"

int strata_ctx_reuse_connection(strata_ctx *ctx, strata_ctx *from)
{
	struct strata_connect_params p;
	struct strata_driver_conn *c;
	int rc;

	if (!ctx || !from || ctx == from || ctx->conn || !from->conn)
		return 0;
	/* from's transaction and lock end here, whatever happens next: the
	 * driver's reset must not be what frees them */
	strata__session_release(from);
	c = from->conn;
	if (c->read_only || c->pooled || !from->drv->reuse)
		return 0;
	if (strata__driver_resolve(ctx) < 0 || ctx->drv != from->drv ||
	    (ctx->schema && ctx->schema[0] && !ctx->drv->ensure_schema)) {
		/* ctx's own connect says what is wrong with its URL */
		strata__error_clear(ctx);
		return 0;
	}
	strata__connect_params(ctx, &p, 0);
	c->ctx = ctx;
	rc = ctx->drv->reuse(c, from->url, &p);
	if (rc < 0) {
		/* a connection that could not be reset serves nobody */
		c->ctx = from;
		strata__disconnect(from);
		strata__error_clear(ctx);
		return rc == STRATA_ENOMEM ? strata__oom(ctx) : 0;
	}
	from->conn = NULL;
	from->schema_ensured = 0;
	rc = strata__conn_adopt(ctx, c);
	return rc < 0 ? rc : 1;
}
