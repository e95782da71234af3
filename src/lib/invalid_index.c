/*
 * INVALID indexes (PostgreSQL's): a CREATE INDEX CONCURRENTLY that failed
 * (a duplicate under UNIQUE, a lock timeout, a cancel) leaves its index
 * behind, unused but kept up to date on every write, and CREATE INDEX IF
 * NOT EXISTS then skips it. `strata repair` lists those of the schema
 * (the driver's invalid_indexes, which leaves out those being built right
 * now) and drops them one by one (its drop_index_sql), so that the next
 * `up` builds them again.
 */
#include "common.h"
#include "ctx.h"
#include "driver.h"
#include "engine.h"

struct names {
	char **v;
	size_t n, alloc;
};

static void names_release(struct names *l)
{
	while (l->n > 0)
		strata__free(l->v[--l->n]);
	strata__free(l->v);
	memset(l, 0, sizeof(*l));
}

static int add_name(void *payload, int ncols, const char *const *values)
{
	struct names *l = payload;

	if (ncols < 1 || !values[0])
		return 0;
	if (l->n + 1 >= l->alloc) {
		size_t n = l->alloc ? l->alloc * 2 : 8;
		char **v = strata__reallocarray(l->v, n, sizeof(char *));

		if (!v)
			return STRATA_ENOMEM;
		l->v = v;
		l->alloc = n;
	}
	l->v[l->n] = strata__strdup(values[0]);
	if (!l->v[l->n])
		return STRATA_ENOMEM;
	l->v[++l->n] = NULL;
	return 0;
}

/* The INVALID indexes of the schema strata works in, into l. */
static int list_invalid(strata_ctx *ctx, struct names *l)
{
	int rc = strata__conn_invalid_indexes(ctx, ctx->schema, add_name, l);

	return rc == STRATA_ENOMEM && !ctx->err.code ? strata__oom(ctx) : rc;
}

static void forget_listed(strata_ctx *ctx)
{
	struct names l = { ctx->invalid_indexes, ctx->n_invalid_indexes,
		           ctx->n_invalid_indexes };

	names_release(&l);
	ctx->invalid_indexes = NULL;
	ctx->n_invalid_indexes = 0;
}

int strata_invalid_indexes(const char *const **out, size_t *n, strata_ctx *ctx)
{
	struct names l;
	int rc;

	*out = NULL;
	*n = 0;
	strata__error_clear(ctx);
	forget_listed(ctx);
	rc = strata__open_read(ctx);
	if (rc < 0 || !strata__driver_has(ctx, STRATA_DRV_INVALID_INDEXES))
		return rc;
	memset(&l, 0, sizeof(l));
	rc = list_invalid(ctx, &l);
	if (rc < 0) {
		names_release(&l);
		return rc;
	}
	ctx->invalid_indexes = l.v;
	ctx->n_invalid_indexes = l.n;
	*out = (const char *const *)l.v;
	*n = l.n;
	return 0;
}

static int was_listed(const strata_ctx *ctx, const char *name)
{
	size_t i;

	for (i = 0; i < ctx->n_invalid_indexes; i++)
		if (strcmp(ctx->invalid_indexes[i], name) == 0)
			return 1;
	return 0;
}

/* DROP INDEX CONCURRENTLY cannot run in a transaction: one each. */
static int drop_one(strata_ctx *ctx, const char *name)
{
	strata_buf sql = STRATA_BUF_INIT;
	int rc = strata__buf_printf(
	        &sql, "%s%s",
	        strata__driver_text(ctx, STRATA_DRV_DROP_INDEX_SQL), name);

	if (rc < 0)
		return strata__oom(ctx);
	rc = strata__conn_exec(ctx, sql.ptr, sql.len);
	strata_buf_release(&sql);
	if (rc == 0)
		strata__emitf(ctx, STRATA_EVENT_INFO,
		              "dropped the INVALID index %s", name);
	return rc;
}

int strata_drop_invalid_indexes(strata_ctx *ctx, size_t *n_dropped)
{
	struct names now;
	size_t i;
	int rc;

	*n_dropped = 0;
	strata__error_clear(ctx);
	memset(&now, 0, sizeof(now));
	if (!ctx->n_invalid_indexes)
		return 0;
	rc = strata__open_write(ctx);
	/* under the runner lock: those still INVALID, of those listed */
	if (rc == 0)
		rc = list_invalid(ctx, &now);
	for (i = 0; rc == 0 && i < now.n; i++) {
		if (!was_listed(ctx, now.v[i]))
			continue;
		rc = drop_one(ctx, now.v[i]);
		if (rc == 0)
			(*n_dropped)++;
	}
	names_release(&now);
	strata__close_write(ctx);
	return rc;
}
