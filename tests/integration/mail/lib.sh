# Shared helpers for tests/integration/t_mail_*.sh: the real watchfor in
# follow mode with a fake mailer. Sourced with the path of the binary as
# $1. Pass conditions wait for files or lines with generous deadlines;
# sleeps only pace the scenario.
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/../wait.sh"
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/../daemon.sh"
set -u
BIN=$(readlink -f "${1:?usage: t_mail_X.sh path/to/watchfor}")
W=$(mktemp -d "${TMPDIR:-/tmp}/t_mail.XXXXXX") || exit 1
PID=
FAILED=0
NSTARTS=0
export WATCHFOR_TEST_RETRY_MS=${WATCHFOR_TEST_RETRY_MS:-100}
unset STATE_DIRECTORY WATCHFOR_TEST_MAIL_TIMEOUT_MS WATCHFOR_TEST_LOUD_MS \
    WATCHFOR_TEST_RETRY_MAX_MS

cleanup() {
	[ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null
	[ "$FAILED" = 0 ] && rm -rf "$W"
}
trap cleanup EXIT
cd "$W" || exit 1

fail() {
	echo "FAIL: $*"
	echo "--- stderr (last 30 lines)"; tail -30 err 2>/dev/null
	echo "--- mbox"; cat -A mbox 2>/dev/null | head -40
	echo "--- spool"; ls -laR state 2>/dev/null | head -40
	echo "(kept in $W)"
	FAILED=1
	exit 1
}

# The fake mailer: counts its runs in ./count; exits 75 while ./down
# exists or for the first $(cat fails) runs; with ./hang it starts a
# marked sleep and waits for it; else appends its stdin to ./mbox.
cat > mailer <<EOS
#!/bin/sh
d='$W'
n=\$(cat "\$d/count" 2>/dev/null || echo 0)
n=\$((n + 1)); echo \$n > "\$d/count"
[ -e "\$d/down" ] && exit 75
[ \$n -le \$(cat "\$d/fails" 2>/dev/null || echo 0) ] && exit 75
if [ -e "\$d/hang" ]; then sleep 987.654 & wait; fi
cat >> "\$d/mbox"
EOS
chmod +x mailer
: > log

# conf [LINES...]: a config mailing every "alert" line through the fake.
conf() {
	{
		printf '%s\n' "$@"
		printf 'watchfor /alert/\n\tmail root,mailer=%s/mailer,subject=A $0\n' "$W"
	} > conf
}



# delivered TEXT: how many delivered mails carry TEXT in their body.
delivered() {
	[ -f mbox ] || { echo 0; return; }
	grep -c -x -F -- "$1" mbox
}

# spooled: message files waiting in the spool.
spooled() {
	find state/outbox -maxdepth 1 -type f ! -name '.*' 2>/dev/null | wc -l
}

# committed FILE: the saved offset of FILE is its size (no re-read).
committed() {
	grep -qE "^f [0-9]+ [0-9]+ [0-9]+ [0-9a-f]+ $(stat -c %s "$1") " \
	    state/conf.state 2>/dev/null
}

runs() { cat count 2>/dev/null || echo 0; }

pass() {
	echo "PASS $(basename "$0" .sh)"
	exit 0
}
