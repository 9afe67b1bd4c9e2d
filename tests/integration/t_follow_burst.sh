#!/bin/bash
# Volume and slow consumers: S17 (a burst with a rotation in the middle,
# FOLLOW_BURST_LINES lines, 200000 by default, the recipe's 1000000 when
# asked), S30 (the action blocks while the log rotates twice: every line
# once after it recovers; reading pauses meanwhile, nothing queued), S26
# (a file deleted while still being read by a slow consumer: drained, then
# closed at once so its disk space is freed).
. "$(dirname "$0")/follow/lib.sh"
N=${FOLLOW_BURST_LINES:-200000}

s17() {
	new_case s17_burst
	: > log
	start log
	ROTATE_AT=$((N / 2)) fastw log 1 "$N" seq 80
	check_long 120
	[ -e log.1 ] || fail "the writer did not rotate"
}

s30() {
	new_case s30_blocked_action
	: > log
	touch block
	TTARGS=(-B "$T/block")
	start log
	w log a-1
	wait_for 'test -e block.hit' || fail "never blocked"
	fastw log 2 2000 a
	mv log log.1		# rotation 1 while blocked
	fastw log 1 2000 b
	mv log.1 log.2		# rotation 2: the second generation was
	mv log log.1		# never opened (logrotate's order)
	fastw log 1 2000 c
	rm block
	check_long 60
	TTARGS=()
}

s26() {
	new_case s26_deleted_while_read
	: > log
	touch block
	TTARGS=(-B "$T/block" -d 20)
	start log
	w log a-0
	wait_for 'test -e block.hit' || fail "never blocked"
	fastw log 1 20000 a 150
	mv log log.1
	: > log
	rm log.1		# unlinked with 3 MB unread
	w log b-1 b-2
	rm block
	check_long 60
	# closed within the deleted-file grace (1 s) after the drain
	no_deleted_fds || fail "deleted file still open after the drain"
	TTARGS=()
}

run_both s17
run_both s30
run_both s26
