/*
 * Scripts: the SQL of an up or down run, written for the database's own
 * client (psql, sqlite3, mysql) by `strata plan` and printed by a dry
 * run. A script does what the run does, in the same order: the schema
 * set-up, the history table, then each part with its history statements,
 * and, for a part that runs outside a transaction, its row written dirty
 * first and moved on before each statement, so that a script stopped
 * partway leaves the same dirty row a failed run would.
 */
#include "common.h"
#include "ctx.h"
#include "ddllock.h"
#include "driver.h"
#include "engine.h"
#include "history.h"
#include "script.h"
#include "source.h"
#include "../util/dl.h"

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* Where the client's delimiter changes in a part's text (MySQL). */
struct delim_change {
	size_t off;
	const char *delim;
	size_t n;
};

struct walk {
	strata_ctx *ctx;
	struct migration *m;
	int mark;        /* write the statement reached before each one */
	strata_buf *out; /* the script */
	const char *sql; /* the part's text, ending in a newline */
	size_t len;
	size_t copied;   /* sql[0, copied) is in out */
	size_t n_stmts;  /* statements seen */
	size_t last_end; /* where the last one's span ends */
	struct delim_change *changes;
	size_t n_changes, n_alloc, next_change;
	const char *delim; /* the client's delimiter at this point */
	size_t delim_n;
};

static int note_delimiter(void *payload, size_t off, const char *delim,
                          size_t n)
{
	struct walk *w = payload;

	if (w->n_changes == w->n_alloc) {
		size_t k = w->n_alloc ? w->n_alloc * 2 : 4;
		struct delim_change *v =
		        strata__reallocarray(w->changes, k, sizeof(*v));

		if (!v)
			return STRATA_ENOMEM;
		w->changes = v;
		w->n_alloc = k;
	}
	w->changes[w->n_changes].off = off;
	w->changes[w->n_changes].delim = delim;
	w->changes[w->n_changes++].n = n;
	return 0;
}

/* The delimiter in effect at offset off (offsets only grow). */
static void delimiter_at(struct walk *w, size_t off)
{
	while (w->next_change < w->n_changes &&
	       w->changes[w->next_change].off <= off) {
		w->delim = w->changes[w->next_change].delim;
		w->delim_n = w->changes[w->next_change++].n;
	}
}

static int is_semicolon(const struct walk *w)
{
	return w->delim_n == 1 && w->delim[0] == ';';
}

static int newline(strata_buf *out)
{
	if (out->len && out->ptr[out->len - 1] != '\n')
		return strata__buf_putc(out, '\n');
	return 0;
}

/* Copy the part's text up to off into the script. */
static int copy_to(struct walk *w, size_t off)
{
	int rc = strata__buf_put(w->out, w->sql + w->copied, off - w->copied);

	w->copied = off;
	return rc;
}

/*
 * Before statement n_stmts + 1 (1-based) of a part run outside a
 * transaction: the row records the statement reached, as run.c does,
 * ended with the client's current delimiter.
 */
static int mark_statement(struct walk *w, size_t off)
{
	strata_buf upd = STRATA_BUF_INIT;
	int rc = copy_to(w, off);

	if (rc == 0)
		rc = newline(w->out);
	if (rc == 0)
		rc = strata__history_sql_dirty(w->ctx, &upd, w->m->version,
		                               w->m->name, w->n_stmts + 1);
	/* the statement ends in ";\n" */
	if (rc == 0 && !is_semicolon(w)) {
		strata__buf_truncate(&upd, upd.len - 2);
		rc = strata__buf_put(&upd, w->delim, w->delim_n);
		if (rc == 0)
			rc = strata__buf_putc(&upd, '\n');
	}
	if (rc == 0)
		rc = strata__buf_put(w->out, upd.ptr, upd.len);
	strata_buf_release(&upd);
	return rc;
}

static int on_statement(void *payload, size_t off, size_t len, unsigned flags)
{
	struct walk *w = payload;
	int rc = 0;

	(void)flags;
	delimiter_at(w, off);
	if (w->mark && w->n_stmts > 0)
		rc = mark_statement(w, off);
	w->n_stmts++;
	w->last_end = off + len;
	return rc;
}

