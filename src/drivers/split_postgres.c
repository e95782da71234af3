/*
 * PostgreSQL statement splitter. libpg_query's scanner, which is the
 * server's own lexer, decides where statements end. A small lexer of ours
 * adds what that scanner does not know: psql meta-commands, BEGIN ATOMIC
 * bodies (by psql's rule), input ending inside a quote or comment, and
 * text the scanner skips (statements without any keyword, or everything
 * after an unbalanced ')'). A ';' inside a BEGIN ATOMIC body does not end
 * a statement; a line starting with '\' at a statement start is a psql
 * meta-command (META). libpg_query is loaded when the scanner is first
 * needed.
 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../util/alloc.h"
#include "pgquery_load.h"
#include "split.h"

/* ------------------------------------------------------------------ */
/* Lexer                                                              */

enum tok_kind {
	TOK_EOF,
	TOK_SPACE, /* whitespace or a comment */
	TOK_SEMI,
	TOK_LPAREN,
	TOK_RPAREN,
	TOK_WORD, /* keyword or bare identifier */
	TOK_OTHER /* anything else: literals, quoted names, operators */
};

struct token {
	enum tok_kind kind;
	size_t start, end;
};

struct lexer {
	const char *sql;
	size_t len, pos;
	int unterminated; /* the last token ran into the end of input */
};

/* PostgreSQL 15, like libpg_query, does not count '\v' as space */
static int is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static int is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static int is_ident_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	       c >= 0x80;
}

static int is_ident_cont(unsigned char c)
{
	return is_ident_start(c) || is_digit(c) || c == '$';
}

static int is_dollar_tag_cont(unsigned char c)
{
	return is_ident_start(c) || is_digit(c);
}

static unsigned char at(const struct lexer *lx, size_t i)
{
	return i < lx->len ? (unsigned char)lx->sql[i] : 0;
}

static size_t lex_while(const struct lexer *lx, size_t i,
                        int (*pred)(unsigned char))
{
	while (i < lx->len && pred(at(lx, i)))
		i++;
	return i;
}

static size_t unterminated(struct lexer *lx)
{
	lx->unterminated = 1;
	return lx->len;
}

/*
 * After a string's closing quote: the position after the opening quote of
 * a continuation ('a' <newline> 'b' is one literal), or 0. The scanner of
 * PostgreSQL 15 allows only blanks here, no comments.
 */
static size_t continuation(const struct lexer *lx, size_t i)
{
	unsigned char c;
	int newline = 0;

	for (; i < lx->len; i++) {
		c = at(lx, i);
		if (c == '\n' || c == '\r')
			newline = 1;
		else if (c != ' ' && c != '\t' && c != '\f')
			break;
	}
	return newline && at(lx, i) == '\'' ? i + 1 : 0;
}

/* '...' or E'...' from just after the opening quote */
static size_t lex_string(struct lexer *lx, size_t i, int escapes)
{
	unsigned char c;
	size_t next;

	for (; i < lx->len; i++) {
		c = at(lx, i);
		if (c == '\\' && escapes) {
			i++;
		} else if (c == '\'') {
			if (at(lx, i + 1) == '\'') {
				i++;
				continue;
			}
			next = escapes ? continuation(lx, i + 1) : 0;
			if (!next)
				return i + 1;
			i = next - 1;
		}
	}
	return unterminated(lx);
}

static size_t lex_quoted_ident(struct lexer *lx, size_t i)
{
	for (i++; i < lx->len; i++) {
		if (at(lx, i) != '"')
			continue;
		if (at(lx, i + 1) != '"')
			return i + 1;
		i++;
	}
	return unterminated(lx);
}

/* Comments nest in PostgreSQL. */
static size_t lex_block_comment(struct lexer *lx, size_t i)
{
	size_t depth = 0;

	while (i < lx->len) {
		if (at(lx, i) == '/' && at(lx, i + 1) == '*') {
			depth++;
			i += 2;
		} else if (at(lx, i) == '*' && at(lx, i + 1) == '/') {
			i += 2;
			if (--depth == 0)
				return i;
		} else {
			i++;
		}
	}
	return unterminated(lx);
}

