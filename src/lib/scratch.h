/*
 * A scratch database for commands that build a schema apart from the
 * live database (drift, squash): SQLite in memory, a temporary database
 * strata creates and drops on the live one's server, or the shadow
 * database the user names, emptied before and after.
 */
#ifndef STRATA_LIB_SCRATCH_H
#define STRATA_LIB_SCRATCH_H

#include "common.h"

struct scratch {
	const char *what; /* the command, for messages: "drift" */
	strata_ctx *ctx;
	char *url;     /* the scratch database's */
	int temporary; /* created here: dropped at the end */
	int created;   /* ... and it was */
	int shadow;    /* the user's: emptied before and after */
};

/*
 * Open a scratch database beside ctx's for the command what (a literal:
 * "drift"): shadow_url when it is set and not empty, else SQLite in
 * memory for a SQLite database, else a temporary database named
 * strata_<what>_<12 hex digits> on the same server. s->ctx then has
 * ctx's folder, table, schema and settings. Errors are set on ctx.
 */
int strata__scratch_open(strata_ctx *ctx, struct scratch *s, const char *what,
                         const char *shadow_url);

/*
 * Close it: empty a shadow database, drop a temporary one (on a context
 * of its own, not interrupted), whatever happened before. rc: the
 * outcome so far, returned unless it was 0 and this fails. Accepts a
 * scratch never opened (zeroed).
 */
int strata__scratch_close(strata_ctx *ctx, struct scratch *s, int rc);

/* Copy the scratch context's error onto ctx as "what: its message",
 * with its file, position, detail and SQLSTATE. @return rc */
int strata__scratch_error(strata_ctx *ctx, strata_ctx *from, int rc,
                          const char *what);

#endif
