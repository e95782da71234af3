/*
 * Database URLs: the scheme that picks the driver, and a copy with the
 * password masked for anything that is printed.
 */
#ifndef STRATA_LIB_URL_H
#define STRATA_LIB_URL_H

#include "common.h"

/* Copy the scheme (before ':') into out; 0, or STRATA_EINVALID. */
int strata__url_scheme(char *out, size_t out_len, const char *url);

/* Append url to out with any password (user:PASS@, password=PASS) masked. */
int strata__url_redact(strata_buf *out, const char *url);

/* The password in url (user:PASS@ or password=PASS), raw and
 * percent-decoded, as two malloc'd strings (either may be NULL). */
int strata__url_secrets(const char *url, char **raw, char **decoded);

/* Replace every occurrence of secret in text with "***" (in place). */
void strata__redact_secret(strata_buf *text, const char *secret);

#endif
