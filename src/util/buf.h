/*
 * Builders for strata_buf (include/strata/buf.h). Invariants, as in git's
 * strbuf: ptr is never NULL and always NUL-terminated; len excludes the
 * NUL. Every builder returns 0 or STRATA_ENOMEM and leaves the buffer
 * valid (unchanged) on failure.
 */
#ifndef STRATA_UTIL_BUF_H
#define STRATA_UTIL_BUF_H

#include <stdarg.h>
#include "strata/buf.h"

#if defined(__GNUC__)
# define STRATA_WARN_UNUSED  __attribute__((warn_unused_result))
# define STRATA_PRINTF(f, a) __attribute__((format(printf, f, a)))
# define STRATA_VPRINTF(f)   __attribute__((format(printf, f, 0)))
#else
# define STRATA_WARN_UNUSED
# define STRATA_PRINTF(f, a)
# define STRATA_VPRINTF(f)
#endif

STRATA_WARN_UNUSED int strata__buf_grow(strata_buf *buf, size_t extra);
STRATA_WARN_UNUSED int strata__buf_put(strata_buf *buf, const char *data,
                                       size_t len);
STRATA_WARN_UNUSED int strata__buf_puts(strata_buf *buf, const char *s);
STRATA_WARN_UNUSED int strata__buf_putc(strata_buf *buf, char c);
STRATA_WARN_UNUSED STRATA_PRINTF(2, 3) int strata__buf_printf(strata_buf *buf,
                                                              const char *fmt,
                                                              ...);
STRATA_WARN_UNUSED STRATA_VPRINTF(2) int strata__buf_vprintf(strata_buf *buf,
                                                             const char *fmt,
                                                             va_list ap);
void strata__buf_truncate(strata_buf *buf, size_t len);
void strata__buf_clear(strata_buf *buf);

/* Take the buffer's memory (caller frees with strata__free); resets buf. */
char *strata__buf_detach(strata_buf *buf);

#endif
