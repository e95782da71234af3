# shellcheck shell=bash
# scripts/docker-entrypoint.sh, the container's entry point, run as the
# container runs it (no container engine needed): it waits for the server
# with strata wait, then runs strata up or the command given, and its exit
# status is strata wait's or strata's own.

ENTRYPOINT="$STRATA_SRC_ROOT/scripts/docker-entrypoint.sh"

# closed_url: a server that is not there (port 1 refuses)
closed_url() {
	case $STRATA_TEST_DB in
	postgres) echo "postgres://strata:Hunter2secret@127.0.0.1:1/nowhere?sslmode=disable" ;;
	mysql) echo "mysql://strata:Hunter2secret@127.0.0.1:1/nowhere" ;;
	esac
}

# ep [ENV=VALUE...] -- ARGS...: the entry point with the database and folder
# in the environment, as the image has them; sets rc, out, err
ep() {
	local envs=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		envs+=("$1")
		shift
	done
	[ "${1:-}" = -- ] && shift
	# shellcheck disable=SC2034 # last_cmd, out, err: for expect_* and fail
	last_cmd="docker-entrypoint.sh $*"
	env DATABASE_URL="$TEST_URL" STRATA_DIR=migrations STRATA_BIN="$STRATA_BIN" \
		STRATA_WAIT_TIMEOUT=5 "${envs[@]}" bash "$ENTRYPOINT" "$@" >ep.out 2>ep.err
	rc=$?
	# shellcheck disable=SC2034
	out=$(cat ep.out) err=$(cat ep.err)
}

t_entrypoint_waits_then_applies_the_folder() {
	mig 1 create_t "CREATE TABLE t (id INT PRIMARY KEY);"
	mig 2 create_u "CREATE TABLE u (id INT PRIMARY KEY);"
	ep --
	expect_rc 0
	expect_err "answers" # strata wait ran first
	expect_tables "t u"
	expect_history "1 2"
	# a second start finds nothing to do
	ep --
	expect_rc 0
	expect_history "1 2"
}

t_entrypoint_runs_the_command_given() {
	mig 1 create_t "CREATE TABLE t (id INT PRIMARY KEY);"
	ep -- status
	expect_rc 0
	expect_out "0 applied, 1 pending"
	expect_tables ""
	# "strata" as the first word is the image's own name for it
	ep -- strata up
	expect_rc 0
	expect_tables "t"
	# options before the command; -d wins over DATABASE_URL, for the wait too
	ep DATABASE_URL="$(closed_url)" -- -d "$TEST_URL" status
	expect_rc 0
	expect_out "1 applied, 0 pending"
}

t_entrypoint_exits_with_wait_code_when_the_server_is_closed() {
	mig 1 create_t "CREATE TABLE t (id INT PRIMARY KEY);"
	"$STRATA_BIN" --database "$(closed_url)" wait --timeout 1 >/dev/null 2>&1
	want=$?
	expect_eq 5 "$want" "strata wait's exit code"
	ep DATABASE_URL="$(closed_url)" STRATA_WAIT_TIMEOUT=1 --
	expect_rc "$want"
	expect_err "127.0.0.1:1"
	refute_err "Hunter2secret"
	expect_tables ""
	# with another command too, and nothing ran after the wait
	ep DATABASE_URL="$(closed_url)" STRATA_WAIT_TIMEOUT=0 -- status
	expect_rc "$want"
	refute_out "pending"
}

t_entrypoint_passes_strata_exit_codes_through() {
	mig 1 create_t "CREATE TABLE t (id INT PRIMARY KEY);"
	mig 2 broken "SELECT 1; THIS IS NOT SQL;"
	ep --
	expect_rc 1 # a migration failed (README, Exit codes)
	expect_err "syntax"
	expect_history "1"
	# whatever strata exits with, the entry point exits with
	st check
	[ "$rc" != 0 ] || fail "check passed with a failed migration"
	want=$rc
	expect_eq 6 "$want" "check with a pending migration"
	ep -- check
	expect_rc "$want"
	st up
	[ "$rc" != 0 ] || fail "up applied a broken migration"
	want=$rc
	ep -- up
	expect_rc "$want"
	ep -- up --no-such-option
	expect_rc 2
	expect_err "no-such-option"
}

t_entrypoint_does_not_wait_for_commands_without_a_database() {
	mig 1 create_t "CREATE TABLE t (id INT PRIMARY KEY);"
	ep DATABASE_URL="$(closed_url)" STRATA_WAIT_TIMEOUT=0 -- version
	expect_rc 0
	expect_out "strata "
	ep DATABASE_URL="$(closed_url)" STRATA_WAIT_TIMEOUT=0 -- up --help
	expect_rc 0
	expect_out "usage: strata up"
	# STRATA_WAIT=0: straight to the command, whose own error is the code
	ep DATABASE_URL="$(closed_url)" STRATA_WAIT=0 -- status
	expect_rc 5
	refute_err "answers"
}
