/*
 * The PostgreSQL driver's connection, shared by its files, and the
 * prototypes of each, under the name of the file that defines them
 * (postgres.c holds the vtable and calls them). libpq is called through
 * strata__pq (postgres_load.h), loaded by connect().
 */
#ifndef STRATA_DRIVERS_POSTGRES_H
#define STRATA_DRIVERS_POSTGRES_H

#include "strata/sys/driver.h"
#include "postgres_load.h"

/* NAMEDATALEN - 1: longer names are truncated by the server, silently */
#define PG_MAX_IDENT 63

struct pg_conn {
	struct strata_driver_conn base; /* first: see driver.h */
	PGconn *pg;
	int max_ident;   /* the server's max_identifier_length */
	char *schema;    /* --schema, until ensure_schema() has made it */
	char *key_in;    /* the lock key the engine gave ... */
	char *key;       /* ... and the one locked (schema-qualified) */
	int64_t changes; /* rows of the last statement exec() ran, or -1 */
	char *url;       /* as connected, for the second connection of a stop */
	int pooler;      /* PG_POOLER_*: the URL's pooler= parameter */
	int lock_timeout_ms; /* for the lock of each transaction, pooled */
	int txn_pid; /* pooled: the server process of this transaction, or 0 */
	struct pg_stop {
		/* a statement being stopped after an interrupt
		 * (postgres_wait.c): since when (ms; 0: it is not) */
		long long t0;
		int asked;   /* PG_STOP_* asked of the server so far ... */
		int done;    /* ... and done, by its answer */
		PGconn *ctl; /* the second connection that asks, or NULL */
		int ctl_state;
		int ctl_poll;  /* PostgresPollingStatusType while connecting */
		char why[200]; /* why the second connection failed */
	} stop;
};

/* pg_conn.pooler */
#define PG_POOLER_AUTO        0
#define PG_POOLER_TRANSACTION 1
#define PG_POOLER_NONE        2

/* pg_stop.asked, .done: pg_cancel_backend, pg_terminate_backend */
#define PG_STOP_CANCEL    1
#define PG_STOP_TERMINATE 2

static inline struct pg_conn *pc(struct strata_driver_conn *c)
{
	return (struct pg_conn *)c;
}

/* postgres_text.c */
/* Skip blanks and comments from i; the first byte of what follows. */
size_t strata__pg_skip_space(const char *s, size_t len, size_t i);
int strata__pg_one_row_sql(struct strata_driver_conn *c, strata_buf *out,
                           const char *stmt, size_t len);

/* postgres_query.c: simple statements and queries, and errors */
/* The connection if it is open and good, else NULL. */
PGconn *strata__pg_live(struct strata_driver_conn *c);
/* The server's identifier limit, once connected; PostgreSQL's default. */
int strata__pg_max_ident(struct strata_driver_conn *c);
int strata__pg_oom(struct strata_driver_conn *c);
/* Set an error whose text comes from libpq, with the password masked. */
int strata__pg_set_error_text(struct strata_driver_conn *c, int code,
                              const char *sqlstate, long offset,
                              const char *prefix, const char *text);
/* Report the error of res; offset is a byte offset in sql or -1. */
int strata__pg_result_error(struct strata_driver_conn *c, const PGresult *res,
                            long offset);
/* An error of the connection itself (no result). */
int strata__pg_conn_error(struct strata_driver_conn *c, const char *what);
int strata__pg_simple(struct strata_driver_conn *c, const char *sql, int quiet);
PGresult *strata__pg_params_query(struct strata_driver_conn *c, const char *sql,
                                  int n, const char *const *values, int quiet);
PGresult *strata__pg_exec_query(struct strata_driver_conn *c, const char *sql);
/* The error for a --schema name PostgreSQL cannot take (empty, too long). */
int strata__pg_bad_schema(struct strata_driver_conn *c, const char *schema);

/* postgres_quote.c: the driver's quote_ident and quote_literal */
int strata__pg_quote_ident(struct strata_driver_conn *c, strata_buf *out,
                           const char *ident);
int strata__pg_quote_literal(struct strata_driver_conn *c, strata_buf *out,
                             const char *s);

/* postgres_exec.c: the driver's exec and exec_clocked */
int strata__pg_exec(struct strata_driver_conn *c, const char *sql, size_t len);
int strata__pg_exec_clocked(struct strata_driver_conn *c, const char *sql,
                            size_t len, double *clocks, size_t max, size_t *n);

/* postgres_schema.c: the driver's ensure_schema and schema_sql */
int strata__pg_ensure_schema(struct strata_driver_conn *c, const char *schema);
int strata__pg_schema_sql(struct strata_driver_conn *c, const char *schema,
                          strata_buf *out);

/* postgres_wait.c: waiting for the server, interruptibly (see there) */
/* Send sql: with n >= 0 text parameters (one statement), else as a simple
 * query (several statements). 0, or <0 with the error set. */
int strata__pg_send(struct strata_driver_conn *c, const char *sql, int n,
                    const char *const *values);
