# shellcheck shell=bash
# exact-lib.sh: helpers that let a test control when things happen, instead
# of sleeping and hoping the machine was fast (or slow) enough. Not a suite
# (it defines no t_ function). A suite loads it with
#
#	. "$(dirname "${BASH_SOURCE[0]}")/../lib/exact-lib.sh"
#
# They rely on the test build (build/san, -DSTRATA_TEST_BUILD=1):
#
#   STRATA_TEST_CACHE_MIN_AGE_MS=MS  the caches (stat, folder listing, SQLite
#       history) keep what they learn about a file once it has been left
#       unchanged MS ms (default: 2 s, 100 ms for the SQLite file). 0: at
#       once, so a test need not wait for files to age; a large value:
#       never, to check that recent files are not kept.
#   STRATA_TEST_PAUSE=POINT:FIFO  strata stops at POINT (src/util/testpoint.h)
#       until the test lets it go on (the tp_* helpers below).
#   STRATA_TEST_TRACE=FILE  strata notes in FILE every point it reaches
#       (tp_trace_start, tp_trace_has).
#
# Then sessions of the database's own client that hold a lock (hold_start,
# hold_end) and gates inside a migration statement (gate_shut, gate_open),
# on the db_hold and db_gate_* functions of the database's glue file.

# cache_at_once: the caches keep files however recently they changed. A
# change the test makes after a cache was written must then come after
# fs_tick_past, or it could leave the times the cache kept.
cache_at_once() {
	export STRATA_TEST_CACHE_MIN_AGE_MS=0
}

# cache_never_recent: files changed within the last hour are never kept.
cache_never_recent() {
	export STRATA_TEST_CACHE_MIN_AGE_MS=3600000
}

# fs_tick_past PATH...: wait until the file system's clock has moved past
# the modification and change times of every PATH: whatever changes them
# from now on gives them other times. Polls a fresh file's change time
# (the clock ticks every few milliseconds), 10 s at most.
fs_tick_past() {
	local newest=0 t
	for t in $(stat -c '%.9Y %.9Z' "$@"); do
		t=${t/./}
		[ "$((10#$t))" -le "$newest" ] || newest=$((10#$t))
	done
	for _ in $(seq 1 1000); do
		: >.fs-tick
		t=$(stat -c '%.9Z' .fs-tick)
		rm -f .fs-tick
		t=${t/./}
		[ "$((10#$t))" -gt "$newest" ] && return 0
		sleep 0.01
	done
	fail "the file system's clock did not move past the times of $*"
}

# --- pause points (STRATA_TEST_PAUSE) ------------------------------------------

# tp_start POINT OUT ARGS...: strata ARGS (after -d/-m, as `st` gives them)
# in the background, its stdout and stderr in OUT, set to pause at POINT;
# returns once it is paused there. Sets pid (strata's) and tp_fifo.
# LeakSanitizer is off: a test may kill it while it pauses.
tp_start() {
	local point=$1 out=$2
	shift 2
	tp_fifo=$PWD/tp.$point.$RANDOM
	rm -f "$tp_fifo" "$tp_fifo.ready"
	mkfifo "$tp_fifo"
	STRATA_TEST_PAUSE="$point:$tp_fifo" ASAN_OPTIONS=detect_leaks=0 \
		"$STRATA_BIN" -d "$TEST_URL" -m migrations "$@" >"$out" 2>&1 &
	pid=$!
	tp_wait_paused "$pid" "$tp_fifo" "$out"
}

# tp_wait_paused PID FIFO OUT: wait (60 s at most) until process PID
# pauses on FIFO (FIFO.ready exists); fail if it ends first.
tp_wait_paused() {
	for _ in $(seq 1 3000); do
		[ -e "$2.ready" ] && return 0
		kill -0 "$1" 2>/dev/null || break
		sleep 0.02
	done
	[ -e "$2.ready" ] && return 0
	fail "strata never reached its pause point ($2): $(cat "$3" 2>/dev/null)"
}

# tp_release [FIFO]: let the paused process go on, and never pause it on
# FIFO again: the FIFO's name is removed once the process has it open
# (opening the write end waits for that), before it can read.
tp_release() {
	local f=${1:-$tp_fifo}
	exec 9>"$f"
	rm -f "$f"
	echo go >&9
	exec 9>&-
}

# tp_signal PID SIG: send SIG and wait until it is delivered (no longer
# pending): a second signal sent after this one is a second delivery,
# not merged with the first.
tp_signal() {
	local pend
	kill -"$2" "$1" || fail "kill -$2 $1"
	for _ in $(seq 1 3000); do
		pend=$(awk '$1 == "SigPnd:" || $1 == "ShdPnd:" { printf "%s", $2 }' "/proc/$1/status" 2>/dev/null) || return 0
		[ -n "$pend" ] || return 0
		case "$pend" in *[1-9a-f]*) ;; *) return 0 ;; esac
		sleep 0.01
	done
	fail "signal $2 was never delivered to $1"
}

