#!/bin/bash
# t_fault_hup_storm.sh WATCHFOR — 200 HUPs (each a config reload) while a
# writer floods the followed file with 20,000 marker lines, with a state
# directory: every marker is acted on exactly once, the daemon stays up
# and answers, its descriptor count is the same before and after, and the
# state is saved at the end of the file.
. "$(dirname "$0")/../shim/lib.sh"
N=${HUP_LINES:-20000}
HUPS=${HUP_COUNT:-200}
printf 'watchfor /MARK/\n\techo normal\n' > c

start -c c -t log --state-dir st
before=$(fds)
ls -l "/proc/$PID/fd" > fds.before

python3 - "$W" "$N" <<'EOF' &
import os, sys, time
w, n = sys.argv[1], int(sys.argv[2])
fd = os.open(w + "/log", os.O_WRONLY | os.O_APPEND)
for i in range(1, n + 1):
    os.write(fd, b"MARK %d\n" % i)
    if i % 100 == 0:
        time.sleep(0.005)
EOF
WPID=$!
for ((i = 1; i <= HUPS; i++)); do
	kill -HUP "$PID" || fail "daemon gone after $i HUPs"
	sleep 0.0$((RANDOM % 3))
done
wait $WPID
alive || fail "daemon died in the storm"
wait_for '[ "$(count "MARK $N")" = 1 ]' 60 || fail "MARK $N never came"
# a last HUP after the storm is still answered
nb=$(grep -c '^\*\*\* watchfor version' out)
kill -HUP "$PID"
wait_for '[ "$(grep -c "^\*\*\* watchfor version" out)" -gt "$nb" ]' ||
    fail "HUP not answered after the storm"
echo "MARK last" >> log
wait_for '[ "$(count "MARK last")" = 1 ]' || fail "line after the storm"
wait_for 'committed st c log' || fail "state not saved at the end"
wait_for '[ "$(fds)" = "$before" ]' 10 || {
	ls -l "/proc/$PID/fd" > fds.after
	diff fds.before fds.after
	fail "descriptors: $before before, $(fds) after"
}
stop
[ "$RC" = 0 ] || fail "exit status $RC"
python3 - "$N" <<'EOF' || fail "markers not exactly once"
import sys, collections
n = int(sys.argv[1])
c = collections.Counter(l.split()[1] for l in open("out") if l.startswith("MARK "))
bad = [i for i in range(1, n + 1) if c[str(i)] != 1]
print("%d markers, %d reloads, %d not exactly once %s" % (n,
    sum(1 for l in open("out") if l.startswith("*** watchfor")) - 1,
    len(bad), bad[:5]))
sys.exit(1 if bad else 0)
EOF
pass
