#!/bin/bash
# t_security_modes.sh WATCHFOR — what watchfor creates is private whatever
# the umask: run with umask 000, the state directory and the spool
# directories are 0700, the state file and spool files 0600, and no
# temporary file is left behind. (The private spool made without a state
# directory is tested by t_mail_private.sh; a config or include that
# others may write, refused as root, by t_check.sh.)
. "$(dirname "$0")/../shim/lib.sh"
cat > mailer <<EOS
#!/bin/sh
[ -e '$W/down' ] && exit 75
cat >> '$W/mbox'
EOS
chmod 755 mailer
printf 'watchfor /alert/\n\tmail root,mailer=%s/mailer,subject=A $0\n' "$W" > c
chmod 644 c
touch down
export WATCHFOR_TEST_RETRY_MS=100

mode() { stat -c %a "$1"; }
umask 000
start -c c -t log --state-dir st
umask 022
echo "alert one" >> log
wait_for '[ -n "$(find st/outbox -maxdepth 1 -type f ! -name ".*")" ]' ||
    fail "mail not spooled"
wait_for 'committed st c log' || fail "state not saved"
[ "$(mode st)" = 700 ] || fail "state dir mode $(mode st)"
[ "$(mode st/c.state)" = 600 ] || fail "state file mode $(mode st/c.state)"
[ "$(mode st/outbox)" = 700 ] || fail "spool dir mode $(mode st/outbox)"
[ "$(mode st/outbox/failed)" = 700 ] || fail "failed/ mode $(mode st/outbox/failed)"
for f in $(find st/outbox -maxdepth 1 -type f); do
	[ "$(mode "$f")" = 600 ] || fail "spool file $f mode $(mode "$f")"
done
# everything under the state dir belongs to the daemon's user, no one
# else can read it
[ -z "$(find st -perm /077)" ] || fail "readable by others: $(find st -perm /077)"
rm down
wait_for '[ -f mbox ] && grep -q "alert one" mbox' || fail "mail not delivered"
stop
[ -z "$(find st -name '.*' -type f)" ] || fail "temporary files left: $(find st -name '.*' -type f)"
pass
