# shellcheck shell=bash
# PostgreSQL: how migrations run. No-transaction files (CREATE INDEX
# CONCURRENTLY, ALTER TYPE ... ADD VALUE), statements the splitter must
# not cut, dirty rows, INVALID indexes, names, --schema, error positions
# and notices.

# index_valid NAME: t, f, or nothing when there is no such index
index_valid() {
	db_sql "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = '$1'"
}

t_no_transaction_cic_and_alter_type_add_value() {
	mig 0001 base "CREATE TYPE mood AS ENUM ('ok');
CREATE TABLE days (id int PRIMARY KEY, m mood);"
	# ADD VALUE's value is usable only once that statement has
	# committed: inside one transaction the INSERT would fail
	mig 0002 index_and_enum "-- strata:no-transaction
CREATE INDEX CONCURRENTLY days_m ON days (m);
ALTER TYPE mood ADD VALUE 'great';
INSERT INTO days VALUES (1, 'great');"
	st up
	expect_rc 0
	expect_out "applied     0002_index_and_enum"
	expect_eq t "$(index_valid days_m)" "days_m valid"
	expect_eq great "$(db_sql "SELECT m FROM days WHERE id = 1")"
	expect_eq "1|0
2|0" "$(db_sql "SELECT version, dirty FROM schema_migrations ORDER BY 1")"
	# the same ADD VALUE + use in a transactional file is the server's
	# error, rolled back whole
	mig 0003 enum_in_txn "ALTER TYPE mood ADD VALUE 'meh';
INSERT INTO days VALUES (2, 'meh');"
	st up
	expect_rc 1
	expect_err "unsafe use of new value"
	expect_history "1 2"
	expect_eq "ok great" "$(db_sql "SELECT enum_range(NULL::mood)" | tr -d '{}' | tr ',' ' ')"
}

t_cic_without_directive_refused_before_anything_runs() {
	mig 0001 base "CREATE TABLE days (id int PRIMARY KEY);"
	mig 0002 index "CREATE TABLE moods (id int);
CREATE INDEX CONCURRENTLY days_id ON days (id);"
	st up
	expect_rc 2
	expect_err "0002_index.up.sql:2:1: error: statement cannot run inside a transaction"
	expect_err "strata:no-transaction"
	expect_tables ""
	expect_eq "" "$(db_sql "SELECT to_regclass('schema_migrations')")" "history table"
}

# Bodies with ';' inside: dollar quotes, E'' strings, nested comments and
# BEGIN ATOMIC. In a no-transaction file each statement is sent alone,
# so a wrong split would show.
bodies() {
	cat <<'EOF'
/* a comment /* nested; still comment */ still; comment */
CREATE TABLE notes (id int PRIMARY KEY, body text);
CREATE FUNCTION add_note(n int) RETURNS int LANGUAGE plpgsql AS $body$
BEGIN
	INSERT INTO notes VALUES (n, 'from; plpgsql $$ ok');
	RETURN n;
END;
$body$;
INSERT INTO notes VALUES (1, E'it\'s; a \\ backslash'), (2, $$dollar; 'quoted'$$);
CREATE FUNCTION two_notes() RETURNS int LANGUAGE sql
BEGIN ATOMIC
	INSERT INTO notes VALUES (10, 'atomic; one');
	INSERT INTO notes VALUES (11, 'atomic; two');
	SELECT count(*)::int FROM notes;
END;
SELECT add_note(3);
SELECT two_notes(); -- trailing; comment
EOF
}

check_bodies() {
	expect_eq "1|it's; a \\ backslash
2|dollar; 'quoted'
3|from; plpgsql \$\$ ok
10|atomic; one
11|atomic; two" "$(db_sql "SELECT id, body FROM notes ORDER BY id")" "notes"
}

t_bodies_in_a_transaction() {
	mig 0001 bodies "$(bodies)"
	st up
	expect_rc 0
	check_bodies
	expect_history "1"
}

