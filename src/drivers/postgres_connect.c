/*
 * Connecting to PostgreSQL: the URL checked before libpq sees it (libpq
 * echoes a malformed one whole, password included), failures that say
 * what was tried, and the session's settings (UTC, notices, the check
 * that ends a dead client's session and frees its lock, hot standbys
 * refused, search_path for --schema).
 */
#include <stdlib.h>
#include <string.h>

#include "postgres.h"
#include "../util/alloc.h"
#include "../util/buf.h"
#include "../util/secret.h"
#include "../util/url.h"

/* ------------------------------------------------------------------ */
/* Connecting                                                         */

static void notice_cb(void *arg, const PGresult *res)
{
	struct strata_driver_conn *c = arg;
	const char *msg = strata__pq.PQresultErrorMessage(res);

	if (msg && msg[0])
		strata_driver_notice(c, msg);
}

/* Does the quoted text t (n bytes) contain pw, or pw contain t? */
static int overlaps(const char *pw, const char *t, size_t n)
{
	size_t k = pw ? strlen(pw) : 0, i;

	if (k == 0 || n == 0)
		return 0;
	for (i = 0; i + k <= n; i++)
		if (memcmp(t + i, pw, k) == 0)
			return 1;
	for (i = 0; n >= 3 && i + n <= k; i++)
		if (memcmp(pw + i, t, n) == 0)
			return 1;
	return 0;
}

/*
 * Why libpq refused the URL, without anything that may be the URL or the
 * password (the one strata's parse finds: libpq cannot parse a malformed
 * URL): quoted parts that look like one are replaced by "...".
 */
static int malformed_url(struct strata_driver_conn *c,
                         const struct strata__url *url, const char *why)
{
	strata_buf b = STRATA_BUF_INIT;
	char *pw, *pw_decoded;
	const char *s = why ? why : "";
	int rc = strata__url_secret(url, &pw, &pw_decoded);

	while (rc == 0 && *s && *s != '\n') {
		const char *close = s[0] == '"' ? strchr(s + 1, '"') : NULL;

		if (close) {
			size_t n = (size_t)(close - s - 1);
			int secret = n > 40 || memchr(s + 1, '@', n) ||
			             memchr(s + 1, '/', n) ||
			             memchr(s + 1, ':', n) ||
			             memchr(s + 1, '%', n) ||
			             overlaps(pw, s + 1, n) ||
			             overlaps(pw_decoded, s + 1, n);

			if (secret)
				rc = strata__buf_puts(&b, "\"...\"");
			else
				rc = strata__buf_put(&b, s, n + 2);
			s = close + 1;
			continue;
		}
		rc = strata__buf_putc(&b, *s++);
	}
	if (rc == 0) {
		strata__mask_secret(&b, pw);
		strata__mask_secret(&b, pw_decoded);
	}
	strata__free(pw);
	strata__free(pw_decoded);
	if (rc < 0) {
		strata_buf_release(&b);
		return strata__pg_oom(c);
	}
	rc = strata_driver_set_error(c, STRATA_ECONNECT, NULL, 0, -1,
	                             "malformed PostgreSQL URL%s%s",
	                             b.len ? ": " : "", b.ptr);
	strata_buf_release(&b);
	strata_driver_add_detail(
	        c, "the URL is not repeated here because it may hold a "
	           "password; the form is postgres://user:password@host:"
	           "port/database?option=value (libpq options only)");
	return rc;
}

static const char *or_default(const char *s)
{
	return s && s[0] ? s : "(default)";
}

/* "host H, port P" or "socket directory D, port P" */
static int put_where(strata_buf *out, PGconn *pg)
{
	const char *host = pg ? strata__pq.PQhost(pg) : NULL;

	return strata__buf_printf(
	        out, "%s %s, port %s",
	        host && host[0] == '/' ? "socket directory" : "host",
	        or_default(host),
	        or_default(pg ? strata__pq.PQport(pg) : NULL));
}

