/*
 * The command-line tool's shared types: exit codes, the state of a run
 * (struct cli), a command (struct cmd) and its options (struct cli_opt).
 * Each file's functions are declared in its own header: output.h,
 * options.h, config.h, targets.h, commands.h.
 */
#ifndef STRATA_CLI_H
#define STRATA_CLI_H

#include <stddef.h>

#include "strata/strata.h"

/* Exit codes (documented in docs/strata.1 and README). */
enum {
	EXIT_OK = 0,
	EXIT_FAILED = 1,  /* a migration or database statement failed */
	EXIT_USAGE = 2,   /* bad option, bad file name, unreadable file */
	EXIT_STATE = 3,   /* drift, dirty, missing, out of order, foreign */
	EXIT_LOCK = 4,    /* the lock was not had in time; standbys behind */
	EXIT_CONNECT = 5, /* the database could not be reached */
	EXIT_UNCLEAN = 6, /* check: pending, dirty, modified or missing */
	EXIT_SCHEMA_FILE = 7,  /* migrated, but schema_file not written */
	EXIT_INTERRUPTED = 130 /* SIGINT/SIGTERM: stopped, statement cancelled
	                        */
};

struct cli;

/* One option of a table (options.h builds them: CLI_OPT_FLAG ...). */
struct cli_opt {
	const char *long_name;
	char short_name; /* or 0 */
	/* its value in the help ("URL"), NULL: none; "[=SECONDS]": a value
	 * that may follow after '=' (cli_opt_value_optional) */
	const char *arg_name;
	const char *help;
	int (*set)(struct cli *cli, const struct cli_opt *o, const char *arg);
	size_t offset; /* of the field of struct cli that set() fills */
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
	char *ddl_lock; /* ddl_lock_timeout = DURATION [retries=N] */
	int ddl_lock_line;
	char *command;     /* exec: expanded */
	char *command_raw; /* exec: as written, for `strata config` */
	char *registry;    /* exec: a target name or URL for the history */
	char *extension;   /* exec: of new files */
	char *schema_file; /* dump written after up, down, redo, or NULL */
	char *shadow;      /* drift's scratch database, or NULL */
	/* many databases (fleet.c): "file:PATH", "glob:PATTERN",
	 * "query:SQL" or "schemas:PATTERN"; NULL: the one url */
	char *fleet;
	char *fleet_url; /* where fleet = query: runs; NULL: url */
	int fleet_line;
	/* fleet_reuse = on (1) | off (0); -1: not set, on for schemas: */
	int fleet_reuse;
	char **env; /* exec: "NAME=value" from env.NAME keys */
	size_t n_env;
	int line;                              /* of the [target "name"] */
	int url_line, dir_line, registry_line; /* of those settings, or 0 */
	int command_line;
	int backup, backup_line; /* backup = on (1) | off (0), -1: not set */
	/* the first setting that could not be expanded (an unset ${VAR}):
	 * an error for a command on this target only */
	char *bad_setting;
	int bad_line;
};

/* What the command line said, before any other source. */
struct cli_flags {
	const char *database, *dir, *table, *schema;
	int lock_timeout_s;  /* 0: not given */
	int local_time, utc; /* --local-time, --utc */
};

struct cli {
	struct cli_flags flag;

	/* resolved settings for the run (or the target) at hand */
	const char *database;      /* may hold a password */
	const char *database_from; /* "--database", "DATABASE_URL", ".env:3",
	                            * "strata.conf:2", "default" ... */
	const char *dir;
	const char *dir_from; /* "--dir", "STRATA_DIR", ".env:3", "default" */
	const char *table;
	const char *schema;
	const char *target; /* --target, or the target being run */
	const char *config;
	int lock_timeout_s;
	/* ddl_lock_timeout: ms (0: not set) and retries */
	int ddl_lock_ms, ddl_lock_retries;
	const struct cli_target *tgt; /* the target being run, or NULL */
	const char *schema_file;      /* written after a change, or NULL */
	const char *shadow;           /* drift: the shadow setting, or NULL */
	int quiet, verbose, json, color, color_err;
	int local_time; /* times in the local zone (else UTC) */
	/* strata.conf's backup = off for the target at hand: where it says
	 * so ("strata.conf:4"), or NULL when automatic backups are on */
	const char *backup_off;
	int help; /* --help */

	/* targets from strata.conf, in the file's order */
	struct cli_target *targets;
	size_t n_targets;

	/* command options */
	int dry_run, all, seq, allow_out_of_order, offline, down, prune;
	int list, no_backup, yes_delete, single_transaction;
	int yes; /* repair: drop INVALID indexes without asking */
	int yes_replace, any_file, undo, exit_code, log;
	int wait_timeout_s;   /* wait --timeout: 0 not given, -1 for 0 */
	int wait_replicas;    /* up --wait-replicas */
	int wait_replicas_ms; /* its timeout */
	const char *suffix;
	const char *from;   /* adopt --from TOOL */
	const char *output; /* dump -o FILE */
	int has_to;
	const char *to;         /* --to, as written (checked) */
	const char *drift_from; /* drift --from FILE */
	const char *keep;       /* squash --keep DIR */
	int force;              /* squash --force */
	const char *dialect;    /* lint --dialect NAME */
	int rules;              /* lint --rules */
	/* fleets (fleet.c): --jobs, --fail-fast, --member */
	int jobs;
	int fail_fast;
	const char *member;
	const char *fleet_member; /* the member this process runs on */
	/* a fleet's worker: the last member's context, kept for its
	 * connection, which the next member's takes over (fleet.c) */
	int keep_ctx;
	strata_ctx *spare;

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
#define CMD_WRITES      (1u << 3) /* changes the database: needs one named */
#define CMD_FLEET       (1u << 4) /* runs on every member of a fleet */
#define CMD_FOLDER      (1u << 5) /* reads no database: a fleet's once */

/* signals.c */
void cli_catch_signals(strata_ctx *ctx);
void cli_release_signals(void);

#endif
