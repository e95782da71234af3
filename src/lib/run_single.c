/*
 * up --single-transaction: every selected migration in one transaction,
 * all applied or none. Only where DDL is transactional, and only when no
 * part must run outside a transaction.
 *
 * Where the driver takes a batch (PostgreSQL), the migrations and their
 * history rows go to the server many to a message: a round trip per
 * migration costs about 0.2 ms on loopback, which was a third of the
 * whole run for 1000 small migrations (measured, bench/README.md). Every
 * part was checked whole before anything runs (no unterminated string
 * can reach into the next one), and the transaction is all or nothing,
 * so a batch changes nothing but the number of round trips; an error's
 * position in the batch still names its file and line.
 */
#include "common.h"
#include "ctx.h"
#include "driver.h"
#include "engine.h"
#include "history.h"
#include "source.h"

int64_t strata__now_ms(void);
int strata__plan_is_stale(strata_ctx *ctx, int *stale);

/* A batch ends after this many bytes of SQL, or this many migrations. */
#define BATCH_BYTES (256 * 1024)
#define BATCH_MIGRATIONS 256

/* Where a migration's part starts in the batch's text. */
struct batched {
	const strata_migration *v;
	struct migration *m;
	size_t body;
};

static int refuse(strata_ctx *ctx, const size_t *sel, size_t n)
{
	size_t i;

	if (!(ctx->drv->caps & STRATA_DRIVER_CAP_TXN_DDL))
		return strata__error_set(ctx, STRATA_EINVALID,
		                         "--single-transaction: %s commits "
		                         "schema changes as it makes them, so "
		                         "one transaction cannot hold them",
		                         ctx->drv->name);
	for (i = 0; i < n; i++) {
		const strata_migration *v = &ctx->view[sel[i]];
		struct migration *m = strata__view_source(ctx, v);

		if (!strata__part_transactional(ctx, m, 0))
			return strata__error_set(
			        ctx, STRATA_EINVALID,
			        "--single-transaction: %s must "
			        "run outside a transaction",
			        m->up_path);
	}
	return 0;
}

/* Append migration b's part and history row to sql. */
static int add(strata_ctx *ctx, strata_buf *sql, struct batched *b)
{
	const struct part *p = &b->m->up;
	int rc;

	b->body = sql->len;
	rc = strata__buf_put(sql, strata__part_text(b->m, p) + p->off, p->len);
	if (rc == 0)
		rc = strata__buf_puts(sql, "\n;\n");
	if (rc == 0)
		rc = strata__record_sql(ctx, sql, b->m, 0, 0,
		                        STRATA_MS_SINCE_PREVIOUS, b->m->kind);
	return rc;
}

/* The migration whose text holds the failed batch's error offset. */
static const struct batched *failed_one(const strata_ctx *ctx,
                                        const struct batched *b, size_t k)
{
	size_t j = 0;

	while (j + 1 < k && ctx->err_offset >= (long)b[j + 1].body)
		j++;
	return &b[j];
}

/* Send the migrations of sel, up to n, in batches. */
static int run_batches(strata_ctx *ctx, const size_t *sel, size_t n)
{
	struct batched *b = strata__calloc(BATCH_MIGRATIONS, sizeof(*b));
	strata_buf sql = STRATA_BUF_INIT;
	size_t i = 0, k, j;
	int64_t t0, ms;
	int rc = b ? 0 : STRATA_ENOMEM;

	while (rc == 0 && i < n) {
		if (ctx->interrupted) {
			rc = strata__error_set(ctx, STRATA_EINTERRUPTED,
			                       "interrupted: the single "
			                       "transaction was rolled back, "
			                       "nothing was applied");
			break;
		}
		strata__buf_clear(&sql);
		for (k = 0; rc == 0 && i < n && k < BATCH_MIGRATIONS &&
		            sql.len < BATCH_BYTES;
		     k++, i++) {
			b[k].v = &ctx->view[sel[i]];
			b[k].m = strata__view_source(ctx, b[k].v);
			strata__emit(ctx, STRATA_EVENT_APPLY_START, b[k].v, NULL,
			             0);
			rc = add(ctx, &sql, &b[k]);
		}
		if (rc < 0)
			break;
		t0 = strata__now_ms();
		rc = ctx->drv->exec(ctx->conn, sql.ptr, sql.len);
		if (rc < 0) {
			const struct batched *f = failed_one(ctx, b, k);

			/* no offset (a lost connection): no file to name */
			if (ctx->err_offset >= 0)
				strata__locate_batch_error(ctx, f->m, &f->m->up,
				                           f->body);
			break;
		}
		/* the batch's time, shared out: the history rows have each
		 * migration's own, measured by the server */
		ms = (strata__now_ms() - t0) / (int64_t)k;
		for (j = 0; j < k; j++)
			strata__emit(ctx, STRATA_EVENT_APPLY_DONE, b[j].v, NULL,
			             ms);
	}
	strata_buf_release(&sql);
	strata__free(b);
	if (rc == STRATA_ENOMEM && !ctx->err.message[0])
		rc = strata__error_set(ctx, rc, "out of memory");
	return rc;
}

static int run_each(strata_ctx *ctx, const size_t *sel, size_t n)
{
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < n; i++) {
		const strata_migration *v = &ctx->view[sel[i]];

		if (ctx->interrupted)
			rc = strata__error_set(ctx, STRATA_EINTERRUPTED,
			                       "interrupted: the single "
			                       "transaction was rolled back, "
			                       "nothing was applied");
		else
			rc = strata__run_part_in_txn(
			        ctx, v, strata__view_source(ctx, v));
	}
	return rc;
}

int strata__run_single(strata_ctx *ctx, const size_t *sel, size_t n,
                       size_t *n_done)
{
	int rc, stale;

	rc = refuse(ctx, sel, n);
	if (rc < 0)
		return rc;
	rc = ctx->drv->begin(ctx->conn);
	if (rc < 0)
		return rc;
	ctx->in_txn = 1;
	rc = strata__plan_is_stale(ctx, &stale);
	if (rc == 0 && stale)
		rc = 1;
	if (rc == 0)
		rc = ctx->drv->caps & STRATA_DRIVER_CAP_BATCH ?
		             run_batches(ctx, sel, n) :
		             run_each(ctx, sel, n);
	if (rc == 0)
		rc = ctx->drv->commit(ctx->conn);
	else
		ctx->drv->rollback(ctx->conn);
	ctx->in_txn = 0;
	if (rc < 0)
		strata__error_detail(ctx, "the single transaction was rolled "
		                          "back: no migration was applied");
	if (rc == 0 && n_done)
		*n_done = n;
	return rc;
}
