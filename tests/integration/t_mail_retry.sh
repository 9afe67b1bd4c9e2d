#!/bin/bash
# t_mail_retry.sh WATCHFOR — follow mode spools every mail before the
# mailer runs, retries a mailer that exits 75 with backoff, and delivers
# the message exactly once; files 0600, directories 0700; the counters in
# the USR1 dump; a failure is logged once, the recovery too.
. "$(dirname "$0")/mail/lib.sh"

conf
echo 2 > fails			# exit 75 twice, then accept
start --state-dir state
echo "alert one" >> log
wait_for '[ "$(delivered "alert one")" = 1 ]' || fail "not delivered"
[ "$(runs)" = 3 ] || fail "mailer ran $(runs) times, want 3"
wait_for '[ "$(spooled)" = 0 ]' || fail "spool file not removed"
grep -q 'outbox: mail delivery failing: ".*/mailer" exited with status 75' err ||
    fail "first failure not logged"
[ "$(grep -c 'delivery failing' err)" = 1 ] ||
    fail "repeated failure logged more than once in the hour"
grep -q 'delivery works again after 2 failed attempts' err ||
    fail "recovery not logged"
want=$(printf 'To: root\nSubject: A alert one\n\nalert one\n')
[ "$(cat mbox)" = "$want" ] || fail "message bytes differ"

# permissions, and the file on disk while the mailer is down
touch down
echo "alert two" >> log
wait_for '[ "$(spooled)" = 1 ]' || fail "not spooled"
f=$(find state/outbox -maxdepth 1 -type f ! -name '.*')
[ "$(stat -c %a "$f")" = 600 ] || fail "spool file mode $(stat -c %a "$f")"
for d in state/outbox state/outbox/failed; do
	[ "$(stat -c %a "$d")" = 700 ] || fail "$d mode $(stat -c %a "$d")"
done
head -1 "$f" | grep -qx 'watchfor-spool 1' || fail "spool file format"
grep -qx 'rcpt root' "$f" || fail "no recipients in the envelope"
grep -qx "arg $W/mailer" "$f" || fail "no command in the envelope"
tail -1 "$f" | grep -qx 'alert two' || fail "no message in the spool file"
wait_for 'grep -qx "attempts [1-9]" "$f"' || fail "attempts not recorded"
rm down
wait_for '[ "$(delivered "alert two")" = 1 ]' || fail "alert two lost"
wait_for '[ "$(spooled)" = 0 ]' || fail "spool not emptied"

kill -USR1 "$PID"
wait_for 'grep -q "outbox .*: 0 waiting (oldest 0ms), 2 spooled, 2 sent, [3-9][0-9]* retried, 0 failed" err' ||
    fail "counters not logged on USR1"
stop
[ "$(delivered "alert one")" = 1 ] && [ "$(delivered "alert two")" = 1 ] ||
    fail "duplicates"
pass
