#!/bin/bash
# t-preload-udp-peek.sh - datagrams from the relay that are not for the
# program (issue 11, items 9 and 12):
#  1. a fake gateway (python: SOCKS5 without login, UDP ASSOCIATE, a UDP
#     relay on 127.0.0.1) answers each datagram with one of FRAG 1, one
#     with a garbage header, then a good one.  python3 under the module
#     peeks (recvfrom, recvmsg, recv with MSG_PEEK): each call returns
#     the good datagram within 3 s, and the program uses less than 1.5 s
#     of CPU in all (the bad datagrams are consumed, not peeked forever).
#  2. recv() with a length far beyond any datagram (2^40, a 4 KiB
#     buffer: the kernel never writes more than one datagram) returns
#     the datagram: the library's own buffer is bounded (65,535 bytes
#     and the header), not the caller's length.
set -u
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integ/lib.sh"
. "$top_srcdir/tests/integ/preload.sh"
sg_init
pl_module_only
MOD=$PL_MODULE


cat > "$SG_TMP/client.py" <<'PY'
import ctypes, resource, select, socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(5)
dest = ("192.0.2.7", 9)
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
def peek(how, i):
    s.sendto(b"ping%d" % i, dest)
    time.sleep(0.3)	# all three datagrams are queued
    t0 = time.monotonic()
    if how == "recvfrom":
        d, a = s.recvfrom(2048, socket.MSG_PEEK)
    elif how == "recvmsg":
        d, anc, fl, a = s.recvmsg(2048, 0, socket.MSG_PEEK)
    else:
        d = s.recv(2048, socket.MSG_PEEK)
    el = time.monotonic() - t0
    got = s.recv(2048)
    print("%s peek=%r read=%r seconds=%.3f" % (how, d, got, el))
    if d != b"good ping%d" % i or got != d or el > 3:
        print("error: %s" % how)
        sys.exit(1)
for i, how in enumerate(("recvfrom", "recvmsg", "recv")):
    peek(how, i)
if cpu() > 1.5:
    print("error: cpu %.2f s" % cpu())
    sys.exit(1)
print("cpu=%.2f" % cpu())
libc = ctypes.CDLL(None, use_errno=True)
libc.recv.restype = ctypes.c_ssize_t
libc.recv.argtypes = (ctypes.c_int, ctypes.c_void_p, ctypes.c_size_t,
                      ctypes.c_int)
s.sendto(b"big", dest)
time.sleep(0.3)
for i in range(3):	# python's timeout made the socket non-blocking
    select.select([s], [], [], 3)
    if s.recv(2048, socket.MSG_PEEK) == b"good big":
        break
buf = ctypes.create_string_buffer(4096)
n = libc.recv(s.fileno(), buf, 1 << 40, 0)
if n < 0:
    print("error: recv(2^40): errno %d" % ctypes.get_errno())
    sys.exit(1)
print("huge=%r" % buf.raw[:n])
sys.exit(0 if buf.raw[:n] == b"good big" else 1)
PY

sg_bg timeout 120 "$SG_PY" "$SG_INTEG/nullgw.py" "$SG_TMP/port" --udp bad-first
sg_wait_file "$SG_TMP/port" 10 || sg_error "the fake gateway did not start"
PORT=$(cat "$SG_TMP/port")

T0=$(sg_now_ms)
rc=0
out=$(env LD_PRELOAD="$MOD" SIXGATE_GATEWAY="127.0.0.1:$PORT" \
    timeout 20 "$SG_PY" "$SG_TMP/client.py" 2>&1) || rc=$?
echo "$out"
[ "$rc" != 124 ] || sg_fail "the program spun until killed (MSG_PEEK on a bad datagram)"
case $out in
*"recvfrom peek="*"recvmsg peek="*"recv peek="*cpu=*) ;;
*) sg_fail "MSG_PEEK did not give the good datagram promptly (rc $rc)" ;;
esac
sg_info "ok: MSG_PEEK skips bad datagrams ($(( $(sg_now_ms) - T0 )) ms)"
case $out in
*"huge=b'good big'"*) ;;
*) sg_fail "recv with a huge length failed (rc $rc)" ;;
esac
[ "$rc" = 0 ] || sg_fail "the client exited with $rc"
sg_info "ok: recv's buffer is bounded, not the caller's length"
exit 0
