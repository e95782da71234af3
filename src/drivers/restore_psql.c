/*
 * psql's reading of a file given with -f, byte by byte (restore_scan.h),
 * after src/fe_utils/psqlscan.l of PostgreSQL: where statements end
 * (parentheses, CREATE FUNCTION ... BEGIN ATOMIC bodies), which text is
 * quoted or a comment, and so where psql would act itself: a backslash
 * outside quotes starts a psql command, :NAME is a psql variable, and
 * the lines after COPY ... FROM stdin are data up to a line "\.".
 */
#include <stdio.h>
#include <string.h>

#include "restore_scan.h"

enum {
	P_INIT,
	P_DASH,
	P_LINE_COMMENT,
	P_SLASH,
	P_BLOCK,
	P_BLOCK_STAR,
	P_BLOCK_SLASH,
	P_XQ, /* '...', B'', X'', N'', U&'': no backslash escapes */
	P_XQ_QUOTE,
	P_XE, /* E'...' */
	P_XE_ESC,
	P_XE_QUOTE,
	P_XD, /* "..." */
	P_XD_QUOTE,
	P_DOLLAR,
	P_DOLQ_OPEN,
	P_DOLQ,
	P_IDENT,
	P_AFTER_E, /* e, b, x or n: a string may follow */
	P_AFTER_U,
	P_AFTER_UAMP,
	P_NUM,
	P_COLON,
	P_VAR,
	P_VARQ,
	P_VARD,
	P_COLON_BRACE,
	P_META_NAME, /* a psql command inside a line */
	P_META,      /* a psql command line */
	P_COPY_EOL,  /* the rest of the COPY ... FROM stdin; line */
	P_DATA_LS,   /* COPY data, at a line's start */
	P_DATA_BS,
	P_DATA_DOT,
	P_DATA_DOTCR,
	P_DATA
};

