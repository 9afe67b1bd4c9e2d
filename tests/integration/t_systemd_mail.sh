#!/bin/bash
# Mail still reaches Postfix under watchfor@.service's constraints, with
# the default transport (sendmail -oi -t). The unit is emulated without
# systemd: setpriv gives an unprivileged uid, the postdrop group only,
# NoNewPrivileges and no capabilities; a private mount namespace makes /
# read-only but for the two ReadWritePaths= (ProtectSystem=strict). The
# message must be queued in Postfix's maildrop, with Postfix's daemons
# down. Also the premise of the unit: without group postdrop, under
# NoNewPrivileges, sendmail does not deliver (postdrop's setgid bit is
# ignored). When watchfor's mail action is built, watchfor itself mails
# an alert under the same constraints. Queue files made here are removed.
# Needs root and Postfix installed (in CI the test installs it, see
# chain/install-pkgs.sh) but not running; exit 77 otherwise. Not emulated: the system
# call filter (the unit's comments say why sendmail passes it).
set -u
BIN=$(readlink -f "${1:?usage: t_systemd_mail.sh path/to/watchfor}")
MAILDROP=/var/spool/postfix/maildrop
PUBLIC=/var/spool/postfix/public
NOBODY=65534

skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root (setpriv, mount namespace)"
command -v setpriv >/dev/null || skip "no setpriv"
command -v unshare >/dev/null || skip "no unshare"
. "$(dirname "$0")/chain/install-pkgs.sh"
install_pkgs postfix || skip "no Postfix"
[ -x /usr/sbin/postdrop ] && [ -d "$MAILDROP" ] || skip "no Postfix"
PDGID=$(getent group postdrop | cut -d: -f3)
[ -n "$PDGID" ] || skip "no postdrop group"
# a running Postfix would pick the test messages up and deliver them
if [ -s /var/spool/postfix/pid/master.pid ] &&
    kill -0 "$(tr -dc 0-9 < /var/spool/postfix/pid/master.pid)" 2>/dev/null; then
	skip "Postfix is running: the test mails would be delivered"
fi
unshare --mount --propagation private --pid --fork true 2>/dev/null ||
    skip "cannot make a mount namespace here"

ROOT=$(mktemp -d)
chmod 755 "$ROOT"
FAILED=0
BEFORE=$ROOT/before
ls "$MAILDROP" > "$BEFORE"
# removes the queue files this test made (new names, owned by nobody)
cleanup() {
	local f
	for f in $(ls "$MAILDROP" | grep -vxFf "$BEFORE"); do
		[ "$(stat -c %u "$MAILDROP/$f")" = $NOBODY ] &&
		    rm -f "$MAILDROP/$f"
	done
	[ "$FAILED" = 0 ] && rm -rf "$ROOT"
}
trap cleanup EXIT
fail() {
	echo "FAIL [$CASE]: $*"
	for f in "$ROOT"/*.err; do
		[ -s "$f" ] && { echo "--- $f"; tail -5 "$f"; }
	done
	echo "(kept in $ROOT)"
	FAILED=1
	exit 1
}

# unit [--no-postdrop] CMD...: runs CMD as the unit would run it, for at
# most $TMO seconds (default 20).
unit() {
	local groups=$PDGID
	if [ "$1" = --no-postdrop ]; then
		groups=$NOBODY
		shift
	fi
	timeout "${TMO:-20}" unshare --mount --propagation private \
	    --pid --fork --kill-child /bin/sh -c '
		set -e
		# ReadWritePaths= first, then ProtectSystem=strict
		mount --bind "$1" "$1"
		mount --bind "$2" "$2"
		mount -o remount,bind,ro /
		shift 2
		exec "$@"' sh "$MAILDROP" "$PUBLIC" \
	    setpriv --reuid=$NOBODY --regid=$NOBODY --groups="$groups" \
	    --no-new-privs --inh-caps=-all --bounding-set=-all -- "$@"
}
# queued TOKEN: the maildrop file that holds TOKEN, made by us.
queued() {
	local f
	for f in $(ls "$MAILDROP" | grep -vxFf "$BEFORE"); do
		[ "$(stat -c %u "$MAILDROP/$f")" = $NOBODY ] &&
		    grep -aqF -- "$1" "$MAILDROP/$f" && { echo "$f"; return 0; }
	done
	return 1
}

CASE=emulation
# the sandbox is in effect: the rest of the file system is read-only
unit /bin/sh -c 'touch /var/tmp/watchfor-t-$$' 2> "$ROOT/ro.err" &&
    fail "/var/tmp writable: ProtectSystem=strict not emulated"
grep -q 'Read-only file system' "$ROOT/ro.err" ||
    fail "not a read-only file system: $(cat "$ROOT/ro.err")"
unit /bin/sh -c 'grep -q "^NoNewPrivs:[[:space:]]*1" /proc/self/status' ||
    fail "NoNewPrivileges not emulated"

CASE=sendmail
TOKEN="watchfor-mail-test-$$-$RANDOM"
printf 'To: root\nSubject: %s\n\nqueued under the unit constraints\n' \
    "$TOKEN" > "$ROOT/msg"
unit /usr/sbin/sendmail -oi -t < "$ROOT/msg" > "$ROOT/sendmail.out" \
    2> "$ROOT/sendmail.err"
RC=$?
[ "$RC" = 0 ] || fail "sendmail exit status $RC"
f=$(queued "$TOKEN") || fail "message not in $MAILDROP"
echo "sendmail: queued as $MAILDROP/$f"

CASE=no_postdrop
# the premise: NoNewPrivileges without the group, postdrop cannot write
TOKEN2="watchfor-mail-test-nogroup-$$-$RANDOM"
printf 'To: root\nSubject: %s\n\nmust not be queued\n' "$TOKEN2" \
    > "$ROOT/msg2"
TMO=5 unit --no-postdrop /usr/sbin/sendmail -oi -t < "$ROOT/msg2" \
    > /dev/null 2> "$ROOT/nogroup.err"
RC=$?
queued "$TOKEN2" >/dev/null && fail "queued without group postdrop?"
[ "$RC" != 0 ] || fail "sendmail claimed success without postdrop"
grep -q 'Permission denied' "$ROOT/nogroup.err" ||
    fail "no 'Permission denied' from postdrop: $(head -3 "$ROOT/nogroup.err")"
echo "no postdrop group: sendmail status $RC (124: still retrying at 5 s)"

CASE=watchfor
TOKEN3="watchfor-mail-test-alert-$$-$RANDOM"
printf 'watchfor /ALERT (\\S+)/\n\tmail addresses=root,subject=%s $1\n' \
    "$TOKEN3" > "$ROOT/conf"
printf 'x ALERT one\n' > "$ROOT/input"
chmod 644 "$ROOT/conf" "$ROOT/input"
unit "$BIN" --config-file="$ROOT/conf" --examine="$ROOT/input" \
    > "$ROOT/watchfor.out" 2> "$ROOT/watchfor.err"
RC=$?
if grep -q 'action "mail" is not built yet' "$ROOT/watchfor.err"; then
	echo "watchfor: mail action not built yet, not checked"
else
	[ "$RC" = 0 ] || fail "watchfor exit status $RC"
	f=$(queued "$TOKEN3") || fail "watchfor's alert not in $MAILDROP"
	echo "watchfor: alert queued as $MAILDROP/$f"
fi

echo "t_systemd_mail: all checks passed"
exit 0
