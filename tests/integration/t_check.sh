#!/bin/bash
# --check: every problem of a config at once as file:line:col, sorted,
# exit 1; a clean config exits 0 silently; the shipped configs are clean;
# --check runs nothing. Also --dump-script.
set -u
BIN=$(readlink -f "${1:?usage: t_check.sh path/to/watchfor}")
HERE=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
cd "$T" || exit 1

cp "$HERE/check/bad.conf" .
"$BIN" --check -c bad.conf > out 2> err
rc=$?
[ $rc = 1 ] || fail "bad config: status $rc"
[ -s out ] && fail "bad config: stdout not empty"
diff -u "$HERE/check/bad.expected" err || fail "bad config: messages"

for f in "$HERE"/../../etc/*.conf "$HERE"/../../etc/examples/*.conf; do
	(cd "$(dirname "$f")" && "$BIN" --check -c "$(basename "$f")") \
	    > out 2> err
	rc=$?
	[ $rc = 0 ] || { cat err; fail "$f: status $rc"; }
	[ -s out ] || [ -s err ] && fail "$f: output on a clean config"
done

# --check runs nothing: no action, even with matching input on stdin
printf 'watchfor /x/\n\texec touch ran\n' > c
echo x | "$BIN" --check -c c > out 2> err || fail "clean config: status $?"
[ -e ran ] && fail "--check ran an action"

# a missing config is reported in watchfor's voice, status 1
"$BIN" --check -c nosuch.conf > out 2> err
[ $? = 1 ] || fail "missing config: status"
grep -q "nosuch.conf" err || fail "missing config: message"

# --dump-script: the config as read, to stdout or a file, exit 0
printf 'watchfor /user=(\\w+)/\n\texec echo a,echo b\n\techo red bold\n' > d
"$BIN" -c d --dump-script > out 2> err || fail "dump: status $?"
cat > want <<'WANT'
### Watcher Script BEGIN ###
watchfor /user=(\w+)/	# d:1, rule 1
	exec arg="echo b"	# d:2
	echo modes="red bold"	# d:3
### Watcher Script END ###
WANT
diff -u want out || fail "dump to stdout"
"$BIN" -c d --dump-script=f > out 2> err || fail "dump to file: status"
diff -u want f || fail "dump to a file"
# as root, a config (or include) that others may write is refused
if [ "$(id -u)" = 0 ]; then
	printf 'watchfor /x/\n\techo\n' > ww.conf
	chmod 0666 ww.conf
	echo x > ww.in
	"$BIN" -c ww.conf --examine ww.in > out 2> err
	[ $? = 2 ] || fail "world-writable config: status"
	grep -q "ww.conf: writable by others (mode 0666" err ||
	    fail "world-writable config: message"
	printf 'include ww.conf\nwatchfor /y/\n\techo\n' > inc.conf
	"$BIN" --check -c inc.conf > out 2> err
	[ $? = 1 ] || fail "world-writable include: --check status"
	grep -q '^inc.conf:1:9: "ww.conf" is writable by others' err ||
	    fail "world-writable include: message"
	chmod 0644 ww.conf
	"$BIN" -c ww.conf --examine ww.in > out 2> err ||
	    fail "0644 config refused"
else
	echo "skip: writable-config checks need root"
fi
# a pattern that can backtrack catastrophically: a warning at its
# file:line:col, status 0; a normal run says nothing about it
printf 'watchfor /fine=(\\w+)/\n\techo\n\nwatchfor   /^(a+)+$/\n\techo\n' \
    > redos.conf
"$BIN" --check -c redos.conf > out 2> err
rc=$?
[ $rc = 0 ] || { cat err; fail "redos: status $rc"; }
[ -s out ] && fail "redos: stdout not empty"
[ "$(wc -l < err)" = 1 ] || { cat err; fail "redos: one warning"; }
grep -q '^redos\.conf:4:14: warning: /^(a+)+\$/ can take exponential time on some lines (nested quantifier "(a+)+", confirmed: a 31-byte line needs more than a million steps); watchfor stops such a match at its limit, but the line is then not matched$' err ||
    { cat err; fail "redos: message"; }
printf 'aaaa\nfine=1\n' > redos.in
"$BIN" -c redos.conf --examine redos.in > out 2> err ||
    fail "redos: normal run status $?"
grep -q "can take" out err && fail "redos: a normal run warned"
grep -qx "aaaa" out || { cat out err; fail "redos: normal run output"; }

echo "PASS t_check"
