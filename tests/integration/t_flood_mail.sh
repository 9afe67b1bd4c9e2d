#!/bin/bash
# t_flood_mail.sh WATCHFOR — 1,000,000 matching lines at once with a mail
# action, in follow mode, with the default mail cap (30 per window; the
# window shortened to 5 s for the test) and a fake sendmail that keeps
# every mail. Checked: the number of mails stays within the cap plus one
# digest per window; every alert is accounted for (mailed, or counted in
# a digest: the fold counts in the log and in the digests add up to the
# rest); peak memory (VmHWM) stays under 64 MB (times 3 under ASan).
export WATCHFOR_TEST_CAP_WINDOW_MS=5000
. "$(dirname "$0")/../shim/lib.sh"
N=${FLOOD_LINES:-1000000}
HWM_MAX_KB=$((64 * 1024 * MEMX))
WINDOW_S=5
cat > mailer <<EOS
#!/bin/sh
cat >> '$W/mbox'
echo >> '$W/mbox'
EOS
chmod +x mailer
printf 'watchfor /alert/\n\tmail root,mailer=%s/mailer,subject=A $0\n' "$W" > c
mails() { [ -f mbox ] && grep -c '^To: ' mbox || echo 0; }

start -c c -t log --state-dir st
t0=$SECONDS
# in 20 bursts over about 12 s: several windows
python3 -c '
import sys, time
n = int(sys.argv[1])
step = n // 20
with open("log", "ab") as f:
    for k in range(0, n, step):
        f.write(b"".join(b"host app[1]: alert %d\n" % i
            for i in range(k + 1, min(n, k + step) + 1)))
        f.flush()
        time.sleep(0.6)
' "$N"
# every alert is counted once the digests said so
folded() { grep -o '^watchfor: mail: [0-9]* mails over the cap' err 2>/dev/null |
    awk '{ s += $3 } END { print s + 0 }'; }
direct() { [ -f mbox ] && grep -c '^Subject: A ' mbox || echo 0; }
wait_for '[ $(( $(folded) + $(direct) )) -ge '"$N"' ]' 60 ||
    fail "alerts unaccounted: $(folded) folded + $(direct) mailed < $N"
# the last digest is spooled at its window's end, then delivered
wait_for '[ "$(mails)" = "$(( $(direct) + $(grep -c "folded into one digest" err) ))" ]' 30 ||
    fail "digests not all delivered"
elapsed=$((SECONDS - t0))
hwm=$(hwm)
alive || fail "daemon died"
stop
windows=$((elapsed / WINDOW_S + 2))
max=$((windows * 31))
echo "$N alerts in ${elapsed}s: $(mails) mails ($(direct) direct, $(grep -c 'folded into one digest' err) digests), $(folded) folded; VmHWM ${hwm} kB"
[ "$(mails)" -le "$max" ] || fail "$(mails) mails, more than $max (cap 30 + 1 digest per window)"
[ $(( $(folded) + $(direct) )) = "$N" ] ||
    fail "$(folded) folded + $(direct) mailed != $N"
indig=$(grep -o '^Subject: watchfor: [0-9]* alerts folded' mbox | awk '{ s += $3 } END { print s + 0 }')
[ "$indig" = "$(folded)" ] || fail "digests say $indig folded, the log $(folded)"
[ "$hwm" -le "$HWM_MAX_KB" ] || fail "VmHWM $hwm kB over $HWM_MAX_KB kB"
pass
