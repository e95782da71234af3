/*
 * PostgreSQL: fresh (the statements that drop every object of a schema),
 * and backups with the server's own tools, pg_dump and psql, started
 * with fork/exec. The connection string on their command line never
 * holds the password: it goes in PGPASSWORD. psql gets a restore on its
 * stdin as it was checked (restore_file.h), restricted from running
 * commands of its own.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "postgres.h"
#include "../util/alloc.h"
#include "../util/buf.h"
#include "restore_file.h"
#include "tool.h"

/*
 * One statement per object that a migration could have made, skipping
 * what extensions own; CASCADE takes dependants along, so the order
 * only needs views before tables.
 */
static const char drop_sql[] =
        "WITH s AS (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = $1),"
        " ext AS (SELECT objid FROM pg_catalog.pg_depend WHERE deptype = 'e')"
        " SELECT stmt FROM ("
        "  SELECT 1 AS o, format('DROP %s IF EXISTS %I.%I CASCADE;',"
        "   CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN"
        "   'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN"
        "   'FOREIGN TABLE' ELSE 'TABLE' END, $1, c.relname) AS stmt,"
        "   c.relname AS n"
        "  FROM pg_catalog.pg_class c"
        "  WHERE c.relnamespace = (SELECT oid FROM s)"
        "   AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')"
        "   AND NOT c.relispartition"
        "   AND c.oid NOT IN (SELECT objid FROM ext)"
        "   AND NOT (c.relkind = 'S' AND EXISTS (SELECT 1 FROM"
        "    pg_catalog.pg_depend d WHERE d.objid = c.oid AND d.deptype IN"
        "    ('a', 'i')))"
        "  UNION ALL"
        "  SELECT 2, format('DROP ROUTINE IF EXISTS %I.%I(%s) CASCADE;', $1,"
        "   p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid)),"
        "   p.proname"
        "  FROM pg_catalog.pg_proc p WHERE p.pronamespace = (SELECT oid FROM s)"
        "   AND p.oid NOT IN (SELECT objid FROM ext)"
        "  UNION ALL"
        "  SELECT 3, format('DROP %s IF EXISTS %I.%I CASCADE;', CASE t.typtype"
        "   WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, $1, t.typname), t.typname"
        "  FROM pg_catalog.pg_type t WHERE t.typnamespace = (SELECT oid FROM s)"
        "   AND t.typtype IN ('e', 'd', 'r', 'c', 'm')"
        "   AND (t.typtype <> 'c' OR (SELECT c.relkind FROM pg_catalog.pg_class"
        "    c WHERE c.oid = t.typrelid) = 'c')"
        "   AND t.oid NOT IN (SELECT objid FROM ext)"
        " ) x ORDER BY o, (stmt LIKE 'DROP VIEW%' OR stmt LIKE 'DROP MAT%')"
        " DESC, n";

int strata__pg_drop_all_sql(struct strata_driver_conn *c, const char *schema,
                            strata_buf *out)
{
	const char *params[1] = { schema ? schema : "public" };
	PGresult *res;
	int i, rc = 0;

	res = strata__pq.PQexecParams(pc(c)->pg, drop_sql, 1, NULL, params,
	                              NULL, NULL, 0);
	if (strata__pq.PQresultStatus(res) != PGRES_TUPLES_OK) {
		rc = strata_driver_set_error(
		        c, STRATA_EDB, NULL, 0, -1,
		        "cannot list the schema's objects: "
		        "%s",
		        strata__pq.PQerrorMessage(pc(c)->pg));
		strata__pq.PQclear(res);
		return rc;
	}
	for (i = 0; rc == 0 && i < strata__pq.PQntuples(res); i++) {
		rc = strata__buf_puts(out, strata__pq.PQgetvalue(res, i, 0));
		if (rc == 0)
			rc = strata__buf_putc(out, '\n');
	}
	strata__pq.PQclear(res);
	return rc;
}

/* key='value' with \ and ' escaped, as libpq's conninfo wants. */
static int put_kv(strata_buf *b, const char *k, const char *v)
{
	int rc = strata__buf_printf(b, "%s%s='", b->len ? " " : "", k);

	for (; rc == 0 && *v; v++) {
		if (*v == '\\' || *v == '\'')
			rc = strata__buf_putc(b, '\\');
		if (rc == 0)
			rc = strata__buf_putc(b, *v);
	}
	return rc == 0 ? strata__buf_putc(b, '\'') : rc;
}

/* pg_dump and psql begin with session settings (search_path, among
 * others), which a transaction pooler would leave on a server session
 * for the next client's transactions. */