static int connect_failed(struct strata_driver_conn *c)
{
	PGconn *pg = pc(c)->pg;
	const char *msg = pg ? strata__pq.PQerrorMessage(pg) : "out of memory";
	strata_buf pre = STRATA_BUF_INIT, first = STRATA_BUF_INIT;
	const char *nl = strchr(msg, '\n');
	int rc;

	if (strata__buf_puts(&pre, "cannot connect to PostgreSQL (") < 0 ||
	    put_where(&pre, pg) < 0 ||
	    strata__buf_printf(&pre, ", database %s, user %s): ",
	                       or_default(pg ? strata__pq.PQdb(pg) : NULL),
	                       or_default(pg ? strata__pq.PQuser(pg) : NULL)) <
	            0 ||
	    strata__buf_put(&first, msg,
	                    nl ? (size_t)(nl - msg) : strlen(msg)) < 0) {
		strata_buf_release(&pre);
		strata_buf_release(&first);
		return strata__pg_oom(c);
	}
	rc = strata__pg_set_error_text(c, STRATA_ECONNECT, NULL, -1, pre.ptr,
	                               first.ptr);
	/* libpq's further lines: hints, and the other hosts it tried */
	while (nl && nl[1]) {
		const char *line = nl + 1;

		while (*line == '\t' || *line == ' ')
			line++;
		nl = strchr(line, '\n');
		strata__buf_clear(&first);
		if (strata__buf_put(&first, line,
		                    nl ? (size_t)(nl - line) : strlen(line)) ==
		    0) {
			const char *pw = strata__pq.PQpass(pg);

			if (pw && pw[0])
				strata__mask_secret(&first, pw);
			strata_driver_add_detail(c, first.ptr);
		}
	}
	if (strstr(msg, "database \"") && strstr(msg, "\" does not exist"))
		strata_driver_add_detail(
		        c, "strata does not create PostgreSQL databases: "
		           "create it first (createdb, or CREATE DATABASE)");
	strata_buf_release(&pre);
	strata_buf_release(&first);
	return rc;
}

/*
 * The set-up message. applied_at literals are UTC: TimeZone is one of
 * the settings a pooler keeps for each of its clients. The others are
 * set only on a direct connection (postgres_pooler.c), never on a server
 * session a pooler shares: client_connection_check_interval (PostgreSQL
 * 14+) makes the server notice within a second that a killed runner is
 * gone, ending its session (and freeing its lock) even in the middle of a
 * long statement. Then the standby check, the identifier limit and the
 * server process: PQexec returns the last result, or the error that
 * stopped it.
 */
static int setup_sql(struct strata_driver_conn *c, strata_buf *sql)
{
	int rc = strata__buf_puts(
	        sql, "SET TimeZone = 'UTC'; SELECT pg_catalog.set_config("
	             "'client_min_messages', 'notice', false)");

	if (rc == 0 && strata__pq.PQserverVersion(pc(c)->pg) >= 140000)
		rc = strata__buf_puts(sql,
		                      ", pg_catalog.set_config("
		                      "'client_connection_check_interval', "
		                      "'1000', false)");
	if (rc == 0)
		rc = strata__buf_puts(sql, " WHERE ");
	if (rc == 0)
		rc = strata__pg_direct_only(c, sql);
	if (rc == 0)
		rc = strata__buf_puts(
		        sql,
		        "; SELECT pg_catalog.pg_is_in_recovery(), "
		        "pg_catalog.current_setting('max_identifier_length'), "
		        "pg_catalog.pg_backend_pid()");
	return rc;
}

/* --schema sets search_path, which stays with a server session. */
static int pooled_schema(struct strata_driver_conn *c)
{
	strata_buf d = STRATA_BUF_INIT;
	int rc = strata_driver_set_error(
	        c, STRATA_EINVALID, NULL, 0, -1,
	        "%s cannot be kept through a transaction pooler: it sets "
	        "search_path, a setting of the server session, and each of "
	        "strata's transactions may run on another one",
	        strata_driver_setting(c, STRATA_SETTING_SCHEMA));

	if (strata__buf_puts(&d, "set the role's search_path instead "
	                         "(ALTER ROLE ... SET search_path), or "
	                         "connect to the server directly") == 0)
		strata_driver_add_detail(c, d.ptr);
	strata_buf_release(&d);
	return rc;
}

/* Set up the session: UTC, notices, dead-client detection, standby
 * check, identifier limit, pooler and search_path. */
