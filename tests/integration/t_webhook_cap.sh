#!/bin/bash
# t_webhook_cap.sh WATCHFOR — the global cap ("#% mail-cap", issue 4
# item 5) counts webhooks with mails: past it a webhook is folded (not
# posted), counted and logged; when the window ends ONE summary of every
# webhook folded in it, whatever their URLs, is posted to the first
# folded one's URL in its mode (json, alertmanager) with its options.
# A digest mail of the same window names the webhooks among its folded
# alerts. The next window posts again.
. "$(dirname "$0")/webhook/lib.sh"
export WATCHFOR_TEST_CAP_WINDOW_MS=1500

cat > mailer <<EOS
#!/bin/sh
cat >> '$W/mbox'
EOS
chmod +x mailer
echo "s3cret-token" > token
chmod 600 token
serve
U=http://127.0.0.1
cat > conf <<EOC
#% mail-cap 2
watchfor /hook/
#% webhook $U:\$PORT/hook
watchfor /other/
#% webhook $U:$PORT/other alertmanager bearer-file=$W/token timeout=7
watchfor /both/
	mail root,mailer=$W/mailer,subject=B \$0
#% webhook $U:$PORT/both
EOC
sed -i "s/\\\$PORT/$PORT/" conf
start --state-dir state

# webhook only: 2 posted, 4 folded (one to another URL), one summary
printf '%s\n' "hook 1" "hook 2" "hook 3" "hook 4" "hook 5" "other 1" >> log
# (messages show no URL path: it may hold a token)
wait_for '[ "$(grep -c "webhook: over the cap of 2 alerts per minute: webhook to $U:$PORT/\.\.\. folded, a summary follows" err)" = 4 ]' ||
    fail "folds not logged"
wait_for 'grep -q "webhook: 4 webhooks over the cap of 2 per minute folded into one summary posted to $U:$PORT/\.\.\.$" err' ||
    fail "window end not logged"
wait_for '[ "$(hits)" = 3 ]' || fail "$(hits) posts, want 3 (2 + summary)"
grep -q '"line":"hook 1"' srv/body.1 && grep -q '"line":"hook 2"' srv/body.2 ||
    fail "the first two are not the ones posted"
[ "$(cat srv/path.3)" = /hook ] || fail "summary posted to $(cat srv/path.3)"
json srv/body.3 '(d["digest"] is True and d["count"] == 4 and d["cap"] == 2 and
    d["sample"] == ["hook 3", "hook 4", "hook 5", "other 1"] and
    d["first"] <= d["last"] and d["first"].endswith("Z") and d["host"])' ||
    fail "summary body"
[ ! -s mbox ] || fail "a mail was sent"

# next window: a mail and a webhook go out, then both fold: the digest
# mail counts the folded webhook, the summary goes to /both
printf '%s\n' "both 1" "both 2" >> log
wait_for 'grep -q "1 of them were webhooks, summarised in one post" mbox 2>/dev/null' ||
    fail "digest mail does not count the webhook"
grep -q "2 mails over the cap of 2 per window were folded" mbox ||
    fail "digest count"
wait_for '[ "$(hits)" = 5 ]' || fail "$(hits) posts, want 5"
[ "$(cat srv/path.5)" = /both ] || fail "summary 2 posted to $(cat srv/path.5)"
json srv/body.5 'd["count"] == 1 and d["sample"] == ["both 2"]' ||
    fail "summary 2 body"
[ "$(grep -c '^Subject: ' mbox)" = 2 ] || fail "want 2 mails (one digest)"

# alertmanager mode, with the folded webhook's bearer token
printf '%s\n' "other 2" "other 3" "other 4" >> log
wait_for '[ "$(hits)" = 8 ]' || fail "$(hits) posts, want 8"
[ "$(cat srv/path.8)" = /other ] || fail "summary 3 posted to $(cat srv/path.8)"
json srv/body.8 '(len(d) == 1 and
    d[0]["labels"]["alertname"] == "watchfor_digest" and
    set(d[0]["labels"]) == {"alertname", "instance"} and
    d[0]["annotations"]["summary"] == "1 alerts folded (cap 2 per minute)" and
    d[0]["annotations"]["lines"] == "other 4" and "startsAt" in d[0])' ||
    fail "alertmanager summary"
grep -qi '^Authorization: Bearer s3cret-token' srv/headers.8 ||
    fail "summary without the bearer token"
stop
[ "$(hits)" = 8 ] || fail "$(hits) posts, want 8"
[ "$(failed_files)" = 0 ] || fail "failed posts"
pass
