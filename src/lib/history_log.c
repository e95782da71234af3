/*
 * The history log: <table>_log beside the history table, one row per
 * change strata makes to the history (apply, rollback, force, repair,
 * baseline, adopt, fresh). Each row is written by the statements that
 * make the change, in the same transaction where there is one, and
 * strata never updates or deletes a row: the history table says what is
 * applied now, the log who changed it, when and how.
 *
 * Its ids are the largest one plus one, taken inside the INSERT: every
 * writer holds the runner lock (or SQLite's write lock), so no two take
 * the same id, and a dump restores them as they were.
 */
#include <strings.h>

#include "common.h"
#include "ctx.h"
#include "driver.h"
#include "history.h"

static const char *const log_columns[LOG_COLUMNS] = {
	"id",   "logged_at", "action",    "version", "name",
	"kind", "checksum",  "logged_by", "target",  "detail",
};

int strata__log_name(strata_ctx *ctx, strata_buf *out)
{
	const char *table = ctx->log_home ? ctx->log_home : ctx->table;
	strata_buf quoted = STRATA_BUF_INIT;
	size_t n = strlen(table);
	int rc;

	for (;;) {
		strata__buf_clear(out);
		rc = strata__buf_printf(out, "%.*s" LOG_SUFFIX, (int)n, table);
		if (rc == 0)
			rc = strata__conn_quote_ident(ctx, &quoted, out->ptr);
		strata__buf_clear(&quoted);
		if (rc != STRATA_EINVALID || n == 0)
			break;
		/* too long for the database: cut the table's name, at the
		 * start of a character */
		strata__error_clear(ctx);
		do
			n--;
		while (n > 0 && ((unsigned char)table[n] & 0xC0) == 0x80);
	}
	strata_buf_release(&quoted);
	return rc == STRATA_ENOMEM ? strata__oom(ctx) : rc;
}

int strata__log_qualified(strata_ctx *ctx, strata_buf *out)
{
	strata_buf name = STRATA_BUF_INIT;
	char *home = ctx->table;
	int rc = strata__log_name(ctx, &name);

	/* the log's own name, qualified as the history table's is (adopt
	 * fills a scratch table under another name: the log is the one of
	 * the table it becomes, log_home) */
	if (rc == 0) {
		ctx->table = name.ptr;
		rc = strata__history_qualified_as(ctx, out, "");
		ctx->table = home;
	}
	strata_buf_release(&name);
	return rc;
}

int strata__log_sql_create(strata_ctx *ctx, strata_buf *out)
{
	int rc = strata__buf_puts(out, "CREATE TABLE IF NOT EXISTS ");

	if (rc == 0)
		rc = strata__log_qualified(ctx, out);
	if (rc == 0)
		rc = strata__buf_printf(
		        out,
		        " (\n"
		        "    id        BIGINT        NOT NULL,\n"
		        "    logged_at %s NOT NULL,\n"
		        "    action    VARCHAR(16)   NOT NULL,\n"
		        "    version   VARCHAR(64)   NOT NULL,\n"
		        "    name      VARCHAR(255)  NOT NULL,\n"
		        "    kind      VARCHAR(16)   NOT NULL,\n"
		        "    checksum  VARCHAR(128),\n"
		        "    logged_by VARCHAR(255)  NOT NULL,\n"
		        "    target    VARCHAR(64)   NOT NULL,\n"
		        "    detail    VARCHAR(1024) NOT NULL,\n"
		        "    PRIMARY KEY (id)\n"
		        ");\n",
		        strata__driver_text(ctx, STRATA_DRV_TIMESTAMP_TYPE));
	return rc == STRATA_ENOMEM ? strata__oom(ctx) : rc;
}

static int put_lit(strata_ctx *ctx, strata_buf *out, const char *s)
{
	return strata__conn_quote_literal(ctx, out, s ? s : "");
}

/* ", 'a', 'b', ..." for the text columns after logged_at */
static int put_values(strata_ctx *ctx, strata_buf *out,
                      const struct log_event *e)
{
	const char *text[] = { e->action, e->version, e->name,
		               strata_kind_name(e->kind) };
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < ARRAY_SIZE(text); i++) {
		rc = strata__buf_puts(out, ", ");
		if (rc == 0)
			rc = put_lit(ctx, out, text[i]);
	}
	if (rc == 0 && e->checksum && e->checksum[0]) {
		rc = strata__buf_puts(out, ", ");
		if (rc == 0)
			rc = put_lit(ctx, out, e->checksum);
	} else if (rc == 0) {
		rc = strata__buf_puts(out, ", NULL");
	}
	if (rc == 0)
		rc = strata__buf_puts(out, ", ");
	if (rc == 0)
		rc = put_lit(ctx, out, strata__applied_by());
	if (rc == 0)
		rc = strata__buf_puts(out, ", ");
	if (rc == 0)
		rc = put_lit(ctx, out, ctx->target);
	if (rc == 0)
		rc = strata__buf_puts(out, ", ");
	if (rc == 0)
		rc = put_lit(ctx, out, e->detail);
	return rc;
}

