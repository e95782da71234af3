/*
 * up --single-transaction: every selected migration in one transaction,
 * all applied or none. Only where DDL is transactional, and only when no
 * part must run outside a transaction.
 *
 * Where the driver takes a batch (PostgreSQL), up to BATCH_MIGRATIONS
 * migrations go to the server in one message, and their history rows in
 * the next (a part longer than STRATA_BATCH_PART_MAX goes on its own, not
 * copied into a message): a round trip per migration costs about 0.2 ms on
 * loopback, which was a third of the whole run for 1000 small migrations
 * (bench/README.md). Every part was checked whole before anything runs
 * (no unterminated string can reach into the next one) and the
 * transaction is all or nothing, so this changes nothing but the number
 * of round trips; an error's position in a message still names its file
 * and line. Each part is followed by a reading of the server's clock, so
 * each history row still has its own migration's time: timing each row on
 * the server instead (a mark kept in a setting) cost 8 % of the run.
 *
 * A statement that gives up waiting for a lock (lock-safe DDL,
 * docs/LOCKS.md) rolls the whole transaction back; it is then tried again,
 * whole, as a single migration would be: the retries and lock timeout of
 * the file whose statement gave up (else the project's), with the same
 * pauses and messages. The migrations are told applied once the
 * transaction has committed, so that a retry never reports one twice.
 */
#include "common.h"
#include "ctx.h"
#include "ddllock.h"
#include "driver.h"
#include "engine.h"
#include "history.h"
#include "source.h"
#include "../util/clock.h"
#include "../util/testpoint.h"

/* A batch ends after this many bytes of SQL, or this many migrations. */
#define BATCH_BYTES      (256 * 1024)
#define BATCH_MIGRATIONS 256

static int refuse(strata_ctx *ctx, const size_t *sel, size_t n)
{
	size_t i;

	if (!strata__driver_can(ctx, STRATA_DRIVER_CAP_TXN_DDL))
		return strata__error_set(
		        ctx, STRATA_EINVALID,
		        "%s: %s commits "
		        "schema changes as it makes them, so "
		        "one transaction cannot hold them",
		        strata__setting(ctx, STRATA_SETTING_SINGLE_TRANSACTION),
		        strata__driver_name(ctx));
	for (i = 0; i < n; i++) {
		const strata_migration *v = &ctx->view[sel[i]];
		struct migration *m = strata__view_source(ctx, v);

		if (!strata__part_transactional(ctx, m, 0))
			return strata__error_set(
			        ctx, STRATA_EINVALID,
			        "%s: %s must "
			        "run outside a transaction",
			        strata__setting(
			                ctx, STRATA_SETTING_SINGLE_TRANSACTION),
			        m->up_path);
	}
	return 0;
}

static int interrupted(strata_ctx *ctx)
{
	strata__error_set(ctx, STRATA_EINTERRUPTED,
	                  "interrupted: the single transaction was rolled "
	                  "back, nothing was applied");
	strata__error_sqlstate(ctx, "57014");
	return STRATA_EINTERRUPTED;
}

/* A statement of the single transaction stopped by the user's interrupt
 * (driver.h): say what became of the transaction. */
static int stopped(strata_ctx *ctx, size_t n)
{
	if (strcmp(ctx->err.sqlstate, "08007") != 0)
		return interrupted(ctx);
	strata__error_reword(ctx,
	                     "interrupted: the server did not answer within "
	                     "1 s, so strata closed the connection; whether "
	                     "the single transaction of %zu migrations "
	                     "committed is unknown",
	                     n);
	strata__error_detail(ctx, "once the server answers, 'strata status' "
	                          "shows all of them applied, or none");
	return STRATA_EINTERRUPTED;
}

/* One try of the single transaction. */
struct single {
	const size_t *sel;
	size_t n;
	int64_t *ms; /* each migration's time, by its place in sel */
	/* the migration whose statement failed, or NULL; in_part: in its
	 * part (else in its history row, under the project's setting) */
	const strata_migration *failed;
	int in_part;
};

static void failed_at(struct single *s, const strata_migration *v, int in_part)
{
	s->failed = v;
	s->in_part = in_part;
}

/* Where a migration's text starts in a message. */
struct batched {
	const strata_migration *v;
	struct migration *m;
	size_t at;     /* its place in sel */
	size_t body;   /* its part, in the message that runs them */
	size_t record; /* its history statements, in the one after */
	int64_t ms;
};

