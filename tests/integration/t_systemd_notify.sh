#!/bin/bash
# The watchfor binary in follow mode talks to a service manager through
# $NOTIFY_SOCKET: a small python3 listener plays systemd (a path socket
# and an abstract one) and records every datagram with its sender's pid.
# Checked: READY=1 only once every watch is in place (the banner is out
# and lines the listener writes the moment READY arrives are seen, in a
# file that does not exist yet too), RELOADING=1 then READY=1 around a HUP
# (also when the new config is bad), STOPPING=1 at TERM, STATUS=, the
# watchdog pings with WATCHDOG_USEC (and none when WATCHDOG_PID names
# another process), and children not inheriting the variables.
# Never touches the machine's systemd. Waits on events, not fixed sleeps,
# except to count watchdog pings over a measured interval.
. "$(dirname "$0")/wait.sh"
set -u
BIN=$(readlink -f "${1:?usage: t_systemd_notify.sh path/to/watchfor}")
command -v python3 >/dev/null || { echo "SKIP: no python3"; exit 77; }
ROOT=$(mktemp -d)
PID=
LPID=
FAILED=0
cleanup() {
	[ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null
	[ -n "$LPID" ] && kill -KILL "$LPID" 2>/dev/null
	[ "$FAILED" = 0 ] && rm -rf "$ROOT"
}
trap cleanup EXIT

cat > "$ROOT/listen.py" <<'EOF'
# listen.py ADDR MSGS OUT [--stdout FIFO] PROBE...: a stand-in for
# systemd's notify socket. Writes one line per datagram to MSGS:
# "PID BANNERS TEXT", TEXT with its newlines shown as '|', PID the
# sender's (SCM_CREDENTIALS), BANNERS the number of banners in OUT when a
# READY=1 came ('-' otherwise). On each READY=1 it appends "x ERROR probeN"
# to every PROBE file at once.
# With --stdout, watchfor's standard output is FIFO, which the listener
# fills to the brim and keeps full for a second, then copies to OUT: the
# banner's write blocks, so a READY=1 sent before the banner is caught
# for certain, not by luck of timing. Before each datagram is logged, what
# is in the FIFO is copied, so that anything written before the datagram
# was sent is in OUT.
import os, select, socket, struct, sys, time

args = sys.argv[1:]
addr, msgs, out, rest = args[0], args[1], args[2], args[3:]
fifo = None
if rest[:1] == ["--stdout"]:
    fifo, rest = rest[1], rest[2:]
probes = rest
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
s.bind("\0" + addr[1:] if addr.startswith("@") else addr)
rfd = None
skip = 0
gate_until = 0.0
if fifo:
    rfd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    wfd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)  # kept: never EOF
    for chunk in (4096, 1):
        while True:
            try:
                skip += os.write(wfd, b"\0" * chunk)
            except BlockingIOError:
                break
    gate_until = time.monotonic() + 1.0
open(msgs + ".bound", "w").close()


def drain():
    global skip
    if rfd is None or time.monotonic() < gate_until:
        return
    with open(out, "ab") as o:
        while True:
            try:
                data = os.read(rfd, 65536)
            except BlockingIOError:
                return
            cut = min(skip, len(data))
            skip -= cut
            o.write(data[cut:])


ready = 0
with open(msgs, "a") as f:
    while True:
        fds, timeout = [s], None
        if rfd is not None:
            left = gate_until - time.monotonic()
            if left > 0:
                timeout = left
            else:
                fds.append(rfd)
        r, _, _ = select.select(fds, [], [], timeout)
        drain()
        if s not in r:
            continue
        data, anc, _, _ = s.recvmsg(4096, socket.CMSG_SPACE(12))
        pid = "?"
        for level, kind, payload in anc:
            if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
                pid = str(struct.unpack("iII", payload[:12])[0])
        text = data.decode("utf-8", "replace")
        banners = "-"
        if "READY=1" in text.split("\n"):
            ready += 1
            with open(out, errors="replace") as o:
                banners = str(o.read().count("*** watchfor version"))
            for p in probes:
                with open(p, "a") as w:
                    w.write("x ERROR probe%d\n" % ready)
        f.write("%s %s %s\n" % (pid, banners, text.replace("\n", "|")))
        f.flush()
EOF

