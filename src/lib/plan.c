/*
 * The merged view of folder and history (what `status` shows), and the
 * checks a part passes before it may run.
 */
#include "common.h"
#include "ctx.h"
#include "driver.h"
#include "engine.h"
#include "history.h"
#include "source.h"
#include "squash.h"

/* cached: an unchanged database's history may come from histcache.c */
static int open_read(strata_ctx *ctx, int cached)
{
	strata_buf key = STRATA_BUF_INIT;
	int rc;

	if (!ctx->source_loaded) {
		rc = strata__source_load(ctx, &ctx->source, ctx->dir);
		if (rc < 0)
			return rc;
		ctx->source_loaded = 1;
	}
	strata__history_release(&ctx->history);
	if (cached && !ctx->conn) {
		/* an unchanged database's history, without opening it */
		rc = strata__driver_resolve(ctx);
		if (rc < 0)
			return rc;
		if (strata__histcache_key(ctx, &key) != 1)
			strata__buf_clear(&key);
		else if (strata__histcache_load(ctx, &key) == 1)
			goto done;
	}
	rc = strata__connect(ctx, 0);
	if (rc == STRATA_ENOTFOUND) {
		strata__error_clear(ctx);
		rc = 0; /* no database yet: nothing applied */
		goto done;
	}
	if (rc < 0)
		goto done;
	rc = strata__history_check(ctx, 0);
	if (rc > 0)
		rc = strata__history_read(ctx);
	if (rc == 0 && key.len)
		strata__histcache_store(ctx, key.ptr);
done:
	strata_buf_release(&key);
	return rc;
}

int strata__open_read(strata_ctx *ctx)
{
	return open_read(ctx, 0);
}

int strata__open_look(strata_ctx *ctx)
{
	return open_read(ctx, 1);
}

int strata__lock_runner(strata_ctx *ctx)
{
	strata_buf key = STRATA_BUF_INIT;
	int rc;

	if (ctx->locked || !strata__driver_has(ctx, STRATA_DRV_LOCK))
		return 0;
	strata__free(ctx->lock_key);
	ctx->lock_key = NULL;
	rc = strata__buf_puts(&key, "strata:");
	if (rc == 0)
		rc = strata__history_qualified(ctx, &key);
	if (rc < 0) {
		strata_buf_release(&key);
		return rc;
	}
	ctx->lock_key = strata__buf_detach(&key);
	rc = strata__conn_lock(ctx, ctx->lock_key, ctx->lock_timeout_ms);
	if (rc < 0)
		return rc;
	ctx->locked = 1;
	return 0;
}

int strata__open_write(strata_ctx *ctx)
{
	strata_buf sql = STRATA_BUF_INIT;
	int rc;

	if (!ctx->source_loaded) {
		rc = strata__source_load(ctx, &ctx->source, ctx->dir);
		if (rc < 0)
			return rc;
		ctx->source_loaded = 1;
	}
	rc = strata__connect(ctx, 1);
	if (rc == 0)
		rc = strata__lock_runner(ctx);
	if (rc < 0)
		return rc;
	rc = strata__history_check(ctx, 1);
	if (rc < 0)
		return rc;
	/* a history from before the log gets it now */
	if (rc == 1) {
		int r = strata__log_ensure(ctx);

		if (r < 0)
			return r;
	}
	/* noted before the history is read: a commit by another runner
	 * after this point makes the plan stale (run.c) */
	if (strata__driver_text(ctx, STRATA_DRV_CHANGE_COUNTER_SQL) &&
	    !strata__driver_can(ctx, STRATA_DRIVER_CAP_LOCK)) {
		int r = strata__change_counter(ctx, &ctx->plan_history);

		if (r < 0)
			return r;
	}
	if (rc == 0) {
		struct txn t = { ctx, 0 };

		/* the table and its log in one commit, where DDL can be */
		rc = strata__history_sql_create(ctx, &sql);
		if (rc == 0 &&
		    strata__driver_can(ctx, STRATA_DRIVER_CAP_TXN_DDL))
			rc = strata__txn_begin(&t, ctx);
		if (rc == 0)
			rc = strata__conn_exec(ctx, sql.ptr, sql.len);
		rc = strata__txn_end(&t, rc);
		strata_buf_release(&sql);
		if (rc < 0) {
			strata__error_prefix(ctx,
			                     "cannot create history "
			                     "table '%s'",
			                     ctx->table);
			return rc;
		}
	}
	return strata__history_read(ctx);
}

static int counter_cb(void *payload, int ncols, const char *const *v)
{
	strata_buf *out = payload;

	if (ncols < 1 || !v[0])
		return 0;
	strata__buf_clear(out);
	return strata__buf_puts(out, v[0]);
}

