#!/bin/bash
# t_mail_failing.sh WATCHFOR — failing loudly: past mail-max-age a
# message moves to failed/ with a log line; mail-fallback runs once
# after mail-fallback-after while delivery keeps failing; failures are
# logged at the first and then once per interval; the mail-* directives
# are checked by --check.
. "$(dirname "$0")/mail/lib.sh"
export WATCHFOR_TEST_RETRY_MAX_MS=400

# max age
conf '#% mail-max-age 1s'
touch down
start --state-dir state
echo "alert old" >> log
wait_for '[ "$(find state/outbox/failed -type f 2>/dev/null | wc -l)" = 1 ]' ||
    fail "not moved to failed/"
[ "$(spooled)" = 0 ] || fail "still in the spool"
grep -q "outbox: mail to root not delivered after [0-9]* attempts over .*: moved to state/outbox/failed/" err ||
    fail "move to failed/ not logged"
f=$(find state/outbox/failed -type f)
grep -qx 'error exited with status 75' "$f" || fail "last error not kept"
[ "$(stat -c %a "$f")" = 600 ] || fail "failed file mode"
tail -1 "$f" | grep -qx 'alert old' || fail "message not kept"
stop
rm -rf state

# fallback and the failure report interval
cat > fallback <<EOS
#!/bin/sh
echo "\$WATCHFOR_OUTBOX_WAITING waiting, error: \$WATCHFOR_OUTBOX_ERROR" >> '$W/fallback.out'
EOS
chmod +x fallback
conf '#% mail-fallback-after 1s' "#% mail-fallback $W/fallback"
: > err
WATCHFOR_TEST_LOUD_MS=1500 start --state-dir state
echo "alert fb" >> log
wait_for '[ -s fallback.out ]' || fail "fallback not run"
grep -qx '1 waiting, error: exited with status 75' fallback.out ||
    fail "fallback environment: $(cat fallback.out)"
grep -q 'ran mail-fallback' err || fail "fallback not logged"
r=$(runs)
wait_for '[ "$(runs)" -ge $((r + 3)) ]' || fail "not retried"
[ "$(wc -l < fallback.out)" = 1 ] || fail "fallback ran more than once"
wait_for '[ "$(grep -c "delivery failing" err)" -ge 2 ]' ||
    fail "failure not reported again after the interval"
n=$(grep -c "delivery failing" err)
[ "$n" -lt "$(runs)" ] || fail "every failure reported ($n)"
rm down
wait_for '[ "$(delivered "alert fb")" = 1 ]' || fail "not delivered"
stop

# --check
for bad in 'smtp-port 0' 'mail-transport pigeon' 'mail-max-age soon' \
    'mail-fallback-after 0'; do
	conf "#% $bad"
	"$BIN" --check -c conf > chk.out 2>&1 && fail "--check accepted $bad"
	grep -q '^conf:1:[0-9]*: ' chk.out || fail "--check: $(cat chk.out)"
done
conf '#% mail-transport sendmail' '#% mail-max-age 2d12h' \
    '#% mail-fallback-after 30m' '#% mail-fallback logger -p mail.crit x'
"$BIN" --check -c conf > chk.out 2>&1 || fail "--check refused: $(cat chk.out)"
pass
