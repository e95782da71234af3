/*
 * The names in an unchanged migrations folder, without reading it again
 * (the migration files' names, in the order the engine sorts them, and
 * its sub-folders, whose files are read on every run; other files add
 * nothing and a folder with a bad name is not kept).
 * Reading a folder of 2000 entries costs more than anything else a no-op
 * `up` does but stat-ing its applied files. Adding, removing or renaming
 * an entry changes the folder's modification and change times, so the
 * names read under one (device, inode, size, times) are kept in
 * $XDG_CACHE_HOME/strata/d-<hash> and used while the folder's identity is
 * the same. A listing younger than two seconds is not kept (two entries
 * created in the same clock tick give the folder one time). Editing a
 * file in place does not change the folder, and needs not: only names are
 * kept; the stat cache watches the files themselves.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "ctx.h"
#include "source.h"
#include "../util/fileid.h"

/* 2: suffixes read in any case (a listing kept under 1 may lack names);
 * 3: sub-folders kept as "name/" (Prisma's and Diesel's migrations);
 * 4: versions of any length, 0 and dotted ones, in numeric order */
#define DIRCACHE_MAGIC "strata-dircache 4\n"
#define RACY_SECONDS   2
/* whole-second times (FAT: 2 s steps) need a longer wait */
#define RACY_SECONDS_COARSE 4

/* The identity of the open folder (strata__file_identity); 0 when the
 * folder changed too recently to be told apart from a later change. */
static int folder_key(int fd, strata_buf *key, strata_buf *path)
{
	struct stat st;
	time_t now = time(NULL);
	long long age;
	int rc;
	char name[24];

	if (fstat(fd, &st) < 0 || !S_ISDIR(st.st_mode))
		return 0;
	age = st.st_mtim.tv_nsec == 0 && st.st_ctim.tv_nsec == 0 ?
	              RACY_SECONDS_COARSE :
	              RACY_SECONDS;
	age = (strata__cache_min_age_ms(age * 1000) + 999) / 1000;
	if (st.st_mtim.tv_sec + age > now || st.st_ctim.tv_sec + age > now)
		return 0;
	rc = strata__file_identity(key, &st);
	if (rc == 0)
		rc = strata__buf_putc(key, '\n');
	/* named after the folder: the identity's first word */
	snprintf(name, sizeof(name), "d-%016llx",
	         (unsigned long long)strata__fnv1a(
	                 STRATA_FNV1A_INIT, key->ptr,
	                 rc == 0 ? strcspn(key->ptr, " ") : 0));
	return rc == 0 && strata__cache_file(path, name) == 0;
}

/*
 * The folder's names as "name\n..." (the caller frees it) when the cache
 * holds them for the folder as it is now, else NULL.
 */
char *strata__dircache_load(strata_ctx *ctx, int fd, size_t *n_names)
{
	strata_buf key = STRATA_BUF_INIT, path = STRATA_BUF_INIT;
	size_t len = 0, magic = strlen(DIRCACHE_MAGIC), n = 0;
	char *text = NULL, *names = NULL;

	(void)ctx;
	if (!folder_key(fd, &key, &path) ||
	    !(text = strata__cache_read(path.ptr, &len)))
		goto done;
	if (len < magic + key.len || memcmp(text, DIRCACHE_MAGIC, magic) != 0 ||
	    memcmp(text + magic, key.ptr, key.len) != 0)
		goto done;
	names = text + magic + key.len;
	/* every name ends its line; an empty line cannot be a name */
	for (char *p = names; *p; p++) {
		if (*p != '\n')
			continue;
		if (p == names || p[-1] == '\n') {
			names = NULL;
			goto done;
		}
		n++;
	}
	if (len && text[len - 1] != '\n')
		names = NULL;
done:
	if (names) {
		memmove(text, names, strlen(names) + 1);
		*n_names = n;
	} else {
		strata__free(text);
		text = NULL;
	}
	strata_buf_release(&key);
	strata_buf_release(&path);
	return text;
}

/* Keep names ("name\n...", as read) for the folder open at fd. */
void strata__dircache_store(strata_ctx *ctx, int fd, const char *names)
{
	strata_buf key = STRATA_BUF_INIT, path = STRATA_BUF_INIT,
	           b = STRATA_BUF_INIT;

	(void)ctx;
	if (folder_key(fd, &key, &path) &&
	    strata__buf_puts(&b, DIRCACHE_MAGIC) == 0 &&
	    strata__buf_puts(&b, key.ptr) == 0 &&
	    strata__buf_puts(&b, names) == 0)
		strata__cache_write(path.ptr, b.ptr, b.len);
	strata_buf_release(&key);
	strata_buf_release(&path);
	strata_buf_release(&b);
}
