#!/bin/bash
# t_smtp_fail.sh WATCHFOR — a 5xx moves the message to failed/ at once,
# with a log line; and SIGKILL of watchfor while the server is down loses
# nothing: after a restart with the server up it is delivered exactly
# once.
. "$(dirname "$0")/smtp/lib.sh"

conf '#% smtp-starttls off'
server --permfail
start --state-dir state
echo "alert perm1 refused" >> log
wait_for '[ "$(failed)" = 1 ]' || fail "not moved to failed/"
grep -q "watchfor-smtp: 127.0.0.1:$PORT: recipient ops@example.org: 550 5.1.1 no such user here" err ||
    fail "5xx reason not on stderr"
grep -q "outbox: mail to ops@example.org refused permanently (\"smtp 127.0.0.1:$PORT\" exited with status 69): moved to state/outbox/failed/" err ||
    fail "permanent failure not logged"
[ "$(spooled)" = 0 ] || fail "still spooled"
f=$(find state/outbox/failed -type f | head -1)
grep -qx 'permfail 69' "$f" || fail "no permfail line in the envelope"
grep -q 'delivery failing' err && fail "a permanent failure was retried"
server_stop

# SIGKILL while the server is down
echo "alert kill1 during outage" >> log
wait_for 'grep -q "Connection refused" err' || fail "no attempt"
crash
[ "$(spooled)" = 1 ] || fail "spool has $(spooled) files after SIGKILL"
server
start --state-dir state
wait_for '[ "$(delivered "alert kill1 during outage")" -ge 1 ]' || fail "lost after SIGKILL"
wait_for '[ "$(spooled)" = 0 ]' || fail "spool not emptied"
stop
[ "$(delivered "alert kill1 during outage")" = 1 ] ||
    fail "delivered $(delivered "alert kill1 during outage") times"
[ "$(delivered "alert perm1 refused")" = 0 ] || fail "refused one delivered"
pass
