/*
 * The SQLite driver, over libsqlite3. SQLite has no runner lock: every
 * migration takes the write lock with BEGIN IMMEDIATE (waiting up to the
 * lock timeout through busy_wait) and the engine re-checks the
 * history inside that transaction.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "strata/sys/driver.h"
#include "../util/clock.h"
#include "../util/alloc.h"
#include "../util/buf.h"
#include "../util/fileid.h"
#include "../util/sqlite_url.h"
#include "../util/testpoint.h"
#include "restore_file.h"
#include "catalog.h"
#include "sqlite_holder.h"
#include "sqlite_int.h"
#include "split.h"

extern const struct strata_driver strata__driver_sqlite;

/* After this long waiting for the lock, say whose it is (ms) */
#define LOCK_SAY_WHO 1000

/* sq_exec's window: its usual size, the most it grows to for one
 * statement (SQLite refuses longer ones: SQLITE_MAX_SQL_LENGTH), and the
 * most memory kept between calls. */
#define WINDOW_BYTES (64 * 1024)
#define WINDOW_MAX   (1000 * 1000 * 1000)
#define WINDOW_KEEP  (1024 * 1024)

static int db_error(struct strata_driver_conn *c, int rc, long offset,
                    const char *what)
{
	sqlite3 *db = sq(c)->db;
	int code = rc == SQLITE_BUSY || rc == SQLITE_LOCKED ? STRATA_ELOCKED :
	                                                      STRATA_EDB;

	if (code == STRATA_ELOCKED && strata_driver_interrupted(c)) {
		const char *file = db ? sqlite3_db_filename(db, "main") : NULL;

		return strata_driver_set_error(
		        c, STRATA_EINTERRUPTED, NULL, rc, offset,
		        "%s: interrupted while waiting for the database '%s', "
		        "locked by another process",
		        what, file && file[0] ? file : ":memory:");
	}
	if (code == STRATA_ELOCKED) {
		/* name the lock: SQLite's write lock is the file's */
		const char *file = db ? sqlite3_db_filename(db, "main") : NULL;
		strata_buf who = STRATA_BUF_INIT;
		int r;

		if (file && file[0] &&
		    strata__sqlite_lock_holder(file, &who) != 1)
			strata__buf_clear(&who);
		r = strata_driver_set_error(
		        c, code, NULL, rc, offset,
		        "%s: the database '%s' is locked by %s (waited %d s; "
		        "raise %s to wait longer)",
		        what, file && file[0] ? file : ":memory:",
		        who.len ? who.ptr : "another process",
		        sq(c)->busy_ms / 1000,
		        strata_driver_setting(c, STRATA_SETTING_LOCK_TIMEOUT));
		strata_buf_release(&who);
		return r;
	}
	if (db && sq(c)->read_only &&
	    (sqlite3_extended_errcode(db) & 0xff) == SQLITE_READONLY)
		return strata_driver_set_error(
		        c, code, NULL, sqlite3_extended_errcode(db), offset,
		        "%s: the database URL opens it read-only (%s)",
		        sqlite3_errmsg(db), sq(c)->read_only);
	return strata_driver_set_error(
	        c, code, NULL, db ? sqlite3_extended_errcode(db) : rc, offset,
	        "%s", db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
}

/* A runner that has waited a while says whose lock it waits for. */
static void say_who(struct sqlite_conn *s)
{
	const char *file = sqlite3_db_filename(s->db, "main");
	strata_buf who = STRATA_BUF_INIT, msg = STRATA_BUF_INIT;

	if (file && file[0] && strata__sqlite_lock_holder(file, &who) == 1 &&
	    strata__buf_printf(&msg,
	                       "waiting for the database '%s', written by %s "
	                       "(up to %d s)",
	                       file, who.ptr, s->busy_ms / 1000) == 0)
		strata_driver_info(&s->base, msg.ptr);
	strata_buf_release(&who);
	strata_buf_release(&msg);
}

/*
 * Wait for another connection's lock up to the lock timeout, as
 * sqlite3_busy_timeout would, but give up at once when the user
 * interrupts: Ctrl-C must not wait out a long --lock-timeout.
 */
static int busy_wait(void *arg, int count)
{
	struct sqlite_conn *s = arg;
	long long waited;
	int step;

	if (count == 0) {
		strata__testpoint("lock_busy");
		s->busy_since = strata__now_ms();
	}
	if (strata_driver_interrupted(&s->base))
		return 0;
	waited = strata__now_ms() - s->busy_since;
	if (waited >= s->busy_ms)
		return 0;
	if (!s->told_holder && waited >= LOCK_SAY_WHO) {
		s->told_holder = 1;
		say_who(s);
		strata__testpoint("lock_told");
	}
	/* short sleeps first: most locks are held for milliseconds */
	step = count < 4 ? 1 << count : 20;
	if (step > s->busy_ms - waited)
		step = (int)(s->busy_ms - waited);
	sqlite3_sleep(step);
	return 1;
}

static int sq_connect(struct strata_driver_conn *c,
                      const struct strata_connect_params *p)
{
	struct strata__sqlite_url u;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
	char err[256];
	struct stat st;
	int rc;

	rc = strata__sqlite_url_parse(&u, p->url, err, sizeof(err));
	if (rc < 0)
		return strata_driver_set_error(c, rc, NULL, 0, -1, "%s", err);
	if (!u.memory && stat(u.path, &st) < 0) {
		if (errno == ENOENT && (!p->create || u.must_exist)) {
			rc = strata_driver_set_error(
			        c, STRATA_ENOTFOUND, NULL, 0, -1,
			        "database file '%s' does not exist%s%s%s",
			        u.path, u.must_exist ? " (mode=" : "",
			        u.must_exist ? u.mode : "",
			        u.must_exist ?
			                " in the URL: it is not created)" :
			                "");
			goto done;
		}
		flags |= SQLITE_OPEN_CREATE;
	}
	/* SQLite refuses a mode less strict than the flags: rwc may create
	 * (the file exists, or the command may create it) */
	if (u.mode && strcmp(u.mode, "rwc") == 0)
		flags |= SQLITE_OPEN_CREATE;
	if (u.uri)
		flags |= SQLITE_OPEN_URI;
	rc = sqlite3_open_v2(u.open_name, &sq(c)->db, flags, NULL);
	if (rc != SQLITE_OK) {
		rc = strata_driver_set_error(
		        c, STRATA_ECONNECT, NULL, rc, -1,
		        "cannot open SQLite database '%s': %s", u.path,
		        sq(c)->db ? sqlite3_errmsg(sq(c)->db) :
		                    sqlite3_errstr(rc));
		goto done;
	}
	sq(c)->read_only = u.read_only ? (u.mode && strcmp(u.mode, "ro") == 0 ?
	                                          "mode=ro" :
	                                          "immutable") :
	                                 NULL;
	sqlite3_extended_result_codes(sq(c)->db, 1);
	sq(c)->busy_ms = p->lock_timeout_ms < 0 ? 0 : p->lock_timeout_ms;
	sqlite3_busy_handler(sq(c)->db, busy_wait, sq(c));
done:
	strata__sqlite_url_release(&u);
	return rc;
}

static void cache_clear(struct sqlite_conn *s)
{
	for (int i = 0; i < CACHED_STATEMENTS; i++) {
		sqlite3_finalize(s->cache[i].st);
		strata__free(s->cache[i].sql);
		s->cache[i].st = NULL;
		s->cache[i].sql = NULL;
	}
}

/*
 * The prepared statement for sql, from the cache or prepared now and kept
 * (*kept = 1) when a slot is free; the caller resets a kept statement and
 * finalizes one that is not.
 */
static int cached_prepare(struct sqlite_conn *s, const char *sql,
                          sqlite3_stmt **st, int *kept)
{
	int i, rc, free_slot = -1;

	for (i = 0; i < CACHED_STATEMENTS; i++) {
		if (s->cache[i].sql && strcmp(s->cache[i].sql, sql) == 0) {
			*st = s->cache[i].st;
			*kept = 1;
			return SQLITE_OK;
		}
		if (!s->cache[i].sql && free_slot < 0)
			free_slot = i;
	}
	*kept = 0;
	rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st,
	                        NULL);
	if (rc != SQLITE_OK || free_slot < 0)
		return rc;
	s->cache[free_slot].sql = strata__strdup(sql);
	if (s->cache[free_slot].sql) {
		s->cache[free_slot].st = *st;
		*kept = 1;
	}
	return SQLITE_OK;
}

