/*
 * The history as the caller reads it: strata_history (the applied
 * migrations, oldest first) and strata_history_log (the log).
 */
#include "common.h"
#include "ctx.h"
#include "driver.h"
#include "engine.h"
#include "history.h"
#include "script.h"
#include "source.h"
#include "squash.h"
#include "../util/testpoint.h"

/* oldest first: by time applied, then version */
static int entry_cmp(const void *a, const void *b)
{
	const strata_history_entry *x = a, *y = b;
	int c = strcmp(x->applied_at, y->applied_at);

	if (c)
		return c;
	return strata__version_cmp(x->version, y->version);
}

int strata_history(const strata_history_entry **out, size_t *n, strata_ctx *ctx)
{
	size_t i;
	int rc;

	*out = NULL;
	*n = 0;
	strata__error_clear(ctx);
	rc = strata__open_read(ctx);
	if (rc < 0)
		return rc;
	strata__free(ctx->entries);
	ctx->entries =
	        strata__calloc(ctx->history.n + 1, sizeof(*ctx->entries));
	if (!ctx->entries)
		return strata__oom(ctx);
	for (i = 0; i < ctx->history.n; i++) {
		const struct history_row *r = &ctx->history.v[i];
		strata_history_entry *e = &ctx->entries[i];

		e->version = r->version;
		e->name = r->name;
		e->kind = r->kind;
		e->file = r->file;
		e->checksum = r->checksum;
		e->checksum_algorithm = r->checksum_algorithm;
		e->applied_at = r->applied_at;
		e->execution_ms = r->execution_ms;
		e->applied_by = r->applied_by;
		e->target = r->target;
		e->database_type = r->database_type;
		e->dirty = r->dirty;
		e->version_text = r->version;
		if (r->kind != STRATA_KIND_REPEATABLE) {
			const struct migration *m =
			        strata__source_find(&ctx->source, r->version);

			if (m)
				e->version_text = m->version_text;
		}
	}
	ctx->n_entries = ctx->history.n;
	if (ctx->n_entries > 1)
		qsort(ctx->entries, ctx->n_entries, sizeof(*ctx->entries),
		      entry_cmp);
	*out = ctx->entries;
	*n = ctx->n_entries;
	return 0;
}

int strata_history_log(const strata_log_entry **out, size_t *n, strata_ctx *ctx)
{
	size_t i;
	int rc;

	*out = NULL;
	*n = 0;
	strata__error_clear(ctx);
	rc = strata__open_read(ctx);
	if (rc == 0 && ctx->conn)
		rc = strata__log_read(ctx);
	else
		strata__log_release(ctx);
	if (rc < 0)
		return rc;
	for (i = 0; i < ctx->n_log; i++) {
		strata_log_entry *e = &ctx->log[i];
		const struct migration *m =
		        e->version[0] ?
		                strata__source_find(&ctx->source, e->version) :
		                NULL;

		if (m && e->kind != STRATA_KIND_REPEATABLE)
			e->version_text = m->version_text;
	}
	*out = ctx->log;
	*n = ctx->n_log;
	return 0;
}
