/*
 * strata_lint: which migrations (pending, all, or named files), their up
 * parts split into statements by the dialect's splitter, each statement's
 * ignore markers and rules, the run's new tables carried from one
 * migration to the next, and what is handed out.
 */
#include <limits.h>
#include <stdlib.h>

#include "common.h"
#include "ctx.h"
#include "driver.h"
#include "engine.h"
#include "lint.h"
#include "part.h"
#include "source.h"
#include "../drivers/split.h"
#include "../util/dl.h"

struct split_state {
	struct lint_run *r;
	const char *text; /* the file's text */
	size_t len, base; /* its length, where the split text starts */
	unsigned flags;   /* STRATA_DIALECT_* for comments */
};

/*
 * The first words of the statements a rule can fire on, or NULL for any
 * statement. validate runs the error-level rules only: a statement that
 * none of them can fire on is not read (no parse of its own).
 */
static const char *rule_words(int rule)
{
	switch (rule) {
	case LINT_REQUIRE_CONCURRENT_INDEX_CREATION:
		return " CREATE ";
	case LINT_REQUIRE_CONCURRENT_INDEX_DELETION:
	case LINT_BAN_DROP_TABLE:
	case LINT_BAN_DROP_DATABASE:
		return " DROP ";
	case LINT_BAN_TRUNCATE:
		return " TRUNCATE ";
	case LINT_COPY_FROM_STDIN:
		return " COPY ";
	case LINT_CLIENT_COMMAND:
		return " SOURCE ";
	case LINT_RENAMING_TABLE:
		return " ALTER RENAME ";
	case LINT_BAN_CHAR_FIELD:
	case LINT_PREFER_BIGINT_OVER_INT:
	case LINT_PREFER_TIMESTAMPTZ:
	case LINT_PREFER_TEXT_FIELD:
		return " CREATE ALTER ";
	case LINT_REQUIRE_LOCK_TIMEOUT:
	case LINT_SQLITE_TABLE_REBUILD:
		return NULL;
	default:
		return " ALTER ";
	}
}

/*
 * May a rule fire on a statement starting with the word w[0, n)? Only
 * the statements that change a schema, set a lock timeout or are client
 * commands are read: data (INSERT, UPDATE, a seed file's megabytes) is
 * not parsed. In an errors-only run (validate), only the statements an
 * error-level rule can fire on, and those that create and rename tables
 * when such a rule is about existing tables.
 */
static int worth_reading(const struct lint_run *r, const char *w, size_t n)
{
	static const char schema_words[] =
	        " ALTER CREATE DROP TRUNCATE COPY SET RESET RENAME SOURCE ";
	char word[24];
	size_t i;
	int rule, track = 0;

	if (n == 0 || n + 3 > sizeof(word))
		return 0;
	word[0] = ' ';
	for (i = 0; i < n; i++)
		word[i + 1] =
		        (char)(w[i] >= 'a' && w[i] <= 'z' ? w[i] - 32 : w[i]);
	word[n + 1] = ' ';
	word[n + 2] = '\0';
	if (!strstr(schema_words, word))
		return 0;
	if (!r->errors_only)
		return 1;
	for (rule = 0; rule < LINT_N_RULES; rule++) {
		const char *ws = rule_words(rule);

		if (strata__lint_level(r, rule) < 2 ||
		    !((unsigned)strata__lint_rule_dialects(rule) & r->dialect))
			continue;
		if (!ws || strstr(ws, word))
			return 1;
		track |= strata__lint_rule_kind(rule) == LINT_OLD_TABLE;
	}
	return track && strstr(" CREATE ALTER RENAME ", word);
}

