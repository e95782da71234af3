# shellcheck shell=bash
# Racing deployers (issue 7): many `strata up` processes started at the
# same instant against one database, `up` racing `down`, and lock waits that
# time out. Each race must end as some serial order of the same commands
# would: every process exits 0, each migration is applied exactly once, and
# schema and history equal a serial run's.
# The long tier (long_race.sh) repeats these many times.

. "$(dirname "${BASH_SOURCE[0]}")/../lib/rel-lib.sh"

# A repeatable migration that counts its runs in table rlog.
rel_repeatable() {
	mkdir -p migrations
	printf '%s\n' "CREATE TABLE IF NOT EXISTS rlog (n INTEGER);" \
		"INSERT INTO rlog (n) VALUES (1);" >migrations/R__rlog.sql
}

# race_up N M: N processes apply M migrations and a repeatable to a fresh
# database; compare with a serial run of the same folder.
race_up() {
	local n=$1 m=$2 want_schema want_hist
	rel_db_reset
	st -q up
	expect_rc 0
	want_schema=$(rel_db_schema)
	want_hist=$(rel_db_history)
	rel_db_reset
	race_n "$n" -q up
	rel_race_expect_all 0 "$n"
	grep -l "database is locked" out.* >/dev/null 2>&1 && fail "a process saw 'database is locked'"
	expect_eq "$want_schema" "$(rel_db_schema)" "schema after $n racing processes"
	expect_eq "$want_hist" "$(rel_db_history)" "history after $n racing processes"
	expect_eq 1 "$(db_sql "SELECT count(*) FROM rlog")" "runs of the repeatable migration"
	rel_consistent "$m"
}

t_race_up_2_4_8_16_processes() {
	rel_migrations 12
	rel_repeatable
	for n in 2 4 8 16; do
		race_up "$n" 12
	done
}

# The database file exists, holds the application's tables, but no history
# table yet: all racers create it at once.
t_race_creates_history_table_once() {
	rel_migrations 5
	db_sql "CREATE TABLE app_data (id INTEGER PRIMARY KEY)"
	race_n 8 -q up
	rel_race_expect_all 0 8
	expect_history "1 2 3 4 5"
	expect_eq 5 "$(db_sql "SELECT count(*) FROM $TEST_TABLE")" "history rows"
	rel_consistent 5
	# and an empty (zero-byte) database file
	rel_db_reset
	: >"$(rel_db_file)"
	race_n 8 -q up
	rel_race_expect_all 0 8
	expect_history "1 2 3 4 5"
}

# Racers that all take a different route: up, up 2, up --to 3, status,
# validate. Whatever the order, the end is "everything applied".
t_race_mixed_commands() {
	rel_migrations 6
	local cmds=("up" "up 2" "up --to 3" "status" "validate" "up 1" "history") i
	race_each "${cmds[@]/#/-q }"
	for i in $(seq 1 ${#cmds[@]}); do
		[ "$(cat "rc.$i")" = 0 ] || fail "${cmds[i - 1]} exited $(cat "rc.$i"): $(cat "out.$i")"
	done
	expect_history "1 2 3 4 5 6"
	rel_consistent 6
}

# up racing down, from the state "1 2 applied, 3 4 pending". The two serial
# orders end in "1 2 3" (up applies 3 4, then down rolls back 4) or
# "1 2 3 4" (down rolls back 2, then up applies 2 3 4). Anything else (a
# hole such as "1 3 4") is a bug.
up_down_outcome_ok() {
	local h
	h=$(history_versions)
	case "$h" in
	"1 2 3" | "1 2 3 4") ;;
	*) fail "up racing down ended at '$h': no serial order gives that" ;;
	esac
	rel_consistent 4
}

t_race_up_against_down() {
	rel_migrations 4
	for round in 1 2 3 4 5 6; do
		rel_db_reset
		st -q up 2
		expect_history "1 2"
		race_each "-q up" "-q down --no-backup"
		expect_eq 0 "$(cat rc.1)" "round $round: up exit code ($(cat out.1))"
		expect_eq 0 "$(cat rc.2)" "round $round: down exit code ($(cat out.2))"
		up_down_outcome_ok
	done
}

# How long a held process waits (µs): the other command must finish
# within it (raise it for slow wrappers such as valgrind).
REL_HOLD_US=${REL_HOLD_US:-2000000}

# held_after_plan PID OUT: wait until the held process has printed its
# first line (strace then holds it for REL_HOLD_US on that write's exit).
held_after_plan() {
	local i
	for i in $(seq 1 1500); do
		[ -s "$2" ] && return 0
		kill -0 "$1" 2>/dev/null || break
		sleep 0.02
	done
	fail "the held process printed nothing: $(cat "$2")"
}

