# Shared helpers for tests/integration/t_fault_*.sh, t_flood_*.sh and
# t_security_*.sh: the real watchfor in follow mode in a private scratch
# directory, optionally under the fault-injection shim (faultshim.c).
# Sourced with the path of the binary as $1. Waits poll every 50 ms with
# generous deadlines; sleeps only pace a scenario.
set -u
BIN=$(readlink -f "${1:?usage: t_X.sh path/to/watchfor}")
BUILD=$(dirname "$BIN")
SHIM=$BUILD/libfaultshim.so
W=$(mktemp -d "${TMPDIR:-/tmp}/t_harden.XXXXXX") || exit 1
PID=
FAILED=0
NSTARTS=0
PRELOAD=
unset STATE_DIRECTORY WATCHFOR_TEST_MAIL_TIMEOUT_MS WATCHFOR_TEST_LOUD_MS \
    WATCHFOR_TEST_RETRY_MAX_MS WATCHFOR_TEST_RETRY_MS
# the tests write configs; as root watchfor refuses ones others may write
umask 022

cleanup() {
	[ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null
	[ "$FAILED" = 0 ] && rm -rf "$W"
}
trap cleanup EXIT
cd "$W" || exit 1
: > out; : > err; : > log

skip() {
	echo "skip: $*"
	exit 77
}

# asan: true when the binary is built with AddressSanitizer.
asan() {
	nm "$BIN" 2>/dev/null | grep -q __asan_init
}

# Memory bounds are stated for a plain build; under AddressSanitizer its
# quarantine of freed memory is made small and the bounds are multiplied
# by MEMX for its shadow memory and allocator.
MEMX=1
if asan; then
	MEMX=3
	export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=4
fi

# shim_works: the shim can be preloaded into the binary. (It can into
# clang's ASan build, whose runtime is linked in statically; not into
# gcc's, whose libasan.so must come first in the library list.)
shim_works() {
	[ -f "$SHIM" ] && LD_PRELOAD=$SHIM "$BIN" --version > /dev/null 2>&1
}

# need_shim: skips the test when the shim is missing or cannot work.
need_shim() {
	[ -f "$SHIM" ] || skip "no $SHIM"
	shim_works || skip "the fault shim cannot be preloaded into $BIN"
	PRELOAD=$SHIM
}

# wait_for CMD [SECONDS]: true once CMD succeeds (polls every 50 ms).
wait_for() {
	local end=$((SECONDS + ${2:-20}))
	while [ $SECONDS -lt $end ]; do
		eval "$1" && return 0
		sleep 0.05
	done
	eval "$1"
}

fail() {
	echo "FAIL: $*"
	echo "--- stderr (last 30 lines)"; tail -30 err 2>/dev/null
	echo "--- stdout (last 20 lines)"; tail -20 out 2>/dev/null | cat -A
	echo "(kept in $W)"
	FAILED=1
	exit 1
}

# start ARGS...: starts watchfor (under the shim after need_shim, with
# the FAULT_* variables of the environment), waits for its banner.
start() {
	NSTARTS=$((NSTARTS + 1))
	if [ -n "$PRELOAD" ]; then
		LD_PRELOAD=$PRELOAD "$BIN" "$@" >> out 2>> err &
	else
		"$BIN" "$@" >> out 2>> err &
	fi
	PID=$!
	wait_for '[ "$(grep -c "^\*\*\* watchfor version" out)" -ge $NSTARTS ]' ||
	    fail "no banner"
}

stop() {
	kill -TERM "$PID"
	wait "$PID"
	RC=$?
	PID=
}

crash() {
	kill -KILL "$PID"
	wait "$PID" 2>/dev/null
	PID=
}

alive() {
	[ -n "$PID" ] && kill -0 "$PID" 2>/dev/null
}

# count LINE: how often LINE is in out.
count() {
	grep -cxF -- "$1" out
}

# committed STATEDIR NAME FILE: the state saved for FILE has its size as
# offset (nothing left to re-read).
committed() {
	grep -qE "^f [0-9]+ [0-9]+ [0-9]+ [0-9a-f]+ $(stat -c %s "$3") " \
	    "$1/$2.state" 2>/dev/null
}

# fds: the number of open descriptors of the daemon.
fds() {
	ls "/proc/$PID/fd" | wc -l
}

# hwm: the daemon's peak resident memory (VmHWM), in kB.
hwm() {
	awk '/^VmHWM:/ { print $2 }' "/proc/$PID/status"
}

pass() {
	echo "PASS $(basename "$0" .sh)"
	exit 0
}