int strata__change_counter(strata_ctx *ctx, strata_buf *out)
{
	int rc;

	strata__buf_clear(out);
	rc = strata__conn_query(
	        ctx, strata__driver_text(ctx, STRATA_DRV_CHANGE_COUNTER_SQL),
	        counter_cb, out);
	/* the callback's own failure comes back with no error set */
	return rc == STRATA_ENOMEM ? strata__oom(ctx) : rc;
}

void strata__close_write(strata_ctx *ctx)
{
	struct saved_error saved;

	if (ctx->conn && ctx->locked) {
		/* the run's own error, if any, is the one to report */
		strata__error_save(ctx, &saved);
		strata__conn_unlock(ctx, ctx->lock_key);
		strata__error_restore(ctx, &saved);
	}
	ctx->locked = 0;
}

static void fill_from_source(strata_migration *v, struct migration *m)
{
	v->version = m->version;
	v->version_text = m->version_text;
	v->name = m->name;
	v->kind = m->kind;
	v->up_file = m->up_path;
	v->down_file = m->loaded ? (m->down.present ? m->down.path : NULL) :
	                           m->down_path;
	v->format = m->format;
	v->reversible = v->down_file != NULL;
	v->no_transaction = m->loaded && m->up.no_transaction;
	v->checksum = m->checksum_known ? m->checksum : "";
}

static void fill_from_row(strata_migration *v, const struct history_row *r)
{
	v->applied_name = r->name;
	v->dirty = r->dirty;
	v->applied_checksum = r->checksum;
	v->applied_at = r->applied_at;
	v->execution_ms = r->execution_ms;
	v->applied_by = r->applied_by;
}

static void fill_missing(strata_migration *v, const struct history_row *r)
{
	memset(v, 0, sizeof(*v));
	v->version = r->version;
	v->version_text = "";
	v->name = r->name;
	v->kind = r->kind;
	v->format = "";
	v->checksum = "";
	v->state = r->dirty ? STRATA_STATE_DIRTY : STRATA_STATE_MISSING;
	fill_from_row(v, r);
}

static const char *empty_fields(strata_migration *v)
{
	v->applied_checksum = v->applied_at = v->applied_by = "";
	v->applied_name = "";
	v->execution_ms = 0;
	v->dirty = 0;
	return NULL;
}

/* The newest version applied; "" when none is */
static const char *max_applied(const struct history *h)
{
	const char *max = "";
	size_t i;

	for (i = 0; i < h->n; i++)
		if (h->v[i].kind != STRATA_KIND_REPEATABLE &&
		    strata__version_cmp(h->v[i].version, max) > 0)
			max = h->v[i].version;
	return max;
}

/* State of a migration that has a history row. Reads the file to compare
 * checksums: only applied files are hashed. */
static int applied_state(strata_ctx *ctx, struct migration *m,
                         const struct history_row *r, strata_state *out)
{
	int rc;

	if (r->dirty) {
		*out = STRATA_STATE_DIRTY;
		return 0;
	}
	if (!m->loaded && !m->checksum_known &&
	    strata__statcache_lookup(ctx, m->up_path, m->checksum))
		m->checksum_known = 1;
	if (!m->checksum_known) {
		rc = strata__migration_load(ctx, m);
		if (rc < 0)
			return rc;
		strata__statcache_store(ctx, m->up_path, m->checksum);
	}
	/* matched by version: another name is a rename, not a new one */
	if (strcmp(r->checksum, m->checksum) != 0)
		*out = STRATA_STATE_MODIFIED;
	else if (strcmp(r->name, m->name) != 0)
		*out = STRATA_STATE_RENAMED;
	else
		*out = STRATA_STATE_APPLIED;
	if (*out == STRATA_STATE_APPLIED)
		return 0;
	/* a squash file where the migration it replaced at its version
	 * ran: applied (up records the squash) */
	rc = strata__migration_load(ctx, m);
	if (rc < 0)
		return rc;
	if (strata__squash_covers(m, r->version, r->checksum))
		*out = STRATA_STATE_APPLIED;
	return 0;
}

/* Whether the history row r, which has no file, is a migration the
 * squash file m (the next file in version order) replaced: it is not
 * listed then. */
static int squashed_row(strata_ctx *ctx, struct migration *m,
                        const struct history_row *r, int *rc)
{
	if (r->dirty || m->kind == STRATA_KIND_REPEATABLE)
		return 0;
	if (!m->loaded) {
		*rc = strata__migration_load(ctx, m);
		if (*rc < 0)
			return 0;
	}
	return strata__squash_covers(m, r->version, r->checksum);
}

