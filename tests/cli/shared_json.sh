# shellcheck shell=bash
# --json on every command, against every database: each output is one
# result object per target and line, exactly as docs/JSON.md describes
# it (tests/lib/json_check.py reads the tables there: every field
# documented is present with its type, no other appears); failures are
# JSON too, with the exit code and the file; versions as the files write
# them, times ISO 8601 with their zone, pending rows with the fields of
# applied ones.

JSON_DOC="$STRATA_SRC_ROOT/docs/JSON.md"
JSON_CHECK="$STRATA_SRC_ROOT/tests/lib/json_check.py"
ISO='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$'

# $out matches docs/JSON.md: json_ok CMD [LINES] (default 1 line)
json_ok() {
	printf '%s\n' "$out" | python3 "$JSON_CHECK" "$JSON_DOC" \
		--command "$1" --lines "${2:-1}" 2>json.faults ||
		fail "$1 --json does not match docs/JSON.md: $(cat json.faults)"
}

# jq's FILTER holds for $out (every line)
expect_jq() {
	printf '%s\n' "$out" | jq -e "$1" >/dev/null 2>&1 || fail "JSON: $1 does not hold"
}

# jq -r FILTER on $out
jqr() {
	printf '%s\n' "$out" | jq -r "$1"
}

two() {
	mig 0001 a "CREATE TABLE a (id INTEGER PRIMARY KEY);" "DROP TABLE a;"
	mig 0002 b "CREATE TABLE b (id INTEGER PRIMARY KEY);" "DROP TABLE b;"
}

t_every_command_is_described() {
	python3 "$JSON_CHECK" "$JSON_DOC" --self 2>json.faults ||
		fail "docs/JSON.md: $(cat json.faults)"
	st_raw help
	expect_rc 0
	local listed described
	listed=$(printf '%s\n' "$out" | sed -n '/^commands:/,/^$/p' | awk 'NF > 1 { print $1 }' | sort | tr '\n' ' ')
	described=$(python3 "$JSON_CHECK" "$JSON_DOC" --commands | tr '\n' ' ')
	[ -n "$listed" ] || fail "no commands in strata help"
	expect_eq "$listed" "$described" "commands described in docs/JSON.md"
}

t_status_pending_rows_have_the_fields_of_applied_ones() {
	two
	st up 1 --json
	expect_rc 0
	json_ok up
	expect_jq '.ok and .error == null and .dry_run == false'
	expect_jq '[.migrations[] | [.version, .name, .action, .file]] == [["0001", "a", "applied", "migrations/0001_a.up.sql"]]'
	expect_jq '.migrations[0].execution_ms >= 0'
	expect_eq "" "$(jqr '.steps[]')" "steps of a run"
	st status --json
	expect_rc 0
	json_ok status
	expect_jq '[.migrations[].version] == ["0001", "0002"]'
	expect_jq '[.migrations[].state] == ["applied", "pending"]'
	expect_jq '(.migrations[0] | keys) == (.migrations[1] | keys)'
	expect_jq '.migrations[1] | [.applied_at, .execution_ms, .applied_by, .applied_checksum, .applied_name, .dirty_statement] == [null, null, null, null, null, null]'
	expect_jq '.migrations[0].applied_checksum == .migrations[0].checksum and .migrations[0].applied_name == "a"'
	[[ "$(jqr '.migrations[0].applied_at')" =~ $ISO ]] ||
		fail "applied_at is not ISO 8601 with a zone: $(jqr '.migrations[0].applied_at')"
	expect_jq '.counts == {"pending": 1, "applied": 1, "modified": 0, "missing": 0, "dirty": 0, "out_of_order": 0, "renamed": 0}'
	expect_jq '.clean == false and .target == null'
	expect_eq "$TEST_URL" "$(jqr .database | sed 's/\*\*\*//')" "database"
	# check: exit 6, and still ok: it did its work
	st check --json
	expect_rc 6
	json_ok check
	expect_jq '.ok and .clean == false and .error == null'
	st status --offline --json
	json_ok status
	expect_jq '.offline and .counts.pending == 2'
}

