#!/usr/bin/env bash
# strata's benchmark against the database's own client (the floor) and the peers
# (dbmate, sql-migrate), on SQLite and PostgreSQL. Writes bench/RESULTS.md.
# Run it as `make bench` (which builds ./strata first); see bench/README.md.
#
# Knobs (environment):
#   BENCH_N=1000            migrations in the main workload
#   BENCH_RUNS=5            measured runs per figure (after one warm-up run); the median is kept
#   BENCH_SCALE_N=10000     the large folder for the status/validate scaling check (0: skip);
#                           applying it is timed once, for strata and the floor
#   BENCH_DBS="sqlite pg"    (empty: no migrations workload, only the seed file)
#                           which databases: sqlite = SQLite files on tmpfs (/dev/shm: the
#                           tools' own cost, no fsync), sqlite-disk = SQLite files in
#                           bench/work (each commit pays SQLite's fsyncs: realistic, but as
#                           noisy as the disk), pg = PostgreSQL (fsync=off)
#   BENCH_PEER_DOWN_ALL_RUNS=1
#                           measured runs of dbmate's roll back all, which takes one process
#                           per migration (~20 s at N=1000); its warm-up is skipped too
#   BENCH_OUT=bench/RESULTS.md
#   BENCH_STRATA=./strata   the strata binary to measure (another build, to compare)
#   BENCH_PROFILE=1         also count instructions with callgrind (bench/profile.sh: ~2 min),
#                           a measure the machine's noise does not move (0: skip)
#   BENCH_SEED_MB=10        the large seed file: one migration of this many MB of INSERTs
#                           (bench/gen_seed.sh, at most 250), strata against the database's
#                           client running it in one transaction (0: skip; 200: the issue's size)
#   BENCH_SEED_RUNS=3       measured runs of the seed file per tool (no warm-up)
#   BENCH_SEED_DBS="sqlite pg mysql"
#                           where the seed file runs: SQLite on tmpfs, PostgreSQL, MariaDB
#
# Exit: 0 done (a peer that could not be installed is reported as skipped), 1 a run
# failed (see bench/work/bench.log), 2 usage or setup error.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

N=${BENCH_N:-1000}
RUNS=${BENCH_RUNS:-5}
SCALE_N=${BENCH_SCALE_N:-10000}
DBS=${BENCH_DBS-sqlite pg}
PEER_DOWN_ALL_RUNS=${BENCH_PEER_DOWN_ALL_RUNS:-1}
OUT=${BENCH_OUT:-bench/RESULTS.md}
SEED_MB=${BENCH_SEED_MB:-10}
SEED_RUNS=${BENCH_SEED_RUNS:-3}
SEED_DBS=${BENCH_SEED_DBS:-sqlite pg mysql}
WORK=$ROOT/bench/work
STRATA=${BENCH_STRATA:-$ROOT/strata}
LOG=$WORK/bench.log
RAW=$WORK/raw.tsv
# SQLite databases on tmpfs when there is one (removed on exit).
SHM=
[[ -d /dev/shm && -w /dev/shm ]] && SHM=$(mktemp -d /dev/shm/strata-bench.XXXXXX)

for v in N RUNS SCALE_N PEER_DOWN_ALL_RUNS SEED_MB SEED_RUNS; do
    [[ ${!v} =~ ^[0-9]+$ ]] || { echo "bench: BENCH_$v must be a number" >&2; exit 2; }
done
((N >= 2 && RUNS >= 1)) || { echo "bench: need BENCH_N >= 2 and BENCH_RUNS >= 1" >&2; exit 2; }
((SEED_MB <= 250 && SEED_RUNS >= 1)) ||
    { echo "bench: need BENCH_SEED_MB <= 250 and BENCH_SEED_RUNS >= 1" >&2; exit 2; }
((SEED_MB > 0)) || SEED_DBS=

say() { printf 'bench: %s\n' "$*" >&2; }
die() { say "$*"; exit 2; }

