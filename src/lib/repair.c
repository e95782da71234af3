/*
 * force and repair: the history changed by hand, through strata, with a
 * log row for each change.
 */
#include "common.h"
#include "ctx.h"
#include "driver.h"
#include "engine.h"
#include "history.h"
#include "script.h"
#include "source.h"
#include "squash.h"
#include "../util/testpoint.h"

/* Log what force or repair does to v's row (its log row goes before
 * the statement that changes it). */
static int log_view(strata_ctx *ctx, strata_buf *sql, const char *action,
                    const strata_migration *v, const char *checksum,
                    const char *detail)
{
	struct log_event e;

	memset(&e, 0, sizeof(e));
	e.action = action;
	e.version = v->version;
	e.name = v->name;
	e.kind = v->kind;
	e.checksum = checksum;
	e.detail = detail;
	return strata__log_sql(ctx, sql, &e);
}

/* version: canonical; NULL: nothing applied. action: what the log
 * says ("force", "baseline"). */
static int force_sql(strata_ctx *ctx, strata_buf *sql, const char *version,
                     const char *action)
{
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < ctx->n_view; i++) {
		const strata_migration *v = &ctx->view[i];
		struct migration *m;
		int recorded = v->state != STRATA_STATE_PENDING &&
		               v->state != STRATA_STATE_OUT_OF_ORDER;

		if (v->kind == STRATA_KIND_REPEATABLE)
			continue;
		if (!version || strata__version_cmp(v->version, version) > 0) {
			if (recorded)
				rc = log_view(ctx, sql, action, v,
				              v->applied_checksum,
				              "row deleted");
			if (recorded && rc == 0)
				rc = strata__history_sql_delete(
				        ctx, sql, v->version, NULL);
			continue;
		}
		if (v->state == STRATA_STATE_DIRTY) {
			rc = log_view(ctx, sql, action, v, v->applied_checksum,
			              "dirty cleared");
			if (rc == 0)
				rc = strata__history_sql_clean(
				        ctx, sql, v->version, NULL);
			continue;
		}
		if (recorded)
			continue;
		m = strata__view_source(ctx, v);
		rc = strata__migration_load(ctx, m);
		if (rc == 0)
			rc = strata__history_record_as(ctx, sql, m,
			                               HISTORY_BASELINE, 0,
			                               action,
			                               "marked applied");
	}
	return rc;
}

static int exec_in_txn(strata_ctx *ctx, const strata_buf *sql)
{
	struct txn t;
	int rc;

	if (!sql->len)
		return 0;
	rc = strata__txn_begin(&t, ctx);
	if (rc == 0)
		rc = strata__txn_end(&t, strata__conn_exec(ctx, sql->ptr,
		                                           sql->len));
	return rc;
}

int strata_force(strata_ctx *ctx, const char *version)
{
	return strata__force(ctx, version, "force");
}

int strata__force(strata_ctx *ctx, const char *version, const char *action)
{
	strata_buf sql = STRATA_BUF_INIT;
	char v[STRATA_VERSION_SIZE];
	int rc = 0;

	strata__error_clear(ctx);
	/* "0": nothing older is applied, whether a migration has 0 or not */
	if (version)
		rc = strata__caller_version(ctx, "version", version, v);
	if (rc == 0)
		rc = strata__open_read(ctx);
	if (rc == 0)
		rc = strata__build_view(ctx);
	if (rc == 0 && version && strcmp(v, "0") != 0 &&
	    !strata__known_version(ctx, v))
		rc = strata__error_set(ctx, STRATA_EINVALID,
		                       "no migration has version %s (use 0, or "
		                       "'none' when a migration has version 0, "
		                       "to declare that nothing is applied)",
		                       v);
	if (rc == 0)
		rc = strata__open_write(ctx);
	if (rc == 0)
		rc = strata__build_view(ctx);
	if (rc == 0)
		rc = force_sql(ctx, &sql, version ? v : NULL, action);
	if (rc == 0)
		rc = exec_in_txn(ctx, &sql);
	strata_buf_release(&sql);
	strata__close_write(ctx);
	return rc;
}

