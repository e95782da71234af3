# shellcheck shell=bash
# shellcheck disable=SC2154 # st sets rc, out, err
# PostgreSQL with a streaming standby (tests/lib/standby.sh): up
# --wait-replicas waits until the standby has replayed the run and says
# how far behind each standby was, or names the one still behind when the
# time is up (exit 4); status and history read the replicated history on
# the standby, where migrations stay refused.

. "$(dirname "${BASH_SOURCE[0]}")/../lib/standby.sh"

two() {
	mig 0001 users "CREATE TABLE users (id int PRIMARY KEY);"
	mig 0002 days "CREATE TABLE days (id int);"
}

t_up_waits_until_the_standby_has_replayed_the_run() {
	standby_start strata_sb_wait
	two
	st up --wait-replicas=60
	expect_rc 0
	expect_err "2 migrations applied"
	expect_err "standby strata_sb_wait (127.0.0.1): replayed the run"
	# what up waited for is on the standby when up returns
	expect_eq "users days" "$(standby_sql "SELECT string_agg(table_name, ' ' ORDER BY table_name DESC) FROM information_schema.tables WHERE table_name IN ('users', 'days')")" "tables on the standby"
	expect_eq "1 2" "$(standby_sql "SELECT string_agg(version, ' ' ORDER BY version) FROM $TEST_TABLE")" "history on the standby"
	# nothing to apply: still waits, and says so
	st up --wait-replicas
	expect_rc 0
	expect_err "nothing to apply"
	expect_err "standby strata_sb_wait (127.0.0.1): replayed the run"
}

t_a_standby_that_does_not_replay_is_named_when_the_time_is_up() {
	standby_start strata_sb_paused
	mig 0001 users "CREATE TABLE users (id int PRIMARY KEY);"
	st up
	expect_rc 0
	standby_sql "SELECT pg_wal_replay_pause()" >/dev/null
	mig 0002 days "CREATE TABLE days (id int);"
	st up --wait-replicas=1
	expect_rc 4
	# the run itself is done and durable; only the wait failed
	expect_err "1 migration applied"
	expect_history "1 2"
	expect_err "not every standby has replayed the run: strata_sb_paused (127.0.0.1, "
	expect_err "bytes behind"
	standby_sql "SELECT pg_wal_replay_resume()" >/dev/null
	st up --wait-replicas=60
	expect_rc 0
	expect_err "standby strata_sb_paused (127.0.0.1): replayed the run"
}

# A role without pg_monitor sees the standbys but not their progress:
# strata says so at once instead of waiting for nothing.
t_hidden_progress_is_said_not_waited_for() {
	local role="r_${TEST_ID}"
	standby_start strata_sb_hidden
	db_sql "CREATE ROLE $role LOGIN; GRANT CREATE ON SCHEMA public TO $role" >/dev/null
	mig 0001 users "CREATE TABLE users (id int PRIMARY KEY);"
	st_raw -d "postgres://$role@127.0.0.1:$STRATA_TEST_PG_PORT/$TEST_DBNAME?sslmode=disable" -m migrations up --wait-replicas=600
	local r=$rc e=$err
	db_sql "DROP OWNED BY $role; DROP ROLE $role" >/dev/null 2>&1
	rc=$r err=$e
	expect_rc 4
	expect_err "cannot tell whether the standbys have replayed the run: the server hides their progress from this role"
	expect_err "pg_monitor"
}

t_status_and_history_read_the_standby() {
	two
	st up
	expect_rc 0
	standby_start strata_sb_status
	mig 0003 later "CREATE TABLE later (id int);"
	st_raw -d "$SB_URL" -m migrations status
	expect_rc 0
	expect_out "0001"
	expect_out "0002"
	expect_out "pending"
	st_raw -d "$SB_URL" -m migrations history
	expect_rc 0
	expect_out "users"
	expect_out "days"
	st_raw -d "$SB_URL" -m migrations validate
	expect_rc 0
	st_raw -d "$SB_URL" -m migrations plan
	expect_rc 0
	expect_out "CREATE TABLE later"
	st_raw -d "$SB_URL" -m migrations dump
	expect_rc 0
	expect_out "CREATE TABLE public.days"
	# reading first does not open the way to writing
	st_raw -d "$SB_URL" -m migrations up
	expect_rc 3
	expect_err "is a hot standby, in recovery and read-only: migrations must run on the primary"
	expect_eq "" "$(standby_sql "SELECT version FROM $TEST_TABLE WHERE version = '3'")" "row 3 on the standby"
}

# A server no standby streams from (one of the test's own: the shared one
# may have another test's standby at any moment): up --wait-replicas runs,
# says there is nothing to wait for, and exits 0; -q keeps it quiet.
t_no_standby_connected_is_said_and_up_succeeds() {
	local line priv port url
	line=$("$STRATA_SRC_ROOT/tests/lib/servers.sh" start pg) || fail "private server did not start"
	# its folder and port, leaving the shared server's settings be
	priv=$(eval "$line" && echo "$STRATA_SRV_DIR")
	# the folder now: priv is gone when the trap runs
	# shellcheck disable=SC2064
	trap "\"\$STRATA_SRC_ROOT/tests/lib/servers.sh\" stop '$priv' >/dev/null 2>&1; db_teardown" EXIT
	# shellcheck disable=SC1091
	port=$(. "$priv/env" && echo "$STRATA_TEST_PG_PORT")
	url="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
	expect_eq 0 "$(psql -X -At "$url" -c "SELECT count(*) FROM pg_stat_replication")" "standbys of the private server"
	mig 0001 users "CREATE TABLE users (id int PRIMARY KEY);"
	st_raw -d "$url" -m migrations up --wait-replicas=5
	expect_rc 0
	expect_err "1 migration applied"
	expect_err "strata: no streaming standby is connected to the server: nothing to wait for"
	expect_eq "1" "$(psql -X -At "$url" -c "SELECT string_agg(version, ' ') FROM $TEST_TABLE")" "history"
	st_raw -d "$url" -m migrations -q up --wait-replicas
	expect_rc 0
	expect_eq "" "$err" "stderr with -q"
}
