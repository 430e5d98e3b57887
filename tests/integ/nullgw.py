#!/usr/bin/env python3
"""nullgw.py - a minimal SOCKS5 gateway for the Socks Lib's own tests.

No authentication (method 0x00).  CONNECT is answered 0x00 with
BND 127.0.0.1:4242 and the connection then echoes what it gets.  UDP
ASSOCIATE is answered 0x00 with the port of one UDP relay socket; what
the relay sends back depends on --udp:
  echo       the payload back, from 192.0.2.7:9 (header RSV FRAG=0 ATYP 1)
  bad-first  for each datagram: one with FRAG 1, one too short to hold
             a header, then the payload back as "good " + payload
The control connection is held until the client closes it.

  nullgw.py PORT_FILE [--count FILE] [--udp echo|bad-first]

PORT_FILE receives the TCP port once listening (written atomically);
--count appends "connect cmd=N" for every request.
"""
import argparse
import os
import socket
import struct
import threading

lock = threading.Lock()


def readn(c, n):
    b = b""
    while len(b) < n:
        x = c.recv(n - len(b))
        if not x:
            raise EOFError
        b += x
    return b


def reply(c, port):
    c.sendall(b"\x05\x00\x00\x01" + socket.inet_aton("127.0.0.1") +
              struct.pack("!H", port))


def serve(c, a, uport):
    try:
        _, nm = readn(c, 2)
        readn(c, nm)
        c.sendall(b"\x05\x00")
        _, cmd, _, atyp = readn(c, 4)
        alen = {1: 4, 4: 16}.get(atyp) or readn(c, 1)[0]
        readn(c, alen + 2)
        if a.count:
            with lock, open(a.count, "a") as f:
                f.write("connect cmd=%d\n" % cmd)
        reply(c, uport if cmd == 3 else 4242)
        while True:
            d = c.recv(4096)
            if not d:
                break
            if cmd != 3:
                c.sendall(d)
    except (OSError, EOFError, ValueError):
        pass
    c.close()


def udp_relay(u, mode):
    src_hdr = socket.inet_aton("192.0.2.7") + struct.pack("!H", 9)
    while True:
        d, src = u.recvfrom(65536)
        body = d[10:]
        if mode == "bad-first":
            u.sendto(b"\x00\x00\x01\x01" + src_hdr + b"bad frag", src)
            u.sendto(b"\x00\x00", src)
            body = b"good " + body
        u.sendto(b"\x00\x00\x00\x01" + src_hdr + body, src)


def main():
    ap = argparse.ArgumentParser(prog="nullgw.py")
    ap.add_argument("port_file")
    ap.add_argument("--count")
    ap.add_argument("--udp", choices=["echo", "bad-first"], default="echo")
    a = ap.parse_args()
    t = socket.socket()
    t.bind(("127.0.0.1", 0))
    t.listen(16)
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("127.0.0.1", 0))
    threading.Thread(target=udp_relay, args=(u, a.udp), daemon=True).start()
    with open(a.port_file + ".tmp", "w") as f:
        f.write("%d\n" % t.getsockname()[1])
    os.rename(a.port_file + ".tmp", a.port_file)
    while True:
        c, _ = t.accept()
        threading.Thread(target=serve, args=(c, a, u.getsockname()[1]),
                         daemon=True).start()


if __name__ == "__main__":
    main()
