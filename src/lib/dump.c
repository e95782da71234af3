/*
 * strata dump: the schema of the database as SQL, made by the driver
 * (the database's own dumper, its output made deterministic), then the
 * history's rows as INSERT statements, so that the file restored into an
 * empty database (strata restore) gives the same schema and history, and
 * dumps again to the same bytes. With the log asked for, its rows follow,
 * every value kept (times and users: not the same bytes for the same
 * schema, which is why it is asked for).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"
#include "ctx.h"
#include "driver.h"
#include "engine.h"
#include "history.h"
#include "../util/fdio.h"

/*
 * The first line; src/drivers/restore_file.h (STRATA_DUMP_MARK) reads it,
 * so that restore takes the file as strata's own.
 */
#define DUMP_MARK "-- strata schema dump ("

/* What the history rows say in a dump, apart from the time, the user
 * and the duration of a run: those differ between two databases built
 * from one folder, and are those of the restore when it runs. */
#define DUMP_APPLIED_BY "strata restore"

struct dump_row {
	const struct history_row *row;
	char key[STRATA_VERSION_KEY_SIZE];
};

/* versioned rows by version, then repeatables by name */
static int row_cmp(const void *a, const void *b)
{
	const struct dump_row *x = a, *y = b;
	int rx = x->row->version[0] == '\0', ry = y->row->version[0] == '\0';
	int c;

	if (rx != ry)
		return rx - ry;
	c = strcmp(x->key, y->key);
	return c ? c : strcmp(x->row->name, y->row->name);
}

static int put_history(strata_ctx *ctx, strata_buf *out)
{
	const struct history *h = &ctx->history;
	struct dump_row *rows = NULL;
	char *hidden = NULL;
	size_t i;
	int rc = 0;

	if (!h->n && !ctx->dump_log)
		return 0;
	rows = strata__calloc(h->n + 1, sizeof(*rows));
	if (!rows)
		return strata__oom(ctx);
	for (i = 0; i < h->n; i++) {
		rows[i].row = &h->v[i];
		strata__version_key(rows[i].key, h->v[i].version);
	}
	qsort(rows, h->n, sizeof(*rows), row_cmp);
	/* a database without schemas (MySQL) resolves its own name: the
	 * rows go into the database the file is restored into */
	if (!strata__driver_can(ctx, STRATA_DRIVER_CAP_SCHEMA)) {
		hidden = ctx->resolved_schema;
		ctx->resolved_schema = NULL;
	}
	rc = h->n ? strata__buf_puts(out, "\n-- strata history: the "
	                                  "migrations applied, in version "
	                                  "order\n") :
	            0;
	if (rc < 0)
		rc = strata__oom(ctx);
	for (i = 0; rc == 0 && i < h->n; i++) {
		struct history_row r = *rows[i].row;

		r.applied_at = NULL;
		r.execution_ms = 0;
		r.applied_by = (char *)DUMP_APPLIED_BY;
		rc = strata__history_sql_insert(ctx, out, &r);
	}
	/* the log as it is: its times and users are what it keeps */
	if (rc == 0 && ctx->dump_log)
		rc = strata__log_sql_dump(ctx, out);
	if (hidden)
		ctx->resolved_schema = hidden;
	strata__free(rows);
	return rc;
}

void strata_dump_include_log(strata_ctx *ctx, int on)
{
	ctx->dump_log = on != 0;
}

int strata_dump(strata_buf *out, strata_ctx *ctx)
{
	size_t start = out->len;
	int rc;

	strata__error_clear(ctx);
	if (ctx->exec)
		return strata__error_set(ctx, STRATA_ENOTSUPP,
		                         "dump needs a database: an exec "
		                         "target's migrations are programs");
	rc = strata__connect(ctx, 0);
	if (rc == STRATA_ENOTFOUND)
		return strata__error_set(ctx, STRATA_ENOTFOUND,
		                         "nothing to dump: the database does "
		                         "not exist yet");
	if (rc < 0)
		return rc;
	if (!strata__driver_has(ctx, STRATA_DRV_DUMP))
		return strata__error_set(ctx, STRATA_ENOTSUPP,
		                         "dump is not available for %s",
		                         strata__driver_name(ctx));
	/* no runner migrates between the schema and the history read */
	rc = strata__lock_runner(ctx);
	if (rc == 0)
		rc = strata__history_check(ctx, 0);
	if (rc > 0)
		rc = strata__history_read(ctx);
	else if (rc == 0)
		strata__history_release(&ctx->history);
	if (rc < 0)
		return rc;
	if (strata__buf_printf(out, "%s%s)\n\n", DUMP_MARK,
	                       strata__driver_name(ctx)) < 0)
		return strata__oom(ctx);
	rc = strata__conn_dump(ctx, out);
	if (rc == 0)
		rc = put_history(ctx, out);
	if (rc < 0) {
		strata__buf_truncate(out, start);
		strata__error_prefix(ctx, "dump failed");
	}
	return rc;
}

/* 1 when the file at path holds exactly want's bytes */
static int same_content(const char *path, const strata_buf *want)
{
	char chunk[8192];
	size_t off = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC), same = 1;

	if (fd < 0)
		return 0;
	for (;;) {
		ssize_t r = read(fd, chunk, sizeof(chunk));

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 || (size_t)r > want->len - off ||
		    memcmp(chunk, want->ptr + off, (size_t)(r > 0 ? r : 0))) {
			same = 0;
			break;
		}
		if (r == 0)
			break;
		off += (size_t)r;
	}
	close(fd);
	return same && off == want->len;
}

int strata_dump_write(strata_ctx *ctx, const char *path, int *out_changed)
{
	strata_buf text = STRATA_BUF_INIT, tmp = STRATA_BUF_INIT;
	mode_t mode = 0644;
	struct stat st;
	int rc, fd = -1, err = 0;

	if (out_changed)
		*out_changed = 0;
	rc = strata_dump(&text, ctx);
	if (rc < 0)
		goto done;
	if (same_content(path, &text))
		goto done; /* its time stays: nothing changed */
	/* a whole file or none: written beside it, renamed over it */
	if (strata__buf_printf(&tmp, "%s.tmp-XXXXXX", path) < 0) {
		rc = strata__oom(ctx);
		goto done;
	}
	fd = mkstemp(tmp.ptr);
	if (fd < 0) {
		rc = strata__error_set(ctx, STRATA_EIO, "cannot write %s: %s",
		                       path, strerror(errno));
		goto done;
	}
	/* a file there keeps its mode */
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
		mode = st.st_mode & 07777;
	if (fchmod(fd, mode) < 0 ||
	    strata__write_all(fd, text.ptr, text.len) != 0 || fsync(fd) < 0)
		err = errno ? errno : EIO;
	if (close(fd) < 0 && !err)
		err = errno;
	if (!err && rename(tmp.ptr, path) < 0)
		err = errno;
	if (err) {
		unlink(tmp.ptr);
		rc = strata__error_set(ctx, STRATA_EIO, "cannot write %s: %s",
		                       path, strerror(err));
		goto done;
	}
	if (out_changed)
		*out_changed = 1;
done:
	strata_buf_release(&tmp);
	strata_buf_release(&text);
	return rc;
}
