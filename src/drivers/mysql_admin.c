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

/* The connection options of mysqldump and mysql, from the URL. */
struct tool_args {
	const char *argv[24];
	int n;
	char host[300], port[32], user[300], sock[4096], pw[600];
	char ca[4096], cert[4096], key[4096];
};

static void arg(struct tool_args *a, const char *s)
{
	if (a->n < (int)(sizeof(a->argv) / sizeof(a->argv[0])) - 1)
		a->argv[a->n++] = s;
	a->argv[a->n] = NULL;
}

static int is_local(const struct my_url *u)
{
	return !u->host || !u->host[0] || strcmp(u->host, "localhost") == 0;
}

static void conn_args(struct tool_args *a, const struct my_url *u)
{
	if (u->socket) {
		snprintf(a->sock, sizeof(a->sock), "--socket=%s", u->socket);
		arg(a, a->sock);
	} else {
		snprintf(a->host, sizeof(a->host), "--host=%s",
		         u->host && u->host[0] ? u->host : "localhost");
		arg(a, a->host);
	}
	/* the server the driver reached: a port means TCP, even to
	 * localhost; localhost without one is the default socket */
	if (!u->socket && (u->port || !is_local(u))) {
		snprintf(a->port, sizeof(a->port), "--port=%u",
		         u->port ? u->port : 3306);
		arg(a, a->port);
		arg(a, "--protocol=TCP");
	}
	if (u->user) {
		snprintf(a->user, sizeof(a->user), "--user=%s", u->user);
		arg(a, a->user);
	}
	if (u->ssl_ca) {
		snprintf(a->ca, sizeof(a->ca), "--ssl-ca=%s", u->ssl_ca);
		arg(a, a->ca);
	}
	if (u->ssl_cert) {
		snprintf(a->cert, sizeof(a->cert), "--ssl-cert=%s",
		         u->ssl_cert);
		arg(a, a->cert);
	}
	if (u->ssl_key) {
		snprintf(a->key, sizeof(a->key), "--ssl-key=%s", u->ssl_key);
		arg(a, a->key);
	}
	if (u->ssl_mode == SSL_DISABLED)
		arg(a, "--skip-ssl");
	else if (u->ssl_mode >= SSL_VERIFY_CA)
		arg(a, "--ssl-verify-server-cert");
	if (u->password)
		snprintf(a->pw, sizeof(a->pw), "MYSQL_PWD=%s", u->password);
}

/* The tool with the password in its environment, forgotten after. */
static int run_tool(struct strata_driver_conn *c, struct tool_args *a,
                    int in_fd, int out_fd, int copy)
{
	int rc = strata__run_tool(c, a->argv, a->pw, in_fd, out_fd, copy);

	memset(a->pw, 0, sizeof(a->pw));
	return rc;
}

int strata__my_backup(struct strata_driver_conn *c, const char *url,
                      const char *path, int fd)
{
	struct tool_args a;
	struct my_url u;
	int rc, err;

	(void)path;
	memset(&a, 0, sizeof(a));
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
		conn_args(&a, &u);
		arg(&a, "--single-transaction");
		arg(&a, "--routines");
		arg(&a, "--triggers");
		arg(&a, "--events");
		arg(&a, "--add-drop-table");
		arg(&a, "--");
		arg(&a, u.db);
		rc = run_tool(c, &a, -1, fd, 1);
	}
	memset(a.pw, 0, sizeof(a.pw));
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

	memset(&a, 0, sizeof(a));
	memset(&u, 0, sizeof(u));
	rc = strata__restore_feed_init(&feed, c, path, SCAN_MYSQL, NULL);
	if (rc == 0)
		rc = strata__my_url_parse(c, url, &u);
	if (rc == 0) {
		arg(&a, "mysql");
		conn_args(&a, &u);
		/* no commands of the client's own (\!, system, source ...)
		 * but DELIMITER; read as the check read it */
		arg(&a, "--binary-mode");
		arg(&a, "--default-character-set=utf8mb4");
		arg(&a, "--database");
		arg(&a, u.db);
		null = open("/dev/null", O_WRONLY | O_CLOEXEC);
		rc = strata__run_tool_fed(c, a.argv, a.pw, strata__restore_feed,
		                          &feed, null, path, NULL);
	}
	memset(a.pw, 0, sizeof(a.pw));
	if (null >= 0)
		close(null);
	strata__restore_feed_release(&feed);
	strata__my_url_free(&u);
	return rc;
}
