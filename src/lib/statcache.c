/*
 * A stat cache of checksums, as git's index does for its work tree:
 * status compares every applied migration with its file, and hashing a
 * thousand files costs more than everything else it does. An entry is
 * used only while the file's size, modification and change times (to the
 * nanosecond), inode and device are all unchanged; an edit that restores
 * the modification time still changes the change time. Entries for files
 * changed less than two seconds before the cache is written are not kept
 * ("racy" files: a later edit in the same instant would look unchanged).
 *
 * The cache lives in $XDG_CACHE_HOME/strata (or ~/.cache/strata), one
 * file per migrations folder, never in the project. Any problem with it
 * (missing, unreadable, corrupt, not writable) only means files are read
 * and hashed as without it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "ctx.h"
#include "source.h"
#include "../util/fileid.h"

#define CACHE_MAGIC  "strata-statcache 1 sha256-lf\n"
#define RACY_SECONDS 2
/* a cache file this large is not read (the work is done without it) */
#define CACHE_FILE_MAX (64u << 20)

struct cache_entry {
	char *name; /* file name within the folder */
	int owned;  /* name is allocated (else it points into text) */
	long long size, mtime_s, mtime_ns, ctime_s, ctime_ns;
	unsigned long long ino, dev;
	char checksum[65];
};

struct statcache {
	char *path; /* the cache file, or NULL: no cache */
	char *text; /* the file as read: loaded entries' names point in it */
	struct cache_entry *v;
	size_t n, alloc;
	int sorted, dirty;
	/* the migrations folder, open: a stat relative to it skips the
	 * walk of the whole path, a third of a cached status's time */
	int dirfd;
	const char *dir;
	size_t dir_len;
};

static int entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct cache_entry *)a)->name,
	              ((const struct cache_entry *)b)->name);
}

static int in_order(const struct statcache *c)
{
	for (size_t i = 1; i < c->n; i++)
		if (entry_cmp(&c->v[i - 1], &c->v[i]) > 0)
			return 0;
	return 1;
}

int strata__cache_file(strata_buf *out, const char *name)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	const char *off = getenv("STRATA_NO_CACHE");

	if (off && off[0] && strcmp(off, "0") != 0)
		return STRATA_ENOTFOUND;
	if (xdg && xdg[0] == '/')
		return strata__buf_printf(out, "%s/strata/%s", xdg, name);
	if (home && home[0] == '/')
		return strata__buf_printf(out, "%s/.cache/strata/%s", home,
		                          name);
	return STRATA_ENOTFOUND;
}

