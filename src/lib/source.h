/*
 * The migrations folder: file names, grouping into migrations, and the
 * lazily read text of each file (sections, directives, checksum).
 */
#ifndef STRATA_LIB_SOURCE_H
#define STRATA_LIB_SOURCE_H

#include "common.h"
#include "../util/lockspec.h"

/* What a file name says (filename.c). */
enum file_role {
	ROLE_UP = 0,    /* <v>_<name>.up.sql, V<v>__<name>.sql */
	ROLE_DOWN,      /* <v>_<name>.down.sql, U<v>__<name>.sql */
	ROLE_SINGLE,    /* <v>_<name>.sql: up only, or dbmate/goose sections */
	ROLE_REPEATABLE /* R__<name>.sql, <name>.repeatable.sql */
};

/* How a folder holds its migrations: files, or a folder per migration. */
enum layout {
	LAYOUT_FLAT = 0, /* files: pairs, single files, Flyway's */
	LAYOUT_PRISMA,   /* <version>_<name>/migration.sql [+ down.sql] */
	LAYOUT_DIESEL    /* <version>_<name>/up.sql [+ down.sql] */
};

/* version.c. A version's canonical text is at most this long: digits,
 * parts joined by '.', no leading zeros in a part, no trailing zero
 * part; "" is no version (repeatable migrations). */
#define STRATA_VERSION_MAX  64
#define STRATA_VERSION_SIZE (STRATA_VERSION_MAX + 1)
/* The sort key of a version (strata__version_key): each part as two
 * digits of length and its digits, parts joined by '.'; bytewise order
 * is version order, so that SQL's ORDER BY on it matches the files'. */
#define STRATA_VERSION_KEY_SIZE (STRATA_VERSION_MAX * 2 + 1)

/*
 * Parse a version as written (file names, the command line): digits, in
 * parts separated by '.' or '_' (Flyway's file names), into its canonical
 * text. @return 0; STRATA_EPARSE when it is not a version (empty, a part
 * without digits, another character); STRATA_EINVALID when its canonical
 * text is longer than STRATA_VERSION_MAX.
 */
int strata__version_parse(char out[STRATA_VERSION_SIZE], const char *s,
                          size_t len);
/* Order two versions, canonical or as written: numerically part by part,
 * a missing part counting as 0; "" (no version) first. <0, 0 or >0. */
int strata__version_cmp(const char *a, const char *b);
/* The sort key of a canonical version ("" for ""). */
void strata__version_key(char out[STRATA_VERSION_KEY_SIZE], const char *v);
/* The whole number after a canonical version's first part ("1.2": "2",
 * "": "1"), for new files; STRATA_EINVALID when it is too long. */
int strata__version_next(char out[STRATA_VERSION_SIZE], const char *v);

struct filename {
	enum file_role role;
	char version[STRATA_VERSION_SIZE]; /* canonical; "" if repeatable */
	size_t version_off, version_len;   /* as written */
	size_t name_off, name_len;
	const char *format; /* "strata", "flyway", "prisma", "diesel" */
	int sqlm_name;      /* <version>-<name>.sql: sql-migrate's own */
};

/*
 * Parse a file name. @return 0 when it is a migration file, 1 when the
 * file is not one and is ignored (hidden, or not .sql and not starting
 * with a version), 2 when it is refused and why is the whole message (a
 * Flyway callback), or STRATA_EPARSE with why filled in. When 1, why is
 * empty, or says why a name that looks like a migration's (v2__x.sql,
 * abc_x.up.sql) is not read (a warning).
 */
int strata__filename_parse(struct filename *out, const char *fname, char *why,
                           size_t why_len);

/* A migration folder's name (Prisma's and Diesel's <version>_<name>):
 * 0 with out (role ROLE_UP) and the version's digits in vtext (Diesel's
 * dashes removed), 1 when the name does not start with a digit, or
 * STRATA_EPARSE with why filled in. */
