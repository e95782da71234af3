/*
 * strata __complete: the candidates for the word a shell is completing,
 * read from the command and option tables (so the scripts in completions/
 * hold no list of their own), the targets of strata.conf and the versions
 * of the migrations folder. Nothing here connects to a database: a
 * completion must answer at once, and never ask for a password.
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "complete.h"
#include "config.h"
#include "options.h"

struct comp {
	struct cli cli; /* the --dir, --config, --target ... seen so far */
	const struct cmd *cmd;         /* the command word, once seen */
	int unknown_cmd;               /* a command word strata does not know */
	int npos;                      /* arguments after the command */
	const struct cli_opt *pending; /* the last word: an option needing a
	                                * value */
	int describe;
	const char *cur;   /* the word being completed */
	size_t plen;       /* of "--to=" when cur is "--to=VALUE", else 0 */
	const char *value; /* cur + plen: what the candidates must start with */
};

static const struct cli_opt *find_long(const struct cmd *c, const char *name,
                                       size_t len)
{
	const struct cli_opt *tables[2] = { cli_global_opts,
		                            c ? c->opts : NULL };
	const struct cli_opt *o;
	size_t i;

	for (i = 0; i < 2; i++)
		for (o = tables[i]; o && o->long_name; o++)
			if (strlen(o->long_name) == len &&
			    strncmp(o->long_name, name, len) == 0)
				return o;
	return NULL;
}

static const struct cli_opt *find_short(const struct cmd *c, char name)
{
	const struct cli_opt *tables[2] = { cli_global_opts,
		                            c ? c->opts : NULL };
	const struct cli_opt *o;
	size_t i;

	for (i = 0; i < 2; i++)
		for (o = tables[i]; o && o->long_name; o++)
			if (o->short_name && o->short_name == name)
				return o;
	return NULL;
}

/* One candidate, when it starts with what was typed. */
static void put(const struct comp *s, const char *word, const char *desc)
{
	const char *p;

	if (strncmp(word, s->value, strlen(s->value)) != 0 ||
	    strpbrk(word, "\t\n") || (s->plen == 0 && word[0] == ':'))
		return;
	printf("%.*s%s", (int)s->plen, s->cur, word);
	if (s->describe && desc && desc[0]) {
		putchar('\t');
		/* its first line, on one line */
		for (p = desc; *p && *p != '\n'; p++)
			putchar(*p == '\t' ? ' ' : *p);
	}
	putchar('\n');
}

static void put_commands(const struct comp *s)
{
	const struct cmd *const *c;

	for (c = cli_commands; *c; c++)
		put(s, (*c)->name, (*c)->summary);
}

static void put_options(const struct comp *s)
{
	const struct cli_opt *tables[2] = { s->cmd ? s->cmd->opts : NULL,
		                            cli_global_opts };
	const struct cli_opt *o;
	char word[64];
	size_t i;

	for (i = 0; i < 2; i++)
		for (o = tables[i]; o && o->long_name; o++) {
			snprintf(word, sizeof(word), "--%s", o->long_name);
			put(s, word, o->help);
		}
}

static void put_targets(struct comp *s)
{
	size_t i;

	if (cli_load_config(&s->cli, 0) != 0)
		return;
	for (i = 0; i < s->cli.n_targets; i++)
		put(s, s->cli.targets[i].name, s->cli.targets[i].type);
}

/*
 * The versions of the migration files in the folder the command would
 * read (--dir, the target's dir, STRATA_DIR, .env, strata.conf or
 * migrations/), oldest first, as the file names write them ("0004"; the
 * same as `status` shows). The folder only: which of them are applied
 * would take a connection.
 */
static void put_versions(struct comp *s)
{
	const struct cli_target *t = NULL;
	const strata_migration *m;
	strata_ctx *ctx = NULL;
	strata_options o;
	size_t i, n;

	if (cli_load_config(&s->cli, 0) != 0)
		return;
	if (s->cli.target) {
		t = cli_find_target(&s->cli, s->cli.target);
		if (!t)
			return;
	} else if (s->cli.n_targets == 1) {
		t = &s->cli.targets[0];
	}
	if (cli_resolve_dir(&s->cli, t) != 0)
		return;
	memset(&o, 0, sizeof(o));
	/* never connected to: strata_status() below is offline */
	o.database_url = t && t->url ? t->url : "sqlite::memory:";
	o.migrations_dir = s->cli.dir;
	if (t && strcmp(t->type, "exec") == 0) {
		o.exec = 1;
		o.exec_command = t->command;
		o.exec_env = (const char *const *)t->env;
		o.exec_extension = t->extension;
	}
	if (strata_ctx_new(&ctx, &o) < 0)
		return;
	if (strata_status(&m, &n, ctx, 1) == 0)
		for (i = 0; i < n; i++)
			if (m[i].version[0] &&
			    (i == 0 || strcmp(m[i].version, m[i - 1].version)))
				put(s, m[i].version_text, m[i].name);
	strata_ctx_free(ctx);
}

