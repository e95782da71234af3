# shellcheck shell=bash
# test-lib.sh: a small harness for strata's CLI tests (after git's t/).
#
# A suite is a bash file of functions named t_<name>. run-suite.sh sources
# this file and the suite, then runs every t_ function in its own subshell,
# in a fresh folder with a fresh database of the kind in STRATA_TEST_DB
# (sqlite, postgres or mysql). A test fails when an expect_* helper fails
# or the function returns non-zero; it is skipped by calling `skip REASON`.
#
# Helpers:
#   mig VERSION NAME UP [DOWN]   write migrations/VERSION_NAME.up.sql (.down.sql)
#   st ARGS...                   run strata against the test database;
#                                sets $rc, $out (stdout) and $err (stderr)
#   st_raw ARGS...               the same without --database/--dir
#   expect_rc N, expect_out TEXT, expect_err TEXT, refute_out TEXT,
#   refute_err TEXT, expect_tables "a b", expect_history "1 2",
#   expect_eq WANT GOT [WHAT]
#   db_sql SQL                   run SQL with the database's own client
#   db_tables                    user tables, sorted, one line (no history)
#   history_versions             applied versions, in order, one line

: "${STRATA_BIN:?STRATA_BIN must name the strata binary}"
: "${STRATA_TEST_DB:=sqlite}"

TEST_TABLE=schema_migrations

# PostgreSQL's own programs first on PATH, not Debian's pg_wrapper: that is
# a Perl script, and it doubles the cost of every psql call (and of the
# pg_dump strata runs for a backup).
if [ -n "${STRATA_TEST_PG_BIN:-}" ] && [ -x "$STRATA_TEST_PG_BIN/psql" ]; then
	PATH=$STRATA_TEST_PG_BIN:$PATH
fi

fail() {
	printf '    FAIL: %s\n' "$*" >&2
	[ -n "${last_cmd:-}" ] && printf '    command: %s\n    rc=%s\n    stdout:\n%s\n    stderr:\n%s\n' \
		"$last_cmd" "${rc:-}" "$(printf '%s' "${out:-}" | sed 's/^/      | /')" \
		"$(printf '%s' "${err:-}" | sed 's/^/      | /')" >&2
	exit 1
}

skip() {
	printf '%s\n' "$*" >"$TEST_SKIP_FILE"
	exit 0
}

mig() {
	local v=$1 name=$2 up=$3 down=${4-}
	mkdir -p migrations
	printf '%s\n' "$up" >"migrations/${v}_${name}.up.sql"
	if [ $# -ge 4 ]; then
		printf '%s\n' "$down" >"migrations/${v}_${name}.down.sql"
	fi
}

# st_out_files: names for one command's stdout and stderr, in o and e:
# under the test's own folder for output (no mktemp process per command),
# apart for each subshell so that commands run in the background do not
# share them.
st_out_files() {
	o=${TEST_OUT_DIR:-${TMPDIR:-/tmp}}/st.$BASHPID.o
	e=${TEST_OUT_DIR:-${TMPDIR:-/tmp}}/st.$BASHPID.e
}

st_raw() {
	last_cmd="strata $*"
	local o e
	st_out_files
	"$STRATA_BIN" "$@" >"$o" 2>"$e"
	rc=$?
	out=$(<"$o")
	err=$(<"$e")
	[ -n "${TEST_OUT_DIR:-}" ] || rm -f "$o" "$e"
	return 0
}

st() {
	st_raw --database "$TEST_URL" --dir migrations "$@"
}

# race_n N ARGS...: N strata processes with the same ARGS (race_each).
race_n() {
	local n=$1 i cmds=()
	shift
	for i in $(seq 1 "$n"); do
		cmds+=("$*")
	done
	race_each "${cmds[@]}"
}

# race_each CMD...: one strata process per CMD (its words are the
# arguments, after --database/--dir as `st` gives them), all released at
# the same instant: each waits for a byte of a FIFO, and the N bytes are
# written at once when all are ready. The test holds the FIFO open at both
# ends, so no open() waits and a process that reads late still finds its
# byte. Leaves rc.I and out.I (stdout and stderr) for the I-th CMD.
race_each() {
	local n=$# i=0 cmd fd
	rm -f gate rc.* out.* ready.*
	mkfifo gate
	exec {fd}<>gate
	for cmd in "$@"; do
		i=$((i + 1))
		# shellcheck disable=SC2086 # the command's words are its arguments
		(
			exec {fd}>&-
			: >"ready.$i"
			read -r -n 1 _ <gate
			"$STRATA_BIN" --database "$TEST_URL" --dir migrations $cmd >"out.$i" 2>&1
			echo $? >"rc.$i"
		) &
	done
	# all are about to read (a state, polled; 120 s only for a hang)
	for _ in $(seq 1 12000); do
		[ "$(find . -maxdepth 1 -name 'ready.*' | wc -l)" -lt "$n" ] || break
		sleep 0.01
	done
	printf "%${n}s" "" >&"$fd"
	wait
	exec {fd}>&-
	rm -f gate ready.*
}

# src_make ARGS...: make in the source tree, one at a time: the suites
# that install or package strata run in parallel and share its build.
src_make() {
	mkdir -p "$STRATA_SRC_ROOT/build"
	flock "$STRATA_SRC_ROOT/build/.make-lock" make -s -C "$STRATA_SRC_ROOT" "$@"
}

expect_rc() {
	[ "$rc" = "$1" ] || fail "expected exit code $1, got $rc"
}

expect_out() {
	case "$out" in *"$1"*) ;; *) fail "stdout lacks: $1" ;; esac
}