[[ -x $STRATA ]] || die "no $STRATA: run 'make strata' (or 'make bench') first"
mkdir -p "$WORK"
# Measure a copy: a rebuild of ./strata during the run (others work in this tree) must
# not change the binary half-way. Its commit is taken now, too.
STRATA_COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')
STRATA_DIRTY=$(git -C "$ROOT" status --porcelain -- src include 2>/dev/null | head -n 1)
STRATA_ORIG=$STRATA
cp "$STRATA" "$WORK/strata-under-test"
STRATA=$WORK/strata-under-test
: >"$LOG"
: >"$RAW"

# ---------------------------------------------------------------------------------------
# Tools: the timer, the clients, the peers.
cc -O2 -Wall -o "$WORK/timeit" bench/timeit.c || die "cannot build bench/timeit.c"
TIMEIT=$WORK/timeit

command -v sqlite3 >/dev/null || die "sqlite3 missing: scripts/install-deps.sh bench"

# dbmate: the npm package ships the Go binary in a per-platform package; use it directly
# (node_modules/.bin/dbmate is a node wrapper whose start-up would be charged to dbmate).
find_dbmate() {
    find "$ROOT/bench/.npm/node_modules" -path '*dbmate*/bin/dbmate' -type f -perm -u+x \
        2>/dev/null | head -n 1 || true
}
# apt_get PACKAGE...: install Debian packages when we are root (once more after an
# `apt-get update` if the lists are stale); a failure only means a skipped peer.
apt_get() {
    [[ $(id -u) -eq 0 ]] || return 1
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y --no-install-recommends "$@" >>"$LOG" 2>&1 && return 0
    apt-get update >>"$LOG" 2>&1 || true
    apt-get install -y --no-install-recommends "$@" >>"$LOG" 2>&1
}
DBMATE='' SQLMIGRATE=''
if [[ -n $DBS ]]; then
    DBMATE=$(find_dbmate)
    if [[ -z $DBMATE ]] && ! command -v npm >/dev/null; then
        say "installing npm (apt), for dbmate"
        apt_get npm || say "npm could not be installed (apt-get install npm, as root)"
    fi
    if [[ -z $DBMATE ]] && command -v npm >/dev/null; then
        say "installing dbmate (npm) into bench/.npm"
        npm install --silent --no-audit --no-fund --prefix "$ROOT/bench/.npm" dbmate >>"$LOG" 2>&1 ||
            say "npm install dbmate failed (see $LOG)"
        DBMATE=$(find_dbmate)
    fi
    [[ -n $DBMATE ]] || say "dbmate not available: skipped"

    SQLMIGRATE=$(command -v sql-migrate || true)
    if [[ -z $SQLMIGRATE && $(id -u) -eq 0 ]]; then
        say "installing sql-migrate (apt)"
        apt_get sql-migrate || true
        SQLMIGRATE=$(command -v sql-migrate || true)
    fi
    [[ -n $SQLMIGRATE ]] || say "sql-migrate not available (apt-get install sql-migrate, as root): skipped"
fi

# strata's optional flags, used when this build has them.
STRATA_DOWN_OPTS=()
"$STRATA" help down 2>/dev/null | grep -q -- '--no-backup' && STRATA_DOWN_OPTS=(--no-backup)
HAVE_SINGLE_TX=0
"$STRATA" help up 2>/dev/null | grep -q -- '--single-transaction' && HAVE_SINGLE_TX=1

# ---------------------------------------------------------------------------------------
# Workloads.
# Workloads of earlier runs with other sizes go.
find "$WORK" -maxdepth 1 -name 'w[0-9]*' ! -name "w$N" ! -name "w$SCALE_N" -exec rm -rf {} +
say "generating $N migrations"
bench/gen.sh "$N" "$WORK/w$N"
W=$WORK/w$N

