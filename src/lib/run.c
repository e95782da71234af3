/*
 * Running migrations: each part and its history row commit together (or,
 * where the database cannot, under the dirty protocol), with every check
 * done before the first statement runs.
 */
#include <time.h>

#include "common.h"
#include "ctx.h"
#include "driver.h"
#include "engine.h"
#include "history.h"
#include "script.h"
#include "source.h"
#include "../util/dl.h"

int64_t strata__now_ms(void);
size_t strata__first_token(const char *t, size_t off, size_t len);
int strata__exec_part(strata_ctx *ctx, const struct migration *m, int down);
int64_t strata__now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static int oom(strata_ctx *ctx)
{
	return strata__error_set(ctx, STRATA_ENOMEM, "out of memory");
}

/* The history row of an applied migration; ts receives the time. */
static void fill_row(strata_ctx *ctx, struct history_row *r,
                     struct migration *m, int dirty, int64_t ms,
                     strata_kind kind, char ts[32])
{
	strata__now_utc(ts);
	memset(r, 0, sizeof(*r));
	r->version = m->version;
	r->name = m->name;
	r->kind = kind;
	r->file = (char *)base_name(m->up_path);
	r->checksum = m->checksum;
	r->applied_at = ctx->script ? NULL : ts;
	r->execution_ms = ms;
	r->applied_by = (char *)strata__applied_by();
	r->dirty = dirty; /* the statement reached: 1 before the first */
}

/* Prefix the current error: recording the run of path's part failed. */
void strata__record_failed(strata_ctx *ctx, const char *path)
{
	strata__error_prefix(ctx, "cannot record %s in '%s'", base_name(path),
	                     ctx->table);
}

/*
 * The name that, with the version, picks a migration's history row:
 * rows and files are matched by version (a renamed file keeps its row,
 * under the old name), so only a repeatable's row is picked by name.
 */
static const char *row_key_name(const struct migration *m)
{
	return m->kind == STRATA_KIND_REPEATABLE ? m->name : NULL;
}

/* The statements that record (or forget) a migration. */
int strata__record_sql(strata_ctx *ctx, strata_buf *out, struct migration *m,
                       int down, int dirty, int64_t ms, strata_kind kind)
{
	struct history_row r;
	char ts[32];

	if (down)
		return strata__history_sql_delete(ctx, out, m->version,
		                                  row_key_name(m));
	fill_row(ctx, &r, m, dirty, ms, kind, ts);
	if (m->kind == STRATA_KIND_REPEATABLE) {
		/* one row per repeatable: replace it */
		int rc = strata__history_sql_delete(ctx, out, 0, m->name);

		if (rc < 0)
			return rc;
	}
	return strata__history_sql_insert(ctx, out, &r);
}

/* Record a migration run in a transaction: a new versioned row goes
 * through the driver's prepared INSERT when it has one. */
static int record_done(strata_ctx *ctx, struct migration *m, int down,
                       int64_t ms)
{
	strata_buf rec = STRATA_BUF_INIT;
	struct history_row r;
	char ts[32];
	int rc;

	if (!down && m->kind != STRATA_KIND_REPEATABLE && !ctx->script &&
	    ctx->drv->exec_params) {
		fill_row(ctx, &r, m, 0, ms, m->kind, ts);
		return strata__history_insert(ctx, &r);
	}
	rc = strata__record_sql(ctx, &rec, m, down, 0, ms, m->kind);
	if (rc == 0)
		rc = ctx->drv->exec(ctx->conn, rec.ptr, rec.len);
	strata_buf_release(&rec);
	return rc;
}

static int exec_buf(strata_ctx *ctx, const strata_buf *b)
{
	return ctx->drv->exec(ctx->conn, b->ptr, b->len);
}

static int count_cb(void *payload, int ncols, const char *const *v)
{
	(void)v;
	if (ncols > 0)
		(*(int64_t *)payload)++;
	return 0;
}

