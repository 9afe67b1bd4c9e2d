#!/bin/bash
# Line assembly: S13b partial line completed on the old fd after a rename,
# S14 unterminated last line of a rotated file (delivered once, flagged,
# never glued to the next file), S15 long lines (2 MiB whole; over the
# maximum: head delivered and flagged, rest skipped, following goes on).
. "$(dirname "$0")/follow/lib.sh"
TTARGS=(-F)

s13b() {
	new_case s13b_partial_rotation
	: > log
	start log
	exec 7>>log
	printf 'seq=1 part' >&7
	mv log log.1
	: > log
	sleep 0.2
	printf ' rest\n' >&7
	exec 7>&-
	expect_only 'seq=1 part rest'
	w log b-1
	check
}

s14() {
	new_case s14_unterminated
	: > log
	start log
	printf 'seq=1\nseq=2 tail-no-nl' >> log
	expect_only seq=1
	mv log log.1
	w log seq-3
	# After the old file is quiet (1 s) its last line comes, flagged.
	expect_only '[U] seq=2 tail-no-nl'
	wait_for 'grep -q "seq=2" out'
	sort expect > e2; sort out > o2
	cmp -s e2 o2 || fail "unterminated line"
	grep -q '^seq-3$' out || fail "glued"
}

s15() {
	new_case s15_long
	: > log
	start log
	w log a-1
	{ printf 'L1 '; head -c 2097152 /dev/zero | tr '\0' x; echo; } >> log
	w log a-2
	wait_for 'grep -q a-2 out'
	[ "$(sed -n 2p out | wc -c)" = $((2097152 + 4)) ] || fail "2 MiB line not whole"
	sed -i 2d out
	check
}

s15_max() {
	new_case s15_over_max
	: > log
	TTARGS=(-F -m 1000)
	start log
	TTARGS=(-F)
	w log a-1
	{ printf 'L1 '; head -c 300000 /dev/zero | tr '\0' y; echo; } >> log
	expect_only "[T] L1 $(head -c 997 /dev/zero | tr '\0' y)"
	w log a-2
	check
	grep -q 'line over 1000 bytes' err || fail "no warning"
}

run_both s13b
run_both s14
run_both s15
run_both s15_max
