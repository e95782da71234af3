/*
 * Sections and directives inside migration files. A native file, each
 * file of an up/down pair, and a Prisma or Diesel migration's file, is one
 * part; a dbmate single file (-- migrate:up / -- migrate:down), a goose
 * one (-- +goose Up / -- +goose Down) or an sql-migrate one (-- +migrate
 * Up / -- +migrate Down) holds both. A line that looks like a marker of a
 * format strata reads must be one exactly (markers.c), in a file of that
 * format: a typo, or a marker where it is not read, is an error at its
 * line, so that no down part ever runs as part of an up. Directives in
 * leading comments: -- strata:no-transaction, -- strata:empty and
 * -- strata:lock-timeout DURATION [retries=N] (and lint's
 * -- strata:lint-ignore, before any statement), and the
 * other tools' equivalents (-- +goose NO TRANSACTION, -- migrate:up
 * transaction:false, -- +migrate Up notransaction, sqlx's
 * -- no-transaction as a file's start).
 */
#include <ctype.h>
#include <stdarg.h>
#include <strings.h>

#include "common.h"
#include "ctx.h"
#include "markers.h"
#include "source.h"

static int has_prefix_ci(const char *s, size_t n, const char *p)
{
	size_t k = strlen(p);

	return n >= k && strncasecmp(s, p, k) == 0;
}

static int problem_at(strata_ctx *ctx, const char *path, const char *text,
                      size_t len, size_t off, const char *msg)
{
	int line, col;

	strata__offset_to_pos(text, len, off, &line, &col);
	strata__error_set(ctx, STRATA_EPARSE, "%s", msg);
	strata__error_at(ctx, path, line, col);
	return STRATA_EPARSE;
}

/* Does b (bl bytes) start with the word w, followed by a blank or its
 * end? */
static int is_word(const char *b, size_t bl, const char *w)
{
	size_t k = strlen(w);

	return bl >= k && strncasecmp(b, w, k) == 0 &&
	       (bl == k || b[k] == ' ' || b[k] == '\t');
}

/* -- strata:lock-timeout DURATION [retries=N] (b is past "strata:") */
static int lock_directive(strata_ctx *ctx, const char *path, const char *t,
                          size_t n, const struct line *l, const char *b,
                          size_t bl, struct part *p)
{
	char why[200], msg[300];
	size_t k = strlen("lock-timeout");

	if (p->lock.timeout_ms > 0)
		return problem_at(ctx, path, t, n, l->off,
		                  "a second strata:lock-timeout: a part has "
		                  "one");
	if (strata__lockspec_parse(&p->lock, b + k, bl - k, why, sizeof(why)) <
	    0) {
		snprintf(msg, sizeof(msg), "strata:lock-timeout: %s", why);
		return problem_at(ctx, path, t, n, l->off, msg);
	}
	p->lock_at = l->off;
	return 0;
}

/*
 * strata directives: only in the comments before the first statement of
 * a part; an unknown one, or one further down, is an error (a typo must
 * not silently run a CREATE INDEX CONCURRENTLY in a transaction).
 */
static int strata_directives(strata_ctx *ctx, const char *path, const char *t,
                             size_t n, struct part *p)
{
	struct line l;
	size_t pos = p->off, end = p->off + p->len;
	int leading = 1;

	while (pos < end && strata__next_line(t, end, pos, &l)) {
		const char *b;
		size_t bl;

		pos = l.next;
		if (!strata__comment_body(t, &l, &b, &bl)) {
			if (!strata__blank_line(t, &l))
				leading = 0;
			continue;
		}
		if (!has_prefix_ci(b, bl, "strata:"))
			continue;
		/* lint's, before any statement: read by lint (lint_ignore.c) */
		if (is_word(b + 7, bl - 7, "lint-ignore"))
			continue;
		if (!leading)
			return problem_at(ctx, path, t, n, l.off,
			                  "strata directives must come before "
			                  "the first statement");
		b += 7;
		bl -= 7;
		while (bl && isspace((unsigned char)b[bl - 1]))
			bl--;
		if (bl == strlen("no-transaction") &&
		    strncasecmp(b, "no-transaction", bl) == 0) {
			p->no_transaction = 1;
			continue;
		}
		if (bl == strlen("empty") && strncasecmp(b, "empty", bl) == 0) {
			p->empty_ok = 1;
			p->empty_at = l.off;
			continue;
		}
		/* a squash file's list (squash_read.c reads it) */
		if (is_word(b, bl, "squash"))
			continue;
		if (is_word(b, bl, "lock-timeout")) {
			if (lock_directive(ctx, path, t, n, &l, b, bl, p) < 0)
				return STRATA_EPARSE;
			continue;
		}
		strata__error_set(ctx, STRATA_EPARSE,
		                  "unknown directive 'strata:%.*s' (known: "
		                  "strata:no-transaction, strata:empty, "
		                  "strata:lock-timeout, strata:squash, "
		                  "strata:lint-ignore)",
		                  (int)(bl > 60 ? 60 : bl), b);
		{
			int line, col;

			strata__offset_to_pos(t, n, l.off, &line, &col);
			strata__error_at(ctx, path, line, col);
		}
		return STRATA_EPARSE;
	}
	return 0;
}

