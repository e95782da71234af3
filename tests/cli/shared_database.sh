# shellcheck shell=bash
# The database as a whole, seen from its server: strata wait, create and
# drop, on every database.

# A URL of this database's kind whose server is not there: a closed
# loopback port (port 1 is never served here), with a password that must
# never be printed.
closed_url() {
	case $STRATA_TEST_DB in
	postgres) echo "postgres://strata:Hunter2secret@127.0.0.1:1/nowhere?sslmode=disable" ;;
	mysql) echo "mysql://strata:Hunter2secret@127.0.0.1:1/nowhere" ;;
	*) return 1 ;;
	esac
}

t_wait_answers_at_once_on_a_live_server() {
	st wait
	expect_rc 0
	expect_err "answers"
	st wait --timeout 1
	expect_rc 0
}

t_wait_times_out_naming_the_url_without_its_password() {
	local url
	url=$(closed_url) || skip "SQLite has no server to wait for"
	st_raw wait --database "$url" --timeout 1
	expect_rc 5
	expect_err "did not answer within 1 second"
	expect_err "strata:***@127.0.0.1:1/nowhere"
	refute_err "Hunter2secret"
}

t_wait_timeout_is_checked() {
	st wait --timeout soon
	expect_rc 2
	expect_err "--timeout 'soon': expected seconds"
	st wait now
	expect_rc 2
	expect_err "wait takes no arguments"
}

# A URL of this database's kind naming a database that does not exist.
absent_url() {
	case $STRATA_TEST_DB in
	sqlite) echo "sqlite:$PWD/absent.db" ;;
	*) echo "${TEST_URL/$TEST_DBNAME/${TEST_DBNAME}_absent}" ;;
	esac
}

t_wait_needs_the_server_not_the_database() {
	st_raw wait --database "$(absent_url)" --timeout 0
	expect_rc 0
	expect_err "answers"
}