static size_t lex_line_comment(const struct lexer *lx, size_t i)
{
	while (i < lx->len && at(lx, i) != '\n' && at(lx, i) != '\r')
		i++;
	return i;
}

/*
 * A number as the scanner reads it: digits, a fraction, an exponent. A
 * letter after it starts a new word, which takes any '$' that follows.
 */
static size_t lex_number(const struct lexer *lx, size_t i)
{
	size_t j;

	i = lex_while(lx, i, is_digit);
	if (at(lx, i) == '.' && at(lx, i + 1) != '.')
		i = lex_while(lx, i + 1, is_digit);
	if (at(lx, i) == 'e' || at(lx, i) == 'E') {
		j = i + 1;
		if (at(lx, j) == '+' || at(lx, j) == '-')
			j++;
		if (is_digit(at(lx, j)))
			i = lex_while(lx, j, is_digit);
	}
	return i;
}

/* $1 parameter, $tag$ ... $tag$ string, or a lone '$' */
static size_t lex_dollar(struct lexer *lx, size_t i)
{
	size_t tag_end = i + 1, j;

	if (is_digit(at(lx, i + 1)))
		return lex_while(lx, i + 1, is_digit);
	if (is_ident_start(at(lx, tag_end)))
		tag_end = lex_while(lx, tag_end + 1, is_dollar_tag_cont);
	if (at(lx, tag_end) != '$')
		return i + 1;
	tag_end++;
	for (j = tag_end; j + (tag_end - i) <= lx->len; j++) {
		if (memcmp(lx->sql + j, lx->sql + i, tag_end - i) == 0)
			return j + (tag_end - i);
	}
	return unterminated(lx);
}

/*
 * A word, or a string with a one-letter prefix (E'..', B'..', X'..',
 * N'..') or U&'..' / U&"..".
 */
static size_t lex_word(struct lexer *lx, size_t i, enum tok_kind *kind)
{
	unsigned char c = at(lx, i), c1 = at(lx, i + 1);

	*kind = TOK_OTHER;
	if (c1 == '\'' && strchr("eE", c))
		return lex_string(lx, i + 2, 1);
	if (c1 == '\'' && strchr("bBxXnN", c))
		return lex_string(lx, i + 2, 0);
	if ((c == 'u' || c == 'U') && c1 == '&' && at(lx, i + 2) == '\'')
		return lex_string(lx, i + 3, 0);
	if ((c == 'u' || c == 'U') && c1 == '&' && at(lx, i + 2) == '"')
		return lex_quoted_ident(lx, i + 2);
	*kind = TOK_WORD;
	return lex_while(lx, i + 1, is_ident_cont);
}

static void next_token(struct lexer *lx, struct token *tok)
{
	size_t i = lx->pos;
	unsigned char c = at(lx, i), c1 = at(lx, i + 1);

	tok->start = i;
	tok->kind = TOK_OTHER;
	if (i >= lx->len) {
		tok->kind = TOK_EOF;
	} else if (is_space(c)) {
		tok->kind = TOK_SPACE;
		i = lex_while(lx, i, is_space);
	} else if (c == '-' && c1 == '-') {
		tok->kind = TOK_SPACE;
		i = lex_line_comment(lx, i);
	} else if (c == '/' && c1 == '*') {
		tok->kind = TOK_SPACE;
		i = lex_block_comment(lx, i);
	} else if (c == ';' || c == '(' || c == ')') {
		tok->kind = c == ';' ? TOK_SEMI :
		            c == '(' ? TOK_LPAREN :
		                       TOK_RPAREN;
		i++;
	} else if (c == '\'') {
		i = lex_string(lx, i + 1, 0);
	} else if (c == '"') {
		i = lex_quoted_ident(lx, i);
	} else if (c == '$') {
		i = lex_dollar(lx, i);
	} else if (is_ident_start(c)) {
		i = lex_word(lx, i, &tok->kind);
	} else if (is_digit(c)) {
		i = lex_number(lx, i);
	} else {
		i++;
	}
	tok->end = i;
	lx->pos = i;
}

static int word_is(const char *sql, const struct token *tok, const char *kw)
{
	return tok->kind == TOK_WORD &&
	       strata__split_keyword(sql + tok->start, tok->end - tok->start,
	                             kw, strlen(kw));
}

