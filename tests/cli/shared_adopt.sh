# shellcheck shell=bash
# shellcheck disable=SC2154 # rc, out, err are set by st (test-lib.sh)
# strata adopt, on every database: another tool's history table is taken
# over in place and nothing old runs again. dbmate and sql-migrate apply
# their folders themselves (tests/lib/peers.sh); for the tools that cannot
# be installed here, the table is made as the tool's source makes it and
# its rows, checksums included, are computed here with python3, apart
# from strata. After adopting, `up` adds a migration, `down` rolls it
# back, `status` and `validate` agree; --undo gives the table back.
# Every refusal is checked to leave the database as it was.

# shellcheck source=tests/lib/peers.sh
. "$STRATA_SRC_ROOT/tests/lib/peers.sh"

# every table of the database, history tables included, one line
all_tables() {
	db_all_tables | tr '\n' ' ' | sed 's/ $//'
}

# words in C order, one line
sorted() {
	tr ' ' '\n' | sed '/^$/d' | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//'
}

# the whole state: tables, and every row of the named tables
snapshot() {
	local t
	all_tables
	for t in "$@"; do
		echo "== $t"
		db_sql "SELECT * FROM $t ORDER BY 1" 2>/dev/null
	done
}

# strata's rows: "version:kind" lines joined
strata_rows() {
	db_sql "SELECT version, kind FROM $TEST_TABLE ORDER BY version" | tr '|' ':' | tr '\n' ' ' | sed 's/ $//'
}

# strata's rows in strata's order (version_sort): "version:kind" joined
strata_rows_sorted() {
	db_sql "SELECT version, kind FROM $TEST_TABLE ORDER BY version_sort" | tr '|' ':' | tr '\n' ' ' | sed 's/ $//'
}

# checksums as each tool computes them, with python3 (not strata)
flyway_crc() {
	python3 -c '
import re, sys, zlib
data = open(sys.argv[1], "rb").read().decode("utf-8")
if data.startswith("\ufeff"):
    data = data[1:]
crc = 0
for line in re.split(r"\r\n|\r|\n", data):
    crc = zlib.crc32(line.encode("utf-8"), crc)
print(crc - (1 << 32) if crc >= (1 << 31) else crc)' "$1"
}
sha() { # ALGO FILE
	python3 -c 'import hashlib, sys; print(hashlib.new(sys.argv[1], open(sys.argv[2], "rb").read()).hexdigest())' "$1" "$2"
}

# nothing of the user's ran twice: t1 keeps the row put in it before
mark_t1() {
	db_sql "INSERT INTO t1 VALUES (42)"
}
check_t1() {
	expect_eq 42 "$(db_sql 'SELECT id FROM t1')" "t1 (created once, never again)"
}

# the common tail: a new migration goes up and down, nothing old reruns
go_on() {
	local next=$1 name=${2:-t9} tables
	tables=$(printf '%s %s' "$(db_tables)" "$name" | sorted)
	st status
	expect_rc 0
	st validate
	expect_rc 0
	expect_err "valid"
	st up
	expect_rc 0
	expect_err "1 migration applied"
	expect_eq "$tables" "$(db_tables | sorted)" "tables"
	check_t1
	st down --no-backup
	expect_rc 0
	expect_err "1 migration rolled back"
	case " $(db_tables) " in *" $name "*) fail "$name still there after down" ;; esac
	check_t1
	st status
	expect_rc 0
	expect_out "$next"
	expect_out "pending"
}

# ---- golang-migrate ------------------------------------------------------

# as its PostgreSQL and MySQL drivers make it (its SQLite driver's
# "version uint64, dirty bool" are read alike: integer, 0/1)
gm_table() {
	db_sql "CREATE TABLE schema_migrations (version bigint not null primary key, dirty boolean not null)"
}

gm_folder() {
	mig 0001 t1 "CREATE TABLE t1 (id INT);" "DROP TABLE t1;"
	mig 0002 t2 "CREATE TABLE t2 (id INT);" "DROP TABLE t2;"
	mig 0003 t9 "CREATE TABLE t9 (id INT);" "DROP TABLE t9;"
	db_sql "CREATE TABLE t1 (id INT)"
	db_sql "CREATE TABLE t2 (id INT)"
	gm_table
	mark_t1
}

