#!/usr/bin/env python3
"""s5udp.py - raw SOCKS5 BIND and UDP ASSOCIATE clients for the sixgated
integration tests (t-bind.sh, t-udp.sh, t-udp-netns.sh).

Sub-commands (everything bounded by timeouts; servers run until killed):

  udpecho   UDP echo server: --bind ADDR --port-file F [--log F]; every
            datagram is logged ("from=HOST:PORT len=N sha256=HEX hostile=0|1",
            hostile=1 when the payload holds the HOSTILE marker) before it
            is sent back unchanged.
  bind      SOCKS5 BIND (RFC 1928 section 4) with a peer that connects to
            the announced address (from --peer-from, in this process or in
            a network namespace with --peer-ns), data both ways, checks.
  bindpeer  the peer side alone (used by bind --peer-ns).
  udp       SOCKS5 UDP ASSOCIATE (RFC 1928 section 7): echoes through the
            association with checked headers and payloads, hostile
            datagrams, denied destinations, closing and idle checks.

Addresses: "1.2.3.4:80", "[::1]:80", or "name:HOST:PORT" for a DOMAINNAME.
Every check that fails prints "FAIL: ..." and the command exits 1; the
values the shell scripts compare with the daemon's access line are printed
as key=value lines (ctl_local= matches the access line's client address).
"""

import argparse
import hashlib
import os
import socket
import struct
import subprocess
import sys
import threading
import time

HOSTILE = b"HOSTILE-DATAGRAM"
FAILED = []


def out(*args):
    print(*args, flush=True)


def fail(msg):
    FAILED.append(msg)
    out("FAIL: " + msg)


def sha(b):
    return hashlib.sha256(b).hexdigest()


