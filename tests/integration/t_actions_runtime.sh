#!/usr/bin/env bash
# t_actions_runtime.sh WATCHFOR — how exec, pipe, mail and write run in
# one-pass mode under watchfor's own name: children are waited for in
# order, get /dev/null and no descriptor beyond 2, a program that cannot
# run is reported and stops nothing (no second watcher, swatchdog's B10),
# a pipe command that does not read cannot kill watchfor (SIGPIPE), a
# failing mailer is reported, a kept-open pipe is closed by write.
# Exit 0 pass, 1 fail.
set -u
prog=$(readlink -f "$1")
work=$(mktemp -d "${TMPDIR:-/tmp}/t_actions_runtime.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
ln -s "$prog" watchfor
fail=0
bad() { echo "FAIL: $*"; fail=1; }

cat > fake-write <<'EOF'
#!/bin/sh
printf 'to %s: ' "$1"
cat
echo "stderr is discarded" >&2
EOF
chmod +x fake-write

cat > config <<'EOF'
watchfor /^order/
	exec sh -c 'sleep 0.3; echo slow'
	exec echo fast
watchfor /^fds/
	exec ls /proc/self/fd
	exec wc -c
watchfor /^missing/
	exec no-such-program-xyz arg
	echo normal,message=after missing
watchfor /^big/
	pipe true
	echo normal,message=after big pipe
watchfor /^mailfail/
	mail root,mailer=false
	echo normal,message=after mail
watchfor /^keep (\w+)/
	pipe cat,keep_open=1,message=$1
watchfor /^wr/
	write alice,write=./fake-write,message=hello
EOF
{
	echo order
	echo fds
	echo missing
	printf 'big %0300000d\n' 0
	echo mailfail
	echo keep one
	echo keep two
	echo wr
	echo keep three
} > input

./watchfor --config-file=config --examine=input > stdout 2> stderr
status=$?
[ $status = 0 ] || bad "exit status $status"
want_out=$(cat <<'EOF'

*** watchfor version <V> (pid:<PID>) started at <DATE>

slow
fast
0
1
2
3
0
after missing
after big pipe
after mail
onetwoto alice: hello
three
EOF
)
got_out=$(sed -E 's/^\*\*\* (\S+) version \S+ \(pid:[0-9]+\) started at .*/*** \1 version <V> (pid:<PID>) started at <DATE>/' stdout)
[ "$got_out" = "$want_out" ] || {
	bad "stdout differs:"
	diff <(echo "$want_out") <(echo "$got_out")
}
want_err='watchfor: exec: cannot run "no-such-program-xyz": No such file or directory
watchfor: mail: "false" exited with status 1'
[ "$(cat stderr)" = "$want_err" ] || {
	bad "stderr differs:"
	diff <(echo "$want_err") stderr
}

if [ $fail = 0 ]; then
	echo "PASS t_actions_runtime"
	exit 0
fi
exit 1