t_golang_migrate() {
	gm_folder
	db_sql "INSERT INTO schema_migrations (version, dirty) VALUES (2, false)"
	before=$(db_sql "SELECT version, dirty FROM schema_migrations")
	st adopt
	expect_rc 0
	expect_out "record    0001"
	expect_out "pending   0003"
	expect_err "2 migrations recorded as applied from golang-migrate"
	expect_err "renamed to 'schema_migrations_golang_migrate'"
	expect_eq "1:versioned 2:versioned" "$(strata_rows)" "strata's history"
	expect_eq "$before" "$(db_sql 'SELECT version, dirty FROM schema_migrations_golang_migrate')" "golang-migrate's row"
	go_on 0003
	st adopt --undo
	expect_rc 0
	expect_eq "$before" "$(db_sql 'SELECT version, dirty FROM schema_migrations')" "golang-migrate's table back"
	case " $(all_tables) " in *schema_migrations_golang_migrate*) fail "renamed table left" ;; esac
	expect_eq "t1 t2" "$(db_tables)"
}

t_golang_migrate_dirty_refused() {
	gm_folder
	db_sql "INSERT INTO schema_migrations (version, dirty) VALUES (2, true)"
	before=$(snapshot schema_migrations t1)
	st adopt
	expect_rc 3
	expect_err "dirty"
	expect_err "migrate force"
	expect_out "failed    0002"
	expect_eq "$before" "$(snapshot schema_migrations t1)" "database after a refusal"
}

# ---- dbmate, the real one -------------------------------------------------

dbmate_file() { # VERSION NAME TABLE
	printf -- '-- migrate:up\nCREATE TABLE %s (id INT);\n\n-- migrate:down\nDROP TABLE %s;\n' "$3" "$3" >"$4/$1_$2.sql"
}

t_dbmate_real() {
	peer_need dbmate
	mkdir -p migrations
	dbmate_file 20240101000000 t1 t1 migrations
	dbmate_file 20240102000000 t2 t2 migrations
	"$PEER_BIN" --no-dump-schema -u "$(peer_url)" -d migrations up >dbmate.log 2>&1 || {
		cat dbmate.log
		fail "dbmate up"
	}
	mark_t1
	before=$(db_sql "SELECT version FROM schema_migrations ORDER BY 1")
	expect_eq "20240101000000
20240102000000" "$before" "dbmate's rows"
	dbmate_file 20240103000000 t9 t9 migrations
	st adopt --dry-run
	expect_rc 0
	expect_err "would be recorded"
	expect_eq "$before" "$(db_sql 'SELECT version FROM schema_migrations ORDER BY 1')" "dry run"
	st adopt
	expect_rc 0
	expect_err "2 migrations recorded as applied from dbmate"
	expect_eq "20240101000000:versioned 20240102000000:versioned" "$(strata_rows)"
	go_on 20240103000000
	st adopt --undo
	expect_rc 0
	expect_eq "$before" "$(db_sql 'SELECT version FROM schema_migrations ORDER BY 1')"
	# dbmate goes on where it was: it applies the new one, and only it
	"$PEER_BIN" --no-dump-schema -u "$(peer_url)" -d migrations up >dbmate.log 2>&1 || {
		cat dbmate.log
		fail "dbmate up after --undo"
	}
	grep -q 20240103000000 dbmate.log || fail "dbmate did not apply the new migration"
	grep -q 20240101000000 dbmate.log && fail "dbmate ran an old migration again"
	check_t1
}

t_missing_file_and_prune() {
	peer_need dbmate
	mkdir -p migrations
	dbmate_file 20240101000000 t1 t1 migrations
	dbmate_file 20240102000000 t2 t2 migrations
	"$PEER_BIN" --no-dump-schema -u "$(peer_url)" -d migrations up >dbmate.log 2>&1 || fail "dbmate up"
	rm migrations/20240102000000_t2.sql
	before=$(snapshot schema_migrations)
	st adopt
	expect_rc 3
	expect_err "row 20240102000000"
	expect_err "no file of the folder"
	expect_err "--prune"
	expect_out "missing   20240102000000"
	expect_eq "$before" "$(snapshot schema_migrations)" "database after a refusal"
	st adopt --prune
	expect_rc 0
	expect_out "pruned    20240102000000"
	expect_eq "20240101000000:versioned" "$(strata_rows)"
	st validate
	expect_rc 0
	st status
	expect_rc 0
	refute_out "missing"
}

# ---- goose ----------------------------------------------------------------

# as goose makes it (the id numbered by the database)
goose_table() {
	db_sql "CREATE TABLE goose_db_version (id $(db_type_serial_key), version_id bigint NOT NULL, is_applied boolean NOT NULL, tstamp TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP)"
}

