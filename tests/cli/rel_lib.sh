# shellcheck shell=bash
# rel_lib.sh: helpers shared by the reliability suites (rel_*.sh on every
# `make check`, long_*.sh on `make check-long`). Not a suite itself: it
# defines no t_ function, so run.sh runs it as an empty suite. A suite
# loads it with
#
#	. "$(dirname "${BASH_SOURCE[0]}")/rel_lib.sh"
#
# Everything that depends on the database goes through the rel_db_*
# functions below, one `case "$STRATA_TEST_DB"` each, so that a suite
# written against SQLite runs on PostgreSQL and MariaDB once the branches
# for them are filled in (the ones marked "untested" were written ahead of
# the drivers). Helpers from tests/lib/test-lib.sh (mig, st, db_sql,
# expect_*) are available.

# --- the database, per kind -------------------------------------------------

# The SQLite file behind $TEST_URL.
rel_db_file() {
	printf '%s\n' "${TEST_URL#sqlite:}"
}

# Drop everything: the database is as db_setup left it.
rel_db_reset() {
	case "$STRATA_TEST_DB" in
	sqlite)
		local f
		f=$(rel_db_file)
		rm -f "$f" "$f-journal" "$f-wal" "$f-shm"
		;;
	postgres) # untested until the suites run on PostgreSQL
		db_sql "DROP SCHEMA public CASCADE; CREATE SCHEMA public" >/dev/null
		;;
	mysql) # untested
		local t
		for t in $(db_sql "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()"); do
			db_sql "DROP TABLE \`$t\`" >/dev/null
		done
		;;
	esac
}

# The schema as text, sorted, history table included: equal text means
# equal schema. SQLite: sqlite_master's stored SQL of every object.
rel_db_schema() {
	case "$STRATA_TEST_DB" in
	sqlite)
		[ -f "$(rel_db_file)" ] || return 0
		db_sql "SELECT type || ' ' || name || ' ' || tbl_name || ': ' || replace(coalesce(sql, ''), char(10), ' ') FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name"
		;;
	postgres) # untested
		db_sql "SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1"
		db_sql "SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1"
		;;
	mysql) # untested
		db_sql "SELECT concat(table_name, '.', column_name, ' ', column_type, ' ', is_nullable) FROM information_schema.columns WHERE table_schema = DATABASE() ORDER BY 1"
		db_sql "SELECT concat(table_name, '.', index_name, ' ', column_name) FROM information_schema.statistics WHERE table_schema = DATABASE() ORDER BY 1"
		;;
	esac
}

# The history without the columns that differ between runs (time, who,
# duration): version, name, kind, file, checksum, dirty.
rel_db_history() {
	rel_db_has_table "$TEST_TABLE" || return 0
	db_sql "SELECT version, name, kind, file, checksum, dirty FROM $TEST_TABLE ORDER BY version, name" 2>&1
}

rel_db_has_table() {
	local n
	case "$STRATA_TEST_DB" in
	sqlite)
		[ -f "$(rel_db_file)" ] || return 1
		n=$(db_sql "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '$1'")
		;;
	postgres | mysql) # untested
		n=$(db_sql "SELECT count(*) FROM information_schema.tables WHERE table_name = '$1'")
		;;
	esac
	[ "$n" = 1 ]
}

# "ok" when the database's own check passes (SQLite: integrity_check;
# the servers check themselves).
rel_db_integrity() {
	case "$STRATA_TEST_DB" in
	sqlite)
		[ -f "$(rel_db_file)" ] || { echo ok; return; }
		db_sql "PRAGMA integrity_check" 2>&1 | tr '\n' ' ' | sed 's/ $//'
		;;
	*) echo ok ;;
	esac
}

# --- migrations --------------------------------------------------------------

# rel_migrations N: migrations 0001..N; migration i creates table ti with a
# row and an index, in three statements, and its down drops it.
rel_migrations() {
	local i
	for i in $(seq 1 "$1"); do
		mig "$(printf %04d "$i")" "t$i" "CREATE TABLE t$i (id INTEGER PRIMARY KEY, v VARCHAR(20));
INSERT INTO t$i (id, v) VALUES ($i, 'row $i');
CREATE INDEX t${i}_v ON t$i (v);" "DROP TABLE t$i;"
	done
}

# --- checks ------------------------------------------------------------------

