/*
 * MySQL and MariaDB statement splitter. It follows the mysql command-line
 * client: strings with backslash escapes, three comment styles,
 * executable comments (kept as statement text), DELIMITER lines (not
 * reported; a custom delimiter is left out of the span) and backslash
 * commands at the start of a statement (META).
 */
#include <string.h>

#include "split.h"

enum tok_kind {
	TOK_EOF,
	TOK_SPACE, /* whitespace or a comment */
	TOK_DELIM, /* the current delimiter */
	TOK_WORD,  /* keyword or bare identifier */
	TOK_OTHER  /* anything else: literals, quoted names, operators */
};

struct token {
	enum tok_kind kind;
	size_t start, end;
};

struct lexer {
	const char *sql;
	size_t len, pos;
	int unterminated;  /* the last token ran into the end of input */
	const char *delim; /* ";" or a DELIMITER argument inside sql */
	size_t delim_len;
};

#define MAX_WORDS 4

struct stmt {
	size_t from;    /* first byte after the previous statement */
	size_t ntoks;   /* tokens other than space and the delimiter */
	int words_done; /* the first token was not a word */
	size_t nwords;
	struct token words[MAX_WORDS];
};

static int is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	       c == '\v';
}

static int is_blank(unsigned char c)
{
	return c == ' ' || c == '\t';
}

static int is_idchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '$' || c >= 0x80;
}

static unsigned char at(const struct lexer *lx, size_t i)
{
	return i < lx->len ? (unsigned char)lx->sql[i] : 0;
}

/*
 * Like the client, this matches the delimiter anywhere outside quotes and
 * comments, even inside a word, and with case.
 */
static int delim_at(const struct lexer *lx, size_t i)
{
	/* the first byte first: this runs at every byte of a file */
	return lx->delim_len <= lx->len - i && lx->sql[i] == lx->delim[0] &&
	       memcmp(lx->sql + i, lx->delim, lx->delim_len) == 0;
}

static size_t unterminated(struct lexer *lx)
{
	lx->unterminated = 1;
	return lx->len;
}

/* '...' and "..." take backslash escapes; `...` does not */
static size_t lex_quoted(struct lexer *lx, size_t i)
{
	unsigned char q = at(lx, i), c;

	for (i++; i < lx->len; i++) {
		c = at(lx, i);
		if (c == '\\' && q != '`') {
			i++;
		} else if (c == q) {
			if (at(lx, i + 1) != q)
				return i + 1;
			i++;
		}
	}
	return unterminated(lx);
}

static size_t lex_block_comment(struct lexer *lx, size_t i)
{
	for (i += 2; i + 1 < lx->len; i++) {
		if (at(lx, i) == '*' && at(lx, i + 1) == '/')
			return i + 2;
	}
	return unterminated(lx);
}

static size_t end_of_line(const struct lexer *lx, size_t i)
{
	const char *nl = memchr(lx->sql + i, '\n', lx->len - i);

	return nl ? (size_t)(nl - lx->sql) : lx->len;
}

/* "--" starts a comment only when a space or control character follows */
static int is_dash_comment(const struct lexer *lx, size_t i)
{
	unsigned char c = at(lx, i + 2);

	return at(lx, i) == '-' && at(lx, i + 1) == '-' &&
	       (i + 2 >= lx->len || c <= ' ' || c == 0x7f);
}

/*
 * A block comment whose opening is followed by '!', '+' or "M!" is an
 * executable comment or an optimizer hint: the server runs it, so it is
 * statement text (and a ';' inside it ends nothing).
 */
static int is_executable_comment(const struct lexer *lx, size_t i)
{
	unsigned char c = at(lx, i + 2);

	return c == '!' || c == '+' || (c == 'M' && at(lx, i + 3) == '!');
}

/* A run of identifier characters, stopping where the delimiter starts. */
static size_t lex_word(const struct lexer *lx, size_t i)
{
	for (i++; i < lx->len && is_idchar(at(lx, i)); i++) {
		if (delim_at(lx, i))
			break;
	}
	return i;
}

