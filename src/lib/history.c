/*
 * The history table, one row per applied migration:
 *
 *   version, name, kind, file, checksum, checksum_algorithm, applied_at,
 *   execution_ms, applied_by, target, database_type, dirty, version_sort
 *
 * version is the canonical text ("4", "1.2.3"; "" for a repeatable) and
 * version_sort its sort key, so that ORDER BY version_sort is the files'
 * order (strata sorts the rows itself).
 *
 * All SQL is built as text with the driver's own quoting, so that a dry
 * run and `plan` can print exactly what `up` executes.
 */
#include <limits.h>

#include "common.h"
#include "ctx.h"
#include "driver.h"
#include "history.h"
#include "source.h"

#define CHECKSUM_ALGORITHM "sha256"

int strata__history_sql_create_as(strata_ctx *ctx, strata_buf *out,
                                  const char *suffix)
{
	int rc = 0;

	rc = strata__buf_puts(out, "CREATE TABLE IF NOT EXISTS ");
	if (rc == 0)
		rc = strata__history_qualified_as(ctx, out, suffix);
	/* version: canonical text, at most STRATA_VERSION_MAX characters;
	 * version_sort: its key, at most STRATA_VERSION_KEY_SIZE - 1 (a
	 * row written by hand without it reads as well: strata sorts the
	 * rows itself) */
	if (rc == 0)
		rc = strata__buf_printf(
		        out,
		        " (\n"
		        "    version            VARCHAR(64)  NOT NULL,\n"
		        "    version_sort       VARCHAR(128) NOT NULL DEFAULT '',\n"
		        "    name               VARCHAR(255) NOT NULL,\n"
		        "    kind               VARCHAR(16)  NOT NULL,\n"
		        "    file               VARCHAR(1024) NOT NULL,\n"
		        "    checksum           VARCHAR(128),\n"
		        "    checksum_algorithm VARCHAR(16)  NOT NULL,\n"
		        "    applied_at         %s NOT NULL,\n"
		        "    execution_ms       BIGINT       NOT NULL,\n"
		        "    applied_by         VARCHAR(255) NOT NULL,\n"
		        "    target             VARCHAR(64)  NOT NULL,\n"
		        "    database_type      VARCHAR(32)  NOT NULL,\n"
		        "    dirty              BIGINT       NOT NULL,\n"
		        "    PRIMARY KEY (target, version, name)\n"
		        ");\n",
		        strata__driver_text(ctx, STRATA_DRV_TIMESTAMP_TYPE));
	return rc == STRATA_ENOMEM ? strata__oom(ctx) : rc;
}

/* The history table and its log, made together. */
int strata__history_sql_create(strata_ctx *ctx, strata_buf *out)
{
	int rc = strata__history_sql_create_as(ctx, out, "");

	return rc < 0 ? rc : strata__log_sql_create(ctx, out);
}

void strata__history_release(struct history *h)
{
	size_t i;

	for (i = 0; i < h->n; i++) {
		struct history_row *r = &h->v[i];

		strata__free(r->name); /* and the other strings with it */
	}
	strata__free(h->v);
	strata__free(h->bad);
	memset(h, 0, sizeof(*h));
}

static int put_lit(strata_ctx *ctx, strata_buf *out, const char *s)
{
	return strata__conn_quote_literal(ctx, out, s);
}

/* " WHERE target = '..' AND version = '..' AND name = '..'" */
static int where_key(strata_ctx *ctx, strata_buf *out, const char *version,
                     const char *name)
{
	int rc = strata__buf_puts(out, " WHERE target = ");

	if (rc == 0)
		rc = put_lit(ctx, out, ctx->target);
	if (rc == 0)
		rc = strata__buf_puts(out, " AND version = ");
	if (rc == 0)
		rc = put_lit(ctx, out, version);
	if (rc == 0 && name) {
		rc = strata__buf_puts(out, " AND name = ");
		if (rc == 0)
			rc = put_lit(ctx, out, name);
	}
	return rc;
}

static int finish(strata_ctx *ctx, int rc)
{
	if (rc == STRATA_ENOMEM)
		return strata__oom(ctx);
	return rc;
}

