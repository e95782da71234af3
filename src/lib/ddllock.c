/*
 * Lock-safe DDL: a migration's statements wait for table locks at most
 * as long as its file's -- strata:lock-timeout (or the project's
 * ddl_lock_timeout) says, so that an ALTER TABLE on a busy table never
 * queues every other query behind it for long; a migration whose
 * statement gave up is rolled back and tried again, with a pause that
 * doubles each time. The driver says how (its lock_wait_sql: for the
 * migration's transaction, or set before a part run outside one and
 * given back after it) and which error is such a wait giving up. A
 * database without (SQLite, where strata holds the write lock for the
 * whole migration) has the setting refused.
 */
#include <time.h>

#include "common.h"
#include "ctx.h"
#include "driver.h"
#include "engine.h"
#include "ddllock.h"
#include "../util/testpoint.h"

/* The first retry waits this long, each further one twice as long as
 * the one before, up to the cap. */
#define BACKOFF_FIRST_MS 1000
#define BACKOFF_MAX_MS   30000

/* Whether the driver bounds a statement's wait for a lock. */
static int has_lock_wait(const strata_ctx *ctx)
{
	return strata__driver_has(ctx, STRATA_DRV_LOCK_WAIT);
}

/* Append the driver's statement for timeout_ms (0: the session's own
 * wait back) with its terminator; nothing without one. */
static int wait_sql(strata_ctx *ctx, strata_buf *out, int timeout_ms, int local)
{
	int rc;

	if (!has_lock_wait(ctx))
		return 0;
	rc = strata__conn_lock_wait_sql(ctx, out, timeout_ms, local);
	if (rc == 0 && strata__buf_puts(out, ";\n") < 0)
		rc = STRATA_ENOMEM;
	return rc == STRATA_ENOMEM ? strata__oom(ctx) : rc;
}

const struct strata__lockspec *strata__ddl_lock(const strata_ctx *ctx,
                                                const struct part *p)
{
	if (p->lock.timeout_ms > 0)
		return &p->lock;
	return ctx->ddl_lock.timeout_ms > 0 ? &ctx->ddl_lock : NULL;
}

int strata__ddl_lock_check(strata_ctx *ctx, const struct part *p,
                           const char *text, size_t text_len)
{
	int line, col;

	if (!strata__ddl_lock(ctx, p) || has_lock_wait(ctx))
		return 0;
	if (p->lock.timeout_ms <= 0)
		return strata__error_set(
		        ctx, STRATA_EINVALID,
		        "%s is set, and %s has no lock timeout for a "
		        "migration's statements (strata holds its write lock "
		        "for the whole migration): set it for PostgreSQL or "
		        "MySQL targets only",
		        strata__setting(ctx, STRATA_SETTING_DDL_LOCK_TIMEOUT),
		        strata__driver_name(ctx));
	strata__error_set(ctx, STRATA_EINVALID,
	                  "strata:lock-timeout: %s has no lock timeout for a "
	                  "migration's statements (strata holds its write "
	                  "lock for the whole migration): remove the "
	                  "directive",
	                  strata__driver_name(ctx));
	strata__offset_to_pos(text, text_len, p->lock_at, &line, &col);
	strata__error_at(ctx, p->path, line, col);
	return STRATA_EINVALID;
}

int strata__ddl_lock_sql(strata_ctx *ctx, strata_buf *out, const struct part *p,
                         int local)
{
	const struct strata__lockspec *ls = strata__ddl_lock(ctx, p);

	return ls ? wait_sql(ctx, out, ls->timeout_ms, local) : 0;
}

int strata__ddl_lock_single_sql(strata_ctx *ctx, strata_buf *out,
                                const struct part *p, int after)
{
	if (p->lock.timeout_ms <= 0)
		return 0;
	if (!after)
		return strata__ddl_lock_sql(ctx, out, p, 1);
	/* the project's wait, or the session's own, for the rest */
	return wait_sql(
	        ctx, out,
	        ctx->ddl_lock.timeout_ms > 0 ? ctx->ddl_lock.timeout_ms : 0, 1);
}

int strata__ddl_lock_single_begin(strata_ctx *ctx)
{
	strata_buf sql = STRATA_BUF_INIT;
	int rc = 0;

	if (ctx->ddl_lock.timeout_ms > 0)
		rc = wait_sql(ctx, &sql, ctx->ddl_lock.timeout_ms, 1);
	if (rc == 0 && sql.len)
		rc = strata__conn_exec(ctx, sql.ptr, sql.len);
	strata_buf_release(&sql);
	return rc;
}

int strata__ddl_lock_script(strata_ctx *ctx, strata_buf *out,
                            const struct part *p, int txn, int after)
{
	if (!strata__ddl_lock(ctx, p) || (txn && after))
		return 0;
	if (after)
		return wait_sql(ctx, out, 0, 0);
	return strata__ddl_lock_sql(ctx, out, p, txn);
}

int strata__ddl_lock_set(strata_ctx *ctx, const struct part *p, int local)
{
	strata_buf sql = STRATA_BUF_INIT;
	int rc = strata__ddl_lock_sql(ctx, &sql, p, local);

	if (rc == 0 && sql.len)
		rc = strata__conn_exec(ctx, sql.ptr, sql.len);
	strata_buf_release(&sql);
	return rc;
}

