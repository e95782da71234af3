# shellcheck shell=bash
# A streaming standby of the PostgreSQL test server, for one test: a base
# backup (pg_basebackup -R) started as a hot standby, reachable only
# through a socket in its own folder, and stopped on the test's way out.
#
#   standby_start NAME   start it; its application_name is NAME; sets
#                        SB (its folder) and SB_URL (a strata URL of the
#                        test database on it); skips without the tools
#   standby_sql SQL      run SQL on the standby (the test database)
#   standby_stop         stop it and remove its folder (trapped on exit)

SB_BIN=${STRATA_TEST_PG_BIN:-/usr/lib/postgresql/15/bin}

# as_pg CMD...: run CMD as the server's user (initdb and pg_ctl refuse root)
as_pg() {
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

standby_stop() {
	[ -n "${SB:-}" ] || return 0
	as_pg "$SB_BIN/pg_ctl" -D "$SB/data" -m immediate -w stop >/dev/null 2>&1
	rm -rf "$SB"
}

standby_start() {
	local name=$1 admin maxconn
	if [ ! -x "$SB_BIN/pg_basebackup" ] || [ ! -x "$SB_BIN/pg_ctl" ]; then
		skip "no pg_basebackup/pg_ctl in $SB_BIN"
	fi
	admin="host=127.0.0.1 port=$STRATA_TEST_PG_PORT user=postgres dbname=postgres"
	SB=$(mktemp -d /tmp/strata-sb.XXXXXX)
	chmod 755 "$SB"
	[ "$(id -u)" = 0 ] && chown postgres: "$SB"
	trap 'standby_stop; db_teardown' EXIT
	# a standby needs at least the primary's max_connections
	maxconn=$(psql -X -At "$admin" -c "SHOW max_connections")
	as_pg "$SB_BIN/pg_basebackup" -D "$SB/data" -h 127.0.0.1 -p "$STRATA_TEST_PG_PORT" -U postgres \
		-R -X stream -c fast >"$SB/basebackup.log" 2>&1 || fail "pg_basebackup: $(cat "$SB/basebackup.log")"
	# cluster_name: the standby's application_name on the primary
	as_pg "$SB_BIN/pg_ctl" -D "$SB/data" -l "$SB/server.log" -w -t 30 \
		-o "-c listen_addresses='' -k $SB -p 5999 -c hot_standby=on -c max_connections=$maxconn -c cluster_name=$name" \
		start >/dev/null 2>&1 || fail "standby did not start: $(tail -5 "$SB/server.log")"
	SB_URL="postgresql:///$TEST_DBNAME?host=$SB&port=5999&user=postgres"
	[ "$(standby_sql "SELECT pg_is_in_recovery()")" = t ] || fail "the standby is not in recovery"
	# pg_ctl returns once the standby takes connections; its WAL
	# receiver may connect to the primary a moment later
	for _ in $(seq 3000); do
		[ "$(psql -X -At "$admin" -c "SELECT count(*) FROM pg_stat_replication WHERE application_name = '$name' AND state = 'streaming'")" = 1 ] && return 0
		sleep 0.02
	done
	fail "the standby never streamed from the primary: $(tail -5 "$SB/server.log")"
}

standby_sql() {
	psql -X -q -At -v ON_ERROR_STOP=1 "$SB_URL" -c "$1"
}
