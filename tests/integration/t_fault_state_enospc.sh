#!/bin/bash
# t_fault_state_enospc.sh WATCHFOR — the state directory is full (ENOSPC
# on every write, fsync and rename under it, injected by tests/shim while
# the file ./full exists). The failure is logged once, not once per retry;
# the save is retried; the saved offset never covers a line that was not
# saved (after a SIGKILL while full, the unsaved lines are read again: none
# lost); once space is back the state is saved without any new line, so
# that a SIGKILL after that repeats nothing. When only the throttle
# digests cannot be written, the positions are not saved either (no
# folded line is acknowledged without its digest on disk) until they can.
. "$(dirname "$0")/../shim/lib.sh"
need_shim
export FAULT_ENOSPC_PATH=$W/st FAULT_ENOSPC_CTL=$W/full FAULT_LOG=$W/flog
printf 'watchfor /MARK/\n\techo normal\n' > c
marks() { local i; for ((i = $1; i <= $2; i++)); do echo "MARK $i" >> log; done; }
faults() { grep -c "st/" flog 2>/dev/null || echo 0; }

start -c c -t log --state-dir st
marks 1 3
wait_for 'committed st c log' || fail "state not saved before the fault"
size3=$(stat -c %s log)

touch full
marks 4 6
wait_for '[ "$(count "MARK 6")" = 1 ]' || fail "lines not acted on while full"
wait_for '[ "$(faults)" -ge 3 ]' || fail "save not retried ($(faults) attempts)"
# (only the positions file is counted: other state files have their
# own writers)
enospc() { grep -c 'c\.state.*No space left on device' err; }
[ "$(enospc)" = 1 ] || fail "ENOSPC logged $(enospc) times (want once)"
grep -q "^watchfor: state .*st/c\.state, retrying until it succeeds: No space left on device" err ||
    fail "ENOSPC message"
grep -qE "^f [0-9]+ [0-9]+ [0-9]+ [0-9a-f]+ $size3 " st/c.state ||
    fail "saved offset changed while the disk was full"
[ -z "$(find st -name '.c.state.*')" ] || fail "temporary state file left"

# SIGKILL while full: the unsaved lines come again, none is lost
crash
start -c c -t log --state-dir st
wait_for '[ "$(count "MARK 6")" = 2 ]' || fail "unsaved lines not read again"
wait_for '[ "$(enospc)" = 2 ]' ||
    fail "the restarted daemon did not try to save"

# space back: saved with no new line, logged
rm full
wait_for 'committed st c log' || fail "state not saved after recovery"
grep -q "^watchfor: state .*st/c\.state saved again after [0-9]* failed attempts" err ||
    fail "recovery not logged"
crash
start -c c -t log --state-dir st
marks 7 7
wait_for '[ "$(count "MARK 7")" = 1 ]' || fail "MARK 7 lost"
stop
for i in 1 2 3 7; do
	[ "$(count "MARK $i")" = 1 ] || fail "MARK $i seen $(count "MARK $i") times"
done
for i in 4 5 6; do
	[ "$(count "MARK $i")" = 2 ] || fail "MARK $i seen $(count "MARK $i") times"
done

# only the digests file is full: the positions wait for it
export FAULT_ENOSPC_PATH=$W/st/.c.digests
printf 'watchfor /FOLD (\\w+)/\n\techo normal\n\tthrottle 1:00:00,key=$1\n#%% throttle-digest on\n' > c
start -c c -t log --state-dir st
echo "FOLD a 1" >> log
wait_for '[ "$(count "FOLD a 1")" = 1 ]' || fail "FOLD a 1 not acted on"
wait_for 'committed st c log' || fail "state not saved before the digest fault"
size=$(stat -c %s log)
dfaults() { grep -c '\.c\.digests' flog 2>/dev/null || echo 0; }
denospc() { grep -c 'c\.digests.*No space left on device' err; }
f0=$(dfaults) e0=$(denospc)
touch full
echo "FOLD a 2" >> log
echo "FOLD a 3" >> log
wait_for '[ "$(dfaults)" -ge $((f0 + 3)) ]' ||
    fail "digests save not retried ($(dfaults) faults, $f0 before)"
grep -qE "^f [0-9]+ [0-9]+ [0-9]+ [0-9a-f]+ $size " st/c.state ||
    fail "positions saved while the digests could not be"
[ "$(denospc)" = $((e0 + 1)) ] || fail "digests ENOSPC not logged once"
rm full
wait_for 'committed st c log' || fail "positions not saved after recovery"
grep -aq '^odg ' st/c.digests || fail "open digest not saved after recovery"
stop
pass
