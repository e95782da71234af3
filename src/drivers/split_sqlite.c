/*
 * SQLite statement splitter. The lexer follows SQLite's tokenizer
 * (tokenize.c) for quotes, comments and variables, and the end of a
 * statement follows the state machine of sqlite3_complete() (complete.c),
 * so that the boundaries are those of repeated sqlite3_prepare_v2() calls:
 * CREATE TRIGGER bodies end at "; END;". A line starting with '.' at a
 * statement start is a shell dot-command, one starting with '\' a psql or
 * mysql command (META); PRAGMA journal_mode = x cannot run in a
 * transaction (NO_TXN).
 */
#include <string.h>

#include "split.h"

enum tok_kind {
	TOK_EOF,
	TOK_SPACE, /* whitespace or a comment */
	TOK_SEMI,
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

/*
 * The states of sqlite3_complete(). A ';' ends the statement in every
 * state but TRIGGER and SEMI, which are inside a CREATE TRIGGER body: that
 * ends with "; END", and no statement of the body can begin with END, so
 * CASE ... END inside the body needs no counting.
 */
enum state {
	ST_START,
	ST_NORMAL,
	ST_EXPLAIN,
	ST_CREATE,
	ST_TRIGGER,
	ST_SEMI,
	ST_END
};

#define MAX_WORDS 3

struct stmt {
	size_t from; /* first byte after the previous statement */
	enum state state;
	int has_content; /* a token other than space and ';' was seen */
	int words_done;  /* the leading run of words has ended */
	size_t nwords;
	struct token words[MAX_WORDS];
};

static int is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

/* sqlite3Isspace(), which unlike the tokenizer's first byte takes '\v' */
static int is_space_v(unsigned char c)
{
	return is_space(c) || c == '\v';
}

static int is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

/* IdChar() of tokenize.c */
static int is_idchar(unsigned char c)
{
	return is_alnum(c) || c == '_' || c == '$' || c >= 0x80;
}

static unsigned char at(const struct lexer *lx, size_t i)
{
	return i < lx->len ? (unsigned char)lx->sql[i] : 0;
}

static int is_bom(const struct lexer *lx, size_t i)
{
	return at(lx, i) == 0xef && at(lx, i + 1) == 0xbb &&
	       at(lx, i + 2) == 0xbf;
}

static size_t unterminated(struct lexer *lx)
{
	lx->unterminated = 1;
	return lx->len;
}

/* '...', "..." or `...`, the quote doubled inside */
static size_t lex_quoted(struct lexer *lx, size_t i)
{
	unsigned char q = at(lx, i);

	for (i++; i < lx->len; i++) {
		if (at(lx, i) != q)
			continue;
		if (at(lx, i + 1) != q)
			return i + 1;
		i++;
	}
	return unterminated(lx);
}

static size_t lex_bracketed(struct lexer *lx, size_t i)
{
	const char *end = memchr(lx->sql + i, ']', lx->len - i);

	return end ? (size_t)(end - lx->sql) + 1 : unterminated(lx);
}

static size_t lex_block_comment(struct lexer *lx, size_t i)
{
	for (i += 2; i + 1 < lx->len; i++) {
		if (at(lx, i) == '*' && at(lx, i + 1) == '/')
			return i + 2;
	}
	return unterminated(lx);
}

static size_t lex_line_comment(const struct lexer *lx, size_t i)
{
	const char *nl = memchr(lx->sql + i, '\n', lx->len - i);

	return nl ? (size_t)(nl - lx->sql) : lx->len;
}

/*
 * $name, @name, :name or #name, where a Tcl-style "(...)" suffix may hold
 * any byte but space, ';' included, and "::" may join parts.
 */
static size_t lex_variable(const struct lexer *lx, size_t i)
{
	size_t n = 0;
	unsigned char c;

	for (i++; i < lx->len; i++) {
		c = at(lx, i);
		if (is_idchar(c)) {
			n++;
		} else if (c == '(' && n > 0) {
			do {
				i++;
				c = at(lx, i);
			} while (i < lx->len && !is_space_v(c) && c != ')');
			return c == ')' ? i + 1 : i;
		} else if (c == ':' && at(lx, i + 1) == ':') {
			i++;
		} else {
			break;
		}
	}
	return i;
}

static size_t lex_while(const struct lexer *lx, size_t i,
                        int (*pred)(unsigned char))
{
	while (i < lx->len && pred(at(lx, i)))
		i++;
	return i;
}

/* The length and kind of the token at lx->pos; advances past it. */
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
		i = lex_while(lx, i + 1, is_space_v);
	} else if (is_bom(lx, i)) {
		tok->kind = TOK_SPACE;
		i += 3;
	} else if (c == '-' && c1 == '-') {
		tok->kind = TOK_SPACE;
		i = lex_line_comment(lx, i);
	} else if (c == '/' && c1 == '*') {
		tok->kind = TOK_SPACE;
		i = lex_block_comment(lx, i);
	} else if (c == ';') {
		tok->kind = TOK_SEMI;
		i++;
	} else if (c == '\'' || c == '"' || c == '`') {
		i = lex_quoted(lx, i);
	} else if (c == '[') {
		i = lex_bracketed(lx, i);
	} else if (c == '$' || c == '@' || c == ':' || c == '#') {
		i = lex_variable(lx, i);
	} else if (is_idchar(c)) {
		/* x'..' blobs lex as the word x and a string: same extent */
		tok->kind = TOK_WORD;
		i = lex_while(lx, i + 1, is_idchar);
	} else {
		i++;
	}
	tok->end = i;
	lx->pos = i;
}

