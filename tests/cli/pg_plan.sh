# shellcheck shell=bash
# PostgreSQL: scripts with --schema. `up --schema S` creates S when it is
# missing, keeps its history table in S and runs the migrations with
# search_path set to S; a script from `plan --schema S`, run with psql,
# must do the same.

pg_conn() {
	echo "host=127.0.0.1 port=$STRATA_TEST_PG_PORT user=${2:-postgres} dbname=$1"
}

# objects DB: every column of every table outside the system schemas, as
# schema.table.column:type lines
objects() {
	psql -X -At "$(pg_conn "$1")" -c "SELECT table_schema || '.' || table_name || '.' || column_name || ':' || data_type FROM information_schema.columns WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1"
}

# history DB SCHEMA: the history in SCHEMA as comparable text
history() {
	psql -X -At "$(pg_conn "$1")" -c "SELECT version, name, kind, file, checksum, dirty FROM \"$2\".schema_migrations ORDER BY version_sort, name"
}

# psql_script FILE [DB [USER]]: run FILE as db_run_script does
psql_script() {
	psql -X -q -v ON_ERROR_STOP=1 "$(pg_conn "${2:-$TEST_DBNAME}" "${3:-postgres}")" -f "$1" >/dev/null
}

# same_as_second WHAT: objects and history in app of both databases
same_as_second() {
	expect_eq "$(objects "${TEST_DBNAME}b")" "$(objects "$TEST_DBNAME")" "objects after $1: script vs up"
	expect_eq "$(history "${TEST_DBNAME}b" app)" "$(history "$TEST_DBNAME" app)" "history after $1: script vs up"
}

app_migrations() {
	mig 0001 users "CREATE TABLE users (id int PRIMARY KEY);" "DROP TABLE users;"
	mig 0002 days "CREATE TABLE days (id int PRIMARY KEY, user_id int REFERENCES users);
CREATE TABLE where_am_i AS SELECT current_schema() AS s;" "DROP TABLE days, where_am_i;"
	mig 0003 index "-- strata:no-transaction
CREATE INDEX CONCURRENTLY days_user ON days (user_id);" "-- strata:no-transaction
DROP INDEX CONCURRENTLY days_user;"
}

t_schema_plan_creates_the_schema_as_up_does() {
	app_migrations
	st --schema app plan
	expect_rc 0
	printf '%s\n' "$out" >up.sql
	expect_eq "" "$(db_sql "SELECT 1 FROM pg_namespace WHERE nspname = 'app'")" "schema app before the script"
	psql_script up.sql || fail "psql rejected the plan: $(cat up.sql)"
	second=$(db_second) || fail "no second database"
	st_raw -d "$second" -m migrations --schema app up
	expect_rc 0
	same_as_second up
	expect_eq "app" "$(db_sql "SELECT s FROM app.where_am_i")" "schema the migrations ran in"
	expect_eq "" "$(db_sql "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")" "tables in public"
	expect_eq "t" "$(db_sql "SELECT indisvalid FROM pg_index WHERE indexrelid = 'app.days_user'::regclass")" "index in app"
	st --schema app status
	expect_rc 0
	expect_out "3 applied, 0 pending"
	# down, in the schema as well
	st --schema app plan --down --all
	expect_rc 0
	printf '%s\n' "$out" >down.sql
	psql_script down.sql || fail "psql rejected the down plan: $(cat down.sql)"
	st_raw -d "$second" -m migrations --schema app down --all --no-backup
	expect_rc 0
	same_as_second down
	expect_eq "app.schema_migrations
app.schema_migrations_log" "$(db_sql "SELECT table_schema || '.' || table_name FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1")" "tables left"
}

t_schema_plan_offline_and_for_an_existing_schema() {
	app_migrations
	st --schema app plan --offline
	expect_rc 0
	printf '%s\n' "$out" >all.sql
	second=$(db_second) || fail "no second database"
	# the schema exists, with one migration applied
	st --schema app up 1
	expect_rc 0
	st_raw -d "$second" -m migrations --schema app up 1
	expect_rc 0
	st --schema app plan
	expect_rc 0
	expect_out "2 migrations to apply"
	refute_out "CREATE TABLE IF NOT EXISTS"
	printf '%s\n' "$out" >rest.sql
	psql_script rest.sql || fail "psql rejected the plan: $(cat rest.sql)"
	st_raw -d "$second" -m migrations --schema app up
	expect_rc 0
	same_as_second up
	# the offline script on a fresh database: the same again
	trap 'db_teardown; psql -X -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS ${TEST_DBNAME}c WITH (FORCE)" >/dev/null 2>&1' EXIT
	psql -X -q "$PG_ADMIN" -c "CREATE DATABASE ${TEST_DBNAME}c" >/dev/null || fail "no third database"
	psql_script all.sql "${TEST_DBNAME}c" || fail "psql rejected the offline plan: $(cat all.sql)"
	expect_eq "$(objects "${TEST_DBNAME}b")" "$(objects "${TEST_DBNAME}c")" "objects: offline script vs up"
	expect_eq "$(history "${TEST_DBNAME}b" app)" "$(history "${TEST_DBNAME}c" app)" "history: offline script vs up"
}

# Like up, the script looks for the schema before creating it: a user
# without the CREATE privilege on the database can run it in a schema
# that exists.
t_schema_script_needs_no_create_on_the_database() {
	role="strata_plan_$TEST_ID"
	trap 'db_teardown; psql -X -q "$PG_ADMIN" -c "DROP ROLE IF EXISTS $role" >/dev/null 2>&1' EXIT
	db_sql "CREATE ROLE $role LOGIN; CREATE SCHEMA app AUTHORIZATION $role"
	mig 0001 users "CREATE TABLE users (id int PRIMARY KEY);"
	st --schema app plan --offline
	expect_rc 0
	printf '%s\n' "$out" >up.sql
	psql_script up.sql "$TEST_DBNAME" "$role" || fail "psql as $role rejected the plan: $(cat up.sql)"
	expect_eq "app.users" "$(db_sql "SELECT schemaname || '.' || tablename FROM pg_tables WHERE tableowner = '$role' AND tablename = 'users'")" "table made by $role"
	st_raw -d "postgres://$role@127.0.0.1:$STRATA_TEST_PG_PORT/$TEST_DBNAME?sslmode=disable" -m migrations --schema app status
	expect_rc 0
	expect_out "1 applied, 0 pending"
}

t_schema_dry_run_shows_the_set_up_and_changes_nothing() {
	app_migrations
	st --schema app up --dry-run
	expect_rc 0
	expect_out "CREATE SCHEMA \"app\""
	expect_out 'SET search_path TO "app";'
	expect_out 'CREATE TABLE IF NOT EXISTS "app"."schema_migrations"'
	expect_eq "" "$(db_sql "SELECT 1 FROM pg_namespace WHERE nspname = 'app'")" "schema app after a dry run"
	st --schema app up 1
	st --schema app down --dry-run
	expect_rc 0
	expect_out 'SET search_path TO "app";'
	expect_out "DROP TABLE users"
	expect_eq "1" "$(history "$TEST_DBNAME" app | cut -d'|' -f1)" "history after a dry run"
	# fresh prints the same set-up after its drop
	st --schema app fresh --dry-run
	expect_rc 0
	expect_out 'SET search_path TO "app";'
	expect_out 'CREATE TABLE IF NOT EXISTS "app"."schema_migrations"'
	expect_eq "1" "$(history "$TEST_DBNAME" app | cut -d'|' -f1)" "history after a dry run of fresh"
}
