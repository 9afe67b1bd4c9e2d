#!/bin/bash
# t_webhook_json.sh WATCHFOR — the webhook action posts valid JSON with
# the documented fields, in both modes (json, alertmanager), in one-pass
# mode (-f) and in follow mode (through the outbox); a line with quotes,
# backslashes, control characters and invalid UTF-8 stays valid JSON;
# throttle gates webhooks as other actions.
. "$(dirname "$0")/webhook/lib.sh"

serve
cat > conf <<EOC
watchfor /id=(?<id>\\w+) user=(\\S+)/
	echo
#% webhook http://127.0.0.1:$PORT/hook label=user:\$2 annotation=note:"id \$+{id} of \$2"
#% webhook http://127.0.0.1:$PORT/api/v2/alerts alertmanager label=severity:warning label=user:\$2
EOC
printf 'x id=R1 user=bob "q" \\ \001\t\033[1m \377\376 caf\303\251\n' > one
"$BIN" -c conf -f one > out1 2> err1 || fail "one-pass run failed"
[ "$(hits)" = 2 ] || fail "$(hits) posts, want 2"
grep -q "Content-Type: application/json" srv/headers.1 ||
    fail "no JSON content type"
host=$(hostname)
line=$(printf 'x id=R1 user=bob "q" \\ \001\t\033[1m \357\277\275\357\277\275 caf\303\251')
export LINE=$line HOST=$host CONF=conf
json srv/body.1 'd["line"] == __import__("os").environ["LINE"]' ||
    fail "line not carried exactly"
json srv/body.1 'd["message"] == d["line"] and d["host"] == __import__("os").environ["HOST"]' ||
    fail "message or host"
json srv/body.1 'd["rule"] == __import__("os").environ["CONF"] + ":1"' ||
    fail "rule location"
json srv/body.1 'd["pattern"] == "/id=(?<id>\\w+) user=(\\S+)/"' ||
    fail "pattern"
json srv/body.1 'd["captures"] == {"0": "id=R1 user=bob", "1": "R1", "2": "bob", "id": "R1"}' ||
    fail "captures"
json srv/body.1 'd["labels"] == {"user": "bob"} and d["annotations"] == {"note": "id R1 of bob"}' ||
    fail "labels or annotations"
json srv/body.1 '__import__("re").fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", d["time"])' ||
    fail "time not RFC 3339"
json srv/body.2 'isinstance(d, list) and len(d) == 1' || fail "not an alerts array"
json srv/body.2 'd[0]["labels"] == {"alertname": "watchfor", "instance": __import__("os").environ["HOST"], "rule": __import__("os").environ["CONF"] + ":1", "severity": "warning", "user": "bob"}' ||
    fail "alertmanager labels"
json srv/body.2 'd[0]["annotations"]["line"] == __import__("os").environ["LINE"] and d[0]["annotations"]["summary"] == d[0]["annotations"]["line"]' ||
    fail "alertmanager annotations"
json srv/body.2 'set(d[0]) == {"labels", "annotations", "startsAt"}' ||
    fail "alertmanager keys"

# --test describes the post and sends nothing
"$BIN" -c conf --test one > out2 2> err2 || fail "--test failed"
grep -q 'webhook: run ".*watchfor-http" "--timeout" "10"$' out2 ||
    fail "--test does not describe the helper"
grep -q 'env "WATCHFOR_HTTP_URL=http://127.0.0.1:'"$PORT"'/hook"' out2 ||
    fail "--test does not show the URL's variable"
grep -q 'stdin "{\\"rule\\":' out2 || fail "--test does not show the body"
[ "$(hits)" = 2 ] || fail "--test posted"

# follow mode: spooled, delivered once, the spool emptied; a throttled
# rule posts once for three lines.
cat >> conf <<EOC
watchfor /burst/
	throttle 1:00:00,key=burst
#% webhook http://127.0.0.1:$PORT/burst
EOC
start --state-dir state
echo "follow id=F2 user=eve" >> log
for i in 1 2 3; do echo "burst $i" >> log; done
echo "last id=F3 user=end" >> log	# read after the bursts
wait_for 'grep -qs "user=end" srv/body.*' || fail "follow-mode posts missing"
wait_for '[ "$(spooled)" = 0 ]' || fail "spool not emptied"
json srv/body.3 'd["captures"]["2"] == "eve"' || fail "follow-mode body"
stop
[ "$(hits)" = 7 ] || fail "$(hits) posts, want 7 (throttle ignored?)"
[ "$(grep -l '"burst' srv/body.* | wc -l)" = 1 ] || fail "throttle ignored"
grep -q '"line":"burst 1"' srv/body.* || fail "throttled post"

# bearer-file: the token goes in the header, read at delivery
printf 's3cr3t\n' > token
chmod 600 token
cat > conf2 <<EOC
watchfor /id=/
#% webhook http://127.0.0.1:$PORT/auth bearer-file=$W/token timeout=5
EOC
"$BIN" -c conf2 -f one > out3 2> err3 || fail "bearer run failed"
grep -qx 'Authorization: Bearer s3cr3t' srv/headers.8 ||
    fail "no bearer token sent"
grep -q "Authorization" srv/headers.1 && fail "token sent without bearer-file"
pass