t_goose() {
	goose_table
	mkdir -p migrations
	for v in 1 2 3; do
		printf -- '-- +goose Up\nCREATE TABLE t%s (id INT);\n-- +goose Down\nDROP TABLE t%s;\n' $v $v >"migrations/0000$v""_t$v.sql"
	done
	db_sql "CREATE TABLE t1 (id INT)"
	db_sql "CREATE TABLE t2 (id INT)"
	mark_t1
	# goose's own rows: 0 on creation; 3 applied, then rolled back (its
	# latest row decides); 2 applied
	db_sql "INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, true), (1, true), (3, true), (3, false), (2, true)"
	before=$(snapshot goose_db_version)
	st adopt
	expect_rc 0
	expect_err "2 migrations recorded as applied from goose"
	expect_eq "1:versioned 2:versioned" "$(strata_rows)"
	expect_eq "$before" "$(snapshot goose_db_version | sed "s/ ${TEST_TABLE}_log//; s/ $TEST_TABLE//")" "goose's table kept as it was"
	st up
	expect_rc 0
	expect_err "1 migration applied"
	check_t1
	st down --no-backup
	expect_rc 0
	st adopt --undo
	expect_rc 0
	expect_eq "$before" "$(snapshot goose_db_version)" "database after --undo"
}

# ---- Flyway ---------------------------------------------------------------

# as Flyway makes it (its names need no quotes; installed_on as a
# timestamp on SQLite too, where Flyway keeps text of the same form)
flyway_table() {
	db_sql "CREATE TABLE flyway_schema_history (installed_rank INT NOT NULL, version VARCHAR(50), description VARCHAR(200) NOT NULL, type VARCHAR(20) NOT NULL, script VARCHAR(1000) NOT NULL, checksum INT, installed_by VARCHAR(100) NOT NULL, installed_on $(db_type_timestamp) NOT NULL DEFAULT CURRENT_TIMESTAMP, execution_time INT NOT NULL, success BOOLEAN NOT NULL, CONSTRAINT flyway_schema_history_pk PRIMARY KEY (installed_rank))"
	db_sql "CREATE INDEX flyway_schema_history_s_idx ON flyway_schema_history (success)"
}

fw_row() { # RANK VERSION TYPE SCRIPT CHECKSUM SUCCESS
	local v=NULL
	[ "$2" = - ] || v="'$2'"
	db_sql "INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success) VALUES ($1, $v, 'x', '$3', '$4', $5, 'flyway', 3, $6)"
}

flyway_folder() {
	mkdir -p migrations
	printf 'CREATE TABLE t0 (id INT);\n' >migrations/V1__old.sql
	# CRLF line ends and a blank line: Flyway's checksum ignores both
	printf 'CREATE TABLE t1 (id INT);\r\n\r\nCREATE TABLE t2 (id INT);\r\n' >migrations/V2__t1.sql
	printf 'CREATE TABLE t9 (id INT);\n' >migrations/V3__t9.sql
	printf 'DROP TABLE t9;\n' >migrations/U3__t9.sql
	printf 'CREATE VIEW v1 AS SELECT id FROM t1;\n' >migrations/R__v1.sql
	db_sql "CREATE TABLE t1 (id INT)"
	db_sql "CREATE TABLE t2 (id INT)"
	db_sql "CREATE VIEW v1 AS SELECT id FROM t1"
	mark_t1
	flyway_table
	fw_row 1 1 BASELINE '<< Flyway Baseline >>' NULL true
	fw_row 2 2 SQL V2__t1.sql "$(flyway_crc migrations/V2__t1.sql)" true
	fw_row 3 - SQL R__v1.sql "$(flyway_crc migrations/R__v1.sql)" true
}

t_flyway() {
	flyway_folder
	before=$(snapshot flyway_schema_history)
	st adopt
	expect_rc 0
	expect_out "baseline  1"
	expect_out "record    2"
	expect_out "pending   3"
	expect_err "3 migrations recorded as applied from flyway"
	expect_eq ":repeatable 1:baseline 2:versioned" "$(strata_rows)" "history rows (a repeatable has no version)"
	st status
	expect_rc 0
	expect_out "v1"
	go_on 3
	st adopt --undo
	expect_rc 0
	expect_eq "$before" "$(snapshot flyway_schema_history)"
}

t_flyway_checksum_mismatch_refused() {
	flyway_folder
	printf 'CREATE TABLE t1 (id INT, x INT);\n' >migrations/V2__t1.sql
	before=$(snapshot flyway_schema_history t1)
	st adopt
	expect_rc 3
	expect_err "migrations/V2__t1.sql"
	expect_err "CRC32 (Flyway)"
	expect_out "mismatch  2"
	expect_eq "$before" "$(snapshot flyway_schema_history t1)" "database after a refusal"
}

t_flyway_failed_row_refused() {
	flyway_folder
	fw_row 4 3 SQL V3__t9.sql "$(flyway_crc migrations/V3__t9.sql)" false
	before=$(snapshot flyway_schema_history)
	st adopt
	expect_rc 3
	expect_err "success = false"
	expect_err "flyway repair"
	expect_eq "$before" "$(snapshot flyway_schema_history)" "database after a refusal"
}

