# shellcheck shell=bash
# shellcheck disable=SC2034 # DB_* are read by test-lib.sh and run.sh
# Test glue for MySQL/MariaDB (see tests/lib/db/sqlite.sh for the contract).

DB_SERVER=mysql
DB_SUITE_PREFIX=mysql

my_client() {
	mariadb --no-defaults -h 127.0.0.1 -P "$STRATA_TEST_MYSQL_PORT" -u root "$@"
}

db_setup() {
	: "${STRATA_TEST_MYSQL_PORT:?no MariaDB server (STRATA_TEST_MYSQL_PORT)}"
	TEST_DBNAME="t_${TEST_ID}"
	my_client -e "CREATE DATABASE $TEST_DBNAME" || return 1
	TEST_URL="mysql://root@127.0.0.1:$STRATA_TEST_MYSQL_PORT/$TEST_DBNAME"
	export TEST_URL
}

db_teardown() {
	my_client -e "DROP DATABASE IF EXISTS $TEST_DBNAME; DROP DATABASE IF EXISTS ${TEST_DBNAME}b" >/dev/null 2>&1
	return 0
}

db_sql_on() {
	local db=$TEST_DBNAME
	[ "$1" = second ] && db=${TEST_DBNAME}b
	my_client -N -B "$db" -e "$2" | tr '\t' '|'
}

db_table_list() {
	db_sql "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name <> '$TEST_TABLE' ORDER BY 1"
}

db_second() {
	my_client -e "CREATE DATABASE ${TEST_DBNAME}b" || return 1
	echo "mysql://root@127.0.0.1:$STRATA_TEST_MYSQL_PORT/${TEST_DBNAME}b"
}

db_run_script() {
	local db=$TEST_DBNAME
	[ "${2:-}" = second ] && db=${TEST_DBNAME}b
	my_client "$db" <"$1"
}

# backslashes escape in MySQL's string literals
db_literal() {
	printf "'%s'" "$(printf '%s' "$1" | sed 's/\\/\\\\/g')"
}

DB_SCHEMA_SQL="SELECT CONCAT(table_name, '.', column_name, ':', column_type) FROM information_schema.columns WHERE table_schema = DATABASE() ORDER BY 1"
