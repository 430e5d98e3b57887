#!/usr/bin/env python3
"""sgtool.py - helpers for the sixgated integration tests (tests/integ).

Sub-commands (each bounded by its own timeouts; servers run until killed):

  socks     raw SOCKS5 client; prints "method=0xNN", "auth=0xNN",
            "rep=0xNN bnd_atyp=N bnd=ADDR bnd_port=P", "closed=1|0",
            "recv_bytes=N", "recv_sha256=HEX", "echo=ok|bad"
  sink      TCP server: reads each connection to EOF, then records
            "BYTES SHA256" (to --out and/or back to the client with --reply)
  echo      TCP echo server (half-close aware)
  http      HTTP/1.0 file server (sendfile) for one directory
  idle      open N silent TCP connections, report when the peer closes them
  pysocks   HTTP GET through PySocks (module socks)
  freeport  print a TCP port that was free a moment ago (bound, then closed)
  sha256    print "HEX BYTES" for a file or stdin
  pattern   write N bytes of the deterministic test pattern to stdout

Servers bind port 0 and write the port number to --port-file (atomically).
"""

import argparse
import hashlib
import os
import socket
import struct
import sys
import threading
import time

CHUNK = 1 << 20


def out(*args):
    print(*args, flush=True)


def parse_hostport(text):
    """'1.2.3.4:80' or '[::1]:80' or '::1:80' -> (host, port)."""
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        return host, int(rest.lstrip(":"))
    host, _, port = text.rpartition(":")
    return host, int(port)


