/*
 * Who holds a SQLite database's write lock (sqlite_holder.c).
 */
#ifndef STRATA_DRIVERS_SQLITE_HOLDER_H
#define STRATA_DRIVERS_SQLITE_HOLDER_H

#include "../util/buf.h"

/*
 * Append to out "process PID (PROGRAM)" for the other process that holds
 * the write lock of the database file path (rollback journal) or of its
 * write-ahead log, as /proc/locks shows it; nothing when none is seen
 * (another system, or the lock was just released). Never opens the
 * database: closing a descriptor of it would drop SQLite's own locks.
 * @return 1 when a holder was found, 0 when not, <0 out of memory
 */
int strata__sqlite_lock_holder(const char *path, strata_buf *out);

#endif
