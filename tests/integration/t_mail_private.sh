#!/bin/bash
# t_mail_private.sh WATCHFOR — without a state directory mail is spooled
# in a private directory (mode 0700 under $TMPDIR) that is removed when
# empty at stop; messages still waiting at stop are reported with its
# path, since it does not survive a reboot.
. "$(dirname "$0")/mail/lib.sh"
mkdir tmp
export TMPDIR=$W/tmp

conf
touch down
start
echo "alert p1" >> log
wait_for '[ "$(runs)" -ge 1 ]' || fail "mailer not run"
d=$(find tmp -maxdepth 1 -name 'watchfor-outbox.*')
[ -n "$d" ] || fail "no private directory"
[ "$(stat -c %a "$d")" = 700 ] || fail "private dir mode"
grep -q "no state directory: mail is spooled in .*watchfor-outbox.*, which does not survive a reboot" err ||
    fail "private spool not announced"
[ "$(find "$d/outbox" -maxdepth 1 -type f | wc -l)" = 1 ] || fail "not spooled"
rm down
wait_for '[ "$(delivered "alert p1")" = 1 ]' || fail "not delivered"
stop
[ -z "$(ls -A tmp)" ] || fail "private directory left: $(ls -A tmp)"

touch down
start
echo "alert p2" >> log
wait_for '[ "$(runs)" -ge 3 ]' || fail "mailer not run"
stop
grep -q "1 messages not delivered yet are kept in .*watchfor-outbox.*(a private directory: lost at reboot" err ||
    fail "kept messages not reported at stop"
pass
