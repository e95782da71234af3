/*
 * Running SQL on MySQL (mysql_int.h): a text cut into statements (a stored
 * program sent whole), each sent and every result read, an error placed
 * at its statement with the server's message, warnings forwarded with -v;
 * a query's rows handed to a callback. Waits for the server through
 * mysql_wait.c.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <errmsg.h>
#include <mysqld_error.h>

#include "strata/sys/driver.h"
#include "../util/alloc.h"
#include "../util/buf.h"
#include "split.h"

#include "mysql_int.h"
#include "mysql_load.h"

static int is_space(unsigned char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' ||
	       ch == '\f' || ch == '\v';
}

static int is_idchar(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9') || ch == '_' || ch == '$' || ch >= 0x80;
}

static unsigned char upper(unsigned char ch)
{
	return ch >= 'a' && ch <= 'z' ? (unsigned char)(ch - 'a' + 'A') : ch;
}

/* Does s[0, n) equal the upper-case keyword kw, ignoring case? */
static int word_eq(const char *s, size_t n, const char *kw)
{
	size_t i;

	if (strlen(kw) != n)
		return 0;
	for (i = 0; i < n; i++) {
		if (upper((unsigned char)s[i]) != (unsigned char)kw[i])
			return 0;
	}
	return 1;
}
/* ---- statements ----------------------------------------------------- */

/* Skip spaces and comments, but not executable comments (they are SQL). */
static size_t skip_space(const char *s, size_t n, size_t i)
{
	while (i < n) {
		unsigned char ch = (unsigned char)s[i];

		if (is_space(ch)) {
			i++;
		} else if (ch == '#' ||
		           (ch == '-' && i + 1 < n && s[i + 1] == '-' &&
		            (i + 2 == n || (unsigned char)s[i + 2] <= ' '))) {
			while (i < n && s[i] != '\n')
				i++;
		} else if (ch == '/' && i + 1 < n && s[i + 1] == '*' &&
		           !(i + 2 < n && (s[i + 2] == '!' || s[i + 2] == '+' ||
		                           (s[i + 2] == 'M' && i + 3 < n &&
		                            s[i + 3] == '!')))) {
			for (i += 2; i + 1 < n; i++) {
				if (s[i] == '*' && s[i + 1] == '/')
					break;
			}
			i = i + 1 < n ? i + 2 : n;
		} else {
			break;
		}
	}
	return i;
}

static size_t word_end(const char *s, size_t n, size_t i)
{
	while (i < n && is_idchar((unsigned char)s[i]))
		i++;
	return i;
}

/* Past a quoted string or name starting at s[i]. */
static size_t skip_quoted(const char *s, size_t n, size_t i)
{
	char q = s[i];

	for (i++; i < n; i++) {
		if (s[i] == '\\' && q != '`')
			i++;
		else if (s[i] == q && (i + 1 >= n || s[i + 1] != q))
			return i + 1;
		else if (s[i] == q)
			i++;
	}
	return n;
}

/*
 * CREATE [OR REPLACE] [DEFINER = user] [AGGREGATE] {PROCEDURE | FUNCTION |
 * TRIGGER | EVENT | PACKAGE}, or BEGIN NOT ATOMIC: a stored program,
 * whose body may hold ';'.
 */
static int is_stored_program(const char *s, size_t n)
{
	size_t i = skip_space(s, n, 0), e = word_end(s, n, i);

	if (word_eq(s + i, e - i, "BEGIN")) {
		i = skip_space(s, n, e);
		e = word_end(s, n, i);
		return word_eq(s + i, e - i, "NOT");
	}
	if (!word_eq(s + i, e - i, "CREATE"))
		return 0;
	for (;;) {
		i = skip_space(s, n, e);
		e = word_end(s, n, i);
		if (e == i)
			return 0;
		if (word_eq(s + i, e - i, "OR") ||
		    word_eq(s + i, e - i, "REPLACE") ||
		    word_eq(s + i, e - i, "AGGREGATE"))
			continue;
		if (!word_eq(s + i, e - i, "DEFINER"))
			break;
		i = skip_space(s, n, e);
		if (i < n && s[i] == '=')
			i = skip_space(s, n, i + 1);
		/* the account: `u`@`h`, 'u'@'h', u@h, CURRENT_USER() */
		while (i < n && !is_space((unsigned char)s[i])) {
			if (s[i] == '\'' || s[i] == '"' || s[i] == '`')
				i = skip_quoted(s, n, i);
			else
				i++;
		}
		e = i;
	}
	return word_eq(s + i, e - i, "PROCEDURE") ||
	       word_eq(s + i, e - i, "FUNCTION") ||
	       word_eq(s + i, e - i, "TRIGGER") ||
	       word_eq(s + i, e - i, "EVENT") ||
	       word_eq(s + i, e - i, "PACKAGE");
}