/*
 * Right after the statement that removed (gone set) or marked m's
 * history row: it must have changed exactly that one row. Otherwise the
 * history does not say what the run did, and the run must stop (a
 * transaction is then rolled back by the caller). what: "nothing was
 * rolled back" or what else the message should say.
 */
static int check_row_changed(strata_ctx *ctx, struct migration *m, int gone,
                             const char *what)
{
	strata_buf sql = STRATA_BUF_INIT;
	int64_t n = -1;
	int rc = 0;

	if (ctx->drv->changes)
		n = ctx->drv->changes(ctx->conn);
	if (n < 0) {
		/* not known: count the rows of the version left */
		int64_t left = 0;

		rc = strata__history_sql_probe(ctx, &sql, m->version,
		                               row_key_name(m));
		if (rc == 0)
			rc = ctx->drv->query(ctx->conn, sql.ptr, count_cb,
			                     &left);
		strata_buf_release(&sql);
		if (rc < 0)
			return rc == STRATA_ENOMEM ? oom(ctx) : rc;
		n = gone ? 1 - left : left;
	}
	if (n == 1)
		return 0;
	strata__error_set(ctx, STRATA_ESTATE,
	                  "the history row of migration %s (%s) in '%s' was "
	                  "not %s: %lld rows matched; %s",
	                  m->version_text, m->name, ctx->table,
	                  gone ? "removed" : "marked", (long long)n, what);
	strata__error_detail(ctx,
	                     "the history changed under strata (did the "
	                     "migration itself change '%s'?): see 'strata "
	                     "status', and 'strata force' to declare the "
	                     "version by hand",
	                     ctx->table);
	return STRATA_ESTATE;
}

/*
 * Drivers without a runner lock (SQLite): the plan was made from a read of
 * the history outside any transaction, so another runner may have moved
 * the database on since. Inside the write transaction, before anything
 * runs, the history must still be the one the plan assumed; if not, the
 * plan is stale (*stale = 1): roll back and plan again. Checking only the
 * migration's own row is not enough: a `down` that ran meanwhile leaves a
 * hole under an `up` planned before it, two `down`s would roll back one
 * migration between them, and a repeatable would run twice.
 */
int strata__plan_is_stale(strata_ctx *ctx, int *stale);
int strata__plan_is_stale(strata_ctx *ctx, int *stale)
{
	struct history now;
	strata_buf fp = STRATA_BUF_INIT;
	int rc;

	*stale = 0;
	if (ctx->drv->caps & STRATA_DRIVER_CAP_LOCK)
		return 0;
	if (ctx->drv->change_counter_sql) {
		/* another connection committed since the plan was made */
		rc = strata__change_counter(ctx, &fp);
		if (rc == 0)
			*stale = strcmp(fp.ptr, ctx->plan_history.ptr) != 0;
		strata_buf_release(&fp);
		return rc;
	}
	memset(&now, 0, sizeof(now));
	rc = strata__history_read_into(ctx, &now);
	if (rc == 0 && strata__history_fingerprint(&fp, &now) < 0)
		rc = oom(ctx);
	if (rc == 0)
		*stale = fp.len != ctx->plan_history.len ||
		         memcmp(fp.ptr, ctx->plan_history.ptr, fp.len) != 0;
	strata__history_release(&now);
	strata_buf_release(&fp);
	return rc;
}

/* After this run's own change, inside its transaction: the history the
 * rest of the plan assumes. */
static int plan_history_update(strata_ctx *ctx)
{
	struct history now;
	int rc;

	/* the counter does not move for this connection's own commits */
	if ((ctx->drv->caps & STRATA_DRIVER_CAP_LOCK) ||
	    ctx->drv->change_counter_sql)
		return 0;
	memset(&now, 0, sizeof(now));
	rc = strata__history_read_into(ctx, &now);
	if (rc == 0 &&
	    strata__history_fingerprint(&ctx->plan_history, &now) < 0)
		rc = oom(ctx);
	strata__history_release(&now);
	return rc;
}

