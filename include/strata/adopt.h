/*
 * strata: strata_adopt(), another tool's history taken over in place.
 * Part of the public library API; include <strata/strata.h>, which
 * includes this file.
 */
#ifndef STRATA_ADOPT_H
#define STRATA_ADOPT_H

#include "strata.h"

#ifdef __cplusplus
extern "C" {
#endif

/** What strata_adopt() does with a migration or another tool's row. */
typedef enum strata_adopt_action {
	STRATA_ADOPT_RECORD = 0, /* recorded as applied; nothing is run */
	STRATA_ADOPT_BASELINE,   /* recorded as a baseline (kind baseline) */
	STRATA_ADOPT_PENDING,    /* a file the other tool has not applied */
	STRATA_ADOPT_PRUNED,     /* a row without a file, left out (prune) */
	STRATA_ADOPT_MISSING,    /* a row without a file: refused */
	STRATA_ADOPT_MISMATCH,   /* the file is not what the tool's checksum
	                          * says it applied: refused */
	STRATA_ADOPT_FAILED      /* the tool recorded it failed, dirty or
	                          * unfinished: refused */
} strata_adopt_action;

/** One line of an adoption. Borrowed like strata_migration. */
typedef struct strata_adopt_item {
	strata_adopt_action action;
	const char *version_text; /* as the file or the row writes it */
	const char *name;         /* the migration, or the row's own key */
	const char *file;         /* path of its file, or "" */
	const char *detail;       /* why (refusals, notes), or "" */
} strata_adopt_item;

/** How strata_adopt() goes. Zero means: detect, adopt, refuse gaps. */
typedef struct strata_adopt_options {
	int dry_run; /* decide and report, write nothing */
	int prune;   /* leave out rows whose files are gone */
	int undo;    /* put the other tool's table back, drop strata's rows */
	const char *from; /* "golang-migrate", "dbmate", "goose", "flyway",
	                   * "sql-migrate", "sqlx", "prisma", "diesel",
	                   * "migrate.sh", "alembic"; NULL: detect */
} strata_adopt_options;

/** What strata_adopt() found and did. Borrowed like strata_migration. */
typedef struct strata_adopt_result {
	const char *tool;       /* the other tool, as opts->from names it */
	const char *table;      /* its history table's own name */
	const char *renamed_to; /* where that table went (goes) so that
	                         * strata's has its name, or "" */
	const strata_adopt_item *items;
	size_t n_items;
	size_t n_recorded;    /* rows written (with dry_run: to be written) */
	const char *undo_sql; /* the SQL that puts the other tool back */
	const char *next;     /* what to do next, or "" (Alembic: how to go
	                       * on with SQL files) */
} strata_adopt_result;

/**
 * Take over the history table of the tool the folder was written for
 * (golang-migrate, dbmate, goose, Flyway, sql-migrate, sqlx, Prisma,
 * Diesel, a migrate.sh table, Alembic): every migration it says is
 * applied is recorded as applied in strata's history without running
 * anything, in one transaction where the database allows DDL in one.
 * The other tool's table is kept as it is, or renamed when strata needs
 * its name; with opts->undo it is put back and strata's rows go.
 * Refused (STRATA_ESTATE, nothing written) for a row that failed, a
 * checksum the file does not match, a row without a file (unless
 * opts->prune), a table of unknown shape, or a database strata already
 * keeps a history of.
 * @param out what was found, also on a refusal (NULL when nothing was
 * found); borrowed from ctx until its next call
 */
STRATA_EXTERN(int)
strata_adopt(const strata_adopt_result **out, strata_ctx *ctx,
             const strata_adopt_options *opts);

#ifdef __cplusplus
}
#endif

#endif