/* The next result of what was sent, which the caller clears; NULL when
 * there is none left, or when the wait was given up after an interrupt:
 * then *rc is <0, the error is set and the connection is closed. */
PGresult *strata__pg_result(struct strata_driver_conn *c, int *rc);
/* As PQexec (n < 0) or PQexecParams: the first error, or the last
 * result; NULL when nothing came (*rc <0 when the wait was given up). */
PGresult *strata__pg_exec_wait(struct strata_driver_conn *c, const char *sql,
                               int n, const char *const *values, int *rc);
/* Sleep ms, or less when interrupted; 1 when interrupted. */
int strata__pg_nap(struct strata_driver_conn *c, long ms);
/* The error of a statement stopped by an interrupt (driver.h), or 0. */
int strata__pg_stop_error(struct strata_driver_conn *c, const char *sqlstate,
                          long offset);

/* postgres_connect.c */
int strata__pg_connect(struct strata_driver_conn *c,
                       const struct strata_connect_params *p);
int strata__pg_reuse(struct strata_driver_conn *c, const char *old_url,
                     const struct strata_connect_params *p);
void strata__pg_disconnect(struct strata_driver_conn *c);
/* struct strata_driver.database: on the maintenance database postgres */
int strata__pg_database(struct strata_driver_conn *c,
                        const struct strata_connect_params *p,
                        strata_database_op op);

/* postgres_index.c */
void strata__pg_explain_failed_cic(struct strata_driver_conn *c,
                                   const char *stmt, size_t len);
int strata__pg_check_if_not_exists(struct strata_driver_conn *c,
                                   const char *sql, size_t len);

/* postgres_lock.c */
int strata__pg_lock(struct strata_driver_conn *c, const char *key,
                    int timeout_ms);
int strata__pg_unlock(struct strata_driver_conn *c, const char *key);
/* Take the lock key (the session's, or behind a pooler the current
 * transaction's), polling for at most timeout_ms; STRATA_ELOCKED then. */
int strata__pg_lock_wait(struct strata_driver_conn *c, const char *key,
                         int timeout_ms);

/* postgres_pooler.c: behind a transaction pooler (see there) */
struct strata__url;
/* pc(c)->pooler from the URL; STRATA_ECONNECT for a bad value */
int strata__pg_pooler_mode(struct strata_driver_conn *c,
                           const struct strata__url *u);
/* Remove the parameter key from url's query (off, n: its bytes). */
void strata__pg_strip_param(strata_buf *url, size_t off, size_t n,
                            const char *key);
/* A copy of url without strata's own parameters, for libpq and its
 * tools (free it with strata__pg_wipe_free); NULL when out of memory. */
char *strata__pg_libpq_url(const char *url);
/* Zero the string s (it may hold a password) and free it; s may be NULL. */
void strata__pg_wipe_free(char *s);
/* Append a condition true only on a direct connection. */
int strata__pg_direct_only(struct strata_driver_conn *c, strata_buf *out);
/* Set c->pooled from the server process id the set-up query returned. */
void strata__pg_pooler_detect(struct strata_driver_conn *c, int server_pid);
/* BEGIN and the transaction-level runner lock; ROLLBACK on failure */
int strata__pg_pooled_begin(struct strata_driver_conn *c);
/* The driver's exec: outside a transaction behind a pooler, in a locked
 * one of its own once the engine means to write */
int strata__pg_pooled_exec(struct strata_driver_conn *c, const char *sql,
                           size_t len);

/* postgres_replicas.c: the driver's wait_replicas */
int strata__pg_wait_replicas(struct strata_driver_conn *c, int timeout_ms,
                             strata_row_cb cb, void *payload);

/* postgres_admin.c */
int strata__pg_drop_all_sql(struct strata_driver_conn *c, const char *schema,
                            strata_buf *out);
/* strata dump: pg_dump's schema, made deterministic (postgres_admin.c) */
int strata__pg_dump(struct strata_driver_conn *c, const char *url,
                    strata_buf *out);
int strata__pg_backup(struct strata_driver_conn *c, const char *url,
                      const char *path, int fd);
int strata__pg_restore(struct strata_driver_conn *c, const char *url,
                       const char *path);
int strata__pg_restore_check(const char *path, int fd, const char *table,
                             strata_buf *what, unsigned long *line);

/* postgres_catalog.c: the driver's catalog(), for strata drift */
int strata__pg_catalog(struct strata_driver_conn *c, const char *schema,
                       strata_row_cb cb, void *payload);

/* postgres_ddl.c: lock-safe DDL, and INVALID indexes for strata repair */
int strata__pg_lock_wait_sql(struct strata_driver_conn *c, strata_buf *out,
                             int timeout_ms, int local);
int strata__pg_lock_wait_gave_up(const char *sqlstate, int native_code);
int strata__pg_invalid_indexes(struct strata_driver_conn *c, const char *schema,
                               strata_row_cb cb, void *payload);

/* postgres_local.c: a dump made a migration, for strata squash */
int strata__pg_dump_local_sql(strata_buf *out, const char *dump, size_t len);

#endif