static void emit_done(strata_ctx *ctx, const strata_migration *v, int down,
                      int64_t ms)
{
	strata__emit(ctx,
	             down ? STRATA_EVENT_REVERT_DONE : STRATA_EVENT_APPLY_DONE,
	             v, NULL, ms);
}

static int run_txn(strata_ctx *ctx, const strata_migration *v,
                   struct migration *m, int down)
{
	struct part *p = down ? &m->down : &m->up;
	const char *text = strata__part_text(m, p);
	int64_t t0, ms;
	int rc, stale;

	rc = ctx->drv->begin(ctx->conn);
	if (rc < 0)
		return rc;
	ctx->in_txn = 1;
	rc = strata__plan_is_stale(ctx, &stale);
	if (rc == 0 && stale) {
		ctx->drv->rollback(ctx->conn);
		ctx->in_txn = 0;
		return 1; /* plan again */
	}
	t0 = strata__now_ms();
	if (rc == 0) {
		rc = ctx->drv->exec(ctx->conn, text + p->off, p->len);
		if (rc < 0)
			strata__error_locate(ctx, m, p, p->off);
	}
	ms = strata__now_ms() - t0;
	if (rc == 0) {
		rc = record_done(ctx, m, down, ms);
		if (rc < 0)
			strata__record_failed(ctx, p->path);
	}
	if (rc == 0 && down)
		rc = check_row_changed(ctx, m, 1, "nothing was rolled back");
	if (rc == 0)
		rc = plan_history_update(ctx);
	if (rc < 0) {
		ctx->drv->rollback(ctx->conn);
		ctx->in_txn = 0;
		return rc;
	}
	rc = ctx->drv->commit(ctx->conn);
	ctx->in_txn = 0;
	if (rc < 0)
		return rc;
	emit_done(ctx, v, down, ms);
	return 0;
}

/*
 * A batch failed: the driver's error offset is in the batch's text, where
 * p's text starts at body, followed by "\n;\n" and the statements that
 * record it. Put the error at its place in p's file, or say that
 * recording failed.
 */
void strata__locate_batch_error(strata_ctx *ctx, const struct migration *m,
                                const struct part *p, size_t body)
{
	long off = ctx->err_offset;

	/* an error just past the part (an unclosed parenthesis) is the
	 * part's: only the history statements are not */
	if (off >= (long)body && off < (long)(body + p->len + 3)) {
		ctx->err_offset = off - (long)body;
		if (ctx->err_offset > (long)p->len)
			ctx->err_offset = (long)p->len;
		strata__error_locate(ctx, m, p, p->off);
	} else if (off >= (long)(body + p->len)) {
		strata__record_failed(ctx, p->path);
	} else {
		strata__error_at(ctx, p->path, 0, 0);
	}
}

/*
 * One round trip per migration where the driver allows it (PostgreSQL):
 * BEGIN, the part, its history row and COMMIT sent as one text (a part
 * longer than STRATA_BATCH_PART_MAX runs through run_txn instead). Every
 * migration but the run's last commits without waiting for its WAL flush;
 * the last one's synchronous commit then covers all the earlier ones, so
 * a crash can only lose a suffix of whole migrations, and once the run
 * returns everything is durable. A rollback sends its COMMIT apart, once
 * the DELETE of its history row is seen to have removed the row.
 */
static int run_batch(strata_ctx *ctx, const strata_migration *v,
                     struct migration *m, int down)
{
	struct part *p = down ? &m->down : &m->up;
	const char *text = strata__part_text(m, p);
	strata_buf sql = STRATA_BUF_INIT;
	size_t body;
	int64_t t0, ms;
	int rc;

