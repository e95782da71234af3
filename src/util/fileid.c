/*
 * The identity of a file's state, for the caches (dircache.c and
 * the SQLite driver's state_key).
 */
#include "fileid.h"

#include <errno.h>
#include <stdlib.h>

int strata__file_identity(strata_buf *out, const struct stat *st)
{
	return strata__buf_printf(
	        out, "%llu:%llu %lld %lld.%09ld %lld.%09ld",
	        (unsigned long long)st->st_dev, (unsigned long long)st->st_ino,
	        (long long)st->st_size, (long long)st->st_mtim.tv_sec,
	        st->st_mtim.tv_nsec, (long long)st->st_ctim.tv_sec,
	        st->st_ctim.tv_nsec);
}

long long strata__cache_min_age_ms(long long dflt_ms)
{
#ifdef STRATA_TEST_BUILD
	const char *v = getenv("STRATA_TEST_CACHE_MIN_AGE_MS");
	char *end;
	long long n;

	if (v && *v) {
		errno = 0;
		n = strtoll(v, &end, 10);
		if (errno == 0 && *end == '\0' && n >= 0)
			return n;
	}
#endif
	return dflt_ms;
}
