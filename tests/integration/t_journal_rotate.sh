#!/bin/bash
# t_journal_rotate.sh WATCHFOR — rotation and vacuum go through
# sd_journal: a journal file deleted under the running daemon (vacuum)
# and a new one appearing (rotation) keep the input going; a restart
# whose saved entry was vacuumed while down reads the entries written
# after it once, and none of the older ones.
. "$(dirname "$0")/journal/lib.sh"

cat > j.conf <<'EOC'
#% input-journal directory=j
watchfor /./
	echo
EOC
jw x "app|1|6||a0"
start --state-dir state
jw x "app|1|6||a1"
wait_for '[ "$(count a1)" = 1 ]' || fail "a1 not read"
# rotation: the active file archived under another name, a new one
mv j/x.journal j/x@0001-0001.journal~
jw x2 "app|1|6||b1 after rotation"
wait_for '[ "$(count "b1 after")" = 1 ]' || fail "entry after rotation lost"
# vacuum: the archived file deleted
rm j/x@0001-0001.journal~
jw x2 "app|1|6||b2 after vacuum"
wait_for '[ "$(count "b2 after")" = 1 ]' || fail "entry after vacuum lost"
stop
[ "$(count .)" = 3 ] || fail "$(count .) lines, want 3"

# the file of the saved entry vacuumed while down
jw x3 "app|1|6||c1 while down"
rm j/x2.journal
jw x3 "app|1|6||c2 while down"
start --state-dir state
wait_for '[ "$(count "c2 while down")" = 1 ]' || fail "c2 lost"
jw x3 "app|1|6||c3"
wait_for '[ "$(count c3)" = 1 ]' || fail "c3 not read"
stop
[ "$(count 'c1 while down')" = 1 ] || fail "c1 read $(count 'c1 while down') times"
[ "$(count 'b[12]|a[01]')" = 0 ] || fail "vacuumed or old entries read again"
pass
