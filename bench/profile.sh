#!/usr/bin/env bash
# profile.sh: where strata spends its instructions, with callgrind (instruction counts
# are stable on a shared machine, wall times are not). On SQLite (tmpfs) with BENCH_N
# migrations (default 1000):
#
#   apply     `up` from empty                      floor: sqlite3 < up_each.sql
#   noop      `up` with everything applied, settled floor: sqlite3 reading the history
#   status    `status` with everything applied, settled (as bench/run.sh times them)
#   down1     `down` (roll back one)
#   and, when BENCH_SCALE_N > BENCH_N, status and validate at both sizes.
#
# For each, bench/work/profile/OP.txt holds callgrind_annotate's inclusive and exclusive
# listings, and the summary (total instructions, strata ÷ floor, syscall counts from
# strace -c) is printed and written to bench/work/profile/summary.tsv, which
# bench/report.py puts into RESULTS.md (bench/run.sh runs this script last).
# BENCH_STRATA names another binary (default ./strata). Needs ./strata (make strata), valgrind and strace.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
N=${BENCH_N:-1000}
OUT=$ROOT/bench/work/profile
W=$ROOT/bench/work/w$N
STRATA=${BENCH_STRATA:-$ROOT/strata}

command -v valgrind >/dev/null || { echo "profile: valgrind missing" >&2; exit 2; }
[[ -x $STRATA ]] || { echo "profile: no ./strata: make strata" >&2; exit 2; }
mkdir -p "$OUT"
[[ -d $W ]] || bench/gen.sh "$N" "$W"
DB=$(mktemp -d /dev/shm/strata-prof.XXXXXX 2>/dev/null || mktemp -d)
trap 'rm -rf "$DB"' EXIT
S=("$STRATA" -d "sqlite:$DB/s.db" -m "$W/strata")

# cg NAME CMD...: instructions of CMD (stdin from $IN when set), annotated into NAME.txt.
cg() {
    local name=$1
    shift
    valgrind --tool=callgrind --callgrind-out-file="$OUT/$name.cg" "$@" \
        <"${IN:-/dev/null}" >/dev/null 2>"$OUT/$name.vg"
    {
        echo "== $name: $*"
        echo "== inclusive"
        callgrind_annotate --inclusive=yes "$OUT/$name.cg" 2>/dev/null | sed -n '/^Ir/,$p' |
            grep -v '^$' | head -n 70
        echo "== exclusive"
        callgrind_annotate --inclusive=no "$OUT/$name.cg" 2>/dev/null | sed -n '/file:function/,$p' |
            grep -v '^$' | head -n 40
    } >"$OUT/$name.txt"
    sed -n 's/.*Collected : //p' "$OUT/$name.vg"
}
# sc NAME CMD...: the syscall summary of CMD (kernel time is not in callgrind's count).
sc() {
    local name=$1
    shift
    command -v strace >/dev/null || return 0
    strace -c -o "$OUT/$name.strace" "$@" <"${IN:-/dev/null}" >/dev/null 2>&1 || true
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

rm -f "$DB"/*.db
apply=$(cg apply "${S[@]}" up)
# settled, as bench/run.sh times them: a pause and one untimed run
settle() { sleep 0.3; "$@" >/dev/null 2>&1 || true; }
settle "${S[@]}" up
noop=$(cg noop "${S[@]}" up)
status=$(cg status "${S[@]}" status)
sc status "${S[@]}" status
down1=$(cg down1 "${S[@]}" down)
"${S[@]}" up >/dev/null 2>&1 || true
sc down1 "${S[@]}" down
"${S[@]}" up >/dev/null 2>&1 || true
fapply=$(IN=$W/floor/up_each.sql cg floor_apply sqlite3 -bail "$DB/f.db")
fread=$(IN=$W/floor/status.sql cg floor_read sqlite3 -bail "$DB/f.db")

printf 'instructions (callgrind), SQLite on tmpfs, %s migrations\n' "$N"
printf '  apply all    strata %13s   floor %13s   strata/floor %s\n' "$apply" "$fapply" \
    "$(ratio "${apply//,/}" "${fapply//,/}")"
printf '  no-op up     strata %13s   floor (read history) %13s\n' "$noop" "$fread"
printf '  status       strata %13s\n' "$status"
printf '  roll back 1  strata %13s\n' "$down1"
# Scaling in instructions: status and validate on SCALE_N applied migrations against N.
SCALE_N=${BENCH_SCALE_N:-0}
scale_rows=()
if ((SCALE_N > N)); then
    [[ -d $ROOT/bench/work/w$SCALE_N ]] || bench/gen.sh "$SCALE_N" "$ROOT/bench/work/w$SCALE_N"
    "$STRATA" -q -d "sqlite:$DB/big.db" -m "$ROOT/bench/work/w$SCALE_N/strata" up >/dev/null 2>&1
    settle "$STRATA" -d "sqlite:$DB/big.db" -m "$ROOT/bench/work/w$SCALE_N/strata" status
    settle "${S[@]}" status
    for op in status validate; do
        a=$(cg "scale_${op}_$N" "${S[@]}" "$op")
        b=$(cg "scale_${op}_$SCALE_N" "$STRATA" -d "sqlite:$DB/big.db" \
            -m "$ROOT/bench/work/w$SCALE_N/strata" "$op")
        scale_rows+=("$(printf 'scale_%s\t%s\t%s' "$op" "${a//,/}" "${b//,/}")")
        printf '  %-12s %s files %13s   %s files %13s   ratio %s\n' "$op" "$N" "$a" \
            "$SCALE_N" "$b" "$(ratio "${b//,/}" "${a//,/}")"
    done
fi
{
    for row in "${scale_rows[@]}"; do printf '%s\n' "$row"; done
    printf 'scale_n\t%s\t\n' "$SCALE_N"
    printf 'apply\t%s\t%s\n' "${apply//,/}" "${fapply//,/}"
    printf 'noop\t%s\t%s\n' "${noop//,/}" "${fread//,/}"
    printf 'status\t%s\t%s\n' "${status//,/}" "${fread//,/}"
    printf 'down1\t%s\t\n' "${down1//,/}"
    printf 'n\t%s\t\n' "$N"
} >"$OUT/summary.tsv"
if [[ -f $OUT/status.strace ]]; then
    echo "syscalls of strata status (strace -c, top 6):"
    sed -n '3,8p' "$OUT/status.strace"
fi
echo "details: $OUT/*.txt"
