/*
 * The MySQL driver's connections: keepalives, connecting with the URL's
 * options (mysql_options.c), creating the database when asked, and
 * disconnecting.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <errmsg.h>
#include <mysqld_error.h>

#include "strata/sys/driver.h"
#include "../util/alloc.h"
#include "../util/buf.h"

#include "mysql_int.h"
#include "mysql_load.h"

/* "user@host:port/db", "user@localhost (socket PATH)/db", or for the
 * local server without a port "user@localhost (default socket)/db" */
static int describe(struct my_conn *m, const struct my_url *u)
{
	strata_buf b = STRATA_BUF_INIT;
	int rc = 0;

	if (u->user && u->user[0])
		rc = strata__buf_printf(&b, "%s@", u->user);
	if (rc == 0 && u->socket)
		rc = strata__buf_printf(&b, "localhost (socket %s)", u->socket);
	else if (rc == 0 && !u->port &&
	         (!u->host || !u->host[0] || strcmp(u->host, "localhost") == 0))
		rc = strata__buf_puts(&b, "localhost (default socket)");
	else if (rc == 0)
		rc = strata__buf_printf(&b, u->ipv6 ? "[%s]:%u" : "%s:%u",
		                        u->host && u->host[0] ? u->host :
		                                                "localhost",
		                        u->port ? u->port : 3306u);
	if (rc == 0)
		rc = strata__buf_printf(&b, "/%s", u->db);
	if (rc < 0) {
		strata_buf_release(&b);
		return STRATA_ENOMEM;
	}
	m->where = strata__buf_detach(&b);
	m->db = strata__strdup(u->db);
	return m->where && m->db ? 0 : STRATA_ENOMEM;
}

/*
 * A server whose host is gone (or the network between) must not hold
 * strata for ever, and a read timeout would end legitimately long
 * statements: TCP keepalives probe an idle connection after 30 s, every
 * 10 s, and give up after 3 unanswered probes, and data the server's
 * host does not acknowledge within 60 s ends the connection. A busy
 * server's kernel answers both. Not for local sockets.
 */
static void set_keepalive(MYSQL *my)
{
	int fd = strata__my.mysql_get_socket(my), on = 1;
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (fd < 0 || getsockname(fd, (struct sockaddr *)&ss, &len) < 0 ||
	    (ss.ss_family != AF_INET && ss.ss_family != AF_INET6))
		return;
	setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on));
#ifdef TCP_KEEPIDLE
	{
		int idle = 30, intvl = 10, cnt = 3;

		setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
		setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl,
		           sizeof(intvl));
		setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
	}
#endif
#ifdef TCP_USER_TIMEOUT
	{
		unsigned int ms = 60000;

		setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &ms, sizeof(ms));
	}
#endif
}

/* "WHAT user@host:port/db: the server's message" */
static int connect_error(struct strata_driver_conn *c, const char *what)
{
	struct my_conn *m = my_conn(c);

	return strata_driver_set_error(c, STRATA_ECONNECT,
	                               strata__my.mysql_sqlstate(m->my),
	                               (int)strata__my.mysql_errno(m->my), -1,
	                               "%s %s: %s", what, m->where,
	                               strata__my.mysql_error(m->my));
}

/* 0, -1 (see mysql_error), or STRATA_EINTERRUPTED (error set) */
static int real_connect(struct my_conn *m, const char *db)
{
	const struct my_url *u = &m->url;
	/* with socket=, the host is always the local server */
	const char *host = u->socket             ? "localhost" :
	                   u->host && u->host[0] ? u->host :
	                                           NULL;
	int rc = strata__my_real_connect(&m->base, host, db);

	if (rc == 0)
		set_keepalive(m->my);
	return rc;
}

/* Connector/C falls back to plain text unless it verifies the server's
 * certificate: check REQUIRED before the connection is used. */
static int check_tls(struct strata_driver_conn *c, const struct my_url *u)
{
	struct my_conn *m = my_conn(c);

	if (u->ssl_mode < SSL_REQUIRED ||
	    strata__my.mysql_get_ssl_cipher(m->my))
		return 0;
	return strata_driver_set_error(
	        c, STRATA_ECONNECT, NULL, CR_SSL_CONNECTION_ERROR, -1,
	        "ssl-mode=REQUIRED, but the connection to %s is not "
	        "encrypted: the server does not support TLS",
	        m->where);
}

