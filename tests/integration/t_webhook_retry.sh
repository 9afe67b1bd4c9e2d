#!/bin/bash
# t_webhook_retry.sh WATCHFOR — follow mode: a webhook whose server is
# down is spooled and delivered exactly once when it comes up; a server
# answering 503 twice gets the post exactly once after two retries; the
# helper's exit status 75 is logged once as a failing delivery; the
# message survives a restart while the server is down. The URL's path
# (a token, as Slack's) shows nowhere but in the spool file's env line:
# not in the helper's argv, the daemon's stderr, the spool's
# rcpt/cmd/arg lines.
. "$(dirname "$0")/webhook/lib.sh"

SECRET=T0K3N-b1c2d3-s3cr3t
# the helper wrapped: its argv ("$@") is recorded, as ps would show it
cat > wrap.sh <<EOW
#!/bin/sh
printf '%s\\n' "\$0 \$*" >> "$W/argv"
exec "$HELPER" "\$@"
EOW
chmod +x wrap.sh
export WATCHFOR_HTTP_HELPER=$W/wrap.sh

# a free port, closed again: the server is down
serve
port=$PORT
unserve
cat > conf <<EOC
watchfor /alert/
#% webhook http://127.0.0.1:$port/hook/$SECRET
EOC
start --state-dir state
echo "alert one" >> log
wait_for '[ "$(spooled)" = 1 ]' || fail "not spooled"
f=$(find state/outbox -maxdepth 1 -type f ! -name '.*')
grep -qx 'kind webhook' "$f" || fail "spool kind"
grep -qx "env WATCHFOR_HTTP_URL=http://127.0.0.1:$port/hook/$SECRET" "$f" ||
    fail "URL not in the envelope's environment"
wait_for 'grep -qx "attempts [2-9]" "$f"' || fail "not retried"
grep -q "outbox: webhook delivery failing: .*wrap.sh http://127.0.0.1:$port/...\" exited with status 75" err ||
    fail "failure not logged"
grep -q "watchfor-http: POST http://127.0.0.1:$port/...: .*" err ||
    fail "the helper's reason not on stderr"
grep -qx "rcpt http://127.0.0.1:$port/..." "$f" || fail "rcpt line"
[ -s argv ] || fail "the helper never ran"
grep -F "$SECRET" err argv && fail "the URL's token in stderr or argv"
grep -v '^env ' "$f" | grep -F "$SECRET" && fail "the URL's token in the spool envelope"
# a restart while down keeps the message
stop
start --state-dir state
serve --port "$port"
wait_for '[ "$(hits)" = 1 ] && [ "$(spooled)" = 0 ]' || fail "not delivered when up"
json srv/body.1 'd["line"] == "alert one"' || fail "body"
unserve

# 503, 503, then 200: one delivery, three attempts
rm -f srv/*
serve --port "$port" --fail 2
echo "alert two" >> log
wait_for '[ "$(hits)" = 3 ] && [ "$(spooled)" = 0 ]' || fail "503 path"
[ "$(cat srv/status.1 srv/status.2 srv/status.3 | tr '\n' ' ')" = "503 503 200 " ] ||
    fail "statuses"
grep -q "watchfor-http: POST http://127.0.0.1:$port/...: HTTP 503" err ||
    fail "HTTP 503 not reported"
grep -F "$SECRET" err argv && fail "the URL's token in stderr or argv"
[ "$(cat srv/path.3)" = "/hook/$SECRET" ] || fail "posted to $(cat srv/path.3)"
stop
[ "$(hits)" = 3 ] || fail "posted again"
[ "$(failed_files)" = 0 ] || fail "something moved to failed/"
pass
