#!/bin/bash
# t_journal_basic.sh WATCHFOR — "#% input-journal directory=DIR": a rule
# echoes journal entries as rsyslog-shaped lines; the first start begins
# at the tail (old entries are not replayed); entries appended to the
# same file, and to a new file in the directory, reach the running
# daemon; multi-line and non-UTF-8 messages stay one line (#012); an
# idle daemon does not wake up for the journal; a reload keeps it.
. "$(dirname "$0")/journal/lib.sh"

jw x "old|1|6||old entry one" "old|1|6||old entry two"
cat > j.conf <<'EOC'
#% input-journal directory=j
watchfor /./
	echo
EOC
start
jw x "postfix/smtpd|2733|6||connect from a[192.0.2.1]"
wait_for '[ "$(count connect)" = 1 ]' || fail "appended entry not seen"
[ "$(count 'old entry')" = 0 ] || fail "old entries replayed at first start"
lines | grep -qxE '20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]\.[0-9]{6}\+00:00 mx1 postfix/smtpd\[2733\]: connect from a\[192\.0\.2\.1\]' ||
    fail "line not shaped like rsyslog's"

# the exact bytes: pid and ident missing, control bytes, latin-1
jw x "kernel||3||sda: I/O error" "||6||no ident at all" \
    "app|7|6||one\ntwo\tthree\n" 'app|8|6||caf\xe9'
wait_for '[ "$(count "caf")" = 1 ]' || fail "escaped entries not seen"
lines | sed -E 's/^[^ ]+ //' > got
printf '%s\n' 'mx1 postfix/smtpd[2733]: connect from a[192.0.2.1]' \
    'mx1 kernel: sda: I/O error' 'mx1 no ident at all' \
    'mx1 app[7]: one#012two#011three' "mx1 app[8]: caf$(printf '\xe9')" > want
cmp want got || { diff want got | cat -A; fail "line bytes differ"; }

# a new journal file in the directory is picked up too
jw y "cron|99|6||from a new file"
wait_for '[ "$(count "from a new file")" = 1 ]' || fail "new file not read"

# idle: no wake-up for the journal (inotify, no polling) in 3 s
sw() { awk '/^voluntary_ctxt_switches/ { print $2 }' /proc/$PID/status; }
sleep 0.5
a=$(sw)
sleep 3
b=$(sw)
[ $((b - a)) -le 1 ] || fail "woke up $((b - a)) times in 3 idle seconds"
# a reload that changes the journal input says it applies at the next start
sed -i 's/^#% input-journal directory=j$/#% input-journal directory=j unit=x/' j.conf
kill -HUP $PID
wait_for 'grep -q "changes inputs .*next start" err' ||
    fail "changed input-journal not reported at reload"
jw y "cron|99|6||after the reload"
wait_for '[ "$(count "after the reload")" = 1 ]' ||
    fail "the running journal input changed at reload"
stop
[ "$(count .)" = 7 ] || fail "$(count .) lines, want 7"
pass
