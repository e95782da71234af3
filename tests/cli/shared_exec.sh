# shellcheck shell=bash
# Exec targets whose history lives in the test's database (the registry):
# a runner that cannot start leaves the history as it was, a failure's
# recovery hint can be pasted, validate checks each target's command,
# and an unset ${VAR} stops only the target that uses it.

# exec_layout [COMMAND]: target "graph" (sh by default) and its history in
# the test database; 001 applied by the tests that want it.
exec_layout() {
	mkdir -p migrations/graph
	cat >strata.conf <<CONF
[strata]
registry = \${TEST_URL}

[target "graph"]
type = exec
dir = migrations/graph
extension = .cql
command = ${1:-sh} {file}
CONF
	printf 'echo up 1 >>ran.log\n' >migrations/graph/001_nodes.up.cql
	printf 'echo down 1 >>ran.log\n' >migrations/graph/001_nodes.down.cql
}

# the registry's rows for graph: "version|dirty ..."
graph_rows() {
	db_sql "SELECT version, dirty FROM $TEST_TABLE WHERE target = 'graph' ORDER BY version_sort" |
		tr '\n' ' ' | sed 's/ $//'
}

t_runner_not_on_path_changes_nothing() {
	exec_layout
	st_raw up
	expect_rc 0
	expect_eq "1|0" "$(graph_rows)" "after up"
	printf 'echo up 2 >>ran.log\n' >migrations/graph/002_edges.up.cql
	sed -i 's/^command = .*/command = strata-no-such-runner --file {file}/' strata.conf
	st_raw up
	expect_rc 2
	expect_err "migrations/graph/002_edges.up.cql: error: the runner of migration 002 could not be started: 'strata-no-such-runner' is not found on PATH"
	expect_err "nothing ran: the store and the history in '$TEST_TABLE' are as they were"
	refute_err "dirty"
	expect_eq "1|0" "$(graph_rows)" "history after the failed up"
	# a dry run (and a plan) only prints the command: not refused
	st_raw up --dry-run
	expect_rc 0
	expect_out "strata-no-such-runner --file migrations/graph/002_edges.up.cql"
	st_raw plan
	expect_rc 0
	expect_out "strata-no-such-runner --file migrations/graph/002_edges.up.cql"
	# down: the row stays applied and clean
	st_raw down
	expect_rc 2
	expect_err "001_nodes.down.cql: error: the runner of migration 001 could not be started"
	expect_eq "1|0" "$(graph_rows)" "history after the failed down"
	# a path that is not a program
	sed -i 's|^command = .*|command = ./bin/runner {file}|' strata.conf
	st_raw up
	expect_rc 2
	expect_err "'./bin/runner' is not an executable file"
	expect_eq "up 1" "$(cat ran.log)" "what ran"
	# once the runner is there, everything goes on as usual
	sed -i 's/^command = .*/command = sh {file}/' strata.conf
	st_raw up
	expect_rc 0
	expect_eq "1|0 2|0" "$(graph_rows)" "history once the runner exists"
}

# Refused before the registry is touched: not even its history table is
# made.
t_runner_missing_on_first_up_writes_nothing() {
	exec_layout strata-no-such-runner
	st_raw up
	expect_rc 2
	expect_err "could not be started: 'strata-no-such-runner' is not found on PATH"
	expect_eq "" "$(db_sql "SELECT count(*) FROM $TEST_TABLE" 2>/dev/null)" "a history table"
	[ ! -e ran.log ] || fail "something ran"
}

# The shell's "command not found" (exit status 127) is a runner that did
# not start: the row the run marked dirty is put back as it was.
t_shell_command_not_found_is_not_dirty() {
	exec_layout
	st_raw up
	expect_rc 0
	printf 'strata-no-such-tool --apply\n' >migrations/graph/002_edges.up.cql
	st_raw up
	expect_rc 2
	expect_err "the runner of migration 002 could not be started: sh exited with status 127, a shell's 'command not found'"
	expect_eq "1|0" "$(graph_rows)" "history after exit 127 on up"
	printf 'strata-no-such-tool --revert\n' >migrations/graph/001_nodes.down.cql
	rm migrations/graph/002_edges.up.cql
	st_raw down
	expect_rc 2
	expect_err "the runner of migration 001 could not be started"
	expect_eq "1|0" "$(graph_rows)" "history after exit 127 on down"
	st_raw status
	expect_rc 0
	expect_out "1 applied, 0 pending"
}