uint64_t strata__fnv1a(uint64_t h, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

/*
 * ~/.cache/strata/f-<FNV-1a of the folder's real path>. No digest is
 * needed: entries are matched by name and by the file's device, inode,
 * size and times, so even two folders sharing a cache file would only
 * ever find their own files' checksums (and this keeps libcrypto unloaded
 * while every file is in the cache).
 */
static char *cache_path(strata_ctx *ctx)
{
	char real[PATH_MAX], name[24], *p;
	strata_buf b = STRATA_BUF_INIT;

	if (!realpath(ctx->dir, real))
		return NULL;
	snprintf(name, sizeof(name), "f-%016llx",
	         (unsigned long long)strata__fnv1a(STRATA_FNV1A_INIT, real,
	                                           strlen(real)));
	p = strata__cache_file(&b, name) == 0 ? strata__buf_detach(&b) : NULL;
	strata_buf_release(&b);
	return p;
}

static struct cache_entry *add(struct statcache *c)
{
	if (c->n == c->alloc) {
		size_t n = c->alloc ? c->alloc * 2 : 64;
		struct cache_entry *v =
		        strata__reallocarray(c->v, n, sizeof(*v));

		if (!v)
			return NULL;
		c->v = v;
		c->alloc = n;
	}
	memset(&c->v[c->n], 0, sizeof(c->v[0]));
	return &c->v[c->n++];
}

/* "name size mtime_s mtime_ns ctime_s ctime_ns ino dev checksum": parsed
 * by hand, as sscanf costs more than the rest of a status */
/* One decimal number (at most 19 digits, optionally negative) followed
 * by a space; *p moves past the space. strtoll costs more, with its
 * locale and base handling, than the rest of reading a line. */
static int number(char **p, unsigned long long *out, int is_signed)
{
	char *s = *p;
	int neg = is_signed && *s == '-';
	unsigned long long v = 0;
	int n = 0;

	s += neg;
	while (*s >= '0' && *s <= '9' && n < 20) {
		v = v * 10 + (unsigned)(*s++ - '0');
		n++;
	}
	if (n == 0 || n > 19 || *s != ' ')
		return -1;
	*out = neg ? (unsigned long long)-(long long)v : v;
	*p = s + 1;
	return 0;
}

static int parse_line(char *line, struct cache_entry *e)
{
	long long *nums[] = { &e->size, &e->mtime_s, &e->mtime_ns, &e->ctime_s,
		              &e->ctime_ns };
	unsigned long long v;
	char *p = line;
	size_t i;

	e->name = p;
	p = strchr(p, ' ');
	if (!p || p == line)
		return -1;
	*p++ = '\0';
	for (i = 0; i < ARRAY_SIZE(nums); i++) {
		if (number(&p, &v, 1) < 0)
			return -1;
		*nums[i] = (long long)v;
	}
	if (number(&p, &e->ino, 0) < 0 || number(&p, &e->dev, 0) < 0)
		return -1;
	if (strlen(p) < 64 || (p[64] != '\n' && p[64] != '\0'))
		return -1;
	memcpy(e->checksum, p, 64);
	e->checksum[64] = '\0';
	return 0;
}

static void load(struct statcache *c)
{
	size_t len, magic = strlen(CACHE_MAGIC);
	char *line, *nl;

	c->text = strata__cache_read(c->path, &len);
	if (!c->text || len < magic || memcmp(c->text, CACHE_MAGIC, magic) != 0)
		return;
	for (line = c->text + magic; (nl = strchr(line, '\n')); line = nl + 1) {
		struct cache_entry e, *slot;

		*nl = '\0';
		memset(&e, 0, sizeof(e));
		if (parse_line(line, &e) < 0)
			break; /* corrupt: keep what was read */
		slot = add(c);
		if (!slot)
			break;
		*slot = e;
	}
	/* saved sorted: a check costs a tenth of the sort */
	if (c->n > 1 && !in_order(c))
		qsort(c->v, c->n, sizeof(*c->v), entry_cmp);
	c->sorted = 1;
}

static struct statcache *cache(strata_ctx *ctx)
{
	struct statcache *c = ctx->statcache;

	if (c)
		return c;
	c = strata__calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->path = cache_path(ctx);
	c->dirfd = -1;
	if (c->path) {
		load(c);
		c->dir = ctx->dir;
		c->dir_len = strlen(ctx->dir);
		c->dirfd = open(ctx->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	ctx->statcache = c;
	return c;
}

/* stat() of a file of the migrations folder */
static int stat_file(const struct statcache *c, const char *path,
                     struct stat *st)
{
	const char *name = path + c->dir_len + 1;

	if (c->dirfd >= 0 && strncmp(path, c->dir, c->dir_len) == 0 &&
	    path[c->dir_len] == '/' && name[0])
		return fstatat(c->dirfd, name, st, 0);
	return stat(path, st);
}

/* The name an entry is kept under: the path in the migrations folder
 * (20240101000000_init/migration.sql for a Prisma migration). */
static const char *base_name(const struct statcache *c, const char *path)
{
	const char *s = strrchr(path, '/');

	if (c->dir && strncmp(path, c->dir, c->dir_len) == 0 &&
	    path[c->dir_len] == '/' && path[c->dir_len + 1])
		return path + c->dir_len + 1;
	return s ? s + 1 : path;
}

static int same(const struct cache_entry *e, const struct stat *st)
{
	return e->size == (long long)st->st_size &&
	       e->mtime_s == (long long)st->st_mtim.tv_sec &&
	       e->mtime_ns == (long long)st->st_mtim.tv_nsec &&
	       e->ctime_s == (long long)st->st_ctim.tv_sec &&
	       e->ctime_ns == (long long)st->st_ctim.tv_nsec &&
	       e->ino == (unsigned long long)st->st_ino &&
	       e->dev == (unsigned long long)st->st_dev;
}

int strata__statcache_lookup(strata_ctx *ctx, const char *path, char out[65])
{
	struct statcache *c = cache(ctx);
	struct cache_entry key = { 0 }, *e; /* bsearch() key: name only */
	struct stat st;

	if (!c || !c->path || !c->n)
		return 0;
	if (!c->sorted) {
		qsort(c->v, c->n, sizeof(*c->v), entry_cmp);
		c->sorted = 1;
	}
	key.name = (char *)base_name(c, path);
	e = bsearch(&key, c->v, c->n, sizeof(*c->v), entry_cmp);
	if (!e || stat_file(c, path, &st) < 0 || !S_ISREG(st.st_mode) ||
	    !same(e, &st))
		return 0;
	memcpy(out, e->checksum, 65);
	return 1;
}

/* Changed less than RACY_SECONDS ago: a later change could keep its
 * times. */
static int too_recent(const struct stat *st)
{
	time_t now = time(NULL);
	long long age =
	        (strata__cache_min_age_ms(RACY_SECONDS * 1000) + 999) / 1000;

	return st->st_mtim.tv_sec + age > now || st->st_ctim.tv_sec + age > now;
}

void strata__statcache_store(strata_ctx *ctx, const char *path,
                             const char *checksum)
{
	struct statcache *c = cache(ctx);
	struct cache_entry key = { 0 }, *e; /* bsearch() key: name only */
	struct stat st;

	if (!c || !c->path || stat_file(c, path, &st) < 0 ||
	    !S_ISREG(st.st_mode) || too_recent(&st))
		return;
	key.name = (char *)base_name(c, path);
	e = c->sorted && c->n ?
	            bsearch(&key, c->v, c->n, sizeof(*c->v), entry_cmp) :
	            NULL;
	if (!e) {
		e = add(c);
		if (!e || !(e->name = strata__strdup(key.name))) {
			if (e)
				c->n--;
			return;
		}
		e->owned = 1;
		c->sorted = 0;
	}
	e->size = (long long)st.st_size;
	e->mtime_s = (long long)st.st_mtim.tv_sec;
	e->mtime_ns = (long long)st.st_mtim.tv_nsec;
	e->ctime_s = (long long)st.st_ctim.tv_sec;
	e->ctime_ns = (long long)st.st_ctim.tv_nsec;
	e->ino = (unsigned long long)st.st_ino;
	e->dev = (unsigned long long)st.st_dev;
	memcpy(e->checksum, checksum, 65);
	c->dirty = 1;
}

/* mkdir -p of the cache folder, 0700. */
static int make_dirs(char *path)
{
	char *s;

	for (s = path + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(path, 0700) < 0 && errno != EEXIST) {
			*s = '/';
			return -1;
		}
		*s = '/';
	}
	return 0;
}

char *strata__cache_read(const char *path, size_t *len)
{
	struct stat st;
	char *text = NULL;
	ssize_t got = -1;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    (uint64_t)st.st_size < CACHE_FILE_MAX &&
	    (text = strata__malloc((size_t)st.st_size + 1)))
		got = read(fd, text, (size_t)st.st_size);
	close(fd);
	if (!text || got != (ssize_t)st.st_size) {
		strata__free(text);
		return NULL;
	}
	text[got] = '\0';
	*len = (size_t)got;
	return text;
}

int strata__cache_write(const char *path, const char *data, size_t len)
{
	strata_buf tmp = STRATA_BUF_INIT;
	char *dir = strata__strdup(path);
	int fd, rc = -1;

	if (!dir || make_dirs(dir) < 0 ||
	    strata__buf_printf(&tmp, "%s.%ld.tmp", path, (long)getpid()) < 0)
		goto done;
	fd = open(tmp.ptr,
	          O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		goto done;
	while (len) {
		ssize_t w = write(fd, data, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		data += w;
		len -= (size_t)w;
	}
	/* rename makes the new cache whole or absent, never half written */
	if (close(fd) == 0 && len == 0 && rename(tmp.ptr, path) == 0)
		rc = 0;
	else
		unlink(tmp.ptr);
done:
	strata__free(dir);
	strata_buf_release(&tmp);
	return rc;
}

void strata__statcache_save(strata_ctx *ctx)
{
	struct statcache *c = ctx->statcache;
	strata_buf b = STRATA_BUF_INIT;
	size_t i;
	int rc;

	if (!c || !c->path || !c->dirty)
		return;
	c->dirty = 0;
	/* in name order, so that the next load need not sort */
	if (!c->sorted && c->n > 1)
		qsort(c->v, c->n, sizeof(*c->v), entry_cmp);
	c->sorted = 1;
	rc = strata__buf_puts(&b, CACHE_MAGIC);
	for (i = 0; rc == 0 && i < c->n; i++) {
		const struct cache_entry *e = &c->v[i];

		if (strpbrk(e->name, " \t\n"))
			continue;
		rc = strata__buf_printf(
		        &b, "%s %lld %lld %lld %lld %lld %llu %llu %s\n",
		        e->name, e->size, e->mtime_s, e->mtime_ns, e->ctime_s,
		        e->ctime_ns, e->ino, e->dev, e->checksum);
	}
	if (rc == 0)
		strata__cache_write(c->path, b.ptr, b.len);
	strata_buf_release(&b);
}

void strata__statcache_free(strata_ctx *ctx)
{
	struct statcache *c = ctx->statcache;
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->n; i++)
		if (c->v[i].owned)
			strata__free(c->v[i].name);
	strata__free(c->text);
	strata__free(c->v);
	strata__free(c->path);
	if (c->dirfd >= 0)
		close(c->dirfd);
	strata__free(c);
	ctx->statcache = NULL;
}
