# shellcheck shell=bash
# Hostile input that only SQLite meets (the rest: rel_hostile.sh): psql's
# and mysql's backslash commands in a SQLite file, PRAGMA journal_mode in
# a transaction, SQLite's own quotes ([name], `name`) and trigger bodies
# left open, and --schema, which SQLite does not have. Each: refused with
# its file and line (or the option), the documented exit code, nothing
# changed.

. "$(dirname "${BASH_SOURCE[0]}")/../lib/rel-lib.sh"

# psql's and mysql's backslash commands reach a SQLite file: refused before
# anything runs, like sqlite3's dot-commands.
t_backslash_commands_in_a_sqlite_file() {
	base_state
	refused 'CREATE TABLE b (id INTEGER);\n\\set ON_ERROR_STOP on\n' 2 "2:1" "client meta-command"
	refused '\\connect other\nCREATE TABLE b (id INTEGER);\n' 2 "1:1" "client meta-command"
	refused 'CREATE TABLE b (id INTEGER);\n  \\g\n' 2 "2:3" "client meta-command"
}

# PRAGMA journal_mode = x cannot run inside a transaction (SQLite refuses
# WAL there): refused before anything runs, with the no-transaction hint;
# in a no-transaction file it runs and the database changes mode.
t_journal_mode_pragma() {
	base_state
	refused 'CREATE TABLE b (id INTEGER);\nPRAGMA journal_mode = WAL;\n' 2 "2:1" "cannot run inside a transaction"
	expect_err "strata:no-transaction"
	refused 'pragma main.JOURNAL_MODE(wal);\n' 2 "1:1" "cannot run inside a transaction"
	# reading the mode is fine anywhere
	rm -f migrations/0002_* migrations/0003_*
	printf 'PRAGMA journal_mode;\nCREATE TABLE b (id INTEGER);\n' >migrations/0002_read.up.sql
	printf -- '-- strata:no-transaction\nPRAGMA journal_mode = WAL;\n' >migrations/0003_wal.up.sql
	st up
	expect_rc 0
	expect_eq "wal" "$(db_sql "PRAGMA journal_mode")" "journal mode after the no-transaction file"
}

# SQLite's own quotes and a trigger body, never closed.
t_unterminated_sqlite_quotes_and_bodies() {
	base_state
	refused 'CREATE TABLE [b (id INTEGER);\n' 2 "1:1" "unterminated"
	refused 'CREATE TABLE `b (id INTEGER);\n' 2 "1:1" "unterminated"
	refused 'CREATE TRIGGER t AFTER INSERT ON canary BEGIN\n  SELECT 1;\n' 2 "1:1" "unterminated"
}

t_schema_option_on_sqlite() {
	base_state
	for cmd in up status down; do
		st --schema 'main"; DROP TABLE canary; --' $cmd
		rel_no_crash
		expect_rc 2
		expect_err "sqlite has no schemas: --schema cannot be used"
	done
	unchanged "--schema"
	rm -f test.db
	st --schema main up
	expect_rc 2
	[ -e test.db ] && fail "the database file was created"
	return 0
}