# rel_db_state N: one line per migration 1..N: "I ROW TAB IDX ROWS", where
# ROW is the history row's dirty column ("" when there is no row), TAB
# and IDX are 1 when table tI and index tI_v exist, and ROWS counts tI.
rel_db_state() {
	local n=$1 i q=""
	case "$STRATA_TEST_DB" in
	sqlite)
		# one sqlite3 per call: the crash sweeps check hundreds of times
		local f names
		f=$(rel_db_file)
		names=" $(sqlite3 -batch "$f" "SELECT name FROM sqlite_master" | tr '\n' ' ') "
		for i in $(seq 1 "$n"); do
			local tab=0 idx=0 cnt=0
			case "$names" in *" t$i "*) tab=1 cnt="(SELECT count(*) FROM t$i)" ;; esac
			case "$names" in *" t${i}_v "*) idx=1 ;; esac
			q="$q SELECT $i, coalesce((SELECT dirty FROM $TEST_TABLE WHERE version = $i), ''), $tab, $idx, $cnt UNION ALL"
		done
		[ -n "$q" ] || return 0
		sqlite3 -batch -separator ' ' "$f" "${q% UNION ALL}"
		;;
	*) # untested
		for i in $(seq 1 "$n"); do
			local row tab=0 idx=0 cnt=0
			row=$(db_sql "SELECT dirty FROM $TEST_TABLE WHERE version = $i")
			if rel_db_has_table "t$i"; then
				tab=1 idx=1
				cnt=$(db_sql "SELECT count(*) FROM t$i")
			fi
			echo "$i $row $tab $idx $cnt"
		done
		;;
	esac
}

# rel_consistent N [NOTXN]: the database passes its integrity check and is
# exactly before or after each of migrations 1..N: the history row of i is
# there if and only if table ti is, and then ti holds its one row and its
# index. A migration listed in NOTXN (versions, space separated) may
# instead be marked dirty, whatever it did: that is the no-transaction
# protocol.
rel_consistent() {
	local n=$1 notxn=" ${2:-} " ic i row tab idx cnt
	ic=$(rel_db_integrity)
	[ "$ic" = ok ] || fail "integrity check: $ic"
	if ! rel_db_has_table "$TEST_TABLE"; then
		tab=$(db_tables)
		[ -z "$tab" ] || fail "tables without a history table: $tab"
		return 0
	fi
	while read -r i row tab idx cnt; do
		# an empty ROW shifts the fields left
		if [ -z "$cnt" ]; then cnt=$idx idx=$tab tab=$row row=""; fi
		case "$row:$tab$idx" in
		":00") ;;
		"0:11") [ "$cnt" = 1 ] || fail "t$i holds $cnt rows, expected 1" ;;
		[1-9]*:*)
			case "$notxn" in
			*" $i "*) ;;
			*) fail "migration $i is marked dirty but runs in a transaction" ;;
			esac
			;;
		":"*) fail "migration $i is not recorded but changed the database (table $tab, index $idx): changed but unrecorded" ;;
		"0:"*) fail "migration $i is recorded but only partly there (table $tab, index $idx)" ;;
		*) fail "migration $i: unexpected history state '$row'" ;;
		esac
	done < <(rel_db_state "$1")
}

# rel_no_crash: the last command ended by itself (not by a signal, not by
# a sanitizer) with a documented exit code.
rel_no_crash() {
	case "$rc" in
	0 | 1 | 2 | 3 | 4 | 5 | 130) ;;
	*) fail "exit code $rc is not a documented one" ;;
	esac
	case "$err" in
	*AddressSanitizer* | *LeakSanitizer* | *"runtime error:"* | *Segmentation*)
		fail "crashed" ;;
	esac
}

# rel_snapshot: schema + history, to compare before and after a command
# that must change nothing.
rel_snapshot() {
	rel_db_schema
	echo "--"
	rel_db_history
}

# --- many processes at once --------------------------------------------------

# rel_race N ARGS...: start N strata processes with ARGS (each gets
# --database/--dir like `st`) at the same instant: each waits behind a FIFO
# until all N are ready. Leaves rc.I, out.I and err.I (I = 1..N).
rel_race() {
	local n=$1 i go
	shift
	rm -f gate rc.* out.* err.* ready.* go.*
	mkfifo gate
	for i in $(seq 1 "$n"); do
		(
			: >"ready.$i"
			read -r _ <gate
			: >"go.$i"
			"$STRATA_BIN" --database "$TEST_URL" --dir migrations "$@" >"out.$i" 2>"err.$i"
			echo $? >"rc.$i"
		) &
	done
	while [ "$(find . -maxdepth 1 -name 'ready.*' | wc -l)" -lt "$n" ]; do
		sleep 0.01
	done
	sleep 0.05
	# Opening the FIFO read-write never blocks and releases every reader
	# blocked in open(); repeat for one that was not there yet.
	go=0
	while [ "$go" -lt "$n" ]; do
		exec 3<>gate
		exec 3>&-
		sleep 0.01
		go=$(find . -maxdepth 1 -name 'go.*' | wc -l)
	done
	wait
	rm -f gate ready.* go.*
}