# Any other failure leaves the row dirty, and the hint names the target:
# the command it gives can be pasted as it is.
t_failure_hint_names_the_target() {
	exec_layout
	st_raw up
	expect_rc 0
	printf 'echo half >>ran.log\nexit 3\n' >migrations/graph/002_edges.up.cql
	st_raw up
	expect_rc 1
	expect_err "sh exited with status 3"
	expect_err "migration 002 is marked dirty in '$TEST_TABLE'"
	expect_err "'strata --target graph force 002' if the migration took effect, or 'strata --target graph force 1' if nothing of it did"
	expect_eq "1|0 2|1" "$(graph_rows)" "dirty row"
	# paste the second command
	local cmd
	cmd=$(printf '%s\n' "$err" | grep -o "'strata --target graph force 1'" | tr -d "'")
	[ -n "$cmd" ] || fail "no command to paste"
	# shellcheck disable=SC2086 # the words of the pasted command
	st_raw ${cmd#strata }
	expect_rc 0
	expect_eq "1|0" "$(graph_rows)" "after the pasted force"
	# a failed rollback: the hint for a down
	printf 'exit 4\n' >migrations/graph/001_nodes.down.cql
	rm migrations/graph/002_edges.up.cql
	st_raw down
	expect_rc 1
	expect_err "'strata --target graph force none' if the rollback took effect, or 'strata --target graph force 001' if the migration is still in place"
}

t_validate_checks_each_targets_command() {
	exec_layout strata-no-such-runner
	printf '\n[target "scripts"]\ntype = exec\ndir = migrations/graph\ncommand = sh {file}\n' >>strata.conf
	st_raw validate
	expect_rc 2
	expect_err "strata.conf:8: error: target 'graph': the command's program 'strata-no-such-runner' is not found on PATH"
	refute_err "target 'scripts'"
	st_raw --target scripts validate
	expect_rc 0
	# a path, quoted as the command may quote it
	sed -i "8s|.*|command = './no such/runner' {file}|" strata.conf
	st_raw --target graph validate
	expect_rc 2
	expect_err "strata.conf:8: error: target 'graph': the command's program './no such/runner' is not an executable file"
	mkdir -p 'no such'
	# shellcheck disable=SC2016 # the runner's own $1
	printf '#!/bin/sh\nexec sh "$1"\n' >'no such/runner'
	chmod +x 'no such/runner'
	st_raw --target graph validate
	expect_rc 0
	st_raw --target graph up
	expect_rc 0
	expect_eq "1|0" "$(graph_rows)" "applied through the runner"
}

t_unset_variable_blocks_only_its_target() {
	exec_layout
	# shellcheck disable=SC2016 # strata expands it
	printf '\n[target "cache"]\ntype = exec\ndir = migrations/cache\ncommand = redis-cli -u ${STRATA_UNSET_VAR_X} --eval {file}\n' >>strata.conf
	mkdir -p migrations/cache
	st_raw --target graph up
	expect_rc 0
	expect_eq "1|0" "$(graph_rows)" "graph applied"
	st_raw --target graph status
	expect_rc 0
	st_raw --target cache up
	expect_rc 2
	expect_err "strata.conf:13: error: target 'cache': command: \${STRATA_UNSET_VAR_X} is not set"
	# every target in turn: graph runs, cache stops the run
	st_raw status
	expect_rc 2
	expect_out "1 applied, 0 pending"
	expect_err "strata.conf:13: error: target 'cache'"
	expect_err "stopped at target 'cache'; done: graph"
	# set, the target works
	STRATA_UNSET_VAR_X=redis://127.0.0.1:1 st_raw --target cache status
	expect_rc 0
}
