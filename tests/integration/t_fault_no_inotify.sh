#!/bin/bash
# t_fault_no_inotify.sh WATCHFOR — inotify is unavailable (inotify_init1
# fails with EMFILE, then ENOSYS, injected by tests/shim): watchfor says
# so once (not once per file), falls back to polling, and follows three
# files through appends, a rename rotation and a truncation; a HUP reload
# keeps it working.
. "$(dirname "$0")/../shim/lib.sh"
need_shim
printf 'watchfor /MARK/\n\techo normal\n' > c

for how in 1 ENOSYS; do
	: > out; : > err; NSTARTS=0
	rm -f a b d; touch a b d
	FAULT_NO_INOTIFY=$how start -c c -t a -t b -t d
	echo "MARK a1 $how" >> a
	echo "MARK b1 $how" >> b
	echo "MARK d1 $how" >> d
	for f in a b d; do
		wait_for '[ "$(count "MARK ${f}1 $how")" = 1 ]' ||
		    fail "$how: MARK ${f}1 not seen by polling"
	done
	[ "$(grep -c 'falling back to polling' err)" = 1 ] ||
	    fail "$how: fallback logged $(grep -c 'falling back to polling' err) times (want 1)"
	if [ "$how" = 1 ]; then
		grep -qx 'watchfor: inotify_init1, falling back to polling: Too many open files' err ||
		    fail "fallback message"
	fi
	mv a a.1; echo "MARK a2 $how" > a
	echo "MARK a3 $how" >> a.1
	wait_for '[ "$(count "MARK a2 $how")" = 1 ] && [ "$(count "MARK a3 $how")" = 1 ]' ||
	    fail "$how: rotation not followed by polling"
	: > b; echo "MARK b2 $how" >> b
	wait_for '[ "$(count "MARK b2 $how")" = 1 ]' ||
	    fail "$how: truncation not followed by polling"
	kill -HUP "$PID"
	wait_for '[ "$(grep -c "^\*\*\* watchfor version" out)" = 2 ]' ||
	    fail "$how: no banner after HUP"
	echo "MARK d2 $how" >> d
	wait_for '[ "$(count "MARK d2 $how")" = 1 ]' || fail "$how: after HUP"
	alive || fail "$how: daemon died"
	stop
	[ "$RC" = 0 ] || fail "$how: exit status $RC"
	n=$(grep -c 'falling back to polling' err)
	[ "$n" = 1 ] || fail "$how: fallback logged $n times after a HUP"
	for m in a1 b1 d1 a2 a3 b2 d2; do
		[ "$(count "MARK $m $how")" = 1 ] || fail "$how: MARK $m seen $(count "MARK $m $how") times"
	done
done
pass
