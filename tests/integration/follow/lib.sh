# Shared helpers for tests/integration/t_follow_*.sh. Sourced with the path
# of the watchfor binary as $1: the build directory next to it holds
# libwatchfor_core.a, from which the tailtest driver is built here.
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/../wait.sh"
set -u
BIN=${1:?usage: t_follow_X.sh path/to/watchfor}
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
BUILD=$(cd "$(dirname "$BIN")" && pwd)
ROOT=$(mktemp -d)
TTPID=
FAILED=0
TTARGS=()
TTWRAP=()	# a command line prefix (unshare, setpriv...), exec'ing tailtest

cleanup() {
	[ -n "$TTPID" ] && kill -KILL "$TTPID" 2>/dev/null
	[ "$FAILED" = 0 ] && rm -rf "$ROOT"
}
trap cleanup EXIT

[ -f "$BUILD/libwatchfor_core.a" ] || { echo "no $BUILD/libwatchfor_core.a"; exit 77; }
TT=$ROOT/tailtest
SANFLAGS=
# A library built with WATCHFOR_SANITIZE needs the same at link time.
nm "$BUILD/libwatchfor_core.a" 2>/dev/null | grep -q __asan_ &&
    SANFLAGS="-fsanitize=address,undefined"
cc $SANFLAGS -I"$SRC/include" "$SRC/tests/integration/follow/tailtest.c" \
    "$BUILD/libwatchfor_core.a" $(pkg-config --libs libpcre2-8) -o "$TT" ||
    { echo "cannot build tailtest"; exit 1; }

fail() {
	echo "FAIL [$CASE/$MODE]: $*"
	echo "--- expected"; head -100 "$T/expect" | cut -c -100
	echo "--- got"; cat -A "$T/out" | head -100 | cut -c -100
	echo "--- stderr"; tail -30 "$T/err"
	echo "(kept in $T)"
	FAILED=1
	exit 1
}

# new_case NAME: fresh scratch directory, becomes the cwd.
new_case() {
	CASE=$1
	T=$(mktemp -d "$ROOT/$CASE.$MODE.XXXX")
	cd "$T" || exit 1
	: > expect; : > out; : > err
}

# start FILE...: starts tailtest on the files, waits until it is ready.
start() {
	local extra=()
	[ "$MODE" = poll ] && extra=(-p -P 100)
	[ -n "${FOLLOW_VERBOSE:-}" ] && extra+=(-v)
	rm -f ready
	${TTWRAP[@]+"${TTWRAP[@]}"} "$TT" ${extra[@]+"${extra[@]}"} -q 1000 \
	    -r "$T/ready" ${TTARGS[@]+"${TTARGS[@]}"} "$@" >> out 2>> err &
	TTPID=$!
	wait_for 'test -e ready' || fail "tailtest not ready"
}

stop() {
	kill -TERM "$TTPID" 2>/dev/null
	wait "$TTPID"
	TTPID=
}

# w FILE LINE...: appends each line (one write each) and expects it.
w() {
	local f=$1 l
	shift
	for l in "$@"; do
		printf '%s\n' "$l" >> "$f"
		printf '%s\n' "$l" >> expect
	done
}

# expect_only LINE...: lines expected that the test writes by other means.
expect_only() {
	printf '%s\n' "$@" >> expect
}

# seqw FILE FROM TO TAG: appends lines TAG-FROM..TAG-TO in one write each.
seqw() {
	local i
	for ((i = $2; i <= $3; i++)); do
		echo "$4-$i"
	done > "$T/.seq"
	while IFS= read -r l; do printf '%s\n' "$l" >> "$1"; done < "$T/.seq"
	cat "$T/.seq" >> expect
}

nlines() { wc -l < "$1"; }

# check: waits until out has as many lines as expect, then compares.
check() {
	wait_for '[ $(nlines out) -ge $(nlines expect) ]'
	# Short grace to catch a duplicate that would arrive late.
	sleep 0.2
	cmp -s expect out || fail "output differs"
}

# run_both FN: runs scenario function FN in inotify and polling modes.
run_both() {
	for MODE in inotify poll; do
		"$1"
		[ -n "$TTPID" ] && stop
		echo "ok $CASE $MODE"
	done
}

# fastw FILE FROM TO TAG [PAD]: like seqw, as fast as possible (python,
# one write(2) per line "TAG-i PAD"); ROTATE_AT=K renames FILE to FILE.1
# after line K and goes on in a new FILE (S17's writer).
fastw() {
	python3 - "$@" <<'PY' || fail "writer failed"
import os, sys
path, lo, hi, tag = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
pad = (" " + "x" * int(sys.argv[5])) if len(sys.argv) > 5 else ""
rot = int(os.environ.get("ROTATE_AT", "0"))
flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND
fd = os.open(path, flags, 0o644)
with open("expect", "a") as exp:
    for i in range(lo, hi + 1):
        line = "%s-%d%s\n" % (tag, i, pad)
        os.write(fd, line.encode())
        exp.write(line)
        if i == rot:
            os.close(fd)
            os.rename(path, path + ".1")
            fd = os.open(path, flags, 0o644)
os.close(fd)
PY
}

# check_long SECONDS: check with a longer deadline (big volumes).
check_long() {
	local i
	for ((i = 0; i < $1 * 20; i++)); do
		[ "$(nlines out)" -ge "$(nlines expect)" ] && break
		sleep 0.05
	done
	sleep 0.2
	cmp -s expect out || fail "output differs ($(nlines out) of $(nlines expect) lines)"
}

# no_deleted_fds: true once the follower holds no unlinked file (5 s).
no_deleted_fds() {
	local i
	for i in $(seq 100); do
		ls -l /proc/$TTPID/fd 2>/dev/null | grep -q "(deleted)" || return 0
		sleep 0.05
	done
	return 1
}
