/*
 * strata new NAME: an up/down pair from the templates.
 */
#include <string.h>

#include "cli.h"

int cmd_new(struct cli *cli, int argc, char **argv)
{
	const char *up, *down;
	int rc;

	if (argc != 1)
		return cli_usage_error(cli, "new needs exactly one NAME");
	/* a target's folder is numbered in sequence, as generators do */
	rc = strata_new(&up, &down, cli->ctx, argv[0], cli->seq || cli->tgt);
	if (rc < 0)
		return cli_report_error(cli, rc);
	printf("created %s\ncreated %s\n", cli_q(up), cli_q(down));
	return EXIT_OK;
}
