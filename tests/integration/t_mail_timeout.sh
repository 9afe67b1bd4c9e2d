#!/bin/bash
# t_mail_timeout.sh WATCHFOR — a mailer that hangs is killed at the
# timeout, its whole process group with it, the failure is logged and
# retried, and the loop keeps working meanwhile; once the mailer works
# the message is delivered once.
. "$(dirname "$0")/mail/lib.sh"
export WATCHFOR_TEST_MAIL_TIMEOUT_MS=300

conf
printf 'watchfor /echo/\n\techo\n' >> conf
touch hang
start --state-dir state
echo "alert hang" >> log
wait_for 'grep -q "outbox: mail delivery failing: \".*/mailer\" timed out after 300ms" err' ||
    fail "timeout not logged"
# the loop is not blocked by the hanging mailer
echo "echo while hanging" >> log
wait_for 'grep -qx "echo while hanging" out' || fail "loop blocked"
wait_for '[ "$(runs)" -ge 2 ]' || fail "not retried after the timeout"
rm hang
wait_for '[ "$(delivered "alert hang")" = 1 ]' || fail "not delivered"
wait_for '[ "$(spooled)" = 0 ]' || fail "spool not emptied"
# every hung sleep of the killed groups is gone
wait_for '! pgrep -f "sleep 987.654" > /dev/null' || fail "hung child survived"
stop
[ "$(delivered "alert hang")" = 1 ] || fail "duplicates"
pass
