/*
 * Running migrations: each part and its history row commit together (or,
 * where the database cannot, under the dirty protocol), with every check
 * done before the first statement runs.
 */
#include <time.h>

#include "common.h"
#include "ctx.h"
#include "ddllock.h"
#include "driver.h"
#include "engine.h"
#include "history.h"
#include "script.h"
#include "source.h"
#include "../util/dl.h"
#include "../util/clock.h"
#include "../util/testpoint.h"

static int exec_buf(strata_ctx *ctx, const strata_buf *b)
{
	return strata__conn_exec(ctx, b->ptr, b->len);
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
int strata__plan_is_stale(strata_ctx *ctx, int *stale)
{
	struct history now;
	strata_buf fp = STRATA_BUF_INIT;
	int rc;

	*stale = 0;
	if (strata__driver_can(ctx, STRATA_DRIVER_CAP_LOCK))
		return 0;
	if (strata__driver_text(ctx, STRATA_DRV_CHANGE_COUNTER_SQL)) {
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
		rc = strata__oom(ctx);
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
	if (strata__driver_can(ctx, STRATA_DRIVER_CAP_LOCK) ||
	    strata__driver_text(ctx, STRATA_DRV_CHANGE_COUNTER_SQL))
		return 0;
	memset(&now, 0, sizeof(now));
	rc = strata__history_read_into(ctx, &now);
	if (rc == 0 &&
	    strata__history_fingerprint(&ctx->plan_history, &now) < 0)
		rc = strata__oom(ctx);
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

/*
 * Run m's part and record it in the transaction the caller holds: its
 * own (run_txn) or up --single-transaction's (run_single.c). Every part
 * that runs in a transaction goes this way, but the batched ones.
 */
static int run_in_txn(strata_ctx *ctx, struct migration *m, int down,
                      int64_t *ms)
{
	struct part *p = strata__part(m, down);
	int64_t t0 = strata__now_ms();
	int rc;

	STRATA_ASSERT(ctx, ctx->in_txn);
	strata__testpoint("before_statement");
	rc = ctx->interrupted ?
	             stopped_here(ctx, p->path) :
	             strata__conn_exec(ctx, strata__part_sql(m, p), p->len);
	if (rc < 0)
		strata__error_locate(ctx, m, p, p->off);
	*ms = strata__now_ms() - t0;
	if (rc == 0) {
		rc = strata__history_record(
		        ctx, NULL, m, down ? HISTORY_REVERTED : HISTORY_APPLIED,
		        *ms);
		if (rc < 0 && rc != STRATA_EINTERRUPTED)
			strata__history_record_failed(ctx, p->path);
	}
	if (rc == 0 && down)
		rc = strata__history_check_changed(ctx, m, 1,
		                                   "nothing was rolled back");
	return rc;
}

/* One part in a transaction of its own. */
static int run_txn(strata_ctx *ctx, const strata_migration *v,
                   struct migration *m, int down)
{
	struct txn t;
	int64_t ms = 0;
	int rc, stale;

	rc = strata__txn_begin(&t, ctx);
	if (rc < 0)
		return rc;
	rc = strata__plan_is_stale(ctx, &stale);
	if (rc == 0 && stale)
		return strata__txn_end(&t, 1); /* plan again */
	if (rc == 0)
		rc = strata__ddl_lock_set(ctx, strata__part(m, down), 1);
	if (rc == 0)
		rc = run_in_txn(ctx, m, down, &ms);
	if (rc == 0)
		rc = plan_history_update(ctx);
	if (rc == 0)
		strata__testpoint("before_commit");
	/* the user asked to stop: do not commit what is not committed */
	if (rc == 0 && ctx->interrupted)
		rc = stopped_here(ctx, strata__part(m, down)->path);
	if (rc < 0) {
		int rb = strata__txn_rollback(&t);

		return rc == STRATA_EINTERRUPTED ?
		               interrupted_txn(ctx, m, down, rb == 0) :
		               rc;
	}
	rc = strata__txn_commit(&t);
	if (rc == STRATA_EINTERRUPTED) /* COMMIT itself: 08007 */
		return interrupted_txn(ctx, m, down, 0);
	if (rc < 0)
		return rc;
	emit_done(ctx, v, down, ms);
	return 0;
}

/* The count in the message of a STRATA_SQLSTATE_ROW_COUNT error ("rows
 * changed: 0"), or -1. */
static int64_t rows_changed(const strata_ctx *ctx)
{
	const char *s = strpbrk(ctx->err_message.ptr, "0123456789");

	return s ? (int64_t)strtoll(s, NULL, 10) : -1;
}

/*
 * One round trip per migration where the driver allows it (PostgreSQL):
 * BEGIN, the part, its history row and COMMIT sent as one text (a part
 * longer than STRATA_BATCH_PART_MAX runs through run_txn instead). Every
 * migration but the run's last commits without waiting for its WAL flush;
 * the last one's synchronous commit then covers all the earlier ones, so
 * a crash can only lose a suffix of whole migrations, and once the run
 * returns everything is durable. A rollback's DELETE of its history row
 * is made to fail unless it removes the row (the driver's one_row_sql),
 * so that its COMMIT goes in the same batch; a driver that cannot do that
 * gets the COMMIT apart, once the row is seen removed.
 */
static int run_batch(strata_ctx *ctx, const strata_migration *v,
                     struct migration *m, int down, int last)
{
	struct part *p = strata__part(m, down);
	strata_buf sql = STRATA_BUF_INIT;
	struct txn t;
	size_t body;
	int64_t t0, ms;
	int rc, checked = 0;

	rc = strata__buf_puts(&sql, "BEGIN;\n");
	if (rc == 0 && !last &&
	    strata__driver_text(ctx, STRATA_DRV_ASYNC_COMMIT_SQL))
		rc = strata__buf_printf(
		        &sql, "%s;\n",
		        strata__driver_text(ctx, STRATA_DRV_ASYNC_COMMIT_SQL));
	if (rc == 0)
		rc = strata__ddl_lock_sql(ctx, &sql, p, 1);
	body = sql.len;
	if (rc == 0)
		rc = strata__buf_put(&sql, strata__part_sql(m, p), p->len);
	if (rc == 0)
		rc = strata__buf_puts(&sql, "\n;\n");
	if (rc == 0 && down)
		rc = strata__history_sql_revert_checked(ctx, &sql, m, &checked);
	else if (rc == 0)
		rc = strata__history_record(ctx, &sql, m, HISTORY_APPLIED,
		                            STRATA_MS_SINCE_MESSAGE);
	/* a rollback whose row the database checks commits in the batch */
	if (rc == 0 && (!down || checked))
		rc = strata__buf_puts(&sql, "COMMIT;");
	if (rc < 0) {
		strata_buf_release(&sql);
		return rc == STRATA_ENOMEM ? strata__oom(ctx) : rc;
	}
	strata__txn_adopt(&t, ctx);
	t0 = strata__now_ms();
	strata__testpoint("before_statement");
	rc = ctx->interrupted ? stopped_here(ctx, p->path) :
	                        strata__conn_exec(ctx, sql.ptr, sql.len);
	strata_buf_release(&sql);
	if (rc < 0 && checked && is_state(ctx, STRATA_SQLSTATE_ROW_COUNT))
		rc = strata__history_changed_error(ctx, m, 1, rows_changed(ctx),
		                                   "nothing was rolled back");
	else if (rc < 0)
		strata__locate_batch_error(ctx, m, p, body);
	else if (down && !checked)
		rc = strata__history_check_changed(ctx, m, 1,
		                                   "nothing was rolled back");
	/* the batch's own COMMIT ended the transaction, or one is sent */
	if (rc == 0)
		rc = down && !checked ? strata__txn_commit(&t) :
		                        strata__txn_committed(&t);
	ms = strata__now_ms() - t0;
	if (rc < 0) {
		/* -1 when the transaction was over: nothing rolled back */
		int rb = strata__txn_rollback(&t);

		return rc == STRATA_EINTERRUPTED ?
		               interrupted_txn(ctx, m, down, rb == 0) :
		               rc;
	}
	emit_done(ctx, v, down, ms);
	return 0;
}

/* --single-transaction: the part's own lock timeout, and the project's
 * back after it (ddllock.h). */
static int single_lock(strata_ctx *ctx, const struct part *p, int after)
{
	strata_buf sql = STRATA_BUF_INIT;
	int rc = strata__ddl_lock_single_sql(ctx, &sql, p, after);

	if (rc == 0 && sql.len)
		rc = exec_buf(ctx, &sql);
	strata_buf_release(&sql);
	return rc;
}

/*
 * --single-transaction on a driver that takes no batch (see
 * run_single.c): the caller has begun the one transaction; run the part
 * and record it inside it, its time in *ms (the caller tells it done once
 * the transaction has committed).
 */
int strata__run_part_in_txn(strata_ctx *ctx, const strata_migration *v,
                            struct migration *m, int64_t *ms)
{
	int rc;

	*ms = 0;
	strata__emit(ctx, STRATA_EVENT_APPLY_START, v, NULL, 0);
	rc = single_lock(ctx, &m->up, 0);
	if (rc == 0)
		rc = run_in_txn(ctx, m, 0, ms);
	if (rc == 0)
		rc = single_lock(ctx, &m->up, 1);
	if (rc == STRATA_ENOMEM && !ctx->err.message[0])
		return strata__oom(ctx);
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

/* The version before m's among the files, or "none". */
static const char *previous_version(const strata_ctx *ctx,
                                    const struct migration *m)
{
	const char *prev = "none"; /* 'strata force none': nothing applied */
	size_t i;

	for (i = 0; i < ctx->source.n; i++)
		if (ctx->source.v[i].kind != STRATA_KIND_REPEATABLE &&
		    strata__version_cmp(ctx->source.v[i].version, m->version) <
		            0)
			prev = ctx->source.v[i].version;
	return prev;
}

/* The row of m is dirty: the first line of what to do about it. */
static void dirty_line(strata_ctx *ctx, const struct migration *m, int down)
{
	strata__error_detail(ctx,
	                     "%s %s is marked dirty in '%s'; until that is "
	                     "resolved, up and down refuse to run",
	                     down ? "rolling back" : "migration",
	                     m->version_text, ctx->table);
}

static void dirty_detail(strata_ctx *ctx, struct migration *m, int down,
                         const struct part *p, const struct stmt_list *l,
                         size_t failed)
{
	const char *text = strata__part_text(m, p);
	size_t tl = strata__part_text_len(m, p);
	int first, last, col;
	const char *prev = previous_version(ctx, m);

	if (failed > 0) {
		const char *t = text + p->off;

		strata__offset_to_pos(
		        text, tl,
		        p->off + strata__first_token(
		                         t, l->off[0], l->len[0],
		                         strata__driver_dialect(ctx)),
		        &first, &col);
		strata__offset_to_pos(
		        text, tl,
		        p->off + strata__first_token(
		                         t, l->off[failed - 1],
		                         l->len[failed - 1],
		                         strata__driver_dialect(ctx)),
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
	dirty_line(ctx, m, down);
	if (down)
		strata__error_detail(
		        ctx,
		        "to recover: fix the schema by hand, then run 'strata "
		        "force %s' if the rollback is now complete, or "
		        "'strata force %s' if the migration is fully in place",
		        prev, m->version_text);
	else
		strata__error_detail(
		        ctx,
		        "to recover: fix the schema by hand, then run 'strata "
		        "force %s' if the migration is now fully applied, or "
		        "undo what ran (see %s) and run 'strata force %s'",
		        m->version_text,
		        m->down.present ? m->down.path : "the statements above",
		        prev);
}

/* What record_txn checks its statements did to m's row. */
struct row_check {
	struct migration *m; /* or NULL: nothing */
	int gone;            /* removed (else marked) */
	const char *what;    /* what the message adds */
};

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
		        p->off + strata__first_token(
		                         text + p->off, l->off[k], l->len[k],
		                         strata__driver_dialect(ctx)),
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
 * (see plan_is_stale), and that rec changed m's row when rk->m is set.
 * @return 1 when the plan is stale (nothing done)
 */
static int record_txn(strata_ctx *ctx, const strata_buf *rec, int check,
                      const struct row_check *rk)
{
	struct txn t;
	int rc, stale = 0;

	if (strata__driver_can(ctx, STRATA_DRIVER_CAP_LOCK)) {
		/* the log row and the history's change commit together:
		 * PostgreSQL makes one transaction of a text of statements,
		 * MySQL needs one asked for */
		t.ctx = ctx;
		t.open = 0;
		rc = strata__driver_can(ctx, STRATA_DRIVER_CAP_TXN_DDL) ?
		             0 :
		             strata__txn_begin(&t, ctx);
		if (rc == 0)
			rc = exec_buf(ctx, rec);
		if (rc == 0 && rk->m)
			rc = strata__history_check_changed(ctx, rk->m, rk->gone,
			                                   rk->what);
		return strata__txn_end(&t, rc);
	}
	rc = strata__txn_begin(&t, ctx);
	if (rc < 0)
		return rc;
	if (check)
		rc = strata__plan_is_stale(ctx, &stale);
	if (rc == 0 && !stale)
		rc = exec_buf(ctx, rec);
	if (rc == 0 && !stale && rk->m)
		rc = strata__history_check_changed(ctx, rk->m, rk->gone,
		                                   rk->what);
	if (rc == 0 && !stale)
		rc = plan_history_update(ctx);
	return strata__txn_end(&t, rc < 0 ? rc : stale);
}

/* An exec target's runner failed: its row is dirty; the commands that
 * resolve it, ready to paste. */
static void exec_dirty_detail(strata_ctx *ctx, const struct migration *m,
                              int down)
{
	const char *prev = previous_version(ctx, m);
	const char *t = ctx->target ? ctx->target : "default";

	dirty_line(ctx, m, down);
	if (down)
		strata__error_detail(
		        ctx,
		        "to recover: bring the store to where it should be, "
		        "then run 'strata --target %s force %s' if the "
		        "rollback took effect, or 'strata --target %s force "
		        "%s' if the migration is still in place",
		        t, prev, t, m->version_text);
	else
		strata__error_detail(
		        ctx,
		        "to recover: bring the store to where it should be, "
		        "then run 'strata --target %s force %s' if the "
		        "migration took effect, or 'strata --target %s force "
		        "%s' if nothing of it did",
		        t, m->version_text, t, prev);
}

/* Nothing of m's part took effect (its runner never started, its first
 * statement gave up waiting for a lock): put the row back as it was (it
 * was marked before the start) and keep the current error. @return 0,
 * or the failure to put it back, the row then dirty and the error saying
 * so */
static int unmark(strata_ctx *ctx, struct migration *m, int down)
{
	strata_buf rec = STRATA_BUF_INIT;
	struct saved_error saved;
	struct row_check rk;
	int rc;

	memset(&rk, 0, sizeof(rk));
	strata__error_save(ctx, &saved);
	rc = strata__history_record(
	        ctx, &rec, m, down ? HISTORY_NOT_REVERTED : HISTORY_NOT_APPLIED,
	        0);
	if (rc == 0)
		rc = record_txn(ctx, &rec, 0, &rk);
	strata_buf_release(&rec);
	if (rc < 0) {
		/* this failure is the one to report */
		strata_buf_release(&saved.message);
		strata_buf_release(&saved.detail);
		strata_buf_release(&saved.file);
		return rc;
	}
	strata__error_restore(ctx, &saved);
	return 0;
}

/* The runner never started: the row as it was, the error exec_part
 * set. */
static int exec_not_started(strata_ctx *ctx, struct migration *m, int down)
{
	int rc = unmark(ctx, m, down);

	if (rc < 0) {
		/* the row stays dirty: say so, with the way out */
		exec_dirty_detail(ctx, m, down);
		return rc;
	}
	return STRATA_EINVALID;
}

/* No transaction: record dirty first, run statements one by one, then
 * record clean. A failure leaves the row dirty and says what ran. */
static int run_notxn(strata_ctx *ctx, const strata_migration *v,
                     struct migration *m, int down, int *committed)
{
	struct part *p = strata__part(m, down);
	const char *text = strata__part_sql(m, p);
	strata_buf rec = STRATA_BUF_INIT;
	struct row_check rk;
	struct stmt_list l;
	int64_t t0, ms;
	size_t i;
	int rc, lock_set = 0;

	memset(&l, 0, sizeof(l));
	*committed = 1; /* once the row is marked, until said otherwise */
	/* a runner that cannot start: said before the row is marked */
	if (ctx->exec) {
		rc = strata__exec_check(ctx, m, down);
		if (rc < 0)
			goto done;
	}
	rc = ctx->exec ?
	             0 :
	             strata__driver_split(ctx, text, p->len, collect_stmt, &l);
	if (rc == STRATA_ENOTSUPP && strata__dl_failure()) {
		/* a library the splitter needs */
		rc = strata__error_set(ctx, rc, "%s", strata__dl_failure());
		goto done;
	}
	if (rc < 0) {
		rc = strata__oom(ctx);
		goto done;
	}
	/* the row is dirty while the statements run; a rollback's row must
	 * be there to be marked, or nothing runs */
	rc = strata__history_record(
	        ctx, &rec, m, down ? HISTORY_REVERTING : HISTORY_APPLYING, 0);
	rk.m = down ? m : NULL;
	rk.gone = 0;
	rk.what = "nothing was rolled back";
	if (rc == 0)
		rc = record_txn(ctx, &rec, 1, &rk);
	if (rc != 0)
		goto done;
	if (!ctx->exec) {
		rc = strata__ddl_lock_set(ctx, p, 0);
		lock_set = rc == 0;
		if (rc < 0)
			goto done;
	}
	t0 = strata__now_ms();
	if (ctx->exec) {
		rc = strata__exec_part(ctx, m, down);
		if (rc == STRATA_EXEC_NOT_STARTED) {
			rc = exec_not_started(ctx, m, down);
			goto done;
		}
		if (rc < 0) {
			exec_dirty_detail(ctx, m, down);
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
			rc = strata__history_record(
			        ctx, &rec, m, HISTORY_REACHED, (int64_t)i + 1);
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
		rc = strata__conn_exec(ctx, text + l.off[i], l.len[i]);
		if (rc < 0) {
			if (ctx->err_offset < 0)
				ctx->err_offset = 0;
			strata__error_locate(ctx, m, p, p->off + l.off[i]);
			/* nothing took effect yet: no dirty row, and the
			 * migration may be tried again */
			if (i == 0 && strata__ddl_lock_timed_out(ctx, p) &&
			    unmark(ctx, m, down) == 0) {
				*committed = 0;
				goto done;
			}
			if (rc == STRATA_EINTERRUPTED)
				interrupted_notxn(ctx, m, down, p, &l, i, 1);
			dirty_detail(ctx, m, down, p, &l, i);
			goto done;
		}
	}
	ms = strata__now_ms() - t0;
	lock_set = 0;
	rc = strata__ddl_lock_reset(ctx, p);
	if (rc < 0)
		goto done;
	strata__buf_clear(&rec);
	rc = strata__history_record(
	        ctx, &rec, m, down ? HISTORY_REVERTED : HISTORY_FINISHED, ms);
	rk.gone = 1;
	rk.what = "the rollback's statements took effect all the same";
	if (rc == 0)
		rc = record_txn(ctx, &rec, 0, &rk);
	if (rc == 0)
		emit_done(ctx, v, down, ms);
done:
	if (lock_set)
		strata__ddl_lock_reset(ctx, p);
	strata_buf_release(&rec);
	strata__free(l.off);
	strata__free(l.len);
	return rc;
}

/* Run one part once; *committed: whether any of it may have taken
 * effect when it failed. */
static int run_once(strata_ctx *ctx, const strata_migration *v,
                    struct migration *m, int down, unsigned how, int *committed)
{
	*committed = 0;
	if (!strata__part_transactional(ctx, m, down))
		return run_notxn(ctx, v, m, down, committed);
	if (strata__driver_can(ctx, STRATA_DRIVER_CAP_BATCH) &&
	    (down ? &m->down : &m->up)->len <= STRATA_BATCH_PART_MAX)
		return run_batch(ctx, v, m, down, how & STRATA_PART_LAST);
	return run_txn(ctx, v, m, down);
}

/* Run (or print) one part, again after a lock timeout while its
 * strata:lock-timeout allows (ddllock.c). @return 0, a negative error,
 * or 1 when the plan turned out stale and nothing was done: plan
 * again. */
int strata__run_part(strata_ctx *ctx, const strata_migration *v,
                     struct migration *m, int down, unsigned how)
{
	int rc, again, attempt, committed;

	if (how & STRATA_PART_DRY_RUN)
		return strata__script_part(ctx, v, m, down);
	strata__emit(ctx,
	             down ? STRATA_EVENT_REVERT_START :
	                    STRATA_EVENT_APPLY_START,
	             v, NULL, 0);
	for (attempt = 0;; attempt++) {
		rc = run_once(ctx, v, m, down, how, &committed);
		if (rc >= 0)
			return rc;
		again = strata__ddl_lock_retry(ctx, v, strata__part(m, down),
		                               attempt, committed);
		if (again <= 0)
			return again < 0 ? again : rc;
	}
}
