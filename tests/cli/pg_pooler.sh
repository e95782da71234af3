# shellcheck shell=bash
# shellcheck disable=SC2154 # st sets rc, out, err
# PostgreSQL through PgBouncer in transaction pooling (servers.sh start
# pgbouncer, one for the suite): each transaction may run on another
# server session, so strata takes a transaction-level lock in each
# migration's transaction and reads the history again under it. Racing
# deployers apply each migration once, a no-transaction file is refused
# before anything runs, a killed runner's lock goes with its transaction,
# and the read-only commands work as they do directly.

. "$(dirname "${BASH_SOURCE[0]}")/../lib/exact-lib.sh"

# --- the suite's PgBouncer, started once, stopped when the suite ends ------

PGB_DIR='' PGB_PORT='' PGB_WHY=''
pgb_start() {
	local line
	if ! line=$("$STRATA_SRC_ROOT/tests/lib/servers.sh" start pgbouncer 2>&1); then
		PGB_WHY="PgBouncer did not start: $(printf '%s' "$line" | tail -5)"
		return
	fi
	PGB_DIR=${line##*STRATA_SRV_DIR=}
	read -r PGB_PORT <"$PGB_DIR/pgbouncer/port"
	# shellcheck disable=SC2064 # the folder is known now
	trap "'$STRATA_SRC_ROOT/tests/lib/servers.sh' stop '$PGB_DIR' >/dev/null 2>&1" EXIT
}
pgb_start

# url: the test database through the pooler. Under CI=true a PgBouncer
# that did not start fails the test; elsewhere it skips it.
use_pooler() {
	if [ -z "$PGB_PORT" ]; then
		[ "${CI:-}" = true ] && fail "$PGB_WHY"
		skip "$PGB_WHY"
	fi
	url="postgres://postgres@127.0.0.1:$PGB_PORT/$TEST_DBNAME?sslmode=disable"
}

# Exactly one history row per version, and n of them.
expect_history_rows() {
	expect_eq "$1" "$(db_sql "SELECT count(*) FROM $TEST_TABLE")" "history rows"
	expect_eq 0 "$(db_sql "SELECT count(*) FROM (SELECT version FROM $TEST_TABLE GROUP BY version HAVING count(*) > 1) d")" "versions recorded twice"
}

# --- tests -------------------------------------------------------------------

t_the_pooler_is_detected_and_a_direct_connection_is_not() {
	local url
	use_pooler
	mig 0001 a "CREATE TABLE a (id int);"
	st_raw -v --database "$url" --dir migrations up
	expect_rc 0
	expect_err "connected through a pooler"
	expect_history "1"
	mig 0002 b "CREATE TABLE b (id int);"
	st -v up
	expect_rc 0
	refute_err "pooler"
	expect_history "1 2"
	# said, not detected: nothing detected either way
	st_raw -v --database "$url&pooler=transaction" --dir migrations status
	expect_rc 0
	expect_err "pooler=transaction"
	st_raw -v --database "$url&pooler=none" --dir migrations status
	expect_rc 0
	refute_err "pooler"
	st_raw --database "$url&pooler=sometimes" --dir migrations status
	expect_rc 5
	expect_err "pooler=sometimes in the PostgreSQL URL: expected auto, transaction or none"
}

t_sixteen_racing_deployers_apply_each_migration_once() {
	local url i n=16
	use_pooler
	# shellcheck disable=SC2034 # race_n reads it
	TEST_URL=$url
	mig 0001 t "CREATE TABLE t (id int PRIMARY KEY);"
	# run twice, this fails: the key exists
	mig 0002 one "INSERT INTO t VALUES (1);"
	mig 0003 counter "CREATE TABLE counter (n int); INSERT INTO counter VALUES (0);"
	# run twice, this counts 2
	mig 0004 bump "UPDATE counter SET n = n + 1;"
	mig 0005 two "INSERT INTO t VALUES (2);"
	mig 0006 bump_again "UPDATE counter SET n = n + 10;"
	race_n "$n" up
	for i in $(seq 1 "$n"); do
		[ "$(cat "rc.$i")" = 0 ] || fail "runner $i: exit $(cat "rc.$i"): $(cat "out.$i")"
	done
	expect_history_rows 6
	expect_history "1 2 3 4 5 6"
	expect_eq "1 2" "$(db_sql "SELECT string_agg(id::text, ' ' ORDER BY id) FROM t")" "rows of t"
	expect_eq 11 "$(db_sql "SELECT n FROM counter")" "counter"
	# all 16 ended with the work done: one applied each migration
	expect_eq 6 "$(cat out.* | grep -c '^applied ')" "migrations applied, over all runners"
}

t_a_no_transaction_migration_is_refused_naming_its_file() {
	local url
	use_pooler
	mig 0001 a "CREATE TABLE a (id int);"
	mig 0002 idx "-- strata:no-transaction
CREATE INDEX CONCURRENTLY a_id ON a (id);"
	st_raw --database "$url" --dir migrations up
	expect_rc 2
	expect_err "migrations/0002_idx.up.sql must run outside a transaction, which strata does not do through a transaction pooler: nothing was applied"
	expect_err "pooler=none"
	# refused before anything ran, the transactional 0001 included
	expect_tables ""
	[ "$(db_sql "SELECT count(*) FROM pg_tables WHERE tablename = '$TEST_TABLE'")" = 0 ] ||
		expect_history ""
	# up to the file before it is fine
	st_raw --database "$url" --dir migrations up --to 0001
	expect_rc 0
	expect_history "1"
	# directly, it runs
	st up
	expect_rc 0
	expect_history "1 2"
}

t_a_killed_runner_leaves_no_lock_and_a_consistent_history() {
	local url pid i
	use_pooler
	mig 0001 a "CREATE TABLE a (id int);"
	mig 0002 b "INSERT INTO a VALUES (1);"
	rm -f pause pause.ready
	mkfifo pause
	STRATA_TEST_PAUSE=before_commit:$PWD/pause \
		"$STRATA_BIN" --database "$url" --dir migrations up >w.out 2>w.err &
	pid=$!
	# held inside 0001's transaction, its lock taken
	tp_wait_paused "$pid" "$PWD/pause" w.err
	db_lock_held || fail "no advisory lock held by the paused runner"
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null
	# PgBouncer ends the server session of a client gone mid-transaction;
	# the lock goes with it
	for i in $(seq 1 3000); do
		db_lock_held || break
		sleep 0.01
	done
	db_lock_held && fail "the killed runner's lock is still held"
	expect_eq 0 "$(db_sql "SELECT count(*) FROM pg_tables WHERE tablename = 'a'")" "table a after the kill"
	st_raw --database "$url" --dir migrations --lock-timeout 60 up
	expect_rc 0
	expect_history_rows 2
	expect_history "1 2"
	expect_eq 1 "$(db_sql "SELECT count(*) FROM a")" "rows of a"
}

t_another_runner_holding_the_lock_times_out_the_pooled_one() {
	local url
	use_pooler
	mig 0001 a "CREATE TABLE a (id int);"
	st_raw --database "$url" --dir migrations up
	expect_rc 0
	mig 0002 b "CREATE TABLE b (id int);"
	# a direct runner's session lock and the pooled runner's transaction
	# lock are the same lock
	hold_start runner "$(db_lock_take_sql)" "SELECT 1"
	st_raw --database "$url" --dir migrations --lock-timeout 1 up
	hold_end runner
	expect_rc 4
	expect_err "another runner holds the migration lock 'strata:\"public\".\"schema_migrations\"'"
	expect_history "1"
	st_raw --database "$url" --dir migrations up
	expect_rc 0
	expect_history "1 2"
}

t_status_plan_validate_and_down_work_through_the_pooler() {
	local url
	use_pooler
	mig 0001 a "CREATE TABLE a (id int);" "DROP TABLE a;"
	mig 0002 b "CREATE TABLE b (id int);" "DROP TABLE b;"
	st_raw --database "$url" --dir migrations up --to 0001
	expect_rc 0
	st_raw --database "$url" --dir migrations status
	expect_rc 0
	expect_out "1 applied, 1 pending"
	st_raw --database "$url" --dir migrations plan
	expect_rc 0
	expect_out "CREATE TABLE b (id int);"
	st_raw --database "$url" --dir migrations validate
	expect_rc 0
	st_raw --database "$url" --dir migrations up
	expect_rc 0
	st_raw --database "$url" --dir migrations down --no-backup
	expect_rc 0
	expect_history "1"
	expect_tables "a"
}

t_schema_is_refused_through_the_pooler() {
	local url
	use_pooler
	mig 0001 a "CREATE TABLE a (id int);"
	st_raw --database "$url" --dir migrations --schema app up
	expect_rc 2
	expect_err "--schema cannot be kept through a transaction pooler"
	expect_err "ALTER ROLE ... SET search_path"
	expect_tables ""
}

# pg_dump and psql set session settings (search_path) that PgBouncer
# would leave for other clients: never run through it. A URL with
# pooler= still reaches them without it.
t_backup_and_dump_are_refused_through_the_pooler() {
	local url
	use_pooler
	mig 0001 a "CREATE TABLE a (id int);" "DROP TABLE a;"
	st_raw --database "$url" --dir migrations up
	expect_rc 0
	st_raw --database "$url" --dir migrations down
	expect_rc 1
	expect_err "pg_dump and psql are not run through a transaction pooler"
	expect_err "--no-backup"
	expect_history "1"
	expect_tables "a"
	st_raw --database "$url" --dir migrations dump
	expect_rc 1
	expect_err "pg_dump and psql are not run through a transaction pooler"
	# directly, with the parameter in the URL: the backup is taken
	st_raw --database "$TEST_URL&pooler=none" --dir migrations down
	expect_rc 0
	expect_err "backup written to"
	expect_history ""
}

# Ctrl-C during a migration's statement: strata asks the server to cancel
# the statement of the server process its transaction runs on (never the
# process id PgBouncer made up), and the transaction rolls back.
t_sigint_cancels_the_statement_of_the_current_transaction() {
	local url pid i
	use_pooler
	mig 0001 a "CREATE TABLE a (x int);"
	mig 0002 slow "INSERT INTO a VALUES (1);
SELECT pg_sleep(600);"
	"$STRATA_BIN" --database "$url" --dir migrations up >w.out 2>w.err &
	pid=$!
	# the statement runs on the server (a state, polled; the count
	# only ends a hang)
	for i in $(seq 1 3000); do
		db_statement_running "pg_sleep(600)" && break
		kill -0 "$pid" 2>/dev/null || fail "strata ended early: $(cat w.err)"
		sleep 0.01
	done
	db_statement_running "pg_sleep(600)" || fail "the statement never ran"
	kill -INT "$pid"
	wait "$pid"
	# shellcheck disable=SC2034 # expect_rc and expect_err read them
	rc=$? err=$(cat w.err)
	expect_rc 130
	expect_err "interrupted: applying 0002_slow was stopped, its transaction rolled back"
	refute_err "did not answer"
	db_statement_running "pg_sleep(600)" && fail "the statement still runs on the server"
	expect_history "1"
	expect_eq 0 "$(db_sql "SELECT count(*) FROM a")" "rows of a"
}

# Deployers through the pooler and straight to the server at once: the
# session lock of the direct ones and the transaction lock of the pooled
# ones are the same lock, so each migration still runs once.
t_pooled_and_direct_deployers_race_safely() {
	local url direct=$TEST_URL i cmds=()
	use_pooler
	mig 0001 t "CREATE TABLE t (id int PRIMARY KEY);"
	mig 0002 one "INSERT INTO t VALUES (1);"
	mig 0003 counter "CREATE TABLE counter (n int); INSERT INTO counter VALUES (0);"
	mig 0004 bump "UPDATE counter SET n = n + 1;"
	mig 0005 two "INSERT INTO t VALUES (2);"
	for i in $(seq 1 8); do
		cmds+=("up" "--database $direct up")
	done
	# shellcheck disable=SC2034 # race_each reads it
	TEST_URL=$url
	race_each "${cmds[@]}"
	for i in $(seq 1 16); do
		[ "$(cat "rc.$i")" = 0 ] || fail "runner $i: exit $(cat "rc.$i"): $(cat "out.$i")"
	done
	expect_history_rows 5
	expect_history "1 2 3 4 5"
	expect_eq "1 2" "$(db_sql "SELECT string_agg(id::text, ' ' ORDER BY id) FROM t")" "rows of t"
	expect_eq 1 "$(db_sql "SELECT n FROM counter")" "counter"
}