static void next_token(struct lexer *lx, struct token *tok)
{
	size_t i = lx->pos;
	unsigned char c = at(lx, i), c1 = at(lx, i + 1);

	tok->start = i;
	tok->kind = TOK_OTHER;
	if (i >= lx->len) {
		tok->kind = TOK_EOF;
	} else if (delim_at(lx, i)) {
		tok->kind = TOK_DELIM;
		i += lx->delim_len;
	} else if (is_space(c)) {
		tok->kind = TOK_SPACE;
		while (i < lx->len && is_space(at(lx, i)) && !delim_at(lx, i))
			i++;
	} else if (c == '#' || is_dash_comment(lx, i)) {
		tok->kind = TOK_SPACE;
		i = end_of_line(lx, i);
	} else if (c == '/' && c1 == '*') {
		if (!is_executable_comment(lx, i))
			tok->kind = TOK_SPACE;
		i = lex_block_comment(lx, i);
	} else if (c == '\'' || c == '"' || c == '`') {
		i = lex_quoted(lx, i);
	} else if (is_idchar(c)) {
		tok->kind = TOK_WORD;
		i = lex_word(lx, i);
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

static int w_is(const char *sql, const struct stmt *st, size_t i,
                const char *kw)
{
	return i < st->nwords && word_is(sql, &st->words[i], kw);
}

static unsigned classify_txn(const char *sql, const struct stmt *st)
{
	size_t i = w_is(sql, st, 1, "WORK") ? 2 : 1;

	/* BEGIN alone; BEGIN NOT ATOMIC ... END is a compound statement */
	if (w_is(sql, st, 0, "BEGIN"))
		return st->ntoks == i ? STRATA_STMT_TXN_CONTROL : 0;
	if (w_is(sql, st, 0, "ROLLBACK"))
		return w_is(sql, st, i, "TO") ? 0 : STRATA_STMT_TXN_CONTROL;
	if (w_is(sql, st, 0, "COMMIT") ||
	    (w_is(sql, st, 0, "START") && w_is(sql, st, 1, "TRANSACTION")))
		return STRATA_STMT_TXN_CONTROL;
	if (w_is(sql, st, 0, "SET")) {
		for (i = 1; i < st->nwords; i++) {
			if (w_is(sql, st, i, "AUTOCOMMIT"))
				return STRATA_STMT_TXN_CONTROL;
		}
	}
	return 0;
}

static unsigned classify(const char *sql, const struct stmt *st)
{
	static const char *const ddl[] = { "CREATE", "ALTER",    "DROP",
		                           "RENAME", "TRUNCATE", "GRANT",
		                           "REVOKE" };
	size_t i;

	for (i = 0; i < sizeof(ddl) / sizeof(ddl[0]); i++) {
		if (w_is(sql, st, 0, ddl[i]))
			return STRATA_STMT_DDL;
	}
	return classify_txn(sql, st);
}

static void stmt_reset(struct stmt *st, size_t from)
{
	memset(st, 0, sizeof(*st));
	st->from = from;
}

static void note_token(struct stmt *st, const struct token *tok)
{
	if (st->ntoks++ == 0 && tok->kind != TOK_WORD)
		st->words_done = 1;
	if (!st->words_done && tok->kind == TOK_WORD && st->nwords < MAX_WORDS)
		st->words[st->nwords++] = *tok;
}

static int emit(const char *sql, const struct stmt *st, size_t end,
                unsigned flags, strata_stmt_cb cb, void *payload)
{
	size_t from = st->from;

	while (from < end && is_space((unsigned char)sql[from]))
		from++;
	return cb(payload, from, end - from, flags | classify(sql, st));
}

static int line_is_blank_before(const char *sql, size_t i)
{
	while (i > 0 && is_blank((unsigned char)sql[i - 1]))
		i--;
	return i == 0 || sql[i - 1] == '\n' || sql[i - 1] == '\r';
}

/*
 * DELIMITER xx: the first argument, unquoted, becomes the delimiter; the
 * rest of the line is ignored, and so is a DELIMITER line without one.
 */
static void take_delimiter(struct lexer *lx, const struct token *tok)
{
	size_t eol = end_of_line(lx, tok->end), start = tok->end, end;
	const char *close = NULL;
	unsigned char q;

	while (start < eol && is_blank(at(lx, start)))
		start++;
	q = at(lx, start);
	if (start < eol && (q == '\'' || q == '"' || q == '`'))
		close = memchr(lx->sql + start + 1, q, eol - start - 1);
	if (close) {
		start++;
		end = (size_t)(close - lx->sql);
	} else {
		end = start;
		while (end < eol && !is_space(at(lx, end)))
			end++;
	}
	if (end > start) {
		lx->delim = lx->sql + start;
		lx->delim_len = end - start;
	}
	lx->pos = eol;
}

static int is_delimiter_command(const struct lexer *lx, const struct token *tok)
{
	unsigned char c = at(lx, tok->end);

	return word_is(lx->sql, tok, "DELIMITER") &&
	       (tok->end == lx->len || is_space(c)) &&
	       line_is_blank_before(lx->sql, tok->start);
}

static int is_backslash_command(const struct lexer *lx, const struct token *tok)
{
	return tok->kind == TOK_OTHER && lx->sql[tok->start] == '\\' &&
	       line_is_blank_before(lx->sql, tok->start);
}

/* A backslash command runs to the end of its line. */
static int take_backslash_command(struct lexer *lx, size_t start,
                                  strata_stmt_cb cb, void *payload)
{
	size_t eol = end_of_line(lx, start), end = eol;

	if (end > start && at(lx, end - 1) == '\r')
		end--;
	lx->pos = eol;
	return cb(payload, start, end - start, STRATA_STMT_META);
}

/*
 * Handle a client command at the start of a statement. Returns 1 when
 * tok was one, else 0 or the callback's value.
 */
static int client_command(struct lexer *lx, struct stmt *st,
                          const struct token *tok, strata_stmt_cb cb,
                          void *payload, int *rc)
{
	*rc = 0;
	if (st->ntoks > 0)
		return 0;
	if (is_delimiter_command(lx, tok))
		take_delimiter(lx, tok);
	else if (is_backslash_command(lx, tok))
		*rc = take_backslash_command(lx, tok->start, cb, payload);
	else
		return 0;
	stmt_reset(st, lx->pos);
	return 1;
}

typedef int (*delim_cb)(void *payload, size_t off, const char *delim, size_t n);

static int split(const char *sql, size_t len, strata_stmt_cb cb, void *payload,
                 delim_cb dcb, void *dpayload)
{
	struct lexer lx = { sql, len, 0, 0, ";", 1 };
	struct stmt st;
	struct token tok;
	const char *delim;
	size_t end;
	int rc;

	/* the client skips a byte order mark at the start of a file */
	if (len >= 3 && memcmp(sql, "\xef\xbb\xbf", 3) == 0)
		lx.pos = 3;
	stmt_reset(&st, lx.pos);
	for (next_token(&lx, &tok); tok.kind != TOK_EOF;
	     next_token(&lx, &tok)) {
		if (tok.kind == TOK_SPACE)
			continue;
		delim = lx.delim;
		if (client_command(&lx, &st, &tok, cb, payload, &rc)) {
			if (rc)
				return rc;
			if (dcb && lx.delim != delim)
				rc = dcb(dpayload, lx.pos, lx.delim,
				         lx.delim_len);
			if (rc)
				return rc;
			continue;
		}
		if (tok.kind != TOK_DELIM) {
			note_token(&st, &tok);
			continue;
		}
		/* the span keeps a ';' but not a custom delimiter */
		end = lx.delim_len == 1 && *lx.delim == ';' ? tok.end :
		                                              tok.start;
		if (st.ntoks > 0) {
			rc = emit(sql, &st, end, 0, cb, payload);
			if (rc)
				return rc;
		}
		stmt_reset(&st, tok.end);
	}
	if (st.ntoks == 0 && !lx.unterminated)
		return 0;
	return emit(sql, &st, len, lx.unterminated ? STRATA_STMT_INCOMPLETE : 0,
	            cb, payload);
}

int strata__split_mysql(const char *sql, size_t len, strata_stmt_cb cb,
                        void *payload)
{
	return split(sql, len, cb, payload, NULL, NULL);
}

static int no_stmt(void *payload, size_t off, size_t len, unsigned flags)
{
	(void)payload;
	(void)off;
	(void)len;
	(void)flags;
	return 0;
}

int strata__split_mysql_delimiters(const char *sql, size_t len, delim_cb cb,
                                   void *payload)
{
	return split(sql, len, no_stmt, NULL, cb, payload);
}