/* Does s[0, n) hold a compound-statement keyword (outside quotes)? */
static int has_compound_word(const char *s, size_t n)
{
	size_t i = 0, e;

	while ((i = skip_space(s, n, i)) < n) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '\'' || ch == '"' || ch == '`') {
			i = skip_quoted(s, n, i);
		} else if (is_idchar(ch)) {
			e = word_end(s, n, i);
			if (word_eq(s + i, e - i, "BEGIN") ||
			    word_eq(s + i, e - i, "IF") ||
			    word_eq(s + i, e - i, "CASE") ||
			    word_eq(s + i, e - i, "LOOP") ||
			    word_eq(s + i, e - i, "WHILE") ||
			    word_eq(s + i, e - i, "REPEAT"))
				return 1;
			i = e;
		} else {
			i++;
		}
	}
	return 0;
}

/* A line that is a DELIMITER command (a rough test: a false match only
 * means the text is split as usual). */
static int has_delimiter_line(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		while (i < n && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (n - i >= 9 && word_eq(s + i, 9, "DELIMITER") &&
		    (i + 9 == n || is_space((unsigned char)s[i + 9])))
			return 1;
		while (i < n && s[i] != '\n')
			i++;
		i++;
	}
	return 0;
}

static int first_span(void *payload, size_t off, size_t len, unsigned flags)
{
	(void)flags;
	*(size_t *)payload = off + len;
	return 1;
}

/*
 * Is sql one stored program whose body holds ';', given without its
 * DELIMITER lines? That is what the engine passes when it runs a
 * DELIMITER file statement by statement: splitting it again at ';' would
 * cut the body apart, so it is sent whole.
 */
static int is_whole_program(const char *sql, size_t len)
{
	size_t first = len;

	if (has_delimiter_line(sql, len) || !is_stored_program(sql, len))
		return 0;
	if (strata__split_mysql(sql, len, first_span, &first) < 0)
		return 0;
	return first < len && has_compound_word(sql, first);
}

/* Search for needle (k bytes) in s[from, n); returns its offset or n. */
static size_t find(const char *s, size_t n, size_t from, const char *needle,
                   size_t k)
{
	size_t i;

	for (i = from; k && i + k <= n; i++) {
		if (memcmp(s + i, needle, k) == 0)
			return i;
	}
	return n;
}

/*
 * Where in stmt (n bytes) the server's error is: "... near 'TEXT' at line
 * N" names the line, relative to the statement, and the text from the
 * error on (cut at 80 bytes). Else the statement's first token.
 */
static size_t error_pos(const char *stmt, size_t n, const char *msg)
{
	size_t first = skip_space(stmt, n, 0), i, line_start = 0;
	const char *at = NULL, *p, *near;
	long line;
	char *end;

	if (first >= n)
		first = 0;
	for (p = strstr(msg, " at line "); p; p = strstr(p + 1, " at line "))
		at = p;
	if (!at)
		return first;
	errno = 0;
	line = strtol(at + 9, &end, 10);
	if (errno || line < 1 || end == at + 9)
		return first;
	for (i = 0; i < n && line > 1; i++) {
		if (stmt[i] == '\n') {
			line--;
			line_start = i + 1;
		}
	}
	if (line > 1)
		return first;
	near = strstr(msg, "near '");
	if (near && near + 6 < at && at[-1] == '\'') {
		size_t k = (size_t)(at - 1 - (near + 6)), pos;

		if (k == 0)
			return n; /* the statement ended too early */
		/* whole (not cut), the text is the statement's tail */
		if (k <= n && memcmp(stmt + n - k, near + 6, k) == 0 &&
		    n - k >= line_start)
			pos = n - k;
		else
			pos = find(stmt, n, line_start, near + 6, k);
		/* the text starts after the last good token: skip to the
		 * bad one */
		while (pos < n && is_space((unsigned char)stmt[pos]))
			pos++;
		if (pos < n)
			return pos;
	}
	return line_start > first ? line_start : first;
}

