#!/usr/bin/python3
"""A small SMTP server for the SMTP transport's tests (aiosmtpd).

smtpd.py --pick-port                 prints a free port on 127.0.0.1
smtpd.py --port P --dir D [options]  serves on 127.0.0.1:P until killed,
    writing each accepted message to D/N.eml (the bytes received) and its
    envelope to D/N.env ("from ADDR" and "to ADDR" lines), atomically;
    writes D/ready once it listens.
Options:
    --tempfail N     answer 451 to the first N DATA commands
    --permfail       answer 550 to every RCPT
    --refuse ADDR    answer 550 to RCPT ADDR (repeatable)
    --refuse-temp ADDR  answer 451 to RCPT ADDR (repeatable)
    --cert C --key K offer STARTTLS with that certificate
    --require-tls    refuse commands before STARTTLS (530)
    --auth USER:PASS require AUTH (PLAIN, LOGIN) with these credentials
"""
import argparse
import asyncio
import os
import signal
import socket
import ssl
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Handler:
    def __init__(self, args):
        self.args = args
        self.tempfails = args.tempfail
        # numbering goes on across restarts of the server
        self.n = len([f for f in os.listdir(args.dir)
                      if f.endswith(".eml")])
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address,
                          rcpt_options):
        if self.args.permfail or address in self.args.refuse:
            return "550 5.1.1 no such user here"
        if address in self.args.refuse_temp:
            return "451 4.2.0 mailbox busy, try later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.tempfails > 0:
                self.tempfails -= 1
                return "451 4.3.0 try again later"
            self.n += 1
            n = self.n
        d = self.args.dir
        env = "from %s\n" % envelope.mail_from
        env += "".join("to %s\n" % r for r in envelope.rcpt_tos)
        if session.authenticated:
            env += "auth yes\n"
        if session.ssl is not None:
            env += "tls yes\n"
            sslobj = session.ssl.get("ssl_object")
            if sslobj is not None:
                env += "tls_version %s\n" % sslobj.version()
        for name, data in (("env", env.encode()),
                           ("eml", envelope.original_content)):
            tmp = os.path.join(d, ".%d.%s" % (n, name))
            with open(tmp, "wb") as f:
                f.write(data)
            os.rename(tmp, os.path.join(d, "%d.%s" % (n, name)))
        return "250 2.0.0 accepted as %d" % n


def authenticator(user, password):
    def check(server, session, envelope, mechanism, auth_data):
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        ok = (auth_data.login.decode() == user and
              auth_data.password.decode() == password)
        return AuthResult(success=ok, handled=False)
    return check


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--pick-port", action="store_true")
    p.add_argument("--port", type=int)
    p.add_argument("--dir")
    p.add_argument("--tempfail", type=int, default=0)
    p.add_argument("--permfail", action="store_true")
    p.add_argument("--refuse", action="append", default=[])
    p.add_argument("--refuse-temp", action="append", default=[])
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--require-tls", action="store_true")
    p.add_argument("--auth")
    args = p.parse_args()
    if args.pick_port:
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        print(s.getsockname()[1])
        s.close()
        return
    kw = {}
    if args.cert:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(args.cert, args.key)
        kw["tls_context"] = ctx
        kw["require_starttls"] = args.require_tls
    if args.auth:
        user, password = args.auth.split(":", 1)
        kw["authenticator"] = authenticator(user, password)
        kw["auth_required"] = True
        kw["auth_require_tls"] = True
    else:
        kw["auth_require_tls"] = False
    c = Controller(Handler(args), hostname="127.0.0.1", port=args.port,
                   ready_timeout=20, **kw)
    c.start()
    with open(os.path.join(args.dir, "ready"), "w") as f:
        f.write("%d\n" % os.getpid())
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: stop.set())
    signal.signal(signal.SIGINT, lambda *a: stop.set())
    stop.wait()
    c.stop()


if __name__ == "__main__":
    sys.exit(main())
