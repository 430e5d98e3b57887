#!/usr/bin/env python3
"""pltool.py - helpers for the Socks Lib tests (tests/integ/t-preload-*.sh).

The client sub-commands are plain Python networking code: the tests run
them under the wrapper `sixgate`, so every name look-up and connect()
goes through the Socks Lib without Python knowing.

  http      HTTP server for a directory tree (index.html for "/", nested
            paths: enough for git's "dumb" protocol); --bind 127.0.0.1|::1
  gai       getaddrinfo(NAME, PORT) for AF_INET, AF_INET6, AF_UNSPEC:
            prints "gai FAMILY ADDR" lines
  echo      connect to NAME PORT (--family 4|6|0, --mode blocking|create|
            asyncio), send a payload, read it back: prints "connected=ADDR",
            "peer=ADDR", "sockname_family=inet|inet6" (of getsockname),
            "echo=ok|bad", "rev=NAME" (gethostbyaddr of the peer address)
  threads   --count N threads resolve and connect at once (a barrier),
            each to its own name (--names FORMAT with %d), alternating
            AF_INET and AF_INET6; prints "ok=N fail=N" and the failures
  connect   connect to NAME PORT and print "connected" or
            "errno=ENAME strerror"; exit 0 either way
  rev       gethostbyaddr(ADDR): prints "name=NAME" or "error=..."
  fakegw    a fake SOCKS5 gateway that records what arrives: --method 88|02
            (the method it chooses), --port-file F, --log F; for each
            connection one line "conn=N first_read=LEN greeting=HEX
            whole=0|1 methods=HEX cmd=0xNN", where first_read is the
            first recv() (made as soon as the socket is readable, before
            any answer) and whole=1 when it held greeting, login and
            request complete; CONNECT gets 0x00, anything else 0x07
"""

import argparse
import asyncio
import errno
import http.server
import os
import socket
import sys
import threading
import time


def out(*args):
    print(*args, flush=True)


def fam(f):
    return {"4": socket.AF_INET, "6": socket.AF_INET6,
            "0": socket.AF_UNSPEC}[f]


def write_port_file(path, port):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.rename(tmp, path)


# ---------------------------------------------------------------- server

