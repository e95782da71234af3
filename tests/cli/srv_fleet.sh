# shellcheck shell=bash
# shellcheck disable=SC2154 # st sets rc, out, err
# A fleet listed in a file (fleet = file:PATH) on a server: members
# migrated two at a time, one that cannot be reached fails alone with
# its exit code, and plan and drift run on every member. With
# fleet_reuse = on, MySQL databases of one server share a connection,
# reset between two members; PostgreSQL databases cannot and connect each.

two() {
	mig 0001 users "CREATE TABLE users (id int PRIMARY KEY);" "DROP TABLE users;"
	mig 0002 days "CREATE TABLE days (id int PRIMARY KEY);" "DROP TABLE days;"
}

# list_conf URL...: strata.conf and members.txt naming each URL as m1, m2 ...
list_conf() {
	local i=0 u
	: >members.txt
	for u in "$@"; do
		i=$((i + 1))
		echo "m$i $u" >>members.txt
	done
	printf '[target "shops"]\ntype = %s\ndir = migrations\nfleet = file:members.txt\n' "$STRATA_TEST_DB" >strata.conf
}

# summary_has NAME RESULT: the summary's row of member NAME says RESULT
summary_has() {
	printf '%s\n' "$out" | grep -Eq "^$1 +$2 " || fail "no summary row '$1 $2' in: $out"
}

t_a_listed_fleet_on_a_server() {
	local second
	second=$(db_second) || fail "no second database"
	two
	list_conf "$TEST_URL" "$second"
	st_raw up --jobs 2
	expect_rc 0
	summary_has m1 ok
	summary_has m2 ok
	expect_eq "1 2" "$(db_sql "SELECT version FROM $TEST_TABLE ORDER BY version" | tr '\n' ' ' | sed 's/ $//')" "history of m1"
	expect_eq "1 2" "$(db_sql_on second "SELECT version FROM $TEST_TABLE ORDER BY version" | tr '\n' ' ' | sed 's/ $//')" "history of m2"
	# plan and drift on every member
	mig 0003 more "CREATE TABLE more_things (id int);"
	st_raw plan
	expect_rc 0
	expect_out "== shops/m2 =="
	expect_out "more_things"
	st_raw drift
	expect_rc 0
	expect_err "2 members: 2 ok, 0 failed, 0 not run"
}

t_an_unreachable_member_fails_alone() {
	local gone
	two
	# port 1: nothing listens there
	case $STRATA_TEST_DB in
	postgres) gone="postgres://postgres@127.0.0.1:1/x?sslmode=disable&connect_timeout=5" ;;
	*) gone="mysql://root@127.0.0.1:1/x" ;;
	esac
	list_conf "$gone" "$TEST_URL"
	st_raw up
	expect_rc 5
	summary_has m1 failed
	summary_has m2 ok
	expect_err "2 members: 1 ok, 1 failed, 0 not run"
	expect_history "1 2"
}

# the server's id for the session, in SQL of this database
session_id_sql() {
	case $STRATA_TEST_DB in
	postgres) echo "pg_backend_pid()" ;;
	*) echo "CONNECTION_ID()" ;;
	esac
}

t_fleet_reuse_on_shares_a_connection_where_it_can() {
	local second main
	second=$(db_second) || fail "no second database"
	main=${TEST_URL##*/}
	main=${main%%\?*}
	db_sql "CREATE TABLE runs_log (db varchar(64), sid int)" >/dev/null
	if [ "$STRATA_TEST_DB" = postgres ]; then
		# one table per database: PostgreSQL reaches no other database
		db_sql_on second "CREATE TABLE runs_log (db varchar(64), sid int)" >/dev/null
		mig 0001 users "CREATE TABLE users (id int PRIMARY KEY);
INSERT INTO runs_log VALUES (current_database(), pg_backend_pid());"
	else
		mig 0001 users "CREATE TABLE users (id int PRIMARY KEY);
INSERT INTO $main.runs_log VALUES (DATABASE(), $(session_id_sql));"
	fi
	list_conf "$TEST_URL" "$second"
	echo "fleet_reuse = on" >>strata.conf
	st_raw up
	expect_rc 0
	summary_has m1 ok
	summary_has m2 ok
	expect_eq "1" "$(db_sql_on second "SELECT count(*) FROM $TEST_TABLE")" "history of m2"
	if [ "$STRATA_TEST_DB" = postgres ]; then
		# a connection each: both ran, neither on the other's session
		expect_eq "1 1" "$(db_sql "SELECT count(*) FROM runs_log") $(db_sql_on second "SELECT count(*) FROM runs_log")" "runs"
		[ "$(db_sql "SELECT sid FROM runs_log")" != "$(db_sql_on second "SELECT sid FROM runs_log")" ] ||
			fail "two databases of PostgreSQL on one session"
	else
		# one server, one login: one connection for both databases
		expect_eq "2 1" "$(db_sql "SELECT count(*), count(DISTINCT sid) FROM runs_log" | tr '|' ' ')" "runs and sessions"
	fi
}

# MySQL's session reset (PostgreSQL's is in pg_fleet.sh): defined on mysql only (not a skip on the others)
if [ "$STRATA_TEST_DB" = mysql ]; then
t_mysql_reuse_leaves_nothing_to_the_next_member() {
	local second main
	second=$(db_second) || fail "no second database"
	main=$TEST_DBNAME
	db_sql "CREATE TABLE probe (db varchar(64), leak_var int, lock_held int, precision_set int, sid int)" >/dev/null
	# m1 leaves a user variable, a GET_LOCK lock and a session setting
	# behind it; m2 records what its session looks like
	mig 0001 probe "INSERT INTO $main.probe SELECT DATABASE(), @leak IS NOT NULL, COALESCE(IS_USED_LOCK('strata_test_leak') = CONNECTION_ID(), 0), @@session.div_precision_increment = 9, CONNECTION_ID();
SET @leak = IF(DATABASE() = '$main', 1, NULL);
SELECT IF(DATABASE() = '$main', GET_LOCK('strata_test_leak', 0), 0);
SET SESSION div_precision_increment = IF(DATABASE() = '$main', 9, @@session.div_precision_increment);"
	list_conf "$TEST_URL" "$second"
	echo "fleet_reuse = on" >>strata.conf
	st_raw up
	expect_rc 0
	expect_eq "${main}|0|0|0 ${main}b|0|0|0" "$(db_sql "SELECT CONCAT_WS('|', db, leak_var, lock_held, precision_set) FROM probe ORDER BY db" | tr '\n' ' ' | sed 's/ $//')" "what each member saw"
	expect_eq 1 "$(db_sql "SELECT count(DISTINCT sid) FROM probe")" "sessions"
}
fi
