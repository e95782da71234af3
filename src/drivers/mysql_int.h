/*
 * The MySQL driver's URL and connection, shared by its files, and the
 * prototypes of each, under the name of the file that defines them
 * (mysql.c holds the vtable and calls them).
 */
#ifndef STRATA_DRIVERS_MYSQL_INT_H
#define STRATA_DRIVERS_MYSQL_INT_H

#include "strata/sys/driver.h"

/* Identifiers and lock names: at most 64 characters in MySQL. */
#define MY_NAME_MAX 64
/* Seconds; a URL can change it with connect_timeout=N. */
#define MY_CONNECT_TIMEOUT 10
/*
 * Seconds the server may take to accept what strata sends before strata
 * gives up (write_timeout=N; 0: no limit). A server takes a statement as
 * soon as it is idle, and strata sends only then, so only a server that
 * stopped reading runs into it. Reads have no limit unless the URL sets
 * read_timeout=N: a migration statement (CREATE INDEX on a big table) may
 * rightly keep the server silent for hours, and TCP keepalives notice a
 * server whose host is gone (mysql_connect.c).
 */
#define MY_WRITE_TIMEOUT 60
/* Seconds a Galera runner's lock row lives without renewal (a URL can
 * change it with lock_lease=N): a runner renews it every third of that,
 * and the row of a runner that died is free once it ran out. */
#define MY_LOCK_LEASE 60
/* The table of the runner lock on a Galera cluster (mysql_galera.c). */
#define STRATA_MY_LOCK_TABLE "strata_lock"

enum ssl_mode {
	SSL_UNSET,
	SSL_DISABLED,
	SSL_PREFERRED,
	SSL_REQUIRED,
	SSL_VERIFY_CA,
	SSL_VERIFY_IDENTITY
};

/* A parsed mysql:// URL; every string is decoded and malloc'd. */
struct my_url {
	char *user, *password, *host, *db, *socket;
	char *ssl_ca, *ssl_cert, *ssl_key, *ssl_capath, *ssl_cipher;
	unsigned int port; /* 0: the default (3306) */
	unsigned int connect_timeout;
	int read_timeout, write_timeout; /* seconds, 0: none; -1: unset */
	int local_infile;                /* LOAD DATA LOCAL allowed */
	unsigned int lock_lease;         /* seconds; 0: MY_LOCK_LEASE */
	int ipv6;                        /* host was in brackets */
	enum ssl_mode ssl_mode;
};

struct my_conn {
	struct strata_driver_conn base; /* first: see driver.h */
	struct st_mysql *my;
	char *db;             /* the database, for lock names and messages */
	char *where;          /* user@host:port/db, never with the password */
	int64_t changes;      /* rows of the last statement run, or -1 */
	struct my_url url;    /* as connected: a stop connects again */
	unsigned long thread; /* the server's id for the connection */
	struct my_galera *galera; /* a cluster's facts, once read */
	struct my_stop {
		/* a statement being stopped after an interrupt
		 * (mysql_wait.c): since when (ms; 0: it is not) */
		long long t0;
		int asked;            /* MY_STOP_* asked of the server ... */
		int done;             /* ... and done, by its answer */
		struct st_mysql *ctl; /* the second connection, or NULL */
		int ctl_state;
		int ctl_wait;  /* MYSQL_WAIT_* the call in progress needs */
		char why[200]; /* why the second connection failed */
		/* where it connects to (libmariadb reads them while the
		 * connection is made) */
		char host[64], path[112];
	} stop;
};

/* my_stop.asked, .done: KILL QUERY, KILL CONNECTION */
#define MY_STOP_QUERY      1
#define MY_STOP_CONNECTION 2

static inline struct my_conn *my_conn(struct strata_driver_conn *c)
{
	return (struct my_conn *)c;
}

static inline int strata__my_oom(struct strata_driver_conn *c)
{
	return strata_driver_set_error(c, STRATA_ENOMEM, NULL, 0, -1,
	                               "out of memory");
}

/* characters, as MySQL counts a name's length */
static inline size_t strata__my_utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

/* mysql_url.c: parse a mysql:// URL; free what it holds */
int strata__my_url_parse(struct strata_driver_conn *c, const char *url,
                         struct my_url *u);
void strata__my_url_free(struct my_url *u);

/* mysql_options.c: set the options of u on a new handle (timeouts, TLS,
 * LOAD DATA LOCAL) */
int strata__my_set_options(struct strata_driver_conn *c, struct st_mysql *my,
                           const struct my_url *u,
                           const char *application_name);

