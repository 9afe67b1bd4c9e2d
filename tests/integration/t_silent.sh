#!/bin/bash
# t_silent.sh WATCHFOR — "#% silent DURATION" rules (dead-man switches):
# the actions run once after DURATION without a matching line, with the
# synthetic line; not again until a match and a new silence; never while
# lines keep matching, and never on a match. input= counts one input
# only, repeat= reminds, a HUP restarts the clocks, one-pass mode runs
# no silent rule, --check explains and validates. Absence is checked
# against a later event (a slower sentinel rule), not a fixed sleep.
. "$(dirname "$0")/lib.sh"
n() { grep -cF -- "$1" out; }	# echo ends with an ANSI reset
BEAT='watchfor: no line matching /beat/ for 1s'
SENTINEL='watchfor: no line matching /never/ for 3500ms'

new_case once log
cat > c <<'EOF'
watchfor /beat/
	echo
	#% silent 1s
watchfor /never/
	echo
	#% silent 3500ms
EOF
start -c c -t log
wait_for '[ "$(n "$BEAT")" -ge 1 ]' || fail "no alert after 1s of silence"
wait_for '[ "$(n "$SENTINEL")" -ge 1 ]' || fail "no sentinel"
[ "$(n "$BEAT")" = 1 ] || fail "alerted $(n "$BEAT") times in one silence"
# a match, then a new silence: one more alert; the match runs nothing
echo "beat 1" >> log
wait_for '[ "$(n "$BEAT")" = 2 ]' || fail "no alert after the new silence"
grep -q "^\(.\[0m\)\?beat" out && fail "a match ran the actions"
stop
[ "$RC" = 0 ] || fail "exit $RC"

new_case busy log
cat > c <<'EOF'
watchfor /beat/
	echo
	#% silent 2s
watchfor /./
	echo
EOF
start -c c -t log
BEAT2='watchfor: no line matching /beat/ for 2s'
# beats every 0.1 s for 3 s: never 2 s without a match (slack for a
# loaded machine)
for i in $(seq 30); do echo "beat $i" >> log; sleep 0.1; done
wait_for '[ "$(grep -c "beat [0-9]" out)" = 30 ]' || fail "beats not seen"
[ "$(n "$BEAT2")" = 0 ] || fail "alerted while lines kept matching"
# a silent rule's matches go on to the next rules: the /./ rule echoed
# them; after the beats stop, one alert
wait_for '[ "$(n "$BEAT2")" = 1 ]' || fail "no alert after the beats"
stop

new_case input log
cat > c <<EOF
watchfor /beat/
	echo
	#% silent 1s input=$T/log
EOF
start -c c -t "$T/log" -t "$T/other"
# beats in the other file do not count
for i in $(seq 40); do echo "beat $i" >> other; sleep 0.05; done &
W=$!
wait_for "[ \"\$(n 'watchfor: no line matching /beat/ in $T/log for 1s')\" = 1 ]" ||
    fail "beats from another input kept it quiet"
wait "$W"
stop

new_case repeat log
cat > c <<'EOF'
watchfor /beat/
	echo
	#% silent 1s repeat=300ms
EOF
start -c c -t log
wait_for '[ "$(n "$BEAT")" -ge 3 ]' || fail "no reminders"
echo beat >> log
# after the match: quiet for 1 s, then it alerts (and reminds) again
C=$(n "$BEAT")
wait_for "[ \"\$(n \"\$BEAT\")\" -gt $C ]" || fail "no alert after the match"
stop

new_case hup log
cat > c <<'EOF'
watchfor /beat/
	echo
	#% silent 1s
EOF
start -c c -t log
wait_for '[ "$(n "$BEAT")" = 1 ]' || fail "no first alert"
kill -HUP "$PID"
# a reload restarts the clocks: a new alert without any match
wait_for '[ "$(n "$BEAT")" = 2 ]' || fail "clock not restarted by HUP"
stop

new_case check log
cat > c <<'EOF'
watchfor /beat/
	echo
	#% silent 30m
ignore /x/
	#% silent 30m
watchfor /y/
	echo
	#% silent 30 minutes
watchfor /z/
	echo
	#% silent 10s repeat=0
EOF
"$BIN" --check -c c > chk 2>&1 && fail "--check accepted bad silent rules"
grep -q '^c:3:12: warning: silent rule: its actions run only after 30m without a line matching /beat/ (in follow mode), never on a match' chk ||
    fail "no explanation: $(cat chk)"
grep -q '^c:5:12: silent applies to a watchfor rule, not to ignore' chk ||
    fail "ignore rule: $(cat chk)"
grep -q '^c:8:12: silent: unknown option "minutes"' chk ||
    fail "bad value: $(cat chk)"
grep -q '^c:11:12: silent: bad repeat "0"' chk || fail "repeat=0: $(cat chk)"

new_case onepass log
printf 'watchfor /beat/\n\techo\n\t#%% silent 1s\nwatchfor /other/\n\techo\n' > c
printf 'beat\nother\n' > log
"$BIN" -c c -f log > out 2> err || fail "exit $?"
grep -q other out && ! grep -q beat out ||
    fail "one-pass ran a silent rule: $(cat out)"

echo "PASS t_silent"
