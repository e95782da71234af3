# shellcheck shell=bash
# shellcheck disable=SC2154 # st sets rc, out, err
# strata lint, against every database: findings as file:line:col: level:
# rule: message with the statement's first line; the pending migrations
# by default, --all, named files; a rule about an existing table does not
# fire on a table the run creates first; the table's rows from the
# database; lint-ignore markers; [lint] levels in strata.conf; exit 3 on
# an error-level finding, 2 on input lint cannot read; validate fails on
# error-level findings; --json as docs/JSON.md describes it.

JSON_DOC="$STRATA_SRC_ROOT/docs/JSON.md"
JSON_CHECK="$STRATA_SRC_ROOT/tests/lib/json_check.py"

# jq's FILTER holds for $out
expect_jq() {
	printf '%s\n' "$out" | jq -e "$1" >/dev/null 2>&1 || fail "JSON: $1 does not hold"
}

# strata.conf's [lint] with the rules that fire on most statements of
# these tests off (each has a test of its own), and the lines given.
lint_conf() {
	printf '[lint]\nrequire-lock-timeout = off\nprefer-bigint-over-int = off\n%s' "${1:-}" >strata.conf
}

# A table t (id, a, b) applied, with three rows; lint_conf.
applied_t() {
	lint_conf
	mig 1 t "CREATE TABLE t (id INT PRIMARY KEY, a INT, b INT);"
	st up
	expect_rc 0
	db_sql "INSERT INTO t (id, a, b) VALUES (1, 1, 1), (2, 2, 2), (3, 3, 3);"
}

t_drops_of_an_existing_table_are_reported_with_their_place() {
	applied_t
	mig 2 drops "SELECT 1;
ALTER TABLE t DROP COLUMN b;
DROP TABLE t;"
	st lint
	expect_rc 0
	expect_out "migrations/2_drops.up.sql:2:1: warning: ban-drop-column: dropping column b of t loses its data"
	expect_out "    ALTER TABLE t DROP COLUMN b;"
	expect_out "migrations/2_drops.up.sql:3:1: warning: ban-drop-table: dropping table t loses its data"
	expect_err "lint: 0 errors, 2 warnings"
}

t_a_table_the_run_creates_first_is_not_reported() {
	lint_conf
	mig 1 t "CREATE TABLE t (id INT PRIMARY KEY, a INT, b INT);"
	mig 2 drop_b "ALTER TABLE t DROP COLUMN b;"
	st lint
	expect_rc 0
	refute_out "ban-drop-column"
	expect_err "lint: 0 errors, 0 warnings (1 not reported"
	st lint --json
	expect_rc 0
	expect_jq '[.findings[] | [.rule, .suppressed, .line]] == [["ban-drop-column", "new-table", 1]]'
}

t_applied_migrations_are_not_linted_unless_all() {
	lint_conf
	mig 1 t "CREATE TABLE t (id INT PRIMARY KEY, a INT);"
	mig 2 gone "DROP TABLE t;"
	st up
	expect_rc 0
	st lint
	expect_rc 0
	refute_out "ban-drop-table"
	expect_err "lint: 0 errors, 0 warnings"
	# --all: one run from the first migration, which creates t
	st lint --all --json
	expect_rc 0
	expect_jq '[.findings[] | [.rule, .suppressed]] == [["ban-drop-table", "new-table"]]'
	# a named file: t exists before it
	st lint migrations/2_gone.up.sql
	expect_rc 0
	expect_out "migrations/2_gone.up.sql:1:1: warning: ban-drop-table"
}

t_a_finding_says_the_rows_of_its_table() {
	applied_t
	mig 2 drop_b "ALTER TABLE t DROP COLUMN b;"
	st lint
	expect_rc 0
	expect_out "migrations/2_drop_b.up.sql:1:1: warning: ban-drop-column: dropping column b of t loses its data"
	expect_out " (t: about 3 rows)
    ALTER TABLE t DROP COLUMN b;"
	st lint --json
	expect_jq '.findings[0].rows == 3 and .findings[0].table == "t"'
	# --offline: the folder alone, every migration, no rows
	st lint --offline
	expect_rc 0
	refute_out "rows)"
}

t_lint_ignore_silences_the_rules_it_names() {
	applied_t
	mig 2 drops "-- strata:lint-ignore ban-drop-column, ban-drop-table b is unused since v2
ALTER TABLE t DROP COLUMN b;
DROP TABLE t;"
	st lint --json
	expect_rc 0
	expect_jq '[.findings[] | [.rule, .suppressed]] == [["ban-drop-column", "ignored"], ["ban-drop-table", null]]'
	# the marker is a comment to up
	st up
	expect_rc 0
}

