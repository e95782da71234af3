/*
 * A migration's part (its up or its down): where its text is, whether it
 * runs in a transaction, the checks it passes before anything runs, and
 * where in its file an error the database reports lies.
 */
#include "common.h"
#include "ctx.h"
#include "ddllock.h"
#include "driver.h"
#include "engine.h"
#include "history.h"
#include "part.h"
#include "source.h"
#include "../util/dl.h"

struct part *strata__part(struct migration *m, int down)
{
	return down ? &m->down : &m->up;
}

const char *strata__part_text(const struct migration *m, const struct part *p)
{
	if (p == &m->down && !m->single_file)
		return m->down_text;
	return m->text;
}

size_t strata__part_text_len(const struct migration *m, const struct part *p)
{
	if (p == &m->down && !m->single_file)
		return m->down_text_len;
	return m->text_len;
}

const char *strata__part_sql(const struct migration *m, const struct part *p)
{
	return strata__part_text(m, p) + p->off;
}

void strata__error_locate(strata_ctx *ctx, const struct migration *m,
                          const struct part *p, size_t base)
{
	const char *text = strata__part_text(m, p);
	size_t len = strata__part_text_len(m, p);
	int line = 0, col = 0;

	if (ctx->err_offset >= 0)
		strata__offset_to_pos(text, len, base + (size_t)ctx->err_offset,
		                      &line, &col);
	strata__error_at(ctx, p->path, line, col);
}

static int any_ddl(void *payload, size_t off, size_t len, unsigned flags)
{
	(void)off;
	(void)len;
	if (flags & STRATA_STMT_DDL)
		*(int *)payload = 1;
	return 0;
}

int strata__part_transactional(strata_ctx *ctx, struct migration *m, int down)
{
	const struct part *p = strata__part(m, down);
	int ddl = 0;

	if (p->no_transaction || ctx->exec)
		return 0;
	if (strata__driver_can(ctx, STRATA_DRIVER_CAP_TXN_DDL))
		return 1;
	/* DDL commits implicitly here (MySQL): only data-only parts run in
	 * a transaction; the others use the dirty protocol */
	strata__driver_split(ctx, strata__part_sql(m, p), p->len, any_ddl,
	                     &ddl);
	return !ddl;
}

struct check_state {
	strata_ctx *ctx;
	struct migration *m;
	const struct part *p;
	const char *text;
	size_t text_len;
	int txn;
	int report;
	int rc;
	size_t n_stmts;
};

static int check_fail(struct check_state *cs, size_t off, const char *msg,
                      const char *hint)
{
	int line, col;

	strata__offset_to_pos(cs->text, cs->text_len, off, &line, &col);
	if (cs->report) {
		int rc = strata__problem_add(&cs->ctx->source, 2, cs->p->path,
		                             line, "%s%s%s", msg,
		                             hint ? ": " : "",
		                             hint ? hint : "");

		return rc < 0 ? rc : 0;
	}
	strata__error_set(cs->ctx, STRATA_EPARSE, "%s", msg);
	strata__error_at(cs->ctx, cs->p->path, line, col);
	if (hint)
		strata__error_detail(cs->ctx, "hint: %s", hint);
	return STRATA_EPARSE;
}

size_t strata__first_token(const char *t, size_t off, size_t len,
                           unsigned dialect)
{
	size_t i = off, end = off + len;
	int hash = (dialect & STRATA_DIALECT_HASH_COMMENT) != 0;
	int exec = (dialect & STRATA_DIALECT_EXEC_COMMENT) != 0;

	/* skip blanks and comments (--, block comments, and where the
	 * dialect has them # comments; an executable comment is code) */
	while (i < end) {
		if (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' ||
		    t[i] == '\r') {
			i++;
		} else if ((t[i] == '-' && i + 1 < end && t[i + 1] == '-') ||
		           (hash && t[i] == '#')) {
			while (i < end && t[i] != '\n')
				i++;
		} else if (t[i] == '/' && i + 1 < end && t[i + 1] == '*' &&
		           !(exec && i + 2 < end && t[i + 2] == '!')) {
			i += 2;
			while (i + 1 < end && !(t[i] == '*' && t[i + 1] == '/'))
				i++;
			i += 2;
		} else {
			break;
		}
	}
	return i < end ? i : off;
}

static int check_stmt(void *payload, size_t off, size_t len, unsigned flags)
{
	struct check_state *cs = payload;
	size_t at = cs->p->off +
	            strata__first_token(cs->text + cs->p->off, off, len,
	                                strata__driver_dialect(cs->ctx));

	cs->n_stmts++;
	if (flags & STRATA_STMT_INCOMPLETE)
		return check_fail(cs, at,
		                  "unterminated string, quoted name, comment "
		                  "or body: the statement never ends",
		                  NULL);
	if (flags & STRATA_STMT_META)
		return check_fail(cs, at,
		                  "client meta-command: strata sends SQL to "
		                  "the server, not commands of psql, sqlite3 "
		                  "or mysql",
		                  "remove it, or write it as SQL");
	if (cs->txn && (flags & STRATA_STMT_TXN_CONTROL))
		return check_fail(cs, at,
		                  "explicit transaction control: strata runs "
		                  "each migration in its own transaction",
		                  "remove BEGIN/COMMIT, or put '-- "
		                  "strata:no-transaction' on the file's first "
		                  "line");
	if (cs->txn && (flags & STRATA_STMT_NO_TXN))
		return check_fail(cs, at,
		                  "statement cannot run inside a transaction",
		                  "put '-- strata:no-transaction' on the "
		                  "file's first line (statements then run one "
		                  "by one, outside a transaction)");
	return 0;
}

