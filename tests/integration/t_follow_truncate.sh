#!/bin/bash
# Truncation: S08 truncate to zero, S07 truncate and regrow past the offset
# while the follower is stopped, S06 copytruncate with a writer without
# O_APPEND (NUL hole), S05 copytruncate with unread lines finished from
# the copy (log.1).
. "$(dirname "$0")/follow/lib.sh"

s08() {
	new_case s08_truncate_zero
	: > log
	start log
	seqw log 1 20 a
	wait_for 'grep -q a-20 out'
	: > log
	seqw log 1 5 b
	wait_for 'grep -q b-5 out'
	truncate -s 0 log
	seqw log 1 5 c
	check
	grep -q 'file truncated' err || fail "no truncation message"
}

s07() {
	new_case s07_regrow
	printf 'seq=1\nseq=2\n' > log
	start log
	w log seq=2b
	wait_for 'grep -q seq=2b out'
	kill -STOP "$TTPID"
	: > log
	w log "seq=3 $(printf '%030d' 0)" "seq=4 $(printf '%030d' 0)"
	kill -CONT "$TTPID"
	check
}

s06() {
	new_case s06_nul_hole
	: > log
	start log
	exec 7>log		# no O_APPEND: writes at its own offset
	for i in 1 2 3 4 5; do echo "a-$i" >&7; echo "a-$i" >> expect; done
	wait_for 'grep -q a-5 out'
	cp log log.1
	truncate -s 0 log
	for i in 6 7; do echo "a-$i" >&7; echo "a-$i" >> expect; done
	exec 7>&-
	check
	[ "$(tr -d '\000' < out | wc -c)" = "$(wc -c < out)" ] || fail "NUL delivered"
}

s05() {
	new_case s05_copytruncate
	: > log
	start log
	seqw log 1 10 a
	wait_for 'grep -q a-10 out'
	kill -STOP "$TTPID"
	seqw log 11 15 a		# unread when the copy is made
	cp log log.1
	: > log
	seqw log 1 5 b
	kill -CONT "$TTPID"
	check
}

run_both s08
run_both s07
run_both s06
run_both s05