/* ------------------------------------------------------------------ */
/* Classification by leading keywords                                 */

#define MAX_WORDS 12

/* The words of a statement outside parentheses, if it starts with one. */
struct words {
	const char *sql;
	size_t n;
	struct token w[MAX_WORDS];
};

static void read_words(struct words *ws, const char *sql, size_t from,
                       size_t end)
{
	struct lexer lx = { sql, end, from, 0 };
	struct token tok;
	size_t depth = 0;
	int first = 1;

	ws->sql = sql;
	ws->n = 0;
	for (next_token(&lx, &tok); tok.kind != TOK_EOF && ws->n < MAX_WORDS;
	     next_token(&lx, &tok)) {
		if (tok.kind == TOK_SPACE)
			continue;
		if (first && tok.kind != TOK_WORD)
			return;
		first = 0;
		if (tok.kind == TOK_LPAREN)
			depth++;
		else if (tok.kind == TOK_RPAREN && depth > 0)
			depth--;
		else if (tok.kind == TOK_WORD && depth == 0)
			ws->w[ws->n++] = tok;
	}
}

static int w_is(const struct words *ws, size_t i, const char *kw)
{
	return i < ws->n && word_is(ws->sql, &ws->w[i], kw);
}

/* Is there a word a and, later, a word b? */
static int has_seq(const struct words *ws, const char *a, const char *b)
{
	size_t i, j;

	for (i = 0; i < ws->n; i++) {
		if (!w_is(ws, i, a))
			continue;
		for (j = i + 1; j < ws->n; j++) {
			if (w_is(ws, j, b))
				return 1;
		}
	}
	return 0;
}

static unsigned classify_txn(const struct words *ws)
{
	size_t i = 1;

	if (w_is(ws, 0, "BEGIN") || w_is(ws, 0, "ABORT") ||
	    w_is(ws, 0, "END") ||
	    (w_is(ws, 0, "START") && w_is(ws, 1, "TRANSACTION")) ||
	    (w_is(ws, 0, "PREPARE") && w_is(ws, 1, "TRANSACTION")))
		return STRATA_STMT_TXN_CONTROL;
	if (!w_is(ws, 0, "COMMIT") && !w_is(ws, 0, "ROLLBACK"))
		return 0;
	/* COMMIT / ROLLBACK PREPARED act on another, prepared transaction */
	if (w_is(ws, 1, "PREPARED"))
		return STRATA_STMT_NO_TXN;
	if (w_is(ws, 1, "WORK") || w_is(ws, 1, "TRANSACTION"))
		i++;
	if (w_is(ws, 0, "ROLLBACK") && w_is(ws, i, "TO"))
		return 0; /* ROLLBACK TO SAVEPOINT */
	return STRATA_STMT_TXN_CONTROL;
}

/* Statements PostgreSQL refuses inside a transaction block. */
static unsigned classify_no_txn(const struct words *ws)
{
	int create = w_is(ws, 0, "CREATE"), drop = w_is(ws, 0, "DROP");
	int alter = w_is(ws, 0, "ALTER");
	size_t i = w_is(ws, 1, "UNIQUE") ? 2 : 1;

	if (w_is(ws, 0, "VACUUM") ||
	    (w_is(ws, 0, "DISCARD") && w_is(ws, 1, "ALL")) ||
	    (alter && w_is(ws, 1, "SYSTEM")))
		return STRATA_STMT_NO_TXN;
	if ((create && w_is(ws, i, "INDEX") &&
	     w_is(ws, i + 1, "CONCURRENTLY")) ||
	    (drop && w_is(ws, 1, "INDEX") && w_is(ws, 2, "CONCURRENTLY")))
		return STRATA_STMT_NO_TXN;
	if (w_is(ws, 0, "REINDEX") &&
	    (w_is(ws, 1, "DATABASE") || w_is(ws, 1, "SYSTEM") ||
	     w_is(ws, 2, "CONCURRENTLY")))
		return STRATA_STMT_NO_TXN;
	if ((create || drop) &&
	    (w_is(ws, 1, "DATABASE") || w_is(ws, 1, "TABLESPACE")))
		return STRATA_STMT_NO_TXN;
	if ((create || drop || alter) && w_is(ws, 1, "SUBSCRIPTION"))
		return STRATA_STMT_NO_TXN;
	if (alter && w_is(ws, 1, "DATABASE") &&
	    has_seq(ws, "SET", "TABLESPACE"))
		return STRATA_STMT_NO_TXN;
	if (alter && w_is(ws, 1, "TABLE") &&
	    has_seq(ws, "DETACH", "CONCURRENTLY"))
		return STRATA_STMT_NO_TXN;
	return 0;
}

