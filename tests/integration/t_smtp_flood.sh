#!/bin/bash
# t_smtp_flood.sh WATCHFOR — issue 6's floods over the SMTP transport:
# 1. mail cap off, 1,000 alerts while the server is down: all spooled,
#    then each delivered exactly once when it comes back; the daemon's
#    peak resident memory stays bounded (the spool is on disk).
# 2. the default cap (30 a minute), 1,000 alerts with the server up:
#    every alert accounted for, 30 in their own mail and the other 970
#    counted in one digest mail.
. "$(dirname "$0")/smtp/lib.sh"
N=1000
MAX_HWM_KB=16384
# AddressSanitizer's shadow memory is not the daemon's: no bound there
grep -aq __asan_init "$BIN" && MAX_HWM_KB=1000000000

hwm() { awk '/^VmHWM/ { print $2 }' "/proc/$PID/status"; }
# flood PREFIX: N alert lines written at once
flood() { seq 1 $N | sed "s/^/alert $1-/;s/\$/ x/" >> log; }
# subjects: the Subject: lines of the received mails
subjects() { cat got/*.eml 2>/dev/null | tr -d '\r' | grep '^Subject: '; }

# 1. cap off, server down
conf '#% smtp-starttls off' '#% mail-cap 0'
start --state-dir state
flood down
wait_for '[ "$(spooled)" = $N ]' 60 || fail "$(spooled) of $N spooled"
server
wait_for '[ "$(ls got | grep -c "\.eml$")" -ge $N ]' 240 ||
    fail "$(ls got | grep -c '\.eml$') of $N delivered"
wait_for '[ "$(spooled)" = 0 ]' 30 || fail "spool not emptied"
got=$(subjects | grep -c '^Subject: Alert down-')
uniq=$(subjects | grep '^Subject: Alert down-' | sort -u | wc -l)
[ "$got" = $N ] && [ "$uniq" = $N ] ||
    fail "$got mails, $uniq distinct, want $N each exactly once"
h=$(hwm)
[ "$h" -le $MAX_HWM_KB ] || fail "peak RSS $h kB > $MAX_HWM_KB kB"
echo "cap off: $N alerts spooled while down, $N delivered once; peak RSS $h kB"
stop
server_stop

# 2. the default cap
rm -rf got state
mkdir got
: > out
: > err
NSTARTS=0
conf '#% smtp-starttls off'
server
export WATCHFOR_TEST_CAP_WINDOW_MS=3000
start --state-dir state
flood capped
wait_for 'subjects | grep -q "^Subject: watchfor: [0-9]* alerts folded"' 60 ||
    fail "no digest mail"
wait_for '[ "$(spooled)" = 0 ]' 30 || fail "spool not emptied"
own=$(subjects | grep -c '^Subject: Alert capped-')
digest=$(subjects | sed -n 's/^Subject: watchfor: \([0-9]*\) alerts folded.*/\1/p')
[ "$own" = 30 ] || fail "$own mails of their own, want 30 (the cap)"
[ "$digest" = $((N - 30)) ] || fail "digest counts $digest, want $((N - 30))"
grep -q "mail: $((N - 30)) mails over the cap of 30 per minute folded" err ||
    fail "fold count not logged"
h=$(hwm)
[ "$h" -le $MAX_HWM_KB ] || fail "peak RSS $h kB > $MAX_HWM_KB kB"
echo "cap 30: $own mails + a digest of $digest = $((own + digest)) alerts; peak RSS $h kB"
stop
pass
