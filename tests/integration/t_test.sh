#!/bin/bash
# --test FILE: every hit with its rule, captures and what each action would
# do (commands as argv or script plus the variables carrying the log text,
# the mail's bytes), throttles simulated with the log's own timestamps, a
# summary per rule; --verbose lists the lines no rule matched. Nothing
# runs: no command, no mail, no state.
set -u
BIN=$(readlink -f "${1:?usage: t_test.sh path/to/watchfor}")
HERE=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
cd "$T" || exit 1
cp "$HERE/dryrun/throttle.conf" "$HERE/dryrun/throttle.log" .
"$BIN" -c throttle.conf --test throttle.log --verbose > out 2> err
rc=$?
[ $rc = 0 ] || { cat err; fail "status $rc"; }
[ -s err ] && { cat err; fail "stderr not empty"; }
diff -u "$HERE/dryrun/throttle.expected" out || fail "report"
ls ran-* alerts 2>/dev/null && fail "an action ran"
# the 1-hour throttle used the lines' times: line 2 held, line 3 passed
grep -q 'held back, key "bob"' out || fail "throttle not simulated"
grep -q '(seen 3 times)' out || fail "throttle annotation"
# without --verbose, no "no rule" lines
"$BIN" -c throttle.conf --test throttle.log > out2 2> err || fail "status"
grep -q "no rule" out2 && fail "no rule lines without --verbose"
# a config with errors: reported in watchfor's voice, status 1
printf 'watchfor /a(/\n\techo\n' > bad.conf
"$BIN" -c bad.conf --test throttle.log > out 2> err
[ $? = 1 ] || fail "bad config status"
grep -q "bad.conf:1:.*bad pattern" err || fail "bad config message"
# a missing test file: status 2
"$BIN" -c throttle.conf --test nosuch.log > out 2> err
[ $? = 2 ] || fail "missing file status"
echo "PASS t_test"
