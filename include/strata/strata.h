/*
 * strata: versioned schema migrations for SQLite, PostgreSQL and MySQL.
 *
 * The umbrella header of the public library API. A strata_ctx holds one
 * project (a migrations folder and a database URL); every operation works
 * on it and leaves its error detail on it (strata_error_last()).
 */
#ifndef STRATA_H
#define STRATA_H

#include "common.h"
#include "errors.h"
#include "buf.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct strata_ctx strata_ctx;

/** The state of one migration, as `status` shows it. */
typedef enum strata_state {
	STRATA_STATE_PENDING = 0,  /* file present, not applied */
	STRATA_STATE_APPLIED,      /* applied, file unchanged */
	STRATA_STATE_MODIFIED,     /* applied, file checksum differs */
	STRATA_STATE_MISSING,      /* applied, file gone */
	STRATA_STATE_DIRTY,        /* started and not finished */
	STRATA_STATE_OUT_OF_ORDER, /* pending, older than the newest applied */
	STRATA_STATE_RENAMED /* applied under another name, file unchanged */
} strata_state;

typedef enum strata_kind {
	STRATA_KIND_VERSIONED = 0,
	STRATA_KIND_REPEATABLE,
	STRATA_KIND_BASELINE
} strata_kind;

/**
 * One migration: what the folder says and what the history says.
 * Borrowed from the context, valid until the next call on it.
 */
typedef struct strata_migration {
	/* canonical (strata_version_parse): "4", "1.2.3"; "" for a
	 * repeatable migration, which has none */
	const char *version;
	const char *version_text; /* as written in the file name, e.g. "0004" */
	const char *name;
	strata_kind kind;
	strata_state state;
	const char *up_file; /* path of the file holding the up part, or NULL */
	const char *down_file; /* path of the down part, or NULL */
	/* "strata", "dbmate", "goose", "sql-migrate", "flyway", "prisma" or
	 * "diesel" */
	const char *format;
	int reversible;       /* a down part exists */
	int no_transaction;   /* runs outside a transaction */
	const char *checksum; /* of the file ("" when not computed) */
	/* history fields; "" and 0 when not applied */
	const char *applied_checksum;
	const char *applied_at; /* UTC, ISO 8601 */
	int64_t execution_ms;
	const char *applied_by;
	int dirty; /* 0, or the statement (1-based) a failed run reached */
	/* the name the history recorded; history rows and files are matched
	 * by version, so it differs from name when the files were renamed */
	const char *applied_name;
} strata_migration;

/** One row of the history table. Borrowed like strata_migration. */
typedef struct strata_history_entry {
	const char *version; /* canonical; "" for a repeatable migration */
	const char *name;
	strata_kind kind;
	const char *file;
	const char *checksum;
	const char *checksum_algorithm;
	const char *applied_at;
	int64_t execution_ms;
	const char *applied_by;
	const char *target;
	const char *database_type;
	int dirty; /* 0, or the statement (1-based) a failed run reached */
	/* the version as the migration's file writes it ("0004"), as
	 * strata_migration's version_text; the canonical version when the
	 * file is gone; "" for a repeatable migration */
	const char *version_text;
} strata_history_entry;

/**
 * One row of the history log: a change strata made to the history (see
 * strata_history_log). Borrowed like strata_migration.
 */
typedef struct strata_log_entry {
	int64_t id;          /* its place in the log: 1, 2, ... */
	const char *at;      /* the database's clock, UTC, ISO 8601 */
	const char *action;  /* apply, rollback, force, repair, baseline,
	                      * adopt, fresh */
	const char *version; /* canonical; "" for a repeatable or none */
	const char *name;    /* "" when the change was to no one migration */
	strata_kind kind;
	const char *checksum; /* the file's, as recorded; NULL when none */
	const char *by;       /* user@host, as applied_by */
	const char *target;
	const char *detail; /* what was done, when the action does not say
	                     * it all ("dirty cleared"); "" otherwise */
	/* the version as the migration's file writes it, as
	 * strata_history_entry's */
	const char *version_text;
} strata_log_entry;

