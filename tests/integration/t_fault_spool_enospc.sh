#!/bin/bash
# t_fault_spool_enospc.sh WATCHFOR — the mail spool is full (ENOSPC on
# writes and renames under STATE/outbox, injected by tests/shim while
# ./full exists). A mail that cannot be spooled is not lost: the failure
# is logged and the mail goes straight to the mailer (outbox_add fails,
# action_mail delivers it itself), once. The failure is logged once per
# run of failures, saying the mail goes to the mailer directly, and the
# recovery once. When space is back, mail is spooled again; no temporary
# spool file is left behind.
. "$(dirname "$0")/../shim/lib.sh"
need_shim
export FAULT_ENOSPC_PATH=$W/st/outbox FAULT_ENOSPC_CTL=$W/full \
    FAULT_LOG=$W/flog WATCHFOR_TEST_RETRY_MS=100
cat > mailer <<EOS
#!/bin/sh
cat >> '$W/mbox'
EOS
chmod +x mailer
printf 'watchfor /alert/\n\tmail root,mailer=%s/mailer,subject=A $0\n' "$W" > c
delivered() { grep -c -x -F -- "$1" mbox 2>/dev/null || echo 0; }

start -c c -t log --state-dir st
echo "alert one" >> log
wait_for '[ "$(delivered "alert one")" = 1 ]' || fail "first mail"
wait_for '[ -z "$(ls st/outbox)" ] || [ "$(ls st/outbox)" = failed ]' ||
    fail "spool not emptied"

touch full
echo "alert two" >> log
wait_for '[ "$(delivered "alert two")" = 1 ]' || fail "mail lost while the spool is full"
grep -q "No space left on device" flog || fail "no fault injected"
grep -q "^watchfor: outbox: cannot spool (.*st/outbox/.*: No space left on device): mails go to the mailer directly until it can$" err ||
    fail "spool failure not logged"
echo "alert three" >> log
wait_for '[ "$(delivered "alert three")" = 1 ]' || fail "second mail lost while full"
[ "$(grep -c 'No space left on device' err)" = 1 ] ||
    fail "spool failure logged $(grep -c 'No space left on device' err) times (want once per run)"

rm full
n=$(grep -c . flog)
echo "alert four" >> log
wait_for '[ "$(delivered "alert four")" = 1 ]' || fail "mail after recovery"
[ "$(grep -c . flog)" = "$n" ] || fail "fault injected after the control file was removed"
grep -q "^watchfor: outbox: spooling again; 2 mails went to the mailer directly meanwhile$" err ||
    fail "recovery not logged"
stop
for m in one two three four; do
	[ "$(delivered "alert $m")" = 1 ] || fail "alert $m delivered $(delivered "alert $m") times"
done
[ -z "$(find st/outbox -name '.tmp-*')" ] || fail "temporary spool file left"
[ -z "$(find st/outbox -type f)" ] || fail "spool not empty at the end"
pass
