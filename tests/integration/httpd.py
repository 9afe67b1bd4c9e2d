#!/usr/bin/env python3
"""A small HTTP server for tests/integration/t_webhook_*.sh.

    httpd.py DIR [--fail N] [--status CODE] [--port PORT]

Listens on 127.0.0.1 on a free port (or PORT) and writes it to DIR/port (atomically)
once ready. Each POST is counted (DIR/hits holds the count); the first N
are answered 503 (--fail), the rest CODE (--status, default 200). Every
request's body goes to DIR/body.K, its headers to DIR/headers.K and its
path to DIR/path.K, K the hit number; DIR/status.K holds the answer given.
"""
import argparse
import http.server
import os
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--fail", type=int, default=0)
    ap.add_argument("--status", type=int, default=200)
    ap.add_argument("--port", type=int, default=0)
    a = ap.parse_args()
    hits = [0]

    class H(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            n = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(n)
            hits[0] += 1
            k = hits[0]
            code = 503 if k <= a.fail else a.status
            with open(os.path.join(a.dir, "body.%d" % k), "wb") as f:
                f.write(body)
            with open(os.path.join(a.dir, "headers.%d" % k), "w") as f:
                f.write(str(self.headers))
            with open(os.path.join(a.dir, "path.%d" % k), "w") as f:
                f.write("%s\n" % self.path)
            with open(os.path.join(a.dir, "status.%d" % k), "w") as f:
                f.write("%d\n" % code)
            tmp = os.path.join(a.dir, "hits.tmp")
            with open(tmp, "w") as f:
                f.write("%d\n" % k)
            os.rename(tmp, os.path.join(a.dir, "hits"))
            reply = b'{"status":"%d"}' % code
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, fmt, *args):
            pass

    srv = http.server.HTTPServer(("127.0.0.1", a.port), H)
    tmp = os.path.join(a.dir, "port.tmp")
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, os.path.join(a.dir, "port"))
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
