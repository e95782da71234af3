# shellcheck shell=bash
# shellcheck disable=SC2154 # st sets rc, out, err
# A fleet listed in a file (fleet = file:PATH) on a server: members
# migrated two at a time, one that cannot be reached fails alone with
# its exit code, and plan and drift run on every member.

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
