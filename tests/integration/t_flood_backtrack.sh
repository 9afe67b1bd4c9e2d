#!/bin/bash
# t_flood_backtrack.sh WATCHFOR — lines crafted against regular
# expressions never hang watchfor. (1) Each config shipped in etc/ over
# near-miss lines of up to 1 MiB built from its own patterns' pieces
# (long runs of "client=x, ", "[", digits, blanks): each one-pass run ends
# within 30 s. (2) The textbook catastrophic pattern /^(a+)+$/ over 200
# lines "aaa...ab": PCRE2's match limit (10,000,000 steps) stops each
# match, counted as no match and logged once for the pattern, not per
# line; a later line still matches another rule.
SRC=$(cd "$(dirname "$0")/../.." && pwd)
. "$SRC/tests/shim/lib.sh"
LIMIT_S=30

python3 - <<'EOF'
pieces = [b"client=x, ", b"user=", b"[", b"]: ", b"1", b" ", b"a", b"sshd[1]: ",
          b"Failed password for ", b"invalid user ", b"warning: h[1.2.3.4]: ",
          b"I/O error, dev ", b"EXT4-fs ", b"ata1.", b"=", b","]
prefixes = [b"", b"Nov 22 19:36:59 mx1 postfwd2/policy[2733]: [RULES] rule=0, id=RULE-RATE, ",
            b"Nov 22 19:36:59 mx1 sshd[12]: Failed password for ",
            b"Nov 22 19:36:59 mx1 postfix/smtpd[1]: warning: ",
            b"Nov 22 19:36:59 mx1 kernel: "]
with open("crafted.log", "wb") as f:
    for pre in prefixes:
        for p in pieces:
            for size in (1000, 100000, 1 << 20):
                f.write(pre + p * (size // len(p)) + b"\n")
EOF
n=0
for conf in "$SRC"/etc/*.conf "$SRC"/etc/examples/*.conf; do
	[ -f "$conf" ] || continue
	SECONDS=0
	timeout $((LIMIT_S * 2)) "$BIN" -c "$conf" --examine=crafted.log \
	    > ex.out 2> ex.err
	st=$?
	echo "$(basename "$conf"): ${SECONDS}s, status $st"
	[ "$st" = 124 ] && fail "$(basename "$conf"): killed after $((LIMIT_S * 2)) s"
	[ "$SECONDS" -le "$LIMIT_S" ] || fail "$(basename "$conf"): ${SECONDS}s"
	[ "$st" = 0 ] || fail "$(basename "$conf"): exit status $st: $(head -3 ex.err)"
	n=$((n + 1))
done
[ "$n" -ge 4 ] || fail "only $n configs in etc/"

printf 'watchfor /^(a+)+$/\n\techo normal,message=catastrophic\nwatchfor /^MARK/\n\techo normal\n' > c
python3 -c '
with open("evil.log", "w") as f:
    for i in range(200):
        f.write("a" * 40 + "b\n")
    f.write("MARK after\n")
'
SECONDS=0
timeout $((LIMIT_S * 2)) "$BIN" -c c --examine=evil.log > ex.out 2> ex.err
st=$?
echo "(a+)+\$: ${SECONDS}s, status $st"
[ "$st" = 0 ] || fail "catastrophic pattern: status $st"
[ "$SECONDS" -le "$LIMIT_S" ] || fail "catastrophic pattern: ${SECONDS}s"
grep -qx "MARK after" ex.out || fail "line after the catastrophic ones"
grep -q catastrophic ex.out && fail "a limited match counted as a match"
[ "$(grep -c 'match limit' ex.err)" = 1 ] ||
    fail "limit logged $(grep -c 'match limit' ex.err) times (want once): $(head -3 ex.err)"
pass
