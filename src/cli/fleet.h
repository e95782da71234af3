/*
 * Fleets: a target of strata.conf whose `fleet` setting names many
 * databases (a list file, a glob of SQLite files, a query, the schemas
 * matching a pattern). A command runs on each member, --jobs at a time,
 * each in a process of its own under its own lock; a summary says what
 * each did.
 */
#ifndef STRATA_CLI_FLEET_H
#define STRATA_CLI_FLEET_H

#include "cli.h"

/* Runs the command on one database: targets.c's, given to the fleet so
 * that the two files do not call each other. */
typedef int (*cli_member_fn)(struct cli *cli, const struct cli_target *t,
                             int argc, char **argv);

/* The command on every member of t's fleet (or on --member's only).
 * @return EXIT_OK when every member's run did, else the exit code of
 * the first member (in the fleet's order) that failed. */
int cli_run_fleet(struct cli *cli, const struct cli_target *t, int argc,
                  char **argv, cli_member_fn run_member);

#endif
