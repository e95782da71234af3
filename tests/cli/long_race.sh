# shellcheck shell=bash
# Racing deployers, long tier (make check-long): the races of rel_race.sh
# repeated many times, and random mixes of up, down and redo. The end state
# of any race must be one that some serial order of the same commands
# gives; with migrations applied in order that means: the applied versions
# are 1..k for some k, each table matches its history row, and every
# process exits 0.

. "$(dirname "${BASH_SOURCE[0]}")/../lib/rel-lib.sh"

# The applied versions are 1..k with no hole.
no_hole() {
	local h want="" i k
	h=$(history_versions)
	k=$(echo "$h" | wc -w)
	for i in $(seq 1 "$k"); do want="$want $i"; done
	want=${want# }
	[ "$h" = "$want" ] || fail "$1: applied versions '$h' have a hole"
}

# 30 rounds of 16 processes applying 12 migrations and a repeatable.
t_long_race_up_16_rounds() {
	rel_migrations 12
	mkdir -p migrations
	printf '%s\n' "CREATE TABLE IF NOT EXISTS rlog (n INTEGER);" \
		"INSERT INTO rlog (n) VALUES (1);" >migrations/R__rlog.sql
	st -q up
	want_schema=$(db_schema_all)
	want_hist=$(rel_db_history)
	for round in $(seq 1 30); do
		db_reset
		race_n 16 -q up
		rel_race_expect_all 0 16
		expect_eq "$want_schema" "$(db_schema_all)" "round $round: schema"
		expect_eq "$want_hist" "$(rel_db_history)" "round $round: history"
		expect_eq 1 "$(db_sql "SELECT count(*) FROM rlog")" "round $round: runs of the repeatable"
	done
}

# 40 rounds of 8 processes, each a random command among up, up N, down,
# down N, redo and status, from a random starting point.
t_long_race_random_mixes() {
	local cmds=("up" "up 1" "up 3" "down" "down 2" "redo" "status" "up --to 5")
	rel_migrations 8
	for round in $(seq 1 40); do
		db_reset
		start=$((RANDOM % 9))
		[ "$start" = 0 ] || st -q up "$start"
		picked="" run=()
		for i in 1 2 3 4 5 6 7 8; do
			c=${cmds[RANDOM % ${#cmds[@]}]}
			picked="$picked; $c"
			run+=("-q $c")
		done
		race_each "${run[@]}"
		for i in 1 2 3 4 5 6 7 8; do
			r=$(cat "rc.$i")
			# redo or down with nothing applied is refused (3) or a no-op
			case "$r" in
			0) ;;
			3) grep -q "nothing to redo" "out.$i" || fail "round $round ($picked): process $i exited 3: $(cat "out.$i")" ;;
			*) fail "round $round ($picked): process $i exited $r: $(cat "out.$i")" ;;
			esac
		done
		no_hole "round $round ($picked)"
		rel_consistent 8
	done
}

# 30 rounds of up racing down from "1 2 applied": only the two serial
# outcomes.
t_long_race_up_against_down_rounds() {
	rel_migrations 4
	for round in $(seq 1 30); do
		db_reset
		st -q up 2
		race_each "-q up" "-q down"
		expect_eq 0 "$(cat rc.1)" "round $round: up ($(cat out.1))"
		expect_eq 0 "$(cat rc.2)" "round $round: down ($(cat out.2))"
		case "$(history_versions)" in
		"1 2 3" | "1 2 3 4") ;;
		*) fail "round $round: up racing down ended at '$(history_versions)'" ;;
		esac
		rel_consistent 4
	done
}
