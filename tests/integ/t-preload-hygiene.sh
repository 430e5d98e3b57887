#!/bin/bash
# t-preload-hygiene.sh - the Socks Lib inside someone else's program
# (issue 11, item 12), against a fake gateway (python: SOCKS5 without
# login; CONNECT answered with success, then an echo; UDP ASSOCIATE with
# a relay on 127.0.0.1 that echoes each payload from 192.0.2.7:9):
#  1. the log descriptor: the program takes over the number of the log
#     file's descriptor (dup2 onto it), then connects again: its file
#     gets no log line, the log file gets the line.  With the log on
#     stderr: the program closes 2 and opens a file (fd 2): no log line
#     in it.
#  2. a datagram of 70 iovecs goes through the gateway (its echo comes
#     back from 192.0.2.7); 2,000 iovecs: EMSGSIZE, nothing sent direct.
#  3. errno is left as found by every call that succeeds (connect, send,
#     recv, sendto twice, recvfrom, getpeername, getsockname, close,
#     getaddrinfo, freeaddrinfo), through ctypes with use_errno.
#  4. freeaddrinfo of libc's chains costs no more than without the
#     module (200,000 of them: under 3x the time without it, + 1 s).
#  5. a FIFO as SIXGATE_PASSWORD_FILE: the module does not block on it.
set -u
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integ/lib.sh"
. "$top_srcdir/tests/integ/preload.sh"
sg_init
pl_module_only
MOD=$PL_MODULE


sg_bg timeout 300 "$SG_PY" "$SG_INTEG/nullgw.py" "$SG_TMP/port" --udp echo
sg_wait_file "$SG_TMP/port" 10 || sg_error "the fake gateway did not start"
PORT=$(cat "$SG_TMP/port")

# under VAR=VALUE... -- PROGRAM...: PROGRAM under the module, bounded.
under() {
	local v=()
	while [ "$1" != -- ]; do v+=("$1"); shift; done
	shift
	env LD_PRELOAD="$MOD" SIXGATE_GATEWAY="127.0.0.1:$PORT" "${v[@]}" \
	    timeout "${T:-30}" "$@"
}

# 1. The log descriptor.
cat > "$SG_TMP/log.py" <<'PY'
import os, socket, sys
mode, mine, logf = sys.argv[1], sys.argv[2], sys.argv[3]
def tunnel():
    s = socket.socket(); s.settimeout(10)
    s.connect(("192.0.2.7", 80))
    s.close()
