#!/usr/bin/env python3
"""udptool.py - UDP helpers for the Socks Lib UDP tests
(t-preload-udp.sh, t-preload-dig-netns.sh).

  echo     UDP echo server: --bind ADDR --port-file F [--log F]; logs
           "from=HOST:PORT len=N" per datagram, sends it back unchanged.
  dns      a tiny DNS responder on UDP: --bind ADDR [--port N] --port-file F
           --a NAME=IPV4 ... [--log F]; answers A queries for the names
           given (AA, TTL 60), NXDOMAIN for any other name, no data for
           other types; logs "from=HOST:PORT qname=NAME qtype=N".
  client   the program under test (run under the wrapper `sixgate`):
           getaddrinfo(NAME, PORT, --family, SOCK_DGRAM), then datagrams to
           that address with --mode sendto|sendmsg|connect|mmsg, each echo
           checked (payload, and the source must be the address sent to).
           Prints key=value lines (see cmd_client).

Everything is bounded by timeouts; servers run until killed.
"""

import argparse
import ctypes
import ipaddress
import os
import socket
import struct
import sys
import time


def out(*args):
    print(*args, flush=True)


def family_of(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def hostport(addr):
    """sockaddr tuple -> "1.2.3.4:80" / "[::1]:80" (the daemon's format)."""
    host, port = addr[0], addr[1]
    if ":" in host:
        return "[%s]:%d" % (ipaddress.ip_address(host).compressed, port)
    return "%s:%d" % (host, port)


def parse_hostport(text):
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        return host, int(rest.lstrip(":"))
    host, _, port = text.rpartition(":")
    return host, int(port)


def write_port_file(path, port):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.rename(tmp, path)


def server_socket(bind, port):
    s = socket.socket(family_of(bind), socket.SOCK_DGRAM)
    if family_of(bind) == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s.bind((bind, port))
    return s


def log_line(path, text):
    if path:
        with open(path, "a") as f:
            f.write(text + "\n")


# ---------------------------------------------------------------- servers

def cmd_echo(a):
    s = server_socket(a.bind, 0)
    write_port_file(a.port_file, s.getsockname()[1])
    while True:
        data, src = s.recvfrom(65535)
        log_line(a.log, "from=%s len=%d" % (hostport(src), len(data)))
        s.sendto(data, src)


def dns_qname(msg, off):
    labels = []
    while True:
        n = msg[off]
        off += 1
        if n == 0:
            return ".".join(labels), off
        if n & 0xC0:
            raise ValueError("compressed name in a question")
        labels.append(msg[off:off + n].decode("ascii", "replace"))
        off += n


def dns_answer(q, zone):
    """The response to query q (bytes), or None to ignore it."""
    if len(q) < 12:
        return None
    qid, flags, qd = struct.unpack(">HHH", q[:6])
    if flags & 0x8000 or qd != 1:
        return None
    name, off = dns_qname(q, 12)
    qtype, qclass = struct.unpack(">HH", q[off:off + 4])
    question = q[12:off + 4]
    addr = zone.get(name.lower().rstrip("."))
    rcode = 3 if addr is None else 0
    answers = b""
    if addr is not None and qtype == 1 and qclass == 1:
        answers = b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 60, 4) + \
            socket.inet_aton(addr)
    # QR, AA, RD copied, RA.
    rflags = 0x8000 | 0x0400 | (flags & 0x0100) | 0x0080 | rcode
    return struct.pack(">HHHHHH", qid, rflags, 1, 1 if answers else 0,
                       0, 0) + question + answers, name, qtype


def cmd_dns(a):
    zone = {}
    for kv in a.a:
        name, _, addr = kv.partition("=")
        zone[name.lower().rstrip(".")] = addr
    s = server_socket(a.bind, a.port)
    write_port_file(a.port_file, s.getsockname()[1])
    while True:
        q, src = s.recvfrom(65535)
        try:
            r = dns_answer(q, zone)
        except (ValueError, IndexError, struct.error):
            r = None
        if r is None:
            log_line(a.log, "from=%s ignored len=%d" % (hostport(src),
                                                       len(q)))
            continue
        resp, name, qtype = r
        log_line(a.log, "from=%s qname=%s qtype=%d" % (hostport(src), name,
                                                       qtype))
        s.sendto(resp, src)