int strata__ddl_lock_reset(strata_ctx *ctx, const struct part *p)
{
	struct saved_error saved;
	strata_buf sql = STRATA_BUF_INIT;
	int rc;

	if (!strata__ddl_lock(ctx, p) || !ctx->conn || !has_lock_wait(ctx))
		return 0;
	rc = strata__conn_lock_wait_sql(ctx, &sql, 0, 0);
	if (rc < 0) {
		strata_buf_release(&sql);
		return ctx->err.code ? 0 : strata__oom(ctx);
	}
	if (!ctx->err.code) {
		rc = strata__conn_exec(ctx, sql.ptr, sql.len);
	} else {
		/* the error that ended the part is the one to report */
		strata__error_save(ctx, &saved);
		if (strata__conn_exec(ctx, sql.ptr, sql.len) < 0) {
			/* the session ends with strata: nothing else to do */
		}
		strata__error_restore(ctx, &saved);
	}
	strata_buf_release(&sql);
	return rc;
}

int strata__ddl_lock_timed_out(const strata_ctx *ctx, const struct part *p)
{
	return strata__ddl_lock(ctx, p) &&
	       strata__driver_lock_wait_gave_up(ctx);
}

/* The pause before retry k (from 1): 1 s, 2 s, 4 s ... up to 30 s; none
 * in a test build asked for none. */
static int backoff_ms(int k)
{
	int ms = BACKOFF_FIRST_MS;

	if (strata__test_no_backoff())
		return 0;
	while (--k > 0 && ms < BACKOFF_MAX_MS)
		ms *= 2;
	return ms < BACKOFF_MAX_MS ? ms : BACKOFF_MAX_MS;
}

/* Sleep ms, in steps short enough for an interrupt to cut it short. */
static int pause_ms(strata_ctx *ctx, int ms)
{
	while (ms > 0 && !ctx->interrupted) {
		int step = ms < 50 ? ms : 50;
		struct timespec ts = { 0, (long)step * 1000000L };

		nanosleep(&ts, NULL);
		ms -= step;
	}
	if (!ctx->interrupted)
		return 0;
	strata__error_set(ctx, STRATA_EINTERRUPTED,
	                  "interrupted while waiting to try a migration again "
	                  "after a lock timeout: it was rolled back, nothing "
	                  "of it is applied");
	strata__error_sqlstate(ctx, "57014");
	return STRATA_EINTERRUPTED;
}

static void emit_retry(strata_ctx *ctx, const strata_migration *v,
                       int timeout_ms, int k, int retries, int wait)
{
	strata_buf msg = STRATA_BUF_INIT;
	strata_event ev;
	char t[32];

	if (!ctx->on_event)
		return;
	strata__lockspec_format(t, sizeof(t), timeout_ms);
	if (strata__buf_printf(&msg,
	                       "%s:%d: lock timeout (%s): %s; rolled back, "
	                       "retry %d of %d in %d ms",
	                       ctx->err.file, ctx->err.line, t,
	                       ctx->err.message, k, retries, wait) < 0)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.kind = STRATA_EVENT_RETRY;
	ev.migration = v;
	ev.message = msg.ptr;
	ev.elapsed_ms = wait;
	ev.position = (size_t)k;
	ev.total = (size_t)retries;
	ev.file = ctx->err.file;
	ev.line = ctx->err.line;
	ctx->on_event(&ev, ctx->payload);
	strata_buf_release(&msg);
}

/* The last try gave up too: say so, with what to do; rolled_back: what
 * became of the migration, or NULL when the caller says it. */
static void gave_up(strata_ctx *ctx, const struct strata__lockspec *ls,
                    int tries, const char *rolled_back)
{
	char t[32];

	strata__lockspec_format(t, sizeof(t), ls->timeout_ms);
	strata__error_prefix(ctx,
	                     "lock timeout (%s) after %d attempt%s, giving "
	                     "up",
	                     t, tries, tries == 1 ? "" : "s");
	if (rolled_back)
		strata__error_detail(ctx, "%s", rolled_back);
	strata__error_detail(ctx,
	                     "another session holds a lock on the table: "
	                     "run again when it is less busy, or raise the "
	                     "timeout or retries= of strata:lock-timeout");
}

/* The retry of attempt under ls, or 0 when none (see ddllock.h). */
static int retry(strata_ctx *ctx, const strata_migration *v,
                 const struct strata__lockspec *ls, int attempt, int committed,
                 const char *rolled_back)
{
	int wait;

	if (!ls || !strata__driver_lock_wait_gave_up(ctx))
		return 0;
	if (committed || attempt >= ls->retries || ctx->interrupted) {
		gave_up(ctx, ls, attempt + 1, committed ? NULL : rolled_back);
		return 0;
	}
	wait = backoff_ms(attempt + 1);
	emit_retry(ctx, v, ls->timeout_ms, attempt + 1, ls->retries, wait);
	strata__testpoint("lock_retry");
	if (pause_ms(ctx, wait) < 0)
		return STRATA_EINTERRUPTED;
	strata__error_clear(ctx);
	return 1;
}

int strata__ddl_lock_retry(strata_ctx *ctx, const strata_migration *v,
                           const struct part *p, int attempt, int committed)
{
	return retry(ctx, v, strata__ddl_lock(ctx, p), attempt, committed,
	             "the migration was rolled back: nothing of it is "
	             "applied or recorded");
}

int strata__ddl_lock_retry_single(strata_ctx *ctx, const strata_migration *v,
                                  const struct part *p, int attempt)
{
	const struct strata__lockspec *ls = p ? strata__ddl_lock(ctx, p) :
	                                    ctx->ddl_lock.timeout_ms > 0 ?
	                                        &ctx->ddl_lock :
	                                        NULL;

	return retry(ctx, v, ls, attempt, 0, NULL);
}
