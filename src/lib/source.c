/*
 * Reading the migrations folder: list it, parse the names, group up and
 * down files into migrations ordered by version, and read a migration's
 * files when they are needed (so that status hashes only what it
 * compares).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"
#include "ctx.h"
#include "source.h"
#include "squash.h"
#include "../util/crypto_load.h"

/* A migration file larger than this is refused (a dump, not a migration). */
#define MAX_FILE_SIZE (256u * 1024 * 1024)

static void migration_release(struct migration *m)
{
	strata__free(m->version_text);
	strata__free(m->name);
	strata__free(m->up_path);
	strata__free(m->down_path);
	strata__free(m->meta_path);
	strata__free(m->text);
	strata__free(m->down_text);
	strata__free(m->squashed);
}

void strata__source_release(struct source *src)
{
	size_t i;

	for (i = 0; i < src->n; i++)
		migration_release(&src->v[i]);
	for (i = 0; i < src->n_problems; i++) {
		strata__free(src->problems[i].file);
		strata__free(src->problems[i].message);
	}
	strata__free(src->v);
	strata__free(src->problems);
	memset(src, 0, sizeof(*src));
}

static int entry_cmp(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	int c;

	if (x->fn.role == ROLE_REPEATABLE || y->fn.role == ROLE_REPEATABLE) {
		if (x->fn.role != y->fn.role)
			return x->fn.role == ROLE_REPEATABLE ? 1 : -1;
		return strcmp(x->fname, y->fname);
	}
	c = strata__version_cmp(x->fn.version, y->fn.version);
	if (c)
		return c;
	if (x->fn.role != y->fn.role)
		return (int)x->fn.role - (int)y->fn.role;
	return strcmp(x->fname, y->fname);
}

static int in_order(const struct entry *v, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (entry_cmp(&v[i - 1], &v[i]) > 0)
			return 0;
	return 1;
}

/* Parse one name of the folder into the listing (or a problem). */
static int add_name(strata_ctx *ctx, struct source *src, const char *dir,
                    const char *name, struct listing *l)
{
	char why[512];
	struct filename fn;
	int rc, r = ctx->exec ?
	                    strata__filename_parse_exec(&fn, name, why,
	                                                sizeof(why)) :
	                    strata__filename_parse(&fn, name, why, sizeof(why));

	if (r == 1 && !why[0]) {
		size_t n = strlen(name);

		/* add_users.sql: said when the folder holds migrations */
		if (n > 4 && strcasecmp(name + n - 4, ".sql") == 0 &&
		    (strata__buf_puts(&l->unread, name) < 0 ||
		     strata__buf_putc(&l->unread, '\n') < 0))
			return STRATA_ENOMEM;
		return 0;
	}
	if (r == 2) {
		char *p = strata__join_path(dir, name);

		rc = p ? strata__problem_add(src, 2, p, 0, "%s", why) :
		         STRATA_ENOMEM;
		strata__free(p);
		return rc;
	}
	if (r == 1) {
		/* looks like a migration, is not read: say so, never fail */
		char *p = strata__join_path(dir, name);

		rc = p ? strata__problem_add(src, 1, p, 0,
		                             "not read as a migration: %s",
		                             why) :
		         STRATA_ENOMEM;
		strata__free(p);
		return rc;
	}
	if (r < 0) {
		char *p = strata__join_path(dir, name);

		rc = p ? strata__problem_add(src, 2, p, 0,
		                             "bad migration file name: %s",
		                             why) :
		         STRATA_ENOMEM;
		strata__free(p);
		return rc;
	}
	return strata__listing_add(l, name, &fn, NULL, 0);
}

/* A name of the folder: a sub-folder's ends in '/' (as the folder cache
 * keeps it). */
static int add_entry(strata_ctx *ctx, struct source *src, const char *dir,
                     char *name, struct listing *l)
{
	size_t n = strlen(name);

	if (n > 1 && name[n - 1] == '/' && !ctx->exec) {
		int rc;

		name[n - 1] = '\0';
		rc = strata__layout_folder(ctx, src, dir, name, l);
		name[n - 1] = '/';
		return rc;
	}
	return add_name(ctx, src, dir, name, l);
}

/* The names of an unchanged folder, from dircache.c: no readdir. */
static int add_cached_names(strata_ctx *ctx, struct source *src,
                            const char *dir, char *names, struct listing *l)
{
	int rc = 0;

	for (char *p = names, *nl; rc == 0 && (nl = strchr(p, '\n'));
	     p = nl + 1) {
		*nl = '\0';
		rc = add_entry(ctx, src, dir, p, l);
	}
	return rc;
}

