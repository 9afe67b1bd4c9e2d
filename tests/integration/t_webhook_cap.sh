#!/bin/bash
# t_webhook_cap.sh WATCHFOR — the global cap ("#% mail-cap", issue 4
# item 5) counts webhooks with mails: past it a webhook is folded (not
# posted), counted and logged; when the window ends the count is logged,
# and a digest mail of the same window names the webhooks among its
# folded alerts. The next window posts again.
. "$(dirname "$0")/webhook/lib.sh"
export WATCHFOR_TEST_CAP_WINDOW_MS=1500

cat > mailer <<EOS
#!/bin/sh
cat >> '$W/mbox'
EOS
chmod +x mailer
serve
cat > conf <<EOC
#% mail-cap 2
watchfor /hook/
#% webhook http://127.0.0.1:$PORT/hook
watchfor /both/
	mail root,mailer=$W/mailer,subject=B \$0
#% webhook http://127.0.0.1:$PORT/both
EOC
start --state-dir state
printf 'hook %s\n' 1 2 3 4 5 >> log
wait_for '[ "$(grep -c "webhook: over the cap of 2 alerts per minute: webhook to http://127.0.0.1:$PORT/hook folded" err)" = 3 ]' ||
    fail "folds not logged"
wait_for 'grep -q "cap: 3 webhooks over the cap of 2 per minute were folded (not posted)$" err' ||
    fail "window end not logged"
[ "$(hits)" = 2 ] || fail "$(hits) posts, want 2"
grep -q '"line":"hook 1"' srv/body.1 && grep -q '"line":"hook 2"' srv/body.2 ||
    fail "the first two are not the ones posted"

# next window: a mail and a webhook go out, then both fold; the digest
# mail counts the folded webhook
echo "both 1" >> log
wait_for '[ "$(hits)" = 3 ]' || fail "next window: not posted"
echo "both 2" >> log
wait_for 'grep -q "1 of them were webhooks, not posted." mbox 2>/dev/null' ||
    fail "digest mail does not count the webhook"
grep -q "2 mails over the cap of 2 per window were folded" mbox ||
    fail "digest count"
grep -q "cap: 1 webhooks over the cap of 2 per minute were folded (not posted), counted in the digest mail" err ||
    fail "webhook fold not logged with the digest"
stop
[ "$(hits)" = 3 ] || fail "$(hits) posts, want 3"
pass
