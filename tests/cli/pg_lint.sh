# shellcheck shell=bash
# shellcheck disable=SC2154 # st sets rc, out, err
# strata lint on PostgreSQL: statements read with PostgreSQL's own parser
# (a statement it refuses is input lint cannot read, exit 2, at its
# file:line:col), squawk's rules on the statements strata runs, the
# planner's estimate of a table's rows, and the safe forms lint leaves
# alone running as written.

# t applied, with 500 rows, analysed
big_t() {
	printf '[lint]\nrequire-lock-timeout = off\n' >strata.conf
	mig 1 t "CREATE TABLE t (id bigint PRIMARY KEY, a text, b bigint);"
	st up
	expect_rc 0
	db_sql "INSERT INTO t SELECT g, 'x', g FROM generate_series(1, 500) g; ANALYZE t;"
}

t_a_statement_postgres_refuses_is_an_input_error() {
	mig 1 t "CREATE TABLE t (id bigint PRIMARY KEY);

ALTER TABLE t ADD COLUMN;
DROP TABLE t;"
	st lint --offline
	expect_rc 2
	expect_out "migrations/1_t.up.sql:3:1: error: the statement does not parse as PostgreSQL: syntax error at or near \";\""
	# the other statements are still read
	expect_err "lint: 1 error, 0 warnings (2 not reported"
	st lint --offline --json
	expect_rc 2
	printf '%s\n' "$out" | jq -e '.ok == false and .error.exit_code == 2 and .errors == 1 and ([.findings[] | .rule] == [null, "ban-drop-table", "require-lock-timeout"])' >/dev/null ||
		fail "JSON of an input error: $out"
}

t_rows_come_from_the_planner_statistics() {
	big_t
	mig 2 idx "CREATE INDEX t_a ON t (a);
ALTER TABLE t ALTER COLUMN b TYPE numeric;"
	st lint
	expect_rc 0
	expect_out "migrations/2_idx.up.sql:1:1: warning: require-concurrent-index-creation: CREATE INDEX t_a blocks writes to t while it builds: CREATE INDEX CONCURRENTLY (with -- strata:no-transaction) (t: about 500 rows)"
	expect_out "migrations/2_idx.up.sql:2:1: warning: changing-column-type: changing the type of t.b rewrites the table under an exclusive lock (t: about 500 rows)"
}

t_the_safe_forms_are_not_reported_and_run() {
	big_t
	mig 2 safe "-- strata:no-transaction
CREATE INDEX CONCURRENTLY t_a ON t (a);
ALTER TABLE t ADD COLUMN c bigint NOT NULL DEFAULT 0;
ALTER TABLE t ADD CONSTRAINT b_pos CHECK (b > 0) NOT VALID;
ALTER TABLE t VALIDATE CONSTRAINT b_pos;
DROP INDEX CONCURRENTLY t_a;"
	st lint
	expect_rc 0
	expect_eq "" "$out" "findings"
	st up
	expect_rc 0
}

t_copy_from_stdin_is_an_error() {
	mig 1 t "CREATE TABLE t (id bigint PRIMARY KEY);
COPY t FROM STDIN;"
	st lint
	expect_rc 3
	expect_out "migrations/1_t.up.sql:2:1: error: copy-from-stdin: COPY ... FROM STDIN reads data that psql sends after the statement"
	st validate
	expect_rc 2
	expect_err "migrations/1_t.up.sql:2: error: lint copy-from-stdin"
}

t_sections_of_a_goose_file_keep_their_lines() {
	big_t
	mkdir -p migrations
	printf '%s\n' "-- +goose Up" "-- +goose StatementBegin" "ALTER TABLE t ADD COLUMN c uuid DEFAULT gen_random_uuid();" \
		"-- +goose StatementEnd" "" "-- +goose Down" "DROP TABLE t;" >migrations/2_goose.sql
	st lint
	expect_rc 0
	expect_out "migrations/2_goose.sql:3:1: warning: adding-field-with-default: column c has a volatile default: adding it rewrites table t (t: about 500 rows)"
	# the down section is not read
	refute_out "ban-drop-table"
}

t_without_the_database_the_folder_alone_is_read() {
	mig 1 t "CREATE TABLE t (id bigint PRIMARY KEY);"
	mig 2 gone "DROP TABLE t;
DROP TABLE elsewhere;"
	# port 1: nothing listens there
	st_raw --database "postgres://strata@127.0.0.1:1/none" --dir migrations lint
	expect_rc 0
	expect_err "warning: database not reachable"
	expect_err "linting every migration of the folder"
	# t is created by the folder's first migration: only elsewhere is said
	expect_out "migrations/2_gone.up.sql:2:1: warning: ban-drop-table: dropping table elsewhere loses its data"
	refute_out "dropping table t "
}
