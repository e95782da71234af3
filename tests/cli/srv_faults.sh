# shellcheck shell=bash
# shellcheck disable=SC2154 # st and tp_start set rc, out, err and pid
# Faults on strata's own files against PostgreSQL and MariaDB (run.sh runs
# srv_*.sh on both servers): disk full (ENOSPC) and I/O errors (EIO)
# injected with strace while the backup file is written (by strata, from
# the output of pg_dump / mysqldump; `strace -f` would catch the tool
# too), EIO reading a migration file, EACCES opening one, EIO listing the
# folder; and the runner lock held by another session past --lock-timeout.
# Each gives its documented exit code and a clear message, leaves no
# partial backup, no sanitizer report, the database as it was (schema and
# history), and a clean run afterwards.

. "$(dirname "${BASH_SOURCE[0]}")/../lib/rel-lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/../lib/exact-lib.sh"

# rel_migrations 3 with 1 and 2 applied, and a table of the user's big
# enough that a backup takes some 20 writes.
srv_setup() {
	rel_need_strace
	rel_migrations 3
	st -q up 2
	expect_rc 0
	db_sql "CREATE TABLE big (id INTEGER PRIMARY KEY, v VARCHAR(20))"
	db_sql "INSERT INTO big (id, v) SELECT n, repeat('x', 20) FROM ($(db_series_sql 3000)) s"
	before=$(rel_snapshot)
}

# expect_no_backup WHAT: backups/ holds no file
expect_no_backup() {
	expect_eq "" "$(find backups -type f 2>/dev/null)" "$1: backup files left behind"
}

t_faults_writing_a_backup() {
	srv_setup
	local spec msg
	for spec in write:error=ENOSPC:when=1 write:error=ENOSPC:when=6 \
		write:error=EIO:when=3+ fsync:error=EIO:when=1+; do
		case "$spec" in
		*ENOSPC*) msg="backup failed: cannot write the backup: No space left on device" ;;
		*) msg="backup failed: cannot write the backup: Input/output error" ;;
		esac
		rm -rf backups
		rel_strace_backup "$spec" backup
		rel_no_crash
		expect_rc 2
		expect_err "$msg"
		expect_no_backup "$spec"
		expect_eq "$before" "$(rel_snapshot)" "$spec: database after the failed backup"
	done
	# without the fault: one whole backup
	rm -rf backups
	st backup
	expect_rc 0
	f=$(find backups -type f)
	[ "$(printf '%s\n' "$f" | wc -l)" = 1 ] || fail "backups: $f"
	grep -q "3000" "$f" || fail "the backup lacks the last row of big"
	grep -qi "schema_migrations" "$f" || fail "the backup lacks the history"
}

# A small database: pg_dump's whole output sits in its stdio buffer until
# it exits, and pg_dump ignores the failure of that last write (exit 0, an
# empty file). strata writes the file itself, so it sees the failure.
t_disk_full_backing_up_a_small_database() {
	rel_need_strace
	rel_migrations 2
	st -q up
	expect_rc 0
	before=$(rel_snapshot)
	for cmd in backup down; do
		rm -rf backups
		rel_strace_backup write:error=ENOSPC:when=1+ $cmd
		rel_no_crash
		expect_rc 2
		expect_err "backup failed: cannot write the backup: No space left on device"
		expect_no_backup "$cmd"
		expect_eq "$before" "$(rel_snapshot)" "database after '$cmd'"
	done
}

# `down` backs up first; when the backup fails, nothing is rolled back.
t_down_refused_when_its_backup_fails() {
	srv_setup
	for cmd in down "down --all" redo; do
		rm -rf backups
		# shellcheck disable=SC2086
		rel_strace_backup write:error=ENOSPC:when=1+ $cmd
		rel_no_crash
		expect_rc 2
		expect_err "backup failed: cannot write the backup: No space left on device"
		expect_no_backup "$cmd"
		expect_eq "$before" "$(rel_snapshot)" "database after the refused '$cmd'"
	done
	st -q down
	expect_rc 0
	expect_history "1"
	rel_consistent 3
}

t_io_error_reading_a_migration_file() {
	srv_setup
	local cmd
	for cmd in up validate "up --dry-run"; do
		# shellcheck disable=SC2086
		rel_strace_on "$PWD/migrations/0003_t3.up.sql" read:error=EIO $cmd
		rel_no_crash
		expect_rc 2
		expect_err "migrations/0003_t3.up.sql"
		expect_err "cannot read: Input/output error"
		expect_eq "$before" "$(rel_snapshot)" "database after '$cmd'"
	done
	# an applied file is hashed too, unless the stat cache vouches for it
	: >no-cache
	export XDG_CACHE_HOME=$PWD/no-cache/x
	for cmd in up status down redo; do
		rel_strace_on "$PWD/migrations/0002_t2.up.sql" read:error=EIO $cmd
		rel_no_crash
		expect_rc 2
		expect_err "0002_t2.up.sql"
		expect_err "Input/output error"
		expect_eq "$before" "$(rel_snapshot)" "database after a read error on an applied file ('$cmd')"
	done
	st -q up
	expect_rc 0
	expect_history "1 2 3"
	rel_consistent 3
}

