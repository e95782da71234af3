# shellcheck shell=bash
# shellcheck disable=SC2034 # DB_* are read by test-lib.sh and run.sh
# Test glue for SQLite: how the CLI suites make, reach and drop a database
# of this kind. test-lib.sh sources tests/lib/db/$STRATA_TEST_DB.sh; every
# file here defines the same variables and functions (docs/DRIVERS.md).

# The server tests/lib/servers.sh starts for this database ("": none), and
# the prefix of the suites that run on it alone (tests/run.sh).
DB_SERVER=
DB_SUITE_PREFIX=sqlite

# A fresh database for one test: sets and exports TEST_URL.
db_setup() {
	TEST_URL="sqlite:$PWD/test.db"
	export TEST_URL
}

# Drop what db_setup and db_second made (runs on every way out).
db_teardown() {
	return 0
}

# db_sql_on WHICH SQL: run SQL with the database's own client, printing
# rows as "a|b" lines; WHICH: "" (the test's database) or "second".
db_sql_on() {
	local file=$PWD/test.db
	[ "$1" = second ] && file=$PWD/second.db
	sqlite3 -batch -separator '|' "$file" "$2"
}

# User tables, sorted, one per line, without the history table
# (db_tables joins them).
db_table_list() {
	[ -f "$PWD/test.db" ] || { echo ""; return; }
	db_sql "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' AND name NOT IN ('$TEST_TABLE', '${TEST_TABLE}_log') ORDER BY name"
}

# A second database of the same kind: prints its URL.
db_second() {
	echo "sqlite:$PWD/second.db"
}

# db_run_script FILE [second]: run FILE with the client, stopping at the
# first error.
db_run_script() {
	local file=$PWD/test.db
	[ "${2:-}" = second ] && file=$PWD/second.db
	sqlite3 -bail "$file" <"$1"
}

# db_literal TEXT: TEXT, which holds no "'", as a SQL string literal
# (its backslashes escaped where the database reads them as escapes).
db_literal() {
	printf "'%s'" "$1"
}

# A query for the schema of user tables as table.column:type lines.
DB_SCHEMA_SQL="SELECT m.name || '.' || p.name || ':' || p.type FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table' ORDER BY 1"

# --- the database as a whole (tests/lib/rel-lib.sh) -------------------------

# The file that holds the database ("" for a server's).
db_file() {
	printf '%s\n' "${TEST_URL#sqlite:}"
}

# Drop everything: the database is as db_setup left it.
db_reset() {
	local f
	f=$(db_file)
	rm -f "$f" "$f-journal" "$f-wal" "$f-shm"
}

# The schema as text, sorted, history table and indexes included: equal
# text means equal schema (SQLite: every object's stored SQL).
db_schema_all() {
	[ -f "$(db_file)" ] || return 0
	db_sql "SELECT type || ' ' || name || ' ' || tbl_name || ': ' || replace(coalesce(sql, ''), char(10), ' ') FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name"
}

# db_has_table NAME: succeeds when table NAME exists.
db_has_table() {
	[ -f "$(db_file)" ] || return 1
	[ "$(db_sql "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '$1'")" = 1 ]
}

# "ok" when the database's own check passes (the servers check themselves).
db_integrity() {
	[ -f "$(db_file)" ] || { echo ok; return; }
	db_sql "PRAGMA integrity_check" 2>&1 | tr '\n' ' ' | sed 's/ $//'
}

# The names of the tables and indexes, one per line.
db_object_names() {
	db_sql "SELECT name FROM sqlite_master"
}

# db_text_sql EXPR: EXPR as text, in SQL.
db_text_sql() {
	printf 'CAST(%s AS TEXT)' "$1"
}

# A URL of this kind naming a database that does not exist.
db_absent_url() {
	echo "sqlite:$PWD/absent.db"
}

# Succeeds when the test's database exists (never creates it).
db_exists() {
	[ -e "$(db_file)" ]
}

# --- the dialect and what the database does -----------------------------------

# Succeeds when DDL in a transaction rolls back with it.
db_ddl_rolls_back() {
	return 0
}

# Succeeds when the database has schemas (--schema).
db_has_schemas() {
	return 1
}

# Succeeds when strata made the database itself (SQLite: the file);
# db_setup makes a server's.
db_created() {
	[ -f "$(db_file)" ]
}

# A URL that cannot be reached, with the password S3cretPW where the
# database takes one.
db_unreachable_url() {
	echo "sqlite:$PWD/no/such/folder/x.db"
}

# db_column_type TABLE COLUMN: the column's type, lower case.
db_column_type() {
	db_sql "SELECT lower(type) FROM pragma_table_info('$1') WHERE name = '$2'"
}

