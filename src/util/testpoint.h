/*
 * Pause points for tests, compiled only into test builds (the sanitizer
 * build defines STRATA_TEST_BUILD): a test holds strata at a named point
 * of its work, does something to the world (stops a server process,
 * sends a signal), then lets it go on. Release builds have none.
 *
 * STRATA_TEST_PAUSE=NAME:FIFO[,NAME:FIFO...]: each time strata reaches
 * the point NAME it creates the file FIFO.ready, then blocks reading the
 * named pipe FIFO (made by the test with mkfifo) until a writer has
 * written to it and closed it (`echo > FIFO`), and removes FIFO.ready
 * again. A point not named in the variable costs a getenv().
 *
 * STRATA_TEST_TRACE=FILE: each point reached, paused at or not, appends
 * its name and a new line to FILE, so that a test can tell that strata
 * did (or never did) get there: that a runner waited for a lock, say.
 *
 * Points (add new ones here):
 *   before_statement  the engine is about to send a migration's SQL
 *   after_plan        up/down/redo has planned under the lock (again,
 *                     after a stale plan) and not begun a transaction
 *   before_commit     a migration's statements and history row are done
 *                     in its own transaction, not committed (run_txn)
 *   backup_opened     the backup's NAME.partial is created and open,
 *                     nothing written to it yet
 *   lock_busy         SQLite found the database locked: the lock wait
 *                     (busy handler) begins
 *   lock_wait         PostgreSQL, MySQL: another session holds the runner
 *                     lock and --lock-timeout allows a wait, which begins
 *                     once the point is passed (never with --lock-timeout 0)
 *   lock_told         a runner has waited a second for the lock and has
 *                     said whose it is (all three databases)
 *   history_upgrade   the upgrade of a history table written before
 *                     versions were text has built the new table (in its
 *                     transaction on PostgreSQL and SQLite; beside the
 *                     old one on MySQL), which is not in place yet
 *   lock_retry        a migration's statement gave up waiting for a table
 *                     lock (strata:lock-timeout); the migration is rolled
 *                     back and said to be retried, the pause before the
 *                     retry not begun
 *   history_upgrade_swapped  MySQL: the new table is in place, the old
 *                     one not dropped yet
 *   lease_lost        Galera: the thread that renews the cluster lock's
 *                     lease found the lock row no longer the runner's
 */
#ifndef STRATA_UTIL_TESTPOINT_H
#define STRATA_UTIL_TESTPOINT_H

/*
 * STRATA_TEST_NO_BACKOFF=1: no pause before a migration is tried again
 * after a lock timeout (ddllock.c), so that tests do not sleep.
 */
#ifdef STRATA_TEST_BUILD
void strata__testpoint(const char *name);
int strata__test_no_backoff(void);
#else
# define strata__testpoint(name)   ((void)0)
# define strata__test_no_backoff() 0
#endif

#endif
