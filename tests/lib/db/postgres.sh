# shellcheck shell=bash
# shellcheck disable=SC2034 # DB_* are read by test-lib.sh and run.sh
# Test glue for PostgreSQL (see tests/lib/db/sqlite.sh for the contract).

DB_SERVER=pg
DB_SUITE_PREFIX=pg

db_setup() {
	: "${STRATA_TEST_PG_PORT:?no PostgreSQL server (STRATA_TEST_PG_PORT)}"
	TEST_DBNAME="t_${TEST_ID}"
	PG_ADMIN="host=127.0.0.1 port=$STRATA_TEST_PG_PORT user=postgres dbname=postgres"
	# FILE_COPY: a copy of template1's files, not 7 MB of WAL; a third of
	# the time, for a database that lives for one test
	psql -X -q "$PG_ADMIN" -c "CREATE DATABASE $TEST_DBNAME STRATEGY FILE_COPY" >/dev/null || return 1
	TEST_URL="postgres://postgres@127.0.0.1:$STRATA_TEST_PG_PORT/$TEST_DBNAME?sslmode=disable"
	export TEST_URL
}

db_teardown() {
	psql -X -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS $TEST_DBNAME WITH (FORCE)" \
		-c "DROP DATABASE IF EXISTS ${TEST_DBNAME}b WITH (FORCE)" >/dev/null 2>&1
	return 0
}

db_sql_on() {
	local db=$TEST_DBNAME
	[ "$1" = second ] && db=${TEST_DBNAME}b
	psql -X -q -At -v ON_ERROR_STOP=1 \
		"host=127.0.0.1 port=$STRATA_TEST_PG_PORT user=postgres dbname=$db" -c "$2"
}

db_table_list() {
	db_sql "SELECT table_schema || '.' || table_name FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog','information_schema') AND table_name NOT IN ('$TEST_TABLE', '${TEST_TABLE}_log') ORDER BY 1" | sed 's/^public\.//'
}

db_second() {
	psql -X -q "$PG_ADMIN" -c "CREATE DATABASE ${TEST_DBNAME}b STRATEGY FILE_COPY" >/dev/null || return 1
	echo "postgres://postgres@127.0.0.1:$STRATA_TEST_PG_PORT/${TEST_DBNAME}b?sslmode=disable"
}

db_run_script() {
	local db=$TEST_DBNAME
	[ "${2:-}" = second ] && db=${TEST_DBNAME}b
	psql -X -q -v ON_ERROR_STOP=1 \
		"host=127.0.0.1 port=$STRATA_TEST_PG_PORT user=postgres dbname=$db" -f "$1" >/dev/null
}

db_literal() {
	printf "'%s'" "$1"
}

DB_SCHEMA_SQL="SELECT table_name || '.' || column_name || ':' || data_type FROM information_schema.columns WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1"

# --- the database as a whole (tests/lib/rel-lib.sh) -------------------------

db_file() {
	echo ""
}

db_reset() {
	db_sql "SET client_min_messages = warning; DROP SCHEMA public CASCADE; CREATE SCHEMA public" >/dev/null
}

db_schema_all() {
	db_sql "SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1"
	db_sql "SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1"
}

db_has_table() {
	[ "$(db_sql "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename = '$1'")" = 1 ]
}

db_integrity() {
	echo ok
}

db_object_names() {
	db_sql "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() UNION ALL SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
}

db_text_sql() {
	printf 'CAST(%s AS TEXT)' "$1"
}

db_absent_url() {
	echo "${TEST_URL/$TEST_DBNAME/${TEST_DBNAME}_absent}"
}

db_exists() {
	[ "$(db_sql "SELECT 1" 2>/dev/null)" = 1 ]
}

# --- the dialect and what the database does -----------------------------------

db_ddl_rolls_back() {
	return 0
}

db_has_schemas() {
	return 0
}

db_created() {
	return 1
}

db_unreachable_url() {
	echo "postgres://nobody:S3cretPW@127.0.0.1:1/x?sslmode=disable&connect_timeout=2"
}

db_column_type() {
	db_sql "SELECT data_type FROM information_schema.columns WHERE table_name = '$1' AND column_name = '$2'"
}

db_time_type() {
	echo TIMESTAMPTZ
}

db_loosen_version_column() {
	db_sql "ALTER TABLE $TEST_TABLE DROP CONSTRAINT ${TEST_TABLE}_pkey, ALTER COLUMN version DROP NOT NULL, ALTER COLUMN version TYPE VARCHAR(100)"
}

db_long_text_type() {
	echo TEXT
}

db_statement_length_sql() {
	echo "length(current_query())"
}

db_for_many_commits() {
	return 0
}

db_trigger_migration() {
	mkdir -p migrations
	cat >migrations/0001_bodies.up.sql <<'SQL'
-- strata:no-transaction
CREATE TABLE t (id int, n int);
CREATE TABLE log (msg text);
CREATE FUNCTION t_ins() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO log (msg) VALUES ('a;b');
	NEW.n := 1;
	RETURN NEW;
END $$;
CREATE TRIGGER t_ins BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION t_ins();
INSERT INTO t (id) VALUES (1);
SQL
}

# --- backups and restore -----------------------------------------------------

db_backups_are_sql() {
	return 0
}

