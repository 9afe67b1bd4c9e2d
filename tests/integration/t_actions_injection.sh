#!/usr/bin/env bash
# t_actions_injection.sh WATCHFOR — shell payloads in log lines stay data
# in every action that runs a program (exec direct and under a shell in
# each quoting context, pipe, mail with a capture in mailer=, write):
# no payload creates a file, and each is printed literally. Records are
# separated by %% so that one can hold a newline. Exit 0 pass, 1 fail.
set -u
prog=$(readlink -f "$1")
work=$(mktemp -d "${TMPDIR:-/tmp}/t_actions_injection.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
fail=0
bad() { echo "FAIL: $*"; fail=1; }

cat > fake-mailer <<'EOF'
#!/bin/sh
printf 'mailer-args:'
printf ' [%s]' "$@"
printf '\n'
sed 's/^/| /'
EOF
cat > fake-write <<'EOF'
#!/bin/sh
printf 'write-to: [%s] ' "$1"
cat
EOF
chmod +x fake-mailer fake-write
touch aaa bbb		# for a glob to find

cat > config <<'EOF'
watchfor /^E (.*)$/s
	exec echo exec-direct: $1
	exec printf 'exec-shell: %s\n' $1 | cat
	exec printf 'exec-sq: %s\n' '$1' | cat
	exec printf '%s\n' "exec-dq: $1" | cat
	exec printf 'exec-subst: %s\n' "\$(printf %s $1)"
	exec echo exec-line: $0
	pipe cat,message=pipe: $1\n
	mail root,subject=S $1,mailer=./fake-mailer $1
	write $1,write=./fake-write,message=write-msg: $1
EOF

payloads=(
	'$(touch pwned1)'
	'`touch pwned2`'
	'x; touch pwned3'
	'x | touch pwned4'
	"x' ; touch pwned5 ; '"
	'x" ; touch pwned6 ; "'
	'*'
	$'x\ntouch pwned8'
	$'a\rb'
	'x && touch pwned10 #'
	'${HOME} ~ $0'
	'\\; \"'
)
: > input
for p in "${payloads[@]}"; do
	printf 'E %s%%%%' "$p" >> input
done

out=$("$prog" --config-file=config --examine=input \
    --input-record-separator=%% 2> stderr)
status=$?
[ $status = 0 ] || bad "exit status $status"
[ -s stderr ] && { bad "stderr:"; cat stderr; }
for f in pwned*; do
	[ -e "$f" ] && bad "payload ran: $f exists"
done
for p in "${payloads[@]}"; do
	for label in exec-direct exec-shell exec-sq exec-dq exec-subst \
	    write-msg; do
		[[ "$out" == *"$label: $p"* ]] || bad "$label: not literal: $p"
	done
	[[ "$out" == *"exec-line: E $p"* ]] || bad "exec-line: $p"
	[[ "$out" == *"pipe: $p"* ]] || bad "pipe: $p"
	[[ "$out" == *"mailer-args: [$p]"* ]] || bad "mailer arg: $p"
	body=${p//$'\n'/$'\n| '}
	[[ "$out" == *"| E $body"* ]] || bad "mail body: $p"
	[[ "$out" == *"write-to: [$p] "* ]] || bad "write user: $p"
	# the subject holds the payload without control characters
	clean=${p//[$'\n\r']/}
	[[ "$out" == *"| Subject: S $clean"$'\n'* ]] || bad "subject: $p"
done
# no header line came from a log line
hdr=$(printf '%s\n' "$out" | grep -c '^| [A-Za-z-]*: ' )
want=$(( ${#payloads[@]} * 2 ))
[ "$hdr" -le "$want" ] || bad "$hdr header-like lines, want <= $want"

# --awk-field-syntax: fields are data too
cat > config <<'EOF'
watchfor /^A/
	exec echo awk: $2 $3 $4 $5
	exec printf 'awk-shell: %s %s %s %s\n' $2 $3 $4 $5 | cat
EOF
printf 'A $(touch pwnedA) `touch pwnedB`\n' > input
out=$("$prog" --config-file=config --examine=input --awk-field-syntax \
    2> stderr)
[ -s stderr ] && { bad "awk stderr:"; cat stderr; }
for f in pwned*; do
	[ -e "$f" ] && bad "awk payload ran: $f exists"
done
[[ "$out" == *'awk: $(touch pwnedA) `touch pwnedB`'* ]] || bad "awk: $out"
[[ "$out" == *'awk-shell: $(touch pwnedA) `touch pwnedB`'* ]] ||
    bad "awk-shell: $out"

if [ $fail = 0 ]; then
	echo "PASS t_actions_injection"
	exit 0
fi
printf '%s\n' "--- output:" "$out" | head -80
exit 1
