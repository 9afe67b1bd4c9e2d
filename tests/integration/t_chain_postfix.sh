#!/bin/bash
# Issue 5's end-to-end acceptance: a real Postfix + postfwd + rsyslog chain,
# its mail log rotated like logrotate does, loses and repeats no alert.
#
# Needs root and the Debian packages postfix, rsyslog and postfwd, which it
# installs when missing only in CI (chain/install-pkgs.sh: no service is
# started); exit 77 when they or the namespaces cannot be had. The machine's own Postfix, rsyslog, /etc and /var/log are
# not touched: the test re-runs itself in a private mount and PID namespace
# (all its daemons die with it) where /dev is a private tmpfs holding copies
# of the few device nodes needed and /dev/log, the socket of a private
# rsyslogd; the host's /dev does not change. In the temporary directory T:
# - rsyslogd -n -f T/rsyslog.conf (chain/rsyslog.conf: Debian 12's format,
#   RFC 3339 high-precision timestamps) writes mail.* to T/log/mail.log;
# - a Postfix instance (postfix -c T/etc start) with its own queue and data
#   directories, smtpd on 127.0.0.1 and a free port, the domain chain.test
#   relayed to the discard transport, and check_policy_service to
# - postfwd2 on another free port (chain/postfwd.cf: RULE-RATE, more than 3
#   requests per sender in 300 s are rejected, --cache=0, --summary=1 for
#   "[STATS] ... RULE-RATE" lines, its cache daemon on a socket in T rather
#   than the shared /var/tmp one), logging through syslog;
# - watchfor (chain/postfwd-rate-sender.conf: the shipped etc/postfwd-rate.conf
#   keyed on the sender, since there is no SASL user here) following the mail
#   log with a state directory, mailing through a fake mailer into T/mbox.
# chain/send.py sends mails over SMTP; each of 15 senders sends more than the
# rate allows. Between batches: rename rotations exactly like Debian's
# logrotate rsyslog config (older generations shifted and gzipped with
# delaycompress, mail.log renamed to mail.log.1, a new one created as
# logrotate's "create" does, then rsyslogd gets HUP like rsyslog-rotate),
# one while watchfor is stopped (TERM, restarted on the same state dir) and
# two in a row in the middle of a batch; one copytruncate round. Checks:
# every offending sender is alerted exactly once (repeat offenders after the
# rotation and after the restart too: the throttle holds them back), the
# RULE-RATE [RULES] lines in all generations are the rejections the clients
# saw, [STATS] lines naming RULE-RATE were logged and never alerted, and the
# machine's /etc/postfix and /dev did not change.
set -u
SELF=$(readlink -f "$0")
HERE=$(dirname "$SELF")
skip() { echo "SKIP: $*"; exit 77; }

. "$HERE/chain/install-pkgs.sh"

NS="unshare --mount --propagation private --pid --fork --kill-child --mount-proc"
if [ -z "${T_CHAIN_IN_NS:-}" ]; then
	BIN=$(readlink -f "${1:?usage: t_chain_postfix.sh path/to/watchfor}")
	[ "$(id -u)" = 0 ] || skip "needs root (namespaces, Postfix)"
	for c in unshare python3 gzip logger; do
		command -v $c >/dev/null || skip "no $c"
	done
	install_pkgs postfix rsyslog postfwd || skip "no postfix, rsyslog or postfwd"
	for c in postfix postconf rsyslogd postfwd2; do
		command -v $c >/dev/null || skip "no $c"
	done
	$NS sh -c 'mount -t tmpfs none /mnt' 2>/dev/null ||
	    skip "cannot make a mount and PID namespace here"
	before=$(ls -la --time-style=+%s /dev/ | md5sum)
	T_CHAIN_IN_NS=1 $NS bash "$SELF" "$BIN"
	rc=$?
	[ "$(ls -la --time-style=+%s /dev/ | md5sum)" = "$before" ] || {
		echo "FAIL: the host's /dev changed"
		exit 1
	}
	exit $rc
fi

