#!/usr/bin/env bash
# Throwaway database servers for strata's integration tests.
#
#   servers.sh start [pg] [mysql] [redis]   start the named servers (none named: all three)
#   servers.sh start pgbouncer              PgBouncer (pool_mode=transaction) in front of the
#                                           PostgreSQL on $STRATA_TEST_PG_PORT (or of the one
#                                           started with it); never started by default
#   servers.sh stop [DIR]                   stop everything in $STRATA_SRV_DIR (or DIR), remove it
#   servers.sh pg-restart [DIR]             restart PostgreSQL on the same port and data dir
#   servers.sh pg-stop [MODE] [DIR]         stop PostgreSQL only (MODE: immediate (default), fast, smart)
#   servers.sh mysql-kill [DIR]             SIGKILL MariaDB only (a crash), wait until it is gone
#   servers.sh mysql-restart [DIR]          restart MariaDB (SIGKILL if it runs) on the same port and data dir
#   servers.sh start galera                 a MariaDB Galera cluster of three nodes (never
#                                           among the defaults: the suites that need it start it)
#   servers.sh galera-kill N [DIR]          SIGKILL node N (1-3) of the cluster
#   servers.sh galera-restart N [DIR]       start node N again if it is down; it rejoins the cluster
#
# `start` creates ONE folder, /tmp/strata-srv.XXXXXX (STRATA_SRV_PARENT=/dev/shm puts it in
# memory instead: the benchmark's choice), with a sub-folder per server, picks a
# free loopback port for each, starts PostgreSQL and MariaDB in parallel (each ~1 s on
# its own), writes $STRATA_SRV_DIR/env and prints one line on stdout:
#
#   STRATA_SRV_DIR=/tmp/strata-srv.XXXXXX
#
# so a caller does:
#   eval "$(tests/lib/servers.sh start pg mysql)" && . "$STRATA_SRV_DIR/env"
#   ...                                            # tests use $STRATA_TEST_PG_URL etc.
#   tests/lib/servers.sh stop
# (The printed line is a plain assignment; the env file exports STRATA_SRV_DIR too, which
# `stop` and `pg-restart` need when they run as a child process.)
#
# Sourced instead (`. tests/lib/servers.sh`), it defines strata_servers, which does the
# same and also loads the env file into the current shell:
#   strata_servers start pg redis;  ...;  strata_servers stop
#
# Env file lines (only for the servers started):
#   STRATA_SRV_DIR, STRATA_TEST_PG_URL, STRATA_TEST_PG_PORT, STRATA_TEST_PG_SOCKDIR,
#   STRATA_TEST_PG_BIN, STRATA_TEST_PG_DATA, STRATA_TEST_MYSQL_URL, STRATA_TEST_MYSQL_PORT,
#   STRATA_TEST_MYSQL_SOCKET, STRATA_TEST_REDIS_PORT, STRATA_TEST_REDIS_URL,
#   STRATA_TEST_GALERA_PORTS (the three nodes' SQL ports, space-separated),
#   STRATA_TEST_PGBOUNCER_PORT
#
# As root, PostgreSQL runs as user `postgres` (initdb refuses root) and MariaDB as `mysql`;
# as anyone else, all servers run as the current user. Redis never needs root.
# Knobs: STRATA_PG_BIN (default /usr/lib/postgresql/15/bin), STRATA_SRV_VERBOSE=1 (timings
# on stderr), STRATA_SRV_KEEP=1 (keep the folder when start fails, for its logs).
# Needs the packages of `scripts/install-deps.sh test`.
# Exit codes: 0 ok, 1 a server failed to start/stop (its log tail is on stderr), 2 usage.

# ---------------------------------------------------------------------------------------
# Sourced: define a helper and (only if asked for a known command) run it. Nothing below
# this block runs in the caller's shell, so no `set -e` or `exit` leaks into it.
if [[ "${BASH_SOURCE[0]}" != "$0" ]]; then
    _strata_servers_script=$(realpath "${BASH_SOURCE[0]}")
    strata_servers() {
        local out
        case "${1:-}" in
            start)
                out=$("$_strata_servers_script" "$@") || return 1
                eval "$out"
                # shellcheck disable=SC1091   # created at run time
                . "$STRATA_SRV_DIR/env"
                ;;
            stop)
                "$_strata_servers_script" "$@" || return 1
                unset STRATA_SRV_DIR "${!STRATA_TEST_PG_@}" "${!STRATA_TEST_MYSQL_@}" \
                    "${!STRATA_TEST_REDIS_@}" "${!STRATA_TEST_PGBOUNCER_@}"
                ;;
            *) "$_strata_servers_script" "$@" ;;
        esac
    }
    # `. file` with no arguments inherits the caller's positional parameters, so only act
    # on our own command names; anything else just defines the function.
    case "${1:-}" in
        start | stop | pg-restart | pg-stop | mysql-kill | mysql-restart | galera-kill | galera-restart) strata_servers "$@" ;;
    esac
    return
fi

# ---------------------------------------------------------------------------------------
# Run as a program. Not `set -e`: start-up runs servers in background jobs and decides
# on each failure explicitly.
set -uo pipefail

