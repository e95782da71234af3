# shellcheck shell=bash
# shellcheck disable=SC2154 # st sets rc, out, err
# strata dump, against every database: the schema as the database's own
# dumper writes it, the same bytes for the same schema (no dates,
# versions, random tokens), the history's rows last in version order;
# restored into an empty database it dumps again to the same bytes; the
# schema_file setting writes it after up, down and redo; a missing dumper
# names its package; a file that cannot be written leaves nothing.

# The folder: a trigger with ';' in its body (and, for MySQL, files that
# change the delimiter), a table with an index and a view, a column
# added; versions 1, 2 and 10, so that text order (10 before 2) and
# version order differ.
folder() {
	db_trigger_migration
	mig 2 users "CREATE TABLE users (id INT PRIMARY KEY, name VARCHAR(50) NOT NULL);
CREATE INDEX users_name ON users (name);
CREATE VIEW user_names AS SELECT name FROM users;" \
		"DROP VIEW user_names;
DROP TABLE users;"
	mig 10 users_mail "ALTER TABLE users ADD COLUMN mail VARCHAR(100);" \
		"ALTER TABLE users DROP COLUMN mail;"
}

# The versions of the dump's INSERT lines ($1: the dump), in order.
dump_versions() {
	printf '%s\n' "$1" | grep '^INSERT INTO' |
		sed "s/.*) VALUES ('\([^']*\)'.*/\1/" | tr '\n' ' ' | sed 's/ $//'
}

# status without its times: version, name, state
status_states() {
	st "$@" status
	printf '%s\n' "$out" | awk 'NR > 1 && NF >= 3 && $1 !~ /:/ { print $1, $2, $3 }'
}

t_dump_is_the_same_for_the_same_schema() {
	folder
	st up
	expect_rc 0
	st dump
	expect_rc 0
	first=$out
	[ -n "$first" ] || fail "empty dump"
	st dump
	expect_eq "$first" "$out" "a second dump of the same database"
	# another database built from the same folder (another name, other
	# times, other sequences of events) dumps to the same bytes
	second=$(db_second) || fail "no second database"
	st --database "$second" up
	expect_rc 0
	st --database "$second" dump
	expect_rc 0
	[ "$first" = "$out" ] ||
		fail "the dumps of two databases differ: $(diff <(printf '%s\n' "$first") <(printf '%s\n' "$out"))"
	# what the folder made is in it
	case $first in *users_name*) ;; *) fail "no index in the dump" ;; esac
	case $first in *user_names*) ;; *) fail "no view in the dump" ;; esac
	case $first in *t_ins*) ;; *) fail "no trigger in the dump" ;; esac
	case $first in *mail*) ;; *) fail "no added column in the dump" ;; esac
}

t_dump_has_no_dates_versions_or_tokens() {
	folder
	st up
	st dump
	expect_rc 0
	expect_eq "-- strata schema dump ($STRATA_TEST_DB)" "$(printf '%s\n' "$out" | head -n 1)" \
		"the first line"
	# pg_dump 15's \restrict token, the server's and the tool's versions,
	# the dump's date, mariadb-dump's sandbox line, a counter's next
	# value, the account that made a view
	bad=$(printf '%s\n' "$out" | grep -n -i -E \
		'\\(un)?restrict|Dumped (from|by)|Server version|Distrib|dump completed|Dump date|sandbox|AUTO_INCREMENT=[0-9]|DEFINER=`|[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{2}:[0-9]{2}:[0-9]{2}|strata [0-9]+\.[0-9]+') &&
		fail "lines that change from run to run: $bad"
	# no times, users or durations of the runs in the rows
	printf '%s\n' "$out" | grep '^INSERT INTO' | grep -q "$(id -un)" &&
		fail "the user who ran up is in the dump"
	return 0
}

