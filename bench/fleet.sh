#!/usr/bin/env bash
# fleet.sh: strata on fleets (a target with a `fleet` setting), against the goals:
#
#   1. `up` on 100 PostgreSQL databases of one server, 50 migrations each, --jobs 8:
#      within 1.2x of (the slowest single database's `up` x 100 / 8);
#   2. a no-op `status` over 1000 SQLite files: within 1.2x of
#      (1000 x one file's no-op status / jobs);
#   3. the fixed cost per PostgreSQL database: a no-op `up` over the fleet (50 applied
#      each, one member at a time), per member, against the floor: a C program that
#      loads libpq, connects and reads the history (bench/pgfloor.c): within 1.5x;
#      also through workers (fleet_reuse = on: no process per member);
#   4. the same per member for a fleet of DBS schemas of one database (fleet =
#      schemas:), with a connection per member and with one for all (fleet_reuse).
#
# Each figure is the median of BENCH_RUNS runs (default 3; the floor and one file's
# status: 25 repetitions per run). Writes bench/FLEET.md (BENCH_FLEET_OUT). Knobs: BENCH_FLEET_DBS (100),
# BENCH_FLEET_MIGS (50), BENCH_FLEET_JOBS (8), BENCH_FLEET_FILES (1000). Needs what
# `make bench` needs; starts and stops its own PostgreSQL on /dev/shm.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
DBS=${BENCH_FLEET_DBS:-100}
MIGS=${BENCH_FLEET_MIGS:-50}
JOBS=${BENCH_FLEET_JOBS:-8}
FILES=${BENCH_FLEET_FILES:-1000}
RUNS=${BENCH_RUNS:-3}
OUT=${BENCH_FLEET_OUT:-bench/FLEET.md}
NPROC=$(nproc)
WORK=$ROOT/bench/work/fleet
STRATA=${BENCH_STRATA:-$ROOT/strata}

die() { echo "fleet.sh: $*" >&2; exit 1; }
say() { echo "fleet.sh: $*" >&2; }

LOAD0=$(cut -d' ' -f1 /proc/loadavg)
[[ -n ${BENCH_STRATA:-} ]] || make -s strata >/dev/null || die "cannot build ./strata"
rm -rf "$WORK"
mkdir -p "$WORK"
cc -O2 -Wall -o "$WORK/timeit" bench/timeit.c || die "cannot build bench/timeit.c"
# shellcheck disable=SC2046 # pkg-config's words
cc -O2 -Wall $(pkg-config --cflags libpq) -o "$WORK/pgfloor" bench/pgfloor.c \
    $(pkg-config --libs libpq) || die "cannot build bench/pgfloor.c"
TIMEIT=$WORK/timeit
bench/gen.sh "$MIGS" "$WORK/gen" >/dev/null
M=$WORK/gen/strata

eval "$(STRATA_SRV_PARENT=/dev/shm tests/lib/servers.sh start pg)" || die "PostgreSQL did not start"
# shellcheck disable=SC1091 # made at run time
. "$STRATA_SRV_DIR/env"
trap 'tests/lib/servers.sh stop >/dev/null 2>&1' EXIT
PORT=$STRATA_TEST_PG_PORT
ADMIN="host=127.0.0.1 port=$PORT user=postgres dbname=postgres"
url() { echo "postgres://postgres@127.0.0.1:$PORT/fleet_$1?sslmode=disable"; }

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
ms() { awk -v s="$1" 'BEGIN { printf "%.1f ms", s * 1000 }'; }
secs() { awk -v s="$1" 'BEGIN { printf "%.2f s", s }'; }
# t ARGS...: seconds of one run of ARGS (timeit's first field); a failed run stops all
t() {
    local o
    o=$("$TIMEIT" -e "$WORK/errors.log" -- "$@") || die "failed: $* (see $WORK/errors.log)"
    echo "${o%% *}"
}
# t_each REPEAT ARGS...: seconds per run, over REPEAT runs
t_each() {
    local n=$1 o
    shift
    o=$("$TIMEIT" -r "$n" -e "$WORK/errors.log" -- "$@") || die "failed: $* (see $WORK/errors.log)"
    awk -v s="${o%% *}" -v n="$n" 'BEGIN { print s / n }'
}

