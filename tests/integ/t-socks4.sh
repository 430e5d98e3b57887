#!/bin/bash
# t-socks4.sh - SOCKS4 and SOCKS4A on a socks listener with socks4 = true:
# curl --socks4a to a name that only the gateway resolves, and only to
# ::1 (an IPv4-only SOCKS4 client reaches an IPv6-only server by name);
# curl --socks4 to an IPv4 literal; the USERID in the access line,
# escaped, never a login; BIND with its two replies, and refused (0x5B)
# when the listening address would be IPv6; refusals without a rule for
# unauthenticated clients, without "none" in auth.methods, and on a
# listener without socks4.
set -u
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integ/lib.sh"
. "$top_srcdir/tests/integ/preload.sh"
sg_init
sg_need curl

# The gateway sees web6.sgtest (::1 only) in its own /etc/hosts.
PL_SIXGATED=$SIXGATED
pl_hosts
pl_unresolvable web6.sgtest

printf 'hello over socks4\n' > "$SG_TMP/index.html"
sg_server WEB6 http --bind ::1 --dir "$SG_TMP"
sg_server WEB4 http --bind 127.0.0.1 --dir "$SG_TMP"

listen='{ address = "127.0.0.1:0"; protocol = "socks"; socks4 = true; }, "[::1]:0"'
none_rule='{ name = "anon"; action = "allow"; auth = [ "none" ]; to = [ "127.0.0.0/8", "::1/128" ]; }'
user_rule='{ name = "users"; action = "allow"; users = [ "*" ]; to = [ "127.0.0.0/8", "::1/128" ]; }'

sg_conf listen="$listen" methods='"username", "none"' rules="$none_rule"
SG_NLISTEN=2
SIXGATED=$SG_TMP/sixgated-ns
sg_start
SIXGATED=$PL_SIXGATED
[ -n "$SG_PORT4" ] && [ -n "$SG_PORT6" ] || sg_fail "listener ports not found in the log"

# SOCKS4A: the name goes to the gateway, which finds ::1 only.
sg_curl -o "$SG_TMP/out6" -x "socks4a://127.0.0.1:$SG_PORT4" \
    "http://web6.sgtest:$WEB6/index.html" 2> "$SG_TMP/curl6.err" || {
	cat "$SG_TMP/curl6.err" >&2
	sg_fail "curl --socks4a to web6.sgtest (::1 only) failed"
}
cmp -s "$SG_TMP/out6" "$SG_TMP/index.html" || sg_fail "socks4a: wrong body"
sg_log_wait "door=socks4" 10 1 || sg_fail "no access line with door=socks4"
grep -F "access" "$SG_LOG" | grep -F "dest=web6.sgtest:$WEB6" |
    grep -F "addr=[::1]:$WEB6" | grep -qF "rep=0x00" ||
	sg_fail "socks4a access line: wrong dest, addr or rep"
sg_info "ok: socks4a to an IPv6-only name"

# SOCKS4 with a USERID (with a space and a quote): logged escaped, and
# the request stays unauthenticated (user=-).
sg_curl -o "$SG_TMP/out4" -x "socks4://we%20i%22rd@127.0.0.1:$SG_PORT4" \
    "http://127.0.0.1:$WEB4/index.html" 2> "$SG_TMP/curl4.err" || {
	cat "$SG_TMP/curl4.err" >&2
	sg_fail "curl --socks4 to 127.0.0.1 failed"
}
cmp -s "$SG_TMP/out4" "$SG_TMP/index.html" || sg_fail "socks4: wrong body"
sg_log_wait "door=socks4" 10 2 || sg_fail "no second socks4 access line"
grep -F "access" "$SG_LOG" | grep -F "dest=127.0.0.1:$WEB4" |
    grep -F 'userid=we\x20i\"rd ' | grep -qF "user=- " ||
	sg_fail "socks4 access line: USERID not escaped in userid=, or a user"
sg_info "ok: socks4 to an IPv4 literal, USERID escaped"

