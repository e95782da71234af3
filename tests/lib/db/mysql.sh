# shellcheck shell=bash
# shellcheck disable=SC2034 # DB_* are read by test-lib.sh and run.sh
# Test glue for MySQL/MariaDB (see tests/lib/db/sqlite.sh for the contract).

DB_SERVER=mysql
DB_SUITE_PREFIX=mysql

my_client() {
	mariadb --no-defaults -h 127.0.0.1 -P "$STRATA_TEST_MYSQL_PORT" -u root "$@"
}

db_setup() {
	: "${STRATA_TEST_MYSQL_PORT:?no MariaDB server (STRATA_TEST_MYSQL_PORT)}"
	TEST_DBNAME="t_${TEST_ID}"
	my_client -e "CREATE DATABASE $TEST_DBNAME" || return 1
	TEST_URL="mysql://root@127.0.0.1:$STRATA_TEST_MYSQL_PORT/$TEST_DBNAME"
	export TEST_URL
}

db_teardown() {
	my_client -e "DROP DATABASE IF EXISTS $TEST_DBNAME; DROP DATABASE IF EXISTS ${TEST_DBNAME}b" >/dev/null 2>&1
	return 0
}

db_sql_on() {
	local db=$TEST_DBNAME
	[ "$1" = second ] && db=${TEST_DBNAME}b
	my_client -N -B "$db" -e "$2" | tr '\t' '|'
}

db_table_list() {
	db_sql "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name NOT IN ('$TEST_TABLE', '${TEST_TABLE}_log') ORDER BY 1"
}

db_second() {
	my_client -e "CREATE DATABASE ${TEST_DBNAME}b" || return 1
	echo "mysql://root@127.0.0.1:$STRATA_TEST_MYSQL_PORT/${TEST_DBNAME}b"
}

db_run_script() {
	local db=$TEST_DBNAME
	[ "${2:-}" = second ] && db=${TEST_DBNAME}b
	my_client "$db" <"$1"
}

# backslashes escape in MySQL's string literals
db_literal() {
	printf "'%s'" "$(printf '%s' "$1" | sed 's/\\/\\\\/g')"
}

DB_SCHEMA_SQL="SELECT CONCAT(table_name, '.', column_name, ':', column_type) FROM information_schema.columns WHERE table_schema = DATABASE() ORDER BY 1"

# --- the database as a whole (tests/lib/rel-lib.sh) -------------------------

db_file() {
	echo ""
}

db_reset() {
	local t
	for t in $(db_sql "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()"); do
		db_sql "DROP TABLE \`$t\`" >/dev/null
	done
}

db_schema_all() {
	db_sql "SELECT concat(table_name, '.', column_name, ' ', column_type, ' ', is_nullable) FROM information_schema.columns WHERE table_schema = DATABASE() ORDER BY 1"
	db_sql "SELECT concat(table_name, '.', index_name, ' ', column_name) FROM information_schema.statistics WHERE table_schema = DATABASE() ORDER BY 1"
}