/* The format of a single file: its first exact up marker says. */
static int detect_format(const char *t, size_t n)
{
	size_t pos = 0;
	struct line l;
	struct marker mk;

	while (strata__next_line(t, n, pos, &l)) {
		enum mark k = strata__marker_classify(t, &l, &mk);

		pos = l.next;
		if (k == MK_DBMATE_UP)
			return 'd';
		if (k == MK_GOOSE_UP)
			return 'g';
		if (k == MK_SQLM_UP)
			return 'm';
	}
	return 's';
}

/* Where a file that holds one part comes from, for messages. */
static const char *one_part_file(const struct migration *m)
{
	if (m->layout == LAYOUT_PRISMA)
		return "a Prisma migration.sql (one part)";
	if (m->layout == LAYOUT_DIESEL)
		return "a Diesel up.sql or down.sql (one part each)";
	return "a file of an up/down pair";
}

/* A marker of a format the file is not in. */
static int misplaced(strata_ctx *ctx, const struct migration *m,
                     const char *path, const char *t, size_t n,
                     const struct marker *mk, int fmt, int pair)
{
	int f = strata__marker_format(mk->kind);
	const char *tool = strata__marker_tool(f);
	char msg[400];

	if (pair)
		snprintf(msg, sizeof(msg),
		         "%s marker '%.*s' in %s: only a single file "
		         "(<version>_<name>.sql) has sections, so both parts "
		         "would run as one; remove the markers, or merge the "
		         "parts into one file",
		         tool, mk->at_len, mk->at, one_part_file(m));
	else if (fmt != 's')
		snprintf(msg, sizeof(msg), "%s marker '%.*s' in a %s file",
		         tool, mk->at_len, mk->at, strata__marker_tool(fmt));
	else if (mk->kind == MK_DBMATE_DOWN)
		snprintf(msg, sizeof(msg),
		         "'%.*s' without a '-- migrate:up' before it",
		         mk->at_len, mk->at);
	else
		snprintf(msg, sizeof(msg),
		         "%s marker '%.*s' in a file without '%s'", tool,
		         mk->at_len, mk->at, strata__marker_up(f));
	return problem_at(ctx, path, t, n, (size_t)(mk->at - t), msg);
}

/* Before the first section of a sectioned file: comments only. */
static int outside(strata_ctx *ctx, const char *path, const char *t, size_t n,
                   const struct line *l, int fmt, const char *what)
{
	char msg[300];

	snprintf(msg, sizeof(msg),
	         "%s before '%s' belongs to no section: move it below the "
	         "marker",
	         what, strata__marker_up(fmt));
	return problem_at(ctx, path, t, n, l->off, msg);
}

/* sqlx's -- no-transaction where sqlx does not read it. */
static int sqlx_misplaced(strata_ctx *ctx, const struct migration *m,
                          const char *path, const char *t, size_t n, int fmt)
{
	const char *use = fmt == 'd' ? "-- migrate:up transaction:false" :
	                  fmt == 'g' ? "-- +goose NO TRANSACTION" :
	                  fmt == 'm' ? "-- +migrate Up notransaction" :
	                               "-- strata:no-transaction";
	char msg[300];

	if (m->layout == LAYOUT_DIESEL)
		snprintf(msg, sizeof(msg),
		         "sqlx's '-- no-transaction' in a Diesel migration: "
		         "Diesel runs it in a transaction; write "
		         "run_in_transaction = false in its metadata.toml");
	else
		snprintf(msg, sizeof(msg),
		         "sqlx's '-- no-transaction' in a %s file, where it "
		         "is only a comment: write '%s'",
		         fmt == 's' ? "Prisma" : strata__marker_tool(fmt), use);
	return problem_at(ctx, path, t, n, 0, msg);
}

