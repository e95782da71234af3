# shellcheck shell=bash
# shellcheck disable=SC2154 # st and tp_start set rc, out, err and pid
# A server that stops answering, and signals during a statement, on
# PostgreSQL and MariaDB: SIGTERM and SIGINT stop the statement in flight
# (cancelled on the server, or given up a second later when the server
# does not answer) and strata exits 130 with the database consistent; TCP
# keepalives and the timeouts a URL may set.
#
# strata is held before a migration's SQL with the test build's pause
# point (STRATA_TEST_PAUSE, src/util/testpoint.h). "The server stops
# answering" is, on PostgreSQL, strata's own server process stopped with
# SIGSTOP, found in pg_stat_activity by database and application name;
# on MariaDB (one process for every session, shared with other tests),
# the process of a TCP relay between strata and the server that serves
# strata's connection, as a network partition would. Nothing else is
# ever stopped, and a trap continues what was stopped whatever happens.
# `timeout` only guards against a hang: no assertion is about time.

. "$(dirname "${BASH_SOURCE[0]}")/../lib/exact-lib.sh"

W_STOPPED=""
W_RELAY=""

w_cleanup() {
	[ -n "$W_STOPPED" ] && kill -CONT "$W_STOPPED" 2>/dev/null
	# the relay and its children: their own process group
	if [ -n "$W_RELAY" ]; then
		kill -CONT -- "-$W_RELAY" 2>/dev/null
		kill -- "-$W_RELAY" 2>/dev/null
	fi
	db_teardown
}

# w_bg OUT ERR URL ARGS...: strata in the background (its own pid in
# W_PID, so that signals reach it), killed should it hang for 120 s.
w_bg() {
	local o=$1 e=$2 url=$3
	shift 3
	"$STRATA_BIN" --database "$url" --dir migrations "$@" >"$o" 2>"$e" &
	W_PID=$!
	# a guard against a hang only, never the measure of an assertion;
	# it kills only this shell's child: once strata has ended, its pid
	# may belong to another process
	local parent=$BASHPID
	(
		sleep 120
		[ "$(cut -d' ' -f4 "/proc/$W_PID/stat" 2>/dev/null)" = "$parent" ] &&
			kill -KILL "$W_PID"
	) >/dev/null 2>&1 &
}

# w_start URL ARGS...: run strata in the background, held at the pause
# point before the first migration statement; sets W_PID.
w_start() {
	local url=$1
	shift
	rm -f pause pause.ready
	mkfifo pause
	STRATA_TEST_PAUSE=before_statement:$PWD/pause w_bg w.out w.err "$url" "$@"
	while [ ! -e pause.ready ]; do
		kill -0 "$W_PID" 2>/dev/null ||
			fail "strata ended before the pause point (a build without it?): $(cat w.err)"
		sleep 0.01
	done
}

# w_run URL ARGS...: run strata in the background without a pause; sets
# W_PID.
w_run() {
	w_bg w.out w.err "$@"
}

# Let it go on, past the pause point.
w_release() {
	echo go >pause
}

# w_finish: wait for strata; sets rc, out and err as `st` does.
w_finish() {
	wait "$W_PID"
	rc=$?
	out=$(cat w.out)
	err=$(cat w.err)
	last_cmd="strata (in the background) $*"
}

# w_wait_for WHAT COMMAND...: wait until COMMAND succeeds (a condition,
# not a time; the guard only ends a hang).
w_wait_for() {
	local what=$1 i
	shift
	for i in $(seq 6000); do
		"$@" && return 0
		sleep 0.01
	done
	fail "gave up waiting for $what"
}

# Is strata blocked in poll(), waiting for the server? After the pause
# point, that is where it waits once the statement is sent.
w_in_poll() {
	case "$(cat "/proc/$W_PID/wchan" 2>/dev/null)" in
	*poll*) return 0 ;;
	esac
	kill -0 "$W_PID" 2>/dev/null || fail "strata ended early: $(cat w.err)"
	return 1
}

