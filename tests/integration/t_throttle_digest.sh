#!/bin/bash
# t_throttle_digest.sh WATCHFOR — "#% throttle-digest": the first hit of
# a key acts at once, the others within the throttle window fold, and one
# summary runs when the window closes, driven by the loop's timer (no
# further line needed): exec gets $0 = the summary line and the
# WATCHFOR_DIGEST_* variables, mail gets a digest mail. A key with no
# folded hit gets no summary. --examine flushes open digests at its end.
# --check places errors at file:line:col.
. "$(dirname "$0")/mail/lib.sh"

cat > rec <<EOS
#!/bin/sh
printf '%s|%s|%s|%s|%s|%s\n' "\$*" "\${WATCHFOR_DIGEST_COUNT-}" \
    "\${WATCHFOR_DIGEST_FIRST-}" "\${WATCHFOR_DIGEST_LAST-}" \
    "\${WATCHFOR_DIGEST_RULE-}" "\${WATCHFOR_DIGEST_KEY-}" >> "$W/acts"
EOS
chmod +x rec
cat > conf <<EOS
watchfor /fail user=(\w+)/
	exec $W/rec \$0
	mail root,mailer=$W/mailer,subject=F \$1
	throttle 0:0:2,key=\$1
#% throttle-digest sample=3
EOS
acts() { [ -f acts ] && wc -l < acts || echo 0; }
rfc='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2})'

"$BIN" --check -c conf > chk 2>&1 || fail "--check refused: $(cat chk)"
start --state-dir state
for i in 1 2 3 4 5; do echo "x fail user=bob n$i"; done >> log
echo "x fail user=al n1" >> log
wait_for '[ "$(acts)" -ge 2 ]' || fail "first hits did not act"
wait_for '[ "$(acts)" -ge 3 ]' 20 || fail "no summary when the window closed"
sleep 0.3			# pace only: a second summary would show now
[ "$(acts)" = 3 ] || fail "$(acts) actions, want 3: $(cat acts)"
grep -q '^x fail user=bob n1|||||$' acts || fail "bob's first hit: $(cat acts)"
grep -q '^x fail user=al n1|||||$' acts || fail "al's first hit"
line=$(grep '^\[digest\]' acts)
echo "$line" | grep -Eq "^\[digest\] 4 more lines for rule conf:1 from $rfc to $rfc, first: x fail user=bob n2\|4\|$rfc\|$rfc\|conf:1\|bob$" ||
    fail "summary: $line"
wait_for '[ "$(grep -c "^To: " mbox 2>/dev/null)" = 3 ]' || fail "mails"
grep -qx 'Subject: \[digest\] 4 more lines for rule conf:1' mbox ||
    fail "digest subject"
grep -qx 'Count: 4' mbox || fail "digest count"
grep -Eqx "First: $rfc" mbox && grep -Eqx "Last:  $rfc" mbox || fail "times"
for i in 2 3 4; do grep -qx "  x fail user=bob n$i" mbox || fail "sample n$i"; done
grep -q 'n5$' mbox && fail "sample not bounded to 3"
grep -qx '  ... and 1 more' mbox || fail "rest not counted"

# after the window a hit acts at once again
echo "x fail user=bob n6" >> log
wait_for '[ "$(acts)" = 4 ]' || fail "new window did not act"
stop
[ "$(acts)" = 4 ] || fail "stop ran $(acts) actions, want 4"

# one pass: open digests are flushed at the end of the input
printf 'watchfor /fail user=(\\w+)/\n\techo\n\tthrottle 1:00:00,key=$1\n#%% throttle-digest on\n' > c2
printf 'fail user=a 1\nfail user=a 2\nfail user=a 3\nfail user=b 1\n' > l2
"$BIN" -c c2 --examine l2 > o2 2>&1 || fail "examine failed"
[ "$(grep -c '' o2)" -ge 3 ] || fail "examine output: $(cat o2)"
grep -q '\[digest\] 2 more lines for rule c2:1 .*, first: fail user=a 2' o2 ||
    fail "examine: no summary at the end: $(cat -A o2)"

# --check: the value, and a rule without a throttle
printf 'watchfor /x/\n\techo\n#%% throttle-digest sample=500\n\tthrottle 5\n' > c3
"$BIN" --check -c c3 > chk 2>&1 && fail "--check accepted sample=500"
grep -q '^c3:3:20: throttle-digest: "sample=500" is not' chk || fail "$(cat chk)"
printf 'watchfor /x/\n\techo\n#%% throttle-digest on\n' > c4
"$BIN" --check -c c4 > chk 2>&1 && fail "--check accepted no throttle"
grep -q '^c4:3:20: throttle-digest needs a `throttle` with a hold time' chk ||
    fail "$(cat chk)"
"$BIN" -c c4 --examine l2 > o4 2>&1 && fail "ran without a throttle"
pass