/* kw is an upper-case literal */
#define word_is(sql, tok, kw) \
 STRATA_SPLIT_KEYWORD((sql) + (tok)->start, (tok)->end - (tok)->start, kw)

enum complete_tok {
	CT_SEMI,
	CT_OTHER,
	CT_EXPLAIN,
	CT_CREATE,
	CT_TEMP,
	CT_TRIGGER,
	CT_END
};

static enum complete_tok complete_token(const char *sql,
                                        const struct token *tok)
{
	if (tok->kind == TOK_SEMI)
		return CT_SEMI;
	if (tok->kind != TOK_WORD)
		return CT_OTHER;
	if (word_is(sql, tok, "CREATE"))
		return CT_CREATE;
	if (word_is(sql, tok, "TEMP") || word_is(sql, tok, "TEMPORARY"))
		return CT_TEMP;
	if (word_is(sql, tok, "TRIGGER"))
		return CT_TRIGGER;
	if (word_is(sql, tok, "END"))
		return CT_END;
	if (word_is(sql, tok, "EXPLAIN"))
		return CT_EXPLAIN;
	return CT_OTHER;
}

/*
 * trans[] of complete.c without its whitespace column: the next state by
 * the current one (rows, enum state) and the token (columns, enum
 * complete_tok).
 */
static const unsigned char transitions[7][7] = {
	/*             SEMI OTHER EXPLAIN CREATE TEMP TRIGGER END */
	/* START   */ { 0, 1, 2, 3, 1, 1, 1 },
	/* NORMAL  */ { 0, 1, 1, 1, 1, 1, 1 },
	/* EXPLAIN */ { 0, 2, 1, 3, 1, 1, 1 },
	/* CREATE  */ { 0, 1, 1, 1, 3, 4, 1 },
	/* TRIGGER */ { 5, 4, 4, 4, 4, 4, 4 },
	/* SEMI    */ { 5, 4, 4, 4, 4, 4, 6 },
	/* END     */ { 0, 4, 4, 4, 4, 4, 4 },
};

static void stmt_reset(struct stmt *st, size_t from)
{
	memset(st, 0, sizeof(*st));
	st->from = from;
	st->state = ST_START;
}

static void note_word(struct stmt *st, const struct token *tok)
{
	if (st->words_done)
		return;
	if (tok->kind != TOK_WORD || st->nwords == MAX_WORDS) {
		st->words_done = 1;
		return;
	}
	st->words[st->nwords++] = *tok;
}

/*
 * PRAGMA [schema.]journal_mode = x (or (x)): SQLite refuses to enter or
 * leave WAL mode inside a transaction, and other modes last only for the
 * connection, so a transactional file cannot use it.
 */
static int sets_journal_mode(const char *sql, size_t i, size_t end)
{
	size_t name;

	while (i < end && is_space((unsigned char)sql[i]))
		i++;
	name = i;
	while (i < end && (is_idchar((unsigned char)sql[i]) || sql[i] == '.')) {
		if (sql[i] == '.')
			name = i + 1;
		i++;
	}
	if (!STRATA_SPLIT_KEYWORD(sql + name, i - name, "JOURNAL_MODE"))
		return 0;
	while (i < end && is_space((unsigned char)sql[i]))
		i++;
	return i < end && (sql[i] == '=' || sql[i] == '(');
}