static int session_setup(struct strata_driver_conn *c,
                         const struct strata_connect_params *p)
{
	PGconn *pg = pc(c)->pg;
	strata_buf sql = STRATA_BUF_INIT;
	PGresult *res;
	int rc, standby;

	if (setup_sql(c, &sql) < 0) {
		strata_buf_release(&sql);
		return strata__pg_oom(c);
	}
	res = strata__pg_exec_query(c, sql.ptr);
	strata_buf_release(&sql);
	if (!res || strata__pq.PQntuples(res) != 1 ||
	    strata__pq.PQnfields(res) != 3) {
		strata__pq.PQclear(res);
		return STRATA_ECONNECT;
	}
	standby = strata__pq.PQgetvalue(res, 0, 0)[0] == 't';
	pc(c)->max_ident = atoi(strata__pq.PQgetvalue(res, 0, 1));
	strata__pg_pooler_detect(c, atoi(strata__pq.PQgetvalue(res, 0, 2)));
	strata__pq.PQclear(res);
	/* a standby serves reading commands (status on a replica); the
	 * engine writes through nothing read_only */
	if (standby && !p->create)
		c->read_only = 1;
	else if (standby) {
		strata_buf where = STRATA_BUF_INIT;

		if (put_where(&where, pg) < 0)
			strata__buf_clear(&where);
		rc = strata_driver_set_error(
		        c, STRATA_ESTATE, "25006", 0, -1,
		        "the PostgreSQL server at %s (database %s) is a hot "
		        "standby, in recovery and read-only: migrations must "
		        "run on the primary",
		        where.ptr, or_default(strata__pq.PQdb(pg)));
		strata__buf_clear(&where);
		if (strata__buf_printf(&where,
		                       "point %s at the primary server (with "
		                       "several hosts in the URL, add "
		                       "target_session_attrs=read-write)",
		                       strata_driver_setting(
		                               c, STRATA_SETTING_DATABASE)) ==
		    0)
			strata_driver_add_detail(c, where.ptr);
		strata_buf_release(&where);
		return rc;
	}
	if (p->schema && p->schema[0] && c->pooled)
		return pooled_schema(c);
	if (p->schema && p->schema[0]) {
		rc = strata__buf_puts(&sql, "SET search_path TO ");
		if (rc == 0)
			rc = c->driver->quote_ident(c, &sql, p->schema);
		if (rc == STRATA_EINVALID) {
			strata_buf_release(&sql);
			return strata__pg_bad_schema(c, p->schema);
		}
		if (rc == 0)
			rc = c->driver->exec(c, sql.ptr, sql.len);
		strata_buf_release(&sql);
		if (rc < 0)
			return rc == STRATA_ENOMEM ? strata__pg_oom(c) :
			                             STRATA_ECONNECT;
	}
	return 0;
}

/*
 * A server that stops answering (its host gone, the network cut) must
 * not hold strata forever: TCP keepalives probe an idle connection after
 * 30 s, every 10 s, and give up after 3 unanswered probes; data the
 * server's host does not acknowledge within 60 s ends the connection
 * (tcp_user_timeout). A busy server's kernel still answers both, so a
 * migration statement may run as long as it needs. The URL may set any
 * of them (libpq's keepalives=0 turns the probes off).
 */
static const char *const net_defaults[][2] = {
	{ "keepalives", "1" },           { "keepalives_idle", "30" },
	{ "keepalives_interval", "10" }, { "keepalives_count", "3" },
	{ "tcp_user_timeout", "60000" },
};

#define N_NET_DEFAULTS (sizeof(net_defaults) / sizeof(net_defaults[0]))

/*
 * Connect to the database the URL names, or with maintenance to the
 * server's maintenance database postgres instead; *db gets the name the
 * URL gives (NULL: none), when db is not NULL.
 */