t_history_and_validate() {
	two
	st up --json
	json_ok up
	expect_jq '[.migrations[].version] == ["0001", "0002"]'
	st history --json
	expect_rc 0
	json_ok history
	expect_jq '[.history[].version] == ["0001", "0002"]'
	expect_jq '[.history[] | .kind, .dirty, .dirty_statement, .target] == ["versioned", false, null, "default", "versioned", false, null, "default"]'
	expect_jq '.history[0].file == "0001_a.up.sql" and .history[0].checksum_algorithm == "sha256"'
	[[ "$(jqr '.history[1].applied_at')" =~ $ISO ]] || fail "history applied_at: $(jqr '.history[1].applied_at')"
	st validate --json
	expect_rc 0
	json_ok validate
	expect_jq '.valid and .errors == 0 and .problems == []'
	echo "-- edited after it was applied" >>migrations/0002_b.up.sql
	printf '' >migrations/0003_c.up.sql
	st validate --json
	expect_rc 2
	json_ok validate
	expect_jq '.ok == false and .valid == false and .errors >= 1 and .error.exit_code == 2'
	expect_jq '[.problems[] | select(.severity == "error") | .file] | index("migrations/0003_c.up.sql") != null'
}

t_plan_steps_are_the_script() {
	two
	st up 1
	st plan --json
	expect_rc 0
	json_ok plan
	expect_jq '.direction == "up" and .offline == false and .count == 1'
	expect_jq '[.steps[] | select(.version != null) | [.version, .name, .direction, .file]] == [["0002", "b", "up", "migrations/0002_b.up.sql"]]'
	expect_jq '.steps[] | select(.version == "0002") | .sql | contains("CREATE TABLE b")'
	# the steps, joined, are the script `plan` prints (but its clock)
	local script
	script=$(jqr '.steps[] | .sql' | grep -v '^-- written ')
	st plan
	expect_eq "$(printf '%s\n' "$out" | grep -v '^-- written ')" "$script" "plan --json steps joined"
	st plan --down --json
	json_ok plan
	expect_jq '[.steps[] | select(.version != null) | [.version, .direction, .file]] == [["0001", "down", "migrations/0001_a.down.sql"]]'
	# a dry run's SQL is its steps; nothing runs
	st up --dry-run --json
	expect_rc 0
	json_ok up
	expect_jq '.dry_run and .migrations == [] and ([.steps[] | select(.version != null) | .version] == ["0002"])'
	st down --dry-run --json
	json_ok down
	expect_jq '.dry_run and ([.steps[] | select(.version != null) | [.version, .direction]] == [["0001", "down"]])'
	expect_history "1"
}

t_down_redo_fresh_report_what_ran() {
	two
	st up
	st down --no-backup --json
	expect_rc 0
	json_ok down
	expect_jq '[.migrations[] | [.version, .action, .file]] == [["0002", "rolled_back", "migrations/0002_b.down.sql"]]'
	st up
	st redo --no-backup --json
	expect_rc 0
	json_ok redo
	expect_jq '[.migrations[] | [.version, .action]] == [["0002", "rolled_back"], ["0002", "applied"]]'
	st fresh --yes-delete-all-data --no-backup --json
	expect_rc 0
	json_ok fresh
	expect_jq '[.migrations[] | [.version, .action]] == [["0001", "applied"], ["0002", "applied"]]'
	expect_history "1 2"
}

t_a_failing_migration_is_one_json_document() {
	two
	mig 0003 c "CREATE TABLE c (id INTEGER PRIMARY KEY);
CREATE TABL oops (x INTEGER);"
	st up --json
	expect_rc 1
	json_ok up
	expect_jq '.ok == false and .error.exit_code == 1 and .error.code == "STRATA_EDB"'
	expect_jq '.error.file == "migrations/0003_c.up.sql" and .error.line == 2'
	# what ran before the error is reported
	expect_jq '[.migrations[] | .version] == ["0001", "0002"]'
	case "$STRATA_TEST_DB" in
	sqlite) ;;
	*) expect_jq '.error.sqlstate | test("^[0-9A-Z]{5}$")' ;;
	esac
	# stderr keeps the human message
	expect_err "migrations/0003_c.up.sql:2"
	expect_err "error:"
}

