/*
 * Sections and directives inside migration files. A native file is one
 * section; dbmate (-- migrate:up / -- migrate:down) and goose
 * (-- +goose Up / -- +goose Down) files hold both. Directives in leading
 * comments: -- strata:no-transaction, and the other tools' equivalents
 * (-- +goose NO TRANSACTION, -- migrate:up transaction:false).
 */
#include <ctype.h>
#include <strings.h>

#include "common.h"
#include "ctx.h"
#include "source.h"

struct line {
	size_t off, len; /* without the newline */
	size_t next;     /* offset of the next line */
};

static int next_line(const char *t, size_t n, size_t pos, struct line *l)
{
	const char *nl;

	if (pos >= n)
		return 0;
	nl = memchr(t + pos, '\n', n - pos);
	l->off = pos;
	l->len = nl ? (size_t)(nl - (t + pos)) : n - pos;
	l->next = nl ? (size_t)(nl - t) + 1 : n;
	if (l->len && t[pos + l->len - 1] == '\r')
		l->len--;
	return 1;
}

/* If the line is a "--" comment, point *body past "--" and spaces. */
static int comment_body(const char *t, const struct line *l, const char **body,
                        size_t *blen)
{
	size_t i = 0;

	while (i < l->len && (t[l->off + i] == ' ' || t[l->off + i] == '\t'))
		i++;
	if (l->len - i < 2 || t[l->off + i] != '-' || t[l->off + i + 1] != '-')
		return 0;
	i += 2;
	while (i < l->len && (t[l->off + i] == ' ' || t[l->off + i] == '\t'))
		i++;
	*body = t + l->off + i;
	*blen = l->len - i;
	return 1;
}

static int blank(const char *t, const struct line *l)
{
	size_t i;

	for (i = 0; i < l->len; i++)
		if (!isspace((unsigned char)t[l->off + i]))
			return 0;
	return 1;
}

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

/*
 * strata directives: only in the comments before the first statement;
 * an unknown one, or one further down, is an error (a typo must not
 * silently run a CREATE INDEX CONCURRENTLY in a transaction).
 */