fail() {
	echo "FAIL [$CASE]: $*"
	echo "--- datagrams"; tail -40 "$T/msgs"
	echo "--- stdout"; cat -A "$T/out" | tail -40
	echo "--- stderr"; tail -20 "$T/err"
	echo "(kept in $T)"
	FAILED=1
	exit 1
}
new_case() {
	CASE=$1
	T=$ROOT/$CASE
	mkdir -p "$T" && cd "$T" || exit 1
	: > out; : > err; : > msgs
	kill_listener
}
kill_listener() {
	if [ -n "$LPID" ]; then
		kill -KILL "$LPID" 2>/dev/null
		wait "$LPID" 2>/dev/null
		LPID=
	fi
}
# listen ADDR PROBE...: starts the listener, waits until it is bound.
listen() {
	python3 "$ROOT/listen.py" "$1" "$T/msgs" "$T/out" "${@:2}" \
	    2> "$T/listen.err" &
	LPID=$!
	wait_for "[ -e '$T/msgs.bound' ]" || fail "listener did not start"
}
# start ENV... -- ARGS...: runs watchfor in the background with ENV;
# standard output to $STDOUT (default: appended to out).
start() {
	local envs=()
	while [ "$1" != "--" ]; do envs+=("$1"); shift; done
	shift
	env "${envs[@]}" "$BIN" "$@" >> "${STDOUT:-out}" 2>> err &
	PID=$!
}
stop() {
	kill -TERM "$PID"
	wait "$PID"
	RC=$?
	PID=
}
has() { grep -qxF -- "$1" out; }
# n_msgs RE: how many datagrams have a line (VAR=value) matching RE.
n_msgs() { cut -d' ' -f3- msgs | tr '|' '\n' | grep -cE -- "$1"; }
# seq_msgs: the datagrams' first lines, one per line (the order they came).
seq_msgs() { cut -d' ' -f3- msgs | cut -d'|' -f1; }

new_case ready_reload_stop
printf 'watchfor /ERROR (\\w+)/\n\techo normal,message=got $1\n' > c
printf 'old ERROR zero\n' > log1
: > log2
mkfifo stdout.fifo
listen "$T/notify" --stdout "$T/stdout.fifo" "$T/log1" "$T/log2" "$T/log3"
STDOUT=stdout.fifo start NOTIFY_SOCKET="$T/notify" -- \
    -c c -t log1 -t log2 -t log3
wait_for '[ "$(n_msgs "^READY=1$")" = 1 ]' || fail "no READY=1"
# READY came after the banner, and every watch was in place: lines
# written the moment it arrived are seen, in the missing file too.
read -r sender banners first < msgs
[ "$sender" = "$PID" ] || fail "READY=1 sent by pid $sender, not $PID"
[ "$banners" = 1 ] || fail "READY=1 before the banner ($banners banners)"
case "$first" in
READY=1\|STATUS=*) ;;
*) fail "first datagram is not READY=1 with STATUS: $first" ;;
esac
echo "$first" | grep -qE '\|STATUS=[0-9]+ files open, [0-9]+ lines, [0-9]+ matches$' ||
    fail "STATUS= is not the summary: $first"
wait_for '[ "$(grep -c "^got probe1$" out)" = 3 ]' ||
    fail "a line written at READY=1 was missed"
has "got zero" && fail "old line replayed"
# a good reload: RELOADING=1, then READY=1; the new rules run
printf 'watchfor /ERROR (\\w+)/\n\techo normal,message=new $1\n' > c
kill -HUP "$PID"
wait_for '[ "$(n_msgs "^READY=1$")" = 2 ]' || fail "no READY=1 after HUP"
[ "$(seq_msgs | tr '\n' ' ')" = "READY=1 RELOADING=1 READY=1 " ] ||
    fail "HUP: not RELOADING=1 then READY=1: $(seq_msgs | tr '\n' ' ')"
grep -E '^[0-9]+ - RELOADING=1\|MONOTONIC_USEC=[0-9]+$' msgs >/dev/null ||
    fail "RELOADING=1 without MONOTONIC_USEC"
wait_for '[ "$(grep -c "^new probe2$" out)" = 3 ]' ||
    fail "new rules not running after READY=1"
# the counters are since the (re)load: 3 lines, 3 matches
kill -USR1 "$PID"
wait_for '[ "$(n_msgs "^STATUS=")" -ge 3 ]' || fail "no STATUS= at USR1"
tail -1 msgs | grep -qE '\|?STATUS=[0-9]+ files open, 3 lines, 3 matches$' ||
    fail "USR1: STATUS= not updated: $(tail -1 msgs)"
# a bad reload: RELOADING=1, READY=1 all the same, the status says so
printf 'watchfor /ERROR (/\n\techo\n' > c
kill -HUP "$PID"
wait_for '[ "$(n_msgs "^READY=1$")" = 3 ]' ||
    fail "no READY=1 after a failed reload"
seq_msgs | tail -2 | tr '\n' ' ' | grep -qx 'RELOADING=1 READY=1 ' ||
    fail "failed reload: not RELOADING=1 then READY=1"
