# shellcheck shell=bash
# PostgreSQL durability with asynchronous commits: every migration of a
# run but the last commits without waiting for its WAL flush. A server
# that dies mid-run may only lose a suffix of whole migrations, never
# leave a table without its history row or a row without its table; once
# strata exits 0 everything is durable. Each test starts a server of its
# own, because it kills it.

private_pg() {
	local line
	line=$("$STRATA_SRC_ROOT/tests/lib/servers.sh" start pg) || fail "private server did not start"
	eval "$line"
	PRIV_DIR=$STRATA_SRV_DIR
	# shellcheck disable=SC1091
	. "$PRIV_DIR/env"
	trap 'STRATA_SRV_DIR=$PRIV_DIR "$STRATA_SRC_ROOT/tests/lib/servers.sh" stop >/dev/null 2>&1; db_teardown' EXIT
	PRIV_URL="postgres://postgres@127.0.0.1:$STRATA_TEST_PG_PORT/postgres?sslmode=disable"
	PRIV_SQL="host=127.0.0.1 port=$STRATA_TEST_PG_PORT user=postgres dbname=postgres"
}

many() {
	local i
	mkdir -p migrations
	for i in $(seq 1 "$1"); do
		printf 'CREATE TABLE d%d (id INTEGER PRIMARY KEY, v TEXT);\nINSERT INTO d%d VALUES (1, repeat(%s, 200));\n' \
			"$i" "$i" "'x'" >"migrations/$(printf %04d "$i")_d$i.up.sql"
	done
}

# history versions and d-tables agree, and the versions are 1..k
consistent() {
	local hist tables k
	hist=$(psql -X -At "$PRIV_SQL" -c "SELECT version FROM schema_migrations WHERE dirty = 0 ORDER BY version_sort" 2>/dev/null | tr '\n' ' ')
	tables=$(psql -X -At "$PRIV_SQL" -c "SELECT substr(tablename, 2)::int FROM pg_tables WHERE schemaname = 'public' AND tablename ~ '^d[0-9]+$' ORDER BY 1" | tr '\n' ' ')
	[ "$hist" = "$tables" ] || fail "history [$hist] but tables [$tables]"
	k=$(printf '%s' "$hist" | wc -w)
	[ "$hist" = "$(seq -s ' ' 1 "$k" | sed 's/$/ /;s/^ $//')" ] || fail "history is not a prefix: [$hist]"
	echo "$k"
}

t_server_killed_mid_run_loses_only_a_suffix() {
	private_pg
	many 300
	"$STRATA_BIN" -q -d "$PRIV_URL" -m migrations up >run.out 2>run.err &
	pid=$!
	for _ in $(seq 1 200); do
		n=$(psql -X -At "$PRIV_SQL" -c "SELECT count(*) FROM schema_migrations" 2>/dev/null || echo 0)
		[ "${n:-0}" -ge 20 ] && break
		sleep 0.02
	done
	STRATA_SRV_DIR=$PRIV_DIR "$STRATA_SRC_ROOT/tests/lib/servers.sh" pg-stop immediate >/dev/null || fail "pg-stop"
	wait $pid
	r=$?
	[ $r -ne 0 ] || skip "the run finished before the server stopped"
	[ $r -eq 1 ] || [ $r -eq 5 ] || fail "exit code $r: $(cat run.err)"
	grep -qi "server\|connection" run.err || fail "no clear error: $(cat run.err)"
	STRATA_SRV_DIR=$PRIV_DIR "$STRATA_SRC_ROOT/tests/lib/servers.sh" pg-restart >/dev/null || fail "pg-restart"
	k=$(consistent) || exit 1
	[ "$k" -lt 300 ] || fail "nothing was lost and nothing left: k=$k"
	st_raw -d "$PRIV_URL" -m migrations up
	expect_rc 0
	k=$(consistent) || exit 1
	expect_eq 300 "$k" "applied after the re-run"
}

t_exit_0_means_durable() {
	private_pg
	many 60
	st_raw -d "$PRIV_URL" -m migrations up
	expect_rc 0
	STRATA_SRV_DIR=$PRIV_DIR "$STRATA_SRC_ROOT/tests/lib/servers.sh" pg-stop immediate >/dev/null || fail "pg-stop"
	STRATA_SRV_DIR=$PRIV_DIR "$STRATA_SRC_ROOT/tests/lib/servers.sh" pg-restart >/dev/null || fail "pg-restart"
	k=$(consistent) || exit 1
	expect_eq 60 "$k" "migrations after an immediate stop"
}
