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
			return strata__oom(ctx);
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
		return strata__error_set(
		        ctx, errno == EEXIST ? STRATA_EEXISTS : STRATA_EIO,
		        "cannot create %s: %s", path, strerror(errno));
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

/* The UTC time as YYYYMMDDHHMMSS. */
static void timestamp_version(char out[STRATA_VERSION_SIZE])
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, STRATA_VERSION_SIZE, "%Y%m%d%H%M%S", &tm);
}

struct templates {
	const char *ext, *up, *down;
};

static const struct templates sql_templates = {
	".sql",
	"-- Write the change here. It runs in one transaction with its "
	"history row:\n"
	"-- all of it applies, or none of it does.\n"
	"-- For statements that cannot run in a transaction (CREATE INDEX\n"
	"-- CONCURRENTLY), make the first line: -- strata:no-transaction\n\n",
	"-- Undo the up migration here, so that 'strata down' restores the "
	"schema\n"
	"-- exactly as it was before. Delete this file if the change cannot "
	"be undone;\n"
	"-- if there is nothing to undo, keep this file with the line: "
	"-- strata:empty\n\n",
};

static const struct templates exec_templates[] = {
	{ ".py",
	  "#!/usr/bin/env python3\n"
	  "\"\"\"Up: make the change here; exit non-zero on failure.\n\n"
	  "strata passes STRATA_TARGET, STRATA_VERSION, STRATA_NAME and the "
	  "target's\nsettings in the environment; make it safe to run again.\"\"\"\n",
	  "#!/usr/bin/env python3\n"
	  "\"\"\"Down: undo the up file's change; exit non-zero on "
	  "failure.\"\"\"\n" },
	{ ".sh",
	  "#!/bin/sh\n# Up: make the change here; a non-zero exit fails the "
	  "migration.\nset -eu\n",
	  "#!/bin/sh\n# Down: undo the up file's change.\nset -eu\n" },
	{ ".cql",
	  "// Up: Cypher statements, handed to the target's command.\n"
	  "// Prefer IF NOT EXISTS so a re-run is harmless.\n",
	  "// Down: undo the up file's change.\n" },
};

static int pick_templates(strata_ctx *ctx, struct templates *out)
{
	size_t i;

	*out = sql_templates;
	if (!ctx->exec)
		return 0;
	if (!ctx->exec_ext || ctx->exec_ext[0] != '.' || !ctx->exec_ext[1] ||
	    strchr(ctx->exec_ext, '/'))
		return strata__error_set(
		        ctx, STRATA_EINVALID,
		        "the target needs an extension for new "
		        "files (extension = .py, .sh, .cql "
		        "...)");
	out->ext = ctx->exec_ext;
	out->up = out->down = "";
	for (i = 0; i < ARRAY_SIZE(exec_templates); i++)
		if (strcmp(exec_templates[i].ext, ctx->exec_ext) == 0)
			*out = exec_templates[i];
	return 0;
}

int strata_new(const char **out_up, const char **out_down, strata_ctx *ctx,
               const char *name, int sequential)
{
	strata_buf clean = STRATA_BUF_INIT;
	static const char zeros[] = "00000000000000000000000000000000"
	                            "00000000000000000000000000000000";
	char version[STRATA_VERSION_SIZE];
	const char *max = "";
	int width = 4, pad, rc;
	size_t i;

	struct templates tpl;

	*out_up = *out_down = NULL;
	strata__error_clear(ctx);
	rc = pick_templates(ctx, &tpl);
	if (rc == 0)
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
		if (strata__version_cmp(m->version, max) > 0)
			max = m->version;
		if ((int)strlen(m->version_text) > width || i == 0)
			width = (int)strlen(m->version_text);
	}
	/* a whole number: the newest's first part plus one, or the time */
	if (strata__version_next(version, max) < 0) {
		rc = strata__error_set(ctx, STRATA_EINVALID,
		                       "no version after %s fits in %d digits",
		                       max, STRATA_VERSION_MAX);
		goto done;
	}
	if (!sequential) {
		char ts[STRATA_VERSION_SIZE];

		timestamp_version(ts);
		/* else two in one second, or clock skew */
		if (strata__version_cmp(ts, max) > 0)
			memcpy(version, ts, sizeof(ts));
		width = 14;
	}
	/* zeros in front, to the folder's width */
	pad = width > (int)strlen(version) ? width - (int)strlen(version) : 0;
	if (pad > STRATA_VERSION_MAX - (int)strlen(version))
		pad = STRATA_VERSION_MAX - (int)strlen(version);
	strata__buf_clear(&ctx->scratch);
	strata__buf_clear(&ctx->scratch2);
	if (strata__buf_printf(&ctx->scratch, "%s/%.*s%s_%s.up%s", ctx->dir,
	                       pad, zeros, version, clean.ptr, tpl.ext) < 0 ||
	    strata__buf_printf(&ctx->scratch2, "%s/%.*s%s_%s.down%s", ctx->dir,
	                       pad, zeros, version, clean.ptr, tpl.ext) < 0) {
		rc = strata__oom(ctx);
		goto done;
	}
	rc = write_new(ctx, ctx->scratch.ptr, tpl.up);
	if (rc == 0) {
		rc = write_new(ctx, ctx->scratch2.ptr, tpl.down);
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
