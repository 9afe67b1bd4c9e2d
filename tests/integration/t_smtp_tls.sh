#!/bin/bash
# t_smtp_tls.sh WATCHFOR — STARTTLS required and AUTH with the password
# from a 0600 file, the server's self-signed certificate trusted through
# smtp-ca-file: delivered, over TLS, authenticated. Without the CA file
# (verification on) the certificate does not verify: nothing is sent, the
# temporary failure is logged and the message stays spooled. A password
# file others can read is refused, by --check and by the helper.
. "$(dirname "$0")/smtp/lib.sh"

cert
printf 's3cret\n' > pw
chmod 600 pw
server --cert cert.pem --key key.pem --require-tls --auth alice:s3cret
conf '#% smtp-starttls required' "#% smtp-ca-file $W/cert.pem" \
    '#% smtp-user alice' "#% smtp-password-file $W/pw"
"$BIN" --check -c conf > chk.out 2>&1 || fail "--check: $(cat chk.out)"
start --state-dir state
echo "alert tls1 over tls" >> log
wait_for '[ "$(delivered "alert tls1 over tls")" = 1 ]' || fail "not delivered"
grep -qx 'tls yes' got/1.env || fail "not over TLS"
# at most TLS 1.2: libesmtp hangs on TLS 1.3 session tickets that arrive
# before its EHLO (src/smtp/watchfor-smtp.c)
grep -qx 'tls_version TLSv1.2' got/1.env ||
    fail "not TLS 1.2: $(grep tls_version got/1.env)"
grep -qx 'auth yes' got/1.env || fail "not authenticated"
wait_for '[ "$(spooled)" = 0 ]' || fail "spool not emptied"
stop

# verification on, the self-signed certificate not trusted
conf '#% smtp-starttls required' '#% smtp-user alice' \
    "#% smtp-password-file $W/pw"
start --state-dir state
echo "alert tls2 untrusted" >> log
wait_for 'grep -q "certificate does not verify" err' ||
    fail "verification failure not reported"
wait_for 'grep -q "outbox: mail delivery failing: \"smtp 127.0.0.1:$PORT\" exited with status 75" err' ||
    fail "temporary failure not logged"
[ "$(spooled)" = 1 ] || fail "message not kept for a retry"
[ "$(failed)" = 0 ] || fail "moved to failed/"
stop
[ "$(delivered "alert tls2 untrusted")" = 0 ] || fail "sent to an untrusted server"

# a password file others can read
chmod 644 pw
conf '#% smtp-starttls required' "#% smtp-ca-file $W/cert.pem" \
    '#% smtp-user alice' "#% smtp-password-file $W/pw"
"$BIN" --check -c conf > chk.out 2>&1 && fail "--check accepted a 0644 password file"
grep -q "^conf:9:[0-9]*: .*$W/pw can be read or written by group or others (mode 0644)" chk.out ||
    fail "--check: $(cat chk.out)"
printf 'Subject: x\n\nx\n' | "$WATCHFOR_SMTP_HELPER" --host 127.0.0.1 \
    --port "$PORT" --ca-file "$W/cert.pem" --user alice \
    --password-file "$W/pw" --from a@example.org -- b@example.org \
    2> helper.err
rc=$?
[ "$rc" = 69 ] || fail "helper: exit $rc for a 0644 password file"
grep -q "watchfor-smtp: password file $W/pw can be read or written by group or others (mode 0644): refused" helper.err ||
    fail "helper: $(cat helper.err)"
pass