# Unreadable (root reads a mode 000 file, so the refusal is injected): not
# even the history table is created.
t_unreadable_migration_file() {
	rel_need_strace
	rel_migrations 2
	before=$(rel_snapshot)
	rel_strace_on "$PWD/migrations/0002_t2.up.sql" openat:error=EACCES up
	rel_no_crash
	expect_rc 2
	expect_err "migrations/0002_t2.up.sql"
	expect_err "Permission denied"
	expect_eq "$before" "$(rel_snapshot)" "database after the refused up"
	db_has_table "$TEST_TABLE" && fail "the history table was created"
	st -q up
	expect_rc 0
	expect_history "1 2"
}

# An I/O error while listing the folder must not read as "no migrations".
t_io_error_listing_the_folder() {
	# the folder's listing must really be read (not taken from the cache)
	export STRATA_NO_CACHE=1
	srv_setup
	local cmd
	for cmd in up status down redo; do
		# shellcheck disable=SC2086
		rel_strace_on "$PWD/migrations" getdents64:error=EIO $cmd
		rel_no_crash
		expect_rc 2
		expect_err "cannot read migrations folder 'migrations': Input/output error"
		expect_eq "$before" "$(rel_snapshot)" "database after '$cmd'"
	done
	st -q up
	expect_rc 0
	expect_history "1 2 3"
}

# --- the runner lock ------------------------------------------------------------

# Another session holds the runner lock: every command that changes the
# database waits for it (the runner reaches the lock_wait pause point),
# gives up after --lock-timeout with exit 4, names the lock and the
# option, and changes nothing (no backup either); with --lock-timeout 0 it
# does not wait at all. Once the lock is free, the same commands run.
t_lock_timeout_changes_nothing() {
	srv_setup
	local cmd
	rel_lock_hold
	tp_trace_start
	for cmd in up "up 1" down "down --all" redo "force 3"; do
		rm -rf backups
		: >tp.trace
		# shellcheck disable=SC2086
		st --lock-timeout 1 $cmd
		rel_no_crash
		expect_rc 4
		expect_err "$(db_lock_name)"
		expect_err "--lock-timeout"
		tp_trace_has lock_wait || fail "'$cmd' gave up without waiting for the lock"
		expect_eq "$before" "$(rel_snapshot)" "database after '$cmd'"
		expect_no_backup "$cmd"
	done
	# no wait at all
	: >tp.trace
	st --lock-timeout 0 up
	expect_rc 4
	expect_err "$(db_lock_name)"
	tp_trace_has lock_wait && fail "--lock-timeout 0 waited for the lock"
	expect_eq "$before" "$(rel_snapshot)" "database after --lock-timeout 0"
	rel_lock_release
	st --lock-timeout 5 up
	expect_rc 0
	expect_history "1 2 3"
	rel_consistent 3
	db_lock_held && fail "the lock is still held after up"
	return 0
}

# A `down` that waits for the lock while another runner applies 0003 rolls
# back 0003 once it has the lock: its backup, taken under the lock, holds
# 0003's data (taken before the wait, it did not). The first runner is
# held inside 0003, at a gate the test keeps shut, until the `down` waits.
t_down_after_the_wait_backs_up_what_it_rolls_back() {
	srv_setup
	local first
	mig 0003 t3 "CREATE TABLE t3 (id INTEGER PRIMARY KEY, v VARCHAR(20));
$(db_gate_pass_sql t3);
INSERT INTO t3 (id, v) VALUES (3, 'row 3');
CREATE INDEX t3_v ON t3 (v);" "DROP TABLE t3;"
	gate_shut t3
	"$STRATA_BIN" -q -d "$TEST_URL" -m migrations up >o 2>e &
	first=$!
	gate_wait_for t3 "$first"
	db_lock_held || fail "the first runner does not hold the lock"
	tp_start lock_wait o.down --lock-timeout 60 down
	tp_release
	gate_open t3
	wait "$first" || fail "the first runner failed: $(cat e)"
	wait "$pid"
	# shellcheck disable=SC2034 # read by rel_no_crash and expect_rc
	rc=$? err=$(cat o.down)
	rel_no_crash
	expect_rc 0
	expect_err "backup written to"
	expect_history "1 2"
	rel_consistent 3
	f=$(find backups -type f)
	[ -n "$f" ] || fail "no backup"
	grep -q "row 3" "$f" || fail "the backup of the down that rolled back 0003 lacks 0003's row"
}

# The lock is released while a runner waits: it goes on.
t_lock_released_during_the_wait() {
	srv_setup
	rel_lock_hold
	tp_start lock_wait o --lock-timeout 60 up
	tp_release
	# not rel_lock_release: strata, waiting, takes the lock the moment
	# it is given up, so "is it held" would race it; strata's run
	# finishing is the proof that it was given up
	hold_end lock
	wait "$pid"
	# shellcheck disable=SC2034 # read by rel_no_crash and expect_rc
	rc=$? err=$(cat o)
	rel_no_crash
	expect_rc 0
	expect_history "1 2 3"
	rel_consistent 3
}