w_running() {
	db_statement_running "$1"
}

w_not_running() {
	! w_running "$1"
}

# A TCP relay to the server, one process per connection (their pids in
# relay.pids, in the order of the connections); its URL in W_RELAY_URL.
w_relay_start() {
	rm -f relay.port relay.pids
	# a process group of its own (setsid), ended whole by w_cleanup
	setsid python3 -c '
import os, select, signal, socket, sys
target, portfile, pidfile = int(sys.argv[1]), sys.argv[2], sys.argv[3]
ls = socket.socket()
ls.bind(("127.0.0.1", 0))
ls.listen(16)
signal.signal(signal.SIGCHLD, signal.SIG_IGN)
with open(portfile + ".tmp", "w") as f:
    f.write(str(ls.getsockname()[1]))
os.rename(portfile + ".tmp", portfile)
while True:
    c, _ = ls.accept()
    if os.fork() == 0:
        ls.close()
        s = socket.create_connection(("127.0.0.1", target))
        with open(pidfile, "a") as f:
            f.write("%d\n" % os.getpid())
        try:
            while True:
                for a in select.select([c, s], [], [])[0]:
                    d = a.recv(65536)
                    if not d:
                        os._exit(0)
                    (s if a is c else c).sendall(d)
        except OSError:
            os._exit(0)
    c.close()
' "$(db_port)" relay.port relay.pids >relay.log 2>&1 &
	W_RELAY=$!
	w_wait_for "the relay" test -s relay.port
	W_RELAY_URL=$(db_url_at "$(cat relay.port)")
}

# --- the server stops answering during a statement ----------------------

# The statement goes to a server that does not answer; SIGTERM: strata
# asks the server (from another connection) to end the session, gives up
# a second later, says the outcome is unknown and exits 130. When the
# server answers again, the migration's transaction never committed.
t_sigterm_when_the_server_stops_answering() {
	local url victim
	trap w_cleanup EXIT
	mig 0001 a "CREATE TABLE a (x int);"
	st up
	expect_rc 0
	if db_ddl_rolls_back; then
		mig 0002 b "CREATE TABLE b (x int); INSERT INTO a VALUES (1);"
	else
		# a transactional migration: no DDL, which commits by itself
		mig 0002 b "INSERT INTO a VALUES (1); INSERT INTO a VALUES (2);"
	fi
	# a server process of strata's own session, or else (one process
	# serves all, other tests' too) a relay's
	url=$TEST_URL
	db_sessions_have_processes || {
		w_relay_start
		url=$W_RELAY_URL
	}
	w_start "$url" up
	if db_sessions_have_processes; then
		victim=$(db_session_pid)
	else
		victim=$(head -n 1 relay.pids)
	fi
	[ -n "$victim" ] && [ "$(printf '%s\n' "$victim" | wc -l)" = 1 ] ||
		fail "not one process to stop: '$victim'"
	W_STOPPED=$victim
	kill -STOP "$victim"
	w_release
	# the statement is sent: strata waits for an answer that cannot come
	w_wait_for "strata to wait for the server" w_in_poll
	kill -TERM "$W_PID"
	w_finish up
	expect_rc 130
	expect_err "the server did not answer"
	expect_err "whether applying 0002_b took effect is unknown"
	expect_err "$(db_kill_hint)"
	kill -CONT "$victim"
	W_STOPPED=""
	# the stopped process ends (the session's end, or the closed relay)
	w_wait_for "the stopped process to end" eval '! kill -0 "$victim" 2>/dev/null || [ "$(ps -o stat= -p "$victim" | cut -c1)" = Z ]'
	expect_tables "a"
	expect_history "1"
	expect_eq 0 "$(db_sql "SELECT count(*) FROM a")" "rows of a"
	expect_eq 0 "$(db_sql "SELECT count(*) FROM $TEST_TABLE WHERE dirty <> 0")" "dirty rows"
	st up
	expect_rc 0
	expect_history "1 2"
}