# ---------------------------------------------------------------------------------------
# PostgreSQL (and MariaDB for the seed file): the tests' throwaway servers (fsync=off),
# stopped on exit.
PG_STARTED=0 MY_STARTED=0
cleanup() {
    [[ -n $SHM ]] && rm -rf "$SHM"
    if ((PG_STARTED || MY_STARTED)); then
        tests/lib/servers.sh stop >>"$LOG" 2>&1 || say "stopping the servers failed"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

servers=()
[[ " $DBS $SEED_DBS " == *" pg "* ]] && servers+=(pg)
if [[ " $SEED_DBS " == *" mysql "* ]]; then
    if command -v mariadb >/dev/null; then
        servers+=(mysql)
    else
        say "mariadb missing: the seed file is skipped on MariaDB (scripts/install-deps.sh test)"
    fi
fi
HAVE_STRATA_PG=0 HAVE_STRATA_MY=0
if ((${#servers[@]})); then
    say "starting ${servers[*]}"
    # Data folders in memory: the virtual disk of these machines stalls for
    # seconds now and then under the writes of 1000 new tables, which made
    # single runs 5x slower and no ratio trustworthy (BENCH_PG_TMPFS=0: on disk).
    pg_parent=/tmp
    [[ ${BENCH_PG_TMPFS:-1} == 1 && -d /dev/shm && -w /dev/shm ]] && pg_parent=/dev/shm
    out=$(STRATA_SRV_PARENT=$pg_parent tests/lib/servers.sh start "${servers[@]}") ||
        die "${servers[*]} did not start"
    eval "$out"
    # shellcheck disable=SC1091
    . "$STRATA_SRV_DIR/env"
    [[ " ${servers[*]} " == *" pg "* ]] && PG_STARTED=1
    [[ " ${servers[*]} " == *" mysql "* ]] && MY_STARTED=1
fi
if ((PG_STARTED)); then
    PGPORT=$STRATA_TEST_PG_PORT
    # The server's own psql, not Debian's /usr/bin/psql: that is a Perl wrapper
    # (pg_wrapper) whose start-up alone costs ~16 ms, which would flatter every tool.
    PSQL_BIN=$STRATA_TEST_PG_BIN/psql
    [[ -x $PSQL_BIN ]] || PSQL_BIN=$(command -v psql)
    PSQL=("$PSQL_BIN" -X -q -v ON_ERROR_STOP=1)
    # The same connection for every tool: TCP on loopback, no SSL.
    pg_url() { echo "postgres://postgres@127.0.0.1:$PGPORT/$1?sslmode=disable"; }
    pg_conninfo() { echo "host=127.0.0.1 port=$PGPORT user=postgres dbname=$1 sslmode=disable"; }
    # Does this strata have the PostgreSQL driver?
    "${PSQL[@]}" -d "$(pg_conninfo postgres)" -c 'DROP DATABASE IF EXISTS bench_probe' \
        -c 'CREATE DATABASE bench_probe' >>"$LOG" 2>&1
    # Quiet server: no autovacuum of the catalogs (thousands of tables come and go)
    # running into a later measurement on this small machine; a checkpoint after each
    # reset (below) for the same reason. This throwaway server is ours alone.
    "${PSQL[@]}" -d "$(pg_conninfo postgres)" -c 'ALTER SYSTEM SET autovacuum = off' \
        -c 'SELECT pg_reload_conf()' >>"$LOG" 2>&1
    if "$STRATA" -d "$(pg_url bench_probe)" -m "$W/strata" status >/dev/null 2>>"$LOG"; then
        HAVE_STRATA_PG=1
    else
        say "this strata has no PostgreSQL driver yet: strata is skipped on PostgreSQL"
    fi
fi
if ((MY_STARTED)); then
    MARIADB=(mariadb --no-defaults -h 127.0.0.1 -P "$STRATA_TEST_MYSQL_PORT" -u root)
    my_url() { echo "mysql://root@127.0.0.1:$STRATA_TEST_MYSQL_PORT/$1"; }
    "${MARIADB[@]}" -e 'DROP DATABASE IF EXISTS bench_probe; CREATE DATABASE bench_probe' >>"$LOG" 2>&1
    if "$STRATA" -d "$(my_url bench_probe)" -m "$W/strata" status >/dev/null 2>>"$LOG"; then
        HAVE_STRATA_MY=1
    else
        say "this strata has no MySQL driver: the seed file is skipped on MariaDB"
    fi
fi

# dbdir DB: where the SQLite files of DB live.
dbdir() {
    if [[ $1 == sqlite && -n $SHM ]]; then echo "$SHM"; else echo "$WORK/db"; fi
}
mkdir -p "$WORK/db"

# sql-migrate reads its database from a config file.
{
    for db in sqlite sqlite-disk; do
        printf '%s:\n  dialect: sqlite3\n  datasource: %s\n  dir: %s\n' \
            "$db" "$(dbdir "$db")/sqlmigrate.db" "$W/sqlmigrate"
    done
    if ((PG_STARTED)); then
        printf 'pg:\n  dialect: postgres\n  datasource: host=127.0.0.1 port=%s user=postgres dbname=bench_sqlmigrate sslmode=disable\n  dir: %s\n' \
            "$PGPORT" "$W/sqlmigrate"
    fi
} >"$WORK/dbconfig.yml"

# ---------------------------------------------------------------------------------------
# Measuring. tm DB TOOL OP RUN [timeit options] -- COMMAND...: time one command and
# append "DB TOOL OP RUN SECONDS RSS_KB" to raw.tsv (run "warm" is not kept).
FAILED=0
tm() {
    local db=$1 tool=$2 op=$3 run=$4 out
    shift 4
    # In bench/work: nothing a tool writes next to itself (a backup, dbmate's
    # db/schema.sql) lands in the source tree, and no ./.env or ./strata.conf is read.
    if out=$(cd "$WORK" && "$TIMEIT" -e "$LOG" "$@"); then
        [[ $run == warm ]] || printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$db" "$tool" "$op" "$run" \
            "${out% *}" "${out#* }" >>"$RAW"
    else
        say "FAILED: $db $tool $op (run $run): $* (see $LOG)"
        printf '%s\t%s\t%s\t%s\tFAIL\tFAIL\n' "$db" "$tool" "$op" "$run" >>"$RAW"
        FAILED=1
        return 1
    fi
}

# reset DB TOOL: an empty database for TOOL.
reset() {
    case $1 in
        sqlite*)
            local f
            f=$(dbdir "$1")/$2.db
            rm -f "$f" "$f-journal" "$f-wal" "$f-shm"
            ;;
        pg)
            "${PSQL[@]}" -d "$(pg_conninfo postgres)" -c "DROP DATABASE IF EXISTS bench_$2 WITH (FORCE)" \
                -c "CREATE DATABASE bench_$2" -c "CHECKPOINT" >>"$LOG" 2>&1
            ;;
    esac
}

# The command lines. url DB TOOL: the URL each tool is given.
url() {
    case $1 in
        sqlite*) echo "sqlite:$(dbdir "$1")/$2.db" ;;
        pg) pg_url "bench_$2" ;;
    esac
}
# floor DB TOOL FILE: set FLOOR to the timeit arguments that run FILE with the
# database's own client in one session.
floor() {
    case $1 in
        sqlite*) FLOOR=(-i "$3" -- sqlite3 -bail "$(dbdir "$1")/$2.db") ;;
        pg) FLOOR=(-- "${PSQL[@]}" -d "$(pg_conninfo "bench_$2")" -f "${3%.sql}.pg.sql") ;;
    esac
}