static const char *marker_text(int fmt, int down)
{
	if (fmt == 'd')
		return down ? "-- migrate:down" : "-- migrate:up";
	if (fmt == 'g')
		return down ? "-- +goose Down" : "-- +goose Up";
	return down ? "-- +migrate Down" : "-- +migrate Up";
}

/* What scan() learns besides the sections. */
struct scan_out {
	int sqlx_no_txn; /* the file starts with sqlx's -- no-transaction */
};

/* A section marker: close the section being read, open the next one. */
static int open_section(strata_ctx *ctx, struct migration *m, const char *path,
                        const char *t, size_t n, const struct line *l,
                        const struct marker *mk, int fmt, int down,
                        struct part **cur)
{
	struct part *p = down ? &m->down : &m->up;
	char msg[200];

	if (p->present || (down && !m->up.present && fmt != 'm')) {
		if (p->present && fmt == 'd' && !down)
			snprintf(msg, sizeof(msg),
			         "a second '-- migrate:up' section: strata "
			         "reads one up and one down per file");
		else if (p->present)
			snprintf(msg, sizeof(msg), "a second '%s'",
			         marker_text(fmt, down));
		else
			snprintf(msg, sizeof(msg),
			         "'%s' without a '%s' before it",
			         marker_text(fmt, 1), marker_text(fmt, 0));
		return problem_at(ctx, path, t, n, l->off, msg);
	}
	if (*cur)
		(*cur)->len = l->off - (*cur)->off;
	p->present = 1;
	p->off = l->next;
	p->len = n - l->next;
	p->has_mark = 1;
	p->mark_at = l->off;
	p->no_transaction = mk->no_txn;
	*cur = p;
	return 0;
}

/*
 * Read the markers of one file: fmt 'd' (dbmate), 'g' (goose) or 'm'
 * (sql-migrate) splits m's up and down parts out of the text; 's' (a
 * native file, a file of a pair, a Prisma or Diesel migration's file)
 * accepts no section marker. Every marker-like line is checked.
 */
static int scan(strata_ctx *ctx, struct migration *m, const char *path,
                const char *t, size_t n, int fmt, int pair,
                struct scan_out *out)
{
	size_t pos = 0, block_at = 0;
	struct line l;
	struct marker mk;
	struct part *cur = NULL;
	int no_txn = 0, in_block = 0, rc;

	memset(out, 0, sizeof(*out));
	while (strata__next_line(t, n, pos, &l)) {
		enum mark k = strata__marker_classify(t, &l, &mk);
		const char *b;
		size_t bl;

		pos = l.next;
		if (k == MK_BAD)
			return problem_at(ctx, path, t, n, (size_t)(mk.at - t),
			                  mk.why);
		if (k == MK_SQLX_NO_TXN) {
			if (fmt == 's' && m->layout == LAYOUT_FLAT) {
				out->sqlx_no_txn = 1;
				continue;
			}
			return sqlx_misplaced(ctx, m, path, t, n, fmt);
		}
		if (k == MK_NONE || k == MK_STRATA) {
			if (fmt == 's' || cur || strata__blank_line(t, &l))
				continue;
			if (k == MK_STRATA)
				return outside(ctx, path, t, n, &l, fmt,
				               "a strata directive");
			if (!strata__comment_body(t, &l, &b, &bl))
				return outside(ctx, path, t, n, &l, fmt,
				               "a statement");
			continue;
		}
		if (fmt == 's' || fmt != strata__marker_format(k))
			return misplaced(ctx, m, path, t, n, &mk, fmt, pair);
		switch (k) {
		case MK_DBMATE_UP:
		case MK_GOOSE_UP:
		case MK_SQLM_UP:
		case MK_DBMATE_DOWN:
		case MK_GOOSE_DOWN:
		case MK_SQLM_DOWN:
			if (in_block)
				return problem_at(ctx, path, t, n, l.off,
				                  "a section marker inside a "
				                  "StatementBegin/StatementEnd "
				                  "block: end the block first");
			rc = open_section(ctx, m, path, t, n, &l, &mk, fmt,
			                  k == MK_DBMATE_DOWN ||
			                          k == MK_GOOSE_DOWN ||
			                          k == MK_SQLM_DOWN,
			                  &cur);
			if (rc < 0)
				return rc;
			break;
		case MK_GOOSE_NO_TXN:
			no_txn = 1;
			break;
		case MK_GOOSE_BEGIN:
		case MK_SQLM_BEGIN:
			if (!cur)
				return outside(ctx, path, t, n, &l, fmt,
				               "a statement marker");
			if (in_block)
				return problem_at(
				        ctx, path, t, n, l.off,
				        "a second StatementBegin before "
				        "the StatementEnd of the first");
			in_block = 1;
			block_at = l.off;
			break;
		case MK_GOOSE_END:
		case MK_SQLM_END:
			if (!cur)
				return outside(ctx, path, t, n, &l, fmt,
				               "a statement marker");
			if (!in_block)
				return problem_at(ctx, path, t, n, l.off,
				                  "StatementEnd without a "
				                  "StatementBegin before it");
			in_block = 0;
			break;
		default: /* goose ENVSUB ON / OFF: subst.c reads them */
			break;
		}
	}
	if (in_block)
		return problem_at(ctx, path, t, n, block_at,
		                  "StatementBegin without a StatementEnd");
	if (fmt == 's')
		return 0;
	if (fmt == 'g') /* goose applies NO TRANSACTION to the whole file */
		m->up.no_transaction = m->down.no_transaction = no_txn;
	return 0;
}

