# shellcheck shell=bash
# The database as a whole, seen from its server: strata wait, create and
# drop, on every database.

t_wait_answers_at_once_on_a_live_server() {
	st wait
	expect_rc 0
	expect_err "answers"
	st wait --timeout 1
	expect_rc 0
}

t_wait_timeout_is_checked() {
	st wait --timeout soon
	expect_rc 2
	expect_err "--timeout 'soon': expected seconds"
	st wait now
	expect_rc 2
	expect_err "wait takes no arguments"
}

t_wait_needs_the_server_not_the_database() {
	st_raw wait --database "$(db_absent_url)" --timeout 0
	expect_rc 0
	expect_err "answers"
}

t_drop_asks_and_refuses_without_a_terminal() {
	mig 0001 a "CREATE TABLE a (id INTEGER PRIMARY KEY);"
	st up
	expect_rc 0
	st drop </dev/null
	expect_rc 2
	expect_err "drop deletes the database"
	expect_err "it asks you to type 'DELETE ALL DATA' on a terminal; without one, pass --yes-delete-all-data"
	db_exists || fail "the database was dropped without confirmation"
	expect_tables "a"
}

t_drop_then_create_then_migrate() {
	mig 0001 a "CREATE TABLE a (id INTEGER PRIMARY KEY);"
	st up
	st drop --yes-delete-all-data </dev/null
	expect_rc 0
	expect_err "dropped"
	db_exists && fail "the database is still there"
	st create
	expect_rc 0
	expect_err "created"
	db_exists || fail "the database was not created"
	expect_tables ""
	st up
	expect_rc 0
	expect_history "1"
}

t_create_on_an_existing_database_is_an_error() {
	# a server's exists from the start, SQLite's file once made
	db_exists || st create
	db_exists || fail "no database to create again"
	st create
	expect_rc 3
	expect_err "exists already"
}

t_drop_of_an_absent_database_is_not_an_error() {
	st_raw drop --database "$(db_absent_url)" --yes-delete-all-data
	expect_rc 0
	expect_err "does not exist"
	expect_err "nothing dropped"
}
