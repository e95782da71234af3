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
