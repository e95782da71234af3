/*
 * The SQLite driver's backups, dumps and restores: a copy of the file
 * with SQLite's online backup API, the schema as SQL in a stable order,
 * and a restore of either, a text dump run with ATTACH refused.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/buf.h"
#include "restore_file.h"
#include "sqlite_int.h"

/* Copy src's main database into dst's with SQLite's online backup API. */
static int copy_db(struct strata_driver_conn *c, sqlite3 *dst, sqlite3 *src,
                   const char *what)
{
	sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
	int rc;

	if (!b)
		return strata_driver_set_error(c, STRATA_EIO, NULL, 0, -1,
		                               "%s: %s", what,
		                               sqlite3_errmsg(dst));
	do {
		rc = sqlite3_backup_step(b, 256);
		if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
			sqlite3_sleep(20);
	} while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE)
		return strata_driver_set_error(c, STRATA_EIO, NULL, rc, -1,
		                               "%s: %s", what,
		                               sqlite3_errstr(rc));
	rc = sqlite3_errcode(dst);
	return rc == SQLITE_OK ? 0 :
	                         strata_driver_set_error(c, STRATA_EIO, NULL,
	                                                 rc, -1, "%s: %s", what,
	                                                 sqlite3_errmsg(dst));
}

int strata__sq_backup(struct strata_driver_conn *c, const char *url,
                      const char *path, int fd)
{
	sqlite3 *dst = NULL;
	int rc;

	(void)url;
	(void)fd; /* strata made the file (0600); SQLite writes it by name */
	rc = sqlite3_open_v2(path, &dst, SQLITE_OPEN_READWRITE, NULL);
	rc = rc == SQLITE_OK ?
	             copy_db(c, dst, sq(c)->db,
	                     "cannot write the "
	                     "backup") :
	             strata_driver_set_error(c, STRATA_EIO, NULL, rc, -1,
	                                     "cannot open %s: %s", path,
	                                     sqlite3_errstr(rc));
	sqlite3_close_v2(dst);
	return rc;
}

/* A schema dump's largest size read back for a restore. */
#define DUMP_MAX ((size_t)256 << 20)

struct dump_state {
	strata_buf *out;
	int rc;
};

static int dump_row(void *payload, int ncols, const char *const *v)
{
	struct dump_state *d = payload;

	if (ncols < 1 || !v[0])
		return 0;
	if (d->rc == 0 && d->out->len)
		d->rc = strata__buf_putc(d->out, '\n');
	if (d->rc == 0)
		d->rc = strata__buf_puts(d->out, v[0]);
	if (d->rc == 0)
		d->rc = strata__buf_puts(d->out, ";\n");
	return d->rc;
}

#define DUMP_SQL(shadow)                                             \
 "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT " \
 "LIKE 'sqlite\\_%' ESCAPE '\\'" shadow                              \
 " ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 WHEN " \
 "'view' THEN 2 ELSE 3 END, name"

/*
 * strata dump: SQLite keeps each object's CREATE statement (normalised:
 * no IF NOT EXISTS, no schema name) in sqlite_master. Tables, indexes,
 * views, triggers, each kind by name: SQLite checks neither a foreign
 * key's table nor a view's tables before they are used, and the
 * triggers, last, find their tables and views.
 */
int strata__sq_dump(struct strata_driver_conn *c, const char *url,
                    strata_buf *out)
{
	strata_buf text = STRATA_BUF_INIT;
	struct dump_state d = { &text, 0 };
	int rc;

	(void)url;
	/* a virtual table's shadow tables (FTS5's x_data ...) are made by
	 * its CREATE VIRTUAL TABLE: PRAGMA table_list names them (3.37) */
	rc = c->driver->query(
	        c,
	        sqlite3_libversion_number() >= 3037000 ?
	                DUMP_SQL(" AND name NOT IN (SELECT name FROM "
	                         "pragma_table_list WHERE schema = "
	                         "'main' AND type = 'shadow')") :
	                DUMP_SQL(""),
	        dump_row, &d);
	if (rc == 0 && d.rc == 0)
		rc = strata__buf_put(out, text.ptr, text.len);
	else if (rc == 0)
		rc = d.rc;
	strata_buf_release(&text);
	if (rc == STRATA_ENOMEM)
		return strata_driver_set_error(c, rc, NULL, 0, -1,
		                               "out of memory");
	return rc;
}

/* A schema dump's statements may not reach outside the database. */
static int no_attach(void *payload, int action, const char *a, const char *b,
                     const char *db, const char *trigger)
{
	(void)payload;
	(void)a;
	(void)b;
	(void)db;
	(void)trigger;
	return action == SQLITE_ATTACH || action == SQLITE_DETACH ?
	               SQLITE_DENY :
	               SQLITE_OK;
}

/* Restore `strata dump`'s text (restore_check passed it): its statements
 * in one transaction, all or nothing. */