static int on_stmt(void *payload, size_t off, size_t len, unsigned flags)
{
	struct split_state *s = payload;
	struct lint_run *r = s->r;
	struct lint_stmt st;
	size_t a = s->base + off, first, end = a + len;
	int line, col, rc;

	first = strata__first_token(s->text, a, len, s->flags);
	while (end > first &&
	       (s->text[end - 1] == ' ' || s->text[end - 1] == '\t' ||
	        s->text[end - 1] == '\n' || s->text[end - 1] == '\r'))
		end--;
	st.sql = s->text + first;
	st.len = end - first;
	if (!(flags & (STRATA_STMT_META | STRATA_STMT_INCOMPLETE))) {
		size_t w = 0;

		while (w < st.len && ((st.sql[w] >= 'a' && st.sql[w] <= 'z') ||
		                      (st.sql[w] >= 'A' && st.sql[w] <= 'Z')))
			w++;
		if (!worth_reading(r, st.sql, w))
			return 0;
	}
	st.flags = flags;
	strata__offset_to_pos(s->text, s->len, first, &st.line, &st.column);
	strata__offset_to_pos(s->text, s->len, end > first ? end - 1 : first,
	                      &line, &col);
	st.end_line = line;
	r->st = &st;
	rc = strata__lint_ignores(r, s->text, s->len, a, first);
	if (rc < 0)
		goto done;
	if (flags & STRATA_STMT_INCOMPLETE) {
		if (first < end &&
		    !(s->text[first] == '-' || s->text[first] == '/' ||
		      s->text[first] == '#'))
			rc = strata__lint_input(
			        r, 0, 0,
			        "the statement does not end: an "
			        "unclosed quote or comment");
	} else if (flags & STRATA_STMT_META) {
		rc = strata__lint_report(
		        r, LINT_CLIENT_COMMAND, NULL,
		        "'%.*s' is a command of the database's "
		        "client, not SQL the server runs",
		        (int)(st.len > 40 ? 40 : st.len), st.sql);
	} else if (r->dialect == LINT_PG) {
		rc = strata__lint_pg(r);
	} else {
		rc = strata__lint_kw(r);
	}
done:
	r->st = NULL;
	return rc;
}

static int split_dialect(unsigned dialect, const char *sql, size_t len,
                         strata_stmt_cb cb, void *payload)
{
	if (dialect == LINT_PG)
		return strata__split_postgres(sql, len, cb, payload);
	if (dialect == LINT_MY)
		return strata__split_mysql(sql, len, cb, payload);
	return strata__split_sqlite(sql, len, cb, payload);
}

/* Lint text[off, off + n) of the file path. */
static int lint_text(struct lint_run *r, const char *path, const char *text,
                     size_t len, size_t off, size_t n)
{
	struct split_state s = { r, text, len, off, 0 };
	int rc;

	if (r->dialect == LINT_MY)
		s.flags = STRATA_DIALECT_HASH_COMMENT |
		          STRATA_DIALECT_EXEC_COMMENT;
	r->path = path;
	r->part_first = r->n;
	r->lock_reported = 0;
	rc = split_dialect(r->dialect, text + off, n, on_stmt, &s);
	if (rc == STRATA_ENOTSUPP && r->ctx->err.code == 0) {
		const char *why = strata__dl_failure();

		return strata__error_set(r->ctx, STRATA_ENOTSUPP,
		                         "lint cannot split PostgreSQL "
		                         "statements: %s",
		                         why ? why : "no libpg_query");
	}
	return rc;
}

/* A load error of the context, as input lint cannot read. */
static int load_problem(struct lint_run *r, const char *path)
{
	struct lint_stmt st = { "", 0, 0, 0, 0, 0 };
	int rc;

	if (r->ctx->err.code == STRATA_ENOMEM)
		return STRATA_ENOMEM;
	r->st = &st;
	r->path = r->ctx->err.file && r->ctx->err.file[0] ? r->ctx->err.file :
	                                                    path;
	rc = strata__lint_input(r, r->ctx->err.line, r->ctx->err.column, "%s",
	                        r->ctx->err.message);
	r->st = NULL;
	strata__error_clear(r->ctx);
	return rc;
}

static int lint_migration(struct lint_run *r, struct migration *m)
{
	struct part *p;

	if (strata__migration_load(r->ctx, m) < 0 ||
	    strata__migration_expand(r->ctx, m, 0) < 0)
		return load_problem(r, m->up_path);
	p = strata__part(m, 0);
	if (!p->present)
		return 0;
	r->lock_timeout = p->lock.timeout_ms > 0 ||
	                  r->ctx->ddl_lock.timeout_ms > 0;
	return lint_text(r, p->path ? p->path : m->up_path,
	                 strata__part_text(m, p), strata__part_text_len(m, p),
	                 p->off, p->len);
}