/* A connection to the server without a database, TLS checked. */
static int connect_server(struct strata_driver_conn *c)
{
	struct my_conn *m = my_conn(c);
	int rc = real_connect(m, NULL);

	if (rc == STRATA_EINTERRUPTED)
		return rc;
	if (rc < 0)
		return connect_error(c, "cannot connect to MySQL as");
	return check_tls(c, &m->url);
}

/* Run "<verb> `db`" on the server. */
static int database_statement(struct strata_driver_conn *c, const char *verb)
{
	const char *db = my_conn(c)->url.db;
	strata_buf sql = STRATA_BUF_INIT;
	int rc = strata__buf_puts(&sql, verb);

	if (rc == 0)
		rc = strata__my_quote_ident(c, &sql, db);
	if (rc == STRATA_EINVALID)
		rc = strata_driver_set_error(
		        c, rc, NULL, 0, -1,
		        "database name '%s' is too long for MySQL", db);
	else if (rc < 0)
		rc = strata__my_oom(c);
	if (rc == 0)
		rc = strata__my_simple(c, sql.ptr);
	strata_buf_release(&sql);
	return rc;
}

/* The database does not exist: create it (migrations start empty). */
static int create_database(struct strata_driver_conn *c,
                           const struct strata_connect_params *p)
{
	struct my_conn *m = my_conn(c);
	const struct my_url *u = &m->url;
	int rc;

	/* a fresh handle: a failed connect leaves the TLS options unset */
	strata__my.mysql_close(m->my);
	m->my = strata__my.mysql_init(NULL);
	if (!m->my)
		return strata__my_oom(c);
	rc = strata__my_set_options(c, m->my, u, p->application_name);
	if (rc == 0)
		rc = connect_server(c);
	if (rc == 0)
		rc = database_statement(c, "CREATE DATABASE IF NOT EXISTS ");
	if (rc == 0 && strata__my.mysql_select_db(m->my, u->db) != 0)
		rc = connect_error(c, "cannot select the database of");
	if (rc == 0)
		strata_driver_notice(c, "created the database");
	return rc;
}

/* The first connection failed (not after an interrupt): say why, or
 * create the database. */
static int connect_failed(struct strata_driver_conn *c,
                          const struct strata_connect_params *p)
{
	struct my_conn *m = my_conn(c);

	if (strata__my.mysql_errno(m->my) != ER_BAD_DB_ERROR)
		return connect_error(c, "cannot connect to MySQL as");
	if (!p->create)
		return strata_driver_set_error(
		        c, STRATA_ENOTFOUND, "42000", ER_BAD_DB_ERROR, -1,
		        "database '%s' does not exist (%s)", m->url.db,
		        m->where);
	return create_database(c, p);
}

/* The URL taken apart, the library loaded, a handle with its options. */
static int prepare(struct strata_driver_conn *c,
                   const struct strata_connect_params *p)
{
	struct my_conn *m = my_conn(c);
	struct my_url *u = &m->url;
	const char *no_lib = NULL;
	int rc;

	/* kept until disconnect: a stop connects again with it */
	memset(u, 0, sizeof(*u));
	rc = strata__my_url_parse(c, p->url, u);
	if (rc == 0 && describe(m, u) < 0)
		rc = strata__my_oom(c);
	/* every libmariadb call comes after this one, with m->my set */
	if (rc == 0 && strata__my_load(&no_lib) < 0)
		rc = strata_driver_set_error(c, STRATA_ENOTSUPP, NULL, 0, -1,
		                             "%s", no_lib);
	if (rc == 0 && (m->my = strata__my.mysql_init(NULL)) == NULL)
		rc = strata__my_oom(c);
	if (rc == 0)
		rc = strata__my_set_options(c, m->my, u, p->application_name);
	return rc;
}

int strata__my_database(struct strata_driver_conn *c,
                        const struct strata_connect_params *p,
                        strata_database_op op)
{
	struct my_conn *m = my_conn(c);
	int rc = prepare(c, p);

	if (rc == 0)
		rc = connect_server(c);
	if (rc < 0 || op == STRATA_DATABASE_PING)
		return rc;
	rc = database_statement(c, op == STRATA_DATABASE_CREATE ?
	                                   "CREATE DATABASE " :
	                                   "DROP DATABASE ");
	if (rc == STRATA_EDB &&
	    strata__my.mysql_errno(m->my) == ER_DB_CREATE_EXISTS)
		rc = strata_driver_set_error(
		        c, STRATA_EEXISTS, "HY000", ER_DB_CREATE_EXISTS, -1,
		        "database '%s' exists already (%s)", m->url.db,
		        m->where);
	else if (rc == STRATA_EDB &&
	         strata__my.mysql_errno(m->my) == ER_DB_DROP_EXISTS)
		rc = strata_driver_set_error(
		        c, STRATA_ENOTFOUND, "HY000", ER_DB_DROP_EXISTS, -1,
		        "database '%s' does not exist (%s)", m->url.db,
		        m->where);
	return rc;
}

