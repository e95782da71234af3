/*
 * The driver interface, for driver authors. A driver knows one database's
 * connections and SQL dialect and nothing about plans: the engine decides
 * what runs, the driver runs it.
 */
#ifndef STRATA_SYS_DRIVER_H
#define STRATA_SYS_DRIVER_H

#include "../strata.h"
#include "../buf.h"

/* The layout of struct strata_driver; see the rule above the struct. */
#define STRATA_DRIVER_VERSION 9

/* The SQLSTATE of a statement one_row_sql() wrapped that did not change
 * exactly one row (class ST: strata's own, unused by the databases). */
#define STRATA_SQLSTATE_ROW_COUNT "ST001"

/* Capabilities (struct strata_driver.caps). */
#define STRATA_DRIVER_CAP_TXN_DDL (1u << 0) /* DDL is transactional */
#define STRATA_DRIVER_CAP_LOCK    (1u << 1) /* has lock()/unlock() */
#define STRATA_DRIVER_CAP_SCHEMA  (1u << 2) /* namespaces (--schema) */
/* exec() of a whole transaction ("BEGIN; ...; COMMIT;") is one round trip,
 * stops at the first error and reports offsets into that text */
#define STRATA_DRIVER_CAP_BATCH (1u << 3)

/* Dialect facts (struct strata_driver.dialect): what the engine must
 * know of the SQL text outside split(), such as where a statement's
 * first word is for a message. */
#define STRATA_DIALECT_HASH_COMMENT (1u << 0) /* '#' starts a line comment */
/* a block comment opened with '!' after its slash and star is code
 * (MySQL's executable comments) */
#define STRATA_DIALECT_EXEC_COMMENT (1u << 1)
/* binary values are bytea, shown in hex with encode(x, 'hex') (else
 * lower(hex(x))) */
#define STRATA_DIALECT_BYTEA (1u << 2)
/* a primary key has an index named <table>_pkey, which a renamed table
 * keeps (so a new table of the old name could not make its own) */
#define STRATA_DIALECT_PKEY_INDEX (1u << 3)

/* Statement flags reported by split(). */
#define STRATA_STMT_TXN_CONTROL (1u << 0) /* BEGIN, COMMIT, ROLLBACK ... */
#define STRATA_STMT_NO_TXN      (1u << 1) /* cannot run in a transaction */
#define STRATA_STMT_DDL         (1u << 2) /* changes the schema */
#define STRATA_STMT_META        (1u << 3) /* client meta-command (\set) */
#define STRATA_STMT_INCOMPLETE  (1u << 4) /* unterminated quote/comment */

/**
 * The connection every driver embeds first in its own connection struct.
 * The engine allocates driver->conn_size zeroed bytes and fills these
 * members before connect().
 */
struct strata_driver_conn {
	const struct strata_driver *driver;
	strata_ctx *ctx; /* for strata_driver_set_error and notices */
	int verbose;     /* forward notices */
	/* set by connect() when create was 0 and the server only reads (a
	 * hot standby): the engine never writes through this connection */
	int read_only;
	/*
	 * set by connect() when the server session may change from one
	 * transaction to the next (PostgreSQL behind a transaction pooler
	 * such as PgBouncer): nothing of a session lasts. The engine then
	 * takes the driver for one without CAP_LOCK and CAP_BATCH: it
	 * checks its plan against the history inside each transaction,
	 * which begin() locks, and refuses parts that must run outside a
	 * transaction. lock() and unlock() are still called: lock() learns
	 * the key begin() takes.
	 */
	int pooled;
};

/** What connect() is given. */
struct strata_connect_params {
	const char *url;    /* the whole URL as the user gave it */
	const char *schema; /* --schema, or NULL */
	int lock_timeout_ms;
	const char *application_name; /* "strata" */
	int create; /* 0: a database that does not exist is not created
	             * (read-only commands). A driver that creates databases
	             * (SQLite files) then returns STRATA_ENOTFOUND; the others
	             * fail to connect as usual */
};

