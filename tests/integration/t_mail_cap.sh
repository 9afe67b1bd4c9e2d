#!/bin/bash
# t_mail_cap.sh WATCHFOR — "#% mail-cap 3" in follow mode: of 20 alerts
# written at once, the first 3 are mailed as usual and the other 17 fold
# into exactly one digest mail, spooled when the (test-shortened) window
# ends, to the first folded mail's recipients through its mailer. The
# fold is logged. Then a new window mails again.
export WATCHFOR_TEST_CAP_WINDOW_MS=2000
. "$(dirname "$0")/mail/lib.sh"

mails() { [ -f mbox ] && grep -c '^To: ' mbox || echo 0; }

# the directive's value is checked
printf '#%% mail-cap many\nwatchfor /x/\n\techo\n' > bad
"$BIN" --check -c bad > chk 2>&1 && fail "--check accepted mail-cap many"
grep -q 'bad:1:13: mail-cap: "many" is not a whole number from 0' chk ||
    fail "no message for mail-cap many: $(cat chk)"
printf '#%% mail-cap 0\nwatchfor /x/\n\techo\n' > off
"$BIN" --check -c off > chk 2>&1 || fail "--check refused mail-cap 0"

conf '#% mail-cap 3'
start --state-dir state
for i in $(seq -w 1 20); do echo "alert $i"; done >> log
wait_for '[ "$(mails)" -ge 4 ]' 30 || fail "$(mails) mails, want 3 and a digest"
wait_for 'grep -q "folded into one digest" err' ||
    fail "digest not logged"
sleep 0.5			# pace only: a fifth mail would show now
[ "$(mails)" = 4 ] || fail "$(mails) mails, want 4"
for i in 01 02 03; do
	[ "$(delivered "alert $i")" = 1 ] || fail "alert $i not mailed once"
done
[ "$(grep -c '^Subject: A alert' mbox)" = 3 ] || fail "not 3 normal mails"
[ "$(grep -c '^Subject: watchfor: 17 alerts folded (mail cap 3 per minute)$' mbox)" = 1 ] ||
    fail "no digest saying 17 folded"
[ "$(grep -c '^To: root$' mbox)" = 4 ] || fail "digest recipients differ"
grep -q '^17 mails over the cap of 3' mbox || fail "digest count"
grep -q '^First: ' mbox && grep -q '^Last:  ' mbox || fail "digest times"
for i in 04 13; do
	grep -qx "  alert $i" mbox || fail "alert $i not in the sample"
done
grep -q 'alert 14' mbox && fail "sample not bounded to 10"
grep -q '^  ... and 7 more$' mbox || fail "rest not counted"
grep -q 'mail: over the cap of 3 mails per minute: mail to root folded (1 so far)' err ||
    fail "first fold not logged"
grep -q 'mail: 17 mails over the cap of 3 per minute folded into one digest to root' err ||
    fail "digest count not logged"

# a later window mails as usual again
echo "alert late" >> log
wait_for '[ "$(delivered "alert late")" = 1 ]' || fail "new window not mailed"
stop
[ "$(mails)" = 5 ] || fail "$(mails) mails at the end, want 5"
pass
