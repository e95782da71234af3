/*
 * strata squash's files (squash_files.h): the squash file's name, and
 * the folder changed all or not at all.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"
#include "ctx.h"
#include "squash_files.h"
#include "../util/fdio.h"

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}

int strata__squash_path(strata_ctx *ctx, strata_buf *out,
                        const struct migration *last)
{
	int rc;

	if (strcmp(last->format, "flyway") == 0)
		rc = strata__buf_printf(out, "%s/V%s__squashed.sql", ctx->dir,
		                        last->version_text);
	else if (ends_with(last->up_path, ".up.sql"))
		rc = strata__buf_printf(out, "%s/%s_squashed.up.sql", ctx->dir,
		                        last->version_text);
	else
		rc = strata__buf_printf(out, "%s/%s_squashed.sql", ctx->dir,
		                        last->version_text);
	return rc < 0 ? strata__oom(ctx) : 0;
}

static int replaced(const char *path, const char *const *files, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(files[i], path) == 0)
			return 1;
	return 0;
}

/* 1 when the folder keep (which may not exist yet) is dir or inside it */
static int inside_dir(const char *keep, const char *dir)
{
	char kr[PATH_MAX], dr[PATH_MAX], parent[PATH_MAX];
	const char *k = kr;
	size_t n;

	if (!realpath(dir, dr))
		return 0;
	if (!realpath(keep, kr)) {
		/* not there yet: its parent, then its name */
		const char *slash = strrchr(keep, '/');

		if (!slash)
			k = getcwd(kr, sizeof(kr));
		else if ((size_t)(slash - keep) < sizeof(parent)) {
			memcpy(parent, keep, (size_t)(slash - keep));
			parent[slash - keep] = '\0';
			k = realpath(slash == keep ? "/" : parent, kr);
		} else
			k = NULL;
		if (!k)
			return 0;
	}
	n = strlen(dr);
	return strncmp(k, dr, n) == 0 && (k[n] == '\0' || k[n] == '/');
}

int strata__squash_files_check(strata_ctx *ctx, const char *path,
                               const char *const *files, size_t n,
                               const char *keep_dir)
{
	strata_buf to = STRATA_BUF_INIT;
	struct stat st;
	size_t i;
	int rc = 0;

	if (lstat(path, &st) == 0 && !replaced(path, files, n))
		return strata__error_set(ctx, STRATA_EEXISTS,
		                         "squash: %s exists already", path);
	if (!keep_dir)
		return 0;
	if (!keep_dir[0])
		return strata__error_set(ctx, STRATA_EINVALID,
		                         "squash --keep: name a folder");
	if (inside_dir(keep_dir, ctx->dir))
		return strata__error_set(ctx, STRATA_EINVALID,
		                         "squash --keep %s: the folder is "
		                         "inside the migrations folder %s, "
		                         "whose files would still run",
		                         keep_dir, ctx->dir);
	if (stat(keep_dir, &st) == 0 && !S_ISDIR(st.st_mode))
		return strata__error_set(ctx, STRATA_EINVALID,
		                         "squash --keep %s: not a folder",
		                         keep_dir);
	for (i = 0; rc == 0 && i < n; i++) {
		strata__buf_clear(&to);
		if (strata__buf_printf(&to, "%s/%s", keep_dir,
		                       base_name(files[i])) < 0)
			rc = strata__oom(ctx);
		else if (lstat(to.ptr, &st) == 0)
			rc = strata__error_set(
			        ctx, STRATA_EEXISTS,
			        "squash --keep: %s exists already", to.ptr);
	}
	strata_buf_release(&to);
	return rc;
}

/* Move the files back from where moves[] put them. */
static void undo_moves(const char *const *files, char **moves, size_t n)
{
	while (n-- > 0)
		if (moves[n])
			rename(moves[n], files[n]);
}

int strata__squash_files_write(strata_ctx *ctx, const char *path,
                               const strata_buf *text, const char *const *files,
                               size_t n, const char *keep_dir)
{
	strata_buf tmp = STRATA_BUF_INIT, stage = STRATA_BUF_INIT;
	char **moves = strata__calloc(n + 1, sizeof(*moves));
	size_t i, moved = 0;
	int fd = -1, rc = 0, err = 0, made_keep = 0, staged = 0;

	if (!moves)
		return strata__oom(ctx);
	/* the new file, beside the old ones under a name not read */
	if (strata__buf_printf(&tmp, "%s/.strata-squash-XXXXXX", ctx->dir) <
	            0 ||
	    strata__buf_printf(&stage, "%s/.strata-squashed-XXXXXX", ctx->dir) <
	            0) {
		rc = strata__oom(ctx);
		goto done;
	}
	fd = mkstemp(tmp.ptr);
	if (fd < 0 || fchmod(fd, 0644) < 0 ||
	    strata__write_all(fd, text->ptr, text->len) != 0 || fsync(fd) < 0)
		err = errno ? errno : EIO;
	if (fd >= 0 && close(fd) < 0 && !err)
		err = errno;
	if (err) {
		rc = strata__error_set(ctx, STRATA_EIO, "cannot write %s: %s",
		                       path, strerror(err));
		goto done;
	}
	/* the old files out of the folder: to keep_dir, or to a hidden
	 * folder removed at the end */
	if (keep_dir) {
		if (mkdir(keep_dir, 0755) == 0)
			made_keep = 1;
		else if (errno != EEXIST)
			err = errno;
	} else if (!mkdtemp(stage.ptr)) {
		err = errno;
	} else {
		staged = 1;
	}
	if (err) {
		rc = strata__error_set(ctx, STRATA_EIO, "cannot create %s: %s",
		                       keep_dir ? keep_dir : stage.ptr,
		                       strerror(err));
		goto done;
	}
	for (i = 0; rc == 0 && i < n; i++) {
		strata_buf to = STRATA_BUF_INIT;

		if (strata__buf_printf(&to, "%s/%s",
		                       keep_dir ? keep_dir : stage.ptr,
		                       base_name(files[i])) < 0) {
			rc = strata__oom(ctx);
			break;
		}
		if (rename(files[i], to.ptr) < 0) {
			rc = strata__error_set(ctx, STRATA_EIO,
			                       "cannot move %s to %s: %s",
			                       files[i], to.ptr,
			                       strerror(errno));
			strata_buf_release(&to);
			break;
		}
		moves[i] = strata__buf_detach(&to);
		moved = i + 1;
	}
	if (rc == 0 && rename(tmp.ptr, path) < 0)
		rc = strata__error_set(ctx, STRATA_EIO, "cannot write %s: %s",
		                       path, strerror(errno));
	if (rc < 0) {
		undo_moves(files, moves, moved);
		if (made_keep)
			rmdir(keep_dir);
	}
	if (staged) {
		for (i = 0; rc == 0 && i < moved; i++)
			unlink(moves[i]);
		rmdir(stage.ptr);
	}
done:
	if (rc < 0 && tmp.len)
		unlink(tmp.ptr);
	for (i = 0; i < n; i++)
		strata__free(moves[i]);
	strata__free(moves);
	strata_buf_release(&tmp);
	strata_buf_release(&stage);
	return rc;
}
