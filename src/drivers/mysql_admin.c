/*
 * MySQL and MariaDB: fresh (the statements that drop every object of the
 * database), and backups with mysqldump and mysql, started with
 * fork/exec; the password goes in MYSQL_PWD, never on the command line.
 * The mysql client gets a restore on its stdin as it was checked
 * (restore_file.h), in --binary-mode, which keeps it from running any
 * command of its own but DELIMITER.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mysql_int.h"
#include "../util/alloc.h"
#include "../util/buf.h"
#include "restore_file.h"
#include "tool.h"

struct drop_state {
	strata_buf *out;
	int rc;
};

static int drop_row(void *payload, int ncols, const char *const *v)
{
	struct drop_state *d = payload;

	if (ncols < 1 || !v[0])
		return 0;
	d->rc = strata__buf_printf(d->out, "%s\n", v[0]);
	return d->rc;
}

int strata__my_drop_all_sql(struct strata_driver_conn *c, const char *schema,
                            strata_buf *out)
{
	static const char sql[] =
	        "SELECT stmt FROM ("
	        " SELECT 1 AS o, CONCAT('DROP VIEW IF EXISTS `',"
	        "  REPLACE(table_name, '`', '``'), '`;') AS stmt, table_name AS n"
	        "  FROM information_schema.views WHERE table_schema = DATABASE()"
	        " UNION ALL"
	        " SELECT 2, CONCAT('DROP TABLE IF EXISTS `',"
	        "  REPLACE(table_name, '`', '``'), '`;'), table_name"
	        "  FROM information_schema.tables WHERE table_schema = DATABASE()"
	        "  AND table_type = 'BASE TABLE'"
	        " UNION ALL"
	        " SELECT 3, CONCAT('DROP ', routine_type, ' IF EXISTS `',"
	        "  REPLACE(routine_name, '`', '``'), '`;'), routine_name"
	        "  FROM information_schema.routines WHERE routine_schema = DATABASE()"
	        " UNION ALL"
	        " SELECT 4, CONCAT('DROP EVENT IF EXISTS `',"
	        "  REPLACE(event_name, '`', '``'), '`;'), event_name"
	        "  FROM information_schema.events WHERE event_schema = DATABASE()"
	        ") x ORDER BY o, n";
	struct drop_state d = { out, 0 };
	int rc;

	(void)schema; /* the connection's database */
	rc = strata__buf_puts(out, "SET FOREIGN_KEY_CHECKS = 0;\n");
	if (rc == 0)
		rc = c->driver->query(c, sql, drop_row, &d);
	if (rc == 0 && d.rc == 0)
		rc = strata__buf_puts(out, "SET FOREIGN_KEY_CHECKS = 1;\n");
	return rc < 0 ? rc : d.rc;
}

/*
 * The connection options of mysqldump and mysql, from the URL: each one
 * built in a buffer of its own, as long as the URL's part is (a long user,
 * password or path is never cut). The password goes in pw, for the tool's
 * environment, and is wiped before it is freed.
 */
enum {
	A_HOST,
	A_PORT,
	A_USER,
	A_SOCK,
	A_CA,
	A_CERT,
	A_KEY,
	A_IGNORE,
	A_N
};

struct tool_args {
	const char *argv[24];
	int n;
	int oom;
	strata_buf opt[A_N];
	strata_buf pw;
};

static void args_init(struct tool_args *a)
{
	int i;

	memset(a, 0, sizeof(*a));
	for (i = 0; i < A_N; i++)
		a->opt[i] = (strata_buf)STRATA_BUF_INIT;
	a->pw = (strata_buf)STRATA_BUF_INIT;
}

static void wipe_pw(struct tool_args *a)
{
	if (a->pw.alloc)
		memset(a->pw.ptr, 0, a->pw.alloc);
	strata_buf_release(&a->pw);
}

static void args_release(struct tool_args *a)
{
	int i;

	for (i = 0; i < A_N; i++)
		strata_buf_release(&a->opt[i]);
	wipe_pw(a);
}

