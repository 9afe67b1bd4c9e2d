# Shared helpers for tests/integration/t_smtp_*.sh: the real watchfor in
# follow mode with the SMTP transport, its helper watchfor-smtp (found
# beside the binary, or $WATCHFOR_SMTP_HELPER) and smtpd.py (aiosmtpd) on
# 127.0.0.1 at a free port. Sourced with the path of the binary as $1.
# Pass conditions wait for files or lines with generous deadlines.
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/../wait.sh"
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/../daemon.sh"
set -u
BIN=$(readlink -f "${1:?usage: t_smtp_X.sh path/to/watchfor}")
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PY=/usr/bin/python3
: "${WATCHFOR_SMTP_HELPER:=$(dirname "$BIN")/watchfor-smtp}"
export WATCHFOR_SMTP_HELPER
[ -x "$WATCHFOR_SMTP_HELPER" ] ||
    { echo "SKIP: no helper $WATCHFOR_SMTP_HELPER"; exit 77; }
"$PY" -c 'import aiosmtpd' 2>/dev/null ||
    { echo "SKIP: python3-aiosmtpd missing"; exit 77; }
command -v openssl >/dev/null || { echo "SKIP: openssl missing"; exit 77; }
W=$(mktemp -d "${TMPDIR:-/tmp}/t_smtp.XXXXXX") || exit 1
PID=
SPID=
FAILED=0
NSTARTS=0
export WATCHFOR_TEST_RETRY_MS=${WATCHFOR_TEST_RETRY_MS:-100}
export WATCHFOR_TEST_RETRY_MAX_MS=${WATCHFOR_TEST_RETRY_MAX_MS:-400}
unset STATE_DIRECTORY WATCHFOR_TEST_MAIL_TIMEOUT_MS WATCHFOR_TEST_LOUD_MS \
    WATCHFOR_SMTP_DEBUG

cleanup() {
	[ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null
	[ -n "$SPID" ] && kill -TERM "$SPID" 2>/dev/null && wait "$SPID"
	[ "$FAILED" = 0 ] && rm -rf "$W"
}
trap cleanup EXIT
cd "$W" || exit 1
mkdir got
: > log
PORT=$("$PY" "$HERE/smtpd.py" --pick-port) || exit 1

fail() {
	echo "FAIL: $*"
	echo "--- stderr (last 30 lines)"; tail -30 err 2>/dev/null
	echo "--- server"; tail -10 srv.err 2>/dev/null
	echo "--- received"; head -40 got/*.eml 2>/dev/null
	echo "--- spool"; ls -laR state 2>/dev/null | head -40
	echo "(kept in $W)"
	FAILED=1
	exit 1
}

# server [smtpd.py OPTIONS]: starts the server on $PORT, waits for it.
server() {
	rm -f got/ready
	"$PY" "$HERE/smtpd.py" --port "$PORT" --dir got "$@" 2>> srv.err &
	SPID=$!
	wait_for '[ -e got/ready ]' || fail "server did not start"
}

server_stop() {
	kill -TERM "$SPID"
	wait "$SPID"
	SPID=
}

# cert: a self-signed certificate for localhost and 127.0.0.1.
cert() {
	openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem \
	    -out cert.pem -days 2 -subj /CN=localhost \
	    -addext 'subjectAltName=DNS:localhost,IP:127.0.0.1' 2>/dev/null ||
	    fail "openssl req"
}

# conf [LINES...]: a config mailing every "alert WORD" line over SMTP.
conf() {
	{
		echo '#% mail-transport smtp'
		echo '#% smtp-host 127.0.0.1'
		echo "#% smtp-port $PORT"
		echo '#% smtp-timeout 10s'
		echo '#% mail-from watchfor@example.org'
		printf '%s\n' "$@"
		printf 'watchfor /alert (\\S+)/\n\tmail ops@example.org,subject=Alert $1\n'
	} > conf
}



# delivered TEXT: how many received messages carry the line TEXT.
delivered() {
	local n=0 f
	for f in got/*.eml; do
		[ -e "$f" ] || continue
		tr -d '\r' < "$f" | grep -q -x -F -- "$1" && n=$((n + 1))
	done
	echo $n
}

# spooled: message files waiting in the spool; failed: in failed/.
spooled() {
	find state/outbox -maxdepth 1 -type f ! -name '.*' 2>/dev/null | wc -l
}
failed() {
	find state/outbox/failed -maxdepth 1 -type f 2>/dev/null | wc -l
}

pass() {
	echo "PASS $(basename "$0" .sh)"
	exit 0
}