def family_of(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def write_port_file(path, port):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.rename(tmp, path)


def listener(host):
    s = socket.socket(family_of(host), socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if family_of(host) == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s.bind((host, 0))
    s.listen(1024)
    return s


PATTERN_BLOCK = bytes((i * 7 + (i >> 8)) & 0xFF for i in range(65536))


def pattern_bytes(n):
    """The deterministic test pattern, n bytes."""
    reps, rem = divmod(n, len(PATTERN_BLOCK))
    return PATTERN_BLOCK * reps + PATTERN_BLOCK[:rem]


def pattern_chunks(n):
    while n > 0:
        k = min(n, len(PATTERN_BLOCK))
        yield PATTERN_BLOCK[:k]
        n -= k


# ---------------------------------------------------------------- servers

def serve_forever(lsock, handler):
    while True:
        try:
            conn, peer = lsock.accept()
        except InterruptedError:
            continue
        t = threading.Thread(target=handler, args=(conn, peer), daemon=True)
        t.start()


def cmd_sink(a):
    lsock = listener(a.bind)
    lock = threading.Lock()
    write_port_file(a.port_file, lsock.getsockname()[1])

    def record(line):
        if a.out:
            with lock:
                with open(a.out, "a") as f:
                    f.write(line)

    def handle(conn, peer):
        h = hashlib.sha256()
        n = 0
        try:
            conn.settimeout(a.timeout)
            if a.greet_bytes:
                # Send first, shut our write side, then read the client's
                # data to EOF (reverse half-close).
                for c in pattern_chunks(a.greet_bytes):
                    conn.sendall(c)
                conn.shutdown(socket.SHUT_WR)
            while True:
                b = conn.recv(CHUNK)
                if not b:
                    break
                h.update(b)
                n += len(b)
            line = "%d %s\n" % (n, h.hexdigest())
            record(line)
            if a.reply:
                if a.reply_delay:
                    time.sleep(a.reply_delay)
                conn.sendall(line.encode())
                for c in pattern_chunks(a.reply_bytes):
                    conn.sendall(c)
                conn.shutdown(socket.SHUT_WR)
        except OSError as e:
            record("error %d %s %s\n" % (n, h.hexdigest(), e))
        finally:
            conn.close()

    serve_forever(lsock, handle)


def cmd_echo(a):
    lsock = listener(a.bind)
    write_port_file(a.port_file, lsock.getsockname()[1])

    def handle(conn, peer):
        try:
            conn.settimeout(a.timeout)
            while True:
                b = conn.recv(CHUNK)
                if not b:
                    break
                conn.sendall(b)
            conn.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        finally:
            conn.close()

    serve_forever(lsock, handle)


def cmd_http(a):
    import http.server

    root = os.path.abspath(a.dir)

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def log_message(self, fmt, *args):
            pass

        def do_GET(self):
            name = self.path.split("?", 1)[0].lstrip("/")
            path = os.path.join(root, name)
            if "/" in name or not os.path.isfile(path):
                self.send_error(404)
                return
            with open(path, "rb") as f:
                size = os.fstat(f.fileno()).st_size
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(size))
                self.end_headers()
                self.wfile.flush()
                self.connection.sendfile(f)

    class Server(http.server.ThreadingHTTPServer):
        address_family = family_of(a.bind)
        daemon_threads = True
        request_queue_size = 256

        def server_bind(self):
            if self.address_family == socket.AF_INET6:
                self.socket.setsockopt(socket.IPPROTO_IPV6,
                                       socket.IPV6_V6ONLY, 1)
            super().server_bind()

    srv = Server((a.bind, 0), Handler)
    write_port_file(a.port_file, srv.server_address[1])
    srv.serve_forever()


def cmd_http11(a):
    """HTTP/1.1 keep-alive server: GET/HEAD/DELETE/OPTIONS answer
    "hello PATH" (or a file of --dir for /f/NAME), POST/PUT/PATCH answer
    the sha256 of the body (Content-Length or chunked); one line per
    accepted connection goes to --conn-file; --tls CERT KEY for HTTPS."""
    import hashlib
    import http.server
    import ssl

    root = os.path.abspath(a.dir) if a.dir else None
    lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):
            pass

        def setup(self):
            super().setup()
            if a.conn_file:
                with lock, open(a.conn_file, "a") as f:
                    f.write("conn\n")

        def answer(self, body, ctype="text/plain"):
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("X-Seen-Via", self.headers.get("Via", "-"))
            self.send_header("X-Seen-Proxy-Auth",
                             "yes" if "Proxy-Authorization" in self.headers
                             else "no")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def do_GET(self):
            path = self.path.split("?", 1)[0]
            if root and path.startswith("/f/"):
                name = path[3:]
                full = os.path.join(root, name)
                if "/" in name or not os.path.isfile(full):
                    self.send_error(404)
                    return
                with open(full, "rb") as f:
                    self.answer(f.read(), "application/octet-stream")
                return
            self.answer(("hello %s\n" % self.path).encode())

        do_HEAD = do_GET
        do_DELETE = do_GET
        do_OPTIONS = do_GET

        def do_POST(self):
            h = hashlib.sha256()
            if "chunked" in self.headers.get("Transfer-Encoding", ""):
                while True:
                    size = int(self.rfile.readline().split(b";")[0], 16)
                    if size == 0:
                        while self.rfile.readline() not in (b"\r\n",
                                                            b"\n", b""):
                            pass
                        break
                    h.update(self.rfile.read(size))
                    self.rfile.readline()
            else:
                left = int(self.headers.get("Content-Length", "0"))
                while left > 0:
                    b = self.rfile.read(min(left, 65536))
                    if not b:
                        break
                    h.update(b)
                    left -= len(b)
            self.answer((h.hexdigest() + "\n").encode())

        do_PUT = do_POST
        do_PATCH = do_POST

    class Server(http.server.ThreadingHTTPServer):
        address_family = family_of(a.bind)
        daemon_threads = True

        def server_bind(self):
            if self.address_family == socket.AF_INET6:
                self.socket.setsockopt(socket.IPPROTO_IPV6,
                                       socket.IPV6_V6ONLY, 1)
            super().server_bind()

    srv = Server((a.bind, 0), Handler)
    if a.tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(a.tls[0], a.tls[1])
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    write_port_file(a.port_file, srv.server_address[1])
    srv.serve_forever()


# ---------------------------------------------------------------- clients