# start_held OUT ARGS...: strata -v ARGS in the background, held by strace
# at its first write(2) (made after planning) for REL_HOLD_US; its output
# goes to OUT. Returns once it is held; sets pid.
start_held() {
	local out=$1
	shift
	ASAN_OPTIONS=detect_leaks=0 strace -qq -o /dev/null -e trace=write \
		-e inject=write:delay_exit="$REL_HOLD_US":when=1 \
		"$STRATA_BIN" -v -d "$TEST_URL" -m migrations "$@" >"$out" 2>&1 &
	pid=$!
	held_after_plan "$pid" "$out"
}

# The same, made deterministic: `up` is held (by strace) after it has made
# its plan and before its first transaction, while `down` runs in full.
# With -v, the first write(2) of `up` is its "applying ..." line, which is
# printed after planning and before BEGIN.
t_race_down_between_plan_and_run_of_up() {
	rel_need_strace
	rel_migrations 4
	st -q up 2
	start_held o.up up
	st down --no-backup
	expect_rc 0
	wait $pid
	expect_eq 0 $? "up exit code: $(cat o.up)"
	# it was held with a plan that no longer held, and planned again
	grep -q "applying 0003_t3" o.up || fail "up was not held after planning: $(cat o.up)"
	grep -q "applying 0002_t2" o.up || fail "up did not plan again: $(cat o.up)"
	expect_history "1 2 3 4"
	up_down_outcome_ok
}

# The opposite: `down` is held after planning while `up` runs in full.
t_race_up_between_plan_and_run_of_down() {
	rel_need_strace
	rel_migrations 4
	st -q up 2
	start_held o.down down --no-backup
	st up
	expect_rc 0
	wait $pid
	expect_eq 0 $? "down exit code: $(cat o.down)"
	grep -q "rolling back 0002_t2" o.down || fail "down was not held after planning: $(cat o.down)"
	grep -q "rolling back 0004_t4" o.down || fail "down did not plan again: $(cat o.down)"
	# serial: up (1 2 3 4), then down rolls back 4
	expect_history "1 2 3"
	rel_consistent 4
}

# Two `down`s at once roll back two migrations, as they would one after
# the other.
t_race_down_against_down() {
	rel_need_strace
	rel_migrations 4
	st -q up
	start_held o.down down --no-backup
	st down --no-backup
	expect_rc 0
	wait $pid
	expect_eq 0 $? "held down exit code: $(cat o.down)"
	grep -q "rolling back 0004_t4" o.down || fail "down was not held after planning: $(cat o.down)"
	grep -q "rolling back 0003_t3" o.down || fail "down did not plan again: $(cat o.down)"
	expect_history "1 2"
	rel_consistent 4
}

# A repeatable migration applied by one runner after another planned it:
# it runs once, not twice.
t_race_repeatable_runs_once() {
	rel_need_strace
	rel_migrations 1
	rel_repeatable
	start_held o.up up
	st up
	expect_rc 0
	wait $pid
	expect_eq 0 $? "held up exit code: $(cat o.up)"
	grep -q "applying 0001_t1" o.up || fail "up was not held after planning: $(cat o.up)"
	expect_eq 1 "$(db_sql "SELECT count(*) FROM rlog")" "runs of the repeatable migration"
}

# --- lock waits ---------------------------------------------------------------

# Hold SQLite's write lock from another connection for at most $1 seconds
# (release_write_lock ends it sooner: a killed holder's lock goes with it).
release_write_lock() {
	kill "$holder" 2>/dev/null
	wait "$holder" 2>/dev/null
	return 0
}

hold_write_lock() {
	sqlite3 "$(rel_db_file)" "BEGIN IMMEDIATE; CREATE TABLE IF NOT EXISTS holder (x INTEGER);" ".shell sleep $1" "ROLLBACK;" >/dev/null 2>&1 &
	holder=$!
	# until the lock is really held
	for _ in $(seq 1 100); do
		sqlite3 "$(rel_db_file)" "PRAGMA busy_timeout = 0; BEGIN IMMEDIATE; ROLLBACK;" >/dev/null 2>&1 || return 0
		sleep 0.02
	done
	fail "could not take the write lock for the test"
}

t_lock_timeout_names_the_locked_database() {
	rel_migrations 3
	st -q up 1
	before=$(rel_snapshot)
	hold_write_lock 4
	t0=$(date +%s%N)
	st --lock-timeout 1 up
	t1=$(date +%s%N)
	expect_rc 4
	expect_err "locked by another process"
	expect_err "$(rel_db_file)"
	expect_err "--lock-timeout"
	ms=$(((t1 - t0) / 1000000))
	[ "$ms" -ge 900 ] || fail "gave up after $ms ms, before the 1 s timeout"
	[ "$ms" -lt 3500 ] || fail "waited $ms ms for a 1 s timeout"
	st --lock-timeout 1 down --no-backup
	expect_rc 4
	expect_err "locked by another process"
	release_write_lock
	expect_eq "$before" "$(rel_snapshot)" "database after the timeouts"
	# released: the next run goes through
	st up
	expect_rc 0
	expect_history "1 2 3"
}

