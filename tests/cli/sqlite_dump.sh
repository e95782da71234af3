# shellcheck shell=bash
# shellcheck disable=SC2154 # st sets rc, out, err
# strata dump, what only SQLite has (shared_dump.sh holds the rest).

# An FTS5 table's shadow tables are made by its CREATE VIRTUAL TABLE: the
# dump leaves them out, so that it restores.
t_sqlite_virtual_tables_dump_without_their_shadow_tables() {
	mig 1 docs "CREATE VIRTUAL TABLE docs USING fts5(body);
CREATE TABLE z (id INTEGER);"
	st up
	expect_rc 0
	st dump -o schema.sql
	expect_rc 0
	grep -q 'CREATE VIRTUAL TABLE docs' schema.sql || fail "no virtual table: $(cat schema.sql)"
	! grep -q 'docs_data' schema.sql || fail "a shadow table is in the dump: $(cat schema.sql)"
	second=$(db_second)
	st --database "$second" restore schema.sql --yes-replace-data --no-backup </dev/null
	expect_rc 0
	st --database "$second" dump -o again.sql
	cmp schema.sql again.sql || fail "the restored database dumps otherwise: $(diff schema.sql again.sql)"
}
