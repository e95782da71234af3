/*
 * The MySQL and MariaDB driver, over libmariadb (MariaDB Connector/C),
 * loaded at run time by connect() (mysql_load.h).
 * DDL commits implicitly here, so the driver does not claim TXN_DDL: the
 * engine runs parts with DDL under its dirty protocol, one statement per
 * exec() call, and data-only parts in a transaction. The runner lock is
 * GET_LOCK, named after the lock key and the database.
 */
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

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

int strata__my_oom(struct strata_driver_conn *c)
{
	return strata_driver_set_error(c, STRATA_ENOMEM, NULL, 0, -1,
	                               "out of memory");
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

static int my_exec(struct strata_driver_conn *c, const char *sql, size_t len)
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

static int my_query(struct strata_driver_conn *c, const char *sql,
                    strata_row_cb cb, void *payload)
{
	return run_one(c, sql, strlen(sql), 0, cb, payload);
}

int strata__my_simple(struct strata_driver_conn *c, const char *sql)
{
	return run_one(c, sql, strlen(sql), -1, NULL, NULL);
}

static int my_begin(struct strata_driver_conn *c)
{
	return strata__my_simple(c, "START TRANSACTION");
}

static int my_commit(struct strata_driver_conn *c)
{
	return strata__my_simple(c, "COMMIT");
}

static int my_rollback(struct strata_driver_conn *c)
{
	return strata__my_simple(c, "ROLLBACK");
}

/* ---- quoting -------------------------------------------------------- */

size_t strata__my_utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

int strata__my_quote_ident(struct strata_driver_conn *c, strata_buf *out,
                           const char *ident)
{
	size_t n = strlen(ident);
	int rc;

	(void)c;
	/* MySQL also refuses names that end with a space */
	if (!n || strata__my_utf8_chars(ident) > MY_NAME_MAX ||
	    ident[n - 1] == ' ')
		return STRATA_EINVALID;
	rc = strata__buf_putc(out, '`');
	for (; rc == 0 && *ident; ident++) {
		if (*ident == '`')
			rc = strata__buf_putc(out, '`');
		if (rc == 0)
			rc = strata__buf_putc(out, *ident);
	}
	if (rc == 0)
		rc = strata__buf_putc(out, '`');
	return rc;
}

/*
 * Connected (my), mysql_real_escape_string() follows the session: it
 * doubles quotes only under NO_BACKSLASH_ESCAPES. Offline (my NULL), ' is
 * doubled and \ escaped, which reads the same under either mode except
 * for '\'.
 */
static int quote_literal(MYSQL *my, strata_buf *out, const char *s)
{
	size_t n = strlen(s);
	unsigned long k;
	int rc;

	if (!my || !strata__my.mysql_get_host_info(my)) {
		rc = strata__buf_putc(out, '\'');
		for (; rc == 0 && *s; s++) {
			if (*s == '\'' || *s == '\\')
				rc = strata__buf_putc(out, *s);
			if (rc == 0)
				rc = strata__buf_putc(out, *s);
		}
		return rc == 0 ? strata__buf_putc(out, '\'') : rc;
	}
	if (n > (SIZE_MAX - 3) / 2 || n > ULONG_MAX / 2)
		return STRATA_ENOMEM;
	rc = strata__buf_grow(out, 2 * n + 3);
	if (rc < 0)
		return rc;
	out->ptr[out->len] = '\'';
	k = strata__my.mysql_real_escape_string(my, out->ptr + out->len + 1, s,
	                                        (unsigned long)n);
	if (k == (unsigned long)-1) {
		out->ptr[out->len] = '\0';
		return STRATA_EINVALID;
	}
	out->ptr[out->len + 1 + k] = '\'';
	out->len += k + 2;
	out->ptr[out->len] = '\0';
	return 0;
}

/* c may be NULL (offline use) */
static int my_quote_literal(struct strata_driver_conn *c, strata_buf *out,
                            const char *s)
{
	return quote_literal(c ? my_conn(c)->my : NULL, out, s);
}

/* ---- connection ----------------------------------------------------- */

/* ---- catalog -------------------------------------------------------- */

struct columns {
	strata_row_cb cb;
	void *payload;
	int found;
};

static int columns_cb(void *payload, int ncols, const char *const *v)
{
	struct columns *cols = payload;

	cols->found = 1;
	return cols->cb(cols->payload, ncols, v);
}

static int64_t my_changes(struct strata_driver_conn *c)
{
	return my_conn(c)->changes;
}

static int my_table_columns(struct strata_driver_conn *c, const char *schema,
                            const char *table, strata_row_cb cb, void *payload)
{
	strata_buf sql = STRATA_BUF_INIT;
	struct columns cols;
	int rc;

	cols.cb = cb;
	cols.payload = payload;
	cols.found = 0;
	rc = strata__buf_puts(&sql, "SELECT COLUMN_NAME, DATA_TYPE FROM "
	                            "information_schema.COLUMNS WHERE "
	                            "TABLE_SCHEMA = ");
	if (rc == 0 && schema && schema[0])
		rc = quote_literal(my_conn(c)->my, &sql, schema);
	else if (rc == 0)
		rc = strata__buf_puts(&sql, "DATABASE()");
	if (rc == 0)
		rc = strata__buf_puts(&sql, " AND TABLE_NAME = ");
	if (rc == 0)
		rc = quote_literal(my_conn(c)->my, &sql, table);
	if (rc == 0)
		rc = strata__buf_puts(&sql, " ORDER BY ORDINAL_POSITION");
	if (rc < 0)
		rc = strata__my_oom(c);
	else
		rc = my_query(c, sql.ptr, columns_cb, &cols);
	strata_buf_release(&sql);
	if (rc == 0 && !cols.found)
		return STRATA_ENOTFOUND;
	return rc;
}

static const char *const mysql_schemes[] = { "mysql", "mariadb", NULL };

const struct strata_driver strata__driver_mysql = {
	.version = STRATA_DRIVER_VERSION,
	.name = "mysql",
	.schemes = mysql_schemes,
	.caps = STRATA_DRIVER_CAP_LOCK,
	.dialect = STRATA_DIALECT_HASH_COMMENT | STRATA_DIALECT_EXEC_COMMENT,
	.conn_size = sizeof(struct my_conn),
	/* required */
	.timestamp_type = "DATETIME(3)",
	.connect = strata__my_connect,
	.disconnect = strata__my_disconnect,
	.exec = my_exec,
	.query = my_query,
	.begin = my_begin,
	.commit = my_commit,
	.rollback = my_rollback,
	.quote_ident = strata__my_quote_ident,
	.quote_literal = my_quote_literal,
	.split = strata__split_mysql,
	.table_columns = my_table_columns,
	/* tuning */
	.script_client = "mysql DATABASE < FILE",
	.now_sql = "UTC_TIMESTAMP(3)",
	.current_schema_sql = "SELECT DATABASE()",
	.widen_dirty_sql = "MODIFY dirty BIGINT NOT NULL",
	/* optional */
	.lock = strata__my_lock,
	.unlock = strata__my_unlock,
	.ensure_schema = NULL,
	.changes = my_changes,
	.drop_all_sql = strata__my_drop_all_sql,
	.backup = strata__my_backup,
	.restore = strata__my_restore,
	.backup_extension = ".sql",
	.restore_check = strata__my_restore_check,
	.delimiters = strata__split_mysql_delimiters,
	.delimiter_reset = "DELIMITER ;\n",
};
