#!/bin/bash
# Several names: S25 two files in one directory rotated together, S27 one
# file under two names (read once), S18 inotify queue overflow (rescan).
. "$(dirname "$0")/follow/lib.sh"
TTARGS=(-N)

s25() {
	new_case s25_two_files
	: > syslog; : > mail.log
	start "$T/syslog" "$T/mail.log"
	for r in 1 2 3; do
		for i in 1 2 3; do
			echo "same-$r-$i" >> syslog; echo "same-$r-$i" >> mail.log
			printf '%s\tsame-%s-%s\n' "$T/syslog" $r $i >> exp.s
			printf '%s\tsame-%s-%s\n' "$T/mail.log" $r $i >> exp.m
		done
		[ "$MODE" = poll ] && wait_for "grep -c same-$r-3 out | grep -q 2"
		mv syslog syslog.$r; : > syslog
		mv mail.log mail.log.$r; : > mail.log
	done
	cat exp.s exp.m > expect
	wait_for '[ $(nlines out) -ge $(nlines expect) ]'
	sleep 0.2
	grep "^$T/syslog	" out | cmp -s - exp.s || fail "syslog lines"
	grep "^$T/mail.log	" out | cmp -s - exp.m || fail "mail.log lines"
	[ $(nlines out) = $(nlines expect) ] || fail "extra lines"
}

s27() {
	new_case s27_two_names
	: > log
	ln log hard
	ln -s log link
	start "$T/log" "$T/hard" "$T/link"
	for i in 1 2 3; do
		echo "a-$i" >> log; printf '%s\ta-%s\n' "$T/log" $i >> expect
	done
	check
}

s18() {
	new_case s18_overflow
	: > log
	start "$T/log"
	for i in 1 2; do echo "a-$i" >> log; printf '%s\ta-%s\n' "$T/log" $i >> expect; done
	wait_for 'grep -q a-2 out'
	kill -STOP "$TTPID"
	python3 -c 'import os
for i in range(17000):
    open("junk%d" % i, "w").close()
for i in range(17000):
    os.unlink("junk%d" % i)'
	mv log log.1
	for i in 1 2; do echo "b-$i" >> log; printf '%s\tb-%s\n' "$T/log" $i >> expect; done
	kill -CONT "$TTPID"
	check
	if [ "$MODE" = inotify ]; then
		grep -q 'overflow' err || fail "overflow not seen"
	fi
}

run_both s25
run_both s27
run_both s18
