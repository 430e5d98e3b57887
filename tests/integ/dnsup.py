#!/usr/bin/env python3
"""dnsup.py - a tiny authoritative-style DNS server for t-dns-forward.sh:
the "upstream" the gateway's /etc/resolv.conf names.  Over UDP and TCP
on ADDRESS port 53 (or --port), it answers:

  MX  of any name: 10 mail.<name>
  TXT of any name: "upstream-says-<name>"; of mid.*: 3 strings of 200
      bytes (over 512, under 1232); of big.*: 7 (over 1232)
  PTR of any reverse name: up.ptr.test
  anything else: NXDOMAIN (no records)

Names are echoed as asked (the question section as it came), TTL 60.
Over UDP an answer larger than the query's EDNS size (512 without an
OPT record) goes out truncated: TC, no records (RFC 2181 section 9).
Each query is counted by type in --count-file (one "TYPE proto" line
appended per query), so a test can tell what reached the upstream.
It writes --ready-file once both sockets are bound.
"""
import argparse
import socket
import struct
import threading


def parse_question(msg):
    """(id, flags, question bytes, qtype, labels, udp size) or None."""
    if len(msg) < 12:
        return None
    qid, flags, qd, _, _, ar = struct.unpack("!HHHHHH", msg[:12])
    if qd != 1:
        return None
    at, labels = 12, []
    while at < len(msg) and msg[at] != 0:
        n = msg[at]
        if n > 63:
            return None
        labels.append(msg[at + 1:at + 1 + n].decode("ascii", "replace"))
        at += 1 + n
    at += 1
    if at + 4 > len(msg):
        return None
    qtype = struct.unpack("!H", msg[at:at + 2])[0]
    size = 512
    opt = msg[at + 4:at + 9]
    if ar >= 1 and len(opt) == 5 and opt[0] == 0 and opt[1:3] == b"\0\x29":
        size = max(512, struct.unpack("!H", opt[3:5])[0])
    return qid, flags, msg[12:at + 4], qtype, labels, size


def wire(name):
    out = b""
    for label in name.split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def rr(qtype, rdata):
    return b"\xc0\x0c" + struct.pack("!HHIH", qtype, 1, 60, len(rdata)) + rdata


def answer(msg, udp):
    p = parse_question(msg)
    if p is None:
        return None, None
    qid, flags, question, qtype, labels, size = p
    name = ".".join(labels)
    records, rcode = [], 0
    if qtype == 15:
        records.append(rr(15, struct.pack("!H", 10) + wire("mail." + name)))
    elif qtype == 16 and labels and labels[0].lower() in ("mid", "big", "huge"):
        n = {"mid": 3, "big": 7, "huge": 30}[labels[0].lower()]
        txt = b"".join(bytes([200]) + b"x" * 200 for _ in range(n))
        records.append(rr(16, txt))
    elif qtype == 16:
        s = ("upstream-says-" + name).encode()[:255]
        records.append(rr(16, bytes([len(s)]) + s))
    elif qtype == 12:
        records.append(rr(12, wire("up.ptr.test")))
    else:
        rcode = 3
    # QR, RD echoed, RA; no OPT (EDNS is optional for a responder).
    tc = 0
    if udp and 12 + len(question) + sum(map(len, records)) > size:
        tc, records = 0x0200, []
    hdr = struct.pack("!HHHHHH", qid,
                      0x8080 | tc | (flags & 0x0100) | rcode,
                      1, len(records), 0, 0)
    return hdr + question + b"".join(records), qtype


def count(path, qtype, proto, lock):
    if path:
        with lock, open(path, "a") as f:
            f.write("%d %s\n" % (qtype, proto))


def serve_udp(s, args, lock):
    while True:
        msg, peer = s.recvfrom(2048)
        out, qtype = answer(msg, True)
        if out is not None:
            count(args.count_file, qtype, "udp", lock)
            s.sendto(out, peer)


def recv_exact(c, n):
    buf = b""
    while len(buf) < n:
        got = c.recv(n - len(buf))
        if not got:
            return None
        buf += got
    return buf


def serve_tcp_one(c, args, lock):
    with c:
        c.settimeout(10)
        while True:
            two = recv_exact(c, 2)
            if two is None:
                return
            msg = recv_exact(c, struct.unpack("!H", two)[0])
            if msg is None:
                return
            out, qtype = answer(msg, False)
            if out is None:
                return
            count(args.count_file, qtype, "tcp", lock)
            c.sendall(struct.pack("!H", len(out)) + out)


def serve_tcp(s, args, lock):
    while True:
        c, _ = s.accept()
        threading.Thread(target=serve_tcp_one, args=(c, args, lock),
                         daemon=True).start()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("address")
    ap.add_argument("--port", type=int, default=53)
    ap.add_argument("--count-file")
    ap.add_argument("--ready-file", required=True)
    args = ap.parse_args()
    fam = socket.AF_INET6 if ":" in args.address else socket.AF_INET
    u = socket.socket(fam, socket.SOCK_DGRAM)
    u.bind((args.address, args.port))
    t = socket.socket(fam, socket.SOCK_STREAM)
    t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    t.bind((args.address, args.port))
    t.listen(16)
    lock = threading.Lock()
    threading.Thread(target=serve_tcp, args=(t, args, lock),
                     daemon=True).start()
    with open(args.ready_file, "w") as f:
        f.write("ready\n")
    serve_udp(u, args, lock)


if __name__ == "__main__":
    main()