static int pg_open(struct strata_driver_conn *c,
                   const struct strata_connect_params *p, int maintenance,
                   char **db)
{
	const char *keys[7 + N_NET_DEFAULTS], *vals[7 + N_NET_DEFAULTS];
	const char *no_lib = NULL;
	PQconninfoOption *opts, *o;
	struct strata__url parts;
	strata_buf text = STRATA_BUF_INIT;
	char *why = NULL, *url;
	size_t i;
	int rc, n = 0, has_timeout = getenv("PGCONNECT_TIMEOUT") != NULL;

	/* every other libpq call comes after this one, with pc(c)->pg set */
	if (strata__pq_load(&no_lib) < 0)
		return strata_driver_set_error(c, STRATA_ENOTSUPP, NULL, 0, -1,
		                               "%s", no_lib);
	/*
	 * Parse first: on a malformed URL, libpq's connection error would
	 * quote it whole, password included.
	 */
	if (strata__url_parse(&parts, p->url) == STRATA_ENOMEM)
		return strata__pg_oom(c);
	rc = strata__pg_pooler_mode(c, &parts);
	if (rc < 0) {
		strata__url_release(&parts);
		return rc;
	}
	/* schemes are case-insensitive (RFC 3986), libpq's test is not:
	 * the URL goes to libpq with its scheme in lower case */
	rc = parts.scheme ?
	             strata__buf_printf(&text, "%s%s", parts.scheme,
	                                parts.text + strlen(parts.scheme)) :
	             strata__buf_puts(&text, parts.text);
	/* strata's own parameter, which libpq would refuse */
	if (rc == 0 && parts.scheme && parts.query.p &&
	    strata__url_param(&parts, "pooler"))
		strata__pg_strip_param(&text,
		                       (size_t)(parts.query.p - parts.text),
		                       parts.query.n, "pooler");
	url = rc == 0 ? strata__buf_detach(&text) : NULL;
	strata_buf_release(&text);
	if (!url) {
		strata__url_release(&parts);
		return strata__pg_oom(c);
	}
	opts = strata__pq.PQconninfoParse(url, &why);
	if (!opts) {
		rc = why ? malformed_url(c, &parts, why) : strata__pg_oom(c);
		strata__pq.PQfreemem(why);
		strata__url_release(&parts);
		strata__free(url);
		return rc == STRATA_ENOMEM ? rc : STRATA_ECONNECT;
	}
	strata__url_release(&parts);
	for (o = opts; o->keyword; o++) {
		if (db && strcmp(o->keyword, "dbname") == 0 && o->val &&
		    o->val[0] && !(*db = strata__strdup(o->val))) {
			strata__pq.PQconninfoFree(opts);
			strata__free(url);
			return strata__pg_oom(c);
		}
		if (strcmp(o->keyword, "connect_timeout") == 0 && o->val &&
		    o->val[0])
			has_timeout = 1;
		/*
		 * "user:secret/db" (the "@host" forgotten) makes the password
		 * the port, which libpq's error would quote.
		 */
		if (strcmp(o->keyword, "port") == 0 && o->val &&
		    o->val[strspn(o->val, "0123456789,")]) {
			strata__pq.PQconninfoFree(opts);
			strata__free(url);
			memset(&parts, 0, sizeof(parts));
			malformed_url(c, &parts,
			              "the port is not a number (is "
			              "@host missing after the "
			              "password?)");
			return STRATA_ECONNECT;
		}
	}
	strata__pq.PQconninfoFree(opts);

	/*
	 * Keywords before dbname are defaults the URL may override; those
	 * after it win. The URL is expanded (expand_dbname), so every libpq
	 * option and PG* variable works. Migration files are UTF-8, and
	 * error positions are counted in characters of it: force UTF8.
	 */
	if (!has_timeout) {
		keys[n] = "connect_timeout";
		vals[n++] = "10";
	}
	for (i = 0; i < N_NET_DEFAULTS; i++) {
		keys[n] = net_defaults[i][0];
		vals[n++] = net_defaults[i][1];
	}
	keys[n] = "fallback_application_name";
	vals[n++] = p->application_name ? p->application_name : "strata";
	keys[n] = "dbname";
	vals[n++] = url;
	/* only the first dbname is a URL to expand: this one overrides */
	if (maintenance) {
		keys[n] = "dbname";
		vals[n++] = "postgres";
	}
	keys[n] = "client_encoding";
	vals[n++] = "UTF8";
	keys[n] = NULL;
	vals[n] = NULL;
	pc(c)->pg = strata__pq.PQconnectdbParams(keys, vals, 1);
	/* kept: a stop asks the server from a second connection */
	pc(c)->url = url;
	if (!pc(c)->pg || strata__pq.PQstatus(pc(c)->pg) != CONNECTION_OK)
		return connect_failed(c);
	strata__pq.PQsetNoticeReceiver(pc(c)->pg, notice_cb, c);
	/* statements are waited for with poll() (postgres_wait.c) */
	if (strata__pq.PQsetnonblocking(pc(c)->pg, 1) != 0)
		return connect_failed(c);
	if (p->schema && p->schema[0]) {
		pc(c)->schema = strata__strdup(p->schema);
		if (!pc(c)->schema)
			return strata__pg_oom(c);
	}
	/* p->create: connecting never creates a PostgreSQL database */
	return session_setup(c, p);
}

int strata__pg_connect(struct strata_driver_conn *c,
                       const struct strata_connect_params *p)
{
	return pg_open(c, p, 0, NULL);
}

static int count_row(void *payload, int ncols, const char *const *values)
{
	(void)ncols;
	(void)values;
	(*(int *)payload)++;
	return 0;
}

/* CREATE DATABASE or DROP DATABASE db, after checking that it is absent
 * (present), for a message of strata's own. */