int strata__my_connect(struct strata_driver_conn *c,
                       const struct strata_connect_params *p)
{
	struct my_conn *m = my_conn(c);
	struct my_url *u = &m->url;
	int rc = prepare(c, p);

	if (rc == 0) {
		rc = real_connect(m, u->db);
		if (rc == 0)
			rc = check_tls(c, u);
		else if (rc != STRATA_EINTERRUPTED)
			rc = connect_failed(c, p);
	}
	/* the engine writes applied_at as UTC literals */
	if (rc == 0)
		rc = strata__my_simple(c, "SET time_zone = '+00:00'");
	/* with -v: what cluster, if any, and how it runs schema changes */
	if (rc == 0 && c->verbose)
		rc = strata__my_galera_describe(c);
	return rc;
}

void strata__my_disconnect(struct strata_driver_conn *c)
{
	struct my_conn *m = my_conn(c);

	strata__my_stop_close(c);
	strata__my_galera_free(c);
	if (m->my)
		strata__my.mysql_close(m->my);
	m->my = NULL;
	strata__my_url_free(&m->url);
	strata__free(m->db);
	strata__free(m->where);
	m->db = m->where = NULL;
}

static int same_text(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* Two URLs of one server, login and options: all alike but the
 * database. */
static int same_server(const struct my_url *a, const struct my_url *b)
{
	return same_text(a->user, b->user) &&
	       same_text(a->password, b->password) &&
	       same_text(a->host, b->host) && same_text(a->socket, b->socket) &&
	       same_text(a->ssl_ca, b->ssl_ca) &&
	       same_text(a->ssl_cert, b->ssl_cert) &&
	       same_text(a->ssl_key, b->ssl_key) &&
	       same_text(a->ssl_capath, b->ssl_capath) &&
	       same_text(a->ssl_cipher, b->ssl_cipher) && a->port == b->port &&
	       a->connect_timeout == b->connect_timeout &&
	       a->read_timeout == b->read_timeout &&
	       a->write_timeout == b->write_timeout &&
	       a->local_infile == b->local_infile &&
	       a->lock_lease == b->lock_lease && a->ipv6 == b->ipv6 &&
	       a->ssl_mode == b->ssl_mode;
}

/*
 * The next database of a fleet on this connection: another database of
 * the same server, with the same login and options. COM_RESET_CONNECTION
 * (mysql_reset_connection) ends all that the last member left on the
 * session: its transaction, its session variables, user variables,
 * temporary tables, prepared statements, table locks and GET_LOCK locks;
 * then USE the member's database and set the session up as connect()
 * does. Not on a Galera node, whose runner lock is a row and a thread.
 */
int strata__my_reuse(struct strata_driver_conn *c, const char *old_url,
                     const struct strata_connect_params *p)
{
	struct my_conn *m = my_conn(c);
	struct my_url u;
	int rc, same;

	(void)old_url; /* m->url is what the connection was made with */
	if (!m->my || m->stop.t0 || m->stop.asked)
		return STRATA_ENOTSUPP;
	rc = strata__my_galera_on(c);
	if (rc != 0)
		return rc < 0 ? rc : STRATA_ENOTSUPP;
	memset(&u, 0, sizeof(u));
	rc = strata__my_url_parse(c, p->url, &u);
	same = rc == 0 && u.db && u.db[0] && same_server(&m->url, &u);
	if (!same) {
		strata__my_url_free(&u);
		return rc < 0 ? rc : STRATA_ENOTSUPP;
	}
	strata__my_stop_close(c);
	if (strata__my.mysql_reset_connection(m->my) != 0 ||
	    strata__my.mysql_select_db(m->my, u.db) != 0) {
		strata__my_url_free(&u);
		return STRATA_ENOTSUPP;
	}
	strata__my_url_free(&m->url);
	m->url = u;
	strata__free(m->db);
	strata__free(m->where);
	m->db = m->where = NULL;
	m->changes = -1;
	if (describe(m, &m->url) < 0)
		return strata__my_oom(c);
	rc = strata__my_simple(c, "SET time_zone = '+00:00'");
	if (rc == 0 && c->verbose)
		rc = strata__my_galera_describe(c);
	return rc;
}
