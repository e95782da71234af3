# shellcheck shell=bash
# Targets in strata.conf, on SQLite files and exec targets: order, grouped
# status, failures that stop the run, unset variables, missing folders,
# new per target type, config with passwords masked.

layout() {
	mkdir -p migrations/main migrations/events migrations/scripts
	cat >strata.conf <<'CONF'
[strata]
registry = main

[target "main"]
type = sqlite
url = sqlite:main.db
dir = migrations/main

[target "events"]
type = sqlite
url = sqlite:events.db
dir = migrations/events

[target "scripts"]
type = exec
dir = migrations/scripts
extension = .py
env.MARKER_DIR = ${PWD}
CONF
	echo "CREATE TABLE users (id INTEGER PRIMARY KEY);" >migrations/main/001_users.up.sql
	echo "DROP TABLE users;" >migrations/main/001_users.down.sql
	echo "CREATE TABLE events (id INTEGER PRIMARY KEY);" >migrations/events/001_events.up.sql
	echo "DROP TABLE events;" >migrations/events/001_events.down.sql
	cat >migrations/scripts/001_marker.up.py <<'PY'
import os, pathlib
pathlib.Path(os.environ["MARKER_DIR"], "marker-" + os.environ["STRATA_VERSION"]).write_text(os.environ["STRATA_TARGET"])
print("made marker", os.environ["STRATA_VERSION"])
PY
	cat >migrations/scripts/001_marker.down.py <<'PY'
import os, pathlib
pathlib.Path(os.environ["MARKER_DIR"], "marker-1").unlink()
PY
}

t_up_runs_every_target_in_order() {
	layout
	st_raw up
	expect_rc 0
	expect_out "== target main (sqlite) =="
	expect_out "made marker 1"
	[ "$(cat marker-1)" = scripts ] || fail "the python migration did not run"
	main=$(printf '%s\n' "$out" | grep -n 'target main' | cut -d: -f1)
	scripts=$(printf '%s\n' "$out" | grep -n 'target scripts' | cut -d: -f1)
	[ "$main" -lt "$scripts" ] || fail "targets out of order"
	expect_eq "main|1|sqlite scripts|1|exec" \
		"$(sqlite3 main.db "SELECT target, version, database_type FROM schema_migrations ORDER BY target" | tr '\n' ' ' | sed 's/ $//')"
	expect_eq "events" "$(sqlite3 events.db "SELECT target FROM schema_migrations")"
	st_raw status
	expect_rc 0
	expect_out "== target events (sqlite) =="
	expect_out "events  applied"
	expect_out "marker  applied"
}

t_down_runs_targets_in_reverse() {
	layout
	st_raw up
	st_raw down
	expect_rc 0
	first=$(printf '%s\n' "$out" | grep '== target' | head -1)
	expect_eq "== target scripts (exec) ==" "$first" "first target of down"
	[ ! -e marker-1 ] || fail "the down script did not run"
	expect_eq 0 "$(sqlite3 main.db "SELECT count(*) FROM schema_migrations")" "registry rows"
}

t_one_target_with_flag() {
	layout
	st_raw --target events up
	expect_rc 0
	expect_out "applied     001_events"
	[ ! -e main.db ] || fail "other targets ran"
	st_raw --target nope up
	expect_rc 2
	expect_err "no target 'nope'"
	expect_err "targets: main, events, scripts"
	st_raw force 1
	expect_rc 2
	expect_err "name one with --target"
}

t_failing_target_stops_the_run() {
	layout
	echo "CREATE TABLE broken (" >migrations/events/002_broken.up.sql
	st_raw up
	expect_rc 1
	expect_err "stopped at target 'events'; done: main; not run: scripts"
	[ ! -e marker-1 ] || fail "a target after the failure ran"
	echo 'raise SystemExit(3)' >migrations/scripts/002_fails.up.py
	rm migrations/events/002_broken.up.sql
	st_raw up
	expect_rc 1
	expect_err "exited with status 3"
	expect_err "stopped at target 'scripts'"
	expect_eq "1" "$(sqlite3 main.db "SELECT dirty FROM schema_migrations WHERE target = 'scripts' AND version = '2'")" "dirty row"
	st_raw --target scripts up
	expect_rc 3
	expect_err "is dirty"
}

