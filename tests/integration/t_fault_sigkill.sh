#!/bin/bash
# t_fault_sigkill.sh WATCHFOR — SIGKILL at random points while a writer
# appends a steady stream of marker lines (one every ~2 ms), ten times,
# with a state directory; watchfor is restarted at once each time while
# the writer goes on. Checked, against man/watchfor.8 ("after a crash
# the lines of the last second before it may be acted on again: never
# lost, at most one commit batch repeated"):
#  - every marker is acted on at least once;
#  - no marker is acted on twice within one run;
#  - a marker acted on again after a kill lies after the offset the
#    state file held at the kill (nothing before it is repeated);
#  - when the killed run lived 2.5 s or more (so it committed), every
#    marker repeated after its kill was written at most 2 s (the 1 s
#    commit interval plus slack) before the kill. (A run killed before
#    its first commit repeats what the one before it left uncommitted.)
# KILL_SEED=N reproduces a run's kill times.
. "$(dirname "$0")/../shim/lib.sh"
RANDOM=${KILL_SEED:-$$}
echo "seed $RANDOM"
printf 'watchfor /MARK/\n\techo normal\n' > c
ROUNDS=${KILL_ROUNDS:-10}

python3 - "$W" <<'EOF' &
import os, sys, time
w = sys.argv[1]
fd = os.open(w + "/log", os.O_WRONLY | os.O_APPEND)
while not os.path.exists(w + "/go"):	# the first start begins at the end
    time.sleep(0.01)
with open(w + "/writes", "w") as rec:
    n = 0
    while not os.path.exists(w + "/stopw"):
        n += 1
        os.write(fd, b"MARK %d\n" % n)
        rec.write("%d %.6f\n" % (n, time.time()))
        if n % 50 == 0:
            rec.flush()
        time.sleep(0.002)
    rec.write("end %d\n" % n)
EOF
WPID=$!
trap 'touch "$W/stopw"; wait $WPID 2>/dev/null; cleanup' EXIT

: > kills
for ((r = 1; r <= ROUNDS; r++)); do
	t0=$(date +%s.%N)
	start -c c -t log --state-dir st
	touch go
	# mostly after a commit or several, sometimes before the first
	sleep "$((RANDOM % 3)).$((RANDOM % 10))$((RANDOM % 10))"
	alive || fail "round $r: daemon died"
	kill -KILL "$PID"
	t=$(date +%s.%N)
	wait "$PID" 2>/dev/null
	PID=
	off=$(awk '$1 == "f" { print $6 }' st/c.state 2>/dev/null | tail -1)
	echo "$r $t ${off:-0} $t0" >> kills
done
touch stopw
wait $WPID
start -c c -t log --state-dir st
last=$(awk '$1 == "end" { print $2 }' writes)
wait_for '[ "$(count "MARK $last")" -ge 1 ]' 60 || fail "did not catch up to MARK $last"
stop

python3 - <<'EOF' || fail "bound violated (see above)"
import sys
offs = {}
pos = 0
with open("log", "rb") as f:
    for line in f:
        n = int(line.split()[1])
        offs[n] = pos
        pos += len(line)
wtime = {}
for l in open("writes"):
    a = l.split()
    if a[0] != "end":
        wtime[int(a[0])] = float(a[1])
kills = [l.split() for l in open("kills")]
runs = []
for l in open("out"):
    if l.startswith("*** watchfor version"):
        runs.append([])
    elif l.startswith("MARK "):
        runs[-1].append(int(l.split()[1]))
bad = 0
seen = set()
dups = 0
for k, run in enumerate(runs):
    if len(set(run)) != len(run):
        print("run %d acted on a marker twice" % (k + 1)); bad += 1
    again = [m for m in run if m in seen]
    if again:
        kt, koff = float(kills[k - 1][1]), int(kills[k - 1][2])
        lived = kt - float(kills[k - 1][3])
        dups += len(again)
        early = [m for m in again if offs[m] < koff]
        old = [m for m in again if wtime[m] < kt - 2.0 and lived >= 2.5]
        if early:
            print("run %d repeated %d markers before the saved offset %d, e.g. %d"
                  % (k + 1, len(early), koff, early[0])); bad += 1
        if old:
            print("run %d repeated %d markers written more than 2 s before the kill, e.g. %d"
                  % (k + 1, len(old), old[0])); bad += 1
    seen.update(run)
lost = [n for n in offs if n not in seen]
if lost:
    print("%d markers lost, e.g. %s" % (len(lost), lost[:5])); bad += 1
print("%d markers, %d kills, %d repeated" % (len(offs), len(kills), dups))
sys.exit(1 if bad else 0)
EOF
pass