static unsigned classify(const char *sql, const struct stmt *st, size_t end)
{
	const struct token *w = st->words;

	if (st->nwords == 0)
		return 0;
	if (word_is(sql, &w[0], "BEGIN") || word_is(sql, &w[0], "COMMIT") ||
	    word_is(sql, &w[0], "END"))
		return STRATA_STMT_TXN_CONTROL;
	if (word_is(sql, &w[0], "ROLLBACK")) {
		size_t i = 1;

		if (i < st->nwords && word_is(sql, &w[i], "TRANSACTION"))
			i++;
		if (i < st->nwords && word_is(sql, &w[i], "TO"))
			return 0; /* ROLLBACK TO a savepoint */
		return STRATA_STMT_TXN_CONTROL;
	}
	if (word_is(sql, &w[0], "VACUUM"))
		return STRATA_STMT_NO_TXN;
	if (word_is(sql, &w[0], "PRAGMA") &&
	    sets_journal_mode(sql, w[0].end, end))
		return STRATA_STMT_NO_TXN;
	if (word_is(sql, &w[0], "CREATE") || word_is(sql, &w[0], "ALTER") ||
	    word_is(sql, &w[0], "DROP"))
		return STRATA_STMT_DDL;
	return 0;
}

/* Whitespace and byte order marks before a statement are left out. */
static size_t skip_space(const char *sql, size_t from, size_t end)
{
	const struct lexer lx = { sql, end, 0, 0 };

	for (;;) {
		if (from < end && is_space(at(&lx, from)))
			from++;
		else if (is_bom(&lx, from))
			from += 3;
		else
			return from;
	}
}

static int emit(const char *sql, size_t from, size_t end, unsigned flags,
                strata_stmt_cb cb, void *payload)
{
	from = skip_space(sql, from, end);
	return cb(payload, from, end - from, flags);
}

/* A client command runs from its '.' or '\' to the end of its line. */
static int emit_dot_command(struct lexer *lx, size_t start, strata_stmt_cb cb,
                            void *payload)
{
	size_t eol = lex_line_comment(lx, start), end = eol;

	if (end > start && at(lx, end - 1) == '\r')
		end--;
	lx->pos = eol;
	return cb(payload, start, end - start, STRATA_STMT_META);
}

/*
 * Feed one token to the statement. Returns 1 when it ends the statement.
 */
static int feed(struct stmt *st, const char *sql, const struct token *tok)
{
	if (tok->kind == TOK_SPACE)
		return 0;
	note_word(st, tok);
	if (tok->kind != TOK_SEMI)
		st->has_content = 1;
	st->state =
	        (enum state)transitions[st->state][complete_token(sql, tok)];
	return tok->kind == TOK_SEMI && st->state == ST_START;
}

static int finish(const struct stmt *st, const struct lexer *lx,
                  strata_stmt_cb cb, void *payload)
{
	unsigned flags = classify(lx->sql, st, lx->len);

	if (lx->unterminated || st->state == ST_TRIGGER || st->state == ST_SEMI)
		flags |= STRATA_STMT_INCOMPLETE;
	if (!st->has_content && !lx->unterminated)
		return 0;
	return emit(lx->sql, st->from, lx->len, flags, cb, payload);
}

int strata__split_sqlite(const char *sql, size_t len, strata_stmt_cb cb,
                         void *payload)
{
	struct lexer lx = { sql, len, 0, 0 };
	struct stmt st;
	struct token tok;
	int rc;

	stmt_reset(&st, 0);
	for (;;) {
		next_token(&lx, &tok);
		if (tok.kind == TOK_EOF)
			break;
		/* sqlite3's dot-commands, and psql's or mysql's backslash
		 * commands: a '\' can never start a SQLite statement */
		if (!st.has_content && tok.kind == TOK_OTHER &&
		    (sql[tok.start] == '.' || sql[tok.start] == '\\')) {
			rc = emit_dot_command(&lx, tok.start, cb, payload);
			if (rc)
				return rc;
			stmt_reset(&st, lx.pos);
			continue;
		}
		if (!feed(&st, sql, &tok))
			continue;
		if (st.has_content) {
			rc = emit(sql, st.from, tok.end,
			          classify(sql, &st, tok.end), cb, payload);
			if (rc)
				return rc;
		}
		stmt_reset(&st, tok.end);
	}
	return finish(&st, &lx, cb, payload);
}