/** Called once per result row; values[i] is NULL for SQL NULL. */
typedef int (*strata_row_cb)(void *payload, int ncols,
                             const char *const *values);

/** Called once per statement found by split(). */
typedef int (*strata_stmt_cb)(void *payload, size_t offset, size_t len,
                              unsigned flags);

/*
 * The vtable, in four groups: identity, required, tuning, optional.
 * Every member's comment says whether it may be NULL, who owns what and
 * which errors it returns; docs/DRIVERS.md is the guide.
 *
 * Versioning. version and name stay the first two members in every
 * version. Any change to the layout after them (a member added, removed,
 * moved or retyped) bumps STRATA_DRIVER_VERSION, and
 * strata_driver_register() accepts only the version it was built with:
 * a driver compiled against another layout is refused, never read with
 * this one. A new optional member goes at the end of the optional
 * group, which is the end of the struct (and bumps the version too).
 */
struct strata_driver {
	/* ---- Identity. All required. ---- */
	unsigned int version;       /* STRATA_DRIVER_VERSION; always first */
	const char *name;           /* "sqlite", "postgres"; always second */
	const char *const *schemes; /* URL schemes, NULL-terminated */
	unsigned int caps;          /* STRATA_DRIVER_CAP_* */
	unsigned int dialect;       /* STRATA_DIALECT_* */
	size_t conn_size; /* bytes, starting with struct strata_driver_conn */

	/* ---- Required. Never NULL. ---- */

	/* Type of the history table's applied_at column, e.g. "TIMESTAMPTZ". */
	const char *timestamp_type;

	/**
	 * Connect. On failure set the error (never echoing a password) and
	 * return STRATA_ECONNECT; disconnect() is still called on the
	 * half-open connection.
	 */
	int (*connect)(struct strata_driver_conn *c,
	               const struct strata_connect_params *p);

	/**
	 * Free what connect() made (the engine frees c itself). Must accept
	 * a half-open connection, one whose connect() failed at any point.
	 */
	void (*disconnect)(struct strata_driver_conn *c);

	/**
	 * Run sql (len bytes, may hold several statements). On failure call
	 * strata_driver_set_error() with the byte offset in sql where the
	 * error is, when the database says, and return STRATA_EDB.
	 */
	int (*exec)(struct strata_driver_conn *c, const char *sql, size_t len);

	/**
	 * Run one query and pass each row to cb; values are valid during
	 * the call only. A negative code returned by cb stops the query,
	 * which returns it. Errors as for exec().
	 */
	int (*query)(struct strata_driver_conn *c, const char *sql,
	             strata_row_cb cb, void *payload);

	/** Transactions. begin() takes the write lock if any. */
	int (*begin)(struct strata_driver_conn *c);
	int (*commit)(struct strata_driver_conn *c);
	int (*rollback)(struct strata_driver_conn *c);

	/**
	 * Append ident quoted as an identifier. c may be NULL (offline
	 * use); checks the database's length limit and returns
	 * STRATA_EINVALID when it is exceeded.
	 */
	int (*quote_ident)(struct strata_driver_conn *c, strata_buf *out,
	                   const char *ident);

	/** Append s quoted as a string literal; c may be NULL. */
	int (*quote_literal)(struct strata_driver_conn *c, strata_buf *out,
	                     const char *s);

	/**
	 * Split sql into statements, calling cb with each one's offset and
	 * length (comments before a statement belong to it; a trailing part
	 * with only comments and space is not reported) and STRATA_STMT_*
	 * flags. A span ends with its statement's terminator (or before a
	 * client-set delimiter), and a last statement without a terminator
	 * runs to the end of sql. Must not need a connection.
	 */
	int (*split)(const char *sql, size_t len, strata_stmt_cb cb,
	             void *payload);

