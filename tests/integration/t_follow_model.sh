#!/bin/bash
# Randomized model test (seeded, reproducible: FOLLOW_SEEDS="1 2 3"):
# random sequences of append, partial write, rename rotation,
# copytruncate, delete, recreate, truncate and restart with state (with
# appends and rotations while down). Invariant: every marker exactly once,
# in order. Operations that destroy unread data by their nature (truncate,
# delete) first wait until the follower caught up, so a loss there is a
# real failure, not the operation's own.
. "$(dirname "$0")/follow/lib.sh"
TTARGS=(-s state -c 50)
N=0
GEN=0

append() {
	local k=$((RANDOM % 5 + 1)) i
	for ((i = 0; i < k; i++)); do
		N=$((N + 1)); w log "m-$N"
	done
}

caught_up() {
	[ $N = 0 ] || wait_for "grep -qx m-$N out" || fail "m-$N never came"
}

op() {
	local o=$((RANDOM % 10))
	echo "N=$N op=$o" >> ops	# trace, kept on failure
	case $o in
	0|1|2) append ;;
	3)	N=$((N + 1))
		printf 'm-%s' $N >> log
		[ $((RANDOM % 2)) = 0 ] && sleep 0.05
		printf '\n' >> log; expect_only "m-$N" ;;
	4)	# A generation renamed away before the follower ever opened
		# it is not followed (known limit): let it open it first.
		caught_up
		GEN=$((GEN + 1)); mv log log.r$GEN 2>/dev/null
		[ $((RANDOM % 2)) = 0 ] && : > log ;;
	5)	# copytruncate: the follower must have opened the file (a
		# file born and truncated unseen is lost by nature); lines
		# still unread are finished from the copy, log.1.
		if [ -f log ]; then
			caught_up
			# An empty file may not be open yet (born unseen).
			if [ -s log ]; then append; else append; caught_up; fi
			# As logrotate: older copies shift, a new file is made.
			GEN=$((GEN + 1))
			[ -f log.1 ] && mv log.1 log.c$GEN
			cp log log.1; : > log
		fi ;;
	6)	caught_up; rm -f log ;;
	7)	caught_up; [ -f log ] && truncate -s 0 log ;;
	8)	stop
		append
		if [ $((RANDOM % 2)) = 0 ]; then
			GEN=$((GEN + 1)); mv log log.r$GEN 2>/dev/null
			append
		fi
		start log ;;
	9)	[ "$MODE" = poll ] && caught_up
		append ;;
	esac
	# Polling cannot see what is born and destroyed between two polls.
	[ "$MODE" = poll ] && [ $((RANDOM % 2)) = 0 ] && caught_up
}

model() {
	local seed
	for seed in ${FOLLOW_SEEDS:-1 2 3}; do
		new_case "model_seed$seed"
		RANDOM=$seed
		N=0
		GEN=0
		: > log; : > ops
		start log
		for ((j = 0; j < 60; j++)); do
			op
		done
		check
		stop
	done
}

run_both model