PG_BIN=${STRATA_PG_BIN:-/usr/lib/postgresql/15/bin}
# Ports are tried upwards from these (the distro defaults 5432/3306/6379 are left alone).
PG_BASE_PORT=55432
MY_BASE_PORT=53306
REDIS_BASE_PORT=56379
PGBOUNCER_BASE_PORT=56432
# Serialises port picking between concurrent `start`s (held for milliseconds only).
PORT_LOCK=/tmp/strata-srv-ports.lock
# MariaDB: the default 96 MB redo log makes mariadb-install-db ~2x slower (RECIPES 2b).
MY_SIZES=(--innodb-log-file-size=8M --innodb-buffer-pool-size=32M)
# flush-log-at-trx-commit=2: the redo log is written (not synced) at each commit, so a
# server killed with SIGKILL (mysql-kill, mysql_durability.sh) keeps every committed
# transaction, as synchronous_commit does for PostgreSQL below; 0 lost the last second.
MY_FAST=(--innodb-flush-log-at-trx-commit=2 --innodb-doublewrite=0 --innodb-fast-shutdown=2
    --skip-log-bin)
# --no-defaults would leave the compiled-in latin1; use what Debian's config sets.
MY_CHARSET=(--character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci)

IS_ROOT=no
[[ $(id -u) -eq 0 ]] && IS_ROOT=yes

say() { printf 'servers.sh: %s\n' "$*" >&2; }
verbose() { [[ ${STRATA_SRV_VERBOSE:-} == 1 ]] && say "$@"; return 0; }
now() { echo "${EPOCHREALTIME/[.,]/}"; }                # microseconds, no fork
elapsed() { local us=$(($(now) - $1)); printf '%d.%02d s' $((us / 1000000)) $((us % 1000000 / 10000)); }

# show_log TITLE FILE...: the tail of a server's logs, for a failed start.
show_log() {
    local title=$1 f
    shift
    say "$title"
    for f in "$@"; do
        [[ -s $f ]] || continue
        printf -- '--- %s (last 40 lines) ---\n' "$f" >&2
        tail -n 40 "$f" >&2
    done
}

# as_user USER CMD...: run CMD as USER when we are root, else as ourselves.
as_user() {
    local user=$1
    shift
    if [[ $IS_ROOT == yes ]]; then
        runuser -u "$user" -- "$@"
    else
        "$@"
    fi
}

# own_dir USER DIR: create DIR owned by USER (when root), so the server can write there.
own_dir() {
    mkdir -p "$2" || return 1
    if [[ $IS_ROOT == yes ]]; then chown "$1:" "$2" || return 1; fi
}