static unsigned classify(const char *sql, size_t from, size_t end)
{
	static const char *const ddl[] = { "CREATE",  "ALTER", "DROP",
		                           "COMMENT", "GRANT", "REVOKE",
		                           "TRUNCATE" };
	struct words ws;
	unsigned flags;
	size_t i;

	read_words(&ws, sql, from, end);
	flags = classify_txn(&ws) | classify_no_txn(&ws);
	for (i = 0; i < sizeof(ddl) / sizeof(ddl[0]); i++) {
		if (w_is(&ws, 0, ddl[i]))
			flags |= STRATA_STMT_DDL;
	}
	return flags;
}

/* ------------------------------------------------------------------ */
/* Our own pass: meta-commands, terminators, BEGIN ATOMIC bodies       */

enum mark_kind {
	MARK_TERM, /* a ';' that ends a statement */
	MARK_HOLD, /* a ';' inside a BEGIN ATOMIC body */
	MARK_META  /* a psql meta-command line */
};

struct mark {
	enum mark_kind kind;
	int keep;    /* the final split uses it */
	size_t pos;  /* the ';', or the meta-command's '\' */
	size_t end;  /* META: end of the command, before any '\r' */
	size_t next; /* META: end of its line, where the next statement starts
	              */
};

struct split {
	char *copy;  /* NUL-terminated, NULs and meta-commands blanked */
	size_t base; /* where the copy starts in the caller's text */
	size_t len;
	size_t tail; /* start of an unterminated last statement, or len */
	/* 1 + where a ')' closed nothing (the scanner loses count), or 0 */
	size_t unbalanced;
	struct mark *marks;
	size_t nmarks, alloc;
};

/* psql's state for one statement (psqlscan.l) */
struct stmt {
	size_t from; /* first byte after the previous statement */
	int has_content;
	size_t parens;
	size_t begins; /* BEGIN / CASE not yet closed by END */
	size_t nident;
	char idents[4]; /* first letters of CREATE [OR REPLACE] FUNCTION */
};

static int add_mark(struct split *s, enum mark_kind kind, size_t pos,
                    size_t end, size_t next)
{
	struct mark *m;

	if (s->nmarks == s->alloc) {
		size_t alloc = s->alloc ? s->alloc * 2 : 16;

		m = strata__reallocarray(s->marks, alloc, sizeof(*m));
		if (!m)
			return STRATA_ENOMEM;
		s->marks = m;
		s->alloc = alloc;
	}
	m = &s->marks[s->nmarks++];
	m->kind = kind;
	m->keep = kind != MARK_HOLD;
	m->pos = pos;
	m->end = end;
	m->next = next;
	return 0;
}

static void stmt_reset(struct stmt *st, size_t from)
{
	memset(st, 0, sizeof(*st));
	st->from = from;
}

static int in_routine_header(const struct stmt *st)
{
	const char *id = st->idents;

	return id[0] == 'c' && (id[1] == 'f' || id[1] == 'p' ||
	                        (id[1] == 'o' && id[2] == 'r' &&
	                         (id[3] == 'f' || id[3] == 'p')));
}

/*
 * psql's heuristic: in CREATE [OR REPLACE] FUNCTION / PROCEDURE, BEGIN
 * opens a body that the matching END closes, and CASE inside the body
 * also takes an END; ';' inside the body does not end the statement.
 */