# --- a long statement, the server answering -------------------------------

# SIGINT during a long statement cancels it on the server: exit 130, the
# migration rolled back, the statement no longer runs, the lock is free.
t_sigint_cancels_a_long_statement() {
	local sleep
	trap w_cleanup EXIT
	sleep=$(db_sleep_sql 600)
	mig 0001 a "CREATE TABLE a (x int);"
	st up
	expect_rc 0
	mig 0002 slow "INSERT INTO a VALUES (1);
SELECT $sleep;"
	w_run "$TEST_URL" up
	w_wait_for "the statement to run" w_running "$sleep"
	kill -INT "$W_PID"
	w_finish up
	expect_rc 130
	expect_err "migrations/0002_slow.up.sql:2:1: error: interrupted: applying 0002_slow was stopped, its transaction rolled back; 0 of 1 done, the database is consistent"
	w_not_running "$sleep" || fail "the statement still runs on the server"
	expect_history "1"
	expect_eq 0 "$(db_sql "SELECT count(*) FROM a")" "rows of a"
	# the runner lock is free: another run takes it at once
	mig 0002 slow "INSERT INTO a VALUES (1);"
	st --lock-timeout 0 up
	expect_rc 0
	expect_history "1 2"
}

# A migration outside a transaction (MariaDB's DDL, a PostgreSQL
# no-transaction file) stopped in its second statement: exit 130, its
# row left dirty at that statement, the first one in effect, as after a
# failure; `strata force` then clears it.
t_sigint_in_a_no_transaction_migration_leaves_it_dirty() {
	local sleep head=""
	trap w_cleanup EXIT
	sleep=$(db_sleep_sql 600)
	# where DDL commits by itself, the file runs outside a transaction
	# without being told
	db_ddl_rolls_back && head="-- strata:no-transaction
"
	mig 0001 b "${head}CREATE TABLE b (x int);
SELECT $sleep;"
	w_run "$TEST_URL" up
	w_wait_for "the second statement to run" w_running "$sleep"
	kill -INT "$W_PID"
	w_finish up
	expect_rc 130
	expect_err "interrupted: applying 0001_b was stopped: its statement 2 of 2 was cancelled"
	expect_err "statements 1 to 1 of 2"
	expect_err "strata force"
	w_not_running "$sleep" || fail "the statement still runs on the server"
	expect_tables "b"
	expect_eq "1|2" "$(db_sql "SELECT version, dirty FROM $TEST_TABLE")" "history row"
	st up
	expect_rc 3
	st force 1
	expect_rc 0
	st up
	expect_rc 0
	expect_history "1"
}

# SIGTERM while waiting for another runner's lock ends the wait at once
# (not after --lock-timeout): exit 130, nothing changed. The second
# runner pauses where its wait begins (lock_wait); once let go, the test
# sees it wait in the server before the signal.
t_sigterm_ends_a_lock_wait() {
	local first
	trap w_cleanup EXIT
	mig 0001 a "CREATE TABLE a (x int);"
	w_start "$TEST_URL" up
	first=$W_PID
	tp_start lock_wait w2.out --lock-timeout 600 up
	tp_release
	w_wait_for "the second runner to wait for the lock" db_lock_waiting
	kill -TERM "$pid"
	wait "$pid"
	rc=$?
	err=$(cat w2.out)
	last_cmd="strata --lock-timeout 600 up (the second runner)"
	expect_rc 130
	expect_err "interrupted while waiting for the migration lock"
	expect_err "nothing was changed"
	W_PID=$first
	w_release
	w_finish up
	expect_rc 0
	expect_history "1"
}