# tp_trace_start: strata processes started from now on note every pause
# point they reach, paused at or not, in ./tp.trace (STRATA_TEST_TRACE);
# tp_trace_has POINT then succeeds when one of them reached POINT.
tp_trace_start() {
	: >"$PWD/tp.trace"
	export STRATA_TEST_TRACE=$PWD/tp.trace
}

tp_trace_has() {
	grep -qx "$1" "$PWD/tp.trace"
}

# --- another session holding something ------------------------------------------

# hold_start NAME TAKE GIVE: one session of the database's own client
# (db_hold) runs the SQL TAKE (a lock, a transaction) and keeps its session
# until hold_end NAME runs the SQL GIVE in it. Returns once TAKE is done,
# as the session tells through a FIFO; fails when it could not. The test
# keeps both FIFOs open at both ends: neither side's open() waits for the
# other, and a line written before the other side reads stays there.
declare -gA HOLD_READY=() HOLD_END=() HOLD_PID=()
hold_start() {
	local name=$1 take=$2 give=$3 fd line
	rm -f "hold.$name.ready" "hold.$name.end"
	mkfifo "hold.$name.ready" "hold.$name.end"
	exec {fd}<>"hold.$name.ready"
	HOLD_READY[$name]=$fd
	exec {fd}<>"hold.$name.end"
	HOLD_END[$name]=$fd
	(
		# not the test's ends: when the test dies, the session's read
		# of the end FIFO sees EOF and the session ends
		r=${HOLD_READY[$name]} e=${HOLD_END[$name]}
		exec {r}>&- {e}>&-
		db_hold "$take" "$PWD/hold.$name.ready" "$PWD/hold.$name.end" "$give"
		echo "exit $?" 1<>"$PWD/hold.$name.ready"
	) >"hold.$name.log" 2>&1 &
	HOLD_PID[$name]=$!
	# 120 s: only a hung client ends the wait
	read -r -t 120 line <&"${HOLD_READY[$name]}" ||
		fail "the session holding $name never answered: $(cat "hold.$name.log")"
	[ "$line" = held ] ||
		fail "the session holding $name could not take it ($line): $(cat "hold.$name.log")"
}

# hold_end NAME: the session runs GIVE and ends; returns once it has.
hold_end() {
	local name=$1 line r e
	[ -n "${HOLD_PID[$name]:-}" ] || return 0
	echo go >&"${HOLD_END[$name]}"
	read -r -t 120 line <&"${HOLD_READY[$name]}" ||
		fail "the session holding $name did not end: $(cat "hold.$name.log")"
	wait "${HOLD_PID[$name]}"
	r=${HOLD_READY[$name]} e=${HOLD_END[$name]}
	exec {r}>&- {e}>&-
	unset "HOLD_PID[$name]"
	rm -f "hold.$name.ready" "hold.$name.end"
	[ "$line" = "exit 0" ] ||
		fail "the session holding $name ended with $line: $(cat "hold.$name.log")"
}

# --- a gate inside a statement (PostgreSQL, MariaDB) ----------------------------

# gate_shut NAME: another session holds the gate NAME shut; a migration
# statement $(db_gate_pass_sql NAME) waits there until gate_open NAME.
gate_shut() {
	hold_start "gate-$1" "$(db_gate_take_sql "$1")" "$(db_gate_give_sql "$1")"
}

gate_open() {
	hold_end "gate-$1"
}

# gate_wait_for NAME PID: wait until a session waits at the gate NAME
# (strata, process PID, is inside that statement). The server cannot tell
# the test, so this polls; 120 s at most, only a hung test fails it.
gate_wait_for() {
	for _ in $(seq 1 6000); do
		db_gate_waiting "$1" && return 0
		kill -0 "$2" 2>/dev/null || break
		sleep 0.02
	done
	db_gate_waiting "$1" && return 0
	fail "no session came to the gate $1"
}
