/*
 * fresh: drop every object of the schema and apply every migration
 * again. Every file is read and checked before anything is dropped, and a
 * backup is written first unless the caller said not to.
 */
#include "common.h"
#include "ctx.h"
#include "driver.h"
#include "engine.h"
#include "history.h"
#include "script.h"
#include "source.h"

/* Every versioned and repeatable migration must load and pass its
 * checks: fresh re-applies them all. */
static int check_all(strata_ctx *ctx)
{
	size_t i;
	int rc;

	for (i = 0; i < ctx->source.n; i++) {
		struct migration *m = &ctx->source.v[i];

		rc = strata__migration_load(ctx, m);
		if (rc == 0)
			rc = strata__part_check(ctx, m, 0, 0);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int drop_all(strata_ctx *ctx, int dry_run)
{
	strata_buf sql = STRATA_BUF_INIT;
	int rc;

	if (!strata__driver_has(ctx, STRATA_DRV_DROP_ALL))
		return strata__error_set(ctx, STRATA_ENOTSUPP,
		                         "fresh is not available for %s",
		                         strata__driver_name(ctx));
	rc = strata__buf_puts(&sql, dry_run ? "-- drop everything\n" : "");
	if (rc == 0)
		rc = strata__conn_drop_all_sql(ctx, strata__schema(ctx), &sql);
	if (rc == 0 && dry_run)
		strata__emit(ctx, STRATA_EVENT_SQL, NULL, sql.ptr, 0);
	else if (rc == 0 && sql.len) {
		struct txn t = { ctx, 0 };

		/* where DDL commits as it runs, no transaction helps */
		if (strata__driver_can(ctx, STRATA_DRIVER_CAP_TXN_DDL))
			rc = strata__txn_begin(&t, ctx);
		if (rc == 0)
			rc = strata__conn_exec(ctx, sql.ptr, sql.len);
		rc = strata__txn_end(&t, rc);
		if (rc < 0)
			strata__error_prefix(ctx, "cannot drop the schema's "
			                          "objects");
	}
	strata_buf_release(&sql);
	return rc == STRATA_ENOMEM ? strata__oom(ctx) : rc;
}

/* The first row of the new log: the old one went with everything else
 * (it is in the backup, when one was written). */
static int log_fresh(strata_ctx *ctx, const char *backup)
{
	strata_buf detail = STRATA_BUF_INIT;
	struct log_event e;
	int rc = strata__buf_printf(&detail,
	                            "every object was dropped, the log "
	                            "before it too%s%s",
	                            backup ? "; backup: " : " (no backup)",
	                            backup ? backup : "");

	memset(&e, 0, sizeof(e));
	e.action = "fresh";
	e.version = "";
	e.name = "";
	e.kind = STRATA_KIND_VERSIONED;
	e.detail = detail.ptr;
	rc = rc < 0 ? strata__oom(ctx) : strata__log_exec(ctx, &e);
	strata_buf_release(&detail);
	return rc;
}

int strata_fresh(strata_ctx *ctx, const strata_run_options *opts,
                 size_t *n_done)
{
	strata_buf backup = STRATA_BUF_INIT; /* the path, or "" */
	strata_run_options all;
	size_t *sel = NULL, n = 0, i;
	int rc, exists;

	*n_done = 0;
	memset(&all, 0, sizeof(all));
	all.dry_run = opts && opts->dry_run;
	strata__error_clear(ctx);
	rc = strata__open_read(ctx);
	if (rc == 0)
		rc = strata__driver_resolve(ctx);
	if (rc == 0)
		rc = check_all(ctx);
	if (rc < 0)
		return rc;
	exists = ctx->conn != NULL;
	if (!all.dry_run && exists && !(opts && opts->no_backup)) {
		const char *path;

		rc = strata_backup(&path, ctx,
		                   opts ? opts->backup_suffix : NULL);
		if (rc < 0)
			return rc;
		strata__emitf(ctx, STRATA_EVENT_INFO, "backup written to %s",
		              path);
		if (strata__buf_puts(&backup, path) < 0)
			return strata__oom(ctx);
	}
	if (all.dry_run) {
		if (exists)
			rc = drop_all(ctx, 1);
	} else {
		rc = strata__open_write(ctx);
		if (rc == 0)
			rc = drop_all(ctx, 0);
		/* the history went with everything else: start again */
		if (rc == 0) {
			strata__history_release(&ctx->history);
			rc = strata__open_write(ctx);
		}
		if (rc == 0)
			rc = log_fresh(ctx, backup.len ? backup.ptr : NULL);
	}
	if (rc == 0) {
		if (all.dry_run)
			strata__history_release(&ctx->history);
		rc = strata__build_view(ctx);
	}
	if (rc == 0) {
		sel = strata__calloc(ctx->n_view + 1, sizeof(*sel));
		rc = sel ? strata__select_up(ctx, &all, sel, &n) :
		           strata__oom(ctx);
	}
	/* a dry run prints the script `plan` would write after the drop */
	if (rc == 0 && all.dry_run)
		rc = strata__script_write(ctx, sel, n, 0, n_done);
	for (i = 0; rc == 0 && !all.dry_run && i < n; i++) {
		const strata_migration *v = &ctx->view[sel[i]];

		rc = strata__run_part(ctx, v, strata__view_source(ctx, v), 0,
		                      i + 1 == n ? STRATA_PART_LAST : 0);
		if (rc == 0)
			(*n_done)++;
	}
	strata__free(sel);
	strata_buf_release(&backup);
	strata__close_write(ctx);
	return rc;
}