static int is_letter(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static int ident_start(unsigned char c)
{
	return is_letter(c) || c == '_' || c >= 0x80;
}

static int ident_cont(unsigned char c)
{
	return ident_start(c) || is_digit(c) || c == '$';
}

static int var_char(unsigned char c)
{
	return ident_start(c) || is_digit(c);
}

static char lower(unsigned char c)
{
	return (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
}

static void word_add(struct restore_scan *s, unsigned char c)
{
	if (s->wlen + 1 < sizeof(s->word)) {
		s->word[s->wlen++] = lower(c);
		s->word[s->wlen] = '\0';
	}
	s->wtotal++;
}

/* A psql variable's name: its case matters. */
static void name_add(struct restore_scan *s, unsigned char c)
{
	if (s->wlen + 1 < sizeof(s->word)) {
		s->word[s->wlen++] = (char)c;
		s->word[s->wlen] = '\0';
	}
	s->wtotal++;
}

static void word_reset(struct restore_scan *s)
{
	s->wlen = s->wtotal = 0;
	s->word[0] = '\0';
}

static int word_is(const struct restore_scan *s, const char *kw)
{
	return s->wtotal == strlen(kw) && strcmp(s->word, kw) == 0;
}

/* A token other than an identifier. */
static void token(struct restore_scan *s)
{
	if (s->toks++ == 0) {
		s->stmt_line = s->line;
		s->copy_first = 0;
	}
	s->saw_from = 0;
}

/* An identifier ended: COPY ... FROM stdin, and psql's count of BEGIN
 * and END in CREATE FUNCTION and CREATE PROCEDURE (psqlscan.l). */
static void ident_end(struct restore_scan *s)
{
	int from = s->saw_from;

	if (s->toks++ == 0) {
		s->stmt_line = s->line;
		s->copy_first = word_is(s, "copy");
	}
	s->saw_from = 0;
	if (s->copy_first && s->paren == 0) {
		if (word_is(s, "from"))
			s->saw_from = 1;
		else if (from && word_is(s, "stdin"))
			s->copy_in = 1;
	}
	if (s->ident_count == 0)
		memset(s->idents, 0, sizeof(s->idents));
	if ((word_is(s, "create") || word_is(s, "function") ||
	     word_is(s, "procedure") || word_is(s, "or") ||
	     word_is(s, "replace")) &&
	    s->ident_count < (int)sizeof(s->idents))
		s->idents[s->ident_count] = s->word[0];
	s->ident_count++;
	if (s->idents[0] == 'c' &&
	    (s->idents[1] == 'f' || s->idents[1] == 'p' ||
	     (s->idents[1] == 'o' && s->idents[2] == 'r' &&
	      (s->idents[3] == 'f' || s->idents[3] == 'p'))) &&
	    s->paren == 0) {
		if (word_is(s, "begin"))
			s->begin_depth++;
		else if (word_is(s, "case") && s->begin_depth >= 1)
			s->begin_depth++;
		else if (word_is(s, "end") && s->begin_depth > 0)
			s->begin_depth--;
	}
}

static void stmt_end(struct restore_scan *s)
{
	s->state = s->copy_in ? P_COPY_EOL : P_INIT;
	s->toks = s->copy_first = s->saw_from = s->copy_in = 0;
	s->ident_count = 0;
}

/* A reading that holds only while the file leaves psql's settings alone:
 * noted, for a psql that cannot be restricted (restore_scan.h). */
static void ambiguous(struct restore_scan *s, const char *why)
{
	if (s->ambiguous_line)
		return;
	s->ambiguous_line = s->line;
	snprintf(s->ambiguous_why, sizeof(s->ambiguous_why), "%s", why);
}

static int refuse_command(struct restore_scan *s, const char *name)
{
	if (!name[0])
		return strata__scan_refuse(s, "a backslash at the end of a "
		                              "line: psql would read it as "
		                              "one of its own commands");
	return strata__scan_refuse(s,
	                           "psql command \\%s: psql would run it "
	                           "itself instead of sending it to the "
	                           "server",
	                           name);
}

/* The name of the psql command in text (after the backslash). */
static void command_name(const char *text, size_t n, char *out, size_t size)
{
	size_t k = 0;

	if (n && is_letter((unsigned char)text[0]))
		while (k < n && k + 1 < size &&
		       (is_letter((unsigned char)text[k]) ||
		        is_digit((unsigned char)text[k]) || text[k] == '_'))
			k++;
	else if (n && text[0] != '\n' && text[0] != '\r' && size > 1)
		k = 1;
	memcpy(out, text, k);
	out[k] = '\0';
}

/* pg_dump's own "\restrict KEY" and "\unrestrict KEY" lines. */
static int restrict_line(const char *m, size_t n)
{
	size_t k, key;

	while (n && (m[n - 1] == '\r' || m[n - 1] == ' '))
		n--;
	if (n > 9 && memcmp(m, "restrict ", 9) == 0)
		k = 9;
	else if (n > 11 && memcmp(m, "unrestrict ", 11) == 0)
		k = 11;
	else
		return 0;
	for (key = k; key < n; key++)
		if (!is_letter((unsigned char)m[key]) &&
		    !is_digit((unsigned char)m[key]))
			return 0;
	return 1;
}

/* A psql command line ended (at a newline or the file's end). */
static int meta_line_end(struct restore_scan *s)
{
	char name[32];

	if (!restrict_line(s->meta, s->metalen)) {
		command_name(s->meta, s->metalen, name, sizeof(name));
		return refuse_command(s, name);
	}
	if (s->blank)
		s->blank(s->payload, s->hold, s->off);
	s->hold = SCAN_NO_HOLD;
	s->state = P_INIT;
	return 0;
}

/* psql sets only variables named in upper case (DBNAME, USER, HOST ...):
 * others are left as they are. */
static int psql_variable(const char *name, size_t n)
{
	size_t i;
	int upper = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c >= 'A' && c <= 'Z')
			upper = 1;
		else if (!is_digit(c) && c != '_')
			return 0;
	}
	return upper;
}