typedef enum strata_event_kind {
	STRATA_EVENT_APPLY_START = 0, /* migration about to run (up) */
	STRATA_EVENT_APPLY_DONE,      /* migration ran; elapsed_ms set */
	STRATA_EVENT_REVERT_START,    /* down part about to run */
	STRATA_EVENT_REVERT_DONE,
	STRATA_EVENT_SKIP,    /* another runner did it first */
	STRATA_EVENT_SQL,     /* dry run: message is SQL that would run */
	STRATA_EVENT_NOTICE,  /* a server notice (RAISE NOTICE) */
	STRATA_EVENT_INFO,    /* progress information */
	STRATA_EVENT_WARNING, /* something the user should know */
	/* a statement gave up waiting for a table lock (lock timeout): the
	 * migration was rolled back and is tried again after elapsed_ms;
	 * position is the retry (from 1), total the retries allowed, file
	 * and line the statement's */
	STRATA_EVENT_RETRY
} strata_event_kind;

typedef struct strata_event {
	strata_event_kind kind;
	const strata_migration *migration; /* or NULL */
	/* or NULL; made safe to print as strata_error's message is (a
	 * notice keeps its lines), except STRATA_EVENT_SQL: the script */
	const char *message;
	int64_t elapsed_ms;
	/* APPLY_* and REVERT_* in up, down and redo: the part's place in
	 * the run, from 1, and the run's number of parts; else 0 and 0 */
	size_t position, total;
	/* STRATA_EVENT_RETRY: where the statement is; else NULL and 0 */
	const char *file;
	int line;
	/* REVERT_DONE: the backup the run wrote before its first rollback
	 * (strata_backup), or NULL when it wrote none */
	const char *backup;
} strata_event;

typedef void (*strata_event_cb)(const strata_event *event, void *payload);

/**
 * A setting a message may tell the caller to change. Messages name it
 * with the caller's word for it (strata_options.setting_name): the CLI's
 * options ("--to"), or by default the library's own, the member of its
 * option structs ("strata_run_options.to").
 */
typedef enum strata_setting {
	STRATA_SETTING_DATABASE = 0,       /* strata_options.database_url */
	STRATA_SETTING_DIR,                /* strata_options.migrations_dir */
	STRATA_SETTING_TABLE,              /* strata_options.table */
	STRATA_SETTING_SCHEMA,             /* strata_options.schema */
	STRATA_SETTING_LOCK_TIMEOUT,       /* strata_options.lock_timeout_ms */
	STRATA_SETTING_TO,                 /* strata_run_options.to */
	STRATA_SETTING_ALLOW_OUT_OF_ORDER, /* strata_run_options.allow_... */
	STRATA_SETTING_NO_BACKUP,          /* strata_run_options.no_backup */
	STRATA_SETTING_BACKUP_SUFFIX,      /* strata_run_options.backup_... */
	STRATA_SETTING_SINGLE_TRANSACTION, /* strata_run_options.single_... */
	STRATA_SETTING_ANY_FILE,           /* strata_restore_options.any_file */
	STRATA_SETTING_ADOPT_FROM,         /* strata_adopt_options.from */
	STRATA_SETTING_ADOPT_UNDO,         /* strata_adopt_options.undo */
	STRATA_SETTING_ADOPT_PRUNE,        /* strata_adopt_options.prune */
	STRATA_SETTING_DDL_LOCK_TIMEOUT,   /* strata_options.ddl_lock_timeout_ms
	                                    */
	STRATA_SETTING_COUNT
} strata_setting;

/* The caller's word for setting s, or NULL for the library's own. */
typedef const char *(*strata_setting_name_cb)(strata_setting s, void *payload);

/** @return the library's own word for s ("strata_run_options.to"), or
 * NULL past the last */
STRATA_EXTERN(const char *) strata_setting_default_name(strata_setting s);

