# shellcheck shell=bash
# PostgreSQL: connecting. URL schemes, socket directories, PG* variables,
# passwords that must never be printed, failures that say what was tried,
# and a hot standby refused.

. "$(dirname "${BASH_SOURCE[0]}")/../lib/standby.sh"

PG_SUPERUSER="host=127.0.0.1 port=$STRATA_TEST_PG_PORT user=postgres dbname=postgres"

one() {
	mig 0001 users "CREATE TABLE users (id int PRIMARY KEY);"
}

t_postgres_and_postgresql_urls() {
	one
	mig 0002 days "CREATE TABLE days (id int);"
	st_raw -d "postgres://postgres@127.0.0.1:$STRATA_TEST_PG_PORT/$TEST_DBNAME?sslmode=disable" -m migrations up 1
	expect_rc 0
	expect_history "1"
	st_raw -d "postgresql://postgres@127.0.0.1:$STRATA_TEST_PG_PORT/$TEST_DBNAME?sslmode=disable&application_name=deployer" -m migrations up
	expect_rc 0
	expect_history "1 2"
	st_raw -d "POSTGRESQL://postgres@127.0.0.1:$STRATA_TEST_PG_PORT/$TEST_DBNAME" -m migrations status
	expect_rc 0
	expect_out "2 applied, 0 pending"
}

t_socket_directory_in_host_parameter() {
	[ -n "${STRATA_TEST_PG_SOCKDIR:-}" ] || skip "STRATA_TEST_PG_SOCKDIR not set"
	one
	st_raw -d "postgresql:///$TEST_DBNAME?host=$STRATA_TEST_PG_SOCKDIR&port=$STRATA_TEST_PG_PORT&user=postgres" -m migrations up
	expect_rc 0
	expect_history "1"
	# percent-encoded socket directory as the URL's host
	local enc
	enc=$(printf '%s' "$STRATA_TEST_PG_SOCKDIR" | sed 's|/|%2F|g')
	st_raw -d "postgres://postgres@$enc:$STRATA_TEST_PG_PORT/$TEST_DBNAME" -m migrations status
	expect_rc 0
	expect_out "1 applied, 0 pending"
	st_raw -d "postgresql:///$TEST_DBNAME?host=/nonexistent/sockets&port=$STRATA_TEST_PG_PORT&user=postgres" -m migrations status
	expect_rc 5
	expect_err "socket directory /nonexistent/sockets, port $STRATA_TEST_PG_PORT, database $TEST_DBNAME, user postgres"
}

t_pg_environment_variables() {
	mig 0001 who "CREATE TABLE who AS SELECT current_database() AS db, current_user AS u,
	current_setting('application_name') AS app;"
	# everything from the environment: the URL names nothing
	PGHOST=127.0.0.1 PGPORT=$STRATA_TEST_PG_PORT PGUSER=postgres PGDATABASE=$TEST_DBNAME \
		PGAPPNAME=from-env PGSSLMODE=disable st_raw -d "postgres://" -m migrations up
	expect_rc 0
	expect_eq "$TEST_DBNAME|postgres|from-env" "$(db_sql "SELECT db, u, app FROM who")"
	# the URL wins over the environment
	PGPORT=1 PGDATABASE=nonexistent st_raw -d "$TEST_URL" -m migrations status
	expect_rc 0
	expect_out "1 applied"
	# and the environment's connect timeout is honoured (no default 10 s)
	PGCONNECT_TIMEOUT=1 PGHOST=10.255.255.1 PGPORT=5432 st_raw -d "postgres:///x" -m migrations status
	expect_rc 5
	expect_err "host 10.255.255.1, port 5432, database x"
}