	/**
	 * Pass the names of table's columns to cb (one value per row, or
	 * two: the name and its type as the database spells it, such as
	 * "smallint"), or return STRATA_ENOTFOUND when the table does not
	 * exist. schema may be NULL.
	 */
	int (*table_columns)(struct strata_driver_conn *c, const char *schema,
	                     const char *table, strata_row_cb cb,
	                     void *payload);

	/* ---- Tuning. SQL texts; each may be NULL. ---- */

	/* How to run a script `strata plan` wrote with the database's own
	 * client, stopping at the first error ("psql -v ON_ERROR_STOP=1 -d
	 * DATABASE -f FILE"); shown in the script's header. NULL: "the
	 * database's client". */
	const char *script_client;

	/* SQL for "now, in UTC" in applied_at's type, used by scripts that
	 * `strata plan` writes to run later; NULL: the current time as a
	 * literal. */
	const char *now_sql;

	/*
	 * With CAP_BATCH: a statement that makes the current transaction's
	 * commit not wait for its WAL flush ("SET LOCAL synchronous_commit TO
	 * OFF"), used for every migration of a run but the last, whose
	 * synchronous commit then makes all of them durable; and an
	 * expression for the milliseconds since the batch started, recorded
	 * as execution_ms. Either may be NULL.
	 */
	const char *async_commit_sql;
	const char *elapsed_ms_sql;

	/* A transaction whose synchronous commit makes every earlier
	 * asynchronous one durable, run when a run stops early; required
	 * with async_commit_sql. */
	const char *flush_sql;

	/* A query returning the schema (MySQL: database) that unqualified
	 * names resolve to when strata connects; the history table is then
	 * named with it, so a migration that changes search_path (or runs
	 * USE) cannot send the history elsewhere. */
	const char *current_schema_sql;

	/* Without a runner lock: a query whose single value changes whenever
	 * another connection commits (SQLite: PRAGMA data_version), so that
	 * a plan is checked against the history in O(1) inside each
	 * migration's transaction. NULL: the history is compared whole. */
	const char *change_counter_sql;

	/*
	 * What follows "ALTER TABLE <history table> " to make the history
	 * table's dirty column BIGINT ("ALTER COLUMN dirty TYPE BIGINT"),
	 * for tables made when it was SMALLINT (table_columns() must give
	 * types for the engine to see that). NULL: a narrower integer type
	 * holds any count already (SQLite).
	 */
	const char *widen_dirty_sql;

	/* ---- Optional. NULL: the engine does without, or refuses the
	 * command that needs it with a message. New members go last. ---- */

	/**
	 * Run one statement with parameters ?1..?n (text values; NULL is
	 * SQL NULL), keeping its prepared form for the next call with the
	 * same sql. Without it the engine sends literals through exec().
	 * Errors as for exec().
	 */
	int (*exec_params)(struct strata_driver_conn *c, const char *sql, int n,
	                   const char *const *values);

	/**
	 * Take / release the runner lock named key, waiting at most
	 * timeout_ms (<0: do not wait). Both or neither; required with
	 * CAP_LOCK, NULL when the database's own locking is enough. lock()
	 * returns STRATA_ELOCKED on timeout, with the error set.
	 */
	int (*lock)(struct strata_driver_conn *c, const char *key,
	            int timeout_ms);
	int (*unlock)(struct strata_driver_conn *c, const char *key);

	/** Create the schema if absent. Required with CAP_SCHEMA. */
	int (*ensure_schema)(struct strata_driver_conn *c, const char *schema);

	/*
	 * Scripts written for the database's own client (`strata plan`, a
	 * dry run). schema_sql appends the statements, each ending in
	 * ";\n", that do on the client's session what ensure_schema() does
	 * on a connection: create the schema when it is missing and make it
	 * the one unqualified names resolve to. Required with ensure_schema;
	 * c may be NULL (offline). Sets no error: returns STRATA_EINVALID
	 * for a name quote_ident() refuses, or STRATA_ENOMEM.
	 */
	int (*schema_sql)(struct strata_driver_conn *c, const char *schema,
	                  strata_buf *out);