fresh_dbs() {
    local i sql=""
    for ((i = 0; i < DBS; i++)); do
        sql+="DROP DATABASE IF EXISTS fleet_$i; CREATE DATABASE fleet_$i STRATEGY FILE_COPY;"
    done
    psql -X -q "$ADMIN" <<<"${sql//;/;$'\n'}" >/dev/null
}

# ---- 1. up on DBS databases ------------------------------------------------------
say "PostgreSQL: $DBS databases x $MIGS migrations"
for ((i = 0; i < DBS; i++)); do url "$i"; done >"$WORK/members.txt"
printf '[target "fleet"]\ntype = postgres\ndir = %s\nfleet = file:%s\n' "$M" "$WORK/members.txt" \
    >"$WORK/strata.conf"
single=() fleet=() fleet_n=()
for ((r = 0; r < RUNS; r++)); do
    fresh_dbs
    # the slowest of five single databases, one after the other
    s=0
    for i in 0 1 2 3 4; do
        x=$(t "$STRATA" -d "$(url "$i")" -m "$M" up)
        s=$(awk -v a="$s" -v b="$x" 'BEGIN { print (b > a ? b : a) }')
    done
    single+=("$s")
    fresh_dbs
    fleet+=("$(cd "$WORK" && t "$STRATA" up --jobs "$JOBS")")
    n=$(psql -X -At "$(url $((DBS - 1)))" -c "SELECT count(*) FROM schema_migrations")
    [[ $n == "$MIGS" ]] || die "the fleet's last member has $n migrations, not $MIGS"
    fresh_dbs
    fleet_n+=("$(cd "$WORK" && t "$STRATA" up --jobs "$NPROC")")
done
T1=$(printf '%s\n' "${single[@]}" | median)
TF=$(printf '%s\n' "${fleet[@]}" | median)
TFN=$(printf '%s\n' "${fleet_n[@]}" | median)
GOAL1=$(awk -v a="$T1" -v d="$DBS" -v j="$JOBS" 'BEGIN { print a * d / j }')
GOAL1N=$(awk -v a="$T1" -v d="$DBS" -v j="$NPROC" 'BEGIN { print a * d / j }')

# ---- 3. the fixed cost per database -------------------------------------------
say "PostgreSQL: a no-op up against the floor"
# the same fleet through workers (fleet_reuse = on): a connection each still (one
# database per connection), but no process per member
mkdir -p "$WORK/workers"
sed 's/^fleet = .*/&\nfleet_reuse = on/' "$WORK/strata.conf" >"$WORK/workers/strata.conf"
noop=() floor=() noop_w=()
for ((r = 0; r < RUNS; r++)); do
    # per member of a no-op fleet run, one member at a time
    noop+=("$(awk -v s="$(cd "$WORK" && t "$STRATA" up)" -v n="$DBS" 'BEGIN { print s / n }')")
    noop_w+=("$(awk -v s="$(cd "$WORK/workers" && t "$STRATA" up)" -v n="$DBS" 'BEGIN { print s / n }')")
    floor+=("$(t_each 25 "$WORK/pgfloor" "host=127.0.0.1 port=$PORT user=postgres dbname=fleet_0 sslmode=disable gssencmode=disable" \
        "SELECT version, checksum, dirty FROM schema_migrations ORDER BY version")")
done
TNOOP=$(printf '%s\n' "${noop[@]}" | median)
TNOOPW=$(printf '%s\n' "${noop_w[@]}" | median)
TFLOOR=$(printf '%s\n' "${floor[@]}" | median)

