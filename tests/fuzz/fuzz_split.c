/*
 * libFuzzer target for the statement splitters. For every dialect the
 * spans must lie inside the input, increase and not overlap. PostgreSQL is
 * checked against libpg_query (its scanner's split and, through
 * pg_query_scan() tokens, psql's rules), and SQLite against repeated
 * sqlite3_prepare_v2() calls.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <pg_query.h>
#include <sqlite3.h>

#include "drivers/split.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)  \
 do {                \
  if (!(cond))       \
   __builtin_trap(); \
 } while (0)

struct span {
	size_t off, len;
	unsigned flags;
};

struct spans {
	size_t size; /* of the input */
	size_t n, alloc;
	struct span *v;
	unsigned any_flags;
};

static int collect(void *payload, size_t off, size_t len, unsigned flags)
{
	struct spans *s = payload;
	size_t prev_end = s->n ? s->v[s->n - 1].off + s->v[s->n - 1].len : 0;

	CHECK(off <= s->size && len <= s->size - off);
	CHECK(off >= prev_end);
	CHECK(len > 0);
	if (s->n == s->alloc) {
		s->alloc = s->alloc ? 2 * s->alloc : 16;
		s->v = realloc(s->v, s->alloc * sizeof(*s->v));
		CHECK(s->v != NULL);
	}
	s->v[s->n].off = off;
	s->v[s->n].len = len;
	s->v[s->n].flags = flags;
	s->n++;
	s->any_flags |= flags;
	return 0;
}

static void run(int (*fn)(const char *, size_t, strata_stmt_cb, void *),
                const uint8_t *data, size_t size, struct spans *out)
{
	memset(out, 0, sizeof(*out));
	out->size = size;
	CHECK(fn((const char *)data, size, collect, out) == 0);
}

static int contains_ci(const char *s, const char *word)
{
	size_t n = strlen(word), i, k;

	for (i = 0; s[i]; i++) {
		for (k = 0; k < n; k++) {
			char c = s[i + k];

			if (c >= 'A' && c <= 'Z')
				c = (char)(c - 'A' + 'a');
			if (c != word[k])
				break;
		}
		if (k == n)
			return 1;
	}
	return 0;
}

