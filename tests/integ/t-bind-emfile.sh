#!/bin/bash
# t-bind-emfile.sh - BIND when the daemon is out of descriptors (issue 11,
# finding 4): the peer's connection waits in the listener's queue, so the
# listener stays readable while accept4 fails with EMFILE.  The session
# must not spin: the daemon's CPU time over 3 s of EMFILE stays small, the
# failure is logged once, and once descriptors are free again the queued
# peer is accepted and the client gets its second reply.
set -u
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integ/lib.sh"
sg_init
sg_need prlimit

PW="b1nd-$$-$RANDOM"
sg_pamwrap bindy "$PW"
sg_conf rules='{ action = "allow"; to = [ "127.0.0.0/8" ]; }'
sg_start

# cpu_ticks PID: user + system time in clock ticks.
cpu_ticks() {
	awk '{ print $14 + $15 }' "/proc/$1/stat"
}

fifo=$SG_TMP/steps
mkfifo "$fifo"
# The client: BIND for peer 127.0.0.1, tell the port, wait for "go",
# connect as the peer, then read the second reply.
"$SG_PY" - "$SG_PORT4" bindy "$PW" "$fifo" >"$SG_TMP/client.out" 2>&1 <<'PY' &
import socket, struct, sys
port, user, pw, fifo = int(sys.argv[1]), sys.argv[2].encode(), sys.argv[3].encode(), sys.argv[4]
def exact(s, n):
    b = b""
    while len(b) < n:
        d = s.recv(n - len(b))
        if not d:
            raise SystemExit("closed after %r" % b)
        b += d
    return b
c = socket.create_connection(("127.0.0.1", port), timeout=30)
c.sendall(b"\x05\x01\x02")
assert exact(c, 2) == b"\x05\x02"
c.sendall(b"\x01" + bytes([len(user)]) + user + bytes([len(pw)]) + pw)
assert exact(c, 2) == b"\x01\x00"
c.sendall(b"\x05\x02\x00\x01" + socket.inet_aton("127.0.0.1") + b"\x00\x00")
r = exact(c, 10)
assert r[1] == 0, r
bport = struct.unpack("!H", r[8:10])[0]
with open(fifo, "w") as f:
    f.write("%d\n" % bport)
with open(fifo) as f:
    f.readline()
p = socket.create_connection(("127.0.0.1", bport), timeout=30)
with open(fifo, "w") as f:
    f.write("connected\n")
r = exact(c, 10)
print("second-reply rep=%d" % r[1])
p.sendall(b"ping")
print("relayed", exact(c, 4).decode())
PY
cpid=$!
SG_PIDS="$SG_PIDS $cpid"

exec 8<"$fifo"
read -r -t 30 bport <&8 || sg_fail "no first BIND reply"
exec 8<&-
sg_info "BIND listener on port $bport"
# No descriptor left for the daemon: the limit is its lowest free number.
nfd=0
while [ -e "/proc/$SG_PID/fd/$nfd" ]; do
	nfd=$((nfd + 1))
done
# Only the soft limit: raising a hard limit again needs CAP_SYS_RESOURCE.
soft=$(prlimit --pid "$SG_PID" --nofile --noheadings --output SOFT)
prlimit --pid "$SG_PID" --nofile="$nfd:" ||
	sg_skip "cannot lower the daemon's descriptor limit"
echo go >"$fifo"
exec 8<"$fifo"
read -r -t 30 line <&8 || sg_fail "the peer did not connect"
exec 8<&-
sleep 0.3
t0=$(cpu_ticks "$SG_PID")
sleep 3
t1=$(cpu_ticks "$SG_PID")
hz=$(getconf CLK_TCK)
sg_info "daemon CPU over 3 s of EMFILE: $((t1 - t0)) ticks (${hz}/s)"
# A spinning loop burns ~3 s (300 ticks); a paused one a few ticks.
[ $((t1 - t0)) -le $((hz / 2)) ] ||
	sg_fail "BIND spins on EMFILE: $((t1 - t0)) ticks in 3 s"
sg_log_wait "bind: cannot accept yet" 10 ||
	sg_fail "accept4 did not fail (or was not logged)"
[ "$(sg_log_count "bind: cannot accept yet")" -eq 1 ] ||
	sg_fail "the EMFILE failure was logged more than once"
prlimit --pid "$SG_PID" --nofile="$soft:" ||
	sg_fail "cannot raise the limit again"
sg_wait_exit "$cpid" 30 || sg_fail "the client did not finish"
grep -q "second-reply rep=0" "$SG_TMP/client.out" ||
	{ cat "$SG_TMP/client.out"; sg_fail "no second reply after EMFILE"; }
grep -q "relayed ping" "$SG_TMP/client.out" ||
	{ cat "$SG_TMP/client.out"; sg_fail "no relay after EMFILE"; }
sg_info "PASS"
