#!/bin/bash
# t_webhook_permanent.sh WATCHFOR — a server answering 400 makes
# watchfor-http exit 69 (EX_UNAVAILABLE). One-pass mode reports it on
# stderr. Follow mode: when the outbox takes 69 as permanent (the SMTP
# helper's change) the message moves to failed/ after one attempt; until
# then 69 is a temporary failure like any other and is retried: both are
# accepted, each checked for what it must do.
. "$(dirname "$0")/webhook/lib.sh"

serve --status 400
cat > conf <<EOC
watchfor /alert/
#% webhook http://127.0.0.1:$PORT/hook alertmanager
EOC
echo "alert zero" > one
"$BIN" -c conf -f one > out1 2> err1
[ "$(hits)" = 1 ] || fail "one-pass: $(hits) posts"
grep -q "watchfor-http: POST http://127.0.0.1:$PORT/hook: HTTP 400" err1 ||
    fail "one-pass: HTTP 400 not reported"
grep -q 'exited with status 69' err1 || fail "one-pass: status 69 not reported"

start --state-dir state
echo "alert one" >> log
wait_for '[ "$(failed_files)" = 1 ] || [ "$(hits)" -ge 3 ]' ||
    fail "neither failed/ nor retried"
if [ "$(failed_files)" = 1 ]; then
	[ "$(hits)" = 2 ] || fail "permanent failure retried"
	[ "$(spooled)" = 0 ] || fail "still spooled"
else
	[ "$(spooled)" = 1 ] || fail "retry path: not spooled"
	grep -q 'outbox: webhook delivery failing: .* exited with status 69' err ||
	    fail "retry path: status 69 not logged"
	echo "NOTE: exit 69 is retried (the outbox has no permanent failure yet)"
fi
stop
pass