static int create_or_drop(struct strata_driver_conn *c, const char *db,
                          int create)
{
	strata_buf sql = STRATA_BUF_INIT;
	int rc, n = 0;

	rc = strata__buf_puts(&sql, "SELECT 1 FROM pg_catalog.pg_database "
	                            "WHERE datname = ");
	if (rc == 0)
		rc = strata__pg_quote_literal(c, &sql, db);
	if (rc == 0)
		rc = c->driver->query(c, sql.ptr, count_row, &n);
	if (rc == 0 && create && n)
		rc = strata_driver_set_error(c, STRATA_EEXISTS, "42P04", 0, -1,
		                             "database '%s' exists already",
		                             db);
	else if (rc == 0 && !create && !n)
		rc = strata_driver_set_error(c, STRATA_ENOTFOUND, "3D000", 0,
		                             -1, "database '%s' does not exist",
		                             db);
	strata__buf_clear(&sql);
	if (rc == 0)
		rc = strata__buf_puts(&sql, create ? "CREATE DATABASE " :
		                                     "DROP DATABASE ");
	if (rc == 0)
		rc = strata__pg_quote_ident(c, &sql, db);
	if (rc == 0)
		rc = strata__pg_exec(c, sql.ptr, sql.len);
	strata_buf_release(&sql);
	return rc == STRATA_ENOMEM ? strata__pg_oom(c) : rc;
}

int strata__pg_database(struct strata_driver_conn *c,
                        const struct strata_connect_params *p,
                        strata_database_op op)
{
	char *db = NULL;
	int rc = pg_open(c, p, 1, &db);

	if (rc == 0 && op != STRATA_DATABASE_PING && !db)
		rc = strata_driver_set_error(c, STRATA_EINVALID, NULL, 0, -1,
		                             "the URL names no database");
	else if (rc == 0 && op != STRATA_DATABASE_PING)
		rc = create_or_drop(c, db, op == STRATA_DATABASE_CREATE);
	strata__free(db);
	return rc;
}

void strata__pg_disconnect(struct strata_driver_conn *c)
{
	if (pc(c)->stop.ctl)
		strata__pq.PQfinish(pc(c)->stop.ctl);
	pc(c)->stop.ctl = NULL;
	if (pc(c)->pg)
		strata__pq.PQfinish(pc(c)->pg);
	pc(c)->pg = NULL;
	if (pc(c)->url) {
		/* it may hold the password */
		volatile char *v = pc(c)->url;

		while (*v)
			*v++ = '\0';
	}
	strata__free(pc(c)->url);
	pc(c)->url = NULL;
	strata__free(pc(c)->schema);
	pc(c)->schema = NULL;
	strata__free(pc(c)->key_in);
	pc(c)->key_in = NULL;
	strata__free(pc(c)->key);
	pc(c)->key = NULL;
}

/*
 * The next database of a fleet on this connection: the schemas of one
 * database, so the same URL only. DISCARD ALL ends all that the last
 * member may have left on the session (its SETs, SET ROLE, advisory locks
 * a migration took itself, temporary tables, prepared statements,
 * LISTEN), as PgBouncer resets a server session between clients; then
 * the session is set up as connect() does. The engine takes the next
 * member's lock only after this, so the reset cannot free it.
 */
int strata__pg_reuse(struct strata_driver_conn *c, const char *old_url,
                     const struct strata_connect_params *p)
{
	PGconn *pg = strata__pg_live(c);
	int rc;

	if (!pg || c->pooled || c->read_only || pc(c)->stop.t0 ||
	    pc(c)->stop.asked || !old_url || strcmp(old_url, p->url) != 0)
		return STRATA_ENOTSUPP;
	switch (strata__pq.PQtransactionStatus(pg)) {
	case PQTRANS_IDLE:
		break;
	case PQTRANS_INTRANS:
	case PQTRANS_INERROR:
		/* a failed member's transaction: nothing of it may stay */
		rc = strata__pg_simple(c, "ROLLBACK", 1);
		if (rc < 0)
			return rc;
		break;
	default:
		return STRATA_ENOTSUPP; /* a statement in flight, or gone */
	}
	if (pc(c)->stop.ctl)
		strata__pq.PQfinish(pc(c)->stop.ctl);
	memset(&pc(c)->stop, 0, sizeof(pc(c)->stop));
	strata__free(pc(c)->key_in);
	strata__free(pc(c)->key);
	strata__free(pc(c)->schema);
	pc(c)->key_in = pc(c)->key = pc(c)->schema = NULL;
	pc(c)->txn_pid = 0;
	pc(c)->changes = -1;
	rc = strata__pg_simple(c, "DISCARD ALL", 1);
	if (rc < 0)
		return rc;
	if (p->schema && p->schema[0] &&
	    !(pc(c)->schema = strata__strdup(p->schema)))
		return strata__pg_oom(c);
	return session_setup(c, p);
}
