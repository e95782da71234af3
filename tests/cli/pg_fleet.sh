# shellcheck shell=bash
# shellcheck disable=SC2154 # st sets rc, out, err
# Fleets on PostgreSQL: a schema per tenant (fleet = schemas:PATTERN, each
# member with --schema) and members listed by a query (fleet = query:SQL
# on fleet_url); --jobs with each member under its own lock, and two
# fleet runs racing apply each migration once per member. The schemas
# share a connection (fleet_reuse): nothing one member leaves on the
# session reaches the next, and a worker killed inside a member takes
# only that member with it.

. "$(dirname "${BASH_SOURCE[0]}")/../lib/exact-lib.sh"

# tenant_conf SPEC [EXTRA]: strata.conf with the fleet target "tenants"
tenant_conf() {
	printf '[target "tenants"]\ntype = postgres\nurl = %s\ndir = migrations\nfleet = %s\n%s' \
		"$TEST_URL" "$1" "${2:-}" >strata.conf
}

two() {
	mig 0001 users "CREATE TABLE users (id int PRIMARY KEY);" "DROP TABLE users;"
	mig 0002 days "CREATE TABLE days (id int PRIMARY KEY); INSERT INTO public.runs_log VALUES (current_schema());" "DROP TABLE days;"
}

schema_versions() {
	db_sql "SELECT string_agg(version, ' ' ORDER BY version) FROM $1.$TEST_TABLE"
}

t_schema_per_tenant() {
	local s
	db_sql "CREATE SCHEMA tenant_a; CREATE SCHEMA tenant_b; CREATE SCHEMA tenant_c; CREATE SCHEMA other; CREATE TABLE public.runs_log (s text)" >/dev/null
	two
	tenant_conf "schemas:tenant\\_%"
	st_raw up --jobs 2
	expect_rc 0
	for s in a b c; do
		expect_eq "1 2" "$(schema_versions "tenant_$s")" "history of tenant_$s"
		expect_out "tenant_$s  ok"
		expect_eq 1 "$(db_sql "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'tenant_$s' AND table_name = 'days'")" "days in tenant_$s"
	done
	expect_eq 0 "$(db_sql "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'other'")" "tables in other"
	expect_eq "tenant_a tenant_b tenant_c" "$(db_sql "SELECT string_agg(s, ' ' ORDER BY s) FROM runs_log")" "runs, one per tenant"
	st_raw status
	expect_rc 0
	expect_out "tenant_c  ok"
	expect_out "2 applied, 0 pending"
}

t_racing_fleet_runs_apply_each_migration_once_per_member() {
	local s a b
	db_sql "CREATE SCHEMA tenant_a; CREATE SCHEMA tenant_b; CREATE SCHEMA tenant_c; CREATE SCHEMA tenant_d; CREATE TABLE public.runs_log (s text)" >/dev/null
	two
	tenant_conf "schemas:tenant\\_%"
	"$STRATA_BIN" up --jobs 2 >a.out 2>&1 &
	a=$!
	"$STRATA_BIN" up --jobs 3 >b.out 2>&1 &
	b=$!
	wait "$a" || fail "the first run failed: $(cat a.out)"
	wait "$b" || fail "the second run failed: $(cat b.out)"
	for s in a b c d; do
		expect_eq "1 2" "$(schema_versions "tenant_$s")" "history of tenant_$s"
	done
	expect_eq "tenant_a tenant_b tenant_c tenant_d" "$(db_sql "SELECT string_agg(s, ' ' ORDER BY s) FROM runs_log")" "runs, one per tenant"
}

t_members_listed_by_a_query() {
	local second
	second=$(db_second) || fail "no second database"
	db_sql "CREATE TABLE tenants (name text, url text, active bool); CREATE TABLE runs_log (s text)" >/dev/null
	db_sql "INSERT INTO tenants VALUES ('main', '$TEST_URL', true), ('second', '$second', true), ('gone', 'postgres://nobody@127.0.0.1:1/x', false)" >/dev/null
	db_sql_on second "CREATE TABLE runs_log (s text)" >/dev/null
	two
	tenant_conf "query:SELECT name, url FROM tenants WHERE active ORDER BY name" "fleet_url = $TEST_URL
"
	# the members' own databases: no url needed beside fleet_url
	sed -i '/^url = /d' strata.conf
	st_raw up --json
	expect_rc 0
	expect_eq "main second" "$(printf '%s\n' "$out" | head -2 | jq -r .member | tr '\n' ' ' | sed 's/ $//')" "members"
	expect_eq "1 2" "$(db_sql "SELECT string_agg(version, ' ' ORDER BY version) FROM $TEST_TABLE")" "history of main"
	expect_eq "1 2" "$(db_sql_on second "SELECT string_agg(version, ' ' ORDER BY version) FROM $TEST_TABLE")" "history of second"
	# a query that fails names strata.conf's line
	tenant_conf "query:SELECT nope FROM tenants" "fleet_url = $TEST_URL
"
	st_raw status
	expect_rc 2
	expect_err "strata.conf:5: error: target 'tenants': fleet: query failed"
	expect_err "nope"
}

