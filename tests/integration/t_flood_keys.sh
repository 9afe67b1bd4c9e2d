#!/bin/bash
# t_flood_keys.sh WATCHFOR — 1,000,000 distinct throttle keys (key=$1) in
# one pass (--examine): every first sighting of a key acts; the key table
# is capped (100,000 keys, least recently used dropped), which is logged
# at the 1st, 10th, 100th, ... drop, not once per drop; peak memory stays
# under 64 MB. Then 2,000 keys of 64 KiB each (128 MB of key text): the
# table's byte cap (64 MiB of keys) keeps peak memory under 128 MB.
# (Bounds times 3 under AddressSanitizer.)
. "$(dirname "$0")/../shim/lib.sh"
N=${FLOOD_KEYS:-1000000}
printf 'watchfor /user=(\\S+)/\n\tthrottle 1:00:00,key=$1\n\techo normal,message=first $1\n' > c

# examine FILE: runs --examine; sets ST (exit status) and RSS (peak kB).
examine() {
	python3 - "$BIN" "$1" <<'EOF' > ex.out 2> ex.err || fail "--examine: $(tail -3 ex.err)"
import os, sys
pid = os.fork()
if pid == 0:
    fd = os.open("ex.stdout", os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    os.dup2(fd, 1)
    os.execv(sys.argv[1], [sys.argv[1], "-c", "c", "--examine=" + sys.argv[2]])
_, status, ru = os.wait4(pid, 0)
print(os.waitstatus_to_exitcode(status), ru.ru_maxrss)
EOF
	read -r ST RSS < ex.out
}

python3 -c '
import sys
n = int(sys.argv[1])
with open("keys.log", "wb") as f:
    f.write(b"".join(b"Nov 22 19:36:59 mx1 auth: login user=u%07d\n" % i
        for i in range(n)))
    # the first key again: long dropped from the table, so it acts again
    f.write(b"Nov 22 19:37:00 mx1 auth: login user=u0000000\n")
    # the last key again: still remembered, held back
    f.write(b"Nov 22 19:37:01 mx1 auth: login user=u%07d\n" % (n - 1))
' "$N"
SECONDS=0
examine keys.log
echo "$N keys: ${SECONDS}s, status $ST, max RSS $RSS kB"
[ "$ST" = 0 ] || fail "exit status $ST"
[ "$(grep -c '^first ' ex.stdout)" = $((N + 1)) ] ||
    fail "$(grep -c '^first ' ex.stdout) actions, want $((N + 1))"
[ "$(grep -cx 'first u0000000' ex.stdout)" = 2 ] || fail "dropped key not new again"
[ "$RSS" -le $((64 * 1024 * MEMX)) ] || fail "max RSS $RSS kB over $((64 * MEMX)) MB"
grep -q "key table full (at most 100000 keys, 64 MiB of keys): least recently used keys dropped, 1 so far" ex.err ||
    fail "eviction not logged: $(head -3 ex.err)"
nlog=$(grep -c 'key table full' ex.err)
[ "$nlog" -le 7 ] || fail "eviction logged $nlog times"

python3 -c '
with open("long.log", "wb") as f:
    for i in range(2000):
        f.write(b"user=%05d%s\n" % (i, b"k" * 65536))
'
examine long.log
echo "2000 keys of 64 KiB: status $ST, max RSS $RSS kB"
[ "$ST" = 0 ] || fail "long keys: exit status $ST"
[ "$(grep -c '^first ' ex.stdout)" = 2000 ] || fail "long keys: actions"
[ "$RSS" -le $((128 * 1024 * MEMX)) ] || fail "long keys: max RSS $RSS kB over $((128 * MEMX)) MB"
grep -q "key table full" ex.err || fail "long keys: byte cap not logged"
pass