/* A sub-folder of the migrations folder? Names ending in .sql are taken
 * as files without a stat (a folder so named fails when read). */
static int is_folder(DIR *d, const char *name)
{
	size_t n = strlen(name);
	struct stat st;

	if (name[0] == '.' || (n > 4 && strcasecmp(name + n - 4, ".sql") == 0))
		return 0;
	return fstatat(dirfd(d), name, &st, 0) == 0 && S_ISDIR(st.st_mode);
}

/* The folder's migration files, sorted by version and role; from the
 * folder cache when the folder is unchanged. */
static int list_dir(strata_ctx *ctx, struct source *src, const char *dir,
                    struct listing *l)
{
	strata_buf seen = STRATA_BUF_INIT;
	struct dirent *de = NULL;
	DIR *d = opendir(dir);
	char *cached;
	size_t n_cached;
	int rc = 0, keep = 1;

	if (!d) {
		if (errno == ENOENT)
			return strata__error_set(
			        ctx, STRATA_EIO,
			        "migrations folder '%s' does not exist (create "
			        "it with 'strata init', or name another with "
			        "%s)",
			        dir, strata__setting(ctx, STRATA_SETTING_DIR));
		return strata__error_set(
		        ctx, STRATA_EIO,
		        "cannot read migrations folder '%s': %s", dir,
		        strerror(errno));
	}
	cached = strata__dircache_load(ctx, dirfd(d), &n_cached);
	if (cached) {
		rc = add_cached_names(ctx, src, dir, cached, l);
		strata__free(cached);
		keep = 0;
		goto done;
	}
	/* errno tells the end of the folder from a failed read */
	while (rc == 0 && (errno = 0, de = readdir(d)) != NULL) {
		size_t problems = src->n_problems;

		if (!ctx->exec && is_folder(d, de->d_name)) {
			/* its files are read on every run: the folder's
			 * times do not change when they do */
			rc = strata__layout_folder(ctx, src, dir, de->d_name,
			                           l);
			if (rc == 0 &&
			    (strata__buf_puts(&l->dirs, de->d_name) < 0 ||
			     strata__buf_puts(&l->dirs, "/\n") < 0))
				keep = 0;
		} else {
			rc = add_name(ctx, src, dir, de->d_name, l);
		}
		/* a folder with a bad name is not worth keeping */
		if (src->n_problems != problems || strchr(de->d_name, '\n'))
			keep = 0;
	}
	if (rc == 0 && !de && errno != 0) {
		/* not "no migrations": an I/O error, say so */
		rc = strata__error_set(ctx, STRATA_EIO,
		                       "cannot read migrations folder '%s': %s",
		                       dir, strerror(errno));
		keep = 0;
	}
	if (l->unread.len)
		keep = 0; /* said on every run, when there are migrations */
done:
	if (rc == 0 && !in_order(l->v, l->n))
		qsort(l->v, l->n, sizeof(*l->v), entry_cmp);
	/* kept in that order (files other tools use are left out: they
	 * add nothing), so that the next run finds them sorted; the files
	 * of sub-folders are not kept, the sub-folders are */
	for (size_t i = 0; rc == 0 && keep && i < l->n; i++)
		if (!strchr(l->v[i].fname, '/') &&
		    (strata__buf_puts(&seen, l->v[i].fname) < 0 ||
		     strata__buf_putc(&seen, '\n') < 0))
			keep = 0;
	if (rc == 0 && keep && strata__buf_put(&seen, l->dirs.ptr, l->dirs.len))
		keep = 0;
	if (rc == 0 && keep)
		strata__dircache_store(ctx, dirfd(d), seen.ptr);
	strata_buf_release(&seen);
	closedir(d);
	if (rc == STRATA_ENOMEM)
		return strata__oom(ctx);
	return rc;
}

static struct migration *new_migration(struct source *src)
{
	struct migration *m;

	if (src->n == src->alloc) {
		size_t n = src->alloc ? src->alloc * 2 : 64;

		m = strata__reallocarray(src->v, n, sizeof(*m));
		if (!m)
			return NULL;
		src->v = m;
		src->alloc = n;
	}
	m = &src->v[src->n++];
	memset(m, 0, sizeof(*m));
	return m;
}

