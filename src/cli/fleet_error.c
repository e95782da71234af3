/*
 * A fleet's errors (fleet_int.h): where the fleet setting is, or the line
 * of the list file, and what is wrong; in the JSON result too.
 */
#include <stdarg.h>
#include <stdio.h>

#include "fleet_int.h"
#include "json.h"
#include "output.h"

void cli_fleet_error(struct cli *cli, struct fleet *f, const char *file,
                     int line, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!file) {
		file = cli->config ? cli->config : "strata.conf";
		line = f->t->fleet_line;
	}
	cli_json_fail(cli, file, line, "target '%s': fleet: %s", f->t->name,
	              msg);
	fprintf(stderr, "%s:%d: %serror%s: target '%s': fleet: %s\n",
	        cli_q(file), line, cli_ce(cli, "err"), cli_ce(cli, "reset"),
	        cli_esc(f->t->name), cli_esc(msg));
	f->bad = 1;
}