# settle TOOL CMD...: the state in which a no-op up and status usually run, long after
# the last change: wait until the database's last write is 0.3 s old, then run CMD
# once untimed (a tool that keeps a cache may fill it), the same for every tool.
settle() {
    local db=$1 tool=$2
    shift 2
    sleep 0.3
    tm "$db" "$tool" settle warm "$@" || true
}

# cycle DB TOOL RUN: from an empty database: apply all, a no-op up right after it, then
# settled: no-op up and status; roll back one (then re-apply it, untimed), roll back
# all. One cycle per tool per run, the tools interleaved, so that drift on a shared
# machine hits every tool alike.
cycle() {
    local db=$1 tool=$2 run=$3 u S D M
    reset "$db" "$tool" || { FAILED=1; say "reset $db $tool failed"; return; }
    u=$(url "$db" "$tool")
    case $tool in
        strata | strata_1tx)
            S=("$STRATA" -d "$u" -m "$W/strata")
            if [[ $tool == strata_1tx ]]; then
                tm "$db" "$tool" apply "$run" -- "${S[@]}" up --single-transaction || return 0
                return 0
            fi
            tm "$db" "$tool" apply "$run" -- "${S[@]}" up || return 0
            tm "$db" "$tool" noop_fresh "$run" -- "${S[@]}" up || true
            settle "$db" "$tool" -- "${S[@]}" up
            tm "$db" "$tool" noop "$run" -- "${S[@]}" up || true
            tm "$db" "$tool" status "$run" -- "${S[@]}" status || true
            tm "$db" "$tool" down1 "$run" -- "${S[@]}" down "${STRATA_DOWN_OPTS[@]}" || return 0
            tm "$db" "$tool" reup warm -- "${S[@]}" up || return 0
            tm "$db" "$tool" downall "$run" -- "${S[@]}" down --all "${STRATA_DOWN_OPTS[@]}" || true
            ;;
        dbmate)
            D=("$DBMATE" --no-dump-schema -u "$u" -d "$W/dbmate")
            tm "$db" "$tool" apply "$run" -- "${D[@]}" migrate || return 0
            tm "$db" "$tool" noop_fresh "$run" -- "${D[@]}" migrate || true
            settle "$db" "$tool" -- "${D[@]}" migrate
            tm "$db" "$tool" noop "$run" -- "${D[@]}" migrate || true
            tm "$db" "$tool" status "$run" -- "${D[@]}" status || true
            tm "$db" "$tool" down1 "$run" -- "${D[@]}" rollback || return 0
            tm "$db" "$tool" reup warm -- "${D[@]}" migrate || return 0
            # dbmate rolls back one migration per process: N processes.
            if [[ $run != warm ]] && ((run > RUNS - PEER_DOWN_ALL_RUNS)); then
                tm "$db" "$tool" downall "$run" -r "$N" -- "${D[@]}" rollback || true
            fi
            ;;
        sqlmigrate)
            M=("$SQLMIGRATE")
            local c=(-config="$WORK/dbconfig.yml" -env="$db")
            tm "$db" "$tool" apply "$run" -- "${M[@]}" up "${c[@]}" || return 0
            tm "$db" "$tool" noop_fresh "$run" -- "${M[@]}" up "${c[@]}" || true
            settle "$db" "$tool" -- "${M[@]}" up "${c[@]}"
            tm "$db" "$tool" noop "$run" -- "${M[@]}" up "${c[@]}" || true
            tm "$db" "$tool" status "$run" -- "${M[@]}" status "${c[@]}" || true
            tm "$db" "$tool" down1 "$run" -- "${M[@]}" down "${c[@]}" -limit=1 || return 0
            tm "$db" "$tool" reup warm -- "${M[@]}" up "${c[@]}" || return 0
            tm "$db" "$tool" downall "$run" -- "${M[@]}" down "${c[@]}" -limit=0 || true
            ;;
        floor)
            local f=$W/floor
            floor "$db" "$tool" "$f/up_each.sql"
            tm "$db" "$tool" apply "$run" "${FLOOR[@]}" || return 0
            # The floor of a no-op up and of status: read the history table.
            floor "$db" "$tool" "$f/status.sql"
            tm "$db" "$tool" noop_fresh "$run" "${FLOOR[@]}" || true
            settle "$db" "$tool" "${FLOOR[@]}"
            tm "$db" "$tool" noop "$run" "${FLOOR[@]}" || true
            tm "$db" "$tool" status "$run" "${FLOOR[@]}" || true
            floor "$db" "$tool" "$f/down_one.sql"
            tm "$db" "$tool" down1 "$run" "${FLOOR[@]}" || return 0
            floor "$db" "$tool" "$f/up_last.sql"
            tm "$db" "$tool" reup warm "${FLOOR[@]}" || return 0
            floor "$db" "$tool" "$f/down_all.sql"
            tm "$db" "$tool" downall "$run" "${FLOOR[@]}" || true
            ;;
        floor_1tx)
            floor "$db" "$tool" "$W/floor/up_single.sql"
            tm "$db" "$tool" apply "$run" "${FLOOR[@]}" || true
            ;;
    esac
}

