# shellcheck shell=bash
# restore on PostgreSQL with a psql that cannot be restricted.

# shellcheck source=tests/lib/restore-lib.sh
. "$STRATA_SRC_ROOT/tests/lib/restore-lib.sh"

# A psql older than \restrict (before PostgreSQL 17.6, 16.10, 15.14,
# 14.19, 13.22) stops at it before anything runs: the checked file is
# restored without that guard, unless psql could read it otherwise than
# the check did (a string ending in a backslash: read one way with
# standard_conforming_strings, another without), which a restricted psql
# may.
t_older_psql_without_restrict() {
	seed
	st backup
	expect_rc 0
	f=$out
	db_sql "DELETE FROM notes"
	real=$(command -v psql)
	mkdir bin
	cat >bin/psql <<'SH'
#!/bin/sh
for a in "$@"; do
	case "$a" in
	'\restrict '*) printf '%s\n' 'invalid command \restrict' >&2; exit 3 ;;
	esac
done
exec REAL "$@"
SH
	sed -i "s|REAL|$real|" bin/psql
	chmod +x bin/psql
	PATH="$PWD/bin:$PATH" st restore "$f" --yes-replace-data --no-backup </dev/null
	expect_rc 0
	expect_eq "1 2" "$(note_ids)" "rows after the restore"
	db_sql "COMMENT ON TABLE notes IS 'C:\\'"
	rm -r backups
	st backup
	expect_rc 0
	f=$out
	grep -q "IS 'C:\\\\';" "$f" || fail "no such comment in the dump: $(grep COMMENT "$f")"
	db_sql "DELETE FROM notes"
	PATH="$PWD/bin:$PATH" st restore "$f" --yes-replace-data --no-backup </dev/null
	expect_rc 2
	expect_err "cannot be kept from running commands of its own"
	expect_eq "" "$(note_ids)" "rows after the refused restore"
	st restore "$f" --yes-replace-data --no-backup </dev/null
	expect_rc 0
	expect_eq "1 2" "$(note_ids)" "rows after the restore"
	expect_eq 'C:\' "$(db_sql "SELECT obj_description('notes'::regclass)")" "the comment"
}
