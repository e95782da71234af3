/*
 * The files of strata squash (squash_files.c): the squash file's name in
 * the folder's own style, and the change of the folder, all or nothing.
 */
#ifndef STRATA_LIB_SQUASH_FILES_H
#define STRATA_LIB_SQUASH_FILES_H

#include "common.h"
#include "source.h"

/* The squash file's path for a squash to last (the migration at V), in
 * its style: V<v>__squashed.sql (Flyway), <v>_squashed.up.sql (an
 * up/down pair), else <v>_squashed.sql. */
int strata__squash_path(strata_ctx *ctx, strata_buf *out,
                        const struct migration *last);

/* Before anything is built: path is free (or one of the n files
 * replaced); keep_dir, when set, is outside the migrations folder and
 * none of the files' names is taken there. STRATA_EEXISTS,
 * STRATA_EINVALID. */
int strata__squash_files_check(strata_ctx *ctx, const char *path,
                               const char *const *files, size_t n,
                               const char *keep_dir);

/* Write text at path and remove (or move to keep_dir) the n files: the
 * new file is written beside them first, then each file moved away,
 * then the new file renamed in place; on a failure every move is undone
 * and nothing is left. */
int strata__squash_files_write(strata_ctx *ctx, const char *path,
                               const strata_buf *text, const char *const *files,
                               size_t n, const char *keep_dir);

#endif