# ---- from here on inside the namespaces, as PID 1 ----
. "$HERE/wait.sh"
BIN=$1
# in /tmp, not $TMPDIR: Postfix's daemons (user postfix) must reach it
T=$(mktemp -d /tmp/t_chain.XXXXXX) || exit 1
chmod 755 "$T"	# Postfix's daemons run as user postfix
cd "$T" || exit 1
FAILED=0
WPID=
RPID=
PF_UP=
NSTARTS=0
cleanup() {
	[ -n "$WPID" ] && kill -KILL "$WPID" 2>/dev/null
	[ -n "$PF_UP" ] && postfix -c "$T/etc" stop >/dev/null 2>&1
	[ -s postfwd.pid ] && kill "$(cat postfwd.pid)" 2>/dev/null
	[ -n "$RPID" ] && kill "$RPID" 2>/dev/null
	if [ "$FAILED" = 0 ]; then
		cd /
		rm -rf --one-file-system "$T"
	fi
}
trap cleanup EXIT
fail() {
	echo "FAIL: $*"
	local f
	for f in err rsyslogd.err postfwd.err; do
		[ -s "$f" ] && { echo "--- $f"; tail -15 "$f"; }
	done
	echo "--- sent"; cat sent 2>/dev/null
	echo "--- alerts"; grep '^Subject:' mbox 2>/dev/null
	echo "--- log files"; ls -la log
	echo "(kept in $T)"
	FAILED=1
	exit 1
}

# ---- /dev: a tmpfs with the nodes needed and the private /dev/log ----
ETCSUM=$(cat /etc/postfix/main.cf /etc/postfix/master.cf 2>/dev/null | md5sum)
mkdir hostdev && mount --rbind /dev hostdev || fail "bind /dev"
mount -t tmpfs -o mode=755,nosuid,size=1m chaindev /dev || fail "tmpfs /dev"
for n in null zero full random urandom tty ptmx pts shm fd stdin stdout \
    stderr; do
	if [ -L "hostdev/$n" ]; then
		cp -P "hostdev/$n" "/dev/$n"
	elif [ -d "hostdev/$n" ]; then
		mkdir "/dev/$n" && mount --rbind "hostdev/$n" "/dev/$n"
	elif [ -e "hostdev/$n" ]; then
		touch "/dev/$n" && mount --bind "hostdev/$n" "/dev/$n"
	fi
done
umount -R hostdev && rmdir hostdev || fail "cannot unmount the /dev copy"
[ -e /dev/log ] && fail "/dev/log before rsyslogd"

# ---- rsyslogd ----
mkdir log rsyslog state
sed "s|@T@|$T|g" "$HERE/chain/rsyslog.conf" > rsyslog.conf
rsyslogd -n -f "$T/rsyslog.conf" -i "$T/rsyslogd.pid" \
    > rsyslogd.err 2>&1 &
RPID=$!
wait_for '[ -S /dev/log ]' || fail "rsyslogd made no /dev/log"
logger -p mail.info -t chain "chain-ready $$"
wait_for 'grep -q "chain-ready $$" log/mail.log 2>/dev/null' ||
    fail "logger's line did not reach log/mail.log"
grep -qE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{6}[+-][0-9:]{5} [^ ]+ chain: chain-ready' \
    log/mail.log || fail "not RFC 3339 high precision: $(tail -1 log/mail.log)"

freeport() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
listening() {
	python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1",int(sys.argv[1])),1).close()' "$1" 2>/dev/null
}
SMTP_PORT=$(freeport)
PFW_PORT=$(freeport)
[ "$SMTP_PORT" != "$PFW_PORT" ] || PFW_PORT=$(freeport)

# ---- postfwd2 ----
cp "$HERE/chain/postfwd.cf" postfwd.cf
chmod 644 postfwd.cf
# its own cache daemon socket: the default, /var/tmp/postfwd2-cache.socket,
# would be shared with other instances (and their rate counters); in a
# directory of the user postfwd2 runs as
mkdir postfwd && chown nobody:nogroup postfwd
postfwd2 -f "$T/postfwd.cf" -i 127.0.0.1 -p "$PFW_PORT" \
    --cache_proto=unix --cache_port="$T/postfwd/cache.socket" \
    --pidfile="$T/postfwd.pid" -u nobody -g nogroup --cache=0 --nodns \
    --summary=1 > postfwd.err 2>&1 < /dev/null
wait_for "listening $PFW_PORT" 30 || fail "postfwd2 not listening"

