# shellcheck shell=bash
# LOAD DATA LOCAL INFILE on MariaDB: off unless the URL says
# local_infile=1. With it on, a migration (or a server that asks for a
# file unbidden) could read any file strata may read into a table.

t_load_data_local_infile_is_refused() {
	printf 'root:$6$secret\n' >secret.txt
	mig 0001 t "CREATE TABLE t (x varchar(100));"
	mig 0002 load "LOAD DATA LOCAL INFILE '$PWD/secret.txt' INTO TABLE t;"
	st up
	expect_rc 1
	expect_err "migrations/0002_load.up.sql:1:1: error:"
	expect_err "local_infile=1"
	expect_history "1"
	expect_eq 0 "$(db_sql "SELECT count(*) FROM t")" "rows of t"
}

# The URL turns it on (the server must allow it too: MariaDB does by
# default).
t_local_infile_1_allows_it() {
	[ "$(db_sql "SELECT @@GLOBAL.local_infile")" = 1 ] ||
		skip "this server has local_infile off"
	printf 'a line\n' >data.txt
	mig 0001 t "CREATE TABLE t (x varchar(100));"
	mig 0002 load "LOAD DATA LOCAL INFILE '$PWD/data.txt' INTO TABLE t;"
	st_raw -d "$TEST_URL?local_infile=1" -m migrations up
	expect_rc 0
	expect_history "1 2"
	expect_eq "a line" "$(db_sql "SELECT x FROM t")" "rows of t"
}

t_local_infile_values() {
	local v
	mig 0001 t "CREATE TABLE t (x int);"
	for v in maybe 2 ""; do
		st_raw -d "$TEST_URL?local_infile=$v" -m migrations status
		expect_rc 2
		expect_err "mysql URL parameter local_infile='$v': use 1 or 0"
	done
	for v in 0 1 true false ON off; do
		st_raw -d "$TEST_URL?local_infile=$v" -m migrations status
		expect_rc 0
	done
}