int strata__log_sql(strata_ctx *ctx, strata_buf *out, const struct log_event *e)
{
	const char *now = strata__driver_text(ctx, STRATA_DRV_NOW_SQL);
	int rc = strata__buf_puts(out, "INSERT INTO ");

	if (rc == 0)
		rc = strata__log_qualified(ctx, out);
	if (rc == 0)
		rc = strata__buf_printf(out,
		                        " (" LOG_COLUMN_LIST ") SELECT "
		                        "COALESCE(MAX(id), 0) + 1, %s",
		                        now ? now : "CURRENT_TIMESTAMP");
	if (rc == 0)
		rc = put_values(ctx, out, e);
	if (rc == 0)
		rc = strata__buf_puts(out, " FROM ");
	if (rc == 0)
		rc = strata__log_qualified(ctx, out);
	if (rc == 0)
		rc = strata__buf_puts(out, ";\n");
	return rc == STRATA_ENOMEM ? strata__oom(ctx) : rc;
}

/* The INSERT of strata__log_sql with its values as parameters ?1..?9
 * (?9: the time, strata's clock as the history row's on this path), for a
 * driver with exec_params: prepared once per run, not once per
 * migration. */
static int params_sql(strata_ctx *ctx, strata_buf *out)
{
	int rc = strata__buf_puts(out, "INSERT INTO ");

	if (rc == 0)
		rc = strata__log_qualified(ctx, out);
	if (rc == 0)
		rc = strata__buf_puts(out, " (" LOG_COLUMN_LIST
		                           ") SELECT COALESCE(MAX(id), 0) + 1, "
		                           "?9, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8 "
		                           "FROM ");
	if (rc == 0)
		rc = strata__log_qualified(ctx, out);
	return rc == STRATA_ENOMEM ? strata__oom(ctx) : rc;
}

static int exec_params(strata_ctx *ctx, const struct log_event *e)
{
	const char *values[9];
	char now[32];
	int rc;

	if (!ctx->log_insert_sql.len) {
		rc = params_sql(ctx, &ctx->log_insert_sql);
		if (rc < 0) {
			strata__buf_clear(&ctx->log_insert_sql);
			return rc;
		}
	}
	values[0] = e->action;
	values[1] = e->version ? e->version : "";
	values[2] = e->name ? e->name : "";
	values[3] = strata_kind_name(e->kind);
	values[4] = e->checksum && e->checksum[0] ? e->checksum : NULL;
	values[5] = strata__applied_by();
	values[6] = ctx->target;
	values[7] = e->detail ? e->detail : "";
	/* strata's clock, as the history row written beside it */
	strata__now_utc(now);
	values[8] = now;
	return strata__conn_exec_params(ctx, ctx->log_insert_sql.ptr, 9,
	                                values);
}

int strata__log_exec(strata_ctx *ctx, const struct log_event *e)
{
	strata_buf sql = STRATA_BUF_INIT;
	int rc;

	if (strata__driver_has(ctx, STRATA_DRV_EXEC_PARAMS))
		return exec_params(ctx, e);
	rc = strata__log_sql(ctx, &sql, e);

	if (rc == 0)
		rc = strata__conn_exec(ctx, sql.ptr, sql.len);
	strata_buf_release(&sql);
	return rc;
}

struct log_columns {
	int seen[LOG_COLUMNS];
	int n;
};

static int column_cb(void *payload, int ncols, const char *const *values)
{
	struct log_columns *cols = payload;
	size_t i;

	if (ncols < 1 || !values[0])
		return 0;
	cols->n++;
	for (i = 0; i < LOG_COLUMNS; i++)
		if (strcasecmp(values[0], log_columns[i]) == 0)
			cols->seen[i] = 1;
	return 0;
}

/* 1: the log exists with strata's columns; 0: absent; STRATA_ESTATE:
 * a table of that name that strata did not make */
