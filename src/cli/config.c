/*
 * Settings: command-line flags win over the environment, which wins over
 * a .env file, which wins over strata.conf (parsed with inih). Values in
 * strata.conf may use ${VAR}; an unset variable is an error. strata.conf
 * may name targets, [target "name"] sections, one per database or store.
 */
#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "../util/conf.h"

/* The [strata] section and .env, kept for the whole run. */
struct file_settings {
	char *database, *dir, *table, *schema, *lock_timeout, *registry;
};

static struct file_settings conf, env_file;

static void free_settings(struct file_settings *fs)
{
	free(fs->database);
	free(fs->dir);
	free(fs->table);
	free(fs->schema);
	free(fs->lock_timeout);
	free(fs->registry);
	memset(fs, 0, sizeof(*fs));
}

static void free_target(struct cli_target *t)
{
	size_t i;

	free(t->name);
	free(t->type);
	free(t->url);
	free(t->dir);
	free(t->table);
	free(t->schema);
	free(t->lock_timeout);
	free(t->command);
	free(t->command_raw);
	free(t->registry);
	free(t->extension);
	for (i = 0; i < t->n_env; i++)
		free(t->env[i]);
	free(t->env);
}

void cli_settings_release(struct cli *cli)
{
	size_t i;

	strata_ctx_free(cli->ctx);
	cli->ctx = NULL;
	for (i = 0; i < cli->n_targets; i++)
		free_target(&cli->targets[i]);
	free(cli->targets);
	cli->targets = NULL;
	cli->n_targets = 0;
	free_settings(&conf);
	free_settings(&env_file);
}

/* .env: KEY=VALUE lines, optional "export ", quotes, # comments. */
static char *dotenv_value(char *v)
{
	size_t n;

	while (*v == ' ' || *v == '\t')
		v++;
	n = strlen(v);
	while (n && (v[n - 1] == '\n' || v[n - 1] == '\r' || v[n - 1] == ' '))
		v[--n] = '\0';
	if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
		v[n - 1] = '\0';
		return strdup(v + 1);
	}
	for (char *h = v; *h; h++)
		if (*h == '#' && (h == v || h[-1] == ' ' || h[-1] == '\t')) {
			*h = '\0';
			break;
		}
	n = strlen(v);
	while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		v[--n] = '\0';
	return strdup(v);
}

static void read_dotenv(void)
{
	FILE *f = fopen(".env", "r");
	char line[4096];

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *k = line, *eq;

		while (*k == ' ' || *k == '\t')
			k++;
		if (strncmp(k, "export ", 7) == 0)
			k += 7;
		eq = strchr(k, '=');
		if (*k == '#' || !eq)
			continue;
		*eq = '\0';
		if (strcmp(k, "DATABASE_URL") == 0) {
			free(env_file.database);
			env_file.database = dotenv_value(eq + 1);
		} else if (strcmp(k, "STRATA_DIR") == 0) {
			free(env_file.dir);
			env_file.dir = dotenv_value(eq + 1);
		}
	}
	fclose(f);
}

struct ini_state {
	struct cli *cli;
	char error[512];
	int line;
	int overlong; /* the line number of a line inih cannot hold, or 0 */
};

/* Expand ${VAR}; NULL with st->error set when a variable is unset. */
static char *expand(struct ini_state *st, const char *v)
{
	return strata__conf_expand(v, st->error, sizeof(st->error));
}

static int set_slot(struct ini_state *st, char **slot, const char *value)
{
	free(*slot);
	*slot = expand(st, value);
	return *slot != NULL;
}

