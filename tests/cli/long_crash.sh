# shellcheck shell=bash
# Crashes, long tier (make check-long): strata killed with SIGKILL at every
# system call it makes on the database files (open, read, write, sync,
# truncate, unlink, close of the database, journal and WAL), for up, down
# and redo, in rollback-journal and WAL mode, with and without a
# no-transaction migration; then a random soak of 250 runs killed after a
# random delay. After every kill: integrity_check passes, each migration is
# exactly applied or not (or, no-transaction, marked dirty), and a normal
# run completes. Set REL_REPORT=FILE to collect the counts.

. "$(dirname "${BASH_SOURCE[0]}")/../lib/rel-lib.sh"

ALL_CALLS="openat pread64 pwrite64 fdatasync fsync ftruncate unlink close"

t_long_crash_up_every_point() {
	rel_need_strace
	rel_migrations 4
	REL_ALLOW_NONE=1 crash_sweep "$ALL_CALLS" 1 4 from_empty up up
}

t_long_crash_down_every_point() {
	rel_need_strace
	rel_migrations 4
	REL_ALLOW_NONE=1 crash_sweep "$ALL_CALLS" 1 4 from_all_applied up down --all
}

t_long_crash_redo_every_point() {
	rel_need_strace
	rel_migrations 3
	REL_ALLOW_NONE=1 crash_sweep "pwrite64 fdatasync unlink" 1 3 from_all_applied up redo
}

t_long_crash_wal_every_point() {
	rel_need_strace
	rel_migrations 4
	REL_ALLOW_NONE=1 crash_sweep "$ALL_CALLS" 1 4 from_wal up up
	REL_ALLOW_NONE=1 crash_sweep "pwrite64 fdatasync" 1 4 from_wal_all_applied up down --all
}

t_long_crash_no_transaction_every_point() {
	rel_need_strace
	rel_migrations 4
	printf -- '-- strata:no-transaction\n%s\n' "$(cat migrations/0003_t3.up.sql)" >migrations/0003_t3.up.sql.new
	mv migrations/0003_t3.up.sql.new migrations/0003_t3.up.sql
	REL_NOTXN=3 REL_ALLOW_NONE=1 crash_sweep "pwrite64 fdatasync unlink" 1 4 from_empty up up
}

# A fresh database file that is created by the run itself (the history
# table, then each migration): crash at every open and write.
t_long_crash_creating_the_database_every_point() {
	rel_need_strace
	rel_migrations 2
	REL_ALLOW_NONE=1 crash_sweep "openat pwrite64 fdatasync unlink" 1 2 from_empty up up
}

# --- the random soak ----------------------------------------------------------------

# 250 runs of a random command (up, up N, down N, redo) on a random starting
# state, killed with SIGKILL after a random delay within the command's
# usual duration. Migration 5 runs outside a transaction; migrations are
# slowed by a recursive query so that kills land inside them.
t_long_crash_random_soak() {
	local runs=${REL_SOAK_RUNS:-250} cmds=("up" "up 2" "down 2" "down --all" "redo" "up --to 6")
	local i n=8 start cmd delay r killed=0 finished=0 t0 t1 span
	for i in $(seq 1 $n); do
		mig "$(printf %04d "$i")" "t$i" "CREATE TABLE t$i (id INTEGER PRIMARY KEY, v VARCHAR(20));
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000) SELECT count(*) FROM c;
INSERT INTO t$i (id, v) VALUES ($i, 'row $i');
CREATE INDEX t${i}_v ON t$i (v);" "DROP TABLE t$i;"
	done
	printf -- '-- strata:no-transaction\n%s\n' "$(cat migrations/0005_t5.up.sql)" >migrations/0005_t5.up.sql.new
	mv migrations/0005_t5.up.sql.new migrations/0005_t5.up.sql
	# the duration of a full up, to spread the kills over
	t0=$(date +%s%N)
	st -q up
	t1=$(date +%s%N)
	expect_rc 0
	# most commands do less than a full up: kill within the first 60 %
	span=$(((t1 - t0) / 1000000 * 6 / 10 + 20))
	for i in $(seq 1 "$runs"); do
		db_reset
		[ $((RANDOM % 4)) = 0 ] && db_sql "PRAGMA journal_mode = WAL" >/dev/null
		start=$((RANDOM % (n + 1)))
		if [ "$start" -gt 0 ]; then
			st -q up "$start"
			expect_rc 0
		fi
		cmd=${cmds[RANDOM % ${#cmds[@]}]}
		delay=$((RANDOM % span))
		# shellcheck disable=SC2086
		rel_run_killed "$delay" $cmd
		case $r in
		137) killed=$((killed + 1)) ;;
		0 | 3) finished=$((finished + 1)) ;; # 3: redo with nothing applied
		*) fail "run $i ($cmd from $start): exit $r $(cat e)" ;;
		esac
		rel_consistent $n 5
		crash_recover $n up
	done
	[ -z "${REL_REPORT:-}" ] || echo "soak runs=$runs killed=$killed finished=$finished span=${span}ms" >>"$REL_REPORT"
	[ "$killed" -ge $((runs / 5)) ] || fail "only $killed of $runs runs were killed mid-way"
}
