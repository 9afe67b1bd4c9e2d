#!/bin/bash
# t_async_follow.sh WATCHFOR — actions in follow mode never block reading
# (issue 4 item 6): a slow exec does not delay the next line, a hung one is
# killed at "#% exec-timeout" and logged, many commands all run with at
# most "#% max-children" at once and no zombie, TERM with a child running
# exits promptly and leaves no process behind, a failing child is logged
# with its status. Waits on events with generous deadlines; no fixed sleep
# is a pass condition. Exit 0 pass, 1 fail.
. "$(dirname "$0")/lib.sh"
now_ms() { date +%s%3N; }
# gone PID: the process no longer exists (or is a zombie of someone else).
gone() {
	local s
	[ -e "/proc/$1/stat" ] || return 0
	s=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null) || return 0
	[ -z "$s" ] || [ "${s%% *}" = Z ] || [ "${s%% *}" = X ]
}
# child_pid NAME: the pid of watchfor's child running NAME, if any.
child_pid() { pgrep -P "$PID" -x "$1" | head -1; }
zombies() { ps -o stat= --ppid "$PID" | grep -c '^Z'; }

new_case slow_exec_does_not_block log
cat > c <<'EOF'
watchfor /^slow/
	exec sleep 30
watchfor /^next/
	echo
EOF
start -c c -t log
printf 'slow\n' >> log
wait_for '[ -n "$(child_pid sleep)" ]' 10 || fail "sleep 30 not started"
t0=$(now_ms)
printf 'next\n' >> log
wait_for 'has next' 10 || fail "next line not echoed within 10 s"
dt=$(($(now_ms) - t0))
# the sleep still runs: the echo did not wait for it
[ -n "$(child_pid sleep)" ] || fail "sleep ended before the check"
[ "$dt" -lt 10000 ] || fail "echo took $dt ms"
echo "  next line echoed ${dt} ms after it was written, sleep 30 running"

new_case term_with_running_child log
# (the same process: TERM while sleep 30 runs)
T=$ROOT/slow_exec_does_not_block
cd "$T" || exit 1
sleeper=$(child_pid sleep)
stop
[ "$RC" = 0 ] || fail "exit status $RC after TERM"
[ "$SECS" -le 15 ] || fail "TERM took $SECS s (children sleep 30 s)"
wait_for "gone $sleeper" 5 || fail "sleep $sleeper left behind"
grep -q 'exec "sleep 30": still running at stop: SIGTERM to its process group' err ||
    fail "running child at stop not logged"

new_case slow_mail_and_write_do_not_block log
cat > slow <<'EOF'
#!/bin/sh
cat > "in.$$"
sleep 30
EOF
chmod +x slow
cat > c <<'EOF'
watchfor /^mail/
	mail addresses=ops,subject=alert,mailer=./slow
watchfor /^write/
	write alice,write=./slow
watchfor /^next/
	echo
EOF
start -c c -t log
printf 'mail me\nwrite me\n' >> log
wait_for '[ "$(pgrep -P "$PID" -x slow | wc -l)" = 2 ]' 10 ||
    fail "mailer and writer not both started"
printf 'next\n' >> log
wait_for 'has next' 10 || fail "next line not echoed within 10 s"
[ "$(pgrep -P "$PID" -x slow | wc -l)" = 2 ] || fail "a slow child ended early"
wait_for 'cat in.* 2>/dev/null | grep -qx "Subject: alert"' 10 ||
    fail "mailer did not get the message"
wait_for 'cat in.* 2>/dev/null | grep -qx "write me"' 10 ||
    fail "writer did not get the message"
stop
[ "$RC" = 0 ] || fail "exit status $RC"
[ "$SECS" -le 15 ] || fail "TERM took $SECS s (children sleep 30 s)"
# in follow mode mail goes through the outbox, which keeps what the
# mailer did not take and says so
grep -q 'outbox: 1 messages not delivered yet are kept' err ||
    fail "mailer at stop not logged"
grep -q 'No child processes' err && fail "a child reaped twice"

new_case exec_timeout log
cat > stubborn <<'EOF'
#!/bin/sh
trap '' TERM
sleep 30
EOF
chmod +x stubborn
cat > c <<'EOF'
#% exec-timeout 1
watchfor /^hang/
	exec sleep 30
watchfor /^stubborn/
	exec ./stubborn
watchfor /^group/
	exec sh -c 'trap "" TERM; sleep 30'
watchfor /^fail/
	exec sh -c 'exit 3'
watchfor /^after/
	echo
EOF
start -c c -t log
printf 'hang\n' >> log
wait_for '[ -n "$(child_pid sleep)" ]' 10 || fail "sleep 30 not started"
sleeper=$(child_pid sleep)
wait_for 'grep -q "exec \"sleep 30\": killed by signal 15" err' 10 ||
    fail "hung child not killed at exec-timeout 1"
