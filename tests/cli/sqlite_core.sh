# shellcheck shell=bash
# SQLite-specific behaviour: defaults, settings precedence, concurrency.

. "$(dirname "${BASH_SOURCE[0]}")/../lib/exact-lib.sh"

t_default_database_is_strata_db() {
	mig 0001 a "CREATE TABLE a (id INTEGER PRIMARY KEY);" "DROP TABLE a;"
	st_raw up
	expect_rc 0
	expect_err "using the default database sqlite:strata.db"
	[ -f strata.db ] || fail "strata.db was not created"
	expect_eq "a" "$(sqlite3 strata.db "SELECT name FROM sqlite_master WHERE name = 'a'")"
}

t_status_does_not_create_the_database() {
	mig 0001 a "CREATE TABLE a (id INTEGER PRIMARY KEY);" "DROP TABLE a;"
	st status
	expect_rc 0
	expect_out "pending"
	[ ! -e test.db ] || fail "status created the database file"
}

t_settings_precedence() {
	mig 0001 a "CREATE TABLE a (id INTEGER PRIMARY KEY);" "DROP TABLE a;"
	printf '[strata]\ndatabase = sqlite:from_conf.db\n' >strata.conf
	st_raw up
	expect_rc 0
	[ -f from_conf.db ] || fail "strata.conf was not used"
	printf 'DATABASE_URL="sqlite:from_env_file.db"\n' >.env
	st_raw up
	[ -f from_env_file.db ] || fail ".env did not win over strata.conf"
	DATABASE_URL=sqlite:from_env.db st_raw up
	[ -f from_env.db ] || fail "DATABASE_URL did not win over .env"
	DATABASE_URL=sqlite:from_env.db st_raw --database sqlite:from_flag.db up
	[ -f from_flag.db ] || fail "--database did not win"
}

t_config_errors_name_file_and_line() {
	printf '[strata]\ndatabase = sqlite:x.db\nbogus = 1\n' >strata.conf
	st_raw status
	expect_rc 2
	expect_err "strata.conf:3:"
	expect_err "unknown setting 'bogus'"
	printf '[strata]\ndatabase = ${NOT_SET_ANYWHERE}\n' >strata.conf
	st_raw status
	expect_rc 2
	expect_err "NOT_SET_ANYWHERE"
	printf '[strata]\ndatabase = sqlite:${DBFILE}\n' >strata.conf
	mig 0001 a "CREATE TABLE a (id INTEGER PRIMARY KEY);"
	DBFILE=expanded.db st_raw up
	expect_rc 0
	[ -f expanded.db ] || fail '${DBFILE} was not expanded'
}

t_eight_concurrent_up_processes() {
	for i in $(seq 1 20); do
		mig "$(printf %04d "$i")" "t$i" "CREATE TABLE t$i (id INTEGER PRIMARY KEY);
INSERT INTO t$i (id) VALUES ($i);" "DROP TABLE t$i;"
	done
	race_n 8 -q up
	for i in 1 2 3 4 5 6 7 8; do
		[ "$(cat "rc.$i")" = 0 ] || fail "runner $i exited $(cat "rc.$i"): $(cat "out.$i")"
		grep -q "database is locked" "out.$i" && fail "runner $i: database is locked"
	done
	expect_eq 20 "$(db_sql "SELECT count(*) FROM schema_migrations")" "history rows"
	expect_eq 20 "$(db_sql "SELECT count(DISTINCT version) FROM schema_migrations")" "distinct versions"
	expect_eq 1 "$(db_sql "SELECT count(*) FROM t7")" "rows in t7"
}

t_lock_timeout_exit_4() {
	mig 0001 a "CREATE TABLE a (id INTEGER PRIMARY KEY);"
	st up
	mig 0002 b "CREATE TABLE b (id INTEGER PRIMARY KEY);"
	# hold SQLite's write lock from another connection until released
	hold_start write "BEGIN IMMEDIATE; SELECT 1;" "COMMIT;"
	st --lock-timeout 1 up
	expect_rc 4
	expect_err "is locked by process "
	expect_err " (sqlite3) (waited 1 s"
	hold_end write
	expect_history "1"
	st up
	expect_rc 0
	expect_history "1 2"
}

# SIGTERM while a migration runs (paused, test build, before its commit):
# its transaction is rolled back, nothing of it stays, and the run stops.
t_sigterm_during_a_migration_rolls_it_back() {
	for i in 1 2 3 4 5 6; do
		mig "000$i" "m$i" "CREATE TABLE m$i (id INTEGER PRIMARY KEY);" "DROP TABLE m$i;"
	done
	tp_start before_commit o up
	# shellcheck disable=SC2154 # set by tp_start (exact-lib.sh)
	tp_signal "$pid" TERM
	tp_release
	wait $pid
	r=$?
	expect_eq 130 "$r" "exit code"
	grep -q "interrupted: applying 0001_m1 was stopped, its transaction rolled back; 0 of 6 done, the database is consistent" o ||
		fail "no 'interrupted' message: $(cat o)"
	expect_history ""
	expect_tables ""
	st up
	expect_rc 0
	expect_history "1 2 3 4 5 6"
}

t_in_memory_database() {
	mig 0001 a "CREATE TABLE a (id INTEGER PRIMARY KEY);"
	st_raw -d sqlite::memory: -m migrations up
	expect_rc 0
	expect_out "applied     0001_a"
}

t_config_line_too_long_is_named() {
	printf '[strata]\ndatabase = sqlite:%s.db\n' "$(head -c 300 /dev/zero | tr '\0' a)" >strata.conf
	st_raw status
	expect_rc 2
	expect_err "strata.conf:2:"
	expect_err "longer than"
	long=$(head -c 220 /dev/zero | tr '\0' b)
	printf '[strata]\ndatabase = sqlite:${LONG_DB}.db\n' >strata.conf
	mig 0001 a "CREATE TABLE a (id INTEGER PRIMARY KEY);"
	LONG_DB=$long st_raw up
	expect_rc 0
	[ -f "$long.db" ] || fail "the long value from the environment was not used"
}

# SQLite has no lock timeout for a migration's statements (strata holds
# the write lock for the whole migration): the directive and the
# project's ddl_lock_timeout are refused before anything runs.
t_lock_timeout_is_refused() {
	mig 0001 a "CREATE TABLE a (id INTEGER PRIMARY KEY);"
	mig 0002 b "-- a comment
-- strata:lock-timeout 2s retries=3
CREATE TABLE b (id INTEGER PRIMARY KEY);"
	st up
	expect_rc 2
	expect_err "0002_b.up.sql:2"
	expect_err "strata:lock-timeout: sqlite has no lock timeout"
	expect_tables ""
	st validate
	expect_rc 2
	expect_err "0002_b.up.sql:2"
	mig 0002 b "CREATE TABLE b (id INTEGER PRIMARY KEY);"
	printf '[strata]\ndatabase = %s\ndir = migrations\nddl_lock_timeout = 2s\n' \
		"$TEST_URL" >strata.conf
	st_raw up
	expect_rc 2
	expect_err "ddl_lock_timeout (strata.conf) is set, and sqlite has no lock timeout"
	expect_tables ""
}