	rc = strata__buf_puts(&sql, "BEGIN;\n");
	if (rc == 0 && !ctx->run_last && ctx->drv->async_commit_sql)
		rc = strata__buf_printf(&sql, "%s;\n",
		                        ctx->drv->async_commit_sql);
	body = sql.len;
	if (rc == 0)
		rc = strata__buf_put(&sql, text + p->off, p->len);
	if (rc == 0)
		rc = strata__buf_puts(&sql, "\n;\n");
	if (rc == 0)
		rc = strata__record_sql(ctx, &sql, m, down, 0,
		                        STRATA_MS_SINCE_MESSAGE, m->kind);
	if (rc == 0 && !down)
		rc = strata__buf_puts(&sql, "COMMIT;");
	if (rc < 0) {
		strata_buf_release(&sql);
		return rc == STRATA_ENOMEM ? oom(ctx) : rc;
	}
	ctx->in_txn = 1;
	t0 = strata__now_ms();
	rc = ctx->drv->exec(ctx->conn, sql.ptr, sql.len);
	strata_buf_release(&sql);
	if (rc < 0)
		strata__locate_batch_error(ctx, m, p, body);
	if (rc == 0 && down)
		rc = check_row_changed(ctx, m, 1, "nothing was rolled back");
	if (rc == 0 && down)
		rc = ctx->drv->commit(ctx->conn);
	ms = strata__now_ms() - t0;
	if (rc < 0) {
		ctx->drv->rollback(ctx->conn);
		ctx->in_txn = 0;
		return rc;
	}
	ctx->in_txn = 0;
	emit_done(ctx, v, down, ms);
	return 0;
}

/*
 * --single-transaction on a driver that takes no batch (see
 * run_single.c): the caller has begun the one transaction; run the part
 * and record it inside it.
 */
int strata__run_part_in_txn(strata_ctx *ctx, const strata_migration *v,
                            struct migration *m)
{
	struct part *p = &m->up;
	const char *text = strata__part_text(m, p);
	strata_buf sql = STRATA_BUF_INIT;
	int64_t t0 = strata__now_ms(), ms;
	int rc;

	strata__emit(ctx, STRATA_EVENT_APPLY_START, v, NULL, 0);
	rc = ctx->drv->exec(ctx->conn, text + p->off, p->len);
	if (rc < 0)
		strata__error_locate(ctx, m, p, p->off);
	ms = strata__now_ms() - t0;
	if (rc == 0)
		rc = strata__record_sql(ctx, &sql, m, 0, 0, ms, m->kind);
	if (rc == 0) {
		rc = exec_buf(ctx, &sql);
		if (rc < 0)
			strata__record_failed(ctx, p->path);
	}
	strata_buf_release(&sql);
	if (rc == STRATA_ENOMEM && !ctx->err.message[0])
		return oom(ctx);
	if (rc == 0)
		emit_done(ctx, v, 0, strata__now_ms() - t0);
	return rc;
}

struct stmt_list {
	size_t *off, *len;
	size_t n, alloc;
};

static int collect_stmt(void *payload, size_t off, size_t len, unsigned f)
{
	struct stmt_list *l = payload;

	(void)f;
	if (l->n == l->alloc) {
		size_t n = l->alloc ? l->alloc * 2 : 16;
		size_t *a = strata__reallocarray(l->off, n, sizeof(size_t));

		if (!a)
			return STRATA_ENOMEM;
		l->off = a;
		a = strata__reallocarray(l->len, n, sizeof(size_t));
		if (!a)
			return STRATA_ENOMEM;
		l->len = a;
		l->alloc = n;
	}
	l->off[l->n] = off;
	l->len[l->n++] = len;
	return 0;
}

