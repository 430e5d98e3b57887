#!/bin/bash
# t-resolve.sh - the RESOLVE command (CMD 0xF0, Tor's extension) of
# sixgated, raw SOCKS5 from python: DST.ADDR names the host, DST.PORT is
# the family wanted (4, 6, anything else = resolve.prefer); the reply's
# BND.ADDR is one address (0x00), 0x04 when the name does not resolve,
# 0x02 when CONNECT's rules refuse every address (BND all zero: nothing
# revealed), 0x07 with resolve.command = false.  A client that did not
# log in gets no answer.  Access lines say cmd=resolve ... end=resolved.
# The names *.sgtest exist only in the gateway's private hosts file.
set -u
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integ/lib.sh"
. "$top_srcdir/tests/integ/preload.sh"
sg_init
sg_need getent
PL_SIXGATED=$SIXGATED
pl_hosts "127.0.0.2 secret.sgtest" "::2 secret.sgtest" \
    "127.0.0.2 mixed.sgtest" "127.0.0.1 mixed.sgtest" \
    "::2 mixed6.sgtest" "127.0.0.1 mixed6.sgtest"
pl_unresolvable web4.sgtest web6.sgtest dual.sgtest secret.sgtest \
    mixed.sgtest mixed6.sgtest nowhere.sgtest
sg_pamwrap alice 'Al1ce-pw' bob 'B0b-pw'
sg_conf rules='{ name = "secret"; action = "deny"; to = [ "127.0.0.2/32", "::2/128", "10.9.8.7/32" ]; },
  { name = "bob-nothing"; action = "deny"; users = [ "bob" ]; },
  { name = "all"; action = "allow"; users = [ "*" ]; }'
SIXGATED=$SG_TMP/sixgated-ns sg_start
SIXGATED=$PL_SIXGATED
[ -n "$SG_PORT4" ] && [ -n "$SG_PORT6" ] || sg_fail "no listener ports in the log"

# The raw client: prints method=, auth=, then for the reply
# "rep=0xNN atyp=N addr=A port=P raw=HEX", then "eof=1" when the gateway
# closes (or "extra=HEX" for anything after the reply).
cat > "$SG_TMP/resolve.py" <<'PY'
import socket, struct, sys
proxy, port, user, pw, atyp, dest, dport = sys.argv[1:8]
methods = bytes.fromhex(sys.argv[8]) if len(sys.argv) > 8 else b"\x02"
fam = socket.AF_INET6 if ":" in proxy else socket.AF_INET
s = socket.socket(fam, socket.SOCK_STREAM)
s.settimeout(10)
s.connect((proxy, int(port)))

