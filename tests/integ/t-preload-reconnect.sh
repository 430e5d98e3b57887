#!/bin/bash
# t-preload-reconnect.sh - connect() again on a socket the Socks Lib
# connected (issue 11, item 11) answers as libc would: EISCONN, with no
# second CONNECT and no new tunnel put over the live one.
#  1. a fake gateway (python: SOCKS5 without login, CONNECT answered
#     with success, then an echo; it counts CONNECTs); python3 under the
#     module connects a blocking socket to 192.0.2.7:80 (proxied), echoes
#     "one", connects again to the same and to another address: EISCONN
#     both times; "two" still echoes over the first tunnel.
#  2. the same with a non-blocking socket (connect_ex).
#  3. connect(AF_UNSPEC) on the first socket, then connect() again: a
#     new tunnel that echoes "four".
#  4. the gateway saw exactly three CONNECTs.
set -u
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integ/lib.sh"
. "$top_srcdir/tests/integ/preload.sh"
sg_init
pl_module_only
MOD=$PL_MODULE


cat > "$SG_TMP/client.py" <<'PY'
import errno, select, socket, sys
def echo(s, data):
    s.sendall(data)
    got = b""
    while len(got) < len(data):
        select.select([s], [], [], 5)
        x = s.recv(len(data) - len(got))
        if not x:
            break
        got += x
    return got
def again(s, addr, label):
    rc = s.connect_ex(addr)
    print("%s again %s: %s" % (label, addr, errno.errorcode.get(rc, rc)))
    return rc
bad = 0
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.settimeout(10)
s.connect(("192.0.2.7", 80))
bad += echo(s, b"one") != b"one"
bad += again(s, ("192.0.2.7", 80), "blocking") != errno.EISCONN
bad += again(s, ("192.0.2.8", 81), "blocking") != errno.EISCONN
got = echo(s, b"two")
print("blocking echo after: %r" % got)
bad += got != b"two"
n = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
n.setblocking(False)
rc = n.connect_ex(("192.0.2.7", 80))
print("non-blocking first: %s" % errno.errorcode.get(rc, rc))
bad += rc != 0
bad += again(n, ("192.0.2.7", 80), "non-blocking") != errno.EISCONN
got = echo(n, b"three")
print("non-blocking echo after: %r" % got)
bad += got != b"three"
# connect(AF_UNSPEC) dissolves the connection: a new one may follow.
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
rc = libc.connect(s.fileno(), bytes(16), 16)
print("AF_UNSPEC: %d %s" % (rc, errno.errorcode.get(ctypes.get_errno())))
rc = s.connect_ex(("192.0.2.7", 80))
print("after AF_UNSPEC: %s" % errno.errorcode.get(rc, rc))
bad += rc != 0
got = echo(s, b"four")
print("echo after AF_UNSPEC: %r" % got)
bad += got != b"four"
print("bad=%d" % bad)
sys.exit(bad != 0)
PY

sg_bg timeout 120 "$SG_PY" "$SG_INTEG/nullgw.py" "$SG_TMP/port" \
    --count "$SG_TMP/count"
sg_wait_file "$SG_TMP/port" 10 || sg_error "the fake gateway did not start"
PORT=$(cat "$SG_TMP/port")

rc=0
out=$(env LD_PRELOAD="$MOD" SIXGATE_GATEWAY="127.0.0.1:$PORT" \
    timeout 30 "$SG_PY" "$SG_TMP/client.py" 2>&1) || rc=$?
echo "$out"
[ "$rc" = 0 ] || sg_fail "connect() again did not answer EISCONN, or the first tunnel broke (rc $rc)"
sg_info "ok: connect() again: EISCONN, the first tunnel still echoes"
n=$(grep -c '^connect cmd=1$' "$SG_TMP/count" 2>/dev/null)
[ "$n" = 3 ] || sg_fail "the gateway saw $n CONNECTs, not 3 (one per socket, one after AF_UNSPEC)"
sg_info "ok: one CONNECT per socket and one after AF_UNSPEC"
exit 0