# ---------------------------------------------------------------- client

def norm(addr):
    """(host, port) of a sockaddr tuple, the host in canonical form."""
    return ipaddress.ip_address(addr[0].split("%")[0]).compressed, addr[1]


def control_connections(gateway):
    """Local addresses of this process's TCP sockets connected to the
    gateway: the control connections the library opened (getpeername and
    getsockname of every socket fd; /proc/net/tcp is not reliable in
    every sandbox)."""
    want = norm(parse_hostport(gateway))
    found = []
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        try:
            if not os.readlink("/proc/self/fd/%d" % fd).startswith("socket:"):
                continue
            s = socket.socket(fileno=fd)
        except OSError:
            continue
        try:
            if s.type == socket.SOCK_STREAM and norm(s.getpeername()) == want:
                found.append(hostport(s.getsockname()))
        except OSError:
            pass
        finally:
            s.detach()
    return sorted(found)


def report_controls(a, key):
    if not a.gateway:
        return
    c = control_connections(a.gateway)
    out("%s=%d" % (key, len(c)))
    for local in c:
        out("%s_local=%s" % (key, local))


def payload(i, size):
    head = ("datagram %d size %d " % (i, size)).encode()
    body = head + bytes((i * 31 + k * 7) & 0xFF for k in range(size))
    return body[:size]


class Libc:
    """sendmmsg/recvmmsg through libc (so through the preloaded hooks)."""

    class iovec(ctypes.Structure):
        _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]

    class msghdr(ctypes.Structure):
        _fields_ = [("name", ctypes.c_void_p), ("namelen", ctypes.c_uint32),
                    ("iov", ctypes.c_void_p), ("iovlen", ctypes.c_size_t),
                    ("control", ctypes.c_void_p),
                    ("controllen", ctypes.c_size_t),
                    ("flags", ctypes.c_int)]

    class mmsghdr(ctypes.Structure):
        pass

    mmsghdr._fields_ = [("hdr", msghdr), ("len", ctypes.c_uint)]

    def __init__(self):
        self.libc = ctypes.CDLL(None, use_errno=True)
        self.libc.sendmmsg.argtypes = [ctypes.c_int, ctypes.c_void_p,
                                       ctypes.c_uint, ctypes.c_int]
        self.libc.recvmmsg.argtypes = [ctypes.c_int, ctypes.c_void_p,
                                       ctypes.c_uint, ctypes.c_int,
                                       ctypes.c_void_p]

    @staticmethod
    def sockaddr(addr):
        host = addr[0]
        if ":" in host:
            return struct.pack("=H", socket.AF_INET6) + \
                struct.pack(">HI", addr[1], 0) + \
                socket.inet_pton(socket.AF_INET6, host) + \
                struct.pack("=I", 0)
        return struct.pack("=H", socket.AF_INET) + struct.pack(">H", addr[1]) \
            + socket.inet_aton(host) + b"\0" * 8

    @staticmethod
    def parse_sockaddr(raw):
        fam = struct.unpack("=H", raw[:2])[0]
        port = struct.unpack(">H", raw[2:4])[0]
        if fam == socket.AF_INET6:
            return socket.inet_ntop(socket.AF_INET6, raw[8:24]), port
        if fam == socket.AF_INET:
            return socket.inet_ntop(socket.AF_INET, raw[4:8]), port
        return "family-%d" % fam, port

    def sendmmsg(self, fd, dest, datas):
        n = len(datas)
        vec = (self.mmsghdr * n)()
        keep = []
        name = ctypes.create_string_buffer(self.sockaddr(dest))
        for i, d in enumerate(datas):
            buf = ctypes.create_string_buffer(d, len(d) or 1)
            iov = self.iovec(ctypes.addressof(buf), len(d))
            keep += [buf, iov]
            vec[i].hdr.name = ctypes.addressof(name)
            vec[i].hdr.namelen = len(name.raw)
            vec[i].hdr.iov = ctypes.addressof(iov)
            vec[i].hdr.iovlen = 1
        r = self.libc.sendmmsg(fd, vec, n, 0)
        if r < 0:
            e = ctypes.get_errno()
            raise OSError(e, "sendmmsg: " + os.strerror(e))
        return r, [vec[i].len for i in range(r)]

    def recvmmsg(self, fd, n, size=65536):
        vec = (self.mmsghdr * n)()
        bufs, names, keep = [], [], []
        for i in range(n):
            buf = ctypes.create_string_buffer(size)
            name = ctypes.create_string_buffer(128)
            iov = self.iovec(ctypes.addressof(buf), size)
            bufs.append(buf)
            names.append(name)
            keep.append(iov)
            vec[i].hdr.name = ctypes.addressof(name)
            vec[i].hdr.namelen = 128
            vec[i].hdr.iov = ctypes.addressof(iov)
            vec[i].hdr.iovlen = 1
        r = self.libc.recvmmsg(fd, vec, n, 0, None)
        if r < 0:
            e = ctypes.get_errno()
            raise OSError(e, "recvmmsg: " + os.strerror(e))
        return [(bufs[i].raw[:vec[i].len],
                 self.parse_sockaddr(names[i].raw[:vec[i].hdr.namelen]))
                for i in range(r)]


