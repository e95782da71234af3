# shellcheck shell=bash
# rel-lib.sh: helpers shared by the reliability suites (rel_*.sh on every
# `make check`, long_*.sh on `make check-long`). Not a suite itself: it
# defines no t_ function, so run.sh runs it as an empty suite. A suite
# loads it with
#
#	. "$(dirname "${BASH_SOURCE[0]}")/../lib/rel-lib.sh"
#
# Everything that depends on the database goes through the functions of
# its glue file, tests/lib/db/$STRATA_TEST_DB.sh (db_reset, db_schema_all,
# db_has_table, db_integrity, db_object_names, db_lock_*: see
# docs/DRIVERS.md), so that a suite written against SQLite runs on
# PostgreSQL and MariaDB (the srv_*.sh suites do). Helpers from
# tests/lib/test-lib.sh (mig, st, db_sql, expect_*) and, for the runner
# lock, tests/lib/exact-lib.sh are available.

# --- the database ---------------------------------------------------------------

# The history without the columns that differ between runs (time, who,
# duration): version, name, kind, file, checksum, dirty.
rel_db_history() {
	db_has_table "$TEST_TABLE" || return 0
	db_sql "SELECT version, name, kind, file, checksum, dirty FROM $TEST_TABLE ORDER BY version_sort, name" 2>&1
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
	local n=$1 i q="" names hist=0
	# two round trips: the names, then one query for every migration
	names=" $(db_object_names | tr '\n' ' ') "
	case "$names" in *" $TEST_TABLE "*) hist=1 ;; esac
	for i in $(seq 1 "$n"); do
		local tab=0 idx=0 cnt=0 row="''"
		case "$names" in *" t$i "*) tab=1 cnt="(SELECT count(*) FROM t$i)" ;; esac
		case "$names" in *" t${i}_v "*) idx=1 ;; esac
		[ "$hist" = 1 ] && row="coalesce((SELECT $(db_text_sql dirty) FROM $TEST_TABLE WHERE version = '$i'), '')"
		q="$q SELECT $i, $row, $tab, $idx, $cnt UNION ALL"
	done
	[ -n "$q" ] || return 0
	db_sql "${q% UNION ALL}" | tr '|' ' '
}

# rel_consistent N [NOTXN]: the database passes its integrity check and is
# exactly before or after each of migrations 1..N: the history row of i is
# there if and only if table ti is, and then ti holds its one row and its
# index. A migration listed in NOTXN (versions, space separated) may
# instead be marked dirty, whatever it did: that is the no-transaction
# protocol.
rel_consistent() {
	local n=$1 notxn=" ${2:-} " ic i row tab idx cnt
	ic=$(db_integrity)
	[ "$ic" = ok ] || fail "integrity check: $ic"
	if ! db_has_table "$TEST_TABLE"; then
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
	db_schema_all
	echo "--"
	rel_db_history
}

# --- the runner lock (PostgreSQL and MariaDB; SQLite has none) -------------------

# rel_lock_wait_free SECONDS: wait until nobody holds the runner lock;
# prints the milliseconds it took. Fails after SECONDS.
rel_lock_wait_free() {
	local t0 t1
	t0=$(date +%s%N)
	while db_lock_held; do
		t1=$(date +%s%N)
		[ $(((t1 - t0) / 1000000)) -lt $(($1 * 1000)) ] || return 1
		sleep 0.02
	done
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000000))
}

# rel_lock_hold: another session takes the runner lock and keeps it until
# rel_lock_release (needs tests/lib/exact-lib.sh).
rel_lock_hold() {
	hold_start lock "$(db_lock_take_sql)" "$(db_lock_give_sql)"
	db_lock_held || fail "the other session does not hold the lock"
}

rel_lock_release() {
	hold_end lock
	db_lock_held && fail "the lock was not released"
	return 0
}

# --- hostile input (rel_hostile.sh, sqlite_hostile.sh) --------------------------