# alive PID: the process exists and is not a zombie. `kill -0` is not enough: an exited
# server re-parented to a PID 1 that reaps late stays a zombie for seconds (RECIPES 2b).
alive() {
    local stat
    { read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 1
    stat=${stat##*) }
    [[ ${stat:0:1} != Z ]]
}

# wait_gone PID SECONDS: wait until the process has exited (a zombie counts as exited: it
# has closed its sockets and files already). Its pid file is gone by then too, unless it
# crashed. Polls every 20 ms.
wait_gone() {
    local i
    for ((i = 0; i < $2 * 50; i++)); do
        alive "$1" || return 0
        sleep 0.02
    done
    return 1
}

# ---------------------------------------------------------------------------------------
# Ports. A port is free when a test bind to 127.0.0.1:PORT succeeds (with SO_REUSEADDR, as
# the servers bind) and no other strata-srv folder has claimed it. Claims are files
# $SRV/claims/PORT, made under a lock, so two concurrent `start`s never pick the same port
# even though a server binds its port only a second later (after initdb). A claim lives
# as long as its folder; it also keeps the port reserved while a test has PostgreSQL
# stopped before a pg-restart.
# (Not /proc/net/tcp: with a few hundred TIME_WAIT sockets left by a test run, reading it
# took 0.26 s of kernel time here.)

# first_bindable BASE CLAIMED...: print the first port >= BASE that is not claimed and binds.
first_bindable() {
    local base=$1 p
    shift
    if [[ -x /usr/bin/python3 ]]; then
        # -I -S: no site/user packages, ~10 ms instead of ~100 ms through a pyenv shim.
        /usr/bin/python3 -I -S -c '
import socket, sys
base, claimed = int(sys.argv[1]), set(map(int, sys.argv[2:]))
for p in range(base, min(base + 1000, 65536)):
    if p in claimed:
        continue
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind(("127.0.0.1", p))
        print(p)
        sys.exit(0)
    except OSError:
        pass
    finally:
        s.close()
sys.exit(1)' "$base" "$@"
        return
    fi
    # Fallback without python: a port nobody accepts connections on is taken as free.
    # Misses bound-but-not-listening sockets; the bind retry in the start functions
    # covers those.
    local -A taken=()
    local fd
    for p in "$@"; do taken[$p]=1; done
    for ((p = base; p < base + 1000 && p < 65536; p++)); do
        [[ -n ${taken[$p]:-} ]] && continue
        if ! { exec {fd}<>"/dev/tcp/127.0.0.1/$p"; } 2>/dev/null; then
            echo "$p"
            return 0
        fi
        exec {fd}>&-
    done
    return 1
}

# claim_port BASE: print a claimed free port >= BASE.
claim_port() {
    local base=$1 fd f p claimed=()
    if [[ ! -e $PORT_LOCK ]]; then
        # World-readable so other users' runs can lock it too (flock works on an O_RDONLY fd).
        (umask 022 && : >>"$PORT_LOCK") 2>/dev/null
    fi
    exec {fd}<"$PORT_LOCK" || return 1
    flock -w 30 "$fd" || { exec {fd}<&-; say "cannot lock $PORT_LOCK"; return 1; }
    for f in /tmp/strata-srv.*/claims/* /dev/shm/strata-srv.*/claims/*; do
        [[ -e $f ]] && claimed+=("${f##*/}")
    done
    if p=$(first_bindable "$base" "${claimed[@]}") && : >"$SRV/claims/$p"; then
        exec {fd}<&-
        echo "$p"
        return 0
    fi
    exec {fd}<&-
    say "no free port in $base..$((base + 999))"
    return 1
}

# A start attempt that failed only because someone else bound the port meanwhile (a
# process outside strata) is retried on the next free port. The failed port stays claimed,
# so the retry cannot pick it again.
bind_failed() { grep -qiE 'address already in use|could not bind|bind on tcp/ip port' "$@" 2>/dev/null; }

# ---------------------------------------------------------------------------------------
# PostgreSQL 15: data in $SRV/pg/data, unix socket in $SRV/pg, TCP on 127.0.0.1 only.

pg_options() {
    # fsync and full_page_writes off: throwaway data, faster DDL; both only matter if the
    # machine (not the server process) crashes. synchronous_commit stays ON: with it off a
    # commit reaches the WAL up to 200 ms later, so a test that kills the server right
    # after a migration (pg_ctl stop -m immediate) would see committed work vanish.
    echo "-c listen_addresses=127.0.0.1 -p $1 -k $SRV/pg -c max_connections=200" \
        "-c fsync=off -c full_page_writes=off"
}

# pg_ctl_start PORT: start the existing cluster on PORT and wait until it accepts connections.
pg_ctl_start() {
    as_user postgres "$PG_BIN/pg_ctl" -D "$SRV/pg/data" -l "$SRV/pg/server.log" -w -t 60 \
        -o "$(pg_options "$1")" start </dev/null >"$SRV/pg/pg_ctl.log" 2>&1
}

start_pg() {
    local d=$SRV/pg t0 port try
    t0=$(now)
    if [[ ! -x $PG_BIN/initdb ]]; then
        say "PostgreSQL 15 not found in $PG_BIN (scripts/install-deps.sh test installs it)"
        return 1
    fi
    own_dir postgres "$d" || return 1
    # --no-sync: do not fsync the new cluster (saves ~0.5 s); trust auth on loopback only.
    if ! as_user postgres "$PG_BIN/initdb" -D "$d/data" -U postgres -A trust --no-sync \
        --no-instructions -E UTF8 --locale=C.UTF-8 </dev/null >"$d/initdb.log" 2>&1; then
        show_log "PostgreSQL initdb failed" "$d/initdb.log"
        return 1
    fi
    for try in 1 2 3 4 5; do
        port=$(claim_port "$PG_BASE_PORT") || return 1
        echo "$port" >"$d/port"
        if pg_ctl_start "$port"; then
            verbose "pg up on 127.0.0.1:$port in $(elapsed "$t0")"
            return 0
        fi
        bind_failed "$d/server.log" || break
        verbose "pg: port $port taken meanwhile (try $try), trying another"
        mv "$d/server.log" "$d/server.log.$try"
    done
    show_log "PostgreSQL failed to start" "$d/pg_ctl.log" "$d/server.log"
    return 1
}

# pg_stop MODE: stop the cluster if it runs, by signalling the postmaster as pg_ctl would
# (smart=TERM, fast=INT, immediate=QUIT) and waiting for it to exit.
# Not `pg_ctl stop -w`: it polls in 100 ms steps, we poll in 20 ms. A postmaster that was
# SIGKILLed leaves a stale postmaster.pid: nothing to stop then.
pg_stop() {
    local d=$SRV/pg pid sig
    case $1 in smart) sig=TERM ;; fast) sig=INT ;; *) sig=QUIT ;; esac
    { read -r pid <"$d/data/postmaster.pid"; } 2>/dev/null || return 0
    if ! { [[ $pid =~ ^[0-9]+$ ]] && alive "$pid"; }; then
        # Stale files of a killed postmaster. Remove them: while the dead postmaster is an
        # unreaped zombie, a new one would see its pid "alive" (kill -0) in either lock
        # file and refuse to start.
        rm -f "$d/data/postmaster.pid" "$d"/.s.PGSQL.*
        return 0
    fi
    kill -"$sig" "$pid" 2>/dev/null || return 0
    wait_gone "$pid" 60 && return 0
    say "PostgreSQL (pid $pid) did not stop in 60 s; killing it"
    kill -KILL "$pid" 2>/dev/null
    wait_gone "$pid" 5
}

