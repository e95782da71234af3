/*
 * A run's settings: command-line flags win over the environment, which
 * wins over .env, which wins over strata.conf (config_read.c reads the
 * two files); a [target "name"] section's setting wins over [strata]'s.
 * An empty database or folder is an error. Without any configuration,
 * the database is sqlite:strata.db; with some, a command that writes
 * needs one named.
 */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config_int.h"
#include "json.h"
#include "output.h"
#include "../util/lockspec.h"

static char database_from[4200], dir_from[4200], backup_from[4200];

static int parse_timeout(struct cli *cli, const char *what, const char *v)
{
	char *end;
	long t = strtol(v, &end, 10);

	if (!v[0] || *end || t < 0 || t > 86400) {
		cli_json_fail(cli, NULL, 0,
		              "%s lock_timeout '%s': expected seconds, 0 to "
		              "86400",
		              what, v);
		fprintf(stderr,
		        "strata: %serror%s: %s lock_timeout '%s': expected "
		        "seconds, 0 to 86400\n",
		        cli_ce(cli, "err"), cli_ce(cli, "reset"), what,
		        cli_esc(v));
		return -2;
	}
	return t == 0 ? -1 : (int)t;
}

static const char *from_file(char *out, size_t n, const char *file, int line)
{
	snprintf(out, n, "%s:%d", file, line);
	return out;
}

/* Was anything configured, so that "no database" is an omission rather
 * than the quick start? */
static void configuration_found(const struct cli *cli, char *out, size_t n)
{
	const char *what[7];
	size_t k = 0, i, len = 0;

	if (cli_conf_found())
		what[k++] = cli_conf_path(cli);
	if (cli_dotenv_found())
		what[k++] = ".env";
	if (getenv("STRATA_DIR"))
		what[k++] = "STRATA_DIR";
	if (cli->flag.dir)
		what[k++] = "--dir";
	if (cli->flag.table)
		what[k++] = "--table";
	if (cli->flag.schema)
		what[k++] = "--schema";
	out[0] = '\0';
	for (i = 0; i < k && len < n; i++)
		len += (size_t)snprintf(out + len, n - len, "%s%s",
		                        i ? ", " : "", what[i]);
}

/*
 * NAME from the environment, else from .env: *found 1 with *value and
 * *from (buf holds ".env:LINE"), 0 when neither sets it. what is what
 * the setting names ("a database URL"). @return 0, or an exit code.
 */
static int env_setting(struct cli *cli, const char *name, const char *what,
                       int *found, const char **value, const char **from,
                       char *buf, size_t n)
{
	const struct strata__dotenv_var *var;
	const char *v;

	*found = 1;
	if ((v = getenv(name)) != NULL) {
		if (!v[0])
			return cli_setting_error(
			        cli, NULL, 0,
			        "%s is set but empty in the environment: set "
			        "it to %s, or unset it",
			        name, what);
		*value = v;
		*from = name;
		return 0;
	}
	if ((var = strata__dotenv_find(cli_conf_dotenv(), name)) != NULL) {
		if (var->unset)
			return cli_setting_error(
			        cli, ".env", var->line,
			        "%s uses ${%s}, which is not set in the "
			        "environment or .env",
			        name, var->unset);
		if (!var->value[0])
			return cli_setting_error(
			        cli, ".env", var->line,
			        "%s is empty: name %s, or remove the line",
			        name, what);
		*value = var->value;
		*from = from_file(buf, n, ".env", var->line);
		return 0;
	}
	*found = 0;
	return 0;
}