int strata__dirname_parse(struct filename *out, char *vtext, size_t vtext_size,
                          const char *fname, char *why, size_t why_len);

/* The same for exec targets: any extension. */
int strata__filename_parse_exec(struct filename *out, const char *fname,
                                char *why, size_t why_len);

/* A part (up or down) of a migration, inside some file's text. */
struct part {
	const char *path; /* borrowed from struct migration */
	size_t off, len;  /* the section in the file's text */
	int no_transaction;
	int present;
	int has_mark;    /* a section of a dbmate or goose file ... */
	size_t mark_at;  /* ... whose marker line starts here */
	int empty_ok;    /* -- strata:empty: no statement on purpose ... */
	size_t empty_at; /* ... said on the line starting here */
	/* -- strata:lock-timeout: lock.timeout_ms > 0 when the part has
	 * one, said on the line starting at lock_at */
	struct strata__lockspec lock;
	size_t lock_at;
};

/* One migration a squash file replaced: its -- strata:squash line. */
struct squash_entry {
	char version[STRATA_VERSION_SIZE]; /* canonical */
	char checksum[65]; /* what the history recorded when it ran */
};

struct migration {
	char version[STRATA_VERSION_SIZE]; /* canonical; "" if repeatable */
	char *version_text;                /* as written: "0004", "1_2" */
	char *name;
	strata_kind kind;
	/* "strata", "dbmate", "goose", "sql-migrate", "flyway", "prisma",
	 * "diesel" */
	const char *format;
	int layout;      /* enum layout */
	int sqlm_name;   /* named <version>-<name>.sql: sql-migrate's only */
	char *meta_path; /* Diesel's metadata.toml, or NULL */
	int expanded;    /* EXPAND_*: ENVSUB, placeholders (subst.c) */
	char *up_path;
	char *down_path; /* NULL: irreversible; may equal up_path's file */
	int single_file; /* up and down live in up_path */

	/* filled by strata__migration_load() */
	int loaded;
	char *text; /* up_path's text, BOM removed */
	size_t text_len;
	char *down_text; /* down_path's text when a separate file */
	size_t down_text_len;
	/* loaded for `up` only: the separate down file is not read yet
	 * (down part present, len 0, directives unknown) */
	int down_deferred;
	struct part up, down;
	char checksum[65];  /* SHA-256 hex of the normalised up file */
	int checksum_known; /* checksum is set (loaded, or from the cache) */
	/* a squash file (squash_read.c): the migrations it replaced, from
	 * its -- strata:squash lines; NULL and 0 for any other file */
	struct squash_entry *squashed;
	size_t n_squashed;
};

struct problem {
	int severity; /* 1 warning, 2 error */
	char *file;
	int line;
	char *message;
};

struct source {
	struct migration *v;
	size_t n, alloc;
	struct problem *problems;
	size_t n_problems, alloc_problems;
	int n_errors;
	/* the first problems, found in the names (warnings among them:
	 * files that look like migrations and are not read) */
	size_t n_name_problems;
};

/* One entry of the folder, before grouping (source.c, layout.c). */
struct entry {
	char *fname;  /* in the folder: "0001_x.up.sql", "2024_x/up.sql" */
	char *vtext;  /* the version's digits when fname has others, or NULL */
	int has_meta; /* Diesel: a metadata.toml next to up.sql */
	struct filename fn;
};

struct listing {
	struct entry *v;
	size_t n, alloc;
	strata_buf dirs;   /* "name/\n" per sub-folder (the folder cache) */
	strata_buf unread; /* "name\n" per .sql file that is not read */
};

int strata__listing_add(struct listing *l, const char *fname,
                        const struct filename *fn, const char *vtext,
                        int has_meta);
void strata__listing_release(struct listing *l);
/* dir + "/" + name, allocated */
char *strata__join_path(const char *dir, const char *name);

/* layout.c: a sub-folder of the migrations folder: a Prisma or Diesel
 * migration's files go to l, problems with it to src. */