static int strata_key(struct ini_state *st, const char *name, const char *value)
{
	struct file_settings *fs = &conf;

	if (strcmp(name, "database") == 0 || strcmp(name, "url") == 0)
		return set_slot(st, &fs->database, value);
	if (strcmp(name, "dir") == 0)
		return set_slot(st, &fs->dir, value);
	if (strcmp(name, "table") == 0)
		return set_slot(st, &fs->table, value);
	if (strcmp(name, "schema") == 0)
		return set_slot(st, &fs->schema, value);
	if (strcmp(name, "lock_timeout") == 0)
		return set_slot(st, &fs->lock_timeout, value);
	if (strcmp(name, "registry") == 0)
		return set_slot(st, &fs->registry, value);
	snprintf(st->error, sizeof(st->error),
	         "unknown setting '%s' in [strata] (known: database, dir, "
	         "table, schema, lock_timeout, registry)",
	         name);
	return 0;
}

static struct cli_target *target_for(struct ini_state *st, char *name)
{
	struct cli *cli = st->cli;
	struct cli_target *t;
	size_t i;

	for (i = 0; i < cli->n_targets; i++)
		if (strcmp(cli->targets[i].name, name) == 0) {
			free(name);
			return &cli->targets[i];
		}
	t = realloc(cli->targets, (cli->n_targets + 1) * sizeof(*t));
	if (!t) {
		free(name);
		return NULL;
	}
	cli->targets = t;
	t = &cli->targets[cli->n_targets++];
	memset(t, 0, sizeof(*t));
	t->name = name;
	t->line = st->line;
	return t;
}

static int target_env(struct ini_state *st, struct cli_target *t,
                      const char *name, const char *value)
{
	char *v = expand(st, value), *pair, **e;
	size_t k = strlen(name);

	if (!v)
		return 0;
	pair = malloc(k + strlen(v) + 2);
	e = realloc(t->env, (t->n_env + 2) * sizeof(char *));
	if (!pair || !e) {
		free(v);
		free(pair);
		return 0;
	}
	sprintf(pair, "%s=%s", name, v);
	free(v);
	t->env = e;
	t->env[t->n_env++] = pair;
	t->env[t->n_env] = NULL;
	return 1;
}

static int target_key(struct ini_state *st, struct cli_target *t,
                      const char *name, const char *value)
{
	if (strcmp(name, "type") == 0)
		return set_slot(st, &t->type, value);
	if (strcmp(name, "url") == 0 || strcmp(name, "database") == 0)
		return set_slot(st, &t->url, value);
	if (strcmp(name, "dir") == 0)
		return set_slot(st, &t->dir, value);
	if (strcmp(name, "table") == 0)
		return set_slot(st, &t->table, value);
	if (strcmp(name, "schema") == 0)
		return set_slot(st, &t->schema, value);
	if (strcmp(name, "lock_timeout") == 0)
		return set_slot(st, &t->lock_timeout, value);
	if (strcmp(name, "registry") == 0)
		return set_slot(st, &t->registry, value);
	if (strcmp(name, "extension") == 0)
		return set_slot(st, &t->extension, value);
	if (strcmp(name, "command") == 0) {
		free(t->command_raw);
		t->command_raw = strdup(value);
		return t->command_raw && set_slot(st, &t->command, value);
	}
	if (strncmp(name, "env.", 4) == 0 && name[4])
		return target_env(st, t, name + 4, value);
	snprintf(st->error, sizeof(st->error),
	         "unknown setting '%s' in [target \"%s\"] (known: type, url, "
	         "dir, table, schema, lock_timeout, command, registry, "
	         "extension, env.NAME)",
	         name, t->name);
	return 0;
}

static int on_setting(void *user, const char *section, const char *name,
                      const char *value)
{
	struct ini_state *st = user;
	char *tname;
	struct cli_target *t;

	if (strcmp(section, "strata") == 0)
		return strata_key(st, name, value);
	tname = strata__conf_target_name(section);
	if (!tname) {
		snprintf(st->error, sizeof(st->error),
		         "unknown section [%s] (known: [strata], [target "
		         "\"name\"] with letters, digits, '_', '-', '.')",
		         section);
		return 0;
	}
	t = target_for(st, tname);
	return t && target_key(st, t, name, value);
}

/* inih has no line callback: count lines by wrapping the reader, so that
 * a target's errors can name the line where it starts */
struct line_reader {
	FILE *f;
	struct ini_state *st;
};

