/*
 * Backup files of the drivers that dump SQL text (PostgreSQL, MySQL):
 * the first line strata writes so that a restore knows its own backups,
 * telling what any other file is, and handing a file to the client tool
 * read and checked (restore_scan.h) as the tool gets it.
 */
#ifndef STRATA_DRIVERS_RESTORE_FILE_H
#define STRATA_DRIVERS_RESTORE_FILE_H

#include <stdint.h>

#include "strata/sys/driver.h"
#include "restore_scan.h"

/*
 * Write the first line of a backup into fd: "-- strata backup of "DB"
 * (DRIVER, TOOL), YYYY-MM-DD HH:MM:SS UTC". @return 0 or an errno
 */
int strata__backup_header(int fd, const char *driver, const char *tool,
                          const char *db);

/*
 * What a file whose first bytes are head[0, n) and whose size is size
 * is, in words, into what ("a strata backup of ...", "a PostgreSQL dump
 * (pg_dump) that strata's backup did not write", "binary data" ...).
 * @return 1 when strata's backup of driver wrote it, 2 when it is a dump
 * of another database type, 0 when it is other text, -1 when it is no
 * text at all, STRATA_ENOMEM
 */
int strata__restore_describe(const char *head, size_t n, uint64_t size,
                             const char *driver, strata_buf *what);

/*
 * The first line of `strata dump` (src/lib/dump.c writes it):
 * "-- strata schema dump (DRIVER)". strata__restore_describe counts such
 * a file as strata's own, as a backup.
 */
#define STRATA_DUMP_MARK "-- strata schema dump ("
/* 1 when head[0, n) begins with that line for driver, else 0 */
int strata__dump_header_is(const char *head, size_t n, const char *driver);

/*
 * The restore_check of a driver whose tool reads SQL text (struct
 * strata_driver): the file described, then read whole as the tool
 * (dialect SCAN_PSQL or SCAN_MYSQL) would.
 */
int strata__restore_text_check(const char *path, int fd, int dialect,
                               const char *driver, strata_buf *what,
                               unsigned long *line);

/*
 * For a psql that cannot be restricted (\restrict): the file read whole
 * again, refused (set on c) where its reading is ambiguous
 * (restore_scan.h: ambiguous_line) as where it is refused.
 */
int strata__restore_unambiguous(struct strata_driver_conn *c, const char *path,
                                int dialect);

/*
 * Handing a file to a tool's stdin (the feed of strata__run_tool_fed):
 * read from fd, checked again as it goes (a file changed since it was
 * checked is stopped at its first refused line, the tool killed before
 * it sees an end), psql's \restrict lines blanked, and trailer added at
 * the end. A refusal is set on c, at path's line.
 */
struct restore_feed {
	struct strata_driver_conn *c;
	const char *path;
	int fd;
	struct restore_scan scan;
	const char *trailer; /* or NULL */
	strata_buf held;     /* read, not handed out yet */
	uint64_t held_off;
	char *chunk;
};

int strata__restore_feed_init(struct restore_feed *f,
                              struct strata_driver_conn *c, const char *path,
                              int dialect, const char *trailer);
void strata__restore_feed_release(struct restore_feed *f);
int strata__restore_feed(void *payload, strata_buf *buf);

#endif
