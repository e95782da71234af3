# shellcheck shell=bash
# Usage errors that say what was meant: misspelt options (by edit
# distance over the options the command takes) and other tools' words for
# strata's commands. All exit 2.

t_misspelt_option_suggests_the_nearest() {
	st status --jsn
	expect_rc 2
	expect_err "unknown option '--jsn': did you mean '--json'?"
	st up --dryrun
	expect_rc 2
	expect_err "unknown option '--dryrun': did you mean '--dry-run'?"
	st --jsn status
	expect_rc 2
	expect_err "did you mean '--json'?"
}

t_option_far_from_any_has_no_suggestion() {
	st status --zzzzzz
	expect_rc 2
	expect_err "unknown option '--zzzzzz'"
	refute_err "did you mean"
}

t_misspelt_option_before_the_command_is_named() {
	st_raw --databse x status
	expect_rc 2
	expect_err "unknown option '--databse': did you mean '--database'?"
	refute_err "unknown command"
}

t_a_command_option_before_the_command_still_works() {
	mig 0001 a "CREATE TABLE a (id INTEGER PRIMARY KEY);"
	st --dry-run up
	expect_rc 0
	expect_out "CREATE TABLE a"
}

t_other_tools_command_words_map_to_strata() {
	local pair
	for pair in info:status rollback:down clean:fresh migrate:up; do
		st "${pair%%:*}"
		expect_rc 2
		expect_err "strata has no command '${pair%%:*}': did you mean '${pair#*:}'?"
	done
}

t_misspelt_command_still_suggests() {
	st statsu
	expect_rc 2
	expect_err "unknown command 'statsu'"
	expect_err "did you mean 'status'?"
}

# Only PostgreSQL's standbys can be waited for: refused before anything runs.
t_wait_replicas_refused_where_there_are_none() {
	mig 0001 users "CREATE TABLE users (id INTEGER PRIMARY KEY);"
	st up --wait-replicas
	expect_rc 2
	expect_err "--wait-replicas: strata waits for PostgreSQL's streaming standbys"
	expect_history ""
	st up --wait-replicas=x
	expect_rc 2
	expect_err "--wait-replicas 'x': expected seconds"
}
