/*
 * The command-line tool: shared state, option tables, output helpers and
 * the commands (one file each, cmd_<name>.c).
 */
#ifndef STRATA_CLI_H
#define STRATA_CLI_H

#include <stdio.h>

#include "strata/strata.h"

/* Exit codes (documented in docs/strata.1 and README). */
enum {
	EXIT_OK = 0,
	EXIT_FAILED = 1,  /* a migration or database statement failed */
	EXIT_USAGE = 2,   /* bad option, bad file name, unreadable file */
	EXIT_STATE = 3,   /* drift, dirty, missing, out of order, foreign */
	EXIT_LOCK = 4,    /* the lock was not had in time */
	EXIT_CONNECT = 5, /* the database could not be reached */
	EXIT_INTERRUPTED = 130 /* SIGINT/SIGTERM: stopped, statement cancelled
	                        */
};

/* Option ids: short options use their character, the rest these. */
enum {
	OPT_NONE = 0,
	OPT_DATABASE = 'd',
	OPT_DIR = 'm',
	OPT_QUIET = 'q',
	OPT_VERBOSE = 'v',
	OPT_HELP = 'h',
	OPT_TABLE = 256,
	OPT_SCHEMA,
	OPT_CONFIG,
	OPT_TARGET,
	OPT_JSON,
	OPT_NO_COLOR,
	OPT_LOCK_TIMEOUT,
	OPT_DRY_RUN,
	OPT_TO,
	OPT_ALL,
	OPT_SEQ,
	OPT_ALLOW_OOO,
	OPT_OFFLINE,
	OPT_VERSION,
	OPT_DOWN,
	OPT_PRUNE,
	OPT_SUFFIX,
	OPT_LIST,
	OPT_NO_BACKUP,
	OPT_YES_DELETE,
	OPT_SINGLE_TXN
};

struct cli_opt {
	const char *long_name;
	int id; /* OPT_* (a printable id is also the short option) */
	int has_arg;
	const char *arg_name;
	const char *help;
};

/* A [target "name"] section of strata.conf. */
struct cli_target {
	char *name;
	char *type; /* sqlite, postgres, mysql or exec */
	char *url;  /* expanded; may hold a password */
	char *dir;
	char *table;
	char *schema;
	char *lock_timeout;
	char *command;     /* exec: expanded */
	char *command_raw; /* exec: as written, for `strata config` */
	char *registry;    /* exec: a target name or URL for the history */
	char *extension;   /* exec: of new files */
	char **env;        /* exec: "NAME=value" from env.NAME keys */
	size_t n_env;
	int line;
};

/* What the command line said, before any other source. */
struct cli_flags {
	const char *database, *dir, *table, *schema;
	int lock_timeout_s; /* 0: not given */
};

struct cli {
	struct cli_flags flag;

	/* resolved settings for the run (or the target) at hand */
	const char *database;      /* may hold a password */
	const char *database_from; /* "--database", "DATABASE_URL", ... */
	const char *dir;
	const char *table;
	const char *schema;
	const char *target; /* --target, or the target being run */
	const char *config;
	int lock_timeout_s;
	const struct cli_target *tgt; /* the target being run, or NULL */
	int quiet, verbose, json, color, color_err;

	/* targets from strata.conf, in the file's order */
	struct cli_target *targets;
	size_t n_targets;

	/* command options */
	int dry_run, all, seq, allow_out_of_order, offline, down, prune;
	int list, no_backup, yes_delete, single_transaction;
	const char *suffix;
	int has_to;
	uint64_t to;

	const struct cmd *cmd;
	strata_ctx *ctx;
};

struct cmd {
	const char *name;
	int (*run)(struct cli *cli, int argc, char **argv);
	const struct cli_opt *opts; /* command's own options, or NULL */
	const char *args;           /* "[N] [--to V]" */
	const char *summary;
	const char *help; /* longer description, or NULL */
	unsigned flags;
};

#define CMD_NO_PROJECT  (1u << 0) /* runs without opening a context */
#define CMD_ALL_TARGETS (1u << 1) /* without --target: every target */
#define CMD_REVERSE     (1u << 2) /* ... in reverse order (down) */

/* main.c */
extern const struct cmd cli_commands[];
const struct cmd *cli_find_command(const char *name);
void cli_print_command_help(const struct cli *cli, const struct cmd *c,
                            FILE *f);
int cli_usage_error(const struct cli *cli, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

/* config.c: settings from flags, environment, .env and strata.conf */
int cli_load_config(struct cli *cli);
int cli_resolve_settings(struct cli *cli, const struct cli_target *t);
void cli_settings_release(struct cli *cli);
const struct cli_target *cli_find_target(const struct cli *cli,
                                         const char *name);

/* targets.c: run a command on one target or on all of them */
int cli_run_targets(struct cli *cli, int argc, char **argv);

/* output.c */
void cli_init_color(struct cli *cli, int no_color_flag);
const char *cli_c(const struct cli *cli, const char *what); /* colour code */
int cli_report_error(const struct cli *cli, int rc); /* prints; exit code */
void cli_warn(const struct cli *cli, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
void cli_note(const struct cli *cli, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
void cli_on_event(const strata_event *ev, void *payload);
int cli_exit_code(int rc);
int cli_open(struct cli *cli); /* strata_ctx_new from the settings */
void cli_format_ms(char *out, size_t n, int64_t ms);
int cli_parse_version(struct cli *cli, const char *what, const char *text,
                      uint64_t *out);
int cli_parse_count(struct cli *cli, const char *text, unsigned *out);

/* signals.c */
void cli_catch_signals(strata_ctx *ctx);
void cli_release_signals(void);

/* the commands */
int cmd_init(struct cli *cli, int argc, char **argv);
int cmd_new(struct cli *cli, int argc, char **argv);
int cmd_up(struct cli *cli, int argc, char **argv);
int cmd_down(struct cli *cli, int argc, char **argv);
int cmd_redo(struct cli *cli, int argc, char **argv);
int cmd_status(struct cli *cli, int argc, char **argv);
int cmd_history(struct cli *cli, int argc, char **argv);
int cmd_validate(struct cli *cli, int argc, char **argv);
int cmd_force(struct cli *cli, int argc, char **argv);
int cmd_repair(struct cli *cli, int argc, char **argv);
int cmd_plan(struct cli *cli, int argc, char **argv);
int cmd_baseline(struct cli *cli, int argc, char **argv);
int cmd_config(struct cli *cli, int argc, char **argv);
int cmd_backup(struct cli *cli, int argc, char **argv);
int cmd_restore(struct cli *cli, int argc, char **argv);
int cmd_fresh(struct cli *cli, int argc, char **argv);
int cmd_version(struct cli *cli, int argc, char **argv);
int cmd_help(struct cli *cli, int argc, char **argv);

#endif