tunnel()
f = os.open(mine, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
if mode == "file":
    fds = [int(n) for n in os.listdir("/proc/self/fd")
           if os.path.realpath("/proc/self/fd/" + n) == os.path.realpath(logf)]
    if not fds:
        print("no descriptor on the log file"); sys.exit(2)
    for n in fds:
        os.dup2(f, n)
else:
    os.dup2(f, 2)
os.close(f)
tunnel()
PY
: > "$SG_TMP/mine"
under SIXGATE_LOG=2 SIXGATE_LOG_FILE="$SG_TMP/sg.log" -- \
    "$SG_PY" "$SG_TMP/log.py" file "$SG_TMP/mine" "$SG_TMP/sg.log" ||
	sg_fail "the log-file program failed"
! grep -q 'sixgate\[' "$SG_TMP/mine" ||
	sg_fail "the library wrote its log into the program's file"
n=$(grep -c 'through the gateway' "$SG_TMP/sg.log")
[ "$n" = 2 ] || sg_fail "expected 2 lines in the log file after the take-over, got $n"
sg_info "ok: a reused log descriptor: the log file opened again, the program's file untouched"
: > "$SG_TMP/mine2"
under SIXGATE_LOG=2 -- "$SG_PY" "$SG_TMP/log.py" stderr "$SG_TMP/mine2" - \
    2>"$SG_TMP/stderr" || sg_fail "the stderr program failed"
! grep -q 'sixgate\[' "$SG_TMP/mine2" ||
	sg_fail "the library wrote its log into the program's new fd 2: $(head -n 3 "$SG_TMP/mine2")"
n=$(grep -c 'through the gateway' "$SG_TMP/stderr")
[ "$n" = 2 ] || sg_fail "expected 2 lines on the original stderr, got $n"
sg_info "ok: stderr closed and reused by the program: the log stays on the original"

# 2, 3. Many iovecs; errno.
cat > "$SG_TMP/calls.py" <<'PY'
import ctypes, errno, select, socket, sys
bad = 0
dest = ("192.0.2.7", 9)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.settimeout(3)
u.sendto(b"warm-up", dest)
print("warm-up: %r" % (u.recvfrom(100),))
parts = [b"%02d" % i for i in range(70)]
u.sendmsg(parts, [], 0, dest)
try:
    d, a = u.recvfrom(1000)
    print("70 iovecs: %d bytes from %s" % (len(d), a[0]))
    bad += d != b"".join(parts) or a[0] != "192.0.2.7"
except socket.timeout:
    print("70 iovecs: no answer (sent around the gateway?)"); bad += 1
try:
    u.sendmsg([b"x"] * 2000, [], 0, dest)
    print("2000 iovecs: sent"); bad += 1
except OSError as e:
    print("2000 iovecs: %s" % errno.errorcode.get(e.errno))
    bad += e.errno != errno.EMSGSIZE
libc = ctypes.CDLL(None, use_errno=True)
SENT = errno.ENOTTY
def check(label, rc):
    global bad
    e = ctypes.get_errno()
    ok = e == SENT and rc >= 0
    print("%s: rc=%s errno=%s%s" % (label, rc, errno.errorcode.get(e, e),
                                   "" if ok else "  <-- changed"))
    bad += not ok
    ctypes.set_errno(SENT)
ctypes.set_errno(SENT)
fd = u.fileno()
sin = bytes([2, 0, 0, 9]) + socket.inet_aton("192.0.2.7") + bytes(8)
buf = ctypes.create_string_buffer(2048)
for i in range(2):
    rc = libc.sendto(fd, b"e%d" % i, 2, 0, sin, 16); check("sendto %d" % i, rc)
    select.select([fd], [], [], 3)	# python's timeout made fd non-blocking
    ctypes.set_errno(SENT)
    rc = libc.recvfrom(fd, buf, 2048, 0, None, None); check("recvfrom %d" % i, rc)
t = socket.socket()
rc = libc.connect(t.fileno(), bytes([2, 0, 0, 80]) + socket.inet_aton("192.0.2.7") + bytes(8), 16)
check("connect", rc)
rc = libc.send(t.fileno(), b"hello", 5, 0); check("send", rc)
select.select([t], [], [], 3)
ctypes.set_errno(SENT)
rc = libc.recv(t.fileno(), buf, 5, 0); check("recv", rc)
sa = ctypes.create_string_buffer(128); ln = ctypes.c_uint(128)
rc = libc.getpeername(t.fileno(), sa, ctypes.byref(ln)); check("getpeername", rc)
ln.value = 128
rc = libc.getsockname(t.fileno(), sa, ctypes.byref(ln)); check("getsockname", rc)
res = ctypes.c_void_p()
rc = libc.getaddrinfo(b"127.0.0.1", b"80", None, ctypes.byref(res)); check("getaddrinfo", rc)
libc.freeaddrinfo(res); check("freeaddrinfo", 0)
rc = libc.close(t.detach()); check("close tcp", rc)
rc = libc.close(u.detach()); check("close udp", rc)
print("bad=%d" % bad)
sys.exit(bad != 0)
PY
rc=0
out=$(under -- "$SG_PY" "$SG_TMP/calls.py" 2>&1) || rc=$?
echo "$out"
case $out in
*"70 iovecs: 140 bytes from 192.0.2.7"*"2000 iovecs: EMSGSIZE"*) ;;
*) sg_fail "a datagram of many iovecs did not go through the gateway (or no EMSGSIZE)" ;;
esac
sg_info "ok: 70 iovecs through the gateway, 2000: EMSGSIZE"
[ "$rc" = 0 ] || sg_fail "errno changed by a call that succeeded"
sg_info "ok: errno left as found on success"

# 4. freeaddrinfo of chains the module did not make.
cat > "$SG_TMP/free.py" <<'PY'
import ctypes, sys, time
libc = ctypes.CDLL(None)
libc.malloc.restype = ctypes.c_void_p
libc.calloc.restype = ctypes.c_void_p
libc.freeaddrinfo.argtypes = (ctypes.c_void_p,)
n = int(sys.argv[1])
t0 = time.process_time()
for i in range(n):
    # A one-element chain as libc makes them: freed with free().
    libc.freeaddrinfo(libc.calloc(1, 64))
print("%d" % int((time.process_time() - t0) * 1000))
PY
base=$(T=60 "$SG_PY" "$SG_TMP/free.py" 200000) || sg_fail "freeaddrinfo loop failed without the module"
with=$(T=60 under -- "$SG_PY" "$SG_TMP/free.py" 200000) || sg_fail "freeaddrinfo loop failed or took over 60 s under the module"
sg_info "200,000 freeaddrinfo: $base ms CPU without the module, $with ms with it"
[ "$with" -le $(( base * 3 + 1000 )) ] ||
	sg_fail "freeaddrinfo of libc's chains is slow under the module: $with ms (without: $base ms)"
sg_info "ok: freeaddrinfo of libc's chains in constant time"

# 5. A FIFO as the password file: never opened blocking.
mkfifo -m 0600 "$SG_TMP/fifo" || sg_error "mkfifo failed"
rc=0
out=$(T=15 under SIXGATE_USER=alice SIXGATE_PASSWORD_FILE="$SG_TMP/fifo" SIXGATE_LOG=1 -- \
    "$SG_PY" -c 'import socket; print(socket.getaddrinfo("127.0.0.1", 80)[0][4])' 2>&1) || rc=$?
echo "$out"
[ "$rc" = 0 ] || sg_fail "a FIFO as the password file: the program did not finish (rc $rc)"
case $out in
*"password file"*"not used"*) ;;
*) sg_fail "a FIFO as the password file was not refused in the log" ;;
esac
sg_info "ok: a FIFO as the password file is refused, not waited on"
exit 0