static char *read_line(char *str, int num, void *stream)
{
	struct line_reader *r = stream;
	char *s = fgets(str, num, r->f);
	size_t n;

	if (!s)
		return NULL;
	r->st->line++;
	/* inih would read the rest of a long line as a line of its own:
	 * stop, and say so (a long URL belongs in ${VAR}) */
	n = strlen(s);
	if (n + 1 == (size_t)num && s[n - 1] != '\n' && !feof(r->f)) {
		r->st->overlong = r->st->line;
		return NULL;
	}
	return s;
}

static const char *const known_types[] = { "sqlite", "postgres", "mysql",
	                                   "exec", NULL };

static int scheme_fits(const char *type, const char *url)
{
	static const char *const fits[][3] = {
		{ "sqlite", "sqlite:", "sqlite3:" },
		{ "postgres", "postgres://", "postgresql://" },
		{ "mysql", "mysql://", "mariadb://" },
	};
	size_t i;

	for (i = 0; i < sizeof(fits) / sizeof(fits[0]); i++)
		if (strcmp(type, fits[i][0]) == 0)
			return strncmp(url, fits[i][1], strlen(fits[i][1])) ==
			               0 ||
			       strncmp(url, fits[i][2], strlen(fits[i][2])) ==
			               0;
	return 1;
}

static int check_targets(struct cli *cli, const char *path)
{
	size_t i;

	for (i = 0; i < cli->n_targets; i++) {
		struct cli_target *t = &cli->targets[i];
		const char *const *k;

		if (!t->type) {
			fprintf(stderr,
			        "%s:%d: error: target '%s' has no type (sqlite, "
			        "postgres, mysql or exec)\n",
			        cli_q(path), t->line, t->name);
			return EXIT_USAGE;
		}
		for (k = known_types; *k && strcmp(*k, t->type) != 0; k++)
			;
		if (!*k) {
			fprintf(stderr,
			        "%s:%d: error: target '%s': unknown type '%s' "
			        "(sqlite, postgres, mysql or exec)\n",
			        cli_q(path), t->line, t->name,
			        cli_esc(t->type));
			return EXIT_USAGE;
		}
		if (strcmp(t->type, "exec") != 0 && !t->url) {
			fprintf(stderr,
			        "%s:%d: error: target '%s' needs a url\n",
			        cli_q(path), t->line, t->name);
			return EXIT_USAGE;
		}
		if (t->url && !scheme_fits(t->type, t->url)) {
			fprintf(stderr,
			        "%s:%d: error: target '%s' is of type %s but its "
			        "url is not a %s URL\n",
			        cli_q(path), t->line, t->name, t->type,
			        t->type);
			return EXIT_USAGE;
		}
		if (!t->dir) {
			t->dir = malloc(strlen(t->name) + 12);
			if (!t->dir)
				return EXIT_FAILED;
			sprintf(t->dir, "migrations/%s", t->name);
		}
		if (strcmp(t->type, "exec") == 0 && t->url) {
			fprintf(stderr,
			        "%s:%d: error: target '%s': an exec target has "
			        "no url; its history goes to the registry "
			        "(registry = a target name or URL)\n",
			        cli_q(path), t->line, t->name);
			return EXIT_USAGE;
		}
	}
	return 0;
}

int cli_load_config(struct cli *cli)
{
	const char *path = cli->config ? cli->config : "strata.conf";
	struct line_reader r;
	struct ini_state st;
	int rc;

	read_dotenv();
	if (!cli->config && access(path, F_OK) != 0)
		return 0;
	memset(&st, 0, sizeof(st));
	st.cli = cli;
	r.f = fopen(path, "r");
	r.st = &st;
	if (!r.f) {
		fprintf(stderr, "strata: %serror%s: cannot read %s: %s\n",
		        cli_c(cli, "err"), cli_c(cli, "reset"), cli_q(path),
		        strerror(errno));
		return EXIT_USAGE;
	}
	rc = ini_parse_stream(read_line, &r, on_setting, &st);
	fclose(r.f);
	if (rc == 0 && st.overlong) {
		rc = st.overlong;
		snprintf(st.error, sizeof(st.error),
		         "line longer than the %d characters strata.conf "
		         "allows: put a long value in the environment and use "
		         "${VAR}",
		         INI_MAX_LINE - 2);
	}
	if (rc != 0) {
		fprintf(stderr, "%s:%d: %serror%s: %s\n", cli_q(path), rc,
		        cli_c(cli, "err"), cli_c(cli, "reset"),
		        st.error[0] ? cli_esc(st.error) :
		                      "cannot parse this line");
		return EXIT_USAGE;
	}
	return check_targets(cli, path);
}

