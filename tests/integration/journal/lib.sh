# Shared helpers for tests/integration/t_journal_*.sh: the real watchfor
# following a journal directory whose files are written, without any
# journald, by systemd-journal-remote from an export stream. Sourced with
# the path of the binary as $1. Exits 77 (skip) when systemd-journal-remote
# is missing and cannot be installed, or cannot run here.
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/../wait.sh"
set -u
BIN=$(readlink -f "${1:?usage: t_journal_X.sh path/to/watchfor}")
JR=/lib/systemd/systemd-journal-remote
W=$(mktemp -d "${TMPDIR:-/tmp}/t_journal.XXXXXX") || exit 1
PID=
FAILED=0
export TZ=UTC
unset STATE_DIRECTORY WATCHFOR_LIBSYSTEMD

cleanup() {
	[ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null
	[ "$FAILED" = 0 ] && rm -rf "$W"
}
trap cleanup EXIT
cd "$W" || exit 1

skip() {
	echo "SKIP: $*"
	exit 77
}

if [ ! -x "$JR" ]; then
	[ "$(id -u)" = 0 ] || skip "systemd-journal-remote is not installed"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends systemd-journal-remote >/dev/null 2>&1 ||
	    skip "systemd-journal-remote cannot be installed"
	[ -x "$JR" ] || skip "systemd-journal-remote is not installed"
fi
[ -e /usr/lib/x86_64-linux-gnu/libsystemd.so.0 ] ||
    [ -e /lib/x86_64-linux-gnu/libsystemd.so.0 ] ||
    ldconfig -p 2>/dev/null | grep -q 'libsystemd\.so\.0 ' ||
    skip "libsystemd.so.0 is not installed"

fail() {
	echo "FAIL: $*"
	echo "--- stdout (last 30 lines)"; tail -30 out 2>/dev/null | cat -A
	echo "--- stderr (last 30 lines)"; tail -30 err 2>/dev/null
	echo "(kept in $W)"
	FAILED=1
	exit 1
}

pass() {
	echo PASS
	exit 0
}

# jw FILE [ENTRY...]: appends entries to journal file j/FILE.journal,
# each "IDENT|PID|PRIORITY|UNIT|MESSAGE" (an empty field is left out of
# the entry; MESSAGE takes Python escapes such as \n and \xe9). The
# timestamps are now, one microsecond apart, so entries written later
# sort later; the export stream is binary for MESSAGE, so any byte goes.
jw() {
	local f=$1
	shift
	mkdir -p j
	python3 - "$@" > export.bin <<'EOF' || fail "export stream"
import sys, time, struct
out = sys.stdout.buffer
now = time.time_ns() // 1000
for i, spec in enumerate(sys.argv[1:]):
    ident, pid, prio, unit, msg = spec.split("|", 4)
    t = now + i
    def field(k, v):
        out.write(k.encode() + b"=" + v.encode() + b"\n")
    field("__REALTIME_TIMESTAMP", str(t))
    field("__MONOTONIC_TIMESTAMP", str(t - 1700000000000000))
    field("_BOOT_ID", "0123456789abcdef0123456789abcdef")
    field("_HOSTNAME", "mx1")
    if ident: field("SYSLOG_IDENTIFIER", ident)
    if pid: field("SYSLOG_PID", pid)
    if prio: field("PRIORITY", prio)
    if unit: field("_SYSTEMD_UNIT", unit)
    m = msg.encode("latin-1").decode("unicode_escape").encode("latin-1")
    out.write(b"MESSAGE\n" + struct.pack("<Q", len(m)) + m + b"\n")
    out.write(b"\n")
EOF
	"$JR" -o "j/$f.journal" - < export.bin > jr.log 2>&1 ||
	    { cat jr.log; fail "systemd-journal-remote failed"; }
}

# Can systemd-journal-remote write a journal here at all?
jw probe "probe|1|6||probe" 2>/dev/null
[ -s j/probe.journal ] || skip "systemd-journal-remote cannot run here"
rm -f j/probe.journal

# start [ARGS...]: watchfor -c j.conf in follow mode, output to out/err;
# returns once it is ready (its banner is out).
start() {
	: > out
	: > err
	"$BIN" -c j.conf "$@" > out 2> err &
	PID=$!
	wait_for 'grep -q "^\*\*\* watchfor version" out' 10 ||
	    fail "not started"
}

stop() {
	kill -TERM "$PID"
	wait "$PID"
	PID=
}

# lines: stdout without the banner and blank lines, echo's colour reset
# removed.
lines() {
	grep -av '^\*\*\* watchfor version' out | sed 's/\x1b\[0m//g' |
	    grep -av '^$'
}

# count PATTERN: how many output lines match the (grep -E) PATTERN.
count() {
	lines | grep -acE "$1"
}