class Checker:
    def __init__(self):
        self.sent = self.bytes = self.echo_ok = self.echo_bad = 0
        self.src_ok = self.src_bad = 0

    def check(self, label, want, got, src, dest):
        if got == want:
            self.echo_ok += 1
        else:
            self.echo_bad += 1
            out("bad_echo=%s want_len=%d got_len=%d" % (label, len(want),
                                                         len(got)))
        if src is None:
            return
        if norm(src) == norm(dest):
            self.src_ok += 1
        else:
            self.src_bad += 1
            out("bad_src=%s got=%s want=%s" % (label, hostport(src),
                                                hostport(dest)))


def one_round(a, s, ck, dest, libc, sizes):
    """Send the datagrams of sizes (a burst when more than one), then
    read as many answers; answers are matched by content."""
    datas = [payload(ck.sent + i, n) for i, n in enumerate(sizes)]
    if a.mode == "sendto":
        for d in datas:
            if s.sendto(d, dest) != len(d):
                out("bad_short_send=%d" % len(d))
    elif a.mode == "sendmsg":
        for d in datas:
            k = len(d) // 3     # two iovecs
            if s.sendmsg([d[:k], d[k:]], [], 0, dest) != len(d):
                out("bad_short_send=%d" % len(d))
    elif a.mode == "connect":
        for d in datas:
            if s.send(d) != len(d):
                out("bad_short_send=%d" % len(d))
    else:
        r, lens = libc.sendmmsg(s.fileno(), dest, datas)
        if r != len(datas) or lens != [len(d) for d in datas]:
            out("bad_short_sendmmsg=%d/%d lens=%s" % (r, len(datas), lens))
    ck.sent += len(datas)
    ck.bytes += sum(len(d) for d in datas)
    got = []
    while len(got) < len(datas):
        if a.mode == "sendto":
            got.append(s.recvfrom(65536))
        elif a.mode == "sendmsg":
            data, _, flags, src = s.recvmsg(65536)
            got.append((data, src))
        elif a.mode == "connect":
            # Alternately recv (no source) and recvfrom (the source).
            if len(got) % 2 == 0:
                got.append((s.recv(65536), None))
            else:
                got.append(s.recvfrom(65536))
        else:
            got += libc.recvmmsg(s.fileno(), len(datas) - len(got))
    left = list(datas)
    for i, (data, src) in enumerate(got):
        want = data if data in left else left[0]
        left.remove(want)
        ck.check("%d(len=%d)" % (i, len(want)), want, data, src, dest)


