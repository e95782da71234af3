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
#   history_versions             applied versions, sorted, one line

: "${STRATA_BIN:?STRATA_BIN must name the strata binary}"
: "${STRATA_TEST_DB:=sqlite}"

TEST_TABLE=schema_migrations

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

st_raw() {
	last_cmd="strata $*"
	local o e
	o=$(mktemp) e=$(mktemp)
	"$STRATA_BIN" "$@" >"$o" 2>"$e"
	rc=$?
	out=$(cat "$o")
	err=$(cat "$e")
	rm -f "$o" "$e"
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
# the same instant: each waits behind a FIFO until all are ready. Leaves
# rc.I and out.I (stdout and stderr) for the I-th CMD.
race_each() {
	local n=$# i=0 cmd go
	rm -f gate rc.* out.* ready.* go.*
	mkfifo gate
	for cmd in "$@"; do
		i=$((i + 1))
		# shellcheck disable=SC2086 # the command's words are its arguments
		(
			: >"ready.$i"
			read -r _ <gate
			: >"go.$i"
			"$STRATA_BIN" --database "$TEST_URL" --dir migrations $cmd >"out.$i" 2>&1
			echo $? >"rc.$i"
		) &
	done
	while [ "$(find . -maxdepth 1 -name 'ready.*' | wc -l)" -lt "$n" ]; do
		sleep 0.01
	done
	sleep 0.05
	# Opening the FIFO read-write never blocks and releases every reader
	# blocked in open(); repeat for one that was not there yet.
	go=0
	while [ "$go" -lt "$n" ]; do
		exec 3<>gate
		exec 3>&-
		sleep 0.01
		go=$(find . -maxdepth 1 -name 'go.*' | wc -l)
	done
	wait
	rm -f gate ready.* go.*
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
	db_sql "SELECT version FROM $TEST_TABLE WHERE dirty = 0 ORDER BY version" 2>/dev/null | tr '\n' ' ' | sed 's/ $//'
}

# --- per-database set-up and client access -------------------------------

db_setup() {
	case "$STRATA_TEST_DB" in
	sqlite)
		TEST_URL="sqlite:$PWD/test.db"
		;;
	postgres)
		: "${STRATA_TEST_PG_PORT:?no PostgreSQL server (STRATA_TEST_PG_PORT)}"
		TEST_DBNAME="t_${TEST_ID}"
		PG_ADMIN="host=127.0.0.1 port=$STRATA_TEST_PG_PORT user=postgres dbname=postgres"
		psql -X -q "$PG_ADMIN" -c "CREATE DATABASE $TEST_DBNAME" >/dev/null || return 1
		TEST_URL="postgres://postgres@127.0.0.1:$STRATA_TEST_PG_PORT/$TEST_DBNAME?sslmode=disable"
		;;
	mysql)
		: "${STRATA_TEST_MYSQL_PORT:?no MariaDB server (STRATA_TEST_MYSQL_PORT)}"
		TEST_DBNAME="t_${TEST_ID}"
		mariadb --no-defaults -h 127.0.0.1 -P "$STRATA_TEST_MYSQL_PORT" -u root \
			-e "CREATE DATABASE $TEST_DBNAME" || return 1
		TEST_URL="mysql://root@127.0.0.1:$STRATA_TEST_MYSQL_PORT/$TEST_DBNAME"
		;;
	*)
		echo "unknown STRATA_TEST_DB=$STRATA_TEST_DB" >&2
		return 1
		;;
	esac
	export TEST_URL
}

db_teardown() {
	case "$STRATA_TEST_DB" in
	postgres)
		psql -X -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS $TEST_DBNAME WITH (FORCE)" >/dev/null 2>&1
		psql -X -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS ${TEST_DBNAME}b WITH (FORCE)" >/dev/null 2>&1
		;;
	mysql)
		mariadb --no-defaults -h 127.0.0.1 -P "$STRATA_TEST_MYSQL_PORT" -u root \
			-e "DROP DATABASE IF EXISTS $TEST_DBNAME; DROP DATABASE IF EXISTS ${TEST_DBNAME}b" >/dev/null 2>&1
		;;
	esac
	return 0
}

db_sql() {
	case "$STRATA_TEST_DB" in
	sqlite)
		sqlite3 -batch -separator '|' "$PWD/test.db" "$1"
		;;
	postgres)
		psql -X -q -At -v ON_ERROR_STOP=1 \
			"host=127.0.0.1 port=$STRATA_TEST_PG_PORT user=postgres dbname=$TEST_DBNAME" -c "$1"
		;;
	mysql)
		mariadb --no-defaults -N -B -h 127.0.0.1 -P "$STRATA_TEST_MYSQL_PORT" -u root \
			"$TEST_DBNAME" -e "$1" | tr '\t' '|'
		;;
	esac
}

