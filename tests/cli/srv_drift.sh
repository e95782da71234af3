# shellcheck shell=bash
# shellcheck disable=SC2154 # st and tp_start set rc, out, err and pid
# strata drift on PostgreSQL and MariaDB (run.sh runs srv_*.sh on both):
# the temporary database it creates for the folder's migrations is
# dropped on every way out, also when the run is interrupted while a
# migration runs in it.

# shellcheck source=tests/lib/exact-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/exact-lib.sh"

# The temporary databases strata drift made and left.
drift_temp_dbs() {
	case $STRATA_TEST_DB in
	postgres) db_sql "SELECT datname FROM pg_database WHERE datname LIKE 'strata\\_drift\\_%'" ;;
	*) db_sql "SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE 'strata\\_drift\\_%'" ;;
	esac
}

t_interrupted_drift_drops_its_temporary_database() {
	mig 1 users "CREATE TABLE users (id INT PRIMARY KEY);"
	mig 2 notes "CREATE TABLE notes (id INT PRIMARY KEY);"
	st up
	expect_rc 0
	# held before the first migration's statement in the scratch
	# database, which exists then
	tp_start before_statement o drift
	[ -n "$(drift_temp_dbs)" ] || fail "no temporary database while drift runs"
	tp_signal "$pid" INT
	tp_release "$tp_fifo"
	wait "$pid"
	rc=$?
	# shellcheck disable=SC2034 # read by expect_err
	err=$(cat o)
	expect_rc 130
	expect_err "drift stopped, the database itself untouched"
	expect_eq "" "$(drift_temp_dbs)" "temporary databases left after an interrupt"
	# and the next run finds no drift
	st drift
	expect_rc 0
	expect_eq "" "$(drift_temp_dbs)" "temporary databases left"
}

# A user who may not create databases is told to name a shadow one.
t_no_right_to_create_a_database_names_the_shadow_setting() {
	mig 1 users "CREATE TABLE users (id INT PRIMARY KEY);"
	st up
	expect_rc 0
	case $STRATA_TEST_DB in
	postgres)
		db_sql "DROP ROLE IF EXISTS drift_${TEST_ID}; CREATE ROLE drift_${TEST_ID} LOGIN; GRANT ALL ON SCHEMA public TO drift_${TEST_ID}; GRANT SELECT ON ALL TABLES IN SCHEMA public TO drift_${TEST_ID}"
		url="postgres://drift_${TEST_ID}@127.0.0.1:$STRATA_TEST_PG_PORT/$TEST_DBNAME?sslmode=disable"
		;;
	*)
		db_sql "DROP USER IF EXISTS 'drift_${TEST_ID}'@'%'; CREATE USER 'drift_${TEST_ID}'@'%'; GRANT SELECT ON $TEST_DBNAME.* TO 'drift_${TEST_ID}'@'%'"
		url="mysql://drift_${TEST_ID}@127.0.0.1:$STRATA_TEST_MYSQL_PORT/$TEST_DBNAME"
		;;
	esac
	st_raw -d "$url" -m migrations drift
	case $STRATA_TEST_DB in
	postgres) db_sql "DROP OWNED BY drift_${TEST_ID}; DROP ROLE drift_${TEST_ID}" ;;
	*) db_sql "DROP USER 'drift_${TEST_ID}'@'%'" ;;
	esac
	case $rc in 0 | 3) fail "drift without the right to create a database: rc $rc" ;; esac
	expect_err "set shadow in strata.conf"
	expect_eq "" "$(drift_temp_dbs)" "temporary databases left"
}

# A PostgreSQL URL that names only the database (postgres:///db, or
# ?dbname=db with the host from the environment): the temporary database
# is named in its place, never the live one.
# a PostgreSQL URL: defined on postgres only (not a skip on the others)
if [ "$STRATA_TEST_DB" = postgres ]; then
t_postgres_url_with_only_the_database() {
	mig 1 users "CREATE TABLE users (id INT PRIMARY KEY);"
	st up
	expect_rc 0
	for url in "postgres:///$TEST_DBNAME" "postgres://?dbname=$TEST_DBNAME" \
		"postgresql://postgres@127.0.0.1:$STRATA_TEST_PG_PORT?dbname=$TEST_DBNAME&sslmode=disable"; do
		PGHOST=127.0.0.1 PGPORT=$STRATA_TEST_PG_PORT PGUSER=postgres PGSSLMODE=disable \
			st_raw -d "$url" -m migrations drift
		expect_rc 0
		expect_err "no drift"
		expect_eq "" "$(drift_temp_dbs)" "temporary databases left ($url)"
	done
	db_sql "ALTER TABLE users ADD COLUMN extra INT"
	PGHOST=127.0.0.1 PGPORT=$STRATA_TEST_PG_PORT PGUSER=postgres PGSSLMODE=disable \
		st_raw -d "postgres://?dbname=$TEST_DBNAME" -m migrations drift
	expect_rc 3
	expect_out "added column users.extra"
}
fi
