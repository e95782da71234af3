/*
 * strata: strata_lint(), the rules that read migrations before they run.
 * Part of the public library API; include <strata/strata.h>, which
 * includes this file.
 */
#ifndef STRATA_LINT_H
#define STRATA_LINT_H

#include "strata.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A lint rule (strata_lint_rule). */
typedef struct strata_lint_rule {
	const char *name;     /* "ban-drop-table", squawk's name when the
	                       * rule is squawk's */
	int level;            /* its default: 0 off, 1 warning, 2 error */
	const char *dialects; /* "postgres mysql sqlite": where it applies */
	const char *summary;  /* one line */
} strata_lint_rule;

/** @return the i-th lint rule, from 0; NULL past the last */
STRATA_EXTERN(const strata_lint_rule *) strata_lint_rule_at(size_t i);

/** @return the index of the rule named name (or one of its other
 * names: squawk's prefer-timestamp-tz), or -1 */
STRATA_EXTERN(int) strata_lint_rule_find(const char *name);

/** @return the level name ("error", "warning", "off") as a number (2,
 * 1, 0), or -1 when it is none of them */
STRATA_EXTERN(int) strata_lint_level_parse(const char *name);

/** What strata_lint found. Borrowed like strata_migration. */
typedef struct strata_lint_finding {
	/* the rule, or "" for input lint cannot read (a statement that
	 * does not parse, an unknown rule in a lint-ignore marker) */
	const char *rule;
	int level;             /* 1 warning, 2 error */
	const char *file;      /* the path as it is */
	int line, column;      /* where the statement starts, 1-based */
	int end_line;          /* the statement's last line */
	const char *message;   /* safe to print */
	const char *statement; /* its first line, at most 200 bytes */
	const char *table;     /* the table it is about, or NULL */
	int64_t rows;          /* the table's estimated rows, or -1 */
	/* NULL when reported; else why not: "new-table" (the table is
	 * created by the same run) or "ignored" (a lint-ignore marker) */
	const char *suppressed;
} strata_lint_finding;

/** What strata_lint reads. Zero means: the pending migrations. */
typedef struct strata_lint_options {
	int all;                  /* every migration of the folder */
	const char *const *files; /* or these files, in this order */
	size_t n_files;
	/* "postgres", "mysql" or "sqlite"; NULL: the database's */
	const char *dialect;
	int offline; /* do not connect: no history, no row counts */
	/* only rules whose level is error (validate) */
	int errors_only;
} strata_lint_options;

/**
 * Lint the up parts of migrations: statements that lock or rewrite a
 * table, lose data, or cannot run as written (docs/LINT.md). A rule
 * about an existing table does not fire on a table the same run creates
 * first; with a database, findings say the table's estimated rows.
 * @param out every finding, reported and suppressed, in file order
 * @return 0 (findings of any level included), STRATA_EPARSE when some
 * input could not be read (findings with rule ""), or another error
 */
STRATA_EXTERN(int)
strata_lint(const strata_lint_finding **out, size_t *n, strata_ctx *ctx,
            const strata_lint_options *opts);

#ifdef __cplusplus
}
#endif

#endif
