/*
 * Rules of strata.conf shared by the command-line tool and its fuzz
 * target (tests/fuzz/fuzz_config.c).
 */
#ifndef STRATA_UTIL_CONF_H
#define STRATA_UTIL_CONF_H

#include <stddef.h>

struct strata__dotenv;

/* Expand ${VAR} from the environment, then from dotenv (a .env file's
 * variables, or NULL). @return a malloc'd string, or NULL with err filled
 * in (a variable set nowhere, a .env variable that uses one, a malformed
 * reference) or err empty (out of memory). */
char *strata__conf_expand(const char *value,
                          const struct strata__dotenv *dotenv, char *err,
                          size_t err_len);

/* The name inside [target "name"] (letters, digits, '_', '-', '.'),
 * malloc'd, or NULL when the section is not a target's. */
char *strata__conf_target_name(const char *section);

#endif