static void dirty_detail(strata_ctx *ctx, struct migration *m, int down,
                         const struct part *p, const struct stmt_list *l,
                         size_t failed)
{
	const char *text = strata__part_text(m, p);
	size_t tl = down && !m->single_file ? m->down_text_len : m->text_len;
	int first, last, col;
	uint64_t prev = 0;
	size_t i;

	if (failed > 0) {
		const char *t = text + p->off;

		strata__offset_to_pos(text, tl,
		                      p->off + strata__first_token(t, l->off[0],
		                                                   l->len[0]),
		                      &first, &col);
		strata__offset_to_pos(
		        text, tl,
		        p->off + strata__first_token(t, l->off[failed - 1],
		                                     l->len[failed - 1]),
		        &last, &col);
		strata__error_detail(ctx,
		                     "statements 1 to %zu of %zu (lines %d-%d) "
		                     "took effect and were not rolled back: "
		                     "this database cannot undo them",
		                     failed, l->n, first, last);
	} else {
		strata__error_detail(ctx, "no statement of the %zu took effect",
		                     l->n);
	}
	for (i = 0; i < ctx->source.n; i++)
		if (ctx->source.v[i].version < m->version &&
		    ctx->source.v[i].kind != STRATA_KIND_REPEATABLE)
			prev = ctx->source.v[i].version;
	strata__error_detail(ctx,
	                     "%s %s is marked dirty in '%s'; until that is "
	                     "resolved, up and down refuse to run",
	                     down ? "rolling back" : "migration",
	                     m->version_text, ctx->table);
	if (down)
		strata__error_detail(
		        ctx,
		        "to recover: fix the schema by hand, then run 'strata "
		        "force %llu' if the rollback is now complete, or "
		        "'strata force %s' if the migration is fully in place",
		        (unsigned long long)prev, m->version_text);
	else
		strata__error_detail(
		        ctx,
		        "to recover: fix the schema by hand, then run 'strata "
		        "force %s' if the migration is now fully applied, or "
		        "undo what ran (see %s) and run 'strata force %llu'",
		        m->version_text,
		        m->down.present ? m->down.path : "the statements above",
		        (unsigned long long)prev);
}

/* What record_txn checks its statements did to m's row. */
struct row_check {
	struct migration *m; /* or NULL: nothing */
	int gone;            /* removed (else marked) */
	const char *what;    /* what the message adds */
};

/*
 * Run the history statements rec in a transaction of their own where the
 * driver has no runner lock, checking the plan first when check is set
 * (see plan_is_stale), and that rec changed m's row when rk->m is set.
 * @return 1 when the plan is stale (nothing done)
 */
static int record_txn(strata_ctx *ctx, const strata_buf *rec, int check,
                      const struct row_check *rk)
{
	int rc, stale = 0;

	if (ctx->drv->caps & STRATA_DRIVER_CAP_LOCK) {
		rc = exec_buf(ctx, rec);
		if (rc == 0 && rk->m)
			rc = check_row_changed(ctx, rk->m, rk->gone, rk->what);
		return rc;
	}
	rc = ctx->drv->begin(ctx->conn);
	if (rc < 0)
		return rc;
	ctx->in_txn = 1;
	if (check)
		rc = strata__plan_is_stale(ctx, &stale);
	if (rc == 0 && !stale)
		rc = exec_buf(ctx, rec);
	if (rc == 0 && !stale && rk->m)
		rc = check_row_changed(ctx, rk->m, rk->gone, rk->what);
	if (rc == 0 && !stale)
		rc = plan_history_update(ctx);
	if (rc < 0 || stale) {
		ctx->drv->rollback(ctx->conn);
		ctx->in_txn = 0;
		return rc < 0 ? rc : 1;
	}
	rc = ctx->drv->commit(ctx->conn);
	ctx->in_txn = 0;
	return rc;
}

/* No transaction: record dirty first, run statements one by one, then
 * record clean. A failure leaves the row dirty and says what ran. */
static int run_notxn(strata_ctx *ctx, const strata_migration *v,
                     struct migration *m, int down)
{
	struct part *p = down ? &m->down : &m->up;
	const char *text = strata__part_text(m, p) + p->off;
	strata_buf rec = STRATA_BUF_INIT;
	struct row_check rk;
	struct stmt_list l;
	int64_t t0, ms;
	size_t i;
	int rc;

