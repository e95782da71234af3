# shellcheck shell=bash
# shellcheck disable=SC2154 # st sets rc, out, err
# Fleets of SQLite files (a target with fleet = glob:PATTERN): every
# member migrated --jobs at a time, each under its own lock, a summary
# of what each did; a failed member stops only itself (or, with
# --fail-fast, the fleet); a re-run goes on where the last stopped;
# --member picks one; --json reports per member and sums up; errors in
# the setting name strata.conf's line.

JSON_DOC="$STRATA_SRC_ROOT/docs/JSON.md"
JSON_CHECK="$STRATA_SRC_ROOT/tests/lib/json_check.py"

# fleet_conf SPEC: strata.conf with one fleet target "tenants"
fleet_conf() {
	printf '[target "tenants"]\ntype = sqlite\ndir = migrations\nfleet = %s\n' "$1" >strata.conf
}

# tenants N: data/t1.db ... (empty files: empty SQLite databases)
tenants() {
	local i
	mkdir -p data
	for i in $(seq 1 "$1"); do
		: >"data/t$i.db"
	done
}

two() {
	mig 0001 users "CREATE TABLE users (id INTEGER PRIMARY KEY);" "DROP TABLE users;"
	mig 0002 days "CREATE TABLE days (id INTEGER PRIMARY KEY);" "DROP TABLE days;"
}

# the history's versions in FILE
versions_in() {
	sqlite3 "$1" "SELECT group_concat(version, ' ') FROM (SELECT version FROM $TEST_TABLE ORDER BY version)" 2>/dev/null
}

t_every_member_is_migrated_and_summed_up() {
	local i
	tenants 5
	two
	fleet_conf "glob:data/*.db"
	st_raw up --jobs 3
	expect_rc 0
	for i in 1 2 3 4 5; do
		expect_eq "1 2" "$(versions_in "data/t$i.db")" "history of t$i"
		expect_out "== tenants/data/t$i.db =="
		expect_out "data/t$i.db  ok"
	done
	expect_out "MEMBER"
	expect_out "2 migrations applied"
	expect_err "fleet tenants: 5 members: 5 ok, 0 failed, 0 not run"
	# every history row names the fleet's target, whichever member
	expect_eq "tenants" "$(sqlite3 data/t3.db "SELECT DISTINCT target FROM $TEST_TABLE")" "target in history"
	# status over the fleet
	st_raw status --jobs 2
	expect_rc 0
	expect_out "sqlite:data/t5.db: 2 applied, 0 pending"
	st_raw validate
	expect_rc 0
}

t_a_failed_member_stops_only_itself_and_a_rerun_goes_on() {
	tenants 3
	two
	# t2 has a table of the same name already: its 0001 fails
	sqlite3 data/t2.db "CREATE TABLE users (x int)"
	fleet_conf "glob:data/*.db"
	st_raw up --jobs 2
	expect_rc 1
	expect_eq "1 2" "$(versions_in data/t1.db)" "t1"
	expect_eq "" "$(versions_in data/t2.db)" "t2"
	expect_eq "1 2" "$(versions_in data/t3.db)" "t3"
	expect_out "data/t2.db  failed"
	expect_out "error: table users already exists"
	expect_err "3 members: 2 ok, 1 failed, 0 not run"
	# fixed by hand, a re-run migrates t2 and leaves the others be
	sqlite3 data/t2.db "DROP TABLE users"
	st_raw up
	expect_rc 0
	expect_eq "1 2" "$(versions_in data/t2.db)" "t2 after the re-run"
	expect_out "data/t1.db  ok"
	expect_out "nothing to apply"
}

t_fail_fast_starts_no_more_members() {
	tenants 4
	two
	sqlite3 data/t1.db "CREATE TABLE users (x int)"
	fleet_conf "glob:data/*.db"
	st_raw up --fail-fast
	expect_rc 1
	expect_out "data/t1.db  failed"
	expect_out "data/t2.db  not run"
	expect_out "data/t4.db  not run"
	expect_err "4 members: 0 ok, 1 failed, 3 not run"
	expect_eq "" "$(versions_in data/t3.db)" "t3"
}

t_json_reports_each_member_then_the_fleet() {
	tenants 2
	two
	fleet_conf "glob:data/*.db"
	st_raw up --json
	expect_rc 0
	printf '%s\n' "$out" | /usr/bin/python3 "$JSON_CHECK" "$JSON_DOC" --command up --lines 3 2>json.faults ||
		fail "up --json on a fleet does not match docs/JSON.md: $(cat json.faults)"
	# one at a time (no --jobs): in the fleet's order
	expect_eq 'data/t1.db data/t2.db' "$(printf '%s\n' "$out" | head -2 | jq -r '.member' | tr '\n' ' ' | sed 's/ $//')" "members"
	expect_eq 'tenants 2 0' "$(printf '%s\n' "$out" | tail -1 | jq -r '"\(.target) \(.counts.ok) \(.counts.failed)"')" "summary"
	expect_eq '2' "$(printf '%s\n' "$out" | tail -1 | jq -r '[.members[] | select(.result == "ok" and .exit_code == 0)] | length')" "members ok"
}