/** How to open a project. Every member may be left zero / NULL. */
typedef struct strata_options {
	const char *database_url;   /* NULL: "sqlite:strata.db" */
	const char *migrations_dir; /* NULL: "migrations" */
	const char *table;          /* NULL: "schema_migrations" */
	const char *schema;         /* NULL: the database's default */
	const char *target;  /* recorded with each row; NULL: "default" */
	int lock_timeout_ms; /* 0: 60 s; <0: do not wait */
	int verbose;         /* forward server notices as events */
	strata_event_cb on_event;
	void *payload; /* on_event's and setting_name's */
	/* how messages name settings; NULL: the library's own names */
	strata_setting_name_cb setting_name;

	/*
	 * Exec targets, for stores strata has no driver for: each migration
	 * file is handed to exec_command ("{file}" replaced by its path;
	 * split into words, never run by a shell), or, when exec_command is
	 * NULL, run itself (.py with python3, .sh with sh, or an executable
	 * file). The database named by database_url then only keeps the
	 * history. exec_env: NULL-terminated "NAME=value" strings added to
	 * the command's environment.
	 */
	int exec;
	const char *exec_command;
	const char *const *exec_env;
	const char *exec_extension; /* strata_new in an exec target: ".py" */

	/*
	 * Values of Flyway's placeholders (${name} in V, U and R files):
	 * NULL-terminated "name=value" strings, names matched in any case.
	 * A placeholder without a value stops the migration before it runs.
	 */
	const char *const *placeholders;

	/*
	 * PostgreSQL and MySQL: how long each statement of a migration may
	 * wait for a table lock (lock_timeout, lock_wait_timeout), in ms,
	 * 0 for the server's own setting; and how many times a migration
	 * whose statement gave up waiting is rolled back and tried again.
	 * A file's -- strata:lock-timeout directive wins over both.
	 */
	int ddl_lock_timeout_ms;
	int ddl_lock_retries;

	/*
	 * Lint rule levels (strata_lint): NULL-terminated "rule=level"
	 * strings, level one of error, warning or off; a rule not named
	 * keeps its default level. An unknown rule or level makes
	 * strata_ctx_new fail with STRATA_EINVALID.
	 */
	const char *const *lint_levels;
} strata_options;

/** What an up/down/redo run does. Zero means: the command's default. */
typedef struct strata_run_options {
	unsigned count; /* at most this many migrations; 0: no limit */
	/* up: stop after version `to`, which a migration has; down: roll
	 * back the migrations newer than `to` (a migration's version, or 0).
	 * As written or canonical. NULL: no such limit. */
	const char *to;
	int all;                /* down: every applied migration */
	int dry_run;            /* print, change nothing */
	int allow_out_of_order; /* apply pending migrations older than applied
	                         */
	int no_backup;          /* down, fresh: no backup first */
	int single_transaction; /* up: all migrations or none (SQLite, PG) */
	const char *backup_suffix;
} strata_run_options;

/** What validate found. Borrowed like strata_migration. */
typedef struct strata_problem {
	int severity;        /* 1 warning, 2 error */
	const char *file;    /* or ""; the path as it is */
	int line;            /* or 0 */
	const char *message; /* safe to print, as strata_error's message */
} strata_problem;

/**
 * Open a project. Reads nothing yet and does not connect.
 * @param out the new context, freed with strata_ctx_free(); NULL on failure
 * @return 0 or STRATA_ENOMEM / STRATA_EINVALID
 */
STRATA_EXTERN(int) strata_ctx_new(strata_ctx **out, const strata_options *opts);

/** Disconnect and free everything; accepts NULL. */
STRATA_EXTERN(void) strata_ctx_free(strata_ctx *ctx);

/**
 * Hand the open connection of from over to ctx, which has none yet: for
 * the databases of a fleet that one connection can serve in turn (the
 * schemas of one PostgreSQL database). from's transaction is rolled
 * back and its lock released; the driver then ends what from left on
 * the session (settings, the role, locks, temporary tables) and sets it
 * up for ctx, as a new connection would be. When the driver cannot (it
 * has no way, another URL, a session a pooler shares, a connection in a
 * bad state), from keeps the connection and ctx connects anew on first
 * need, as usual.
 * @return 1 when ctx took the connection, 0 when not; STRATA_ENOMEM
 */
STRATA_EXTERN(int)
strata_ctx_reuse_connection(strata_ctx *ctx, strata_ctx *from);

/** @return the detail of the last failure on ctx; never NULL */
STRATA_EXTERN(const strata_error *) strata_error_last(const strata_ctx *ctx);

/** @return the database URL in use with any password masked */
STRATA_EXTERN(const char *) strata_ctx_url_redacted(const strata_ctx *ctx);

/**
 * The database types this strata knows: the names of its drivers
 * (registered ones first), then those of the drivers this build was made
 * without, whose URLs are refused with a message that says so.
 * @return the i-th, from 0; NULL past the last
 */
STRATA_EXTERN(const char *) strata_database_type(size_t i);

/**
 * The database type url is for: the name of the driver its scheme picks,
 * as strata_database_type() gives it, or NULL when url has no scheme or
 * one no driver serves.
 */
STRATA_EXTERN(const char *) strata_url_database_type(const char *url);

/**
 * Read the folder and, unless offline, the history, and merge them.
 * @param offline do not connect: every migration is shown as pending
 */
STRATA_EXTERN(int)
strata_status(const strata_migration **out, size_t *n, strata_ctx *ctx,
              int offline);