cmd_pg_restart() {
    local t0 port
    t0=$(now)
    [[ -f $SRV/pg/port ]] || { say "no PostgreSQL in $SRV"; return 1; }
    read -r port <"$SRV/pg/port"
    pg_stop immediate || { say "could not stop PostgreSQL"; return 1; }
    if ! pg_ctl_start "$port"; then
        show_log "PostgreSQL failed to restart on port $port" "$SRV/pg/pg_ctl.log" "$SRV/pg/server.log"
        return 1
    fi
    verbose "pg restarted on 127.0.0.1:$port in $(elapsed "$t0")"
}

# ---------------------------------------------------------------------------------------
# MariaDB: data in $SRV/my/data, socket $SRV/my/mysqld.sock, TCP on 127.0.0.1 only.

# mysql_launch PORT: start mariadbd on the existing data dir and PORT, wait until it answers.
# Returns 1 when it died (look at error.log: bind_failed) or did not answer in 60 s.
mysql_launch() {
    local d=$SRV/my port=$1 pid i mariadbd user_opt=()
    mariadbd=$(PATH=$PATH:/usr/sbin:/usr/local/sbin command -v mariadbd) || return 1
    [[ $IS_ROOT == yes ]] && user_opt=(--user=mysql)
    # setsid: own session, so a Ctrl-C in the caller's terminal does not reach it.
    # All three standard fds redirected: an inherited stdout would keep the caller's
    # $(servers.sh start) waiting for EOF forever.
    setsid "$mariadbd" --no-defaults "${user_opt[@]}" --datadir="$d/data" \
        --tmpdir="$d/tmp" --socket="$d/mysqld.sock" --pid-file="$d/mysqld.pid" \
        --port="$port" --bind-address=127.0.0.1 --skip-name-resolve \
        --max-connections=300 --log-error="$d/error.log" \
        "${MY_SIZES[@]}" "${MY_FAST[@]}" "${MY_CHARSET[@]}" </dev/null >"$d/stderr.log" 2>&1 &
    pid=$!
    # Ready when it answers on the socket; give up early if the process died.
    for ((i = 0; i < 1200; i++)); do
        if mariadb-admin --no-defaults --socket="$d/mysqld.sock" -uroot \
            --connect-timeout=2 ping >/dev/null 2>&1; then
            return 0
        fi
        alive "$pid" || return 1
        sleep 0.05
    done
    kill -KILL "$pid" 2>/dev/null
    return 2
}

start_mysql() {
    local d=$SRV/my t0 port try r user_opt=()
    t0=$(now)
    PATH=$PATH:/usr/sbin:/usr/local/sbin command -v mariadbd >/dev/null || {
        say "mariadbd not found (scripts/install-deps.sh test installs mariadb-server)"
        return 1
    }
    [[ $IS_ROOT == yes ]] && user_opt=(--user=mysql)
    own_dir mysql "$d" || return 1
    # A private tmpdir is essential: every starting mariadbd (the bootstrap one of
    # mariadb-install-db too) deletes all "#sql*" files in its tmpdir, i.e. the temporary
    # tables of every other MariaDB sharing /tmp. Concurrent starts then failed ~1 in 6
    # ("Unknown table 'mysql.tmp_user_sys'", or the bootstrap server crashing on signal 11).
    own_dir mysql "$d/tmp" || return 1
    # --no-defaults everywhere: ignore /etc/mysql/*.cnf of the machine.
    if ! mariadb-install-db --no-defaults --datadir="$d/data" "${user_opt[@]}" \
        --auth-root-authentication-method=normal --skip-test-db --skip-name-resolve \
        --tmpdir="$d/tmp" "${MY_SIZES[@]}" </dev/null >"$d/install.log" 2>&1; then
        show_log "mariadb-install-db failed" "$d/install.log"
        return 1
    fi
    for try in 1 2 3 4 5; do
        port=$(claim_port "$MY_BASE_PORT") || return 1
        echo "$port" >"$d/port"
        mysql_launch "$port"
        r=$?
        if [[ $r == 0 ]]; then
            verbose "mysql up on 127.0.0.1:$port in $(elapsed "$t0")"
            return 0
        fi
        [[ $r == 1 ]] || break
        bind_failed "$d/error.log" || break
        verbose "mysql: port $port taken meanwhile (try $try), trying another"
        mv "$d/error.log" "$d/error.log.$try"
    done
    show_log "MariaDB failed to start" "$d/error.log" "$d/stderr.log"
    return 1
}

# mysql_kill: SIGKILL the MariaDB server (a crash: InnoDB recovers at the next start) and
# wait until it is gone.
mysql_kill() {
    local pid
    { read -r pid <"$SRV/my/mysqld.pid"; } 2>/dev/null || return 0
    [[ $pid =~ ^[0-9]+$ ]] && alive "$pid" || return 0
    kill -KILL "$pid" 2>/dev/null
    wait_gone "$pid" 10
}