static int stmt_error(struct strata_driver_conn *c, const char *stmt, size_t n,
                      long base)
{
	MYSQL *my = my_conn(c)->my;
	const char *msg = strata__my.mysql_error(my);
	unsigned no = strata__my.mysql_errno(my);
	int rc;

	/* a statement the user's interrupt stopped */
	rc = strata__my_stop_error(
	        c, no, base < 0 ? -1 : base + (long)error_pos(stmt, n, msg));
	if (rc < 0)
		return rc;
	/* the bare "Server has gone away" says neither which server nor
	 * that the connection, and the lock with it, is gone */
	if (no == CR_SERVER_GONE_ERROR || no == CR_SERVER_LOST) {
		int secs = my_conn(c)->url.read_timeout;

		rc = strata_driver_set_error(
		        c, STRATA_EDB, strata__my.mysql_sqlstate(my), (int)no,
		        base < 0 ? -1 : base + (long)error_pos(stmt, n, msg),
		        "%s: lost the connection to the server %s (it stopped, "
		        "restarted or the network failed)",
		        msg, my_conn(c)->where);
		if (no == CR_SERVER_LOST && secs > 0) {
			char why[200];

			snprintf(why, sizeof(why),
			         "or the URL's read_timeout=%d ended the wait: "
			         "the server sent nothing for %d s (the "
			         "statement may still run there)",
			         secs, secs);
			strata_driver_add_detail(c, why);
		}
		return rc;
	}
	rc = strata_driver_set_error(
	        c, STRATA_EDB, strata__my.mysql_sqlstate(my), (int)no,
	        base < 0 ? -1 : base + (long)error_pos(stmt, n, msg), "%s",
	        msg[0] ? msg : "statement failed");
	if (no == ER_LOAD_INFILE_CAPABILITY_DISABLED &&
	    !my_conn(c)->url.local_infile)
		strata_driver_add_detail(
		        c, "strata does not let the server read local files "
		           "(LOAD DATA LOCAL INFILE) unless the URL says "
		           "local_infile=1");
	return rc;
}

/* With -v, show the statement's warnings (SHOW WARNINGS is a command of
 * its own, so only once every result has been read). */
static void forward_warnings(struct strata_driver_conn *c)
{
	MYSQL *my = my_conn(c)->my;
	static const char show[] = "SHOW WARNINGS";
	strata_buf b = STRATA_BUF_INIT;
	MYSQL_RES *res;
	MYSQL_ROW row;
	int rc;

	if (!c->verbose || strata__my.mysql_warning_count(my) == 0)
		return;
	if (strata__my_real_query(c, show, sizeof(show) - 1) != 0)
		return;
	res = strata__my_store_result(c, &rc);
	while (res && (row = strata__my.mysql_fetch_row(res)) != NULL) {
		strata__buf_clear(&b);
		if (strata__my.mysql_num_fields(res) >= 3 &&
		    strata__buf_printf(&b, "%s %s: %s", row[0] ? row[0] : "",
		                       row[1] ? row[1] : "",
		                       row[2] ? row[2] : "") == 0)
			strata_driver_notice(c, b.ptr);
	}
	if (res)
		strata__my.mysql_free_result(res);
	strata_buf_release(&b);
}

/*
 * Read every result of the statement just sent (a CALL returns several),
 * passing the first result's rows to cb when given.
 */
