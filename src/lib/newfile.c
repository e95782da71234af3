/*
 * strata new: the next version (a UTC timestamp, or the next sequential
 * number in the folder's width) and an up/down pair from templates.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "ctx.h"
#include "source.h"

static int clean_name(strata_ctx *ctx, strata_buf *out, const char *name)
{
	const unsigned char *p = (const unsigned char *)name;

	for (; *p; p++) {
		unsigned char c = *p;

		if (c == ' ' || c == '\t')
			c = '_';
		if (!(isalnum(c) || c == '_' || c == '-' || c == '.'))
			return strata__error_set(
				ctx, STRATA_EINVALID,
				"migration name '%s' contains '%c': use "
				"letters, digits, '_', '-' and '.'",
				name, isprint(c) ? c : '?');
		if (strata__buf_putc(out, (char)c) < 0)
			return strata__error_set(ctx, STRATA_ENOMEM,
						 "out of memory");
	}
	if (!out->len)
		return strata__error_set(ctx, STRATA_EINVALID,
					 "the migration needs a name");
	return 0;
}

static int write_new(strata_ctx *ctx, const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	size_t n = strlen(text), off = 0;

	if (fd < 0)
		return strata__error_set(ctx, errno == EEXIST ? STRATA_EEXISTS :
								STRATA_EIO,
					 "cannot create %s: %s", path,
					 strerror(errno));
	while (off < n) {
		ssize_t w = write(fd, text + off, n - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			int e = errno;

			close(fd);
			unlink(path);
			return strata__error_set(ctx, STRATA_EIO,
						 "cannot write %s: %s", path,
						 strerror(e));
		}
		off += (size_t)w;
	}
	if (close(fd) < 0) {
		unlink(path);
		return strata__error_set(ctx, STRATA_EIO, "cannot write %s",
					 path);
	}
	return 0;
}

static uint64_t timestamp_version(void)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	return (uint64_t)(tm.tm_year + 1900) * 10000000000ULL +
	       (uint64_t)(tm.tm_mon + 1) * 100000000ULL +
	       (uint64_t)tm.tm_mday * 1000000ULL +
	       (uint64_t)tm.tm_hour * 10000ULL + (uint64_t)tm.tm_min * 100ULL +
	       (uint64_t)tm.tm_sec;
}

int strata_new(const char **out_up, const char **out_down, strata_ctx *ctx,
	       const char *name, int sequential)
{
	strata_buf clean = STRATA_BUF_INIT;
	uint64_t version = 0, max = 0;
	int width = 4, rc;
	size_t i;

	*out_up = *out_down = NULL;
	strata__error_clear(ctx);
	rc = clean_name(ctx, &clean, name);
	if (rc < 0)
		goto done;
	if (mkdir(ctx->dir, 0755) < 0 && errno != EEXIST) {
		rc = strata__error_set(ctx, STRATA_EIO, "cannot create %s: %s",
				       ctx->dir, strerror(errno));
		goto done;
	}
	rc = strata__source_load(ctx, &ctx->source, ctx->dir);
	ctx->source_loaded = rc == 0;
	if (rc < 0)
		goto done;
	for (i = 0; i < ctx->source.n; i++) {
		const struct migration *m = &ctx->source.v[i];

		if (m->kind == STRATA_KIND_REPEATABLE)
			continue;
		if (m->version > max)
			max = m->version;
		if ((int)strlen(m->version_text) > width || i == 0)
			width = (int)strlen(m->version_text);
	}
	if (sequential) {
		version = max + 1;
		if (width > 20)
			width = 20;
	} else {
		version = timestamp_version();
		if (version <= max)
			version = max + 1; /* two in one second, or clock skew */
		width = 14;
	}
	strata__buf_clear(&ctx->scratch);
	strata__buf_clear(&ctx->scratch2);
	if (strata__buf_printf(&ctx->scratch, "%s/%0*llu_%s.up.sql", ctx->dir,
			       width, (unsigned long long)version,
			       clean.ptr) < 0 ||
	    strata__buf_printf(&ctx->scratch2, "%s/%0*llu_%s.down.sql",
			       ctx->dir, width, (unsigned long long)version,
			       clean.ptr) < 0) {
		rc = strata__error_set(ctx, STRATA_ENOMEM, "out of memory");
		goto done;
	}
	rc = write_new(ctx, ctx->scratch.ptr,
		       "-- Write the change here. It runs in one transaction "
		       "with its history row:\n"
		       "-- all of it applies, or none of it does.\n"
		       "-- For statements that cannot run in a transaction "
		       "(CREATE INDEX\n"
		       "-- CONCURRENTLY), make the first line: -- "
		       "strata:no-transaction\n\n");
	if (rc == 0) {
		rc = write_new(ctx, ctx->scratch2.ptr,
			       "-- Undo the up migration here, so that "
			       "'strata down' restores the schema\n"
			       "-- exactly as it was before. Delete this "
			       "file if the change cannot be undone.\n\n");
		if (rc < 0)
			unlink(ctx->scratch.ptr);
	}
	if (rc == 0) {
		*out_up = ctx->scratch.ptr;
		*out_down = ctx->scratch2.ptr;
	}
done:
	strata_buf_release(&clean);
	ctx->source_loaded = 0;
	return rc;
}