class Closed(Exception):
    pass


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        b = s.recv(n - len(buf))
        if not b:
            raise Closed("connection closed after %d of %d bytes"
                         % (len(buf), n))
        buf += b
    return buf


def check_closed(s, wait):
    """Print closed=1 if the peer closes (EOF or reset) within wait s."""
    s.settimeout(wait)
    try:
        while True:
            b = s.recv(4096)
            if not b:
                out("closed=1")
                return
            out("extra_bytes=%d" % len(b))
    except socket.timeout:
        out("closed=0")
    except ConnectionResetError:
        out("closed=1 reset=1")
    except OSError as e:
        out("closed=1 error=%s" % e)


def socks_address(a):
    """ATYP + address + port bytes for the request."""
    if a.atyp_raw is not None:
        return bytes([a.atyp_raw])          # nothing after: length unknown
    if a.dest_name is not None:
        if a.dest_port is None:
            raise SystemExit("--dest-name needs --dest-port")
        nb = a.dest_name.encode()
        return bytes([3, len(nb)]) + nb + struct.pack(">H", a.dest_port)
    host, port = parse_hostport(a.dest)
    if family_of(host) == socket.AF_INET6:
        return b"\x04" + socket.inet_pton(socket.AF_INET6, host) + \
            struct.pack(">H", port)
    return b"\x01" + socket.inet_pton(socket.AF_INET, host) + \
        struct.pack(">H", port)


def read_reply(s):
    hdr = recv_exact(s, 4)
    ver, rep, _rsv, atyp = hdr
    if atyp == 1:
        addr = socket.inet_ntop(socket.AF_INET, recv_exact(s, 4))
    elif atyp == 4:
        addr = socket.inet_ntop(socket.AF_INET6, recv_exact(s, 16))
    elif atyp == 3:
        ln = recv_exact(s, 1)[0]
        addr = recv_exact(s, ln).decode(errors="replace")
    else:
        addr = "?"
    port = struct.unpack(">H", recv_exact(s, 2))[0] if atyp in (1, 3, 4) \
        else 0
    out("rep=0x%02x ver=%d bnd_atyp=%d bnd=%s bnd_port=%d"
        % (rep, ver, atyp, addr, port))
    return rep


def payload_of(a):
    if a.data is not None:
        return a.data.encode()
    if a.data_len:
        return pattern_bytes(a.data_len)
    return b""


def send_payload(s, a, data):
    """Send the payload (slowly with --chunk-delay); returns its sha256."""
    h = hashlib.sha256()
    n = 0
    if a.data_file:
        with open(a.data_file, "rb") as f:
            if a.chunk_delay:
                while True:
                    b = f.read(a.chunk)
                    if not b:
                        break
                    s.sendall(b)
                    h.update(b)
                    n += len(b)
                    time.sleep(a.chunk_delay)
            else:
                s.settimeout(None if a.timeout <= 0 else max(a.timeout, 600))
                n = s.sendfile(f)
                s.settimeout(a.timeout)
                h = None
    else:
        for i in range(0, len(data), a.chunk):
            b = data[i:i + a.chunk]
            s.sendall(b)
            h.update(b)
            n += len(b)
            if a.chunk_delay:
                time.sleep(a.chunk_delay)
    out("sent_bytes=%d" % n)
    if h is not None:
        out("sent_sha256=%s" % h.hexdigest())


def read_to_eof(s, a):
    h = hashlib.sha256()
    n = 0
    save = open(a.save, "wb") if a.save else None
    try:
        while True:
            b = s.recv(CHUNK)
            if not b:
                break
            h.update(b)
            n += len(b)
            if save:
                save.write(b)
    finally:
        if save:
            save.close()
    out("recv_bytes=%d" % n)
    out("recv_sha256=%s" % h.hexdigest())