tail -1 msgs | grep -qF '|STATUS=config reload failed, the previous one runs; ' ||
    fail "failed reload not in STATUS="
wait_for '[ "$(grep -c "^new probe3$" out)" = 3 ]' ||
    fail "old rules not kept after a failed reload"
stop
[ "$RC" = 0 ] || fail "exit status $RC after TERM"
wait_for '[ "$(n_msgs "^STOPPING=1$")" = 1 ]' || fail "no STOPPING=1"
[ "$(seq_msgs | tail -1)" = STOPPING=1 ] || fail "STOPPING=1 not last"
[ "$(n_msgs "^WATCHDOG=1$")" = 0 ] || fail "pings without WATCHDOG_USEC"
[ "$(cut -d' ' -f1 msgs | sort -u | wc -l)" = 1 ] ||
    fail "datagrams from more than one process"

new_case watchdog
printf 'watchfor /ERROR/\n\techo\n' > c
: > log
listen "$T/notify"
# WATCHDOG_PID set to the pid watchfor will have (exec keeps it)
env NOTIFY_SOCKET="$T/notify" WATCHDOG_USEC=200000 \
    sh -c 'WATCHDOG_PID=$$ exec "$0" "$@"' "$BIN" -c c -t log >> out 2>> err &
PID=$!
wait_for '[ "$(n_msgs "^READY=1$")" = 1 ]' || fail "no READY=1"
before=$(n_msgs '^WATCHDOG=1$')
t0=$(date +%s%N)
sleep 2
n=$(( $(n_msgs '^WATCHDOG=1$') - before ))
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
# every 100 ms: about 20; a loaded machine may delay some
[ "$n" -ge 5 ] || fail "$n WATCHDOG=1 pings in $ms ms (want >= 5)"
[ "$n" -le $(( ms / 100 + 2 )) ] || fail "$n pings in $ms ms: too many"
grep '|WATCHDOG=1' msgs && fail "WATCHDOG=1 not first in its datagram"
cut -d' ' -f3- msgs | grep '^WATCHDOG=1' | grep -qvE \
    '^WATCHDOG=1\|STATUS=[0-9]+ files open, [0-9]+ lines, [0-9]+ matches$' &&
    fail "a ping without the status"
stop
[ "$RC" = 0 ] || fail "exit status $RC after TERM"
echo "watchdog: $n pings in $ms ms"

new_case watchdog_other_pid
printf 'watchfor /ERROR/\n\techo\n' > c
: > log
listen "$T/notify"
start NOTIFY_SOCKET="$T/notify" WATCHDOG_USEC=200000 WATCHDOG_PID=1 -- \
    -c c -t log
wait_for '[ "$(n_msgs "^READY=1$")" = 1 ]' || fail "no READY=1"
sleep 1
[ "$(n_msgs '^WATCHDOG=1$')" = 0 ] || fail "pinged for another process"
stop

new_case abstract_socket_env
# the children get neither the socket nor the watchdog
printf 'watchfor /ERROR/\n\texec /usr/bin/env\n' > c
: > log
ADDR="@watchfor-test/$$/$RANDOM"
listen "$ADDR" "$T/log"
start NOTIFY_SOCKET="$ADDR" WATCHDOG_USEC=60000000 MARKER=inherited -- \
    -c c -t log
wait_for '[ "$(n_msgs "^READY=1$")" = 1 ]' || fail "no READY=1 on $ADDR"
if grep -q 'action "exec" is not built yet' err; then
	echo "abstract_socket_env: exec not built yet, children not checked"
else
	wait_for 'has MARKER=inherited' || fail "exec action did not run"
	grep -E '^(NOTIFY_SOCKET|WATCHDOG_USEC|WATCHDOG_PID)=' out &&
	    fail "a child inherited the notify variables"
fi
stop
[ "$RC" = 0 ] || fail "exit status $RC after TERM"
wait_for '[ "$(n_msgs "^STOPPING=1$")" = 1 ]' || fail "no STOPPING=1"

new_case no_socket
# without NOTIFY_SOCKET nothing changes; an unusable one is not fatal
printf 'watchfor /ERROR (\\w+)/\n\techo normal,message=got $1\n' > c
: > log
start NOTIFY_SOCKET="$T/nobody-listens" WATCHDOG_USEC=200000 -- -c c -t log
wait_for 'grep -q "^\*\*\* watchfor version" out' || fail "no banner"
printf 'x ERROR one\n' >> log
wait_for 'has "got one"' || fail "line not seen with a dead socket"
stop
[ "$RC" = 0 ] || fail "exit status $RC after TERM"
[ "$(grep -c 'notify socket' err)" = 1 ] ||
    fail "a dead socket should be reported once: $(cat err)"

echo "t_systemd_notify: all cases passed"
exit 0
