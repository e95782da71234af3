/*
 * strata: the schema: strata_dump(), strata_drift() and strata_squash().
 * Part of the public library API; include <strata/strata.h>, which
 * includes this file.
 */
#ifndef STRATA_SCHEMA_H
#define STRATA_SCHEMA_H

#include "strata.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * The schema of the database as SQL, appended to out: made by the
 * database's own dumper (pg_dump, mysqldump; SQLite's sqlite_master), the
 * same bytes for the same schema (no dates, version banners or random
 * tokens), its first line "-- strata schema dump (DRIVER)", then the
 * history's rows as INSERT statements, versioned by version then
 * repeatables by name, without their times, users and durations (the
 * database's clock when the file is restored). strata_restore() takes
 * the file as strata's own; restored into an empty database, it dumps
 * again to the same bytes. Under the runner lock.
 * STRATA_ENOTFOUND when the database does not exist, STRATA_ENOTSUPP
 * when the driver cannot dump or its dumper is not installed (the
 * message names the Debian package). On failure out is as it was.
 */
STRATA_EXTERN(int) strata_dump(strata_buf *out, strata_ctx *ctx);

/**
 * With on set, strata_dump() and strata_dump_write() on ctx also write
 * this target's history log rows (see strata_history_log) after the
 * history's, as INSERTs that keep their id, time and user: restored, the
 * log is as it was. Off by default, since those values differ between
 * two databases built from one folder and the dump is then no longer the
 * same bytes for the same schema.
 */
STRATA_EXTERN(void) strata_dump_include_log(strata_ctx *ctx, int on);

/** What strata_drift() found, object by object. */
typedef enum strata_drift_change {
	STRATA_DRIFT_ADDED = 0, /* in the database, not made by the folder */
	STRATA_DRIFT_REMOVED,   /* made by the folder, not in the database */
	STRATA_DRIFT_CHANGED    /* in both, with an attribute that differs */
} strata_drift_change;

typedef struct strata_drift_item {
	strata_drift_change change;
	const char *kind; /* "table", "column", "index", "constraint" ... */
	/* "users", "users.email" (a column, index, constraint or trigger
	 * with its table), "f(integer)" (a function with its arguments) */
	const char *name;
	/* STRATA_DRIFT_CHANGED: what differs ("type", "default", "not
	 * null", "definition" ...), the folder's value and the database's,
	 * whitespace folded (NULL: none, such as no default); else NULL */
	const char *attribute;
	const char *expected;
	const char *actual;
} strata_drift_item;

/** The result of strata_drift(), freed with strata_drift_free(). */
typedef struct strata_drift_report {
	const strata_drift_item *items; /* added, removed, changed */
	size_t n;
	size_t n_added, n_removed, n_changed;
	size_t n_applied; /* migrations applied to the scratch database */
} strata_drift_report;

/** How strata_drift() builds the schema it compares with. */
typedef struct strata_drift_options {
	/* a file `strata dump` wrote, loaded instead of the folder */
	const char *from;
	/* every migration of the folder, pending ones too; else those the
	 * history says are applied */
	int all;
	/* a database to build it in (emptied before and after: every
	 * object in it is dropped), for a user who may not create
	 * databases; NULL: an in-memory SQLite database, or a temporary
	 * database strata creates and drops on the same server */
	const char *shadow_url;
} strata_drift_options;

/**
 * Compare the live database's schema, object by object from its
 * catalogue (tables, columns with their types, defaults and
 * nullability, indexes, constraints, views, functions, triggers,
 * sequences, extensions), with the schema the folder's migrations make
 * in a scratch database (see strata_drift_options). The history table is
 * left out. A temporary database is dropped on every way out, also after
 * an interrupt.
 * @param out the report, or NULL on failure; an empty one: no drift
 * @return 0; STRATA_ENOTFOUND when the database does not exist; the
 * error of a migration (or of the dump file) that does not apply to the
 * scratch database, with its file; STRATA_ENOTSUPP for a driver without
 * a catalogue, or an exec target
 */
STRATA_EXTERN(int)
strata_drift(strata_drift_report **out, strata_ctx *ctx,
             const strata_drift_options *opts);

/** Free a report of strata_drift(); accepts NULL. */
STRATA_EXTERN(void) strata_drift_free(strata_drift_report *report);

/** What strata_squash() does. */
typedef struct strata_squash_options {
	/* V, as written: the newest version replaced; required */
	const char *to;
	/* a folder the replaced files are moved to (created when missing,
	 * outside the migrations folder); NULL: they are deleted */
	const char *keep_dir;
	/* say what would change; write and remove nothing */
	int dry_run;
	/* go on though replaced files hold data statements (INSERT,
	 * UPDATE, DELETE ...), whose rows the squash file does not have */
	int force;
	/* the scratch database, as strata_drift_options.shadow_url */
	const char *shadow_url;
} strata_squash_options;

/** The result of strata_squash(), freed with strata_squash_free(). */
typedef struct strata_squash_result {
	const char *file;    /* the squash file's path */
	const char *version; /* V, canonical */
	const char *text;    /* the squash file's content */
	/* the migrations replaced: their versions, and their files (up and
	 * down) removed or moved */
	const char *const *versions;
	size_t n_versions;
	const char *const *files;
	size_t n_files;
	/* replaced files holding data statements (warned, or refused
	 * without force) */
	const char *const *data_files;
	size_t n_data_files;
	int written; /* 0: a dry run */
} strata_squash_result;

/**
 * Replace the migrations up to V with one squash file at version V: the
 * schema they make in a scratch database (as strata_drift builds it),
 * dumped by the driver without the history table and its log, after
 * leading comments that list each replaced migration ("-- strata:squash
 * VERSION CHECKSUM NAME"). Every migration up to V must be applied,
 * unchanged, on ctx's database. Databases where the replaced
 * migrations ran take the squash file as applied, and their next
 * strata_up() records the squash (a log row of action "squash"); an
 * empty database runs it first. Files are changed all or not at all.
 * @return 0; STRATA_EINVALID (V not a version of the folder, nothing to
 * squash, data statements without force, a keep folder inside the
 * migrations folder); STRATA_ESTATE (a migration up to V pending,
 * dirty, changed or missing on the database); STRATA_EEXISTS (the squash
 * file's name, or a kept file's, is taken); STRATA_ENOTSUPP (Prisma or
 * Diesel folders, exec targets, a driver without dump); a migration's
 * error in the scratch database, with its file
 */
STRATA_EXTERN(int)
strata_squash(strata_squash_result **out, strata_ctx *ctx,
              const strata_squash_options *opts);

/** Free a result of strata_squash(); accepts NULL. */
STRATA_EXTERN(void) strata_squash_free(strata_squash_result *result);

/**
 * strata_dump() written to path, whole or not at all: into a temporary
 * file beside it, synced and renamed over it (mode 0644, or the mode of
 * the file it replaces). A file that holds the same bytes already is
 * left as it is.
 * @param out_changed set to 1 when the file was written, 0 when it was
 * the same already; may be NULL
 * @return 0, or the error of strata_dump(), or STRATA_EIO naming path
 * (its folder is missing, not writable ...), nothing left behind
 */
STRATA_EXTERN(int)
strata_dump_write(strata_ctx *ctx, const char *path, int *out_changed);

#ifdef __cplusplus
}
#endif

#endif