/* The database holding an exec target's history. */
static int registry_url(struct cli *cli, const struct cli_target *t)
{
	const struct file_settings *cf = cli_conf_file();
	const char *reg = t->registry ? t->registry : cf->registry;
	int line = t->registry ? t->registry_line : cf->registry_line;
	const struct cli_target *r;

	if (reg && !reg[0])
		return cli_setting_error(
		        cli, cli_conf_path(cli), line,
		        "registry is empty: name a target or a "
		        "database URL");
	r = reg ? cli_find_target(cli, reg) : NULL;
	if (r && cli_target_unusable(cli, r))
		return EXIT_USAGE;
	if (r && r->url) {
		cli->database = r->url;
		line = r->url_line;
	} else if (reg) {
		cli->database = reg;
	} else if (cf->database) {
		if (!cf->database[0])
			return cli_setting_error(
			        cli, cli_conf_path(cli), cf->database_line,
			        "database is empty: name a database "
			        "URL, or remove the line");
		cli->database = cf->database;
		line = cf->database_line;
	} else {
		cli->database = "sqlite:strata.db";
		cli->database_from = "default registry";
		return 0;
	}
	cli->database_from = from_file(database_from, sizeof(database_from),
	                               cli_conf_path(cli), line);
	return 0;
}

static int resolve_database(struct cli *cli, const struct cli_target *t)
{
	const struct file_settings *cf = cli_conf_file();
	char found[256];
	int rc, set;

	cli->database = NULL;
	if (cli->flag.database) {
		if (!cli->flag.database[0])
			return cli_setting_error(cli, NULL, 0,
			                         "--database is empty: name a "
			                         "database URL");
		cli->database = cli->flag.database;
		cli->database_from = "--database";
		return 0;
	}
	if (t && strcmp(t->type, "exec") == 0)
		return registry_url(cli, t);
	if (t) {
		cli->database = t->url;
		cli->database_from = from_file(database_from,
		                               sizeof(database_from),
		                               cli_conf_path(cli), t->url_line);
		return 0;
	}
	rc = env_setting(cli, "DATABASE_URL", "a database URL", &set,
	                 &cli->database, &cli->database_from, database_from,
	                 sizeof(database_from));
	if (rc || set)
		return rc;
	if (cf->database) {
		if (!cf->database[0])
			return cli_setting_error(
			        cli, cli_conf_path(cli), cf->database_line,
			        "database is empty: name a database "
			        "URL, or remove the line");
		cli->database = cf->database;
		cli->database_from =
		        from_file(database_from, sizeof(database_from),
		                  cli_conf_path(cli), cf->database_line);
		return 0;
	}
	configuration_found(cli, found, sizeof(found));
	if (found[0] && cli->cmd && (cli->cmd->flags & CMD_WRITES))
		return cli_setting_error(
		        cli, NULL, 0,
		        "'%s' needs a database, and no setting names one "
		        "(configuration found: %s): use --database URL, "
		        "DATABASE_URL in the environment or .env, or "
		        "database = URL in %s",
		        cli->cmd->name, found, cli_conf_path(cli));
	cli->database = "sqlite:strata.db";
	cli->database_from = "default";
	return 0;
}

int cli_resolve_dir(struct cli *cli, const struct cli_target *t)
{
	const struct file_settings *cf = cli_conf_file();
	int rc, set;

	cli->dir = NULL;
	cli->dir_from = "default";
	if (cli->flag.dir) {
		if (!cli->flag.dir[0])
			return cli_setting_error(
			        cli, NULL, 0,
			        "--dir is empty: name the migrations "
			        "folder");
		cli->dir = cli->flag.dir;
		cli->dir_from = "--dir";
	} else if (t) {
		cli->dir = t->dir;
		if (t->dir_line)
			cli->dir_from = from_file(dir_from, sizeof(dir_from),
			                          cli_conf_path(cli),
			                          t->dir_line);
	} else {
		rc = env_setting(cli, "STRATA_DIR", "the migrations folder",
		                 &set, &cli->dir, &cli->dir_from, dir_from,
		                 sizeof(dir_from));
		if (rc || set)
			return rc;
		if (cf->dir && !cf->dir[0])
			return cli_setting_error(
			        cli, cli_conf_path(cli), cf->dir_line,
			        "dir is empty: name the migrations "
			        "folder, or remove the line");
		if (cf->dir) {
			cli->dir = cf->dir;
			cli->dir_from = from_file(dir_from, sizeof(dir_from),
			                          cli_conf_path(cli),
			                          cf->dir_line);
		}
	}
	return 0;
}

