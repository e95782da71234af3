# shellcheck shell=bash
# MySQL/MariaDB: the upgrade of a history table written before versions
# were text builds the new table beside the old one, swaps them with one
# atomic RENAME TABLE and drops the old one, each step committing on its
# own. A stop after the swap leaves the upgraded table in place and the
# old one beside it, which the next command that writes drops (a stop
# before the swap: shared_versions.sh).

. "$(dirname "${BASH_SOURCE[0]}")/../lib/exact-lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/../lib/versions-lib.sh"

t_upgrade_stopped_after_the_swap_is_finished_by_the_next_write() {
	local before
	prev_up
	before=$(rows_snapshot)
	mig 0011 eleven "INSERT INTO runs VALUES (11);" "DELETE FROM runs WHERE n = 11;"
	tp_start history_upgrade_swapped up.out up
	kill -9 "$pid"
	wait "$pid" 2>/dev/null
	expect_new_format "after the stop"
	expect_eq "$before" "$(rows_snapshot)" "rows after the stop"
	expect_eq "${TEST_TABLE}_strata_old" "$(db_tables | tr ' ' '\n' | grep strata_)" "tables left"
	st status
	expect_rc 0
	expect_out "4 applied, 1 pending"
	# reading leaves it; the next write drops it
	expect_eq "${TEST_TABLE}_strata_old" "$(db_tables | tr ' ' '\n' | grep strata_)" "tables left after status"
	st up
	expect_rc 0
	expect_err "dropped '${TEST_TABLE}_strata_old', the old table an upgrade that stopped left behind"
	expect_eq "" "$(db_tables | tr ' ' '\n' | grep strata_)" "tables left after up"
	expect_eq "1 2 10 11" "$(runs)" "runs"
	expect_eq "$before" "$(rows_snapshot | grep -v '^11|')" "rows kept"
}

# A stop before the swap leaves a half-built table beside the old one,
# which the next write drops before it builds the new one again.
t_upgrade_stopped_before_the_swap_is_built_again() {
	prev_up
	mig 0011 eleven "INSERT INTO runs VALUES (11);" "DELETE FROM runs WHERE n = 11;"
	tp_start history_upgrade up.out up
	kill -9 "$pid"
	wait "$pid" 2>/dev/null
	expect_old_format "after the stop"
	expect_eq "${TEST_TABLE}_strata_new" "$(db_tables | tr ' ' '\n' | grep strata_)" "tables left"
	st up
	expect_rc 0
	expect_err "dropped '${TEST_TABLE}_strata_new', left half built by an upgrade that stopped"
	expect_err "upgraded in place"
	expect_new_format "after up"
	expect_eq "" "$(db_tables | tr ' ' '\n' | grep strata_)" "tables left after up"
	expect_eq "1 2 10 11" "$(runs)" "runs"
}
