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
#include "source.h"
#include "../util/dl.h"
#include "../util/testpoint.h"

int64_t strata__now_ms(void);
size_t strata__first_token(const char *t, size_t off, size_t len);
int strata__exec_part(strata_ctx *ctx, const struct migration *m, int down);
int strata__exec_describe(strata_ctx *ctx, strata_buf *out, const char *path);
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

/* The statements that record (or forget) a migration. */
int strata__record_sql(strata_ctx *ctx, strata_buf *out, struct migration *m,
                       int down, int dirty, int64_t ms, strata_kind kind)
{
	struct history_row r;
	char ts[32];

	if (down)
		return strata__history_sql_delete(ctx, out, m->version,
		                                  m->name);
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

/* "applying 0004_x" or "rolling back 0004_x" */
static const char *doing(const struct migration *m, int down, char *out,
                         size_t n)
{
	snprintf(out, n, "%s %s_%s", down ? "rolling back" : "applying",
	         m->version_text, m->name);
	return out;
}

/* The interrupt came while the engine ran a part's statements itself
 * (between them, or after the last before the commit): an error as a
 * driver's for a cancelled statement (driver.h). */
static int stopped_here(strata_ctx *ctx, const char *path)
{
	strata__error_set(ctx, STRATA_EINTERRUPTED, "interrupted");
	strata__error_sqlstate(ctx, "57014");
	strata__error_at(ctx, path, 0, 0);
	return STRATA_EINTERRUPTED;
}

static int is_state(const strata_ctx *ctx, const char *sqlstate)
{
	return strcmp(ctx->err.sqlstate, sqlstate) == 0;
}

/*
 * A transactional part stopped by the user's interrupt, its transaction
 * rolled back by the engine (rolled_back: and the ROLLBACK was answered)
 * or given up with the connection: say what became of it.
 */
static int interrupted_txn(strata_ctx *ctx, const struct migration *m, int down,
                           int rolled_back)
{
	char what[160];

	doing(m, down, what, sizeof(what));
	if (is_state(ctx, "08007")) {
		strata__error_reword(ctx,
		                     "interrupted: the server did not answer "
		                     "within 1 s, so strata closed the "
		                     "connection; whether %s took effect is "
		                     "unknown (%zu of %zu done before it)",
		                     what, ctx->run_done, ctx->run_total);
		strata__error_detail(ctx,
		                     "it ran in one transaction: once the "
		                     "server answers, 'strata status' shows it "
		                     "%s",
		                     down ? "rolled back (pending) or still "
		                            "applied" :
		                            "applied and recorded, or pending");
		return STRATA_EINTERRUPTED;
	}
	strata__error_reword(
	        ctx,
	        "interrupted: %s was stopped, %s%s; %zu of %zu done, the "
	        "database is consistent",
	        what,
	        is_state(ctx, "57P01") || !rolled_back ?
	                "and the server rolls its transaction back as it "
	                "ends strata's session" :
	                "its transaction rolled back",
	        down ? " (it is still applied)" : "", ctx->run_done,
	        ctx->run_total);
	return STRATA_EINTERRUPTED;
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
		strata__rollback_quietly(ctx);
		return 1; /* plan again */
	}
	t0 = strata__now_ms();
	if (rc == 0) {
		strata__testpoint("before_statement");
		rc = ctx->interrupted ?
		             stopped_here(ctx, p->path) :
		             ctx->drv->exec(ctx->conn, text + p->off, p->len);
		if (rc < 0)
			strata__error_locate(ctx, m, p, p->off);
	}
	ms = strata__now_ms() - t0;
	if (rc == 0) {
		rc = record_done(ctx, m, down, ms);
		if (rc < 0 && rc != STRATA_EINTERRUPTED)
			strata__record_failed(ctx, p->path);
	}
	if (rc == 0)
		rc = plan_history_update(ctx);
	/* the user asked to stop: do not commit what is not committed */
	if (rc == 0 && ctx->interrupted)
		rc = stopped_here(ctx, p->path);
	if (rc < 0) {
		int rb = strata__rollback_quietly(ctx);

		return rc == STRATA_EINTERRUPTED ?
		               interrupted_txn(ctx, m, down, rb == 0) :
		               rc;
	}
	rc = ctx->drv->commit(ctx->conn);
	ctx->in_txn = 0;
	if (rc == STRATA_EINTERRUPTED) /* COMMIT itself: 08007 */
		return interrupted_txn(ctx, m, down, 0);
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
 * BEGIN, the part, its history row and COMMIT sent as one text. Every
 * migration but the run's last commits without waiting for its WAL flush;
 * the last one's synchronous commit then covers all the earlier ones, so
 * a crash can only lose a suffix of whole migrations, and once the run
 * returns everything is durable.
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
	if (rc == 0)
		rc = strata__buf_puts(&sql, "COMMIT;");
	if (rc < 0) {
		strata_buf_release(&sql);
		return rc == STRATA_ENOMEM ? oom(ctx) : rc;
	}
	ctx->in_txn = 1;
	t0 = strata__now_ms();
	strata__testpoint("before_statement");
	rc = ctx->interrupted ? stopped_here(ctx, p->path) :
	                        ctx->drv->exec(ctx->conn, sql.ptr, sql.len);
	ms = strata__now_ms() - t0;
	strata_buf_release(&sql);
	if (rc < 0) {
		int rb;

		strata__locate_batch_error(ctx, m, p, body);
		rb = strata__rollback_quietly(ctx);
		return rc == STRATA_EINTERRUPTED ?
		               interrupted_txn(ctx, m, down, rb == 0) :
		               rc;
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
	strata__testpoint("before_statement");
	rc = ctx->interrupted ?
	             stopped_here(ctx, p->path) :
	             ctx->drv->exec(ctx->conn, text + p->off, p->len);
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

/*
 * A part outside a transaction stopped by the user's interrupt before its
 * statement k (0-based; running: while k ran) and marked dirty: say so
 * (dirty_detail adds what took effect and the recovery).
 */
static void interrupted_notxn(strata_ctx *ctx, const struct migration *m,
                              int down, const struct part *p,
                              const struct stmt_list *l, size_t k, int running)
{
	const char *text = strata__part_text(m, p);
	size_t tl = down && !m->single_file ? m->down_text_len : m->text_len;
	char what[160];
	int line, col;

	doing(m, down, what, sizeof(what));
	if (!running) {
		/* point at the statement that did not run */
		strata__offset_to_pos(
		        text, tl,
		        p->off + strata__first_token(text + p->off, l->off[k],
		                                     l->len[k]),
		        &line, &col);
		strata__error_at(ctx, p->path, line, col);
		strata__error_reword(ctx,
		                     "interrupted: %s was stopped before its "
		                     "statement %zu of %zu (%zu of %zu "
		                     "migrations done before it)",
		                     what, k + 1, l->n, ctx->run_done,
		                     ctx->run_total);
	} else if (is_state(ctx, "08007")) {
		strata__error_reword(ctx,
		                     "interrupted: the server did not answer "
		                     "within 1 s, so strata closed the "
		                     "connection; whether statement %zu of %zu "
		                     "of %s took effect is unknown (%zu of %zu "
		                     "migrations done before it)",
		                     k + 1, l->n, what, ctx->run_done,
		                     ctx->run_total);
	} else {
		strata__error_reword(ctx,
		                     "interrupted: %s was stopped: its "
		                     "statement %zu of %zu was cancelled (%zu "
		                     "of %zu migrations done before it)",
		                     what, k + 1, l->n, ctx->run_done,
		                     ctx->run_total);
	}
}

/*
 * Run the history statements rec in a transaction of their own where the
 * driver has no runner lock, checking the plan first when check is set
 * (see plan_is_stale). @return 1 when the plan is stale (nothing done)
 */
static int record_txn(strata_ctx *ctx, const strata_buf *rec, int check)
{
	int rc, stale = 0;

	if (ctx->drv->caps & STRATA_DRIVER_CAP_LOCK)
		return exec_buf(ctx, rec);
	rc = ctx->drv->begin(ctx->conn);
	if (rc < 0)
		return rc;
	ctx->in_txn = 1;
	if (check)
		rc = strata__plan_is_stale(ctx, &stale);
	if (rc == 0 && !stale)
		rc = exec_buf(ctx, rec);
	if (rc == 0 && !stale)
		rc = plan_history_update(ctx);
	if (rc < 0 || stale) {
		strata__rollback_quietly(ctx);
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
	/* the row is dirty while the statements run */
	if (down)
		rc = strata__history_sql_dirty(ctx, &rec, m->version, m->name,
		                               1);
	else
		rc = strata__record_sql(ctx, &rec, m, 0, 1, 0, m->kind);
	if (rc == 0)
		rc = record_txn(ctx, &rec, 1);
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
		/* the user asked to stop: no further statement */
		if (i > 0 && ctx->interrupted) {
			rc = stopped_here(ctx, p->path);
			interrupted_notxn(ctx, m, down, p, &l, i, 0);
			dirty_detail(ctx, m, down, p, &l, i);
			goto done;
		}
		/* the row records the statement reached, so that a crash
		 * leaves it saying how far the part got */
		if (i > 0) {
			strata__buf_clear(&rec);
			rc = strata__history_sql_dirty(ctx, &rec, m->version,
			                               m->name, (int)i + 1);
			if (rc == 0)
				rc = exec_buf(ctx, &rec);
			if (rc < 0)
				goto done;
		}
		strata__testpoint("before_statement");
		if (ctx->interrupted) {
			rc = stopped_here(ctx, p->path);
			interrupted_notxn(ctx, m, down, p, &l, i, 0);
			dirty_detail(ctx, m, down, p, &l, i);
			goto done;
		}
		rc = ctx->drv->exec(ctx->conn, text + l.off[i], l.len[i]);
		if (rc < 0) {
			if (ctx->err_offset < 0)
				ctx->err_offset = 0;
			strata__error_locate(ctx, m, p, p->off + l.off[i]);
			if (rc == STRATA_EINTERRUPTED)
				interrupted_notxn(ctx, m, down, p, &l, i, 1);
			dirty_detail(ctx, m, down, p, &l, i);
			goto done;
		}
	}
	ms = strata__now_ms() - t0;
	strata__buf_clear(&rec);
	rc = down ? strata__history_sql_delete(ctx, &rec, m->version, m->name) :
	            strata__history_sql_finish(ctx, &rec, m->version, m->name,
	                                       ms);
	if (rc == 0)
		rc = record_txn(ctx, &rec, 0);
	if (rc == 0)
		emit_done(ctx, v, down, ms);
done:
	strata_buf_release(&rec);
	strata__free(l.off);
	strata__free(l.len);
	return rc;
}

/* Print what would run, in the order it would run. */
static int print_part(strata_ctx *ctx, const strata_migration *v,
                      struct migration *m, int down)
{
	struct part *p = down ? &m->down : &m->up;
	const char *text = strata__part_text(m, p) + p->off;
	int txn = strata__part_transactional(ctx, m, down);
	strata_buf out = STRATA_BUF_INIT;
	int rc;

	rc = strata__buf_printf(&out, "-- %s %s (%s)%s\n",
	                        down ? "roll back" : "apply",
	                        base_name(p->path), v->name,
	                        txn ? "" : ", outside a transaction");
	if (rc == 0 && txn)
		rc = strata__buf_puts(&out, "BEGIN;\n");
	if (rc == 0 && ctx->exec) {
		rc = strata__buf_puts(&out, "-- run: ");
		if (rc == 0)
			rc = strata__exec_describe(ctx, &out, p->path);
		if (rc == 0)
			rc = strata__buf_putc(&out, '\n');
	} else if (rc == 0) {
		rc = strata__buf_put(&out, text, p->len);
	}
	if (rc == 0 && !ctx->exec && p->len && text[p->len - 1] != '\n')
		rc = strata__buf_putc(&out, '\n');
	if (rc == 0)
		rc = strata__record_sql(ctx, &out, m, down, 0, 0, m->kind);
	if (rc == 0 && txn)
		rc = strata__buf_puts(&out, "COMMIT;\n");
	if (rc == 0)
		strata__emit(ctx, STRATA_EVENT_SQL, v, out.ptr, 0);
	strata_buf_release(&out);
	return rc == STRATA_ENOMEM ? oom(ctx) : rc;
}

/* Run (or print) one part. @return 0, a negative error, or 1 when the
 * plan turned out stale and nothing was done: plan again. */
int strata__run_part(strata_ctx *ctx, const strata_migration *v,
                     struct migration *m, int down, int dry_run);
int strata__run_part(strata_ctx *ctx, const strata_migration *v,
                     struct migration *m, int down, int dry_run)
{
	if (dry_run)
		return print_part(ctx, v, m, down);
	strata__emit(ctx,
	             down ? STRATA_EVENT_REVERT_START :
	                    STRATA_EVENT_APPLY_START,
	             v, NULL, 0);
	if (strata__part_transactional(ctx, m, down))
		return (ctx->drv->caps & STRATA_DRIVER_CAP_BATCH) ?
		               run_batch(ctx, v, m, down) :
		               run_txn(ctx, v, m, down);
	return run_notxn(ctx, v, m, down);
}
