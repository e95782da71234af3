/*
 * Backup files of the SQL-dumping drivers (restore_file.h): strata's
 * first line, what a file is, and a file fed to psql or mysql as it was
 * checked.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "restore_file.h"
#include "strata/sys/driver.h"
#include "../util/alloc.h"
#include "../util/buf.h"

#define MARK  "-- strata backup of \""
#define HEAD  4096
#define CHUNK 65536

int strata__backup_header(int fd, const char *driver, const char *tool,
                          const char *db)
{
	char line[512], name[128], when[32];
	time_t now = time(NULL);
	struct tm tm;
	size_t i, off = 0;
	int n;

	for (i = 0; db && db[i] && i + 1 < sizeof(name); i++) {
		unsigned char c = (unsigned char)db[i];

		name[i] = c < 0x20 || c == 0x7f || c == '"' ? '?' : (char)c;
	}
	name[i] = '\0';
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	n = snprintf(line, sizeof(line), "%s%s\" (%s, %s), %s UTC\n", MARK,
	             name, driver, tool, when);
	if (n < 0 || (size_t)n >= sizeof(line))
		return EINVAL;
	while (off < (size_t)n) {
		ssize_t w = write(fd, line + off, (size_t)n - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? errno : EIO;
		off += (size_t)w;
	}
	return 0;
}

int strata__dump_header_is(const char *head, size_t n, const char *driver)
{
	size_t k = sizeof(STRATA_DUMP_MARK) - 1, dl = strlen(driver);

	return n >= k + dl + 2 && memcmp(head, STRATA_DUMP_MARK, k) == 0 &&
	       memcmp(head + k, driver, dl) == 0 &&
	       memcmp(head + k + dl, ")\n", 2) == 0;
}

static const char *find(const char *h, size_t n, const char *needle)
{
	size_t k = strlen(needle), i;

	for (i = 0; i + k <= n; i++)
		if (memcmp(h + i, needle, k) == 0)
			return h + i;
	return NULL;
}

/* "a " and the header line without its "-- ", shown safely. */
static int own_words(const char *line, size_t n, strata_buf *what)
{
	size_t i;
	int rc = strata__buf_puts(what, "a ");

	for (i = 3; rc == 0 && i < n && i < 200; i++) {
		unsigned char c = (unsigned char)line[i];

		rc = strata__buf_putc(what,
		                      c < 0x20 || c == 0x7f ? '?' : (char)c);
	}
	return rc;
}

int strata__restore_describe(const char *head, size_t n, uint64_t size,
                             const char *driver, strata_buf *what)
{
	static const struct {
		const char *mark, *driver, *words;
	} dumps[] = {
		{ "-- PostgreSQL database cluster dump", "postgres",
		  "a PostgreSQL cluster dump (pg_dumpall)" },
		{ "-- PostgreSQL database dump", "postgres",
		  "a PostgreSQL dump (pg_dump) that strata's backup did not "
		  "write" },
		{ "-- MariaDB dump", "mysql",
		  "a MariaDB dump (mariadb-dump) that strata's backup did not "
		  "write" },
		{ "-- MySQL dump", "mysql",
		  "a MySQL dump (mysqldump) that strata's backup did not "
		  "write" },
		{ NULL, NULL, NULL }
	};
	const char *eol = memchr(head, '\n', n);
	size_t line = eol ? (size_t)(eol - head) : n, i;
	int rc;

	strata__buf_clear(what);
	if (size == 0)
		return strata__buf_puts(what, "an empty file");
	if (n >= 16 && memcmp(head, "SQLite format 3", 16) == 0)
		rc = strata__buf_puts(what, "a SQLite database");
	else if (n >= 5 && memcmp(head, "PGDMP", 5) == 0)
		rc = strata__buf_puts(what, "a pg_dump archive in custom "
		                            "format (pg_restore reads it)");
	else if (n >= 2 && (unsigned char)head[0] == 0x1f &&
	         (unsigned char)head[1] == 0x8b)
		rc = strata__buf_puts(what, "gzip-compressed data");
	else if (memchr(head, '\0', n))
		rc = strata__buf_puts(what, "binary data");
	else
		rc = 1;
	if (rc <= 0)
		return rc < 0 ? rc : -1;
	if (line > sizeof(STRATA_DUMP_MARK) - 1 &&
	    memcmp(head, STRATA_DUMP_MARK, sizeof(STRATA_DUMP_MARK) - 1) == 0) {
		rc = own_words(head, line, what);
		return rc < 0                                  ? rc :
		       strata__dump_header_is(head, n, driver) ? 1 :
		                                                 2;
	}
	if (line > sizeof(MARK) - 1 &&
	    memcmp(head, MARK, sizeof(MARK) - 1) == 0) {
		const char *q = memchr(head + sizeof(MARK) - 1, '"',
		                       line - (sizeof(MARK) - 1));
		size_t dl = strlen(driver);

		if (q && (size_t)(head + line - q) > dl + 3 &&
		    memcmp(q, "\" (", 3) == 0) {
			int own = memcmp(q + 3, driver, dl) == 0 &&
			          (q[3 + dl] == ',' || q[3 + dl] == ')');

			rc = own_words(head, line, what);
			return rc < 0 ? rc : own ? 1 : 2;
		}
	}
	for (i = 0; dumps[i].mark; i++)
		if (find(head, n, dumps[i].mark)) {
			rc = strata__buf_puts(what, dumps[i].words);
			return rc < 0                          ? rc :
			       strcmp(dumps[i].driver, driver) ? 2 :
			                                         0;
		}
	return strata__buf_puts(what, "a text file without a dump tool's "
	                              "header");
}

