# shellcheck shell=bash
# PostgreSQL: one runner at a time. The advisory lock's timeout, sixteen
# racing deployers, CREATE INDEX CONCURRENTLY while another runner waits,
# and a runner killed with SIGKILL halfway. Where two processes must meet
# at a point, the test holds strata there (exact-lib.sh), never sleeps.

# shellcheck source=tests/lib/exact-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/exact-lib.sh"

# advisory_locks: how many advisory locks are granted in the test database
advisory_locks() {
	db_sql "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database
		WHERE l.locktype = 'advisory' AND l.granted AND d.datname = current_database()"
}

RUNNER_KEY="hashtextextended('strata:\"public\".\"schema_migrations\"', 0)"

# runner_lock_held: t while some session holds the runner lock
runner_lock_held() {
	db_sql "SELECT count(*) > 0 FROM pg_locks l, (SELECT $RUNNER_KEY AS h) k
		WHERE l.locktype = 'advisory' AND l.granted
		AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
		AND l.classid::bigint = (k.h >> 32) & 4294967295 AND l.objid::bigint = k.h & 4294967295"
}

t_lock_timeout_exit_4_names_the_lock() {
	mig 0001 users "CREATE TABLE users (id int);"
	# hold the lock from psql; the key names the history table with its
	# schema, whether or not --schema was given
	PGAPPNAME=lock-holder-$TEST_ID hold_start runner \
		"SELECT pg_advisory_lock($RUNNER_KEY)" "SELECT pg_advisory_unlock_all()"
	st --lock-timeout 1 up
	expect_rc 4
	expect_err "another runner holds the migration lock 'strata:\"public\".\"schema_migrations\"'"
	expect_err "application 'lock-holder-$TEST_ID'"
	expect_err "held by server process"
	expect_err "gave up after 1."
	expect_err "raise --lock-timeout"
	expect_tables ""
	# the same table named with --schema: the same lock
	st --lock-timeout 1 --schema public up
	expect_rc 4
	expect_err "'strata:\"public\".\"schema_migrations\"'"
	# another history table: another lock
	st --lock-timeout 1 --table other_history up
	expect_rc 0
	hold_end runner
	db_sql "DROP TABLE users"
	st --lock-timeout 1 up
	expect_rc 0
	expect_history "1"
	expect_eq 0 "$(advisory_locks)" "locks left"
}

# four_for_race [notxn]: four migrations that each log their version
four_for_race() {
	mig 0001 log "CREATE TABLE log (v int);
INSERT INTO log VALUES (1);"
	mig 0002 users "CREATE TABLE users (id int PRIMARY KEY, email text);
INSERT INTO log VALUES (2);"
	if [ "${1:-}" = notxn ]; then
		mig 0003 users_email "-- strata:no-transaction
CREATE INDEX CONCURRENTLY users_email ON users (email);
INSERT INTO log VALUES (3);"
	else
		mig 0003 users_email "CREATE INDEX users_email ON users (email);
INSERT INTO log VALUES (3);"
	fi
	mig 0004 days "CREATE TABLE days (id int);
INSERT INTO log VALUES (4);"
}

# check_race: every run exited 0 and each migration ran exactly once
check_race() {
	local i ok=0 applied=0
	for i in $(seq 16); do
		if [ "$(cat "rc.$i")" = 0 ]; then
			ok=$((ok + 1))
		else
			sed "s/^/    run $i: /" "out.$i" >&2
		fi
		applied=$((applied + $(grep -c '^applied ' "out.$i")))
	done
	expect_eq 4 "$applied" "'applied' lines over all runs"
	expect_eq "1|1
2|1
3|1
4|1" "$(db_sql "SELECT v, count(*) FROM log GROUP BY v ORDER BY v")" "each migration ran once"
	expect_eq "1|0
2|0
3|0
4|0" "$(db_sql "SELECT version, dirty FROM schema_migrations ORDER BY version_sort")" "history"
	expect_eq t "$(db_sql "SELECT indisvalid FROM pg_index WHERE indexrelid = 'users_email'::regclass")"
	expect_eq 0 "$(advisory_locks)" "locks left"
	expect_eq 16 "$ok" "runs that exited 0"
}