t_bodies_without_a_transaction() {
	mig 0001 bodies "-- strata:no-transaction
$(bodies)"
	st up
	expect_rc 0
	check_bodies
	expect_history "1"
	st plan --offline
	expect_rc 0
	expect_out "BEGIN ATOMIC"
}

t_no_transaction_failure_leaves_dirty_until_force() {
	mig 0001 tables "-- strata:no-transaction
CREATE TABLE n1 (a int);
CREATE TABLE n2 (a int);
-- this one fails: n1 exists
CREATE TABLE n1 (a int);
CREATE TABLE n3 (a int);"
	st up
	expect_rc 1
	expect_err "0001_tables.up.sql:5:1: error: relation \"n1\" already exists"
	expect_err "statements 1 to 2 of 4"
	expect_err "took effect and were not rolled back"
	expect_err "strata force 0001"
	expect_tables "n1 n2"
	expect_eq "t" "$(db_sql "SELECT dirty <> 0 FROM schema_migrations WHERE version = '1'")" "dirty"
	st status
	expect_out "dirty"
	st up
	expect_rc 3
	expect_err "dirty"
	# the operator finishes the job by hand, then declares it done
	db_sql "CREATE TABLE n3 (a int)"
	st force 1
	expect_rc 0
	expect_history "1"
	st up
	expect_rc 0
	expect_err "nothing to apply"
}

dupes() {
	mig 0001 users "CREATE TABLE users (id int PRIMARY KEY, email text);
INSERT INTO users VALUES (1, 'a@x'), (2, 'a@x');"
}

t_failed_cic_names_the_invalid_index() {
	dupes
	mig 0002 unique_email "-- strata:no-transaction
CREATE UNIQUE INDEX CONCURRENTLY users_email ON users (email);"
	st up
	expect_rc 1
	expect_err "could not create unique index \"users_email\""
	expect_err "left the INVALID index public.users_email behind"
	expect_err "DROP INDEX CONCURRENTLY public.users_email;"
	expect_eq f "$(index_valid users_email)" "users_email valid"
	# the fix the message gives, then force back and run again
	db_sql "DELETE FROM users WHERE id = 2"
	db_sql "DROP INDEX CONCURRENTLY public.users_email"
	st force 1
	expect_rc 0
	st up
	expect_rc 0
	expect_eq t "$(index_valid users_email)" "users_email valid"
	expect_history "1 2"
}

t_if_not_exists_hiding_an_invalid_index_is_an_error() {
	dupes
	st up
	# a CREATE INDEX CONCURRENTLY that failed earlier, outside strata
	db_sql "CREATE UNIQUE INDEX CONCURRENTLY users_email ON users (email)" 2>/dev/null &&
		fail "the unique index should have failed"
	db_sql "DELETE FROM users WHERE id = 2"
	expect_eq f "$(index_valid users_email)" "users_email valid"
	mig 0002 in_txn "CREATE TABLE other (a int);
CREATE UNIQUE INDEX IF NOT EXISTS users_email ON users (email);"
	st up
	expect_rc 1
	expect_err "0002_in_txn.up.sql:2:1: error: index public.users_email already exists but is INVALID"
	expect_err "DROP INDEX CONCURRENTLY public.users_email;"
	expect_history "1"
	expect_tables "users"
	rm migrations/0002_in_txn.up.sql
	mig 0002 no_txn "-- strata:no-transaction
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS users_email ON users (email);"
	st up
	expect_rc 1
	expect_err "0002_no_txn.up.sql:2:1: error: index public.users_email already exists but is INVALID"
	db_sql "DROP INDEX CONCURRENTLY users_email"
	st force 1
	st up
	expect_rc 0
	expect_eq t "$(index_valid users_email)" "users_email valid"
}

