/*
 * Backups: backups/YYYY-MM-DD/<database>-<HHMMSS>[-suffix].<ext>, folders
 * 0700 and files 0600, created without following symbolic links (a link
 * planted at backups/ must not redirect the data). The driver writes the
 * backup into the file strata opened.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "ctx.h"
#include "driver.h"
#include "../util/testpoint.h"

#define BACKUP_DIR "backups"

/* mkdir that refuses an existing symbolic link or non-folder. */
static int safe_mkdir(strata_ctx *ctx, const char *path)
{
	struct stat st;

	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return strata__error_set(ctx, STRATA_EIO,
		                         "cannot create %s: %s", path,
		                         strerror(errno));
	if (lstat(path, &st) < 0)
		return strata__error_set(ctx, STRATA_EIO, "cannot read %s: %s",
		                         path, strerror(errno));
	if (S_ISLNK(st.st_mode) || !S_ISDIR(st.st_mode))
		return strata__error_set(
		        ctx, STRATA_EIO,
		        "%s is not a folder (a symbolic link?): "
		        "refusing to write a backup there",
		        path);
	return 0;
}

/* The database's name for the file name: the last part of the URL's path
 * (after its last '/' or ':', as in sqlite:file:app.db) without its
 * extension, or a conninfo's dbname, reduced to safe characters. */
static void database_label(const struct strata__url *url, char *out, size_t n)
{
	const char *dbname = strata__url_param(url, "dbname");
	const char *p = url->path_raw.p, *end, *slash;
	size_t k = 0;

	if (!url->scheme && dbname) {
		p = dbname;
		end = p + strlen(p);
	} else if (!p) {
		p = end = "";
	} else {
		end = p + url->path_raw.n;
	}
	for (slash = p; slash < end; slash++)
		if (*slash == '/' || *slash == ':')
			p = slash + 1;
	for (; p < end && k + 1 < n; p++) {
		char c = *p;

		if (c == '.')
			break; /* file.db: drop the extension */
		out[k++] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		                           (c >= '0' && c <= '9') || c == '_' ||
		                           c == '-' ?
		                   c :
		                   '_';
	}
	if (k == 0)
		k = (size_t)snprintf(out, n, "database");
	out[k < n ? k : n - 1] = '\0';
}