/* A named file: the folder's migration when it is one, else its whole
 * text. */
static int lint_file(struct lint_run *r, const char *path)
{
	strata_ctx *ctx = r->ctx;
	char *want = realpath(path, NULL), *have;
	size_t i;
	FILE *f;
	strata_buf b = STRATA_BUF_INIT;
	char chunk[8192];
	size_t got;
	int rc;

	if (!want)
		return strata__error_set(ctx, STRATA_EIO,
		                         "cannot read '%s': no such file",
		                         path);
	for (i = 0; ctx->source_loaded && i < ctx->source.n; i++) {
		int same;

		have = realpath(ctx->source.v[i].up_path, NULL);
		same = have && strcmp(have, want) == 0;
		free(have);
		if (same) {
			free(want);
			return lint_migration(r, &ctx->source.v[i]);
		}
	}
	free(want);
	f = fopen(path, "rb");
	if (!f)
		return strata__error_set(ctx, STRATA_EIO, "cannot read '%s'",
		                         path);
	rc = 0;
	while (rc == 0 && (got = fread(chunk, 1, sizeof(chunk), f)) > 0)
		rc = strata__buf_put(&b, chunk, got);
	if (rc == 0 && ferror(f))
		rc = strata__error_set(ctx, STRATA_EIO, "cannot read '%s'",
		                       path);
	fclose(f);
	r->lock_timeout = ctx->ddl_lock.timeout_ms > 0;
	if (rc == 0)
		rc = lint_text(r, path, b.ptr, b.len, 0, b.len);
	strata_buf_release(&b);
	return rc;
}

static int pending(const strata_migration *v)
{
	return v->state == STRATA_STATE_PENDING ||
	       v->state == STRATA_STATE_OUT_OF_ORDER ||
	       (v->kind == STRATA_KIND_REPEATABLE &&
	        v->state == STRATA_STATE_MODIFIED);
}

/* Connect and read the history, unless offline: 1 when the view says
 * what is pending, 0 for the folder alone. */
static int look(strata_ctx *ctx, int offline)
{
	int rc;

	if (offline)
		return 0;
	rc = strata__open_look(ctx);
	if (rc == STRATA_ECONNECT) {
		strata__emitf(ctx, STRATA_EVENT_WARNING,
		              "database not reachable (%s): linting every "
		              "migration of the folder, each table not created "
		              "there taken as existing",
		              ctx->err.message);
		strata__error_clear(ctx);
		return 0;
	}
	if (rc < 0)
		return rc;
	rc = strata__build_view(ctx);
	return rc < 0 ? rc : 1;
}

static int lint_selection(struct lint_run *r, const strata_lint_options *o,
                          int have_view)
{
	strata_ctx *ctx = r->ctx;
	size_t i;
	int rc = 0;

	if (o->n_files) {
		for (i = 0; rc >= 0 && i < o->n_files; i++)
			rc = lint_file(r, o->files[i]);
		return rc;
	}
	if (!have_view || o->all) {
		for (i = 0; rc >= 0 && i < ctx->source.n; i++)
			rc = lint_migration(r, &ctx->source.v[i]);
		return rc;
	}
	for (i = 0; rc >= 0 && i < ctx->n_view; i++) {
		struct migration *m;

		if (!pending(&ctx->view[i]))
			continue;
		m = strata__view_source(ctx, &ctx->view[i]);
		if (m)
			rc = lint_migration(r, m);
	}
	return rc;
}

static int pick_dialect(strata_ctx *ctx, const char *name, unsigned *out)
{
	if (!name) {
		int rc = strata__driver_resolve(ctx);

		if (rc < 0)
			return rc;
		name = strata__driver_name(ctx);
	}
	if (strcmp(name, "postgres") == 0 || strcmp(name, "postgresql") == 0)
		*out = LINT_PG;
	else if (strcmp(name, "mysql") == 0 || strcmp(name, "mariadb") == 0)
		*out = LINT_MY;
	else if (strcmp(name, "sqlite") == 0)
		*out = LINT_SL;
	else
		return strata__error_set(
		        ctx, STRATA_EINVALID,
		        "lint knows the SQL of postgres, mysql "
		        "and sqlite, not '%s': name one with "
		        "--dialect",
		        name);
	return 0;
}

