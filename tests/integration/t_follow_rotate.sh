#!/bin/bash
# Rotation by rename: S01 (rename + create, repeated fast), S02 (writer
# keeps writing to the renamed file), S03 (rename now, create later),
# rename-over, rapid rotations while the follower is stopped, and
# generations rotated away before they were ever opened (big ones too).
. "$(dirname "$0")/follow/lib.sh"

# tick: paces rotations one tick of the kernel's file clock apart (it is
# coarse: 4 ms at HZ=250). Unseen generations are ordered by birth time;
# ones born within one tick cannot be told apart for sure (mtime, then
# the inode number decide), and no real rotation is that fast.
tick() { sleep 0.02; }

s01() {
	new_case s01_rename_create
	: > log
	start log
	for r in 1 2 3 4 5 6 7 8; do
		seqw log $((r * 100)) $((r * 100 + 20)) S01
		# a generation may be born and rotated away between two
		# polls or in one event batch: found by the sibling scan
		mv log log.1.$r
		: > log
		tick
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
	# a-2 is in the file we hold; b was never opened (born and rotated
	# away while we were stopped): found as log.2 by its birth time and
	# read from 0 before c, which is read from 0.
	check
}

# Known hole, closed: a file created and renamed away before we ever
# opened it, in one event batch (no stop), and while the name was missing.
s_unseen_batch() {
	new_case unseen_batch
	: > log
	start log
	w log a-1
	for g in b c d; do
		mv log log.1.$g
		w log $g-1 $g-2
		tick
	done
	mv log log.1.e
	w log e-1
	check
}

s_unseen_missing() {
	new_case unseen_missing
	start log
	kill -STOP "$TTPID"
	w log a-1 a-2		# created and rotated away while missing
	mv log log.1
	kill -CONT "$TTPID"
	wait_for 'grep -q a-2 out'
	w log b-1
	check
}

s_unseen_state() {
	# the unseen generation is saved like any draining file
	new_case unseen_state
	TTARGS=(-s state -c 50)
	: > log
	start log
	w log a-1
	wait_for 'grep -q a-1 out'
	kill -STOP "$TTPID"
	mv log log.1
	w log b-1
	mv log log.2
	w log c-1
	kill -CONT "$TTPID"
	check
	stop
	w log.2 b-2		# its writer goes on after our restart
	w log c-2
	start log
	check
	TTARGS=()
}

# bigw FILE TAG N: N lines of ~50 bytes in one go (several MB), also
# appended to expect.
bigw() {
	python3 - "$@" <<'PY' || fail "writer failed"
import sys
path, tag, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
data = "".join("%s-%d %s\n" % (tag, i, "y" * 40) for i in range(n))
for f in (path, "expect"):
    with open(f, "a") as o:
        o.write(data)
PY
}

s_unseen_big() {
	# two big generations rotated away unseen: read a budget per round
	# (the loop is not stalled), completely, oldest first, then the
	# file at the name
	new_case unseen_big
	: > log
	start log
	w log a-1
	wait_for 'grep -q a-1 out'
	kill -STOP "$TTPID"
	mv log log.1
	bigw log b 120000	# ~6 MB
	mv log log.2
	tick
	bigw log c 120000
	mv log log.3
	tick
	w log d-1
	kill -CONT "$TTPID"
	check
}

run_both s01
run_both s02
run_both s03
run_both s_rename_over
run_both s_stopped_rotations
run_both s_unseen_batch
run_both s_unseen_missing
run_both s_unseen_state
run_both s_unseen_big