const struct cli_target *cli_find_target(const struct cli *cli,
                                         const char *name)
{
	size_t i;

	for (i = 0; i < cli->n_targets; i++)
		if (strcmp(cli->targets[i].name, name) == 0)
			return &cli->targets[i];
	return NULL;
}

static int parse_timeout(struct cli *cli, const char *what, const char *v)
{
	char *end;
	long t = strtol(v, &end, 10);

	if (!v[0] || *end || t < 0 || t > 86400) {
		fprintf(stderr,
		        "strata: %serror%s: %s lock_timeout '%s': expected "
		        "seconds, 0 to 86400\n",
		        cli_c(cli, "err"), cli_c(cli, "reset"), what,
		        cli_esc(v));
		return -2;
	}
	return t == 0 ? -1 : (int)t;
}

/* The database holding an exec target's history. */
static const char *registry_url(struct cli *cli, const struct cli_target *t)
{
	const char *reg = t->registry ? t->registry : conf.registry;
	const struct cli_target *r;

	if (reg && (r = cli_find_target(cli, reg)) != NULL && r->url)
		return r->url;
	if (reg)
		return reg;
	return conf.database ? conf.database : "sqlite:strata.db";
}

int cli_resolve_settings(struct cli *cli, const struct cli_target *t)
{
	const char *v, *lock = NULL;

	cli->tgt = t;
	cli->database = cli->flag.database;
	cli->database_from = "--database";
	if (!cli->database && t) {
		cli->database = strcmp(t->type, "exec") == 0 ?
		                        registry_url(cli, t) :
		                        t->url;
		cli->database_from = "strata.conf";
	}
	if (!cli->database && (v = getenv("DATABASE_URL")) && v[0]) {
		cli->database = v;
		cli->database_from = "DATABASE_URL";
	}
	if (!cli->database && env_file.database && env_file.database[0]) {
		cli->database = env_file.database;
		cli->database_from = ".env";
	}
	if (!cli->database && conf.database && conf.database[0]) {
		cli->database = conf.database;
		cli->database_from = "strata.conf";
	}
	if (!cli->database) {
		cli->database = "sqlite:strata.db";
		cli->database_from = "default";
	}
	cli->dir = cli->flag.dir;
	if (!cli->dir && t)
		cli->dir = t->dir;
	if (!cli->dir && !t && (v = getenv("STRATA_DIR")) && v[0])
		cli->dir = v;
	if (!cli->dir && !t)
		cli->dir = env_file.dir ? env_file.dir : conf.dir;
	cli->table = cli->flag.table ? cli->flag.table :
	             t && t->table   ? t->table :
	                               conf.table;
	cli->schema = cli->flag.schema ? cli->flag.schema :
	              t && t->schema   ? t->schema :
	                                 conf.schema;
	cli->target = t ? t->name : NULL;
	cli->lock_timeout_s = cli->flag.lock_timeout_s;
	if (!cli->lock_timeout_s) {
		lock = t && t->lock_timeout ? t->lock_timeout :
		                              conf.lock_timeout;
		if (lock) {
			cli->lock_timeout_s = parse_timeout(
			        cli, t ? t->name : "[strata]", lock);
			if (cli->lock_timeout_s == -2)
				return EXIT_USAGE;
		}
	}
	return 0;
}