static int refuse_variable(struct restore_scan *s)
{
	return strata__scan_refuse(s,
	                           "psql variable :%s: psql would replace it "
	                           "itself",
	                           s->word);
}

/* A number run into letters: psql versions split it differently (1end
 * is "1" and "end" before PostgreSQL 15), so it must not look like a
 * keyword psql counts, nor run into a dollar quote. */
static int num_end(struct restore_scan *s, unsigned char next)
{
	static const char *const kw[] = { "begin",     "case",  "end",
		                          "create",    "or",    "replace",
		                          "function",  "copy",  "from",
		                          "procedure", "stdin", NULL };
	size_t i;

	if (!s->letters)
		return 0;
	if (next == '$' || s->wtotal >= sizeof(s->word) - 1)
		return strata__scan_refuse(s,
		                           "a number run into letters "
		                           "('%s'): psql versions read it "
		                           "differently",
		                           s->word);
	for (i = 0; kw[i]; i++)
		if (strstr(s->word, kw[i]))
			return strata__scan_refuse(s,
			                           "a number run into letters "
			                           "('%s'): psql versions read "
			                           "it differently",
			                           s->word);
	return 0;
}

/* Read bytes again from the current state (psql's yyless). */
static int rescan(struct restore_scan *s, const char *p, size_t n)
{
	char copy[sizeof(s->tag)];
	size_t i;

	if (n > sizeof(copy))
		n = sizeof(copy);
	memcpy(copy, p, n);
	for (i = 0; i < n; i++)
		if (strata__scan_psql(s, (unsigned char)copy[i]) < 0)
			return -1;
	return 0;
}

/* The start of a token in INIT. */
static int init_byte(struct restore_scan *s, unsigned char c)
{
	switch (c) {
	case ' ':
	case '\t':
	case '\n':
	case '\r':
	case '\f':
		return 0;
	case '\0':
		return strata__scan_refuse(s, "a NUL byte outside COPY data");
	case '-':
		s->state = P_DASH;
		return 0;
	case '/':
		s->state = P_SLASH;
		return 0;
	case '\'':
		token(s);
		s->open_line = s->line;
		s->bs = 0;
		s->state = P_XQ;
		return 0;
	case '"':
		token(s);
		s->open_line = s->line;
		s->state = P_XD;
		return 0;
	case '$':
		s->state = P_DOLLAR;
		return 0;
	case ':':
		token(s);
		s->state = P_COLON;
		return 0;
	case '\\':
		s->metalen = 0;
		if (s->col == 0) {
			/* maybe pg_dump's \restrict: held back until judged */
			s->hold = s->off;
			s->state = P_META;
		} else {
			s->state = P_META_NAME;
		}
		return 0;
	case '(':
		token(s);
		s->paren++;
		return 0;
	case ')':
		token(s);
		if (s->paren > 0)
			s->paren--;
		return 0;
	case ';':
		if (s->paren == 0 && s->begin_depth == 0)
			stmt_end(s);
		else
			token(s);
		return 0;
	default:
		break;
	}
	word_reset(s);
	if (strchr("eEbBxXnN", (char)c)) {
		s->after_e = lower(c);
		word_add(s, c);
		s->state = P_AFTER_E;
	} else if (c == 'u' || c == 'U') {
		word_add(s, c);
		s->state = P_AFTER_U;
	} else if (ident_start(c)) {
		word_add(s, c);
		s->state = P_IDENT;
	} else if (is_digit(c)) {
		s->letters = 0;
		word_add(s, c);
		s->state = P_NUM;
	} else {
		token(s);
	}
	return 0;
}

