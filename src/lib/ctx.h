/*
 * The project context: options, the open connection, the folder and the
 * history as last read, and the last error. Internal to the library.
 */
#ifndef STRATA_LIB_CTX_H
#define STRATA_LIB_CTX_H

#include <signal.h>

#include "common.h"
#include "source.h"
#include "history.h"
#include "../util/url.h"

struct strata_ctx {
	/* options, owned copies */
	char *url;
	struct strata__url url_parts; /* url taken apart, once (url.h) */
	char *url_redacted;
	char *secret, *secret_decoded; /* masked in every error message */
	char *dir;
	char *table;
	char *schema;
	char *resolved_schema; /* what names resolve to, when no --schema */
	int schema_ensured;
	char *target;
	int lock_timeout_ms;
	/* a migration statement's wait for table locks, and the retries
	 * after it gave up, unless its file says (ddllock.c) */
	struct strata__lockspec ddl_lock;
	int verbose;
	strata_event_cb on_event;
	void *payload;
	strata_setting_name_cb setting_name;
	int exec;            /* an exec target: files are run, not sent */
	char *exec_command;  /* or NULL */
	char **exec_env;     /* NULL-terminated, or NULL */
	char *exec_ext;      /* extension of new files, e.g. ".py" */
	char **placeholders; /* Flyway's: "name=value", NULL-terminated */

	/* the last error; the strings live in the buffers */
	strata_error err;
	strata_buf err_message, err_detail, err_file;
	long err_offset; /* byte offset of a database error in the SQL, or -1 */

	/* the connection, opened on first need */
	const struct strata_driver *drv;
	struct strata_driver_conn *conn;
	char *lock_key;
	int locked;
	int in_txn;                 /* written by struct txn only (driver.c) */
	size_t run_done, run_total; /* parts of the run done, in all */
	volatile sig_atomic_t interrupted;
	/* a context working for this one (drift's scratch database): an
	 * interrupt of this one interrupts it too */
	struct strata_ctx *volatile child;
	/* a pipe written when interrupted, for drivers that wait with
	 * poll() (interrupt.c); -1 until a driver asks for it */
	volatile sig_atomic_t wake_w;
	int wake_r;

	struct source source;
	int source_loaded;
	struct strata_hasher hasher;
	struct statcache *statcache; /* statcache.c, or NULL */
	struct history history;
	/* the history table is in the format before versions were text
	 * (strata__history_check): read as it is, upgraded by a writer */
	int history_old_format;
	/* Drivers without a runner lock (SQLite): the history the running
	 * plan assumes (strata__history_fingerprint), checked inside each
	 * migration's transaction; another runner's change means: plan
	 * again. */
	strata_buf plan_history;
	/* the history INSERT with parameters, for drivers with exec_params */
	strata_buf insert_sql;
	strata_buf log_insert_sql; /* the log's INSERT with parameters */
	/* the backup the running down wrote first, or "" */
	strata_buf run_backup;

	/* what strata_status()/strata_validate() hand out */
	strata_migration *view;
	size_t n_view;
	strata_problem *problems;
	size_t n_problems;
	strata_history_entry *entries;
	size_t n_entries;
	/* what strata_invalid_indexes() listed (invalid_index.c) */
	char **invalid_indexes;
	size_t n_invalid_indexes;
	strata_log_entry *log; /* strata_history_log() */
	size_t n_log;
	/* the history table whose log is written, while table names a
	 * scratch copy (adopt on MySQL); NULL: table */
	char *log_home;
	/* the log exists, as the writer's strata__history_check found */
	int log_exists;
	int dump_log;   /* strata_dump_include_log() */
	char **backups; /* strata_backup_list() */
	size_t n_backups;
	struct adopt *adopt; /* what strata_adopt() hands out (adopt.c) */
	/* lint (lint.h): each rule's level from strata_options.lint_levels
	 * (-1: its default), or NULL; the findings strata_lint hands out */
	signed char *lint_levels;
	struct lint_item *lint_items;
	size_t n_lint_items;
	strata_lint_finding *lint_findings;
	size_t n_lint_findings;
	strata_buf scratch; /* strings handed out by strata_new() */
	strata_buf scratch2;
};

/* Record STRATA_ENOMEM ("out of memory") on ctx and return it. */
int strata__oom(strata_ctx *ctx);

