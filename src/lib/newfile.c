/*
 * strata new: the next version (a UTC timestamp, or the next sequential
 * number in the folder's width) and the files of a migration in the
 * folder's own format (its newest migration's): an up/down pair, a single
 * file with dbmate's, goose's or sql-migrate's sections, a Flyway V file,
 * a Prisma or a Diesel migration's folder.
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

/* What `new` writes: the folder's own format, as its newest migration
 * has it (sqlx infers its kind of file the same way). */
enum new_kind {
	NEW_PAIR,   /* <v>_<name>.up.sql and .down.sql */
	NEW_SINGLE, /* <v>_<name>.sql, up only (sqlx's simple migration) */
	NEW_DBMATE,
	NEW_GOOSE,
	NEW_SQLM,
	NEW_FLYWAY, /* V<v>__<name>.sql, U<v>__<name>.sql when used */
	NEW_PRISMA, /* <v>_<name>/migration.sql [+ down.sql] */
	NEW_DIESEL  /* <v>_<name>/up.sql and down.sql */
};

struct new_plan {
	enum new_kind kind;
	int with_down; /* Flyway's U file, Prisma's down.sql */
	int dashes;    /* Diesel's 2017-12-05-004412, sql-migrate's v-name */
	int seq;       /* Flyway with small versions: the next number */
};

static void plan_new(strata_ctx *ctx, struct new_plan *pl)
{
	struct migration *m = NULL;
	const char *slash;
	size_t i;

	memset(pl, 0, sizeof(*pl));
	for (i = 0; i < ctx->source.n; i++)
		if (ctx->source.v[i].kind == STRATA_KIND_VERSIONED)
			m = &ctx->source.v[i];
	if (!m || ctx->exec)
		return;
	slash = strrchr(m->up_path, '/');
	if (m->layout == LAYOUT_PRISMA) {
		pl->kind = NEW_PRISMA;
		pl->with_down = m->down_path != NULL;
	} else if (m->layout == LAYOUT_DIESEL && slash) {
		/* the folder's name, .../<version>_<name>/up.sql: Diesel's
		 * own has dashes in its version */
		const char *f = slash, *us;

		while (f > m->up_path && f[-1] != '/')
			f--;
		us = memchr(f, '_', (size_t)(slash - f));
		pl->kind = NEW_DIESEL;
		pl->dashes = us && memchr(f, '-', (size_t)(us - f)) != NULL;
	} else if (strcmp(m->format, "flyway") == 0) {
		pl->kind = NEW_FLYWAY;
		pl->with_down = m->down_path != NULL;
		pl->seq = strlen(m->version_text) < 14;
	} else if (m->single_file) {
		/* its markers say which tool's file it is */
		if (strata__migration_load(ctx, m) < 0)
			strata__error_clear(ctx);
		pl->kind = strcmp(m->format, "dbmate") == 0      ? NEW_DBMATE :
		           strcmp(m->format, "goose") == 0       ? NEW_GOOSE :
		           strcmp(m->format, "sql-migrate") == 0 ? NEW_SQLM :
		                                                   NEW_SINGLE;
		pl->dashes = m->sqlm_name;
	}
}

static const char *const section_marks[][2] = {
	[NEW_DBMATE] = { "-- migrate:up", "-- migrate:down" },
	[NEW_GOOSE] = { "-- +goose Up", "-- +goose Down" },
	[NEW_SQLM] = { "-- +migrate Up", "-- +migrate Down" },
};

/* A single file with an up and a down section. */
static int sections_text(strata_buf *out, enum new_kind kind)
{
	return strata__buf_printf(
	        out,
	        "%s\n"
	        "-- Write the change here. It runs in one transaction with "
	        "its history row.\n\n"
	        "%s\n"
	        "-- Undo the up section here, so that 'strata down' restores "
	        "the schema\n"
	        "-- exactly as it was before. If there is nothing to undo, "
	        "say so with the\n"
	        "-- line: -- strata:empty\n\n",
	        section_marks[kind][0], section_marks[kind][1]);
}

/* The next version as written: v (canonical, whole) with zeros in front
 * to the folder's width, or a UTC timestamp with Diesel's dashes. */
static void version_text(char *out, size_t n, const char *v, int width,
                         int dashes)
{
	static const char zeros[] = "00000000000000000000000000000000"
	                            "00000000000000000000000000000000";
	int len = (int)strlen(v), pad = width > len ? width - len : 0;

	if (pad > STRATA_VERSION_MAX - len)
		pad = STRATA_VERSION_MAX - len;
	if (dashes && len == 14 && pad == 0)
		snprintf(out, n, "%.4s-%.2s-%.2s-%.6s", v, v + 4, v + 6, v + 8);
	else
		snprintf(out, n, "%.*s%s", pad, zeros, v);
}