t_history_rows_come_last_in_version_order() {
	folder
	st up
	expect_rc 0
	st dump
	expect_rc 0
	want="1 2 10"
	[ "$STRATA_TEST_DB" = mysql ] && want="1 2 3 10"
	expect_eq "$want" "$(dump_versions "$out")" "the rows' versions"
	# after the first row, nothing but rows
	after=$(printf '%s\n' "$out" | sed -n '/^INSERT INTO/,$p' | grep -v '^INSERT INTO')
	expect_eq "" "$after" "lines after the first history row"
	# and a row for every applied migration, none for a pending one
	st down
	expect_rc 0
	st dump
	want="1 2"
	[ "$STRATA_TEST_DB" = mysql ] && want="1 2 3"
	expect_eq "$want" "$(dump_versions "$out")" "the rows after down"
}

t_dump_restored_into_an_empty_database_dumps_the_same() {
	folder
	st up
	expect_rc 0
	st dump -o schema.sql
	expect_rc 0
	expect_err "schema written to schema.sql"
	second=$(db_second) || fail "no second database"
	# strata's own file: no --any-file needed
	st --database "$second" restore schema.sql --yes-replace-data --no-backup </dev/null
	expect_rc 0
	expect_err "restored schema.sql"
	st --database "$second" dump -o again.sql
	expect_rc 0
	cmp schema.sql again.sql ||
		fail "the restored database dumps otherwise: $(diff schema.sql again.sql)"
	# status agrees (times aside), and so do the tables and the history
	a=$(status_states)
	b=$(status_states --database "$second")
	[ -n "$a" ] || fail "no status"
	expect_eq "$a" "$b" "status of the restored database"
	expect_eq "$(db_schema)" "$(db_schema second)" "the tables' columns"
	expect_eq "$(db_history_text)" "$(db_history_text second)" "the history"
	# nothing is pending there, and the trigger works
	st --database "$second" up
	expect_rc 0
	expect_err "nothing to apply"
}

# strata.conf with schema_file for the database under test
conf_schema_file() {
	printf '[strata]\nschema_file = %s\n' "$1" >strata.conf
}

t_schema_file_is_written_after_up_down_and_redo() {
	folder
	mkdir db
	conf_schema_file db/schema.sql
	st up 1
	expect_rc 0
	expect_err "schema written to db/schema.sql"
	[ -f db/schema.sql ] || fail "up wrote no schema file"
	st dump
	expect_eq "$out" "$(cat db/schema.sql)" "the file after up 1"
	st up
	expect_rc 0
	st dump
	expect_eq "$out" "$(cat db/schema.sql)" "the file after up"
	after_up=$out
	st down
	expect_rc 0
	expect_err "schema written to db/schema.sql"
	st dump
	expect_eq "$out" "$(cat db/schema.sql)" "the file after down"
	case $(cat db/schema.sql) in *mail*) fail "the dropped column is still in the file" ;; esac
	st up
	expect_eq "$after_up" "$(cat db/schema.sql)" "the file after up again"
	# redo writes it too (the same schema: the same bytes)
	rm db/schema.sql
	st redo --no-backup
	expect_rc 0
	expect_eq "$after_up" "$(cat db/schema.sql)" "the file after redo"
	# nothing changed: nothing written
	rm db/schema.sql
	st up
	expect_rc 0
	[ ! -e db/schema.sql ] || fail "up with nothing to apply wrote the file"
	# a dry run changes nothing, and writes nothing
	st down --dry-run
	expect_rc 0
	[ ! -e db/schema.sql ] || fail "a dry run wrote the file"
}