# the server's other databases are in information_schema too
db_has_table() {
	[ "$(db_sql "SELECT count(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = '$1'")" = 1 ]
}

db_integrity() {
	echo ok
}

db_object_names() {
	db_sql "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() UNION ALL SELECT DISTINCT index_name FROM information_schema.statistics WHERE table_schema = DATABASE()"
}

db_text_sql() {
	printf 'CAST(%s AS CHAR)' "$1"
}

db_absent_url() {
	echo "${TEST_URL/$TEST_DBNAME/${TEST_DBNAME}_absent}"
}

db_exists() {
	[ "$(db_sql "SELECT 1" 2>/dev/null)" = 1 ]
}

# --- the dialect and what the database does -----------------------------------

# DDL commits by itself
db_ddl_rolls_back() {
	return 1
}

db_has_schemas() {
	return 1
}

db_created() {
	return 1
}

db_unreachable_url() {
	echo "mysql://nobody:S3cretPW@127.0.0.1:1/x"
}

db_column_type() {
	db_sql "SELECT lower(DATA_TYPE) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '$1' AND COLUMN_NAME = '$2'"
}

db_time_type() {
	echo "DATETIME(3)"
}

db_loosen_version_column() {
	db_sql "ALTER TABLE $TEST_TABLE DROP PRIMARY KEY, MODIFY version VARCHAR(100) NULL"
}

db_long_text_type() {
	echo LONGTEXT
}

db_statement_length_sql() {
	echo ""
}

db_for_many_commits() {
	return 0
}

# The file leaves its own delimiter in force at its end; 0003's last
# statement lacks its delimiter.
db_trigger_migration() {
	mkdir -p migrations
	cat >migrations/0001_bodies.up.sql <<'SQL'
CREATE TABLE t (id INT, n INT);
CREATE TABLE log (msg VARCHAR(20));
DELIMITER $$
CREATE TRIGGER t_ins BEFORE INSERT ON t FOR EACH ROW
BEGIN
	INSERT INTO log (msg) VALUES ('a;b');
	SET NEW.n = 1;
END$$
INSERT INTO t (id) VALUES (1)$$
SQL
	printf '%s' "DELIMITER //
CREATE TABLE s1 (id INT)//
CREATE TABLE s2 (id INT)" >migrations/0003_slashes.up.sql
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
	echo '-- strata backup of "app" (mysql, mysqldump), 2026-01-01 00:00:00 UTC'
}

db_client_escapes() {
	printf '%s\n' "system touch $1" "\\! touch $1" \
		"SELECT 1; \\! touch $1" "tee $1"
}

db_client_escape_refusal() {
	echo "mysql client command 'tee'"
}

# --- what the server suites need (srv_*.sh) --------------------------------------

db_series_sql() {
	echo "SELECT seq AS n FROM seq_1_to_$1"
}

db_sleep_sql() {
	echo "SLEEP($1)"
}

# shellcheck disable=SC2016 # MySQL's backticks, not the shell's
db_lock_name() {
	printf 'strata:`%s`.`schema_migrations`@%s' "$TEST_DBNAME" "$TEST_DBNAME"
}

db_lock_held() {
	[ "$(db_sql "SELECT IS_USED_LOCK('$(db_lock_name)')")" != NULL ]
}

db_lock_take_sql() {
	echo "DO GET_LOCK('$(db_lock_name)', 600)"
}

db_lock_give_sql() {
	echo "DO RELEASE_ALL_LOCKS()"
}

# a session waits in GET_LOCK for the lock
db_lock_waiting() {
	[ -n "$(db_sql "SELECT ID FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND STATE = 'User lock' AND INFO LIKE '%GET_LOCK(%$(db_lock_name)%' AND ID <> CONNECTION_ID()")" ]
}

# user locks are the server's, not the database's: the name holds it
db_gate_name() {
	echo "strata-test-gate:$1@$TEST_DBNAME"
}

db_gate_take_sql() {
	echo "DO GET_LOCK('$(db_gate_name "$1")', 600)"
}

db_gate_give_sql() {
	echo "DO RELEASE_ALL_LOCKS()"
}

db_gate_pass_sql() {
	echo "DO GET_LOCK('$(db_gate_name "$1")', 600), RELEASE_LOCK('$(db_gate_name "$1")')"
}

db_gate_waiting() {
	[ -n "$(db_sql "SELECT ID FROM information_schema.PROCESSLIST WHERE STATE = 'User lock' AND INFO LIKE '%GET_LOCK(%$(db_gate_name "$1")%' AND ID <> CONNECTION_ID()")" ]
}

db_statement_running() {
	[ -n "$(db_sql "SELECT ID FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND INFO LIKE '%$1%' AND ID <> CONNECTION_ID()")" ]
}

# one server process serves every session
db_sessions_have_processes() {
	return 1
}

db_port() {
	echo "$STRATA_TEST_MYSQL_PORT"
}

db_url_at() {
	echo "mysql://root@127.0.0.1:$1/$TEST_DBNAME"
}

db_kill_hint() {
	echo "KILL CONNECTION"
}

# no such URL parameters
db_url_with_keepalive() {
	echo ""
}

# --- other tools' tables and clients (shared_adopt.sh, peers.sh) --------------

db_all_tables() {
	db_sql "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY 1"
}

db_blob_literal() {
	printf "X'%s'" "$1"
}

db_type_blob() {
	echo BLOB
}

db_type_timestamp() {
	echo "DATETIME(3)"
}

db_type_serial_key() {
	echo "bigint unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY"
}

# an index belongs to its table
db_drop_index_sql() {
	printf 'DROP INDEX %s ON %s;' "$1" "$2"
}

db_go_dialect() {
	echo mysql
}

db_go_datasource() {
	echo "root@tcp(127.0.0.1:$STRATA_TEST_MYSQL_PORT)/$TEST_DBNAME?parseTime=true"
}

# --- another session holding something -----------------------------------------

# the client's `system` command ends at a ';' (and the SQL before it
# needs one)
db_hold() {
	my_client "$TEST_DBNAME" -e "${1%;};
system sh -c 'echo held >$2 && read _ <$3'
${4%;};"
}
