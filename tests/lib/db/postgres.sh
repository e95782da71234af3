# shellcheck shell=bash
# shellcheck disable=SC2034 # DB_* are read by test-lib.sh and run.sh
# Test glue for PostgreSQL (see tests/lib/db/sqlite.sh for the contract).

DB_SERVER=pg
DB_SUITE_PREFIX=pg

db_setup() {
	: "${STRATA_TEST_PG_PORT:?no PostgreSQL server (STRATA_TEST_PG_PORT)}"
	TEST_DBNAME="t_${TEST_ID}"
	PG_ADMIN="host=127.0.0.1 port=$STRATA_TEST_PG_PORT user=postgres dbname=postgres"
	psql -X -q "$PG_ADMIN" -c "CREATE DATABASE $TEST_DBNAME" >/dev/null || return 1
	TEST_URL="postgres://postgres@127.0.0.1:$STRATA_TEST_PG_PORT/$TEST_DBNAME?sslmode=disable"
	export TEST_URL
}

db_teardown() {
	psql -X -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS $TEST_DBNAME WITH (FORCE)" >/dev/null 2>&1
	psql -X -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS ${TEST_DBNAME}b WITH (FORCE)" >/dev/null 2>&1
	return 0
}

db_sql_on() {
	local db=$TEST_DBNAME
	[ "$1" = second ] && db=${TEST_DBNAME}b
	psql -X -q -At -v ON_ERROR_STOP=1 \
		"host=127.0.0.1 port=$STRATA_TEST_PG_PORT user=postgres dbname=$db" -c "$2"
}

db_table_list() {
	db_sql "SELECT table_schema || '.' || table_name FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog','information_schema') AND table_name <> '$TEST_TABLE' ORDER BY 1" | sed 's/^public\.//'
}

db_second() {
	psql -X -q "$PG_ADMIN" -c "CREATE DATABASE ${TEST_DBNAME}b" >/dev/null || return 1
	echo "postgres://postgres@127.0.0.1:$STRATA_TEST_PG_PORT/${TEST_DBNAME}b?sslmode=disable"
}

db_run_script() {
	local db=$TEST_DBNAME
	[ "${2:-}" = second ] && db=${TEST_DBNAME}b
	psql -X -q -v ON_ERROR_STOP=1 \
		"host=127.0.0.1 port=$STRATA_TEST_PG_PORT user=postgres dbname=$db" -f "$1" >/dev/null
}

db_literal() {
	printf "'%s'" "$1"
}

DB_SCHEMA_SQL="SELECT table_name || '.' || column_name || ':' || data_type FROM information_schema.columns WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1"