	/*
	 * For several migrations to a message (up --single-transaction):
	 * two queries whose one row and column, named strata_clock, is the
	 * server's clock in seconds, at the message's start and at the
	 * moment the query runs; and exec_clocked, which runs sql as exec()
	 * does and stores the strata_clock values its statements returned
	 * in clocks (at most max, *n of them). All three or none.
	 */
	const char *message_clock_sql;
	const char *clock_sql;
	int (*exec_clocked)(struct strata_driver_conn *c, const char *sql,
	                    size_t len, double *clocks, size_t max, size_t *n);

	/**
	 * The rows the last INSERT, UPDATE or DELETE statement run by exec()
	 * changed, or -1 when not known. The engine calls it right after an
	 * exec() whose last statement is one of those, to check that a
	 * history row it removes or marks was there: a rollback never
	 * commits while its row stays. Without it the engine counts with a
	 * query.
	 */
	int64_t (*changes)(struct strata_driver_conn *c);

	/**
	 * fresh: append to out the statements that drop every object of
	 * the schema (NULL: the current one) that a migration could have
	 * made, the history table included, in an order that works. NULL:
	 * fresh is refused.
	 */
	int (*drop_all_sql)(struct strata_driver_conn *c, const char *schema,
	                    strata_buf *out);

	/**
	 * Write a backup of the database into the open file descriptor fd
	 * (a new file of mode 0600 at path), or restore one from path, a
	 * file restore_check passed (the engine holds the runner lock).
	 * Tools are started with fork/exec and an argument vector,
	 * passwords in their environment. NULL: backup (restore) is
	 * refused. backup_extension, the file's extension (".sql", or
	 * ".db" for a copy), is required with backup.
	 */
	int (*backup)(struct strata_driver_conn *c, const char *url,
	              const char *path, int fd);
	int (*restore)(struct strata_driver_conn *c, const char *url,
	               const char *path);
	const char *backup_extension;

	/**
	 * restore: look at a file before anything connects, read from fd
	 * (at its start; path names it). Return 1 when this driver's
	 * backup wrote it, 0 when it is another file restore() can take,
	 * or refuse it: STRATA_EPARSE with *line set (0: the whole file)
	 * for a file that must not be restored, such as one holding
	 * commands the database's client tool would run itself instead of
	 * sending them to the server, or one that is not this database's
	 * at all; STRATA_EIO, STRATA_ENOMEM. what gets what the file is in
	 * a few words ("a PostgreSQL dump (pg_dump) ..."), or why it is
	 * refused. table: the history table's name. No connection, so no
	 * error is set: the engine reports it. NULL: every file is then
	 * another file.
	 */
	int (*restore_check)(const char *path, int fd, const char *table,
	                     strata_buf *what, unsigned long *line);

	/**
	 * For databases that are files: write to out a text that changes
	 * whenever the database's committed content may have changed, read
	 * without connecting (file identity, times, header), and return 1;
	 * return 0 when that cannot be known now (no file yet, a
	 * transaction or write-ahead log in progress, a change too recent
	 * for the file system's timestamps to tell apart). The engine then
	 * keeps the history it read under that text, and reads it from
	 * there while the text is the same.
	 */
	int (*state_key)(const char *url, strata_buf *out);

	/*
	 * Scripts put strata's own statements between those of a migration,
	 * whose text may change the client's statement delimiter (MySQL's
	 * DELIMITER lines, which split() reads and does not report).
	 * delimiters passes to cb, in order, each place in sql where the
	 * delimiter changes: the offset after the client command and the
	 * new delimiter (n bytes inside sql). delimiter_reset is the client
	 * command, with its newline, that makes ";" the delimiter again.
	 * Both or neither; NULL: the delimiter is always ";".
	 */
	int (*delimiters)(const char *sql, size_t len,
	                  int (*cb)(void *payload, size_t off,
	                            const char *delim, size_t n),
	                  void *payload);
	const char *delimiter_reset;

