#!/bin/bash
# t-http.sh - the HTTP proxy door (listen protocol "http"): curl, wget
# and python3 urllib through it to HTTP servers on 127.0.0.1 and ::1,
# https:// through CONNECT to a TLS server (throwaway self-signed
# certificate), Basic proxy credentials checked by PAM (407 without and
# with wrong ones, and the daemon goes on), 403 for a destination a rule
# denies, 502 for a name that does not resolve, keep-alive (two requests
# on one connection to the destination, a chunked upload arriving
# intact; HTTP/1.0 with and without "Connection: keep-alive"),
# hop-by-hop fields removed, Via added, the access lines.
set -u
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integ/lib.sh"
sg_init
sg_need curl
sg_need openssl
sg_pamwrap alice 's3cret'
sg_conf listen='"127.0.0.1:0", { address = "127.0.0.1:0"; protocol = "http"; }, { address = "[::1]:0"; protocol = "http"; }' \
    rules='{ action = "deny"; to = [ "127.0.0.2/32" ]; }, { name = "names"; action = "allow"; to = [ "*.invalid" ]; }, { name = "loopback"; action = "allow"; to = [ "127.0.0.0/8", "::1/128" ]; }'
sg_start
HP4=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9][0-9]*\) (http).*/\1/p' "$SG_LOG" | head -n1)
HP6=$(sed -n 's/.*listening on \[::1\]:\([0-9][0-9]*\) (http).*/\1/p' "$SG_LOG" | head -n1)
[ -n "$HP4" ] && [ -n "$HP6" ] || sg_error "no http listeners in the log"
P4="http://alice:s3cret@127.0.0.1:$HP4"
P6="http://alice:s3cret@[::1]:$HP6"

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
    -keyout "$SG_TMP/key.pem" -out "$SG_TMP/cert.pem" >/dev/null 2>&1 ||
	sg_error "openssl could not make a certificate"
sg_server WEB4 http11 --bind 127.0.0.1 --conn-file "$SG_TMP/conns4"
sg_server WEB6 http11 --bind ::1
sg_server TLS http11 --bind 127.0.0.1 --tls "$SG_TMP/cert.pem" "$SG_TMP/key.pem"

expect_body() {	# NAME WANT CURL-ARGS...: the body must be WANT
	local name=$1 want=$2 got
	shift 2
	got=$(sg_curl "$@" 2>"$SG_TMP/$name.err") ||
		{ cat "$SG_TMP/$name.err" >&2; sg_fail "$name: curl failed"; }
	[ "$got" = "$want" ] || sg_fail "$name: got '$got', want '$want'"
	sg_info "ok: $name"
}
expect_code() {	# NAME CODE CURL-ARGS...: the status must be CODE
	local name=$1 want=$2 got
	shift 2
	got=$(sg_curl -o "$SG_TMP/$name.body" -D "$SG_TMP/$name.hdr" \
	    -w '%{http_code}' "$@" 2>"$SG_TMP/$name.err")
	[ "$got" = "$want" ] || { cat "$SG_TMP/$name.err" >&2;
		sg_fail "$name: status $got, want $want"; }
	sg_info "ok: $name ($want)"
}

# Plain forwarding, both families on both sides; a name resolved here.
expect_body get4 "hello /a?x=1" -x "$P4" "http://127.0.0.1:$WEB4/a?x=1"
expect_body get6 "hello /b" -x "$P6" "http://[::1]:$WEB6/b"
expect_body get46 "hello /c" -x "$P4" "http://[::1]:$WEB6/c"
expect_body getname "hello /d" -x "$P6" "http://localhost:$WEB4/d"
# https:// through CONNECT.
expect_body connect4 "hello /s" -k -x "$P4" "https://127.0.0.1:$TLS/s"
expect_body connect6 "hello /t" -k -x "$P6" "https://localhost:$TLS/t"

# Hop-by-hop fields stay here; Via is added.
sg_curl -D "$SG_TMP/hop.hdr" -o /dev/null -x "$P4" -H 'Connection: X-Secret' \
    -H 'X-Secret: 1' "http://127.0.0.1:$WEB4/h" || sg_fail "hop: curl failed"
grep -qi '^X-Seen-Via: 1.1 sixgate' "$SG_TMP/hop.hdr" || sg_fail "no Via upstream"
grep -qi '^X-Seen-Proxy-Auth: no' "$SG_TMP/hop.hdr" ||
	sg_fail "Proxy-Authorization was passed on"