# ---- Postfix ----
mkdir etc spool data
chown postfix: data
cat > etc/master.cf <<EOF
$SMTP_PORT inet  n       -       n       -       -       smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
EOF
: > etc/main.cf
postconf -c "$T/etc" -e \
    "compatibility_level = 3.6" \
    "queue_directory = $T/spool" \
    "data_directory = $T/data" \
    "myhostname = mx1.chain.test" \
    "mydomain = chain.test" \
    "myorigin = \$myhostname" \
    "inet_interfaces = 127.0.0.1" \
    "inet_protocols = ipv4" \
    "mynetworks = 127.0.0.0/8" \
    "mydestination =" \
    "local_recipient_maps =" \
    "alias_maps =" \
    "alias_database =" \
    "relay_domains = chain.test" \
    "relay_recipient_maps =" \
    "relay_transport = discard:chain" \
    "default_transport = discard:chain" \
    "smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination" \
    "smtpd_recipient_restrictions = check_policy_service inet:127.0.0.1:$PFW_PORT" \
    "biff = no" || fail "postconf"
postfix -c "$T/etc" start > postfix.err 2>&1 || fail "postfix start: $(cat postfix.err)"
PF_UP=1
wait_for "listening $SMTP_PORT" 30 || fail "Postfix's smtpd not listening"

# ---- watchfor ----
cat > mailer <<EOF
#!/bin/sh
{ cat; echo '-- end of alert --'; } >> '$T/mbox'
EOF
chmod 755 mailer
sed "s|@T@|$T|g" "$HERE/chain/postfwd-rate-sender.conf" > conf
"$BIN" --check -c conf > check.out 2>&1 || fail "--check: $(cat check.out)"
start() {
	NSTARTS=$((NSTARTS + 1))
	"$BIN" -c conf >> out 2>> err &
	WPID=$!
	wait_for '[ "$(grep -c "^\*\*\* watchfor version" out)" -ge $NSTARTS ]' ||
	    fail "no banner"
}
stop() {
	kill -TERM "$WPID"
	wait "$WPID"
	local rc=$?
	WPID=
	[ $rc = 0 ] || fail "watchfor exit status $rc after TERM"
}

# ---- the drive ----
# send SENDER COUNT: COUNT mails from SENDER, the outcome appended to ./sent
send() {
	python3 "$HERE/chain/send.py" "$SMTP_PORT" "$1" "$2" >> sent 2>> err ||
	    fail "send.py $1 failed"
}
ALERTS_RE='^Subject: postfwd RULE-RATE: sender '
alerts() { cat mbox 2>/dev/null | grep -c "$ALERTS_RE"; }
# wait_alerts N: N alerts mailed
wait_alerts() {
	WANT=$1
	wait_for '[ "$(alerts)" -ge $WANT ]' 30 ||
	    fail "$(alerts) alerts, expected $WANT"
}
# rejects_logged: RULE-RATE [RULES] lines in every generation of mail.log
rejects_logged() {
	local f
	for f in log/mail.log*; do
		case $f in
		*.gz) zcat "$f" ;;
		*) cat "$f" ;;
		esac
	done | grep -cE 'postfwd2?/policy\[[0-9]+\]: \[RULES\] rule=[0-9]+, id=RULE-RATE,'
}
rejects_sent() { awk '{ n += $5 } END { print n + 0 }' sent 2>/dev/null; }
# wait_logged: every rejection the clients saw is in the log files
wait_logged() {
	wait_for '[ "$(rejects_logged)" -ge "$(rejects_sent)" ]' 30 ||
	    fail "$(rejects_logged) RULE-RATE lines, $(rejects_sent) rejections"
}
SENTINEL=0
# sentinel: watchfor has read every line logged so far
sentinel() {
	SENTINEL=$((SENTINEL + 1))
	logger -p mail.info -t chain "chain-sentinel $SENTINEL"
	wait_for 'grep -q "chain-sentinel $SENTINEL\$" out' 30 ||
	    fail "watchfor did not echo sentinel $SENTINEL"
}
# shift_generations: as logrotate with compress and delaycompress (Debian
# keeps 4 generations; all are kept here, so that every line is counted)
shift_generations() {
	local i
	for i in 8 7 6 5 4 3 2; do
		[ -e log/mail.log.$i.gz ] &&
		    mv log/mail.log.$i.gz log/mail.log.$((i + 1)).gz
	done
	[ -e log/mail.log.1 ] && mv log/mail.log.1 log/mail.log.2
}
# rotate: Debian's logrotate for rsyslog (create, then postrotate's HUP)
ROTATIONS=0
rotate() {
	ROTATIONS=$((ROTATIONS + 1))
	shift_generations
	mv log/mail.log log/mail.log.1
	install -m 640 -o root -g adm /dev/null log/mail.log
	kill -HUP "$RPID"
	[ -e log/mail.log.2 ] && gzip -9 log/mail.log.2
}
# copytruncate: logrotate's copytruncate (lines logged between the copy
# and the truncation are lost by design; the caller keeps the chain quiet)
copytruncate() {
	ROTATIONS=$((ROTATIONS + 1))
	shift_generations
	cp -p log/mail.log log/mail.log.1
	: > log/mail.log
	[ -e log/mail.log.2 ] && gzip -9 log/mail.log.2
}