/* A separate down file read after its up file (strata__migration_load). */
int strata__sections_parse_down(strata_ctx *ctx, struct migration *m)
{
	struct scan_out so;
	int rc;

	m->down.len = m->down_text_len;
	rc = scan(ctx, m, m->down.path, m->down_text, m->down_text_len, 's', 1,
	          &so);
	if (rc == 0 && so.sqlx_no_txn)
		m->down.no_transaction = 1;
	if (rc == 0)
		rc = strata_directives(ctx, m->down.path, m->down_text,
		                       m->down_text_len, &m->down);
	return rc;
}

static const char *format_name(int f)
{
	return f == 'd' ? "dbmate" :
	       f == 'g' ? "goose" :
	       f == 'm' ? "sql-migrate" :
	                  NULL;
}

int strata__sections_parse(strata_ctx *ctx, struct migration *m)
{
	struct scan_out so;
	int rc = 0;

	memset(&m->up, 0, sizeof(m->up));
	memset(&m->down, 0, sizeof(m->down));
	m->up.path = m->up_path;
	if (m->single_file) {
		int f = detect_format(m->text, m->text_len);

		m->down.path = m->up_path;
		if (format_name(f))
			m->format = format_name(f);
		if (m->sqlm_name && f != 'm') {
			strata__error_set(
			        ctx, STRATA_EPARSE,
			        "a name <version>-<name>.sql is sql-migrate's, "
			        "and this file has no '-- +migrate Up': name it "
			        "<version>_<name>.sql");
			strata__error_at(ctx, m->up_path, 0, 0);
			return STRATA_EPARSE;
		}
		rc = scan(ctx, m, m->up_path, m->text, m->text_len, f, 0, &so);
		if (rc < 0)
			return rc;
		if (f == 's') {
			m->up.present = 1;
			m->up.len = m->text_len;
			m->up.no_transaction = so.sqlx_no_txn;
		}
		if (m->down.present) {
			strata__free(m->down_path);
			m->down_path = strata__strdup(m->up_path);
			if (!m->down_path)
				return strata__oom(ctx);
		}
	} else {
		m->up.present = 1;
		m->up.len = m->text_len;
		rc = scan(ctx, m, m->up_path, m->text, m->text_len, 's', 1,
		          &so);
		if (rc < 0)
			return rc;
		m->up.no_transaction = so.sqlx_no_txn;
		if (m->down_path) {
			m->down.path = m->down_path;
			m->down.present = 1;
			m->down.len = m->down_text_len;
		}
	}
	rc = strata_directives(ctx, m->up_path, m->text, m->text_len, &m->up);
	if (rc == 0 && m->down.present && !m->down_deferred) {
		if (m->single_file)
			rc = strata_directives(ctx, m->down.path, m->text,
			                       m->text_len, &m->down);
		else
			rc = strata__sections_parse_down(ctx, m);
	}
	return rc;
}
