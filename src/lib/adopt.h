/*
 * strata adopt: taking over another tool's history table in place. The
 * tools are a table of descriptors (adopt_tools.c), each reading its rows
 * into one list of foreign rows; adopt_detect.c finds the table, adopt.c
 * matches the rows with the folder and writes strata's history, and
 * adopt_sum.c proves the checksums the tools recorded.
 */
#ifndef STRATA_LIB_ADOPT_H
#define STRATA_LIB_ADOPT_H

#include "common.h"
#include "source.h"

/* What a foreign row says about its migration. */
enum foreign_state {
	FS_APPLIED,  /* applied */
	FS_UPTO,     /* every migration up to this version is applied */
	FS_BASELINE, /* a baseline: those up to it count as applied */
	FS_FOLDER,   /* the folder's migrations are the baseline (Alembic) */
	FS_FAILED,   /* failed, dirty or unfinished: refused */
	FS_GONE      /* undone or deleted by a later row: not applied */
};

/* How a tool's checksum is proved against a file. */
enum sum_algo {
	SUM_NONE,
	SUM_FLYWAY_CRC32, /* java.util.zip.CRC32 over the lines, signed */
	SUM_SHA384,       /* sqlx: SHA-384 of the file, hex */
	SUM_PRISMA,       /* SHA-256 hex, either line-ending style */
	SUM_HEX_DIGEST    /* MD5, SHA-1 or SHA-256 hex, told by length */
};

struct foreign_row {
	char *version;  /* the version text, as the tool wrote it, or NULL */
	char *key;      /* what the tool names it by (file, name, revision) */
	char *checksum; /* as stored, or NULL */
	char *group;    /* migrate.sh: database_type */
	enum foreign_state state;
	int repeatable;  /* Flyway R__: matched by its script, key */
	const char *why; /* FS_FAILED: what is wrong, static text */
};

struct adopt;

struct adopt_tool {
	const char *name;           /* as --from names it */
	const char *slug;           /* in the name of its renamed table */
	const char *table;          /* its default table name */
	const char *const *columns; /* the shape: these columns (NULL-ended) */
	int exact;                  /* ... and no other */
	const char *select;         /* the columns to read, in order */
	int hex_col;                /* 1-based: a binary column read as hex */
	int lead;          /* the version is the leading digits of a name */
	const char *order; /* ORDER BY, or NULL */
	int (*row)(struct adopt *a, int ncols, const char *const *v);
	int (*finish)(struct adopt *a); /* after the rows, or NULL */
	enum sum_algo sum;
	const char *formats; /* the folder formats it reads, " strata " */
	const char *recover; /* how to repair a failed row, for the message */
};

/* The descriptors, ending with a NULL name. */
extern const struct adopt_tool strata__adopt_tools[];
const struct adopt_tool *strata__adopt_tool_find(const char *name);

struct adopt_plan_item {
	strata_adopt_action action;
	struct migration *m;           /* or NULL for a row without a file */
	const struct foreign_row *row; /* or NULL for a pending file */
	char *version_text;
	char *name;
	char *detail;
};

struct adopt {
	strata_ctx *ctx;
	const strata_adopt_options *opts;
	const struct adopt_tool *tool;
	char *at;          /* the table's current name (unqualified) */
	char *renamed;     /* the name it is renamed to, or NULL */
	int already_moved; /* at is the renamed name: a run stopped midway */
	int strata_exists; /* strata's table exists (with no row here) */
	int shared;        /* strata's table has other targets' rows */
	int name_taken;    /* strata's name is another table's, not at */

	struct foreign_row *rows;
	size_t n_rows, alloc_rows;
	int n_raw; /* rows the query returned */
	int bad;   /* a row the tool never writes: the table is refused */
	char bad_why[160];

	struct adopt_plan_item *items;
	size_t n_items, alloc_items;
	size_t n_recorded, n_refused;
	char *baseline_file; /* Alembic: the baseline file written, or NULL */

	strata_buf undo_sql, next;
	strata_adopt_item *out_items;
	strata_adopt_result result;
};

/* adopt_tools.c: the rows. Add a row (strings copied); a later row of
 * the same version (or repeatable key) replaces an earlier one. */
int strata__adopt_put(struct adopt *a, const char *group, const char *version,
                      const char *key, const char *checksum,
                      enum foreign_state st, int repeatable, const char *why);
/* A row the tool never writes: the table is not read. */
int strata__adopt_bad(struct adopt *a, const char *fmt, ...)
        STRATA_PRINTF(2, 3);

/* adopt_detect.c: find the table (a->tool, a->at, a->renamed). */
int strata__adopt_detect(struct adopt *a);
/* "schema"."name" for the driver. */
int strata__adopt_qualified(strata_ctx *ctx, strata_buf *out, const char *name);
/* Read the foreign rows of a->tool from a->at. */
int strata__adopt_read(struct adopt *a);

/*
 * The one place a foreign version becomes strata's: the digits text
 * (or the leading digits of a file or folder name, with lead set) as
 * today's uint64 version. @return 0, or -1 when strata cannot read it
 * (not digits, 0, too large, dotted).
 */
int strata__adopt_version(const char *text, int lead,
                          char out[STRATA_VERSION_SIZE]);

/* adopt_sum.c: does the file at path match what the tool recorded?
 * @return 1 yes, 0 no, or a negative error (set on ctx) */
int strata__adopt_sum_check(strata_ctx *ctx, enum sum_algo algo,
                            const char *path, const char *recorded,
                            strata_buf *computed);
/* The printed name of an algorithm ("CRC32 (Flyway)"). */
const char *strata__adopt_sum_name(enum sum_algo algo, const char *recorded);

/* adopt_undo.c */
/* ALTER TABLE from RENAME TO to (and PostgreSQL's primary key index,
 * whose name strata's table would take), appended to out. */
int strata__adopt_rename_sql(struct adopt *a, strata_buf *out, const char *from,
                             const char *to);
int strata__adopt_undo_sql(struct adopt *a, strata_buf *out, int script);
int strata__adopt_undo(struct adopt *a);

/* adopt_state.c: release the items, or all of ctx->adopt */
void strata__adopt_items_release(struct adopt *a);
void strata__adopt_free(strata_ctx *ctx);

#endif