/**
 * Give every migration of the view strata_status last returned its
 * file's checksum, the one history would record: strata_status hashes
 * only applied files (the others through the stat cache when they are
 * unchanged). A file that does not read as a migration keeps "".
 */
STRATA_EXTERN(int) strata_status_checksums(strata_ctx *ctx);

/** Apply pending migrations. @param n_done number applied (may be NULL) */
STRATA_EXTERN(int)
strata_up(strata_ctx *ctx, const strata_run_options *opts, size_t *n_done);

/** Roll back applied migrations, newest first (count 0 means 1). */
STRATA_EXTERN(int)
strata_down(strata_ctx *ctx, const strata_run_options *opts, size_t *n_done);

/** Roll back and re-apply the newest applied migration. */
STRATA_EXTERN(int) strata_redo(strata_ctx *ctx, const strata_run_options *opts);

/**
 * Declare the database to be at `version` without running anything:
 * clear dirty marks, record migrations up to it as applied, and later ones
 * as not applied. `version` is a migration's version (as written or
 * canonical) or "0", which no migration needs to have; NULL means:
 * nothing applied (also when a migration has version 0).
 */
STRATA_EXTERN(int) strata_force(strata_ctx *ctx, const char *version);

/**
 * Check the folder, and the folder against the database unless offline.
 * @return 0 when no error-level problem was found, else STRATA_EPARSE or
 * STRATA_ESTATE (the worse kind found)
 */
STRATA_EXTERN(int)
strata_validate(const strata_problem **out, size_t *n, strata_ctx *ctx,
                int offline);

/**
 * Record the current checksum of every applied migration whose file was
 * edited deliberately; with prune, also forget applied migrations whose
 * files are gone (each is announced as an INFO event first).
 * @param n_fixed rows updated or deleted
 */
STRATA_EXTERN(int)
strata_repair(strata_ctx *ctx, int prune, size_t *n_fixed);

/**
 * PostgreSQL: the INVALID indexes of the schema (--schema's, else the
 * one names resolve to) that a failed CREATE INDEX CONCURRENTLY left
 * behind, as "schema.index" quoted for SQL; one being built right now is
 * not listed. None on other databases.
 * @param out borrowed until the next call on ctx
 */
STRATA_EXTERN(int)
strata_invalid_indexes(const char *const **out, size_t *n, strata_ctx *ctx);

/**
 * Drop, under the runner lock, each index that strata_invalid_indexes()
 * listed and that is still INVALID (DROP INDEX CONCURRENTLY IF EXISTS),
 * so that the next up creates it again. Each one is announced as an
 * INFO event. The caller asks the user first.
 * @param n_dropped indexes dropped
 */
STRATA_EXTERN(int)
strata_drop_invalid_indexes(strata_ctx *ctx, size_t *n_dropped);

/**
 * Write, as STRATA_EVENT_SQL events, the script that up (or down) would
 * run, with its history statements; history rows take the database's
 * clock when the script runs.
 * @param offline do not connect: assume nothing is applied
 * @param n the number of migrations in the script
 */
STRATA_EXTERN(int)
strata_plan(strata_ctx *ctx, const strata_run_options *opts, int down,
            int offline, size_t *n);

/**
 * Record every migration up to version as applied without running it,
 * for a database that existed before strata. Refused (STRATA_ESTATE)
 * when the database already has a history.
 */
STRATA_EXTERN(int)
strata_baseline(strata_ctx *ctx, const char *version, size_t *n);

/**
 * Ask a running operation to stop: before its next migration, and on
 * PostgreSQL and MySQL also in the middle of a statement, which is
 * cancelled on the server (or, when the server does not answer, given up
 * a second later); see docs/ERRORS.md. Async-signal-safe: it sets a flag
 * and writes to a pipe, so a signal handler may call it.
 */
STRATA_EXTERN(void) strata_ctx_interrupt(strata_ctx *ctx);

/** What strata_database() does with the database the URL names. */
typedef enum strata_database_op {
	STRATA_DATABASE_PING,   /* does its server answer? */
	STRATA_DATABASE_CREATE, /* create it */
	STRATA_DATABASE_DROP    /* drop it, with everything in it */
} strata_database_op;

/**
 * Work on the database the URL names from outside it, on a connection of
 * its own to its server (PostgreSQL: the maintenance database postgres;
 * MySQL: no database; SQLite: the file). Any connection ctx holds is
 * closed first.
 * @return 0; for PING, STRATA_ECONNECT while the server does not answer
 * (the database need not exist); for CREATE, STRATA_EEXISTS when it
 * exists; for DROP, STRATA_ENOTFOUND when it does not; STRATA_ENOTSUPP
 * for a driver that cannot
 */