# ---- 4. the same, for a schema per tenant, with and without reuse ----------------
# DBS schemas of one database, MIGS applied each; a no-op up one member at a time,
# with a connection per member (fleet_reuse = off: a process and a connection each)
# and with one connection for all (the default for schemas:).
say "PostgreSQL: $DBS schemas of one database, a no-op up with and without reuse"
psql -X -q "$ADMIN" -c "DROP DATABASE IF EXISTS fleet_schemas" -c "CREATE DATABASE fleet_schemas" >/dev/null
sql=""
for ((i = 0; i < DBS; i++)); do sql+="CREATE SCHEMA s_$i;"$'\n'; done
psql -X -q "host=127.0.0.1 port=$PORT user=postgres dbname=fleet_schemas" <<<"$sql" >/dev/null
mkdir -p "$WORK/schemas"
for r in on off; do
    printf '[target "tenants"]\ntype = postgres\nurl = postgres://postgres@127.0.0.1:%s/fleet_schemas?sslmode=disable\ndir = %s\nfleet = schemas:s\\_%%\nfleet_reuse = %s\n' \
        "$PORT" "$M" "$r" >"$WORK/schemas/reuse_$r.conf"
done
(cd "$WORK/schemas" && "$STRATA" --config reuse_on.conf up --jobs "$NPROC" >/dev/null 2>&1) ||
    die "up over the schemas failed"
n=$(psql -X -At "host=127.0.0.1 port=$PORT user=postgres dbname=fleet_schemas" -c "SELECT count(*) FROM s_$((DBS - 1)).schema_migrations")
[[ $n == "$MIGS" ]] || die "the last schema has $n migrations, not $MIGS"
# the floor again, in the same minutes: a connection to the database, the first
# schema's history read
reuse_on=() reuse_off=() floor4=()
for ((r = 0; r < RUNS; r++)); do
    reuse_off+=("$(awk -v s="$(cd "$WORK/schemas" && t "$STRATA" --config reuse_off.conf up)" -v n="$DBS" 'BEGIN { print s / n }')")
    reuse_on+=("$(awk -v s="$(cd "$WORK/schemas" && t "$STRATA" --config reuse_on.conf up)" -v n="$DBS" 'BEGIN { print s / n }')")
    floor4+=("$(t_each 25 "$WORK/pgfloor" "host=127.0.0.1 port=$PORT user=postgres dbname=fleet_schemas sslmode=disable gssencmode=disable" \
        "SELECT version, checksum, dirty FROM s_0.schema_migrations ORDER BY version")")
done
TROFF=$(printf '%s\n' "${reuse_off[@]}" | median)
TRON=$(printf '%s\n' "${reuse_on[@]}" | median)
TFLOOR4=$(printf '%s\n' "${floor4[@]}" | median)

# ---- 2. a no-op status over FILES SQLite files ----------------------------------
say "SQLite: a no-op status over $FILES files"
SQ=$(mktemp -d /dev/shm/strata-fleet.XXXXXX)
trap 'rm -rf "$SQ"; tests/lib/servers.sh stop >/dev/null 2>&1' EXIT
"$STRATA" -d "sqlite:$SQ/one.db" -m "$M" up >/dev/null 2>&1
mkdir -p "$SQ/members"
for ((i = 0; i < FILES; i++)); do cp "$SQ/one.db" "$SQ/members/m$i.db"; done
printf '[target "files"]\ntype = sqlite\ndir = %s\nfleet = glob:%s/members/*.db\n' "$M" "$SQ" \
    >"$SQ/strata.conf"
# settled, as bench/run.sh times a no-op: files older than the caches' 2 s, one untimed run
sleep 2.5
"$STRATA" -d "sqlite:$SQ/members/m0.db" -m "$M" status >/dev/null 2>&1
(cd "$SQ" && "$STRATA" status --jobs "$JOBS" >/dev/null 2>&1) || die "status over the files failed"
one=() many=() many_n=()
for ((r = 0; r < RUNS; r++)); do
    one+=("$(t_each 25 "$STRATA" -d "sqlite:$SQ/members/m0.db" -m "$M" status)")
    many+=("$(cd "$SQ" && t "$STRATA" status --jobs "$JOBS")")
    many_n+=("$(cd "$SQ" && t "$STRATA" status --jobs "$NPROC")")
