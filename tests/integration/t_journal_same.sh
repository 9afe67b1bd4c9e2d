#!/bin/bash
# t_journal_same.sh WATCHFOR — a journald-only system gets the same alerts
# as a file-based one: every shipped rule pack (etc/), each with a final
# rule for an end marker, runs twice in follow mode over the same lines:
# once appended to a followed file as rsyslog writes them, once written to
# the journal as the entries rsyslog would have written those lines from
# (timestamp, host, identifier, pid, message). The two outputs must be
# byte for byte the same, and not empty (but for the times at which a
# digest's lines were folded, which are the daemon's clock, not the log's).
ETC=$(cd "$(dirname "$0")/../../etc" && pwd)
. "$(dirname "$0")/journal/lib.sh"

# The input: the sample mail log, then every pack's sample-match lines 25
# times (enough to cross the thresholds), then a few system lines the
# disk and ssh packs are for, then the end marker.
{
	cat "$ETC/sample/mail.log"
	i=0
	grep -h '#% sample-match ' "$ETC"/*.conf "$ETC"/examples/*.conf |
	    sed 's/^[[:space:]]*#% sample-match //' | while IFS= read -r l; do
		for n in $(seq 10 34); do
			printf '2026-11-22T10:%02d:%02d.%06d+00:00 %s\n' \
			    $((n / 60 + i)) $((n % 60)) $((n * 7)) "$l"
		done
		i=$((i + 1))
	done
	cat <<'EOL'
2026-11-22T11:00:00.000001+00:00 mx1 sshd[812]: Failed password for invalid user admin from 198.51.100.7 port 4242 ssh2
2026-11-22T11:00:01.000002+00:00 mx1 sshd[812]: Failed password for root from 198.51.100.7 port 4243 ssh2
2026-11-22T11:00:02.000003+00:00 mx1 sshd[813]: Accepted publickey for root from 192.0.2.9 port 5151 ssh2
2026-11-22T11:00:03.000004+00:00 mx1 kernel: blk_update_request: I/O error, dev sdb, sector 2048 op 0x0:(READ)
2026-11-22T11:00:04.000005+00:00 mx1 kernel: EXT4-fs (sdb1): mounted filesystem with ordered data mode
2026-11-22T11:00:05.000006+00:00 mx1 kernel: EXT4-fs error (device sdb1): ext4_find_entry:1455: inode #2: comm ls: reading directory lblock 0
2026-11-22T11:00:06.000007+00:00 mx1 watchfor-test[1]: END
EOL
} > lines
[ "$(wc -l < lines)" -gt 250 ] || fail "input not built"

# export: the journal entries for `lines` (rsyslog's parse of each line)
python3 - lines > export.bin <<'EOF' || fail "export stream"
import sys, struct, re, datetime
out = sys.stdout.buffer
pat = re.compile(rb'^(\S+) (\S+) ([^\[: ]+)(?:\[(\d+)\])?: (.*)$')
for i, raw in enumerate(open(sys.argv[1], "rb").read().splitlines()):
    m = pat.match(raw)
    if not m:
        sys.exit("cannot parse: %r" % raw)
    ts, host, ident, pid, msg = m.groups()
    t = datetime.datetime.fromisoformat(ts.decode())
    us = int(t.timestamp()) * 1000000 + t.microsecond
    def field(k, v):
        out.write(k.encode() + b"=" + v + b"\n")
    field("__REALTIME_TIMESTAMP", str(us).encode())
    field("__MONOTONIC_TIMESTAMP", str(1000000 + i).encode())
    field("_BOOT_ID", b"0123456789abcdef0123456789abcdef")
    field("_HOSTNAME", host)
    field("SYSLOG_IDENTIFIER", ident)
    if pid:
        field("SYSLOG_PID", pid)
    field("PRIORITY", b"6")
    out.write(b"MESSAGE\n" + struct.pack("<Q", len(msg)) + msg + b"\n\n")
EOF

# fold_times: a throttle digest's "from T to T" (wall clock) as <T>
fold_times() {
	sed -E 's/^(.*\[digest\] .* from )[0-9T:.-]+Z to [0-9T:.-]+Z,/\1<T> to <T>,/'
}

# run_both CONF: the outputs of the file run and the journal run
run_both() {
	local conf=$1 name
	name=$(basename "$conf" .conf)
	{ cat "$conf"; printf '\nwatchfor /watchfor-test\\[1\\]: END$/\n\techo\n'; } > pack.conf
	# file-based
	: > log
	{ echo "#% input log"; cat pack.conf; } > j.conf
	start
	cat lines >> log
	wait_for 'grep -q "watchfor-test\[1\]: END" out' 30 ||
	    fail "$name: file run did not reach the end marker"
	stop
	lines | fold_times > "file.$name"
	# journal-based: the entries written after the daemon started
	rm -rf j
	mkdir j
	"$JR" -o j/empty.journal - < /dev/null > jr.log 2>&1 || true
	{ echo "#% input-journal directory=j"; cat pack.conf; } > j.conf
	start
	"$JR" -o j/x.journal - < export.bin > jr.log 2>&1 ||
	    { cat jr.log; fail "systemd-journal-remote failed"; }
	wait_for 'grep -q "watchfor-test\[1\]: END" out' 30 ||
	    fail "$name: journal run did not reach the end marker"
	stop
	lines | fold_times > "journal.$name"
	cmp "file.$name" "journal.$name" >/dev/null || {
		diff "file.$name" "journal.$name" | head -20 | cat -A
		fail "$name: the journal run's alerts differ from the file run's"
	}
	# more than the end marker: the pack alerted on its lines
	[ "$(wc -l < "file.$name")" -ge 2 ] ||
	    fail "$name: no alert at all (the comparison proves nothing)"
	echo "$name: $(($(wc -l < "file.$name") - 1)) alerts, the same from both"
}

for conf in "$ETC"/postfwd-rate.conf "$ETC"/examples/*.conf; do
	run_both "$conf"
done
# the brute-force pack folds the later alerts of one client into a digest
# (25 failures: the 5th alerts, the 10th to 25th fold)
grep -q '\[digest\] 4 more lines for rule j\.conf:[0-9]* from <T>' \
    file.sasl-bruteforce || fail "sasl-bruteforce: no digest of the 4 later alerts"
pass
