#!/bin/bash
# Rotation by rename: S01 (rename + create, repeated fast), S02 (writer
# keeps writing to the renamed file), S03 (rename now, create later),
# rename-over, and rapid rotations while the follower is stopped.
. "$(dirname "$0")/follow/lib.sh"

s01() {
	new_case s01_rename_create
	: > log
	start log
	for r in 1 2 3 4 5 6 7 8; do
		seqw log $((r * 100)) $((r * 100 + 20)) S01
		# Polling cannot see a generation born and rotated away
		# between two polls: let it see each one.
		[ "$MODE" = poll ] && wait_for "grep -q S01-$((r * 100 + 20)) out"
		mv log log.1.$r
		: > log
	done
	seqw log 1 30 S01-last
	check
}

s02() {
	new_case s02_old_writer
	: > log
	start log
	exec 7>>log
	w log a-1 a-2
	mv log log.1
	: > log
	for i in 3 4 5; do
		echo "a-$i" >&7; echo "a-$i" >> expect
	done
	sleep 0.3
	for i in 6 7; do
		echo "a-$i" >&7; echo "a-$i" >> expect
	done
	exec 7>&-
	w log b-1 b-2
	check
}

s03() {
	new_case s03_create_later
	: > log
	start log
	w log a-1 a-2
	mv log log.1
	sleep 0.3
	w log b-1 b-2 b-3	# created by the append, read from 0
	check
}

s_rename_over() {
	new_case rename_over
	: > log
	start log
	w log a-1
	printf 'b-1\nb-2\n' > new
	mv new log		# rename over the followed name
	expect_only b-1 b-2
	w log b-3
	check
}

s_stopped_rotations() {
	new_case stopped_rotations
	: > log
	start log
	w log a-1
	wait_for 'grep -q a-1 out'
	kill -STOP "$TTPID"
	w log a-2
	mv log log.1
	w log b-1
	mv log log.2		# log.1 still holds a
	w log c-1
	kill -CONT "$TTPID"
	# a-2 is in the file we hold; b was never seen: lost by design
	# (another rotation happened before we could look) unless it was
	# seen; c is read from 0.
	wait_for 'grep -q c-1 out'
	grep -v '^b-1$' expect > expect.2; mv expect.2 expect
	grep -v '^b-1$' out > out.2; mv out.2 out
	check
}

run_both s01
run_both s02
run_both s03
run_both s_rename_over
run_both s_stopped_rotations
