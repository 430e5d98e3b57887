#!/usr/bin/env python3
"""admtool.py - raw SOCKS5 clients for the admission-control tests.

  req      one client: greeting, RFC 1929 login (raw bytes allowed),
           optional request; prints auth=, rep=, closed=, *_ms=.
  udphold  N UDP ASSOCIATE sessions kept open until a file exists;
           prints counts of the replies.
  slow     N clients that connect and trickle a greeting (or nothing).
  guess    N parallel logins with a wrong password; prints the statuses.

Every socket operation is bounded by --timeout; nothing runs unbounded.
"""
import argparse
import os
import socket
import struct
import sys
import threading
import time


def hostport(s):
    if s.startswith("["):
        h, _, p = s[1:].partition("]:")
    else:
        h, _, p = s.rpartition(":")
    return h, int(p)


def connect(proxy, source, timeout):
    h, p = hostport(proxy)
    fam = socket.AF_INET6 if ":" in h else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.settimeout(timeout)
    if source:
        s.bind((source, 0))
    s.connect((h, p))
    return s


def recv_exact(s, n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            break
        b += c
    return b


def closed_after(s, wait):
    """1 if the peer closes (EOF or reset) within wait s, 0 otherwise."""
    s.settimeout(wait)
    try:
        d = s.recv(1)
        return 1 if not d else 0
    except socket.timeout:
        return 0
    except OSError:
        return 1


def login_bytes(user, pw):
    return bytes([1, len(user)]) + user + bytes([len(pw)]) + pw


def request_bytes(cmd, dest=None, name=None, port=0):
    if name is not None:
        nb = name.encode()
        return bytes([5, cmd, 0, 3, len(nb)]) + nb + struct.pack("!H", port)
    h, p = hostport(dest)
    if ":" in h:
        return bytes([5, cmd, 0, 4]) + socket.inet_pton(socket.AF_INET6, h) + struct.pack("!H", p)
    return bytes([5, cmd, 0, 1]) + socket.inet_aton(h) + struct.pack("!H", p)


def read_reply(s, out=None):
    """REP byte of a SOCKS5 reply (reads the whole reply), or None;
    out["reply"] = the reply's bytes in hex."""
    hd = recv_exact(s, 4)
    if len(hd) < 4:
        return None
    at = hd[3]
    n = {1: 4, 4: 16}.get(at)
    ln = b""
    if n is None and at == 3:
        ln = recv_exact(s, 1)
        n = ln[0] if ln else 0
    rest = recv_exact(s, (n or 0) + 2)
    if out is not None:
        out["reply"] = (hd + ln + rest).hex()
    return hd[1]


def session(a, user, pw, out, cmd=None, dest=None, name=None, port=0):
    """Greeting, login, request; fills out (dict).  Returns the socket."""
    t0 = time.monotonic()
    s = connect(a.proxy, a.source, a.timeout)
    s.sendall(b"\x05\x01\x02")
    m = recv_exact(s, 2)
    out["method_ms"] = int((time.monotonic() - t0) * 1000)
    if len(m) < 2:
        out["method"] = "eof"
        return s
    out["method"] = "0x%02x" % m[1]
    if m[1] != 2:
        return s
    s.sendall(login_bytes(user, pw))
    st = recv_exact(s, 2)
    out["auth_ms"] = int((time.monotonic() - t0) * 1000)
    if len(st) < 2:
        out["auth"] = "eof"
        return s
    out["auth"] = "0x%02x" % st[1]
    if st[1] != 0 or cmd is None:
        return s
    s.sendall(request_bytes(cmd, dest, name, port))
    r = read_reply(s, out)
    out["rep"] = "eof" if r is None else "0x%02x" % r
    out["rep_ms"] = int((time.monotonic() - t0) * 1000)
    return s


def unescape(v):
    return v.encode("latin-1").decode("unicode_escape").encode("latin-1")


def cmd_req(a):
    out = {}
    user, pw = unescape(a.user), unescape(a.password)
    cmd = {"connect": 1, "bind": 2, "udp": 3, None: None}[a.cmd]
    try:
        s = session(a, user, pw, out, cmd, a.dest, a.dest_name, a.dest_port)
    except OSError as e:
        out["error"] = str(e).replace(" ", "_")
        s = None
    if s is not None:
        if a.data is not None and out.get("rep") == "0x00":
            s.sendall(a.data.encode())
            got = recv_exact(s, len(a.data))
            out["echo"] = "ok" if got == a.data.encode() else "bad"
        if a.hold_file and out.get("rep") == "0x00":
            print(" ".join("%s=%s" % kv for kv in out.items()), flush=True)
            print("holding=1", flush=True)
            end = time.monotonic() + a.hold_max
            while not os.path.exists(a.hold_file) and time.monotonic() < end:
                time.sleep(0.05)
        if a.close_wait > 0 and out.get("rep") != "0x00":
            out["closed"] = closed_after(s, a.close_wait)
        s.close()
    print(" ".join("%s=%s" % kv for kv in out.items()), flush=True)


def cmd_udphold(a):
    socks, res = [], {}
    lock = threading.Lock()
    user, pw = a.user.encode(), a.password.encode()

    def one():
        out = {}
        try:
            s = session(a, user, pw, out, 3, dest="0.0.0.0:0")
        except OSError as e:
            out["rep"] = "error:" + type(e).__name__
            s = None
        k = out.get("rep") or ("auth:" + out.get("auth", out.get("method", "?")))
        with lock:
            res[k] = res.get(k, 0) + 1
            if s is not None:
                socks.append(s)
    for _ in range(a.count):
        one()
    print(" ".join("%s=%d" % kv for kv in sorted(res.items())), flush=True)
    if a.ready_file:
        with open(a.ready_file + ".tmp", "w") as f:
            f.write("%s\n" % res)
        os.rename(a.ready_file + ".tmp", a.ready_file)
    end = time.monotonic() + a.hold_max
    while a.hold_file and not os.path.exists(a.hold_file) and time.monotonic() < end:
        time.sleep(0.05)
    for s in socks:
        s.close()
    print("released=%d" % len(socks), flush=True)


def cmd_slow(a):
    socks, errs = [], 0
    for _ in range(a.count):
        try:
            socks.append(connect(a.proxy, a.source, a.timeout))
        except OSError:
            errs += 1
    if a.ready_file:
        with open(a.ready_file + ".tmp", "w") as f:
            f.write("%d\n" % len(socks))
        os.rename(a.ready_file + ".tmp", a.ready_file)
    print("connected=%d errors=%d" % (len(socks), errs), flush=True)
    greeting = b"\x05\x01\x02"
    end = time.monotonic() + a.wait
    i = 0
    refused = closed = 0
    open_ = list(socks)
    while time.monotonic() < end and open_:
        if a.trickle and i < len(greeting):
            for s in open_:
                try:
                    s.send(greeting[i:i + 1])
                except OSError:
                    pass
            i += 1
        # Collect what the gateway answered meanwhile.
        still = []
        for s in open_:
            s.setblocking(False)
            try:
                d = s.recv(16)
                if d[:2] == b"\x05\xff":
                    refused += 1
                    still.append(s)   # wait for its close too
                elif not d:
                    closed += 1
                    s.close()
                    continue
                else:
                    still.append(s)
            except BlockingIOError:
                still.append(s)
            except OSError:
                closed += 1
                s.close()
                continue
        open_ = still
        time.sleep(a.interval)
    print("refused_05ff=%d closed=%d open_at_end=%d" % (refused, closed, len(open_)), flush=True)
    for s in open_:
        s.close()


def cmd_guess(a):
    res = {}
    lock = threading.Lock()
    user, pw = a.user.encode(), a.password.encode()
    t0 = time.monotonic()

    def one():
        out = {}
        try:
            s = session(a, user, pw, out)
            s.close()
        except OSError as e:
            out["auth"] = "error:" + type(e).__name__
        k = out.get("auth") or "method:" + out.get("method", "?")
        with lock:
            res[k] = res.get(k, 0) + 1
    th = [threading.Thread(target=one) for _ in range(a.count)]
    for t in th:
        t.start()
    for t in th:
        t.join(a.timeout + 5)
    print(" ".join("%s=%d" % kv for kv in sorted(res.items())) +
          " secs=%.1f" % (time.monotonic() - t0), flush=True)


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="sub", required=True)
    for n in ("req", "udphold", "slow", "guess"):
        p = sub.add_parser(n)
        p.add_argument("--proxy", required=True)
        p.add_argument("--source")
        p.add_argument("--timeout", type=float, default=15)
        p.add_argument("--user", default="")
        p.add_argument("--password", default="")
        p.add_argument("--count", type=int, default=1)
        p.add_argument("--ready-file")
        p.add_argument("--hold-file")
        p.add_argument("--hold-max", type=float, default=60)
        p.add_argument("--wait", type=float, default=10)
        p.add_argument("--trickle", action="store_true")
        p.add_argument("--interval", type=float, default=0.5)
        p.add_argument("--cmd", choices=["connect", "bind", "udp"])
        p.add_argument("--dest")
        p.add_argument("--dest-name")
        p.add_argument("--dest-port", type=int, default=0)
        p.add_argument("--data")
        p.add_argument("--close-wait", type=float, default=3)
    a = ap.parse_args()
    {"req": cmd_req, "udphold": cmd_udphold, "slow": cmd_slow,
     "guess": cmd_guess}[a.sub](a)


if __name__ == "__main__":
    main()