static int sql_insert(strata_ctx *ctx, strata_buf *out,
                      const struct history_row *r)
{
	char key[STRATA_VERSION_KEY_SIZE];
	int rc = strata__buf_puts(out, "INSERT INTO ");

	strata__version_key(key, r->version);
	if (rc == 0)
		rc = strata__history_qualified(ctx, out);
	if (rc == 0)
		rc = strata__buf_puts(out,
		                      " (" HISTORY_COLUMN_LIST ") VALUES (");
	if (rc == 0)
		rc = put_lit(ctx, out, r->version);
	if (rc == 0)
		rc = strata__buf_puts(out, ", ");
	if (rc == 0)
		rc = put_lit(ctx, out, r->name);
	if (rc == 0)
		rc = strata__buf_printf(out, ", '%s', ",
		                        strata_kind_name(r->kind));
	if (rc == 0)
		rc = put_lit(ctx, out, r->file);
	if (rc == 0)
		rc = strata__buf_puts(out, ", ");
	if (rc == 0)
		rc = put_lit(ctx, out, r->checksum);
	/* no applied_at: the database's clock (a script run later) */
	if (rc == 0 && r->applied_at)
		rc = strata__buf_printf(out, ", '%s', '%s', ",
		                        CHECKSUM_ALGORITHM, r->applied_at);
	else if (rc == 0)
		rc = strata__buf_printf(
		        out, ", '%s', %s, ", CHECKSUM_ALGORITHM,
		        strata__driver_text(ctx, STRATA_DRV_NOW_SQL) ?
		                strata__driver_text(ctx, STRATA_DRV_NOW_SQL) :
		                "CURRENT_TIMESTAMP");
	/* a negative time: measured by the database (batched runs) */
	if (rc == 0 && r->execution_ms < 0 &&
	    strata__driver_text(ctx, STRATA_DRV_ELAPSED_MS_SQL))
		rc = strata__buf_printf(
		        out, "%s, ",
		        strata__driver_text(ctx, STRATA_DRV_ELAPSED_MS_SQL));
	else if (rc == 0)
		rc = strata__buf_printf(
		        out, "%lld, ",
		        (long long)(r->execution_ms < 0 ? 0 : r->execution_ms));
	if (rc == 0)
		rc = put_lit(ctx, out, r->applied_by);
	if (rc == 0)
		rc = strata__buf_puts(out, ", ");
	if (rc == 0)
		rc = put_lit(ctx, out, ctx->target);
	if (rc == 0)
		rc = strata__buf_printf(out, ", '%s', %d, ",
		                        ctx->exec ? "exec" :
		                                    strata__driver_name(ctx),
		                        r->dirty);
	if (rc == 0)
		rc = put_lit(ctx, out, key);
	if (rc == 0)
		rc = strata__buf_puts(out, ");\n");
	return finish(ctx, rc);
}

int strata__history_sql_insert(strata_ctx *ctx, strata_buf *out,
                               const struct history_row *r)
{
	return sql_insert(ctx, out, r);
}

static int insert_params_sql(strata_ctx *ctx, strata_buf *out)
{
	int rc = strata__buf_puts(out, "INSERT INTO ");
	int i;

	if (rc == 0)
		rc = strata__history_qualified(ctx, out);
	if (rc == 0)
		rc = strata__buf_puts(out,
		                      " (" HISTORY_COLUMN_LIST ") VALUES (");
	for (i = 1; rc == 0 && i <= HISTORY_COLUMNS; i++)
		rc = strata__buf_printf(out, "?%d%s", i,
		                        i < HISTORY_COLUMNS ? ", " : ")");
	return finish(ctx, rc);
}

/*
 * Record a row stamped with strata's clock (row->applied_at set) now,
 * through the driver's exec_params when it has one (the statement is then
 * prepared once per run), else as literal SQL through exec().
 */