# A role that must log in with a password (scram), for this test only.
pw_role() {
	local data=${STRATA_TEST_PG_DATA:-}
	if [ -z "$data" ] || [ ! -w "$data/pg_hba.conf" ]; then
		skip "cannot edit pg_hba.conf (STRATA_TEST_PG_DATA) to require a password"
	fi
	ROLE="strata_pw_$TEST_ID"
	HBA_LINE="host all $ROLE 127.0.0.1/32 scram-sha-256"
	HBA="$data/pg_hba.conf"
	psql -X -q "$PG_SUPERUSER" -c "CREATE ROLE $ROLE LOGIN PASSWORD '$1'" \
		-c "GRANT ALL ON DATABASE $TEST_DBNAME TO $ROLE" \
		-c "ALTER DATABASE $TEST_DBNAME OWNER TO $ROLE" >/dev/null || fail "cannot create role"
	trap 'pw_role_cleanup; db_teardown' EXIT
	{ echo "$HBA_LINE"; cat "$HBA"; } >"$HBA.strata-test" && cat "$HBA.strata-test" >"$HBA"
	rm -f "$HBA.strata-test"
	psql -X -q -At "$PG_SUPERUSER" -c "SELECT pg_reload_conf()" >/dev/null
	# the reload is asynchronous: wait until a password is required
	local _
	for _ in $(seq 50); do
		PGPASSWORD=wrong psql -X -q "host=127.0.0.1 port=$STRATA_TEST_PG_PORT user=$ROLE dbname=$TEST_DBNAME" \
			-c "SELECT 1" >/dev/null 2>&1 || return 0
		sleep 0.05
	done
	fail "pg_hba.conf reload did not take effect"
}

pw_role_cleanup() {
	grep -v -x -F "$HBA_LINE" "$HBA" >"$HBA.strata-test" && cat "$HBA.strata-test" >"$HBA"
	rm -f "$HBA.strata-test"
	psql -X -q "$PG_SUPERUSER" -c "SELECT pg_reload_conf()" >/dev/null 2>&1
	psql -X -q "$PG_SUPERUSER" -c "DROP DATABASE IF EXISTS $TEST_DBNAME WITH (FORCE)" \
		-c "DROP ROLE IF EXISTS $ROLE" >/dev/null 2>&1
}

# no_secret TEXT...: neither stdout nor stderr holds any of them
no_secret() {
	local s
	for s in "$@"; do
		refute_out "$s"
		refute_err "$s"
	done
}

t_password_never_printed() {
	# raw p@ss:w%rd-Zq7x, percent-encoded in URLs
	local pw='p@ss:w%rd-Zq7x' enc='p%40ss%3Aw%25rd-Zq7x'
	pw_role "$pw"
	one
	local base="127.0.0.1:$STRATA_TEST_PG_PORT/$TEST_DBNAME"
	# the right password works, and is not printed either
	st_raw -v -d "postgres://$ROLE:$enc@$base?sslmode=disable" -m migrations up
	expect_rc 0
	expect_history "1"
	expect_err "postgres://$ROLE:***@"
	no_secret "$enc" "$pw" "w%rd"
	# malformed URLs: libpq's own message would quote them whole
	for url in "postgres://$ROLE:$enc@$base?sslmode=disable&bogus=1" \
		"postgres://$ROLE:$enc%zz@$base" \
		"postgres://$ROLE:$enc@[::1/$TEST_DBNAME" \
		"postgres://$ROLE:$enc@$base?sslmode"; do
		st_raw -d "$url" -m migrations status
		expect_rc 5
		expect_err "malformed PostgreSQL URL"
		no_secret "$enc" "$pw" "Zq7x"
	done
	st_raw -d "postgres://$ROLE:$enc@$base?sslmode=disable&bogus=1" -m migrations status
	expect_err 'invalid URI query parameter: "bogus"'
	# a wrong password, in the URL and in PGPASSWORD
	st_raw -d "postgres://$ROLE:Wr0ng-S3cret@$base?sslmode=disable" -m migrations status
	expect_rc 5
	expect_err "password authentication failed for user \"$ROLE\""
	expect_err "host 127.0.0.1, port $STRATA_TEST_PG_PORT, database $TEST_DBNAME, user $ROLE"
	no_secret "Wr0ng-S3cret"
	PGPASSWORD=Wr0ng-S3cret st_raw -d "postgres://$ROLE@$base?sslmode=disable" -m migrations up
	expect_rc 5
	no_secret "Wr0ng-S3cret"
	# a refused port
	st_raw -d "postgres://$ROLE:$enc@127.0.0.1:1/$TEST_DBNAME?sslmode=disable" -m migrations up
	expect_rc 5
	expect_err "host 127.0.0.1, port 1, database $TEST_DBNAME, user $ROLE"
	expect_err "Connection refused"
	no_secret "$enc" "$pw" "Zq7x"
	# the password in a query parameter
	st_raw -d "postgres://127.0.0.1:1/$TEST_DBNAME?user=$ROLE&password=Qp-S3cret" -m migrations up
	expect_rc 5
	no_secret "Qp-S3cret"
	# and nothing ran with a bad password
	expect_history "1"
}

