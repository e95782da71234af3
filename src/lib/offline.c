/*
 * Offline work: `plan` writes the exact SQL of an up or down run as a
 * script a DBA can review and run with the database's own client, and
 * `baseline` records an existing database's migrations without running
 * them.
 */
#include <time.h>

#include "common.h"
#include "ctx.h"
#include "driver.h"
#include "engine.h"
#include "history.h"
#include "script.h"
#include "source.h"

static const char *client_hint(const strata_ctx *ctx)
{
	const char *c = strata__driver_text(ctx, STRATA_DRV_SCRIPT_CLIENT);

	return c ? c : "the database's client";
}

static int header(strata_ctx *ctx, size_t n, int down, int offline)
{
	strata_buf b = STRATA_BUF_INIT, q = STRATA_BUF_INIT;
	char ts[32];
	int rc;

	strata__now_utc(ts);
	/* the URL is quoted: a newline in it would end the comment */
	rc = strata__buf_printf(
	        &b,
	        "-- strata plan: %zu migration%s to %s, for %s%s\n"
	        "-- written %.19s UTC by strata %s\n"
	        "-- run it with: %s\n",
	        n, n == 1 ? "" : "s", down ? "roll back" : "apply",
	        strata__quoted(&q, ctx->url_redacted),
	        offline ? " (offline: nothing assumed applied)" : "", ts,
	        STRATA_VERSION, client_hint(ctx));
	if (rc == 0)
		strata__emit(ctx, STRATA_EVENT_SQL, NULL, b.ptr, 0);
	strata_buf_release(&b);
	strata_buf_release(&q);
	return rc < 0 ? strata__oom(ctx) : 0;
}

int strata_plan(strata_ctx *ctx, const strata_run_options *opts, int down,
                int offline, size_t *n_out)
{
	strata_run_options none;
	size_t *sel = NULL, n = 0;
	int rc;

	*n_out = 0;
	if (!opts) {
		memset(&none, 0, sizeof(none));
		opts = &none;
	}
	strata__error_clear(ctx);
	if (offline) {
		rc = strata__source_load(ctx, &ctx->source, ctx->dir);
		ctx->source_loaded = rc == 0;
		strata__history_release(&ctx->history);
	} else {
		rc = strata__open_read(ctx);
	}
	if (rc == 0)
		rc = strata__driver_resolve(ctx);
	/* refused offline as connecting refuses it */
	if (rc == 0 && ctx->schema && ctx->schema[0] &&
	    !strata__driver_has(ctx, STRATA_DRV_ENSURE_SCHEMA))
		rc = strata__no_schemas(ctx, STRATA_EINVALID);
	if (rc == 0)
		rc = strata__build_view(ctx);
	if (rc == 0)
		rc = strata__check_blockers(ctx, down);
	if (rc == 0) {
		sel = strata__calloc(ctx->n_view + 1, sizeof(*sel));
		if (!sel)
			rc = strata__oom(ctx);
	}
	if (rc == 0)
		rc = down ? strata__select_down(ctx, opts, sel, &n) :
		            strata__select_up(ctx, opts, sel, &n);
	if (rc == 0)
		rc = header(ctx, n, down, offline);
	if (rc == 0)
		rc = strata__script_write(ctx, sel, n, down, NULL);
	strata__free(sel);
	if (rc == 0)
		*n_out = n;
	return rc;
}

int strata_baseline(strata_ctx *ctx, const char *version, size_t *n_out)
{
	char v[STRATA_VERSION_SIZE];
	size_t i;
	int rc;

	*n_out = 0;
	strata__error_clear(ctx);
	rc = version ? strata__version_parse(v, version, strlen(version)) :
	               STRATA_EPARSE;
	if (rc < 0)
		return strata__error_set(
		        ctx, STRATA_EINVALID,
		        "'%s': not a version (digits, in parts "
		        "separated by '.', at most %d "
		        "characters without leading zeros)",
		        version ? version : "(null)", STRATA_VERSION_MAX);
	rc = strata__open_read(ctx);
	if (rc == 0)
		rc = strata__build_view(ctx);
	if (rc < 0)
		return rc;
	for (i = 0; i < ctx->history.n; i++)
		if (ctx->history.v[i].kind != STRATA_KIND_REPEATABLE) {
			strata__error_set(
			        ctx, STRATA_ESTATE,
			        "the database already has a history "
			        "(migration %s is recorded): "
			        "baseline is for databases strata has "
			        "never migrated",
			        ctx->history.v[i].version);
			strata__error_detail(ctx,
			                     "to move the recorded version, "
			                     "use 'strata force'");
			return STRATA_ESTATE;
		}
	for (i = 0; i < ctx->n_view; i++)
		if (ctx->view[i].kind == STRATA_KIND_VERSIONED &&
		    strata__version_cmp(ctx->view[i].version, v) <= 0)
			(*n_out)++;
	if (*n_out == 0)
		return strata__error_set(ctx, STRATA_EINVALID,
		                         "no migration has a version up to %s",
		                         v);
	rc = strata__force(ctx, v, "baseline");
	if (rc < 0)
		*n_out = 0;
	return rc;
}
