# shellcheck shell=bash
# shellcheck disable=SC2154 # st sets rc, out, err; tp_start sets pid
# A MariaDB Galera cluster of three nodes (tests/lib/servers.sh start
# galera), started once for this suite. GET_LOCK is one node's, so on a
# cluster strata's runner lock is a row of strata_lock, written through
# the cluster's certification: racing deployers spread over the nodes
# apply each migration once; a waiting runner names the holder; a dead
# runner's lease runs out; a node killed mid-run leaves the same history
# on the others; a node in RSU is refused; status -v names the cluster.

. "$(dirname "${BASH_SOURCE[0]}")/../lib/exact-lib.sh"

# The cluster, for the whole suite; under CI one that does not start
# fails every test, elsewhere they are skipped.
galera_suite_start() {
	local line
	GALERA_ERR=
	if ! line=$("$STRATA_SRC_ROOT/tests/lib/servers.sh" start galera 2>"${TMPDIR:-/tmp}/galera-start.$$"); then
		GALERA_ERR=$(tail -20 "${TMPDIR:-/tmp}/galera-start.$$")
		rm -f "${TMPDIR:-/tmp}/galera-start.$$"
		return
	fi
	rm -f "${TMPDIR:-/tmp}/galera-start.$$"
	GALERA_SRV=${line#STRATA_SRV_DIR=}
	# shellcheck disable=SC1091 # made at run time
	read -r -a GALERA_PORTS < <(. "$GALERA_SRV/env" && echo "$STRATA_TEST_GALERA_PORTS")
	trap 'STRATA_SRV_DIR=$GALERA_SRV "$STRATA_SRC_ROOT/tests/lib/servers.sh" stop >/dev/null 2>&1' EXIT
}
galera_suite_start

# galera_use: this test's database on the cluster (made through node 1);
# TEST_URL is node 1's, node_url N another node's.
galera_use() {
	if [ -z "${GALERA_SRV:-}" ]; then
		[ "${CI:-}" = true ] && fail "the Galera cluster did not start: $GALERA_ERR"
		skip "no Galera cluster: $GALERA_ERR"
	fi
	node_sql 1 "" "CREATE DATABASE $TEST_DBNAME" || fail "cannot create $TEST_DBNAME on the cluster"
	export TEST_URL; TEST_URL=$(node_url 1)
	trap 'node_sql 1 "" "DROP DATABASE IF EXISTS $TEST_DBNAME" >/dev/null 2>&1; db_teardown' EXIT
}

node_url() {
	echo "mysql://root@127.0.0.1:${GALERA_PORTS[$1 - 1]}/$TEST_DBNAME${2:+?$2}"
}

# node_sql N DB SQL: on node N, reads see every write the cluster ordered
# before them (wsrep_sync_wait)
node_sql() {
	mariadb --no-defaults -h 127.0.0.1 -P "${GALERA_PORTS[$1 - 1]}" -u root -N -B \
		${2:+"$2"} -e "SET SESSION wsrep_sync_wait = 1; $3" | tr '\t' '|'
}

# galera_node kill|restart N: SIGKILL node N, or start it again (it
# rejoins the cluster and catches up)
galera_node() {
	STRATA_SRV_DIR=$GALERA_SRV "$STRATA_SRC_ROOT/tests/lib/servers.sh" "galera-$1" "$2"
}

# each migration makes a table and notes its run in runs, once per run
runs_migrations() {
	local i
	mig 0001 runs "CREATE TABLE runs (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(8) NOT NULL); INSERT INTO runs (v) VALUES ('0001');"
	for i in $(seq 2 "$1"); do
		i=$(printf %04d "$i")
		mig "$i" "t$i" "CREATE TABLE t$i (id INT PRIMARY KEY); INSERT INTO runs (v) VALUES ('$i');"
	done
}

# the history's versions on node N, in order
node_history() {
	node_sql "$1" "$TEST_DBNAME" "SELECT version FROM $TEST_TABLE ORDER BY version" | tr '\n' ' ' | sed 's/ $//'
}

expect_each_run_once() {
	expect_eq "$1" "$(node_sql 1 "$TEST_DBNAME" "SELECT count(*), count(DISTINCT v) FROM runs")" "runs (all, distinct)"
}

t_racing_deployers_on_three_nodes_apply_each_migration_once() {
	local k n pids=() bad=0 applying
	galera_use
	runs_migrations 6
	for k in $(seq 16); do
		n=$((k % 3 + 1))
		"$STRATA_BIN" -d "$(node_url "$n")" -m migrations up --lock-timeout 300 >"out.$k" 2>&1 &
		pids+=($!)
	done
	for k in $(seq 16); do
		wait "${pids[$((k - 1))]}" || { bad=$((bad + 1)); echo "runner $k: $(cat "out.$k")"; }
	done
	expect_eq 0 "$bad" "runners that failed"
	applying=$(cat out.* | grep -c '^applied ')
	expect_eq 6 "$applying" "migrations applied over all runners"
	expect_each_run_once "6|6"
	for n in 1 2 3; do
		expect_eq "1 2 3 4 5 6" "$(node_history "$n")" "history on node $n"
	done
	# the lock row went with its holder
	expect_eq 0 "$(node_sql 2 "$TEST_DBNAME" "SELECT count(*) FROM strata_lock")" "lock rows left"
}

t_a_waiting_runner_names_the_holder_and_its_node() {
	galera_use
	runs_migrations 2
	tp_start after_plan a.out up
	TEST_URL=$(node_url 3) st up --lock-timeout 1
	expect_rc 4
	expect_err "cannot take the cluster lock"
	expect_err "held by strata pid $pid on "
	expect_err "on node n1 since "
	tp_release
	wait "$pid" || fail "the holder failed: $(cat a.out)"
	expect_each_run_once "2|2"
	expect_eq "1 2" "$(node_history 3)" "history on node 3"
}

t_a_dead_runners_lease_runs_out() {
	galera_use
	runs_migrations 3
	# a runner on node 1, with a short lease, dies holding the lock
	TEST_URL=$(node_url 1 lock_lease=2) tp_start after_plan a.out up
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null
	expect_eq 1 "$(node_sql 2 "$TEST_DBNAME" "SELECT count(*) FROM strata_lock")" "the dead runner's row"
	# another, on node 2, takes the lock once the lease has run out
	TEST_URL=$(node_url 2) st up --lock-timeout 300
	expect_rc 0
	expect_err "3 migrations applied"
	expect_each_run_once "3|3"
	expect_eq "1 2 3" "$(node_history 1)" "history on node 1"
}

t_a_runner_whose_lock_row_is_gone_stops_before_changing_anything() {
	galera_use
	runs_migrations 2
	rm -f plan.fifo lost.fifo
	mkfifo plan.fifo lost.fifo
	STRATA_TEST_PAUSE="after_plan:$PWD/plan.fifo,lease_lost:$PWD/lost.fifo" ASAN_OPTIONS=detect_leaks=0 \
		"$STRATA_BIN" -d "$(node_url 1 lock_lease=3)" -m migrations up >a.out 2>&1 &
	pid=$!
	tp_wait_paused "$pid" "$PWD/plan.fifo" a.out
	# someone deletes the row (as if the lease had run out and another
	# runner had taken it); the holder's renewal thread finds it gone
	# and stops at its pause point
	node_sql 2 "$TEST_DBNAME" "DELETE FROM strata_lock"
	tp_wait_paused "$pid" "$PWD/lost.fifo" a.out
	tp_release "$PWD/lost.fifo"
	tp_release "$PWD/plan.fifo"
	wait "$pid" && fail "the runner went on without its lock: $(cat a.out)"
	grep -q "is no longer this runner's: its lease ran out" a.out || fail "no word of the lost lock: $(cat a.out)"
	expect_eq "" "$(node_history 2)" "history"
	expect_eq 0 "$(node_sql 2 "" "SELECT count(*) FROM information_schema.tables WHERE table_schema = '$TEST_DBNAME' AND table_name = 'runs'")" "tables made"
}

t_a_node_killed_mid_run_leaves_the_same_history_on_the_others() {
	local n
	galera_use
	runs_migrations 4
	# node 3 is back for the tests after this one, however this one ends
	# shellcheck disable=SC2064 # the database name now
	trap "galera_node restart 3; node_sql 1 '' 'DROP DATABASE IF EXISTS $TEST_DBNAME' >/dev/null 2>&1; db_teardown" EXIT
	# 0002 waits at a gate on node 3 (GET_LOCK is the node's own), held
	# by a session there: the run is inside 0002 when node 3 dies
	STRATA_TEST_MYSQL_PORT=${GALERA_PORTS[2]} gate_shut mid
	mig 0002 t0002 "$(db_gate_pass_sql mid); CREATE TABLE t0002 (id INT PRIMARY KEY); INSERT INTO runs (v) VALUES ('0002');"
	"$STRATA_BIN" -d "$(node_url 3 lock_lease=2)" -m migrations up >a.out 2>&1 &
	pid=$!
	STRATA_TEST_MYSQL_PORT=${GALERA_PORTS[2]} gate_wait_for mid "$pid"
	galera_node kill 3
	wait "$pid" && fail "the runner on the killed node succeeded: $(cat a.out)"
	# the two others agree: 0001 applied, 0002 begun (dirty: strata
	# records a migration outside a transaction as begun first)
	for n in 1 2; do
		expect_eq "1|0 2|1" "$(node_sql "$n" "$TEST_DBNAME" "SELECT version, dirty FROM $TEST_TABLE ORDER BY version" | tr '\n' ' ' | sed 's/ $//')" "history on node $n"
	done
	expect_each_run_once "1|1"
	# on node 1, once the dead runner's lease is out: up stops at the
	# dirty row; nothing of 0002 took effect, so force forgets it, and up
	# finishes the run
	export TEST_URL; TEST_URL=$(node_url 1)
	st up --lock-timeout 300
	expect_rc 3
	expect_err "dirty"
	st force 0001
	expect_rc 0
	st up
	expect_rc 0
	expect_err "3 migrations applied"
	expect_each_run_once "4|4"
	expect_eq "1 2 3 4" "$(node_history 2)" "history on node 2"
	# node 3 comes back with the same history
	galera_node restart 3 || fail "node 3 did not rejoin"
	expect_eq "1 2 3 4" "$(node_history 3)" "history on node 3 after it rejoined"
}

t_a_node_in_rsu_is_refused() {
	galera_use
	runs_migrations 1
	node_sql 2 "" "SET GLOBAL wsrep_OSU_method = 'RSU'"
	# shellcheck disable=SC2064 # the database name now
	trap "node_sql 2 '' \"SET GLOBAL wsrep_OSU_method = 'TOI'\"; node_sql 1 '' 'DROP DATABASE IF EXISTS $TEST_DBNAME' >/dev/null 2>&1; db_teardown" EXIT
	TEST_URL=$(node_url 2) st up
	expect_rc 3
	expect_err "wsrep_OSU_method RSU"
	expect_err "SET GLOBAL wsrep_OSU_method = 'TOI'"
	expect_eq 0 "$(node_sql 1 "" "SELECT count(*) FROM information_schema.tables WHERE table_schema = '$TEST_DBNAME' AND table_name = 'runs'")" "tables made"
}

t_status_v_names_the_cluster_and_its_schema_change_method() {
	galera_use
	runs_migrations 1
	st up
	expect_rc 0
	TEST_URL=$(node_url 2) st status -v
	expect_rc 0
	expect_err "Galera cluster 'strata_test', node 'n2': wsrep_OSU_method TOI"
	# the lock's table is strata's: neither the schema nor its drift
	st dump
	expect_rc 0
	refute_out "strata_lock"
}
