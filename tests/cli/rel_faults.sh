# shellcheck shell=bash
# Faults on strata's own files (issue 7): disk full (ENOSPC) and I/O errors
# (EIO) injected with strace into the system calls on the SQLite database,
# its journal and WAL, and into the reading of the migrations folder and
# files. Each must give a clear message and a documented exit code (1 for
# a failed database statement, 2 for an unreadable migration file or
# folder, 5 for a database that cannot be opened), never a crash, and leave
# the database consistent; the same run without the fault then completes.
# The k-th call fails for every k (every 2nd write) until a run completes.

. "$(dirname "${BASH_SOURCE[0]}")/../lib/rel-lib.sh"

# fault_sweep SPEC STEP N WANT_RC MSG SETUP ARGS...: for k = 1, 1+STEP, ...:
# reset, SETUP, run strata ARGS with SPEC (e.g. pwrite64:error=ENOSPC)
# failing the k-th call on the database files; expect exit WANT_RC and MSG
# in stderr, a consistent database, and a clean `up` afterwards. Stops at
# the first k whose run succeeds.
fault_sweep() {
	local spec=$1 step=$2 n=$3 want=$4 msg=$5 setup=$6 k=1 points=0
	shift 6
	while :; do
		db_reset
		$setup
		rel_strace "$spec:when=$k" "$@"
		[ "$rc" = 0 ] && break
		points=$((points + 1))
		rel_no_crash
		expect_rc "$want"
		expect_err "$msg"
		rel_consistent "$n"
		st -q up
		expect_rc 0
		expect_history "$(seq -s ' ' 1 "$n")"
		k=$((k + step))
		[ "$k" -le 2000 ] || fail "$spec: still failing at call $k"
	done
	[ "$points" -gt 0 ] || fail "$spec: never injected"
	[ -z "${REL_REPORT:-}" ] || echo "${FUNCNAME[1]} $spec $points" >>"$REL_REPORT"
}

from_empty() { :; }
from_all_applied() { st -q up; expect_rc 0; }

t_disk_full_on_database_writes() {
	rel_need_strace
	rel_migrations 3
	fault_sweep pwrite64:error=ENOSPC 2 3 1 "database or disk is full" from_empty up
}

t_disk_full_during_down() {
	rel_need_strace
	rel_migrations 3
	fault_sweep pwrite64:error=ENOSPC 3 3 1 "database or disk is full" from_all_applied down --all
}

t_io_error_on_sync() {
	rel_need_strace
	rel_migrations 3
	fault_sweep fdatasync:error=EIO 1 3 1 "disk I/O error" from_empty up
}

# A read error on opening reads as "cannot open" (5), later as a failed
# statement (1); each migration is applied whole or not at all.
t_io_error_on_database_reads() {
	rel_need_strace
	rel_migrations 3
	k=1
	while :; do
		db_reset
		st -q up 1
		rel_strace "pread64:error=EIO:when=$k" up
		[ "$rc" = 0 ] && break
		rel_no_crash
		case "$rc" in 1 | 5) ;; *) fail "exit $rc on a read error" ;; esac
		# SQLite's words; a failed read of some pages reads as corrupt
		case "$err" in
		*"disk I/O error"* | *"database disk image is malformed"*) ;;
		*) fail "read error $k: unclear message: $err" ;;
		esac
		rel_consistent 3
		k=$((k + 1))
		[ "$k" -le 200 ] || fail "still failing at read $k"
	done
	expect_history "1 2 3"
}

# The journal cannot be created (disk full at open): the first write of
# every transaction fails.
t_disk_full_creating_the_journal() {
	rel_need_strace
	rel_migrations 2
	st -q up 1
	rel_strace_on "$(db_file)-journal" openat:error=ENOSPC:when=1+ up
	rel_no_crash
	expect_rc 1
	expect_err "unable to open database file"
	expect_history "1"
	rel_consistent 2
}

# The commit's deletion of the journal fails: SQLite reports the commit as
# failed, and the hot journal rolls the migration back at the next open.
t_io_error_deleting_the_journal() {
	rel_need_strace
	rel_migrations 3
	fault_sweep unlink:error=EIO 1 3 1 "disk I/O error" from_empty up
}

# The database file itself cannot be created.
t_disk_full_creating_the_database() {
	rel_need_strace
	rel_migrations 2
	rel_strace openat:error=ENOSPC:when=1 up
	rel_no_crash
	expect_rc 5
	expect_err "cannot open SQLite database"
	expect_err "$(db_file)"
	rel_consistent 2
}

# --- the migrations folder and files ----------------------------------------------

t_io_error_reading_a_migration_file() {
	rel_need_strace
	rel_migrations 3
	st -q up 1
	before=$(rel_snapshot)
	for cmd in up validate "up --dry-run"; do
		# shellcheck disable=SC2086
		rel_strace_on "$PWD/migrations/0002_t2.up.sql" read:error=EIO $cmd
		rel_no_crash
		expect_rc 2
		expect_err "migrations/0002_t2.up.sql"
		expect_err "cannot read: Input/output error"
		expect_eq "$before" "$(rel_snapshot)" "database after '$cmd'"
	done
	# an applied file is read (hashed) too, also by status, unless the
	# stat cache vouches for it: without a usable cache it must be read
	: >no-cache
	export XDG_CACHE_HOME=$PWD/no-cache/x
	for cmd in up status; do
		rel_strace_on "$PWD/migrations/0001_t1.up.sql" read:error=EIO $cmd
		rel_no_crash
		expect_rc 2
		expect_err "0001_t1.up.sql"
		expect_err "Input/output error"
		expect_eq "$before" "$(rel_snapshot)" "database after a read error on an applied file"
	done
}

# Unreadable (root reads a mode 000 file, so the refusal is injected).
t_unreadable_migration_file() {
	rel_need_strace
	rel_migrations 2
	rel_strace_on "$PWD/migrations/0002_t2.up.sql" openat:error=EACCES up
	rel_no_crash
	expect_rc 2
	expect_err "migrations/0002_t2.up.sql"
	expect_err "Permission denied"
	[ -e "$(db_file)" ] && fail "the database was created"
	return 0
}

# An I/O error while listing the folder must not read as "no migrations".
t_io_error_listing_the_folder() {
	# the folder's listing must really be read (not taken from the cache)
	export STRATA_NO_CACHE=1
	rel_need_strace
	rel_migrations 3
	st -q up 1
	before=$(rel_snapshot)
	for cmd in up status "down"; do
		# shellcheck disable=SC2086
		rel_strace_on "$PWD/migrations" getdents64:error=EIO $cmd
		rel_no_crash
		expect_rc 2
		expect_err "migrations"
		expect_err "Input/output error"
		expect_eq "$before" "$(rel_snapshot)" "database after '$cmd'"
	done
}