static int pooled_tool(struct strata_driver_conn *c)
{
	strata_buf d = STRATA_BUF_INIT;
	int rc = strata_driver_set_error(
	        c, STRATA_ENOTSUPP, NULL, 0, -1,
	        "pg_dump and psql are not run through a transaction pooler: "
	        "the session settings they make would stay on a server "
	        "session that other clients' transactions use next");

	if (strata__buf_printf(
	            &d,
	            "back up, dump or restore through a direct "
	            "connection to the server; a rollback through "
	            "the pooler runs without its backup with %s",
	            strata_driver_setting(c, STRATA_SETTING_NO_BACKUP)) == 0)
		strata_driver_add_detail(c, d.ptr);
	strata_buf_release(&d);
	return rc;
}

/*
 * The URL as a conninfo string without the password, the password as
 * PGPASSWORD=... for the tool's environment, and the database's name
 * into db when not NULL.
 */
static int tool_conninfo(struct strata_driver_conn *c, const char *url,
                         strata_buf *info, strata_buf *pw_env, strata_buf *db)
{
	PQconninfoOption *opts, *o;
	const char *no_lib = NULL;
	char *err = NULL, *clean;
	int rc = 0;

	if (c->pooled)
		return pooled_tool(c);
	/* loaded already when connected; a restore need not be */
	if (strata__pq_load(&no_lib) < 0)
		return strata_driver_set_error(c, STRATA_ENOTSUPP, NULL, 0, -1,
		                               "%s", no_lib);
	clean = strata__pg_libpq_url(url);
	if (!clean)
		return strata__pg_oom(c);
	opts = strata__pq.PQconninfoParse(clean, &err);
	strata__pg_wipe_free(clean);
	if (!opts) {
		strata__pq.PQfreemem(err);
		return strata_driver_set_error(c, STRATA_EINVALID, NULL, 0, -1,
		                               "malformed PostgreSQL URL");
	}
	for (o = opts; rc == 0 && o->keyword; o++) {
		if (!o->val || !o->val[0])
			continue;
		if (strcmp(o->keyword, "password") == 0)
			rc = strata__buf_printf(pw_env, "PGPASSWORD=%s",
			                        o->val);
		else
			rc = put_kv(info, o->keyword, o->val);
		if (rc == 0 && db && strcmp(o->keyword, "dbname") == 0)
			rc = strata__buf_puts(db, o->val);
	}
	strata__pq.PQconninfoFree(opts);
	return rc == 0 ? 0 :
	                 strata_driver_set_error(c, STRATA_ENOMEM, NULL, 0, -1,
	                                         "out of memory");
}

int strata__pg_backup(struct strata_driver_conn *c, const char *url,
                      const char *path, int fd)
{
	strata_buf info = STRATA_BUF_INIT, pw = STRATA_BUF_INIT,
	           db = STRATA_BUF_INIT;
	int rc = tool_conninfo(c, url, &info, &pw, &db), err;

	(void)path;
	/* the first line: strata's backup wrote it (restore checks) */
	if (rc == 0 && (err = strata__backup_header(fd, "postgres", "pg_dump",
	                                            db.ptr)) != 0)
		rc = strata_driver_set_error(c, STRATA_EIO, NULL, 0, -1,
		                             "cannot write the backup: %s",
		                             strerror(err));
	if (rc == 0) {
		/* --clean --if-exists: the file restores over what is there */
		const char *argv[] = { "pg_dump",  "--no-password",
			               "--clean",  "--if-exists",
			               "--dbname", info.ptr,
			               NULL };

		rc = strata__run_tool(c, argv, pw.ptr, -1, fd, 1);
	}
	strata_buf_release(&info);
	strata_buf_release(&pw);
	strata_buf_release(&db);
	return rc;
}

int strata__pg_restore_check(const char *path, int fd, const char *table,
                             strata_buf *what, unsigned long *line)
{
	(void)table;
	return strata__restore_text_check(path, fd, SCAN_PSQL, "postgres", what,
	                                  line);
}

/* A key for psql's \restrict nobody can guess: psql then runs no
 * command of its own until "\unrestrict KEY", which the file cannot
 * hold. */
