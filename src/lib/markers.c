/*
 * Markers, line by line, read exactly as each tool's own parser reads
 * them: dbmate's -- migrate:up / -- migrate:down (pkg/dbmate/migration.go),
 * goose's -- +goose annotations (internal/sqlparser/parser.go),
 * sql-migrate's -- +migrate commands (sqlparse/sqlparse.go), sqlx's
 * "-- no-transaction" at the start of a file (sqlx-core migrate/source.rs)
 * and strata's own -- strata: directives. A line that looks like one of
 * them and is none is MK_BAD, with why: a typo must never run a down part
 * as part of an up, or a CREATE INDEX CONCURRENTLY in a transaction.
 */
#include <ctype.h>
#include <stdarg.h>
#include <strings.h>

#include "common.h"
#include "markers.h"

int strata__next_line(const char *t, size_t n, size_t pos, struct line *l)
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

int strata__comment_body(const char *t, const struct line *l, const char **body,
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

int strata__blank_line(const char *t, const struct line *l)
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

int strata__marker_format(enum mark k)
{
	switch (k) {
	case MK_DBMATE_UP:
	case MK_DBMATE_DOWN:
		return 'd';
	case MK_GOOSE_UP:
	case MK_GOOSE_DOWN:
	case MK_GOOSE_NO_TXN:
	case MK_GOOSE_BEGIN:
	case MK_GOOSE_END:
	case MK_GOOSE_ENVSUB_ON:
	case MK_GOOSE_ENVSUB_OFF:
		return 'g';
	case MK_SQLM_UP:
	case MK_SQLM_DOWN:
	case MK_SQLM_BEGIN:
	case MK_SQLM_END:
		return 'm';
	default:
		return 0;
	}
}

const char *strata__marker_tool(int fmt)
{
	return fmt == 'd' ? "dbmate" : fmt == 'g' ? "goose" : "sql-migrate";
}

const char *strata__marker_up(int fmt)
{
	return fmt == 'd' ? "-- migrate:up" :
	       fmt == 'g' ? "-- +goose Up" :
	                    "-- +migrate Up";
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

static const enum mark goose_kinds[] = {
	MK_GOOSE_UP,     MK_GOOSE_DOWN,      MK_GOOSE_BEGIN,      MK_GOOSE_END,
	MK_GOOSE_NO_TXN, MK_GOOSE_ENVSUB_ON, MK_GOOSE_ENVSUB_OFF,
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
	if (i == n && find(cmd + a, b - a, "+goose") == b - a)
		for (i = 0; i < ARRAY_SIZE(goose_words); i++)
			if (strlen(goose_words[i]) == b - a &&
			    strncasecmp(cmd + a, goose_words[i], b - a) == 0)
				return mk->kind = goose_kinds[i];
	return bad(mk,
	           "unknown goose marker '%.*s' (known: -- +goose Up, Down, "
	           "StatementBegin, StatementEnd, NO TRANSACTION, ENVSUB ON, "
	           "ENVSUB OFF)",
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

static const char *const sqlm_words[] = { "Up", "Down", "StatementBegin",
	                                  "StatementEnd" };
static const enum mark sqlm_kinds[] = { MK_SQLM_UP, MK_SQLM_DOWN, MK_SQLM_BEGIN,
	                                MK_SQLM_END };

/* The next whitespace-separated field of s[*i..n) (Go's strings.Fields). */
static int field(const char *s, size_t n, size_t *i, size_t *o)
{
	while (*i < n && isspace((unsigned char)s[*i]))
		(*i)++;
	*o = *i;
	while (*i < n && !isspace((unsigned char)s[*i]))
		(*i)++;
	return *i > *o;
}

/*
 * sql-migrate's own reading (sqlparse.ParseMigration): a line starting
 * with "-- +migrate " exactly (no leading whitespace, one space after
 * "--", "+migrate" in lower case), then whitespace-separated fields: the
 * command (Up, Down, StatementBegin, StatementEnd, in that case) and,
 * after Up or Down, the option notransaction. sql-migrate skips a command
 * or option it does not know; strata refuses it.
 */
static enum mark sqlmigrate(struct marker *mk, const char *s, size_t n,
                            int lead)
{
	const char *p = "-- +migrate";
	size_t k = strlen(p), i = k, o, w;
	enum mark kind = MK_BAD;

	if (lead)
		return bad(mk,
		           "sql-migrate marker '%.*s' must start at the "
		           "beginning of its line",
		           mk->at_len, mk->at);
	if (!has_prefix(s, n, p) || (n > k && s[k] != ' '))
		return bad(
		        mk,
		        "unknown sql-migrate marker '%.*s' (sql-migrate reads "
		        "'-- +migrate <command>': two dashes, one space, "
		        "'+migrate' in lower case, a space)",
		        mk->at_len, mk->at);
	if (!field(s, n, &i, &o))
		return bad(
		        mk,
		        "sql-migrate marker '%.*s' without a command (known: "
		        "Up, Down, StatementBegin, StatementEnd)",
		        mk->at_len, mk->at);
	for (w = 0; w < ARRAY_SIZE(sqlm_words); w++) {
		if (strlen(sqlm_words[w]) != i - o)
			continue;
		if (memcmp(s + o, sqlm_words[w], i - o) == 0)
			kind = sqlm_kinds[w];
		else if (strncasecmp(s + o, sqlm_words[w], i - o) == 0)
			return bad(mk,
			           "sql-migrate marker '%.*s': sql-migrate "
			           "reads its command in this case only: "
			           "'-- +migrate %s'",
			           mk->at_len, mk->at, sqlm_words[w]);
	}
	if (kind == MK_BAD)
		return bad(mk,
		           "unknown sql-migrate marker '%.*s' (known: -- "
		           "+migrate Up, Down, StatementBegin, StatementEnd)",
		           mk->at_len, mk->at);
	mk->no_txn = 0;
	while (field(s, n, &i, &o)) {
		if ((kind == MK_SQLM_UP || kind == MK_SQLM_DOWN) &&
		    i - o == 13 && memcmp(s + o, "notransaction", 13) == 0) {
			mk->no_txn = 1;
			continue;
		}
		return bad(mk,
		           "unknown sql-migrate option '%.*s' in '%.*s' "
		           "(known: notransaction, after Up or Down)",
		           (int)(i - o > 40 ? 40 : i - o), s + o, mk->at_len,
		           mk->at);
	}
	return mk->kind = kind;
}

/* "+migrate ...", "+ migrate ...", "migrate up": an sql-migrate marker,
 * exact or a near miss (not dbmate's "migrate:") */
static int sqlmigrate_like(const char *b, size_t bl)
{
	static const char *const words[] = { "up", "down", "statementbegin",
		                             "statementend" };
	size_t i = 0, w, k;

	if (has_prefix_ci(b, bl, "+migrate"))
		return 1;
	if (i < bl && b[i] == '+')
		for (i++; i < bl && is_blank_char(b[i]); i++)
			;
	if (!has_prefix_ci(b + i, bl - i, "migrate"))
		return 0;
	if (i > 0)
		return 1; /* "+ migrate" */
	i += strlen("migrate");
	if (i >= bl || !is_blank_char(b[i]))
		return 0;
	while (i < bl && is_blank_char(b[i]))
		i++;
	/* "migrate up", "migrate Down notransaction": nothing else after */
	for (w = 0; w < ARRAY_SIZE(words); w++) {
		k = strlen(words[w]);
		if (!has_prefix_ci(b + i, bl - i, words[w]))
			continue;
		if (i + k == bl)
			return 1;
		return is_blank_char(b[i + k]) &&
		       find_ci(b + i + k, bl - i - k, "notransaction") <
		               bl - i - k;
	}
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

/* A comment saying no-transaction and nothing else: sqlx's directive, or a
 * near miss of it. */
static int sqlx_like(const char *b, size_t bl)
{
	static const char *const words[] = { "no-transaction", "no_transaction",
		                             "notransaction",
		                             "no transaction" };
	size_t w;

	for (w = 0; w < ARRAY_SIZE(words); w++)
		if (bl == strlen(words[w]) && strncasecmp(b, words[w], bl) == 0)
			return 1;
	return 0;
}

/*
 * sqlx (migrate/source.rs): a file whose text starts with
 * "-- no-transaction" runs outside a transaction; sqlx reads it nowhere
 * else. The same words elsewhere, or written otherwise, are refused.
 */
static enum mark sqlx(struct marker *mk, const struct line *l, const char *s,
                      size_t n)
{
	if (l->off == 0 && has_prefix(s, n, "-- no-transaction"))
		return mk->kind = MK_SQLX_NO_TXN;
	if (has_prefix(s, n, "-- no-transaction"))
		return bad(mk,
		           "'%.*s' is read by sqlx only as the very start of "
		           "the file: move it to the first line (or write "
		           "'-- strata:no-transaction' before the first "
		           "statement)",
		           mk->at_len, mk->at);
	return bad(mk,
	           "'%.*s' is not sqlx's directive: sqlx reads "
	           "'-- no-transaction' (two dashes, one space, lower case) "
	           "at the very start of the file; strata's own is "
	           "'-- strata:no-transaction'",
	           mk->at_len, mk->at);
}

enum mark strata__marker_classify(const char *t, const struct line *l,
                                  struct marker *mk)
{
	const char *s = t + l->off, *b;
	size_t n = l->len, i = 0, bl;

	mk->kind = MK_NONE;
	mk->no_txn = 0;
	mk->why[0] = '\0';
	while (i < n && is_blank_char(s[i]))
		i++;
	if (n - i < 2 || s[i] != '-' || s[i + 1] != '-')
		return MK_NONE;
	strata__comment_body(t, l, &b, &bl);
	while (bl && isspace((unsigned char)b[bl - 1]))
		bl--;
	mk->at = s + i;
	mk->at_len = (int)((size_t)(b + bl - mk->at) > 60 ?
	                           60 :
	                           (size_t)(b + bl - mk->at));
	if (find_ci(s, n, "+goose") < n || goose_like(b, bl))
		return goose(mk, s + i, n - i, i > 0);
	if (sqlmigrate_like(b, bl))
		return sqlmigrate(mk, s + i, n - i, i > 0);
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
	if (has_prefix(s, n, "-- no-transaction") || sqlx_like(b, bl))
		return sqlx(mk, l, s, n);
	return MK_NONE;
}