grep -qi '^Via: 1.1 sixgate' "$SG_TMP/hop.hdr" || sg_fail "no Via to the client"

# 407 without and with wrong credentials; the daemon goes on serving.
expect_code noauth 407 -x "http://127.0.0.1:$HP4" "http://127.0.0.1:$WEB4/"
grep -qi '^Proxy-Authenticate: Basic realm="sixgate"' "$SG_TMP/noauth.hdr" ||
	sg_fail "407 without Proxy-Authenticate"
expect_code badpass 407 -x "http://alice:wrong@127.0.0.1:$HP4" "http://127.0.0.1:$WEB4/"
got=$(sg_curl -k -o /dev/null -w '%{http_connect}' \
    -x "http://alice:wrong@127.0.0.1:$HP4" "https://127.0.0.1:$TLS/" 2>/dev/null)
[ "$got" = 407 ] || sg_fail "CONNECT with a wrong password: $got, want 407"
# 403 (a rule), 502 (no such name).
expect_code denied 403 -x "$P4" "http://127.0.0.2:$WEB4/"
expect_code noname 502 -x "$P4" "http://no-such-host.invalid/"
expect_body after "hello /again" -x "$P4" "http://127.0.0.1:$WEB4/again"

# python3 urllib with a ProxyHandler; wget with --proxy-user.
got=$(timeout 30 "$SG_PY" -c '
import sys, urllib.request
h = urllib.request.ProxyHandler({"http": sys.argv[1]})
print(urllib.request.build_opener(h).open(sys.argv[2], timeout=20).read().decode(), end="")
' "$P4" "http://127.0.0.1:$WEB4/py") || sg_fail "urllib failed"
[ "$got" = "hello /py" ] || sg_fail "urllib: got '$got'"
if command -v wget >/dev/null 2>&1; then
	got=$(timeout 30 wget -q -O - -T 20 -t 1 -e use_proxy=yes \
	    -e "http_proxy=http://127.0.0.1:$HP4" --proxy-user=alice \
	    --proxy-password=s3cret "http://127.0.0.1:$WEB4/wget") ||
		sg_fail "wget failed"
	[ "$got" = "hello /wget" ] || sg_fail "wget: got '$got'"
	sg_info "ok: wget"
fi

# Keep-alive: two requests, one connection to the server.
before=$(wc -l < "$SG_TMP/conns4")
sg_curl -v -x "$P4" "http://127.0.0.1:$WEB4/k1" "http://127.0.0.1:$WEB4/k2" \
    > "$SG_TMP/ka.out" 2> "$SG_TMP/ka.err" || sg_fail "keep-alive: curl failed"
[ "$(cat "$SG_TMP/ka.out")" = "$(printf 'hello /k1\nhello /k2')" ] ||
	sg_fail "keep-alive: got $(cat "$SG_TMP/ka.out")"
grep -q "Re-using existing connection" "$SG_TMP/ka.err" ||
	sg_fail "curl did not re-use its connection to the proxy"
after=$(wc -l < "$SG_TMP/conns4")
[ $((after - before)) -eq 1 ] ||
	sg_fail "keep-alive: $((after - before)) connections to the server, want 1"
sg_info "ok: keep-alive"

# HTTP/1.0 (RFC 9112 section 9.3): with "Connection: keep-alive" the
# connection goes on (a 407 first, then two requests to one server
# connection), each answer saying "Connection: keep-alive"; without it,
# the answer says "Connection: close" and the proxy closes.
before=$(wc -l < "$SG_TMP/conns4")
out=$(timeout 30 "$SG_PY" - "$HP4" "$WEB4" <<'PY' 2>&1
import base64, socket, sys
hp, web = int(sys.argv[1]), sys.argv[2]
auth = "Proxy-Authorization: Basic %s\r\n" % base64.b64encode(b"alice:s3cret").decode()
def ask(s, path, extra):
    s.sendall(("GET http://127.0.0.1:%s%s HTTP/1.0\r\n%s\r\n" % (web, path, extra)).encode())
    b = b""
    while b"\r\n\r\n" not in b:
        x = s.recv(4096)
        if not x:
            sys.exit("%s: closed after %r" % (path, b))
        b += x
    head, body = b.split(b"\r\n\r\n", 1)
    lines = head.decode().lower().split("\r\n")
    n = [int(l.split(":")[1]) for l in lines if l.startswith("content-length:")][0]
    while len(body) < n:
        body += s.recv(4096)
    return lines[0].split()[1], lines, body
def conn_is(lines, want):
    return "connection: " + want in lines
ka = "Connection: keep-alive\r\n"
s = socket.create_connection(("127.0.0.1", hp), timeout=10)
code, lines, _ = ask(s, "/ka0", ka)
if code != "407" or not conn_is(lines, "keep-alive"):
    sys.exit("407 to keep-alive: %s %r" % (code, lines))
for path in ("/ka1", "/ka2"):
    code, lines, body = ask(s, path, ka + auth)
    if code != "200" or body != ("hello %s\n" % path).encode() or not conn_is(lines, "keep-alive"):
        sys.exit("%s: %s %r %r" % (path, code, lines, body))
s.close()
s = socket.create_connection(("127.0.0.1", hp), timeout=10)
code, lines, body = ask(s, "/ka3", auth)
if code != "200" or not conn_is(lines, "close") or s.recv(1) != b"":
    sys.exit("/ka3 without keep-alive: %s %r, or not closed" % (code, lines))
print("ok")
PY
)
[ "$out" = ok ] || sg_fail "HTTP/1.0 keep-alive: $out"
after=$(wc -l < "$SG_TMP/conns4")
[ $((after - before)) -eq 2 ] ||
	sg_fail "HTTP/1.0 keep-alive: $((after - before)) connections to the server, want 2"
sg_log_wait "requests=2" 10 2 ||
	sg_fail "HTTP/1.0 keep-alive: no access line with requests=2"
sg_info "ok: HTTP/1.0 keep-alive"

# A chunked upload, then a GET on the same connections.
head -c 300000 /dev/urandom > "$SG_TMP/up.bin"
want=$(sg_sha "$SG_TMP/up.bin")
before=$(wc -l < "$SG_TMP/conns4")
sg_curl -x "$P4" -H 'Transfer-Encoding: chunked' --data-binary @"$SG_TMP/up.bin" \
    "http://127.0.0.1:$WEB4/up" --next -x "$P4" "http://127.0.0.1:$WEB4/k3" \
    > "$SG_TMP/up.out" 2>"$SG_TMP/up.err" || sg_fail "upload: curl failed"
[ "$(cat "$SG_TMP/up.out")" = "$(printf '%s\nhello /k3' "$want")" ] ||
	sg_fail "upload: got $(cat "$SG_TMP/up.out"), want $want"
after=$(wc -l < "$SG_TMP/conns4")
[ $((after - before)) -eq 1 ] ||
	sg_fail "upload: $((after - before)) connections to the server, want 1"
# Content-Length upload to the IPv6 server; another host: a new connection.
expect_body post6 "$want" -x "$P6" --data-binary @"$SG_TMP/up.bin" "http://[::1]:$WEB6/p"
sg_curl -x "$P4" "http://127.0.0.1:$WEB4/m1" "http://[::1]:$WEB6/m2" \
    > "$SG_TMP/mix.out" || sg_fail "two hosts: curl failed"
[ "$(cat "$SG_TMP/mix.out")" = "$(printf 'hello /m1\nhello /m2')" ] ||
	sg_fail "two hosts: got $(cat "$SG_TMP/mix.out")"
sg_info "ok: uploads"

# The access lines: door=http, the method, the user; no password.
sg_log_wait "cmd=connect dest=127.0.0.1:$WEB4" 5 ||
	sg_fail "no access line for the forwarded requests"
grep "access user=alice cmd=connect" "$SG_LOG" | grep -q "door=http method=GET status=200 requests=2" ||
	sg_fail "no access line with two requests on one connection"
grep "access user=alice" "$SG_LOG" | grep -q "dest=localhost:$TLS .*door=http " ||
	sg_fail "no access line for CONNECT"
grep -q "access user=alice.* rep=0x02 .*door=http" "$SG_LOG" ||
	sg_fail "no access line for the denied request"
if grep -q "s3cret\|YWxpY2U6czNjcmV0" "$SG_LOG"; then
	sg_fail "the password is in the log"
fi
sg_alive "$SG_PID" || sg_fail "sixgated died"
exit 0