static int strata_directives(strata_ctx *ctx, const char *path, const char *t,
                             size_t n, struct part *p)
{
	struct line l;
	size_t pos = p->off, end = p->off + p->len;
	int leading = 1;

	while (pos < end && next_line(t, end, pos, &l)) {
		const char *b;
		size_t bl;

		pos = l.next;
		if (!comment_body(t, &l, &b, &bl)) {
			if (!blank(t, &l))
				leading = 0;
			continue;
		}
		if (!has_prefix_ci(b, bl, "strata:"))
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
		strata__error_set(ctx, STRATA_EPARSE,
		                  "unknown directive 'strata:%.*s' (known: "
		                  "strata:no-transaction)",
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

/* dbmate marker: "-- migrate:up [transaction:false]" */
static int dbmate_marker(const char *t, const struct line *l, const char *kw,
                         int *no_txn)
{
	const char *b;
	size_t bl, k = strlen(kw);

	if (!comment_body(t, l, &b, &bl) || bl < k || strncmp(b, kw, k) != 0)
		return 0;
	if (bl > k && !isspace((unsigned char)b[k]))
		return 0;
	*no_txn = 0;
	for (size_t i = k; i + 17 <= bl; i++)
		if (strncmp(b + i, "transaction:false", 17) == 0)
			*no_txn = 1;
	return 1;
}

/* goose marker: a line starting with "--" that holds "+goose <kw>" */
static int goose_marker(const char *t, const struct line *l, const char *kw)
{
	const char *b;
	size_t bl, k = strlen(kw);

	if (l->len < 2 || t[l->off] != '-' || t[l->off + 1] != '-')
		return 0;
	if (!comment_body(t, l, &b, &bl) || !has_prefix_ci(b, bl, "+goose"))
		return 0;
	b += 6;
	bl -= 6;
	while (bl && isspace((unsigned char)*b)) {
		b++;
		bl--;
	}
	while (bl && isspace((unsigned char)b[bl - 1]))
		bl--;
	return bl == k && strncasecmp(b, kw, k) == 0;
}

static int split_dbmate(strata_ctx *ctx, struct migration *m)
{
	const char *t = m->text;
	size_t n = m->text_len, pos = 0;
	struct line l;
	int no_txn, seen_up = 0, seen_down = 0;

	while (next_line(t, n, pos, &l)) {
		pos = l.next;
		if (dbmate_marker(t, &l, "migrate:up", &no_txn)) {
			if (seen_up)
				return problem_at(
				        ctx, m->up_path, t, n, l.off,
				        "a second '-- migrate:up' "
				        "section: strata reads one up "
				        "and one down per file");
			if (seen_down)
				return problem_at(ctx, m->up_path, t, n, l.off,
				                  "'-- migrate:up' must come "
				                  "before '-- migrate:down'");
			seen_up = 1;
			m->up.present = 1;
			m->up.off = l.next;
			m->up.no_transaction = no_txn;
		} else if (dbmate_marker(t, &l, "migrate:down", &no_txn)) {
			if (!seen_up || seen_down)
				return problem_at(ctx, m->up_path, t, n, l.off,
				                  "'-- migrate:down' without a "
				                  "'-- migrate:up' before it");
			seen_down = 1;
			m->up.len = l.off - m->up.off;
			m->down.present = 1;
			m->down.off = l.next;
			m->down.len = n - l.next;
			m->down.no_transaction = no_txn;
		}
	}
	if (seen_up && !seen_down)
		m->up.len = n - m->up.off;
	return 0;
}

static int split_goose(strata_ctx *ctx, struct migration *m)
{
	const char *t = m->text;
	size_t n = m->text_len, pos = 0;
	struct line l;
	int no_txn = 0;

	while (next_line(t, n, pos, &l)) {
		pos = l.next;
		if (goose_marker(t, &l, "Up")) {
			if (m->up.present)
				return problem_at(ctx, m->up_path, t, n, l.off,
				                  "a second '-- +goose Up'");
			m->up.present = 1;
			m->up.off = l.next;
		} else if (goose_marker(t, &l, "Down")) {
			if (!m->up.present || m->down.present)
				return problem_at(ctx, m->up_path, t, n, l.off,
				                  "'-- +goose Down' without a "
				                  "'-- +goose Up' before it");
			m->up.len = l.off - m->up.off;
			m->down.present = 1;
			m->down.off = l.next;
			m->down.len = n - l.next;
		} else if (goose_marker(t, &l, "NO TRANSACTION")) {
			no_txn = 1;
		}
	}
	if (m->up.present && !m->down.present)
		m->up.len = n - m->up.off;
	/* goose applies NO TRANSACTION to the whole file */
	m->up.no_transaction = m->down.no_transaction = no_txn;
	return 0;
}

static int detect_format(const char *t, size_t n)
{
	size_t pos = 0;
	struct line l;
	int dummy;

	while (next_line(t, n, pos, &l)) {
		pos = l.next;
		if (dbmate_marker(t, &l, "migrate:up", &dummy))
			return 'd';
		if (goose_marker(t, &l, "Up"))
			return 'g';
	}
	return 's';
}

int strata__sections_parse(strata_ctx *ctx, struct migration *m);
int strata__sections_parse_down(strata_ctx *ctx, struct migration *m);

/* A separate down file read after its up file (strata__migration_load). */
int strata__sections_parse_down(strata_ctx *ctx, struct migration *m)
{
	m->down.len = m->down_text_len;
	return strata_directives(ctx, m->down.path, m->down_text,
	                         m->down_text_len, &m->down);
}

int strata__sections_parse(strata_ctx *ctx, struct migration *m)
{
	int rc = 0;

	memset(&m->up, 0, sizeof(m->up));
	memset(&m->down, 0, sizeof(m->down));
	m->up.path = m->up_path;
	if (m->single_file) {
		int f = detect_format(m->text, m->text_len);

		m->down.path = m->up_path;
		if (f == 'd') {
			m->format = "dbmate";
			rc = split_dbmate(ctx, m);
		} else if (f == 'g') {
			m->format = "goose";
			rc = split_goose(ctx, m);
		} else {
			m->up.present = 1;
			m->up.len = m->text_len;
		}
		if (rc < 0)
			return rc;
		if (m->down.present) {
			strata__free(m->down_path);
			m->down_path = strata__strdup(m->up_path);
			if (!m->down_path)
				return strata__error_set(ctx, STRATA_ENOMEM,
				                         "out of memory");
		}
	} else {
		m->up.present = 1;
		m->up.len = m->text_len;
		if (m->down_path) {
			m->down.path = m->down_path;
			m->down.present = 1;
			m->down.len = m->down_text_len;
		}
	}
	rc = strata_directives(ctx, m->up_path, m->text, m->text_len, &m->up);
	if (rc == 0 && m->down.present && !m->down_deferred) {
		const char *dt = m->single_file ? m->text : m->down_text;
		size_t dn = m->single_file ? m->text_len : m->down_text_len;

		rc = strata_directives(ctx, m->down.path, dt, dn, &m->down);
	}
	return rc;
}
