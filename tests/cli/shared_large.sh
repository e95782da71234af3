# shellcheck shell=bash
# Large seed files, on every database: a file of tens of thousands of
# statements applies completely, in one transaction where the database has
# them, and an error near its end names its line and leaves nothing behind.
# Speed itself is the benchmark's (bench/, "large seed file"); what is
# checked here is the work and the messages that grow with a file's size.

# shellcheck source=tests/lib/large-lib.sh
. "$STRATA_SRC_ROOT/tests/lib/large-lib.sh"

t_large_seed_applies_completely() {
	seed_tables
	seed_file migrations/0002_seed.up.sql 40000
	st up
	expect_rc 0
	expect_out "applied     0002_seed"
	expect_history "1 2"
	expect_seed 40000
	expect_eq "0002_seed.up.sql|0" \
		"$(db_sql "SELECT file, dirty FROM schema_migrations WHERE version = '2'")"
}

t_large_seed_error_near_the_end() {
	seed_tables
	seed_file migrations/0002_seed.up.sql 40000 39990
	st up
	expect_rc 1
	expect_err "migrations/0002_seed.up.sql:$(cat bad_line):"
	expect_err "nope"
	expect_history "1"
	# data only: one transaction on every database, all of it rolled back
	expect_eq "0|0" "$(db_sql "SELECT count(*), (SELECT count(*) FROM big) FROM seed")"
	expect_eq "" "$(db_sql "SELECT version FROM schema_migrations WHERE version = '2'")"
	st status
	expect_out "0002     seed    pending"
}
