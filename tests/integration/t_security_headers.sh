#!/bin/bash
# t_security_headers.sh WATCHFOR — log text never adds a mail header: a
# capture used as the recipient (mail $1) and as the subject carries CR,
# LF, ":" and header names, in one pass and in follow mode (spooled
# mail). Every mail's header block holds only To:, Subject: and the MIME
# lines; the recipient line holds no control character and no ":"
# (sendmail -t reads the recipients from the header, so a "Bcc:" smuggled
# there would mail a stranger). The subject and body escaping of other
# payloads is in t_actions_injection.sh.
. "$(dirname "$0")/../shim/lib.sh"
cat > mailer <<EOS
#!/bin/sh
{ cat; echo '%%END%%'; } >> '$W/mbox'
EOS
chmod +x mailer
printf 'watchfor /^E ([^|]*)[|](.*)$/s\n\tmail $1,subject=S $2,mailer=%s/mailer\n' "$W" > c

payloads=(
	$'root\nBcc: evil@example.com|s\nCc: evil2@example.com'
	$'root\r\nBcc: evil@example.com|s\r\nX-Evil: 1'
	$'root, evil@example.com: x|Reply-To: evil@example.com'
	$'root\n\nbody-start|\n\nbody'
	$'root\tBcc: evil|\x01\x1b[31m'
)
: > input
for p in "${payloads[@]}"; do printf 'E %s%%%%' "$p" >> input; done

check_mbox() { # what
	python3 - "$1" <<'EOF' || fail "$1: a header came from log text"
import sys
mails = open("mbox", "rb").read().split(b"%%END%%\n")[:-1]
bad = 0
for m in mails:
    head = m.split(b"\n\n", 1)[0].split(b"\n")
    for h in head:
        if h.startswith(b" "):		# folded subject (encoded words)
            continue
        name = h.split(b":", 1)[0]
        if name not in (b"To", b"Subject", b"MIME-Version", b"Content-Type",
                        b"Content-Transfer-Encoding"):
            print("foreign header line: %r" % h); bad += 1
        if any(c < 32 for c in h if c != 9) or b"\r" in h:
            print("control byte in header: %r" % h); bad += 1
        if name == b"To" and b":" in h[3:]:
            print("':' in the recipients: %r" % h); bad += 1
print("%s: %d mails, headers clean" % (sys.argv[1], len(mails)) if not bad else "")
sys.exit(1 if bad or len(mails) == 0 else 0)
EOF
}

"$BIN" -c c --examine=input --input-record-separator=%% > ex.out 2> ex.err ||
    fail "--examine: $(cat ex.err)"
[ "$(grep -c '%%END%%' mbox)" = ${#payloads[@]} ] || fail "one pass: $(grep -c '%%END%%' mbox) mails"
check_mbox "one pass"

# follow mode: the spooled path builds the same message
: > mbox
start -c c -t log --state-dir st
printf 'E root\rBcc: evil@example.com|s\rX-Evil: 1\n' >> log
printf 'E root: Bcc: evil|Cc: x\n' >> log
wait_for '[ "$(grep -c "%%END%%" mbox)" = 2 ]' || fail "follow: mails not delivered"
stop
check_mbox "follow"
pass