# probe_migrations: 0001 records, in each member, what its session looks
# like (schema, a custom setting, advisory lock 42, a temporary table, the
# server process), then tenant_a leaves all of that changed behind it on
# the session; 0002 runs outside a transaction and, in tenant_b only,
# sets the custom setting and fails inside a BEGIN of its own, leaving
# the session in an aborted transaction.
probe_migrations() {
	db_sql "CREATE SCHEMA tenant_a; CREATE SCHEMA tenant_b; CREATE SCHEMA tenant_c; CREATE TABLE public.probe (s text, flag text, locks int, temp bool, pid int)" >/dev/null
	mig 0001 probe "CREATE TABLE users (id int PRIMARY KEY);
INSERT INTO public.probe SELECT current_schema(), coalesce(current_setting('app.flag', true), ''),
  (SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND classid = 0 AND objid = 42),
  to_regclass('pg_temp.leftover') IS NOT NULL, pg_backend_pid();
DO \$\$ BEGIN IF current_schema() = 'tenant_a' THEN
  PERFORM set_config('app.flag', 'left by tenant_a', false);
  PERFORM pg_advisory_lock(42);
  CREATE TEMP TABLE leftover (x int);
  PERFORM set_config('search_path', 'public', false);
END IF; END \$\$;"
	mig 0002 fails "-- strata:no-transaction
SELECT set_config('app.flag', 'left by ' || current_schema(), false);
BEGIN;
SELECT 1 / CASE WHEN current_schema() = 'tenant_b' THEN 0 ELSE 1 END;
COMMIT;"
}

t_reuse_one_connection_leaves_nothing_to_the_next_member() {
	probe_migrations
	tenant_conf "schemas:tenant\\_%"
	st_raw up
	expect_rc 1
	expect_out "tenant_a  ok"
	expect_out "tenant_b  failed"
	expect_out "tenant_c  ok"
	# one connection served the three members in turn
	expect_eq 1 "$(db_sql "SELECT count(DISTINCT pid) FROM probe")" "server processes"
	# each member saw a session as new: its own schema first on the path,
	# none of tenant_a's setting, lock or temporary table, none of
	# tenant_b's setting or aborted transaction
	expect_eq "tenant_a||0|f tenant_b||0|f tenant_c||0|f" \
		"$(db_sql "SELECT string_agg(concat_ws('|', s, flag, locks, temp), ' ' ORDER BY s) FROM probe")" "what each member saw"
	expect_eq 1 "$(db_sql "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'tenant_c' AND table_name = 'users'")" "users in tenant_c"
	expect_eq "1 2" "$(schema_versions tenant_c)" "history of tenant_c"
	expect_eq "1 2" "$(schema_versions tenant_a)" "history of tenant_a"
}

t_reuse_off_gives_each_member_a_connection() {
	probe_migrations
	tenant_conf "schemas:tenant\\_%" "fleet_reuse = off
"
	st_raw up
	expect_rc 1
	expect_out "tenant_b  failed"
	expect_out "tenant_c  ok"
	expect_eq 3 "$(db_sql "SELECT count(DISTINCT pid) FROM probe")" "server processes"
}

t_reuse_with_jobs_runs_each_member_once() {
	local s
	db_sql "CREATE SCHEMA tenant_a; CREATE SCHEMA tenant_b; CREATE SCHEMA tenant_c; CREATE SCHEMA tenant_d; CREATE SCHEMA tenant_e; CREATE TABLE public.runs_log (s text, pid int)" >/dev/null
	mig 0001 users "CREATE TABLE users (id int PRIMARY KEY); INSERT INTO public.runs_log VALUES (current_schema(), pg_backend_pid());"
	tenant_conf "schemas:tenant\\_%"
	st_raw up --jobs 2 --json
	expect_rc 0
	# a line each, as each ends; the last one lists them in order
	expect_eq "tenant_a tenant_b tenant_c tenant_d tenant_e" "$(printf '%s\n' "$out" | head -5 | jq -r .member | sort | tr '\n' ' ' | sed 's/ $//')" "members' JSON"
	expect_eq "ok ok ok ok ok" "$(printf '%s\n' "$out" | tail -1 | jq -r '.members[].result' | tr '\n' ' ' | sed 's/ $//')" "the summary's results"
	expect_eq "tenant_a tenant_b tenant_c tenant_d tenant_e" "$(db_sql "SELECT string_agg(s, ' ' ORDER BY s) FROM runs_log")" "runs, one per tenant"
	# two workers, a connection each
	expect_eq 2 "$(db_sql "SELECT count(DISTINCT pid) FROM runs_log")" "server processes"
	for s in a b c d e; do
		expect_eq "1" "$(schema_versions "tenant_$s")" "history of tenant_$s"
	done
}