/* The migration whose text holds a failed message's error offset. */
static const struct batched *failed_one(const strata_ctx *ctx,
                                        const struct batched *b, size_t k,
                                        int recording)
{
	size_t j = 0;

	while (j + 1 < k &&
	       ctx->err_offset >=
	               (long)(recording ? b[j + 1].record : b[j + 1].body))
		j++;
	return &b[j];
}

/* The first message: the parts, each followed by a reading of the
 * server's clock. */
static int run_parts(strata_ctx *ctx, struct single *s, strata_buf *sql,
                     struct batched *b, size_t k, double *clocks)
{
	size_t j, n = 0;
	int64_t t0 = strata__now_ms(), shared;
	int rc;

	strata__buf_clear(sql);
	rc = strata__buf_printf(
	        sql, "%s;\n",
	        strata__driver_text(ctx, STRATA_DRV_MESSAGE_CLOCK_SQL));
	for (j = 0; rc == 0 && j < k; j++) {
		const struct part *p = &b[j].m->up;

		rc = strata__ddl_lock_single_sql(ctx, sql, p, 0);
		b[j].body = sql->len;
		if (rc == 0)
			rc = strata__buf_put(sql, strata__part_sql(b[j].m, p),
			                     p->len);
		if (rc == 0)
			rc = strata__buf_printf(
			        sql, "\n;\n%s;\n",
			        strata__driver_text(ctx, STRATA_DRV_CLOCK_SQL));
		if (rc == 0)
			rc = strata__ddl_lock_single_sql(ctx, sql, p, 1);
	}
	if (rc < 0)
		return rc;
	strata__testpoint("before_statement");
	rc = strata__conn_exec_clocked(ctx, sql->ptr, sql->len, clocks, k + 1,
	                               &n);
	if (rc < 0) {
		const struct batched *f = failed_one(ctx, b, k, 0);

		/* no offset (a lost connection): no file to name */
		if (ctx->err_offset >= 0) {
			strata__locate_batch_error(ctx, f->m, &f->m->up,
			                           f->body);
			failed_at(s, f->v, 1);
		}
		return rc;
	}
	/* each migration's time on the server's clock; the message's, shared
	 * out, should a migration's own statements have answered with a
	 * column of that name */
	shared = (strata__now_ms() - t0) / (int64_t)k;
	for (j = 0; j < k; j++)
		b[j].ms =
		        n == k + 1 ?
		                (int64_t)((clocks[j + 1] - clocks[j]) * 1000.0 +
		                          0.5) :
		                shared;
	return 0;
}

/* The second message: their history rows. */
static int record_parts(strata_ctx *ctx, struct single *s, strata_buf *sql,
                        struct batched *b, size_t k)
{
	size_t j;
	int rc = 0;

	strata__buf_clear(sql);
	for (j = 0; rc == 0 && j < k; j++) {
		b[j].record = sql->len;
		rc = strata__history_record(ctx, sql, b[j].m, HISTORY_APPLIED,
		                            b[j].ms);
	}
	if (rc == 0)
		rc = strata__conn_exec(ctx, sql->ptr, sql->len);
	/* no offset (a lost connection): no file to name */
	if (rc < 0 && rc != STRATA_ENOMEM && ctx->err_offset >= 0) {
		const struct batched *f = failed_one(ctx, b, k, 1);

		strata__history_record_failed(ctx, f->m->up_path);
		failed_at(s, f->v, 0);
	}
	return rc;
}

/* Is the part of view entry i too long to copy into a batch? */
static int large(strata_ctx *ctx, size_t i)
{
	return strata__view_source(ctx, &ctx->view[i])->up.len >
	       STRATA_BATCH_PART_MAX;
}

/* One migration too long for a batch, or on a driver without batches:
 * on its own, in the transaction. */
static int run_alone(strata_ctx *ctx, struct single *s, size_t i)
{
	const strata_migration *v = &ctx->view[s->sel[i]];
	int rc = strata__run_part_in_txn(ctx, v, strata__view_source(ctx, v),
	                                 &s->ms[i]);

	if (rc < 0)
		failed_at(s, v, 1);
	return rc;
}