static int fill_migration(struct migration *m, const char *dir,
                          const struct entry *e)
{
	const struct filename *fn = &e->fn;

	/* "" for a repeatable (its file name has none) */
	memcpy(m->version, fn->version, strlen(fn->version) + 1);
	m->kind = fn->role == ROLE_REPEATABLE ? STRATA_KIND_REPEATABLE :
	                                        STRATA_KIND_VERSIONED;
	m->format = fn->format;
	m->layout = strcmp(fn->format, "prisma") == 0 ? LAYOUT_PRISMA :
	            strcmp(fn->format, "diesel") == 0 ? LAYOUT_DIESEL :
	                                                LAYOUT_FLAT;
	m->sqlm_name = fn->sqlm_name;
	m->single_file = fn->role == ROLE_SINGLE || fn->role == ROLE_REPEATABLE;
	m->version_text = e->vtext ? strata__strdup(e->vtext) :
	                             strata__strndup(e->fname + fn->version_off,
	                                             fn->version_len);
	m->name = strata__strndup(e->fname + fn->name_off, fn->name_len);
	m->up_path = strata__join_path(dir, e->fname);
	if (!m->version_text || !m->name || !m->up_path)
		return STRATA_ENOMEM;
	if (e->has_meta) {
		/* <dir>/<folder>/metadata.toml, next to up.sql */
		const char *slash = strrchr(m->up_path, '/');
		size_t k = (size_t)(slash - m->up_path) + 1;

		m->meta_path = strata__malloc(k + sizeof("metadata.toml"));
		if (!m->meta_path)
			return STRATA_ENOMEM;
		memcpy(m->meta_path, m->up_path, k);
		memcpy(m->meta_path + k, "metadata.toml",
		       sizeof("metadata.toml"));
	}
	return 0;
}

/* Group sorted entries: each version has one up (or single) and at most
 * one down. */
static int group(struct source *src, const char *dir, struct entry *v, size_t n)
{
	size_t i = 0;
	int rc;

	while (i < n) {
		size_t j = i + 1, k;
		struct entry *up = NULL, *down = NULL;
		struct migration *m;

		if (v[i].fn.role == ROLE_REPEATABLE) {
			m = new_migration(src);
			if (!m || fill_migration(m, dir, &v[i]) < 0)
				return STRATA_ENOMEM;
			i++;
			continue;
		}
		while (j < n && v[j].fn.role != ROLE_REPEATABLE &&
		       strcmp(v[j].fn.version, v[i].fn.version) == 0)
			j++;
		for (k = i; k < j; k++) {
			struct entry **slot =
			        v[k].fn.role == ROLE_DOWN ? &down : &up;

			if (*slot) {
				char *a =
				        strata__join_path(dir, (*slot)->fname);
				char *b = strata__join_path(dir, v[k].fname);

				rc = a && b ?
				             strata__problem_add(
				                     src, 2, b, 0,
				                     "version %.*s is also "
				                     "used by %s: each version "
				                     "needs its own number",
				                     (int)v[k].fn.version_len,
				                     v[k].vtext ?
				                             v[k].vtext :
				                             v[k].fname +
				                                     v[k].fn.version_off,
				                     a) :
				             STRATA_ENOMEM;
				strata__free(a);
				strata__free(b);
				if (rc < 0)
					return rc;
				continue;
			}
			*slot = &v[k];
		}
		i = j;
		if (!up) {
			char *p = strata__join_path(dir, down->fname);

			rc = p ? strata__problem_add(src, 2, p, 0,
			                             "down migration without "
			                             "an up migration of the "
			                             "same version") :
			         STRATA_ENOMEM;
			strata__free(p);
			if (rc < 0)
				return rc;
			continue;
		}
		m = new_migration(src);
		if (!m || fill_migration(m, dir, up) < 0)
			return STRATA_ENOMEM;
		if (down) {
			if (up->fn.role == ROLE_SINGLE) {
				char *p = strata__join_path(dir, down->fname);

				rc = p ? strata__problem_add(
				                 src, 2, p, 0,
				                 "down migration for a single-"
				                 "file migration: name the up "
				                 "file <version>_<name>.up.sql") :
				         STRATA_ENOMEM;
				strata__free(p);
				if (rc < 0)
					return rc;
				continue;
			}
			m->down_path = strata__join_path(dir, down->fname);
			if (!m->down_path)
				return STRATA_ENOMEM;
		}
	}
	return 0;
}

