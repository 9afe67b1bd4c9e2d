#!/bin/bash
# t_throttle_state.sh WATCHFOR — throttle state in the state directory:
# after a clean stop and a restart a key within its window does not act
# again (a new key does); a rule whose text changed starts fresh; with the
# records saved along with the read positions, SIGKILL keeps them too; a
# corrupt file is reported and ignored; an open throttle digest folded
# before a SIGKILL is delivered after the restart with its count.
. "$(dirname "$0")/mail/lib.sh"

cat > rec <<EOS
#!/bin/sh
printf '%s|%s\n' "\$*" "\${WATCHFOR_DIGEST_COUNT-}" >> "$W/acts"
EOS
chmod +x rec
rule() {
	printf 'watchfor /fail user=(\\w+)/\n\texec %s/rec $0\n\tthrottle %s,key=$1\n' \
	    "$W" "$1" > conf
	[ $# -gt 1 ] && printf '%s\n' "$2" >> conf
	return 0
}
acted() { grep -c "^$1|" acts 2>/dev/null || true; }

rule 1:00:00
start --state-dir state
echo "fail user=bob 1" >> log
wait_for '[ "$(acted "fail user=bob 1")" = 1 ]' || fail "first hit"
stop
[ "$(stat -c %a state/conf.throttle)" = 600 ] || fail "file mode"
grep -aq 'bob' state/conf.throttle || fail "bob not saved"

start --state-dir state
echo "fail user=bob 2" >> log
echo "fail user=al 1" >> log
wait_for '[ "$(acted "fail user=al 1")" = 1 ]' || fail "new key did not act"
[ "$(acted "fail user=bob 2")" = 0 ] || fail "bob alerted again after a restart"
stop

# the rule's text changes: its state is not taken
rule 1:00:01
start --state-dir state
echo "fail user=bob 3" >> log
wait_for '[ "$(acted "fail user=bob 3")" = 1 ]' || fail "changed rule kept old state"
stop

# saved with the read positions: SIGKILL keeps it
export WATCHFOR_TEST_THROTTLE_SAVE_MS=0
rule 2:00:00
start --state-dir state
echo "fail user=cy 1" >> log
wait_for '[ "$(acted "fail user=cy 1")" = 1 ]' || fail "cy"
wait_for 'committed log && grep -aq "cy" state/conf.throttle' ||
    fail "not saved with the positions"
crash
start --state-dir state
echo "fail user=cy 2" >> log
echo "fail user=al 2" >> log
wait_for '[ "$(acted "fail user=al 2")" = 1 ]' || fail "al 2"
[ "$(acted "fail user=cy 2")" = 0 ] || fail "cy alerted again after SIGKILL"
stop

# corrupt: reported, ignored
echo garbage > state/conf.throttle
start --state-dir state
wait_for 'grep -q "conf.throttle: corrupt or not a \"watchfor-throttle 1\" file, ignored" err' ||
    fail "corrupt file not reported"
echo "fail user=cy 3" >> log
wait_for '[ "$(acted "fail user=cy 3")" = 1 ]' || fail "cy 3"
stop

# an open digest survives SIGKILL
rule 0:0:3 '#% throttle-digest on'
start --state-dir state
for i in 1 2 3 4; do echo "fail user=dd $i" >> log; done
wait_for '[ "$(acted "fail user=dd 1")" = 1 ]' || fail "dd 1"
wait_for 'committed log && grep -aq "^odg " state/conf.digests' ||
    fail "open digest not saved"
crash
grep -q '^\[digest\]' acts && fail "summary ran before the kill"
start --state-dir state
wait_for 'grep -q "^\[digest\] 3 more lines for rule conf:1 .*|3$" acts' 20 ||
    fail "digest lost after SIGKILL: $(cat acts)"
stop
[ "$(grep -c '^\[digest\]' acts)" = 1 ] || fail "summary not once"
[ "$(grep -c 'user=dd' acts)" = 2 ] || fail "dd lines acted again"
pass