static void run_release(struct lint_run *r)
{
	strata__lint_names_release(&r->new_tables);
	strata__lint_names_release(&r->old_dropped);
}

/* Hand r's findings out through ctx (levels 0: dropped). */
static int hand_out(strata_ctx *ctx, struct lint_run *r)
{
	size_t i, k = 0;

	strata__lint_release(ctx);
	ctx->lint_items = r->v;
	ctx->n_lint_items = r->n;
	r->v = NULL;
	r->n = r->alloc = 0;
	ctx->lint_findings = strata__calloc(ctx->n_lint_items + 1,
	                                    sizeof(*ctx->lint_findings));
	if (!ctx->lint_findings)
		return STRATA_ENOMEM;
	for (i = 0; i < ctx->n_lint_items; i++) {
		const struct lint_item *it = &ctx->lint_items[i];
		strata_lint_finding *f = &ctx->lint_findings[k];

		if (it->level == 0)
			continue;
		f->rule = strata__lint_rule_name(it->rule);
		f->level = it->level;
		f->file = it->file;
		f->line = it->line;
		f->column = it->column;
		f->end_line = it->end_line;
		f->message = it->message;
		f->statement = it->statement;
		f->table = it->table;
		f->rows = it->rows;
		f->suppressed = it->suppressed;
		k++;
	}
	ctx->n_lint_findings = k;
	return 0;
}

int strata__lint_run(strata_ctx *ctx, const strata_lint_options *o,
                     int have_view, int rows)
{
	struct lint_run r;
	int rc;

	memset(&r, 0, sizeof(r));
	r.ctx = ctx;
	r.errors_only = o->errors_only;
	r.levels = ctx->lint_levels;
	rc = pick_dialect(ctx, o->dialect, &r.dialect);
	if (rc == 0)
		rc = lint_selection(&r, o, have_view);
	if (rc == 0 && rows)
		strata__lint_rows(&r);
	if (rc == 0)
		rc = hand_out(ctx, &r);
	if (rc == STRATA_ENOMEM)
		rc = strata__oom(ctx);
	if (rc == 0 && r.n_input)
		rc = strata__error_set(ctx, STRATA_EPARSE,
		                       "lint could not read %d statement%s or "
		                       "marker%s",
		                       r.n_input, r.n_input == 1 ? "" : "s",
		                       r.n_input == 1 ? "" : "s");
	while (r.n) {
		struct lint_item *it = &r.v[--r.n];

		strata__free(it->file);
		strata__free(it->message);
		strata__free(it->statement);
		strata__free(it->table);
	}
	strata__free(r.v);
	run_release(&r);
	return rc;
}

int strata_lint(const strata_lint_finding **out, size_t *n, strata_ctx *ctx,
                const strata_lint_options *opts)
{
	strata_lint_options none;
	int rc, have_view = 0, connected = 0;

	*out = NULL;
	*n = 0;
	if (!opts) {
		memset(&none, 0, sizeof(none));
		opts = &none;
	}
	strata__error_clear(ctx);
	if (ctx->exec)
		return strata__error_set(ctx, STRATA_ENOTSUPP,
		                         "lint reads SQL: this target's "
		                         "migrations are programs");
	if (!ctx->source_loaded) {
		rc = strata__source_load(ctx, &ctx->source, ctx->dir);
		if (rc < 0 && !opts->n_files)
			return rc;
		strata__error_clear(ctx);
		ctx->source_loaded = rc >= 0;
	}
	if (!opts->n_files && !opts->all) {
		have_view = look(ctx, opts->offline);
		if (have_view < 0)
			return have_view;
		connected = have_view;
	} else if (!opts->offline) {
		/* for the row counts only: no history needed */
		connected = strata__driver_resolve(ctx) == 0 &&
		            strata__connect(ctx, 0) == 0;
		strata__error_clear(ctx);
	}
	rc = strata__lint_run(ctx, opts, have_view, connected);
	if (rc == STRATA_ENOMEM)
		return rc;
	*out = ctx->lint_findings;
	*n = ctx->n_lint_findings;
	return rc;
}