def trunc_round(s, ck, dest):
    """A datagram larger than the buffer: its head, MSG_TRUNC, its
    source (recvmsg), as without the library."""
    d = payload(ck.sent, 1000)
    s.sendto(d, dest)
    ck.sent += 1
    ck.bytes += len(d)
    data, _, flags, src = s.recvmsg(100)
    if data == d[:100] and flags & socket.MSG_TRUNC and \
            norm(src) == norm(dest):
        ck.echo_ok += 1
        ck.src_ok += 1
        out("trunc=ok")
    else:
        ck.echo_bad += 1
        out("bad_trunc=len=%d flags=%#x src=%s" % (len(data), flags,
                                                   hostport(src)))


def direct_round(a, s, ck, libc):
    """One datagram to an address the library leaves alone (loopback,
    direct): it goes as it is, and its answer comes from that address."""
    to = parse_hostport(a.direct)
    d = payload(ck.sent, 333)
    try:
        if a.mode == "mmsg":
            libc.sendmmsg(s.fileno(), to, [d])
            data, src = libc.recvmmsg(s.fileno(), 1)[0]
        elif a.mode == "sendmsg":
            s.sendmsg([d], [], 0, to)
            data, _, _, src = s.recvmsg(65536)
        else:
            s.sendto(d, to)
            data, src = s.recvfrom(65536)
    except OSError as e:
        out("direct=error %s" % e)
        return
    ok = data == d and norm(src) == norm(to)
    out("direct=%s" % ("ok" if ok else "bad len=%d src=%s" % (len(data),
                                                            hostport(src))))


def client_socket(a, fam):
    s = socket.socket(fam, socket.SOCK_DGRAM)
    if a.mode == "mmsg":
        # libc calls on a blocking socket; SO_RCVTIMEO bounds them.
        tv = struct.pack("ll", int(a.timeout), 0)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, tv)
    else:
        s.settimeout(a.timeout)
    return s


def wait_gate(a, k):
    """The test checks the gateway's log while this process (and its
    other sockets) live on; it creates GATE.K to let it go on."""
    if not a.gate:
        return
    gate = "%s.%d" % (a.gate, k)
    end = time.monotonic() + a.timeout * 3
    while not os.path.exists(gate) and time.monotonic() < end:
        time.sleep(0.05)
    out("gate_%d=%d" % (k, os.path.exists(gate)))


