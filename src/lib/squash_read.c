/*
 * Squash files in a run (squash.h): a squash file pending where the
 * migrations it replaced partly ran, and recording a squash in the
 * history of a database where they ran.
 */

#include "common.h"
#include "ctx.h"
#include "driver.h"
#include "engine.h"
#include "history.h"
#include "squash.h"

int strata__squash_check_pending(strata_ctx *ctx, const struct migration *m)
{
	const struct history *h = &ctx->history;
	size_t i;

	for (i = 0; i < m->n_squashed; i++) {
		const struct history_row *r =
		        strata__history_find(h, m->squashed[i].version);

		if (!r)
			continue;
		strata__error_set(
		        ctx, STRATA_ESTATE,
		        "%s replaces migrations this database has "
		        "only partly applied (%s '%s' is, %s is not): "
		        "it would make again what they made",
		        m->up_path, r->version, r->name, m->version_text);
		strata__error_detail(
		        ctx,
		        "apply the replaced migrations up to %s first, with the "
		        "folder as it was before the squash (from version "
		        "control), then run strata up with this folder",
		        m->version_text);
		return STRATA_ESTATE;
	}
	return 0;
}

/* The squash file of view entry v, when it is one taken as applied on
 * a row that is still the replaced migration's. */
static struct migration *unrecorded(strata_ctx *ctx, const strata_migration *v)
{
	struct migration *m;

	if (v->kind == STRATA_KIND_REPEATABLE ||
	    v->state != STRATA_STATE_APPLIED || !v->applied_checksum)
		return NULL;
	m = strata__view_source(ctx, v);
	if (!m || !m->loaded || !m->n_squashed)
		return NULL;
	return strcmp(v->applied_checksum, m->checksum) != 0 ? m : NULL;
}

int strata__squash_unrecorded(strata_ctx *ctx)
{
	size_t i;

	for (i = 0; i < ctx->n_view; i++)
		if (unrecorded(ctx, &ctx->view[i]))
			return 1;
	return 0;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static int record_one(strata_ctx *ctx, strata_buf *sql,
                      const strata_migration *v, struct migration *m)
{
	strata_buf detail = STRATA_BUF_INIT;
	struct log_event e;
	size_t i;
	int rc = strata__buf_printf(&detail, "replaces");

	for (i = 0; rc == 0 && i < m->n_squashed; i++)
		rc = strata__buf_printf(&detail, "%s %s", i ? "," : "",
		                        m->squashed[i].version);
	if (rc == 0)
		rc = strata__buf_printf(&detail, " (applied as '%s', %.12s)",
		                        v->applied_name, v->applied_checksum);
	if (rc < 0) {
		strata_buf_release(&detail);
		return strata__oom(ctx);
	}
	memset(&e, 0, sizeof(e));
	e.action = "squash";
	e.version = v->version;
	e.name = m->name;
	e.kind = v->kind;
	e.checksum = m->checksum;
	e.detail = detail.ptr;
	rc = strata__log_sql(ctx, sql, &e);
	if (rc == 0)
		rc = strata__history_sql_rename(ctx, sql, v->version, m->name,
		                                m->checksum,
		                                base_name(m->up_path));
	strata_buf_release(&detail);
	return rc;
}

int strata__squash_record(strata_ctx *ctx, size_t *n_done)
{
	strata_buf sql = STRATA_BUF_INIT;
	struct txn t = { ctx, 0 };
	size_t i, n = 0;
	int rc = 0;

	*n_done = 0;
	for (i = 0; rc == 0 && i < ctx->n_view; i++) {
		const strata_migration *v = &ctx->view[i];
		struct migration *m = unrecorded(ctx, v);

		if (!m)
			continue;
		rc = record_one(ctx, &sql, v, m);
		if (rc == 0)
			strata__emitf(ctx, STRATA_EVENT_INFO,
			              "recorded the squash of %s (%zu "
			              "migration%s replaced)",
			              m->up_path, m->n_squashed,
			              m->n_squashed == 1 ? "" : "s");
		n++;
	}
	if (rc == 0 && sql.len) {
		rc = strata__txn_begin(&t, ctx);
		if (rc == 0)
			rc = strata__conn_exec(ctx, sql.ptr, sql.len);
		rc = strata__txn_end(&t, rc);
	}
	strata_buf_release(&sql);
	if (rc == 0 && n) {
		rc = strata__history_read(ctx);
		if (rc == 0)
			rc = strata__build_view(ctx);
	}
	if (rc == 0)
		*n_done = n;
	return rc;
}