def cmd_http(a):
    root = os.path.abspath(a.dir)
    v6 = ":" in a.bind

    class Handler(http.server.SimpleHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def __init__(self, *args, **kw):
            super().__init__(*args, directory=root, **kw)

        def log_message(self, fmt, *args):
            if a.log:
                with open(a.log, "a") as f:
                    f.write("%s %s\n" % (self.address_string(),
                                         fmt % args))

    class Server(http.server.ThreadingHTTPServer):
        address_family = socket.AF_INET6 if v6 else socket.AF_INET
        daemon_threads = True
        request_queue_size = 256

        def server_bind(self):
            if v6:
                self.socket.setsockopt(socket.IPPROTO_IPV6,
                                       socket.IPV6_V6ONLY, 1)
            super().server_bind()

    srv = Server((a.bind, 0), Handler)
    write_port_file(a.port_file, srv.server_address[1])
    srv.serve_forever()


# ---------------------------------------------------------------- clients

def errname(e):
    return errno.errorcode.get(e.errno, str(e.errno)) if e.errno else "?"


def cmd_gai(a):
    for name, f in (("inet", socket.AF_INET), ("inet6", socket.AF_INET6),
                    ("unspec", socket.AF_UNSPEC)):
        try:
            res = socket.getaddrinfo(a.name, a.port, f, socket.SOCK_STREAM)
        except socket.gaierror as e:
            out("gai %s error=%s" % (name, e))
            continue
        for r in res:
            out("gai %s %s %s" % (name, "inet6" if r[0] == socket.AF_INET6
                                  else "inet", r[4][0]))
    return 0


def recv_all(s):
    buf = b""
    while True:
        b = s.recv(65536)
        if not b:
            return buf
        buf += b


def echo_blocking(a, payload):
    if a.mode == "create":
        s = socket.create_connection((a.name, a.port), timeout=a.timeout)
    else:
        ai = socket.getaddrinfo(a.name, a.port, fam(a.family),
                                socket.SOCK_STREAM)[0]
        out("resolved=%s" % ai[4][0])
        s = socket.socket(ai[0], ai[1], ai[2])
        s.settimeout(a.timeout)
        s.connect(ai[4])
        out("connected=%s" % ai[4][0])
    peer = s.getpeername()
    out("peer=%s" % peer[0])
    out("peer_port=%d" % peer[1])
    local = s.getsockname()
    out("sockname_family=%s" % ("inet6" if len(local) == 4 else "inet"))
    s.sendall(payload)
    s.shutdown(socket.SHUT_WR)
    got = recv_all(s)
    s.close()
    return peer[0], got


async def echo_asyncio(a, payload):
    r, w = await asyncio.wait_for(
        asyncio.open_connection(a.name, a.port,
                                family=fam(a.family)), a.timeout)
    peer = w.get_extra_info("peername")
    out("peer=%s" % peer[0])
    local = w.get_extra_info("sockname")
    out("sockname_family=%s" % ("inet6" if len(local) == 4 else "inet"))
    w.write(payload)
    await w.drain()
    w.write_eof()
    got = await asyncio.wait_for(r.read(), a.timeout)
    w.close()
    await w.wait_closed()
    return peer[0], got


def cmd_echo(a):
    payload = (a.data or ("payload for %s port %d\n" % (a.name, a.port))) \
        .encode()
    if a.mode == "asyncio":
        peer, got = asyncio.run(echo_asyncio(a, payload))
    else:
        peer, got = echo_blocking(a, payload)
    out("echo=%s" % ("ok" if got == payload else "bad (%r)" % got[:80]))
    try:
        out("rev=%s" % socket.gethostbyaddr(peer)[0])
    except OSError as e:
        out("rev_error=%s" % e)
    return 0


def cmd_threads(a):
    barrier = threading.Barrier(a.count, timeout=a.timeout)
    results = [None] * a.count

    def work(i):
        name = a.names % i
        f = socket.AF_INET if i % 2 == 0 else socket.AF_INET6
        payload = ("thread %d %s %s\n" % (i, name, "x" * (i * 13)))\
            .encode()
        try:
            barrier.wait()
            ai = socket.getaddrinfo(name, a.port, f, socket.SOCK_STREAM)[0]
            s = socket.socket(ai[0], ai[1], ai[2])
            s.settimeout(a.timeout)
            s.connect(ai[4])
            s.sendall(payload)
            s.shutdown(socket.SHUT_WR)
            got = recv_all(s)
            s.close()
            if got != payload:
                results[i] = "bad echo (%d of %d bytes)" % (len(got),
                                                            len(payload))
            elif s.family != f:
                results[i] = "family changed"
            else:
                results[i] = "ok %s" % ai[4][0]
        except Exception as e:     # report every failure, keep going
            results[i] = "error %s: %s" % (type(e).__name__, e)

    t0 = time.monotonic()
    ts = [threading.Thread(target=work, args=(i,)) for i in range(a.count)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(a.timeout * 2)
    ok = sum(1 for r in results if r and r.startswith("ok "))
    addrs = set(r.split()[1] for r in results if r and r.startswith("ok "))
    out("ok=%d fail=%d distinct_addrs=%d secs=%.3f"
        % (ok, a.count - ok, len(addrs), time.monotonic() - t0))
    for i, r in enumerate(results):
        if not r or not r.startswith("ok "):
            out("thread %d: %s" % (i, r))
    return 0


def cmd_connect(a):
    try:
        ai = socket.getaddrinfo(a.name, a.port, fam(a.family),
                                socket.SOCK_STREAM)[0]
    except socket.gaierror as e:
        out("gaierror=%s" % e)
        return 0
    s = socket.socket(ai[0], ai[1], ai[2])
    s.settimeout(a.timeout)
    try:
        s.connect(ai[4])
        out("connected")
    except PermissionError as e:
        out("errno=%s PermissionError %s" % (errname(e), e.strerror))
    except OSError as e:
        out("errno=%s %s %s" % (errname(e), type(e).__name__, e.strerror))
    finally:
        s.close()
    return 0


def cmd_rev(a):
    try:
        out("name=%s" % socket.gethostbyaddr(a.addr)[0])
    except OSError as e:
        out("error=%s" % e)
    return 0


def _socks_parts(buf):
    """Split greeting | login | request off buf; None where incomplete."""
    parts = []
    if len(buf) < 2 or len(buf) < 2 + buf[1]:
        return parts, buf
    n = 2 + buf[1]
    parts.append(buf[:n])
    buf = buf[n:]
    if len(buf) >= 2 and len(buf) >= 2 + buf[1] + 1:
        ul = buf[1]
        pl = buf[2 + ul]
        if len(buf) >= 3 + ul + pl:
            parts.append(buf[:3 + ul + pl])
            buf = buf[3 + ul + pl:]
            if len(buf) >= 5:
                atyp = buf[3]
                alen = {1: 4, 4: 16}.get(atyp, 1 + buf[4] if atyp == 3 else 0)
                if alen and len(buf) >= 4 + alen + 2:
                    parts.append(buf[:4 + alen + 2])
                    buf = buf[4 + alen + 2:]
    return parts, buf


def _fakegw_conn(c, n, a, lock):
    c.settimeout(10)
    try:
        first = c.recv(65536)
        buf = first
        method = int(a.method, 16)

        def need(k):
            nonlocal buf
            while True:
                parts, _ = _socks_parts(buf)
                if len(parts) >= k:
                    return parts
                b = c.recv(65536)
                if not b:
                    raise EOFError("client closed after %d bytes" % len(buf))
                buf += b
        parts = need(1)
        c.sendall(bytes([5, method]))
        parts = need(2)
        c.sendall(b"\x01\x00")
        parts = need(3)
        cmd = parts[2][1]
        rep = 0 if cmd == 1 else 7
        c.sendall(bytes([5, rep, 0, 1, 127, 0, 0, 1, 0, 80]))
        whole = len(_socks_parts(first)[0]) == 3
        line = "conn=%d first_read=%d whole=%d methods=%s cmd=0x%02x" % (
            n, len(first), whole, parts[0][2:].hex(), cmd)
    except (OSError, EOFError) as e:
        line = "conn=%d error=%s" % (n, e)
    with lock:
        with open(a.log, "a") as f:
            f.write(line + "\n")
    c.close()


def cmd_fakegw(a):
    lsock = socket.socket()
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(16)
    with open(a.port_file + ".tmp", "w") as f:
        f.write("%d\n" % lsock.getsockname()[1])
    os.rename(a.port_file + ".tmp", a.port_file)
    lock = threading.Lock()
    n = 0
    while True:
        c, _ = lsock.accept()
        n += 1
        threading.Thread(target=_fakegw_conn, args=(c, n, a, lock),
                         daemon=True).start()


def main():
    ap = argparse.ArgumentParser(prog="pltool.py")
    sub = ap.add_subparsers(dest="cmd", required=True)

    p = sub.add_parser("http")
    p.add_argument("--bind", default="127.0.0.1")
    p.add_argument("--port-file", required=True)
    p.add_argument("--dir", required=True)
    p.add_argument("--log")
    p.set_defaults(func=cmd_http)

    p = sub.add_parser("gai")
    p.add_argument("name")
    p.add_argument("port", type=int)
    p.set_defaults(func=cmd_gai)

    p = sub.add_parser("echo")
    p.add_argument("name")
    p.add_argument("port", type=int)
    p.add_argument("--family", choices=["4", "6", "0"], default="0")
    p.add_argument("--mode", choices=["blocking", "create", "asyncio"],
                   default="blocking")
    p.add_argument("--data")
    p.add_argument("--timeout", type=float, default=20)
    p.set_defaults(func=cmd_echo)

    p = sub.add_parser("threads")
    p.add_argument("--names", required=True, help="format with %%d")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--count", type=int, default=100)
    p.add_argument("--timeout", type=float, default=30)
    p.set_defaults(func=cmd_threads)

    p = sub.add_parser("connect")
    p.add_argument("name")
    p.add_argument("port", type=int)
    p.add_argument("--family", choices=["4", "6", "0"], default="0")
    p.add_argument("--timeout", type=float, default=20)
    p.set_defaults(func=cmd_connect)

    p = sub.add_parser("fakegw")
    p.add_argument("--method", default="88")
    p.add_argument("--port-file", required=True)
    p.add_argument("--log", required=True)
    p.set_defaults(func=cmd_fakegw)

    p = sub.add_parser("rev")
    p.add_argument("addr")
    p.set_defaults(func=cmd_rev)

    a = ap.parse_args()
    return a.func(a)


if __name__ == "__main__":
    sys.exit(main())