int strata__build_view(strata_ctx *ctx)
{
	struct source *s = &ctx->source;
	struct history *h = &ctx->history;
	const char *newest = max_applied(h);
	size_t i, j = 0, k = 0, cap = s->n + h->n;
	strata_migration *view;
	int rc = 0;

	strata__ctx_release_view(ctx);
	view = strata__calloc(cap ? cap : 1, sizeof(*view));
	if (!view)
		return strata__oom(ctx);
	ctx->view = view;
	/* history rows of versioned kinds are sorted by version after the
	 * repeatables (no version); walk both lists in step */
	while (j < h->n && !h->v[j].version[0])
		j++;
	for (i = 0; i < s->n && rc == 0; i++) {
		struct migration *m = &s->v[i];
		strata_migration *v;
		const struct history_row *r;

		if (m->kind == STRATA_KIND_REPEATABLE)
			break;
		while (rc == 0 && j < h->n &&
		       strata__version_cmp(h->v[j].version, m->version) < 0) {
			if (squashed_row(ctx, m, &h->v[j], &rc))
				j++;
			else if (rc == 0)
				fill_missing(&view[k++], &h->v[j++]);
		}
		if (rc < 0)
			break;
		v = &view[k++];
		empty_fields(v);
		r = j < h->n && strcmp(h->v[j].version, m->version) == 0 ?
		            &h->v[j++] :
		            NULL;
		if (m->single_file && !m->loaded)
			rc = strata__migration_load(ctx, m);
		if (rc == 0 && r)
			rc = applied_state(ctx, m, r, &v->state);
		else if (rc == 0)
			v->state = strata__version_cmp(m->version, newest) < 0 ?
			                   STRATA_STATE_OUT_OF_ORDER :
			                   STRATA_STATE_PENDING;
		if (r)
			fill_from_row(v, r);
		fill_from_source(v, m);
	}
	while (rc == 0 && j < h->n)
		fill_missing(&view[k++], &h->v[j++]);
	/* repeatables: applied when the stored checksum matches */
	for (; rc == 0 && i < s->n; i++) {
		struct migration *m = &s->v[i];
		strata_migration *v = &view[k++];
		const struct history_row *r =
		        strata__history_find_name(h, m->name);

		empty_fields(v);
		rc = strata__migration_load(ctx, m);
		if (rc < 0)
			break;
		v->state = r && strcmp(r->checksum, m->checksum) == 0 ?
		                   STRATA_STATE_APPLIED :
		                   STRATA_STATE_PENDING;
		if (r)
			fill_from_row(v, r);
		fill_from_source(v, m);
	}
	ctx->n_view = k;
	strata__statcache_save(ctx);
	return rc;
}

struct migration *strata__view_source(strata_ctx *ctx,
                                      const strata_migration *v)
{
	size_t i;

	if (!v->up_file)
		return NULL;
	if (v->kind != STRATA_KIND_REPEATABLE)
		return strata__source_find(&ctx->source, v->version);
	for (i = 0; i < ctx->source.n; i++)
		if (ctx->source.v[i].kind == STRATA_KIND_REPEATABLE &&
		    strcmp(ctx->source.v[i].name, v->name) == 0)
			return &ctx->source.v[i];
	return NULL;
}

int strata_status(const strata_migration **out, size_t *n, strata_ctx *ctx,
                  int offline)
{
	int rc;

	*out = NULL;
	*n = 0;
	if (offline) {
		if (!ctx->source_loaded) {
			rc = strata__source_load(ctx, &ctx->source, ctx->dir);
			if (rc < 0)
				return rc;
			ctx->source_loaded = 1;
		}
		strata__history_release(&ctx->history);
		rc = 0;
	} else {
		rc = strata__open_look(ctx);
	}
	if (rc == 0)
		rc = strata__build_view(ctx);
	if (rc < 0)
		return rc;
	strata__source_warn_names(ctx, &ctx->source);
	*out = ctx->view;
	*n = ctx->n_view;
	return 0;
}

/* The checksum history would record for m, through the stat cache; ""
 * when its file cannot be read as a migration. */
static const char *file_checksum(strata_ctx *ctx, struct migration *m)
{
	if (!m->checksum_known && !m->loaded &&
	    strata__statcache_lookup(ctx, m->up_path, m->checksum))
		m->checksum_known = 1;
	if (!m->checksum_known) {
		if (strata__migration_load(ctx, m) < 0) {
			strata__error_clear(ctx);
			return "";
		}
		strata__statcache_store(ctx, m->up_path, m->checksum);
	}
	return m->checksum;
}

int strata_status_checksums(strata_ctx *ctx)
{
	size_t i;

	strata__error_clear(ctx);
	for (i = 0; i < ctx->n_view; i++) {
		strata_migration *v = &ctx->view[i];
		struct migration *m;

		if (v->checksum && v->checksum[0])
			continue;
		m = strata__view_source(ctx, v);
		if (m)
			v->checksum = file_checksum(ctx, m);
	}
	return 0;
}
