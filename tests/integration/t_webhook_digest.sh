#!/bin/bash
# t_webhook_digest.sh WATCHFOR — a pending webhook summary survives
# SIGKILL: with "#% mail-cap 2" and only a webhook (alertmanager mode,
# with a bearer token), 7 alerts post 2 and fold 5; once the read
# position is saved (and with it the held webhook and the folded count,
# state/conf.digests) watchfor is killed; restarted with the same state
# directory, it posts the summary saying 5, once, in the held webhook's
# mode and with its token, and reads no line again. Then a mail and a
# webhook folded in one window, killed and restarted: the digest mail
# and the summary both go out, once.
. "$(dirname "$0")/webhook/lib.sh"
export WATCHFOR_TEST_CAP_WINDOW_MS=4000

# committed FILE: the saved offset of FILE is its size (no re-read).
committed() {
	grep -qE "^f [0-9]+ [0-9]+ [0-9]+ [0-9a-f]+ $(stat -c %s "$1") " \
	    state/conf.state 2>/dev/null
}

echo "tok-42" > token
chmod 600 token
serve
URL=http://127.0.0.1:$PORT/api/v2/alerts
cat > conf <<EOC
#% mail-cap 2
watchfor /alert/
#% webhook $URL alertmanager bearer-file=$W/token
EOC
start --state-dir state
for i in 1 2 3 4 5 6 7; do echo "alert k$i"; done >> log
wait_for '[ "$(hits)" = 2 ]' || fail "first posts not sent"
wait_for 'grep -q "folded, a summary follows when the minute ends (5 folded so far)" err' ||
    fail "not folded"
wait_for 'committed log' || fail "offset not saved"
wait_for 'grep -aq "^hooks 5 " state/conf.digests' ||
    fail "pending summary not saved: $(cat -A state/conf.digests 2>&1 | head)"
grep -aq '^caphook 1 ' state/conf.digests || fail "held webhook not saved"
grep -aq '^capmail' state/conf.digests && fail "a mail held without mails"
crash
[ "$(hits)" = 2 ] || fail "summary posted before the kill"
start --state-dir state
wait_for 'grep -q "a summary of 5 folded webhooks to http://127.0.0.1:$PORT/\.\.\. was pending" err' ||
    fail "pending summary not restored"
wait_for '[ "$(hits)" = 3 ]' 30 || fail "summary lost after SIGKILL"
[ "$(cat srv/path.3)" = /api/v2/alerts ] || fail "posted to $(cat srv/path.3)"
json srv/body.3 '(d[0]["labels"]["alertname"] == "watchfor_digest" and
    d[0]["annotations"]["summary"] == "5 alerts folded (cap 2 per minute)" and
    d[0]["annotations"]["lines"].split("\n") ==
    ["alert k%d" % i for i in range(3, 8)])' || fail "summary body"
grep -qi '^Authorization: Bearer tok-42' srv/headers.3 ||
    fail "summary without the bearer token"
stop
[ "$(hits)" = 3 ] || fail "$(hits) posts, want 3"
grep -aq '^caphook' state/conf.digests && fail "summary still pending after stop"
[ "$(failed_files)" = 0 ] || fail "failed posts"

# a mail and a webhook held at once
cat > mailer <<EOS
#!/bin/sh
cat >> '$W/mbox'
EOS
chmod +x mailer
cat > conf <<EOC
#% mail-cap 2
watchfor /mixed/
	mail root,mailer=$W/mailer,subject=M \$0
#% webhook http://127.0.0.1:$PORT/mix
EOC
start --state-dir state
printf '%s\n' "mixed 1" "mixed 2" >> log
wait_for '[ "$(hits)" = 4 ] && [ "$(grep -c "^Subject: M" mbox 2>/dev/null)" = 1 ]' ||
    fail "mixed: first mail and post not sent"
wait_for 'committed log' || fail "mixed: offset not saved"
wait_for 'grep -aq "^hooks 1 " state/conf.digests' ||
    fail "mixed: pending summary not saved"
grep -aq '^capmail ' state/conf.digests && grep -aq '^caphook 0 ' state/conf.digests &&
    grep -aq '^mailcap 2 ' state/conf.digests || fail "mixed: not all saved"
crash
start --state-dir state
wait_for 'grep -q "a digest of 2 folded mails to root was pending" err' ||
    fail "mixed: digest not restored"
wait_for '[ "$(hits)" = 5 ]' 30 || fail "mixed: summary lost"
[ "$(cat srv/path.5)" = /mix ] || fail "mixed: posted to $(cat srv/path.5)"
json srv/body.5 '(d["count"] == 1 and d["sample"] == ["mixed 2"])' ||
    fail "mixed: summary body"
wait_for 'grep -q "1 of them were webhooks, summarised" mbox' ||
    fail "mixed: digest mail lost"
stop
[ "$(hits)" = 5 ] || fail "mixed: $(hits) posts, want 5"
[ "$(grep -c '^Subject: watchfor: 2 alerts folded' mbox)" = 1 ] ||
    fail "mixed: want one digest mail"
pass
