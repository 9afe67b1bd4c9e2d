#!/usr/bin/env python3
"""send.py PORT SENDER COUNT: COUNT mails from SENDER over SMTP.

One SMTP session to the private Postfix on 127.0.0.1:PORT, COUNT
transactions from SENDER to one recipient each in the test domain.
Prints "SENDER accepted N rejected M" (a refused RCPT is a rejection,
anything else is an error: exit 1). Part of t_chain_postfix.sh."""
import smtplib
import sys


def main():
    port, sender, count = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    accepted = rejected = 0
    with smtplib.SMTP("127.0.0.1", port, local_hostname="laptop",
                      timeout=30) as s:
        for i in range(count):
            rcpt = "rcpt%d@chain.test" % i
            msg = "From: <%s>\r\nTo: <%s>\r\nSubject: chain %d\r\n\r\n" \
                "test\r\n" % (sender, rcpt, i)
            try:
                s.sendmail(sender, [rcpt], msg)
                accepted += 1
            except smtplib.SMTPRecipientsRefused as e:
                code, text = e.recipients[rcpt]
                if b"rate exceeded" not in text:
                    print("unexpected refusal %d %r" % (code, text),
                          file=sys.stderr)
                    return 1
                rejected += 1
    print("%s accepted %d rejected %d" % (sender, accepted, rejected))
    return 0


if __name__ == "__main__":
    sys.exit(main())
