#!/bin/bash
# The watchfor binary in follow mode: files, rotation, HUP reload (rules
# replaced, a bad config kept out), TERM, quit, standard input, no input,
# restart with a state directory. Waits on events, never on fixed sleeps.
. "$(dirname "$0")/lib.sh"


new_case follow_rotate
printf 'watchfor /ERROR (\\w+)/\n\techo normal,message=got $1\n' > c
printf 'old ERROR zero\n' > log
start -c c -t log
printf 'x ERROR one\n' >> log
wait_for 'has "got one"' || fail "first line"
mv log log.1
printf 'x ERROR two\n' > log
wait_for 'has "got two"' || fail "line after rotation"
printf 'x ERROR three\n' >> log.1
printf 'x ERROR four\n' >> log
wait_for 'has "got four" && has "got three"' || fail "rotated file drained"
has "got zero" && fail "old line replayed"
stop
[ "$RC" = 0 ] || fail "exit status $RC after TERM"
grep -q "^Caught a SIGTERM -- sending a TERM signal to " err ||
    fail "no TERM message"
for l in one two three four; do
	[ "$(count "got $l")" = 1 ] || fail "got $l not exactly once"
done

new_case hup_reload
printf 'watchfor /ERROR/\n\techo normal,message=old rule\n' > c
: > log
start -c c -t log
printf 'ERROR a\n' >> log
wait_for 'has "old rule"' || fail "before reload"
printf 'watchfor /ERROR/\n\techo normal,message=new rule\n\tcontinue\n' > c
kill -HUP "$PID"
BANNERS=2 wait_for "grep -c '^\*\*\* watchfor version' out | grep -qx 2" ||
    fail "no banner after HUP"
printf 'ERROR b\n' >> log
wait_for 'has "new rule"' || fail "after reload"
[ "$(count "old rule")" = 1 ] || fail "old rules still active after HUP"
printf 'watchfor /ERROR(/\n\techo normal,message=broken\n' > c
kill -HUP "$PID"
wait_for 'grep -q "config not reloaded" err' || fail "bad config not reported"
grep -q "c:1:.*bad pattern" err || fail "bad config error not located"
printf 'ERROR c\n' >> log
wait_for '[ "$(count "new rule")" = 2 ]' || fail "running config lost"
stop

new_case quit
printf 'watchfor /STOP/\n\tquit\nwatchfor /./\n\techo normal\n' > c
: > log
start -c c -t log
printf 'one\nSTOP\ntwo\n' >> log
wait "$PID"
RC=$?
PID=
[ "$RC" = 0 ] || fail "quit exit status $RC"
has one || fail "line before quit"
has two && fail "line after quit"

new_case bell_does_not_block
# swatchdog sleeps after each ring; follow mode must not stop reading
printf 'watchfor /^ring/\n\tbell 3,delay=30\nwatchfor /^next/\n\techo normal\n' > c
: > log
start -c c -t log
printf 'ring\nnext\n' >> log
wait_for 'grep -q next out' || fail "bell blocked the next line"
[ "$(tr -cd '\a' < out | wc -c)" = 3 ] || fail "not 3 rings"
stop

new_case quit_keeps_the_rest
# the lines after the one that quit stay unread for the next run
printf 'watchfor /ERROR/\n\techo normal\n\tquit\n' > c
: > log
start -c c -t log --state-dir st
printf 'ERROR 1\nERROR 2\nERROR 3\n' >> log
wait "$PID"
PID=
has "ERROR 1" || fail "first line"
has "ERROR 2" && fail "line after quit acted on"
"$BIN" -c c -t log --state-dir st >> out 2>> err &
PID=$!
wait_for 'has "ERROR 2"' || fail "line after quit lost for the next run"
wait "$PID"
PID=
has "ERROR 3" && fail "second quit did not stop"

new_case early_hup
# a HUP while a large config loads waits for the loop instead of killing
for i in $(seq 3000); do printf 'watchfor /rule%d=x/\n\techo normal\n' $i; done > c
: > log
"$BIN" -c c -t log >> out 2>> err &
PID=$!
# once past exec (HUP blocked, bit 0 of SigBlk), while the config loads
wait_for "awk '/^SigBlk/ {print \$2}' /proc/$PID/status | grep -q '[13579bdf]\$'" ||
    fail "HUP never blocked"
kill -HUP "$PID"
wait_for "grep -c '^\*\*\* watchfor version' out | grep -qx 2" ||
    fail "early HUP killed the daemon or was lost"
kill -0 "$PID" || fail "daemon died"
stop

new_case stdin_pipe
printf 'watchfor /ERROR (\\w+)/\n\techo normal,message=got $1\n' > c
printf 'ERROR a\nnothing\nERROR b' | "$BIN" -c c > out 2> err
RC=$?
[ "$RC" = 0 ] || fail "stdin pipe exit status $RC"
has "got a" && has "got b" || fail "stdin lines"

new_case input_command
# a long-running command as input, started again when it dies
printf '#%% input-command sh -c "echo ERROR one; echo ERROR two; exit 3"\n' > c
printf 'watchfor /ERROR (\\w+)/\n\techo normal,message=got $1\n' >> c
start -c c < /dev/null
wait_for '[ "$(count "got two")" -ge 2 ]' || fail "command not restarted"
grep -q 'input command "sh -c "echo ERROR one; echo ERROR two; exit 3"": exit status 3' err ||
    fail "exit status not logged"
grep -q "started again in 1 s" err || fail "restart not logged"
stop
[ "$RC" = 0 ] || fail "exit status $RC"

new_case no_input
printf 'watchfor /x/\n\techo\n' > c
if [ -e /var/log/messages ] || [ -e /var/log/syslog ]; then
	echo "skip no_input: this machine has a default log file"
else
	"$BIN" -c c < /dev/null > out 2> err
	RC=$?
	[ "$RC" = 2 ] || fail "no input: status $RC"
	grep -q "no input to follow: name a file with -t FILE" err ||
	    fail "no input: message"
fi

new_case state_restart
printf 'watchfor /ERROR (\\w+)/\n\techo normal,message=got $1\n' > c
: > log
start -c c -t log --state-dir st
printf 'ERROR one\n' >> log
wait_for 'has "got one"' || fail "before restart"
stop
printf 'ERROR two\n' >> log
mv log log.1
printf 'ERROR three\n' > log
BANNERS=2 start -c c -t log --state-dir st
wait_for 'has "got two" && has "got three"' ||
    fail "lines written while down not delivered"
stop
for l in one two three; do
	[ "$(count "got $l")" = 1 ] || fail "got $l not exactly once"
done
[ "$(stat -c %a st)" = 700 ] || fail "state dir mode $(stat -c %a st)"
for f in st/*; do
	[ "$(stat -c %a "$f")" = 600 ] || fail "state file mode of $f"
done
echo "PASS t_daemon"
