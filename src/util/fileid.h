/*
 * What identifies a file's state for strata's caches, without reading it.
 */
#ifndef STRATA_UTIL_FILEID_H
#define STRATA_UTIL_FILEID_H

#include <sys/stat.h>

#include "buf.h"

/*
 * Append "DEV:INO SIZE MTIME CTIME" (times to the nanosecond) to out: it
 * changes with every write, rename over, or change of the inode. The
 * first word names the file; the rest is its state.
 */
int strata__file_identity(strata_buf *out, const struct stat *st);

/*
 * How long (ms) a file must have been left unchanged before a cache keeps
 * anything about it: dflt_ms, the time within which a later change could
 * leave the same times. Test builds only: STRATA_TEST_CACHE_MIN_AGE_MS
 * replaces it, so that tests need not wait for files to age.
 */
long long strata__cache_min_age_ms(long long dflt_ms);

#endif