static void arg(struct tool_args *a, const char *s)
{
	if (a->n < (int)(sizeof(a->argv) / sizeof(a->argv[0])) - 1)
		a->argv[a->n++] = s;
	a->argv[a->n] = NULL;
}

/* "--name=value" in a->opt[which], added to argv */
static void opt_arg(struct tool_args *a, int which, const char *name,
                    const char *value)
{
	strata_buf *b = &a->opt[which];

	if (strata__buf_puts(b, name) < 0 || strata__buf_puts(b, value) < 0) {
		a->oom = 1;
		return;
	}
	arg(a, b->ptr);
}

/* --ignore-table for the cluster lock's table (mysql_galera.c): a
 * runner's lock is no part of the schema, and a restore must not bring
 * back an old one */
static void ignore_lock_table(struct tool_args *a, const char *db)
{
	strata_buf *b = &a->opt[A_IGNORE];

	if (strata__buf_printf(b, "--ignore-table=%s.%s", db,
	                       STRATA_MY_LOCK_TABLE) < 0) {
		a->oom = 1;
		return;
	}
	arg(a, b->ptr);
}

static int is_local(const struct my_url *u)
{
	return !u->host || !u->host[0] || strcmp(u->host, "localhost") == 0;
}

static int conn_args(struct strata_driver_conn *c, struct tool_args *a,
                     const struct my_url *u)
{
	char port[16];

	if (u->socket)
		opt_arg(a, A_SOCK, "--socket=", u->socket);
	else
		opt_arg(a, A_HOST, "--host=",
		        u->host && u->host[0] ? u->host : "localhost");
	/* the server the driver reached: a port means TCP, even to
	 * localhost; localhost without one is the default socket */
	if (!u->socket && (u->port || !is_local(u))) {
		snprintf(port, sizeof(port), "%u", u->port ? u->port : 3306);
		opt_arg(a, A_PORT, "--port=", port);
		arg(a, "--protocol=TCP");
	}
	if (u->user)
		opt_arg(a, A_USER, "--user=", u->user);
	if (u->ssl_ca)
		opt_arg(a, A_CA, "--ssl-ca=", u->ssl_ca);
	if (u->ssl_cert)
		opt_arg(a, A_CERT, "--ssl-cert=", u->ssl_cert);
	if (u->ssl_key)
		opt_arg(a, A_KEY, "--ssl-key=", u->ssl_key);
	if (u->ssl_mode == SSL_DISABLED)
		arg(a, "--skip-ssl");
	else if (u->ssl_mode >= SSL_VERIFY_CA)
		arg(a, "--ssl-verify-server-cert");
	if (u->password && (strata__buf_puts(&a->pw, "MYSQL_PWD=") < 0 ||
	                    strata__buf_puts(&a->pw, u->password) < 0))
		a->oom = 1;
	return a->oom ? strata__my_oom(c) : 0;
}

/* The tool with the password in its environment, forgotten after. */
static int run_tool(struct strata_driver_conn *c, struct tool_args *a,
                    int in_fd, int out_fd, int copy)
{
	int rc = strata__run_tool(c, a->argv, a->pw.len ? a->pw.ptr : NULL,
	                          in_fd, out_fd, copy);

	wipe_pw(a);
	return rc;
}

int strata__my_backup(struct strata_driver_conn *c, const char *url,
                      const char *path, int fd)
{
	struct tool_args a;
	struct my_url u;
	int rc, err;

	(void)path;
	args_init(&a);
	memset(&u, 0, sizeof(u));
	rc = strata__my_url_parse(c, url, &u);
	/* the first line: strata's backup wrote it (restore checks) */
	if (rc == 0 &&
	    (err = strata__backup_header(fd, "mysql", "mysqldump", u.db)) != 0)
		rc = strata_driver_set_error(c, STRATA_EIO, NULL, 0, -1,
		                             "cannot write the backup: %s",
		                             strerror(err));
	if (rc == 0) {
		arg(&a, "mysqldump");
		rc = conn_args(c, &a, &u);
	}
	if (rc == 0) {
		arg(&a, "--single-transaction");
		arg(&a, "--routines");
		arg(&a, "--triggers");
		arg(&a, "--events");
		arg(&a, "--add-drop-table");
		ignore_lock_table(&a, u.db);
		arg(&a, "--");
		arg(&a, u.db);
		rc = run_tool(c, &a, -1, fd, 1);
	}
	args_release(&a);
	strata__my_url_free(&u);
	return rc;
}

