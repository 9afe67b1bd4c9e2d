#!/bin/bash
# t_mail_kill.sh WATCHFOR — SIGKILL loses no mail. (1) watchfor is killed
# while the mailer keeps failing; after a restart the message is
# delivered, exactly once. (2) watchfor is killed at arbitrary moments
# while alerts are spooled and delivered; after a final restart every
# alert has arrived. Duplicates are possible there only in the documented
# windows (mailer accepted, file not yet removed; or a line acted on
# before its offset was saved), so they are counted, not failed.
. "$(dirname "$0")/mail/lib.sh"

conf
touch down
start --state-dir state
echo "alert kill" >> log
wait_for '[ "$(runs)" -ge 3 ]' || fail "mailer not retried"
wait_for 'committed log' || fail "offset not saved"
crash
[ "$(spooled)" = 1 ] || fail "spool has $(spooled) files after SIGKILL"
rm down
start --state-dir state
wait_for '[ "$(delivered "alert kill")" -ge 1 ]' || fail "lost after SIGKILL"
wait_for '[ "$(spooled)" = 0 ]' || fail "spool not emptied"
stop
[ "$(delivered "alert kill")" = 1 ] || fail "delivered $(delivered "alert kill") times"
grep -q 'outbox: 1 messages waiting in state/outbox' err ||
    fail "leftover not reported at start"

# (2) kills at arbitrary moments
: > mbox
n=0
for round in 1 2 3 4 5 6; do
	start --state-dir state
	for i in 1 2 3 4 5; do
		n=$((n + 1))
		echo "alert s$n" >> log
		sleep 0.0$((RANDOM % 5))
	done
	sleep 0.$((RANDOM % 4))
	crash
done
start --state-dir state
for ((i = 1; i <= n; i++)); do
	wait_for '[ "$(delivered "alert s$i")" -ge 1 ]' || fail "alert s$i lost"
done
wait_for '[ "$(spooled)" = 0 ]' || fail "spool not emptied"
stop
dups=0
for ((i = 1; i <= n; i++)); do
	c=$(delivered "alert s$i")
	[ "$c" -gt 1 ] && dups=$((dups + c - 1))
done
echo "$n alerts, 6 kills, $dups duplicates"
[ "$(find state/outbox -name '.tmp-*' | wc -l)" = 0 ] || fail "temp files left"
pass
