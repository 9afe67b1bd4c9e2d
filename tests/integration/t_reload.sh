#!/bin/bash
# HUP applies input changes (issue 5): a file newly named in "#% input" is
# followed from its end (old lines not replayed) or from its saved
# position, a file no longer named is closed and its saved position
# dropped, an unchanged file keeps its position (lines written during the
# reload acted on once); "#% input-command" added and removed likewise;
# a state-directory change is logged as needing a restart.
. "$(dirname "$0")/lib.sh"

# conf INPUT-LINES...: the config, with one rule echoing "got <line>".
conf() {
	printf '%s\n' "$@" > c
	printf 'watchfor /^x /\n\techo normal,message=got $0\n' >> c
}
hup() {
	local n=$(($(banners) + 1))
	kill -HUP "$PID"
	wait_for "[ \$(banners) -ge $n ]" || fail "no banner after HUP"
}
# holds FILE: the daemon has FILE open.
holds() { ls -l /proc/$PID/fd 2>/dev/null | grep -q -- "$T/$1\$"; }

new_case files
printf 'x a-old\n' > a.log
printf 'x b-old\n' > b.log
conf '#% input a.log' '#% input keep.log'
printf 'x keep-old\n' > keep.log
start -c c --state-dir st
printf 'x a-1\n' >> a.log
printf 'x keep-1\n' >> keep.log
wait_for 'has "got x a-1" && has "got x keep-1"' || fail "before reload"
kill -STOP "$PID"
printf 'x keep-2\n' >> keep.log	# written while the reload is pending
conf '#% input keep.log' '#% input b.log'
kill -CONT "$PID"
hup
grep -q "a.log: no longer followed" err || fail "removal not logged"
grep -q "b.log: now followed" err || fail "addition not logged"
printf 'x a-2\n' >> a.log
printf 'x b-1\n' >> b.log
printf 'x keep-3\n' >> keep.log
wait_for 'has "got x b-1" && has "got x keep-3"' || fail "after reload"
holds a.log && fail "a.log still open"
holds b.log || fail "b.log not open"
has "got x a-2" && fail "removed file still followed"
has "got x b-old" && fail "new file replayed from its start"
for l in a-1 keep-1 keep-2 keep-3 b-1; do
	[ "$(count "got x $l")" = 1 ] || fail "$l not exactly once"
done
stop
grep -q "a.log" st/* && fail "the state still holds the removed file"
grep -q "b.log" st/* || fail "the state lacks the added file"
# a name added back later starts at its end again (its position dropped)
printf 'x a-3\n' >> a.log
conf '#% input keep.log' '#% input b.log' '#% input a.log'
BANNERS=3 start -c c --state-dir st
printf 'x a-4\n' >> a.log
wait_for 'has "got x a-4"' || fail "re-added file"
has "got x a-3" && fail "re-added file resumed from a dropped position"
stop

new_case saved_position
# a name the state knows (followed in an earlier run) resumes there
printf 'x s-old\n' > s.log
conf '#% input s.log'
start -c c --state-dir st
printf 'x s-1\n' >> s.log
wait_for 'has "got x s-1"' || fail "first run"
stop
: > t.log
conf '#% input t.log'
BANNERS=2 start -c c --state-dir st
printf 'x s-2\n' >> s.log	# written while s.log is not named
conf '#% input t.log' '#% input s.log'
hup
wait_for 'has "got x s-2"' || fail "saved position not resumed"
[ "$(count "got x s-1")" = 1 ] || fail "s-1 repeated"
stop

new_case commands
printf 'x c-1\n' > c1.log
printf 'x c-2\n' > c2.log
conf "#% input-command tail -n +1 -F $T/c1.log"
start -c c < /dev/null
wait_for 'has "got x c-1"' || fail "first command"
C1=$(pgrep -P "$PID" -f "c1.log")
[ -n "$C1" ] || fail "first command not running"
conf "#% input-command tail -n +1 -F $T/c1.log" \
    "#% input-command tail -n +1 -F $T/c2.log"
hup
wait_for 'has "got x c-2"' || fail "added command"
[ "$(pgrep -P "$PID" -f "c1.log")" = "$C1" ] || fail "unchanged command restarted"
[ "$(count "got x c-1")" = 1 ] || fail "unchanged command's lines repeated"
conf "#% input-command tail -n +1 -F $T/c2.log"
hup
wait_for '! kill -0 "$C1" 2>/dev/null' || fail "removed command still running"
grep -q 'c1.log": no longer followed' err || fail "removal not logged"
printf 'x c-3\n' >> c2.log
printf 'x c-4\n' >> c1.log
wait_for 'has "got x c-3"' || fail "remaining command"
has "got x c-4" && fail "removed command still read"
stop

new_case state_dir
: > log
conf '#% input log' '#% state-dir st1'
start -c c
conf '#% input log' '#% state-dir st2'
hup
grep -q "changes the state directory: it takes effect at the next start" err ||
    fail "state dir change not logged"
stop
echo "PASS t_reload"