t_table_name_length_is_checked() {
	mig 0001 a "CREATE TABLE a (id int);"
	local n63 n64
	n63=$(printf 'h%.0s' $(seq 63))
	n64=${n63}h
	st --table "$n64" up
	expect_rc 2
	expect_err "longer than PostgreSQL's limit of 63 bytes"
	expect_tables ""
	st --table "$n64" status
	expect_rc 2
	st --table "$n63" up
	expect_rc 0
	expect_eq "$n63" "$(db_sql "SELECT relname FROM pg_class WHERE relname LIKE 'hhh%' AND relname NOT LIKE '%\_log' AND relkind = 'r'")"
	# its log: the name cut to leave room for _log
	expect_eq "$(printf 'h%.0s' $(seq 59))_log" "$(db_sql "SELECT relname FROM pg_class WHERE relname LIKE 'hhh%\_log' AND relkind = 'r'")" "the log's name"
	expect_eq 1 "$(db_sql "SELECT count(*) FROM \"$(printf 'h%.0s' $(seq 59))_log\"")" "rows in the log"
	# 32 two-byte characters are 64 bytes: too long as well
	st --table "$(printf 'é%.0s' $(seq 32))" status
	expect_rc 2
}

t_table_name_with_quote_and_semicolon() {
	mig 0001 a "CREATE TABLE a (id int);"
	db_sql "CREATE TABLE canary (id int)"
	local evil='h"; DROP TABLE canary; --'
	st --table "$evil" up
	expect_rc 0
	st --table "$evil" status
	expect_rc 0
	expect_out "applied"
	expect_eq "canary" "$(db_sql "SELECT relname FROM pg_class WHERE relname = 'canary'")"
	expect_eq "1" "$(db_sql "SELECT version FROM \"h\"\"; DROP TABLE canary; --\"")"
}

t_literals_with_quote_and_backslash() {
	# applied_by comes from $USER: a value with ' and \ in it
	mig 0001 a "CREATE TABLE a (id int);"
	USER="o'brien\\x" st up
	expect_rc 0
	expect_eq "o'brien\\x@" "$(db_sql "SELECT split_part(applied_by, '@', 1) || '@' FROM schema_migrations")"
	# offline, without libpq's connection: the same quoting by hand
	mig 0002 b "CREATE TABLE b (id int);"
	USER="o'brien\\x" st plan --offline
	expect_rc 0
	expect_out "E'o''brien\\\\x@"
	USER="o'brien\\x" st plan
	expect_rc 0
	expect_out "E'o''brien\\\\x@"
}

t_schema_keeps_history_and_tables_in_it() {
	mig 0001 users "CREATE TABLE users (id int PRIMARY KEY);"
	mig 0002 days "CREATE TABLE days (id int PRIMARY KEY, user_id int REFERENCES users);
CREATE TABLE where_am_i AS SELECT current_schema() AS s;" "DROP TABLE days, where_am_i;"
	st --schema aion_api up
	expect_rc 0
	expect_tables "aion_api.days aion_api.users aion_api.where_am_i"
	expect_eq "aion_api" "$(db_sql "SELECT table_schema FROM information_schema.tables WHERE table_name = 'schema_migrations'")" "history schema"
	expect_eq "1 2" "$(db_sql "SELECT version FROM aion_api.schema_migrations ORDER BY 1" | tr '\n' ' ' | sed 's/ $//')"
	expect_eq "aion_api" "$(db_sql "SELECT s FROM aion_api.where_am_i")" "current_schema()"
	st --schema aion_api status
	expect_rc 0
	expect_out "2 applied, 0 pending"
	# without --schema: another history, nothing applied there
	st status
	expect_out "0 applied, 2 pending"
	st --schema aion_api down
	expect_rc 0
	expect_tables "aion_api.users"
	# a --schema that does not exist yet is not created by a read
	st --schema "Other" status
	expect_rc 0
	expect_eq "" "$(db_sql "SELECT nspname FROM pg_namespace WHERE nspname = 'Other'")"
	st --schema "$(printf 's%.0s' $(seq 64))" up
	expect_rc 2
}