cmd_mysql_restart() {
    local t0 port
    t0=$(now)
    [[ -f $SRV/my/port ]] || { say "no MariaDB in $SRV"; return 1; }
    read -r port <"$SRV/my/port"
    mysql_kill || { say "could not stop MariaDB"; return 1; }
    if ! mysql_launch "$port"; then
        show_log "MariaDB failed to restart on port $port" "$SRV/my/error.log" "$SRV/my/stderr.log"
        return 1
    fi
    verbose "mysql restarted on 127.0.0.1:$port in $(elapsed "$t0")"
}

# pidfile_stop FILE: SIGTERM the server in pid FILE, wait until it has exited.
# (Not `mariadb-admin shutdown`: it polls in 1 s steps, ~1 s slower.)
pidfile_stop() {
    local file=$1 pid
    { read -r pid <"$file"; } 2>/dev/null || return 0
    [[ $pid =~ ^[0-9]+$ ]] && alive "$pid" || return 0
    kill -TERM "$pid" 2>/dev/null || return 0
    wait_gone "$pid" 30 && return 0
    say "pid $pid ($file) ignored SIGTERM for 30 s; killing it"
    kill -KILL "$pid" 2>/dev/null
    wait_gone "$pid" 5
}

# ---------------------------------------------------------------------------------------
# A MariaDB Galera cluster (galera-4): three nodes on loopback, $SRV/galera/nN each with
# its SQL, group (gcomm), IST and SST ports claimed as the other servers' are. Node 1
# bootstraps the cluster; 2 and 3 join it by an rsync state transfer. Each node's data
# starts as a copy of one mariadb-install-db.
GALERA_PROVIDER=${STRATA_GALERA_PROVIDER:-/usr/lib/galera/libgalera_smm.so}

galera_sock() { echo "$SRV/galera/n$1/mysqld.sock"; }

# galera_launch N [new]: start node N on its claimed ports; "new" bootstraps the cluster.
galera_launch() {
    local i=$1 d=$SRV/galera/n$1 g=$SRV/galera mariadbd user_opt=() extra=() p peers=() j
    local sql gcomm ist sst
    mariadbd=$(PATH=$PATH:/usr/sbin:/usr/local/sbin command -v mariadbd) || return 1
    [[ $IS_ROOT == yes ]] && user_opt=(--user=mysql)
    [[ ${2:-} == new ]] && extra=(--wsrep-new-cluster)
    read -r sql gcomm ist sst <"$d/ports"
    for j in 1 2 3; do
        read -r _ p _ _ <"$g/n$j/ports"
        peers+=("127.0.0.1:$p")
    done
    setsid "$mariadbd" --no-defaults "${user_opt[@]}" --datadir="$d/data" \
        --tmpdir="$d/tmp" --socket="$d/mysqld.sock" --pid-file="$d/mysqld.pid" \
        --port="$sql" --bind-address=127.0.0.1 --skip-name-resolve \
        --max-connections=200 --log-error="$d/error.log" \
        "${MY_SIZES[@]}" --innodb-flush-log-at-trx-commit=2 --innodb-doublewrite=0 \
        "${MY_CHARSET[@]}" --binlog-format=ROW --default-storage-engine=InnoDB \
        --innodb-autoinc-lock-mode=2 --wsrep-on=ON --wsrep-provider="$GALERA_PROVIDER" \
        --wsrep-cluster-name=strata_test --wsrep-node-name="n$i" \
        --wsrep-cluster-address="gcomm://$(IFS=,; echo "${peers[*]}")" \
        --wsrep-node-address="127.0.0.1:$gcomm" \
        --wsrep-provider-options="gmcast.listen_addr=tcp://127.0.0.1:$gcomm;ist.recv_addr=127.0.0.1:$ist;gcache.size=16M" \
        --wsrep-sst-receive-address="127.0.0.1:$sst" --wsrep-sst-method=rsync \
        "${extra[@]}" </dev/null >"$d/stderr.log" 2>&1 &
    echo $! >"$d/launcher.pid"
}

# galera_ready N: node N answers and is Synced (a joiner answers only after its SST).
galera_ready() {
    local i state
    for ((i = 0; i < 3000; i++)); do
        state=$(mariadb --no-defaults --socket="$(galera_sock "$1")" -uroot -N -B \
            --connect-timeout=2 -e "SHOW STATUS LIKE 'wsrep_local_state_comment'" 2>/dev/null)
        [[ $state == *Synced* ]] && return 0
        alive "$(cat "$SRV/galera/n$1/launcher.pid")" || return 1
        sleep 0.05
    done
    return 1
}