def recv_exact(n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            print("eof_early=1 got=%s" % b.hex())
            sys.exit(0)
        b += c
    return b

def rest():
    s.settimeout(3)
    try:
        b = s.recv(4096)
        print("eof=1" if not b else "extra=%s" % b.hex())
    except socket.timeout:
        print("eof=0")
    except OSError as e:
        print("eof=1 error=%s" % e)

if atyp == "name":
    nb = dest.encode()
    addr = b"\x03" + bytes([len(nb)]) + nb
elif atyp == "4":
    addr = b"\x01" + socket.inet_pton(socket.AF_INET, dest)
else:
    addr = b"\x04" + socket.inet_pton(socket.AF_INET6, dest)
req = bytes([5, 0xF0, 0]) + addr + struct.pack(">H", int(dport))
s.sendall(bytes([5, len(methods)]) + methods)
ver, m = recv_exact(2)
print("method=0x%02x" % m)
if m == 0xFF:
    # Not logged in: send the request anyway, nothing must come back.
    try:
        s.sendall(req)
    except OSError:
        pass
    rest()
    sys.exit(0)
if m in (0x02, 0x88):
    u, p = user.encode(), pw.encode()
    s.sendall(bytes([1, len(u)]) + u + bytes([len(p)]) + p)
    ver, st = recv_exact(2)
    print("auth=0x%02x" % st)
    if st != 0:
        try:
            s.sendall(req)
        except OSError:
            pass
        rest()
        sys.exit(0)
s.sendall(req)
hdr = recv_exact(4)
ra = hdr[3]
if ra == 1:
    a = recv_exact(4)
    txt = socket.inet_ntop(socket.AF_INET, a)
elif ra == 4:
    a = recv_exact(16)
    txt = socket.inet_ntop(socket.AF_INET6, a)
else:
    a = b""
    txt = "?"
pb = recv_exact(2)
print("rep=0x%02x atyp=%d addr=%s port=%d raw=%s"
      % (hdr[1], ra, txt, struct.unpack(">H", pb)[0], (hdr + a + pb).hex()))
rest()
PY

# res NAME-OF-OUTPUT PROXY-PORT USER PASS ATYP DEST FAMILY [METHODS]
res() {
	local o=$SG_TMP/$1
	shift
	timeout 30 "$SG_PY" "$SG_TMP/resolve.py" 127.0.0.1 "$@" > "$o" 2>&1 ||
		pl_fail_with "$o" "resolve.py $* failed"
}
# want OUTPUT WORD...: every word in the output
want() {
	local o=$SG_TMP/$1 w
	shift
	for w in "$@"; do
		grep -qF -- "$w" "$o" || pl_fail_with "$o" "$(basename "$o"): expected '$w'"
	done
}
A=(alice 'Al1ce-pw')
P=$SG_PORT4

# Literals: as DOMAINNAME and as ATYP IPv4 / IPv6.
res lit4 "$P" "${A[@]}" name 127.0.0.1 4
want lit4 "method=0x02" "auth=0x00" "rep=0x00 atyp=1 addr=127.0.0.1 port=0" "eof=1"
res lit6 "$P" "${A[@]}" name ::1 6
want lit6 "rep=0x00 atyp=4 addr=::1 port=0" "eof=1"
res atyp4 "$P" "${A[@]}" 4 127.0.0.1 4
want atyp4 "rep=0x00 atyp=1 addr=127.0.0.1 port=0" "eof=1"
res atyp6 "$P" "${A[@]}" 6 ::1 0
want atyp6 "rep=0x00 atyp=4 addr=::1 port=0" "eof=1"
sg_info "ok: literals (DOMAINNAME, ATYP 1, ATYP 4)"

# A name with both families: DST.PORT picks the family; other ports
# follow resolve.prefer (ipv6 here).
res dual4 "$P" "${A[@]}" name dual.sgtest 4
want dual4 "rep=0x00 atyp=1 addr=127.0.0.1 port=0"
res dual6 "$P" "${A[@]}" name dual.sgtest 6
want dual6 "rep=0x00 atyp=4 addr=::1 port=0"
res dual0 "$P" "${A[@]}" name dual.sgtest 0
want dual0 "rep=0x00 atyp=4 addr=::1 port=0"
# Over the IPv6 listener too.
timeout 30 "$SG_PY" "$SG_TMP/resolve.py" ::1 "$SG_PORT6" "${A[@]}" name \
    dual.sgtest 4 > "$SG_TMP/dualv6gw" 2>&1 ||
	pl_fail_with "$SG_TMP/dualv6gw" "resolve.py via [::1] failed"
want dualv6gw "rep=0x00 atyp=1 addr=127.0.0.1 port=0"
# A family the name does not have: the other one is given.
res web4as6 "$P" "${A[@]}" name web4.sgtest 6
want web4as6 "rep=0x00 atyp=1 addr=127.0.0.1 port=0"
res web6as4 "$P" "${A[@]}" name web6.sgtest 4
want web6as4 "rep=0x00 atyp=4 addr=::1 port=0"
sg_info "ok: dual.sgtest: 4 -> 127.0.0.1, 6 -> ::1, 0 -> ::1 (prefer ipv6); missing family -> the other"

# A name that does not resolve: 0x04, no address.
res unknown "$P" "${A[@]}" name nowhere.sgtest 4
want unknown "rep=0x04 atyp=1 addr=0.0.0.0 port=0 raw=05040001000000000000" "eof=1"
sg_info "ok: unknown name -> 0x04"

# Names whose every address the rules deny: 0x02, BND all zero.
for n in secret.sgtest:4 secret.sgtest:6 secret.sgtest:0 10.9.8.7:4; do
	res "deny-${n%%:*}-${n##*:}" "$P" "${A[@]}" name "${n%%:*}" "${n##*:}"
	want "deny-${n%%:*}-${n##*:}" \
	    "rep=0x02 atyp=1 addr=0.0.0.0 port=0 raw=05020001000000000000" "eof=1"
done
res deny-atyp4 "$P" "${A[@]}" 4 10.9.8.7 4
want deny-atyp4 "rep=0x02 atyp=1 addr=0.0.0.0 port=0 raw=05020001000000000000"
# A user whose rules refuse everything learns nothing of a name that
# exists (the same answer as for any refused name).
res bob "$P" bob 'B0b-pw' name dual.sgtest 4
want bob "auth=0x00" "rep=0x02 atyp=1 addr=0.0.0.0 port=0 raw=05020001000000000000"
grep -rqE "127\.0\.0\.2|::2([^0-9a-f:]|$)" "$SG_TMP"/deny-* &&
	sg_fail "a denied address reached the client"
# Some addresses denied: only an allowed one is given, whatever the
# family asked for.
for f in 4 6 0; do
	res "mixed-$f" "$P" "${A[@]}" name mixed.sgtest "$f"
	want "mixed-$f" "rep=0x00 atyp=1 addr=127.0.0.1 port=0"
	res "mixed6-$f" "$P" "${A[@]}" name mixed6.sgtest "$f"
	want "mixed6-$f" "rep=0x00 atyp=1 addr=127.0.0.1 port=0"
done
sg_info "ok: refused by the rules -> 0x02 with BND 0.0.0.0:0; partly refused -> an allowed address"

# Not logged in: no answer at all (method 0xFF), and a wrong password
# gets the RFC 1929 failure and nothing else.
res noauth "$P" "${A[@]}" name dual.sgtest 4 00
want noauth "method=0xff" "eof=1"
grep -q "^rep=" "$SG_TMP/noauth" && pl_fail_with "$SG_TMP/noauth" "a RESOLVE answer without login"
res badpw "$P" alice wrong-password name dual.sgtest 4
want badpw "auth=0x01" "eof=1"
grep -q "^rep=" "$SG_TMP/badpw" && pl_fail_with "$SG_TMP/badpw" "a RESOLVE answer after a failed login"
sg_info "ok: no login, no answer"

# Access lines: one per answered request (23 above; the clients that
# did not log in were never read a request).
pl_log_wait_re "access user=alice cmd=resolve dest=dual\\.sgtest:4 addr=127\\.0\\.0\\.1 rep=0x00 .*end=resolved" 10 2 ||
	sg_fail "no access lines cmd=resolve dest=dual.sgtest:4 addr=127.0.0.1 rep=0x00 end=resolved"
pl_log_wait_re "access user=alice cmd=resolve dest=dual\\.sgtest:6 addr=::1 rep=0x00 .*end=resolved" 10 ||
	sg_fail "no access line cmd=resolve dest=dual.sgtest:6 addr=::1"
pl_log_wait_re "access user=alice cmd=resolve dest=nowhere\\.sgtest:4 .*rep=0x04 .*end=failed" 10 ||
	sg_fail "no access line cmd=resolve dest=nowhere.sgtest:4 rep=0x04"
pl_log_wait_re "access user=alice cmd=resolve dest=secret\\.sgtest:[046] .*rep=0x02 .*end=denied" 10 3 ||
	sg_fail "no 3 access lines cmd=resolve dest=secret.sgtest rep=0x02 end=denied"
pl_log_wait_re "access user=bob cmd=resolve dest=dual\\.sgtest:4 .*rep=0x02 .*end=denied" 10 ||
	sg_fail "no access line user=bob cmd=resolve rep=0x02"
sg_log_wait "resolve to secret.sgtest" 10 ||
	sg_fail "no log line naming the rule that refused secret.sgtest"
grep "cmd=resolve" "$SG_LOG" | grep -vqF "user=" &&
	sg_fail "a cmd=resolve access line without user="
[ "$(grep -c "cmd=resolve" "$SG_LOG")" = 23 ] || {
	grep "cmd=resolve" "$SG_LOG" >&2
	sg_fail "expected 23 cmd=resolve access lines (one per answered request), got $(grep -c "cmd=resolve" "$SG_LOG")"
}
sg_info "ok: access lines"

# resolve.command = false: 0x07, as for any unknown command.
sg_stop || sg_fail "sixgated did not stop on SIGTERM"
sed -i 's/^resolve: { prefer = "\([a-z0-9]*\)"; };$/resolve: { prefer = "\1"; command = false; };/' "$SG_CONF"
grep -q "command = false" "$SG_CONF" || sg_error "cannot set resolve.command in $SG_CONF"
SIXGATED=$SG_TMP/sixgated-ns sg_start
SIXGATED=$PL_SIXGATED
P=$SG_PORT4
res off-name "$P" "${A[@]}" name dual.sgtest 4
want off-name "auth=0x00" "rep=0x07 atyp=1 addr=0.0.0.0 port=0 raw=05070001000000000000" "eof=1"
res off-lit "$P" "${A[@]}" 4 127.0.0.1 4
want off-lit "rep=0x07 atyp=1 addr=0.0.0.0 port=0"
pl_log_wait_re "access user=alice cmd=resolve dest=dual\\.sgtest:4 .*rep=0x07 .*end=unsupported" 10 ||
	sg_fail "no access line cmd=resolve rep=0x07 end=unsupported"
sg_info "ok: resolve.command = false -> 0x07"
exit 0