def family_of(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def hostport(addr):
    """sockaddr tuple -> "1.2.3.4:80" / "[::1]:80" (the daemon's format)."""
    host, port = addr[0], addr[1]
    if ":" in host:
        return "[%s]:%d" % (host, port)
    return "%s:%d" % (host, port)


def parse_spec(spec):
    """'name:HOST:PORT' | '[v6]:PORT' | 'v4:PORT' -> (kind, host, port)."""
    if spec.startswith("name:"):
        host, _, port = spec[5:].rpartition(":")
        return "name", host, int(port)
    if spec.startswith("["):
        host, _, rest = spec[1:].partition("]")
        return "addr", host, int(rest.lstrip(":"))
    host, _, port = spec.rpartition(":")
    return "addr", host, int(port)


def parse_hostport(text):
    kind, host, port = parse_spec(text)
    if kind != "addr":
        raise SystemExit("a numeric address is needed, not %r" % text)
    return host, port


def wire_addr(spec):
    """SOCKS ATYP + ADDR + PORT for a spec."""
    kind, host, port = parse_spec(spec)
    if kind == "name":
        nb = host.encode()
        return bytes([3, len(nb)]) + nb + struct.pack(">H", port)
    if family_of(host) == socket.AF_INET6:
        return b"\x04" + socket.inet_pton(socket.AF_INET6, host) + \
            struct.pack(">H", port)
    return b"\x01" + socket.inet_pton(socket.AF_INET, host) + \
        struct.pack(">H", port)


def write_port_file(path, port):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.rename(tmp, path)


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


# ---------------------------------------------------------------- SOCKS

def socks_open(a):
    """TCP to the gateway, greeting and RFC 1929 login; the socket."""
    host, port = parse_hostport(a.proxy)
    s = socket.socket(family_of(host), socket.SOCK_STREAM)
    s.settimeout(a.timeout)
    s.connect((host, port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    out("ctl_local=%s" % hostport(s.getsockname()))
    method = b"\x02" if a.user is not None else b"\x00"
    s.sendall(b"\x05\x01" + method)
    ver, m = recv_exact(s, 2)
    if ver != 5 or m != method[0]:
        raise SystemExit("FAIL: method reply %d/0x%02x" % (ver, m))
    if a.user is not None:
        u, p = a.user.encode(), (a.password or "").encode()
        s.sendall(bytes([1, len(u)]) + u + bytes([len(p)]) + p)
        ver, st = recv_exact(s, 2)
        if st != 0:
            raise SystemExit("FAIL: authentication refused (0x%02x)" % st)
    return s


def read_reply(s):
    """(rep, atyp, addr, port) of a SOCKS5 reply."""
    ver, rep, rsv, atyp = recv_exact(s, 4)
    if ver != 5:
        fail("reply version %d" % ver)
    if rsv != 0:
        fail("reply RSV 0x%02x" % rsv)
    if atyp == 1:
        addr = socket.inet_ntop(socket.AF_INET, recv_exact(s, 4))
    elif atyp == 4:
        addr = socket.inet_ntop(socket.AF_INET6, recv_exact(s, 16))
    elif atyp == 3:
        addr = recv_exact(s, recv_exact(s, 1)[0]).decode(errors="replace")
    else:
        raise SystemExit("FAIL: reply with ATYP %d" % atyp)
    port = struct.unpack(">H", recv_exact(s, 2))[0]
    return rep, atyp, addr, port


def request(s, cmd, spec):
    s.sendall(bytes([5, cmd, 0]) + wire_addr(spec))


# ---------------------------------------------------------------- UDP echo

def cmd_udpecho(a):
    s = socket.socket(family_of(a.bind), socket.SOCK_DGRAM)
    if family_of(a.bind) == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s.bind((a.bind, 0))
    write_port_file(a.port_file, s.getsockname()[1])
    while True:
        data, src = s.recvfrom(65535)
        if a.log:
            with open(a.log, "a") as f:
                f.write("from=%s len=%d sha256=%s hostile=%d\n"
                        % (hostport(src), len(data), sha(data),
                           HOSTILE in data))
        s.sendto(data, src)


# ---------------------------------------------------------------- BIND

def stream_both_ways(s, data, result, key):
    """Send data then SHUT_WR, read to EOF concurrently."""
    err = []

    def sender():
        try:
            s.sendall(data)
            s.shutdown(socket.SHUT_WR)
        except OSError as e:
            err.append(e)
    t = threading.Thread(target=sender, daemon=True)
    t.start()
    h, n = hashlib.sha256(), 0
    try:
        while True:
            b = s.recv(1 << 16)
            if not b:
                break
            h.update(b)
            n += len(b)
    except OSError as e:
        err.append(e)
    t.join(60)
    result[key + "_recv_bytes"] = n
    result[key + "_recv_sha256"] = h.hexdigest()
    result[key + "_errors"] = "; ".join(str(e) for e in err) or "none"


def unmapped(text):
    """'[::ffff:1.2.3.4]:80' -> '1.2.3.4:80' (same host, IPv4 spelling)."""
    if text and text.startswith("[::ffff:") and "." in text:
        return text[8:].replace("]", "", 1)
    return text


def peer_connect(to, src, timeout):
    s = socket.socket(family_of(to[0]), socket.SOCK_STREAM)
    s.settimeout(timeout)
    if src:
        if s.family == socket.AF_INET6 and ":" not in src:
            src = "::ffff:" + src       # an IPv4 source on a mapped address
        s.bind((src, 0))
    s.connect(to)
    return s


def peer_session(to, src, send_len, timeout, result):
    data = os.urandom(send_len)
    result["peer_sent_bytes"] = len(data)
    result["peer_sent_sha256"] = sha(data)
    try:
        s = peer_connect(to, src, timeout)
    except OSError as e:
        result["peer_error"] = "connect: %s" % e
        return
    result["peer_local"] = hostport(s.getsockname())
    stream_both_ways(s, data, result, "peer")
    s.close()


def cmd_bindpeer(a):
    res = {}
    peer_session(parse_hostport(a.to), a.peer_from, a.send_len, a.timeout,
                 res)
    for k, v in res.items():
        out("%s=%s" % (k, v))
    return 0


def wrong_peer(to, src, wait):
    """Connect from a wrong address: the gateway must close it unused."""
    try:
        s = peer_connect(to, src, wait)
    except OSError as e:
        return "connect-failed(%s)" % e, None
    local = hostport(s.getsockname())
    try:
        s.sendall(b"not the expected peer\n")
    except OSError:
        pass
    s.settimeout(wait)
    try:
        b = s.recv(4096)
        verdict = "refused" if not b else "got-data(%d)" % len(b)
    except socket.timeout:
        verdict = "still-open"
    except OSError:
        verdict = "refused"
    s.close()
    return verdict, local


def cmd_bind(a):
    s = socks_open(a)
    request(s, 2, a.peer)
    rep, atyp, addr, port = read_reply(s)
    out("rep1=0x%02x bnd1_atyp=%d bnd1=%s bnd1_port=%d"
        % (rep, atyp, addr, port))
    if rep != 0:
        if a.expect_rep1 is not None and rep == int(a.expect_rep1, 16):
            s.settimeout(3)
            try:
                closed = s.recv(1) == b""
            except socket.timeout:
                # Before OSError: socket.timeout is one of its subclasses.
                closed = False
            except OSError:
                closed = True
            out("ctl_closed=%d" % closed)
            return 1 if FAILED else 0
        fail("first reply 0x%02x" % rep)
        return 1
    if a.expect_rep1 is not None and int(a.expect_rep1, 16) != 0:
        fail("first reply 0x00, expected %s" % a.expect_rep1)
        return 1
    if port == 0:
        fail("first reply with BND.PORT 0")
    if a.expect_bnd is not None and addr != a.expect_bnd:
        fail("first reply BND.ADDR %s, expected %s" % (addr, a.expect_bnd))
    if a.expect_atyp is not None and atyp != a.expect_atyp:
        fail("first reply ATYP %d, expected %d" % (atyp, a.expect_atyp))
    to = (addr, port)

    if a.close_before_peer:
        s.close()
        # The listener must go away with the control connection.
        deadline = time.monotonic() + 5
        verdict = "still-listening"
        while time.monotonic() < deadline:
            try:
                c = socket.socket(family_of(addr), socket.SOCK_STREAM)
                c.settimeout(2)
                if a.wrong_from:
                    c.bind((a.wrong_from, 0))
                c.connect(to)
                c.close()
            except ConnectionRefusedError:
                verdict = "refused"
                break
            except OSError:
                pass
            time.sleep(0.1)
        out("listener_after_close=%s" % verdict)
        if verdict != "refused":
            fail("the BIND listener %s still accepts connections after the "
                 "client closed its control connection" % hostport(to))
        return 1 if FAILED else 0

    up = os.urandom(a.up_len)
    early = b""
    if a.early_len:
        early = up[:a.early_len]
        s.sendall(early)

    if a.no_peer:
        s.settimeout(a.timeout)
        t0 = time.monotonic()
        try:
            rep2, atyp2, addr2, port2 = read_reply(s)
        except (Closed, OSError) as e:
            fail("no second reply (%s)" % e)
            return 1
        out("rep2=0x%02x bnd2_atyp=%d bnd2=%s bnd2_port=%d secs=%.3f"
            % (rep2, atyp2, addr2, port2, time.monotonic() - t0))
        s.settimeout(3)
        try:
            closed = s.recv(1) == b""
        except socket.timeout:
            closed = False
        except OSError:
            closed = True
        out("ctl_closed=%d" % closed)
        return 1 if FAILED else 0

    if a.wrong_from:
        verdict, local = wrong_peer(to, a.wrong_from, 5)
        out("wrong_peer=%s wrong_local=%s" % (verdict, local))
        if verdict != "refused":
            fail("connection from %s (expected peer %s): %s"
                 % (a.wrong_from, a.peer, verdict))
        # No second reply may have come for it.
        s.settimeout(0.5)
        try:
            b = s.recv(1)
            fail("the client got %r after a wrong peer connected" % b)
        except socket.timeout:
            pass
        s.settimeout(a.timeout)

    res = {}
    if a.peer_ns:
        cmd = ["ip", "netns", "exec", a.peer_ns, sys.executable,
               os.path.abspath(__file__), "bindpeer", "--to", hostport(to),
               "--send-len", str(a.down_len), "--timeout", str(a.timeout)]
        if a.peer_from:
            cmd += ["--peer-from", a.peer_from]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
        pt = None
    else:
        proc = None
        pt = threading.Thread(target=peer_session, daemon=True,
                              args=(to, a.peer_from, a.down_len, a.timeout,
                                    res))
        pt.start()
    try:
        rep2, atyp2, addr2, port2 = read_reply(s)
    except (Closed, OSError) as e:
        fail("no second reply (%s)" % e)
        if pt is not None:
            pt.join(1)
            for k in sorted(res):
                out("%s=%s" % (k, res[k]))
        return 1
    out("rep2=0x%02x bnd2_atyp=%d bnd2=%s bnd2_port=%d"
        % (rep2, atyp2, addr2, port2))
    if rep2 != 0:
        fail("second reply 0x%02x" % rep2)
        return 1
    stream_both_ways(s, up[len(early):], res, "client")
    s.close()
    if proc:
        try:
            o, _ = proc.communicate(timeout=a.timeout + 30)
        except subprocess.TimeoutExpired:
            proc.kill()
            o, _ = proc.communicate()
        for line in o.splitlines():
            k, _, v = line.partition("=")
            res[k] = v
    else:
        pt.join(a.timeout + 30)
    for k in sorted(res):
        out("%s=%s" % (k, res[k]))
    if "peer_error" in res:
        fail("peer: %s" % res["peer_error"])
        return 1
    want = hostport((addr2, port2))
    if unmapped(res.get("peer_local")) != unmapped(want):
        fail("second reply names %s, the peer connected from %s"
             % (want, res.get("peer_local")))
    if res.get("peer_recv_sha256") != sha(up) or \
            int(res.get("peer_recv_bytes", -1)) != len(up):
        fail("client -> peer: %s bytes, sha256 %s; sent %d, %s"
             % (res.get("peer_recv_bytes"), res.get("peer_recv_sha256"),
                len(up), sha(up)))
    if res.get("client_recv_sha256") != res.get("peer_sent_sha256") or \
            str(res.get("client_recv_bytes")) != str(res.get(
                "peer_sent_bytes")):
        fail("peer -> client: %s bytes, sha256 %s; sent %s, %s"
             % (res.get("client_recv_bytes"), res.get("client_recv_sha256"),
                res.get("peer_sent_bytes"), res.get("peer_sent_sha256")))
    # One BIND, one connection: the listener is gone once the peer came.
    try:
        c = socket.socket(family_of(addr), socket.SOCK_STREAM)
        c.settimeout(3)
        c.connect(to)
        c.close()
        fail("the BIND listener %s still accepts connections after the "
             "peer came" % hostport(to))
    except ConnectionRefusedError:
        out("listener_after_peer=refused")
    except OSError as e:
        out("listener_after_peer=%s" % e)
    if not FAILED:
        out("bind_ok=1 up=%d down=%d" % (len(up), a.down_len))
    return 1 if FAILED else 0


# ---------------------------------------------------------------- UDP

def udp_header(spec, frag=0):
    return b"\x00\x00" + bytes([frag]) + wire_addr(spec)


def parse_udp_reply(d):
    """(frag, atyp, host, port, payload) or raise ValueError."""
    if len(d) < 4 or d[0] != 0 or d[1] != 0:
        raise ValueError("bad header %r" % d[:8])
    frag, atyp = d[2], d[3]
    if atyp == 1 and len(d) >= 10:
        host = socket.inet_ntop(socket.AF_INET, d[4:8])
        port = struct.unpack(">H", d[8:10])[0]
        return frag, atyp, host, port, d[10:]
    if atyp == 4 and len(d) >= 22:
        host = socket.inet_ntop(socket.AF_INET6, d[4:20])
        port = struct.unpack(">H", d[20:22])[0]
        return frag, atyp, host, port, d[22:]
    raise ValueError("reply ATYP %d (%d bytes)" % (atyp, len(d)))


class Assoc:
    def __init__(self, a):
        self.a = a
        self.ctl = socks_open(a)
        ctl_local = self.ctl.getsockname()[0]
        self.fam = self.ctl.family
        self.u = socket.socket(self.fam, socket.SOCK_DGRAM)
        self.u.bind((a.udp_bind or ctl_local, 0))
        self.local = self.u.getsockname()
        out("udp_local=%s" % hostport(self.local))
        if a.declare == "port":
            decl = hostport(self.local)
        else:
            decl = "[::]:0" if self.fam == socket.AF_INET6 else "0.0.0.0:0"
        request(self.ctl, 3, decl)
        rep, atyp, addr, port = read_reply(self.ctl)
        out("rep=0x%02x bnd_atyp=%d bnd=%s bnd_port=%d"
            % (rep, atyp, addr, port))
        self.rep = rep
        if rep != 0:
            return
        proxy_host = parse_hostport(a.proxy)[0]
        if socket.inet_pton(family_of(addr), addr) != \
                socket.inet_pton(self.fam, proxy_host):
            fail("UDP ASSOCIATE BND.ADDR %s is not the control connection's"
                 " local address %s" % (addr, proxy_host))
        if port == 0:
            fail("UDP ASSOCIATE BND.PORT 0")
        self.relay = (addr, port)
        self.up = self.down = self.dropped = 0
        self.bytes_up = self.bytes_down = 0

    def send_valid(self, spec, payload, sock=None):
        (sock or self.u).sendto(udp_header(spec) + payload, self.relay)

    def expect_echo(self, spec, expect, payload, what):
        """The next datagram must be the echo of payload from expect."""
        self.u.settimeout(self.a.reply_timeout)
        try:
            d, src = self.u.recvfrom(70000)
        except socket.timeout:
            fail("%s: no answer within %.1f s" % (what, self.a.reply_timeout))
            return False
        if socket.inet_pton(self.fam, src[0]) != \
                socket.inet_pton(self.fam, self.relay[0]) or \
                src[1] != self.relay[1]:
            fail("%s: answer from %s, not from the relay %s"
                 % (what, hostport(src), hostport(self.relay)))
            return False
        try:
            frag, atyp, host, port, data = parse_udp_reply(d)
        except ValueError as e:
            fail("%s: %s" % (what, e))
            return False
        ehost, eport = parse_hostport(expect)
        want_atyp = 4 if family_of(ehost) == socket.AF_INET6 else 1
        ok = True
        if frag != 0:
            fail("%s: answer with FRAG %d" % (what, frag))
            ok = False
        if atyp != want_atyp or \
                socket.inet_pton(family_of(host), host) != \
                socket.inet_pton(family_of(ehost), ehost) or port != eport:
            fail("%s: answer header says ATYP %d %s, expected ATYP %d %s"
                 % (what, atyp, hostport((host, port)), want_atyp, expect))
            ok = False
        if data != payload:
            fail("%s: payload differs (%d bytes, sha256 %s; sent %d, %s)"
                 % (what, len(data), sha(data), len(payload), sha(payload)))
            ok = False
        return ok

    def echo(self, spec, expect, payload, what):
        self.send_valid(spec, payload)
        self.up += 1
        self.bytes_up += len(payload)
        if self.expect_echo(spec, expect, payload, what):
            self.down += 1
            self.bytes_down += len(payload)
            return True
        return False


def gateway_source(log, digest):
    """The gateway's outgoing UDP address: the source the echo server
    logged for the datagram whose payload has this sha256."""
    for line in open(log):
        words = line.split()
        if "sha256=" + digest in words:
            for w in words:
                if w.startswith("from="):
                    return parse_hostport(w[5:])
    return None


def cmd_udp(a):
    sizes = [int(x) for x in a.sizes.split(",")] if a.sizes else []
    s = Assoc(a)
    if s.rep != 0:
        if a.expect_rep is not None and s.rep == int(a.expect_rep, 16):
            return 0
        fail("UDP ASSOCIATE reply 0x%02x" % s.rep)
        return 1
    targets = []
    for t in a.echo:
        spec, _, expect = t.partition("@")
        targets.append((spec, expect or spec))

    # 1. Echoes: every target, every size.
    n = 0
    for spec, expect in targets:
        good = 0
        for size in sizes:
            if s.echo(spec, expect, os.urandom(size),
                      "echo %d bytes via %s" % (size, spec)):
                good += 1
            n += 1
        out("echo_target=%s sizes=%d ok=%d" % (spec, len(sizes), good))

    first_spec, first_expect = targets[0] if targets else (None, None)

    # 2. Denied destinations: dropped, the association keeps serving.
    for spec in a.deny:
        s.send_valid(spec, HOSTILE + b" denied destination")
        s.dropped += 1
        if first_spec:
            s.echo(first_spec, first_expect, b"after a denied destination",
                   "echo after a datagram to the denied %s" % spec)
        out("denied_sent=%s" % spec)

    # 3. Hostile datagrams from the client's own socket, then a valid one:
    # the first answer must be the valid one's (nothing hostile went out).
    if a.hostile:
        kind, host, port = parse_spec(first_spec)
        hostile = [
            ("empty", b""),
            ("short-header", b"\x00\x00\x00"),
            ("short-ipv4", b"\x00\x00\x00\x01\x7f\x00"),
            ("short-ipv6", b"\x00\x00\x00\x04" + b"\x00" * 10),
            ("unknown-atyp", b"\x00\x00\x00\x05\x7f\x00\x00\x01" +
             struct.pack(">H", port) + HOSTILE),
            ("atyp-0", b"\x00\x00\x00\x00\x7f\x00\x00\x01" +
             struct.pack(">H", port) + HOSTILE),
            ("name-past-end", b"\x00\x00\x00\x03\x40localhost" +
             struct.pack(">H", port) + HOSTILE),
            ("name-len-0", b"\x00\x00\x00\x03\x00" +
             struct.pack(">H", port) + HOSTILE),
            ("frag-1", udp_header(first_spec, frag=1) + HOSTILE + b" frag 1"),
            ("frag-0x81", udp_header(first_spec, frag=0x81) + HOSTILE +
             b" frag 0x81"),
        ]
        for name, d in hostile:
            s.u.sendto(d, s.relay)
            s.dropped += 1
        out("hostile_own_socket=%d" % len(hostile))
        others = []
        if a.declare == "port":
            o = socket.socket(s.fam, socket.SOCK_DGRAM)
            o.bind((s.local[0], 0))
            others.append(("other-port", o))
        for src in a.foreign_from:
            o = socket.socket(family_of(src), socket.SOCK_DGRAM)
            o.bind((src, 0))
            others.append(("from-" + src, o))
        for name, o in others:
            o.sendto(udp_header(first_spec) + HOSTILE + b" " +
                     name.encode(), s.relay)
            s.dropped += 1
        out("hostile_other_sources=%d" % len(others))
        if s.echo(first_spec, first_expect, b"valid after hostile",
                  "echo after %d hostile datagrams"
                  % (len(hostile) + len(others))):
            out("after_hostile=ok")
        # The other sources get nothing back either.
        for name, o in others:
            o.settimeout(0.3)
            try:
                o.recvfrom(70000)
                fail("%s: the socket of a hostile datagram got an answer"
                     % name)
            except socket.timeout:
                pass
            o.close()

    # 4. A stranger writes to the gateway's outgoing socket: not the
    # client's destination, so it must not reach the client.
    if a.stranger_log:
        st_spec, _, st_expect = (a.stranger_target or first_spec).partition(
            "@")
        st_expect = st_expect or st_spec
        probe = os.urandom(64)
        s.echo(st_spec, st_expect, probe, "echo of the probe")
        src = gateway_source(a.stranger_log, sha(probe))
        if src is None:
            fail("no datagram in %s to learn the gateway's source"
                 % a.stranger_log)
        else:
            out("gateway_source=%s" % hostport(src))
            st = socket.socket(family_of(src[0]), socket.SOCK_DGRAM)
            st.bind((a.stranger_from or
                     ("::1" if family_of(src[0]) == socket.AF_INET6
                      else "127.0.0.1"), 0))
            st.sendto(HOSTILE + b" stranger", src)
            st.close()
            s.dropped += 1
            # Give the gateway time to receive it before the valid echo.
            time.sleep(0.2)
            if s.echo(first_spec, first_expect, b"valid after a stranger",
                      "echo after a stranger's datagram"):
                out("after_stranger=ok")

    out("expect_dgrams_up=%d expect_dgrams_down=%d expect_dropped=%d"
        % (s.up, s.down, s.dropped))
    out("expect_up=%d expect_down=%d" % (s.bytes_up, s.bytes_down))
    out("access_expect=dgrams_up=%d dgrams_down=%d dropped=%d up=%d down=%d"
        % (s.up, s.down, s.dropped, s.bytes_up, s.bytes_down))

    # 5. The end of the association.
    if a.idle_end:
        # The gateway must end it by itself (timeouts.idle).
        t0 = time.monotonic()
        s.ctl.settimeout(a.idle_end)
        try:
            b = s.ctl.recv(1)
            verdict = "eof" if b == b"" else "data"
        except socket.timeout:
            verdict = "still-open"
        except OSError:
            verdict = "eof"
        out("ctl_end=%s after=%.3f" % (verdict, time.monotonic() - t0))
        if verdict != "eof":
            fail("the gateway did not end the idle association within %.1f s"
                 % a.idle_end)
        s.ctl.close()
    elif a.close:
        s.ctl.close()
        out("ctl_closed_by_client=1")
    else:
        s.ctl.close()
    if a.close_gate or a.idle_end:
        if a.close_gate:
            deadline = time.monotonic() + 20
            while not os.path.exists(a.close_gate):
                if time.monotonic() > deadline:
                    fail("gate file %s never appeared" % a.close_gate)
                    break
                time.sleep(0.05)
        # The relay socket must be gone: no answer any more.
        u = s.u
        u.connect(s.relay)
        verdict = "silent"
        for i in range(2):
            try:
                u.send(udp_header(first_spec) + b"after the end")
            except ConnectionRefusedError:
                verdict = "refused"
                break
            u.settimeout(1)
            try:
                u.recv(70000)
                verdict = "answered"
                break
            except ConnectionRefusedError:
                verdict = "refused"
                break
            except socket.timeout:
                pass
        out("udp_after_end=%s" % verdict)
        if verdict == "answered":
            fail("the relay %s still answers after the association ended"
                 % hostport(s.relay))
    s.u.close()
    return 1 if FAILED else 0


def main():
    ap = argparse.ArgumentParser(prog="s5udp.py")
    sub = ap.add_subparsers(dest="cmd", required=True)

    p = sub.add_parser("udpecho")
    p.add_argument("--bind", default="127.0.0.1")
    p.add_argument("--port-file", required=True)
    p.add_argument("--log")
    p.set_defaults(func=cmd_udpecho)

    def common(p):
        p.add_argument("--proxy", required=True)
        p.add_argument("--user")
        p.add_argument("--password")
        p.add_argument("--timeout", type=float, default=15)

    p = sub.add_parser("bind")
    common(p)
    p.add_argument("--peer", required=True,
                   help="DST of the BIND request (expected peer)")
    p.add_argument("--peer-from", help="source address of the peer")
    p.add_argument("--peer-ns", help="the peer connects from this netns")
    p.add_argument("--wrong-from",
                   help="first connect from this (wrong) address")
    p.add_argument("--expect-bnd")
    p.add_argument("--expect-atyp", type=int)
    p.add_argument("--expect-rep1")
    p.add_argument("--up-len", type=int, default=0)
    p.add_argument("--down-len", type=int, default=0)
    p.add_argument("--early-len", type=int, default=0,
                   help="client bytes sent before the peer connects")
    p.add_argument("--no-peer", action="store_true")
    p.add_argument("--close-before-peer", action="store_true")
    p.set_defaults(func=cmd_bind)

    p = sub.add_parser("bindpeer")
    p.add_argument("--to", required=True)
    p.add_argument("--peer-from")
    p.add_argument("--send-len", type=int, default=0)
    p.add_argument("--timeout", type=float, default=15)
    p.set_defaults(func=cmd_bindpeer)

    p = sub.add_parser("udp")
    common(p)
    p.add_argument("--declare", choices=["port", "zero"], default="port")
    p.add_argument("--udp-bind")
    p.add_argument("--echo", action="append", default=[],
                   help="SPEC[@EXPECTED-SOURCE]")
    p.add_argument("--sizes", default="0,1,100,1400,4096,8192")
    p.add_argument("--deny", action="append", default=[])
    p.add_argument("--hostile", action="store_true")
    p.add_argument("--foreign-from", action="append", default=[])
    p.add_argument("--stranger-log")
    p.add_argument("--stranger-from")
    p.add_argument("--stranger-target",
                   help="the echo server whose log is --stranger-log")
    p.add_argument("--close", action="store_true")
    p.add_argument("--close-gate")
    p.add_argument("--idle-end", type=float)
    p.add_argument("--expect-rep")
    p.add_argument("--reply-timeout", type=float, default=3)
    p.set_defaults(func=cmd_udp)

    a = ap.parse_args()
    try:
        rc = a.func(a)
    except KeyboardInterrupt:
        rc = 130
    except (Closed, OSError) as e:
        out("FAIL: %s: %s" % (type(e).__name__, e))
        rc = 1
    sys.exit(rc or 0)


if __name__ == "__main__":
    main()