expect_err() {
	case "$err" in *"$1"*) ;; *) fail "stderr lacks: $1" ;; esac
}

refute_out() {
	case "$out" in *"$1"*) fail "stdout has: $1" ;; esac
}

refute_err() {
	case "$err" in *"$1"*) fail "stderr has: $1" ;; esac
}

expect_eq() {
	[ "$1" = "$2" ] || fail "${3:-value}: expected '$1', got '$2'"
}

expect_tables() {
	local got
	got=$(db_tables)
	[ "$got" = "$1" ] || fail "tables: expected '$1', got '$got'"
}

expect_history() {
	local got
	got=$(history_versions)
	[ "$got" = "$1" ] || fail "history: expected '$1', got '$got'"
}

history_versions() {
	# in the files' order; R: a repeatable (no version)
	db_sql "SELECT CASE WHEN version = '' THEN 'R' ELSE version END FROM $TEST_TABLE WHERE dirty = 0 ORDER BY version_sort, name" 2>/dev/null | tr '\n' ' ' | sed 's/ $//'
}

# --- per-database set-up and client access -------------------------------
#
# Each database's glue is one file, tests/lib/db/$STRATA_TEST_DB.sh, defining
# DB_SERVER, DB_SUITE_PREFIX, DB_SCHEMA_SQL, db_setup, db_teardown,
# db_sql_on, db_table_list, db_second, db_run_script and db_literal (see
# db/sqlite.sh).

TEST_DB_GLUE="$(dirname "${BASH_SOURCE[0]}")/db/$STRATA_TEST_DB.sh"
if [ -f "$TEST_DB_GLUE" ]; then
	# shellcheck disable=SC1090
	. "$TEST_DB_GLUE"
else
	db_setup() {
		echo "unknown STRATA_TEST_DB=$STRATA_TEST_DB (no $TEST_DB_GLUE)" >&2
		return 1
	}
	db_teardown() { return 0; }
fi

db_sql() {
	db_sql_on "" "$1"
}

db_tables() {
	db_table_list | tr '\n' ' ' | sed 's/ $//'
}

# The schema of user tables as comparable text: table.column:type lines.
# $1: "second" for the second database.
db_schema() {
	db_sql_on "${1:-}" "$DB_SCHEMA_SQL"
}

# History as comparable text (no times, no users). $1: "second" as above.
db_history_text() {
	db_sql_on "${1:-}" "SELECT version, name, kind, file, checksum, dirty FROM $TEST_TABLE ORDER BY version_sort, name"
}