/* The value of option o; the shell completes names of files itself. */
static void put_values(struct comp *s, const struct cli_opt *o)
{
	size_t i;

	if (strcmp(o->long_name, "target") == 0)
		put_targets(s);
	else if (strcmp(o->arg_name, "VERSION") == 0)
		put_versions(s);
	else if (strcmp(o->arg_name, "DIR") == 0)
		puts(":dirs");
	else if (strcmp(o->arg_name, "FILE") == 0)
		puts(":files");
	else if (strcmp(o->arg_name, "WHEN") == 0)
		for (i = 0; cli_color_modes[i]; i++)
			put(s, cli_color_modes[i], NULL);
}

/* The command's arguments, from its usage line ("VERSION", "FILE ..."). */
static void put_arguments(struct comp *s)
{
	const char *args = s->cmd->args;

	if (s->npos > 0)
		return; /* no command takes a second one */
	if (strncmp(args, "VERSION", 7) == 0) {
		put_versions(s);
		if (s->cmd == &cli_cmd_force)
			put(s, "none", "no migration recorded as applied");
	} else if (strncmp(args, "FILE", 4) == 0) {
		puts(":files");
	} else if (strncmp(args, "[COMMAND]", 9) == 0) {
		put_commands(s);
	}
}

/* An option word before the one being completed. */
static void read_option(struct comp *s, const char *w)
{
	const struct cli_opt *o;
	const char *v = NULL;

	if (w[1] == '-') {
		size_t len = strcspn(w + 2, "=");

		o = find_long(s->cmd, w + 2, len);
		if (o && w[2 + len] == '=')
			v = w + 3 + len;
	} else {
		o = find_short(s->cmd, w[1]);
		if (o && w[2])
			v = w + 2;
	}
	if (!o || !o->arg_name)
		return;
	if (!v && cli_opt_takes_next(o))
		s->pending = o;
	else if (o->set == cli_opt_string)
		o->set(&s->cli, o, v);
}

int cli_complete(int n, char **words, int describe)
{
	struct comp s;
	int i, dashdash = 0;
	/* a message would land in the middle of the shell's prompt */
	FILE *null = freopen("/dev/null", "w", stderr);

	(void)null; /* on failure stderr is closed: as quiet */
	memset(&s, 0, sizeof(s));
	s.describe = describe;
	s.cur = s.value = n > 0 ? words[n - 1] : "";
	for (i = 0; i < n - 1; i++) {
		const char *w = words[i];

		if (s.pending) {
			/* --dir, --config, --target: where to look */
			if (s.pending->set == cli_opt_string)
				s.pending->set(&s.cli, s.pending, w);
			s.pending = NULL;
		} else if (!dashdash && strcmp(w, "--") == 0) {
			dashdash = 1;
		} else if (!dashdash && w[0] == '-' && w[1]) {
			read_option(&s, w);
		} else if (!s.cmd && !s.unknown_cmd) {
			s.cmd = cli_find_command(w);
			s.unknown_cmd = !s.cmd;
		} else {
			s.npos++;
		}
	}
	if (s.pending) {
		put_values(&s, s.pending);
	} else if (!dashdash && s.cur[0] == '-') {
		const char *eq = strchr(s.cur, '=');
		const struct cli_opt *o = NULL;

		if (s.cur[1] == '-' && eq)
			o = find_long(s.cmd, s.cur + 2,
			              (size_t)(eq - s.cur - 2));
		if (o && o->arg_name) {
			s.plen = (size_t)(eq - s.cur) + 1;
			s.value = eq + 1;
			put_values(&s, o);
		} else if (!eq) {
			put_options(&s);
		}
	} else if (!s.cmd) {
		if (!s.unknown_cmd)
			put_commands(&s);
	} else {
		put_arguments(&s);
	}
	cli_settings_release(&s.cli);
	return fflush(stdout) == 0 && !ferror(stdout) ? EXIT_OK : EXIT_FAILED;
}