/* .sql files not read, in a folder with migrations: named (a warning) */
static int warn_unread(struct source *src, const char *dir, char *names)
{
	int rc = 0;

	for (char *p = names, *nl; rc == 0 && (nl = strchr(p, '\n'));
	     p = nl + 1) {
		char *path;

		*nl = '\0';
		path = strata__join_path(dir, p);
		rc = path ? strata__problem_add(
		                    src, 1, path, 0,
		                    "not read as a migration: its name does "
		                    "not start with a version, as a "
		                    "migration's does (0002_add_users.up.sql, "
		                    "V2__add_users.sql)") :
		            STRATA_ENOMEM;
		strata__free(path);
	}
	return rc;
}

int strata__source_load(strata_ctx *ctx, struct source *src, const char *dir)
{
	struct listing l;
	size_t i;
	int rc;

	strata__source_release(src);
	memset(&l, 0, sizeof(l));
	l.dirs = l.unread = (strata_buf)STRATA_BUF_INIT;
	rc = list_dir(ctx, src, dir, &l); /* sorted */
	if (rc == 0)
		rc = group(src, dir, l.v, l.n);
	if (rc == 0 && src->n)
		rc = warn_unread(src, dir, l.unread.ptr);
	if (rc == 0)
		rc = strata__layout_check(src);
	if (rc == STRATA_ENOMEM)
		strata__oom(ctx);
	strata__listing_release(&l);
	if (rc < 0)
		return rc;
	src->n_name_problems = src->n_problems;
	for (i = 0; i < src->n_problems; i++) {
		const struct problem *p = &src->problems[i];

		if (p->severity < 2)
			continue;
		strata__error_set(ctx, STRATA_EPARSE, "%s", p->message);
		strata__error_at(ctx, p->file, p->line, 0);
		if (src->n_errors > 1)
			strata__error_detail(ctx,
			                     "%d more problems in the folder: "
			                     "run 'strata validate' to see all",
			                     src->n_errors - 1);
		return STRATA_EPARSE;
	}
	return 0;
}

void strata__source_warn_names(strata_ctx *ctx, const struct source *src)
{
	size_t i;

	for (i = 0; i < src->n_name_problems && i < src->n_problems; i++)
		if (src->problems[i].severity == 1)
			strata__emitf(ctx, STRATA_EVENT_WARNING, "%s: %s",
			              src->problems[i].file,
			              src->problems[i].message);
}

struct migration *strata__source_find(const struct source *src,
                                      const char *version)
{
	size_t lo = 0, hi = src->n;

	/* versioned migrations come first, sorted; repeatables after */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct migration *m = &src->v[mid];
		int c = m->kind == STRATA_KIND_REPEATABLE ?
		                1 :
		                strata__version_cmp(m->version, version);

		if (c > 0)
			hi = mid;
		else if (c < 0)
			lo = mid + 1;
		else
			return &src->v[mid];
	}
	return NULL;
}

/* Is the symbolic link path inside dir once resolved? */
static int inside(const char *path, const char *dir)
{
	char rp[PATH_MAX], rd[PATH_MAX];
	size_t n;

	if (!realpath(path, rp) || !realpath(dir, rd))
		return 1; /* let open() report the problem */
	n = strlen(rd);
	return strncmp(rp, rd, n) == 0 && (rp[n] == '/' || rp[n] == '\0');
}

/* msg and arg are concatenated: "cannot read: " + strerror(errno) */
static int file_error(strata_ctx *ctx, int code, const char *path,
                      const char *msg, const char *arg)
{
	strata__error_set(ctx, code, "%s%s", msg, arg);
	strata__error_at(ctx, path, 0, 0);
	return code;
}