/* The log row of a repair that records v's new name or checksum. */
static int repair_log(strata_ctx *ctx, strata_buf *sql,
                      const strata_migration *v, const char *checksum)
{
	strata_buf detail = STRATA_BUF_INIT;
	int renamed = v->kind != STRATA_KIND_REPEATABLE &&
	              strcmp(v->applied_name, v->name) != 0;
	int rc;

	if (renamed)
		rc = strata__buf_printf(&detail,
		                        "new name recorded (applied as '%s')%s",
		                        v->applied_name,
		                        v->state == STRATA_STATE_MODIFIED ?
		                                " and new checksum" :
		                                "");
	else
		rc = strata__buf_printf(
		        &detail, "new checksum recorded (was %.12s)",
		        v->applied_checksum ? v->applied_checksum : "none");
	if (rc == 0)
		rc = log_view(ctx, sql, "repair", v, checksum, detail.ptr);
	strata_buf_release(&detail);
	return rc == STRATA_ENOMEM ? strata__oom(ctx) : rc;
}

int strata_repair(strata_ctx *ctx, int prune, size_t *n_fixed)
{
	strata_buf sql = STRATA_BUF_INIT;
	size_t i, n = 0;
	int rc;

	*n_fixed = 0;
	strata__error_clear(ctx);
	rc = strata__open_write(ctx);
	if (rc == 0)
		rc = strata__build_view(ctx);
	for (i = 0; rc == 0 && i < ctx->n_view; i++) {
		const strata_migration *v = &ctx->view[i];
		struct migration *m;
		const char *file;

		if (prune && v->state == STRATA_STATE_MISSING) {
			strata__emitf(ctx, STRATA_EVENT_INFO,
			              "forgetting migration %s (%s): its "
			              "file is gone",
			              v->version, v->name);
			rc = log_view(ctx, &sql, "repair", v,
			              v->applied_checksum,
			              "row deleted: its file is gone");
			if (rc == 0)
				rc = strata__history_sql_delete(
				        ctx, &sql, v->version, v->name);
			n++;
			continue;
		}
		if (v->state != STRATA_STATE_MODIFIED &&
		    v->state != STRATA_STATE_RENAMED)
			continue;
		m = strata__view_source(ctx, v);
		file = strrchr(m->up_path, '/') ? strrchr(m->up_path, '/') + 1 :
		                                  m->up_path;
		rc = repair_log(ctx, &sql, v, m->checksum);
		if (rc < 0)
			break;
		if (v->kind != STRATA_KIND_REPEATABLE &&
		    strcmp(v->applied_name, v->name) != 0) {
			rc = strata__history_sql_rename(ctx, &sql, v->version,
			                                m->name, m->checksum,
			                                file);
			if (rc == 0)
				strata__emitf(
				        ctx, STRATA_EVENT_INFO,
				        "recorded the new name of %s "
				        "(applied as '%s')%s",
				        m->up_path, v->applied_name,
				        v->state == STRATA_STATE_MODIFIED ?
				                " and its new checksum" :
				                "");
		} else {
			rc = strata__history_sql_checksum(
			        ctx, &sql, v->version,
			        v->kind == STRATA_KIND_REPEATABLE ? v->name :
			                                            NULL,
			        m->checksum, file);
			if (rc == 0)
				strata__emitf(ctx, STRATA_EVENT_INFO,
				              "recorded the new checksum of %s",
				              m->up_path);
		}
		n++;
	}
	if (rc == 0)
		rc = exec_in_txn(ctx, &sql);
	strata_buf_release(&sql);
	strata__close_write(ctx);
	if (rc == 0)
		*n_fixed = n;
	return rc;
}