t_member_picks_one_and_commands_for_one_need_it() {
	tenants 2
	two
	fleet_conf "glob:data/*.db"
	st_raw up --member data/t2.db
	expect_rc 0
	expect_eq "" "$(versions_in data/t1.db)" "t1"
	expect_eq "1 2" "$(versions_in data/t2.db)" "t2"
	# down runs on one database: it needs --member
	st_raw down
	expect_rc 2
	expect_err "strata.conf:4: error: target 'tenants': fleet: 'down' runs on one database: name a member with --member"
	st_raw down --member data/t2.db --no-backup
	expect_rc 0
	expect_eq "1" "$(versions_in data/t2.db)" "t2 after down"
	st_raw status --member data/t9.db
	expect_rc 2
	expect_err "no member 'data/t9.db' (2 members)"
	# a fleet's databases are its members': --database is refused
	st_raw -d sqlite:other.db up
	expect_rc 2
	expect_err "is a fleet: its databases come from the fleet setting, not --database"
	[ ! -e other.db ] || fail "other.db was made"
}

t_list_files_and_bad_settings_name_the_line() {
	two
	mkdir -p data
	printf '# tenants\nacme sqlite:data/acme.db\n\nsqlite:data/beta.db   # by URL\n' >tenants.txt
	fleet_conf "file:tenants.txt"
	st_raw up
	expect_rc 0
	expect_out "acme          ok"
	expect_out "data/beta.db  ok"
	expect_eq "1 2" "$(versions_in data/acme.db)" "acme"
	printf 'a sqlite:a.db extra\n' >bad.txt
	fleet_conf "file:bad.txt"
	st_raw status
	expect_rc 2
	expect_err "bad.txt:1: error: target 'tenants': fleet: expected 'URL' or 'NAME URL', found more"
	printf 'a sqlite:a.db\na sqlite:b.db\n' >twice.txt
	fleet_conf "file:twice.txt"
	st_raw status
	expect_rc 2
	expect_err "twice.txt:2: error: target 'tenants': fleet: member 'a' is listed twice"
	fleet_conf "file:missing.txt"
	st_raw status
	expect_rc 2
	expect_err "strata.conf:4: error: target 'tenants': fleet: cannot read 'missing.txt'"
	fleet_conf "list:x"
	st_raw status
	expect_rc 2
	expect_err "strata.conf:4: error: target 'tenants': fleet: 'list:': expected file:, glob:, query: or schemas:"
	fleet_conf "schemas:t_%"
	st_raw status
	expect_rc 2
	expect_err "schemas: lists the schemas of a PostgreSQL database; this target's type is sqlite"
	# no member at all: said, and nothing to do
	fleet_conf "glob:nowhere/*.db"
	st_raw up
	expect_rc 0
	expect_err "fleet tenants: no members (glob:nowhere/*.db)"
	st_raw up --jobs 0
	expect_rc 2
	expect_err "--jobs '0': expected a number, 1 to 256"
}

t_member_without_a_fleet_is_refused() {
	two
	st up --member x
	expect_rc 2
	expect_err "--member names a member of a fleet"
}

t_new_and_config_run_once_on_a_fleet() {
	tenants 2
	two
	fleet_conf "glob:data/*.db"
	st_raw new more --seq
	expect_rc 0
	expect_out "created migrations/0003_more.up.sql"
	[ "$(find migrations -name '0003_more.up.sql' | wc -l)" = 1 ] || fail "new did not write one file"
	st_raw config
	expect_rc 0
	expect_out "fleet        glob:data/*.db (from strata.conf:4)"
	refute_out "database"
	[ ! -e strata.db ] || fail "config made a database"
}

# fleet_reuse = on runs the members through worker processes, one per
# --jobs slot, each running member after member: the summary, --json,
# --fail-fast and the re-run are as with a process per member.
t_workers_keep_the_summary_fail_fast_json_and_rerun() {
	tenants 4
	two
	sqlite3 data/t2.db "CREATE TABLE users (x int)"
	fleet_conf "glob:data/*.db"
	echo "fleet_reuse = on" >>strata.conf
	st_raw up --jobs 2
	expect_rc 1
	expect_out "data/t2.db  failed"
	expect_out "error: table users already exists"
	expect_out "data/t4.db  ok"
	expect_err "4 members: 3 ok, 1 failed, 0 not run"
	expect_eq "1 2" "$(versions_in data/t4.db)" "t4"
	# each member's output under its own heading, once
	expect_eq 1 "$(printf '%s\n' "$out" | grep -c '^== tenants/data/t3.db ==$')" "t3's heading"
	expect_eq 3 "$(printf '%s\n' "$out" | grep -c 'applied     0001_users')" "0001 applied, on all but t2"
	# fixed by hand, a re-run migrates t2 and leaves the others be
	sqlite3 data/t2.db "DROP TABLE users"
	st_raw up --json --jobs 3
	expect_rc 0
	printf '%s\n' "$out" | /usr/bin/python3 "$JSON_CHECK" "$JSON_DOC" --command up --lines 5 2>json.faults ||
		fail "up --json through workers does not match docs/JSON.md: $(cat json.faults)"
	expect_eq 'data/t2.db' "$(printf '%s\n' "$out" | head -4 | jq -r 'select(.migrations | length > 0) | .member')" "the member with work"
	expect_eq '4 0 0' "$(printf '%s\n' "$out" | tail -1 | jq -r '"\(.counts.ok) \(.counts.failed) \(.counts.not_run)"')" "counts"
	# --fail-fast: one at a time, the first failure stops the fleet
	rm -f data/*.db
	tenants 4
	sqlite3 data/t1.db "CREATE TABLE users (x int)"
	st_raw up --fail-fast
	expect_rc 1
	expect_out "data/t1.db  failed"
	expect_out "data/t2.db  not run"
	expect_err "4 members: 0 ok, 1 failed, 3 not run"
	expect_eq "" "$(versions_in data/t3.db)" "t3"
}