static int insert_now(strata_ctx *ctx, const struct history_row *r)
{
	char key[STRATA_VERSION_KEY_SIZE], ms[24], dirty[12];
	const char *values[HISTORY_COLUMNS];
	strata_buf b = STRATA_BUF_INIT;
	int rc;

	if (!strata__driver_has(ctx, STRATA_DRV_EXEC_PARAMS) ||
	    !r->applied_at) {
		rc = sql_insert(ctx, &b, r);
		if (rc == 0)
			rc = strata__conn_exec(ctx, b.ptr, b.len);
		strata_buf_release(&b);
		return rc;
	}
	if (!ctx->insert_sql.len) {
		rc = insert_params_sql(ctx, &ctx->insert_sql);
		if (rc < 0) {
			strata__buf_clear(&ctx->insert_sql);
			return rc;
		}
	}
	strata__version_key(key, r->version);
	snprintf(ms, sizeof(ms), "%lld",
	         (long long)(r->execution_ms < 0 ? 0 : r->execution_ms));
	snprintf(dirty, sizeof(dirty), "%d", r->dirty);
	values[HCOL_VERSION] = r->version;
	values[HCOL_NAME] = r->name;
	values[HCOL_KIND] = strata_kind_name(r->kind);
	values[HCOL_FILE] = r->file;
	values[HCOL_CHECKSUM] = r->checksum;
	values[HCOL_CHECKSUM_ALGORITHM] = CHECKSUM_ALGORITHM;
	values[HCOL_APPLIED_AT] = r->applied_at;
	values[HCOL_EXECUTION_MS] = ms;
	values[HCOL_APPLIED_BY] = r->applied_by;
	values[HCOL_TARGET] = ctx->target;
	values[HCOL_DATABASE_TYPE] = ctx->exec ? "exec" :
	                                         strata__driver_name(ctx);
	values[HCOL_DIRTY] = dirty;
	values[HCOL_VERSION_SORT] = key;
	return strata__conn_exec_params(ctx, ctx->insert_sql.ptr,
	                                HISTORY_COLUMNS, values);
}

int strata__history_sql_delete(strata_ctx *ctx, strata_buf *out,
                               const char *version, const char *name)
{
	int rc = strata__buf_puts(out, "DELETE FROM ");

	if (rc == 0)
		rc = strata__history_qualified(ctx, out);
	if (rc == 0)
		rc = where_key(ctx, out, version, name);
	if (rc == 0)
		rc = strata__buf_puts(out, ";\n");
	return finish(ctx, rc);
}

static int update(strata_ctx *ctx, strata_buf *out, const char *set,
                  const char *version, const char *name)
{
	int rc = strata__buf_puts(out, "UPDATE ");

	if (rc == 0)
		rc = strata__history_qualified(ctx, out);
	if (rc == 0)
		rc = strata__buf_printf(out, " SET %s", set);
	if (rc == 0)
		rc = where_key(ctx, out, version, name);
	if (rc == 0)
		rc = strata__buf_puts(out, ";\n");
	return finish(ctx, rc);
}

int strata__history_sql_finish(strata_ctx *ctx, strata_buf *out,
                               const char *version, const char *name,
                               int64_t execution_ms)
{
	char set[64];

	snprintf(set, sizeof(set), "dirty = 0, execution_ms = %lld",
	         (long long)execution_ms);
	return update(ctx, out, set, version, name);
}

int strata__history_sql_dirty(strata_ctx *ctx, strata_buf *out,
                              const char *version, const char *name,
                              size_t stmt)
{
	char set[48];

	snprintf(set, sizeof(set), "dirty = %zu", stmt > 0 ? stmt : 1);
	return update(ctx, out, set, version, name);
}

int strata__history_sql_clean(strata_ctx *ctx, strata_buf *out,
                              const char *version, const char *name)
{
	return update(ctx, out, "dirty = 0", version, name);
}

/* Append "checksum = '..', file = '..'" to set. */
static int put_checksum(strata_ctx *ctx, strata_buf *set, const char *checksum,
                        const char *file)
{
	int rc = strata__buf_puts(set, "checksum = ");

	if (rc == 0)
		rc = put_lit(ctx, set, checksum);
	if (rc == 0)
		rc = strata__buf_puts(set, ", file = ");
	if (rc == 0)
		rc = put_lit(ctx, set, file);
	return rc;
}

int strata__history_sql_checksum(strata_ctx *ctx, strata_buf *out,
                                 const char *version, const char *name,
                                 const char *checksum, const char *file)
{
	strata_buf set = STRATA_BUF_INIT;
	int rc = put_checksum(ctx, &set, checksum, file);

	if (rc == 0)
		rc = update(ctx, out, set.ptr, version, name);
	strata_buf_release(&set);
	return finish(ctx, rc);
}