# ---- sqlx -----------------------------------------------------------------

sqlx_setup() {
	db_sql "CREATE TABLE _sqlx_migrations (version BIGINT PRIMARY KEY, description TEXT NOT NULL, installed_on $(db_type_timestamp) NOT NULL DEFAULT CURRENT_TIMESTAMP, success BOOLEAN NOT NULL, checksum $(db_type_blob) NOT NULL, execution_time BIGINT NOT NULL)"
	mkdir -p migrations
	# sqlx's simple layout: <VERSION>_<DESCRIPTION>.sql, no down
	printf 'CREATE TABLE t1 (id INT);\n' >migrations/20240101000000_t1.sql
	printf 'CREATE TABLE t2 (id INT);\n' >migrations/20240102000000_t2.sql
	mig 20240103000000 t9 "CREATE TABLE t9 (id INT);" "DROP TABLE t9;"
	db_sql "CREATE TABLE t1 (id INT)"
	db_sql "CREATE TABLE t2 (id INT)"
	mark_t1
	for f in migrations/20240101000000_t1.sql migrations/20240102000000_t2.sql; do
		v=$(basename "$f" | cut -d_ -f1)
		db_sql "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES ($v, 'x', ${1:-true}, $(db_blob_literal "$(sha sha384 "$f")"), 1000)"
	done
}

t_sqlx() {
	sqlx_setup
	st adopt
	expect_rc 0
	expect_err "2 migrations recorded as applied from sqlx"
	expect_eq "20240101000000:versioned 20240102000000:versioned" "$(strata_rows)"
	go_on 20240103000000
}

t_sqlx_refusals() {
	sqlx_setup false
	before=$(snapshot _sqlx_migrations)
	st adopt
	expect_rc 3
	expect_err "success = false"
	db_sql "UPDATE _sqlx_migrations SET success = true"
	printf 'CREATE TABLE t1 (id BIGINT);\n' >migrations/20240101000000_t1.sql
	st adopt
	expect_rc 3
	expect_err "SHA-384 (sqlx)"
	expect_err "migrations/20240101000000_t1.sql"
	case " $(all_tables) " in *" $TEST_TABLE "*) fail "strata's table made by a refusal" ;; esac
}

# ---- Prisma ---------------------------------------------------------------

prisma_setup() {
	local ts
	ts=$(db_type_timestamp)
	db_sql "CREATE TABLE _prisma_migrations (id VARCHAR(36) PRIMARY KEY NOT NULL, checksum VARCHAR(64) NOT NULL, finished_at $ts, migration_name VARCHAR(255) NOT NULL, logs TEXT, rolled_back_at $ts, started_at $ts NOT NULL DEFAULT CURRENT_TIMESTAMP, applied_steps_count INTEGER NOT NULL DEFAULT 0)"
	mkdir -p migrations
	printf 'CREATE TABLE t1 (id INT);\n' >migrations/20240101000000_init.sql
	printf 'CREATE TABLE t2 (id INT);\r\n' >migrations/20240102000000_t2.sql
	mig 20240103000000 t9 "CREATE TABLE t9 (id INT);" "DROP TABLE t9;"
	db_sql "CREATE TABLE t1 (id INT)"
	db_sql "CREATE TABLE t2 (id INT)"
	mark_t1
	s1=$(sha sha256 migrations/20240101000000_init.sql)
	# the second as a Windows checkout saw it: LF, then CRLF here
	s2=$(printf 'CREATE TABLE t2 (id INT);\n' | python3 -c 'import hashlib,sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())')
	db_sql "INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, rolled_back_at, started_at, applied_steps_count) VALUES
		('a', '$s1', CURRENT_TIMESTAMP, '20240101000000_init', NULL, '2024-01-01 00:00:01', 1),
		('b', '$s2', NULL, '20240102000000_t2', CURRENT_TIMESTAMP, '2024-01-02 00:00:01', 0),
		('c', '$s2', CURRENT_TIMESTAMP, '20240102000000_t2', NULL, '2024-01-02 00:00:02', 1)"
}

t_prisma() {
	prisma_setup
	st adopt
	expect_rc 0
	expect_err "2 migrations recorded as applied from prisma"
	expect_eq "20240101000000:versioned 20240102000000:versioned" "$(strata_rows)"
	go_on 20240103000000
}

t_prisma_unfinished_refused() {
	prisma_setup
	db_sql "INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, started_at) VALUES ('d', 'ab', NULL, '20240103000000_t9', '2024-01-03 00:00:00')"
	before=$(snapshot _prisma_migrations)
	st adopt
	expect_rc 3
	expect_err "finished_at is NULL"
	expect_err "prisma migrate resolve"
	expect_eq "$before" "$(snapshot _prisma_migrations)"
}

