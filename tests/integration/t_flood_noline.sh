#!/bin/bash
# t_flood_noline.sh WATCHFOR — hostile input in follow mode. (1) 100 MB
# without a newline appended to a followed file: the line is cut at the
# maximum line length (16 MiB, TAIL_MAX_LINE_DEFAULT), the rest skipped,
# the cut logged and counted (USR1); peak memory (VmHWM) stays under
# 64 MB; the marker line after the next newline is acted on. (2) 10 MB of
# random bytes (NUL included) and then a marker line: acted on, daemon
# alive. (3) The same junk and a 100 MB line through --examine (one
# pass): its records are cut at 64 MiB (INPUT_MAX_RECORD), so its peak
# memory stays under 96 MB. (Bounds times 3 under AddressSanitizer.)
. "$(dirname "$0")/../shim/lib.sh"
HWM_MAX_KB=$((64 * 1024 * MEMX))
printf 'watchfor /^MARK/\n\techo normal\n' > c

start -c c -t log
base=$(hwm)
python3 -c '
import sys
chunk = b"x" * (1 << 20)
with open("log", "ab") as f:
    for i in range(100):
        f.write(chunk)
'
wait_for 'grep -q "log: line over 16777216 bytes, rest skipped (1 so far)" err' 30 ||
    fail "cut not logged"
printf '\nMARK after the long line\n' >> log
wait_for '[ "$(count "MARK after the long line")" = 1 ]' 30 ||
    fail "marker after 100 MB without a newline not acted on"
h=$(hwm)
echo "100 MB line: VmHWM ${base} kB at start, ${h} kB after"
[ "$h" -le "$HWM_MAX_KB" ] || fail "VmHWM $h kB over $HWM_MAX_KB kB"
kill -USR1 "$PID"
wait_for 'grep -q "^watchfor: files: .* 1 long lines" err' 10 || {
	echo "--- USR1 output"; tail -5 err
	fail "the cut line not counted in the USR1 counters"
}
[ "$(grep -c 'line over' err)" = 1 ] || fail "cut logged more than once"

# (2) binary junk, NUL bytes included, then a marker
head -c 10000000 /dev/urandom > junk
cat junk >> log
printf '\nMARK after junk\n' >> log
wait_for '[ "$(count "MARK after junk")" = 1 ]' 30 ||
    fail "marker after binary junk not acted on"
alive || fail "daemon died"
h=$(hwm)
echo "binary junk: VmHWM ${h} kB"
[ "$h" -le "$HWM_MAX_KB" ] || fail "VmHWM $h kB over $HWM_MAX_KB kB after junk"
stop
[ "$RC" = 0 ] || fail "exit status $RC"

# (3) one pass over junk and a 100 MB line
{ cat junk; printf '\nMARK one pass\n'; } > junk.log
python3 -c '
import sys
with open("junk.log", "ab") as f:
    for i in range(100):
        f.write(b"y" * (1 << 20))
    f.write(b"\nMARK one pass 2\n")
'
python3 - "$BIN" <<'EOF' > examine.out 2> examine.err || fail "--examine: $(tail -3 examine.err)"
import os, sys, resource
pid = os.fork()
if pid == 0:
    fd = os.open("examine.stdout", os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    os.dup2(fd, 1)
    os.execv(sys.argv[1], [sys.argv[1], "-c", "c", "--examine=junk.log"])
_, status, ru = os.wait4(pid, 0)
print("status", os.waitstatus_to_exitcode(status), "maxrss", ru.ru_maxrss)
EOF
read -r _ st _ rss < examine.out
echo "--examine: status $st, max RSS $rss kB"
[ "$st" = 0 ] || fail "--examine exit status $st"
[ "$rss" -le $((96 * 1024 * MEMX)) ] || fail "--examine: max RSS $rss kB over $((96 * MEMX)) MB"
grep -q "67108864" examine.err || fail "--examine: cut not reported"
grep -qx "MARK one pass" examine.stdout || fail "--examine: marker after junk"
grep -qx "MARK one pass 2" examine.stdout || fail "--examine: marker after the long line"
pass
