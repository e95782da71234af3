/*
 * The identity of a file's state, for the caches (dircache.c and
 * the SQLite driver's state_key).
 */
#include "fileid.h"

int strata__file_identity(strata_buf *out, const struct stat *st)
{
	return strata__buf_printf(
	        out, "%llu:%llu %lld %lld.%09ld %lld.%09ld",
	        (unsigned long long)st->st_dev, (unsigned long long)st->st_ino,
	        (long long)st->st_size, (long long)st->st_mtim.tv_sec,
	        st->st_mtim.tv_nsec, (long long)st->st_ctim.tv_sec,
	        st->st_ctim.tv_nsec);
}
