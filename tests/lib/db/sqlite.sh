# shellcheck shell=bash
# shellcheck disable=SC2034 # DB_* are read by test-lib.sh and run.sh
# Test glue for SQLite: how the CLI suites make, reach and drop a database
# of this kind. test-lib.sh sources tests/lib/db/$STRATA_TEST_DB.sh; every
# file here defines the same variables and functions (docs/DRIVERS.md).

# The server tests/lib/servers.sh starts for this database ("": none), and
# the prefix of the suites that run on it alone (tests/run.sh).
DB_SERVER=
DB_SUITE_PREFIX=sqlite

# A fresh database for one test: sets and exports TEST_URL.
db_setup() {
	TEST_URL="sqlite:$PWD/test.db"
	export TEST_URL
}

# Drop what db_setup and db_second made (runs on every way out).
db_teardown() {
	return 0
}

# db_sql_on WHICH SQL: run SQL with the database's own client, printing
# rows as "a|b" lines; WHICH: "" (the test's database) or "second".
db_sql_on() {
	local file=$PWD/test.db
	[ "$1" = second ] && file=$PWD/second.db
	sqlite3 -batch -separator '|' "$file" "$2"
}

# User tables, sorted, one per line, without the history table
# (db_tables joins them).
db_table_list() {
	[ -f "$PWD/test.db" ] || { echo ""; return; }
	db_sql "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' AND name <> '$TEST_TABLE' ORDER BY name"
}

# A second database of the same kind: prints its URL.
db_second() {
	echo "sqlite:$PWD/second.db"
}

# db_run_script FILE [second]: run FILE with the client, stopping at the
# first error.
db_run_script() {
	local file=$PWD/test.db
	[ "${2:-}" = second ] && file=$PWD/second.db
	sqlite3 -bail "$file" <"$1"
}

# db_literal TEXT: TEXT, which holds no "'", as a SQL string literal
# (its backslashes escaped where the database reads them as escapes).
db_literal() {
	printf "'%s'" "$1"
}

# A query for the schema of user tables as table.column:type lines.
DB_SCHEMA_SQL="SELECT m.name || '.' || p.name || ':' || p.type FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table' ORDER BY 1"