static int restore_dump(struct strata_driver_conn *c, const char *path)
{
	strata_buf text = STRATA_BUF_INIT;
	char chunk[65536];
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = 0;
	char *msg = NULL;

	if (fd < 0)
		return strata_driver_set_error(c, STRATA_EIO, NULL, 0, -1,
		                               "cannot read %s: %s", path,
		                               strerror(errno));
	for (;;) {
		ssize_t r = read(fd, chunk, sizeof(chunk));

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 || text.len + (size_t)(r > 0 ? r : 0) > DUMP_MAX) {
			rc = strata_driver_set_error(c, STRATA_EIO, NULL, 0, -1,
			                             "cannot read %s: %s", path,
			                             r < 0 ? strerror(errno) :
			                                     "too large");
			break;
		}
		if (r == 0)
			break;
		if (strata__buf_put(&text, chunk, (size_t)r) < 0) {
			rc = strata_driver_set_error(c, STRATA_ENOMEM, NULL, 0,
			                             -1, "out of memory");
			break;
		}
	}
	close(fd);
	if (rc == 0)
		rc = c->driver->begin(c);
	if (rc == 0) {
		sqlite3_set_authorizer(sq(c)->db, no_attach, NULL);
		rc = sqlite3_exec(sq(c)->db, text.ptr, NULL, NULL, &msg);
		sqlite3_set_authorizer(sq(c)->db, NULL, NULL);
		if (rc != SQLITE_OK) {
			rc = strata_driver_set_error(
			        c, STRATA_EDB, NULL, rc, -1, "%s: %s", path,
			        msg ? msg : sqlite3_errstr(rc));
			sqlite3_exec(sq(c)->db, "ROLLBACK", NULL, NULL, NULL);
		} else {
			rc = c->driver->commit(c);
		}
	}
	sqlite3_free(msg);
	strata_buf_release(&text);
	return rc;
}

int strata__sq_restore(struct strata_driver_conn *c, const char *url,
                       const char *path)
{
	sqlite3 *src = NULL;
	char head[64];
	ssize_t n = 0;
	int rc, fd;

	(void)url;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = pread(fd, head, sizeof(head), 0);
		close(fd);
	}
	if (n > 0 && strata__dump_header_is(head, (size_t)n, "sqlite"))
		return restore_dump(c, path);
	rc = sqlite3_open_v2(path, &src, SQLITE_OPEN_READONLY, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(src, "SELECT count(*) FROM sqlite_master",
		                  NULL, NULL, NULL);
	rc = rc == SQLITE_OK ?
	             copy_db(c, sq(c)->db, src, "cannot restore the backup") :
	             strata_driver_set_error(c, STRATA_EIO, NULL, rc, -1,
	                                     "%s is not a SQLite backup: %s",
	                                     path, sqlite3_errstr(rc));
	sqlite3_close_v2(src);
	return rc;
}

/*
 * A restore copies a SQLite database, pages and all (nothing in it is
 * run): the file must be one, and it is strata's backup when it holds
 * the history table.
 */
int strata__sq_restore_check(const char *path, int fd, const char *table,
                             strata_buf *what, unsigned long *line)
{
	char head[4096];
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	struct stat sb;
	ssize_t n;
	int rc, own = 0;

	*line = 0;
	strata__buf_clear(what);
	if (fstat(fd, &sb) < 0 || (n = pread(fd, head, sizeof(head), 0)) < 0)
		return strata__buf_puts(what, strerror(errno)) < 0 ?
		               STRATA_ENOMEM :
		               STRATA_EIO;
	if (n < 16 || memcmp(head, "SQLite format 3", 16) != 0) {
		strata_buf kind = STRATA_BUF_INIT;

		/* strata dump's text: its statements run, nothing else */
		if (strata__dump_header_is(head, (size_t)n, "sqlite"))
			return strata__restore_describe(head, (size_t)n,
			                                (uint64_t)sb.st_size,
			                                "sqlite", what);

		rc = strata__restore_describe(
		        head, (size_t)n, (uint64_t)sb.st_size, "sqlite", &kind);
		if (rc != STRATA_ENOMEM)
			rc = strata__buf_printf(
			        what, "not a SQLite database: it is %s",
			        kind.ptr);
		strata_buf_release(&kind);
		return rc < 0 ? STRATA_ENOMEM : STRATA_EPARSE;
	}
	rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(db,
		                        "SELECT 1 FROM sqlite_master WHERE "
		                        "type = 'table' AND name = ?1",
		                        -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(st);
		own = rc == SQLITE_ROW;
		if (rc == SQLITE_ROW || rc == SQLITE_DONE)
			rc = SQLITE_OK;
	}
	if (rc != SQLITE_OK)
		rc = strata__buf_printf(what, "a damaged SQLite database: %s",
		                        db ? sqlite3_errmsg(db) :
		                             sqlite3_errstr(rc)) < 0 ?
		             STRATA_ENOMEM :
		             STRATA_EPARSE;
	else
		rc = strata__buf_printf(what,
		                        "a SQLite database %s strata's "
		                        "history table '%s'",
		                        own ? "holding" : "without",
		                        table) < 0 ?
		             STRATA_ENOMEM :
		             own;
	sqlite3_finalize(st);
	sqlite3_close_v2(db);
	return rc;
}