int strata__log_check(strata_ctx *ctx)
{
	struct log_columns cols;
	strata_buf name = STRATA_BUF_INIT;
	size_t i, have = 0;
	int rc;

	memset(&cols, 0, sizeof(cols));
	rc = strata__log_name(ctx, &name);
	if (rc < 0) {
		strata_buf_release(&name);
		return rc;
	}
	rc = strata__conn_table_columns(ctx, strata__schema(ctx), name.ptr,
	                                column_cb, &cols);
	if (rc == STRATA_ENOTFOUND) {
		strata__error_clear(ctx);
		rc = 0;
	} else if (rc == 0) {
		for (i = 0; i < LOG_COLUMNS; i++)
			have += (size_t)cols.seen[i];
		rc = have == LOG_COLUMNS && cols.n == LOG_COLUMNS ? 1 : -1;
	}
	if (rc == -1) {
		rc = strata__error_set(ctx, STRATA_ESTATE,
		                       "table '%s' exists but is not strata's "
		                       "history log: strata will not write "
		                       "into it",
		                       name.ptr);
		strata__error_detail(
		        ctx,
		        "strata keeps the log of history table "
		        "'%s' in '%s': rename that table, or keep "
		        "strata's history in another table with %s",
		        ctx->table, name.ptr,
		        strata__setting(ctx, STRATA_SETTING_TABLE));
	}
	strata_buf_release(&name);
	return rc;
}

int strata__log_ensure(strata_ctx *ctx)
{
	strata_buf sql = STRATA_BUF_INIT;
	int rc;

	if (ctx->log_exists)
		return 0;
	rc = strata__log_sql_create(ctx, &sql);
	if (rc == 0)
		rc = strata__conn_exec(ctx, sql.ptr, sql.len);
	strata_buf_release(&sql);
	if (rc < 0)
		strata__error_prefix(ctx,
		                     "cannot create the history log of '%s'",
		                     ctx->table);
	else
		ctx->log_exists = 1;
	return rc;
}

/* The log's action for ev, and what it adds ("" for nothing). NULL:
 * not logged. A part outside a transaction is logged when it ends, with
 * the history write that cleans or removes its row, so that every
 * database logs a run alike; one that stops partway leaves its dirty
 * row, and the force that clears it is logged. */
static const char *event_action(enum history_event ev, const char **detail)
{
	*detail = "";
	switch (ev) {
	case HISTORY_APPLIED:
	case HISTORY_FINISHED:
		return "apply";
	case HISTORY_REVERTED:
		return "rollback";
	case HISTORY_BASELINE:
		return "baseline";
	case HISTORY_APPLYING:
	case HISTORY_REVERTING:
	case HISTORY_REACHED:
	case HISTORY_NOT_APPLIED:
	case HISTORY_NOT_REVERTED:
		break;
	}
	return NULL;
}

/* The log's row for ev on m; 0 when ev is not logged. */
static int event_of(struct log_event *e, const struct migration *m,
                    enum history_event ev, const char *action,
                    const char *detail)
{
	const char *why;
	const char *what = event_action(ev, &why);

	if (!what)
		return 0;
	memset(e, 0, sizeof(*e));
	e->action = action ? action : what;
	e->version = m->version;
	e->name = m->name;
	e->kind = ev == HISTORY_BASELINE ? STRATA_KIND_BASELINE : m->kind;
	e->checksum = m->checksum;
	e->detail = detail ? detail : why;
	return 1;
}

int strata__log_event_sql(strata_ctx *ctx, strata_buf *out,
                          const struct migration *m, enum history_event ev,
                          const char *action, const char *detail)
{
	struct log_event e;

	return event_of(&e, m, ev, action, detail) ?
	               strata__log_sql(ctx, out, &e) :
	               0;
}

int strata__log_event_exec(strata_ctx *ctx, const struct migration *m,
                           enum history_event ev, const char *action,
                           const char *detail)
{
	struct log_event e;

	return event_of(&e, m, ev, action, detail) ? strata__log_exec(ctx, &e) :
	                                             0;
}

/* ---- reading ---- */

struct log_read {
	strata_ctx *ctx;
	strata_log_entry *v;
	size_t n, alloc;
};

/* The row's text columns copied into one block, pointed to by dst. */
static int copy_texts(strata_log_entry *e, const char *const *v)
{
	const char **dst[] = {
		&e->at,       &e->action, &e->version, &e->name,
		&e->checksum, &e->by,     &e->target,  &e->detail
	};
	const int col[] = { 1, 2, 3, 4, 6, 7, 8, 9 };
	size_t i, total = 0;
	char *block;

	for (i = 0; i < ARRAY_SIZE(col); i++)
		total += (v[col[i]] ? strlen(v[col[i]]) : 0) + 1;
	block = strata__malloc(total);
	if (!block)
		return STRATA_ENOMEM;
	for (i = 0; i < ARRAY_SIZE(col); i++) {
		size_t len = v[col[i]] ? strlen(v[col[i]]) : 0;

		memcpy(block, v[col[i]] ? v[col[i]] : "", len);
		block[len] = '\0';
		*dst[i] = block;
		block += len + 1;
	}
	if (!v[6])
		e->checksum = NULL;
	/* "YYYY-MM-DD HH:MM:SS", as the history's applied_at: drivers
	 * differ in what follows */
	if (strlen(e->at) > 10 && e->at[10] == 'T')
		((char *)e->at)[10] = ' ';
	if (strlen(e->at) > 19)
		((char *)e->at)[19] = '\0';
	return 0;
}

