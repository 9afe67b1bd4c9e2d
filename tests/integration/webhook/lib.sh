# Shared helpers for tests/integration/t_webhook_*.sh: the real watchfor
# and the real watchfor-http (built next to it) against httpd.py on
# 127.0.0.1. Sourced with the path of the binary as $1. Pass conditions
# wait for files with generous deadlines; sleeps only pace the scenario.
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/../wait.sh"
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/../daemon.sh"
set -u
BIN=$(readlink -f "${1:?usage: t_webhook_X.sh path/to/watchfor}")
HELPER=$(dirname "$BIN")/watchfor-http
HTTPD=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../httpd.py
[ -x "$HELPER" ] || { echo "SKIP: no $HELPER (built without libcurl?)"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: no python3"; exit 77; }
W=$(mktemp -d "${TMPDIR:-/tmp}/t_webhook.XXXXXX") || exit 1
PID=
SPID=
FAILED=0
NSTARTS=0
export WATCHFOR_HTTP_HELPER=$HELPER
export WATCHFOR_TEST_RETRY_MS=${WATCHFOR_TEST_RETRY_MS:-100}
export WATCHFOR_TEST_RETRY_MAX_MS=${WATCHFOR_TEST_RETRY_MAX_MS:-400}
unset STATE_DIRECTORY WATCHFOR_TEST_MAIL_TIMEOUT_MS WATCHFOR_TEST_LOUD_MS \
    WATCHFOR_TEST_CAP_WINDOW_MS

cleanup() {
	[ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null
	[ -n "$SPID" ] && kill -TERM "$SPID" 2>/dev/null
	[ "$FAILED" = 0 ] && rm -rf "$W"
}
trap cleanup EXIT
cd "$W" || exit 1
mkdir srv
: > log

fail() {
	echo "FAIL: $*"
	echo "--- stderr (last 30 lines)"; tail -30 err 2>/dev/null
	echo "--- posts"; for f in srv/body.*; do [ -f "$f" ] &&
	    { echo "$f ($(cat "${f/body/status}" 2>/dev/null))"; cat -A "$f"; }; done
	echo "--- spool"; ls -laR state 2>/dev/null | head -40
	echo "(kept in $W)"
	FAILED=1
	exit 1
}

# serve [httpd.py ARGS]: starts the server, sets PORT once it listens.
serve() {
	rm -f srv/port
	python3 "$HTTPD" srv "$@" &
	SPID=$!
	wait_for '[ -s srv/port ]' || fail "httpd.py did not start"
	PORT=$(cat srv/port)
}

unserve() {
	kill -TERM "$SPID"
	wait "$SPID" 2>/dev/null
	SPID=
}

# hits: POSTs the server has answered.
hits() { cat srv/hits 2>/dev/null || echo 0; }

# json FILE EXPR: evaluates the Python expression EXPR on the parsed
# JSON of FILE (bound to d); fails unless it is true.
json() {
	python3 - "$1" "$2" <<'PY' || return 1
import json, sys
with open(sys.argv[1], "rb") as f:
    d = json.loads(f.read().decode("utf-8"))
ok = eval(sys.argv[2])
if not ok:
    print("json check failed: %s on %r" % (sys.argv[2], d))
sys.exit(0 if ok else 1)
PY
}


# spooled: message files waiting in the spool.
spooled() {
	find state/outbox -maxdepth 1 -type f ! -name '.*' 2>/dev/null | wc -l
}

failed_files() {
	find state/outbox/failed -type f 2>/dev/null | wc -l
}

pass() {
	echo "PASS $(basename "$0" .sh)"
	exit 0
}
