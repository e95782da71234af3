/*
 * What the files of fleets share (fleet.c loads the members and sums up,
 * fleet_run.c runs them, fleet_error.c says what is wrong): the members.
 */
#ifndef STRATA_CLI_FLEET_INT_H
#define STRATA_CLI_FLEET_INT_H

#include <stddef.h>

#include "fleet.h"

struct member {
	char *name; /* the block that holds url and schema too */
	char *url;
	char *schema; /* schemas: its schema; else NULL */
	int line;     /* file: its line */
	/* the run */
	int state; /* 0 not run, 1 running, 2 done */
	int rc;
	long long ms;
	char *summary;
};

struct fleet {
	const struct cli_target *t;
	struct member *v;
	size_t n, alloc;
	int bad; /* an error was printed */
};

/* "strata.conf:8: error: target 't': fleet: ..." (or FILE:LINE of a
 * list file, when file is not NULL); f->bad is set. */
void cli_fleet_error(struct cli *cli, struct fleet *f, const char *file,
                     int line, const char *fmt, ...)
        __attribute__((format(printf, 5, 6)));

/* Run the command on every member of f, --jobs at a time: a process
 * each, or with workers, worker processes that run member after member
 * on one connection (fleet_reuse). Ctrl-C and SIGTERM stop it. */
void cli_fleet_run(struct cli *cli, struct fleet *f, int argc, char **argv,
                   cli_member_fn run_member, int workers);

/* Whether a signal asked the last run to stop. */
int cli_fleet_stopped(void);

#endif