static int log_row_cb(void *payload, int ncols, const char *const *v)
{
	struct log_read *lr = payload;
	strata_log_entry *e;
	char *end = NULL;

	if (ncols < LOG_COLUMNS || !v[0] || !v[5])
		return 0;
	if (lr->n == lr->alloc) {
		size_t want = lr->alloc ? lr->alloc * 2 : 16;
		strata_log_entry *nv =
		        strata__reallocarray(lr->v, want + 1, sizeof(*nv));

		if (!nv)
			return STRATA_ENOMEM;
		lr->v = nv;
		lr->alloc = want;
	}
	e = &lr->v[lr->n];
	memset(e, 0, sizeof(*e));
	e->id = (int64_t)strtoll(v[0], &end, 10);
	if (strata__kind_parse(v[5], &e->kind) < 0)
		e->kind = STRATA_KIND_VERSIONED;
	if (copy_texts(e, v) < 0)
		return STRATA_ENOMEM;
	e->version_text = e->version;
	lr->n++;
	return 0;
}

void strata__log_release(strata_ctx *ctx)
{
	size_t i;

	for (i = 0; i < ctx->n_log; i++)
		strata__free((char *)ctx->log[i].at); /* the row's block */
	strata__free(ctx->log);
	ctx->log = NULL;
	ctx->n_log = 0;
}

/* This target's log rows, oldest first, each to cb. */
static int select_rows(strata_ctx *ctx, strata_row_cb cb, void *payload)
{
	strata_buf sql = STRATA_BUF_INIT;
	int rc = strata__buf_puts(&sql, "SELECT " LOG_COLUMN_LIST " FROM ");

	if (rc == 0)
		rc = strata__log_qualified(ctx, &sql);
	if (rc == 0)
		rc = strata__buf_puts(&sql, " WHERE target = ");
	if (rc == 0)
		rc = strata__conn_quote_literal(ctx, &sql, ctx->target);
	if (rc == 0)
		rc = strata__buf_puts(&sql, " ORDER BY id");
	if (rc == 0)
		rc = strata__conn_query(ctx, sql.ptr, cb, payload);
	strata_buf_release(&sql);
	return rc == STRATA_ENOMEM ? strata__oom(ctx) : rc;
}

static int read_rows(strata_ctx *ctx, struct log_read *lr)
{
	return select_rows(ctx, log_row_cb, lr);
}

int strata__log_read(strata_ctx *ctx)
{
	struct log_read lr;
	int rc;

	strata__log_release(ctx);
	memset(&lr, 0, sizeof(lr));
	lr.ctx = ctx;
	rc = strata__log_check(ctx);
	if (rc > 0)
		rc = read_rows(ctx, &lr);
	if (rc < 0) {
		ctx->log = lr.v;
		ctx->n_log = lr.n;
		strata__log_release(ctx);
		return rc;
	}
	ctx->log = lr.v;
	ctx->n_log = lr.n;
	return 0;
}

/* ---- strata dump --log ---- */

struct dump_rows {
	strata_ctx *ctx;
	strata_buf *out;
};

/* One row as an INSERT that keeps every value: id, time and user too. */
static int dump_row_cb(void *payload, int ncols, const char *const *v)
{
	struct dump_rows *d = payload;
	const char *p;
	int i, rc;

	if (ncols < LOG_COLUMNS || !v[0] || !v[0][0])
		return 0;
	for (p = v[0]; *p; p++)
		if (*p < '0' || *p > '9')
			return 0; /* not strata's id: left out */
	rc = strata__buf_puts(d->out, "INSERT INTO ");
	if (rc == 0)
		rc = strata__log_qualified(d->ctx, d->out);
	if (rc == 0)
		rc = strata__buf_printf(
		        d->out, " (" LOG_COLUMN_LIST ") VALUES (%s", v[0]);
	for (i = 1; rc == 0 && i < LOG_COLUMNS; i++) {
		rc = strata__buf_puts(d->out, ", ");
		if (rc == 0)
			rc = v[i] ? strata__conn_quote_literal(d->ctx, d->out,
			                                       v[i]) :
			            strata__buf_puts(d->out, "NULL");
	}
	if (rc == 0)
		rc = strata__buf_puts(d->out, ");\n");
	return rc < 0 ? STRATA_ENOMEM : 0;
}

int strata__log_sql_dump(strata_ctx *ctx, strata_buf *out)
{
	struct dump_rows d = { ctx, out };
	int rc = strata__log_check(ctx);

	if (rc <= 0)
		return rc;
	rc = strata__buf_puts(out, "\n-- strata history log: every change "
	                           "to the history, oldest first\n");
	if (rc < 0)
		return strata__oom(ctx);
	return select_rows(ctx, dump_row_cb, &d);
}