static int make_folder(strata_ctx *ctx, const char *path)
{
	if (mkdir(path, 0755) < 0)
		return strata__error_set(
		        ctx, errno == EEXIST ? STRATA_EEXISTS : STRATA_EIO,
		        "cannot create %s: %s", path, strerror(errno));
	return 0;
}

/* Write the files of the plan into ctx->scratch (up) and ctx->scratch2
 * (down, or empty). */
static int write_files(strata_ctx *ctx, const struct new_plan *pl,
                       const struct templates *tpl, const char *v,
                       const char *name)
{
	strata_buf *up = &ctx->scratch, *down = &ctx->scratch2;
	strata_buf text = STRATA_BUF_INIT, folder = STRATA_BUF_INIT;
	const char *d = ctx->dir;
	int rc = 0;

	switch (pl->kind) {
	case NEW_PRISMA:
	case NEW_DIESEL:
		if (strata__buf_printf(&folder, "%s/%s_%s", d, v, name) < 0 ||
		    strata__buf_printf(up, "%s/%s", folder.ptr,
		                       pl->kind == NEW_PRISMA ?
		                               "migration.sql" :
		                               "up.sql") < 0 ||
		    ((pl->kind == NEW_DIESEL || pl->with_down) &&
		     strata__buf_printf(down, "%s/down.sql", folder.ptr) < 0))
			rc = STRATA_ENOMEM;
		if (rc == 0)
			rc = make_folder(ctx, folder.ptr);
		break;
	case NEW_FLYWAY:
		if (strata__buf_printf(up, "%s/V%s__%s.sql", d, v, name) < 0 ||
		    (pl->with_down && strata__buf_printf(down, "%s/U%s__%s.sql",
		                                         d, v, name) < 0))
			rc = STRATA_ENOMEM;
		break;
	case NEW_SINGLE:
	case NEW_DBMATE:
	case NEW_GOOSE:
	case NEW_SQLM:
		if (strata__buf_printf(up, "%s/%s%c%s.sql", d, v,
		                       pl->dashes ? '-' : '_', name) < 0)
			rc = STRATA_ENOMEM;
		break;
	default:
		if (strata__buf_printf(up, "%s/%s_%s.up%s", d, v, name,
		                       tpl->ext) < 0 ||
		    strata__buf_printf(down, "%s/%s_%s.down%s", d, v, name,
		                       tpl->ext) < 0)
			rc = STRATA_ENOMEM;
		break;
	}
	if (rc == 0 && pl->kind >= NEW_DBMATE && pl->kind <= NEW_SQLM &&
	    sections_text(&text, pl->kind) < 0)
		rc = STRATA_ENOMEM;
	if (rc == STRATA_ENOMEM)
		rc = strata__oom(ctx);
	if (rc == 0)
		rc = write_new(ctx, up->ptr, text.len ? text.ptr : tpl->up);
	if (rc == 0 && down->len) {
		rc = write_new(ctx, down->ptr, tpl->down);
		if (rc < 0)
			unlink(up->ptr);
	}
	if (rc < 0 && folder.len)
		rmdir(folder.ptr);
	strata_buf_release(&text);
	strata_buf_release(&folder);
	return rc;
}

int strata_new(const char **out_up, const char **out_down, strata_ctx *ctx,
               const char *name, int sequential)
{
	strata_buf clean = STRATA_BUF_INIT;
	char version[STRATA_VERSION_SIZE];
	const char *max = "";
	int width = 4, rc;
	size_t i;
	struct templates tpl;
	struct new_plan pl;
	char v[2 * STRATA_VERSION_SIZE + 8];

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
	plan_new(ctx, &pl);
	/* a whole number: the newest's first part plus one, or the time */
	if (strata__version_next(version, max) < 0) {
		rc = strata__error_set(ctx, STRATA_EINVALID,
		                       "no version after %s fits in %d digits",
		                       max, STRATA_VERSION_MAX);
		goto done;
	}
	if (!sequential && !pl.seq) {
		char ts[STRATA_VERSION_SIZE];

		timestamp_version(ts);
		/* else two in one second, or clock skew */
		if (strata__version_cmp(ts, max) > 0)
			memcpy(version, ts, sizeof(ts));
		width = 14;
	}
	version_text(v, sizeof(v), version, width,
	             pl.kind == NEW_DIESEL && pl.dashes);
	strata__buf_clear(&ctx->scratch);
	strata__buf_clear(&ctx->scratch2);
	rc = write_files(ctx, &pl, &tpl, v, clean.ptr);
	if (rc == 0) {
		*out_up = ctx->scratch.ptr;
		*out_down = ctx->scratch2.len ? ctx->scratch2.ptr : NULL;
	}
done:
	strata_buf_release(&clean);
	ctx->source_loaded = 0;
	return rc;
}
