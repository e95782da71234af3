# shellcheck shell=bash
# shellcheck disable=SC2154 # st sets rc, out, err; tp_start sets pid
# MariaDB: -- strata:lock-timeout sets lock_wait_timeout (whole seconds,
# metadata locks) for a migration's statements; error 1205 rolls back
# what ran (nothing, for a first statement) and tries again. Another
# session holds a metadata lock in an open transaction, fed from a FIFO.

# shellcheck source=tests/lib/exact-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/exact-lib.sh"

export STRATA_TEST_NO_BACKOFF=1

# holder_start SQL: a session of its own (exact-lib.sh hold_start) that
# runs SQL in an open transaction; returns once SQL has run.
holder_start() {
	hold_start holder "START TRANSACTION; ${1%;}" "COMMIT"
}

holder_end() {
	hold_end holder
}

dirty_rows() {
	db_sql "SELECT count(*) FROM $TEST_TABLE WHERE dirty <> 0"
}

t_lock_wait_timeout_gives_up_and_leaves_nothing() {
	mig 0001 users "CREATE TABLE users (id int);"
	st up
	expect_rc 0
	mig 0002 users_email "-- strata:lock-timeout 1s retries=1
ALTER TABLE users ADD COLUMN email text;"
	holder_start "SELECT count(*) FROM users;"
	st up
	holder_end
	expect_rc 1
	expect_err "0002_users_email.up.sql:2"
	expect_err "lock timeout (1s) after 2 attempts, giving up"
	expect_err "retry 1 of 1"
	expect_history "1"
	expect_eq 0 "$(dirty_rows)" "dirty rows"
	expect_eq 0 "$(db_sql "SELECT count(*) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'users' AND column_name = 'email'")" "email column"
}

t_retry_succeeds_once_the_lock_is_gone() {
	mig 0001 users "CREATE TABLE users (id int);"
	st up
	mig 0002 users_email "-- strata:lock-timeout 1s retries=2
ALTER TABLE users ADD COLUMN email text;
INSERT INTO users (id) SELECT @@SESSION.lock_wait_timeout;"
	mig 0003 after "CREATE TABLE after_wait (v bigint);
INSERT INTO after_wait SELECT @@SESSION.lock_wait_timeout;"
	holder_start "SELECT count(*) FROM users;"
	tp_start lock_retry o.up up
	grep -q "0002_users_email.up.sql:2: lock timeout (1s).*retry 1 of 2" o.up ||
		fail "no retry line: $(cat o.up)"
	holder_end
	tp_release "$tp_fifo"
	wait "$pid" || fail "the retry failed: $(cat o.up)"
	expect_history "1 2 3"
	expect_eq 0 "$(dirty_rows)" "dirty rows"
	expect_eq 1 "$(db_sql "SELECT id FROM users")" "lock_wait_timeout during the migration"
	# the session's own wait was back for the next migration
	expect_eq "$(db_sql "SELECT @@GLOBAL.lock_wait_timeout")" "$(db_sql "SELECT v FROM after_wait")" "lock_wait_timeout after the migration"
}
