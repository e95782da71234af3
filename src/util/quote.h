/*
 * Names and text made safe to print: a file, migration or table name with
 * control characters or invalid UTF-8 would otherwise reach the terminal
 * as it is (an ESC sequence, or a newline that starts a forged
 * "strata: ..." line). Used by the library (messages, plan comments) and
 * the CLI (tables, file positions).
 *
 * Names are quoted as git quotes paths with core.quotePath=false: a name
 * is printed unchanged unless it holds a control character (below 0x20,
 * 0x7f, or U+0080 to U+009F), '"', '\\' or invalid UTF-8; then it is put
 * between double quotes with C escapes: \a \b \t \n \v \f \r \" \\, and
 * \ooo (three octal digits) for any other control byte and for each byte
 * of invalid UTF-8. Valid UTF-8 beyond ASCII is printed as it is.
 */
#ifndef STRATA_UTIL_QUOTE_H
#define STRATA_UTIL_QUOTE_H

#include <stddef.h>

#include "buf.h"

/* Does s (len bytes) need quoting to be printed? */
int strata__quote_needed(const char *s, size_t len);

/* Append s to out: as it is, or quoted as above. */
STRATA_WARN_UNUSED int strata__quote_put(strata_buf *out, const char *s,
                                         size_t len);

/*
 * Append free text (a message, a server's error) to out with control
 * characters and invalid UTF-8 escaped as above, but no quotes added and
 * '"' and '\\' left as they are, so that ordinary text reads as written.
 * The result is one line of valid UTF-8.
 */
STRATA_WARN_UNUSED int strata__escape_put(strata_buf *out, const char *s,
                                          size_t len);

/* strata__escape_put on buf itself, from byte `from` to its end. */
STRATA_WARN_UNUSED int strata__escape_buf(strata_buf *buf, size_t from);

/*
 * s itself when it needs no quoting (no allocation), else its quoted form
 * held in tmp, which the caller releases; a fixed "\"?\"" when out of
 * memory. For printf-style call sites: "%s", strata__quoted(&tmp, name).
 */
const char *strata__quoted(strata_buf *tmp, const char *s);

/*
 * Append s to out with every byte that is not part of valid UTF-8
 * replaced by U+FFFD: JSON strings must be valid UTF-8.
 */
STRATA_WARN_UNUSED int strata__utf8_put_valid(strata_buf *out, const char *s,
                                              size_t len);

#endif
