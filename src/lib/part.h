/*
 * A migration's part: its up or its down, inside some file's text.
 */
#ifndef STRATA_LIB_PART_H
#define STRATA_LIB_PART_H

#include "common.h"
#include "source.h"

/* The part of m that runs up (down 0) or down. */
struct part *strata__part(struct migration *m, int down);

/* The text of the file p's offsets refer to, and that text's length. */
const char *strata__part_text(const struct migration *m, const struct part *p);
size_t strata__part_text_len(const struct migration *m, const struct part *p);

/* The part's own statements: p->len bytes. */
const char *strata__part_sql(const struct migration *m, const struct part *p);

/* Where the statement spanning t[off, off + len) starts, after blanks
 * and comments (off when there is nothing else). */
size_t strata__first_token(const char *t, size_t off, size_t len,
                           unsigned dialect);

/*
 * Check one part's statements before anything runs: unterminated text,
 * client meta-commands, explicit transaction control in a transactional
 * part, statements that cannot run in a transaction. With report set,
 * problems are added to ctx->source instead of failing.
 */
int strata__part_check(strata_ctx *ctx, struct migration *m, int down,
                       int report);

/* Does this part run inside a transaction on this driver? */
int strata__part_transactional(strata_ctx *ctx, struct migration *m, int down);

/* Map the driver's error offset (relative to base in the file's text) to
 * a file position on the current error. */
void strata__error_locate(strata_ctx *ctx, const struct migration *m,
                          const struct part *p, size_t base);

/* Locate the error of a failed batch in which p's text started at byte
 * body, followed by "\n;\n" and strata's own statements (its history
 * row, or a reading of the server's clock). */
void strata__locate_batch_error(strata_ctx *ctx, const struct migration *m,
                                const struct part *p, size_t body);

/* execrun.c: a part run by a program (an executable migration file):
 * its command line, quoted, appended to out (for a plan's comment); and
 * running it, the file's path being the part's. */
int strata__exec_describe(strata_ctx *ctx, strata_buf *out, const char *path);
int strata__exec_part(strata_ctx *ctx, const struct migration *m, int down);

/* strata__exec_part's return when the runner did not start (execvp
 * failed, or it exited 127, the shell's "command not found"): nothing
 * ran, and the error (STRATA_EINVALID) is set. */
#define STRATA_EXEC_NOT_STARTED 1

/* Before anything is recorded: can the runner of m's part start (its
 * program exists and is executable)? STRATA_EINVALID, with the error
 * set, when not. */
int strata__exec_check(strata_ctx *ctx, const struct migration *m, int down);

#endif