# BIND (two replies, SOCKS4 style): the peer 127.0.0.1 connects to the
# announced port, then data flows both ways.
out=$(timeout 30 "$SG_PY" - "$SG_PORT4" <<'PY' 2>&1
import socket, struct, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.sendall(struct.pack("!BBH4s", 4, 2, 0, socket.inet_aton("127.0.0.1")) + b"binder\0")
def reply():
    b = b""
    while len(b) < 8:
        x = s.recv(8 - len(b))
        if not x:
            sys.exit("closed after %r" % b)
        b += x
    return struct.unpack("!BBH4s", b)
vn, cd, port, ip = reply()
if vn != 0 or cd != 0x5A or port == 0:
    sys.exit("first reply %r" % ((vn, cd, port, ip),))
ip = socket.inet_ntoa(ip)
peer = socket.create_connection((ip if ip != "0.0.0.0" else "127.0.0.1", port), timeout=10)
vn, cd, pport, pip = reply()
if cd != 0x5A or pport != peer.getsockname()[1]:
    sys.exit("second reply %r" % ((vn, cd, pport, pip),))
peer.sendall(b"from-peer")
got = s.recv(64)
s.sendall(b"from-client")
back = peer.recv(64)
print("bind ok" if (got, back) == (b"from-peer", b"from-client") else "bind data %r %r" % (got, back))
PY
)
[ "$out" = "bind ok" ] || sg_fail "socks4 BIND: $out"
sg_log_wait "cmd=bind" 10 1 || sg_fail "no access line for the socks4 BIND"
grep -F " access " "$SG_LOG" | grep -F "cmd=bind" | grep -F "door=socks4" |
    grep -qF "userid=binder" || sg_fail "socks4 BIND access line: wrong fields"
sg_info "ok: socks4 BIND, two replies"

# BIND for a peer that is IPv6 (a 4A name of ::1): the listening
# address would be IPv6, which a SOCKS4 reply cannot carry: 0x5B.
out=$(timeout 30 "$SG_PY" - "$SG_PORT4" <<'PY' 2>&1
import socket, struct, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.sendall(struct.pack("!BBH4s", 4, 2, 0, bytes([0, 0, 0, 1])) + b"\0web6.sgtest\0")
b = s.recv(8)
print("cd=0x%02x" % b[1] if len(b) == 8 else "short %r" % b)
PY
)
[ "$out" = "cd=0x5b" ] || sg_fail "socks4a BIND for an IPv6 peer: $out"
sg_log_wait "which SOCKS4 cannot express" 10 ||
	sg_fail "no log line for the IPv6 BIND address"
sg_info "ok: socks4 BIND on IPv6 refused with 0x5B"

# A listener without socks4 refuses a SOCKS4 request, and says why.
if sg_curl -o /dev/null -x "socks4://[::1]:$SG_PORT6" \
    "http://127.0.0.1:$WEB4/index.html" 2>/dev/null; then
	sg_fail "a listener without socks4 served a SOCKS4 request"
fi
sg_log_wait "SOCKS4 request on a listener without socks4" 10 ||
	sg_fail "no log line for SOCKS4 on a listener without socks4"
sg_info "ok: SOCKS4 refused where socks4 is off"

# Rules for users only: the request is refused (0x5B), logged rep=0x02.
sg_conf listen="$listen" methods='"username", "none"' rules="$user_rule"
kill -HUP "$SG_PID"
sg_log_wait "configuration reloaded" 10 1 || sg_fail "reload 1 not done"
if sg_curl -o /dev/null -x "socks4://alice@127.0.0.1:$SG_PORT4" \
    "http://127.0.0.1:$WEB4/index.html" 2>/dev/null; then
	sg_fail "socks4 relayed without a rule for unauthenticated clients"
fi
sg_log_wait "rep=0x02" 10 1 || sg_fail "no refused access line"
grep -F "access" "$SG_LOG" | grep -F "rep=0x02" | grep -F "door=socks4" |
    grep -F "userid=alice" | grep -qF "end=denied" ||
	sg_fail "refused socks4 access line: wrong fields"
sg_info "ok: socks4 refused without a rule for unauthenticated clients"

# auth.methods without "none": refused before the rules, logged.
sg_conf listen="$listen" methods='"username"' rules="$none_rule"
kill -HUP "$SG_PID"
sg_log_wait "configuration reloaded" 10 2 || sg_fail "reload 2 not done"
if sg_curl -o /dev/null -x "socks4a://127.0.0.1:$SG_PORT4" \
    "http://web6.sgtest:$WEB6/index.html" 2>/dev/null; then
	sg_fail "socks4 relayed although auth.methods lacks \"none\""
fi
sg_log_wait 'auth.methods does not include "none"' 10 ||
	sg_fail "no log line for auth.methods without none"
sg_info "ok: socks4 refused when auth.methods lacks none"
exit 0
