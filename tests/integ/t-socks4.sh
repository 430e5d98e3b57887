#!/bin/bash
# t-socks4.sh - SOCKS4 and SOCKS4A on a socks listener with socks4 = true:
# curl --socks4a to a name that only the gateway resolves, and only to
# ::1 (an IPv4-only SOCKS4 client reaches an IPv6-only server by name);
# curl --socks4 to an IPv4 literal; the USERID in the access line,
# escaped, never a login; a request and the client's first bytes in one
# send; BIND with its two replies, and refused (0x5B)
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

# Is there an access line holding every ;-separated field of $1?
access_has() {
	local lines f fields
	lines=$(grep -F " access " "$SG_LOG")
	IFS=';' read -ra fields <<< "$1"
	for f in "${fields[@]}"; do
		lines=$(printf '%s\n' "$lines" | grep -F -- "$f") || return 1
	done
}

# Fetches that work: what, proxy, URL, fields of their access line.
# SOCKS4A: the name goes to the gateway, which finds ::1 only.  SOCKS4
# with a USERID (with a space and a quote): logged escaped, and the
# request stays unauthenticated (user=-).
fetches=(
	"socks4a to an IPv6-only name|socks4a://127.0.0.1:$SG_PORT4|http://web6.sgtest:$WEB6/index.html|dest=web6.sgtest:$WEB6;addr=[::1]:$WEB6;rep=0x00"
	"socks4 to an IPv4 literal, USERID escaped|socks4://we%20i%22rd@127.0.0.1:$SG_PORT4|http://127.0.0.1:$WEB4/index.html|dest=127.0.0.1:$WEB4;userid=we\\x20i\\\"rd ;user=- "
)
n=0
for row in "${fetches[@]}"; do
	IFS='|' read -r what proxy url fields <<< "$row"
	n=$((n + 1))
	sg_curl -o "$SG_TMP/out$n" -x "$proxy" "$url" 2> "$SG_TMP/curl$n.err" || {
		cat "$SG_TMP/curl$n.err" >&2
		sg_fail "$what: curl failed"
	}
	cmp -s "$SG_TMP/out$n" "$SG_TMP/index.html" || sg_fail "$what: wrong body"
	sg_log_wait "door=socks4" 10 $n || sg_fail "$what: no access line with door=socks4"
	access_has "$fields" || sg_fail "$what: access line lacks one of $fields"
	sg_info "ok: $what"
done

# CONNECT with the HTTP request in the same send: the bytes past the
# SOCKS4 request reach the server first.
out=$(timeout 30 "$SG_PY" - "$SG_PORT4" "$WEB4" <<'PY' 2>&1
import socket, struct, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.sendall(struct.pack("!BBH4s", 4, 1, int(sys.argv[2]),
    socket.inet_aton("127.0.0.1")) + b"early\0" +
    b"GET /index.html HTTP/1.0\r\n\r\n")
b = s.makefile("rb").read()  # to the server's close
ok = b[:2] == b"\0\x5a" and b.endswith(b"hello over socks4\n")
print("early ok" if ok else "got %r" % b[:200])
PY
)
[ "$out" = "early ok" ] || sg_fail "socks4 request and data in one send: $out"
sg_log_wait "userid=early" 10 || sg_fail "no access line for the early-data CONNECT"
sg_info "ok: socks4 request and data in one send"

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

# Refusals, each logged with its reason: what, rules, auth.methods
# (a change is a reload), proxy, URL, the log line, fields of a refused
# access line (none: refused before the rules).  A listener without
# socks4; rules for users only (0x5B, logged rep=0x02); auth.methods
# without "none" (refused before the rules).
refusals=(
	"SOCKS4 where socks4 is off|$none_rule|\"username\", \"none\"|socks4://[::1]:$SG_PORT6|http://127.0.0.1:$WEB4/index.html|SOCKS4 request on a listener without socks4|"
	"socks4 without a rule for unauthenticated clients|$user_rule|\"username\", \"none\"|socks4://alice@127.0.0.1:$SG_PORT4|http://127.0.0.1:$WEB4/index.html|rep=0x02|rep=0x02;door=socks4;userid=alice;end=denied"
	"socks4 when auth.methods lacks none|$none_rule|\"username\"|socks4a://127.0.0.1:$SG_PORT4|http://web6.sgtest:$WEB6/index.html|auth.methods does not include \"none\"|"
)
cur_rules=$none_rule cur_methods='"username", "none"' reloads=0
for row in "${refusals[@]}"; do
	IFS='|' read -r what rules methods proxy url line fields <<< "$row"
	if [ "$rules" != "$cur_rules" ] || [ "$methods" != "$cur_methods" ]; then
		sg_conf listen="$listen" methods="$methods" rules="$rules"
		kill -HUP "$SG_PID"
		reloads=$((reloads + 1))
		sg_log_wait "configuration reloaded" 10 $reloads ||
			sg_fail "$what: reload $reloads not done"
		cur_rules=$rules cur_methods=$methods
	fi
	if sg_curl -o /dev/null -x "$proxy" "$url" 2>/dev/null; then
		sg_fail "$what: relayed"
	fi
	sg_log_wait "$line" 10 || sg_fail "$what: no log line \"$line\""
	if [ -n "$fields" ]; then
		access_has "$fields" || sg_fail "$what: access line lacks one of $fields"
	fi
	sg_info "ok: $what refused"
done
exit 0