int strata__my_restore_check(const char *path, int fd, const char *table,
                             strata_buf *what, unsigned long *line)
{
	(void)table;
	return strata__restore_text_check(path, fd, SCAN_MYSQL, "mysql", what,
	                                  line);
}

int strata__my_restore(struct strata_driver_conn *c, const char *url,
                       const char *path)
{
	struct restore_feed feed;
	struct tool_args a;
	struct my_url u;
	int rc, null = -1;

	args_init(&a);
	memset(&u, 0, sizeof(u));
	rc = strata__restore_feed_init(&feed, c, path, SCAN_MYSQL, NULL);
	if (rc == 0)
		rc = strata__my_url_parse(c, url, &u);
	if (rc == 0) {
		arg(&a, "mysql");
		rc = conn_args(c, &a, &u);
	}
	if (rc == 0) {
		/* no commands of the client's own (\!, system, source ...)
		 * but DELIMITER; read as the check read it */
		arg(&a, "--binary-mode");
		arg(&a, "--default-character-set=utf8mb4");
		arg(&a, "--database");
		arg(&a, u.db);
		null = open("/dev/null", O_WRONLY | O_CLOEXEC);
		rc = strata__run_tool_fed(c, a.argv, a.pw.len ? a.pw.ptr : NULL,
		                          strata__restore_feed, &feed, null,
		                          path, NULL);
	}
	args_release(&a);
	if (null >= 0)
		close(null);
	strata__restore_feed_release(&feed);
	strata__my_url_free(&u);
	return rc;
}

/* The largest schema dump read back: far above any schema. */
#define DUMP_MAX ((size_t)256 << 20)

int strata__my_dump(struct strata_driver_conn *c, const char *url,
                    strata_buf *out)
{
	/* MariaDB's client directive (10.5.25 on): the client's version */
	static const char *const drop[] = { "/*M!999999\\- enable the sandbox",
		                            NULL };
	strata_buf raw = STRATA_BUF_INIT;
	struct tool_args a;
	struct my_url u;
	int rc;

	args_init(&a);
	memset(&u, 0, sizeof(u));
	rc = strata__my_url_parse(c, url, &u);
	if (rc == 0) {
		arg(&a, "mysqldump");
		rc = conn_args(c, &a, &u);
	}
	if (rc == 0) {
		/* as dbmate's schema.sql, with the events too; no dates, no
		 * comments (they name the server, its version and host) */
		arg(&a, "--no-data");
		arg(&a, "--skip-comments");
		arg(&a, "--skip-dump-date");
		arg(&a, "--skip-add-drop-table");
		arg(&a, "--single-transaction");
		arg(&a, "--routines");
		arg(&a, "--triggers");
		arg(&a, "--events");
		ignore_lock_table(&a, u.db);
		arg(&a, "--");
		arg(&a, u.db);
		rc = strata__run_tool_capture(
		        c, a.argv, a.pw.len ? a.pw.ptr : NULL, &raw, DUMP_MAX);
		wipe_pw(&a);
	}
	if (rc == 0 &&
	    strata__tool_output_clean(out, raw.ptr, raw.len, drop,
	                              STRATA_TOOL_CLEAN_AUTO_INCREMENT |
	                                      STRATA_TOOL_CLEAN_DEFINER) < 0)
		rc = strata__my_oom(c);
	strata_buf_release(&raw);
	args_release(&a);
	strata__my_url_free(&u);
	return rc;
}