# A database with migration 1 applied and a canary table, and the
# snapshot to compare with.
base_state() {
	rel_migrations 1
	st -q up
	expect_rc 0
	db_sql "CREATE TABLE canary (id INTEGER)"
	db_sql "INSERT INTO canary (id) VALUES (42)"
	before=$(rel_snapshot)
}

unchanged() {
	expect_eq "$before" "$(rel_snapshot)" "database after: $*"
	expect_eq 42 "$(db_sql "SELECT id FROM canary")" "canary row"
}

# refused FILE_BODY WANT_RC POSITION MESSAGE: migration 0002 holds the body
# (printf format) and 0003 is a good one after it; `up` is refused with
# WANT_RC and MESSAGE at POSITION (file:line[:col]) before anything runs.
refused() {
	rm -f migrations/0002_* migrations/0003_*
	printf -- "$1" >migrations/0002_bad.up.sql
	mig 0003 good "CREATE TABLE good (id INTEGER);" "DROP TABLE good;"
	st up
	rel_no_crash
	expect_rc "$2"
	expect_err "migrations/0002_bad.up.sql:$3"
	expect_err "$4"
	unchanged "$1"
	# validate finds it too, without a database change
	st validate
	expect_rc "$2"
	expect_err "0002_bad.up.sql"
	unchanged "validate: $1"
}

# --- many processes at once --------------------------------------------------

# rel_race_expect_all RC N: every one of the N processes exited RC.
rel_race_expect_all() {
	local i r
	for i in $(seq 1 "$2"); do
		r=$(cat "rc.$i" 2>/dev/null)
		[ "$r" = "$1" ] || fail "process $i of $2 exited '$r', expected $1:
$(sed 's/^/      | /' "out.$i")"
		case "$(cat "out.$i")" in
		*AddressSanitizer* | *"runtime error:"*) fail "process $i crashed: $(cat "out.$i")" ;;
		esac
	done
}

# --- system-call fault injection ----------------------------------------------

# The paths of the database files, as strace -P options: every system call
# on the database, its journal, its WAL, and the folder (SQLite syncs it
# after creating or deleting the journal).
rel_db_paths() {
	local f
	f=$(db_file)
	printf -- '-P\n%s\n-P\n%s\n-P\n%s\n-P\n%s\n-P\n%s\n' "$f" "$f-journal" "$f-wal" "$f-shm" "$(dirname "$f")"
}

# rel_traced WHAT STRACE-OPTIONS... -- ARGS...: run strata with ARGS (as
# `st` does) under strace with those options; sets rc, out, err like st,
# and last_cmd to "strace WHAT strata ARGS". LeakSanitizer cannot run under
# ptrace: leaks are checked elsewhere.
rel_traced() {
	local what=$1 o e opts=()
	shift
	while [ "$1" != -- ]; do
		opts+=("$1")
		shift
	done
	shift
	st_out_files
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		strace -qq -o /dev/null "${opts[@]}" \
		"$STRATA_BIN" --database "$TEST_URL" --dir migrations "$@" >"$o" 2>"$e"
	rc=$?
	# shellcheck disable=SC2034 # read by the expect_* helpers
	out=$(<"$o") err=$(<"$e")
	[ -n "${TEST_OUT_DIR:-}" ] || rm -f "$o" "$e"
	# shellcheck disable=SC2034
	last_cmd="strace $what strata $*"
}

# rel_strace SPEC ARGS...: the injection SPEC (e.g.
# pwrite64:signal=KILL:when=3) on the system calls on the database files.
rel_strace() {
	local spec=$1 paths
	shift
	mapfile -t paths < <(rel_db_paths)
	rel_traced "-e inject=$spec" "${paths[@]}" -e trace="${spec%%:*}" \
		-e inject="$spec" -- "$@"
}

# rel_strace_on PATH SPEC ARGS...: like rel_strace, for the calls on PATH
# (absolute, or relative to the test folder: both forms are traced).
rel_strace_on() {
	local path=$1 spec=$2
	shift 2
	rel_traced "-P $path -e inject=$spec" -P "$path" -P "${path#"$PWD"/}" \
		-e trace="${spec%%:*}" -e inject="$spec" -- "$@"
}