	memset(&l, 0, sizeof(l));
	rc = ctx->exec ? 0 : ctx->drv->split(text, p->len, collect_stmt, &l);
	if (rc == STRATA_ENOTSUPP && strata__dl_failure()) {
		/* a library the splitter needs */
		rc = strata__error_set(ctx, rc, "%s", strata__dl_failure());
		goto done;
	}
	if (rc < 0) {
		rc = oom(ctx);
		goto done;
	}
	/* the row is dirty while the statements run; a rollback's row must
	 * be there to be marked, or nothing runs */
	if (down)
		rc = strata__history_sql_dirty(ctx, &rec, m->version,
		                               row_key_name(m), 1);
	else
		rc = strata__record_sql(ctx, &rec, m, 0, 1, 0, m->kind);
	rk.m = down ? m : NULL;
	rk.gone = 0;
	rk.what = "nothing was rolled back";
	if (rc == 0)
		rc = record_txn(ctx, &rec, 1, &rk);
	if (rc != 0)
		goto done;
	t0 = strata__now_ms();
	if (ctx->exec) {
		rc = strata__exec_part(ctx, m, down);
		if (rc < 0) {
			strata__error_detail(
			        ctx,
			        "%s %s is marked dirty in '%s': when the store is "
			        "as it should be, run 'strata --target %s force "
			        "%s' (applied) or with the previous version",
			        down ? "rolling back" : "migration",
			        m->version_text, ctx->table, ctx->target,
			        m->version_text);
			goto done;
		}
	}
	for (i = 0; i < l.n; i++) {
		/* the row records the statement reached, so that a crash
		 * leaves it saying how far the part got */
		if (i > 0) {
			strata__buf_clear(&rec);
			rc = strata__history_sql_dirty(ctx, &rec, m->version,
			                               row_key_name(m), i + 1);
			if (rc == 0)
				rc = exec_buf(ctx, &rec);
			if (rc < 0)
				goto done;
		}
		rc = ctx->drv->exec(ctx->conn, text + l.off[i], l.len[i]);
		if (rc < 0) {
			if (ctx->err_offset < 0)
				ctx->err_offset = 0;
			strata__error_locate(ctx, m, p, p->off + l.off[i]);
			dirty_detail(ctx, m, down, p, &l, i);
			goto done;
		}
	}
	ms = strata__now_ms() - t0;
	strata__buf_clear(&rec);
	rc = down ? strata__history_sql_delete(ctx, &rec, m->version,
	                                       row_key_name(m)) :
	            strata__history_sql_finish(ctx, &rec, m->version,
	                                       row_key_name(m), ms);
	rk.gone = 1;
	rk.what = "the rollback's statements took effect all the same";
	if (rc == 0)
		rc = record_txn(ctx, &rec, 0, &rk);
	if (rc == 0)
		emit_done(ctx, v, down, ms);
done:
	strata_buf_release(&rec);
	strata__free(l.off);
	strata__free(l.len);
	return rc;
}

/* Run (or print) one part. @return 0, a negative error, or 1 when the
 * plan turned out stale and nothing was done: plan again. */
int strata__run_part(strata_ctx *ctx, const strata_migration *v,
                     struct migration *m, int down, int dry_run);
int strata__run_part(strata_ctx *ctx, const strata_migration *v,
                     struct migration *m, int down, int dry_run)
{
	if (dry_run)
		return strata__script_part(ctx, v, m, down);
	strata__emit(ctx,
	             down ? STRATA_EVENT_REVERT_START :
	                    STRATA_EVENT_APPLY_START,
	             v, NULL, 0);
	if (!strata__part_transactional(ctx, m, down))
		return run_notxn(ctx, v, m, down);
	if ((ctx->drv->caps & STRATA_DRIVER_CAP_BATCH) &&
	    (down ? &m->down : &m->up)->len <= STRATA_BATCH_PART_MAX)
		return run_batch(ctx, v, m, down);
	return run_txn(ctx, v, m, down);
}