/* Send the migrations of sel, many to a message. */
static int run_batches(strata_ctx *ctx, struct single *s)
{
	struct batched *b = strata__calloc(BATCH_MIGRATIONS, sizeof(*b));
	double *clocks = strata__calloc(BATCH_MIGRATIONS + 1, sizeof(*clocks));
	strata_buf sql = STRATA_BUF_INIT;
	size_t i = 0, k, j, bytes;
	int rc = b && clocks ? 0 : STRATA_ENOMEM;

	while (rc == 0 && i < s->n) {
		if (ctx->interrupted) {
			rc = interrupted(ctx);
			break;
		}
		if (large(ctx, s->sel[i])) {
			/* on its own, not copied into a message */
			rc = run_alone(ctx, s, i++);
			continue;
		}
		for (k = 0, bytes = 0;
		     i < s->n && k < BATCH_MIGRATIONS && bytes < BATCH_BYTES &&
		     !large(ctx, s->sel[i]);
		     k++, i++) {
			b[k].v = &ctx->view[s->sel[i]];
			b[k].m = strata__view_source(ctx, b[k].v);
			b[k].at = i;
			bytes += b[k].m->up.len;
			strata__emit(ctx, STRATA_EVENT_APPLY_START, b[k].v,
			             NULL, 0);
		}
		rc = run_parts(ctx, s, &sql, b, k, clocks);
		if (rc == 0)
			rc = record_parts(ctx, s, &sql, b, k);
		for (j = 0; rc == 0 && j < k; j++)
			s->ms[b[j].at] = b[j].ms;
	}
	strata_buf_release(&sql);
	strata__free(clocks);
	strata__free(b);
	if (rc == STRATA_ENOMEM && !ctx->err.message[0])
		rc = strata__oom(ctx);
	return rc;
}

static int run_each(strata_ctx *ctx, struct single *s)
{
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < s->n; i++)
		rc = ctx->interrupted ? interrupted(ctx) : run_alone(ctx, s, i);
	return rc;
}

/* One try: begin, run every migration, commit or roll back. */
static int run_once(strata_ctx *ctx, struct single *s)
{
	struct txn t;
	int rc, stale;

	failed_at(s, NULL, 0);
	rc = strata__txn_begin(&t, ctx);
	if (rc < 0)
		return rc;
	rc = strata__plan_is_stale(ctx, &stale);
	if (rc == 0 && stale)
		rc = 1;
	if (rc == 0)
		rc = strata__ddl_lock_single_begin(ctx);
	if (rc == 0)
		rc = strata__driver_can(ctx, STRATA_DRIVER_CAP_BATCH) &&
		                     strata__driver_has(
		                             ctx, STRATA_DRV_EXEC_CLOCKED) ?
		             run_batches(ctx, s) :
		             run_each(ctx, s);
	/* the user asked to stop: do not commit */
	if (rc == 0 && ctx->interrupted)
		rc = interrupted(ctx);
	return strata__txn_end(&t, rc);
}

/* The part whose statement gave up, for its file's setting; NULL for
 * the project's. */
static const struct part *failed_part(strata_ctx *ctx, const struct single *s)
{
	if (!s->failed || !s->in_part)
		return NULL;
	return &strata__view_source(ctx, s->failed)->up;
}

int strata__run_single(strata_ctx *ctx, const size_t *sel, size_t n,
                       size_t *n_done)
{
	struct single s;
	size_t i;
	int rc, again, attempt;

	rc = refuse(ctx, sel, n);
	if (rc < 0)
		return rc;
	memset(&s, 0, sizeof(s));
	s.sel = sel;
	s.n = n;
	s.ms = strata__calloc(n ? n : 1, sizeof(*s.ms));
	if (!s.ms)
		return strata__oom(ctx);
	for (attempt = 0;; attempt++) {
		rc = run_once(ctx, &s);
		if (rc >= 0 || rc == STRATA_EINTERRUPTED)
			break;
		/* a lock timeout: all rolled back, tried again whole */
		again = strata__ddl_lock_retry_single(
		        ctx, s.failed, failed_part(ctx, &s), attempt);
		if (again <= 0) {
			if (again < 0)
				rc = again;
			break;
		}
	}
	if (rc == STRATA_EINTERRUPTED)
		rc = stopped(ctx, n);
	else if (rc < 0)
		strata__error_detail(ctx, "the single transaction was rolled "
		                          "back: no migration was applied");
	/* applied once committed: a retry never reports one twice */
	for (i = 0; rc == 0 && i < n; i++)
		strata__emit(ctx, STRATA_EVENT_APPLY_DONE, &ctx->view[sel[i]],
		             NULL, s.ms[i]);
	if (rc == 0 && n_done)
		*n_done = n;
	strata__free(s.ms);
	return rc;
}
