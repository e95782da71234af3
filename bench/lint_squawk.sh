#!/usr/bin/env bash
# bench/lint_squawk.sh DIR...: strata lint beside squawk on PostgreSQL
# migration folders (bench/lint_squawk.py says how it counts; bench/LINT.md
# has the figures). The folders are public projects' migrations, fetched
# outside this repository: never commit them.
#
#   STRATA  the strata binary (default: ./strata, built with `make`)
#   SQUAWK  the squawk binary (default: squawk on PATH; else it is
#           installed with `npm install squawk-cli` into $SQUAWK_DIR,
#           default /tmp/squawk)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
[ $# -gt 0 ] || { echo "usage: $0 DIR..." >&2; exit 2; }
STRATA=${STRATA:-$here/../strata}
[ -x "$STRATA" ] || { echo "$0: no strata at $STRATA (make, or set STRATA)" >&2; exit 2; }
if [ -z "${SQUAWK:-}" ]; then
	if command -v squawk >/dev/null 2>&1; then
		SQUAWK=$(command -v squawk)
	else
		SQUAWK_DIR=${SQUAWK_DIR:-/tmp/squawk}
		SQUAWK=$SQUAWK_DIR/node_modules/.bin/squawk
		[ -x "$SQUAWK" ] || { mkdir -p "$SQUAWK_DIR" &&
			(cd "$SQUAWK_DIR" && npm install --silent squawk-cli >/dev/null); }
	fi
fi
echo "strata $("$STRATA" version 2>/dev/null | head -1 | awk '{print $NF}'), $("$SQUAWK" --version)" >&2
exec python3 "$here/lint_squawk.py" "$STRATA" "$SQUAWK" "$@"