static void cached_done(sqlite3_stmt *st, int kept)
{
	if (kept) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
	} else {
		sqlite3_finalize(st);
	}
}

static void sq_disconnect(struct strata_driver_conn *c)
{
	cache_clear(sq(c));
	strata_buf_release(&sq(c)->window);
	/* close_v2: statements are finalized everywhere, but be lenient */
	sqlite3_close_v2(sq(c)->db);
	sq(c)->db = NULL;
}

/* Step a prepared statement to the end, passing rows to cb if given. */
static int run_stmt(struct strata_driver_conn *c, sqlite3_stmt *st,
                    strata_row_cb cb, void *payload)
{
	const char *vals[64];
	int rc, n;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!cb)
			continue;
		n = sqlite3_column_count(st);
		if (n > 64)
			n = 64;
		for (int i = 0; i < n; i++)
			vals[i] = (const char *)sqlite3_column_text(st, i);
		rc = cb(payload, n, vals);
		if (rc != 0)
			return rc;
	}
	(void)c;
	return rc == SQLITE_DONE ? 0 : rc;
}

/* The first byte of a statement: past blanks and "--" comment lines. */
static const char *skip_space(const char *p, const char *end)
{
	while (p < end) {
		if (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
			p++;
		else if (*p == '-' && p + 1 < end && p[1] == '-')
			while (p < end && *p != '\n')
				p++;
		else
			break;
	}
	return p;
}

/*
 * A NUL-terminated copy of text[from, from + len), the window that
 * statements are prepared from (see sq_exec).
 */
static int window_fill(struct sqlite_conn *s, const char *from, size_t len)
{
	strata__buf_clear(&s->window);
	if (strata__buf_put(&s->window, from, len) < 0)
		return strata_driver_set_error(&s->base, STRATA_ENOMEM, NULL, 0,
		                               -1, "out of memory");
	s->window_from = from;
	return 0;
}

static int first_end(void *payload, size_t off, size_t len, unsigned flags)
{
	(void)flags;
	*(size_t *)payload = off + len;
	return 1; /* the first statement is enough */
}

/*
 * Run every statement of sql[0, len). SQLite copies a text that does not
 * end with its NUL on every prepare, and the text here is a part of a
 * file: preparing statement after statement from it copied the rest of
 * the file each time, which made a large file take quadratic time. The
 * statements are prepared from a NUL-terminated copy of a window of the
 * text instead, which slides along it, so that each byte is copied about
 * once and memory stays within the longest statement. The tokens before a
 * statement's ';' read the same in the window as in the whole text, so a
 * statement whose end is in the window is the one the whole text holds;
 * one that reaches the window's end is prepared again from a window twice
 * as large. A statement that fails is the whole text's failure once the
 * window holds all of it, as the splitter (which follows
 * sqlite3_prepare_v2) delimits it.
 */
static int sq_exec(struct strata_driver_conn *c, const char *sql, size_t len)
{
	struct sqlite_conn *s = sq(c);
	const char *p = sql, *end = sql + len, *wend = sql;
	size_t refill = 0;
	int rc = 0;

	while (p < end) {
		sqlite3_stmt *st = NULL;
		const char *ztail = NULL, *tail;
		size_t n, need;
		int last;

		if (p >= wend || refill) {
			/* past the window, or the statement needs more */
			n = refill ? refill : WINDOW_BYTES;
			if (n > (size_t)(end - p))
				n = (size_t)(end - p);
			rc = window_fill(s, p, n);
			if (rc < 0)
				break;
			wend = p + n;
			refill = 0;
		}
		n = (size_t)(wend - p);
		/* the window's end is the text's, or as far as it goes */
		last = wend == end || n >= WINDOW_MAX;
		rc = sqlite3_prepare_v2(s->db,
		                        s->window.ptr + (p - s->window_from),
		                        (int)n + 1, &st, &ztail);
		tail = ztail ? s->window_from + (ztail - s->window.ptr) : NULL;
		need = 0;
		if (!last && rc != SQLITE_OK &&
		    strata__split_sqlite(p, (size_t)(end - p), first_end,
		                         &need) < 0)
			need = (size_t)(end - p);
		if (!last &&
		    (rc == SQLITE_OK ? !tail || tail >= wend : need > n)) {
			/* it may go on past the window: prepare it again
			 * from one twice as long as it, and at least the
			 * usual size */
			sqlite3_finalize(st);
			refill = 2 * (need > n ? need : n);
			if (refill < WINDOW_BYTES)
				refill = WINDOW_BYTES;
			if (refill > WINDOW_MAX)
				refill = WINDOW_MAX;
			continue;
		}
		if (rc != SQLITE_OK) {
			int off = sqlite3_error_offset(s->db);

			/* without an offset, point at the statement's start */
			rc = db_error(c, rc,
			              off >= 0 ?
			                      (long)(p - sql) + off :
			                      (long)(skip_space(p, end) - sql),
			              "statement failed");
			break;
		}
		if (st) {
			rc = run_stmt(c, st, NULL, NULL);
			sqlite3_finalize(st);
			if (rc != 0) {
				rc = db_error(c, rc,
				              (long)(skip_space(p, tail) - sql),
				              "statement failed");
				break;
			}
		}
		if (!tail || tail <= p)
			break;
		/* a trailing blank line or comment needs no prepare */
		p = skip_space(tail, end);
	}
	if (s->window.alloc > WINDOW_KEEP)
		strata_buf_release(&s->window);
	return rc;
}

static int sq_exec_params(struct strata_driver_conn *c, const char *sql, int n,
                          const char *const *values)
{
	sqlite3_stmt *st = NULL;
	int rc, kept;

	rc = cached_prepare(sq(c), sql, &st, &kept);
	if (rc != SQLITE_OK)
		return db_error(c, rc, -1, "statement failed");
	for (int i = 0; i < n && rc == SQLITE_OK; i++)
		rc = values[i] ? sqlite3_bind_text(st, i + 1, values[i], -1,
		                                   SQLITE_STATIC) :
		                 sqlite3_bind_null(st, i + 1);
	if (rc == SQLITE_OK)
		rc = run_stmt(c, st, NULL, NULL);
	if (rc != 0)
		rc = db_error(c, rc, -1, "statement failed");
	cached_done(st, kept);
	return rc;
}

static int sq_query(struct strata_driver_conn *c, const char *sql,
                    strata_row_cb cb, void *payload)
{
	sqlite3_stmt *st = NULL;
	int rc, kept = 0;

	/* the change counter is read in every migration's transaction */
	if (sql == strata__driver_sqlite.change_counter_sql)
		rc = cached_prepare(sq(c), sql, &st, &kept);
	else
		rc = sqlite3_prepare_v2(sq(c)->db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_error(c, rc, -1, "query failed");
	rc = run_stmt(c, st, cb, payload);
	if (rc > 0)
		rc = db_error(c, rc, -1, "query failed");
	cached_done(st, kept);
	return rc;
}

static int simple(struct strata_driver_conn *c, const char *sql)
{
	int rc = sqlite3_exec(sq(c)->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : db_error(c, rc, -1, sql);
}

static int sq_begin(struct strata_driver_conn *c)
{
	/* IMMEDIATE takes the write lock now, waiting through busy_wait */
	return simple(c, "BEGIN IMMEDIATE");
}

static int sq_commit(struct strata_driver_conn *c)
{
	return simple(c, "COMMIT");
}

static int sq_rollback(struct strata_driver_conn *c)
{
	if (sqlite3_get_autocommit(sq(c)->db))
		return 0; /* an error already rolled it back */
	return simple(c, "ROLLBACK");
}

static int put_mprintf(strata_buf *out, char *s)
{
	int rc;

	if (!s)
		return STRATA_ENOMEM;
	rc = strata__buf_puts(out, s);
	sqlite3_free(s);
	return rc;
}

static int sq_quote_ident(struct strata_driver_conn *c, strata_buf *out,
                          const char *ident)
{
	(void)c;
	if (!ident[0] || strlen(ident) > 1024)
		return STRATA_EINVALID;
	return put_mprintf(out, sqlite3_mprintf("\"%w\"", ident));
}

static int sq_quote_literal(struct strata_driver_conn *c, strata_buf *out,
                            const char *s)
{
	(void)c;
	return put_mprintf(out, sqlite3_mprintf("%Q", s));
}

static int64_t sq_changes(struct strata_driver_conn *c)
{
	return (int64_t)sqlite3_changes64(sq(c)->db);
}

static int sq_table_columns(struct strata_driver_conn *c, const char *schema,
                            const char *table, strata_row_cb cb, void *payload)
{
	sqlite3_stmt *st = NULL;
	const char *vals[2];
	int rc, found = 0;

	(void)schema;
	rc = sqlite3_prepare_v2(sq(c)->db,
	                        "SELECT name, type FROM pragma_table_info(?1)",
	                        -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_error(c, rc, -1, "cannot read the table's columns");
	sqlite3_bind_text(st, 1, table, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		found = 1;
		vals[0] = (const char *)sqlite3_column_text(st, 0);
		vals[1] = (const char *)sqlite3_column_text(st, 1);
		rc = cb(payload, 2, vals);
		if (rc != 0)
			break;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && rc != 0)
		return rc < 0 ? rc :
		                db_error(c, rc, -1,
		                         "cannot read the table's columns");
	return found ? 0 : STRATA_ENOTFOUND;
}

struct drop_state {
	strata_buf *out;
	int rc;
};

static int drop_row(void *payload, int ncols, const char *const *v)
{
	struct drop_state *d = payload;
	char *s;

	if (ncols < 2 || !v[0] || !v[1])
		return 0;
	s = sqlite3_mprintf("DROP %s IF EXISTS \"%w\";\n",
	                    strcmp(v[0], "view") == 0 ? "VIEW" : "TABLE", v[1]);
	d->rc = put_mprintf(d->out, s);
	return d->rc;
}

/* Views first, then tables (their indexes and triggers go with them). */
static int sq_drop_all_sql(struct strata_driver_conn *c, const char *schema,
                           strata_buf *out)
{
	struct drop_state d = { out, 0 };
	int rc;

	(void)schema;
	rc = sq_query(c,
	              "SELECT type, name FROM sqlite_master WHERE type IN "
	              "('table', 'view') AND name NOT LIKE 'sqlite_%' ORDER BY "
	              "type = 'table', name",
	              drop_row, &d);
	return rc < 0 ? rc : d.rc;
}

/* Timestamps closer to now than this may not yet tell two writes apart:
 * Linux stamps files from a clock that moves a tick (1-10 ms) at a time;
 * whole seconds mean a coarse file system (FAT: 2 s). */
#define RACY_MS_FINE   100
#define RACY_MS_COARSE 3000

static int too_recent(const struct stat *st)
{
	struct timespec now;
	long long now_ms, m, c;
	int coarse = st->st_mtim.tv_nsec == 0 && st->st_ctim.tv_nsec == 0;

	clock_gettime(CLOCK_REALTIME, &now);
	now_ms = (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
	m = (long long)st->st_mtim.tv_sec * 1000 +
	    st->st_mtim.tv_nsec / 1000000;
	c = (long long)st->st_ctim.tv_sec * 1000 +
	    st->st_ctim.tv_nsec / 1000000;
	return now_ms - (m > c ? m : c) <
	       strata__cache_min_age_ms(coarse ? RACY_MS_COARSE : RACY_MS_FINE);
}

static int side_file_exists(const char *path, const char *suffix)
{
	char name[4096];
	struct stat st;

	if (snprintf(name, sizeof(name), "%s%s", path, suffix) >=
	    (int)sizeof(name))
		return 1; /* cannot tell: assume it does */
	return lstat(name, &st) == 0 || errno != ENOENT;
}

/*
 * The committed state of a database file, without opening it with
 * SQLite: "sqlite:DEVICE:INODE" (its first word, naming the file), then
 * size, modification and change times to the nanosecond, and the
 * 100-byte header, whose change counter every commit
 * in rollback-journal mode increments. Not known while a journal or
 * write-ahead log exists (a transaction in progress, WAL mode) or when
 * the file changed too recently to be told apart from a later change.
 */
static int sq_state_key(const char *url, strata_buf *out)
{
	struct strata__sqlite_url u;
	unsigned char h[100];
	struct stat st;
	ssize_t got;
	char err[256];
	int fd, rc;

	/* with parameters (a VFS, nolock ...) SQLite reads the file its
	 * own way: no key, the history is always read */
	rc = strata__sqlite_url_parse(&u, url, err, sizeof(err));
	if (rc < 0)
		return rc == STRATA_ENOMEM ? rc : 0;
	fd = -1;
	/* a change after this stat moves the times: the engine compares
	 * the key taken before reading the history with one taken after */
	if (!u.memory && !u.params && stat(u.path, &st) == 0 &&
	    S_ISREG(st.st_mode) && !too_recent(&st) &&
	    !side_file_exists(u.path, "-journal") &&
	    !side_file_exists(u.path, "-wal"))
		fd = open(u.path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	strata__sqlite_url_release(&u);
	if (fd < 0)
		return 0;
	got = pread(fd, h, sizeof(h), 0);
	close(fd);
	if (got != (ssize_t)sizeof(h) || memcmp(h, "SQLite format 3", 16) != 0)
		return 0;
	rc = strata__buf_puts(out, "sqlite:");
	if (rc == 0)
		rc = strata__file_identity(out, &st);
	if (rc == 0)
		rc = strata__buf_putc(out, ' ');
	for (size_t i = 0; rc == 0 && i < sizeof(h); i++)
		rc = strata__buf_printf(out, "%02x", h[i]);
	return rc == 0 ? 1 : rc;
}

/* Remove path and what SQLite keeps next to it; 0, or errno of path's. */
static int remove_files(const char *path)
{
	static const char *const sidecars[] = { "-wal", "-shm", "-journal" };
	strata_buf side = STRATA_BUF_INIT;
	int err = unlink(path) == 0 ? 0 : errno;
	size_t i;

	for (i = 0; err == 0 && i < sizeof(sidecars) / sizeof(sidecars[0]);
	     i++) {
		strata__buf_clear(&side);
		if (strata__buf_printf(&side, "%s%s", path, sidecars[i]) < 0)
			break;
		unlink(side.ptr); /* absent most of the time */
	}
	strata_buf_release(&side);
	return err;
}

/*
 * wait, create, drop: the file is the database. An empty file is an
 * empty SQLite database, so create makes one with O_EXCL, which also
 * tells an existing file apart without a race.
 */
static int sq_database(struct strata_driver_conn *c,
                       const struct strata_connect_params *p,
                       strata_database_op op)
{
	struct strata__sqlite_url u;
	char err[256];
	int rc, fd, e = 0;

	rc = strata__sqlite_url_parse(&u, p->url, err, sizeof(err));
	if (rc < 0)
		return strata_driver_set_error(c, rc, NULL, 0, -1, "%s", err);
	if (op != STRATA_DATABASE_PING && u.memory) {
		rc = strata_driver_set_error(c, STRATA_EINVALID, NULL, 0, -1,
		                             "an in-memory SQLite database "
		                             "has no file to create or drop");
		goto done;
	}
	if (op == STRATA_DATABASE_CREATE) {
		fd = open(u.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
		          0644);
		e = fd < 0 ? errno : 0;
		if (fd >= 0)
			close(fd);
	} else if (op == STRATA_DATABASE_DROP) {
		e = remove_files(u.path);
	}
	/* ENOENT from create is a missing folder, an I/O error */
	if (e == EEXIST || (e == ENOENT && op == STRATA_DATABASE_DROP))
		rc = strata_driver_set_error(
		        c, e == EEXIST ? STRATA_EEXISTS : STRATA_ENOTFOUND,
		        NULL, e, -1, "database file '%s' %s", u.path,
		        e == EEXIST ? "exists already" : "does not exist");
	else if (e)
		rc = strata_driver_set_error(
		        c, STRATA_EIO, NULL, e, -1,
		        "cannot %s database file '%s': %s",
		        op == STRATA_DATABASE_CREATE ? "create" : "drop",
		        u.path, strerror(e));
done:
	strata__sqlite_url_release(&u);
	return rc;
}

static const char *const sqlite_schemes[] = { "sqlite", "sqlite3", NULL };

const struct strata_driver strata__driver_sqlite = {
	.version = STRATA_DRIVER_VERSION,
	.name = "sqlite",
	.schemes = sqlite_schemes,
	.caps = STRATA_DRIVER_CAP_TXN_DDL,
	.conn_size = sizeof(struct sqlite_conn),
	/* required */
	.timestamp_type = "TEXT",
	.connect = sq_connect,
	.disconnect = sq_disconnect,
	.exec = sq_exec,
	.query = sq_query,
	.begin = sq_begin,
	.commit = sq_commit,
	.rollback = sq_rollback,
	.quote_ident = sq_quote_ident,
	.quote_literal = sq_quote_literal,
	.split = strata__split_sqlite,
	.table_columns = sq_table_columns,
	/* tuning */
	.script_client = "sqlite3 -bail DATABASE < FILE",
	.now_sql = "strftime('%Y-%m-%d %H:%M:%f', 'now')",
	.change_counter_sql = "PRAGMA data_version",
	/* SMALLINT has INTEGER affinity here: it holds any count already */
	.widen_dirty_sql = NULL,
	/* optional */
	.exec_params = sq_exec_params,
	.lock = NULL,
	.unlock = NULL,
	.ensure_schema = NULL,
	.changes = sq_changes,
	.drop_all_sql = sq_drop_all_sql,
	.backup = strata__sq_backup,
	.restore = strata__sq_restore,
	.backup_extension = ".db",
	.restore_check = strata__sq_restore_check,
	.state_key = sq_state_key,
	.database = sq_database,
	.dump = strata__sq_dump,
	.catalog = strata__sq_catalog,
	.scratch_url = "sqlite::memory:",
	.same_database = strata__sq_same_database,
};
