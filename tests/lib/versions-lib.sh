# shellcheck shell=bash
# versions-lib.sh: helpers of the suites about versions and the history
# table's upgrade (shared_versions.sh, mysql_versions.sh). Not a suite.
#
# A history table as strata wrote it before versions were text (version
# BIGINT, no version_sort, repeatables at version 0) comes from the
# previous release's binary when STRATA_PREV_BIN names it (build it from
# commit 17d8e82: make build/san/strata), else from the same statements
# run here.

# The migrations the previous release applies: every run of an up leaves
# a row in runs (a repeatable's in rep_runs), so a run twice shows.
prev_migrations() {
	mig 0001 runs "CREATE TABLE runs (n INT);
CREATE TABLE rep_runs (n INT);
INSERT INTO runs VALUES (1);" "DROP TABLE rep_runs;
DROP TABLE runs;"
	mig 0002 two "INSERT INTO runs VALUES (2);" "DELETE FROM runs WHERE n = 2;"
	mig 0010 ten "INSERT INTO runs VALUES (10);" "DELETE FROM runs WHERE n = 10;"
	printf 'INSERT INTO rep_runs VALUES (1);\n' >migrations/seed.repeatable.sql
}

# The history table exactly as the previous release creates it.
prev_create_table() {
	db_sql "CREATE TABLE IF NOT EXISTS $TEST_TABLE (
    version            BIGINT       NOT NULL,
    name               VARCHAR(255) NOT NULL,
    kind               VARCHAR(16)  NOT NULL,
    file               VARCHAR(1024) NOT NULL,
    checksum           VARCHAR(128),
    checksum_algorithm VARCHAR(16)  NOT NULL,
    applied_at         $(db_time_type) NOT NULL,
    execution_ms       BIGINT       NOT NULL,
    applied_by         VARCHAR(255) NOT NULL,
    target             VARCHAR(64)  NOT NULL,
    database_type      VARCHAR(32)  NOT NULL,
    dirty              BIGINT       NOT NULL,
    PRIMARY KEY (target, version, name)
)"
}

# prev_record VERSION NAME KIND FILE: the row the previous release writes
# once the file's up ran.
prev_record() {
	local sum
	sum=$(sha256sum "migrations/$4" | cut -d' ' -f1)
	db_sql "INSERT INTO $TEST_TABLE (version, name, kind, file, checksum, checksum_algorithm, applied_at, execution_ms, applied_by, target, database_type, dirty) VALUES ($1, '$2', '$3', '$4', '$sum', 'sha256', CURRENT_TIMESTAMP, 3, 'prev@host', 'default', '$STRATA_TEST_DB', 0)" ||
		fail "cannot record $4 as the previous release does"
}

# prev_up: the migrations of prev_migrations applied by the previous
# release, with its history table.
prev_up() {
	local f
	prev_migrations
	if [ -n "${STRATA_PREV_BIN:-}" ]; then
		"$STRATA_PREV_BIN" --database "$TEST_URL" --dir migrations up >prev.out 2>&1 ||
			fail "the previous release's up failed: $(cat prev.out)"
		return
	fi
	prev_create_table
	for f in 0001_runs 0002_two 0010_ten; do
		db_sql "$(cat "migrations/$f.up.sql")" || fail "cannot run $f"
		prev_record "$((10#${f%%_*}))" "${f#*_}" versioned "$f.up.sql"
	done
	db_sql "$(cat migrations/seed.repeatable.sql)" || fail "cannot run the seed"
	prev_record 0 seed repeatable seed.repeatable.sql
}

# column_type COLUMN: the type of the history table's COLUMN, lower case
# ("" when there is no such column)
column_type() {
	db_column_type "$TEST_TABLE" "$1"
}

# expect_old_format / expect_new_format: the history table's format
expect_old_format() {
	expect_eq bigint "$(column_type version)" "type of version (${1:-})"
	expect_eq "" "$(column_type version_sort)" "version_sort (${1:-})"
}

expect_new_format() {
	case "$(column_type version)" in
	*char*) ;;
	*) fail "version is not text: '$(column_type version)' (${1:-})" ;;
	esac
	case "$(column_type version_sort)" in
	*char*) ;;
	*) fail "no version_sort column: '$(column_type version_sort)' (${1:-})" ;;
	esac
}

# Every value of every row (the version of a repeatable aside: 0 before,
# none after), as text.
rows_snapshot() {
	db_sql "SELECT version, name, kind, file, checksum, checksum_algorithm, applied_at, execution_ms, applied_by, target, database_type, dirty FROM $TEST_TABLE WHERE kind <> 'repeatable' ORDER BY name"
	db_sql "SELECT name, kind, file, checksum, checksum_algorithm, applied_at, execution_ms, applied_by, target, database_type, dirty FROM $TEST_TABLE WHERE kind = 'repeatable' ORDER BY name"
}

# runs: the rows of runs, in order; rep_runs: how many runs of the seed
runs() {
	db_sql "SELECT n FROM runs ORDER BY n" | tr '\n' ' ' | sed 's/ $//'
}

rep_runs() {
	db_sql "SELECT count(*) FROM rep_runs"
}