/* Read fd whole into s: 0, 1 when refused (s->why), -1 (errno). */
static int scan_fd(int fd, char *buf, int dialect, struct restore_scan *s)
{
	uint64_t off = 0;
	ssize_t r;

	strata__scan_init(s, dialect);
	for (;;) {
		r = pread(fd, buf, CHUNK, (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			return strata__scan_end(s) < 0 ? 1 : 0;
		if (strata__scan_feed(s, buf, (size_t)r) < 0)
			return 1;
		off += (uint64_t)r;
	}
}

int strata__restore_text_check(const char *path, int fd, int dialect,
                               const char *driver, strata_buf *what,
                               unsigned long *line)
{
	struct restore_scan s;
	struct stat st;
	char *buf;
	ssize_t r;
	int own;

	(void)path;
	*line = 0;
	buf = strata__malloc(CHUNK);
	if (!buf)
		return STRATA_ENOMEM;
	if (fstat(fd, &st) < 0 || (r = pread(fd, buf, HEAD, 0)) < 0) {
		strata__free(buf);
		strata__buf_clear(what);
		if (strata__buf_puts(what, strerror(errno)) < 0)
			return STRATA_ENOMEM;
		return STRATA_EIO;
	}
	own = strata__restore_describe(buf, (size_t)r, (uint64_t)st.st_size,
	                               driver, what);
	if (own < 0 || own == 2)
		strata__free(buf);
	if (own == STRATA_ENOMEM)
		return own;
	if (own < 0 || own == 2) {
		strata_buf w = STRATA_BUF_INIT;
		int rc = own == 2 ?
		                 strata__buf_printf(&w,
		                                    "it is %s, for another "
		                                    "kind of database than "
		                                    "%s",
		                                    what->ptr, driver) :
		                 strata__buf_printf(&w,
		                                    "not a SQL dump: it is %s",
		                                    what->ptr);

		strata__buf_clear(what);
		if (rc == 0)
			rc = strata__buf_puts(what, w.ptr);
		strata_buf_release(&w);
		return rc < 0 ? rc : STRATA_EPARSE;
	}
	r = scan_fd(fd, buf, dialect, &s);
	strata__free(buf);
	if (r < 0) {
		strata__buf_clear(what);
		return strata__buf_puts(what, strerror(errno)) < 0 ?
		               STRATA_ENOMEM :
		               STRATA_EIO;
	}
	if (r > 0) {
		*line = s.bad_line;
		strata__buf_clear(what);
		return strata__buf_puts(what, s.why) < 0 ? STRATA_ENOMEM :
		                                           STRATA_EPARSE;
	}
	return own;
}

int strata__restore_unambiguous(struct strata_driver_conn *c, const char *path,
                                int dialect)
{
	struct restore_scan s;
	char *buf = strata__malloc(CHUNK);
	int fd = open(path, O_RDONLY | O_CLOEXEC), r;

	if (!buf || fd < 0) {
		r = fd < 0 ? strata_driver_set_error(c, STRATA_EIO, NULL, 0, -1,
		                                     "cannot read %s: %s", path,
		                                     strerror(errno)) :
		             strata_driver_set_error(c, STRATA_ENOMEM, NULL, 0,
		                                     -1, "out of memory");
		strata__free(buf);
		if (fd >= 0)
			close(fd);
		return r;
	}
	r = scan_fd(fd, buf, dialect, &s);
	if (r < 0)
		r = strata_driver_set_error(c, STRATA_EIO, NULL, 0, -1,
		                            "cannot read %s: %s", path,
		                            strerror(errno));
	else if (r > 0)
		r = strata_driver_set_error(c, STRATA_EPARSE, NULL, 0, -1,
		                            "%s:%lu: %s", path, s.bad_line,
		                            s.why);
	else if (s.ambiguous_line)
		r = strata_driver_set_error(
		        c, STRATA_EPARSE, NULL, 0, -1,
		        "%s:%lu: %s; this psql cannot be kept from running "
		        "commands of its own (\\restrict came with PostgreSQL "
		        "17.6, 16.10, 15.14, 14.19 and 13.22): not restored",
		        path, s.ambiguous_line, s.ambiguous_why);
	strata__free(buf);
	close(fd);
	return r;
}

static void blank(void *payload, uint64_t from, uint64_t to)
{
	struct restore_feed *f = payload;

	if (from >= f->held_off && to <= f->held_off + f->held.len && from < to)
		memset(f->held.ptr + (from - f->held_off), ' ',
		       (size_t)(to - from));
}

int strata__restore_feed_init(struct restore_feed *f,
                              struct strata_driver_conn *c, const char *path,
                              int dialect, const char *trailer)
{
	memset(f, 0, sizeof(*f));
	f->c = c;
	f->path = path;
	f->trailer = trailer;
	f->held = (strata_buf)STRATA_BUF_INIT;
	f->fd = -1;
	strata__scan_init(&f->scan, dialect);
	f->scan.blank = blank;
	f->scan.payload = f;
	f->chunk = strata__malloc(CHUNK);
	if (!f->chunk)
		return strata_driver_set_error(c, STRATA_ENOMEM, NULL, 0, -1,
		                               "out of memory");
	f->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (f->fd < 0)
		return strata_driver_set_error(c, STRATA_EIO, NULL, 0, -1,
		                               "cannot read %s: %s", path,
		                               strerror(errno));
	return 0;
}

void strata__restore_feed_release(struct restore_feed *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	strata__free(f->chunk);
	f->chunk = NULL;
	strata_buf_release(&f->held);
}

/* Hand out what the scanner passed, up to its hold. */
static int hand_out(struct restore_feed *f, strata_buf *buf, int all)
{
	size_t k = f->held.len;

	if (!all && f->scan.hold != SCAN_NO_HOLD && f->scan.hold >= f->held_off)
		k = (size_t)(f->scan.hold - f->held_off);
	if (strata__buf_put(buf, f->held.ptr, k) < 0)
		return STRATA_ENOMEM;
	memmove(f->held.ptr, f->held.ptr + k, f->held.len - k);
	strata__buf_truncate(&f->held, f->held.len - k);
	f->held_off += k;
	return 0;
}

int strata__restore_feed(void *payload, strata_buf *buf)
{
	struct restore_feed *f = payload;
	char *chunk = f->chunk;
	ssize_t r;

	do
		r = read(f->fd, chunk, CHUNK);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return strata_driver_set_error(f->c, STRATA_EIO, NULL, 0, -1,
		                               "cannot read %s: %s", f->path,
		                               strerror(errno));
	if (r > 0 && strata__buf_put(&f->held, chunk, (size_t)r) < 0)
		return strata_driver_set_error(f->c, STRATA_ENOMEM, NULL, 0, -1,
		                               "out of memory");
	if ((r > 0 && strata__scan_feed(&f->scan, chunk, (size_t)r) < 0) ||
	    (r == 0 && strata__scan_end(&f->scan) < 0))
		return strata_driver_set_error(
		        f->c, STRATA_EPARSE, NULL, 0, -1,
		        "%s:%lu: %s (the file changed after it was checked; "
		        "the restore was stopped)",
		        f->path, f->scan.bad_line, f->scan.why);
	if (hand_out(f, buf, r == 0) < 0 ||
	    (r == 0 && f->trailer && strata__buf_puts(buf, f->trailer) < 0))
		return strata_driver_set_error(f->c, STRATA_ENOMEM, NULL, 0, -1,
		                               "out of memory");
	return r == 0 ? 1 : 0;
}
