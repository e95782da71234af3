# shellcheck shell=bash
# Large seed files on PostgreSQL: bounded messages, function bodies across
# segments, and --single-transaction.

# shellcheck source=tests/lib/large-lib.sh
. "$STRATA_SRC_ROOT/tests/lib/large-lib.sh"

# --single-transaction: see large-lib.sh
t_large_seed_single_transaction() {
	large_large_seed_single_transaction
}

# --single-transaction: see large-lib.sh
t_large_seed_single_transaction_error() {
	large_large_seed_single_transaction_error
}

# PostgreSQL: the file reaches the server in messages of bounded size
# (current_query() is the whole message a statement came in), not as one
# message as large as the file, which libpq, strata and the server each
# held whole.
t_large_seed_postgres_bounded_messages() {
	seed_tables
	seed_file migrations/0002_seed.up.sql 40000 0 "length(current_query())"
	[ "$(wc -c <migrations/0002_seed.up.sql)" -gt 3000000 ] || fail "the seed is too small"
	st up
	expect_rc 0
	expect_seed 40000
	# about 1 MiB each (the long text went on its own, into big)
	local most
	most=$(db_sql "SELECT max(msg) FROM seed")
	[ "$most" -le 1100000 ] || fail "a message of $most bytes"
}

# PostgreSQL: function bodies and BEGIN ATOMIC wherever a segment or a
# message ends.
t_large_seed_postgres_bodies() {
	seed_tables
	awk 'BEGIN {
		for (i = 1; i <= 6000; i++) {
			print "CREATE FUNCTION f" i "() RETURNS int LANGUAGE sql"
			print "BEGIN ATOMIC"
			print "  SELECT " i ";"
			print "  SELECT " i " + 1;"
			print "END;"
			print "CREATE FUNCTION g" i "() RETURNS int AS $$ BEGIN RETURN " i "; END; $$ LANGUAGE plpgsql;"
			print "INSERT INTO seed (id, note) VALUES (" i ", $x$;" i ";$x$);"
		}
	}' >migrations/0002_bodies.up.sql
	[ "$(wc -c <migrations/0002_bodies.up.sql)" -gt 1100000 ] || fail "the file is too small"
	st up
	expect_rc 0
	expect_eq "6000|6001|4321|;77;" "$(db_sql "SELECT count(*), f6000(), g4321(), (SELECT note FROM seed WHERE id = 77) FROM seed")"
}
