# shellcheck shell=bash
# Racing deployers (issue 7): many `strata up` processes started at the
# same instant against one database, `up` racing `down`, and lock waits that
# time out. Each race must end as some serial order of the same commands
# would: every process exits 0, each migration is applied exactly once, and
# schema and history equal a serial run's.
# The long tier (long_race.sh) repeats these many times.

. "$(dirname "${BASH_SOURCE[0]}")/../lib/rel-lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/../lib/exact-lib.sh"

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
	db_reset
	st -q up
	expect_rc 0
	want_schema=$(db_schema_all)
	want_hist=$(rel_db_history)
	db_reset
	race_n "$n" -q up
	rel_race_expect_all 0 "$n"
	grep -l "database is locked" out.* >/dev/null 2>&1 && fail "a process saw 'database is locked'"
	expect_eq "$want_schema" "$(db_schema_all)" "schema after $n racing processes"
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
	db_reset
	: >"$(db_file)"
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
		db_reset
		st -q up 2
		expect_history "1 2"
		race_each "-q up" "-q down --no-backup"
		expect_eq 0 "$(cat rc.1)" "round $round: up exit code ($(cat out.1))"
		expect_eq 0 "$(cat rc.2)" "round $round: down exit code ($(cat out.2))"
		up_down_outcome_ok
	done
}

# start_held OUT ARGS...: strata -v ARGS in the background, paused (test
# build) after it has made its plan and before its first transaction, its
# output in OUT. Returns once it is paused; sets pid. release_held lets it
# go on (and plan again, if it must, without pausing).
start_held() {
	local out=$1
	shift
	tp_start after_plan "$out" -v "$@"
}

release_held() {
	tp_release
}

# The same, made deterministic: `up` is held after it has made its plan
# and before its first transaction, while `down` runs in full.
t_race_down_between_plan_and_run_of_up() {
	rel_migrations 4
	st -q up 2
	start_held o.up up
	st down --no-backup
	expect_rc 0
	release_held
	# shellcheck disable=SC2154 # set by tp_start (exact-lib.sh)
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
	rel_migrations 4
	st -q up 2
	start_held o.down down --no-backup
	st up
	expect_rc 0
	release_held
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
	rel_migrations 4
	st -q up
	start_held o.down down --no-backup
	st down --no-backup
	expect_rc 0
	release_held
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
	rel_migrations 1
	rel_repeatable
	start_held o.up up
	st up
	expect_rc 0
	release_held
	wait $pid
	expect_eq 0 $? "held up exit code: $(cat o.up)"
	grep -q "applying 0001_t1" o.up || fail "up was not held after planning: $(cat o.up)"
	expect_eq 1 "$(db_sql "SELECT count(*) FROM rlog")" "runs of the repeatable migration"
}

# --- lock waits ---------------------------------------------------------------

# Hold SQLite's write lock from another connection until
# release_write_lock (a killed holder's lock goes with it).
hold_write_lock() {
	hold_start write "BEGIN IMMEDIATE; CREATE TABLE IF NOT EXISTS holder (x INTEGER);" "ROLLBACK;"
}

release_write_lock() {
	hold_end write
}

t_lock_timeout_names_the_locked_database() {
	rel_migrations 3
	st -q up 1
	before=$(rel_snapshot)
	hold_write_lock
	tp_trace_start
	st --lock-timeout 1 up
	expect_rc 4
	expect_err "is locked by process "
	expect_err " (sqlite3) (waited"
	expect_err "$(db_file)"
	expect_err "(waited 1 s; raise --lock-timeout"
	tp_trace_has lock_busy || fail "gave up without waiting for the lock"
	st --lock-timeout 1 down --no-backup
	expect_rc 4
	expect_err " (sqlite3) (waited"
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
	hold_write_lock
	st --lock-timeout 1 up
	expect_rc 4
	expect_err " (sqlite3) (waited"
	release_write_lock
	db_has_table "$TEST_TABLE" && fail "the history table was created"
	st up
	expect_rc 0
	expect_history "1 2"
}

# Another strata holds the lock while it runs a migration (paused, test
# build, inside the migration's transaction); a second one waits, and
# gives up after its timeout.
t_lock_held_by_a_running_migration() {
	rel_migrations 2
	st -q up 1
	tp_start before_commit o.slow -q up
	st --lock-timeout 1 up
	expect_rc 4
	# the holder named: the paused runner
	expect_err "is locked by process $pid (strata) (waited 1 s"
	tp_release
	wait $pid
	r=$?
	[ "$r" = 0 ] || fail "the first runner exited $r: $(cat o.slow)"
	expect_history "1 2"
	rel_consistent 2
}

# A lock released before the timeout: the waiting runner goes on. It is
# released once the runner is waiting (paused, test build, as its wait
# begins).
t_lock_wait_succeeds_when_released() {
	rel_migrations 2
	st -q up 1
	hold_write_lock
	tp_start lock_busy o.wait --lock-timeout 60 up
	release_write_lock
	tp_release
	wait $pid
	r=$?
	[ "$r" = 0 ] || fail "the waiting runner exited $r: $(cat o.wait)"
	expect_history "1 2"
}

# Ctrl-C while waiting for the lock ends the wait at once, exit 130,
# nothing changed; a second interrupted wait in the middle of a run says
# how many migrations were done. The signal arrives once the wait has
# begun (paused there, test build); the lock stays held until the runner
# has exited, so that only the signal can end a wait of --lock-timeout 60.
t_sigint_ends_a_lock_wait() {
	rel_migrations 3
	st -q up 1
	before=$(rel_snapshot)
	hold_write_lock
	tp_start lock_busy o.wait --lock-timeout 60 up
	tp_signal "$pid" INT
	tp_release
	wait "$pid"
	r=$?
	release_write_lock
	[ "$r" = 130 ] || fail "exit $r after SIGINT during the lock wait: $(cat o.wait)"
	grep -q "interrupted while waiting for the database lock: stopped before t2; 0 of 2 done" o.wait ||
		fail "unexpected message: $(cat o.wait)"
	grep -q "$(db_file)" o.wait && fail "message should be the run's, not SQLite's: $(cat o.wait)"
	expect_eq "$before" "$(rel_snapshot)" "database after the interrupted wait"
	st up
	expect_rc 0
	expect_history "1 2 3"
}

# A runner waiting for the write lock says, once a second has passed,
# which process holds it. The first runner is paused in its migration's
# transaction; the second at the pause point after its message.
t_lock_wait_names_the_writer() {
	local first first_fifo
	rel_migrations 2
	st -q up 1
	tp_start before_commit o.first -q up
	first=$pid first_fifo=$tp_fifo
	# the second pauses once it has said whose lock it waits for
	tp_start lock_told o.second --lock-timeout 600 up
	grep -q "waiting for the database '.*', written by process $first (strata) (up to 600 s)" o.second ||
		fail "the writer is not named: $(cat o.second)"
	tp_release
	tp_release "$first_fifo"
	wait "$first" || fail "the first runner failed: $(cat o.first)"
	wait "$pid" || fail "the second runner failed: $(cat o.second)"
	expect_history "1 2"
	[ "$(grep -c "waiting for the database" o.second)" = 1 ] || fail "said more than once: $(cat o.second)"
}

# --lock-timeout 0: do not wait at all.
t_lock_timeout_zero_does_not_wait() {
	rel_migrations 2
	st -q up 1
	hold_write_lock
	st --lock-timeout 0 up
	expect_rc 4
	expect_err " (sqlite3) (waited 0 s"
	expect_err "(waited 0 s; raise --lock-timeout"
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