/*
 * A condition the code relies on (libgit2's assert_safe.h): the test
 * build stops at once; a release build records STRATA_EINTERNAL naming
 * the condition and returns it from the calling function, which must
 * return int.
 */
#if STRATA_TEST_BUILD
# include <assert.h>
# define STRATA_ASSERT(ctx, expr) assert(expr)
#else
# define STRATA_ASSERT(ctx, expr)                                           \
  do {                                                                      \
   if (!(expr))                                                             \
    return strata__error_set((ctx), STRATA_EINTERNAL,                       \
			     "internal error: %s (%s:%d)", #expr, __FILE__, \
			     __LINE__);                                     \
  } while (0)
#endif

/* Record an error on ctx and return code. Message style: lower case,
 * one line, no final full stop. */
int strata__error_set(strata_ctx *ctx, int code, const char *fmt, ...)
        STRATA_PRINTF(3, 4);
/* Attach a file position to the error just set. */
void strata__error_at(strata_ctx *ctx, const char *file, int line, int col);
/* Append a line to the error's detail. */
void strata__error_detail(strata_ctx *ctx, const char *fmt, ...)
        STRATA_PRINTF(2, 3);
void strata__error_clear(strata_ctx *ctx);

/* Set the current error aside and bring it back, around clean-up work
 * that may fail on its own. */
struct saved_error {
	strata_error err;
	strata_buf message, detail, file;
	long offset;
};
void strata__error_save(strata_ctx *ctx, struct saved_error *s);
void strata__error_restore(strata_ctx *ctx, struct saved_error *s);
/* Replace the current error's message, keeping its code, SQLSTATE,
 * position and detail. */
void strata__error_reword(strata_ctx *ctx, const char *fmt, ...)
        STRATA_PRINTF(2, 3);
/* Set the current error's SQLSTATE. */
void strata__error_sqlstate(strata_ctx *ctx, const char *sqlstate);
/* Prefix the current error message with "prefix: ". */
void strata__error_prefix(strata_ctx *ctx, const char *fmt, ...)
        STRATA_PRINTF(2, 3);

/* statcache.c: checksums of unchanged files without reading them */
int strata__statcache_lookup(strata_ctx *ctx, const char *path, char out[65]);
void strata__statcache_store(strata_ctx *ctx, const char *path,
                             const char *checksum);
void strata__statcache_save(strata_ctx *ctx);
void strata__statcache_free(strata_ctx *ctx);
/* $XDG_CACHE_HOME/strata/name (or ~/.cache/strata/name); STRATA_ENOTFOUND
 * without a home or with STRATA_NO_CACHE set (not to "0"). */
int strata__cache_file(strata_buf *out, const char *name);
/* FNV-1a, 64 bits: names of cache files (no digest needed there) */
#define STRATA_FNV1A_INIT 14695981039346656037ull
uint64_t strata__fnv1a(uint64_t h, const char *s, size_t n);
/* A cache file's whole text, NUL-terminated (free it), or NULL. */
char *strata__cache_read(const char *path, size_t *len);
/* Replace a cache file whole (0600, folders 0700); -1 on any failure. */
int strata__cache_write(const char *path, const char *data, size_t len);

/* histcache.c: the history of an unchanged database without opening it */
/* 1 and the key of the database's state now, or 0 (no key: read it) */
int strata__histcache_key(strata_ctx *ctx, strata_buf *key);
/* 1 when ctx->history was filled from the rows kept under key */
int strata__histcache_load(strata_ctx *ctx, const strata_buf *key);
/* keep ctx->history under key, if the database still has that key */
void strata__histcache_store(strata_ctx *ctx, const char *key);

/* interrupt.c: close the interrupt pipe, if one was made. */
void strata__interrupt_release(strata_ctx *ctx);

/* Send an event to the caller's callback, if any. */
/* The caller's word for setting s in a message ("--to", or the library's
 * "strata_run_options.to"); never NULL */
const char *strata__setting(const strata_ctx *ctx, strata_setting s);

void strata__emit(strata_ctx *ctx, strata_event_kind kind,
                  const strata_migration *m, const char *message,
                  int64_t elapsed_ms);
void strata__emitf(strata_ctx *ctx, strata_event_kind kind, const char *fmt,
                   ...) STRATA_PRINTF(3, 4);

/* Forget the merged view of folder and history (it is built again). */
void strata__ctx_release_view(strata_ctx *ctx);

#endif
