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