# A runner waiting for another's lock says, once a second has passed,
# whose lock it is (PostgreSQL: the server process, its application and
# user; MariaDB: the connection and its user), then takes the lock when
# the first runner is done. The first is held before its migration's
# statement, the lock taken; the second at the pause point after its
# message.
t_lock_wait_names_the_holder() {
	local first
	trap w_cleanup EXIT
	mig 0001 a "CREATE TABLE a (x int);"
	w_start "$TEST_URL" up
	first=$W_PID
	# the second pauses once it has said whose lock it waits for
	tp_start lock_told w2.out --lock-timeout 600 up
	case $STRATA_TEST_DB in
	postgres) grep -q "held by server process [0-9]* (application 'strata', user postgres" w2.out ;;
	mysql) grep -q "held by connection [0-9]* (root@" w2.out ;;
	esac || fail "the holder is not named: $(cat w2.out)"
	grep -q "(up to 600 s)" w2.out || fail "the wait's limit is not said: $(cat w2.out)"
	tp_release
	W_PID=$first
	w_release
	w_finish up
	expect_rc 0
	expect_history "1"
	wait "$pid"
	rc=$?
	out="" err=$(cat w2.out)
	last_cmd="strata --lock-timeout 600 up (the second runner)"
	expect_rc 0
	expect_err "nothing to apply"
	[ "$(grep -c "waiting for the migration lock" w2.out)" = 1 ] || fail "said more than once: $err"
}

# --- keepalives and timeouts ---------------------------------------------

# w_sockopts ARGS...: the TCP options strata sets, from strace.
w_sockopts() {
	command -v strace >/dev/null 2>&1 || skip "strace is not installed"
	strace -qq -o /dev/null true 2>/dev/null || skip "ptrace is not allowed here"
	strace -f -qq -e trace=setsockopt -o sockopts.txt "$STRATA_BIN" "$@" >/dev/null 2>&1
	cat sockopts.txt
}

# TCP keepalives and TCP_USER_TIMEOUT by default, so that a server whose
# host is gone is noticed; the URL changes them (libpq's parameters on
# PostgreSQL).
t_keepalives_by_default() {
	local opts url
	mig 0001 a "CREATE TABLE a (x int);"
	opts=$(w_sockopts -d "$TEST_URL" -m migrations status)
	case "$opts" in *"SO_KEEPALIVE, [1]"*) ;; *) fail "no SO_KEEPALIVE: $opts" ;; esac
	case "$opts" in *"TCP_KEEPIDLE, [30]"*) ;; *) fail "no TCP_KEEPIDLE 30: $opts" ;; esac
	case "$opts" in *"TCP_KEEPINTVL, [10]"*) ;; *) fail "no TCP_KEEPINTVL 10: $opts" ;; esac
	case "$opts" in *"TCP_KEEPCNT, [3]"*) ;; *) fail "no TCP_KEEPCNT 3: $opts" ;; esac
	case "$opts" in *"TCP_USER_TIMEOUT, [60000]"*) ;; *) fail "no TCP_USER_TIMEOUT 60000: $opts" ;; esac
	url=$(db_url_with_keepalive 7 5000)
	if [ -n "$url" ]; then
		opts=$(w_sockopts -d "$url" -m migrations status)
		case "$opts" in *"TCP_KEEPIDLE, [7]"*) ;; *) fail "keepalives_idle=7 not used: $opts" ;; esac
		case "$opts" in *"TCP_USER_TIMEOUT, [5000]"*) ;; *) fail "tcp_user_timeout=5000 not used: $opts" ;; esac
	fi
}

# strata wait against a server that does not answer (on SQLite there is
# no server to wait for)
t_wait_times_out_naming_the_url_without_its_password() {
	# a closed loopback port, with a password that must never be printed
	st_raw wait --database "$(db_unreachable_url)" --timeout 1
	expect_rc 5
	expect_err "did not answer within 1 second"
	expect_err ":***@127.0.0.1:1/"
	refute_err "S3cretPW"
}