def cmd_socks(a):
    phost, pport = parse_hostport(a.proxy)
    methods = bytes(int(m, 16) for m in a.methods.split(",")) \
        if a.methods else (b"\x02" if a.user is not None else b"\x00")
    greeting = bytes([5, len(methods)]) + methods
    auth = b""
    if a.user is not None:
        u = a.user.encode()
        p = (a.password or "").encode()
        auth = bytes([1, len(u)]) + u + bytes([len(p)]) + p
    request = bytes([5, a.cmd, 0]) + socks_address(a)
    data = payload_of(a)

    t0 = time.monotonic()
    s = socket.socket(family_of(phost), socket.SOCK_STREAM)
    s.settimeout(a.timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if a.bind_src:
        s.bind((a.bind_src, 0))
    s.connect((phost, pport))
    out("connected=1 local_port=%d" % s.getsockname()[1])
    if a.prefix_hex:
        # Bytes before the greeting: a PROXY protocol header, as a
        # balancer sends it (listen.proxy_protocol).
        s.sendall(bytes.fromhex(a.prefix_hex))

    try:
        if a.pipeline:
            s.sendall(greeting + auth + request + data)
            data_sent = True
            if data:
                out("sent_bytes=%d" % len(data))
                out("sent_sha256=%s" % hashlib.sha256(data).hexdigest())
        else:
            data_sent = False
            if a.split_greeting is not None:
                for i in range(len(greeting)):
                    s.sendall(greeting[i:i + 1])
                    time.sleep(a.split_greeting)
            else:
                s.sendall(greeting)
        ver, method = recv_exact(s, 2)
        out("method=0x%02x ver=%d" % (method, ver))
        out("method_secs=%.3f" % (time.monotonic() - t0))
        if method == 0xFF or method not in methods:
            check_closed(s, a.close_wait)
            return 0
        if method in (2, 0x88):    # 0x88: sixgated's RFC 1929 login
            if not a.pipeline:
                s.sendall(auth)
            ver, status = recv_exact(s, 2)
            out("auth=0x%02x ver=%d" % (status, ver))
            if status != 0:
                check_closed(s, a.close_wait)
                return 0
        if not a.pipeline:
            s.sendall(request)
        rep = read_reply(s)
        out("handshake_secs=%.3f" % (time.monotonic() - t0))
        if rep != 0:
            check_closed(s, a.close_wait)
            return 0
        if a.order == "recv-send":
            read_to_eof(s, a)
            if not data_sent:
                send_payload(s, a, data)
            s.shutdown(socket.SHUT_WR)
        else:
            if not data_sent:
                send_payload(s, a, data)
            if a.echo_check:
                got = recv_exact(s, len(data))
                out("echo=%s" % ("ok" if got == data else "bad"))
            if a.hold_file:
                deadline = time.monotonic() + a.hold_max
                out("holding=1")
                while not os.path.exists(a.hold_file):
                    if time.monotonic() > deadline:
                        out("hold_timeout=1")
                        break
                    time.sleep(0.05)
            if a.echo_again:
                # The relay still carries data after the hold.
                s.sendall(data)
                got = recv_exact(s, len(data))
                out("echo_again=%s" % ("ok" if got == data else "bad"))
            if a.expect_eof is not None:
                t1 = time.monotonic()
                s.settimeout(a.expect_eof)
                try:
                    b = s.recv(4096)
                    out("eof_secs=%.3f%s" % (time.monotonic() - t1,
                                             "" if not b else " data=1"))
                except socket.timeout:
                    out("eof_secs=none")
                except OSError as e:
                    out("eof_secs=%.3f reset=1 (%s)"
                        % (time.monotonic() - t1, e))
                s.settimeout(a.timeout)
            if a.shutdown_wr:
                s.shutdown(socket.SHUT_WR)
            if a.read:
                read_to_eof(s, a)
        out("done=1 secs=%.3f" % (time.monotonic() - t0))
    except Closed as e:
        out("closed_early=1 (%s)" % e)
        return 3
    except socket.timeout:
        out("timeout=1")
        return 4
    except OSError as e:
        out("error=%s" % e)
        return 5
    finally:
        s.close()
    return 0


def cmd_idle(a):
    import selectors
    host, port = parse_hostport(a.target)
    socks = []
    t0 = time.monotonic()
    for _ in range(a.count):
        s = socket.socket(family_of(host), socket.SOCK_STREAM)
        s.settimeout(5)
        s.connect((host, port))
        s.setblocking(False)
        socks.append(s)
    t_open = time.monotonic()
    out("opened=%d secs=%.3f" % (len(socks), t_open - t0))
    if a.ready_file:
        write_port_file(a.ready_file, len(socks))
    sel = selectors.DefaultSelector()
    for s in socks:
        sel.register(s, selectors.EVENT_READ)
    closed = {}
    data_seen = 0
    deadline = t_open + a.wait
    while len(closed) < len(socks):
        left = deadline - time.monotonic()
        if left <= 0:
            break
        for key, _ in sel.select(left):
            s = key.fileobj
            try:
                b = s.recv(4096)
            except BlockingIOError:
                continue
            except OSError:
                b = b""
            if b:
                data_seen += len(b)
                continue
            closed[s] = time.monotonic() - t_open
            sel.unregister(s)
    times = sorted(closed.values())
    out("closed=%d of %d" % (len(closed), len(socks)))
    if times:
        out("first_close=%.3f last_close=%.3f" % (times[0], times[-1]))
    out("data_bytes=%d" % data_seen)
    for s in socks:
        s.close()
    return 0


def cmd_pysocks(a):
    import socks
    phost, pport = parse_hostport(a.proxy)
    dhost, dport = parse_hostport(a.dest)
    s = socks.socksocket(family_of(phost), socket.SOCK_STREAM)
    s.set_proxy(socks.SOCKS5, phost, pport, rdns=True,
                username=a.user, password=a.password)
    s.settimeout(a.timeout)
    try:
        s.connect((dhost, dport))
    except socks.ProxyError as e:
        out("proxy_error=%s" % e)
        return 6
    hosthdr = "[%s]" % dhost if ":" in dhost else dhost
    s.sendall(("GET %s HTTP/1.0\r\nHost: %s:%d\r\n\r\n"
               % (a.path, hosthdr, dport)).encode())
    buf = b""
    while True:
        b = s.recv(CHUNK)
        if not b:
            break
        buf += b
    s.close()
    head, _, body = buf.partition(b"\r\n\r\n")
    out("status=%s" % head.split(b"\r\n", 1)[0].decode(errors="replace"))
    out("body_bytes=%d" % len(body))
    if a.save:
        with open(a.save, "wb") as f:
            f.write(body)
    return 0


def cmd_freeport(a):
    s = socket.socket(family_of(a.bind), socket.SOCK_STREAM)
    s.bind((a.bind, 0))
    out(s.getsockname()[1])
    s.close()
    return 0


def cmd_sha256(a):
    """sha256 of a file or stdin (OpenSSL speed, unlike old coreutils)."""
    f = open(a.file, "rb") if a.file else sys.stdin.buffer
    h = hashlib.sha256()
    n = 0
    while True:
        b = f.read(CHUNK)
        if not b:
            break
        h.update(b)
        n += len(b)
    out("%s %d" % (h.hexdigest(), n))
    return 0


def cmd_pattern(a):
    w = sys.stdout.buffer
    for c in pattern_chunks(a.n):
        w.write(c)
    w.flush()
    return 0


def main():
    ap = argparse.ArgumentParser(prog="sgtool.py")
    sub = ap.add_subparsers(dest="cmd", required=True)

    p = sub.add_parser("sink")
    p.add_argument("--bind", default="127.0.0.1")
    p.add_argument("--port-file", required=True)
    p.add_argument("--out")
    p.add_argument("--reply", action="store_true")
    p.add_argument("--reply-bytes", type=int, default=0)
    p.add_argument("--reply-delay", type=float, default=0)
    p.add_argument("--greet-bytes", type=int, default=0)
    p.add_argument("--timeout", type=float, default=120)
    p.set_defaults(func=cmd_sink)

    p = sub.add_parser("echo")
    p.add_argument("--bind", default="127.0.0.1")
    p.add_argument("--port-file", required=True)
    p.add_argument("--timeout", type=float, default=120)
    p.set_defaults(func=cmd_echo)

    p = sub.add_parser("http")
    p.add_argument("--bind", default="127.0.0.1")
    p.add_argument("--port-file", required=True)
    p.add_argument("--dir", required=True)
    p.set_defaults(func=cmd_http)

    p = sub.add_parser("http11")
    p.add_argument("--bind", default="127.0.0.1")
    p.add_argument("--port-file", required=True)
    p.add_argument("--dir")
    p.add_argument("--conn-file")
    p.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    p.set_defaults(func=cmd_http11)

    p = sub.add_parser("socks")
    p.add_argument("--proxy", required=True, help="HOST:PORT or [V6]:PORT")
    p.add_argument("--methods", help="hex method list, e.g. 00,02")
    p.add_argument("--user")
    p.add_argument("--password")
    p.add_argument("--cmd", type=int, default=1)
    p.add_argument("--bind-src", metavar="HOST",
                   help="connect from this local address")
    p.add_argument("--prefix-hex", metavar="HEX",
                   help="send these bytes before the greeting")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--dest", help="numeric HOST:PORT, sent as ATYP 1 or 4")
    g.add_argument("--dest-name", help="sent as DOMAINNAME (ATYP 3)")
    g.add_argument("--atyp-raw", type=int, help="send only VER CMD RSV ATYP")
    p.add_argument("--dest-port", type=int, help="port for --dest-name")
    p.add_argument("--pipeline", action="store_true",
                   help="greeting+auth+request+data in one send")
    p.add_argument("--split-greeting", type=float, metavar="DELAY",
                   help="send the greeting one byte at a time")
    p.add_argument("--data")
    p.add_argument("--data-len", type=int, default=0,
                   help="send this many pattern bytes")
    p.add_argument("--data-file")
    p.add_argument("--chunk", type=int, default=65536)
    p.add_argument("--chunk-delay", type=float, default=0)
    p.add_argument("--echo-check", action="store_true")
    p.add_argument("--hold-file")
    p.add_argument("--hold-max", type=float, default=60)
    p.add_argument("--echo-again", action="store_true",
                   help="after the hold, send the data again, check the echo")
    p.add_argument("--expect-eof", type=float, metavar="SECS",
                   help="then stay silent, report when the peer closes")
    p.add_argument("--shutdown-wr", action="store_true")
    p.add_argument("--read", action="store_true")
    p.add_argument("--order", choices=["send-recv", "recv-send"],
                   default="send-recv")
    p.add_argument("--save")
    p.add_argument("--timeout", type=float, default=15)
    p.add_argument("--close-wait", type=float, default=3)
    p.set_defaults(func=cmd_socks)

    p = sub.add_parser("idle")
    p.add_argument("--target", required=True)
    p.add_argument("--count", type=int, default=200)
    p.add_argument("--ready-file")
    p.add_argument("--wait", type=float, default=10)
    p.set_defaults(func=cmd_idle)

    p = sub.add_parser("pysocks")
    p.add_argument("--proxy", required=True)
    p.add_argument("--dest", required=True)
    p.add_argument("--path", default="/")
    p.add_argument("--user")
    p.add_argument("--password")
    p.add_argument("--save")
    p.add_argument("--timeout", type=float, default=15)
    p.set_defaults(func=cmd_pysocks)

    p = sub.add_parser("freeport")
    p.add_argument("--bind", default="127.0.0.1")
    p.set_defaults(func=cmd_freeport)

    p = sub.add_parser("sha256")
    p.add_argument("file", nargs="?")
    p.set_defaults(func=cmd_sha256)

    p = sub.add_parser("pattern")
    p.add_argument("n", type=int)
    p.set_defaults(func=cmd_pattern)

    a = ap.parse_args()
    try:
        rc = a.func(a)
    except KeyboardInterrupt:
        rc = 130
    sys.exit(rc or 0)


if __name__ == "__main__":
    main()