	/*
	 * With CAP_BATCH: append to out the statement stmt (len bytes: one
	 * DELETE or UPDATE, without its terminator) made to fail unless it
	 * changes exactly one row, with SQLSTATE STRATA_SQLSTATE_ROW_COUNT
	 * and the number of rows it changed in its message, followed by its
	 * terminator. A rollback then sends its history row's DELETE and
	 * COMMIT in the same message as its statements: one round trip.
	 * Sets no error; STRATA_EINVALID when stmt cannot be wrapped (the
	 * engine then checks the count itself before a COMMIT of its own),
	 * STRATA_ENOMEM. c may be NULL. NULL: the engine checks the count.
	 */
	int (*one_row_sql)(struct strata_driver_conn *c, strata_buf *out,
	                   const char *stmt, size_t len);

	/**
	 * The database the URL names, seen from its server rather than from
	 * inside it (`strata wait`, `create`, `drop`): on a connection of
	 * its own (PostgreSQL: to the maintenance database postgres; MySQL:
	 * to no database; SQLite: the file itself). op is one of
	 * STRATA_DATABASE_*. PING returns 0 when the server answers, whether
	 * or not the database exists, else STRATA_ECONNECT. CREATE returns
	 * STRATA_EEXISTS when the database exists already, DROP
	 * STRATA_ENOTFOUND when it does not; both set the error. c is
	 * zeroed conn_size bytes as for connect(), and disconnect() is
	 * called after, whatever the outcome. NULL: the three are refused.
	 */
	int (*database)(struct strata_driver_conn *c,
	                const struct strata_connect_params *p,
	                strata_database_op op);

	/**
	 * `strata dump`: append to out the schema of the connected database
	 * as SQL that restore() (or the database's client) can run into an
	 * empty database: made by the database's own dumper where it has one
	 * (started as backup() starts its tool), and made deterministic, so
	 * that the same schema always gives the same bytes: no dates, version
	 * banners, random tokens or counters that depend on the data. No
	 * rows: the engine adds the history's. NULL: dump is refused.
	 */
	int (*dump)(struct strata_driver_conn *c, const char *url,
	            strata_buf *out);

	/**
	 * `up --wait-replicas`: wait until every streaming standby connected
	 * to the server has replayed all that the server had written when
	 * called, for at most timeout_ms, then pass each standby to cb as
	 * one row of six values: name, address, state, bytes still to
	 * replay (NULL: unknown), the replay lag in ms (NULL: unknown), and
	 * "1" when it has caught up, else "0". Return 0 when every standby
	 * has caught up (or none is connected), or STRATA_ETIMEOUT with the
	 * error set naming those behind. NULL: waiting is refused.
	 */
	int (*wait_replicas)(struct strata_driver_conn *c, int timeout_ms,
	                     strata_row_cb cb, void *payload);

	/**
	 * `strata drift`: describe every object of the schema (NULL: the one
	 * unqualified names resolve to) from the database's catalogue, one
	 * row of five values per fact: kind ("table", "column", "index",
	 * "constraint", "view", "function", "trigger", "sequence",
	 * "extension" ...), the table it belongs to ("" for none), its name
	 * as messages show it (a column, index, constraint or trigger as
	 * "table.name", a function with its argument types), an attribute
	 * ("type", "default", "not null", "definition" ...) and its value
	 * (NULL: none), the same text for the same definition in two
	 * databases (no names of the database itself, no object ids). Each
	 * object has at least one row. Objects the database makes for
	 * itself, or that belong to an extension, are left out. Errors as
	 * for query(). NULL: drift is refused.
	 */
	int (*catalog)(struct strata_driver_conn *c, const char *schema,
	               strata_row_cb cb, void *payload);

