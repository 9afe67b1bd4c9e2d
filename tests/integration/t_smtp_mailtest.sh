#!/bin/bash
# t_smtp_mailtest.sh WATCHFOR — --mail-test ADDRESS sends one message
# through the config's SMTP transport and says so (exit 0); with the
# server down or refusing it says why and exits non-zero. One-pass mode
# (--examine) runs the helper directly.
. "$(dirname "$0")/smtp/lib.sh"

conf '#% smtp-starttls off'
server
"$BIN" -c conf --mail-test admin@example.org > mt.out 2> mt.err ||
    fail "--mail-test failed: $(cat mt.out mt.err)"
grep -qx "mail-test: message to admin@example.org accepted by smtp 127.0.0.1:$PORT" mt.out ||
    fail "--mail-test said: $(cat mt.out)"
wait_for '[ -e got/1.eml ]' || fail "no test message"
grep -qx 'to admin@example.org' got/1.env || fail "test message recipient"
grep -q '^Subject: watchfor test message' got/1.eml || fail "test subject"

# one-pass mode
echo "alert once1 examined" > exam
"$BIN" -c conf -f exam > ex.out 2> ex.err || fail "--examine: $(cat ex.err)"
[ "$(delivered "alert once1 examined")" = 1 ] || fail "one-pass not delivered"
server_stop

# down: a temporary failure
"$BIN" -c conf --mail-test admin@example.org > mt.out 2> mt.err &&
    fail "--mail-test succeeded with the server down"
grep -q "Connection refused" mt.err || fail "no reason: $(cat mt.err)"
grep -q "mail-test: message to admin@example.org not delivered: \"smtp 127.0.0.1:$PORT\" exited with status 75 (a temporary failure" mt.err ||
    fail "--mail-test said: $(cat mt.err)"
"$BIN" -c conf -f exam > ex.out 2> ex.err
grep -q "Connection refused" ex.err || fail "one-pass failure not reported"

# refused: a permanent failure
server --permfail
"$BIN" -c conf --mail-test admin@example.org > mt.out 2> mt.err &&
    fail "--mail-test succeeded on a 550"
grep -q "exited with status 69 (a permanent failure)" mt.err ||
    fail "--mail-test said: $(cat mt.err)"
pass
