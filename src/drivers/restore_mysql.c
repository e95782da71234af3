/*
 * The mysql client's reading of a file on its stdin (restore_scan.h),
 * after add_line() and read_and_execute() in client/mysql.cc: quotes,
 * comments (of which "/ *!" and "/ *M!" ones are sent to the server),
 * the delimiter and DELIMITER lines, and so where the client would act
 * itself: a backslash command outside quotes (\! runs a shell, \. reads
 * a file), or a statement whose first word is one of its commands
 * (system, source, use, connect ...). Read with the defaults strata runs
 * the client with: utf8mb4, backslash escapes in strings.
 */
#include <string.h>

#include "restore_scan.h"

enum {
	M_NORMAL,
	M_LINE_COMMENT,
	M_WORD,
	M_DELIM_LINE
};

static const char *const commands[] = { "?",
	                                "charset",
	                                "clear",
	                                "connect",
	                                "edit",
	                                "ego",
	                                "exit",
	                                "go",
	                                "help",
	                                "nopager",
	                                "notee",
	                                "nowarning",
	                                "pager",
	                                "print",
	                                "prompt",
	                                "query_attributes",
	                                "quit",
	                                "rehash",
	                                "resetconnection",
	                                "sandbox",
	                                "source",
	                                "ssl_session_data_print",
	                                "status",
	                                "system",
	                                "tee",
	                                "use",
	                                "warnings",
	                                NULL };

