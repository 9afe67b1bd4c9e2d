#!/usr/bin/env bash
# t_etc_copies.sh — the example-* cases run copies of the configs in etc/
# (a case runs in a scratch copy of its own folder, so it cannot include
# ../../etc directly). Fail when a copy has drifted from etc/.
#
#   bash t_etc_copies.sh [PROGRAM]     (PROGRAM is ignored)
set -u
here=$(dirname "$(readlink -f "$0")")
etc=$here/../../etc
cases=$here/cases
rc=0
check() { # $1 = etc file, $2 = copy
	if ! cmp -s "$1" "$2"; then
		echo "FAIL: $2 differs from $1 (copy it and re-record the case)"
		rc=1
	fi
}
check "$etc/postfwd-rate.conf" "$cases/example-postfwd-rate/postfwd-rate.conf"
check "$etc/sample/mail.log" "$cases/example-postfwd-rate/input"
for f in "$etc"/examples/*.conf; do
	n=$(basename "$f" .conf)
	check "$f" "$cases/example-$n/$n.conf"
done
[ $rc = 0 ] && echo "PASS: etc/ copies in sync"
exit $rc
