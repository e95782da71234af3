# shellcheck shell=bash
# backup and restore run the database's own client tools (pg_dump and
# psql, mysqldump and mysql). When one is not installed, the message says
# which Debian package has it, not "pg_dump failed (exit status 127)".

# the tools, and their package, for this database
tools() {
	case $STRATA_TEST_DB in
	postgres) dump=pg_dump load=psql package=postgresql-client ;;
	mysql) dump=mysqldump load=mysql package=mariadb-client ;;
	esac
}

# st with strata's PATH a folder that has none of them (the test's own
# PATH stays: the harness needs its tools)
st_without_tools() {
	local real=$STRATA_BIN
	mkdir -p nobin wrap
	printf '#!/bin/sh\nPATH=%s exec %s "$@"\n' "'$PWD/nobin'" "'$real'" >wrap/strata
	chmod +x wrap/strata
	STRATA_BIN=$PWD/wrap/strata
	st "$@"
	STRATA_BIN=$real
}

t_backup_without_the_dump_tool_names_its_package() {
	tools
	mig 1 create_t "CREATE TABLE t (id INT PRIMARY KEY);"
	st up
	expect_rc 0
	st_without_tools backup
	expect_rc 1
	expect_err "cannot run $dump: not found on PATH; install the Debian package $package"
	refute_err "exit status 127"
	# no empty backup left behind
	[ -z "$(find backups -type f 2>/dev/null)" ] || fail "a backup file was left: $(find backups -type f)"
	# with the tool, the same command works
	st backup
	expect_rc 0
}

t_restore_without_the_client_names_its_package() {
	tools
	mig 1 create_t "CREATE TABLE t (id INT PRIMARY KEY);"
	st up
	st backup
	expect_rc 0
	f=$(find backups -type f | head -n 1)
	[ -n "$f" ] || fail "no backup written"
	st_without_tools restore "$f" --yes-replace-data --no-backup </dev/null
	expect_rc 1
	expect_err "cannot run $load: not found on PATH; install the Debian package $package"
	refute_err "exit status 127"
	expect_tables "t"
	# the backup restore takes first needs the dump tool
	st_without_tools restore "$f" --yes-replace-data </dev/null
	expect_rc 1
	expect_err "cannot run $dump: not found on PATH; install the Debian package $package"
	expect_tables "t"
}

t_down_without_the_dump_tool_names_its_package() {
	tools
	mig 1 create_t "CREATE TABLE t (id INT PRIMARY KEY);" "DROP TABLE t;"
	st up
	# down writes a backup first, unless --no-backup
	st_without_tools down
	expect_rc 1
	expect_err "install the Debian package $package"
	expect_tables "t"
	st_without_tools down --no-backup
	expect_rc 0
	expect_tables ""
}
