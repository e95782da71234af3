/*
 * Reading the settings' files, once a run: a .env file (every variable,
 * read as dotenv reads it) and strata.conf (parsed with inih). Values in
 * strata.conf may use ${VAR}, from the environment or .env; an unset
 * variable is an error. strata.conf may name targets, [target "name"]
 * sections, one per database or store. Which setting wins is
 * config_resolve.c's part.
 */
#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "config.h"
#include "config_int.h"
#include "json.h"
#include "output.h"
#include "../util/conf.h"

static struct file_settings conf = { .backup = -1 };
static struct strata__dotenv dotenv;
static int have_conf, have_dotenv; /* the files were read */
static char **placeholders;        /* [placeholders] (placeholder_key) */
static size_t n_placeholders;
static char **lint_levels; /* [lint]: "rule=level" (lint_key) */
static size_t n_lint_levels;

/* A .env bigger than this is not a .env file. */
#define DOTENV_MAX (1 << 20)

static void free_settings(struct file_settings *fs)
{
	free(fs->database);
	free(fs->dir);
	free(fs->table);
	free(fs->schema);
	free(fs->lock_timeout);
	free(fs->registry);
	free(fs->schema_file);
	free(fs->shadow);
	free(fs->ddl_lock);
	memset(fs, 0, sizeof(*fs));
	fs->backup = -1;
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
	free(t->schema_file);
	free(t->shadow);
	free(t->ddl_lock);
	free(t->fleet);
	free(t->fleet_url);
	free(t->bad_setting);
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
	for (i = 0; i < n_placeholders; i++)
		free(placeholders[i]);
	free(placeholders);
	placeholders = NULL;
	n_placeholders = 0;
	for (i = 0; i < n_lint_levels; i++)
		free(lint_levels[i]);
	free(lint_levels);
	lint_levels = NULL;
	n_lint_levels = 0;
	strata__dotenv_release(&dotenv);
	have_conf = have_dotenv = 0;
}

const struct file_settings *cli_conf_file(void)
{
	return &conf;
}

const struct strata__dotenv *cli_conf_dotenv(void)
{
	return &dotenv;
}

int cli_conf_found(void)
{
	return have_conf;
}

int cli_dotenv_found(void)
{
	return have_dotenv;
}

const char *cli_conf_path(const struct cli *cli)
{
	return cli->config ? cli->config : "strata.conf";
}

int cli_setting_error(const struct cli *cli, const char *file, int line,
                      const char *fmt, ...)
{
	va_list ap;

	if (file)
		fprintf(stderr, "%s:%d: ", file, line);
	else
		fputs("strata: ", stderr);
	fprintf(stderr, "%serror%s: ", cli_ce(cli, "err"),
	        cli_ce(cli, "reset"));
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	va_start(ap, fmt);
	cli_json_vfail(cli, file, line, fmt, ap);
	va_end(ap);
	return EXIT_USAGE;
}

/* .env in the current folder, when there is one. */
static int read_dotenv(struct cli *cli)
{
	FILE *f = fopen(".env", "r");
	char *text = NULL, err[512];
	size_t n = 0, cap = 0;
	int rc = 0;

	if (!f && errno == ENOENT)
		return 0;
	while (f && !ferror(f) && !feof(f) && n <= DOTENV_MAX) {
		char *p;

		if (n + 4096 > cap) {
			cap = cap ? cap * 2 : 8192;
			p = realloc(text, cap);
			if (!p) {
				rc = EXIT_FAILED;
				break;
			}
			text = p;
		}
		n += fread(text + n, 1, cap - n, f);
	}
	if (rc == 0 && (!f || ferror(f)))
		rc = cli_setting_error(cli, NULL, 0, "cannot read .env: %s",
		                       strerror(errno));
	else if (rc == 0 && n > DOTENV_MAX)
		rc = cli_setting_error(cli, NULL, 0,
		                       "cannot read .env: larger than %d bytes",
		                       DOTENV_MAX);
	if (f)
		fclose(f);
	if (rc == 0) {
		int line = strata__dotenv_parse(&dotenv, text ? text : "", n,
		                                err, sizeof(err));

		if (line < 0)
			rc = EXIT_FAILED;
		else if (line > 0)
			rc = cli_setting_error(cli, ".env", line, "%s", err);
		else
			have_dotenv = 1;
	}
	if (rc == EXIT_FAILED)
		fprintf(stderr, "strata: error: out of memory\n");
	free(text);
	return rc;
}