/* ddl_lock_timeout: a [target] section's wins over [strata]'s. */
static int resolve_ddl_lock(struct cli *cli, const struct cli_target *t)
{
	const struct file_settings *cf = cli_conf_file();
	const char *v = t && t->ddl_lock ? t->ddl_lock : cf->ddl_lock;
	int line = t && t->ddl_lock ? t->ddl_lock_line : cf->ddl_lock_line;
	struct strata__lockspec ls;
	char why[256];

	cli->ddl_lock_ms = cli->ddl_lock_retries = 0;
	if (!v)
		return 0;
	if (strata__lockspec_parse(&ls, v, strlen(v), why, sizeof(why)) < 0)
		return cli_setting_error(cli, cli_conf_path(cli), line,
		                         "ddl_lock_timeout: %s", why);
	cli->ddl_lock_ms = ls.timeout_ms;
	cli->ddl_lock_retries = ls.retries;
	return 0;
}

int cli_resolve_settings(struct cli *cli, const struct cli_target *t)
{
	const struct file_settings *cf = cli_conf_file();
	const char *lock = NULL;
	int rc;

	cli->tgt = t;
	if (cli_target_unusable(cli, t))
		return EXIT_USAGE;
	rc = resolve_database(cli, t);
	if (rc == 0)
		rc = cli_resolve_dir(cli, t);
	if (rc == 0)
		rc = resolve_ddl_lock(cli, t);
	if (rc)
		return rc;
	cli->table = cli->flag.table ? cli->flag.table :
	             t && t->table   ? t->table :
	                               cf->table;
	cli->schema = cli->flag.schema ? cli->flag.schema :
	              t && t->schema   ? t->schema :
	                                 cf->schema;
	cli->target = t ? t->name : NULL;
	/* the [strata] one serves a single database; several targets each
	 * name their own (cli_load_config refuses it with several) */
	cli->schema_file = t && t->schema_file ? t->schema_file :
	                                         cf->schema_file;
	if (cli->schema_file && !cli->schema_file[0])
		return cli_setting_error(
		        cli, cli_conf_path(cli),
		        t && t->schema_file ? t->line : cf->schema_file_line,
		        "schema_file is empty: name a file, or "
		        "remove the line");
	/* drift's shadow database: per target, else [strata]'s */
	cli->shadow = t && t->shadow ? t->shadow : cf->shadow;
	cli->local_time = cli->flag.utc        ? 0 :
	                  cli->flag.local_time ? 1 :
	                                         cf->local_time;
	cli->backup_off = NULL;
	if (t && t->backup >= 0 ? !t->backup : cf->backup == 0)
		cli->backup_off = from_file(
		        backup_from, sizeof(backup_from), cli_conf_path(cli),
		        t && t->backup >= 0 ? t->backup_line : cf->backup_line);
	cli->lock_timeout_s = cli->flag.lock_timeout_s;
	if (!cli->lock_timeout_s) {
		lock = t && t->lock_timeout ? t->lock_timeout :
		                              cf->lock_timeout;
		if (lock) {
			cli->lock_timeout_s = parse_timeout(
			        cli, t ? t->name : "[strata]", lock);
			if (cli->lock_timeout_s == -2)
				return EXIT_USAGE;
		}
	}
	return 0;
}

int cli_no_backup(const struct cli *cli, int announce)
{
	if (cli->no_backup)
		return 1;
	if (!cli->backup_off)
		return 0;
	if (announce && !cli->dry_run)
		cli_note(cli, "no backup first: backup = off (%s)",
		         cli->backup_off);
	return 1;
}