def cmd_client(a):
    """Output, in this order:
      resolved=HOST:PORT            what getaddrinfo gave (a fake)
      also_resolved=HOST:PORT       (--also) the second destination
      ctl_before=N                  control connections before any datagram
    per socket K:
      peer=HOST:PORT peer_ok=0|1    (connect mode) getpeername
      ctl_after_first=N             (socket 0) after its first datagram
      trunc=ok                      (--trunc) the truncated datagram
      direct=ok|bad ...|error ...   (--direct) the unproxied datagram
      sock_K sent=N bytes=N         datagrams and payload bytes it sent
      ctl_sockK=N, ctl_sockK_local=HOST:PORT...   control connections then
    then the summary "sent=N bytes=N echo_ok=N echo_bad=N src_ok=N
    src_bad=N" (proxied datagrams only), and for each socket, closed in
    turn: closed_K=1, ctl_after_close_K=N, gate_K=0|1 (--gate); bad_*
    lines for each failed check."""
    fam = {"4": socket.AF_INET, "6": socket.AF_INET6}[a.family]
    ai = socket.getaddrinfo(a.name, a.port, fam, socket.SOCK_DGRAM)[0]
    dest = ai[4]
    out("resolved=%s" % hostport(dest))
    libc = Libc() if a.mode == "mmsg" else None
    sizes = [int(x) for x in a.sizes.split(",")] if a.sizes else []
    report_controls(a, "ctl_before")
    ck = Checker()
    if a.also:
        also = socket.getaddrinfo(a.also[0], int(a.also[1]), fam,
                                  socket.SOCK_DGRAM)[0][4]
        out("also_resolved=%s" % hostport(also))
    socks = []
    for k in range(a.sockets):
        s = client_socket(a, ai[0])
        socks.append(s)
        sent0, bytes0 = ck.sent, ck.bytes
        if a.mode == "connect":
            s.connect(dest)
            peer = s.getpeername()
            out("peer=%s" % hostport(peer))
            out("peer_ok=%d" % (norm(peer) == norm(dest)))
        for n in sizes:
            one_round(a, s, ck, dest, libc, [n])
            if a.also:
                one_round(a, s, ck, also, libc, [n])
            if k == 0 and ck.sent == 1:
                report_controls(a, "ctl_after_first")
        if a.trunc:
            trunc_round(s, ck, dest)
        for _ in range(a.bursts):
            one_round(a, s, ck, dest, libc, [64 + 97 * i
                                             for i in range(a.burst)])
        if a.direct:
            direct_round(a, s, ck, libc)
        out("sock_%d sent=%d bytes=%d" % (k, ck.sent - sent0,
                                          ck.bytes - bytes0))
        report_controls(a, "ctl_sock%d" % k)
    out("sent=%d bytes=%d echo_ok=%d echo_bad=%d src_ok=%d src_bad=%d"
        % (ck.sent, ck.bytes, ck.echo_ok, ck.echo_bad, ck.src_ok,
           ck.src_bad))
    for k, s in enumerate(socks):
        s.close()
        out("closed_%d=1" % k)
        report_controls(a, "ctl_after_close_%d" % k)
        wait_gate(a, k)
    return 0


def main():
    ap = argparse.ArgumentParser(prog="udptool.py")
    sub = ap.add_subparsers(dest="cmd", required=True)

    p = sub.add_parser("echo")
    p.add_argument("--bind", default="127.0.0.1")
    p.add_argument("--port-file", required=True)
    p.add_argument("--log")
    p.set_defaults(func=cmd_echo)

    p = sub.add_parser("dns")
    p.add_argument("--bind", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--port-file", required=True)
    p.add_argument("--a", action="append", default=[],
                   help="NAME=IPV4 (repeatable)")
    p.add_argument("--log")
    p.set_defaults(func=cmd_dns)

    p = sub.add_parser("client")
    p.add_argument("name")
    p.add_argument("port", type=int)
    p.add_argument("--family", choices=["4", "6"], default="4")
    p.add_argument("--mode", choices=["sendto", "sendmsg", "connect",
                                      "mmsg"], default="sendto")
    p.add_argument("--sizes", default="0,1,100,1400,4096,8192",
                   help="one datagram per size, each answered in turn")
    p.add_argument("--burst", type=int, default=8,
                   help="datagrams per burst (sent in a row)")
    p.add_argument("--bursts", type=int, default=1)
    p.add_argument("--sockets", type=int, default=1)
    p.add_argument("--gateway", help="HOST:PORT: report control conns")
    p.add_argument("--trunc", action="store_true",
                   help="also one datagram into a short buffer (sendto + "
                   "recvmsg)")
    p.add_argument("--also", nargs=2, metavar=("NAME", "PORT"),
                   help="a second destination (not with connect): each "
                   "datagram to NAME is followed by one to this one")
    p.add_argument("--direct", help="HOST:PORT: also one datagram there "
                   "(an address the library does not proxy) per socket")
    p.add_argument("--gate", help="after closing socket K, wait for the "
                   "file GATE.K")
    p.add_argument("--timeout", type=float, default=10)
    p.set_defaults(func=cmd_client)

    a = ap.parse_args()
    return a.func(a)


if __name__ == "__main__":
    sys.exit(main())