start_galera() {
    local g=$SRV/galera t0 i user_opt=() ports p
    t0=$(now)
    [[ -r $GALERA_PROVIDER ]] || { say "no $GALERA_PROVIDER (scripts/install-deps.sh test installs galera-4)"; return 1; }
    command -v rsync >/dev/null || { say "rsync not found (the state transfer needs it)"; return 1; }
    [[ $IS_ROOT == yes ]] && user_opt=(--user=mysql)
    own_dir mysql "$g" || return 1
    own_dir mysql "$g/seed.tmp" || return 1
    if ! mariadb-install-db --no-defaults --datadir="$g/seed" "${user_opt[@]}" \
        --auth-root-authentication-method=normal --skip-test-db --skip-name-resolve \
        --tmpdir="$g/seed.tmp" "${MY_SIZES[@]}" </dev/null >"$g/install.log" 2>&1; then
        show_log "mariadb-install-db failed" "$g/install.log"
        return 1
    fi
    for i in 1 2 3; do
        own_dir mysql "$g/n$i" && own_dir mysql "$g/n$i/tmp" || return 1
        cp -a "$g/seed" "$g/n$i/data" || return 1
        ports=()
        for _ in 1 2 3 4; do
            p=$(claim_port 54300) || return 1
            ports+=("$p")
        done
        echo "${ports[*]}" >"$g/n$i/ports"
    done
    galera_launch 1 new
    galera_ready 1 || { show_log "Galera node 1 did not start" "$g/n1/error.log"; return 1; }
    # joiners one after the other: a donor serves one state transfer at a time
    for i in 2 3; do
        galera_launch "$i"
        galera_ready "$i" || { show_log "Galera node $i did not join" "$g/n$i/error.log"; return 1; }
    done
    verbose "galera up (3 nodes) in $(elapsed "$t0")"
}

galera_kill() {
    local pid
    { read -r pid <"$SRV/galera/n$1/mysqld.pid"; } 2>/dev/null || return 0
    [[ $pid =~ ^[0-9]+$ ]] && alive "$pid" || return 0
    kill -KILL "$pid" 2>/dev/null
    wait_gone "$pid" 10
}

galera_stop() {
    local i jobs=() j rc=0
    for i in 1 2 3; do
        [[ -f $SRV/galera/n$i/mysqld.pid ]] && { pidfile_stop "$SRV/galera/n$i/mysqld.pid" & jobs+=($!); }
    done
    for j in "${jobs[@]}"; do wait "$j" || rc=1; done
    return $rc
}

cmd_galera_restart() {
    local pid
    [[ $1 =~ ^[123]$ ]] || { say "galera-restart: node 1, 2 or 3"; exit 2; }
    # a node that runs stays as it is
    { read -r pid <"$SRV/galera/n$1/mysqld.pid"; } 2>/dev/null
    [[ ${pid:-} =~ ^[0-9]+$ ]] && alive "$pid" && return 0
    # a node that crashed rejoins by IST (or SST) from the others
    galera_launch "$1"
    galera_ready "$1" || { show_log "Galera node $1 did not rejoin" "$SRV/galera/n$1/error.log"; return 1; }
}

# ---------------------------------------------------------------------------------------
# Redis: no persistence, daemonized, pid file in $SRV/redis.

