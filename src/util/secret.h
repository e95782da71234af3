/*
 * The one mask: what every part of strata (the context's error messages,
 * the drivers' own) applies to a text that may repeat a password, so that
 * what one masks the others mask too. The password itself comes from the
 * one finder, strata__url_secret() (url.h). When in doubt, mask more.
 */
#ifndef STRATA_UTIL_SECRET_H
#define STRATA_UTIL_SECRET_H

#include <stddef.h>

#include "strata/buf.h"

/*
 * Replace every occurrence of secret in text: with "***" when it has 3
 * bytes or more, with "**" when it has 2; a 1-byte secret, or one of '*'
 * only (the mask itself), is left alone. A secret holding a raw '@' or
 * '/' (p@ss/w) has each part between them of 3 bytes or more masked too:
 * libpq and libmariadb end the user info at the first '@' and print the
 * rest as host and database names. NULL: nothing.
 */
void strata__mask_secret(strata_buf *text, const char *secret);

#endif