int strata__history_sql_rename(strata_ctx *ctx, strata_buf *out,
                               const char *version, const char *new_name,
                               const char *checksum, const char *file)
{
	strata_buf set = STRATA_BUF_INIT;
	int rc = strata__buf_puts(&set, "name = ");

	if (rc == 0)
		rc = put_lit(ctx, &set, new_name);
	if (rc == 0)
		rc = strata__buf_puts(&set, ", ");
	if (rc == 0)
		rc = put_checksum(ctx, &set, checksum, file);
	if (rc == 0)
		rc = update(ctx, out, set.ptr, version, NULL);
	strata_buf_release(&set);
	return finish(ctx, rc);
}

int strata__history_sql_probe(strata_ctx *ctx, strata_buf *out,
                              const char *version, const char *name)
{
	int rc = strata__buf_puts(out, "SELECT dirty FROM ");

	if (rc == 0)
		rc = strata__history_qualified(ctx, out);
	if (rc == 0)
		rc = where_key(ctx, out, version, name);
	return finish(ctx, rc);
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* path relative to the migrations folder, else its last part */
static const char *folder_name(const strata_ctx *ctx, const char *path)
{
	size_t n = strlen(ctx->dir);

	if (strncmp(path, ctx->dir, n) == 0 && path[n] == '/' && path[n + 1])
		return path + n + 1;
	return base_name(path);
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

/* The row of m; ts receives the time, or with ts NULL the row takes the
 * clock of the database that runs it (a script). */
static void fill_row(strata_ctx *ctx, struct history_row *r,
                     const struct migration *m, strata_kind kind, int dirty,
                     int64_t ms, char *ts)
{
	if (ts)
		strata__now_utc(ts);
	memset(r, 0, sizeof(*r));
	memcpy(r->version, m->version, strlen(m->version) + 1);
	r->name = m->name;
	r->kind = kind;
	/* the name in the folder (a Prisma or Diesel migration's with its
	 * own folder: 20240101000000_init/migration.sql) */
	r->file = (char *)folder_name(ctx, m->up_path);
	r->checksum = (char *)m->checksum;
	r->applied_at = ts;
	r->execution_ms = ms;
	r->applied_by = (char *)strata__applied_by();
	r->dirty = dirty; /* the statement reached: 1 before the first */
}

/* The statements that change the history for ev, appended to out; a
 * script's rows take the database's clock (db_clock). */
static int history_sql(strata_ctx *ctx, strata_buf *out, struct migration *m,
                       enum history_event ev, int64_t n, int db_clock)
{
	struct history_row r;
	char now[32], *ts = db_clock ? NULL : now;
	int rc = 0;

	switch (ev) {
	case HISTORY_REVERTED:
	case HISTORY_NOT_APPLIED:
		return strata__history_sql_delete(ctx, out, m->version,
		                                  row_key_name(m));
	case HISTORY_NOT_REVERTED:
		return strata__history_sql_clean(ctx, out, m->version,
		                                 row_key_name(m));
	case HISTORY_REVERTING:
		return strata__history_sql_dirty(ctx, out, m->version,
		                                 row_key_name(m), 1);
	case HISTORY_REACHED:
		return strata__history_sql_dirty(ctx, out, m->version,
		                                 row_key_name(m), (size_t)n);
	case HISTORY_FINISHED:
		return strata__history_sql_finish(ctx, out, m->version,
		                                  row_key_name(m), n);
	case HISTORY_BASELINE:
		fill_row(ctx, &r, m, STRATA_KIND_BASELINE, 0, n, ts);
		return sql_insert(ctx, out, &r);
	case HISTORY_APPLIED:
	case HISTORY_APPLYING:
		break;
	}
	fill_row(ctx, &r, m, m->kind, ev == HISTORY_APPLYING, n, ts);
	/* one row per repeatable: replace it */
	if (m->kind == STRATA_KIND_REPEATABLE)
		rc = strata__history_sql_delete(ctx, out, "", m->name);
	return rc < 0 ? rc : sql_insert(ctx, out, &r);
}

/* The log row, then the history statements: a check of the rows the
 * last statement changed (strata__history_check_changed) sees the
 * history's. */
static int record_sql(strata_ctx *ctx, strata_buf *out, struct migration *m,
                      enum history_event ev, int64_t n, int db_clock,
                      const char *action, const char *detail)
{
	int rc = strata__log_event_sql(ctx, out, m, ev, action, detail);

	return rc < 0 ? rc : history_sql(ctx, out, m, ev, n, db_clock);
}

int strata__history_record_as(strata_ctx *ctx, strata_buf *out,
                              struct migration *m, enum history_event ev,
                              int64_t n, const char *action, const char *detail)
{
	strata_buf sql = STRATA_BUF_INIT;
	int rc;

	if (out)
		return record_sql(ctx, out, m, ev, n, 0, action, detail);
	if (ev == HISTORY_APPLIED && m->kind != STRATA_KIND_REPEATABLE &&
	    strata__driver_has(ctx, STRATA_DRV_EXEC_PARAMS)) {
		struct history_row r;
		char ts[32];

		rc = strata__log_event_exec(ctx, m, ev, action, detail);
		fill_row(ctx, &r, m, m->kind, 0, n, ts);
		return rc < 0 ? rc : insert_now(ctx, &r);
	}
	rc = record_sql(ctx, &sql, m, ev, n, 0, action, detail);
	if (rc == 0)
		rc = strata__conn_exec(ctx, sql.ptr, sql.len);
	strata_buf_release(&sql);
	return rc;
}

int strata__history_record(strata_ctx *ctx, strata_buf *out,
                           struct migration *m, enum history_event ev,
                           int64_t n)
{
	return strata__history_record_as(ctx, out, m, ev, n, NULL, NULL);
}

int strata__history_script(strata_ctx *ctx, strata_buf *out,
                           struct migration *m, enum history_event ev)
{
	return record_sql(ctx, out, m, ev, 0, 1, NULL, NULL);
}

void strata__history_record_failed(strata_ctx *ctx, const char *path)
{
	strata__error_prefix(ctx, "cannot record %s in '%s'", base_name(path),
	                     ctx->table);
}

static int count_cb(void *payload, int ncols, const char *const *v)
{
	(void)v;
	if (ncols > 0)
		(*(int64_t *)payload)++;
	return 0;
}

int strata__history_check_changed(strata_ctx *ctx, struct migration *m,
                                  int gone, const char *what)
{
	strata_buf sql = STRATA_BUF_INIT;
	int64_t n = strata__conn_changes(ctx);
	int rc = 0;

	if (n < 0) {
		/* not known: count the rows of the version left */
		int64_t left = 0;

		rc = strata__history_sql_probe(ctx, &sql, m->version,
		                               row_key_name(m));
		if (rc == 0)
			rc = strata__conn_query(ctx, sql.ptr, count_cb, &left);
		strata_buf_release(&sql);
		if (rc < 0)
			return rc == STRATA_ENOMEM ? strata__oom(ctx) : rc;
		n = gone ? 1 - left : left;
	}
	if (n == 1)
		return 0;
	return strata__history_changed_error(ctx, m, gone, n, what);
}

int strata__history_changed_error(strata_ctx *ctx, struct migration *m,
                                  int gone, int64_t n, const char *what)
{
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

int strata__history_sql_revert_checked(strata_ctx *ctx, strata_buf *out,
                                       struct migration *m, int *checked)
{
	strata_buf del = STRATA_BUF_INIT;
	size_t n;
	int rc = history_sql(ctx, &del, m, HISTORY_REVERTED, 0, 0);

	*checked = 0;
	/* the log row first: the DELETE is the statement checked */
	if (rc == 0)
		rc = strata__log_event_sql(ctx, out, m, HISTORY_REVERTED, NULL,
		                           NULL);
	n = del.len;
	while (n && (del.ptr[n - 1] == '\n' || del.ptr[n - 1] == ';'))
		n--;
	if (rc == 0) {
		size_t at = out->len;

		rc = strata__conn_one_row_sql(ctx, out, del.ptr, n);
		if (rc == 0)
			*checked = 1;
		else if (rc == STRATA_EINVALID) {
			/* as it is, checked by the caller */
			strata__buf_truncate(out, at);
			rc = strata__buf_put(out, del.ptr, del.len);
		}
	}
	strata_buf_release(&del);
	return rc == STRATA_ENOMEM ? strata__oom(ctx) : rc;
}