# A password in the URL wins over PGPASSWORD, for strata's connection and
# for pg_dump's (strata hands the URL's password to it in PGPASSWORD);
# without one in the URL, PGPASSWORD is used, as libpq and psql use it.
t_url_password_beats_pgpassword() {
	pw_role 'R1ght-Pw'
	one
	local base="127.0.0.1:$STRATA_TEST_PG_PORT/$TEST_DBNAME?sslmode=disable"
	PGPASSWORD=Wr0ng-Pw st_raw -d "postgres://$ROLE:R1ght-Pw@$base" -m migrations up
	expect_rc 0
	expect_history "1"
	PGPASSWORD=Wr0ng-Pw st_raw -d "postgres://$ROLE:R1ght-Pw@$base" -m migrations backup
	expect_rc 0
	[ -s "$out" ] || fail "no backup written: $out"
	PGPASSWORD=R1ght-Pw st_raw -d "postgres://$ROLE@$base" -m migrations status
	expect_rc 0
	expect_out "1 applied, 0 pending"
	PGPASSWORD=R1ght-Pw st_raw -d "postgres://$ROLE@$base" -m migrations backup
	expect_rc 0
	PGPASSWORD=Wr0ng-Pw st_raw -d "postgres://$ROLE@$base" -m migrations status
	expect_rc 5
	expect_err "password authentication failed for user \"$ROLE\""
}

t_connection_failure_says_what_was_tried() {
	one
	st_raw -d "postgres://postgres@127.0.0.1:1/$TEST_DBNAME?connect_timeout=2" -m migrations up
	expect_rc 5
	expect_err "cannot connect to PostgreSQL (host 127.0.0.1, port 1, database $TEST_DBNAME, user postgres)"
	st_raw -d "postgres://postgres@127.0.0.1:$STRATA_TEST_PG_PORT/no_such_db_$TEST_ID" -m migrations up
	expect_rc 5
	expect_err "database \"no_such_db_$TEST_ID\" does not exist"
	expect_err "strata does not create PostgreSQL databases"
	st_raw -d "postgres://postgres@127.0.0.1:$STRATA_TEST_PG_PORT/no_such_db_$TEST_ID" -m migrations status
	expect_rc 5
	expect_eq "" "$(psql -X -At "$PG_SUPERUSER" -c "SELECT 1 FROM pg_database WHERE datname = 'no_such_db_$TEST_ID'")" "database created"
}

# A hot standby (tests/lib/standby.sh): migrations are refused there.
t_hot_standby_refused() {
	one
	st up
	expect_rc 0
	standby_start strata_sb
	mig 0002 days "CREATE TABLE days (id int);"
	st_raw -d "$SB_URL" -m migrations up
	expect_rc 3
	expect_err "is a hot standby, in recovery and read-only: migrations must run on the primary"
	expect_err "socket"
	# the primary is untouched and still works
	expect_history "1"
	st up
	expect_rc 0
	expect_history "1 2"
}
