# shellcheck shell=bash
# Targets against real servers: two PostgreSQL databases as two targets
# (one standing in for TimescaleDB), an exec target driving Redis through
# redis-cli, and a Python migration; their history in one registry table.
# Also the examples/multi layout itself.

pg_layout() {
	second=$(db_second) || fail "no second database"
	export APP_URL="$TEST_URL" TS_URL="$second"
	mkdir -p migrations/app migrations/ts migrations/cache migrations/py
	cat >strata.conf <<'CONF'
[strata]
registry = app

[target "ts"]
type = postgres
url = ${TS_URL}
dir = migrations/ts

[target "app"]
type = postgres
url = ${APP_URL}
dir = migrations/app

[target "cache"]
type = exec
dir = migrations/cache
extension = .lua
command = redis-cli -e -p ${STRATA_TEST_REDIS_PORT} --eval {file}

[target "py"]
type = exec
dir = migrations/py
extension = .py
env.OUT = ${PWD}/py.out
CONF
	echo "CREATE TABLE metrics (t TIMESTAMPTZ NOT NULL, v REAL);" >migrations/ts/001_metrics.up.sql
	echo "DROP TABLE metrics;" >migrations/ts/001_metrics.down.sql
	echo "CREATE TABLE users (id BIGSERIAL PRIMARY KEY);" >migrations/app/001_users.up.sql
	echo "DROP TABLE users;" >migrations/app/001_users.down.sql
	echo "CREATE TABLE roles (id BIGSERIAL PRIMARY KEY);" >migrations/app/002_roles.up.sql
	echo "DROP TABLE roles;" >migrations/app/002_roles.down.sql
	key="strata_t_$TEST_ID"
	echo "return redis.call('SET', '$key', 'seeded')" >migrations/cache/001_seed.up.lua
	echo "return redis.call('DEL', '$key')" >migrations/cache/001_seed.down.lua
	printf 'import os\nopen(os.environ["OUT"], "a").write("up %%s\\n" %% os.environ["STRATA_VERSION"])\n' >migrations/py/001_note.up.py
	printf 'import os\nopen(os.environ["OUT"], "a").write("down\\n")\n' >migrations/py/001_note.down.py
}

t_every_target_up_status_down() {
	[ -n "${STRATA_TEST_REDIS_PORT:-}" ] || skip "no Redis server"
	pg_layout
	st_raw up
	expect_rc 0
	expect_eq "seeded" "$(redis-cli -p "$STRATA_TEST_REDIS_PORT" GET "$key")" "redis"
	expect_eq "up 1" "$(cat py.out)" "python migration"
	expect_tables "roles users"
	expect_eq "metrics" "$(db_schema second | cut -d. -f1 | sort -u | grep -v schema_migrations)" "tables of ts"
	expect_eq "app|1|postgres app|2|postgres cache|1|exec py|1|exec" \
		"$(db_sql "SELECT target, version, database_type FROM schema_migrations ORDER BY target, version" | tr '\n' ' ' | sed 's/ $//')" \
		"registry history"
	st_raw status
	expect_rc 0
	expect_out "== target ts (postgres) =="
	expect_out "== target cache (exec) =="
	expect_out "seed  applied"
	st_raw validate
	expect_rc 0
	st_raw down
	expect_rc 0
	expect_eq "" "$(redis-cli -p "$STRATA_TEST_REDIS_PORT" GET "$key")" "redis after down"
	expect_tables "users"
	expect_eq "up 1
down" "$(cat py.out)" "python down"
}

t_failing_target_and_unset_variable() {
	pg_layout
	rm -rf migrations/cache
	sed -i '/\[target "cache"\]/,/^$/d' strata.conf
	echo "CREATE TABLE broken (" >migrations/app/003_broken.up.sql
	st_raw up
	expect_rc 1
	expect_err "migrations/app/003_broken.up.sql"
	expect_err "stopped at target 'app'; done: ts; not run: py"
	[ ! -e py.out ] || fail "py ran after the failure"
	rm migrations/app/003_broken.up.sql
	unset APP_URL
	st_raw status
	expect_rc 2
	expect_err "\${APP_URL} is not set"
}

t_missing_target_folder() {
	pg_layout
	rm -rf migrations/ts
	st_raw up
	expect_rc 2
	expect_err "migrations folder 'migrations/ts' does not exist"
	expect_err "stopped at target 'ts'; done: none"
	expect_tables ""
}

t_examples_multi_layout() {
	cp -r "$STRATA_SRC_ROOT/examples/multi/." .
	export TIMESCALE_DSN="$TEST_URL" NEO4J_URI=bolt://127.0.0.1:1 NEO4J_USER=neo4j NEO4J_PASSWORD=S3cretNeo CHROMA_HOST=127.0.0.1
	# the machine has no cypher-shell: validate says so, naming the line
	st_raw validate --offline
	expect_rc 2
	expect_err "strata.conf:26: error: target 'neo4j': the command's program 'cypher-shell' is not found on PATH"
	expect_err "stopped at target 'neo4j'; done: timescaledb, postgres"
	st_raw --target postgres validate --offline
	expect_rc 0
	st_raw --target timescaledb up
	expect_rc 0
	st_raw --target postgres up
	expect_rc 0
	expect_out "007_portfolio_preferences"
	expect_eq "postgres|7 timescaledb|3" \
		"$(db_sql "SELECT target, count(*) FROM schema_migrations GROUP BY target ORDER BY 1" | tr '\n' ' ' | sed 's/ $//')"
	st_raw config
	expect_rc 0
	refute_out "S3cretNeo"
	st_raw new --target postgres add_user_preferences
	expect_rc 0
	[ -f migrations/postgres/008_add_user_preferences.up.sql ] || fail "no 008: $(ls migrations/postgres)"
	# a file left as the template is refused: give it its change
	echo "CREATE TABLE user_preferences (id integer PRIMARY KEY);" >>migrations/postgres/008_add_user_preferences.up.sql
	st_raw new --target neo4j add_user_relationships
	[ -f migrations/neo4j/002_add_user_relationships.up.cql ] || fail "no 002 cql: $(ls migrations/neo4j)"
	st_raw --target postgres down 3
	expect_rc 0
	expect_eq "postgres|4 timescaledb|3" \
		"$(db_sql "SELECT target, count(*) FROM schema_migrations GROUP BY target ORDER BY 1" | tr '\n' ' ' | sed 's/ $//')"
	st_raw --target postgres fresh --yes-delete-all-data --no-backup
	expect_rc 0
}
