# shellcheck shell=bash
# Helpers of the restore suites (shared_restore.sh, pg_restore.sh).

# Two notes, one of them text a client would act on if it were not data.
seed() {
	mig 0001 create_notes "CREATE TABLE notes (id INTEGER PRIMARY KEY, body VARCHAR(200) NOT NULL);" \
		"DROP TABLE notes;"
	mig 0002 seed_notes "INSERT INTO notes (id, body) VALUES (1, 'plain');" "DELETE FROM notes;"
	st up
	expect_rc 0
	db_sql "INSERT INTO notes (id, body) VALUES (2, $(literal "\\! touch $PWD/pwned"))"
}

# A SQL string literal of $1 (db_literal of the database's glue file).
literal() {
	db_literal "$1"
}

note_ids() {
	db_sql "SELECT id FROM notes ORDER BY id" | tr '\n' ' ' | sed 's/ $//'
}

