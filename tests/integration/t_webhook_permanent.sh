#!/bin/bash
# t_webhook_permanent.sh WATCHFOR — a server answering 400 makes
# watchfor-http exit 69 (EX_UNAVAILABLE). One-pass mode reports it on
# stderr. Follow mode: the outbox takes the helper's 69 as permanent, so
# the message moves to failed/ after one attempt, never retried.
. "$(dirname "$0")/webhook/lib.sh"

serve --status 400
cat > conf <<EOC
watchfor /alert/
#% webhook http://127.0.0.1:$PORT/hook alertmanager
EOC
echo "alert zero" > one
"$BIN" -c conf -f one > out1 2> err1
[ "$(hits)" = 1 ] || fail "one-pass: $(hits) posts"
grep -q "watchfor-http: POST http://127.0.0.1:$PORT/...: HTTP 400" err1 ||
    fail "one-pass: HTTP 400 not reported"
grep -q 'exited with status 69' err1 || fail "one-pass: status 69 not reported"

start --state-dir state
echo "alert one" >> log
wait_for '[ "$(failed_files)" = 1 ] || [ "$(hits)" -ge 3 ]' ||
    fail "the refused webhook did not move to failed/"
[ "$(failed_files)" = 1 ] || fail "exit 69 was retried, not failed at once"
[ "$(hits)" = 2 ] || fail "permanent failure retried: $(hits) posts"
[ "$(spooled)" = 0 ] || fail "still spooled"
grep -q 'refused permanently' err || fail "no 'refused permanently' log line"
stop
pass