/*
 * Write the part's text (the copy in w->sql), with the statement marks
 * when w->mark is set, so that the client is left ready for the next
 * statement: the last statement terminated even when its file has no
 * final ';' (or ends in a comment), and the delimiter ';' again.
 */
static int write_text(struct walk *w)
{
	const char *reset =
	        strata__driver_text(w->ctx, STRATA_DRV_DELIMITER_RESET);
	int rc = 0;

	if (strata__driver_has(w->ctx, STRATA_DRV_DELIMITERS) && reset)
		rc = strata__driver_delimiters(w->ctx, w->sql, w->len,
		                               note_delimiter, w);
	if (rc == 0)
		rc = strata__driver_split(w->ctx, w->sql, w->len, on_statement,
		                          w);
	if (rc == STRATA_ENOTSUPP && strata__dl_failure())
		/* a library the splitter needs */
		return strata__error_set(w->ctx, rc, "%s",
		                         strata__dl_failure());
	if (rc == 0)
		rc = copy_to(w, w->len);
	delimiter_at(w, w->len);
	/* the text ends in a newline: a span that reaches it is a last
	 * statement without its terminator */
	if (rc == 0 && w->n_stmts && w->last_end >= w->len) {
		rc = strata__buf_put(w->out, w->delim, w->delim_n);
		if (rc == 0)
			rc = strata__buf_putc(w->out, '\n');
	}
	if (rc == 0 && !is_semicolon(w))
		rc = strata__buf_puts(w->out, reset);
	return rc == STRATA_ENOMEM ? strata__oom(w->ctx) : rc;
}

/* The part's text, or for an exec target what would run it. */
static int write_part(strata_ctx *ctx, strata_buf *out, struct migration *m,
                      int down, int mark)
{
	struct part *p = strata__part(m, down);
	const char *text = strata__part_sql(m, p);
	strata_buf copy = STRATA_BUF_INIT;
	struct walk w;
	int rc;

	if (ctx->exec) {
		rc = strata__buf_puts(out, "-- run: ");
		if (rc == 0)
			rc = strata__exec_describe(ctx, out, p->path);
		if (rc == 0)
			rc = strata__buf_putc(out, '\n');
		return rc;
	}
	rc = strata__buf_put(&copy, text, p->len);
	if (rc == 0 && p->len && text[p->len - 1] != '\n')
		rc = strata__buf_putc(&copy, '\n');
	if (rc < 0) {
		strata_buf_release(&copy);
		return strata__oom(ctx);
	}
	memset(&w, 0, sizeof(w));
	w.ctx = ctx;
	w.m = m;
	w.mark = mark;
	w.out = out;
	w.sql = copy.ptr;
	w.len = copy.len;
	w.delim = ";";
	w.delim_n = 1;
	rc = write_text(&w);
	strata__free(w.changes);
	strata_buf_release(&copy);
	return rc;
}

int strata__script_part(strata_ctx *ctx, const strata_migration *v,
                        struct migration *m, int down)
{
	struct part *p = strata__part(m, down);
	int txn = strata__part_transactional(ctx, m, down);
	strata_buf out = STRATA_BUF_INIT, q1 = STRATA_BUF_INIT,
	           q2 = STRATA_BUF_INIT;
	int rc;