t_unset_variable_and_missing_folder() {
	layout
	printf '\n[target "cache"]\ntype = exec\ncommand = tool --url ${STRATA_UNSET_VAR_X} {file}\n' >>strata.conf
	st_raw status
	expect_rc 2
	# only the target that uses it stops: the others ran before it
	expect_err "strata.conf:22: error: target 'cache': command: \${STRATA_UNSET_VAR_X} is not set"
	expect_err "stopped at target 'cache'; done: main, events, scripts"
	expect_out "== target scripts (exec) =="
	st_raw --target main status
	expect_rc 0
	layout
	rm -rf migrations/events
	st_raw up
	expect_rc 2
	expect_err "migrations folder 'migrations/events' does not exist"
	expect_err "stopped at target 'events'; done: main"
}

t_new_per_target_type() {
	layout
	st_raw new --target main add_roles
	expect_rc 0
	[ -f migrations/main/002_add_roles.up.sql ] || fail "sql pair not numbered 002: $(ls migrations/main)"
	st_raw new --target scripts reindex
	expect_rc 0
	[ -f migrations/scripts/002_reindex.up.py ] || fail "python pair: $(ls migrations/scripts)"
	head -1 migrations/scripts/002_reindex.up.py | grep -q python3 || fail "no python template"
	st_raw new add_more
	expect_rc 2
	expect_err "name one with --target"
}

t_config_masks_passwords() {
	layout
	printf '\n[target "pg"]\ntype = postgres\nurl = postgres://app:S3cretPW@127.0.0.1:1/x\n' >>strata.conf
	st_raw config
	expect_rc 0
	expect_out "postgres://app:***@127.0.0.1:1/x"
	refute_out "S3cretPW"
	expect_out "registry     sqlite:main.db"
	st_raw config --json
	refute_out "S3cretPW"
	# one object per target and line, each with its name
	expect_eq "main events scripts pg" "$(printf '%s\n' "$out" | jq -r .target | tr '\n' ' ' | sed 's/ $//')"
	expect_eq "sqlite sqlite exec postgres" "$(printf '%s\n' "$out" | jq -r .type | tr '\n' ' ' | sed 's/ $//')"
}

t_exec_file_without_command_refused_before_running() {
	layout
	echo "CREATE CONSTRAINT x;" >migrations/scripts/002_graph.cql
	st_raw --target scripts up
	expect_rc 2
	expect_err "no command runs '.cql' files"
	[ ! -e marker-1 ] || fail "ran before refusing"
}

t_redis_through_redis_cli() {
	[ -n "${STRATA_TEST_REDIS_PORT:-}" ] || skip "no Redis server"
	mkdir -p migrations/cache
	cat >strata.conf <<CONF
[target "cache"]
type = exec
dir = migrations/cache
command = redis-cli -e -p \${STRATA_TEST_REDIS_PORT} --eval {file}
CONF
	key="strata_test_$TEST_ID"
	echo "return redis.call('SET', '$key', 'v1')" >migrations/cache/001_seed.up.lua
	echo "return redis.call('DEL', '$key')" >migrations/cache/001_seed.down.lua
	st_raw up
	expect_rc 0
	expect_eq v1 "$(redis-cli -p "$STRATA_TEST_REDIS_PORT" GET "$key")" "redis value"
	echo "return redis.call('NO_SUCH_COMMAND')" >migrations/cache/002_bad.up.lua
	st_raw up
	expect_rc 1
	expect_err "002_bad.up.lua"
	st_raw force 1
	rm migrations/cache/002_bad.up.lua
	st_raw down
	expect_rc 0
	expect_eq "" "$(redis-cli -p "$STRATA_TEST_REDIS_PORT" GET "$key")" "redis value after down"
}

# A target's type is a driver's name (or exec), and its URL's scheme must
# pick that driver, in any case; the messages list the types the drivers
# give.
t_target_type_and_url_scheme() {
	mkdir -p migrations/main
	echo "CREATE TABLE users (id INTEGER PRIMARY KEY);" >migrations/main/001_users.up.sql
	printf '[target "main"]\ntype = sqlite\nurl = SQLite:main.db\n' >strata.conf
	st_raw up
	expect_rc 0
	expect_eq users "$(sqlite3 main.db "SELECT name FROM sqlite_master WHERE name = 'users'")"
	expect_eq 1 "$(sqlite3 main.db "SELECT COUNT(*) FROM schema_migrations")" "history rows"
	printf '[target "main"]\ntype = postgres\nurl = sqlite:other.db\n' >strata.conf
	st_raw up
	expect_rc 2
	expect_err "strata.conf:2: error: target 'main' is of type postgres but its url is not a postgres URL"
	printf '[target "main"]\ntype = nosuch\nurl = sqlite:other.db\n' >strata.conf
	st_raw up
	expect_rc 2
	expect_err "strata.conf:2: error: target 'main': unknown type 'nosuch' (sqlite, postgres, mysql or exec)"
	[ ! -e other.db ] || fail "created other.db"
}