# A worker killed inside a member (under the member's lock, its plan
# made) takes only that member with it: it fails with 128 + 9, its lock is
# gone with the connection, and the next members run in a new worker.
t_a_worker_killed_inside_a_member_fails_that_member_only() {
	local pid w
	db_sql "CREATE SCHEMA tenant_a; CREATE SCHEMA tenant_b; CREATE SCHEMA tenant_c" >/dev/null
	mig 0001 users "CREATE TABLE users (id int PRIMARY KEY);"
	tenant_conf "schemas:tenant\\_%"
	tp_fifo=$PWD/tp.fifo
	mkfifo "$tp_fifo"
	STRATA_TEST_PAUSE="after_plan:$tp_fifo" ASAN_OPTIONS=detect_leaks=0 \
		"$STRATA_BIN" up >run.out 2>run.err &
	pid=$!
	tp_wait_paused "$pid" "$tp_fifo" run.err
	w=$(ps -o pid= --ppid "$pid" | tr -d ' ')
	[ -n "$w" ] || fail "strata has no worker process"
	# the next members pass the point: its name is gone
	rm -f "$tp_fifo"
	kill -KILL "$w"
	wait "$pid"
	# shellcheck disable=SC2034 # the expect_* helpers read them
	rc=$? out=$(<run.out) err=$(<run.err) last_cmd="strata up"
	expect_rc 137
	expect_out "tenant_a  failed"
	expect_out "tenant_b  ok"
	expect_out "tenant_c  ok"
	expect_err "3 members: 2 ok, 1 failed, 0 not run"
	expect_eq 0 "$(db_sql "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'tenant_a' AND table_name = 'users'")" "users in tenant_a"
	# a re-run goes on where it stopped
	st_raw up
	expect_rc 0
	expect_eq "1" "$(schema_versions tenant_a)" "history of tenant_a"
}

# Every fleet command over schemas sharing one connection reads each
# member's own schema: drift names the one member with an extra table.
t_fleet_commands_on_shared_connections_read_each_members_schema() {
	local c
	db_sql "CREATE SCHEMA tenant_a; CREATE SCHEMA tenant_b; CREATE SCHEMA tenant_c" >/dev/null
	mig 0001 users "CREATE TABLE users (id int PRIMARY KEY);" "DROP TABLE users;"
	mig 0002 days "CREATE TABLE days (id int PRIMARY KEY);" "DROP TABLE days;"
	tenant_conf "schemas:tenant\\_%"
	st_raw up --jobs 2
	expect_rc 0
	for c in status check validate plan history drift; do
		st_raw "$c"
		[ "$rc" = 0 ] || fail "$c over the fleet: exit $rc"
		expect_err "3 members: 3 ok, 0 failed, 0 not run"
	done
	db_sql "CREATE TABLE tenant_b.stray (id int)" >/dev/null
	st_raw drift
	expect_rc 3
	expect_out "tenant_a  ok"
	expect_out "tenant_b  failed"
	expect_out "tenant_c  ok"
	expect_out "stray"
}

# SIGTERM to strata while a worker runs a member: no member is started
# after it, the rest show as not run, and the exit code says interrupted.
t_sigterm_starts_no_more_members_of_a_worker_fleet() {
	local pid
	db_sql "CREATE SCHEMA tenant_a; CREATE SCHEMA tenant_b; CREATE SCHEMA tenant_c" >/dev/null
	mig 0001 users "CREATE TABLE users (id int PRIMARY KEY);"
	tenant_conf "schemas:tenant\\_%"
	tp_fifo=$PWD/tp.fifo
	mkfifo "$tp_fifo"
	STRATA_TEST_PAUSE="after_plan:$tp_fifo" ASAN_OPTIONS=detect_leaks=0 \
		"$STRATA_BIN" up >run.out 2>run.err &
	pid=$!
	tp_wait_paused "$pid" "$tp_fifo" run.err
	tp_signal "$pid" TERM
	tp_release
	wait "$pid"
	# shellcheck disable=SC2034 # the expect_* helpers read them
	rc=$? out=$(<run.out) err=$(<run.err) last_cmd="strata up"
	expect_rc 130
	expect_out "tenant_b  not run"
	expect_out "tenant_c  not run"
	expect_eq 0 "$(db_sql "SELECT count(*) FROM information_schema.tables WHERE table_schema IN ('tenant_b', 'tenant_c')")" "tables in tenant_b and tenant_c"
}