start
# batch 1, a rotation right after it (watchfor drains the renamed file)
for s in a1 a2 a3; do send $s@senders.test 5; done
rotate
# batch 2 with a repeat offender
for s in a4 a5 a6; do send $s@senders.test 5; done
send a1@senders.test 2
wait_alerts 6
# batch 3 while watchfor is stopped, with a rotation in between
stop
send a7@senders.test 5
send a8@senders.test 5
wait_logged
rotate
send a9@senders.test 5
send a10@senders.test 5
wait_logged
start
wait_alerts 10
# copytruncate at a quiet moment, then batch 4 with a repeat offender
wait_logged
sentinel
copytruncate
for s in a11 a12; do send $s@senders.test 5; done
send a4@senders.test 3
wait_alerts 12
# batch 5: two rotations in a row in the middle of the batch
send a13@senders.test 5
rotate
send a14@senders.test 4
rotate
send a15@senders.test 6
wait_alerts 15

# ---- the checks ----
wait_logged
wait_for 'grep -qE "postfwd2?/master\[[0-9]+\]: \[STATS\] +[0-9]+ matches for id: +RULE-RATE" log/mail.log' 30 ||
    fail "no [STATS] line for RULE-RATE"
sentinel
wait_for '[ -z "$(find state/outbox -maxdepth 1 -type f ! -name ".*" 2>/dev/null)" ]' 30 ||
    fail "alerts left in the outbox"
stop
# 13 senders of 5 mails, one of 4 and one of 6 over a rate of 3, and the
# repeat offenders' 2 and 3: 26 + 1 + 3 + 5 rejections
[ "$(rejects_sent)" = 35 ] ||
    fail "$(rejects_sent) rejections, expected 35: postfwd2's counters shared?"
OFFENDERS=$(awk '$5 > 0 { print $1 }' sent | sort -u)
NOFF=$(echo "$OFFENDERS" | wc -l)
[ "$NOFF" = 15 ] || fail "$NOFF offending senders, expected 15"
for s in $OFFENDERS; do
	n=$(grep -c -F "Subject: postfwd RULE-RATE: sender $s rate-limited " mbox)
	[ "$n" = 1 ] || fail "$n alerts for $s"
done
[ "$(alerts)" = "$NOFF" ] || fail "$(alerts) alerts for $NOFF offenders"
grep -q 'STATS' mbox && fail "a [STATS] line was alerted"
[ "$(rejects_logged)" = "$(rejects_sent)" ] ||
    fail "$(rejects_logged) RULE-RATE lines logged, $(rejects_sent) rejections"
grep -q 'Subject: .*client localhost\[127\.0\.0\.1\]' mbox ||
    grep -q 'Subject: .*client unknown\[127\.0\.0\.1\]' mbox ||
    fail "no client in the alerts: $(grep -m1 Subject: mbox)"
postfix -c "$T/etc" stop > /dev/null 2>&1 && PF_UP=
[ "$(cat /etc/postfix/main.cf /etc/postfix/master.cf 2>/dev/null | md5sum)" = "$ETCSUM" ] ||
    fail "/etc/postfix changed"
echo "$(rejects_sent) rejections logged in $(ls log | wc -l) generations," \
    "$ROTATIONS rotations, 1 restart: $NOFF offenders, $(alerts) alerts"
echo "PASS t_chain_postfix"
exit 0
