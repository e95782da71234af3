# shellcheck shell=bash
# The CI examples of docs/CI.md run as written: every command line of
# each job (a `run: strata ...` step, a `- strata ...` script line, the
# deploy gate's lines) in order, against a fresh SQLite database per job,
# with `strata` on PATH. Each must exit 0, as it would in CI.

# ci_jobs: the commands of docs/CI.md, one per line, and a line "JOB
# key" at each YAML key at the top level or two spaces in (a job's name,
# or a key around its commands: script:) and each fenced sh block.
ci_jobs() {
	awk '
	/^```/ { inblock = !inblock; if (inblock && $0 ~ /sh$/) print "JOB gate"; next }
	!inblock { next }
	/^  [a-z][a-z_-]*:$/ || /^[a-z][a-z_-]*:$/ { sub(/:$/, ""); gsub(/ /, ""); print "JOB " $0; next }
	/^[ -]*(run: )?strata / { sub(/^[ -]*(run: )?/, ""); sub(/ +#.*$/, ""); print }
	' "$STRATA_SRC_ROOT/docs/CI.md"
}

t_ci_examples_run_as_written() {
	local line job="" n=0 jobs=0 ran=0
	mkdir -p bin
	ln -s "$STRATA_BIN" bin/strata
	mig 0001 users "CREATE TABLE users (id INTEGER PRIMARY KEY);" "DROP TABLE users;"
	mig 0002 email "ALTER TABLE users ADD COLUMN email TEXT;" "ALTER TABLE users DROP COLUMN email;"
	while IFS= read -r line; do
		case $line in
		"JOB "*)
			job=${line#JOB }
			ran=0
			rm -f "ci.db"
			continue
			;;
		esac
		# a job: a key whose commands ran on one database
		[ "$ran" = 1 ] || jobs=$((jobs + 1))
		ran=1
		n=$((n + 1))
		PATH="$PWD/bin:$PATH" DATABASE_URL="sqlite:ci.db" bash -c "$line" >ci.out 2>&1 ||
			fail "job $job: '$line' failed (exit $?): $(cat ci.out)"
	done < <(ci_jobs)
	# verify and apply, for GitHub and for GitLab, and the gate
	[ "$jobs" = 5 ] || fail "$jobs jobs found in docs/CI.md, not 5"
	[ "$n" -ge 20 ] || fail "only $n commands found in docs/CI.md"
	[ -s status.json ] || fail "status --json wrote nothing"
}
