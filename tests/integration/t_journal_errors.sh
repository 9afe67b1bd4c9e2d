#!/bin/bash
# t_journal_errors.sh WATCHFOR — a bad input-journal line is a --check
# error at file:line:col; --check needs no libsystemd; a libsystemd that
# cannot be loaded or a journal that cannot be opened stops the start
# with a clear message and status 2, not a crash.
set -u
BIN=$(readlink -f "${1:?usage: t_journal_errors.sh path/to/watchfor}")
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; cat err 2>/dev/null; exit 1; }
cd "$T" || exit 1
unset STATE_DIRECTORY

cat > bad.conf <<'EOC'
#% input-journal unit=postfix@- priority=loud
#% input-journal identifier=sshd bogus
#% input-journal directory=/a
#% input-journal directory=/b _COMM=cron
#% input-journal comm=cron
watchfor /x/
	echo
EOC
cat > want <<'EOC'
bad.conf:1:33: input-journal: priority "loud" is not 0..7 or one of emerg, alert, crit, err, warning, notice, info, debug
bad.conf:2:34: input-journal: "bogus" is not NAME=VALUE (unit=, identifier=, priority=, directory=, FIELD=, or "all")
bad.conf:4:18: input-journal: directory "/b" differs from "/a" given before: one journal is read
bad.conf:5:18: input-journal: unknown match "comm" (unit, identifier, priority, directory, or a journal field in capitals)
EOC
WATCHFOR_LIBSYSTEMD=/nonexistent/libsystemd.so.0 "$BIN" --check -c bad.conf \
    > out 2> err
rc=$?
[ $rc = 1 ] || fail "bad config: --check status $rc"
diff -u want err || fail "bad config: messages"

cat > good.conf <<'EOC'
#% input-journal unit=postfix@- identifier=postfix/smtpd priority=info
#% input-journal all
watchfor /x/
	echo
EOC
WATCHFOR_LIBSYSTEMD=/nonexistent/libsystemd.so.0 "$BIN" --check -c good.conf \
    > out 2> err || fail "good config: --check status $?"
[ -s err ] && fail "good config: messages"

# libsystemd missing: status 2, said once, no crash
WATCHFOR_LIBSYSTEMD=/nonexistent/libsystemd.so.0 timeout 10 "$BIN" \
    -c good.conf > out 2> err < /dev/null
rc=$?
[ $rc = 2 ] || fail "libsystemd missing: status $rc"
grep -q 'input-journal: cannot load /nonexistent/libsystemd.so.0 .*without libsystemd' err ||
    fail "libsystemd missing: message"

# a journal directory that does not exist
printf '#%% input-journal directory=%s/none\nwatchfor /x/\n\techo\n' "$T" \
    > nodir.conf
timeout 10 "$BIN" -c nodir.conf > out 2> err < /dev/null
rc=$?
if [ $rc = 0 ] || [ $rc = 124 ]; then
	fail "missing journal directory: status $rc"
fi
[ $rc = 2 ] || fail "missing journal directory: status $rc"
grep -q "input-journal: cannot open $T/none: No such file or directory" err ||
    fail "missing journal directory: message"
echo PASS
