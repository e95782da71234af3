# shellcheck shell=bash
# Racing deployers, against every database: N = 2, 4, 8, 16 processes of
# the CLI released at the same instant on a database whose history table
# does not exist yet. Every process exits 0, each migration is applied
# once, and schema and history equal a serial run's. Also up racing down.

twelve() {
	local i
	mkdir -p migrations
	for i in $(seq 1 12); do
		printf 'CREATE TABLE r%d (id INTEGER PRIMARY KEY, v VARCHAR(20));\nINSERT INTO r%d (id, v) VALUES (%d, %s);\n' \
			"$i" "$i" "$i" "'row'" >"migrations/$(printf %04d "$i")_r$i.up.sql"
		printf 'DROP TABLE r%d;\n' "$i" >"migrations/$(printf %04d "$i")_r$i.down.sql"
	done
}

all_zero() {
	local f
	for f in rc.*; do
		[ "$(cat "$f")" = 0 ] || fail "runner ${f#rc.} exited $(cat "$f"): $(cat "out.${f#rc.}")"
	done
}

t_racing_up_equals_a_serial_run() {
	twelve
	second=$(db_second) || fail "no second database"
	st_raw -q -d "$second" -m migrations up
	expect_rc 0
	want_schema=$(db_schema second)
	want_history=$(db_history_text second)
	for n in 2 4 8 16; do
		race_n "$n" -q --lock-timeout 120 up
		all_zero
		expect_eq "$want_schema" "$(db_schema)" "schema after $n racers"
		expect_eq "$want_history" "$(db_history_text)" "history after $n racers"
		expect_eq 12 "$(db_sql "SELECT count(*) FROM schema_migrations")" "rows after $n racers"
		# back to an empty database: no history table either
		st down --all --no-backup
		expect_rc 0
		db_sql "DROP TABLE schema_migrations"
		expect_tables ""
	done
}

t_up_racing_down() {
	twelve
	st up 6
	local cmds=() i
	for i in 1 2 3 4 5 6; do
		if [ $((i % 2)) = 0 ]; then
			cmds+=("-q --lock-timeout 120 up")
		else
			cmds+=("-q --lock-timeout 120 down --no-backup")
		fi
	done
	race_each "${cmds[@]}"
	all_zero
	# whatever the interleaving: rows and tables agree
	hist=$(history_versions)
	tabs=$(db_tables | tr ' ' '\n' | sed 's/^r//' | sort -n | tr '\n' ' ' | sed 's/ $//')
	expect_eq "$hist" "$tabs" "history versions vs tables"
}