struct ini_state {
	struct cli *cli;
	char error[512];
	int line;
	int overlong;   /* the line number of a line inih cannot hold, or 0 */
	int unexpanded; /* expand() failed on a variable (not memory) */
};

/* Expand ${VAR}; NULL with st->error set when a variable is unset. */
static char *expand(struct ini_state *st, const char *v)
{
	char *r;

	st->error[0] = '\0';
	r = strata__conf_expand(v, have_dotenv ? &dotenv : NULL, st->error,
	                        sizeof(st->error));
	st->unexpanded = !r && st->error[0];
	return r;
}

static int set_slot(struct ini_state *st, char **slot, const char *value)
{
	free(*slot);
	*slot = expand(st, value);
	return *slot != NULL;
}

/* The settings both [strata] and [target "name"] sections hold as text:
 * where each keeps the value and the line it is on (NO_SLOT: the section
 * has no such setting, or keeps no line). */
#define NO_SLOT ((size_t)-1)
#define FS(m)   offsetof(struct file_settings, m)
#define TS(m)   offsetof(struct cli_target, m)
static const struct text_key {
	const char *name, *alias;
	size_t conf, conf_line;     /* in [strata]: struct file_settings */
	size_t target, target_line; /* in a target: struct cli_target */
} text_keys[] = {
	{ "database", "url", FS(database), FS(database_line), TS(url),
	  TS(url_line) },
	{ "dir", NULL, FS(dir), FS(dir_line), TS(dir), TS(dir_line) },
	{ "table", NULL, FS(table), NO_SLOT, TS(table), NO_SLOT },
	{ "schema", NULL, FS(schema), NO_SLOT, TS(schema), NO_SLOT },
	{ "lock_timeout", NULL, FS(lock_timeout), NO_SLOT, TS(lock_timeout),
	  NO_SLOT },
	{ "registry", NULL, FS(registry), FS(registry_line), TS(registry),
	  TS(registry_line) },
	{ "schema_file", NULL, FS(schema_file), FS(schema_file_line),
	  TS(schema_file), NO_SLOT },
	{ "shadow", NULL, FS(shadow), NO_SLOT, TS(shadow), NO_SLOT },
	{ "ddl_lock_timeout", NULL, FS(ddl_lock), FS(ddl_lock_line),
	  TS(ddl_lock), TS(ddl_lock_line) },
	{ "type", NULL, NO_SLOT, NO_SLOT, TS(type), NO_SLOT },
	{ "extension", NULL, NO_SLOT, NO_SLOT, TS(extension), NO_SLOT },
	{ "fleet", NULL, NO_SLOT, NO_SLOT, TS(fleet), TS(fleet_line) },
	{ "fleet_url", NULL, NO_SLOT, NO_SLOT, TS(fleet_url), NO_SLOT },
};

/* A text setting of a section whose struct starts at base: 1 set, 0 an
 * error (st->error), -1 not such a setting of this section. */
static int text_key(struct ini_state *st, char *base, int target,
                    const char *name, const char *value)
{
	size_t i;

	for (i = 0; i < sizeof(text_keys) / sizeof(text_keys[0]); i++) {
		const struct text_key *k = &text_keys[i];
		size_t slot = target ? k->target : k->conf;
		size_t line = target ? k->target_line : k->conf_line;

		if (slot == NO_SLOT ||
		    (strcmp(name, k->name) != 0 &&
		     !(k->alias && strcmp(name, k->alias) == 0)))
			continue;
		if (line != NO_SLOT)
			memcpy(base + line, &st->line, sizeof(int));
		return set_slot(st, (char **)(void *)(base + slot), value);
	}
	return -1;
}

/* on | off into *slot (1 | 0), or an error naming the setting; backup =
 * on | off: automatic backups before down, redo, fresh and restore (a
 * [target] section's setting wins over [strata]'s) */
static int on_off_key(struct ini_state *st, const char *name, int *slot,
                      const char *value)
{
	if (strcmp(value, "on") == 0 || strcmp(value, "off") == 0) {
		*slot = strcmp(value, "on") == 0;
		return 1;
	}
	snprintf(st->error, sizeof(st->error), "%s = '%s': expected on or off",
	         name, value);
	return 0;
}