for db in $DBS; do
    case $db in
        sqlite | sqlite-disk) ;;
        pg) ((PG_STARTED)) || continue ;;
        *) die "unknown database '$db' in BENCH_DBS (sqlite, sqlite-disk, pg)" ;;
    esac
    tools=(floor floor_1tx)
    if [[ $db != pg ]] || ((HAVE_STRATA_PG)); then
        tools+=(strata)
        ((HAVE_SINGLE_TX)) && tools+=(strata_1tx)
    fi
    [[ -n $DBMATE ]] && tools+=(dbmate)
    [[ -n $SQLMIGRATE ]] && tools+=(sqlmigrate)
    for run in warm $(seq 1 "$RUNS"); do
        # Rotate the order run by run, so no tool always follows the same one.
        k=$((${run/warm/0} % ${#tools[@]}))
        order=("${tools[@]:k}" "${tools[@]:0:k}")
        say "$db: run $run of $RUNS (${order[*]})"
        for tool in "${order[@]}"; do
            cycle "$db" "$tool" "$run"
        done
    done
done

# ---------------------------------------------------------------------------------------
# Scaling: strata's status and validate on SCALE_N files against N, on SQLite.
if ((SCALE_N > N)) && [[ " $DBS " == *" sqlite "* ]]; then
    say "scaling: generating $SCALE_N migrations and applying them with strata"
    bench/gen.sh "$SCALE_N" "$WORK/w$SCALE_N"
    for n in "$N" "$SCALE_N"; do
        reset sqlite "scale$n"
        S=("$STRATA" -d "$(url sqlite "scale$n")" -m "$WORK/w$n/strata")
        # Applying is timed once (no warm-up: at SCALE_N it takes a while); the floor
        # too, since SQLite's own DDL cost grows faster than linearly with the schema.
        reset sqlite "floor$n"
        floor sqlite "floor$n" "$WORK/w$n/floor/up_each.sql"
        tm sqlite "floor@$n" apply 1 "${FLOOR[@]}" || true
        if tm sqlite "strata@$n" apply 1 -- "${S[@]}" up; then
            for run in warm $(seq 1 "$RUNS"); do
                tm sqlite "strata@$n" status "$run" -- "${S[@]}" status || true
                tm sqlite "strata@$n" validate "$run" -- "${S[@]}" validate || true
                tm sqlite "strata@$n" validate_offline "$run" -- "${S[@]}" validate --offline || true
            done
        fi
    done
fi

# ---------------------------------------------------------------------------------------
# The large seed file: strata applying one migration of SEED_MB MB of INSERTs (after the
# migration creating its table, not timed) against the database's own client running
# the same INSERTs in one transaction. No warm-up run: the file was just written, so
# it is in the page cache; the order of the two alternates run by run.
SEED_BYTES=0 SEED_ROWS=0
if [[ -n $SEED_DBS ]]; then
    SD=$WORK/seed
    say "large seed file: generating $SEED_MB MB"
    bench/gen_seed.sh "$SEED_MB" "$SD"
    SEED_BYTES=$(wc -c <"$SD/strata/00002_seed.up.sql")
    SEED_ROWS=$(cat "$SD/rows")
    # seed_prepare DB TOOL: an empty database with the seed table; sets SEED_URL.
    seed_prepare() {
        local name=bench_seed_$2 f
        case $1 in
            sqlite)
                f=$(dbdir sqlite)/seed_$2.db
                rm -f "$f" "$f-journal" "$f-wal" "$f-shm"
                SEED_URL=sqlite:$f
                ;;
            pg)
                "${PSQL[@]}" -d "$(pg_conninfo postgres)" -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" \
                    -c "CREATE DATABASE $name" -c "CHECKPOINT" >>"$LOG" 2>&1 || return 1
                SEED_URL=$(pg_url "$name")
                ;;
            mysql)
                "${MARIADB[@]}" -e "DROP DATABASE IF EXISTS $name; CREATE DATABASE $name" \
                    >>"$LOG" 2>&1 || return 1
                SEED_URL=$(my_url "$name")
                ;;
        esac
        if [[ $2 == strata ]]; then
            "$STRATA" -d "$SEED_URL" -m "$SD/strata" up --to 1 >>"$LOG" 2>&1
            return
        fi
        case $1 in
            sqlite) sqlite3 -bail "${SEED_URL#sqlite:}" <"$SD/floor/create.sql" ;;
            pg) "${PSQL[@]}" -d "$(pg_conninfo "$name")" -f "$SD/floor/create.sql" ;;
            mysql) "${MARIADB[@]}" "$name" <"$SD/floor/create.sql" ;;
        esac >>"$LOG" 2>&1
    }
    # seed_run DB TOOL RUN
    seed_run() {
        seed_prepare "$1" "$2" || { FAILED=1; say "seed: preparing $1 $2 failed"; return; }
        if [[ $2 == strata ]]; then
            tm "seed:$1" strata seed "$3" -- "$STRATA" -d "$SEED_URL" -m "$SD/strata" up || true
            return
        fi
        case $1 in
            sqlite) tm "seed:$1" floor seed "$3" -i "$SD/floor/seed.sql" -- sqlite3 -bail "${SEED_URL#sqlite:}" ;;
            pg) tm "seed:$1" floor seed "$3" -- "${PSQL[@]}" -d "$(pg_conninfo bench_seed_floor)" -1 \
                -f "$SD/strata/00002_seed.up.sql" ;;
            mysql) tm "seed:$1" floor seed "$3" -i "$SD/floor/seed.sql" -- "${MARIADB[@]}" bench_seed_floor ;;
        esac || true
    }
    for db in $SEED_DBS; do
        case $db in
            sqlite) ;;
            pg) ((PG_STARTED && HAVE_STRATA_PG)) || continue ;;
            mysql) ((MY_STARTED && HAVE_STRATA_MY)) || continue ;;
            *) die "unknown database '$db' in BENCH_SEED_DBS (sqlite, pg, mysql)" ;;
        esac
        for run in $(seq 1 "$SEED_RUNS"); do
            say "large seed file ($SEED_MB MB), $db: run $run of $SEED_RUNS"
            if ((run % 2)); then
                seed_run "$db" floor "$run"
                seed_run "$db" strata "$run"
            else
                seed_run "$db" strata "$run"
                seed_run "$db" floor "$run"
            fi
        done
        # the rows of the last runs are the whole file's
        case $db in
            sqlite) got=$(sqlite3 "$(dbdir sqlite)/seed_strata.db" 'SELECT count(*) FROM seed') ;;
            pg) got=$("${PSQL[@]}" -d "$(pg_conninfo bench_seed_strata)" -Atc 'SELECT count(*) FROM seed') ;;
            mysql) got=$("${MARIADB[@]}" -N -e 'SELECT count(*) FROM seed' bench_seed_strata) ;;
        esac
        [[ $got == "$SEED_ROWS" ]] || { FAILED=1; say "seed: $db has $got rows, not $SEED_ROWS"; }
        [[ $db == sqlite ]] && rm -f "$(dbdir sqlite)"/seed_*.db
    done