# The lock is held while the history table does not exist yet.
t_lock_timeout_on_a_fresh_database() {
	rel_migrations 2
	db_sql "CREATE TABLE app_data (id INTEGER PRIMARY KEY)"
	hold_write_lock 3
	st --lock-timeout 1 up
	expect_rc 4
	expect_err "locked by another process"
	release_write_lock
	rel_db_has_table "$TEST_TABLE" && fail "the history table was created"
	st up
	expect_rc 0
	expect_history "1 2"
}

# Another strata holds the lock while it runs a migration (held by strace
# at its commit's first sync, for 3 s); a second one waits, and gives up
# after its timeout.
t_lock_held_by_a_running_migration() {
	rel_need_strace
	rel_migrations 2
	st -q up 1
	local paths
	mapfile -t paths < <(rel_db_paths)
	ASAN_OPTIONS=detect_leaks=0 strace -qq -o /dev/null "${paths[@]}" -e trace=fdatasync \
		-e inject=fdatasync:delay_enter=3000000:when=1 \
		"$STRATA_BIN" -q -d "$TEST_URL" -m migrations up >o.slow 2>&1 &
	slow=$!
	for _ in $(seq 1 500); do
		[ -e "$(rel_db_file)-journal" ] && break
		sleep 0.01
	done
	[ -e "$(rel_db_file)-journal" ] || fail "the first runner never began its migration"
	st --lock-timeout 1 up
	expect_rc 4
	expect_err "locked by another process"
	wait $slow
	r=$?
	[ "$r" = 0 ] || fail "the first runner exited $r: $(cat o.slow)"
	expect_history "1 2"
	rel_consistent 2
}

# A lock released before the timeout: the waiting runner goes on.
t_lock_wait_succeeds_when_released() {
	rel_migrations 2
	st -q up 1
	hold_write_lock 1
	st --lock-timeout 10 up
	expect_rc 0
	wait "$holder"
	expect_history "1 2"
}

# Ctrl-C while waiting for the lock ends the wait at once (not after
# --lock-timeout), exit 130, nothing changed; a second interrupted wait in
# the middle of a run says how many migrations were done.
t_sigint_ends_a_lock_wait() {
	rel_migrations 3
	st -q up 1
	before=$(rel_snapshot)
	hold_write_lock 20
	"$STRATA_BIN" -d "$TEST_URL" -m migrations --lock-timeout 60 up >o.wait 2>e.wait &
	local waiter=$! t0 t1 r
	sleep 0.5
	t0=$(date +%s%N)
	kill -INT "$waiter"
	wait "$waiter"
	r=$?
	t1=$(date +%s%N)
	release_write_lock
	[ "$r" = 130 ] || fail "exit $r after SIGINT during the lock wait: $(cat e.wait)"
	[ $(((t1 - t0) / 1000000)) -lt 2000 ] || fail "the wait went on $(((t1 - t0) / 1000000)) ms after SIGINT"
	grep -q "interrupted while waiting for the database lock: stopped before t2; 0 of 2 done" e.wait ||
		fail "unexpected message: $(cat e.wait)"
	grep -q "$(rel_db_file)" e.wait && fail "message should be the run's, not SQLite's: $(cat e.wait)"
	expect_eq "$before" "$(rel_snapshot)" "database after the interrupted wait"
	st up
	expect_rc 0
	expect_history "1 2 3"
}

# --lock-timeout 0: do not wait at all.
t_lock_timeout_zero_does_not_wait() {
	rel_migrations 2
	st -q up 1
	hold_write_lock 3
	t0=$(date +%s%N)
	st --lock-timeout 0 up
	t1=$(date +%s%N)
	expect_rc 4
	expect_err "locked by another process"
	[ $(((t1 - t0) / 1000000)) -lt 1500 ] || fail "--lock-timeout 0 waited"
	release_write_lock
	expect_history "1"
}

# Backups taken at the same instant (as racing `redo`s or `down`s take
# them) each get a name of their own, whole, none left as NAME.partial.
t_race_backups_get_names_of_their_own() {
	rel_migrations 2
	st -q up
	for round in 1 2 3; do
		rm -rf backups
		race_n 8 backup
		rel_race_expect_all 0 8
		expect_eq 8 "$(find backups -type f -name '*.db' | wc -l)" "round $round: backups written"
		expect_eq "" "$(find backups -name '*.partial')" "round $round: partial files left"
		expect_eq 8 "$(cat out.* | grep -c '^backups/')" "round $round: paths printed"
		expect_eq 8 "$(cat out.* | grep '^backups/' | sort -u | wc -l)" "round $round: distinct paths"
	done
}