# rel_strace_all SPEC ARGS...: the fault on every such call of the process.
rel_strace_all() {
	local spec=$1
	shift
	rel_traced "-e inject=$spec" -e trace="${spec%%:*}" -e inject="$spec" -- "$@"
}

# rel_strace_backup SPEC ARGS...: like rel_strace, for the calls on the
# backup file that strata writes, in strata and in any process it starts
# from then on (strace -f). strata (test build) pauses once it has created
# the file (NAME.partial, linked to NAME when whole); the file is found by
# listing backups/, strace attaches to strata with -P on it, and strata
# goes on. Needs tests/lib/exact-lib.sh. Without a backup (an error
# before it), no strace: rc, out, err are the run's.
rel_strace_backup() {
	local spec=$1 o e f tracer
	shift
	o=$(mktemp) e=$(mktemp)
	tp_fifo=$PWD/tp.backup.$RANDOM
	mkfifo "$tp_fifo"
	STRATA_TEST_PAUSE="backup_opened:$tp_fifo" ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		"$STRATA_BIN" --database "$TEST_URL" --dir migrations "$@" >"$o" 2>"$e" &
	pid=$!
	tp_wait_paused "$pid" "$tp_fifo" "$e"
	f=$(find "$PWD/backups" -type f -name '*.partial')
	[ "$(printf '%s\n' "$f" | grep -c .)" = 1 ] || fail "expected one backup being written, found: $f"
	strace -qq -o /dev/null -f -p "$pid" -P "$f" -e trace="${spec%%:*}" -e inject="$spec" &
	tracer=$!
	for _ in $(seq 1 3000); do
		[ "$(awk '$1 == "TracerPid:" { print $2 }' "/proc/$pid/status")" != 0 ] && break
		kill -0 "$tracer" 2>/dev/null || fail "strace could not attach to strata"
		sleep 0.01
	done
	tp_release
	wait "$pid"
	rc=$?
	wait "$tracer"
	# shellcheck disable=SC2034 # read by the expect_* helpers
	out=$(cat "$o") err=$(cat "$e")
	rm -f "$o" "$e"
	# shellcheck disable=SC2034
	last_cmd="strace -P backups/... -e inject=$spec strata $*"
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
			db_reset
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

# --- the random kill soak on a server (srv_soak.sh, long_srv_soak.sh) ---------------

# rel_run_killed MS ARGS...: strata -q with ARGS in the background (output
# in files o and e), killed with SIGKILL after MS milliseconds unless it
# ended first; sets r to its exit status (137: killed).
rel_run_killed() {
	local ms=$1 pid
	shift
	ASAN_OPTIONS=detect_leaks=0 "$STRATA_BIN" -q -d "$TEST_URL" -m migrations "$@" >o 2>e &
	pid=$!
	sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
	kill -KILL "$pid" 2>/dev/null
	wait "$pid"
	r=$?
}

# rel_srv_soak RUNS: RUNS runs of a random command (up, up 2, down 2,
# down --all, redo, up --to 6) from a random state (0..8 applied), killed
# with SIGKILL after a random delay within the first 60 % of a full up.
# Each migration sleeps in the server (pg_sleep, SLEEP) between creating
# its table and filling it, so that kills land inside migrations; on
# PostgreSQL migration 5 runs outside a transaction, on MariaDB every one
# runs under the dirty protocol (its DDL commits by itself). After each
# run: the killed runner's lock is free within 5 s, every migration is
# exactly applied or not or (no-transaction) marked dirty at a statement
# it can have reached, never changed but unrecorded; then the documented
# recovery and a normal up complete. REL_REPORT=FILE collects the figures.
rel_srv_soak() {
	local runs=$1 cmds=("up" "up 2" "down 2" "down --all" "redo" "up --to 6")
	local n=8 i start cmd delay r killed=0 finished=0 changed=0 dirty=0
	local t0 t1 span ms maxms=0 summs=0 slow notxn before v d
	[ -n "$DB_SERVER" ] || fail "rel_srv_soak runs on the servers"
	slow="SELECT $(db_sleep_sql 0.06);"
	# where DDL rolls back, migration 5 runs outside a transaction; where
	# it commits by itself, every migration runs under the dirty protocol
	if db_ddl_rolls_back; then notxn=5; else notxn=$(seq -s ' ' 1 $n); fi
	for i in $(seq 1 $n); do
		mig "$(printf %04d "$i")" "t$i" "CREATE TABLE t$i (id INTEGER PRIMARY KEY, v VARCHAR(20));
$slow
INSERT INTO t$i (id, v) VALUES ($i, 'row $i');
CREATE INDEX t${i}_v ON t$i (v);" "DROP TABLE t$i;"
	done
	if [ "$notxn" = 5 ]; then
		printf -- '-- strata:no-transaction\n%s\n' "$(cat migrations/0005_t5.up.sql)" >migrations/0005_t5.up.sql.new
		mv migrations/0005_t5.up.sql.new migrations/0005_t5.up.sql
	fi
	t0=$(date +%s%N)
	st -q up
	t1=$(date +%s%N)
	expect_rc 0
	span=$(((t1 - t0) * 6 / 10000000 + 20))
	for i in $(seq 1 "$runs"); do
		db_reset
		start=$((RANDOM % (n + 1)))
		if [ "$start" -gt 0 ]; then
			st -q up "$start"
			expect_rc 0
		fi
		before=$(rel_db_history)
		cmd=${cmds[RANDOM % ${#cmds[@]}]}
		# no pg_dump / mysqldump before down (redo has no such option):
		# kills are for the migrations
		case "$cmd" in down*) cmd="$cmd --no-backup" ;; esac
		delay=$((RANDOM % span))
		# shellcheck disable=SC2086
		rel_run_killed "$delay" --lock-timeout 30 $cmd
		case $r in
		137) killed=$((killed + 1)) ;;
		0 | 3) finished=$((finished + 1)) ;; # 3: redo with nothing applied
		*) fail "run $i ($cmd from $start): exit $r $(cat e)" ;;
		esac
		# the killed session's lock goes with it (PostgreSQL: once the
		# server notices, at the end of the statement it was running)
		ms=$(rel_lock_wait_free 5) || fail "run $i ($cmd from $start, killed after $delay ms): the lock is still held 5 s later"
		[ "$ms" -le "$maxms" ] || maxms=$ms
		summs=$((summs + ms))
		rel_consistent $n "$notxn"
		[ "$r" != 137 ] || [ "$before" = "$(rel_db_history)" ] || changed=$((changed + 1))
		# a dirty row names the statement the run had reached (1..4 up,
		# 1 down); what is there agrees with it
		v=$(db_sql "SELECT version FROM $TEST_TABLE WHERE dirty <> 0")
		if [ -n "$v" ]; then
			dirty=$((dirty + 1))
			d=$(db_sql "SELECT dirty FROM $TEST_TABLE WHERE version = '$v'")
			case "$d" in 1 | 2 | 3 | 4) ;; *) fail "run $i: dirty row $v says statement '$d' of 4" ;; esac
			if [ "$d" -ge 3 ]; then
				db_has_table "t$v" || fail "run $i: $v is dirty at statement $d but t$v is gone"
			fi
		fi
		crash_recover $n up
	done
	echo "soak $STRATA_TEST_DB: runs=$runs killed=$killed (changed the history: $changed) finished=$finished dirty=$dirty span=${span}ms lock free after max ${maxms} ms, mean $((summs / runs)) ms" >&2
	[ -z "${REL_REPORT:-}" ] || echo "soak $STRATA_TEST_DB runs=$runs killed=$killed changed=$changed finished=$finished dirty=$dirty span=${span}ms lockmax=${maxms}ms lockmean=$((summs / runs))ms" >>"$REL_REPORT"
	# the soak proves something only if kills land mid-run; how many do
	# depends on the machine's load (short commands may finish first)
	[ "$killed" -ge $((runs / 10 > 0 ? runs / 10 : 1)) ] || fail "only $killed of $runs runs were killed mid-way"
}
