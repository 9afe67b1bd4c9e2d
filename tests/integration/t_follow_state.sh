#!/bin/bash
# Restart with saved state: S21 resume (lines written while down, once),
# S13a partial line across a restart, S22 rotation while down, S23 inode
# reuse while down, copytruncate while down, S29 corrupt state, S24 a
# compressed sibling never read.
. "$(dirname "$0")/follow/lib.sh"
TTARGS=(-s state -c 100)

s21() {
	new_case s21_restart
	printf 'old\n' > log
	start log
	w log a-1 a-2
	wait_for 'grep -q a-2 out'
	stop
	w log b-1 b-2		# written while down
	printf 'half' >> log	# partial line across the restart
	start log
	sleep 0.2
	printf -- '-done\n' >> log; expect_only half-done
	w log c-1
	wait_for 'grep -q c-1 out'
	stop
	w log d-1
	start log
	check
}

s22() {
	new_case s22_rotation_while_down
	: > log
	start log
	w log a-1
	wait_for 'grep -q a-1 out'
	stop
	w log a-2 a-3
	mv log log.1
	w log b-1
	mv log.1 log.2
	mv log log.1
	w log c-1 c-2
	start log
	check
}

s23() {
	new_case s23_inode_reuse
	for i in $(seq 50); do echo "old-$i"; done > log
	start log
	w log a-1
	wait_for 'grep -q a-1 out'
	stop
	rm log
	w log b-1 b-2		# often the same inode number
	start log
	check
}

s23b() {
	new_case s23b_inode_reuse_longer
	: > log
	start log
	w log a-1
	wait_for 'grep -q a-1 out'
	stop
	rm log
	seqw log 1 100 b	# longer than the saved offset
	start log
	check
}

s_copytruncate_down() {
	new_case copytruncate_while_down
	: > log
	start log
	seqw log 1 40 a
	wait_for 'grep -q a-40 out'
	stop
	seqw log 41 45 a
	cp log log.1
	: > log
	w log b-1
	start log
	check
}

s29() {
	new_case s29_corrupt_state
	: > log
	start log
	w log a-1
	wait_for 'grep -q a-1 out'
	stop
	head -c 4096 /dev/zero > state/offsets
	w log lost-while-down	# state unusable: start at the end, loudly
	start log
	grep -q 'state.*ignored' err || fail "corrupt state not reported"
	w log b-1
	grep -v lost-while-down expect > e2; mv e2 expect
	check
	stop
	echo 'something else' > state/offsets
	start log
	w log c-1
	check
	grep -q 'not a watchfor state file' err || fail "foreign state not reported"
}

s24() {
	new_case s24_compressed
	: > log
	start log
	w log a-1
	wait_for 'grep -q a-1 out'
	stop
	w log a-2
	mv log log.1
	gzip -c log.1 > log.2.gz	# a compressed generation born while down
	touch log.2.gz
	rm log.1
	w log b-1
	start log
	grep -v a-2 expect > e2; mv e2 expect	# gone (compressed): a gap
	check
	grep -q 'is gone' err || fail "gap not reported"
}

s_created_while_down() {
	new_case created_while_down
	start log		# missing: the name is recorded anyway
	stop
	w log a-1 a-2		# born while down: read from its start
	start log
	w log a-3
	wait_for 'grep -q a-3 out'
	stop
	rm log
	start log
	stop
	w log b-1		# deleted, then recreated while down
	start log
	check
}

run_both s21
run_both s_created_while_down
run_both s22
run_both s23
run_both s23b
run_both s_copytruncate_down
run_both s29
run_both s24
