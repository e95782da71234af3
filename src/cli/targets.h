/*
 * Running a command: on the target named, or on every target of
 * strata.conf, each with a context opened from its settings.
 */
#ifndef STRATA_CLI_TARGETS_H
#define STRATA_CLI_TARGETS_H

#include "cli.h"

int cli_run_targets(struct cli *cli, int argc, char **argv);

#endif