t_error_position_line_col_caret_and_detail() {
	mkdir -p migrations
	printf '%s\n' "-- añadir notas, ünïcode before the error" \
		"CREATE TABLE s (id int PRIMARY KEY, note text);" \
		"INSERT INTO s VALUES (1, 'café') ,, (2, 'x');" >migrations/0001_syntax.up.sql
	st up
	expect_rc 1
	expect_err "migrations/0001_syntax.up.sql:3:35: error: syntax error at or near \",\""
	expect_err "    3 | INSERT INTO s VALUES (1, 'café') ,, (2, 'x');"
	expect_err "^"
	expect_tables ""
	rm migrations/0001_syntax.up.sql
	mig 0001 dup "CREATE TABLE s (id int PRIMARY KEY);
INSERT INTO s VALUES (1);

   INSERT INTO s VALUES (2), (1);"
	st up
	expect_rc 1
	expect_err "0001_dup.up.sql:4:4: error: duplicate key value violates unique constraint \"s_pkey\""
	expect_err "detail: Key (id)=(1) already exists."
	expect_tables ""
	expect_history ""
	rm migrations/0001_dup.up.sql
	mig 0001 hint "DO \$\$
BEGIN
	RAISE EXCEPTION 'no moods yet' USING HINT = 'seed the moods first', DETAIL = 'table moods is empty';
END \$\$;"
	st up
	expect_rc 1
	expect_err "0001_hint.up.sql:1:1: error: no moods yet"
	expect_err "detail: table moods is empty"
	expect_err "hint: seed the moods first"
	expect_err "context: PL/pgSQL function inline_code_block line 3 at RAISE"
	[ "$(db_sql "SELECT 1 FROM pg_stat_activity WHERE state = 'idle in transaction (aborted)'")" = "" ] ||
		fail "a session was left in a failed transaction"
}

t_raise_notice_shown_only_with_verbose() {
	mig 0001 quiet "DO \$\$ BEGIN RAISE NOTICE 'hello-from-%', 'one'; END \$\$;"
	st up
	expect_rc 0
	refute_err "hello-from-one"
	mig 0002 loud "DO \$\$ BEGIN RAISE NOTICE 'hello-from-%', 'two'; END \$\$;"
	st -v up
	expect_rc 0
	expect_err "NOTICE:  hello-from-two"
	expect_history "1 2"
}

t_session_is_utc_with_dead_client_check() {
	mig 0001 settings "CREATE TABLE settings AS SELECT
	current_setting('TimeZone') AS tz,
	current_setting('client_connection_check_interval') AS cci,
	current_setting('application_name') AS app,
	current_setting('client_encoding') AS enc;"
	st up
	expect_rc 0
	expect_eq "UTC|1s|strata|UTF8" "$(db_sql "SELECT tz, cci, app, enc FROM settings")"
	# applied_at is UTC: within a minute of the server's clock
	expect_eq t "$(db_sql "SELECT abs(extract(epoch FROM now() - applied_at)) < 60 FROM schema_migrations")" "applied_at in UTC"
}