static int strata_key(struct ini_state *st, const char *name, const char *value)
{
	struct file_settings *fs = &conf;
	int rc = text_key(st, (char *)fs, 0, name, value);

	if (rc >= 0)
		return rc;
	if (strcmp(name, "backup") == 0) {
		fs->backup_line = st->line;
		return on_off_key(st, name, &fs->backup, value);
	}
	if (strcmp(name, "time") == 0) {
		if (strcmp(value, "utc") == 0 || strcmp(value, "local") == 0) {
			fs->local_time = strcmp(value, "local") == 0;
			return 1;
		}
		snprintf(st->error, sizeof(st->error),
		         "time = '%s': expected utc or local", value);
		return 0;
	}
	snprintf(st->error, sizeof(st->error),
	         "unknown setting '%s' in [strata] (known: database, dir, "
	         "table, schema, lock_timeout, registry, schema_file, time, "
	         "backup, shadow, ddl_lock_timeout)",
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
	t->backup = -1;
	t->fleet_reuse = -1;
	return t;
}

/* gcc 12's -fanalyzer loses what is stored through t, an element of the
 * realloc()ed cli->targets, and calls it leaked (free_target() frees it) */
#if defined(__GNUC__) && __GNUC__ >= 10 && !defined(__clang__)
# pragma GCC diagnostic push
# pragma GCC diagnostic ignored "-Wanalyzer-malloc-leak"
#endif
static int target_env(struct ini_state *st, struct cli_target *t,
                      const char *name, const char *value)
{
	char *v = expand(st, value), *pair, **e;
	size_t k = strlen(name);

	if (!v)
		return 0;
	/* t->env takes the grown array at once: realloc() freed the old one */
	e = realloc(t->env, (t->n_env + 2) * sizeof(char *));
	if (e) {
		t->env = e;
		t->env[t->n_env] = NULL;
	}
	pair = e ? malloc(k + strlen(v) + 2) : NULL;
	if (!pair) {
		free(v);
		return 0;
	}
	snprintf(pair, k + strlen(v) + 2, "%s=%s", name, v);
	free(v);
	t->env[t->n_env++] = pair;
	t->env[t->n_env] = NULL;
	return 1;
}

static int target_key(struct ini_state *st, struct cli_target *t,
                      const char *name, const char *value)
{
	int rc = text_key(st, (char *)t, 1, name, value);

	if (rc >= 0)
		return rc;
	if (strcmp(name, "fleet_reuse") == 0)
		return on_off_key(st, name, &t->fleet_reuse, value);
	if (strcmp(name, "backup") == 0) {
		t->backup_line = st->line;
		return on_off_key(st, name, &t->backup, value);
	}
	if (strcmp(name, "command") == 0) {
		t->command_line = st->line;
		free(t->command_raw);
		t->command_raw = strdup(value);
		return t->command_raw && set_slot(st, &t->command, value);
	}
	if (strncmp(name, "env.", 4) == 0 && name[4])
		return target_env(st, t, name + 4, value);
	snprintf(st->error, sizeof(st->error),
	         "unknown setting '%s' in [target \"%s\"] (known: type, url, "
	         "dir, table, schema, lock_timeout, backup, command, "
	         "registry, extension, schema_file, shadow, fleet, "
	         "fleet_url, fleet_reuse, ddl_lock_timeout, env.NAME)",
	         name, t->name);
	return 0;
}

#if defined(__GNUC__) && __GNUC__ >= 10 && !defined(__clang__)
# pragma GCC diagnostic pop
#endif

/* [placeholders]: values of Flyway's ${name} placeholders, "name=value",
 * expanded as every value is; a name given twice takes the last value. */
static int placeholder_key(struct ini_state *st, const char *name,
                           const char *value)
{
	char *v = expand(st, value), *pair, **e;
	size_t k = strlen(name), i;

	if (!v)
		return 0;
	pair = malloc(k + strlen(v) + 2);
	if (pair)
		snprintf(pair, k + strlen(v) + 2, "%s=%s", name, v);
	free(v);
	for (i = 0; pair && i < n_placeholders; i++)
		if (strncasecmp(placeholders[i], name, k) == 0 &&
		    placeholders[i][k] == '=') {
			free(placeholders[i]);
			placeholders[i] = pair;
			return 1;
		}
	e = pair ? realloc(placeholders,
	                   (n_placeholders + 2) * sizeof(char *)) :
	           NULL;
	if (!e) {
		free(pair);
		snprintf(st->error, sizeof(st->error), "out of memory");
		return 0;
	}
	placeholders = e;
	placeholders[n_placeholders++] = pair;
	placeholders[n_placeholders] = NULL;
	return 1;
}

const char *const *cli_placeholders(void)
{
	return (const char *const *)placeholders;
}

/* [lint]: RULE = error | warning | off, a rule strata lint knows */
static int lint_key(struct ini_state *st, const char *name, const char *value)
{
	size_t k = strlen(name) + strlen(value) + 2;
	char *pair, **e;

	if (strata_lint_rule_find(name) < 0) {
		snprintf(st->error, sizeof(st->error),
		         "unknown lint rule '%s' in [lint] ('strata lint "
		         "--rules' lists them)",
		         name);
		return 0;
	}
	if (strata_lint_level_parse(value) < 0) {
		snprintf(st->error, sizeof(st->error),
		         "%s = '%s': expected error, warning or off", name,
		         value);
		return 0;
	}
	pair = malloc(k);
	e = pair ? realloc(lint_levels, (n_lint_levels + 2) * sizeof(char *)) :
	           NULL;
	if (!e) {
		free(pair);
		snprintf(st->error, sizeof(st->error), "out of memory");
		return 0;
	}
	snprintf(pair, k, "%s=%s", name, value);
	lint_levels = e;
	lint_levels[n_lint_levels++] = pair;
	lint_levels[n_lint_levels] = NULL;
	return 1;
}

const char *const *cli_lint_levels(void)
{
	return (const char *const *)lint_levels;
}

static int on_setting(void *user, const char *section, const char *name,
                      const char *value)
{
	struct ini_state *st = user;
	char *tname;
	struct cli_target *t;

	if (strcmp(section, "strata") == 0)
		return strata_key(st, name, value);
	if (strcmp(section, "placeholders") == 0)
		return placeholder_key(st, name, value);
	if (strcmp(section, "lint") == 0)
		return lint_key(st, name, value);
	tname = strata__conf_target_name(section);
	if (!tname) {
		snprintf(st->error, sizeof(st->error),
		         "unknown section [%s] (known: [strata], "
		         "[placeholders], [lint], [target \"name\"] with "
		         "letters, "
		         "digits, '_', '-', '.')",
		         section);
		return 0;
	}
	t = target_for(st, tname);
	if (!t)
		return 0;
	st->unexpanded = 0;
	if (target_key(st, t, name, value))
		return 1;
	if (!st->unexpanded)
		return 0;
	/* an unset variable stops commands on this target only: kept for
	 * when one runs (cli_resolve_settings) */
	if (!t->bad_setting) {
		size_t n = strlen(name) + strlen(st->error) + 3;

		t->bad_setting = malloc(n);
		if (!t->bad_setting) {
			snprintf(st->error, sizeof(st->error), "out of memory");
			return 0;
		}
		snprintf(t->bad_setting, n, "%s: %s", name, st->error);
		t->bad_line = st->line;
	}
	st->error[0] = '\0';
	return 1;
}

int cli_target_unusable(const struct cli *cli, const struct cli_target *t)
{
	if (!t || !t->bad_setting)
		return 0;
	return cli_setting_error(cli, cli_conf_path(cli), t->bad_line,
	                         "target '%s': %s", t->name,
	                         cli_esc(t->bad_setting));
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

/* A target's type: a database strata has a driver for (or was built
 * without), or exec. */
static int known_type(const char *type)
{
	const char *t;
	size_t i;

	for (i = 0; (t = strata_database_type(i)) != NULL; i++)
		if (strcmp(t, type) == 0)
			return 1;
	return strcmp(type, "exec") == 0;
}

const char *cli_type_list(void)
{
	static char list[512];
	const char *t;
	size_t i, n = 0;

	for (i = 0; (t = strata_database_type(i)) != NULL; i++)
		if (n < sizeof(list))
			n += (size_t)snprintf(list + n, sizeof(list) - n,
			                      "%s%s", i ? ", " : "", t);
	if (n < sizeof(list))
		snprintf(list + n, sizeof(list) - n, "%sexec", i ? " or " : "");
	return list;
}

static int check_targets(struct cli *cli, const char *path)
{
	size_t i;

	for (i = 0; i < cli->n_targets; i++) {
		struct cli_target *t = &cli->targets[i];

		if (!t->dir && t->bad_setting) {
			size_t n = strlen("migrations/") + strlen(t->name) + 1;

			t->dir = malloc(n);
			if (!t->dir)
				return EXIT_FAILED;
			snprintf(t->dir, n, "migrations/%s", t->name);
		}
		/* checked when a command runs on it (target_unusable) */
		if (t->bad_setting)
			continue;
		if (!t->type) {
			cli_json_fail(cli, path, t->line,
			              "target '%s' has no type (%s)", t->name,
			              cli_type_list());
			fprintf(stderr,
			        "%s:%d: error: target '%s' has no type (%s)\n",
			        cli_q(path), t->line, t->name, cli_type_list());
			return EXIT_USAGE;
		}
		if (!known_type(t->type)) {
			cli_json_fail(cli, path, t->line,
			              "target '%s': unknown type '%s' (%s)",
			              t->name, t->type, cli_type_list());
			fprintf(stderr,
			        "%s:%d: error: target '%s': unknown type '%s' "
			        "(%s)\n",
			        cli_q(path), t->line, t->name, cli_esc(t->type),
			        cli_type_list());
			return EXIT_USAGE;
		}
		/* a fleet's members have their own (fleet.c) */
		if (strcmp(t->type, "exec") != 0 && !t->url && !t->fleet) {
			cli_json_fail(cli, path, t->line,
			              "target '%s' needs a url", t->name);
			fprintf(stderr,
			        "%s:%d: error: target '%s' needs a url\n",
			        cli_q(path), t->line, t->name);
			return EXIT_USAGE;
		}
		if ((t->url && !t->url[0]) || (t->dir && !t->dir[0]) ||
		    (t->registry && !t->registry[0])) {
			int url = t->url && !t->url[0];
			int dir = !url && t->dir && !t->dir[0];

			cli_json_fail(cli, path,
			              url ? t->url_line :
			              dir ? t->dir_line :
			                    t->registry_line,
			              "target '%s': %s is empty", t->name,
			              url ? "url" :
			              dir ? "dir" :
			                    "registry");
			fprintf(stderr,
			        "%s:%d: error: target '%s': %s is empty\n",
			        path,
			        url ? t->url_line :
			        dir ? t->dir_line :
			              t->registry_line,
			        t->name,
			        url ? "url" :
			        dir ? "dir" :
			              "registry");
			return EXIT_USAGE;
		}
		/* the URL's scheme picks the same driver as the type */
		if (t->url && strcmp(t->type, "exec") != 0 &&
		    (!strata_url_database_type(t->url) ||
		     strcmp(strata_url_database_type(t->url), t->type) != 0)) {
			cli_json_fail(
			        cli, path, t->line,
			        "target '%s' is of type %s but its url is "
			        "not a %s URL",
			        t->name, t->type, t->type);
			fprintf(stderr,
			        "%s:%d: error: target '%s' is of type %s but its "
			        "url is not a %s URL\n",
			        cli_q(path), t->line, t->name, t->type,
			        t->type);
			return EXIT_USAGE;
		}
		if (!t->dir) {
			size_t n = strlen("migrations/") + strlen(t->name) + 1;

			t->dir = malloc(n);
			if (!t->dir)
				return EXIT_FAILED;
			snprintf(t->dir, n, "migrations/%s", t->name);
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

int cli_load_config(struct cli *cli, int missing_ok)
{
	const char *path = cli_conf_path(cli);
	struct line_reader r;
	struct ini_state st;
	int rc;

	rc = read_dotenv(cli);
	if (rc)
		return rc;
	if ((!cli->config || missing_ok) && access(path, F_OK) != 0 &&
	    errno == ENOENT)
		return 0;
	have_conf = 1;
	memset(&st, 0, sizeof(st));
	st.cli = cli;
	r.f = fopen(path, "r");
	r.st = &st;
	if (!r.f) {
		cli_json_fail(cli, NULL, 0, "cannot read %s: %s", path,
		              strerror(errno));
		fprintf(stderr, "strata: %serror%s: cannot read %s: %s\n",
		        cli_ce(cli, "err"), cli_ce(cli, "reset"), cli_q(path),
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
		cli_json_fail(cli, path, rc, "%s",
		              st.error[0] ? st.error :
		                            "cannot parse this line");
		fprintf(stderr, "%s:%d: %serror%s: %s\n", cli_q(path), rc,
		        cli_ce(cli, "err"), cli_ce(cli, "reset"),
		        st.error[0] ? cli_esc(st.error) :
		                      "cannot parse this line");
		return EXIT_USAGE;
	}
	rc = check_targets(cli, path);
	if (rc == 0 && conf.schema_file && cli->n_targets > 1)
		rc = cli_setting_error(
		        cli, path, conf.schema_file_line,
		        "schema_file in [strata] would be written "
		        "by each of the %zu targets: set it in each "
		        "[target \"name\"] instead",
		        cli->n_targets);
	return rc;
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