t_errors_before_a_command_runs_are_json() {
	st up --json --bogus
	expect_rc 2
	json_ok up
	expect_jq '.ok == false and (.error.message | contains("unknown option")) and .error.exit_code == 2 and .error.code == null'
	expect_err "unknown option"
	st_raw --json frobnicate
	expect_rc 2
	printf '%s\n' "$out" | python3 "$JSON_CHECK" "$JSON_DOC" --lines 1 || fail "unknown command: not a result"
	expect_jq '.command == null and (.error.message | contains("frobnicate"))'
	st help --json
	expect_rc 2
	json_ok help
	st status --help --json
	expect_rc 2
	json_ok status
	expect_jq '.error.message | contains("--help")'
	printf '[strata]\ndatabase = %s\nthis is not a setting\n' "$TEST_URL" >strata.conf
	st_raw status --json
	expect_rc 2
	json_ok status
	expect_jq '.error.file == "strata.conf" and .error.line == 3'
	rm strata.conf
	st status --json --target nope
	expect_rc 2
	json_ok status
	expect_jq '.error.message | contains("nope")'
}

t_an_unreachable_database_is_exit_5_in_json() {
	case "$STRATA_TEST_DB" in
	sqlite) url="sqlite:$PWD" ;; # a folder: cannot be opened
	postgres) url="postgres://postgres@127.0.0.1:1/x?sslmode=disable&connect_timeout=2" ;;
	mysql) url="mysql://root@127.0.0.1:1/x" ;;
	esac
	mig 0001 a "CREATE TABLE a (id INTEGER PRIMARY KEY);"
	st_raw --database "$url" --dir migrations status --json
	expect_rc 5
	json_ok status
	expect_jq '.ok == false and .error.code == "STRATA_ECONNECT" and .error.exit_code == 5'
	refute_out "S3cret"
}

t_several_targets_one_line_each() {
	mkdir -p migrations/main migrations/side
	cat >strata.conf <<CONF
[target "main"]
type = $STRATA_TEST_DB
url = $TEST_URL
dir = migrations/main

[target "side"]
type = sqlite
url = sqlite:side.db
dir = migrations/side
CONF
	echo "CREATE TABLE m (id INTEGER PRIMARY KEY);" >migrations/main/0001_m.up.sql
	echo "CREATE TABLE s (id INTEGER PRIMARY KEY);" >migrations/side/0001_s.up.sql
	for cmd in status history validate config; do
		st_raw "$cmd" --json
		expect_rc 0
		json_ok "$cmd" 2
		expect_eq "main side" "$(jqr .target | tr '\n' ' ' | sed 's/ $//')" "$cmd targets"
	done
	st_raw up --json
	expect_rc 0
	json_ok up 2
	expect_eq "main 0001 side 0001" "$(jqr '.target, .migrations[0].version' | tr '\n' ' ' | sed 's/ $//')" "up"
	# a failure stops the run; its line is the last, whole
	echo "CREATE TABLE m2 (id INTEGER PRIMARY KEY);" >migrations/main/0002_m2.up.sql
	echo "CREATE TABL oops;" >migrations/side/0002_oops.up.sql
	st_raw up --json
	expect_rc 1
	json_ok up 2
	expect_eq "true false" "$(jqr .ok | tr '\n' ' ' | sed 's/ $//')" "ok of each target"
	expect_jq 'select(.target == "side") | .error.file == "migrations/side/0002_oops.up.sql"'
	# one named: one line
	st_raw status --json --target side
	json_ok status 1
	expect_jq '.target == "side"'
}