db_tables() {
	case "$STRATA_TEST_DB" in
	sqlite)
		[ -f "$PWD/test.db" ] || { echo ""; return; }
		db_sql "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' AND name <> '$TEST_TABLE' ORDER BY name"
		;;
	postgres)
		db_sql "SELECT table_schema || '.' || table_name FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog','information_schema') AND table_name <> '$TEST_TABLE' ORDER BY 1" | sed 's/^public\.//'
		;;
	mysql)
		db_sql "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name <> '$TEST_TABLE' ORDER BY 1"
		;;
	esac | tr '\n' ' ' | sed 's/ $//'
}

# A second database of the same kind, for comparisons: prints its URL and
# points db_sql2 at it.
db_second() {
	case "$STRATA_TEST_DB" in
	sqlite)
		echo "sqlite:$PWD/second.db"
		;;
	postgres)
		psql -X -q "$PG_ADMIN" -c "CREATE DATABASE ${TEST_DBNAME}b" >/dev/null || return 1
		echo "postgres://postgres@127.0.0.1:$STRATA_TEST_PG_PORT/${TEST_DBNAME}b?sslmode=disable"
		;;
	mysql)
		mariadb --no-defaults -h 127.0.0.1 -P "$STRATA_TEST_MYSQL_PORT" -u root \
			-e "CREATE DATABASE ${TEST_DBNAME}b" || return 1
		echo "mysql://root@127.0.0.1:$STRATA_TEST_MYSQL_PORT/${TEST_DBNAME}b"
		;;
	esac
}

# Run a script file with the database's own client, stopping at the first
# error. $1: the file; $2: "second" for the second database.
db_run_script() {
	local db=${TEST_DBNAME:-} file=$PWD/test.db
	[ "${2:-}" = second ] && db=${TEST_DBNAME:-}b file=$PWD/second.db
	case "$STRATA_TEST_DB" in
	sqlite) sqlite3 -bail "$file" <"$1" ;;
	postgres)
		psql -X -q -v ON_ERROR_STOP=1 \
			"host=127.0.0.1 port=$STRATA_TEST_PG_PORT user=postgres dbname=$db" -f "$1" >/dev/null
		;;
	mysql)
		mariadb --no-defaults -h 127.0.0.1 -P "$STRATA_TEST_MYSQL_PORT" -u root "$db" <"$1"
		;;
	esac
}

# The schema of user tables as comparable text: table.column:type lines.
# $1: "second" for the second database.
db_schema() {
	local db=${TEST_DBNAME:-} file=$PWD/test.db
	[ "${1:-}" = second ] && db=${TEST_DBNAME:-}b file=$PWD/second.db
	case "$STRATA_TEST_DB" in
	sqlite)
		sqlite3 "$file" "SELECT m.name || '.' || p.name || ':' || p.type FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table' ORDER BY 1"
		;;
	postgres)
		psql -X -At "host=127.0.0.1 port=$STRATA_TEST_PG_PORT user=postgres dbname=$db" -c \
			"SELECT table_name || '.' || column_name || ':' || data_type FROM information_schema.columns WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1"
		;;
	mysql)
		mariadb --no-defaults -N -B -h 127.0.0.1 -P "$STRATA_TEST_MYSQL_PORT" -u root "$db" -e \
			"SELECT CONCAT(table_name, '.', column_name, ':', column_type) FROM information_schema.columns WHERE table_schema = DATABASE() ORDER BY 1"
		;;
	esac
}

# History as comparable text (no times, no users). $1: "second" as above.
db_history_text() {
	local q="SELECT version, name, kind, file, checksum, dirty FROM $TEST_TABLE ORDER BY version, name"
	if [ "${1:-}" = second ]; then
		case "$STRATA_TEST_DB" in
		sqlite) sqlite3 -separator '|' "$PWD/second.db" "$q" ;;
		postgres) psql -X -At "host=127.0.0.1 port=$STRATA_TEST_PG_PORT user=postgres dbname=${TEST_DBNAME}b" -c "$q" ;;
		mysql) mariadb --no-defaults -N -B -h 127.0.0.1 -P "$STRATA_TEST_MYSQL_PORT" -u root "${TEST_DBNAME}b" -e "$q" | tr '\t' '|' ;;
		esac
	else
		db_sql "$q"
	fi
}