done
TS1=$(printf '%s\n' "${one[@]}" | median)
TSF=$(printf '%s\n' "${many[@]}" | median)
TSFN=$(printf '%s\n' "${many_n[@]}" | median)
GOAL2=$(awk -v a="$TS1" -v n="$FILES" -v j="$JOBS" 'BEGIN { print a * n / j }')
GOAL2N=$(awk -v a="$TS1" -v n="$FILES" -v j="$NPROC" 'BEGIN { print a * n / j }')

{
    echo "# strata on fleets"
    echo
    echo "Generated by \`bench/fleet.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'), $NPROC CPUs ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)), $("$STRATA" version 2>/dev/null | head -1)."
    echo "Medians of $RUNS runs; the no-op figures are per run over 25 repetitions. PostgreSQL 15 on"
    echo "loopback (the test suite's throwaway server, fsync=off, data on tmpfs); SQLite files on tmpfs."
    echo "The goals divide by the jobs as if every job had a CPU of its own; on a machine with"
    echo "fewer CPUs than jobs, the rows with \`--jobs $NPROC\` (one job per CPU) are the fair reading."
    echo "Load average $LOAD0 at the start, $(cut -d' ' -f1 /proc/loadavg) at the end: other work on the"
    echo "machine inflates every time; a ratio compares runs made a minute apart."
    echo
    echo "| what | strata | the goal's yardstick | ratio | goal |"
    echo "|---|---|---|---|---|"
    echo "| \`up\`, $DBS PostgreSQL databases x $MIGS migrations, \`--jobs $JOBS\` | $(secs "$TF") | slowest single database $(secs "$T1") x $DBS / $JOBS = $(secs "$GOAL1") | $(ratio "$TF" "$GOAL1")x | 1.2x |"
    echo "| the same, \`--jobs $NPROC\` | $(secs "$TFN") | $(secs "$T1") x $DBS / $NPROC = $(secs "$GOAL1N") | $(ratio "$TFN" "$GOAL1N")x | |"
    echo "| no-op \`status\`, $FILES SQLite files, \`--jobs $JOBS\` | $(secs "$TSF") | one file $(ms "$TS1") x $FILES / $JOBS = $(secs "$GOAL2") | $(ratio "$TSF" "$GOAL2")x | 1.2x |"
    echo "| the same, \`--jobs $NPROC\` | $(secs "$TSFN") | $(ms "$TS1") x $FILES / $NPROC = $(secs "$GOAL2N") | $(ratio "$TSFN" "$GOAL2N")x | |"
    echo "| no-op \`up\` per member, $DBS PostgreSQL databases ($MIGS applied each), one at a time | $(ms "$TNOOP") | floor: load libpq, connect, read the history (bench/pgfloor.c) $(ms "$TFLOOR") | $(ratio "$TNOOP" "$TFLOOR")x | 1.5x |"
    echo "| the same through workers (\`fleet_reuse = on\`: a connection each, no process each) | $(ms "$TNOOPW") | $(ms "$TFLOOR") | $(ratio "$TNOOPW" "$TFLOOR")x | 1.5x |"
    echo "| no-op \`up\` per member, $DBS schemas of one PostgreSQL database ($MIGS applied each), one at a time, a connection each (\`fleet_reuse = off\`) | $(ms "$TROFF") | the floor, measured again beside these runs: $(ms "$TFLOOR4") | $(ratio "$TROFF" "$TFLOOR4")x | 1.5x |"
    echo "| the same, one connection for all (\`fleet_reuse = on\`, the default for \`schemas:\`) | $(ms "$TRON") | $(ms "$TFLOOR4") | $(ratio "$TRON" "$TFLOOR4")x | 1.5x |"
} >"$OUT"
cat "$OUT"