# ---- Diesel ---------------------------------------------------------------

t_diesel() {
	db_sql "CREATE TABLE __diesel_schema_migrations (version VARCHAR(50) PRIMARY KEY NOT NULL, run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)"
	mig 20240101000000 t1 "CREATE TABLE t1 (id INT);" "DROP TABLE t1;"
	mig 20240102000000 t2 "CREATE TABLE t2 (id INT);" "DROP TABLE t2;"
	mig 20240103000000 t9 "CREATE TABLE t9 (id INT);" "DROP TABLE t9;"
	db_sql "CREATE TABLE t1 (id INT)"
	db_sql "CREATE TABLE t2 (id INT)"
	mark_t1
	db_sql "INSERT INTO __diesel_schema_migrations (version) VALUES ('20240101000000'), ('20240102000000')"
	st adopt
	expect_rc 0
	expect_err "2 migrations recorded as applied from diesel"
	expect_eq "20240101000000:versioned 20240102000000:versioned" "$(strata_rows)"
	go_on 20240103000000
}

# ---- sql-migrate, the real one ------------------------------------------

t_sql_migrate_real() {
	peer_need sql_migrate
	mkdir -p sqlmigrate migrations
	for v in 1 2; do
		printf -- '-- +migrate Up\nCREATE TABLE t%s (id INT);\n\n-- +migrate Down\nDROP TABLE t%s;\n' $v $v >"sqlmigrate/$v""_t$v.sql"
		# the same migration in a layout strata reads today, same name
		printf -- '-- +goose Up\nCREATE TABLE t%s (id INT);\n\n-- +goose Down\nDROP TABLE t%s;\n' $v $v >"migrations/$v""_t$v.sql"
	done
	peer_sql_migrate_config sqlmigrate
	"$PEER_BIN" up -config=dbconfig.yml -env=test >sqlm.log 2>&1 || {
		cat sqlm.log
		fail "sql-migrate up"
	}
	expect_eq "1_t1.sql
2_t2.sql" "$(db_sql 'SELECT id FROM gorp_migrations ORDER BY id')" "sql-migrate's rows"
	mark_t1
	mig 3 t9 "CREATE TABLE t9 (id INT);" "DROP TABLE t9;"
	st adopt
	expect_rc 0
	expect_err "2 migrations recorded as applied from sql-migrate"
	expect_eq "1:versioned 2:versioned" "$(strata_rows)"
	go_on 3
	st adopt --undo
	expect_rc 0
	"$PEER_BIN" status -config=dbconfig.yml -env=test >sqlm.log 2>&1 || fail "sql-migrate status after --undo"
}

# ---- reference 003's migrate.sh ------------------------------------------

t_migrate_sh() {
	db_sql "CREATE TABLE schema_migrations (database_type VARCHAR(50) NOT NULL, migration_file VARCHAR(255) NOT NULL, applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP, checksum VARCHAR(64), PRIMARY KEY (database_type, migration_file))"
	mkdir -p postgres
	printf 'CREATE TABLE t1 (id INT);\n' >postgres/001_t1.sql
	printf 'CREATE TABLE t2 (id INT);\n' >postgres/002_t2.sql
	printf 'CREATE TABLE t9 (id INT);\n' >postgres/003_t9.up.sql
	printf 'DROP TABLE t9;\n' >postgres/003_t9.down.sql
	db_sql "CREATE TABLE t1 (id INT)"
	db_sql "CREATE TABLE t2 (id INT)"
	mark_t1
	db_sql "INSERT INTO schema_migrations (database_type, migration_file, checksum) VALUES
		('postgres', '001_t1.sql', '$(sha sha256 postgres/001_t1.sql)'),
		('postgres', '002_t2.sql', '$(sha sha256 postgres/002_t2.sql)'),
		('timescaledb', '001_episodic_memories.sql', 'def456')"
	before=$(snapshot schema_migrations)
	st_raw --database "$TEST_URL" --dir postgres adopt
	expect_rc 0
	expect_err "2 migrations recorded as applied from migrate.sh"
	expect_err "renamed to 'schema_migrations_migrate_sh'"
	expect_eq "1:versioned 2:versioned" "$(strata_rows)"
	st_raw --database "$TEST_URL" --dir postgres up
	expect_rc 0
	expect_err "1 migration applied"
	check_t1
	st_raw --database "$TEST_URL" --dir postgres down --no-backup
	expect_rc 0
	st_raw --database "$TEST_URL" --dir postgres adopt --undo
	expect_rc 0
	expect_eq "$before" "$(snapshot schema_migrations)"
	# an edited file is refused by name: the table's SHA-256 proves it
	printf 'CREATE TABLE t2 (id BIGINT);\n' >postgres/002_t2.sql
	st_raw --database "$TEST_URL" --dir postgres adopt
	expect_rc 3
	expect_err "postgres/002_t2.sql"
	expect_err "SHA-256"
	expect_eq "$before" "$(snapshot schema_migrations)"
}

