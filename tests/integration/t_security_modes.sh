#!/bin/bash
# t_security_modes.sh WATCHFOR — what watchfor creates is private whatever
# the umask: run with umask 000, the state directory and the spool
# directories are 0700, the state file and spool files 0600, and no
# temporary file is left behind. (The private spool made without a state
# directory is tested by t_mail_private.sh; a config or include that
# others may write, refused as root, by t_check.sh.) Existing directories
# that let others in are made 0700 (logged); one owned by another user is
# warned about. A symbolic link at the pid file's name is not followed.
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

# existing directories too open: made private at the start, logged
chmod 755 st
chmod 750 st/outbox
chmod 777 st/outbox/failed
start -c c -t log --state-dir st
[ "$(mode st)" = 700 ] || fail "loose state dir kept mode $(mode st)"
[ "$(mode st/outbox)" = 700 ] || fail "loose spool dir kept mode $(mode st/outbox)"
[ "$(mode st/outbox/failed)" = 700 ] || fail "loose failed/ kept mode $(mode st/outbox/failed)"
for d in "st: mode 0755" "st/outbox: mode 0750" "st/outbox/failed: mode 0777"; do
	grep -q "^watchfor: $d let others in, made 0700" err ||
	    fail "not logged: $d"
done
stop

# another user's directory: warned about once, left alone
if [ "$(id -u)" = 0 ]; then
	chown -R 65534 st
	start -c c -t log --state-dir st
	[ "$(grep -c 'owned by uid 65534, not by this user' err)" = 1 ] ||
	    fail "foreign state dir not warned about once"
	grep -q "^watchfor: st: directory owned by uid 65534, not by this user (uid 0)" err ||
	    fail "foreign state dir message"
	stop
	chown -R 0 st
fi

# pid file: a symbolic link at its name is refused, its target untouched
echo keep > target
ln -s target pidlink
start -c c -t log --pid-file pidlink
grep -q "^watchfor: cannot write pid file named pidlink: it is a symbolic link, not followed" err ||
    fail "symlinked pid file not refused"
[ "$(cat target)" = keep ] || fail "pid file symlink followed"
stop
start -c c -t log --pid-file pidfile
wait_for '[ "$(cat pidfile 2>/dev/null)" = "$PID" ]' || fail "pid file not written"
stop
pass
