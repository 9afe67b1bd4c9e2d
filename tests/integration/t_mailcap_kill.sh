#!/bin/bash
# t_mailcap_kill.sh WATCHFOR — an open mail cap digest survives SIGKILL:
# with "#% mail-cap 2", 7 alerts mail 2 and fold 5; once the read
# position is saved (and with it the pending digest, state/conf.digests)
# watchfor is killed; restarted with the same state directory, it
# delivers the digest saying 5, once, and reads no line again.
export WATCHFOR_TEST_CAP_WINDOW_MS=4000
. "$(dirname "$0")/mail/lib.sh"

digests() {
	local n
	n=$(grep -c '^Subject: watchfor: .* alerts folded' mbox 2>/dev/null)
	echo "${n:-0}"
}

conf '#% mail-cap 2'
start --state-dir state
for i in 1 2 3 4 5 6 7; do echo "alert k$i"; done >> log
wait_for '[ "$(delivered "alert k2")" = 1 ]' || fail "first mails not sent"
wait_for 'grep -q "folded (1 so far)" err' || fail "not folded"
wait_for 'committed log' || fail "offset not saved"
wait_for 'grep -aq "^mailcap 5 " state/conf.digests' ||
    fail "pending digest not saved: $(cat -A state/conf.digests 2>&1 | head)"
[ "$(stat -c %a state/conf.digests)" = 600 ] || fail "digests file mode"
crash
[ "$(digests)" = 0 ] || fail "digest sent before the kill"
start --state-dir state
wait_for 'grep -q "a digest of 5 folded mails to root was pending" err' ||
    fail "pending digest not restored"
wait_for '[ "$(digests)" = 1 ]' 30 || fail "digest lost after SIGKILL"
grep -q '^Subject: watchfor: 5 alerts folded (mail cap 2 per minute)$' mbox ||
    fail "digest count wrong"
for i in 3 7; do
	grep -qx "  alert k$i" mbox || fail "alert k$i not in the sample"
done
stop
[ "$(digests)" = 1 ] || fail "$(digests) digests, want 1"
for i in 1 2; do
	[ "$(delivered "alert k$i")" = 1 ] || fail "alert k$i mailed $(delivered "alert k$i") times"
done
grep -aq '^mailcap' state/conf.digests && fail "digest still pending after stop"
pass
