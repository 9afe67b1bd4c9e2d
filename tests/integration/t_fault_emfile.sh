#!/bin/bash
# t_fault_emfile.sh WATCHFOR — file descriptors exhausted. (1) Under
# tests/shim, while ./nofd exists every call that makes a descriptor
# fails (EMFILE; inotify_add_watch ENOSPC): a rotation cannot open the
# new file and an exec action cannot make its pipe. watchfor logs it,
# keeps running, keeps reading the file it has open, and once
# descriptors are back it opens the new file and reads it from its
# start: no line lost; its descriptor count returns to where it was.
# (2) A real limit (prlimit on the daemon alone, no shim, so this part
# runs wherever the shim cannot): with RLIMIT_NOFILE just above what it uses,
# following more files than fit is logged, not fatal, and raising the
# limit lets it pick them up from where they ended when it started:
# what was there before is not read, what was written while they could
# not be opened is.
. "$(dirname "$0")/../shim/lib.sh"
printf 'watchfor /MARK/\n\techo normal\nwatchfor /RUN/\n\texec /bin/echo ran $0\n' > c

part1() {
	export FAULT_EMFILE_CTL=$W/nofd FAULT_LOG=$W/flog
	PRELOAD=$SHIM
	start -c c -t log
	echo "MARK 1" >> log
	echo "RUN 1" >> log
	wait_for '[ "$(count "MARK 1")" = 1 ] && [ "$(count "ran RUN 1")" = 1 ]' ||
	    fail "before the fault"
	local before=$(fds)
	touch nofd
	mv log log.1
	echo "MARK 2" > log
	echo "MARK 3" >> log.1
	echo "RUN 2" >> log.1
	wait_for '[ "$(count "MARK 3")" = 1 ]' || fail "open file not read while out of fds"
	wait_for 'grep -q "Too many open files" err' || fail "EMFILE not logged"
	wait_for 'grep -q "exec: cannot run \"/bin/echo\": Too many open files" err' ||
	    fail "failed exec not logged"
	sleep 1
	alive || fail "daemon died out of descriptors"
	rm nofd
	echo "MARK 4" >> log
	wait_for '[ "$(count "MARK 2")" = 1 ] && [ "$(count "MARK 4")" = 1 ]' 30 ||
	    fail "new file not picked up after descriptors came back"
	echo "RUN 3" >> log
	wait_for '[ "$(count "ran RUN 3")" = 1 ]' || fail "exec after recovery"
	wait_for '[ "$(fds)" -le "$before" ]' ||
	    fail "descriptors: $before before, $(fds) after"
	stop
	[ "$RC" = 0 ] || fail "exit status $RC"
	for i in 1 2 3 4; do
		[ "$(count "MARK $i")" = 1 ] || fail "MARK $i seen $(count "MARK $i") times"
	done
	echo "part 1: $(grep -c . flog) calls failed; logged:"
	grep -v "^Caught" err | sort | uniq -c | sort -rn | head -5
	unset FAULT_EMFILE_CTL FAULT_LOG
	PRELOAD=
}

part2() {
	local i files=() n lim
	: > out; : > err; NSTARTS=0
	for i in $(seq 1 12); do : > "f$i"; done
	start -c c -t f1
	n=$(fds)
	crash
	: > out; : > err; NSTARTS=0
	for i in $(seq 1 12); do
		echo "MARK old f$i" > "f$i"
		files+=(-t "f$i")
	done
	# room for the first few files only
	lim=$((n + 4))
	prlimit --nofile=$lim:1024 "$BIN" -c c "${files[@]}" >> out 2>> err &
	PID=$!
	wait_for '[ "$(grep -c "^\*\*\* watchfor version" out)" -ge 1 ]' ||
	    fail "part 2: no banner with $lim descriptors"
	wait_for 'grep -q "Too many open files" err' ||
	    fail "part 2: running out of descriptors not logged"
	alive || fail "part 2: died out of descriptors"
	for i in $(seq 1 12); do echo "MARK early f$i" >> "f$i"; done
	sleep 1
	prlimit --pid "$PID" --nofile=1024:1024 || fail "part 2: prlimit"
	for i in $(seq 1 12); do echo "MARK late f$i" >> "f$i"; done
	for i in $(seq 1 12); do
		wait_for '[ "$(count "MARK late f$i")" = 1 ]' 30 ||
		    fail "part 2: f$i not followed after the limit was raised"
		[ "$(count "MARK early f$i")" = 1 ] ||
		    fail "part 2: line written to f$i while it could not be opened lost"
		[ "$(count "MARK old f$i")" = 0 ] ||
		    fail "part 2: f$i read from its start"
	done
	stop
	echo "part 2: limit $lim; logged:"
	grep -v "^Caught" err | sed -E 's/\bf[0-9]+\b/fN/g' | sort | uniq -c | sort -rn | head -5
}

if shim_works; then
	part1
else
	echo "part 1 skipped (the shim cannot be preloaded)"
fi
command -v prlimit > /dev/null && part2
pass