t_an_unknown_rule_in_a_marker_is_an_input_error() {
	mig 1 t "CREATE TABLE t (id INT PRIMARY KEY);
-- strata:lint-ignore ban-drop-tables typo
DROP TABLE t;"
	st lint
	expect_rc 2
	expect_out "migrations/1_t.up.sql:2:1: error: strata:lint-ignore: unknown rule 'ban-drop-tables'"
}

t_strata_conf_sets_the_levels() {
	applied_t
	mig 2 drops "ALTER TABLE t DROP COLUMN b;
DROP TABLE t;"
	lint_conf 'ban-drop-table = error
ban-drop-column = off
' 
	st lint
	expect_rc 3
	expect_out "migrations/2_drops.up.sql:2:1: error: ban-drop-table"
	refute_out "ban-drop-column"
	expect_err "lint: 1 error, 0 warnings"
	st lint --json
	expect_rc 3
	expect_jq '.ok == true and .errors == 1 and .error == null'
	# validate fails on lint's error-level findings, at their line
	st validate
	expect_rc 2
	expect_err "migrations/2_drops.up.sql:2: error: lint ban-drop-table: dropping table t loses its data"
}

t_an_unknown_rule_in_strata_conf_is_refused_with_its_line() {
	printf '[lint]\nban-drop-table = error\nban-drop-tabel = off\n' >strata.conf
	st lint
	expect_rc 2
	expect_err "strata.conf:3"
	expect_err "unknown lint rule 'ban-drop-tabel'"
	printf '[lint]\nban-drop-table = fatal\n' >strata.conf
	st lint
	expect_rc 2
	expect_err "ban-drop-table = 'fatal': expected error, warning or off"
}

t_drop_database_is_an_error_and_validate_fails() {
	lint_conf
	mig 1 t "CREATE TABLE t (id INT PRIMARY KEY);"
	# (PostgreSQL runs DROP DATABASE outside a transaction only)
	mig 2 nuke "-- strata:no-transaction
DROP DATABASE other_db;"
	st lint
	expect_rc 3
	expect_out "migrations/2_nuke.up.sql:2:1: error: ban-drop-database: dropping database other_db loses everything in it"
	st validate
	expect_rc 2
	expect_err "migrations/2_nuke.up.sql:2: error: lint ban-drop-database"
	# nothing was run
	expect_tables ""
}

t_json_is_as_documented() {
	applied_t
	mig 2 drops "ALTER TABLE t DROP COLUMN b;
DROP DATABASE other_db;"
	st lint --json
	expect_rc 3
	printf '%s\n' "$out" | python3 "$JSON_CHECK" "$JSON_DOC" --command lint --lines 1 2>json.faults ||
		fail "lint --json does not match docs/JSON.md: $(cat json.faults)"
	expect_jq '.errors == 1 and .warnings == 1 and .suppressed == 0 and .rules == null'
	expect_jq '.findings[0] | .file == "migrations/2_drops.up.sql" and .line == 1 and .column == 1 and .end_line == 1 and .level == "warning"'
	st lint --rules --json
	expect_rc 0
	printf '%s\n' "$out" | python3 "$JSON_CHECK" "$JSON_DOC" --command lint --lines 1 2>json.faults ||
		fail "lint --rules --json does not match docs/JSON.md: $(cat json.faults)"
	expect_jq '[.rules[].name] | index("ban-drop-table") != null'
}

t_renames_are_reported_and_followed() {
	applied_t
	case $STRATA_TEST_DB in
	mysql) mig 2 renames "RENAME TABLE t TO u;
ALTER TABLE u RENAME COLUMN a TO c;
CREATE TABLE n (id INT PRIMARY KEY);
RENAME TABLE n TO m;
ALTER TABLE m DROP COLUMN id2;" ;;
	*) mig 2 renames "ALTER TABLE t RENAME TO u;
ALTER TABLE u RENAME COLUMN a TO c;
CREATE TABLE n (id INT PRIMARY KEY);
ALTER TABLE n RENAME TO m;
ALTER TABLE m DROP COLUMN id2;" ;;
	esac
	st lint --json
	expect_rc 0
	# t's rename and its new name's column; n is new, and so is m
	expect_jq '[.findings[] | select(.suppressed == null) | [.rule, .line]] | map(select(.[0] != "require-lock-timeout")) == [["renaming-table", 1], ["renaming-column", 2]]'
	expect_jq '[.findings[] | select(.suppressed == "new-table") | .rule] == ["renaming-table", "ban-drop-column"]'
}