/*
 * A part without a statement would be applied, or rolled back, while
 * changing nothing: refused unless it says -- strata:empty. (A down file
 * left as `strata new` wrote it would forget the migration and keep its
 * tables.)
 */
static int check_empty(struct check_state *cs, int down)
{
	const struct part *p = cs->p;
	char msg[200];
	int line = 0, col = 0;

	if (cs->n_stmts && p->empty_ok)
		return check_fail(cs, p->empty_at,
		                  "'-- strata:empty' in a part with "
		                  "statements",
		                  "remove the directive");
	if (cs->n_stmts || p->empty_ok)
		return 0;
	snprintf(msg, sizeof(msg),
	         "%s has no statement, only comments and blank lines: "
	         "%s would change nothing",
	         p->has_mark ? (down ? "the down section" : "the up section") :
	                       "the file",
	         down ? "rolling back with it" : "applying it");
	if (p->has_mark)
		strata__offset_to_pos(cs->text, cs->text_len, p->mark_at, &line,
		                      &col);
	if (cs->report) {
		int rc = strata__problem_add(&cs->ctx->source, 2, p->path, line,
		                             "%s", msg);

		return rc < 0 ? rc : 0;
	}
	strata__error_set(cs->ctx, STRATA_EPARSE, "%s", msg);
	strata__error_at(cs->ctx, p->path, line, col);
	strata__error_detail(
	        cs->ctx, "hint: %s",
	        down ? "write the statements that undo the up "
	               "migration; if there is nothing to undo, "
	               "say so with a line '-- strata:empty'; "
	               "if it cannot be undone, delete the down "
	               "part (the migration is then irreversible)" :
	               "write the change; if the migration is "
	               "empty on purpose, say so with a line "
	               "'-- strata:empty'");
	return STRATA_EPARSE;
}

int strata__part_check(strata_ctx *ctx, struct migration *m, int down,
                       int report)
{
	struct check_state cs;
	const struct part *p = strata__part(m, down);
	int rc;

	if (!p->present)
		return 0;
	if (ctx->exec) {
		/* a file no command can run is refused before anything runs */
		strata_buf b = STRATA_BUF_INIT;

		rc = strata__exec_describe(ctx, &b, p->path);
		strata_buf_release(&b);
		if (rc < 0 && report) {
			rc = strata__problem_add(&ctx->source, 2, p->path, 0,
			                         "%s", ctx->err.message);
			strata__error_clear(ctx);
		}
		return rc;
	}
	/* a lock timeout where the database has none (SQLite) */
	rc = strata__ddl_lock_check(ctx, p, strata__part_text(m, p),
	                            strata__part_text_len(m, p));
	if (rc < 0 && report) {
		rc = strata__problem_add(&ctx->source, 2, ctx->err.file,
		                         ctx->err.line, "%s", ctx->err.message);
		strata__error_clear(ctx);
	}
	if (rc < 0)
		return rc;
	/* goose's ENVSUB and Flyway's placeholders, before anything reads
	 * the statements */
	if (report && (m->expanded & EXPAND_FAILED))
		return 0; /* reported with the other part of its text */
	rc = strata__migration_expand(ctx, m, down);
	if (rc == STRATA_EPARSE && report) {
		if (m->single_file)
			m->expanded |= EXPAND_FAILED;
		rc = strata__problem_add(&ctx->source, 2, ctx->err.file,
		                         ctx->err.line, "%s", ctx->err.message);
		strata__error_clear(ctx);
		return rc < 0 ? rc : 0;
	}
	if (rc < 0)
		return rc;
	memset(&cs, 0, sizeof(cs));
	cs.ctx = ctx;
	cs.m = m;
	cs.p = p;
	cs.text = strata__part_text(m, p);
	cs.text_len = strata__part_text_len(m, p);
	cs.txn = strata__part_transactional(ctx, m, down);
	cs.report = report;
	rc = strata__driver_split(ctx, cs.text + p->off, p->len, check_stmt,
	                          &cs);
	if (rc == 0)
		rc = check_empty(&cs, down);
	if (rc == STRATA_ENOMEM)
		return strata__oom(ctx);
	if (rc == STRATA_ENOTSUPP && strata__dl_failure())
		/* a library the splitter needs */
		return strata__error_set(ctx, rc, "%s", strata__dl_failure());
	return rc;
}

/*
 * A batch failed: the driver's error offset is in the batch's text, where
 * p's text starts at body, followed by "\n;\n" and the statements that
 * record it. Put the error at its place in p's file, or say that
 * recording failed.
 */
void strata__locate_batch_error(strata_ctx *ctx, const struct migration *m,
                                const struct part *p, size_t body)
{
	long off = ctx->err_offset;

	/* an error just past the part (an unclosed parenthesis) is the
	 * part's: only the history statements are not */
	if (off >= (long)body && off < (long)(body + p->len + 3)) {
		ctx->err_offset = off - (long)body;
		if (ctx->err_offset > (long)p->len)
			ctx->err_offset = (long)p->len;
		strata__error_locate(ctx, m, p, p->off);
	} else if (off >= (long)(body + p->len)) {
		strata__history_record_failed(ctx, p->path);
	} else {
		strata__error_at(ctx, p->path, 0, 0);
	}
}
