#!/bin/bash
# t_reload_throttle.sh WATCHFOR — throttle and digest state across a HUP:
# rules whose text did not change keep their records and open digests;
# a changed rule starts fresh, its open digest closed at the reload with
# the old rule's actions (nothing folded is lost).
. "$(dirname "$0")/mail/lib.sh"

cat > rec <<EOS
#!/bin/sh
printf '%s|%s\n' "\$*" "\${WATCHFOR_DIGEST_COUNT-}" >> "$W/acts"
EOS
chmod +x rec
mkconf() {
	cat > conf <<EOS
watchfor /fail user=(\w+)/
	exec $W/rec A \$0
	throttle $1,key=a\$1
watchfor /deny user=(\w+)/
	exec $W/rec B \$0
	throttle 1:00:00,key=b\$1
#% throttle-digest $2
watchfor /sync (\w+)/
	exec $W/rec S \$0
EOS
}
acted() { grep -c "^$1|" acts 2>/dev/null || true; }
n=0
sync() {
	n=$((n + 1))
	echo "sync s$n" >> log
	wait_for '[ "$(acted "S sync s$n")" = 1 ]' || fail "sync s$n"
}
hup() {
	NSTARTS=$((NSTARTS + 1))
	kill -HUP "$PID"
	wait_for '[ "$(grep -c "^\*\*\* watchfor version" out)" -ge $NSTARTS ]' ||
	    fail "no reload"
}

mkconf 1:00:00 on
start
echo "fail user=bob 1" >> log
echo "deny user=eve 1" >> log
echo "deny user=eve 2" >> log
sync
[ "$(acted "A fail user=bob 1")" = 1 ] && [ "$(acted "B deny user=eve 1")" = 1 ] ||
    fail "first hits: $(cat acts)"

# unchanged: all state stays
touch conf
hup
echo "fail user=bob 2" >> log
echo "deny user=eve 3" >> log
sync
[ "$(acted "A fail user=bob 2")" = 0 ] || fail "unchanged rule alerted again"
[ "$(acted "B deny user=eve 3")" = 0 ] || fail "unchanged digest rule acted"

# rule A changes: fresh; B unchanged keeps its open digest
mkconf 1:00:01 on
hup
echo "fail user=bob 3" >> log
echo "deny user=eve 4" >> log
sync
[ "$(acted "A fail user=bob 3")" = 1 ] || fail "changed rule kept its state"
[ "$(acted "B deny user=eve 4")" = 0 ] || fail "B lost its state"
grep -q '^\[digest\]' acts && fail "B's digest closed early"

# rule B changes: its digest (eve 2, 3, 4) closes now, with the old actions
mkconf 1:00:01 sample=2
hup
wait_for 'grep -q "^B \[digest\] 3 more lines for rule conf:4 .*first: deny user=eve 2|3$" acts' ||
    fail "B's digest not closed at the reload: $(cat acts)"
echo "deny user=eve 5" >> log
sync
[ "$(acted "B deny user=eve 5")" = 1 ] || fail "changed digest rule kept state"
stop
[ "$(grep -c '\[digest\]' acts)" = 1 ] || fail "digests: $(cat acts)"
pass
