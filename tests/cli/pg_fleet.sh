# shellcheck shell=bash
# shellcheck disable=SC2154 # st sets rc, out, err
# Fleets on PostgreSQL: a schema per tenant (fleet = schemas:PATTERN, each
# member with --schema) and members listed by a query (fleet = query:SQL
# on fleet_url); --jobs with each member under its own lock, and two
# fleet runs racing apply each migration once per member.

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