static void note_word(struct stmt *st, const char *sql, const struct token *tok)
{
	static const char *const header[] = { "CREATE", "FUNCTION", "PROCEDURE",
		                              "OR", "REPLACE" };
	size_t i;

	for (i = 0; i < sizeof(header) / sizeof(header[0]) &&
	            st->nident < sizeof(st->idents);
	     i++) {
		if (word_is(sql, tok, header[i]))
			st->idents[st->nident] =
			        (char)(header[i][0] - 'A' + 'a');
	}
	st->nident++;
	if (!in_routine_header(st) || st->parens > 0)
		return;
	if (word_is(sql, tok, "BEGIN"))
		st->begins++;
	else if (word_is(sql, tok, "CASE") && st->begins > 0)
		st->begins++;
	else if (word_is(sql, tok, "END") && st->begins > 0)
		st->begins--;
}

static int line_is_blank_before(const char *sql, size_t i)
{
	while (i > 0 && (sql[i - 1] == ' ' || sql[i - 1] == '\t'))
		i--;
	return i == 0 || sql[i - 1] == '\n' || sql[i - 1] == '\r';
}

/* Record a meta-command line, blank it for the scanner, skip it. */
static int take_meta(struct split *s, struct lexer *lx, size_t start)
{
	size_t eol = start, end;

	while (eol < s->len && s->copy[eol] != '\n')
		eol++;
	end = eol;
	if (end > start && s->copy[end - 1] == '\r')
		end--;
	memset(s->copy + start, ' ', eol - start);
	lx->pos = eol;
	return add_mark(s, MARK_META, start, end, eol);
}

/*
 * Feed one token to psql's state. Returns the kind of mark a ';' makes,
 * or -1 for a ';' inside parentheses and for any other token. Sets
 * *unbalanced on a ')' that closes nothing.
 */
static int feed(struct stmt *st, const char *sql, const struct token *tok,
                int *unbalanced)
{
	switch (tok->kind) {
	case TOK_SPACE:
		return -1;
	case TOK_SEMI:
		if (st->parens > 0)
			return -1;
		return st->begins > 0 ? MARK_HOLD : MARK_TERM;
	case TOK_LPAREN:
		st->parens++;
		break;
	case TOK_RPAREN:
		if (st->parens > 0)
			st->parens--;
		else
			*unbalanced = 1;
		break;
	case TOK_WORD:
		note_word(st, sql, tok);
		break;
	default:
		break;
	}
	st->has_content = 1;
	return -1;
}

static int is_meta_start(const struct split *s, const struct stmt *st,
                         const struct token *tok)
{
	return !st->has_content && tok->kind == TOK_OTHER &&
	       s->copy[tok->start] == '\\' &&
	       line_is_blank_before(s->copy, tok->start);
}