redis_ping() {
    # Plain RESP over bash's /dev/tcp: no redis-cli process per probe.
    local fd reply rc=1
    # The braces make 2>/dev/null temporary; on a bare `exec` it would stick to the shell.
    { exec {fd}<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 1
    printf 'PING\r\n' >&"$fd"
    read -r -t 1 reply <&"$fd" && [[ $reply == +PONG* ]] && rc=0
    exec {fd}>&-
    return $rc
}

start_redis() {
    local d=$SRV/redis t0 port try i
    t0=$(now)
    command -v redis-server >/dev/null || {
        say "redis-server not found (scripts/install-deps.sh test installs it)"
        return 1
    }
    mkdir -p "$d" || return 1
    for try in 1 2 3 4 5; do
        port=$(claim_port "$REDIS_BASE_PORT") || return 1
        echo "$port" >"$d/port"
        # --daemonize: the launcher returns at once; readiness is polled below.
        if ! redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
            --daemonize yes --pidfile "$d/redis.pid" --dir "$d" --logfile "$d/redis.log" \
            </dev/null >"$d/stdout.log" 2>&1; then
            break
        fi
        for ((i = 0; i < 500; i++)); do
            if redis_ping "$port"; then
                verbose "redis up on 127.0.0.1:$port in $(elapsed "$t0")"
                return 0
            fi
            bind_failed "$d/redis.log" && break
            sleep 0.02
        done
        bind_failed "$d/redis.log" || break
        verbose "redis: port $port taken meanwhile (try $try), trying another"
        mv "$d/redis.log" "$d/redis.log.$try"
    done
    show_log "Redis failed to start" "$d/redis.log" "$d/stdout.log"
    return 1
}

# ---------------------------------------------------------------------------------------
# PgBouncer in transaction pooling, in front of a running PostgreSQL: each transaction of
# a client may run on another server session (tests/cli/pg_pooler.sh). Loopback TCP only,
# trust authentication for the test server's user postgres, files in $SRV/pgbouncer.

pgbouncer_config() { # PORT PG_PORT
    local d=$SRV/pgbouncer
    cat <<EOF
[databases]
* = host=127.0.0.1 port=$2
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $1
unix_socket_dir =
auth_type = trust
auth_file = $d/userlist.txt
pool_mode = transaction
max_client_conn = 400
default_pool_size = 8
max_db_connections = 40
pidfile = $d/pgbouncer.pid
logfile = $d/pgbouncer.log
EOF
}

# pgbouncer_ready PORT: a plain query answers through it.
pgbouncer_ready() {
    local psql=${STRATA_TEST_PG_BIN:-$PG_BIN}/psql
    [[ -x $psql ]] || psql=psql
    "$psql" -X -At "host=127.0.0.1 port=$1 user=postgres dbname=postgres connect_timeout=2" \
        -c "SELECT 1" >/dev/null 2>&1
}

start_pgbouncer() {
    local d=$SRV/pgbouncer t0 pg_port port try i bin user_opt=()
    t0=$(now)
    bin=$(PATH=$PATH:/usr/sbin command -v pgbouncer) || {
        say "pgbouncer not found (scripts/install-deps.sh test installs it)"
        return 1
    }
    pg_port=${STRATA_TEST_PG_PORT:-}
    [[ -f $SRV/pg/port ]] && read -r pg_port <"$SRV/pg/port"
    [[ -n $pg_port ]] || { say "pgbouncer: no PostgreSQL (set STRATA_TEST_PG_PORT)"; return 1; }
    # it refuses to run as root
    [[ $IS_ROOT == yes ]] && user_opt=(-u postgres)
    own_dir postgres "$d" || return 1
    echo '"postgres" ""' >"$d/userlist.txt"
    for try in 1 2 3 4 5; do
        port=$(claim_port "$PGBOUNCER_BASE_PORT") || return 1
        echo "$port" >"$d/port"
        pgbouncer_config "$port" "$pg_port" >"$d/pgbouncer.ini"
        # -d: a daemon; the launcher returns once it listens, or failed
        if "$bin" -d "${user_opt[@]}" "$d/pgbouncer.ini" </dev/null >"$d/stdout.log" 2>&1; then
            for ((i = 0; i < 500; i++)); do
                if pgbouncer_ready "$port"; then
                    verbose "pgbouncer up on 127.0.0.1:$port in $(elapsed "$t0")"
                    return 0
                fi
                sleep 0.02
            done
        fi
        bind_failed "$d/pgbouncer.log" "$d/stdout.log" || break
        verbose "pgbouncer: port $port taken meanwhile (try $try), trying another"
        pidfile_stop "$d/pgbouncer.pid"
        mv "$d/pgbouncer.log" "$d/pgbouncer.log.$try"
    done
    show_log "PgBouncer failed to start" "$d/pgbouncer.log" "$d/stdout.log"
    return 1
}

# ---------------------------------------------------------------------------------------

# stop_all: stop every server of $SRV (in parallel) and remove the folder.
stop_all() {
    local t0 rc=0 jobs=() j
    t0=$(now)
    [[ -d $SRV/pg ]] && { pg_stop immediate & jobs+=($!); }
    [[ -f $SRV/my/mysqld.pid ]] && { pidfile_stop "$SRV/my/mysqld.pid" & jobs+=($!); }
    [[ -f $SRV/redis/redis.pid ]] && { pidfile_stop "$SRV/redis/redis.pid" & jobs+=($!); }
    [[ -d $SRV/galera ]] && { galera_stop & jobs+=($!); }
    [[ -f $SRV/pgbouncer/pgbouncer.pid ]] && { pidfile_stop "$SRV/pgbouncer/pgbouncer.pid" & jobs+=($!); }
    for j in "${jobs[@]}"; do wait "$j" || rc=1; done
    rm -rf "$SRV"
    verbose "stopped and removed $SRV in $(elapsed "$t0")"
    return $rc
}

# set_srv [DIR]: pick the folder for stop/pg-restart and refuse anything that does not look
# like ours (this path goes to rm -rf).
set_srv() {
    SRV=${1:-${STRATA_SRV_DIR:-}}
    if [[ -z $SRV ]]; then
        say "STRATA_SRV_DIR is not set (export it, e.g. '. \"\$STRATA_SRV_DIR/env\"', or pass the folder)"
        exit 2
    fi
    if [[ ($SRV != /tmp/strata-srv.* && $SRV != /dev/shm/strata-srv.*) || ! -f $SRV/.strata-srv ]]; then
        say "$SRV is not a servers.sh folder"
        exit 2
    fi
}

write_env() {
    local port
    {
        echo "# written by tests/lib/servers.sh; source it"
        echo "export STRATA_SRV_DIR='$SRV'"
        if [[ -f $SRV/pg/port ]]; then
            read -r port <"$SRV/pg/port"
            echo "export STRATA_TEST_PG_URL='postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable'"
            echo "export STRATA_TEST_PG_PORT='$port'"
            echo "export STRATA_TEST_PG_SOCKDIR='$SRV/pg'"
            echo "export STRATA_TEST_PG_BIN='$PG_BIN'"
            echo "export STRATA_TEST_PG_DATA='$SRV/pg/data'"
        fi
        if [[ -f $SRV/my/port ]]; then
            read -r port <"$SRV/my/port"
            echo "export STRATA_TEST_MYSQL_URL='mysql://root@127.0.0.1:$port/'"
            echo "export STRATA_TEST_MYSQL_PORT='$port'"
            echo "export STRATA_TEST_MYSQL_SOCKET='$SRV/my/mysqld.sock'"
        fi
        if [[ -f $SRV/galera/n3/ports ]]; then
            echo "export STRATA_TEST_GALERA_PORTS='$(for i in 1 2 3; do read -r p _ <"$SRV/galera/n$i/ports"; printf '%s ' "$p"; done)'"
            echo "export STRATA_TEST_GALERA_DIR='$SRV'"
        fi
        if [[ -f $SRV/redis/port ]]; then
            read -r port <"$SRV/redis/port"
            echo "export STRATA_TEST_REDIS_PORT='$port'"
            echo "export STRATA_TEST_REDIS_URL='redis://127.0.0.1:$port/0'"
        fi
        if [[ -f $SRV/pgbouncer/port ]]; then
            read -r port <"$SRV/pgbouncer/port"
            echo "export STRATA_TEST_PGBOUNCER_PORT='$port'"
        fi
    } >"$SRV/env"
}

cmd_start() {
    local want=() s t0 rc=0 jobs=() j
    t0=$(now)
    for s in "$@"; do
        case $s in
            pg | postgres | postgresql) s=pg ;;
            mysql | mariadb) s=mysql ;;
            redis | galera | pgbouncer) ;;
            *) say "unknown server '$s' (pg, mysql, redis, galera, pgbouncer)"; exit 2 ;;
        esac
        [[ " ${want[*]} " == *" $s "* ]] || want+=("$s")
    done
    [[ ${#want[@]} -gt 0 ]] || want=(pg mysql redis)

    if [[ $IS_ROOT == yes ]]; then
        for s in "${want[@]}"; do
            case $s in
                pg | pgbouncer) id -u postgres >/dev/null 2>&1 || { say "no user 'postgres' (install postgresql-15)"; exit 1; } ;;
                mysql | galera) id -u mysql >/dev/null 2>&1 || { say "no user 'mysql' (install mariadb-server)"; exit 1; } ;;
            esac
        done
    fi

    # Short fixed prefix: the PG socket $SRV/pg/.s.PGSQL.PORT must fit in 107 bytes.
    case ${STRATA_SRV_PARENT:-/tmp} in
        /tmp | /dev/shm) ;;
        *) say "STRATA_SRV_PARENT must be /tmp or /dev/shm"; exit 2 ;;
    esac
    SRV=$(mktemp -d "${STRATA_SRV_PARENT:-/tmp}/strata-srv.XXXXXX") || exit 1
    # 0755: the postgres/mysql users must be able to reach their sub-folders.
    chmod 755 "$SRV"
    mkdir "$SRV/claims"
    : >"$SRV/.strata-srv" # marker checked before any rm -rf

    # Interrupted (Ctrl-C, or SIGTERM to this process): let the start jobs finish (a second
    # or two; killing them mid-way would leave initdb writing into a folder being removed,
    # and could orphan a server that is just coming up), then stop everything they started.
    # Background jobs ignore SIGINT, so a terminal's Ctrl-C only reaches this shell.
    trap 'trap - INT TERM; say "interrupted: stopping the servers"; wait; stop_all; exit 130' INT TERM

    # All in parallel: initdb and mariadb-install-db each take ~1 s of mostly CPU.
    for s in "${want[@]}"; do
        "start_$s" &
        jobs+=($!)
    done
    for j in "${jobs[@]}"; do wait "$j" || rc=1; done
    trap - INT TERM

    if [[ $rc != 0 ]]; then
        if [[ ${STRATA_SRV_KEEP:-} == 1 ]]; then
            say "STRATA_SRV_KEEP=1: leaving $SRV for inspection (servers.sh stop $SRV removes it)"
        else
            stop_all
        fi
        exit 1
    fi
    write_env
    verbose "started ${want[*]} in $SRV in $(elapsed "$t0")"
    echo "STRATA_SRV_DIR=$SRV"
}

