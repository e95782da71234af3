# shellcheck shell=bash
# Colours: --color=always|never|auto; auto decides for stdout and stderr
# apart, so output sent to a file never holds escape codes, whatever
# stderr is.

applied() {
	mig 0001 a "CREATE TABLE a (id INTEGER PRIMARY KEY);"
	st up
	expect_rc 0
}

t_color_always_colours_both_streams() {
	applied
	NO_COLOR=1 st --color=always status
	expect_rc 0
	expect_out $'\033[1mVERSION'
	expect_out $'\033[32mapplied'
	st --color always nosuch
	expect_rc 2
	expect_err $'\033[31merror\033[0m'
}

t_color_never_and_no_color_colour_nothing() {
	applied
	for flag in --color=never --no-color; do
		st "$flag" status
		refute_out $'\033['
		st "$flag" nosuch
		refute_err $'\033['
	done
}

t_color_takes_three_words() {
	st --color=sometimes status
	expect_rc 2
	expect_err "--color 'sometimes': expected always, never or auto"
}

# Under script(1) stderr (and stdin) are a terminal; stdout goes to a file.
t_color_auto_decides_per_stream() {
	command -v script >/dev/null || skip "no script(1)"
	applied
	local cmd="'$STRATA_BIN' --database '$TEST_URL' --dir migrations"
	TERM=xterm script -qec "$cmd status >status.out; $cmd nosuch >/dev/null" typescript >/dev/null 2>&1
	grep -q 'applied' status.out || fail "no status in the file: $(cat status.out)"
	if grep -q $'\033' status.out; then fail "escape codes in stdout sent to a file"; fi
	grep -q $'\033\[31merror' typescript || fail "no colour on the terminal: $(cat -v typescript)"
	# NO_COLOR turns auto off on the terminal too
	NO_COLOR=1 TERM=xterm script -qec "$cmd nosuch" typescript >/dev/null 2>&1
	if grep -q $'\033\[31m' typescript; then fail "colour despite NO_COLOR"; fi
	# and auto colours stdout when it is the terminal
	TERM=xterm script -qec "$cmd status" typescript >/dev/null 2>&1
	grep -q $'\033\[32mapplied' typescript || fail "no colour in status on a terminal: $(cat -v typescript)"
}

# A run of several migrations shows "[n/N m:ss] applying NAME ..." on a
# terminal (stderr), written over by the next line and cleared before
# the results; never in a file, with -q, or for a run of one.
t_progress_on_a_terminal() {
	command -v script >/dev/null || skip "no script(1)"
	local i cmd="'$STRATA_BIN' --database '$TEST_URL' --dir migrations"
	for i in 1 2 3; do
		mig "000$i" "t$i" "CREATE TABLE t$i (x INTEGER);" "DROP TABLE t$i;"
	done
	TERM=xterm script -qec "$cmd up >up.out" typescript >/dev/null 2>&1
	for i in 1 2 3; do
		grep -q "\[$i/3 0:[0-9][0-9]\] applying 000${i}_t$i \.\.\." typescript ||
			fail "no progress line $i/3: $(cat -v typescript)"
	done
	# each cleared before what follows it
	grep -q $'\r\033\[Kstrata: 3 migrations applied' typescript ||
		fail "the progress line is not cleared: $(cat -v typescript)"
	grep -q "applied     0003_t3" up.out || fail "results not in stdout: $(cat up.out)"
	if grep -q '\[1/3' up.out; then fail "progress in stdout"; fi
	TERM=xterm script -qec "$cmd down --all --no-backup -q" typescript >/dev/null 2>&1
	if grep -q '\[1/3' typescript; then fail "progress with -q: $(cat -v typescript)"; fi
	TERM=xterm script -qec "$cmd up 1" typescript >/dev/null 2>&1
	if grep -q '\[1/1' typescript; then fail "progress for one migration: $(cat -v typescript)"; fi
	st up
	expect_rc 0
	refute_err "[1/2"
	expect_history "1 2 3"
}