grep -q 'exec "sleep 30": still running after 1 s: SIGTERM to its process group' err ||
    fail "timeout not logged"
wait_for "gone $sleeper" 5 || fail "sleep $sleeper left behind"
# the command itself ignores SIGTERM: SIGKILL 5 s later
printf 'stubborn\n' >> log
wait_for '[ -n "$(child_pid stubborn)" ]' 10 || fail "stubborn not started"
group=$(pgrep -g "$(child_pid stubborn)" | tr '\n' ' ')
wait_for 'grep -q "exec \"./stubborn\": killed by signal 9" err' 15 ||
    fail "child ignoring SIGTERM not killed"
grep -q 'exec "./stubborn": still running 5 s after SIGTERM: SIGKILL to its process group' err ||
    fail "SIGKILL not logged"
for p in $group; do wait_for "gone $p" 5 || fail "$p of stubborn left behind"; done
# the command ends at SIGTERM, its group ignores it: SIGKILL to the group
printf 'group\n' >> log
wait_for '[ -n "$(child_pid sh)" ] && [ "$(pgrep -g "$(child_pid sh)" | wc -l)" -ge 3 ]' 10 ||
    fail "group not started"
group=$(pgrep -g "$(child_pid sh)" | tr '\n' ' ')
wait_for 'grep -q "its process group outlived it after SIGTERM: SIGKILL" err' 15 ||
    fail "group member ignoring SIGTERM not killed"
for p in $group; do wait_for "gone $p" 5 || fail "$p of the group left behind"; done
printf 'fail\n' >> log
wait_for "grep -qF 'exec \"sh -c '\\''exit 3'\\''\": exit status 3' err" 10 ||
    fail "exit status not logged"
printf 'after\n' >> log
wait_for 'has after' 10 || fail "line after the failures"
[ "$(zombies)" = 0 ] || fail "zombie children"
stop
[ "$RC" = 0 ] || fail "exit status $RC"

new_case many_children log
# each command counts the commands running with it
cat > conc <<'EOF'
#!/bin/sh
mkdir -p run
touch run/$$
sleep 0.1
ls run | wc -l >> conc.out
echo x >> counter
rm run/$$
EOF
chmod +x conc
cat > c <<'EOF'
#% max-children 4
watchfor /^hit/
	exec ./conc
EOF
start -c c -t log
for i in $(seq 200); do echo "hit $i"; done >> log
wait_for '[ -f counter ] && [ "$(wc -l < counter)" -ge 200 ]' 60 ||
    fail "only $(wc -l < counter 2>/dev/null) of 200 commands ran"
wait_for 'grep -q "exec queue drained" err' 10 || fail "queue not drained"
[ "$(wc -l < counter)" = 200 ] || fail "$(wc -l < counter) commands ran"
max=$(sort -n conc.out | tail -1)
[ "$max" -le 4 ] || fail "$max commands ran at once (max-children 4)"
[ "$max" -ge 2 ] || fail "commands did not run in parallel"
grep -q 'exec queue: 100 commands waiting for one of 4 slots' err ||
    fail "queue high-water mark not logged"
grep -q 'not run\|exit status' err && fail "a command failed or was not run"
[ "$(zombies)" = 0 ] || fail "zombie children"
[ -z "$(pgrep -P "$PID")" ] || fail "children left: $(pgrep -P "$PID")"
stop
[ "$RC" = 0 ] || fail "exit status $RC"
echo "  200 commands ran, at most $max at once"

new_case kept_pipe log
cat > c <<'EOF'
watchfor /^p (\w+)/
	pipe cat,keep_open=1,message=$1
EOF
start -c c -t log
printf 'p one\np two\np three\n' >> log
wait_for 'grep -q three out' 10 || fail "kept pipe output"
[ "$(pgrep -P "$PID" -x cat | wc -l)" = 1 ] || fail "not one kept cat"
stop
[ "$RC" = 0 ] || fail "exit status $RC"
[ "$SECS" -le 15 ] || fail "TERM took $SECS s (children sleep 30 s)"
grep -q "onetwothree" out || fail "kept pipe got $(tail -1 out)"

new_case check_directives log
printf '#%% exec-timeout 0\n#%% max-children x\nwatchfor /a/\n\techo\n' > c
"$BIN" --check -c c > out 2> err && fail "--check accepted bad values"
grep -q 'c:1:.*exec-timeout: "0" is not a whole number from 1 to 86400' err ||
    fail "exec-timeout 0 not reported"
grep -q 'c:2:.*max-children: "x" is not a whole number from 1 to 1024' err ||
    fail "max-children x not reported"
printf '#%% exec-timeout 5\n#%% max-children 2\nwatchfor /a/\n\techo\n' > c
"$BIN" --check -c c > out 2> err || fail "--check refused good values"

echo "PASS t_async_follow"
