/*
 * strata adopt --undo: give the database back to the other tool. Its
 * table goes back to its own name and strata's rows go, but only while
 * strata's history says what the other tool's table says (nothing
 * applied or rolled back with strata since), so that the other tool
 * finds the database as it left it. The same SQL is printed after every
 * adoption, for doing it by hand.
 */
#include "common.h"
#include "ctx.h"
#include "driver.h"
#include "engine.h"
#include "history.h"
#include "adopt.h"

static int put_target(strata_ctx *ctx, strata_buf *out)
{
	int rc = strata__buf_puts(out, " WHERE target = ");

	if (rc == 0)
		rc = strata__conn_quote_literal(ctx, out, ctx->target);
	return rc;
}

int strata__adopt_rename_sql(struct adopt *a, strata_buf *out, const char *from,
                             const char *to)
{
	strata_ctx *ctx = a->ctx;
	strata_buf ix = STRATA_BUF_INIT;
	int pg = (strata__driver_dialect(ctx) & STRATA_DIALECT_PKEY_INDEX) != 0;
	int rc = strata__buf_puts(out, "ALTER TABLE ");

	if (rc == 0)
		rc = strata__adopt_qualified(ctx, out, from);
	if (rc == 0)
		rc = strata__buf_puts(out, " RENAME TO ");
	if (rc == 0)
		rc = strata__conn_quote_ident(ctx, out, to);
	if (rc == 0)
		rc = strata__buf_puts(out, ";\n");
	if (rc == 0 && pg) {
		rc = strata__buf_printf(&ix, "%s_pkey", from);
		if (rc == 0)
			rc = strata__buf_puts(out, "ALTER INDEX IF EXISTS ");
		if (rc == 0)
			rc = strata__adopt_qualified(ctx, out, ix.ptr);
		strata__buf_clear(&ix);
		if (rc == 0)
			rc = strata__buf_printf(&ix, "%s_pkey", to);
		if (rc == 0)
			rc = strata__buf_puts(out, " RENAME TO ");
		if (rc == 0)
			rc = strata__conn_quote_ident(ctx, out, ix.ptr);
		if (rc == 0)
			rc = strata__buf_puts(out, ";\n");
	}
	strata_buf_release(&ix);
	return rc == STRATA_ENOMEM ? strata__oom(ctx) : rc;
}

/* ";\n" and the DROP of strata's history log: strata's table goes, and
 * the database is given back as it was before strata came (the log of
 * a table other targets share stays with it). */
static int drop_log_sql(strata_ctx *ctx, strata_buf *out)
{
	int rc = strata__buf_puts(out, ";\nDROP TABLE IF EXISTS ");

	if (rc == 0)
		rc = strata__log_qualified(ctx, out);
	if (rc == 0)
		rc = strata__buf_puts(out, ";\n");
	return rc;
}

int strata__adopt_undo_sql(struct adopt *a, strata_buf *out, int script)
{
	strata_ctx *ctx = a->ctx;
	int txn = strata__driver_can(ctx, STRATA_DRIVER_CAP_TXN_DDL);
	/* after adopting, the other tool's table is at its renamed name */
	int back = a->renamed && (a->already_moved || !a->opts->undo);
	const char *from = a->renamed;
	const char *home = a->tool->table;
	strata_buf tmp = STRATA_BUF_INIT;
	int rc = 0;

	strata__buf_clear(out);
	if (txn && script)
		rc = strata__buf_puts(out, "BEGIN;\n");
	if (rc == 0 && !txn && back && !a->shared) {
		/* MySQL: swap in one atomic RENAME, then drop */
		rc = strata__buf_printf(&tmp, "%s_strata_undo", ctx->table);
		if (rc == 0)
			rc = strata__buf_puts(out, "RENAME TABLE ");
		if (rc == 0)
			rc = strata__history_qualified(ctx, out);
		if (rc == 0)
			rc = strata__buf_puts(out, " TO ");
		if (rc == 0)
			rc = strata__adopt_qualified(ctx, out, tmp.ptr);
		if (rc == 0)
			rc = strata__buf_puts(out, ", ");
		if (rc == 0)
			rc = strata__adopt_qualified(ctx, out, from);
		if (rc == 0)
			rc = strata__buf_puts(out, " TO ");
		if (rc == 0)
			rc = strata__adopt_qualified(ctx, out, home);
		if (rc == 0)
			rc = strata__buf_puts(out, ";\nDROP TABLE ");
		if (rc == 0)
			rc = strata__adopt_qualified(ctx, out, tmp.ptr);
		if (rc == 0)
			rc = drop_log_sql(ctx, out);
		strata_buf_release(&tmp);
		return rc == STRATA_ENOMEM ? strata__oom(ctx) : rc;
	}
	if (rc == 0 && (a->strata_exists || !a->opts->undo)) {
		rc = strata__buf_puts(out, a->shared ? "DELETE FROM " :
		                                       "DROP TABLE ");
		if (rc == 0)
			rc = strata__history_qualified(ctx, out);
		if (rc == 0 && a->shared)
			rc = put_target(ctx, out);
		if (rc == 0)
			rc = a->shared ? strata__buf_puts(out, ";\n") :
			                 drop_log_sql(ctx, out);
	}
	if (rc == 0 && back)
		rc = strata__adopt_rename_sql(a, out, from, home);
	if (rc == 0 && txn && script)
		rc = strata__buf_puts(out, "COMMIT;\n");
	return rc == STRATA_ENOMEM ? strata__oom(ctx) : rc;
}

