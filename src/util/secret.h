/*
 * Passwords in URLs: the one finder and the one mask that every part of
 * strata uses (the context's error messages, the drivers' own), so that
 * what one masks the others mask too. When in doubt, mask more.
 */
#ifndef STRATA_UTIL_SECRET_H
#define STRATA_UTIL_SECRET_H

#include <stddef.h>

#include "strata/buf.h"

/*
 * The password of url, as written (not decoded): the user info's
 * user:PASS@ (ended by the last '@' before any '?' or '#', since a
 * password may hold '@' and '/'; in a malformed URL, the last '@'), else
 * a password=PASS parameter or conninfo keyword (ended by '&', ' ' or
 * ';'). Sets *pw and *n and returns 1, or returns 0 when there is none
 * (or it is empty).
 */
int strata__url_password(const char *url, const char **pw, size_t *n);

/*
 * Replace every occurrence of secret in text: with "***" when it has 3
 * bytes or more, with "**" when it has 2; a 1-byte secret, or one of '*'
 * only (the mask itself), is left alone.
 */
void strata__mask_secret(strata_buf *text, const char *secret);

#endif
