# shellcheck shell=bash
# Crashes (issue 7), fast tier: strata killed with SIGKILL where it talks to
# the database. For SQLite that is a system call on the database, its
# journal or its WAL: strace stops the process at the k-th such call
# (-e inject=CALL:signal=KILL:when=k) for k = 1, 2, ... until a run
# completes unkilled. After each kill the database passes integrity_check
# and is exactly before or after each migration, and a normal run then
# completes. SIGINT and SIGTERM stop between migrations (or roll back the
# one running) and say so.
# This tier samples the write path (every commit, i.e. journal deletion,
# every 1st-3rd sync, every 5th write);
# long_crash.sh enumerates every point of every call, and soaks.

. "$(dirname "${BASH_SOURCE[0]}")/../lib/rel-lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/../lib/exact-lib.sh"

t_crash_up_at_every_commit_point() {
	rel_need_strace
	rel_migrations 3
	crash_sweep "fdatasync unlink" 1 3 from_empty up up
}

t_crash_up_at_sampled_writes() {
	rel_need_strace
	rel_migrations 3
	crash_sweep "pwrite64" 5 3 from_empty up up
}

t_crash_down_at_every_commit_point() {
	rel_need_strace
	rel_migrations 3
	crash_sweep "unlink" 1 3 from_all_applied up down --all
	crash_sweep "fdatasync" 2 3 from_all_applied up down --all
}

t_crash_up_in_wal_mode() {
	rel_need_strace
	rel_migrations 3
	crash_sweep "fdatasync" 1 3 from_wal up up
	crash_sweep "pwrite64" 5 3 from_wal up up
}

# A no-transaction migration may be left dirty by a kill (that is what
# dirty means), never changed but unrecorded.
t_crash_up_with_a_no_transaction_migration() {
	rel_need_strace
	rel_migrations 3
	printf -- '-- strata:no-transaction\n%s\n' "$(cat migrations/0002_t2.up.sql)" >migrations/0002_t2.up.sql.new
	mv migrations/0002_t2.up.sql.new migrations/0002_t2.up.sql
	REL_NOTXN=2 crash_sweep "unlink" 1 3 from_empty up up
	REL_NOTXN=2 crash_sweep "fdatasync" 3 3 from_empty up up
}

# --- SIGINT and SIGTERM ----------------------------------------------------------

# The signal arrives (strace delivers it) at the k-th unlink of the
# journal, i.e. at a commit: 1 is the history table's creation, 2 the
# first migration's.
t_sigint_stops_between_migrations() {
	rel_need_strace
	rel_migrations 4
	rel_strace "unlink:signal=INT:when=2" up
	expect_rc 130
	expect_err "interrupted"
	expect_err "stopped before t2"
	expect_err "the database is consistent"
	expect_history "1"
	rel_consistent 4
	st up
	expect_rc 0
	expect_history "1 2 3 4"
}

t_sigterm_stops_between_migrations_of_down() {
	rel_need_strace
	rel_migrations 4
	st -q up
	rel_strace "unlink:signal=TERM:when=1" down --all
	expect_rc 130
	expect_err "interrupted"
	expect_err "stopped before t3"
	expect_history "1 2 3"
	rel_consistent 4
}

# Before the first migration (SIGINT once it has planned, paused there in
# the test build): nothing done, still exit 130.
t_sigint_before_the_first_migration() {
	rel_migrations 2
	st -q up 1
	tp_start after_plan o up
	# shellcheck disable=SC2154 # set by tp_start (exact-lib.sh)
	tp_signal "$pid" INT
	tp_release
	wait "$pid"
	# shellcheck disable=SC2034 # read by expect_rc
	rc=$? err=$(cat o)
	expect_rc 130
	expect_err "0 of 1 done"
	expect_history "1"
	rel_consistent 2
}

# A second signal ends the process at once (here: two, while the first
# migration's transaction is open, paused before its commit in the test
# build); the database is still consistent: the next reader rolls the
# hot journal back.
t_second_sigint_ends_at_once() {
	rel_migrations 4
	tp_start before_commit o up
	[ -e "$(db_file)-journal" ] || fail "not paused inside a transaction"
	tp_signal "$pid" INT
	tp_signal "$pid" INT
	wait "$pid"
	# shellcheck disable=SC2034 # read by expect_rc and refute_err
	rc=$? err=$(cat o)
	# shellcheck disable=SC2154 # set by tp_start (exact-lib.sh)
	rm -f "$tp_fifo" "$tp_fifo.ready"
	expect_rc 130
	refute_err "interrupted"
	[ -e "$(db_file)-journal" ] || fail "not stopped inside a transaction"
	rel_consistent 4
	st up
	expect_rc 0
	expect_history "1 2 3 4"
}

# The last migration is interrupted while it runs (at its first write):
# its transaction is rolled back rather than committed, exit 130; the
# next run applies it.
t_sigint_during_the_last_migration_rolls_it_back() {
	rel_need_strace
	rel_migrations 2
	st -q up 1
	rel_strace "pwrite64:signal=INT:when=1" up
	expect_rc 130
	expect_err "interrupted: applying 0002_t2 was stopped, its transaction rolled back; 0 of 1 done, the database is consistent"
	expect_history "1"
	rel_consistent 2
	st up
	expect_rc 0
	expect_history "1 2"
}