int strata__scan_psql(struct restore_scan *s, unsigned char c)
{
again:
	switch (s->state) {
	case P_INIT:
		return init_byte(s, c);
	case P_DASH:
		if (c == '-') {
			s->state = P_LINE_COMMENT;
			return 0;
		}
		token(s);
		s->state = P_INIT;
		goto again;
	case P_LINE_COMMENT:
		if (c == '\n' || c == '\r')
			s->state = P_INIT;
		return 0;
	case P_SLASH:
		if (c == '*') {
			s->open_line = s->line;
			s->depth = 1;
			s->state = P_BLOCK;
			return 0;
		}
		token(s);
		s->state = P_INIT;
		goto again;
	case P_BLOCK:
		if (c == '*')
			s->state = P_BLOCK_STAR;
		else if (c == '/')
			s->state = P_BLOCK_SLASH;
		return 0;
	case P_BLOCK_STAR:
		if (c == '/')
			s->state = --s->depth ? P_BLOCK : P_INIT;
		else if (c != '*')
			s->state = P_BLOCK;
		return 0;
	case P_BLOCK_SLASH:
		if (c == '*') {
			s->depth++;
			s->state = P_BLOCK;
		} else if (c != '/') {
			s->state = P_BLOCK;
		}
		return 0;
	case P_XQ:
		/*
		 * Without standard_conforming_strings (which a file can turn
		 * off) psql reads backslashes here as escapes, and in a
		 * client encoding such as SJIS a byte 0x5C after a high byte
		 * is no backslash at all: where that would move the string's
		 * end, the reading is ambiguous. pg_dump's output turns the
		 * setting on, as read here; psql restricted by strata runs
		 * no command of its own whichever way it reads.
		 */
		if (c == '\\') {
			if (s->bs++ == 0)
				s->bs_high = s->prev >= 0x80;
			return 0;
		}
		if (c == '\'') {
			if (s->bs && (s->bs % 2 || s->bs_high))
				ambiguous(s,
				          "a backslash before a quote in a "
				          "string: where psql ends the string "
				          "depends on settings the file can "
				          "change");
			s->state = P_XQ_QUOTE;
		}
		s->bs = 0;
		return 0;
	case P_XQ_QUOTE:
		if (c == '\'') {
			s->state = P_XQ;
			return 0;
		}
		s->state = P_INIT;
		goto again;
	case P_XE:
		if (c == '\\') {
			if (s->prev >= 0x80)
				ambiguous(s,
				          "a backslash after a non-ASCII byte "
				          "in an E'' string: psql reads it "
				          "differently in some encodings");
			s->state = P_XE_ESC;
		} else if (c == '\'') {
			s->state = P_XE_QUOTE;
		}
		return 0;
	case P_XE_ESC:
		s->state = P_XE;
		return 0;
	case P_XE_QUOTE:
		if (c == '\'') {
			s->state = P_XE;
			return 0;
		}
		s->state = P_INIT;
		goto again;
	case P_XD:
		if (c == '"')
			s->state = P_XD_QUOTE;
		return 0;
	case P_XD_QUOTE:
		if (c == '"') {
			s->state = P_XD;
			return 0;
		}
		s->state = P_INIT;
		goto again;
	case P_DOLLAR:
		if (is_digit(c)) { /* $1: a parameter */
			token(s);
			word_reset(s);
			s->letters = 0;
			word_add(s, c);
			s->state = P_NUM;
			return 0;
		}
		if (c == '$' || is_letter(c) || c == '_') {
			s->taglen = 0;
			s->tag_long = 0;
			s->open_line = s->line;
			if (c == '$') {
				token(s);
				s->match = 0;
				s->state = P_DOLQ;
				return 0;
			}
			s->tag[s->taglen++] = (char)c;
			s->state = P_DOLQ_OPEN;
			return 0;
		}
		if (c >= 0x80)
			return strata__scan_refuse(
			        s, "a dollar quote tag with non-ASCII "
			           "characters: psql reads it differently in "
			           "some encodings");
		token(s);
		s->state = P_INIT;
		goto again;
	case P_DOLQ_OPEN:
		if (is_letter(c) || is_digit(c) || c == '_') {
			if (s->taglen + 1 < sizeof(s->tag))
				s->tag[s->taglen++] = (char)c;
			else
				s->tag_long = 1;
			return 0;
		}
		if (c >= 0x80)
			return strata__scan_refuse(
			        s, "a dollar quote tag with non-ASCII "
			           "characters: psql reads it differently in "
			           "some encodings");
		if (c == '$') {
			if (s->tag_long)
				return strata__scan_refuse(
				        s,
				        "a dollar quote tag longer than "
				        "%zu characters",
				        sizeof(s->tag) - 2);
			token(s);
			s->match = 0;
			s->state = P_DOLQ;
			return 0;
		}
		/* "$abc" without its closing "$": the "$" alone, then the
		 * rest read again */
		if (s->tag_long)
			return strata__scan_refuse(s, "an identifier after '$' "
			                              "that is too long");
		token(s);
		s->state = P_INIT;
		if (rescan(s, s->tag, s->taglen) < 0)
			return -1;
		goto again;
	case P_DOLQ:
		/* the end is "$" tag "$", wherever it is (psqlscan.l puts
		 * back the last "$" of a delimiter that does not match) */
		if (s->match == 0) {
			s->match = c == '$';
		} else if (s->match <= s->taglen) {
			if ((char)c == s->tag[s->match - 1])
				s->match++;
			else
				s->match = c == '$';
		} else if (c == '$') {
			s->state = P_INIT;
		} else {
			s->match = 0;
		}
		return 0;
	case P_IDENT:
		if (ident_cont(c)) {
			word_add(s, c);
			return 0;
		}
		ident_end(s);
		s->state = P_INIT;
		goto again;
	case P_AFTER_E:
		if (c == '\'') {
			token(s);
			s->open_line = s->line;
			s->bs = 0;
			s->state = s->after_e == 'e' ? P_XE : P_XQ;
			return 0;
		}
		s->state = P_IDENT;
		goto again;
	case P_AFTER_U:
		if (c == '&') {
			s->state = P_AFTER_UAMP;
			return 0;
		}
		s->state = P_IDENT;
		goto again;
	case P_AFTER_UAMP:
		token(s);
		s->open_line = s->line;
		if (c == '\'') {
			s->bs = 0;
			s->state = P_XQ;
			return 0;
		}
		if (c == '"') {
			s->state = P_XD;
			return 0;
		}
		s->state = P_INIT; /* "U" then "&": psql's xufailed */
		goto again;
	case P_NUM:
		if (is_letter(c) || is_digit(c) || c == '_' || c == '.' ||
		    c >= 0x80) {
			s->letters |= is_letter(c) || c >= 0x80;
			word_add(s, c);
			return 0;
		}
		if (num_end(s, c) < 0)
			return -1;
		token(s);
		s->state = P_INIT;
		goto again;
	case P_COLON:
		word_reset(s);
		if (c == ':' || c == '=') { /* :: and := */
			s->state = P_INIT;
			return 0;
		}
		if (c == '\'' || c == '"') {
			s->after_e = (char)c;
			s->state = P_VARQ;
			return 0;
		}
		if (c == '{') {
			s->state = P_COLON_BRACE;
			return 0;
		}
		if (var_char(c)) {
			name_add(s, c);
			s->state = P_VAR;
			return 0;
		}
		s->state = P_INIT;
		goto again;
	case P_VAR:
		if (var_char(c)) {
			name_add(s, c);
			return 0;
		}
		if (psql_variable(s->word, s->wlen) && s->wlen == s->wtotal)
			return refuse_variable(s);
		s->state = P_INIT;
		goto again;
	case P_VARQ:
	case P_VARD:
		/* :'NAME' and :"NAME" */
		if (var_char(c) && s->wtotal + 1 < sizeof(s->word)) {
			name_add(s, c);
			return 0;
		}
		if ((char)c == s->after_e && s->wtotal) {
			if (psql_variable(s->word, s->wlen))
				return refuse_variable(s);
			s->state = P_INIT;
			return 0;
		}
		/* not one: the quote starts a string after all */
		s->open_line = s->line;
		s->bs = 0;
		s->state = s->after_e == '\'' ? P_XQ : P_XD;
		if (rescan(s, s->word, s->wlen) < 0)
			return -1;
		goto again;
	case P_COLON_BRACE:
		if (c == '?')
			return strata__scan_refuse(s, "psql variable test :{?: "
			                              "psql would answer it "
			                              "itself");
		s->state = P_INIT;
		if (rescan(s, "{", 1) < 0)
			return -1;
		goto again;
	case P_META_NAME:
		/* its name: letters and digits, or one other character */
		if (s->metalen == 0 && c != '\n') {
			s->meta[s->metalen++] = (char)c;
			if (is_letter(c))
				return 0;
		} else if (s->metalen && is_letter((unsigned char)s->meta[0]) &&
		           (is_letter(c) || is_digit(c) || c == '_') &&
		           s->metalen + 1 < sizeof(s->meta)) {
			s->meta[s->metalen++] = (char)c;
			return 0;
		}
		{
			char name[32];

			command_name(s->meta, s->metalen, name, sizeof(name));
			return refuse_command(s, name);
		}
	case P_META:
		if (c == '\n')
			return meta_line_end(s);
		if (s->metalen + 1 >= sizeof(s->meta)) {
			char name[32];

			command_name(s->meta, s->metalen, name, sizeof(name));
			return refuse_command(s, name);
		}
		s->meta[s->metalen++] = (char)c;
		return 0;
	case P_COPY_EOL:
		if (c == '\n')
			s->state = P_DATA_LS;
		else if (c != ' ' && c != '\t' && c != '\r')
			return strata__scan_refuse(s,
			                           "text after COPY ... FROM "
			                           "stdin; on its line");
		return 0;
	case P_DATA_LS:
		s->state = c == '\\' ? P_DATA_BS :
		           c == '\n' ? P_DATA_LS :
		                       P_DATA;
		return 0;
	case P_DATA_BS:
		s->state = c == '.'  ? P_DATA_DOT :
		           c == '\n' ? P_DATA_LS :
		                       P_DATA;
		return 0;
	case P_DATA_DOT:
	case P_DATA_DOTCR:
		if (c == '\n') { /* "\." alone: the data's end */
			s->state = P_INIT;
			return 0;
		}
		s->state = c == '\r' && s->state == P_DATA_DOT ? P_DATA_DOTCR :
		                                                 P_DATA;
		return 0;
	case P_DATA:
		if (c == '\n')
			s->state = P_DATA_LS;
		return 0;
	default:
		return strata__scan_refuse(s, "internal error: state %d",
		                           s->state);
	}
}

int strata__scan_psql_inert(const struct restore_scan *s)
{
	return s->state == P_DATA || s->state == P_LINE_COMMENT;
}

int strata__scan_psql_end(struct restore_scan *s)
{
	/* a last line without its newline ends as one with it */
	if (s->state != P_INIT && strata__scan_psql(s, '\n') < 0)
		return -1;
	switch (s->state) {
	case P_INIT:
		if (s->toks) {
			s->line = s->stmt_line;
			return strata__scan_refuse(s, "the file ends in a "
			                              "statement that has no "
			                              "';'");
		}
		return 0;
	case P_BLOCK:
	case P_BLOCK_STAR:
	case P_BLOCK_SLASH:
		s->line = s->open_line;
		return strata__scan_refuse(s, "the file ends inside this "
		                              "comment");
	case P_XQ:
	case P_XE:
	case P_XE_ESC:
	case P_XD:
		s->line = s->open_line;
		return strata__scan_refuse(s, "the file ends inside this "
		                              "quoted text");
	case P_DOLQ:
		s->line = s->open_line;
		return strata__scan_refuse(s, "the file ends inside this "
		                              "dollar-quoted text");
	default: /* COPY data: it ends with the file */
		return 0;
	}
}