STRATA_EXTERN(int) strata_database(strata_ctx *ctx, strata_database_op op);

/** Read the history table, oldest first. */
STRATA_EXTERN(int)
strata_history(const strata_history_entry **out, size_t *n, strata_ctx *ctx);

/**
 * Read the history log of this target, oldest first: every change strata
 * made to the history since the log was made (strata_up, strata_down,
 * strata_force, strata_repair, strata_adopt, strata_fresh). A database
 * from before the log has none until its next write; reading never
 * creates it.
 */
STRATA_EXTERN(int)
strata_history_log(const strata_log_entry **out, size_t *n, strata_ctx *ctx);

/**
 * Create a new migration in the folder, in the folder's own format (that
 * of its newest migration): an up/down pair by default; a single file
 * with sections (dbmate, goose, sql-migrate) or up only (sqlx); a Flyway
 * V file; a Prisma or Diesel migration's folder.
 * @param sequential 1: next number with the folder's width; 0: timestamp
 * (a Flyway folder numbered below 14 digits: its next number)
 * @param out_up, out_down the paths written (borrowed, as above);
 * *out_down is NULL when no separate down file was written
 */
STRATA_EXTERN(int)
strata_new(const char **out_up, const char **out_down, strata_ctx *ctx,
           const char *name, int sequential);

/**
 * Write a backup to backups/YYYY-MM-DD/<database>-<HHMMSS>[-suffix].<ext>
 * (folders 0700, file 0600, never through a symbolic link).
 * @param out_path the file written (borrowed, as above)
 */
STRATA_EXTERN(int)
strata_backup(const char **out_path, strata_ctx *ctx, const char *suffix);

/** A row of strata_select(): ncols values, NULL for SQL NULL. Return 0
 * to go on; another value stops the query and is returned. */
typedef int (*strata_select_cb)(void *payload, int ncols,
                                const char *const *values);

/**
 * Run one query on the context's database (never creating it) and pass
 * each row to cb: for a fleet's members listed by a query. The query is
 * the caller's: strata neither checks nor changes it. STRATA_ENOTFOUND
 * when the database does not exist, STRATA_ENOTSUPP for an exec target.
 */
STRATA_EXTERN(int)
strata_select(strata_ctx *ctx, const char *sql, strata_select_cb cb,
              void *payload);

/** A streaming standby, as strata_wait_replicas() saw it last. */
typedef struct strata_replica {
	const char *name;      /* its application_name ("walreceiver") */
	const char *address;   /* its address, or "local socket" */
	const char *state;     /* "streaming", "catchup" ...; or NULL */
	int64_t behind_bytes;  /* still to replay; -1: unknown */
	int64_t replay_lag_ms; /* the server's last measure; -1: unknown */
	int caught_up;         /* it has replayed what the wait began at */
} strata_replica;

typedef void (*strata_replica_cb)(const strata_replica *replica, void *payload);

/** @return 1 when the database's driver can wait for its standbys
 * (PostgreSQL), else 0. Does not connect. */
STRATA_EXTERN(int) strata_replicas_supported(strata_ctx *ctx);

/**
 * Wait until every streaming standby connected to the server has
 * replayed all that the server had written when called (after a run:
 * the run's last commit), for at most timeout_ms; then pass each standby
 * to cb (may be NULL), in name order. Borrowed like strata_migration,
 * for the call only.
 * @return 0 when every standby has caught up, none being connected
 * included; STRATA_ETIMEOUT naming those behind (also when the server
 * hides their progress from the role); STRATA_ENOTSUPP when the driver
 * cannot wait (strata_replicas_supported()); STRATA_EINTERRUPTED
 */
STRATA_EXTERN(int)
strata_wait_replicas(strata_ctx *ctx, int timeout_ms, strata_replica_cb cb,
                     void *payload);

/** What strata_restore_inspect() found out about a file. */
typedef struct strata_restore_file {
	int is_backup;    /* strata_backup wrote it, for this database type */
	uint64_t size;    /* in bytes */
	const char *what; /* what it is, in a few words */
	const char *head; /* its first lines, control characters shown as
	                   * '?' ("" for binary data), to show a user */
} strata_restore_file;

