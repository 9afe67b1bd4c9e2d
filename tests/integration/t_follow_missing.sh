#!/bin/bash
# Missing files and directories, delete + recreate, deleted-while-open,
# symlinks: S09, S10, S04, S26, S11, S12.
. "$(dirname "$0")/follow/lib.sh"

s09() {
	new_case s09_missing
	start log
	sleep 0.2
	w log a-1 a-2		# created by the append: read from 0
	check
	grep -q 'has appeared' err || fail "no appeared message"
	[ "$(grep -c 'cannot open log' err)" = 1 ] || fail "missing logged more than once"
}

s09_empty() {
	new_case s09_empty_first
	start log
	: > log
	sleep 0.3
	w log a-1
	check
}

s10() {
	new_case s10_dir
	start d/e/log
	mkdir -p d/e
	w d/e/log a-1 a-2
	wait_for 'grep -q a-2 out'
	rm -r d
	sleep 0.2
	mkdir -p d/e
	w d/e/log b-1
	check
}

s04() {
	new_case s04_delete_recreate
	: > log
	start log
	w log a-1
	wait_for 'grep -q a-1 out'
	kill -STOP "$TTPID"
	w log a-2 a-3		# unread, in the inode we hold
	rm log
	w log b-1 b-2
	kill -CONT "$TTPID"
	check
	# The deleted file is closed once drained (quiet 1 s).
	wait_for '! ls -l /proc/$TTPID/fd 2>/dev/null | grep -q deleted' ||
	    fail "deleted file still open"
}

s11() {
	new_case s11_symlink_swap
	: > a.log
	ln -s a.log cur.log
	start cur.log
	exec 7>>a.log
	w a.log a-1
	: > b.log
	ln -s b.log n && mv -T n cur.log
	echo a-2 >&7; echo a-2 >> expect	# old target still drained
	exec 7>&-
	w b.log b-1 b-2
	check
}

s12() {
	new_case s12_file_to_symlink
	: > log
	start log
	w log a-1
	wait_for 'grep -q a-1 out'
	: > real.log
	ln -s real.log t && mv -T t log
	w real.log b-1
	wait_for 'grep -q b-1 out'
	cp real.log plain
	mv -T plain log		# a copy back as a regular file
	w log c-1
	check
}

run_both s09
run_both s09_empty
run_both s10
run_both s04
run_both s11
run_both s12
