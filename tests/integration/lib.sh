# Shared helpers for the tests/integration/t_*.sh scripts that run the
# watchfor binary in follow mode. Sourced after setting nothing: takes the
# binary from $1 (as BIN, absolute), makes ROOT (removed at exit unless a
# case failed) and kills the daemon under test ($PID) at exit.
#
#	. "$(dirname "$0")/lib.sh"
#	new_case NAME; start ARGS...; ...; stop
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/wait.sh"
set -u
BIN=$(readlink -f "${1:?usage: $(basename "$0") path/to/watchfor}")
ROOT=$(mktemp -d)
PID=
FAILED=0
# A script that starts other processes defines cleanup_hook to end them.
cleanup() {
	[ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null
	declare -F cleanup_hook > /dev/null && cleanup_hook
	[ "$FAILED" = 0 ] && rm -rf "$ROOT"
}
trap cleanup EXIT

# fail MESSAGE: shows the case's output and keeps its directory.
fail() {
	echo "FAIL [$CASE]: $*"
	echo "--- stdout"; cat -A "$T/out" | tail -40
	echo "--- stderr"; tail -20 "$T/err"
	echo "(kept in $T)"
	FAILED=1
	exit 1
}

# new_case NAME [FILE...]: fresh directory $T (the cwd) with empty out,
# err and FILEs.
new_case() {
	local f
	CASE=$1
	shift
	T=$ROOT/$CASE
	mkdir -p "$T" && cd "$T" || exit 1
	: > out; : > err
	for f in "$@"; do : > "$f"; done
}

# banners: how many start banners watchfor printed.
banners() { grep -c '^\*\*\* watchfor version' out; }

# start ARGS...: runs watchfor in the background (PID), waits for its
# banner; BANNERS=N waits for the Nth (a restart with the same out).
start() {
	"$BIN" "$@" >> out 2>> err &
	PID=$!
	wait_for "[ \$(banners) -ge ${BANNERS:-1} ]" || fail "no banner"
}

# stop: TERM, then waits; sets RC and SECS (how long the exit took).
stop() {
	local t0=$SECONDS
	kill -TERM "$PID"
	wait "$PID"
	RC=$?
	SECS=$((SECONDS - t0))
	PID=
}

has() { grep -qxF -- "$1" out; }
count() { grep -cxF -- "$1" out; }
