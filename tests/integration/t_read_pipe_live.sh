#!/bin/bash
# --read-pipe with a command that keeps running (swatchdog users follow
# logs this way): each alert is printed when its line arrives, not when
# the command ends or a buffer fills.
BIN=$(readlink -f "${1:?usage: t_read_pipe_live.sh path/to/watchfor}")
T=$(mktemp -d)
PID=
trap '[ -n "$PID" ] && kill $PID 2>/dev/null; rm -rf "$T"' EXIT
cd "$T" || exit 1
mkfifo gate
printf 'watchfor /ALERT (\\w+)/\n\techo normal,message=got $1\n' > c
# the command prints one line, then waits until the test opens the gate
"$BIN" -c c --read-pipe 'sh -c "echo ALERT first; cat gate; echo ALERT second"' \
    > out 2> err &
PID=$!
for i in $(seq 400); do
	grep -qx "got first" out && break
	sleep 0.05
done
grep -qx "got first" out || { echo "FAIL: first alert held back"; cat out err; exit 1; }
grep -q "got second" out && { echo "FAIL: second line before the gate opened"; exit 1; }
echo open > gate
wait $PID
rc=$?
PID=
[ $rc = 0 ] || { echo "FAIL: status $rc"; exit 1; }
grep -qx "got second" out || { echo "FAIL: second alert"; exit 1; }
echo "PASS t_read_pipe_live"