case "${1:-}" in
    start)
        shift
        cmd_start "$@"
        ;;
    stop)
        set_srv "${2:-}"
        stop_all || exit 1
        ;;
    pg-restart)
        set_srv "${2:-}"
        cmd_pg_restart || exit 1
        ;;
    pg-stop)
        mode=${2:-immediate}
        case $mode in smart | fast | immediate) ;; *) say "pg-stop: bad mode '$mode'"; exit 2 ;; esac
        set_srv "${3:-}"
        pg_stop "$mode" || exit 1
        ;;
    mysql-kill)
        set_srv "${2:-}"
        mysql_kill || exit 1
        ;;
    mysql-restart)
        set_srv "${2:-}"
        cmd_mysql_restart || exit 1
        ;;
    galera-kill)
        [[ ${2:-} =~ ^[123]$ ]] || { say "galera-kill: node 1, 2 or 3"; exit 2; }
        set_srv "${3:-}"
        galera_kill "$2" || exit 1
        ;;
    galera-restart)
        set_srv "${3:-}"
        cmd_galera_restart "${2:-}" || exit 1
        ;;
    -h | --help)
        sed -n '2,/^# Exit codes/p' "$0" | sed 's/^# \{0,1\}//'
        ;;
    *)
        echo "usage: $0 start [pg] [mysql] [redis] [galera] [pgbouncer] | stop [DIR] | pg-restart [DIR] | pg-stop [MODE] [DIR] | mysql-kill [DIR] | mysql-restart [DIR] | galera-kill N [DIR] | galera-restart N [DIR]" >&2
        exit 2
        ;;
esac
