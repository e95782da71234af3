# shellcheck shell=bash
# MariaDB killed mid-run: the server dies (SIGKILL) while strata applies a
# long series of migrations, and comes back on the same data dir and
# port (servers.sh mysql-restart). strata exits non-zero with an error
# that says the server went away; once the server is back, the history
# and the schema agree (clean rows 1..k with their tables, at most one
# dirty row for the migration that was running, no table without a row)
# and, after the documented recovery, a re-run completes. Each test starts
# a server of its own, because it kills it.

private_my() {
	local line shared=$STRATA_TEST_MYSQL_PORT
	line=$("$STRATA_SRC_ROOT/tests/lib/servers.sh" start mysql) || fail "private server did not start"
	eval "$line"
	PRIV_DIR=$STRATA_SRV_DIR
	# shellcheck disable=SC1091
	. "$PRIV_DIR/env"
	PRIV_PORT=$STRATA_TEST_MYSQL_PORT
	# the test's own database is on the shared server
	STRATA_TEST_MYSQL_PORT=$shared
	trap 'STRATA_SRV_DIR=$PRIV_DIR "$STRATA_SRC_ROOT/tests/lib/servers.sh" stop >/dev/null 2>&1; db_teardown' EXIT
	priv_sql "CREATE DATABASE d" || fail "CREATE DATABASE on the private server"
	PRIV_URL="mysql://root@127.0.0.1:$PRIV_PORT/d"
}

priv_sql() {
	mariadb --no-defaults -N -B -h 127.0.0.1 -P "$PRIV_PORT" -u root -e "$1" 2>/dev/null
}

servers() {
	STRATA_SRV_DIR=$PRIV_DIR "$STRATA_SRC_ROOT/tests/lib/servers.sh" "$@" >/dev/null ||
		fail "servers.sh $*"
}

# many N: N migrations, each a table and a row (two statements: DDL, so
# each runs under the dirty protocol)
many() {
	local i
	mkdir -p migrations
	for i in $(seq 1 "$1"); do
		printf 'CREATE TABLE d%d (id INTEGER PRIMARY KEY, v TEXT);\nINSERT INTO d%d VALUES (1, REPEAT(%s, 200));\n' \
			"$i" "$i" "'x'" >"migrations/$(printf %04d "$i")_d$i.up.sql"
	done
}

# consistent: prints k, the number of clean migrations, after checking
# that they are 1..k, that each has its table and row, that at most one
# row (k+1) is dirty, and that no other table exists.
consistent() {
	local hist tables k dirty i want
	hist=$(priv_sql "SELECT version FROM d.schema_migrations WHERE dirty = 0 ORDER BY version_sort" | tr '\n' ' ')
	dirty=$(priv_sql "SELECT version FROM d.schema_migrations WHERE dirty <> 0" | tr '\n' ' ')
	tables=$(priv_sql "SELECT CAST(SUBSTR(table_name, 2) AS UNSIGNED) AS n FROM information_schema.tables WHERE table_schema = 'd' AND table_name REGEXP '^d[0-9]+\$' ORDER BY n" | tr '\n' ' ')
	k=$(printf '%s' "$hist" | wc -w)
	want=$(seq -s ' ' 1 "$k" | sed 's/$/ /;s/^ $//')
	[ "$hist" = "$want" ] || fail "history is not a prefix: [$hist]"
	case "$dirty" in
	"") ;;
	"$((k + 1)) ") ;;
	*) fail "dirty rows [$dirty] after clean [1..$k]" ;;
	esac
	# tables: exactly the clean ones, plus the dirty one's if it got there
	[ "$tables" = "$want" ] || [ "$tables" = "$want$((k + 1)) " ] ||
		fail "history [1..$k] dirty [$dirty] but tables [$tables]"
	[ "$tables" = "$want" ] || [ -n "$dirty" ] ||
		fail "table d$((k + 1)) exists but migration $((k + 1)) is not recorded"
	for i in $hist; do
		[ "$(priv_sql "SELECT count(*) FROM d.d$i")" = 1 ] || fail "d$i lacks its row"
	done
	echo "$k"
}

t_server_killed_mid_run() {
	private_my
	many 300
	"$STRATA_BIN" -q -d "$PRIV_URL" -m migrations up >run.out 2>run.err &
	pid=$!
	for _ in $(seq 1 500); do
		n=$(priv_sql "SELECT count(*) FROM d.schema_migrations" || echo 0)
		[ "${n:-0}" -ge 20 ] && break
		sleep 0.02
	done
	servers mysql-kill
	wait $pid
	r=$?
	[ $r -ne 0 ] || skip "the run finished before the server died"
	[ $r -eq 1 ] || [ $r -eq 5 ] || fail "exit code $r: $(cat run.err)"
	grep -q "lost the connection to the server root@127.0.0.1:$PRIV_PORT/d" run.err ||
		fail "the error does not name the server that went away: $(cat run.err)"
	grep -q "AddressSanitizer\|runtime error" run.err && fail "crashed: $(cat run.err)"
	servers mysql-restart
	k=$(consistent) || exit 1
	[ "$k" -lt 300 ] || fail "nothing was left to do: k=$k"
	# the documented recovery of a dirty row: undo by hand, force back
	if [ -n "$(priv_sql "SELECT version FROM d.schema_migrations WHERE dirty <> 0")" ]; then
		st_raw -d "$PRIV_URL" -m migrations up
		expect_rc 3
		expect_err "strata force"
		priv_sql "DROP TABLE IF EXISTS d.d$((k + 1))"
		st_raw -d "$PRIV_URL" -m migrations force "$k"
		expect_rc 0
	fi
	st_raw -d "$PRIV_URL" -m migrations up
	expect_rc 0
	k=$(consistent) || exit 1
	expect_eq 300 "$k" "applied after the re-run"
}

# Killed with no run going: every migration of a run that exited 0 is
# there after the restart.
t_exit_0_means_kept() {
	private_my
	many 60
	st_raw -d "$PRIV_URL" -m migrations up
	expect_rc 0
	servers mysql-kill
	servers mysql-restart
	k=$(consistent) || exit 1
	expect_eq 60 "$k" "migrations after the server was killed"
}

# The server is down when strata starts: exit 5, the server named.
t_server_down_at_start() {
	private_my
	many 3
	servers mysql-kill
	st_raw -d "$PRIV_URL" -m migrations up
	expect_rc 5
	expect_err "127.0.0.1"
	servers mysql-restart
	st_raw -d "$PRIV_URL" -m migrations up
	expect_rc 0
	expect_eq 3 "$(consistent)" "applied once the server is back"
}