# up --single-transaction sends many migrations to a message (run_single.c):
# 600 of them make three messages, each followed by one of history rows. A
# failure deep in the second names its own file and line, a refused history
# row its migration, and nothing at all is applied.
t_single_transaction_batches_locate_errors_and_roll_back_whole() {
	local i
	mkdir -p migrations
	for ((i = 1; i <= 600; i++)); do
		printf 'CREATE TABLE t%d (id int PRIMARY KEY);\nINSERT INTO t%d VALUES (%d);\n' \
			"$i" "$i" "$i" >"migrations/$(printf %04d "$i")_t$i.up.sql"
	done
	printf 'CREATE TABLE t400 (id int PRIMARY KEY);\n\n  INSERT INTO t400 VALUES (1), (1);\n' \
		>migrations/0400_t400.up.sql
	st up --single-transaction
	expect_rc 1
	expect_err "migrations/0400_t400.up.sql:3:3: error: duplicate key value violates unique constraint \"t400_pkey\""
	expect_err "no migration was applied"
	expect_tables ""
	expect_history ""
	# a history row refused (here by a trigger) names its migration
	db_sql "CREATE FUNCTION no_300() RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN IF NEW.version = '300' THEN RAISE EXCEPTION 'no 300 here'; END IF; RETURN NEW; END \$\$;
CREATE TRIGGER no_300 BEFORE INSERT ON schema_migrations FOR EACH ROW EXECUTE FUNCTION no_300();" >/dev/null
	printf 'CREATE TABLE t400 (id int PRIMARY KEY);\n' >migrations/0400_t400.up.sql
	st up --single-transaction
	expect_rc 1
	expect_err "cannot record 0300_t300.up.sql in 'schema_migrations'"
	expect_err "no 300 here"
	expect_tables ""
	expect_history ""
	db_sql "DROP TRIGGER no_300 ON schema_migrations; DROP FUNCTION no_300();" >/dev/null
	# an unclosed parenthesis at the very end of a file is that file's
	printf 'CREATE TABLE t400 (id int PRIMARY KEY\n' >migrations/0400_t400.up.sql
	st up --single-transaction
	expect_rc 1
	expect_err "migrations/0400_t400.up.sql:2:1: error: syntax error"
	expect_tables ""
	printf 'CREATE TABLE t400 (id int PRIMARY KEY);\n' >migrations/0400_t400.up.sql
	st up --single-transaction
	expect_rc 0
	expect_eq 600 "$(db_sql "SELECT count(*) FROM schema_migrations")" "history rows"
	expect_eq 600 "$(db_sql "SELECT count(*) FROM pg_tables WHERE tablename ~ '^t[0-9]+\$'")" "tables"
}

# Several migrations to a message: statement_timestamp() is the time the
# server received the message, so migrations sent together see the same
# one, and the 257th (a batch holds 256) sees a later one.
t_single_transaction_sends_migrations_together() {
	local i
	mig 0001 stamps "CREATE TABLE stamps (v int, t timestamptz);
INSERT INTO stamps VALUES (1, statement_timestamp());"
	for ((i = 2; i <= 257; i++)); do
		mig "$(printf %04d "$i")" "s$i" "INSERT INTO stamps VALUES ($i, statement_timestamp());"
	done
	st up --single-transaction
	expect_rc 0
	expect_eq 1 "$(db_sql "SELECT count(DISTINCT t) FROM stamps WHERE v <= 256")" "messages for 1..256"
	expect_eq t "$(db_sql "SELECT (SELECT t FROM stamps WHERE v = 257) > (SELECT t FROM stamps WHERE v = 256)")" \
		"257 in a later message"
}

# Several migrations to a message: each history row has its own migration's
# time, not the time since the message began.
t_single_transaction_times_each_migration() {
	mig 0001 slow "SELECT pg_sleep(0.3);"
	mig 0002 quick "CREATE TABLE q (id int);"
	mig 0003 slower "SELECT pg_sleep(0.5);"
	mig 0004 quick2 "CREATE TABLE q2 (id int);"
	st up --single-transaction
	expect_rc 0
	local ms
	ms=$(db_sql "SELECT string_agg(CASE WHEN execution_ms BETWEEN 280 AND 480 THEN 'slow' WHEN execution_ms BETWEEN 480 AND 900 THEN 'slower' WHEN execution_ms < 150 THEN 'quick' ELSE execution_ms::text END, ' ' ORDER BY version_sort) FROM schema_migrations")
	expect_eq "slow quick slower quick" "$ms" "execution_ms per migration"
	# one migration to a message (plain up) still measures from its start
	mig 0005 slow3 "SELECT pg_sleep(0.3);"
	st up
	expect_rc 0
	ms=$(db_sql "SELECT execution_ms FROM schema_migrations WHERE version = '5'")
	[ "$ms" -ge 280 ] && [ "$ms" -lt 900 ] || fail "execution_ms of 0005: $ms"
	# a migration answering with a column of strata's clock's name:
	# the run goes on (the batch's time is shared out)
	mig 0006 clock "SELECT 1 AS strata_clock;"
	mig 0007 clock2 "SELECT 2 AS strata_clock;"
	st up --single-transaction
	expect_rc 0
	expect_history "1 2 3 4 5 6 7"
}