t_sixteen_racing_ups_apply_each_migration_once() {
	four_for_race
	race_n 16 --lock-timeout 60 up
	check_race
}

# The same with a no-transaction migration among them: its history row is
# dirty while it runs, and the other runners' lock-free first look must
# leave that row to the look under the lock (ops.c, decide), never stop
# with "is dirty".
t_sixteen_racing_ups_with_a_no_transaction_migration() {
	four_for_race notxn
	race_n 16 --lock-timeout 60 up
	check_race
}

t_cic_succeeds_while_another_runner_waits() {
	# runner A holds the lock and is about to build the index; runner B
	# found the lock taken and waits for it. B must wait by polling, idle
	# between tries: a session waiting inside the server would hold a
	# snapshot the index build waits for, and the two would wait for each
	# other until B gave up (exit 4).
	mig 0001 big "CREATE TABLE big (id int PRIMARY KEY, a int);
INSERT INTO big SELECT g, g % 1000 FROM generate_series(1, 50000) g;"
	st up
	expect_rc 0
	mig 0002 big_a "-- strata:no-transaction
CREATE INDEX CONCURRENTLY big_a ON big (a, id);"
	tp_start before_statement out.a up
	local a=$pid fifo_a=$tp_fifo fifo_b=$PWD/tp.b
	mkfifo "$fifo_b"
	STRATA_TEST_PAUSE="lock_wait:$fifo_b" "$STRATA_BIN" --database "$TEST_URL" \
		--dir migrations --lock-timeout 60 up >out.b 2>&1 &
	local b=$!
	tp_wait_paused "$b" "$fifo_b" out.b
	tp_release "$fifo_b"
	tp_release "$fifo_a"
	wait "$a"
	expect_eq 0 "$?" "runner A exit code"
	wait "$b"
	expect_eq 0 "$?" "runner B exit code"
	grep -q "applied     0002_big_a" out.a || fail "runner A did not apply 0002: $(cat out.a)"
	grep -q "nothing to apply" out.b || fail "runner B should have found nothing left: $(cat out.b)"
	expect_eq t "$(db_sql "SELECT indisvalid FROM pg_index WHERE indexrelid = 'big_a'::regclass")"
	expect_history "1 2"
	expect_eq 0 "$(advisory_locks)" "locks left"
}

t_sigkill_halfway_leaves_nothing_and_frees_the_lock() {
	# the second statement waits at a gate the test holds shut: strata is
	# inside the migration's transaction, holding the runner lock
	gate_shut kill
	mig 0001 killed "CREATE TABLE k1 (a int);
INSERT INTO k1 VALUES (1);
$(db_gate_pass_sql kill);
CREATE TABLE k2 (a int);"
	mig 0002 after "CREATE TABLE k3 (a int);"
	ASAN_OPTIONS=detect_leaks=0 "$STRATA_BIN" --database "$TEST_URL" --dir migrations up >out.k 2>&1 &
	local pid=$!
	gate_wait_for kill "$pid"
	expect_eq t "$(runner_lock_held)" "runner lock held while running"
	kill -9 "$pid"
	wait "$pid" 2>/dev/null
	# client_connection_check_interval: the server notices the dead
	# client mid-statement, rolls back and ends the session, which frees
	# the runner lock; the test waits for it by taking the lock itself
	# (the server wakes it; lock_timeout only ends a hang)
	db_sql "SET lock_timeout = '120s'; SELECT pg_advisory_lock($RUNNER_KEY); SELECT pg_advisory_unlock($RUNNER_KEY)" >/dev/null ||
		fail "the killed runner's lock was never freed"
	gate_open kill
	expect_eq 0 "$(advisory_locks)" "locks left"
	# not applied at all: no table, no history row
	expect_tables ""
	expect_eq 0 "$(db_sql "SELECT count(*) FROM schema_migrations")" "history rows"
	st --lock-timeout 5 up
	expect_rc 0
	expect_tables "k1 k2 k3"
	expect_history "1 2"
	expect_eq 1 "$(db_sql "SELECT count(*) FROM k1")"
}