/* A '\' first on a line: it may be a meta-command. */
static int has_meta_line(const char *s)
{
	int line_start = 1;

	for (; *s; s++) {
		if (*s == '\\' && line_start)
			return 1;
		if (*s == '\n' || *s == '\r')
			line_start = 1;
		else if (*s != ' ' && *s != '\t')
			line_start = 0;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* pg_query_scan() tokens, decoded from its protobuf by hand            */

struct pg_tok {
	int start, end, token, keyword;
};

struct pg_toks {
	size_t n, alloc;
	struct pg_tok *v;
};

static int read_varint(const uint8_t **p, const uint8_t *end, uint64_t *out)
{
	unsigned shift = 0;

	*out = 0;
	while (*p < end && shift < 64) {
		uint8_t b = *(*p)++;

		*out |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return 0;
		shift += 7;
	}
	return -1;
}

static int skip_field(const uint8_t **p, const uint8_t *end, unsigned wire)
{
	uint64_t v;

	if (wire == 0)
		return read_varint(p, end, &v);
	if (wire != 2 || read_varint(p, end, &v) || v > (uint64_t)(end - *p))
		return -1;
	*p += v;
	return 0;
}

static int decode_token(const uint8_t *p, const uint8_t *end, struct pg_tok *t)
{
	uint64_t key, v;

	memset(t, 0, sizeof(*t));
	while (p < end) {
		if (read_varint(&p, end, &key))
			return -1;
		if ((key & 7) != 0) {
			if (skip_field(&p, end, key & 7))
				return -1;
			continue;
		}
		if (read_varint(&p, end, &v))
			return -1;
		if (key >> 3 == 1)
			t->start = (int)v;
		else if (key >> 3 == 2)
			t->end = (int)v;
		else if (key >> 3 == 4)
			t->token = (int)v;
		else if (key >> 3 == 5)
			t->keyword = (int)v;
	}
	return 0;
}

static int decode_scan(const uint8_t *p, size_t len, struct pg_toks *out)
{
	const uint8_t *end = p + len;
	uint64_t key, n;

	while (p < end) {
		if (read_varint(&p, end, &key))
			return -1;
		if (key != ((2 << 3) | 2)) {
			if (skip_field(&p, end, key & 7))
				return -1;
			continue;
		}
		if (read_varint(&p, end, &n) || n > (uint64_t)(end - p))
			return -1;
		if (out->n == out->alloc) {
			out->alloc = out->alloc ? 2 * out->alloc : 64;
			out->v = realloc(out->v, out->alloc * sizeof(*out->v));
			CHECK(out->v != NULL);
		}
		if (decode_token(p, p + n, &out->v[out->n++]))
			return -1;
		p += n;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* PostgreSQL: psql's rules applied to the server's own tokens          */

#define TOKEN_IDENT       258
#define TOKEN_SQL_COMMENT 275
#define TOKEN_C_COMMENT   276

struct psql {
	size_t parens, begins, nident;
	char idents[4];
	int has_content;
};

struct psql_result {
	size_t n;       /* statements */
	int in_body;    /* the input ends inside a BEGIN ATOMIC body */
	int unbalanced; /* some ')' closed nothing */
};

static int word_eq(const char *sql, const struct pg_tok *t, const char *w)
{
	size_t n = strlen(w), i;

	if ((size_t)(t->end - t->start) != n)
		return 0;
	for (i = 0; i < n; i++) {
		char c = sql[t->start + (int)i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != w[i])
			return 0;
	}
	return 1;
}

static void psql_word(struct psql *st, const char *sql, const struct pg_tok *t)
{
	static const char *const header[] = { "create", "function", "procedure",
		                              "or", "replace" };
	const char *id = st->idents;
	size_t i;

	for (i = 0; i < 5 && st->nident < 4; i++) {
		if (word_eq(sql, t, header[i]))
			st->idents[st->nident] = header[i][0];
	}
	st->nident++;
	if (!(id[0] == 'c' && (id[1] == 'f' || id[1] == 'p' ||
	                       (id[1] == 'o' && id[2] == 'r' &&
	                        (id[3] == 'f' || id[3] == 'p')))) ||
	    st->parens > 0)
		return;
	if (word_eq(sql, t, "begin"))
		st->begins++;
	else if (word_eq(sql, t, "case") && st->begins > 0)
		st->begins++;
	else if (word_eq(sql, t, "end") && st->begins > 0)
		st->begins--;
}

/* The statement ends psql would find, from the scanner's tokens. */
static void psql_ends(const char *sql, size_t size, const struct pg_toks *toks,
                      size_t *ends, struct psql_result *out)
{
	struct psql st;
	size_t i;

	memset(&st, 0, sizeof(st));
	memset(out, 0, sizeof(*out));
	for (i = 0; i < toks->n; i++) {
		const struct pg_tok *t = &toks->v[i];

		if (t->token == TOKEN_SQL_COMMENT ||
		    t->token == TOKEN_C_COMMENT)
			continue;
		if (t->token == ';' && st.parens == 0 && st.begins == 0) {
			if (st.has_content)
				ends[out->n++] = (size_t)t->end;
			memset(&st, 0, sizeof(st));
			continue;
		}
		if (t->token != ';')
			st.has_content = 1;
		if (t->token == '(')
			st.parens++;
		else if (t->token == ')' && st.parens > 0)
			st.parens--;
		else if (t->token == ')')
			out->unbalanced = 1;
		else if ((t->keyword != 0 || t->token == TOKEN_IDENT) &&
		         sql[t->start] != '"')
			psql_word(&st, sql, t);
	}
	out->in_body = st.begins > 0;
	if (st.has_content && !out->in_body)
		ends[out->n++] = size;
}

/*
 * Our spans against psql's rules on the server's tokens. Returns 1 when
 * the scanner's split can be compared too: the input scans and has its
 * parentheses balanced.
 */
static int check_pg_tokens(const char *sql, size_t size,
                           const struct spans *got)
{
	PgQueryScanResult r = pg_query_scan(sql);
	struct pg_toks toks = { 0, 0, NULL };
	struct psql_result res;
	size_t *ends, i;
	int incomplete = got->n &&
	                 (got->v[got->n - 1].flags & STRATA_STMT_INCOMPLETE);

	if (r.error) {
		if (strstr(r.error->message, "unterminated"))
			CHECK(incomplete);
		pg_query_free_scan_result(r);
		return 0;
	}
	CHECK(decode_scan((const uint8_t *)r.pbuf.data, r.pbuf.len, &toks) ==
	      0);
	pg_query_free_scan_result(r);
	ends = malloc((toks.n + 1) * sizeof(*ends));
	CHECK(ends != NULL);
	psql_ends(sql, size, &toks, ends, &res);
	if (res.in_body) {
		CHECK(incomplete);
	} else {
		CHECK(!incomplete);
		CHECK(got->n == res.n);
		for (i = 0; i < res.n; i++)
			CHECK(got->v[i].off + got->v[i].len == ends[i]);
	}
	free(ends);
	free(toks.v);
	return !res.unbalanced;
}

static int span_holding(const struct spans *got, size_t pos)
{
	size_t i;

	for (i = 0; i < got->n; i++) {
		if (pos >= got->v[i].off && pos < got->v[i].off + got->v[i].len)
			return (int)i;
	}
	return -1;
}

/*
 * Every statement of pg_query_split_with_scanner() ends inside one of our
 * spans, and without BEGIN bodies no two share one.
 */
static void check_pg_split(const char *sql, size_t size,
                           const struct spans *got)
{
	PgQuerySplitResult r = pg_query_split_with_scanner(sql);
	int i, k, prev = -1, matched = 0;

	if (!r.error && size > 0) {
		for (i = 0; i < r.n_stmts; i++) {
			size_t e = (size_t)(r.stmts[i]->stmt_location +
			                    r.stmts[i]->stmt_len);

			k = span_holding(got, e < size ? e : size - 1);
			CHECK(k >= 0);
			if (k != prev)
				matched++;
			prev = k;
		}
		if (!contains_ci(sql, "begin"))
			CHECK(matched == r.n_stmts);
	}
	pg_query_free_split_result(r);
}

static void check_postgres(const char *sql, size_t size)
{
	struct spans got;

	run(strata__split_postgres, (const uint8_t *)sql, size, &got);
	if (!has_meta_line(sql) && check_pg_tokens(sql, size, &got) &&
	    !(got.any_flags & STRATA_STMT_INCOMPLETE))
		check_pg_split(sql, size, &got);
	free(got.v);
}

/* ------------------------------------------------------------------ */
/* SQLite: the tails of sqlite3_prepare_v2()                           */

/*
 * The ends of the statements sqlite3_prepare_v2() accepts, up to the first
 * one it rejects; *all_ok says whether there was none.
 */
static size_t prepare_ends(const char *sql, size_t *ends, size_t max,
                           int *all_ok)
{
	static sqlite3 *db; /* prepared into, never run: kept for speed */
	const char *p = sql, *tail;
	size_t n = 0;

	*all_ok = 1;
	if (!db) {
		CHECK(sqlite3_open(":memory:", &db) == SQLITE_OK);
		CHECK(sqlite3_exec(db,
		                   "CREATE TABLE t(a, b);"
		                   "CREATE TABLE u(c);",
		                   NULL, NULL, NULL) == SQLITE_OK);
	}
	while (*p && n < max) {
		sqlite3_stmt *stmt = NULL;

		if (sqlite3_prepare_v2(db, p, -1, &stmt, &tail) != SQLITE_OK) {
			*all_ok = 0;
			break;
		}
		if (stmt)
			ends[n++] = (size_t)(tail - sql);
		sqlite3_finalize(stmt);
		if (tail == p)
			break;
		p = tail;
	}
	return n;
}

/*
 * The statements SQLite prepares end where ours do; when the input is
 * complete and everything prepares, the counts agree too.
 */
static void check_sqlite(const char *sql, size_t size)
{
	const unsigned skip = STRATA_STMT_INCOMPLETE | STRATA_STMT_META;
	struct spans got;
	size_t *ends, n, i;
	int all_ok;

	run(strata__split_sqlite, (const uint8_t *)sql, size, &got);
	ends = malloc((size + 1) * sizeof(*ends));
	CHECK(ends != NULL);
	n = prepare_ends(sql, ends, size + 1, &all_ok);
	for (i = 0; i < n; i++) {
		CHECK(i < got.n);
		if (got.v[i].flags & skip)
			break;
		CHECK(got.v[i].off + got.v[i].len == ends[i]);
	}
	if (all_ok && sqlite3_complete(sql) && !(got.any_flags & skip))
		CHECK(got.n == n);
	free(ends);
	free(got.v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spans got;
	char *sql;

	run(strata__split_mysql, data, size, &got);
	free(got.v);
	if (memchr(data, '\0', size)) {
		/* no C string: only the invariants */
		run(strata__split_sqlite, data, size, &got);
		free(got.v);
		run(strata__split_postgres, data, size, &got);
		free(got.v);
		return 0;
	}
	sql = malloc(size + 1);
	CHECK(sql != NULL);
	memcpy(sql, data, size);
	sql[size] = '\0';
	check_sqlite(sql, size);
	check_postgres(sql, size);
	free(sql);
	return 0;
}
