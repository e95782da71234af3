/*
 * strata init: the migrations folder and a commented strata.conf.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "config.h"
#include "json.h"
#include "options.h"
#include "output.h"

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
        "# After every up, down and redo that changed something, write the\n"
        "# schema and history as SQL (strata dump) to this file, to commit.\n"
        "# schema_file = db/schema.sql\n"
        "\n"
        "# down, redo, fresh and restore write a backup under backups/ first;\n"
        "# off turns that off (here, or in one target's section).\n"
        "# backup = on\n"
        "\n"
        "# Times in status and history: utc (the default) or local.\n"
        "# time = utc\n"
        "\n"
        "# Targets: one section per database or store, when a project has\n"
        "# several (one folder each). Without --target, up, status, validate\n"
        "# and history run on all of them in this order, down in reverse.\n"
        "#\n"
        "# [target \"app\"]\n"
        "# type = postgres                 ; %s\n"
        "# url = ${DATABASE_URL}\n"
        "# dir = migrations/app            ; default: migrations/<name>\n"
        "#\n"
        "# [target \"graph\"]\n"
        "# type = exec                     ; files handed to a command\n"
        "# extension = .cql                ; of files made by strata new\n"
        "# command = cypher-shell -a ${NEO4J_URI} -u ${NEO4J_USER} --file {file}\n"
        "# env.NEO4J_PASSWORD = ${NEO4J_PASSWORD}\n"
        "# registry = app                  ; where its history is kept\n";

/* mkdir -p: every missing folder of path, 0755. */
static int make_dirs(const char *path, int *created)
{
	char buf[4096];
	size_t n = strlen(path), i;
	struct stat st;

	*created = 0;
	if (n >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(buf, path, n + 1);
	for (i = 1; i <= n; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		buf[i] = '\0';
		if (mkdir(buf, 0755) == 0)
			*created = 1;
		else if (errno != EEXIST || stat(buf, &st) < 0 ||
		         !S_ISDIR(st.st_mode)) {
			if (errno == EEXIST)
				errno = ENOTDIR;
			return -1;
		}
		if (i < n)
			buf[i] = '/';
	}
	return 0;
}

/* The folder as strata.conf's inih reads it back: one line, no comment,
 * no ${VAR}, no blanks at either end. */
static const char *unwritable(const char *dir)
{
	size_t n = strlen(dir), i;

	for (i = 0; i < n; i++)
		if ((unsigned char)dir[i] < 0x20 || dir[i] == 0x7f)
			return "a control character";
	if (dir[0] == ' ' || dir[0] == '\t' || dir[n - 1] == ' ' ||
	    dir[n - 1] == '\t')
		return "blanks at its start or end";
	if (strstr(dir, " ;") || strstr(dir, "\t;") || dir[0] == ';')
		return "a ';' that would start a comment";
	if (strstr(dir, "${"))
		return "a '${' that would be read as a variable";
	if (n > 180)
		return "more than 180 characters";
	return NULL;
}

/* Does text hold a line that ignores the backups folder? */
static int ignores_backups(const char *text, size_t n)
{
	static const char *const forms[] = { "backups/", "backups", "/backups/",
		                             "/backups" };
	const char *p = text, *end = text + n;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;
		size_t k, i;

		/* git drops trailing blanks (and a CR before the LF) */
		while (e > p &&
		       (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
			e--;
		k = (size_t)(e - p);
		for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++)
			if (strlen(forms[i]) == k &&
			    memcmp(p, forms[i], k) == 0)
				return 1;
		p = nl ? nl + 1 : end;
	}
	return 0;
}

/*
 * backups/ in .gitignore: the file made when missing, the line added
 * once (after what is there, which is kept), never twice.
 */
static int ignore_backups(const struct cli *cli)
{
	char *text = NULL, *grown;
	size_t n = 0, cap = 0;
	int fd, rc = EXIT_OK;
	ssize_t got;

	fd = open(".gitignore", O_RDWR | O_APPEND | O_CREAT, 0644);
	if (fd < 0)
		goto fail;
	for (;;) {
		if (n + 4096 > cap) {
			cap = cap ? cap * 2 : 8192;
			grown = realloc(text, cap);
			if (!grown) {
				free(text);
				close(fd);
				fprintf(stderr,
				        "strata: error: out of memory\n");
				return EXIT_FAILED;
			}
			text = grown;
		}
		got = read(fd, text + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			goto fail;
		if (got == 0)
			break;
		n += (size_t)got;
	}
	if (ignores_backups(text ? text : "", n)) {
		cli_json_set(cli, "gitignore", json_string("present"));
		if (!cli->json)
			printf(".gitignore ignores backups/ already\n");
	} else if (dprintf(fd, "%sbackups/\n",
	                   n && text[n - 1] != '\n' ? "\n" : "") < 0) {
		goto fail;
	} else {
		cli_json_set(cli, "gitignore",
		             json_string(n ? "added" : "created"));
		if (!cli->json)
			printf(n ? "added backups/ to .gitignore\n" :
			           "created .gitignore (backups/)\n");
	}
	goto done;
fail:
	cli_json_fail(cli, NULL, 0, "cannot add backups/ to .gitignore: %s",
	              strerror(errno));
	fprintf(stderr,
	        "strata: error: cannot add backups/ to .gitignore: %s\n",
	        strerror(errno));
	rc = EXIT_USAGE;
done:
	if (fd >= 0)
		close(fd);
	free(text);
	return rc;
}

static int cmd_init(struct cli *cli, int argc, char **argv)
{
	const char *dir, *conf, *why;
	int fd, rc, created;
	struct stat st;

	(void)argv;
	if (argc > 0)
		return cli_usage_error(cli, "init takes no arguments");
	/* the folder as every other command finds it: --dir, STRATA_DIR,
	 * .env, an existing strata.conf */
	rc = cli_load_config(cli, 1);
	if (rc == 0)
		rc = cli_resolve_dir(cli, NULL);
	if (rc)
		return rc;
	dir = cli->dir ? cli->dir : "migrations";
	conf = cli->config ? cli->config : "strata.conf";
	/* a .gitignore init could not update: said before anything is made */
	if (lstat(".gitignore", &st) == 0 &&
	    (S_ISDIR(st.st_mode) || access(".gitignore", R_OK | W_OK) != 0)) {
		cli_json_fail(cli, NULL, 0,
		              "cannot add backups/ to .gitignore: %s",
		              S_ISDIR(st.st_mode) ? "it is a folder" :
		                                    strerror(errno));
		fprintf(stderr,
		        "strata: error: cannot add backups/ to .gitignore: %s\n",
		        S_ISDIR(st.st_mode) ? "it is a folder" :
		                              strerror(errno));
		return EXIT_USAGE;
	}
	if (access(conf, F_OK) != 0 && (why = unwritable(dir)) != NULL) {
		cli_json_fail(cli, NULL, 0,
		              "cannot write the folder '%s' into %s: it has %s",
		              dir, conf, why);
		fprintf(stderr,
		        "strata: error: cannot write the folder '%s' into %s: "
		        "it has %s\n",
		        cli_q(dir), conf, why);
		return EXIT_USAGE;
	}
	if (make_dirs(dir, &created) < 0) {
		cli_json_fail(cli, NULL, 0, "cannot create %s: %s", dir,
		              strerror(errno));
		fprintf(stderr, "strata: error: cannot create %s: %s\n",
		        cli_q(dir), strerror(errno));
		return EXIT_USAGE;
	}
	if (!cli->json)
		printf(created ? "created %s/\n" : "%s/ exists\n", cli_q(dir));
	cli_json_set(cli, "dir", cli_json_string(dir));
	cli_json_set(cli, "dir_created", json_boolean(created));
	cli_json_set(cli, "config_file", cli_json_string(conf));
	cli_json_set(cli, "config_created", json_false());
	fd = open(conf, O_WRONLY | O_CREAT | O_EXCL, 0644);
	if (fd < 0 && errno == EEXIST) {
		if (!cli->json)
			printf("%s exists: left as it is\n", conf);
		return ignore_backups(cli);
	}
	if (fd < 0 || dprintf(fd, conf_template, dir, cli_type_list()) < 0) {
		cli_json_fail(cli, NULL, 0, "cannot write %s: %s", conf,
		              strerror(errno));
		fprintf(stderr, "strata: error: cannot write %s: %s\n", conf,
		        strerror(errno));
		if (fd >= 0)
			close(fd);
		return EXIT_USAGE;
	}
	close(fd);
	cli_json_set(cli, "config_created", json_true());
	if (!cli->json)
		printf("created %s\n", conf);
	rc = ignore_backups(cli);
	if (rc == EXIT_OK && !cli->json)
		printf("next: strata new create_first_table\n");
	return rc;
}

const struct cmd cli_cmd_init = {
	"init",
	cmd_init,
	NULL,
	"",
	"create the migrations folder and a commented strata.conf",
	"Creates the migrations folder (--dir) and, unless one exists, a "
	"strata.conf\nwith every setting explained, and adds backups/ to "
	".gitignore (made when\nmissing; a line already there is not added "
	"again).",
	CMD_NO_PROJECT
};