int strata__layout_folder(strata_ctx *ctx, struct source *src, const char *dir,
                          const char *name, struct listing *l);
/* layout.c: one layout per folder: files, Prisma's or Diesel's folders
 * (an error-level problem otherwise). */
int strata__layout_check(struct source *src);
/* layout.c: Diesel's metadata.toml of m, when it has one: its
 * run_in_transaction = false makes both parts run outside a transaction. */
int strata__layout_metadata(strata_ctx *ctx, struct migration *m);
/* layout.c: the file or section that would hold m's down part, for the
 * hint of a refused rollback ("U3__add_users.sql", "a '-- +goose Down'
 * section in ..."). */
void strata__layout_down_hint(const struct migration *m, char *out, size_t n);

/* Emit the warnings about the folder's names (files not read) as
 * STRATA_EVENT_WARNING events: "<file>: not read as a migration: ..." */
void strata__source_warn_names(strata_ctx *ctx, const struct source *src);

/* Read the folder's names (not the files' text) into src. Problems with
 * names are collected in src->problems; returns STRATA_EPARSE when there
 * is an error-level one, with the first set as the context's error. */
int strata__source_load(strata_ctx *ctx, struct source *src, const char *dir);
void strata__source_release(struct source *src);

/* Read a migration's files, split sections, parse directives, checksum.
 * Idempotent. Errors name the file and line. */
int strata__migration_load(strata_ctx *ctx, struct migration *m);
/* The same for what applying it needs: a separate down file is left for
 * a later strata__migration_load (m->down_deferred). */
int strata__migration_load_up(strata_ctx *ctx, struct migration *m);

#define EXPAND_TEXT      1 /* m->text is substituted */
#define EXPAND_DOWN_TEXT 2 /* m->down_text is */
#define EXPAND_FAILED    4 /* and failed (reported: not again) */

/* subst.c: goose's ENVSUB and Flyway's placeholders substituted in the
 * text holding m's up (down 0) or down part, once; errors name the file
 * and line. */
int strata__migration_expand(strata_ctx *ctx, struct migration *m, int down);

/* Find a migration by canonical version (versioned kinds) in O(log n);
 * NULL if none. */
struct migration *strata__source_find(const struct source *src,
                                      const char *version);

/* Add a problem; returns STRATA_ENOMEM or 0. */
int strata__problem_add(struct source *src, int severity, const char *file,
                        int line, const char *fmt, ...) STRATA_PRINTF(5, 6);

/* checksum.c: SHA-256 hex of text with CRLF/CR turned into LF. */
int strata__checksum(char out[65], const char *text, size_t len);
/* The same with a digest kept between calls (see ctx->hasher). */
struct strata_hasher {
	struct evp_md_st *md;
	struct evp_md_ctx_st *h;
};
int strata__checksum_ctx(struct strata_hasher *hs, char out[65],
                         const char *text, size_t len);
void strata__hasher_release(struct strata_hasher *hs);

/* textpos.c */
void strata__offset_to_pos(const char *text, size_t len, size_t off, int *line,
                           int *col);
/* @return byte offset of the first invalid UTF-8 sequence or NUL, or -1 */
long strata__utf8_check(const char *text, size_t len, int *is_nul);

/* dircache.c: the names of the folder open at fd, as stored when it last
 * had the same identity (NULL when unknown; *n_names set), and storing
 * them. */
char *strata__dircache_load(strata_ctx *ctx, int fd, size_t *n_names);
void strata__dircache_store(strata_ctx *ctx, int fd, const char *names);

/* sections.c: split a loaded file into its up and down parts by the
 * format's annotations (dbmate, goose, sql-migrate), and the same for a
 * separate down file read after its up file. */
int strata__sections_parse(strata_ctx *ctx, struct migration *m);
int strata__sections_parse_down(strata_ctx *ctx, struct migration *m);

#endif