# ---- Alembic (references 001, 004) ---------------------------------------

t_alembic() {
	db_sql "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"
	db_sql "INSERT INTO alembic_version VALUES ('ae1027a6acf')"
	db_sql "CREATE TABLE t1 (id INT)"
	mark_t1
	mkdir -p migrations
	st adopt --dry-run
	expect_rc 0
	expect_out "0001_alembic_ae1027a6acf.up.sql"
	[ -e migrations/0001_alembic_ae1027a6acf.up.sql ] && fail "a dry run wrote the baseline file"
	case " $(all_tables) " in *" $TEST_TABLE "*) fail "a dry run made strata's table" ;; esac
	st adopt
	expect_rc 0
	expect_err "Alembic revision ae1027a6acf is recorded as strata's baseline"
	expect_err "strata new NAME"
	[ -f migrations/0001_alembic_ae1027a6acf.up.sql ] || fail "no baseline file"
	expect_eq "1:baseline" "$(strata_rows)"
	expect_eq "ae1027a6acf" "$(db_sql 'SELECT version_num FROM alembic_version')"
	mig 0002 t9 "CREATE TABLE t9 (id INT);" "DROP TABLE t9;"
	go_on 0002
	st adopt --undo
	expect_rc 0
	case " $(all_tables) " in *" $TEST_TABLE "*) fail "strata's table left after --undo" ;; esac
}

t_alembic_heads_refused() {
	db_sql "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"
	db_sql "INSERT INTO alembic_version VALUES ('aaa'), ('bbb')"
	mkdir migrations
	st adopt
	expect_rc 3
	expect_err "alembic merge heads"
	[ -z "$(ls migrations)" ] || fail "files written by a refusal"
}

# ---- refusals of every kind ----------------------------------------------

t_unknown_shape_refused() {
	mig 0001 t1 "CREATE TABLE t1 (id INT);" "DROP TABLE t1;"
	db_sql "CREATE TABLE goose_db_version (id INT, version_id BIGINT)"
	before=$(snapshot goose_db_version)
	st adopt
	expect_rc 3
	expect_err "goose_db_version"
	expect_err "no column 'is_applied'"
	expect_eq "$before" "$(snapshot goose_db_version)"
	db_sql "DROP TABLE goose_db_version"
	db_sql "CREATE TABLE schema_migrations (version BIGINT, applied_on VARCHAR(20))"
	st adopt
	expect_rc 3
	expect_err "'schema_migrations'"
	expect_err "columns version, applied_on"
	# a row the tool never writes is not guessed at
	db_sql "DROP TABLE schema_migrations"
	gm_table
	db_sql "INSERT INTO schema_migrations (version, dirty) VALUES (1, false), (2, false)"
	st adopt
	expect_rc 3
	expect_err "2 rows (golang-migrate keeps one)"
	st adopt --from nosuchtool
	expect_rc 2
	expect_err "unknown tool 'nosuchtool'"
	# nothing to adopt at all
	db_sql "DROP TABLE schema_migrations"
	st adopt
	expect_rc 3
	expect_err "no other tool's history table"
	expect_eq "" "$(all_tables)"
}

t_adopt_twice_and_undo_guard() {
	gm_folder
	db_sql "INSERT INTO schema_migrations (version, dirty) VALUES (2, false)"
	st adopt
	expect_rc 0
	st adopt
	expect_rc 3
	expect_err "strata already keeps a history"
	st up
	expect_rc 0
	# 0003 ran with strata: golang-migrate does not know it
	st adopt --undo
	expect_rc 3
	expect_err "migration 3 (t9) was applied with strata after adopting"
	expect_eq "1:versioned 2:versioned 3:versioned" "$(strata_rows)"
	st adopt --undo --dry-run
	expect_rc 3
	st down --no-backup
	expect_rc 0
	st adopt --undo --dry-run
	expect_rc 0
	expect_out "schema_migrations_golang_migrate"
	expect_eq "1:versioned 2:versioned" "$(strata_rows)"
	st adopt --undo
	expect_rc 0
	expect_eq "2|0" "$(db_sql 'SELECT version, dirty FROM schema_migrations' | sed 's/|f$/|0/; s/|false$/|0/')"
}

