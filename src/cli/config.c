/*
 * Settings: command-line flags win over the environment, which wins over
 * a .env file, which wins over strata.conf (parsed with inih). Values in
 * strata.conf may use ${VAR}; an unset variable is an error.
 */
#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define MAX_OWNED 32

/* Strings read from files, kept until exit. */
static char *owned[MAX_OWNED];
static int n_owned;

static const char *keep(char *s)
{
	if (!s)
		return NULL;
	if (n_owned == MAX_OWNED) {
		free(s);
		return NULL;
	}
	owned[n_owned++] = s;
	return s;
}

void cli_settings_release(void)
{
	while (n_owned > 0)
		free(owned[--n_owned]);
}

struct file_settings {
	const char *database, *dir, *table, *schema, *lock_timeout;
};

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

static int read_dotenv(struct file_settings *fs)
{
	FILE *f = fopen(".env", "r");
	char line[4096];

	if (!f)
		return 0;
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
		if (strcmp(k, "DATABASE_URL") == 0)
			fs->database = keep(dotenv_value(eq + 1));
		else if (strcmp(k, "STRATA_DIR") == 0)
			fs->dir = keep(dotenv_value(eq + 1));
	}
	fclose(f);
	return 0;
}

struct ini_state {
	struct file_settings *fs;
	const char *path;
	char error[512];
};

/* Expand ${VAR}; NULL with st->error set when a variable is unset. */
static char *expand(struct ini_state *st, const char *v)
{
	size_t cap = strlen(v) + 1, n = 0;
	char *out = malloc(cap);

	if (!out)
		return NULL;
	while (*v) {
		const char *val = NULL, *end;
		size_t k;

		if (v[0] == '$' && v[1] == '{' && (end = strchr(v, '}'))) {
			char name[128];

			k = (size_t)(end - v - 2);
			if (k == 0 || k >= sizeof(name)) {
				snprintf(st->error, sizeof(st->error),
					 "bad variable reference in '%s'", v);
				free(out);
				return NULL;
			}
			memcpy(name, v + 2, k);
			name[k] = '\0';
			val = getenv(name);
			if (!val) {
				snprintf(st->error, sizeof(st->error),
					 "${%s} is not set in the environment",
					 name);
				free(out);
				return NULL;
			}
			v = end + 1;
		} else {
			val = NULL;
		}
		k = val ? strlen(val) : 1;
		if (n + k + 1 > cap) {
			char *p;

			cap = (n + k + 1) * 2;
			p = realloc(out, cap);
			if (!p) {
				free(out);
				return NULL;
			}
			out = p;
		}
		if (val)
			memcpy(out + n, val, k);
		else
			out[n] = *v++;
		n += k;
	}
	out[n] = '\0';
	return out;
}

static int on_setting(void *user, const char *section, const char *name,
		       const char *value)
{
	struct ini_state *st = user;
	struct file_settings *fs = st->fs;
	const char **slot = NULL;

	if (strcmp(section, "strata") != 0) {
		snprintf(st->error, sizeof(st->error),
			 "unknown section [%s] (known: [strata])", section);
		return 0;
	}
	if (strcmp(name, "database") == 0 || strcmp(name, "url") == 0)
		slot = &fs->database;
	else if (strcmp(name, "dir") == 0)
		slot = &fs->dir;
	else if (strcmp(name, "table") == 0)
		slot = &fs->table;
	else if (strcmp(name, "schema") == 0)
		slot = &fs->schema;
	else if (strcmp(name, "lock_timeout") == 0)
		slot = &fs->lock_timeout;
	if (!slot) {
		snprintf(st->error, sizeof(st->error),
			 "unknown setting '%s' (known: database, dir, table, "
			 "schema, lock_timeout)",
			 name);
		return 0;
	}
	*slot = keep(expand(st, value));
	return *slot != NULL;
}

static int read_config(struct cli *cli, struct file_settings *fs)
{
	struct ini_state st;
	const char *path = cli->config ? cli->config : "strata.conf";
	int rc;

	if (!cli->config && access(path, F_OK) != 0)
		return 0;
	memset(&st, 0, sizeof(st));
	st.fs = fs;
	st.path = path;
	rc = ini_parse(path, on_setting, &st);
	if (rc == -1) {
		fprintf(stderr, "strata: %serror%s: cannot read %s: %s\n",
			cli_c(cli, "err"), cli_c(cli, "reset"), path,
			strerror(errno));
		return EXIT_USAGE;
	}
	if (rc != 0) {
		fprintf(stderr, "%s:%d: %serror%s: %s\n", path, rc,
			cli_c(cli, "err"), cli_c(cli, "reset"),
			st.error[0] ? st.error : "cannot parse this line");
		return EXIT_USAGE;
	}
	return 0;
}

int cli_resolve_settings(struct cli *cli)
{
	struct file_settings env_file, conf;
	const char *v;
	int rc;

	memset(&env_file, 0, sizeof(env_file));
	memset(&conf, 0, sizeof(conf));
	rc = read_config(cli, &conf);
	if (rc)
		return rc;
	read_dotenv(&env_file);
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
	if (!cli->dir && (v = getenv("STRATA_DIR")) && v[0])
		cli->dir = v;
	if (!cli->dir)
		cli->dir = env_file.dir ? env_file.dir : conf.dir;
	if (!cli->table)
		cli->table = conf.table;
	if (!cli->schema)
		cli->schema = conf.schema;
	if (!cli->lock_timeout_s && conf.lock_timeout) {
		char *end;
		long t = strtol(conf.lock_timeout, &end, 10);

		if (*end || t < 0 || t > 86400) {
			fprintf(stderr,
				"strata: %serror%s: strata.conf: lock_timeout "
				"'%s': expected seconds, 0 to 86400\n",
				cli_c(cli, "err"), cli_c(cli, "reset"),
				conf.lock_timeout);
			return EXIT_USAGE;
		}
		cli->lock_timeout_s = t == 0 ? -1 : (int)t;
	}
	if (!cli->database) {
		cli->database = "sqlite:strata.db";
		cli->database_from = "default";
	}
	return 0;
}
