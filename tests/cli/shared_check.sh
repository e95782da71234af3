# shellcheck shell=bash
# strata check and status --exit-code: 0 when every migration is applied
# as its file says, 6 when one is pending, dirty, modified or missing.

two() {
	mig 0001 a "CREATE TABLE a (id INTEGER PRIMARY KEY);" "DROP TABLE a;"
	mig 0002 b "CREATE TABLE b (id INTEGER PRIMARY KEY);" "DROP TABLE b;"
}

# check and status --exit-code, text and JSON, all exit WANT
expect_check() {
	local want=$1 clean=true
	[ "$want" = 0 ] || clean=false
	st check
	expect_rc "$want"
	st status --exit-code
	expect_rc "$want"
	st check --json
	expect_rc "$want"
	expect_out "\"clean\": $clean"
	# without --exit-code, status still exits 0
	st status
	expect_rc 0
}

t_check_clean_is_0() {
	two
	st up
	expect_check 0
	expect_out "2 applied, 0 pending"
}

t_check_pending_is_6() {
	two
	st up 1
	expect_check 6
	st check
	expect_out "1 applied, 1 pending"
	st check --json
	expect_out '"pending": 1'
}

t_check_dirty_is_6() {
	two
	st up
	db_sql "UPDATE $TEST_TABLE SET dirty = 1 WHERE version = '2'"
	expect_check 6
	st check
	expect_out "1 dirty"
}

t_check_modified_is_6() {
	two
	st up
	echo "-- edited after it was applied" >>migrations/0002_b.up.sql
	expect_check 6
	st check
	expect_out "1 modified"
}

t_check_missing_is_6() {
	two
	st up
	rm migrations/0002_b.up.sql migrations/0002_b.down.sql
	expect_check 6
	st check
	expect_out "1 missing"
}

t_check_errors_keep_their_codes() {
	two
	st check extra
	expect_rc 2
	expect_err "takes no arguments"
}
