#!/bin/bash
# t_smtp_fail.sh WATCHFOR — a 5xx moves the message to failed/ at once,
# with a log line; and SIGKILL of watchfor while the server is down loses
# nothing: after a restart with the server up it is delivered exactly
# once. One refused recipient among good ones: the good ones get the
# message (exit 0, the refusal on stderr); all refused: 69 when every
# refusal is 5xx, 75 when one is 4xx.
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

# the helper itself, one message to several recipients
server_stop
server --refuse bad@example.org --refuse-temp busy@example.org
helper() {
	printf 'Subject: rcpts\n\nrcpt test %s\n' "$1" |
	    "$WATCHFOR_SMTP_HELPER" --host 127.0.0.1 --port "$PORT" \
	    --starttls off --from w@example.org --timeout 10 -- "${@:2}" \
	    2> helper.err
}
helper one good@example.org bad@example.org
rc=$?
[ "$rc" = 0 ] || fail "one refused of two: exit $rc, want 0: $(cat helper.err)"
grep -q "recipient bad@example.org refused: 550 5.1.1" helper.err ||
    fail "the refused recipient not on stderr: $(cat helper.err)"
[ "$(delivered "rcpt test one")" = 1 ] || fail "the good recipient got nothing"
f=$(grep -l "^rcpt test one" got/*.eml | head -1)
grep -qx 'to good@example.org' "${f%.eml}.env" || fail "good not in the envelope"
grep -q 'bad@example.org' "${f%.eml}.env" && fail "bad in the envelope"
helper two bad@example.org
rc=$?
[ "$rc" = 69 ] || fail "all refused 5xx: exit $rc, want 69: $(cat helper.err)"
helper three bad@example.org busy@example.org
rc=$?
[ "$rc" = 75 ] || fail "all refused, one 4xx: exit $rc, want 75: $(cat helper.err)"
grep -q "busy@example.org refused: 451" helper.err ||
    fail "the 4xx refusal not on stderr: $(cat helper.err)"
[ "$(delivered "rcpt test two")$(delivered "rcpt test three")" = 00 ] ||
    fail "a message with no accepted recipient was delivered"
pass
