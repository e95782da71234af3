/*
 * strata init: the migrations folder and a commented strata.conf.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

static const char conf_template[] =
        "# strata.conf: settings for strata in this project.\n"
        "#\n"
        "# Command-line flags win over the environment (DATABASE_URL), which\n"
        "# wins over a .env file, which wins over this file. Values may use\n"
        "# ${VAR} to read the environment; an unset variable is an error, so\n"
        "# a password can stay out of this file.\n"
        "\n"
        "[strata]\n"
        "# The database, as a URL:\n"
        "#   sqlite:path/to/file.db      (the default: sqlite:strata.db)\n"
        "#   postgres://user:pass@host:5432/db?sslmode=disable\n"
        "#   mysql://user:pass@host:3306/db\n"
        "# database = ${DATABASE_URL}\n"
        "database = sqlite:strata.db\n"
        "\n"
        "# The folder holding the migrations (default: migrations).\n"
        "dir = %s\n"
        "\n"
        "# The history table (default: schema_migrations).\n"
        "# table = schema_migrations\n"
        "\n"
        "# PostgreSQL: the schema that holds the history table; migrations\n"
        "# run with search_path set to it. Created when missing.\n"
        "# schema = app\n"
        "\n"
        "# Seconds to wait for another runner before giving up (exit code 4).\n"
        "# lock_timeout = 60\n"
        "\n"
        "# Targets: one section per database or store, when a project has\n"
        "# several (one folder each). Without --target, up, status, validate\n"
        "# and history run on all of them in this order, down in reverse.\n"
        "#\n"
        "# [target \"app\"]\n"
        "# type = postgres                 ; sqlite, postgres, mysql or exec\n"
        "# url = ${DATABASE_URL}\n"
        "# dir = migrations/app            ; default: migrations/<name>\n"
        "#\n"
        "# [target \"graph\"]\n"
        "# type = exec                     ; files handed to a command\n"
        "# extension = .cql                ; of files made by strata new\n"
        "# command = cypher-shell -a ${NEO4J_URI} -u ${NEO4J_USER} --file {file}\n"
        "# env.NEO4J_PASSWORD = ${NEO4J_PASSWORD}\n"
        "# registry = app                  ; where its history is kept\n";

int cmd_init(struct cli *cli, int argc, char **argv)
{
	const char *dir = cli->dir ? cli->dir : "migrations";
	int fd;

	(void)argv;
	if (argc > 0)
		return cli_usage_error(cli, "init takes no arguments");
	if (mkdir(dir, 0755) == 0)
		printf("created %s/\n", cli_q(dir));
	else if (errno == EEXIST)
		printf("%s/ exists\n", cli_q(dir));
	else {
		fprintf(stderr, "strata: error: cannot create %s: %s\n",
		        cli_q(dir), strerror(errno));
		return EXIT_USAGE;
	}
	fd = open("strata.conf", O_WRONLY | O_CREAT | O_EXCL, 0644);
	if (fd < 0 && errno == EEXIST) {
		printf("strata.conf exists: left as it is\n");
		return EXIT_OK;
	}
	if (fd < 0 || dprintf(fd, conf_template, dir) < 0) {
		fprintf(stderr, "strata: error: cannot write strata.conf: %s\n",
		        strerror(errno));
		if (fd >= 0)
			close(fd);
		return EXIT_USAGE;
	}
	close(fd);
	printf("created strata.conf\nnext: strata new create_first_table\n");
	return EXIT_OK;
}
