#!/bin/bash
# t_smtp_deliver.sh WATCHFOR — the SMTP transport delivers a complete
# RFC 5322 message (From, To, Subject, Date, Message-ID, MIME headers;
# the capture in the subject, the line in the body) to a real server;
# a server down at alert time gets the message once it is up; a server
# answering 451 twice then 250 gets it exactly once.
. "$(dirname "$0")/smtp/lib.sh"

conf '#% smtp-starttls off'
server
start --state-dir state
echo "alert host1 disk full" >> log
wait_for '[ "$(delivered "alert host1 disk full")" = 1 ]' || fail "not delivered"
f=$(ls got/*.eml | head -1)
h=$(tr -d '\r' < "$f" | sed '/^$/q')
for want in '^From: watchfor@example\.org$' '^To: ops@example\.org$' \
    '^Subject: Alert host1$' \
    '^Date: [A-Z][a-z][a-z], [0-9]+ [A-Z][a-z][a-z] 20[0-9][0-9] [0-9:]{8} [-+][0-9]{4}$' \
    '^Message-ID: <[^ ]+\.watchfor@example\.org>$' '^MIME-Version: 1\.0$' \
    '^Content-Type: text/plain; charset=us-ascii$' \
    '^Content-Transfer-Encoding: 7bit$'; do
	grep -Eq "$want" <<< "$h" || fail "header $want missing"
done
[ "$(grep -c '^Date:' <<< "$h")" = 1 ] || fail "Date twice"
grep -qx 'from watchfor@example.org' got/1.env || fail "envelope sender"
grep -qx 'to ops@example.org' got/1.env || fail "envelope recipient"
wait_for '[ "$(spooled)" = 0 ]' || fail "spool not emptied"

# a capture with a CR cannot add a header; non-ASCII goes encoded
printf 'alert h\303\251 x\r\n' >> log
wait_for '[ -e got/2.eml ]' || fail "second not delivered"
tr -d '\r' < got/2.eml | grep -q '^Subject: =?UTF-8?B?' || fail "subject not RFC 2047"
grep -q '^Content-Transfer-Encoding: quoted-printable' got/2.eml ||
    fail "non-ASCII body not quoted-printable"

# server down at alert time, then started
server_stop
echo "alert down1 while down" >> log
wait_for 'grep -q "outbox: mail delivery failing: \"smtp 127.0.0.1:$PORT\"" err' ||
    fail "failure not logged"
[ "$(spooled)" = 1 ] || fail "not kept in the spool"
server
wait_for '[ "$(delivered "alert down1 while down")" = 1 ]' || fail "not delivered after the outage"
wait_for '[ "$(spooled)" = 0 ]' || fail "spool not emptied"

# 451 twice, then 250
server_stop
server --tempfail 2
echo "alert temp1 after 4xx" >> log
wait_for '[ "$(delivered "alert temp1 after 4xx")" = 1 ]' || fail "not delivered after 4xx"
wait_for '[ "$(spooled)" = 0 ]' || fail "spool not emptied"
grep -q "451 4.3.0 try again later" err || fail "4xx reason not on stderr"
stop
[ "$(delivered "alert host1 disk full")" = 1 ] &&
    [ "$(delivered "alert down1 while down")" = 1 ] &&
    [ "$(delivered "alert temp1 after 4xx")" = 1 ] || fail "duplicates"
pass