static int lex_all(struct split *s)
{
	struct lexer lx = { s->copy, s->len, 0, 0 };
	struct stmt st;
	struct token tok;
	int kind, rc, unbalanced = 0;

	stmt_reset(&st, 0);
	for (next_token(&lx, &tok); tok.kind != TOK_EOF;
	     next_token(&lx, &tok)) {
		if (is_meta_start(s, &st, &tok)) {
			rc = take_meta(s, &lx, tok.start);
			if (rc)
				return rc;
			stmt_reset(&st, lx.pos);
			continue;
		}
		kind = feed(&st, s->copy, &tok, &unbalanced);
		if (unbalanced && !s->unbalanced)
			s->unbalanced = tok.start + 1;
		if (kind < 0)
			continue;
		rc = add_mark(s, (enum mark_kind)kind, tok.start, 0, 0);
		if (rc)
			return rc;
		if (kind == MARK_TERM)
			stmt_reset(&st, tok.end);
	}
	if (lx.unterminated || (st.has_content && st.begins > 0))
		s->tail = st.from;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Reconciling with libpg_query's scanner                              */

static int compare_marks(const void *a, const void *b)
{
	const struct mark *x = a, *y = b;

	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static struct mark *find_mark(struct split *s, size_t n, size_t pos)
{
	struct mark key = { 0 }; /* bsearch() key: pos only */

	if (n == 0)
		return NULL;
	key.pos = pos;
	return bsearch(&key, s->marks, n, sizeof(key), compare_marks);
}

/*
 * The scanner's ends win, but a ';' we hold inside a BEGIN ATOMIC body
 * ends nothing, and our terminators cut the text the scanner skipped.
 */
static int reconcile(struct split *s, const PgQuerySplitResult *r)
{
	size_t n = s->nmarks, k = 0, e;
	struct mark *m;
	int i, rc;

	for (i = 0; i < r->n_stmts; i++) {
		size_t loc = (size_t)r->stmts[i]->stmt_location;

		e = loc + (size_t)r->stmts[i]->stmt_len;
		for (; k < n && s->marks[k].pos < e; k++) {
			if (s->marks[k].kind == MARK_TERM &&
			    s->marks[k].pos >= loc)
				s->marks[k].keep = 0;
		}
		if (e >= s->tail || s->copy[e] != ';')
			continue;
		m = find_mark(s, n, e);
		if (!m) {
			rc = add_mark(s, MARK_TERM, e, 0, 0);
			if (rc)
				return rc;
		} else if (m->kind == MARK_TERM) {
			m->keep = 1;
		}
	}
	if (s->nmarks > 1)
		qsort(s->marks, s->nmarks, sizeof(*s->marks), compare_marks);
	return 0;
}

static int mentions_unterminated(const PgQueryError *err)
{
	return err->message && strstr(err->message, "unterminated");
}

/*
 * Returns 1 when the scanner found an unterminated construct that we did
 * not, so that nothing can be trusted, else 0 or an error. In a segment
 * of a longer text (see strata__split_postgres), returns 2 unless the
 * scanner ends a statement at the segment's last ';' as we do: the
 * segment must then grow.
 */
static int run_scanner(struct split *s, int segment)
{
	PgQuerySplitResult r;
	char saved = s->copy[s->tail];
	int rc = 0;

	/*
	 * Our own terminators alone when there is nothing to scan, when the
	 * input is too long for the scanner's int offsets, or after a ')'
	 * that closes nothing: the scanner's unsigned paren counter wraps
	 * around there and it drops or misplaces every later statement.
	 */
	if (s->tail == 0 || s->tail > (size_t)INT_MAX || s->unbalanced)
		return 0;
	if (strata__pgq_load(NULL) < 0)
		return STRATA_ENOTSUPP;
	s->copy[s->tail] = '\0'; /* the scanner sees the complete part */
	r = strata__pgq.pg_query_split_with_scanner(s->copy);
	s->copy[s->tail] = saved;
	if (r.error)
		rc = segment ? 2 : mentions_unterminated(r.error);
	else if (segment &&
	         (r.n_stmts < 1 ||
	          (size_t)r.stmts[r.n_stmts - 1]->stmt_location +
	                          (size_t)r.stmts[r.n_stmts - 1]->stmt_len +
	                          1 !=
	                  s->tail))
		rc = 2;
	else
		rc = reconcile(s, &r);
	strata__pgq.pg_query_free_split_result(r);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Reporting                                                          */

static size_t skip_space(const char *sql, size_t from, size_t end)
{
	while (from < end && is_space((unsigned char)sql[from]))
		from++;
	return from;
}

static int has_content(const char *sql, size_t from, size_t end)
{
	struct lexer lx = { sql, end, from, 0 };
	struct token tok;

	for (next_token(&lx, &tok); tok.kind != TOK_EOF;
	     next_token(&lx, &tok)) {
		if (tok.kind != TOK_SPACE && tok.kind != TOK_SEMI)
			return 1;
	}
	return 0;
}

static int emit(const struct split *s, size_t from, size_t end, unsigned flags,
                strata_stmt_cb cb, void *payload)
{
	from = skip_space(s->copy, from, end);
	if (!(flags & STRATA_STMT_INCOMPLETE) &&
	    !has_content(s->copy, from, end))
		return 0;
	flags |= classify(s->copy, from, end);
	return cb(payload, s->base + from, end - from, flags);
}

static int emit_all(const struct split *s, strata_stmt_cb cb, void *payload)
{
	size_t from = 0, i;
	int rc = 0;

	for (i = 0; i < s->nmarks && !rc; i++) {
		const struct mark *m = &s->marks[i];

		if (!m->keep)
			continue;
		if (m->kind == MARK_TERM) {
			rc = emit(s, from, m->pos + 1, 0, cb, payload);
			from = m->pos + 1;
			continue;
		}
		rc = emit(s, from, m->pos, 0, cb, payload);
		if (!rc)
			rc = cb(payload, s->base + m->pos, m->end - m->pos,
			        STRATA_STMT_META);
		from = m->next;
	}
	if (!rc)
		rc = emit(s, from, s->tail, 0, cb, payload);
	if (!rc && s->tail < s->len)
		rc = emit(s, s->tail, s->len, STRATA_STMT_INCOMPLETE, cb,
		          payload);
	return rc;
}

/* A private, NUL-terminated copy, NULs inside turned into spaces. */
static int make_copy(struct split *s, const char *sql, size_t len)
{
	size_t i;

	if (len == SIZE_MAX)
		return STRATA_ENOMEM;
	s->copy = strata__malloc(len + 1);
	if (!s->copy)
		return STRATA_ENOMEM;
	memcpy(s->copy, sql, len);
	for (i = 0; i < len; i++) {
		if (s->copy[i] == '\0')
			s->copy[i] = ' ';
	}
	s->copy[len] = '\0';
	s->len = len;
	s->tail = len;
	return 0;
}

static void split_release(struct split *s)
{
	strata__free(s->copy);
	strata__free(s->marks);
	memset(s, 0, sizeof(*s));
}

/*
 * End the segment s at its last ';' that ends a statement by our own
 * reading: 0, or 1 when it has none (the segment must grow).
 */
static int cut_at_last_term(struct split *s)
{
	size_t i = s->nmarks;

	while (i > 0 && s->marks[i - 1].kind != MARK_TERM)
		i--;
	if (i == 0)
		return 1;
	s->nmarks = i;
	s->len = s->tail = s->marks[i - 1].pos + 1;
	s->copy[s->len] = '\0';
	if (s->unbalanced > s->len)
		s->unbalanced = 0;
	return 0;
}

/*
 * Split sql[from, from + n) (n > 0), to the end of sql when that is where
 * it ends (last), else to its last statement's end, whose end is then
 * stored in *done. 2: the segment must grow.
 */
static int split_segment(const char *sql, size_t from, size_t n, int last,
                         size_t *done, strata_stmt_cb cb, void *payload)
{
	struct split s = { NULL, from, 0, 0, 0, NULL, 0, 0 };
	int rc;

	rc = make_copy(&s, sql + from, n);
	if (!rc)
		rc = lex_all(&s);
	if (!rc && !last)
		rc = cut_at_last_term(&s) ? 2 : 0;
	if (!rc)
		rc = run_scanner(&s, !last);
	if (rc == 1) {
		/* the scanner saw an unterminated construct we missed */
		size_t at = skip_space(sql, from, from + n);

		rc = cb(payload, at, from + n - at, STRATA_STMT_INCOMPLETE);
	} else if (!rc) {
		*done = from + s.len;
		rc = emit_all(&s, cb, payload);
	}
	split_release(&s);
	return rc;
}

/*
 * A text longer than SEGMENT_BYTES is split a segment at a time, each cut
 * after a statement's ';': the scanner keeps every token's text until it
 * is done, several times the text's size, and the whole of a large seed
 * file took gigabytes. The scanner starts each segment where it stood at
 * the end of the one before (outside any statement), so the statements
 * are those of the whole text; a segment whose last ';' the scanner does
 * not read as an end (our lexer and it disagree) grows until they agree,
 * up to the rest of the text.
 */
#define SEGMENT_BYTES (1024 * 1024)

int strata__split_postgres(const char *sql, size_t len, strata_stmt_cb cb,
                           void *payload)
{
	size_t from = 0, want = SEGMENT_BYTES, done = 0;
	int rc = 0;

	while (from < len && !rc) {
		size_t n = len - from < want ? len - from : want;

		rc = split_segment(sql, from, n, from + n == len, &done, cb,
		                   payload);
		if (rc == 2) {
			want *= 2;
			rc = 0;
			continue;
		}
		from = from + n == len ? len : done;
		want = SEGMENT_BYTES;
	}
	return rc;
}