static int is_letter(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int blank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static void consume(struct restore_scan *s, const char *p, size_t k)
{
	size_t i;

	for (i = 0; i < k; i++) {
		unsigned char c = (unsigned char)p[i];

		s->off++;
		s->prev = c;
		if (c == '\n') {
			s->line++;
			s->col = 0;
		} else {
			s->col++;
		}
	}
}

/*
 * Byte i + k of p on the same line into *out: 0 past the line's end or
 * the file's, as the client sees it. -1: not read yet.
 */
static int look(const char *p, size_t n, size_t i, size_t k, int eof,
                unsigned char *out)
{
	size_t j;

	for (j = i + 1; j <= i + k; j++) {
		if (j >= n) {
			*out = 0;
			return eof ? 0 : -1;
		}
		if (p[j] == '\n') {
			*out = 0;
			return 0;
		}
	}
	*out = (unsigned char)p[i + k];
	return 0;
}

/* The statement's first word ended before next (0: line or file end). */
static int word_end(struct restore_scan *s, unsigned char next)
{
	size_t i;

	s->state = M_NORMAL;
	if (s->wlen == s->wtotal && strcmp(s->word, "delimiter") == 0) {
		if (!s->word_line || !(next == ' ' || next == '\t'))
			return strata__scan_refuse(s, "a DELIMITER command "
			                              "that does not begin "
			                              "its own line");
		s->metalen = 0;
		s->state = M_DELIM_LINE;
		return 0;
	}
	if (next && !blank(next) && next != (unsigned char)s->delim[0])
		return 0;
	for (i = 0; commands[i]; i++)
		if (s->wlen == s->wtotal && strcmp(s->word, commands[i]) == 0)
			return strata__scan_refuse(
			        s,
			        "mysql client command '%s': the mysql client "
			        "would run it itself instead of sending it to "
			        "the server",
			        s->word);
	return 0;
}

/* A DELIMITER line's argument: mysqldump's ";;" and the like. */
static int delimiter_line(struct restore_scan *s)
{
	const char *m = s->meta, *end = s->meta + s->metalen, *a;
	size_t n;

	while (m < end && blank((unsigned char)*m))
		m++;
	for (a = m; m < end && !blank((unsigned char)*m); m++)
		if (!strchr(";/$|!@%^&~:=+", *m))
			break;
	n = (size_t)(m - a);
	while (m < end && blank((unsigned char)*m))
		m++;
	if (m != end || n == 0 || n >= sizeof(s->delim))
		return strata__scan_refuse(s, "a DELIMITER line strata does "
		                              "not restore (it takes one made "
		                              "of ;/$|!@%%^&~:=+)");
	memcpy(s->delim, a, n);
	s->dlen = n;
	s->state = M_NORMAL;
	s->stmt_chars = 0; /* the line was a command, not a statement */
	return 0;
}

static void word_add(struct restore_scan *s, unsigned char c)
{
	if (s->wlen + 1 < sizeof(s->word)) {
		s->word[s->wlen++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
		s->word[s->wlen] = '\0';
	}
	s->wtotal++;
}

/* One byte (or a few, read together) at p[i]; *k: how many were read, 0
 * when more input is needed first. */
static int step(struct restore_scan *s, const char *p, size_t n, size_t i,
                int eof, size_t *k)
{
	unsigned char c = (unsigned char)p[i], a = 0, b = 0, d = 0;
	int clean = s->line_clean;

	*k = 1;
	if (c == '\n') {
		int rc = 0;

		if (s->state == M_WORD)
			rc = word_end(s, 0);
		if (rc == 0 && s->state == M_DELIM_LINE)
			rc = delimiter_line(s);
		if (s->state == M_LINE_COMMENT)
			s->state = M_NORMAL;
		s->ss = 0;
		s->line_clean = 1;
		return rc;
	}
	if (!blank(c))
		s->line_clean = 0;
	switch (s->state) {
	case M_LINE_COMMENT:
		return 0;
	case M_DELIM_LINE:
		if (s->metalen + 1 >= sizeof(s->meta))
			return strata__scan_refuse(s, "a DELIMITER line strata "
			                              "does not restore");
		s->meta[s->metalen++] = (char)c;
		return 0;
	case M_WORD:
		if ((is_letter(c) || c == '_') && strcmp(s->word, "?") != 0) {
			word_add(s, c);
			return 0;
		}
		if (word_end(s, c) < 0)
			return -1;
		if (s->state == M_DELIM_LINE)
			return step(s, p, n, i, eof, k);
		break;
	default:
		break;
	}
	if (!s->ml && c == '\\' && s->quote != '`') {
		if (look(p, n, i, 1, eof, &a) < 0) {
			*k = 0;
			return 0;
		}
		if (s->quote) {
			*k = a ? 2 : 1; /* an escape */
			return 0;
		}
		if (a == 'N' || a == '-') { /* NULL; the sandbox */
			s->stmt_chars = 1;
			*k = 2;
			return 0;
		}
		if (!a)
			return strata__scan_refuse(s,
			                           "a backslash at the end of "
			                           "a line: the mysql client "
			                           "would read it as one of "
			                           "its own commands");
		return strata__scan_refuse(s,
		                           "mysql client command \\%c: the "
		                           "mysql client would run it itself "
		                           "instead of sending it to the "
		                           "server",
		                           a);
	}
	if (!s->ml && !s->quote && c == (unsigned char)s->delim[0]) {
		size_t j;
		int all = 1;

		for (j = 1; j < s->dlen && all; j++) {
			if (look(p, n, i, j, eof, &a) < 0) {
				*k = 0;
				return 0;
			}
			all = a == (unsigned char)s->delim[j];
		}
		if (all) {
			s->stmt_chars = 0;
			*k = s->dlen;
			return 0;
		}
	}
	if (!s->ml && !s->quote && c == '#') {
		s->state = M_LINE_COMMENT;
		return 0;
	}
	if (!s->ml && !s->quote && c == '-') {
		if (look(p, n, i, 1, eof, &a) < 0 ||
		    (a == '-' && look(p, n, i, 2, eof, &b) < 0)) {
			*k = 0;
			return 0;
		}
		/* "-- " and, at a statement's start, any "--" */
		if (a == '-' && (!b || blank(b) || !s->stmt_chars)) {
			s->state = M_LINE_COMMENT;
			return 0;
		}
	}
	if (!s->quote && c == '/') {
		if (look(p, n, i, 1, eof, &a) < 0 ||
		    (a == '*' &&
		     (look(p, n, i, 2, eof, &b) < 0 ||
		      (b == 'M' && look(p, n, i, 3, eof, &d) < 0)))) {
			*k = 0;
			return 0;
		}
		if (a == '*' && !(b == '!' || (b == 'M' && d == '!'))) {
			if (!s->ml)
				s->open_line = s->line;
			s->ml = 1;
			*k = 2;
			return 0;
		}
		if (a == '*' && b == '!')
			s->ss = 1;
	} else if (c == '*' && (s->ml || s->ss)) {
		if (look(p, n, i, 1, eof, &a) < 0) {
			*k = 0;
			return 0;
		}
		if (a == '/' && s->ml && !s->ss) {
			s->ml = 0;
			*k = 2;
			return 0;
		}
		if (a == '/' && !s->quote && s->ss)
			s->ss = 0;
	}
	if (s->quote && c == (unsigned char)s->quote) {
		s->quote = 0;
	} else if (!s->ml && !s->quote && (c == '\'' || c == '"' || c == '`')) {
		s->quote = (char)c;
		s->open_line = s->line;
	}
	if (s->ml)
		return 0;
	if (c == '\0' && !s->quote)
		return strata__scan_refuse(s, "a NUL byte outside quotes");
	if (!s->stmt_chars && !blank(c)) {
		s->stmt_chars = 1;
		if (is_letter(c) || c == '_' || c == '?') {
			s->wlen = s->wtotal = 0;
			word_add(s, c);
			s->word_line = clean;
			s->state = M_WORD;
		}
	}
	return 0;
}

/* Read p[0, n): *used gets the bytes read (the rest waits for more). */
static int run(struct restore_scan *s, const char *p, size_t n, int eof,
               size_t *used)
{
	size_t i = 0, k;

	while (i < n) {
		if (s->state == M_LINE_COMMENT && p[i] != '\n') {
			const char *nl = memchr(p + i, '\n', n - i);

			k = (size_t)((nl ? nl : p + n) - (p + i));
			consume(s, p + i, k);
			i += k;
			continue;
		}
		if (step(s, p, n, i, eof, &k) < 0)
			return -1;
		if (k == 0)
			break;
		consume(s, p + i, k);
		i += k;
	}
	*used = i;
	return 0;
}

int strata__scan_mysql_feed(struct restore_scan *s, const char *p, size_t n)
{
	size_t used;

	while (s->carry_len && n) {
		char tmp[sizeof(s->carry) + 64];
		size_t take = sizeof(tmp) - s->carry_len;

		if (take > n)
			take = n;
		memcpy(tmp, s->carry, s->carry_len);
		memcpy(tmp + s->carry_len, p, take);
		if (run(s, tmp, s->carry_len + take, 0, &used) < 0)
			return -1;
		if (used >= s->carry_len) {
			p += used - s->carry_len;
			n -= used - s->carry_len;
			s->carry_len = 0;
		} else {
			s->carry_len += take - used;
			memmove(s->carry, tmp + used, s->carry_len);
			p += take;
			n -= take;
		}
	}
	if (!n)
		return 0;
	if (run(s, p, n, 0, &used) < 0)
		return -1;
	/* a look ahead needs a few bytes at most */
	if (n - used > sizeof(s->carry))
		return strata__scan_refuse(s, "internal error: look ahead");
	memcpy(s->carry, p + used, n - used);
	s->carry_len = n - used;
	return 0;
}

int strata__scan_mysql_end(struct restore_scan *s)
{
	size_t used;

	if (run(s, s->carry, s->carry_len, 1, &used) < 0)
		return -1;
	s->carry_len = 0;
	if (s->state == M_WORD && word_end(s, 0) < 0)
		return -1;
	if (s->state == M_DELIM_LINE && delimiter_line(s) < 0)
		return -1;
	if (s->quote) {
		s->line = s->open_line;
		return strata__scan_refuse(s, "the file ends inside this "
		                              "quoted text");
	}
	if (s->ml) {
		s->line = s->open_line;
		return strata__scan_refuse(s, "the file ends inside this "
		                              "comment");
	}
	return 0;
}