t_client_commands_are_errors() {
	lint_conf
	case $STRATA_TEST_DB in
	postgres) mig 1 meta "\\set x 1
SELECT 1;" ;;
	mysql) mig 1 meta "SOURCE other.sql;
SELECT 1;" ;;
	*) mig 1 meta ".tables
SELECT 1;" ;;
	esac
	st lint
	expect_rc 3
	expect_out "migrations/1_meta.up.sql:1:1: error: client-command:"
}

t_table_rebuilds_are_reported() {
	applied_t
	case $STRATA_TEST_DB in
	postgres) mig 2 retype "ALTER TABLE t ALTER COLUMN a TYPE bigint;"
		want="migrations/2_retype.up.sql:1:1: warning: changing-column-type" ;;
	mysql) mig 2 retype "ALTER TABLE t MODIFY a BIGINT;"
		want="migrations/2_retype.up.sql:1:1: warning: changing-column-type" ;;
	*) mig 2 retype "CREATE TABLE t_new (id INT PRIMARY KEY, a BIGINT, b INT);
INSERT INTO t_new SELECT * FROM t;
DROP TABLE t;
ALTER TABLE t_new RENAME TO t;"
		want="migrations/2_retype.up.sql:3:1: warning: sqlite-table-rebuild: table is rebuilt" ;;
	esac
	st lint
	expect_rc 0
	expect_out "$want"
	refute_out "ban-drop-table"
}

t_the_dialect_is_the_databases_unless_named() {
	mig 1 t "CREATE TABLE t (id INT PRIMARY KEY, c char(3));"
	st lint --offline --dialect postgres
	expect_rc 0
	expect_out "migrations/1_t.up.sql:1:1: warning: ban-char-field"
	st lint --offline --dialect oracle
	expect_rc 2
	expect_err "--dialect 'oracle': expected postgres, mysql or sqlite"
	st lint --all migrations/1_t.up.sql
	expect_rc 2
}

# SQLite has no lock timeout to set: defined on the servers only (not a
# skip on SQLite)
if [ "$STRATA_TEST_DB" != sqlite ]; then
t_a_lock_timeout_satisfies_require_lock_timeout() {
	mig 1 t "CREATE TABLE t (id INT PRIMARY KEY, a INT);"
	st up
	expect_rc 0
	mig 2 add "ALTER TABLE t ADD COLUMN b INT;
ALTER TABLE t ADD COLUMN c INT;"
	st lint
	expect_rc 0
	# once, at the first statement that waits for a lock on t
	expect_out "migrations/2_add.up.sql:1:1: warning: require-lock-timeout: no lock timeout before the first statement that waits for"
	expect_eq 1 "$(printf '%s\n' "$out" | grep -c require-lock-timeout)" "reports"
	# the directive of the file
	mig 2 add "-- strata:lock-timeout 2s
ALTER TABLE t ADD COLUMN b INT;"
	st lint
	expect_rc 0
	refute_out "require-lock-timeout"
	# the session's own setting
	case $STRATA_TEST_DB in
	postgres) set_timeout="SET lock_timeout = '2s';" ;;
	*) set_timeout="SET SESSION lock_wait_timeout = 2;" ;;
	esac
	mig 2 add "$set_timeout
ALTER TABLE t ADD COLUMN b INT;"
	st lint
	expect_rc 0
	refute_out "require-lock-timeout"
	# strata.conf's ddl_lock_timeout
	mig 2 add "ALTER TABLE t ADD COLUMN b INT;"
	printf '[strata]\nddl_lock_timeout = 2s\n' >strata.conf
	st lint
	expect_rc 0
	refute_out "require-lock-timeout"
}
fi

t_validate_follows_the_tables_the_run_creates() {
	lint_conf 'ban-drop-table = error
'
	mig 1 t "CREATE TABLE t (id INT PRIMARY KEY);"
	mig 2 gone "DROP TABLE t;"
	# both pending: t is the run's own
	st validate
	expect_rc 0
	refute_err "ban-drop-table"
	st up 1
	expect_rc 0
	st validate
	expect_rc 2
	expect_err "migrations/2_gone.up.sql:1: error: lint ban-drop-table: dropping table t loses its data"
}
