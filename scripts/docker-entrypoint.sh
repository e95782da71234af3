#!/bin/bash
# docker-entrypoint.sh [STRATA ARGUMENTS...]: the container's entry point.
#
# Waits until the database answers (strata wait, for STRATA_WAIT_TIMEOUT
# seconds, 60 by default), then runs strata with the arguments given, or
# `strata up` when there are none. The database and the folder come from
# the arguments' global options (-d URL, --config, --target, passed to
# the wait too), the environment (DATABASE_URL, STRATA_DIR; the image sets
# STRATA_DIR=/migrations) or strata.conf, as for any strata run.
#
# Exit status: strata wait's when the database never answered (5), else
# strata's own: strata replaces this shell (exec), so it is the
# container's PID 1 and gets its SIGTERM (130: stopped between migrations
# or with the running statement rolled back).
#
#   STRATA_WAIT_TIMEOUT  seconds to wait for the server (0: try once)
#   STRATA_WAIT=0        do not wait (version, help, init, new and wait
#                        itself, and --help/--version, never do)
#   STRATA_BIN           the strata to run (default: strata on PATH)
set -u
strata=${STRATA_BIN:-strata}

# `docker run IMAGE strata status` as well as `docker run IMAGE status`
if [ "${1:-}" = strata ]; then
	shift
fi
if [ $# -eq 0 ]; then
	set -- up
fi

# The command (the first word that is neither an option nor an option's
# value), and the global options that say which database, for the wait.
cmd='' wait_args=() no_wait=0 args=("$@") i=0
while [ $i -lt ${#args[@]} ]; do
	a=${args[$i]}
	case $a in
	-d | --database | --config | --target)
		wait_args+=("$a" "${args[$((i + 1))]:-}")
		i=$((i + 1))
		;;
	--database=* | --config=* | --target=* | -q | --quiet | -v | --verbose | \
		--no-color | --color=*)
		wait_args+=("$a")
		;;
	-m | --dir | --table | --schema | --lock-timeout | --color)
		i=$((i + 1))
		;;
	-h | --help | --version)
		no_wait=1
		;;
	-*) ;;
	*)
		[ -n "$cmd" ] || cmd=$a
		;;
	esac
	i=$((i + 1))
done
case $cmd in
version | help | init | new | wait) no_wait=1 ;;
esac
[ "${STRATA_WAIT:-1}" != 0 ] || no_wait=1

if [ $no_wait = 0 ]; then
	"$strata" "${wait_args[@]}" wait --timeout "${STRATA_WAIT_TIMEOUT:-60}"
	rc=$?
	if [ $rc -ne 0 ]; then
		exit $rc
	fi
fi
exec "$strata" "$@"