db_backup_text() {
	cat "$1"
}

db_foreign_file() {
	printf 'CREATE TABLE intruder (id INTEGER);\nINSERT INTO intruder VALUES (7);\n' >other.sql
	echo other.sql
}

db_backup_head() {
	echo '-- strata backup of "app" (postgres, pg_dump), 2026-01-01 00:00:00 UTC'
}

db_client_escapes() {
	printf '%s\n' "\\! touch $1" "SELECT 1; \\! touch $1" \
		"\\copy notes TO '$1'" "\\o $1"
}

db_client_escape_refusal() {
	echo "psql command \\o"
}

# --- what the server suites need (srv_*.sh) --------------------------------------

# db_series_sql N: a query of the integers 1..N, column n.
db_series_sql() {
	echo "SELECT g AS n FROM generate_series(1, $1) g"
}

# db_sleep_sql SECONDS: an expression that waits SECONDS in the server.
db_sleep_sql() {
	echo "pg_sleep($1)"
}

# The runner lock's name, as strata's messages give it.
db_lock_name() {
	printf '%s' 'strata:"public"."schema_migrations"'
}

# Succeeds while some session holds the runner lock of the test database.
db_lock_held() {
	[ "$(db_sql "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE l.locktype = 'advisory' AND l.granted AND d.datname = current_database()")" != 0 ]
}

# SQL that takes the runner lock in a session (waiting for it), and SQL
# that gives back what the session holds.
db_lock_take_sql() {
	echo "SELECT pg_advisory_lock(hashtextextended('$(db_lock_name)', 0))"
}

db_lock_give_sql() {
	echo "SELECT pg_advisory_unlock_all()"
}

# Succeeds while a strata run waits for the runner lock (polls it: its
# last query is the lock's; the holder's is not).
db_lock_waiting() {
	[ "$(db_sql "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'strata' AND query LIKE '%pg_try_advisory_lock%'")" -ge 1 ]
}

# A gate a test holds shut (db_gate_take_sql in a session of its own,
# db_gate_give_sql to open it), for a statement of a migration that waits
# there (db_gate_pass_sql), so that the test knows strata is inside that
# statement (db_gate_waiting) for as long as it likes. NAME: a word.
db_gate_key() {
	echo "hashtextextended('strata-test-gate:$1', 0)"
}

db_gate_take_sql() {
	echo "SELECT pg_advisory_lock($(db_gate_key "$1"))"
}

db_gate_give_sql() {
	echo "SELECT pg_advisory_unlock_all()"
}

# released at the end of the transaction (or of the statement, outside one)
db_gate_pass_sql() {
	echo "SELECT pg_advisory_xact_lock($(db_gate_key "$1"))"
}

db_gate_waiting() {
	[ "$(db_sql "SELECT count(*) FROM pg_locks l, (SELECT $(db_gate_key "$1") AS h) k WHERE l.locktype = 'advisory' AND NOT l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND l.classid::bigint = (k.h >> 32) & 4294967295 AND l.objid::bigint = k.h & 4294967295")" -ge 1 ]
}

# db_statement_running TEXT: succeeds while another session of the test
# database runs a statement holding TEXT.
db_statement_running() {
	[ -n "$(db_sql "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND query LIKE '%$1%' AND pid <> pg_backend_pid()")" ]
}

# Succeeds when each session has a server process of its own
# (db_session_pid); else a test stops a relay to the server instead.
db_sessions_have_processes() {
	return 0
}

# The server process of strata's session on the test database.
db_session_pid() {
	db_sql "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'strata'"
}

# The server's port, and the test database's URL through another port.
db_port() {
	echo "$STRATA_TEST_PG_PORT"
}

db_url_at() {
	echo "postgres://postgres@127.0.0.1:$1/$TEST_DBNAME?sslmode=disable"
}

# What strata's message names when it asks the server to end a session.
db_kill_hint() {
	echo "pg_terminate_backend"
}

# db_url_with_keepalive IDLE USER_TIMEOUT: the test URL with TCP keepalive
# idle seconds and TCP_USER_TIMEOUT ms set ("" where the URL cannot).
db_url_with_keepalive() {
	echo "$TEST_URL&keepalives_idle=$1&tcp_user_timeout=$2"
}

# --- other tools' tables and clients (shared_adopt.sh, peers.sh) --------------

db_all_tables() {
	db_sql "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1"
}

db_blob_literal() {
	printf "decode('%s', 'hex')" "$1"
}

db_type_blob() {
	echo BYTEA
}

db_type_timestamp() {
	echo TIMESTAMPTZ
}

db_type_serial_key() {
	echo "integer PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY"
}

db_drop_index_sql() {
	printf 'DROP INDEX %s;' "$1"
}

db_go_dialect() {
	echo postgres
}

db_go_datasource() {
	echo "host=127.0.0.1 port=$STRATA_TEST_PG_PORT user=postgres dbname=$TEST_DBNAME sslmode=disable"
}

# --- another session holding something -----------------------------------------

db_hold() {
	psql -X -q -At -v ON_ERROR_STOP=1 \
		"host=127.0.0.1 port=$STRATA_TEST_PG_PORT user=postgres dbname=$TEST_DBNAME" \
		-c "$1" -c "\\! echo held >'$2' && read _ <'$3'" -c "$4"
}