fi

# ---------------------------------------------------------------------------------------
# Versions and the report.
ver() { "$@" 2>&1 | head -n 1 || true; }
{
    echo "date	$(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "nproc	$(nproc)"
    echo "cpu	$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
    echo "kernel	$(uname -sr)"
    if [[ -n ${BENCH_STRATA:-} ]]; then
        echo "strata	$(ver "$STRATA" version) (binary $STRATA_ORIG)"
    else
        echo "strata	$(ver "$STRATA" version) (commit $STRATA_COMMIT${STRATA_DIRTY:+, with uncommitted changes in src/ or include/})"
    fi
    [[ -n $DBMATE ]] && echo "dbmate	$(ver "$DBMATE" --version)"
    [[ -n $SQLMIGRATE ]] && echo "sql-migrate	$(dpkg-query -W -f='${Version}' sql-migrate 2>/dev/null || echo '?') (Debian)"
    echo "sqlite3	$(ver sqlite3 --version | cut -d' ' -f1)"
    ((PG_STARTED)) && echo "postgres	$("${PSQL[@]}" -d "$(pg_conninfo postgres)" -Atc 'SHOW server_version' 2>/dev/null) (fsync=$("${PSQL[@]}" -d "$(pg_conninfo postgres)" -Atc 'SHOW fsync' 2>/dev/null), synchronous_commit=$("${PSQL[@]}" -d "$(pg_conninfo postgres)" -Atc 'SHOW synchronous_commit' 2>/dev/null), full_page_writes=$("${PSQL[@]}" -d "$(pg_conninfo postgres)" -Atc 'SHOW full_page_writes' 2>/dev/null))"
    ((MY_STARTED)) && echo "mariadb	$("${MARIADB[@]}" -N -e 'SELECT version()' 2>/dev/null)"
    echo "seed_mb	$SEED_MB"
    echo "seed_bytes	$SEED_BYTES"
    echo "seed_rows	$SEED_ROWS"
    echo "seed_runs	$SEED_RUNS"
    echo "n	$N"
    echo "runs	$RUNS"
    echo "scale_n	$SCALE_N"
    echo "peer_down_all_runs	$PEER_DOWN_ALL_RUNS"
    echo "strata_pg	$HAVE_STRATA_PG"
    echo "strata_1tx	$HAVE_SINGLE_TX"
    echo "strata_down_opts	${STRATA_DOWN_OPTS[*]:-}"
    ((PG_STARTED)) && echo "pg_data	$STRATA_TEST_PG_DATA ($(df -T "$STRATA_TEST_PG_DATA" | awk 'NR == 2 { print $2 }'))"
    echo "sqlite_dir	$(dbdir sqlite)"
    echo "sqlite_disk_dir	$(dbdir sqlite-disk) ($(df -T "$WORK/db" | awk 'NR == 2 { print $2 }'))"
} >"$WORK/meta.tsv"

rm -f "$WORK/profile/summary.tsv"
if [[ ${BENCH_PROFILE:-1} == 1 && -n $DBS ]] && command -v valgrind >/dev/null; then
    say "counting instructions with callgrind (bench/profile.sh)"
    BENCH_N=$N BENCH_SCALE_N=$SCALE_N BENCH_STRATA=$STRATA bench/profile.sh >&2 ||
        say "bench/profile.sh failed"
fi
python3 bench/report.py "$RAW" "$WORK/meta.tsv" "$WORK/profile/summary.tsv" >"$OUT"
say "wrote $OUT"
((FAILED == 0)) || { say "some runs failed: see $LOG"; exit 1; }