static int read_file(strata_ctx *ctx, const char *path, char **out,
                     size_t *out_len)
{
	struct stat st;
	char *buf = NULL;
	size_t got = 0, skip = 0;
	long bad;
	int fd, is_nul, rc = 0;

	/* O_NONBLOCK: a FIFO must not hang us; it is refused below. A file
	 * of the folder that is no link is in it: only links (ELOOP with
	 * O_NOFOLLOW) need resolving */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && errno == ELOOP) {
		if (!inside(path, ctx->dir))
			return file_error(
			        ctx, STRATA_EPARSE, path,
			        "is a symbolic link to a file outside "
			        "the migrations folder",
			        "");
		fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	}
	if (fd < 0)
		return file_error(ctx, STRATA_EIO, path,
		                  "cannot read: ", strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return file_error(ctx, STRATA_EPARSE, path,
		                  "not a regular file", "");
	}
	if ((uint64_t)st.st_size > MAX_FILE_SIZE) {
		close(fd);
		return file_error(ctx, STRATA_EPARSE, path,
		                  "too large: a migration file may hold at "
		                  "most 256 MiB",
		                  "");
	}
	buf = strata__malloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		return strata__oom(ctx);
	}
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			rc = file_error(ctx, STRATA_EIO, path, "cannot read: ",
			                r < 0 ? strerror(errno) :
			                        "the file shrank");
			break;
		}
		got += (size_t)r;
	}
	close(fd);
	if (rc < 0) {
		strata__free(buf);
		return rc;
	}
	buf[got] = '\0';
	if (got >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
		skip = 3; /* a UTF-8 byte order mark */
	if (skip)
		memmove(buf, buf + skip, got - skip + 1);
	got -= skip;
	bad = strata__utf8_check(buf, got, &is_nul);
	if (bad >= 0) {
		int line, col;

		strata__offset_to_pos(buf, got, (size_t)bad, &line, &col);
		strata__free(buf);
		strata__error_set(ctx, STRATA_EPARSE,
		                  is_nul ? "contains a NUL byte" :
		                           "is not valid UTF-8");
		strata__error_at(ctx, path, line, col);
		return STRATA_EPARSE;
	}
	*out = buf;
	*out_len = got;
	return 0;
}

/* The separate down file of a migration loaded for `up`. */
static int load_down(strata_ctx *ctx, struct migration *m)
{
	int rc = read_file(ctx, m->down_path, &m->down_text, &m->down_text_len);

	if (rc == 0 && ctx->exec)
		m->down.len = m->down_text_len;
	else if (rc == 0)
		rc = strata__sections_parse_down(ctx, m);
	if (rc < 0) {
		strata__free(m->down_text);
		m->down_text = NULL;
		m->down_text_len = 0;
		return rc;
	}
	m->down_deferred = 0;
	return 0;
}

static int load(strata_ctx *ctx, struct migration *m, int with_down)
{
	const char *why = NULL;
	int rc;

	if (m->loaded)
		return with_down && m->down_deferred ? load_down(ctx, m) : 0;
	/* applying reads no down file: a thousand files fewer to open */
	m->down_deferred = !with_down && m->down_path && !m->single_file;
	rc = read_file(ctx, m->up_path, &m->text, &m->text_len);
	if (rc == 0 && m->down_path && !m->single_file && !m->down_deferred)
		rc = read_file(ctx, m->down_path, &m->down_text,
		               &m->down_text_len);
	if (rc == 0)
		rc = strata__checksum_ctx(&ctx->hasher, m->checksum, m->text,
		                          m->text_len);
	if (rc == 0 && ctx->exec) {
		/* a program or a command's input: the whole file, no sections
		 */
		memset(&m->up, 0, sizeof(m->up));
		memset(&m->down, 0, sizeof(m->down));
		m->up = (struct part){ .path = m->up_path,
			               .len = m->text_len,
			               .no_transaction = 1,
			               .present = 1 };
		if (m->down_path)
			m->down = (struct part){ .path = m->down_path,
				                 .len = m->down_text_len,
				                 .no_transaction = 1,
				                 .present = 1 };
	} else if (rc == 0) {
		rc = strata__sections_parse(ctx, m);
		if (rc == 0)
			rc = strata__layout_metadata(ctx, m);
		if (rc == 0)
			rc = strata__squash_parse(ctx, m);
	}
	if (rc < 0) {
		strata__free(m->text);
		strata__free(m->down_text);
		strata__free(m->squashed);
		m->text = m->down_text = NULL;
		m->squashed = NULL;
		m->n_squashed = 0;
		if (rc == STRATA_ENOTSUPP && strata__crypto_load(&why) < 0)
			return strata__error_set(ctx, rc, "%s", why);
		return rc == STRATA_EINTERNAL ?
		               strata__error_set(ctx, rc, "checksum failed") :
		               rc;
	}
	m->loaded = 1;
	m->checksum_known = 1;
	return 0;
}

int strata__migration_load(strata_ctx *ctx, struct migration *m)
{
	return load(ctx, m, 1);
}

int strata__migration_load_up(strata_ctx *ctx, struct migration *m)
{
	return load(ctx, m, 0);
}