# The type of applied_at in the history table of the previous release.
db_time_type() {
	echo TEXT
}

# Let the history table's version column hold what strata never writes
# (NULL, text), as a hand-edited or foreign-made table can.
db_loosen_version_column() {
	db_sql "CREATE TABLE h2 AS SELECT * FROM $TEST_TABLE; DROP TABLE $TEST_TABLE; ALTER TABLE h2 RENAME TO $TEST_TABLE"
}

# A type for a text of megabytes.
db_long_text_type() {
	echo TEXT
}

# An SQL expression: the length of the statement being run, as the server
# received it; "" where the database cannot tell.
db_statement_length_sql() {
	echo ""
}

# A test that commits some 65000 times in a row: SQLite syncs each commit,
# so its database goes to /dev/shm (skipped without one). Changes TEST_URL.
db_for_many_commits() {
	if ! [ -d /dev/shm ] || ! [ -w /dev/shm ]; then
		skip "no writable /dev/shm: 65000 synced SQLite commits take minutes"
	fi
	DB_SHM_FILE=/dev/shm/strata-history-$TEST_ID.db
	TEST_URL="sqlite:$DB_SHM_FILE"
	trap 'rm -f "$DB_SHM_FILE" "$DB_SHM_FILE-journal"' EXIT
	db_sql() { sqlite3 -batch -separator '|' "$DB_SHM_FILE" "$1"; }
}

# db_trigger_migration: migrations/0001_bodies.up.sql, a no-transaction
# part that makes tables t (id, n) and log (msg) and a trigger whose body
# holds ';' and which, on an insert into t, logs 'a;b' and sets n to 1,
# then inserts id 1 into t (and, where the client has delimiters, files
# that change them).
db_trigger_migration() {
	mkdir -p migrations
	cat >migrations/0001_bodies.up.sql <<'SQL'
-- strata:no-transaction
CREATE TABLE t (id INTEGER, n INTEGER);
CREATE TABLE log (msg TEXT);
CREATE TRIGGER t_ins AFTER INSERT ON t
BEGIN
	INSERT INTO log (msg) VALUES ('a;b');
	UPDATE t SET n = 1 WHERE id = NEW.id;
END;
INSERT INTO t (id) VALUES (1);
SQL
}

# --- backups and restore -----------------------------------------------------

# Succeeds when backups are SQL text (the dump tool's output); SQLite's
# are database files.
db_backups_are_sql() {
	return 1
}

# db_backup_text FILE: a backup as SQL text.
db_backup_text() {
	sqlite3 "$1" .dump
}

# A file restore takes that is not strata's backup, holding table intruder
# with a row 7; prints its name.
db_foreign_file() {
	sqlite3 other.db "CREATE TABLE intruder (id INTEGER); INSERT INTO intruder VALUES (7);"
	echo other.db
}

# The first line of a strata backup ("" where backups are not text).
db_backup_head() {
	echo ""
}

# db_client_escapes PATH: commands the database's client would run itself,
# each writing PATH, one per line.
db_client_escapes() {
	printf '%s\n' ".shell touch $1" "\\! touch $1"
}

# What restore says of the last of db_client_escapes.
db_client_escape_refusal() {
	echo "not a SQLite database"
}

# --- other tools' tables and clients (shared_adopt.sh, peers.sh) --------------

# Every table, history tables included, sorted, one per line.
db_all_tables() {
	[ -f "$(db_file)" ] || return 0
	db_sql "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
}

# db_blob_literal HEX: the bytes HEX as a SQL literal.
db_blob_literal() {
	printf "X'%s'" "$1"
}

# Column types as the other tools write them: bytes; a point in time; an
# integer primary key the database numbers by itself.
db_type_blob() {
	echo BLOB
}

db_type_timestamp() {
	echo DATETIME
}

db_type_serial_key() {
	echo "INTEGER PRIMARY KEY AUTOINCREMENT"
}

# db_drop_index_sql INDEX TABLE: the statement that drops INDEX of TABLE.
db_drop_index_sql() {
	printf 'DROP INDEX %s;' "$1"
}

# The test database as Go's database/sql names it (sql-migrate's
# dbconfig.yml): the dialect, and the data source.
db_go_dialect() {
	echo sqlite3
}

db_go_datasource() {
	db_file
}

# --- another session holding something -----------------------------------------

# db_hold TAKE READY END GIVE: one session of the client runs the SQL
# TAKE, writes "held" to the FIFO READY, waits for a line on the FIFO END,
# runs the SQL GIVE and exits (tests/lib/exact-lib.sh: hold_start).
db_hold() {
	sqlite3 -bail "$(db_file)" "$1" ".shell echo held >'$2' && read _ <'$3'" "$4"
}