	/* quoted: a newline in a name would end the comment */
	rc = strata__buf_printf(&out, "-- %s %s (%s)%s\n",
	                        down ? "roll back" : "apply",
	                        strata__quoted(&q1, base_name(p->path)),
	                        strata__quoted(&q2, v->name),
	                        txn ? "" :
	                              ", outside a transaction: its history "
	                              "row is dirty until the last statement "
	                              "has run");
	strata_buf_release(&q1);
	strata_buf_release(&q2);
	if (rc == 0 && txn) {
		rc = strata__buf_puts(&out, "BEGIN;\n");
		if (rc == 0)
			rc = strata__ddl_lock_script(ctx, &out, p, 1, 0);
		if (rc == 0)
			rc = write_part(ctx, &out, m, down, 0);
		if (rc == 0)
			rc = strata__history_script(ctx, &out, m,
			                            down ? HISTORY_REVERTED :
			                                   HISTORY_APPLIED);
		if (rc == 0)
			rc = strata__buf_puts(&out, "COMMIT;\n");
	} else if (rc == 0) {
		/* as run.c's run_notxn: dirty first, clean (or gone) after */
		rc = down ? strata__history_sql_dirty(ctx, &out, m->version,
		                                      m->name, 1) :
		            strata__history_script(ctx, &out, m,
		                                   HISTORY_APPLYING);
		if (rc == 0)
			rc = strata__ddl_lock_script(ctx, &out, p, 0, 0);
		if (rc == 0)
			rc = write_part(ctx, &out, m, down, 1);
		if (rc == 0)
			rc = strata__ddl_lock_script(ctx, &out, p, 0, 1);
		if (rc == 0)
			rc = strata__log_event_sql(ctx, &out, m,
			                           down ? HISTORY_REVERTED :
			                                  HISTORY_FINISHED,
			                           NULL, NULL);
		if (rc == 0)
			rc = down ? strata__history_sql_delete(
			                    ctx, &out, m->version, m->name) :
			            strata__history_sql_finish(
			                    ctx, &out, m->version, m->name, 0);
	}
	if (rc == 0)
		strata__emit(ctx, STRATA_EVENT_SQL, v, out.ptr, 0);
	strata_buf_release(&out);
	return rc == STRATA_ENOMEM ? strata__oom(ctx) : rc;
}

/* What connecting for writing does first: the schema, the history. */
static int prologue(strata_ctx *ctx, int down)
{
	strata_buf sql = STRATA_BUF_INIT;
	const char *schema = ctx->schema;
	int rc = 0;

	/* a driver without schemas refused --schema before this */
	if (schema && schema[0]) {
		if (!strata__driver_has(ctx, STRATA_DRV_SCHEMA_SQL))
			return strata__error_set(
			        ctx, STRATA_ENOTSUPP,
			        "the %s driver cannot write "
			        "%s into a script",
			        strata__driver_name(ctx),
			        strata__setting(ctx, STRATA_SETTING_SCHEMA));
		rc = strata__conn_schema_sql(ctx, schema, &sql);
		if (rc == STRATA_EINVALID)
			rc = strata__error_set(
			        ctx, rc,
			        "%s name '%s' is too long "
			        "or invalid for %s",
			        strata__setting(ctx, STRATA_SETTING_SCHEMA),
			        schema, strata__driver_name(ctx));
	}
	if (rc == 0 && !down && !ctx->history.exists)
		rc = strata__history_sql_create(ctx, &sql);
	/* a history from before the log: the log is made beside it */
	else if (rc == 0 && ctx->conn) {
		rc = strata__log_check(ctx);
		if (rc == 0)
			rc = strata__log_sql_create(ctx, &sql);
		rc = rc > 0 ? 0 : rc;
	}
	/* a table of the format before versions were text: as a run would
	 * upgrade it first */
	if (rc == 0 && ctx->history.exists)
		rc = strata__history_sql_upgrade(ctx, &sql);
	if (rc == 0 && sql.len)
		strata__emit(ctx, STRATA_EVENT_SQL, NULL, sql.ptr, 0);
	strata_buf_release(&sql);
	return rc == STRATA_ENOMEM ? strata__oom(ctx) : rc;
}

int strata__script_write(strata_ctx *ctx, const size_t *sel, size_t n, int down,
                         size_t *n_done)
{
	size_t i;
	int rc;

	if (n == 0)
		return 0;
	rc = prologue(ctx, down);
	for (i = 0; rc == 0 && i < n; i++) {
		const strata_migration *v = &ctx->view[sel[i]];

		rc = strata__script_part(ctx, v, strata__view_source(ctx, v),
		                         down);
		if (rc == 0 && n_done)
			(*n_done)++;
	}
	return rc;
}
