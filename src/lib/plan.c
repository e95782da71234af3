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
#include "../util/dl.h"

void strata__ctx_release_view(strata_ctx *ctx);
int strata__exec_describe(strata_ctx *ctx, strata_buf *out, const char *path);

int strata__open_read(strata_ctx *ctx)
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
	if (ctx->read_cached && !ctx->conn) {
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
	rc = strata__history_check(ctx);
	if (rc > 0)
		rc = strata__history_read(ctx);
	if (rc == 0 && key.len)
		strata__histcache_store(ctx, key.ptr);
done:
	strata_buf_release(&key);
	return rc;
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
	if (rc < 0)
		return rc;
	if (!ctx->locked && ctx->drv->lock) {
		strata__free(ctx->lock_key);
		ctx->lock_key = NULL;
		rc = strata__buf_puts(&sql, "strata:");
		if (rc == 0)
			rc = strata__history_qualified(ctx, &sql);
		if (rc < 0) {
			strata_buf_release(&sql);
			return rc;
		}
		ctx->lock_key = strata__buf_detach(&sql);
		rc = ctx->drv->lock(ctx->conn, ctx->lock_key,
		                    ctx->lock_timeout_ms);
		if (rc < 0)
			return rc;
		ctx->locked = 1;
	}
	rc = strata__history_check(ctx);
	if (rc < 0)
		return rc;
	/* noted before the history is read: a commit by another runner
	 * after this point makes the plan stale (run.c) */
	if (ctx->drv->change_counter_sql &&
	    !(ctx->drv->caps & STRATA_DRIVER_CAP_LOCK)) {
		int r = strata__change_counter(ctx, &ctx->plan_history);

		if (r < 0)
			return r;
	}
	if (rc == 0) {
		rc = strata__history_sql_create(ctx, &sql);
		if (rc == 0)
			rc = ctx->drv->exec(ctx->conn, sql.ptr, sql.len);
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
	rc = ctx->drv->query(ctx->conn, ctx->drv->change_counter_sql,
	                     counter_cb, out);
	/* the callback's own failure comes back with no error set */
	return rc == STRATA_ENOMEM ?
	               strata__error_set(ctx, rc, "out of memory") :
	               rc;
}

void strata__close_write(strata_ctx *ctx)
{
	struct saved_error saved;

	if (ctx->conn && ctx->locked && ctx->drv->unlock) {
		/* the run's own error, if any, is the one to report */
		strata__error_save(ctx, &saved);
		ctx->drv->unlock(ctx->conn, ctx->lock_key);
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
	v->execution_ms = 0;
	v->dirty = 0;
	return NULL;
}

static uint64_t max_applied(const struct history *h)
{
	uint64_t max = 0;
	size_t i;

	for (i = 0; i < h->n; i++)
		if (h->v[i].kind != STRATA_KIND_REPEATABLE &&
		    h->v[i].version > max)
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
	*out = strcmp(r->checksum, m->checksum) == 0 ? STRATA_STATE_APPLIED :
	                                               STRATA_STATE_MODIFIED;
	return 0;
}

int strata__build_view(strata_ctx *ctx)
{
	struct source *s = &ctx->source;
	struct history *h = &ctx->history;
	uint64_t newest = max_applied(h);
	size_t i, j = 0, k = 0, cap = s->n + h->n;
	strata_migration *view;
	int rc = 0;

	strata__ctx_release_view(ctx);
	view = strata__calloc(cap ? cap : 1, sizeof(*view));
	if (!view)
		return strata__error_set(ctx, STRATA_ENOMEM, "out of memory");
	ctx->view = view;
	/* history rows of versioned kinds are sorted by version after the
	 * repeatables (version 0); walk both lists in step */
	while (j < h->n && h->v[j].version == 0)
		j++;
	for (i = 0; i < s->n && rc == 0; i++) {
		struct migration *m = &s->v[i];
		strata_migration *v;
		const struct history_row *r;

		if (m->kind == STRATA_KIND_REPEATABLE)
			break;
		while (j < h->n && h->v[j].version < m->version)
			fill_missing(&view[k++], &h->v[j++]);
		v = &view[k++];
		empty_fields(v);
		r = j < h->n && h->v[j].version == m->version ? &h->v[j++] :
		                                                NULL;
		if (m->single_file && !m->loaded)
			rc = strata__migration_load(ctx, m);
		if (rc == 0 && r)
			rc = applied_state(ctx, m, r, &v->state);
		else if (rc == 0)
			v->state = m->version < newest ?
			                   STRATA_STATE_OUT_OF_ORDER :
			                   STRATA_STATE_PENDING;
		if (r)
			fill_from_row(v, r);
		fill_from_source(v, m);
		/* further rows with this version (renamed file): skip */
		while (j < h->n && h->v[j].version == m->version)
			j++;
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
		ctx->read_cached = 1;
		rc = strata__open_read(ctx);
		ctx->read_cached = 0;
	}
	if (rc == 0)
		rc = strata__build_view(ctx);
	if (rc < 0)
		return rc;
	*out = ctx->view;
	*n = ctx->n_view;
	return 0;
}

void strata__error_locate(strata_ctx *ctx, const struct migration *m,
                          const struct part *p, size_t base)
{
	const char *text = strata__part_text(m, p);
	size_t len = p == &m->down && !m->single_file ? m->down_text_len :
	                                                m->text_len;
	int line = 0, col = 0;

	if (ctx->err_offset >= 0)
		strata__offset_to_pos(text, len, base + (size_t)ctx->err_offset,
		                      &line, &col);
	strata__error_at(ctx, p->path, line, col);
}

static int any_ddl(void *payload, size_t off, size_t len, unsigned flags)
{
	(void)off;
	(void)len;
	if (flags & STRATA_STMT_DDL)
		*(int *)payload = 1;
	return 0;
}

int strata__part_transactional(strata_ctx *ctx, struct migration *m, int down)
{
	const struct part *p = down ? &m->down : &m->up;
	int ddl = 0;

	if (p->no_transaction || ctx->exec)
		return 0;
	if (ctx->drv->caps & STRATA_DRIVER_CAP_TXN_DDL)
		return 1;
	/* DDL commits implicitly here (MySQL): only data-only parts run in
	 * a transaction; the others use the dirty protocol */
	ctx->drv->split(strata__part_text(m, p) + p->off, p->len, any_ddl,
	                &ddl);
	return !ddl;
}

struct check_state {
	strata_ctx *ctx;
	struct migration *m;
	const struct part *p;
	const char *text;
	size_t text_len;
	int txn;
	int report;
	int rc;
};

static int check_fail(struct check_state *cs, size_t off, const char *msg,
                      const char *hint)
{
	int line, col;

	strata__offset_to_pos(cs->text, cs->text_len, off, &line, &col);
	if (cs->report) {
		int rc = strata__problem_add(&cs->ctx->source, 2, cs->p->path,
		                             line, "%s%s%s", msg,
		                             hint ? ": " : "",
		                             hint ? hint : "");

		return rc < 0 ? rc : 0;
	}
	strata__error_set(cs->ctx, STRATA_EPARSE, "%s", msg);
	strata__error_at(cs->ctx, cs->p->path, line, col);
	if (hint)
		strata__error_detail(cs->ctx, "hint: %s", hint);
	return STRATA_EPARSE;
}

size_t strata__first_token(const char *t, size_t off, size_t len);
size_t strata__first_token(const char *t, size_t off, size_t len)
{
	size_t i = off, end = off + len;

	/* skip blanks and comments (--, # and block comments) */
	while (i < end) {
		if (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' ||
		    t[i] == '\r') {
			i++;
		} else if ((t[i] == '-' && i + 1 < end && t[i + 1] == '-') ||
		           t[i] == '#') {
			while (i < end && t[i] != '\n')
				i++;
		} else if (t[i] == '/' && i + 1 < end && t[i + 1] == '*' &&
		           !(i + 2 < end && t[i + 2] == '!')) {
			i += 2;
			while (i + 1 < end && !(t[i] == '*' && t[i + 1] == '/'))
				i++;
			i += 2;
		} else {
			break;
		}
	}
	return i < end ? i : off;
}

static int check_stmt(void *payload, size_t off, size_t len, unsigned flags)
{
	struct check_state *cs = payload;
	size_t at = cs->p->off +
	            strata__first_token(cs->text + cs->p->off, off, len);

	if (flags & STRATA_STMT_INCOMPLETE)
		return check_fail(cs, at,
		                  "unterminated string, quoted name, comment "
		                  "or body: the statement never ends",
		                  NULL);
	if (flags & STRATA_STMT_META)
		return check_fail(cs, at,
		                  "client meta-command: strata sends SQL to "
		                  "the server, not commands of psql, sqlite3 "
		                  "or mysql",
		                  "remove it, or write it as SQL");
	if (cs->txn && (flags & STRATA_STMT_TXN_CONTROL))
		return check_fail(cs, at,
		                  "explicit transaction control: strata runs "
		                  "each migration in its own transaction",
		                  "remove BEGIN/COMMIT, or put '-- "
		                  "strata:no-transaction' on the file's first "
		                  "line");
	if (cs->txn && (flags & STRATA_STMT_NO_TXN))
		return check_fail(cs, at,
		                  "statement cannot run inside a transaction",
		                  "put '-- strata:no-transaction' on the "
		                  "file's first line (statements then run one "
		                  "by one, outside a transaction)");
	return 0;
}

int strata__part_check(strata_ctx *ctx, struct migration *m, int down,
                       int report)
{
	struct check_state cs;
	const struct part *p = down ? &m->down : &m->up;
	int rc;

	if (!p->present)
		return 0;
	if (ctx->exec) {
		/* a file no command can run is refused before anything runs */
		strata_buf b = STRATA_BUF_INIT;

		rc = strata__exec_describe(ctx, &b, p->path);
		strata_buf_release(&b);
		if (rc < 0 && report) {
			rc = strata__problem_add(&ctx->source, 2, p->path, 0,
			                         "%s", ctx->err.message);
			strata__error_clear(ctx);
		}
		return rc;
	}
	memset(&cs, 0, sizeof(cs));
	cs.ctx = ctx;
	cs.m = m;
	cs.p = p;
	cs.text = strata__part_text(m, p);
	cs.text_len = down && !m->single_file ? m->down_text_len : m->text_len;
	cs.txn = strata__part_transactional(ctx, m, down);
	cs.report = report;
	rc = ctx->drv->split(cs.text + p->off, p->len, check_stmt, &cs);
	if (rc == STRATA_ENOMEM)
		return strata__error_set(ctx, rc, "out of memory");
	if (rc == STRATA_ENOTSUPP && strata__dl_failure())
		/* a library the splitter needs */
		return strata__error_set(ctx, rc, "%s", strata__dl_failure());
	return rc;
}
