/*
 * .env files, read as dotenv and godotenv read them: every variable, for
 * DATABASE_URL and STRATA_DIR and for ${VAR} in strata.conf. Shared by
 * the command-line tool and its fuzz target (tests/fuzz/fuzz_dotenv.c).
 */
#ifndef STRATA_UTIL_DOTENV_H
#define STRATA_UTIL_DOTENV_H

#include <stddef.h>

struct strata__dotenv_var {
	char *name;
	char *value; /* escapes and ${VAR} resolved */
	char *unset; /* a variable the value uses that is set nowhere (it
	              * counts as empty), or NULL */
	int line;    /* where the value starts (the last one, when set twice) */
};

struct strata__dotenv {
	struct strata__dotenv_var *vars;
	size_t n;
};

/*
 * Parse the text of a .env file: NAME=value lines (a name of letters,
 * digits, '_', '.' and '-'; "export " first, and spaces around '='), blank
 * lines, # comments on their own line or after a value (" #"), CRLF line ends.
 * 'single quotes' keep the text as it is; "double quotes" turn \n, \r, \t, \",
 * \\ and \$ into what they stand for; both may span lines. Unquoted and
 * double-quoted values expand ${VAR} and $VAR from the environment first, then
 * from the variables set above; a variable set nowhere counts as empty and is
 * kept in `unset`. A later line setting a name again wins.
 * @return 0; the line (1 or more) of the first malformed line, with err
 * filled in; or -1 when out of memory. env is released on failure.
 */
int strata__dotenv_parse(struct strata__dotenv *env, const char *text,
                         size_t len, char *err, size_t err_len);

/* The variable called name, or NULL. */
const struct strata__dotenv_var *
strata__dotenv_find(const struct strata__dotenv *env, const char *name);

/* Free every variable; accepts a zeroed struct. */
void strata__dotenv_release(struct strata__dotenv *env);

#endif