t_json() {
	gm_folder
	db_sql "INSERT INTO schema_migrations (version, dirty) VALUES (2, false)"
	st adopt --json --dry-run
	expect_rc 0
	printf '%s' "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["ok"] and d["dry_run"] and d["tool"] == "golang-migrate", d
assert d["renamed_to"] == "schema_migrations_golang_migrate", d
assert [(i["action"], i["version"]) for i in d["items"]] == [("record", "0001"), ("record", "0002"), ("pending", "0003")], d
assert d["recorded"] == 2' || fail "json"
	case " $(all_tables) " in *schema_migrations_golang_migrate*) fail "a dry run renamed the table" ;; esac
	db_sql "UPDATE schema_migrations SET dirty = true"
	st adopt --json
	expect_rc 3
	printf '%s' "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert not d["ok"] and "dirty" in d["error"]["message"], d
assert d["error"]["exit_code"] == 3, d' || fail "json refusal"
}

# ---- versions as real projects write them ----------------------------------

# golang-migrate counts from 0 when the first file is 0_*.up.sql; its one
# row at version 0 means that file is applied
t_golang_migrate_version_0() {
	mig 0 initial "CREATE TABLE t1 (id INT);" "DROP TABLE t1;"
	mig 1 t9 "CREATE TABLE t9 (id INT);" "DROP TABLE t9;"
	db_sql "CREATE TABLE t1 (id INT)"
	gm_table
	mark_t1
	db_sql "INSERT INTO schema_migrations (version, dirty) VALUES (0, false)"
	st adopt
	expect_rc 0
	expect_out "record    0"
	expect_out "pending   1"
	expect_err "1 migration recorded as applied from golang-migrate"
	expect_eq "0:versioned" "$(strata_rows)" "strata's history"
	st status
	expect_rc 0
	expect_out "1 applied, 1 pending"
	go_on 1
	# version 0 is a migration like any other: it rolls back and reapplies
	st down --no-backup
	expect_rc 0
	expect_out "0_initial"
	expect_tables "schema_migrations_golang_migrate"
	expect_eq "" "$(strata_rows)" "strata's history after down"
	st up
	expect_rc 0
	expect_err "2 migrations applied"
	expect_eq "0:versioned 1:versioned" "$(strata_rows_sorted)" "strata's history after up"
}

t_golang_migrate_from_0_at_a_later_version() {
	mig 0 initial "CREATE TABLE t1 (id INT);" "DROP TABLE t1;"
	mig 1 t2 "CREATE TABLE t2 (id INT);" "DROP TABLE t2;"
	mig 2 t9 "CREATE TABLE t9 (id INT);" "DROP TABLE t9;"
	db_sql "CREATE TABLE t1 (id INT)"
	db_sql "CREATE TABLE t2 (id INT)"
	gm_table
	mark_t1
	db_sql "INSERT INTO schema_migrations (version, dirty) VALUES (1, false)"
	st adopt
	expect_rc 0
	expect_out "record    0"
	expect_out "record    1"
	expect_out "pending   2"
	expect_err "2 migrations recorded as applied from golang-migrate"
	expect_eq "0:versioned 1:versioned" "$(strata_rows_sorted)" "strata's history"
	st status
	expect_rc 0
	expect_out "2 applied, 1 pending"
	go_on 2
	st adopt --undo
	expect_rc 0
	expect_eq "1|0" "$(db_sql 'SELECT version, dirty FROM schema_migrations' | sed 's/|f$/|0/; s/|false$/|0/')" "golang-migrate's row back"
}

