#!/bin/bash
# t_smtp_override.sh WATCHFOR — per-action transport settings: a mail
# action's transport=smtp and smtp_*/from= options win over the config's
# directives (here the config's relay is a dead port and its sender
# another address), in follow mode through the outbox and in one-pass
# mode; --check locates a bad override at its option.
. "$(dirname "$0")/smtp/lib.sh"

server
cat > conf <<EOC
#% mail-transport sendmail
#% smtp-port 1
#% mail-from global@example.org
watchfor /alert (\\S+)/
	mail ops@example.org,subject=Alert \$1,transport=smtp,smtp_host=127.0.0.1,smtp_port=$PORT,smtp_starttls=off,from=override@example.org
EOC
"$BIN" --check -c conf > check.out 2>&1 || { cat check.out; fail "--check refused the overrides"; }
start --state-dir state
echo "alert over1 in follow mode" >> log
wait_for '[ "$(delivered "alert over1 in follow mode")" = 1 ]' ||
    fail "not delivered through the action's relay"
tr -d '\r' < got/1.eml | grep -qx 'From: override@example.org' ||
    fail "the action's from= not used"
grep -qx 'from override@example.org' got/1.env || fail "envelope sender"
stop
echo "alert over2 in one-pass mode" > once
"$BIN" -c conf --examine=once > out1 2> err1 || fail "one-pass run failed"
[ "$(delivered "alert over2 in one-pass mode")" = 1 ] ||
    fail "one-pass mail not delivered through the action's relay"

# a bad override is an error at its option; one unused under sendmail warns
cat > bad <<'EOC'
watchfor /x/
	mail a@example.org,transport=smtp,smtp_port=99999
	mail a@example.org,smtp_host=relay.example.org
EOC
"$BIN" --check -c bad > check.out 2>&1 && fail "--check accepted smtp_port=99999"
grep -q '^bad:2:36: smtp-port: "99999" is not a port number' check.out ||
    { cat check.out; fail "bad override not located"; }
grep -q '^bad:3:21: warning: option SMTP_HOST is not used: this mail goes through sendmail' check.out ||
    { cat check.out; fail "unused override not warned"; }
pass