	/**
	 * Make the open connection c serve another database of a fleet
	 * (strata_ctx_reuse_connection), leaving it as connect() would
	 * leave a new connection for p: give up a transaction left open,
	 * end whatever the last user left on the session (settings, the
	 * role, locks it took itself, temporary tables, prepared
	 * statements), then set the session up for p (p->schema). c was
	 * connected with old_url; the engine has already released its own
	 * lock on it. Return 0; STRATA_ENOTSUPP when c cannot serve p (p
	 * names another server or database than the driver can reach on
	 * c, the session may change under it, a statement is in flight).
	 * On any error the engine closes c and connects anew. NULL: every
	 * database gets a connection of its own.
	 */
	int (*reuse)(struct strata_driver_conn *c, const char *old_url,
	             const struct strata_connect_params *p);

	/*
	 * Lock-safe DDL (-- strata:lock-timeout, the ddl_lock_timeout
	 * setting): a migration's statements wait at most a while for a
	 * table lock, and one that gave up is tried again.
	 *
	 * lock_wait_sql appends to out one statement, without its
	 * terminator, that makes the statements after it wait at most
	 * timeout_ms (> 0) for a lock; timeout_ms 0 gives the session's own
	 * wait back. local 1: for the current transaction only, ending with
	 * it (a database without such a setting sets the session's, as for
	 * local 0); local 0: for the session, until the statement for 0.
	 * c may be NULL (scripts). Sets no error; STRATA_ENOMEM.
	 *
	 * lock_wait_gave_up tells whether an error exec() set, by its
	 * SQLSTATE ("" when none) and native code, is a statement that gave
	 * up waiting for a lock (PostgreSQL 55P03, MySQL 1205): 1, else 0.
	 *
	 * Both or neither; NULL: the setting and the directive are refused
	 * before anything runs (SQLite, where strata holds the write lock for
	 * the whole migration).
	 */
	int (*lock_wait_sql)(struct strata_driver_conn *c, strata_buf *out,
	                     int timeout_ms, int local);
	int (*lock_wait_gave_up)(const char *sqlstate, int native_code);

	/*
	 * `strata repair`: indexes that a failed build left unusable but
	 * kept up to date on every write (PostgreSQL's INVALID indexes of a
	 * failed CREATE INDEX CONCURRENTLY), those being built right now
	 * left out. invalid_indexes passes each one of schema (NULL: the one
	 * unqualified names resolve to) to cb as one value, its name
	 * qualified and quoted, in order; errors as for query().
	 * drop_index_sql is the text that, followed by such a name, makes
	 * the statement that drops it, run on its own outside a transaction
	 * ("DROP INDEX CONCURRENTLY IF EXISTS "). Both or neither; NULL:
	 * repair finds none.
	 */
	int (*invalid_indexes)(struct strata_driver_conn *c, const char *schema,
	                       strata_row_cb cb, void *payload);
	const char *drop_index_sql;

	/**
	 * `strata squash`: append to out the text dump() wrote (len bytes)
	 * made to change no session setting beyond the transaction it runs
	 * in, since it becomes a migration that others follow in one run
	 * (PostgreSQL: pg_dump's SET made SET LOCAL, its set_config(...,
	 * false) made true). Sets no error; STRATA_ENOMEM. NULL: the dump is
	 * taken as it is.
	 */
	int (*dump_local_sql)(strata_buf *out, const char *dump, size_t len);

	/*
	 * drift and squash work in a scratch database. scratch_url is the
	 * URL of a private, empty one that needs no server and is gone with
	 * its connection ("sqlite::memory:"). NULL: a temporary database is
	 * created beside the live one (the URL's database name replaced) and
	 * dropped after.
	 */
	const char *scratch_url;

	/**
	 * Before a shadow database (drift, squash) is emptied: 1 when the
	 * URLs a and b, both this driver's, name the same database (SQLite:
	 * the same file under two paths), else 0. No connection; sets no
	 * error. NULL: the engine takes b's runner lock without waiting
	 * while it holds a's, which fails only in the same database
	 * (CAP_LOCK).
	 */
	int (*same_database)(const char *a, const char *b);
};