/* mysql_exec.c: the driver's exec() and query(); run one statement,
 * without results */
int strata__my_exec(struct strata_driver_conn *c, const char *sql, size_t len);
int strata__my_query(struct strata_driver_conn *c, const char *sql,
                     strata_row_cb cb, void *payload);
int strata__my_simple(struct strata_driver_conn *c, const char *sql);

/* mysql_quote.c: the driver's quote_ident() and quote_literal() */
int strata__my_quote_ident(struct strata_driver_conn *c, strata_buf *out,
                           const char *ident);
/* with a connection's handle, or NULL for the offline quoting */
int strata__my_quote_literal_on(struct st_mysql *my, strata_buf *out,
                                const char *s);
int strata__my_quote_literal(struct strata_driver_conn *c, strata_buf *out,
                             const char *s);

/* mysql_connect.c: the driver's connect() and disconnect() */
int strata__my_connect(struct strata_driver_conn *c,
                       const struct strata_connect_params *p);
void strata__my_disconnect(struct strata_driver_conn *c);
int strata__my_reuse(struct strata_driver_conn *c, const char *old_url,
                     const struct strata_connect_params *p);
/* struct strata_driver.database: on a connection without a database */
int strata__my_database(struct strata_driver_conn *c,
                        const struct strata_connect_params *p,
                        strata_database_op op);

/* mysql_lock.c: the driver's lock() and unlock() */
int strata__my_lock(struct strata_driver_conn *c, const char *key,
                    int timeout_ms);
int strata__my_unlock(struct strata_driver_conn *c, const char *key);

/* mysql_galera.c: a Galera node's facts and the cluster-wide runner lock.
 * _on: 1 on a node of a cluster, 0 elsewhere (or an error); _describe:
 * the cluster, node and wsrep_OSU_method as a notice (-v); _lock: take
 * the lock row, waiting up to secs; _lost: an error once another runner
 * may have it (its lease ran out); _free: at disconnect. */
int strata__my_galera_on(struct strata_driver_conn *c);
int strata__my_galera_describe(struct strata_driver_conn *c);
int strata__my_galera_lock(struct strata_driver_conn *c, const char *name,
                           long secs);
int strata__my_galera_unlock(struct strata_driver_conn *c);
int strata__my_galera_lost(struct strata_driver_conn *c);
void strata__my_galera_free(struct strata_driver_conn *c);

/* mysql_wait.c: libmariadb's calls that wait for the server, made with
 * its non-blocking API and interruptible (see there). Each returns what
 * the blocking call does, or STRATA_EINTERRUPTED when strata gave up
 * waiting after an interrupt (error set, connection closed). */
int strata__my_real_query(struct strata_driver_conn *c, const char *q,
                          unsigned long n);
struct st_mysql_res *strata__my_store_result(struct strata_driver_conn *c,
                                             int *rc);
int strata__my_next_result(struct strata_driver_conn *c);
int strata__my_real_connect(struct strata_driver_conn *c, const char *host,
                            const char *db);
/* The error of a statement stopped by an interrupt (driver.h), or 0. */
int strata__my_stop_error(struct strata_driver_conn *c, unsigned int err,
                          long offset);
/* Where a connection's socket fd reached the server: numeric address
 * and port, or the path of a Unix socket. 0, or -1 when unknown. */
int strata__my_peer(int fd, char *host, size_t n, unsigned int *port,
                    char *path, size_t pn);
/* Close a stop's second connection. */
void strata__my_stop_close(struct strata_driver_conn *c);

/* mysql_admin.c: fresh, backup, restore */
int strata__my_drop_all_sql(struct strata_driver_conn *c, const char *schema,
                            strata_buf *out);
/* strata dump: mysqldump's schema, made deterministic (mysql_admin.c) */
int strata__my_dump(struct strata_driver_conn *c, const char *url,
                    strata_buf *out);
int strata__my_backup(struct strata_driver_conn *c, const char *url,
                      const char *path, int fd);
int strata__my_restore(struct strata_driver_conn *c, const char *url,
                       const char *path);
int strata__my_restore_check(const char *path, int fd, const char *table,
                             strata_buf *what, unsigned long *line);

/* mysql_catalog.c: the driver's catalog(), for strata drift */
int strata__my_catalog(struct strata_driver_conn *c, const char *schema,
                       strata_row_cb cb, void *payload);

/* mysql_ddl.c: lock-safe DDL */
int strata__my_lock_wait_sql(struct strata_driver_conn *c, strata_buf *out,
                             int timeout_ms, int local);
int strata__my_lock_wait_gave_up(const char *sqlstate, int native_code);

#endif