/**
 * Look at a file before restoring it, without connecting. A file that
 * must never be restored is refused here as strata_restore() refuses it:
 * STRATA_EPARSE, with its file and line (strata_error_last), for one
 * holding commands the database's client tool would run itself (psql's
 * \! or \copy, the mysql client's system or source) instead of sending
 * them to the server, or one that is not this database's at all;
 * STRATA_EIO for one that cannot be read.
 * @param out filled in; the strings are borrowed from ctx, valid until
 * its next call
 */
STRATA_EXTERN(int)
strata_restore_inspect(strata_restore_file *out, strata_ctx *ctx,
                       const char *path);

/** How strata_restore() goes. Zero means: the safe default. */
typedef struct strata_restore_options {
	int any_file;  /* also a file strata_backup did not write (the
	                * caller showed it to the user, who said yes) */
	int no_backup; /* no backup of the database first */
	const char *backup_suffix; /* NULL: "before-restore" */
} strata_restore_options;

/**
 * Restore the database from a backup file written by strata_backup:
 * refused as strata_restore_inspect() says, and for another file unless
 * opts->any_file (STRATA_EINVALID). Under the runner lock, a backup of
 * the database is written first (announced as an INFO event) unless
 * opts->no_backup. The caller asks the user first.
 */
STRATA_EXTERN(int)
strata_restore(strata_ctx *ctx, const char *path,
               const strata_restore_options *opts);

/** The backup files under backups/, oldest first (borrowed, as above). */
STRATA_EXTERN(int)
strata_backup_list(const char *const **out, size_t *n, strata_ctx *ctx);

/**
 * Drop every object of the schema (tables, views, types, functions,
 * sequences, the history table) and apply every migration again, after a
 * backup unless opts->no_backup. The caller asks the user first.
 */
STRATA_EXTERN(int)
strata_fresh(strata_ctx *ctx, const strata_run_options *opts, size_t *n_done);

/**
 * Parse a version as written in a file name or on the command line:
 * digits ("0", "0004", "20210913095309000007"), or parts of digits
 * separated by '.' or '_' (Flyway's "1.2.3", "3_1"). Versions are
 * ordered numerically part by part, so leading zeros and trailing zero
 * parts do not count ("0004" is 4, "1.0" is 1).
 * @param out replaced with the canonical text: each part without its
 *            leading zeros, no trailing zero part, parts joined by '.'
 *            ("4", "1.2.3", "3.1"); at most 64 characters
 * @return 0, STRATA_EINVALID (not a version, or longer than 64 characters
 *         once canonical) or STRATA_ENOMEM
 */
STRATA_EXTERN(int) strata_version_parse(strata_buf *out, const char *text);

/**
 * Order two versions as strata orders migrations: numerically part by
 * part, a missing part counting as 0, so "1.2.3" < "1.10" and "0004" ==
 * "4" == "4.0". "" or NULL (no version: repeatable migrations) comes
 * before every version. Texts strata_version_parse refuses compare in
 * some fixed order.
 * @return <0, 0 or >0 as a is older than, the same as or newer than b
 */
STRATA_EXTERN(int) strata_version_cmp(const char *a, const char *b);

/** @return "pending", "applied", ... */
STRATA_EXTERN(const char *) strata_state_name(strata_state state);

/** @return "versioned", "repeatable" or "baseline" */
STRATA_EXTERN(const char *) strata_kind_name(strata_kind kind);

/** strata_init(): the process has one thread. */
#define STRATA_INIT_SINGLE_THREAD 1u

/**
 * Optional set-up of the process for the library, once, before any other
 * strata or SQLite call. Nothing needs it: without it (and with flags 0)
 * the library leaves SQLite as it finds it, which suits an application
 * with threads or with SQLite settings of its own.
 *
 * STRATA_INIT_SINGLE_THREAD: the process has one thread (the strata
 * command does this), so SQLite skips its mutexes and its memory
 * statistics (a mutex per allocation).
 *
 * @return 0, or STRATA_EINVALID when SQLite was already in use (nothing
 * changed; the library works as it is).
 */
STRATA_EXTERN(int) strata_init(unsigned flags);

/**
 * Replace the allocator used by the library (for tests that fail the
 * k-th allocation). Pass NULLs to restore malloc/realloc/free. Not thread
 * safe: call before any context exists.
 */
STRATA_EXTERN(void)
strata_set_allocator(void *(*malloc_fn)(size_t),
                     void *(*realloc_fn)(void *, size_t),
                     void (*free_fn)(void *));

#ifdef __cplusplus
}
#endif

/* the parts of the API with a header of their own */
#include "adopt.h"
#include "lint.h"
#include "schema.h"

#endif
