#!/bin/bash
# Commands where watchfor cannot pass a capture to the shell safely are
# refused with a located error (fail closed), and the constructs it does
# model keep the capture as data. From a security review.
set -u
BIN=$(readlink -f "${1:?usage: t_actions_unsafe.sh path/to/watchfor}")
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1
fail() { echo "FAIL: $*"; exit 1; }

# refused: heredoc, arithmetic, [[, case, eval, a capture as the command
# (also after a newline from \n), write= with shell syntax
refused() { # action line, message part
	printf 'watchfor /user=(.*)/\n\t%s\n' "$1" > c.conf
	echo 'user=x' > in
	"$BIN" -c c.conf --examine in > out 2> err
	rc=$?
	[ $rc = 2 ] || fail "not refused ($rc): $1"
	grep -q "c.conf:2:.*$2" err || { cat err; fail "message for: $1"; }
	"$BIN" --check -c c.conf > out 2> err
	[ $? = 1 ] || fail "--check accepts: $1"
}
refused 'exec cat <<EOF\nsay "hi\nEOF\nprintf "[%s]\\n" $1' 'safely'
refused 'exec echo \$(($1 + 1))' 'exec:'
refused 'exec [[ -n $1 ]] && echo y' 'safely'
refused 'exec echo \$(case a in a) echo "it'"'"'s $1" ;; esac)' 'safely'
refused 'exec eval echo $1 >/dev/null' 'safely'
refused 'exec printf %s\n $1' 'command to run'
refused 'exec $1 arg' 'program to run'
refused 'exec echo a; $1' 'command to run'
refused 'write $1,write=logger -t alert;' 'write= must name a program'

# a # right after $(...) is part of the word, not a comment: the capture
# stays one quoted argument
printf 'watchfor /user=(.*)/\n\texec printf "[%%s]\\n" \\$(echo x)#tag $1 > got\n' > c.conf
echo 'user=a b * -o -exec touch pwned ;' > in
"$BIN" -c c.conf --examine in > out 2> err || fail "status $?"
ls pwned 2>/dev/null && fail "payload ran"
grep -qxF '[a b * -o -exec touch pwned ;]' got || { cat got; fail "capture split"; }

# a capture over 128 KiB is cut, the command still runs (the alert stays)
printf 'watchfor /user=(.*)/\n\texec printf "%%.5s\\n" "$1" | cat > got\n' > c.conf
python3 -c "print('user=' + 'A' * 1048576)" > in
"$BIN" -c c.conf --examine in > out 2> err || fail "status $?"
grep -qx AAAAA got || fail "long capture: command did not run"
grep -q "capture of 1048576 bytes cut to 65536" err || fail "cut not logged"
echo "PASS t_actions_unsafe"
