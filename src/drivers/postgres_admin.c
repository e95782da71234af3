/*
 * PostgreSQL: fresh (the statements that drop every object of a schema),
 * and backups with the server's own tools, pg_dump and psql, started
 * with fork/exec. The connection string on their command line never
 * holds the password: it goes in PGPASSWORD.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "postgres.h"
#include "../util/alloc.h"
#include "../util/buf.h"
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

/*
 * The URL as a conninfo string without the password, and the password
 * as PGPASSWORD=... for the tool's environment.
 */
static int tool_conninfo(struct strata_driver_conn *c, const char *url,
                         strata_buf *info, strata_buf *pw_env)
{
	PQconninfoOption *opts, *o;
	const char *no_lib = NULL;
	char *err = NULL;
	int rc = 0;

	/* loaded already when connected; a restore need not be */
	if (strata__pq_load(&no_lib) < 0)
		return strata_driver_set_error(c, STRATA_ENOTSUPP, NULL, 0, -1,
		                               "%s", no_lib);
	opts = strata__pq.PQconninfoParse(url, &err);
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
	}
	strata__pq.PQconninfoFree(opts);
	return rc == 0 ? 0 :
	                 strata_driver_set_error(c, STRATA_ENOMEM, NULL, 0, -1,
	                                         "out of memory");
}

int strata__pg_backup(struct strata_driver_conn *c, const char *url,
                      const char *path, int fd)
{
	strata_buf info = STRATA_BUF_INIT, pw = STRATA_BUF_INIT;
	int rc = tool_conninfo(c, url, &info, &pw);

	(void)path;
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
	return rc;
}

int strata__pg_restore(struct strata_driver_conn *c, const char *url,
                       const char *path)
{
	strata_buf info = STRATA_BUF_INIT, pw = STRATA_BUF_INIT;
	int rc = tool_conninfo(c, url, &info, &pw);

	if (rc == 0) {
		const char *argv[] = { "psql",
			               "--no-password",
			               "-X",
			               "-q",
			               "-v",
			               "ON_ERROR_STOP=1",
			               "--single-transaction",
			               "--dbname",
			               info.ptr,
			               "-f",
			               path,
			               NULL };
		int null = open("/dev/null", O_WRONLY | O_CLOEXEC);

		rc = strata__run_tool(c, argv, pw.ptr, -1, null, 0);
		if (null >= 0)
			close(null);
	}
	strata_buf_release(&info);
	strata_buf_release(&pw);
	return rc;
}
