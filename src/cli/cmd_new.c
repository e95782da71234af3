/*
 * strata new NAME: an up/down pair from the templates.
 */
#include <string.h>

#include "commands.h"
#include "json.h"
#include "options.h"
#include "output.h"

static int cmd_new(struct cli *cli, int argc, char **argv)
{
	const char *up, *down;
	int rc;

	if (argc != 1)
		return cli_usage_error(cli, "new needs exactly one NAME");
	/* a target's folder is numbered in sequence, as generators do */
	rc = strata_new(&up, &down, cli->ctx, argv[0], cli->seq || cli->tgt);
	if (rc < 0)
		return cli_report_error(cli, rc);
	if (cli->json) {
		cli_json_set(cli, "up_file", cli_json_string(up));
		cli_json_set(cli, "down_file", cli_json_text(down));
		return EXIT_OK;
	}
	printf("created %s\n", cli_q(up));
	if (down)
		printf("created %s\n", cli_q(down));
	return EXIT_OK;
}

static const struct cli_opt new_options[] = {
	CLI_OPT_FLAG(
	        0, "seq", seq,
	        "next sequential number (0001, 0002 ...) instead of a timestamp"),
	CLI_OPT_END
};

const struct cmd cli_cmd_new = {
	"new",
	cmd_new,
	new_options,
	"NAME",
	"create a migration in the folder's own format",
	"Creates <version>_NAME.up.sql and .down.sql in the migrations "
	"folder. The\nversion is the current UTC time (20261123101500), or "
	"with --seq the next\nnumber in the width the folder already uses "
	"(0001, 0002 ...).\n\n"
	"A folder written for another tool gets a migration in that "
	"tool's format, as\nits newest migration is: a single file with "
	"dbmate's, goose's or sql-migrate's\nsections, a single up-only "
	"file (sqlx), V<n>__NAME.sql (Flyway, with U<n>__NAME.sql\nwhen "
	"the newest has one), <version>_NAME/migration.sql (Prisma) or\n"
	"<version>_NAME/up.sql and down.sql (Diesel).",
	CMD_FOLDER
};