# Versions past 2^53 (past a double's integers): the longest that goose's
# and golang-migrate's bigint columns hold are 19 digits.
long_folder() { # FORMAT: goose or golang-migrate
	local v t
	mkdir -p migrations
	for v in 2021091309530900001:t1 2021091309530900002:t2 2021091309530900003:t9; do
		t=${v#*:} v=${v%:*}
		if [ "$1" = goose ]; then
			printf -- '-- +goose Up\nCREATE TABLE %s (id INT);\n-- +goose Down\nDROP TABLE %s;\n' "$t" "$t" >"migrations/${v}_$t.sql"
		else
			mig "$v" "$t" "CREATE TABLE $t (id INT);" "DROP TABLE $t;"
		fi
	done
	db_sql "CREATE TABLE t1 (id INT)"
	db_sql "CREATE TABLE t2 (id INT)"
	mark_t1
}

# after adopting: status shows the two applied and the third pending,
# `up` runs only the third
long_check() { # TOOL
	expect_err "2 migrations recorded as applied from $1"
	expect_eq "2021091309530900001:versioned 2021091309530900002:versioned" "$(strata_rows_sorted)" "strata's history"
	st status
	expect_rc 0
	expect_out "2 applied, 1 pending"
	expect_out "2021091309530900003"
	st up
	expect_rc 0
	expect_err "1 migration applied"
	expect_out "2021091309530900003_t9"
	refute_out "2021091309530900001"
	refute_out "2021091309530900002"
	expect_eq "t1 t2 t9" "$(db_tables | tr ' ' '\n' | grep -v -e goose_db_version -e "^schema_migrations_" | sorted)" "tables"
	check_t1
	st status
	expect_rc 0
	expect_out "3 applied, 0 pending"
}

t_goose_long_versions() {
	long_folder goose
	goose_table
	db_sql "INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, true), (2021091309530900001, true), (2021091309530900002, true)"
	st adopt
	expect_rc 0
	expect_out "record    2021091309530900001"
	expect_out "pending   2021091309530900003"
	long_check goose
}

t_golang_migrate_long_versions() {
	long_folder golang-migrate
	gm_table
	db_sql "INSERT INTO schema_migrations (version, dirty) VALUES (2021091309530900002, false)"
	st adopt
	expect_rc 0
	expect_out "record    2021091309530900002"
	long_check golang-migrate
}

# gobuffalo/pop's 20 digits, past 2^64: dbmate keeps versions as text
t_dbmate_20_digit_versions() {
	peer_need dbmate
	mkdir -p migrations
	dbmate_file 20210913095309000007 t1 t1 migrations
	dbmate_file 20210913095309000008 t2 t2 migrations
	"$PEER_BIN" --no-dump-schema -u "$(peer_url)" -d migrations up >dbmate.log 2>&1 || {
		cat dbmate.log
		fail "dbmate up"
	}
	mark_t1
	dbmate_file 20210913095309000009 t9 t9 migrations
	st adopt
	expect_rc 0
	expect_err "2 migrations recorded as applied from dbmate"
	expect_eq "20210913095309000007:versioned 20210913095309000008:versioned" "$(strata_rows_sorted)"
	st status
	expect_rc 0
	expect_out "2 applied, 1 pending"
	go_on 20210913095309000009
}

# Flyway's dotted versions compare part by part: 1.2.3 < 1.10 < 3.1
# (V3_1: '_' is '.'); its table holds them as Flyway wrote them
t_flyway_dotted_versions() {
	mkdir -p migrations
	printf 'CREATE TABLE t1 (id INT);\n' >migrations/V1.2.3__a.sql
	printf 'CREATE TABLE t2 (id INT);\n' >migrations/V1.10__b.sql
	printf 'CREATE TABLE t3 (id INT);\n' >migrations/V3_1__c.sql
	printf 'CREATE TABLE t9 (id INT);\n' >migrations/V3.10__t9.sql
	printf 'DROP TABLE t9;\n' >migrations/U3.10__t9.sql
	db_sql "CREATE TABLE t1 (id INT)"
	db_sql "CREATE TABLE t2 (id INT)"
	db_sql "CREATE TABLE t3 (id INT)"
	mark_t1
	flyway_table
	fw_row 1 1.2.3 SQL V1.2.3__a.sql "$(flyway_crc migrations/V1.2.3__a.sql)" true
	fw_row 2 1.10 SQL V1.10__b.sql "$(flyway_crc migrations/V1.10__b.sql)" true
	fw_row 3 3.1 SQL V3_1__c.sql "$(flyway_crc migrations/V3_1__c.sql)" true
	before=$(snapshot flyway_schema_history)
	st status --offline
	expect_rc 0
	case "$out" in
	*1.2.3*1.10*3[._]1*3.10*) ;;
	*) fail "status: not in the order 1.2.3 < 1.10 < 3.1 < 3.10: $out" ;;
	esac
	st adopt
	expect_rc 0
	expect_err "3 migrations recorded as applied from flyway"
	expect_out "record    1.2.3"
	expect_out "record    1.10"
	case "$out" in
	*"record    3.1 "* | *"record    3_1 "*) ;;
	*) fail "adopt does not record 3.1" ;;
	esac
	expect_out "pending   3.10"
	case "$out" in
	*1.2.3*1.10*3[._]1*3.10*) ;;
	*) fail "adopt: not in the order 1.2.3 < 1.10 < 3.1 < 3.10" ;;
	esac
	expect_eq "1.2.3:versioned 1.10:versioned 3.1:versioned" "$(strata_rows_sorted)" "strata's history"
	st status
	expect_rc 0
	expect_out "3 applied, 1 pending"
	case "$out" in
	*1.2.3*1.10*3[._]1*3.10*) ;;
	*) fail "status after adopt: not in the order 1.2.3 < 1.10 < 3.1 < 3.10" ;;
	esac
	go_on 3.10
	st adopt --undo
	expect_rc 0
	expect_eq "$before" "$(snapshot flyway_schema_history)"
}