# rel_race_expect_all RC N: every one of the N processes exited RC.
rel_race_expect_all() {
	local i r
	for i in $(seq 1 "$2"); do
		r=$(cat "rc.$i" 2>/dev/null)
		[ "$r" = "$1" ] || fail "process $i of $2 exited '$r', expected $1:
$(sed 's/^/      | /' "err.$i")"
		case "$(cat "err.$i")" in
		*AddressSanitizer* | *"runtime error:"*) fail "process $i crashed: $(cat "err.$i")" ;;
		esac
	done
}

# --- system-call fault injection ----------------------------------------------

# The paths of the database files, as strace -P options: every system call
# on the database, its journal, its WAL, and the folder (SQLite syncs it
# after creating or deleting the journal).
rel_db_paths() {
	local f
	f=$(rel_db_file)
	printf -- '-P\n%s\n-P\n%s\n-P\n%s\n-P\n%s\n-P\n%s\n' "$f" "$f-journal" "$f-wal" "$f-shm" "$(dirname "$f")"
}

# rel_strace SPEC ARGS...: run strata with ARGS (as `st` does) under strace
# with the injection SPEC (e.g. pwrite64:signal=KILL:when=3), restricted to
# the system calls on the database files. Sets rc, out, err like st.
# LeakSanitizer cannot run under ptrace: leaks are checked elsewhere.
rel_strace() {
	local spec=$1 call o e
	shift
	call=${spec%%:*}
	o=$(mktemp) e=$(mktemp)
	local paths
	mapfile -t paths < <(rel_db_paths)
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		strace -qq -o /dev/null "${paths[@]}" -e trace="$call" -e inject="$spec" \
		"$STRATA_BIN" --database "$TEST_URL" --dir migrations "$@" >"$o" 2>"$e"
	rc=$?
	out=$(cat "$o")
	err=$(cat "$e")
	rm -f "$o" "$e"
	last_cmd="strace -e inject=$spec strata $*"
}

# Is strace usable here (installed, and ptrace allowed)?
rel_need_strace() {
	command -v strace >/dev/null 2>&1 || skip "strace is not installed"
	strace -qq -o /dev/null true 2>/dev/null || skip "ptrace is not allowed here"
}

# --- crash sweeps (rel_crash.sh, long_crash.sh) -------------------------------

# crash_sweep "CALLS" STEP N SETUP FINAL ARGS...: for each system call in
# CALLS and k = 1, 1+STEP, ...: reset the database, run SETUP (a function
# that brings it to the starting state), run strata ARGS killed at the k-th
# call, check, recover with `strata FINAL` (up, or down --all) and check the
# end state. Stops each call's sweep when a run completes unkilled.
# Migrations 1..N are those of rel_migrations; REL_NOTXN lists the ones
# that may be left dirty; REL_ALLOW_NONE=1 accepts a call that never
# happens.
crash_sweep() {
	local calls=$1 step=$2 n=$3 setup=$4 final=$5 call k points
	shift 5
	for call in $calls; do
		k=1 points=0
		while :; do
			rel_db_reset
			$setup
			rel_strace "$call:signal=KILL:when=$k" "$@"
			if [ "$rc" != 137 ]; then
				expect_rc 0
				break
			fi
			points=$((points + 1))
			rel_consistent "$n" "${REL_NOTXN:-}"
			crash_recover "$n" "$final"
			k=$((k + step))
			[ "$k" -le 2000 ] || fail "$call: still killed at call $k"
		done
		[ "$points" -gt 0 ] || [ -n "${REL_ALLOW_NONE:-}" ] ||
			fail "$call: strata was never killed: no such call on the database?"
		# REL_REPORT=FILE collects the number of crash points enumerated
		[ -z "${REL_REPORT:-}" ] || echo "${FUNCNAME[1]} $call $points" >>"$REL_REPORT"
	done
}

# The documented recovery: a dirty no-transaction migration is fixed by
# hand (here: its table dropped) and the version forced back; then FINAL.
crash_recover() {
	local n=$1 final=$2 v
	st -q $final
	if [ "$rc" = 3 ]; then
		expect_err "dirty"
		expect_err "strata force"
		v=$(db_sql "SELECT version FROM $TEST_TABLE WHERE dirty <> 0")
		[ -n "$v" ] || fail "exit 3 without a dirty migration: $err"
		db_sql "DROP TABLE IF EXISTS t$v"
		st -q force $((v - 1))
		expect_rc 0
		st -q $final
	fi
	expect_rc 0
	rel_consistent "$n"
	case "$final" in
	up) expect_history "$(seq -s ' ' 1 "$n")" ;;
	"down --all") expect_history "" ;;
	esac
}

from_empty() { :; }
from_all_applied() { st -q up; expect_rc 0; }
from_wal() { db_sql "PRAGMA journal_mode = WAL" >/dev/null; }
from_wal_all_applied() { from_wal; from_all_applied; }
