/*
 * Waiting for the streaming standbys (up --wait-replicas): the driver
 * waits, the rows it reports become strata_replica.
 */
#include <stdlib.h>

#include "ctx.h"
#include "driver.h"

struct wait {
	strata_replica_cb cb;
	void *payload;
};

static int64_t number_or_unknown(const char *s)
{
	return s ? strtoll(s, NULL, 10) : -1;
}

static int replica_row(void *payload, int ncols, const char *const *v)
{
	struct wait *w = payload;
	strata_replica r;

	if (ncols < 6)
		return STRATA_EINTERNAL;
	r.name = v[0] ? v[0] : "";
	r.address = v[1] ? v[1] : "";
	r.state = v[2];
	r.behind_bytes = number_or_unknown(v[3]);
	r.replay_lag_ms = number_or_unknown(v[4]);
	r.caught_up = v[5] && v[5][0] == '1';
	if (w->cb)
		w->cb(&r, w->payload);
	return 0;
}

int strata_replicas_supported(strata_ctx *ctx)
{
	return strata__driver_resolve(ctx) == 0 &&
	       ctx->drv->wait_replicas != NULL;
}

int strata_wait_replicas(strata_ctx *ctx, int timeout_ms, strata_replica_cb cb,
                         void *payload)
{
	struct wait w = { cb, payload };
	int rc;

	strata__error_clear(ctx);
	rc = strata__driver_resolve(ctx);
	if (rc < 0)
		return rc;
	if (!ctx->drv->wait_replicas)
		return strata__error_set(ctx, STRATA_ENOTSUPP,
		                         "%s has no streaming standbys strata "
		                         "can wait for (PostgreSQL has)",
		                         ctx->drv->name);
	rc = strata__connect(ctx, 0);
	if (rc < 0)
		return rc;
	return ctx->drv->wait_replicas(
	        ctx->conn, timeout_ms < 0 ? 0 : timeout_ms, replica_row, &w);
}
