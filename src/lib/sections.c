/*
 * Sections, markers and directives inside migration files. A native file,
 * and each file of an up/down pair, is one part; a dbmate single file
 * (-- migrate:up / -- migrate:down) or goose one (-- +goose Up /
 * -- +goose Down) holds both. A line that looks like a marker of a format
 * strata reads must be one exactly, in a file of that format: a typo, or a
 * marker where it is not read, is an error at its line, so that no down
 * part ever runs as part of an up. Directives in leading comments:
 * -- strata:no-transaction and -- strata:empty, and the other tools'
 * equivalents (-- +goose NO TRANSACTION, -- migrate:up transaction:false).
 */
#include <ctype.h>
#include <stdarg.h>
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

static int is_blank_char(char c)
{
	return c == ' ' || c == '\t';
}

/* If the line is a "--" comment, point *body past "--" and spaces. */
static int comment_body(const char *t, const struct line *l, const char **body,
                        size_t *blen)
{
	size_t i = 0;

	while (i < l->len && is_blank_char(t[l->off + i]))
		i++;
	if (l->len - i < 2 || t[l->off + i] != '-' || t[l->off + i + 1] != '-')
		return 0;
	i += 2;
	while (i < l->len && is_blank_char(t[l->off + i]))
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

static int has_prefix(const char *s, size_t n, const char *p)
{
	size_t k = strlen(p);

	return n >= k && memcmp(s, p, k) == 0;
}

/* Offset of p in s[0..n) (case-insensitive), or n. */
static size_t find_ci(const char *s, size_t n, const char *p)
{
	size_t k = strlen(p), i;

	for (i = 0; i + k <= n; i++)
		if (strncasecmp(s + i, p, k) == 0)
			return i;
	return n;
}

static size_t find(const char *s, size_t n, const char *p)
{
	size_t k = strlen(p), i;

	for (i = 0; i + k <= n; i++)
		if (memcmp(s + i, p, k) == 0)
			return i;
	return n;
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

/* What a line is, as far as markers go. */
enum mark {
	MK_NONE,        /* SQL, a plain comment or a blank line */
	MK_STRATA,      /* -- strata:... (strata_directives reads it) */
	MK_DBMATE_UP,   /* -- migrate:up [transaction:false] */
	MK_DBMATE_DOWN, /* -- migrate:down [transaction:false] */
	MK_GOOSE_UP,
	MK_GOOSE_DOWN,
	MK_GOOSE_NO_TXN,    /* -- +goose NO TRANSACTION */
	MK_GOOSE_STATEMENT, /* -- +goose StatementBegin / StatementEnd */
	MK_GOOSE_NOOP,      /* -- +goose ENVSUB OFF */
	MK_BAD              /* looks like a marker and is none: see why */
};

struct marker {
	enum mark kind;
	int no_txn;     /* dbmate: transaction:false */
	const char *at; /* the line from its "--", for messages */
	int at_len;     /* at most 60 bytes of it */
	char why[256];
};

static int is_dbmate(enum mark k)
{
	return k == MK_DBMATE_UP || k == MK_DBMATE_DOWN;
}

static enum mark bad(struct marker *mk, const char *fmt, ...)
        STRATA_PRINTF(2, 3);
static enum mark bad(struct marker *mk, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(mk->why, sizeof(mk->why), fmt, ap);
	va_end(ap);
	return mk->kind = MK_BAD;
}

static const char *const goose_words[] = {
	"Up",           "Down",           "StatementBegin",
	"StatementEnd", "NO TRANSACTION", "ENVSUB ON",
	"ENVSUB OFF",
};

/*
 * goose's own reading (internal/sqlparser): a line that starts with "--"
 * and holds "+goose", without leading whitespace; every "--" and the
 * first "+goose" are removed, and what is left, trimmed, is one of the
 * annotations in any case.
 */
static enum mark goose(struct marker *mk, const char *s, size_t n, int lead)
{
	char cmd[64];
	size_t i, k = 0, g = find(s, n, "+goose"), a, b;

	if (g == n)
		return bad(mk,
		           "unknown goose marker '%.*s' (goose reads "
		           "'-- +goose <annotation>', '+goose' in lower case)",
		           mk->at_len, mk->at);
	if (lead)
		return bad(mk,
		           "goose marker '%.*s' must start at the beginning "
		           "of its line",
		           mk->at_len, mk->at);
	for (i = 0; i < n && k < sizeof(cmd); i++) {
		if (i == g) {
			i += strlen("+goose") - 1;
			continue;
		}
		if (s[i] == '-' && i + 1 < n && s[i + 1] == '-') {
			i++;
			continue;
		}
		cmd[k++] = s[i];
	}
	for (a = 0; a < k && isspace((unsigned char)cmd[a]); a++)
		;
	for (b = k; b > a && isspace((unsigned char)cmd[b - 1]); b--)
		;
	if (i == n && find(cmd + a, b - a, "+goose") == b - a) {
		for (i = 0; i < ARRAY_SIZE(goose_words); i++) {
			if (strlen(goose_words[i]) != b - a ||
			    strncasecmp(cmd + a, goose_words[i], b - a) != 0)
				continue;
			switch (i) {
			case 0:
				return mk->kind = MK_GOOSE_UP;
			case 1:
				return mk->kind = MK_GOOSE_DOWN;
			case 2:
			case 3:
				return mk->kind = MK_GOOSE_STATEMENT;
			case 4:
				return mk->kind = MK_GOOSE_NO_TXN;
			case 5:
				return bad(mk,
				           "goose marker '%.*s' is not "
				           "supported: strata does not "
				           "substitute environment variables",
				           mk->at_len, mk->at);
			default:
				return mk->kind = MK_GOOSE_NOOP;
			}
		}
	}
	return bad(mk,
	           "unknown goose marker '%.*s' (known: -- +goose Up, Down, "
	           "StatementBegin, StatementEnd, NO TRANSACTION)",
	           mk->at_len, mk->at);
}

/* "goose Up", "+ goose Down": a goose marker without its exact "+goose" */
static int goose_like(const char *b, size_t bl)
{
	static const char *const words[] = { "up", "down", "statement", "no ",
		                             "envsub" };
	size_t i = 0, w;

	if (i < bl && b[i] == '+')
		for (i++; i < bl && is_blank_char(b[i]); i++)
			;
	if (!has_prefix_ci(b + i, bl - i, "goose"))
		return 0;
	i += 5;
	if (i >= bl || !(is_blank_char(b[i]) || b[i] == ':'))
		return 0;
	while (i < bl && (is_blank_char(b[i]) || b[i] == ':'))
		i++;
	for (w = 0; w < ARRAY_SIZE(words); w++)
		if (has_prefix_ci(b + i, bl - i, words[w]) &&
		    (strlen(words[w]) == bl - i ||
		     !isalpha((unsigned char)b[i + strlen(words[w])]) ||
		     w == 2))
			return 1;
	return 0;
}

/*
 * dbmate's reading (pkg/dbmate/migration.go): "--", optional space,
 * "migrate:up" or "migrate:down" in lower case at the start of the line,
 * then the end of the line or space and options, key:value.
 */
static enum mark dbmate(struct marker *mk, const char *b, size_t bl, int lead)
{
	enum mark k;
	size_t i;

	if (has_prefix(b, bl, "migrate:up")) {
		k = MK_DBMATE_UP;
		i = strlen("migrate:up");
	} else if (has_prefix(b, bl, "migrate:down")) {
		k = MK_DBMATE_DOWN;
		i = strlen("migrate:down");
	} else {
		k = MK_BAD;
		i = 0;
	}
	if (k == MK_BAD || (i < bl && !is_blank_char(b[i])))
		return bad(mk,
		           "unknown dbmate marker '%.*s' (known: -- migrate:up "
		           "and -- migrate:down, each with an optional "
		           "transaction:false)",
		           mk->at_len, mk->at);
	if (lead)
		return bad(mk,
		           "dbmate marker '%.*s' must start at the beginning "
		           "of its line",
		           mk->at_len, mk->at);
	mk->no_txn = 0;
	while (i < bl) {
		size_t o;

		while (i < bl && is_blank_char(b[i]))
			i++;
		for (o = i; i < bl && !is_blank_char(b[i]); i++)
			;
		if (i == o)
			break;
		if (i - o == 17 && memcmp(b + o, "transaction:false", 17) == 0)
			mk->no_txn = 1;
		else if (!(i - o == 16 &&
		           memcmp(b + o, "transaction:true", 16) == 0))
			return bad(mk,
			           "unknown dbmate option '%.*s' in '%.*s' "
			           "(known: transaction:false)",
			           (int)(i - o > 40 ? 40 : i - o), b + o,
			           mk->at_len, mk->at);
	}
	return mk->kind = k;
}

/* "migrate:", "migrate :": a dbmate marker, or a near miss */
static int dbmate_like(const char *b, size_t bl)
{
	size_t i = strlen("migrate");

	if (!has_prefix_ci(b, bl, "migrate"))
		return 0;
	while (i < bl && is_blank_char(b[i]))
		i++;
	return i < bl && b[i] == ':';
}

/* "strata:", "strata :", "strata-", "strata no-transaction", "strata
 * empty": a strata directive, or a near miss */
static int strata_like(const char *b, size_t bl)
{
	size_t i = strlen("strata");

	if (!has_prefix_ci(b, bl, "strata"))
		return 0;
	if (i < bl && (b[i] == '-' || b[i] == '_'))
		return 1;
	while (i < bl && is_blank_char(b[i]))
		i++;
	if (i < bl && b[i] == ':')
		return 1;
	if (i == strlen("strata"))
		return 0;
	/* a directive's name after a space: not prose */
	if (bl - i == 5 && strncasecmp(b + i, "empty", 5) == 0)
		return 1;
	if (!has_prefix_ci(b + i, bl - i, "no"))
		return 0;
	i += 2;
	if (i < bl && (b[i] == '-' || b[i] == '_' || is_blank_char(b[i])))
		i++;
	return has_prefix_ci(b + i, bl - i, "transaction");
}

static enum mark classify(const char *t, const struct line *l,
                          struct marker *mk)
{
	const char *s = t + l->off, *b;
	size_t n = l->len, i = 0, bl;

	mk->kind = MK_NONE;
	mk->why[0] = '\0';
	while (i < n && is_blank_char(s[i]))
		i++;
	if (n - i < 2 || s[i] != '-' || s[i + 1] != '-')
		return MK_NONE;
	comment_body(t, l, &b, &bl);
	while (bl && isspace((unsigned char)b[bl - 1]))
		bl--;
	mk->at = s + i;
	mk->at_len = (int)((size_t)(b + bl - mk->at) > 60 ?
	                           60 :
	                           (size_t)(b + bl - mk->at));
	if (find_ci(s, n, "+goose") < n || goose_like(b, bl))
		return goose(mk, s + i, n - i, i > 0);
	if (has_prefix_ci(b, bl, "+migrate"))
		return bad(mk,
		           "sql-migrate marker '%.*s': strata does not read "
		           "sql-migrate files; goose's markers (-- +goose Up, "
		           "-- +goose Down, -- +goose NO TRANSACTION) mean the "
		           "same",
		           mk->at_len, mk->at);
	if (dbmate_like(b, bl))
		return dbmate(mk, b, bl, i > 0);
	if (strata_like(b, bl)) {
		if (has_prefix_ci(b, bl, "strata:"))
			return mk->kind = MK_STRATA;
		return bad(mk,
		           "unknown directive '%.*s' (known: "
		           "strata:no-transaction, strata:empty)",
		           (int)(bl > 60 ? 60 : bl), b);
	}
	return MK_NONE;
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
		if (bl == strlen("empty") && strncasecmp(b, "empty", bl) == 0) {
			p->empty_ok = 1;
			p->empty_at = l.off;
			continue;
		}
		strata__error_set(ctx, STRATA_EPARSE,
		                  "unknown directive 'strata:%.*s' (known: "
		                  "strata:no-transaction, strata:empty)",
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

	while (next_line(t, n, pos, &l)) {
		pos = l.next;
		if (classify(t, &l, &mk) == MK_DBMATE_UP)
			return 'd';
		if (mk.kind == MK_GOOSE_UP)
			return 'g';
	}
	return 's';
}

/* A marker of a format the file is not in. */
static int misplaced(strata_ctx *ctx, const char *path, const char *t, size_t n,
                     const struct marker *mk, int fmt, int pair)
{
	const char *tool = is_dbmate(mk->kind) ? "dbmate" : "goose";
	char msg[300];

	if (pair)
		snprintf(
		        msg, sizeof(msg),
		        "%s marker '%.*s' in a file of an up/down pair: only a "
		        "single file (<version>_<name>.sql) has sections, so "
		        "both parts would run as one; remove the markers, or "
		        "merge the pair into one file",
		        tool, mk->at_len, mk->at);
	else if (fmt != 's')
		snprintf(msg, sizeof(msg), "%s marker '%.*s' in a %s file",
		         tool, mk->at_len, mk->at,
		         fmt == 'd' ? "dbmate" : "goose");
	else if (mk->kind == MK_DBMATE_DOWN)
		snprintf(msg, sizeof(msg),
		         "'%.*s' without a '-- migrate:up' before it",
		         mk->at_len, mk->at);
	else
		snprintf(msg, sizeof(msg),
		         "goose marker '%.*s' in a file without "
		         "'-- +goose Up'",
		         mk->at_len, mk->at);
	return problem_at(ctx, path, t, n, (size_t)(mk->at - t), msg);
}

/* Before the first section of a dbmate or goose file: comments only. */
static int outside(strata_ctx *ctx, const char *path, const char *t, size_t n,
                   const struct line *l, int fmt, const char *what)
{
	char msg[300];

	snprintf(msg, sizeof(msg),
	         "%s before '%s' belongs to no section: move it below the "
	         "marker",
	         what, fmt == 'd' ? "-- migrate:up" : "-- +goose Up");
	return problem_at(ctx, path, t, n, l->off, msg);
}

/*
 * Read the markers of one file: fmt 'd' (dbmate) or 'g' (goose) splits
 * m's up and down parts out of the text; 's' (a native file, or a file
 * of a pair) accepts no marker. Every marker-like line is checked.
 */
static int scan(strata_ctx *ctx, struct migration *m, const char *path,
                const char *t, size_t n, int fmt, int pair)
{
	size_t pos = 0;
	struct line l;
	struct marker mk;
	int no_txn = 0;

	while (next_line(t, n, pos, &l)) {
		enum mark k = classify(t, &l, &mk);
		int in_section = m->up.present && fmt != 's';
		const char *b;
		size_t bl;

		pos = l.next;
		if (k == MK_BAD)
			return problem_at(ctx, path, t, n, (size_t)(mk.at - t),
			                  mk.why);
		if (k == MK_NONE || k == MK_STRATA) {
			if (fmt == 's' || in_section || blank(t, &l))
				continue;
			if (k == MK_STRATA)
				return outside(ctx, path, t, n, &l, fmt,
				               "a strata directive");
			if (!comment_body(t, &l, &b, &bl))
				return outside(ctx, path, t, n, &l, fmt,
				               "a statement");
			continue;
		}
		if (fmt == 's' || (fmt == 'd') != is_dbmate(k))
			return misplaced(ctx, path, t, n, &mk, fmt, pair);
		switch (k) {
		case MK_DBMATE_UP:
		case MK_GOOSE_UP:
			if (m->up.present)
				return problem_at(
				        ctx, path, t, n, l.off,
				        fmt == 'd' ?
				                "a second '-- migrate:up' "
				                "section: strata reads one "
				                "up and one down per file" :
				                "a second '-- +goose Up'");
			m->up.present = 1;
			m->up.off = l.next;
			m->up.has_mark = 1;
			m->up.mark_at = l.off;
			m->up.no_transaction = mk.no_txn;
			break;
		case MK_DBMATE_DOWN:
		case MK_GOOSE_DOWN:
			if (!m->up.present || m->down.present)
				return problem_at(
				        ctx, path, t, n, l.off,
				        fmt == 'd' ?
				                "'-- migrate:down' without "
				                "a '-- migrate:up' before "
				                "it" :
				                "'-- +goose Down' without a "
				                "'-- +goose Up' before it");
			m->up.len = l.off - m->up.off;
			m->down.present = 1;
			m->down.off = l.next;
			m->down.len = n - l.next;
			m->down.has_mark = 1;
			m->down.mark_at = l.off;
			m->down.no_transaction = mk.no_txn;
			break;
		case MK_GOOSE_NO_TXN:
			no_txn = 1;
			break;
		case MK_GOOSE_STATEMENT:
			if (!m->up.present)
				return outside(ctx, path, t, n, &l, fmt,
				               "a goose statement marker");
			break;
		default:
			break;
		}
	}
	if (fmt == 's')
		return 0;
	if (m->up.present && !m->down.present)
		m->up.len = n - m->up.off;
	if (fmt == 'g') /* goose applies NO TRANSACTION to the whole file */
		m->up.no_transaction = m->down.no_transaction = no_txn;
	return 0;
}

int strata__sections_parse(strata_ctx *ctx, struct migration *m);
int strata__sections_parse_down(strata_ctx *ctx, struct migration *m);

/* A separate down file read after its up file (strata__migration_load). */
int strata__sections_parse_down(strata_ctx *ctx, struct migration *m)
{
	int rc;

	m->down.len = m->down_text_len;
	rc = scan(ctx, m, m->down.path, m->down_text, m->down_text_len, 's', 1);
	if (rc == 0)
		rc = strata_directives(ctx, m->down.path, m->down_text,
		                       m->down_text_len, &m->down);
	return rc;
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
		if (f == 'd')
			m->format = "dbmate";
		else if (f == 'g')
			m->format = "goose";
		rc = scan(ctx, m, m->up_path, m->text, m->text_len, f, 0);
		if (rc < 0)
			return rc;
		if (f == 's') {
			m->up.present = 1;
			m->up.len = m->text_len;
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
		rc = scan(ctx, m, m->up_path, m->text, m->text_len, 's', 1);
		if (rc < 0)
			return rc;
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