/**
 * Record an error on the connection's context.
 * @param sqlstate the SQLSTATE or NULL; @param offset byte offset of the
 * error in the SQL passed to exec(), or -1
 * @return code, so that `return strata_driver_set_error(...)` works
 */
STRATA_EXTERN(int)
strata_driver_set_error(struct strata_driver_conn *c, int code,
                        const char *sqlstate, int native_code, long offset,
                        const char *fmt, ...)
#if defined(__GNUC__)
        __attribute__((format(printf, 6, 7)))
#endif
        ;

/**
 * Whether the user asked the run to stop (strata_ctx_interrupt, Ctrl-C).
 * A driver that waits for a lock polls this and gives up at once,
 * returning STRATA_EINTERRUPTED.
 */
STRATA_EXTERN(int)
strata_driver_interrupted(const struct strata_driver_conn *c);

/**
 * A file descriptor that becomes readable when the user asks the run to
 * stop, for a driver that waits for the server with poll(): it can then
 * stop the statement in flight at once (cancel it on the server, and when
 * the server does not answer, stop waiting) instead of waiting for it to
 * end. It stays readable from then on. Owned by the context; -1 when no
 * pipe can be made (then poll strata_driver_interrupted()).
 *
 * A statement stopped that way returns STRATA_EINTERRUPTED with one of
 * these SQLSTATEs, which the engine reports on:
 *   57014  cancelled by the server: it took no effect and its transaction
 *          (if any) failed; the connection can still roll back
 *   57P01  the server ended the session at the driver's request: the
 *          statement took no effect, its transaction is rolled back by
 *          the server; the connection is gone
 *   08007  the server did not answer in time: the driver gave up the
 *          connection, and whether the statement (or its transaction's
 *          COMMIT) took effect is unknown
 * A statement that completed although a cancel was sent returns 0. After
 * an interrupt, the statements the engine still sends (ROLLBACK, the
 * unlock) are its clean-up: run them, but stop waiting for a server that
 * does not answer within a second or so.
 */
STRATA_EXTERN(int)
strata_driver_interrupt_fd(struct strata_driver_conn *c);

/** Add further lines (DETAIL, HINT) to the error just set. */
STRATA_EXTERN(void)
strata_driver_add_detail(struct strata_driver_conn *c, const char *text);

/** Pass a server notice to the user (shown with -v). */
STRATA_EXTERN(void)
strata_driver_notice(struct strata_driver_conn *c, const char *text);

/** Tell the user how the run goes (shown unless quiet), e.g. whose lock
 * a runner waits for: a STRATA_EVENT_INFO event. */
STRATA_EXTERN(void)
strata_driver_info(struct strata_driver_conn *c, const char *text);

/** The caller's word for a setting, for a message that tells the user to
 * change it ("raise %s"): "--lock-timeout" in the CLI. Never NULL. */
STRATA_EXTERN(const char *)
strata_driver_setting(const struct strata_driver_conn *c, strata_setting s);

/**
 * Check a driver before registering it: its version is this header's
 * STRATA_DRIVER_VERSION, every required member is set, and the members
 * that go together (lock and unlock, a CAP_* and its method ...) do.
 * Reads nothing after name when the version differs.
 * @param why when not NULL, gets a one-line reason for a refusal, cut
 *            to size bytes with its NUL ("" when the driver is good)
 * @return 0, or STRATA_EINVALID
 */
STRATA_EXTERN(int)
strata_driver_check(const struct strata_driver *drv, char *why, size_t size);

/**
 * Register an out-of-tree driver, found by its URL schemes before the
 * built-in ones. drv is borrowed and must outlive every context. Not
 * thread safe: register before any context exists.
 * @return 0; STRATA_EINVALID for a driver strata_driver_check()
 * refuses (call it for the reason); STRATA_ENOMEM when 16 are
 * registered already
 */
STRATA_EXTERN(int) strata_driver_register(const struct strata_driver *drv);

#endif