static int suffix_ok(const char *s)
{
	for (; s && *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
			return 0;
	return 1;
}

/* backups/DAY/LABEL-HHMMSS[-SUFFIX][.N].EXT into ctx->scratch */
static int backup_name(strata_ctx *ctx, const char *dir, const char *label,
                       const char *hms, const char *suffix, int n)
{
	strata__buf_clear(&ctx->scratch);
	if (strata__buf_printf(&ctx->scratch, "%s/%s-%s%s%s", dir, label, hms,
	                       suffix && suffix[0] ? "-" : "",
	                       suffix ? suffix : "") < 0 ||
	    (n && strata__buf_printf(&ctx->scratch, ".%d", n) < 0))
		return STRATA_ENOMEM;
	return strata__buf_puts(
	        &ctx->scratch,
	        strata__driver_text(ctx, STRATA_DRV_BACKUP_EXTENSION) ?
	                strata__driver_text(ctx, STRATA_DRV_BACKUP_EXTENSION) :
	                ".sql");
}

/* The new name in the folder is on disk too. */
static int sync_dir(strata_ctx *ctx, const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = 0;

	if (fd < 0 || (fsync(fd) < 0 && errno != EINVAL))
		rc = strata__error_set(ctx, STRATA_EIO,
		                       "cannot write the backup: %s: %s", dir,
		                       strerror(errno));
	if (fd >= 0)
		close(fd);
	return rc;
}

int strata_backup(const char **out_path, strata_ctx *ctx, const char *suffix)
{
	strata_buf partial = STRATA_BUF_INIT;
	char day[16], hms[16], label[64], dir[64];
	time_t now = time(NULL);
	struct tm tm;
	int fd = -1, rc, named = 0, n;

	*out_path = NULL;
	strata__error_clear(ctx);
	if (!suffix_ok(suffix))
		return strata__error_set(ctx, STRATA_EINVALID,
		                         "--suffix '%s': use letters, digits, "
		                         "'_' and '-'",
		                         suffix);
	rc = strata__connect(ctx, 0);
	if (rc == STRATA_ENOTFOUND)
		return strata__error_set(
		        ctx, STRATA_ENOTFOUND,
		        "nothing to back up: the database does "
		        "not exist yet");
	if (rc < 0)
		return rc;
	if (!strata__driver_has(ctx, STRATA_DRV_BACKUP))
		return strata__error_set(ctx, STRATA_ENOTSUPP,
		                         "backups are not available for %s",
		                         strata__driver_name(ctx));
	gmtime_r(&now, &tm);
	strftime(day, sizeof(day), "%Y-%m-%d", &tm);
	strftime(hms, sizeof(hms), "%H%M%S", &tm);
	database_label(&ctx->url_parts, label, sizeof(label));
	snprintf(dir, sizeof(dir), "%s/%s", BACKUP_DIR, day);
	rc = safe_mkdir(ctx, BACKUP_DIR);
	if (rc == 0)
		rc = safe_mkdir(ctx, dir);
	if (rc < 0)
		return rc;
	/* written as NAME.partial and linked to NAME once whole and synced:
	 * a run killed meanwhile leaves no file that looks like a backup */
	for (n = 0; n < 100; n++) {
		struct stat st;

		strata__buf_clear(&partial);
		if (backup_name(ctx, dir, label, hms, suffix, n) < 0 ||
		    strata__buf_printf(&partial, "%s.partial",
		                       ctx->scratch.ptr) < 0) {
			strata_buf_release(&partial);
			return strata__oom(ctx);
		}
		if (lstat(ctx->scratch.ptr, &st) == 0)
			continue;
		fd = open(partial.ptr,
		          O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		          0600);
		if (fd >= 0 || errno != EEXIST)
			break;
	}
	if (fd < 0) {
		rc = strata__error_set(ctx, STRATA_EIO, "cannot create %s: %s",
		                       partial.ptr, strerror(errno));
		strata_buf_release(&partial);
		return rc;
	}
	strata__testpoint("backup_opened");
	rc = strata__conn_backup(ctx, partial.ptr, fd);
	/* on disk before `down` relies on it */
	if (rc == 0 && fsync(fd) < 0)
		rc = strata__error_set(ctx, STRATA_EIO,
		                       "cannot write the backup: %s",
		                       strerror(errno));
	if (close(fd) < 0 && rc == 0)
		rc = strata__error_set(ctx, STRATA_EIO, "cannot write %s: %s",
		                       partial.ptr, strerror(errno));
	/* link() never replaces a backup another run named meanwhile: that
	 * name taken, the next is tried (renamed where links are not
	 * supported) */
	for (; rc == 0 && !named && n < 100; n++) {
		if (backup_name(ctx, dir, label, hms, suffix, n) < 0)
			rc = strata__oom(ctx);
		else if (link(partial.ptr, ctx->scratch.ptr) == 0)
			named = 1;
		else if (errno != EEXIST &&
		         rename(partial.ptr, ctx->scratch.ptr) == 0)
			named = 1;
		else if (errno != EEXIST)
			rc = strata__error_set(ctx, STRATA_EIO,
			                       "cannot name %s: %s",
			                       ctx->scratch.ptr,
			                       strerror(errno));
	}
	if (rc == 0 && !named)
		rc = strata__error_set(ctx, STRATA_EIO,
		                       "cannot name the backup: 100 backups "
		                       "of this second exist");
	unlink(partial.ptr);
	strata_buf_release(&partial);
	if (rc == 0)
		rc = sync_dir(ctx, dir);
	if (rc < 0) {
		if (named)
			unlink(ctx->scratch.ptr);
		strata__error_prefix(ctx, "backup failed");
		return rc;
	}
	*out_path = ctx->scratch.ptr;
	return 0;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int strata_backup_list(const char *const **out, size_t *n, strata_ctx *ctx)
{
	struct dirent *day, *f;
	DIR *top, *sub;
	size_t i;

	*out = NULL;
	*n = 0;
	strata__error_clear(ctx);
	for (i = 0; i < ctx->n_backups; i++)
		strata__free(ctx->backups[i]);
	strata__free(ctx->backups);
	ctx->backups = NULL;
	ctx->n_backups = 0;
	top = opendir(BACKUP_DIR);
	if (!top)
		return errno == ENOENT ?
		               0 :
		               strata__error_set(ctx, STRATA_EIO,
		                                 "cannot read %s: %s",
		                                 BACKUP_DIR, strerror(errno));
	while ((day = readdir(top)) != NULL) {
		char path[512];

		if (day->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", BACKUP_DIR, day->d_name);
		sub = opendir(path);
		if (!sub)
			continue;
		while ((f = readdir(sub)) != NULL) {
			char **v;
			char file[1024];

			size_t len = strlen(f->d_name);

			/* a backup being written, or cut short */
			if (f->d_name[0] == '.' ||
			    (len > 8 &&
			     strcmp(f->d_name + len - 8, ".partial") == 0))
				continue;
			snprintf(file, sizeof(file), "%s/%s", path, f->d_name);
			v = strata__reallocarray(ctx->backups,
			                         ctx->n_backups + 1,
			                         sizeof(char *));
			if (!v || !(v[ctx->n_backups] = strata__strdup(file))) {
				if (v)
					ctx->backups = v;
				closedir(sub);
				closedir(top);
				return strata__oom(ctx);
			}
			ctx->backups = v;
			ctx->n_backups++;
		}
		closedir(sub);
	}
	closedir(top);
	if (ctx->n_backups > 1)
		qsort(ctx->backups, ctx->n_backups, sizeof(char *), name_cmp);
	*out = (const char *const *)ctx->backups;
	*n = ctx->n_backups;
	return 0;
}
