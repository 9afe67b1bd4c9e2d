#!/bin/bash
# t_journal_digest.sh WATCHFOR — a journal input with a throttle digest:
# the open digest is saved before the cursor moves past the entries it
# folded, so after a SIGKILL and a restart the summary is still delivered
# once, with the right count, and the entries are not acted on again.
. "$(dirname "$0")/journal/lib.sh"

cat > rec <<EOS
#!/bin/sh
printf '%s|%s\n' "\$*" "\${WATCHFOR_DIGEST_COUNT-}" >> "$W/acts"
EOS
chmod +x rec
cat > j.conf <<EOC
#% input-journal directory=j identifier=app
watchfor /fail user=(\w+)/
	exec $W/rec \$0
	throttle 0:0:4,key=\$1
#% throttle-digest on
EOC
C=state/j.conf.journal
D=state/j.conf.digests
acted() { grep -c "$1|" acts 2>/dev/null || true; }

crash() {
	kill -KILL "$PID"
	wait "$PID" 2>/dev/null
	PID=
}

start --state-dir state
jw x "app|1|6||fail user=dd 1" "app|1|6||fail user=dd 2" \
    "app|1|6||fail user=dd 3" "app|1|6||fail user=dd 4"
wait_for '[ "$(acted "fail user=dd 1")" = 1 ]' || fail "dd 1"
wait_for 'grep -q "^cursor s=" $C' || fail "cursor not saved"
# the cursor is past the folded entries: their digest is on disk
grep -aq "^odg " $D 2>/dev/null || fail "cursor saved before the digest"
crash
grep -q '^\[digest\]' acts && fail "summary ran before the kill"
start --state-dir state
wait_for 'grep -q "^\[digest\] 3 more lines for rule j.conf:2 .*|3$" acts' 20 ||
    fail "digest lost after SIGKILL: $(cat acts)"
stop
[ "$(grep -c '^\[digest\]' acts)" = 1 ] || fail "summary not once"
[ "$(grep -c 'user=dd' acts)" = 2 ] || fail "dd entries acted again"
pass