t_schema_file_per_target() {
	folder
	printf '[target "main"]\ntype = %s\nurl = %s\ndir = migrations\nschema_file = main.sql\n' \
		"$STRATA_TEST_DB" "$TEST_URL" >strata.conf
	st_raw up
	expect_rc 0
	[ -f main.sql ] || fail "the target's schema file was not written"
	st_raw dump
	expect_eq "$out" "$(cat main.sql)" "the target's schema file"
	# several targets cannot share the [strata] one
	printf '[strata]\nschema_file = all.sql\n[target "a"]\ntype = sqlite\nurl = sqlite:a.db\n[target "b"]\ntype = sqlite\nurl = sqlite:b.db\n' >strata.conf
	st_raw up
	expect_rc 2
	expect_err "strata.conf:2:"
	expect_err "schema_file"
	[ ! -e all.sql ] || fail "a schema file was written"
}

t_schema_file_that_cannot_be_written_keeps_the_migration() {
	folder
	conf_schema_file missing/schema.sql
	st up
	expect_rc 7
	expect_err "missing/schema.sql"
	expect_err "the migrations stay applied"
	want="1 2 10"
	[ "$STRATA_TEST_DB" = mysql ] && want="1 2 3 10"
	expect_history "$want"
	[ ! -e missing ] || fail "the folder was made"
	[ -z "$(find . -name '*.tmp-*')" ] || fail "left behind: $(find . -name '*.tmp-*')"
}

t_missing_dumper_names_its_package() {
	case $STRATA_TEST_DB in
	postgres) dump=pg_dump package=postgresql-client ;;
	mysql) dump=mysqldump package=mariadb-client ;;
	*) dump= ;;
	esac
	folder
	st up
	expect_rc 0
	st dump
	want=$out
	# strata with a PATH that has no tools at all
	real=$STRATA_BIN
	mkdir -p nobin wrap
	printf '#!/bin/sh\nPATH=%s exec %s "$@"\n' "'$PWD/nobin'" "'$real'" >wrap/strata
	chmod +x wrap/strata
	STRATA_BIN=$PWD/wrap/strata
	st dump -o schema.sql
	STRATA_BIN=$real
	if [ -z "$dump" ]; then
		# SQLite needs no tool: libsqlite3 reads its schema
		expect_rc 0
		expect_eq "$want" "$(cat schema.sql)" "the dump without tools"
		return 0
	fi
	expect_rc 1
	expect_err "cannot run $dump: not found on PATH; install the Debian package $package"
	refute_err "exit status 127"
	[ ! -e schema.sql ] || fail "a schema file was left"
	[ -z "$(find . -name '*.tmp-*')" ] || fail "left behind: $(find . -name '*.tmp-*')"
}

t_bad_output_and_options() {
	folder
	st up
	expect_rc 0
	st dump -o nowhere/schema.sql
	expect_rc 2
	expect_err "cannot write nowhere/schema.sql"
	[ ! -e nowhere ] || fail "the folder was made"
	# a folder where the file should be: refused, the folder kept
	mkdir taken
	st dump -o taken
	expect_rc 2
	expect_err "cannot write taken"
	[ -d taken ] || fail "the folder is gone"
	[ -z "$(find . -name '*.tmp-*')" ] || fail "left behind: $(find . -name '*.tmp-*')"
	# --json: the same SQL as a string (tests/cli/shared_json.sh)
	st dump
	local sql=$out
	st dump --json
	expect_rc 0
	expect_eq "$sql" "$(printf '%s\n' "$out" | jq -r .sql)" "dump --json sql"
	st dump extra
	expect_rc 2
	expect_err "dump takes no arguments"
	st dump -o
	expect_rc 2
	expect_err "needs a value"
	# a file that holds the dump already is left as it is
	st dump -o same.sql
	expect_rc 0
	touch -d '2001-01-01 00:00:00' same.sql
	st dump -o same.sql
	expect_rc 0
	expect_err "schema unchanged in same.sql"
	expect_eq "2001" "$(date -r same.sql +%Y)" "the year of an unchanged file"
}

t_dump_of_a_database_that_does_not_exist() {
	st --database "$(db_absent_url)" dump -o absent.sql
	[ "$rc" != 0 ] || fail "a dump of no database succeeded"
	[ ! -e absent.sql ] || fail "a file was written"
}