t_small_results() {
	st_raw version --json
	expect_rc 0
	json_ok version
	expect_eq "strata $(jqr .version)" "$("$STRATA_BIN" version)" "version"
	st new --seq --json first
	expect_rc 0
	json_ok new
	expect_jq '.up_file == "migrations/0001_first.up.sql" and .down_file == "migrations/0001_first.down.sql"'
	[ -f migrations/0001_first.up.sql ] || fail "new --json wrote no file"
	rm migrations/0001_first.*
	two
	st baseline 1 --json
	expect_rc 0
	json_ok baseline
	expect_jq '.version == "1" and .recorded == 1'
	st force 2 --json
	expect_rc 0
	json_ok force
	expect_jq '.version == "2"'
	expect_history "1 2"
	echo "-- edited on purpose" >>migrations/0002_b.up.sql
	st repair --json
	expect_rc 0
	json_ok repair
	expect_jq '.repaired == 1'
	st dump --json
	expect_rc 0
	json_ok dump
	expect_jq '.file == null and .changed == null and (.sql | contains("CREATE TABLE"))'
	st dump -o schema.sql --json
	expect_rc 0
	json_ok dump
	expect_jq '.file == "schema.sql" and .changed and .sql == null'
	[ -s schema.sql ] || fail "dump -o --json wrote nothing"
	st dump -o schema.sql --json
	json_ok dump
	expect_jq '.changed == false'
	# baseline and force ran nothing: a and b are missing, which is
	# drift, exit 3, and still ok: it is the answer
	st drift --json
	expect_rc 3
	json_ok drift
	expect_jq '.ok and .error == null and .drift and ([.removed[] | .name] == ["a", "b"]) and .added == [] and .changed == []'
	db_sql "CREATE TABLE extra (id INTEGER PRIMARY KEY)"
	st drift --json
	expect_rc 3
	json_ok drift
	expect_jq '[.added[] | .name] == ["extra"]'
	st config --json
	expect_rc 0
	json_ok config
	expect_jq '.database_from == "--database" and .dir == "migrations" and .type == "'"$STRATA_TEST_DB"'"'
	st wait --timeout 0 --json
	expect_rc 0
	json_ok wait
	expect_jq '.answered'
	# the test's database exists: create is an error, exit 3
	db_exists || st create
	st create --json
	expect_rc 3
	json_ok create
	expect_jq '.ok == false and .error.exit_code == 3'
	st_raw drop --database "$(db_absent_url)" --yes-delete-all-data --json
	expect_rc 0
	json_ok drop
	expect_jq '.ok and .dropped == false'
}

t_backup_list_and_restore() {
	two
	st up
	st backup --json
	expect_rc 0
	json_ok backup
	f=$(jqr .file)
	[ -f "$f" ] || fail "backup --json names no file: $f"
	expect_jq '.backups | length == 1 and .[0].size > 0'
	st backup --list --json
	expect_rc 0
	json_ok backup
	expect_jq '.file == null and ([.backups[].file] == ["'"$f"'"])'
	[[ "$(jqr '.backups[0].modified_at')" =~ $ISO ]] || fail "modified_at: $(jqr '.backups[0].modified_at')"
	# without a terminal, a refusal, as JSON
	st restore "$f" --json </dev/null
	expect_rc 2
	json_ok restore
	expect_jq '.error.message | contains("--yes-replace-data")'
	st restore "$f" --yes-replace-data --no-backup --json </dev/null
	expect_rc 0
	json_ok restore
	expect_jq '.file == "'"$f"'"'
}

t_adopt_and_init() {
	mig 0001 t1 "CREATE TABLE t1 (id INT);" "DROP TABLE t1;"
	mig 0002 t2 "CREATE TABLE t2 (id INT);" "DROP TABLE t2;"
	db_sql "CREATE TABLE t1 (id INT)"
	db_sql "CREATE TABLE schema_migrations (version bigint not null primary key, dirty boolean not null)"
	db_sql "INSERT INTO schema_migrations (version, dirty) VALUES (1, false)"
	st adopt --dry-run --json
	expect_rc 0
	json_ok adopt
	expect_jq '.tool == "golang-migrate" and .dry_run and .recorded == 1'
	expect_jq '[.items[] | [.action, .version]] == [["record", "0001"], ["pending", "0002"]]'
	mkdir fresh
	cd fresh || fail "cd"
	st_raw init --json
	expect_rc 0
	json_ok init
	expect_jq '.dir == "migrations" and .dir_created and .config_file == "strata.conf" and .config_created and .database == null'
	expect_jq '.gitignore == "created"'
	grep -qx 'backups/' .gitignore || fail "init --json did not write .gitignore"
	st_raw init --json
	json_ok init
	expect_jq '.dir_created == false and .config_created == false and .gitignore == "present"'
}