static int count_cb(void *payload, int ncols, const char *const *v)
{
	if (ncols > 0 && v[0])
		*(long long *)payload = strtoll(v[0], NULL, 10);
	return 0;
}

/* Does strata's table hold other targets' rows? */
static int other_targets(struct adopt *a)
{
	strata_ctx *ctx = a->ctx;
	strata_buf sql = STRATA_BUF_INIT;
	long long n = 0;
	int rc = strata__buf_puts(&sql, "SELECT count(*) FROM ");

	if (rc == 0)
		rc = strata__history_qualified(ctx, &sql);
	if (rc == 0)
		rc = strata__buf_puts(&sql, " WHERE target <> ");
	if (rc == 0)
		rc = strata__conn_quote_literal(ctx, &sql, ctx->target);
	if (rc == 0)
		rc = strata__conn_query(ctx, sql.ptr, count_cb, &n);
	strata_buf_release(&sql);
	if (rc < 0)
		return rc == STRATA_ENOMEM ? strata__oom(ctx) : rc;
	a->shared = n > 0;
	return 0;
}

static const struct adopt_plan_item *item_of(struct adopt *a, const char *v)
{
	size_t i;

	for (i = 0; i < a->n_items; i++) {
		const struct adopt_plan_item *it = &a->items[i];

		if ((it->action == STRATA_ADOPT_RECORD ||
		     it->action == STRATA_ADOPT_BASELINE) &&
		    it->m && it->m->kind != STRATA_KIND_REPEATABLE &&
		    strcmp(it->m->version, v) == 0)
			return it;
	}
	return NULL;
}

/* strata's rows must say what the other tool's table says. */
static int same_history(struct adopt *a)
{
	strata_ctx *ctx = a->ctx;
	const struct history *h = &ctx->history;
	int folder = strcmp(a->tool->name, "alembic") == 0;
	size_t i;

	for (i = 0; i < h->n; i++) {
		const struct history_row *r = &h->v[i];

		if (r->kind == STRATA_KIND_REPEATABLE)
			continue;
		if (r->dirty) {
			strata__error_set(
			        ctx, STRATA_ESTATE,
			        "migration %s (%s) is dirty in "
			        "strata's history: finish or force it "
			        "before giving the database back",
			        r->version, r->name);
			return STRATA_ESTATE;
		}
		if ((folder && r->kind != STRATA_KIND_BASELINE) ||
		    (!folder && !item_of(a, r->version))) {
			strata__error_set(
			        ctx, STRATA_ESTATE,
			        "migration %s (%s) was applied with strata "
			        "after adopting and %s does not know it: roll "
			        "it back with 'strata down' before %s",
			        r->version, r->name, a->tool->name,
			        strata__setting(ctx,
			                        STRATA_SETTING_ADOPT_UNDO));
			strata__error_detail(ctx, "nothing was changed");
			return STRATA_ESTATE;
		}
	}
	for (i = 0; !folder && i < a->n_items; i++) {
		const struct adopt_plan_item *it = &a->items[i];

		if ((it->action == STRATA_ADOPT_RECORD ||
		     it->action == STRATA_ADOPT_BASELINE) &&
		    it->m && it->m->kind != STRATA_KIND_REPEATABLE &&
		    !strata__history_find(h, it->m->version)) {
			strata__error_set(
			        ctx, STRATA_ESTATE,
			        "migration %s (%s) is applied in %s's table "
			        "but not in strata's (rolled back with strata "
			        "since?): apply it again with 'strata up' "
			        "before %s",
			        it->m->version_text, it->m->name, a->tool->name,
			        strata__setting(ctx,
			                        STRATA_SETTING_ADOPT_UNDO));
			strata__error_detail(ctx, "nothing was changed");
			return STRATA_ESTATE;
		}
	}
	return 0;
}

int strata__adopt_undo(struct adopt *a)
{
	strata_ctx *ctx = a->ctx;
	struct txn t;
	int rc = 0;

	if (!a->strata_exists && !a->already_moved) {
		strata__error_set(ctx, STRATA_ESTATE,
		                  "nothing to undo: %s's table '%s' is in "
		                  "place and strata keeps no history in '%s'",
		                  a->tool->name, a->at, ctx->table);
		return STRATA_ESTATE;
	}
	if (a->strata_exists)
		rc = other_targets(a);
	if (rc == 0 && a->strata_exists && a->shared && a->already_moved) {
		strata__error_set(
		        ctx, STRATA_ESTATE,
		        "strata's table '%s' holds the history of other "
		        "targets too: %s's table cannot have its name back",
		        ctx->table, a->tool->name);
		return STRATA_ESTATE;
	}
	if (rc == 0 && a->strata_exists)
		rc = same_history(a);
	if (rc == 0)
		rc = strata__adopt_undo_sql(a, &a->undo_sql, 1);
	a->n_recorded = ctx->history.n;
	if (rc < 0 || a->opts->dry_run)
		return rc;
	if (strata__driver_can(ctx, STRATA_DRIVER_CAP_TXN_DDL)) {
		strata_buf sql = STRATA_BUF_INIT;

		rc = strata__adopt_undo_sql(a, &sql, 0);
		if (rc == 0)
			rc = strata__txn_begin(&t, ctx);
		if (rc == 0)
			rc = strata__txn_end(&t, strata__conn_exec(ctx, sql.ptr,
			                                           sql.len));
		strata_buf_release(&sql);
	} else {
		rc = strata__conn_exec(ctx, a->undo_sql.ptr, a->undo_sql.len);
	}
	if (rc < 0)
		strata__error_prefix(ctx, "cannot give the database back to %s",
		                     a->tool->name);
	return rc;
}
