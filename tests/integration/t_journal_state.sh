#!/bin/bash
# t_journal_state.sh WATCHFOR — the journal cursor in the state
# directory: a restart reads the entries written while watchfor was down
# exactly once and none before them again; the file is 0600 and replaced
# atomically; a corrupt cursor file is reported and ignored (start at the
# tail); a quit rule saves the position of the entry that quit; a start
# with state but no entry yet keeps the time it began, so entries written
# before the next start are not lost.
. "$(dirname "$0")/journal/lib.sh"

cat > j.conf <<'EOC'
#% input-journal directory=j identifier=app
watchfor /QUIT/
	echo
	quit
watchfor /./
	echo
EOC
C=state/j.conf.journal

# a journal with no matching entry yet: the start time is saved
jw x "other|1|6||not ours"
start --state-dir state
wait_for '[ -s $C ]' || fail "no cursor file at the first start"
grep -q '^since [0-9]' $C || fail "no start time saved: $(cat $C)"
stop
jw x "app|1|6||e0 written while down, before any entry of ours"
start --state-dir state
wait_for '[ "$(count e0)" = 1 ]' || fail "entry written before the second start lost"

jw x "app|1|6||e1" "app|1|6||e2"
wait_for '[ "$(count e2)" = 1 ]' || fail "e2 not read"
stop
[ "$(stat -c %a $C)" = 600 ] || fail "cursor file mode $(stat -c %a $C)"
head -1 $C | grep -qx 'watchfor-journal 1' || fail "cursor file format"
grep -q '^cursor s=' $C || fail "no cursor saved: $(cat $C)"
ls -a state | grep -q '^\.j\.conf\.journal\.' && fail "temporary file left"

# written while down: read once after the restart, e1 and e2 not again
jw x "app|1|6||d1 while down" "app|1|6||d2 while down"
start --state-dir state
wait_for '[ "$(count "d2 while down")" = 1 ]' || fail "entries written while down lost"
jw x "app|1|6||e3"
wait_for '[ "$(count e3)" = 1 ]' || fail "e3 not read"
stop
[ "$(count 'e[12]$')" = 0 ] || fail "entries before the cursor read again"
[ "$(count 'd1 while down')" = 1 ] || fail "d1 read $(count 'd1 while down') times"

# a quit rule: the rest stays for the next run
jw x "app|1|6||q1" "app|1|6||QUIT here" "app|1|6||q2 after the quit"
start --state-dir state
wait $PID
rc=$?
PID=
[ $rc = 0 ] || fail "quit: status $rc"
[ "$(count q1)" = 1 ] && [ "$(count 'QUIT here')" = 1 ] ||
    fail "entries before the quit not acted on"
[ "$(count 'q2 after')" = 0 ] || fail "entry after the quit acted on"
cat > j.conf <<'EOC'
#% input-journal directory=j identifier=app
watchfor /./
	echo
EOC
start --state-dir state
wait_for '[ "$(count "q2 after")" = 1 ]' || fail "entry after the quit lost"
stop
[ "$(count QUIT)" = 0 ] || fail "the quitting entry read again"

# corrupt cursor file: reported, ignored, reading starts at the tail
printf 'watchfor-journal 1\ncursor s=garbage;;\x01\n' > $C
jw x "app|1|6||c1 before the corrupt start"
start --state-dir state
grep -q "journal cursor .*j.conf.journal: .*ignored (starting at the end of the journal)" err ||
    fail "corrupt cursor not reported"
jw x "app|1|6||c2 after"
wait_for '[ "$(count "c2 after")" = 1 ]' || fail "no reading after a corrupt cursor"
stop
[ "$(count c1)" = 0 ] || fail "corrupt cursor: replayed from the start"
grep -q '^cursor s=' $C || fail "cursor not rewritten after a corrupt one"

# a cursor libsystemd refuses is reported too
printf 'watchfor-journal 1\ncursor nonsense\n' > $C
start --state-dir state
grep -q "journal cursor .*ignored (starting at the end of the journal)" err ||
    fail "refused cursor not reported"
jw x "app|1|6||c3"
wait_for '[ "$(count c3)" = 1 ]' || fail "no reading after a refused cursor"
stop
pass