static int restrict_key(struct strata_driver_conn *c, char *out, size_t n)
{
	static const char alnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                            "abcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char raw[32];
	size_t i, got = 0;
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

	while (fd >= 0 && got < sizeof(raw)) {
		ssize_t r = read(fd, raw + got, sizeof(raw) - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	if (fd >= 0)
		close(fd);
	if (got < sizeof(raw) || n < sizeof(raw) + 1)
		return strata_driver_set_error(c, STRATA_EIO, NULL, 0, -1,
		                               "cannot read /dev/urandom");
	for (i = 0; i < sizeof(raw); i++)
		out[i] = alnum[raw[i] % (sizeof(alnum) - 1)];
	out[i] = '\0';
	return 0;
}

/*
 * psql with the file on its stdin, read and checked as psql gets it, in
 * one transaction that commits only after the file's last byte: a
 * strata stopped before that leaves psql an input without the COMMIT.
 */
static int run_psql(struct strata_driver_conn *c, const char *info,
                    const char *pw, const char *path, const char *restrict_cmd,
                    strata_buf *err)
{
	const char *argv[16];
	struct restore_feed feed;
	int n = 0, null, rc;

	argv[n++] = "psql";
	argv[n++] = "--no-password";
	argv[n++] = "-X";
	argv[n++] = "-q";
	argv[n++] = "-v";
	argv[n++] = "ON_ERROR_STOP=1";
	argv[n++] = "--dbname";
	argv[n++] = info;
	if (restrict_cmd) {
		argv[n++] = "-c";
		argv[n++] = restrict_cmd;
	}
	argv[n++] = "-c";
	argv[n++] = "BEGIN";
	argv[n++] = "-f";
	argv[n++] = "-";
	argv[n] = NULL;
	rc = strata__restore_feed_init(&feed, c, path, SCAN_PSQL,
	                               "\nCOMMIT;\n");
	null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (rc == 0)
		rc = strata__run_tool_fed(c, argv, pw, strata__restore_feed,
		                          &feed, null, path, err);
	if (null >= 0)
		close(null);
	strata__restore_feed_release(&feed);
	return rc;
}

int strata__pg_restore(struct strata_driver_conn *c, const char *url,
                       const char *path)
{
	strata_buf info = STRATA_BUF_INIT, pw = STRATA_BUF_INIT,
	           err = STRATA_BUF_INIT;
	char key[40], cmd[64];
	int rc = tool_conninfo(c, url, &info, &pw, NULL);

	if (rc == 0)
		rc = restrict_key(c, key, sizeof(key));
	if (rc == 0) {
		snprintf(cmd, sizeof(cmd), "\\restrict %s", key);
		rc = run_psql(c, info.ptr, pw.ptr, path, cmd, &err);
	}
	/* a psql older than \restrict (PostgreSQL 17.6, 16.10, 15.14,
	 * 14.19, 13.22) stops at it before anything: the file, checked,
	 * without that guard, when its reading does not depend on psql's
	 * settings */
	if (rc == STRATA_EDB && strstr(err.ptr, "invalid command \\restrict")) {
		rc = strata__restore_unambiguous(c, path, SCAN_PSQL);
		if (rc == 0)
			rc = run_psql(c, info.ptr, pw.ptr, path, NULL, NULL);
	}
	strata_buf_release(&info);
	strata_buf_release(&pw);
	strata_buf_release(&err);
	return rc;
}

/* The largest schema dump read back: far above any schema. */
#define DUMP_MAX ((size_t)256 << 20)

int strata__pg_dump(struct strata_driver_conn *c, const char *url,
                    strata_buf *out)
{
	/* what changes from run to run or from server to server, and says
	 * nothing of the schema: pg_dump 15.14's random \restrict key, the
	 * versions */
	static const char *const drop[] = { "\\restrict ", "\\unrestrict ",
		                            "-- Dumped from database version",
		                            "-- Dumped by pg_dump version",
		                            NULL };
	strata_buf info = STRATA_BUF_INIT, pw = STRATA_BUF_INIT,
	           raw = STRATA_BUF_INIT;
	int rc = tool_conninfo(c, url, &info, &pw, NULL);

	if (rc == 0) {
		/* as a schema.sql: no owners or grants (another database's
		 * roles), no subscriptions (they hold connection strings) */
		const char *argv[] = { "pg_dump",
			               "--no-password",
			               "--schema-only",
			               "--no-owner",
			               "--no-privileges",
			               "--no-subscriptions",
			               "--format=plain",
			               "--encoding=UTF8",
			               "--dbname",
			               info.ptr,
			               NULL };

		rc = strata__run_tool_capture(c, argv, pw.ptr, &raw, DUMP_MAX);
	}
	if (rc == 0 &&
	    strata__tool_output_clean(out, raw.ptr, raw.len, drop, 0) < 0)
		rc = strata_driver_set_error(c, STRATA_ENOMEM, NULL, 0, -1,
		                             "out of memory");
	if (pw.alloc)
		memset(pw.ptr, 0, pw.alloc);
	strata_buf_release(&info);
	strata_buf_release(&pw);
	strata_buf_release(&raw);
	return rc;
}
