/*
 * Options, as git's parse-options: each command declares a table of its
 * own options next to its code (struct cmd, cli.h); one parser reads the
 * global options and the command's together, anywhere on the command
 * line, and the same tables print the usage and --help.
 */
#ifndef STRATA_CLI_OPTIONS_H
#define STRATA_CLI_OPTIONS_H

#include <stddef.h>
#include <stdio.h>

#include "cli.h"

/* Setters: o->offset is the field of struct cli that they fill. */
int cli_opt_flag(struct cli *cli, const struct cli_opt *o, const char *arg);
int cli_opt_count(struct cli *cli, const struct cli_opt *o, const char *arg);
int cli_opt_string(struct cli *cli, const struct cli_opt *o, const char *arg);
/* --to VERSION: cli->to and cli->has_to */
int cli_opt_to(struct cli *cli, const struct cli_opt *o, const char *arg);
/* wait --timeout SECONDS: cli->wait_timeout_s (-1 for 0: try once) */
int cli_opt_wait_timeout(struct cli *cli, const struct cli_opt *o,
                         const char *arg);

/* 1 when o's value may be left out: it is then given only as --o=VALUE */
#define cli_opt_value_optional(o) ((o)->arg_name && (o)->arg_name[0] == '[')
/* 1 when o takes the next word as its value when it has no '=' */
#define cli_opt_takes_next(o) ((o)->arg_name && !cli_opt_value_optional(o))

/* up --wait-replicas[=SECONDS]: cli->wait_replicas_ms (60 s by default) */
int cli_opt_wait_replicas(struct cli *cli, const struct cli_opt *o,
                          const char *arg);

/* A flag (int set to 1), a counter (int, +1 each time), a string. */
#define CLI_OPT_FLAG(s, l, field, h)                       \
 {                                                         \
  l, s, NULL, h, cli_opt_flag, offsetof(struct cli, field) \
 }
#define CLI_OPT_COUNT(s, l, field, h)                       \
 {                                                          \
  l, s, NULL, h, cli_opt_count, offsetof(struct cli, field) \
 }
#define CLI_OPT_STRING(s, l, field, a, h)                 \
 {                                                        \
  l, s, a, h, cli_opt_string, offsetof(struct cli, field) \
 }
/* Anything else: fn(cli, o, arg); a is NULL when it takes no value. */
#define CLI_OPT_CALLBACK(s, l, a, fn, h) \
 {                                       \
  l, s, a, h, fn, 0                      \
 }
#define CLI_OPT_END            \
 {                             \
  NULL, 0, NULL, NULL, NULL, 0 \
 }

/* The option that sets s, for the library's messages ("--to") */
const char *cli_setting_name(strata_setting s, void *payload);

/* The options every command takes. */
extern const struct cli_opt cli_global_opts[];
/* The values of --color (WHEN), NULL-terminated. */
extern const char *const cli_color_modes[];

/* One line per option: "  -d, --database URL   database URL ..." */
void cli_print_opts(const struct cli_opt *o, FILE *f);
void cli_print_command_help(const struct cmd *c, FILE *f);

/*
 * Parse the global options and cli->cmd's (when set) anywhere in argv;
 * leaves the positional arguments in argv[optind..]. Sets cli->help for
 * --help. Returns 0 or an exit code (a usage error was printed).
 */
int cli_parse_options(struct cli *cli, int argc, char **argv);
/* Does this word, a global option, take a value (so that the next word
 * is not the command)? */
int cli_global_takes_arg(const char *word);

/* Levenshtein distance between short words (99 past 30 bytes). */
int cli_edit_distance(const char *a, const char *b);
/* "unknown option '--jsn': did you mean '--json'?" over the global
 * options and cli->cmd's; returns EXIT_USAGE. */
int cli_unknown_option(const struct cli *cli, const char *word);

/* Apply --color and --no-color before the command is known, so that an
 * unknown command is reported in the colours asked for (a bad value is
 * left to cli_parse_options). */
void cli_early_color(struct cli *cli, int argc, char **argv);

/* "strata: error: ...", the command's usage line; returns EXIT_USAGE. */
int cli_usage_error(const struct cli *cli, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
/* Check a VERSION argument (digits, or parts of digits separated by '.'
 * or '_') or a count N (1 to 1000000): 0, or -1 after a usage error. */
int cli_parse_version(struct cli *cli, const char *what, const char *text);
int cli_parse_count(struct cli *cli, const char *text, unsigned *out);

#endif