static int read_results(struct strata_driver_conn *c, const char *stmt,
                        size_t n, long base, strata_row_cb cb, void *payload)
{
	int status, rc = 0, first = 1, gone;

	do {
		MYSQL_RES *res = strata__my_store_result(c, &gone);
		MYSQL_ROW row;

		if (gone < 0)
			return gone; /* given up after an interrupt */
		if (!res && strata__my.mysql_field_count(my_conn(c)->my) != 0)
			return stmt_error(c, stmt, n, base);
		/* before SHOW WARNINGS (forward_warnings) replaces it */
		if (!res && first)
			my_conn(c)->changes =
			        (int64_t)strata__my.mysql_affected_rows(
			                my_conn(c)->my);
		if (res && cb && first && rc == 0) {
			int ncols = (int)strata__my.mysql_num_fields(res);

			while ((row = strata__my.mysql_fetch_row(res)) !=
			       NULL) {
				rc = cb(payload, ncols,
				        (const char *const *)row);
				if (rc != 0)
					break;
			}
		}
		if (res) {
			strata__my.mysql_free_result(res);
			first = 0;
		}
		status = strata__my_next_result(c);
		if (status == STRATA_EINTERRUPTED)
			return status;
		if (status > 0)
			return stmt_error(c, stmt, n, base);
	} while (status == 0);
	forward_warnings(c);
	return rc;
}

/*
 * Run one statement, stmt[0, n) at byte base of the caller's SQL (for
 * error offsets; -1 when unknown). A final ';' is not sent.
 */
static int run_one(struct strata_driver_conn *c, const char *stmt, size_t n,
                   long base, strata_row_cb cb, void *payload)
{
	MYSQL *my = my_conn(c)->my;
	int rc;

	while (n && is_space((unsigned char)stmt[n - 1]))
		n--;
	if (n && stmt[n - 1] == ';')
		n--;
	if (skip_space(stmt, n, 0) >= n)
		return 0; /* nothing but comments */
	if (!my)
		return strata_driver_set_error(
		        c, STRATA_EDB, "08003", 0, -1,
		        "no connection to the server (it was closed after an "
		        "interrupt)");
	my_conn(c)->changes = -1;
	rc = strata__my_real_query(c, stmt, (unsigned long)n);
	if (rc == STRATA_EINTERRUPTED)
		return rc; /* given up: the connection is closed */
	if (rc != 0)
		return stmt_error(c, stmt, n, base);
	return read_results(c, stmt, n, base, cb, payload);
}

struct exec_state {
	struct strata_driver_conn *c;
	const char *sql;
	int failed; /* the error is set */
	int count;  /* statements run */
	int late;   /* the interrupt came before exec(): clean-up, run all */
};

static int exec_stmt(void *payload, size_t off, size_t len, unsigned flags)
{
	struct exec_state *st = payload;
	int rc;

	if (flags & STRATA_STMT_META) {
		st->failed = 1;
		return strata_driver_set_error(
		        st->c, STRATA_EDB, NULL, 0, (long)off,
		        "'%.*s' is a command of the mysql client, not SQL: "
		        "strata cannot run it",
		        (int)(len > 40 ? 40 : len), st->sql + off);
	}
	/* interrupted during exec(): no further statement */
	if (st->count++ > 0 && !st->late && strata_driver_interrupted(st->c)) {
		st->failed = 1;
		return strata_driver_set_error(
		        st->c, STRATA_EINTERRUPTED, "57014", 0, (long)off,
		        "interrupted before this statement");
	}
	rc = run_one(st->c, st->sql + off, len, (long)off, NULL, NULL);
	if (rc < 0)
		st->failed = 1;
	return rc;
}

int strata__my_exec(struct strata_driver_conn *c, const char *sql, size_t len)
{
	struct exec_state st;
	int rc;

	if (is_whole_program(sql, len))
		return run_one(c, sql, len, 0, NULL, NULL);
	st.c = c;
	st.sql = sql;
	st.failed = 0;
	st.count = 0;
	st.late = strata_driver_interrupted(c);
	rc = strata__split_mysql(sql, len, exec_stmt, &st);
	if (rc < 0 && !st.failed)
		return rc == STRATA_ENOMEM ?
		               strata__my_oom(c) :
		               strata_driver_set_error(c, rc, NULL, 0, -1,
		                                       "cannot split the SQL");
	return rc;
}

int strata__my_query(struct strata_driver_conn *c, const char *sql,
                     strata_row_cb cb, void *payload)
{
	return run_one(c, sql, strlen(sql), 0, cb, payload);
}

int strata__my_simple(struct strata_driver_conn *c, const char *sql)
{
	return run_one(c, sql, strlen(sql), -1, NULL, NULL);
}
